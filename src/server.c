/* server: CivetWeb glue. See server.h.
 *
 * One module in three files, which share server_internal.h: this one has the
 * candidates' WebSockets (/v1), the frames written to them, what the team's
 * API changes do to open connections, and starting and stopping;
 * server_http.c the plain HTTP side (the page, /api bodies and answers);
 * server_watch.c the live view's sockets (/v1/watch).
 *
 * Threads: CivetWeb gives each WebSocket a worker thread for its life, so the
 * pool is sized from max_connections. Writes to one connection from several
 * threads (its own replies, other connections' broadcasts, shutdown) always
 * go through mg_lock_connection. Open connections are kept in sharded lists
 * keyed by interview id, which is all a broadcast needs.
 *
 * A handshake looks its token up once, in the auth handler, which hangs a
 * wsconn holding the interview id on the connection's user data; the connect
 * handler takes it from there. Whatever never became a WebSocket is freed
 * when CivetWeb closes the TCP connection (conn_closed). */
#include "server.h"
#include "server_internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "log.h"
#include "metrics.h"
#include "proto.h"
#include "record.h"
#include "watch.h"

#define RATE_PER_SEC 20.0 /* messages a connection may send per second... */
#define RATE_BURST 40.0   /* ...with this burst */
#define MAX_PER_INTERVIEW 8 /* open WebSockets on one interview (tabs, devices) */
#define CLOSE_LINK_REPLACED 4401 /* close codes (RFC 6455 leaves 4000-4999 to us) */
#define CLOSE_ERASED 4404

static struct shard *shard_of(struct server *s, const char *id)
{
	unsigned h = 0;
	for (; *id; id++)
		h = h * 31 + (unsigned char)*id;
	return &s->shards[h % NSHARDS];
}

/* Sends one unmasked, unfragmented frame (RFC 6455, 5.2) in a single write.
 * mg_websocket_write sends the header and the payload in two send()s, which
 * with TCP_NODELAY is two packets and two wakeups of the client per frame. */
int server_write_frame(struct mg_connection *conn, int opcode, const char *data, size_t len)
{
	unsigned char stack[2048], *buf = stack;
	size_t h = len < 126 ? 2 : len <= 0xffff ? 4 : 10;
	int n;
	/* cppcheck-suppress redundantInitialization ; buf stays stack when the frame fits */
	if (h + len > sizeof stack && !(buf = malloc(h + len))) {
		mg_lock_connection(conn); /* out of memory: fall back to two writes */
		n = mg_websocket_write(conn, opcode, data, len);
		mg_unlock_connection(conn);
		return n > 0 ? 0 : -1;
	}
	buf[0] = (unsigned char)(0x80 | opcode); /* FIN */
	if (h == 2) {
		buf[1] = (unsigned char)len;
	} else if (h == 4) {
		buf[1] = 126;
		buf[2] = (unsigned char)(len >> 8);
		buf[3] = (unsigned char)len;
	} else {
		buf[1] = 127;
		for (int i = 0; i < 8; i++)
			buf[2 + i] = (unsigned char)((uint64_t)len >> (56 - 8 * i));
	}
	memcpy(buf + h, data, len);
	mg_lock_connection(conn);
	n = mg_write(conn, buf, h + len);
	mg_unlock_connection(conn);
	if (buf != stack)
		free(buf);
	return n == (int)(h + len) ? 0 : -1;
}

/* A close frame's payload: the code, big-endian, then the reason (at most
 * 123 bytes, RFC 6455 5.5). Returns its length. */
size_t server_close_payload(char out[125], int code, const char *reason)
{
	size_t n = strlen(reason);
	if (n > 123)
		n = 123;
	out[0] = (char)((code >> 8) & 0xff);
	out[1] = (char)(code & 0xff);
	memcpy(out + 2, reason, n);
	return n + 2;
}

/* ---- WebSocket ------------------------------------------------------------ */

static int token_of(const struct mg_request_info *ri, char *token, size_t len)
{
	if (!ri->query_string)
		return -1;
	return mg_get_var(ri->query_string, strlen(ri->query_string), "token", token, len) > 0 ? 0
											     : -1;
}

