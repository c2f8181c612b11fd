/* test_token: tokens, ids, digests and seeds behave as token.h promises.
 *
 * Uniqueness tests draw a few hundred values; a collision among 32 random
 * bytes (or 8 for ids) in that many draws would itself be the bug. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "token.h"

#define DRAWS 256

static int setup(void **state)
{
	(void)state;
	return token_init() == TOKEN_OK ? 0 : -1;
}

static int is_url_safe(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

static void test_tokens_are_unique_and_43_url_safe_chars(void **state)
{
	static char toks[DRAWS][TOKEN_LEN + 1];
	unsigned char hash[TOKEN_HASH_LEN];
	(void)state;

	for (int i = 0; i < DRAWS; i++) {
		token_new(toks[i], hash);
		assert_int_equal(strlen(toks[i]), TOKEN_LEN);
		for (int j = 0; j < TOKEN_LEN; j++)
			assert_true(is_url_safe(toks[i][j]));
		for (int j = 0; j < i; j++)
			assert_string_not_equal(toks[i], toks[j]);
	}
}

static void test_hash_is_stable_and_differs_per_token(void **state)
{
	char a[TOKEN_LEN + 1], b[TOKEN_LEN + 1];
	unsigned char ha[TOKEN_HASH_LEN], hb[TOKEN_HASH_LEN], again[TOKEN_HASH_LEN];
	(void)state;

	token_new(a, ha);
	token_new(b, hb);
	assert_int_equal(token_hash(a, again), TOKEN_OK);
	assert_memory_equal(ha, again, TOKEN_HASH_LEN);
	assert_true(token_hash_equal(ha, again));
	assert_int_equal(token_hash(b, again), TOKEN_OK);
	assert_memory_equal(hb, again, TOKEN_HASH_LEN);
	assert_false(token_hash_equal(ha, hb));
	assert_memory_not_equal(ha, hb, TOKEN_HASH_LEN);
}

static void test_malformed_tokens_are_rejected(void **state)
{
	char tok[TOKEN_LEN + 1];
	char buf[64];
	unsigned char hash[TOKEN_HASH_LEN];
	(void)state;

	token_new(tok, hash);
	assert_int_equal(token_hash(NULL, hash), TOKEN_EINVALID);
	assert_int_equal(token_hash("", hash), TOKEN_EINVALID);

	memcpy(buf, tok, TOKEN_LEN - 1); /* 42 chars */
	buf[TOKEN_LEN - 1] = '\0';
	assert_int_equal(token_hash(buf, hash), TOKEN_EINVALID);

	memcpy(buf, tok, TOKEN_LEN); /* 44 chars */
	buf[TOKEN_LEN] = 'A';
	buf[TOKEN_LEN + 1] = '\0';
	assert_int_equal(token_hash(buf, hash), TOKEN_EINVALID);

	const char bad[] = { '+', '/', '=', ' ', '.', '\n', '\x80', '\xff' };
	for (size_t i = 0; i < sizeof bad; i++) {
		memcpy(buf, tok, TOKEN_LEN + 1);
		buf[i * 5] = bad[i];
		assert_int_equal(token_hash(buf, hash), TOKEN_EINVALID);
	}
}

static void test_digest_of_abc_is_the_known_sha256(void **state)
{
	char hex[TOKEN_DIGEST_HEX + 1];
	(void)state;

	token_digest_hex("abc", 3, hex);
	assert_string_equal(hex,
			    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	token_digest_hex("", 0, hex);
	assert_string_equal(hex,
			    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_ids_are_16_lowercase_hex_and_unique(void **state)
{
	static char ids[DRAWS][TOKEN_ID_LEN + 1];
	(void)state;

	for (int i = 0; i < DRAWS; i++) {
		token_new_id(ids[i]);
		assert_int_equal(strlen(ids[i]), TOKEN_ID_LEN);
		assert_true(token_is_id(ids[i]));
		for (int j = 0; j < i; j++)
			assert_string_not_equal(ids[i], ids[j]);
	}
	assert_false(token_is_id(NULL));
	assert_false(token_is_id(""));
	assert_false(token_is_id("3f2a9c0d1e4b5a6"));   /* 15 */
	assert_false(token_is_id("3f2a9c0d1e4b5a677")); /* 17 */
	assert_false(token_is_id("3F2A9C0D1E4B5A67"));  /* upper case */
	assert_false(token_is_id("3f2a9c0d1e4b5a6g"));
	assert_true(token_is_id("3f2a9c0d1e4b5a67"));
}

static void test_seed_is_stable_per_id(void **state)
{
	(void)state;

	unsigned long long a = token_seed("3f2a9c0d1e4b5a67");
	assert_true(a == token_seed("3f2a9c0d1e4b5a67"));
	assert_true(a != token_seed("3f2a9c0d1e4b5a68"));
	assert_true(token_seed("") == token_seed(""));
}

static void test_every_token_error_has_its_own_sentence(void **state)
{
	(void)state;
	assert_true(TOKEN_EINIT <= -100 && TOKEN_EINIT > -200);
	assert_true(TOKEN_EINVALID <= -100 && TOKEN_EINVALID > -200);
	assert_int_not_equal(TOKEN_EINIT, TOKEN_EINVALID);
	const char *unknown = token_strerror(-199);
	assert_string_not_equal(token_strerror(TOKEN_EINIT), unknown);
	assert_string_not_equal(token_strerror(TOKEN_EINVALID), unknown);
	assert_string_not_equal(token_strerror(TOKEN_EINIT), token_strerror(TOKEN_EINVALID));
	assert_true(TOKEN_EHASH <= -100 && TOKEN_EHASH > -200);
	assert_string_not_equal(token_strerror(TOKEN_EHASH), unknown);
	assert_string_not_equal(token_strerror(TOKEN_EHASH), token_strerror(TOKEN_EINVALID));
}

static void test_secret_equal_needs_the_same_bytes_and_length(void **state)
{
	(void)state;
	assert_true(token_secret_equal("s3cret", 6, "s3cret", 6));
	assert_false(token_secret_equal("s3cret", 6, "s3creT", 6));
	assert_false(token_secret_equal("s3cret", 6, "s3cret!", 7));
	assert_false(token_secret_equal("s3cret", 6, "", 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tokens_are_unique_and_43_url_safe_chars),
		cmocka_unit_test(test_hash_is_stable_and_differs_per_token),
		cmocka_unit_test(test_malformed_tokens_are_rejected),
		cmocka_unit_test(test_digest_of_abc_is_the_known_sha256),
		cmocka_unit_test(test_ids_are_16_lowercase_hex_and_unique),
		cmocka_unit_test(test_seed_is_stable_per_id),
		cmocka_unit_test(test_every_token_error_has_its_own_sentence),
		cmocka_unit_test(test_secret_equal_needs_the_same_bytes_and_length),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
