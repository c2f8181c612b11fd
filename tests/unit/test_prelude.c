/* test_prelude: the script API a script author uses, as the prelude
 * (src/prelude.lua) builds it on the host.
 *
 * Each test opens a small script from a string (two run the shipped
 * scripts/demo.lua and scripts/backend-screen.lua from disk; tests run from
 * the repo root), feeds it candidate messages and checks the events: what
 * ask(), choose() and ask_number() accept, trim and re-ask, validation and
 * retries, API levels, finishing, and opts.examples. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "log.h"
#include "script.h"

#include "script_fixture.h"

/* Answers every question plainly (first option, 3, a long sentence) until the
 * script finishes; returns how many of each event kind it produced. */
static void drive_to_end(const char *path, size_t counts[SCRIPT_EV_ANSWER + 1])
{
	size_t len;
	char *src = read_file(path, &len);
	struct script_env env = { .interview_id = "0123456789abcdef", .candidate_name = "Ada",
				  .seed = 3 };
	struct script_error e;
	struct script *s;
	struct script_output out;
	const char *reply = "Hello";
	memset(counts, 0, (SCRIPT_EV_ANSWER + 1) * sizeof *counts);
	if (script_open(&s, path, src, len, &env, &e) != 0)
		fail_msg("%s", e.message);
	for (int turn = 0; turn < 100 && !script_finished(s); turn++) {
		if (script_feed(s, reply, strlen(reply), &out, &e) != 0)
			fail_msg("turn %d: %s", turn, e.message);
		for (size_t i = 0; i < out.n; i++) {
			const struct script_event *ev = &out.events[i];
			counts[ev->kind]++;
			if (ev->kind != SCRIPT_EV_ASK)
				continue;
			reply = ev->ask_type == SCRIPT_ASK_CHOICE ? "1"
				: ev->ask_type == SCRIPT_ASK_NUMBER ? "3"
				: "We used an idempotency key with a unique index, a cache with a TTL, "
				  "sharded the data and put a load balancer in front; we checked logs "
				  "and metrics, fixed it, wrote a postmortem, and salary 100k.";
		}
		script_output_free(&out);
	}
	assert_true(script_finished(s));
	script_close(s);
	free(src);
}

static void test_backend_screen_script_runs_to_the_end(void **state)
{
	(void)state;
	size_t counts[SCRIPT_EV_ANSWER + 1];
	drive_to_end("scripts/backend-screen.lua", counts);
	assert_int_equal(counts[SCRIPT_EV_END], 1);
	assert_int_equal(counts[SCRIPT_EV_SCORE], 4);
	assert_int_equal(counts[SCRIPT_EV_SECTION], 6);
	assert_true(counts[SCRIPT_EV_ANSWER] >= 10);
	assert_true(counts[SCRIPT_EV_NOTE] >= 3);
}

/* ---- the conversation ---------------------------------------------------- */

