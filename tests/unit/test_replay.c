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
#include "turn.h"

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
 * engine does (turn_begin, turn_apply: the transcript and the results), in one
 * commit. Returns the id in id. */
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
	struct script_env env = { .interview_id = id, .candidate_name = "Ada", .seed = token_seed(id),
				  .api_level = iv.api_level };
	struct script *s = NULL;
	struct script_error se;
	assert_int_equal(script_open(&s, chunk, src, len, &env, &se), 0);
	struct store_batch *b = store_batch_new();
	assert_non_null(b);
	char *section = NULL;
	for (size_t i = 0; i < n; i++) {
		struct script_output out = { 0 };
		struct turn t = { 0 };
		assert_int_equal(script_feed(s, msgs[i], strlen(msgs[i]), &out, &se), 0);
		assert_int_equal(turn_begin(&t, &iv, section, msgs[i], NULL, 1000 + (int64_t)i), 0);
		assert_int_equal(turn_apply(&t, &iv, &section, &out), 0);
		for (size_t k = 0; k < t.n; k++)
			assert_int_equal(record_batch_turn(b, id, &t.v[k]), 0);
		turn_free(&t);
		script_output_free(&out);
	}
	assert_int_equal(record_batch_interview(b, &iv), 0);
	assert_int_equal(store_commit(st, b, err, sizeof err), 0);
	store_batch_free(b);
	free(section);
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

static int replay_args(struct fixture *f, const char *name, bool json)
{
	char *argv[] = { "replay", (char *)name, "--data", f->data, "--scripts", f->scripts,
			 "--json", NULL };
	return fixture_capture(replay_cmd, json ? 7 : 6, argv, f->out, sizeof f->out);
}

static int replay(struct fixture *f, const char *name) { return replay_args(f, name, false); }

static int migrate_args(struct fixture *f, const char *id, bool dry_run)
{
	char *argv[] = { "migrate", (char *)id, "--data", f->data, "--scripts", f->scripts,
			 "--dry-run", NULL };
	return fixture_capture(replay_migrate_cmd, dry_run ? 7 : 6, argv, f->out, sizeof f->out);
}

static int migrate(struct fixture *f, const char *id) { return migrate_args(f, id, false); }

/* f->out contains the text fmt builds. */
__attribute__((format(printf, 2, 3))) static void assert_printed(struct fixture *f,
								   const char *fmt, ...)
{
	char want[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(want, sizeof want, fmt, ap);
	va_end(ap);
	if (!strstr(f->out, want))
		fail_msg("expected \"%s\" in:\n%s", want, f->out);
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

/* A scored interview: the edit that prompted the issue changes the score only. */
#define SCORED(points, note_fmt)                                                \
	"local lang = choose('Which language?', {'C', 'Lua'}, {id = 'lang'})\n" \
	"local years = ask_number('How many years?', {id = 'years'})\n"         \
	"score('fit', years * " points ")\n"                                    \
	"note(" note_fmt ")\n"                                                  \
	"if years > 5 then tag('senior') else tag('junior') end\n"              \
	"local why = ask('Why ' .. lang .. '?', {id = 'why'})\n"                \
	"finish('Thanks!')\n"

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
