/* manage: close, link, erase, export and stats. See manage.h.
 *
 * Each command states the options it takes; the parser accepts exactly those,
 * spelled out in full (no abbreviations: --script must never pass for
 * --scripts), as --name VALUE or --name=VALUE. What a command does is one call
 * into ops, record or export; what is printed is decided here. An export written
 * to a file goes to a temporary file first and is renamed into place, so a
 * reader never sees half of one; it is created readable by its owner only,
 * since it holds what candidates wrote. */
#include "manage.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "argv.h"
#include "export.h"
#include "link.h"
#include "ops.h"
#include "proto.h"
#include "record.h"
#include "store.h"
#include "token.h"

/* ======================================================================== */
/* Options                                                                  */
/* ======================================================================== */

enum opt { OPT_DATA, OPT_URL, OPT_JSON, OPT_YES, OPT_SCRIPT, OPT_FORMAT, OPT_OUT, OPT_COUNT };

static const struct argv_opt OPTS[OPT_COUNT] = {
	[OPT_DATA] = { "data", true },     [OPT_URL] = { "url", true },
	[OPT_JSON] = { "json", false },    [OPT_YES] = { "yes", false },
	[OPT_SCRIPT] = { "script", true }, [OPT_FORMAT] = { "format", true },
	[OPT_OUT] = { "out", true },
};

#define ALLOW(o) (1u << (o))

/* A command: its options, whether it takes the interview id, its help. */
struct cmd {
	const char *name;
	unsigned allow;
	bool takes_id;
	const char *help;
};

struct parsed {
	const char *val[OPT_COUNT]; /* NULL: not given; "" for a flag given */
	const char *id;
};

/* Parses argv against c. Returns -1 to go on, else the exit code: 0 after
 * --help, 2 after a usage error (said on stderr). */
static int parse(int argc, char **argv, const struct cmd *c, struct parsed *p)
{
	const struct argv_spec spec = { c->name, OPTS, OPT_COUNT, c->allow, c->help };
	int nargs;
	memset(p, 0, sizeof *p);
	int rc = argv_parse(argc, argv, &spec, p->val, &p->id, 1, &nargs);
	if (rc >= 0)
		return rc;
	if (c->takes_id && nargs != 1) {
		fprintf(stderr, "interviewd %s: give one interview id (see interviewd list)\n",
			c->name);
		return 2;
	}
	if (!c->takes_id && nargs > 0) {
		fprintf(stderr,
			"interviewd %s: unexpected argument '%s'; see interviewd %s --help\n",
			c->name, p->id, c->name);
		return 2;
	}
	if (c->takes_id && !token_is_id(p->id)) {
		fprintf(stderr,
			"interviewd %s: '%s' is not an interview id (16 hex characters; "
			"see interviewd list)\n",
			c->name, p->id);
		return 2;
	}
	if (!p->val[OPT_DATA])
		p->val[OPT_DATA] = "data";
	return -1;
}

static struct store *open_store(const struct cmd *c, const struct parsed *p)
{
	struct store *st = NULL;
	char err[512] = "";
	if (store_open(&st, p->val[OPT_DATA], NULL, err, sizeof err) != STORE_OK) {
		fprintf(stderr, "interviewd %s: cannot open data directory %s: %s\n", c->name,
			p->val[OPT_DATA], err);
		return NULL;
	}
	return st;
}

/* The exit code for a record or export failure, said on stderr. */
static int fail(const struct cmd *c, int rc, const char *err)
{
	fprintf(stderr, "interviewd %s: %s\n", c->name, err && err[0] ? err : record_strerror(rc));
	return 1;
}

/* ======================================================================== */
/* close                                                                    */
/* ======================================================================== */

static const struct cmd CLOSE = {
	"close", ALLOW(OPT_DATA), true,
	"usage: interviewd close ID [--data DIR]\n"
	"\n"
	"Ends an interview that has not finished: its status becomes closed, and the candidate's\n"
	"next message is refused with interview_finished (the page says the interview is over).\n"
	"The transcript and results so far are kept. A finished or closed interview is left as\n"
	"it is (exit 1).\n"
	"\n"
	"Example:\n"
	"  interviewd close 3f2a9c0d1e4b5a67\n"
};

