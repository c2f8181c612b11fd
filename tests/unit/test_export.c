/* test_export: CSV, JSON Lines, Markdown and summaries of interviews.
 *
 * The formats are checked byte for byte on records built here; the summary
 * and the store-reading helpers run against a real store in a temp dir. */
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

#include "export.h"
#include "record.h"

/* 2025-11-25T20:00:00Z */
#define T0 1764100800000LL

static struct proto_answer ans(const char *id, const char *text)
{
	return (struct proto_answer){ .id = (char *)id, .text = (char *)text };
}

/* --- CSV ----------------------------------------------------------------- */

static void test_csv_quotes_commas_quotes_and_newlines_and_ends_every_line_in_crlf(void **state)
{
	(void)state;
	struct proto_answer a[] = { ans("lang", "C, mostly"),
				    ans("proud", "a \"fast\" parser\nin C") };
	char *tags[] = { "senior", "remote" };
	struct proto_score sc[] = { { .name = "experience", .value = 7.5 } };
	struct proto_interview iv = { .id = "0123456789abcdef",
				      .candidate = "Ada Lovelace",
				      .status = PROTO_STATUS_FINISHED,
				      .created = T0,
				      .updated = T0 + 90000,
				      .answers = a,
				      .nanswers = 2,
				      .tags = tags,
				      .ntags = 2,
				      .scores = sc,
				      .nscores = 1 };
	char *out = NULL;
	size_t len = 0;
	assert_int_equal(export_csv(&iv, 1, &out, &len), 0);
	assert_string_equal(out,
			    "id,candidate,status,created,finished,answer.lang,answer.proud,"
			    "score.experience,tags\r\n"
			    "0123456789abcdef,Ada Lovelace,finished,2025-11-25T20:00:00Z,"
			    "2025-11-25T20:01:30Z,\"C, mostly\",\"a \"\"fast\"\" parser\nin C\","
			    "7.5,\"senior, remote\"\r\n");
	assert_int_equal(len, strlen(out));
	assert_null(memchr(out, 0xEF, len)); /* no byte order mark */
	free(out);
}

static void test_csv_neutralises_formulas_in_text_but_not_in_scores(void **state)
{
	(void)state;
	struct proto_answer a[] = { ans("a", "=HYPERLINK(\"http://x\",\"y\")"),
				    ans("b", "+1"),
				    ans("c", "-2"),
				    ans("d", "@SUM(A1)"),
				    ans("e", "\tx"),
				    ans("f", "fine = ok") };
	struct proto_score sc[] = { { .name = "s", .value = -3 } };
	char *tags[] = { "=cmd" };
	struct proto_interview iv = { .id = "0123456789abcdef",
				      .candidate = "=1+1",
				      .status = PROTO_STATUS_ACTIVE,
				      .created = T0,
				      .updated = T0,
				      .answers = a,
				      .nanswers = 6,
				      .scores = sc,
				      .nscores = 1,
				      .tags = tags,
				      .ntags = 1 };
	char *out = NULL;
	size_t len = 0;
	assert_int_equal(export_csv(&iv, 1, &out, &len), 0);
	const char *row = strstr(out, "\r\n") + 2;
	/* Unfinished: finished is empty. The quote sits inside the CSV quotes. */
	assert_string_equal(row,
			    "0123456789abcdef,'=1+1,active,2025-11-25T20:00:00Z,,"
			    "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",'+1,'-2,'@SUM(A1),'\tx,"
			    "fine = ok,-3,'=cmd\r\n");
	free(out);
}

static void test_csv_writes_whole_scores_as_whole_numbers_not_exponents(void **state)
{
	(void)state;
	struct proto_score sc[] = { { .name = "a", .value = 10 },     { .name = "b", .value = 1500 },
				    { .name = "c", .value = -20 },    { .name = "d", .value = 12.5 },
				    { .name = "e", .value = 0.1 },    { .name = "f", .value = -0.0 },
				    { .name = "g", .value = 123456.25 } };
	struct proto_interview iv = { .id = "0123456789abcdef",
				      .candidate = "Ada",
				      .status = PROTO_STATUS_ACTIVE,
				      .created = T0,
				      .updated = T0,
				      .scores = sc,
				      .nscores = 7 };
	char *out = NULL;
	size_t len = 0;
	assert_int_equal(export_csv(&iv, 1, &out, &len), 0);
	const char *row = strstr(out, "\r\n") + 2;
	assert_string_equal(row, "0123456789abcdef,Ada,active,2025-11-25T20:00:00Z,,"
				 "10,1500,-20,12.5,0.1,0,123456.25,\r\n");
	free(out);
}

