/* test_migrate: migrate against a real store in a temp data dir.
 *
 * Interviews are recorded as the engine records them (replay_fixture.h),
 * the script is edited, then migrate runs as the CLI runs it: what it allows
 * (a wording fix, an added option the answer does not depend on, new
 * validation the recorded answers pass), what it refuses and how it names the
 * turn, the results it recomputes, and that a refusal or a dry run leaves the
 * interview as it was. */
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

#include "migrate.h"

/* A wording fix in an already-sent question: allowed. */
#define V2_WORDING "say('Welcome!')\n"                                                    \
		   "local lang = choose('Which language?', {'C', 'Lua'}, {id = 'lang'})\n" \
		   "local why = ask('Why do you like ' .. lang .. '?', {id = 'why'})\n"   \
		   "finish('Thanks!')\n"

/* Two text questions of the same shape: only their place tells them apart. */
#define CONTACT "local name = ask('Your name?', {id = 'name'})\n"   \
		"local email = ask('Your email?', {id = 'email'})\n" \
		"finish('Thanks!')\n"

static char *dup_s(const char *s)
{
	char *d = strdup(s);
	assert_non_null(d);
	return d;
}

static void get_interview(struct fixture *f, const char *id, struct proto_interview *iv)
{
	struct store *st = open_store(f);
	memset(iv, 0, sizeof *iv);
	assert_int_equal(record_get_interview(st, id, iv), 0);
	store_close(st);
}

static size_t transcript_len(struct fixture *f, const char *id)
{
	struct store *st = open_store(f);
	struct proto_turn *t = NULL;
	size_t n = 0;
	assert_int_equal(record_get_transcript(st, id, &t, &n), 0);
	record_transcript_free(t, n);
	store_close(st);
	return n;
}

/* Marks the interview stranded the way the engine does after a script
 * error: the failing message is not recorded, the error is. */
static void set_last_error(struct fixture *f, const char *id, const char *msg)
{
	struct store *st = open_store(f);
	struct proto_interview iv = { 0 };
	assert_int_equal(record_get_interview(st, id, &iv), 0);
	iv.last_error = dup_s(msg);
	iv.last_traceback = dup_s("stack traceback: ...");
	struct store_batch *b = store_batch_new();
	char err[256];
	assert_int_equal(record_batch_interview(b, &iv), 0);
	assert_int_equal(store_commit(st, b, err, sizeof err), 0);
	store_batch_free(b);
	proto_interview_free(&iv);
	store_close(st);
}

/* Asserts the interview still runs the script it had, with its transcript. */
static void assert_unchanged(struct fixture *f, const char *id, const struct proto_interview *before,
			     size_t nturns)
{
	struct proto_interview after;
	get_interview(f, id, &after);
	assert_string_equal(after.script_hash, before->script_hash);
	assert_int_equal(after.updated, before->updated);
	assert_int_equal(after.next_seq, before->next_seq);
	assert_int_equal(transcript_len(f, id), nturns);
	proto_interview_free(&after);
}

static int migrate_args(struct fixture *f, const char *id, bool dry_run)
{
	char *argv[] = { "migrate", (char *)id, "--data", f->data, "--scripts", f->scripts,
			 "--dry-run", NULL };
	return fixture_capture(migrate_cmd, dry_run ? 7 : 6, argv, f->out, sizeof f->out);
}

static int migrate(struct fixture *f, const char *id) { return migrate_args(f, id, false); }

static void test_migrate_allows_wording_fix_and_switches_hash(void **state)
{
	struct fixture *f = *state;
	char id[TOKEN_ID_LEN + 1];
	const char *msgs[] = { "Hello", "C" };
	write_script(f, "lang", V1);
	play_interview(f, "lang", msgs, 2, id);
	write_script(f, "lang", V2_WORDING);
	assert_int_equal(migrate(f, id), 0);
	char hash[TOKEN_DIGEST_HEX + 1], want[128];
	token_digest_hex(V2_WORDING, strlen(V2_WORDING), hash);
	snprintf(want, sizeof want, "migrated %s to %.12s, its results recomputed", id, hash);
	assert_non_null(strstr(f->out, want));
	assert_printed(
		f,
		"%s (Ada): different\n  seq 5: ask \"Why C?\" \u2192 ask \"Why do you like C?\"\n",
		id);
	struct proto_interview iv;
	get_interview(f, id, &iv);
	assert_string_equal(iv.script_hash, hash);
	assert_int_equal(iv.status, PROTO_STATUS_ACTIVE);
	proto_interview_free(&iv);
	/* The new source is pinned, so the server can load it by hash. */
	struct store *st = open_store(f);
	char *src = NULL;
	size_t len = 0;
	assert_int_equal(record_get_script(st, hash, &src, &len), 0);
	assert_memory_equal(src, V2_WORDING, len);
	free(src);
	store_close(st);
}

