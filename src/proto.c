/* proto: every JSON text interviewd reads or writes. See proto.h.
 *
 * The only file that includes cJSON. Inbound frames are parsed with an explicit
 * length (a WebSocket payload is not NUL-terminated) and must be one JSON value
 * with nothing but whitespace after it. Outbound JSON is built as a cJSON tree
 * and printed unformatted; integers (seq, timestamps) are added as raw text so
 * they always print as integers, never as 1.764102e+12. cJSON strings end at
 * the first NUL, so a "\u0000" inside a string cuts it there: message_len is
 * strlen(message), never more. */
#include "proto.h"

#include "text.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLIENT_MSG_ID_MAX 128

/* --- small helpers ------------------------------------------------------ */

static char *dup_str(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

static void set_err(char *err, size_t errlen, const char *msg)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", msg);
}

/* One JSON value spanning data[0..len) up to trailing whitespace, or NULL. */
static cJSON *parse_exact(const char *data, size_t len)
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

static char *print_and_delete(cJSON *root)
{
	if (!root)
		return NULL;
	char *s = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return s;
}

/* Add helpers return 0, or -1 when out of memory. A NULL string is null. */
static int add_str(cJSON *o, const char *k, const char *v)
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

static int add_i64(cJSON *o, const char *k, int64_t v)
{
	char buf[32];
	snprintf(buf, sizeof buf, "%" PRId64, v);
	return cJSON_AddRawToObject(o, k, buf) ? 0 : -1;
}

static int add_u64(cJSON *o, const char *k, uint64_t v)
{
	char buf[32];
	snprintf(buf, sizeof buf, "%" PRIu64, v);
	return cJSON_AddRawToObject(o, k, buf) ? 0 : -1;
}

static int add_bool(cJSON *o, const char *k, bool v)
{
	return cJSON_AddBoolToObject(o, k, v) ? 0 : -1;
}

static int add_strings(cJSON *o, const char *k, char *const *v, size_t n)
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
static int get_str(const cJSON *o, const char *k, bool required, char **out)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);
	if (!it || cJSON_IsNull(it))
		return required ? PROTO_EBAD : PROTO_OK;
	if (!cJSON_IsString(it) || !it->valuestring)
		return PROTO_EBAD;
	char *d = dup_str(it->valuestring);
	if (!d)
		return PROTO_ENOMEM;
	free(*out);
	*out = d;
	return PROTO_OK;
}

/* Integral, finite, within int64 (exact below 2^53, as JSON numbers are). */
static int num_i64(const cJSON *it, int64_t *out)
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

static int get_i64(const cJSON *o, const char *k, bool required, int64_t *out)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);
	if (!it)
		return required ? PROTO_EBAD : PROTO_OK;
	return num_i64(it, out);
}

static int get_u64(const cJSON *o, const char *k, bool required, uint64_t *out)
{
	int64_t v = 0;
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);
	if (!it)
		return required ? PROTO_EBAD : PROTO_OK;
	int rc = num_i64(it, &v);
	if (rc)
		return rc;
	if (v < 0)
		return PROTO_EBAD;
	*out = (uint64_t)v;
	return PROTO_OK;
}

static void free_strings(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

static int get_strings(const cJSON *o, const char *k, char ***out, size_t *n)
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
		if (!(v[i] = dup_str(it->valuestring))) {
			rc = PROTO_ENOMEM;
			goto out;
		}
		i++;
	}
out:
	if (rc) {
		free_strings(v, i);
		return rc;
	}
	*out = v;
	*n = i;
	return PROTO_OK;
}

/* --- the protocol's words ----------------------------------------------- */

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

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
static const char *word_name(const char *const *words, size_t n, int v)
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