static void test_csv_columns_are_every_answer_and_score_of_any_interview_sorted(void **state)
{
	(void)state;
	struct proto_answer a1[] = { ans("zeta", "z1"), ans("alpha", "a1") };
	struct proto_answer a2[] = { ans("mid", "m2"), ans("alpha", "a2") };
	struct proto_score s2[] = { { .name = "b", .value = 1 }, { .name = "a", .value = 0.1 } };
	struct proto_interview ivs[] = {
		{ .id = "1111111111111111",
		  .candidate = "",
		  .status = PROTO_STATUS_CLOSED,
		  .created = T0,
		  .updated = T0 + 1000,
		  .answers = a1,
		  .nanswers = 2 },
		{ .id = "2222222222222222",
		  .candidate = "Bo",
		  .status = PROTO_STATUS_NEW,
		  .created = T0,
		  .updated = T0,
		  .answers = a2,
		  .nanswers = 2,
		  .scores = s2,
		  .nscores = 2 },
	};
	char *out = NULL;
	size_t len = 0;
	assert_int_equal(export_csv(ivs, 2, &out, &len), 0);
	assert_string_equal(out,
			    "id,candidate,status,created,finished,answer.alpha,answer.mid,"
			    "answer.zeta,score.a,score.b,tags\r\n"
			    "1111111111111111,,closed,2025-11-25T20:00:00Z,2025-11-25T20:00:01Z,"
			    "a1,,z1,,,\r\n"
			    "2222222222222222,Bo,new,2025-11-25T20:00:00Z,,a2,m2,,0.1,1,\r\n");
	free(out);

	/* No interviews: the header alone. */
	assert_int_equal(export_csv(NULL, 0, &out, &len), 0);
	assert_string_equal(out, "id,candidate,status,created,finished,tags\r\n");
	free(out);
}

/* --- JSON Lines ---------------------------------------------------------- */

static void test_jsonl_is_one_object_per_line_with_numbers_as_numbers(void **state)
{
	(void)state;
	struct proto_answer a1[] = { ans("proud", "line one\nline \"two\"") };
	struct proto_score s1[] = { { .name = "experience", .value = 5 },
				    { .name = "ratio", .value = 0.25 } };
	char *tags[] = { "senior" };
	struct proto_interview ivs[] = {
		{ .id = "1111111111111111",
		  .candidate = "=Ada",
		  .status = PROTO_STATUS_FINISHED,
		  .created = T0,
		  .updated = T0 + 5,
		  .answers = a1,
		  .nanswers = 1,
		  .scores = s1,
		  .nscores = 2,
		  .tags = tags,
		  .ntags = 1 },
		{ .id = "2222222222222222",
		  .candidate = "Bo",
		  .status = PROTO_STATUS_ACTIVE,
		  .created = T0 + 1,
		  .updated = T0 + 2 },
	};
	char *out = NULL;
	size_t len = 0;
	assert_int_equal(export_jsonl(ivs, 2, &out, &len), 0);
	assert_string_equal(
		out, "{\"id\":\"1111111111111111\",\"candidate\":\"=Ada\",\"status\":\"finished\","
		     "\"created\":1764100800000,\"finished\":1764100800005,"
		     "\"answers\":{\"proud\":\"line one\\nline \\\"two\\\"\"},"
		     "\"scores\":{\"experience\":5,\"ratio\":0.25},\"tags\":[\"senior\"]}\n"
		     "{\"id\":\"2222222222222222\",\"candidate\":\"Bo\",\"status\":\"active\","
		     "\"created\":1764100800001,\"finished\":null,\"answers\":{\"proud\":null},"
		     "\"scores\":{\"experience\":null,\"ratio\":null},\"tags\":[]}\n");
	free(out);
}

/* --- Markdown ------------------------------------------------------------ */

