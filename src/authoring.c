/* authoring: check, try, replay and migrate. See authoring.h.
 *
 * All four drive a script the way the engine does, through one small player
 * (struct play): open the source in the script host's sandbox with the same
 * limits, feed candidate messages one at a time, and turn the events into the
 * transcript turns and results (scores, notes, tags, answers) the engine would
 * record. check runs the player on generated answers, one complete run per
 * path, from scratch each time (simple and deterministic); try prints what it
 * produced; replay and migrate compare it with what the store recorded. Lua,
 * cJSON and LMDB stay behind script.h, proto.h and record.h. */
#include "authoring.h"

#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <math.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "proto.h"
#include "record.h"
#include "script.h"
#include "store.h"
#include "text.h"
#include "token.h"
#include "turn.h"

#define OPENING_MESSAGE "Hello"   /* what a candidate's first message is taken to be */
#define PLAY_ID "0000000000000000" /* interview id (and so math.random seed) of try; check's first draw */
#define CHECK_DRAWS 16        /* interview ids check explores under: pick() draws differ */
#define CHECK_MAX_RUNS 200    /* paths of the first draw */
#define CHECK_TOTAL_RUNS 400  /* paths of all draws: the others share what the first left */
#define CHECK_MAX_DEPTH 200
#define CHECK_INVALID_CHOICE "zzz-not-an-option"
#define CHECK_LONG_TEXT 2000
#define SHOW_TEXT_MAX 80     /* characters of a message quoted in a report */

/* ======================================================================== */
/* Small helpers                                                            */
/* ======================================================================== */

static char *xstrdup(const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

static void oom(void)
{
	fprintf(stderr, "interviewd: out of memory\n");
	exit(2);
}

static char *must_strdup(const char *s)
{
	char *d = xstrdup(s ? s : "");
	if (!d)
		oom();
	return d;
}

static void *must_realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom();
	return q;
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static char **dup_strv(char *const *v, size_t n)
{
	if (!n)
		return NULL;
	char **d = must_realloc(NULL, n * sizeof *d);
	for (size_t i = 0; i < n; i++)
		d[i] = must_strdup(v[i]);
	return d;
}

static void strv_push(char ***v, size_t *n, const char *s)
{
	*v = must_realloc(*v, (*n + 1) * sizeof **v);
	(*v)[(*n)++] = must_strdup(s);
}

static bool strv_equal(char *const *a, size_t na, char *const *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (strcmp(a[i], b[i]) != 0)
			return false;
	return true;
}

static bool str_eq(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}


/* "FILE:LINE: message" for a script error; the host already puts the place
 * in front when it knows it. */
static void format_error(char *buf, size_t n, const char *chunk, const struct script_error *e)
{
	size_t cl = strlen(chunk);
	if (strncmp(e->message, chunk, cl) == 0 && e->message[cl] == ':')
		snprintf(buf, n, "%s", e->message);
	else if (e->line > 0)
		snprintf(buf, n, "%s:%d: %s", chunk, e->line, e->message);
	else
		snprintf(buf, n, "%s: %s", chunk, e->message);
}

/* Appends s as a JSON-style quoted string, shortened to at most max bytes at
 * a character boundary (SIZE_MAX: never), so a report stays valid UTF-8.
 * Newlines show as \n so a report stays one line. */
static void put_quoted(FILE *f, const char *s, size_t max)
{
	size_t len = strlen(s);
	size_t show = text_utf8_cut(s, len, max);
	fputc('"', f);
	for (size_t i = 0; i < show; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	if (show < len) {
		fprintf(f, "...\" (%zu characters)", len);
		return;
	}
	fputc('"', f);
}

static void put_text(FILE *f, const char *s) { put_quoted(f, s, SHOW_TEXT_MAX); }

static void put_turn(FILE *f, const struct proto_turn *t)
{
	if (t->role == PROTO_ROLE_CANDIDATE)
		fputs("candidate message ", f);
	else
		fprintf(f, "%s ", proto_kind_name(t->kind));
	put_text(f, t->text);
	if (t->nchoices) {
		fputs(" [", f);
		for (size_t i = 0; i < t->nchoices; i++)
			fprintf(f, "%s%s", i ? ", " : "", t->choices[i]);
		fputc(']', f);
	}
}

/* ======================================================================== */
/* The player: a script run as the engine runs it                           */
/* ======================================================================== */

/* The question the script is waiting on (a copy of its ASK event). */
struct ask_info {
	bool set;
	enum script_ask_type type;
	char *text;
	char **choices;
	size_t nchoices;
	bool has_min, has_max;
	double min, max;
	int line;
	size_t index; /* answers accepted before it was asked: which question it is */
};

static void ask_clear(struct ask_info *a)
{
	free(a->text);
	free_strv(a->choices, a->nchoices);
	memset(a, 0, sizeof *a);
}

static void ask_copy(struct ask_info *a, const struct script_event *ev, size_t index)
{
	ask_clear(a);
	a->set = true;
	a->type = ev->ask_type;
	a->text = must_strdup(ev->text);
	a->choices = dup_strv(ev->choices, ev->nchoices);
	a->nchoices = ev->nchoices;
	a->has_min = ev->has_min;
	a->has_max = ev->has_max;
	a->min = ev->min;
	a->max = ev->max;
	a->line = ev->line;
	a->index = index;
}

/* The same question in the same place: the same kind, the same options and
 * as many answers taken before it, which is what decides how the next answer
 * is consumed and where it is recorded. Wording is not part of it: fixing a
 * typo is what migrate is for. */
static bool ask_same_place(const struct ask_info *a, const struct ask_info *b)
{
	if (a->set != b->set)
		return false;
	if (!a->set)
		return true;
	return a->type == b->type && a->index == b->index &&
	       strv_equal(a->choices, a->nchoices, b->choices, b->nchoices);
}

static const char *ask_type_name(enum script_ask_type t)
{
	switch (t) {
	case SCRIPT_ASK_CHOICE:
		return "choose";
	case SCRIPT_ASK_NUMBER:
		return "ask_number";
	case SCRIPT_ASK_TEXT:
		break;
	}
	return "ask";
}

struct play {
	struct script *s;
	char *chunk;
	struct proto_interview iv; /* results, kept as the engine keeps them */
	struct turn_log log;       /* the transcript, as the engine records it */
	char *section;
	struct ask_info pending;
	size_t accepted; /* answers the script has taken, all feeds together */
	bool finished;
	bool failed;
	struct script_error err;
	size_t feeds;
	uint64_t conv; /* hash of every turn so far: the conversation as seen */
};

/* What one feed did. */
struct feed_info {
	size_t first_bot; /* index in play.log of its first bot message */
	size_t nbot;
	size_t accepted;  /* ANSWER events: the host emits one for every answer taken */
	bool reasked;     /* the answer was not taken: the question is asked again */
};

static void play_close(struct play *p)
{
	script_close(p->s);
	free(p->chunk);
	proto_interview_free(&p->iv);
	turn_log_free(&p->log);
	free(p->section);
	ask_clear(&p->pending);
	memset(p, 0, sizeof *p);
}

/* Compiles src. Returns 0 or a SCRIPT_E* code with p->err filled. */
static int play_open(struct play *p, const char *chunk, const char *src, size_t len,
		     const char *id, const char *candidate)
{
	memset(p, 0, sizeof *p);
	p->chunk = must_strdup(chunk);
	p->iv.id = must_strdup(id);
	p->iv.candidate = must_strdup(candidate);
	p->iv.next_seq = 1;
	p->conv = 0xcbf29ce484222325ULL;
	struct script_env env = {
		.interview_id = id,
		.candidate_name = candidate ? candidate : "",
		.seed = token_seed(id),
	};
	int rc = script_open(&p->s, chunk, src, len, &env, &p->err);
	if (rc != 0)
		p->failed = true;
	return rc;
}

/* FNV-1a over s and its terminating NUL, so "ab","c" and "a","bc" differ. */
static uint64_t hash_str(uint64_t h, const char *s)
{
	const unsigned char *c = (const unsigned char *)(s ? s : "");
	do {
		h ^= *c;
		h *= 0x100000001b3ULL;
	} while (*c++);
	return h;
}

static uint64_t hash_turn(uint64_t h, enum proto_role role, enum proto_kind kind, const char *text)
{
	return hash_str(hash_str(hash_str(h, proto_role_name(role)), proto_kind_name(kind)), text);
}

/* Adds t to the transcript and to the conversation's hash. */
static void play_record(struct play *p, struct turn *t)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct proto_turn *e = &t->v[i];
		p->conv = hash_turn(p->conv, e->role, e->kind, e->text);
		for (size_t k = 0; k < e->nchoices; k++)
			p->conv = hash_str(p->conv, e->choices[k]);
	}
	if (turn_log_append(&p->log, t) != 0)
		oom();
}

