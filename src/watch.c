/* watch: the live view's watchers, their queues and threads. See watch.h.
 *
 * One lock (the hub's) guards the list of watchers and every queue; it is
 * held only to look at the list, to push or pop a pointer, never while a
 * frame is encoded or written. A frame is encoded once per event and shared
 * by every queue holding it (counted references).
 *
 * No gap, no repeat: a watcher is subscribed before its thread reads the
 * backlog, so a turn committed after that read is in the queue; one committed
 * before it may be in both, and is dropped from the queue because its last
 * seq is not past the backlog's. A turn is committed whole, so no frame is
 * half in the backlog. */
#include "watch.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "record.h"
#include "token.h"

/* One frame on its way to watchers, or an order to close. */
struct event {
	atomic_uint refs;
	uint64_t last_seq; /* a turns frame: its last entry's seq; 0 otherwise */
	int close_code;    /* not 0: close with this code, text is the reason */
	size_t len;
	char text[];
};

#define RING (WATCH_QUEUE_FRAMES + 1) /* one more, for a close order */

struct watch {
	struct watch_hub *hub;
	char owner[WATCH_OWNER_MAX + 1];
	char interview_id[TOKEN_ID_LEN + 1]; /* "": every interview's status */
	uint64_t from;
	struct watch_sink sink;
	pthread_t thread;
	bool running; /* the thread was started */

	/* Below: hub->lock. */
	struct watch *prev, *next;
	bool subscribed; /* publishers queue for it */
	bool stop;       /* watch_stop: the thread ends */
	bool overflow;   /* fell behind: the queue was dropped, 1013 follows */
	bool ended;      /* closed or broken: nothing more is queued */
	struct event *q[RING];
	size_t head, n, bytes;
	pthread_cond_t wake;
};

struct watch_hub {
	struct store *store;
	pthread_mutex_t lock;
	struct watch *list; /* every admitted watcher */
	unsigned count;
	atomic_uint subscribed; /* 0: publishers need not even encode */
};

const char *watch_strerror(int rc)
{
	switch (rc) {
	case 0:
		return "ok";
	case WATCH_EFULL:
		return "the server has as many watchers as it takes; try again later";
	case WATCH_EOWNER:
		return "you have as many watch connections open as one user may; close one";
	case WATCH_ENOMEM:
		return "out of memory";
	default:
		return "unknown error";
	}
}

/* ======================================================================== */
/* Events                                                                   */
/* ======================================================================== */

/* A new event holding text (len bytes), with one reference. NULL: no memory
 * (or no text: an encoder ran out). */
static struct event *event_new(const char *text, size_t len, uint64_t last_seq, int close_code)
{
	if (!text)
		return NULL;
	struct event *ev = malloc(sizeof *ev + len + 1);
	if (!ev)
		return NULL;
	atomic_init(&ev->refs, 1);
	ev->last_seq = last_seq;
	ev->close_code = close_code;
	ev->len = len;
	memcpy(ev->text, text, len);
	ev->text[len] = '\0';
	return ev;
}

/* Takes an encoder's new string as an event (frees it). */
static struct event *event_take(char *frame, uint64_t last_seq)
{
	struct event *ev = frame ? event_new(frame, strlen(frame), last_seq, 0) : NULL;
	free(frame);
	return ev;
}

static void event_unref(struct event *ev)
{
	if (ev && atomic_fetch_sub(&ev->refs, 1) == 1)
		free(ev);
}

/* Drops what w's queue holds. hub->lock held. */
static void drain_locked(struct watch *w)
{
	while (w->n) {
		event_unref(w->q[w->head]);
		w->head = (w->head + 1) % RING;
		w->n--;
	}
	w->bytes = 0;
}

/* Queues ev for w. A frame that would pass a bound instead drops the queue
 * and marks w fallen behind; a close order always fits. hub->lock held. */
static void enqueue_locked(struct watch *w, struct event *ev)
{
	if (!ev->close_code && w->n > 0 &&
	    (w->n >= WATCH_QUEUE_FRAMES || w->bytes + ev->len > WATCH_QUEUE_BYTES)) {
		drain_locked(w);
		w->overflow = true;
		pthread_cond_signal(&w->wake);
		return;
	}
	if (w->n == RING)
		return; /* a second close order: the first one ends it */
	atomic_fetch_add(&ev->refs, 1);
	w->q[(w->head + w->n) % RING] = ev;
	w->n++;
	w->bytes += ev->len;
	pthread_cond_signal(&w->wake);
}

enum audience {
	TO_INTERVIEW = 1, /* the watchers of that interview */
	TO_ALL = 2,       /* the watchers of every interview's status */
};

/* Queues ev for the subscribed watchers it is for, and drops the caller's
 * reference. id: the interview it is about (NULL: every watcher). */
