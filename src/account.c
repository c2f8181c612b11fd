/* account: users, sessions, API keys and the sign-in limiter. See account.h.
 *
 * Records are proto JSON in four databases: users by name, sessions by the
 * cookie's hash, API keys by their hash (with a label index beside them in the
 * same database: 'k' + hash -> record, 'l' + label -> hash hex) and sign-in
 * failures by "user:NAME" / "addr:ADDR". A user record carries an epoch that
 * changes with each password; a session is good only while its user exists
 * under the epoch it was opened in. Removing a user or changing a password
 * also deletes their sessions, but the epoch check is what makes that exact
 * when a sign-in races the change in another process.
 *
 * Read-modify-writes (a password change, the failure counts, a session's last
 * use) are conditional batches: store_batch_expect() on the bytes read, and a
 * retry when another thread or process got there first. The limiter records
 * an attempt as a failure before the password is checked and takes it back on
 * success, so concurrent guesses cannot slip past the limit. */
#include "account.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#define CAS_TRIES 16      /* conditional writes retried this often before giving up */
#define HASH_SLOTS 4      /* Argon2id runs at once per process: 4 x 64 MiB at most */
#define ADDR_MAX 128      /* client address bytes kept in a limiter key */
#define APIKEY_RECORD 'k' /* APIKEYS key prefixes */
#define APIKEY_LABEL 'l'
#define RETRY 1           /* internal: a conditional batch lost a race; read again */

_Static_assert(ACCOUNT_SIGNIN_FAILURES < PROTO_FAILURES_MAX, "a failure record has room");

/* ======================================================================== */
/* Names, roles, errors                                                     */
/* ======================================================================== */

const char *account_strerror(int code)
{
	switch (code) {
	case ACCOUNT_OK: return "ok";
	case ACCOUNT_ENAME:
		return "a name must be 1 to 64 characters of letters, digits and . _ @ -";
	case ACCOUNT_EPASSWORD: return "a password must be 8 to 1024 bytes long";
	case ACCOUNT_EROLE: return "the role must be admin or interviewer";
	case ACCOUNT_EEXISTS: return "that name is already taken";
	case ACCOUNT_ENOTFOUND: return "there is no such name";
	case ACCOUNT_EDENIED: return "wrong name or password";
	case ACCOUNT_EEXPIRED: return "the session has expired: sign in again";
	case ACCOUNT_ELIMITED: return "too many failed sign-ins: try again later";
	case ACCOUNT_ESTORE: return "the data directory could not be read or written (see the log)";
	case ACCOUNT_ENOMEM: return "out of memory";
	case ACCOUNT_ECORRUPT: return "a stored account record is damaged (see the log)";
	default: return "unknown account error";
	}
}

const char *account_role_name(enum account_role role)
{
	return role == ACCOUNT_ROLE_ADMIN ? "admin" : "interviewer";
}

int account_role_parse(const char *s, enum account_role *out)
{
	if (s != NULL && strcmp(s, "admin") == 0)
		*out = ACCOUNT_ROLE_ADMIN;
	else if (s != NULL && strcmp(s, "interviewer") == 0)
		*out = ACCOUNT_ROLE_INTERVIEWER;
	else
		return ACCOUNT_EROLE;
	return ACCOUNT_OK;
}

bool account_name_valid(const char *s)
{
	if (s == NULL)
		return false;
	size_t n = strnlen(s, ACCOUNT_NAME_MAX + 1);
	if (n == 0 || n > ACCOUNT_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '@' || c == '-'))
			return false;
	}
	return true;
}

static int password_valid(const char *pw, size_t len)
{
	return pw != NULL && len >= ACCOUNT_PASSWORD_MIN && len <= ACCOUNT_PASSWORD_MAX;
}

static void principal_set(struct account_principal *who, const char *name,
			  enum account_role role, bool apikey)
{
	if (who == NULL)
		return;
	memset(who, 0, sizeof *who);
	snprintf(who->name, sizeof who->name, "%s", name);
	who->role = role;
	who->apikey = apikey;
}

/* ======================================================================== */
/* Store helpers                                                            */
/* ======================================================================== */

/* Commits b and frees it. A lost race (STORE_ECONFLICT) is RETRY, a taken
 * key ACCOUNT_EEXISTS; any other failure is logged with what was being done. */
static int commit(struct store *st, struct store_batch *b, const char *what)
{
	char err[256] = "";
	int rc = store_commit(st, b, err, sizeof err);
	store_batch_free(b);
	switch (rc) {
	case STORE_OK: return ACCOUNT_OK;
	case STORE_ECONFLICT: return RETRY;
	case STORE_EEXISTS: return ACCOUNT_EEXISTS;
	case STORE_ENOMEM: return ACCOUNT_ENOMEM;
	default:
		log_error("account: cannot %s: %s", what, err);
		return ACCOUNT_ESTORE;
	}
}

/* store_get with the account codes: ACCOUNT_ENOTFOUND when absent. */
static int get(struct store *st, enum store_db db, const void *key, size_t klen, char **val,
	       size_t *vlen)
{
	int rc = store_get(st, db, key, klen, val, vlen);
	switch (rc) {
	case STORE_OK: return ACCOUNT_OK;
	case STORE_ENOTFOUND: return ACCOUNT_ENOTFOUND;
	case STORE_ENOMEM: return ACCOUNT_ENOMEM;
	default: return ACCOUNT_ESTORE; /* store_get has logged it */
	}
}

