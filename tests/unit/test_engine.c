/* Unit tests for engine.c: turns, errors and rebuilding from the transcript,
 * driven through engine_handle with a fake connection that records frames. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine.h"
#include "record.h"
#include "store.h"
#include "token.h"

struct fake {
	char *frames[64];
	int n;
	int broadcasts;
};

static void fake_reply(void *ctx, const char *frame, size_t len)
{
	struct fake *f = ctx;
	if (f->n < 64)
		f->frames[f->n++] = strndup(frame, len);
}

static void fake_broadcast(void *ctx, const char *id, const char *frame, size_t len)
{
	(void)id;
	struct fake *f = ctx;
	f->broadcasts++;
	fake_reply(ctx, frame, len);
}

static void fake_clear(struct fake *f)
{
	for (int i = 0; i < f->n; i++)
		free(f->frames[i]);
	f->n = 0;
	f->broadcasts = 0;
}

struct fixture {
	char dir[64];
	char scripts[96];
	struct store *st;
	struct engine *eng;
	char id[TOKEN_ID_LEN + 1];
	struct fake fake;
	struct engine_conn conn;
};

static const char SCRIPT[] =
	"say('Welcome')\n"
	"local a = ask('First?', {id='first'})\n"
	"local n = ask_number('Number?', {min=1, max=5})\n"
	"score('n', n)\n"
	"if a == 'boom' then error('exploded') end\n"
	"local c = choose('Pick', {'x','y'})\n"
	"finish('Bye ' .. a .. ' ' .. c)\n";

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof *fx);
	snprintf(fx->dir, sizeof fx->dir, "/tmp/iv-engine-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->scripts, sizeof fx->scripts, "%s/scripts", fx->dir);
	mkdir(fx->scripts, 0700);
	char path[160];
	snprintf(path, sizeof path, "%s/t.lua", fx->scripts);
	write_file(path, SCRIPT);
	char data[128], err[256];
	snprintf(data, sizeof data, "%s/data", fx->dir);
	assert_int_equal(store_open(&fx->st, data, NULL, err, sizeof err), 0);
	struct engine_options eo = { .store = fx->st };
	assert_int_equal(engine_open(&fx->eng, &eo), 0);
	char token[TOKEN_LEN + 1];
	assert_int_equal(record_create_interview(fx->st, "t", SCRIPT, strlen(SCRIPT), "Ada", fx->id, token, err,
						 sizeof err),
			 0);
	fx->conn = (struct engine_conn){ .reply = fake_reply, .broadcast = fake_broadcast,
					 .ctx = &fx->fake };
	memcpy(fx->conn.interview_id, fx->id, sizeof fx->id);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	fake_clear(&fx->fake);
	engine_close(fx->eng);
	store_close(fx->st);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", fx->dir);
	assert_int_equal(system(cmd), 0);
	free(fx);
	return 0;
}

static void send_msg(struct fixture *fx, const char *text, const char *cmid)
{
	char buf[512];
	if (cmid)
		snprintf(buf, sizeof buf,
			 "{\"action\":\"message\",\"interview_id\":\"%s\",\"message\":\"%s\","
			 "\"client_msg_id\":\"%s\"}",
			 fx->id, text, cmid);
	else
		snprintf(buf, sizeof buf, "{\"action\":\"message\",\"interview_id\":\"%s\",\"message\":\"%s\"}",
			 fx->id, text);
	fake_clear(&fx->fake);
	engine_handle(fx->eng, &fx->conn, buf, strlen(buf));
}

static void assert_frame_has(struct fixture *fx, int i, const char *needle)
{
	assert_true(i < fx->fake.n);
	if (!strstr(fx->fake.frames[i], needle))
		fail_msg("frame %d: %s\nlacks: %s", i, fx->fake.frames[i], needle);
}

/* Writes scripts/NAME.lua, creates an interview running it into id, and points
 * the fake connection at it. */
