/* export: interviews as files a team opens elsewhere, and a script's summary.
 *
 * A script's interviews as CSV (RFC 4180) or JSON Lines, one row or line per
 * interview; one interview as a Markdown transcript with its results; and how
 * a script's interviews went: how many started, finished or were closed, and
 * the question each unfinished one stopped at. Nothing here prints or knows
 * about HTTP: the CLI (manage) and the HTTP API call the same functions and
 * send the text where they like. Outputs are new NUL-terminated strings
 * (free()); functions return 0 or a code record_strerror() explains. */
#ifndef INTERVIEWD_EXPORT_H
#define INTERVIEWD_EXPORT_H

#include <stddef.h>

#include "proto.h"
#include "store.h"

enum export_format {
	EXPORT_CSV,   /* text/csv; charset=utf-8 */
	EXPORT_JSONL, /* application/jsonl (one JSON object per line) */
};

/* "csv" / "jsonl" to a format: 0, or -1 for a word it does not know. */
int export_format_parse(const char *s, enum export_format *out);

/* The interviews of script (an exact name), oldest first (creation time,
 * then id). Free with record_interviews_free. None is not an error. */
int export_load(struct store *st, const char *script, struct proto_interview **ivs, size_t *n);

/* One row per interview, after a header row:
 *   id, candidate, status, created, finished, answer.ID…, score.NAME…, tags
 * with a column for every answer id and score name any of them has (sorted by
 * byte value). Times are UTC, ISO 8601 to the second ("2025-11-25T09:30:00Z");
 * finished is when the interview ended (finished or closed), empty while it
 * runs. Tags are joined with ", ". RFC 4180: fields holding a comma, quote, CR
 * or LF are quoted, quotes doubled, every line ends in CRLF; UTF-8 without a
 * byte order mark. A text field starting with =, +, -, @, tab or CR gets a
 * leading ' so a spreadsheet shows it instead of running it as a formula. */
int export_csv(const struct proto_interview *ivs, size_t n, char **out, size_t *len);

/* The same data as JSON Lines (proto_export_line): one object per interview,
 * each ending in LF; times in milliseconds since the epoch, scores as numbers,
 * tags as an array, values exactly as stored (no formula guard). */
int export_jsonl(const struct proto_interview *ivs, size_t n, char **out, size_t *len);

/* export_load + export_csv or export_jsonl. */
int export_script(struct store *st, const char *script, enum export_format fmt, char **out,
		  size_t *len);

/* One interview as Markdown: a title with the candidate and script, the
 * status, script version (full sha256) and times, the transcript with the
 * script's sections as "## SECTION" headings and each turn as a "**Bot:**" or
 * "**Candidate:**" paragraph, then "## Results": scores, answers by id, notes,
 * tags and the last script error. Text from candidates and scripts is
 * escaped so it reads as written and cannot add headings, links, images,
 * HTML or code. */
int export_markdown(const struct proto_interview *iv, const struct proto_turn *turns, size_t n,
		    char **out, size_t *len);

/* Reads interview id and its transcript and makes export_markdown of them.
 * STORE_ENOTFOUND when there is no such interview. */
int export_transcript(struct store *st, const char *id, char **out, size_t *len);

/* How the interviews of script went (see struct proto_stats; encode with
 * proto_cli_stats). The drop-off counts, most common first, group the
 * unfinished interviews (active or closed) that had a question asked by the
 * text of the last one. Free with proto_stats_free. */
int export_stats(struct store *st, const char *script, struct proto_stats *stats);

#endif
