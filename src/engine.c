/* engine: interviews at run time.
 *
 * A session is the in-memory side of one interview: a lock that serialises its
 * turns, the live Lua state, and a copy of the transcript. Sessions are a
 * cache over the store: the interview record is re-read at every request (the
 * CLI may have migrated the script in another process), and when the state is
 * missing or stale it is rebuilt by replaying the recorded candidate messages
 * through the pinned script. A turn's frames are broadcast only after the
 * batch holding it is durable. */
#include "engine.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "proto.h"
#include "record.h"

#define NBUCKETS 1024
/* A transcript's bounds: its entries, and the bytes of their text (a history
 * frame carries all of it). Real interviews stay far below both. */
#define MAX_TURNS 5000
#define MAX_TRANSCRIPT_BYTES (16u << 20)
/* The interview record is rewritten at every turn; its results (notes,
 * scores, answers, tags) are bounded so that stays cheap. */
#define MAX_RESULTS_BYTES (1u << 20)

static const char POLITE_SCRIPT_ERROR[] =
	"Sorry, something went wrong on our side with this step of the interview. Your last answer "
	"was not saved; please send it again in a little while. The interviewer has been told.";

struct session {
	char id[TOKEN_ID_LEN + 1];
	pthread_mutex_t lock; /* held for a whole turn */
	unsigned refs;        /* engine->lock */
	time_t last_used;     /* engine->lock */
	struct session *next; /* hash chain, engine->lock */

	/* Below: session->lock. */
	struct script *script;
	char script_hash[TOKEN_DIGEST_HEX + 1];
	char *section;
	struct proto_turn *turns; /* the transcript as committed */
	size_t nturns, capturns;
	size_t bytes; /* text bytes in turns */
	bool loaded; /* turns mirror the store */
};

struct engine {
	struct store *store;
	struct script_limits limits;
	unsigned max_sessions;
	unsigned idle_seconds;
	pthread_mutex_t lock;
	struct session *buckets[NBUCKETS];
	unsigned count;
	atomic_ullong turns, rebuilds, script_errors;
};

/* ---- sessions ------------------------------------------------------------ */

static unsigned bucket_of(const char *id)
{
	unsigned h = 2166136261u;
	for (; *id; id++)
		h = (h ^ (unsigned char)*id) * 16777619u;
	return h % NBUCKETS;
}

static void session_drop_state(struct session *s)
{
	script_close(s->script);
	s->script = NULL;
	s->script_hash[0] = '\0';
	free(s->section);
	s->section = NULL;
}

static void session_drop_turns(struct session *s)
{
	for (size_t i = 0; i < s->nturns; i++)
		proto_turn_free(&s->turns[i]);
	free(s->turns);
	s->turns = NULL;
	s->nturns = s->capturns = 0;
	s->bytes = 0;
	s->loaded = false;
}