/* Keys (and their values) gathered during a scan, acted on after it: a scan
 * callback must not call back into the store. Scan contexts embed one as
 * their first member, so scan() can read its rc. */
struct found {
	struct found_item {
		unsigned char *key; /* one allocation: key then value */
		size_t klen;
		unsigned char *val;
		size_t vlen;
	} *items;
	size_t n, cap;
	int rc;
};

static int found_add(struct found *f, const void *key, size_t klen, const void *val, size_t vlen)
{
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		struct found_item *items = realloc(f->items, cap * sizeof *items);
		if (items == NULL)
			return ACCOUNT_ENOMEM;
		f->items = items;
		f->cap = cap;
	}
	unsigned char *mem = malloc(klen + vlen + 1);
	if (mem == NULL)
		return ACCOUNT_ENOMEM;
	memcpy(mem, key, klen);
	if (vlen > 0)
		memcpy(mem + klen, val, vlen);
	struct found_item *it = &f->items[f->n++];
	it->key = mem; /* owned by the item from here; found_free() releases it */
	it->klen = klen;
	it->val = mem + klen;
	it->vlen = vlen;
	return ACCOUNT_OK;
}

static void found_free(struct found *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->items[i].key);
	free(f->items);
	memset(f, 0, sizeof *f);
}

/* Runs a scan whose callback fills a struct found; returns its error. */
static int scan(struct store *st, enum store_db db, const void *prefix, size_t plen,
		store_scan_fn fn, struct found *f)
{
	int rc = store_scan(st, db, prefix, plen, fn, f);
	if (f->rc != ACCOUNT_OK)
		return f->rc;
	return rc == STORE_OK ? ACCOUNT_OK : rc == STORE_ENOMEM ? ACCOUNT_ENOMEM : ACCOUNT_ESTORE;
}

/* ======================================================================== */
/* Secrets and password work                                                */
/* ======================================================================== */

/* A new "prefix" + 43 random characters, and the hash of the whole text. */
static void secret_new(const char *prefix, char out[ACCOUNT_SECRET_LEN + 1],
		       unsigned char hash[TOKEN_HASH_LEN])
{
	memcpy(out, prefix, 4);
	token_random_text(out + 4, TOKEN_LEN);
	token_hash_text(out, ACCOUNT_SECRET_LEN, hash);
}

/* Hashes a presented secret when it has the shape secret_new gives: 0, or
 * ACCOUNT_EDENIED for anything else (nothing is looked up for it). */
static int secret_hash(const char *s, const char *prefix, unsigned char hash[TOKEN_HASH_LEN])
{
	unsigned char ignored[TOKEN_HASH_LEN];

	if (s == NULL || strnlen(s, ACCOUNT_SECRET_LEN + 1) != ACCOUNT_SECRET_LEN ||
	    memcmp(s, prefix, 4) != 0 || token_hash(s + 4, ignored) != TOKEN_OK)
		return ACCOUNT_EDENIED; /* token_hash checked the 43 characters' alphabet */
	token_hash_text(s, ACCOUNT_SECRET_LEN, hash);
	return ACCOUNT_OK;
}

/* A stored hash (hex) equals a computed one, in constant time. */
static int hash_matches(const char *stored_hex, const unsigned char hash[TOKEN_HASH_LEN])
{
	unsigned char stored[TOKEN_HASH_LEN];
	return token_hash_from_hex(stored_hex, stored) == TOKEN_OK && token_hash_equal(stored, hash);
}

/* Argon2id takes 64 MiB a run: a burst of sign-ins waits here rather than
 * taking the server's memory. */
static pthread_mutex_t hash_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hash_cv = PTHREAD_COND_INITIALIZER;
static int hash_busy;

static void hash_slot_take(void)
{
	pthread_mutex_lock(&hash_mu);
	while (hash_busy >= HASH_SLOTS)
		pthread_cond_wait(&hash_cv, &hash_mu);
	hash_busy++;
	pthread_mutex_unlock(&hash_mu);
}

static void hash_slot_give(void)
{
	pthread_mutex_lock(&hash_mu);
	hash_busy--;
	pthread_cond_signal(&hash_cv);
	pthread_mutex_unlock(&hash_mu);
}

static int password_hash(const char *pw, size_t len, char out[TOKEN_PWHASH_MAX])
{
	hash_slot_take();
	int rc = token_password_hash(pw, len, out);
	hash_slot_give();
	return rc == TOKEN_OK ? ACCOUNT_OK : ACCOUNT_ENOMEM;
}

/* A hash of a random password nobody knows: verifying against it costs what
 * verifying a real user does, so an unknown name answers no faster. */
static char dummy_hash[TOKEN_PWHASH_MAX];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void dummy_make(void)
{
	char pw[TOKEN_LEN + 1];
	token_random_text(pw, TOKEN_LEN);
	if (token_password_hash(pw, TOKEN_LEN, dummy_hash) != TOKEN_OK)
		dummy_hash[0] = '\0';
}

