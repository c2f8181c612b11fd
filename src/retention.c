/* retention: one pass over the interviews, and the server's hourly thread.
 * See retention.h.
 *
 * A pass lists every interview, keeps the ended ones that ended before the
 * cutoff and erases them one by one, each its own durable batch: a pass
 * interrupted by a crash has erased some and left the rest for the next. The
 * thread sleeps on a condition variable against the monotonic clock, so a
 * stop does not wait out the hour and a change of the wall clock does not
 * shift the schedule (the cutoff itself is wall-clock time, as the records
 * are). */
#include "retention.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "ops.h"
#include "record.h"

#define INTERVAL_MS (60LL * 60 * 1000) /* once an hour */
/* Tests cannot wait an hour: this variable sets the interval in ms instead
 * (10 ms to a day). Undocumented for operators on purpose. */
#define INTERVAL_ENV "INTERVIEWD_RETENTION_INTERVAL_MS"
#define INTERVAL_MIN_MS 10LL
#define INTERVAL_MAX_MS (24LL * 60 * 60 * 1000)

/* ======================================================================== */
/* One pass                                                                 */
/* ======================================================================== */

static int by_end(const void *a, const void *b)
{
	const struct proto_interview *x = *(const struct proto_interview *const *)a;
	const struct proto_interview *y = *(const struct proto_interview *const *)b;
	if (x->updated != y->updated)
		return x->updated < y->updated ? -1 : 1;
	return strcmp(x->id, y->id);
}

static bool ended_before(const struct proto_interview *iv, int64_t cutoff_ms)
{
	return (iv->status == PROTO_STATUS_FINISHED || iv->status == PROTO_STATUS_CLOSED) &&
	       iv->updated < cutoff_ms;
}

int retention_purge(struct store *st, int64_t cutoff_ms, bool dry_run, retention_fn fn, void *ctx,
		    struct retention_result *res)
{
	struct proto_interview *ivs = NULL, **picked = NULL;
	size_t n = 0, npicked = 0;
	char err[512];

