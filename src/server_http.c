/* server_http: the plain HTTP side of the CivetWeb glue. Part of the server
 * module (see server.c): answers written by hand, the page build (hashed
 * assets cached for a year, index.html or console.html for the page's own
 * routes, a strict Content-Security-Policy and headers that keep the
 * candidate's token out of a Referer), and
 * /api: the body read up to API_MAX_BODY, handed to api.c as plain data, and
 * its answer written back with the headers api.c asked for. */
#include "server.h"
#include "server_internal.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "api.h"
#include "log.h"
#include "record.h"

/* ---- HTTP: plain responses and the page ---------------------------------- */

/* On every page response and every answer written by hand. The page loads
 * its script and styles by src and href from /assets (Vite emits no inline
 * script or style; React sets no style= attribute), so nothing inline is
 * allowed. connect-src 'self' covers the page's own ws:/wss: socket in CSP
 * Level 3 browsers; older ones refuse it, and so the live socket, rather than
 * allow a foreign one. X-Frame-Options is frame-ancestors for browsers
 * without CSP 2. The candidate link carries the token: never leak it in a
 * Referer. */
static const struct {
	const char *name, *value;
} PAGE_HEADERS[] = {
	{ "Content-Security-Policy",
	  "default-src 'self'; connect-src 'self'; script-src 'self'; style-src 'self'; "
	  "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; "
	  "object-src 'none'" },
	{ "X-Content-Type-Options", "nosniff" },
	{ "Referrer-Policy", "no-referrer" },
	{ "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()" },
	{ "X-Frame-Options", "DENY" },
};

/* Written by hand rather than with mg_response_header_*: CivetWeb refuses
 * those on a request that asked for a WebSocket upgrade, and the handshake
 * refusals (401, 503) are exactly such requests. */
void server_send_answer(struct mg_connection *conn, int status, const char *type, const char *body,
			size_t len)
{
	const char *reason = status == 401   ? "Unauthorized"
			     : status == 403 ? "Forbidden"
			     : status == 503 ? "Service Unavailable"
			     : status == 404 ? "Not Found"
			     : status == 405 ? "Method Not Allowed"
			     : status == 414 ? "URI Too Long"
			     : status == 500 ? "Internal Server Error"
					     : "Bad Request";
	mg_printf(conn,
		  "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
		  "Cache-Control: no-store\r\nContent-Length: %zu\r\nConnection: close\r\n",
		  status, reason, type, len);
	for (size_t i = 0; i < sizeof PAGE_HEADERS / sizeof PAGE_HEADERS[0]; i++)
		mg_printf(conn, "%s: %s\r\n", PAGE_HEADERS[i].name, PAGE_HEADERS[i].value);
	mg_printf(conn, "\r\n");
	mg_write(conn, body, len);
}

void server_send_plain(struct mg_connection *conn, int status, const char *body)
{
	server_send_answer(conn, status, "text/plain; charset=utf-8", body, strlen(body));
}

static bool is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Sends a file of the page build with our own caching headers
 * (mg_send_mime_file2 would add CivetWeb's default max-age beside them). */
static int send_page_file(struct mg_connection *conn, const char *path, bool asset, bool head)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return 404;
	const char *mime = mg_get_builtin_mime_type(path);
	char type[128], len[32];
	bool text = strncmp(mime, "text/", 5) == 0 || strstr(mime, "javascript") || strstr(mime, "json");
	snprintf(type, sizeof type, "%s%s", mime, text ? "; charset=utf-8" : "");
	snprintf(len, sizeof len, "%lld", (long long)st.st_size);
	mg_response_header_start(conn, 200);
	mg_response_header_add(conn, "Content-Type", type, -1);
	mg_response_header_add(conn, "Content-Length", len, -1);
	mg_response_header_add(conn, "Cache-Control",
			       asset ? "public, max-age=31536000, immutable" : "no-cache", -1);
	for (size_t i = 0; i < sizeof PAGE_HEADERS / sizeof PAGE_HEADERS[0]; i++)
		mg_response_header_add(conn, PAGE_HEADERS[i].name, PAGE_HEADERS[i].value, -1);
	mg_response_header_send(conn);
	if (!head)
		mg_send_file_body(conn, path);
	return 200;
}

/* GET/HEAD for the page build: hashed assets are cached for a year, anything
 * else revalidates; an unknown path without an extension gets index.html so
 * the page's own routes work. */
int server_page_handler(struct mg_connection *conn, void *cbdata)
{
	struct server *s = cbdata;
	const struct mg_request_info *ri = mg_get_request_info(conn);
	if (strcmp(ri->request_method, "GET") != 0 && strcmp(ri->request_method, "HEAD") != 0) {
		server_send_plain(conn, 405, "method not allowed\n");
		return 405;
	}
	const char *uri = ri->local_uri ? ri->local_uri : "/";
	if (strstr(uri, "..") || strchr(uri, '\\')) {
		server_send_plain(conn, 400, "bad path\n");
		return 400;
	}
	char path[PATH_MAX];
	int n = snprintf(path, sizeof path, "%s%s", s->www_dir, uri);
	if (n < 0 || (size_t)n >= sizeof path) {
		server_send_plain(conn, 414, "path too long\n");
		return 414;
	}
	bool asset = strncmp(uri, "/assets/", 8) == 0;
	if (!is_file(path)) {
		const char *last = strrchr(uri, '/');
		if (asset || (last && strchr(last, '.'))) {
			server_send_plain(conn, 404, "not found\n");
			return 404;
		}
		/* /console and everything under it is the team's console, a
		 * second entry of the same build; the rest is the candidate's. */
		bool console = strcmp(uri, "/console") == 0 || strncmp(uri, "/console/", 9) == 0;
		snprintf(path, sizeof path, "%s/%s", s->www_dir, console ? "console.html" : "index.html");
		asset = false;
		if (!is_file(path)) {
			server_send_plain(
				conn, 404,
				console ? "the console is not built; run `make page`\n"
					: "the candidate page is not built; run `make page`\n");
			return 404;
		}
	}
	return send_page_file(conn, path, asset, strcmp(ri->request_method, "HEAD") == 0);
}

