/* turn: a script's output applied to an interview. See turn.h.
 *
 * Every string is allocated and checked here, once: a NULL that slipped into
 * a turn would be stored as "" and replayed as a different message. Limits
 * are checked before anything changes, so a refused turn leaves the
 * interview as it was. */
#include "turn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *turn_strerror(int code)
{
	switch (code) {
	case TURN_OK:
		return "no error";
	case TURN_ENOMEM:
		return "out of memory";
	case TURN_EENTRIES:
		return "this interview's transcript has reached its size limit (5000 entries)";
	case TURN_ETEXT:
		return "this interview's transcript has reached its size limit (16 MiB of text)";
	case TURN_EMESSAGE:
		return "message is larger than 128 KiB";
	case TURN_ERESULTS:
		return "the interview's results (notes, scores, answers, tags) would pass 1024 KiB; "
		       "keep notes short";
	}
	return "unknown error";
}

/* ---- the transcript ------------------------------------------------------ */

void turn_log_free(struct turn_log *log)
{
	for (size_t i = 0; i < log->n; i++)
		proto_turn_free(&log->v[i]);
	free(log->v);
	memset(log, 0, sizeof *log);
}

static size_t text_bytes(const struct proto_turn *t) { return t->text ? strlen(t->text) : 0; }

void turn_log_take(struct turn_log *log, struct proto_turn *turns, size_t n)
{
	turn_log_free(log);
	log->v = turns;
	log->n = log->cap = n;
	for (size_t i = 0; i < n; i++)
		log->bytes += text_bytes(&turns[i]);
}

int turn_log_room(const struct turn_log *log, size_t message_len)
{
	if (message_len > TURN_MAX_MESSAGE)
		return TURN_EMESSAGE;
	if (log->n >= TURN_MAX_ENTRIES)
		return TURN_EENTRIES;
	if (log->bytes + message_len > TURN_MAX_TEXT)
		return TURN_ETEXT;
	return TURN_OK;
}

int turn_log_append(struct turn_log *log, struct turn *t)
{
	if (log->n + t->n > log->cap) {
		size_t cap = log->cap ? log->cap : 32;
		while (cap < log->n + t->n)
			cap *= 2;
		struct proto_turn *v = realloc(log->v, cap * sizeof *v);
		if (!v)
			return TURN_ENOMEM;
		log->v = v;
		log->cap = cap;
	}
	for (size_t i = 0; i < t->n; i++) {
		log->bytes += text_bytes(&t->v[i]);
		log->v[log->n++] = t->v[i];
	}
	free(t->v);
	memset(t, 0, sizeof *t);
	return TURN_OK;
}

/* ---- building a turn ----------------------------------------------------- */

void turn_free(struct turn *t)
{
	for (size_t i = 0; i < t->n; i++)
		proto_turn_free(&t->v[i]);
	free(t->v);
	memset(t, 0, sizeof *t);
}

/* strdup that keeps NULL: returns 0, or TURN_ENOMEM with *out NULL. */
static int dup_opt(const char *s, char **out)
{
	*out = s ? strdup(s) : NULL;
	return s && !*out ? TURN_ENOMEM : TURN_OK;
}

/* A new entry at the end of t, zeroed; NULL when out of memory. */
static struct proto_turn *push_entry(struct turn *t)
{
	struct proto_turn *v = realloc(t->v, (t->n + 1) * sizeof *v);
	if (!v)
		return NULL;
	t->v = v;
	memset(&v[t->n], 0, sizeof v[t->n]);
	return &v[t->n++];
}

int turn_begin(struct turn *t, const struct proto_interview *iv, const char *section,
	       const char *message, const char *client_msg_id, int64_t ts)
{
	struct proto_turn *c = push_entry(t);
	if (!c)
		return TURN_ENOMEM;
	c->seq = iv->next_seq;
	c->role = PROTO_ROLE_CANDIDATE;
	c->kind = PROTO_KIND_MESSAGE;
	c->ts = ts;
	if (dup_opt(message ? message : "", &c->text) || dup_opt(section, &c->section) ||
	    dup_opt(client_msg_id, &c->client_msg_id))
		return TURN_ENOMEM;
	return TURN_OK;
}

