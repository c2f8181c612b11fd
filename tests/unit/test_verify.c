/* test_verify: a data directory's check, through a real store, and the
 * backup, verify and purge commands' answers.
 *
 * Each test builds an interview with a short transcript the way the engine
 * stores one, damages one thing with a raw store batch, and expects exactly
 * that damage to be reported under its key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"

#include "maint.h"
#include "ops.h"
#include "record.h"
#include "retention.h"
#include "store.h"
#include "verify.h"

#define SCRIPT "local a = ask('Which language?')\nlocal b = ask('Why?')\nfinish('Bye')\n"
#define TURNS 3

/* ---- helpers -------------------------------------------------------------- */

/* What verify_store reported: one "db key: problem" line each. */
struct reports {
	char lines[32][600];
	size_t n;
};

static void collect(void *ctx, const char *db, const char *key, const char *problem)
{
	struct reports *r = ctx;
	if (r->n < 32)
		snprintf(r->lines[r->n++], sizeof r->lines[0], "%s %s: %s", db, key, problem);
}

/* Runs the check; returns the number of problems, with r filled. */
static size_t check(struct store *st, struct reports *r, struct verify_counts *n)
{
	memset(r, 0, sizeof *r);
	assert_int_equal(verify_store(st, collect, r, n), 0);
	for (size_t i = 0; i < r->n; i++)
		print_message("%s\n", r->lines[i]);
	assert_int_equal(n->problems, r->n);
	return n->problems;
}

/* True when some report starts with prefix and holds part. */
static bool reported(const struct reports *r, const char *prefix, const char *part)
{
	for (size_t i = 0; i < r->n; i++)
		if (strncmp(r->lines[i], prefix, strlen(prefix)) == 0 && strstr(r->lines[i], part))
			return true;
	return false;
}

static void commit(struct store *st, struct store_batch *b)
{
	char err[256] = "";
	assert_int_equal(store_commit(st, b, err, sizeof err), 0);
	store_batch_free(b);
}

/* An interview of SCRIPT with TURNS turns stored as the engine stores them:
 * the turns and the record's next_seq in one batch. */
static void make_interview(struct store *st, const char *candidate, char id[TOKEN_ID_LEN + 1])
{
	char token[TOKEN_LEN + 1], err[256] = "";
	assert_int_equal(record_create_interview(st, "screen", SCRIPT, strlen(SCRIPT), candidate, id,
						 token, err, sizeof err),
			 0);
	struct proto_interview iv;
	assert_int_equal(record_get_interview(st, id, &iv), 0);
	struct store_batch *b = store_batch_new();
	for (uint64_t seq = 1; seq <= TURNS; seq++) {
		struct proto_turn t = { .seq = seq,
					.role = seq % 2 ? PROTO_ROLE_BOT : PROTO_ROLE_CANDIDATE,
					.kind = seq % 2 ? PROTO_KIND_ASK : PROTO_KIND_SAY,
					.text = seq % 2 ? "Which language?" : "Lua, of course",
					.ts = record_now_ms() };
		assert_int_equal(record_batch_turn(b, id, &t), 0);
	}
	iv.next_seq = TURNS + 1;
	iv.status = PROTO_STATUS_ACTIVE;
	assert_int_equal(record_batch_interview(b, &iv), 0);
	commit(st, b);
	proto_interview_free(&iv);
}

static void del(struct store *st, enum store_db db, const void *key, size_t klen)
{
	struct store_batch *b = store_batch_new();
	assert_int_equal(store_batch_del(b, db, key, klen), 0);
	commit(st, b);
}

static void put(struct store *st, enum store_db db, const void *key, size_t klen, const char *val)
{
	struct store_batch *b = store_batch_new();
	assert_int_equal(store_batch_put(b, db, key, klen, val, strlen(val), 0), 0);
	commit(st, b);
}

static void del_turn(struct store *st, const char *id, uint64_t seq)
{
	unsigned char key[STORE_KEY_MAX];
	del(st, STORE_DB_TURNS, key, store_key_turn(key, id, seq));
}