static void test_demo_script_runs_to_the_end(void **state)
{
	(void)state;
	size_t len;
	char *src = read_file("scripts/demo.lua", &len);
	struct script_env env = { .interview_id = "0123456789abcdef", .candidate_name = "Ada",
				  .seed = 7 };
	struct script_error e;
	struct script *s;
	struct script_output out;
	assert_int_equal(script_open(&s, "scripts/demo.lua", src, len, &env, &e), 0);

	feed_ok(s, "Hello", &out);
	assert_int_equal(out.n, 4);
	expect_named(&out, 0, SCRIPT_EV_SECTION, "Welcome");
	expect_ev(&out, 1, SCRIPT_EV_SAY, "Hi Ada! This is a short demo interview.");
	expect_named(&out, 2, SCRIPT_EV_SECTION, "Experience");
	expect_ev(&out, 3, SCRIPT_EV_ASK, "Which language do you use most?");
	assert_int_equal(out.events[3].ask_type, SCRIPT_ASK_CHOICE);
	assert_int_equal(out.events[3].nchoices, 4);
	assert_string_equal(out.events[3].choices[1], "Python");
	assert_int_equal(out.events[3].line, 6);
	assert_false(out.finished);
	script_output_free(&out);

	feed_ok(s, "  python ", &out);
	assert_int_equal(out.n, 2);
	expect_named(&out, 0, SCRIPT_EV_ANSWER, "language");
	assert_string_equal(out.events[0].text, "Python");
	expect_ev(&out, 1, SCRIPT_EV_ASK, "How many years have you worked with Python?");
	assert_int_equal(out.events[1].ask_type, SCRIPT_ASK_NUMBER);
	assert_true(out.events[1].has_min && out.events[1].has_max);
	assert_true(out.events[1].min == 0 && out.events[1].max == 60);
	script_output_free(&out);

	feed_ok(s, "about 12 years", &out);
	assert_int_equal(out.n, 4);
	expect_named(&out, 0, SCRIPT_EV_ANSWER, "years");
	assert_string_equal(out.events[0].text, "12");
	expect_named(&out, 1, SCRIPT_EV_SCORE, "experience");
	assert_true(out.events[1].number == 10);
	expect_named(&out, 2, SCRIPT_EV_TAG, "senior");
	expect_ev(&out, 3, SCRIPT_EV_ASK, "What is a piece of work you are proud of?");
	assert_int_equal(out.events[3].ask_type, SCRIPT_ASK_TEXT);
	script_output_free(&out);

	feed_ok(s, "A compiler", &out);
	assert_int_equal(out.n, 3);
	expect_named(&out, 0, SCRIPT_EV_ANSWER, "proud");
	expect_ev(&out, 1, SCRIPT_EV_NOTE, "Proud of: A compiler");
	expect_ev(&out, 2, SCRIPT_EV_END, "Thanks! That is the end of the demo.");
	assert_true(out.finished);
	assert_true(script_finished(s));
	script_output_free(&out);

	script_close(s);
	free(src);
}

static void test_choose_reasks_with_hint_on_unknown_option(void **state)
{
	(void)state;
	struct script *s = open_src(
		"local l = choose('Language?', {'C', 'Python', 'JavaScript', 'Other'})\n"
		"say('got ' .. l)\n");
	struct script_output out;
	feed_ok(s, "hi", &out);
	script_output_free(&out);

	feed_ok(s, "Rust", &out);
	assert_int_equal(out.n, 2);
	expect_ev(&out, 0, SCRIPT_EV_SAY,
		  "Please answer with one of: C, Python, JavaScript, Other (or its number).");
	expect_ev(&out, 1, SCRIPT_EV_ASK, "Language?");
	assert_int_equal(out.events[1].nchoices, 4);
	assert_int_equal(out.events[1].ask_type, SCRIPT_ASK_CHOICE);
	script_output_free(&out);

	feed_ok(s, "5", &out); /* a number, but not of an option */
	expect_ev(&out, 1, SCRIPT_EV_ASK, "Language?");
	script_output_free(&out);

	feed_ok(s, "c", &out);
	expect_accepted(&out, 0);
	expect_ev(&out, 1, SCRIPT_EV_SAY, "got C");
	script_output_free(&out);
	script_close(s);
}

static void test_choose_accepts_option_number_and_case_insensitive_text(void **state)
{
	(void)state;
	struct script *s = open_src(
		"local a = choose('Q1', {'Yes', 'No'}, {id = 'q1'})\n"
		"local b = choose('Q2', {' Maybe later ', 'Never'})\n"
		"say(a .. '|' .. b)\n");
	struct script_output out;
	feed_ok(s, "hi", &out);
	script_output_free(&out);
	feed_ok(s, "2", &out);
	expect_named(&out, 0, SCRIPT_EV_ANSWER, "q1");
	assert_string_equal(out.events[0].text, "No");
	script_output_free(&out);
	feed_ok(s, "MAYBE LATER\n", &out);
	expect_accepted(&out, 0);
	expect_ev(&out, 1, SCRIPT_EV_SAY, "No| Maybe later ");
	script_output_free(&out);
	script_close(s);
}

