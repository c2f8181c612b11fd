/* test_api: the HTTP API's decisions, driven through api_handle with no
 * socket: routing and 405, who may call what (401/403), the same-origin rule
 * for cookie writes, body and argument errors naming the field, the sign-in
 * limit's 429, and each endpoint's answer.
 *
 * One data directory and scripts directory serve the whole group (accounts
 * cost an Argon2id run each); each test makes what it needs under names of
 * its own. Requests carry a fixed clock, so sessions never expire mid-run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"

#include "account.h"
#include "api.h"
#include "log.h"
#include "ops.h"
#include "proto.h"
#include "record.h"
#include "scriptdir.h"

#define T0 1700000000000LL
#define PW "correct horse battery"
#define HOST "interviewd.test:8080"
#define ORIGIN "http://" HOST
#define HELLO_SCRIPT "say('Hello!')\nlocal lang = ask('Which language?')\nfinish('Bye')\n"
#define BROKEN_SCRIPT "say('one')\nsay('two'\nsay('three')\n"

struct fixture {
	char data[64];
	char scripts[64];
	struct store *st;
	struct api api;
	char admin_cookie[ACCOUNT_SECRET_LEN + 1];  /* ada, admin */
	char ivan_cookie[ACCOUNT_SECRET_LEN + 1];   /* ivan, interviewer */
	char ci_key[ACCOUNT_SECRET_LEN + 1];        /* API key "ci", interviewer */
	char ops_key[ACCOUNT_SECRET_LEN + 1];       /* API key "ops", admin */
	char candidate_token[TOKEN_LEN + 1];
	char interview[TOKEN_ID_LEN + 1];
};

static struct fixture *F;

/* What the API told the transport: the last change and how many. */
static struct {
	enum api_change last;
	char id[TOKEN_ID_LEN + 1];
	char candidate[64];
	int count;
} told;

static void fake_changed(void *ctx, enum api_change change, const struct proto_interview *iv)
{
	(void)ctx;
	told.last = change;
	snprintf(told.id, sizeof told.id, "%s", iv->id);
	snprintf(told.candidate, sizeof told.candidate, "%s", iv->candidate ? iv->candidate : "");
	told.count++;
}

static int group_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	assert_non_null(f);
	assert_int_equal(token_init(), TOKEN_OK);
	log_set_level(2);
	strcpy(f->data, "/tmp/interviewd-api-XXXXXX");
	strcpy(f->scripts, "/tmp/interviewd-api-scripts-XXXXXX");
	assert_non_null(mkdtemp(f->data));
	assert_non_null(mkdtemp(f->scripts));
	fixture_write_file(f->scripts, "hello.lua", HELLO_SCRIPT);
	fixture_write_file(f->scripts, "broken.lua", BROKEN_SCRIPT);
	char err[256] = "";
	assert_int_equal(store_open(&f->st, f->data, NULL, err, sizeof err), 0);
	f->api.store = f->st;
	f->api.scripts_dir = f->scripts;
	f->api.notify.changed = fake_changed;

	struct account_principal who;
	assert_int_equal(account_user_add(f->st, "ada", ACCOUNT_ROLE_ADMIN, PW, strlen(PW), T0), 0);
	assert_int_equal(account_user_add(f->st, "ivan", ACCOUNT_ROLE_INTERVIEWER, PW, strlen(PW), T0), 0);
	assert_int_equal(account_sign_in(f->st, "ada", PW, strlen(PW), "192.0.2.1", T0,
					 f->admin_cookie, &who, NULL), 0);
	assert_int_equal(account_sign_in(f->st, "ivan", PW, strlen(PW), "192.0.2.1", T0,
					 f->ivan_cookie, &who, NULL), 0);
	assert_int_equal(account_apikey_add(f->st, "ci", ACCOUNT_ROLE_INTERVIEWER, T0, f->ci_key), 0);
	assert_int_equal(account_apikey_add(f->st, "ops", ACCOUNT_ROLE_ADMIN, T0, f->ops_key), 0);
	assert_int_equal(record_create_interview(f->st, "hello", HELLO_SCRIPT, strlen(HELLO_SCRIPT),
						 "Token Holder", f->interview, f->candidate_token,
						 err, sizeof err), 0);
	F = f;
	*state = f;
	return 0;
}

static int group_teardown(void **state)
{
	struct fixture *f = *state;
	store_close(f->st);
	fixture_remove_tree(f->data);
	fixture_remove_tree(f->scripts);
	free(f);
	return 0;
}

/* --- requests ----------------------------------------------------------- */

/* A request under construction, with room for the headers it builds. */
struct rq {
	struct api_request r;
	char cookie[128];
	char auth[128];
};

static struct rq *rq_new(const char *method, const char *path, const char *body)
{
	struct rq *q = calloc(1, sizeof *q);
	assert_non_null(q);
	q->r.method = method;
	q->r.path = path;
	q->r.host = HOST;
	q->r.peer = "192.0.2.1";
	q->r.now = T0 + 1000;
	if (body) {
		q->r.body = body;
		q->r.body_len = strlen(body);
		q->r.content_type = "application/json";
	}
	return q;
}

static struct rq *with_cookie(struct rq *q, const char *cookie)
{
	snprintf(q->cookie, sizeof q->cookie, "theme=dark; %s=%s", API_COOKIE, cookie);
	q->r.cookie = q->cookie;
	return q;
}

static struct rq *with_key(struct rq *q, const char *key)
{
	snprintf(q->auth, sizeof q->auth, "Bearer %s", key);
	q->r.authorization = q->auth;
	return q;
}

static struct rq *same_origin(struct rq *q)
{
	q->r.origin = ORIGIN;
	return q;
}

/* Sends q (and frees it); the answer is in *res (free with api_response_free). */
static int send_rq(struct rq *q, struct api_response *res)
{
	api_handle(&F->api, &q->r, res);
	free(q);
	return res->status;
}

/* Sends q and checks the status, and for an error the code; returns the body
 * (static until the next call) or "" when there is none. */
static const char *expect(struct rq *q, int status, const char *code)
{
	static char body[1 << 16];
	struct api_response res;
	int got = send_rq(q, &res);
	snprintf(body, sizeof body, "%.*s", (int)res.len, res.body ? res.body : "");
	if (got != status)
		print_message("status %d, body %s\n", got, body);
	assert_int_equal(got, status);
	if (code) {
		char want[96];
		snprintf(want, sizeof want, "{\"error\":{\"code\":\"%s\",\"message\":\"", code);
		assert_true(strncmp(body, want, strlen(want)) == 0);
	}
	if (res.body)
		assert_string_equal(res.content_type, "application/json; charset=utf-8");
	api_response_free(&res);
	return body;
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		print_message("'%s' not in: %s\n", needle, hay);
	assert_non_null(strstr(hay, needle));
}

