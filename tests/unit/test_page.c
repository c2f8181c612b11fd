/* test_page: the console's pages of interviews through a real store.
 *
 * Each test gets a fresh data dir under /tmp (mkdtemp) and removes it
 * afterwards; its interviews are created with the creation times and
 * statuses the test needs. */
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

#include "page.h"

/* --- helpers ------------------------------------------------------------ */

/* Interviews of the page test: created at 1000 + i, and the expectation of
 * which appear for a query, newest first. */
static void create_at(struct store *st, const char *candidate, int64_t created,
		      enum proto_status status, char id[TOKEN_ID_LEN + 1])
{
	char token[TOKEN_LEN + 1], err[256] = "";
	assert_int_equal(create_good(st, candidate, id, token, err, sizeof err), 0);
	set_status(st, id, status, created);
}

/* --- tests -------------------------------------------------------------- */

static void test_pages_are_newest_first_filtered_and_resume_at_the_cursor(void **state)
{
	struct fixture_store *f = *state;
	enum { N = 7 };
	char ids[N][TOKEN_ID_LEN + 1];
	const char *names[N] = {"Émile Zola", "ada lovelace", "ADA KING", "Grace", "Ольга",
				"Bob", "Adam"};
	/* Two share a creation time: the id breaks the tie. */
	const int64_t created[N] = {1000, 1001, 1002, 1003, 1004, 1005, 1005};
	for (int i = 0; i < N; i++)
		create_at(f->st, names[i], created[i],
			  i % 2 ? PROTO_STATUS_FINISHED : PROTO_STATUS_ACTIVE, ids[i]);

	/* Walk the whole list two at a time: each once, newest first. */
	struct page_query q = {.limit = 2};
	char cursor[PAGE_CURSOR_LEN + 1] = "";
	int64_t last_created = INT64_MAX;
	char last_id[TOKEN_ID_LEN + 1] = "~";
	int seen = 0, pages = 0;
	do {
		struct proto_interview *ivs = NULL;
		size_t n = 0;
		char next[PAGE_CURSOR_LEN + 1];
		q.cursor = cursor;
		assert_int_equal(page_list_interviews(f->st, &q, &ivs, &n, next), 0);
		assert_true(n <= 2);
		for (size_t i = 0; i < n; i++) {
			assert_true(ivs[i].created < last_created ||
				    (ivs[i].created == last_created && strcmp(ivs[i].id, last_id) < 0));
			last_created = ivs[i].created;
			snprintf(last_id, sizeof last_id, "%s", ivs[i].id);
			seen++;
		}
		record_interviews_free(ivs, n);
		snprintf(cursor, sizeof cursor, "%s", next);
		pages++;
	} while (cursor[0]);
	assert_int_equal(seen, N);
	assert_int_equal(pages, 4);

	/* q ignores case, accents' case included; status and script narrow it. */
	struct {
		struct page_query q;
		size_t want;
	} cases[] = {
		{{.q = "ADA"}, 3},
		{{.q = "émile"}, 1},
		{{.q = "ОЛЬГА"}, 1},
		{{.q = "ada", .status = "finished"}, 1},
		{{.status = "active"}, 4},
		{{.script = "good"}, N},
		{{.script = "other"}, 0},
		{{.q = "nobody"}, 0},
	};
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		struct proto_interview *ivs = NULL;
		size_t n = 0;
		char next[PAGE_CURSOR_LEN + 1];
		assert_int_equal(page_list_interviews(f->st, &cases[c].q, &ivs, &n, next), 0);
		assert_int_equal(n, cases[c].want);
		assert_string_equal(next, "");
		record_interviews_free(ivs, n);
	}

	/* What cannot be answered is refused with a code per field. */
	struct proto_interview *ivs = NULL;
	size_t n = 0;
	char next[PAGE_CURSOR_LEN + 1];
	struct page_query bad_limit = {.limit = 201};
	assert_int_equal(page_list_interviews(f->st, &bad_limit, &ivs, &n, next), RECORD_ELIMIT);
	struct page_query bad_cursor = {.cursor = "zz"};
	assert_int_equal(page_list_interviews(f->st, &bad_cursor, &ivs, &n, next),
			 RECORD_ECURSOR);
	struct page_query bad_status = {.status = "paused"};
	assert_int_equal(page_list_interviews(f->st, &bad_status, &ivs, &n, next),
			 RECORD_ESTATUS);
	assert_null(ivs);
	struct page_query max = {.limit = 200};
	assert_int_equal(page_list_interviews(f->st, &max, &ivs, &n, next), 0);
	assert_int_equal(n, N);
	record_interviews_free(ivs, n);
}

