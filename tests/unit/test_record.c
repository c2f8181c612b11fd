/* test_record: interviews, tokens and transcripts through a real store.
 *
 * Each test gets a fresh data dir under /tmp (mkdtemp) and removes it
 * afterwards. Script files are scriptdir's business (test_scriptdir): here an
 * interview is created from source text. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"

#include "record.h"
#include "script.h"

#define GOOD_SCRIPT "say('Hello!')\nlocal lang = ask('Which language?')\nfinish('Bye')\n"

/* --- helpers ------------------------------------------------------------ */

/* record_create_interview of GOOD_SCRIPT as the script "good". */
static int create_good(struct store *st, const char *candidate, char id[TOKEN_ID_LEN + 1],
		       char token[TOKEN_LEN + 1], char *err, size_t errlen)
{
	return record_create_interview(st, "good", GOOD_SCRIPT, strlen(GOOD_SCRIPT), candidate, id,
				       token, err, errlen);
}

static int count_interviews(struct store *st)
{
	struct proto_interview *ivs = NULL;
	size_t n = 0;
	assert_int_equal(record_list_interviews(st, &ivs, &n), 0);
	record_interviews_free(ivs, n);
	return (int)n;
}

/* --- tests -------------------------------------------------------------- */

static void test_created_interview_reads_back_new_with_pinned_script(void **state)
{
	struct fixture_store *f = *state;
	char id[TOKEN_ID_LEN + 1], token[TOKEN_LEN + 1], err[256] = "";
	long long before = record_now_ms();
	assert_int_equal(create_good(f->st, "Ada", id, token, err, sizeof err), 0);
	assert_true(token_is_id(id));
	assert_int_equal(strlen(token), TOKEN_LEN);

	struct proto_interview iv;
	assert_int_equal(record_get_interview(f->st, id, &iv), 0);
	assert_string_equal(iv.id, id);
	assert_string_equal(iv.script, "good");
	assert_string_equal(iv.candidate, "Ada");
	assert_int_equal(iv.status, PROTO_STATUS_NEW);
	assert_true(iv.next_seq == 1);
	/* Pinned: the interview runs at today's script API for good. */
	assert_int_equal(iv.api_level, SCRIPT_API_LEVEL);
	assert_true(iv.created >= before && iv.created <= record_now_ms());

	char want[TOKEN_DIGEST_HEX + 1];
	token_digest_hex(GOOD_SCRIPT, strlen(GOOD_SCRIPT), want);
	assert_string_equal(iv.script_hash, want);

	char *src = NULL;
	size_t len = 0;
	assert_int_equal(record_get_script(f->st, iv.script_hash, &src, &len), 0);
	assert_int_equal(len, strlen(GOOD_SCRIPT));
	assert_memory_equal(src, GOOD_SCRIPT, len);
	free(src);
	proto_interview_free(&iv);

	assert_int_equal(record_get_interview(f->st, "0000000000000000", &iv), STORE_ENOTFOUND);
}

static void test_token_opens_its_interview_only(void **state)
{
	struct fixture_store *f = *state;
	char id[TOKEN_ID_LEN + 1], token[TOKEN_LEN + 1], err[256] = "";
	assert_int_equal(create_good(f->st, NULL, id, token, err, sizeof err), 0);
	char got[TOKEN_ID_LEN + 1];
	assert_int_equal(record_check_token(f->st, token, got), 0);
	assert_string_equal(got, id);

	/* A second token for the same interview; the first keeps working. */
	char token2[TOKEN_LEN + 1];
	assert_int_equal(record_issue_token(f->st, id, token2, err, sizeof err), 0);
	assert_string_not_equal(token2, token);
	assert_int_equal(record_check_token(f->st, token2, got), 0);
	assert_string_equal(got, id);
	assert_int_equal(record_check_token(f->st, token, got), 0);

	/* A well-formed token never issued, garbage, and nothing at all. */
	char other[TOKEN_LEN + 1];
	unsigned char h[TOKEN_HASH_LEN];
	token_new(other, h);
	assert_int_equal(record_check_token(f->st, other, got), RECORD_EAUTH);
	assert_string_equal(got, "");
	assert_int_equal(record_check_token(f->st, "not a token", got), RECORD_EAUTH);
	assert_int_equal(record_check_token(f->st, "", got), RECORD_EAUTH);
	assert_int_equal(record_check_token(f->st, NULL, got), RECORD_EAUTH);

	assert_int_equal(record_issue_token(f->st, "0000000000000000", token2, err, sizeof err),
			 STORE_ENOTFOUND);
}

