/* main: the interviewd command line.
 *
 * Each command parses its own options, opens what it needs (the store, the
 * engine, the server) and closes it again. Commands other than serve work
 * while a server runs on the same data directory: LMDB is multi-process. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "engine.h"
#include "export.h"
#include "link.h"
#include "log.h"
#include "manage.h"
#include "migrate.h"
#include "proto.h"
#include "record.h"
#include "replay.h"
#include "scriptdir.h"
#include "server.h"
#include "store.h"
#include "team.h"
#include "token.h"
#include "try.h"

#define DEFAULT_URL LINK_DEFAULT_BASE

static const char USAGE[] =
	"interviewd: a self-hosted interview chatbot. Candidates chat with a Lua-scripted interview over\n"
	"a WebSocket; every turn is kept in LMDB.\n"
	"\n"
	"usage: interviewd COMMAND [OPTIONS]\n"
	"\n"
	"Running:\n"
	"  serve     run the server: the candidate page at /, the WebSocket API at /v1\n"
	"  demo      make sure a demo interview exists and print a fresh link to it\n"
	"Interviews:\n"
	"  new       create an interview running scripts/NAME.lua; prints the candidate's link\n"
	"  list      list interviews\n"
	"  show      show one interview: status, results and transcript (--markdown for a file)\n"
	"  close     end an unfinished interview; the candidate can send no more messages\n"
	"  link      issue a new candidate link; earlier links stop working\n"
	"  erase     delete an interview, its transcript and its links for good\n"
	"  export    every interview of a script as CSV or JSON Lines\n"
	"  stats     how a script's interviews went: started, finished, closed, drop-off\n"
	"Scripts:\n"
	"  check     compile a script and explore its paths for errors\n"
	"  try       play a script in the terminal, or unattended with --answers\n"
	"  replay    re-run recorded interviews against an edited script\n"
	"  migrate   move an unfinished interview to the current version of its script\n"
	"Team:\n"
	"  user      add, list or remove the accounts that sign in; set a password\n"
	"  apikey    add, list or remove API keys for automation\n"
	"\n"
	"Run `interviewd COMMAND --help` for a command's options. Common options:\n"
	"  --data DIR      LMDB directory (default: data)\n"
	"  --scripts DIR   interview scripts (default: scripts)\n"
	"\n"
	"Example:\n"
	"  interviewd serve --listen 127.0.0.1:8080 &\n"
	"  interviewd new --script demo --candidate 'Ada Lovelace'\n";

/* ---- shared option handling -------------------------------------------- */

struct opts {
	const char *data, *scripts, *www, *listen, *script, *candidate, *url;
	unsigned max_connections;
	int json, help, nosync, markdown;
	int scripts_given; /* --scripts was on the command line, not the default */
	int argc;          /* positional arguments */
	char **argv;
};

enum opt_id { O_DATA, O_SCRIPTS, O_WWW, O_LISTEN, O_SCRIPT, O_CANDIDATE, O_URL, O_MAXCONN, O_JSON,
	      O_NOSYNC, O_MARKDOWN, O_COUNT };

static const struct {
	const char *name;
	int value; /* takes a value: --name VALUE or --name=VALUE */
} OPTION[O_COUNT] = {
	[O_DATA] = { "data", 1 },
	[O_SCRIPTS] = { "scripts", 1 },
	[O_WWW] = { "www", 1 },
	[O_LISTEN] = { "listen", 1 },
	[O_SCRIPT] = { "script", 1 },
	[O_CANDIDATE] = { "candidate", 1 },
	[O_URL] = { "url", 1 },
	[O_MAXCONN] = { "max-connections", 1 },
	[O_JSON] = { "json", 0 },
	[O_NOSYNC] = { "no-sync", 0 },
	[O_MARKDOWN] = { "markdown", 0 },
};

/* A command's options, exactly: getopt_long would also take any unambiguous
 * abbreviation, which is how --script passed for --scripts. */
struct optlist {
	const enum opt_id *ids;
	size_t n;
};
#define OPTLIST(...)                                                                          \
	((struct optlist){ (const enum opt_id[]){ __VA_ARGS__ },                              \
			   sizeof((const enum opt_id[]){ __VA_ARGS__ }) / sizeof(enum opt_id) })