/* Copies the string value of "key":"..." in json into out. */
static void json_string(const char *json, const char *key, char *out, size_t outlen)
{
	char pat[64];
	snprintf(pat, sizeof pat, "\"%s\":\"", key);
	const char *p = strstr(json, pat);
	assert_non_null(p);
	p += strlen(pat);
	const char *e = strchr(p, '"');
	assert_non_null(e);
	assert_true((size_t)(e - p) < outlen);
	snprintf(out, outlen, "%.*s", (int)(e - p), p);
}

/* The cookie a sign-in's Set-Cookie carries. */
static void cookie_of(const struct api_response *res, char cookie[ACCOUNT_SECRET_LEN + 1])
{
	const char *v = res->set_cookie + strlen(API_COOKIE) + 1;
	size_t len = strcspn(v, ";");
	assert_int_equal(len, ACCOUNT_SECRET_LEN);
	memcpy(cookie, v, len);
	cookie[len] = '\0';
}

/* --- routing ---------------------------------------------------------- */

static void test_unknown_paths_are_404_in_the_error_shape(void **state)
{
	const char *paths[] = { "/api/v1/nope", "/api/v1/", "/api/v1", "/api/v1/me/", "/api/v2/me",
				"/api", "/api/v1//me", "/api/v1/interviews/abc/nope" };
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
		expect(with_key(rq_new("GET", paths[i], NULL), F->ci_key), 404, "not_found");
	char longpath[2048];
	memset(longpath, 'a', sizeof longpath - 1);
	longpath[sizeof longpath - 1] = '\0';
	memcpy(longpath, "/api/v1/", 8);
	expect(with_key(rq_new("GET", longpath, NULL), F->ci_key), 404, "not_found");
}

static void test_a_wrong_method_is_405_with_allow_listing_the_right_ones(void **state)
{
	struct api_response res;
	assert_int_equal(send_rq(rq_new("PUT", "/api/v1/me", NULL), &res), 405);
	assert_string_equal(res.allow, "GET");
	assert_contains(res.body, "\"code\":\"method_not_allowed\"");
	api_response_free(&res);
	assert_int_equal(send_rq(rq_new("GET", "/api/v1/session", NULL), &res), 405);
	assert_string_equal(res.allow, "POST, DELETE");
	api_response_free(&res);
	assert_int_equal(send_rq(rq_new("PATCH", "/api/v1/interviews", NULL), &res), 405);
	assert_string_equal(res.allow, "GET, POST");
	api_response_free(&res);
	assert_int_equal(send_rq(rq_new("GET", "/api/v1/users/ada", NULL), &res), 405);
	assert_string_equal(res.allow, "DELETE");
	api_response_free(&res);
	/* A request that is answered has no Allow header. */
	assert_int_equal(send_rq(rq_new("GET", "/api/v1/me", NULL), &res), 401);
	assert_string_equal(res.allow, "");
	api_response_free(&res);
}

static void test_nul_bad_escapes_and_dot_segments_in_the_path_are_400(void **state)
{
	const char *paths[] = { "/api/v1/me%00", "/api/v1/me%00/x", "/api/v1/../v1/me",
				"/api/v1/%2e%2e/me", "/api/v1/./me", "/api/v1/me%zz", "/api/v1/me%2" };
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
		expect(with_key(rq_new("GET", paths[i], NULL), F->ci_key), 400, "bad_request");
	/* An escaped letter is still the letter. */
	expect(with_key(rq_new("GET", "/api/v1/m%65", NULL), F->ci_key), 200, NULL);
}

/* --- who may call what ------------------------------------------------ */

static const struct {
	const char *method, *path;
} GUARDED[] = {
	{ "GET", "/api/v1/me" },
	{ "GET", "/api/v1/scripts" },
	{ "GET", "/api/v1/interviews" },
	{ "POST", "/api/v1/interviews" },
	{ "GET", "/api/v1/interviews/0123456789abcdef" },
	{ "DELETE", "/api/v1/interviews/0123456789abcdef" },
	{ "GET", "/api/v1/interviews/0123456789abcdef/transcript.md" },
	{ "POST", "/api/v1/interviews/0123456789abcdef/close" },
	{ "POST", "/api/v1/interviews/0123456789abcdef/link" },
	{ "GET", "/api/v1/export.csv" },
	{ "GET", "/api/v1/export.jsonl" },
	{ "GET", "/api/v1/stats" },
	{ "GET", "/api/v1/users" },
	{ "POST", "/api/v1/users" },
	{ "DELETE", "/api/v1/users/ivan" },
	{ "GET", "/api/v1/apikeys" },
	{ "POST", "/api/v1/apikeys" },
	{ "DELETE", "/api/v1/apikeys/ci" },
};
#define NGUARDED (sizeof GUARDED / sizeof GUARDED[0])

static void test_every_endpoint_but_sign_in_and_out_needs_credentials(void **state)
{
	for (size_t i = 0; i < NGUARDED; i++)
		expect(same_origin(rq_new(GUARDED[i].method, GUARDED[i].path, "{}")), 401,
		       "unauthorized");
}

static void test_a_candidate_token_is_no_credential_as_bearer_or_cookie(void **state)
{
	for (size_t i = 0; i < NGUARDED; i++) {
		expect(with_key(rq_new(GUARDED[i].method, GUARDED[i].path, "{}"), F->candidate_token),
		       401, "unauthorized");
		expect(same_origin(with_cookie(rq_new(GUARDED[i].method, GUARDED[i].path, "{}"),
					       F->candidate_token)),
		       401, "unauthorized");
	}
	/* Nor is an API key a cookie, or a cookie a key. */
	expect(with_cookie(rq_new("GET", "/api/v1/me", NULL), F->ci_key), 401, "unauthorized");
	expect(with_key(rq_new("GET", "/api/v1/me", NULL), F->ivan_cookie), 401, "unauthorized");
	/* Only Bearer carries a key. */
	struct rq *q = rq_new("GET", "/api/v1/me", NULL);
	snprintf(q->auth, sizeof q->auth, "Basic %s", F->ci_key);
	q->r.authorization = q->auth;
	expect(q, 401, "unauthorized");
}

static void test_interviewers_get_403_from_admin_endpoints_and_admins_pass(void **state)
{
	expect(with_cookie(rq_new("GET", "/api/v1/users", NULL), F->ivan_cookie), 403, "forbidden");
	expect(with_key(rq_new("GET", "/api/v1/apikeys", NULL), F->ci_key), 403, "forbidden");
	expect(same_origin(with_cookie(rq_new("DELETE", "/api/v1/interviews/0123456789abcdef", NULL),
				       F->ivan_cookie)),
	       403, "forbidden");
	expect(with_cookie(rq_new("GET", "/api/v1/users", NULL), F->admin_cookie), 200, NULL);
	expect(with_key(rq_new("GET", "/api/v1/apikeys", NULL), F->ops_key), 200, NULL);
}

