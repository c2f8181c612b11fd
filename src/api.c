/* api: the HTTP API under /api/v1. See api.h.
 *
 * The module's core: answers, reading the request, who is asking, the route
 * table and the watch handshake. The handlers live by resource in
 * api_interviews.c (scripts, interviews, exports, statistics) and api_team.c
 * (session, users, API keys); what they share with this file is declared in
 * api_internal.h.
 *
 * One request goes: route (404), method (405 with Allow), who is asking
 * (401), the same-origin check for cookie requests that change anything
 * (403), the role (403), then the handler, which checks its body and
 * arguments (400 naming the field) and answers. Every step that refuses
 * fills the response and stops; the log line is written once at the end.
 *
 * What an interview's operations do to the store is record's and export's
 * business; a change that open connections must follow (close, a new link,
 * erase, a new interview) is told to the transport through a->notify. */
#include "api.h"
#include "api_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "account.h"
#include "log.h"
#include "page.h"
#include "proto.h"
#include "record.h"
#include "token.h"

#define JSON_TYPE "application/json; charset=utf-8"

_Static_assert(API_LIST_MAX == PAGE_MAX && API_LIST_DEFAULT == PAGE_DEFAULT,
	       "the API pages interviews as record does");
_Static_assert(API_WATCH_OWNER_MAX >= ACCOUNT_NAME_MAX + 4 &&
		       sizeof((struct api_watch *)0)->interview_id == TOKEN_ID_LEN + 1,
	       "a watch's owner and interview fit");

/* ======================================================================== */
/* Responses                                                                */
/* ======================================================================== */

/* A body that could not be built: a bare 500, never a crash. */
void api_out_of_memory(struct api_response *res)
{
	free(res->body);
	res->body = NULL;
	res->len = 0;
	res->content_type = NULL;
	res->status = 500;
}

/* Takes json (new, may be NULL: out of memory) as the body. */
void api_reply_json(struct api_call *c, int status, char *json)
{
	struct api_response *res = c->res;
	free(res->body);
	res->body = NULL;
	if (!json) {
		api_out_of_memory(res);
		return;
	}
	res->status = status;
	res->body = json;
	res->len = strlen(json);
	res->content_type = JSON_TYPE;
}

static const char *code_of(int status)
{
	switch (status) {
	case 400: return "bad_request";
	case 401: return "unauthorized";
	case 403: return "forbidden";
	case 404: return "not_found";
	case 405: return "method_not_allowed";
	case 409: return "conflict";
	case 413: return "too_large";
	case 429: return "rate_limited";
	case 503: return "unavailable";
	default: return "internal";
	}
}

void api_fail_field(struct api_call *c, int status, const char *field, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	api_reply_json(c, status, proto_api_error(code_of(status), msg, field));
}

/* Takes body (new, len bytes; NULL: out of memory) as a download of type
 * (a static string) saved as filename (no quote or control character). */
void api_reply_file(struct api_call *c, const char *type, char *body, size_t len,
		    const char *filename)
{
	struct api_response *res = c->res;
	free(res->body);
	res->body = NULL;
	if (!body) {
		api_out_of_memory(res);
		return;
	}
	res->status = 200;
	res->body = body;
	res->len = len;
	res->content_type = type;
	snprintf(res->disposition, sizeof res->disposition, "attachment; filename=\"%.96s\"",
		 filename);
}

void api_no_content(struct api_call *c)
{
	free(c->res->body);
	c->res->body = NULL;
	c->res->len = 0;
	c->res->content_type = NULL;
	c->res->status = 204;
}

void api_response_free(struct api_response *res)
{
	if (!res)
		return;
	free(res->body);
	res->body = NULL;
	res->len = 0;
}

/* ======================================================================== */
/* Reading the request                                                      */
/* ======================================================================== */

/* The value of the cookie named name in a Cookie header, copied into out;
 * one that does not fit comes out as "" (no valid cookie of ours is that
 * long, and a cut one must not pass for a shorter one). */
