/* page: one page of interviews for the console. See page.h.
 *
 * Every interview record is read and filtered as it is read (record drops
 * what the filter refuses), then the matches are sorted newest first and cut
 * at the limit. The cursor is the creation time (16 hex digits) and id of the
 * last interview shown; the next page keeps what sorts after it. Names are
 * matched on case-folded code points, so "ADA" finds "Ada" and "ОЛЬГА" finds
 * "Ольга". */
#include "page.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "token.h"

/* --- case folding ------------------------------------------------------- */

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

/* --- filtering and order ------------------------------------------------ */

struct page_filter {
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

static bool page_match(void *ctx, const struct proto_interview *iv)
{
	const struct page_filter *pf = ctx;
	if (pf->status >= 0 && (int)iv->status != pf->status)
		return false;
	if (pf->script && strcmp(iv->script, pf->script) != 0)
		return false;
	if (pf->after && page_cmp(iv->created, iv->id, pf->after_created, pf->after_id) <= 0)
		return false;
	if (pf->nneedle == 0)
		return true;
	size_t nh = 0;
	uint32_t *hay = fold_text(iv->candidate ? iv->candidate : "", &nh);
	bool found = hay && folded_contains(hay, nh, pf->needle, pf->nneedle);
	free(hay);
	return found;
}

/* --- the cursor ----------------------------------------------------------- */

static void cursor_encode(const struct proto_interview *iv, char out[PAGE_CURSOR_LEN + 1])
{
	snprintf(out, PAGE_CURSOR_LEN + 1, "%016" PRIx64 "%.*s", (uint64_t)iv->created,
		 TOKEN_ID_LEN, iv->id);
}

/* Only what cursor_encode writes: lowercase hex, a creation time that is no
 * negative number, an id. */
static int cursor_decode(const char *s, struct page_filter *pf)
{
	uint64_t v = 0;
	if (strlen(s) != PAGE_CURSOR_LEN || !token_is_id(s + 16))
		return RECORD_ECURSOR;
	for (int i = 0; i < 16; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
		if (d < 0)
			return RECORD_ECURSOR;
		v = v << 4 | (uint64_t)d;
	}
	if (v > INT64_MAX)
		return RECORD_ECURSOR;
	pf->after_created = (int64_t)v;
	memcpy(pf->after_id, s + 16, TOKEN_ID_LEN + 1);
	pf->after = true;
	return 0;
}

/* --- a page ------------------------------------------------------------- */

int page_list_interviews(struct store *st, const struct page_query *query,
			 struct proto_interview **ivs, size_t *n,
			 char next_cursor[PAGE_CURSOR_LEN + 1])
{
	struct page_filter pf = { .status = -1 };
	struct proto_interview *v = NULL;
	size_t nv = 0;
	uint32_t *needle = NULL;
	size_t limit = query->limit ? query->limit : PAGE_DEFAULT;
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
		pf.status = (int)s;
	}
	if (limit > PAGE_MAX) {
		rc = RECORD_ELIMIT;
		goto out;
	}
	if (query->cursor && query->cursor[0] && (rc = cursor_decode(query->cursor, &pf)))
		goto out;
	if (query->script && query->script[0])
		pf.script = query->script;
	if (query->q && query->q[0]) {
		if (!(needle = fold_text(query->q, &pf.nneedle))) {
			rc = STORE_ENOMEM;
			goto out;
		}
		pf.needle = needle;
	}
	if ((rc = record_scan_interviews(st, page_match, &pf, &v, &nv)))
		goto out;
	if (nv > 1)
		qsort(v, nv, sizeof *v, page_order);
	if (nv > limit) {
		cursor_encode(&v[limit - 1], next_cursor);
		for (size_t i = limit; i < nv; i++)
			proto_interview_free(&v[i]);
		nv = limit;
	}
	*ivs = v;
	*n = nv;
	v = NULL;
	nv = 0;
out:
	record_interviews_free(v, nv);
	free(needle);
	return rc;
}
