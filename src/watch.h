/* watch: the team's live view of interviews, without the socket.
 *
 * A watcher follows one interview (every committed turn from a seq on: first
 * the backlog read from the store, then each turn as the engine publishes it)
 * or the status changes of every interview (created, started, finished,
 * closed, erased, script_error). The hub keeps the watchers. Each has a
 * bounded queue between the publishers and a thread of its own that writes
 * through the transport's sink, so a publisher (a candidate's turn) never
 * waits for a watcher: one that falls WATCH_QUEUE_FRAMES frames or
 * WATCH_QUEUE_BYTES behind is closed with 1013 and resumes with from=SEQ.
 * Publishers are called after the commit, so nothing a watcher is sent is
 * not durable. server.c is the transport; nothing here knows about sockets.
 * Functions return 0 or a WATCH_E* code. */
#ifndef INTERVIEWD_WATCH_H
#define INTERVIEWD_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"
#include "store.h"

#define WATCH_MAX 64                     /* watchers in all... */
#define WATCH_MAX_PER_OWNER 8            /* ...and per user or API key */
#define WATCH_QUEUE_FRAMES 256           /* a watcher this far behind is closed... */
#define WATCH_QUEUE_BYTES (1u << 20)     /* ...or this many bytes behind */
#define WATCH_BACKLOG_BYTES (256 * 1024) /* text per backlog frame (at least one turn) */
#define WATCH_OWNER_MAX 72

/* Close codes a watcher may get (RFC 6455, 7.4). */
#define WATCH_CLOSE_GOING_AWAY 1001 /* the server stops */
#define WATCH_CLOSE_ERROR 1011      /* the store could not be read */
#define WATCH_CLOSE_TOO_SLOW 1013   /* fell behind: reconnect with from=SEQ */
#define WATCH_CLOSE_GONE 4404       /* the interview is not there (erased) */

enum {
	WATCH_EFULL = -900,  /* WATCH_MAX watchers are open */
	WATCH_EOWNER = -901, /* this owner has WATCH_MAX_PER_OWNER open */
	WATCH_ENOMEM = -902,
};

struct watch_hub;
struct watch;

/* The transport's side of one watcher, called from the watcher's thread. */
struct watch_sink {
	/* Writes one text frame, as long as the client takes. 0, or -1 when the
	 * connection is broken (the watcher then writes nothing more). */
	int (*write)(void *ctx, const char *frame, size_t len);
	/* Sends a close frame; the transport ends the connection when the
	 * client answers. Nothing is written after it. */
	void (*close)(void *ctx, int code, const char *reason);
	void *ctx;
};

/* A hub reading backlogs from st. Returns 0 or WATCH_ENOMEM. */
int watch_hub_open(struct watch_hub **out, struct store *st);
/* Frees the hub; every watcher must have been stopped. NULL is fine. */
void watch_hub_close(struct watch_hub *h);

/* Takes a place for one watcher of owner (a user's name or "key:LABEL"):
 * of interview_id from seq from on (0 or 1: everything), or with
 * interview_id NULL of every interview's status. WATCH_EFULL or WATCH_EOWNER
 * when the bounds say no. Nothing is sent until watch_start; end it with
 * watch_stop either way. */
int watch_admit(struct watch_hub *h, const char *owner, const char *interview_id, uint64_t from,
		struct watch **out);

/* Subscribes w, then starts its thread: the backlog (one interview: the
 * turns from `from` on as stored now, in frames of WATCH_BACKLOG_BYTES of
 * text, the first saying the status; at least one frame, maybe with no
 * turns), then what is published, without a gap or a repeat between the
 * two. A `from` past the end means from the end. sink is copied. Returns 0
 * or WATCH_ENOMEM (nothing started). */
int watch_start(struct watch *w, const struct watch_sink *sink);

/* Ends w: stops its thread (waiting out a write in progress), frees w and
 * its place. For a watcher never started too. NULL is fine. */
void watch_stop(struct watch *w);

/* Closes every watcher with code and reason now, from the calling thread,
 * dropping what is queued (the server stopping: 1001). */
void watch_close_all(struct watch_hub *h, int code, const char *reason);

/* ---- publishers: each returns at once ------------------------------------ */

/* A committed turn of iv (turns[0..n), iv as after it): a "turns" frame to
 * the interview's watchers, and "started" (its first turn) or "finished"
 * (finished) to them and to every watcher of all. */
void watch_publish_turn(struct watch_hub *h, const struct proto_interview *iv,
			const struct proto_turn *turns, size_t n, bool finished);

/* A status frame with event ("created", "closed", "script_error") to the
 * interview's watchers and every watcher of all. */
void watch_publish_status(struct watch_hub *h, const char *event, const struct proto_interview *iv);

/* iv was erased: "erased" to every watcher of all and to its own, which are
 * then closed with WATCH_CLOSE_GONE. */
void watch_publish_erased(struct watch_hub *h, const struct proto_interview *iv);

const char *watch_strerror(int rc);

#endif
