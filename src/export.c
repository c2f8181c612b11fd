/* export: CSV, JSON Lines, Markdown and summaries of interviews. See export.h.
 *
 * Everything is built into a growing buffer that remembers running out of
 * memory, so the builders read straight through and check once at the end.
 * JSON comes from proto (the only module that includes cJSON); the CSV and
 * Markdown rules are here, each in its own section: what gets quoted or
 * escaped is the whole point of those formats' safety. */
#include "export.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "record.h"
#include "token.h"

/* ======================================================================== */
/* A growing buffer                                                         */
/* ======================================================================== */

struct buf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static void buf_char(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

/* Hands the text to the caller: 0, or STORE_ENOMEM (and frees it). */
static int buf_finish(struct buf *b, char **out, size_t *len)
{
	if (!b->oom && !b->p)
		buf_add(b, "", 0);
	if (b->oom) {
		free(b->p);
		*out = NULL;
		*len = 0;
		return STORE_ENOMEM;
	}
	*out = b->p;
	*len = b->len;
	return 0;
}

/* ======================================================================== */
/* Shared helpers                                                           */
/* ======================================================================== */

int export_format_parse(const char *s, enum export_format *out)
{
	if (s && strcmp(s, "csv") == 0)
		*out = EXPORT_CSV;
	else if (s && strcmp(s, "jsonl") == 0)
		*out = EXPORT_JSONL;
	else
		return -1;
	return 0;
}

/* "2025-11-25T09:30:00Z" (iso) or "2025-11-25 09:30 UTC" (for people). */
static void fmt_time(int64_t ms, bool iso, char *out, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	if (!gmtime_r(&t, &tm) ||
	    strftime(out, len, iso ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%d %H:%M UTC", &tm) == 0)
		snprintf(out, len, "?");
}

/* The shortest text that reads back as v ("" when not finite). Whole numbers are written out:
 * %.1g alone turns a score of 10 into "1e+01". */
static void fmt_number(double v, char *out, size_t len)
{
	if (!isfinite(v)) {
		snprintf(out, len, "%s", "");
		return;
	}
	if (v == trunc(v) && fabs(v) < 1e15) {
		snprintf(out, len, "%.0f", v == 0 ? 0.0 : v); /* no "-0" */
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(out, len, "%.*g", prec, v);
		if (strtod(out, NULL) == v)
			return;
	}
}

/* When the interview ended: finished or closed, the last update; else -1. */
static int64_t ended_at(const struct proto_interview *iv)
{
	return iv->status == PROTO_STATUS_FINISHED || iv->status == PROTO_STATUS_CLOSED
		       ? iv->updated
		       : -1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted, distinct names: every answer id (answers) or score name of ivs. The
 * strings are borrowed from ivs; free only the array. */
static int union_names(const struct proto_interview *ivs, size_t n, bool answers, char ***out,
		       size_t *count)
{
	size_t total = 0, k = 0;
	for (size_t i = 0; i < n; i++)
		total += answers ? ivs[i].nanswers : ivs[i].nscores;
	char **v = calloc(total ? total : 1, sizeof *v);
	if (!v)
		return STORE_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		size_t m = answers ? ivs[i].nanswers : ivs[i].nscores;
		for (size_t j = 0; j < m; j++) {
			char *name = answers ? ivs[i].answers[j].id : ivs[i].scores[j].name;
			if (name)
				v[k++] = name;
		}
	}
	if (k > 1)
		qsort(v, k, sizeof *v, cmp_str);
	size_t d = 0;
	for (size_t i = 0; i < k; i++)
		if (d == 0 || strcmp(v[d - 1], v[i]) != 0)
			v[d++] = v[i];
	*out = v;
	*count = d;
	return 0;
}

static const char *answer_of(const struct proto_interview *iv, const char *id)
{
	for (size_t i = 0; i < iv->nanswers; i++)
		if (iv->answers[i].id && strcmp(iv->answers[i].id, id) == 0)
			return iv->answers[i].text ? iv->answers[i].text : "";
	return NULL;
}

static const struct proto_score *score_of(const struct proto_interview *iv, const char *name)
{
	for (size_t i = 0; i < iv->nscores; i++)
		if (iv->scores[i].name && strcmp(iv->scores[i].name, name) == 0)
			return &iv->scores[i];
	return NULL;
}

/* ======================================================================== */
/* Loading a script's interviews                                            */
/* ======================================================================== */

static int oldest_first(const void *a, const void *b)
{
	const struct proto_interview *x = a, *y = b;
	if (x->created != y->created)
		return x->created < y->created ? -1 : 1;
	return strcmp(x->id, y->id);
}

int export_load(struct store *st, const char *script, struct proto_interview **ivs, size_t *n)
{
	struct proto_interview *all = NULL;
	size_t nall = 0, k = 0;
	*ivs = NULL;
	*n = 0;
	int rc = record_list_interviews(st, &all, &nall);
	if (rc)
		return rc;
	/* Keep this script's records, moved to the front; free the others. */
	for (size_t i = 0; i < nall; i++) {
		if (script && all[i].script && strcmp(all[i].script, script) == 0) {
			if (k != i) {
				all[k] = all[i];
				memset(&all[i], 0, sizeof all[i]);
			}
			k++;
		} else {
			proto_interview_free(&all[i]);
		}
	}
	if (k > 1)
		qsort(all, k, sizeof *all, oldest_first);
	if (k == 0) {
		free(all);
		all = NULL;
	}
	*ivs = all;
	*n = k;
	return 0;
}

/* ======================================================================== */
/* CSV (RFC 4180)                                                           */
/* ======================================================================== */

/* One field. guard: it is text someone typed (or a script built from it),
 * so a leading formula character is neutralised. */
static void csv_field(struct buf *b, const char *s, bool guard)
{
	bool quote = strpbrk(s, ",\"\r\n") != NULL;
	if (quote)
		buf_char(b, '"');
	if (guard && s[0] && strchr("=+-@\t\r", s[0]))
		buf_char(b, '\'');
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			buf_char(b, '"');
		buf_char(b, *p);
	}
	if (quote)
		buf_char(b, '"');
}

static void csv_named(struct buf *b, const char *prefix, const char *name)
{
	struct buf h = { 0 };
	buf_puts(&h, prefix);
	buf_puts(&h, name);
	if (h.oom)
		b->oom = true;
	else
		csv_field(b, h.p, true);
	free(h.p);
}

static void csv_row(struct buf *b, const struct proto_interview *iv, char *const *aids, size_t na,
		    char *const *snames, size_t ns)
{
	char when[32], num[40];
	csv_field(b, iv->id ? iv->id : "", true);
	buf_char(b, ',');
	csv_field(b, iv->candidate ? iv->candidate : "", true);
	buf_char(b, ',');
	csv_field(b, proto_status_name(iv->status), false);
	buf_char(b, ',');
	fmt_time(iv->created, true, when, sizeof when);
	csv_field(b, when, false);
	buf_char(b, ',');
	if (ended_at(iv) >= 0) {
		fmt_time(ended_at(iv), true, when, sizeof when);
		csv_field(b, when, false);
	}
	for (size_t i = 0; i < na; i++) {
		const char *a = answer_of(iv, aids[i]);
		buf_char(b, ',');
		csv_field(b, a ? a : "", true);
	}
	for (size_t i = 0; i < ns; i++) {
		const struct proto_score *sc = score_of(iv, snames[i]);
		buf_char(b, ',');
		/* A number we print is data, not a formula: "-1" stays -1. */
		if (sc) {
			fmt_number(sc->value, num, sizeof num);
			csv_field(b, num, false);
		}
	}
	buf_char(b, ',');
	struct buf tags = { 0 };
	for (size_t i = 0; i < iv->ntags; i++) {
		if (i)
			buf_puts(&tags, ", ");
		buf_puts(&tags, iv->tags[i] ? iv->tags[i] : "");
	}
	if (tags.oom)
		b->oom = true;
	else
		csv_field(b, tags.p ? tags.p : "", true);
	free(tags.p);
	buf_puts(b, "\r\n");
}

int export_csv(const struct proto_interview *ivs, size_t n, char **out, size_t *len)
{
	struct buf b = { 0 };
	char **aids = NULL, **snames = NULL;
	size_t na = 0, ns = 0;
	*out = NULL;
	*len = 0;
	int rc = union_names(ivs, n, true, &aids, &na);
	if (rc == 0)
		rc = union_names(ivs, n, false, &snames, &ns);
	if (rc)
		goto out;
	buf_puts(&b, "id,candidate,status,created,finished");
	for (size_t i = 0; i < na; i++) {
		buf_char(&b, ',');
		csv_named(&b, "answer.", aids[i]);
	}
	for (size_t i = 0; i < ns; i++) {
		buf_char(&b, ',');
		csv_named(&b, "score.", snames[i]);
	}
	buf_puts(&b, ",tags\r\n");
	for (size_t i = 0; i < n; i++)
		csv_row(&b, &ivs[i], aids, na, snames, ns);
	rc = buf_finish(&b, out, len);
out:
	free(aids);
	free(snames);
	return rc;
}

/* ======================================================================== */
/* JSON Lines                                                               */
/* ======================================================================== */

int export_jsonl(const struct proto_interview *ivs, size_t n, char **out, size_t *len)
{
	struct buf b = { 0 };
	char **aids = NULL, **snames = NULL;
	size_t na = 0, ns = 0;
	*out = NULL;
	int rc = union_names(ivs, n, true, &aids, &na);
	if (rc == 0)
		rc = union_names(ivs, n, false, &snames, &ns);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		char *line = proto_export_line(&ivs[i], ended_at(&ivs[i]), aids, na, snames, ns);
		if (!line) {
			rc = STORE_ENOMEM;
			break;
		}
		buf_puts(&b, line);
		buf_char(&b, '\n');
		free(line);
	}
	if (rc == 0)
		rc = buf_finish(&b, out, len);
	else
		free(b.p);
	free(aids);
	free(snames);
	return rc;
}

int export_script(struct store *st, const char *script, enum export_format fmt, char **out,
		  size_t *len)
{
	struct proto_interview *ivs = NULL;
	size_t n = 0;
	*out = NULL;
	*len = 0;
	int rc = export_load(st, script, &ivs, &n);
	if (rc == 0)
		rc = fmt == EXPORT_JSONL ? export_jsonl(ivs, n, out, len)
					 : export_csv(ivs, n, out, len);
	record_interviews_free(ivs, n);
	return rc;
}

/* ======================================================================== */
/* Markdown                                                                 */
/* ======================================================================== */

/* Backslash-escaped anywhere (CommonMark lets any ASCII punctuation be
 * escaped): emphasis, code, links and images, raw HTML and entities, tables
 * and strikethrough. */
#define MD_ESCAPE "\\`*_[]()<>&|~"

/* Whether s[i] (of n bytes) needs a backslash wherever it is. Besides
 * MD_ESCAPE: the ":" of "://" and the "." of a word "www.", so that renderers
 * with bare-URL autolinks (GitHub's) do not make a candidate's text a link. */
static bool md_special(const char *s, size_t i, size_t n)
{
	if (strchr(MD_ESCAPE, s[i]))
		return true;
	if (s[i] == ':')
		return i + 2 < n && s[i + 1] == '/' && s[i + 2] == '/';
	if (s[i] == '.' && i >= 3 && strncasecmp(s + i - 3, "www", 3) == 0)
		return i == 3 || !isalnum((unsigned char)s[i - 4]);
	return false;
}

/* One line of text, escaped. At the start of a line, what would open a
 * heading, a list, a quote (">" is escaped anyway) or turn the line above
 * into a heading ("===", "---") is escaped too. */
static void md_line(struct buf *b, const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		buf_char(b, s[i++]);
	if (i < n && strchr("#+-=", s[i]))
		buf_char(b, '\\');
	size_t d = i;
	while (d < n && s[d] >= '0' && s[d] <= '9')
		d++;
	for (; i < n; i++) {
		if (s[i] == '\r')
			continue;
		/* "1. " or "1) " would start a numbered list. */
		if (md_special(s, i, n) || (i == d && d > 0 && (s[i] == '.' || s[i] == ')')))
			buf_char(b, '\\');
		buf_char(b, s[i]);
	}
}

/* Text on one line (a heading, a list item): line breaks become spaces. */
static void md_inline(struct buf *b, const char *s)
{
	const char *p = s;
	bool first = true;
	for (;;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (!first)
			buf_char(b, ' ');
		/* Only the first piece starts the line. */
		if (first)
			md_line(b, p, n);
		else
			for (size_t i = 0; i < n; i++) {
				if (p[i] == '\r')
					continue;
				if (md_special(p, i, n))
					buf_char(b, '\\');
				buf_char(b, p[i]);
			}
		first = false;
		if (!nl)
			break;
		p = nl + 1;
	}
}

/* Text as it was written, over several lines: each line escaped, line breaks
 * kept as hard breaks ("\" at the end of a line), blank lines as paragraph
 * breaks. */
static void md_block(struct buf *b, const char *s)
{
	const char *p = s;
	for (;;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		md_line(b, p, n);
		if (!nl)
			break;
		const char *next = nl + 1;
		bool blank_here = strspn(p, " \t\r") >= n;
		char after = next[strspn(next, " \t\r")];
		bool blank_next = after == '\n' || after == '\0';
		buf_puts(b, blank_here || blank_next ? "\n" : "\\\n");
		p = next;
	}
	buf_char(b, '\n');
}

/* A fenced block that nothing inside can close: its fence is longer than
 * any run of backticks in the text. */
static void md_fenced(struct buf *b, const char *s)
{
	size_t longest = 0, run = 0;
	for (const char *p = s; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	size_t fence = longest < 3 ? 3 : longest + 1;
	for (size_t i = 0; i < fence; i++)
		buf_char(b, '`');
	buf_puts(b, "text\n");
	buf_puts(b, s);
	if (!*s || s[strlen(s) - 1] != '\n')
		buf_char(b, '\n');
	for (size_t i = 0; i < fence; i++)
		buf_char(b, '`');
	buf_char(b, '\n');
}

static void md_turn(struct buf *b, const struct proto_turn *t)
{
	buf_puts(b, t->role == PROTO_ROLE_CANDIDATE ? "**Candidate:** " : "**Bot:** ");
	md_block(b, t->text ? t->text : "");
	if (t->nchoices > 0) {
		buf_puts(b, "\n*Choices:* ");
		for (size_t i = 0; i < t->nchoices; i++) {
			if (i)
				buf_puts(b, " · ");
			md_inline(b, t->choices[i] ? t->choices[i] : "");
		}
		buf_char(b, '\n');
	}
	buf_char(b, '\n');
}

static void md_results(struct buf *b, const struct proto_interview *iv)
{
	char num[40];
	buf_puts(b, "## Results\n\n");
	if (!iv->nscores && !iv->nanswers && !iv->nnotes && !iv->ntags && !iv->last_error)
		buf_puts(b, "None recorded.\n\n");
	if (iv->nscores) {
		buf_puts(b, "### Scores\n\n");
		for (size_t i = 0; i < iv->nscores; i++) {
			buf_puts(b, "- ");
			md_inline(b, iv->scores[i].name ? iv->scores[i].name : "");
			fmt_number(iv->scores[i].value, num, sizeof num);
			buf_puts(b, ": ");
			buf_puts(b, num[0] ? num : "(not a number)");
			buf_char(b, '\n');
		}
		buf_char(b, '\n');
	}
	if (iv->nanswers) {
		buf_puts(b, "### Answers\n\n");
		for (size_t i = 0; i < iv->nanswers; i++) {
			buf_puts(b, "- **");
			md_inline(b, iv->answers[i].id ? iv->answers[i].id : "");
			buf_puts(b, ":** ");
			md_inline(b, iv->answers[i].text ? iv->answers[i].text : "");
			buf_char(b, '\n');
		}
		buf_char(b, '\n');
	}
	if (iv->nnotes) {
		buf_puts(b, "### Notes\n\n");
		for (size_t i = 0; i < iv->nnotes; i++) {
			buf_puts(b, "- ");
			md_inline(b, iv->notes[i] ? iv->notes[i] : "");
			buf_char(b, '\n');
		}
		buf_char(b, '\n');
	}
	if (iv->ntags) {
		buf_puts(b, "### Tags\n\n");
		for (size_t i = 0; i < iv->ntags; i++) {
			if (i)
				buf_puts(b, ", ");
			md_inline(b, iv->tags[i] ? iv->tags[i] : "");
		}
		buf_puts(b, "\n\n");
	}
	if (iv->last_error) {
		buf_puts(b, "### Last script error\n\n");
		struct buf e = { 0 };
		buf_puts(&e, iv->last_error);
		if (iv->last_traceback) {
			buf_char(&e, '\n');
			buf_puts(&e, iv->last_traceback);
		}
		if (e.oom)
			b->oom = true;
		else
			md_fenced(b, e.p);
		free(e.p);
	}
}

int export_markdown(const struct proto_interview *iv, const struct proto_turn *turns, size_t n,
		    char **out, size_t *len)
{
	struct buf b = { 0 };
	char when[32];
	const char *cand = iv->candidate && iv->candidate[0] ? iv->candidate : NULL;

	buf_puts(&b, "# Interview");
	if (cand) {
		buf_puts(&b, " with ");
		md_inline(&b, cand);
	}
	buf_puts(&b, " — ");
	md_inline(&b, iv->script ? iv->script : "");
	buf_puts(&b, "\n\n- **Status:** ");
	buf_puts(&b, proto_status_name(iv->status));
	buf_puts(&b, "\n- **Script:** ");
	md_inline(&b, iv->script ? iv->script : "");
	/* A sha256 in hex, as record pins it: nothing in it to escape. */
	const char *hash = iv->script_hash ? iv->script_hash : "";
	if (hash[0] && strspn(hash, "0123456789abcdef") == strlen(hash)) {
		buf_puts(&b, ", version `");
		buf_puts(&b, hash);
		buf_char(&b, '`');
	} else {
		buf_puts(&b, ", version unknown");
	}
	buf_puts(&b, "\n- **Interview:** ");
	md_inline(&b, iv->id ? iv->id : "");
	fmt_time(iv->created, false, when, sizeof when);
	buf_puts(&b, "\n- **Created:** ");
	buf_puts(&b, when);
	fmt_time(iv->updated, false, when, sizeof when);
	buf_puts(&b, "\n- **Last activity:** ");
	buf_puts(&b, when);
	buf_puts(&b, "\n\n");

	const char *section = NULL;
	if (n == 0)
		buf_puts(&b, "No messages yet.\n\n");
	for (size_t i = 0; i < n; i++) {
		const char *s = turns[i].section;
		if (s && s[0] && (!section || strcmp(s, section) != 0)) {
			buf_puts(&b, "## ");
			md_inline(&b, s);
			buf_puts(&b, "\n\n");
			section = s;
		}
		md_turn(&b, &turns[i]);
	}
	md_results(&b, iv);
	return buf_finish(&b, out, len);
}

int export_transcript(struct store *st, const char *id, char **out, size_t *len)
{
	struct proto_interview iv;
	struct proto_turn *turns = NULL;
	size_t n = 0;
	*out = NULL;
	*len = 0;
	int rc = token_is_id(id) ? record_get_interview(st, id, &iv) : STORE_ENOTFOUND;
	if (rc)
		return rc;
	rc = record_get_transcript(st, id, &turns, &n);
	if (rc == 0)
		rc = export_markdown(&iv, turns, n, out, len);
	record_transcript_free(turns, n);
	proto_interview_free(&iv);
	return rc;
}

/* ======================================================================== */
/* Summary and drop-off                                                     */
/* ======================================================================== */

/* Counts question once more in s->dropoff. */
static int count_question(struct proto_stats *s, const char *question)
{
	for (size_t i = 0; i < s->ndropoff; i++)
		if (strcmp(s->dropoff[i].question, question) == 0) {
			s->dropoff[i].count++;
			return 0;
		}
	struct proto_dropoff *d = realloc(s->dropoff, (s->ndropoff + 1) * sizeof *d);
	if (!d)
		return STORE_ENOMEM;
	s->dropoff = d;
	char *q = strdup(question);
	if (!q)
		return STORE_ENOMEM;
	s->dropoff[s->ndropoff++] = (struct proto_dropoff){ .question = q, .count = 1 };
	return 0;
}

static int most_common_first(const void *a, const void *b)
{
	const struct proto_dropoff *x = a, *y = b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->question, y->question);
}

/* The unfinished interview iv stopped at its last question, if it had one. */
static int count_dropoff(struct store *st, const struct proto_interview *iv, struct proto_stats *s)
{
	struct proto_turn *turns = NULL;
	size_t n = 0;
	int rc = record_get_transcript(st, iv->id, &turns, &n);
	for (size_t i = n; rc == 0 && i-- > 0;)
		if (turns[i].role == PROTO_ROLE_BOT && turns[i].kind == PROTO_KIND_ASK) {
			rc = count_question(s, turns[i].text ? turns[i].text : "");
			break;
		}
	record_transcript_free(turns, n);
	return rc;
}

int export_stats(struct store *st, const char *script, struct proto_stats *stats)
{
	struct proto_interview *ivs = NULL;
	size_t n = 0;
	memset(stats, 0, sizeof *stats);
	int rc = export_load(st, script, &ivs, &n);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const struct proto_interview *iv = &ivs[i];
		/* Turns are written only with a candidate's message, so any turn
		 * means one came. */
		bool started = iv->next_seq > 1;
		stats->total++;
		stats->started += started;
		stats->status_new += iv->status == PROTO_STATUS_NEW;
		stats->status_active += iv->status == PROTO_STATUS_ACTIVE;
		stats->status_finished += iv->status == PROTO_STATUS_FINISHED;
		stats->status_closed += iv->status == PROTO_STATUS_CLOSED;
		if (started && iv->status != PROTO_STATUS_FINISHED)
			rc = count_dropoff(st, iv, stats);
	}
	if (rc == 0 && stats->ndropoff > 1)
		qsort(stats->dropoff, stats->ndropoff, sizeof *stats->dropoff, most_common_first);
	if (rc)
		proto_stats_free(stats);
	record_interviews_free(ivs, n);
	return rc;
}
