/* test_proto: inbound frame checks, exact outbound frames, record round trips.
 *
 * Frames are compared as whole strings: the README's key order and number
 * formatting are part of the contract clients code against. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto.h"

/* --- helpers ------------------------------------------------------------ */

/* Parses s from an exact-size heap copy, so ASan catches any read past len. */
static int parse(const char *s, struct proto_request *req, char *err, size_t errlen)
{
	size_t len = strlen(s);
	char *copy = malloc(len ? len : 1);
	assert_non_null(copy);
	memcpy(copy, s, len);
	int rc = proto_parse_request(copy, len, req, err, errlen);
	free(copy);
	return rc;
}

static void expect_bad(const char *frame, const char *why, const char *echoed_id)
{
	struct proto_request req;
	char err[256] = "";
	assert_int_equal(parse(frame, &req, err, sizeof err), PROTO_EBAD);
	assert_string_equal(err, why);
	if (echoed_id)
		assert_string_equal(req.interview_id, echoed_id);
	else
		assert_null(req.interview_id);
	proto_request_free(&req);
}

/* --- inbound ------------------------------------------------------------ */

static void test_reference_spec_example_parses(void **state)
{
	(void)state;
	struct proto_request req;
	char err[256] = "";
	assert_int_equal(parse("{\"action\":\"message\",\"message\":\"Hello, I would like to start an "
			       "interview\",\"interview_id\":\"your-interview-id\"}",
			       &req, err, sizeof err),
			 PROTO_OK);
	assert_int_equal(req.action, PROTO_ACTION_MESSAGE);
	assert_string_equal(req.action_name, "message");
	assert_string_equal(req.interview_id, "your-interview-id");
	assert_string_equal(req.message, "Hello, I would like to start an interview");
	assert_int_equal(req.message_len, strlen("Hello, I would like to start an interview"));
	assert_null(req.client_msg_id);
	proto_request_free(&req);
	assert_null(req.message);
}

static void test_history_and_client_msg_id_parse(void **state)
{
	(void)state;
	struct proto_request req;
	char err[256] = "";
	assert_int_equal(parse(" {\"action\":\"history\",\"interview_id\":\"abc\"}\n", &req, err,
			       sizeof err),
			 PROTO_OK);
	assert_int_equal(req.action, PROTO_ACTION_HISTORY);
	assert_string_equal(req.interview_id, "abc");
	assert_null(req.message);
	proto_request_free(&req);

	assert_int_equal(parse("{\"action\":\"message\",\"interview_id\":\"abc\",\"message\":\"hi\","
			       "\"client_msg_id\":\"m-1\"}",
			       &req, err, sizeof err),
			 PROTO_OK);
	assert_string_equal(req.client_msg_id, "m-1");
	proto_request_free(&req);

	/* 128 characters of two bytes each: counted in characters, not bytes. */
	char frame[1024];
	char id[2 * 128 + 1] = "";
	for (int i = 0; i < 128; i++)
		strcat(id, "\xc3\xa9");
	snprintf(frame, sizeof frame,
		 "{\"action\":\"message\",\"interview_id\":\"a\",\"message\":\"x\",\"client_msg_id\":\"%s\"}",
		 id);
	assert_int_equal(parse(frame, &req, err, sizeof err), PROTO_OK);
	assert_string_equal(req.client_msg_id, id);
	proto_request_free(&req);
}

static void test_bad_request_names_the_problem(void **state)
{
	(void)state;
	expect_bad("", "message is not valid JSON", NULL);
	expect_bad("{\"action\":", "message is not valid JSON", NULL);
	expect_bad("{\"action\":\"history\",\"interview_id\":\"a\"} trailing",
		   "message is not valid JSON", NULL);
	expect_bad("[1,2]", "message must be a JSON object", NULL);
	expect_bad("\"message\"", "message must be a JSON object", NULL);
	expect_bad("{\"interview_id\":\"a\"}", "field 'action' is missing", "a");
	expect_bad("{\"action\":7,\"interview_id\":\"a\"}", "field 'action' must be a string", "a");
	expect_bad("{\"action\":\"message\",\"message\":\"hi\"}", "field 'interview_id' is missing",
		   NULL);
	expect_bad("{\"action\":\"message\",\"message\":\"hi\",\"interview_id\":5}",
		   "field 'interview_id' must be a string", NULL);
	expect_bad("{\"action\":\"message\",\"interview_id\":\"a\"}", "field 'message' is missing",
		   "a");
	expect_bad("{\"action\":\"message\",\"interview_id\":\"a\",\"message\":{}}",
		   "field 'message' must be a string", "a");
	expect_bad("{\"action\":\"message\",\"interview_id\":\"a\",\"message\":\"\"}",
		   "field 'message' must not be empty", "a");
	expect_bad("{\"action\":\"history\"}", "field 'interview_id' is missing", NULL);
	expect_bad("{\"action\":\"history\",\"interview_id\":null}",
		   "field 'interview_id' must be a string", NULL);
	expect_bad("{\"action\":\"message\",\"interview_id\":\"a\",\"message\":\"x\",\"client_msg_id\":1}",
		   "field 'client_msg_id' must be a string", "a");
	expect_bad("{\"action\":\"message\",\"interview_id\":\"a\",\"message\":\"x\",\"client_msg_id\":\"\"}",
		   "field 'client_msg_id' must be 1 to 128 characters long", "a");

	char frame[512];
	char id[130];
	memset(id, 'k', 129);
	id[129] = '\0';
	snprintf(frame, sizeof frame,
		 "{\"action\":\"message\",\"interview_id\":\"a\",\"message\":\"x\",\"client_msg_id\":\"%s\"}",
		 id);
	expect_bad(frame, "field 'client_msg_id' must be 1 to 128 characters long", "a");
}