/* Feeds one candidate message: the candidate turn, then every bot message
 * and result it caused, built as the engine builds them (turn.h), limits
 * included. The candidate turn is kept even when the script fails on it or a
 * limit refuses it, so a report can show it. Returns 0, or a SCRIPT_E* or
 * TURN_E* code (p->failed set, p->err filled). */
static int play_feed(struct play *p, const char *text, struct feed_info *fi)
{
	struct script_output out = { 0 };
	struct turn t = { 0 };
	struct ask_info before = p->pending;
	memset(&p->pending, 0, sizeof p->pending);
	memset(fi, 0, sizeof *fi);
	int rc = SCRIPT_EDEAD;
	if (p->failed)
		goto out;
	if (turn_begin(&t, &p->iv, p->section, text, NULL, 0) != 0)
		oom();
	bool by_script = false;
	rc = turn_log_room(&p->log, strlen(text));
	if (rc == 0)
		by_script = (rc = script_feed(p->s, text, strlen(text), &out, &p->err)) != 0;
	if (rc == 0)
		rc = turn_apply(&t, &p->iv, &p->section, &out);
	if (rc == TURN_ENOMEM)
		oom();
	if (rc != 0) {
		if (!by_script) /* a limit refused the turn: say which, as the server does */
			turn_describe(&p->err, p->chunk, rc);
		p->failed = true;
		while (t.n > 1)
			proto_turn_free(&t.v[--t.n]);
		p->iv.next_seq = t.v[0].seq + 1; /* shown as sent */
		play_record(p, &t);
		goto out;
	}
	fi->first_bot = p->log.n + 1;
	fi->nbot = t.n - 1;
	play_record(p, &t);
	bool asked = false;
	for (size_t i = 0; i < out.n; i++) {
		const struct script_event *ev = &out.events[i];
		if (ev->kind == SCRIPT_EV_ASK) {
			ask_copy(&p->pending, ev, p->accepted);
			asked = true;
		} else if (ev->kind == SCRIPT_EV_ANSWER) {
			fi->accepted++;
			p->accepted++;
		}
	}
	p->finished = out.finished;
	/* Every answer taken emits ANSWER; an answer to a question that was not
	 * taken leaves the script in converse(), asking again (whatever else a
	 * validate function emitted on the way). */
	fi->reasked = p->feeds > 0 && before.set && !fi->accepted && !p->finished;
	if (!asked && !p->finished) {
		/* Waiting without a new question: still on the old one. */
		p->pending = before;
		memset(&before, 0, sizeof before);
	}
out:
	p->feeds++;
	ask_clear(&before);
	turn_free(&t);
	script_output_free(&out);
	return rc;
}

/* ======================================================================== */
/* Printing a transcript and its results                                    */
/* ======================================================================== */

static void print_indented(FILE *f, const char *text, const char *indent)
{
	for (const char *s = text; *s; s++) {
		fputc(*s, f);
		if (*s == '\n')
			fputs(indent, f);
	}
}

static void print_turns(FILE *f, const struct play *p, size_t from, const char *prev_section)
{
	const char *section = prev_section;
	for (size_t i = from; i < p->log.n; i++) {
		const struct proto_turn *t = &p->log.v[i];
		if (t->section && !str_eq(t->section, section))
			fprintf(f, "-- section: %s\n", t->section);
		section = t->section;
		fprintf(f, "%3" PRIu64 " %-9s %-7s ", t->seq, proto_role_name(t->role),
			proto_kind_name(t->kind));
		print_indented(f, t->text, "                      ");
		fputc('\n', f);
		for (size_t k = 0; k < t->nchoices; k++)
			fprintf(f, "                      %zu) %s\n", k + 1, t->choices[k]);
	}
}