static int set_option(struct opts *o, enum opt_id id, const char *val, const char *cmd)
{
	switch (id) {
	case O_DATA: o->data = val; break;
	case O_SCRIPTS: o->scripts = val; o->scripts_given = 1; break;
	case O_WWW: o->www = val; break;
	case O_LISTEN: o->listen = val; break;
	case O_SCRIPT: o->script = val; break;
	case O_CANDIDATE: o->candidate = val; break;
	case O_URL: o->url = val; break;
	case O_JSON: o->json = 1; break;
	case O_NOSYNC: o->nosync = 1; break;
	case O_MARKDOWN: o->markdown = 1; break;
	case O_MAXCONN: {
		char *end;
		errno = 0;
		unsigned long v = strtoul(val, &end, 10);
		if (!*val || *end || errno || v < 1 || v > 10000) {
			fprintf(stderr, "interviewd %s: --max-connections takes a number from 1 to 10000\n",
				cmd);
			return 2;
		}
		o->max_connections = (unsigned)v;
		break;
	}
	case O_COUNT: break;
	}
	return 0;
}

/* Refuses arg (an unknown option) by name, suggesting the allowed option it
 * abbreviates or nearly spells, if any. Returns the exit code 2. */
static int unknown_option(const char *cmd, const char *arg, size_t len, struct optlist allowed)
{
	const char *hint = NULL;
	if (arg[0] == '-' && arg[1] == '-' && len > 3)
		for (size_t i = 0; i < allowed.n && !hint; i++) {
			const char *name = OPTION[allowed.ids[i]].name;
			size_t nlen = strlen(name);
			size_t shorter = nlen < len - 2 ? nlen : len - 2;
			if (strncmp(name, arg + 2, shorter) == 0)
				hint = name;
		}
	fprintf(stderr, "interviewd %s: unknown option %.*s", cmd, (int)len, arg);
	if (hint)
		fprintf(stderr, " (did you mean --%s?)", hint);
	fprintf(stderr, "; see interviewd %s --help\n", cmd);
	return 2;
}

/* Parses a command's options against the exact list it takes and answers
 * --help with help. Positional arguments keep their order in o->argv. Returns
 * -1 when the command should go on, otherwise its exit code (0 after help, 2
 * after a usage error). */
static int parse(int argc, char **argv, struct opts *o, struct optlist allowed, const char *help)
{
	const char *cmd = argv[0];
	memset(o, 0, sizeof *o);
	o->data = "data";
	o->scripts = "scripts";
	o->www = "www/dist";
	o->listen = "127.0.0.1:8080";
	o->url = getenv("INTERVIEWD_URL") ? getenv("INTERVIEWD_URL") : DEFAULT_URL;
	o->max_connections = 256;
	int npos = 0, only_positional = 0;
	for (int i = 1; i < argc; i++) {
		char *a = argv[i];
		if (only_positional || a[0] != '-' || a[1] == '\0') {
			argv[1 + npos++] = a; /* never ahead of i: compacting in place is safe */
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_positional = 1;
			continue;
		}
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			o->help = 1;
			continue;
		}
		const char *eq = strchr(a, '=');
		size_t len = eq ? (size_t)(eq - a) : strlen(a);
		const enum opt_id *found = NULL;
		for (size_t k = 0; k < allowed.n && !found; k++) {
			const char *name = OPTION[allowed.ids[k]].name;
			size_t nlen = strlen(name);
			if (a[1] == '-' && nlen == len - 2 && strncmp(a + 2, name, nlen) == 0)
				found = &allowed.ids[k];
		}
		if (!found)
			return unknown_option(cmd, a, len, allowed);
		const char *name = OPTION[*found].name, *val = NULL;
		if (OPTION[*found].value) {
			val = eq ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
			if (!val) {
				fprintf(stderr, "interviewd %s: option --%s needs a value\n", cmd, name);
				return 2;
			}
		} else if (eq) {
			fprintf(stderr, "interviewd %s: option --%s takes no value\n", cmd, name);
			return 2;
		}
		if (set_option(o, *found, val, cmd) != 0)
			return 2;
	}
	o->argc = npos;
	o->argv = argv + 1;
	if (o->help) {
		fputs(help, stdout);
		return 0;
	}
	return -1;
}