/* The cursor names the last interview shown (its creation time in 16 hex
 * digits, then its id); anything else is refused, not read as a guess. */
static void test_cursor_names_the_last_interview_and_only_such_a_cursor_is_taken(void **state)
{
	struct fixture_store *f = *state;
	char a[TOKEN_ID_LEN + 1], b[TOKEN_ID_LEN + 1];
	create_at(f->st, "Ada", 0x1234, PROTO_STATUS_ACTIVE, a);
	create_at(f->st, "Bo", 0x1233, PROTO_STATUS_ACTIVE, b);
	struct proto_interview *ivs = NULL;
	size_t n = 0;
	char next[PAGE_CURSOR_LEN + 1], want[PAGE_CURSOR_LEN + 1];
	struct page_query first = { .limit = 1 };
	assert_int_equal(page_list_interviews(f->st, &first, &ivs, &n, next), 0);
	assert_int_equal(n, 1);
	assert_string_equal(ivs[0].id, a);
	record_interviews_free(ivs, n);
	snprintf(want, sizeof want, "0000000000001234%s", a);
	assert_string_equal(next, want);

	const struct {
		const char *head;
		bool id; /* followed by a's id */
	} bad[] = {
		{ "000000000000123", true },   /* a short time */
		{ "0000000000001234", false }, /* no id */
		{ "000000000000ABCD", true },  /* upper case */
		{ "800000000000000a", true },  /* a negative time */
		{ "00000000000012g4", true },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char cursor[PAGE_CURSOR_LEN + 2];
		snprintf(cursor, sizeof cursor, "%s%s", bad[i].head, bad[i].id ? a : "");
		struct page_query q = { .cursor = cursor };
		assert_int_equal(page_list_interviews(f->st, &q, &ivs, &n, next), RECORD_ECURSOR);
		assert_null(ivs);
	}
	char other_id[PAGE_CURSOR_LEN + 2];
	snprintf(other_id, sizeof other_id, "0000000000001234%.15sX", b);
	struct page_query q = { .cursor = other_id };
	assert_int_equal(page_list_interviews(f->st, &q, &ivs, &n, next), RECORD_ECURSOR);
	char longer[PAGE_CURSOR_LEN + 2];
	snprintf(longer, sizeof longer, "%s0", want);
	q.cursor = longer;
	assert_int_equal(page_list_interviews(f->st, &q, &ivs, &n, next), RECORD_ECURSOR);

	/* The cursor given out resumes after a: b is next, and last. */
	q.cursor = want;
	assert_int_equal(page_list_interviews(f->st, &q, &ivs, &n, next), 0);
	assert_int_equal(n, 1);
	assert_string_equal(ivs[0].id, b);
	assert_string_equal(next, "");
	record_interviews_free(ivs, n);
}

int main(void)
{
	assert_int_equal(token_init(), 0);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_pages_are_newest_first_filtered_and_resume_at_the_cursor,
			fixture_store_setup, fixture_store_teardown),
		cmocka_unit_test_setup_teardown(
			test_cursor_names_the_last_interview_and_only_such_a_cursor_is_taken,
			fixture_store_setup, fixture_store_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
