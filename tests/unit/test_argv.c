/* argv: the option loop of manage and maint, fed what a careless or hostile
 * caller types: unknown and near-miss names, missing and stray values, a
 * lone dash, "--", an enormous argument, more positionals than kept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "argv.h"

enum { O_DATA, O_YES, O_N };
static const struct argv_opt OPTS[O_N] = { [O_DATA] = { "data", true }, [O_YES] = { "yes", false } };
static const struct argv_spec SPEC = { "t", OPTS, O_N, (1u << O_DATA) | (1u << O_YES), "help\n" };

static int run(int argc, char **argv, const char **vals, const char **args, int *nargs)
{
	return argv_parse(argc, argv, &SPEC, vals, args, 1, nargs);
}

static void test_values_flags_and_positionals_are_read_in_every_spelling(void **state)
{
	(void)state;
	const char *vals[O_N], *args[1] = { NULL };
	int n;
	char *a[] = { "t", "ID", "--data", "d1", "--yes", "--", "--not-an-option", "-" };
	assert_int_equal(run(8, a, vals, args, &n), -1);
	assert_string_equal(vals[O_DATA], "d1");
	assert_string_equal(vals[O_YES], "");
	assert_string_equal(args[0], "ID");
	assert_int_equal(n, 3); /* ID, --not-an-option after --, and a lone - */
	char *b[] = { "t", "--data=" };
	assert_int_equal(run(2, b, vals, args, &n), -1);
	assert_string_equal(vals[O_DATA], "");
	assert_null(vals[O_YES]);
}

static void test_usage_errors_exit_2(void **state)
{
	(void)state;
	const char *vals[O_N], *args[1];
	int n;
	char *missing[] = { "t", "--data" };
	char *stray[] = { "t", "--yes=1" };
	char *unknown[] = { "t", "--dat" };
	char *single[] = { "t", "-x" };
	char *empty[] = { "t", "--=x" };
	assert_int_equal(run(2, missing, vals, args, &n), 2);
	assert_int_equal(run(2, stray, vals, args, &n), 2);
	assert_int_equal(run(2, unknown, vals, args, &n), 2);
	assert_int_equal(run(2, single, vals, args, &n), 2);
	assert_int_equal(run(2, empty, vals, args, &n), 2);
	char *help[] = { "t", "ID", "-h" };
	assert_int_equal(run(3, help, vals, args, &n), 0);
}

static void test_a_huge_argument_and_many_positionals_are_bounded(void **state)
{
	(void)state;
	size_t big = 1 << 20;
	char *huge = malloc(big + 3);
	assert_non_null(huge);
	memset(huge, 'x', big + 2);
	huge[0] = huge[1] = '-';
	huge[big + 2] = '\0';
	const char *vals[O_N], *args[1];
	int n;
	char *a[] = { "t", huge };
	assert_int_equal(run(2, a, vals, args, &n), 2); /* an unknown option, not a crash */
	free(huge);
	char *many[64];
	many[0] = "t";
	for (int i = 1; i < 64; i++)
		many[i] = "p";
	assert_int_equal(run(64, many, vals, args, &n), -1);
	assert_int_equal(n, 63); /* counted, only the first kept */
	assert_string_equal(args[0], "p");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values_flags_and_positionals_are_read_in_every_spelling),
		cmocka_unit_test(test_usage_errors_exit_2),
		cmocka_unit_test(test_a_huge_argument_and_many_positionals_are_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
