/* verify: does a data directory hold together?
 *
 * Reads every database of a store in one read transaction (so the answer is
 * about one moment, even while a server writes) and checks the records
 * against their keys and each other: every record decodes; every transcript
 * holds exactly the seqs 1..next_seq-1 of its interview; every interview's
 * pinned script is there and hashes to its key; every token, session and API
 * key is stored under the hash it names; every token opens an interview that
 * exists. It reads only, and reports rather than repairs. `interviewd verify`
 * (maint.c) prints what it finds; a backup is checked the same way. */
#ifndef INTERVIEWD_VERIFY_H
#define INTERVIEWD_VERIFY_H

#include <stddef.h>

#include "store.h"

/* What was read, by kind, and how many problems were found. */
struct verify_counts {
	size_t interviews, turns, tokens, scripts, users, sessions, apikeys;
	size_t problems;
};

/* Called once per problem: db is the database's name ("turns"), key the
 * record's key as printable text ("3f2a9c0d1e4b5a67/4" for a turn, lowercase
 * hex for a binary key), problem a sentence. The strings live for the call
 * only. The callback must not use the store. */
typedef void (*verify_report_fn)(void *ctx, const char *db, const char *key,
				 const char *problem);

/* Checks every record of st (see above), calling report for each problem
 * (report may be NULL) and filling *counts. Returns 0 when the check ran,
 * whatever it found, or a STORE_E* code when the store could not be read or
 * memory ran out (counts then hold what was seen so far). */
int verify_store(struct store *st, verify_report_fn report, void *ctx,
		 struct verify_counts *counts);

#endif
