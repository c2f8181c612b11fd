/* test_record: interviews, tokens and transcripts through a real store.
 *
 * Each test gets a fresh data dir and scripts dir under /tmp (mkdtemp) and
 * removes them afterwards. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"

#include "record.h"

#define GOOD_SCRIPT "say('Hello!')\nlocal lang = ask('Which language?')\nfinish('Bye')\n"

struct fixture {
	char data[64];
	char scripts[64];
	struct store *st;
};

/* --- helpers ------------------------------------------------------------ */

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	assert_non_null(f);
	strcpy(f->data, "/tmp/interviewd-record-data-XXXXXX");
	strcpy(f->scripts, "/tmp/interviewd-record-scripts-XXXXXX");
	assert_non_null(mkdtemp(f->data));
	assert_non_null(mkdtemp(f->scripts));
	fixture_write_file(f->scripts, "good.lua", GOOD_SCRIPT);
	char err[256] = "";
	assert_int_equal(store_open(&f->st, f->data, NULL, err, sizeof err), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	store_close(f->st);
	fixture_remove_tree(f->data);
	fixture_remove_tree(f->scripts);
	free(f);
	return 0;
}

static int count_interviews(struct store *st)
{
	struct proto_interview *ivs = NULL;
	size_t n = 0;
	assert_int_equal(record_list_interviews(st, &ivs, &n), 0);
	record_interviews_free(ivs, n);
	return (int)n;
}

/* --- tests -------------------------------------------------------------- */

static void test_created_interview_reads_back_new_with_pinned_script(void **state)
{
	struct fixture *f = *state;
	char id[TOKEN_ID_LEN + 1], token[TOKEN_LEN + 1], err[256] = "";
	long long before = record_now_ms();
	assert_int_equal(record_create_interview(f->st, f->scripts, "good", "Ada", id, token, err,
						 sizeof err),
			 0);
	assert_true(token_is_id(id));
	assert_int_equal(strlen(token), TOKEN_LEN);

	struct proto_interview iv;
	assert_int_equal(record_get_interview(f->st, id, &iv), 0);
	assert_string_equal(iv.id, id);
	assert_string_equal(iv.script, "good");
	assert_string_equal(iv.candidate, "Ada");
	assert_int_equal(iv.status, PROTO_STATUS_NEW);
	assert_true(iv.next_seq == 1);
	assert_true(iv.created >= before && iv.created <= record_now_ms());

	char want[TOKEN_DIGEST_HEX + 1];
	token_digest_hex(GOOD_SCRIPT, strlen(GOOD_SCRIPT), want);
	assert_string_equal(iv.script_hash, want);

	char *src = NULL;
	size_t len = 0;
	assert_int_equal(record_get_script(f->st, iv.script_hash, &src, &len), 0);
	assert_int_equal(len, strlen(GOOD_SCRIPT));
	assert_memory_equal(src, GOOD_SCRIPT, len);
	free(src);
	proto_interview_free(&iv);

	assert_int_equal(record_get_interview(f->st, "0000000000000000", &iv), STORE_ENOTFOUND);
}

static void test_token_opens_its_interview_only(void **state)
{
	struct fixture *f = *state;
	char id[TOKEN_ID_LEN + 1], token[TOKEN_LEN + 1], err[256] = "";
	assert_int_equal(record_create_interview(f->st, f->scripts, "good", NULL, id, token, err,
						 sizeof err),
			 0);
	char got[TOKEN_ID_LEN + 1];
	assert_int_equal(record_check_token(f->st, token, got), 0);
	assert_string_equal(got, id);

	/* A second token for the same interview; the first keeps working. */
	char token2[TOKEN_LEN + 1];
	assert_int_equal(record_issue_token(f->st, id, token2, err, sizeof err), 0);
	assert_string_not_equal(token2, token);
	assert_int_equal(record_check_token(f->st, token2, got), 0);
	assert_string_equal(got, id);
	assert_int_equal(record_check_token(f->st, token, got), 0);

	/* A well-formed token never issued, garbage, and nothing at all. */
	char other[TOKEN_LEN + 1];
	unsigned char h[TOKEN_HASH_LEN];
	token_new(other, h);
	assert_int_equal(record_check_token(f->st, other, got), RECORD_EAUTH);
	assert_string_equal(got, "");
	assert_int_equal(record_check_token(f->st, "not a token", got), RECORD_EAUTH);
	assert_int_equal(record_check_token(f->st, "", got), RECORD_EAUTH);
	assert_int_equal(record_check_token(f->st, NULL, got), RECORD_EAUTH);

	assert_int_equal(record_issue_token(f->st, "0000000000000000", token2, err, sizeof err),
			 STORE_ENOTFOUND);
}