static void session_free(struct session *s)
{
	session_drop_state(s);
	session_drop_turns(s);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/* Unlinks idle sessions: all idle past the timeout, and the least recently
 * used ones while over max_sessions. Called with e->lock held. */
static void evict_locked(struct engine *e, time_t now)
{
	for (unsigned b = 0; b < NBUCKETS; b++) {
		struct session **pp = &e->buckets[b];
		while (*pp) {
			struct session *s = *pp;
			if (s->refs == 0 && now - s->last_used >= (time_t)e->idle_seconds) {
				*pp = s->next;
				e->count--;
				session_free(s);
			} else {
				pp = &s->next;
			}
		}
	}
	while (e->count > e->max_sessions) {
		struct session **oldest = NULL;
		for (unsigned b = 0; b < NBUCKETS; b++)
			for (struct session **pp = &e->buckets[b]; *pp; pp = &(*pp)->next)
				if ((*pp)->refs == 0 && (!oldest || (*pp)->last_used < (*oldest)->last_used))
					oldest = pp;
		if (!oldest)
			break;
		struct session *s = *oldest;
		*oldest = s->next;
		e->count--;
		session_free(s);
	}
}

/* Returns the session of id, locked, creating it if needed. NULL if out of memory. */
static struct session *session_acquire(struct engine *e, const char *id)
{
	pthread_mutex_lock(&e->lock);
	unsigned b = bucket_of(id);
	struct session *s = e->buckets[b];
	while (s && strcmp(s->id, id) != 0)
		s = s->next;
	if (!s) {
		if (e->count >= e->max_sessions)
			evict_locked(e, time(NULL));
		s = calloc(1, sizeof *s);
		if (!s) {
			pthread_mutex_unlock(&e->lock);
			return NULL;
		}
		snprintf(s->id, sizeof s->id, "%s", id);
		pthread_mutex_init(&s->lock, NULL);
		s->next = e->buckets[b];
		e->buckets[b] = s;
		e->count++;
	}
	s->refs++;
	pthread_mutex_unlock(&e->lock);
	pthread_mutex_lock(&s->lock);
	return s;
}

static void session_release(struct engine *e, struct session *s)
{
	pthread_mutex_unlock(&s->lock);
	pthread_mutex_lock(&e->lock);
	s->refs--;
	s->last_used = time(NULL);
	pthread_mutex_unlock(&e->lock);
}

/* ---- frames -------------------------------------------------------------- */

static void send_error(const struct engine_conn *c, const char *id, enum proto_code code,
		       const char *message)
{
	char *f = proto_frame_error(id, code, message);
	if (f) {
		c->reply(c->ctx, f, strlen(f));
		free(f);
	}
}

/* ---- transcript and state ------------------------------------------------ */

static int turns_append(struct session *s, struct proto_turn *t)
{
	if (s->nturns == s->capturns) {
		size_t cap = s->capturns ? s->capturns * 2 : 32;
		struct proto_turn *n = realloc(s->turns, cap * sizeof *n);
		if (!n)
			return -1;
		s->turns = n;
		s->capturns = cap;
	}
	s->bytes += strlen(t->text);
	s->turns[s->nturns++] = *t; /* takes ownership */
	memset(t, 0, sizeof *t);
	return 0;
}

static int load_turns(struct engine *e, struct session *s, const struct proto_interview *iv)
{
	if (s->loaded && s->nturns + 1 == iv->next_seq)
		return 0;
	session_drop_turns(s);
	struct proto_turn *turns = NULL;
	size_t n = 0;
	int rc = record_get_transcript(e->store, s->id, &turns, &n);
	if (rc != 0)
		return rc;
	s->turns = turns;
	s->nturns = s->capturns = n;
	for (size_t i = 0; i < n; i++)
		s->bytes += strlen(turns[i].text);
	s->loaded = true;
	return 0;
}

/* Makes s->script the pinned script, positioned after the recorded turns.
 * Sends nothing: the outputs of replayed feeds were sent long ago. */
static int ensure_state(struct engine *e, struct session *s, const struct proto_interview *iv,
			struct script_error *serr)
{
	if (s->script && strcmp(s->script_hash, iv->script_hash) == 0)
		return 0;
	session_drop_state(s);
	char *src = NULL;
	size_t len = 0;
	int rc = record_get_script(e->store, iv->script_hash, &src, &len);
	if (rc != 0) {
		snprintf(serr->message, sizeof serr->message, "pinned script %.12s is missing from the store",
			 iv->script_hash);
		serr->code = SCRIPT_ERUNTIME;
		return SCRIPT_ERUNTIME;
	}
	char chunk[128];
	snprintf(chunk, sizeof chunk, "scripts/%s.lua", iv->script);
	struct script_env env = {
		.interview_id = iv->id,
		.candidate_name = iv->candidate ? iv->candidate : "",
		.seed = token_seed(iv->id),
		.limits = e->limits,
	};
	struct script *sc = NULL;
	rc = script_open(&sc, chunk, src, len, &env, serr);
	free(src);
	if (rc != 0)
		return rc;
	script_set_replaying(sc, true);
	for (size_t i = 0; i < s->nturns; i++) {
		const struct proto_turn *t = &s->turns[i];
		if (t->role != PROTO_ROLE_CANDIDATE)
			continue;
		struct script_output out = { 0 };
		rc = script_feed(sc, t->text, strlen(t->text), &out, serr);
		if (rc != 0) {
			script_close(sc);
			return rc;
		}
		for (size_t k = 0; k < out.n; k++)
			if (out.events[k].kind == SCRIPT_EV_SECTION) {
				free(s->section);
				s->section = strdup(out.events[k].name);
			}
		script_output_free(&out);
	}
	script_set_replaying(sc, false);
	s->script = sc;
	snprintf(s->script_hash, sizeof s->script_hash, "%s", iv->script_hash);
	atomic_fetch_add(&e->rebuilds, 1);
	return 0;
}

/* ---- results ------------------------------------------------------------- */

static int set_score(struct proto_interview *iv, const char *name, double v)
{
	for (size_t i = 0; i < iv->nscores; i++)
		if (strcmp(iv->scores[i].name, name) == 0) {
			iv->scores[i].value = v;
			return 0;
		}
	struct proto_score *n = realloc(iv->scores, (iv->nscores + 1) * sizeof *n);
	if (!n)
		return -1;
	iv->scores = n;
	n[iv->nscores].name = strdup(name);
	n[iv->nscores].value = v;
	return n[iv->nscores++].name ? 0 : -1;
}

static int set_answer(struct proto_interview *iv, const char *id, const char *text)
{
	for (size_t i = 0; i < iv->nanswers; i++)
		if (strcmp(iv->answers[i].id, id) == 0) {
			char *t = strdup(text);
			if (!t)
				return -1;
			free(iv->answers[i].text);
			iv->answers[i].text = t;
			return 0;
		}
	struct proto_answer *n = realloc(iv->answers, (iv->nanswers + 1) * sizeof *n);
	if (!n)
		return -1;
	iv->answers = n;
	n[iv->nanswers].id = strdup(id);
	n[iv->nanswers].text = strdup(text);
	iv->nanswers++;
	return n[iv->nanswers - 1].id && n[iv->nanswers - 1].text ? 0 : -1;
}

static int push_str(char ***arr, size_t *n, const char *v, bool unique)
{
	if (unique)
		for (size_t i = 0; i < *n; i++)
			if (strcmp((*arr)[i], v) == 0)
				return 0;
	char **a = realloc(*arr, (*n + 1) * sizeof *a);
	if (!a)
		return -1;
	*arr = a;
	a[*n] = strdup(v);
	return a[(*n)++] ? 0 : -1;
}

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

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

/* ---- actions ------------------------------------------------------------- */

static void do_history(struct engine *e, const struct engine_conn *c, struct session *s)
{
	struct proto_interview iv = { 0 };
	int rc = record_get_interview(e->store, s->id, &iv);
	if (rc == STORE_ENOTFOUND) {
		send_error(c, s->id, PROTO_CODE_NOT_FOUND, "interview not found");
		goto out;
	}
	if (rc != 0 || load_turns(e, s, &iv) != 0) {
		send_error(c, s->id, PROTO_CODE_UNAVAILABLE, "the transcript could not be read; try again");
		goto out;
	}
	char *f = proto_frame_history(s->id, iv.status, s->turns, s->nturns);
	if (f) {
		c->reply(c->ctx, f, strlen(f));
		free(f);
	}
out:
	proto_interview_free(&iv);
}

/* A repeat of an already answered client_msg_id: the original replies, to
 * this connection only. Returns true when it was one. */
static bool answer_repeat(const struct engine_conn *c, struct session *s, const char *cmid)
{
	size_t i = 0;
	for (; i < s->nturns; i++)
		if (s->turns[i].client_msg_id && strcmp(s->turns[i].client_msg_id, cmid) == 0)
			break;
	if (i == s->nturns)
		return false;
	size_t end = i + 1;
	while (end < s->nturns && s->turns[end].role == PROTO_ROLE_BOT)
		end++;
	for (size_t k = i + 1; k < end; k++) {
		bool done = k + 1 == end && s->turns[k].kind == PROTO_KIND_END;
		char *f = proto_frame_response_ex(s->id, &s->turns[k], done, true);
		if (f) {
			c->reply(c->ctx, f, strlen(f));
			free(f);
		}
	}
	return true;
}

static void fail_script(struct engine *e, const struct engine_conn *c, struct session *s,
			struct proto_interview *iv, const struct record_read *seen,
			const struct script_error *serr)
{
	atomic_fetch_add(&e->script_errors, 1);
	log_error("interview %s: script error: %s\n%s", s->id, serr->message, serr->traceback);
	session_drop_state(s);
	free(iv->last_error);
	free(iv->last_traceback);
	iv->last_error = strdup(serr->message);
	iv->last_traceback = strdup(serr->traceback);
	iv->updated = record_now_ms();
	struct store_batch *b = store_batch_new();
	char err[256];
	if (!b || record_batch_expect_interview(b, s->id, seen) != 0 ||
	    record_batch_interview(b, iv) != 0 || store_commit(e->store, b, err, sizeof err) != 0)
		log_error("interview %s: could not record the script error", s->id);
	store_batch_free(b);
	send_error(c, s->id, PROTO_CODE_SCRIPT_ERROR, POLITE_SCRIPT_ERROR);
}

static struct proto_turn bot_turn(const struct script_event *ev, uint64_t seq, long long ts,
				  const char *section)
{
	static const enum proto_kind kinds[] = { [SCRIPT_EV_SAY] = PROTO_KIND_SAY,
						 [SCRIPT_EV_ASK] = PROTO_KIND_ASK,
						 [SCRIPT_EV_END] = PROTO_KIND_END };
	struct proto_turn t = {
		.seq = seq,
		.role = PROTO_ROLE_BOT,
		.kind = kinds[ev->kind],
		.text = strdup(ev->text ? ev->text : ""),
		.ts = ts,
		.section = dup_or_null(section),
	};
	if (ev->kind == SCRIPT_EV_ASK && ev->nchoices) {
		t.choices = calloc(ev->nchoices, sizeof *t.choices);
		t.nchoices = ev->nchoices; /* turn_complete() catches a failed calloc */
		for (size_t i = 0; t.choices && i < ev->nchoices; i++)
			t.choices[i] = strdup(ev->choices[i]);
	}
	return t;
}

/* True when every string t should hold was allocated. */
static bool turn_complete(const struct proto_turn *t, const char *cmid)
{
	if (!t->text)
		return false;
	if (t->role == PROTO_ROLE_CANDIDATE && cmid && !t->client_msg_id)
		return false;
	if (t->nchoices == 0 && t->choices == NULL)
		return true;
	if (!t->choices)
		return false;
	for (size_t i = 0; i < t->nchoices; i++)
		if (!t->choices[i])
			return false;
	return true;
}

static void do_message(struct engine *e, const struct engine_conn *c, struct session *s,
		       const struct proto_request *req)
{
	struct proto_interview iv = { 0 };
	struct script_output out = { 0 };
	struct script_error serr = { 0 };
	struct proto_turn *pending = NULL;
	size_t npending = 0;
	struct store_batch *b = NULL;
	struct record_read seen = { 0 };
	char err[256];

	int rc = record_get_interview_as_read(e->store, s->id, &iv, &seen);
	if (rc == STORE_ENOTFOUND) {
		send_error(c, s->id, PROTO_CODE_NOT_FOUND, "interview not found");
		goto out;
	}
	if (rc != 0 || load_turns(e, s, &iv) != 0) {
		send_error(c, s->id, PROTO_CODE_UNAVAILABLE, "the interview could not be read; nothing was recorded");
		goto out;
	}
	if (req->client_msg_id && answer_repeat(c, s, req->client_msg_id))
		goto out;
	if (iv.status == PROTO_STATUS_FINISHED) {
		send_error(c, s->id, PROTO_CODE_INTERVIEW_FINISHED, "this interview has finished; thank you");
		goto out;
	}
	if (s->nturns >= MAX_TURNS || s->bytes + req->message_len > MAX_TRANSCRIPT_BYTES) {
		send_error(c, s->id, PROTO_CODE_TOO_LARGE,
			   "this interview's transcript has reached its size limit; nothing was recorded");
		goto out;
	}
	if (ensure_state(e, s, &iv, &serr) != 0 ||
	    script_feed(s->script, req->message, req->message_len, &out, &serr) != 0) {
		fail_script(e, c, s, &iv, &seen, &serr);
		goto out;
	}

	if (results_bytes(&iv, &out) > MAX_RESULTS_BYTES) {
		serr.code = SCRIPT_ELIMIT;
		snprintf(serr.message, sizeof serr.message,
			 "scripts/%s.lua: the interview's results (notes, scores, answers, tags) would "
			 "pass %u KiB; keep notes short",
			 iv.script, MAX_RESULTS_BYTES >> 10);
		snprintf(serr.traceback, sizeof serr.traceback, "%s", serr.message);
		fail_script(e, c, s, &iv, &seen, &serr);
		goto out;
	}

	/* The turn: the candidate's message, then every bot message it caused. */
	long long now = record_now_ms();
	pending = calloc(out.n + 1, sizeof *pending);
	if (!pending)
		goto oom;
	uint64_t seq = iv.next_seq;
	pending[npending++] = (struct proto_turn){
		.seq = seq,
		.role = PROTO_ROLE_CANDIDATE,
		.kind = PROTO_KIND_MESSAGE,
		.text = strdup(req->message),
		.ts = now,
		.section = dup_or_null(s->section),
		.client_msg_id = dup_or_null(req->client_msg_id),
	};
	seq++;
	for (size_t i = 0; i < out.n; i++) {
		const struct script_event *ev = &out.events[i];
		int r = 0;
		switch (ev->kind) {
		case SCRIPT_EV_SAY:
		case SCRIPT_EV_ASK:
		case SCRIPT_EV_END:
			pending[npending++] = bot_turn(ev, seq++, now, s->section);
			break;
		case SCRIPT_EV_SCORE:
			r = set_score(&iv, ev->name, ev->number);
			break;
		case SCRIPT_EV_NOTE:
			r = push_str(&iv.notes, &iv.nnotes, ev->text, false);
			break;
		case SCRIPT_EV_TAG:
			r = push_str(&iv.tags, &iv.ntags, ev->name, true);
			break;
		case SCRIPT_EV_SECTION:
			free(s->section);
			s->section = dup_or_null(ev->name);
			break;
		case SCRIPT_EV_ANSWER: /* an answer accepted without an id is not kept */
			if (ev->name && ev->name[0])
				r = set_answer(&iv, ev->name, ev->text ? ev->text : "");
			break;
		}
		if (r != 0)
			goto oom;
	}
	iv.status = out.finished ? PROTO_STATUS_FINISHED : PROTO_STATUS_ACTIVE;
	iv.next_seq = seq;
	iv.updated = now;
	free(iv.last_error);
	free(iv.last_traceback);
	iv.last_error = iv.last_traceback = NULL;

	/* Every string of the turn must exist before anything is written: a
	 * NULL would be stored as "" and replayed as a different message. */
	for (size_t i = 0; i < npending; i++)
		if (!turn_complete(&pending[i], req->client_msg_id))
			goto oom;
	b = store_batch_new();
	if (!b || record_batch_expect_interview(b, s->id, &seen) != 0)
		goto oom;
	for (size_t i = 0; i < npending; i++)
		if (record_batch_turn(b, s->id, &pending[i]) != 0)
			goto oom;
	if (record_batch_interview(b, &iv) != 0)
		goto oom;
	rc = store_commit(e->store, b, err, sizeof err);
	if (rc == STORE_ECONFLICT) {
		/* Another process (interviewd migrate) changed the interview while
		 * this turn ran: nothing was written; the client sends again. */
		log_info("interview %s: changed during a turn; asking the client to resend", s->id);
		session_drop_state(s);
		s->loaded = false;
		send_error(c, s->id, PROTO_CODE_UNAVAILABLE,
			   "the interview was updated while your message was handled; please send it again");
		goto out;
	}
	if (rc != 0) {
		/* The script moved on but nothing is recorded: forget the state so the
		 * next message replays from what is durable. */
		log_error("interview %s: commit failed: %s", s->id, err);
		session_drop_state(s);
		send_error(c, s->id, PROTO_CODE_UNAVAILABLE, "your message could not be saved; please send it again");
		goto out;
	}
	atomic_fetch_add(&e->turns, 1);
	if (iv.next_seq - npending == 1)
		log_info("interview %s: started (script %s, candidate '%s')", s->id, iv.script,
			 iv.candidate ? iv.candidate : "");
	if (out.finished)
		log_info("interview %s: finished after %llu messages", s->id,
			 (unsigned long long)iv.next_seq - 1);
	for (size_t i = 1; i < npending; i++) {
		bool done = out.finished && i + 1 == npending;
		char *f = proto_frame_response_ex(s->id, &pending[i], done, false);
		if (f) {
			c->broadcast(c->ctx, s->id, f, strlen(f));
			free(f);
		}
	}
	for (size_t i = 0; i < npending; i++)
		if (turns_append(s, &pending[i]) != 0) {
			s->loaded = false; /* reread next time */
			break;
		}
	goto out;
oom:
	log_error("interview %s: out of memory in a turn", s->id);
	session_drop_state(s);
	send_error(c, s->id, PROTO_CODE_UNAVAILABLE, "the server is out of memory; nothing was recorded");
out:
	if (pending) {
		for (size_t i = 0; i < npending; i++)
			proto_turn_free(&pending[i]);
		free(pending);
	}
	store_batch_free(b);
	script_output_free(&out);
	proto_interview_free(&iv);
	record_read_free(&seen);
}

void engine_handle(struct engine *e, const struct engine_conn *c, const char *data, size_t len)
{
	struct proto_request req = { 0 };
	char err[256];
	if (proto_parse_request(data, len, &req, err, sizeof err) != 0) {
		send_error(c, req.interview_id, PROTO_CODE_BAD_REQUEST, err);
		goto out;
	}
	if (req.action == PROTO_ACTION_UNKNOWN) {
		char m[160];
		snprintf(m, sizeof m, "unknown action '%.64s'; use 'message' or 'history'", req.action_name);
		send_error(c, req.interview_id, PROTO_CODE_UNKNOWN_ACTION, m);
		goto out;
	}
	/* A token opens one interview; any other id gets the same answer as a
	 * missing one, so ids cannot be probed. */
	if (strcmp(req.interview_id, c->interview_id) != 0) {
		send_error(c, req.interview_id, PROTO_CODE_NOT_FOUND, "interview not found");
		goto out;
	}
	struct session *s = session_acquire(e, c->interview_id);
	if (!s) {
		send_error(c, req.interview_id, PROTO_CODE_UNAVAILABLE, "the server is out of memory");
		goto out;
	}
	if (req.action == PROTO_ACTION_HISTORY)
		do_history(e, c, s);
	else
		do_message(e, c, s, &req);
	session_release(e, s);
out:
	proto_request_free(&req);
}

/* ---- lifecycle ----------------------------------------------------------- */

int engine_open(struct engine **out, const struct engine_options *o)
{
	struct engine *e = calloc(1, sizeof *e);
	if (!e)
		return -1;
	e->store = o->store;
	e->limits = o->limits;
	e->max_sessions = o->max_sessions ? o->max_sessions : 2000;
	e->idle_seconds = o->idle_seconds ? o->idle_seconds : 900;
	pthread_mutex_init(&e->lock, NULL);
	*out = e;
	return 0;
}

void engine_sweep(struct engine *e)
{
	pthread_mutex_lock(&e->lock);
	evict_locked(e, time(NULL));
	pthread_mutex_unlock(&e->lock);
}

void engine_get_stats(struct engine *e, struct engine_stats *out)
{
	pthread_mutex_lock(&e->lock);
	out->live_sessions = e->count;
	out->turns = atomic_load(&e->turns);
	out->rebuilds = atomic_load(&e->rebuilds);
	out->script_errors = atomic_load(&e->script_errors);
	pthread_mutex_unlock(&e->lock);
}

void engine_close(struct engine *e)
{
	if (!e)
		return;
	for (unsigned b = 0; b < NBUCKETS; b++)
		while (e->buckets[b]) {
			struct session *s = e->buckets[b];
			e->buckets[b] = s->next;
			session_free(s);
		}
	pthread_mutex_destroy(&e->lock);
	free(e);
}
