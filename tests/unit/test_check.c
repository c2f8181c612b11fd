/* test_check: `interviewd check` run as the CLI runs it, with its output
 * captured: what it finds on generated answers, on a script's examples and
 * on a recorded conversation, where, and the command that replays it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"

#include "check.h"
#include "token.h"

/* Checks script (written to DIR/s.lua), with DIR/seed.answers holding
 * answers when it is not NULL, and returns the exit code. */
static int run_check(struct fixture_dir *f, const char *script, const char *answers)
{
	char path[128], seed[128];
	fixture_write_file(f->dir, "s.lua", script);
	snprintf(path, sizeof path, "%s/s.lua", f->dir);
	snprintf(seed, sizeof seed, "%s/seed.answers", f->dir);
	if (answers)
		fixture_write_file(f->dir, "seed.answers", answers);
	char *argv[] = { "check", path, "--answers", seed, NULL };
	return fixture_capture(check_cmd, answers ? 4 : 2, argv, f->out, sizeof f->out);
}

/* Asserts the output holds want, where each %s stands for the fixture's
 * directory. */
static void assert_out(struct fixture_dir *f, const char *want)
{
	char line[1024];
	snprintf(line, sizeof line, want, f->dir, f->dir, f->dir);
	if (!strstr(f->out, line))
		fail_msg("output lacks: %s", line);
}

static void assert_check(struct fixture_dir *f, const char *script, int rc, const char *want)
{
	assert_int_equal(run_check(f, script, NULL), rc);
	assert_out(f, want);
}

static void test_a_clean_script_has_no_findings(void **state)
{
	assert_check(*state,
		     "local c = choose('Pick', {'a', 'b'})\n"
		     "local n = ask_number('How many?', {min = 1, max = 3})\n"
		     "finish('Bye')\n",
		     0, ": 15 paths explored, 0 findings (all 16 draws went the same way)\n");
}

/* A script that draws nothing: no draw in the report, no --id in the command. */
static void test_an_error_on_one_option_is_found_with_a_command_that_replays_it(void **state)
{
	struct fixture_dir *f = *state;
	assert_check(f,
		     "local c = choose('Pick', {'a', 'b'})\n"
		     "if c == 'b' then error('broken on b') end\n"
		     "finish('Bye')\n",
		     1, "%s/s.lua:2: broken on b\n  answers: [\"Hello\", \"b\"]\n"
			"  replay it with printf '%%s\\n' Hello b | interviewd try %s/s.lua "
			"--answers /dev/stdin\n");
	assert_null(strstr(f->out, "  draw "));
	assert_null(strstr(f->out, "--id"));
	assert_out(f, " 1 finding (all 16 draws went the same way)\n");
}

/* pick() asks another question in some interviews: the report names the
 * draw, and the command plays it under that interview id. */
static void test_a_finding_only_some_draws_reach_names_the_draw_and_its_id(void **state)
{
	struct fixture_dir *f = *state;
	assert_check(f,
		     "local q = pick(1, {'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'})[1]\n"
		     "if q == 'h' then error('h drawn') end\n"
		     "ask(q)\n",
		     1, "%s/s.lua:2: h drawn\n");
	assert_out(f, " in 16 draws, 1 finding\n");
	const char *draw = strstr(f->out, "  draw ");
	assert_non_null(draw);
	unsigned n = 0;
	char id[17];
	assert_int_equal(sscanf(draw, "  draw %u of 16, interview id %16s", &n, id), 2);
	assert_true(n > 1);
	char want[256];
	snprintf(want, sizeof want, "--answers /dev/stdin --id %.16s\n", id);
	assert_non_null(strstr(draw, want));
}

/* A script the server would stop at its transcript bound is a finding, not
 * a clean pass: 62 says, an ask and the answer fill 64 entries a turn. */
static void test_a_script_that_fills_the_transcript_is_a_finding(void **state)
{
	struct fixture_dir *f = *state;
	assert_check(f,
		     "while true do\n"
		     "  for i = 1, 62 do say('x') end\n"
		     "  ask('more?')\n"
		     "end\n",
		     1, "%s/s.lua: this interview's transcript has reached its size limit (5000 entries)\n");
	assert_null(strstr(f->out, "does not finish"));
}

static const char email_script[] =
	"local name = ask('Your name?')\n"
	"local email = ask('Your email?', {examples = %s,\n"
	"  validate = function(a) return a:match('^%%S+@%%S+%%.%%S+$') ~= nil,\n"
	"    'That does not look like an email address.' end})\n"
	"if email:find('example.org', 1, true) then error('org branch') end\n"
	"finish('Thanks ' .. name:sub(1, 100))\n";

static void email_with(char *buf, size_t n, const char *examples)
{
	snprintf(buf, n, email_script, examples);
}

/* Without examples check stops at a validated question and says so; with
 * them it gets past it, into the branch the second example takes. */
static void test_examples_take_check_past_a_validated_question(void **state)
{
	struct fixture_dir *f = *state;
	char script[1024];
	email_with(script, sizeof script, "nil");
	assert_check(f, script, 0,
		     "%s/s.lua:2: note: no answer check tried passes the validation of this "
		     "question, so check cannot explore past it; give it examples = { ... }");
	email_with(script, sizeof script, "{'ada@example.com', 'bo@example.org'}");
	assert_check(f, script, 1,
		     "%s/s.lua:5: org branch\n  answers: [\"Hello\", \"sample answer\", "
		     "\"bo@example.org\"]\n");
	assert_null(strstr(f->out, "note:"));
}