/* 1 when pw matches stored; with stored NULL, the same work and 0. */
static int password_verify(const char *stored, const char *pw, size_t len)
{
	if (stored == NULL)
		pthread_once(&dummy_once, dummy_make);
	hash_slot_take();
	int ok = token_password_verify(stored ? stored : dummy_hash, pw, len);
	hash_slot_give();
	return stored != NULL && ok;
}

/* ======================================================================== */
/* Users                                                                    */
/* ======================================================================== */

/* Adds to b the deletion of every session of user name. */
struct sessions_of {
	struct found found;
	const char *name;
};

static int sessions_of_fn(void *ctx, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct sessions_of *so = ctx;
	struct proto_session s;

	/* A session that does not decode is useless to anyone: end it too. */
	if (proto_session_decode(val, vlen, &s) == PROTO_OK && strcmp(s.user, so->name) != 0) {
		proto_session_free(&s);
		return 0;
	}
	proto_session_free(&s);
	so->found.rc = found_add(&so->found, key, klen, NULL, 0);
	return so->found.rc != ACCOUNT_OK;
}

static int batch_end_sessions(struct store *st, struct store_batch *b, const char *name)
{
	struct sessions_of so = { .name = name };
	int rc = scan(st, STORE_DB_SESSIONS, NULL, 0, sessions_of_fn, &so.found);
	for (size_t i = 0; rc == ACCOUNT_OK && i < so.found.n; i++)
		if (store_batch_del(b, STORE_DB_SESSIONS, so.found.items[i].key,
				    so.found.items[i].klen) != STORE_OK)
			rc = ACCOUNT_ENOMEM;
	found_free(&so.found);
	return rc;
}

int account_user_add(struct store *st, const char *name, enum account_role role, const char *pw,
		     size_t pwlen, int64_t now)
{
	char hash[TOKEN_PWHASH_MAX], epoch[TOKEN_ID_LEN + 1];
	struct store_batch *b = NULL;
	char *rec = NULL;
	int rc;

	if (!account_name_valid(name))
		return ACCOUNT_ENAME;
	if (!password_valid(pw, pwlen))
		return ACCOUNT_EPASSWORD;
	if ((rc = password_hash(pw, pwlen, hash)) != ACCOUNT_OK)
		return rc;
	token_new_id(epoch);
	struct proto_user u = { .name = (char *)name, .role = (char *)account_role_name(role),
				.password_hash = hash, .epoch = epoch, .created = now,
				.updated = now };
	rc = ACCOUNT_ENOMEM;
	if ((rec = proto_user_encode(&u)) == NULL || (b = store_batch_new()) == NULL ||
	    store_batch_put(b, STORE_DB_USERS, name, strlen(name), rec, strlen(rec),
			    STORE_PUT_NEW) != STORE_OK)
		goto out;
	rc = commit(st, b, "add a user");
	b = NULL;
out:
	store_batch_free(b);
	free(rec);
	return rc;
}

int account_user_passwd(struct store *st, const char *name, const char *pw, size_t pwlen,
			int64_t now)
{
	char hash[TOKEN_PWHASH_MAX], epoch[TOKEN_ID_LEN + 1];
	int rc;

	if (!account_name_valid(name))
		return ACCOUNT_ENAME;
	if (!password_valid(pw, pwlen))
		return ACCOUNT_EPASSWORD;
	if ((rc = password_hash(pw, pwlen, hash)) != ACCOUNT_OK)
		return rc;
	rc = RETRY;
	for (int tries = 0; rc == RETRY && tries < CAS_TRIES; tries++) {
		struct proto_user u;
		struct store_batch *b = NULL;
		char *old = NULL, *rec = NULL;
		size_t oldlen = 0;

		if ((rc = get(st, STORE_DB_USERS, name, strlen(name), &old, &oldlen)) != ACCOUNT_OK)
			break;
		if (proto_user_decode(old, oldlen, &u) != PROTO_OK) {
			log_error("account: the record of user %s does not decode", name);
			free(old);
			rc = ACCOUNT_ECORRUPT;
			break;
		}
		free(u.password_hash);
		free(u.epoch);
		u.password_hash = hash; /* borrowed: NULLed before the free below */
		token_new_id(epoch);
		u.epoch = epoch;
		u.updated = now;
		bool built = (rec = proto_user_encode(&u)) != NULL &&
			     (b = store_batch_new()) != NULL &&
			     store_batch_expect(b, STORE_DB_USERS, name, strlen(name), old,
						oldlen) == STORE_OK &&
			     store_batch_put(b, STORE_DB_USERS, name, strlen(name), rec,
					     strlen(rec), 0) == STORE_OK;
		rc = built ? batch_end_sessions(st, b, name) : ACCOUNT_ENOMEM;
		if (rc == ACCOUNT_OK) {
			rc = commit(st, b, "change a password");
			b = NULL;
		}
		u.password_hash = NULL;
		u.epoch = NULL;
		proto_user_free(&u);
		store_batch_free(b);
		free(rec);
		free(old);
	}
	return rc == RETRY ? ACCOUNT_ESTORE : rc;
}

