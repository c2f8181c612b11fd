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

struct fixture {
	char dir[64];
	char path[128];
	char out[65536];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	assert_non_null(f);
	strcpy(f->dir, "/tmp/interviewd-check-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	fixture_remove_tree(f->dir);
	free(f);
	return 0;
}

static int check(struct fixture *f, const char *script)
{
	fixture_write_file(f->dir, "s.lua", script);
	snprintf(f->path, sizeof f->path, "%s/s.lua", f->dir);
	char *argv[] = { "check", f->path, NULL };
	return fixture_capture(check_cmd, 2, argv, f->out, sizeof f->out);
}

static void test_a_clean_script_has_no_findings(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(check(f, "local c = choose('Pick', {'a', 'b'})\n"
				  "local n = ask_number('How many?', {min = 1, max = 3})\n"
				  "finish('Bye')\n"),
			 0);
	assert_non_null(strstr(f->out, "s.lua: "));
	assert_non_null(strstr(f->out, " 0 findings\n"));
}

static void test_an_error_on_one_option_is_found_with_the_answers_that_lead_there(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(check(f, "local c = choose('Pick', {'a', 'b'})\n"
				  "if c == 'b' then error('broken on b') end\n"
				  "finish('Bye')\n"),
			 1);
	char want[256];
	snprintf(want, sizeof want, "%s:2: broken on b\n  answers: [\"Hello\", \"b\"]\n", f->path);
	assert_non_null(strstr(f->out, want));
	assert_non_null(strstr(f->out, "interview id 0000000000000000: replay it with interviewd try"));
	assert_non_null(strstr(f->out, " 1 finding\n"));
}

/* A script the server would stop at its transcript bound is a finding, not
 * a clean pass: 62 says, an ask and the answer fill 64 entries a turn. */
static void test_a_script_that_fills_the_transcript_is_a_finding(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(check(f, "while true do\n"
				  "  for i = 1, 62 do say('x') end\n"
				  "  ask('more?')\n"
				  "end\n"),
			 1);
	char want[256];
	snprintf(want, sizeof want,
		 "%s: this interview's transcript has reached its size limit (5000 entries)\n", f->path);
	assert_non_null(strstr(f->out, want));
	assert_null(strstr(f->out, "does not finish"));
}

int main(void)
{
	if (token_init() != 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_a_clean_script_has_no_findings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_an_error_on_one_option_is_found_with_the_answers_that_lead_there, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_script_that_fills_the_transcript_is_a_finding, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
