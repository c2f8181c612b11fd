/* test_replay: replay against a real store in a temp data dir.
 *
 * Interviews are recorded as the engine records them (replay_fixture.h),
 * the script is edited, then replay runs as the CLI runs it, with its output
 * captured: what it reports same, different or failing, each difference it
 * lists, and its --json document. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "replay_fixture.h"

#include "replay.h"

static int replay_args(struct fixture *f, const char *name, bool json)
{
	char *argv[] = { "replay", (char *)name, "--data", f->data, "--scripts", f->scripts,
			 "--json", NULL };
	return fixture_capture(replay_cmd, json ? 7 : 6, argv, f->out, sizeof f->out);
}

static int replay(struct fixture *f, const char *name) { return replay_args(f, name, false); }

static void test_replay_of_unchanged_script_is_same(void **state)
{
	struct fixture *f = *state;
	char id[TOKEN_ID_LEN + 1];
	const char *msgs[] = { "Hello", "C", "Because it is fast" };
	write_script(f, "lang", V1);
	play_interview(f, "lang", msgs, 3, id);
	assert_int_equal(replay(f, "lang"), 0);
	assert_printed(f, "%s (Ada): same\n", id);
	assert_printed(f,
		       "1 interview of lang replayed against %s/lang.lua: 1 same, 0 different, "
		       "0 failing\n",
		       f->scripts);
}

/* The case: an edit that changes only the scoring is not "same". */
static void test_replay_reports_a_scoring_change_as_different(void **state)
{
	struct fixture *f = *state;
	char id[TOKEN_ID_LEN + 1];
	const char *msgs[] = { "Hello", "C", "2" };
	write_script(f, "lang", SCORED("3", "'lang ' .. lang"));
	play_interview(f, "lang", msgs, 3, id);
	write_script(f, "lang", SCORED("5", "'lang ' .. lang"));
	assert_int_equal(replay(f, "lang"), 1);
	assert_printed(f, "%s (Ada): different\n  score fit: 6 \u2192 10\n", id);
	assert_printed(f, ": 0 same, 1 different, 0 failing\n");
	assert_null(strstr(f->out, "seq ")); /* the transcript is the same */
}

static void test_replay_reports_every_change_in_notes_tags_and_answers(void **state)
{
	struct fixture *f = *state;
	char id[TOKEN_ID_LEN + 1];
	const char *msgs[] = { "Hello", "Lua", "7" };
	write_script(f, "lang", SCORED("1", "'lang ' .. lang"));
	play_interview(f, "lang", msgs, 3, id);
	/* The new version tags differently, words the note differently and
	 * records the language in lower case. */
	write_script(f, "lang",
		     "local lang = choose('Which language?', {'C', 'Lua'})\n"
		     "local years = ask_number('How many years?', {id = 'years'})\n"
		     "score('fit', years)\n"
		     "note('Language: ' .. lang)\n"
		     "if years > 5 then tag('experienced') end\n"
		     "local why = ask('Why ' .. lang .. '?', {id = 'why'})\n"
		     "finish('Thanks!')\n");
	assert_int_equal(replay(f, "lang"), 1);
	assert_printed(f, "  note removed: \"lang Lua\"\n");
	assert_printed(f, "  note added: \"Language: Lua\"\n");
	assert_printed(f, "  tag removed: senior\n");
	assert_printed(f, "  tag added: experienced\n");
	assert_printed(f, "  answer lang: \"Lua\" \u2192 (none)\n");
	assert_null(strstr(f->out, "score fit"));
	assert_null(strstr(f->out, "answer years"));
}