/* The state a handshake carries to ws_connect, hung on the connection. A
 * keep-alive connection may still hold one from an earlier request that did
 * not upgrade: it is reused, without the watcher place that one took. NULL
 * when out of memory. */
struct wsconn *server_conn_state(struct mg_connection *conn)
{
	struct wsconn *w = mg_get_user_connection_data(conn);
	if (w) {
		watch_stop(w->watch);
		w->watch = NULL;
		return w;
	}
	if ((w = calloc(1, sizeof *w)))
		mg_set_user_connection_data(conn, w);
	return w;
}

/* A browser sends Origin on every handshake, and a page of any site may
 * open a socket here: the token or the cookie it would carry is not proof
 * the page is ours (cross-site WebSocket hijacking). */
bool server_origin_allowed(struct server *s, struct mg_connection *conn, const char *path)
{
	const struct mg_request_info *ri = mg_get_request_info(conn);
	const char *origin = mg_get_header(conn, "Origin"), *host = mg_get_header(conn, "Host");
	if (!origin)
		return true;
	char own[320];
	int n = snprintf(own, sizeof own, "%s://%s", ri->is_ssl ? "https" : "http", host ? host : "");
	if (host && *host && n > 0 && (size_t)n < sizeof own && strcasecmp(origin, own) == 0)
		return true;
	for (size_t i = 0; i < s->n_origins; i++)
		if (strcasecmp(origin, s->origins[i]) == 0)
			return true;
	log_info("refused %s from %s: Origin %.200s is neither this server's nor an "
		 "--allowed-origin",
		 path, ri->remote_addr, origin);
	metrics_family_inc(&metrics_handshakes_refused, "origin");
	server_send_plain(conn, 403,
			  "this page's origin may not open a WebSocket here (see --allowed-origin)\n");
	return false;
}

/* Runs before the upgrade: CivetWeb would drop a refused connect handler's
 * TCP connection without a status, so the refusals are written here. */
static int ws_auth_handler(struct mg_connection *conn, void *cbdata)
{
	struct server *s = cbdata;
	const struct mg_request_info *ri = mg_get_request_info(conn);
	char token[TOKEN_LEN + 8], id[TOKEN_ID_LEN + 1];
	if (!server_origin_allowed(s, conn, "/v1"))
		return 0;
	if (token_of(ri, token, sizeof token) != 0 ||
	    record_check_token(s->store, token, id) != 0) {
		log_info("refused %s /v1 from %s: invalid or missing token", ri->request_method,
			 ri->remote_addr);
		metrics_family_inc(&metrics_handshakes_refused, "invalid_token");
		server_send_plain(conn, 401, "invalid or missing token\n");
		return 0;
	}
	if (atomic_load(&s->open) >= s->max_connections) {
		log_warn("refused /v1 from %s: at --max-connections %u", ri->remote_addr,
			 s->max_connections);
		metrics_family_inc(&metrics_handshakes_refused, "at_capacity");
		server_send_plain(conn, 503, "server at capacity; try again shortly\n");
		return 0;
	}
	/* One link must not take every slot of the server. */
	unsigned mine = 0;
	struct shard *sh = shard_of(s, id);
	pthread_mutex_lock(&sh->lock);
	for (struct wsconn *w = sh->head; w; w = w->next)
		mine += strcmp(w->interview_id, id) == 0;
	pthread_mutex_unlock(&sh->lock);
	if (mine >= MAX_PER_INTERVIEW) {
		log_warn("refused /v1 from %s: interview %s already has %u connections",
			 ri->remote_addr, id, mine);
		metrics_family_inc(&metrics_handshakes_refused, "interview_limit");
		server_send_plain(conn, 503,
				  "too many open connections to this interview; close a tab\n");
		return 0;
	}
	struct wsconn *w = server_conn_state(conn);
	if (!w) {
		log_error("refused /v1 from %s: out of memory", ri->remote_addr);
		metrics_family_inc(&metrics_handshakes_refused, "out_of_memory");
		server_send_plain(conn, 503, "server out of memory; try again shortly\n");
		return 0;
	}
	memcpy(w->interview_id, id, sizeof w->interview_id);
	return 1;
}

