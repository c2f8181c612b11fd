/* proto: every JSON text interviewd reads or writes. See proto.h.
 *
 * One module in several files, so that cJSON stays behind one header boundary
 * (proto.h) while no file grows past what a reader can hold: this one has the
 * helpers the others share (declared in proto_internal.h), the protocol's
 * words, and the WebSocket frames in and out; proto_record.c the stored
 * records; proto_cli.c what the commands print; proto_api.c the HTTP API's
 * bodies. Inbound frames are parsed with an explicit length (a WebSocket
 * payload is not NUL-terminated) and must be one JSON value with nothing but
 * whitespace after it. Outbound JSON is built as a cJSON tree and printed
 * unformatted; integers (seq, timestamps) are added as raw text so they always
 * print as integers, never as 1.764102e+12. cJSON strings end at the first
 * NUL, so a "\u0000" inside a string cuts it there: message_len is
 * strlen(message), never more. */
#include "proto.h"
#include "proto_internal.h"

#include "text.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLIENT_MSG_ID_MAX 128

/* --- small helpers ------------------------------------------------------ */

char *proto_dup_str(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

void proto_set_err(char *err, size_t errlen, const char *msg)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", msg);
}

/* One JSON value spanning data[0..len) up to trailing whitespace, or NULL. */
cJSON *proto_parse_exact(const char *data, size_t len)
{
	if (!data || len == 0)
		return NULL;
	const char *end = NULL;
	cJSON *j = cJSON_ParseWithLengthOpts(data, len, &end, 0);
	if (!j)
		return NULL;
	const char *stop = data + len;
	while (end && end < stop && (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r'))
		end++;
	if (end != stop) {
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}

char *proto_print_and_delete(cJSON *root)
{
	if (!root)
		return NULL;
	char *s = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return s;
}

/* Add helpers return 0, or -1 when out of memory. A NULL string is null. */
int proto_add_str(cJSON *o, const char *k, const char *v)
{
	cJSON *item = v ? cJSON_CreateString(v) : cJSON_CreateNull();
	if (!item)
		return -1;
	if (!cJSON_AddItemToObject(o, k, item)) {
		cJSON_Delete(item);
		return -1;
	}
	return 0;
}

int proto_add_i64(cJSON *o, const char *k, int64_t v)
{
	char buf[32];
	snprintf(buf, sizeof buf, "%" PRId64, v);
	return cJSON_AddRawToObject(o, k, buf) ? 0 : -1;
}

int proto_add_u64(cJSON *o, const char *k, uint64_t v)
{
	char buf[32];
	snprintf(buf, sizeof buf, "%" PRIu64, v);
	return cJSON_AddRawToObject(o, k, buf) ? 0 : -1;
}

int proto_add_bool(cJSON *o, const char *k, bool v)
{
	return cJSON_AddBoolToObject(o, k, v) ? 0 : -1;
}

int proto_add_strings(cJSON *o, const char *k, char *const *v, size_t n)
{
	cJSON *a = cJSON_AddArrayToObject(o, k);
	if (!a)
		return -1;
	for (size_t i = 0; i < n; i++) {
		cJSON *s = cJSON_CreateString(v[i] ? v[i] : "");
		if (!s)
			return -1;
		if (!cJSON_AddItemToArray(a, s)) {
			cJSON_Delete(s);
			return -1;
		}
	}
	return 0;
}

/* Decode helpers return PROTO_OK, PROTO_EBAD or PROTO_ENOMEM. A missing or
 * null optional field leaves *out untouched. */
int proto_get_str(const cJSON *o, const char *k, bool required, char **out)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);
	if (!it || cJSON_IsNull(it))
		return required ? PROTO_EBAD : PROTO_OK;
	if (!cJSON_IsString(it) || !it->valuestring)
		return PROTO_EBAD;
	char *d = proto_dup_str(it->valuestring);
	if (!d)
		return PROTO_ENOMEM;
	free(*out);
	*out = d;
	return PROTO_OK;
}

/* Integral, finite, within int64 (exact below 2^53, as JSON numbers are). */
int proto_num_i64(const cJSON *it, int64_t *out)
{
	if (!cJSON_IsNumber(it))
		return PROTO_EBAD;
	double v = it->valuedouble;
	if (!isfinite(v) || v != trunc(v) || v < -9223372036854775808.0 ||
	    v >= 9223372036854775808.0)
		return PROTO_EBAD;
	*out = (int64_t)v;
	return PROTO_OK;
}

int proto_get_i64(const cJSON *o, const char *k, bool required, int64_t *out)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);
	if (!it)
		return required ? PROTO_EBAD : PROTO_OK;
	return proto_num_i64(it, out);
}

