/* metrics: counters, histograms and the Prometheus text. See metrics.h.
 *
 * The exposition format is line based: "# HELP", "# TYPE", then samples
 * "name{label="value"} number". A histogram's buckets are cumulative and end
 * with le="+Inf", whose count equals _count. Observations land in per-bucket
 * atomics so a turn never takes a lock; a scrape sums them, and may see a
 * count a moment ahead of the sum, which the format tolerates. */
#include "metrics.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const double TURN_BOUNDS[] = { 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
				      0.5,   1,    2.5,   5,    10 };
static const double COMMIT_BOUNDS[] = { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
					0.05,   0.1,   0.25,   0.5,   1,    2.5 };

struct metrics_histogram metrics_turn_seconds = METRICS_HISTOGRAM_INIT(TURN_BOUNDS);
struct metrics_histogram metrics_commit_seconds = METRICS_HISTOGRAM_INIT(COMMIT_BOUNDS);
struct metrics_family metrics_script_errors = METRICS_FAMILY_INIT;
struct metrics_family metrics_handshakes_refused = METRICS_FAMILY_INIT;

/* ---- instruments ---------------------------------------------------------- */

void metrics_histogram_observe(struct metrics_histogram *h, double seconds)
{
	if (!(seconds >= 0)) /* NaN or a clock step back */
		seconds = 0;
	size_t i = 0;
	while (i < h->nbounds && seconds > h->bounds[i])
		i++;
	atomic_fetch_add_explicit(&h->counts[i], 1, memory_order_relaxed);
	double ns = seconds * 1e9;
	atomic_fetch_add_explicit(&h->sum_ns, ns < 1.8e19 ? (unsigned long long)ns : 0,
				  memory_order_relaxed);
}

/* The slot of label, created when there is room; -1: it goes to "other". */
static long family_slot(struct metrics_family *f, const char *label, bool create)
{
	char cut[METRICS_LABEL_MAX];
	snprintf(cut, sizeof cut, "%s", label && label[0] ? label : "unknown");
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->labels[i], cut) == 0)
			return (long)i;
	if (!create || f->n == METRICS_FAMILY_MAX)
		return -1;
	memcpy(f->labels[f->n], cut, sizeof cut);
	f->counts[f->n] = 0;
	return (long)f->n++;
}

void metrics_family_inc(struct metrics_family *f, const char *label)
{
	pthread_mutex_lock(&f->lock);
	long i = family_slot(f, label, true);
	if (i < 0)
		f->other++;
	else
		f->counts[i]++;
	pthread_mutex_unlock(&f->lock);
}

unsigned long long metrics_family_get(struct metrics_family *f, const char *label)
{
	pthread_mutex_lock(&f->lock);
	long i = family_slot(f, label, false);
	unsigned long long n = i < 0 ? (label && strcmp(label, "other") == 0 ? f->other : 0)
				     : f->counts[i];
	pthread_mutex_unlock(&f->lock);
	return n;
}

/* ---- text ------------------------------------------------------------------- */

void metrics_buf_free(struct metrics_buf *b)
{
	free(b->data);
	*b = (struct metrics_buf){ 0 };
}

