/* check: a script explored with generated answers. See check.h.
 *
 * One complete run per path, from scratch each time (simple and
 * deterministic): a path is the answers to feed, and every question met past
 * them queues its other answers as new paths. Runs use the player (play.h),
 * so they meet the server's limits. Findings are collected and printed once
 * the script is explored, each once, with the answers that lead to it and a
 * command that replays them: only then is it known whether the interview id
 * (the draw) matters to the script at all. */
#define _GNU_SOURCE /* program_invocation_name: the replay command names this binary */
#include "check.h"

#include <errno.h>
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
#include "turn.h"

#define CHECK_DRAWS 16        /* interview ids check explores under: pick() draws differ */
#define CHECK_MAX_RUNS 200    /* paths of the first draw */
#define CHECK_TOTAL_RUNS 400  /* paths of all draws: the others share what the first left */
#define CHECK_MAX_DEPTH 200
#define CHECK_INVALID_CHOICE "zzz-not-an-option"
#define CHECK_LONG_TEXT 2000
#define CHECK_MAX_TEXT TURN_MAX_MESSAGE /* the largest message the server takes */
#define CHECK_TEXT_UNIT "a long and detailed answer "
#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

/* ---- answers, each kept once --------------------------------------------- */

/* Every answer text check feeds, interned: paths hold pointers into it, so a
 * 128 KiB answer costs its bytes once however many paths go through it. */
struct pool {
	struct pool_ent {
		uint64_t h;
		char *s;
	} *v;
	size_t n, cap;
};

/* FNV-1a over s and its terminating NUL, so "ab","c" and "a","bc" differ. */
static uint64_t hash_text(uint64_t h, const char *s)
{
	const unsigned char *c = (const unsigned char *)s;
	do {
		h ^= *c;
		h *= FNV_PRIME;
	} while (*c++);
	return h;
}

static const char *pool_intern(struct pool *pl, const char *s)
{
	if (2 * (pl->n + 1) > pl->cap) {
		struct pool old = *pl;
		pl->cap = pl->cap ? 2 * pl->cap : 256;
		pl->v = play_realloc(NULL, pl->cap * sizeof *pl->v);
		memset(pl->v, 0, pl->cap * sizeof *pl->v);
		pl->n = 0;
		for (size_t i = 0; i < old.cap; i++) {
			if (!old.v[i].s)
				continue;
			size_t k = old.v[i].h & (pl->cap - 1);
			while (pl->v[k].s)
				k = (k + 1) & (pl->cap - 1);
			pl->v[k] = old.v[i];
			pl->n++;
		}
		free(old.v);
	}
	uint64_t h = hash_text(FNV_OFFSET, s);
	size_t k = h & (pl->cap - 1);
	for (; pl->v[k].s; k = (k + 1) & (pl->cap - 1))
		if (pl->v[k].h == h && strcmp(pl->v[k].s, s) == 0)
			return pl->v[k].s;
	pl->v[k].h = h;
	pl->v[k].s = play_strdup(s);
	pl->n++;
	return pl->v[k].s;
}

static void pool_free(struct pool *pl)
{
	for (size_t i = 0; i < pl->cap; i++)
		free(pl->v[i].s);
	free(pl->v);
	memset(pl, 0, sizeof *pl);
}

/* ---- what check knows about one script ------------------------------------ */

/* Conversation after each answer prefix in the first draw (key: hash of the
 * answers, value: play.conv), so the other draws can tell whether the
 * interview id changes anything. Open addressing; key 0 marks a free slot. */
struct conv_map {
	uint64_t *keys, *vals;
	size_t n, cap;
};

/* A finding or a note, printed once the script is explored. */
struct report {
	char *text;            /* its lines, each ending in a newline */
	const char **answers;  /* what leads there; NULL for a note */
	size_t n;
	unsigned draw;
};

