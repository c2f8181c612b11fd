/* api: the HTTP API under /api/v1. See api.h.
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

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "account.h"
#include "export.h"
#include "link.h"
#include "log.h"
#include "ops.h"
#include "page.h"
#include "proto.h"
#include "record.h"
#include "scriptdir.h"
#include "text.h"
#include "token.h"

#define PATH_MAX_LEN 512  /* longer paths are nobody's route */
#define HOST_MAX 255
#define QUERY_VALUE_MAX 256
#define JSON_TYPE "application/json; charset=utf-8"

_Static_assert(API_LIST_MAX == PAGE_MAX && API_LIST_DEFAULT == PAGE_DEFAULT,
	       "the API pages interviews as page does");
_Static_assert(API_WATCH_OWNER_MAX >= ACCOUNT_NAME_MAX + 4 &&
		       sizeof((struct api_watch *)0)->interview_id == TOKEN_ID_LEN + 1,
	       "a watch's owner and interview fit");

/* One request on its way through: the caller's request and response, who
 * asked, and the route's one path argument (an id, a name, a label). */
struct call {
	struct api *a;
	const struct api_request *req;
	struct api_response *res;
	struct account_principal who;
	bool authed;
	bool by_cookie;
	char arg[PATH_MAX_LEN + 1];
};

/* ======================================================================== */
/* Responses                                                                */
/* ======================================================================== */

/* A body that could not be built: a bare 500, never a crash. */
static void out_of_memory(struct api_response *res)
{
	free(res->body);
	res->body = NULL;
	res->len = 0;
	res->content_type = NULL;
	res->status = 500;
}