static int bot_entry(struct turn *t, const struct script_event *ev, const char *section)
{
	static const enum proto_kind kinds[] = { [SCRIPT_EV_SAY] = PROTO_KIND_SAY,
						 [SCRIPT_EV_ASK] = PROTO_KIND_ASK,
						 [SCRIPT_EV_END] = PROTO_KIND_END };
	const struct proto_turn *prev = &t->v[t->n - 1];
	uint64_t seq = prev->seq + 1;
	int64_t ts = prev->ts;
	struct proto_turn *b = push_entry(t);
	if (!b)
		return TURN_ENOMEM;
	b->seq = seq;
	b->role = PROTO_ROLE_BOT;
	b->kind = kinds[ev->kind];
	b->ts = ts;
	if (dup_opt(ev->text ? ev->text : "", &b->text) || dup_opt(section, &b->section))
		return TURN_ENOMEM;
	if (ev->kind != SCRIPT_EV_ASK || !ev->nchoices)
		return TURN_OK;
	if (!(b->choices = calloc(ev->nchoices, sizeof *b->choices)))
		return TURN_ENOMEM;
	b->nchoices = ev->nchoices;
	for (size_t i = 0; i < ev->nchoices; i++)
		if (dup_opt(ev->choices[i] ? ev->choices[i] : "", &b->choices[i]))
			return TURN_ENOMEM;
	return TURN_OK;
}

/* ---- results ------------------------------------------------------------- */

static size_t len0(const char *s) { return s ? strlen(s) : 0; }

/* Bytes of results the record would hold after out is applied (an upper
 * bound: a replaced score or answer is counted twice). */
static size_t results_bytes(const struct proto_interview *iv, const struct script_output *out)
{
	size_t n = 0;
	for (size_t i = 0; i < iv->nscores; i++)
		n += len0(iv->scores[i].name) + 16;
	for (size_t i = 0; i < iv->nnotes; i++)
		n += len0(iv->notes[i]);
	for (size_t i = 0; i < iv->ntags; i++)
		n += len0(iv->tags[i]);
	for (size_t i = 0; i < iv->nanswers; i++)
		n += len0(iv->answers[i].id) + len0(iv->answers[i].text);
	for (size_t i = 0; i < out->n; i++) {
		const struct script_event *ev = &out->events[i];
		if (ev->kind == SCRIPT_EV_SCORE)
			n += len0(ev->name) + 16;
		else if (ev->kind == SCRIPT_EV_NOTE)
			n += len0(ev->text);
		else if (ev->kind == SCRIPT_EV_TAG)
			n += len0(ev->name);
		else if (ev->kind == SCRIPT_EV_ANSWER && ev->name && ev->name[0])
			n += len0(ev->name) + len0(ev->text);
	}
	return n;
}

static int set_score(struct proto_interview *iv, const char *name, double v)
{
	for (size_t i = 0; i < iv->nscores; i++)
		if (strcmp(iv->scores[i].name, name) == 0) {
			iv->scores[i].value = v;
			return TURN_OK;
		}
	struct proto_score *n = realloc(iv->scores, (iv->nscores + 1) * sizeof *n);
	if (!n)
		return TURN_ENOMEM;
	iv->scores = n;
	if (!(n[iv->nscores].name = strdup(name)))
		return TURN_ENOMEM;
	n[iv->nscores++].value = v;
	return TURN_OK;
}

