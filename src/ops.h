/* ops: what the team does to one interview after creating it: close it,
 * replace its link, erase it.
 *
 * Each operation is one durable, all-or-nothing batch, conditional on the
 * interview record being what was read: a turn committed in between makes it
 * read again and retry (a few times), so an operation never undoes a turn.
 * record says which keys to write and delete; ops decides what one operation
 * changes. The CLI (manage) and the HTTP API call the same functions. They
 * print nothing; err gets a sentence naming the interview. Functions return
 * 0, a STORE_E* code or a RECORD_E* code (record_strerror explains each). */
#ifndef INTERVIEWD_OPS_H
#define INTERVIEWD_OPS_H

#include <stddef.h>

#include "proto.h"
#include "store.h"
#include "token.h"

/* Ends an unfinished interview: status "closed", updated now. Later messages
 * are refused with interview_finished. STORE_ENOTFOUND when there is no such
 * interview, RECORD_EFINISHED or RECORD_ECLOSED when it has ended already.
 * closed, when not NULL, receives the record as written (free with
 * proto_interview_free; zeroed on failure). */
int ops_close_interview(struct store *st, const char *id, struct proto_interview *closed, char *err,
			size_t errlen);

/* Replaces the interview's candidate link: every token of the interview is
 * deleted and one new token issued, in one batch, so an old link stops
 * opening the interview the moment this returns. Connections already open
 * keep going until the server closes them. STORE_ENOTFOUND when there is no
 * such interview. token receives the new token (zeroed on failure). */
int ops_relink_interview(struct store *st, const char *id, char token[TOKEN_LEN + 1], char *err,
			 size_t errlen);

/* Erases the interview: its record, every turn and every token, in one
 * batch; and its pinned script source unless another interview still runs
 * that version. Nothing of the interview is left in the store. STORE_ENOTFOUND
 * when there is no such interview. */
int ops_erase_interview(struct store *st, const char *id, char *err, size_t errlen);

#endif
