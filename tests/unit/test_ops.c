/* test_ops: close, relink and erase through a real store.
 *
 * Each test gets a fresh data dir under /tmp (mkdtemp) and removes it
 * afterwards; what an operation leaves is read back through record, and for
 * an erase by reading every key and value in every database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include "record_fixture.h"

#include "ops.h"

/* --- helpers ------------------------------------------------------------ */

static void add_turn(struct store *st, const char *id, uint64_t seq, enum proto_role role,
		     const char *text)
{
	char err[256] = "";
	struct proto_turn t = {.seq = seq, .role = role,
			       .kind = role == PROTO_ROLE_BOT ? PROTO_KIND_ASK : PROTO_KIND_MESSAGE,
			       .text = (char *)text, .ts = 1764102000000};
	struct store_batch *b = store_batch_new();
	assert_int_equal(record_batch_turn(b, id, &t), 0);
	assert_int_equal(store_commit(st, b, err, sizeof err), 0);
	store_batch_free(b);
}

struct needle_scan {
	const void *needle;
	size_t len;
	int hits;
};

static bool has_bytes(const void *hay, size_t n, const void *needle, size_t len)
{
	for (size_t i = 0; len <= n && i + len <= n; i++)
		if (memcmp((const char *)hay + i, needle, len) == 0)
			return true;
	return false;
}

static int count_needle(void *ctx, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct needle_scan *ns = ctx;
	ns->hits += has_bytes(key, klen, ns->needle, ns->len) ||
		    has_bytes(val, vlen, ns->needle, ns->len);
	return 0;
}

/* How many keys or values in any database hold these bytes. */
static int stored_hits(struct store *st, const void *needle, size_t len)
{
	struct needle_scan ns = {.needle = needle, .len = len};
	for (int db = 0; db < STORE_DB_COUNT; db++)
		assert_int_equal(store_scan(st, (enum store_db)db, "", 0, count_needle, &ns), 0);
	return ns.hits;
}

/* --- tests -------------------------------------------------------------- */

static void test_close_ends_an_unfinished_interview_once(void **state)
{
	struct fixture_store *f = *state;
	char id[TOKEN_ID_LEN + 1], token[TOKEN_LEN + 1], err[256] = "";
	assert_int_equal(create_good(f->st, "Ada", id, token, err, sizeof err), 0);
	set_status(f->st, id, PROTO_STATUS_ACTIVE, 0);
	long long before = record_now_ms();

	struct proto_interview closed;
	assert_int_equal(ops_close_interview(f->st, id, &closed, err, sizeof err), 0);
	assert_int_equal(closed.status, PROTO_STATUS_CLOSED);
	assert_string_equal(closed.id, id);
	proto_interview_free(&closed);
	struct proto_interview iv;
	assert_int_equal(record_get_interview(f->st, id, &iv), 0);
	assert_int_equal(iv.status, PROTO_STATUS_CLOSED);
	assert_string_equal(proto_status_name(iv.status), "closed");
	assert_true(iv.updated >= before);
	proto_interview_free(&iv);

	/* Once is enough; a finished one has nothing to close; the sentence
	 * names the interview. */
	assert_int_equal(ops_close_interview(f->st, id, NULL, err, sizeof err), RECORD_ECLOSED);
	assert_non_null(strstr(err, id));
	char done[TOKEN_ID_LEN + 1];
	assert_int_equal(create_good(f->st, "Bo", done, token, err, sizeof err), 0);
	set_status(f->st, done, PROTO_STATUS_FINISHED, 0);
	assert_int_equal(ops_close_interview(f->st, done, &closed, err, sizeof err),
			 RECORD_EFINISHED);
	assert_null(closed.id);
	assert_int_equal(record_get_interview(f->st, done, &iv), 0);
	assert_int_equal(iv.status, PROTO_STATUS_FINISHED);
	proto_interview_free(&iv);
	assert_int_equal(ops_close_interview(f->st, "0123456789abcdef", NULL, err, sizeof err),
			 STORE_ENOTFOUND);
	assert_string_equal(err, "no interview 0123456789abcdef");
	assert_int_equal(ops_close_interview(f->st, "../etc", NULL, err, sizeof err),
			 STORE_ENOTFOUND);
}

