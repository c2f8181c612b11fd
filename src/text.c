/* text: UTF-8 validation, repair, cutting and trimming. See text.h. */
#include "text.h"

#include <stdlib.h>
#include <string.h>

/* Length of the well-formed sequence at s (at most n bytes), or 0. Ranges
 * from the Unicode standard, table 3-7. */
static size_t seq_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	if (c < 0x80)
		return 1;
	size_t len;
	unsigned char lo = 0x80, hi = 0xBF;
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		if (c == 0xE0)
			lo = 0xA0; /* overlong */
		else if (c == 0xED)
			hi = 0x9F; /* surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		if (c == 0xF0)
			lo = 0x90; /* overlong */
		else if (c == 0xF4)
			hi = 0x8F; /* above U+10FFFF */
	} else {
		return 0;
	}
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return len;
}

bool text_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < len;) {
		size_t n = seq_len(p + i, len - i);
		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

char *text_utf8_repair(const char *s, size_t len)
{
	static const char replacement[] = "\xEF\xBF\xBD";
	const unsigned char *p = (const unsigned char *)s;
	/* Each bad byte becomes at most 3 bytes. */
	char *out = malloc(len * 3 + 1);
	if (!out)
		return NULL;
	size_t o = 0;
	for (size_t i = 0; i < len;) {
		size_t n = p[i] ? seq_len(p + i, len - i) : 0;
		if (n == 0) {
			memcpy(out + o, replacement, 3);
			o += 3;
			i++;
		} else {
			memcpy(out + o, p + i, n);
			o += n;
			i += n;
		}
	}
	out[o] = '\0';
	return out;
}

size_t text_utf8_cut(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	/* s[max] exists: step back over continuation bytes to a sequence start. */
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return max;
}

/* Lua's %s: the C locale's whitespace. */
static bool is_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

void text_trim(const char *s, size_t len, bool nbsp, size_t *b, size_t *e)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, j = len;
	while (i < j) {
		if (is_space(p[i]))
			i++;
		else if (nbsp && i + 1 < j && p[i] == 0xc2 && p[i + 1] == 0xa0)
			i += 2;
		else
			break;
	}
	while (j > i) {
		if (is_space(p[j - 1]))
			j--;
		else if (nbsp && j - i >= 2 && p[j - 1] == 0xa0 && p[j - 2] == 0xc2)
			j -= 2;
		else
			break;
	}
	*b = i;
	*e = j;
}