const char *proto_role_name(enum proto_role r) { return word_name(ROLES, COUNT(ROLES), (int)r); }
const char *proto_kind_name(enum proto_kind k) { return word_name(KINDS, COUNT(KINDS), (int)k); }
const char *proto_status_name(enum proto_status s)
{
	return word_name(STATUSES, COUNT(STATUSES), (int)s);
}
const char *proto_code_name(enum proto_code c) { return word_name(CODES, COUNT(CODES), (int)c); }

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
		set_err(err, errlen, "message is larger than 128 KiB");
		return PROTO_EBAD;
	}
	cJSON *root = parse_exact(data, len);
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
	    !(req->interview_id = dup_str(id->valuestring))) {
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
	if (!(req->action_name = dup_str(action->valuestring))) {
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
		if (!(req->message = dup_str(m->valuestring))) {
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
		if (!(req->client_msg_id = dup_str(cm->valuestring))) {
			rc = PROTO_ENOMEM;
			goto out;
		}
	}
	rc = PROTO_OK;
out:
	if (rc == PROTO_EBAD)
		set_err(err, errlen, why);
	else if (rc == PROTO_ENOMEM)
		set_err(err, errlen, "out of memory");
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
	free_strings(t->choices, t->nchoices);
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
	if (add_u64(o, "seq", t->seq) || add_str(o, "role", proto_role_name(t->role)) ||
	    add_str(o, "kind", proto_kind_name(t->kind)) || add_str(o, "text", t->text ? t->text : "") ||
	    add_i64(o, "ts", t->ts))
		goto fail;
	if (t->nchoices > 0 && add_strings(o, "choices", t->choices, t->nchoices))
		goto fail;
	if (t->section && t->section[0] && add_str(o, "section", t->section))
		goto fail;
	if (with_cmid && t->client_msg_id && t->client_msg_id[0] &&
	    add_str(o, "client_msg_id", t->client_msg_id))
		goto fail;
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

char *proto_turn_encode(const struct proto_turn *t)
{
	return print_and_delete(turn_object(t, true));
}

static int turn_from(const cJSON *o, struct proto_turn *t)
{
	int rc, role = 0, kind = 0;
	if (!cJSON_IsObject(o))
		return PROTO_EBAD;
	if ((rc = get_u64(o, "seq", true, &t->seq)) ||
	    (rc = get_word(o, "role", ROLES, COUNT(ROLES), &role)) ||
	    (rc = get_word(o, "kind", KINDS, COUNT(KINDS), &kind)) ||
	    (rc = get_str(o, "text", true, &t->text)) ||
	    (rc = get_i64(o, "ts", false, &t->ts)) ||
	    (rc = get_strings(o, "choices", &t->choices, &t->nchoices)) ||
	    (rc = get_str(o, "section", false, &t->section)) ||
	    (rc = get_str(o, "client_msg_id", false, &t->client_msg_id)))
		return rc;
	t->role = (enum proto_role)role;
	t->kind = (enum proto_kind)kind;
	return PROTO_OK;
}

int proto_turn_decode(const char *data, size_t len, struct proto_turn *t)
{
	memset(t, 0, sizeof *t);
	cJSON *root = parse_exact(data, len);
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
	if (add_str(o, "message", t->text ? t->text : "") || add_str(o, "type", "response") ||
	    add_str(o, "interview_id", interview_id) || add_u64(o, "seq", t->seq) ||
	    add_str(o, "kind", proto_kind_name(t->kind)))
		goto fail;
	if (t->nchoices > 0 && add_strings(o, "choices", t->choices, t->nchoices))
		goto fail;
	if (done && add_bool(o, "done", true))
		goto fail;
	if (repeat && add_bool(o, "repeat", true))
		goto fail;
	return print_and_delete(o);
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
	if (add_str(o, "message", message ? message : "") || add_str(o, "type", "error") ||
	    add_str(o, "interview_id", interview_id) || add_str(o, "code", proto_code_name(code))) {
		cJSON_Delete(o);
		return NULL;
	}
	return print_and_delete(o);
}

/* Adds turns as an array of objects under k. */
static int add_turns(cJSON *o, const char *k, const struct proto_turn *turns, size_t n,
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
	if (add_str(o, "type", "history") || add_str(o, "interview_id", interview_id) ||
	    add_str(o, "message", "") || add_str(o, "status", proto_status_name(status)) ||
	    add_turns(o, "messages", turns, n, true)) {
		cJSON_Delete(o);
		return NULL;
	}
	return print_and_delete(o);
}

/* --- interview records -------------------------------------------------- */

void proto_number_text(double x, char *buf, size_t n)
{
	/* cJSON's own printing settles for 15 digits when they are "close
	 * enough"; a recorded answer must read back exactly. */
	char tmp[32];
	x += 0.0; /* -0 becomes 0 */
	for (int digits = 15; digits <= 17; digits++) {
		snprintf(tmp, sizeof tmp, "%.*g", digits, x);
		if (strtod(tmp, NULL) == x)
			break;
	}
	snprintf(buf, n, "%s", tmp);
}

void proto_interview_free(struct proto_interview *iv)
{
	if (!iv)
		return;
	free(iv->id);
	free(iv->script);
	free(iv->script_hash);
	free(iv->candidate);
	for (size_t i = 0; iv->scores && i < iv->nscores; i++)
		free(iv->scores[i].name);
	free(iv->scores);
	free_strings(iv->notes, iv->nnotes);
	free_strings(iv->tags, iv->ntags);
	for (size_t i = 0; iv->answers && i < iv->nanswers; i++) {
		free(iv->answers[i].id);
		free(iv->answers[i].text);
	}
	free(iv->answers);
	free(iv->last_error);
	free(iv->last_traceback);
	memset(iv, 0, sizeof *iv);
}

static cJSON *interview_object(const struct proto_interview *iv)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	if (add_str(o, "id", iv->id ? iv->id : "") || add_str(o, "script", iv->script ? iv->script : "") ||
	    add_str(o, "script_hash", iv->script_hash ? iv->script_hash : "") ||
	    add_str(o, "candidate", iv->candidate ? iv->candidate : "") ||
	    add_str(o, "status", proto_status_name(iv->status)) || add_i64(o, "created", iv->created) ||
	    add_i64(o, "updated", iv->updated) || add_u64(o, "next_seq", iv->next_seq) ||
	    add_i64(o, "api_level", iv->api_level > 0 ? iv->api_level : 1))
		goto fail;
	if (iv->nscores > 0) {
		cJSON *s = cJSON_AddObjectToObject(o, "scores");
		if (!s)
			goto fail;
		for (size_t i = 0; i < iv->nscores; i++) {
			const char *name = iv->scores[i].name ? iv->scores[i].name : "";
			/* Non-finite scores print as null (JSON has no NaN). */
			if (!cJSON_AddNumberToObject(s, name, iv->scores[i].value))
				goto fail;
		}
	}
	if (iv->nnotes > 0 && add_strings(o, "notes", iv->notes, iv->nnotes))
		goto fail;
	if (iv->ntags > 0 && add_strings(o, "tags", iv->tags, iv->ntags))
		goto fail;
	if (iv->nanswers > 0) {
		cJSON *a = cJSON_AddObjectToObject(o, "answers");
		if (!a)
			goto fail;
		for (size_t i = 0; i < iv->nanswers; i++) {
			const struct proto_answer *an = &iv->answers[i];
			const char *k = an->id ? an->id : "";
			if (an->is_number && isfinite(an->number)) {
				char num[32];
				proto_number_text(an->number, num, sizeof num);
				if (!cJSON_AddRawToObject(a, k, num))
					goto fail;
			} else if (add_str(a, k, an->text ? an->text : "")) {
				goto fail;
			}
		}
	}
	if (iv->last_error && add_str(o, "last_error", iv->last_error))
		goto fail;
	if (iv->last_traceback && add_str(o, "last_traceback", iv->last_traceback))
		goto fail;
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

char *proto_interview_encode(const struct proto_interview *iv)
{
	return print_and_delete(interview_object(iv));
}

static int scores_from(const cJSON *o, struct proto_interview *iv)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(o, "scores");
	if (!s || cJSON_IsNull(s))
		return PROTO_OK;
	if (!cJSON_IsObject(s))
		return PROTO_EBAD;
	size_t cnt = (size_t)cJSON_GetArraySize(s);
	if (cnt == 0)
		return PROTO_OK;
	if (!(iv->scores = calloc(cnt, sizeof *iv->scores)))
		return PROTO_ENOMEM;
	const cJSON *it;
	cJSON_ArrayForEach(it, s)
	{
		/* null: a non-finite score was written. */
		if (!it->string || !(cJSON_IsNumber(it) || cJSON_IsNull(it)))
			return PROTO_EBAD;
		struct proto_score *sc = &iv->scores[iv->nscores];
		if (!(sc->name = dup_str(it->string)))
			return PROTO_ENOMEM;
		sc->value = cJSON_IsNumber(it) ? it->valuedouble : NAN;
		iv->nscores++;
	}
	return PROTO_OK;
}

static int answers_from(const cJSON *o, struct proto_interview *iv)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, "answers");
	if (!a || cJSON_IsNull(a))
		return PROTO_OK;
	if (!cJSON_IsObject(a))
		return PROTO_EBAD;
	size_t cnt = (size_t)cJSON_GetArraySize(a);
	if (cnt == 0)
		return PROTO_OK;
	if (!(iv->answers = calloc(cnt, sizeof *iv->answers)))
		return PROTO_ENOMEM;
	const cJSON *it;
	cJSON_ArrayForEach(it, a)
	{
		/* Strings, and numbers (a number answer at API level 2). */
		bool num = cJSON_IsNumber(it) && isfinite(it->valuedouble);
		if (!it->string || !(num || (cJSON_IsString(it) && it->valuestring)))
			return PROTO_EBAD;
		struct proto_answer *an = &iv->answers[iv->nanswers];
		if (!(an->id = dup_str(it->string)))
			return PROTO_ENOMEM;
		iv->nanswers++; /* counted now so the free path sees id */
		char buf[32] = "";
		if (num) {
			an->is_number = true;
			an->number = it->valuedouble;
			proto_number_text(an->number, buf, sizeof buf);
		}
		if (!(an->text = dup_str(num ? buf : it->valuestring)))
			return PROTO_ENOMEM;
	}
	return PROTO_OK;
}