/* ---- HTTP: the team API --------------------------------------------------- */

/* Reads the request body into a new buffer of API_MAX_BODY + 1 bytes.
 * Stops reading one byte past the bound (*too_large then), and refuses a
 * declared Content-Length past it without reading anything: the rest stays
 * unread and CivetWeb closes the connection after the answer. A request with
 * neither a length nor chunked encoding has no body (RFC 9112, 6.3). Returns
 * 0, or -1 when out of memory. */
static int read_body(struct mg_connection *conn, const struct mg_request_info *ri, char **body,
		     size_t *len, bool *too_large)
{
	*body = NULL;
	*len = 0;
	*too_large = ri->content_length > API_MAX_BODY;
	const char *te = mg_get_header(conn, "Transfer-Encoding");
	bool chunked = ri->content_length < 0 && te && strstr(te, "chunked");
	if (*too_large || (ri->content_length <= 0 && !chunked))
		return 0;
	if (!(*body = malloc(API_MAX_BODY + 1)))
		return -1;
	while (*len <= API_MAX_BODY) {
		int n = mg_read(conn, *body + *len, API_MAX_BODY + 1 - *len);
		if (n <= 0)
			break;
		*len += (size_t)n;
	}
	*too_large = *len > API_MAX_BODY;
	return 0;
}

/* The request as api.c takes it, without a body. */
struct api_request server_request_of(struct mg_connection *conn, const struct mg_request_info *ri)
{
	return (struct api_request){
		.method = ri->request_method,
		.path = ri->local_uri_raw ? ri->local_uri_raw
			: ri->local_uri   ? ri->local_uri
					  : "",
		.query = ri->query_string,
		.cookie = mg_get_header(conn, "Cookie"),
		.authorization = mg_get_header(conn, "Authorization"),
		.origin = mg_get_header(conn, "Origin"),
		.host = mg_get_header(conn, "Host"),
		.content_type = mg_get_header(conn, "Content-Type"),
		.peer = ri->remote_addr,
		.is_tls = ri->is_ssl != 0,
		.now = record_now_ms(),
	};
}

int server_api_handler(struct mg_connection *conn, void *cbdata)
{
	struct server *s = cbdata;
	const struct mg_request_info *ri = mg_get_request_info(conn);
	struct api_response res;
	char *body;
	size_t len;
	bool too_large;
	if (read_body(conn, ri, &body, &len, &too_large) != 0) {
		server_send_plain(conn, 503, "server out of memory; try again shortly\n");
		return 503;
	}
	struct api_request req = server_request_of(conn, ri);
	req.body = body;
	req.body_len = too_large ? 0 : len;
	req.body_too_large = too_large;
	api_handle(&s->api, &req, &res);
	if (body) {
		explicit_bzero(body, len); /* a sign-in's password */
		free(body);
	}

	char clen[32], retry[32];
	snprintf(clen, sizeof clen, "%zu", res.len);
	mg_response_header_start(conn, res.status);
	if (res.content_type)
		mg_response_header_add(conn, "Content-Type", res.content_type, -1);
	if (res.status != 204)
		mg_response_header_add(conn, "Content-Length", clen, -1);
	mg_response_header_add(conn, "Cache-Control", "no-store", -1);
	mg_response_header_add(conn, "X-Content-Type-Options", "nosniff", -1);
	if (res.set_cookie[0])
		mg_response_header_add(conn, "Set-Cookie", res.set_cookie, -1);
	if (res.allow[0])
		mg_response_header_add(conn, "Allow", res.allow, -1);
	if (res.disposition[0])
		mg_response_header_add(conn, "Content-Disposition", res.disposition, -1);
	if (res.retry_after > 0) {
		snprintf(retry, sizeof retry, "%lld", (long long)res.retry_after);
		mg_response_header_add(conn, "Retry-After", retry, -1);
	}
	mg_response_header_send(conn);
	if (res.body && strcmp(ri->request_method, "HEAD") != 0)
		mg_write(conn, res.body, res.len);
	int status = res.status;
	explicit_bzero(res.set_cookie, sizeof res.set_cookie);
	api_response_free(&res);
	return status;
}

/* Serving /v1 without the page is a half-start an operator should hear about
 * at once, not from a candidate's 404. */
void server_warn_if_page_missing(const char *www_dir)
{
	char index[PATH_MAX];
	snprintf(index, sizeof index, "%s/index.html", www_dir);
	if (is_file(index))
		return;
	if (strcmp(www_dir, "www/dist") == 0)
		log_warn("the candidate page is not built: %s is missing; run `make page` (the "
			 "WebSocket API at /v1 works without it)",
			 index);
	else
		log_warn(
			"the candidate page is not built: %s is missing; `make page` builds it into "
			"www/dist, then pass --www www/dist (the WebSocket API at /v1 works without it)",
			index);
}

