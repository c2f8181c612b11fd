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
#include "metrics.h"
#include "proto.h"
#include "record.h"
#include "turn.h"

#define NBUCKETS 1024

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
	struct turn_log log; /* the transcript as committed */
	bool loaded;         /* log mirrors the store */
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
	struct engine_observer observer; /* set while no turn runs */
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
	turn_log_free(&s->log);
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

/* Returns the session of id, locked, creating it if needed (when create).
 * NULL if out of memory, or when there is none and create is false. */
static struct session *session_acquire(struct engine *e, const char *id, bool create)
{
	pthread_mutex_lock(&e->lock);
	unsigned b = bucket_of(id);
	struct session *s = e->buckets[b];
	while (s && strcmp(s->id, id) != 0)
		s = s->next;
	if (!s && !create) {
		pthread_mutex_unlock(&e->lock);
		return NULL;
	}
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

static int load_turns(struct engine *e, struct session *s, const struct proto_interview *iv)
{
	if (s->loaded && s->log.n + 1 == iv->next_seq)
		return 0;
	session_drop_turns(s);
	struct proto_turn *turns = NULL;
	size_t n = 0;
	int rc = record_get_transcript(e->store, s->id, &turns, &n);
	if (rc != 0)
		return rc;
	turn_log_take(&s->log, turns, n);
	s->loaded = true;
	return 0;
}

/* What script errors name the interview's script by: "scripts/NAME.lua". */
static void chunk_name(char *buf, size_t n, const struct proto_interview *iv)
{
	snprintf(buf, n, "scripts/%s.lua", iv->script);
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
	chunk_name(chunk, sizeof chunk, iv);
	struct script_env env = {
		.interview_id = iv->id,
		.candidate_name = iv->candidate ? iv->candidate : "",
		.seed = token_seed(iv->id),
		.limits = e->limits,
		.api_level = iv->api_level, /* rebuilt exactly as it ran */
	};
	struct script *sc = NULL;
	rc = script_open(&sc, chunk, src, len, &env, serr);
	free(src);
	if (rc != 0)
		return rc;
	script_set_replaying(sc, true);
	for (size_t i = 0; i < s->log.n; i++) {
		const struct proto_turn *t = &s->log.v[i];
		if (t->role != PROTO_ROLE_CANDIDATE)
			continue;
		struct script_output out = { 0 };
		rc = script_feed(sc, t->text, strlen(t->text), &out, serr);
		if (rc == 0 && turn_follow_section(&s->section, &out) != 0) {
			snprintf(serr->message, sizeof serr->message, "%s", turn_strerror(TURN_ENOMEM));
			serr->code = rc = SCRIPT_ENOMEM;
		}
		script_output_free(&out);
		if (rc != 0) {
			script_close(sc);
			return rc;
		}
	}
	script_set_replaying(sc, false);
	s->script = sc;
	snprintf(s->script_hash, sizeof s->script_hash, "%s", iv->script_hash);
	atomic_fetch_add(&e->rebuilds, 1);
	return 0;
}

/* ---- history ------------------------------------------------------------- */

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
	char *f = proto_frame_history(s->id, iv.status, s->log.v, s->log.n);
	if (f) {
		c->reply(c->ctx, f, strlen(f));
		free(f);
	}
out:
	proto_interview_free(&iv);
}

/* ---- a message: read -> feed -> apply -> commit -> publish --------------- */

/* One candidate message on its way. Each step returns 0 to go on, or -1 once
 * it has answered the connection itself (an error, or a repeat's replies). */
struct message {
	const struct proto_request *req;
	struct proto_interview iv; /* the record as read, then as it will be written */
	struct record_read seen;   /* its bytes: the commit expects them unchanged */
	struct script_output out;
	struct turn turn;
};

static void message_free(struct message *m)
{
	turn_free(&m->turn);
	script_output_free(&m->out);
	proto_interview_free(&m->iv);
	record_read_free(&m->seen);
}

/* A repeat of an already answered client_msg_id: the original replies, to
 * this connection only. Returns true when it was one. */
static bool answer_repeat(const struct engine_conn *c, struct session *s, const char *cmid)
{
	const struct turn_log *log = &s->log;
	size_t i = 0;
	for (; i < log->n; i++)
		if (log->v[i].client_msg_id && strcmp(log->v[i].client_msg_id, cmid) == 0)
			break;
	if (i == log->n)
		return false;
	size_t end = i + 1;
	while (end < log->n && log->v[end].role == PROTO_ROLE_BOT)
		end++;
	for (size_t k = i + 1; k < end; k++) {
		bool done = k + 1 == end && log->v[k].kind == PROTO_KIND_END;
		char *f = proto_frame_response_ex(s->id, &log->v[k], done, true);
		if (f) {
			c->reply(c->ctx, f, strlen(f));
			free(f);
		}
	}
	return true;
}

