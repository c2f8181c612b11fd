/* server_internal: what the files of the server module share, and nothing
 * else includes. server is one module in four files (server.c: candidates'
 * WebSockets, API changes, start and stop; server_http.c: the page and /api;
 * server_watch.c: /v1/watch; server_metrics.c: /healthz and /metrics) so that civetweb.h still sits behind one module's
 * boundary. Here are the connection and server state they all touch and the
 * handlers server_start registers. */
#ifndef INTERVIEWD_SERVER_INTERNAL_H
#define INTERVIEWD_SERVER_INTERNAL_H

#include "server.h"

#include <civetweb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <time.h>

#include "api.h"
#include "proto.h"
#include "token.h"
#include "watch.h"

#define NSHARDS 64
#define SERVER_NSTATUS 4 /* enum proto_status's values, counted for /metrics */

/* One upgraded (or upgrading) connection: a candidate's on /v1, or a
 * watcher's on /v1/watch (watch set). Hung on the CivetWeb connection as its
 * user data from the auth handler on. */
struct wsconn {
	struct mg_connection *conn;
	struct server *srv;
	char interview_id[TOKEN_ID_LEN + 1];
	char *buf; /* reassembly of a fragmented message */
	size_t len, cap;
	int opcode;     /* of the message being reassembled, -1 when none */
	bool oversized; /* the message passed PROTO_MAX_FRAME: drop until FIN */
	double tokens;
	struct timespec last;
	bool counted;               /* holds one of s->open (from ws_connect on) */
	struct wsconn *prev, *next; /* shard list, shard lock */
	unsigned writers;           /* broadcasts writing to it now, shard lock */
	atomic_bool close_sent;     /* we sent a close frame (shutdown) */
	struct watch *watch;        /* a /v1/watch connection: its watcher; NULL: a candidate's */
};

struct shard {
	pthread_mutex_t lock;
	pthread_cond_t idle; /* a wsconn's writers dropped to 0 */
	struct wsconn *head;
};

struct server {
	struct mg_context *ctx;
	struct engine *engine;
	struct store *store;
	char *www_dir;
	char *scripts_dir; /* where scriptdir finds NAME.lua, as interviewd new does */
	struct api api;    /* the team API under /api/v1 */
	struct watch_hub *hub; /* the live view under /v1/watch */
	unsigned max_connections;
	char **origins; /* --allowed-origin and the like, besides our own */
	size_t n_origins;
	atomic_uint open;
	int port;
	struct sockaddr_in self;      /* where a connection reaches the listener */
	socklen_t self_len;           /* 0: unknown, stop without waking it */
	atomic_bool stopped;
	struct shard shards[NSHARDS];
	char *metrics_token;          /* --metrics-token; NULL: /metrics to loopback only */
	pthread_mutex_t counts_lock;  /* interviews by status for /metrics, cached: */
	bool counts_ok;
	time_t counts_at;             /* CLOCK_MONOTONIC seconds of the last scan */
	unsigned long long counts[SERVER_NSTATUS];
};

/* --- frames (server.c) --------------------------------------------------- */

/* Sends one unmasked, unfragmented frame in a single write, under the
 * connection's lock. Returns 0, or -1 when it could not be written. */
int server_write_frame(struct mg_connection *conn, int opcode, const char *data, size_t len);
/* A close frame's payload into out: the code, big-endian, then the reason
 * (cut at 123 bytes). Returns its length. */
size_t server_close_payload(char out[125], int code, const char *reason);
/* The wsconn hung on conn, new (zeroed) or reused from an earlier request of
 * a keep-alive connection (its watcher stopped); NULL when out of memory.
 * Freed when the connection closes. */
struct wsconn *server_conn_state(struct mg_connection *conn);

/* --- handshakes (server.c) ---------------------------------------------- */

/* Whether a WebSocket handshake may go on as far as its Origin goes: yes
 * without one (not a browser), or when it is the server's own
 * (scheme://Host of the request) or one of s->origins, in any case. When
 * not, it has answered 403 and logged the refusal under path. */
bool server_origin_allowed(struct server *s, struct mg_connection *conn, const char *path);

/* --- HTTP (server_http.c) ------------------------------------------------ */

/* A whole answer written by hand (also on a WebSocket upgrade request, where
 * CivetWeb refuses its header functions), with Connection: close. */
void server_send_answer(struct mg_connection *conn, int status, const char *type,
			const char *body, size_t len);
/* The same as text/plain. */
void server_send_plain(struct mg_connection *conn, int status, const char *body);
/* The request as api.c takes it, without a body; its strings are CivetWeb's,
 * valid while the request is handled. */
struct api_request server_request_of(struct mg_connection *conn,
				     const struct mg_request_info *ri);
/* The request handlers for "/" (the page build) and "/api"; cbdata is the
 * server. Each returns the status it answered. */
int server_page_handler(struct mg_connection *conn, void *cbdata);
int server_api_handler(struct mg_connection *conn, void *cbdata);
/* Logs a warning when www_dir holds no index.html. */
void server_warn_if_page_missing(const char *www_dir);

/* --- probes (server_metrics.c) ----------------------------------------- */

/* GET /healthz and GET /metrics; cbdata is the server. Each returns the
 * status it answered. */
int server_health_handler(struct mg_connection *conn, void *cbdata);
int server_metrics_handler(struct mg_connection *conn, void *cbdata);

/* --- the live view (server_watch.c) -------------------------------------- */

/* CivetWeb's handlers for /v1/watch (its connect handler is server.c's, as
 * for /v1); cbdata is the server. */
int server_watch_auth_handler(struct mg_connection *conn, void *cbdata);
void server_watch_ready(struct mg_connection *conn, void *cbdata);
int server_watch_data(struct mg_connection *conn, int bits, char *data, size_t len, void *cbdata);
void server_watch_closed(const struct mg_connection *conn, void *cbdata);
/* The engine's observer (ctx is the server): each committed turn and each
 * script error go to the watchers. */
void server_turn_committed(void *ctx, const struct proto_interview *iv,
			   const struct proto_turn *turns, size_t n, bool finished);
void server_script_failed(void *ctx, const struct proto_interview *iv);

#endif
