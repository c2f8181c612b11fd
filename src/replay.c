/* replay and migrate: an edited script against the recorded interviews.
 * See replay.h.
 *
 * Both replay recorded candidate messages into the player (play.h) and
 * compare what it builds with what the store holds: every turn that differs
 * (aligned per candidate message, so one added line shows as one) and every
 * change in the results. replay reports that, as text or as one JSON
 * document (proto.h). migrate decides whether each recorded message is taken
 * the same way by the new script (and by the old one, alongside, when it
 * still runs) and, if so, pins the new source and the results the new script
 * computes from the recorded answers, with a write conditional on the record
 * being unchanged: the server may be running turns of the same interview in
 * another process. */
#include "replay.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "play.h"
#include "record.h"
#include "scriptdir.h"
#include "store.h"
#include "text.h"
#include "token.h"

#define QUOTE_MAX 80 /* bytes of a message or answer quoted in a report */

/* ---- recorded interviews: shared by replay and migrate ------------------- */

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
	return a->role == b->role && a->kind == b->kind && play_str_eq(a->text, b->text) &&
	       play_strv_equal(a->choices, a->nchoices, b->choices, b->nchoices);
}

/* Plays every recorded candidate message into p, stopping at the first the
 * script fails on or cannot take because it already finished. */
static void play_recorded(struct play *p, const struct proto_turn *turns, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (turns[i].role != PROTO_ROLE_CANDIDATE)
			continue;
		if (p->finished || p->failed)
			break;
		struct play_fed fi;
		if (play_feed(p, turns[i].text, &fi) != 0)
			break;
	}
}

/* "s" shortened to QUOTE_MAX bytes at a character boundary, for a sentence. */
static void put_short(char *buf, size_t n, const char *s)
{
	size_t len = strlen(s ? s : "");
	int keep = (int)text_utf8_cut(s ? s : "", len, QUOTE_MAX);
	snprintf(buf, n, "\"%.*s%s\"", keep, s ? s : "", (size_t)keep < len ? "..." : "");
}

/* ---- differences: shared by replay and migrate --------------------------- */

/* Everything that differs between a recorded interview and its replay. The
 * pointers are borrowed from the recorded data and the player; the arrays
 * are owned. */
struct diff {
	struct proto_turn_change *turns;
	uint64_t *after; /* per turn only the replay has: the recorded seq before it */
	size_t nturns;
	struct proto_score_change *scores;
	size_t nscores;
	const char **notes_added, **notes_removed, **tags_added, **tags_removed;
	size_t nnotes_added, nnotes_removed, ntags_added, ntags_removed;
	struct proto_answer_change *answers;
	size_t nanswers;
};

static void diff_free(struct diff *d)
{
	free(d->turns);
	free(d->after);
	free(d->scores);
	free(d->notes_added);
	free(d->notes_removed);
	free(d->tags_added);
	free(d->tags_removed);
	free(d->answers);
	memset(d, 0, sizeof *d);
}

static bool diff_empty(const struct diff *d)
{
	return !d->nturns && !d->nscores && !d->nnotes_added && !d->nnotes_removed &&
	       !d->ntags_added && !d->ntags_removed && !d->nanswers;
}

static void push_turn(struct diff *d, const struct proto_turn *rec, const struct proto_turn *now,
		      uint64_t after)
{
	d->turns = play_realloc(d->turns, (d->nturns + 1) * sizeof *d->turns);
	d->after = play_realloc(d->after, (d->nturns + 1) * sizeof *d->after);
	struct proto_turn_change *c = &d->turns[d->nturns];
	c->seq = rec ? rec->seq : now ? now->seq : 0;
	c->recorded = rec;
	c->replayed = now;
	d->after[d->nturns++] = after;
}

static void push_str(const char ***v, size_t *n, const char *s)
{
	*v = play_realloc(*v, (*n + 1) * sizeof **v);
	(*v)[(*n)++] = s;
}

/* How well two turns pair up: 3 the same, 2 the same kind (a changed text or
 * list), 1 another kind of bot message (an ask that now ends the interview),
 * 0 not at all. */
static int pair_score(const struct proto_turn *a, const struct proto_turn *b)
{
	if (a->role != b->role)
		return 0;
	if (a->kind != b->kind)
		return 1;
	return turn_same(a, b) ? 3 : 2;
}

/* One candidate message's turns, recorded a[0..na) and replayed b[0..nb):
 * the alignment that pairs the best (identical turns, then the same kind), so
 * one turn added or dropped shows as one, not as every turn after it changed. A
 * script says at most a few dozen messages a turn; past a bound the turns
 * pair up in order. */