static void test_token_record_under_another_hash_is_refused(void **state)
{
	struct fixture *f = *state;
	char id[TOKEN_ID_LEN + 1], token[TOKEN_LEN + 1], err[256] = "";
	assert_int_equal(record_create_interview(f->st, f->scripts, "good", "", id, token, err,
						 sizeof err),
			 0);
	/* A record filed under this token's hash but naming a different hash:
	 * the key alone must not open the interview. */
	unsigned char hash[TOKEN_HASH_LEN];
	assert_int_equal(token_hash(token, hash), 0);
	char rec[256];
	snprintf(rec, sizeof rec,
		 "{\"interview_id\":\"%s\",\"role\":\"candidate\",\"created\":1,\"hash\":\"%064d\"}",
		 id, 0);
	struct store_batch *b = store_batch_new();
	assert_int_equal(store_batch_put(b, STORE_DB_TOKENS, hash, sizeof hash, rec, strlen(rec), 0), 0);
	assert_int_equal(store_commit(f->st, b, err, sizeof err), 0);
	store_batch_free(b);
	char got[TOKEN_ID_LEN + 1];
	assert_int_equal(record_check_token(f->st, token, got), RECORD_EAUTH);

	/* And a record that is not JSON at all is damage, not a pass. */
	b = store_batch_new();
	assert_int_equal(store_batch_put(b, STORE_DB_TOKENS, hash, sizeof hash, "{", 1, 0), 0);
	assert_int_equal(store_commit(f->st, b, err, sizeof err), 0);
	store_batch_free(b);
	assert_int_equal(record_check_token(f->st, token, got), RECORD_ECORRUPT);
	assert_string_equal(got, "");
}

static void test_syntax_error_reported_with_file_and_line_and_nothing_written(void **state)
{
	struct fixture *f = *state;
	const char *broken = "say('one')\nsay('two'\nsay('three')\n";
	fixture_write_file(f->scripts, "broken.lua", broken);
	char id[TOKEN_ID_LEN + 1], token[TOKEN_LEN + 1], err[256] = "";
	assert_int_equal(record_create_interview(f->st, f->scripts, "broken", "", id, token, err,
						 sizeof err),
			 RECORD_ESCRIPT);
	assert_non_null(strstr(err, "scripts/broken.lua:3:"));
	assert_int_equal(count_interviews(f->st), 0);
	char *src = NULL;
	size_t len;
	char hash[TOKEN_DIGEST_HEX + 1];
	token_digest_hex(broken, strlen(broken), hash);
	assert_int_equal(record_get_script(f->st, hash, &src, &len), STORE_ENOTFOUND);
}

static void test_bad_script_name_refused(void **state)
{
	struct fixture *f = *state;
	char id[TOKEN_ID_LEN + 1], token[TOKEN_LEN + 1], err[256] = "";
	const char *bad[] = {"../good", "good.lua", "", "a b", "sub/good",
			     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		assert_int_equal(record_create_interview(f->st, f->scripts, bad[i], "", id, token, err,
							 sizeof err),
				 RECORD_ESCRIPT);
		assert_string_equal(err, "script name may use letters, digits, '-' and '_'");
	}
	assert_int_equal(count_interviews(f->st), 0);
}

static void test_missing_script_file_refused(void **state)
{
	struct fixture *f = *state;
	char id[TOKEN_ID_LEN + 1], token[TOKEN_LEN + 1], err[256] = "";
	assert_int_equal(record_create_interview(f->st, f->scripts, "nope", "", id, token, err,
						 sizeof err),
			 RECORD_ESCRIPT);
	assert_non_null(strstr(err, "scripts/nope.lua"));
	assert_int_equal(count_interviews(f->st), 0);
}

static void test_oversized_script_refused(void **state)
{
	struct fixture *f = *state;
	char *big = malloc(RECORD_MAX_SCRIPT + 2);
	assert_non_null(big);
	memset(big, '-', RECORD_MAX_SCRIPT + 1);
	big[RECORD_MAX_SCRIPT + 1] = '\0';
	fixture_write_file(f->scripts, "big.lua", big);
	free(big);
	char id[TOKEN_ID_LEN + 1], token[TOKEN_LEN + 1], err[256] = "";
	assert_int_equal(record_create_interview(f->st, f->scripts, "big", "", id, token, err,
						 sizeof err),
			 RECORD_ESCRIPT);
	assert_non_null(strstr(err, "larger than"));
}