int account_user_remove(struct store *st, const char *name)
{
	struct store_batch *b = NULL;
	char *old = NULL;
	int rc;

	if (!account_name_valid(name))
		return ACCOUNT_ENAME;
	if ((rc = get(st, STORE_DB_USERS, name, strlen(name), &old, NULL)) != ACCOUNT_OK)
		return rc;
	rc = ACCOUNT_ENOMEM;
	if ((b = store_batch_new()) == NULL ||
	    store_batch_del(b, STORE_DB_USERS, name, strlen(name)) != STORE_OK)
		goto out;
	if ((rc = batch_end_sessions(st, b, name)) != ACCOUNT_OK)
		goto out;
	rc = commit(st, b, "remove a user");
	b = NULL;
out:
	store_batch_free(b);
	free(old);
	return rc;
}

struct user_list {
	struct found found; /* only its rc is used */
	struct proto_user *users;
	size_t n, cap;
};

static int user_list_fn(void *ctx, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct user_list *l = ctx;
	struct proto_user u;

	if (proto_user_decode(val, vlen, &u) != PROTO_OK) {
		log_warn("account: skipping a user record that does not decode (%.*s)",
			 (int)(klen > ACCOUNT_NAME_MAX ? ACCOUNT_NAME_MAX : klen), (const char *)key);
		return 0;
	}
	free(u.password_hash);
	free(u.epoch);
	u.password_hash = u.epoch = NULL;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct proto_user *users = realloc(l->users, cap * sizeof *users);
		if (users == NULL) {
			proto_user_free(&u);
			l->found.rc = ACCOUNT_ENOMEM;
			return 1;
		}
		l->users = users;
		l->cap = cap;
	}
	l->users[l->n++] = u;
	return 0;
}

int account_user_list(struct store *st, struct proto_user **users, size_t *n)
{
	struct user_list l = { 0 };

	*users = NULL;
	*n = 0;
	int rc = scan(st, STORE_DB_USERS, NULL, 0, user_list_fn, &l.found);
	if (rc != ACCOUNT_OK) {
		account_users_free(l.users, l.n);
		return rc;
	}
	*users = l.users; /* the store's key order is name order */
	*n = l.n;
	return ACCOUNT_OK;
}

void account_users_free(struct proto_user *users, size_t n)
{
	for (size_t i = 0; users != NULL && i < n; i++)
		proto_user_free(&users[i]);
	free(users);
}

/* ======================================================================== */
/* The sign-in limiter                                                      */
/* ======================================================================== */

/* One limiter record key: "user:NAME" or "addr:ADDR". */
struct limit_key {
	char key[8 + ADDR_MAX];
	size_t len;
};