struct check {
	const char *file, *src;
	size_t len;
	const char *seed_file; /* check --answers FILE, or NULL */
	const char **seed;     /* its lines, interned */
	size_t nseed;
	bool seed_newline;     /* its last line ends in a newline */
	struct pool pool;
	const char *opening, *sample_text, *long_text, *max_text; /* interned */
	unsigned draw;
	struct conv_map map;
	bool varies; /* some draw went otherwise than the first */
	/* Finding messages (deduplicated), and the conversations that ended in
	 * one: a later draw that reaches one has the same finding, without
	 * paying for the run again (a run that trips a limit is slow). */
	char **msgs;
	size_t nmsgs;
	uint64_t *convs;
	size_t nconvs;
	char **notes;
	size_t nnotes;
	struct report *reports;
	size_t nreports;
};

static uint64_t map_key(uint64_t answers_hash) { return answers_hash ? answers_hash : 1; }

static void map_put(struct conv_map *m, uint64_t key, uint64_t val)
{
	if (2 * (m->n + 1) > m->cap) {
		struct conv_map old = *m;
		m->cap = m->cap ? 2 * m->cap : 1024;
		m->keys = play_realloc(NULL, m->cap * sizeof *m->keys);
		m->vals = play_realloc(NULL, m->cap * sizeof *m->vals);
		memset(m->keys, 0, m->cap * sizeof *m->keys);
		m->n = 0;
		for (size_t i = 0; i < old.cap; i++)
			if (old.keys[i])
				map_put(m, old.keys[i], old.vals[i]);
		free(old.keys);
		free(old.vals);
	}
	size_t k = key & (m->cap - 1);
	while (m->keys[k] && m->keys[k] != key)
		k = (k + 1) & (m->cap - 1);
	if (!m->keys[k])
		m->n++;
	m->keys[k] = key;
	m->vals[k] = val;
}

static bool map_get(const struct conv_map *m, uint64_t key, uint64_t *val)
{
	if (!m->cap)
		return false;
	for (size_t k = key & (m->cap - 1); m->keys[k]; k = (k + 1) & (m->cap - 1))
		if (m->keys[k] == key) {
			*val = m->vals[k];
			return true;
		}
	return false;
}

/* The first draw records where each answer prefix led; the others compare. */
static void note_conv(struct check *c, uint64_t answers_hash, uint64_t conv)
{
	uint64_t key = map_key(answers_hash), was;
	if (c->draw == 0)
		map_put(&c->map, key, conv);
	else if (map_get(&c->map, key, &was) && was != conv)
		c->varies = true;
}

static bool conv_known(const struct check *c, uint64_t conv)
{
	for (size_t i = 0; i < c->nconvs; i++)
		if (c->convs[i] == conv)
			return true;
	return false;
}

static void conv_add(struct check *c, uint64_t conv)
{
	c->convs = play_realloc(c->convs, (c->nconvs + 1) * sizeof *c->convs);
	c->convs[c->nconvs++] = conv;
}

static bool seen(char ***v, size_t *n, const char *msg)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i], msg) == 0)
			return true;
	play_strv_push(v, n, msg);
	return false;
}

/* Keeps text (taken over) as a report; answers NULL for a note. */
static void report_add(struct check *c, char *text, const char **answers, size_t n)
{
	c->reports = play_realloc(c->reports, (c->nreports + 1) * sizeof *c->reports);
	struct report *r = &c->reports[c->nreports++];
	r->text = text;
	r->answers = NULL;
	r->n = n;
	r->draw = c->draw;
	if (answers) {
		r->answers = play_realloc(NULL, n * sizeof *r->answers);
		memcpy(r->answers, answers, n * sizeof *r->answers);
	}
	/* A finding only another draw reaches: the id matters to this script. */
	if (answers && c->draw > 0)
		c->varies = true;
}

/* A report's lines are written to a memory stream. */
struct text_buf {
	char *s;
	size_t len;
	FILE *f;
};

static FILE *text_open(struct text_buf *t)
{
	t->s = NULL;
	t->f = open_memstream(&t->s, &t->len);
	if (!t->f)
		play_oom();
	return t->f;
}

static char *text_close(struct text_buf *t)
{
	if (fclose(t->f) != 0)
		play_oom();
	return t->s;
}

