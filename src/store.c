/* store: LMDB under the data directory, with group commit and map growth.
 *
 * The only file that includes lmdb.h. LMDB return codes are translated once,
 * in store_err(), into STORE_E* plus a sentence; nothing above this file sees
 * an MDB_* value. Writes go through one writer thread: store_commit() queues
 * its batch and sleeps; the writer takes everything queued, applies each batch
 * in its own nested transaction (a failing batch is aborted alone) and commits
 * the parent once, so one fsync covers every batch in the group.
 *
 * Growing the map (mdb_env_set_mapsize) needs every transaction of this
 * process closed. All transactions therefore run under txn_lock held shared;
 * a resize takes it exclusively. A resize waits only a bounded time for
 * readers, so a caller that nests store calls inside a scan callback gets an
 * error instead of a deadlock. See store.h for the contract. */
#define _GNU_SOURCE /* pthread_rwlockattr_setkind_np: let a map resize overtake readers */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <lmdb.h>

#include "log.h"
#include "metrics.h"

#define DIR_MODE 0700
#define FILE_MODE 0600
#define DEFAULT_READERS 126
#define DEFAULT_MAP_SIZE ((size_t)1 << 30)  /* 1 GiB */
#define MAX_MAP_SIZE ((size_t)1 << 40)      /* 1 TiB */
#define GROUP_MAX 1024        /* batches per transaction: bounds latency */
#define RESIZE_WAIT_SEC 5     /* longest a resize waits for readers to leave */
#define RETRY_MAX 64          /* resizes in one call before giving up */
#define SCHEMA_KEY "schema_version"

static const char *const db_names[STORE_DB_COUNT] = {
	[STORE_DB_META] = "meta",       [STORE_DB_INTERVIEWS] = "interviews",
	[STORE_DB_TURNS] = "turns",     [STORE_DB_TOKENS] = "tokens",
	[STORE_DB_SCRIPTS] = "scripts", [STORE_DB_USERS] = "users",
	[STORE_DB_SESSIONS] = "sessions", [STORE_DB_APIKEYS] = "apikeys",
	[STORE_DB_SIGNIN] = "signin_failures",
};

enum op_kind { OP_PUT, OP_DEL, OP_EXPECT };

struct op {
	enum store_db db;
	int flags;
	enum op_kind kind;
	unsigned char *key; /* one allocation: key bytes then value bytes */
	size_t klen;
	unsigned char *val;
	size_t vlen;
};

struct store_batch {
	struct op *ops;
	size_t n, cap;
};

/* One store_commit() call waiting for the writer; lives on its stack. */
struct pending {
	const struct store_batch *b;
	int rc;
	char err[256];
	int done;
	pthread_cond_t cv;
	struct pending *next;
};

struct store {
	MDB_env *env;
	MDB_dbi dbi[STORE_DB_COUNT];
	pthread_rwlock_t txn_lock; /* shared: any txn; exclusive: set_mapsize */

	pthread_mutex_t mu; /* guards the queue, closing and stats */
	pthread_cond_t work;
	pthread_cond_t idle; /* signalled when the last committer leaves */
	struct pending *head, *tail;
	unsigned inflight; /* store_commit calls not yet returned */
	int closing;
	struct store_stats stats;
	pthread_t writer;
	int writer_started;
	struct pending *group[GROUP_MAX]; /* the writer's current group */
};

/* --- errors ---------------------------------------------------------------- */

const char *store_strerror(int rc)
{
	switch (rc) {
	case STORE_OK: return "success";
	case STORE_ENOTFOUND: return "no such record";
	case STORE_EEXISTS: return "the record already exists";
	case STORE_EFULL: return "the data directory is full (the disk, or the map at its limit)";
	case STORE_EIO: return "the data directory cannot be read or written";
	case STORE_ECLOSED: return "the store is shutting down";
	case STORE_ENOMEM: return "out of memory";
	case STORE_ECONFLICT: return "the record changed meanwhile; try again";
	default: return "unknown store error";
	}
}