/* Takes json (new, may be NULL: out of memory) as the body. */
static void reply_json(struct call *c, int status, char *json)
{
	struct api_response *res = c->res;
	free(res->body);
	res->body = NULL;
	if (!json) {
		out_of_memory(res);
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

/* An error answer; field names the request field at fault (400 only). */
static void fail_field(struct call *c, int status, const char *field, const char *fmt, ...)
	LOG_PRINTF(4, 5);
static void fail_field(struct call *c, int status, const char *field, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	reply_json(c, status, proto_api_error(code_of(status), msg, field));
}

#define fail(c, status, ...) fail_field((c), (status), NULL, __VA_ARGS__)

/* Takes body (new, len bytes; NULL: out of memory) as a download of type
 * (a static string) saved as filename (no quote or control character). */
static void reply_file(struct call *c, const char *type, char *body, size_t len,
		       const char *filename)
{
	struct api_response *res = c->res;
	free(res->body);
	res->body = NULL;
	if (!body) {
		out_of_memory(res);
		return;
	}
	res->status = 200;
	res->body = body;
	res->len = len;
	res->content_type = type;
	snprintf(res->disposition, sizeof res->disposition, "attachment; filename=\"%.96s\"",
		 filename);
}

static void no_content(struct call *c)
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
static bool cookie_value(const char *header, const char *name, char *out, size_t outlen)
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
static void own_origin(const struct api_request *req, char *out, size_t outlen)
{
	if (host_ok(req->host))
		snprintf(out, outlen, "%s://%s", req->is_tls ? "https" : "http", req->host);
	else
		out[0] = '\0';
}

static bool same_origin(const struct api_request *req)
{
	char own[HOST_MAX + 16];
	own_origin(req, own, sizeof own);
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
static int query_param(const char *query, const char *name, char *out, size_t outlen)
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
static int body_fields(struct call *c, struct proto_api_field *fields, size_t n)
{
	const char *ct = c->req->content_type;
	if (ct && strncasecmp(ct, "application/json", 16) != 0) {
		fail_field(c, 400, "Content-Type", "send the body as application/json, not %.60s", ct);
		return -1;
	}
	char err[160];
	const char *field = NULL;
	int rc = proto_api_parse_fields(c->req->body, c->req->body_len, fields, n, err, sizeof err,
					&field);
	if (rc == PROTO_ENOMEM) {
		out_of_memory(c->res);
		return -1;
	}
	if (rc != 0) {
		fail_field(c, 400, field, "%s", err);
		return -1;
	}
	return 0;
}

/* ======================================================================== */
/* Who is asking                                                            */
/* ======================================================================== */

/* A cookie that clears ours: sent when a presented session is over. */
static void clear_cookie(struct call *c)
{
	snprintf(c->res->set_cookie, sizeof c->res->set_cookie,
		 "%s=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict%s", API_COOKIE,
		 c->req->is_tls ? "; Secure" : "");
}

/* Sets c->who from an API key (Authorization: Bearer) or else the session
 * cookie. Returns 0, or answers 401 (500 when the store fails) and returns
 * -1. A key in the header is never mistaken for a cookie and a candidate's
 * token is neither: account checks each secret's shape first. */
static int authenticate(struct call *c)
{
	const struct api_request *req = c->req;
	int rc;
	if (req->authorization) {
		const char *h = req->authorization;
		if (strncasecmp(h, "Bearer ", 7) != 0) {
			fail(c, 401, "send an API key as 'Authorization: Bearer KEY'");
			return -1;
		}
		h += 7;
		while (*h == ' ')
			h++;
		rc = account_apikey_check(c->a->store, h, &c->who);
		if (rc == ACCOUNT_EDENIED) {
			fail(c, 401, "that API key is not valid (removed, or not an API key)");
			return -1;
		}
	} else {
		char cookie[ACCOUNT_SECRET_LEN + 2];
		if (!req->cookie || !cookie_value(req->cookie, API_COOKIE, cookie, sizeof cookie)) {
			fail(c, 401, "sign in first (POST %s/session), or send an API key", API_PREFIX);
			return -1;
		}
		rc = account_session_check(c->a->store, cookie, req->now, &c->who);
		explicit_bzero(cookie, sizeof cookie);
		if (rc == ACCOUNT_EDENIED || rc == ACCOUNT_EEXPIRED) {
			fail(c, 401, "%s; sign in again",
			     rc == ACCOUNT_EEXPIRED ? "your session has expired" : "you are signed out");
			clear_cookie(c);
			return -1;
		}
		c->by_cookie = true;
	}
	if (rc != 0) {
		log_error("api: checking credentials: %s", account_strerror(rc));
		fail(c, 500, "the server could not check your credentials; try again");
		return -1;
	}
	c->authed = true;
	return 0;
}

/* ======================================================================== */
/* Session                                                                  */
/* ======================================================================== */

static void session_create(struct call *c)
{
	struct proto_api_field f[] = { { "name", NULL }, { "password", NULL } };
	char cookie[ACCOUNT_SECRET_LEN + 1];
	int64_t retry = 0;
	/* Not cookie-authenticated, but a browser never signs in from another
	 * site: refuse what one sends with a foreign Origin (login CSRF). */
	if (c->req->origin && !same_origin(c->req)) {
		fail(c, 403, "sign-in from another site is refused (Origin does not match)");
		return;
	}
	if (body_fields(c, f, 2) != 0)
		goto out;
	if (!f[0].value) {
		fail_field(c, 400, "name", "field 'name' is required");
		goto out;
	}
	if (!f[1].value) {
		fail_field(c, 400, "password", "field 'password' is required");
		goto out;
	}
	int rc = account_sign_in(c->a->store, f[0].value, f[1].value, strlen(f[1].value),
				 c->req->peer, c->req->now, cookie, &c->who, &retry);
	if (rc == ACCOUNT_EDENIED) {
		fail(c, 401, "wrong name or password");
	} else if (rc == ACCOUNT_ELIMITED) {
		c->res->retry_after = retry > 0 ? retry : 1;
		fail(c, 429, "too many failed sign-ins; try again in %lld seconds",
		     (long long)c->res->retry_after);
	} else if (rc != 0) {
		log_error("api: sign-in: %s", account_strerror(rc));
		fail(c, 500, "the server could not sign you in; try again");
	} else {
		c->authed = true;
		snprintf(c->res->set_cookie, sizeof c->res->set_cookie,
			 "%s=%s; Path=/; Max-Age=%lld; HttpOnly; SameSite=Strict%s", API_COOKIE,
			 cookie, (long long)(ACCOUNT_SESSION_MAX_MS / 1000),
			 c->req->is_tls ? "; Secure" : "");
		reply_json(c, 200,
			   proto_api_principal(c->who.name, account_role_name(c->who.role), false));
	}
	explicit_bzero(cookie, sizeof cookie);
out:
	proto_api_fields_free(f, 2);
}

/* Ends the session the cookie names, if any: signing out twice, or with an
 * expired cookie, is still a success. A cookie sign-out changes something,
 * so it needs the same Origin as any other. */
static void session_delete(struct call *c)
{
	char cookie[ACCOUNT_SECRET_LEN + 2];
	if (c->req->cookie && cookie_value(c->req->cookie, API_COOKIE, cookie, sizeof cookie)) {
		if (!same_origin(c->req)) {
			fail(c, 403, "Origin must be this server's own (%s)",
			     c->req->origin ? "it is another" : "it is missing");
			return;
		}
		/* Who it was, for the log line only. */
		c->authed = account_session_check(c->a->store, cookie, c->req->now, &c->who) == 0;
		int rc = account_sign_out(c->a->store, cookie);
		explicit_bzero(cookie, sizeof cookie);
		if (rc != 0) {
			log_error("api: sign-out: %s", account_strerror(rc));
			fail(c, 500, "the server could not sign you out; try again");
			return;
		}
	}
	clear_cookie(c);
	no_content(c);
}

static void me_get(struct call *c)
{
	reply_json(c, 200,
		   proto_api_principal(c->who.name, account_role_name(c->who.role), c->who.apikey));
}

/* ======================================================================== */
/* Scripts                                                                  */
/* ======================================================================== */

/* Every NAME.lua: its current source's hash, and whether it compiles, with
 * the error named as `interviewd new` and the engine name it. */
static void scripts_get(struct call *c)
{
	struct scriptdir_entry *es = NULL;
	struct proto_api_script *out = NULL;
	char (*hashes)[TOKEN_DIGEST_HEX + 1] = NULL;
	char (*errors)[640] = NULL;
	size_t n = 0;
	char err[512] = "";
	int rc = scriptdir_list(c->a->scripts_dir, &es, &n, err, sizeof err);
	if (rc == SCRIPTDIR_ENOTFOUND) {
		reply_json(c, 200, proto_api_scripts(NULL, 0)); /* none yet */
		return;
	}
	if (rc != 0) {
		log_error("api: scripts: %s", err[0] ? err : scriptdir_strerror(rc));
		fail(c, 500, "the server cannot read its scripts directory");
		return;
	}
	if (n && (!(out = calloc(n, sizeof *out)) || !(hashes = calloc(n, sizeof *hashes)) ||
		  !(errors = calloc(n, sizeof *errors)))) {
		out_of_memory(c->res);
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		out[i].name = es[i].name;
		if (es[i].rc == SCRIPTDIR_ENAME) {
			snprintf(errors[i], sizeof errors[i], "scripts/%s.lua: %s", es[i].name,
				 scriptdir_strerror(SCRIPTDIR_ENAME));
			out[i].error = errors[i];
			continue;
		}
		char *src = NULL, path[PATH_MAX], shown[sizeof es[i].name + 16];
		size_t len = 0;
		snprintf(path, sizeof path, "%s/%s.lua", c->a->scripts_dir, es[i].name);
		snprintf(shown, sizeof shown, "scripts/%s.lua", es[i].name);
		int r = scriptdir_read_file(path, shown, &src, &len, errors[i], sizeof errors[i]);
		if (r == 0) {
			token_digest_hex(src, len, hashes[i]);
			out[i].hash = hashes[i];
			r = scriptdir_compile(shown, src, len, errors[i], sizeof errors[i]);
		}
		free(src);
		if (r == SCRIPTDIR_ENOMEM) {
			out_of_memory(c->res);
			goto done;
		}
		out[i].ok = r == 0;
		out[i].error = r == 0 ? NULL : errors[i];
	}
	reply_json(c, 200, proto_api_scripts(out, n));
done:
	free(errors);
	free(hashes);
	free(out);
	free(es);
}

/* ======================================================================== */
/* Interviews                                                               */
/* ======================================================================== */

static void notify(struct call *c, enum api_change change, const struct proto_interview *iv)
{
	if (c->a->notify.changed)
		c->a->notify.changed(c->a->notify.ctx, change, iv);
}

/* Why a candidate's name cannot be used, or NULL: 1..API_CANDIDATE_MAX
 * characters of UTF-8 text without control characters. */
static const char *candidate_problem(const char *s)
{
	size_t len = strlen(s), chars = 0, blank = 0;
	if (!text_utf8_valid(s, len))
		return "is not valid UTF-8";
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch < 0x20 || ch == 0x7f)
			return "must not hold control characters (tabs, newlines, ...)";
		if (ch == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] < 0xa0)
			return "must not hold control characters (tabs, newlines, ...)";
		chars += (ch & 0xc0) != 0x80;
		blank += ch == ' ';
	}
	if (chars == 0 || blank == len)
		return "must not be empty";
	if (chars > API_CANDIDATE_MAX)
		return "is longer than 200 characters";
	return NULL;
}

