/* test_script: the Lua host keeps the script.h contract.
 *
 * Each test opens a small script from a string, feeds it candidate messages
 * and checks what the host guarantees whatever the script does: the sandbox,
 * the limits, the errors and where they point, and determinism. What the
 * script API does with answers is test_prelude's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "log.h"
#include "script.h"

#include "script_fixture.h"

/* ---- the sandbox --------------------------------------------------------- */

static void test_each_forbidden_capability_is_absent(void **state)
{
	(void)state;
	char *t = say_result(
		"local present = {}\n"
		"for _, n in ipairs({'io', 'os', 'package', 'debug', 'coroutine', 'load',\n"
		"    'loadfile', 'dofile', 'collectgarbage', 'require', 'warn'}) do\n"
		"  if rawget(_G, n) ~= nil then present[#present + 1] = n end\n"
		"end\n"
		"if string.dump then present[#present + 1] = 'string.dump' end\n"
		"if ('').dump then present[#present + 1] = 'string metatable dump' end\n"
		"if math.randomseed then present[#present + 1] = 'math.randomseed' end\n"
		"if getmetatable(_G) ~= false then present[#present + 1] = 'env metatable' end\n"
		"say('[' .. table.concat(present, ',') .. ']')\n");
	assert_string_equal(t, "[]");
	free(t);

	/* Reaching for one is an error naming it, not a nil to index. */
	const char *uses[] = { "io.write('x')", "os.exit(1)", "load('return 1')()",
			       "require('os')", "coroutine.yield()", "debug.sethook()",
			       "collectgarbage()", "string.dump(print)", "math.randomseed(1)" };
	for (size_t i = 0; i < sizeof uses / sizeof uses[0]; i++) {
		struct script *s = open_src(uses[i]);
		struct script_error e;
		assert_int_equal(feed_err(s, "hi", &e), SCRIPT_ERUNTIME);
		assert_non_null(strstr(e.message, "scripts/t.lua:1:"));
		script_close(s);
	}

	/* Bytecode is refused at open. */
	struct script_env env = { .interview_id = "x" };
	struct script_error e;
	struct script *s = NULL;
	assert_int_equal(script_open(&s, CHUNK, "\x1bLua\x54", 5, &env, &e), SCRIPT_ESYNTAX);
	assert_null(s);
	assert_non_null(strstr(e.message, "scripts/t.lua"));
}

static void test_undefined_global_error_names_it_and_suggests(void **state)
{
	(void)state;
	struct script *s = open_src("say('a')\nsya('hello')\n");
	struct script_error e;
	assert_int_equal(feed_err(s, "hi", &e), SCRIPT_ERUNTIME);
	assert_string_equal(e.message,
			    "scripts/t.lua:2: undefined global 'sya' (did you mean 'say'?)");
	assert_int_equal(e.line, 2);
	script_close(s);

	s = open_src("my_total = 1\nlocal x = my_totl + 1\n");
	assert_int_equal(feed_err(s, "hi", &e), SCRIPT_ERUNTIME);
	assert_string_equal(e.message,
			    "scripts/t.lua:2: undefined global 'my_totl' (did you mean 'my_total'?)");
	script_close(s);

	s = open_src("local x = zzqqxx\n");
	assert_int_equal(feed_err(s, "hi", &e), SCRIPT_ERUNTIME);
	assert_string_equal(e.message, "scripts/t.lua:1: undefined global 'zzqqxx'");
	script_close(s);

	/* rawget is the way to test for a global without tripping this. */
	char *t = say_result("say(tostring(rawget(_G, 'nothing')))");
	assert_string_equal(t, "nil");
	free(t);
}

static void test_gc_metatable_refused(void **state)
{
	(void)state;
	struct script *s = open_src("\nsetmetatable({}, {__gc = function() end})\n");
	struct script_error e;
	assert_int_equal(feed_err(s, "hi", &e), SCRIPT_ERUNTIME);
	assert_string_equal(e.message, "scripts/t.lua:2: __gc metamethods are not allowed");
	script_close(s);

	char *t = say_result("local t = setmetatable({}, {__index = function() return 7 end})\n"
			     "say(t.anything)\n");
	assert_string_equal(t, "7");
	free(t);
}

/* ---- limits -------------------------------------------------------------- */