/* An option added where the candidate answered by its text: the answer picks
 * what it picked, the conversation goes on as it went. */
static void test_migrate_allows_an_added_option_when_the_answer_keeps_its_meaning(void **state)
{
	struct fixture *f = *state;
	char id[TOKEN_ID_LEN + 1];
	const char *msgs[] = { "Hello", "C" };
	write_script(f, "lang", V1);
	play_interview(f, "lang", msgs, 2, id);
	write_script(f, "lang", V2_OPTIONS);
	assert_int_equal(migrate(f, id), 0);
	assert_printed(f,
		       "  seq 3: ask \"Which language?\" [C, Lua] \u2192 ask \"Which language?\" "
		       "[C, Lua, Go]\n");
	assert_printed(f, "migrated %s to ", id);
}

/* A choose() list as the candidate saw it, and as the edit has it. */
#define LISTED(list)                                                        \
	"local lang = choose('Which language?', " list ", {id = 'lang'})\n" \
	"local why = ask('Why ' .. lang .. '?', {id = 'why'})\n"            \
	"finish('Thanks!')\n"

/* Migrates an interview that answered msgs[1] to a list that became after,
 * expecting a refusal that says want; the record stays as it was. */
static void assert_choice_refused(struct fixture *f, const char *before_list, const char *answer,
				  const char *after_list, const char *want)
{
	char id[TOKEN_ID_LEN + 1], src[512];
	const char *msgs[] = { "Hello", answer };
	snprintf(src, sizeof src, LISTED("%s"), before_list);
	write_script(f, "lang", src);
	play_interview(f, "lang", msgs, 2, id);
	struct proto_interview before;
	get_interview(f, id, &before);
	size_t nturns = transcript_len(f, id);
	snprintf(src, sizeof src, LISTED("%s"), after_list);
	write_script(f, "lang", src);
	assert_int_equal(migrate(f, id), 1);
	/* 1 Hello, 2 ask (the list), 3 the answer */
	assert_printed(f, "cannot migrate %s: seq 3: %s\n", id, want);
	assert_unchanged(f, id, &before, nturns);
	proto_interview_free(&before);
}

static void test_migrate_refuses_an_option_number_that_now_means_another_option(void **state)
{
	assert_choice_refused(
		*state, "{'C', 'Lua', 'Python', 'Go'}", "4", "{'C', 'Lua', 'Python', 'Rust', 'Go'}",
		"the answer \"4\" picked \"Go\" from the old list; in the new list 4 is "
		"\"Rust\"");
}

static void test_migrate_refuses_an_option_number_past_the_new_list(void **state)
{
	assert_choice_refused(*state, "{'C', 'Lua', 'Go'}", "3", "{'C', 'Lua'}",
			      "the answer \"3\" picked \"Go\" from the old list; the new list has "
			      "only 2 options, so it would be asked again");
}

static void test_migrate_refuses_an_answer_text_no_option_matches_any_more(void **state)
{
	assert_choice_refused(
		*state, "{'C', 'Lua'}", " lua ", "{'C', 'Go'}",
		"the answer \" lua \" picked \"Lua\" from the old list; in the new list "
		"it matches no option, so it would be asked again");
}

/* An option named "2": the text picks it from the old list, the number picks
 * another option from the new one. */
static void test_migrate_refuses_an_answer_text_that_now_reads_as_a_number(void **state)
{
	assert_choice_refused(
		*state, "{'1', '2'}", "2", "{'one', 'two', 'three'}",
		"the answer \"2\" picked \"2\" from the old list; in the new list 2 is "
		"\"two\"");
}