/* The module edge: an LMDB (or errno) code becomes a STORE_E* code, and what
 * was being done plus LMDB's own words become the sentence in err. */
static int store_err(int mdb_rc, const char *what, char *err, size_t errlen)
{
	int rc;

	switch (mdb_rc) {
	case MDB_SUCCESS:
		return STORE_OK;
	case MDB_NOTFOUND:
		rc = STORE_ENOTFOUND;
		break;
	case MDB_KEYEXIST:
		rc = STORE_EEXISTS;
		break;
	case MDB_MAP_FULL:
	case ENOSPC:
		rc = STORE_EFULL;
		break;
	case ENOMEM:
		rc = STORE_ENOMEM;
		break;
	case ESTALE:
		rc = STORE_ECONFLICT;
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "store: %s", what);
		return rc;
	default:
		rc = STORE_EIO;
	}
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "store: %s: %s", what, mdb_strerror(mdb_rc));
	return rc;
}

static void set_err(char *err, size_t errlen, const char *msg)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s", msg);
}

/* --- transactions and the map ---------------------------------------------- */

/* Runs set_mapsize with every txn of this process closed. size 0 adopts the
 * size another process recorded; otherwise the map doubles up to the max.
 * Returns an MDB code (or ETIMEDOUT / MDB_MAP_FULL at the limit). */
static int resize_map(struct store *s, int grow)
{
	struct timespec deadline;
	MDB_envinfo info;
	int rc;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += RESIZE_WAIT_SEC;
	rc = pthread_rwlock_timedwrlock(&s->txn_lock, &deadline);
	if (rc != 0)
		return rc;
	if (!grow) {
		rc = mdb_env_set_mapsize(s->env, 0);
		goto out;
	}
	rc = mdb_env_info(s->env, &info);
	if (rc != MDB_SUCCESS)
		goto out;
	if (info.me_mapsize >= MAX_MAP_SIZE) {
		rc = MDB_MAP_FULL;
		goto out;
	}
	size_t next = info.me_mapsize * 2;
	if (next > MAX_MAP_SIZE)
		next = MAX_MAP_SIZE;
	rc = mdb_env_set_mapsize(s->env, next);
	if (rc == MDB_SUCCESS) {
		log_info("store: map grown from %zu to %zu MiB", info.me_mapsize >> 20,
			 next >> 20);
		pthread_mutex_lock(&s->mu);
		s->stats.map_grows++;
		pthread_mutex_unlock(&s->mu);
	}
out:
	pthread_rwlock_unlock(&s->txn_lock);
	return rc;
}

/* Begins a top-level txn with txn_lock held shared; on success the caller
 * ends the txn and then calls txn_end_lock(). Adopts a map another process
 * grew (MDB_MAP_RESIZED) and tries again. */
static int txn_begin(struct store *s, unsigned flags, MDB_txn **txn)
{
	int rc;

	for (int tries = 0; tries < RETRY_MAX; tries++) {
		pthread_rwlock_rdlock(&s->txn_lock);
		rc = mdb_txn_begin(s->env, NULL, flags, txn);
		if (rc == MDB_SUCCESS)
			return rc;
		pthread_rwlock_unlock(&s->txn_lock);
		if (rc != MDB_MAP_RESIZED)
			return rc;
		rc = resize_map(s, 0);
		if (rc != MDB_SUCCESS)
			return rc;
	}
	return MDB_MAP_RESIZED;
}

static void txn_end_lock(struct store *s)
{
	pthread_rwlock_unlock(&s->txn_lock);
}

static int db_valid(enum store_db db)
{
	return (unsigned)db < STORE_DB_COUNT;
}

/* --- reads ------------------------------------------------------------------ */

