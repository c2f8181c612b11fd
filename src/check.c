/* check: a script explored with generated answers. See check.h.
 *
 * One complete run per path, from scratch each time (simple and
 * deterministic): a path is the answers to feed, and every question met past
 * them queues its other generated answers as new paths. Runs use the player
 * (play.h), so they meet the server's limits. A finding is reported once,
 * with the answers and the interview id that lead to it. */
#include "check.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "play.h"
#include "record.h"
#include "scriptdir.h"
#include "token.h"

#define CHECK_DRAWS 16        /* interview ids check explores under: pick() draws differ */
#define CHECK_MAX_RUNS 200    /* paths of the first draw */
#define CHECK_TOTAL_RUNS 400  /* paths of all draws: the others share what the first left */
#define CHECK_MAX_DEPTH 200
#define CHECK_INVALID_CHOICE "zzz-not-an-option"
#define CHECK_LONG_TEXT 2000

/* One generated answer, and whether the script should accept it. */
struct gen_answer {
	char *text;
	bool invalid;
};

/* A path still to run: the answers to feed, the opening message first. */
struct path {
	char **answers;
	size_t n;
	bool has_invalid;
};

struct path_queue {
	struct path *v;
	size_t head, n, cap;
};

static void path_free(struct path *pa)
{
	play_strv_free(pa->answers, pa->n);
	memset(pa, 0, sizeof *pa);
}

/* ---- generated answers --------------------------------------------------- */

static void gen_add(struct gen_answer *g, size_t *n, const char *text, bool invalid)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp(g[i].text, text) == 0)
			return;
	g[*n].text = play_strdup(text);
	g[(*n)++].invalid = invalid;
}

static void gen_add_number(struct gen_answer *g, size_t *n, double v, const struct play_ask *a)
{
	char buf[64];
	snprintf(buf, sizeof buf, "%.15g", v);
	bool invalid = (a->has_min && v < a->min) || (a->has_max && v > a->max);
	gen_add(g, n, buf, invalid);
}

/* The answers tried at a question; the first is the one a path takes by
 * default. Returns how many (at most 16 + choices); free each text. */
static size_t gen_answers(const struct play_ask *a, struct gen_answer **out)
{
	size_t cap = 16 + (a->set ? a->nchoices : 0), n = 0;
	struct gen_answer *g = play_realloc(NULL, cap * sizeof *g);
	if (!a->set || a->type == SCRIPT_ASK_TEXT) {
		gen_add(g, &n, "sample answer", false);
		char *long_text = play_realloc(NULL, CHECK_LONG_TEXT + 1);
		static const char words[] = "a long and detailed answer ";
		for (size_t i = 0; i < CHECK_LONG_TEXT; i++)
			long_text[i] = words[i % (sizeof words - 1)];
		long_text[CHECK_LONG_TEXT] = '\0';
		gen_add(g, &n, long_text, false);
		free(long_text);
	} else if (a->type == SCRIPT_ASK_CHOICE) {
		for (size_t i = 0; i < a->nchoices; i++)
			gen_add(g, &n, a->choices[i], false);
		gen_add(g, &n, CHECK_INVALID_CHOICE, true);
	} else {
		if (a->has_min && a->has_max)
			gen_add_number(g, &n, floor((a->min + a->max) / 2), a);
		if (a->has_min) {
			gen_add_number(g, &n, a->min, a);
			gen_add_number(g, &n, a->min - 1, a);
		}
		if (a->has_max) {
			gen_add_number(g, &n, a->max, a);
			gen_add_number(g, &n, a->max + 1, a);
		}
		if (!a->has_min || !a->has_max) {
			gen_add_number(g, &n, 0, a);
			gen_add_number(g, &n, 1, a);
			gen_add_number(g, &n, 100, a);
			gen_add_number(g, &n, -1, a);
		}
		gen_add(g, &n, "not a number", true);
		/* The default answer should be one the script accepts. */
		for (size_t i = 0; i < n; i++)
			if (!g[i].invalid) {
				struct gen_answer t = g[0];
				g[0] = g[i];
				g[i] = t;
				break;
			}
	}
	*out = g;
	return n;
}

static void queue_push(struct path_queue *q, char **prefix, size_t n, const char *next,
		       bool has_invalid)
{
	if (q->n == q->cap) {
		q->cap = q->cap ? 2 * q->cap : 64;
		q->v = play_realloc(q->v, q->cap * sizeof *q->v);
	}
	struct path *pa = &q->v[q->n++];
	pa->answers = play_realloc(NULL, (n + 1) * sizeof *pa->answers);
	for (size_t i = 0; i < n; i++)
		pa->answers[i] = play_strdup(prefix[i]);
	pa->answers[n] = play_strdup(next);
	pa->n = n + 1;
	pa->has_invalid = has_invalid;
}

/* ---- runs and findings --------------------------------------------------- */

struct findings {
	char **msgs;
	size_t n;
	/* Conversations (play.conv) that ended in a finding: a later draw that
	 * reaches one has the same finding, without paying for the run again (a
	 * run that trips a limit takes a good part of a second). */
	uint64_t *convs;
	size_t nconvs;
};