static void test_me_says_who_is_asking_and_whether_by_key(void **state)
{
	const char *b = expect(with_cookie(rq_new("GET", "/api/v1/me", NULL), F->ivan_cookie), 200, NULL);
	assert_string_equal(b, "{\"name\":\"ivan\",\"role\":\"interviewer\"}");
	b = expect(with_key(rq_new("GET", "/api/v1/me", NULL), F->ops_key), 200, NULL);
	assert_string_equal(b, "{\"name\":\"ops\",\"role\":\"admin\",\"apikey\":true}");
}

/* --- the same-origin rule --------------------------------------------- */

static void test_cookie_writes_need_this_servers_origin_but_reads_and_keys_do_not(void **state)
{
	const char *body = "{\"script\":\"hello\",\"candidate\":\"Origin Test\"}";
	expect(with_cookie(rq_new("POST", "/api/v1/interviews", body), F->ivan_cookie), 403,
	       "forbidden");
	const char *foreign[] = { "http://evil.test", "null", "https://" HOST, "http://" HOST ".evil.test" };
	for (size_t i = 0; i < sizeof foreign / sizeof foreign[0]; i++) {
		struct rq *q = with_cookie(rq_new("POST", "/api/v1/interviews", body), F->ivan_cookie);
		q->r.origin = foreign[i];
		expect(q, 403, "forbidden");
	}
	expect(same_origin(with_cookie(rq_new("POST", "/api/v1/interviews", body), F->ivan_cookie)),
	       201, NULL);
	/* Over TLS the own origin is https. */
	struct rq *q = with_cookie(rq_new("POST", "/api/v1/interviews", body), F->ivan_cookie);
	q->r.is_tls = true;
	q->r.origin = "https://" HOST;
	expect(q, 201, NULL);
	/* Reads need no Origin; an API key is never sent by a browser on its own. */
	expect(with_cookie(rq_new("GET", "/api/v1/interviews", NULL), F->ivan_cookie), 200, NULL);
	expect(with_key(rq_new("POST", "/api/v1/interviews", body), F->ci_key), 201, NULL);
	/* Without a usable Host there is no own origin to match. */
	q = same_origin(with_cookie(rq_new("POST", "/api/v1/interviews", body), F->ivan_cookie));
	q->r.host = NULL;
	expect(q, 403, "forbidden");
}

/* --- sessions ---------------------------------------------------------- */

static void test_sign_in_sets_an_httponly_strict_cookie_that_then_works(void **state)
{
	struct api_response res;
	const char *body = "{\"name\":\"ivan\",\"password\":\"" PW "\"}";
	assert_int_equal(send_rq(rq_new("POST", "/api/v1/session", body), &res), 200);
	assert_string_equal(res.body, "{\"name\":\"ivan\",\"role\":\"interviewer\"}");
	assert_true(strncmp(res.set_cookie, API_COOKIE "=ivs_", strlen(API_COOKIE) + 5) == 0);
	assert_contains(res.set_cookie, "; Path=/");
	assert_contains(res.set_cookie, "; HttpOnly");
	assert_contains(res.set_cookie, "; SameSite=Strict");
	assert_contains(res.set_cookie, "; Max-Age=604800");
	assert_null(strstr(res.set_cookie, "Secure"));
	char cookie[ACCOUNT_SECRET_LEN + 1];
	cookie_of(&res, cookie);
	api_response_free(&res);
	const char *me = expect(with_cookie(rq_new("GET", "/api/v1/me", NULL), cookie), 200, NULL);
	assert_contains(me, "\"name\":\"ivan\"");

	struct rq *q = rq_new("POST", "/api/v1/session", body);
	q->r.is_tls = true;
	assert_int_equal(send_rq(q, &res), 200);
	assert_contains(res.set_cookie, "; Secure");
	api_response_free(&res);
}

static void test_sign_in_failures_never_say_whether_the_name_exists(void **state)
{
	struct rq *q = rq_new("POST", "/api/v1/session", "{\"name\":\"ivan\",\"password\":\"wrong password\"}");
	q->r.peer = "192.0.2.50";
	char wrong_pw[256];
	snprintf(wrong_pw, sizeof wrong_pw, "%s", expect(q, 401, "unauthorized"));
	q = rq_new("POST", "/api/v1/session", "{\"name\":\"nobody\",\"password\":\"wrong password\"}");
	q->r.peer = "192.0.2.50";
	assert_string_equal(expect(q, 401, "unauthorized"), wrong_pw);
}

static void test_sign_in_body_errors_name_the_field(void **state)
{
	assert_contains(expect(rq_new("POST", "/api/v1/session", "{\"password\":\"x\"}"), 400,
			       "bad_request"),
			"\"field\":\"name\"");
	assert_contains(expect(rq_new("POST", "/api/v1/session", "{\"name\":\"ivan\"}"), 400,
			       "bad_request"),
			"\"field\":\"password\"");
	assert_contains(expect(rq_new("POST", "/api/v1/session", "{\"name\":\"ivan\",\"password\":7}"),
			       400, "bad_request"),
			"\"field\":\"password\"");
	/* A browser on another site cannot sign anyone in. */
	struct rq *q = rq_new("POST", "/api/v1/session", "{\"name\":\"ivan\",\"password\":\"" PW "\"}");
	q->r.origin = "http://evil.test";
	expect(q, 403, "forbidden");
}

static void test_the_eleventh_failure_in_15_minutes_gets_429_with_retry_after(void **state)
{
	const char *body = "{\"name\":\"ghost\",\"password\":\"not the password\"}";
	for (int i = 0; i < ACCOUNT_SIGNIN_FAILURES; i++) {
		struct rq *q = rq_new("POST", "/api/v1/session", body);
		q->r.peer = "198.51.100.9";
		expect(q, 401, "unauthorized");
	}
	struct api_response res;
	struct rq *q = rq_new("POST", "/api/v1/session", body);
	q->r.peer = "198.51.100.9";
	assert_int_equal(send_rq(q, &res), 429);
	assert_contains(res.body, "\"code\":\"rate_limited\"");
	assert_true(res.retry_after > 0 && res.retry_after <= ACCOUNT_SIGNIN_WINDOW_MS / 1000);
	api_response_free(&res);
	/* The address is held for every name, the right password included. */
	q = rq_new("POST", "/api/v1/session", "{\"name\":\"ivan\",\"password\":\"" PW "\"}");
	q->r.peer = "198.51.100.9";
	expect(q, 429, "rate_limited");
}