static void test_interview_id_echoed_on_error(void **state)
{
	(void)state;
	expect_bad("{\"action\":\"message\",\"interview_id\":\"3f2a9c0d1e4b5a67\",\"message\":true}",
		   "field 'message' must be a string", "3f2a9c0d1e4b5a67");
}

static void test_unknown_action_parses_as_unknown(void **state)
{
	(void)state;
	struct proto_request req;
	char err[256] = "";
	assert_int_equal(parse("{\"action\":\"dance\",\"interview_id\":\"a\"}", &req, err, sizeof err),
			 PROTO_OK);
	assert_int_equal(req.action, PROTO_ACTION_UNKNOWN);
	assert_string_equal(req.action_name, "dance");
	assert_string_equal(req.interview_id, "a");
	proto_request_free(&req);
}

static void test_embedded_nul_cuts_message(void **state)
{
	(void)state;
	struct proto_request req;
	char err[256] = "";
	assert_int_equal(parse("{\"action\":\"message\",\"interview_id\":\"a\",\"message\":\"ab\\u0000cd\"}",
			       &req, err, sizeof err),
			 PROTO_OK);
	assert_string_equal(req.message, "ab");
	assert_int_equal(req.message_len, 2);
	proto_request_free(&req);
}

static void test_oversized_frame_refused(void **state)
{
	(void)state;
	size_t len = PROTO_MAX_FRAME + 1;
	char *big = malloc(len);
	assert_non_null(big);
	memset(big, ' ', len);
	struct proto_request req;
	char err[256] = "";
	assert_int_equal(proto_parse_request(big, len, &req, err, sizeof err), PROTO_EBAD);
	free(big);
	proto_request_free(&req);
}

static void test_free_is_safe_on_zeroed_structs(void **state)
{
	(void)state;
	struct proto_request req = {0};
	struct proto_turn t = {0};
	struct proto_interview iv = {0};
	struct proto_token tk = {0};
	proto_request_free(&req);
	proto_turn_free(&t);
	proto_interview_free(&iv);
	proto_token_free(&tk);
	proto_request_free(NULL);
}

/* --- outbound ----------------------------------------------------------- */

static void test_response_frame_is_exact(void **state)
{
	(void)state;
	char *choices[] = {"C", "Python", "JavaScript", "Other"};
	struct proto_turn t = {.seq = 3, .role = PROTO_ROLE_BOT, .kind = PROTO_KIND_ASK,
			       .text = "Which language do you use most?", .ts = 1764102000000,
			       .choices = choices, .nchoices = 4, .section = "intro"};
	char *f = proto_frame_response("3f2a9c0d1e4b5a67", &t, false);
	assert_string_equal(f, "{\"message\":\"Which language do you use most?\",\"type\":\"response\","
			       "\"interview_id\":\"3f2a9c0d1e4b5a67\",\"seq\":3,\"kind\":\"ask\","
			       "\"choices\":[\"C\",\"Python\",\"JavaScript\",\"Other\"]}");
	free(f);

	struct proto_turn end = {.seq = 9, .role = PROTO_ROLE_BOT, .kind = PROTO_KIND_END, .text = "Thanks!"};
	f = proto_frame_response("3f2a9c0d1e4b5a67", &end, true);
	assert_string_equal(f, "{\"message\":\"Thanks!\",\"type\":\"response\",\"interview_id\":"
			       "\"3f2a9c0d1e4b5a67\",\"seq\":9,\"kind\":\"end\",\"done\":true}");
	free(f);

	f = proto_frame_response_ex("3f2a9c0d1e4b5a67", &end, true, true);
	assert_string_equal(f, "{\"message\":\"Thanks!\",\"type\":\"response\",\"interview_id\":"
			       "\"3f2a9c0d1e4b5a67\",\"seq\":9,\"kind\":\"end\",\"done\":true,"
			       "\"repeat\":true}");
	free(f);
}

static void test_error_frame_is_exact(void **state)
{
	(void)state;
	char *f = proto_frame_error(NULL, PROTO_CODE_BAD_REQUEST, "field 'interview_id' is missing");
	assert_string_equal(f, "{\"message\":\"field 'interview_id' is missing\",\"type\":\"error\","
			       "\"interview_id\":null,\"code\":\"bad_request\"}");
	free(f);
	f = proto_frame_error("abc", PROTO_CODE_NOT_FOUND, "no such interview");
	assert_string_equal(f, "{\"message\":\"no such interview\",\"type\":\"error\","
			       "\"interview_id\":\"abc\",\"code\":\"not_found\"}");
	free(f);
}