static void diff_group(struct diff *d, const struct proto_turn *a, size_t na,
		       const struct proto_turn *b, size_t nb, uint64_t before)
{
	size_t w = nb + 1;
	if ((na + 1) * w > 1u << 16) {
		size_t m = na < nb ? na : nb;
		for (size_t i = 0; i < m; i++)
			if (!turn_same(&a[i], &b[i]))
				push_turn(d, &a[i], &b[i], 0);
		for (size_t i = m; i < na; i++)
			push_turn(d, &a[i], NULL, 0);
		for (size_t i = m; i < nb; i++)
			push_turn(d, NULL, &b[i], na ? a[na - 1].seq : before);
		return;
	}
	/* h[i*w+j]: the best score aligning a[i..) with b[j..). */
	unsigned *h = play_realloc(NULL, (na + 1) * w * sizeof *h);
	for (size_t i = na + 1; i-- > 0;)
		for (size_t j = nb + 1; j-- > 0;) {
			unsigned best = 0;
			if (i < na && h[(i + 1) * w + j] > best)
				best = h[(i + 1) * w + j];
			if (j < nb && h[i * w + j + 1] > best)
				best = h[i * w + j + 1];
			if (i < na && j < nb) {
				int s = pair_score(&a[i], &b[j]);
				if (s && h[(i + 1) * w + j + 1] + (unsigned)s > best)
					best = h[(i + 1) * w + j + 1] + (unsigned)s;
			}
			h[i * w + j] = best;
		}
	size_t i = 0, j = 0;
	uint64_t last = before; /* the recorded seq an added turn follows */
	while (i < na || j < nb) {
		int s = i < na && j < nb ? pair_score(&a[i], &b[j]) : 0;
		if (s && h[i * w + j] == h[(i + 1) * w + j + 1] + (unsigned)s) {
			if (s < 3)
				push_turn(d, &a[i], &b[j], 0);
			last = a[i++].seq;
			j++;
		} else if (i < na && h[i * w + j] == h[(i + 1) * w + j]) {
			push_turn(d, &a[i], NULL, 0);
			last = a[i++].seq;
		} else {
			push_turn(d, NULL, &b[j++], last);
		}
	}
	free(h);
}

/* The end of the group of turns starting at v[i]: the next candidate message. */
static size_t group_end(const struct proto_turn *v, size_t n, size_t i)
{
	size_t j = i + 1;
	while (j < n && v[j].role != PROTO_ROLE_CANDIDATE)
		j++;
	return j;
}

/* Every turn of the recorded transcript rec that the replayed one now lacks,
 * changes or adds, aligned candidate message by candidate message (both were
 * fed the same messages, in order). */
static void diff_turns(struct diff *d, const struct proto_turn *rec, size_t nrec,
		       const struct proto_turn *now, size_t nnow)
{
	size_t i = 0, k = 0;
	uint64_t before = 0;
	while (i < nrec || k < nnow) {
		size_t ie = i < nrec ? group_end(rec, nrec, i) : i;
		size_t ke = k < nnow ? group_end(now, nnow, k) : k;
		diff_group(d, rec + i, ie - i, now + k, ke - k, before);
		if (ie > i)
			before = rec[ie - 1].seq;
		i = ie;
		k = ke;
	}
}

static const struct proto_score *find_score(const struct proto_interview *iv, const char *name)
{
	for (size_t i = 0; i < iv->nscores; i++)
		if (play_str_eq(iv->scores[i].name, name))
			return &iv->scores[i];
	return NULL;
}

static const struct proto_answer *find_answer(const struct proto_interview *iv, const char *id)
{
	for (size_t i = 0; i < iv->nanswers; i++)
		if (play_str_eq(iv->answers[i].id, id))
			return &iv->answers[i];
	return NULL;
}

static bool has_str(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (play_str_eq(v[i], s))
			return true;
	return false;
}

/* Notes may repeat: each recorded note is matched by one replayed note at
 * most, in any order. */
static void diff_notes(struct diff *d, const struct proto_interview *old,
		       const struct proto_interview *now)
{
	bool *used = play_realloc(NULL, now->nnotes * sizeof *used);
	memset(used, 0, now->nnotes * sizeof *used);
	for (size_t i = 0; i < old->nnotes; i++) {
		size_t k = 0;
		while (k < now->nnotes && (used[k] || !play_str_eq(now->notes[k], old->notes[i])))
			k++;
		if (k < now->nnotes)
			used[k] = true;
		else
			push_str(&d->notes_removed, &d->nnotes_removed, old->notes[i]);
	}
	for (size_t k = 0; k < now->nnotes; k++)
		if (!used[k])
			push_str(&d->notes_added, &d->nnotes_added, now->notes[k]);
	free(used);
}

static void push_score(struct diff *d, const char *name, const double *o, const double *n)
{
	d->scores = play_realloc(d->scores, (d->nscores + 1) * sizeof *d->scores);
	d->scores[d->nscores++] = (struct proto_score_change){ name, o, n };
}

static void push_answer(struct diff *d, const char *id, const struct proto_answer *o,
			const struct proto_answer *n)
{
	d->answers = play_realloc(d->answers, (d->nanswers + 1) * sizeof *d->answers);
	d->answers[d->nanswers++] = (struct proto_answer_change){ id, o, n };
}

static bool answer_same(const struct proto_answer *a, const struct proto_answer *b)
{
	return a->is_number == b->is_number && play_str_eq(a->text, b->text);
}

/* Scores, notes, tags and answers: what the record holds (old) against what
 * the replay computed (now). */
static void diff_results(struct diff *d, const struct proto_interview *old,
			 const struct proto_interview *now)
{
	for (size_t i = 0; i < old->nscores; i++) {
		const struct proto_score *s = &old->scores[i];
		const struct proto_score *n = find_score(now, s->name);
		if (!n || !(n->value == s->value))
			push_score(d, s->name, &s->value, n ? &n->value : NULL);
	}
	for (size_t i = 0; i < now->nscores; i++)
		if (!find_score(old, now->scores[i].name))
			push_score(d, now->scores[i].name, NULL, &now->scores[i].value);
	diff_notes(d, old, now);
	for (size_t i = 0; i < old->ntags; i++)
		if (!has_str(now->tags, now->ntags, old->tags[i]))
			push_str(&d->tags_removed, &d->ntags_removed, old->tags[i]);
	for (size_t i = 0; i < now->ntags; i++)
		if (!has_str(old->tags, old->ntags, now->tags[i]))
			push_str(&d->tags_added, &d->ntags_added, now->tags[i]);
	for (size_t i = 0; i < old->nanswers; i++) {
		const struct proto_answer *a = &old->answers[i];
		const struct proto_answer *n = find_answer(now, a->id);
		if (!n || !answer_same(a, n))
			push_answer(d, a->id, a, n);
	}
	for (size_t i = 0; i < now->nanswers; i++)
		if (!find_answer(old, now->answers[i].id))
			push_answer(d, now->answers[i].id, NULL, &now->answers[i]);
}