/* Runs a maint command on argv (NULL-terminated) with its output captured. */
static int run(int (*cmd)(int, char **), char *out, size_t outlen, char **argv)
{
	int argc = 0;
	while (argv[argc])
		argc++;
	return fixture_capture(cmd, argc, argv, out, outlen);
}

/* ---- the check ------------------------------------------------------------ */

static void test_a_store_as_the_server_writes_it_verifies_clean(void **state)
{
	struct fixture_store *f = *state;
	char a[TOKEN_ID_LEN + 1], b[TOKEN_ID_LEN + 1], token[TOKEN_LEN + 1], err[256];
	struct reports r;
	struct verify_counts n;
	make_interview(f->st, "Ada", a);
	make_interview(f->st, "Grace", b);
	assert_int_equal(record_issue_token(f->st, a, token, err, sizeof err), 0);
	assert_int_equal(ops_close_interview(f->st, b, NULL, err, sizeof err), 0);

	assert_int_equal(check(f->st, &r, &n), 0);
	assert_int_equal(n.interviews, 2);
	assert_int_equal(n.turns, 2 * TURNS);
	assert_int_equal(n.tokens, 3);
	assert_int_equal(n.scripts, 1); /* both pin the same source */
}

static void test_a_missing_turn_is_reported_by_its_seq(void **state)
{
	struct fixture_store *f = *state;
	char id[TOKEN_ID_LEN + 1], key[64];
	struct reports r;
	struct verify_counts n;
	make_interview(f->st, "Ada", id);
	del_turn(f->st, id, 2);

	assert_int_equal(check(f->st, &r, &n), 1);
	snprintf(key, sizeof key, "turns %s/2:", id);
	assert_true(reported(&r, key, "missing from the transcript"));
}

static void test_a_missing_tail_and_a_turn_past_the_end_are_reported(void **state)
{
	struct fixture_store *f = *state;
	char id[TOKEN_ID_LEN + 1], key[64];
	struct reports r;
	struct verify_counts n;
	make_interview(f->st, "Ada", id);
	del_turn(f->st, id, TURNS);
	del_turn(f->st, id, TURNS - 1);
	struct store_batch *b = store_batch_new();
	struct proto_turn t = { .seq = 9, .role = PROTO_ROLE_BOT, .kind = PROTO_KIND_SAY,
				.text = "stray", .ts = 1 };
	assert_int_equal(record_batch_turn(b, id, &t), 0);
	commit(f->st, b);

	assert_int_equal(check(f->st, &r, &n), 2);
	snprintf(key, sizeof key, "turns %s/%d-%d:", id, TURNS - 1, TURNS);
	assert_true(reported(&r, key, "missing"));
	snprintf(key, sizeof key, "turns %s/9:", id);
	assert_true(reported(&r, key, "past the transcript's end"));
}

static void test_a_token_of_no_interview_is_reported(void **state)
{
	struct fixture_store *f = *state;
	char id[TOKEN_ID_LEN + 1], token[TOKEN_LEN + 1], hex[TOKEN_HASH_HEX + 1], key[128];
	unsigned char hash[TOKEN_HASH_LEN];
	struct reports r;
	struct verify_counts n;
	make_interview(f->st, "Ada", id);
	token_new(token, hash);
	token_hash_to_hex(hash, hex);
	struct proto_token t = { .interview_id = "0123456789abcdef", .role = "candidate",
				 .created = 1, .hash = hex };
	char *rec = proto_token_encode(&t);
	put(f->st, STORE_DB_TOKENS, hash, sizeof hash, rec);
	free(rec);

	assert_int_equal(check(f->st, &r, &n), 1);
	snprintf(key, sizeof key, "tokens %s:", hex);
	assert_true(reported(&r, key, "opens interview 0123456789abcdef, which does not exist"));
}

