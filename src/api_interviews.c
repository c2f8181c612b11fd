/* api_interviews: the HTTP API's handlers for scripts and interviews. Part of
 * the api module (see api.c, which routes to them and has already checked who
 * is asking and their role): the scripts directory, creating, listing and
 * reading interviews, one interview's operations (Markdown transcript, close,
 * a new link, erase), exports and statistics. Each checks its own arguments,
 * answering 400 with the field at fault, and tells the transport through
 * a->notify of a change open connections must follow. */
#include "api.h"
#include "api_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* ======================================================================== */
/* Scripts                                                                  */
/* ======================================================================== */

/* Every NAME.lua: its current source's hash, and whether it compiles, with
 * the error named as `interviewd new` and the engine name it. */
void api_scripts_get(struct api_call *c)
{
	struct scriptdir_entry *es = NULL;
	struct proto_api_script *out = NULL;
	char (*hashes)[TOKEN_DIGEST_HEX + 1] = NULL;
	char (*errors)[640] = NULL;
	size_t n = 0;
	char err[512] = "";
	int rc = scriptdir_list(c->a->scripts_dir, &es, &n, err, sizeof err);
	if (rc == SCRIPTDIR_ENOTFOUND) {
		api_reply_json(c, 200, proto_api_scripts(NULL, 0)); /* none yet */
		return;
	}
	if (rc != 0) {
		log_error("api: scripts: %s", err[0] ? err : scriptdir_strerror(rc));
		api_fail(c, 500, "the server cannot read its scripts directory");
		return;
	}
	if (n && (!(out = calloc(n, sizeof *out)) || !(hashes = calloc(n, sizeof *hashes)) ||
		  !(errors = calloc(n, sizeof *errors)))) {
		api_out_of_memory(c->res);
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
			api_out_of_memory(c->res);
			goto done;
		}
		out[i].ok = r == 0;
		out[i].error = r == 0 ? NULL : errors[i];
	}
	api_reply_json(c, 200, proto_api_scripts(out, n));
done:
	free(errors);
	free(hashes);
	free(out);
	free(es);
}

/* ======================================================================== */
/* Interviews                                                               */
/* ======================================================================== */

static void notify(struct api_call *c, enum api_change change, const struct proto_interview *iv)
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

void api_interviews_create(struct api_call *c)
{
	struct proto_api_field f[] = { { "script", NULL }, { "candidate", NULL } };
	char *src = NULL, *json = NULL;
	size_t len = 0;
	char id[TOKEN_ID_LEN + 1], token[TOKEN_LEN + 1], err[1024] = "";
	if (api_body_fields(c, f, 2) != 0)
		goto out;
	const char *script = f[0].value, *cand = f[1].value, *why;
	if (!script) {
		api_fail_field(c, 400, "script", "field 'script' is required: the name of a script in the scripts directory");
		goto out;
	}
	if (!scriptdir_name_ok(script)) {
		api_fail_field(c, 400, "script", "field 'script' is not a script name (%s)",
			       scriptdir_strerror(SCRIPTDIR_ENAME));
		goto out;
	}
	if (!cand) {
		api_fail_field(c, 400, "candidate",
			       "field 'candidate' is required: the candidate's name");
		goto out;
	}
	if ((why = candidate_problem(cand))) {
		api_fail_field(c, 400, "candidate", "field 'candidate' %s", why);
		goto out;
	}
	int rc = scriptdir_load(c->a->scripts_dir, script, &src, &len, err, sizeof err);
	if (rc == SCRIPTDIR_ENOTFOUND) {
		api_fail_field(c, 400, "script", "there is no script '%s' in the scripts directory",
			       script);
		goto out;
	}
	if (rc == SCRIPTDIR_ECOMPILE || rc == SCRIPTDIR_ETOOLARGE) {
		api_fail_field(c, 400, "script", "%s", err[0] ? err : scriptdir_strerror(rc));
		goto out;
	}
	if (rc == 0)
		rc = record_create_interview(c->a->store, script, src, len, cand, id, token, err,
					     sizeof err);
	if (rc != 0) {
		log_error("api: creating an interview of %s: %s", script,
			  err[0] ? err : rc <= -700 ? scriptdir_strerror(rc) : record_strerror(rc));
		api_fail(c, 500, "the server could not create the interview; try again");
		goto out;
	}
	struct link l;
	char origin[HOST_MAX + 16];
	api_own_origin(c->req, origin, sizeof origin);
	link_candidate(origin, id, token, &l); /* fits: the origin is bounded */
	json = proto_api_created(id, script, cand, token, l.url, l.ws_url);
	explicit_bzero(token, sizeof token);
	explicit_bzero(&l, sizeof l);
	log_info("api: interview %s created (script %s) by %s", id, script, c->who.name);
	struct proto_interview iv = { 0 };
	if (record_get_interview(c->a->store, id, &iv) == 0)
		notify(c, API_CHANGE_CREATED, &iv);
	proto_interview_free(&iv);
	api_reply_json(c, 201, json);
out:
	free(src);
	proto_api_fields_free(f, 2);
}