/* The candidate has the old list in front of them: whatever they answer
 * would be read against options they were not shown. */
static void test_migrate_refuses_new_options_in_the_question_being_answered(void **state)
{
	struct fixture *f = *state;
	char id[TOKEN_ID_LEN + 1];
	const char *msgs[] = { "Hello" };
	write_script(f, "lang", V1);
	play_interview(f, "lang", msgs, 1, id);
	write_script(f, "lang", V2_OPTIONS);
	assert_int_equal(migrate(f, id), 1);
	assert_printed(f,
		       "cannot migrate %s: seq 3: the candidate is answering a choose() with the "
		       "options {\"C\", \"Lua\"}; the new script offers {\"C\", \"Lua\", \"Go\"} "
		       "there",
		       id);
}

/* The case for migrate: a note reworded and a score changed; after
 * the migration the record holds what the new script computes. */
static void test_migrate_recomputes_the_results_and_says_what_changed(void **state)
{
	struct fixture *f = *state;
	char id[TOKEN_ID_LEN + 1];
	const char *msgs[] = { "Hello", "Lua", "2" };
	write_script(f, "lang", SCORED("3", "'lang ' .. lang"));
	play_interview(f, "lang", msgs, 3, id);
	write_script(f, "lang", SCORED("5", "'Language: ' .. lang"));
	assert_int_equal(migrate(f, id), 0);
	assert_printed(f, "  score fit: 6 \u2192 10\n");
	assert_printed(f, "  note removed: \"lang Lua\"\n  note added: \"Language: Lua\"\n");
	assert_printed(f, "migrated %s to ", id);
	struct proto_interview iv;
	get_interview(f, id, &iv);
	assert_int_equal(iv.nnotes, 1);
	assert_string_equal(iv.notes[0], "Language: Lua");
	assert_int_equal(iv.nscores, 1);
	assert_true(iv.scores[0].value == 10);
	assert_int_equal(iv.ntags, 1);
	assert_string_equal(iv.tags[0], "junior");
	assert_int_equal(iv.nanswers, 2); /* lang and years; why not yet */
	assert_int_equal(iv.status, PROTO_STATUS_ACTIVE);
	proto_interview_free(&iv);
}

static void test_migrate_dry_run_shows_the_changes_and_writes_nothing(void **state)
{
	struct fixture *f = *state;
	char id[TOKEN_ID_LEN + 1];
	const char *msgs[] = { "Hello", "Lua", "2" };
	write_script(f, "lang", SCORED("3", "'lang ' .. lang"));
	play_interview(f, "lang", msgs, 3, id);
	struct proto_interview before;
	get_interview(f, id, &before);
	size_t nturns = transcript_len(f, id);
	write_script(f, "lang", SCORED("5", "'Language: ' .. lang"));
	assert_int_equal(migrate_args(f, id, true), 0);
	assert_printed(f, "  score fit: 6 \u2192 10\n");
	assert_printed(f, "dry run: %s would move to ", id);
	assert_null(strstr(f->out, "migrated"));
	assert_unchanged(f, id, &before, nturns);
	struct proto_interview after;
	get_interview(f, id, &after);
	assert_string_equal(after.notes[0], "lang Lua");
	assert_true(after.scores[0].value == 6);
	proto_interview_free(&after);
	proto_interview_free(&before);
}

static void test_migrate_refuses_when_a_recorded_answer_is_now_rejected(void **state)
{
	struct fixture *f = *state;
	char id[TOKEN_ID_LEN + 1];
	const char *msgs[] = { "Hello", "45" };
	write_script(f, "years",
		     "local y = ask_number('Years?', {min = 0, max = 50, id = 'y'})\n"
		     "local w = ask('Where?')\nfinish('Bye')\n");
	play_interview(f, "years", msgs, 2, id);
	write_script(f, "years",
		     "local y = ask_number('Years?', {min = 0, max = 40, id = 'y'})\n"
		     "local w = ask('Where?')\nfinish('Bye')\n");
	assert_int_equal(migrate(f, id), 1);
	assert_non_null(strstr(f->out, "seq 3:"));
	assert_non_null(strstr(f->out, "\"45\""));
}

