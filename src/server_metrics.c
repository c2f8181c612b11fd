/* server: /healthz and /metrics, for the operator's probes. See server.h.
 *
 * /healthz answers 200 "ok" when the store answers a read of the schema
 * version, 503 otherwise, to anyone: it says nothing else. /metrics is the
 * Prometheus text of metrics.c; it may show script names and traffic, so it
 * wants the --metrics-token as a bearer token, or, with none set, a client on
 * this host. Interviews by status take a scan of every record, so the counts
 * are kept and taken again at most every 30 s, however often it is scraped. */
#include "server.h"
#include "server_internal.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "log.h"
#include "metrics.h"
#include "proto.h"
#include "token.h"

#define COUNTS_MAX_AGE 30 /* seconds between two scans of the interviews */

static void answer(struct mg_connection *conn, int status, const char *type, const char *body,
		   size_t len, bool challenge)
{
	char n[32];
	snprintf(n, sizeof n, "%zu", len);
	mg_response_header_start(conn, status);
	mg_response_header_add(conn, "Content-Type", type, -1);
	mg_response_header_add(conn, "Content-Length", n, -1);
	mg_response_header_add(conn, "Cache-Control", "no-store", -1);
	if (challenge)
		mg_response_header_add(conn, "WWW-Authenticate", "Bearer realm=\"metrics\"", -1);
	mg_response_header_send(conn);
	if (strcmp(mg_get_request_info(conn)->request_method, "HEAD") != 0)
		mg_write(conn, body, len);
}

static void answer_plain(struct mg_connection *conn, int status, const char *body, bool challenge)
{
	answer(conn, status, "text/plain; charset=utf-8", body, strlen(body), challenge);
}

static bool method_ok(struct mg_connection *conn)
{
	const char *m = mg_get_request_info(conn)->request_method;
	if (strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0)
		return true;
	answer_plain(conn, 405, "use GET\n", false);
	return false;
}

int server_health_handler(struct mg_connection *conn, void *cbdata)
{
	struct server *s = cbdata;
	if (!method_ok(conn))
		return 405;
	char *val = NULL;
	size_t len;
	static const char key[] = "schema_version";
	int rc = store_get(s->store, STORE_DB_META, key, sizeof key - 1, &val, &len);
	free(val);
	if (rc != 0) {
		log_warn("/healthz: the store did not answer a read: %s", store_strerror(rc));
		answer_plain(conn, 503, "unavailable\n", false);
		return 503;
	}
	answer_plain(conn, 200, "ok\n", false);
	return 200;
}

/* ---- interviews by status, cached ----------------------------------------- */

static int count_one(void *ctx, const void *key, size_t klen, const void *val, size_t vlen)
{
	(void)key;
	(void)klen;
	unsigned long long *counts = ctx;
	struct proto_interview iv = { 0 };
	if (proto_interview_decode(val, vlen, &iv) == 0 && (unsigned)iv.status < SERVER_NSTATUS)
		counts[iv.status]++;
	proto_interview_free(&iv);
	return 0;
}

/* Copies the counts into out, scanning again when they are older than
 * COUNTS_MAX_AGE. One scrape scans while the others wait for its result.
 * Returns false when no count could be taken. */
static bool interview_counts(struct server *s, unsigned long long out[SERVER_NSTATUS])
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&s->counts_lock);
	if (!s->counts_ok || now.tv_sec - s->counts_at >= COUNTS_MAX_AGE) {
		unsigned long long fresh[SERVER_NSTATUS] = { 0 };
		if (store_scan(s->store, STORE_DB_INTERVIEWS, NULL, 0, count_one, fresh) == 0) {
			memcpy(s->counts, fresh, sizeof fresh);
			s->counts_ok = true;
			s->counts_at = now.tv_sec;
		}
	}
	bool ok = s->counts_ok;
	memcpy(out, s->counts, sizeof s->counts);
	pthread_mutex_unlock(&s->counts_lock);
	return ok;
}

/* ---- /metrics ----------------------------------------------------------------- */

static bool is_loopback(const char *addr)
{
	return strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0 ||
	       strncmp(addr, "::ffff:127.", 11) == 0;
}

/* 0 when the client may read the metrics, else the status it was answered. */
static int metrics_auth(struct server *s, struct mg_connection *conn)
{
	const struct mg_request_info *ri = mg_get_request_info(conn);
	if (!s->metrics_token) {
		if (is_loopback(ri->remote_addr))
			return 0;
		answer_plain(conn, 403,
			     "/metrics answers this host only; serve --metrics-token TOKEN opens it "
			     "to a bearer token\n",
			     false);
		return 403;
	}
	const char *h = mg_get_header(conn, "Authorization");
	if (!h || strncasecmp(h, "Bearer ", 7) != 0) {
		answer_plain(conn, 401, "send Authorization: Bearer TOKEN (serve --metrics-token)\n",
			     true);
		return 401;
	}
	const char *t = h + 7;
	if (!token_secret_equal(t, strlen(t), s->metrics_token, strlen(s->metrics_token))) {
		log_warn("refused /metrics from %s: wrong bearer token", ri->remote_addr);
		answer_plain(conn, 403, "wrong metrics token\n", false);
		return 403;
	}
	return 0;
}

int server_metrics_handler(struct mg_connection *conn, void *cbdata)
{
	struct server *s = cbdata;
	if (!method_ok(conn))
		return 405;
	int rc = metrics_auth(s, conn);
	if (rc)
		return rc;
	const char *names[SERVER_NSTATUS];
	unsigned long long counts[SERVER_NSTATUS];
	for (int i = 0; i < SERVER_NSTATUS; i++)
		names[i] = proto_status_name((enum proto_status)i);
	struct engine_stats es;
	struct store_stats ss;
	engine_get_stats(s->engine, &es);
	store_get_stats(s->store, &ss);
	struct metrics_snapshot snap = {
		.turns = es.turns,
		.websockets_open = atomic_load(&s->open),
		.status_names = names,
		.status_counts = counts,
		.nstatus = SERVER_NSTATUS,
		.statuses_known = interview_counts(s, counts),
		.commits = ss.commits,
		.batches = ss.batches,
		.lmdb_map_bytes = ss.map_bytes,
		.lmdb_used_bytes = ss.used_bytes,
		.lua_states = es.live_sessions,
		.lua_memory_bytes = es.lua_memory,
	};
	struct metrics_buf b = { 0 };
	if (metrics_render(&b, &snap) != 0) {
		metrics_buf_free(&b);
		answer_plain(conn, 503, "out of memory\n", false);
		return 503;
	}
	answer(conn, 200, "text/plain; version=0.0.4; charset=utf-8", b.data, b.len, false);
	metrics_buf_free(&b);
	return 200;
}
