/* store: the LMDB environment under the data directory, and nothing else.
 *
 * The store is a set of named key/value databases with ordered keys. It does
 * not know what the values mean (proto.c encodes them); it knows how keys of
 * composite records are laid out (big-endian so that they sort), how to group
 * the writes of many threads into one durable transaction, and how to grow the
 * map when it fills. LMDB error codes never leave this file: callers see the
 * STORE_E* codes below and a sentence in their error buffer.
 *
 * Several processes may open the same directory at once (the server and the
 * CLI): LMDB serialises their writers. */
#ifndef INTERVIEWD_STORE_H
#define INTERVIEWD_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum store_db {
	STORE_DB_META,       /* "schema_version" -> decimal text, ... */
	STORE_DB_INTERVIEWS, /* interview id -> interview record (proto JSON) */
	STORE_DB_TURNS,      /* store_key_turn() -> turn record (proto JSON) */
	STORE_DB_TOKENS,     /* token hash (32 bytes) -> token record */
	STORE_DB_SCRIPTS,    /* sha256 hex of source -> script source text */
	STORE_DB_USERS,      /* account name -> user record (proto JSON) */
	STORE_DB_SESSIONS,   /* session cookie hash (32 bytes) -> session record */
	STORE_DB_APIKEYS,    /* 'k' + key hash -> API key record; 'l' + label -> hash hex */
	STORE_DB_SIGNIN,     /* "user:NAME" / "addr:ADDR" -> recent sign-in failures */
	STORE_DB_COUNT
};

enum {
	STORE_OK = 0,
	STORE_ENOTFOUND = -200, /* no such key */
	STORE_EEXISTS = -201,   /* a put with STORE_PUT_NEW found the key taken */
	STORE_EFULL = -202,     /* the map could not grow (disk full, or at max) */
	STORE_EIO = -203,       /* any other LMDB or OS failure; see err */
	STORE_ECLOSED = -204,   /* the store is shutting down */
	STORE_ENOMEM = -205,
	STORE_ECONFLICT = -206, /* a store_batch_expect() value had changed */
};

/* A short sentence for a STORE_E* code (a static string); the err buffers
 * carry the detail. */
const char *store_strerror(int rc);

#define STORE_SCHEMA_VERSION 1
/* Longest key a caller may build (LMDB's default max key size is 511). */
#define STORE_KEY_MAX 256

struct store_options {
	bool nosync;          /* benchmarks only: skip fsync (not durable) */
	unsigned max_readers; /* reader slots; default 126; size for threads */
	size_t map_size;      /* initial map size; default 1 GiB, grows x2 */
};

struct store;

/* Opens (creating if needed) the environment in dir, which must exist or be
 * creatable. Checks or writes the schema version. Starts the writer thread.
 * On failure returns a STORE_E* code and writes a sentence into err. */
int store_open(struct store **out, const char *dir, const struct store_options *opt,
	       char *err, size_t errlen);

/* Finishes every commit already submitted, stops the writer, closes the
 * environment. NULL is fine. */
void store_close(struct store *s);

/* Fills buf with the turn key of (interview_id, seq): the id bytes followed by
 * seq as 8 big-endian bytes, so an interview's turns sort in order. Returns the
 * key length, or 0 if it would not fit STORE_KEY_MAX. */
size_t store_key_turn(unsigned char *buf, const char *interview_id, uint64_t seq);

/* Reads one value. On success *val is a new NUL-terminated copy (free with
 * free()) and *vlen its length without the NUL. STORE_ENOTFOUND if absent. */
int store_get(struct store *s, enum store_db db, const void *key, size_t klen, char **val,
	      size_t *vlen);

/* Calls fn for every key starting with prefix (plen 0: every key), in key
 * order, inside one read transaction. fn returns 0 to go on, non-zero to stop
 * (store_scan then returns that value). Pointers are valid during the call only.
 * fn should not call back into the store: a map resize waits for this read to
 * end, and gives up with an error after a few seconds rather than deadlock. */
typedef int (*store_scan_fn)(void *ctx, const void *key, size_t klen, const void *val,
			     size_t vlen);
int store_scan(struct store *s, enum store_db db, const void *prefix, size_t plen,
	       store_scan_fn fn, void *ctx);

/* A batch: puts and deletes applied all-or-nothing. */
struct store_batch;
#define STORE_PUT_NEW 1 /* fail the batch with STORE_EEXISTS if the key exists */

struct store_batch *store_batch_new(void);
/* Copies key and value. Returns 0 or STORE_ENOMEM. */
int store_batch_put(struct store_batch *b, enum store_db db, const void *key, size_t klen,
		    const void *val, size_t vlen, int flags);
/* Deleting a key that is not there is not an error. */
int store_batch_del(struct store_batch *b, enum store_db db, const void *key, size_t klen);
/* Makes the batch conditional: when it is applied, key must hold exactly
 * val, else the whole batch fails with STORE_ECONFLICT and writes nothing
 * (compare-and-swap for read-modify-write across threads and processes). */
int store_batch_expect(struct store_batch *b, enum store_db db, const void *key, size_t klen,
		       const void *val, size_t vlen);
void store_batch_free(struct store_batch *b);

/* Applies the batch and returns once it is durable on disk (LMDB's default
 * sync mode), or failed; the wait goes into metrics_commit_seconds. Batches submitted concurrently by many threads are
 * gathered by one writer thread into one transaction (group commit), each in
 * its own nested transaction so one failing batch does not sink the others.
 * Does not free b. Returns 0 or a STORE_E* code (err gets the sentence). */
int store_commit(struct store *s, struct store_batch *b, char *err, size_t errlen);

/* Statistics for logs and benchmarks. */
struct store_stats {
	uint64_t commits;      /* durable transactions */
	uint64_t batches;      /* batches applied */
	uint64_t map_grows;
	unsigned inflight;     /* commits submitted and not yet answered */
	bool closing;          /* store_close has begun: new commits are refused */
	uint64_t map_bytes;    /* the LMDB map's size now */
	uint64_t used_bytes;   /* pages up to the last one written, in bytes */
};
void store_get_stats(struct store *s, struct store_stats *out);

/* Like store_scan, over each of the n databases in dbs in turn, all inside one
 * read transaction: every callback sees the store as it was at one moment,
 * even while other threads or processes write. fn gets the database too. */
typedef int (*store_scan_db_fn)(void *ctx, enum store_db db, const void *key, size_t klen,
				const void *val, size_t vlen);
int store_scan_snapshot(struct store *s, const enum store_db *dbs, size_t n,
			store_scan_db_fn fn, void *ctx);

/* Writes a consistent, compacted copy of the whole environment (free pages
 * left out) into dest_dir/data.mdb, created with mode 0600 and failing if it
 * exists, while other threads and processes go on reading and writing. Returns
 * once the copy is durable (file and directory fsynced), or a STORE_E* code
 * with the sentence in err; a failed copy leaves no file behind. dest_dir must
 * exist; checking that it holds nothing else is the caller's business. */
int store_backup(struct store *s, const char *dest_dir, char *err, size_t errlen);

#endif