/* An example its question refuses is a finding naming both, with the
 * question's hint; so is one outside an ask_number's bounds, and one a
 * question with no retries settles for. */
static void test_an_example_the_question_refuses_is_a_finding(void **state)
{
	struct fixture_dir *f = *state;
	char script[1024];
	/* Surrounding spaces are fine (ask trims them); a missing @ is not. */
	email_with(script, sizeof script, "{'  ada@example.com  ', 'carol at example.com'}");
	assert_check(f, script, 1,
		     "%s/s.lua:2: example \"carol at example.com\" is refused by the question "
		     "\"Your email?\": \"That does not look like an email address.\"\n");
	assert_out(f, " 1 finding (");

	assert_check(f,
		     "local y = ask_number('Years?', {min = 0, max = 50, examples = {3, 51}})\n"
		     "finish('Bye')\n",
		     1, "%s/s.lua:1: example \"51\" is refused by the question \"Years?\": "
			"\"Please answer with a number between 0 and 50.\"\n");
	assert_null(strstr(f->out, "example \"3\""));

	assert_check(f,
		     "local y = ask('Code?', {examples = {'A1', 'zz'}, retries = 0, on_give_up = '?',\n"
		     "  validate = function(a) return a:match('^%u%d$') ~= nil end})\n",
		     1, "%s/s.lua:1: example \"zz\" is refused by the question \"Code?\" (its retries "
			"ran out and it took its give-up value)\n");
}

/* The case: a name echoed into the closing message passes with a
 * 2,000-character name and fails at the largest message a candidate can send. */
static void test_an_answer_at_the_message_size_limit_is_tried(void **state)
{
	struct fixture_dir *f = *state;
	assert_check(f,
		     "local name = ask('Your name?')\n"
		     "finish('Thank you, ' .. name .. '! We will be in touch.')\n",
		     1, "%s/s.lua:2: text too long (131105 bytes; limit 16384)\n"
			"  answers: [\"Hello\", \"a long and detailed answer a long and de...\" "
			"(131072 characters)]\n"
			"  replay it with printf '%%s\\n' Hello \"$(printf 'a long and detailed answer "
			"%%.0s' $(seq 4854))\"'a long and det' | interviewd try %s/s.lua --answers "
			"/dev/stdin\n");
}

/* check --answers plays the recorded conversation first (reaching what only
 * its own free-text answer reaches) and explores from each question along it. */
static void test_a_recorded_conversation_seeds_the_exploration(void **state)
{
	struct fixture_dir *f = *state;
	static const char script[] =
		"local w = ask('Password?')\n"
		"if w ~= 'swordfish' then finish('Go away') end\n"
		"local c = choose('Door?', {'red', 'blue', 'green'})\n"
		"if c == 'green' then error('green door') end\n"
		"local t = ask('Last words?')\n"
		"if t == 'rosebud' then error('rosebud') end\n"
		"finish('Bye')\n";
	assert_int_equal(run_check(f, script, NULL), 0); /* nothing gets past the password */
	assert_int_equal(run_check(f, script, "Hi\nswordfish\nred\nrosebud\n"), 1);
	/* The conversation itself, replayed from its file as it is. */
	assert_out(f, "%s/s.lua:6: rosebud\n  answers: [\"Hi\", \"swordfish\", \"red\", \"rosebud\"]\n"
		      "  replay it with interviewd try %s/s.lua --answers %s/seed.answers\n");
	/* Another option at a question along it: the file's first lines, then the rest. */
	assert_out(f, "%s/s.lua:4: green door\n  answers: [\"Hi\", \"swordfish\", \"green\"]\n"
		      "  replay it with { head -n 2 %s/seed.answers; printf '%%s\\n' green; } | "
		      "interviewd try %s/s.lua --answers /dev/stdin\n");
	assert_out(f, " 2 findings (");
}

static void test_an_answers_file_check_cannot_use_is_bad_usage(void **state)
{
	struct fixture_dir *f = *state;
	assert_int_equal(run_check(f, "ask('Q')\n", "Hi\n\nmore\n"), 2);
	assert_out(f, "check: %s/seed.answers:2: empty answer");
	assert_int_equal(run_check(f, "ask('Q')\n", ""), 2);
	assert_out(f, "check: %s/seed.answers is empty");
}

int main(void)
{
	if (token_init() != 0)
		return 1;
#define T(name) cmocka_unit_test_setup_teardown(name, fixture_dir_setup, fixture_dir_teardown)
	const struct CMUnitTest tests[] = {
		T(test_a_clean_script_has_no_findings),
		T(test_an_error_on_one_option_is_found_with_a_command_that_replays_it),
		T(test_a_finding_only_some_draws_reach_names_the_draw_and_its_id),
		T(test_a_script_that_fills_the_transcript_is_a_finding),
		T(test_examples_take_check_past_a_validated_question),
		T(test_an_example_the_question_refuses_is_a_finding),
		T(test_an_answer_at_the_message_size_limit_is_tried),
		T(test_a_recorded_conversation_seeds_the_exploration),
		T(test_an_answers_file_check_cannot_use_is_bad_usage),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