static void test_replay_lists_every_changed_added_and_dropped_turn(void **state)
{
	struct fixture *f = *state;
	char id[TOKEN_ID_LEN + 1];
	/* 1 Hello, 2 say Welcome!, 3 ask, 4 C, 5 ask "Why C?", 6 answer, 7 end */
	const char *msgs[] = { "Hello", "C", "Because it is fast" };
	write_script(f, "lang", V1);
	play_interview(f, "lang", msgs, 3, id);
	write_script(f, "lang",
		     "local lang = choose('Which language?', {'C', 'Lua'}, {id = 'lang'})\n"
		     "say('Good choice.')\n"
		     "local why = ask('Why do you like ' .. lang .. '?', {id = 'why'})\n"
		     "finish('Thank you!')\n");
	assert_int_equal(replay(f, "lang"), 1);
	assert_printed(f,
		       "%s (Ada): different\n"
		       "  seq 2: say \"Welcome!\" \u2192 (none)\n"
		       "  after seq 4: (none) \u2192 say \"Good choice.\"\n"
		       "  seq 5: ask \"Why C?\" \u2192 ask \"Why do you like C?\"\n"
		       "  seq 7: end \"Thanks!\" \u2192 end \"Thank you!\"\n",
		       id);
}

/* Texts that differ only past what a report quotes are quoted from near the
 * difference, so the two lines do not read the same. */
static void test_replay_quotes_a_long_text_where_it_changed(void **state)
{
	struct fixture *f = *state;
	char id[TOKEN_ID_LEN + 1];
	const char *msgs[] = { "Hello" };
	write_script(f, "long", "say(('a'):rep(200) .. 'old')\nask('Q?')\n");
	play_interview(f, "long", msgs, 1, id);
	write_script(f, "long", "say(('a'):rep(200) .. 'new')\nask('Q?')\n");
	assert_int_equal(replay(f, "long"), 1);
	assert_printed(f, "aaaold\" \u2192 say ...\"");
	assert_printed(f, "aaanew\"\n");
}

static void test_replay_reports_a_failing_edit_with_its_error_line(void **state)
{
	struct fixture *f = *state;
	char id[TOKEN_ID_LEN + 1], other[TOKEN_ID_LEN + 1];
	const char *lua[] = { "Hello", "Lua", "Small and embeddable" };
	const char *c[] = { "Hello", "C", "Fast" };
	write_script(f, "lang", V1);
	play_interview(f, "lang", lua, 3, id);
	play_interview(f, "lang", c, 3, other);
	write_script(f, "lang", V1_BUGGY);
	assert_int_equal(replay(f, "lang"), 1);
	assert_printed(f, "replayed)\n  error: %s/lang.lua:3:", f->scripts);
	assert_printed(f, "  seq 5: ask \"Why Lua?\" \u2192 (none)\n");
	/* It stops there: the turns after it and the results are not compared. */
	assert_printed(f,
		       "%s (Ada): failing (stops at seq 5; 2 recorded turns after it not "
		       "replayed)\n",
		       id);
	assert_null(strstr(f->out, "seq 6"));
	assert_null(strstr(f->out, "answer "));
	assert_printed(f, "%s (Ada): same\n", other);
	assert_printed(f, ": 1 same, 0 different, 1 failing\n");
}

/* An edited script is held to the server's limits: one that would pile up
 * more than 1 MiB of notes fails where the server would refuse the turn. */
static void test_replay_reports_an_edit_that_passes_the_results_bound(void **state)
{
	struct fixture *f = *state;
	char id[TOKEN_ID_LEN + 1];
	/* 1 Hello, 2 ask A?, 3 x, 4 ask B?, 5 y, 6 end */
	const char *msgs[] = { "Hello", "x", "y" };
	write_script(f, "notes", "local a = ask('A?')\nlocal b = ask('B?')\nfinish('ok')\n");
	play_interview(f, "notes", msgs, 3, id);
	write_script(f, "notes",
		     "local a = ask('A?')\n"
		     "for i = 1, 40 do note(('n'):rep(16000)) end\n"
		     "local b = ask('B?')\n"
		     "for i = 1, 40 do note(('n'):rep(16000)) end\n"
		     "finish('ok')\n");
	assert_int_equal(replay(f, "notes"), 1);
	assert_printed(f,
		       "%s (Ada): failing\n  error: %s/notes.lua: the interview's results (notes, "
		       "scores, answers, tags) would pass 1024 KiB; keep notes short\n",
		       id, f->scripts);
	assert_printed(f, "  seq 6: end \"ok\" \u2192 (none)\n");
}