/* The script failed on the message (or its turn broke a limit): the error
 * goes to the log and the interview record, the candidate gets a polite
 * sentence, the message is not recorded and the state is dropped. */
static void fail_script(struct engine *e, const struct engine_conn *c, struct session *s,
			struct message *m, const struct script_error *serr)
{
	struct proto_interview *iv = &m->iv;
	atomic_fetch_add(&e->script_errors, 1);
	metrics_family_inc(&metrics_script_errors, iv->script);
	log_error("interview %s: script error: %s\n%s", s->id, serr->message, serr->traceback);
	session_drop_state(s);
	free(iv->last_error);
	free(iv->last_traceback);
	iv->last_error = strdup(serr->message);
	iv->last_traceback = strdup(serr->traceback);
	iv->updated = record_now_ms();
	struct store_batch *b = store_batch_new();
	char err[256];
	if (!b || record_batch_expect_interview(b, s->id, &m->seen) != 0 ||
	    record_batch_interview(b, iv) != 0 || store_commit(e->store, b, err, sizeof err) != 0)
		log_error("interview %s: could not record the script error", s->id);
	else if (e->observer.script_error)
		e->observer.script_error(e->observer.ctx, iv);
	store_batch_free(b);
	send_error(c, s->id, PROTO_CODE_SCRIPT_ERROR, POLITE_SCRIPT_ERROR);
}

static int fail_nomem(const struct engine_conn *c, struct session *s)
{
	log_error("interview %s: out of memory in a turn", s->id);
	session_drop_state(s);
	send_error(c, s->id, PROTO_CODE_UNAVAILABLE, "the server is out of memory; nothing was recorded");
	return -1;
}

/* The interview as stored, and whether it takes this message. */
static int read_step(struct engine *e, const struct engine_conn *c, struct session *s,
		     struct message *m)
{
	int rc = record_get_interview_as_read(e->store, s->id, &m->iv, &m->seen);
	if (rc == STORE_ENOTFOUND) {
		send_error(c, s->id, PROTO_CODE_NOT_FOUND, "interview not found");
		return -1;
	}
	if (rc != 0 || load_turns(e, s, &m->iv) != 0) {
		send_error(c, s->id, PROTO_CODE_UNAVAILABLE,
			   "the interview could not be read; nothing was recorded");
		return -1;
	}
	if (m->req->client_msg_id && answer_repeat(c, s, m->req->client_msg_id))
		return -1;
	if (m->iv.status == PROTO_STATUS_FINISHED || m->iv.status == PROTO_STATUS_CLOSED) {
		send_error(c, s->id, PROTO_CODE_INTERVIEW_FINISHED,
			   m->iv.status == PROTO_STATUS_CLOSED ? "this interview has been closed"
							       : "this interview has finished; thank you");
		return -1;
	}
	rc = turn_log_room(&s->log, m->req->message_len);
	if (rc == TURN_EMESSAGE) { /* the frame bound keeps this from happening */
		send_error(c, s->id, PROTO_CODE_TOO_LARGE, turn_strerror(rc));
		return -1;
	}
	if (rc != 0) {
		send_error(c, s->id, PROTO_CODE_TOO_LARGE,
			   "this interview's transcript has reached its size limit; nothing was recorded");
		return -1;
	}
	return 0;
}

static int feed_step(struct engine *e, const struct engine_conn *c, struct session *s,
		     struct message *m)
{
	struct script_error serr = { 0 };
	if (ensure_state(e, s, &m->iv, &serr) != 0 ||
	    script_feed(s->script, m->req->message, m->req->message_len, &m->out, &serr) != 0) {
		fail_script(e, c, s, m, &serr);
		return -1;
	}
	return 0;
}

/* The turn: the candidate's message, every bot message it caused, and the
 * record as it will be after them. */