static void test_instruction_budget_trips_even_inside_pcall(void **state)
{
	(void)state;
	struct script_limits lim = { .instructions = 100000 };
	struct script *s = open_with("say('start')\n"
				     "while true do\n"
				     "  pcall(function() while true do end end)\n"
				     "end\n",
				     &lim, 1, "");
	struct script_error e;
	assert_int_equal(feed_err(s, "hi", &e), SCRIPT_EBUDGET);
	assert_int_equal(e.code, SCRIPT_EBUDGET);
	assert_non_null(strstr(e.message, "instruction budget exceeded (100000 instructions in one turn)"));
	assert_non_null(strstr(e.message, "scripts/t.lua:"));
	assert_true(e.line == 2 || e.line == 3);
	assert_non_null(strstr(e.traceback, "stack traceback"));
	assert_int_equal(feed_err(s, "again", &e), SCRIPT_EDEAD);
	script_close(s);

	/* The budget is per feed: a script that works a little each turn goes on. */
	s = open_with("for i = 1, 5 do\n"
		      "  local n = 0\n"
		      "  for j = 1, 10000 do n = n + j end\n"
		      "  ask('again?')\n"
		      "end\n",
		      &lim, 1, "");
	struct script_output out;
	for (int i = 0; i < 6; i++) {
		feed_ok(s, "x", &out);
		script_output_free(&out);
	}
	assert_true(script_finished(s));
	script_close(s);
}

static void test_memory_cap_leaves_room_for_garbage_collection(void **state)
{
	(void)state;
	/* Live data well under the cap, garbage churning through it: Lua's
	 * emergency collection frees the garbage and the turn goes on. */
	/* What is tested is memory: the wall clock is set far off so a loaded
	 * machine (or ASan) copying 60 MiB slowly cannot fail it. */
	struct script_limits lim = { .memory = 8 * 1024 * 1024, .milliseconds = 60000 };
	struct script *s = open_with("local keep = {}\n"
				     "for i = 1, 3 do keep[i] = ('k'):rep(1024 * 1024 - 64) .. i end\n"
				     "local n = 0\n"
				     "for i = 1, 60 do local g = ('g'):rep(1024 * 1024) .. i; n = n + #g end\n"
				     "ask('kept ' .. #keep .. ', churned ' .. n)\n",
				     &lim, 1, "");
	struct script_output out = { 0 };
	struct script_error e = { 0 };
	int rc = script_feed(s, "hi", 2, &out, &e);
	if (rc != 0)
		fail_msg("feed failed: %s", e.message);
	assert_int_equal(out.n, 1);
	assert_string_equal(out.events[0].text, "kept 3, churned 62914671");
	script_output_free(&out);
	script_close(s);
}

static void test_time_limit_stops_a_loop_of_long_c_calls(void **state)
{
	(void)state;
	/* table.sort runs in C, unseen by the instruction count. */
	struct script_limits lim = { .milliseconds = 200 };
	struct script *s = open_with("local t = {}\n"
				     "for i = 1, 200000 do t[i] = (i * 7919) % 200003 end\n"
				     "while true do table.sort(t) end\n",
				     &lim, 1, "");
	struct script_error e;
	assert_int_equal(feed_err(s, "hi", &e), SCRIPT_EBUDGET);
	assert_non_null(strstr(e.message, "scripts/t.lua:3: time limit exceeded (200 ms in one turn)"));
	script_close(s);
}

static void test_replaying_lifts_the_clock_but_not_the_instruction_budget(void **state)
{
	(void)state;
	struct script_limits lim = { .milliseconds = 1, .instructions = 50000000 };
	struct script *s = open_with("local n = 0\n"
				     "for i = 1, 2000000 do n = n + i % 7 end\n"
				     "ask('sum ' .. n)\n"
				     "while true do end\n",
				     &lim, 1, "");
	script_set_replaying(s, true);
	struct script_output out = { 0 };
	struct script_error e = { 0 };
	if (script_feed(s, "hi", 2, &out, &e) != 0)
		fail_msg("a replayed turn over the clock failed: %s", e.message);
	script_output_free(&out);
	assert_int_equal(feed_err(s, "again", &e), SCRIPT_EBUDGET);
	assert_non_null(strstr(e.message, "instruction budget exceeded"));
	script_close(s);
}