/* The sentence for a code from any module the CLI calls: codes are distinct
 * across modules, so the range says whose it is. Never print the number. */
static const char *error_sentence(int rc)
{
	if (rc <= -700 && rc > -800)
		return scriptdir_strerror(rc);
	if (rc <= -500 && rc > -600)
		return record_strerror(rc);
	if (rc <= -200 && rc > -300)
		return store_strerror(rc);
	if (rc <= -100 && rc > -200)
		return token_strerror(rc);
	return "unexpected error";
}

static struct store *open_store(const char *dir, unsigned readers, int nosync)
{
	struct store_options so = { .nosync = nosync != 0, .max_readers = readers };
	struct store *st = NULL;
	char err[512];
	if (store_open(&st, dir, &so, err, sizeof err) != 0) {
		fprintf(stderr, "interviewd: cannot open data directory %s: %s\n", dir, err);
		return NULL;
	}
	return st;
}

/* Prints a new candidate link (link.h); a base URL too long for one is a
 * usage error the caller reports. */
static int print_link(const char *url, const char *id, const char *token, const char *script,
		      const char *candidate, int json)
{
	if (link_print(url, id, token, script, candidate, json != 0) == 0)
		return 0;
	fprintf(stderr, "interviewd: cannot build the link: --url is too long\n");
	return -1;
}

/* ---- serve ---------------------------------------------------------------- */

static const char SERVE_HELP[] =
	"usage: interviewd serve [--listen ADDR:PORT] [--data DIR] [--scripts DIR] [--www DIR]\n"
	"                        [--max-connections N]\n"
	"\n"
	"Serves the candidate page at / and the WebSocket API at /v1 (see README.md, Protocol).\n"
	"  --listen ADDR:PORT     where to listen (default 127.0.0.1:8080; port 0 picks a free one)\n"
	"  --data DIR             LMDB directory (default data; created if missing)\n"
	"  --scripts DIR          interview scripts (default scripts): listed at startup, with a\n"
	"                         warning for each that does not compile\n"
	"  --www DIR              the page build (default www/dist)\n"
	"  --max-connections N    open WebSockets at most (default 256); more get HTTP 503\n"
	"  --no-sync              skip fsync (benchmark baseline only: a crash can lose turns)\n"
	"SIGTERM or SIGINT: stop accepting, close WebSockets with 1001, finish commits, exit 0.\n";

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

static int cmd_serve(int argc, char **argv)
{
	struct opts o;
	int usage = parse(argc, argv, &o,
			  OPTLIST(O_LISTEN, O_DATA, O_SCRIPTS, O_WWW, O_MAXCONN, O_NOSYNC), SERVE_HELP);
	if (usage >= 0)
		return usage;
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
	struct engine *eng = NULL;
	struct server *srv = NULL;
	struct store *st = open_store(o.data, o.max_connections + 64, o.nosync);
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
	char err[512];
	struct server_options so = { .listen = o.listen, .www_dir = o.www, .scripts_dir = o.scripts,
				     .max_connections = o.max_connections, .engine = eng, .store = st };
	if (server_start(&srv, &so, err, sizeof err) != 0) {
		fprintf(stderr, "interviewd: %s\n", err);
		goto out;
	}
	char host[256];
	snprintf(host, sizeof host, "%s", o.listen);
	char *colon = strrchr(host, ':');
	if (colon)
		*colon = '\0';
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
	}
	rc = 0;
