/* test_script: the Lua host keeps the script.h contract.
 *
 * Each test opens a small script from a string (one loads scripts/demo.lua
 * from disk; tests run from the repo root), feeds it candidate messages and
 * checks the events, the errors and the limits. */
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

#define CHUNK "scripts/t.lua"

/* ---- helpers ------------------------------------------------------------- */

static struct script *open_with(const char *src, const struct script_limits *lim,
				unsigned long long seed, const char *name)
{
	struct script_env env = { .interview_id = "0123456789abcdef", .candidate_name = name,
				  .seed = seed };
	struct script_error e;
	struct script *s = NULL;
	if (lim)
		env.limits = *lim;
	int rc = script_open(&s, CHUNK, src, strlen(src), &env, &e);
	if (rc != 0)
		fail_msg("script_open: %d %s", rc, e.message);
	return s;
}

static struct script *open_level(const char *src, int api_level)
{
	struct script_env env = { .interview_id = "0123456789abcdef", .candidate_name = "Ada",
				  .seed = 42, .api_level = api_level };
	struct script_error e;
	struct script *s = NULL;
	int rc = script_open(&s, CHUNK, src, strlen(src), &env, &e);
	if (rc != 0)
		fail_msg("script_open: %d %s", rc, e.message);
	return s;
}

static struct script *open_src(const char *src)
{
	return open_with(src, NULL, 42, "Ada");
}

/* Feeds text and expects success. */
static void feed_ok(struct script *s, const char *text, struct script_output *out)
{
	struct script_error e;
	int rc = script_feed(s, text, strlen(text), out, &e);
	if (rc != 0)
		fail_msg("script_feed(\"%s\"): %d %s", text, rc, e.message);
}

static int feed_err(struct script *s, const char *text, struct script_error *e)
{
	struct script_output out;
	int rc = script_feed(s, text, strlen(text), &out, e);
	assert_int_equal(out.n, 0);
	assert_null(out.events);
	return rc;
}

static void expect_ev(const struct script_output *out, size_t i, enum script_event_kind kind,
		      const char *text)
{
	assert_true(i < out->n);
	assert_int_equal(out->events[i].kind, kind);
	if (text)
		assert_string_equal(out->events[i].text, text);
}

static void expect_named(const struct script_output *out, size_t i, enum script_event_kind kind,
			 const char *name)
{
	assert_true(i < out->n);
	assert_int_equal(out->events[i].kind, kind);
	assert_string_equal(out->events[i].name, name);
}

/* An answer accepted without an id: signalled, with nothing to record. */
static void expect_accepted(const struct script_output *out, size_t i)
{
	expect_named(out, i, SCRIPT_EV_ANSWER, "");
	assert_null(out->events[i].text);
}