static void test_token_record_under_another_hash_is_refused(void **state)
{
	struct fixture_store *f = *state;
	char id[TOKEN_ID_LEN + 1], token[TOKEN_LEN + 1], err[256] = "";
	assert_int_equal(create_good(f->st, "", id, token, err, sizeof err), 0);
	/* A record filed under this token's hash but naming a different hash:
	 * the key alone must not open the interview. */
	unsigned char hash[TOKEN_HASH_LEN];
	assert_int_equal(token_hash(token, hash), 0);
	char rec[256];
	snprintf(rec, sizeof rec,
		 "{\"interview_id\":\"%s\",\"role\":\"candidate\",\"created\":1,\"hash\":\"%064d\"}",
		 id, 0);
	struct store_batch *b = store_batch_new();
	assert_int_equal(store_batch_put(b, STORE_DB_TOKENS, hash, sizeof hash, rec, strlen(rec), 0), 0);
	assert_int_equal(store_commit(f->st, b, err, sizeof err), 0);
	store_batch_free(b);
	char got[TOKEN_ID_LEN + 1];
	assert_int_equal(record_check_token(f->st, token, got), RECORD_EAUTH);

	/* And a record that is not JSON at all is damage, not a pass. */
	b = store_batch_new();
	assert_int_equal(store_batch_put(b, STORE_DB_TOKENS, hash, sizeof hash, "{", 1, 0), 0);
	assert_int_equal(store_commit(f->st, b, err, sizeof err), 0);
	store_batch_free(b);
	assert_int_equal(record_check_token(f->st, token, got), RECORD_ECORRUPT);
	assert_string_equal(got, "");
}

static void test_interview_without_a_script_name_or_source_is_refused_unwritten(void **state)
{
	struct fixture_store *f = *state;
	char id[TOKEN_ID_LEN + 1], token[TOKEN_LEN + 1], err[256] = "";
	assert_int_equal(record_create_interview(f->st, "", GOOD_SCRIPT, strlen(GOOD_SCRIPT), "", id,
						 token, err, sizeof err),
			 RECORD_EINVALID);
	assert_string_equal(err, record_strerror(RECORD_EINVALID));
	assert_int_equal(record_create_interview(f->st, NULL, GOOD_SCRIPT, strlen(GOOD_SCRIPT), "",
						 id, token, err, sizeof err),
			 RECORD_EINVALID);
	assert_int_equal(record_create_interview(f->st, "good", NULL, 0, "", id, token, err,
						 sizeof err),
			 RECORD_EINVALID);
	assert_string_equal(id, "");
	assert_string_equal(token, "");
	assert_int_equal(count_interviews(f->st), 0);
}

/* The CLI prints these instead of a number: each code a record function can
 * return has its own sentence, the store's passed on included. */
static void test_every_record_error_has_its_own_sentence(void **state)
{
	(void)state;
	const int codes[] = {RECORD_ECORRUPT, RECORD_EAUTH, RECORD_EINVALID, RECORD_EFINISHED,
			     RECORD_ECLOSED, RECORD_ELIMIT, RECORD_ECURSOR, RECORD_ESTATUS, RECORD_EURL, STORE_ENOTFOUND,
			     STORE_EEXISTS, STORE_EFULL, STORE_EIO, STORE_ECLOSED, STORE_ENOMEM,
			     STORE_ECONFLICT};
	const size_t n = sizeof codes / sizeof codes[0];
	const char *unknown = record_strerror(-499);
	for (size_t i = 0; i < n; i++) {
		const char *m = record_strerror(codes[i]);
		assert_non_null(m);
		assert_string_not_equal(m, unknown);
		assert_null(strchr(m, '%'));
		for (size_t j = 0; j < i; j++) {
			assert_int_not_equal(codes[i], codes[j]);
			assert_string_not_equal(m, record_strerror(codes[j]));
		}
	}
	/* record's own codes sit in their own range, clear of the store's. */
	assert_true(RECORD_ECORRUPT <= -500 && RECORD_ECORRUPT > -600);
	assert_true(RECORD_EAUTH <= -500 && RECORD_EAUTH > -600);
	assert_true(RECORD_EINVALID <= -500 && RECORD_EINVALID > -600);
	assert_string_equal(record_strerror(STORE_ENOTFOUND), store_strerror(STORE_ENOTFOUND));
}

