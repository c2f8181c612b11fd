/* script_fixture: opening and feeding scripts, for test_script and
 * test_prelude.
 *
 * A script opened from a string as scripts/t.lua (a fixed interview id,
 * candidate "Ada", seed 42 unless a test says otherwise), fed candidate
 * messages with the outcome asserted, and its events checked one by one.
 * Header-only, test code only; include after cmocka.h. */
#ifndef INTERVIEWD_TEST_SCRIPT_FIXTURE_H
#define INTERVIEWD_TEST_SCRIPT_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "script.h"

#define CHUNK "scripts/t.lua"

static inline struct script *open_with(const char *src, const struct script_limits *lim,
				       unsigned long long seed, const char *name)
{
	struct script_env env = { .interview_id = "0123456789abcdef", .candidate_name = name,
				  .seed = seed };
	struct script_error e;
	struct script *s = NULL;
	if (lim)
		env.limits = *lim;
	int rc = script_open(&s, CHUNK, src, strlen(src), &env, &e);
	if (rc != 0)
		fail_msg("script_open: %d %s", rc, e.message);
	return s;
}

static inline struct script *open_level(const char *src, int api_level)
{
	struct script_env env = { .interview_id = "0123456789abcdef", .candidate_name = "Ada",
				  .seed = 42, .api_level = api_level };
	struct script_error e;
	struct script *s = NULL;
	int rc = script_open(&s, CHUNK, src, strlen(src), &env, &e);
	if (rc != 0)
		fail_msg("script_open: %d %s", rc, e.message);
	return s;
}

static inline struct script *open_src(const char *src)
{
	return open_with(src, NULL, 42, "Ada");
}

/* Feeds text and expects success. */
static inline void feed_ok(struct script *s, const char *text, struct script_output *out)
{
	struct script_error e;
	int rc = script_feed(s, text, strlen(text), out, &e);
	if (rc != 0)
		fail_msg("script_feed(\"%s\"): %d %s", text, rc, e.message);
}

static inline int feed_err(struct script *s, const char *text, struct script_error *e)
{
	struct script_output out;
	int rc = script_feed(s, text, strlen(text), &out, e);
	assert_int_equal(out.n, 0);
	assert_null(out.events);
	return rc;
}

static inline void expect_ev(const struct script_output *out, size_t i, enum script_event_kind kind,
			     const char *text)
{
	assert_true(i < out->n);
	assert_int_equal(out->events[i].kind, kind);
	if (text)
		assert_string_equal(out->events[i].text, text);
}

static inline void expect_named(const struct script_output *out, size_t i,
				enum script_event_kind kind, const char *name)
{
	assert_true(i < out->n);
	assert_int_equal(out->events[i].kind, kind);
	assert_string_equal(out->events[i].name, name);
}

/* An answer accepted without an id: signalled, with nothing to record. */
static inline void expect_accepted(const struct script_output *out, size_t i)
{
	expect_named(out, i, SCRIPT_EV_ANSWER, "");
	assert_null(out->events[i].text);
}

/* A script that says its result; returns the first event's text (a copy). */
static inline char *say_result(const char *src)
{
	struct script *s = open_src(src);
	struct script_output out;
	feed_ok(s, "hi", &out);
	assert_true(out.n >= 1);
	char *t = strdup(out.events[0].text);
	script_output_free(&out);
	script_close(s);
	return t;
}

static inline char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char *buf = malloc(1 << 20);
	assert_non_null(buf);
	*len = fread(buf, 1, (1 << 20) - 1, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

#endif