static int interview_from(const cJSON *o, struct proto_interview *iv)
{
	int rc, status = 0;
	int64_t level = 1; /* records written before levels existed ran at 1 */
	if (!cJSON_IsObject(o))
		return PROTO_EBAD;
	if ((rc = get_str(o, "id", true, &iv->id)) || (rc = get_str(o, "script", true, &iv->script)) ||
	    (rc = get_str(o, "script_hash", true, &iv->script_hash)) ||
	    (rc = get_str(o, "candidate", false, &iv->candidate)) ||
	    (rc = get_word(o, "status", STATUSES, COUNT(STATUSES), &status)) ||
	    (rc = get_i64(o, "created", false, &iv->created)) ||
	    (rc = get_i64(o, "updated", false, &iv->updated)) ||
	    (rc = get_u64(o, "next_seq", true, &iv->next_seq)) ||
	    (rc = get_i64(o, "api_level", false, &level)) || (rc = scores_from(o, iv)) ||
	    (rc = get_strings(o, "notes", &iv->notes, &iv->nnotes)) ||
	    (rc = get_strings(o, "tags", &iv->tags, &iv->ntags)) || (rc = answers_from(o, iv)) ||
	    (rc = get_str(o, "last_error", false, &iv->last_error)) ||
	    (rc = get_str(o, "last_traceback", false, &iv->last_traceback)))
		return rc;
	if (level < 1 || level > INT_MAX)
		return PROTO_EBAD;
	iv->api_level = (int)level;
	iv->status = (enum proto_status)status;
	if (!iv->candidate && !(iv->candidate = dup_str("")))
		return PROTO_ENOMEM;
	return PROTO_OK;
}

int proto_interview_decode(const char *data, size_t len, struct proto_interview *iv)
{
	memset(iv, 0, sizeof *iv);
	cJSON *root = parse_exact(data, len);
	int rc = root ? interview_from(root, iv) : PROTO_EBAD;
	if (rc)
		proto_interview_free(iv);
	cJSON_Delete(root);
	return rc;
}

/* --- token records ------------------------------------------------------ */

void proto_token_free(struct proto_token *t)
{
	if (!t)
		return;
	free(t->interview_id);
	free(t->role);
	free(t->hash);
	memset(t, 0, sizeof *t);
}

char *proto_token_encode(const struct proto_token *t)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	if (add_str(o, "interview_id", t->interview_id ? t->interview_id : "") ||
	    add_str(o, "role", t->role ? t->role : "") || add_i64(o, "created", t->created) ||
	    add_str(o, "hash", t->hash ? t->hash : "")) {
		cJSON_Delete(o);
		return NULL;
	}
	return print_and_delete(o);
}

int proto_token_decode(const char *data, size_t len, struct proto_token *t)
{
	memset(t, 0, sizeof *t);
	cJSON *root = parse_exact(data, len);
	int rc = PROTO_EBAD;
	if (!cJSON_IsObject(root))
		goto out;
	if ((rc = get_str(root, "interview_id", true, &t->interview_id)) == PROTO_OK &&
	    (rc = get_str(root, "role", true, &t->role)) == PROTO_OK &&
	    (rc = get_i64(root, "created", false, &t->created)) == PROTO_OK)
		rc = get_str(root, "hash", true, &t->hash);
out:
	if (rc)
		proto_token_free(t);
	cJSON_Delete(root);
	return rc;
}

/* --- CLI outputs -------------------------------------------------------- */

