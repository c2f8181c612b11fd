/* Unit tests for text.c: what counts as UTF-8, how bad bytes are repaired, and
 * where text is cut. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
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

#define CUT(s, max) text_utf8_cut(s, sizeof(s) - 1, max)

static void test_cut_keeps_everything_that_fits(void **state)
{
	(void)state;
	assert_int_equal(CUT("", 0), 0);
	assert_int_equal(CUT("abc", 3), 3);  /* exactly max: nothing cut */
	assert_int_equal(CUT("abc", 80), 3); /* the whole length, not 0 */
	assert_int_equal(CUT("caf\xC3\xA9", 5), 5);
}

static void test_cut_never_splits_a_character(void **state)
{
	(void)state;
	assert_int_equal(CUT("abcdef", 4), 4);
	/* "caf" + e-acute (2 bytes): a cut inside it keeps "caf". */
	assert_int_equal(CUT("caf\xC3\xA9!", 4), 3);
	assert_int_equal(CUT("caf\xC3\xA9!", 5), 5);
	/* U+1F642 is 4 bytes: any cut inside it falls back before it. */
	for (size_t max = 1; max < 5; max++)
		assert_int_equal(CUT("a\xF0\x9F\x99\x82", max), 1);
	/* No boundary at or below max: nothing is kept. */
	assert_int_equal(CUT("\xE2\x82\xAC", 2), 0);
	assert_int_equal(CUT("abc", 0), 0);
	/* What is kept is valid UTF-8 on its own. */
	const char s[] = "\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC";
	for (size_t max = 0; max <= sizeof s - 1; max++)
		assert_true(text_utf8_valid(s, text_utf8_cut(s, sizeof s - 1, max)));
}

/* [b, e) of s once trimmed, as a string for comparison. */
static const char *trimmed(const char *s, bool nbsp)
{
	static char buf[64];
	size_t b, e;
	text_trim(s, strlen(s), nbsp, &b, &e);
	snprintf(buf, sizeof buf, "%.*s", (int)(e - b), s + b);
	return buf;
}

static void test_trim_drops_surrounding_whitespace_and_nbsp_only_when_asked(void **state)
{
	(void)state;
	assert_string_equal(trimmed(" \t\r\n\v\fa b\n ", false), "a b");
	assert_string_equal(trimmed("   ", false), "");
	assert_string_equal(trimmed("\xC2\xA0 Go\xC2\xA0", true), "Go");
	assert_string_equal(trimmed("\xC2\xA0Go", false), "\xC2\xA0Go");
	/* A lone byte of the pair is not whitespace: the text keeps it. */
	assert_string_equal(trimmed("\xA0x\xC2", true), "\xA0x\xC2");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_well_formed_text_is_valid),
		cmocka_unit_test(test_ill_formed_text_is_refused),
		cmocka_unit_test(test_repair_replaces_each_bad_byte_and_keeps_the_rest),
		cmocka_unit_test(test_cut_keeps_everything_that_fits),
		cmocka_unit_test(test_cut_never_splits_a_character),
		cmocka_unit_test(test_trim_drops_surrounding_whitespace_and_nbsp_only_when_asked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
