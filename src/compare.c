/* compare: a recorded interview against a replay of it. See compare.h.
 *
 * What replay and migrate share: opening the recorded interviews, playing
 * their candidate messages into a player again, and everything that differs
 * between the two, turns and results, with its one-line-per-difference
 * printing. Turns are aligned per candidate message, so one added line shows
 * as one. It also reads an answer to a choose() as the prelude does, which
 * is what tells migrate whether a changed list keeps the answer's meaning. */
#include "compare.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store.h"
#include "text.h"

/* ---- recorded interviews ------------------------------------------------- */

int compare_open_store(const char *dir, struct store **st)
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
void compare_play_recorded(struct play *p, const struct proto_turn *turns, size_t n)
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

/* ---- differences --------------------------------------------------------- */

void compare_diff_free(struct compare_diff *d)
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

bool compare_diff_empty(const struct compare_diff *d)
{
	return !d->nturns && !d->nscores && !d->nnotes_added && !d->nnotes_removed &&
	       !d->ntags_added && !d->ntags_removed && !d->nanswers;
}

static void push_turn(struct compare_diff *d, const struct proto_turn *rec,
		      const struct proto_turn *now, uint64_t after)
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
static void diff_group(struct compare_diff *d, const struct proto_turn *a, size_t na,
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
size_t compare_group_end(const struct proto_turn *v, size_t n, size_t i)
{
	size_t j = i + 1;
	while (j < n && v[j].role != PROTO_ROLE_CANDIDATE)
		j++;
	return j;
}

/* Every turn of the recorded transcript rec that the replayed one now lacks,
 * changes or adds, aligned candidate message by candidate message (both were
 * fed the same messages, in order). */
void compare_diff_turns(struct compare_diff *d, const struct proto_turn *rec, size_t nrec,
			const struct proto_turn *now, size_t nnow)
{
	size_t i = 0, k = 0;
	uint64_t before = 0;
	while (i < nrec || k < nnow) {
		size_t ie = i < nrec ? compare_group_end(rec, nrec, i) : i;
		size_t ke = k < nnow ? compare_group_end(now, nnow, k) : k;
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
static void diff_notes(struct compare_diff *d, const struct proto_interview *old,
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

static void push_score(struct compare_diff *d, const char *name, const double *o, const double *n)
{
	d->scores = play_realloc(d->scores, (d->nscores + 1) * sizeof *d->scores);
	d->scores[d->nscores++] = (struct proto_score_change){ name, o, n };
}

static void push_answer(struct compare_diff *d, const char *id, const struct proto_answer *o,
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
static void diff_results(struct compare_diff *d, const struct proto_interview *old,
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
void compare_diff_build(struct compare_diff *d, const struct proto_interview *iv,
			const struct proto_turn *rec, size_t nrec, const struct play *p)
{
	memset(d, 0, sizeof *d);
	compare_diff_turns(d, rec, nrec, p->log.v, p->log.n);
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
	if (k < COMPARE_QUOTE_MAX - 20)
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
void compare_diff_print(FILE *f, const struct compare_diff *d, const char *indent)
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
void compare_put_interview(FILE *f, const struct proto_interview *iv)
{
	if (iv->candidate && iv->candidate[0])
		fprintf(f, "%s (%s)", iv->id, iv->candidate);
	else
		fputs(iv->id, f);
}

/* ---- choose(): what an answer picks from a list -------------------------- */

/* a and b equal after trimming, ASCII case aside (Lua's string.lower). */
static bool same_option_text(const char *a, const char *b, bool nbsp)
{
	size_t ab, ae, bb, be;
	text_trim(a, strlen(a), nbsp, &ab, &ae);
	text_trim(b, strlen(b), nbsp, &bb, &be);
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

struct compare_pick compare_choice_pick(const char *answer, char *const *list, size_t n, bool nbsp)
{
	struct compare_pick k = { -1, false };
	for (size_t i = 0; i < n; i++)
		if (same_option_text(answer, list[i], nbsp)) {
			k.index = (long)i;
			return k;
		}
	size_t b, e;
	text_trim(answer, strlen(answer), nbsp, &b, &e);
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