	memset(res, 0, sizeof *res);
	int rc = record_list_interviews(st, &ivs, &n);
	if (rc)
		goto out;
	if (n && !(picked = malloc(n * sizeof *picked))) {
		rc = STORE_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (ended_before(&ivs[i], cutoff_ms))
			picked[npicked++] = &ivs[i];
	if (npicked > 1)
		qsort(picked, npicked, sizeof *picked, by_end);
	for (size_t i = 0; i < npicked; i++) {
		int erc = 0;
		err[0] = '\0';
		if (!dry_run)
			erc = ops_erase_interview(st, picked[i]->id, err, sizeof err);
		if (erc == STORE_ENOTFOUND)
			continue; /* erased meanwhile: what was asked is done */
		if (erc)
			res->failed++;
		else
			res->erased++;
		if (fn)
			fn(ctx, picked[i], erc, err[0] ? err : record_strerror(erc));
	}
out:
	free(picked);
	record_interviews_free(ivs, n);
	return rc;
}

int retention_parse_days(const char *s, unsigned *days)
{
	char *end;
	errno = 0;
	if (!s || *s < '0' || *s > '9')
		return -1;
	unsigned long v = strtoul(s, &end, 10);
	if (*end || errno || v < 1 || v > RETENTION_DAYS_MAX)
		return -1;
	*days = (unsigned)v;
	return 0;
}

/* ======================================================================== */
/* The server's thread                                                      */
/* ======================================================================== */

struct retention {
	struct store *st;
	unsigned days;
	long long interval_ms;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv; /* on CLOCK_MONOTONIC */
	bool stopping;
};

static void log_erased(void *ctx, const struct proto_interview *iv, int rc, const char *err)
{
	(void)ctx;
	char when[32];
	time_t t = (time_t)(iv->updated / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	/* The id only: a log is no place for what a candidate is called or wrote. */
	if (rc == 0)
		log_info("retention: erased interview %s (%s, ended %s)", iv->id,
			 proto_status_name(iv->status), when);
	else
		log_error("retention: cannot erase interview %s: %s", iv->id, err);
}

static void *retention_main(void *arg)
{
	struct retention *r = arg;
	struct timespec next;

	pthread_mutex_lock(&r->mu);
	while (!r->stopping) {
		pthread_mutex_unlock(&r->mu);
		struct retention_result res;
		int64_t cutoff = record_now_ms() - (int64_t)r->days * RETENTION_DAY_MS;
		int rc = retention_purge(r->st, cutoff, false, log_erased, NULL, &res);
		if (rc)
			log_error("retention: cannot list interviews: %s", record_strerror(rc));
		clock_gettime(CLOCK_MONOTONIC, &next);
		next.tv_sec += (time_t)(r->interval_ms / 1000);
		next.tv_nsec += (long)(r->interval_ms % 1000) * 1000000L;
		if (next.tv_nsec >= 1000000000L) {
			next.tv_sec++;
			next.tv_nsec -= 1000000000L;
		}
		pthread_mutex_lock(&r->mu);
		while (!r->stopping && pthread_cond_timedwait(&r->cv, &r->mu, &next) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

/* The interval: an hour, or what INTERVAL_ENV says when it is a number in range. */
static long long interval_ms(void)
{
	const char *env = getenv(INTERVAL_ENV);
	if (!env || !*env)
		return INTERVAL_MS;
	char *end;
	errno = 0;
	long long v = strtoll(env, &end, 10);
	if (*end || errno || v < INTERVAL_MIN_MS || v > INTERVAL_MAX_MS) {
		log_warn("retention: %s=%s is not a number of ms from %lld to %lld; using an hour",
			 INTERVAL_ENV, env, INTERVAL_MIN_MS, INTERVAL_MAX_MS);
		return INTERVAL_MS;
	}
	return v;
}

int retention_start(struct retention **out, struct store *st, unsigned days)
{
	struct retention *r = calloc(1, sizeof *r);
	pthread_condattr_t attr;
	int mu_ok = 0, cv_ok = 0, attr_ok = 0;

	*out = NULL;
	if (!r)
		return -1;
	r->st = st;
	r->days = days;
	r->interval_ms = interval_ms();
	mu_ok = pthread_mutex_init(&r->mu, NULL) == 0;
	attr_ok = pthread_condattr_init(&attr) == 0;
	cv_ok = attr_ok && pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) == 0 &&
		pthread_cond_init(&r->cv, &attr) == 0;
	if (attr_ok)
		pthread_condattr_destroy(&attr);
	if (!mu_ok || !cv_ok)
		goto fail;
	char every[64];
	if (r->interval_ms % 60000 == 0)
		snprintf(every, sizeof every, "%lld min", r->interval_ms / 60000);
	else
		snprintf(every, sizeof every, "%lld ms (" INTERVAL_ENV ")", r->interval_ms);
	log_info("retention: erasing finished and closed interviews %u day%s after they end, "
		 "checked now and every %s",
		 days, days == 1 ? "" : "s", every);
	if (pthread_create(&r->thread, NULL, retention_main, r) != 0)
		goto fail;
	*out = r;
	return 0;
fail:
	if (cv_ok)
		pthread_cond_destroy(&r->cv);
	if (mu_ok)
		pthread_mutex_destroy(&r->mu);
	free(r);
	return -1;
}

void retention_stop(struct retention *r)
{
	if (!r)
		return;
	pthread_mutex_lock(&r->mu);
	r->stopping = true;
	pthread_cond_signal(&r->cv);
	pthread_mutex_unlock(&r->mu);
	pthread_join(r->thread, NULL);
	pthread_cond_destroy(&r->cv);
	pthread_mutex_destroy(&r->mu);
	free(r);
}