static int ws_connect(const struct mg_connection *conn, void *cbdata)
{
	struct server *s = cbdata;
	struct wsconn *w = mg_get_user_connection_data(conn);
	if (!w || w->counted)
		return 1; /* not through ws_auth_handler: never upgrade */
	/* Reserve the slot atomically: the auth handler's check only makes the
	 * usual refusal a clean 503; concurrent handshakes can all pass it. */
	unsigned cur = atomic_load(&s->open);
	do {
		if (cur >= s->max_connections)
			return 1;
	} while (!atomic_compare_exchange_weak(&s->open, &cur, cur + 1));
	w->counted = true;
	w->srv = s;
	w->opcode = -1;
	w->tokens = RATE_BURST;
	clock_gettime(CLOCK_MONOTONIC, &w->last);
	return 0;
}

static void ws_ready(struct mg_connection *conn, void *cbdata)
{
	struct server *s = cbdata;
	struct wsconn *w = mg_get_user_connection_data(conn);
	if (!w)
		return;
	w->conn = conn;
	struct shard *sh = shard_of(s, w->interview_id);
	pthread_mutex_lock(&sh->lock);
	w->next = sh->head;
	if (sh->head)
		sh->head->prev = w;
	sh->head = w;
	pthread_mutex_unlock(&sh->lock);
	log_info("interview %s: connection opened (%u open)", w->interview_id,
		 atomic_load(&s->open));
}

static void ws_close(const struct mg_connection *conn, void *cbdata)
{
	struct server *s = cbdata;
	struct wsconn *w = mg_get_user_connection_data(conn);
	if (!w)
		return;
	if (w->conn) {
		struct shard *sh = shard_of(s, w->interview_id);
		pthread_mutex_lock(&sh->lock);
		if (w->prev)
			w->prev->next = w->next;
		else
			sh->head = w->next;
		if (w->next)
			w->next->prev = w->prev;
		/* CivetWeb reuses conn once this returns: wait out broadcasts
		 * still writing to it. */
		while (w->writers)
			pthread_cond_wait(&sh->idle, &sh->lock);
		pthread_mutex_unlock(&sh->lock);
	}
	atomic_fetch_sub(&s->open, 1);
	log_info("interview %s: connection closed (%u open)", w->interview_id,
		 atomic_load(&s->open));
	mg_set_user_connection_data(conn, NULL);
	free(w->buf);
	free(w);
}

/* CivetWeb calls this as it closes any TCP connection. A wsconn still hung on
 * it never became an open WebSocket (a plain GET of /v1, a handshake refused
 * after the token check, or one whose 101 could not be sent); free it, with
 * its slot if ws_connect had taken one. */
static void conn_closed(const struct mg_connection *conn)
{
	struct wsconn *w = mg_get_user_connection_data(conn);
	if (!w)
		return;
	mg_set_user_connection_data(conn, NULL);
	if (w->counted) {
		struct server *s = mg_get_user_data(mg_get_context(conn));
		atomic_fetch_sub(&s->open, 1);
	}
	watch_stop(w->watch);
	free(w->buf);
	free(w);
}

static void reply_cb(void *ctx, const char *frame, size_t len)
{
	struct wsconn *w = ctx;
	server_write_frame(w->conn, MG_WEBSOCKET_OPCODE_TEXT, frame, len);
}

/* Writes one frame to every candidate connection open on interview id, each
 * outside the shard lock, so a client that stops reading stalls only its own
 * interview's turns, never the other interviews of its shard. A close frame
 * (closing) marks each connection as closed by us. */
