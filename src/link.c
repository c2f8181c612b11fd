/* link: candidate links. See link.h.
 *
 * The one place that decides their form: the HTTP API and the CLI both build
 * them here, so a link a team copies from the console and one printed by
 * `interviewd new` open the page the same way. */
#include "link.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

int link_candidate(const char *base, const char *id, const char *token, struct link *out)
{
	char root[LINK_MAX], ws[LINK_MAX];
	size_t n = strlen(base);
	memset(out, 0, sizeof *out);
	if (n && base[n - 1] == '/')
		n--;
	if (n + 1 > sizeof root)
		return -1;
	memcpy(root, base, n);
	root[n] = '\0';
	/* http → ws, https → wss; anything else is taken as it is. */
	int w;
	if (strncmp(root, "https://", 8) == 0)
		w = snprintf(ws, sizeof ws, "wss://%s", root + 8);
	else if (strncmp(root, "http://", 7) == 0)
		w = snprintf(ws, sizeof ws, "ws://%s", root + 7);
	else
		w = snprintf(ws, sizeof ws, "%s", root);
	int u = snprintf(out->url, sizeof out->url, "%s/?interview=%s&token=%s", root, id, token);
	int v = snprintf(out->ws_url, sizeof out->ws_url, "%s/v1?token=%s", ws, token);
	if (w < 0 || (size_t)w >= sizeof ws || u < 0 || (size_t)u >= sizeof out->url || v < 0 ||
	    (size_t)v >= sizeof out->ws_url) {
		memset(out, 0, sizeof *out);
		return -1;
	}
	return 0;
}

int link_print(const char *base, const char *id, const char *token, const char *script,
	       const char *candidate, bool json)
{
	struct link l;
	if (link_candidate(base, id, token, &l) != 0)
		return -1;
	if (json) {
		char *j = proto_cli_created(id, token, l.url, l.ws_url, script, candidate);
		if (!j)
			return -1;
		printf("%s\n", j);
		free(j);
		return 0;
	}
	printf("interview  %s (script %s%s%s)\n", id, script,
	       candidate && *candidate ? ", candidate " : "", candidate ? candidate : "");
	printf("link       %s\n", l.url);
	printf("websocket  %s\n", l.ws_url);
	printf("token      %s  (shown once: only its hash is stored)\n", token);
	return 0;
}