static void conv_add(struct findings *fs, uint64_t conv)
{
	fs->convs = play_realloc(fs->convs, (fs->nconvs + 1) * sizeof *fs->convs);
	fs->convs[fs->nconvs++] = conv;
}

static bool conv_known(const struct findings *fs, uint64_t conv)
{
	for (size_t i = 0; i < fs->nconvs; i++)
		if (fs->convs[i] == conv)
			return true;
	return false;
}

static bool finding_seen(struct findings *fs, const char *msg)
{
	for (size_t i = 0; i < fs->n; i++)
		if (strcmp(fs->msgs[i], msg) == 0)
			return true;
	play_strv_push(&fs->msgs, &fs->n, msg);
	return false;
}

static void print_answers(FILE *f, char *const *answers, size_t n)
{
	fputs("  answers: [", f);
	size_t shown = n > 30 ? 30 : n;
	/* cppcheck thinks n < 1 here; a path can hold up to 201 answers. */
	// cppcheck-suppress knownConditionTrueFalse
	for (size_t i = 0; i < shown; i++) {
		if (i)
			fputs(", ", f);
		play_put_quoted(f, answers[i], 40);
	}
	// cppcheck-suppress knownConditionTrueFalse
	if (shown < n)
		fprintf(f, ", ... %zu more", n - shown);
	fputs("]\n", f);
}

/* Interview id of draw k (0-based): "0000000000000000", "0000000000000001", ...
 * Draw 0 is what try plays by default; try --id replays any other. */
static void draw_id(unsigned k, char id[TOKEN_ID_LEN + 1])
{
	snprintf(id, TOKEN_ID_LEN + 1, "%0*x", TOKEN_ID_LEN, k);
}

static void print_draw(FILE *f, const char *file, unsigned draw)
{
	char id[TOKEN_ID_LEN + 1];
	draw_id(draw, id);
	fprintf(f, "  draw %u of %d, interview id %s: replay it with interviewd try %s --id %s\n",
		draw + 1, CHECK_DRAWS, id, file, id);
}

enum run_result { RUN_CLEAN, RUN_NEW_FINDING, RUN_KNOWN_FINDING };

/* Runs one path to its end under one draw: its answers first, then each
 * question's default answer. Alternatives met past the prefix are queued. */
static enum run_result check_run(const char *file, const char *src, size_t len, unsigned draw,
				 struct path *pa, struct path_queue *q, size_t budget,
				 struct findings *fs, struct findings *notes)
{
	struct play p;
	enum run_result found = RUN_CLEAN;
	char msg[1024], id[TOKEN_ID_LEN + 1];
	char **fed = NULL;
	size_t nfed = 0;
	bool has_invalid = pa->has_invalid;
	int stuck = 0;
	draw_id(draw, id);
	if (play_open(&p, file, src, len, id, "") != 0)
		goto out; /* compiled once already; the host ran out of memory */
	fed = play_realloc(NULL, (CHECK_MAX_DEPTH + 1) * sizeof *fed);
	while (nfed <= CHECK_MAX_DEPTH && !p.finished) {
		const char *answer;
		if (nfed < pa->n) {
			answer = pa->answers[nfed];
		} else if (nfed == 0) {
			answer = PLAY_OPENING_MESSAGE;
		} else {
			/* The default is the first answer the script may accept; after
			 * a re-ask, the next one. Alternatives are queued once. */
			struct gen_answer *g = NULL;
			size_t ng = gen_answers(&p.pending, &g), d = ng, valid = 0;
			for (size_t i = 0; i < ng && d == ng; i++)
				if (!g[i].invalid && valid++ == (size_t)stuck)
					d = i;
			for (size_t i = 0; i < ng && !stuck; i++)
				if (i != d && q->n - q->head < budget && (!g[i].invalid || !has_invalid))
					queue_push(q, fed, nfed, g[i].text, has_invalid || g[i].invalid);
			if (d < ng) {
				fed[nfed] = g[d].text;
				g[d].text = NULL;
			}
			for (size_t i = 0; i < ng; i++)
				free(g[i].text);
			free(g);
			/* No generated answer passes its validation: the script may
			 * insist on a real one; that is not a finding. */
			if (d == ng) {
				snprintf(msg, sizeof msg, "%s:%d: note: no generated answer passes the "
					 "validation of this question, so check cannot explore past it",
					 file, p.pending.line);
				if (!finding_seen(notes, msg))
					printf("%s\n", msg);
				goto out;
			}
			answer = NULL;
		}
		if (answer)
			fed[nfed] = play_strdup(answer);
		if (conv_known(fs, play_conv_after(&p, fed[nfed]))) {
			nfed++;
			found = RUN_KNOWN_FINDING;
			goto out;
		}
		struct play_fed fi;
		int rc = play_feed(&p, fed[nfed++], &fi);
		if (rc != 0) {
			play_format_error(msg, sizeof msg, file, &p.err);
			conv_add(fs, p.conv);
			found = RUN_KNOWN_FINDING;
			if (!finding_seen(fs, msg)) {
				printf("%s\n", msg);
				print_answers(stdout, fed, nfed);
				print_draw(stdout, file, draw);
				found = RUN_NEW_FINDING;
			}
			goto out;
		}
		stuck = fi.reasked && nfed >= pa->n ? stuck + 1 : 0;
	}
	if (!p.finished) {
		/* One finding per looping question, whatever its text says. */
		snprintf(msg, sizeof msg, "%s:%d: does not finish", file, p.pending.line);
		found = RUN_KNOWN_FINDING;
		if (!finding_seen(fs, msg)) {
			printf("%s: does not finish after %d answers: the last question was line %d, ",
			       file, CHECK_MAX_DEPTH, p.pending.line);
			play_put_text(stdout, p.pending.text ? p.pending.text : "");
			fputc('\n', stdout);
			print_answers(stdout, fed, nfed);
			print_draw(stdout, file, draw);
			found = RUN_NEW_FINDING;
		}
	}
out:
	play_strv_free(fed, nfed);
	play_close(&p);
	return found;
}