static void test_sign_out_ends_the_session_and_clears_the_cookie(void **state)
{
	struct account_principal who;
	char cookie[ACCOUNT_SECRET_LEN + 1];
	assert_int_equal(account_sign_in(F->st, "ivan", PW, strlen(PW), "192.0.2.1", T0, cookie,
					 &who, NULL), 0);
	/* Signing out is a write: another site cannot do it. */
	struct rq *q = with_cookie(rq_new("DELETE", "/api/v1/session", NULL), cookie);
	q->r.origin = "http://evil.test";
	expect(q, 403, "forbidden");
	expect(with_cookie(rq_new("GET", "/api/v1/me", NULL), cookie), 200, NULL);

	struct api_response res;
	assert_int_equal(send_rq(same_origin(with_cookie(rq_new("DELETE", "/api/v1/session", NULL),
							 cookie)),
				 &res),
			 204);
	assert_null(res.body);
	assert_contains(res.set_cookie, API_COOKIE "=;");
	assert_contains(res.set_cookie, "Max-Age=0");
	api_response_free(&res);
	assert_int_equal(send_rq(with_cookie(rq_new("GET", "/api/v1/me", NULL), cookie), &res), 401);
	assert_contains(res.set_cookie, "Max-Age=0");
	api_response_free(&res);
	/* Again, or with no cookie at all: still signed out. */
	expect(same_origin(with_cookie(rq_new("DELETE", "/api/v1/session", NULL), cookie)), 204, NULL);
	expect(rq_new("DELETE", "/api/v1/session", NULL), 204, NULL);
}

static void test_a_removed_users_session_is_refused(void **state)
{
	struct account_principal who;
	char cookie[ACCOUNT_SECRET_LEN + 1];
	assert_int_equal(account_user_add(F->st, "temp", ACCOUNT_ROLE_INTERVIEWER, PW, strlen(PW), T0), 0);
	assert_int_equal(account_sign_in(F->st, "temp", PW, strlen(PW), "192.0.2.1", T0, cookie,
					 &who, NULL), 0);
	expect(with_cookie(rq_new("GET", "/api/v1/me", NULL), cookie), 200, NULL);
	expect(with_key(rq_new("DELETE", "/api/v1/users/temp", NULL), F->ops_key), 204, NULL);
	expect(with_cookie(rq_new("GET", "/api/v1/me", NULL), cookie), 401, "unauthorized");
}

/* --- bodies ------------------------------------------------------------ */

/* POSTs body to /api/v1/interviews with the ci key; returns the body. */
static const char *create(const char *body, int status)
{
	return expect(with_key(rq_new("POST", "/api/v1/interviews", body), F->ci_key), status,
		      status >= 400 ? "bad_request" : NULL);
}

static void assert_field(const char *answer, const char *field)
{
	char want[64];
	snprintf(want, sizeof want, "\"field\":\"%s\"", field);
	assert_contains(answer, want);
}

static void test_body_errors_are_400_naming_the_problem(void **state)
{
	assert_contains(create("", 400), "empty");
	assert_field(create("", 400), "body");
	assert_contains(create("{\"script\":", 400), "not valid JSON");
	assert_contains(create("[1,2]", 400), "must be a JSON object");
	assert_contains(create("{} trailing", 400), "not valid JSON");
	const char *a = create("{\"script\":5,\"candidate\":\"A\"}", 400);
	assert_field(a, "script");
	assert_contains(a, "must be a string");
	struct rq *q = with_key(rq_new("POST", "/api/v1/interviews", "script=hello"), F->ci_key);
	q->r.content_type = "application/x-www-form-urlencoded";
	assert_field(expect(q, 400, "bad_request"), "Content-Type");
}

static void test_a_body_past_64_KiB_is_413(void **state)
{
	struct rq *q = with_key(rq_new("POST", "/api/v1/interviews", NULL), F->ci_key);
	q->r.body_too_large = true;
	assert_contains(expect(q, 413, "too_large"), "64 KiB");
	/* Before anything else: no credentials needed to be told. */
	q = rq_new("POST", "/api/v1/session", NULL);
	q->r.body_too_large = true;
	expect(q, 413, "too_large");
}

/* --- interviews -------------------------------------------------------- */

static void test_creating_an_interview_checks_script_and_candidate_by_field(void **state)
{
	assert_field(create("{\"candidate\":\"A\"}", 400), "script");
	assert_field(create("{\"script\":\"../etc/passwd\",\"candidate\":\"A\"}", 400), "script");
	const char *a = create("{\"script\":\"nosuch\",\"candidate\":\"A\"}", 400);
	assert_field(a, "script");
	assert_contains(a, "no script 'nosuch'");
	a = create("{\"script\":\"broken\",\"candidate\":\"A\"}", 400);
	assert_field(a, "script");
	assert_contains(a, "scripts/broken.lua:");
	assert_field(create("{\"script\":\"hello\"}", 400), "candidate");
	assert_field(create("{\"script\":\"hello\",\"candidate\":\"\"}", 400), "candidate");
	assert_field(create("{\"script\":\"hello\",\"candidate\":\"   \"}", 400), "candidate");
	assert_field(create("{\"script\":\"hello\",\"candidate\":\"Ada\\nLovelace\"}", 400), "candidate");
	assert_field(create("{\"script\":\"hello\",\"candidate\":\"Ada\\u0085\"}", 400), "candidate");
	char body[1024], name[512];
	memset(name, 'x', 201);
	name[201] = '\0';
	snprintf(body, sizeof body, "{\"script\":\"hello\",\"candidate\":\"%s\"}", name);
	assert_contains(create(body, 400), "200 characters");
	/* 200 characters (of two bytes each) are fine. */
	name[0] = '\0';
	for (int i = 0; i < 200; i++)
		strcat(name, "\xc3\xa9");
	snprintf(body, sizeof body, "{\"script\":\"hello\",\"candidate\":\"%s\"}", name);
	create(body, 201);
}

static void test_a_new_interview_gets_a_working_link_on_the_requests_own_origin(void **state)
{
	const char *b = create("{\"script\":\"hello\",\"candidate\":\"Grace Hopper\"}", 201);
	char id[64], token[64], url[256], want[256];
	json_string(b, "id", id, sizeof id);
	json_string(b, "token", token, sizeof token);
	json_string(b, "url", url, sizeof url);
	assert_contains(b, "\"script\":\"hello\"");
	assert_contains(b, "\"candidate\":\"Grace Hopper\"");
	snprintf(want, sizeof want, ORIGIN "/?interview=%s&token=%s", id, token);
	assert_string_equal(url, want);
	snprintf(want, sizeof want, "\"ws_url\":\"ws://" HOST "/v1?token=%s\"", token);
	assert_contains(b, want);
	char bound[TOKEN_ID_LEN + 1];
	assert_int_equal(record_check_token(F->st, token, bound), 0);
	assert_string_equal(bound, id);

	char path[128];
	snprintf(path, sizeof path, "/api/v1/interviews/%s", id);
	b = expect(with_key(rq_new("GET", path, NULL), F->ci_key), 200, NULL);
	assert_contains(b, "\"candidate\":\"Grace Hopper\"");
	assert_contains(b, "\"status\":\"new\"");
	assert_contains(b, "\"messages\":0");
	assert_contains(b, "\"scores\":{}");
	assert_contains(b, "\"answers\":{}");
	assert_contains(b, "\"notes\":[]");
	assert_contains(b, "\"last_error\":null");
	assert_contains(b, "\"transcript\":[]");
	assert_null(strstr(b, token));

	struct rq *q = with_key(rq_new("POST", "/api/v1/interviews",
				       "{\"script\":\"hello\",\"candidate\":\"TLS\"}"),
				F->ci_key);
	q->r.is_tls = true;
	b = expect(q, 201, NULL);
	assert_contains(b, "\"url\":\"https://" HOST "/?interview=");
	assert_contains(b, "\"ws_url\":\"wss://" HOST "/v1?token=");
}