static void test_transcript_written_in_batches_reads_back_in_seq_order(void **state)
{
	struct fixture_store *f = *state;
	char id[TOKEN_ID_LEN + 1], token[TOKEN_LEN + 1], err[256] = "";
	assert_int_equal(create_good(f->st, "", id, token, err, sizeof err), 0);
	char other[TOKEN_ID_LEN + 1], token2[TOKEN_LEN + 1];
	assert_int_equal(create_good(f->st, "", other, token2, err, sizeof err), 0);

	/* Written out of order and across 256 so big-endian keys matter. */
	uint64_t seqs[] = {300, 2, 1, 256, 3};
	for (size_t i = 0; i < 5; i++) {
		char text[32];
		snprintf(text, sizeof text, "turn %llu", (unsigned long long)seqs[i]);
		struct proto_turn t = {.seq = seqs[i], .role = PROTO_ROLE_BOT, .kind = PROTO_KIND_SAY, .text = text,
				       .ts = 1764102000000 + (int64_t)seqs[i]};
		struct store_batch *b = store_batch_new();
		assert_non_null(b);
		assert_int_equal(record_batch_turn(b, id, &t), 0);
		assert_int_equal(record_batch_turn(b, other, &t), 0);
		assert_int_equal(store_commit(f->st, b, err, sizeof err), 0);
		store_batch_free(b);
	}

	/* A second write of a seq is refused: the transcript is append-only. */
	struct proto_turn dup = {.seq = 2, .role = PROTO_ROLE_BOT, .kind = PROTO_KIND_SAY, .text = "again"};
	struct store_batch *b = store_batch_new();
	assert_int_equal(record_batch_turn(b, id, &dup), 0);
	assert_int_equal(store_commit(f->st, b, err, sizeof err), STORE_EEXISTS);
	store_batch_free(b);

	/* The updated interview record goes through a batch too. */
	struct proto_interview iv;
	assert_int_equal(record_get_interview(f->st, id, &iv), 0);
	iv.status = PROTO_STATUS_ACTIVE;
	iv.next_seq = 301;
	b = store_batch_new();
	assert_int_equal(record_batch_interview(b, &iv), 0);
	assert_int_equal(store_commit(f->st, b, err, sizeof err), 0);
	store_batch_free(b);
	proto_interview_free(&iv);
	assert_int_equal(record_get_interview(f->st, id, &iv), 0);
	assert_int_equal(iv.status, PROTO_STATUS_ACTIVE);
	assert_true(iv.next_seq == 301);
	proto_interview_free(&iv);

	struct proto_turn *turns = NULL;
	size_t n = 0;
	assert_int_equal(record_get_transcript(f->st, id, &turns, &n), 0);
	assert_int_equal(n, 5);
	uint64_t want[] = {1, 2, 3, 256, 300};
	for (size_t i = 0; i < n; i++) {
		char text[32];
		snprintf(text, sizeof text, "turn %llu", (unsigned long long)want[i]);
		assert_true(turns[i].seq == want[i]);
		assert_string_equal(turns[i].text, text);
	}
	record_transcript_free(turns, n);

	/* No id, no turns: an empty prefix must not read everyone's transcript. */
	assert_int_equal(record_get_transcript(f->st, "", &turns, &n), STORE_ENOTFOUND);
	assert_int_equal(n, 0);
}

