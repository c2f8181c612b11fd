/* test_replay: replay and migrate against a real store in a temp data dir.
 *
 * Interviews are played the way the engine plays them (pinned source, one
 * feed per candidate message, every bot message a turn) by a small helper
 * here, then the commands run as the CLI runs them, with their output
 * captured. The test closes its store before each command: LMDB must not be
 * opened twice by one process. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"

#include "record.h"
#include "replay.h"
#include "script.h"
#include "scriptdir.h"

#define V1 "say('Welcome!')\n"                                                    \
	   "local lang = choose('Which language?', {'C', 'Lua'}, {id = 'lang'})\n" \
	   "local why = ask('Why ' .. lang .. '?', {id = 'why'})\n"               \
	   "finish('Thanks!')\n"
/* A wording fix in an already-sent question: allowed. */
#define V2_WORDING "say('Welcome!')\n"                                                    \
		   "local lang = choose('Which language?', {'C', 'Lua'}, {id = 'lang'})\n" \
		   "local why = ask('Why do you like ' .. lang .. '?', {id = 'why'})\n"   \
		   "finish('Thanks!')\n"
/* Another option in an answered choose: structural. */
#define V2_OPTIONS "say('Welcome!')\n"                                                           \
		   "local lang = choose('Which language?', {'C', 'Lua', 'Go'}, {id = 'lang'})\n" \
		   "local why = ask('Why ' .. lang .. '?', {id = 'why'})\n"                      \
		   "finish('Thanks!')\n"
/* Fails on "Lua", as a live script might. */
#define V1_BUGGY "say('Welcome!')\n"                                                    \
		 "local lang = choose('Which language?', {'C', 'Lua'}, {id = 'lang'})\n" \
		 "if lang == 'Lua' then lang = nil .. 'x' end\n"                          \
		 "local why = ask('Why ' .. lang .. '?', {id = 'why'})\n"               \
		 "finish('Thanks!')\n"

/* Two text questions of the same shape: only their place tells them apart. */
#define CONTACT "local name = ask('Your name?', {id = 'name'})\n"   \
		"local email = ask('Your email?', {id = 'email'})\n" \
		"finish('Thanks!')\n"

struct fixture {
	char data[64];
	char scripts[64];
	char out[16384];
};

/* --- helpers ------------------------------------------------------------ */

static void write_script(struct fixture *f, const char *name, const char *text)
{
	char file[128];
	snprintf(file, sizeof file, "%s.lua", name);
	fixture_write_file(f->scripts, file, text);
}

static struct store *open_store(struct fixture *f)
{
	struct store *st = NULL;
	char err[256] = "";
	struct store_options opt = { 0 };
	assert_int_equal(store_open(&st, f->data, &opt, err, sizeof err), 0);
	return st;
}

static char *dup_s(const char *s)
{
	char *d = strdup(s);
	assert_non_null(d);
	return d;
}

/* Creates an interview of scripts/NAME.lua and plays msgs into it as the
 * engine would. Returns the id in id. */