static void test_relink_stops_every_old_link_and_issues_a_working_one(void **state)
{
	struct fixture_store *f = *state;
	char id[TOKEN_ID_LEN + 1], t1[TOKEN_LEN + 1], t2[TOKEN_LEN + 1], t3[TOKEN_LEN + 1];
	char other[TOKEN_ID_LEN + 1], tother[TOKEN_LEN + 1], got[TOKEN_ID_LEN + 1], err[256] = "";
	assert_int_equal(create_good(f->st, "Ada", id, t1, err, sizeof err), 0);
	assert_int_equal(record_issue_token(f->st, id, t2, err, sizeof err), 0);
	assert_int_equal(create_good(f->st, "Bo", other, tother, err, sizeof err), 0);

	assert_int_equal(ops_relink_interview(f->st, id, t3, err, sizeof err), 0);
	assert_int_equal(strlen(t3), TOKEN_LEN);
	assert_int_equal(record_check_token(f->st, t3, got), 0);
	assert_string_equal(got, id);
	assert_int_equal(record_check_token(f->st, t1, got), RECORD_EAUTH);
	assert_int_equal(record_check_token(f->st, t2, got), RECORD_EAUTH);
	/* Another interview's link is not touched. */
	assert_int_equal(record_check_token(f->st, tother, got), 0);
	assert_string_equal(got, other);

	assert_int_equal(ops_relink_interview(f->st, "0123456789abcdef", t3, err, sizeof err),
			 STORE_ENOTFOUND);
	assert_string_equal(t3, "");
}

static void test_erase_leaves_nothing_of_the_interview_in_any_database(void **state)
{
	struct fixture_store *f = *state;
	char id[TOKEN_ID_LEN + 1], token[TOKEN_LEN + 1], t2[TOKEN_LEN + 1], err[256] = "";
	char keep[TOKEN_ID_LEN + 1], tkeep[TOKEN_LEN + 1];
	assert_int_equal(create_good(f->st, "Zelda Quux", id, token, err, sizeof err), 0);
	assert_int_equal(record_issue_token(f->st, id, t2, err, sizeof err), 0);
	assert_int_equal(create_good(f->st, "Kept Person", keep, tkeep, err, sizeof err), 0);
	add_turn(f->st, id, 1, PROTO_ROLE_CANDIDATE, "my secret answer 7f3a");
	add_turn(f->st, id, 2, PROTO_ROLE_BOT, "Which language?");
	add_turn(f->st, keep, 1, PROTO_ROLE_CANDIDATE, "kept answer");
	unsigned char hash[TOKEN_HASH_LEN];
	assert_int_equal(token_hash(token, hash), 0);
	assert_true(stored_hits(f->st, id, strlen(id)) > 0);
	assert_true(stored_hits(f->st, "secret answer 7f3a", 18) > 0);

	assert_int_equal(ops_erase_interview(f->st, id, err, sizeof err), 0);
	assert_int_equal(stored_hits(f->st, id, strlen(id)), 0);
	assert_int_equal(stored_hits(f->st, "secret answer 7f3a", 18), 0);
	assert_int_equal(stored_hits(f->st, "Zelda Quux", 10), 0);
	assert_int_equal(stored_hits(f->st, hash, sizeof hash), 0);
	struct proto_interview iv;
	assert_int_equal(record_get_interview(f->st, id, &iv), STORE_ENOTFOUND);
	char got[TOKEN_ID_LEN + 1];
	assert_int_equal(record_check_token(f->st, token, got), RECORD_EAUTH);
	assert_int_equal(ops_erase_interview(f->st, id, err, sizeof err), STORE_ENOTFOUND);

	/* The other interview still runs the same pinned source, so it stays,
	 * with everything else of that interview. */
	assert_int_equal(record_get_interview(f->st, keep, &iv), 0);
	char *src = NULL;
	size_t len = 0;
	assert_int_equal(record_get_script(f->st, iv.script_hash, &src, &len), 0);
	free(src);
	struct proto_turn *turns = NULL;
	size_t n = 0;
	assert_int_equal(record_get_transcript(f->st, keep, &turns, &n), 0);
	assert_int_equal(n, 1);
	record_transcript_free(turns, n);
	assert_int_equal(record_check_token(f->st, tkeep, got), 0);

	/* Erasing the last interview of that source erases the source too. */
	assert_int_equal(ops_erase_interview(f->st, keep, err, sizeof err), 0);
	assert_int_equal(record_get_script(f->st, iv.script_hash, &src, &len), STORE_ENOTFOUND);
	assert_int_equal(stored_hits(f->st, "Which language?", 15), 0);
	proto_interview_free(&iv);
	assert_int_equal(count_interviews(f->st), 0);
}

int main(void)
{
	assert_int_equal(token_init(), 0);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_close_ends_an_unfinished_interview_once,
						fixture_store_setup, fixture_store_teardown),
		cmocka_unit_test_setup_teardown(
			test_relink_stops_every_old_link_and_issues_a_working_one,
			fixture_store_setup, fixture_store_teardown),
		cmocka_unit_test_setup_teardown(
			test_erase_leaves_nothing_of_the_interview_in_any_database,
			fixture_store_setup, fixture_store_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