static void to_interview(struct server *s, const char *id, int opcode, const char *data,
			 size_t len, bool closing)
{
	struct shard *sh = shard_of(s, id);
	struct wsconn *few[2 * MAX_PER_INTERVIEW], **to = few;
	size_t n = 0, cap = sizeof few / sizeof few[0];

	pthread_mutex_lock(&sh->lock);
	for (struct wsconn *w = sh->head; w; w = w->next)
		n += strcmp(w->interview_id, id) == 0;
	if (n > cap) {
		struct wsconn **more = malloc(n * sizeof *more);
		if (more) { /* out of memory: the first few still get it */
			to = more;
			cap = n;
		}
	}
	n = 0;
	for (struct wsconn *w = sh->head; w && n < cap; w = w->next)
		if (strcmp(w->interview_id, id) == 0)
			to[n++] = w;
	for (size_t i = 0; i < n; i++)
		to[i]->writers++;
	pthread_mutex_unlock(&sh->lock);

	for (size_t i = 0; i < n; i++) {
		if (closing)
			atomic_store(&to[i]->close_sent, true);
		server_write_frame(to[i]->conn, opcode, data, len);
	}

	pthread_mutex_lock(&sh->lock);
	for (size_t i = 0; i < n; i++)
		to[i]->writers--;
	pthread_cond_broadcast(&sh->idle);
	pthread_mutex_unlock(&sh->lock);
	if (to != few)
		free(to);
}

static void broadcast_cb(void *ctx, const char *interview_id, const char *frame, size_t len)
{
	struct wsconn *self = ctx;
	to_interview(self->srv, interview_id, MG_WEBSOCKET_OPCODE_TEXT, frame, len, false);
}

/* An error frame for a message refused before it reaches the engine; it still
 * names the interview when the message did. */
static void reject(struct wsconn *w, enum proto_code code, const char *message)
{
	struct proto_request req = { 0 };
	char err[128];
	if (w->buf && !w->oversized && w->opcode == MG_WEBSOCKET_OPCODE_TEXT)
		proto_parse_request(w->buf, w->len, &req, err, sizeof err);
	char *f = proto_frame_error(req.interview_id, code, message);
	proto_request_free(&req);
	if (f) {
		server_write_frame(w->conn, MG_WEBSOCKET_OPCODE_TEXT, f, strlen(f));
		free(f);
	}
}

/* Token bucket: RATE_PER_SEC messages a second, bursts of RATE_BURST. */
static bool rate_ok(struct wsconn *w)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	double dt = (double)(now.tv_sec - w->last.tv_sec) + (now.tv_nsec - w->last.tv_nsec) / 1e9;
	w->last = now;
	w->tokens += dt * RATE_PER_SEC;
	if (w->tokens > RATE_BURST)
		w->tokens = RATE_BURST;
	if (w->tokens < 1.0)
		return false;
	w->tokens -= 1.0;
	return true;
}

static void deliver(struct wsconn *w)
{
	if (w->oversized) {
		reject(w, PROTO_CODE_TOO_LARGE, "message is larger than 128 KiB");
		goto out;
	}
	if (w->opcode == MG_WEBSOCKET_OPCODE_BINARY) {
		reject(w, PROTO_CODE_BAD_REQUEST, "binary frames are not supported; send JSON as a text frame");
		goto out;
	}
	if (!rate_ok(w)) {
		reject(w, PROTO_CODE_RATE_LIMITED, "too many messages; slow down");
		goto out;
	}
	struct engine_conn c = { .reply = reply_cb, .broadcast = broadcast_cb, .ctx = w };
	memcpy(c.interview_id, w->interview_id, sizeof c.interview_id);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	engine_handle(w->srv->engine, &c, w->buf ? w->buf : "", w->len);
	clock_gettime(CLOCK_MONOTONIC, &t1); /* the reply frames are written */
	metrics_histogram_observe(&metrics_turn_seconds, (double)(t1.tv_sec - t0.tv_sec) +
								 (t1.tv_nsec - t0.tv_nsec) / 1e9);
out:
	w->len = 0;
	w->opcode = -1;
	w->oversized = false;
	if (w->cap > 64 * 1024) { /* do not keep a big buffer per idle connection */
		free(w->buf);
		w->buf = NULL;
		w->cap = 0;
	}
}

