/* proto_record: the records the store keeps, as JSON. Part of the proto
 * module (see proto.c): interviews, tokens, users, sessions, API keys and the
 * sign-in failure list, each with its encoder, decoder and *_free. A decoder
 * checks every field's type and frees what it filled when one is wrong, so a
 * caller sees a whole record or PROTO_EBAD. Numbers an answer holds are
 * written as proto_number_text spells them, so they read back exactly. */
#include "proto.h"
#include "proto_internal.h"

#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	proto_free_strings(iv->notes, iv->nnotes);
	proto_free_strings(iv->tags, iv->ntags);
	for (size_t i = 0; iv->answers && i < iv->nanswers; i++) {
		free(iv->answers[i].id);
		free(iv->answers[i].text);
	}
	free(iv->answers);
	free(iv->last_error);
	free(iv->last_traceback);
	memset(iv, 0, sizeof *iv);
}

cJSON *proto_interview_object(const struct proto_interview *iv)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	if (proto_add_str(o, "id", iv->id ? iv->id : "") ||
	    proto_add_str(o, "script", iv->script ? iv->script : "") ||
	    proto_add_str(o, "script_hash", iv->script_hash ? iv->script_hash : "") ||
	    proto_add_str(o, "candidate", iv->candidate ? iv->candidate : "") ||
	    proto_add_str(o, "status", proto_status_name(iv->status)) ||
	    proto_add_i64(o, "created", iv->created) || proto_add_i64(o, "updated", iv->updated) ||
	    proto_add_u64(o, "next_seq", iv->next_seq) ||
	    proto_add_i64(o, "api_level", iv->api_level > 0 ? iv->api_level : 1))
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
	if (iv->nnotes > 0 && proto_add_strings(o, "notes", iv->notes, iv->nnotes))
		goto fail;
	if (iv->ntags > 0 && proto_add_strings(o, "tags", iv->tags, iv->ntags))
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
			} else if (proto_add_str(a, k, an->text ? an->text : "")) {
				goto fail;
			}
		}
	}
	if (iv->last_error && proto_add_str(o, "last_error", iv->last_error))
		goto fail;
	if (iv->last_traceback && proto_add_str(o, "last_traceback", iv->last_traceback))
		goto fail;
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

char *proto_interview_encode(const struct proto_interview *iv)
{
	return proto_print_and_delete(proto_interview_object(iv));
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
		if (!(sc->name = proto_dup_str(it->string)))
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
		if (!(an->id = proto_dup_str(it->string)))
			return PROTO_ENOMEM;
		iv->nanswers++; /* counted now so the free path sees id */
		char buf[32] = "";
		if (num) {
			an->is_number = true;
			an->number = it->valuedouble;
			proto_number_text(an->number, buf, sizeof buf);
		}
		if (!(an->text = proto_dup_str(num ? buf : it->valuestring)))
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
	if ((rc = proto_get_str(o, "id", true, &iv->id)) ||
	    (rc = proto_get_str(o, "script", true, &iv->script)) ||
	    (rc = proto_get_str(o, "script_hash", true, &iv->script_hash)) ||
	    (rc = proto_get_str(o, "candidate", false, &iv->candidate)) ||
	    (rc = proto_get_status(o, "status", &status)) ||
	    (rc = proto_get_i64(o, "created", false, &iv->created)) ||
	    (rc = proto_get_i64(o, "updated", false, &iv->updated)) ||
	    (rc = proto_get_u64(o, "next_seq", true, &iv->next_seq)) ||
	    (rc = proto_get_i64(o, "api_level", false, &level)) || (rc = scores_from(o, iv)) ||
	    (rc = proto_get_strings(o, "notes", &iv->notes, &iv->nnotes)) ||
	    (rc = proto_get_strings(o, "tags", &iv->tags, &iv->ntags)) ||
	    (rc = answers_from(o, iv)) ||
	    (rc = proto_get_str(o, "last_error", false, &iv->last_error)) ||
	    (rc = proto_get_str(o, "last_traceback", false, &iv->last_traceback)))
		return rc;
	if (level < 1 || level > INT_MAX)
		return PROTO_EBAD;
	iv->api_level = (int)level;
	iv->status = (enum proto_status)status;
	if (!iv->candidate && !(iv->candidate = proto_dup_str("")))
		return PROTO_ENOMEM;
	return PROTO_OK;
}

int proto_interview_decode(const char *data, size_t len, struct proto_interview *iv)
{
	memset(iv, 0, sizeof *iv);
	cJSON *root = proto_parse_exact(data, len);
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
	if (proto_add_str(o, "interview_id", t->interview_id ? t->interview_id : "") ||
	    proto_add_str(o, "role", t->role ? t->role : "") ||
	    proto_add_i64(o, "created", t->created) ||
	    proto_add_str(o, "hash", t->hash ? t->hash : "")) {
		cJSON_Delete(o);
		return NULL;
	}
	return proto_print_and_delete(o);
}