out:
	server_stop(srv);
	if (rc == 0) {
		struct engine_stats es;
		struct store_stats ss;
		engine_get_stats(eng, &es);
		store_get_stats(st, &ss);
		log_info("totals: turns=%llu script_states_loaded=%llu script_errors=%llu writes=%llu "
			 "commits=%llu (%.1f writes per fsync)",
			 es.turns, es.rebuilds, es.script_errors, (unsigned long long)ss.batches,
			 (unsigned long long)ss.commits,
			 ss.commits ? (double)ss.batches / (double)ss.commits : 0.0);
	}
	engine_close(eng);
	store_close(st);
	if (lock >= 0)
		close(lock);
	if (rc == 0)
		log_info("stopped cleanly");
	return rc;
}

/* ---- new / demo ------------------------------------------------------------ */

/* An interview of scripts_dir/NAME.lua: scriptdir reads and checks the file,
 * record pins the source. err gets the sentence. */
static int create_interview(struct store *st, const char *scripts_dir, const char *name,
			    const char *candidate, char id[TOKEN_ID_LEN + 1], char token[TOKEN_LEN + 1],
			    char *err, size_t errlen)
{
	char *src = NULL;
	size_t len = 0;
	int rc = scriptdir_load(scripts_dir, name, &src, &len, err, errlen);
	if (rc == 0)
		rc = record_create_interview(st, name, src, len, candidate, id, token, err, errlen);
	free(src);
	return rc;
}

static const char NEW_HELP[] =
	"usage: interviewd new --script NAME [--candidate NAME] [--url BASE] [--json]\n"
	"                      [--data DIR] [--scripts DIR]\n"
	"\n"
	"Creates an interview running SCRIPTS/NAME.lua (its source is pinned: later edits to the file\n"
	"change new interviews only) and prints the candidate's link, WebSocket URL and token.\n"
	"  --candidate NAME   the candidate's name, as the script sees it (candidate.name)\n"
	"  --url BASE         the server's public base URL for the link (default $INTERVIEWD_URL or\n"
	"                     " DEFAULT_URL ")\n"
	"  --json             print {interview_id, token, url, ws_url, script, candidate}\n";

static int cmd_new(int argc, char **argv)
{
	struct opts o;
	int usage = parse(argc, argv, &o,
			  OPTLIST(O_SCRIPT, O_CANDIDATE, O_URL, O_JSON, O_DATA, O_SCRIPTS), NEW_HELP);
	if (usage >= 0)
		return usage;
	if (!o.script) {
		fprintf(stderr, "interviewd new: --script NAME is required (a file NAME.lua in %s)\n",
			o.scripts);
		return 2;
	}
	struct store *st = open_store(o.data, 0, 0);
	if (!st)
		return 1;
	char id[TOKEN_ID_LEN + 1], token[TOKEN_LEN + 1], err[1024] = "";
	const char *cand = o.candidate ? o.candidate : "";
	int rc = create_interview(st, o.scripts, o.script, cand, id, token, err, sizeof err);
	if (rc == 0)
		rc = print_link(o.url, id, token, o.script, cand, o.json);
	else
		fprintf(stderr, "interviewd new: %s\n", err[0] ? err : error_sentence(rc));
	store_close(st);
	return rc == 0 ? 0 : 1;
}

static const char DEMO_HELP[] =
	"usage: interviewd demo [--url BASE] [--data DIR] [--scripts DIR]\n"
	"\n"
	"Creates the demo interview (scripts/demo.lua) unless an unfinished one exists, and prints a\n"
	"fresh candidate link to it (tokens are stored hashed, so each run issues a new one).\n";