/* ---- generated answers --------------------------------------------------- */

enum gen_kind {
	GEN_PLAIN,   /* the script may take it or not */
	GEN_INVALID, /* the script should refuse it */
	GEN_EXAMPLE, /* opts.examples: the question must take it */
};

/* One answer tried at a question. */
struct gen_answer {
	const char *text; /* interned */
	enum gen_kind kind;
};

/* Adds t, an interned text, unless it is there already. */
static void gen_put(struct gen_answer *g, size_t *n, const char *t, enum gen_kind kind)
{
	for (size_t i = 0; i < *n; i++)
		if (g[i].text == t)
			return;
	g[*n].text = t;
	g[(*n)++].kind = kind;
}

static void gen_add(struct check *c, struct gen_answer *g, size_t *n, const char *text,
		    enum gen_kind kind)
{
	gen_put(g, n, pool_intern(&c->pool, text), kind);
}

static void gen_add_number(struct check *c, struct gen_answer *g, size_t *n, double v,
			   const struct play_ask *a)
{
	char buf[64];
	snprintf(buf, sizeof buf, "%.15g", v);
	bool invalid = (a->has_min && v < a->min) || (a->has_max && v > a->max);
	gen_add(c, g, n, buf, invalid ? GEN_INVALID : GEN_PLAIN);
}

/* The answers tried at a question: its examples first, then generated ones.
 * The first the script may accept is the one a path takes by default.
 * Returns how many; free *out (the texts belong to the pool). */
static size_t gen_answers(struct check *c, const struct play_ask *a, struct gen_answer **out)
{
	size_t cap = 16 + a->nexamples + (a->set ? a->nchoices : 0), n = 0;
	struct gen_answer *g = play_realloc(NULL, cap * sizeof *g);
	for (size_t i = 0; i < a->nexamples; i++)
		gen_add(c, g, &n, a->examples[i], GEN_EXAMPLE);
	if (!a->set || a->type == SCRIPT_ASK_TEXT) {
		gen_put(g, &n, c->sample_text, GEN_PLAIN);
		gen_put(g, &n, c->long_text, GEN_PLAIN);
		/* Output that grows with an answer must fit what the server sends. */
		gen_put(g, &n, c->max_text, GEN_PLAIN);
	} else if (a->type == SCRIPT_ASK_CHOICE) {
		for (size_t i = 0; i < a->nchoices; i++)
			gen_add(c, g, &n, a->choices[i], GEN_PLAIN);
		gen_add(c, g, &n, CHECK_INVALID_CHOICE, GEN_INVALID);
	} else {
		size_t first = n;
		if (a->has_min && a->has_max)
			gen_add_number(c, g, &n, floor((a->min + a->max) / 2), a);
		if (a->has_min) {
			gen_add_number(c, g, &n, a->min, a);
			gen_add_number(c, g, &n, a->min - 1, a);
		}
		if (a->has_max) {
			gen_add_number(c, g, &n, a->max, a);
			gen_add_number(c, g, &n, a->max + 1, a);
		}
		if (!a->has_min || !a->has_max) {
			gen_add_number(c, g, &n, 0, a);
			gen_add_number(c, g, &n, 1, a);
			gen_add_number(c, g, &n, 100, a);
			gen_add_number(c, g, &n, -1, a);
		}
		gen_add(c, g, &n, "not a number", GEN_INVALID);
		/* Without examples, the default should be one the script accepts. */
		for (size_t i = first; i < n && !a->nexamples; i++)
			if (g[i].kind != GEN_INVALID) {
				struct gen_answer t = g[first];
				g[first] = g[i];
				g[i] = t;
				break;
			}
	}
	*out = g;
	return n;
}

/* ---- paths --------------------------------------------------------------- */

/* A path still to run: the answers to feed, the opening message first. */
struct path {
	const char **answers; /* interned */
	size_t n;
	bool has_invalid;
	bool explore; /* the seed: queue other answers along it too, not only past it */
};

struct path_queue {
	struct path *v;
	size_t head, n, cap;
};

