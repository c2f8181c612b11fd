/* test_account: users, sessions, sign-in under its failure limit and API
 * keys through a real store.
 *
 * Each test gets a fresh data directory under /tmp. The clock is whatever
 * `now` a test passes, so expiry and the limiter's window are tested without
 * waiting. Every password check is a real Argon2id run (~0.1 s), so the tests
 * use as few as prove the point. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"

#include "account.h"

#define T0 1700000000000LL /* ms: any fixed day */
#define MINUTE (60LL * 1000)
#define HOUR (60 * MINUTE)
#define DAY (24 * HOUR)
#define PW "correct horse battery"
#define PW2 "another staple, longer"
#define ADDR "192.0.2.7"

/* --- helpers ------------------------------------------------------------ */

static int count_fn(void *ctx, const void *key, size_t klen, const void *val, size_t vlen)
{
	(*(size_t *)ctx)++;
	return 0;
}

static size_t count(struct store *st, enum store_db db)
{
	size_t n = 0;
	assert_int_equal(store_scan(st, db, NULL, 0, count_fn, &n), 0);
	return n;
}

static void add_user(struct store *st, const char *name, enum account_role role, const char *pw)
{
	assert_int_equal(account_user_add(st, name, role, pw, strlen(pw), T0), ACCOUNT_OK);
}

static int sign_in(struct store *st, const char *name, const char *pw, const char *addr,
		   int64_t now, char cookie[ACCOUNT_SECRET_LEN + 1], int64_t *retry_after)
{
	struct account_principal who;
	return account_sign_in(st, name, pw, strlen(pw), addr, now, cookie, &who, retry_after);
}

/* Signs name in at now and returns the cookie in cookie. */
static void signed_in(struct store *st, const char *name, const char *pw, int64_t now,
		      char cookie[ACCOUNT_SECRET_LEN + 1])
{
	assert_int_equal(sign_in(st, name, pw, ADDR, now, cookie, NULL), ACCOUNT_OK);
}

/* The user "ada" (password PW, role role), signed in at T0. */
static void ada_signed_in(struct store *st, enum account_role role,
			  char cookie[ACCOUNT_SECRET_LEN + 1])
{
	add_user(st, "ada", role, PW);
	signed_in(st, "ada", PW, T0, cookie);
}

static int check(struct store *st, const char *cookie, int64_t now)
{
	struct account_principal who;
	return account_session_check(st, cookie, now, &who);
}