bool api_cookie_value(const char *header, const char *name, char *out, size_t outlen)
{
	size_t nlen = strlen(name);
	const char *p = header;
	while (p && *p) {
		while (*p == ' ' || *p == '\t' || *p == ';')
			p++;
		const char *end = strchr(p, ';');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len > nlen && strncmp(p, name, nlen) == 0 && p[nlen] == '=') {
			size_t vlen = len - nlen - 1;
			while (vlen && (p[nlen + 1 + vlen - 1] == ' ' || p[nlen + 1 + vlen - 1] == '\t'))
				vlen--;
			if (vlen >= outlen)
				vlen = 0;
			memcpy(out, p + nlen + 1, vlen);
			out[vlen] = '\0';
			return true;
		}
		p = end;
	}
	return false;
}

/* A Host header we are willing to build URLs from: a name or address and a
 * port, nothing that could end a URL or a header. */
static bool host_ok(const char *host)
{
	if (!host || !*host || strlen(host) > HOST_MAX)
		return false;
	for (const char *p = host; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr(".-:[]", *p))
			return false;
	return true;
}

/* "http://HOST" or "https://HOST"; "" when the Host header is unusable. */
void api_own_origin(const struct api_request *req, char *out, size_t outlen)
{
	if (host_ok(req->host))
		snprintf(out, outlen, "%s://%s", req->is_tls ? "https" : "http", req->host);
	else
		out[0] = '\0';
}

bool api_same_origin(const struct api_request *req)
{
	char own[HOST_MAX + 16];
	api_own_origin(req, own, sizeof own);
	return own[0] && req->origin && strcasecmp(req->origin, own) == 0;
}

static int hexval(int ch)
{
	return ch >= '0' && ch <= '9' ? ch - '0'
	       : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
	       : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
					: -1;
}

/* Percent-decodes s[0..len) into out ('+' is a space when plus). Returns 0,
 * or -1 for a bad escape, a NUL, or more than outlen - 1 bytes. */
static int percent_decode(const char *s, size_t len, bool plus, char *out, size_t outlen)
{
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		int ch = (unsigned char)s[i];
		if (ch == '+' && plus) {
			ch = ' ';
		} else if (ch == '%') {
			if (i + 2 >= len)
				return -1;
			int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			ch = hi * 16 + lo;
			i += 2;
		}
		if (ch == 0 || o + 1 >= outlen)
			return -1;
		out[o++] = (char)ch;
	}
	out[o] = '\0';
	return 0;
}

/* Finds name=VALUE in the query (the first one) and decodes it into out.
 * Returns 1 found, 0 absent, -1 malformed (see percent_decode). */
int api_query_param(const char *query, const char *name, char *out, size_t outlen)
{
	size_t nlen = strlen(name);
	for (const char *p = query; p && *p;) {
		const char *end = strchr(p, '&');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len >= nlen && strncmp(p, name, nlen) == 0 && (len == nlen || p[nlen] == '=')) {
			size_t skip = len == nlen ? len : nlen + 1;
			return percent_decode(p + skip, len - skip, true, out, outlen) == 0 ? 1 : -1;
		}
		p = end ? end + 1 : NULL;
	}
	return 0;
}

/* The body's fields; on a problem answers 400 naming the field and returns
 * -1. A Content-Type, when sent, must be JSON. */
int api_body_fields(struct api_call *c, struct proto_api_field *fields, size_t n)
{
	const char *ct = c->req->content_type;
	if (ct && strncasecmp(ct, "application/json", 16) != 0) {
		api_fail_field(c, 400, "Content-Type",
			       "send the body as application/json, not %.60s", ct);
		return -1;
	}
	char err[160];
	const char *field = NULL;
	int rc = proto_api_parse_fields(c->req->body, c->req->body_len, fields, n, err, sizeof err,
					&field);
	if (rc == PROTO_ENOMEM) {
		api_out_of_memory(c->res);
		return -1;
	}
	if (rc != 0) {
		api_fail_field(c, 400, field, "%s", err);
		return -1;
	}
	return 0;
}

/* ======================================================================== */
/* Who is asking                                                            */
/* ======================================================================== */