static int cmd_demo(int argc, char **argv)
{
	struct opts o;
	int usage = parse(argc, argv, &o, OPTLIST(O_URL, O_JSON, O_DATA, O_SCRIPTS), DEMO_HELP);
	if (usage >= 0)
		return usage;
	struct store *st = open_store(o.data, 0, 0);
	if (!st)
		return 1;
	struct proto_interview *ivs = NULL;
	size_t n = 0;
	char id[TOKEN_ID_LEN + 1] = "", token[TOKEN_LEN + 1], err[1024] = "";
	int rc = record_list_interviews(st, &ivs, &n);
	for (size_t i = 0; rc == 0 && i < n; i++)
		if (strcmp(ivs[i].script, "demo") == 0 && strcmp(ivs[i].candidate, "Demo Candidate") == 0 &&
		    ivs[i].status != PROTO_STATUS_FINISHED && ivs[i].status != PROTO_STATUS_CLOSED)
			snprintf(id, sizeof id, "%s", ivs[i].id);
	record_interviews_free(ivs, n);
	if (rc == 0 && id[0])
		rc = record_issue_token(st, id, token, err, sizeof err);
	else if (rc == 0)
		rc = create_interview(st, o.scripts, "demo", "Demo Candidate", id, token, err, sizeof err);
	else
		snprintf(err, sizeof err, "cannot list interviews: %s", error_sentence(rc));
	if (rc == 0) {
		printf("\nDemo interview ready. Open the candidate link in a browser:\n\n");
		rc = print_link(o.url, id, token, "demo", "Demo Candidate", o.json);
		printf("\n");
	} else {
		fprintf(stderr, "interviewd demo: %s\n", err[0] ? err : error_sentence(rc));
	}
	store_close(st);
	return rc == 0 ? 0 : 1;
}

/* ---- list / show ----------------------------------------------------------- */

static void fmt_time(long long ms, char *out, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, len, "%Y-%m-%d %H:%M UTC", &tm);
}

static const char LIST_HELP[] =
	"usage: interviewd list [--json] [--data DIR]\n"
	"\nLists every interview: id, status, script, candidate, messages so far, last activity.\n";

static int cmd_list(int argc, char **argv)
{
	struct opts o;
	int usage = parse(argc, argv, &o, OPTLIST(O_JSON, O_DATA), LIST_HELP);
	if (usage >= 0)
		return usage;
	struct store *st = open_store(o.data, 0, 0);
	if (!st)
		return 1;
	struct proto_interview *ivs = NULL;
	size_t n = 0;
	int rc = record_list_interviews(st, &ivs, &n);
	if (rc != 0) {
		fprintf(stderr, "interviewd list: cannot read interviews: %s\n", error_sentence(rc));
	} else if (o.json) {
		char *j = proto_cli_list(ivs, n);
		printf("%s\n", j ? j : "[]");
		free(j);
	} else {
		printf("%-16s  %-9s  %-18s  %-20s  %5s  %s\n", "ID", "STATUS", "SCRIPT", "CANDIDATE",
		       "MSGS", "UPDATED");
		for (size_t i = 0; i < n; i++) {
			char when[32];
			fmt_time(ivs[i].updated, when, sizeof when);
			printf("%-16s  %-9s  %-18.18s  %-20.20s  %5llu  %s\n", ivs[i].id,
			       proto_status_name(ivs[i].status), ivs[i].script, ivs[i].candidate,
			       (unsigned long long)ivs[i].next_seq - 1, when);
		}
		if (n == 0)
			printf("(no interviews yet: create one with `interviewd new --script demo`)\n");
	}
	record_interviews_free(ivs, n);
	store_close(st);
	return rc == 0 ? 0 : 1;
}

static const char SHOW_HELP[] =
	"usage: interviewd show ID [--json | --markdown] [--data DIR]\n"
	"\nShows one interview: status, script version, candidate, results (scores, answers, notes,\n"
	"tags), the last script error if any, and the whole transcript.\n"
	"  --json       the interview record with \"transcript\":[turns]\n"
	"  --markdown   the transcript as Markdown, sections as headings, then the results\n";

