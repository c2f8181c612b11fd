/* test_try: `interviewd try` from an answers file, run as the CLI runs it with
 * its output captured: what it prints of the results, and that a turn the
 * server would refuse for a limit is refused here, at the same message, with
 * the server's sentence. */
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

#include "token.h"
#include "try.h"

/* Writes the script and the answers, then runs try on them. */
static int try_answers(struct fixture_dir *f, const char *script, const char *answers, bool json)
{
	char sp[128], ap[128];
	fixture_write_file(f->dir, "try.lua", script);
	fixture_write_file(f->dir, "try.answers", answers);
	snprintf(sp, sizeof sp, "%s/try.lua", f->dir);
	snprintf(ap, sizeof ap, "%s/try.answers", f->dir);
	char *argv[] = { "try", sp, "--answers", ap, json ? "--json" : NULL, NULL };
	return fixture_capture(try_cmd, json ? 5 : 4, argv, f->out, sizeof f->out);
}

/* Plays script on n answers of "go" and asserts that try refuses the one
 * numbered seq, with error as the reason, and records nothing after it. */
static void assert_refused_at(struct fixture_dir *f, const char *script, int n, int seq,
			      const char *error)
{
	char *answers = calloc((size_t)n * 3 + 1, 1);
	assert_non_null(answers);
	for (int i = 0; i < n; i++)
		strcat(answers, "go\n");
	assert_int_equal(try_answers(f, script, answers, true), 1);
	free(answers);
	char want[512];
	snprintf(want, sizeof want, "\"last_error\":\"%s/try.lua: %s\"", f->dir, error);
	assert_non_null(strstr(f->out, want));
	snprintf(want, sizeof want, "{\"seq\":%d,\"role\":\"candidate\",\"kind\":\"message\",\"text\":\"go\"",
		 seq);
	assert_non_null(strstr(f->out, want));
	snprintf(want, sizeof want, "\"seq\":%d,", seq + 1);
	assert_null(strstr(f->out, want));
}

static void test_try_lists_only_answers_asked_with_an_id(void **state)
{
	struct fixture_dir *f = *state;
	const char *script = "local a = ask('Anything?')\n"
			     "local b = ask('Name?', {id = 'name'})\n"
			     "finish('ok')\n";
	assert_int_equal(try_answers(f, script, "Hello\nfree text\nAda\n", false), 0);
	assert_non_null(strstr(f->out, "answers:\n  name = \"Ada\"\nscores:"));
	assert_int_equal(try_answers(f, script, "Hello\nfree text\nAda\n", true), 0);
	assert_non_null(strstr(f->out, "\"answers\":{\"name\":\"Ada\"}"));
}

/* 64,000 bytes of notes a turn: 16 turns (32 entries) go through, and the
 * 17th message would take the results past the engine's 1 MiB. */
static void test_try_refuses_results_past_the_servers_bound(void **state)
{
	assert_refused_at(*state,
			  "while true do\n"
			  "  for i = 1, 4 do note(('n'):rep(16000)) end\n"
			  "  ask('more?')\n"
			  "end\n",
			  20, 33,
			  "the interview's results (notes, scores, answers, tags) would pass 1024 KiB; "
			  "keep notes short");
}

/* 62 says and an ask a turn, 64 entries with the answer: 79 turns fill 5056
 * of the 5000 entries a transcript may hold, so the 80th message is refused. */
static void test_try_refuses_a_message_to_a_full_transcript(void **state)
{
	assert_refused_at(*state,
			  "while true do\n"
			  "  for i = 1, 62 do say('x') end\n"
			  "  ask('more?')\n"
			  "end\n",
			  90, 5057, "this interview's transcript has reached its size limit (5000 entries)");
}

int main(void)
{
	if (token_init() != 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_try_lists_only_answers_asked_with_an_id,
						fixture_dir_setup, fixture_dir_teardown),
		cmocka_unit_test_setup_teardown(test_try_refuses_results_past_the_servers_bound,
						fixture_dir_setup, fixture_dir_teardown),
		cmocka_unit_test_setup_teardown(test_try_refuses_a_message_to_a_full_transcript,
						fixture_dir_setup, fixture_dir_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