static void test_memory_cap_trips(void **state)
{
	(void)state;
	struct script_limits lim = { .memory = 2 * 1024 * 1024 };
	struct script *s = open_with("local t = {}\n"
				     "for i = 1, 1e9 do t[i] = ('x'):rep(100) .. i end\n",
				     &lim, 1, "");
	struct script_error e;
	assert_true(script_memory(s) > 0);
	assert_true(script_memory(s) < lim.memory);
	assert_int_equal(feed_err(s, "hi", &e), SCRIPT_EMEMORY);
	assert_non_null(strstr(e.message, "scripts/t.lua:"));
	assert_int_equal(feed_err(s, "again", &e), SCRIPT_EDEAD);
	script_close(s);

	/* Catching the error does not save the turn. */
	s = open_with("local ok = pcall(function()\n"
		      "  local t = {}\n"
		      "  while true do t[#t + 1] = ('y'):rep(1000) .. #t end\n"
		      "end)\n"
		      "ask('still here?')\n",
		      &lim, 1, "");
	assert_int_equal(feed_err(s, "hi", &e), SCRIPT_EMEMORY);
	script_close(s);

	/* A single huge allocation from C. */
	s = open_with("local s = ('x'):rep(1e8)\n", &lim, 1, "");
	assert_int_equal(feed_err(s, "hi", &e), SCRIPT_EMEMORY);
	script_close(s);
}

static void test_output_bounds_fail_the_feed(void **state)
{
	(void)state;
	const char *srcs[] = {
		"for i = 1, 65 do note(i) end",
		"pcall(say, ('x'):rep(16 * 1024 + 1))\nask('q')\n",
		"local o = {} for i = 1, 33 do o[i] = 'o' .. i end choose('q', o)",
		"choose('q', {('x'):rep(257)})",
	};
	for (size_t i = 0; i < sizeof srcs / sizeof srcs[0]; i++) {
		struct script *s = open_src(srcs[i]);
		struct script_error e;
		assert_int_equal(feed_err(s, "hi", &e), SCRIPT_ELIMIT);
		assert_non_null(strstr(e.message, "scripts/t.lua:"));
		script_close(s);
	}
	/* Exactly at the bounds is fine. */
	char *t = say_result("local o = {} for i = 1, 32 do o[i] = ('o'):rep(256) end\n"
			     "say(('x'):rep(16 * 1024))\nfor i = 1, 61 do note(i) end\n");
	assert_int_equal(strlen(t), 16 * 1024);
	free(t);
}

/* ---- errors -------------------------------------------------------------- */

static void test_syntax_error_names_file_and_line(void **state)
{
	(void)state;
	const char *src = "say('a')\nsay('b')\nlocal = 3\n";
	struct script_env env = { .interview_id = "x" };
	struct script_error e;
	struct script *s = NULL;
	assert_int_equal(script_open(&s, "scripts/x.lua", src, strlen(src), &env, &e),
			 SCRIPT_ESYNTAX);
	assert_null(s);
	assert_int_equal(e.code, SCRIPT_ESYNTAX);
	assert_int_equal(e.line, 3);
	assert_memory_equal(e.message, "scripts/x.lua:3:", 16);
}

/* The syntax error of src, compiled as scripts/x.lua (NULL if it compiles). */
static const char *compile_error(const char *src)
{
	static struct script_error e;
	struct script_env env = { .interview_id = "x" };
	struct script *s = NULL;
	int rc = script_open(&s, "scripts/x.lua", src, strlen(src), &env, &e);
	script_close(s);
	if (rc == 0)
		return NULL;
	assert_int_equal(rc, SCRIPT_ESYNTAX);
	return e.message;
}

/* Which errors get a hint is hint.c's (test_hint); here, that Lua still words
 * each slip the way the hint looks for, and the hint comes on its own line. */