static void publish(struct watch_hub *h, const char *id, unsigned audience, struct event *ev)
{
	if (!ev) {
		log_error("watch: out of memory; a watcher misses a frame");
		return;
	}
	pthread_mutex_lock(&h->lock);
	for (struct watch *w = h->list; w; w = w->next) {
		if (!w->subscribed || w->overflow || w->ended)
			continue;
		bool of_one = w->interview_id[0] != '\0';
		if (!id || (of_one ? (audience & TO_INTERVIEW) && strcmp(w->interview_id, id) == 0
				   : (audience & TO_ALL)))
			enqueue_locked(w, ev);
	}
	pthread_mutex_unlock(&h->lock);
	event_unref(ev);
}

/* ======================================================================== */
/* A watcher's thread                                                       */
/* ======================================================================== */

static void mark_ended(struct watch *w)
{
	pthread_mutex_lock(&w->hub->lock);
	w->ended = true;
	drain_locked(w);
	pthread_mutex_unlock(&w->hub->lock);
}

/* Writes the interview's turns from w->from on, as stored now; *last gets
 * the last seq stored (0: none). Returns 0, or -1 when w is done (closed,
 * broken). */
static int send_backlog(struct watch *w, uint64_t *last)
{
	struct proto_interview iv = { 0 };
	struct proto_turn *turns = NULL;
	size_t n = 0;
	int rc = -1;
	/* Turns first, then the record: the status said is never older than
	 * the turns sent (a later turn comes live, with its own status). */
	int r = record_get_transcript(w->hub->store, w->interview_id, &turns, &n);
	if (r == 0)
		r = record_get_interview(w->hub->store, w->interview_id, &iv);
	if (r == STORE_ENOTFOUND) {
		w->sink.close(w->sink.ctx, WATCH_CLOSE_GONE, "there is no such interview");
		goto out;
	}
	if (r != 0) {
		log_error("watch %s: reading the backlog: %s", w->interview_id, record_strerror(r));
		w->sink.close(w->sink.ctx, WATCH_CLOSE_ERROR,
			      "the transcript could not be read; try again");
		goto out;
	}
	*last = n ? turns[n - 1].seq : 0;
	size_t i = 0;
	while (i < n && turns[i].seq < w->from)
		i++;
	do { /* at least one frame: it says the status */
		size_t end = i, text = 0;
		while (end < n &&
		       (end == i || text + strlen(turns[end].text) + 256 <= WATCH_BACKLOG_BYTES))
			text += strlen(turns[end++].text) + 256;
		char *f = proto_frame_turns(w->interview_id, iv.status, turns + i, end - i);
		if (!f) {
			w->sink.close(w->sink.ctx, WATCH_CLOSE_ERROR, "out of memory; try again");
			goto out;
		}
		int wr = w->sink.write(w->sink.ctx, f, strlen(f));
		free(f);
		if (wr != 0)
			goto out;
		i = end;
	} while (i < n);
	rc = 0;
out:
	record_transcript_free(turns, n);
	proto_interview_free(&iv);
	return rc;
}

static void *run(void *arg)
{
	struct watch *w = arg;
	struct watch_hub *h = w->hub;
	uint64_t done = 0; /* the last seq written: every turn up to it is sent */
	if (w->interview_id[0] && send_backlog(w, &done) != 0) {
		mark_ended(w);
		return NULL;
	}
	for (;;) {
		pthread_mutex_lock(&h->lock);
		while (!w->stop && !w->overflow && w->n == 0)
			pthread_cond_wait(&w->wake, &h->lock);
		if (w->stop) {
			pthread_mutex_unlock(&h->lock);
			return NULL;
		}
		if (w->overflow) {
			bool closed = w->ended; /* by watch_close_all meanwhile */
			w->ended = true;
			pthread_mutex_unlock(&h->lock);
			if (closed)
				return NULL;
			char why[96];
			if (w->interview_id[0])
				snprintf(why, sizeof why,
					 "too far behind; reconnect with from=%llu",
					 (unsigned long long)done + 1);
			else
				snprintf(why, sizeof why, "too far behind; reconnect");
			log_warn("watch %s by %s: too far behind, closed",
				 w->interview_id[0] ? w->interview_id : "all", w->owner);
			w->sink.close(w->sink.ctx, WATCH_CLOSE_TOO_SLOW, why);
			return NULL;
		}
		struct event *ev = w->q[w->head];
		w->head = (w->head + 1) % RING;
		w->n--;
		w->bytes -= ev->len;
		if (ev->close_code)
			w->ended = true; /* watch_close_all must not close it twice */
		pthread_mutex_unlock(&h->lock);

		int rc = 0;
		if (ev->close_code) {
			w->sink.close(w->sink.ctx, ev->close_code, ev->text);
			rc = -1;
		} else if (!ev->last_seq || ev->last_seq > done) {
			rc = w->sink.write(w->sink.ctx, ev->text, ev->len);
			if (ev->last_seq)
				done = ev->last_seq;
		}
		event_unref(ev);
		if (rc != 0) {
			mark_ended(w);
			return NULL;
		}
	}
}

/* ======================================================================== */
/* Watchers                                                                 */
/* ======================================================================== */

