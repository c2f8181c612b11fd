/* signin: the sign-in failure limit. See signin.h.
 *
 * A key's record is proto's failure list, oldest first. Every update reads
 * the records of an attempt's keys, edits them in memory, and writes the
 * changed ones back in one batch that applies only if each record still
 * holds the bytes read (or, for one read as absent, is still absent); a lost
 * race is read again. */
#include "signin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "proto.h"

#define CAS_TRIES 16 /* conditional writes retried this often before giving up */
#define RETRY 1      /* internal: a conditional batch lost a race; read again */

_Static_assert(SIGNIN_FAILURES < PROTO_FAILURES_MAX, "a failure record has room");

const char *signin_strerror(int code)
{
	switch (code) {
	case SIGNIN_OK:
		return "ok";
	case SIGNIN_ELIMITED:
		return "too many failed sign-ins: try again later";
	case SIGNIN_ESTORE:
		return "the sign-in failures could not be read or written (see the log)";
	case SIGNIN_ENOMEM:
		return "out of memory";
	default:
		return "unknown sign-in error";
	}
}

void signin_keys_of(struct signin_keys *k, const char *name, const char *client_addr)
{
	k->n = 0;
	if (name != NULL) {
		k->v[k->n].len =
			(size_t)snprintf(k->v[k->n].key, sizeof k->v[k->n].key, "user:%s", name);
		k->n++;
	}
	const char *addr = client_addr != NULL && *client_addr ? client_addr : "unknown";
	k->v[k->n].len = (size_t)snprintf(k->v[k->n].key, sizeof k->v[k->n].key, "addr:%.*s",
					  SIGNIN_ADDR_MAX, addr);
	k->n++;
}

/* ---- one key's failures -------------------------------------------------- */

/* Drops failures that left the window; the rest stay oldest first. */
static void failures_prune(struct proto_failures *f, int64_t now)
{
	size_t keep = 0;
	for (size_t i = 0; i < f->n; i++)
		if (f->at[i] > now - SIGNIN_WINDOW_MS)
			f->at[keep++] = f->at[i];
	f->n = keep;
}

/* Inserts in time order; only called below the limit, so there is room. */
static void failures_insert(struct proto_failures *f, int64_t at)
{
	size_t i = f->n;
	while (i > 0 && f->at[i - 1] > at) { /* a clock that stepped back */
		f->at[i] = f->at[i - 1];
		i--;
	}
	f->at[i] = at;
	f->n++;
}

/* Reads one key's failures into f; *old keeps the bytes (NULL when absent). */
static int failures_read(struct store *st, const struct signin_key *k, char **old, size_t *oldlen,
			 struct proto_failures *f)
{
	memset(f, 0, sizeof *f);
	*old = NULL;
	switch (store_get(st, STORE_DB_SIGNIN, k->key, k->len, old, oldlen)) {
	case STORE_OK:
		break;
	case STORE_ENOTFOUND:
		return SIGNIN_OK;
	case STORE_ENOMEM:
		return SIGNIN_ENOMEM;
	default:
		return SIGNIN_ESTORE; /* store_get has logged it */
	}
	if (proto_failures_decode(*old, *oldlen, f) != PROTO_OK)
		log_warn("account: a sign-in failure record does not decode; starting it afresh");
	return SIGNIN_OK;
}

/* Adds to b the write of key's failures f, conditional on what (old,
 * oldlen) held: replace when it existed, create when it did not, delete
 * when nothing is left. */
static int batch_failures(struct store_batch *b, const struct signin_key *k, const char *old,
			  size_t oldlen, const struct proto_failures *f)
{
	int rc = STORE_OK;
	if (old != NULL)
		rc = store_batch_expect(b, STORE_DB_SIGNIN, k->key, k->len, old, oldlen);
	if (rc == STORE_OK && f->n == 0) {
		rc = store_batch_del(b, STORE_DB_SIGNIN, k->key, k->len);
	} else if (rc == STORE_OK) {
		char *rec = proto_failures_encode(f);
		rc = rec == NULL ? STORE_ENOMEM
				 : store_batch_put(b, STORE_DB_SIGNIN, k->key, k->len, rec,
						   strlen(rec), old != NULL ? 0 : STORE_PUT_NEW);
		free(rec);
	}
	return rc == STORE_OK ? SIGNIN_OK : SIGNIN_ENOMEM;
}

/* ---- every key of an attempt at once --------------------------------------- */

