/* main: the interviewd command line.
 *
 * The command table and the usage, and the interview commands new, demo,
 * list and show; serve and the authoring, team and manage commands live in
 * their own modules, the option parser they share in cli. Each command
 * parses its own options, opens what it needs and closes it again. Commands
 * other than serve work while a server runs on the same data directory:
 * LMDB is multi-process. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "account.h"
#include "check.h"
#include "cli.h"
#include "export.h"
#include "link.h"
#include "log.h"
#include "maint.h"
#include "manage.h"
#include "migrate.h"
#include "proto.h"
#include "record.h"
#include "replay.h"
#include "scriptdir.h"
#include "serve.h"
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
	"Operations:\n"
	"  backup    a consistent, compacted copy of the data directory, taken while serving\n"
	"  verify    check that a data directory's records hold together\n"
	"  purge     erase finished and closed interviews that ended before a date\n"
	"\n"
	"Run `interviewd COMMAND --help` for a command's options. Common options:\n"
	"  --data DIR      LMDB directory (default: data)\n"
	"  --scripts DIR   interview scripts (default: scripts)\n"
	"\n"
	"Example:\n"
	"  interviewd serve --listen 127.0.0.1:8080 &\n"
	"  interviewd new --script demo --candidate 'Ada Lovelace'\n";

/* ---- candidate links ------------------------------------------------------ */

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

/* Where candidate links point, with ownership: base is what to use; owned,
 * when set, is the string to free; guessed says no server is known. */
struct link_base {
	const char *base;
	char *owned;
	int guessed;
};

/* --url, else $INTERVIEWD_URL, else the address the last `serve` on this data
 * directory recorded, else DEFAULT_URL, guessed. Returns -1 to go on, or the
 * exit code 2 after saying why --url or $INTERVIEWD_URL is not a URL. */
static int find_link_base(const struct cli_opts *o, struct store *st, const char *cmd,
			  struct link_base *lb)
{
	const char *env = getenv("INTERVIEWD_URL");
	char err[1024];
	memset(lb, 0, sizeof *lb);
	if (o->url_given || (env && *env)) {
		lb->base = o->url_given ? o->url : env;
		if (record_check_public_url(lb->base, err, sizeof err) != 0) {
			fprintf(stderr, "interviewd %s: %s %s\n", cmd,
				o->url_given ? "--url" : "$INTERVIEWD_URL", err);
			return 2;
		}
		return -1;
	}
	if (record_get_public_url(st, &lb->owned) == 0) {
		lb->base = lb->owned;
		return -1;
	}
	lb->base = DEFAULT_URL;
	lb->guessed = 1;
	return -1;
}