static void print_results(FILE *f, const struct proto_interview *iv)
{
	fprintf(f, "status: %s\n", proto_status_name(iv->status));
	fputs("answers:", f);
	fputs(iv->nanswers ? "\n" : " none\n", f);
	for (size_t i = 0; i < iv->nanswers; i++) {
		fprintf(f, "  %s = ", iv->answers[i].id);
		put_quoted(f, iv->answers[i].text, SIZE_MAX);
		fputc('\n', f);
	}
	fputs("scores:", f);
	fputs(iv->nscores ? "\n" : " none\n", f);
	for (size_t i = 0; i < iv->nscores; i++)
		fprintf(f, "  %s = %.15g\n", iv->scores[i].name, iv->scores[i].value);
	fputs("notes:", f);
	fputs(iv->nnotes ? "\n" : " none\n", f);
	for (size_t i = 0; i < iv->nnotes; i++) {
		fputs("  - ", f);
		print_indented(f, iv->notes[i], "    ");
		fputc('\n', f);
	}
	fputs("tags:", f);
	for (size_t i = 0; i < iv->ntags; i++)
		fprintf(f, " %s", iv->tags[i]);
	fputs(iv->ntags ? "\n" : " none\n", f);
}

/* ======================================================================== */
/* check                                                                    */
/* ======================================================================== */

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
	free_strv(pa->answers, pa->n);
	memset(pa, 0, sizeof *pa);
}

static void gen_add(struct gen_answer *g, size_t *n, const char *text, bool invalid)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp(g[i].text, text) == 0)
			return;
	g[*n].text = must_strdup(text);
	g[(*n)++].invalid = invalid;
}

static void gen_add_number(struct gen_answer *g, size_t *n, double v, const struct ask_info *a)
{
	char buf[64];
	snprintf(buf, sizeof buf, "%.15g", v);
	bool invalid = (a->has_min && v < a->min) || (a->has_max && v > a->max);
	gen_add(g, n, buf, invalid);
}

/* The answers tried at a question; the first is the one a path takes by
 * default. Returns how many (at most 16 + choices); free each text. */
static size_t gen_answers(const struct ask_info *a, struct gen_answer **out)
{
	size_t cap = 16 + (a->set ? a->nchoices : 0), n = 0;
	struct gen_answer *g = must_realloc(NULL, cap * sizeof *g);
	if (!a->set || a->type == SCRIPT_ASK_TEXT) {
		gen_add(g, &n, "sample answer", false);
		char *long_text = must_realloc(NULL, CHECK_LONG_TEXT + 1);
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
		q->v = must_realloc(q->v, q->cap * sizeof *q->v);
	}
	struct path *pa = &q->v[q->n++];
	pa->answers = must_realloc(NULL, (n + 1) * sizeof *pa->answers);
	for (size_t i = 0; i < n; i++)
		pa->answers[i] = must_strdup(prefix[i]);
	pa->answers[n] = must_strdup(next);
	pa->n = n + 1;
	pa->has_invalid = has_invalid;
}

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
	fs->convs = must_realloc(fs->convs, (fs->nconvs + 1) * sizeof *fs->convs);
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
	strv_push(&fs->msgs, &fs->n, msg);
	return false;
}