char *proto_cli_created(const char *interview_id, const char *token, const char *url,
			const char *ws_url, const char *script, const char *candidate)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	if (add_str(o, "interview_id", interview_id) || add_str(o, "token", token) ||
	    add_str(o, "url", url) || add_str(o, "ws_url", ws_url) || add_str(o, "script", script) ||
	    add_str(o, "candidate", candidate ? candidate : "")) {
		cJSON_Delete(o);
		return NULL;
	}
	return print_and_delete(o);
}

/* The interview as the CLI prints it: every field of the record in one order,
 * present even when empty ({} / [] / null), plus "messages" (turns so far), so
 * a reader of --json never tests for a missing key. Fields the record gains
 * later follow, in the record's order. */
static cJSON *cli_interview(const struct proto_interview *iv)
{
	static const struct {
		const char *key;
		int type; /* of the empty value: cJSON_Object, cJSON_Array or cJSON_NULL */
	} FIELDS[] = {
		{ "id", cJSON_NULL },
		{ "script", cJSON_NULL },
		{ "script_hash", cJSON_NULL },
		{ "candidate", cJSON_NULL },
		{ "status", cJSON_NULL },
		{ "created", cJSON_NULL },
		{ "updated", cJSON_NULL },
		{ "next_seq", cJSON_NULL },
		{ "messages", cJSON_NULL },
		{ "scores", cJSON_Object },
		{ "answers", cJSON_Object },
		{ "notes", cJSON_Array },
		{ "tags", cJSON_Array },
		{ "last_error", cJSON_NULL },
		{ "last_traceback", cJSON_NULL },
	};
	cJSON *rec = interview_object(iv), *o = cJSON_CreateObject();
	if (!rec || !o || add_u64(rec, "messages", iv->next_seq ? iv->next_seq - 1 : 0))
		goto fail;
	for (size_t i = 0; i < COUNT(FIELDS); i++) {
		cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(rec, FIELDS[i].key);
		if (!v)
			v = FIELDS[i].type == cJSON_Object  ? cJSON_CreateObject()
			    : FIELDS[i].type == cJSON_Array ? cJSON_CreateArray()
							    : cJSON_CreateNull();
		if (!v || !cJSON_AddItemToObject(o, FIELDS[i].key, v)) {
			cJSON_Delete(v);
			goto fail;
		}
	}
	while (rec->child) {
		cJSON *v = rec->child;
		char *key = v->string;
		v->string = NULL; /* AddItemToObject copies the key */
		cJSON_DetachItemViaPointer(rec, v);
		int ok = cJSON_AddItemToObject(o, key ? key : "", v);
		cJSON_free(key);
		if (!ok) {
			cJSON_Delete(v);
			goto fail;
		}
	}
	cJSON_Delete(rec);
	return o;
fail:
	cJSON_Delete(rec);
	cJSON_Delete(o);
	return NULL;
}

char *proto_cli_show(const struct proto_interview *iv, const struct proto_turn *turns, size_t n)
{
	cJSON *o = cli_interview(iv);
	if (!o)
		return NULL;
	if (add_turns(o, "transcript", turns, n, true)) {
		cJSON_Delete(o);
		return NULL;
	}
	return print_and_delete(o);
}

char *proto_cli_list(const struct proto_interview *ivs, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	if (!a)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		cJSON *o = cli_interview(&ivs[i]);
		if (!o)
			goto fail;
		if (!cJSON_AddItemToArray(a, o)) {
			cJSON_Delete(o);
			goto fail;
		}
	}
	return print_and_delete(a);
fail:
	cJSON_Delete(a);
	return NULL;
}

/* --- accounts ----------------------------------------------------------- */

void proto_user_free(struct proto_user *u)
{
	if (!u)
		return;
	free(u->name);
	free(u->role);
	free(u->password_hash);
	free(u->epoch);
	memset(u, 0, sizeof *u);
}

char *proto_user_encode(const struct proto_user *u)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	if (add_str(o, "name", u->name ? u->name : "") || add_str(o, "role", u->role ? u->role : "") ||
	    add_str(o, "password_hash", u->password_hash ? u->password_hash : "") ||
	    add_str(o, "epoch", u->epoch ? u->epoch : "") || add_i64(o, "created", u->created) ||
	    add_i64(o, "updated", u->updated)) {
		cJSON_Delete(o);
		return NULL;
	}
	return print_and_delete(o);
}

int proto_user_decode(const char *data, size_t len, struct proto_user *u)
{
	memset(u, 0, sizeof *u);
	cJSON *root = parse_exact(data, len);
	int rc = PROTO_EBAD;
	if (!cJSON_IsObject(root))
		goto out;
	if ((rc = get_str(root, "name", true, &u->name)) == PROTO_OK &&
	    (rc = get_str(root, "role", true, &u->role)) == PROTO_OK &&
	    (rc = get_str(root, "password_hash", true, &u->password_hash)) == PROTO_OK &&
	    (rc = get_str(root, "epoch", true, &u->epoch)) == PROTO_OK &&
	    (rc = get_i64(root, "created", false, &u->created)) == PROTO_OK)
		rc = get_i64(root, "updated", false, &u->updated);
out:
	if (rc)
		proto_user_free(u);
	cJSON_Delete(root);
	return rc;
}

void proto_session_free(struct proto_session *s)
{
	if (!s)
		return;
	free(s->user);
	free(s->epoch);
	free(s->hash);
	memset(s, 0, sizeof *s);
}

char *proto_session_encode(const struct proto_session *s)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	if (add_str(o, "user", s->user ? s->user : "") ||
	    add_str(o, "epoch", s->epoch ? s->epoch : "") ||
	    add_str(o, "hash", s->hash ? s->hash : "") || add_i64(o, "created", s->created) ||
	    add_i64(o, "last_seen", s->last_seen)) {
		cJSON_Delete(o);
		return NULL;
	}
	return print_and_delete(o);
}

