/* Unit tests for text.c: what counts as UTF-8, and how bad bytes are repaired. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "text.h"

#define VALID(s) text_utf8_valid(s, sizeof(s) - 1)

static void test_well_formed_text_is_valid(void **state)
{
	(void)state;
	assert_true(VALID(""));
	assert_true(VALID("plain ascii"));
	assert_true(VALID("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x99\x82"));     /* é € 🙂 */
	assert_true(VALID("\xF4\x8F\xBF\xBF"));                              /* U+10FFFF */
	assert_true(VALID("\xED\x9F\xBF"));                                  /* U+D7FF */
}

static void test_ill_formed_text_is_refused(void **state)
{
	(void)state;
	assert_false(VALID("\xC3\x28"));         /* bad continuation */
	assert_false(VALID("\xC0\xAF"));         /* overlong '/' */
	assert_false(VALID("\xE0\x80\xAF"));     /* overlong */
	assert_false(VALID("\xED\xA0\x80"));     /* surrogate U+D800 */
	assert_false(VALID("\xF4\x90\x80\x80")); /* above U+10FFFF */
	assert_false(VALID("\xF5\x80\x80\x80"));
	assert_false(VALID("\xE2\x82"));         /* cut short */
	assert_false(VALID("\xFF"));
}

static void test_repair_replaces_each_bad_byte_and_keeps_the_rest(void **state)
{
	(void)state;
	const char in[] = "ok \xC3\x28 \xE2\x82 \xF0\x9F\x99\x82";
	char *r = text_utf8_repair(in, sizeof in - 1);
	assert_string_equal(r, "ok \xEF\xBF\xBD( \xEF\xBF\xBD\xEF\xBF\xBD \xF0\x9F\x99\x82");
	assert_true(text_utf8_valid(r, strlen(r)));
	free(r);
	const char nul[] = "a\0b";
	r = text_utf8_repair(nul, 3);
	assert_string_equal(r, "a\xEF\xBF\xBD" "b");
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_well_formed_text_is_valid),
		cmocka_unit_test(test_ill_formed_text_is_refused),
		cmocka_unit_test(test_repair_replaces_each_bad_byte_and_keeps_the_rest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