/* A cookie that clears ours: sent when a presented session is over. */
void api_clear_cookie(struct api_call *c)
{
	snprintf(c->res->set_cookie, sizeof c->res->set_cookie,
		 "%s=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict%s", API_COOKIE,
		 c->req->is_tls ? "; Secure" : "");
}

/* Sets c->who from an API key (Authorization: Bearer) or else the session
 * cookie. Returns 0, or answers 401 (500 when the store fails) and returns
 * -1. A key in the header is never mistaken for a cookie and a candidate's
 * token is neither: account checks each secret's shape first. */
static int authenticate(struct api_call *c)
{
	const struct api_request *req = c->req;
	int rc;
	if (req->authorization) {
		const char *h = req->authorization;
		if (strncasecmp(h, "Bearer ", 7) != 0) {
			api_fail(c, 401, "send an API key as 'Authorization: Bearer KEY'");
			return -1;
		}
		h += 7;
		while (*h == ' ')
			h++;
		rc = account_apikey_check(c->a->store, h, &c->who);
		if (rc == ACCOUNT_EDENIED) {
			api_fail(c, 401, "that API key is not valid (removed, or not an API key)");
			return -1;
		}
	} else {
		char cookie[ACCOUNT_SECRET_LEN + 2];
		if (!req->cookie ||
		    !api_cookie_value(req->cookie, API_COOKIE, cookie, sizeof cookie)) {
			api_fail(c, 401, "sign in first (POST %s/session), or send an API key",
				 API_PREFIX);
			return -1;
		}
		rc = account_session_check(c->a->store, cookie, req->now, &c->who);
		explicit_bzero(cookie, sizeof cookie);
		if (rc == ACCOUNT_EDENIED || rc == ACCOUNT_EEXPIRED) {
			api_fail(c, 401, "%s; sign in again",
				 rc == ACCOUNT_EEXPIRED ? "your session has expired"
							: "you are signed out");
			api_clear_cookie(c);
			return -1;
		}
		c->by_cookie = true;
	}
	if (rc != 0) {
		log_error("api: checking credentials: %s", account_strerror(rc));
		api_fail(c, 500, "the server could not check your credentials; try again");
		return -1;
	}
	c->authed = true;
	return 0;
}

/* ======================================================================== */
/* Routing                                                                  */
/* ======================================================================== */

#define R_PUBLIC 1u /* no credentials needed */
#define R_ADMIN 2u  /* admins only */

/* A pattern is the path after /api/v1; '*' stands for one segment, which
 * the handler gets in c->arg. */
struct route {
	const char *method;
	const char *pattern;
	unsigned flags;
	void (*fn)(struct api_call *c);
};

static const struct route ROUTES[] = {
	{ "POST", "/session", R_PUBLIC, api_session_create },
	{ "DELETE", "/session", R_PUBLIC, api_session_delete },
	{ "GET", "/me", 0, api_me_get },
	{ "GET", "/scripts", 0, api_scripts_get },
	{ "GET", "/interviews", 0, api_interviews_list },
	{ "POST", "/interviews", 0, api_interviews_create },
	{ "GET", "/interviews/*", 0, api_interview_get },
	{ "DELETE", "/interviews/*", R_ADMIN, api_interview_erase },
	{ "GET", "/interviews/*/transcript.md", 0, api_interview_markdown },
	{ "POST", "/interviews/*/close", 0, api_interview_close },
	{ "POST", "/interviews/*/link", 0, api_interview_link },
	{ "GET", "/export.csv", 0, api_export_csv_get },
	{ "GET", "/export.jsonl", 0, api_export_jsonl_get },
	{ "GET", "/stats", 0, api_stats_get },
	{ "GET", "/users", R_ADMIN, api_users_list },
	{ "POST", "/users", R_ADMIN, api_users_add },
	{ "DELETE", "/users/*", R_ADMIN, api_users_remove },
	{ "GET", "/apikeys", R_ADMIN, api_apikeys_list },
	{ "POST", "/apikeys", R_ADMIN, api_apikeys_add },
	{ "DELETE", "/apikeys/*", R_ADMIN, api_apikeys_remove },
};
#define NROUTES (sizeof ROUTES / sizeof ROUTES[0])