int store_get(struct store *s, enum store_db db, const void *key, size_t klen, char **val,
	      size_t *vlen)
{
	char err[256];
	MDB_txn *txn = NULL;
	MDB_val k = { .mv_size = klen, .mv_data = (void *)key }, v;
	int rc;

	*val = NULL;
	if (vlen != NULL)
		*vlen = 0;
	if (s == NULL || !db_valid(db) || key == NULL || klen == 0)
		return STORE_ENOTFOUND;
	rc = txn_begin(s, MDB_RDONLY, &txn);
	if (rc != MDB_SUCCESS) {
		rc = store_err(rc, "cannot begin a read transaction", err, sizeof err);
		log_error("%s", err);
		return rc;
	}
	rc = mdb_get(txn, s->dbi[db], &k, &v);
	if (rc != MDB_SUCCESS) {
		rc = store_err(rc, "cannot read", err, sizeof err);
		if (rc != STORE_ENOTFOUND)
			log_error("%s", err);
		goto out;
	}
	char *copy = malloc(v.mv_size + 1);
	if (copy == NULL) {
		rc = STORE_ENOMEM;
		goto out;
	}
	memcpy(copy, v.mv_data, v.mv_size);
	copy[v.mv_size] = '\0';
	*val = copy;
	if (vlen != NULL)
		*vlen = v.mv_size;
	rc = STORE_OK;
out:
	mdb_txn_abort(txn);
	txn_end_lock(s);
	return rc;
}

int store_scan(struct store *s, enum store_db db, const void *prefix, size_t plen,
	       store_scan_fn fn, void *ctx)
{
	char err[256];
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL;
	MDB_val k = { .mv_size = plen, .mv_data = (void *)prefix }, v;
	int rc;

	if (s == NULL || !db_valid(db) || fn == NULL || (plen > 0 && prefix == NULL))
		return STORE_EIO;
	rc = txn_begin(s, MDB_RDONLY, &txn);
	if (rc != MDB_SUCCESS) {
		rc = store_err(rc, "cannot begin a read transaction", err, sizeof err);
		log_error("%s", err);
		return rc;
	}
	rc = mdb_cursor_open(txn, s->dbi[db], &cur);
	if (rc != MDB_SUCCESS)
		goto mdb_fail;
	rc = mdb_cursor_get(cur, &k, &v, plen > 0 ? MDB_SET_RANGE : MDB_FIRST);
	while (rc == MDB_SUCCESS) {
		if (plen > 0 && (k.mv_size < plen || memcmp(k.mv_data, prefix, plen) != 0))
			break; /* past the prefix: keys are ordered */
		int stop = fn(ctx, k.mv_data, k.mv_size, v.mv_data, v.mv_size);
		if (stop != 0) {
			rc = stop;
			goto out;
		}
		rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
	}
	if (rc == MDB_SUCCESS || rc == MDB_NOTFOUND) {
		rc = STORE_OK;
		goto out;
	}
mdb_fail:
	rc = store_err(rc, "cannot scan", err, sizeof err);
	log_error("%s", err);
out:
	if (cur != NULL)
		mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	txn_end_lock(s);
	return rc;
}

/* --- batches ---------------------------------------------------------------- */

struct store_batch *store_batch_new(void)
{
	return calloc(1, sizeof(struct store_batch));
}

static int batch_add(struct store_batch *b, enum store_db db, enum op_kind kind, const void *key,
		     size_t klen, const void *val, size_t vlen, int flags)
{
	if (b == NULL)
		return STORE_ENOMEM;
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 8;
		struct op *ops = realloc(b->ops, cap * sizeof *ops);
		if (ops == NULL)
			return STORE_ENOMEM;
		b->ops = ops;
		b->cap = cap;
	}
	/* +1 so a zero-length key and value still get a valid pointer. */
	unsigned char *mem = malloc(klen + vlen + 1);
	if (mem == NULL)
		return STORE_ENOMEM;
	if (klen > 0)
		memcpy(mem, key, klen);
	if (vlen > 0)
		memcpy(mem + klen, val, vlen);
	b->ops[b->n++] = (struct op){ .db = db, .flags = flags, .kind = kind, .key = mem,
				      .klen = klen, .val = mem + klen, .vlen = vlen };
	return STORE_OK;
}

