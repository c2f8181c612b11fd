/* test_scriptdir: script names, files, the size bound, the compile check and
 * the directory listing behave as scriptdir.h promises.
 *
 * Each test gets a fresh scripts dir under /tmp (mkdtemp) and removes it
 * afterwards. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"

#include "scriptdir.h"

#define GOOD_SCRIPT "say('Hello!')\nlocal lang = ask('Which language?')\nfinish('Bye')\n"
#define BROKEN_SCRIPT "say('one')\nsay('two'\nsay('three')\n"

struct fixture {
	char dir[64];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	assert_non_null(f);
	strcpy(f->dir, "/tmp/interviewd-scriptdir-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	fixture_write_file(f->dir, "good.lua", GOOD_SCRIPT);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	fixture_remove_tree(f->dir);
	free(f);
	return 0;
}

/* A file of n bytes that compiles: one long Lua comment. */
static void write_comment_file(const char *dir, const char *name, size_t n)
{
	char *text = malloc(n + 1);
	assert_non_null(text);
	memset(text, '-', n);
	text[n] = '\0';
	fixture_write_file(dir, name, text);
	free(text);
}

/* --- loading one script ------------------------------------------------- */

static void test_load_reads_a_good_script_whole(void **state)
{
	struct fixture *f = *state;
	char *src = NULL, err[256] = "";
	size_t len = 0;
	assert_int_equal(scriptdir_load(f->dir, "good", &src, &len, err, sizeof err), 0);
	assert_int_equal(len, strlen(GOOD_SCRIPT));
	assert_string_equal(src, GOOD_SCRIPT);
	free(src);
}

static void test_syntax_error_is_named_with_file_and_line(void **state)
{
	struct fixture *f = *state;
	fixture_write_file(f->dir, "broken.lua", BROKEN_SCRIPT);
	char *src = NULL, err[256] = "";
	size_t len = 0;
	assert_int_equal(scriptdir_load(f->dir, "broken", &src, &len, err, sizeof err),
			 SCRIPTDIR_ECOMPILE);
	/* The name the engine runs a pinned script under, wherever the file is. */
	assert_non_null(strstr(err, "scripts/broken.lua:3:"));
	assert_null(src);
	assert_int_equal(len, 0);
}

static void test_compile_names_the_chunk_it_is_given(void **state)
{
	(void)state;
	char err[256] = "";
	assert_int_equal(scriptdir_compile("elsewhere/x.lua", GOOD_SCRIPT, strlen(GOOD_SCRIPT), err,
					   sizeof err),
			 0);
	assert_int_equal(scriptdir_compile("elsewhere/x.lua", BROKEN_SCRIPT, strlen(BROKEN_SCRIPT),
					   err, sizeof err),
			 SCRIPTDIR_ECOMPILE);
	assert_non_null(strstr(err, "elsewhere/x.lua:3:"));
}

static void test_bad_script_name_refused_before_any_file_is_read(void **state)
{
	struct fixture *f = *state;
	/* good.lua exists, so only the name check can refuse these. */
	const char *bad[] = {"../good", "good.lua", "", "a b", "sub/good", "/good",
			     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *src = NULL, err[256] = "";
		size_t len = 0;
		assert_false(scriptdir_name_ok(bad[i]));
		assert_int_equal(scriptdir_load(f->dir, bad[i], &src, &len, err, sizeof err),
				 SCRIPTDIR_ENAME);
		assert_string_equal(err, "a script name may use letters, digits, '-' and '_'");
		assert_null(src);
	}
	assert_false(scriptdir_name_ok(NULL));
	assert_true(scriptdir_name_ok("backend-screen_2"));
	char longest[SCRIPTDIR_NAME_MAX + 1];
	memset(longest, 'a', SCRIPTDIR_NAME_MAX);
	longest[SCRIPTDIR_NAME_MAX] = '\0';
	assert_true(scriptdir_name_ok(longest));
}

static void test_missing_script_is_not_found_and_named(void **state)
{
	struct fixture *f = *state;
	char *src = NULL, err[256] = "";
	size_t len = 0;
	assert_int_equal(scriptdir_load(f->dir, "nope", &src, &len, err, sizeof err),
			 SCRIPTDIR_ENOTFOUND);
	char want[128];
	snprintf(want, sizeof want, "%s/nope.lua", f->dir);
	assert_non_null(strstr(err, want));
	assert_null(src);
}

static void test_script_at_the_limit_loads_and_one_byte_more_is_refused(void **state)
{
	struct fixture *f = *state;
	write_comment_file(f->dir, "full.lua", SCRIPTDIR_MAX_SOURCE);
	write_comment_file(f->dir, "big.lua", SCRIPTDIR_MAX_SOURCE + 1);
	char *src = NULL, err[256] = "";
	size_t len = 0;
	assert_int_equal(scriptdir_load(f->dir, "full", &src, &len, err, sizeof err), 0);
	assert_int_equal(len, SCRIPTDIR_MAX_SOURCE);
	free(src);
	src = NULL;
	assert_int_equal(scriptdir_load(f->dir, "big", &src, &len, err, sizeof err),
			 SCRIPTDIR_ETOOLARGE);
	assert_non_null(strstr(err, "larger than 256 KiB"));
	assert_null(src);
}