int proto_session_decode(const char *data, size_t len, struct proto_session *s)
{
	memset(s, 0, sizeof *s);
	cJSON *root = parse_exact(data, len);
	int rc = PROTO_EBAD;
	if (!cJSON_IsObject(root))
		goto out;
	if ((rc = get_str(root, "user", true, &s->user)) == PROTO_OK &&
	    (rc = get_str(root, "epoch", true, &s->epoch)) == PROTO_OK &&
	    (rc = get_str(root, "hash", true, &s->hash)) == PROTO_OK &&
	    (rc = get_i64(root, "created", true, &s->created)) == PROTO_OK)
		rc = get_i64(root, "last_seen", true, &s->last_seen);
out:
	if (rc)
		proto_session_free(s);
	cJSON_Delete(root);
	return rc;
}

void proto_apikey_free(struct proto_apikey *k)
{
	if (!k)
		return;
	free(k->label);
	free(k->role);
	free(k->hash);
	memset(k, 0, sizeof *k);
}

char *proto_apikey_encode(const struct proto_apikey *k)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	if (add_str(o, "label", k->label ? k->label : "") ||
	    add_str(o, "role", k->role ? k->role : "") ||
	    add_str(o, "hash", k->hash ? k->hash : "") || add_i64(o, "created", k->created)) {
		cJSON_Delete(o);
		return NULL;
	}
	return print_and_delete(o);
}

int proto_apikey_decode(const char *data, size_t len, struct proto_apikey *k)
{
	memset(k, 0, sizeof *k);
	cJSON *root = parse_exact(data, len);
	int rc = PROTO_EBAD;
	if (!cJSON_IsObject(root))
		goto out;
	if ((rc = get_str(root, "label", true, &k->label)) == PROTO_OK &&
	    (rc = get_str(root, "role", true, &k->role)) == PROTO_OK &&
	    (rc = get_str(root, "hash", true, &k->hash)) == PROTO_OK)
		rc = get_i64(root, "created", false, &k->created);
out:
	if (rc)
		proto_apikey_free(k);
	cJSON_Delete(root);
	return rc;
}

char *proto_failures_encode(const struct proto_failures *f)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	cJSON *a = cJSON_AddArrayToObject(o, "failures");
	if (!a)
		goto fail;
	for (size_t i = 0; i < f->n && i < PROTO_FAILURES_MAX; i++) {
		char buf[32];
		snprintf(buf, sizeof buf, "%" PRId64, f->at[i]);
		cJSON *it = cJSON_CreateRaw(buf);
		if (!it)
			goto fail;
		if (!cJSON_AddItemToArray(a, it)) {
			cJSON_Delete(it);
			goto fail;
		}
	}
	return print_and_delete(o);
fail:
	cJSON_Delete(o);
	return NULL;
}

int proto_failures_decode(const char *data, size_t len, struct proto_failures *f)
{
	memset(f, 0, sizeof *f);
	cJSON *root = parse_exact(data, len);
	int rc = PROTO_EBAD;
	if (!cJSON_IsObject(root))
		goto out;
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(root, "failures");
	if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) > PROTO_FAILURES_MAX)
		goto out;
	const cJSON *it;
	cJSON_ArrayForEach(it, a)
	{
		if ((rc = num_i64(it, &f->at[f->n])) != PROTO_OK)
			goto out;
		f->n++;
	}
	rc = PROTO_OK;
out:
	if (rc)
		memset(f, 0, sizeof *f);
	cJSON_Delete(root);
	return rc;
}

/* Adds {"<name_key>","role","created"} for one listed account or key. */
static int add_listed(cJSON *a, const char *name_key, const char *name, const char *role,
		      int64_t created)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return -1;
	if (add_str(o, name_key, name ? name : "") || add_str(o, "role", role ? role : "") ||
	    add_i64(o, "created", created) || !cJSON_AddItemToArray(a, o)) {
		cJSON_Delete(o);
		return -1;
	}
	return 0;
}

char *proto_cli_users(const struct proto_user *users, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	if (!a)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (add_listed(a, "name", users[i].name, users[i].role, users[i].created)) {
			cJSON_Delete(a);
			return NULL;
		}
	return print_and_delete(a);
}

char *proto_cli_apikeys(const struct proto_apikey *keys, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	if (!a)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (add_listed(a, "label", keys[i].label, keys[i].role, keys[i].created)) {
			cJSON_Delete(a);
			return NULL;
		}
	return print_and_delete(a);
}

char *proto_cli_user_added(const char *name, const char *role, const char *password)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	if (add_str(o, "name", name) || (role && add_str(o, "role", role)) ||
	    (password && add_str(o, "password", password))) {
		cJSON_Delete(o);
		return NULL;
	}
	return print_and_delete(o);
}

char *proto_cli_apikey_added(const char *label, const char *role, const char *key)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	if (add_str(o, "label", label) || add_str(o, "role", role) || add_str(o, "key", key)) {
		cJSON_Delete(o);
		return NULL;
	}
	return print_and_delete(o);
}

/* --- exports and summaries ---------------------------------------------- */