int store_batch_put(struct store_batch *b, enum store_db db, const void *key, size_t klen,
		    const void *val, size_t vlen, int flags)
{
	return batch_add(b, db, OP_PUT, key, klen, val, vlen, flags);
}

int store_batch_expect(struct store_batch *b, enum store_db db, const void *key, size_t klen,
		       const void *val, size_t vlen)
{
	return batch_add(b, db, OP_EXPECT, key, klen, val, vlen, 0);
}

int store_batch_del(struct store_batch *b, enum store_db db, const void *key, size_t klen)
{
	return batch_add(b, db, OP_DEL, key, klen, NULL, 0, 0);
}

void store_batch_free(struct store_batch *b)
{
	if (b == NULL)
		return;
	for (size_t i = 0; i < b->n; i++)
		free(b->ops[i].key);
	free(b->ops);
	free(b);
}

/* --- the writer -------------------------------------------------------------- */

/* Applies one batch inside txn. The first failure sticks: later ops are not
 * tried, what names the failed op, and the caller aborts this batch's
 * (nested) txn. */
static int batch_apply(const struct store *s, MDB_txn *txn, const struct store_batch *b,
		       char *what, size_t wlen)
{
	int rc = MDB_SUCCESS;

	for (size_t i = 0; i < b->n && rc == MDB_SUCCESS; i++) {
		const struct op *o = &b->ops[i];
		MDB_val k = { .mv_size = o->klen, .mv_data = o->key };
		MDB_val v = { .mv_size = o->vlen, .mv_data = o->val };

		if (!db_valid(o->db)) {
			snprintf(what, wlen, "batch names no such database");
			return EINVAL;
		}
		if (o->kind == OP_EXPECT) {
			MDB_val cur;
			rc = mdb_get(txn, s->dbi[o->db], &k, &cur);
			if (rc == MDB_SUCCESS && (cur.mv_size != o->vlen ||
						  memcmp(cur.mv_data, o->val, o->vlen) != 0))
				rc = ESTALE;
			if (rc == MDB_NOTFOUND)
				rc = ESTALE;
			if (rc == ESTALE) {
				snprintf(what, wlen, "a value in %s changed since it was read",
					 db_names[o->db]);
				return rc;
			}
		} else if (o->kind == OP_DEL) {
			rc = mdb_del(txn, s->dbi[o->db], &k, NULL);
			if (rc == MDB_NOTFOUND) /* already gone is what was asked */
				rc = MDB_SUCCESS;
		} else {
			rc = mdb_put(txn, s->dbi[o->db], &k, &v,
				     (o->flags & STORE_PUT_NEW) ? MDB_NOOVERWRITE : 0);
		}
		if (rc != MDB_SUCCESS)
			snprintf(what, wlen, "cannot %s a key of %zu bytes in %s",
				 o->kind == OP_DEL ? "delete" : o->kind == OP_EXPECT ? "read" : "write",
				 o->klen, db_names[o->db]);
	}
	return rc;
}

/* One durable transaction for the group g[0..n). Each batch gets its own
 * result; MDB_MAP_FULL anywhere grows the map and replays the whole group. */