static void interviews_create(struct call *c)
{
	struct proto_api_field f[] = { { "script", NULL }, { "candidate", NULL } };
	char *src = NULL, *json = NULL;
	size_t len = 0;
	char id[TOKEN_ID_LEN + 1], token[TOKEN_LEN + 1], err[1024] = "";
	if (body_fields(c, f, 2) != 0)
		goto out;
	const char *script = f[0].value, *cand = f[1].value, *why;
	if (!script) {
		fail_field(c, 400, "script", "field 'script' is required: the name of a script in the scripts directory");
		goto out;
	}
	if (!scriptdir_name_ok(script)) {
		fail_field(c, 400, "script", "field 'script' is not a script name (%s)",
			   scriptdir_strerror(SCRIPTDIR_ENAME));
		goto out;
	}
	if (!cand) {
		fail_field(c, 400, "candidate", "field 'candidate' is required: the candidate's name");
		goto out;
	}
	if ((why = candidate_problem(cand))) {
		fail_field(c, 400, "candidate", "field 'candidate' %s", why);
		goto out;
	}
	int rc = scriptdir_load(c->a->scripts_dir, script, &src, &len, err, sizeof err);
	if (rc == SCRIPTDIR_ENOTFOUND) {
		fail_field(c, 400, "script", "there is no script '%s' in the scripts directory", script);
		goto out;
	}
	if (rc == SCRIPTDIR_ECOMPILE || rc == SCRIPTDIR_ETOOLARGE) {
		fail_field(c, 400, "script", "%s", err[0] ? err : scriptdir_strerror(rc));
		goto out;
	}
	if (rc == 0)
		rc = record_create_interview(c->a->store, script, src, len, cand, id, token, err,
					     sizeof err);
	if (rc != 0) {
		log_error("api: creating an interview of %s: %s", script,
			  err[0] ? err : rc <= -700 ? scriptdir_strerror(rc) : record_strerror(rc));
		fail(c, 500, "the server could not create the interview; try again");
		goto out;
	}
	struct link l;
	char origin[HOST_MAX + 16];
	own_origin(c->req, origin, sizeof origin);
	link_candidate(origin, id, token, &l); /* fits: the origin is bounded */
	json = proto_api_created(id, script, cand, token, l.url, l.ws_url);
	explicit_bzero(token, sizeof token);
	explicit_bzero(&l, sizeof l);
	log_info("api: interview %s created (script %s) by %s", id, script, c->who.name);
	struct proto_interview iv = { 0 };
	if (record_get_interview(c->a->store, id, &iv) == 0)
		notify(c, API_CHANGE_CREATED, &iv);
	proto_interview_free(&iv);
	reply_json(c, 201, json);
out:
	free(src);
	proto_api_fields_free(f, 2);
}