char *proto_export_line(const struct proto_interview *iv, int64_t ended, char *const *answer_ids,
			size_t nanswer_ids, char *const *score_names, size_t nscore_names)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	if (add_str(o, "id", iv->id ? iv->id : "") ||
	    add_str(o, "candidate", iv->candidate ? iv->candidate : "") ||
	    add_str(o, "status", proto_status_name(iv->status)) ||
	    add_i64(o, "created", iv->created))
		goto fail;
	if (ended >= 0 ? add_i64(o, "finished", ended) : add_str(o, "finished", NULL))
		goto fail;
	cJSON *a = cJSON_AddObjectToObject(o, "answers");
	if (!a)
		goto fail;
	for (size_t i = 0; i < nanswer_ids; i++) {
		const char *text = NULL;
		for (size_t k = 0; k < iv->nanswers && !text; k++)
			if (iv->answers[k].id && strcmp(iv->answers[k].id, answer_ids[i]) == 0)
				text = iv->answers[k].text ? iv->answers[k].text : "";
		if (add_str(a, answer_ids[i], text))
			goto fail;
	}
	cJSON *s = cJSON_AddObjectToObject(o, "scores");
	if (!s)
		goto fail;
	for (size_t i = 0; i < nscore_names; i++) {
		const struct proto_score *sc = NULL;
		for (size_t k = 0; k < iv->nscores && !sc; k++)
			if (iv->scores[k].name && strcmp(iv->scores[k].name, score_names[i]) == 0)
				sc = &iv->scores[k];
		cJSON *v = sc && isfinite(sc->value) ? cJSON_CreateNumber(sc->value)
						     : cJSON_CreateNull();
		if (!v)
			goto fail;
		if (!cJSON_AddItemToObject(s, score_names[i], v)) {
			cJSON_Delete(v);
			goto fail;
		}
	}
	if (add_strings(o, "tags", iv->tags, iv->ntags))
		goto fail;
	return print_and_delete(o);
fail:
	cJSON_Delete(o);
	return NULL;
}

void proto_stats_free(struct proto_stats *s)
{
	if (!s)
		return;
	for (size_t i = 0; s->dropoff && i < s->ndropoff; i++)
		free(s->dropoff[i].question);
	free(s->dropoff);
	memset(s, 0, sizeof *s);
}

char *proto_cli_stats(const char *script, const struct proto_stats *s)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	if (add_str(o, "script", script ? script : "") || add_u64(o, "total", s->total) ||
	    add_u64(o, "new", s->status_new) || add_u64(o, "active", s->status_active) ||
	    add_u64(o, "finished", s->status_finished) || add_u64(o, "closed", s->status_closed) ||
	    add_u64(o, "started", s->started))
		goto fail;
	cJSON *a = cJSON_AddArrayToObject(o, "dropoff");
	if (!a)
		goto fail;
	for (size_t i = 0; i < s->ndropoff; i++) {
		cJSON *d = cJSON_CreateObject();
		if (!d)
			goto fail;
		if (!cJSON_AddItemToArray(a, d)) {
			cJSON_Delete(d);
			goto fail;
		}
		if (add_str(d, "question", s->dropoff[i].question ? s->dropoff[i].question : "") ||
		    add_u64(d, "count", s->dropoff[i].count))
			goto fail;
	}
	return print_and_delete(o);
fail:
	cJSON_Delete(o);
	return NULL;
}

/* --- replay reports ----------------------------------------------------- */

struct proto_replay {
	cJSON *interviews;
	size_t count[3]; /* by enum proto_replay_status */
};

static const char *const REPLAY_STATUSES[] = { "same", "different", "failing" };

const char *proto_replay_status_name(enum proto_replay_status s)
{
	return word_name(REPLAY_STATUSES, COUNT(REPLAY_STATUSES), (int)s);
}

/* A number exactly as the record spells it; null when not finite. */
static cJSON *exact_number(double x)
{
	char buf[32];
	if (!isfinite(x))
		return cJSON_CreateNull();
	proto_number_text(x, buf, sizeof buf);
	return cJSON_CreateRaw(buf);
}

static int add_item(cJSON *o, const char *k, cJSON *item)
{
	if (!item)
		return -1;
	if (!cJSON_AddItemToObject(o, k, item)) {
		cJSON_Delete(item);
		return -1;
	}
	return 0;
}

