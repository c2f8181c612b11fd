/* record: which proto record lives under which store key. See record.h.
 *
 * Interviews are keyed by their id, turns by store_key_turn(id, seq) (ids are
 * fixed length, so an id is an exact prefix of its turns), tokens by the
 * 32-byte token hash, scripts by the sha256 hex of their source. A token
 * record also carries the hash it was stored under: a check confirms the
 * lookup with a constant-time compare rather than trusting the key alone.
 * Nothing here includes cJSON, LMDB or Lua, nor reads a file: proto, store and
 * scriptdir do that. */
#include "record.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "script.h"

#define CREATE_ATTEMPTS 5 /* new ids tried when one is taken */

const char *record_strerror(int rc)
{
	switch (rc) {
	case 0: return "success";
	case RECORD_ECORRUPT:
		return "a stored record does not decode (the data directory is damaged)";
	case RECORD_EAUTH: return "the token is unknown or malformed";
	case RECORD_EINVALID: return "an interview needs a script name and its source";
	case RECORD_EFINISHED: return "the interview has finished";
	case RECORD_ECLOSED: return "the interview has been closed already";
	case RECORD_ELIMIT: return "limit must be a number from 1 to 200";
	case RECORD_ECURSOR: return "cursor is not one this server gave out";
	case RECORD_ESTATUS: return "status must be new, active, finished or closed";
	case RECORD_EURL:
		return "not a URL of the form http(s)://host[:port][/path]";
	default: return store_strerror(rc);
	}
}

static void set_err(char *err, size_t errlen, const char *fmt, const char *arg)
{
	if (err && errlen)
		snprintf(err, errlen, fmt, arg ? arg : "");
}

long long record_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int from_proto(int rc)
{
	return rc == PROTO_ENOMEM ? STORE_ENOMEM : RECORD_ECORRUPT;
}

/* --- hashes as hex ------------------------------------------------------ */