static void test_markdown_transcript_has_sections_turns_and_results(void **state)
{
	(void)state;
	char *choices[] = { "C", "Python" };
	struct proto_turn turns[] = {
		{ .seq = 1,
		  .role = PROTO_ROLE_CANDIDATE,
		  .kind = PROTO_KIND_MESSAGE,
		  .text = "hi" },
		{ .seq = 2,
		  .role = PROTO_ROLE_BOT,
		  .kind = PROTO_KIND_SAY,
		  .text = "Welcome!",
		  .section = "Welcome" },
		{ .seq = 3,
		  .role = PROTO_ROLE_BOT,
		  .kind = PROTO_KIND_ASK,
		  .text = "Which language?",
		  .section = "Experience",
		  .choices = choices,
		  .nchoices = 2 },
		{ .seq = 4,
		  .role = PROTO_ROLE_CANDIDATE,
		  .kind = PROTO_KIND_MESSAGE,
		  .text = "C",
		  .section = "Experience" },
	};
	struct proto_answer a[] = { ans("language", "C") };
	struct proto_score sc[] = { { .name = "experience", .value = 7 } };
	char *notes[] = { "knows C" };
	char *tags[] = { "senior", "c" };
	char hash[65];
	memset(hash, 'a', 64);
	hash[64] = '\0';
	struct proto_interview iv = { .id = "0123456789abcdef",
				      .script = "demo",
				      .script_hash = hash,
				      .candidate = "Ada",
				      .status = PROTO_STATUS_ACTIVE,
				      .created = T0,
				      .updated = T0 + 60000,
				      .answers = a,
				      .nanswers = 1,
				      .scores = sc,
				      .nscores = 1,
				      .notes = notes,
				      .nnotes = 1,
				      .tags = tags,
				      .ntags = 2,
				      .last_error = "scripts/demo.lua:3: boom ```",
				      .last_traceback = "stack traceback:\n\t[C]: in ?" };
	char *out = NULL;
	size_t len = 0;
	assert_int_equal(export_markdown(&iv, turns, 4, &out, &len), 0);
	char want[4096];
	snprintf(want, sizeof want,
		 "# Interview with Ada — demo\n\n"
		 "- **Status:** active\n"
		 "- **Script:** demo, version `%s`\n"
		 "- **Interview:** 0123456789abcdef\n"
		 "- **Created:** 2025-11-25 20:00 UTC\n"
		 "- **Last activity:** 2025-11-25 20:01 UTC\n\n"
		 "**Candidate:** hi\n\n"
		 "## Welcome\n\n"
		 "**Bot:** Welcome!\n\n"
		 "## Experience\n\n"
		 "**Bot:** Which language?\n\n*Choices:* C · Python\n\n"
		 "**Candidate:** C\n\n"
		 "## Results\n\n"
		 "### Scores\n\n- experience: 7\n\n"
		 "### Answers\n\n- **language:** C\n\n"
		 "### Notes\n\n- knows C\n\n"
		 "### Tags\n\nsenior, c\n\n"
		 "### Last script error\n\n"
		 "````text\nscripts/demo.lua:3: boom ```\nstack traceback:\n\t[C]: in ?\n````\n",
		 hash);
	assert_string_equal(out, want);
	free(out);
}

