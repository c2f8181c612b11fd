/* serve: run the server until a signal says stop. See serve.h.
 *
 * Signals are blocked before any thread starts and taken with sigtimedwait,
 * so the main thread also wakes every 30 s to sweep idle interviews and
 * ended sessions. The public URL is recorded before "listening on" is
 * logged: whoever waits for that line and runs `interviewd new` gets a link
 * to this server. */
#include "serve.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "account.h"
#include "cli.h"
#include "engine.h"
#include "log.h"
#include "record.h"
#include "retention.h"
#include "scriptdir.h"
#include "server.h"
#include "store.h"

static const char SERVE_HELP[] =
	"usage: interviewd serve [--listen ADDR:PORT] [--data DIR] [--scripts DIR] [--www DIR]\n"
	"                        [--max-connections N] [--public-url URL] [--retention-days N]\n"
	"                        [--metrics-token TOKEN] [--allowed-origin ORIGIN]...\n"
	"\n"
	"Serves the candidate page at / and the WebSocket API at /v1 (see README.md, Protocol).\n"
	"Records its address (the port actually bound, or --public-url) in the data directory, where\n"
	"`interviewd new` and `demo` find it for the links they print.\n"
	"  --listen ADDR:PORT     where to listen (default 127.0.0.1:8080; port 0 picks a free one)\n"
	"  --data DIR             LMDB directory (default data; created if missing)\n"
	"  --scripts DIR          interview scripts (default scripts): listed at startup, with a\n"
	"                         warning for each that does not compile\n"
	"  --www DIR              the page build (default www/dist)\n"
	"  --max-connections N    open WebSockets at most (default 256); more get HTTP 503\n"
	"  --public-url URL       the address candidates reach this server at, when it is not the\n"
	"                         one it listens on (behind TLS or a proxy): http(s)://host[:port][/path]\n"
	"  --allowed-origin ORIGIN  a site whose pages may open WebSockets here (repeatable):\n"
	"                         http(s)://host[:port]. Always allowed: the server's own origin\n"
	"                         (the browser's Host) and --public-url's; any other a browser\n"
	"                         names gets HTTP 403. Clients that send no Origin are unaffected\n"
	"  --retention-days N     erase finished and closed interviews N days after they end (checked\n"
	"                         at start and hourly; logs each id erased); default: keep them\n"
	"  --metrics-token TOKEN  GET /metrics (Prometheus text) wants \"Authorization: Bearer\n"
	"                         TOKEN\" (16 to 256 characters); without it, /metrics answers\n"
	"                         clients on this host only. GET /healthz needs nothing\n"
	"  --no-sync              skip fsync (benchmark baseline only: a crash can lose turns)\n"
	"SIGTERM or SIGINT: stop accepting, close WebSockets with 1001, finish commits, exit 0.\n";

/* Checks an --allowed-origin: what a browser sends as Origin, an http(s)
 * URL of a host and maybe a port, with no path, not even "/". Returns 0, or
 * -1 with err saying what is wrong. */
static int origin_check(const char *origin, char *err, size_t errlen)
{
	if (record_check_public_url(origin, err, errlen) != 0)
		return -1;
	if (strchr(strstr(origin, "://") + 3, '/')) {
		snprintf(err, errlen,
			 "%s: an origin is scheme://host[:port], without a path or a final /",
			 origin);
		return -1;
	}
	return 0;
}

/* Lists the scripts directory at startup, for the log: how many scripts it
 * holds and, by file and line, each that would fail `interviewd new`. Returns
 * -1 to go on, or the exit code 2 when the directory given with --scripts
 * cannot be listed (the default one may be missing: serving needs no script). */
