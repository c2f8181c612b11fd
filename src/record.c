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

int record_batch_token(struct store_batch *b, const char *id, char token[TOKEN_LEN + 1])
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
		    (rc = batch_interview(b, &iv, STORE_PUT_NEW)) || (rc = record_batch_token(b, id, token)))
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
	if ((rc = record_batch_token(b, iv.id, token)))
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
	const char *id;      /* turns: the interview scanned */
	record_keep_fn keep; /* interviews: which to keep (NULL: all) */
	void *keep_ctx;
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
	/* Dropped as it is read, so a filtered scan holds only what it keeps. */
	if (c->keep && !c->keep(c->keep_ctx, iv)) {
		proto_interview_free(iv);
		return 0;
	}
	c->n++;
	return 0;
}

int record_list_interviews(struct store *st, struct proto_interview **ivs, size_t *n)
{
	return record_scan_interviews(st, NULL, NULL, ivs, n);
}

int record_scan_interviews(struct store *st, record_keep_fn keep, void *ctx,
			   struct proto_interview **ivs, size_t *n)
{
	struct collect c = {.size = sizeof(struct proto_interview), .keep = keep, .keep_ctx = ctx};
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

/* --- deleting an interview --------------------------------------------- */

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

int record_batch_del_tokens(struct store *st, struct store_batch *b, const char *id)
{
	struct token_scan ts = { .id = id, .keys = { .size = TOKEN_HASH_LEN } };
	int rc = store_scan(st, STORE_DB_TOKENS, "", 0, collect_token_key, &ts);
	if (rc == 0)
		rc = keys_del(b, STORE_DB_TOKENS, &ts.keys);
	free(ts.keys.v);
	return rc;
}

int record_batch_del_interview(struct store *st, struct store_batch *b, const char *id)
{
	/* A shorter id would be a prefix of other interviews' turns. */
	if (!token_is_id(id))
		return RECORD_ECORRUPT;
	struct keys turns = { .size = TOKEN_ID_LEN + 8 };
	int rc = store_scan(st, STORE_DB_TURNS, id, TOKEN_ID_LEN, collect_turn_key, &turns);
	if (rc == 0)
		rc = keys_del(b, STORE_DB_TURNS, &turns);
	if (rc == 0)
		rc = record_batch_del_tokens(st, b, id);
	if (rc == 0)
		rc = store_batch_del(b, STORE_DB_INTERVIEWS, id, strlen(id));
	free(turns.v);
	return rc;
}

int record_batch_del_script(struct store_batch *b, const char *hash)
{
	if (!hash || strlen(hash) != TOKEN_DIGEST_HEX)
		return STORE_ENOTFOUND;
	return store_batch_del(b, STORE_DB_SCRIPTS, hash, TOKEN_DIGEST_HEX);
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

int record_script_used_elsewhere(struct store *st, const char *id, const char *hash, bool *used)
{
	struct hash_scan hs = { .id = id, .hash = hash };
	int rc = store_scan(st, STORE_DB_INTERVIEWS, "", 0, find_other_user, &hs);
	*used = hs.used;
	return rc == 1 ? 0 : rc;
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
