/* replay and migrate: an edited script against the recorded interviews.
 * See replay.h.
 *
 * Both replay recorded candidate messages into the player (play.h) and
 * compare what it builds with what the store holds. replay only reports the
 * first difference per interview; migrate decides whether each recorded
 * message is taken the same way by the new script (and by the old one,
 * alongside, when it still runs) and, if so, pins the new source with a
 * write conditional on the record being unchanged: the server may be running
 * turns of the same interview in another process. */
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
#include "token.h"

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
		struct play_fed fi;
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
		play_put_turn(stdout, &rec[k]);
	else
		fputs(rec_finished ? "the end of the interview" : "nothing yet (the candidate has not answered)",
		      stdout);
	fputs(" / now ", stdout);
	if (k < p->log.n) {
		play_put_turn(stdout, &p->log.v[k]);
	} else if (p->failed) {
		char msg[1024];
		play_format_error(msg, sizeof msg, p->chunk, &p->err);
		printf("error %s", msg);
	} else if (p->finished) {
		fputs("finishes early", stdout);
	} else {
		fputs("not yet finished (waiting for an answer)", stdout);
	}
	fputc('\n', stdout);
	return 1;
}

/* ---- replay -------------------------------------------------------------- */

static int replay_one(struct store *st, const struct proto_interview *iv, const char *file,
		      const char *src, size_t len)
{
	struct proto_turn *turns = NULL;
	size_t n = 0;
	struct play p;
	memset(&p, 0, sizeof p);
	int rc = record_get_transcript(st, iv->id, &turns, &n);
	if (rc != 0) {
		printf("%s: cannot read the transcript: %s\n", iv->id, record_strerror(rc));
		rc = 1;
		goto out;
	}
	if (n == 0) {
		printf("%s: same (no messages yet)\n", iv->id);
		goto out;
	}
	if (play_open_level(&p, file, src, len, iv->id, iv->candidate ? iv->candidate : "",
			    iv->api_level) != 0) {
		char msg[1024];
		play_format_error(msg, sizeof msg, file, &p.err);
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

int replay_cmd(int argc, char **argv)
{
	static const char usage[] =
		"usage: interviewd replay NAME [--script FILE] [--data DIR] [--scripts DIR]\n"
		"Re-runs every recorded interview of script NAME against the edited file\n"
		"(default SCRIPTS/NAME.lua) and prints, per interview, \"ID: same\" or the\n"
		"first turn where the edited script would have said something else.\n"
		"Nothing is changed. Exit 1 when any interview differs.\n";
	const char *name = NULL, *file = NULL, *data = "data", *scripts = "scripts";
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
		} else if (argv[i][0] != '-' && !name) {
			name = argv[i];
		} else {
			fprintf(stderr, "replay: %s %s\n%s",
				argv[i][0] == '-' ? "unknown option" : "unexpected argument", argv[i],
				usage);
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
	if (scriptdir_read_file(file, file, &src, &len, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	struct play probe;
	if (play_open(&probe, file, src, len, PLAY_ID, "") != 0) {
		play_format_error(err, sizeof err, file, &probe.err);
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
		if (!play_str_eq(ivs[i].script, name))
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

/* ---- migrate ------------------------------------------------------------- */

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
			play_oom();
		/* play_oom() does not return; cppcheck misses its _Noreturn here. */
		/* cppcheck-suppress nullPointerRedundantCheck */
		fprintf(f, "seq %" PRIu64 ": recorded ", a ? a->seq : b ? b->seq : 0);
		if (a)
			play_put_turn(f, a);
		else
			fputs("nothing", f);
		fputs(" / now ", f);
		if (b)
			play_put_turn(f, b);
		else
			fputs("nothing", f);
		fclose(f);
		play_strv_push(&r->notes, &r->nnotes, buf);
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

static void describe_ask(char *buf, size_t n, const struct play_ask *a)
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
		struct play_fed fn, fo = { 0 };
		if (old_ok && play_feed(old, c->text, &fo) != 0)
			old_ok = false;
		if (play_feed(now, c->text, &fn) != 0) {
			char msg[1024];
			play_format_error(msg, sizeof msg, now->chunk, &now->err);
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
			bool same = ra ? play_strv_equal(ra->choices, ra->nchoices, now->pending.choices,
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
		fprintf(stderr, "cannot read interview %s again: %s\n", seen->id, record_strerror(rc));
		goto out;
	}
	if (cur.next_seq != seen->next_seq || !play_str_eq(cur.script_hash, seen->script_hash) ||
	    cur.status != seen->status) {
		fprintf(stderr, "interview %s moved on while it was being checked; run migrate again\n",
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
	fprintf(stderr, "could not prepare the migration: %s\n", record_strerror(rc));
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
	play_strv_free(r.notes, r.nnotes);
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
		if (play_is_help(argv[i])) {
			fputs(usage, stdout);
			return 0;
		} else if (strcmp(argv[i], "--data") == 0 && i + 1 < argc) {
			data = argv[++i];
		} else if (strcmp(argv[i], "--scripts") == 0 && i + 1 < argc) {
			scripts = argv[++i];
		} else if (argv[i][0] != '-' && !id) {
			id = argv[i];
		} else {
			fprintf(stderr, "migrate: %s %s\n%s",
				argv[i][0] == '-' ? "unknown option" : "unexpected argument", argv[i],
				usage);
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
