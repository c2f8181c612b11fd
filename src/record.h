/* record: interviews, transcripts, tokens and scripts as the store keeps them.
 *
 * The one place that knows which proto record lives under which store key.
 * The engine, the CLI and the authoring tools read and write interviews only
 * through here. Script files are not its business (scriptdir reads and checks
 * them); it pins the source it is given. Functions return 0, a STORE_E* code,
 * or RECORD_E* below, and put a sentence into err where they take one. */
#ifndef INTERVIEWD_RECORD_H
#define INTERVIEWD_RECORD_H

#include <stddef.h>

#include "proto.h"
#include "store.h"
#include "token.h"

enum {
	RECORD_ECORRUPT = -500, /* a stored record does not decode */
	RECORD_EAUTH = -501,    /* token unknown */
	RECORD_EINVALID = -502, /* an interview needs a script name and its source */
	RECORD_EFINISHED = -503, /* the interview has finished: nothing left to close */
	RECORD_ECLOSED = -504,   /* the interview was closed already */
	RECORD_ELIMIT = -505,    /* a page limit outside 1..RECORD_PAGE_MAX */
	RECORD_ECURSOR = -506,   /* a page cursor this server did not give out */
	RECORD_ESTATUS = -507,   /* a status filter that is no interview status */
	RECORD_EURL = -510,     /* not an http(s)://host[:port][/path] URL */
};

/* A short sentence for any code a record function returns: its own and the
 * STORE_E* codes it passes on (a static string). */
const char *record_strerror(int rc);

/* Creates an interview running the script script_name whose source is src
 * (len bytes; scriptdir_load reads and checks it): pins the source (stored by
 * sha256), writes the interview record (status "new", api_level
 * SCRIPT_API_LEVEL: the script API it will run at for good) and a candidate
 * token, durably. id and token receive the new values. candidate may be NULL. */
int record_create_interview(struct store *st, const char *script_name, const char *src,
			    size_t len, const char *candidate, char id[TOKEN_ID_LEN + 1],
			    char token[TOKEN_LEN + 1], char *err, size_t errlen);

/* Issues one more candidate token for an existing interview (tokens are
 * stored hashed, so a lost link is replaced, never recovered). */
int record_issue_token(struct store *st, const char *id, char token[TOKEN_LEN + 1], char *err,
		       size_t errlen);

/* Reads the interview record. STORE_ENOTFOUND when there is none. */
int record_get_interview(struct store *st, const char *id, struct proto_interview *iv);

/* The interview record exactly as read, for a conditional write back. */
struct record_read {
	char *bytes;
	size_t len;
};
/* record_get_interview, also keeping the stored bytes in *read (free with
 * record_read_free; NULL is fine). */
int record_get_interview_as_read(struct store *st, const char *id, struct proto_interview *iv,
				 struct record_read *read);
/* Makes b fail with STORE_ECONFLICT, writing nothing, unless the interview
 * record is still what was read: a turn and a migration (another process)
 * cannot undo each other. Add it to b first. */
int record_batch_expect_interview(struct store_batch *b, const char *id,
				  const struct record_read *read);
void record_read_free(struct record_read *read);

/* Reads every interview (in id order). Free with record_interviews_free. */
int record_list_interviews(struct store *st, struct proto_interview **ivs, size_t *n);
void record_interviews_free(struct proto_interview *ivs, size_t n);

/* Reads the whole transcript in seq order. Free with record_transcript_free. */
int record_get_transcript(struct store *st, const char *id, struct proto_turn **turns, size_t *n);
void record_transcript_free(struct proto_turn *turns, size_t n);

/* Reads a pinned script source by hash; *src is a new string (free()). */
int record_get_script(struct store *st, const char *hash, char **src, size_t *len);

/* Adds the script source to b under its hash; writes the hex hash. */
int record_batch_script(struct store_batch *b, const char *src, size_t len,
			char hash[TOKEN_DIGEST_HEX + 1]);
/* Adds the interview record / one turn to b. */
int record_batch_interview(struct store_batch *b, const struct proto_interview *iv);
int record_batch_turn(struct store_batch *b, const char *id, const struct proto_turn *t);