/* A page of interviews, newest first: the arguments are checked here so
 * each refusal names its field, then record pages through the store. */
static void interviews_list(struct call *c)
{
	const char *query = c->req->query;
	char status[QUERY_VALUE_MAX], script[QUERY_VALUE_MAX], q[QUERY_VALUE_MAX],
		limit_s[QUERY_VALUE_MAX], cursor[QUERY_VALUE_MAX], next[PAGE_CURSOR_LEN + 1];
	struct page_query pq = { .limit = API_LIST_DEFAULT };
	struct proto_interview *ivs = NULL;
	enum proto_status st;
	size_t n = 0;
	int has;

	if ((has = query_param(query, "status", status, sizeof status)) < 0 ||
	    (has && proto_status_parse(status, &st) != 0)) {
		fail_field(c, 400, "status", "status must be one of new, active, finished, closed");
		return;
	}
	pq.status = has ? status : NULL;
	if ((has = query_param(query, "script", script, sizeof script)) < 0 ||
	    (has && !scriptdir_name_ok(script))) {
		fail_field(c, 400, "script", "script must be a script name (%s)",
			   scriptdir_strerror(SCRIPTDIR_ENAME));
		return;
	}
	pq.script = has ? script : NULL;
	if ((has = query_param(query, "q", q, sizeof q)) < 0 ||
	    (has && !text_utf8_valid(q, strlen(q)))) {
		fail_field(c, 400, "q", "q must be UTF-8 text of at most %d bytes",
			   QUERY_VALUE_MAX - 1);
		return;
	}
	pq.q = has ? q : NULL;
	if ((has = query_param(query, "limit", limit_s, sizeof limit_s)) != 0) {
		char *end = limit_s;
		long limit = 0;
		errno = 0;
		if (has > 0)
			limit = strtol(limit_s, &end, 10);
		if (has < 0 || end == limit_s || *end || errno || limit < 1 ||
		    limit > API_LIST_MAX) {
			fail_field(c, 400, "limit", "limit must be a number from 1 to %d",
				   API_LIST_MAX);
			return;
		}
		pq.limit = (size_t)limit;
	}
	if ((has = query_param(query, "cursor", cursor, sizeof cursor)) < 0) {
		fail_field(c, 400, "cursor", "cursor must be a next_cursor this API returned");
		return;
	}
	pq.cursor = has ? cursor : NULL;

	int rc = page_list_interviews(c->a->store, &pq, &ivs, &n, next);
	if (rc == RECORD_ECURSOR) {
		fail_field(c, 400, "cursor", "cursor must be a next_cursor this API returned");
	} else if (rc != 0) {
		log_error("api: listing interviews: %s", record_strerror(rc));
		fail(c, 500, "the server could not read the interviews; try again");
	} else {
		reply_json(c, 200, proto_api_interviews(ivs, n, next[0] ? next : NULL));
	}
	record_interviews_free(ivs, n);
}

/* Reads the interview named by the path into iv; answers 404 (or 500) and
 * returns -1 when there is none. */
static int interview_of(struct call *c, struct proto_interview *iv)
{
	int rc = token_is_id(c->arg) ? record_get_interview(c->a->store, c->arg, iv)
				     : STORE_ENOTFOUND;
	if (rc == STORE_ENOTFOUND) {
		fail(c, 404, "there is no interview %.40s", c->arg);
		return -1;
	}
	if (rc != 0) {
		log_error("api: reading interview %s: %s", c->arg, record_strerror(rc));
		fail(c, 500, "the server could not read the interview; try again");
		return -1;
	}
	return 0;
}

