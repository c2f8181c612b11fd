/* signin: the sign-in failure limit.
 *
 * A sign-in attempt counts against the name it tries ("user:NAME") and the
 * address it comes from ("addr:ADDR"): records of recent failure times in the
 * store's SIGNIN database, so every process and restart sees the same counts.
 * The attempt is recorded before the password is checked and taken back when
 * it succeeds, so concurrent guesses cannot slip past the limit; each update
 * is one conditional batch, retried when another writer got there first.
 * account.c drives it from account_sign_in and sweeps its stale records.
 * Times are milliseconds since the epoch, passed in by the caller. Functions
 * return 0 or a SIGNIN_E* code (signin_strerror() gives the sentence); a store
 * failure is logged with its detail. */
#ifndef INTERVIEWD_SIGNIN_H
#define INTERVIEWD_SIGNIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define SIGNIN_FAILURES 10                  /* allowed per name and per address... */
#define SIGNIN_WINDOW_MS (15LL * 60 * 1000) /* ...in any window this long */
#define SIGNIN_ADDR_MAX 128                 /* client address bytes kept in a key */

enum {
	SIGNIN_OK = 0,
	SIGNIN_ELIMITED = -900, /* a key already holds SIGNIN_FAILURES in the window */
	SIGNIN_ESTORE = -901,   /* the store failed (logged), or lost every retry */
	SIGNIN_ENOMEM = -902,
};

/* A sentence for any SIGNIN_E* code (static; never NULL). */
const char *signin_strerror(int code);

/* The records one attempt counts against. Plain values: nothing to free. */
struct signin_keys {
	struct signin_key {
		char key[8 + SIGNIN_ADDR_MAX];
		size_t len;
	} v[2];
	size_t n;
};

/* Sets k to "user:NAME" (unless name is NULL: a malformed name, which cannot
 * exist, counts against its address only) and "addr:ADDR", ADDR being
 * client_addr cut to SIGNIN_ADDR_MAX bytes, or "unknown" when NULL or "". */
void signin_keys_of(struct signin_keys *k, const char *name, const char *client_addr);

/* Records an attempt at now against every key of k, unless one of them
 * already holds SIGNIN_FAILURES within SIGNIN_WINDOW_MS: then nothing is
 * written, SIGNIN_ELIMITED, and *wait_ms gets how long until the key that
 * waits longest allows one more attempt (0 otherwise). */
int signin_reserve(struct store *st, const struct signin_keys *k, int64_t now, int64_t *wait_ms);

/* Takes back the attempt signin_reserve recorded at `at`: it was not a
 * failure. 0 also when a key no longer holds it. */
int signin_release(struct store *st, const struct signin_keys *k, int64_t at);

/* True when a stored failure record (val, vlen) has nothing left in the
 * window at now, or does not decode: a sweep may delete it. */
bool signin_record_stale(const void *val, size_t vlen, int64_t now);

#endif