static void test_list_returns_every_interview_in_id_order(void **state)
{
	struct fixture_store *f = *state;
	char ids[3][TOKEN_ID_LEN + 1], token[TOKEN_LEN + 1], err[256] = "";
	for (int i = 0; i < 3; i++)
		assert_int_equal(create_good(f->st, "", ids[i], token, err, sizeof err), 0);
	struct proto_interview *ivs = NULL;
	size_t n = 0;
	assert_int_equal(record_list_interviews(f->st, &ivs, &n), 0);
	assert_int_equal(n, 3);
	for (size_t i = 1; i < n; i++)
		assert_true(strcmp(ivs[i - 1].id, ivs[i].id) < 0);
	for (int i = 0; i < 3; i++) {
		int found = 0;
		for (size_t j = 0; j < n; j++)
			found += strcmp(ivs[j].id, ids[i]) == 0;
		assert_int_equal(found, 1);
	}
	record_interviews_free(ivs, n);
}

/* --- close, relink, erase, pages ----------------------------------------- */

/* Rewrites the interview record with its status (and creation time). */
static void set_status(struct store *st, const char *id, enum proto_status status, int64_t created)
{
	struct proto_interview iv;
	char err[256] = "";
	assert_int_equal(record_get_interview(st, id, &iv), 0);
	iv.status = status;
	if (created)
		iv.created = created;
	struct store_batch *b = store_batch_new();
	assert_int_equal(record_batch_interview(b, &iv), 0);
	assert_int_equal(store_commit(st, b, err, sizeof err), 0);
	store_batch_free(b);
	proto_interview_free(&iv);
}

static void add_turn(struct store *st, const char *id, uint64_t seq, enum proto_role role,
		     const char *text)
{
	char err[256] = "";
	struct proto_turn t = {.seq = seq, .role = role,
			       .kind = role == PROTO_ROLE_BOT ? PROTO_KIND_ASK : PROTO_KIND_MESSAGE,
			       .text = (char *)text, .ts = 1764102000000};
	struct store_batch *b = store_batch_new();
	assert_int_equal(record_batch_turn(b, id, &t), 0);
	assert_int_equal(store_commit(st, b, err, sizeof err), 0);
	store_batch_free(b);
}

static void test_close_ends_an_unfinished_interview_once(void **state)
{
	struct fixture_store *f = *state;
	char id[TOKEN_ID_LEN + 1], token[TOKEN_LEN + 1], err[256] = "";
	assert_int_equal(create_good(f->st, "Ada", id, token, err, sizeof err), 0);
	set_status(f->st, id, PROTO_STATUS_ACTIVE, 0);
	long long before = record_now_ms();

	struct proto_interview closed;
	assert_int_equal(record_close_interview(f->st, id, &closed, err, sizeof err), 0);
	assert_int_equal(closed.status, PROTO_STATUS_CLOSED);
	assert_string_equal(closed.id, id);
	proto_interview_free(&closed);
	struct proto_interview iv;
	assert_int_equal(record_get_interview(f->st, id, &iv), 0);
	assert_int_equal(iv.status, PROTO_STATUS_CLOSED);
	assert_string_equal(proto_status_name(iv.status), "closed");
	assert_true(iv.updated >= before);
	proto_interview_free(&iv);

	/* Once is enough; a finished one has nothing to close; the sentence
	 * names the interview. */
	assert_int_equal(record_close_interview(f->st, id, NULL, err, sizeof err), RECORD_ECLOSED);
	assert_non_null(strstr(err, id));
	char done[TOKEN_ID_LEN + 1];
	assert_int_equal(create_good(f->st, "Bo", done, token, err, sizeof err), 0);
	set_status(f->st, done, PROTO_STATUS_FINISHED, 0);
	assert_int_equal(record_close_interview(f->st, done, &closed, err, sizeof err),
			 RECORD_EFINISHED);
	assert_null(closed.id);
	assert_int_equal(record_get_interview(f->st, done, &iv), 0);
	assert_int_equal(iv.status, PROTO_STATUS_FINISHED);
	proto_interview_free(&iv);
	assert_int_equal(record_close_interview(f->st, "0123456789abcdef", NULL, err, sizeof err),
			 STORE_ENOTFOUND);
	assert_string_equal(err, "no interview 0123456789abcdef");
	assert_int_equal(record_close_interview(f->st, "../etc", NULL, err, sizeof err),
			 STORE_ENOTFOUND);
}