static cJSON *change_turn(const struct proto_turn *t)
{
	if (!t)
		return cJSON_CreateNull();
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	if (add_u64(o, "seq", t->seq) || add_str(o, "role", proto_role_name(t->role)) ||
	    add_str(o, "kind", proto_kind_name(t->kind)) ||
	    add_str(o, "text", t->text ? t->text : "") ||
	    add_strings(o, "choices", t->choices, t->nchoices)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static cJSON *answer_value(const struct proto_answer *a)
{
	if (!a)
		return cJSON_CreateNull();
	if (a->is_number)
		return exact_number(a->number);
	return cJSON_CreateString(a->text ? a->text : "");
}

/* {"old":…,"new":…} */
static int add_old_new(cJSON *o, const char *k, cJSON *old_v, cJSON *new_v)
{
	cJSON *c = cJSON_CreateObject();
	if (add_item(c, "old", old_v)) {
		cJSON_Delete(new_v);
		goto fail;
	}
	if (add_item(c, "new", new_v))
		goto fail;
	return add_item(o, k, c);
fail:
	cJSON_Delete(c);
	return -1;
}

/* {"added":[…],"removed":[…]} */
static int add_added_removed(cJSON *o, const char *k, const char *const *added, size_t nadded,
			     const char *const *removed, size_t nremoved)
{
	cJSON *c = cJSON_AddObjectToObject(o, k);
	return !c || add_strings(c, "added", (char *const *)added, nadded) ||
			       add_strings(c, "removed", (char *const *)removed, nremoved)
		       ? -1
		       : 0;
}

static cJSON *results_change(const struct proto_results_change *r)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *scores = cJSON_AddObjectToObject(o, "scores");
	if (!scores)
		goto fail;
	for (size_t i = 0; i < r->nscores; i++) {
		const struct proto_score_change *s = &r->scores[i];
		cJSON *ov = s->old_value ? exact_number(*s->old_value) : cJSON_CreateNull();
		cJSON *nv = s->new_value ? exact_number(*s->new_value) : cJSON_CreateNull();
		if (!ov || !nv) {
			cJSON_Delete(ov);
			cJSON_Delete(nv);
			goto fail;
		}
		if (add_old_new(scores, s->name ? s->name : "", ov, nv))
			goto fail;
	}
	if (add_added_removed(o, "notes", r->notes_added, r->nnotes_added, r->notes_removed,
			      r->nnotes_removed) ||
	    add_added_removed(o, "tags", r->tags_added, r->ntags_added, r->tags_removed,
			      r->ntags_removed))
		goto fail;
	cJSON *answers = cJSON_AddObjectToObject(o, "answers");
	if (!answers)
		goto fail;
	for (size_t i = 0; i < r->nanswers; i++) {
		const struct proto_answer_change *a = &r->answers[i];
		cJSON *ov = answer_value(a->old_answer), *nv = answer_value(a->new_answer);
		if (!ov || !nv) {
			cJSON_Delete(ov);
			cJSON_Delete(nv);
			goto fail;
		}
		if (add_old_new(answers, a->id ? a->id : "", ov, nv))
			goto fail;
	}
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

static cJSON *replay_interview(const struct proto_replay_interview *iv)
{
	cJSON *o = cJSON_CreateObject();
	if (add_str(o, "id", iv->id ? iv->id : "") ||
	    add_str(o, "candidate", iv->candidate ? iv->candidate : "") ||
	    add_str(o, "status", proto_replay_status_name(iv->status)))
		goto fail;
	cJSON *turns = cJSON_AddArrayToObject(o, "turns");
	if (!turns)
		goto fail;
	for (size_t i = 0; i < iv->nturns; i++) {
		const struct proto_turn_change *c = &iv->turns[i];
		cJSON *t = cJSON_CreateObject();
		if (!t || !cJSON_AddItemToArray(turns, t)) {
			cJSON_Delete(t);
			goto fail;
		}
		if (add_u64(t, "seq", c->seq) ||
		    add_item(t, "recorded", change_turn(c->recorded)) ||
		    add_item(t, "replayed", change_turn(c->replayed)))
			goto fail;
	}
	if (add_item(o, "results", results_change(&iv->results)) || add_str(o, "error", iv->error))
		goto fail;
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

struct proto_replay *proto_replay_new(void)
{
	struct proto_replay *r = calloc(1, sizeof *r);
	if (r && !(r->interviews = cJSON_CreateArray())) {
		free(r);
		r = NULL;
	}
	return r;
}

int proto_replay_add(struct proto_replay *r, const struct proto_replay_interview *iv)
{
	cJSON *o = replay_interview(iv);
	if (!o || !cJSON_AddItemToArray(r->interviews, o)) {
		cJSON_Delete(o);
		return PROTO_ENOMEM;
	}
	if ((size_t)iv->status < COUNT(r->count))
		r->count[iv->status]++;
	return PROTO_OK;
}

char *proto_replay_encode(const struct proto_replay *r, const char *script, const char *file,
			  const char *error)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *summary = NULL;
	if (add_str(o, "script", script ? script : "") || add_str(o, "file", file ? file : "") ||
	    add_str(o, "error", error) ||
	    /* a reference: printed with the document, deleted only with r */
	    !cJSON_AddItemReferenceToObject(o, "interviews", r->interviews) ||
	    !(summary = cJSON_AddObjectToObject(o, "summary")))
		goto fail;
	for (size_t i = 0; i < COUNT(r->count); i++) {
		char n[32];
		snprintf(n, sizeof n, "%zu", r->count[i]);
		if (!cJSON_AddRawToObject(summary, REPLAY_STATUSES[i], n))
			goto fail;
	}
	return print_and_delete(o);
fail:
	cJSON_Delete(o);
	return NULL;
}

void proto_replay_free(struct proto_replay *r)
{
	if (!r)
		return;
	cJSON_Delete(r->interviews);
	free(r);
}

/* --- HTTP API (api.c) --------------------------------------------------- */

/* Overwrites every string of a parsed body before it is freed: the body of a
 * sign-in or a new user holds a password. */
static void wipe_strings(cJSON *j)
{
	for (cJSON *it = j; it; it = it->next) {
		if (cJSON_IsString(it) && it->valuestring)
			explicit_bzero(it->valuestring, strlen(it->valuestring));
		if (it->child)
			wipe_strings(it->child);
	}
}

int proto_api_parse_fields(const char *data, size_t len, struct proto_api_field *fields,
			   size_t n, char *err, size_t errlen, const char **field)
{
	int rc = PROTO_EBAD;
	*field = "body";
	for (size_t i = 0; i < n; i++)
		fields[i].value = NULL;
	cJSON *root = parse_exact(data, len);
	if (!data || len == 0) {
		set_err(err, errlen, "the body is empty; send a JSON object");
		goto out;
	}
	if (!root) {
		set_err(err, errlen, "the body is not valid JSON");
		goto out;
	}
	if (!cJSON_IsObject(root)) {
		set_err(err, errlen, "the body must be a JSON object");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const cJSON *it = cJSON_GetObjectItemCaseSensitive(root, fields[i].name);
		if (!it || cJSON_IsNull(it))
			continue;
		if (!cJSON_IsString(it) || !it->valuestring) {
			*field = fields[i].name;
			if (err && errlen)
				snprintf(err, errlen, "field '%s' must be a string", fields[i].name);
			goto out;
		}
		if (!(fields[i].value = dup_str(it->valuestring))) {
			rc = PROTO_ENOMEM;
			goto out;
		}
	}
	*field = NULL;
	rc = PROTO_OK;
out:
	wipe_strings(root);
	cJSON_Delete(root);
	return rc;
}

void proto_api_fields_free(struct proto_api_field *fields, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (fields[i].value) {
			explicit_bzero(fields[i].value, strlen(fields[i].value));
			free(fields[i].value);
		}
		fields[i].value = NULL;
	}
}

char *proto_api_error(const char *code, const char *message, const char *field)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *e = o ? cJSON_AddObjectToObject(o, "error") : NULL;
	if (!e || add_str(e, "code", code) || add_str(e, "message", message) ||
	    (field && add_str(e, "field", field))) {
		cJSON_Delete(o);
		return NULL;
	}
	return print_and_delete(o);
}

