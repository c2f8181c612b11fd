/* account: the team's users, their sign-in sessions and API keys.
 *
 * Everything lives in the store, so the CLI (`interviewd user`, `apikey`)
 * and a running server see the same accounts, and a sign-out or a removed user
 * takes effect at once in every process and across restarts. Passwords are
 * kept only as Argon2id strings; session cookies and API keys only as hashes.
 * Every time is milliseconds since the epoch, passed in by the caller, so
 * tests can move the clock. Functions return 0 or an ACCOUNT_E* code below
 * (account_strerror() gives the sentence); a store failure is logged with its
 * detail and returned as ACCOUNT_ESTORE.
 *
 * Secrets never look like each other: a candidate token is 43 base64url
 * characters, a session cookie is "ivs_" and 43 more, an API key "ivk_" and 43
 * more, so none can be mistaken for another kind. token_init() must have been
 * called. */
#ifndef INTERVIEWD_ACCOUNT_H
#define INTERVIEWD_ACCOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"
#include "signin.h"
#include "store.h"
#include "token.h"

#define ACCOUNT_NAME_MAX 64      /* user names and API key labels: 1..64 of [A-Za-z0-9._@-] */
#define ACCOUNT_PASSWORD_MIN 8   /* bytes */
#define ACCOUNT_PASSWORD_MAX 1024
#define ACCOUNT_PASSWORD_GEN 24  /* characters of a generated password (144 bits) */
#define ACCOUNT_COOKIE_PREFIX "ivs_"
#define ACCOUNT_APIKEY_PREFIX "ivk_"
#define ACCOUNT_SECRET_LEN (4 + TOKEN_LEN) /* a cookie or a key, without the NUL */

#define ACCOUNT_SESSION_IDLE_MS (12LL * 3600 * 1000)     /* unused this long: ended */
#define ACCOUNT_SESSION_MAX_MS (7LL * 24 * 3600 * 1000)  /* older than this: ended */
#define ACCOUNT_SESSION_TOUCH_MS (60LL * 1000)           /* last_seen written at most this often */
#define ACCOUNT_SIGNIN_FAILURES SIGNIN_FAILURES          /* allowed per name and per address... */
#define ACCOUNT_SIGNIN_WINDOW_MS SIGNIN_WINDOW_MS        /* ...in any window this long (signin.h) */

enum account_role { ACCOUNT_ROLE_INTERVIEWER, ACCOUNT_ROLE_ADMIN };

enum {
	ACCOUNT_OK = 0,
	ACCOUNT_ENAME = -800,     /* a name or label outside 1..64 of [A-Za-z0-9._@-] */
	ACCOUNT_EPASSWORD = -801, /* a new password shorter than 8 or longer than 1024 bytes */
	ACCOUNT_EROLE = -802,     /* neither "admin" nor "interviewer" */
	ACCOUNT_EEXISTS = -803,   /* that user or label is taken */
	ACCOUNT_ENOTFOUND = -804, /* no such user or label (CLI only: sign-in never says) */
	ACCOUNT_EDENIED = -805,   /* wrong name or password, or an unknown cookie or key */
	ACCOUNT_EEXPIRED = -806,  /* the session was idle too long or is too old */
	ACCOUNT_ELIMITED = -807,  /* too many sign-in failures: wait retry_after seconds */
	ACCOUNT_ESTORE = -808,    /* the store failed; the log has the detail */
	ACCOUNT_ENOMEM = -809,
	ACCOUNT_ECORRUPT = -810,  /* a stored account record does not decode */
};

/* A sentence for any ACCOUNT_E* code (static; never NULL). */
const char *account_strerror(int code);

/* "admin" / "interviewer", and back (ACCOUNT_EROLE for anything else). */
const char *account_role_name(enum account_role role);
int account_role_parse(const char *s, enum account_role *out);

/* True when s is 1..ACCOUNT_NAME_MAX characters of [A-Za-z0-9._@-]. */
bool account_name_valid(const char *s);

/* Who a request is from: a signed-in user, or an API key (name is then its
 * label). Plain values: nothing to free. */
