/* replay_fixture: recorded interviews for test_replay and test_migrate.
 *
 * A data directory and a scripts directory per test; interviews played the
 * way the engine plays them (pinned source, one feed per candidate message,
 * every bot message a turn) by a small helper here, so the commands under
 * test find them as the server would have left them; the scripts both tests
 * edit. Header-only, test code only; include after cmocka.h. The test closes
 * its store before each command: LMDB must not be opened twice by one
 * process. */
#ifndef INTERVIEWD_TEST_REPLAY_FIXTURE_H
#define INTERVIEWD_TEST_REPLAY_FIXTURE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"

#include "record.h"
#include "script.h"
#include "scriptdir.h"
#include "turn.h"

#define V1 "say('Welcome!')\n"                                                    \
	   "local lang = choose('Which language?', {'C', 'Lua'}, {id = 'lang'})\n" \
	   "local why = ask('Why ' .. lang .. '?', {id = 'why'})\n"               \
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

/* A scored interview: the edit that prompted the issue changes the score only. */
#define SCORED(points, note_fmt)                                                \
	"local lang = choose('Which language?', {'C', 'Lua'}, {id = 'lang'})\n" \
	"local years = ask_number('How many years?', {id = 'years'})\n"         \
	"score('fit', years * " points ")\n"                                    \
	"note(" note_fmt ")\n"                                                  \
	"if years > 5 then tag('senior') else tag('junior') end\n"              \
	"local why = ask('Why ' .. lang .. '?', {id = 'why'})\n"                \
	"finish('Thanks!')\n"

struct fixture {
	char data[64];
	char scripts[64];
	char out[16384];
};

static inline void write_script(struct fixture *f, const char *name, const char *text)
{
	char file[128];
	snprintf(file, sizeof file, "%s.lua", name);
	fixture_write_file(f->scripts, file, text);
}

static inline struct store *open_store(struct fixture *f)
{
	struct store *st = NULL;
	char err[256] = "";
	struct store_options opt = { 0 };
	assert_int_equal(store_open(&st, f->data, &opt, err, sizeof err), 0);
	return st;
}

/* Creates an interview of scripts/NAME.lua and plays msgs into it as the
 * engine does (turn_begin, turn_apply: the transcript and the results), in one
 * commit. Returns the id in id. */
static inline void play_interview(struct fixture *f, const char *name, const char **msgs, size_t n,
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

/* f->out contains the text fmt builds. */
__attribute__((format(printf, 2, 3))) static inline void assert_printed(struct fixture *f,
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

static inline int setup(void **state)
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

static inline int teardown(void **state)
{
	struct fixture *f = *state;
	fixture_remove_tree(f->data);
	fixture_remove_tree(f->scripts);
	free(f);
	return 0;
}

#endif