static void test_an_unknown_or_malformed_interview_id_is_404(void **state)
{
	expect(with_key(rq_new("GET", "/api/v1/interviews/0123456789abcdef", NULL), F->ci_key), 404,
	       "not_found");
	expect(with_key(rq_new("GET", "/api/v1/interviews/not-an-id", NULL), F->ci_key), 404,
	       "not_found");
}

/* Lists with query, expecting 200; returns the body. */
static const char *list(const char *query)
{
	struct rq *q = with_key(rq_new("GET", "/api/v1/interviews", NULL), F->ci_key);
	q->r.query = query;
	return expect(q, 200, NULL);
}

static void test_the_list_filters_and_pages_newest_first_by_cursor(void **state)
{
	char ids[5][TOKEN_ID_LEN + 1], body[128];
	for (int i = 0; i < 5; i++) {
		snprintf(body, sizeof body, "{\"script\":\"hello\",\"candidate\":\"Pager Person %d\"}", i);
		json_string(create(body, 201), "id", ids[i], sizeof ids[i]);
		usleep(2000); /* distinct creation times: the order is by time */
	}
	/* Case-insensitive candidate search; pages of two, newest first. */
	char query[160], cursor[64];
	const char *b = list("q=pAGER+person&limit=2");
	assert_true(strstr(b, ids[4]) && strstr(b, ids[3]) && !strstr(b, ids[2]));
	assert_true(strstr(b, ids[4]) < strstr(b, ids[3]));
	json_string(b, "next_cursor", cursor, sizeof cursor);
	snprintf(query, sizeof query, "q=pager%%20person&limit=2&cursor=%s", cursor);
	b = list(query);
	assert_true(strstr(b, ids[2]) && strstr(b, ids[1]) && !strstr(b, ids[4]) && !strstr(b, ids[0]));
	json_string(b, "next_cursor", cursor, sizeof cursor);
	snprintf(query, sizeof query, "q=Pager&limit=2&cursor=%s", cursor);
	b = list(query);
	assert_true(strstr(b, ids[0]) && !strstr(b, ids[1]));
	assert_contains(b, "\"next_cursor\":null");

	/* Filters combine; the item has the list's fields. */
	b = list("status=new&script=hello&q=person%204");
	assert_contains(b, ids[4]);
	assert_null(strstr(b, ids[3]));
	assert_contains(b, "\"messages\":0,\"scores\":{},\"tags\":[]");
	b = list("status=finished&q=pager");
	assert_string_equal(b, "{\"interviews\":[],\"next_cursor\":null}");
	b = list("script=broken");
	assert_string_equal(b, "{\"interviews\":[],\"next_cursor\":null}");
	/* At most 50 by default: fewer here, and no cursor. */
	assert_contains(list(NULL), "\"next_cursor\":null");
}

