/* test_cli: the option parser and hints the interview commands share, run as
 * a command runs them, with what they print captured: options only spelled
 * out in full, values either way, positional arguments in order, and hints
 * that a shell runs as shown. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"

#include "cli.h"
#include "record.h"
#include "scriptdir.h"
#include "store.h"

#define HELP "usage: interviewd new --script NAME\n"

static struct cli_opts parsed;

/* `new` as far as its options: the ones `new` takes. */
static int parse_new(int argc, char **argv)
{
	return cli_parse(argc, argv, &parsed,
			 CLI_OPTLIST(CLI_OPT_SCRIPT, CLI_OPT_SCRIPTS, CLI_OPT_URL, CLI_OPT_JSON,
				     CLI_OPT_DATA),
			 HELP);
}

/* A command that also takes --max-connections. */
static int parse_serve(int argc, char **argv)
{
	return cli_parse(argc, argv, &parsed, CLI_OPTLIST(CLI_OPT_MAXCONN, CLI_OPT_DATA), HELP);
}

static void test_values_come_either_way_and_positionals_keep_their_order(void **state)
{
	struct fixture_dir *f = *state;
	char *argv[] = { "new", "a", "--script", "demo", "--data=d/x", "b",
			 "--json", "--", "--scripts", NULL };
	assert_int_equal(fixture_capture(parse_new, 9, argv, f->out, sizeof f->out), -1);
	assert_string_equal(f->out, "");
	assert_string_equal(parsed.script, "demo");
	assert_string_equal(parsed.data, "d/x");
	assert_int_equal(parsed.json, 1);
	/* --scripts after "--" is an argument, so the default stands. */
	assert_string_equal(parsed.scripts, "scripts");
	assert_int_equal(parsed.scripts_given, 0);
	assert_int_equal(parsed.url_given, 0);
	assert_int_equal(parsed.argc, 3);
	assert_string_equal(parsed.argv[0], "a");
	assert_string_equal(parsed.argv[1], "b");
	assert_string_equal(parsed.argv[2], "--scripts");
}

static void test_an_option_is_taken_only_spelled_out_in_full_with_a_hint(void **state)
{
	struct fixture_dir *f = *state;
	char *abbrev[] = { "new", "--scr=demo", NULL };
	assert_int_equal(fixture_capture(parse_new, 2, abbrev, f->out, sizeof f->out), 2);
	assert_string_equal(f->out, "interviewd new: unknown option --scr (did you mean --script?); "
				    "see interviewd new --help\n");
	/* Not an option of this command at all: no hint. */
	char *other[] = { "new", "--listen", "x", NULL };
	assert_int_equal(fixture_capture(parse_new, 3, other, f->out, sizeof f->out), 2);
	assert_string_equal(f->out,
			    "interviewd new: unknown option --listen; see interviewd new --help\n");
}

static void test_a_missing_or_unwanted_value_is_a_usage_error(void **state)
{
	struct fixture_dir *f = *state;
	char *missing[] = { "new", "--url", NULL };
	assert_int_equal(fixture_capture(parse_new, 2, missing, f->out, sizeof f->out), 2);
	assert_string_equal(f->out, "interviewd new: option --url needs a value\n");
	char *unwanted[] = { "new", "--json=yes", NULL };
	assert_int_equal(fixture_capture(parse_new, 2, unwanted, f->out, sizeof f->out), 2);
	assert_string_equal(f->out, "interviewd new: option --json takes no value\n");
	const char *bad[] = { "0", "10001", "12x", "" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *argv[] = { "serve", "--max-connections", (char *)bad[i], NULL };
		assert_int_equal(fixture_capture(parse_serve, 3, argv, f->out, sizeof f->out), 2);
		assert_string_equal(
			f->out,
			"interviewd serve: --max-connections takes a number from 1 to 10000\n");
	}
	char *good[] = { "serve", "--max-connections=10000", NULL };
	assert_int_equal(fixture_capture(parse_serve, 2, good, f->out, sizeof f->out), -1);
	assert_int_equal(parsed.max_connections, 10000);
}

static void test_help_is_printed_and_the_command_ends_well(void **state)
{
	struct fixture_dir *f = *state;
	char *argv[] = { "new", "--script", "demo", "-h", NULL };
	assert_int_equal(fixture_capture(parse_new, 4, argv, f->out, sizeof f->out), 0);
	assert_string_equal(f->out, HELP);
}

static void test_a_hint_quotes_what_a_shell_would_split(void **state)
{
	(void)state;
	char out[256] = "interviewd new --candidate";
	cli_append_word(out, sizeof out, "Ada Lovelace");
	cli_append_word(out, sizeof out, "it's");
	cli_append_word(out, sizeof out, "");
	cli_append_word(out, sizeof out, "scripts/demo.lua");
	assert_string_equal(out, "interviewd new --candidate 'Ada Lovelace' 'it'\\''s' '' "
				 "scripts/demo.lua");
	cli_with_data(out, sizeof out, "interviewd list", "data");
	assert_string_equal(out, "interviewd list");
	cli_with_data(out, sizeof out, "interviewd list", "my data");
	assert_string_equal(out, "interviewd list --data 'my data'");
}

static void test_every_module_code_reads_as_its_own_sentence(void **state)
{
	(void)state;
	assert_string_equal(cli_error_sentence(RECORD_ECORRUPT), record_strerror(RECORD_ECORRUPT));
	assert_string_equal(cli_error_sentence(STORE_EFULL), store_strerror(STORE_EFULL));
	assert_string_equal(cli_error_sentence(SCRIPTDIR_ENOTFOUND),
			    scriptdir_strerror(SCRIPTDIR_ENOTFOUND));
	assert_string_equal(cli_error_sentence(-1), "unexpected error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_values_come_either_way_and_positionals_keep_their_order,
			fixture_dir_setup, fixture_dir_teardown),
		cmocka_unit_test_setup_teardown(
			test_an_option_is_taken_only_spelled_out_in_full_with_a_hint,
			fixture_dir_setup, fixture_dir_teardown),
		cmocka_unit_test_setup_teardown(test_a_missing_or_unwanted_value_is_a_usage_error,
						fixture_dir_setup, fixture_dir_teardown),
		cmocka_unit_test_setup_teardown(test_help_is_printed_and_the_command_ends_well,
						fixture_dir_setup, fixture_dir_teardown),
		cmocka_unit_test(test_a_hint_quotes_what_a_shell_would_split),
		cmocka_unit_test(test_every_module_code_reads_as_its_own_sentence),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