static void test_transcript_written_in_batches_reads_back_in_seq_order(void **state)
{
	struct fixture *f = *state;
	char id[TOKEN_ID_LEN + 1], token[TOKEN_LEN + 1], err[256] = "";
	assert_int_equal(record_create_interview(f->st, f->scripts, "good", "", id, token, err,
						 sizeof err),
			 0);
	char other[TOKEN_ID_LEN + 1], token2[TOKEN_LEN + 1];
	assert_int_equal(record_create_interview(f->st, f->scripts, "good", "", other, token2, err,
						 sizeof err),
			 0);

	/* Written out of order and across 256 so big-endian keys matter. */
	uint64_t seqs[] = {300, 2, 1, 256, 3};
	for (size_t i = 0; i < 5; i++) {
		char text[32];
		snprintf(text, sizeof text, "turn %llu", (unsigned long long)seqs[i]);
		struct proto_turn t = {.seq = seqs[i], .role = PROTO_ROLE_BOT, .kind = PROTO_KIND_SAY, .text = text,
				       .ts = 1764102000000 + (int64_t)seqs[i]};
		struct store_batch *b = store_batch_new();
		assert_non_null(b);
		assert_int_equal(record_batch_turn(b, id, &t), 0);
		assert_int_equal(record_batch_turn(b, other, &t), 0);
		assert_int_equal(store_commit(f->st, b, err, sizeof err), 0);
		store_batch_free(b);
	}

	/* A second write of a seq is refused: the transcript is append-only. */
	struct proto_turn dup = {.seq = 2, .role = PROTO_ROLE_BOT, .kind = PROTO_KIND_SAY, .text = "again"};
	struct store_batch *b = store_batch_new();
	assert_int_equal(record_batch_turn(b, id, &dup), 0);
	assert_int_equal(store_commit(f->st, b, err, sizeof err), STORE_EEXISTS);
	store_batch_free(b);

	/* The updated interview record goes through a batch too. */
	struct proto_interview iv;
	assert_int_equal(record_get_interview(f->st, id, &iv), 0);
	iv.status = PROTO_STATUS_ACTIVE;
	iv.next_seq = 301;
	b = store_batch_new();
	assert_int_equal(record_batch_interview(b, &iv), 0);
	assert_int_equal(store_commit(f->st, b, err, sizeof err), 0);
	store_batch_free(b);
	proto_interview_free(&iv);
	assert_int_equal(record_get_interview(f->st, id, &iv), 0);
	assert_int_equal(iv.status, PROTO_STATUS_ACTIVE);
	assert_true(iv.next_seq == 301);
	proto_interview_free(&iv);

	struct proto_turn *turns = NULL;
	size_t n = 0;
	assert_int_equal(record_get_transcript(f->st, id, &turns, &n), 0);
	assert_int_equal(n, 5);
	uint64_t want[] = {1, 2, 3, 256, 300};
	for (size_t i = 0; i < n; i++) {
		char text[32];
		snprintf(text, sizeof text, "turn %llu", (unsigned long long)want[i]);
		assert_true(turns[i].seq == want[i]);
		assert_string_equal(turns[i].text, text);
	}
	record_transcript_free(turns, n);

	/* No id, no turns: an empty prefix must not read everyone's transcript. */
	assert_int_equal(record_get_transcript(f->st, "", &turns, &n), STORE_ENOTFOUND);
	assert_int_equal(n, 0);
}

static void test_list_returns_every_interview_in_id_order(void **state)
{
	struct fixture *f = *state;
	char ids[3][TOKEN_ID_LEN + 1], token[TOKEN_LEN + 1], err[256] = "";
	for (int i = 0; i < 3; i++)
		assert_int_equal(record_create_interview(f->st, f->scripts, "good", "", ids[i], token,
							 err, sizeof err),
				 0);
	struct proto_interview *ivs = NULL;
	size_t n = 0;
	assert_int_equal(record_list_interviews(f->st, &ivs, &n), 0);
	assert_int_equal(n, 3);
	for (size_t i = 1; i < n; i++)
		assert_true(strcmp(ivs[i - 1].id, ivs[i].id) < 0);
	for (int i = 0; i < 3; i++) {
		int found = 0;
		for (size_t j = 0; j < n; j++)
			found += strcmp(ivs[j].id, ids[i]) == 0;
		assert_int_equal(found, 1);
	}
	record_interviews_free(ivs, n);
}

int main(void)
{
	assert_int_equal(token_init(), 0);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_created_interview_reads_back_new_with_pinned_script,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_token_opens_its_interview_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_token_record_under_another_hash_is_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_syntax_error_reported_with_file_and_line_and_nothing_written, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_script_name_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_script_file_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oversized_script_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_transcript_written_in_batches_reads_back_in_seq_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_returns_every_interview_in_id_order, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