static void test_relink_stops_every_old_link_and_issues_a_working_one(void **state)
{
	struct fixture_store *f = *state;
	char id[TOKEN_ID_LEN + 1], t1[TOKEN_LEN + 1], t2[TOKEN_LEN + 1], t3[TOKEN_LEN + 1];
	char other[TOKEN_ID_LEN + 1], tother[TOKEN_LEN + 1], got[TOKEN_ID_LEN + 1], err[256] = "";
	assert_int_equal(create_good(f->st, "Ada", id, t1, err, sizeof err), 0);
	assert_int_equal(record_issue_token(f->st, id, t2, err, sizeof err), 0);
	assert_int_equal(create_good(f->st, "Bo", other, tother, err, sizeof err), 0);

	assert_int_equal(record_relink_interview(f->st, id, t3, err, sizeof err), 0);
	assert_int_equal(strlen(t3), TOKEN_LEN);
	assert_int_equal(record_check_token(f->st, t3, got), 0);
	assert_string_equal(got, id);
	assert_int_equal(record_check_token(f->st, t1, got), RECORD_EAUTH);
	assert_int_equal(record_check_token(f->st, t2, got), RECORD_EAUTH);
	/* Another interview's link is not touched. */
	assert_int_equal(record_check_token(f->st, tother, got), 0);
	assert_string_equal(got, other);

	assert_int_equal(record_relink_interview(f->st, "0123456789abcdef", t3, err, sizeof err),
			 STORE_ENOTFOUND);
	assert_string_equal(t3, "");
}

struct needle_scan {
	const void *needle;
	size_t len;
	int hits;
};

static bool has_bytes(const void *hay, size_t n, const void *needle, size_t len)
{
	for (size_t i = 0; len <= n && i + len <= n; i++)
		if (memcmp((const char *)hay + i, needle, len) == 0)
			return true;
	return false;
}

static int count_needle(void *ctx, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct needle_scan *ns = ctx;
	ns->hits += has_bytes(key, klen, ns->needle, ns->len) || has_bytes(val, vlen, ns->needle, ns->len);
	return 0;
}

/* How many keys or values in any database hold these bytes. */
static int stored_hits(struct store *st, const void *needle, size_t len)
{
	struct needle_scan ns = {.needle = needle, .len = len};
	for (int db = 0; db < STORE_DB_COUNT; db++)
		assert_int_equal(store_scan(st, (enum store_db)db, "", 0, count_needle, &ns), 0);
	return ns.hits;
}

