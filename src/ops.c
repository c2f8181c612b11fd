/* ops: close, relink and erase one interview. See ops.h.
 *
 * run_op is the shape all three share: read the interview as stored, let the
 * operation fill a batch, commit it on condition that the record is still as
 * read, and start again when a turn got in between. Which keys hold an
 * interview's turns, tokens and script is record's business; an erase asks
 * record for the deletes and decides only whether the pinned source goes
 * too. */
#include "ops.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "record.h"

#define OP_ATTEMPTS 5 /* reads of an interview that keeps moving on under us */

static void set_err(char *err, size_t errlen, const char *fmt, const char *arg)
{
	if (err && errlen)
		snprintf(err, errlen, fmt, arg ? arg : "");
}

/* Fills b with the change to iv (as read just now), changing iv to the
 * record as it will be; ctx is the operation's own. */
typedef int (*op_fill_fn)(struct store *st, struct store_batch *b, struct proto_interview *iv,
			  void *ctx, char *err, size_t errlen);

/* Reads id, lets fill build the batch and commits it on condition that the
 * record is still as read; retries when a turn got in between. out, when not
 * NULL, takes the record as fill left it. */
static int run_op(struct store *st, const char *id, op_fill_fn fill, void *ctx,
		  struct proto_interview *out, char *err, size_t errlen)
{
	struct proto_interview iv;
	struct record_read read = { 0 };
	struct store_batch *b = NULL;
	int rc = STORE_ECONFLICT;
	memset(&iv, 0, sizeof iv);
	if (out)
		memset(out, 0, sizeof *out);

	for (int attempt = 0; attempt < OP_ATTEMPTS && rc == STORE_ECONFLICT; attempt++) {
		if (err && errlen)
			err[0] = '\0';
		proto_interview_free(&iv);
		record_read_free(&read);
		store_batch_free(b);
		b = NULL;
		rc = token_is_id(id) ? record_get_interview_as_read(st, id, &iv, &read)
				     : STORE_ENOTFOUND;
		if (rc == STORE_ENOTFOUND)
			set_err(err, errlen, "no interview %s", id);
		else if (rc == RECORD_ECORRUPT)
			set_err(err, errlen, "the record of interview %s does not decode", id);
		else if (rc)
			set_err(err, errlen, "%s", record_strerror(rc));
		if (rc)
			goto out;
		if (!(b = store_batch_new())) {
			rc = STORE_ENOMEM;
			goto out;
		}
		if ((rc = record_batch_expect_interview(b, id, &read)) ||
		    (rc = fill(st, b, &iv, ctx, err, errlen)))
			goto out;
		rc = store_commit(st, b, err, errlen);
	}
	if (rc == STORE_ECONFLICT)
		set_err(err, errlen, "interview %s kept changing while this ran; try again", id);
out:
	if (rc && err && errlen && !err[0])
		set_err(err, errlen, "%s", record_strerror(rc));
	if (rc == 0 && out) {
		*out = iv;
		memset(&iv, 0, sizeof iv);
	}
	store_batch_free(b);
	record_read_free(&read);
	proto_interview_free(&iv);
	return rc;
}

static int fill_close(struct store *st, struct store_batch *b, struct proto_interview *iv,
		      void *ctx, char *err, size_t errlen)
{
	(void)st;
	(void)ctx;
	if (iv->status == PROTO_STATUS_FINISHED) {
		set_err(err, errlen, "interview %s has finished: there is nothing to close",
			iv->id);
		return RECORD_EFINISHED;
	}
	if (iv->status == PROTO_STATUS_CLOSED) {
		set_err(err, errlen, "interview %s has been closed already", iv->id);
		return RECORD_ECLOSED;
	}
	iv->status = PROTO_STATUS_CLOSED;
	iv->updated = record_now_ms();
	return record_batch_interview(b, iv);
}

int ops_close_interview(struct store *st, const char *id, struct proto_interview *closed, char *err,
			size_t errlen)
{
	return run_op(st, id, fill_close, NULL, closed, err, errlen);
}

static int fill_relink(struct store *st, struct store_batch *b, struct proto_interview *iv,
		       void *ctx, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	int rc = record_batch_del_tokens(st, b, iv->id);
	/* After the deletes: the new token's key is new, and a put after a
	 * delete of the same key (a hash collision) still leaves the new one. */
	return rc ? rc : record_batch_token(b, iv->id, ctx);
}

int ops_relink_interview(struct store *st, const char *id, char token[TOKEN_LEN + 1], char *err,
			 size_t errlen)
{
	int rc = run_op(st, id, fill_relink, token, NULL, err, errlen);
	if (rc)
		memset(token, 0, TOKEN_LEN + 1);
	return rc;
}

struct erase {
	char *src; /* the pinned source, when this erase deletes it */
	size_t len;
};

static int fill_erase(struct store *st, struct store_batch *b, struct proto_interview *iv,
		      void *ctx, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	struct erase *e = ctx;
	bool used = true;
	free(e->src);
	e->src = NULL;
	int rc = record_batch_del_interview(st, b, iv->id);
	if (rc == 0 && iv->script_hash && strlen(iv->script_hash) == TOKEN_DIGEST_HEX)
		rc = record_script_used_elsewhere(st, iv->id, iv->script_hash, &used);
	if (rc == 0 && !used) {
		rc = record_get_script(st, iv->script_hash, &e->src, &e->len);
		if (rc == 0)
			rc = record_batch_del_script(b, iv->script_hash);
		else if (rc == STORE_ENOTFOUND)
			rc = 0; /* already gone: nothing to delete or restore */
	}
	return rc;
}

/* An interview created from the same source while the erase ran may have
 * committed just before it: it then needs the source the erase deleted.
 * Writers are serialised, so once the erase is durable a scan sees every
 * such interview, and one that commits later pins the source itself. */
static void restore_script_if_used(struct store *st, const char *id, const char *hash,
				   const struct erase *e)
{
	bool used = false;
	char err[256] = "";
	struct store_batch *b = NULL;
	char again[TOKEN_DIGEST_HEX + 1];
	if (!e->src || record_script_used_elsewhere(st, id, hash, &used) != 0 || !used)
		return;
	if (!(b = store_batch_new()) || record_batch_script(b, e->src, e->len, again) != 0 ||
	    store_commit(st, b, err, sizeof err) != 0)
		log_error("script %.12s: could not restore it for an interview created during an "
			  "erase: %s",
			  hash, err);
	else
		log_info("script %.12s: kept for an interview created during an erase", hash);
	store_batch_free(b);
}

int ops_erase_interview(struct store *st, const char *id, char *err, size_t errlen)
{
	struct erase e = { 0 };
	struct proto_interview gone;
	int rc = run_op(st, id, fill_erase, &e, &gone, err, errlen);
	if (rc == 0) {
		restore_script_if_used(st, id, gone.script_hash, &e);
		proto_interview_free(&gone);
	}
	free(e.src);
	return rc;
}