static void play_interview(struct fixture *f, const char *name, const char **msgs, size_t n,
			   char id[TOKEN_ID_LEN + 1])
{
	struct store *st = open_store(f);
	char token[TOKEN_LEN + 1], err[256] = "";
	char *src = NULL;
	size_t len = 0;
	assert_int_equal(scriptdir_load(f->scripts, name, &src, &len, err, sizeof err), 0);
	assert_int_equal(record_create_interview(st, name, src, len, "Ada", id, token, err, sizeof err), 0);
	free(src);
	struct proto_interview iv = { 0 };
	assert_int_equal(record_get_interview(st, id, &iv), 0);
	assert_int_equal(record_get_script(st, iv.script_hash, &src, &len), 0);
	char chunk[128];
	snprintf(chunk, sizeof chunk, "scripts/%s.lua", name);
	struct script_env env = { .interview_id = id, .candidate_name = "Ada", .seed = token_seed(id) };
	struct script *s = NULL;
	struct script_error se;
	assert_int_equal(script_open(&s, chunk, src, len, &env, &se), 0);
	struct store_batch *b = store_batch_new();
	assert_non_null(b);
	uint64_t seq = 1;
	for (size_t i = 0; i < n; i++) {
		struct script_output out = { 0 };
		assert_int_equal(script_feed(s, msgs[i], strlen(msgs[i]), &out, &se), 0);
		struct proto_turn t = { .seq = seq++, .role = PROTO_ROLE_CANDIDATE,
					.kind = PROTO_KIND_MESSAGE, .text = dup_s(msgs[i]) };
		assert_int_equal(record_batch_turn(b, id, &t), 0);
		proto_turn_free(&t);
		for (size_t k = 0; k < out.n; k++) {
			const struct script_event *ev = &out.events[k];
			if (ev->kind != SCRIPT_EV_SAY && ev->kind != SCRIPT_EV_ASK &&
			    ev->kind != SCRIPT_EV_END)
				continue;
			enum proto_kind kind = ev->kind == SCRIPT_EV_SAY   ? PROTO_KIND_SAY
					       : ev->kind == SCRIPT_EV_ASK ? PROTO_KIND_ASK
									   : PROTO_KIND_END;
			struct proto_turn bt = { .seq = seq++, .role = PROTO_ROLE_BOT, .kind = kind,
						 .text = dup_s(ev->text), .choices = ev->choices,
						 .nchoices = ev->nchoices };
			assert_int_equal(record_batch_turn(b, id, &bt), 0);
			bt.choices = NULL; /* borrowed */
			bt.nchoices = 0;
			proto_turn_free(&bt);
		}
		iv.status = out.finished ? PROTO_STATUS_FINISHED : PROTO_STATUS_ACTIVE;
		script_output_free(&out);
	}
	iv.next_seq = seq;
	assert_int_equal(record_batch_interview(b, &iv), 0);
	assert_int_equal(store_commit(st, b, err, sizeof err), 0);
	store_batch_free(b);
	script_close(s);
	free(src);
	proto_interview_free(&iv);
	store_close(st);
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

static int replay(struct fixture *f, const char *name)
{
	char *argv[] = { "replay", (char *)name, "--data", f->data, "--scripts", f->scripts, NULL };
	return fixture_capture(replay_cmd, 6, argv, f->out, sizeof f->out);
}

static int migrate(struct fixture *f, const char *id)
{
	char *argv[] = { "migrate", (char *)id, "--data", f->data, "--scripts", f->scripts, NULL };
	return fixture_capture(replay_migrate_cmd, 6, argv, f->out, sizeof f->out);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	assert_non_null(f);
	strcpy(f->data, "/tmp/interviewd-replay-data-XXXXXX");
	strcpy(f->scripts, "/tmp/interviewd-replay-scripts-XXXXXX");
	assert_non_null(mkdtemp(f->data));
	assert_non_null(mkdtemp(f->scripts));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	fixture_remove_tree(f->data);
	fixture_remove_tree(f->scripts);
	free(f);
	return 0;
}

/* --- replay ------------------------------------------------------------- */

static void test_replay_of_unchanged_script_is_same(void **state)
{
	struct fixture *f = *state;
	char id[TOKEN_ID_LEN + 1];
	const char *msgs[] = { "Hello", "C", "Because it is fast" };
	write_script(f, "lang", V1);
	play_interview(f, "lang", msgs, 3, id);
	assert_int_equal(replay(f, "lang"), 0);
	char want[64];
	snprintf(want, sizeof want, "%s: same\n", id);
	assert_non_null(strstr(f->out, want));
}

static void test_replay_reports_first_divergent_turn_at_its_seq(void **state)
{
	struct fixture *f = *state;
	char id[TOKEN_ID_LEN + 1];
	/* 1 Hello, 2 say, 3 ask, 4 C, 5 ask "Why C?", 6 answer, 7 end */
	const char *msgs[] = { "Hello", "C", "Because it is fast" };
	write_script(f, "lang", V1);
	play_interview(f, "lang", msgs, 3, id);
	write_script(f, "lang", V2_WORDING);
	assert_int_equal(replay(f, "lang"), 1);
	char want[256];
	snprintf(want, sizeof want,
		 "%s: differs at seq 5: recorded ask \"Why C?\" / now ask \"Why do you like C?\"", id);
	assert_non_null(strstr(f->out, want));
}

static void test_replay_names_the_error_line_of_the_edited_script(void **state)
{
	struct fixture *f = *state;
	char id[TOKEN_ID_LEN + 1];
	const char *msgs[] = { "Hello", "Lua", "Small and embeddable" };
	write_script(f, "lang", V1);
	play_interview(f, "lang", msgs, 3, id);
	write_script(f, "lang", V1_BUGGY);
	assert_int_equal(replay(f, "lang"), 1);
	assert_non_null(strstr(f->out, "differs at seq 5: recorded ask \"Why Lua?\" / now error "));
	assert_non_null(strstr(f->out, "lang.lua:3:"));
}

/* An edited script is held to the server's limits: one that would pile up
 * more than 1 MiB of notes differs where the server would refuse the turn. */
static void test_replay_reports_an_edit_that_passes_the_results_bound(void **state)
{
	struct fixture *f = *state;
	char id[TOKEN_ID_LEN + 1];
	/* 1 Hello, 2 ask A?, 3 x, 4 ask B?, 5 y, 6 end */
	const char *msgs[] = { "Hello", "x", "y" };
	write_script(f, "notes", "local a = ask('A?')\nlocal b = ask('B?')\nfinish('ok')\n");
	play_interview(f, "notes", msgs, 3, id);
	write_script(f, "notes", "local a = ask('A?')\n"
				 "for i = 1, 40 do note(('n'):rep(16000)) end\n"
				 "local b = ask('B?')\n"
				 "for i = 1, 40 do note(('n'):rep(16000)) end\n"
				 "finish('ok')\n");
	assert_int_equal(replay(f, "notes"), 1);
	char want[512];
	snprintf(want, sizeof want,
		 "%s: differs at seq 6: recorded end \"ok\" / now error %s/notes.lua: the interview's "
		 "results (notes, scores, answers, tags) would pass 1024 KiB; keep notes short",
		 id, f->scripts);
	assert_non_null(strstr(f->out, want));
}

/* --- migrate ------------------------------------------------------------ */

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
	snprintf(want, sizeof want, "migrated %s to %.12s\n", id, hash);
	assert_non_null(strstr(f->out, want));
	assert_non_null(strstr(f->out, "note: seq 5: recorded ask \"Why C?\" / now ask \"Why do you like C?\""));
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

static void test_migrate_refuses_changed_options_and_leaves_interview_untouched(void **state)
{
	struct fixture *f = *state;
	char id[TOKEN_ID_LEN + 1];
	const char *msgs[] = { "Hello", "C" };
	write_script(f, "lang", V1);
	play_interview(f, "lang", msgs, 2, id);
	struct proto_interview before;
	get_interview(f, id, &before);
	size_t nturns = transcript_len(f, id);
	write_script(f, "lang", V2_OPTIONS);
	assert_int_equal(migrate(f, id), 1);
	assert_non_null(strstr(f->out, "cannot migrate"));
	assert_non_null(strstr(f->out, "seq 3:")); /* the choose the candidate answered */
	struct proto_interview after;
	get_interview(f, id, &after);
	assert_string_equal(after.script_hash, before.script_hash);
	assert_int_equal(after.updated, before.updated);
	assert_int_equal(after.next_seq, before.next_seq);
	assert_int_equal(transcript_len(f, id), nturns);
	proto_interview_free(&before);
	proto_interview_free(&after);
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

static void test_migrate_refuses_a_fixed_script_that_finishes_at_the_last_recorded_message(void **state)
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
	write_script(f, "contact", "local name = ask('Your name?', {id = 'name'})\nfinish('Thanks!')\n");
	assert_int_equal(migrate(f, id), 1);
	assert_non_null(strstr(f->out, "cannot migrate"));
	assert_non_null(strstr(f->out, "seq 3:"));
	assert_non_null(strstr(f->out, "finishes"));
	assert_unchanged(f, id, &before, nturns);
	proto_interview_free(&before);
}

static void test_migrate_refuses_a_validate_that_rejects_a_recorded_answer_and_notes_it(void **state)
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
	write_script(f, "contact",
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
	write_script(f, "contact", "local name = ask('Your name?')\n"
				   "local email = ask('Your email?')\n"
				   "finish('Thanks!')\n");
	play_interview(f, "contact", msgs, 2, id);
	write_script(f, "contact",
		     "local name = ask('Your name?', {validate = function(a)\n"
		     "  if #a < 3 then note('short') return false, 'Please give your full name.' end\n"
		     "  return true\n"
		     "end})\n"
		     "local email = ask('Your email?')\n"
		     "finish('Thanks!')\n");
	assert_int_equal(migrate(f, id), 1);
	assert_non_null(strstr(f->out, "seq 3: the candidate's answer \"Al\" was accepted, but the new "
				       "script rejects it"));
}

static void test_migrate_refuses_a_recorded_rejection_the_new_script_accepts(void **state)
{
	struct fixture *f = *state;
	char id[TOKEN_ID_LEN + 1];
	/* 1 Hello, 2 ask name, 3 Al, 4 note+hint+ask name, 5 ... */
	const char *msgs[] = { "Hello", "Al" };
	write_script(f, "contact",
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
	write_script(f, "contact",
		     "local name = ask('Your name?', {id = 'name', validate = function(a)\n"
		     "  if #a < 3 then note('short') return false, 'Please give your full name.' end\n"
		     "  return true\n"
		     "end})\n"
		     "local email = ask('Your e-mail address?', {id = 'email'})\n"
		     "finish('Thanks!')\n");
	assert_int_equal(migrate(f, id), 0);
	assert_non_null(strstr(f->out, "note: seq 4: recorded ask \"Your email?\" / now ask \"Your e-mail address?\""));
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
		cmocka_unit_test_setup_teardown(test_replay_of_unchanged_script_is_same, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay_reports_first_divergent_turn_at_its_seq, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay_names_the_error_line_of_the_edited_script, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay_reports_an_edit_that_passes_the_results_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_allows_wording_fix_and_switches_hash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_refuses_changed_options_and_leaves_interview_untouched, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_refuses_when_a_recorded_answer_is_now_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_refuses_a_fixed_script_that_finishes_at_the_last_recorded_message, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_refuses_a_validate_that_rejects_a_recorded_answer_and_notes_it, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_refuses_a_rejected_answer_to_questions_without_ids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_refuses_a_recorded_rejection_the_new_script_accepts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_allows_new_validation_that_accepts_the_recorded_answers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_refuses_a_finished_interview, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_after_script_error_replays_fixed_script_and_clears_error, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