static void
test_migrate_refuses_a_fixed_script_that_finishes_at_the_last_recorded_message(void **state)
{
	struct fixture *f = *state;
	char id[TOKEN_ID_LEN + 1];
	/* 1 Hello, 2 ask name, 3 Al, 4 ask email; the email answer then failed. */
	const char *msgs[] = { "Hello", "Al" };
	write_script(f, "contact", CONTACT);
	play_interview(f, "contact", msgs, 2, id);
	set_last_error(f, id, "scripts/contact.lua:2: attempt to index a nil value");
	struct proto_interview before;
	get_interview(f, id, &before);
	size_t nturns = transcript_len(f, id);
	/* The "fix" ends the interview right after the name: the candidate,
	 * still waiting on the email question, could never answer again. */
	write_script(f, "contact",
		     "local name = ask('Your name?', {id = 'name'})\nfinish('Thanks!')\n");
	assert_int_equal(migrate(f, id), 1);
	assert_non_null(strstr(f->out, "cannot migrate"));
	assert_non_null(strstr(f->out, "seq 3:"));
	assert_non_null(strstr(f->out, "finishes"));
	assert_unchanged(f, id, &before, nturns);
	proto_interview_free(&before);
}

static void
test_migrate_refuses_a_validate_that_rejects_a_recorded_answer_and_notes_it(void **state)
{
	struct fixture *f = *state;
	char id[TOKEN_ID_LEN + 1];
	const char *msgs[] = { "Hello", "Al" };
	write_script(f, "contact", CONTACT);
	play_interview(f, "contact", msgs, 2, id);
	struct proto_interview before;
	get_interview(f, id, &before);
	size_t nturns = transcript_len(f, id);
	/* Rejects "Al" with a note, a hint and the name question again: the
	 * candidate's next answer would be taken as their name, not their email. */
	write_script(
		f, "contact",
		"local name = ask('Your name?', {id = 'name', validate = function(a)\n"
		"  if #a < 3 then note('short') return false, 'Please give your full name.' end\n"
		"  return true\n"
		"end})\n"
		"local email = ask('Your email?', {id = 'email'})\n"
		"finish('Thanks!')\n");
	assert_int_equal(migrate(f, id), 1);
	assert_non_null(strstr(f->out, "cannot migrate"));
	assert_non_null(strstr(f->out, "seq 3:"));
	assert_non_null(strstr(f->out, "\"Al\""));
	assert_non_null(strstr(f->out, "rejects"));
	assert_unchanged(f, id, &before, nturns);
	proto_interview_free(&before);
}

static void test_migrate_refuses_a_rejected_answer_to_questions_without_ids(void **state)
{
	struct fixture *f = *state;
	char id[TOKEN_ID_LEN + 1];
	const char *msgs[] = { "Hello", "Al" };
	/* Nothing is recorded under an id, so only the host's ANSWER for every
	 * accepted answer tells "Al" was taken. */
	write_script(f, "contact",
		     "local name = ask('Your name?')\n"
		     "local email = ask('Your email?')\n"
		     "finish('Thanks!')\n");
	play_interview(f, "contact", msgs, 2, id);
	write_script(
		f, "contact",
		"local name = ask('Your name?', {validate = function(a)\n"
		"  if #a < 3 then note('short') return false, 'Please give your full name.' end\n"
		"  return true\n"
		"end})\n"
		"local email = ask('Your email?')\n"
		"finish('Thanks!')\n");
	assert_int_equal(migrate(f, id), 1);
	assert_non_null(strstr(f->out,
			       "seq 3: the candidate's answer \"Al\" was accepted, but the new "
			       "script rejects it"));
}

