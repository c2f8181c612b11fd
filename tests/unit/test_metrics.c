/* Unit tests for metrics.c: the Prometheus text a scrape gets (headers,
 * samples, label escaping), cumulative histogram buckets, and the bound on a
 * labelled counter's values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

static void test_counter_renders_help_type_and_sample_lines(void **state)
{
	(void)state;
	struct metrics_buf b = { 0 };
	metrics_write_header(&b, "interviewd_x_total", "counter", "Things.\nMore \\ things.");
	metrics_write_sample(&b, "interviewd_x_total", NULL, NULL, 42);
	assert_false(b.failed);
	assert_string_equal(b.data, "# HELP interviewd_x_total Things.\\nMore \\\\ things.\n"
				    "# TYPE interviewd_x_total counter\n"
				    "interviewd_x_total 42\n");
	metrics_buf_free(&b);
}

static void test_label_values_escape_quote_backslash_and_newline(void **state)
{
	(void)state;
	struct metrics_buf b = { 0 };
	metrics_write_sample(&b, "m", "script", "a\"b\\c\nd", 1);
	assert_string_equal(b.data, "m{script=\"a\\\"b\\\\c\\nd\"} 1\n");
	metrics_buf_free(&b);
}

static void test_histogram_buckets_are_cumulative_and_end_at_inf(void **state)
{
	(void)state;
	static const double bounds[] = { 0.1, 1, 10 };
	struct metrics_histogram h = METRICS_HISTOGRAM_INIT(bounds);
	metrics_histogram_observe(&h, 0.05);
	metrics_histogram_observe(&h, 0.1); /* on a bound: that bucket (le) */
	metrics_histogram_observe(&h, 0.5);
	metrics_histogram_observe(&h, 20);
	struct metrics_buf b = { 0 };
	metrics_write_histogram(&b, "t_seconds", "Time.", &h);
	assert_string_equal(b.data, "# HELP t_seconds Time.\n"
				    "# TYPE t_seconds histogram\n"
				    "t_seconds_bucket{le=\"0.1\"} 2\n"
				    "t_seconds_bucket{le=\"1\"} 3\n"
				    "t_seconds_bucket{le=\"10\"} 3\n"
				    "t_seconds_bucket{le=\"+Inf\"} 4\n"
				    "t_seconds_sum 20.65\n"
				    "t_seconds_count 4\n");
	metrics_buf_free(&b);
}

static void test_negative_durations_count_as_zero(void **state)
{
	(void)state;
	static const double bounds[] = { 1 };
	struct metrics_histogram h = METRICS_HISTOGRAM_INIT(bounds);
	metrics_histogram_observe(&h, -3);
	assert_int_equal(atomic_load(&h.counts[0]), 1);
	assert_int_equal(atomic_load(&h.sum_ns), 0);
}

static void test_family_keeps_256_labels_then_counts_other(void **state)
{
	(void)state;
	static struct metrics_family f = METRICS_FAMILY_INIT;
	char name[32];
	for (int i = 0; i < METRICS_FAMILY_MAX + 10; i++) {
		snprintf(name, sizeof name, "s%d", i);
		metrics_family_inc(&f, name);
	}
	metrics_family_inc(&f, "s0");
	assert_int_equal(metrics_family_get(&f, "s0"), 2);
	assert_int_equal(metrics_family_get(&f, "s300"), 0);
	assert_int_equal(metrics_family_get(&f, "other"), 10);
	struct metrics_buf b = { 0 };
	metrics_write_family(&b, "e_total", "Errors.", "script", &f);
	size_t lines = 0;
	for (const char *p = b.data; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 2 + METRICS_FAMILY_MAX + 1);
	assert_non_null(strstr(b.data, "e_total{script=\"other\"} 10\n"));
	metrics_buf_free(&b);
}

static void test_render_names_every_metric_with_the_prefix(void **state)
{
	(void)state;
	static const char *const names[] = { "new", "active" };
	static const unsigned long long counts[] = { 3, 1 };
	struct metrics_snapshot s = { .turns = 7, .websockets_open = 2, .status_names = names,
				      .status_counts = counts, .nstatus = 2, .statuses_known = true,
				      .commits = 4, .batches = 6, .lmdb_map_bytes = 1 << 20,
				      .lmdb_used_bytes = 8192, .lua_states = 1,
				      .lua_memory_bytes = 1000 };
	struct metrics_buf b = { 0 };
	assert_int_equal(metrics_render(&b, &s), 0);
	assert_non_null(strstr(b.data, "\ninterviewd_turns_total 7\n"));
	assert_non_null(strstr(b.data, "\ninterviewd_websockets_open 2\n"));
	assert_non_null(strstr(b.data, "\ninterviewd_interviews{status=\"new\"} 3\n"));
	assert_non_null(strstr(b.data, "\ninterviewd_turns_per_commit 1.5\n"));
	assert_non_null(strstr(b.data, "\ninterviewd_lmdb_map_bytes 1048576\n"));
	assert_non_null(strstr(b.data, "\ninterviewd_lmdb_used_bytes 8192\n"));
	assert_non_null(strstr(b.data, "\ninterviewd_lua_memory_bytes 1000\n"));
	assert_non_null(strstr(b.data, "# TYPE interviewd_turn_seconds histogram\n"));
	assert_non_null(strstr(b.data, "# TYPE interviewd_commit_seconds histogram\n"));
	assert_non_null(strstr(b.data, "# TYPE interviewd_script_errors_total counter\n"));
	assert_non_null(strstr(b.data, "# TYPE interviewd_handshakes_refused_total counter\n"));
	/* Every sample line's name carries the prefix. */
	for (char *line = b.data; *line;) {
		char *end = strchr(line, '\n');
		assert_non_null(end);
		if (line[0] != '#')
			assert_memory_equal(line, "interviewd_", 11);
		line = end + 1;
	}
	metrics_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counter_renders_help_type_and_sample_lines),
		cmocka_unit_test(test_label_values_escape_quote_backslash_and_newline),
		cmocka_unit_test(test_histogram_buckets_are_cumulative_and_end_at_inf),
		cmocka_unit_test(test_negative_durations_count_as_zero),
		cmocka_unit_test(test_family_keeps_256_labels_then_counts_other),
		cmocka_unit_test(test_render_names_every_metric_with_the_prefix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
