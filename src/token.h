/* token: secrets and digests, the only module that calls libsodium.
 *
 * Candidate tokens are 32 random bytes, base64url without padding (43
 * characters). Only their BLAKE2b-256 hash is ever stored; a check hashes the
 * presented token, looks the hash up and compares it in constant time. */
#ifndef INTERVIEWD_TOKEN_H
#define INTERVIEWD_TOKEN_H

#include <stddef.h>

#define TOKEN_LEN 43
#define TOKEN_HASH_LEN 32
#define TOKEN_ID_LEN 16     /* interview ids: 16 lowercase hex characters */
#define TOKEN_DIGEST_HEX 64 /* sha256 hex */

enum {
	TOKEN_OK = 0,
	TOKEN_EINIT = -100,    /* libsodium did not initialise */
	TOKEN_EINVALID = -101, /* not a token: wrong length or alphabet */
	TOKEN_EHASH = -102,    /* password hashing failed (out of memory) */
};

/* A short sentence for a TOKEN_E* code (a static string). */
const char *token_strerror(int rc);

/* Initialises libsodium. Call once before anything else here. */
int token_init(void);

/* Writes a new random token and its hash. */
void token_new(char out[TOKEN_LEN + 1], unsigned char hash[TOKEN_HASH_LEN]);

/* Hashes a presented token. Returns TOKEN_EINVALID when it cannot be a token
 * (wrong length or alphabet), without looking anything up. */
int token_hash(const char *token, unsigned char hash[TOKEN_HASH_LEN]);

/* Constant-time equality of two hashes: 1 equal, 0 not. */
int token_hash_equal(const unsigned char a[TOKEN_HASH_LEN], const unsigned char b[TOKEN_HASH_LEN]);

/* Constant-time equality of two secrets of any length (a configured one and
 * a presented one): both are hashed first, so neither the time nor the length
 * compared says how much of a guess was right. 1 equal, 0 not. */
int token_secret_equal(const char *a, size_t alen, const char *b, size_t blen);

/* Writes a new random interview id (TOKEN_ID_LEN hex chars + NUL). */
void token_new_id(char out[TOKEN_ID_LEN + 1]);

/* True when s looks like an interview id. */
int token_is_id(const char *s);

/* sha256 of data as lowercase hex (content address of a script). */
void token_digest_hex(const void *data, size_t len, char out[TOKEN_DIGEST_HEX + 1]);

/* A 64-bit seed derived from an interview id (for math.random). */
unsigned long long token_seed(const char *interview_id);

/* ---- passwords and account secrets (used by account.c) ---------------- */

#define TOKEN_PWHASH_MAX 128 /* room for a password hash string, NUL included */
#define TOKEN_HASH_HEX (2 * TOKEN_HASH_LEN)

/* Hashes a password with Argon2id (crypto_pwhash_str, interactive limits:
 * about 64 MiB and a tenth of a second) into out, a NUL-terminated string
 * that carries its own salt and parameters. Returns TOKEN_OK or TOKEN_EHASH. */
int token_password_hash(const char *pw, size_t len, char out[TOKEN_PWHASH_MAX]);

/* 1 when pw matches a string from token_password_hash, else 0 (also for a
 * malformed stored string). Costs the same work as hashing. */
int token_password_verify(const char *stored, const char *pw, size_t len);

/* Writes n random base64url characters and a NUL into out (n + 1 bytes):
 * 6 bits of entropy per character. */
void token_random_text(char *out, size_t n);

/* The BLAKE2b-256 hash of any text: how account secrets are stored. Callers
 * check a presented secret's shape before hashing it. */
void token_hash_text(const char *text, size_t len, unsigned char hash[TOKEN_HASH_LEN]);

/* A hash as lowercase hex, and back (TOKEN_EINVALID unless hex is exactly
 * TOKEN_HASH_HEX lowercase hex digits). */
void token_hash_to_hex(const unsigned char hash[TOKEN_HASH_LEN], char out[TOKEN_HASH_HEX + 1]);
int token_hash_from_hex(const char *hex, unsigned char hash[TOKEN_HASH_LEN]);

#endif
