/* verify: checks a store's records against their keys and each other. See
 * verify.h.
 *
 * One store_scan_snapshot() walks the databases in an order that lets each
 * check look back at what it needs: interviews first (kept, sorted by id as
 * the keys come), then scripts (their hashes kept), then turns (keyed id +
 * seq, so one interview's turns arrive together and in order), then tokens,
 * and the account databases. What can only be judged once everything was
 * seen (a transcript's missing tail, a pinned script never met) is reported
 * after the scan. A scan callback cannot use the store, so everything it
 * compares against is held in memory: about 100 bytes per interview. */
#include "verify.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "record.h"
#include "token.h"

#define KEY_TEXT_MAX 256 /* room for any key as printed (long ones are cut) */
#define APIKEY_RECORD 'k' /* account.c's APIKEYS layout: 'k' + hash, 'l' + label */
#define APIKEY_LABEL 'l'

static const char *const DB_NAME[STORE_DB_COUNT] = {
	[STORE_DB_META] = "meta",         [STORE_DB_INTERVIEWS] = "interviews",
	[STORE_DB_TURNS] = "turns",       [STORE_DB_TOKENS] = "tokens",
	[STORE_DB_SCRIPTS] = "scripts",   [STORE_DB_USERS] = "users",
	[STORE_DB_SESSIONS] = "sessions", [STORE_DB_APIKEYS] = "apikeys",
	[STORE_DB_SIGNIN] = "signin_failures",
};

/* The order of the scan; see the banner. */
static const enum store_db ORDER[] = {
	STORE_DB_INTERVIEWS, STORE_DB_SCRIPTS,  STORE_DB_TURNS,   STORE_DB_TOKENS, STORE_DB_USERS,
	STORE_DB_SESSIONS,   STORE_DB_APIKEYS, STORE_DB_SIGNIN, STORE_DB_META,
};

struct iv_entry {
	char id[TOKEN_ID_LEN + 1];
	char hash[TOKEN_DIGEST_HEX + 1]; /* the pinned script; "" when unknown */
	char *script;                    /* its name, for the report */
	uint64_t next_seq;
	uint64_t expect; /* the seq the turn scan should meet next */
	bool bad;        /* the record did not decode: nothing to check its turns against */
};

struct check {
	verify_report_fn report;
	void *ctx;
	struct verify_counts *counts;
	struct iv_entry *ivs;
	size_t nivs, capivs;
	char (*scripts)[TOKEN_DIGEST_HEX + 1];
	size_t nscripts, capscripts;
	unsigned char (*keys)[TOKEN_HASH_LEN]; /* API key records met so far */
	size_t nkeys, capkeys;
	/* The turn scan: the interview whose turns are arriving, and a run of
	 * turns of no interview, reported as one problem. */
	char turn_id[TOKEN_ID_LEN + 1];
	struct iv_entry *turn_iv;
	uint64_t orphan_first, orphan_last;
	size_t norphans;
};

/* ======================================================================== */
/* Helpers                                                                  */
/* ======================================================================== */