int proto_token_decode(const char *data, size_t len, struct proto_token *t)
{
	memset(t, 0, sizeof *t);
	cJSON *root = proto_parse_exact(data, len);
	int rc = PROTO_EBAD;
	if (!cJSON_IsObject(root))
		goto out;
	if ((rc = proto_get_str(root, "interview_id", true, &t->interview_id)) == PROTO_OK &&
	    (rc = proto_get_str(root, "role", true, &t->role)) == PROTO_OK &&
	    (rc = proto_get_i64(root, "created", false, &t->created)) == PROTO_OK)
		rc = proto_get_str(root, "hash", true, &t->hash);
out:
	if (rc)
		proto_token_free(t);
	cJSON_Delete(root);
	return rc;
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
	if (proto_add_str(o, "name", u->name ? u->name : "") ||
	    proto_add_str(o, "role", u->role ? u->role : "") ||
	    proto_add_str(o, "password_hash", u->password_hash ? u->password_hash : "") ||
	    proto_add_str(o, "epoch", u->epoch ? u->epoch : "") ||
	    proto_add_i64(o, "created", u->created) || proto_add_i64(o, "updated", u->updated)) {
		cJSON_Delete(o);
		return NULL;
	}
	return proto_print_and_delete(o);
}

int proto_user_decode(const char *data, size_t len, struct proto_user *u)
{
	memset(u, 0, sizeof *u);
	cJSON *root = proto_parse_exact(data, len);
	int rc = PROTO_EBAD;
	if (!cJSON_IsObject(root))
		goto out;
	if ((rc = proto_get_str(root, "name", true, &u->name)) == PROTO_OK &&
	    (rc = proto_get_str(root, "role", true, &u->role)) == PROTO_OK &&
	    (rc = proto_get_str(root, "password_hash", true, &u->password_hash)) == PROTO_OK &&
	    (rc = proto_get_str(root, "epoch", true, &u->epoch)) == PROTO_OK &&
	    (rc = proto_get_i64(root, "created", false, &u->created)) == PROTO_OK)
		rc = proto_get_i64(root, "updated", false, &u->updated);
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
	if (proto_add_str(o, "user", s->user ? s->user : "") ||
	    proto_add_str(o, "epoch", s->epoch ? s->epoch : "") ||
	    proto_add_str(o, "hash", s->hash ? s->hash : "") ||
	    proto_add_i64(o, "created", s->created) ||
	    proto_add_i64(o, "last_seen", s->last_seen)) {
		cJSON_Delete(o);
		return NULL;
	}
	return proto_print_and_delete(o);
}

int proto_session_decode(const char *data, size_t len, struct proto_session *s)
{
	memset(s, 0, sizeof *s);
	cJSON *root = proto_parse_exact(data, len);
	int rc = PROTO_EBAD;
	if (!cJSON_IsObject(root))
		goto out;
	if ((rc = proto_get_str(root, "user", true, &s->user)) == PROTO_OK &&
	    (rc = proto_get_str(root, "epoch", true, &s->epoch)) == PROTO_OK &&
	    (rc = proto_get_str(root, "hash", true, &s->hash)) == PROTO_OK &&
	    (rc = proto_get_i64(root, "created", true, &s->created)) == PROTO_OK)
		rc = proto_get_i64(root, "last_seen", true, &s->last_seen);
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
	if (proto_add_str(o, "label", k->label ? k->label : "") ||
	    proto_add_str(o, "role", k->role ? k->role : "") ||
	    proto_add_str(o, "hash", k->hash ? k->hash : "") ||
	    proto_add_i64(o, "created", k->created)) {
		cJSON_Delete(o);
		return NULL;
	}
	return proto_print_and_delete(o);
}

int proto_apikey_decode(const char *data, size_t len, struct proto_apikey *k)
{
	memset(k, 0, sizeof *k);
	cJSON *root = proto_parse_exact(data, len);
	int rc = PROTO_EBAD;
	if (!cJSON_IsObject(root))
		goto out;
	if ((rc = proto_get_str(root, "label", true, &k->label)) == PROTO_OK &&
	    (rc = proto_get_str(root, "role", true, &k->role)) == PROTO_OK &&
	    (rc = proto_get_str(root, "hash", true, &k->hash)) == PROTO_OK)
		rc = proto_get_i64(root, "created", false, &k->created);
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
	return proto_print_and_delete(o);
fail:
	cJSON_Delete(o);
	return NULL;
}

int proto_failures_decode(const char *data, size_t len, struct proto_failures *f)
{
	memset(f, 0, sizeof *f);
	cJSON *root = proto_parse_exact(data, len);
	int rc = PROTO_EBAD;
	if (!cJSON_IsObject(root))
		goto out;
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(root, "failures");
	if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) > PROTO_FAILURES_MAX)
		goto out;
	const cJSON *it;
	cJSON_ArrayForEach(it, a)
	{
		if ((rc = proto_num_i64(it, &f->at[f->n])) != PROTO_OK)
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