static void test_ask_number_rejects_out_of_range(void **state)
{
	(void)state;
	struct script *s = open_src(
		"local y = ask_number('Years?', {min = 0, max = 60})\n"
		"local z = ask_number('Rating?')\n"
		"say(y .. '|' .. z .. '|' .. math.type(y))\n");
	struct script_output out;
	feed_ok(s, "hi", &out);
	script_output_free(&out);

	feed_ok(s, "about 61 years", &out);
	assert_int_equal(out.n, 2);
	expect_ev(&out, 0, SCRIPT_EV_SAY, "Please answer with a number between 0 and 60.");
	expect_ev(&out, 1, SCRIPT_EV_ASK, "Years?");
	assert_int_equal(out.events[1].ask_type, SCRIPT_ASK_NUMBER);
	script_output_free(&out);

	feed_ok(s, "lots", &out);
	expect_ev(&out, 0, SCRIPT_EV_SAY, "Please answer with a number between 0 and 60.");
	script_output_free(&out);

	feed_ok(s, "-3", &out);
	expect_ev(&out, 1, SCRIPT_EV_ASK, "Years?");
	script_output_free(&out);

	feed_ok(s, "5 years", &out);
	expect_accepted(&out, 0);
	expect_ev(&out, 1, SCRIPT_EV_ASK, "Rating?");
	assert_false(out.events[1].has_min);
	assert_false(out.events[1].has_max);
	script_output_free(&out);

	feed_ok(s, "I'd say 3.5", &out);
	expect_accepted(&out, 0);
	expect_ev(&out, 1, SCRIPT_EV_SAY, "5|3.5|integer");
	script_output_free(&out);
	script_close(s);
}

static void test_ask_trims_surrounding_whitespace_unless_raw(void **state)
{
	(void)state;
	struct script *s = open_src(
		"local function email(a)\n"
		"  if a:match('^%S+@%S+%.%S+$') then return true end\n"
		"  return false, 'no'\n"
		"end\n"
		"local m = ask('Email?', {id = 'email', validate = email})\n"
		"local n = ask('Name?', {id = 'name'})\n"
		"local r = ask('Poem?', {id = 'poem', raw = true})\n"
		"local e = ask('Anything?')\n"
		"say('[' .. m .. '|' .. n .. '|' .. r .. '|' .. e .. '|' .. answers.email .. ']')\n");
	struct script_output out;
	feed_ok(s, "hi", &out);
	script_output_free(&out);

	/* The validation sees the trimmed answer, so a pasted address passes. */
	feed_ok(s, "  carol@example.com \t\r\n", &out);
	expect_named(&out, 0, SCRIPT_EV_ANSWER, "email");
	assert_string_equal(out.events[0].text, "carol@example.com");
	expect_ev(&out, 1, SCRIPT_EV_ASK, "Name?");
	script_output_free(&out);

	/* U+00A0 (a space pasted from a web page) goes too; inner spaces stay. */
	feed_ok(s, "\xc2\xa0 Ada  Lovelace\xc2\xa0\xc2\xa0", &out);
	expect_named(&out, 0, SCRIPT_EV_ANSWER, "name");
	assert_string_equal(out.events[0].text, "Ada  Lovelace");
	script_output_free(&out);

	feed_ok(s, "  roses\n  are red\n", &out);
	expect_named(&out, 0, SCRIPT_EV_ANSWER, "poem");
	assert_string_equal(out.events[0].text, "  roses\n  are red\n");
	script_output_free(&out);

	feed_ok(s, " \t\n ", &out);
	expect_ev(&out, 1, SCRIPT_EV_SAY,
		  "[carol@example.com|Ada  Lovelace|  roses\n  are red\n||carol@example.com]");
	script_output_free(&out);
	script_close(s);
}

static void test_trim_keeps_a_lone_byte_of_the_nbsp_pair(void **state)
{
	(void)state;
	/* "\xc3\xa0" is U+00E0 (a grave): its A0 byte is not a space. */
	struct script *s = open_src("local a = ask('Q')\nsay('[' .. a .. ']')\n");
	struct script_output out;
	feed_ok(s, "hi", &out);
	script_output_free(&out);
	feed_ok(s, " voil\xc3\xa0\xc2\xa0", &out);
	expect_ev(&out, 1, SCRIPT_EV_SAY, "[voil\xc3\xa0]");
	script_output_free(&out);
	script_close(s);
}