static void test_a_syntax_slip_gets_its_hint_under_luas_message(void **state)
{
	(void)state;
	static const struct {
		const char *src, *message;
	} cases[] = {
		{ "local a = ask('Q')\nif a != 'x' then say('no') end\n",
		  "scripts/x.lua:2: 'then' expected near '!'\nhint: use ~= for not-equal" },
		{ "local a, b = 1, 2\nif a && b then say('both') end\n",
		  "scripts/x.lua:2: unexpected symbol near '&'\nhint: use and / or" },
		{ "local a, b = 1, 2\nif a || b then say('one') end\n",
		  "scripts/x.lua:2: unexpected symbol near '|'\nhint: use and / or" },
		{ "// ask for the name\nlocal n = ask('Name?')\n",
		  "scripts/x.lua:1: unexpected symbol near '//'\nhint: comments start with --" },
		{ "local a = ask('Q')\nif a == 'x' then\n  say('x')\nelse if a == 'y' then\n  say('y')\nend\n",
		  "scripts/x.lua:7: 'end' expected (to close 'if' at line 2) near <eof>\n"
		  "hint: use elseif (else if opens a new block that needs its own end)" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *m = compile_error(cases[i].src);
		assert_non_null(m);
		assert_string_equal(m, cases[i].message);
	}
	assert_null(strstr(compile_error("local n = 7 // 2\nlocal = 3\n"), "hint:"));
}

static void test_floor_division_compiles(void **state)
{
	(void)state;
	char *t = say_result("local half = 7 // 2 -- floor division\nsay(half .. '|' .. 9//4)\n");
	assert_string_equal(t, "3|2");
	free(t);
}

static void test_runtime_error_names_file_and_line(void **state)
{
	(void)state;
	struct script *s = open_src("say('a')\n"
				    "local function f(t)\n"
				    "  return t.x.y\n"
				    "end\n"
				    "ask('q')\n"
				    "f({})\n");
	struct script_output out;
	struct script_error e;
	feed_ok(s, "hi", &out);
	script_output_free(&out);
	assert_int_equal(feed_err(s, "answer", &e), SCRIPT_ERUNTIME);
	assert_memory_equal(e.message, "scripts/t.lua:3: attempt to index a nil value", 45);
	assert_int_equal(e.line, 3);
	assert_non_null(strstr(e.traceback, "stack traceback"));
	assert_non_null(strstr(e.traceback, "scripts/t.lua:6:"));
	assert_int_equal(feed_err(s, "again", &e), SCRIPT_EDEAD);
	script_close(s);

	/* error() with a table, and bad arguments to the API, point at the script. */
	s = open_src("\nerror({})\n");
	assert_int_equal(feed_err(s, "hi", &e), SCRIPT_ERUNTIME);
	assert_string_equal(e.message, "scripts/t.lua:2: (error object is a table value)");
	assert_int_equal(e.line, 2);
	script_close(s);

	s = open_src("\n\nsay(nil)\n");
	assert_int_equal(feed_err(s, "hi", &e), SCRIPT_ERUNTIME);
	assert_string_equal(e.message, "scripts/t.lua:3: say: text must be a string, got nil");
	script_close(s);
}

/* The 1-based line of src/prelude.lua where needle first appears. */
static int prelude_line_of(const char *needle)
{
	size_t len;
	char *src = read_file("src/prelude.lua", &len);
	const char *at = strstr(src, needle);
	assert_non_null(at);
	int line = 1;
	for (const char *p = src; p < at; p++)
		line += *p == '\n';
	free(src);
	return line;
}

/* The API's argument checks blame the script's line by design; an error that
 * really happens inside the prelude names the prelude's file and line, so a
 * reader can open src/prelude.lua at it. */
static void test_error_inside_the_prelude_names_prelude_lua_and_its_line(void **state)
{
	(void)state;
	/* pick() passes the list's length to math.random, which refuses 2.5. */
	struct script *s = open_src("local odd = setmetatable({}, { __len = function() return 2.5 end })\n"
				    "pick(2, odd)\n");
	struct script_error e;
	char where[32];
	snprintf(where, sizeof where, "prelude.lua:%d:", prelude_line_of("local j = random(i, len)"));
	assert_int_equal(feed_err(s, "hi", &e), SCRIPT_ERUNTIME);
	assert_non_null(strstr(e.message, where));
	assert_non_null(strstr(e.message, "bad argument #2 to 'random'"));
	assert_memory_equal(e.message, "scripts/t.lua:2: ", 17);
	assert_int_equal(e.line, 2);
	assert_non_null(strstr(e.traceback, where));
	script_close(s);
}

/* A CLI or log line says what went wrong in words, never "(-403)". */
static void test_every_error_code_has_its_own_sentence(void **state)
{
	(void)state;
	static const int codes[] = {
		SCRIPT_ESYNTAX, SCRIPT_ERUNTIME,  SCRIPT_EBUDGET, SCRIPT_EMEMORY,
		SCRIPT_ELIMIT,  SCRIPT_EFINISHED, SCRIPT_EDEAD,   SCRIPT_ENOMEM,
	};
	const size_t n = sizeof codes / sizeof codes[0];
	const char *generic = script_strerror(-400);
	assert_non_null(generic);
	assert_true(strlen(generic) > 0);
	assert_string_equal(script_strerror(-409), generic);
	assert_string_equal(script_strerror(1), generic);
	assert_string_equal(script_strerror(-1), generic); /* another module's range */
	assert_string_not_equal(script_strerror(SCRIPT_OK), generic);
	for (size_t i = 0; i < n; i++) {
		/* Outside every other module's codes. */
		assert_in_range(-codes[i], 401, 499);
		const char *m = script_strerror(codes[i]);
		assert_non_null(m);
		assert_true(strlen(m) > 10);
		assert_string_not_equal(m, generic);
		for (size_t j = 0; j < i; j++) {
			assert_int_not_equal(codes[i], codes[j]);
			assert_string_not_equal(m, script_strerror(codes[j]));
		}
	}
}

/* ---- determinism --------------------------------------------------------- */

static const char *const det_src =
	"local words = {}\n"
	"for i = 1, 50 do words['w' .. i] = i end\n"
	"local keys = {}\n"
	"for k in pairs(words) do keys[#keys + 1] = k end\n"
	"say(table.concat(keys, ','))\n"
	"say(table.concat(pick(3, {'a', 'b', 'c', 'd', 'e', 'f', 'g'}), ','))\n"
	"say(math.random(1, 1000000) .. ' ' .. math.random())\n"
	"local a = ask('q?')\n"
	"say(a .. math.random(1, 1000000))\n";

static void run_det(unsigned long long seed, struct script_output outs[2])
{
	struct script *s = open_with(det_src, NULL, seed, "x");
	feed_ok(s, "hello", &outs[0]);
	feed_ok(s, "answer", &outs[1]);
	script_close(s);
}

static void assert_outputs_equal(const struct script_output *a, const struct script_output *b)
{
	assert_int_equal(a->n, b->n);
	assert_int_equal(a->finished, b->finished);
	for (size_t i = 0; i < a->n; i++) {
		assert_int_equal(a->events[i].kind, b->events[i].kind);
		assert_int_equal(a->events[i].line, b->events[i].line);
		assert_string_equal(a->events[i].text ? a->events[i].text : "",
				    b->events[i].text ? b->events[i].text : "");
		assert_true(a->events[i].number == b->events[i].number);
	}
}

static void test_same_inputs_give_same_events(void **state)
{
	(void)state;
	struct script_output a[2], b[2], c[2];
	run_det(99, a);
	run_det(99, b);
	run_det(100, c);
	assert_outputs_equal(&a[0], &b[0]);
	assert_outputs_equal(&a[1], &b[1]);
	/* pairs walks keys in sorted order, whatever the state's hash seed. */
	assert_memory_equal(a[0].events[0].text, "w1,w10,w11,w12", 14);
	/* Another seed draws other numbers. */
	assert_string_not_equal(a[0].events[2].text, c[0].events[2].text);
	for (int i = 0; i < 2; i++) {
		script_output_free(&a[i]);
		script_output_free(&b[i]);
		script_output_free(&c[i]);
	}
}

static void test_print_goes_to_the_log(void **state)
{
	(void)state;
	char *t = say_result("print('from the script', 1, nil, {})\nsay('ok')\n");
	assert_string_equal(t, "ok");
	free(t);
}

int main(void)
{
	log_set_level(3);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_forbidden_capability_is_absent),
		cmocka_unit_test(test_undefined_global_error_names_it_and_suggests),
		cmocka_unit_test(test_gc_metatable_refused),
		cmocka_unit_test(test_instruction_budget_trips_even_inside_pcall),
		cmocka_unit_test(test_replaying_lifts_the_clock_but_not_the_instruction_budget),
		cmocka_unit_test(test_memory_cap_trips),
		cmocka_unit_test(test_memory_cap_leaves_room_for_garbage_collection),
		cmocka_unit_test(test_time_limit_stops_a_loop_of_long_c_calls),
		cmocka_unit_test(test_output_bounds_fail_the_feed),
		cmocka_unit_test(test_syntax_error_names_file_and_line),
		cmocka_unit_test(test_a_syntax_slip_gets_its_hint_under_luas_message),
		cmocka_unit_test(test_floor_division_compiles),
		cmocka_unit_test(test_runtime_error_names_file_and_line),
		cmocka_unit_test(test_error_inside_the_prelude_names_prelude_lua_and_its_line),
		cmocka_unit_test(test_every_error_code_has_its_own_sentence),
		cmocka_unit_test(test_same_inputs_give_same_events),
		cmocka_unit_test(test_print_goes_to_the_log),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