/* A script that says its result; returns the first event's text (a copy). */
static char *say_result(const char *src)
{
	struct script *s = open_src(src);
	struct script_output out;
	feed_ok(s, "hi", &out);
	assert_true(out.n >= 1);
	char *t = strdup(out.events[0].text);
	script_output_free(&out);
	script_close(s);
	return t;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char *buf = malloc(1 << 20);
	assert_non_null(buf);
	*len = fread(buf, 1, (1 << 20) - 1, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

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

/* ---- the sandbox --------------------------------------------------------- */

static void test_each_forbidden_capability_is_absent(void **state)
{
	(void)state;
	char *t = say_result(
		"local present = {}\n"
		"for _, n in ipairs({'io', 'os', 'package', 'debug', 'coroutine', 'load',\n"
		"    'loadfile', 'dofile', 'collectgarbage', 'require', 'warn'}) do\n"
		"  if rawget(_G, n) ~= nil then present[#present + 1] = n end\n"
		"end\n"
		"if string.dump then present[#present + 1] = 'string.dump' end\n"
		"if ('').dump then present[#present + 1] = 'string metatable dump' end\n"
		"if math.randomseed then present[#present + 1] = 'math.randomseed' end\n"
		"if getmetatable(_G) ~= false then present[#present + 1] = 'env metatable' end\n"
		"say('[' .. table.concat(present, ',') .. ']')\n");
	assert_string_equal(t, "[]");
	free(t);

	/* Reaching for one is an error naming it, not a nil to index. */
	const char *uses[] = { "io.write('x')", "os.exit(1)", "load('return 1')()",
			       "require('os')", "coroutine.yield()", "debug.sethook()",
			       "collectgarbage()", "string.dump(print)", "math.randomseed(1)" };
	for (size_t i = 0; i < sizeof uses / sizeof uses[0]; i++) {
		struct script *s = open_src(uses[i]);
		struct script_error e;
		assert_int_equal(feed_err(s, "hi", &e), SCRIPT_ERUNTIME);
		assert_non_null(strstr(e.message, "scripts/t.lua:1:"));
		script_close(s);
	}

	/* Bytecode is refused at open. */
	struct script_env env = { .interview_id = "x" };
	struct script_error e;
	struct script *s = NULL;
	assert_int_equal(script_open(&s, CHUNK, "\x1bLua\x54", 5, &env, &e), SCRIPT_ESYNTAX);
	assert_null(s);
	assert_non_null(strstr(e.message, "scripts/t.lua"));
}

static void test_undefined_global_error_names_it_and_suggests(void **state)
{
	(void)state;
	struct script *s = open_src("say('a')\nsya('hello')\n");
	struct script_error e;
	assert_int_equal(feed_err(s, "hi", &e), SCRIPT_ERUNTIME);
	assert_string_equal(e.message,
			    "scripts/t.lua:2: undefined global 'sya' (did you mean 'say'?)");
	assert_int_equal(e.line, 2);
	script_close(s);

	s = open_src("my_total = 1\nlocal x = my_totl + 1\n");
	assert_int_equal(feed_err(s, "hi", &e), SCRIPT_ERUNTIME);
	assert_string_equal(e.message,
			    "scripts/t.lua:2: undefined global 'my_totl' (did you mean 'my_total'?)");
	script_close(s);

	s = open_src("local x = zzqqxx\n");
	assert_int_equal(feed_err(s, "hi", &e), SCRIPT_ERUNTIME);
	assert_string_equal(e.message, "scripts/t.lua:1: undefined global 'zzqqxx'");
	script_close(s);

	/* rawget is the way to test for a global without tripping this. */
	char *t = say_result("say(tostring(rawget(_G, 'nothing')))");
	assert_string_equal(t, "nil");
	free(t);
}

static void test_gc_metatable_refused(void **state)
{
	(void)state;
	struct script *s = open_src("\nsetmetatable({}, {__gc = function() end})\n");
	struct script_error e;
	assert_int_equal(feed_err(s, "hi", &e), SCRIPT_ERUNTIME);
	assert_string_equal(e.message, "scripts/t.lua:2: __gc metamethods are not allowed");
	script_close(s);

	char *t = say_result("local t = setmetatable({}, {__index = function() return 7 end})\n"
			     "say(t.anything)\n");
	assert_string_equal(t, "7");
	free(t);
}

/* ---- limits -------------------------------------------------------------- */

static void test_instruction_budget_trips_even_inside_pcall(void **state)
{
	(void)state;
	struct script_limits lim = { .instructions = 100000 };
	struct script *s = open_with("say('start')\n"
				     "while true do\n"
				     "  pcall(function() while true do end end)\n"
				     "end\n",
				     &lim, 1, "");
	struct script_error e;
	assert_int_equal(feed_err(s, "hi", &e), SCRIPT_EBUDGET);
	assert_int_equal(e.code, SCRIPT_EBUDGET);
	assert_non_null(strstr(e.message, "instruction budget exceeded (100000 instructions in one turn)"));
	assert_non_null(strstr(e.message, "scripts/t.lua:"));
	assert_true(e.line == 2 || e.line == 3);
	assert_non_null(strstr(e.traceback, "stack traceback"));
	assert_int_equal(feed_err(s, "again", &e), SCRIPT_EDEAD);
	script_close(s);

	/* The budget is per feed: a script that works a little each turn goes on. */
	s = open_with("for i = 1, 5 do\n"
		      "  local n = 0\n"
		      "  for j = 1, 10000 do n = n + j end\n"
		      "  ask('again?')\n"
		      "end\n",
		      &lim, 1, "");
	struct script_output out;
	for (int i = 0; i < 6; i++) {
		feed_ok(s, "x", &out);
		script_output_free(&out);
	}
	assert_true(script_finished(s));
	script_close(s);
}

static void test_memory_cap_leaves_room_for_garbage_collection(void **state)
{
	(void)state;
	/* Live data well under the cap, garbage churning through it: Lua's
	 * emergency collection frees the garbage and the turn goes on. */
	struct script_limits lim = { .memory = 8 * 1024 * 1024 };
	struct script *s = open_with("local keep = {}\n"
				     "for i = 1, 3 do keep[i] = ('k'):rep(1024 * 1024 - 64) .. i end\n"
				     "local n = 0\n"
				     "for i = 1, 60 do local g = ('g'):rep(1024 * 1024) .. i; n = n + #g end\n"
				     "ask('kept ' .. #keep .. ', churned ' .. n)\n",
				     &lim, 1, "");
	struct script_output out = { 0 };
	struct script_error e = { 0 };
	int rc = script_feed(s, "hi", 2, &out, &e);
	if (rc != 0)
		fail_msg("feed failed: %s", e.message);
	assert_int_equal(out.n, 1);
	assert_string_equal(out.events[0].text, "kept 3, churned 62914671");
	script_output_free(&out);
	script_close(s);
}

static void test_time_limit_stops_a_loop_of_long_c_calls(void **state)
{
	(void)state;
	/* table.sort runs in C, unseen by the instruction count. */
	struct script_limits lim = { .milliseconds = 200 };
	struct script *s = open_with("local t = {}\n"
				     "for i = 1, 200000 do t[i] = (i * 7919) % 200003 end\n"
				     "while true do table.sort(t) end\n",
				     &lim, 1, "");
	struct script_error e;
	assert_int_equal(feed_err(s, "hi", &e), SCRIPT_EBUDGET);
	assert_non_null(strstr(e.message, "scripts/t.lua:3: time limit exceeded (200 ms in one turn)"));
	script_close(s);
}

static void test_replaying_lifts_the_clock_but_not_the_instruction_budget(void **state)
{
	(void)state;
	struct script_limits lim = { .milliseconds = 1, .instructions = 50000000 };
	struct script *s = open_with("local n = 0\n"
				     "for i = 1, 2000000 do n = n + i % 7 end\n"
				     "ask('sum ' .. n)\n"
				     "while true do end\n",
				     &lim, 1, "");
	script_set_replaying(s, true);
	struct script_output out = { 0 };
	struct script_error e = { 0 };
	if (script_feed(s, "hi", 2, &out, &e) != 0)
		fail_msg("a replayed turn over the clock failed: %s", e.message);
	script_output_free(&out);
	assert_int_equal(feed_err(s, "again", &e), SCRIPT_EBUDGET);
	assert_non_null(strstr(e.message, "instruction budget exceeded"));
	script_close(s);
}

static void test_memory_cap_trips(void **state)
{
	(void)state;
	struct script_limits lim = { .memory = 2 * 1024 * 1024 };
	struct script *s = open_with("local t = {}\n"
				     "for i = 1, 1e9 do t[i] = ('x'):rep(100) .. i end\n",
				     &lim, 1, "");
	struct script_error e;
	assert_true(script_memory(s) > 0);
	assert_true(script_memory(s) < lim.memory);
	assert_int_equal(feed_err(s, "hi", &e), SCRIPT_EMEMORY);
	assert_non_null(strstr(e.message, "scripts/t.lua:"));
	assert_int_equal(feed_err(s, "again", &e), SCRIPT_EDEAD);
	script_close(s);

	/* Catching the error does not save the turn. */
	s = open_with("local ok = pcall(function()\n"
		      "  local t = {}\n"
		      "  while true do t[#t + 1] = ('y'):rep(1000) .. #t end\n"
		      "end)\n"
		      "ask('still here?')\n",
		      &lim, 1, "");
	assert_int_equal(feed_err(s, "hi", &e), SCRIPT_EMEMORY);
	script_close(s);

	/* A single huge allocation from C. */
	s = open_with("local s = ('x'):rep(1e8)\n", &lim, 1, "");
	assert_int_equal(feed_err(s, "hi", &e), SCRIPT_EMEMORY);
	script_close(s);
}

static void test_output_bounds_fail_the_feed(void **state)
{
	(void)state;
	const char *srcs[] = {
		"for i = 1, 65 do note(i) end",
		"pcall(say, ('x'):rep(16 * 1024 + 1))\nask('q')\n",
		"local o = {} for i = 1, 33 do o[i] = 'o' .. i end choose('q', o)",
		"choose('q', {('x'):rep(257)})",
	};
	for (size_t i = 0; i < sizeof srcs / sizeof srcs[0]; i++) {
		struct script *s = open_src(srcs[i]);
		struct script_error e;
		assert_int_equal(feed_err(s, "hi", &e), SCRIPT_ELIMIT);
		assert_non_null(strstr(e.message, "scripts/t.lua:"));
		script_close(s);
	}
	/* Exactly at the bounds is fine. */
	char *t = say_result("local o = {} for i = 1, 32 do o[i] = ('o'):rep(256) end\n"
			     "say(('x'):rep(16 * 1024))\nfor i = 1, 61 do note(i) end\n");
	assert_int_equal(strlen(t), 16 * 1024);
	free(t);
}

/* ---- errors -------------------------------------------------------------- */

static void test_syntax_error_names_file_and_line(void **state)
{
	(void)state;
	const char *src = "say('a')\nsay('b')\nlocal = 3\n";
	struct script_env env = { .interview_id = "x" };
	struct script_error e;
	struct script *s = NULL;
	assert_int_equal(script_open(&s, "scripts/x.lua", src, strlen(src), &env, &e),
			 SCRIPT_ESYNTAX);
	assert_null(s);
	assert_int_equal(e.code, SCRIPT_ESYNTAX);
	assert_int_equal(e.line, 3);
	assert_memory_equal(e.message, "scripts/x.lua:3:", 16);
}

/* The syntax error of src, compiled as scripts/x.lua (NULL if it compiles). */
static const char *compile_error(const char *src)
{
	static struct script_error e;
	struct script_env env = { .interview_id = "x" };
	struct script *s = NULL;
	int rc = script_open(&s, "scripts/x.lua", src, strlen(src), &env, &e);
	script_close(s);
	if (rc == 0)
		return NULL;
	assert_int_equal(rc, SCRIPT_ESYNTAX);
	return e.message;
}

/* Which errors get a hint is hint.c's (test_hint); here, that Lua still words
 * each slip the way the hint looks for, and the hint comes on its own line. */
static void test_a_syntax_slip_gets_its_hint_under_luas_message(void **state)
{
	(void)state;
	static const struct {
		const char *src, *message;
	} cases[] = {
		{ "local a = ask('Q')\nif a != 'x' then say('no') end\n",
		  "scripts/x.lua:2: 'then' expected near '!'\nhint: use ~= for not-equal" },
		{ "local a, b = 1, 2\nif a && b then say('both') end\n",
		  "scripts/x.lua:2: unexpected symbol near '&'\nhint: use and / or" },
		{ "local a, b = 1, 2\nif a || b then say('one') end\n",
		  "scripts/x.lua:2: unexpected symbol near '|'\nhint: use and / or" },
		{ "// ask for the name\nlocal n = ask('Name?')\n",
		  "scripts/x.lua:1: unexpected symbol near '//'\nhint: comments start with --" },
		{ "local a = ask('Q')\nif a == 'x' then\n  say('x')\nelse if a == 'y' then\n  say('y')\nend\n",
		  "scripts/x.lua:7: 'end' expected (to close 'if' at line 2) near <eof>\n"
		  "hint: use elseif (else if opens a new block that needs its own end)" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *m = compile_error(cases[i].src);
		assert_non_null(m);
		assert_string_equal(m, cases[i].message);
	}
	assert_null(strstr(compile_error("local n = 7 // 2\nlocal = 3\n"), "hint:"));
}

static void test_floor_division_compiles(void **state)
{
	(void)state;
	char *t = say_result("local half = 7 // 2 -- floor division\nsay(half .. '|' .. 9//4)\n");
	assert_string_equal(t, "3|2");
	free(t);
}

static void test_runtime_error_names_file_and_line(void **state)
{
	(void)state;
	struct script *s = open_src("say('a')\n"
				    "local function f(t)\n"
				    "  return t.x.y\n"
				    "end\n"
				    "ask('q')\n"
				    "f({})\n");
	struct script_output out;
	struct script_error e;
	feed_ok(s, "hi", &out);
	script_output_free(&out);
	assert_int_equal(feed_err(s, "answer", &e), SCRIPT_ERUNTIME);
	assert_memory_equal(e.message, "scripts/t.lua:3: attempt to index a nil value", 45);
	assert_int_equal(e.line, 3);
	assert_non_null(strstr(e.traceback, "stack traceback"));
	assert_non_null(strstr(e.traceback, "scripts/t.lua:6:"));
	assert_int_equal(feed_err(s, "again", &e), SCRIPT_EDEAD);
	script_close(s);

	/* error() with a table, and bad arguments to the API, point at the script. */
	s = open_src("\nerror({})\n");
	assert_int_equal(feed_err(s, "hi", &e), SCRIPT_ERUNTIME);
	assert_string_equal(e.message, "scripts/t.lua:2: (error object is a table value)");
	assert_int_equal(e.line, 2);
	script_close(s);

	s = open_src("\n\nsay(nil)\n");
	assert_int_equal(feed_err(s, "hi", &e), SCRIPT_ERUNTIME);
	assert_string_equal(e.message, "scripts/t.lua:3: say: text must be a string, got nil");
	script_close(s);
}

/* The 1-based line of src/prelude.lua where needle first appears. */
static int prelude_line_of(const char *needle)
{
	size_t len;
	char *src = read_file("src/prelude.lua", &len);
	const char *at = strstr(src, needle);
	assert_non_null(at);
	int line = 1;
	for (const char *p = src; p < at; p++)
		line += *p == '\n';
	free(src);
	return line;
}

/* The API's argument checks blame the script's line by design; an error that
 * really happens inside the prelude names the prelude's file and line, so a
 * reader can open src/prelude.lua at it. */
static void test_error_inside_the_prelude_names_prelude_lua_and_its_line(void **state)
{
	(void)state;
	/* pick() passes the list's length to math.random, which refuses 2.5. */
	struct script *s = open_src("local odd = setmetatable({}, { __len = function() return 2.5 end })\n"
				    "pick(2, odd)\n");
	struct script_error e;
	char where[32];
	snprintf(where, sizeof where, "prelude.lua:%d:", prelude_line_of("local j = random(i, len)"));
	assert_int_equal(feed_err(s, "hi", &e), SCRIPT_ERUNTIME);
	assert_non_null(strstr(e.message, where));
	assert_non_null(strstr(e.message, "bad argument #2 to 'random'"));
	assert_memory_equal(e.message, "scripts/t.lua:2: ", 17);
	assert_int_equal(e.line, 2);
	assert_non_null(strstr(e.traceback, where));
	script_close(s);
}

/* A CLI or log line says what went wrong in words, never "(-403)". */
static void test_every_error_code_has_its_own_sentence(void **state)
{
	(void)state;
	static const int codes[] = {
		SCRIPT_ESYNTAX, SCRIPT_ERUNTIME,  SCRIPT_EBUDGET, SCRIPT_EMEMORY,
		SCRIPT_ELIMIT,  SCRIPT_EFINISHED, SCRIPT_EDEAD,   SCRIPT_ENOMEM,
	};
	const size_t n = sizeof codes / sizeof codes[0];
	const char *generic = script_strerror(-400);
	assert_non_null(generic);
	assert_true(strlen(generic) > 0);
	assert_string_equal(script_strerror(-409), generic);
	assert_string_equal(script_strerror(1), generic);
	assert_string_equal(script_strerror(-1), generic); /* another module's range */
	assert_string_not_equal(script_strerror(SCRIPT_OK), generic);
	for (size_t i = 0; i < n; i++) {
		/* Outside every other module's codes. */
		assert_in_range(-codes[i], 401, 499);
		const char *m = script_strerror(codes[i]);
		assert_non_null(m);
		assert_true(strlen(m) > 10);
		assert_string_not_equal(m, generic);
		for (size_t j = 0; j < i; j++) {
			assert_int_not_equal(codes[i], codes[j]);
			assert_string_not_equal(m, script_strerror(codes[j]));
		}
	}
}

/* ---- determinism --------------------------------------------------------- */

static const char *const det_src =
	"local words = {}\n"
	"for i = 1, 50 do words['w' .. i] = i end\n"
	"local keys = {}\n"
	"for k in pairs(words) do keys[#keys + 1] = k end\n"
	"say(table.concat(keys, ','))\n"
	"say(table.concat(pick(3, {'a', 'b', 'c', 'd', 'e', 'f', 'g'}), ','))\n"
	"say(math.random(1, 1000000) .. ' ' .. math.random())\n"
	"local a = ask('q?')\n"
	"say(a .. math.random(1, 1000000))\n";

static void run_det(unsigned long long seed, struct script_output outs[2])
{
	struct script *s = open_with(det_src, NULL, seed, "x");
	feed_ok(s, "hello", &outs[0]);
	feed_ok(s, "answer", &outs[1]);
	script_close(s);
}

static void assert_outputs_equal(const struct script_output *a, const struct script_output *b)
{
	assert_int_equal(a->n, b->n);
	assert_int_equal(a->finished, b->finished);
	for (size_t i = 0; i < a->n; i++) {
		assert_int_equal(a->events[i].kind, b->events[i].kind);
		assert_int_equal(a->events[i].line, b->events[i].line);
		assert_string_equal(a->events[i].text ? a->events[i].text : "",
				    b->events[i].text ? b->events[i].text : "");
		assert_true(a->events[i].number == b->events[i].number);
	}
}

static void test_same_inputs_give_same_events(void **state)
{
	(void)state;
	struct script_output a[2], b[2], c[2];
	run_det(99, a);
	run_det(99, b);
	run_det(100, c);
	assert_outputs_equal(&a[0], &b[0]);
	assert_outputs_equal(&a[1], &b[1]);
	/* pairs walks keys in sorted order, whatever the state's hash seed. */
	assert_memory_equal(a[0].events[0].text, "w1,w10,w11,w12", 14);
	/* Another seed draws other numbers. */
	assert_string_not_equal(a[0].events[2].text, c[0].events[2].text);
	for (int i = 0; i < 2; i++) {
		script_output_free(&a[i]);
		script_output_free(&b[i]);
		script_output_free(&c[i]);
	}
}

static void test_print_goes_to_the_log(void **state)
{
	(void)state;
	char *t = say_result("print('from the script', 1, nil, {})\nsay('ok')\n");
	assert_string_equal(t, "ok");
	free(t);
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
		cmocka_unit_test(test_each_forbidden_capability_is_absent),
		cmocka_unit_test(test_undefined_global_error_names_it_and_suggests),
		cmocka_unit_test(test_gc_metatable_refused),
		cmocka_unit_test(test_instruction_budget_trips_even_inside_pcall),
		cmocka_unit_test(test_replaying_lifts_the_clock_but_not_the_instruction_budget),
		cmocka_unit_test(test_memory_cap_trips),
		cmocka_unit_test(test_memory_cap_leaves_room_for_garbage_collection),
		cmocka_unit_test(test_time_limit_stops_a_loop_of_long_c_calls),
		cmocka_unit_test(test_output_bounds_fail_the_feed),
		cmocka_unit_test(test_syntax_error_names_file_and_line),
		cmocka_unit_test(test_a_syntax_slip_gets_its_hint_under_luas_message),
		cmocka_unit_test(test_floor_division_compiles),
		cmocka_unit_test(test_runtime_error_names_file_and_line),
		cmocka_unit_test(test_error_inside_the_prelude_names_prelude_lua_and_its_line),
		cmocka_unit_test(test_every_error_code_has_its_own_sentence),
		cmocka_unit_test(test_same_inputs_give_same_events),
		cmocka_unit_test(test_print_goes_to_the_log),
		cmocka_unit_test(test_examples_ride_on_the_ask_and_are_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
