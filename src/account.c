/* account: users, sessions and API keys. See account.h.
 *
 * Records are proto JSON in three databases: users by name, sessions by the
 * cookie's hash, API keys by their hash (with a label index beside them in the
 * same database: 'k' + hash -> record, 'l' + label -> hash hex). A user record
 * carries an epoch that changes with each password; a session is good only
 * while its user exists under the epoch it was opened in. Removing a user or
 * changing a password also deletes their sessions, but the epoch check is
 * what makes that exact when a sign-in races the change in another process.
 *
 * Read-modify-writes (a password change, a session's last use) are
 * conditional batches: store_batch_expect() on the bytes read, and a retry
 * when another thread or process got there first. The sign-in failure limit
 * is signin.c's: a sign-in reserves an attempt there before the password is
 * checked and takes it back on success; the sweep here deletes its stale
 * records along with expired sessions. */
#include "account.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "signin.h"

#define CAS_TRIES 16      /* conditional writes retried this often before giving up */
#define HASH_SLOTS 4      /* Argon2id runs at once per process: 4 x 64 MiB at most */
#define APIKEY_RECORD 'k' /* APIKEYS key prefixes */
#define APIKEY_LABEL 'l'
#define RETRY 1           /* internal: a conditional batch lost a race; read again */

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

/* --- batches ---------------------------------------------------------------- */

/* A batch being filled. The first failure sticks (and later adds do
 * nothing), so a run of adds is checked once, by batch_commit(). */
struct batch {
	struct store_batch *b;
	int rc;
};

static void batch_begin(struct batch *bt)
{
	bt->b = store_batch_new();
	bt->rc = bt->b != NULL ? ACCOUNT_OK : ACCOUNT_ENOMEM;
}

/* Puts text (a NUL-terminated record) under key. NULL text is an encoder
 * that ran out of memory: the batch fails with ACCOUNT_ENOMEM. */
static void batch_put(struct batch *bt, enum store_db db, const void *key, size_t klen,
		      const char *text, int flags)
{
	if (bt->rc == ACCOUNT_OK &&
	    (text == NULL ||
	     store_batch_put(bt->b, db, key, klen, text, strlen(text), flags) != STORE_OK))
		bt->rc = ACCOUNT_ENOMEM;
}

static void batch_del(struct batch *bt, enum store_db db, const void *key, size_t klen)
{
	if (bt->rc == ACCOUNT_OK && store_batch_del(bt->b, db, key, klen) != STORE_OK)
		bt->rc = ACCOUNT_ENOMEM;
}

/* The batch applies only if key still holds (val, vlen). */
static void batch_expect(struct batch *bt, enum store_db db, const void *key, size_t klen,
			 const void *val, size_t vlen)
{
	if (bt->rc == ACCOUNT_OK && store_batch_expect(bt->b, db, key, klen, val, vlen) != STORE_OK)
		bt->rc = ACCOUNT_ENOMEM;
}

/* Frees a batch that is not to be committed. */
static void batch_drop(struct batch *bt)
{
	store_batch_free(bt->b);
	bt->b = NULL;
}

/* Commits the batch unless filling it failed (then that failure), and frees
 * it either way. A lost race (STORE_ECONFLICT) is RETRY, a taken key
 * ACCOUNT_EEXISTS; any other store failure is logged with what was being done. */
static int batch_commit(struct store *st, struct batch *bt, const char *what)
{
	char err[256] = "";
	int rc = bt->rc;

	if (rc == ACCOUNT_OK) {
		switch (store_commit(st, bt->b, err, sizeof err)) {
		case STORE_OK: rc = ACCOUNT_OK; break;
		case STORE_ECONFLICT: rc = RETRY; break;
		case STORE_EEXISTS: rc = ACCOUNT_EEXISTS; break;
		case STORE_ENOMEM: rc = ACCOUNT_ENOMEM; break;
		default:
			log_error("account: cannot %s: %s", what, err);
			rc = ACCOUNT_ESTORE;
		}
	}
	batch_drop(bt);
	return rc;
}

/* --- scans ------------------------------------------------------------------ */

/* Records copied out of a scan, in key order, to be acted on after it: a
 * scan callback must not call back into the store. A list, as nothing needs
 * more than one walk through it. */