static void group_commit(struct store *s, struct pending **g, size_t n)
{
	MDB_txn *parent = NULL, *child = NULL;
	char what[128];
	int rc, retries = 0;

again:
	for (size_t i = 0; i < n; i++) {
		g[i]->rc = STORE_OK;
		g[i]->err[0] = '\0';
	}
	rc = txn_begin(s, 0, &parent);
	if (rc != MDB_SUCCESS) {
		snprintf(what, sizeof what, "cannot begin a write transaction");
		goto fail_rest;
	}
	for (size_t i = 0; i < n; i++) {
		rc = mdb_txn_begin(s->env, parent, 0, &child);
		if (rc != MDB_SUCCESS) {
			snprintf(what, sizeof what, "cannot begin a nested transaction");
			goto abort_parent;
		}
		rc = batch_apply(s, child, g[i]->b, what, sizeof what);
		if (rc == MDB_SUCCESS) {
			rc = mdb_txn_commit(child);
			snprintf(what, sizeof what, "cannot commit a batch");
		} else {
			mdb_txn_abort(child);
		}
		child = NULL;
		if (rc == MDB_MAP_FULL)
			goto abort_parent;
		if (rc != MDB_SUCCESS) /* this batch alone fails */
			g[i]->rc = store_err(rc, what, g[i]->err, sizeof g[i]->err);
	}
	rc = mdb_txn_commit(parent); /* the one fsync for the group */
	parent = NULL;
	txn_end_lock(s);
	if (rc == MDB_MAP_FULL)
		goto grow;
	if (rc != MDB_SUCCESS) {
		snprintf(what, sizeof what, "cannot commit");
		goto fail_rest;
	}
	pthread_mutex_lock(&s->mu);
	s->stats.commits++;
	for (size_t i = 0; i < n; i++)
		if (g[i]->rc == STORE_OK)
			s->stats.batches++;
	pthread_mutex_unlock(&s->mu);
	return;

abort_parent:
	mdb_txn_abort(parent);
	parent = NULL;
	txn_end_lock(s);
	if (rc != MDB_MAP_FULL)
		goto fail_rest;
grow:
	if (retries++ >= RETRY_MAX) {
		snprintf(what, sizeof what, "the map is still full after growing");
		goto fail_rest;
	}
	rc = resize_map(s, 1);
	if (rc == MDB_SUCCESS)
		goto again;
	snprintf(what, sizeof what, "cannot grow the map%s",
		 rc == ETIMEDOUT ? " (readers did not finish in time)" : "");
fail_rest:
	/* Batches that failed on their own keep their own error. */
	for (size_t i = 0; i < n; i++)
		if (g[i]->rc == STORE_OK)
			g[i]->rc = store_err(rc, what, g[i]->err, sizeof g[i]->err);
}