/* Printed beside a link that no server vouches for. */
static void warn_guessed(const char *cmd, const struct cli_opts *o)
{
	char serve[512];
	cli_with_data(serve, sizeof serve, "interviewd serve", o->data);
	fflush(stdout); /* after the link, in a terminal that shows both */
	fprintf(stderr,
		"interviewd %s: no server has run on this data directory; the link assumes " DEFAULT_URL
		" — start `%s` or pass --url\n",
		cmd, serve);
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
	"  --script NAME      the script: its name (demo), its file name (demo.lua) or a path to it in\n"
	"                     the scripts directory (scripts/demo.lua); a file elsewhere is copied in\n"
	"                     first, so every interview's script is one the server lists\n"
	"  --candidate NAME   the candidate's name, as the script sees it (candidate.name)\n"
	"  --url BASE         the server's base URL for the link (default $INTERVIEWD_URL, else the\n"
	"                     address the last `interviewd serve` on --data recorded, else\n"
	"                     " DEFAULT_URL ", with a warning)\n"
	"  --json             print {interview_id, token, url, ws_url, script, candidate}\n";

/* "/" to show dir as a directory, "" when it already ends in one. */
static const char *slash(const char *dir)
{
	size_t n = strlen(dir);
	return n && dir[n - 1] == '/' ? "" : "/";
}

/* The scripts of dir that compile, by name, for a hint: "demo, screen" (""
 * when none does). Returns 0, or non-zero when dir cannot be listed. */
static int script_names(const char *dir, char *out, size_t outlen)
{
	struct scriptdir_entry *es = NULL;
	size_t n = 0;
	out[0] = '\0';
	int rc = scriptdir_list(dir, &es, &n, NULL, 0);
	if (rc != 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		size_t used = strlen(out);
		if (es[i].rc == 0)
			snprintf(out + used, outlen - used, "%s%s", used ? ", " : "", es[i].name);
	}
	free(es);
	return 0;
}

/* The `interviewd new` the user ran, with --script NAME: what to run next. */
static void new_command(char *out, size_t outlen, const struct cli_opts *o, const char *name)
{
	snprintf(out, outlen, "interviewd new --script");
	cli_append_word(out, outlen, name);
	if (o->candidate) {
		cli_append_word(out, outlen, "--candidate");
		cli_append_word(out, outlen, o->candidate);
	}
	if (o->url_given) {
		cli_append_word(out, outlen, "--url");
		cli_append_word(out, outlen, o->url);
	}
	if (o->json)
		cli_append_word(out, outlen, "--json");
	if (o->scripts_given) {
		cli_append_word(out, outlen, "--scripts");
		cli_append_word(out, outlen, o->scripts);
	}
	if (strcmp(o->data, "data") != 0) {
		cli_append_word(out, outlen, "--data");
		cli_append_word(out, outlen, o->data);
	}
}

/* Says why --script ARG names no script, and what to run instead. */
static void explain_script_arg(const struct cli_opts *o, int rc, const char *name, const char *err)
{
	char names[1024], cmd[2048], target[4096];
	fprintf(stderr, "interviewd new: %s", err[0] ? err : cli_error_sentence(rc));
	if (rc == SCRIPTDIR_EOUTSIDE) {
		snprintf(target, sizeof target, "%s/%s.lua", o->scripts, name);
		new_command(cmd, sizeof cmd, o, name);
		if (access(target, F_OK) == 0) {
			/* Copying would replace a script that may be another one. */
			fprintf(stderr, ".\n%s already exists; compare the two, then run:\n  %s\n",
				target, cmd);
			return;
		}
		char cp[8192] = "cp";
		cli_append_word(cp, sizeof cp, o->script);
		cli_append_word(cp, sizeof cp, target);
		fprintf(stderr, ":\n  %s\n  %s\n", cp, cmd);
		return;
	}
	/* A wrong name: say which names there are. */
	if ((rc == SCRIPTDIR_ENOTFOUND || rc == SCRIPTDIR_ENAME) &&
	    script_names(o->scripts, names, sizeof names) == 0)
		fprintf(stderr,
			names[0] ? " (scripts in %s%s: %s)"
				 : " (%s%s has no script that compiles%s)",
			o->scripts, slash(o->scripts), names);
	fputc('\n', stderr);
}

static int cmd_new(int argc, char **argv)
{
	struct cli_opts o;
	int usage = cli_parse(argc, argv, &o,
			      CLI_OPTLIST(CLI_OPT_SCRIPT, CLI_OPT_CANDIDATE, CLI_OPT_URL,
					  CLI_OPT_JSON, CLI_OPT_DATA, CLI_OPT_SCRIPTS),
			      NEW_HELP);
	if (usage >= 0)
		return usage;
	if (!o.script) {
		char names[1024] = "";
		script_names(o.scripts, names, sizeof names);
		fprintf(stderr,
			"interviewd new: --script NAME is required: a script in %s%s, named "
			"without .lua%s%s%s\n",
			o.scripts, slash(o.scripts), names[0] ? " (" : "", names,
			names[0] ? ")" : "");
		return 2;
	}
	char name[SCRIPTDIR_NAME_MAX + 1], err[1024] = "";
	int rc = scriptdir_resolve(o.scripts, o.script, name, err, sizeof err);
	if (rc != 0) {
		explain_script_arg(&o, rc, name, err);
		return 1;
	}
	struct store *st = cli_open_store(o.data, 0, 0);
	if (!st)
		return 1;
	struct link_base lb;
	if ((usage = find_link_base(&o, st, "new", &lb)) >= 0) {
		store_close(st);
		return usage;
	}
	char id[TOKEN_ID_LEN + 1], token[TOKEN_LEN + 1];
	const char *cand = o.candidate ? o.candidate : "";
	rc = create_interview(st, o.scripts, name, cand, id, token, err, sizeof err);
	if (rc == 0) {
		rc = print_link(lb.base, id, token, name, cand, o.json);
		if (rc == 0 && lb.guessed)
			warn_guessed("new", &o);
	} else {
		explain_script_arg(&o, rc, name, err);
	}
	free(lb.owned);
	store_close(st);
	return rc == 0 ? 0 : 1;
}

static const char DEMO_HELP[] =
	"usage: interviewd demo [--url BASE] [--data DIR] [--scripts DIR]\n"
	"\n"
	"Creates the demo interview (scripts/demo.lua) unless an unfinished one exists, and prints a\n"
	"fresh candidate link to it (tokens are stored hashed, so each run issues a new one).\n"
	"  --url BASE   the server's base URL for the link (default $INTERVIEWD_URL, else the address\n"
	"               the last `interviewd serve` on --data recorded, else " DEFAULT_URL ",\n"
	"               with a warning)\n";

static int cmd_demo(int argc, char **argv)
{
	struct cli_opts o;
	int usage = cli_parse(argc, argv, &o,
			      CLI_OPTLIST(CLI_OPT_URL, CLI_OPT_JSON, CLI_OPT_DATA, CLI_OPT_SCRIPTS),
			      DEMO_HELP);
	if (usage >= 0)
		return usage;
	struct store *st = cli_open_store(o.data, 0, 0);
	if (!st)
		return 1;
	struct link_base lb;
	if ((usage = find_link_base(&o, st, "demo", &lb)) >= 0) {
		store_close(st);
		return usage;
	}
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
		snprintf(err, sizeof err, "cannot list interviews: %s", cli_error_sentence(rc));
	if (rc == 0) {
		if (!o.json)
			printf("\nDemo interview ready. Open the candidate link in a browser:\n\n");
		rc = print_link(lb.base, id, token, "demo", "Demo Candidate", o.json);
		if (rc == 0 && !o.json) {
			size_t blen = strlen(lb.base);
			if (blen && lb.base[blen - 1] == '/')
				blen--;
			printf("console    %.*s/console/  (the team's view: interviews, transcripts, "
			       "exports)\n", (int)blen, lb.base);
			int arc = team_first_admin(st, stdout);
			if (arc != 0)
				fprintf(stderr, "interviewd demo: could not create the first admin: %s\n",
					account_strerror(arc));
			printf("\n");
		}
		if (lb.guessed)
			warn_guessed("demo", &o);
	} else {
		fprintf(stderr, "interviewd demo: %s\n", err[0] ? err : cli_error_sentence(rc));
	}
	free(lb.owned);
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

/* Display columns of UTF-8 text: one per character (the names and tags a
 * script writes are mostly Latin; wide characters merely make a row longer). */
static size_t text_cols(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* Prints s in exactly width columns: cut on a character boundary with "…"
 * when longer, padded with spaces unless it ends the row. */
static void put_cell(const char *s, size_t width, int last)
{
	size_t cols = text_cols(s);
	if (cols > width) {
		size_t keep = 0, bytes = 0;
		for (; s[bytes] && keep < width - 1; keep++)
			do
				bytes++;
			while (((unsigned char)s[bytes] & 0xC0) == 0x80);
		printf("%.*s…", (int)bytes, s);
		cols = width;
	} else {
		fputs(s, stdout);
	}
	for (; !last && cols < width; cols++)
		putchar(' ');
}

/* The width a row may take: the terminal's, else $COLUMNS, else 120 (so a
 * pipe gets rows as long as a wide terminal's, the same on every run). */
static size_t line_width(void)
{
	struct winsize ws;
	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	const char *env = getenv("COLUMNS");
	long c = env ? strtol(env, NULL, 10) : 0;
	return c >= 20 && c <= 1000 ? (size_t)c : 120;
}

/* An interview's results on one line: "score 7, fit 2 · tags: senior, remote",
 * "" when it has none. A new string (free()), NULL when out of memory. */
static char *results_line(const struct proto_interview *iv)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	for (size_t i = 0; i < iv->nscores; i++)
		fprintf(f, "%s%s %g", i ? ", " : "", iv->scores[i].name, iv->scores[i].value);
	for (size_t i = 0; i < iv->ntags; i++)
		fprintf(f, "%s%s", i ? ", " : iv->nscores ? " · tags: " : "tags: ", iv->tags[i]);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static const char LIST_HELP[] =
	"usage: interviewd list [--json] [--data DIR]\n"
	"\n"
	"Lists every interview: id, status, script, candidate, messages so far, last activity and,\n"
	"when any interview has them, its results (\"score 7 · tags: senior, remote\"), cut to fit\n"
	"the terminal ($COLUMNS, or 120 columns when not a terminal).\n"
	"  --json   every interview with every field: scores {}, answers {}, notes [], tags [],\n"
	"           last_error null and the like when empty (see `interviewd show ID --json`)\n";

static void print_list(const struct proto_interview *ivs, size_t n, const char *data)
{
	if (n == 0) {
		char cmd[512];
		cli_with_data(cmd, sizeof cmd, "interviewd new --script demo", data);
		printf("(no interviews yet: create one with `%s`)\n", cmd);
		return;
	}
	/* Columns as wide as their widest value, within a bound. */
	size_t wstatus = strlen("STATUS"), wscript = strlen("SCRIPT"), wcand = strlen("CANDIDATE");
	int any_results = 0;
	for (size_t i = 0; i < n; i++) {
		size_t a = strlen(proto_status_name(ivs[i].status)), b = text_cols(ivs[i].script),
		       c = text_cols(ivs[i].candidate);
		wstatus = a > wstatus ? a : wstatus;
		wscript = b > wscript ? b : wscript;
		wcand = c > wcand ? c : wcand;
		any_results |= ivs[i].nscores > 0 || ivs[i].ntags > 0;
	}
	wscript = wscript > 18 ? 18 : wscript;
	wcand = wcand > 20 ? 20 : wcand;
	const size_t wupdated = strlen("2000-01-01 00:00 UTC");
	size_t used = 16 + 2 + wstatus + 2 + wscript + 2 + wcand + 2 + 4 + 2 + wupdated;
	size_t width = line_width();
	/* Results get what the line has left, and never less than a useful minimum. */
	size_t wresults = width > used + 2 + 24 ? width - used - 2 : 24;

	put_cell("ID", 16, 0);
	printf("  ");
	put_cell("STATUS", wstatus, 0);
	printf("  ");
	put_cell("SCRIPT", wscript, 0);
	printf("  ");
	put_cell("CANDIDATE", wcand, 0);
	printf("  MSGS  ");
	put_cell("UPDATED", wupdated, !any_results);
	printf("%s\n", any_results ? "  RESULTS" : "");
	for (size_t i = 0; i < n; i++) {
		char when[32];
		fmt_time(ivs[i].updated, when, sizeof when);
		char *results = any_results ? results_line(&ivs[i]) : NULL;
		int last = !results || !*results;
		put_cell(ivs[i].id, 16, 0);
		printf("  ");
		put_cell(proto_status_name(ivs[i].status), wstatus, 0);
		printf("  ");
		put_cell(ivs[i].script, wscript, 0);
		printf("  ");
		put_cell(ivs[i].candidate, wcand, 0);
		printf("  %4llu  ", (unsigned long long)ivs[i].next_seq - 1);
		put_cell(when, wupdated, last);
		if (!last) {
			printf("  ");
			put_cell(results, wresults, 1);
		}
		printf("\n");
		free(results);
	}
}

static int cmd_list(int argc, char **argv)
{
	struct cli_opts o;
	int usage = cli_parse(argc, argv, &o, CLI_OPTLIST(CLI_OPT_JSON, CLI_OPT_DATA), LIST_HELP);
	if (usage >= 0)
		return usage;
	struct store *st = cli_open_store(o.data, 0, 0);
	if (!st)
		return 1;
	struct proto_interview *ivs = NULL;
	size_t n = 0;
	int rc = record_list_interviews(st, &ivs, &n);
	if (rc != 0) {
		fprintf(stderr, "interviewd list: cannot read interviews: %s\n",
			cli_error_sentence(rc));
	} else if (o.json) {
		char *j = proto_cli_list(ivs, n);
		printf("%s\n", j ? j : "[]");
		free(j);
	} else {
		print_list(ivs, n, o.data);
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
	struct cli_opts o;
	int usage = cli_parse(argc, argv, &o,
			      CLI_OPTLIST(CLI_OPT_JSON, CLI_OPT_MARKDOWN, CLI_OPT_DATA), SHOW_HELP);
	if (usage >= 0)
		return usage;
	char hint[512];
	cli_with_data(hint, sizeof hint, "interviewd list", o.data);
	if (o.argc != 1) {
		fprintf(stderr, "interviewd show: give one interview id (see `%s`)\n", hint);
		return 2;
	}
	if (o.json && o.markdown) {
		fprintf(stderr, "interviewd show: --json or --markdown, not both\n");
		return 2;
	}
	const char *id = o.argv[0];
	struct store *st = cli_open_store(o.data, 0, 0);
	if (!st)
		return 1;
	struct proto_interview iv = { 0 };
	struct proto_turn *turns = NULL;
	size_t n = 0;
	int rc = token_is_id(id) ? record_get_interview(st, id, &iv) : STORE_ENOTFOUND;
	if (rc == STORE_ENOTFOUND) {
		fprintf(stderr, "interviewd show: no interview %s (see `%s`)\n", id, hint);
		goto out;
	}
	if (rc != 0 || (rc = record_get_transcript(st, id, &turns, &n)) != 0) {
		fprintf(stderr, "interviewd show: cannot read interview %s: %s\n", id,
			cli_error_sentence(rc));
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
			fprintf(stderr, "interviewd show: %s\n", cli_error_sentence(rc));
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
	{ "serve", serve_cmd },
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
	{ "backup", maint_cmd_backup },
	{ "verify", maint_cmd_verify },
	{ "purge", maint_cmd_purge },
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