struct found {
	struct found_item {
		struct found_item *next;
		const void *key; /* both point into bytes */
		size_t klen;
		const void *val;
		size_t vlen;
		unsigned char bytes[]; /* the key, then the value */
	} *first, *last;
	size_t n;
};

/* Which records a scan keeps: true to keep. arg is the scan's. */
typedef bool (*keep_fn)(const void *arg, const void *val, size_t vlen);

struct scan_state {
	struct found *found;
	keep_fn keep;
	const void *arg;
	int rc;
};

static int scan_fn(void *ctx, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct scan_state *s = ctx;

	if (s->keep != NULL && !s->keep(s->arg, val, vlen))
		return 0;
	struct found_item *it = malloc(sizeof *it + klen + vlen);
	if (it == NULL) {
		s->rc = ACCOUNT_ENOMEM;
		return 1;
	}
	it->next = NULL;
	it->key = it->bytes;
	it->klen = klen;
	it->val = it->bytes + klen;
	it->vlen = vlen;
	memcpy(it->bytes, key, klen);
	if (vlen > 0)
		memcpy(it->bytes + klen, val, vlen);
	if (s->found->last != NULL)
		s->found->last->next = it;
	else
		s->found->first = it;
	s->found->last = it;
	s->found->n++;
	return 0;
}

static void found_free(struct found *f)
{
	while (f->first != NULL) {
		struct found_item *next = f->first->next;
		free(f->first);
		f->first = next;
	}
	memset(f, 0, sizeof *f);
}

/* Copies the records of db under prefix (plen 0: all) that keep accepts
 * (keep NULL: every one) into f. Free f with found_free(), also on failure. */
static int scan(struct store *st, enum store_db db, const void *prefix, size_t plen, keep_fn keep,
		const void *arg, struct found *f)
{
	struct scan_state s = { .found = f, .keep = keep, .arg = arg, .rc = ACCOUNT_OK };

	memset(f, 0, sizeof *f);
	int rc = store_scan(st, db, prefix, plen, scan_fn, &s);
	if (s.rc != ACCOUNT_OK)
		return s.rc;
	return rc == STORE_OK ? ACCOUNT_OK : rc == STORE_ENOMEM ? ACCOUNT_ENOMEM : ACCOUNT_ESTORE;
}

/* Adds the deletion of every found key. With if_unchanged, the batch fails
 * (RETRY) when any of them no longer holds the value found. */
static void batch_del_found(struct batch *bt, enum store_db db, const struct found *f,
			    bool if_unchanged)
{
	for (const struct found_item *it = f->first; it != NULL; it = it->next) {
		if (if_unchanged)
			batch_expect(bt, db, it->key, it->klen, it->val, it->vlen);
		batch_del(bt, db, it->key, it->klen);
	}
}

/* Decodes a found record into *out for a listing (without its secrets);
 * false, having logged why, to leave it out. */
typedef bool (*decode_fn)(const struct found_item *it, void *out);

/* Every record of db under prefix, in key order, decoded by decode into a
 * new array of *n elements of size bytes; the records that do not decode are
 * left out. *items is NULL when there are none. */