int proto_get_u64(const cJSON *o, const char *k, bool required, uint64_t *out)
{
	int64_t v = 0;
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);
	if (!it)
		return required ? PROTO_EBAD : PROTO_OK;
	int rc = proto_num_i64(it, &v);
	if (rc)
		return rc;
	if (v < 0)
		return PROTO_EBAD;
	*out = (uint64_t)v;
	return PROTO_OK;
}

void proto_free_strings(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

int proto_get_strings(const cJSON *o, const char *k, char ***out, size_t *n)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, k);
	if (!a || cJSON_IsNull(a))
		return PROTO_OK;
	if (!cJSON_IsArray(a))
		return PROTO_EBAD;
	size_t cnt = (size_t)cJSON_GetArraySize(a);
	if (cnt == 0)
		return PROTO_OK;
	char **v = calloc(cnt, sizeof *v);
	if (!v)
		return PROTO_ENOMEM;
	size_t i = 0;
	int rc = PROTO_OK;
	const cJSON *it;
	cJSON_ArrayForEach(it, a)
	{
		if (!cJSON_IsString(it) || !it->valuestring) {
			rc = PROTO_EBAD;
			goto out;
		}
		if (!(v[i] = proto_dup_str(it->valuestring))) {
			rc = PROTO_ENOMEM;
			goto out;
		}
		i++;
	}
out:
	if (rc) {
		proto_free_strings(v, i);
		return rc;
	}
	*out = v;
	*n = i;
	return PROTO_OK;
}

/* --- the protocol's words ----------------------------------------------- */

static const char *const ROLES[] = {
	[PROTO_ROLE_CANDIDATE] = "candidate",
	[PROTO_ROLE_BOT] = "bot",
};
static const char *const KINDS[] = {
	[PROTO_KIND_MESSAGE] = "message",
	[PROTO_KIND_SAY] = "say",
	[PROTO_KIND_ASK] = "ask",
	[PROTO_KIND_END] = "end",
};
static const char *const STATUSES[] = {
	[PROTO_STATUS_NEW] = "new",
	[PROTO_STATUS_ACTIVE] = "active",
	[PROTO_STATUS_FINISHED] = "finished",
	[PROTO_STATUS_CLOSED] = "closed",
};
static const char *const CODES[] = {
	[PROTO_CODE_BAD_REQUEST] = "bad_request",
	[PROTO_CODE_TOO_LARGE] = "too_large",
	[PROTO_CODE_UNKNOWN_ACTION] = "unknown_action",
	[PROTO_CODE_NOT_FOUND] = "not_found",
	[PROTO_CODE_INTERVIEW_FINISHED] = "interview_finished",
	[PROTO_CODE_SCRIPT_ERROR] = "script_error",
	[PROTO_CODE_RATE_LIMITED] = "rate_limited",
	[PROTO_CODE_UNAVAILABLE] = "unavailable",
};

/* "" for a value outside the enum: a bug, but never a crash. */
const char *proto_word_name(const char *const *words, size_t n, int v)
{
	return v >= 0 && (size_t)v < n ? words[v] : "";
}

static int word_parse(const char *const *words, size_t n, const char *s, int *out)
{
	for (size_t i = 0; s && i < n; i++)
		if (strcmp(words[i], s) == 0) {
			*out = (int)i;
			return PROTO_OK;
		}
	return PROTO_EBAD;
}

const char *proto_role_name(enum proto_role r)
{
	return proto_word_name(ROLES, COUNT(ROLES), (int)r);
}

const char *proto_kind_name(enum proto_kind k)
{
	return proto_word_name(KINDS, COUNT(KINDS), (int)k);
}

const char *proto_status_name(enum proto_status s)
{
	return proto_word_name(STATUSES, COUNT(STATUSES), (int)s);
}

