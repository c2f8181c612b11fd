/* turn: what one candidate message does to an interview.
 *
 * A turn is the candidate's message followed by every bot message the script
 * said in answer (say, ask, end), numbered from the interview's next_seq; the
 * script's other events (score, note, tag, answer, section) change the
 * interview record. The engine and every authoring command (check, try,
 * replay, migrate) build turns here and nowhere else, so a script meets the
 * same limits, with the same errors, wherever it runs.
 *
 * The limits: a transcript takes no message once it holds TURN_MAX_ENTRIES
 * entries or TURN_MAX_TEXT bytes of text, a candidate message is at most
 * TURN_MAX_MESSAGE bytes, and a turn may not grow the results past
 * TURN_MAX_RESULTS bytes (the record is rewritten at every turn). Functions
 * return 0 or a TURN_E* code; turn_strerror() says it in a sentence. Out of
 * memory is always TURN_ENOMEM, with everything still safe to free. */
#ifndef INTERVIEWD_TURN_H
#define INTERVIEWD_TURN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"
#include "script.h"

enum {
	TURN_OK = 0,
	TURN_ENOMEM = -600,
	TURN_EENTRIES = -601, /* the transcript holds TURN_MAX_ENTRIES entries */
	TURN_ETEXT = -602,    /* the transcript would pass TURN_MAX_TEXT bytes of text */
	TURN_EMESSAGE = -603, /* the candidate's message is over TURN_MAX_MESSAGE bytes */
	TURN_ERESULTS = -604, /* the results would pass TURN_MAX_RESULTS bytes */
};

#define TURN_MAX_ENTRIES 5000
#define TURN_MAX_TEXT (16u << 20)
#define TURN_MAX_MESSAGE PROTO_MAX_FRAME
#define TURN_MAX_RESULTS (1u << 20)

/* A sentence for a TURN_E* code (a static string; "unknown error" otherwise). */
const char *turn_strerror(int code);

/* A transcript in memory: entries in seq order and the bytes of their text
 * (a history frame carries all of it). Zero-initialise; free with
 * turn_log_free. */
struct turn_log {
	struct proto_turn *v;
	size_t n, cap;
	size_t bytes;
};
void turn_log_free(struct turn_log *log);

/* Replaces what log holds with turns[0..n) (a transcript as read from the
 * store), taking ownership of the array and its strings. */
void turn_log_take(struct turn_log *log, struct proto_turn *turns, size_t n);

/* Whether log can take a candidate message of message_len bytes: 0, or
 * TURN_EENTRIES / TURN_ETEXT / TURN_EMESSAGE. Ask before feeding the script:
 * a refused message must not move the conversation on. */
int turn_log_room(const struct turn_log *log, size_t message_len);

/* One turn being built: v[0] is the candidate's message, then the bot
 * messages. Zero-initialise; free with turn_free. */
struct turn {
	struct proto_turn *v;
	size_t n;
	bool finished; /* the script finished in this turn */
};
void turn_free(struct turn *t);

/* Starts t with the candidate's message as entry iv->next_seq, stamped ts and
 * placed in section (NULL: none). client_msg_id may be NULL. iv is not
 * changed. */
int turn_begin(struct turn *t, const struct proto_interview *iv, const char *section,
	       const char *message, const char *client_msg_id, int64_t ts);

/* Adds what the script said in answer to the message turn_begin took: a bot
 * entry per say/ask/end, numbered on from it and stamped like it, each in the
 * section current when it was said (*section follows the section events; a
 * new string, or NULL). Scores, notes, tags and answers (those asked with an
 * id) go into iv, whose next_seq, status and updated then describe the
 * interview after the turn, and whose last error is cleared. Returns
 * TURN_ERESULTS, changing nothing, when the results would pass their bound;
 * TURN_ENOMEM leaves iv and *section partly updated: discard both. */
int turn_apply(struct turn *t, struct proto_interview *iv, char **section,
	       const struct script_output *out);

/* Follows only the section events of out, for a conversation replayed
 * without recording it (a rebuild). */
int turn_follow_section(char **section, const struct script_output *out);

/* Moves every entry of t to the end of log (t is left empty). TURN_ENOMEM
 * moves nothing. */
int turn_log_append(struct turn_log *log, struct turn *t);

/* Describes a refused turn as the script's error, the way an interview
 * records it: message and traceback "CHUNK: <turn_strerror(code)>", line 0,
 * e->code = code. */
void turn_describe(struct script_error *e, const char *chunk, int code);

#endif