static int append(struct wsconn *w, const char *data, size_t len)
{
	if (w->oversized || w->len + len > PROTO_MAX_FRAME) {
		w->oversized = true;
		return 0;
	}
	if (w->len + len + 1 > w->cap) {
		size_t cap = w->cap ? w->cap : 1024;
		while (cap < w->len + len + 1)
			cap *= 2;
		char *b = realloc(w->buf, cap);
		if (!b)
			return -1;
		w->buf = b;
		w->cap = cap;
	}
	memcpy(w->buf + w->len, data, len);
	w->len += len;
	w->buf[w->len] = '\0';
	return 0;
}

static int ws_data(struct mg_connection *conn, int bits, char *data, size_t len, void *cbdata)
{
	(void)cbdata;
	struct wsconn *w = mg_get_user_connection_data(conn);
	if (!w)
		return 0;
	int opcode = bits & 0x0f;
	bool fin = (bits & 0x80) != 0;
	/* After our close frame (a replaced link, an erased interview) no data
	 * frame (opcodes below 8) of this connection reaches the engine. */
	if (opcode < 8 && atomic_load(&w->close_sent))
		return 0;
	switch (opcode) {
	case MG_WEBSOCKET_OPCODE_PING:
		server_write_frame(conn, MG_WEBSOCKET_OPCODE_PONG, data, len);
		return 1;
	case MG_WEBSOCKET_OPCODE_PONG:
		return 1;
	case MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE:
		/* Echo the status code, as RFC 6455 asks, unless this answers our
		 * own close; then let CivetWeb close the socket. */
		if (!atomic_load(&w->close_sent))
			server_write_frame(conn, MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE, data,
					   len >= 2 ? 2 : 0);
		return 0;
	case MG_WEBSOCKET_OPCODE_TEXT:
	case MG_WEBSOCKET_OPCODE_BINARY:
		w->len = 0;
		w->oversized = false;
		w->opcode = opcode;
		break;
	case MG_WEBSOCKET_OPCODE_CONTINUATION:
		if (w->opcode < 0)
			return 1; /* a continuation of nothing: ignore */
		break;
	default:
		return 1;
	}
	if (append(w, data, len) != 0) {
		log_error("interview %s: out of memory reassembling a message", w->interview_id);
		return 0;
	}
	if (fin)
		deliver(w);
	return 1;
}

/* ---- what the team's API changes ----------------------------------------- */

struct change {
	struct server *s;
	enum api_change what;
	const struct proto_interview *iv;
};

/* Runs between two turns of the interview (engine_sync), so candidates and
 * watchers get it after every frame of a turn committed before. */
static void follow_change(void *arg)
{
	struct change *c = arg;
	const char *id = c->iv->id;
	char payload[125];
	size_t n;
	switch (c->what) {
	case API_CHANGE_CREATED:
		break;
	case API_CHANGE_CLOSED: {
		/* Later messages get interview_finished from the engine. */
		char *f = proto_frame_closed(id);
		if (f)
			to_interview(c->s, id, MG_WEBSOCKET_OPCODE_TEXT, f, strlen(f), false);
		free(f);
		watch_publish_status(c->s->hub, "closed", c->iv);
		break;
	}
	case API_CHANGE_RELINKED:
		n = server_close_payload(payload, CLOSE_LINK_REPLACED,
					 "this link has been replaced by a new one");
		to_interview(c->s, id, MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE, payload, n, true);
		break;
	case API_CHANGE_ERASED:
		n = server_close_payload(payload, CLOSE_ERASED, "this interview has been erased");
		to_interview(c->s, id, MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE, payload, n, true);
		watch_publish_erased(c->s->hub, c->iv);
		break;
	}
}

/* The API changed an interview (durably): the connections open on it follow
 * at once. A change made by a CLI command in another process is not seen
 * here (the store still refuses what it must: a closed interview's messages,
 * an old token's next handshake). */
static void api_changed(void *ctx, enum api_change what, const struct proto_interview *iv)
{
	struct server *s = ctx;
	struct change c = { .s = s, .what = what, .iv = iv };
	if (what == API_CHANGE_CREATED) {
		watch_publish_status(s->hub, "created", iv); /* no turn can be running */
		return;
	}
	if (what == API_CHANGE_ERASED)
		engine_forget(s->engine, iv->id);
	engine_sync(s->engine, iv->id, follow_change, &c);
}

