/* play: a script run as the engine runs it, for the authoring commands.
 *
 * check, try, replay and migrate all drive a script through one small player
 * (struct play): open the source in the script host's sandbox with the same
 * limits, feed candidate messages one at a time, and build from the events
 * the transcript entries and results the engine would record (turn.h, limits
 * included). check runs it on generated answers, try prints what it produced,
 * replay and migrate compare it with what the store recorded. This module
 * also prints transcripts and results, and holds what the commands share: a
 * process that runs out of memory says so and exits 2; "--help" and the
 * ignored --data/--scripts options. token_init() must have been called. */
#ifndef INTERVIEWD_PLAY_H
#define INTERVIEWD_PLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "proto.h"
#include "script.h"
#include "turn.h"

/* What a candidate's first message is taken to be. */
#define PLAY_OPENING_MESSAGE "Hello"
/* The interview id (and so math.random seed) try plays under; check's first draw. */
#define PLAY_ID "0000000000000000"

/* The question the script is waiting on (a copy of its ASK event). */
struct play_ask {
	bool set;
	enum script_ask_type type;
	char *text;
	char **choices;
	size_t nchoices;
	bool has_min, has_max;
	double min, max;
	char **examples; /* opts.examples: answers check must try */
	size_t nexamples;
	int line;
	size_t index; /* answers accepted before it was asked: which question it is */
};

struct play {
	struct script *s;
	char *chunk;
	struct proto_interview iv; /* results, kept as the engine keeps them */
	struct turn_log log;       /* the transcript, as the engine records it */
	char *section;
	struct play_ask pending;
	size_t accepted; /* answers the script has taken, all feeds together */
	bool finished;
	bool failed;
	struct script_error err;
	size_t feeds;
	uint64_t conv; /* hash of every turn so far: the conversation as seen */
};

/* What one feed did. */
struct play_fed {
	size_t first_bot; /* index in play.log of its first bot message */
	size_t nbot;
	size_t accepted;  /* ANSWER events: the host emits one for every answer taken */
	bool reasked;     /* the answer was not taken: the question is asked again */
	bool gave_up;     /* it was not taken, and the question's retries ran out */
};

/* Compiles src as interview id of candidate (never NULL; "" for none);
 * chunk is what errors name it by. Returns 0, or a SCRIPT_E* code with
 * p->err filled and p->failed set. Close p in either case. */
int play_open(struct play *p, const char *chunk, const char *src, size_t len, const char *id,
	      const char *candidate);
/* play_open at a given script API level (script.h): a recorded interview's
 * iv.api_level, so replay and migrate see what the server saw. play_open is
 * this at SCRIPT_API_LEVEL, what a new interview gets (check, try). */
int play_open_level(struct play *p, const char *chunk, const char *src, size_t len,
		    const char *id, const char *candidate, int api_level);

/* Feeds one candidate message: the candidate turn, then every bot message
 * and result it caused. The candidate turn is kept even when the script fails
 * on it or a limit refuses it, so a report can show it. Returns 0, or a
 * SCRIPT_E* or TURN_E* code (p->failed set, p->err filled; a refused turn is
 * described as the server records it, turn_describe). */
int play_feed(struct play *p, const char *text, struct play_fed *fi);

void play_close(struct play *p);

/* The conversation's hash (p->conv) as it would be once the candidate sent
 * text: check knows a path it has already seen end in a finding by it. */
uint64_t play_conv_after(const struct play *p, const char *text);

/* ---- printing ------------------------------------------------------------ */

/* "FILE:LINE: message" for a script error into buf; the host already puts
 * the place in front when it knows it. */
void play_format_error(char *buf, size_t n, const char *chunk, const struct script_error *e);

/* s as a JSON-style quoted string on one line (\n shown as such), shortened
 * to at most max bytes at a character boundary (SIZE_MAX: never), with its
 * length after it when shortened. */
void play_put_quoted(FILE *f, const char *s, size_t max);
/* A message quoted in a report: play_put_quoted at 80 bytes. */
void play_put_text(FILE *f, const char *s);
/* "ask "Which?" [C, Lua]" / "candidate message "C"" */
void play_put_turn(FILE *f, const struct proto_turn *t);
/* text with indent after each newline. */
void play_print_indented(FILE *f, const char *text, const char *indent);
/* p's transcript from entry from on, a line per message, marking section
 * changes (prev_section: the one in force before from, or NULL). */
void play_print_turns(FILE *f, const struct play *p, size_t from, const char *prev_section);
/* status, answers, scores, notes and tags. */
void play_print_results(FILE *f, const struct proto_interview *iv);

/* ---- shared by the commands ---------------------------------------------- */

/* Print "interviewd: out of memory" and exit 2: a failure of the tool. */
_Noreturn void play_oom(void);
/* strdup (NULL gives "") and realloc that call play_oom() instead of failing. */
char *play_strdup(const char *s);
void *play_realloc(void *p, size_t n);

void play_strv_free(char **v, size_t n);
/* Appends a copy of s to v[0..*n). */
void play_strv_push(char ***v, size_t *n, const char *s);
bool play_strv_equal(char *const *a, size_t na, char *const *b, size_t nb);
/* strcmp == 0 with NULL read as "". */
bool play_str_eq(const char *a, const char *b);

/* "--help" or "-h". */
bool play_is_help(const char *arg);
/* Every command accepts --data DIR and --scripts DIR (README); check and try
 * read neither, so they take and ignore them. Returns how many arguments
 * starting at argv[i] are such an option (0: none). */
int play_dir_option(int argc, char **argv, int i);

#endif