static void interview_get(struct call *c)
{
	struct proto_interview iv = { 0 };
	struct proto_turn *turns = NULL;
	size_t n = 0;
	if (interview_of(c, &iv) != 0)
		return;
	int rc = record_get_transcript(c->a->store, iv.id, &turns, &n);
	if (rc != 0) {
		log_error("api: reading the transcript of %s: %s", iv.id, record_strerror(rc));
		fail(c, 500, "the server could not read the transcript; try again");
	} else {
		reply_json(c, 200, proto_api_interview(&iv, turns, n));
	}
	record_transcript_free(turns, n);
	proto_interview_free(&iv);
}

/* ======================================================================== */
/* Users and API keys (admin)                                               */
/* ======================================================================== */

static void users_list(struct call *c)
{
	struct proto_user *users = NULL;
	size_t n = 0;
	int rc = account_user_list(c->a->store, &users, &n);
	if (rc != 0) {
		log_error("api: listing users: %s", account_strerror(rc));
		fail(c, 500, "the server could not read the users; try again");
		return;
	}
	reply_json(c, 200, proto_cli_users(users, n));
	account_users_free(users, n);
}

/* Parses an optional role field; answers 400 and returns -1 when bad. */
static int role_of(struct call *c, const char *s, enum account_role *role)
{
	*role = ACCOUNT_ROLE_INTERVIEWER;
	if (s && account_role_parse(s, role) != 0) {
		fail_field(c, 400, "role", "field 'role' must be \"admin\" or \"interviewer\"");
		return -1;
	}
	return 0;
}

static void users_add(struct call *c)
{
	struct proto_api_field f[] = { { "name", NULL }, { "role", NULL }, { "password", NULL } };
	enum account_role role;
	char generated[ACCOUNT_PASSWORD_GEN + 1] = "";
	if (body_fields(c, f, 3) != 0 || role_of(c, f[1].value, &role) != 0)
		goto out;
	if (!f[0].value || !account_name_valid(f[0].value)) {
		fail_field(c, 400, "name", "field 'name' must be 1 to %d of A-Z a-z 0-9 . _ @ -",
			   ACCOUNT_NAME_MAX);
		goto out;
	}
	const char *pw = f[2].value;
	if (!pw) {
		token_random_text(generated, ACCOUNT_PASSWORD_GEN);
		pw = generated;
	}
	int rc = account_user_add(c->a->store, f[0].value, role, pw, strlen(pw), c->req->now);
	if (rc == ACCOUNT_EPASSWORD)
		fail_field(c, 400, "password", "field 'password' must be %d to %d bytes",
			   ACCOUNT_PASSWORD_MIN, ACCOUNT_PASSWORD_MAX);
	else if (rc == ACCOUNT_EEXISTS)
		fail(c, 409, "there is already a user named %s", f[0].value);
	else if (rc != 0)
		fail(c, 500, "the server could not add the user: %s", account_strerror(rc));
	else
		reply_json(c, 201, proto_cli_user_added(f[0].value, account_role_name(role),
							generated[0] ? generated : NULL));
	if (rc == 0)
		log_info("api: user %s (%s) added by %s", f[0].value, account_role_name(role),
			 c->who.name);
out:
	explicit_bzero(generated, sizeof generated);
	proto_api_fields_free(f, 3);
}

/* Whether name is the only admin left: removing it would leave nobody who
 * can manage the team from the browser. */
static int last_admin(struct store *st, const char *name, bool *last)
{
	struct proto_user *users = NULL;
	size_t n = 0, admins = 0;
	bool target = false;
	int rc = account_user_list(st, &users, &n);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (strcmp(users[i].role, "admin") != 0)
			continue;
		admins++;
		target |= strcmp(users[i].name, name) == 0;
	}
	*last = target && admins == 1;
	account_users_free(users, n);
	return rc;
}

static void users_remove(struct call *c)
{
	bool last = false;
	int rc = account_name_valid(c->arg) ? last_admin(c->a->store, c->arg, &last)
					    : ACCOUNT_ENOTFOUND;
	if (rc == 0 && last) {
		fail(c, 409, "%s is the last admin; make another admin first", c->arg);
		return;
	}
	if (rc == 0)
		rc = account_user_remove(c->a->store, c->arg);
	if (rc == ACCOUNT_ENOTFOUND) {
		fail(c, 404, "there is no user %.64s", c->arg);
	} else if (rc != 0) {
		fail(c, 500, "the server could not remove the user: %s", account_strerror(rc));
	} else {
		log_info("api: user %s removed by %s", c->arg, c->who.name);
		no_content(c);
	}
}

static void apikeys_list(struct call *c)
{
	struct proto_apikey *keys = NULL;
	size_t n = 0;
	int rc = account_apikey_list(c->a->store, &keys, &n);
	if (rc != 0) {
		log_error("api: listing API keys: %s", account_strerror(rc));
		fail(c, 500, "the server could not read the API keys; try again");
		return;
	}
	reply_json(c, 200, proto_cli_apikeys(keys, n));
	account_apikeys_free(keys, n);
}