static void test_raw_option_must_be_a_boolean(void **state)
{
	(void)state;
	struct script *s = open_src("ask('Q', {raw = 'yes'})\n");
	struct script_error e;
	assert_int_equal(feed_err(s, "hi", &e), SCRIPT_ERUNTIME);
	assert_non_null(strstr(e.message, "scripts/t.lua:1: ask: opts.raw must be true or false"));
	script_close(s);
}

/* 128 KiB answers (the frame limit) of spaces, and spaces around a word:
 * trimming scans them in C once, so a small budget is plenty. choose() trims
 * too; its old pattern backtracked quadratically on "a   ...   b". */
static void test_trimming_a_128_kib_answer_is_linear(void **state)
{
	(void)state;
	struct script_limits lim = { .instructions = 200000 };
	struct script *s = open_with("local a = ask('Q1')\n"
				     "local b = ask('Q2')\n"
				     "local c = choose('Q3', {'a', 'b'}, {retries = 0})\n"
				     "say(#a .. '|' .. b .. '|' .. tostring(c))\n",
				     &lim, 1, "Ada");
	struct script_output out;
	struct script_error e;
	size_t len = 128 * 1024;
	char *big = malloc(len);
	assert_non_null(big);
	feed_ok(s, "hi", &out);
	script_output_free(&out);

	memset(big, ' ', len);
	assert_int_equal(script_feed(s, big, len, &out, &e), 0);
	expect_accepted(&out, 0);
	script_output_free(&out);

	for (size_t i = 0; i + 1 < len; i += 2)
		memcpy(big + i, "\xc2\xa0", 2);
	big[len / 2] = 'x';
	big[len / 2 + 1] = ' ';
	assert_int_equal(script_feed(s, big, len, &out, &e), 0);
	script_output_free(&out);

	memset(big, ' ', len);
	big[0] = 'a';
	big[len - 1] = 'b';
	assert_int_equal(script_feed(s, big, len, &out, &e), 0);
	expect_ev(&out, 1, SCRIPT_EV_SAY, "0|x|nil");
	script_output_free(&out);
	free(big);
	script_close(s);
}

/* Interviews keep the API level they started at: level 1 (before trimming)
 * hands ask() answers over exactly as typed, and choose() trims only ASCII. */
#define LEVELS_SRC                                                          \
	"local a = ask('Q', {id = 'q'})\n"                                   \
	"local c = choose('C', {'Yes', 'No'})\n"                             \
	"local n = ask_number('N', {id = 'n'})\n"                            \
	"say('[' .. a .. ']' .. c .. n)\n"

static void test_api_level_1_keeps_ask_answers_as_typed(void **state)
{
	(void)state;
	struct script *s = open_level(LEVELS_SRC, 1);
	struct script_output out;
	feed_ok(s, "hi", &out);
	script_output_free(&out);
	feed_ok(s, "  x  ", &out);
	expect_named(&out, 0, SCRIPT_EV_ANSWER, "q");
	assert_string_equal(out.events[0].text, "  x  ");
	script_output_free(&out);
	feed_ok(s, "\xc2\xa0yes", &out); /* not an option at level 1: asked again */
	expect_ev(&out, 1, SCRIPT_EV_ASK, "C");
	script_output_free(&out);
	feed_ok(s, " yes\n", &out);
	script_output_free(&out);
	feed_ok(s, "7 years", &out); /* recorded as text at level 1 */
	expect_named(&out, 0, SCRIPT_EV_ANSWER, "n");
	assert_string_equal(out.events[0].text, "7");
	assert_false(out.events[0].has_number);
	expect_ev(&out, 1, SCRIPT_EV_SAY, "[  x  ]Yes7");
	script_output_free(&out);
	script_close(s);
}

static void test_api_level_2_trims_ask_answers_and_records_numbers(void **state)
{
	(void)state;
	struct script *s = open_level(LEVELS_SRC, 2);
	struct script_output out;
	feed_ok(s, "hi", &out);
	script_output_free(&out);
	feed_ok(s, "  x  ", &out);
	expect_named(&out, 0, SCRIPT_EV_ANSWER, "q");
	assert_string_equal(out.events[0].text, "x");
	script_output_free(&out);
	feed_ok(s, "\xc2\xa0yes", &out);
	script_output_free(&out);
	feed_ok(s, "2.5", &out);
	expect_named(&out, 0, SCRIPT_EV_ANSWER, "n");
	assert_true(out.events[0].has_number);
	assert_true(out.events[0].number == 2.5);
	expect_ev(&out, 1, SCRIPT_EV_SAY, "[x]Yes2.5");
	script_output_free(&out);
	script_close(s);
	assert_int_equal(SCRIPT_API_LEVEL, 2);
}