static void test_migrate_refuses_a_recorded_rejection_the_new_script_accepts(void **state)
{
	struct fixture *f = *state;
	char id[TOKEN_ID_LEN + 1];
	/* 1 Hello, 2 ask name, 3 Al, 4 note+hint+ask name, 5 ... */
	const char *msgs[] = { "Hello", "Al" };
	write_script(
		f, "contact",
		"local name = ask('Your name?', {id = 'name', validate = function(a)\n"
		"  if #a < 3 then note('short') return false, 'Please give your full name.' end\n"
		"  return true\n"
		"end})\n"
		"local email = ask('Your email?', {id = 'email'})\n"
		"finish('Thanks!')\n");
	play_interview(f, "contact", msgs, 2, id);
	write_script(f, "contact", CONTACT);
	assert_int_equal(migrate(f, id), 1);
	assert_non_null(strstr(f->out, "seq 3:"));
	assert_non_null(strstr(f->out, "accepts"));
}

static void test_migrate_allows_new_validation_that_accepts_the_recorded_answers(void **state)
{
	struct fixture *f = *state;
	char id[TOKEN_ID_LEN + 1];
	const char *msgs[] = { "Hello", "Alice" };
	write_script(f, "contact", CONTACT);
	play_interview(f, "contact", msgs, 2, id);
	write_script(
		f, "contact",
		"local name = ask('Your name?', {id = 'name', validate = function(a)\n"
		"  if #a < 3 then note('short') return false, 'Please give your full name.' end\n"
		"  return true\n"
		"end})\n"
		"local email = ask('Your e-mail address?', {id = 'email'})\n"
		"finish('Thanks!')\n");
	assert_int_equal(migrate(f, id), 0);
	assert_printed(f, "  seq 4: ask \"Your email?\" \u2192 ask \"Your e-mail address?\"\n");
	assert_non_null(strstr(f->out, "migrated"));
}

static void test_migrate_refuses_a_finished_interview(void **state)
{
	struct fixture *f = *state;
	char id[TOKEN_ID_LEN + 1];
	const char *msgs[] = { "Hello", "C", "Because" };
	write_script(f, "lang", V1);
	play_interview(f, "lang", msgs, 3, id);
	write_script(f, "lang", V2_WORDING);
	assert_int_equal(migrate(f, id), 1);
	assert_non_null(strstr(f->out, "has finished"));
}

static void test_migrate_after_script_error_replays_fixed_script_and_clears_error(void **state)
{
	struct fixture *f = *state;
	char id[TOKEN_ID_LEN + 1];
	const char *msgs[] = { "Hello" };
	write_script(f, "lang", V1_BUGGY);
	play_interview(f, "lang", msgs, 1, id);
	/* The candidate answered "Lua" and the script failed: the engine kept
	 * the error, not the message. */
	set_last_error(f, id, "scripts/lang.lua:3: attempt to concatenate a nil value");

	write_script(f, "lang", V1);
	assert_int_equal(migrate(f, id), 0);
	struct proto_interview after;
	get_interview(f, id, &after);
	char hash[TOKEN_DIGEST_HEX + 1];
	token_digest_hex(V1, strlen(V1), hash);
	assert_string_equal(after.script_hash, hash);
	assert_null(after.last_error);
	assert_null(after.last_traceback);
	proto_interview_free(&after);
}

int main(void)
{
	if (token_init() != 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_migrate_allows_wording_fix_and_switches_hash,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_migrate_allows_an_added_option_when_the_answer_keeps_its_meaning,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_migrate_refuses_an_option_number_that_now_means_another_option, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_migrate_refuses_an_option_number_past_the_new_list, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_migrate_refuses_an_answer_text_no_option_matches_any_more, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_migrate_refuses_an_answer_text_that_now_reads_as_a_number, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_migrate_refuses_new_options_in_the_question_being_answered, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_migrate_recomputes_the_results_and_says_what_changed, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_migrate_dry_run_shows_the_changes_and_writes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_migrate_refuses_when_a_recorded_answer_is_now_rejected, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_migrate_refuses_a_fixed_script_that_finishes_at_the_last_recorded_message,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_migrate_refuses_a_validate_that_rejects_a_recorded_answer_and_notes_it,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_migrate_refuses_a_rejected_answer_to_questions_without_ids, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_migrate_refuses_a_recorded_rejection_the_new_script_accepts, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_migrate_allows_new_validation_that_accepts_the_recorded_answers, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_migrate_refuses_a_finished_interview, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_migrate_after_script_error_replays_fixed_script_and_clears_error,
			setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
