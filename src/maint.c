/* maint: backup, verify and purge. See maint.h.
 *
 * The data directory must already hold a store (data.mdb): opening a store
 * creates one, and a backup or a check of a mistyped path should say so
 * rather than report an empty store. A backup goes into a new or empty
 * directory only, so it never mixes with or overwrites anything; what it
 * creates is readable by its owner only (it holds every transcript). Dates
 * are read and printed in UTC. */
#include "maint.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "argv.h"
#include "proto.h"
#include "record.h"
#include "retention.h"
#include "store.h"
#include "verify.h"

#define DIR_MODE 0700

/* ======================================================================== */
/* Options                                                                  */
/* ======================================================================== */

enum opt { OPT_DATA, OPT_ENDED_BEFORE, OPT_DRY_RUN, OPT_COUNT };

static const struct argv_opt OPTS[OPT_COUNT] = {
	[OPT_DATA] = { "data", true },
	[OPT_ENDED_BEFORE] = { "ended-before", true },
	[OPT_DRY_RUN] = { "dry-run", false },
};

#define ALLOW(o) (1u << (o))

/* A command: its options, how many positional arguments it takes (0 or 1)
 * and what it calls the one, its help. */
struct cmd {
	const char *name;
	unsigned allow;
	const char *arg; /* NULL: none */
	const char *help;
};

struct parsed {
	const char *val[OPT_COUNT]; /* NULL: not given; "" for a flag given */
	const char *arg;
};

/* Parses argv against c. Returns -1 to go on, else the exit code: 0 after
 * --help, 2 after a usage error (said on stderr). */
static int parse(int argc, char **argv, const struct cmd *c, struct parsed *p)
{
	const struct argv_spec spec = { c->name, OPTS, OPT_COUNT, c->allow, c->help };
	const char *args[2] = { NULL, NULL };
	int nargs;
	memset(p, 0, sizeof *p);
	int rc = argv_parse(argc, argv, &spec, p->val, args, 2, &nargs);
	if (rc >= 0)
		return rc;
	p->arg = args[0];
	const char *extra = args[1];
	if (c->arg && nargs == 0) {
		fprintf(stderr, "interviewd %s: give the %s; see interviewd %s --help\n", c->name,
			c->arg, c->name);
		return 2;
	}
	if (nargs > (c->arg ? 1 : 0)) {
		fprintf(stderr, "interviewd %s: unexpected argument '%s'; see interviewd %s --help\n",
			c->name, c->arg ? extra : p->arg, c->name);
		return 2;
	}
	if (!p->val[OPT_DATA])
		p->val[OPT_DATA] = "data";
	return -1;
}

/* Opens the store of an existing data directory. Returns NULL after saying
 * why on stderr. */
static struct store *open_existing(const struct cmd *c, const char *dir)
{
	char path[4096], err[512] = "";
	struct store *st = NULL;
	if ((size_t)snprintf(path, sizeof path, "%s/data.mdb", dir) >= sizeof path ||
	    access(path, F_OK) != 0) {
		fprintf(stderr, "interviewd %s: %s is not a data directory (it holds no data.mdb)\n",
			c->name, dir);
		return NULL;
	}
	if (store_open(&st, dir, NULL, err, sizeof err) != STORE_OK) {
		fprintf(stderr, "interviewd %s: cannot open data directory %s: %s\n", c->name, dir,
			err);
		return NULL;
	}
	return st;
}

/* "2024-06-01 12:00:00 UTC"; with_ms adds the milliseconds when there are
 * any (a cutoff given to the ms is shown as given). */
static void fmt_time(int64_t ms, bool with_ms, char *out, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char sec[32];
	gmtime_r(&t, &tm);
	strftime(sec, sizeof sec, "%Y-%m-%d %H:%M:%S", &tm);
	if (with_ms && ms % 1000)
		snprintf(out, len, "%s.%03d UTC", sec, (int)(ms % 1000));
	else
		snprintf(out, len, "%s UTC", sec);
}

/* ======================================================================== */
/* backup                                                                   */
/* ======================================================================== */