static void test_a_missing_pinned_script_is_reported_on_its_interview(void **state)
{
	struct fixture_store *f = *state;
	char id[TOKEN_ID_LEN + 1], key[64], hash[TOKEN_DIGEST_HEX + 1];
	struct reports r;
	struct verify_counts n;
	make_interview(f->st, "Ada", id);
	token_digest_hex(SCRIPT, strlen(SCRIPT), hash);
	del(f->st, STORE_DB_SCRIPTS, hash, TOKEN_DIGEST_HEX);

	assert_int_equal(check(f->st, &r, &n), 1);
	snprintf(key, sizeof key, "interviews %s:", id);
	assert_true(reported(&r, key, "pinned script screen"));
}

static void test_a_pinned_script_changed_after_pinning_is_reported(void **state)
{
	struct fixture_store *f = *state;
	char id[TOKEN_ID_LEN + 1], key[128], hash[TOKEN_DIGEST_HEX + 1];
	struct reports r;
	struct verify_counts n;
	make_interview(f->st, "Ada", id);
	token_digest_hex(SCRIPT, strlen(SCRIPT), hash);
	put(f->st, STORE_DB_SCRIPTS, hash, TOKEN_DIGEST_HEX, "finish('edited in place')\n");

	assert_int_equal(check(f->st, &r, &n), 1);
	snprintf(key, sizeof key, "scripts %s:", hash);
	assert_true(reported(&r, key, "changed after it was pinned"));
}

static void test_an_undecodable_interview_is_reported_once(void **state)
{
	struct fixture_store *f = *state;
	char id[TOKEN_ID_LEN + 1], key[64];
	struct reports r;
	struct verify_counts n;
	make_interview(f->st, "Ada", id);
	put(f->st, STORE_DB_INTERVIEWS, id, TOKEN_ID_LEN, "{\"id\": truncat");

	/* Its turns and token are not orphans: the record is there, damaged. */
	assert_int_equal(check(f->st, &r, &n), 1);
	snprintf(key, sizeof key, "interviews %s:", id);
	assert_true(reported(&r, key, "does not decode"));
}

static void test_an_undecodable_turn_is_reported_by_its_seq(void **state)
{
	struct fixture_store *f = *state;
	char id[TOKEN_ID_LEN + 1], key[64];
	unsigned char tkey[STORE_KEY_MAX];
	struct reports r;
	struct verify_counts n;
	make_interview(f->st, "Ada", id);
	put(f->st, STORE_DB_TURNS, tkey, store_key_turn(tkey, id, 2), "\xff\xfe not json");

	assert_int_equal(check(f->st, &r, &n), 1);
	snprintf(key, sizeof key, "turns %s/2:", id);
	assert_true(reported(&r, key, "does not decode"));
}

static void test_turns_of_an_erased_interview_are_reported_as_one_run(void **state)
{
	struct fixture_store *f = *state;
	char id[TOKEN_ID_LEN + 1], key[64];
	struct reports r;
	struct verify_counts n;
	make_interview(f->st, "Ada", id);
	/* The record alone goes: its turns and its token are left behind. */
	del(f->st, STORE_DB_INTERVIEWS, id, TOKEN_ID_LEN);

	assert_int_equal(check(f->st, &r, &n), 2);
	snprintf(key, sizeof key, "turns %s/1-%d:", id, TURNS);
	assert_true(reported(&r, key, "which does not exist"));
	assert_true(reported(&r, "tokens ", "which does not exist"));
}

/* ---- the commands ----------------------------------------------------------- */