static void test_markdown_escapes_what_a_candidate_types_so_it_cannot_add_markup(void **state)
{
	(void)state;
	struct proto_turn turns[] = {
		{ .seq = 1,
		  .role = PROTO_ROLE_CANDIDATE,
		  .kind = PROTO_KIND_MESSAGE,
		  .text = "# Hired!\n> quote\n[click](http://evil.example) ![img](x.png)\n"
			  "<script>alert(1)</script> *bold* `code`\n1. one\n---\n\n  ## again\n"
			  "see www.evil.example or https://evil.example/x" },
	};
	struct proto_answer a[] = { ans("x", "[a](b)\n# h") };
	struct proto_interview iv = { .id = "0123456789abcdef",
				      .script = "demo",
				      .script_hash = "",
				      .candidate = "# Eve [x](y)",
				      .status = PROTO_STATUS_NEW,
				      .answers = a,
				      .nanswers = 1 };
	char *out = NULL;
	size_t len = 0;
	assert_int_equal(export_markdown(&iv, turns, 1, &out, &len), 0);
	assert_non_null(strstr(out, "# Interview with \\# Eve \\[x\\]\\(y\\) — demo\n"));
	assert_non_null(strstr(out,
			       "**Candidate:** \\# Hired!\\\n"
			       "\\> quote\\\n"
			       "\\[click\\]\\(http\\://evil.example\\) !\\[img\\]\\(x.png\\)\\\n"
			       "\\<script\\>alert\\(1\\)\\</script\\> \\*bold\\* \\`code\\`\\\n"
			       "1\\. one\\\n"
			       "\\---\n"
			       "\n"
			       "  \\## again\\\n"
			       "see www\\.evil.example or https\\://evil.example/x\n"));
	/* An answer is one list item: its line break becomes a space. */
	assert_non_null(strstr(out, "- **x:** \\[a\\]\\(b\\) # h\n"));
	/* The only headings are the export's own; no line opens a link, and bare
	 * URLs are not made links by renderers that would (GitHub's). */
	for (const char *p = out; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		assert_false(p[0] == '[');
		if (p[0] == '#')
			assert_true(strncmp(p, "# Interview with \\# Eve ", 24) == 0 ||
				    strncmp(p, "## Results\n", 11) == 0 ||
				    strncmp(p, "### Answers\n", 12) == 0);
	}
	free(out);
}

/* --- against a store ----------------------------------------------------- */

struct fixture {
	char data[64];
	struct store *st;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	assert_non_null(f);
	strcpy(f->data, "/tmp/interviewd-export-data-XXXXXX");
	assert_non_null(mkdtemp(f->data));
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
	free(f);
	return 0;
}

/* An interview of script whose transcript ends with the question last_ask
 * (NULL: no turns at all), then with a candidate's answer when answered. */
static void make_interview(struct store *st, const char *script, enum proto_status status,
			   const char *last_ask, int64_t created, char id[TOKEN_ID_LEN + 1])
{
	static const char src[] = "finish('bye')\n";
	char token[TOKEN_LEN + 1], err[256] = "";
	assert_int_equal(record_create_interview(st, script, src, strlen(src), "Cand", id, token,
						 err, sizeof err),
			 0);
	struct proto_interview iv;
	assert_int_equal(record_get_interview(st, id, &iv), 0);
	struct store_batch *b = store_batch_new();
	if (last_ask) {
		struct proto_turn t[] = {
			{ .seq = 1,
			  .role = PROTO_ROLE_CANDIDATE,
			  .kind = PROTO_KIND_MESSAGE,
			  .text = "hi" },
			{ .seq = 2,
			  .role = PROTO_ROLE_BOT,
			  .kind = PROTO_KIND_ASK,
			  .text = "First?" },
			{ .seq = 3,
			  .role = PROTO_ROLE_CANDIDATE,
			  .kind = PROTO_KIND_MESSAGE,
			  .text = "a" },
			{ .seq = 4, .role = PROTO_ROLE_BOT, .kind = PROTO_KIND_SAY, .text = "ok" },
			{ .seq = 5,
			  .role = PROTO_ROLE_BOT,
			  .kind = PROTO_KIND_ASK,
			  .text = (char *)last_ask },
		};
		for (size_t i = 0; i < 5; i++)
			assert_int_equal(record_batch_turn(b, id, &t[i]), 0);
		iv.next_seq = 6;
	}
	iv.status = status;
	iv.created = created;
	assert_int_equal(record_batch_interview(b, &iv), 0);
	assert_int_equal(store_commit(st, b, err, sizeof err), 0);
	store_batch_free(b);
	proto_interview_free(&iv);
}