static void test_erase_leaves_nothing_of_the_interview_in_any_database(void **state)
{
	struct fixture_store *f = *state;
	char id[TOKEN_ID_LEN + 1], token[TOKEN_LEN + 1], t2[TOKEN_LEN + 1], err[256] = "";
	char keep[TOKEN_ID_LEN + 1], tkeep[TOKEN_LEN + 1];
	assert_int_equal(create_good(f->st, "Zelda Quux", id, token, err, sizeof err), 0);
	assert_int_equal(record_issue_token(f->st, id, t2, err, sizeof err), 0);
	assert_int_equal(create_good(f->st, "Kept Person", keep, tkeep, err, sizeof err), 0);
	add_turn(f->st, id, 1, PROTO_ROLE_CANDIDATE, "my secret answer 7f3a");
	add_turn(f->st, id, 2, PROTO_ROLE_BOT, "Which language?");
	add_turn(f->st, keep, 1, PROTO_ROLE_CANDIDATE, "kept answer");
	unsigned char hash[TOKEN_HASH_LEN];
	assert_int_equal(token_hash(token, hash), 0);
	assert_true(stored_hits(f->st, id, strlen(id)) > 0);
	assert_true(stored_hits(f->st, "secret answer 7f3a", 18) > 0);

	assert_int_equal(record_erase_interview(f->st, id, err, sizeof err), 0);
	assert_int_equal(stored_hits(f->st, id, strlen(id)), 0);
	assert_int_equal(stored_hits(f->st, "secret answer 7f3a", 18), 0);
	assert_int_equal(stored_hits(f->st, "Zelda Quux", 10), 0);
	assert_int_equal(stored_hits(f->st, hash, sizeof hash), 0);
	struct proto_interview iv;
	assert_int_equal(record_get_interview(f->st, id, &iv), STORE_ENOTFOUND);
	char got[TOKEN_ID_LEN + 1];
	assert_int_equal(record_check_token(f->st, token, got), RECORD_EAUTH);
	assert_int_equal(record_erase_interview(f->st, id, err, sizeof err), STORE_ENOTFOUND);

	/* The other interview still runs the same pinned source, so it stays,
	 * with everything else of that interview. */
	assert_int_equal(record_get_interview(f->st, keep, &iv), 0);
	char *src = NULL;
	size_t len = 0;
	assert_int_equal(record_get_script(f->st, iv.script_hash, &src, &len), 0);
	free(src);
	struct proto_turn *turns = NULL;
	size_t n = 0;
	assert_int_equal(record_get_transcript(f->st, keep, &turns, &n), 0);
	assert_int_equal(n, 1);
	record_transcript_free(turns, n);
	assert_int_equal(record_check_token(f->st, tkeep, got), 0);

	/* Erasing the last interview of that source erases the source too. */
	assert_int_equal(record_erase_interview(f->st, keep, err, sizeof err), 0);
	assert_int_equal(record_get_script(f->st, iv.script_hash, &src, &len), STORE_ENOTFOUND);
	assert_int_equal(stored_hits(f->st, "Which language?", 15), 0);
	proto_interview_free(&iv);
	assert_int_equal(count_interviews(f->st), 0);
}

/* Interviews of the page test: created at 1000 + i, and the expectation of
 * which appear for a query, newest first. */
static void create_at(struct store *st, const char *candidate, int64_t created,
		      enum proto_status status, char id[TOKEN_ID_LEN + 1])
{
	char token[TOKEN_LEN + 1], err[256] = "";
	assert_int_equal(create_good(st, candidate, id, token, err, sizeof err), 0);
	set_status(st, id, status, created);
}