/* The wire spells each error code as README.md documents it; clients key on these. */
static void test_error_codes_keep_their_wire_names(void **state)
{
	(void)state;
	static const struct {
		enum proto_code code;
		const char *name;
	} want[] = {
		{PROTO_CODE_BAD_REQUEST, "bad_request"},
		{PROTO_CODE_TOO_LARGE, "too_large"},
		{PROTO_CODE_UNKNOWN_ACTION, "unknown_action"},
		{PROTO_CODE_NOT_FOUND, "not_found"},
		{PROTO_CODE_INTERVIEW_FINISHED, "interview_finished"},
		{PROTO_CODE_SCRIPT_ERROR, "script_error"},
		{PROTO_CODE_RATE_LIMITED, "rate_limited"},
		{PROTO_CODE_UNAVAILABLE, "unavailable"},
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		assert_string_equal(proto_code_name(want[i].code), want[i].name);
}

static void test_roles_kinds_and_statuses_round_trip_and_unknown_words_are_refused(void **state)
{
	(void)state;
	const char *roles[] = {"candidate", "bot"};
	for (size_t i = 0; i < 2; i++) {
		enum proto_role r;
		assert_int_equal(proto_role_parse(roles[i], &r), PROTO_OK);
		assert_string_equal(proto_role_name(r), roles[i]);
	}
	const char *kinds[] = {"message", "say", "ask", "end"};
	for (size_t i = 0; i < 4; i++) {
		enum proto_kind k;
		assert_int_equal(proto_kind_parse(kinds[i], &k), PROTO_OK);
		assert_string_equal(proto_kind_name(k), kinds[i]);
	}
	const char *statuses[] = {"new", "active", "finished", "closed"};
	for (size_t i = 0; i < 4; i++) {
		enum proto_status st;
		assert_int_equal(proto_status_parse(statuses[i], &st), PROTO_OK);
		assert_string_equal(proto_status_name(st), statuses[i]);
	}
	enum proto_role r = PROTO_ROLE_BOT;
	assert_int_equal(proto_role_parse("Bot", &r), PROTO_EBAD);
	assert_int_equal(proto_role_parse(NULL, &r), PROTO_EBAD);
	assert_int_equal(r, PROTO_ROLE_BOT); /* untouched on refusal */
	enum proto_status st = PROTO_STATUS_NEW;
	assert_int_equal(proto_status_parse("done", &st), PROTO_EBAD);
	const char *rec = "{\"id\":\"i\",\"script\":\"s\",\"script_hash\":\"h\",\"status\":\"paused\","
			  "\"next_seq\":1}";
	struct proto_interview iv;
	assert_int_equal(proto_interview_decode(rec, strlen(rec), &iv), PROTO_EBAD);
}

static void test_history_frame_is_exact(void **state)
{
	(void)state;
	char *choices[] = {"yes", "no"};
	struct proto_turn turns[] = {
		{.seq = 1, .role = PROTO_ROLE_CANDIDATE, .kind = PROTO_KIND_MESSAGE, .text = "Hello",
		 .ts = 1764102000000, .client_msg_id = "m1"},
		{.seq = 2, .role = PROTO_ROLE_BOT, .kind = PROTO_KIND_SAY, .text = "Hi! This is a short demo interview.",
		 .ts = 1764102000004},
		{.seq = 3, .role = PROTO_ROLE_BOT, .kind = PROTO_KIND_ASK, .text = "Ready?", .ts = 1764102000005,
		 .choices = choices, .nchoices = 2, .section = "start"},
	};
	char *f = proto_frame_history("3f2a9c0d1e4b5a67", PROTO_STATUS_ACTIVE, turns, 3);
	assert_string_equal(
		f, "{\"type\":\"history\",\"interview_id\":\"3f2a9c0d1e4b5a67\",\"message\":\"\","
		   "\"status\":\"active\",\"messages\":["
		   "{\"seq\":1,\"role\":\"candidate\",\"kind\":\"message\",\"text\":\"Hello\",\"ts\":1764102000000,\"client_msg_id\":\"m1\"},"
		   "{\"seq\":2,\"role\":\"bot\",\"kind\":\"say\",\"text\":\"Hi! This is a short demo interview.\",\"ts\":1764102000004},"
		   "{\"seq\":3,\"role\":\"bot\",\"kind\":\"ask\",\"text\":\"Ready?\",\"ts\":1764102000005,"
		   "\"choices\":[\"yes\",\"no\"],\"section\":\"start\"}]}");
	free(f);

	f = proto_frame_history("x", PROTO_STATUS_NEW, NULL, 0);
	assert_string_equal(f, "{\"type\":\"history\",\"interview_id\":\"x\",\"message\":\"\","
			       "\"status\":\"new\",\"messages\":[]}");
	free(f);
}

static void test_watch_frames_are_exact(void **state)
{
	(void)state;
	struct proto_turn turns[] = {
		{.seq = 4, .role = PROTO_ROLE_CANDIDATE, .kind = PROTO_KIND_MESSAGE, .text = "C, mostly",
		 .ts = 1764102000000, .client_msg_id = "m4"},
		{.seq = 5, .role = PROTO_ROLE_BOT, .kind = PROTO_KIND_END, .text = "Thanks!",
		 .ts = 1764102000001, .section = "wrap-up"},
	};
	char *f = proto_frame_turns("3f2a9c0d1e4b5a67", PROTO_STATUS_FINISHED, turns, 2);
	assert_string_equal(
		f, "{\"type\":\"turns\",\"interview_id\":\"3f2a9c0d1e4b5a67\",\"message\":\"\","
		   "\"status\":\"finished\",\"messages\":["
		   "{\"seq\":4,\"role\":\"candidate\",\"kind\":\"message\",\"text\":\"C, mostly\",\"ts\":1764102000000,\"client_msg_id\":\"m4\"},"
		   "{\"seq\":5,\"role\":\"bot\",\"kind\":\"end\",\"text\":\"Thanks!\",\"ts\":1764102000001,\"section\":\"wrap-up\"}]}");
	free(f);

	f = proto_frame_status("3f2a9c0d1e4b5a67", "closed", PROTO_STATUS_CLOSED, "demo", "Ada \"A\"");
	assert_string_equal(f, "{\"type\":\"status\",\"interview_id\":\"3f2a9c0d1e4b5a67\",\"message\":\"\","
			       "\"event\":\"closed\",\"status\":\"closed\",\"script\":\"demo\","
			       "\"candidate\":\"Ada \\\"A\\\"\"}");
	free(f);
	f = proto_frame_status("x", "created", PROTO_STATUS_NEW, NULL, NULL);
	assert_string_equal(f, "{\"type\":\"status\",\"interview_id\":\"x\",\"message\":\"\","
			       "\"event\":\"created\",\"status\":\"new\",\"script\":\"\",\"candidate\":\"\"}");
	free(f);

	f = proto_frame_closed("3f2a9c0d1e4b5a67");
	assert_string_equal(f, "{\"message\":\"This interview has been closed.\",\"type\":\"response\","
			       "\"interview_id\":\"3f2a9c0d1e4b5a67\",\"kind\":\"end\",\"done\":true}");
	free(f);

	struct proto_interview iv = {.id = "3f2a9c0d1e4b5a67", .script = "demo", .script_hash = "ab",
				     .candidate = "Ada", .status = PROTO_STATUS_CLOSED, .created = 1,
				     .updated = 2, .next_seq = 3};
	f = proto_api_interview_item(&iv);
	assert_string_equal(f, "{\"id\":\"3f2a9c0d1e4b5a67\",\"script\":\"demo\",\"script_hash\":\"ab\","
			       "\"candidate\":\"Ada\",\"status\":\"closed\",\"created\":1,\"updated\":2,"
			       "\"messages\":2,\"scores\":{},\"tags\":[]}");
	free(f);
}

static void test_big_timestamps_print_as_integers(void **state)
{
	(void)state;
	struct proto_turn t = {.seq = 9007199254740991ULL, .role = PROTO_ROLE_BOT, .kind = PROTO_KIND_SAY, .text = "",
			       .ts = 1764102000000};
	char *f = proto_turn_encode(&t);
	assert_non_null(strstr(f, "\"ts\":1764102000000"));
	assert_non_null(strstr(f, "\"seq\":9007199254740991"));
	assert_null(strstr(f, "e+"));
	struct proto_turn back;
	assert_int_equal(proto_turn_decode(f, strlen(f), &back), PROTO_OK);
	assert_true(back.ts == 1764102000000);
	assert_true(back.seq == 9007199254740991ULL);
	proto_turn_free(&back);
	free(f);
}

static void test_unicode_and_quotes_are_escaped(void **state)
{
	(void)state;
	struct proto_turn t = {.seq = 1, .kind = PROTO_KIND_SAY,
			       .text = "He said \"caf\xc3\xa9\" \\ ok\n\ttab \x01 \xe2\x9c\x93"};
	char *f = proto_frame_response("a", &t, false);
	assert_string_equal(f, "{\"message\":\"He said \\\"caf\xc3\xa9\\\" \\\\ ok\\n\\ttab \\u0001 "
			       "\xe2\x9c\x93\",\"type\":\"response\",\"interview_id\":\"a\",\"seq\":1,"
			       "\"kind\":\"say\"}");
	free(f);

	/* And an escaped inbound string decodes to the same bytes. */
	struct proto_request req;
	char err[256];
	assert_int_equal(parse("{\"action\":\"message\",\"interview_id\":\"a\","
			       "\"message\":\"\\\"caf\\u00e9\\\" \\u2713 \\ud83d\\ude00\"}",
			       &req, err, sizeof err),
			 PROTO_OK);
	assert_string_equal(req.message, "\"caf\xc3\xa9\" \xe2\x9c\x93 \xf0\x9f\x98\x80");
	proto_request_free(&req);
}

/* --- records ------------------------------------------------------------ */

static void test_turn_record_round_trips(void **state)
{
	(void)state;
	char *choices[] = {"a", "b \"quoted\""};
	struct proto_turn t = {.seq = 42, .role = PROTO_ROLE_BOT, .kind = PROTO_KIND_ASK, .text = "Pick one",
			       .ts = 1764102000123, .choices = choices, .nchoices = 2,
			       .section = "skills", .client_msg_id = "cm-7"};
	char *s = proto_turn_encode(&t);
	assert_string_equal(s, "{\"seq\":42,\"role\":\"bot\",\"kind\":\"ask\",\"text\":\"Pick one\","
			       "\"ts\":1764102000123,\"choices\":[\"a\",\"b \\\"quoted\\\"\"],"
			       "\"section\":\"skills\",\"client_msg_id\":\"cm-7\"}");
	struct proto_turn b;
	assert_int_equal(proto_turn_decode(s, strlen(s), &b), PROTO_OK);
	assert_true(b.seq == 42);
	assert_int_equal(b.role, PROTO_ROLE_BOT);
	assert_int_equal(b.kind, PROTO_KIND_ASK);
	assert_string_equal(b.text, "Pick one");
	assert_true(b.ts == 1764102000123);
	assert_int_equal(b.nchoices, 2);
	assert_string_equal(b.choices[1], "b \"quoted\"");
	assert_string_equal(b.section, "skills");
	assert_string_equal(b.client_msg_id, "cm-7");
	proto_turn_free(&b);
	assert_null(b.choices);
	free(s);

	/* Optional fields absent stay NULL; unknown extra fields are ignored. */
	const char *old = "{\"seq\":1,\"role\":\"candidate\",\"kind\":\"message\",\"text\":\"hi\","
			  "\"ts\":5,\"future\":{\"x\":[1,2]}}";
	assert_int_equal(proto_turn_decode(old, strlen(old), &b), PROTO_OK);
	assert_null(b.section);
	assert_null(b.client_msg_id);
	assert_null(b.choices);
	proto_turn_free(&b);
}

static void test_turn_decode_refuses_wrong_types(void **state)
{
	(void)state;
	const char *bad[] = {
		"{\"seq\":\"1\",\"role\":\"bot\",\"kind\":\"say\",\"text\":\"x\"}",
		"{\"seq\":1.5,\"role\":\"bot\",\"kind\":\"say\",\"text\":\"x\"}",
		"{\"seq\":-1,\"role\":\"bot\",\"kind\":\"say\",\"text\":\"x\"}",
		"{\"seq\":1,\"role\":\"bot\",\"kind\":\"say\",\"text\":\"x\",\"choices\":[\"a\",2]}",
		"{\"seq\":1,\"role\":\"bot\",\"kind\":\"say\",\"text\":\"x\",\"section\":3}",
		"{\"seq\":1,\"role\":\"bot\",\"kind\":\"say\"}",
		"{\"seq\":1,\"role\":\"admin\",\"kind\":\"say\",\"text\":\"x\"}",
		"{\"seq\":1,\"role\":\"bot\",\"kind\":\"shout\",\"text\":\"x\"}",
		"{\"seq\":1,\"role\":null,\"kind\":\"say\",\"text\":\"x\"}",
		"{\"seq\":1,\"role\":1,\"kind\":\"say\",\"text\":\"x\"}",
		"[]",
		"nonsense",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct proto_turn t;
		assert_int_equal(proto_turn_decode(bad[i], strlen(bad[i]), &t), PROTO_EBAD);
		assert_null(t.text);
		assert_null(t.choices);
	}
}

static void test_interview_record_round_trips(void **state)
{
	(void)state;
	struct proto_score scores[] = {{"zeta", 3}, {"alpha", 2.5}};
	char *notes[] = {"good with pointers"};
	char *tags[] = {"senior", "c"};
	struct proto_answer answers[] = {{.id = "lang", .text = "C"},
					 {.id = "years", .text = "12", .is_number = true, .number = 12},
					 {.id = "rate", .text = "0.1", .is_number = true, .number = 0.1}};
	struct proto_interview iv = {
		.id = "3f2a9c0d1e4b5a67", .script = "demo", .script_hash = "ab12",
		.candidate = "Ada \"the\" Lovelace", .status = PROTO_STATUS_FINISHED, .created = 1764102000000,
		.updated = 1764102009999, .next_seq = 12, .api_level = 2, .scores = scores, .nscores = 2,
		.notes = notes, .nnotes = 1, .tags = tags, .ntags = 2, .answers = answers,
		.nanswers = 3, .last_error = "scripts/demo.lua:3: boom",
		.last_traceback = "stack traceback:\n\t[C]: in ?"};
	char *s = proto_interview_encode(&iv);
	assert_non_null(s);
	assert_non_null(strstr(s, "\"scores\":{\"zeta\":3,\"alpha\":2.5}"));
	/* A number answer is a JSON number; a text answer stays a string. */
	assert_non_null(strstr(s, "\"answers\":{\"lang\":\"C\",\"years\":12,\"rate\":0.1}"));
	struct proto_interview b;
	assert_int_equal(proto_interview_decode(s, strlen(s), &b), PROTO_OK);
	assert_string_equal(b.id, iv.id);
	assert_string_equal(b.script, "demo");
	assert_string_equal(b.script_hash, "ab12");
	assert_string_equal(b.candidate, iv.candidate);
	assert_int_equal(b.status, PROTO_STATUS_FINISHED);
	assert_true(b.created == 1764102000000 && b.updated == 1764102009999 && b.next_seq == 12);
	assert_int_equal(b.api_level, 2);
	assert_int_equal(b.nscores, 2);
	assert_string_equal(b.scores[0].name, "zeta");
	assert_true(b.scores[0].value == 3);
	assert_string_equal(b.scores[1].name, "alpha");
	assert_true(b.scores[1].value == 2.5);
	assert_int_equal(b.nnotes, 1);
	assert_string_equal(b.notes[0], "good with pointers");
	assert_int_equal(b.ntags, 2);
	assert_string_equal(b.tags[1], "c");
	assert_int_equal(b.nanswers, 3);
	assert_string_equal(b.answers[0].id, "lang");
	assert_false(b.answers[0].is_number);
	assert_string_equal(b.answers[1].text, "12");
	assert_true(b.answers[1].is_number && b.answers[1].number == 12);
	assert_true(b.answers[2].is_number && b.answers[2].number == 0.1);
	assert_string_equal(b.answers[2].text, "0.1");
	assert_string_equal(b.last_error, iv.last_error);
	assert_string_equal(b.last_traceback, iv.last_traceback);

	/* Re-encoding the decoded record gives the same text. */
	char *again = proto_interview_encode(&b);
	assert_string_equal(again, s);
	free(again);
	proto_interview_free(&b);
	assert_null(b.scores);
	free(s);
}

/* Records written before number answers hold them as strings: they still
 * read back, as text. A number reads back with the text it is written as. */
static void test_answers_decode_as_strings_or_numbers(void **state)
{
	(void)state;
	const char *rec = "{\"id\":\"i\",\"script\":\"demo\",\"script_hash\":\"h\",\"status\":\"new\","
			  "\"next_seq\":1,\"answers\":{\"old\":\"7\",\"big\":1e20,\"third\":"
			  "0.30000000000000004,\"neg\":-2.5,\"int\":9007199254740993}}";
	struct proto_interview b;
	assert_int_equal(proto_interview_decode(rec, strlen(rec), &b), PROTO_OK);
	assert_int_equal(b.nanswers, 5);
	assert_false(b.answers[0].is_number);
	assert_string_equal(b.answers[0].text, "7");
	assert_true(b.answers[1].is_number);
	assert_string_equal(b.answers[1].text, "1e+20");
	assert_string_equal(b.answers[2].text, "0.30000000000000004");
	assert_string_equal(b.answers[3].text, "-2.5");
	assert_string_equal(b.answers[4].text, "9007199254740992"); /* a double, as JSON reads it */
	/* Written back, each number keeps its value exactly. */
	char *s = proto_interview_encode(&b);
	assert_non_null(strstr(s, "\"answers\":{\"old\":\"7\",\"big\":1e+20,\"third\":"
				  "0.30000000000000004,\"neg\":-2.5,\"int\":9007199254740992}"));
	free(s);
	proto_interview_free(&b);

	char buf[32];
	proto_number_text(7, buf, sizeof buf);
	assert_string_equal(buf, "7");
	proto_number_text(-0.0, buf, sizeof buf);
	assert_string_equal(buf, "0");
	proto_number_text(0.1 + 0.2, buf, sizeof buf);
	assert_string_equal(buf, "0.30000000000000004");
	proto_number_text(1e300, buf, sizeof buf);
	assert_string_equal(buf, "1e+300");
}

static void test_non_finite_score_stored_as_null_reads_back_nan(void **state)
{
	(void)state;
	struct proto_score scores[] = {{"bad", NAN}};
	struct proto_interview iv = {.id = "i", .script = "s", .script_hash = "h", .candidate = "",
				     .status = PROTO_STATUS_NEW, .next_seq = 1, .scores = scores, .nscores = 1};
	char *s = proto_interview_encode(&iv);
	assert_non_null(strstr(s, "\"scores\":{\"bad\":null}"));
	struct proto_interview b;
	assert_int_equal(proto_interview_decode(s, strlen(s), &b), PROTO_OK);
	assert_int_equal(b.nscores, 1);
	assert_true(isnan(b.scores[0].value));
	proto_interview_free(&b);
	free(s);
}

static void test_interview_decode_tolerates_missing_and_extra_fields(void **state)
{
	(void)state;
	const char *minimal = "{\"id\":\"i\",\"script\":\"demo\",\"script_hash\":\"h\","
			      "\"status\":\"new\",\"next_seq\":1,\"added_in_v2\":true}";
	struct proto_interview b;
	assert_int_equal(proto_interview_decode(minimal, strlen(minimal), &b), PROTO_OK);
	assert_string_equal(b.candidate, "");
	assert_int_equal(b.api_level, 1); /* written before API levels: it ran at level 1 */
	assert_int_equal(b.nscores, 0);
	assert_null(b.last_error);
	proto_interview_free(&b);

	const char *bad[] = {
		"{\"id\":\"i\",\"script\":\"demo\",\"script_hash\":\"h\",\"status\":\"new\",\"next_seq\":1,"
		"\"scores\":{\"a\":1,\"b\":\"x\"}}",
		"{\"id\":\"i\",\"script\":\"demo\",\"script_hash\":\"h\",\"status\":\"new\",\"next_seq\":1,"
		"\"answers\":{\"a\":\"1\",\"b\":true}}",
		"{\"id\":\"i\",\"script\":\"demo\",\"script_hash\":\"h\",\"status\":\"new\",\"next_seq\":1,"
		"\"tags\":[\"x\",{}]}",
		"{\"id\":\"i\",\"script\":\"demo\",\"script_hash\":\"h\",\"status\":\"new\",\"next_seq\":1,"
		"\"notes\":\"not an array\"}",
		"{\"id\":\"i\",\"script\":\"demo\",\"script_hash\":\"h\",\"status\":\"new\"}",
		"{\"id\":1,\"script\":\"demo\",\"script_hash\":\"h\",\"status\":\"new\",\"next_seq\":1}",
		"{\"id\":\"i\",\"script\":\"demo\",\"script_hash\":\"h\",\"status\":\"new\",\"next_seq\":1,"
		"\"api_level\":0}",
		"{\"id\":\"i\",\"script\":\"demo\",\"script_hash\":\"h\",\"status\":\"new\",\"next_seq\":1,"
		"\"api_level\":1.5}",
		"{\"id\":\"i\",\"script\":\"demo\",\"script_hash\":\"h\",\"status\":\"new\",\"next_seq\":1,"
		"\"api_level\":\"2\"}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(proto_interview_decode(bad[i], strlen(bad[i]), &b), PROTO_EBAD);
		assert_null(b.id);
		assert_null(b.scores);
	}
}

static void test_token_record_round_trips(void **state)
{
	(void)state;
	struct proto_token t = {.interview_id = "3f2a9c0d1e4b5a67", .role = "candidate",
				.created = 1764102000000, .hash = "00ff"};
	char *s = proto_token_encode(&t);
	assert_string_equal(s, "{\"interview_id\":\"3f2a9c0d1e4b5a67\",\"role\":\"candidate\","
			       "\"created\":1764102000000,\"hash\":\"00ff\"}");
	struct proto_token b;
	assert_int_equal(proto_token_decode(s, strlen(s), &b), PROTO_OK);
	assert_string_equal(b.interview_id, t.interview_id);
	assert_string_equal(b.role, "candidate");
	assert_true(b.created == 1764102000000);
	assert_string_equal(b.hash, "00ff");
	proto_token_free(&b);
	free(s);
	assert_int_equal(proto_token_decode("{\"interview_id\":1}", 18, &b), PROTO_EBAD);
}

static void test_cli_outputs(void **state)
{
	(void)state;
	char *s = proto_cli_created("3f2a9c0d1e4b5a67", "tok", "http://h/?token=tok",
				    "ws://h/v1?token=tok", "demo", NULL);
	assert_string_equal(s, "{\"interview_id\":\"3f2a9c0d1e4b5a67\",\"token\":\"tok\","
			       "\"url\":\"http://h/?token=tok\",\"ws_url\":\"ws://h/v1?token=tok\","
			       "\"script\":\"demo\",\"candidate\":\"\"}");
	free(s);

	struct proto_interview ivs[2] = {
		{.id = "a", .script = "demo", .script_hash = "h", .candidate = "", .status = PROTO_STATUS_NEW,
		 .created = 1, .updated = 1, .next_seq = 1},
		{.id = "b", .script = "demo", .script_hash = "h", .candidate = "Bo", .status = PROTO_STATUS_ACTIVE,
		 .created = 2, .updated = 3, .next_seq = 3, .api_level = 2},
	};
	s = proto_cli_list(ivs, 2);
	assert_string_equal(
		s,
		"[{\"id\":\"a\",\"script\":\"demo\",\"script_hash\":\"h\",\"candidate\":\"\","
		"\"status\":\"new\",\"created\":1,\"updated\":1,\"next_seq\":1,\"messages\":0"
		",\"scores\":{},\"answers\":{},\"notes\":[],\"tags\":[],\"last_error\":null,\"last_traceback\":null,\"api_level\":1},"
		"{\"id\":\"b\",\"script\":\"demo\",\"script_hash\":\"h\",\"candidate\":\"Bo\","
		"\"status\":\"active\",\"created\":2,\"updated\":3,\"next_seq\":3,\"messages\":2"
		",\"scores\":{},\"answers\":{},\"notes\":[],\"tags\":[],\"last_error\":null,\"last_traceback\":null,\"api_level\":2}]");
	free(s);

	struct proto_turn turns[] = {{.seq = 1, .role = PROTO_ROLE_CANDIDATE, .kind = PROTO_KIND_MESSAGE,
				      .text = "hi", .ts = 7, .client_msg_id = "c"}};
	s = proto_cli_show(&ivs[1], turns, 1);
	assert_string_equal(
		s,
		"{\"id\":\"b\",\"script\":\"demo\",\"script_hash\":\"h\",\"candidate\":\"Bo\","
		"\"status\":\"active\",\"created\":2,\"updated\":3,\"next_seq\":3,\"messages\":2"
		",\"scores\":{},\"answers\":{},\"notes\":[],\"tags\":[],\"last_error\":null,\"last_traceback\":null,\"api_level\":2,\"transcript\":["
		"{\"seq\":1,\"role\":\"candidate\",\"kind\":\"message\",\"text\":\"hi\",\"ts\":7,"
		"\"client_msg_id\":\"c\"}]}");
	free(s);
}

static void test_invalid_utf8_is_refused_and_the_id_still_echoed(void **state)
{
	(void)state;
	struct proto_request req;
	char err[128];
	const char frame[] = "{\"action\":\"message\",\"interview_id\":\"abc\",\"message\":\"\xC3\x28\"}";
	assert_int_equal(proto_parse_request(frame, sizeof frame - 1, &req, err, sizeof err), PROTO_EBAD);
	assert_string_equal(err, "message is not valid UTF-8");
	assert_string_equal(req.interview_id, "abc");
	proto_request_free(&req);
	const char badid[] = "{\"action\":\"history\",\"interview_id\":\"\xFF\"}";
	assert_int_equal(proto_parse_request(badid, sizeof badid - 1, &req, err, sizeof err), PROTO_EBAD);
	assert_null(req.interview_id);
	proto_request_free(&req);
}

/* --json readers never test for a missing key: the same keys in the same order
 * whether a field is empty or not, and nothing of the record is lost. */
static void test_cli_json_has_every_field_in_one_order_empty_or_not(void **state)
{
	(void)state;
	struct proto_score scores[] = { { .name = "score", .value = 7 } };
	char *notes[] = { "said yes" }, *tags[] = { "senior", "remote" };
	struct proto_answer answers[] = { { .id = "email", .text = "a@b.c" } };
	struct proto_interview full = {
		.id = "c",
		.script = "demo",
		.script_hash = "h",
		.candidate = "Cy",
		.status = PROTO_STATUS_FINISHED,
		.created = 4,
		.updated = 5,
		.next_seq = 6,
		.scores = scores,
		.nscores = 1,
		.notes = notes,
		.nnotes = 1,
		.tags = tags,
		.ntags = 2,
		.answers = answers,
		.nanswers = 1,
		.last_error = "scripts/demo.lua:1: x",
		.last_traceback = "tb",
	};
	char *s = proto_cli_list(&full, 1);
	assert_string_equal(
		s,
		"[{\"id\":\"c\",\"script\":\"demo\",\"script_hash\":\"h\",\"candidate\":\"Cy\","
		"\"status\":\"finished\",\"created\":4,\"updated\":5,\"next_seq\":6,\"messages\":5,"
		"\"scores\":{\"score\":7},\"answers\":{\"email\":\"a@b.c\"},\"notes\":[\"said yes\"],"
		"\"tags\":[\"senior\",\"remote\"],\"last_error\":\"scripts/demo.lua:1: x\","
		"\"last_traceback\":\"tb\",\"api_level\":1}]");
	free(s);
	s = proto_cli_show(&full, NULL, 0);
	assert_non_null(strstr(s, "\"last_traceback\":\"tb\",\"api_level\":1,\"transcript\":[]}"));
	free(s);
	struct proto_interview bare = { .id = "d", .status = PROTO_STATUS_NEW };
	s = proto_cli_show(&bare, NULL, 0);
	assert_string_equal(
		s,
		"{\"id\":\"d\",\"script\":\"\",\"script_hash\":\"\",\"candidate\":\"\",\"status\":\"new\","
		"\"created\":0,\"updated\":0,\"next_seq\":0,\"messages\":0,\"scores\":{},\"answers\":{},"
		"\"notes\":[],\"tags\":[],\"last_error\":null,\"last_traceback\":null,\"api_level\":1,\"transcript\":[]}");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference_spec_example_parses),
		cmocka_unit_test(test_history_and_client_msg_id_parse),
		cmocka_unit_test(test_bad_request_names_the_problem),
		cmocka_unit_test(test_interview_id_echoed_on_error),
		cmocka_unit_test(test_unknown_action_parses_as_unknown),
		cmocka_unit_test(test_embedded_nul_cuts_message),
		cmocka_unit_test(test_oversized_frame_refused),
		cmocka_unit_test(test_free_is_safe_on_zeroed_structs),
		cmocka_unit_test(test_response_frame_is_exact),
		cmocka_unit_test(test_error_frame_is_exact),
		cmocka_unit_test(test_error_codes_keep_their_wire_names),
		cmocka_unit_test(
			test_roles_kinds_and_statuses_round_trip_and_unknown_words_are_refused),
		cmocka_unit_test(test_history_frame_is_exact),
		cmocka_unit_test(test_watch_frames_are_exact),
		cmocka_unit_test(test_invalid_utf8_is_refused_and_the_id_still_echoed),
		cmocka_unit_test(test_big_timestamps_print_as_integers),
		cmocka_unit_test(test_unicode_and_quotes_are_escaped),
		cmocka_unit_test(test_turn_record_round_trips),
		cmocka_unit_test(test_turn_decode_refuses_wrong_types),
		cmocka_unit_test(test_interview_record_round_trips),
		cmocka_unit_test(test_interview_decode_tolerates_missing_and_extra_fields),
		cmocka_unit_test(test_answers_decode_as_strings_or_numbers),
		cmocka_unit_test(test_non_finite_score_stored_as_null_reads_back_nan),
		cmocka_unit_test(test_token_record_round_trips),
		cmocka_unit_test(test_cli_outputs),
		cmocka_unit_test(test_cli_json_has_every_field_in_one_order_empty_or_not),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