static void queue_push(struct path_queue *q, const char **prefix, size_t n, const char *next,
		       bool has_invalid)
{
	if (q->n == q->cap) {
		q->cap = q->cap ? 2 * q->cap : 64;
		q->v = play_realloc(q->v, q->cap * sizeof *q->v);
	}
	struct path *pa = &q->v[q->n++];
	pa->answers = play_realloc(NULL, (n + 1) * sizeof *pa->answers);
	memcpy(pa->answers, prefix, n * sizeof *pa->answers);
	pa->answers[n] = next;
	pa->n = n + 1;
	pa->has_invalid = has_invalid;
	pa->explore = false;
}

/* Queues the question's other answers after prefix, while the budget lasts:
 * a path holds one answer the script should refuse at most. */
static void queue_others(struct check *c, struct path_queue *q, const struct gen_answer *g,
			 size_t ng, const char **prefix, size_t n, const char *taken,
			 bool has_invalid, size_t budget)
{
	for (size_t i = 0; i < ng; i++) {
		bool invalid = g[i].kind == GEN_INVALID;
		if (g[i].text != taken && q->n - q->head < budget && (!invalid || !has_invalid))
			queue_push(q, prefix, n, g[i].text, has_invalid || invalid);
	}
}

static bool is_example(const struct play_ask *a, const char *text)
{
	for (size_t i = 0; i < a->nexamples; i++)
		if (strcmp(a->examples[i], text) == 0)
			return true;
	return false;
}

/* ---- runs ---------------------------------------------------------------- */

static bool was_refused(const char **refused, size_t n, const char *text)
{
	for (size_t i = 0; i < n; i++)
		if (refused[i] == text)
			return true;
	return false;
}

enum run_result { RUN_CLEAN, RUN_NEW_FINDING, RUN_KNOWN_FINDING };

/* Reports an example its question refused (once). q_text, q_line: the
 * question, copied before the feed; fi: what the feed did. */
static void example_refused(struct check *c, const struct play *p, const struct play_fed *fi,
			    const char *example, const char *q_text, int q_line,
			    const char **fed, size_t nfed)
{
	struct text_buf t;
	FILE *f = text_open(&t);
	fprintf(f, "%s:%d: example ", c->file, q_line);
	play_put_text(f, example);
	fputs(" is refused by the question ", f);
	play_put_text(f, q_text);
	if (fi->gave_up) {
		fputs(" (its retries ran out and it took its give-up value)", f);
	} else if (fi->nbot > 0 && p->log.n > fi->first_bot) {
		fputs(": ", f);
		play_put_text(f, p->log.v[fi->first_bot].text);
	}
	fputc('\n', f);
	char *text = text_close(&t);
	if (seen(&c->msgs, &c->nmsgs, text))
		free(text);
	else
		report_add(c, text, fed, nfed);
}

/* A finding that ends the run: reported once, its conversation remembered. */
static enum run_result run_finding(struct check *c, const char *msg, char *text, uint64_t conv,
				   const char **fed, size_t nfed)
{
	if (conv)
		conv_add(c, conv);
	if (seen(&c->msgs, &c->nmsgs, msg)) {
		free(text);
		return RUN_KNOWN_FINDING;
	}
	report_add(c, text, fed, nfed);
	return RUN_NEW_FINDING;
}

/* Runs one path to its end under the current draw: its answers first, then
 * each question's default answer. Other answers met past the path's own (or
 * along them, for the seed) are queued. */