/* The whole difference between a recorded interview and the player p that
 * replayed it. */
static void diff_build(struct diff *d, const struct proto_interview *iv,
		       const struct proto_turn *rec, size_t nrec, const struct play *p)
{
	memset(d, 0, sizeof *d);
	diff_turns(d, rec, nrec, p->log.v, p->log.n);
	diff_results(d, iv, &p->iv);
}

/* ---- printing differences ------------------------------------------------ */

/* A turn as "ask "text" [A, B]", its text from byte off on ("..." before it
 * when off > 0), or "(none)". */
static void put_turn_from(FILE *f, const struct proto_turn *t, size_t off)
{
	if (!t) {
		fputs("(none)", f);
		return;
	}
	if (t->role == PROTO_ROLE_CANDIDATE)
		fputs("candidate message ", f);
	else
		fprintf(f, "%s ", proto_kind_name(t->kind));
	if (off)
		fputs("...", f);
	play_put_text(f, t->text + off);
	if (t->nchoices) {
		fputs(" [", f);
		for (size_t i = 0; i < t->nchoices; i++)
			fprintf(f, "%s%s", i ? ", " : "", t->choices[i]);
		fputc(']', f);
	}
}

/* Where two long texts that differ late should be quoted from so the
 * difference shows: a little before the first differing byte, on a character
 * boundary; 0 when it shows anyway. */
static size_t diff_offset(const char *a, const char *b)
{
	size_t k = 0;
	while (a[k] && a[k] == b[k])
		k++;
	if (k < QUOTE_MAX - 20)
		return 0;
	k -= 20;
	while (k > 0 && ((unsigned char)a[k] & 0xc0) == 0x80)
		k--;
	return k;
}

static void put_answer(FILE *f, const struct proto_answer *a)
{
	if (!a)
		fputs("(none)", f);
	else if (a->is_number)
		fputs(a->text, f); /* a number, as the record spells it */
	else
		play_put_text(f, a->text);
}

static void put_number(FILE *f, const double *x)
{
	char buf[32];
	if (!x) {
		fputs("(none)", f);
		return;
	}
	proto_number_text(*x, buf, sizeof buf);
	fputs(buf, f);
}

/* One line per difference, each starting with indent. */
static void diff_print(FILE *f, const struct diff *d, const char *indent)
{
	for (size_t i = 0; i < d->nturns; i++) {
		const struct proto_turn_change *c = &d->turns[i];
		size_t off = c->recorded && c->replayed && c->recorded->text && c->replayed->text
				     ? diff_offset(c->recorded->text, c->replayed->text)
				     : 0;
		if (c->recorded)
			fprintf(f, "%sseq %" PRIu64 ": ", indent, c->seq);
		else if (d->after[i])
			fprintf(f, "%safter seq %" PRIu64 ": ", indent, d->after[i]);
		else
			fprintf(f, "%sat the start: ", indent);
		put_turn_from(f, c->recorded, off);
		fputs(" \u2192 ", f);
		put_turn_from(f, c->replayed, off);
		fputc('\n', f);
	}
	for (size_t i = 0; i < d->nscores; i++) {
		fprintf(f, "%sscore %s: ", indent, d->scores[i].name);
		put_number(f, d->scores[i].old_value);
		fputs(" \u2192 ", f);
		put_number(f, d->scores[i].new_value);
		fputc('\n', f);
	}
	for (size_t i = 0; i < d->nnotes_removed; i++) {
		fprintf(f, "%snote removed: ", indent);
		play_put_text(f, d->notes_removed[i]);
		fputc('\n', f);
	}
	for (size_t i = 0; i < d->nnotes_added; i++) {
		fprintf(f, "%snote added: ", indent);
		play_put_text(f, d->notes_added[i]);
		fputc('\n', f);
	}
	for (size_t i = 0; i < d->ntags_removed; i++)
		fprintf(f, "%stag removed: %s\n", indent, d->tags_removed[i]);
	for (size_t i = 0; i < d->ntags_added; i++)
		fprintf(f, "%stag added: %s\n", indent, d->tags_added[i]);
	for (size_t i = 0; i < d->nanswers; i++) {
		fprintf(f, "%sanswer %s: ", indent, d->answers[i].id);
		put_answer(f, d->answers[i].old_answer);
		fputs(" \u2192 ", f);
		put_answer(f, d->answers[i].new_answer);
		fputc('\n', f);
	}
}

/* "ID (candidate)" */
static void put_interview(FILE *f, const struct proto_interview *iv)
{
	if (iv->candidate && iv->candidate[0])
		fprintf(f, "%s (%s)", iv->id, iv->candidate);
	else
		fputs(iv->id, f);
}

/* ---- replay -------------------------------------------------------------- */

/* What replay reports: text on stdout as it goes, or one JSON document. */
struct replay_out {
	struct proto_replay *json; /* NULL: text */
	size_t count[3];           /* by enum proto_replay_status */
	const char *compile_error; /* the edited script's own, or NULL */
};