static void test_replay_of_a_script_that_does_not_compile_fails_every_interview(void **state)
{
	struct fixture *f = *state;
	char id[TOKEN_ID_LEN + 1];
	const char *msgs[] = { "Hello" };
	write_script(f, "lang", V1);
	play_interview(f, "lang", msgs, 1, id);
	write_script(f, "lang", "say('oops'\n");
	assert_int_equal(replay(f, "lang"), 1);
	assert_printed(f, "%s/lang.lua:", f->scripts); /* said first, once for the script */
	assert_printed(f, "%s (Ada): failing\n", id);
	assert_printed(f, ": 0 same, 0 different, 1 failing\n");
}

static void test_replay_json_is_one_document_with_every_difference(void **state)
{
	struct fixture *f = *state;
	char id[TOKEN_ID_LEN + 1];
	const char *msgs[] = { "Hello", "C", "2" };
	write_script(f, "lang", SCORED("3", "'lang ' .. lang"));
	play_interview(f, "lang", msgs, 3, id);
	write_script(f, "lang", SCORED("5", "'Language: ' .. lang"));
	assert_int_equal(replay_args(f, "lang", true), 1);
	assert_printed(
		f,
		"{\"script\":\"lang\",\"file\":\"%s/lang.lua\",\"error\":null,"
		"\"interviews\":[{\"id\":\"%s\",\"candidate\":\"Ada\",\"status\":\"different\","
		"\"turns\":[],\"results\":{\"scores\":{\"fit\":{\"old\":6,\"new\":10}},"
		"\"notes\":{\"added\":[\"Language: C\"],\"removed\":[\"lang C\"]},"
		"\"tags\":{\"added\":[],\"removed\":[]},\"answers\":{}},\"error\":null}],"
		"\"summary\":{\"same\":0,\"different\":1,\"failing\":0}}\n",
		f->scripts, id);
	/* Nothing but the document on stdout. */
	assert_int_equal(f->out[0], '{');
}

static void test_replay_json_shows_turns_on_both_sides_and_null_for_none(void **state)
{
	struct fixture *f = *state;
	char id[TOKEN_ID_LEN + 1];
	const char *msgs[] = { "Hello", "C" };
	write_script(f, "lang", V1);
	play_interview(f, "lang", msgs, 2, id);
	write_script(f, "lang", V2_OPTIONS);
	assert_int_equal(replay_args(f, "lang", true), 1);
	assert_printed(
		f,
		"\"turns\":[{\"seq\":3,\"recorded\":{\"seq\":3,\"role\":\"bot\",\"kind\":\"ask\","
		"\"text\":\"Which language?\",\"choices\":[\"C\",\"Lua\"]},"
		"\"replayed\":{\"seq\":3,\"role\":\"bot\",\"kind\":\"ask\","
		"\"text\":\"Which language?\",\"choices\":[\"C\",\"Lua\",\"Go\"]}}]");
	write_script(f, "lang",
		     "say('Welcome!')\nchoose('Which language?', {'C', 'Lua'}, {id = 'lang'})\n"
		     "finish('Bye')\n");
	assert_int_equal(replay_args(f, "lang", true), 1);
	assert_printed(
		f, "{\"seq\":5,\"recorded\":{\"seq\":5,\"role\":\"bot\",\"kind\":\"ask\","
		   "\"text\":\"Why C?\",\"choices\":[]},\"replayed\":{\"seq\":5,\"role\":\"bot\","
		   "\"kind\":\"end\",\"text\":\"Bye\",\"choices\":[]}}");
	assert_printed(f, "\"status\":\"different\"");
}

int main(void)
{
	if (token_init() != 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_replay_of_unchanged_script_is_same, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_replay_reports_a_scoring_change_as_different,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_replay_reports_every_change_in_notes_tags_and_answers, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_replay_lists_every_changed_added_and_dropped_turn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay_quotes_a_long_text_where_it_changed,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_replay_reports_a_failing_edit_with_its_error_line, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_replay_reports_an_edit_that_passes_the_results_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_replay_of_a_script_that_does_not_compile_fails_every_interview, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_replay_json_is_one_document_with_every_difference, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_replay_json_shows_turns_on_both_sides_and_null_for_none, setup,
			teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