static enum run_result check_run(struct check *c, const struct path *pa, struct path_queue *q,
				 size_t budget)
{
	struct play p;
	enum run_result found = RUN_CLEAN;
	char msg[1024];
	const char **fed = NULL;
	size_t nfed = 0;
	bool has_invalid = pa->has_invalid, reasked = false;
	/* Answers the question waiting now has refused: after a re-ask, the
	 * default is the first answer it may take that it has not refused. */
	const char **refused = NULL;
	size_t nrefused = 0;
	uint64_t answers_hash = FNV_OFFSET;
	char id[TOKEN_ID_LEN + 1];
	snprintf(id, sizeof id, "%0*x", TOKEN_ID_LEN, c->draw);
	if (play_open(&p, c->file, c->src, c->len, id, "") != 0)
		goto out; /* compiled once already; the host ran out of memory */
	fed = play_realloc(NULL, (CHECK_MAX_DEPTH + 1) * sizeof *fed);
	refused = play_realloc(NULL, CHECK_MAX_DEPTH * sizeof *refused);
	while (nfed <= CHECK_MAX_DEPTH && !p.finished) {
		const char *answer = NULL;
		if (nfed < pa->n) {
			answer = pa->answers[nfed];
			if (pa->explore && nfed > 0 && !reasked) {
				struct gen_answer *g = NULL;
				size_t ng = gen_answers(c, &p.pending, &g);
				queue_others(c, q, g, ng, fed, nfed, answer, has_invalid, budget);
				free(g);
			}
		} else if (nfed == 0) {
			answer = c->opening;
		} else {
			/* The default is the first answer the script may accept and
			 * has not refused. The others are queued once. */
			struct gen_answer *g = NULL;
			size_t ng = gen_answers(c, &p.pending, &g), d = ng;
			for (size_t i = 0; i < ng && d == ng; i++)
				if (g[i].kind != GEN_INVALID && !was_refused(refused, nrefused, g[i].text))
					d = i;
			if (!reasked)
				queue_others(c, q, g, ng, fed, nfed, d < ng ? g[d].text : NULL,
					     has_invalid, budget);
			answer = d < ng ? g[d].text : NULL;
			free(g);
			/* Nothing check has passes its validation: the script may
			 * insist on a real answer; that is not a finding. */
			if (!answer) {
				snprintf(msg, sizeof msg, "%s:%d: note: no answer check tried passes the "
					 "validation of this question, so check cannot explore past it; "
					 "give it examples = { ... } of answers it should take",
					 c->file, p.pending.line);
				if (!seen(&c->notes, &c->nnotes, msg)) {
					char *text = NULL;
					if (asprintf(&text, "%s\n", msg) < 0)
						play_oom();
					report_add(c, text, NULL, 0);
				}
				goto out;
			}
		}
		fed[nfed] = answer;
		answers_hash = hash_text(answers_hash, answer);
		uint64_t after = play_conv_after(&p, answer);
		if (conv_known(c, after)) {
			note_conv(c, answers_hash, after);
			nfed++;
			found = RUN_KNOWN_FINDING;
			goto out;
		}
		/* The question, kept for a report: the feed moves on from it. */
		bool example = nfed > 0 && is_example(&p.pending, answer);
		char *q_text = example ? play_strdup(p.pending.text) : NULL;
		int q_line = p.pending.line;
		struct play_fed fi;
		int rc = play_feed(&p, fed[nfed++], &fi);
		note_conv(c, answers_hash, p.conv);
		if (rc != 0) {
			free(q_text);
			play_format_error(msg, sizeof msg, c->file, &p.err);
			char *text = NULL;
			if (asprintf(&text, "%s\n", msg) < 0)
				play_oom();
			found = run_finding(c, msg, text, p.conv, fed, nfed);
			goto out;
		}
		if (example && (fi.reasked || fi.gave_up))
			example_refused(c, &p, &fi, answer, q_text, q_line, fed, nfed);
		free(q_text);
		reasked = fi.reasked;
		if (!reasked)
			nrefused = 0;
		else if (nrefused < CHECK_MAX_DEPTH)
			refused[nrefused++] = answer;
	}
	if (!p.finished) {
		/* One finding per looping question, whatever its text says. */
		snprintf(msg, sizeof msg, "%s:%d: does not finish", c->file, p.pending.line);
		struct text_buf t;
		FILE *f = text_open(&t);
		fprintf(f, "%s: does not finish after %d answers: the last question was line %d, ",
			c->file, CHECK_MAX_DEPTH, p.pending.line);
		play_put_text(f, p.pending.text ? p.pending.text : "");
		fputc('\n', f);
		found = run_finding(c, msg, text_close(&t), 0, fed, nfed);
	}
out:
	free(refused);
	free(fed);
	play_close(&p);
	return found;
}