static int check_scripts(const char *dir, int given)
{
	struct scriptdir_entry *es = NULL;
	size_t n = 0, bad = 0;
	char err[512] = "";
	int rc = scriptdir_list(dir, &es, &n, err, sizeof err);
	if (rc) {
		const char *why = err[0] ? err : scriptdir_strerror(rc);
		if (given) {
			fprintf(stderr, "interviewd serve: %s\n", why);
			return 2;
		}
		log_warn("%s (interviews are created from scripts; see --scripts DIR)", why);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		bad += es[i].rc != 0;
	log_info("scripts: %zu found in %s%s", n, dir, bad ? "" : n ? ", all compile" : "");
	for (size_t i = 0; i < n; i++)
		if (es[i].rc)
			log_warn("script cannot be used until fixed: %s", es[i].error);
	free(es);
	return -1;
}

/* Records where candidate links should point, for `new` and `demo`: the
 * --public-url, else the address just bound (all interfaces read as the
 * loopback one, which at least works on this machine). */
static void save_link_base(struct store *st, const struct cli_opts *o, int port)
{
	char url[RECORD_URL_MAX + 1], host[256], err[1024];
	if (o->public_url) {
		snprintf(url, sizeof url, "%s", o->public_url);
	} else {
		/* --listen is [HOST:]PORT, HOST maybe [IPv6]; only the first of a list counts. */
		snprintf(host, sizeof host, "%s", o->listen);
		host[strcspn(host, ",")] = '\0';
		char *colon = strrchr(host, ':');
		if (colon && (!strchr(host, ']') || colon > strchr(host, ']')))
			*colon = '\0';
		else
			host[0] = '\0';
		int v6 = strcmp(host, "[::]") == 0;
		int any = v6 || !host[0] || strcmp(host, "0.0.0.0") == 0;
		const char *shown = !any ? host : v6 ? "[::1]" : "127.0.0.1";
		snprintf(url, sizeof url, "http://%s:%d", shown, port);
		if (any)
			log_info("listening on every interface: links say %s, which opens on this "
				 "machine only; --public-url URL sets what candidates are sent",
				 url);
	}
	if (record_set_public_url(st, url, err, sizeof err) != 0)
		log_warn("cannot record %s for the links `interviewd new` prints: %s", url, err);
	else
		log_info("candidate links: %s (recorded in %s for `interviewd new` and `demo`)",
			 url, o->data);
}

int serve_cmd(int argc, char **argv)
{
	struct cli_opts o;
	int usage = cli_parse(argc, argv, &o,
			      CLI_OPTLIST(CLI_OPT_LISTEN, CLI_OPT_DATA, CLI_OPT_SCRIPTS, CLI_OPT_WWW,
					  CLI_OPT_MAXCONN, CLI_OPT_NOSYNC, CLI_OPT_PUBLIC_URL,
					  CLI_OPT_RETENTION_DAYS, CLI_OPT_METRICS_TOKEN,
					  CLI_OPT_ALLOWED_ORIGIN),
			      SERVE_HELP);
	if (usage >= 0)
		return usage;
	char err[1024];
	if (o.public_url && record_check_public_url(o.public_url, err, sizeof err) != 0) {
		fprintf(stderr, "interviewd serve: --public-url %s\n", err);
		return 2;
	}
	/* Room for the --public-url's origin after the ones given. */
	const char *origins[CLI_ORIGINS_MAX + 1];
	char public_origin[RECORD_URL_MAX + 1];
	size_t n_origins = 0;
	for (unsigned i = 0; i < o.n_allowed_origins; i++) {
		if (origin_check(o.allowed_origins[i], err, sizeof err) != 0) {
			fprintf(stderr, "interviewd serve: --allowed-origin %s\n", err);
			return 2;
		}
		origins[n_origins++] = o.allowed_origins[i];
	}
	if (o.public_url) {
		/* Behind a TLS proxy the page's origin is https://PUBLIC while
		 * the Host we see says http: the public URL names it. */
		snprintf(public_origin, sizeof public_origin, "%s", o.public_url);
		char *path = strchr(strstr(public_origin, "://") + 3, '/');
		if (path)
			*path = '\0';
		origins[n_origins++] = public_origin;
	}
	if ((usage = check_scripts(o.scripts, o.scripts_given)) >= 0)
		return usage;
	/* Signals are taken by sigwait below, so block them before any thread starts. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	int rc = 1, lock = -1;
	struct store_stats before = { 0 };
	struct engine *eng = NULL;
	struct server *srv = NULL;
	struct retention *ret = NULL;
	struct store *st = cli_open_store(o.data, o.max_connections + 64, o.nosync);
	if (!st)
		return 1;
	/* Two servers on one data directory would each cache interviews the
	 * other changes; the CLI commands are fine beside one. */
	char lockpath[4096];
	snprintf(lockpath, sizeof lockpath, "%s/serve.lock", o.data);
	lock = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lock < 0 || flock(lock, LOCK_EX | LOCK_NB) != 0) {
		fprintf(stderr, "interviewd serve: another interviewd serve is using %s (%s)\n", o.data,
			lock < 0 ? strerror(errno) : "its lock is held");
		goto out;
	}
	struct engine_options eo = { .store = st };
	if (engine_open(&eng, &eo) != 0) {
		fprintf(stderr, "interviewd: out of memory\n");
		goto out;
	}
	struct server_options so = { .listen = o.listen, .www_dir = o.www, .scripts_dir = o.scripts,
				     .max_connections = o.max_connections,
				     .metrics_token = o.metrics_token, .engine = eng, .store = st,
				     .allowed_origins = origins, .n_allowed_origins = n_origins };
	if (server_start(&srv, &so, err, sizeof err) != 0) {
		fprintf(stderr, "interviewd: %s\n", err);
		goto out;
	}
	if (o.retention_days && retention_start(&ret, st, o.retention_days) != 0) {
		fprintf(stderr, "interviewd serve: cannot start the retention thread\n");
		goto out;
	}
	char host[256];
	snprintf(host, sizeof host, "%s", o.listen);
	char *colon = strrchr(host, ':');
	if (colon)
		*colon = '\0';
	/* Recorded before "listening on" is logged: whoever waits for that line
	 * and then runs `interviewd new` gets a link to this server. */
	save_link_base(st, &o, server_port(srv));
	/* The totals are the serving's: the write above is not one of them. */
	store_get_stats(st, &before);
	log_info("listening on http://%s:%d (data %s, scripts %s, page %s, max %u connections%s)",
		 host, server_port(srv), o.data, o.scripts, o.www, o.max_connections,
		 o.nosync ? ", NO FSYNC" : "");
	for (;;) {
		struct timespec ts = { .tv_sec = 30 };
		int sig = sigtimedwait(&set, NULL, &ts);
		if (sig == SIGTERM || sig == SIGINT) {
			log_info("%s: shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
			break;
		}
		engine_sweep(eng);
		account_sweep(st, record_now_ms()); /* ended sessions, old sign-in failures */
	}
	rc = 0;
out:
	server_stop(srv);
	retention_stop(ret);
	if (rc == 0) {
		struct engine_stats es;
		struct store_stats ss;
		engine_get_stats(eng, &es);
		store_get_stats(st, &ss);
		unsigned long long writes = ss.batches - before.batches,
				   commits = ss.commits - before.commits;
		log_info("totals: turns=%llu script_states_loaded=%llu script_errors=%llu writes=%llu "
			 "commits=%llu (%.1f writes per fsync)",
			 es.turns, es.rebuilds, es.script_errors, writes, commits,
			 commits ? (double)writes / (double)commits : 0.0);
	}
	engine_close(eng);
	store_close(st);
	if (lock >= 0)
		close(lock);
	if (rc == 0)
		log_info("stopped cleanly");
	return rc;
}