static void test_stats_count_each_status_and_where_unfinished_ones_stopped(void **state)
{
	struct fixture *f = *state;
	char id[TOKEN_ID_LEN + 1];
	make_interview(f->st, "s", PROTO_STATUS_NEW, NULL, T0, id);
	make_interview(f->st, "s", PROTO_STATUS_ACTIVE, "Why us?", T0, id);
	make_interview(f->st, "s", PROTO_STATUS_ACTIVE, "Why us?", T0, id);
	make_interview(f->st, "s", PROTO_STATUS_ACTIVE, "Salary?", T0, id);
	make_interview(f->st, "s", PROTO_STATUS_CLOSED, "Why us?", T0, id);
	make_interview(f->st, "s", PROTO_STATUS_CLOSED, NULL, T0, id); /* never started */
	make_interview(f->st, "s", PROTO_STATUS_FINISHED, "Last one?", T0, id);
	make_interview(f->st, "s", PROTO_STATUS_FINISHED, "Last one?", T0, id);
	make_interview(f->st, "other", PROTO_STATUS_ACTIVE, "Elsewhere?", T0, id);

	struct proto_stats s;
	assert_int_equal(export_stats(f->st, "s", &s), 0);
	char *j = proto_cli_stats("s", &s);
	assert_string_equal(j,
			    "{\"script\":\"s\",\"total\":8,\"new\":1,\"active\":3,\"finished\":2,"
			    "\"closed\":2,\"started\":6,\"dropoff\":[{\"question\":\"Why us?\","
			    "\"count\":3},{\"question\":\"Salary?\",\"count\":1}]}");
	free(j);
	proto_stats_free(&s);

	/* A script nobody ran: zeros, not an error. */
	assert_int_equal(export_stats(f->st, "nobody", &s), 0);
	assert_true(s.total == 0 && s.ndropoff == 0);
	proto_stats_free(&s);
}

static void test_export_of_a_script_has_only_its_interviews_oldest_first(void **state)
{
	struct fixture *f = *state;
	char a[TOKEN_ID_LEN + 1], b[TOKEN_ID_LEN + 1], c[TOKEN_ID_LEN + 1];
	make_interview(f->st, "s", PROTO_STATUS_NEW, NULL, T0 + 2000, a);
	make_interview(f->st, "other", PROTO_STATUS_NEW, NULL, T0 + 1000, b);
	make_interview(f->st, "s", PROTO_STATUS_NEW, NULL, T0, c);
	char *out = NULL;
	size_t len = 0;
	assert_int_equal(export_script(f->st, "s", EXPORT_JSONL, &out, &len), 0);
	const char *pc = strstr(out, c), *pa = strstr(out, a);
	assert_non_null(pc);
	assert_non_null(pa);
	assert_true(pc < pa);
	assert_null(strstr(out, b));
	free(out);
	assert_int_equal(export_script(f->st, "s", EXPORT_CSV, &out, &len), 0);
	assert_true(strstr(out, c) < strstr(out, a));
	free(out);

	enum export_format fmt;
	assert_int_equal(export_format_parse("jsonl", &fmt), 0);
	assert_int_equal(fmt, EXPORT_JSONL);
	assert_int_equal(export_format_parse("xlsx", &fmt), -1);
}

static void test_transcript_reads_the_interview_or_says_not_found(void **state)
{
	struct fixture *f = *state;
	char id[TOKEN_ID_LEN + 1];
	make_interview(f->st, "s", PROTO_STATUS_ACTIVE, "Why us?", T0, id);
	char *out = NULL;
	size_t len = 0;
	assert_int_equal(export_transcript(f->st, id, &out, &len), 0);
	assert_non_null(strstr(out, "**Bot:** Why us?\n"));
	assert_non_null(strstr(out, "# Interview with Cand — s\n"));
	free(out);
	assert_int_equal(export_transcript(f->st, "0123456789abcdef", &out, &len), STORE_ENOTFOUND);
	assert_null(out);
	assert_int_equal(export_transcript(f->st, "../x", &out, &len), STORE_ENOTFOUND);
}

int main(void)
{
	assert_int_equal(token_init(), 0);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_csv_quotes_commas_quotes_and_newlines_and_ends_every_line_in_crlf),
		cmocka_unit_test(test_csv_neutralises_formulas_in_text_but_not_in_scores),
		cmocka_unit_test(test_csv_writes_whole_scores_as_whole_numbers_not_exponents),
		cmocka_unit_test(
			test_csv_columns_are_every_answer_and_score_of_any_interview_sorted),
		cmocka_unit_test(test_jsonl_is_one_object_per_line_with_numbers_as_numbers),
		cmocka_unit_test(test_markdown_transcript_has_sections_turns_and_results),
		cmocka_unit_test(
			test_markdown_escapes_what_a_candidate_types_so_it_cannot_add_markup),
		cmocka_unit_test_setup_teardown(
			test_stats_count_each_status_and_where_unfinished_ones_stopped, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_export_of_a_script_has_only_its_interviews_oldest_first, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_transcript_reads_the_interview_or_says_not_found, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