/* A number answer keeps the number, and as text the record's spelling of it. */
static int set_answer(struct proto_interview *iv, const char *id, const struct script_event *ev)
{
	char num[32];
	if (ev->has_number)
		proto_number_text(ev->number, num, sizeof num);
	char *t = strdup(ev->has_number ? num : ev->text ? ev->text : "");
	if (!t)
		return TURN_ENOMEM;
	for (size_t i = 0; i < iv->nanswers; i++)
		if (strcmp(iv->answers[i].id, id) == 0) {
			free(iv->answers[i].text);
			iv->answers[i].text = t;
			iv->answers[i].is_number = ev->has_number;
			iv->answers[i].number = ev->number;
			return TURN_OK;
		}
	struct proto_answer *n = realloc(iv->answers, (iv->nanswers + 1) * sizeof *n);
	if (!n)
		goto nomem;
	iv->answers = n;
	if (!(n[iv->nanswers].id = strdup(id)))
		goto nomem;
	n[iv->nanswers].is_number = ev->has_number;
	n[iv->nanswers].number = ev->number;
	n[iv->nanswers++].text = t;
	return TURN_OK;
nomem:
	free(t);
	return TURN_ENOMEM;
}

static int push_str(char ***arr, size_t *n, const char *v, bool unique)
{
	if (unique)
		for (size_t i = 0; i < *n; i++)
			if (strcmp((*arr)[i], v) == 0)
				return TURN_OK;
	char **a = realloc(*arr, (*n + 1) * sizeof *a);
	if (!a)
		return TURN_ENOMEM;
	*arr = a;
	if (!(a[*n] = strdup(v)))
		return TURN_ENOMEM;
	(*n)++;
	return TURN_OK;
}

static int set_section(char **section, const char *name)
{
	char *s = NULL;
	if (dup_opt(name, &s))
		return TURN_ENOMEM;
	free(*section);
	*section = s;
	return TURN_OK;
}

/* ---- applying a script's output ------------------------------------------ */

int turn_apply(struct turn *t, struct proto_interview *iv, char **section,
	       const struct script_output *out)
{
	if (t->n == 0)
		return TURN_ENOMEM; /* turn_begin failed and was not checked */
	if (results_bytes(iv, out) > TURN_MAX_RESULTS)
		return TURN_ERESULTS;
	for (size_t i = 0; i < out->n; i++) {
		const struct script_event *ev = &out->events[i];
		const char *name = ev->name ? ev->name : "";
		int rc = TURN_OK;
		switch (ev->kind) {
		case SCRIPT_EV_SAY:
		case SCRIPT_EV_ASK:
		case SCRIPT_EV_END:
			rc = bot_entry(t, ev, *section);
			break;
		case SCRIPT_EV_SCORE:
			rc = set_score(iv, name, ev->number);
			break;
		case SCRIPT_EV_NOTE:
			rc = push_str(&iv->notes, &iv->nnotes, ev->text ? ev->text : "", false);
			break;
		case SCRIPT_EV_TAG:
			rc = push_str(&iv->tags, &iv->ntags, name, true);
			break;
		case SCRIPT_EV_SECTION:
			rc = set_section(section, ev->name);
			break;
		case SCRIPT_EV_ANSWER: /* an answer accepted without an id is not kept */
			if (name[0])
				rc = set_answer(iv, name, ev);
			break;
		}
		if (rc != TURN_OK)
			return rc;
	}
	t->finished = out->finished;
	iv->next_seq = t->v[t->n - 1].seq + 1;
	iv->status = out->finished ? PROTO_STATUS_FINISHED : PROTO_STATUS_ACTIVE;
	iv->updated = t->v[0].ts;
	free(iv->last_error);
	free(iv->last_traceback);
	iv->last_error = iv->last_traceback = NULL;
	return TURN_OK;
}

int turn_follow_section(char **section, const struct script_output *out)
{
	for (size_t i = 0; i < out->n; i++)
		if (out->events[i].kind == SCRIPT_EV_SECTION &&
		    set_section(section, out->events[i].name) != TURN_OK)
			return TURN_ENOMEM;
	return TURN_OK;
}

void turn_describe(struct script_error *e, const char *chunk, int code)
{
	e->code = code;
	e->line = 0;
	snprintf(e->message, sizeof e->message, "%s: %s", chunk, turn_strerror(code));
	snprintf(e->traceback, sizeof e->traceback, "%s", e->message);
}