int manage_cmd_close(int argc, char **argv)
{
	struct parsed p;
	int rc = parse(argc, argv, &CLOSE, &p);
	if (rc >= 0)
		return rc;
	struct store *st = open_store(&CLOSE, &p);
	if (!st)
		return 1;
	char err[512] = "";
	struct proto_interview iv;
	rc = ops_close_interview(st, p.id, &iv, err, sizeof err);
	if (rc == 0) {
		printf("closed %s (script %s%s%s, %llu messages)\n", iv.id, iv.script,
		       iv.candidate[0] ? ", candidate " : "", iv.candidate,
		       (unsigned long long)(iv.next_seq ? iv.next_seq - 1 : 0));
		proto_interview_free(&iv);
	}
	store_close(st);
	return rc == 0 ? 0 : fail(&CLOSE, rc, err);
}

/* ======================================================================== */
/* link                                                                     */
/* ======================================================================== */

static const struct cmd LINK = {
	"link", ALLOW(OPT_DATA) | ALLOW(OPT_URL) | ALLOW(OPT_JSON), true,
	"usage: interviewd link ID [--url BASE] [--json] [--data DIR]\n"
	"\n"
	"Issues a new candidate link for the interview and prints it as `interviewd new` does.\n"
	"Every earlier link of the interview stops working at once (tokens are stored hashed, so\n"
	"a lost link is replaced, never recovered).\n"
	"  --url BASE   the server's public base URL for the link (default $INTERVIEWD_URL, else the\n"
	"               address the last `interviewd serve` on --data recorded, else\n"
	"               " LINK_DEFAULT_BASE ")\n"
	"  --json       print {interview_id, token, url, ws_url, script, candidate}\n"
	"\n"
	"Example:\n"
	"  interviewd link 3f2a9c0d1e4b5a67 --url https://interviews.example.com\n"
};

int manage_cmd_link(int argc, char **argv)
{
	struct parsed p;
	int rc = parse(argc, argv, &LINK, &p);
	if (rc >= 0)
		return rc;
	struct store *st = open_store(&LINK, &p);
	if (!st)
		return 1;
	/* The same base `new` uses: --url, $INTERVIEWD_URL, the address the last
	 * `serve` here recorded, else the default. */
	char *recorded = NULL;
	const char *env = getenv("INTERVIEWD_URL");
	const char *base = p.val[OPT_URL]	? p.val[OPT_URL]
			   : env && *env	? env
			   : record_get_public_url(st, &recorded) == 0 ? recorded
								      : LINK_DEFAULT_BASE;
	struct link probe;
	char uerr[512];
	/* Refuse a bad base before the old link is revoked. */
	if (record_check_public_url(base, uerr, sizeof uerr) != 0 ||
	    link_candidate(base, p.id, "x", &probe) != 0) {
		fprintf(stderr, "interviewd link: %s is not a usable base URL\n", base);
		free(recorded);
		store_close(st);
		return 2;
	}
	char token[TOKEN_LEN + 1], err[512] = "";
	struct proto_interview iv;
	memset(&iv, 0, sizeof iv);
	rc = ops_relink_interview(st, p.id, token, err, sizeof err);
	/* The names for the printout; the link is made whether or not they read. */
	if (rc == 0 && record_get_interview(st, p.id, &iv) != 0)
		memset(&iv, 0, sizeof iv);
	store_close(st);
	if (rc != 0) {
		free(recorded);
		return fail(&LINK, rc, err);
	}
	rc = link_print(base, p.id, token, iv.script ? iv.script : "?",
			iv.candidate ? iv.candidate : "", p.val[OPT_JSON] != NULL);
	free(recorded);
	proto_interview_free(&iv);
	memset(token, 0, sizeof token);
	return rc == 0 ? 0 : 1;
}

/* ======================================================================== */
/* erase                                                                    */
/* ======================================================================== */

static const struct cmd ERASE = {
	"erase", ALLOW(OPT_DATA) | ALLOW(OPT_YES), true,
	"usage: interviewd erase ID [--yes] [--data DIR]\n"
	"\n"
	"Deletes the interview for good: its record, results, whole transcript and every link,\n"
	"and its pinned script version unless another interview runs it. No database holds\n"
	"anything of it afterwards (LMDB reuses the freed pages of data.mdb for later writes; it\n"
	"does not wipe them). Asks first when run on a terminal; elsewhere (a script, a pipe) it\n"
	"refuses unless given --yes.\n"
	"  --yes   erase without asking\n"
	"\n"
	"Example:\n"
	"  interviewd erase 3f2a9c0d1e4b5a67 --yes\n"
};