char *proto_api_principal(const char *name, const char *role, bool apikey)
{
	cJSON *o = cJSON_CreateObject();
	if (!o || add_str(o, "name", name) || add_str(o, "role", role) ||
	    (apikey && add_bool(o, "apikey", true))) {
		cJSON_Delete(o);
		return NULL;
	}
	return print_and_delete(o);
}

char *proto_api_scripts(const struct proto_api_script *scripts, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	if (!a)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();
		if (!o || !cJSON_AddItemToArray(a, o)) {
			cJSON_Delete(o);
			goto fail;
		}
		if (add_str(o, "name", scripts[i].name) || add_str(o, "hash", scripts[i].hash) ||
		    add_bool(o, "ok", scripts[i].ok) || add_str(o, "error", scripts[i].error))
			goto fail;
	}
	return print_and_delete(a);
fail:
	cJSON_Delete(a);
	return NULL;
}

char *proto_api_created(const char *id, const char *script, const char *candidate,
			const char *token, const char *url, const char *ws_url)
{
	cJSON *o = cJSON_CreateObject();
	if (!o || add_str(o, "id", id) || add_str(o, "interview_id", id) ||
	    add_str(o, "script", script) || add_str(o, "candidate", candidate ? candidate : "") ||
	    add_str(o, "token", token) || add_str(o, "url", url) || add_str(o, "ws_url", ws_url)) {
		cJSON_Delete(o);
		return NULL;
	}
	return print_and_delete(o);
}

/* Makes sure o has key, adding a fresh empty object or array (or null). */
static int ensure(cJSON *o, const char *key, int type)
{
	if (cJSON_HasObjectItem(o, key))
		return 0;
	cJSON *v = type == cJSON_Object  ? cJSON_CreateObject()
		   : type == cJSON_Array ? cJSON_CreateArray()
					 : cJSON_CreateNull();
	if (!v || !cJSON_AddItemToObject(o, key, v)) {
		cJSON_Delete(v);
		return -1;
	}
	return 0;
}

static cJSON *api_item(const struct proto_interview *iv)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	if (add_str(o, "id", iv->id ? iv->id : "") || add_str(o, "script", iv->script ? iv->script : "") ||
	    add_str(o, "script_hash", iv->script_hash ? iv->script_hash : "") ||
	    add_str(o, "candidate", iv->candidate ? iv->candidate : "") ||
	    add_str(o, "status", proto_status_name(iv->status)) || add_i64(o, "created", iv->created) ||
	    add_i64(o, "updated", iv->updated) ||
	    add_u64(o, "messages", iv->next_seq ? iv->next_seq - 1 : 0))
		goto fail;
	cJSON *s = cJSON_AddObjectToObject(o, "scores");
	if (!s)
		goto fail;
	for (size_t i = 0; i < iv->nscores; i++)
		if (!cJSON_AddNumberToObject(s, iv->scores[i].name ? iv->scores[i].name : "",
					     iv->scores[i].value))
			goto fail;
	if (add_strings(o, "tags", iv->tags, iv->ntags))
		goto fail;
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

char *proto_api_interviews(const struct proto_interview *ivs, size_t n, const char *next_cursor)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *a = o ? cJSON_AddArrayToObject(o, "interviews") : NULL;
	if (!a)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		cJSON *it = api_item(&ivs[i]);
		if (!it || !cJSON_AddItemToArray(a, it)) {
			cJSON_Delete(it);
			goto fail;
		}
	}
	if (add_str(o, "next_cursor", next_cursor))
		goto fail;
	return print_and_delete(o);
fail:
	cJSON_Delete(o);
	return NULL;
}

char *proto_api_interview(const struct proto_interview *iv, const struct proto_turn *turns,
			  size_t n)
{
	cJSON *o = interview_object(iv);
	if (!o)
		return NULL;
	if (add_u64(o, "messages", iv->next_seq ? iv->next_seq - 1 : 0) ||
	    ensure(o, "scores", cJSON_Object) || ensure(o, "answers", cJSON_Object) ||
	    ensure(o, "notes", cJSON_Array) || ensure(o, "tags", cJSON_Array) ||
	    ensure(o, "last_error", cJSON_NULL) || ensure(o, "last_traceback", cJSON_NULL) ||
	    add_turns(o, "transcript", turns, n, true)) {
		cJSON_Delete(o);
		return NULL;
	}
	return print_and_delete(o);
}

/* --- live view and the closing frame ------------------------------------ */

char *proto_api_interview_item(const struct proto_interview *iv)
{
	return print_and_delete(api_item(iv));
}

char *proto_frame_turns(const char *interview_id, enum proto_status status,
			const struct proto_turn *turns, size_t n)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	if (add_str(o, "type", "turns") || add_str(o, "interview_id", interview_id) ||
	    add_str(o, "message", "") || add_str(o, "status", proto_status_name(status)) ||
	    add_turns(o, "messages", turns, n, true)) {
		cJSON_Delete(o);
		return NULL;
	}
	return print_and_delete(o);
}

char *proto_frame_status(const char *interview_id, const char *event, enum proto_status status,
			 const char *script, const char *candidate)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	if (add_str(o, "type", "status") || add_str(o, "interview_id", interview_id) ||
	    add_str(o, "message", "") || add_str(o, "event", event) ||
	    add_str(o, "status", proto_status_name(status)) ||
	    add_str(o, "script", script ? script : "") ||
	    add_str(o, "candidate", candidate ? candidate : "")) {
		cJSON_Delete(o);
		return NULL;
	}
	return print_and_delete(o);
}

char *proto_frame_closed(const char *interview_id)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	if (add_str(o, "message", "This interview has been closed.") ||
	    add_str(o, "type", "response") || add_str(o, "interview_id", interview_id) ||
	    add_str(o, "kind", proto_kind_name(PROTO_KIND_END)) || add_bool(o, "done", true)) {
		cJSON_Delete(o);
		return NULL;
	}
	return print_and_delete(o);
}