const char *proto_code_name(enum proto_code c)
{
	return proto_word_name(CODES, COUNT(CODES), (int)c);
}

int proto_role_parse(const char *s, enum proto_role *out)
{
	int v = 0;
	int rc = word_parse(ROLES, COUNT(ROLES), s, &v);
	if (rc == PROTO_OK)
		*out = (enum proto_role)v;
	return rc;
}

int proto_kind_parse(const char *s, enum proto_kind *out)
{
	int v = 0;
	int rc = word_parse(KINDS, COUNT(KINDS), s, &v);
	if (rc == PROTO_OK)
		*out = (enum proto_kind)v;
	return rc;
}

int proto_status_parse(const char *s, enum proto_status *out)
{
	int v = 0;
	int rc = word_parse(STATUSES, COUNT(STATUSES), s, &v);
	if (rc == PROTO_OK)
		*out = (enum proto_status)v;
	return rc;
}

/* A required string field that must be one of words. */
static int get_word(const cJSON *o, const char *k, const char *const *words, size_t n, int *out)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);
	if (!cJSON_IsString(it) || !it->valuestring)
		return PROTO_EBAD;
	return word_parse(words, n, it->valuestring, out);
}

int proto_get_status(const cJSON *o, const char *k, int *out)
{
	return get_word(o, k, STATUSES, COUNT(STATUSES), out);
}

/* --- inbound frames ----------------------------------------------------- */

/* Code points, not bytes: README counts client_msg_id in characters. */
static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

int proto_parse_request(const char *data, size_t len, struct proto_request *req, char *err,
			size_t errlen)
{
	int rc = PROTO_EBAD;
	const char *why = NULL;
	memset(req, 0, sizeof *req);

	/* The caller bounds frames; this is a second fence, not the answer. */
	if (len > PROTO_MAX_FRAME) {
		proto_set_err(err, errlen, "message is larger than 128 KiB");
		return PROTO_EBAD;
	}
	cJSON *root = proto_parse_exact(data, len);
	if (!root) {
		why = "message is not valid JSON";
		goto out;
	}
	if (!cJSON_IsObject(root)) {
		why = "message must be a JSON object";
		goto out;
	}

	/* Pick up interview_id before any check so an error can echo it (unless
	 * it is not UTF-8: echoing it would break the connection). */
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(root, "interview_id");
	if (cJSON_IsString(id) && id->valuestring &&
	    text_utf8_valid(id->valuestring, strlen(id->valuestring)) &&
	    !(req->interview_id = proto_dup_str(id->valuestring))) {
		rc = PROTO_ENOMEM;
		goto out;
	}
	/* RFC 6455 makes a text frame with invalid UTF-8 fatal to a connection;
	 * stored, it would break every later history of the interview. */
	if (!text_utf8_valid(data, len)) {
		why = "message is not valid UTF-8";
		goto out;
	}

	const cJSON *action = cJSON_GetObjectItemCaseSensitive(root, "action");
	if (!action) {
		why = "field 'action' is missing";
		goto out;
	}
	if (!cJSON_IsString(action) || !action->valuestring) {
		why = "field 'action' must be a string";
		goto out;
	}
	if (!(req->action_name = proto_dup_str(action->valuestring))) {
		rc = PROTO_ENOMEM;
		goto out;
	}
	if (strcmp(action->valuestring, "message") == 0) {
		req->action = PROTO_ACTION_MESSAGE;
	} else if (strcmp(action->valuestring, "history") == 0) {
		req->action = PROTO_ACTION_HISTORY;
	} else {
		req->action = PROTO_ACTION_UNKNOWN;
		rc = PROTO_OK;
		goto out;
	}

	if (!id) {
		why = "field 'interview_id' is missing";
		goto out;
	}
	if (!req->interview_id) {
		why = "field 'interview_id' must be a string";
		goto out;
	}

	if (req->action == PROTO_ACTION_MESSAGE) {
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(root, "message");
		if (!m) {
			why = "field 'message' is missing";
			goto out;
		}
		if (!cJSON_IsString(m) || !m->valuestring) {
			why = "field 'message' must be a string";
			goto out;
		}
		if (m->valuestring[0] == '\0') {
			why = "field 'message' must not be empty";
			goto out;
		}
		if (!(req->message = proto_dup_str(m->valuestring))) {
			rc = PROTO_ENOMEM;
			goto out;
		}
		req->message_len = strlen(req->message);
	}

	/* Optional; null counts as absent. */
	const cJSON *cm = cJSON_GetObjectItemCaseSensitive(root, "client_msg_id");
	if (cm && !cJSON_IsNull(cm)) {
		if (!cJSON_IsString(cm) || !cm->valuestring) {
			why = "field 'client_msg_id' must be a string";
			goto out;
		}
		size_t n = utf8_chars(cm->valuestring);
		if (n < 1 || n > CLIENT_MSG_ID_MAX) {
			why = "field 'client_msg_id' must be 1 to 128 characters long";
			goto out;
		}
		if (!(req->client_msg_id = proto_dup_str(cm->valuestring))) {
			rc = PROTO_ENOMEM;
			goto out;
		}
	}
	rc = PROTO_OK;
out:
	if (rc == PROTO_EBAD)
		proto_set_err(err, errlen, why);
	else if (rc == PROTO_ENOMEM)
		proto_set_err(err, errlen, "out of memory");
	cJSON_Delete(root);
	return rc;
}