/* Explores one draw: the default path, then queued alternatives, up to
 * bound runs. A later draw is there to find what earlier ones could not
 * reach, so it stops at the first finding already reported (what follows is
 * most likely more of the same, and a run that trips a limit is slow).
 * Returns the number of runs. */
static size_t check_draw(const char *file, const char *src, size_t len, unsigned draw,
			 size_t bound, struct findings *fs, struct findings *notes)
{
	struct path_queue q = { 0 };
	size_t runs = 0;
	while (runs < bound) {
		/* A copy: the run queues more paths, which may move q.v. */
		struct path pa = { 0 };
		if (runs > 0) {
			if (q.head == q.n)
				break;
			pa = q.v[q.head++];
		}
		runs++;
		enum run_result res = check_run(file, src, len, draw, &pa, &q, bound - runs, fs, notes);
		path_free(&pa);
		if (draw > 0 && res == RUN_KNOWN_FINDING)
			break;
	}
	for (size_t i = q.head; i < q.n; i++)
		path_free(&q.v[i]);
	free(q.v);
	return runs;
}

static int check_file(const char *file)
{
	char *src = NULL;
	size_t len = 0;
	char err[1024];
	struct findings fs = { 0 }, notes = { 0 };
	size_t runs = 0;
	int rc = 1;
	if (scriptdir_read_file(file, file, &src, &len, err, sizeof err) != 0) {
		printf("%s\n", err);
		goto out;
	}
	struct play p;
	if (play_open(&p, file, src, len, PLAY_ID, "") != 0) {
		play_format_error(err, sizeof err, file, &p.err);
		printf("%s\n", err);
		play_close(&p);
		goto out;
	}
	play_close(&p);

	/* pick() and math.random draw from the interview id: explore several,
	 * so a question only some interviews are asked gets run too. */
	for (unsigned draw = 0; draw < CHECK_DRAWS; draw++) {
		size_t bound = draw == 0 ? CHECK_MAX_RUNS
					 : (CHECK_TOTAL_RUNS - runs) / (CHECK_DRAWS - draw);
		runs += check_draw(file, src, len, draw, bound, &fs, &notes);
	}
	printf("%s: %zu paths explored in %d draws, %zu finding%s\n", file, runs, CHECK_DRAWS, fs.n,
	       fs.n == 1 ? "" : "s");
	rc = fs.n ? 1 : 0;
out:
	play_strv_free(fs.msgs, fs.n);
	free(fs.convs);
	play_strv_free(notes.msgs, notes.n);
	free(src);
	return rc;
}

/* ---- the command --------------------------------------------------------- */

int check_cmd(int argc, char **argv)
{
	static const char usage[] =
		"usage: interviewd check FILE...\n"
		"Compiles each script in the server's sandbox, then runs it with generated\n"
		"answers: every option of each choose(), numbers at and beyond each\n"
		"ask_number() bound, a short and a long text for ask(); up to 200 runs of up\n"
		"to 200 answers each, then up to 200 more spread over 15 other interview ids,\n"
		"since pick() and math.random draw differently for each. Reports syntax\n"
		"errors, runtime errors, scripts that run too long or use too much memory,\n"
		"turns the server would refuse (a transcript past 5000 entries, results past\n"
		"1 MiB) and interviews that never end, as FILE:LINE with the answers and\n"
		"the interview id that lead there (try --id replays it). Exit 1 on any finding.\n";
	int files = 0, rc = 0;
	for (int i = 1; i < argc; i++) {
		if (play_is_help(argv[i])) {
			fputs(usage, stdout);
			return 0;
		}
		int skip = play_dir_option(argc, argv, i);
		if (skip) {
			i += skip - 1;
			continue;
		}
		if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "check: unknown option %s\n%s", argv[i], usage);
			return 2;
		}
	}
	for (int i = 1; i < argc; i++) {
		int skip = play_dir_option(argc, argv, i);
		if (skip) {
			i += skip - 1;
			continue;
		}
		files++;
		if (check_file(argv[i]) != 0)
			rc = 1;
		fflush(stdout);
	}
	if (!files) {
		fputs(usage, stderr);
		return 2;
	}
	return rc;
}