/* A page of interviews, newest first: the arguments are checked here so
 * each refusal names its field, then record pages through the store. */
void api_interviews_list(struct api_call *c)
{
	const char *query = c->req->query;
	char status[QUERY_VALUE_MAX], script[QUERY_VALUE_MAX], q[QUERY_VALUE_MAX],
		limit_s[QUERY_VALUE_MAX], cursor[QUERY_VALUE_MAX], next[PAGE_CURSOR_LEN + 1];
	struct page_query pq = { .limit = API_LIST_DEFAULT };
	struct proto_interview *ivs = NULL;
	enum proto_status st;
	size_t n = 0;
	int has;

	if ((has = api_query_param(query, "status", status, sizeof status)) < 0 ||
	    (has && proto_status_parse(status, &st) != 0)) {
		api_fail_field(c, 400, "status",
			       "status must be one of new, active, finished, closed");
		return;
	}
	pq.status = has ? status : NULL;
	if ((has = api_query_param(query, "script", script, sizeof script)) < 0 ||
	    (has && !scriptdir_name_ok(script))) {
		api_fail_field(c, 400, "script", "script must be a script name (%s)",
			       scriptdir_strerror(SCRIPTDIR_ENAME));
		return;
	}
	pq.script = has ? script : NULL;
	if ((has = api_query_param(query, "q", q, sizeof q)) < 0 ||
	    (has && !text_utf8_valid(q, strlen(q)))) {
		api_fail_field(c, 400, "q", "q must be UTF-8 text of at most %d bytes",
			       QUERY_VALUE_MAX - 1);
		return;
	}
	pq.q = has ? q : NULL;
	if ((has = api_query_param(query, "limit", limit_s, sizeof limit_s)) != 0) {
		char *end = limit_s;
		long limit = 0;
		errno = 0;
		if (has > 0)
			limit = strtol(limit_s, &end, 10);
		if (has < 0 || end == limit_s || *end || errno || limit < 1 ||
		    limit > API_LIST_MAX) {
			api_fail_field(c, 400, "limit", "limit must be a number from 1 to %d",
				       API_LIST_MAX);
			return;
		}
		pq.limit = (size_t)limit;
	}
	if ((has = api_query_param(query, "cursor", cursor, sizeof cursor)) < 0) {
		api_fail_field(c, 400, "cursor", "cursor must be a next_cursor this API returned");
		return;
	}
	pq.cursor = has ? cursor : NULL;

	int rc = page_list_interviews(c->a->store, &pq, &ivs, &n, next);
	if (rc == RECORD_ECURSOR) {
		api_fail_field(c, 400, "cursor", "cursor must be a next_cursor this API returned");
	} else if (rc != 0) {
		log_error("api: listing interviews: %s", record_strerror(rc));
		api_fail(c, 500, "the server could not read the interviews; try again");
	} else {
		api_reply_json(c, 200, proto_api_interviews(ivs, n, next[0] ? next : NULL));
	}
	record_interviews_free(ivs, n);
}

/* Reads the interview named by the path into iv; answers 404 (or 500) and
 * returns -1 when there is none. */