static int cmd_show(int argc, char **argv)
{
	struct opts o;
	int usage = parse(argc, argv, &o, OPTLIST(O_JSON, O_MARKDOWN, O_DATA), SHOW_HELP);
	if (usage >= 0)
		return usage;
	if (o.argc != 1) {
		fprintf(stderr, "interviewd show: give one interview id (see `interviewd list`)\n");
		return 2;
	}
	if (o.json && o.markdown) {
		fprintf(stderr, "interviewd show: --json or --markdown, not both\n");
		return 2;
	}
	const char *id = o.argv[0];
	struct store *st = open_store(o.data, 0, 0);
	if (!st)
		return 1;
	struct proto_interview iv = { 0 };
	struct proto_turn *turns = NULL;
	size_t n = 0;
	int rc = token_is_id(id) ? record_get_interview(st, id, &iv) : STORE_ENOTFOUND;
	if (rc == STORE_ENOTFOUND) {
		fprintf(stderr, "interviewd show: no interview %s\n", id);
		goto out;
	}
	if (rc != 0 || (rc = record_get_transcript(st, id, &turns, &n)) != 0) {
		fprintf(stderr, "interviewd show: cannot read interview %s: %s\n", id,
			error_sentence(rc));
		goto out;
	}
	if (o.json) {
		char *j = proto_cli_show(&iv, turns, n);
		printf("%s\n", j ? j : "{}");
		free(j);
		goto out;
	}
	if (o.markdown) {
		char *md = NULL;
		size_t mdlen = 0;
		if ((rc = export_markdown(&iv, turns, n, &md, &mdlen)) == 0)
			fwrite(md, 1, mdlen, stdout);
		else
			fprintf(stderr, "interviewd show: %s\n", error_sentence(rc));
		free(md);
		goto out;
	}
	char created[32], updated[32];
	fmt_time(iv.created, created, sizeof created);
	fmt_time(iv.updated, updated, sizeof updated);
	printf("interview  %s\nstatus     %s\nscript     %s (version %.12s)\ncandidate  %s\n"
	       "created    %s\nupdated    %s\n",
	       iv.id, proto_status_name(iv.status), iv.script, iv.script_hash,
	       *iv.candidate ? iv.candidate : "-", created, updated);
	for (size_t i = 0; i < iv.nscores; i++)
		printf("%s %s = %g\n", i ? "          " : "scores    ", iv.scores[i].name,
		       iv.scores[i].value);
	for (size_t i = 0; i < iv.nanswers; i++)
		printf("%s %s = %s\n", i ? "          " : "answers   ", iv.answers[i].id,
		       iv.answers[i].text);
	for (size_t i = 0; i < iv.nnotes; i++)
		printf("%s %s\n", i ? "          " : "notes     ", iv.notes[i]);
	for (size_t i = 0; i < iv.ntags; i++)
		printf("%s %s\n", i ? "          " : "tags      ", iv.tags[i]);
	if (iv.last_error)
		printf("error      %s\n%s\n", iv.last_error, iv.last_traceback ? iv.last_traceback : "");
	printf("\ntranscript\n");
	for (size_t i = 0; i < n; i++) {
		printf("  %4llu  %-9s  %s", (unsigned long long)turns[i].seq,
		       proto_role_name(turns[i].role), turns[i].text);
		for (size_t k = 0; k < turns[i].nchoices; k++)
			printf("%s%s", k ? " | " : "  [", turns[i].choices[k]);
		printf("%s\n", turns[i].nchoices ? "]" : "");
	}
out:
	record_transcript_free(turns, n);
	proto_interview_free(&iv);
	store_close(st);
	return rc == 0 ? 0 : 1;
}

/* ---- dispatch ---------------------------------------------------------------- */

struct command {
	const char *name;
	int (*fn)(int, char **);
};

static const struct command COMMANDS[] = {
	{ "serve", cmd_serve },
	{ "new", cmd_new },
	{ "list", cmd_list },
	{ "show", cmd_show },
	{ "demo", cmd_demo },
	{ "check", check_cmd },
	{ "try", try_cmd },
	{ "replay", replay_cmd },
	{ "migrate", migrate_cmd },
	{ "user", team_cmd_user },
	{ "apikey", team_cmd_apikey },
	{ "close", manage_cmd_close },
	{ "link", manage_cmd_link },
	{ "erase", manage_cmd_erase },
	{ "export", manage_cmd_export },
	{ "stats", manage_cmd_stats },
};

int main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(USAGE, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (getenv("LOG_QUIET"))
		log_set_level(2);
	int rc = token_init();
	if (rc != 0) {
		fprintf(stderr, "interviewd: %s\n", token_strerror(rc));
		return 1;
	}
	for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
		if (strcmp(argv[1], COMMANDS[i].name) == 0)
			return COMMANDS[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "interviewd: unknown command '%s'\n\n%s", argv[1], USAGE);
	return 2;
}