static void print_answers(FILE *f, char *const *answers, size_t n)
{
	fputs("  answers: [", f);
	size_t shown = n > 30 ? 30 : n;
	for (size_t i = 0; i < shown; i++) {
		if (i)
			fputs(", ", f);
		put_quoted(f, answers[i], 40);
	}
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
	fed = must_realloc(NULL, (CHECK_MAX_DEPTH + 1) * sizeof *fed);
	while (nfed <= CHECK_MAX_DEPTH && !p.finished) {
		const char *answer;
		if (nfed < pa->n) {
			answer = pa->answers[nfed];
		} else if (nfed == 0) {
			answer = OPENING_MESSAGE;
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
			fed[nfed] = must_strdup(answer);
		if (conv_known(fs, hash_turn(p.conv, PROTO_ROLE_CANDIDATE, PROTO_KIND_MESSAGE, fed[nfed]))) {
			nfed++;
			found = RUN_KNOWN_FINDING;
			goto out;
		}
		struct feed_info fi;
		int rc = play_feed(&p, fed[nfed++], &fi);
		if (rc != 0) {
			format_error(msg, sizeof msg, file, &p.err);
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
			put_text(stdout, p.pending.text ? p.pending.text : "");
			fputc('\n', stdout);
			print_answers(stdout, fed, nfed);
			print_draw(stdout, file, draw);
			found = RUN_NEW_FINDING;
		}
	}
out:
	free_strv(fed, nfed);
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
	if (record_read_script(file, file, &src, &len, err, sizeof err) != 0) {
		printf("%s\n", err);
		goto out;
	}
	struct play p;
	if (play_open(&p, file, src, len, PLAY_ID, "") != 0) {
		format_error(err, sizeof err, file, &p.err);
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
	free_strv(fs.msgs, fs.n);
	free(fs.convs);
	free_strv(notes.msgs, notes.n);
	free(src);
	return rc;
}

static bool is_help(const char *a)
{
	return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0;
}

/* Every command accepts --data DIR and --scripts DIR (README); check and try
 * read neither, so they take and ignore them. Returns how many arguments
 * starting at argv[i] it consumed. */
static int unused_dir_option(int argc, char **argv, int i)
{
	if ((strcmp(argv[i], "--data") == 0 || strcmp(argv[i], "--scripts") == 0) && i + 1 < argc)
		return 2;
	if (strncmp(argv[i], "--data=", 7) == 0 || strncmp(argv[i], "--scripts=", 10) == 0)
		return 1;
	return 0;
}

int authoring_cmd_check(int argc, char **argv)
{
	static const char usage[] =
		"usage: interviewd check FILE...\n"
		"Compiles each script in the server's sandbox, then runs it with generated\n"
		"answers: every option of each choose(), numbers at and beyond each\n"
		"ask_number() bound, a short and a long text for ask(); up to 200 runs of up\n"
		"to 200 answers each, then up to 200 more spread over 15 other interview ids,\n"
		"since pick() and math.random draw differently for each. Reports syntax\n"
		"errors, runtime errors, scripts that run too long or use too much memory,\n"
		"and interviews that never end, as FILE:LINE with the answers and the\n"
		"interview id that lead there (try --id replays it). Exit 1 on any finding.\n";
	int files = 0, rc = 0;
	for (int i = 1; i < argc; i++) {
		if (is_help(argv[i])) {
			fputs(usage, stdout);
			return 0;
		}
		int skip = unused_dir_option(argc, argv, i);
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
		int skip = unused_dir_option(argc, argv, i);
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

/* ======================================================================== */
/* try                                                                      */
/* ======================================================================== */

/* Reads one line without its newline; NULL at end of input. */
static char *read_line(FILE *f)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, f);
	if (n < 0) {
		free(line);
		return NULL;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

static void print_bot_live(const struct play *p, size_t from)
{
	for (size_t i = from; i < p->log.n; i++) {
		const struct proto_turn *t = &p->log.v[i];
		if (t->role != PROTO_ROLE_BOT)
			continue;
		fputs("bot> ", stdout);
		print_indented(stdout, t->text, "     ");
		fputc('\n', stdout);
		for (size_t k = 0; k < t->nchoices; k++)
			printf("  %zu) %s\n", k + 1, t->choices[k]);
	}
}

static int try_interactive(struct play *p, FILE *in)
{
	printf("Playing %s. Press Enter to start (or type the candidate's first message); "
	       "end of input (Ctrl-D) stops.\n", p->chunk);
	while (!p->finished) {
		fputs("you> ", stdout);
		fflush(stdout);
		char *line = read_line(in);
		if (!line) {
			printf("\n(stopped before the end of the interview)\n");
			return 0;
		}
		if (!isatty(fileno(in)))
			printf("%s\n", line); /* piped input: show it as if typed */
		const char *text = line;
		if (p->feeds == 0 && !*line)
			text = OPENING_MESSAGE;
		if (!*text) {
			printf("(the server does not accept empty messages; type an answer)\n");
			free(line);
			continue;
		}
		struct feed_info fi;
		size_t from = p->log.n;
		int rc = play_feed(p, text, &fi);
		free(line);
		if (rc != 0) {
			char msg[1024];
			format_error(msg, sizeof msg, p->chunk, &p->err);
			fprintf(stderr, "error: %s\n%s\n", msg, p->err.traceback);
			return 1;
		}
		print_bot_live(p, from);
	}
	printf("(the interview is over)\n");
	print_results(stdout, &p->iv);
	return 0;
}

static int try_answers(struct play *p, const char *answers_path, bool json, const char *hash)
{
	int rc = 1;
	char msg[1024];
	size_t lineno = 0, unused = 0;
	FILE *in = fopen(answers_path, "r");
	if (!in) {
		fprintf(stderr, "try: cannot open %s: %s\n", answers_path, strerror(errno));
		return 2;
	}
	msg[0] = '\0';
	char *line;
	while ((line = read_line(in))) {
		lineno++;
		if (p->finished) {
			unused++;
			free(line);
			continue;
		}
		if (!*line) {
			snprintf(msg, sizeof msg,
				 "%s:%zu: empty answer (the server does not accept empty messages)",
				 answers_path, lineno);
			free(line);
			goto done;
		}
		struct feed_info fi;
		int frc = play_feed(p, line, &fi);
		free(line);
		if (frc != 0) {
			format_error(msg, sizeof msg, p->chunk, &p->err);
			goto done;
		}
	}
	if (!p->finished) {
		if (p->feeds == 0)
			snprintf(msg, sizeof msg, "%s is empty: its first line is the candidate's opening "
				 "message", answers_path);
		else
			snprintf(msg, sizeof msg,
				 "answers ran out at seq %" PRIu64 ": the script is waiting for: %.300s",
				 p->iv.next_seq, p->pending.text ? p->pending.text : "(an answer)");
		goto done;
	}
	rc = 0;
done:
	if (json) {
		free(p->iv.script_hash);
		p->iv.script_hash = must_strdup(hash);
		if (msg[0]) {
			free(p->iv.last_error);
			p->iv.last_error = must_strdup(msg);
		}
		char *s = proto_cli_show(&p->iv, p->log.v, p->log.n);
		if (!s)
			oom();
		printf("%s\n", s);
		free(s);
	} else {
		print_turns(stdout, p, 0, NULL);
		print_results(stdout, &p->iv);
		if (unused)
			printf("note: the interview finished with %zu answers left unused\n", unused);
	}
	if (msg[0]) {
		fprintf(stderr, "%s\n", msg);
		if (p->failed && p->err.traceback[0])
			fprintf(stderr, "%s\n", p->err.traceback);
	}
	fclose(in);
	return rc;
}

/* "scripts/demo.lua" -> "demo" */
static char *script_name_of(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	char *name = must_strdup(base);
	size_t n = strlen(name);
	if (n > 4 && strcmp(name + n - 4, ".lua") == 0)
		name[n - 4] = '\0';
	return name;
}

/* One play of FILE: unattended from answers when given, else interactive. */
static int try_once(const char *file, const char *answers, bool json, const char *id,
		    const char *candidate)
{
	char *src = NULL, *name = NULL;
	size_t len = 0;
	char err[1024], hash[TOKEN_DIGEST_HEX + 1];
	int rc = 1;
	struct play p;
	memset(&p, 0, sizeof p);
	if (record_read_script(file, file, &src, &len, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	token_digest_hex(src, len, hash);
	if (play_open(&p, file, src, len, id, candidate) != 0) {
		format_error(err, sizeof err, file, &p.err);
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	name = script_name_of(file);
	p.iv.script = must_strdup(name);
	if (answers)
		rc = try_answers(&p, answers, json, hash);
	else
		rc = try_interactive(&p, stdin);
out:
	play_close(&p);
	free(name);
	free(src);
	return rc;
}

/* The script and the answers file under watch. Their folders are watched, not
 * the files: editors save by writing a new file and renaming it over the old. */
struct watch {
	int fd;
	char *base[2];
};

static int watch_open(struct watch *w, const char *const paths[2])
{
	memset(w, 0, sizeof *w);
	w->fd = inotify_init1(IN_CLOEXEC);
	if (w->fd < 0)
		return -1;
	for (int i = 0; i < 2; i++) {
		char *d = must_strdup(paths[i]), *b = must_strdup(paths[i]);
		w->base[i] = must_strdup(basename(b));
		int wd = inotify_add_watch(w->fd, dirname(d), IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE);
		free(d);
		free(b);
		if (wd < 0)
			return -1;
	}
	return 0;
}

static void watch_close(struct watch *w)
{
	for (int i = 0; i < 2; i++)
		free(w->base[i]);
	if (w->fd >= 0)
		close(w->fd);
}

/* Returns once either file was written, created or renamed into place (also
 * while the last play ran), after the burst of events one save makes has been
 * quiet for 100 ms. Returns -1 when the watch fails. */
static int watch_wait(struct watch *w)
{
	for (bool changed = false;;) {
		struct pollfd pfd = { .fd = w->fd, .events = POLLIN };
		int ready = poll(&pfd, 1, changed ? 100 : -1);
		if (ready == 0)
			return 0;
		if (ready < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		_Alignas(struct inotify_event) char buf[4096];
		ssize_t n = read(w->fd, buf, sizeof buf);
		if (n < 0 && errno != EINTR)
			return -1;
		for (ssize_t off = 0; off < n;) {
			const struct inotify_event *ev = (const struct inotify_event *)(buf + off);
			for (int i = 0; i < 2 && ev->len; i++)
				if (strcmp(ev->name, w->base[i]) == 0)
					changed = true;
			off += (ssize_t)(sizeof *ev + ev->len);
		}
	}
}

int authoring_cmd_try(int argc, char **argv)
{
	static const char usage[] =
		"usage: interviewd try FILE [--answers FILE [--watch]] [--json] [--candidate NAME] [--id ID]\n"
		"Plays the interview as the server would run it (same sandbox, limits and\n"
		"re-ask hints). Without --answers it is interactive: press Enter to start,\n"
		"then answer each question (a choice can be typed by its number).\n"
		"With --answers, one answer per line (the first line is the candidate's\n"
		"opening message), it runs unattended and prints the transcript and the\n"
		"results; exit 1 when the answers run out before the end or the script\n"
		"fails. --json prints the same as one JSON object.\n"
		"--watch (with --answers) plays it again every time the script or the\n"
		"answers file is saved, so the conversation is in view as you write it;\n"
		"Ctrl-C stops.\n"
		"--id ID plays it as interview ID (16 hex characters; default\n"
		"0000000000000000): pick() and math.random draw from it, so this replays\n"
		"a draw check reported.\n";
	const char *file = NULL, *answers = NULL, *candidate = "", *id = PLAY_ID;
	bool json = false, watch = false;
	for (int i = 1; i < argc; i++) {
		if (is_help(argv[i])) {
			fputs(usage, stdout);
			return 0;
		} else if (strcmp(argv[i], "--answers") == 0 && i + 1 < argc) {
			answers = argv[++i];
		} else if (strcmp(argv[i], "--candidate") == 0 && i + 1 < argc) {
			candidate = argv[++i];
		} else if (strcmp(argv[i], "--id") == 0 && i + 1 < argc) {
			id = argv[++i];
		} else if (strcmp(argv[i], "--json") == 0) {
			json = true;
		} else if (strcmp(argv[i], "--watch") == 0) {
			watch = true;
		} else if (unused_dir_option(argc, argv, i)) {
			i += unused_dir_option(argc, argv, i) - 1;
		} else if (argv[i][0] != '-' && !file) {
			file = argv[i];
		} else {
			fprintf(stderr, "try: unexpected argument %s\n%s", argv[i], usage);
			return 2;
		}
	}
	if (!file) {
		fputs(usage, stderr);
		return 2;
	}
	if (watch && !answers) {
		fprintf(stderr, "try: --watch replays an answers file: add --answers FILE\n");
		return 2;
	}
	if (!token_is_id(id)) {
		fprintf(stderr, "try: %s is not an interview id (16 hex characters, e.g. the one "
			"check reports)\n", id);
		return 2;
	}
	if (!watch)
		return try_once(file, answers, json, id, candidate);
	const char *const paths[2] = { file, answers };
	struct watch w;
	if (watch_open(&w, paths) != 0) {
		fprintf(stderr, "try: cannot watch %s and %s: %s\n", file, answers, strerror(errno));
		watch_close(&w);
		return 1;
	}
	try_once(file, answers, json, id, candidate);
	for (;;) {
		printf("\n-- watching %s and %s: save either to play again, Ctrl-C to stop --\n", file,
		       answers);
		fflush(stdout);
		fflush(stderr);
		if (watch_wait(&w) != 0)
			break;
		time_t now = time(NULL);
		struct tm tm;
		char when[16];
		localtime_r(&now, &tm);
		strftime(when, sizeof when, "%H:%M:%S", &tm);
		printf("\n== %s: playing %s again ==\n", when, file);
		fflush(stdout);
		try_once(file, answers, json, id, candidate);
	}
	fprintf(stderr, "try: the watch on %s stopped: %s\n", file, strerror(errno));
	watch_close(&w);
	return 1;
}

/* ======================================================================== */
/* Recorded interviews: shared by replay and migrate                        */
/* ======================================================================== */

static int open_store(const char *dir, struct store **st)
{
	struct stat sb;
	char err[512];
	if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		fprintf(stderr, "no data directory %s (use --data DIR)\n", dir);
		return 2;
	}
	struct store_options opt = { 0 };
	if (store_open(st, dir, &opt, err, sizeof err) != 0) {
		fprintf(stderr, "cannot open the data in %s: %s\n", dir, err);
		return 2;
	}
	return 0;
}

static bool turn_same(const struct proto_turn *a, const struct proto_turn *b)
{
	return a->role == b->role && a->kind == b->kind && str_eq(a->text, b->text) &&
	       strv_equal(a->choices, a->nchoices, b->choices, b->nchoices);
}

/* Plays every recorded candidate message into p, stopping at the first the
 * script fails on or cannot take because it already finished. Returns the
 * number of candidate messages fed successfully. */
static size_t play_recorded(struct play *p, const struct proto_turn *turns, size_t n)
{
	size_t fed = 0;
	for (size_t i = 0; i < n; i++) {
		if (turns[i].role != PROTO_ROLE_CANDIDATE)
			continue;
		if (p->finished || p->failed)
			break;
		struct feed_info fi;
		if (play_feed(p, turns[i].text, &fi) != 0)
			break;
		fed++;
	}
	return fed;
}

/* Compares what p produced with the recorded turns: 0 when the same, else 1
 * with the first difference printed after "ID: ". */
static int report_difference(const char *id, const struct play *p, const struct proto_turn *rec,
			     size_t nrec, bool rec_finished)
{
	size_t k = 0;
	while (k < nrec && k < p->log.n && turn_same(&rec[k], &p->log.v[k]))
		k++;
	if (k == nrec && k == p->log.n && !p->failed && p->finished == rec_finished)
		return 0;
	uint64_t seq = k < nrec ? rec[k].seq : (nrec ? rec[nrec - 1].seq + 1 : 1);
	printf("%s: differs at seq %" PRIu64 ": recorded ", id, seq);
	if (k < nrec)
		put_turn(stdout, &rec[k]);
	else
		fputs(rec_finished ? "the end of the interview" : "nothing yet (the candidate has not answered)",
		      stdout);
	fputs(" / now ", stdout);
	if (k < p->log.n) {
		put_turn(stdout, &p->log.v[k]);
	} else if (p->failed) {
		char msg[1024];
		format_error(msg, sizeof msg, p->chunk, &p->err);
		printf("error %s", msg);
	} else if (p->finished) {
		fputs("finishes early", stdout);
	} else {
		fputs("not yet finished (waiting for an answer)", stdout);
	}
	fputc('\n', stdout);
	return 1;
}

/* ======================================================================== */
/* replay                                                                   */
/* ======================================================================== */

static int replay_one(struct store *st, const struct proto_interview *iv, const char *file,
		      const char *src, size_t len)
{
	struct proto_turn *turns = NULL;
	size_t n = 0;
	struct play p;
	memset(&p, 0, sizeof p);
	int rc = record_get_transcript(st, iv->id, &turns, &n);
	if (rc != 0) {
		printf("%s: cannot read the transcript (error %d)\n", iv->id, rc);
		rc = 1;
		goto out;
	}
	if (n == 0) {
		printf("%s: same (no messages yet)\n", iv->id);
		goto out;
	}
	if (play_open(&p, file, src, len, iv->id, iv->candidate ? iv->candidate : "") != 0) {
		char msg[1024];
		format_error(msg, sizeof msg, file, &p.err);
		printf("%s: differs: now error %s\n", iv->id, msg);
		rc = 1;
		goto out;
	}
	play_recorded(&p, turns, n);
	rc = report_difference(iv->id, &p, turns, n, iv->status == PROTO_STATUS_FINISHED);
	if (rc == 0)
		printf("%s: same\n", iv->id);
out:
	play_close(&p);
	record_transcript_free(turns, n);
	return rc;
}

int authoring_cmd_replay(int argc, char **argv)
{
	static const char usage[] =
		"usage: interviewd replay NAME [--script FILE] [--data DIR] [--scripts DIR]\n"
		"Re-runs every recorded interview of script NAME against the edited file\n"
		"(default SCRIPTS/NAME.lua) and prints, per interview, \"ID: same\" or the\n"
		"first turn where the edited script would have said something else.\n"
		"Nothing is changed. Exit 1 when any interview differs.\n";
	const char *name = NULL, *file = NULL, *data = "data", *scripts = "scripts";
	for (int i = 1; i < argc; i++) {
		if (is_help(argv[i])) {
			fputs(usage, stdout);
			return 0;
		} else if (strcmp(argv[i], "--script") == 0 && i + 1 < argc) {
			file = argv[++i];
		} else if (strcmp(argv[i], "--data") == 0 && i + 1 < argc) {
			data = argv[++i];
		} else if (strcmp(argv[i], "--scripts") == 0 && i + 1 < argc) {
			scripts = argv[++i];
		} else if (argv[i][0] != '-' && !name) {
			name = argv[i];
		} else {
			fprintf(stderr, "replay: unexpected argument %s\n%s", argv[i], usage);
			return 2;
		}
	}
	if (!name) {
		fputs(usage, stderr);
		return 2;
	}
	char path[4096], err[1024];
	char *src = NULL;
	size_t len = 0, nivs = 0, count = 0, differ = 0;
	struct proto_interview *ivs = NULL;
	struct store *st = NULL;
	int rc = 2;
	if (!file) {
		snprintf(path, sizeof path, "%s/%s.lua", scripts, name);
		file = path;
	}
	if (record_read_script(file, file, &src, &len, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	struct play probe;
	if (play_open(&probe, file, src, len, PLAY_ID, "") != 0) {
		format_error(err, sizeof err, file, &probe.err);
		printf("%s\n", err);
		play_close(&probe);
		rc = 1;
		goto out;
	}
	play_close(&probe);
	if ((rc = open_store(data, &st)) != 0)
		goto out;
	if (record_list_interviews(st, &ivs, &nivs) != 0) {
		fprintf(stderr, "cannot list the interviews in %s\n", data);
		rc = 2;
		goto out;
	}
	for (size_t i = 0; i < nivs; i++) {
		if (!str_eq(ivs[i].script, name))
			continue;
		count++;
		differ += (size_t)replay_one(st, &ivs[i], file, src, len);
	}
	printf("%zu interviews of %s replayed against %s: %zu same, %zu differ\n", count, name, file,
	       count - differ, differ);
	rc = differ ? 1 : 0;
out:
	record_interviews_free(ivs, nivs);
	store_close(st);
	free(src);
	return rc;
}

/* ======================================================================== */
/* migrate                                                                  */
/* ======================================================================== */

/* Why a migration is refused, or notes on wording that changed. */
struct migrate_report {
	char refusal[2600];
	char **notes;
	size_t nnotes;
};

static void note_wording(struct migrate_report *r, const struct proto_turn *rec, size_t nrec,
			 const struct play *p, size_t from, size_t nnow)
{
	size_t n = nrec > nnow ? nrec : nnow;
	for (size_t k = 0; k < n; k++) {
		const struct proto_turn *a = k < nrec ? &rec[k] : NULL;
		const struct proto_turn *b = k < nnow ? &p->log.v[from + k] : NULL;
		if (a && b && turn_same(a, b))
			continue;
		char *buf = NULL;
		size_t blen = 0;
		FILE *f = open_memstream(&buf, &blen);
		if (!f)
			oom();
		fprintf(f, "seq %" PRIu64 ": recorded ", a ? a->seq : b ? b->seq : 0);
		if (a)
			put_turn(f, a);
		else
			fputs("nothing", f);
		fputs(" / now ", f);
		if (b)
			put_turn(f, b);
		else
			fputs("nothing", f);
		fclose(f);
		strv_push(&r->notes, &r->nnotes, buf);
		free(buf);
		return; /* the first difference of a turn says enough */
	}
}

static void refuse(struct migrate_report *r, uint64_t seq, const char *fmt, const char *a,
		   const char *b)
{
	char what[2560];
	snprintf(what, sizeof what, fmt, a ? a : "", b ? b : "");
	snprintf(r->refusal, sizeof r->refusal, "seq %" PRIu64 ": %s", seq, what);
}

static void describe_ask(char *buf, size_t n, const struct ask_info *a)
{
	if (!a->set) {
		snprintf(buf, n, "no question");
		return;
	}
	size_t used = (size_t)snprintf(buf, n, "%s(\"%.60s\"", ask_type_name(a->type),
				       a->text ? a->text : "");
	if (a->nchoices && used < n) {
		used += (size_t)snprintf(buf + used, n - used, ", {");
		for (size_t i = 0; i < a->nchoices && used < n; i++)
			used += (size_t)snprintf(buf + used, n - used, "%s\"%s\"", i ? ", " : "",
						 a->choices[i]);
		if (used < n)
			used += (size_t)snprintf(buf + used, n - used, "}");
	}
	if (used < n)
		snprintf(buf + used, n - used, ") (question %zu)", a->index + 1);
}

/* The recorded ask a candidate saw last among rec[0..n): its choices are
 * what we can compare when the old script itself cannot be run. */
static const struct proto_turn *last_ask(const struct proto_turn *rec, size_t n)
{
	for (size_t i = n; i-- > 0;)
		if (rec[i].role == PROTO_ROLE_BOT && rec[i].kind == PROTO_KIND_ASK)
			return &rec[i];
	return NULL;
}

/* Replays the recorded candidate messages into the new script (and, when it
 * still runs, the old one alongside) and decides whether each is consumed the
 * same way: taken as an answer by both or by neither, and followed by the
 * same question in the same place. The record is never finished here, so the
 * new script may never finish on a recorded message. strict is false for an
 * interview whose last turn failed (that message was not recorded): then the
 * fixed script may change the question the candidate is stuck on, the one
 * after the last recorded message. */
static void migrate_compare(struct play *now, struct play *old, bool old_ok,
			    const struct proto_turn *rec, size_t nrec, bool strict,
			    struct migrate_report *r)
{
	char a[512], b[512];
	size_t i = 0;
	while (i < nrec) {
		const struct proto_turn *c = &rec[i];
		size_t j = i + 1; /* rec[i+1..j) are the bot turns it caused */
		while (j < nrec && rec[j].role != PROTO_ROLE_CANDIDATE)
			j++;
		if (c->role != PROTO_ROLE_CANDIDATE) {
			i = j;
			continue;
		}
		bool last = j == nrec;
		struct feed_info fn, fo = { 0 };
		if (old_ok && play_feed(old, c->text, &fo) != 0)
			old_ok = false;
		if (play_feed(now, c->text, &fn) != 0) {
			char msg[1024];
			format_error(msg, sizeof msg, now->chunk, &now->err);
			refuse(r, c->seq, "the new script fails on the candidate's message \"%.200s\": %s",
			       c->text, msg);
			return;
		}
		note_wording(r, rec + i + 1, j - i - 1, now, fn.first_bot, fn.nbot);
		if (now->finished) {
			refuse(r, c->seq,
			       last ? "the new script finishes after the candidate's message \"%.200s\", "
				      "but the interview has not finished: the candidate could never "
				      "answer again%s"
				    : "the new script finishes after the candidate's message \"%.200s\", "
				      "but the candidate answered more%s",
			       c->text, "");
			return;
		}
		if (old_ok && !fn.accepted != !fo.accepted) {
			refuse(r, c->seq,
			       fo.accepted ? "the candidate's answer \"%.200s\" was accepted, but the new "
					     "script rejects it and asks again%s"
					   : "the candidate's answer \"%.200s\" was rejected and asked "
					     "again, but the new script accepts it%s",
			       c->text, "");
			return;
		}
		if (!strict && last)
			break;
		/* Reported at the question the candidate saw (or will answer next). */
		const struct proto_turn *ra = last_ask(rec, j);
		uint64_t at = ra ? ra->seq : c->seq;
		if (old_ok) {
			if (!ask_same_place(&now->pending, &old->pending)) {
				describe_ask(a, sizeof a, &old->pending);
				describe_ask(b, sizeof b, &now->pending);
				refuse(r, at, "the candidate was asked %s, but the new script "
				       "asks %s here", a, b);
				return;
			}
		} else {
			bool same = ra ? strv_equal(ra->choices, ra->nchoices, now->pending.choices,
						   now->pending.nchoices)
				       : !now->pending.set;
			if (!same) {
				describe_ask(b, sizeof b, &now->pending);
				refuse(r, at, "the candidate was asked \"%.200s\" with other "
				       "options; the new script asks %s here",
				       ra ? ra->text : "", b);
				return;
			}
		}
		i = j;
	}
}

/* Fills in the record of a migrated interview and commits it with the new
 * source, unless the interview moved on meanwhile. */
static int migrate_commit(struct store *st, const struct proto_interview *seen, const char *src,
			  size_t len, char hash[TOKEN_DIGEST_HEX + 1])
{
	struct proto_interview cur;
	memset(&cur, 0, sizeof cur);
	struct store_batch *b = NULL;
	struct record_read read = { 0 };
	char err[512];
	int rc = record_get_interview_as_read(st, seen->id, &cur, &read);
	if (rc != 0) {
		fprintf(stderr, "cannot read interview %s again (error %d)\n", seen->id, rc);
		goto out;
	}
	if (cur.next_seq != seen->next_seq || !str_eq(cur.script_hash, seen->script_hash) ||
	    cur.status != seen->status) {
		fprintf(stderr, "interview %s moved on while it was being checked; run migrate again\n",
			seen->id);
		rc = 1;
		goto out;
	}
	b = store_batch_new();
	if (!b)
		oom();
	/* Written only if no turn committed since the read above (the server
	 * runs turns concurrently, in another process). */
	if ((rc = record_batch_expect_interview(b, seen->id, &read)) != 0 ||
	    (rc = record_batch_script(b, src, len, hash)) != 0)
		goto fail;
	free(cur.script_hash);
	cur.script_hash = must_strdup(hash);
	free(cur.last_error);
	free(cur.last_traceback);
	cur.last_error = cur.last_traceback = NULL;
	cur.updated = record_now_ms();
	if ((rc = record_batch_interview(b, &cur)) != 0)
		goto fail;
	rc = store_commit(st, b, err, sizeof err);
	if (rc == STORE_ECONFLICT) {
		fprintf(stderr, "interview %s moved on while it was being migrated; run migrate again\n",
			seen->id);
		goto out;
	}
	if (rc != 0) {
		fprintf(stderr, "could not save the migration: %s\n", err);
		goto out;
	}
	goto out;
fail:
	fprintf(stderr, "could not prepare the migration (error %d)\n", rc);
out:
	store_batch_free(b);
	record_read_free(&read);
	proto_interview_free(&cur);
	return rc;
}

static int migrate_run(struct store *st, const char *id, const char *scripts)
{
	struct proto_interview iv;
	memset(&iv, 0, sizeof iv);
	struct proto_turn *rec = NULL;
	size_t nrec = 0, len = 0, oldlen = 0;
	char *src = NULL, *oldsrc = NULL;
	char path[4096], err[1024], hash[TOKEN_DIGEST_HEX + 1];
	struct play now, old;
	memset(&now, 0, sizeof now);
	memset(&old, 0, sizeof old);
	struct migrate_report r;
	memset(&r, 0, sizeof r);
	int rc = record_get_interview(st, id, &iv);
	if (rc == STORE_ENOTFOUND) {
		fprintf(stderr, "no interview %s\n", id);
		rc = 1;
		goto out;
	}
	if (rc != 0) {
		fprintf(stderr, "cannot read interview %s (error %d)\n", id, rc);
		rc = 2;
		goto out;
	}
	rc = 1;
	if (iv.status == PROTO_STATUS_FINISHED) {
		fprintf(stderr, "cannot migrate %s: the interview has finished; its transcript stays "
			"with the script it ran\n", id);
		goto out;
	}
	snprintf(path, sizeof path, "%s/%s.lua", scripts, iv.script);
	if (record_read_script(path, path, &src, &len, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	token_digest_hex(src, len, hash);
	if (str_eq(hash, iv.script_hash)) {
		printf("%s already runs the current %s (%.12s)\n", id, path, hash);
		rc = 0;
		goto out;
	}
	if (record_get_transcript(st, id, &rec, &nrec) != 0) {
		fprintf(stderr, "cannot read the transcript of %s\n", id);
		rc = 2;
		goto out;
	}
	const char *cand = iv.candidate ? iv.candidate : "";
	if (play_open(&now, path, src, len, id, cand) != 0) {
		format_error(err, sizeof err, path, &now.err);
		fprintf(stderr, "cannot migrate %s: %s\n", id, err);
		goto out;
	}
	bool old_ok = record_get_script(st, iv.script_hash, &oldsrc, &oldlen) == 0 &&
		      play_open(&old, path, oldsrc, oldlen, id, cand) == 0;
	bool strict = !iv.last_error;
	migrate_compare(&now, &old, old_ok, rec, nrec, strict, &r);
	if (r.refusal[0]) {
		fprintf(stderr, "cannot migrate %s: %s\n", id, r.refusal);
		fprintf(stderr, "(the interview is unchanged; it keeps running %.12s)\n",
			iv.script_hash ? iv.script_hash : "");
		goto out;
	}
	/* Notes only for a migration that happens: after a refusal they would
	 * repeat it in other words. */
	for (size_t i = 0; i < r.nnotes; i++)
		printf("note: %s\n", r.notes[i]);
	rc = migrate_commit(st, &iv, src, len, hash);
	if (rc != 0) {
		rc = rc == 1 ? 1 : 2;
		goto out;
	}
	printf("migrated %s to %.12s\n", id, hash);
out:
	free_strv(r.notes, r.nnotes);
	play_close(&old);
	play_close(&now);
	free(oldsrc);
	free(src);
	record_transcript_free(rec, nrec);
	proto_interview_free(&iv);
	return rc;
}

int authoring_cmd_migrate(int argc, char **argv)
{
	static const char usage[] =
		"usage: interviewd migrate ID [--data DIR] [--scripts DIR]\n"
		"Moves an unfinished interview to the current SCRIPTS/NAME.lua of its script.\n"
		"Its recorded candidate messages are replayed against the new version first:\n"
		"if any would be taken differently (the new script fails, finishes early,\n"
		"rejects an answer the old one accepted or the reverse, or asks a different\n"
		"kind of question or other options at that point) it refuses and names the\n"
		"turn. Changed wording in messages already sent is listed as notes and\n"
		"allowed. When the interview's last message failed with a script error, the\n"
		"fixed script only has to replay the recorded messages cleanly.\n";
	const char *id = NULL, *data = "data", *scripts = "scripts";
	for (int i = 1; i < argc; i++) {
		if (is_help(argv[i])) {
			fputs(usage, stdout);
			return 0;
		} else if (strcmp(argv[i], "--data") == 0 && i + 1 < argc) {
			data = argv[++i];
		} else if (strcmp(argv[i], "--scripts") == 0 && i + 1 < argc) {
			scripts = argv[++i];
		} else if (argv[i][0] != '-' && !id) {
			id = argv[i];
		} else {
			fprintf(stderr, "migrate: unexpected argument %s\n%s", argv[i], usage);
			return 2;
		}
	}
	if (!id) {
		fputs(usage, stderr);
		return 2;
	}
	if (!token_is_id(id)) {
		fprintf(stderr, "migrate: %s is not an interview id (16 hex characters)\n", id);
		return 2;
	}
	struct store *st = NULL;
	int rc = open_store(data, &st);
	if (rc == 0)
		rc = migrate_run(st, id, scripts);
	store_close(st);
	return rc;
}