struct account_principal {
	char name[ACCOUNT_NAME_MAX + 1];
	enum account_role role;
	bool apikey;
};

/* ---- users ---------------------------------------------------------------- */

/* Creates user name with a password of pwlen bytes (ACCOUNT_PASSWORD_MIN..MAX,
 * any bytes). ACCOUNT_EEXISTS when the name is taken. Takes ~0.1 s and 64 MiB
 * (Argon2id). */
int account_user_add(struct store *st, const char *name, enum account_role role, const char *pw,
		     size_t pwlen, int64_t now);

/* Sets a new password and ends every session of that user, in every process,
 * at once. ACCOUNT_ENOTFOUND when there is no such user. */
int account_user_passwd(struct store *st, const char *name, const char *pw, size_t pwlen,
			int64_t now);

/* Removes the user and ends their sessions at once. ACCOUNT_ENOTFOUND when
 * there is no such user. */
int account_user_remove(struct store *st, const char *name);

/* Every user in name order, as a new array of *n records whose password_hash
 * and epoch are NULL (a listing never carries secrets). Free with
 * account_users_free. */
int account_user_list(struct store *st, struct proto_user **users, size_t *n);
void account_users_free(struct proto_user *users, size_t n);

/* ---- sign-in and sessions ------------------------------------------------ */

/* Checks name and password (pwlen bytes) for a request from client_addr (the
 * peer's address as text; NULL counts as "unknown"). On success writes a new
 * session cookie (shown to this caller only; the store keeps its hash) and
 * who signed in. ACCOUNT_EDENIED for a wrong name or password alike, after the
 * same Argon2id work either way. ACCOUNT_ELIMITED, without checking anything,
 * once the name or the address has ACCOUNT_SIGNIN_FAILURES failures within
 * ACCOUNT_SIGNIN_WINDOW_MS; *retry_after (may be NULL) then gets the seconds
 * until one more attempt is allowed. At most a few sign-ins hash at once in a
 * process (the rest wait), which bounds their memory. */
int account_sign_in(struct store *st, const char *name, const char *pw, size_t pwlen,
		    const char *client_addr, int64_t now, char cookie[ACCOUNT_SECRET_LEN + 1],
		    struct account_principal *who, int64_t *retry_after);

/* Checks a presented session cookie (any text: its shape is checked before
 * anything is looked up). On success fills who and records the time as the
 * session's last use (written at most once per ACCOUNT_SESSION_TOUCH_MS).
 * ACCOUNT_EDENIED when unknown, signed out, or its user was removed or changed
 * password; ACCOUNT_EEXPIRED when idle for ACCOUNT_SESSION_IDLE_MS or older
 * than ACCOUNT_SESSION_MAX_MS (it is then deleted). */
int account_session_check(struct store *st, const char *cookie, int64_t now,
			  struct account_principal *who);

/* Ends the session (durably) if there is one; 0 also when there is none. */
int account_sign_out(struct store *st, const char *cookie);

/* Deletes expired sessions and sign-in failures older than the window: call
 * now and then (a server's sweep). Never needed for correctness. */
int account_sweep(struct store *st, int64_t now);

/* ---- API keys ------------------------------------------------------------- */

/* Creates a key labelled label and writes it into key (shown once; the store
 * keeps its hash). ACCOUNT_EEXISTS when the label is taken. */
int account_apikey_add(struct store *st, const char *label, enum account_role role, int64_t now,
		       char key[ACCOUNT_SECRET_LEN + 1]);

/* Removes the key labelled label: it stops working at once. ACCOUNT_ENOTFOUND
 * when there is none. */
int account_apikey_remove(struct store *st, const char *label);

/* Every key in label order, as a new array whose hash fields are NULL. Free
 * with account_apikeys_free. */
int account_apikey_list(struct store *st, struct proto_apikey **keys, size_t *n);
void account_apikeys_free(struct proto_apikey *keys, size_t n);

/* Checks a presented key (any text: shape first). On success fills who with
 * the key's label and role, apikey set. ACCOUNT_EDENIED otherwise. */
int account_apikey_check(struct store *st, const char *key, struct account_principal *who);

#endif
