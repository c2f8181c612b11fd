/* test_store: the LMDB store keeps what store.h promises.
 *
 * Each test gets a fresh data directory under /tmp. Tests that need the
 * writer stalled use a second process holding LMDB's write lock (the same
 * thing the CLI does when it writes while the server runs); that is the only
 * reason this file includes lmdb.h. The helper is forked before the store
 * starts its writer thread, so the child never inherits a thread. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <lmdb.h>

#include "store.h"

struct dirs {
	char tmp[64];
	char data[96];
};

static int setup_dir(void **state)
{
	struct dirs *d = calloc(1, sizeof *d);
	if (d == NULL)
		return -1;
	snprintf(d->tmp, sizeof d->tmp, "/tmp/test_store.XXXXXX");
	if (mkdtemp(d->tmp) == NULL) {
		free(d);
		return -1;
	}
	/* A subdirectory, so store_open's mkdir is exercised too. */
	snprintf(d->data, sizeof d->data, "%s/data", d->tmp);
	*state = d;
	return 0;
}

static int teardown_dir(void **state)
{
	struct dirs *d = *state;
	char path[128];

	snprintf(path, sizeof path, "%s/data.mdb", d->data);
	unlink(path);
	snprintf(path, sizeof path, "%s/lock.mdb", d->data);
	unlink(path);
	rmdir(d->data);
	rmdir(d->tmp);
	free(d);
	return 0;
}