int api_interview_of(struct api_call *c, struct proto_interview *iv)
{
	int rc = token_is_id(c->arg) ? record_get_interview(c->a->store, c->arg, iv)
				     : STORE_ENOTFOUND;
	if (rc == STORE_ENOTFOUND) {
		api_fail(c, 404, "there is no interview %.40s", c->arg);
		return -1;
	}
	if (rc != 0) {
		log_error("api: reading interview %s: %s", c->arg, record_strerror(rc));
		api_fail(c, 500, "the server could not read the interview; try again");
		return -1;
	}
	return 0;
}

void api_interview_get(struct api_call *c)
{
	struct proto_interview iv = { 0 };
	struct proto_turn *turns = NULL;
	size_t n = 0;
	if (api_interview_of(c, &iv) != 0)
		return;
	int rc = record_get_transcript(c->a->store, iv.id, &turns, &n);
	if (rc != 0) {
		log_error("api: reading the transcript of %s: %s", iv.id, record_strerror(rc));
		api_fail(c, 500, "the server could not read the transcript; try again");
	} else {
		api_reply_json(c, 200, proto_api_interview(&iv, turns, n));
	}
	record_transcript_free(turns, n);
	proto_interview_free(&iv);
}

/* ======================================================================== */
/* One interview's operations, exports and statistics                       */
/* ======================================================================== */

void api_interview_markdown(struct api_call *c)
{
	char *md = NULL, name[TOKEN_ID_LEN + 32];
	size_t len = 0;
	int rc = token_is_id(c->arg) ? export_transcript(c->a->store, c->arg, &md, &len)
				     : STORE_ENOTFOUND;
	if (rc == STORE_ENOTFOUND) {
		api_fail(c, 404, "there is no interview %.40s", c->arg);
	} else if (rc != 0) {
		log_error("api: the transcript of %s as Markdown: %s", c->arg, record_strerror(rc));
		api_fail(c, 500, "the server could not make the transcript; try again");
	} else {
		snprintf(name, sizeof name, "interview-%.*s.md", TOKEN_ID_LEN, c->arg);
		api_reply_file(c, "text/markdown; charset=utf-8", md, len, name);
		md = NULL;
	}
	free(md);
}

void api_interview_close(struct api_call *c)
{
	struct proto_interview iv = { 0 };
	char err[512] = "";
	int rc = token_is_id(c->arg) ? ops_close_interview(c->a->store, c->arg, &iv, err,
							       sizeof err)
				     : STORE_ENOTFOUND;
	if (rc == STORE_ENOTFOUND) {
		api_fail(c, 404, "there is no interview %.40s", c->arg);
	} else if (rc == RECORD_EFINISHED || rc == RECORD_ECLOSED) {
		api_fail(c, 409, "interview %s %s", c->arg,
			 rc == RECORD_EFINISHED ? "has finished already" : "was closed already");
	} else if (rc != 0) {
		log_error("api: closing %s: %s", c->arg, err[0] ? err : record_strerror(rc));
		api_fail(c, 500, "the server could not close the interview; try again");
	} else {
		log_info("api: interview %s closed by %s", iv.id, c->who.name);
		notify(c, API_CHANGE_CLOSED, &iv);
		api_reply_json(c, 200, proto_api_interview_item(&iv));
	}
	proto_interview_free(&iv);
}

/* A new link on the request's own origin; the old tokens are deleted in the
 * same batch, and connections opened with them are ended by the notifier
 * before the new link is handed out. */