static void new_interview_with(struct fixture *fx, const char *name, const char *source,
			       char id[TOKEN_ID_LEN + 1])
{
	char path[160], err[256], token[TOKEN_LEN + 1];
	snprintf(path, sizeof path, "%s/%s.lua", fx->scripts, name);
	write_file(path, source);
	assert_int_equal(record_create_interview(fx->st, name, source, strlen(source), "", id, token, err,
						 sizeof err),
			 0);
	memcpy(fx->conn.interview_id, id, TOKEN_ID_LEN + 1);
}

static void test_first_message_starts_the_script_and_replies_are_broadcast(void **state)
{
	struct fixture *fx = *state;
	send_msg(fx, "Hello", NULL);
	assert_int_equal(fx->fake.n, 2);
	assert_int_equal(fx->fake.broadcasts, 2);
	assert_frame_has(fx, 0, "\"message\":\"Welcome\",\"type\":\"response\"");
	assert_frame_has(fx, 0, "\"seq\":2,\"kind\":\"say\"");
	assert_frame_has(fx, 1, "\"message\":\"First?\"");
	assert_frame_has(fx, 1, "\"kind\":\"ask\"");
}

static void test_restart_mid_interview_resumes_at_next_question(void **state)
{
	struct fixture *fx = *state;
	send_msg(fx, "Hello", NULL);
	send_msg(fx, "alpha", NULL);
	assert_frame_has(fx, 0, "Number?");
	/* A new engine over the same store: nothing in memory, only the transcript. */
	engine_close(fx->eng);
	struct engine_options eo = { .store = fx->st };
	assert_int_equal(engine_open(&fx->eng, &eo), 0);
	send_msg(fx, "3", NULL);
	assert_frame_has(fx, 0, "\"message\":\"Pick\"");
	assert_frame_has(fx, 0, "\"choices\":[\"x\",\"y\"]");
	send_msg(fx, "y", NULL);
	assert_frame_has(fx, 0, "Bye alpha y");
	assert_frame_has(fx, 0, "\"kind\":\"end\"");
	assert_frame_has(fx, 0, "\"done\":true");
	struct engine_stats es;
	engine_get_stats(fx->eng, &es);
	assert_int_equal(es.rebuilds, 1);

	struct proto_interview iv = { 0 };
	assert_int_equal(record_get_interview(fx->st, fx->id, &iv), 0);
	assert_int_equal(iv.status, PROTO_STATUS_FINISHED);
	assert_int_equal(iv.nscores, 1);
	assert_string_equal(iv.scores[0].name, "n");
	assert_true(iv.scores[0].value == 3);
	assert_int_equal(iv.nanswers, 1);
	assert_string_equal(iv.answers[0].text, "alpha");
	proto_interview_free(&iv);
}

static void test_message_to_finished_interview_is_refused(void **state)
{
	struct fixture *fx = *state;
	send_msg(fx, "Hello", NULL);
	send_msg(fx, "a", NULL);
	send_msg(fx, "2", NULL);
	send_msg(fx, "x", NULL);
	send_msg(fx, "more", NULL);
	assert_int_equal(fx->fake.n, 1);
	assert_frame_has(fx, 0, "\"code\":\"interview_finished\"");
	assert_int_equal(fx->fake.broadcasts, 0);
}

static void test_script_error_is_polite_and_recorded_and_nothing_is_kept(void **state)
{
	struct fixture *fx = *state;
	send_msg(fx, "Hello", NULL);
	send_msg(fx, "boom", NULL);
	send_msg(fx, "4", NULL);
	assert_int_equal(fx->fake.n, 1);
	assert_frame_has(fx, 0, "\"code\":\"script_error\"");
	assert_null(strstr(fx->fake.frames[0], "exploded")); /* no Lua details to the candidate */
	struct proto_interview iv = { 0 };
	assert_int_equal(record_get_interview(fx->st, fx->id, &iv), 0);
	assert_non_null(iv.last_error);
	assert_non_null(strstr(iv.last_error, "t.lua:5:"));
	assert_int_equal(iv.next_seq, 6); /* the failed message is not in the transcript */
	proto_interview_free(&iv);
	/* The same message fails again (the script is deterministic)... */
	send_msg(fx, "4", NULL);
	assert_frame_has(fx, 0, "\"code\":\"script_error\"");
}

