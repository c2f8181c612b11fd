/* replay: an edited script against the recorded interviews. See replay.h.
 *
 * Every recorded interview of the script is replayed into the player
 * (play.h): its recorded candidate messages fed to the edited source at the
 * interview's API level, and what comes out compared with what the store
 * holds (compare.h). Each interview is reported same, different or failing,
 * with every difference, as text as it goes or as one JSON document
 * (proto.h) at the end. Nothing is written. */
#include "replay.h"

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

/* What replay reports: text on stdout as it goes, or one JSON document. */
struct replay_out {
	struct proto_replay *json; /* NULL: text */
	size_t count[3];           /* by enum proto_replay_status */
	const char *compile_error; /* the edited script's own, or NULL */
};

static void report(struct replay_out *o, const struct proto_interview *iv,
		   enum proto_replay_status status, const struct compare_diff *d, const char *error,
		   const char *aside)
{
	o->count[status]++;
	if (o->json) {
		static const struct compare_diff none;
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
	compare_put_interview(stdout, iv);
	printf(": %s%s\n", proto_replay_status_name(status), aside ? aside : "");
	if (error)
		printf("  error: %s\n", error);
	if (d)
		compare_diff_print(stdout, d, "  ");
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
	return i ? compare_group_end(rec, nrec, i - 1) : 0;
}

static void replay_one(struct store *st, const struct proto_interview *iv, const char *file,
		       const char *src, size_t len, struct replay_out *o)
{
	struct proto_turn *turns = NULL;
	size_t n = 0;
	struct play p;
	memset(&p, 0, sizeof p);
	struct compare_diff d;
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
	compare_play_recorded(&p, turns, n);
	if (p.failed) {
		/* Up to the message it fails on; what follows, and the results,
		 * would only repeat that it stopped there. */
		size_t cut = failed_group_end(turns, n, &p);
		compare_diff_turns(&d, turns, cut, p.log.v, p.log.n);
		play_format_error(msg, sizeof msg, file, &p.err);
		if (cut < n)
			snprintf(aside, sizeof aside,
				 " (stops at seq %" PRIu64 "; %zu recorded turns "
				 "after it not replayed)",
				 turns[cut - 1].seq, n - cut);
		report(o, iv, PROTO_REPLAY_FAILING, &d, msg, cut < n ? aside : NULL);
	} else {
		compare_diff_build(&d, iv, turns, n, &p);
		report(o, iv, compare_diff_empty(&d) ? PROTO_REPLAY_SAME : PROTO_REPLAY_DIFFERENT,
		       &d, NULL, NULL);
	}
out:
	compare_diff_free(&d);
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
	if ((rc = compare_open_store(data, &st)) != 0)
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