/* The stored session record of a cookie (decoded); fails the test if none. */
static void stored_session(struct store *st, const char *cookie, struct proto_session *s)
{
	unsigned char hash[TOKEN_HASH_LEN];
	char *val = NULL;
	size_t vlen = 0;
	token_hash_text(cookie, strlen(cookie), hash);
	assert_int_equal(store_get(st, STORE_DB_SESSIONS, hash, sizeof hash, &val, &vlen), 0);
	assert_int_equal(proto_session_decode(val, vlen, s), PROTO_OK);
	free(val);
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* --- users -------------------------------------------------------------- */

static void test_added_users_list_in_name_order_with_role_and_no_secret(void **state)
{
	struct fixture_store *f = *state;
	add_user(f->st, "bob", ACCOUNT_ROLE_INTERVIEWER, PW);
	add_user(f->st, "ada@example.org", ACCOUNT_ROLE_ADMIN, PW2);

	struct proto_user *users = NULL;
	size_t n = 0;
	assert_int_equal(account_user_list(f->st, &users, &n), ACCOUNT_OK);
	assert_int_equal(n, 2);
	assert_string_equal(users[0].name, "ada@example.org");
	assert_string_equal(users[0].role, "admin");
	assert_string_equal(users[1].name, "bob");
	assert_string_equal(users[1].role, "interviewer");
	assert_int_equal(users[1].created, T0);
	assert_null(users[0].password_hash);
	assert_null(users[0].epoch);
	account_users_free(users, n);
}

static void test_a_taken_name_is_refused_and_the_first_password_still_works(void **state)
{
	struct fixture_store *f = *state;
	char cookie[ACCOUNT_SECRET_LEN + 1];
	add_user(f->st, "ada", ACCOUNT_ROLE_ADMIN, PW);
	assert_int_equal(account_user_add(f->st, "ada", ACCOUNT_ROLE_INTERVIEWER, PW2, strlen(PW2), T0),
			 ACCOUNT_EEXISTS);
	signed_in(f->st, "ada", PW, T0, cookie);
}

static void test_names_outside_1_to_64_of_the_allowed_characters_are_refused(void **state)
{
	struct fixture_store *f = *state;
	char longest[ACCOUNT_NAME_MAX + 2];
	memset(longest, 'a', ACCOUNT_NAME_MAX);
	longest[ACCOUNT_NAME_MAX] = '\0';
	assert_true(account_name_valid(longest));
	assert_true(account_name_valid("A.z_0@9-x"));
	longest[ACCOUNT_NAME_MAX] = 'a';
	longest[ACCOUNT_NAME_MAX + 1] = '\0';

	const char *bad[] = { "", longest, "ada lovelace", "ada/x", "ada:x", "ad\xc3\xa9", "a\nb" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_false(account_name_valid(bad[i]));
		assert_int_equal(account_user_add(f->st, bad[i], ACCOUNT_ROLE_ADMIN, PW, strlen(PW), T0),
				 ACCOUNT_ENAME);
	}
	char key[ACCOUNT_SECRET_LEN + 1];
	assert_int_equal(account_apikey_add(f->st, "ci bot", ACCOUNT_ROLE_ADMIN, T0, key),
			 ACCOUNT_ENAME);
	assert_int_equal(count(f->st, STORE_DB_USERS), 0);
	assert_int_equal(count(f->st, STORE_DB_APIKEYS), 0);
	assert_non_null(strstr(account_strerror(ACCOUNT_ENAME), "64"));
}

static void test_passwords_must_be_8_to_1024_bytes(void **state)
{
	struct fixture_store *f = *state;
	char big[ACCOUNT_PASSWORD_MAX + 1];
	memset(big, 'x', sizeof big);
	assert_int_equal(account_user_add(f->st, "ada", ACCOUNT_ROLE_ADMIN, "1234567", 7, T0),
			 ACCOUNT_EPASSWORD);
	assert_int_equal(account_user_add(f->st, "ada", ACCOUNT_ROLE_ADMIN, big, sizeof big, T0),
			 ACCOUNT_EPASSWORD);
	assert_int_equal(count(f->st, STORE_DB_USERS), 0);
	assert_int_equal(account_user_add(f->st, "ada", ACCOUNT_ROLE_ADMIN, "12345678", 8, T0),
			 ACCOUNT_OK);
	assert_int_equal(account_user_passwd(f->st, "ada", "short", 5, T0), ACCOUNT_EPASSWORD);
}

static void test_roles_parse_admin_and_interviewer_only(void **state)
{
	enum account_role r;
	assert_int_equal(account_role_parse("admin", &r), ACCOUNT_OK);
	assert_int_equal(r, ACCOUNT_ROLE_ADMIN);
	assert_int_equal(account_role_parse("interviewer", &r), ACCOUNT_OK);
	assert_int_equal(r, ACCOUNT_ROLE_INTERVIEWER);
	assert_int_equal(account_role_parse("root", &r), ACCOUNT_EROLE);
	assert_int_equal(account_role_parse("Admin", &r), ACCOUNT_EROLE);
}

static void test_removing_or_changing_an_unknown_user_says_not_found(void **state)
{
	struct fixture_store *f = *state;
	assert_int_equal(account_user_remove(f->st, "nobody"), ACCOUNT_ENOTFOUND);
	assert_int_equal(account_user_passwd(f->st, "nobody", PW, strlen(PW), T0), ACCOUNT_ENOTFOUND);
}

/* --- sign-in and sessions ---------------------------------------------- */

static void test_sign_in_gives_a_cookie_that_names_the_user_and_role(void **state)
{
	struct fixture_store *f = *state;
	char cookie[ACCOUNT_SECRET_LEN + 1];
	struct account_principal who;
	add_user(f->st, "ada", ACCOUNT_ROLE_ADMIN, PW);
	assert_int_equal(account_sign_in(f->st, "ada", PW, strlen(PW), ADDR, T0, cookie, &who, NULL),
			 ACCOUNT_OK);
	assert_string_equal(who.name, "ada");
	assert_int_equal(who.role, ACCOUNT_ROLE_ADMIN);
	assert_false(who.apikey);
	assert_int_equal(strlen(cookie), ACCOUNT_SECRET_LEN);
	assert_memory_equal(cookie, "ivs_", 4);

	memset(&who, 0, sizeof who);
	assert_int_equal(account_session_check(f->st, cookie, T0 + MINUTE, &who), ACCOUNT_OK);
	assert_string_equal(who.name, "ada");
	assert_int_equal(who.role, ACCOUNT_ROLE_ADMIN);

	/* Only the cookie's hash is kept. */
	struct proto_session s;
	stored_session(f->st, cookie, &s);
	assert_null(strstr(s.hash, cookie + 4));
	proto_session_free(&s);
}

static void test_a_wrong_password_and_an_unknown_name_get_the_same_answer(void **state)
{
	struct fixture_store *f = *state;
	char cookie[ACCOUNT_SECRET_LEN + 1] = "x";
	add_user(f->st, "ada", ACCOUNT_ROLE_ADMIN, PW);
	assert_int_equal(sign_in(f->st, "ada", PW2, ADDR, T0, cookie, NULL), ACCOUNT_EDENIED);
	assert_string_equal(cookie, "");
	assert_int_equal(sign_in(f->st, "nobody", PW, ADDR, T0, cookie, NULL), ACCOUNT_EDENIED);

	/* An unknown name still costs an Argon2id run (tens of milliseconds at
	 * the least), so its answer does not come back faster. */
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(sign_in(f->st, "nobody-else", PW, ADDR, T0, cookie, NULL), ACCOUNT_EDENIED);
	assert_true(seconds_since(&t0) >= 0.01);
	assert_int_equal(count(f->st, STORE_DB_SESSIONS), 0);
}

static void test_a_session_ends_after_12_hours_unused(void **state)
{
	struct fixture_store *f = *state;
	char cookie[ACCOUNT_SECRET_LEN + 1];
	ada_signed_in(f->st, ACCOUNT_ROLE_INTERVIEWER, cookie);

	assert_int_equal(check(f->st, cookie, T0 + 11 * HOUR), ACCOUNT_OK);
	assert_int_equal(check(f->st, cookie, T0 + 22 * HOUR), ACCOUNT_OK); /* 11 h after its last use */
	assert_int_equal(check(f->st, cookie, T0 + 34 * HOUR), ACCOUNT_EEXPIRED);
	/* Expired is final, even with an earlier clock. */
	assert_int_equal(check(f->st, cookie, T0 + 23 * HOUR), ACCOUNT_EDENIED);
	assert_int_equal(count(f->st, STORE_DB_SESSIONS), 0);
}

static void test_a_session_ends_after_7_days_however_often_used(void **state)
{
	struct fixture_store *f = *state;
	char cookie[ACCOUNT_SECRET_LEN + 1];
	ada_signed_in(f->st, ACCOUNT_ROLE_INTERVIEWER, cookie);

	for (int64_t t = T0 + 6 * HOUR; t < T0 + 7 * DAY; t += 6 * HOUR)
		assert_int_equal(check(f->st, cookie, t), ACCOUNT_OK);
	assert_int_equal(check(f->st, cookie, T0 + 7 * DAY - 1), ACCOUNT_OK);
	assert_int_equal(check(f->st, cookie, T0 + 7 * DAY), ACCOUNT_EEXPIRED);
}

static void test_last_use_is_written_at_most_once_a_minute(void **state)
{
	struct fixture_store *f = *state;
	char cookie[ACCOUNT_SECRET_LEN + 1];
	struct proto_session s;
	ada_signed_in(f->st, ACCOUNT_ROLE_INTERVIEWER, cookie);

	assert_int_equal(check(f->st, cookie, T0 + 30 * 1000), ACCOUNT_OK);
	stored_session(f->st, cookie, &s);
	assert_int_equal(s.last_seen, T0);
	proto_session_free(&s);

	assert_int_equal(check(f->st, cookie, T0 + MINUTE + 1), ACCOUNT_OK);
	stored_session(f->st, cookie, &s);
	assert_int_equal(s.last_seen, T0 + MINUTE + 1);
	assert_int_equal(s.created, T0);
	proto_session_free(&s);
}

static void test_signing_out_ends_only_that_session(void **state)
{
	struct fixture_store *f = *state;
	char a[ACCOUNT_SECRET_LEN + 1], b[ACCOUNT_SECRET_LEN + 1];
	ada_signed_in(f->st, ACCOUNT_ROLE_INTERVIEWER, a);
	signed_in(f->st, "ada", PW, T0, b);
	assert_string_not_equal(a, b);

	assert_int_equal(account_sign_out(f->st, a), ACCOUNT_OK);
	assert_int_equal(check(f->st, a, T0 + 1), ACCOUNT_EDENIED);
	assert_int_equal(check(f->st, b, T0 + 1), ACCOUNT_OK);
	assert_int_equal(account_sign_out(f->st, a), ACCOUNT_OK); /* twice is fine */
	assert_int_equal(account_sign_out(f->st, "garbage"), ACCOUNT_OK);
}

static void test_removing_a_user_ends_their_sessions_even_if_the_name_returns(void **state)
{
	struct fixture_store *f = *state;
	char ada[ACCOUNT_SECRET_LEN + 1], bob[ACCOUNT_SECRET_LEN + 1];
	add_user(f->st, "ada", ACCOUNT_ROLE_ADMIN, PW);
	add_user(f->st, "bob", ACCOUNT_ROLE_INTERVIEWER, PW);
	signed_in(f->st, "ada", PW, T0, ada);
	signed_in(f->st, "bob", PW, T0, bob);

	assert_int_equal(account_user_remove(f->st, "ada"), ACCOUNT_OK);
	assert_int_equal(count(f->st, STORE_DB_SESSIONS), 1); /* bob's */
	assert_int_equal(check(f->st, ada, T0 + 1), ACCOUNT_EDENIED);
	assert_int_equal(check(f->st, bob, T0 + 1), ACCOUNT_OK);

	add_user(f->st, "ada", ACCOUNT_ROLE_ADMIN, PW);
	assert_int_equal(check(f->st, ada, T0 + 2), ACCOUNT_EDENIED);
}

static void test_a_new_password_ends_sessions_and_retires_the_old_one(void **state)
{
	struct fixture_store *f = *state;
	char cookie[ACCOUNT_SECRET_LEN + 1];
	ada_signed_in(f->st, ACCOUNT_ROLE_ADMIN, cookie);

	assert_int_equal(account_user_passwd(f->st, "ada", PW2, strlen(PW2), T0 + 1), ACCOUNT_OK);
	assert_int_equal(check(f->st, cookie, T0 + 2), ACCOUNT_EDENIED);
	assert_int_equal(sign_in(f->st, "ada", PW, ADDR, T0 + 3, cookie, NULL), ACCOUNT_EDENIED);
	signed_in(f->st, "ada", PW2, T0 + 4, cookie);
	assert_int_equal(check(f->st, cookie, T0 + 5), ACCOUNT_OK);
}

/* A sign-in that races a password change in another process can write its
 * session after the change deleted the old ones; the epoch still refuses it. */
static void test_a_session_from_before_a_password_change_is_refused_even_if_it_survives(void **state)
{
	struct fixture_store *f = *state;
	char cookie[ACCOUNT_SECRET_LEN + 1], *val = NULL, err[256];
	unsigned char hash[TOKEN_HASH_LEN];
	size_t vlen = 0;
	ada_signed_in(f->st, ACCOUNT_ROLE_ADMIN, cookie);
	token_hash_text(cookie, strlen(cookie), hash);
	assert_int_equal(store_get(f->st, STORE_DB_SESSIONS, hash, sizeof hash, &val, &vlen), 0);

	assert_int_equal(account_user_passwd(f->st, "ada", PW2, strlen(PW2), T0 + 1), ACCOUNT_OK);
	struct store_batch *b = store_batch_new();
	assert_int_equal(store_batch_put(b, STORE_DB_SESSIONS, hash, sizeof hash, val, vlen, 0), 0);
	assert_int_equal(store_commit(f->st, b, err, sizeof err), 0);
	store_batch_free(b);
	free(val);

	assert_int_equal(check(f->st, cookie, T0 + 2), ACCOUNT_EDENIED);
}

/* --- the sign-in limit --------------------------------------------------- */

/* The limit itself is signin's (test_signin); here, what a sign-in does with
 * it. Malformed names count against their address, and once it is limited
 * even the right password is refused there, with the seconds to wait. */
static void test_a_limited_address_refuses_even_the_right_password_and_says_when(void **state)
{
	struct fixture_store *f = *state;
	char cookie[ACCOUNT_SECRET_LEN + 1];
	int64_t retry = -1;
	add_user(f->st, "ada", ACCOUNT_ROLE_ADMIN, PW);
	for (int i = 0; i < ACCOUNT_SIGNIN_FAILURES; i++) {
		assert_int_equal(sign_in(f->st, "not a name", PW, ADDR, T0 + i, cookie, &retry),
				 ACCOUNT_EDENIED);
		assert_int_equal(retry, 0);
	}
	assert_int_equal(sign_in(f->st, "ada", PW, ADDR, T0 + 10, cookie, &retry),
			 ACCOUNT_ELIMITED);
	assert_int_equal(retry, 900); /* the first failure leaves the window in 15 min */
	assert_string_equal(cookie, "");
	assert_int_equal(sign_in(f->st, "ada", PW, ADDR, T0 + 15 * MINUTE - 1000, cookie, &retry),
			 ACCOUNT_ELIMITED);
	assert_int_equal(retry, 1);
	/* ada from elsewhere is fine, and from there again once a slot frees. */
	assert_int_equal(sign_in(f->st, "ada", PW, "2001:db8::1", T0 + 10, cookie, &retry),
			 ACCOUNT_OK);
	assert_int_equal(sign_in(f->st, "ada", PW, ADDR, T0 + 15 * MINUTE, cookie, &retry),
			 ACCOUNT_OK);
}

static void test_successful_sign_ins_do_not_count_as_failures(void **state)
{
	struct fixture_store *f = *state;
	char cookie[ACCOUNT_SECRET_LEN + 1];
	add_user(f->st, "ada", ACCOUNT_ROLE_ADMIN, PW);
	for (int i = 0; i < ACCOUNT_SIGNIN_FAILURES - 1; i++)
		assert_int_equal(sign_in(f->st, "ada", PW2, ADDR, T0, cookie, NULL), ACCOUNT_EDENIED);
	/* Were successes counted, the second of these would be the eleventh attempt. */
	signed_in(f->st, "ada", PW, T0, cookie);
	signed_in(f->st, "ada", PW, T0, cookie);
	assert_int_equal(sign_in(f->st, "ada", PW2, ADDR, T0, cookie, NULL), ACCOUNT_EDENIED);
	assert_int_equal(sign_in(f->st, "ada", PW, ADDR, T0, cookie, NULL), ACCOUNT_ELIMITED);
}

static void test_sweep_deletes_expired_sessions_and_failures_past_the_window(void **state)
{
	struct fixture_store *f = *state;
	char old[ACCOUNT_SECRET_LEN + 1], fresh[ACCOUNT_SECRET_LEN + 1], none[ACCOUNT_SECRET_LEN + 1];
	ada_signed_in(f->st, ACCOUNT_ROLE_ADMIN, old);
	signed_in(f->st, "ada", PW, T0 + 12 * HOUR, fresh);
	assert_int_equal(sign_in(f->st, "ada", PW2, ADDR, T0 + 12 * HOUR, none, NULL),
			 ACCOUNT_EDENIED);
	assert_int_equal(count(f->st, STORE_DB_SESSIONS), 2);
	assert_int_equal(count(f->st, STORE_DB_SIGNIN), 2); /* the name's and the address's */

	int64_t later = T0 + 12 * HOUR + 16 * MINUTE;
	assert_int_equal(account_sweep(f->st, later), ACCOUNT_OK);
	assert_int_equal(count(f->st, STORE_DB_SESSIONS), 1);
	assert_int_equal(count(f->st, STORE_DB_SIGNIN), 0);
	assert_int_equal(check(f->st, fresh, later), ACCOUNT_OK);
}

/* --- API keys ----------------------------------------------------------- */

static void test_an_api_key_works_until_removed(void **state)
{
	struct fixture_store *f = *state;
	char key[ACCOUNT_SECRET_LEN + 1];
	struct account_principal who;
	assert_int_equal(account_apikey_add(f->st, "ci", ACCOUNT_ROLE_INTERVIEWER, T0, key),
			 ACCOUNT_OK);
	assert_int_equal(strlen(key), ACCOUNT_SECRET_LEN);
	assert_memory_equal(key, "ivk_", 4);

	assert_int_equal(account_apikey_check(f->st, key, &who), ACCOUNT_OK);
	assert_string_equal(who.name, "ci");
	assert_int_equal(who.role, ACCOUNT_ROLE_INTERVIEWER);
	assert_true(who.apikey);

	assert_int_equal(account_apikey_remove(f->st, "ci"), ACCOUNT_OK);
	assert_int_equal(account_apikey_check(f->st, key, &who), ACCOUNT_EDENIED);
	assert_int_equal(account_apikey_remove(f->st, "ci"), ACCOUNT_ENOTFOUND);
	assert_int_equal(count(f->st, STORE_DB_APIKEYS), 0);
}

static void test_api_keys_list_by_label_without_the_key_and_labels_are_unique(void **state)
{
	struct fixture_store *f = *state;
	char k1[ACCOUNT_SECRET_LEN + 1], k2[ACCOUNT_SECRET_LEN + 1], k3[ACCOUNT_SECRET_LEN + 1];
	assert_int_equal(account_apikey_add(f->st, "zapier", ACCOUNT_ROLE_INTERVIEWER, T0, k1), 0);
	assert_int_equal(account_apikey_add(f->st, "backup", ACCOUNT_ROLE_ADMIN, T0 + 1, k2), 0);
	assert_int_equal(account_apikey_add(f->st, "backup", ACCOUNT_ROLE_ADMIN, T0 + 2, k3),
			 ACCOUNT_EEXISTS);
	assert_string_equal(k3, "");

	struct proto_apikey *keys = NULL;
	size_t n = 0;
	assert_int_equal(account_apikey_list(f->st, &keys, &n), ACCOUNT_OK);
	assert_int_equal(n, 2);
	assert_string_equal(keys[0].label, "backup");
	assert_string_equal(keys[0].role, "admin");
	assert_int_equal(keys[0].created, T0 + 1);
	assert_string_equal(keys[1].label, "zapier");
	assert_null(keys[0].hash);
	account_apikeys_free(keys, n);

	/* Removing one leaves the other working. */
	struct account_principal who;
	assert_int_equal(account_apikey_remove(f->st, "zapier"), ACCOUNT_OK);
	assert_int_equal(account_apikey_check(f->st, k2, &who), ACCOUNT_OK);
	assert_string_equal(who.name, "backup");
}

static void test_no_kind_of_secret_works_as_another(void **state)
{
	struct fixture_store *f = *state;
	char cookie[ACCOUNT_SECRET_LEN + 1], key[ACCOUNT_SECRET_LEN + 1], tok[TOKEN_LEN + 1];
	unsigned char h[TOKEN_HASH_LEN];
	struct account_principal who;
	ada_signed_in(f->st, ACCOUNT_ROLE_ADMIN, cookie);
	assert_int_equal(account_apikey_add(f->st, "ci", ACCOUNT_ROLE_ADMIN, T0, key), 0);
	token_new(tok, h);

	assert_int_equal(account_apikey_check(f->st, cookie, &who), ACCOUNT_EDENIED);
	assert_int_equal(check(f->st, key, T0), ACCOUNT_EDENIED);
	assert_int_equal(account_apikey_check(f->st, tok, &who), ACCOUNT_EDENIED);
	assert_int_equal(check(f->st, tok, T0), ACCOUNT_EDENIED);
	/* A key with its prefix swapped is not a cookie either. */
	char swapped[ACCOUNT_SECRET_LEN + 1];
	memcpy(swapped, key, sizeof swapped);
	memcpy(swapped, "ivs_", 4);
	assert_int_equal(check(f->st, swapped, T0), ACCOUNT_EDENIED);
	/* And neither can be a candidate token. */
	assert_int_equal(token_hash(key, h), TOKEN_EINVALID);
	assert_int_equal(token_hash(cookie, h), TOKEN_EINVALID);
	assert_int_equal(account_apikey_check(f->st, NULL, &who), ACCOUNT_EDENIED);
	assert_int_equal(check(f->st, "", T0), ACCOUNT_EDENIED);
}

int main(void)
{
	assert_int_equal(token_init(), TOKEN_OK);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_added_users_list_in_name_order_with_role_and_no_secret,
			fixture_store_setup, fixture_store_teardown),
		cmocka_unit_test_setup_teardown(
			test_a_taken_name_is_refused_and_the_first_password_still_works,
			fixture_store_setup, fixture_store_teardown),
		cmocka_unit_test_setup_teardown(
			test_names_outside_1_to_64_of_the_allowed_characters_are_refused,
			fixture_store_setup, fixture_store_teardown),
		cmocka_unit_test_setup_teardown(test_passwords_must_be_8_to_1024_bytes,
						fixture_store_setup, fixture_store_teardown),
		cmocka_unit_test(test_roles_parse_admin_and_interviewer_only),
		cmocka_unit_test_setup_teardown(
			test_removing_or_changing_an_unknown_user_says_not_found,
			fixture_store_setup, fixture_store_teardown),
		cmocka_unit_test_setup_teardown(
			test_sign_in_gives_a_cookie_that_names_the_user_and_role,
			fixture_store_setup, fixture_store_teardown),
		cmocka_unit_test_setup_teardown(
			test_a_wrong_password_and_an_unknown_name_get_the_same_answer,
			fixture_store_setup, fixture_store_teardown),
		cmocka_unit_test_setup_teardown(test_a_session_ends_after_12_hours_unused,
						fixture_store_setup, fixture_store_teardown),
		cmocka_unit_test_setup_teardown(test_a_session_ends_after_7_days_however_often_used,
						fixture_store_setup, fixture_store_teardown),
		cmocka_unit_test_setup_teardown(test_last_use_is_written_at_most_once_a_minute,
						fixture_store_setup, fixture_store_teardown),
		cmocka_unit_test_setup_teardown(test_signing_out_ends_only_that_session,
						fixture_store_setup, fixture_store_teardown),
		cmocka_unit_test_setup_teardown(
			test_removing_a_user_ends_their_sessions_even_if_the_name_returns,
			fixture_store_setup, fixture_store_teardown),
		cmocka_unit_test_setup_teardown(
			test_a_new_password_ends_sessions_and_retires_the_old_one,
			fixture_store_setup, fixture_store_teardown),
		cmocka_unit_test_setup_teardown(
			test_a_session_from_before_a_password_change_is_refused_even_if_it_survives,
			fixture_store_setup, fixture_store_teardown),
		cmocka_unit_test_setup_teardown(
			test_a_limited_address_refuses_even_the_right_password_and_says_when,
			fixture_store_setup, fixture_store_teardown),
		cmocka_unit_test_setup_teardown(test_successful_sign_ins_do_not_count_as_failures,
						fixture_store_setup, fixture_store_teardown),
		cmocka_unit_test_setup_teardown(
			test_sweep_deletes_expired_sessions_and_failures_past_the_window,
			fixture_store_setup, fixture_store_teardown),
		cmocka_unit_test_setup_teardown(test_an_api_key_works_until_removed,
						fixture_store_setup, fixture_store_teardown),
		cmocka_unit_test_setup_teardown(
			test_api_keys_list_by_label_without_the_key_and_labels_are_unique,
			fixture_store_setup, fixture_store_teardown),
		cmocka_unit_test_setup_teardown(test_no_kind_of_secret_works_as_another,
						fixture_store_setup, fixture_store_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