static void report(struct replay_out *o, const struct proto_interview *iv,
		   enum proto_replay_status status, const struct diff *d, const char *error,
		   const char *aside)
{
	o->count[status]++;
	if (o->json) {
		static const struct diff none;
		if (!d)
			d = &none;
		struct proto_replay_interview r = {
			.id = iv->id,
			.candidate = iv->candidate,
			.status = status,
			.turns = d->turns,
			.nturns = d->nturns,
			.results = {
				.scores = d->scores,
				.nscores = d->nscores,
				.notes_added = d->notes_added,
				.notes_removed = d->notes_removed,
				.nnotes_added = d->nnotes_added,
				.nnotes_removed = d->nnotes_removed,
				.tags_added = d->tags_added,
				.tags_removed = d->tags_removed,
				.ntags_added = d->ntags_added,
				.ntags_removed = d->ntags_removed,
				.answers = d->answers,
				.nanswers = d->nanswers,
			},
			.error = error,
		};
		if (proto_replay_add(o->json, &r) != 0)
			play_oom();
		return;
	}
	put_interview(stdout, iv);
	printf(": %s%s\n", proto_replay_status_name(status), aside ? aside : "");
	if (error)
		printf("  error: %s\n", error);
	if (d)
		diff_print(stdout, d, "  ");
}

/* The end of the recorded group of the candidate message p failed on: p
 * holds as many candidate messages as it was fed, the failed one last. */
static size_t failed_group_end(const struct proto_turn *rec, size_t nrec, const struct play *p)
{
	size_t fed = 0, i = 0;
	for (size_t k = 0; k < p->log.n; k++)
		fed += p->log.v[k].role == PROTO_ROLE_CANDIDATE;
	for (; i < nrec && fed; i++)
		if (rec[i].role == PROTO_ROLE_CANDIDATE)
			fed--;
	return i ? group_end(rec, nrec, i - 1) : 0;
}

static void replay_one(struct store *st, const struct proto_interview *iv, const char *file,
		       const char *src, size_t len, struct replay_out *o)
{
	struct proto_turn *turns = NULL;
	size_t n = 0;
	struct play p;
	memset(&p, 0, sizeof p);
	struct diff d;
	memset(&d, 0, sizeof d);
	char msg[1100], aside[128];
	int rc = record_get_transcript(st, iv->id, &turns, &n);
	if (rc != 0) {
		snprintf(msg, sizeof msg, "cannot read the transcript: %s", record_strerror(rc));
		report(o, iv, PROTO_REPLAY_FAILING, NULL, msg, NULL);
		goto out;
	}
	if (n == 0) {
		report(o, iv, PROTO_REPLAY_SAME, NULL, NULL, " (no messages yet)");
		goto out;
	}
	if (play_open_level(&p, file, src, len, iv->id, iv->candidate ? iv->candidate : "",
			    iv->api_level) != 0) {
		play_format_error(msg, sizeof msg, file, &p.err);
		report(o, iv, PROTO_REPLAY_FAILING, NULL, msg, NULL);
		goto out;
	}
	play_recorded(&p, turns, n);
	if (p.failed) {
		/* Up to the message it fails on; what follows, and the results,
		 * would only repeat that it stopped there. */
		size_t cut = failed_group_end(turns, n, &p);
		diff_turns(&d, turns, cut, p.log.v, p.log.n);
		play_format_error(msg, sizeof msg, file, &p.err);
		if (cut < n)
			snprintf(aside, sizeof aside,
				 " (stops at seq %" PRIu64 "; %zu recorded turns "
				 "after it not replayed)",
				 turns[cut - 1].seq, n - cut);
		report(o, iv, PROTO_REPLAY_FAILING, &d, msg, cut < n ? aside : NULL);
	} else {
		diff_build(&d, iv, turns, n, &p);
		report(o, iv, diff_empty(&d) ? PROTO_REPLAY_SAME : PROTO_REPLAY_DIFFERENT, &d, NULL,
		       NULL);
	}
out:
	diff_free(&d);
	play_close(&p);
	record_transcript_free(turns, n);
}

