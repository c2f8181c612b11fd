/* test_signin: the sign-in failure limit through a real store.
 *
 * Attempts are reserved and released directly, with whatever `now` a test
 * passes, so the window is tested without waiting and without Argon2id; what
 * account_sign_in does with the limit is tested in test_account. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"

#include "proto.h"
#include "signin.h"

#define T0 1700000000000LL /* ms: any fixed day */
#define MINUTE (60LL * 1000)
#define ADDR "192.0.2.7"

static int attempt(struct store *st, const char *name, const char *addr, int64_t now,
		   int64_t *wait_ms)
{
	struct signin_keys k;
	int64_t ignored;
	signin_keys_of(&k, name, addr);
	return signin_reserve(st, &k, now, wait_ms ? wait_ms : &ignored);
}

/* How many failures the record under key holds (0 when there is none). */
static size_t failures(struct store *st, const char *key)
{
	char *val = NULL;
	size_t vlen = 0;
	struct proto_failures f = { 0 };
	int rc = store_get(st, STORE_DB_SIGNIN, key, strlen(key), &val, &vlen);
	if (rc == STORE_ENOTFOUND)
		return 0;
	assert_int_equal(rc, STORE_OK);
	assert_int_equal(proto_failures_decode(val, vlen, &f), PROTO_OK);
	free(val);
	return f.n;
}

static void test_ten_attempts_for_one_name_block_it_from_every_address_for_15_minutes(void **state)
{
	struct fixture_store *f = *state;
	char addr[32];
	int64_t wait = -1;
	for (int i = 0; i < SIGNIN_FAILURES; i++) {
		snprintf(addr, sizeof addr, "198.51.100.%d", i);
		assert_int_equal(attempt(f->st, "ada", addr, T0 + i, &wait), SIGNIN_OK);
		assert_int_equal(wait, 0);
	}
	assert_int_equal(attempt(f->st, "ada", "203.0.113.1", T0 + 10, &wait), SIGNIN_ELIMITED);
	assert_int_equal(wait, 15 * MINUTE - 10); /* until the first leaves the window */
	assert_int_equal(attempt(f->st, "bob", "203.0.113.1", T0 + 10, NULL), SIGNIN_OK);
	assert_int_equal(attempt(f->st, "ada", "203.0.113.1", T0 + 15 * MINUTE, NULL), SIGNIN_OK);
}

static void test_ten_attempts_from_one_address_block_it_for_every_name(void **state)
{
	struct fixture_store *f = *state;
	char name[32];
	int64_t wait = -1;
	for (int i = 0; i < SIGNIN_FAILURES; i++) {
		snprintf(name, sizeof name, "guess%d", i);
		assert_int_equal(attempt(f->st, name, ADDR, T0 + i * MINUTE, NULL), SIGNIN_OK);
	}
	assert_int_equal(attempt(f->st, "ada", ADDR, T0 + 10 * MINUTE, &wait), SIGNIN_ELIMITED);
	assert_int_equal(wait, 5 * MINUTE);
	/* A malformed name (NULL) counts against its address alone. */
	assert_int_equal(attempt(f->st, NULL, ADDR, T0 + 10 * MINUTE, NULL), SIGNIN_ELIMITED);
	assert_int_equal(attempt(f->st, "ada", "2001:db8::1", T0 + 10 * MINUTE, NULL), SIGNIN_OK);
}

static void test_a_refused_attempt_is_not_counted_against_any_key(void **state)
{
	struct fixture_store *f = *state;
	for (int i = 0; i < SIGNIN_FAILURES; i++)
		assert_int_equal(attempt(f->st, "ada", ADDR, T0, NULL), SIGNIN_OK);
	assert_int_equal(attempt(f->st, "ada", "203.0.113.1", T0, NULL), SIGNIN_ELIMITED);
	assert_int_equal(failures(f->st, "user:ada"), SIGNIN_FAILURES);
	assert_int_equal(failures(f->st, "addr:203.0.113.1"), 0);
}