/* Explores the current draw: the seed (or the default path), then queued
 * paths, up to bound runs. A later draw is there to find what earlier ones
 * could not reach, so it stops at the first finding already reported (what
 * follows is most likely more of the same, and a run that trips a limit is
 * slow). Returns the number of runs. */
static size_t check_draw(struct check *c, size_t bound)
{
	struct path_queue q = { 0 };
	size_t runs = 0;
	while (runs < bound) {
		/* A copy: the run queues more paths, which may move q.v. */
		struct path pa = { 0 };
		if (runs == 0) {
			pa.answers = c->seed;
			pa.n = c->nseed;
			pa.explore = c->nseed > 0;
		} else if (q.head == q.n) {
			break;
		} else {
			pa = q.v[q.head++];
		}
		runs++;
		enum run_result res = check_run(c, &pa, &q, bound - runs);
		if (pa.answers != c->seed)
			free(pa.answers);
		if (c->draw > 0 && res == RUN_KNOWN_FINDING)
			break;
	}
	for (size_t i = q.head; i < q.n; i++)
		free(q.v[i].answers);
	free(q.v);
	return runs;
}

/* ---- the replay command -------------------------------------------------- */

/* s quoted for a POSIX shell when it needs it. */
static void put_shell(FILE *f, const char *s)
{
	if (*s && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./-+=:,@") ==
		      strlen(s)) {
		fputs(s, f);
		return;
	}
	fputc('\'', f);
	for (; *s; s++)
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	fputc('\'', f);
}

/* The shortest period of s (1..64) when s is long and repeats it at least 8
 * times, or 0. */
static size_t period_of(const char *s, size_t len)
{
	if (len < 256)
		return 0;
	for (size_t p = 1; p <= 64 && 8 * p <= len; p++) {
		size_t i = p;
		while (i < len && s[i] == s[i - p])
			i++;
		if (i == len)
			return p;
	}
	return 0;
}

/* One answer as a shell word: a long repeated text (the long answers check
 * makes) as printf of its unit, anything else quoted. */
static void put_answer_word(FILE *f, const char *s)
{
	size_t len = strlen(s), p = period_of(s, len);
	if (!p) {
		put_shell(f, s);
		return;
	}
	fputs("\"$(printf '", f);
	for (size_t i = 0; i < p; i++) {
		if (s[i] == '\'')
			fputs("'\\''", f);
		else if (s[i] == '%' || s[i] == '\\')
			fprintf(f, "%c%c", s[i], s[i]);
		else
			fputc(s[i], f);
	}
	fprintf(f, "%%.0s' $(seq %zu))\"", len / p);
	if (len % p) {
		char *tail = play_strdup(s + len - len % p);
		put_shell(f, tail);
		free(tail);
	}
}

/* The name this binary was run by, when it was run as interviewd. */
static const char *program_name(void)
{
	const char *n = program_invocation_name, *base = strrchr(n, '/');
	return strcmp(base ? base + 1 : n, "interviewd") == 0 ? n : "interviewd";
}

/* A command that plays r's answers with try, as check played them. */
static void put_replay(FILE *f, const struct check *c, const struct report *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (strpbrk(r->answers[i], "\r\n")) {
			fputs("an answer holds a line break, which an answers file cannot: play it "
			      "with ", f);
			put_shell(f, program_name());
			fputs(" try ", f);
			put_shell(f, c->file);
			return;
		}
	size_t k = 0; /* answers taken from the seed */
	while (k < r->n && k < c->nseed && strcmp(r->answers[k], c->seed[k]) == 0)
		k++;
	bool whole_seed = k > 0 && k == c->nseed && k == r->n;
	if (!whole_seed) {
		bool group = k > 0 && k < r->n;
		if (group)
			fputs("{ ", f);
		if (k > 0 && (k < c->nseed || c->seed_newline)) {
			fprintf(f, "head -n %zu ", k);
			put_shell(f, c->seed_file);
		} else if (k > 0) { /* the whole seed, its last line without a newline */
			fputs("cat ", f);
			put_shell(f, c->seed_file);
			fputs("; echo", f);
		}
		if (group)
			fputs("; ", f);
		if (k < r->n) {
			fputs("printf '%s\\n'", f);
			for (size_t i = k; i < r->n; i++) {
				fputc(' ', f);
				put_answer_word(f, r->answers[i]);
			}
		}
		fputs(group ? "; } | " : " | ", f);
	}
	put_shell(f, program_name());
	fputs(" try ", f);
	put_shell(f, c->file);
	fputs(" --answers ", f);
	if (whole_seed)
		put_shell(f, c->seed_file);
	else
		fputs("/dev/stdin", f);
	if (r->draw > 0) {
		char id[TOKEN_ID_LEN + 1];
		snprintf(id, sizeof id, "%0*x", TOKEN_ID_LEN, r->draw);
		fprintf(f, " --id %s", id);
	}
}