static const struct cmd BACKUP = {
	"backup", ALLOW(OPT_DATA), "backup directory (DEST)",
	"usage: interviewd backup DEST [--data DIR]\n"
	"\n"
	"Writes a consistent copy of the data directory into DEST/data.mdb while the server keeps\n"
	"serving: every interview as it stood at one moment, compacted (free space left out).\n"
	"DEST must be a new or empty directory; it is created readable by its owner only, as is\n"
	"the copy. Check a backup with `interviewd verify --data DEST`.\n"
	"To restore: stop the server, move the data directory aside, copy DEST in its place\n"
	"(cp -a DEST DIR), start the server.\n"
	"  --data DIR   the data directory to copy (default data)\n"
	"\n"
	"Example:\n"
	"  interviewd backup /var/backups/interviewd/$(date -u +%Y-%m-%d) --data /var/lib/interviewd\n"
};

/* Makes dest a new directory, or accepts an empty one. Returns -1 to go on
 * (*created says which), else the exit code 2 after saying why not. */
static int prepare_dest(const char *dest, bool *created)
{
	struct stat sb;
	*created = false;
	if (mkdir(dest, DIR_MODE) == 0) {
		*created = true;
		return -1;
	}
	if (errno != EEXIST || stat(dest, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		fprintf(stderr, "interviewd backup: cannot create the directory %s: %s\n", dest,
			errno == EEXIST ? "a file of that name exists" : strerror(errno));
		return 2;
	}
	DIR *d = opendir(dest);
	if (!d) {
		fprintf(stderr, "interviewd backup: cannot read the directory %s: %s\n", dest,
			strerror(errno));
		return 2;
	}
	const struct dirent *e;
	bool empty = true;
	while (empty && (e = readdir(d)))
		empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
	closedir(d);
	if (!empty) {
		fprintf(stderr,
			"interviewd backup: %s is not empty; a backup goes into a new or empty "
			"directory, so it never overwrites anything\n",
			dest);
		return 2;
	}
	return -1;
}

/* fsync of the directory holding path, so a directory just made there lasts. */
static void sync_parent(const char *path)
{
	char parent[4096];
	snprintf(parent, sizeof parent, "%s", path);
	size_t n = strlen(parent);
	while (n > 1 && parent[n - 1] == '/')
		parent[--n] = '\0';
	char *slash = strrchr(parent, '/');
	if (!slash)
		snprintf(parent, sizeof parent, ".");
	else
		slash[slash == parent ? 1 : 0] = '\0';
	int fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int maint_cmd_backup(int argc, char **argv)
{
	struct parsed p;
	int rc = parse(argc, argv, &BACKUP, &p);
	if (rc >= 0)
		return rc;
	const char *dir = p.val[OPT_DATA], *dest = p.arg;
	struct store *st = open_existing(&BACKUP, dir);
	if (!st)
		return 2;
	bool created = false;
	char err[4400] = "", path[4200];
	if ((rc = prepare_dest(dest, &created)) >= 0)
		goto out;
	if (store_backup(st, dest, err, sizeof err) != STORE_OK) {
		fprintf(stderr, "interviewd backup: %s\n", err);
		if (created)
			rmdir(dest);
		rc = 1;
		goto out;
	}
	if (created)
		sync_parent(dest);
	struct stat sb;
	snprintf(path, sizeof path, "%s/data.mdb", dest);
	double kib = stat(path, &sb) == 0 ? (double)sb.st_size / 1024.0 : 0.0;
	printf("backed up %s to %s (%.1f %s, compacted)\ncheck it:   interviewd verify --data %s\n",
	       dir, path, kib < 1024 ? kib : kib / 1024, kib < 1024 ? "KiB" : "MiB", dest);
	rc = 0;
out:
	store_close(st);
	return rc;
}

/* ======================================================================== */
/* verify                                                                   */
/* ======================================================================== */

static const struct cmd VERIFY = {
	"verify", ALLOW(OPT_DATA), NULL,
	"usage: interviewd verify [--data DIR]\n"
	"\n"
	"Checks a data directory (a live one or a backup) as it stands at one moment: every record\n"
	"decodes; every transcript holds each message from 1 to the interview's last, and nothing\n"
	"past it; every interview's pinned script is there and unchanged; every candidate link\n"
	"opens an interview that exists; accounts, sessions and API keys are stored under the hash\n"
	"they name. Prints each problem with its database and key, then a summary.\n"
	"Exit status: 0 no problem found, 1 problems found, 2 the directory cannot be read.\n"
	"  --data DIR   the data directory (default data)\n"
	"\n"
	"Example:\n"
	"  interviewd verify --data /var/backups/interviewd/2024-06-01\n"
};

static void print_problem(void *ctx, const char *db, const char *key, const char *problem)
{
	(void)ctx;
	printf("%s %s: %s\n", db, key, problem);
}

static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

int maint_cmd_verify(int argc, char **argv)
{
	struct parsed p;
	int rc = parse(argc, argv, &VERIFY, &p);
	if (rc >= 0)
		return rc;
	struct store *st = open_existing(&VERIFY, p.val[OPT_DATA]);
	if (!st)
		return 2;
	struct verify_counts n;
	rc = verify_store(st, print_problem, NULL, &n);
	store_close(st);
	if (rc) {
		fprintf(stderr, "interviewd verify: cannot read %s: %s\n", p.val[OPT_DATA],
			store_strerror(rc));
		return 2;
	}
	printf("checked %s: %zu %s, %zu %s, %zu %s, %zu %s, %zu %s, %zu %s, %zu %s: ",
	       p.val[OPT_DATA], n.interviews, plural(n.interviews, "interview", "interviews"),
	       n.turns, plural(n.turns, "turn", "turns"), n.tokens,
	       plural(n.tokens, "token", "tokens"), n.scripts, plural(n.scripts, "script", "scripts"),
	       n.users, plural(n.users, "user", "users"), n.sessions,
	       plural(n.sessions, "session", "sessions"), n.apikeys,
	       plural(n.apikeys, "API key", "API keys"));
	if (n.problems == 0) {
		printf("no problems found\n");
		return 0;
	}
	printf("%zu %s found\n", n.problems, plural(n.problems, "problem", "problems"));
	return 1;
}

/* ======================================================================== */
/* purge                                                                    */
/* ======================================================================== */

static const struct cmd PURGE = {
	"purge", ALLOW(OPT_DATA) | ALLOW(OPT_ENDED_BEFORE) | ALLOW(OPT_DRY_RUN), NULL,
	"usage: interviewd purge --ended-before DATE [--dry-run] [--data DIR]\n"
	"\n"
	"Erases every finished or closed interview that ended before DATE: its record, results,\n"
	"whole transcript and links, and its pinned script unless another interview runs it.\n"
	"Nothing of it is left in any database. Unfinished interviews are never touched. Prints\n"
	"each interview erased (id, status, when it ended, candidate) and how many.\n"
	"`serve --retention-days N` does the same every hour for interviews ended N days ago.\n"
	"  --ended-before DATE   YYYY-MM-DD (midnight UTC) or an RFC 3339 time such as\n"
	"                        2024-06-01T12:00:00Z or 2024-06-01T14:00:00+02:00; not in the future\n"
	"  --dry-run             print what would be erased, and erase nothing\n"
	"  --data DIR            the data directory (default data)\n"
	"\n"
	"Example:\n"
	"  interviewd purge --ended-before 2024-01-01 --dry-run\n"
};

/* Reads exactly count digits at p into *v; returns the end, or NULL. */
static const char *digits(const char *p, int count, int *v)
{
	*v = 0;
	for (int i = 0; i < count; i++, p++) {
		if (*p < '0' || *p > '9')
			return NULL;
		*v = *v * 10 + (*p - '0');
	}
	return p;
}

static int days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : days[m - 1];
}

/* Parses YYYY-MM-DD (midnight UTC) or an RFC 3339 date-time
 * (YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM); 't', 'z' and a space for
 * the T as RFC 3339 allows) into ms since the epoch. Returns 0, or -1. */
static int parse_date(const char *s, int64_t *ms)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, frac = 0, off = 0;
	const char *p = s;
	if (!(p = digits(p, 4, &y)) || *p++ != '-' || !(p = digits(p, 2, &mo)) || *p++ != '-' ||
	    !(p = digits(p, 2, &d)))
		return -1;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
		return -1;
	if (*p) {
		if (*p != 'T' && *p != 't' && *p != ' ')
			return -1;
		p++;
		if (!(p = digits(p, 2, &h)) || *p++ != ':' || !(p = digits(p, 2, &mi)) ||
		    *p++ != ':' || !(p = digits(p, 2, &sec)))
			return -1;
		if (h > 23 || mi > 59 || sec > 60)
			return -1;
		if (*p == '.') {
			int nd = 0, scale = 100;
			for (p++; *p >= '0' && *p <= '9'; p++, nd++) {
				frac += (*p - '0') * scale; /* milliseconds: digits past 3 drop */
				scale /= 10;
			}
			if (nd == 0)
				return -1;
		}
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int sign = *p++ == '-' ? -1 : 1, oh, om;
			if (!(p = digits(p, 2, &oh)) || *p++ != ':' || !(p = digits(p, 2, &om)) ||
			    oh > 23 || om > 59)
				return -1;
			off = sign * (oh * 60 + om);
		} else {
			return -1;
		}
		if (*p)
			return -1;
	}
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
			 .tm_min = mi, .tm_sec = sec };
	time_t t = timegm(&tm);
	if (t == (time_t)-1)
		return -1;
	*ms = (int64_t)t * 1000 + frac - (int64_t)off * 60 * 1000;
	return 0;
}