static void test_a_released_attempt_no_longer_counts(void **state)
{
	struct fixture_store *f = *state;
	struct signin_keys k;
	signin_keys_of(&k, "ada", ADDR);
	for (int i = 0; i < SIGNIN_FAILURES; i++)
		assert_int_equal(attempt(f->st, "ada", ADDR, T0 + i, NULL), SIGNIN_OK);
	assert_int_equal(signin_release(f->st, &k, T0 + 3), SIGNIN_OK);
	assert_int_equal(failures(f->st, "user:ada"), SIGNIN_FAILURES - 1);
	assert_int_equal(signin_release(f->st, &k, T0 + 3), SIGNIN_OK); /* already gone */
	assert_int_equal(attempt(f->st, "ada", ADDR, T0 + 20, NULL), SIGNIN_OK);
	assert_int_equal(attempt(f->st, "ada", ADDR, T0 + 21, NULL), SIGNIN_ELIMITED);
	/* Releasing the last attempt of a key deletes its record. */
	signin_keys_of(&k, "bob", "198.51.100.1");
	assert_int_equal(attempt(f->st, "bob", "198.51.100.1", T0, NULL), SIGNIN_OK);
	assert_int_equal(signin_release(f->st, &k, T0), SIGNIN_OK);
	assert_int_equal(failures(f->st, "user:bob"), 0);
}

static void test_keys_name_the_user_and_the_address_cut_to_its_bound(void **state)
{
	(void)state;
	struct signin_keys k;
	signin_keys_of(&k, "ada", NULL);
	assert_int_equal(k.n, 2);
	assert_string_equal(k.v[0].key, "user:ada");
	assert_int_equal(k.v[0].len, 8);
	assert_string_equal(k.v[1].key, "addr:unknown");
	char addr[SIGNIN_ADDR_MAX + 40];
	memset(addr, '7', sizeof addr - 1);
	addr[sizeof addr - 1] = '\0';
	signin_keys_of(&k, NULL, addr);
	assert_int_equal(k.n, 1);
	assert_int_equal(k.v[0].len, 5 + SIGNIN_ADDR_MAX);
}

static void test_a_record_is_stale_once_every_failure_left_the_window(void **state)
{
	(void)state;
	struct proto_failures f = { .at = { T0, T0 + MINUTE }, .n = 2 };
	char *rec = proto_failures_encode(&f);
	assert_non_null(rec);
	assert_false(signin_record_stale(rec, strlen(rec), T0 + 15 * MINUTE));
	assert_true(signin_record_stale(rec, strlen(rec), T0 + 16 * MINUTE));
	assert_true(signin_record_stale("not json", 8, T0)); /* useless to keep */
	free(rec);
}

static void test_every_signin_error_has_its_own_sentence(void **state)
{
	(void)state;
	static const int codes[] = { SIGNIN_OK, SIGNIN_ELIMITED, SIGNIN_ESTORE, SIGNIN_ENOMEM, 1 };
	size_t n = sizeof codes / sizeof codes[0];
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			assert_string_not_equal(signin_strerror(codes[i]),
						signin_strerror(codes[j]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_ten_attempts_for_one_name_block_it_from_every_address_for_15_minutes,
			fixture_store_setup, fixture_store_teardown),
		cmocka_unit_test_setup_teardown(
			test_ten_attempts_from_one_address_block_it_for_every_name,
			fixture_store_setup, fixture_store_teardown),
		cmocka_unit_test_setup_teardown(
			test_a_refused_attempt_is_not_counted_against_any_key, fixture_store_setup,
			fixture_store_teardown),
		cmocka_unit_test_setup_teardown(test_a_released_attempt_no_longer_counts,
						fixture_store_setup, fixture_store_teardown),
		cmocka_unit_test(test_keys_name_the_user_and_the_address_cut_to_its_bound),
		cmocka_unit_test(test_a_record_is_stale_once_every_failure_left_the_window),
		cmocka_unit_test(test_every_signin_error_has_its_own_sentence),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