static void print_answers(FILE *f, const char *const *answers, size_t n)
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

static void print_report(const struct check *c, const struct report *r)
{
	fputs(r->text, stdout);
	if (!r->answers)
		return;
	print_answers(stdout, r->answers, r->n);
	/* The draw is worth a word only when the id changed something. */
	if (c->varies) {
		char id[TOKEN_ID_LEN + 1];
		snprintf(id, sizeof id, "%0*x", TOKEN_ID_LEN, r->draw);
		printf("  draw %u of %d, interview id %s%s: ", r->draw + 1, CHECK_DRAWS, id,
		       r->draw ? "" : " (try's default)");
	} else {
		fputs("  ", stdout);
	}
	fputs("replay it with ", stdout);
	put_replay(stdout, c, r);
	fputc('\n', stdout);
}

/* ---- one script ------------------------------------------------------------ */

/* Reads check --answers FILE as try reads it: one answer a line, the first
 * the opening message. Returns 0, or prints why not and returns 2. */
static int seed_read(struct check *c, const char *path)
{
	FILE *in = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t n;
	int rc = 2;
	if (!in) {
		fprintf(stderr, "check: cannot open %s: %s\n", path, strerror(errno));
		return 2;
	}
	c->seed_file = path;
	while ((n = getline(&line, &cap, in)) >= 0) {
		lineno++;
		c->seed_newline = n > 0 && line[n - 1] == '\n';
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (!*line) {
			fprintf(stderr, "check: %s:%zu: empty answer (the server does not accept empty "
				"messages)\n", path, lineno);
			goto out;
		}
		c->seed = play_realloc(c->seed, (c->nseed + 1) * sizeof *c->seed);
		c->seed[c->nseed++] = pool_intern(&c->pool, line);
	}
	if (!c->nseed) {
		fprintf(stderr, "check: %s is empty: its first line is the candidate's opening "
			"message\n", path);
		goto out;
	}
	rc = 0;
out:
	free(line);
	fclose(in);
	return rc;
}

/* A text of len bytes: CHECK_TEXT_UNIT over and over. */
static const char *long_text(struct pool *pl, size_t len)
{
	static const char unit[] = CHECK_TEXT_UNIT;
	char *t = play_realloc(NULL, len + 1);
	for (size_t i = 0; i < len; i++)
		t[i] = unit[i % (sizeof unit - 1)];
	t[len] = '\0';
	const char *s = pool_intern(pl, t);
	free(t);
	return s;
}

static void check_free(struct check *c)
{
	for (size_t i = 0; i < c->nreports; i++) {
		free(c->reports[i].text);
		free(c->reports[i].answers);
	}
	free(c->reports);
	play_strv_free(c->msgs, c->nmsgs);
	play_strv_free(c->notes, c->nnotes);
	free(c->convs);
	free(c->map.keys);
	free(c->map.vals);
	free(c->seed);
	pool_free(&c->pool);
}

