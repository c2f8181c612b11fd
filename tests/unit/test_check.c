/* test_check: `interviewd check` run as the CLI runs it, with its output
 * captured: what it finds on generated answers, where, and how to replay it. */
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

/* Checks script (written to DIR/s.lua) and asserts the exit code and that
 * the output holds want, where a %s stands for the script's path. */
static void assert_check(struct fixture_dir *f, const char *script, int rc, const char *want)
{
	char path[128], line[512];
	fixture_write_file(f->dir, "s.lua", script);
	snprintf(path, sizeof path, "%s/s.lua", f->dir);
	char *argv[] = { "check", path, NULL };
	assert_int_equal(fixture_capture(check_cmd, 2, argv, f->out, sizeof f->out), rc);
	snprintf(line, sizeof line, want, path);
	assert_non_null(strstr(f->out, line));
}

static void test_a_clean_script_has_no_findings(void **state)
{
	assert_check(*state,
		     "local c = choose('Pick', {'a', 'b'})\n"
		     "local n = ask_number('How many?', {min = 1, max = 3})\n"
		     "finish('Bye')\n",
		     0, " in 16 draws, 0 findings\n");
}

static void test_an_error_on_one_option_is_found_with_the_answers_that_lead_there(void **state)
{
	struct fixture_dir *f = *state;
	assert_check(f,
		     "local c = choose('Pick', {'a', 'b'})\n"
		     "if c == 'b' then error('broken on b') end\n"
		     "finish('Bye')\n",
		     1, "%s:2: broken on b\n  answers: [\"Hello\", \"b\"]\n");
	assert_non_null(strstr(f->out, "interview id 0000000000000000: replay it with interviewd try"));
	assert_non_null(strstr(f->out, " 1 finding\n"));
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
		     1, "%s: this interview's transcript has reached its size limit (5000 entries)\n");
	assert_null(strstr(f->out, "does not finish"));
}

int main(void)
{
	if (token_init() != 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_a_clean_script_has_no_findings,
						fixture_dir_setup, fixture_dir_teardown),
		cmocka_unit_test_setup_teardown(test_an_error_on_one_option_is_found_with_the_answers_that_lead_there,
						fixture_dir_setup, fixture_dir_teardown),
		cmocka_unit_test_setup_teardown(test_a_script_that_fills_the_transcript_is_a_finding,
						fixture_dir_setup, fixture_dir_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