/* ---- stopping ------------------------------------------------------------- */

/* The listener as seen from this host: the --listen host, or loopback when
 * that is every address (no host, 0.0.0.0). Debian's CivetWeb listens on IPv4
 * only. Returns the address length, 0 when there is none to connect to. */
static socklen_t self_address(const char *listen, int port, struct sockaddr_in *a)
{
	char host[INET_ADDRSTRLEN] = "";
	const char *colon = strrchr(listen, ':');
	size_t n = colon ? (size_t)(colon - listen) : 0;
	if (n >= sizeof host)
		return 0;
	memcpy(host, listen, n);
	host[n] = '\0';
	memset(a, 0, sizeof *a);
	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)port);
	if (!host[0] || strcmp(host, "0.0.0.0") == 0)
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	else if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
		return 0;
	return sizeof *a;
}

/* CivetWeb's master thread polls the listening socket in 2 s quanta and only
 * then sees mg_stop(): connecting to ourselves until it is gone wakes it at
 * once, so SIGTERM takes milliseconds rather than up to two seconds. */
static void *wake_listener(void *arg)
{
	struct server *s = arg;
	const struct timespec pause = { .tv_nsec = 20 * 1000 * 1000 };
	const struct timeval limit = { .tv_usec = 200 * 1000 };
	while (!atomic_load(&s->stopped)) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0) {
			setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
			(void)connect(fd, (const struct sockaddr *)&s->self, s->self_len);
			close(fd);
		}
		nanosleep(&pause, NULL);
	}
	return NULL;
}

/* ---- lifecycle ------------------------------------------------------------ */

static int log_cb(const struct mg_connection *conn, const char *message)
{
	(void)conn;
	log_warn("civetweb: %s", message);
	return 1;
}

static void free_origins(struct server *s)
{
	for (size_t i = 0; i < s->n_origins; i++)
		free(s->origins[i]);
	free(s->origins);
}