static void test_read_file_of_a_directory_is_a_read_error(void **state)
{
	struct fixture *f = *state;
	char *src = NULL, err[256] = "";
	size_t len = 0;
	assert_int_equal(scriptdir_read_file(f->dir, "the dir", &src, &len, err, sizeof err),
			 SCRIPTDIR_EREAD);
	assert_non_null(strstr(err, "cannot read the dir"));
	assert_null(src);
}

/* --- listing the directory ---------------------------------------------- */

static void test_list_has_every_script_sorted_and_explains_the_unusable(void **state)
{
	struct fixture *f = *state;
	fixture_write_file(f->dir, "broken.lua", BROKEN_SCRIPT);
	fixture_write_file(f->dir, "a b.lua", GOOD_SCRIPT);
	fixture_write_file(f->dir, "Alpha.lua", GOOD_SCRIPT);
	/* Not scripts: a dot file, another extension, a directory named .lua. */
	fixture_write_file(f->dir, ".hidden.lua", BROKEN_SCRIPT);
	fixture_write_file(f->dir, "notes.txt", "not lua");
	char sub[128];
	snprintf(sub, sizeof sub, "%s/sub.lua", f->dir);
	assert_int_equal(mkdir(sub, 0700), 0);

	struct scriptdir_entry *es = NULL;
	size_t n = 99;
	char err[256] = "";
	assert_int_equal(scriptdir_list(f->dir, &es, &n, err, sizeof err), 0);
	rmdir(sub);
	assert_int_equal(n, 4);
	assert_string_equal(es[0].name, "Alpha");
	assert_int_equal(es[0].rc, 0);
	assert_string_equal(es[1].name, "a b");
	assert_int_equal(es[1].rc, SCRIPTDIR_ENAME);
	assert_non_null(strstr(es[1].error, "a b.lua"));
	assert_string_equal(es[2].name, "broken");
	assert_int_equal(es[2].rc, SCRIPTDIR_ECOMPILE);
	/* The warning names the file where it is, and the line. */
	char want[128];
	snprintf(want, sizeof want, "%s/broken.lua:3:", f->dir);
	assert_non_null(strstr(es[2].error, want));
	assert_string_equal(es[3].name, "good");
	assert_int_equal(es[3].rc, 0);
	assert_string_equal(es[3].error, "");
	free(es);
}

static void test_list_of_an_empty_directory_is_empty(void **state)
{
	struct fixture *f = *state;
	char path[128];
	snprintf(path, sizeof path, "%s/good.lua", f->dir);
	unlink(path);
	struct scriptdir_entry *es = NULL;
	size_t n = 99;
	char err[256] = "";
	assert_int_equal(scriptdir_list(f->dir, &es, &n, err, sizeof err), 0);
	assert_int_equal(n, 0);
	free(es);
}

static void test_list_of_a_missing_directory_or_a_file_says_which(void **state)
{
	struct fixture *f = *state;
	struct scriptdir_entry *es = NULL;
	size_t n = 99;
	char err[256] = "", path[128];
	snprintf(path, sizeof path, "%s/none", f->dir);
	assert_int_equal(scriptdir_list(path, &es, &n, err, sizeof err), SCRIPTDIR_ENOTFOUND);
	assert_null(es);
	assert_int_equal(n, 0);
	assert_non_null(strstr(err, path));
	snprintf(path, sizeof path, "%s/good.lua", f->dir);
	assert_int_equal(scriptdir_list(path, &es, &n, err, sizeof err), SCRIPTDIR_ENOTDIR);
	assert_non_null(strstr(err, path));
}

/* --- errors --------------------------------------------------------------- */

static void test_every_scriptdir_error_has_its_own_sentence(void **state)
{
	(void)state;
	const int codes[] = { SCRIPTDIR_ENAME,     SCRIPTDIR_ENOTFOUND, SCRIPTDIR_EREAD,
			      SCRIPTDIR_ETOOLARGE, SCRIPTDIR_ECOMPILE,  SCRIPTDIR_ENOMEM,
			      SCRIPTDIR_ENOTDIR,   SCRIPTDIR_EOUTSIDE };
	const size_t n = sizeof codes / sizeof codes[0];
	const char *unknown = scriptdir_strerror(-799);
	for (size_t i = 0; i < n; i++) {
		assert_true(codes[i] <= -700 && codes[i] > -800);
		const char *m = scriptdir_strerror(codes[i]);
		assert_string_not_equal(m, unknown);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(m, scriptdir_strerror(codes[j]));
	}
}

/* --- naming a script: name, NAME.lua, or a path ---------------------------- */

