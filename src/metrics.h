/* metrics: counters and histograms for the operator, and their Prometheus
 * text (exposition format 0.0.4).
 *
 * Instruments are lock-free (atomics) where a hot path touches them: a turn,
 * a commit. A labelled counter keeps at most METRICS_FAMILY_MAX label values
 * and counts the rest under "other", so a stream of new script names cannot
 * grow memory or a scrape without bound. The process-wide instruments below
 * are globals, like the log: one process serves one store. Rendering appends
 * to a growable buffer; nothing here knows about HTTP. */
#ifndef INTERVIEWD_METRICS_H
#define INTERVIEWD_METRICS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#define METRICS_BUCKETS_MAX 16  /* finite bucket bounds of one histogram */
#define METRICS_FAMILY_MAX 256  /* label values of one labelled counter */
#define METRICS_LABEL_MAX 128   /* bytes kept of one label value */

/* Seconds observed into fixed buckets. counts[i] is the bucket's own count
 * (not cumulative: rendering sums them); counts[nbounds] is above the last
 * bound. The sum is kept in nanoseconds. */
struct metrics_histogram {
	const double *bounds; /* ascending upper bounds, at most METRICS_BUCKETS_MAX */
	size_t nbounds;
	atomic_ullong counts[METRICS_BUCKETS_MAX + 1];
	atomic_ullong sum_ns;
};
#define METRICS_HISTOGRAM_INIT(b) { .bounds = (b), .nbounds = sizeof(b) / sizeof((b)[0]) }

void metrics_histogram_observe(struct metrics_histogram *h, double seconds);

/* A counter with one label, bounded (see the banner). */
struct metrics_family {
	pthread_mutex_t lock;
	size_t n;
	char labels[METRICS_FAMILY_MAX][METRICS_LABEL_MAX];
	unsigned long long counts[METRICS_FAMILY_MAX];
	unsigned long long other; /* label values past the first METRICS_FAMILY_MAX */
};
#define METRICS_FAMILY_INIT { .lock = PTHREAD_MUTEX_INITIALIZER }

/* Adds 1 to label's count (a NULL or empty label counts as "unknown"). */
void metrics_family_inc(struct metrics_family *f, const char *label);
/* The count of label, "other" included; 0 when never counted. */
unsigned long long metrics_family_get(struct metrics_family *f, const char *label);

/* ---- the process's instruments ------------------------------------------- */

extern struct metrics_histogram metrics_turn_seconds;   /* message received to reply sent */
extern struct metrics_histogram metrics_commit_seconds; /* store_commit call to durable */
extern struct metrics_family metrics_script_errors;     /* by script name */
extern struct metrics_family metrics_handshakes_refused; /* by reason (a fixed word) */

/* ---- rendering ------------------------------------------------------------ */

/* Text being built. On out of memory it stops growing and failed is set. */
struct metrics_buf {
	char *data; /* NUL-terminated; free with metrics_buf_free */
	size_t len, cap;
	bool failed;
};
void metrics_buf_free(struct metrics_buf *b);

/* "# HELP name help" and "# TYPE name type" (help escaped as the format asks). */
void metrics_write_header(struct metrics_buf *b, const char *name, const char *type,
			  const char *help);
/* One sample line: name{lname="lvalue"} value. lname or lvalue NULL: no label; lvalue
 * is escaped (backslash, double quote, newline). */
void metrics_write_sample(struct metrics_buf *b, const char *name, const char *lname,
			  const char *lvalue, unsigned long long value);
/* As metrics_write_sample with a fractional value. */
void metrics_write_sample_f(struct metrics_buf *b, const char *name, const char *lname,
			    const char *lvalue, double value);
/* A whole histogram: header, cumulative _bucket lines with le ending in
 * "+Inf", _sum (seconds) and _count. */
void metrics_write_histogram(struct metrics_buf *b, const char *name, const char *help,
			     struct metrics_histogram *h);
/* A whole labelled counter: header and one line per label value ("other"
 * last, when any value fell there). */
void metrics_write_family(struct metrics_buf *b, const char *name, const char *help,
			  const char *lname, struct metrics_family *f);

/* What the caller reads from the engine, store and server at scrape time. */
struct metrics_snapshot {
	unsigned long long turns;
	unsigned websockets_open;
	const char *const *status_names; /* interviews by status, nstatus of each */
	const unsigned long long *status_counts;
	size_t nstatus;
	bool statuses_known;             /* false: the count could not be taken */
	unsigned long long commits, batches;
	unsigned long long lmdb_map_bytes, lmdb_used_bytes;
	unsigned lua_states;
	unsigned long long lua_memory_bytes;
};

/* Appends every interviewd_ metric: the snapshot's and the process's
 * instruments. Returns 0, or -1 when out of memory (b->failed). */
int metrics_render(struct metrics_buf *b, const struct metrics_snapshot *s);

#endif