static int list_records(struct store *st, enum store_db db, const void *prefix, size_t plen,
			decode_fn decode, size_t size, void **items, size_t *n)
{
	struct found f;
	unsigned char *out = NULL;

	*items = NULL;
	*n = 0;
	int rc = scan(st, db, prefix, plen, NULL, NULL, &f);
	if (rc != ACCOUNT_OK || f.n == 0)
		goto out;
	if ((out = calloc(f.n, size)) == NULL) {
		rc = ACCOUNT_ENOMEM;
		goto out;
	}
	for (const struct found_item *it = f.first; it != NULL; it = it->next)
		if (decode(it, out + *n * size))
			(*n)++;
	if (*n == 0) {
		free(out);
		out = NULL;
	}
	*items = out;
out:
	found_free(&f);
	return rc;
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

/* A session of the user named arg, or one that does not decode: useless to
 * anyone, so it ends too. */
static bool session_of(const void *arg, const void *val, size_t vlen)
{
	struct proto_session s;
	bool keep = proto_session_decode(val, vlen, &s) != PROTO_OK || strcmp(s.user, arg) == 0;
	proto_session_free(&s);
	return keep;
}

/* Adds to bt the deletion of every session of user name. */
static void batch_end_sessions(struct store *st, struct batch *bt, const char *name)
{
	struct found f;

	if (bt->rc != ACCOUNT_OK)
		return;
	bt->rc = scan(st, STORE_DB_SESSIONS, NULL, 0, session_of, name, &f);
	batch_del_found(bt, STORE_DB_SESSIONS, &f, false);
	found_free(&f);
}

/* Checks a user name and a new password, then hashes the password: the
 * slow part, done before the store is read so no record is held meanwhile. */
static int new_password(const char *name, const char *pw, size_t pwlen, char hash[TOKEN_PWHASH_MAX])
{
	if (!account_name_valid(name))
		return ACCOUNT_ENAME;
	if (!password_valid(pw, pwlen))
		return ACCOUNT_EPASSWORD;
	return password_hash(pw, pwlen, hash);
}

int account_user_add(struct store *st, const char *name, enum account_role role, const char *pw,
		     size_t pwlen, int64_t now)
{
	char hash[TOKEN_PWHASH_MAX], epoch[TOKEN_ID_LEN + 1];
	struct batch bt;
	int rc;

	if ((rc = new_password(name, pw, pwlen, hash)) != ACCOUNT_OK)
		return rc;
	token_new_id(epoch);
	struct proto_user u = { .name = (char *)name, .role = (char *)account_role_name(role),
				.password_hash = hash, .epoch = epoch, .created = now,
				.updated = now };
	char *rec = proto_user_encode(&u);
	batch_begin(&bt);
	batch_put(&bt, STORE_DB_USERS, name, strlen(name), rec, STORE_PUT_NEW);
	rc = batch_commit(st, &bt, "add a user");
	free(rec);
	return rc;
}

int account_user_passwd(struct store *st, const char *name, const char *pw, size_t pwlen,
			int64_t now)
{
	char hash[TOKEN_PWHASH_MAX], epoch[TOKEN_ID_LEN + 1];
	int rc;

	if ((rc = new_password(name, pw, pwlen, hash)) != ACCOUNT_OK)
		return rc;
	rc = RETRY;
	for (int tries = 0; rc == RETRY && tries < CAS_TRIES; tries++) {
		struct proto_user u;
		struct batch bt;
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
		rec = proto_user_encode(&u);
		batch_begin(&bt);
		batch_expect(&bt, STORE_DB_USERS, name, strlen(name), old, oldlen);
		batch_put(&bt, STORE_DB_USERS, name, strlen(name), rec, 0);
		batch_end_sessions(st, &bt, name);
		rc = batch_commit(st, &bt, "change a password");
		u.password_hash = NULL;
		u.epoch = NULL;
		proto_user_free(&u);
		free(rec);
		free(old);
	}
	return rc == RETRY ? ACCOUNT_ESTORE : rc;
}

int account_user_remove(struct store *st, const char *name)
{
	struct batch bt;
	char *old = NULL;
	int rc;

	if (!account_name_valid(name))
		return ACCOUNT_ENAME;
	if ((rc = get(st, STORE_DB_USERS, name, strlen(name), &old, NULL)) != ACCOUNT_OK)
		return rc;
	free(old); /* read only to say ACCOUNT_ENOTFOUND */
	batch_begin(&bt);
	batch_del(&bt, STORE_DB_USERS, name, strlen(name));
	batch_end_sessions(st, &bt, name);
	return batch_commit(st, &bt, "remove a user");
}

/* A listed user: name, role and times, no password hash or epoch. */
static bool user_listed(const struct found_item *it, void *out)
{
	struct proto_user *u = out;

	if (proto_user_decode(it->val, it->vlen, u) != PROTO_OK) {
		log_warn("account: skipping a user record that does not decode (%.*s)",
			 (int)(it->klen > ACCOUNT_NAME_MAX ? ACCOUNT_NAME_MAX : it->klen),
			 (const char *)it->key);
		return false;
	}
	free(u->password_hash);
	free(u->epoch);
	u->password_hash = u->epoch = NULL;
	return true;
}

int account_user_list(struct store *st, struct proto_user **users, size_t *n)
{
	void *items;
	int rc = list_records(st, STORE_DB_USERS, NULL, 0, user_listed, sizeof **users, &items, n);
	*users = items; /* the store's key order is name order */
	return rc;
}

void account_users_free(struct proto_user *users, size_t n)
{
	for (size_t i = 0; users != NULL && i < n; i++)
		proto_user_free(&users[i]);
	free(users);
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
	struct batch bt;

	secret_new(ACCOUNT_COOKIE_PREFIX, cookie, hash);
	token_hash_to_hex(hash, hex);
	struct proto_session s = { .user = u->name, .epoch = u->epoch, .hash = hex, .created = now,
				   .last_seen = now };
	char *rec = proto_session_encode(&s);
	batch_begin(&bt);
	batch_put(&bt, STORE_DB_SESSIONS, hash, sizeof hash, rec, STORE_PUT_NEW);
	int rc = batch_commit(st, &bt, "open a session");
	free(rec);
	if (rc != ACCOUNT_OK)
		cookie[0] = '\0';
	return rc;
}

/* The account code for a SIGNIN_E* code. */
static int from_signin(int rc)
{
	switch (rc) {
	case SIGNIN_OK: return ACCOUNT_OK;
	case SIGNIN_ELIMITED: return ACCOUNT_ELIMITED;
	case SIGNIN_ENOMEM: return ACCOUNT_ENOMEM;
	default: return ACCOUNT_ESTORE; /* signin has logged it */
	}
}

int account_sign_in(struct store *st, const char *name, const char *pw, size_t pwlen,
		    const char *client_addr, int64_t now, char cookie[ACCOUNT_SECRET_LEN + 1],
		    struct account_principal *who, int64_t *retry_after)
{
	struct signin_keys keys;
	struct proto_user u = { 0 };
	enum account_role role = ACCOUNT_ROLE_INTERVIEWER;
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
	signin_keys_of(&keys, name_ok ? name : NULL, client_addr);
	rc = from_signin(signin_reserve(st, &keys, now, &wait_ms));
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
	if (signin_release(st, &keys, now) != SIGNIN_OK)
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
	struct batch bt;

	batch_begin(&bt);
	batch_expect(&bt, STORE_DB_SESSIONS, hash, TOKEN_HASH_LEN, val, vlen);
	batch_del(&bt, STORE_DB_SESSIONS, hash, TOKEN_HASH_LEN);
	(void)batch_commit(st, &bt, "end a session"); /* lost a race: someone else changed it */
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
		struct batch bt;
		s.last_seen = now;
		rec = proto_session_encode(&s);
		/* Conditional: a sign-out meanwhile must not be undone. Failing to
		 * record the use does not make the session invalid. */
		batch_begin(&bt);
		batch_expect(&bt, STORE_DB_SESSIONS, hash, sizeof hash, val, vlen);
		batch_put(&bt, STORE_DB_SESSIONS, hash, sizeof hash, rec, 0);
		(void)batch_commit(st, &bt, "record a session's use");
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
	struct batch bt;

	if (secret_hash(cookie, ACCOUNT_COOKIE_PREFIX, hash) != ACCOUNT_OK)
		return ACCOUNT_OK; /* nothing such was ever signed in */
	batch_begin(&bt);
	batch_del(&bt, STORE_DB_SESSIONS, hash, sizeof hash);
	return batch_commit(st, &bt, "end a session");
}

/* --- sweep ------------------------------------------------------------------ */

/* An expired session, or one that does not decode. arg: the time now. */
static bool session_expired(const void *arg, const void *val, size_t vlen)
{
	const int64_t now = *(const int64_t *)arg;
	struct proto_session s;
	bool dead = proto_session_decode(val, vlen, &s) != PROTO_OK ||
		    now - s.created >= ACCOUNT_SESSION_MAX_MS ||
		    now - s.last_seen >= ACCOUNT_SESSION_IDLE_MS;
	proto_session_free(&s);
	return dead;
}

/* A failure record with nothing left in the window. arg: the time now. */
static bool failures_stale(const void *arg, const void *val, size_t vlen)
{
	return signin_record_stale(val, vlen, *(const int64_t *)arg);
}

int account_sweep(struct store *st, int64_t now)
{
	struct found ses = { 0 }, fail = { 0 };
	struct batch bt;
	int rc;

	rc = scan(st, STORE_DB_SESSIONS, NULL, 0, session_expired, &now, &ses);
	if (rc == ACCOUNT_OK)
		rc = scan(st, STORE_DB_SIGNIN, NULL, 0, failures_stale, &now, &fail);
	if (rc != ACCOUNT_OK)
		goto out;
	if (ses.n + fail.n == 0)
		goto out;
	batch_begin(&bt);
	/* An expired session never comes back to life: no condition needed. A
	 * failure record is deleted only if no failure was recorded meanwhile. */
	batch_del_found(&bt, STORE_DB_SESSIONS, &ses, false);
	batch_del_found(&bt, STORE_DB_SIGNIN, &fail, true);
	rc = batch_commit(st, &bt, "sweep expired sessions");
	if (rc == RETRY) /* a failure was recorded meanwhile: the next sweep gets it */
		rc = ACCOUNT_OK;
out:
	found_free(&ses);
	found_free(&fail);
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
	struct batch bt;

	key[0] = '\0';
	if (!account_name_valid(label))
		return ACCOUNT_ENAME;
	secret_new(ACCOUNT_APIKEY_PREFIX, key, hash);
	token_hash_to_hex(hash, hex);
	struct proto_apikey k = { .label = (char *)label, .role = (char *)account_role_name(role),
				  .hash = hex, .created = now };
	size_t rlen = apikey_record_key(rkey, hash), llen = apikey_label_key(lkey, label);
	char *rec = proto_apikey_encode(&k);
	batch_begin(&bt);
	batch_put(&bt, STORE_DB_APIKEYS, lkey, llen, hex, STORE_PUT_NEW);
	batch_put(&bt, STORE_DB_APIKEYS, rkey, rlen, rec, STORE_PUT_NEW);
	int rc = batch_commit(st, &bt, "add an API key");
	free(rec);
	if (rc != ACCOUNT_OK)
		key[0] = '\0';
	return rc;
}

int account_apikey_remove(struct store *st, const char *label)
{
	unsigned char hash[TOKEN_HASH_LEN], rkey[1 + TOKEN_HASH_LEN];
	char lkey[1 + ACCOUNT_NAME_MAX];
	struct batch bt;
	char *hex = NULL;
	int rc;

	if (!account_name_valid(label))
		return ACCOUNT_ENAME;
	size_t llen = apikey_label_key(lkey, label);
	if ((rc = get(st, STORE_DB_APIKEYS, lkey, llen, &hex, NULL)) != ACCOUNT_OK)
		return rc;
	bool indexed = token_hash_from_hex(hex, hash) == TOKEN_OK;
	free(hex);
	if (!indexed) {
		log_error("account: the index entry of API key %s is damaged", label);
		return ACCOUNT_ECORRUPT;
	}
	batch_begin(&bt);
	batch_del(&bt, STORE_DB_APIKEYS, lkey, llen);
	batch_del(&bt, STORE_DB_APIKEYS, rkey, apikey_record_key(rkey, hash));
	return batch_commit(st, &bt, "remove an API key");
}

/* A listed API key: label, role and time, not its hash. */
static bool apikey_listed(const struct found_item *it, void *out)
{
	struct proto_apikey *k = out;

	if (proto_apikey_decode(it->val, it->vlen, k) != PROTO_OK) {
		log_warn("account: skipping an API key record that does not decode");
		return false;
	}
	free(k->hash);
	k->hash = NULL;
	return true;
}

static int apikey_by_label(const void *a, const void *b)
{
	return strcmp(((const struct proto_apikey *)a)->label,
		      ((const struct proto_apikey *)b)->label);
}

int account_apikey_list(struct store *st, struct proto_apikey **keys, size_t *n)
{
	const char prefix = APIKEY_RECORD;
	void *items;

	int rc = list_records(st, STORE_DB_APIKEYS, &prefix, 1, apikey_listed, sizeof **keys,
			      &items, n);
	*keys = items;
	if (*n > 1) /* stored in hash order */
		qsort(*keys, *n, sizeof **keys, apikey_by_label);
	return rc;
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