/* Drops failures that left the window; the rest stay oldest first. */
static void failures_prune(struct proto_failures *f, int64_t now)
{
	size_t keep = 0;
	for (size_t i = 0; i < f->n; i++)
		if (f->at[i] > now - ACCOUNT_SIGNIN_WINDOW_MS)
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

/* Adds to b the conditional write of key's failures from what (old, oldlen)
 * held: replace when it existed, create when it did not, delete when empty. */
static int batch_failures(struct store_batch *b, const struct limit_key *k, const char *old,
			  size_t oldlen, const struct proto_failures *f)
{
	if (old != NULL &&
	    store_batch_expect(b, STORE_DB_SIGNIN, k->key, k->len, old, oldlen) != STORE_OK)
		return ACCOUNT_ENOMEM;
	if (f->n == 0)
		return store_batch_del(b, STORE_DB_SIGNIN, k->key, k->len) == STORE_OK
			       ? ACCOUNT_OK : ACCOUNT_ENOMEM;
	char *rec = proto_failures_encode(f);
	if (rec == NULL)
		return ACCOUNT_ENOMEM;
	int rc = store_batch_put(b, STORE_DB_SIGNIN, k->key, k->len, rec, strlen(rec),
				 old != NULL ? 0 : STORE_PUT_NEW);
	free(rec);
	return rc == STORE_OK ? ACCOUNT_OK : ACCOUNT_ENOMEM;
}

/* Reads one key's failures into f; *old keeps the bytes (NULL when absent). */
static int failures_read(struct store *st, const struct limit_key *k, char **old, size_t *oldlen,
			 struct proto_failures *f)
{
	memset(f, 0, sizeof *f);
	int rc = get(st, STORE_DB_SIGNIN, k->key, k->len, old, oldlen);
	if (rc == ACCOUNT_ENOTFOUND)
		return ACCOUNT_OK;
	if (rc == ACCOUNT_OK && proto_failures_decode(*old, *oldlen, f) != PROTO_OK)
		log_warn("account: a sign-in failure record does not decode; starting it afresh");
	return rc;
}

/* Records an attempt at now against every key, unless one of them already
 * holds the limit: then ACCOUNT_ELIMITED and *wait_ms until a slot frees. */
static int limiter_reserve(struct store *st, const struct limit_key *keys, size_t nkeys,
			   int64_t now, int64_t *wait_ms)
{
	int rc = RETRY;

	*wait_ms = 0;
	for (int tries = 0; (rc == RETRY || rc == ACCOUNT_EEXISTS) && tries < CAS_TRIES; tries++) {
		struct store_batch *b = store_batch_new();
		*wait_ms = 0;
		rc = b != NULL ? ACCOUNT_OK : ACCOUNT_ENOMEM;
		for (size_t i = 0; rc == ACCOUNT_OK && i < nkeys; i++) {
			struct proto_failures f;
			char *old = NULL;
			size_t oldlen = 0;
			if ((rc = failures_read(st, &keys[i], &old, &oldlen, &f)) == ACCOUNT_OK) {
				failures_prune(&f, now);
				if (f.n >= ACCOUNT_SIGNIN_FAILURES) {
					int64_t w = f.at[f.n - ACCOUNT_SIGNIN_FAILURES] +
						    ACCOUNT_SIGNIN_WINDOW_MS - now;
					if (w > *wait_ms)
						*wait_ms = w;
				} else {
					failures_insert(&f, now);
					rc = batch_failures(b, &keys[i], old, oldlen, &f);
				}
			}
			free(old);
		}
		if (rc == ACCOUNT_OK && *wait_ms > 0)
			rc = ACCOUNT_ELIMITED;
		if (rc == ACCOUNT_OK) {
			rc = commit(st, b, "record a sign-in attempt");
			b = NULL;
		}
		store_batch_free(b);
	}
	return rc == RETRY || rc == ACCOUNT_EEXISTS ? ACCOUNT_ESTORE : rc;
}

/* Takes back the attempt reserved at `at`: it was not a failure. */
static int limiter_release(struct store *st, const struct limit_key *keys, size_t nkeys, int64_t at)
{
	int rc = RETRY;

	for (int tries = 0; rc == RETRY && tries < CAS_TRIES; tries++) {
		struct store_batch *b = store_batch_new();
		int changed = 0;
		rc = b != NULL ? ACCOUNT_OK : ACCOUNT_ENOMEM;
		for (size_t i = 0; rc == ACCOUNT_OK && i < nkeys; i++) {
			struct proto_failures f;
			char *old = NULL;
			size_t oldlen = 0;
			if ((rc = failures_read(st, &keys[i], &old, &oldlen, &f)) == ACCOUNT_OK &&
			    old != NULL) {
				for (size_t j = 0; j < f.n; j++)
					if (f.at[j] == at) {
						memmove(&f.at[j], &f.at[j + 1],
							(f.n - j - 1) * sizeof f.at[0]);
						f.n--;
						changed = 1;
						rc = batch_failures(b, &keys[i], old, oldlen, &f);
						break;
					}
			}
			free(old);
		}
		if (rc == ACCOUNT_OK && changed) {
			rc = commit(st, b, "take back a sign-in attempt");
			b = NULL;
		}
		store_batch_free(b);
	}
	return rc == RETRY ? ACCOUNT_ESTORE : rc;
}

/* ======================================================================== */
/* Sign-in and sessions                                                     */
/* ======================================================================== */

/* Reads and decodes user name. ACCOUNT_ENOTFOUND when absent. */
static int user_read(struct store *st, const char *name, struct proto_user *u)
{
	char *val = NULL;
	size_t vlen = 0;

	memset(u, 0, sizeof *u);
	int rc = get(st, STORE_DB_USERS, name, strlen(name), &val, &vlen);
	if (rc == ACCOUNT_OK && proto_user_decode(val, vlen, u) != PROTO_OK) {
		log_error("account: the record of user %s does not decode", name);
		rc = ACCOUNT_ECORRUPT;
	}
	free(val);
	return rc;
}

/* Writes a new session of user u and its cookie. */
static int session_open(struct store *st, const struct proto_user *u, int64_t now,
			char cookie[ACCOUNT_SECRET_LEN + 1])
{
	unsigned char hash[TOKEN_HASH_LEN];
	char hex[TOKEN_HASH_HEX + 1];
	struct store_batch *b = NULL;
	char *rec = NULL;
	int rc = ACCOUNT_ENOMEM;

	secret_new(ACCOUNT_COOKIE_PREFIX, cookie, hash);
	token_hash_to_hex(hash, hex);
	struct proto_session s = { .user = u->name, .epoch = u->epoch, .hash = hex, .created = now,
				   .last_seen = now };
	if ((rec = proto_session_encode(&s)) == NULL || (b = store_batch_new()) == NULL ||
	    store_batch_put(b, STORE_DB_SESSIONS, hash, sizeof hash, rec, strlen(rec),
			    STORE_PUT_NEW) != STORE_OK)
		goto out;
	rc = commit(st, b, "open a session");
	b = NULL;
out:
	store_batch_free(b);
	free(rec);
	if (rc != ACCOUNT_OK)
		cookie[0] = '\0';
	return rc;
}

int account_sign_in(struct store *st, const char *name, const char *pw, size_t pwlen,
		    const char *client_addr, int64_t now, char cookie[ACCOUNT_SECRET_LEN + 1],
		    struct account_principal *who, int64_t *retry_after)
{
	struct limit_key keys[2];
	struct proto_user u = { 0 };
	enum account_role role = ACCOUNT_ROLE_INTERVIEWER;
	size_t nkeys = 0;
	int64_t wait_ms = 0;
	int rc, found = 0;

	cookie[0] = '\0';
	if (who != NULL)
		memset(who, 0, sizeof *who);
	if (retry_after != NULL)
		*retry_after = 0;
	if (pw == NULL)
		pwlen = 0;
	if (pwlen > ACCOUNT_PASSWORD_MAX) /* no stored password is longer: hash no more */
		pwlen = ACCOUNT_PASSWORD_MAX;
	int name_ok = account_name_valid(name);
	/* A malformed name cannot exist; it still counts against the address. */
	if (name_ok) {
		keys[nkeys].len = (size_t)snprintf(keys[nkeys].key, sizeof keys[nkeys].key,
						   "user:%s", name);
		nkeys++;
	}
	const char *addr = client_addr != NULL && *client_addr ? client_addr : "unknown";
	keys[nkeys].len = (size_t)snprintf(keys[nkeys].key, sizeof keys[nkeys].key, "addr:%.*s",
					   ADDR_MAX, addr);
	nkeys++;

	rc = limiter_reserve(st, keys, nkeys, now, &wait_ms);
	if (rc == ACCOUNT_ELIMITED && retry_after != NULL)
		*retry_after = (wait_ms + 999) / 1000;
	if (rc != ACCOUNT_OK)
		return rc;

	if (name_ok) {
		rc = user_read(st, name, &u);
		if (rc == ACCOUNT_OK && account_role_parse(u.role, &role) == ACCOUNT_OK)
			found = 1;
		else if (rc != ACCOUNT_ENOTFOUND && rc != ACCOUNT_ECORRUPT && rc != ACCOUNT_OK)
			goto out; /* the store failed: say so rather than "wrong password" */
	}
	/* Same work whether or not the name exists. */
	if (!password_verify(found ? u.password_hash : NULL, pw != NULL ? pw : "", pwlen)) {
		rc = ACCOUNT_EDENIED; /* the reserved attempt stays: a failure */
		goto out;
	}
	if ((rc = session_open(st, &u, now, cookie)) != ACCOUNT_OK)
		goto out;
	if (limiter_release(st, keys, nkeys, now) != ACCOUNT_OK)
		log_warn("account: a successful sign-in still counts as a failure for %s", name);
	principal_set(who, u.name, role, false);
out:
	proto_user_free(&u);
	return rc;
}

/* Deletes the session under hash if it still holds (val, vlen). */
static void session_drop(struct store *st, const unsigned char hash[TOKEN_HASH_LEN],
			 const char *val, size_t vlen)
{
	struct store_batch *b = store_batch_new();
	if (b == NULL ||
	    store_batch_expect(b, STORE_DB_SESSIONS, hash, TOKEN_HASH_LEN, val, vlen) != STORE_OK ||
	    store_batch_del(b, STORE_DB_SESSIONS, hash, TOKEN_HASH_LEN) != STORE_OK) {
		store_batch_free(b);
		return;
	}
	(void)commit(st, b, "end a session"); /* lost a race: someone else changed it */
}

int account_session_check(struct store *st, const char *cookie, int64_t now,
			  struct account_principal *who)
{
	unsigned char hash[TOKEN_HASH_LEN];
	struct proto_session s = { 0 };
	struct proto_user u = { 0 };
	enum account_role role = ACCOUNT_ROLE_INTERVIEWER;
	char *val = NULL, *rec = NULL;
	size_t vlen = 0;
	int rc;

	if (who != NULL)
		memset(who, 0, sizeof *who);
	if ((rc = secret_hash(cookie, ACCOUNT_COOKIE_PREFIX, hash)) != ACCOUNT_OK)
		return rc;
	rc = get(st, STORE_DB_SESSIONS, hash, sizeof hash, &val, &vlen);
	if (rc == ACCOUNT_ENOTFOUND)
		rc = ACCOUNT_EDENIED;
	if (rc != ACCOUNT_OK)
		goto out;
	if (proto_session_decode(val, vlen, &s) != PROTO_OK || !hash_matches(s.hash, hash)) {
		log_error("account: a session record does not decode or match its key");
		rc = ACCOUNT_EDENIED;
		goto out;
	}
	if (now - s.created >= ACCOUNT_SESSION_MAX_MS || now - s.last_seen >= ACCOUNT_SESSION_IDLE_MS) {
		session_drop(st, hash, val, vlen);
		rc = ACCOUNT_EEXPIRED;
		goto out;
	}
	/* The user must still exist, under the password the session began with. */
	rc = user_read(st, s.user, &u);
	if (rc == ACCOUNT_OK && account_role_parse(u.role, &role) != ACCOUNT_OK)
		rc = ACCOUNT_ECORRUPT;
	if (rc == ACCOUNT_ENOTFOUND || (rc == ACCOUNT_OK && strcmp(u.epoch, s.epoch) != 0)) {
		session_drop(st, hash, val, vlen);
		rc = ACCOUNT_EDENIED;
	}
	if (rc != ACCOUNT_OK)
		goto out;
	if (now - s.last_seen >= ACCOUNT_SESSION_TOUCH_MS) {
		s.last_seen = now;
		struct store_batch *b = NULL;
		/* Conditional: a sign-out meanwhile must not be undone. Failing to
		 * record the use does not make the session invalid. */
		if ((rec = proto_session_encode(&s)) != NULL && (b = store_batch_new()) != NULL &&
		    store_batch_expect(b, STORE_DB_SESSIONS, hash, sizeof hash, val, vlen) ==
			    STORE_OK &&
		    store_batch_put(b, STORE_DB_SESSIONS, hash, sizeof hash, rec, strlen(rec), 0) ==
			    STORE_OK) {
			(void)commit(st, b, "record a session's use");
			b = NULL;
		}
		store_batch_free(b);
	}
	principal_set(who, u.name, role, false);
out:
	free(rec);
	proto_user_free(&u);
	proto_session_free(&s);
	free(val);
	return rc;
}

int account_sign_out(struct store *st, const char *cookie)
{
	unsigned char hash[TOKEN_HASH_LEN];
	struct store_batch *b;

	if (secret_hash(cookie, ACCOUNT_COOKIE_PREFIX, hash) != ACCOUNT_OK)
		return ACCOUNT_OK; /* nothing such was ever signed in */
	if ((b = store_batch_new()) == NULL ||
	    store_batch_del(b, STORE_DB_SESSIONS, hash, sizeof hash) != STORE_OK) {
		store_batch_free(b);
		return ACCOUNT_ENOMEM;
	}
	return commit(st, b, "end a session");
}

/* --- sweep ------------------------------------------------------------------ */

struct sweep {
	struct found found;
	int64_t now;
};

static int sweep_sessions_fn(void *ctx, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct sweep *sw = ctx;
	struct proto_session s;
	int dead = proto_session_decode(val, vlen, &s) != PROTO_OK ||
		   sw->now - s.created >= ACCOUNT_SESSION_MAX_MS ||
		   sw->now - s.last_seen >= ACCOUNT_SESSION_IDLE_MS;
	proto_session_free(&s);
	if (dead)
		sw->found.rc = found_add(&sw->found, key, klen, NULL, 0);
	return sw->found.rc != ACCOUNT_OK;
}

static int sweep_failures_fn(void *ctx, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct sweep *sw = ctx;
	struct proto_failures f;
	if (proto_failures_decode(val, vlen, &f) == PROTO_OK)
		failures_prune(&f, sw->now);
	else
		f.n = 0;
	if (f.n == 0) /* the value goes along: delete only if still this */
		sw->found.rc = found_add(&sw->found, key, klen, val, vlen);
	return sw->found.rc != ACCOUNT_OK;
}

int account_sweep(struct store *st, int64_t now)
{
	struct sweep ses = { .now = now }, fail = { .now = now };
	struct store_batch *b = NULL;
	int rc;

	if ((rc = scan(st, STORE_DB_SESSIONS, NULL, 0, sweep_sessions_fn, &ses.found)) != ACCOUNT_OK ||
	    (rc = scan(st, STORE_DB_SIGNIN, NULL, 0, sweep_failures_fn, &fail.found)) != ACCOUNT_OK)
		goto out;
	if (ses.found.n + fail.found.n == 0)
		goto out;
	rc = ACCOUNT_ENOMEM;
	if ((b = store_batch_new()) == NULL)
		goto out;
	/* An expired session never comes back to life: no condition needed. */
	for (size_t i = 0; i < ses.found.n; i++)
		if (store_batch_del(b, STORE_DB_SESSIONS, ses.found.items[i].key,
				    ses.found.items[i].klen) != STORE_OK)
			goto out;
	for (size_t i = 0; i < fail.found.n; i++) {
		const struct found_item *it = &fail.found.items[i];
		if (store_batch_expect(b, STORE_DB_SIGNIN, it->key, it->klen, it->val, it->vlen) !=
			    STORE_OK ||
		    store_batch_del(b, STORE_DB_SIGNIN, it->key, it->klen) != STORE_OK)
			goto out;
	}
	rc = commit(st, b, "sweep expired sessions");
	b = NULL;
	if (rc == RETRY) /* a failure was recorded meanwhile: the next sweep gets it */
		rc = ACCOUNT_OK;
out:
	store_batch_free(b);
	found_free(&ses.found);
	found_free(&fail.found);
	return rc;
}

/* ======================================================================== */
/* API keys                                                                 */
/* ======================================================================== */

/* APIKEYS keys: 'k' + hash, 'l' + label. Returns the length. */
static size_t apikey_record_key(unsigned char *buf, const unsigned char hash[TOKEN_HASH_LEN])
{
	buf[0] = APIKEY_RECORD;
	memcpy(buf + 1, hash, TOKEN_HASH_LEN);
	return 1 + TOKEN_HASH_LEN;
}

static size_t apikey_label_key(char *buf, const char *label)
{
	buf[0] = APIKEY_LABEL;
	size_t n = strlen(label);
	memcpy(buf + 1, label, n);
	return 1 + n;
}

int account_apikey_add(struct store *st, const char *label, enum account_role role, int64_t now,
		       char key[ACCOUNT_SECRET_LEN + 1])
{
	unsigned char hash[TOKEN_HASH_LEN], rkey[1 + TOKEN_HASH_LEN];
	char hex[TOKEN_HASH_HEX + 1], lkey[1 + ACCOUNT_NAME_MAX];
	struct store_batch *b = NULL;
	char *rec = NULL;
	int rc = ACCOUNT_ENOMEM;

	key[0] = '\0';
	if (!account_name_valid(label))
		return ACCOUNT_ENAME;
	secret_new(ACCOUNT_APIKEY_PREFIX, key, hash);
	token_hash_to_hex(hash, hex);
	struct proto_apikey k = { .label = (char *)label, .role = (char *)account_role_name(role),
				  .hash = hex, .created = now };
	size_t rlen = apikey_record_key(rkey, hash), llen = apikey_label_key(lkey, label);
	if ((rec = proto_apikey_encode(&k)) == NULL || (b = store_batch_new()) == NULL ||
	    store_batch_put(b, STORE_DB_APIKEYS, lkey, llen, hex, TOKEN_HASH_HEX, STORE_PUT_NEW) !=
		    STORE_OK ||
	    store_batch_put(b, STORE_DB_APIKEYS, rkey, rlen, rec, strlen(rec), STORE_PUT_NEW) !=
		    STORE_OK)
		goto out;
	rc = commit(st, b, "add an API key");
	b = NULL;
out:
	store_batch_free(b);
	free(rec);
	if (rc != ACCOUNT_OK)
		key[0] = '\0';
	return rc;
}

int account_apikey_remove(struct store *st, const char *label)
{
	unsigned char hash[TOKEN_HASH_LEN], rkey[1 + TOKEN_HASH_LEN];
	char lkey[1 + ACCOUNT_NAME_MAX];
	struct store_batch *b = NULL;
	char *hex = NULL;
	int rc;

	if (!account_name_valid(label))
		return ACCOUNT_ENAME;
	size_t llen = apikey_label_key(lkey, label);
	if ((rc = get(st, STORE_DB_APIKEYS, lkey, llen, &hex, NULL)) != ACCOUNT_OK)
		return rc;
	rc = ACCOUNT_ECORRUPT;
	if (token_hash_from_hex(hex, hash) != TOKEN_OK) {
		log_error("account: the index entry of API key %s is damaged", label);
		goto out;
	}
	size_t rlen = apikey_record_key(rkey, hash);
	rc = ACCOUNT_ENOMEM;
	if ((b = store_batch_new()) == NULL ||
	    store_batch_del(b, STORE_DB_APIKEYS, lkey, llen) != STORE_OK ||
	    store_batch_del(b, STORE_DB_APIKEYS, rkey, rlen) != STORE_OK)
		goto out;
	rc = commit(st, b, "remove an API key");
	b = NULL;
out:
	store_batch_free(b);
	free(hex);
	return rc;
}

struct apikey_list {
	struct found found; /* only its rc is used */
	struct proto_apikey *keys;
	size_t n, cap;
};

static int apikey_list_fn(void *ctx, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct apikey_list *l = ctx;
	struct proto_apikey k;

	if (proto_apikey_decode(val, vlen, &k) != PROTO_OK) {
		log_warn("account: skipping an API key record that does not decode");
		return 0;
	}
	free(k.hash);
	k.hash = NULL;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct proto_apikey *keys = realloc(l->keys, cap * sizeof *keys);
		if (keys == NULL) {
			proto_apikey_free(&k);
			l->found.rc = ACCOUNT_ENOMEM;
			return 1;
		}
		l->keys = keys;
		l->cap = cap;
	}
	l->keys[l->n++] = k;
	return 0;
}