void proto_request_free(struct proto_request *req)
{
	if (!req)
		return;
	free(req->action_name);
	free(req->interview_id);
	free(req->message);
	free(req->client_msg_id);
	memset(req, 0, sizeof *req);
}

/* --- turns -------------------------------------------------------------- */

void proto_turn_free(struct proto_turn *t)
{
	if (!t)
		return;
	free(t->text);
	proto_free_strings(t->choices, t->nchoices);
	free(t->section);
	free(t->client_msg_id);
	memset(t, 0, sizeof *t);
}

/* A turn as an object: the stored record (with_cmid) or a history item. */
static cJSON *turn_object(const struct proto_turn *t, bool with_cmid)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	if (proto_add_u64(o, "seq", t->seq) || proto_add_str(o, "role", proto_role_name(t->role)) ||
	    proto_add_str(o, "kind", proto_kind_name(t->kind)) ||
	    proto_add_str(o, "text", t->text ? t->text : "") || proto_add_i64(o, "ts", t->ts))
		goto fail;
	if (t->nchoices > 0 && proto_add_strings(o, "choices", t->choices, t->nchoices))
		goto fail;
	if (t->section && t->section[0] && proto_add_str(o, "section", t->section))
		goto fail;
	if (with_cmid && t->client_msg_id && t->client_msg_id[0] &&
	    proto_add_str(o, "client_msg_id", t->client_msg_id))
		goto fail;
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

char *proto_turn_encode(const struct proto_turn *t)
{
	return proto_print_and_delete(turn_object(t, true));
}

static int turn_from(const cJSON *o, struct proto_turn *t)
{
	int rc, role = 0, kind = 0;
	if (!cJSON_IsObject(o))
		return PROTO_EBAD;
	if ((rc = proto_get_u64(o, "seq", true, &t->seq)) ||
	    (rc = get_word(o, "role", ROLES, COUNT(ROLES), &role)) ||
	    (rc = get_word(o, "kind", KINDS, COUNT(KINDS), &kind)) ||
	    (rc = proto_get_str(o, "text", true, &t->text)) ||
	    (rc = proto_get_i64(o, "ts", false, &t->ts)) ||
	    (rc = proto_get_strings(o, "choices", &t->choices, &t->nchoices)) ||
	    (rc = proto_get_str(o, "section", false, &t->section)) ||
	    (rc = proto_get_str(o, "client_msg_id", false, &t->client_msg_id)))
		return rc;
	t->role = (enum proto_role)role;
	t->kind = (enum proto_kind)kind;
	return PROTO_OK;
}

int proto_turn_decode(const char *data, size_t len, struct proto_turn *t)
{
	memset(t, 0, sizeof *t);
	cJSON *root = proto_parse_exact(data, len);
	int rc = root ? turn_from(root, t) : PROTO_EBAD;
	if (rc)
		proto_turn_free(t);
	cJSON_Delete(root);
	return rc;
}

