/* link: the addresses a candidate is sent.
 *
 * An interview is opened with a link to the candidate page carrying the
 * interview id and its token, and the page talks to the WebSocket endpoint at
 * /v1 with the same token. Both are built here from the server's public base
 * URL, for every command that issues a token (new, demo, link) and for the
 * HTTP API, so a link looks the same wherever it was made. */
#ifndef INTERVIEWD_LINK_H
#define INTERVIEWD_LINK_H

#include <stdbool.h>

/* The base URL when neither --url nor $INTERVIEWD_URL gives one. */
#define LINK_DEFAULT_BASE "http://127.0.0.1:8080"
#define LINK_MAX 1024

struct link {
	char url[LINK_MAX];    /* BASE/?interview=ID&token=TOKEN */
	char ws_url[LINK_MAX]; /* ws://HOST/v1?token=TOKEN (wss:// for https) */
};

/* Fills out from base ("http://host:port" or "https://…"; a trailing slash
 * is fine). Returns 0, or -1 when base is too long to make them (out is then
 * empty). */
int link_candidate(const char *base, const char *id, const char *token, struct link *out);

/* Prints a new link for the CLI: id, script, candidate, link, WebSocket URL
 * and the token (with a note that it is shown once), or with json the
 * object proto_cli_created makes. Returns 0, or -1 when it could not be
 * built (nothing printed). */
int link_print(const char *base, const char *id, const char *token, const char *script,
	       const char *candidate, bool json);

#endif