/* Asks on the terminal; true when the answer is "yes". */
static bool confirm(const struct proto_interview *iv)
{
	char line[16];
	fprintf(stderr,
		"Erase interview %s (script %s, candidate %s, %llu messages) and its transcript?\n"
		"This cannot be undone. Type yes to erase: ",
		iv->id, iv->script, iv->candidate[0] ? iv->candidate : "-",
		(unsigned long long)(iv->next_seq ? iv->next_seq - 1 : 0));
	fflush(stderr);
	if (!fgets(line, sizeof line, stdin))
		return false;
	line[strcspn(line, "\r\n")] = '\0';
	return strcmp(line, "yes") == 0;
}

int manage_cmd_erase(int argc, char **argv)
{
	struct parsed p;
	int rc = parse(argc, argv, &ERASE, &p);
	if (rc >= 0)
		return rc;
	bool yes = p.val[OPT_YES] != NULL;
	if (!yes && !isatty(STDIN_FILENO)) {
		fprintf(stderr,
			"interviewd erase: not asking without a terminal; pass --yes to erase "
			"%s\n",
			p.id);
		return 2;
	}
	struct store *st = open_store(&ERASE, &p);
	if (!st)
		return 1;
	char err[512] = "";
	struct proto_interview iv;
	rc = record_get_interview(st, p.id, &iv);
	if (rc == STORE_ENOTFOUND) {
		snprintf(err, sizeof err, "no interview %s", p.id);
		goto out;
	}
	if (rc != 0)
		goto out;
	if (!yes && !confirm(&iv)) {
		fprintf(stderr, "interviewd erase: nothing erased\n");
		proto_interview_free(&iv);
		store_close(st);
		return 1;
	}
	proto_interview_free(&iv);
	rc = ops_erase_interview(st, p.id, err, sizeof err);
	if (rc == 0)
		printf("erased %s\n", p.id);
out:
	store_close(st);
	return rc == 0 ? 0 : fail(&ERASE, rc, err);
}

/* ======================================================================== */
/* export                                                                   */
/* ======================================================================== */

static const struct cmd EXPORT = {
	"export", ALLOW(OPT_DATA) | ALLOW(OPT_SCRIPT) | ALLOW(OPT_FORMAT) | ALLOW(OPT_OUT), false,
	"usage: interviewd export --script NAME [--format csv|jsonl] [--out FILE] [--data DIR]\n"
	"\n"
	"Writes every interview of the script NAME, oldest first, one per row (CSV) or line\n"
	"(JSON Lines): id, candidate, status, created, finished (when it ended: finished or\n"
	"closed), a column per answer id (answer.ID) and per score (score.NAME) that any of them\n"
	"has, and tags.\n"
	"  --format csv     (default) RFC 4180: a header row, CRLF line ends, fields with commas,\n"
	"                   quotes or line breaks quoted and quotes doubled; UTF-8 without a byte\n"
	"                   order mark (in Excel use Data > From Text/CSV and pick UTF-8); times in\n"
	"                   UTC as 2025-11-25T09:30:00Z; tags joined with \", \". A text field that\n"
	"                   starts with = + - @ or a tab gets a leading ' so a spreadsheet shows it\n"
	"                   rather than running it as a formula.\n"
	"  --format jsonl   one JSON object per line: answers and scores as objects (null where an\n"
	"                   interview has none), scores as numbers, tags as an array, times in\n"
	"                   milliseconds since the epoch, text exactly as stored.\n"
	"  --out FILE       write FILE (readable by you only) instead of standard output\n"
	"\n"
	"Example:\n"
	"  interviewd export --script backend-screen --out backend-screen.csv\n"
};

/* Writes text to path through a temporary file renamed into place. */
static int write_file(const char *path, const char *text, size_t len, char *err, size_t errlen)
{
	char tmp[4096];
	int n = snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof tmp) {
		snprintf(err, errlen, "%s: the file name is too long", path);
		return -1;
	}
	int fd = mkstemp(tmp); /* mode 0600 */
	if (fd < 0) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	size_t done = 0;
	while (done < len) {
		ssize_t w = write(fd, text + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		done += (size_t)w;
	}
	bool ok = done == len;
	int saved = errno;
	if (ok && fsync(fd) != 0) {
		ok = false;
		saved = errno;
	}
	if (close(fd) != 0 && ok) {
		ok = false;
		saved = errno;
	}
	if (ok && rename(tmp, path) != 0) {
		ok = false;
		saved = errno;
	}
	if (!ok) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(saved));
		unlink(tmp);
		return -1;
	}
	return 0;
}