static void test_pages_are_newest_first_filtered_and_resume_at_the_cursor(void **state)
{
	struct fixture_store *f = *state;
	enum { N = 7 };
	char ids[N][TOKEN_ID_LEN + 1];
	const char *names[N] = {"Émile Zola", "ada lovelace", "ADA KING", "Grace", "Ольга",
				"Bob", "Adam"};
	/* Two share a creation time: the id breaks the tie. */
	const int64_t created[N] = {1000, 1001, 1002, 1003, 1004, 1005, 1005};
	for (int i = 0; i < N; i++)
		create_at(f->st, names[i], created[i],
			  i % 2 ? PROTO_STATUS_FINISHED : PROTO_STATUS_ACTIVE, ids[i]);

	/* Walk the whole list two at a time: each once, newest first. */
	struct record_page_query q = {.limit = 2};
	char cursor[RECORD_CURSOR_LEN + 1] = "";
	int64_t last_created = INT64_MAX;
	char last_id[TOKEN_ID_LEN + 1] = "~";
	int seen = 0, pages = 0;
	do {
		struct proto_interview *ivs = NULL;
		size_t n = 0;
		char next[RECORD_CURSOR_LEN + 1];
		q.cursor = cursor;
		assert_int_equal(record_list_interviews_page(f->st, &q, &ivs, &n, next), 0);
		assert_true(n <= 2);
		for (size_t i = 0; i < n; i++) {
			assert_true(ivs[i].created < last_created ||
				    (ivs[i].created == last_created && strcmp(ivs[i].id, last_id) < 0));
			last_created = ivs[i].created;
			snprintf(last_id, sizeof last_id, "%s", ivs[i].id);
			seen++;
		}
		record_interviews_free(ivs, n);
		snprintf(cursor, sizeof cursor, "%s", next);
		pages++;
	} while (cursor[0]);
	assert_int_equal(seen, N);
	assert_int_equal(pages, 4);

	/* q ignores case, accents' case included; status and script narrow it. */
	struct {
		struct record_page_query q;
		size_t want;
	} cases[] = {
		{{.q = "ADA"}, 3},
		{{.q = "émile"}, 1},
		{{.q = "ОЛЬГА"}, 1},
		{{.q = "ada", .status = "finished"}, 1},
		{{.status = "active"}, 4},
		{{.script = "good"}, N},
		{{.script = "other"}, 0},
		{{.q = "nobody"}, 0},
	};
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		struct proto_interview *ivs = NULL;
		size_t n = 0;
		char next[RECORD_CURSOR_LEN + 1];
		assert_int_equal(record_list_interviews_page(f->st, &cases[c].q, &ivs, &n, next), 0);
		assert_int_equal(n, cases[c].want);
		assert_string_equal(next, "");
		record_interviews_free(ivs, n);
	}

	/* What cannot be answered is refused with a code per field. */
	struct proto_interview *ivs = NULL;
	size_t n = 0;
	char next[RECORD_CURSOR_LEN + 1];
	struct record_page_query bad_limit = {.limit = 201};
	assert_int_equal(record_list_interviews_page(f->st, &bad_limit, &ivs, &n, next), RECORD_ELIMIT);
	struct record_page_query bad_cursor = {.cursor = "zz"};
	assert_int_equal(record_list_interviews_page(f->st, &bad_cursor, &ivs, &n, next),
			 RECORD_ECURSOR);
	struct record_page_query bad_status = {.status = "paused"};
	assert_int_equal(record_list_interviews_page(f->st, &bad_status, &ivs, &n, next),
			 RECORD_ESTATUS);
	assert_null(ivs);
	struct record_page_query max = {.limit = 200};
	assert_int_equal(record_list_interviews_page(f->st, &max, &ivs, &n, next), 0);
	assert_int_equal(n, N);
	record_interviews_free(ivs, n);
}

/* --- the server's public URL ----------------------------------------------- */

static void test_public_url_is_unknown_until_recorded_then_the_last_one_reads_back(void **state)
{
	struct fixture_store *f = *state;
	char *url = (char *)"untouched", err[512] = "";
	assert_int_equal(record_get_public_url(f->st, &url), STORE_ENOTFOUND);
	assert_null(url);
	assert_int_equal(record_set_public_url(f->st, "http://127.0.0.1:41234", err, sizeof err),
			 0);
	assert_int_equal(record_get_public_url(f->st, &url), 0);
	assert_string_equal(url, "http://127.0.0.1:41234");
	free(url);
	assert_int_equal(record_set_public_url(f->st, "https://iv.example.com/acme", err,
					       sizeof err),
			 0);
	assert_int_equal(record_get_public_url(f->st, &url), 0);
	assert_string_equal(url, "https://iv.example.com/acme");
	free(url);
	/* A refused URL leaves the recorded one as it was. */
	assert_int_equal(record_set_public_url(f->st, "iv.example.com", err, sizeof err),
			 RECORD_EURL);
	assert_non_null(strstr(err, "'iv.example.com'"));
	assert_int_equal(record_get_public_url(f->st, &url), 0);
	assert_string_equal(url, "https://iv.example.com/acme");
	free(url);
}

static void test_public_url_that_is_no_url_in_the_store_reads_as_damaged(void **state)
{
	struct fixture_store *f = *state;
	char *url = NULL, err[256] = "";
	struct store_batch *b = store_batch_new();
	assert_non_null(b);
	assert_int_equal(store_batch_put(b, STORE_DB_META, "public_url", 10, "javascript:x", 12, 0),
			 0);
	assert_int_equal(store_commit(f->st, b, err, sizeof err), 0);
	store_batch_free(b);
	assert_int_equal(record_get_public_url(f->st, &url), RECORD_ECORRUPT);
	assert_null(url);
}