void api_interview_link(struct api_call *c)
{
	struct proto_interview iv = { 0 };
	char token[TOKEN_LEN + 1], err[512] = "", origin[HOST_MAX + 16];
	struct link l;
	int rc = token_is_id(c->arg) ? ops_relink_interview(c->a->store, c->arg, token, err,
								sizeof err)
				     : STORE_ENOTFOUND;
	if (rc == STORE_ENOTFOUND) {
		api_fail(c, 404, "there is no interview %.40s", c->arg);
		return;
	}
	if (rc != 0) {
		log_error("api: a new link for %s: %s", c->arg, err[0] ? err : record_strerror(rc));
		api_fail(c, 500, "the server could not make a new link; try again");
		return;
	}
	/* The names are for the answer; the link is made whether or not they read. */
	struct proto_interview bare = { .id = c->arg };
	const struct proto_interview *now = &bare;
	if (record_get_interview(c->a->store, c->arg, &iv) == 0)
		now = &iv;
	log_info("api: interview %s has a new link, made by %s", c->arg, c->who.name);
	notify(c, API_CHANGE_RELINKED, now);
	api_own_origin(c->req, origin, sizeof origin);
	link_candidate(origin, c->arg, token, &l);
	api_reply_json(c, 200,
		       proto_api_created(c->arg, now->script ? now->script : "",
					 now->candidate ? now->candidate : "", token, l.url,
					 l.ws_url));
	explicit_bzero(token, sizeof token);
	explicit_bzero(&l, sizeof l);
	proto_interview_free(&iv);
}

void api_interview_erase(struct api_call *c)
{
	struct proto_interview iv = { 0 };
	char err[512] = "";
	if (api_interview_of(c, &iv) != 0)
		return;
	int rc = ops_erase_interview(c->a->store, iv.id, err, sizeof err);
	if (rc == STORE_ENOTFOUND) {
		api_fail(c, 404, "there is no interview %.40s", c->arg);
	} else if (rc != 0) {
		log_error("api: erasing %s: %s", iv.id, err[0] ? err : record_strerror(rc));
		api_fail(c, 500, "the server could not erase the interview; try again");
	} else {
		log_info("api: interview %s erased by %s", iv.id, c->who.name);
		notify(c, API_CHANGE_ERASED, &iv);
		api_no_content(c);
	}
	proto_interview_free(&iv);
}

/* The script= argument every export and summary needs, into script; answers
 * 400 naming it and returns -1 when it is missing or no script name. */
static int script_arg(struct api_call *c, char *script, size_t len)
{
	int has = api_query_param(c->req->query, "script", script, len);
	if (has == 0) {
		api_fail_field(c, 400, "script", "script= is required: the name of the script whose interviews to use");
		return -1;
	}
	if (has < 0 || !scriptdir_name_ok(script)) {
		api_fail_field(c, 400, "script", "script must be a script name (%s)",
			       scriptdir_strerror(SCRIPTDIR_ENAME));
		return -1;
	}
	return 0;
}

static void export_as(struct api_call *c, enum export_format fmt)
{
	char script[QUERY_VALUE_MAX], name[SCRIPTDIR_NAME_MAX + 8];
	char *out = NULL;
	size_t len = 0;
	if (script_arg(c, script, sizeof script) != 0)
		return;
	int rc = export_script(c->a->store, script, fmt, &out, &len);
	if (rc != 0) {
		log_error("api: exporting %s: %s", script, record_strerror(rc));
		api_fail(c, 500, "the server could not export the interviews; try again");
		return;
	}
	snprintf(name, sizeof name, "%.*s.%s", SCRIPTDIR_NAME_MAX, script,
		 fmt == EXPORT_CSV ? "csv" : "jsonl");
	api_reply_file(c, fmt == EXPORT_CSV ? "text/csv; charset=utf-8" : "application/x-ndjson",
		       out, len, name);
}

void api_export_csv_get(struct api_call *c) { export_as(c, EXPORT_CSV); }
void api_export_jsonl_get(struct api_call *c) { export_as(c, EXPORT_JSONL); }

void api_stats_get(struct api_call *c)
{
	char script[QUERY_VALUE_MAX];
	struct proto_stats stats;
	if (script_arg(c, script, sizeof script) != 0)
		return;
	int rc = export_stats(c->a->store, script, &stats);
	if (rc != 0) {
		log_error("api: statistics of %s: %s", script, record_strerror(rc));
		api_fail(c, 500, "the server could not read the interviews; try again");
		return;
	}
	api_reply_json(c, 200, proto_cli_stats(script, &stats));
	proto_stats_free(&stats);
}

