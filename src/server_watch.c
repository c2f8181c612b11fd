/* server_watch: the live view's sockets, /v1/watch. Part of the server
 * module (see server.c): the handshake checked by api.c before the upgrade,
 * then a read-only socket whose frames come from the watch module's writer
 * thread through a sink; and the engine's news (a committed turn, a script
 * error) handed to the watch hub. The queues, the backlog and the order are
 * watch.c's; this file only joins them to CivetWeb. */
#include "server.h"
#include "server_internal.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "log.h"
#include "metrics.h"
#include "watch.h"

/* ---- the live view: /v1/watch --------------------------------------------- */

/* Authenticated by api.c (an API key, or the session cookie with our own
 * Origin) before the upgrade, like /v1; its refusals are JSON errors. A
 * browser's Origin is checked first, as on /v1. */
int server_watch_auth_handler(struct mg_connection *conn, void *cbdata)
{
	struct server *s = cbdata;
	const struct mg_request_info *ri = mg_get_request_info(conn);
	struct api_request req = server_request_of(conn, ri);
	struct api_response res;
	struct api_watch want;
	if (!server_origin_allowed(s, conn, API_WATCH_PATH))
		return 0;
	if (api_watch_check(&s->api, &req, &want, &res) != 0) {
		metrics_family_inc(&metrics_handshakes_refused, res.status == 401   ? "unauthorized"
								: res.status == 403 ? "forbidden"
										    : "bad_request");
		server_send_answer(conn, res.status,
				   res.content_type ? res.content_type : "text/plain",
				   res.body ? res.body : "", res.len);
		api_response_free(&res);
		return 0;
	}
	if (atomic_load(&s->open) >= s->max_connections) {
		log_warn("refused %s from %s: at --max-connections %u", API_WATCH_PATH,
			 ri->remote_addr, s->max_connections);
		metrics_family_inc(&metrics_handshakes_refused, "at_capacity");
		server_send_plain(conn, 503, "server at capacity; try again shortly\n");
		return 0;
	}
	struct wsconn *w = server_conn_state(conn);
	int rc = w ? watch_admit(s->hub, want.owner, want.all ? NULL : want.interview_id, want.from,
				 &w->watch)
		   : WATCH_ENOMEM;
	if (rc != 0) {
		char why[160];
		log_warn("refused %s from %s (%s): %s", API_WATCH_PATH, ri->remote_addr, want.owner,
			 watch_strerror(rc));
		metrics_family_inc(&metrics_handshakes_refused, "watch_limit");
		snprintf(why, sizeof why, "%s\n", watch_strerror(rc));
		server_send_plain(conn, 503, why);
		return 0;
	}
	memcpy(w->interview_id, want.interview_id, sizeof w->interview_id);
	return 1;
}

static int watch_write(void *ctx, const char *frame, size_t len)
{
	struct wsconn *w = ctx;
	return server_write_frame(w->conn, MG_WEBSOCKET_OPCODE_TEXT, frame, len);
}

static void watch_close_frame(void *ctx, int code, const char *reason)
{
	struct wsconn *w = ctx;
	char payload[125];
	size_t n = server_close_payload(payload, code, reason);
	atomic_store(&w->close_sent, true);
	server_write_frame(w->conn, MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE, payload, n);
}

void server_watch_ready(struct mg_connection *conn, void *cbdata)
{
	struct server *s = cbdata;
	struct wsconn *w = mg_get_user_connection_data(conn);
	if (!w || !w->watch)
		return;
	w->conn = conn;
	struct watch_sink sink = { .write = watch_write, .close = watch_close_frame, .ctx = w };
	if (watch_start(w->watch, &sink) != 0) {
		log_error("watch: out of memory starting a watcher");
		watch_close_frame(w, WATCH_CLOSE_ERROR, "server out of memory; try again shortly");
		return;
	}
	log_info("watch %s: opened (%u open)", w->interview_id[0] ? w->interview_id : "all",
		 atomic_load(&s->open));
}

/* Read-only: pings are answered, a close ends it, anything else is refused
 * with 1003 (a watcher has nothing to say). */
int server_watch_data(struct mg_connection *conn, int bits, char *data, size_t len, void *cbdata)
{
	(void)cbdata;
	struct wsconn *w = mg_get_user_connection_data(conn);
	if (!w)
		return 0;
	int opcode = bits & 0x0f;
	if (opcode == MG_WEBSOCKET_OPCODE_PING) {
		server_write_frame(conn, MG_WEBSOCKET_OPCODE_PONG, data, len);
		return 1;
	}
	if (opcode == MG_WEBSOCKET_OPCODE_PONG)
		return 1;
	if (opcode == MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE) {
		if (!atomic_load(&w->close_sent))
			server_write_frame(conn, MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE, data,
					   len >= 2 ? 2 : 0);
		return 0;
	}
	if (!atomic_load(&w->close_sent))
		watch_close_frame(w, 1003, "this socket is read-only");
	return 0;
}

void server_watch_closed(const struct mg_connection *conn, void *cbdata)
{
	struct server *s = cbdata;
	struct wsconn *w = mg_get_user_connection_data(conn);
	if (!w)
		return;
	/* Waits for a write of its thread in progress: CivetWeb reuses conn
	 * once this returns. */
	watch_stop(w->watch);
	atomic_fetch_sub(&s->open, 1);
	log_info("watch %s: closed (%u open)", w->interview_id[0] ? w->interview_id : "all",
		 atomic_load(&s->open));
	mg_set_user_connection_data(conn, NULL);
	free(w->buf);
	free(w);
}

/* The engine's news, after each commit (engine_observer). */
void server_turn_committed(void *ctx, const struct proto_interview *iv,
			   const struct proto_turn *turns, size_t n, bool finished)
{
	struct server *s = ctx;
	watch_publish_turn(s->hub, iv, turns, n, finished);
}

void server_script_failed(void *ctx, const struct proto_interview *iv)
{
	struct server *s = ctx;
	watch_publish_status(s->hub, "script_error", iv);
}

