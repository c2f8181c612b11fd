/* script: the Lua 5.4 host. One sandboxed lua_State per interview.
 *
 * A script's body is the conversation. It runs as a coroutine: say() and
 * friends append events to the current output, ask()/choose()/ask_number()
 * yield until the next candidate message is fed in. Nothing here does I/O or
 * knows about LMDB or sockets; feeding the same messages to a script opened
 * with the same env always yields the same events (math.random is seeded from
 * the interview id), which is what replay after a restart relies on.
 *
 * Limits: every script_feed() call has an instruction budget (a count hook
 * that, once tripped, fires on every instruction so pcall cannot swallow it)
 * and a wall-clock limit (checked at counts and at every call, for work done
 * inside C library functions),
 * the whole state has a memory cap (a counting allocator), and outputs are
 * bounded in count and size. Hitting any of them fails that feed; the state is
 * then dead and the caller rebuilds it from the transcript if it wants to. */
#ifndef INTERVIEWD_SCRIPT_H
#define INTERVIEWD_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Error codes, in -401..-499 so that none equals another module's code and a
 * code passed up through record or engine still says where it came from. */
enum {
	SCRIPT_OK = 0,
	SCRIPT_ESYNTAX = -401,   /* the chunk does not compile */
	SCRIPT_ERUNTIME = -402,  /* a Lua error escaped the script */
	SCRIPT_EBUDGET = -403,   /* the per-feed instruction budget or time limit ran out */
	SCRIPT_EMEMORY = -404,   /* the memory cap was hit */
	SCRIPT_ELIMIT = -405,    /* too many / too large events in one feed */
	SCRIPT_EFINISHED = -406, /* fed after the interview finished */
	SCRIPT_EDEAD = -407,     /* fed after an earlier error killed the state */
	SCRIPT_ENOMEM = -408,    /* the host itself ran out of memory */
};

/* A sentence for a SCRIPT_E* code (lower case, no full stop, so it reads
 * inside a longer message); a generic one for any other code. Static text:
 * never free it. */
const char *script_strerror(int code);

enum script_event_kind {
	SCRIPT_EV_SAY,     /* text */
	SCRIPT_EV_ASK,     /* text; ask_type, choices/min/max describe the answer wanted,
			    * examples are answers `check` must try (opts.examples) */
	SCRIPT_EV_END,     /* text: the closing message; always the last event */
	SCRIPT_EV_SCORE,   /* name, number */
	SCRIPT_EV_NOTE,    /* text */
	SCRIPT_EV_TAG,     /* name */
	SCRIPT_EV_SECTION, /* name: the transcript part that starts here */
	SCRIPT_EV_ANSWER,  /* name: the ask's id, text: the accepted answer; has_number:
			    * it is the number `number` (ask_number, API level 2); gave_up:
			    * the question's retries ran out and it took its give-up value */
};

enum script_ask_type { SCRIPT_ASK_TEXT, SCRIPT_ASK_CHOICE, SCRIPT_ASK_NUMBER };

struct script_event {
	enum script_event_kind kind;
	char *text;
	char *name;
	double number;
	bool has_number; /* SCRIPT_EV_ANSWER: the answer is a (finite) number */
	/* SCRIPT_EV_ASK only */
	enum script_ask_type ask_type;
	char **choices;
	size_t nchoices;
	bool has_min, has_max;
	double min, max;
	char **examples; /* at most 32, each at most 16 KiB; numbers as text */
	size_t nexamples;
	/* SCRIPT_EV_ANSWER only */
	bool gave_up;
	int line; /* script line that emitted the event, 0 if unknown */
};

/* What one feed produced, in order. */
struct script_output {
	struct script_event *events;
	size_t n;
	bool finished; /* the script called finish() or returned */
};
void script_output_free(struct script_output *out);

struct script_limits {
	uint64_t instructions; /* per feed; 0: default 20,000,000 */
	size_t memory;         /* bytes for the whole state; 0: default 32 MiB */
	unsigned milliseconds; /* wall clock per feed, C library work included;
				* 0: default 2000 (a safety net: turns take ~1 ms) */
};

/* The behaviour of the script API, pinned per interview so that a host change
 * never changes what a replay of a recorded interview sees. An interview keeps
 * the level it was created at (its record's api_level; absent means 1).
 *   1: ask() returns the answer exactly as typed; every answer is recorded as
 *      text.
 *   2: ask() drops surrounding whitespace (U+00A0 included) unless given
 *      { raw = true }; choose() drops U+00A0 too; a number answer (ask_number)
 *      is recorded as a number (SCRIPT_EV_ANSWER has_number). */
#define SCRIPT_API_LEVEL 2

struct script_env {
	const char *interview_id;   /* interview.id */
	const char *candidate_name; /* candidate.name; NULL or "" allowed */
	unsigned long long seed;    /* math.random seed (token_seed of the id) */
	struct script_limits limits;
	int api_level; /* 1..SCRIPT_API_LEVEL; 0: SCRIPT_API_LEVEL */
};

/* Why a call failed. message is short and says where ("scripts/demo.lua:12:
 * attempt to call a nil value (global 'sya')"); traceback is the Lua
 * traceback for the log and the interview record. line is 0 when unknown. */
struct script_error {
	int code;
	int line;
	char message[512];
	char traceback[2048];
};

struct script;

/* Compiles source (text only, never bytecode) into a fresh sandbox. chunkname
 * is what error messages show, e.g. "scripts/demo.lua". Nothing runs yet.
 * Returns 0, or SCRIPT_ESYNTAX / SCRIPT_ENOMEM with e filled, or
 * SCRIPT_ERUNTIME for an api_level this host does not know. */
int script_open(struct script **out, const char *chunkname, const char *source, size_t len,
		const struct script_env *env, struct script_error *e);

/* Feeds one candidate message. The first feed starts the script (its text is
 * the candidate's opening message); every later one answers the pending ask.
 * On success out holds the events the script produced until it next waited or
 * finished (free with script_output_free). On failure out is empty, e is
 * filled, and the state is dead: every later feed returns SCRIPT_EDEAD. */
int script_feed(struct script *s, const char *text, size_t len, struct script_output *out,
		struct script_error *e);

/* True once the script called finish() or returned. */
bool script_finished(const struct script *s);

/* Bytes the state holds now (for logs and tests). */
size_t script_memory(const struct script *s);
/* Bytes all states of the process hold now (for the metrics). */
size_t script_memory_total(void);

/* For replaying recorded turns (a rebuild after a restart or an idle drop):
 * true lifts the wall-clock limit of the feeds that follow, false restores it.
 * The instruction budget and the memory cap still hold. They are deterministic,
 * so a turn that passed them live passes them again; the clock is not, and a
 * busy or slower moment must not make a recorded interview impossible to resume. */
void script_set_replaying(struct script *s, bool replaying);

void script_close(struct script *s);

#endif