/* Whether path (after the prefix) fits pattern; the '*' segment goes to arg. */
static bool match(const char *pattern, const char *path, char *arg, size_t arglen)
{
	while (*pattern && *path) {
		if (*pattern != '/' || *path != '/')
			return false;
		pattern++, path++;
		size_t plen = strcspn(pattern, "/"), len = strcspn(path, "/");
		if (len == 0)
			return false; /* an empty segment: "//" or a trailing "/" */
		if (plen == 1 && *pattern == '*') {
			if (len >= arglen)
				return false;
			memcpy(arg, path, len);
			arg[len] = '\0';
		} else if (plen != len || strncmp(pattern, path, len) != 0) {
			return false;
		}
		pattern += plen;
		path += len;
	}
	return !*pattern && !*path;
}

static bool changes_something(const char *method)
{
	return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
	       strcmp(method, "OPTIONS") != 0;
}

/* A "." or ".." segment: clients resolve those before sending, so one here
 * is someone probing. */
static bool dot_segment(const char *path)
{
	for (const char *p = strchr(path, '/'); p; p = strchr(p + 1, '/'))
		if ((p[1] == '.' && (p[2] == '/' || !p[2])) ||
		    (p[1] == '.' && p[2] == '.' && (p[3] == '/' || !p[3])))
			return true;
	return false;
}

static void route(struct api_call *c)
{
	const struct api_request *req = c->req;
	char decoded[PATH_MAX_LEN + 1];
	const char *path = decoded;
	size_t plen = strlen(API_PREFIX);
	if (req->body_too_large) {
		api_fail(c, 413, "the body is larger than %d KiB", API_MAX_BODY / 1024);
		return;
	}
	if (strlen(req->path) > PATH_MAX_LEN) {
		api_fail(c, 404, "no such endpoint; see README.md, HTTP API");
		return;
	}
	if (percent_decode(req->path, strlen(req->path), false, decoded, sizeof decoded) != 0 ||
	    dot_segment(decoded)) {
		api_fail(c, 400, "the path holds a bad %%-escape, a NUL or a dot segment");
		return;
	}
	if (strncmp(path, API_PREFIX, plen) != 0 || path[plen] != '/') {
		api_fail(c, 404, "no such endpoint; see README.md, HTTP API");
		return;
	}
	path += plen;
	const struct route *r = NULL;
	char *allow = c->res->allow;
	size_t alen = 0;
	for (size_t i = 0; i < NROUTES; i++) {
		if (!match(ROUTES[i].pattern, path, c->arg, sizeof c->arg))
			continue;
		if (strcmp(ROUTES[i].method, req->method) == 0)
			r = &ROUTES[i];
		alen += (size_t)snprintf(allow + alen, sizeof c->res->allow - alen, "%s%s",
					 alen ? ", " : "", ROUTES[i].method);
	}
	if (!alen) {
		api_fail(c, 404, "no such endpoint; see README.md, HTTP API");
		return;
	}
	if (!r) {
		api_fail(c, 405, "%s is not allowed here; use %s", req->method, allow);
		return;
	}
	allow[0] = '\0';
	if (!(r->flags & R_PUBLIC)) {
		if (authenticate(c) != 0)
			return;
		/* A browser sends the cookie along with a forged cross-site
		 * request, but never a forged Origin. Keys are not sent by
		 * browsers on their own, so they need none. */
		if (c->by_cookie && changes_something(req->method) && !api_same_origin(req)) {
			api_fail(c, 403, "Origin must be this server's own (%s)",
				 req->origin ? "it is another" : "it is missing");
			return;
		}
		if ((r->flags & R_ADMIN) && c->who.role != ACCOUNT_ROLE_ADMIN) {
			api_fail(c, 403, "only an admin may do this");
			return;
		}
	}
	r->fn(c);
}

/* The path as it may go into the log: printable ASCII, bounded. */
static void loggable(const char *path, char *out, size_t outlen)
{
	size_t o = 0;
	for (const char *p = path; *p && o + 4 < outlen; p++)
		out[o++] = *p > 0x20 && *p < 0x7f ? *p : '?';
	out[o] = '\0';
	if (strlen(path) > o)
		memcpy(out + o, "...", 4);
}