/* --- outbound frames ---------------------------------------------------- */

char *proto_frame_response_ex(const char *interview_id, const struct proto_turn *t, bool done,
			      bool repeat)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	if (proto_add_str(o, "message", t->text ? t->text : "") ||
	    proto_add_str(o, "type", "response") ||
	    proto_add_str(o, "interview_id", interview_id) || proto_add_u64(o, "seq", t->seq) ||
	    proto_add_str(o, "kind", proto_kind_name(t->kind)))
		goto fail;
	if (t->nchoices > 0 && proto_add_strings(o, "choices", t->choices, t->nchoices))
		goto fail;
	if (done && proto_add_bool(o, "done", true))
		goto fail;
	if (repeat && proto_add_bool(o, "repeat", true))
		goto fail;
	return proto_print_and_delete(o);
fail:
	cJSON_Delete(o);
	return NULL;
}

char *proto_frame_response(const char *interview_id, const struct proto_turn *t, bool done)
{
	return proto_frame_response_ex(interview_id, t, done, false);
}

char *proto_frame_error(const char *interview_id, enum proto_code code, const char *message)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	if (proto_add_str(o, "message", message ? message : "") ||
	    proto_add_str(o, "type", "error") || proto_add_str(o, "interview_id", interview_id) ||
	    proto_add_str(o, "code", proto_code_name(code))) {
		cJSON_Delete(o);
		return NULL;
	}
	return proto_print_and_delete(o);
}

/* Adds turns as an array of objects under k. */
int proto_add_turns(cJSON *o, const char *k, const struct proto_turn *turns, size_t n,
		     bool with_cmid)
{
	cJSON *a = cJSON_AddArrayToObject(o, k);
	if (!a)
		return -1;
	for (size_t i = 0; i < n; i++) {
		cJSON *t = turn_object(&turns[i], with_cmid);
		if (!t)
			return -1;
		if (!cJSON_AddItemToArray(a, t)) {
			cJSON_Delete(t);
			return -1;
		}
	}
	return 0;
}

char *proto_frame_history(const char *interview_id, enum proto_status status,
			  const struct proto_turn *turns, size_t n)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	if (proto_add_str(o, "type", "history") || proto_add_str(o, "interview_id", interview_id) ||
	    proto_add_str(o, "message", "") ||
	    proto_add_str(o, "status", proto_status_name(status)) ||
	    proto_add_turns(o, "messages", turns, n, true)) {
		cJSON_Delete(o);
		return NULL;
	}
	return proto_print_and_delete(o);
}

/* --- live view and the closing frame ------------------------------------ */

char *proto_frame_turns(const char *interview_id, enum proto_status status,
			const struct proto_turn *turns, size_t n)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	if (proto_add_str(o, "type", "turns") || proto_add_str(o, "interview_id", interview_id) ||
	    proto_add_str(o, "message", "") ||
	    proto_add_str(o, "status", proto_status_name(status)) ||
	    proto_add_turns(o, "messages", turns, n, true)) {
		cJSON_Delete(o);
		return NULL;
	}
	return proto_print_and_delete(o);
}

char *proto_frame_status(const char *interview_id, const char *event, enum proto_status status,
			 const char *script, const char *candidate)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	if (proto_add_str(o, "type", "status") || proto_add_str(o, "interview_id", interview_id) ||
	    proto_add_str(o, "message", "") || proto_add_str(o, "event", event) ||
	    proto_add_str(o, "status", proto_status_name(status)) ||
	    proto_add_str(o, "script", script ? script : "") ||
	    proto_add_str(o, "candidate", candidate ? candidate : "")) {
		cJSON_Delete(o);
		return NULL;
	}
	return proto_print_and_delete(o);
}

char *proto_frame_closed(const char *interview_id)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	if (proto_add_str(o, "message", "This interview has been closed.") ||
	    proto_add_str(o, "type", "response") ||
	    proto_add_str(o, "interview_id", interview_id) ||
	    proto_add_str(o, "kind", proto_kind_name(PROTO_KIND_END)) ||
	    proto_add_bool(o, "done", true)) {
		cJSON_Delete(o);
		return NULL;
	}
	return proto_print_and_delete(o);
}