int replay_cmd(int argc, char **argv)
{
	static const char usage[] =
		"usage: interviewd replay NAME [--script FILE] [--json] [--data DIR] [--scripts DIR]\n"
		"Re-runs every recorded interview of script NAME against the edited file\n"
		"(default SCRIPTS/NAME.lua), feeding it the candidate's recorded messages.\n"
		"Prints per interview \"ID (CANDIDATE): same\", \"different\" or \"failing\" (the\n"
		"edited script fails on a recorded message; compared up to there), then\n"
		"every difference, a line each:\n"
		"  seq 5: ask \"Why C?\" \u2192 ask \"Why do you like C?\"    a turn that changed\n"
		"  seq 8: say \"Bye\" \u2192 (none)                         a turn it no longer says\n"
		"  after seq 7: (none) \u2192 say \"One more thing\"        a turn it adds\n"
		"  score fit: 6 \u2192 10                                 a score, and answers:\n"
		"  answer why: \"Fast\" \u2192 \"Small\"                      the results it computes\n"
		"  note added: \"...\", note removed: \"...\", tag added: x, tag removed: y\n"
		"and a summary: N interviews ...: N same, N different, N failing.\n"
		"Nothing is changed. --json prints one JSON document instead:\n"
		"  {\"script\",\"file\",\"error\",\"interviews\":[{\"id\",\"candidate\",\"status\",\n"
		"   \"turns\":[{\"seq\",\"recorded\",\"replayed\"}],\"results\":{\"scores\",\"notes\",\n"
		"   \"tags\",\"answers\"},\"error\"}],\"summary\":{\"same\",\"different\",\"failing\"}}\n"
		"Exit status: 0 every interview the same, 1 any different or failing (or the\n"
		"script does not compile), 2 bad usage or a failure to read the data.\n";
	const char *name = NULL, *file = NULL, *data = "data", *scripts = "scripts";
	bool json = false;
	for (int i = 1; i < argc; i++) {
		if (play_is_help(argv[i])) {
			fputs(usage, stdout);
			return 0;
		} else if (strcmp(argv[i], "--script") == 0 && i + 1 < argc) {
			file = argv[++i];
		} else if (strcmp(argv[i], "--data") == 0 && i + 1 < argc) {
			data = argv[++i];
		} else if (strcmp(argv[i], "--scripts") == 0 && i + 1 < argc) {
			scripts = argv[++i];
		} else if (strcmp(argv[i], "--json") == 0) {
			json = true;
		} else if (argv[i][0] != '-' && !name) {
			name = argv[i];
		} else {
			fprintf(stderr, "replay: %s %s\n%s",
				argv[i][0] == '-' ? "unknown option" : "unexpected argument",
				argv[i], usage);
			return 2;
		}
	}
	if (!name) {
		fputs(usage, stderr);
		return 2;
	}
	char path[4096], err[1100];
	char *src = NULL, *doc = NULL;
	size_t len = 0, nivs = 0;
	struct proto_interview *ivs = NULL;
	struct store *st = NULL;
	struct replay_out o = { 0 };
	int rc = 2;
	if (!file) {
		snprintf(path, sizeof path, "%s/%s.lua", scripts, name);
		file = path;
	}
	if (scriptdir_read_file(file, file, &src, &len, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	if (json && !(o.json = proto_replay_new()))
		play_oom();
	/* A script that does not compile fails every interview the same way:
	 * said once, first, so it shows even when there is no interview. */
	struct play probe;
	if (play_open(&probe, file, src, len, PLAY_ID, "") != 0) {
		play_format_error(err, sizeof err, file, &probe.err);
		o.compile_error = err;
		if (!json)
			printf("%s\n", err);
	}
	play_close(&probe);
	if ((rc = open_store(data, &st)) != 0)
		goto out;
	if (record_list_interviews(st, &ivs, &nivs) != 0) {
		fprintf(stderr, "cannot list the interviews in %s\n", data);
		rc = 2;
		goto out;
	}
	for (size_t i = 0; i < nivs; i++)
		if (play_str_eq(ivs[i].script, name))
			replay_one(st, &ivs[i], file, src, len, &o);
	size_t same = o.count[PROTO_REPLAY_SAME], different = o.count[PROTO_REPLAY_DIFFERENT],
	       failing = o.count[PROTO_REPLAY_FAILING];
	if (json) {
		if (!(doc = proto_replay_encode(o.json, name, file, o.compile_error)))
			play_oom();
		printf("%s\n", doc);
	} else {
		size_t all = same + different + failing;
		printf("%zu interview%s of %s replayed against %s: %zu same, %zu different, "
		       "%zu failing\n",
		       all, all == 1 ? "" : "s", name, file, same, different, failing);
	}
	rc = different || failing || o.compile_error ? 1 : 0;
out:
	free(doc);
	proto_replay_free(o.json);
	record_interviews_free(ivs, nivs);
	store_close(st);
	free(src);
	return rc;
}

/* ---- migrate: is every recorded message taken the same way? -------------- */

/* Why a migration is refused (empty: it is not). */
struct migrate_report {
	char refusal[2600];
};

static void refuse(struct migrate_report *r, uint64_t seq, const char *fmt, const char *a,
		   const char *b)
{
	char what[2560];
	snprintf(what, sizeof what, fmt, a ? a : "", b ? b : "");
	snprintf(r->refusal, sizeof r->refusal, "seq %" PRIu64 ": %s", seq, what);
}

/* The same question in the same place: the same kind, the same options and
 * as many answers taken before it, which is what decides how the next answer
 * is consumed and where it is recorded. Wording is not part of it: fixing a
 * typo is what migrate is for. */
static bool ask_same_place(const struct play_ask *a, const struct play_ask *b)
{
	if (a->set != b->set)
		return false;
	if (!a->set)
		return true;
	return a->type == b->type && a->index == b->index &&
	       play_strv_equal(a->choices, a->nchoices, b->choices, b->nchoices);
}

/* The same choose() in the same place, with another list of options. */
static bool ask_other_options(const struct play_ask *a, const struct play_ask *b)
{
	return a->set && b->set && a->type == SCRIPT_ASK_CHOICE && b->type == SCRIPT_ASK_CHOICE &&
	       a->index == b->index;
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

/* {"A", "B"} into buf. */
static void describe_list(char *buf, size_t n, char *const *v, size_t nv)
{
	size_t used = (size_t)snprintf(buf, n, "{");
	for (size_t i = 0; i < nv && used < n; i++)
		used += (size_t)snprintf(buf + used, n - used, "%s\"%s\"", i ? ", " : "", v[i]);
	if (used < n)
		snprintf(buf + used, n - used, "}");
}

static void describe_ask(char *buf, size_t n, const struct play_ask *a)
{
	if (!a->set) {
		snprintf(buf, n, "no question");
		return;
	}
	char list[400] = "";
	if (a->nchoices) {
		list[0] = ',';
		list[1] = ' ';
		describe_list(list + 2, sizeof list - 2, a->choices, a->nchoices);
	}
	snprintf(buf, n, "%s(\"%.60s\"%s) (question %zu)", ask_type_name(a->type),
		 a->text ? a->text : "", list, a->index + 1);
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

/* ---- choose(): what an answer picks from a list --------------------------- */

/* Which option an answer picks, read as choose() reads it (prelude.lua): the
 * option whose text it is, case and surrounding whitespace aside (U+00A0 too
 * from API level 2), else the option it numbers. */
struct pick {
	long index;     /* 0-based; -1: none */
	bool by_number; /* the answer is a number (picked by it, or out of range) */
};

static void trim_span(const char *s, size_t *b, size_t *e, bool nbsp)
{
	const unsigned char *p = (const unsigned char *)s;
	*b = 0;
	*e = strlen(s);
	for (;;) {
		if (*b < *e && (p[*b] == ' ' || (p[*b] >= '\t' && p[*b] <= '\r')))
			++*b;
		else if (nbsp && *b + 1 < *e && p[*b] == 0xc2 && p[*b + 1] == 0xa0)
			*b += 2;
		else
			break;
	}
	for (;;) {
		if (*e > *b && (p[*e - 1] == ' ' || (p[*e - 1] >= '\t' && p[*e - 1] <= '\r')))
			--*e;
		else if (nbsp && *e - *b >= 2 && p[*e - 1] == 0xa0 && p[*e - 2] == 0xc2)
			*e -= 2;
		else
			break;
	}
}

/* a and b equal after trimming, ASCII case aside (Lua's string.lower). */
static bool same_option_text(const char *a, const char *b, bool nbsp)
{
	size_t ab, ae, bb, be;
	trim_span(a, &ab, &ae, nbsp);
	trim_span(b, &bb, &be, nbsp);
	if (ae - ab != be - bb)
		return false;
	for (size_t i = 0; i < ae - ab; i++) {
		unsigned char x = (unsigned char)a[ab + i], y = (unsigned char)b[bb + i];
		if (x >= 'A' && x <= 'Z')
			x = (unsigned char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (unsigned char)(y - 'A' + 'a');
		if (x != y)
			return false;
	}
	return true;
}

static struct pick choice_pick(const char *answer, char *const *list, size_t n, bool nbsp)
{
	struct pick k = { -1, false };
	for (size_t i = 0; i < n; i++)
		if (same_option_text(answer, list[i], nbsp)) {
			k.index = (long)i;
			return k;
		}
	size_t b, e;
	trim_span(answer, &b, &e, nbsp);
	if (b == e)
		return k;
	unsigned long long v = 0;
	for (size_t i = b; i < e; i++) {
		if (answer[i] < '0' || answer[i] > '9')
			return k;
		if (v < 1000000000ULL) /* far past any list; no overflow */
			v = v * 10 + (unsigned long long)(answer[i] - '0');
	}
	k.by_number = true;
	if (v >= 1 && v <= n)
		k.index = (long)v - 1;
	return k;
}

/* A choose() list changed where the candidate answered (answer; NULL: not
 * yet): fine when the answer picks the same option from both lists (the
 * conversation goes on as it went), else refused with the reason. Returns
 * true when fine. */
static bool choice_keeps_meaning(struct migrate_report *r, uint64_t at, char *const *old,
				 size_t nold, char *const *now, size_t nnow,
				 const struct proto_turn *answer, bool nbsp)
{
	char was[900], is[900], a[QUOTE_MAX + 8];
	if (!answer) {
		describe_list(was, sizeof was, old, nold);
		describe_list(is, sizeof is, now, nnow);
		refuse(r, at,
		       "the candidate is answering a choose() with the options %s; the new script "
		       "offers %s there, so their answer would be read against options they were "
		       "not shown",
		       was, is);
		return false;
	}
	struct pick o = choice_pick(answer->text, old, nold, nbsp);
	struct pick n = choice_pick(answer->text, now, nnow, nbsp);
	if (o.index < 0 ? n.index < 0 : n.index >= 0 && strcmp(old[o.index], now[n.index]) == 0)
		return true;
	put_short(a, sizeof a, answer->text);
	if (o.index >= 0)
		snprintf(was, sizeof was, "the answer %s picked \"%.300s\" from the old list", a,
			 old[o.index]);
	else
		snprintf(was, sizeof was, "the answer %s matched no option of the old list", a);
	if (n.index >= 0 && n.by_number)
		snprintf(is, sizeof is, "in the new list %ld is \"%.300s\"", n.index + 1,
			 now[n.index]);
	else if (n.index >= 0)
		snprintf(is, sizeof is, "in the new list it picks \"%.300s\"", now[n.index]);
	else if (n.by_number)
		snprintf(is, sizeof is,
			 "the new list has only %zu options, so it would be asked "
			 "again",
			 nnow);
	else
		snprintf(is, sizeof is,
			 "in the new list it matches no option, so it would be "
			 "asked again");
	refuse(r, answer->seq, "%s; %s", was, is);
	return false;
}

/* Replays the recorded candidate messages into the new script (and, when it
 * still runs, the old one alongside) and decides whether each is consumed the
 * same way: taken as an answer by both or by neither, and followed by the
 * same question in the same place (a choose() whose list changed passes when
 * the candidate's answer to it picks the same option). The record is never
 * finished here, so the new script may never finish on a recorded message.
 * strict is false for an interview whose last turn failed (that message was
 * not recorded): then the fixed script may change the question the candidate
 * is stuck on, the one after the last recorded message. */
static void migrate_compare(struct play *now, struct play *old, bool old_ok,
			    const struct proto_turn *rec, size_t nrec, bool strict, bool nbsp,
			    struct migrate_report *r)
{
	char a[512], b[512];
	size_t i = 0;
	while (i < nrec) {
		const struct proto_turn *c = &rec[i];
		size_t j = group_end(rec, nrec, i); /* rec[i+1..j) are the bot turns it caused */
		if (c->role != PROTO_ROLE_CANDIDATE) {
			i = j;
			continue;
		}
		bool last = j == nrec;
		const struct proto_turn *answer = last ? NULL : &rec[j];
		struct play_fed fn, fo = { 0 };
		if (old_ok && play_feed(old, c->text, &fo) != 0)
			old_ok = false;
		if (play_feed(now, c->text, &fn) != 0) {
			char msg[1024];
			play_format_error(msg, sizeof msg, now->chunk, &now->err);
			refuse(r, c->seq,
			       "the new script fails on the candidate's message \"%.200s\": %s",
			       c->text, msg);
			return;
		}
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
			       fo.accepted
				       ? "the candidate's answer \"%.200s\" was accepted, but the new "
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
		const struct play_ask *np = &now->pending;
		if (old_ok) {
			if (ask_other_options(&old->pending, np)) {
				if (!choice_keeps_meaning(r, at, old->pending.choices,
							  old->pending.nchoices, np->choices,
							  np->nchoices, answer, nbsp))
					return;
			} else if (!ask_same_place(np, &old->pending)) {
				describe_ask(a, sizeof a, &old->pending);
				describe_ask(b, sizeof b, np);
				refuse(r, at,
				       "the candidate was asked %s, but the new script "
				       "asks %s here",
				       a, b);
				return;
			}
		} else {
			bool same = ra ? play_strv_equal(ra->choices, ra->nchoices, np->choices,
							 np->nchoices)
				       : !np->set;
			if (!same && ra && ra->nchoices && np->set &&
			    np->type == SCRIPT_ASK_CHOICE) {
				if (!choice_keeps_meaning(r, at, ra->choices, ra->nchoices,
							  np->choices, np->nchoices, answer, nbsp))
					return;
			} else if (!same) {
				describe_ask(b, sizeof b, np);
				refuse(r, at,
				       "the candidate was asked \"%.200s\" with other "
				       "options; the new script asks %s here",
				       ra ? ra->text : "", b);
				return;
			}
		}
		i = j;
	}
}

/* ---- migrate: writing it ------------------------------------------------- */

/* Moves the results (scores, notes, tags, answers) from src into dst,
 * dropping dst's. */
static void take_results(struct proto_interview *dst, struct proto_interview *src)
{
	struct proto_interview old = { 0 };
	old.scores = dst->scores;
	old.nscores = dst->nscores;
	old.notes = dst->notes;
	old.nnotes = dst->nnotes;
	old.tags = dst->tags;
	old.ntags = dst->ntags;
	old.answers = dst->answers;
	old.nanswers = dst->nanswers;
	proto_interview_free(&old);
	dst->scores = src->scores;
	dst->nscores = src->nscores;
	dst->notes = src->notes;
	dst->nnotes = src->nnotes;
	dst->tags = src->tags;
	dst->ntags = src->ntags;
	dst->answers = src->answers;
	dst->nanswers = src->nanswers;
	src->scores = NULL;
	src->notes = src->tags = NULL;
	src->answers = NULL;
	src->nscores = src->nnotes = src->ntags = src->nanswers = 0;
}

/* Fills in the record of a migrated interview (the new source's hash and the
 * results it computed, in results: taken) and commits it with the new
 * source, unless the interview moved on meanwhile. */
static int migrate_commit(struct store *st, const struct proto_interview *seen,
			  struct proto_interview *results, const char *src, size_t len,
			  char hash[TOKEN_DIGEST_HEX + 1])
{
	struct proto_interview cur;
	memset(&cur, 0, sizeof cur);
	struct store_batch *b = NULL;
	struct record_read read = { 0 };
	char err[512];
	int rc = record_get_interview_as_read(st, seen->id, &cur, &read);
	if (rc != 0) {
		fprintf(stderr, "cannot read interview %s again: %s\n", seen->id,
			record_strerror(rc));
		goto out;
	}
	if (cur.next_seq != seen->next_seq || !play_str_eq(cur.script_hash, seen->script_hash) ||
	    cur.status != seen->status) {
		fprintf(stderr,
			"interview %s moved on while it was being checked; run migrate again\n",
			seen->id);
		rc = 1;
		goto out;
	}
	b = store_batch_new();
	if (!b)
		play_oom();
	/* Written only if no turn committed since the read above (the server
	 * runs turns concurrently, in another process). */
	if ((rc = record_batch_expect_interview(b, seen->id, &read)) != 0 ||
	    (rc = record_batch_script(b, src, len, hash)) != 0)
		goto fail;
	free(cur.script_hash);
	cur.script_hash = play_strdup(hash);
	free(cur.last_error);
	free(cur.last_traceback);
	cur.last_error = cur.last_traceback = NULL;
	take_results(&cur, results);
	cur.updated = record_now_ms();
	if ((rc = record_batch_interview(b, &cur)) != 0)
		goto fail;
	rc = store_commit(st, b, err, sizeof err);
	if (rc == STORE_ECONFLICT) {
		fprintf(stderr,
			"interview %s moved on while it was being migrated; run migrate again\n",
			seen->id);
		goto out;
	}
	if (rc != 0) {
		fprintf(stderr, "could not save the migration: %s\n", err);
		goto out;
	}
	goto out;
fail:
	fprintf(stderr, "could not prepare the migration: %s\n", record_strerror(rc));
out:
	store_batch_free(b);
	record_read_free(&read);
	proto_interview_free(&cur);
	return rc;
}

/* What a migration does with the differences it printed. */
#define MIGRATE_KEEPS "its results recomputed; the messages already sent stay as they were sent"

static int migrate_run(struct store *st, const char *id, const char *scripts, bool dry_run)
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
	struct diff d;
	memset(&d, 0, sizeof d);
	int rc = record_get_interview(st, id, &iv);
	if (rc == STORE_ENOTFOUND) {
		fprintf(stderr, "no interview %s\n", id);
		rc = 1;
		goto out;
	}
	if (rc != 0) {
		fprintf(stderr, "cannot read interview %s: %s\n", id, record_strerror(rc));
		rc = 2;
		goto out;
	}
	rc = 1;
	if (iv.status == PROTO_STATUS_FINISHED || iv.status == PROTO_STATUS_CLOSED) {
		fprintf(stderr, "cannot migrate %s: the interview has %s; its transcript stays "
			"with the script it ran\n", id,
			iv.status == PROTO_STATUS_CLOSED ? "been closed" : "finished");
		goto out;
	}
	snprintf(path, sizeof path, "%s/%s.lua", scripts, iv.script);
	if (scriptdir_read_file(path, path, &src, &len, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	token_digest_hex(src, len, hash);
	if (play_str_eq(hash, iv.script_hash)) {
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
	if (play_open_level(&now, path, src, len, id, cand, iv.api_level) != 0) {
		play_format_error(err, sizeof err, path, &now.err);
		fprintf(stderr, "cannot migrate %s: %s\n", id, err);
		goto out;
	}
	bool old_ok = record_get_script(st, iv.script_hash, &oldsrc, &oldlen) == 0 &&
		      play_open_level(&old, path, oldsrc, oldlen, id, cand, iv.api_level) == 0;
	bool strict = !iv.last_error;
	migrate_compare(&now, &old, old_ok, rec, nrec, strict, iv.api_level >= 2, &r);
	if (r.refusal[0]) {
		fprintf(stderr, "cannot migrate %s: %s\n", id, r.refusal);
		fprintf(stderr, "(the interview is unchanged; it keeps running %.12s)\n",
			iv.script_hash ? iv.script_hash : "");
		goto out;
	}
	/* What changes, printed as replay prints it: the messages already sent
	 * stay as they were; the results become the new script's. Only for a
	 * migration that happens: after a refusal it would repeat it. */
	diff_build(&d, &iv, rec, nrec, &now);
	put_interview(stdout, &iv);
	printf(": %s\n", proto_replay_status_name(diff_empty(&d) ? PROTO_REPLAY_SAME
								 : PROTO_REPLAY_DIFFERENT));
	diff_print(stdout, &d, "  ");
	if (dry_run) {
		printf("dry run: %s would move to %.12s, %s; nothing was written\n", id, hash,
		       MIGRATE_KEEPS);
		rc = 0;
		goto out;
	}
	rc = migrate_commit(st, &iv, &now.iv, src, len, hash);
	if (rc != 0) {
		rc = rc == 1 ? 1 : 2;
		goto out;
	}
	printf("migrated %s to %.12s, %s\n", id, hash, MIGRATE_KEEPS);
out:
	diff_free(&d);
	play_close(&old);
	play_close(&now);
	free(oldsrc);
	free(src);
	record_transcript_free(rec, nrec);
	proto_interview_free(&iv);
	return rc;
}

int replay_migrate_cmd(int argc, char **argv)
{
	static const char usage[] =
		"usage: interviewd migrate ID [--dry-run] [--data DIR] [--scripts DIR]\n"
		"Moves an unfinished interview to the current SCRIPTS/NAME.lua of its script.\n"
		"Its recorded candidate messages are replayed against the new version first:\n"
		"if any would be taken differently (the new script fails, finishes early,\n"
		"rejects an answer the old one accepted or the reverse, asks a different\n"
		"kind of question at that point, or offers other options where the\n"
		"candidate's answer, by number or by text, would now pick another one) it\n"
		"refuses and names the turn. Otherwise it prints what the new script does\n"
		"differently, as replay does: messages already sent keep their wording in\n"
		"the transcript, and the results (scores, notes, tags, answers) become the\n"
		"ones the new script computes from the recorded answers. When the\n"
		"interview's last message failed with a script error, the fixed script only\n"
		"has to replay the recorded messages cleanly.\n"
		"--dry-run prints all of that and writes nothing.\n"
		"Exit status: 0 migrated (or would be, or already current), 1 refused,\n"
		"2 bad usage or a failure.\n";
	const char *id = NULL, *data = "data", *scripts = "scripts";
	bool dry_run = false;
	for (int i = 1; i < argc; i++) {
		if (play_is_help(argv[i])) {
			fputs(usage, stdout);
			return 0;
		} else if (strcmp(argv[i], "--data") == 0 && i + 1 < argc) {
			data = argv[++i];
		} else if (strcmp(argv[i], "--scripts") == 0 && i + 1 < argc) {
			scripts = argv[++i];
		} else if (strcmp(argv[i], "--dry-run") == 0) {
			dry_run = true;
		} else if (argv[i][0] != '-' && !id) {
			id = argv[i];
		} else {
			fprintf(stderr, "migrate: %s %s\n%s",
				argv[i][0] == '-' ? "unknown option" : "unexpected argument",
				argv[i], usage);
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
		rc = migrate_run(st, id, scripts, dry_run);
	store_close(st);
	return rc;
}