/* ======================================================================== */
/* The watch handshake                                                      */
/* ======================================================================== */

/* A watch's arguments into w; answers 400 naming the one at fault (404 for
 * an interview there is not) and returns -1. */
static int watch_args(struct api_call *c, struct api_watch *w)
{
	const char *query = c->req->query;
	char v[QUERY_VALUE_MAX];
	int has;
	if ((has = api_query_param(query, "all", v, sizeof v)) != 0) {
		if (has < 0 || strcmp(v, "1") != 0) {
			api_fail_field(c, 400, "all", "all must be 1 (every interview's status)");
			return -1;
		}
		w->all = true;
	}
	if ((has = api_query_param(query, "interview", v, sizeof v)) == 0 && !w->all) {
		api_fail_field(c, 400, "interview",
			       "interview= is required (or all=1): the id to watch");
		return -1;
	}
	if (has != 0 && w->all) {
		api_fail_field(c, 400, "interview", "give interview= or all=1, not both");
		return -1;
	}
	if (has < 0 || (has && !token_is_id(v))) {
		api_fail_field(c, 400, "interview",
			       "interview must be an interview id (16 hex characters)");
		return -1;
	}
	if (has)
		memcpy(w->interview_id, v, TOKEN_ID_LEN + 1); /* token_is_id: exactly that long */
	if ((has = api_query_param(query, "from", v, sizeof v)) != 0) {
		char *end = v;
		errno = 0;
		if (has > 0 && v[0] >= '0' && v[0] <= '9')
			w->from = strtoull(v, &end, 10);
		if (has < 0 || end == v || *end || errno) {
			api_fail_field(c, 400, "from", "from must be a seq: a whole number from 0");
			return -1;
		}
	}
	if (w->all)
		return 0;
	struct proto_interview iv = { 0 };
	memcpy(c->arg, w->interview_id, sizeof w->interview_id);
	int rc = api_interview_of(c, &iv);
	proto_interview_free(&iv);
	return rc;
}

int api_watch_check(struct api *a, const struct api_request *req, struct api_watch *w,
		    struct api_response *res)
{
	memset(res, 0, sizeof *res);
	memset(w, 0, sizeof *w);
	struct api_call c = { .a = a, .req = req, .res = res };
	int rc = -1;
	if (!req->method || strcmp(req->method, "GET") != 0) {
		snprintf(res->allow, sizeof res->allow, "GET");
		api_fail(&c, 405, "open the watch socket with a GET upgrade");
	} else if (authenticate(&c) != 0) {
		/* answered */
	} else if (c.by_cookie && !api_same_origin(req)) {
		/* The cookie comes along with a page of another site too; its
		 * Origin says where it runs (cross-site WebSocket hijacking). */
		api_fail(&c, 403, "Origin must be this server's own (%s)",
			 req->origin ? "it is another" : "it is missing");
	} else if (watch_args(&c, w) == 0) {
		snprintf(w->owner, sizeof w->owner, "%s%s", c.who.apikey ? "key:" : "", c.who.name);
		rc = 0;
	}
	log_info("api watch %s %d %s%s",
		 w->all               ? "all"
		 : w->interview_id[0] ? w->interview_id
				      : "-",
		 rc == 0 ? 101 : res->status, c.authed && c.who.apikey ? "key:" : "",
		 c.authed ? c.who.name : "-");
	return rc;
}

void api_handle(struct api *a, const struct api_request *req, struct api_response *res)
{
	memset(res, 0, sizeof *res);
	struct api_call c = { .a = a, .req = req, .res = res };
	static const struct api_request empty = { .method = "", .path = "" };
	if (!req->method || !req->path) {
		c.req = req = &empty;
		api_fail(&c, 400, "no method or path");
	} else {
		route(&c);
	}
	char path[160];
	loggable(req->path, path, sizeof path);
	log_info("api %.16s %s %d %s%s", req->method, path, res->status,
		 c.authed && c.who.apikey ? "key:" : "", c.authed ? c.who.name : "-");
}