static void test_repeated_client_msg_id_gets_original_replies_once(void **state)
{
	struct fixture *fx = *state;
	send_msg(fx, "Hello", "m1");
	send_msg(fx, "first", "m2");
	assert_int_equal(fx->fake.broadcasts, 1);
	send_msg(fx, "first", "m2");
	assert_int_equal(fx->fake.n, 1);
	assert_int_equal(fx->fake.broadcasts, 0);
	assert_frame_has(fx, 0, "\"message\":\"Number?\"");
	assert_frame_has(fx, 0, "\"repeat\":true");
	struct proto_interview iv = { 0 };
	assert_int_equal(record_get_interview(fx->st, fx->id, &iv), 0);
	assert_int_equal(iv.next_seq, 6); /* Hello, Welcome, First?, first, Number? */
	proto_interview_free(&iv);
}

static void test_other_interview_id_is_not_found(void **state)
{
	struct fixture *fx = *state;
	const char *m = "{\"action\":\"history\",\"interview_id\":\"0000000000000000\"}";
	fake_clear(&fx->fake);
	engine_handle(fx->eng, &fx->conn, m, strlen(m));
	assert_int_equal(fx->fake.n, 1);
	assert_frame_has(fx, 0, "\"type\":\"error\",\"interview_id\":\"0000000000000000\",\"code\":\"not_found\"");
}

static void test_history_lists_the_transcript_in_order(void **state)
{
	struct fixture *fx = *state;
	send_msg(fx, "Hello", NULL);
	char m[128];
	snprintf(m, sizeof m, "{\"action\":\"history\",\"interview_id\":\"%s\"}", fx->id);
	fake_clear(&fx->fake);
	engine_handle(fx->eng, &fx->conn, m, strlen(m));
	assert_int_equal(fx->fake.n, 1);
	assert_frame_has(fx, 0, "\"type\":\"history\"");
	assert_frame_has(fx, 0, "\"status\":\"active\"");
	const char *a = strstr(fx->fake.frames[0], "\"Hello\"");
	const char *b = strstr(fx->fake.frames[0], "\"Welcome\"");
	const char *c = strstr(fx->fake.frames[0], "\"First?\"");
	assert_true(a && b && c && a < b && b < c);
}

static void test_transcript_size_limit_refuses_without_recording(void **state)
{
	struct fixture *fx = *state;
	char path[160], err[256], token[TOKEN_LEN + 1];
	snprintf(path, sizeof path, "%s/loop.lua", fx->scripts);
	const char *loop = "while true do ask('more?') end\n";
	write_file(path, loop);
	assert_int_equal(record_create_interview(fx->st, "loop", loop, strlen(loop), "", fx->id, token, err,
						 sizeof err),
			 0);
	memcpy(fx->conn.interview_id, fx->id, sizeof fx->id);
	/* 100 KiB messages: the 16 MiB transcript bound is reached after 163. */
	size_t big = 100 * 1024;
	char *frame = malloc(big + 200);
	int n = snprintf(frame, 200, "{\"action\":\"message\",\"interview_id\":\"%s\",\"message\":\"", fx->id);
	memset(frame + n, 'a', big);
	strcpy(frame + n + big, "\"}");
	int accepted = 0;
	for (int i = 0; i < 200; i++) {
		fake_clear(&fx->fake);
		engine_handle(fx->eng, &fx->conn, frame, strlen(frame));
		if (fx->fake.broadcasts == 0)
			break;
		accepted++;
	}
	assert_int_equal(accepted, 163);
	assert_frame_has(fx, 0, "\"code\":\"too_large\"");
	struct proto_interview iv = { 0 };
	assert_int_equal(record_get_interview(fx->st, fx->id, &iv), 0);
	assert_int_equal(iv.next_seq, 1 + 2 * 163);
	proto_interview_free(&iv);
	free(frame);
}

