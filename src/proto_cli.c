/* proto_cli: what the commands print with --json. Part of the proto module
 * (see proto.c): a created interview, `show` and `list`, the team's users and
 * keys, export lines and stats, and the replay report. Every key a reader may
 * look for is present even when empty, so a script reading the output never
 * tests for a missing one. */
#include "proto.h"
#include "proto_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- CLI outputs -------------------------------------------------------- */

char *proto_cli_created(const char *interview_id, const char *token, const char *url,
			const char *ws_url, const char *script, const char *candidate)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	if (proto_add_str(o, "interview_id", interview_id) || proto_add_str(o, "token", token) ||
	    proto_add_str(o, "url", url) || proto_add_str(o, "ws_url", ws_url) ||
	    proto_add_str(o, "script", script) ||
	    proto_add_str(o, "candidate", candidate ? candidate : "")) {
		cJSON_Delete(o);
		return NULL;
	}
	return proto_print_and_delete(o);
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
	cJSON *rec = proto_interview_object(iv), *o = cJSON_CreateObject();
	if (!rec || !o || proto_add_u64(rec, "messages", iv->next_seq ? iv->next_seq - 1 : 0))
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
	if (proto_add_turns(o, "transcript", turns, n, true)) {
		cJSON_Delete(o);
		return NULL;
	}
	return proto_print_and_delete(o);
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
	return proto_print_and_delete(a);
fail:
	cJSON_Delete(a);
	return NULL;
}

/* --- account lists ------------------------------------------------------ */

/* Adds {"<name_key>","role","created"} for one listed account or key. */
static int add_listed(cJSON *a, const char *name_key, const char *name, const char *role,
		      int64_t created)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return -1;
	if (proto_add_str(o, name_key, name ? name : "") ||
	    proto_add_str(o, "role", role ? role : "") || proto_add_i64(o, "created", created) ||
	    !cJSON_AddItemToArray(a, o)) {
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
	return proto_print_and_delete(a);
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
	return proto_print_and_delete(a);
}

char *proto_cli_user_added(const char *name, const char *role, const char *password)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	if (proto_add_str(o, "name", name) || (role && proto_add_str(o, "role", role)) ||
	    (password && proto_add_str(o, "password", password))) {
		cJSON_Delete(o);
		return NULL;
	}
	return proto_print_and_delete(o);
}

char *proto_cli_apikey_added(const char *label, const char *role, const char *key)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	if (proto_add_str(o, "label", label) || proto_add_str(o, "role", role) ||
	    proto_add_str(o, "key", key)) {
		cJSON_Delete(o);
		return NULL;
	}
	return proto_print_and_delete(o);
}

/* --- exports and summaries ---------------------------------------------- */

char *proto_export_line(const struct proto_interview *iv, int64_t ended, char *const *answer_ids,
			size_t nanswer_ids, char *const *score_names, size_t nscore_names)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	if (proto_add_str(o, "id", iv->id ? iv->id : "") ||
	    proto_add_str(o, "candidate", iv->candidate ? iv->candidate : "") ||
	    proto_add_str(o, "status", proto_status_name(iv->status)) ||
	    proto_add_i64(o, "created", iv->created))
		goto fail;
	if (ended >= 0 ? proto_add_i64(o, "finished", ended) : proto_add_str(o, "finished", NULL))
		goto fail;
	cJSON *a = cJSON_AddObjectToObject(o, "answers");
	if (!a)
		goto fail;
	for (size_t i = 0; i < nanswer_ids; i++) {
		const char *text = NULL;
		for (size_t k = 0; k < iv->nanswers && !text; k++)
			if (iv->answers[k].id && strcmp(iv->answers[k].id, answer_ids[i]) == 0)
				text = iv->answers[k].text ? iv->answers[k].text : "";
		if (proto_add_str(a, answer_ids[i], text))
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
	if (proto_add_strings(o, "tags", iv->tags, iv->ntags))
		goto fail;
	return proto_print_and_delete(o);
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
	if (proto_add_str(o, "script", script ? script : "") ||
	    proto_add_u64(o, "total", s->total) || proto_add_u64(o, "new", s->status_new) ||
	    proto_add_u64(o, "active", s->status_active) ||
	    proto_add_u64(o, "finished", s->status_finished) ||
	    proto_add_u64(o, "closed", s->status_closed) || proto_add_u64(o, "started", s->started))
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
		if (proto_add_str(d, "question",
				  s->dropoff[i].question ? s->dropoff[i].question : "") ||
		    proto_add_u64(d, "count", s->dropoff[i].count))
			goto fail;
	}
	return proto_print_and_delete(o);
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
	return proto_word_name(REPLAY_STATUSES, COUNT(REPLAY_STATUSES), (int)s);
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
	if (proto_add_u64(o, "seq", t->seq) || proto_add_str(o, "role", proto_role_name(t->role)) ||
	    proto_add_str(o, "kind", proto_kind_name(t->kind)) ||
	    proto_add_str(o, "text", t->text ? t->text : "") ||
	    proto_add_strings(o, "choices", t->choices, t->nchoices)) {
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
	return !c || proto_add_strings(c, "added", (char *const *)added, nadded) ||
			       proto_add_strings(c, "removed", (char *const *)removed, nremoved)
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
	if (proto_add_str(o, "id", iv->id ? iv->id : "") ||
	    proto_add_str(o, "candidate", iv->candidate ? iv->candidate : "") ||
	    proto_add_str(o, "status", proto_replay_status_name(iv->status)))
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
		if (proto_add_u64(t, "seq", c->seq) ||
		    add_item(t, "recorded", change_turn(c->recorded)) ||
		    add_item(t, "replayed", change_turn(c->replayed)))
			goto fail;
	}
	if (add_item(o, "results", results_change(&iv->results)) ||
	    proto_add_str(o, "error", iv->error))
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
	if (proto_add_str(o, "script", script ? script : "") ||
	    proto_add_str(o, "file", file ? file : "") || proto_add_str(o, "error", error) ||
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
	return proto_print_and_delete(o);
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