static void test_verify_exits_0_clean_1_with_problems_2_without_a_store(void **state)
{
	struct fixture_store *f = *state;
	static char out[1 << 16];
	char id[TOKEN_ID_LEN + 1];
	make_interview(f->st, "Ada", id);

	assert_int_equal(run(maint_cmd_verify, out, sizeof out,
			     (char *[]){ "verify", "--data", f->data, NULL }),
			 0);
	assert_non_null(strstr(out, "1 interview, 3 turns, 1 token, 1 script"));
	assert_non_null(strstr(out, "no problems found"));

	del_turn(f->st, id, 1);
	assert_int_equal(run(maint_cmd_verify, out, sizeof out,
			     (char *[]){ "verify", "--data", f->data, NULL }),
			 1);
	assert_non_null(strstr(out, "1 problem found"));

	assert_int_equal(run(maint_cmd_verify, out, sizeof out,
			     (char *[]){ "verify", "--data", "/nonexistent/interviewd", NULL }),
			 2);
	assert_non_null(strstr(out, "/nonexistent/interviewd is not a data directory"));
	assert_true(access("/nonexistent/interviewd", F_OK) != 0); /* and none was made */

	assert_int_equal(run(maint_cmd_verify, out, sizeof out,
			     (char *[]){ "verify", "--data", f->data, "--fix", NULL }),
			 2);
	assert_non_null(strstr(out, "unknown option --fix"));
}