int watch_hub_open(struct watch_hub **out, struct store *st)
{
	struct watch_hub *h = calloc(1, sizeof *h);
	if (!h)
		return WATCH_ENOMEM;
	h->store = st;
	pthread_mutex_init(&h->lock, NULL);
	atomic_init(&h->subscribed, 0);
	*out = h;
	return 0;
}

void watch_hub_close(struct watch_hub *h)
{
	if (!h)
		return;
	if (h->list)
		log_error("watch: %u watcher(s) still open as the hub closes", h->count);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

int watch_admit(struct watch_hub *h, const char *owner, const char *interview_id, uint64_t from,
		struct watch **out)
{
	int rc = 0;
	unsigned mine = 0;
	*out = NULL;
	pthread_mutex_lock(&h->lock);
	for (struct watch *w = h->list; w; w = w->next)
		mine += strcmp(w->owner, owner) == 0;
	if (h->count >= WATCH_MAX) {
		rc = WATCH_EFULL;
		goto out;
	}
	if (mine >= WATCH_MAX_PER_OWNER) {
		rc = WATCH_EOWNER;
		goto out;
	}
	struct watch *w = calloc(1, sizeof *w);
	if (!w) {
		rc = WATCH_ENOMEM;
		goto out;
	}
	w->hub = h;
	snprintf(w->owner, sizeof w->owner, "%s", owner);
	snprintf(w->interview_id, sizeof w->interview_id, "%s", interview_id ? interview_id : "");
	w->from = from;
	pthread_cond_init(&w->wake, NULL);
	w->next = h->list;
	if (h->list)
		h->list->prev = w;
	h->list = w;
	h->count++;
	*out = w;
out:
	pthread_mutex_unlock(&h->lock);
	return rc;
}

int watch_start(struct watch *w, const struct watch_sink *sink)
{
	struct watch_hub *h = w->hub;
	w->sink = *sink;
	pthread_mutex_lock(&h->lock);
	w->subscribed = true;
	atomic_fetch_add(&h->subscribed, 1);
	pthread_mutex_unlock(&h->lock);
	if (pthread_create(&w->thread, NULL, run, w) != 0) {
		pthread_mutex_lock(&h->lock);
		w->subscribed = false;
		atomic_fetch_sub(&h->subscribed, 1);
		drain_locked(w);
		pthread_mutex_unlock(&h->lock);
		return WATCH_ENOMEM;
	}
	w->running = true;
	return 0;
}

void watch_stop(struct watch *w)
{
	if (!w)
		return;
	struct watch_hub *h = w->hub;
	pthread_mutex_lock(&h->lock);
	w->stop = true;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&h->lock);
	if (w->running)
		pthread_join(w->thread, NULL);

	pthread_mutex_lock(&h->lock);
	if (w->prev)
		w->prev->next = w->next;
	else
		h->list = w->next;
	if (w->next)
		w->next->prev = w->prev;
	h->count--;
	if (w->subscribed)
		atomic_fetch_sub(&h->subscribed, 1);
	drain_locked(w);
	pthread_mutex_unlock(&h->lock);
	pthread_cond_destroy(&w->wake);
	free(w);
}

/* The close frames go out from here, at once, and not from the watchers'
 * threads: the server stops right after, and then writes no more. The lock
 * keeps each watcher from being freed meanwhile (a sink never takes it). */
void watch_close_all(struct watch_hub *h, int code, const char *reason)
{
	pthread_mutex_lock(&h->lock);
	for (struct watch *w = h->list; w; w = w->next) {
		if (!w->subscribed || w->ended)
			continue;
		w->ended = true;
		drain_locked(w);
		w->sink.close(w->sink.ctx, code, reason);
	}
	pthread_mutex_unlock(&h->lock);
}

/* ======================================================================== */
/* Publishers                                                               */
/* ======================================================================== */

static void publish_status(struct watch_hub *h, const char *event, const struct proto_interview *iv)
{
	publish(h, iv->id, TO_INTERVIEW | TO_ALL,
		event_take(proto_frame_status(iv->id, event, iv->status, iv->script, iv->candidate),
			   0));
}

void watch_publish_turn(struct watch_hub *h, const struct proto_interview *iv,
			const struct proto_turn *turns, size_t n, bool finished)
{
	if (n == 0 || atomic_load(&h->subscribed) == 0)
		return;
	publish(h, iv->id, TO_INTERVIEW,
		event_take(proto_frame_turns(iv->id, iv->status, turns, n), turns[n - 1].seq));
	if (turns[0].seq == 1)
		publish_status(h, "started", iv);
	if (finished)
		publish_status(h, "finished", iv);
}

void watch_publish_status(struct watch_hub *h, const char *event, const struct proto_interview *iv)
{
	if (atomic_load(&h->subscribed) == 0)
		return;
	publish_status(h, event, iv);
}

void watch_publish_erased(struct watch_hub *h, const struct proto_interview *iv)
{
	static const char gone[] = "this interview has been erased";
	if (atomic_load(&h->subscribed) == 0)
		return;
	publish_status(h, "erased", iv);
	publish(h, iv->id, TO_INTERVIEW, event_new(gone, sizeof gone - 1, 0, WATCH_CLOSE_GONE));
}