static void *writer_main(void *arg)
{
	struct store *s = arg;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (s->head == NULL && !s->closing)
			pthread_cond_wait(&s->work, &s->mu);
		if (s->head == NULL)
			break; /* closing, and everything submitted is done */
		size_t n = 0;
		while (s->head != NULL && n < GROUP_MAX) {
			s->group[n++] = s->head;
			s->head = s->head->next;
		}
		if (s->head == NULL)
			s->tail = NULL;
		pthread_mutex_unlock(&s->mu);

		group_commit(s, s->group, n);

		pthread_mutex_lock(&s->mu);
		for (size_t i = 0; i < n; i++) {
			s->group[i]->done = 1;
			pthread_cond_signal(&s->group[i]->cv);
		}
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

int store_commit(struct store *s, struct store_batch *b, char *err, size_t errlen)
{
	struct pending p = { .b = b };
	struct timespec t0, t1;
	int rc;

	if (s == NULL || b == NULL) {
		set_err(err, errlen, "store: no store or no batch");
		return STORE_EIO;
	}
	if (pthread_cond_init(&p.cv, NULL) != 0) {
		set_err(err, errlen, "store: out of memory");
		return STORE_ENOMEM;
	}
	pthread_mutex_lock(&s->mu);
	if (s->closing) {
		pthread_mutex_unlock(&s->mu);
		set_err(err, errlen, "store: the store is shutting down");
		rc = STORE_ECLOSED;
		goto out;
	}
	/* p lives on this stack until the writer has taken it off the queue and
	 * set done, which we wait for below. */
	if (s->tail != NULL)
		s->tail->next = &p;
	else
		s->head = &p; /* cppcheck-suppress autoVariables */
	s->tail = &p;         /* cppcheck-suppress autoVariables */
	s->inflight++;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pthread_cond_signal(&s->work);
	while (!p.done)
		pthread_cond_wait(&p.cv, &s->mu);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	metrics_histogram_observe(&metrics_commit_seconds,
				  (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	/* store_close frees s once the last of us is out. */
	if (--s->inflight == 0 && s->closing)
		pthread_cond_signal(&s->idle);
	pthread_mutex_unlock(&s->mu);
	rc = p.rc;
	if (rc != STORE_OK)
		set_err(err, errlen, p.err);
out:
	pthread_cond_destroy(&p.cv);
	return rc;
}

void store_get_stats(struct store *s, struct store_stats *out)
{
	memset(out, 0, sizeof *out);
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->mu);
	*out = s->stats;
	out->inflight = s->inflight;
	out->closing = s->closing != 0;
	pthread_mutex_unlock(&s->mu);
	/* Both read the environment's header; no transaction needed. */
	MDB_envinfo info;
	MDB_stat st;
	if (mdb_env_info(s->env, &info) == MDB_SUCCESS && mdb_env_stat(s->env, &st) == MDB_SUCCESS) {
		out->map_bytes = info.me_mapsize;
		out->used_bytes = ((uint64_t)info.me_last_pgno + 1) * st.ms_psize;
	}
}

/* --- open and close ---------------------------------------------------------- */

size_t store_key_turn(unsigned char *buf, const char *interview_id, uint64_t seq)
{
	size_t idlen = strlen(interview_id);

	if (idlen + 8 > STORE_KEY_MAX)
		return 0;
	memcpy(buf, interview_id, idlen);
	for (int i = 0; i < 8; i++)
		buf[idlen + (size_t)i] = (unsigned char)(seq >> (56 - 8 * i));
	return idlen + 8;
}

/* Opens every named DB and checks (or, in a new directory, writes) the
 * schema version, in one write txn. */
static int open_dbs(struct store *s, char *err, size_t errlen)
{
	MDB_txn *txn = NULL;
	MDB_val k = { .mv_size = strlen(SCHEMA_KEY), .mv_data = SCHEMA_KEY }, v;
	char want[16];
	int rc;

	snprintf(want, sizeof want, "%d", STORE_SCHEMA_VERSION);
	rc = txn_begin(s, 0, &txn);
	if (rc != MDB_SUCCESS)
		return store_err(rc, "cannot begin the opening transaction", err, errlen);
	for (int i = 0; i < STORE_DB_COUNT; i++) {
		rc = mdb_dbi_open(txn, db_names[i], MDB_CREATE, &s->dbi[i]);
		if (rc != MDB_SUCCESS) {
			rc = store_err(rc, "cannot open a database", err, errlen);
			goto out;
		}
	}
	rc = mdb_get(txn, s->dbi[STORE_DB_META], &k, &v);
	if (rc == MDB_NOTFOUND) {
		v = (MDB_val){ .mv_size = strlen(want), .mv_data = want };
		rc = mdb_put(txn, s->dbi[STORE_DB_META], &k, &v, 0);
	} else if (rc == MDB_SUCCESS &&
		   (v.mv_size != strlen(want) || memcmp(v.mv_data, want, v.mv_size) != 0)) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen,
				 "data dir has schema version %.*s, this build reads %s",
				 (int)(v.mv_size > 32 ? 32 : v.mv_size), (const char *)v.mv_data,
				 want);
		rc = STORE_EIO;
		goto out;
	}
	if (rc != MDB_SUCCESS) {
		rc = store_err(rc, "cannot read or write the schema version", err, errlen);
		goto out;
	}
	rc = mdb_txn_commit(txn);
	txn = NULL;
	if (rc != MDB_SUCCESS)
		rc = store_err(rc, "cannot commit the opening transaction", err, errlen);
out:
	if (txn != NULL)
		mdb_txn_abort(txn);
	txn_end_lock(s);
	return rc;
}

/* Writer-preferring where glibc offers it: readers come and go constantly,
 * and a resize must not starve behind them. */
static int init_txn_lock(pthread_rwlock_t *lock)
{
	pthread_rwlockattr_t attr;
	int ok;

	if (pthread_rwlockattr_init(&attr) != 0)
		return 0;
#ifdef __GLIBC__
	pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
#endif
	ok = pthread_rwlock_init(lock, &attr) == 0;
	pthread_rwlockattr_destroy(&attr);
	return ok;
}

