/* api: the team's HTTP API under /api/v1, as plain data in and out.
 *
 * Transport-agnostic: server.c turns a CivetWeb request into an api_request
 * (headers, a body already bounded at API_MAX_BODY) and writes the
 * api_response back; the unit tests call api_handle directly. This module
 * owns routing, method checks (405 with Allow), who is asking (the session
 * cookie or an API key; candidate tokens never count), roles, the same-origin
 * check for cookie requests that change anything, the sign-in limit's answer
 * (429 with Retry-After), every error as {"error":{"code","message"}}, and one
 * log line per request that never holds a secret. JSON is proto's business. */
#ifndef INTERVIEWD_API_H
#define INTERVIEWD_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define API_PREFIX "/api/v1"
#define API_MAX_BODY (64 * 1024)         /* request body bytes accepted */
#define API_COOKIE "interviewd_session"  /* the session cookie's name */
#define API_CANDIDATE_MAX 200            /* characters of a candidate's name */
#define API_LIST_DEFAULT 50              /* interviews per page... */
#define API_LIST_MAX 200                 /* ...and at most, with ?limit= */

struct proto_interview;

/* A change the API made that open connections must follow. */
enum api_change {
	API_CHANGE_CREATED,  /* a new interview */
	API_CHANGE_CLOSED,   /* closed: its candidates get the closing frame */
	API_CHANGE_RELINKED, /* a new link: connections opened with an old token end */
	API_CHANGE_ERASED,   /* erased: its connections end, nothing cached of it stays */
};

/* Who hears of those changes (the transport: server.c). changed is called
 * once the change is durable and before the answer goes out, on the
 * request's thread; it may wait for a turn of that interview in progress.
 * iv is the interview as it is now (erased: as it was). Zeroed: nobody. */
struct api_notifier {
	void (*changed)(void *ctx, enum api_change change, const struct proto_interview *iv);
	void *ctx;
};

/* What a request handler needs. Plain fields, owned by the caller. */
struct api {
	struct store *store;
	const char *scripts_dir; /* where NAME.lua files are, as for `interviewd new` */
	struct api_notifier notify;
};

/* One request. Strings are NUL-terminated and owned by the caller; a header
 * that was not sent is NULL. */
struct api_request {
	const char *method;        /* "GET", "POST", ... */
	const char *path;          /* the path as sent (percent-encoded), no query */
	const char *query;         /* the text after '?', still percent-encoded; NULL: none */
	const char *cookie;        /* the Cookie header */
	const char *authorization; /* the Authorization header */
	const char *origin;        /* the Origin header */
	const char *host;          /* the Host header: the server's origin is scheme://host */
	const char *content_type;  /* the Content-Type header */
	const char *body;          /* body_len bytes, not NUL-terminated; NULL: none */
	size_t body_len;
	bool body_too_large;       /* the transport stopped reading at API_MAX_BODY */
	const char *peer;          /* the client's address as text (the sign-in limit's key) */
	bool is_tls;               /* came over TLS: the cookie gets Secure, origins https */
	int64_t now;               /* ms since the epoch */
};

/* One response. Headers that are "" or 0 are not sent. */
struct api_response {
	int status;
	const char *content_type;  /* a static string; NULL with no body */
	char *body;                /* len bytes, new (api_response_free); NULL: no body */
	size_t len;
	char set_cookie[192];      /* the Set-Cookie value */
	char allow[64];            /* the Allow value (405) */
	char disposition[128];     /* the Content-Disposition value (downloads) */
	int64_t retry_after;       /* seconds, for Retry-After (429) */
};

/* ---- the watch handshake (GET /v1/watch; server.c upgrades it) ---------- */

#define API_WATCH_PATH "/v1/watch"
#define API_WATCH_OWNER_MAX 72 /* "key:" and a label */

/* What a watch handshake asks for, and whose it is. */
struct api_watch {
	char owner[API_WATCH_OWNER_MAX + 1]; /* a user's name, or "key:LABEL" */
	char interview_id[17];               /* ?interview=ID; "" with all */
	bool all;                            /* ?all=1: every interview's status */
	uint64_t from;                       /* ?from=SEQ; 0: from the start */
};

/* Decides a watch handshake: who is asking (an API key, or the session cookie
 * sent with this server's own Origin, so a page on another site cannot open
 * it with a user's cookie; a candidate's token never counts) and what for:
 * ?interview=ID[&from=SEQ] (the interview must exist) or ?all=1. Returns 0
 * with w filled and res untouched, or -1 with res holding the refusal (400
 * naming the argument, 401, 403, 404, 405); free res with api_response_free.
 * Logs one line, as api_handle does. */
int api_watch_check(struct api *a, const struct api_request *req, struct api_watch *w,
		    struct api_response *res);

/* Answers req into res (always filled, even out of memory: a 500 then). Logs
 * one info line: method, path, status and who asked. Free res's body with
 * api_response_free. */
void api_handle(struct api *a, const struct api_request *req, struct api_response *res);
void api_response_free(struct api_response *res);

#endif