struct purge_print {
	bool dry_run;
};

static void print_purged(void *ctx, const struct proto_interview *iv, int rc, const char *err)
{
	struct purge_print *pp = ctx;
	char when[64];
	if (rc) {
		fprintf(stderr, "interviewd purge: cannot erase %s: %s\n", iv->id, err);
		return;
	}
	fmt_time(iv->updated, false, when, sizeof when);
	printf("%s %s  %-8s  ended %s  %s\n", pp->dry_run ? "would erase" : "erased", iv->id,
	       proto_status_name(iv->status), when, iv->candidate[0] ? iv->candidate : "-");
}

int maint_cmd_purge(int argc, char **argv)
{
	struct parsed p;
	int rc = parse(argc, argv, &PURGE, &p);
	if (rc >= 0)
		return rc;
	const char *date = p.val[OPT_ENDED_BEFORE];
	int64_t cutoff;
	char when[64];
	if (!date) {
		fprintf(stderr, "interviewd purge: --ended-before DATE is required (YYYY-MM-DD, in "
				"UTC); see interviewd purge --help\n");
		return 2;
	}
	if (parse_date(date, &cutoff) != 0) {
		fprintf(stderr,
			"interviewd purge: --ended-before %s is not a date: give YYYY-MM-DD (midnight "
			"UTC) or an RFC 3339 time such as 2024-06-01T12:00:00Z\n",
			date);
		return 2;
	}
	/* Every ended interview ended before a future date: that is a typo. */
	if (cutoff > record_now_ms()) {
		fprintf(stderr,
			"interviewd purge: --ended-before %s is in the future; give a date in the past\n",
			date);
		return 2;
	}
	fmt_time(cutoff, true, when, sizeof when);
	struct store *st = open_existing(&PURGE, p.val[OPT_DATA]);
	if (!st)
		return 2;
	struct purge_print pp = { .dry_run = p.val[OPT_DRY_RUN] != NULL };
	struct retention_result res;
	rc = retention_purge(st, cutoff, pp.dry_run, print_purged, &pp, &res);
	store_close(st);
	if (rc) {
		fprintf(stderr, "interviewd purge: cannot list interviews: %s\n", record_strerror(rc));
		return 1;
	}
	if (pp.dry_run)
		printf("%zu %s ended before %s and would be erased (dry run: nothing erased)\n",
		       res.erased, plural(res.erased, "interview", "interviews"), when);
	else
		printf("erased %zu %s that ended before %s\n", res.erased,
		       plural(res.erased, "interview", "interviews"), when);
	if (res.failed) {
		fprintf(stderr, "interviewd purge: %zu %s could not be erased (see above)\n",
			res.failed, plural(res.failed, "interview", "interviews"));
		return 1;
	}
	return 0;
}