static void test_results_growing_past_their_bound_fail_the_turn(void **state)
{
	struct fixture *fx = *state;
	new_interview_with(fx, "notes",
			   "while true do\n"
			   "  for i = 1, 4 do note(('n'):rep(16000)) end\n"
			   "  ask('more?')\n"
			   "end\n",
			   fx->id);
	int accepted = 0;
	for (int i = 0; i < 40; i++) {
		send_msg(fx, "go", NULL);
		if (fx->fake.broadcasts == 0)
			break;
		accepted++;
	}
	/* 64,000 bytes of notes a turn: the 17th would pass 1 MiB. */
	assert_int_equal(accepted, 16);
	assert_frame_has(fx, 0, "\"code\":\"script_error\"");
	struct proto_interview iv = { 0 };
	assert_int_equal(record_get_interview(fx->st, fx->id, &iv), 0);
	assert_int_equal(iv.nnotes, 64);
	assert_non_null(iv.last_error);
	assert_non_null(strstr(iv.last_error, "scripts/notes.lua: the interview's results"));
	proto_interview_free(&iv);
}

/* The wall clock is the one limit that depends on the machine's load: a rebuild
 * must not fail a turn that passed live because the replay ran on a busier or
 * slower moment. Here the engine that rebuilds allows 50 ms a turn and the
 * recorded opening turn takes several times that; it still resumes. */
static void test_rebuild_is_not_held_to_the_wall_clock(void **state)
{
	struct fixture *fx = *state;
	static const char slow[] = "local t = {}\n"
				   "for i = 1, 200000 do t[i] = (i * 7919) % 200003 end\n"
				   "for k = 1, 2 do\n"
				   "  for i = 1, #t do t[i] = (t[i] * 31 + k) % 200003 end\n"
				   "  table.sort(t)\n"
				   "end\n"
				   "local a = ask('Ready?')\n"
				   "finish('Done ' .. a)\n";
	new_interview_with(fx, "slow", slow, fx->id);
	send_msg(fx, "Hello", NULL);
	assert_frame_has(fx, 0, "Ready?");

	engine_close(fx->eng);
	struct engine_options eo = { .store = fx->st, .limits = { .milliseconds = 50 } };
	assert_int_equal(engine_open(&fx->eng, &eo), 0);
	/* The same opening turn, live, is over that limit: the replay really ran past it. */
	char first[TOKEN_ID_LEN + 1];
	memcpy(first, fx->id, sizeof first);
	new_interview_with(fx, "slow", slow, fx->id);
	send_msg(fx, "Hello", NULL);
	assert_frame_has(fx, 0, "\"code\":\"script_error\"");

	memcpy(fx->id, first, sizeof first);
	memcpy(fx->conn.interview_id, first, sizeof first);
	send_msg(fx, "yes", NULL);
	assert_frame_has(fx, 0, "Done yes");
	assert_frame_has(fx, 0, "\"done\":true");
}

/* ---- observer, sync, forget --------------------------------------------- */

struct seen {
	int turns, errors;
	uint64_t first_seq[8];
	size_t n[8];
	enum proto_status status[8];
	bool finished[8];
	char last_error[128];
};

static void seen_turn(void *ctx, const struct proto_interview *iv, const struct proto_turn *t,
		      size_t n, bool finished)
{
	struct seen *s = ctx;
	if (s->turns < 8) {
		s->first_seq[s->turns] = t[0].seq;
		s->n[s->turns] = n;
		s->status[s->turns] = iv->status;
		s->finished[s->turns] = finished;
	}
	s->turns++;
}

static void seen_error(void *ctx, const struct proto_interview *iv)
{
	struct seen *s = ctx;
	s->errors++;
	snprintf(s->last_error, sizeof s->last_error, "%s", iv->last_error ? iv->last_error : "");
}

