/* test_watch: the live view's watchers without a socket. A fake sink records
 * what a watcher's thread writes and can hold its writes (a client that
 * stops reading): backlog then live with no gap or repeat, the queue bound
 * closing a watcher that falls behind with 1013 while publishers go on, the
 * admission bounds, who gets which status frame, and erase closing an
 * interview's watchers. Turns are committed to a real store first, as the
 * engine does before it publishes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixture.h"

#include "record.h"
#include "token.h"
#include "watch.h"

#define SCRIPT "while true do ask('Next?') end\n"
#define MAX_FRAMES 512

/* ---- a sink that records, and can hold writes ---------------------------- */

struct sink {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	bool hold;    /* writes wait while set */
	bool holding; /* a write is waiting */
	char *frames[MAX_FRAMES];
	int n;
	int close_code;
	char reason[128];
};

static int sink_write(void *ctx, const char *frame, size_t len)
{
	struct sink *k = ctx;
	pthread_mutex_lock(&k->lock);
	while (k->hold) {
		k->holding = true;
		pthread_cond_broadcast(&k->changed);
		pthread_cond_wait(&k->changed, &k->lock);
	}
	k->holding = false;
	if (k->n < MAX_FRAMES)
		k->frames[k->n++] = strndup(frame, len);
	pthread_cond_broadcast(&k->changed);
	pthread_mutex_unlock(&k->lock);
	return 0;
}

static void sink_close(void *ctx, int code, const char *reason)
{
	struct sink *k = ctx;
	pthread_mutex_lock(&k->lock);
	k->close_code = code;
	snprintf(k->reason, sizeof k->reason, "%s", reason);
	pthread_cond_broadcast(&k->changed);
	pthread_mutex_unlock(&k->lock);
}

static void sink_init(struct sink *k)
{
	memset(k, 0, sizeof *k);
	pthread_mutex_init(&k->lock, NULL);
	pthread_cond_init(&k->changed, NULL);
}

static void sink_free(struct sink *k)
{
	for (int i = 0; i < k->n; i++)
		free(k->frames[i]);
	pthread_cond_destroy(&k->changed);
	pthread_mutex_destroy(&k->lock);
}

/* Waits (at most 5 s) until the sink has n frames or a close, or a write
 * is held. */
static void sink_wait(struct sink *k, int n, bool for_close, bool for_hold)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	pthread_mutex_lock(&k->lock);
	while (!(for_close ? k->close_code != 0 : for_hold ? k->holding : k->n >= n))
		if (pthread_cond_timedwait(&k->changed, &k->lock, &until) != 0)
			break;
	pthread_mutex_unlock(&k->lock);
}

static void sink_release(struct sink *k)
{
	pthread_mutex_lock(&k->lock);
	k->hold = false;
	pthread_cond_broadcast(&k->changed);
	pthread_mutex_unlock(&k->lock);
}

static struct watch_sink sink_of(struct sink *k)
{
	return (struct watch_sink){ .write = sink_write, .close = sink_close, .ctx = k };
}

/* The seqs of the messages of a turns frame, appended to seqs. */
static void seqs_of(const char *frame, uint64_t *seqs, int *n)
{
	for (const char *p = strstr(frame, "{\"seq\":"); p; p = strstr(p + 1, "{\"seq\":"))
		seqs[(*n)++] = strtoull(p + 7, NULL, 10);
}

/* ---- fixture: a store with one interview --------------------------------- */

struct fx {
	struct fixture_store fs;
	struct watch_hub *hub;
	struct proto_interview iv;
	char id[TOKEN_ID_LEN + 1];
};

