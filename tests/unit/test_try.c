/* test_try: `interviewd try` from an answers file, run as the CLI runs it with
 * its output captured: what it prints of the results, and that a turn the
 * server would refuse for a limit is refused here with the server's sentence. */
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

struct fixture {
	char dir[64];
	char out[2 << 20]; /* try prints every note: a test of the results bound prints 1 MiB */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	assert_non_null(f);
	strcpy(f->dir, "/tmp/interviewd-try-XXXXXX");
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

/* Writes the script and the answers, then runs try on them. */
static int try_answers(struct fixture *f, const char *script, const char *answers, bool json)
{
	char sp[128], ap[128];
	fixture_write_file(f->dir, "try.lua", script);
	fixture_write_file(f->dir, "try.answers", answers);
	snprintf(sp, sizeof sp, "%s/try.lua", f->dir);
	snprintf(ap, sizeof ap, "%s/try.answers", f->dir);
	char *argv[] = { "try", sp, "--answers", ap, json ? "--json" : NULL, NULL };
	return fixture_capture(try_cmd, json ? 5 : 4, argv, f->out, sizeof f->out);
}

/* n lines of "go", the candidate's opening message first. */
static char *answers_of(int n)
{
	char *a = calloc((size_t)n * 3 + 1, 1);
	assert_non_null(a);
	for (int i = 0; i < n; i++)
		strcat(a, "go\n");
	return a;
}

static void test_try_lists_only_answers_asked_with_an_id(void **state)
{
	struct fixture *f = *state;
	const char *script = "local a = ask('Anything?')\n"
			     "local b = ask('Name?', {id = 'name'})\n"
			     "finish('ok')\n";
	assert_int_equal(try_answers(f, script, "Hello\nfree text\nAda\n", false), 0);
	assert_non_null(strstr(f->out, "answers:\n  name = \"Ada\"\nscores:"));
	assert_int_equal(try_answers(f, script, "Hello\nfree text\nAda\n", true), 0);
	assert_non_null(strstr(f->out, "\"answers\":{\"name\":\"Ada\"}"));
}

/* The engine's bound on results holds in try too: 64,000 bytes of notes a
 * turn, so the 17th answer is refused with the engine's sentence. */
static void test_try_refuses_results_past_the_servers_bound(void **state)
{
	struct fixture *f = *state;
	const char *script = "while true do\n"
			     "  for i = 1, 4 do note(('n'):rep(16000)) end\n"
			     "  ask('more?')\n"
			     "end\n";
	char *answers = answers_of(20);
	assert_int_equal(try_answers(f, script, answers, false), 1);
	assert_non_null(strstr(f->out, "try.lua: the interview's results (notes, scores, answers, tags) "
				       "would pass 1024 KiB; keep notes short"));
	/* 16 turns went through (the 17th candidate message is shown, refused). */
	assert_non_null(strstr(f->out, " 33 candidate message go\n"));
	assert_null(strstr(f->out, " 34 bot"));
	free(answers);
}

/* 62 says and an ask a turn, 64 entries with the answer: 79 turns fill 5056
 * of the 5000 entries a transcript may hold, so the 80th answer is refused. */
static void test_try_refuses_a_message_to_a_full_transcript(void **state)
{
	struct fixture *f = *state;
	const char *script = "while true do\n"
			     "  for i = 1, 62 do say('x') end\n"
			     "  ask('more?')\n"
			     "end\n";
	char *answers = answers_of(90);
	assert_int_equal(try_answers(f, script, answers, true), 1);
	assert_non_null(strstr(f->out, "try.lua: this interview's transcript has reached its size "
				       "limit (5000 entries)"));
	assert_non_null(strstr(f->out, "\"seq\":5056,\"role\":\"bot\""));
	assert_non_null(strstr(f->out, "\"seq\":5057,\"role\":\"candidate\""));
	assert_null(strstr(f->out, "\"seq\":5058"));
	free(answers);
}

int main(void)
{
	if (token_init() != 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_try_lists_only_answers_asked_with_an_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_try_refuses_results_past_the_servers_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_try_refuses_a_message_to_a_full_transcript, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