/* What an edit did to one key's failures. */
enum edit { EDIT_NONE, EDIT_CHANGED, EDIT_REFUSED };
typedef enum edit (*edit_fn)(struct proto_failures *f, void *ctx);

/* Commits b: RETRY when another writer changed a record that was read, or
 * created one that was read as absent. */
static int commit(struct store *st, struct store_batch *b, const char *what)
{
	char err[256] = "";
	switch (store_commit(st, b, err, sizeof err)) {
	case STORE_OK:
		return SIGNIN_OK;
	case STORE_ECONFLICT:
	case STORE_EEXISTS:
		return RETRY;
	case STORE_ENOMEM:
		return SIGNIN_ENOMEM;
	default:
		log_error("account: cannot %s: %s", what, err);
		return SIGNIN_ESTORE;
	}
}

/* Reads every key's failures, lets edit change each, and writes the changed
 * ones back in one conditional batch; reads again and retries when another
 * writer got there first. Writes nothing when an edit refuses (then
 * SIGNIN_ELIMITED, after every key was seen) or none changed anything. */
static int update(struct store *st, const struct signin_keys *k, edit_fn edit, void *ctx,
		  const char *what)
{
	int rc = RETRY;

	for (int tries = 0; rc == RETRY && tries < CAS_TRIES; tries++) {
		struct store_batch *b = store_batch_new();
		bool changed = false, refused = false;
		rc = b != NULL ? SIGNIN_OK : SIGNIN_ENOMEM;
		for (size_t i = 0; rc == SIGNIN_OK && i < k->n; i++) {
			struct proto_failures f;
			char *old = NULL;
			size_t oldlen = 0;
			if ((rc = failures_read(st, &k->v[i], &old, &oldlen, &f)) == SIGNIN_OK) {
				switch (edit(&f, ctx)) {
				case EDIT_NONE:
					break;
				case EDIT_REFUSED:
					refused = true;
					break;
				case EDIT_CHANGED:
					changed = true;
					rc = batch_failures(b, &k->v[i], old, oldlen, &f);
					break;
				}
			}
			free(old);
		}
		if (rc == SIGNIN_OK && refused)
			rc = SIGNIN_ELIMITED;
		if (rc == SIGNIN_OK && changed)
			rc = commit(st, b, what);
		store_batch_free(b);
	}
	return rc == RETRY ? SIGNIN_ESTORE : rc;
}

struct reserve {
	int64_t now;
	int64_t wait_ms; /* the longest wait of the keys at the limit */
};

/* Adds an attempt at now, unless the key already holds the limit. */
static enum edit reserve_edit(struct proto_failures *f, void *ctx)
{
	struct reserve *r = ctx;

	failures_prune(f, r->now);
	if (f->n >= SIGNIN_FAILURES) {
		/* > 0: pruning kept only failures still in the window */
		int64_t w = f->at[f->n - SIGNIN_FAILURES] + SIGNIN_WINDOW_MS - r->now;
		if (w > r->wait_ms)
			r->wait_ms = w;
		return EDIT_REFUSED;
	}
	failures_insert(f, r->now);
	return EDIT_CHANGED;
}

int signin_reserve(struct store *st, const struct signin_keys *k, int64_t now, int64_t *wait_ms)
{
	struct reserve r = { .now = now, .wait_ms = 0 };
	int rc = update(st, k, reserve_edit, &r, "record a sign-in attempt");
	*wait_ms = r.wait_ms;
	return rc;
}

/* Removes the attempt at *ctx, if the key has it. */
static enum edit release_edit(struct proto_failures *f, void *ctx)
{
	const int64_t at = *(const int64_t *)ctx;

	for (size_t j = 0; j < f->n; j++)
		if (f->at[j] == at) {
			memmove(&f->at[j], &f->at[j + 1], (f->n - j - 1) * sizeof f->at[0]);
			f->n--;
			return EDIT_CHANGED;
		}
	return EDIT_NONE;
}

int signin_release(struct store *st, const struct signin_keys *k, int64_t at)
{
	return update(st, k, release_edit, &at, "take back a sign-in attempt");
}

bool signin_record_stale(const void *val, size_t vlen, int64_t now)
{
	struct proto_failures f;
	if (proto_failures_decode(val, vlen, &f) == PROTO_OK)
		failures_prune(&f, now);
	else
		f.n = 0;
	return f.n == 0;
}