static void apikeys_add(struct call *c)
{
	struct proto_api_field f[] = { { "label", NULL }, { "role", NULL } };
	enum account_role role;
	char key[ACCOUNT_SECRET_LEN + 1] = "";
	if (body_fields(c, f, 2) != 0 || role_of(c, f[1].value, &role) != 0)
		goto out;
	if (!f[0].value || !account_name_valid(f[0].value)) {
		fail_field(c, 400, "label", "field 'label' must be 1 to %d of A-Z a-z 0-9 . _ @ -",
			   ACCOUNT_NAME_MAX);
		goto out;
	}
	int rc = account_apikey_add(c->a->store, f[0].value, role, c->req->now, key);
	if (rc == ACCOUNT_EEXISTS) {
		fail(c, 409, "there is already an API key labelled %s", f[0].value);
	} else if (rc != 0) {
		fail(c, 500, "the server could not add the key: %s", account_strerror(rc));
	} else {
		log_info("api: API key %s (%s) added by %s", f[0].value, account_role_name(role),
			 c->who.name);
		reply_json(c, 201, proto_cli_apikey_added(f[0].value, account_role_name(role), key));
	}
out:
	explicit_bzero(key, sizeof key);
	proto_api_fields_free(f, 2);
}

static void apikeys_remove(struct call *c)
{
	int rc = account_name_valid(c->arg) ? account_apikey_remove(c->a->store, c->arg)
					    : ACCOUNT_ENOTFOUND;
	if (rc == ACCOUNT_ENOTFOUND) {
		fail(c, 404, "there is no API key labelled %.64s", c->arg);
	} else if (rc != 0) {
		fail(c, 500, "the server could not remove the key: %s", account_strerror(rc));
	} else {
		log_info("api: API key %s removed by %s", c->arg, c->who.name);
		no_content(c);
	}
}

/* ======================================================================== */
/* One interview's operations, exports and statistics                       */
/* ======================================================================== */

static void interview_markdown(struct call *c)
{
	char *md = NULL, name[TOKEN_ID_LEN + 32];
	size_t len = 0;
	int rc = token_is_id(c->arg) ? export_transcript(c->a->store, c->arg, &md, &len)
				     : STORE_ENOTFOUND;
	if (rc == STORE_ENOTFOUND) {
		fail(c, 404, "there is no interview %.40s", c->arg);
	} else if (rc != 0) {
		log_error("api: the transcript of %s as Markdown: %s", c->arg, record_strerror(rc));
		fail(c, 500, "the server could not make the transcript; try again");
	} else {
		snprintf(name, sizeof name, "interview-%.*s.md", TOKEN_ID_LEN, c->arg);
		reply_file(c, "text/markdown; charset=utf-8", md, len, name);
		md = NULL;
	}
	free(md);
}

static void interview_close(struct call *c)
{
	struct proto_interview iv = { 0 };
	char err[512] = "";
	int rc = token_is_id(c->arg) ? ops_close_interview(c->a->store, c->arg, &iv, err,
							    sizeof err)
				     : STORE_ENOTFOUND;
	if (rc == STORE_ENOTFOUND) {
		fail(c, 404, "there is no interview %.40s", c->arg);
	} else if (rc == RECORD_EFINISHED || rc == RECORD_ECLOSED) {
		fail(c, 409, "interview %s %s", c->arg,
		     rc == RECORD_EFINISHED ? "has finished already" : "was closed already");
	} else if (rc != 0) {
		log_error("api: closing %s: %s", c->arg, err[0] ? err : record_strerror(rc));
		fail(c, 500, "the server could not close the interview; try again");
	} else {
		log_info("api: interview %s closed by %s", iv.id, c->who.name);
		notify(c, API_CHANGE_CLOSED, &iv);
		reply_json(c, 200, proto_api_interview_item(&iv));
	}
	proto_interview_free(&iv);
}

/* A new link on the request's own origin; the old tokens are deleted in the
 * same batch, and connections opened with them are ended by the notifier
 * before the new link is handed out. */
static void interview_link(struct call *c)
{
	struct proto_interview iv = { 0 };
	char token[TOKEN_LEN + 1], err[512] = "", origin[HOST_MAX + 16];
	struct link l;
	int rc = token_is_id(c->arg) ? ops_relink_interview(c->a->store, c->arg, token, err,
							     sizeof err)
				     : STORE_ENOTFOUND;
	if (rc == STORE_ENOTFOUND) {
		fail(c, 404, "there is no interview %.40s", c->arg);
		return;
	}
	if (rc != 0) {
		log_error("api: a new link for %s: %s", c->arg, err[0] ? err : record_strerror(rc));
		fail(c, 500, "the server could not make a new link; try again");
		return;
	}
	/* The names are for the answer; the link is made whether or not they read. */
	struct proto_interview bare = { .id = c->arg };
	const struct proto_interview *now = &bare;
	if (record_get_interview(c->a->store, c->arg, &iv) == 0)
		now = &iv;
	log_info("api: interview %s has a new link, made by %s", c->arg, c->who.name);
	notify(c, API_CHANGE_RELINKED, now);
	own_origin(c->req, origin, sizeof origin);
	link_candidate(origin, c->arg, token, &l);
	reply_json(c, 200, proto_api_created(c->arg, now->script ? now->script : "",
					     now->candidate ? now->candidate : "", token, l.url,
					     l.ws_url));
	explicit_bzero(token, sizeof token);
	explicit_bzero(&l, sizeof l);
	proto_interview_free(&iv);
}