static void msleep(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Waits (at most 10 s) until inflight commits are queued and, if closing,
 * until store_close has begun: conditions, not a guess at how long it takes. */
static void wait_stats(struct store *s, unsigned inflight, bool closing)
{
	struct store_stats st;
	for (int i = 0; i < 10000; i++) {
		store_get_stats(s, &st);
		if (st.inflight >= inflight && (!closing || st.closing))
			return;
		msleep(1);
	}
	fail_msg("store never reached %u in-flight commits%s", inflight,
		 closing ? " and closing" : "");
}


static struct store *open_store(const char *dir, const struct store_options *opt)
{
	char err[256] = "";
	struct store *s = NULL;
	int rc = store_open(&s, dir, opt, err, sizeof err);
	if (rc != STORE_OK)
		fail_msg("store_open: %d %s", rc, err);
	return s;
}

static int put_one(struct store *s, enum store_db db, const char *key, const char *val,
		   int flags)
{
	char err[256] = "";
	struct store_batch *b = store_batch_new();
	assert_non_null(b);
	assert_int_equal(store_batch_put(b, db, key, strlen(key), val, strlen(val), flags), 0);
	int rc = store_commit(s, b, err, sizeof err);
	if (rc != STORE_OK)
		assert_true(err[0] != '\0');
	store_batch_free(b);
	return rc;
}

static void assert_value(struct store *s, enum store_db db, const char *key, const char *want)
{
	char *val = NULL;
	size_t len = 0;
	int rc = store_get(s, db, key, strlen(key), &val, &len);
	if (want == NULL) {
		assert_int_equal(rc, STORE_ENOTFOUND);
		assert_null(val);
		return;
	}
	assert_int_equal(rc, STORE_OK);
	assert_int_equal(len, strlen(want));
	assert_string_equal(val, want);
	free(val);
}

/* --- another process holding the write lock ---------------------------------- */

struct holder {
	pid_t pid;
	int to_child, from_child;
};

static void holder_child(const char *dir, int in, int out)
{
	MDB_env *env = NULL;
	MDB_txn *txn = NULL;
	MDB_dbi dbi;
	MDB_val k = { .mv_size = 10, .mv_data = "from-child" };
	MDB_val v = { .mv_size = 3, .mv_data = "yes" };
	char c;

	if (read(in, &c, 1) != 1 || c != 'g')
		_exit(0); /* not needed by this test */
	if (mdb_env_create(&env) || mdb_env_set_maxdbs(env, 8) ||
	    mdb_env_open(env, dir, 0, 0600) || mdb_txn_begin(env, NULL, 0, &txn) ||
	    mdb_dbi_open(txn, "meta", 0, &dbi) || mdb_put(txn, dbi, &k, &v, 0))
		_exit(1);
	if (write(out, "L", 1) != 1 || read(in, &c, 1) != 1)
		_exit(1);
	if (mdb_txn_commit(txn))
		_exit(1);
	mdb_env_close(env);
	_exit(0);
}

/* Forks the helper; call before store_open (no threads yet). */
static void holder_fork(struct holder *h, const char *dir)
{
	int down[2], up[2];
	assert_int_equal(pipe(down), 0);
	assert_int_equal(pipe(up), 0);
	h->pid = fork();
	assert_true(h->pid >= 0);
	if (h->pid == 0) {
		close(down[1]);
		close(up[0]);
		holder_child(dir, down[0], up[1]);
	}
	close(down[0]);
	close(up[1]);
	h->to_child = down[1];
	h->from_child = up[0];
}

/* The child opens the env and begins a write txn; returns once it holds it. */
static void holder_lock(struct holder *h)
{
	char c = 0;
	assert_int_equal(write(h->to_child, "g", 1), 1);
	assert_int_equal(read(h->from_child, &c, 1), 1);
	assert_int_equal(c, 'L');
}

/* The child commits its write and exits. */
static void holder_release(struct holder *h)
{
	int status = 0;
	assert_int_equal(write(h->to_child, "r", 1), 1);
	assert_int_equal(waitpid(h->pid, &status, 0), h->pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(h->to_child);
	close(h->from_child);
}

/* --- threads that commit one batch ------------------------------------------ */

struct one_commit {
	pthread_t tid;
	struct store *s;
	char key[32];
	int flags;
	int rc;
};

static void *one_commit_main(void *arg)
{
	struct one_commit *c = arg;
	c->rc = put_one(c->s, STORE_DB_INTERVIEWS, c->key, "v", c->flags);
	return NULL;
}

static void start_commit(struct one_commit *c, struct store *s, const char *key, int flags)
{
	c->s = s;
	c->flags = flags;
	c->rc = 99;
	snprintf(c->key, sizeof c->key, "%s", key);
	assert_int_equal(pthread_create(&c->tid, NULL, one_commit_main, c), 0);
}

/* --- tests ------------------------------------------------------------------- */

static void test_value_survives_reopen(void **state)
{
	struct dirs *d = *state;
	struct store *s = open_store(d->data, NULL);

	assert_int_equal(put_one(s, STORE_DB_INTERVIEWS, "3f2a9c0d1e4b5a67", "{\"x\":1}", 0), 0);
	assert_value(s, STORE_DB_INTERVIEWS, "3f2a9c0d1e4b5a67", "{\"x\":1}");
	store_close(s);

	s = open_store(d->data, NULL);
	assert_value(s, STORE_DB_INTERVIEWS, "3f2a9c0d1e4b5a67", "{\"x\":1}");
	assert_value(s, STORE_DB_INTERVIEWS, "nope", NULL);
	assert_value(s, STORE_DB_META, "schema_version", "1");
	store_close(s);
	store_close(NULL);
}

struct collected {
	size_t n;
	char keys[16][32];
	size_t klens[16];
	int stop_after;
};

static int collect(void *ctx, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct collected *c = ctx;
	(void)val;
	(void)vlen;
	if (c->n < 16 && klen < 32) {
		memcpy(c->keys[c->n], key, klen);
		c->keys[c->n][klen] = '\0';
		c->klens[c->n] = klen;
	}
	c->n++;
	return (c->stop_after && c->n == (size_t)c->stop_after) ? 7 : 0;
}

static void test_turn_keys_sort_by_seq_numerically(void **state)
{
	struct dirs *d = *state;
	struct store *s = open_store(d->data, NULL);
	struct store_batch *b = store_batch_new();
	const uint64_t seqs[] = { 256, 10, 2 };
	unsigned char key[STORE_KEY_MAX];
	char err[256];

	for (size_t i = 0; i < 3; i++) {
		size_t klen = store_key_turn(key, "a1", seqs[i]);
		assert_int_equal(klen, 2 + 8);
		assert_int_equal(store_batch_put(b, STORE_DB_TURNS, key, klen, "t", 1, 0), 0);
	}
	/* Neighbours that must not show up in a1's scan. */
	size_t klen = store_key_turn(key, "a2", 1);
	assert_int_equal(store_batch_put(b, STORE_DB_TURNS, key, klen, "t", 1, 0), 0);
	klen = store_key_turn(key, "a", 5);
	assert_int_equal(store_batch_put(b, STORE_DB_TURNS, key, klen, "t", 1, 0), 0);
	assert_int_equal(store_commit(s, b, err, sizeof err), 0);
	store_batch_free(b);

	struct collected c = { 0 };
	assert_int_equal(store_scan(s, STORE_DB_TURNS, "a1", 2, collect, &c), 0);
	assert_int_equal(c.n, 3);
	const uint64_t want[] = { 2, 10, 256 };
	for (size_t i = 0; i < 3; i++) {
		const unsigned char *k = (const unsigned char *)c.keys[i];
		uint64_t seq = 0;
		assert_int_equal(c.klens[i], 10);
		for (int j = 0; j < 8; j++)
			seq = (seq << 8) | k[2 + j];
		assert_true(seq == want[i]);
	}

	char longid[STORE_KEY_MAX];
	memset(longid, 'x', sizeof longid - 1);
	longid[sizeof longid - 1] = '\0';
	assert_int_equal(store_key_turn(key, longid, 1), 0);
	store_close(s);
}

static void test_scan_with_prefix_stops_at_prefix_end(void **state)
{
	struct dirs *d = *state;
	struct store *s = open_store(d->data, NULL);
	const char *keys[] = { "b", "abd", "aa", "ab", "ac", "abc" };
	struct store_batch *b = store_batch_new();
	char err[256];

	for (size_t i = 0; i < 6; i++)
		assert_int_equal(store_batch_put(b, STORE_DB_SCRIPTS, keys[i], strlen(keys[i]),
						 "v", 1, 0), 0);
	assert_int_equal(store_commit(s, b, err, sizeof err), 0);
	store_batch_free(b);

	struct collected c = { 0 };
	assert_int_equal(store_scan(s, STORE_DB_SCRIPTS, "ab", 2, collect, &c), 0);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.keys[0], "ab");
	assert_string_equal(c.keys[1], "abc");
	assert_string_equal(c.keys[2], "abd");

	memset(&c, 0, sizeof c);
	assert_int_equal(store_scan(s, STORE_DB_SCRIPTS, NULL, 0, collect, &c), 0);
	assert_int_equal(c.n, 6);
	assert_string_equal(c.keys[0], "aa");
	assert_string_equal(c.keys[5], "b");

	memset(&c, 0, sizeof c);
	assert_int_equal(store_scan(s, STORE_DB_SCRIPTS, "abz", 3, collect, &c), 0);
	assert_int_equal(c.n, 0);
	assert_int_equal(store_scan(s, STORE_DB_SCRIPTS, "zz", 2, collect, &c), 0);
	assert_int_equal(c.n, 0);

	/* A non-zero return stops the scan and comes back from store_scan. */
	memset(&c, 0, sizeof c);
	c.stop_after = 2;
	assert_int_equal(store_scan(s, STORE_DB_SCRIPTS, "a", 1, collect, &c), 7);
	assert_int_equal(c.n, 2);
	store_close(s);
}

static void test_delete_in_batch(void **state)
{
	struct dirs *d = *state;
	struct store *s = open_store(d->data, NULL);
	char err[256];

	assert_int_equal(put_one(s, STORE_DB_TOKENS, "a", "1", 0), 0);
	assert_int_equal(put_one(s, STORE_DB_TOKENS, "b", "2", 0), 0);

	struct store_batch *b = store_batch_new();
	assert_int_equal(store_batch_del(b, STORE_DB_TOKENS, "a", 1), 0);
	assert_int_equal(store_batch_put(b, STORE_DB_TOKENS, "c", 1, "3", 1, 0), 0);
	assert_int_equal(store_batch_del(b, STORE_DB_TOKENS, "missing", 7), 0);
	assert_int_equal(store_commit(s, b, err, sizeof err), 0);
	store_batch_free(b);

	assert_value(s, STORE_DB_TOKENS, "a", NULL);
	assert_value(s, STORE_DB_TOKENS, "b", "2");
	assert_value(s, STORE_DB_TOKENS, "c", "3");
	store_close(s);
}

static void test_expect_makes_a_read_modify_write_safe(void **state)
{
	struct dirs *d = *state;
	struct store *s = open_store(d->data, NULL);
	char err[256] = "";

	assert_int_equal(put_one(s, STORE_DB_INTERVIEWS, "iv", "v1", 0), 0);
	/* Still what was read: the write goes through. */
	struct store_batch *b = store_batch_new();
	assert_int_equal(store_batch_expect(b, STORE_DB_INTERVIEWS, "iv", 2, "v1", 2), 0);
	assert_int_equal(store_batch_put(b, STORE_DB_INTERVIEWS, "iv", 2, "v2", 2, 0), 0);
	assert_int_equal(store_batch_put(b, STORE_DB_TURNS, "t1", 2, "x", 1, 0), 0);
	assert_int_equal(store_commit(s, b, err, sizeof err), 0);
	store_batch_free(b);
	assert_value(s, STORE_DB_INTERVIEWS, "iv", "v2");

	/* Changed since (another writer got there first): nothing of it is written. */
	b = store_batch_new();
	assert_int_equal(store_batch_expect(b, STORE_DB_INTERVIEWS, "iv", 2, "v1", 2), 0);
	assert_int_equal(store_batch_put(b, STORE_DB_INTERVIEWS, "iv", 2, "v3", 2, 0), 0);
	assert_int_equal(store_batch_put(b, STORE_DB_TURNS, "t2", 2, "y", 1, 0), 0);
	assert_int_equal(store_commit(s, b, err, sizeof err), STORE_ECONFLICT);
	assert_non_null(strstr(err, "changed since it was read"));
	store_batch_free(b);
	assert_value(s, STORE_DB_INTERVIEWS, "iv", "v2");
	assert_value(s, STORE_DB_TURNS, "t2", NULL);
	store_close(s);
}

static void test_put_new_on_existing_key_fails_only_that_batch(void **state)
{
	struct dirs *d = *state;
	struct holder h;
	char err[256] = "";

	holder_fork(&h, d->data);
	struct store *s = open_store(d->data, NULL);
	assert_int_equal(put_one(s, STORE_DB_INTERVIEWS, "taken", "old", 0), 0);

	/* Alone: all-or-nothing, the other put of the failing batch is not applied. */
	struct store_batch *b = store_batch_new();
	assert_int_equal(store_batch_put(b, STORE_DB_INTERVIEWS, "x", 1, "x", 1, 0), 0);
	assert_int_equal(store_batch_put(b, STORE_DB_INTERVIEWS, "taken", 5, "new", 3,
					 STORE_PUT_NEW), 0);
	assert_int_equal(store_commit(s, b, err, sizeof err), STORE_EEXISTS);
	assert_non_null(strstr(err, "MDB_KEYEXIST"));
	store_batch_free(b);
	assert_value(s, STORE_DB_INTERVIEWS, "x", NULL);
	assert_value(s, STORE_DB_INTERVIEWS, "taken", "old");

	/* In one group: stall the writer on batch "first" while three more queue,
	 * so they share one transaction; only the PUT_NEW one fails. */
	struct store_stats before, after;
	struct one_commit first, c[3];
	store_get_stats(s, &before);
	holder_lock(&h);
	start_commit(&first, s, "first", 0);
	msleep(100);
	start_commit(&c[0], s, "c0", 0);
	start_commit(&c[1], s, "taken", STORE_PUT_NEW);
	start_commit(&c[2], s, "c2", 0);
	wait_stats(s, 4, false);
	holder_release(&h);
	pthread_join(first.tid, NULL);
	for (int i = 0; i < 3; i++)
		pthread_join(c[i].tid, NULL);
	store_get_stats(s, &after);

	assert_int_equal(first.rc, 0);
	assert_int_equal(c[0].rc, 0);
	assert_int_equal(c[1].rc, STORE_EEXISTS);
	assert_int_equal(c[2].rc, 0);
	assert_int_equal(after.commits - before.commits, 2);
	assert_int_equal(after.batches - before.batches, 3);
	assert_value(s, STORE_DB_INTERVIEWS, "c0", "v");
	assert_value(s, STORE_DB_INTERVIEWS, "c2", "v");
	assert_value(s, STORE_DB_INTERVIEWS, "taken", "old");
	/* The other process's write is visible too. */
	assert_value(s, STORE_DB_META, "from-child", "yes");
	store_close(s);
}

#define CONC_THREADS 32
#define CONC_COMMITS 50

struct many {
	pthread_t tid;
	struct store *s;
	int id;
	int failures;
};

static void *many_main(void *arg)
{
	struct many *m = arg;
	char key[32];
	for (int i = 0; i < CONC_COMMITS; i++) {
		snprintf(key, sizeof key, "t%02d-%03d", m->id, i);
		if (put_one(m->s, STORE_DB_TURNS, key, key, 0) != 0)
			m->failures++;
	}
	return NULL;
}

static int count(void *ctx, const void *key, size_t klen, const void *val, size_t vlen)
{
	size_t *n = ctx;
	if (klen != vlen || memcmp(key, val, klen) != 0)
		return -1;
	(*n)++;
	return 0;
}

static void test_concurrent_commits_are_grouped(void **state)
{
	struct dirs *d = *state;
	struct store *s = open_store(d->data, NULL);
	struct many m[CONC_THREADS];
	struct store_stats st;

	for (int i = 0; i < CONC_THREADS; i++) {
		m[i] = (struct many){ .s = s, .id = i };
		assert_int_equal(pthread_create(&m[i].tid, NULL, many_main, &m[i]), 0);
	}
	for (int i = 0; i < CONC_THREADS; i++) {
		pthread_join(m[i].tid, NULL);
		assert_int_equal(m[i].failures, 0);
	}
	store_get_stats(s, &st);
	print_message("    %d batches in %llu durable commits\n", CONC_THREADS * CONC_COMMITS,
		      (unsigned long long)st.commits);
	assert_int_equal(st.batches, CONC_THREADS * CONC_COMMITS);
	assert_true(st.commits < st.batches);

	size_t n = 0;
	assert_int_equal(store_scan(s, STORE_DB_TURNS, "t", 1, count, &n), 0);
	assert_int_equal(n, CONC_THREADS * CONC_COMMITS);
	store_close(s);
}

#define BIG_VALUE (16 * 1024)
#define BIG_BATCHES 64
#define BIG_PER_BATCH 4 /* 64 x 4 x 16 KiB = 4 MiB into a 1 MiB map */

static void test_map_grows_when_full(void **state)
{
	struct dirs *d = *state;
	struct store_options opt = { .map_size = 1 << 20 };
	struct store *s = open_store(d->data, &opt);
	char *val = malloc(BIG_VALUE);
	char key[32], err[256];
	struct store_stats st;

	assert_non_null(val);
	for (int i = 0; i < BIG_BATCHES; i++) {
		struct store_batch *b = store_batch_new();
		for (int j = 0; j < BIG_PER_BATCH; j++) {
			snprintf(key, sizeof key, "big-%03d-%d", i, j);
			memset(val, 'a' + (i + j) % 26, BIG_VALUE);
			assert_int_equal(store_batch_put(b, STORE_DB_SCRIPTS, key, strlen(key), val,
							 BIG_VALUE, 0), 0);
		}
		int rc = store_commit(s, b, err, sizeof err);
		if (rc != 0)
			fail_msg("commit %d: %d %s", i, rc, err);
		store_batch_free(b);
	}
	store_get_stats(s, &st);
	assert_true(st.map_grows > 0);
	store_close(s);

	s = open_store(d->data, &opt);
	for (int i = 0; i < BIG_BATCHES; i++) {
		for (int j = 0; j < BIG_PER_BATCH; j++) {
			char *got = NULL;
			size_t len = 0;
			snprintf(key, sizeof key, "big-%03d-%d", i, j);
			assert_int_equal(store_get(s, STORE_DB_SCRIPTS, key, strlen(key), &got, &len),
					 0);
			assert_int_equal(len, BIG_VALUE);
			assert_int_equal(got[0], 'a' + (i + j) % 26);
			assert_int_equal(got[BIG_VALUE - 1], 'a' + (i + j) % 26);
			free(got);
		}
	}
	/* And it keeps growing after a reopen. */
	assert_int_equal(put_one(s, STORE_DB_META, "after", "reopen", 0), 0);
	store_close(s);
	free(val);
}

static void test_schema_version_mismatch_is_refused(void **state)
{
	struct dirs *d = *state;
	struct store *s = open_store(d->data, NULL);
	char err[256] = "";

	assert_int_equal(put_one(s, STORE_DB_META, "schema_version", "2", 0), 0);
	store_close(s);

	s = (struct store *)&err; /* must be reset */
	assert_int_equal(store_open(&s, d->data, NULL, err, sizeof err), STORE_EIO);
	assert_null(s);
	assert_string_equal(err, "data dir has schema version 2, this build reads 1");
}

struct closer {
	pthread_t tid;
	struct store *s;
};

static void *closer_main(void *arg)
{
	struct closer *c = arg;
	store_close(c->s);
	return NULL;
}

#define DRAIN_N 8

static void test_close_drains_pending_and_refuses_later_commits(void **state)
{
	struct dirs *d = *state;
	struct holder h;
	struct one_commit c[DRAIN_N];
	struct closer cl;
	char key[32];

	holder_fork(&h, d->data);
	struct store *s = open_store(d->data, NULL);

	/* Stall the writer so the batches are still queued when close begins. */
	holder_lock(&h);
	for (int i = 0; i < DRAIN_N; i++) {
		snprintf(key, sizeof key, "drain-%d", i);
		start_commit(&c[i], s, key, 0);
	}
	wait_stats(s, DRAIN_N, false);
	cl.s = s;
	assert_int_equal(pthread_create(&cl.tid, NULL, closer_main, &cl), 0);
	wait_stats(s, DRAIN_N, true);
	/* close is waiting for the stalled writer, so s is still valid here. */
	assert_int_equal(put_one(s, STORE_DB_INTERVIEWS, "late", "v", 0), STORE_ECLOSED);
	holder_release(&h);
	pthread_join(cl.tid, NULL);
	for (int i = 0; i < DRAIN_N; i++) {
		pthread_join(c[i].tid, NULL);
		assert_int_equal(c[i].rc, 0);
	}

	s = open_store(d->data, NULL);
	for (int i = 0; i < DRAIN_N; i++) {
		snprintf(key, sizeof key, "drain-%d", i);
		assert_value(s, STORE_DB_INTERVIEWS, key, "v");
	}
	assert_value(s, STORE_DB_INTERVIEWS, "late", NULL);
	store_close(s);
}

/* Callers print these instead of a number, so each code needs its own. */
static void test_every_store_error_has_its_own_sentence(void **state)
{
	(void)state;
	const int codes[] = {STORE_ENOTFOUND, STORE_EEXISTS, STORE_EFULL, STORE_EIO,
			     STORE_ECLOSED, STORE_ENOMEM, STORE_ECONFLICT};
	const size_t n = sizeof codes / sizeof codes[0];
	const char *unknown = store_strerror(-299);
	for (size_t i = 0; i < n; i++) {
		assert_true(codes[i] <= -200 && codes[i] > -300);
		const char *m = store_strerror(codes[i]);
		assert_non_null(m);
		assert_string_not_equal(m, unknown);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(m, store_strerror(codes[j]));
	}
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup_dir, teardown_dir)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_value_survives_reopen),
		T(test_turn_keys_sort_by_seq_numerically),
		T(test_scan_with_prefix_stops_at_prefix_end),
		T(test_delete_in_batch),
		T(test_expect_makes_a_read_modify_write_safe),
		T(test_put_new_on_existing_key_fails_only_that_batch),
		T(test_concurrent_commits_are_grouped),
		T(test_map_grows_when_full),
		T(test_schema_version_mismatch_is_refused),
		T(test_close_drains_pending_and_refuses_later_commits),
		cmocka_unit_test(test_every_store_error_has_its_own_sentence),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