static void test_unknown_api_level_is_refused(void **state)
{
	(void)state;
	struct script_env env = { .interview_id = "x", .api_level = SCRIPT_API_LEVEL + 1 };
	struct script_error e;
	struct script *s = NULL;
	assert_int_equal(script_open(&s, CHUNK, "say(1)", 6, &env, &e), SCRIPT_ERUNTIME);
	assert_null(s);
	assert_non_null(strstr(e.message, "script API level 3"));
}

static void test_ask_inside_pcall_still_yields(void **state)
{
	(void)state;
	struct script *s = open_src(
		"local ok, a = pcall(ask, 'Name?')\n"
		"local ok2, b = pcall(function() return ask_number('Age?') end)\n"
		"say(tostring(ok) .. a .. tostring(ok2) .. b)\n");
	struct script_output out;
	feed_ok(s, "hi", &out);
	assert_int_equal(out.n, 1);
	expect_ev(&out, 0, SCRIPT_EV_ASK, "Name?");
	script_output_free(&out);
	feed_ok(s, "Bob", &out);
	expect_accepted(&out, 0);
	expect_ev(&out, 1, SCRIPT_EV_ASK, "Age?");
	script_output_free(&out);
	feed_ok(s, "30", &out);
	expect_accepted(&out, 0);
	expect_ev(&out, 1, SCRIPT_EV_SAY, "trueBobtrue30");
	assert_true(out.finished);
	script_output_free(&out);
	script_close(s);
}

static void test_validate_and_retries_with_on_give_up(void **state)
{
	(void)state;
	struct script *s = open_src(
		"local function email(a)\n"
		"  if a:find('@') then return true end\n"
		"  return false, 'That does not look like an email address.'\n"
		"end\n"
		"local m = ask('Email?', {id = 'email', validate = email, retries = 1,\n"
		"                         on_give_up = function(last) return 'none:' .. last end})\n"
		"local n = ask_number('Team size?', {retries = 0})\n"
		"local c = choose('Pick', {'a', 'b'}, {retries = 0, on_give_up = 'a'})\n"
		"say(m .. '|' .. tostring(n) .. '|' .. c .. '|' .. answers.email)\n");
	struct script_output out;
	feed_ok(s, "hi", &out);
	script_output_free(&out);

	feed_ok(s, "nope", &out);
	assert_int_equal(out.n, 2);
	expect_ev(&out, 0, SCRIPT_EV_SAY, "That does not look like an email address.");
	expect_ev(&out, 1, SCRIPT_EV_ASK, "Email?");
	script_output_free(&out);

	feed_ok(s, "still no", &out); /* the one re-ask is used up */
	expect_named(&out, 0, SCRIPT_EV_ANSWER, "email");
	assert_string_equal(out.events[0].text, "none:still no");
	expect_ev(&out, 1, SCRIPT_EV_ASK, "Team size?");
	script_output_free(&out);

	feed_ok(s, "many", &out); /* retries = 0: no re-ask, nil, still an answer */
	expect_accepted(&out, 0);
	expect_ev(&out, 1, SCRIPT_EV_ASK, "Pick");
	script_output_free(&out);

	feed_ok(s, "zzz", &out);
	expect_accepted(&out, 0);
	expect_ev(&out, 1, SCRIPT_EV_SAY, "none:still no|nil|a|none:still no");
	script_output_free(&out);
	script_close(s);
}

static void test_opening_message_candidate_and_interview_are_visible(void **state)
{
	(void)state;
	struct script *s = open_with("say(interview.opening .. '|' .. candidate.name .. '|' ..\n"
				     "    interview.id .. '|' .. tostring(iv.say == say))\n",
				     NULL, 1, NULL);
	struct script_output out;
	feed_ok(s, "Hello there", &out);
	expect_ev(&out, 0, SCRIPT_EV_SAY, "Hello there||0123456789abcdef|true");
	script_output_free(&out);
	script_close(s);
}