static void test_resolve_takes_a_name_a_file_name_or_a_path_in_the_directory(void **state)
{
	struct fixture *f = *state;
	char name[SCRIPTDIR_NAME_MAX + 1], err[512], path[256];
	const char *base = strrchr(f->dir, '/') + 1;
	char ways[4][256];
	snprintf(ways[0], sizeof ways[0], "good.lua");
	snprintf(ways[1], sizeof ways[1], "%s/good.lua", f->dir);
	snprintf(ways[2], sizeof ways[2], "%s/./good.lua", f->dir);
	snprintf(ways[3], sizeof ways[3], "%s/../%s/good.lua", f->dir, base);
	assert_int_equal(scriptdir_resolve(f->dir, "good", name, err, sizeof err), 0);
	assert_string_equal(name, "good");
	for (size_t i = 0; i < 4; i++) {
		memset(name, 'x', sizeof name);
		assert_int_equal(scriptdir_resolve(f->dir, ways[i], name, err, sizeof err), 0);
		assert_string_equal(name, "good");
	}
	/* The directory given with a trailing slash is the same directory. */
	snprintf(path, sizeof path, "%s/", f->dir);
	assert_int_equal(scriptdir_resolve(path, ways[1], name, err, sizeof err), 0);
	assert_string_equal(name, "good");
	/* The name is resolved, not the file read: a missing NAME.lua is for
	 * scriptdir_load to report. */
	assert_int_equal(scriptdir_resolve(f->dir, "absent.lua", name, err, sizeof err), 0);
	assert_string_equal(name, "absent");
}

static void test_resolve_refuses_a_file_outside_the_directory_saying_to_copy_it_in(void **state)
{
	struct fixture *f = *state;
	char name[SCRIPTDIR_NAME_MAX + 1], err[512], path[256], sub[128];
	char other[] = "/tmp/interviewd-elsewhere-XXXXXX";
	assert_non_null(mkdtemp(other));
	fixture_write_file(other, "frontend.lua", GOOD_SCRIPT);
	snprintf(path, sizeof path, "%s/frontend.lua", other);
	assert_int_equal(scriptdir_resolve(f->dir, path, name, err, sizeof err),
			 SCRIPTDIR_EOUTSIDE);
	assert_string_equal(name, "frontend"); /* what it would be called once copied in */
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, f->dir));
	assert_non_null(strstr(err, "copy it in"));
	/* A subdirectory is elsewhere too: scripts live directly in the directory. */
	snprintf(sub, sizeof sub, "%s/sub", f->dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(path, sizeof path, "%s/sub/good.lua", f->dir);
	assert_int_equal(scriptdir_resolve(f->dir, path, name, err, sizeof err),
			 SCRIPTDIR_EOUTSIDE);
	rmdir(sub);
	/* ".." cannot lead a path back out. */
	snprintf(path, sizeof path, "%s/../%s/frontend.lua", f->dir, strrchr(other, '/') + 1);
	assert_int_equal(scriptdir_resolve(f->dir, path, name, err, sizeof err),
			 SCRIPTDIR_EOUTSIDE);
	fixture_remove_tree(other);
}

static void test_resolve_bad_names_say_what_to_type_instead(void **state)
{
	struct fixture *f = *state;
	char name[SCRIPTDIR_NAME_MAX + 1], err[512], path[256];
	assert_int_equal(scriptdir_resolve(f->dir, "front end", name, err, sizeof err),
			 SCRIPTDIR_ENAME);
	assert_string_equal(name, "");
	assert_non_null(strstr(err, "'front end'"));
	assert_non_null(strstr(err, "without .lua"));
	assert_int_equal(scriptdir_resolve(f->dir, "my thing.lua", name, err, sizeof err),
			 SCRIPTDIR_ENAME);
	assert_non_null(strstr(err, "rename the file"));
	assert_int_equal(scriptdir_resolve(f->dir, ".lua", name, err, sizeof err), SCRIPTDIR_ENAME);
	snprintf(path, sizeof path, "%s/good.txt", f->dir);
	assert_int_equal(scriptdir_resolve(f->dir, path, name, err, sizeof err), SCRIPTDIR_ENAME);
	assert_non_null(strstr(err, "NAME.lua"));
	snprintf(path, sizeof path, "%s/no-such-dir/good.lua", f->dir);
	assert_int_equal(scriptdir_resolve(f->dir, path, name, err, sizeof err),
			 SCRIPTDIR_ENOTFOUND);
	assert_non_null(strstr(err, "No such file"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_load_reads_a_good_script_whole, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_syntax_error_is_named_with_file_and_line,
						setup, teardown),
		cmocka_unit_test(test_compile_names_the_chunk_it_is_given),
		cmocka_unit_test_setup_teardown(
			test_bad_script_name_refused_before_any_file_is_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_script_is_not_found_and_named, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_script_at_the_limit_loads_and_one_byte_more_is_refused, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_read_file_of_a_directory_is_a_read_error,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_list_has_every_script_sorted_and_explains_the_unusable, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_list_of_an_empty_directory_is_empty, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_list_of_a_missing_directory_or_a_file_says_which, setup, teardown),
		cmocka_unit_test(test_every_scriptdir_error_has_its_own_sentence),
		cmocka_unit_test_setup_teardown(
			test_resolve_takes_a_name_a_file_name_or_a_path_in_the_directory, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_resolve_refuses_a_file_outside_the_directory_saying_to_copy_it_in,
			setup, teardown),
		cmocka_unit_test_setup_teardown(test_resolve_bad_names_say_what_to_type_instead,
						setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