/* Returns 0 clean, 1 findings, 2 an unreadable answers file. */
static int check_file(const char *file, const char *answers)
{
	struct check c = { .file = file };
	char err[1024];
	char *src = NULL;
	size_t runs = 0, first_runs = 0;
	int rc = 1;
	if (scriptdir_read_file(file, file, &src, &c.len, err, sizeof err) != 0) {
		printf("%s\n", err);
		goto out;
	}
	c.src = src;
	struct play p;
	if (play_open(&p, file, src, c.len, PLAY_ID, "") != 0) {
		play_format_error(err, sizeof err, file, &p.err);
		printf("%s\n", err);
		play_close(&p);
		goto out;
	}
	play_close(&p);
	if (answers && (rc = seed_read(&c, answers)) != 0)
		goto out;
	c.opening = pool_intern(&c.pool, PLAY_OPENING_MESSAGE);
	c.sample_text = pool_intern(&c.pool, "sample answer");
	c.long_text = long_text(&c.pool, CHECK_LONG_TEXT);
	c.max_text = long_text(&c.pool, CHECK_MAX_TEXT);

	/* pick() and math.random draw from the interview id: explore several,
	 * so a question only some interviews are asked gets run too. */
	for (c.draw = 0; c.draw < CHECK_DRAWS; c.draw++) {
		size_t bound = c.draw == 0 ? CHECK_MAX_RUNS
					   : (CHECK_TOTAL_RUNS - runs) / (CHECK_DRAWS - c.draw);
		runs += check_draw(&c, bound);
		if (c.draw == 0)
			first_runs = runs;
	}
	for (size_t i = 0; i < c.nreports; i++)
		print_report(&c, &c.reports[i]);
	size_t nf = c.nmsgs;
	if (c.varies)
		printf("%s: %zu paths explored in %d draws, %zu finding%s\n", file, runs, CHECK_DRAWS,
		       nf, nf == 1 ? "" : "s");
	else
		printf("%s: %zu paths explored, %zu finding%s (all %d draws went the same way)\n",
		       file, first_runs, nf, nf == 1 ? "" : "s", CHECK_DRAWS);
	rc = nf ? 1 : 0;
out:
	check_free(&c);
	free(src);
	return rc;
}

/* ---- the command --------------------------------------------------------- */

int check_cmd(int argc, char **argv)
{
	static const char usage[] =
		"usage: interviewd check FILE... [--answers FILE]\n"
		"Compiles each script in the server's sandbox, then runs it with generated\n"
		"answers: every option of each choose(), numbers at and beyond each\n"
		"ask_number() bound, the examples = { ... } of each ask() and ask_number(),\n"
		"and for ask() a short text, a 2000-character one and one at the message\n"
		"size limit (128 KiB). Up to 200 runs of up to 200 answers each, then up\n"
		"to 200 more spread over 15 other interview ids, since pick() and\n"
		"math.random draw differently for each. --answers FILE (one answer a line,\n"
		"as try reads it) plays that conversation first and explores from every\n"
		"question along it.\n"
		"Reports syntax errors, runtime errors, scripts that run too long or use\n"
		"too much memory, turns the server would refuse (a message past 16 KiB,\n"
		"a transcript past 5000 entries, results past 1 MiB), examples their\n"
		"question refuses and interviews that never end, each with the answers\n"
		"that lead there and a try command that replays them. Exit 1 on any finding.\n";
	int files = 0, rc = 0;
	const char *answers = NULL;
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
		if (strcmp(argv[i], "--answers") == 0) {
			if (i + 1 >= argc) {
				fprintf(stderr, "check: --answers needs a FILE\n%s", usage);
				return 2;
			}
			answers = argv[++i];
			continue;
		}
		if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "check: unknown option %s\n%s", argv[i], usage);
			return 2;
		}
		files++;
	}
	if (!files) {
		fputs(usage, stderr);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		int skip = play_dir_option(argc, argv, i);
		if (skip) {
			i += skip - 1;
			continue;
		}
		if (strcmp(argv[i], "--answers") == 0) {
			i++;
			continue;
		}
		int frc = check_file(argv[i], answers);
		if (frc == 2)
			return 2;
		if (frc != 0)
			rc = 1;
		fflush(stdout);
	}
	return rc;
}
