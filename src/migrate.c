/* migrate: an unfinished interview moved to the current version of its
 * script. See migrate.h.
 *
 * The recorded candidate messages are replayed into the new script (and the
 * old one alongside, when it still runs) and each must be taken the same way:
 * accepted or rejected alike, followed by the same question in the same
 * place, a changed choose() list only where the recorded answer picks the
 * same option. If so, the new source is pinned with the results the new
 * script computes from the recorded answers (what differs is printed as
 * replay prints it, compare.h), with a write conditional on the record being
 * unchanged: the server may be running turns of the same interview in another
 * process. Otherwise the refusal names the turn. */
#include "migrate.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "play.h"
#include "record.h"
#include "scriptdir.h"
#include "store.h"
#include "text.h"
#include "token.h"

/* "s" shortened to COMPARE_QUOTE_MAX bytes at a character boundary, for a
 * sentence. */
static void put_short(char *buf, size_t n, const char *s)
{
	size_t len = strlen(s ? s : "");
	int keep = (int)text_utf8_cut(s ? s : "", len, COMPARE_QUOTE_MAX);
	snprintf(buf, n, "\"%.*s%s\"", keep, s ? s : "", (size_t)keep < len ? "..." : "");
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

/* ---- choose(): does a changed list keep the answer's meaning? ------------ */

/* A choose() list changed where the candidate answered (answer; NULL: not
 * yet): fine when the answer picks the same option from both lists (the
 * conversation goes on as it went), else refused with the reason. Returns
 * true when fine. */
static bool choice_keeps_meaning(struct migrate_report *r, uint64_t at, char *const *old,
				 size_t nold, char *const *now, size_t nnow,
				 const struct proto_turn *answer, bool nbsp)
{
	char was[900], is[900], a[COMPARE_QUOTE_MAX + 8];
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
	struct compare_pick o = compare_choice_pick(answer->text, old, nold, nbsp);
	struct compare_pick n = compare_choice_pick(answer->text, now, nnow, nbsp);
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
		/* rec[i+1..j) are the bot turns it caused */
		size_t j = compare_group_end(rec, nrec, i);
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
	struct compare_diff d;
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
	compare_diff_build(&d, &iv, rec, nrec, &now);
	compare_put_interview(stdout, &iv);
	printf(": %s\n", proto_replay_status_name(compare_diff_empty(&d) ? PROTO_REPLAY_SAME
									 : PROTO_REPLAY_DIFFERENT));
	compare_diff_print(stdout, &d, "  ");
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
	compare_diff_free(&d);
	play_close(&old);
	play_close(&now);
	free(oldsrc);
	free(src);
	record_transcript_free(rec, nrec);
	proto_interview_free(&iv);
	return rc;
}

int migrate_cmd(int argc, char **argv)
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
	int rc = compare_open_store(data, &st);
	if (rc == 0)
		rc = migrate_run(st, id, scripts, dry_run);
	store_close(st);
	return rc;
}