static int setup(void **state)
{
	assert_int_equal(token_init(), TOKEN_OK);
	struct fx *f = calloc(1, sizeof *f);
	void *fs = NULL;
	fixture_store_setup(&fs);
	f->fs = *(struct fixture_store *)fs;
	free(fs);
	char token[TOKEN_LEN + 1], err[256];
	assert_int_equal(record_create_interview(f->fs.st, "loop", SCRIPT, strlen(SCRIPT), "Ada",
						 f->id, token, err, sizeof err),
			 0);
	assert_int_equal(record_get_interview(f->fs.st, f->id, &f->iv), 0);
	assert_int_equal(watch_hub_open(&f->hub, f->fs.st), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	watch_hub_close(f->hub);
	proto_interview_free(&f->iv);
	store_close(f->fs.st);
	fixture_remove_tree(f->fs.data);
	free(f);
	return 0;
}

/* Commits one turn (the candidate's message and a bot question) as the
 * engine would, then publishes it: what a watcher sees of a real turn. */
static void turn(struct fx *f, bool publish)
{
	char text[2][32];
	struct proto_turn t[2] = { 0 };
	for (int i = 0; i < 2; i++) {
		t[i].seq = f->iv.next_seq + (uint64_t)i;
		t[i].role = i ? PROTO_ROLE_BOT : PROTO_ROLE_CANDIDATE;
		t[i].kind = i ? PROTO_KIND_ASK : PROTO_KIND_MESSAGE;
		snprintf(text[i], sizeof text[i], "text %llu", (unsigned long long)t[i].seq);
		t[i].text = text[i];
		t[i].ts = 1764102000000;
	}
	f->iv.next_seq += 2;
	f->iv.status = PROTO_STATUS_ACTIVE;
	struct store_batch *b = store_batch_new();
	char err[256];
	assert_non_null(b);
	assert_int_equal(record_batch_turn(b, f->id, &t[0]), 0);
	assert_int_equal(record_batch_turn(b, f->id, &t[1]), 0);
	assert_int_equal(record_batch_interview(b, &f->iv), 0);
	assert_int_equal(store_commit(f->fs.st, b, err, sizeof err), 0);
	store_batch_free(b);
	if (publish)
		watch_publish_turn(f->hub, &f->iv, t, 2, false);
}

/* Every seq the sink's turns frames carry, in order. */
static int all_seqs(struct sink *k, uint64_t *seqs)
{
	int n = 0;
	for (int i = 0; i < k->n; i++)
		if (strstr(k->frames[i], "\"type\":\"turns\""))
			seqs_of(k->frames[i], seqs, &n);
	return n;
}

/* ---- tests ---------------------------------------------------------------- */

static void test_backlog_then_live_with_no_gap_and_no_repeat(void **state)
{
	struct fx *f = *state;
	struct sink k;
	struct watch *w;
	sink_init(&k);
	turn(f, true); /* 1, 2: before anyone watches */
	turn(f, true); /* 3, 4 */
	k.hold = true; /* the backlog is read, then its write waits */
	assert_int_equal(watch_admit(f->hub, "ada", f->id, 3, &w), 0);
	struct watch_sink s = sink_of(&k);
	assert_int_equal(watch_start(w, &s), 0);
	sink_wait(&k, 0, false, true);
	/* The turn committed before the backlog was read is published after the
	 * watcher subscribed: it is in both and must come once. */
	watch_publish_turn(f->hub, &f->iv,
			   (struct proto_turn[]){ { .seq = 3, .text = "text 3" },
						  { .seq = 4, .text = "text 4" } },
			   2, false);
	turn(f, true); /* 5, 6: after the backlog: live */
	sink_release(&k);
	sink_wait(&k, 2, false, false);
	uint64_t seqs[64];
	int n = all_seqs(&k, seqs);
	assert_int_equal(n, 4);
	for (int i = 0; i < n; i++)
		assert_int_equal(seqs[i], 3 + i);
	assert_non_null(strstr(k.frames[0], "\"status\":\"active\""));
	watch_stop(w);
	sink_free(&k);
}

static void
test_an_empty_backlog_still_says_the_status_and_a_from_past_the_end_is_the_end(void **state)
{
	struct fx *f = *state;
	struct sink k;
	struct watch *w;
	sink_init(&k);
	assert_int_equal(watch_admit(f->hub, "ada", f->id, 99, &w), 0);
	struct watch_sink s = sink_of(&k);
	assert_int_equal(watch_start(w, &s), 0);
	sink_wait(&k, 1, false, false);
	assert_int_equal(k.n, 1);
	assert_non_null(strstr(k.frames[0], "\"status\":\"new\",\"messages\":[]"));
	turn(f, true);
	sink_wait(&k, 3, false, false);
	uint64_t seqs[8];
	assert_int_equal(all_seqs(&k, seqs), 2);
	assert_int_equal(seqs[0], 1);
	/* The first turn also tells the watcher the interview started. */
	assert_non_null(strstr(k.frames[2], "\"event\":\"started\""));
	watch_stop(w);
	sink_free(&k);
}

static void
test_a_watcher_that_falls_behind_is_closed_with_1013_and_never_blocks_a_turn(void **state)
{
	struct fx *f = *state;
	struct sink k;
	struct watch *w;
	sink_init(&k);
	turn(f, false);
	k.hold = true; /* a client that stopped reading */
	assert_int_equal(watch_admit(f->hub, "ada", f->id, 0, &w), 0);
	struct watch_sink s = sink_of(&k);
	assert_int_equal(watch_start(w, &s), 0);
	sink_wait(&k, 0, false, true);
	/* Each of these returns at once though the writer is stuck. */
	for (int i = 0; i < WATCH_QUEUE_FRAMES + 10; i++)
		turn(f, true);
	sink_release(&k);
	sink_wait(&k, 0, true, false);
	assert_int_equal(k.close_code, WATCH_CLOSE_TOO_SLOW);
	/* The backlog (turn 1, seqs 1-2) was written: resume after it. */
	assert_string_equal(k.reason, "too far behind; reconnect with from=3");
	assert_int_equal(k.n, 1);
	watch_stop(w);
	sink_free(&k);
}

static void test_admission_is_bounded_in_all_and_per_owner(void **state)
{
	struct fx *f = *state;
	struct watch *w[WATCH_MAX + 1] = { 0 }, *extra = NULL;
	char owner[16];
	for (int i = 0; i < WATCH_MAX_PER_OWNER; i++)
		assert_int_equal(watch_admit(f->hub, "ada", f->id, 0, &w[i]), 0);
	assert_int_equal(watch_admit(f->hub, "ada", NULL, 0, &extra), WATCH_EOWNER);
	assert_null(extra);
	assert_int_equal(watch_admit(f->hub, "key:ada", NULL, 0, &extra),
			 0); /* a key is another owner */
	watch_stop(extra);
	for (int i = WATCH_MAX_PER_OWNER; i < WATCH_MAX; i++) {
		snprintf(owner, sizeof owner, "user%d", i);
		assert_int_equal(watch_admit(f->hub, owner, NULL, 0, &w[i]), 0);
	}
	assert_int_equal(watch_admit(f->hub, "someone-new", NULL, 0, &extra), WATCH_EFULL);
	watch_stop(w[0]); /* never started: its place comes back */
	assert_int_equal(watch_admit(f->hub, "ada", NULL, 0, &w[0]), 0);
	for (int i = 0; i < WATCH_MAX; i++)
		watch_stop(w[i]);
}

static void test_status_frames_go_to_every_watcher_of_all_and_to_that_interviews_own(void **state)
{
	struct fx *f = *state;
	struct sink all, mine, other;
	struct watch *wa, *wm, *wo;
	sink_init(&all);
	sink_init(&mine);
	sink_init(&other);
	char other_id[TOKEN_ID_LEN + 1], token[TOKEN_LEN + 1], err[256];
	assert_int_equal(record_create_interview(f->fs.st, "loop", SCRIPT, strlen(SCRIPT), "Bob",
						 other_id, token, err, sizeof err),
			 0);
	assert_int_equal(watch_admit(f->hub, "ada", NULL, 0, &wa), 0);
	assert_int_equal(watch_admit(f->hub, "ada", f->id, 0, &wm), 0);
	assert_int_equal(watch_admit(f->hub, "ada", other_id, 0, &wo), 0);
	struct watch_sink s = sink_of(&all);
	assert_int_equal(watch_start(wa, &s), 0);
	s = sink_of(&mine);
	assert_int_equal(watch_start(wm, &s), 0);
	s = sink_of(&other);
	assert_int_equal(watch_start(wo, &s), 0);
	sink_wait(&mine, 1, false, false); /* the backlogs */
	sink_wait(&other, 1, false, false);

	watch_publish_status(f->hub, "created", &f->iv);
	turn(f, true);
	f->iv.status = PROTO_STATUS_CLOSED;
	watch_publish_status(f->hub, "closed", &f->iv);
	sink_wait(&all, 3, false, false);
	sink_wait(&mine, 5, false, false);
	assert_int_equal(all.n, 3);
	assert_non_null(strstr(
		all.frames[0],
		"\"event\":\"created\",\"status\":\"new\",\"script\":\"loop\",\"candidate\":\"Ada\""));
	assert_non_null(strstr(all.frames[1], "\"event\":\"started\""));
	assert_non_null(strstr(all.frames[2], "\"event\":\"closed\",\"status\":\"closed\""));
	assert_int_equal(mine.n, 5); /* backlog, created, turns, started, closed */
	assert_non_null(strstr(mine.frames[2], "\"type\":\"turns\""));

	watch_publish_erased(f->hub, &f->iv);
	sink_wait(&mine, 0, true, false);
	assert_int_equal(mine.close_code, WATCH_CLOSE_GONE);
	assert_non_null(strstr(mine.frames[mine.n - 1], "\"event\":\"erased\""));
	sink_wait(&all, 4, false, false);
	assert_non_null(strstr(all.frames[3], "\"event\":\"erased\""));
	assert_int_equal(all.close_code, 0);
	assert_int_equal(other.n, 1); /* only its own backlog */
	assert_int_equal(other.close_code, 0);

	watch_close_all(f->hub, WATCH_CLOSE_GOING_AWAY, "server shutting down");
	sink_wait(&all, 0, true, false);
	sink_wait(&other, 0, true, false);
	assert_int_equal(all.close_code, WATCH_CLOSE_GOING_AWAY);
	assert_int_equal(other.close_code, WATCH_CLOSE_GOING_AWAY);
	watch_stop(wa);
	watch_stop(wm);
	watch_stop(wo);
	sink_free(&all);
	sink_free(&mine);
	sink_free(&other);
}

static void test_a_watcher_of_an_interview_that_is_not_there_is_closed_with_4404(void **state)
{
	struct fx *f = *state;
	struct sink k;
	struct watch *w;
	sink_init(&k);
	assert_int_equal(watch_admit(f->hub, "ada", "0123456789abcdef", 0, &w), 0);
	struct watch_sink s = sink_of(&k);
	assert_int_equal(watch_start(w, &s), 0);
	sink_wait(&k, 0, true, false);
	assert_int_equal(k.close_code, WATCH_CLOSE_GONE);
	assert_int_equal(k.n, 0);
	watch_stop(w);
	sink_free(&k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_backlog_then_live_with_no_gap_and_no_repeat,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_an_empty_backlog_still_says_the_status_and_a_from_past_the_end_is_the_end,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_a_watcher_that_falls_behind_is_closed_with_1013_and_never_blocks_a_turn,
			setup, teardown),
		cmocka_unit_test_setup_teardown(test_admission_is_bounded_in_all_and_per_owner,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_status_frames_go_to_every_watcher_of_all_and_to_that_interviews_own,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_a_watcher_of_an_interview_that_is_not_there_is_closed_with_4404, setup,
			teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