static int apikey_by_label(const void *a, const void *b)
{
	return strcmp(((const struct proto_apikey *)a)->label,
		      ((const struct proto_apikey *)b)->label);
}

int account_apikey_list(struct store *st, struct proto_apikey **keys, size_t *n)
{
	struct apikey_list l = { 0 };
	const char prefix = APIKEY_RECORD;

	*keys = NULL;
	*n = 0;
	int rc = scan(st, STORE_DB_APIKEYS, &prefix, 1, apikey_list_fn, &l.found);
	if (rc != ACCOUNT_OK) {
		account_apikeys_free(l.keys, l.n);
		return rc;
	}
	if (l.n > 1) /* stored in hash order */
		qsort(l.keys, l.n, sizeof *l.keys, apikey_by_label);
	*keys = l.keys;
	*n = l.n;
	return ACCOUNT_OK;
}

void account_apikeys_free(struct proto_apikey *keys, size_t n)
{
	for (size_t i = 0; keys != NULL && i < n; i++)
		proto_apikey_free(&keys[i]);
	free(keys);
}

int account_apikey_check(struct store *st, const char *key, struct account_principal *who)
{
	unsigned char hash[TOKEN_HASH_LEN], rkey[1 + TOKEN_HASH_LEN];
	struct proto_apikey k = { 0 };
	enum account_role role = ACCOUNT_ROLE_INTERVIEWER;
	char *val = NULL;
	size_t vlen = 0;
	int rc;

	if (who != NULL)
		memset(who, 0, sizeof *who);
	if ((rc = secret_hash(key, ACCOUNT_APIKEY_PREFIX, hash)) != ACCOUNT_OK)
		return rc;
	rc = get(st, STORE_DB_APIKEYS, rkey, apikey_record_key(rkey, hash), &val, &vlen);
	if (rc == ACCOUNT_ENOTFOUND)
		rc = ACCOUNT_EDENIED;
	if (rc != ACCOUNT_OK)
		goto out;
	if (proto_apikey_decode(val, vlen, &k) != PROTO_OK || !hash_matches(k.hash, hash) ||
	    account_role_parse(k.role, &role) != ACCOUNT_OK) {
		log_error("account: an API key record does not decode or match its key");
		rc = ACCOUNT_EDENIED;
		goto out;
	}
	principal_set(who, k.label, role, true);
out:
	proto_apikey_free(&k);
	free(val);
	return rc;
}
