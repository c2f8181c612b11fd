/* compare: a recorded interview against a replay of it.
 *
 * replay and migrate both feed an interview's recorded candidate messages to
 * a player (play.h) and ask what differs from what the store holds: every
 * turn the replay changes, drops or adds, aligned candidate message by
 * candidate message, and every change in the results (scores, notes, tags,
 * answers). This module computes that difference, prints it one line per
 * difference, and reads an answer to a choose() the way the prelude reads it,
 * so migrate can tell whether a changed list still gives the answer the same
 * meaning. token_init() must have been called (the player needs it). */
#ifndef INTERVIEWD_COMPARE_H
#define INTERVIEWD_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "play.h"
#include "proto.h"

struct store;

#define COMPARE_QUOTE_MAX 80 /* bytes of a message or answer quoted in a report */

/* Everything that differs between a recorded interview and its replay. The
 * pointers are borrowed from the recorded data and the player; the arrays
 * are owned: free with compare_diff_free. */
struct compare_diff {
	struct proto_turn_change *turns;
	uint64_t *after; /* per turn only the replay has: the recorded seq before it */
	size_t nturns;
	struct proto_score_change *scores;
	size_t nscores;
	const char **notes_added, **notes_removed, **tags_added, **tags_removed;
	size_t nnotes_added, nnotes_removed, ntags_added, ntags_removed;
	struct proto_answer_change *answers;
	size_t nanswers;
};

/* Which option an answer picks, read as choose() reads it (prelude.lua): the
 * option whose text it is, case and surrounding whitespace aside (U+00A0 too
 * from API level 2), else the option it numbers. */
struct compare_pick {
	long index;     /* 0-based; -1: none */
	bool by_number; /* the answer is a number (picked by it, or out of range) */
};

/* Opens the data directory dir for a command that reads recorded
 * interviews. Returns 0, or the exit code 2 with the reason on stderr.
 * Close *st with store_close. */
int compare_open_store(const char *dir, struct store **st);

/* Plays every recorded candidate message of turns[0..n) into p, stopping at
 * the first the script fails on or cannot take because it already finished. */
void compare_play_recorded(struct play *p, const struct proto_turn *turns, size_t n);

/* The end of the group of turns starting at v[i]: the index of the next
 * candidate message after it, or n. */
size_t compare_group_end(const struct proto_turn *v, size_t n, size_t i);

/* Adds to d every turn of the recorded transcript rec that the replayed one
 * (now) lacks, changes or adds, aligned candidate message by candidate
 * message (both were fed the same messages, in order). */
void compare_diff_turns(struct compare_diff *d, const struct proto_turn *rec, size_t nrec,
			const struct proto_turn *now, size_t nnow);

/* Sets d to the whole difference between the recorded interview iv, with its
 * transcript rec, and the player p that replayed it: turns and results. d
 * borrows from all three; free it before them. */
void compare_diff_build(struct compare_diff *d, const struct proto_interview *iv,
			const struct proto_turn *rec, size_t nrec, const struct play *p);

/* True when d holds no difference at all. */
bool compare_diff_empty(const struct compare_diff *d);

/* Frees d's arrays and empties it; d may be empty already. */
void compare_diff_free(struct compare_diff *d);

/* Prints d to f, one line per difference, each starting with indent:
 * "seq 5: ask "Why C?" → ask "Why do you like C?"", "score fit: 6 → 10", ... */
void compare_diff_print(FILE *f, const struct compare_diff *d, const char *indent);

/* Prints "ID (candidate)", or the id alone when there is no candidate name. */
void compare_put_interview(FILE *f, const struct proto_interview *iv);

/* Which of list[0..n) answer picks; nbsp: U+00A0 counts as whitespace (API
 * level 2 and later). */
struct compare_pick compare_choice_pick(const char *answer, char *const *list, size_t n, bool nbsp);

#endif
