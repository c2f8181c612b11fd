/* token: candidate tokens, interview ids and content digests on libsodium.
 *
 * The only file that includes sodium.h. Tokens are 32 random bytes shown as
 * base64url without padding; only a BLAKE2b-256 hash of the token text is
 * stored, so a leaked database does not leak working links. A presented token
 * is checked for shape before it is hashed, so garbage from the socket never
 * reaches a lookup. Account passwords are Argon2id strings; account secrets
 * (session cookies, API keys) are random text hashed like tokens. See token.h
 * for the contract. */
#include "token.h"

#include <string.h>

#include <sodium.h>

#define TOKEN_RAW_LEN 32 /* 32 bytes -> 43 base64url characters */
#define TOKEN_ID_RAW 8   /* 8 bytes -> 16 hex characters */

const char *token_strerror(int rc)
{
	switch (rc) {
	case TOKEN_OK: return "success";
	case TOKEN_EINIT: return "libsodium failed to initialise";
	case TOKEN_EINVALID: return "not a token (43 base64url characters)";
	case TOKEN_EHASH: return "password hashing failed (out of memory)";
	default: return "unknown token error";
	}
}

int token_init(void)
{
	return sodium_init() >= 0 ? TOKEN_OK : TOKEN_EINIT;
}

static void hash_text(const char *text, size_t len, unsigned char hash[TOKEN_HASH_LEN])
{
	crypto_generichash(hash, TOKEN_HASH_LEN, (const unsigned char *)text, len, NULL, 0);
}

void token_new(char out[TOKEN_LEN + 1], unsigned char hash[TOKEN_HASH_LEN])
{
	unsigned char raw[TOKEN_RAW_LEN];

	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(out, TOKEN_LEN + 1, raw, sizeof raw,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
	hash_text(out, TOKEN_LEN, hash);
}

static int is_base64url(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

int token_hash(const char *token, unsigned char hash[TOKEN_HASH_LEN])
{
	if (token == NULL)
		return TOKEN_EINVALID;
	/* Bounded scan: never walk further than a token can be long. */
	size_t len = strnlen(token, TOKEN_LEN + 1);
	if (len != TOKEN_LEN)
		return TOKEN_EINVALID;
	for (size_t i = 0; i < len; i++)
		if (!is_base64url(token[i]))
			return TOKEN_EINVALID;
	hash_text(token, len, hash);
	return TOKEN_OK;
}

int token_hash_equal(const unsigned char a[TOKEN_HASH_LEN], const unsigned char b[TOKEN_HASH_LEN])
{
	return sodium_memcmp(a, b, TOKEN_HASH_LEN) == 0;
}

int token_secret_equal(const char *a, size_t alen, const char *b, size_t blen)
{
	unsigned char ha[TOKEN_HASH_LEN], hb[TOKEN_HASH_LEN];
	crypto_generichash(ha, sizeof ha, (const unsigned char *)a, alen, NULL, 0);
	crypto_generichash(hb, sizeof hb, (const unsigned char *)b, blen, NULL, 0);
	return sodium_memcmp(ha, hb, sizeof ha) == 0;
}

void token_new_id(char out[TOKEN_ID_LEN + 1])
{
	unsigned char raw[TOKEN_ID_RAW];

	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(out, TOKEN_ID_LEN + 1, raw, sizeof raw);
}

int token_is_id(const char *s)
{
	if (s == NULL || strnlen(s, TOKEN_ID_LEN + 1) != TOKEN_ID_LEN)
		return 0;
	for (size_t i = 0; i < TOKEN_ID_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

void token_digest_hex(const void *data, size_t len, char out[TOKEN_DIGEST_HEX + 1])
{
	unsigned char d[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(d, data, len);
	sodium_bin2hex(out, TOKEN_DIGEST_HEX + 1, d, sizeof d);
}

unsigned long long token_seed(const char *interview_id)
{
	unsigned char h[crypto_generichash_BYTES];
	unsigned long long seed = 0;

	if (interview_id == NULL)
		interview_id = "";
	crypto_generichash(h, sizeof h, (const unsigned char *)interview_id,
			   strlen(interview_id), NULL, 0);
	/* Big-endian so the seed is the same on every host. */
	for (int i = 0; i < 8; i++)
		seed = (seed << 8) | h[i];
	return seed;
}

/* --- passwords and account secrets ---------------------------------------- */

int token_password_hash(const char *pw, size_t len, char out[TOKEN_PWHASH_MAX])
{
	_Static_assert(TOKEN_PWHASH_MAX >= crypto_pwhash_STRBYTES, "room for a pwhash string");
	if (crypto_pwhash_str(out, pw, len, crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return TOKEN_EHASH;
	return TOKEN_OK;
}

int token_password_verify(const char *stored, const char *pw, size_t len)
{
	if (stored == NULL || strnlen(stored, TOKEN_PWHASH_MAX) >= TOKEN_PWHASH_MAX)
		return 0;
	return crypto_pwhash_str_verify(stored, pw, len) == 0;
}

void token_random_text(char *out, size_t n)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

	/* randombytes_uniform has no modulo bias. */
	for (size_t i = 0; i < n; i++)
		out[i] = alphabet[randombytes_uniform(64)];
	out[n] = '\0';
}

void token_hash_text(const char *text, size_t len, unsigned char hash[TOKEN_HASH_LEN])
{
	hash_text(text, len, hash);
}

void token_hash_to_hex(const unsigned char hash[TOKEN_HASH_LEN], char out[TOKEN_HASH_HEX + 1])
{
	sodium_bin2hex(out, TOKEN_HASH_HEX + 1, hash, TOKEN_HASH_LEN);
}

int token_hash_from_hex(const char *hex, unsigned char hash[TOKEN_HASH_LEN])
{
	if (hex == NULL || strnlen(hex, TOKEN_HASH_HEX + 1) != TOKEN_HASH_HEX)
		return TOKEN_EINVALID;
	for (size_t i = 0; i < TOKEN_HASH_HEX; i++)
		if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f')))
			return TOKEN_EINVALID;
	size_t got = 0;
	if (sodium_hex2bin(hash, TOKEN_HASH_LEN, hex, TOKEN_HASH_HEX, NULL, &got, NULL) != 0 ||
	    got != TOKEN_HASH_LEN)
		return TOKEN_EINVALID;
	return TOKEN_OK;
}