static void test_public_url_check_takes_scheme_host_port_path_and_names_what_is_wrong(void **state)
{
	(void)state;
	const char *good[] = {
		"http://127.0.0.1:8080", "https://interviews.example.com",
		"http://localhost:1/",   "https://h.example:65535/a/b-c_d.e/",
		"http://[::1]:8080",     "http://[2001:db8::1]/iv",
	};
	const struct {
		const char *url, *why;
	} bad[] = {
		{ "interviews.example.com", "start with http:// or https://" },
		{ "ftp://h", "start with http:// or https://" },
		{ "HTTP://h", "start with http:// or https://" },
		{ "http://", "host is missing" },
		{ "http://:8080", "host is missing" },
		{ "http://[::1", "brackets" },
		{ "http://h:0", "port" },
		{ "http://h:65536", "port" },
		{ "http://h:123456", "port" },
		{ "http://h:", "port" },
		{ "http://user@h", "only :PORT and /path" },
		{ "http://h/a b", "spaces" },
		{ "http://h/?x=1", "'?'" },
		{ "http://h/#top", "'#'" },
		{ "", "start with" },
	};
	char err[512];
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		assert_int_equal(record_check_public_url(good[i], err, sizeof err), 0);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		assert_int_equal(record_check_public_url(bad[i].url, err, sizeof err), RECORD_EURL);
		if (!strstr(err, bad[i].why))
			fail_msg("%s: \"%s\" does not say \"%s\"", bad[i].url, err, bad[i].why);
	}
	char long_url[RECORD_URL_MAX + 2] = "http://h/";
	memset(long_url + 9, 'a', sizeof long_url - 10);
	long_url[sizeof long_url - 1] = '\0';
	assert_int_equal(record_check_public_url(long_url, err, sizeof err), RECORD_EURL);
	long_url[RECORD_URL_MAX] = '\0';
	assert_int_equal(record_check_public_url(long_url, err, sizeof err), 0);
	assert_int_equal(record_check_public_url(NULL, NULL, 0), RECORD_EURL);
}

int main(void)
{
	assert_int_equal(token_init(), 0);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_created_interview_reads_back_new_with_pinned_script,
			fixture_store_setup, fixture_store_teardown),
		cmocka_unit_test_setup_teardown(test_token_opens_its_interview_only,
						fixture_store_setup, fixture_store_teardown),
		cmocka_unit_test_setup_teardown(test_token_record_under_another_hash_is_refused,
						fixture_store_setup, fixture_store_teardown),
		cmocka_unit_test_setup_teardown(
			test_interview_without_a_script_name_or_source_is_refused_unwritten,
			fixture_store_setup, fixture_store_teardown),
		cmocka_unit_test(test_every_record_error_has_its_own_sentence),
		cmocka_unit_test_setup_teardown(
			test_transcript_written_in_batches_reads_back_in_seq_order, fixture_store_setup, fixture_store_teardown),
		cmocka_unit_test_setup_teardown(test_list_returns_every_interview_in_id_order, fixture_store_setup, fixture_store_teardown),
		cmocka_unit_test_setup_teardown(test_close_ends_an_unfinished_interview_once, fixture_store_setup, fixture_store_teardown),
		cmocka_unit_test_setup_teardown(
			test_relink_stops_every_old_link_and_issues_a_working_one, fixture_store_setup, fixture_store_teardown),
		cmocka_unit_test_setup_teardown(
			test_erase_leaves_nothing_of_the_interview_in_any_database, fixture_store_setup, fixture_store_teardown),
		cmocka_unit_test_setup_teardown(
			test_pages_are_newest_first_filtered_and_resume_at_the_cursor, fixture_store_setup, fixture_store_teardown),
		cmocka_unit_test_setup_teardown(
			test_public_url_is_unknown_until_recorded_then_the_last_one_reads_back,
			fixture_store_setup, fixture_store_teardown),
		cmocka_unit_test_setup_teardown(
			test_public_url_that_is_no_url_in_the_store_reads_as_damaged,
			fixture_store_setup, fixture_store_teardown),
		cmocka_unit_test(
			test_public_url_check_takes_scheme_host_port_path_and_names_what_is_wrong),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
