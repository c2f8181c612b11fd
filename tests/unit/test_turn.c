/* Unit tests for turn.c: a script's output becomes the transcript entries and
 * results the engine records, and the limits every command shares refuse a
 * turn before anything changes. Outputs are built by hand, as the script host
 * would emit them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "turn.h"

/* --- building outputs ----------------------------------------------------- */

struct builder {
	struct script_event ev[80];
	struct script_output out;
};

static void add(struct builder *b, enum script_event_kind kind, const char *name, const char *text)
{
	assert_true(b->out.n < 80);
	struct script_event *e = &b->ev[b->out.n++];
	memset(e, 0, sizeof *e);
	e->kind = kind;
	e->name = name ? strdup(name) : NULL;
	e->text = text ? strdup(text) : NULL;
	b->out.events = b->ev;
}

static void add_score(struct builder *b, const char *name, double v)
{
	add(b, SCRIPT_EV_SCORE, name, NULL);
	b->ev[b->out.n - 1].number = v;
}

static void builder_free(struct builder *b)
{
	for (size_t i = 0; i < b->out.n; i++) {
		free(b->ev[i].name);
		free(b->ev[i].text);
	}
	memset(b, 0, sizeof *b);
}

static void new_interview(struct proto_interview *iv)
{
	memset(iv, 0, sizeof *iv);
	iv->next_seq = 1;
}

/* --- tests ---------------------------------------------------------------- */

static void test_bot_messages_follow_the_candidate_in_their_sections(void **state)
{
	(void)state;
	struct proto_interview iv;
	new_interview(&iv);
	iv.next_seq = 7;
	struct builder b = { 0 };
	add(&b, SCRIPT_EV_SAY, NULL, "Welcome");
	add(&b, SCRIPT_EV_SECTION, "skills", NULL);
	add(&b, SCRIPT_EV_ASK, NULL, "Which?");
	char *choices[] = { "C", "Lua" };
	b.ev[2].choices = choices;
	b.ev[2].nchoices = 2;

	char *section = strdup("intro");
	struct turn t = { 0 };
	assert_int_equal(turn_begin(&t, &iv, section, "Hello", "m1", 1234), TURN_OK);
	assert_int_equal(turn_apply(&t, &iv, &section, &b.out), TURN_OK);
	b.ev[2].choices = NULL;
	b.ev[2].nchoices = 0;

	assert_int_equal(t.n, 3);
	assert_int_equal(t.v[0].seq, 7);
	assert_int_equal(t.v[0].role, PROTO_ROLE_CANDIDATE);
	assert_int_equal(t.v[0].kind, PROTO_KIND_MESSAGE);
	assert_string_equal(t.v[0].text, "Hello");
	assert_string_equal(t.v[0].client_msg_id, "m1");
	assert_string_equal(t.v[0].section, "intro");
	assert_int_equal(t.v[1].seq, 8);
	assert_int_equal(t.v[1].role, PROTO_ROLE_BOT);
	assert_int_equal(t.v[1].kind, PROTO_KIND_SAY);
	assert_string_equal(t.v[1].section, "intro");
	assert_int_equal(t.v[2].seq, 9);
	assert_int_equal(t.v[2].kind, PROTO_KIND_ASK);
	assert_string_equal(t.v[2].section, "skills");
	assert_int_equal(t.v[2].nchoices, 2);
	assert_string_equal(t.v[2].choices[1], "Lua");
	assert_true(t.v[2].ts == 1234);
	assert_string_equal(section, "skills");
	assert_int_equal(iv.next_seq, 10);
	assert_int_equal(iv.status, PROTO_STATUS_ACTIVE);
	assert_true(iv.updated == 1234);
	assert_false(t.finished);

	turn_free(&t);
	free(section);
	builder_free(&b);
	proto_interview_free(&iv);
}

static void test_results_are_kept_as_the_record_keeps_them(void **state)
{
	(void)state;
	struct proto_interview iv;
	new_interview(&iv);
	iv.last_error = strdup("scripts/x.lua:3: boom");
	struct builder b = { 0 };
	add_score(&b, "fit", 2);
	add_score(&b, "fit", 4); /* a score set again is replaced */
	add(&b, SCRIPT_EV_TAG, "senior", NULL);
	add(&b, SCRIPT_EV_TAG, "senior", NULL); /* tags are a set */
	add(&b, SCRIPT_EV_NOTE, NULL, "good");
	add(&b, SCRIPT_EV_NOTE, NULL, "good"); /* notes are a list */
	add(&b, SCRIPT_EV_ANSWER, "lang", "C");
	add(&b, SCRIPT_EV_ANSWER, "", "free text"); /* no id: not kept */
	add(&b, SCRIPT_EV_END, NULL, "Bye");
	b.out.finished = true;

	char *section = NULL;
	struct turn t = { 0 };
	assert_int_equal(turn_begin(&t, &iv, section, "Hello", NULL, 5), TURN_OK);
	assert_int_equal(turn_apply(&t, &iv, &section, &b.out), TURN_OK);
	assert_int_equal(iv.nscores, 1);
	assert_true(iv.scores[0].value == 4);
	assert_int_equal(iv.ntags, 1);
	assert_int_equal(iv.nnotes, 2);
	assert_int_equal(iv.nanswers, 1);
	assert_string_equal(iv.answers[0].id, "lang");
	assert_string_equal(iv.answers[0].text, "C");
	assert_int_equal(iv.status, PROTO_STATUS_FINISHED);
	assert_true(t.finished);
	assert_null(iv.last_error); /* a turn that went through clears the last error */
	assert_null(t.v[0].client_msg_id);
	assert_null(t.v[1].section);

	turn_free(&t);
	builder_free(&b);
	proto_interview_free(&iv);
}