static void test_backup_copies_into_a_new_dir_owner_only_and_refuses_a_full_one(void **state)
{
	struct fixture_store *f = *state;
	static char out[1 << 16];
	char id[TOKEN_ID_LEN + 1], dest[128], file[160];
	struct stat sb;
	make_interview(f->st, "Ada", id);
	snprintf(dest, sizeof dest, "%s/backup", f->data);

	assert_int_equal(run(maint_cmd_backup, out, sizeof out,
			     (char *[]){ "backup", dest, "--data", f->data, NULL }),
			 0);
	assert_int_equal(stat(dest, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	snprintf(file, sizeof file, "%s/data.mdb", dest);
	assert_int_equal(stat(file, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);

	/* The copy opens as a store of its own and holds the same interview. */
	struct store *copy = NULL;
	struct proto_interview iv;
	char err[256] = "";
	assert_int_equal(store_open(&copy, dest, NULL, err, sizeof err), 0);
	assert_int_equal(record_get_interview(copy, id, &iv), 0);
	assert_true(iv.next_seq == TURNS + 1);
	proto_interview_free(&iv);
	store_close(copy);

	assert_int_equal(run(maint_cmd_backup, out, sizeof out,
			     (char *[]){ "backup", dest, "--data", f->data, NULL }),
			 2);
	assert_non_null(strstr(out, "is not empty"));
	assert_non_null(strstr(out, dest));
	unlink(file);
	snprintf(file, sizeof file, "%s/lock.mdb", dest);
	unlink(file);
	rmdir(dest);
}

static void test_purge_reads_dates_in_utc_and_refuses_others(void **state)
{
	struct fixture_store *f = *state;
	static char out[1 << 16];
	static const char *good[] = { "2024-02-29", "2024-06-01T12:00:00Z", "2024-06-01t12:00:00.250z",
				      "2024-06-01 12:00:00+02:00", "1970-01-01" };
	static const char *bad[] = { "2023-02-29", "2024-6-1", "2024-06-01T12:00:00",
				     "2024-06-01T24:00:00Z", "2024-06-01T12:00Z", "yesterday",
				     "2999-01-01" };
	for (size_t i = 0; i < sizeof good / sizeof *good; i++)
		assert_int_equal(run(maint_cmd_purge, out, sizeof out,
				     (char *[]){ "purge", "--ended-before", (char *)good[i], "--dry-run",
						 "--data", f->data, NULL }),
				 0);
	assert_non_null(strstr(out, "before 1970-01-01 00:00:00 UTC"));
	assert_int_equal(run(maint_cmd_purge, out, sizeof out,
			     (char *[]){ "purge", "--ended-before=2024-06-01T14:00:00.5+02:00",
					 "--dry-run", "--data", f->data, NULL }),
			 0);
	assert_non_null(strstr(out, "before 2024-06-01 12:00:00.500 UTC"));
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		assert_int_equal(run(maint_cmd_purge, out, sizeof out,
				     (char *[]){ "purge", "--ended-before", (char *)bad[i], "--data",
						 f->data, NULL }),
				 2);
	assert_int_equal(run(maint_cmd_purge, out, sizeof out,
			     (char *[]){ "purge", "--data", f->data, NULL }),
			 2);
	assert_non_null(strstr(out, "--ended-before DATE is required"));
}

static void test_purge_erases_only_ended_interviews_before_the_cutoff(void **state)
{
	struct fixture_store *f = *state;
	char active[TOKEN_ID_LEN + 1], closed[TOKEN_ID_LEN + 1], err[256] = "";
	struct proto_interview iv;
	struct retention_result res;
	make_interview(f->st, "Ada", active);
	make_interview(f->st, "Grace", closed);
	assert_int_equal(ops_close_interview(f->st, closed, NULL, err, sizeof err), 0);
	int64_t now = record_now_ms();

	/* Before the close: nothing; a dry run after it: named, and kept. */
	assert_int_equal(retention_purge(f->st, now - RETENTION_DAY_MS, false, NULL, NULL, &res), 0);
	assert_int_equal(res.erased, 0);
	assert_int_equal(retention_purge(f->st, now + 1, true, NULL, NULL, &res), 0);
	assert_int_equal(res.erased, 1);
	assert_int_equal(record_get_interview(f->st, closed, &iv), 0);
	proto_interview_free(&iv);

	assert_int_equal(retention_purge(f->st, now + 1, false, NULL, NULL, &res), 0);
	assert_int_equal(res.erased, 1);
	assert_int_equal(res.failed, 0);
	assert_int_equal(record_get_interview(f->st, closed, &iv), STORE_ENOTFOUND);
	assert_int_equal(record_get_interview(f->st, active, &iv), 0);
	proto_interview_free(&iv);

	/* What is left still holds together: the shared script stayed. */
	struct reports r;
	struct verify_counts n;
	assert_int_equal(check(f->st, &r, &n), 0);
	assert_int_equal(n.interviews, 1);
	assert_int_equal(n.scripts, 1);
}

static void test_retention_days_are_whole_days_within_bounds(void **state)
{
	(void)state;
	unsigned d = 0;
	assert_int_equal(retention_parse_days("30", &d), 0);
	assert_int_equal(d, 30);
	assert_int_equal(retention_parse_days("1", &d), 0);
	assert_int_equal(retention_parse_days("36500", &d), 0);
	assert_int_equal(retention_parse_days("0", &d), -1);
	assert_int_equal(retention_parse_days("36501", &d), -1);
	assert_int_equal(retention_parse_days("-3", &d), -1);
	assert_int_equal(retention_parse_days(" 3", &d), -1);
	assert_int_equal(retention_parse_days("3d", &d), -1);
	assert_int_equal(retention_parse_days("", &d), -1);
}

int main(void)
{
	assert_int_equal(token_init(), 0);
#define T(name) cmocka_unit_test_setup_teardown(name, fixture_store_setup, fixture_store_teardown)
	const struct CMUnitTest tests[] = {
		T(test_a_store_as_the_server_writes_it_verifies_clean),
		T(test_a_missing_turn_is_reported_by_its_seq),
		T(test_a_missing_tail_and_a_turn_past_the_end_are_reported),
		T(test_a_token_of_no_interview_is_reported),
		T(test_a_missing_pinned_script_is_reported_on_its_interview),
		T(test_a_pinned_script_changed_after_pinning_is_reported),
		T(test_an_undecodable_interview_is_reported_once),
		T(test_an_undecodable_turn_is_reported_by_its_seq),
		T(test_turns_of_an_erased_interview_are_reported_as_one_run),
		T(test_verify_exits_0_clean_1_with_problems_2_without_a_store),
		T(test_backup_copies_into_a_new_dir_owner_only_and_refuses_a_full_one),
		T(test_purge_reads_dates_in_utc_and_refuses_others),
		T(test_purge_erases_only_ended_interviews_before_the_cutoff),
		cmocka_unit_test(test_retention_days_are_whole_days_within_bounds),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