static void test_the_observer_sees_each_committed_turn_in_order_and_the_finish(void **state)
{
	struct fixture *fx = *state;
	struct seen seen = { 0 };
	struct engine_observer o = { .turn = seen_turn, .script_error = seen_error, .ctx = &seen };
	engine_set_observer(fx->eng, &o);
	send_msg(fx, "Hello", NULL);
	send_msg(fx, "alpha", NULL);
	send_msg(fx, "9", NULL); /* out of range: asked again, still a turn */
	send_msg(fx, "3", NULL);
	send_msg(fx, "y", NULL);
	send_msg(fx, "after the end", NULL); /* refused: no turn */
	assert_int_equal(seen.turns, 5);
	assert_int_equal(seen.first_seq[0], 1);
	assert_int_equal(seen.n[0], 3); /* Hello, Welcome, First? */
	assert_int_equal(seen.status[0], PROTO_STATUS_ACTIVE);
	for (int i = 1; i < 5; i++)
		assert_int_equal(seen.first_seq[i], seen.first_seq[i - 1] + seen.n[i - 1]);
	for (int i = 0; i < 4; i++)
		assert_false(seen.finished[i]);
	assert_true(seen.finished[4]);
	assert_int_equal(seen.status[4], PROTO_STATUS_FINISHED);
	assert_int_equal(seen.errors, 0);
	engine_set_observer(fx->eng, NULL);
	send_msg(fx, "ignored", NULL);
	assert_int_equal(seen.turns, 5);
}

static void test_the_observer_hears_of_a_script_error_once_it_is_recorded(void **state)
{
	struct fixture *fx = *state;
	struct seen seen = { 0 };
	struct engine_observer o = { .turn = seen_turn, .script_error = seen_error, .ctx = &seen };
	engine_set_observer(fx->eng, &o);
	send_msg(fx, "Hello", NULL);
	send_msg(fx, "boom", NULL);
	send_msg(fx, "2", NULL);
	assert_int_equal(seen.turns, 2);
	assert_int_equal(seen.errors, 1);
	assert_non_null(strstr(seen.last_error, "exploded"));
}

static void count_call(void *arg)
{
	(*(int *)arg)++;
}

static void test_forget_drops_the_cached_state_and_sync_runs_its_function(void **state)
{
	struct fixture *fx = *state;
	struct engine_stats es;
	int calls = 0;
	engine_sync(fx->eng, fx->id, count_call, &calls);
	engine_sync(fx->eng, "0123456789abcdef", count_call, &calls);
	assert_int_equal(calls, 2);
	engine_forget(fx->eng, "0123456789abcdef"); /* none: nothing happens */
	send_msg(fx, "Hello", NULL);
	send_msg(fx, "alpha", NULL);
	engine_get_stats(fx->eng, &es);
	assert_int_equal(es.rebuilds, 1);
	engine_forget(fx->eng, fx->id);
	send_msg(fx, "3", NULL);
	assert_frame_has(fx, 0, "\"message\":\"Pick\"");
	engine_get_stats(fx->eng, &es);
	assert_int_equal(es.rebuilds, 2); /* the state was gone: rebuilt from the store */
}

int main(void)
{
	token_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_first_message_starts_the_script_and_replies_are_broadcast, setup, teardown),
		cmocka_unit_test_setup_teardown(test_the_observer_sees_each_committed_turn_in_order_and_the_finish, setup, teardown),
		cmocka_unit_test_setup_teardown(test_the_observer_hears_of_a_script_error_once_it_is_recorded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forget_drops_the_cached_state_and_sync_runs_its_function, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_mid_interview_resumes_at_next_question, setup, teardown),
		cmocka_unit_test_setup_teardown(test_message_to_finished_interview_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_script_error_is_polite_and_recorded_and_nothing_is_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_repeated_client_msg_id_gets_original_replies_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_interview_id_is_not_found, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history_lists_the_transcript_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transcript_size_limit_refuses_without_recording, setup, teardown),
		cmocka_unit_test_setup_teardown(test_results_growing_past_their_bound_fail_the_turn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rebuild_is_not_held_to_the_wall_clock, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