static void test_bad_list_arguments_are_400_naming_them(void **state)
{
	const struct {
		const char *query, *field;
	} bad[] = {
		{ "status=done", "status" },    { "script=../x", "script" },
		{ "limit=0", "limit" },         { "limit=201", "limit" },
		{ "limit=ten", "limit" },       { "limit=", "limit" },
		{ "limit=5x", "limit" },        { "cursor=abc", "cursor" },
		{ "cursor=1.xyz", "cursor" },   { "q=%00", "q" },
		{ "q=%ff", "q" },               { "q=%zz", "q" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct rq *q = with_key(rq_new("GET", "/api/v1/interviews", NULL), F->ci_key);
		q->r.query = bad[i].query;
		assert_field(expect(q, 400, "bad_request"), bad[i].field);
	}
	assert_contains(list("limit=200"), "\"interviews\":[");
}

/* --- scripts ----------------------------------------------------------- */

static void test_scripts_lists_each_file_with_its_hash_and_compile_error(void **state)
{
	const char *b = expect(with_cookie(rq_new("GET", "/api/v1/scripts", NULL), F->ivan_cookie),
			       200, NULL);
	char hash[TOKEN_DIGEST_HEX + 1], want[256];
	token_digest_hex(HELLO_SCRIPT, strlen(HELLO_SCRIPT), hash);
	snprintf(want, sizeof want, "{\"name\":\"hello\",\"hash\":\"%s\",\"ok\":true,\"error\":null}",
		 hash);
	assert_contains(b, want);
	assert_contains(b, "{\"name\":\"broken\",\"hash\":\"");
	assert_contains(b, "\"ok\":false,\"error\":\"scripts/broken.lua:3:");
	/* Sorted by name. */
	assert_true(strstr(b, "\"broken\"") < strstr(b, "\"hello\""));
}

/* --- users and keys ---------------------------------------------------- */

static void test_admins_add_and_remove_users(void **state)
{
	const char *b = expect(with_key(rq_new("POST", "/api/v1/users", "{\"name\":\"newbie\"}"),
					F->ops_key),
			       201, NULL);
	char pw[64];
	json_string(b, "password", pw, sizeof pw);
	assert_int_equal(strlen(pw), ACCOUNT_PASSWORD_GEN);
	assert_contains(b, "\"name\":\"newbie\",\"role\":\"interviewer\"");
	/* The generated password signs in. */
	char body[256];
	snprintf(body, sizeof body, "{\"name\":\"newbie\",\"password\":\"%s\"}", pw);
	expect(rq_new("POST", "/api/v1/session", body), 200, NULL);

	b = expect(same_origin(with_cookie(rq_new("POST", "/api/v1/users",
						   "{\"name\":\"boss\",\"role\":\"admin\",\"password\":\"long enough\"}"),
					   F->admin_cookie)),
		   201, NULL);
	assert_string_equal(b, "{\"name\":\"boss\",\"role\":\"admin\"}");
	b = expect(with_key(rq_new("GET", "/api/v1/users", NULL), F->ops_key), 200, NULL);
	assert_contains(b, "{\"name\":\"boss\",\"role\":\"admin\",\"created\":");
	assert_null(strstr(b, "argon2"));

	expect(with_key(rq_new("POST", "/api/v1/users", "{\"name\":\"boss\"}"), F->ops_key), 409,
	       "conflict");
	assert_field(expect(with_key(rq_new("POST", "/api/v1/users", "{\"name\":\"no spaces\"}"),
				     F->ops_key),
			    400, "bad_request"),
		     "name");
	assert_field(expect(with_key(rq_new("POST", "/api/v1/users", "{\"name\":\"x\",\"role\":\"root\"}"),
				     F->ops_key),
			    400, "bad_request"),
		     "role");
	assert_field(expect(with_key(rq_new("POST", "/api/v1/users",
					    "{\"name\":\"x\",\"password\":\"short\"}"),
				     F->ops_key),
			    400, "bad_request"),
		     "password");

	expect(with_key(rq_new("DELETE", "/api/v1/users/newbie", NULL), F->ops_key), 204, NULL);
	expect(with_key(rq_new("DELETE", "/api/v1/users/newbie", NULL), F->ops_key), 404, "not_found");
	expect(with_key(rq_new("DELETE", "/api/v1/users/no%20such", NULL), F->ops_key), 404,
	       "not_found");
	expect(rq_new("POST", "/api/v1/session", body), 401, "unauthorized");
	/* The last admin stays: someone must be able to manage the team. */
	expect(with_key(rq_new("DELETE", "/api/v1/users/boss", NULL), F->ops_key), 204, NULL);
	assert_contains(expect(with_key(rq_new("DELETE", "/api/v1/users/ada", NULL), F->ops_key), 409,
			       "conflict"),
			"last admin");
}

static void test_admins_add_and_remove_api_keys(void **state)
{
	const char *b = expect(with_key(rq_new("POST", "/api/v1/apikeys",
					       "{\"label\":\"deploy-bot\",\"role\":\"admin\"}"),
					F->ops_key),
			       201, NULL);
	char key[64];
	json_string(b, "key", key, sizeof key);
	assert_true(strncmp(key, ACCOUNT_APIKEY_PREFIX, 4) == 0);
	assert_contains(b, "\"label\":\"deploy-bot\",\"role\":\"admin\"");
	assert_string_equal(expect(with_key(rq_new("GET", "/api/v1/me", NULL), key), 200, NULL),
			    "{\"name\":\"deploy-bot\",\"role\":\"admin\",\"apikey\":true}");
	b = expect(with_key(rq_new("GET", "/api/v1/apikeys", NULL), F->ops_key), 200, NULL);
	assert_contains(b, "{\"label\":\"deploy-bot\",\"role\":\"admin\",\"created\":");
	assert_null(strstr(b, key));
	expect(with_key(rq_new("POST", "/api/v1/apikeys", "{\"label\":\"deploy-bot\"}"), F->ops_key),
	       409, "conflict");
	assert_field(expect(with_key(rq_new("POST", "/api/v1/apikeys", "{}"), F->ops_key), 400,
			    "bad_request"),
		     "label");
	expect(with_key(rq_new("DELETE", "/api/v1/apikeys/deploy-bot", NULL), F->ops_key), 204, NULL);
	expect(with_key(rq_new("GET", "/api/v1/me", NULL), key), 401, "unauthorized");
	expect(with_key(rq_new("DELETE", "/api/v1/apikeys/deploy-bot", NULL), F->ops_key), 404,
	       "not_found");
}

/* --- one interview's operations, exports and statistics ------------------ */

/* A new interview of hello.lua (made through record, not the API). */
static void new_hello(const char *candidate, char id[TOKEN_ID_LEN + 1], char token[TOKEN_LEN + 1])
{
	char err[256] = "";
	assert_int_equal(record_create_interview(F->st, "hello", HELLO_SCRIPT, strlen(HELLO_SCRIPT),
						 candidate, id, token, err, sizeof err), 0);
}

static void test_creating_an_interview_tells_the_transport(void **state)
{
	int before = told.count;
	const char *b = create("{\"script\":\"hello\",\"candidate\":\"Told About\"}", 201);
	char id[TOKEN_ID_LEN + 1];
	json_string(b, "id", id, sizeof id);
	assert_int_equal(told.count, before + 1);
	assert_int_equal(told.last, API_CHANGE_CREATED);
	assert_string_equal(told.id, id);
	assert_string_equal(told.candidate, "Told About");
}

static void test_close_answers_the_closed_item_tells_the_transport_and_then_is_409(void **state)
{
	char id[TOKEN_ID_LEN + 1], token[TOKEN_LEN + 1], path[128];
	new_hello("Closable", id, token);
	snprintf(path, sizeof path, "/api/v1/interviews/%s/close", id);
	expect(with_cookie(rq_new("POST", path, NULL), F->ivan_cookie), 403, "forbidden");
	int before = told.count;
	const char *b = expect(with_key(rq_new("POST", path, NULL), F->ci_key), 200, NULL);
	assert_contains(b, "\"status\":\"closed\"");
	assert_contains(b, "\"candidate\":\"Closable\"");
	assert_contains(b, "\"messages\":0");
	assert_int_equal(told.count, before + 1);
	assert_int_equal(told.last, API_CHANGE_CLOSED);
	assert_string_equal(told.id, id);
	assert_contains(expect(with_key(rq_new("POST", path, NULL), F->ci_key), 409, "conflict"),
			"closed already");
	assert_int_equal(told.count, before + 1);
	expect(with_key(rq_new("POST", "/api/v1/interviews/0123456789abcdef/close", NULL), F->ci_key),
	       404, "not_found");
	expect(with_key(rq_new("POST", "/api/v1/interviews/nope/close", NULL), F->ci_key), 404,
	       "not_found");
}

static void test_a_new_link_replaces_every_token_on_the_requests_origin(void **state)
{
	char id[TOKEN_ID_LEN + 1], token[TOKEN_LEN + 1], path[128], bound[TOKEN_ID_LEN + 1];
	char fresh[TOKEN_LEN + 8], url[512], want[512];
	new_hello("Relinked", id, token);
	snprintf(path, sizeof path, "/api/v1/interviews/%s/link", id);
	const char *b =
		expect(same_origin(with_cookie(rq_new("POST", path, NULL), F->ivan_cookie)), 200, NULL);
	assert_int_equal(told.last, API_CHANGE_RELINKED);
	assert_string_equal(told.id, id);
	assert_contains(b, "\"script\":\"hello\"");
	assert_contains(b, "\"candidate\":\"Relinked\"");
	json_string(b, "token", fresh, sizeof fresh);
	json_string(b, "url", url, sizeof url);
	snprintf(want, sizeof want, ORIGIN "/?interview=%s&token=%s", id, fresh);
	assert_string_equal(url, want);
	json_string(b, "ws_url", url, sizeof url);
	snprintf(want, sizeof want, "ws://" HOST "/v1?token=%s", fresh);
	assert_string_equal(url, want);
	assert_int_equal(record_check_token(F->st, token, bound), RECORD_EAUTH);
	assert_int_equal(record_check_token(F->st, fresh, bound), 0);
	assert_string_equal(bound, id);
	expect(with_key(rq_new("POST", "/api/v1/interviews/0123456789abcdef/link", NULL), F->ci_key),
	       404, "not_found");
}

static void test_erase_is_for_admins_and_leaves_a_404(void **state)
{
	char id[TOKEN_ID_LEN + 1], token[TOKEN_LEN + 1], path[128], bound[TOKEN_ID_LEN + 1];
	new_hello("Erasable", id, token);
	snprintf(path, sizeof path, "/api/v1/interviews/%s", id);
	expect(with_key(rq_new("DELETE", path, NULL), F->ci_key), 403, "forbidden");
	expect(same_origin(with_cookie(rq_new("DELETE", path, NULL), F->admin_cookie)), 204, NULL);
	assert_int_equal(told.last, API_CHANGE_ERASED);
	assert_string_equal(told.id, id);
	assert_string_equal(told.candidate, "Erasable");
	expect(with_key(rq_new("GET", path, NULL), F->ci_key), 404, "not_found");
	expect(with_key(rq_new("DELETE", path, NULL), F->ops_key), 404, "not_found");
	assert_int_equal(record_check_token(F->st, token, bound), RECORD_EAUTH);
}

/* Sends q, expecting a 200 download of type saved as filename; returns the
 * body (static until the next call). */
static const char *download(struct rq *q, const char *type, const char *filename)
{
	static char body[1 << 16];
	struct api_response res;
	char want[160];
	assert_int_equal(send_rq(q, &res), 200);
	assert_string_equal(res.content_type, type);
	snprintf(want, sizeof want, "attachment; filename=\"%s\"", filename);
	assert_string_equal(res.disposition, want);
	snprintf(body, sizeof body, "%.*s", (int)res.len, res.body ? res.body : "");
	assert_int_equal(strlen(body), res.len);
	api_response_free(&res);
	return body;
}

static void test_transcript_and_exports_are_downloads_of_their_type(void **state)
{
	char id[TOKEN_ID_LEN + 1], token[TOKEN_LEN + 1], path[128], name[64];
	new_hello("Down \"Loaded\", Jr.", id, token);
	snprintf(path, sizeof path, "/api/v1/interviews/%s/transcript.md", id);
	snprintf(name, sizeof name, "interview-%s.md", id);
	const char *md = download(with_key(rq_new("GET", path, NULL), F->ci_key),
				  "text/markdown; charset=utf-8", name);
	assert_contains(md, "# Interview with Down \"Loaded\", Jr. — hello\n");
	expect(with_key(rq_new("GET", "/api/v1/interviews/0123456789abcdef/transcript.md", NULL),
			F->ci_key),
	       404, "not_found");

	struct rq *q = with_key(rq_new("GET", "/api/v1/export.csv", NULL), F->ci_key);
	q->r.query = "script=hello";
	const char *csv = download(q, "text/csv; charset=utf-8", "hello.csv");
	assert_true(strncmp(csv, "id,candidate,status,created,finished,", 37) == 0);
	assert_contains(csv, "\"Down \"\"Loaded\"\", Jr.\"");
	q = with_cookie(rq_new("GET", "/api/v1/export.jsonl", NULL), F->ivan_cookie);
	q->r.query = "script=hello";
	const char *jl = download(q, "application/x-ndjson", "hello.jsonl");
	assert_contains(jl, "\"candidate\":\"Down \\\"Loaded\\\", Jr.\"");
	assert_int_equal(jl[strlen(jl) - 1], '\n');
}

static void test_exports_and_stats_need_a_script_name(void **state)
{
	const char *paths[] = { "/api/v1/export.csv", "/api/v1/export.jsonl", "/api/v1/stats" };
	const char *queries[] = { NULL, "", "script=", "script=a/b", "script=%zz", "scrip=hello" };
	for (size_t i = 0; i < 3; i++)
		for (size_t k = 0; k < sizeof queries / sizeof queries[0]; k++) {
			struct rq *q = with_key(rq_new("GET", paths[i], NULL), F->ci_key);
			q->r.query = queries[k];
			assert_field(expect(q, 400, "bad_request"), "script");
		}
}

static void test_stats_count_a_scripts_interviews(void **state)
{
	char id[TOKEN_ID_LEN + 1], token[TOKEN_LEN + 1], err[256] = "";
	fixture_write_file(F->scripts, "counted.lua", HELLO_SCRIPT);
	for (int i = 0; i < 2; i++)
		assert_int_equal(record_create_interview(F->st, "counted", HELLO_SCRIPT,
							 strlen(HELLO_SCRIPT), "C", id, token, err,
							 sizeof err),
				 0);
	assert_int_equal(ops_close_interview(F->st, id, NULL, err, sizeof err), 0);
	struct rq *q = with_key(rq_new("GET", "/api/v1/stats", NULL), F->ci_key);
	q->r.query = "script=counted";
	assert_string_equal(expect(q, 200, NULL),
			    "{\"script\":\"counted\",\"total\":2,\"new\":1,\"active\":0,"
			    "\"finished\":0,\"closed\":1,\"started\":0,\"dropoff\":[]}");
}

/* --- the watch handshake --------------------------------------------------- */

/* Sends q (and frees it) as a watch handshake; returns its status: 101 when
 * it may upgrade (*w filled), else the refusal's, whose body must hold
 * field when given. */
static int watch_rq(struct rq *q, const char *query, struct api_watch *w, const char *field)
{
	struct api_response res;
	q->r.path = API_WATCH_PATH;
	q->r.query = query;
	int rc = api_watch_check(&F->api, &q->r, w, &res);
	free(q);
	int status = rc == 0 ? 101 : res.status;
	if (rc == 0)
		assert_null(res.body);
	if (field) {
		char want[64];
		snprintf(want, sizeof want, "\"field\":\"%s\"", field);
		assert_non_null(res.body);
		assert_contains(res.body, want);
	}
	api_response_free(&res);
	return status;
}

static void test_a_watch_needs_a_key_or_the_cookie_with_this_servers_origin(void **state)
{
	struct api_watch w;
	char q[64];
	snprintf(q, sizeof q, "interview=%s&from=3", F->interview);
	assert_int_equal(watch_rq(with_key(rq_new("GET", "/", NULL), F->ci_key), q, &w, NULL), 101);
	assert_string_equal(w.owner, "key:ci");
	assert_string_equal(w.interview_id, F->interview);
	assert_int_equal(w.from, 3);
	assert_false(w.all);
	assert_int_equal(watch_rq(same_origin(with_cookie(rq_new("GET", "/", NULL), F->ivan_cookie)),
				  "all=1", &w, NULL),
			 101);
	assert_string_equal(w.owner, "ivan");
	assert_true(w.all);
	/* Cross-site WebSocket hijacking: the browser sends the cookie anyway. */
	struct rq *r = with_cookie(rq_new("GET", "/", NULL), F->ivan_cookie);
	r->r.origin = "http://evil.example";
	assert_int_equal(watch_rq(r, "all=1", &w, NULL), 403);
	assert_int_equal(watch_rq(with_cookie(rq_new("GET", "/", NULL), F->ivan_cookie), "all=1", &w,
				  NULL),
			 403);
	assert_int_equal(watch_rq(rq_new("GET", "/", NULL), "all=1", &w, NULL), 401);
	assert_int_equal(watch_rq(with_key(rq_new("GET", "/", NULL), F->candidate_token), "all=1", &w,
				  NULL),
			 401);
	assert_int_equal(watch_rq(same_origin(with_cookie(rq_new("GET", "/", NULL),
							  F->candidate_token)),
				  "all=1", &w, NULL),
			 401);
	assert_int_equal(watch_rq(with_key(rq_new("POST", "/", NULL), F->ci_key), "all=1", &w, NULL),
			 405);
}

static void test_a_watchs_arguments_are_checked_and_named(void **state)
{
	struct api_watch w;
	char q[96];
	assert_int_equal(watch_rq(with_key(rq_new("GET", "/", NULL), F->ci_key), NULL, &w,
				  "interview"),
			 400);
	assert_int_equal(watch_rq(with_key(rq_new("GET", "/", NULL), F->ci_key), "interview=nope", &w,
				  "interview"),
			 400);
	assert_int_equal(watch_rq(with_key(rq_new("GET", "/", NULL), F->ci_key), "all=yes", &w, "all"),
			 400);
	snprintf(q, sizeof q, "all=1&interview=%s", F->interview);
	assert_int_equal(watch_rq(with_key(rq_new("GET", "/", NULL), F->ci_key), q, &w, "interview"),
			 400);
	const char *froms[] = { "-1", "x", "1.5", "", "99999999999999999999999" };
	for (size_t i = 0; i < sizeof froms / sizeof froms[0]; i++) {
		snprintf(q, sizeof q, "interview=%s&from=%s", F->interview, froms[i]);
		assert_int_equal(watch_rq(with_key(rq_new("GET", "/", NULL), F->ci_key), q, &w, "from"),
				 400);
	}
	assert_int_equal(watch_rq(with_key(rq_new("GET", "/", NULL), F->ci_key),
				  "interview=0123456789abcdef", &w, NULL),
			 404);
	snprintf(q, sizeof q, "interview=%s&from=0", F->interview);
	assert_int_equal(watch_rq(with_key(rq_new("GET", "/", NULL), F->ci_key), q, &w, NULL), 101);
	assert_int_equal(w.from, 0);
}

/* --- the log ------------------------------------------------------------ */

static void test_the_log_has_one_line_per_request_and_no_secret(void **state)
{
	char path[] = "/tmp/interviewd-api-log-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	fflush(stderr);
	int saved = dup(2);
	dup2(fd, 2);
	log_set_level(1);

	struct api_response res;
	assert_int_equal(send_rq(rq_new("POST", "/api/v1/session",
					"{\"name\":\"ivan\",\"password\":\"" PW "\"}"),
				 &res),
			 200);
	char cookie[ACCOUNT_SECRET_LEN + 1];
	cookie_of(&res, cookie);
	api_response_free(&res);
	const char *b = create("{\"script\":\"hello\",\"candidate\":\"Logged\"}", 201);
	char token[64];
	json_string(b, "token", token, sizeof token);
	struct rq *q = with_cookie(rq_new("GET", "/api/v1/interviews", NULL), cookie);
	q->r.query = "q=secret-search";
	expect(q, 200, NULL);

	fflush(stderr);
	log_set_level(2);
	dup2(saved, 2);
	close(saved);
	char log[8192] = "";
	ssize_t n = pread(fd, log, sizeof log - 1, 0);
	close(fd);
	unlink(path);
	assert_true(n > 0);
	log[n] = '\0';
	print_message("%s", log);
	assert_contains(log, "api POST /api/v1/session 200 ivan\n");
	assert_contains(log, "api POST /api/v1/interviews 201 key:ci\n");
	assert_contains(log, "api GET /api/v1/interviews 200 ivan\n");
	assert_null(strstr(log, PW));
	assert_null(strstr(log, cookie));
	assert_null(strstr(log, F->ci_key));
	assert_null(strstr(log, token));
	assert_null(strstr(log, "secret-search"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown_paths_are_404_in_the_error_shape),
		cmocka_unit_test(test_a_wrong_method_is_405_with_allow_listing_the_right_ones),
		cmocka_unit_test(test_nul_bad_escapes_and_dot_segments_in_the_path_are_400),
		cmocka_unit_test(test_every_endpoint_but_sign_in_and_out_needs_credentials),
		cmocka_unit_test(test_a_candidate_token_is_no_credential_as_bearer_or_cookie),
		cmocka_unit_test(test_interviewers_get_403_from_admin_endpoints_and_admins_pass),
		cmocka_unit_test(test_me_says_who_is_asking_and_whether_by_key),
		cmocka_unit_test(test_cookie_writes_need_this_servers_origin_but_reads_and_keys_do_not),
		cmocka_unit_test(test_sign_in_sets_an_httponly_strict_cookie_that_then_works),
		cmocka_unit_test(test_sign_in_failures_never_say_whether_the_name_exists),
		cmocka_unit_test(test_sign_in_body_errors_name_the_field),
		cmocka_unit_test(test_the_eleventh_failure_in_15_minutes_gets_429_with_retry_after),
		cmocka_unit_test(test_sign_out_ends_the_session_and_clears_the_cookie),
		cmocka_unit_test(test_a_removed_users_session_is_refused),
		cmocka_unit_test(test_body_errors_are_400_naming_the_problem),
		cmocka_unit_test(test_a_body_past_64_KiB_is_413),
		cmocka_unit_test(test_creating_an_interview_checks_script_and_candidate_by_field),
		cmocka_unit_test(test_a_new_interview_gets_a_working_link_on_the_requests_own_origin),
		cmocka_unit_test(test_an_unknown_or_malformed_interview_id_is_404),
		cmocka_unit_test(test_the_list_filters_and_pages_newest_first_by_cursor),
		cmocka_unit_test(test_bad_list_arguments_are_400_naming_them),
		cmocka_unit_test(test_scripts_lists_each_file_with_its_hash_and_compile_error),
		cmocka_unit_test(test_admins_add_and_remove_users),
		cmocka_unit_test(test_admins_add_and_remove_api_keys),
		cmocka_unit_test(test_creating_an_interview_tells_the_transport),
		cmocka_unit_test(test_close_answers_the_closed_item_tells_the_transport_and_then_is_409),
		cmocka_unit_test(test_a_new_link_replaces_every_token_on_the_requests_origin),
		cmocka_unit_test(test_erase_is_for_admins_and_leaves_a_404),
		cmocka_unit_test(test_transcript_and_exports_are_downloads_of_their_type),
		cmocka_unit_test(test_exports_and_stats_need_a_script_name),
		cmocka_unit_test(test_stats_count_a_scripts_interviews),
		cmocka_unit_test(test_a_watch_needs_a_key_or_the_cookie_with_this_servers_origin),
		cmocka_unit_test(test_a_watchs_arguments_are_checked_and_named),
		cmocka_unit_test(test_the_log_has_one_line_per_request_and_no_secret),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
