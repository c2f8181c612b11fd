/* retention: erasing the interviews that ended long enough ago.
 *
 * An interview has ended when it is finished or closed; it ended at its
 * record's updated time (nothing changes an ended interview's record, so
 * that is when it finished or was closed). Erasing is ops_erase_interview:
 * the record, every turn, every token and, when no other interview runs it,
 * the pinned script, in one durable batch. `interviewd purge` does one pass on
 * demand; `serve --retention-days N` keeps a thread that does one pass at
 * start and then every hour. */
#ifndef INTERVIEWD_RETENTION_H
#define INTERVIEWD_RETENTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"
#include "store.h"

#define RETENTION_DAYS_MAX 36500 /* a hundred years: longer is a typo */
#define RETENTION_DAY_MS (24LL * 60 * 60 * 1000)

/* Called for each interview a pass picks, after it was erased (or, in a dry
 * run, instead): rc is 0, or the code of a failed erase with err its
 * sentence. iv is the record as listed; it lives for the call only. */
typedef void (*retention_fn)(void *ctx, const struct proto_interview *iv, int rc,
			     const char *err);

/* The summary of one pass. */
struct retention_result {
	size_t erased; /* erased, or that would be in a dry run */
	size_t failed; /* erases that failed (each reported through fn) */
};

/* One pass: every finished or closed interview whose end is before cutoff_ms
 * (ms since the epoch) is erased, oldest end first, unless dry_run; fn (may be
 * NULL) hears of each. One failing erase does not stop the others; an
 * interview erased meanwhile by someone else is skipped silently. Returns 0,
 * or a record or store code when the interviews cannot be listed. */
int retention_purge(struct store *st, int64_t cutoff_ms, bool dry_run, retention_fn fn, void *ctx,
		    struct retention_result *res);

/* Parses --retention-days: a whole number of days from 1 to
 * RETENTION_DAYS_MAX. Returns 0, or -1 when s is anything else. */
int retention_parse_days(const char *s, unsigned *days);

/* Starts the server's retention thread on st: a pass right away, then one
 * every hour, erasing interviews that ended more than days days before the
 * pass, and logging one line per interview erased (its id, never what the
 * candidate wrote). Returns 0, or -1 when the thread cannot start (out of
 * resources). Stop it with retention_stop before closing st. */
struct retention;
int retention_start(struct retention **out, struct store *st, unsigned days);

/* Waits for a pass under way to end, stops the thread, frees r. NULL is
 * fine. */
void retention_stop(struct retention *r);

#endif