static void problem(struct check *c, enum store_db db, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void problem(struct check *c, enum store_db db, const char *key, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	c->counts->problems++;
	if (c->report)
		c->report(c->ctx, DB_NAME[db], key, msg);
}

/* Room for one more element of size bytes in *v; NULL when out of memory. */
static void *grow(void *vp, size_t *cap, size_t n, size_t size)
{
	void **v = vp;
	if (n == *cap) {
		size_t ncap = *cap ? 2 * *cap : 64;
		void *p = realloc(*v, ncap * size);
		if (!p)
			return NULL;
		*v = p;
		*cap = ncap;
	}
	return (char *)*v + n * size;
}

/* key as printable text: itself when it is printable ASCII, else hex; out
 * has KEY_TEXT_MAX - 1 bytes at least. */
static void key_text(const void *key, size_t klen, char *out)
{
	const unsigned char *k = key;
	size_t printable = 0;
	while (printable < klen && k[printable] >= 0x20 && k[printable] < 0x7f)
		printable++;
	if (klen > 0 && printable == klen) {
		snprintf(out, KEY_TEXT_MAX - 1, "%.*s%s", (int)(klen > 200 ? 200 : klen), (const char *)k,
			 klen > 200 ? "…" : "");
		return;
	}
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;
	for (; n < klen && n < 100; n++) {
		out[2 * n] = hex[k[n] >> 4];
		out[2 * n + 1] = hex[k[n] & 15];
	}
	snprintf(out + 2 * n, KEY_TEXT_MAX - 1 - 2 * n, "%s", klen > n ? "…" : "");
}

/* Copies the first TOKEN_ID_LEN bytes of key into id; false unless they are
 * an interview id. */
static bool key_id(const void *key, size_t klen, char id[TOKEN_ID_LEN + 1])
{
	if (klen < TOKEN_ID_LEN)
		return false;
	memcpy(id, key, TOKEN_ID_LEN);
	id[TOKEN_ID_LEN] = '\0';
	return token_is_id(id) != 0;
}

static uint64_t be64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* bsearch: an id against an entry. */
static int cmp_id(const void *id, const void *entry)
{
	return strcmp(id, ((const struct iv_entry *)entry)->id);
}

static struct iv_entry *find_iv(const struct check *c, const char *id)
{
	return c->nivs ? bsearch(id, c->ivs, c->nivs, sizeof *c->ivs, cmp_id) : NULL;
}

static int cmp_hex(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int cmp_hash(const void *a, const void *b)
{
	return memcmp(a, b, TOKEN_HASH_LEN);
}

/* True when a record stored under the 32-byte key names hash_hex as its own. */
static bool hash_matches(const void *key, const char *hash_hex)
{
	char hex[TOKEN_HASH_HEX + 1];
	token_hash_to_hex(key, hex);
	return hash_hex && strcmp(hex, hash_hex) == 0;
}

static bool is_hex(const char *s, size_t len)
{
	if (strlen(s) != len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* ======================================================================== */
/* Interviews and scripts                                                   */
/* ======================================================================== */

static int check_interview(struct check *c, const char *kt, const void *key, size_t klen,
			   const void *val, size_t vlen)
{
	struct proto_interview iv;
	struct iv_entry *e;
	char id[TOKEN_ID_LEN + 1];

	c->counts->interviews++;
	if (klen != TOKEN_ID_LEN || !key_id(key, klen, id)) {
		problem(c, STORE_DB_INTERVIEWS, kt, "the key is not an interview id");
		return 0;
	}
	if (!(e = grow(&c->ivs, &c->capivs, c->nivs, sizeof *c->ivs)))
		return STORE_ENOMEM;
	memset(e, 0, sizeof *e);
	memcpy(e->id, id, sizeof e->id);
	e->expect = 1;
	int rc = proto_interview_decode(val, vlen, &iv);
	if (rc == PROTO_ENOMEM)
		return STORE_ENOMEM;
	c->nivs++; /* kept even when damaged: its turns and tokens are not orphans */
	if (rc) {
		e->bad = true;
		problem(c, STORE_DB_INTERVIEWS, kt, "the record does not decode");
		return 0;
	}
	if (!iv.id || strcmp(iv.id, id) != 0) {
		e->bad = true;
		problem(c, STORE_DB_INTERVIEWS, kt, "the record names another interview, %.64s",
			iv.id ? iv.id : "");
		goto out;
	}
	e->next_seq = iv.next_seq;
	if (iv.next_seq == 0) {
		problem(c, STORE_DB_INTERVIEWS, kt, "next_seq is 0 (seqs start at 1)");
		e->next_seq = 1;
	}
	if (iv.script_hash && is_hex(iv.script_hash, TOKEN_DIGEST_HEX))
		memcpy(e->hash, iv.script_hash, sizeof e->hash);
	else
		problem(c, STORE_DB_INTERVIEWS, kt, "its script_hash is not a sha256 in hex");
	if (!(e->script = strdup(iv.script ? iv.script : ""))) {
		rc = STORE_ENOMEM;
		goto out;
	}
out:
	proto_interview_free(&iv);
	return rc == STORE_ENOMEM ? rc : 0;
}

static int check_script(struct check *c, const char *kt, const void *key, size_t klen,
			const void *val, size_t vlen)
{
	char hex[TOKEN_DIGEST_HEX + 1], *slot;

	c->counts->scripts++;
	if (klen != TOKEN_DIGEST_HEX || !is_hex(kt, TOKEN_DIGEST_HEX)) {
		problem(c, STORE_DB_SCRIPTS, kt, "the key is not a sha256 in hex");
		return 0;
	}
	token_digest_hex(val, vlen, hex);
	if (memcmp(hex, key, TOKEN_DIGEST_HEX) != 0)
		problem(c, STORE_DB_SCRIPTS, kt,
			"the source's sha256 is %s: it changed after it was pinned", hex);
	if (!(slot = grow(&c->scripts, &c->capscripts, c->nscripts, sizeof *c->scripts)))
		return STORE_ENOMEM;
	memcpy(slot, kt, TOKEN_DIGEST_HEX + 1);
	c->nscripts++;
	return 0;
}

/* ======================================================================== */
/* Transcripts                                                              */
/* ======================================================================== */

static void report_missing(struct check *c, const struct iv_entry *iv, uint64_t first,
			   uint64_t last)
{
	char kt[KEY_TEXT_MAX];
	if (first == last)
		snprintf(kt, sizeof kt, "%s/%llu", iv->id, (unsigned long long)first);
	else
		snprintf(kt, sizeof kt, "%s/%llu-%llu", iv->id, (unsigned long long)first,
			 (unsigned long long)last);
	problem(c, STORE_DB_TURNS, kt,
		"missing from the transcript (the interview's next_seq is %llu: seqs 1 to %llu "
		"should all be there)",
		(unsigned long long)iv->next_seq, (unsigned long long)iv->next_seq - 1);
}

/* Reports the run of turns that belong to no interview, if any. */
static void flush_orphans(struct check *c)
{
	char kt[KEY_TEXT_MAX];
	if (c->norphans == 0)
		return;
	snprintf(kt, sizeof kt, "%s/%llu-%llu", c->turn_id, (unsigned long long)c->orphan_first,
		 (unsigned long long)c->orphan_last);
	problem(c, STORE_DB_TURNS, kt, "%zu turn%s of interview %s, which does not exist",
		c->norphans, c->norphans == 1 ? "" : "s", c->turn_id);
	c->norphans = 0;
}

static int check_turn(struct check *c, const char *kt, const void *key, size_t klen,
		      const void *val, size_t vlen)
{
	char id[TOKEN_ID_LEN + 1], name[KEY_TEXT_MAX];
	struct proto_turn t;

	c->counts->turns++;
	if (klen != TOKEN_ID_LEN + 8 || !key_id(key, klen, id)) {
		problem(c, STORE_DB_TURNS, kt, "the key is not an interview id and a seq");
		return 0;
	}
	uint64_t seq = be64((const unsigned char *)key + TOKEN_ID_LEN);
	snprintf(name, sizeof name, "%s/%llu", id, (unsigned long long)seq);
	if (strcmp(id, c->turn_id) != 0) {
		flush_orphans(c);
		memcpy(c->turn_id, id, sizeof c->turn_id);
		c->turn_iv = find_iv(c, id);
	}
	int rc = proto_turn_decode(val, vlen, &t);
	if (rc == PROTO_ENOMEM)
		return STORE_ENOMEM;
	if (rc)
		problem(c, STORE_DB_TURNS, name, "the record does not decode");
	else if (t.seq != seq)
		problem(c, STORE_DB_TURNS, name, "the record says it is seq %llu",
			(unsigned long long)t.seq);
	if (rc == 0)
		proto_turn_free(&t);

	struct iv_entry *iv = c->turn_iv;
	if (!iv) {
		if (c->norphans++ == 0)
			c->orphan_first = seq;
		c->orphan_last = seq;
		return 0;
	}
	if (iv->bad)
		return 0;
	if (seq == 0) {
		problem(c, STORE_DB_TURNS, name, "seq 0 is never used (seqs start at 1)");
		return 0;
	}
	/* Keys sort by seq, so a jump past expect is a gap. */
	if (seq > iv->expect && iv->expect < iv->next_seq)
		report_missing(c, iv, iv->expect, seq - 1 < iv->next_seq - 1 ? seq - 1 : iv->next_seq - 1);
	if (seq >= iv->next_seq)
		problem(c, STORE_DB_TURNS, name,
			"past the transcript's end (the interview's next_seq is %llu)",
			(unsigned long long)iv->next_seq);
	iv->expect = seq + 1;
	return 0;
}

/* ======================================================================== */
/* Tokens and accounts                                                      */
/* ======================================================================== */

static int check_token(struct check *c, const char *kt, const void *key, size_t klen,
		       const void *val, size_t vlen)
{
	struct proto_token t;

	c->counts->tokens++;
	if (klen != TOKEN_HASH_LEN) {
		problem(c, STORE_DB_TOKENS, kt, "the key is not a token hash");
		return 0;
	}
	int rc = proto_token_decode(val, vlen, &t);
	if (rc == PROTO_ENOMEM)
		return STORE_ENOMEM;
	if (rc) {
		problem(c, STORE_DB_TOKENS, kt, "the record does not decode");
		return 0;
	}
	if (!hash_matches(key, t.hash))
		problem(c, STORE_DB_TOKENS, kt, "stored under another hash than the one it names");
	if (!t.role || strcmp(t.role, "candidate") != 0)
		problem(c, STORE_DB_TOKENS, kt, "its role is '%.32s', not candidate", t.role ? t.role : "");
	if (!token_is_id(t.interview_id))
		problem(c, STORE_DB_TOKENS, kt, "it names no interview id");
	else if (!find_iv(c, t.interview_id))
		problem(c, STORE_DB_TOKENS, kt, "it opens interview %s, which does not exist",
			t.interview_id);
	proto_token_free(&t);
	return 0;
}

static int check_user(struct check *c, const char *kt, const void *key, size_t klen,
		      const void *val, size_t vlen)
{
	struct proto_user u;

	c->counts->users++;
	int rc = proto_user_decode(val, vlen, &u);
	if (rc == PROTO_ENOMEM)
		return STORE_ENOMEM;
	if (rc) {
		problem(c, STORE_DB_USERS, kt, "the record does not decode");
		return 0;
	}
	if (!u.name || strlen(u.name) != klen || memcmp(u.name, key, klen) != 0)
		problem(c, STORE_DB_USERS, kt, "the record names another user");
	proto_user_free(&u);
	return 0;
}

static int check_session(struct check *c, const char *kt, const void *key, size_t klen,
			 const void *val, size_t vlen)
{
	struct proto_session s;

	c->counts->sessions++;
	if (klen != TOKEN_HASH_LEN) {
		problem(c, STORE_DB_SESSIONS, kt, "the key is not a session hash");
		return 0;
	}
	int rc = proto_session_decode(val, vlen, &s);
	if (rc == PROTO_ENOMEM)
		return STORE_ENOMEM;
	if (rc) {
		problem(c, STORE_DB_SESSIONS, kt, "the record does not decode");
		return 0;
	}
	if (!hash_matches(key, s.hash))
		problem(c, STORE_DB_SESSIONS, kt, "stored under another hash than the one it names");
	proto_session_free(&s);
	return 0;
}

static int check_apikey(struct check *c, const void *key, size_t klen, const void *val,
			size_t vlen)
{
	const unsigned char *k = key;
	char kt[KEY_TEXT_MAX];

	if (klen == 1 + TOKEN_HASH_LEN && k[0] == APIKEY_RECORD) {
		struct proto_apikey a;
		unsigned char *slot;
		char hex[KEY_TEXT_MAX - 1];
		c->counts->apikeys++;
		key_text(k + 1, TOKEN_HASH_LEN, hex);
		snprintf(kt, sizeof kt, "k%s", hex);
		int rc = proto_apikey_decode(val, vlen, &a);
		if (rc == PROTO_ENOMEM)
			return STORE_ENOMEM;
		if (rc) {
			problem(c, STORE_DB_APIKEYS, kt, "the record does not decode");
			return 0;
		}
		if (!hash_matches(k + 1, a.hash))
			problem(c, STORE_DB_APIKEYS, kt,
				"stored under another hash than the one it names");
		proto_apikey_free(&a);
		if (!(slot = grow(&c->keys, &c->capkeys, c->nkeys, sizeof *c->keys)))
			return STORE_ENOMEM;
		memcpy(slot, k + 1, TOKEN_HASH_LEN);
		c->nkeys++;
		return 0;
	}
	key_text(key, klen, kt);
	if (klen > 1 && k[0] == APIKEY_LABEL) {
		/* 'k' sorts before 'l': every key record was met by now. */
		char hex[TOKEN_HASH_HEX + 1];
		unsigned char hash[TOKEN_HASH_LEN];
		snprintf(hex, sizeof hex, "%.*s", (int)(vlen < TOKEN_HASH_HEX ? vlen : TOKEN_HASH_HEX),
			 (const char *)val);
		if (vlen != TOKEN_HASH_HEX || token_hash_from_hex(hex, hash) != 0)
			problem(c, STORE_DB_APIKEYS, kt, "the label does not hold a key hash");
		else if (!c->nkeys || !bsearch(hash, c->keys, c->nkeys, sizeof *c->keys, cmp_hash))
			problem(c, STORE_DB_APIKEYS, kt, "the label names a key that does not exist");
		return 0;
	}
	problem(c, STORE_DB_APIKEYS, kt, "the key is neither a key record nor a label");
	return 0;
}

static int check_meta(struct check *c, const char *kt, const void *val, size_t vlen)
{
	char want[16], *url;
	snprintf(want, sizeof want, "%d", STORE_SCHEMA_VERSION);
	if (strcmp(kt, "schema_version") == 0 &&
	    (vlen != strlen(want) || memcmp(val, want, vlen) != 0))
		problem(c, STORE_DB_META, kt, "this build reads schema version %s", want);
	if (strcmp(kt, "public_url") == 0) {
		if (!(url = strndup(val, vlen)))
			return STORE_ENOMEM;
		if (strlen(url) != vlen || record_check_public_url(url, NULL, 0) != 0)
			problem(c, STORE_DB_META, kt, "the recorded public URL is not a URL");
		free(url);
	}
	return 0; /* other keys are some module's own business */
}

static int check_one(void *ctx, enum store_db db, const void *key, size_t klen, const void *val,
		     size_t vlen)
{
	struct check *c = ctx;
	char kt[KEY_TEXT_MAX];
	key_text(key, klen, kt);
	switch (db) {
	case STORE_DB_INTERVIEWS: return check_interview(c, kt, key, klen, val, vlen);
	case STORE_DB_SCRIPTS: return check_script(c, kt, key, klen, val, vlen);
	case STORE_DB_TURNS: return check_turn(c, kt, key, klen, val, vlen);
	case STORE_DB_TOKENS: return check_token(c, kt, key, klen, val, vlen);
	case STORE_DB_USERS: return check_user(c, kt, key, klen, val, vlen);
	case STORE_DB_SESSIONS: return check_session(c, kt, key, klen, val, vlen);
	case STORE_DB_APIKEYS: return check_apikey(c, key, klen, val, vlen);
	case STORE_DB_META: return check_meta(c, kt, val, vlen);
	case STORE_DB_SIGNIN: {
		struct proto_failures f;
		int rc = proto_failures_decode(val, vlen, &f);
		if (rc == PROTO_ENOMEM)
			return STORE_ENOMEM;
		if (rc)
			problem(c, db, kt, "the record does not decode");
		return 0;
	}
	case STORE_DB_COUNT: break;
	}
	return 0;
}

/* ======================================================================== */
/* The check                                                                */
/* ======================================================================== */

/* What only the whole picture shows: a transcript's missing tail, a pinned
 * script that was never met. */
static void check_after(struct check *c)
{
	flush_orphans(c);
	for (size_t i = 0; i < c->nivs; i++) {
		struct iv_entry *iv = &c->ivs[i];
		if (iv->bad)
			continue;
		if (iv->expect < iv->next_seq)
			report_missing(c, iv, iv->expect, iv->next_seq - 1);
		if (iv->hash[0] && (!c->nscripts || !bsearch(iv->hash, c->scripts, c->nscripts,
							       sizeof *c->scripts, cmp_hex)))
			problem(c, STORE_DB_INTERVIEWS, iv->id,
				"its pinned script %.64s (version %.12s) is missing",
				iv->script ? iv->script : "?", iv->hash);
	}
}

int verify_store(struct store *st, verify_report_fn report, void *ctx,
		 struct verify_counts *counts)
{
	struct check c = { .report = report, .ctx = ctx, .counts = counts };
	memset(counts, 0, sizeof *counts);

	int rc = store_scan_snapshot(st, ORDER, sizeof ORDER / sizeof ORDER[0], check_one, &c);
	if (rc == 0)
		check_after(&c);
	for (size_t i = 0; i < c.nivs; i++)
		free(c.ivs[i].script);
	free(c.ivs);
	free(c.scripts);
	free(c.keys);
	return rc;
}