static int apply_step(struct engine *e, const struct engine_conn *c, struct session *s,
		      struct message *m)
{
	int rc = turn_begin(&m->turn, &m->iv, s->section, m->req->message, m->req->client_msg_id,
			    record_now_ms());
	if (rc == 0)
		rc = turn_apply(&m->turn, &m->iv, &s->section, &m->out);
	if (rc == TURN_ENOMEM)
		return fail_nomem(c, s);
	if (rc != 0) {
		struct script_error serr = { 0 };
		char chunk[128];
		chunk_name(chunk, sizeof chunk, &m->iv);
		turn_describe(&serr, chunk, rc);
		fail_script(e, c, s, m, &serr);
		return -1;
	}
	return 0;
}

/* One batch: the turn and the record, written only if nobody else changed
 * the record since it was read. */
static int commit_step(struct engine *e, const struct engine_conn *c, struct session *s,
		       struct message *m)
{
	char err[256];
	int rc = -1;
	struct store_batch *b = store_batch_new();
	if (!b || record_batch_expect_interview(b, s->id, &m->seen) != 0)
		goto nomem;
	for (size_t i = 0; i < m->turn.n; i++)
		if (record_batch_turn(b, s->id, &m->turn.v[i]) != 0)
			goto nomem;
	if (record_batch_interview(b, &m->iv) != 0)
		goto nomem;
	rc = store_commit(e->store, b, err, sizeof err);
	if (rc == STORE_ECONFLICT) {
		/* Another process (interviewd migrate) changed the interview while
		 * this turn ran: nothing was written; the client sends again. */
		log_info("interview %s: changed during a turn; asking the client to resend", s->id);
		session_drop_state(s);
		s->loaded = false;
		send_error(c, s->id, PROTO_CODE_UNAVAILABLE,
			   "the interview was updated while your message was handled; please send it again");
		rc = -1;
	} else if (rc != 0) {
		/* The script moved on but nothing is recorded: forget the state so the
		 * next message replays from what is durable. */
		log_error("interview %s: commit failed: %s", s->id, err);
		session_drop_state(s);
		send_error(c, s->id, PROTO_CODE_UNAVAILABLE,
			   "your message could not be saved; please send it again");
		rc = -1;
	}
	store_batch_free(b);
	return rc;
nomem:
	store_batch_free(b);
	return fail_nomem(c, s);
}

/* Durable: the bot messages go to every connection on the interview, and
 * the turn joins the session's copy of the transcript. */
static void publish_step(struct engine *e, const struct engine_conn *c, struct session *s,
			 struct message *m)
{
	const struct turn *t = &m->turn;
	atomic_fetch_add(&e->turns, 1);
	if (t->v[0].seq == 1)
		log_info("interview %s: started (script %s, candidate '%s')", s->id, m->iv.script,
			 m->iv.candidate ? m->iv.candidate : "");
	if (t->finished)
		log_info("interview %s: finished after %llu messages", s->id,
			 (unsigned long long)m->iv.next_seq - 1);
	for (size_t i = 1; i < t->n; i++) {
		bool done = t->finished && i + 1 == t->n;
		char *f = proto_frame_response_ex(s->id, &t->v[i], done, false);
		if (f) {
			c->broadcast(c->ctx, s->id, f, strlen(f));
			free(f);
		}
	}
	if (e->observer.turn)
		e->observer.turn(e->observer.ctx, &m->iv, t->v, t->n, t->finished);
	if (turn_log_append(&s->log, &m->turn) != 0)
		s->loaded = false; /* reread next time */
}

static void do_message(struct engine *e, const struct engine_conn *c, struct session *s,
		       const struct proto_request *req)
{
	struct message m = { .req = req };
	if (read_step(e, c, s, &m) == 0 && feed_step(e, c, s, &m) == 0 &&
	    apply_step(e, c, s, &m) == 0 && commit_step(e, c, s, &m) == 0)
		publish_step(e, c, s, &m);
	message_free(&m);
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
	struct session *s = session_acquire(e, c->interview_id, true);
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

void engine_set_observer(struct engine *e, const struct engine_observer *o)
{
	if (o)
		e->observer = *o;
	else
		memset(&e->observer, 0, sizeof e->observer);
}

void engine_sync(struct engine *e, const char *id, void (*fn)(void *arg), void *arg)
{
	struct session *s = session_acquire(e, id, true);
	fn(arg); /* out of memory: no session to wait for, but fn still runs */
	if (s)
		session_release(e, s);
}

void engine_forget(struct engine *e, const char *id)
{
	struct session *s = session_acquire(e, id, false);
	if (!s)
		return;
	session_drop_state(s);
	session_drop_turns(s);
	session_release(e, s);
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
	out->lua_memory = script_memory_total();
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