static void test_string_methods_work_on_answers(void **state)
{
	(void)state;
	char *t = say_result("say(('x'):upper() .. interview.opening:rep(2) .. #('abc'))");
	assert_string_equal(t, "Xhihi3");
	free(t);
}

static void test_returning_from_the_body_ends_with_the_default_text(void **state)
{
	(void)state;
	struct script *s = open_src("score('x', 1.5)\nnote('n')\ntag('t')\n");
	struct script_output out;
	feed_ok(s, "hi", &out);
	assert_int_equal(out.n, 4);
	expect_named(&out, 0, SCRIPT_EV_SCORE, "x");
	assert_true(out.events[0].number == 1.5);
	assert_int_equal(out.events[0].line, 1);
	expect_ev(&out, 1, SCRIPT_EV_NOTE, "n");
	assert_int_equal(out.events[1].line, 2);
	expect_named(&out, 2, SCRIPT_EV_TAG, "t");
	expect_ev(&out, 3, SCRIPT_EV_END, "Thank you \xe2\x80\x94 this interview is complete.");
	assert_true(out.finished);
	script_output_free(&out);
	script_close(s);
}

static void test_finish_inside_pcall_still_ends(void **state)
{
	(void)state;
	struct script *s = open_src("pcall(finish, 'Bye')\nsay('never')\n");
	struct script_output out;
	feed_ok(s, "hi", &out);
	assert_int_equal(out.n, 1);
	expect_ev(&out, 0, SCRIPT_EV_END, "Bye");
	assert_true(out.finished);
	script_output_free(&out);
	script_close(s);
}

static void test_feed_after_finish_is_refused(void **state)
{
	(void)state;
	struct script *s = open_src("finish()");
	struct script_output out;
	struct script_error e;
	feed_ok(s, "hi", &out);
	assert_true(out.finished);
	script_output_free(&out);
	assert_int_equal(feed_err(s, "again", &e), SCRIPT_EFINISHED);
	assert_int_equal(e.code, SCRIPT_EFINISHED);
	script_close(s);
}

static void test_answers_take_any_bytes_and_long_echoes_are_cut(void **state)
{
	(void)state;
	struct script *s = open_src("local a = ask('Q', {id = 'q'})\nsay(#a)\n");
	struct script_output out;
	struct script_error e;
	feed_ok(s, "hi", &out);
	script_output_free(&out);
	size_t len = 100 * 1024;
	char *big = malloc(len);
	memset(big, 'x', len);
	big[10] = '\0';
	big[11] = '\xff';
	assert_int_equal(script_feed(s, big, len, &out, &e), 0);
	expect_named(&out, 0, SCRIPT_EV_ANSWER, "q");
	expect_ev(&out, 1, SCRIPT_EV_SAY, "102400");
	script_output_free(&out);
	free(big);
	script_close(s);
}

/* The error a script gets for its first feed (a copy of the message). */
static void expect_open_error(const char *src, const char *want)
{
	struct script *s = open_src(src);
	struct script_error e;
	assert_int_equal(feed_err(s, "hi", &e), SCRIPT_ERUNTIME);
	if (!strstr(e.message, want))
		fail_msg("error \"%s\" lacks \"%s\"", e.message, want);
	script_close(s);
}

/* opts.examples rides on the ask event for check (numbers as the text a
 * candidate would type); a list past its bounds is the script's error at its
 * line; an answer a question settled for after its retries says so. */
