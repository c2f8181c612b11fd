/* fixture: temp-directory helpers shared by the unit tests that need files
 * (scripts to load, data directories to open), a fresh store per test, and
 * the capture of what a CLI command prints. Header-only, test code only;
 * include after cmocka.h. */
#ifndef INTERVIEWD_TEST_FIXTURE_H
#define INTERVIEWD_TEST_FIXTURE_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"

/* Writes text to dir/name, failing the test if it cannot. */
static inline void fixture_write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	fclose(f);
}

/* Removes dir and the files in it (the fixtures never nest deeper). */
static inline void fixture_remove_tree(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char path[512];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

/* The state of a test that writes files into a temp directory and runs one
 * CLI command on them: cmocka setup and teardown for it. out is large enough
 * for try to print 1 MiB of notes. */
struct fixture_dir {
	char dir[64];
	char out[2 << 20];
};

static inline int fixture_dir_setup(void **state)
{
	struct fixture_dir *f = calloc(1, sizeof *f);
	assert_non_null(f);
	strcpy(f->dir, "/tmp/interviewd-test-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	*state = f;
	return 0;
}

static inline int fixture_dir_teardown(void **state)
{
	struct fixture_dir *f = *state;
	fixture_remove_tree(f->dir);
	free(f);
	return 0;
}

/* The state of a test that works on a store of its own, opened on a fresh
 * temp directory: cmocka setup and teardown for it. */
struct fixture_store {
	char data[64];
	struct store *st;
};

static inline int fixture_store_setup(void **state)
{
	struct fixture_store *f = calloc(1, sizeof *f);
	assert_non_null(f);
	strcpy(f->data, "/tmp/interviewd-store-XXXXXX");
	assert_non_null(mkdtemp(f->data));
	char err[256] = "";
	assert_int_equal(store_open(&f->st, f->data, NULL, err, sizeof err), 0);
	*state = f;
	return 0;
}

static inline int fixture_store_teardown(void **state)
{
	struct fixture_store *f = *state;
	store_close(f->st);
	fixture_remove_tree(f->data);
	free(f);
	return 0;
}

/* Runs cmd(argc, argv) as the CLI would, with stdout and stderr captured
 * into out (NUL-terminated; cut to outlen - 1 bytes), and returns its exit
 * code. The start of the output goes to the test's log. */
static inline int fixture_capture(int (*cmd)(int, char **), int argc, char **argv, char *out,
				  size_t outlen)
{
	char path[] = "/tmp/interviewd-capture-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	fflush(stdout);
	fflush(stderr);
	int so = dup(1), se = dup(2);
	dup2(fd, 1);
	dup2(fd, 2);
	int rc = cmd(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(so);
	close(se);
	lseek(fd, 0, SEEK_SET);
	size_t n = 0;
	ssize_t got;
	while (n + 1 < outlen && (got = read(fd, out + n, outlen - 1 - n)) > 0)
		n += (size_t)got;
	out[n] = '\0';
	close(fd);
	unlink(path);
	print_message("%.4000s%s", out, n > 4000 ? "\n[...]\n" : "");
	return rc;
}

#endif
