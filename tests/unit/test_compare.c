/* Unit tests for compare.c: which option an answer to a choose() picks (the
 * reading migrate relies on to tell whether a changed list keeps an answer's
 * meaning), and how the turns of a replay line up with a recording, so one
 * added or changed turn shows as one difference. The commands built on it
 * are tested in test_replay and test_migrate. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "compare.h"

static char *LANGS[] = { "C", "Lua", "Go" };

static void test_an_answer_picks_the_option_whose_text_it_is_case_and_spaces_aside(void **state)
{
	(void)state;
	struct compare_pick k = compare_choice_pick("  lua\t", LANGS, 3, false);
	assert_int_equal(k.index, 1);
	assert_false(k.by_number);
	k = compare_choice_pick("Rust", LANGS, 3, false);
	assert_int_equal(k.index, -1);
	assert_false(k.by_number);
}

static void test_a_number_picks_the_option_it_counts_to_and_no_other(void **state)
{
	(void)state;
	struct compare_pick k = compare_choice_pick(" 3 ", LANGS, 3, false);
	assert_int_equal(k.index, 2);
	assert_true(k.by_number);
	k = compare_choice_pick("4", LANGS, 3, false);
	assert_int_equal(k.index, -1);
	assert_true(k.by_number);
	k = compare_choice_pick("0", LANGS, 3, false);
	assert_int_equal(k.index, -1);
	assert_true(k.by_number);
	k = compare_choice_pick("99999999999999999999", LANGS, 3, false);
	assert_int_equal(k.index, -1);
	assert_true(k.by_number);
}

static void test_an_option_that_reads_as_a_number_is_picked_by_its_text_first(void **state)
{
	(void)state;
	char *years[] = { "2", "1" };
	struct compare_pick k = compare_choice_pick("1", years, 2, false);
	assert_int_equal(k.index, 1);
	assert_false(k.by_number);
}

static void test_a_no_break_space_is_trimmed_from_api_level_2_only(void **state)
{
	(void)state;
	const char *answer = "\xC2\xA0Go\xC2\xA0";
	assert_int_equal(compare_choice_pick(answer, LANGS, 3, true).index, 2);
	assert_int_equal(compare_choice_pick(answer, LANGS, 3, false).index, -1);
}

/* --- turns ---------------------------------------------------------------- */

/* A turn with only what the alignment looks at. */
#define TURN(s, r, k, t) { .seq = (s), .role = PROTO_ROLE_##r, .kind = PROTO_KIND_##k, .text = (t) }
#define CAND(s, t) TURN(s, CANDIDATE, MESSAGE, t)
#define SAY(s, t) TURN(s, BOT, SAY, t)
#define ASK(s, t) TURN(s, BOT, ASK, t)

static const struct proto_turn RECORDED[] = {
	CAND(1, "Hello"), SAY(2, "Welcome!"), ASK(3, "Why C?"), CAND(4, "Fast"), SAY(5, "Thanks"),
};

static void test_the_same_turns_make_no_difference(void **state)
{
	(void)state;
	struct compare_diff d = { 0 };
	compare_diff_turns(&d, RECORDED, 5, RECORDED, 5);
	assert_true(compare_diff_empty(&d));
	compare_diff_free(&d);
}

static void test_one_added_turn_is_one_difference_placed_after_its_recorded_turn(void **state)
{
	(void)state;
	const struct proto_turn now[] = {
		CAND(1, "Hello"), SAY(2, "Welcome!"), SAY(3, "One more thing"),
		ASK(4, "Why C?"), CAND(5, "Fast"),    SAY(6, "Thanks"),
	};
	struct compare_diff d = { 0 };
	compare_diff_turns(&d, RECORDED, 5, now, 6);
	assert_int_equal(d.nturns, 1);
	assert_null(d.turns[0].recorded);
	assert_ptr_equal(d.turns[0].replayed, &now[2]);
	assert_int_equal(d.after[0], 2);
	compare_diff_free(&d);
	assert_true(compare_diff_empty(&d));
}

static void test_a_reworded_turn_is_one_change_and_a_dropped_turn_one_removal(void **state)
{
	(void)state;
	const struct proto_turn now[] = {
		CAND(1, "Hello"),
		ASK(2, "Why do you like C?"),
		CAND(3, "Fast"),
		SAY(4, "Thanks"),
	};
	struct compare_diff d = { 0 };
	compare_diff_turns(&d, RECORDED, 5, now, 4);
	assert_int_equal(d.nturns, 2);
	assert_ptr_equal(d.turns[0].recorded, &RECORDED[1]);
	assert_null(d.turns[0].replayed);
	assert_ptr_equal(d.turns[1].recorded, &RECORDED[2]);
	assert_ptr_equal(d.turns[1].replayed, &now[1]);
	assert_int_equal(d.turns[1].seq, 3);
	compare_diff_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_an_answer_picks_the_option_whose_text_it_is_case_and_spaces_aside),
		cmocka_unit_test(test_a_number_picks_the_option_it_counts_to_and_no_other),
		cmocka_unit_test(test_an_option_that_reads_as_a_number_is_picked_by_its_text_first),
		cmocka_unit_test(test_a_no_break_space_is_trimmed_from_api_level_2_only),
		cmocka_unit_test(test_the_same_turns_make_no_difference),
		cmocka_unit_test(
			test_one_added_turn_is_one_difference_placed_after_its_recorded_turn),
		cmocka_unit_test(test_a_reworded_turn_is_one_change_and_a_dropped_turn_one_removal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
