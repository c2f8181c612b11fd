/* engine: interviews at run time.
 *
 * Takes decoded candidate requests, runs them through the interview's script
 * and answers with frames. Turns of one interview are serialised by a
 * per-interview lock; a turn is committed durably (candidate message, every
 * bot message it caused, the updated interview record) before any of its
 * frames leaves. Live Lua states are a cache: an interview whose state is
 * missing (restart, eviction, an earlier script error) is rebuilt by feeding
 * its pinned script the recorded candidate messages, sending nothing. */
#ifndef INTERVIEWD_ENGINE_H
#define INTERVIEWD_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

#include "proto.h"
#include "script.h"
#include "store.h"
#include "token.h"

struct engine_options {
	struct store *store;
	struct script_limits limits;
	unsigned max_sessions; /* interviews kept live in memory; default 2000 */
	unsigned idle_seconds; /* states idle this long are dropped; default 900 */
};

struct engine;

int engine_open(struct engine **out, const struct engine_options *o);
/* Waits for turns in progress, drops every state. NULL is fine. */
void engine_close(struct engine *e);

/* The caller's side of one connection. Frames are NUL-terminated JSON. */
struct engine_conn {
	/* To this connection only (errors, history, repeated replies). */
	void (*reply)(void *ctx, const char *frame, size_t len);
	/* To every connection open on interview_id, this one included. Called
	 * with the interview locked, so frames of successive turns keep order. */
	void (*broadcast)(void *ctx, const char *interview_id, const char *frame, size_t len);
	void *ctx;
	/* The interview the connection's token is bound to. */
	char interview_id[TOKEN_ID_LEN + 1];
};

/* Handles one complete inbound text message (already size-checked). Every
 * outcome, including each error code of the protocol, is a frame through c. */
void engine_handle(struct engine *e, const struct engine_conn *c, const char *data, size_t len);

/* Whoever follows interviews as they change (the server's live view). Both
 * are called after the commit, with the interview's turn lock held, so the
 * calls for one interview come in commit order; they must return at once
 * (queue, never write to a socket). A NULL member is not called. */
struct engine_observer {
	/* A committed turn: turns[0..n) are its entries (the candidate's message
	 * first), iv the record after it; finished: this turn ended the script. */
	void (*turn)(void *ctx, const struct proto_interview *iv, const struct proto_turn *turns,
		     size_t n, bool finished);
	/* The script failed on a message; iv holds the error as recorded. */
	void (*script_error)(void *ctx, const struct proto_interview *iv);
	void *ctx;
};

/* Sets (copies) the observer; NULL removes it. Call while no turn runs
 * (before the server accepts connections, after it has stopped). */
void engine_set_observer(struct engine *e, const struct engine_observer *o);

/* Calls fn(arg) between two turns of interview id, holding its turn lock:
 * what fn sends to the interview's connections comes after every frame of a
 * turn committed before and before any frame of the next one. */
void engine_sync(struct engine *e, const char *id, void (*fn)(void *arg), void *arg);

/* Forgets interview id (it was erased): waits for a turn in progress, then
 * drops its Lua state and its copy of the transcript. Nothing cached of it
 * is left; a later message reads the store, which no longer has it. */
void engine_forget(struct engine *e, const char *id);

/* Drops Lua states idle longer than idle_seconds. Call now and then. */
void engine_sweep(struct engine *e);

struct engine_stats {
	unsigned live_sessions;
	unsigned long long turns;
	unsigned long long rebuilds;
	unsigned long long script_errors;
	unsigned long long lua_memory; /* bytes of every live Lua state of the process */
};
void engine_get_stats(struct engine *e, struct engine_stats *out);

#endif
