/* text: UTF-8 checks for what crosses the wire.
 *
 * RFC 6455 makes a text frame with invalid UTF-8 fatal to the connection, so
 * nothing invalid may reach a transcript: inbound frames are checked, and what
 * a script says is repaired. */
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

#endif