static void test_examples_ride_on_the_ask_and_are_bounded(void **state)
{
	(void)state;
	struct script *s = open_src(
		"local e = ask('Email?', {examples = {'ada@example.com', 'x'}, retries = 0,\n"
		"  validate = function(a) return a:find('@') ~= nil end})\n"
		"local n = ask_number('Years?', {min = 0, examples = {5, 2.5, 'about 3'}})\n"
		"say(e)\n");
	struct script_output out;
	feed_ok(s, "hi", &out);
	expect_ev(&out, 0, SCRIPT_EV_ASK, "Email?");
	assert_int_equal(out.events[0].nexamples, 2);
	assert_string_equal(out.events[0].examples[0], "ada@example.com");
	assert_string_equal(out.events[0].examples[1], "x");
	script_output_free(&out);

	feed_ok(s, "nope", &out); /* retries = 0: refused, settled for, flagged */
	expect_accepted(&out, 0);
	assert_true(out.events[0].gave_up);
	expect_ev(&out, 1, SCRIPT_EV_ASK, "Years?");
	assert_int_equal(out.events[1].nexamples, 3);
	assert_string_equal(out.events[1].examples[0], "5");
	assert_string_equal(out.events[1].examples[1], "2.5");
	assert_string_equal(out.events[1].examples[2], "about 3");
	script_output_free(&out);

	feed_ok(s, "4", &out); /* accepted: not a give-up */
	expect_accepted(&out, 0);
	assert_false(out.events[0].gave_up);
	script_output_free(&out);
	script_close(s);

	expect_open_error("local t = {}\nfor i = 1, 33 do t[i] = 'a' .. i end\nask('Q', {examples = t})\n",
			  "scripts/t.lua:3: ask: opts.examples holds 33 answers; at most 32 are allowed");
	expect_open_error("ask('Q', {examples = {('x'):rep(16 * 1024 + 1)}})\n",
			  "scripts/t.lua:1: ask: example 1 is 16385 bytes long; at most 16384");
	expect_open_error("ask('Q', {examples = {'a', 5}})\n",
			  "scripts/t.lua:1: ask: example 2 must be a string, got the number 5");
	expect_open_error("ask_number('Q', {examples = {0/0}})\n",
			  "ask_number: example 1 must be a number or a string, got the number ");
	expect_open_error("ask('Q', {examples = {''}})\n", "example 1 is empty");
	expect_open_error("ask('Q', {examples = 'a'})\n", "ask: opts.examples must be a list");
	expect_open_error("choose('Q', {'a'}, {examples = {'a'}})\n",
			  "choose: opts.examples is for ask and ask_number");
	/* 32 of 16 KiB each is within bounds. */
	s = open_src("local t = {}\nfor i = 1, 32 do t[i] = ('x'):rep(16 * 1024) end\n"
		     "ask('Q', {examples = t})\n");
	feed_ok(s, "hi", &out);
	assert_int_equal(out.events[0].nexamples, 32);
	assert_int_equal(strlen(out.events[0].examples[31]), 16 * 1024);
	script_output_free(&out);
	script_close(s);
}

int main(void)
{
	log_set_level(3);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_demo_script_runs_to_the_end),
		cmocka_unit_test(test_backend_screen_script_runs_to_the_end),
		cmocka_unit_test(test_choose_reasks_with_hint_on_unknown_option),
		cmocka_unit_test(test_choose_accepts_option_number_and_case_insensitive_text),
		cmocka_unit_test(test_ask_number_rejects_out_of_range),
		cmocka_unit_test(test_ask_trims_surrounding_whitespace_unless_raw),
		cmocka_unit_test(test_trim_keeps_a_lone_byte_of_the_nbsp_pair),
		cmocka_unit_test(test_raw_option_must_be_a_boolean),
		cmocka_unit_test(test_trimming_a_128_kib_answer_is_linear),
		cmocka_unit_test(test_api_level_1_keeps_ask_answers_as_typed),
		cmocka_unit_test(test_api_level_2_trims_ask_answers_and_records_numbers),
		cmocka_unit_test(test_unknown_api_level_is_refused),
		cmocka_unit_test(test_ask_inside_pcall_still_yields),
		cmocka_unit_test(test_validate_and_retries_with_on_give_up),
		cmocka_unit_test(test_opening_message_candidate_and_interview_are_visible),
		cmocka_unit_test(test_string_methods_work_on_answers),
		cmocka_unit_test(test_returning_from_the_body_ends_with_the_default_text),
		cmocka_unit_test(test_finish_inside_pcall_still_ends),
		cmocka_unit_test(test_feed_after_finish_is_refused),
		cmocka_unit_test(test_answers_take_any_bytes_and_long_echoes_are_cut),
		cmocka_unit_test(test_examples_ride_on_the_ask_and_are_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