int store_open(struct store **out, const char *dir, const struct store_options *opt,
	       char *err, size_t errlen)
{
	struct store_options o = { 0 };
	struct store *s = NULL;
	int rc, mu_ok = 0, rw_ok = 0, work_ok = 0, idle_ok = 0;

	*out = NULL;
	if (opt != NULL)
		o = *opt;
	if (o.max_readers == 0)
		o.max_readers = DEFAULT_READERS;
	if (o.map_size == 0)
		o.map_size = DEFAULT_MAP_SIZE;
	if (o.map_size > MAX_MAP_SIZE)
		o.map_size = MAX_MAP_SIZE;

	if (mkdir(dir, DIR_MODE) != 0 && errno != EEXIST) {
		rc = store_err(errno, "cannot create the data directory", err, errlen);
		goto out;
	}
	s = calloc(1, sizeof *s);
	if (s == NULL) {
		rc = STORE_ENOMEM;
		set_err(err, errlen, "store: out of memory");
		goto out;
	}
	mu_ok = pthread_mutex_init(&s->mu, NULL) == 0;
	rw_ok = init_txn_lock(&s->txn_lock);
	work_ok = pthread_cond_init(&s->work, NULL) == 0;
	idle_ok = pthread_cond_init(&s->idle, NULL) == 0;
	if (!mu_ok || !rw_ok || !work_ok || !idle_ok) {
		rc = STORE_ENOMEM;
		set_err(err, errlen, "store: cannot create locks");
		goto out;
	}
	rc = mdb_env_create(&s->env);
	if (rc == MDB_SUCCESS)
		rc = mdb_env_set_maxdbs(s->env, STORE_DB_COUNT);
	if (rc == MDB_SUCCESS)
		rc = mdb_env_set_maxreaders(s->env, o.max_readers);
	if (rc == MDB_SUCCESS)
		rc = mdb_env_set_mapsize(s->env, o.map_size);
	if (rc == MDB_SUCCESS)
		rc = mdb_env_open(s->env, dir, MDB_NOTLS | (o.nosync ? MDB_NOSYNC : 0),
				  FILE_MODE);
	if (rc != MDB_SUCCESS) {
		char what[512];
		snprintf(what, sizeof what, "cannot open the environment in %s", dir);
		rc = store_err(rc, what, err, errlen);
		goto out;
	}
	rc = open_dbs(s, err, errlen);
	if (rc != STORE_OK)
		goto out;
	rc = pthread_create(&s->writer, NULL, writer_main, s);
	if (rc != 0) {
		rc = store_err(rc, "cannot start the writer thread", err, errlen);
		goto out;
	}
	s->writer_started = 1;
	*out = s;
	s = NULL;
	rc = STORE_OK;
out:
	if (s != NULL) {
		if (s->env != NULL)
			mdb_env_close(s->env);
		if (idle_ok)
			pthread_cond_destroy(&s->idle);
		if (work_ok)
			pthread_cond_destroy(&s->work);
		if (rw_ok)
			pthread_rwlock_destroy(&s->txn_lock);
		if (mu_ok)
			pthread_mutex_destroy(&s->mu);
		free(s);
	}
	return rc;
}

void store_close(struct store *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->mu);
	s->closing = 1;
	pthread_cond_signal(&s->work);
	pthread_mutex_unlock(&s->mu);
	if (s->writer_started)
		pthread_join(s->writer, NULL); /* drains the queue first */
	/* Woken committers may still be reacquiring mu; wait them out. */
	pthread_mutex_lock(&s->mu);
	while (s->inflight > 0)
		pthread_cond_wait(&s->idle, &s->mu);
	pthread_mutex_unlock(&s->mu);
	mdb_env_close(s->env);
	pthread_cond_destroy(&s->idle);
	pthread_cond_destroy(&s->work);
	pthread_rwlock_destroy(&s->txn_lock);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

