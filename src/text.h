/* text: UTF-8 checks for what crosses the wire.
 *
 * RFC 6455 makes a text frame with invalid UTF-8 fatal to the connection, so
 * nothing invalid may reach a transcript: inbound frames are checked, what a
 * script says is repaired, and text shortened for display or a bound is cut at
 * a character boundary. Answers are trimmed here too, U+00A0 included, since
 * a paste from a web page often brings one. */
#ifndef INTERVIEWD_TEXT_H
#define INTERVIEWD_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* True when s[0..len) is well-formed UTF-8: no overlong forms, no
 * surrogates, nothing above U+10FFFF. */
bool text_utf8_valid(const char *s, size_t len);

/* Returns a new NUL-terminated copy of s[0..len) in which every ill-formed
 * sequence and every NUL byte is replaced by U+FFFD; NULL when out of
 * memory. Free with free(). */
char *text_utf8_repair(const char *s, size_t len);

/* The length to keep of s[0..len) so it is at most max bytes without
 * splitting a UTF-8 sequence: len itself when len <= max (nothing is cut),
 * else the largest boundary <= max (0 when none is; never more than max).
 * Compare the result with len to tell whether anything was cut. */
size_t text_utf8_cut(const char *s, size_t len, size_t max);

/* s[0..len) without leading and trailing whitespace, as the span [*b, *e):
 * ASCII whitespace as Lua's %s has it (the C locale's) and, with nbsp true,
 * U+00A0 (bytes C2 A0) too. Linear in the whitespace dropped, whatever len. */
void text_trim(const char *s, size_t len, bool nbsp, size_t *b, size_t *e);

#endif
