/* server: the CivetWeb glue, the only module that includes civetweb.h.
 *
 * Serves the page build (static files, index.html for unknown paths) and the
 * WebSocket endpoint /v1: refuses a browser's handshake from a foreign Origin
 * (403), authenticates ?token= at the handshake (401 without upgrading),
 * reassembles fragmented frames, answers pings and closes, bounds message
 * size, and hands complete text messages to the engine. Keeps the set
 * of open connections per interview for broadcasts and for closing them all
 * with 1001 at shutdown. Requests under /api go to api.c, with their body read
 * here up to API_MAX_BODY. /healthz and /metrics are the operator's probes. */
#ifndef INTERVIEWD_SERVER_H
#define INTERVIEWD_SERVER_H

#include <stddef.h>

#include "engine.h"
#include "store.h"

struct server_options {
	const char *listen;       /* "127.0.0.1:8080"; port 0 picks a free one */
	const char *www_dir;      /* page build; may be missing (404 then) */
	const char *scripts_dir;  /* the --scripts directory (scriptdir); default "scripts" */
	unsigned max_connections; /* open WebSockets; default 256 */
	const char *metrics_token; /* bearer token /metrics wants; NULL: loopback clients only */
	/* Origins ("https://host[:port]") whose pages may open a WebSocket
	 * besides the server's own (scheme://Host of the handshake); copied. */
	const char *const *allowed_origins;
	size_t n_allowed_origins;
	struct engine *engine;
	struct store *store;
};

struct server;

int server_start(struct server **out, const struct server_options *o, char *err, size_t errlen);
/* The TCP port actually bound. */
int server_port(const struct server *s);
/* Closes every WebSocket with 1001 (going away), stops accepting, waits for
 * the handler threads. NULL is fine. */
void server_stop(struct server *s);

#endif