/* --- snapshots and backups ---------------------------------------------------- */

int store_scan_snapshot(struct store *s, const enum store_db *dbs, size_t n,
			store_scan_db_fn fn, void *ctx)
{
	char err[256];
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	int rc;

	if (s == NULL || fn == NULL || (n > 0 && dbs == NULL))
		return STORE_EIO;
	for (size_t i = 0; i < n; i++)
		if (!db_valid(dbs[i]))
			return STORE_EIO;
	rc = txn_begin(s, MDB_RDONLY, &txn);
	if (rc != MDB_SUCCESS) {
		rc = store_err(rc, "cannot begin a read transaction", err, sizeof err);
		log_error("%s", err);
		return rc;
	}
	for (size_t i = 0; i < n; i++) {
		rc = mdb_cursor_open(txn, s->dbi[dbs[i]], &cur);
		if (rc != MDB_SUCCESS)
			goto mdb_fail;
		rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
		while (rc == MDB_SUCCESS) {
			int stop = fn(ctx, dbs[i], k.mv_data, k.mv_size, v.mv_data, v.mv_size);
			if (stop != 0) {
				rc = stop;
				goto out;
			}
			rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
		}
		if (rc != MDB_NOTFOUND)
			goto mdb_fail;
		mdb_cursor_close(cur);
		cur = NULL;
	}
	rc = STORE_OK;
	goto out;
mdb_fail:
	rc = store_err(rc, "cannot scan", err, sizeof err);
	log_error("%s", err);
out:
	if (cur != NULL)
		mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	txn_end_lock(s);
	return rc;
}

/* fsync of a directory, so the name of a file just written in it lasts. */
static int sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = fd < 0 || fsync(fd) != 0 ? errno : 0;
	if (fd >= 0)
		close(fd);
	return rc;
}

int store_backup(struct store *s, const char *dest_dir, char *err, size_t errlen)
{
	char path[4096], what[4200];
	int fd = -1, rc;

	if (s == NULL || dest_dir == NULL) {
		set_err(err, errlen, "store: no store or no backup directory");
		return STORE_EIO;
	}
	if ((size_t)snprintf(path, sizeof path, "%s/data.mdb", dest_dir) >= sizeof path) {
		set_err(err, errlen, "store: the backup directory's name is too long");
		return STORE_EIO;
	}
	/* Our own descriptor, not mdb_env_copy2: it creates the file 0644 less the
	 * umask, and a backup holds every transcript. */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, FILE_MODE);
	if (fd < 0) {
		snprintf(what, sizeof what, "cannot create %s", path);
		return store_err(errno, what, err, errlen);
	}
	snprintf(what, sizeof what, "cannot copy the data into %s", path);
	for (int tries = 0;; tries++) {
		/* The copy runs its own read txn: held under txn_lock like any. */
		pthread_rwlock_rdlock(&s->txn_lock);
		rc = mdb_env_copyfd2(s->env, fd, MDB_CP_COMPACT);
		txn_end_lock(s);
		if (rc != MDB_MAP_RESIZED || tries >= RETRY_MAX)
			break;
		/* Another process grew the map: adopt its size and start over. */
		if ((rc = resize_map(s, 0)) != MDB_SUCCESS)
			break;
		if (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0) {
			rc = errno;
			break;
		}
	}
	if (rc == MDB_SUCCESS && fsync(fd) != 0) {
		rc = errno;
		snprintf(what, sizeof what, "cannot flush %s to disk", path);
	}
	if (close(fd) != 0 && rc == MDB_SUCCESS) {
		rc = errno;
		snprintf(what, sizeof what, "cannot write %s", path);
	}
	if (rc == MDB_SUCCESS && (rc = sync_dir(dest_dir)) != 0)
		snprintf(what, sizeof what, "cannot flush the directory %s to disk", dest_dir);
	if (rc != MDB_SUCCESS) {
		unlink(path);
		return store_err(rc, what, err, errlen);
	}
	return STORE_OK;
}