static void put(struct metrics_buf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *d = realloc(b->data, cap);
		if (!d) {
			b->failed = true;
			return;
		}
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static void puts_(struct metrics_buf *b, const char *s) { put(b, s, strlen(s)); }

static void putf(struct metrics_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(struct metrics_buf *b, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n > 0)
		put(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* Escapes backslash and newline, and in a label value the double quote too. */
static void put_escaped(struct metrics_buf *b, const char *s, bool quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			puts_(b, "\\\\");
		else if (*s == '\n')
			puts_(b, "\\n");
		else if (*s == '"' && quote)
			puts_(b, "\\\"");
		else
			put(b, s, 1);
	}
}

void metrics_write_header(struct metrics_buf *b, const char *name, const char *type,
			  const char *help)
{
	putf(b, "# HELP %s ", name);
	put_escaped(b, help, false);
	putf(b, "\n# TYPE %s %s\n", name, type);
}

static void put_name(struct metrics_buf *b, const char *name, const char *lname,
		     const char *lvalue)
{
	puts_(b, name);
	if (!lname || !lvalue)
		return;
	putf(b, "{%s=\"", lname);
	put_escaped(b, lvalue, true);
	puts_(b, "\"}");
}

void metrics_write_sample(struct metrics_buf *b, const char *name, const char *lname,
			  const char *lvalue, unsigned long long value)
{
	put_name(b, name, lname, lvalue);
	putf(b, " %llu\n", value);
}

void metrics_write_sample_f(struct metrics_buf *b, const char *name, const char *lname,
			    const char *lvalue, double value)
{
	put_name(b, name, lname, lvalue);
	putf(b, " %.9g\n", value);
}

void metrics_write_histogram(struct metrics_buf *b, const char *name, const char *help,
			     struct metrics_histogram *h)
{
	char line[160], le[32];
	unsigned long long cum = 0;
	metrics_write_header(b, name, "histogram", help);
	snprintf(line, sizeof line, "%s_bucket", name);
	for (size_t i = 0; i <= h->nbounds; i++) {
		cum += atomic_load_explicit(&h->counts[i], memory_order_relaxed);
		if (i < h->nbounds)
			snprintf(le, sizeof le, "%g", h->bounds[i]);
		else
			snprintf(le, sizeof le, "+Inf");
		metrics_write_sample(b, line, "le", le, cum);
	}
	snprintf(line, sizeof line, "%s_sum", name);
	metrics_write_sample_f(b, line, NULL, NULL,
			       (double)atomic_load_explicit(&h->sum_ns, memory_order_relaxed) / 1e9);
	snprintf(line, sizeof line, "%s_count", name);
	metrics_write_sample(b, line, NULL, NULL, cum);
}

void metrics_write_family(struct metrics_buf *b, const char *name, const char *help,
			  const char *lname, struct metrics_family *f)
{
	metrics_write_header(b, name, "counter", help);
	pthread_mutex_lock(&f->lock);
	for (size_t i = 0; i < f->n; i++)
		metrics_write_sample(b, name, lname, f->labels[i], f->counts[i]);
	if (f->other)
		metrics_write_sample(b, name, lname, "other", f->other);
	pthread_mutex_unlock(&f->lock);
}

int metrics_render(struct metrics_buf *b, const struct metrics_snapshot *s)
{
	metrics_write_header(b, "interviewd_turns_total", "counter",
			     "Candidate messages committed with their replies.");
	metrics_write_sample(b, "interviewd_turns_total", NULL, NULL, s->turns);
	metrics_write_family(b, "interviewd_script_errors_total",
			     "Turns refused because the script failed, by script (the first 256 "
			     "scripts by name, the rest as other).",
			     "script", &metrics_script_errors);
	metrics_write_header(b, "interviewd_websockets_open", "gauge",
			     "Open WebSocket connections (candidates and the live view).");
	metrics_write_sample(b, "interviewd_websockets_open", NULL, NULL, s->websockets_open);
	metrics_write_family(b, "interviewd_handshakes_refused_total",
			     "WebSocket handshakes answered without an upgrade, by reason.",
			     "reason", &metrics_handshakes_refused);
	if (s->statuses_known) {
		metrics_write_header(b, "interviewd_interviews", "gauge",
				     "Interviews in the store by status (counted at most every 30 s).");
		for (size_t i = 0; i < s->nstatus; i++)
			metrics_write_sample(b, "interviewd_interviews", "status",
					     s->status_names[i], s->status_counts[i]);
	}
	metrics_write_histogram(b, "interviewd_turn_seconds",
				"Time from a candidate message received to its reply sent.",
				&metrics_turn_seconds);
	metrics_write_histogram(b, "interviewd_commit_seconds",
				"Time from a write submitted to the store to durable on disk.",
				&metrics_commit_seconds);
	metrics_write_header(b, "interviewd_store_commits_total", "counter",
			     "Durable LMDB transactions (each holds one or more writes).");
	metrics_write_sample(b, "interviewd_store_commits_total", NULL, NULL, s->commits);
	metrics_write_header(b, "interviewd_store_writes_total", "counter",
			     "Writes (batches) applied, grouped into the commits.");
	metrics_write_sample(b, "interviewd_store_writes_total", NULL, NULL, s->batches);
	metrics_write_header(b, "interviewd_turns_per_commit", "gauge",
			     "Writes per durable commit since the start (group commit's batching).");
	metrics_write_sample_f(b, "interviewd_turns_per_commit", NULL, NULL,
			       s->commits ? (double)s->batches / (double)s->commits : 0.0);
	metrics_write_header(b, "interviewd_lmdb_map_bytes", "gauge",
			     "Size of the LMDB map (grows by doubling when full).");
	metrics_write_sample(b, "interviewd_lmdb_map_bytes", NULL, NULL, s->lmdb_map_bytes);
	metrics_write_header(b, "interviewd_lmdb_used_bytes", "gauge",
			     "Bytes of the LMDB map in use (pages up to the last one written).");
	metrics_write_sample(b, "interviewd_lmdb_used_bytes", NULL, NULL, s->lmdb_used_bytes);
	metrics_write_header(b, "interviewd_lua_states", "gauge",
			     "Live Lua states (interviews kept in memory).");
	metrics_write_sample(b, "interviewd_lua_states", NULL, NULL, s->lua_states);
	metrics_write_header(b, "interviewd_lua_memory_bytes", "gauge",
			     "Bytes held by all Lua states of the process.");
	metrics_write_sample(b, "interviewd_lua_memory_bytes", NULL, NULL, s->lua_memory_bytes);
	return b->failed ? -1 : 0;
}