static void test_results_past_their_bound_refuse_the_turn_and_change_nothing(void **state)
{
	(void)state;
	struct proto_interview iv;
	new_interview(&iv);
	char *big = malloc(16001);
	memset(big, 'n', 16000);
	big[16000] = '\0';
	/* 64 notes of 16,000 bytes fit in 1 MiB; the 66th does not. */
	struct builder b = { 0 };
	for (int i = 0; i < 64; i++)
		add(&b, SCRIPT_EV_NOTE, NULL, big);
	struct turn t = { 0 };
	char *section = NULL;
	assert_int_equal(turn_begin(&t, &iv, NULL, "a", NULL, 0), TURN_OK);
	assert_int_equal(turn_apply(&t, &iv, &section, &b.out), TURN_OK);
	turn_free(&t);
	builder_free(&b);

	add(&b, SCRIPT_EV_SAY, NULL, "more");
	add(&b, SCRIPT_EV_NOTE, NULL, big);
	add(&b, SCRIPT_EV_NOTE, NULL, big);
	assert_int_equal(turn_begin(&t, &iv, NULL, "b", NULL, 0), TURN_OK);
	uint64_t next = iv.next_seq;
	assert_int_equal(turn_apply(&t, &iv, &section, &b.out), TURN_ERESULTS);
	assert_int_equal(iv.nnotes, 64);
	assert_int_equal(iv.next_seq, next);
	assert_int_equal(t.n, 1); /* no bot message either */

	turn_free(&t);
	builder_free(&b);
	free(big);
	proto_interview_free(&iv);
}

static void test_a_full_transcript_takes_no_message(void **state)
{
	(void)state;
	struct turn_log log = { 0 };
	assert_int_equal(turn_log_room(&log, 10), TURN_OK);
	assert_int_equal(turn_log_room(&log, TURN_MAX_MESSAGE), TURN_OK);
	assert_int_equal(turn_log_room(&log, TURN_MAX_MESSAGE + 1), TURN_EMESSAGE);

	log.n = TURN_MAX_ENTRIES - 1;
	assert_int_equal(turn_log_room(&log, 1), TURN_OK);
	log.n = TURN_MAX_ENTRIES;
	assert_int_equal(turn_log_room(&log, 1), TURN_EENTRIES);

	log.n = 1;
	log.bytes = TURN_MAX_TEXT - 10;
	assert_int_equal(turn_log_room(&log, 10), TURN_OK);
	assert_int_equal(turn_log_room(&log, 11), TURN_ETEXT);
}

static void test_appending_moves_the_turn_and_counts_its_text(void **state)
{
	(void)state;
	struct proto_interview iv;
	new_interview(&iv);
	struct builder b = { 0 };
	add(&b, SCRIPT_EV_ASK, NULL, "Why?");
	struct turn_log log = { 0 };
	for (int i = 0; i < 40; i++) {
		struct turn t = { 0 };
		char *section = NULL;
		assert_int_equal(turn_begin(&t, &iv, NULL, "hello", NULL, 0), TURN_OK);
		assert_int_equal(turn_apply(&t, &iv, &section, &b.out), TURN_OK);
		assert_int_equal(turn_log_append(&log, &t), TURN_OK);
		assert_int_equal(t.n, 0);
		assert_null(t.v);
	}
	assert_int_equal(log.n, 80);
	assert_int_equal(log.bytes, 40 * (5 + 4));
	for (size_t i = 0; i < log.n; i++)
		assert_int_equal(log.v[i].seq, i + 1);
	turn_log_free(&log);
	builder_free(&b);
	proto_interview_free(&iv);
}

static void test_errors_have_distinct_codes_and_sentences(void **state)
{
	(void)state;
	const int codes[] = { TURN_ENOMEM, TURN_EENTRIES, TURN_ETEXT, TURN_EMESSAGE, TURN_ERESULTS };
	size_t n = sizeof codes / sizeof codes[0];
	for (size_t i = 0; i < n; i++) {
		assert_true(codes[i] <= -600 && codes[i] > -700);
		assert_string_not_equal(turn_strerror(codes[i]), "unknown error");
		for (size_t k = 0; k < i; k++) {
			assert_int_not_equal(codes[i], codes[k]);
			assert_string_not_equal(turn_strerror(codes[i]), turn_strerror(codes[k]));
		}
	}
	assert_string_equal(turn_strerror(-21), "unknown error");

	struct script_error e;
	turn_describe(&e, "scripts/notes.lua", TURN_ERESULTS);
	assert_int_equal(e.code, TURN_ERESULTS);
	assert_string_equal(e.message, "scripts/notes.lua: the interview's results (notes, scores, "
				       "answers, tags) would pass 1024 KiB; keep notes short");
	assert_string_equal(e.traceback, e.message);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bot_messages_follow_the_candidate_in_their_sections),
		cmocka_unit_test(test_results_are_kept_as_the_record_keeps_them),
		cmocka_unit_test(test_results_past_their_bound_refuse_the_turn_and_change_nothing),
		cmocka_unit_test(test_a_full_transcript_takes_no_message),
		cmocka_unit_test(test_appending_moves_the_turn_and_counts_its_text),
		cmocka_unit_test(test_errors_have_distinct_codes_and_sentences),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