static void interview_erase(struct call *c)
{
	struct proto_interview iv = { 0 };
	char err[512] = "";
	if (interview_of(c, &iv) != 0)
		return;
	int rc = ops_erase_interview(c->a->store, iv.id, err, sizeof err);
	if (rc == STORE_ENOTFOUND) {
		fail(c, 404, "there is no interview %.40s", c->arg);
	} else if (rc != 0) {
		log_error("api: erasing %s: %s", iv.id, err[0] ? err : record_strerror(rc));
		fail(c, 500, "the server could not erase the interview; try again");
	} else {
		log_info("api: interview %s erased by %s", iv.id, c->who.name);
		notify(c, API_CHANGE_ERASED, &iv);
		no_content(c);
	}
	proto_interview_free(&iv);
}

/* The script= argument every export and summary needs, into script; answers
 * 400 naming it and returns -1 when it is missing or no script name. */
static int script_arg(struct call *c, char *script, size_t len)
{
	int has = query_param(c->req->query, "script", script, len);
	if (has == 0) {
		fail_field(c, 400, "script", "script= is required: the name of the script whose interviews to use");
		return -1;
	}
	if (has < 0 || !scriptdir_name_ok(script)) {
		fail_field(c, 400, "script", "script must be a script name (%s)",
			   scriptdir_strerror(SCRIPTDIR_ENAME));
		return -1;
	}
	return 0;
}

static void export_as(struct call *c, enum export_format fmt)
{
	char script[QUERY_VALUE_MAX], name[SCRIPTDIR_NAME_MAX + 8];
	char *out = NULL;
	size_t len = 0;
	if (script_arg(c, script, sizeof script) != 0)
		return;
	int rc = export_script(c->a->store, script, fmt, &out, &len);
	if (rc != 0) {
		log_error("api: exporting %s: %s", script, record_strerror(rc));
		fail(c, 500, "the server could not export the interviews; try again");
		return;
	}
	snprintf(name, sizeof name, "%.*s.%s", SCRIPTDIR_NAME_MAX, script,
		 fmt == EXPORT_CSV ? "csv" : "jsonl");
	reply_file(c, fmt == EXPORT_CSV ? "text/csv; charset=utf-8" : "application/x-ndjson", out,
		   len, name);
}

static void export_csv_get(struct call *c) { export_as(c, EXPORT_CSV); }
static void export_jsonl_get(struct call *c) { export_as(c, EXPORT_JSONL); }

static void stats_get(struct call *c)
{
	char script[QUERY_VALUE_MAX];
	struct proto_stats stats;
	if (script_arg(c, script, sizeof script) != 0)
		return;
	int rc = export_stats(c->a->store, script, &stats);
	if (rc != 0) {
		log_error("api: statistics of %s: %s", script, record_strerror(rc));
		fail(c, 500, "the server could not read the interviews; try again");
		return;
	}
	reply_json(c, 200, proto_cli_stats(script, &stats));
	proto_stats_free(&stats);
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
	void (*fn)(struct call *c);
};

