/* api_internal: what the files of the api module share, and nothing else
 * includes. api.c holds the core (answers, reading the request, who is
 * asking, routing, the watch handshake) and the route table; the handlers it
 * names live by resource in api_interviews.c and api_team.c. A handler
 * answers through c->res and returns nothing: every refusal has already been
 * written there by api_fail and the like. */
#ifndef INTERVIEWD_API_INTERNAL_H
#define INTERVIEWD_API_INTERNAL_H

#include "api.h"

#include "account.h"
#include "log.h"
#include "proto.h"

#include <stdbool.h>
#include <stddef.h>

#define PATH_MAX_LEN 512 /* longer paths are nobody's route */
#define HOST_MAX 255
#define QUERY_VALUE_MAX 256

/* One request on its way through: the caller's request and response, who
 * asked, and the route's one path argument (an id, a name, a label). */
struct api_call {
	struct api *a;
	const struct api_request *req;
	struct api_response *res;
	struct account_principal who;
	bool authed;
	bool by_cookie;
	char arg[PATH_MAX_LEN + 1];
};

/* --- answers (api.c) ----------------------------------------------------- */

/* A body that could not be built: a bare 500, never a crash. */
void api_out_of_memory(struct api_response *res);
/* Takes json (new, may be NULL: out of memory) as the body. */
void api_reply_json(struct api_call *c, int status, char *json);
/* An error answer; field names the request field at fault (400 only). */
void api_fail_field(struct api_call *c, int status, const char *field, const char *fmt, ...)
	LOG_PRINTF(4, 5);
#define api_fail(c, status, ...) api_fail_field((c), (status), NULL, __VA_ARGS__)
/* Takes body (new, len bytes; NULL: out of memory) as a download of type
 * (a static string) saved as filename (no quote or control character). */
void api_reply_file(struct api_call *c, const char *type, char *body, size_t len,
		    const char *filename);
/* 204, no body. */
void api_no_content(struct api_call *c);

/* --- the request (api.c) ------------------------------------------------- */

/* The value of the cookie named name in a Cookie header, copied into out
 * ("" when it does not fit); false when there is none. */
bool api_cookie_value(const char *header, const char *name, char *out, size_t outlen);
/* "http://HOST" or "https://HOST" into out (HOST_MAX + 16 bytes suffice);
 * "" when the Host header is unusable. */
void api_own_origin(const struct api_request *req, char *out, size_t outlen);
/* Whether the request's Origin is this server's own. */
bool api_same_origin(const struct api_request *req);
/* Finds name=VALUE in the query (the first one) and decodes it into out.
 * Returns 1 found, 0 absent, -1 malformed (a bad escape, a NUL, too long). */
int api_query_param(const char *query, const char *name, char *out, size_t outlen);
/* The body's fields (free with proto_api_fields_free, also on failure); on a
 * problem answers 400 naming the field and returns -1. */
int api_body_fields(struct api_call *c, struct proto_api_field *fields, size_t n);
/* A cookie that clears ours: sent when a presented session is over. */
void api_clear_cookie(struct api_call *c);

/* --- handlers: api_interviews.c ------------------------------------------ */

/* Reads the interview named by c->arg into iv (free with
 * proto_interview_free); answers 404 (or 500) and returns -1 when there is
 * none. */
int api_interview_of(struct api_call *c, struct proto_interview *iv);

void api_scripts_get(struct api_call *c);
void api_interviews_list(struct api_call *c);
void api_interviews_create(struct api_call *c);
void api_interview_get(struct api_call *c);
void api_interview_erase(struct api_call *c);
void api_interview_markdown(struct api_call *c);
void api_interview_close(struct api_call *c);
void api_interview_link(struct api_call *c);
void api_export_csv_get(struct api_call *c);
void api_export_jsonl_get(struct api_call *c);
void api_stats_get(struct api_call *c);

/* --- handlers: api_team.c ------------------------------------------------ */

void api_session_create(struct api_call *c);
void api_session_delete(struct api_call *c);
void api_me_get(struct api_call *c);
void api_users_list(struct api_call *c);
void api_users_add(struct api_call *c);
void api_users_remove(struct api_call *c);
void api_apikeys_list(struct api_call *c);
void api_apikeys_add(struct api_call *c);
void api_apikeys_remove(struct api_call *c);

#endif
