/* hint: what a script's author probably meant.
 *
 * Lua's errors say what the parser or the runtime met, not what a person
 * used to another language meant. These turn a few of them into a
 * suggestion: a syntax error that comes from another language's habit
 * ("!=", "&&" and "||", "else if", "//" comments), and the defined name an
 * undefined global is closest to ("did you mean 'say'?"). */
#ifndef INTERVIEWD_HINT_H
#define INTERVIEWD_HINT_H

#include <stddef.h>

/* Longest name (bytes) "did you mean" considers, on either side. */
#define HINT_NAME_MAX 64

/* A hint for the syntax error msg that Lua gave for line (0: none named) of
 * src[0..len), without the "hint: " prefix: a static string, or NULL when
 * the error does not look like another language's slip. "//", Lua's floor
 * division, is only taken for a comment when it reads like one. */
const char *hint_for_syntax_error(const char *src, size_t len, const char *msg, int line);

/* The defined name closest to an undefined one, offered name by name: within
 * one edit (a swap counts one) for a name of up to 3 bytes, two otherwise. */
struct hint_nearest {
	const char *name; /* borrowed; must outlive the search */
	size_t len;
	int max_d, best_d;
	size_t best_len;
	char best[HINT_NAME_MAX + 1];
};

/* Starts a search for the name nearest to name[0..len). */
void hint_nearest_init(struct hint_nearest *h, const char *name, size_t len);

/* Considers the defined name k[0..klen), NUL-terminated; copies it when it
 * is the nearest so far (ties: the alphabetically first). Cheap for names
 * whose length alone rules them out. */
void hint_nearest_offer(struct hint_nearest *h, const char *k, size_t klen);

/* The nearest name offered (owned by h), or NULL when none was close. */
const char *hint_nearest_name(const struct hint_nearest *h);

#endif