int server_start(struct server **out, const struct server_options *o, char *err, size_t errlen)
{
	struct server *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->engine = o->engine;
	s->store = o->store;
	s->max_connections = o->max_connections ? o->max_connections : 256;
	s->www_dir = strdup(o->www_dir ? o->www_dir : "www/dist");
	s->scripts_dir = strdup(o->scripts_dir ? o->scripts_dir : "scripts");
	s->metrics_token = o->metrics_token ? strdup(o->metrics_token) : NULL;
	pthread_mutex_init(&s->counts_lock, NULL);
	if (!s->www_dir || !s->scripts_dir || (o->metrics_token && !s->metrics_token)) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (o->n_allowed_origins && !(s->origins = calloc(o->n_allowed_origins, sizeof *s->origins))) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	for (; s->n_origins < o->n_allowed_origins; s->n_origins++)
		if (!(s->origins[s->n_origins] = strdup(o->allowed_origins[s->n_origins]))) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
	if (watch_hub_open(&s->hub, s->store) != 0) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	for (int i = 0; i < NSHARDS; i++) {
		pthread_mutex_init(&s->shards[i].lock, NULL);
		pthread_cond_init(&s->shards[i].idle, NULL);
	}

	/* One worker per open WebSocket, plus headroom for page requests and
	 * handshakes that will be refused. */
	char threads[16];
	snprintf(threads, sizeof threads, "%u", s->max_connections + 16);
	const char *options[] = {
		"listening_ports", o->listen,
		"num_threads", threads,
		"tcp_nodelay", "1",
		"enable_keep_alive", "yes",
		/* Longer than the 4 s a client keeps an idle connection for reuse
		 * (Node's fetch, browsers): with CivetWeb's 500 ms default the
		 * server closed sockets clients were about to reuse, and a request
		 * failed with "other side closed" (seen in api.test.mjs under load). */
		"keep_alive_timeout_ms", "5000",
		"enable_websocket_ping_pong", "yes",
		"websocket_timeout_ms", "10000",
		"request_timeout_ms", "30000",
		"listen_backlog", "1024",
		/* Paths reach the handlers as sent: CivetWeb's decoding would
		 * turn %00 into the end of the string. The API decodes strictly. */
		"decode_url", "no",
		"connection_queue", "256",
		NULL,
	};
	struct mg_callbacks cb = { .log_message = log_cb, .connection_close = conn_closed };
	mg_init_library(0);
	s->ctx = mg_start(&cb, s, options);
	if (!s->ctx) {
		snprintf(err, errlen, "cannot listen on %s (in use, or not an ADDR:PORT this host has)",
			 o->listen);
		goto fail;
	}
	struct mg_server_port ports[4];
	int n = mg_get_server_ports(s->ctx, 4, ports);
	s->port = n > 0 ? ports[0].port : 0;
	s->self_len = s->port ? self_address(o->listen, s->port, &s->self) : 0;
	s->api.store = s->store;
	s->api.scripts_dir = s->scripts_dir;
	s->api.notify = (struct api_notifier){ .changed = api_changed, .ctx = s };
	struct engine_observer obs = { .turn = server_turn_committed,
				       .script_error = server_script_failed,
				       .ctx = s };
	engine_set_observer(s->engine, &obs);
	mg_set_auth_handler(s->ctx, "/v1", ws_auth_handler, s);
	mg_set_websocket_handler(s->ctx, "/v1", ws_connect, ws_ready, ws_data, ws_close, s);
	mg_set_auth_handler(s->ctx, API_WATCH_PATH, server_watch_auth_handler, s);
	mg_set_websocket_handler(s->ctx, API_WATCH_PATH, ws_connect, server_watch_ready,
				 server_watch_data, server_watch_closed, s);
	mg_set_request_handler(s->ctx, "/api", server_api_handler, s);
	mg_set_request_handler(s->ctx, "/healthz", server_health_handler, s);
	mg_set_request_handler(s->ctx, "/metrics", server_metrics_handler, s);
	mg_set_request_handler(s->ctx, "/", server_page_handler, s);
	server_warn_if_page_missing(s->www_dir);
	*out = s;
	return 0;
fail:
	watch_hub_close(s->hub);
	free_origins(s);
	free(s->www_dir);
	free(s->scripts_dir);
	free(s->metrics_token);
	pthread_mutex_destroy(&s->counts_lock);
	free(s);
	return -1;
}

int server_port(const struct server *s) { return s->port; }

void server_stop(struct server *s)
{
	if (!s)
		return;
	/* 1001: going away. Clients reconnect to the next process. */
	static const char going_away[] = "\x03\xe9server shutting down";
	unsigned closed = 0;
	for (int i = 0; i < NSHARDS; i++) {
		pthread_mutex_lock(&s->shards[i].lock);
		for (struct wsconn *w = s->shards[i].head; w; w = w->next, closed++) {
			atomic_store(&w->close_sent, true);
			server_write_frame(w->conn, MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE,
					   going_away, sizeof going_away - 1);
		}
		pthread_mutex_unlock(&s->shards[i].lock);
	}
	log_info("closing %u WebSocket connection(s) with 1001", closed);
	watch_close_all(s->hub, WATCH_CLOSE_GOING_AWAY, "server shutting down");
	pthread_t waker;
	bool waking = s->self_len && pthread_create(&waker, NULL, wake_listener, s) == 0;
	mg_stop(s->ctx); /* every connection's close handler has run: no watcher is left */
	if (waking) {
		atomic_store(&s->stopped, true);
		pthread_join(waker, NULL);
	}
	mg_exit_library();
	engine_set_observer(s->engine, NULL);
	watch_hub_close(s->hub);
	for (int i = 0; i < NSHARDS; i++) {
		pthread_mutex_destroy(&s->shards[i].lock);
		pthread_cond_destroy(&s->shards[i].idle);
	}
	free_origins(s);
	free(s->www_dir);
	free(s->scripts_dir);
	free(s->metrics_token);
	pthread_mutex_destroy(&s->counts_lock);
	free(s);
}