/* Checks a presented token; on success writes the interview it is bound to.
 * RECORD_EAUTH when unknown or malformed. */
int record_check_token(struct store *st, const char *token, char id[TOKEN_ID_LEN + 1]);

/* The server's public URL: the base of every candidate link. `serve` records
 * where it listens (or its --public-url) so `new` and `demo`, run later or
 * beside it, print links that reach it. Kept under "public_url" in
 * STORE_DB_META. */
#define RECORD_URL_MAX 400
/* Returns 0 when url is http:// or https://, a host (a name, an IPv4 address
 * or an [IPv6] one), an optional :PORT (1-65535) and an optional /path
 * without spaces, '?' or '#' (links append their own query), at most
 * RECORD_URL_MAX bytes; else RECORD_EURL with err saying what is wrong. */
int record_check_public_url(const char *url, char *err, size_t errlen);
/* Checks url as above and records it, durably, replacing the one before. */
int record_set_public_url(struct store *st, const char *url, char *err, size_t errlen);
/* Reads the recorded URL into *url (a new string; free()). STORE_ENOTFOUND
 * when no server has recorded one; RECORD_ECORRUPT when what is stored is not
 * a URL record_check_public_url accepts. */
int record_get_public_url(struct store *st, char **url);

/* Milliseconds since the epoch (the clock every record uses). */
long long record_now_ms(void);

/* ---- operations on one interview (the CLI and the HTTP API) -------------
 *
 * Each is one durable, all-or-nothing batch, conditional on the interview
 * record being what was read: a turn committed in between makes it read
 * again and retry (a few times), so an operation never undoes a turn. They
 * print nothing; err gets a sentence naming the interview. */

/* Ends an unfinished interview: status "closed", updated now. Later messages
 * are refused with interview_finished. STORE_ENOTFOUND when there is no such
 * interview, RECORD_EFINISHED or RECORD_ECLOSED when it has ended already.
 * closed, when not NULL, receives the record as written (free with
 * proto_interview_free; zeroed on failure). */
int record_close_interview(struct store *st, const char *id, struct proto_interview *closed,
			   char *err, size_t errlen);

/* Replaces the interview's candidate link: every token of the interview is
 * deleted and one new token issued, in one batch, so an old link stops
 * opening the interview the moment this returns. Connections already open
 * keep going until the server closes them. STORE_ENOTFOUND when there is no
 * such interview. token receives the new token (zeroed on failure). */
int record_relink_interview(struct store *st, const char *id, char token[TOKEN_LEN + 1], char *err,
			    size_t errlen);

/* Erases the interview: its record, every turn and every token, in one
 * batch; and its pinned script source unless another interview still runs
 * that version. Nothing of the interview is left in the store. STORE_ENOTFOUND
 * when there is no such interview. */
int record_erase_interview(struct store *st, const char *id, char *err, size_t errlen);

/* ---- pages of interviews (the console's list) -------------------------- */

#define RECORD_PAGE_MAX 200
#define RECORD_PAGE_DEFAULT 50
#define RECORD_CURSOR_LEN 32 /* hex characters */

struct record_page_query {
	const char *status; /* "new", "active", "finished", "closed"; NULL or "" for any */
	const char *script; /* exact script name; NULL or "" for any */
	const char *q;      /* part of the candidate's name, any case; NULL or "" for any */
	size_t limit;       /* 1..RECORD_PAGE_MAX; 0 means RECORD_PAGE_DEFAULT */
	const char *cursor; /* next_cursor of the previous page; NULL or "" for the first */
};

/* One page of the interviews matching query, newest first (by creation time,
 * then id). *ivs gets up to limit records (free with record_interviews_free);
 * next_cursor gets the cursor of the next page, or "" when this is the last.
 * Case is ignored for ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic
 * letters. RECORD_ESTATUS, RECORD_ELIMIT or RECORD_ECURSOR for a query that
 * cannot be answered (the field is in the sentence). */
int record_list_interviews_page(struct store *st, const struct record_page_query *query,
				struct proto_interview **ivs, size_t *n,
				char next_cursor[RECORD_CURSOR_LEN + 1]);

#endif
