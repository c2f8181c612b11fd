/* Unit tests for hint.c: which syntax errors read as another language's slip
 * (each case pairs a source with the message Lua 5.4 gives for it), which do
 * not, and which defined name "did you mean" picks. That script_open puts
 * the hint under Lua's message, and the undefined-global error names the
 * pick, is tested in test_script. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "hint.h"

static const char *hint_of(const char *src, const char *msg, int line)
{
	return hint_for_syntax_error(src, strlen(src), msg, line);
}

static void test_syntax_slips_from_other_languages_get_a_hint(void **state)
{
	(void)state;
	static const struct {
		const char *src, *msg;
		int line;
		const char *hint;
	} cases[] = {
		{ "local a = ask('Q')\nif a != 'x' then say('no') end\n",
		  "scripts/x.lua:2: 'then' expected near '!'", 2, "use ~= for not-equal" },
		{ "local a, b = 1, 2\nif a && b then say('both') end\n",
		  "scripts/x.lua:2: unexpected symbol near '&'", 2, "use and / or" },
		{ "local a, b = 1, 2\nif a || b then say('one') end\n",
		  "scripts/x.lua:2: unexpected symbol near '|'", 2, "use and / or" },
		{ "// ask for the name\nlocal n = ask('Name?')\n",
		  "scripts/x.lua:1: unexpected symbol near '//'", 1, "comments start with --" },
		/* The comment's words run into the next line, where Lua stops. */
		{ "local n = 1 // the answer\nsay(n)\n", "scripts/x.lua:2: syntax error near 'say'",
		  2, "comments start with --" },
		{ "local n = 1 // TODO: fix\n",
		  "scripts/x.lua:2: function arguments expected near <eof>", 2,
		  "comments start with --" },
		{ "local a = ask('Q')\nif a == 'x' then\n  say('x')\nelse if a == 'y' then\n"
		  "  say('y')\nend\n",
		  "scripts/x.lua:7: 'end' expected (to close 'if' at line 2) near <eof>", 7,
		  "use elseif (else if opens a new block that needs its own end)" },
		/* Line breaks as Lua counts them: "\r\n" is one. */
		{ "local a = 1\r\nif a != 2 then end\r\n",
		  "scripts/x.lua:2: 'then' expected near '!'", 2, "use ~= for not-equal" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *h = hint_of(cases[i].src, cases[i].msg, cases[i].line);
		if (!h || strcmp(h, cases[i].hint) != 0)
			fail_msg("case %zu: got %s", i, h ? h : "no hint");
	}
}

static void test_real_lua_mistakes_get_no_hint(void **state)
{
	(void)state;
	static const struct {
		const char *src, *msg;
		int line;
	} cases[] = {
		/* "//" nearby, but not the slip */
		{ "local n = 7 // 2\nlocal = 3\n", "scripts/x.lua:2: <name> expected near '='", 2 },
		{ "local a = 1\nif a ~= 2 then x = = 1 end\n",
		  "scripts/x.lua:2: unexpected symbol near '='", 2 },
		/* Lua's own & */
		{ "local b = 3 & 1\nlocal = 2\n", "scripts/x.lua:2: <name> expected near '='", 2 },
		/* "!=" only inside a string */
		{ "say('a != b')\nlocal = 1\n", "scripts/x.lua:2: <name> expected near '='", 2 },
		{ "say('// not a comment') x = = 1\n",
		  "scripts/x.lua:1: unexpected symbol near '='", 1 },
		/* a missing end; "else if" is quoted */
		{ "if a then\n  say('else if')\n",
		  "scripts/x.lua:3: 'end' expected (to close 'if' at line 1) near <eof>", 3 },
		/* "!=" only in a comment */
		{ "if a ! then end -- not a != b\n", "scripts/x.lua:1: 'then' expected near '!'",
		  1 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *h = hint_of(cases[i].src, cases[i].msg, cases[i].line);
		if (h)
			fail_msg("case %zu got a hint: %s", i, h);
	}
}

static void test_floor_division_is_only_a_comment_when_it_reads_like_one(void **state)
{
	(void)state;
	const char *msg = "scripts/x.lua:1: unexpected symbol near '='";
	assert_null(hint_of("local q = a // b + 1 x = = 1\n", msg, 1));
	assert_null(hint_of("if a // b then x = = 1 end\n", msg, 1)); /* a keyword follows */
	assert_string_equal(hint_of("local q = 1 // half of it x = = 1\n", msg, 1),
			    "comments start with --");
}

/* The nearest of names to name, or NULL. */
static const char *nearest(const char *name, const char *const *names)
{
	static struct hint_nearest h;
	hint_nearest_init(&h, name, strlen(name));
	for (const char *const *k = names; *k; k++)
		hint_nearest_offer(&h, *k, strlen(*k));
	return hint_nearest_name(&h);
}

static void test_did_you_mean_picks_the_nearest_defined_name(void **state)
{
	(void)state;
	static const char *const api[] = { "say", "ask", "choose", "finish", "my_total", NULL };
	assert_string_equal(nearest("sya", api), "say");          /* a swap counts one */
	assert_string_equal(nearest("my_totl", api), "my_total"); /* one dropped */
	assert_string_equal(nearest("chose", api), "choose");
	assert_null(nearest("zzqqxx", api));
	/* Short names get one edit, not two: "sa" is one from "say", "a" is two. */
	assert_string_equal(nearest("sa", api), "say");
	assert_null(nearest("a", api));
}

static void test_did_you_mean_breaks_ties_alphabetically_whatever_the_order(void **state)
{
	(void)state;
	static const char *const one[] = { "tab", "cab", NULL };
	static const char *const other[] = { "cab", "tab", NULL };
	assert_string_equal(nearest("xab", one), "cab");
	assert_string_equal(nearest("xab", other), "cab");
}

static void test_did_you_mean_ignores_names_past_its_length_bound(void **state)
{
	(void)state;
	char long_name[HINT_NAME_MAX + 2], near_it[HINT_NAME_MAX + 2];
	memset(long_name, 'a', HINT_NAME_MAX + 1);
	long_name[HINT_NAME_MAX + 1] = '\0';
	memcpy(near_it, long_name, sizeof near_it);
	near_it[0] = 'b';
	const char *const names[] = { near_it, NULL };
	assert_null(nearest(long_name, names));
	long_name[HINT_NAME_MAX] = '\0';
	near_it[HINT_NAME_MAX] = '\0';
	assert_string_equal(nearest(long_name, names), near_it);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syntax_slips_from_other_languages_get_a_hint),
		cmocka_unit_test(test_real_lua_mistakes_get_no_hint),
		cmocka_unit_test(test_floor_division_is_only_a_comment_when_it_reads_like_one),
		cmocka_unit_test(test_did_you_mean_picks_the_nearest_defined_name),
		cmocka_unit_test(test_did_you_mean_breaks_ties_alphabetically_whatever_the_order),
		cmocka_unit_test(test_did_you_mean_ignores_names_past_its_length_bound),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