static void hex_encode(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static int hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Returns 0, or -1 unless s is exactly 2*n lowercase hex digits. */
static int hex_decode(const char *s, unsigned char *out, size_t n)
{
	if (strlen(s) != 2 * n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int hi = hex_nibble(s[2 * i]), lo = hex_nibble(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/* --- batch helpers ------------------------------------------------------ */

int record_batch_script(struct store_batch *b, const char *src, size_t len,
			char hash[TOKEN_DIGEST_HEX + 1])
{
	token_digest_hex(src, len, hash);
	/* Same content, same key: overwriting is a no-op, so a plain put. */
	return store_batch_put(b, STORE_DB_SCRIPTS, hash, TOKEN_DIGEST_HEX, src, len, 0);
}

static int batch_interview(struct store_batch *b, const struct proto_interview *iv, int flags)
{
	if (!iv->id || !iv->id[0] || strlen(iv->id) > STORE_KEY_MAX)
		return RECORD_ECORRUPT;
	char *s = proto_interview_encode(iv);
	if (!s)
		return STORE_ENOMEM;
	int rc = store_batch_put(b, STORE_DB_INTERVIEWS, iv->id, strlen(iv->id), s, strlen(s), flags);
	free(s);
	return rc;
}

int record_batch_interview(struct store_batch *b, const struct proto_interview *iv)
{
	return batch_interview(b, iv, 0);
}

/* Turns are append-only: a second write of one seq fails the batch with
 * STORE_EEXISTS instead of rewriting the transcript. */
int record_batch_turn(struct store_batch *b, const char *id, const struct proto_turn *t)
{
	unsigned char key[STORE_KEY_MAX];
	size_t klen = store_key_turn(key, id, t->seq);
	if (klen == 0)
		return RECORD_ECORRUPT;
	char *s = proto_turn_encode(t);
	if (!s)
		return STORE_ENOMEM;
	int rc = store_batch_put(b, STORE_DB_TURNS, key, klen, s, strlen(s), STORE_PUT_NEW);
	free(s);
	return rc;
}

/* Adds a new candidate token for id to b and writes the token. */
static int batch_token(struct store_batch *b, const char *id, char token[TOKEN_LEN + 1])
{
	unsigned char hash[TOKEN_HASH_LEN];
	char hex[2 * TOKEN_HASH_LEN + 1];
	token_new(token, hash);
	hex_encode(hash, sizeof hash, hex);
	struct proto_token rec = {.interview_id = (char *)id, .role = "candidate",
				  .created = record_now_ms(), .hash = hex};
	char *s = proto_token_encode(&rec);
	if (!s)
		return STORE_ENOMEM;
	int rc = store_batch_put(b, STORE_DB_TOKENS, hash, sizeof hash, s, strlen(s), STORE_PUT_NEW);
	free(s);
	return rc;
}

/* --- creating interviews ------------------------------------------------ */

int record_create_interview(struct store *st, const char *script_name, const char *src,
			    size_t len, const char *candidate, char id[TOKEN_ID_LEN + 1],
			    char token[TOKEN_LEN + 1], char *err, size_t errlen)
{
	int rc = RECORD_EINVALID;
	struct store_batch *b = NULL;

	if (!script_name || !script_name[0] || strlen(script_name) > STORE_KEY_MAX || !src) {
		set_err(err, errlen, "%s", record_strerror(rc));
		goto out;
	}
	if (!candidate)
		candidate = "";
	for (int attempt = 0; attempt < CREATE_ATTEMPTS; attempt++) {
		token_new_id(id);
		long long now = record_now_ms();
		char hash[TOKEN_DIGEST_HEX + 1];
		struct proto_interview iv = {.id = id, .script = (char *)script_name, .script_hash = hash,
					     .candidate = (char *)candidate, .status = PROTO_STATUS_NEW,
					     .created = now, .updated = now, .next_seq = 1,
					     .api_level = SCRIPT_API_LEVEL};
		store_batch_free(b);
		if (!(b = store_batch_new())) {
			rc = STORE_ENOMEM;
			goto out;
		}
		if ((rc = record_batch_script(b, src, len, hash)) ||
		    (rc = batch_interview(b, &iv, STORE_PUT_NEW)) || (rc = batch_token(b, id, token)))
			goto out;
		rc = store_commit(st, b, err, errlen);
		if (rc != STORE_EEXISTS)
			break;
		log_warn("interview id %s taken, drawing another", id);
	}
	if (rc == STORE_EEXISTS)
		set_err(err, errlen, "%s", "no free interview id after several attempts");
out:
	if (rc) {
		memset(id, 0, TOKEN_ID_LEN + 1);
		memset(token, 0, TOKEN_LEN + 1);
	}
	store_batch_free(b);
	return rc;
}

int record_issue_token(struct store *st, const char *id, char token[TOKEN_LEN + 1], char *err,
		       size_t errlen)
{
	int rc;
	struct store_batch *b = NULL;
	struct proto_interview iv;
	memset(&iv, 0, sizeof iv);

	rc = record_get_interview(st, id, &iv);
	if (rc == STORE_ENOTFOUND)
		set_err(err, errlen, "no interview %s", id);
	else if (rc == RECORD_ECORRUPT)
		set_err(err, errlen, "the record of interview %s does not decode", id);
	if (rc)
		goto out;
	if (!(b = store_batch_new())) {
		rc = STORE_ENOMEM;
		goto out;
	}
	if ((rc = batch_token(b, iv.id, token)))
		goto out;
	rc = store_commit(st, b, err, errlen);
out:
	if (rc)
		memset(token, 0, TOKEN_LEN + 1);
	store_batch_free(b);
	proto_interview_free(&iv);
	return rc;
}

/* --- reading ------------------------------------------------------------ */

int record_get_interview(struct store *st, const char *id, struct proto_interview *iv)
{
	return record_get_interview_as_read(st, id, iv, NULL);
}

int record_get_interview_as_read(struct store *st, const char *id, struct proto_interview *iv,
				 struct record_read *read)
{
	memset(iv, 0, sizeof *iv);
	if (read)
		*read = (struct record_read){ 0 };
	if (!id || !id[0] || strlen(id) > STORE_KEY_MAX)
		return STORE_ENOTFOUND;
	char *val = NULL;
	size_t vlen = 0;
	int rc = store_get(st, STORE_DB_INTERVIEWS, id, strlen(id), &val, &vlen);
	if (rc)
		return rc;
	rc = proto_interview_decode(val, vlen, iv);
	if (rc) {
		log_error("interview %s: stored record does not decode", id);
		rc = from_proto(rc);
	}
	if (rc == 0 && read) {
		read->bytes = val;
		read->len = vlen;
		val = NULL;
	}
	free(val);
	return rc;
}

int record_batch_expect_interview(struct store_batch *b, const char *id,
				  const struct record_read *read)
{
	return store_batch_expect(b, STORE_DB_INTERVIEWS, id, strlen(id), read->bytes, read->len);
}

void record_read_free(struct record_read *read)
{
	if (read) {
		free(read->bytes);
		*read = (struct record_read){ 0 };
	}
}

void record_interviews_free(struct proto_interview *ivs, size_t n)
{
	for (size_t i = 0; ivs && i < n; i++)
		proto_interview_free(&ivs[i]);
	free(ivs);
}

void record_transcript_free(struct proto_turn *turns, size_t n)
{
	for (size_t i = 0; turns && i < n; i++)
		proto_turn_free(&turns[i]);
	free(turns);
}

/* A growing array filled by a scan. */
struct collect {
	void *items;
	size_t n, cap, size;
	const char *id; /* turns: the interview scanned */
};

static void *collect_slot(struct collect *c)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 16;
		void *p = realloc(c->items, cap * c->size);
		if (!p)
			return NULL;
		c->items = p;
		c->cap = cap;
	}
	void *slot = (char *)c->items + c->n * c->size;
	memset(slot, 0, c->size);
	return slot;
}

static int collect_interview(void *ctx, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct collect *c = ctx;
	struct proto_interview *iv = collect_slot(c);
	if (!iv)
		return STORE_ENOMEM;
	int rc = proto_interview_decode(val, vlen, iv);
	if (rc == PROTO_ENOMEM)
		return STORE_ENOMEM;
	/* One damaged record must not hide every other interview from a listing;
	 * record_get_interview still reports it. */
	if (rc) {
		log_error("interview %.*s: stored record does not decode; left out of the list",
			  (int)(klen > 64 ? 64 : klen), (const char *)key);
		return 0;
	}
	c->n++;
	return 0;
}

int record_list_interviews(struct store *st, struct proto_interview **ivs, size_t *n)
{
	struct collect c = {.size = sizeof(struct proto_interview)};
	*ivs = NULL;
	*n = 0;
	int rc = store_scan(st, STORE_DB_INTERVIEWS, "", 0, collect_interview, &c);
	if (rc) {
		record_interviews_free(c.items, c.n);
		return rc;
	}
	*ivs = c.items;
	*n = c.n;
	return 0;
}

static uint64_t be64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static int collect_turn(void *ctx, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct collect *c = ctx;
	if (klen != TOKEN_ID_LEN + 8)
		return RECORD_ECORRUPT;
	struct proto_turn *t = collect_slot(c);
	if (!t)
		return STORE_ENOMEM;
	int rc = proto_turn_decode(val, vlen, t);
	if (rc) {
		log_error("interview %s: turn %llu does not decode", c->id,
			  (unsigned long long)be64((const unsigned char *)key + TOKEN_ID_LEN));
		return from_proto(rc);
	}
	c->n++;
	/* The key is the truth about order; a record disagreeing is damage. */
	if (t->seq != be64((const unsigned char *)key + TOKEN_ID_LEN)) {
		log_error("interview %s: turn record seq %llu under another key", c->id,
			  (unsigned long long)t->seq);
		return RECORD_ECORRUPT;
	}
	return 0;
}

int record_get_transcript(struct store *st, const char *id, struct proto_turn **turns, size_t *n)
{
	*turns = NULL;
	*n = 0;
	/* A short or empty prefix would match other interviews' turns. */
	if (!id || !token_is_id(id) || strlen(id) != TOKEN_ID_LEN)
		return STORE_ENOTFOUND;
	struct collect c = {.size = sizeof(struct proto_turn), .id = id};
	int rc = store_scan(st, STORE_DB_TURNS, id, TOKEN_ID_LEN, collect_turn, &c);
	if (rc) {
		record_transcript_free(c.items, c.n);
		return rc;
	}
	*turns = c.items;
	*n = c.n;
	return 0;
}

int record_get_script(struct store *st, const char *hash, char **src, size_t *len)
{
	*src = NULL;
	*len = 0;
	if (!hash || strlen(hash) != TOKEN_DIGEST_HEX)
		return STORE_ENOTFOUND;
	return store_get(st, STORE_DB_SCRIPTS, hash, TOKEN_DIGEST_HEX, src, len);
}

/* --- tokens ------------------------------------------------------------- */

int record_check_token(struct store *st, const char *token, char id[TOKEN_ID_LEN + 1])
{
	unsigned char hash[TOKEN_HASH_LEN], stored[TOKEN_HASH_LEN];
	char *val = NULL;
	size_t vlen = 0;
	struct proto_token rec;
	memset(&rec, 0, sizeof rec);
	memset(id, 0, TOKEN_ID_LEN + 1);

	int rc = RECORD_EAUTH;
	if (!token || token_hash(token, hash) != TOKEN_OK)
		goto out;
	rc = store_get(st, STORE_DB_TOKENS, hash, sizeof hash, &val, &vlen);
	if (rc == STORE_ENOTFOUND)
		rc = RECORD_EAUTH;
	if (rc)
		goto out;
	if ((rc = proto_token_decode(val, vlen, &rec))) {
		rc = from_proto(rc);
		goto out;
	}
	rc = RECORD_ECORRUPT;
	if (hex_decode(rec.hash, stored, sizeof stored) || !token_is_id(rec.interview_id) ||
	    strlen(rec.interview_id) != TOKEN_ID_LEN)
		goto out;
	rc = RECORD_EAUTH;
	if (!token_hash_equal(hash, stored) || strcmp(rec.role, "candidate") != 0)
		goto out;
	memcpy(id, rec.interview_id, TOKEN_ID_LEN + 1);
	rc = 0;
out:
	if (rc == RECORD_ECORRUPT)
		log_error("a token record does not decode");
	proto_token_free(&rec);
	free(val);
	return rc;
}

/* ======================================================================== */
/* Operations on one interview: close, relink, erase                        */
/* ======================================================================== */

#define OP_ATTEMPTS 5 /* reads of an interview that keeps moving on under us */

/* Fixed-size keys gathered by a scan, to be deleted in a batch afterwards
 * (a scan callback must not write). */
struct keys {
	unsigned char *v;
	size_t n, cap, size;
};

static int keys_add(struct keys *k, const void *key)
{
	if (k->n == k->cap) {
		size_t cap = k->cap ? 2 * k->cap : 16;
		unsigned char *p = realloc(k->v, cap * k->size);
		if (!p)
			return STORE_ENOMEM;
		k->v = p;
		k->cap = cap;
	}
	memcpy(k->v + k->n * k->size, key, k->size);
	k->n++;
	return 0;
}

static int keys_del(struct store_batch *b, enum store_db db, const struct keys *k)
{
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < k->n; i++)
		rc = store_batch_del(b, db, k->v + i * k->size, k->size);
	return rc;
}

static int collect_turn_key(void *ctx, const void *key, size_t klen, const void *val, size_t vlen)
{
	(void)val;
	(void)vlen;
	struct keys *k = ctx;
	return klen == k->size ? keys_add(k, key) : RECORD_ECORRUPT;
}

struct token_scan {
	const char *id;
	struct keys keys;
};

/* Tokens are keyed by their hash, so finding an interview's tokens reads
 * every token record. */
static int collect_token_key(void *ctx, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct token_scan *ts = ctx;
	struct proto_token rec;
	int rc = proto_token_decode(val, vlen, &rec);
	if (rc == PROTO_ENOMEM)
		return STORE_ENOMEM;
	if (rc) /* not ours to judge; record_check_token refuses it anyway */
		return 0;
	if (klen == ts->keys.size && strcmp(rec.interview_id, ts->id) == 0)
		rc = keys_add(&ts->keys, key);
	proto_token_free(&rec);
	return rc;
}

static int batch_del_tokens(struct store *st, struct store_batch *b, const char *id)
{
	struct token_scan ts = { .id = id, .keys = { .size = TOKEN_HASH_LEN } };
	int rc = store_scan(st, STORE_DB_TOKENS, "", 0, collect_token_key, &ts);
	if (rc == 0)
		rc = keys_del(b, STORE_DB_TOKENS, &ts.keys);
	free(ts.keys.v);
	return rc;
}

struct hash_scan {
	const char *id, *hash;
	bool used;
};

static int find_other_user(void *ctx, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct hash_scan *hs = ctx;
	struct proto_interview iv;
	int rc = proto_interview_decode(val, vlen, &iv);
	if (rc == PROTO_ENOMEM)
		return STORE_ENOMEM;
	bool other = klen != strlen(hs->id) || memcmp(key, hs->id, klen) != 0;
	/* Another record that does not decode may name this hash too: keep the
	 * source rather than guess. */
	if (other && (rc || strcmp(iv.script_hash, hs->hash) == 0))
		hs->used = true;
	proto_interview_free(&iv);
	return hs->used ? 1 : 0;
}

/* Whether an interview other than id runs the script version hash. */
static int script_used_elsewhere(struct store *st, const char *id, const char *hash, bool *used)
{
	struct hash_scan hs = { .id = id, .hash = hash };
	int rc = store_scan(st, STORE_DB_INTERVIEWS, "", 0, find_other_user, &hs);
	*used = hs.used;
	return rc == 1 ? 0 : rc;
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
	return batch_interview(b, iv, 0);
}

int record_close_interview(struct store *st, const char *id, struct proto_interview *closed,
			   char *err, size_t errlen)
{
	return run_op(st, id, fill_close, NULL, closed, err, errlen);
}

static int fill_relink(struct store *st, struct store_batch *b, struct proto_interview *iv,
		       void *ctx, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	int rc = batch_del_tokens(st, b, iv->id);
	/* After the deletes: the new token's key is new, and a put after a
	 * delete of the same key (a hash collision) still leaves the new one. */
	return rc ? rc : batch_token(b, iv->id, ctx);
}

int record_relink_interview(struct store *st, const char *id, char token[TOKEN_LEN + 1], char *err,
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
	struct keys turns = { .size = TOKEN_ID_LEN + 8 };
	bool used = true;
	free(e->src);
	e->src = NULL;
	int rc = store_scan(st, STORE_DB_TURNS, iv->id, TOKEN_ID_LEN, collect_turn_key, &turns);
	if (rc == 0)
		rc = keys_del(b, STORE_DB_TURNS, &turns);
	if (rc == 0)
		rc = batch_del_tokens(st, b, iv->id);
	if (rc == 0)
		rc = store_batch_del(b, STORE_DB_INTERVIEWS, iv->id, strlen(iv->id));
	if (rc == 0 && iv->script_hash && strlen(iv->script_hash) == TOKEN_DIGEST_HEX)
		rc = script_used_elsewhere(st, iv->id, iv->script_hash, &used);
	if (rc == 0 && !used) {
		rc = record_get_script(st, iv->script_hash, &e->src, &e->len);
		if (rc == 0)
			rc = store_batch_del(b, STORE_DB_SCRIPTS, iv->script_hash,
					     TOKEN_DIGEST_HEX);
		else if (rc == STORE_ENOTFOUND)
			rc = 0; /* already gone: nothing to delete or restore */
	}
	free(turns.v);
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
	if (!e->src || script_used_elsewhere(st, id, hash, &used) != 0 || !used)
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

int record_erase_interview(struct store *st, const char *id, char *err, size_t errlen)
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

/* ======================================================================== */
/* Pages of interviews                                                      */
/* ======================================================================== */

/* Simple case folding of one code point: enough for the names a team types
 * (ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic). */
static uint32_t fold_cp(uint32_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c + 32;
	if (c < 0xC0)
		return c;
	if (c <= 0xDE)
		return c == 0xD7 ? c : c + 32;
	if (c >= 0x100 && c <= 0x17F) {
		/* Pairs upper/lower; between U+0139 and U+0148 and from U+0179 the
		 * upper case letter is the odd one. */
		bool odd_upper = (c >= 0x139 && c <= 0x148) || c >= 0x179;
		if (c == 0x178) /* Ÿ */
			return 0xFF;
		if (c == 0x130 || c == 0x131 || c == 0x138 || c == 0x149 || c == 0x17F)
			return c;
		return (c & 1) == (odd_upper ? 1u : 0u) ? c + 1 : c;
	}
	if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2)
		return c + 32;
	if (c >= 0x410 && c <= 0x42F)
		return c + 32;
	if (c >= 0x400 && c <= 0x40F)
		return c + 80;
	return c;
}

/* Decodes s into folded code points (a byte that starts no valid sequence
 * stands for itself, offset so it matches nothing valid). Returns a new
 * array (free()) and its length, or NULL when out of memory. */
static uint32_t *fold_text(const char *s, size_t *n)
{
	size_t len = strlen(s);
	uint32_t *out = malloc((len + 1) * sizeof *out);
	if (!out)
		return NULL;
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	size_t k = 0;
	while (p < end) {
		uint32_t c = *p;
		int extra = c >= 0xF0 && c < 0xF5   ? 3
			    : c >= 0xE0             ? 2
			    : c >= 0xC2 && c < 0xE0 ? 1
						    : 0;
		if (c >= 0x80 && (extra == 0 || end - p <= extra)) {
			out[k++] = 0x110000 + c;
			p++;
			continue;
		}
		if (extra) {
			c &= 0x3Fu >> extra;
			for (int i = 1; i <= extra; i++) {
				if ((p[i] & 0xC0) != 0x80) {
					c = 0x110000 + *p;
					extra = 0;
					break;
				}
				c = c << 6 | (p[i] & 0x3F);
			}
		}
		out[k++] = fold_cp(c);
		p += 1 + extra;
	}
	*n = k;
	return out;
}

static bool folded_contains(const uint32_t *hay, size_t nh, const uint32_t *needle, size_t nn)
{
	if (nn == 0)
		return true;
	for (size_t i = 0; i + nn <= nh; i++)
		if (memcmp(hay + i, needle, nn * sizeof *needle) == 0)
			return true;
	return false;
}

struct page_scan {
	struct collect c;
	int status; /* an enum proto_status, or -1 for any */
	const char *script;
	const uint32_t *needle;
	size_t nneedle;
	bool after; /* a cursor was given: keep only what sorts after it */
	int64_t after_created;
	char after_id[TOKEN_ID_LEN + 1];
};

/* Newest first: creation time, then id, both descending. */
static int page_cmp(int64_t ca, const char *ia, int64_t cb, const char *ib)
{
	if (ca != cb)
		return ca > cb ? -1 : 1;
	return -strcmp(ia, ib);
}

static int page_order(const void *a, const void *b)
{
	const struct proto_interview *x = a, *y = b;
	return page_cmp(x->created, x->id, y->created, y->id);
}

static bool page_match(const struct page_scan *ps, const struct proto_interview *iv)
{
	if (ps->status >= 0 && (int)iv->status != ps->status)
		return false;
	if (ps->script && strcmp(iv->script, ps->script) != 0)
		return false;
	if (ps->after && page_cmp(iv->created, iv->id, ps->after_created, ps->after_id) <= 0)
		return false;
	if (ps->nneedle == 0)
		return true;
	size_t nh = 0;
	uint32_t *hay = fold_text(iv->candidate ? iv->candidate : "", &nh);
	bool found = hay && folded_contains(hay, nh, ps->needle, ps->nneedle);
	free(hay);
	return found;
}

static int collect_page(void *ctx, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct page_scan *ps = ctx;
	size_t before = ps->c.n;
	int rc = collect_interview(&ps->c, key, klen, val, vlen);
	/* collect_interview leaves a record that did not decode uncounted. */
	if (rc || ps->c.n == before)
		return rc;
	struct proto_interview *last = (struct proto_interview *)ps->c.items + before;
	if (!page_match(ps, last)) {
		proto_interview_free(last);
		ps->c.n = before;
	}
	return 0;
}

/* The cursor: created (16 hex digits) then the id of the last item shown. */
static void cursor_encode(const struct proto_interview *iv, char out[RECORD_CURSOR_LEN + 1])
{
	unsigned char be[8];
	uint64_t v = (uint64_t)iv->created;
	for (int i = 7; i >= 0; i--, v >>= 8)
		be[i] = (unsigned char)(v & 0xFF);
	hex_encode(be, sizeof be, out);
	memcpy(out + 16, iv->id, TOKEN_ID_LEN);
	out[RECORD_CURSOR_LEN] = '\0';
}

static int cursor_decode(const char *s, struct page_scan *ps)
{
	unsigned char be[8];
	char head[17];
	if (strlen(s) != RECORD_CURSOR_LEN)
		return RECORD_ECURSOR;
	memcpy(head, s, 16);
	head[16] = '\0';
	if (hex_decode(head, be, sizeof be) || !token_is_id(s + 16) || (be[0] & 0x80))
		return RECORD_ECURSOR;
	ps->after_created = (int64_t)be64(be);
	memcpy(ps->after_id, s + 16, TOKEN_ID_LEN + 1);
	ps->after = true;
	return 0;
}

int record_list_interviews_page(struct store *st, const struct record_page_query *query,
				struct proto_interview **ivs, size_t *n,
				char next_cursor[RECORD_CURSOR_LEN + 1])
{
	struct page_scan ps = { .c = { .size = sizeof(struct proto_interview) }, .status = -1 };
	uint32_t *needle = NULL;
	size_t limit = query->limit ? query->limit : RECORD_PAGE_DEFAULT;
	int rc = 0;
	*ivs = NULL;
	*n = 0;
	next_cursor[0] = '\0';

	if (query->status && query->status[0]) {
		enum proto_status s;
		if (proto_status_parse(query->status, &s) != PROTO_OK) {
			rc = RECORD_ESTATUS;
			goto out;
		}
		ps.status = (int)s;
	}
	if (limit > RECORD_PAGE_MAX) {
		rc = RECORD_ELIMIT;
		goto out;
	}
	if (query->cursor && query->cursor[0] && (rc = cursor_decode(query->cursor, &ps)))
		goto out;
	if (query->script && query->script[0])
		ps.script = query->script;
	if (query->q && query->q[0]) {
		if (!(needle = fold_text(query->q, &ps.nneedle))) {
			rc = STORE_ENOMEM;
			goto out;
		}
		ps.needle = needle;
	}
	if ((rc = store_scan(st, STORE_DB_INTERVIEWS, "", 0, collect_page, &ps)))
		goto out;
	struct proto_interview *v = ps.c.items;
	if (ps.c.n > 1)
		qsort(v, ps.c.n, sizeof *v, page_order);
	if (ps.c.n > limit) {
		cursor_encode(&v[limit - 1], next_cursor);
		for (size_t i = limit; i < ps.c.n; i++)
			proto_interview_free(&v[i]);
		ps.c.n = limit;
	}
	*ivs = ps.c.items;
	*n = ps.c.n;
	ps.c.items = NULL;
	ps.c.n = 0;
out:
	record_interviews_free(ps.c.items, ps.c.n);
	free(needle);
	return rc;
}
/* --- the server's public URL -------------------------------------------- */

#define PUBLIC_URL_KEY "public_url"

/* Puts "URL: why" into err and returns RECORD_EURL. */
static int bad_url(const char *url, const char *why, char *err, size_t errlen)
{
	if (err && errlen)
		snprintf(err, errlen,
			 "'%.*s' is not a URL of the form http(s)://host[:port][/path]: %s",
			 RECORD_URL_MAX, url ? url : "", why);
	return RECORD_EURL;
}

int record_check_public_url(const char *url, char *err, size_t errlen)
{
	if (!url || strlen(url) > RECORD_URL_MAX)
		return bad_url(url, "too long", err, errlen);
	const char *p = url;
	if (strncmp(p, "http://", 7) == 0)
		p += 7;
	else if (strncmp(p, "https://", 8) == 0)
		p += 8;
	else
		return bad_url(url, "it must start with http:// or https://", err, errlen);
	const char *host = p;
	if (*p == '[') { /* an IPv6 address */
		for (p++; isxdigit((unsigned char)*p) || *p == ':' || *p == '.'; p++)
			;
		if (*p != ']' || p == host + 1)
			return bad_url(url, "an IPv6 host goes in brackets, as [::1]", err, errlen);
		p++;
	} else {
		for (; isalnum((unsigned char)*p) || *p == '-' || *p == '.'; p++)
			;
		if (p == host)
			return bad_url(url, "the host is missing", err, errlen);
	}
	if (*p == ':') {
		long port = 0;
		const char *digits = ++p;
		for (; isdigit((unsigned char)*p) && p - digits < 6; p++)
			port = port * 10 + (*p - '0');
		if (p == digits || port < 1 || port > 65535 || isdigit((unsigned char)*p))
			return bad_url(url, "the port must be a number from 1 to 65535", err,
				       errlen);
	}
	if (*p && *p != '/')
		return bad_url(url, "after the host come only :PORT and /path", err, errlen);
	for (; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '?' || *p == '#' || *p == 0x7f)
			return bad_url(url, "the path may not hold spaces, '?' or '#'", err,
				       errlen);
	return 0;
}

int record_set_public_url(struct store *st, const char *url, char *err, size_t errlen)
{
	int rc = record_check_public_url(url, err, errlen);
	if (rc)
		return rc;
	struct store_batch *b = store_batch_new();
	if (!b)
		return STORE_ENOMEM;
	rc = store_batch_put(b, STORE_DB_META, PUBLIC_URL_KEY, strlen(PUBLIC_URL_KEY), url,
			     strlen(url), 0);
	if (rc == 0)
		rc = store_commit(st, b, err, errlen);
	store_batch_free(b);
	return rc;
}

int record_get_public_url(struct store *st, char **url)
{
	size_t len = 0;
	*url = NULL;
	int rc = store_get(st, STORE_DB_META, PUBLIC_URL_KEY, strlen(PUBLIC_URL_KEY), url, &len);
	if (rc)
		return rc;
	if (strlen(*url) != len || record_check_public_url(*url, NULL, 0) != 0) {
		log_error("the recorded public URL is not a URL");
		free(*url);
		*url = NULL;
		return RECORD_ECORRUPT;
	}
	return 0;
}