int manage_cmd_export(int argc, char **argv)
{
	struct parsed p;
	int rc = parse(argc, argv, &EXPORT, &p);
	if (rc >= 0)
		return rc;
	enum export_format fmt = EXPORT_CSV;
	if (!p.val[OPT_SCRIPT] || !p.val[OPT_SCRIPT][0]) {
		fprintf(stderr,
			"interviewd export: --script NAME is required (see interviewd list)\n");
		return 2;
	}
	if (p.val[OPT_FORMAT] && export_format_parse(p.val[OPT_FORMAT], &fmt) != 0) {
		fprintf(stderr, "interviewd export: --format takes csv or jsonl, not '%s'\n",
			p.val[OPT_FORMAT]);
		return 2;
	}
	struct store *st = open_store(&EXPORT, &p);
	if (!st)
		return 1;
	char *text = NULL, err[4200] = "";
	size_t len = 0;
	rc = export_script(st, p.val[OPT_SCRIPT], fmt, &text, &len);
	store_close(st);
	if (rc != 0)
		return fail(&EXPORT, rc, NULL);
	if (p.val[OPT_OUT]) {
		rc = write_file(p.val[OPT_OUT], text, len, err, sizeof err);
	} else if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0) {
		snprintf(err, sizeof err, "cannot write to standard output: %s", strerror(errno));
		rc = -1;
	}
	free(text);
	if (rc != 0) {
		fprintf(stderr, "interviewd export: %s\n", err);
		return 1;
	}
	return 0;
}

/* ======================================================================== */
/* stats                                                                    */
/* ======================================================================== */

static const struct cmd STATS = {
	"stats", ALLOW(OPT_DATA) | ALLOW(OPT_SCRIPT) | ALLOW(OPT_JSON), false,
	"usage: interviewd stats --script NAME [--json] [--data DIR]\n"
	"\n"
	"How the interviews of the script NAME went: how many there are, how many started (the\n"
	"candidate sent a message), how many are new, active, finished or closed, and where the\n"
	"unfinished ones (active or closed) stopped: the last question each was asked, with how\n"
	"many stopped there, most first.\n"
	"  --json   print {script, total, new, active, finished, closed, started,\n"
	"            dropoff: [{question, count}]}\n"
	"\n"
	"Example:\n"
	"  interviewd stats --script demo\n"
};

int manage_cmd_stats(int argc, char **argv)
{
	struct parsed p;
	int rc = parse(argc, argv, &STATS, &p);
	if (rc >= 0)
		return rc;
	const char *script = p.val[OPT_SCRIPT];
	if (!script || !script[0]) {
		fprintf(stderr,
			"interviewd stats: --script NAME is required (see interviewd list)\n");
		return 2;
	}
	struct store *st = open_store(&STATS, &p);
	if (!st)
		return 1;
	struct proto_stats s;
	rc = export_stats(st, script, &s);
	store_close(st);
	if (rc != 0)
		return fail(&STATS, rc, NULL);
	if (p.val[OPT_JSON]) {
		char *j = proto_cli_stats(script, &s);
		if (j)
			printf("%s\n", j);
		else
			rc = fail(&STATS, STORE_ENOMEM, NULL);
		free(j);
		proto_stats_free(&s);
		return rc;
	}
	printf("script      %s\n", script);
	printf("interviews  %llu (%llu started)\n", (unsigned long long)s.total,
	       (unsigned long long)s.started);
	printf("status      %llu new, %llu active, %llu finished, %llu closed\n",
	       (unsigned long long)s.status_new, (unsigned long long)s.status_active,
	       (unsigned long long)s.status_finished, (unsigned long long)s.status_closed);
	if (s.ndropoff) {
		printf("\nwhere unfinished interviews stopped (last question asked):\n");
		for (size_t i = 0; i < s.ndropoff; i++)
			printf("  %5llu  %s\n", (unsigned long long)s.dropoff[i].count,
			       s.dropoff[i].question);
	} else if (s.total == 0) {
		printf("(no interviews of %s yet)\n", script);
	}
	proto_stats_free(&s);
	return 0;
}