static const struct route ROUTES[] = {
	{ "POST", "/session", R_PUBLIC, session_create },
	{ "DELETE", "/session", R_PUBLIC, session_delete },
	{ "GET", "/me", 0, me_get },
	{ "GET", "/scripts", 0, scripts_get },
	{ "GET", "/interviews", 0, interviews_list },
	{ "POST", "/interviews", 0, interviews_create },
	{ "GET", "/interviews/*", 0, interview_get },
	{ "DELETE", "/interviews/*", R_ADMIN, interview_erase },
	{ "GET", "/interviews/*/transcript.md", 0, interview_markdown },
	{ "POST", "/interviews/*/close", 0, interview_close },
	{ "POST", "/interviews/*/link", 0, interview_link },
	{ "GET", "/export.csv", 0, export_csv_get },
	{ "GET", "/export.jsonl", 0, export_jsonl_get },
	{ "GET", "/stats", 0, stats_get },
	{ "GET", "/users", R_ADMIN, users_list },
	{ "POST", "/users", R_ADMIN, users_add },
	{ "DELETE", "/users/*", R_ADMIN, users_remove },
	{ "GET", "/apikeys", R_ADMIN, apikeys_list },
	{ "POST", "/apikeys", R_ADMIN, apikeys_add },
	{ "DELETE", "/apikeys/*", R_ADMIN, apikeys_remove },
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

static void route(struct call *c)
{
	const struct api_request *req = c->req;
	char decoded[PATH_MAX_LEN + 1];
	const char *path = decoded;
	size_t plen = strlen(API_PREFIX);
	if (req->body_too_large) {
		fail(c, 413, "the body is larger than %d KiB", API_MAX_BODY / 1024);
		return;
	}
	if (strlen(req->path) > PATH_MAX_LEN) {
		fail(c, 404, "no such endpoint; see README.md, HTTP API");
		return;
	}
	if (percent_decode(req->path, strlen(req->path), false, decoded, sizeof decoded) != 0 ||
	    dot_segment(decoded)) {
		fail(c, 400, "the path holds a bad %%-escape, a NUL or a dot segment");
		return;
	}
	if (strncmp(path, API_PREFIX, plen) != 0 || path[plen] != '/') {
		fail(c, 404, "no such endpoint; see README.md, HTTP API");
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
		fail(c, 404, "no such endpoint; see README.md, HTTP API");
		return;
	}
	if (!r) {
		fail(c, 405, "%s is not allowed here; use %s", req->method, allow);
		return;
	}
	allow[0] = '\0';
	if (!(r->flags & R_PUBLIC)) {
		if (authenticate(c) != 0)
			return;
		/* A browser sends the cookie along with a forged cross-site
		 * request, but never a forged Origin. Keys are not sent by
		 * browsers on their own, so they need none. */
		if (c->by_cookie && changes_something(req->method) && !same_origin(req)) {
			fail(c, 403, "Origin must be this server's own (%s)",
			     req->origin ? "it is another" : "it is missing");
			return;
		}
		if ((r->flags & R_ADMIN) && c->who.role != ACCOUNT_ROLE_ADMIN) {
			fail(c, 403, "only an admin may do this");
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
static int watch_args(struct call *c, struct api_watch *w)
{
	const char *query = c->req->query;
	char v[QUERY_VALUE_MAX];
	int has;
	if ((has = query_param(query, "all", v, sizeof v)) != 0) {
		if (has < 0 || strcmp(v, "1") != 0) {
			fail_field(c, 400, "all", "all must be 1 (every interview's status)");
			return -1;
		}
		w->all = true;
	}
	if ((has = query_param(query, "interview", v, sizeof v)) == 0 && !w->all) {
		fail_field(c, 400, "interview",
			   "interview= is required (or all=1): the id to watch");
		return -1;
	}
	if (has != 0 && w->all) {
		fail_field(c, 400, "interview", "give interview= or all=1, not both");
		return -1;
	}
	if (has < 0 || (has && !token_is_id(v))) {
		fail_field(c, 400, "interview",
			   "interview must be an interview id (16 hex characters)");
		return -1;
	}
	if (has)
		memcpy(w->interview_id, v, TOKEN_ID_LEN + 1); /* token_is_id: exactly that long */
	if ((has = query_param(query, "from", v, sizeof v)) != 0) {
		char *end = v;
		errno = 0;
		if (has > 0 && v[0] >= '0' && v[0] <= '9')
			w->from = strtoull(v, &end, 10);
		if (has < 0 || end == v || *end || errno) {
			fail_field(c, 400, "from", "from must be a seq: a whole number from 0");
			return -1;
		}
	}
	if (w->all)
		return 0;
	struct proto_interview iv = { 0 };
	memcpy(c->arg, w->interview_id, sizeof w->interview_id);
	int rc = interview_of(c, &iv);
	proto_interview_free(&iv);
	return rc;
}

int api_watch_check(struct api *a, const struct api_request *req, struct api_watch *w,
		    struct api_response *res)
{
	memset(res, 0, sizeof *res);
	memset(w, 0, sizeof *w);
	struct call c = { .a = a, .req = req, .res = res };
	int rc = -1;
	if (!req->method || strcmp(req->method, "GET") != 0) {
		snprintf(res->allow, sizeof res->allow, "GET");
		fail(&c, 405, "open the watch socket with a GET upgrade");
	} else if (authenticate(&c) != 0) {
		/* answered */
	} else if (c.by_cookie && !same_origin(req)) {
		/* The cookie comes along with a page of another site too; its
		 * Origin says where it runs (cross-site WebSocket hijacking). */
		fail(&c, 403, "Origin must be this server's own (%s)",
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
	struct call c = { .a = a, .req = req, .res = res };
	static const struct api_request empty = { .method = "", .path = "" };
	if (!req->method || !req->path) {
		c.req = req = &empty;
		fail(&c, 400, "no method or path");
	} else {
		route(&c);
	}
	char path[160];
	loggable(req->path, path, sizeof path);
	log_info("api %.16s %s %d %s%s", req->method, path, res->status,
		 c.authed && c.who.apikey ? "key:" : "", c.authed ? c.who.name : "-");
}
