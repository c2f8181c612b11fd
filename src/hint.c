/* hint: what a script's author probably meant. See hint.h.
 *
 * Plain C on the script's source text and names; script.c (the only module
 * that includes Lua) takes them out of the Lua state and puts the hint into
 * its error message. A syntax hint needs both the error Lua gives for a slip
 * and the slip itself on the line, so a real Lua mistake gets no misleading
 * hint. */
#include "hint.h"

#include <ctype.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>

/* ---- syntax slips from other languages ----------------------------------- */

/* The line starting at *p as [*b, *e), moving *p to the next one; false at
 * the end of src. Line breaks count as Lua counts them ("\n", "\r", "\r\n",
 * "\n\r"). */
static bool next_line(const char **p, const char *end, const char **b, const char **e)
{
	if (*p > end)
		return false;
	const char *q = *p;
	*b = q;
	while (q < end && *q != '\n' && *q != '\r')
		q++;
	*e = q;
	if (q == end) {
		*p = end + 1;
		return true;
	}
	char c = *q++;
	if (q < end && (*q == '\n' || *q == '\r') && *q != c)
		q++;
	*p = q;
	return true;
}

/* Line n (1-based) of src as [*b, *e); false when src has fewer lines. */
static bool line_span(const char *src, size_t len, int n, const char **b, const char **e)
{
	const char *p = src;
	for (int line = 1; next_line(&p, src + len, b, e); line++)
		if (line == n)
			return true;
	return false;
}

/* Where needle occurs in [b, e) as code: not after "--" and not inside a
 * quoted string (quotes counted from the line's start), or NULL. */
static const char *find_code(const char *b, const char *e, const char *needle)
{
	size_t n = strlen(needle);
	char quote = 0;
	for (const char *p = b; p + n <= e; p++) {
		if (quote) {
			if (*p == '\\' && p + 1 < e)
				p++;
			else if (*p == quote)
				quote = 0;
		} else if (*p == '"' || *p == '\'') {
			quote = *p;
		} else if (p[0] == '-' && p + 1 < e && p[1] == '-') {
			return NULL;
		} else if (memcmp(p, needle, n) == 0) {
			return p;
		}
	}
	return NULL;
}

static bool is_word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* A word of [p, e) starting at p: its end, or NULL. */
static const char *word_end(const char *p, const char *e)
{
	if (p >= e || !(isalpha((unsigned char)*p) || *p == '_'))
		return NULL;
	while (p < e && is_word_char(*p))
		p++;
	return p;
}

static bool is_keyword(const char *w, size_t n)
{
	static const char *const kw[] = { "and", "break", "do", "else", "elseif", "end", "false",
		"for", "function", "goto", "if", "in", "local", "nil", "not", "or", "repeat",
		"return", "then", "true", "until", "while", NULL };
	for (const char *const *k = kw; *k; k++)
		if (strlen(*k) == n && memcmp(*k, w, n) == 0)
			return true;
	return false;
}

/* A "//" on the line that reads as a comment rather than floor division:
 * first on its line, or followed by prose: two words that no expression has
 * side by side ("// the answer"), or a word, a colon and a space ("// TODO:
 * fix"). */
static bool has_slash_comment(const char *b, const char *e)
{
	const char *p = find_code(b, e, "//");
	if (!p)
		return false;
	const char *q = b;
	while (q < p && isspace((unsigned char)*q))
		q++;
	if (q == p)
		return true;
	for (q = p + 2; q < e && isspace((unsigned char)*q);)
		q++;
	const char *w1 = word_end(q, e);
	if (w1 && w1 + 1 < e && *w1 == ':' && isspace((unsigned char)w1[1]))
		return true; /* "// TODO: fix" */
	if (!w1 || w1 == e || !isspace((unsigned char)*w1))
		return false;
	for (q = w1; q < e && isspace((unsigned char)*q);)
		q++;
	const char *w2 = word_end(q, e);
	return w2 && !is_keyword(q, (size_t)(w2 - q));
}

/* "else if" as two words on one line, outside strings and comments. */
static bool has_else_if(const char *src, size_t len)
{
	const char *b, *e, *at = src;
	while (next_line(&at, src + len, &b, &e)) {
		for (const char *p = b; (p = find_code(p, e, "else")) != NULL; p += 4) {
			if ((p > b && is_word_char(p[-1])) || (p + 4 < e && is_word_char(p[4])))
				continue;
			const char *q = p + 4;
			while (q < e && (*q == ' ' || *q == '\t'))
				q++;
			if (q > p + 4 && q + 2 <= e && memcmp(q, "if", 2) == 0 &&
			    (q + 2 == e || !is_word_char(q[2])))
				return true;
		}
	}
	return false;
}

/* A hint for a syntax error that comes from writing another language's
 * syntax, or NULL. Each needs both the error Lua gives for the slip and the
 * slip itself on the line, so a real Lua mistake gets no misleading hint
 * (and "//", Lua's floor division, is only taken for a comment when it reads
 * like one). */
const char *hint_for_syntax_error(const char *src, size_t len, const char *msg, int line)
{
	const char *b = NULL, *e = NULL;
	bool on_line = line > 0 && line_span(src, len, line, &b, &e);
	if (on_line && strstr(msg, "near '!'") && find_code(b, e, "!="))
		return "use ~= for not-equal";
	if (on_line && (strstr(msg, "near '&'") || strstr(msg, "near '|'")) &&
	    (find_code(b, e, "&&") || find_code(b, e, "||")))
		return "use and / or";
	if (strstr(msg, "'end' expected") && has_else_if(src, len))
		return "use elseif (else if opens a new block that needs its own end)";
	/* A comment's words can make the error surface on the next line. */
	const char *pb, *pe;
	if ((on_line && has_slash_comment(b, e)) ||
	    (line > 1 && line_span(src, len, line - 1, &pb, &pe) && has_slash_comment(pb, pe)))
		return "comments start with --";
	return NULL;
}

/* ---- "did you mean" ------------------------------------------------------ */

/* Optimal string alignment distance (a swap counts 1), names of <= HINT_NAME_MAX. */
static int edit_distance(const char *a, size_t n, const char *b, size_t m)
{
	int d[HINT_NAME_MAX + 1][HINT_NAME_MAX + 1];
	for (size_t i = 0; i <= n; i++)
		d[i][0] = (int)i;
	for (size_t j = 0; j <= m; j++)
		d[0][j] = (int)j;
	for (size_t i = 1; i <= n; i++) {
		for (size_t j = 1; j <= m; j++) {
			int cost = a[i - 1] != b[j - 1];
			int v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[n][m];
}

void hint_nearest_init(struct hint_nearest *h, const char *name, size_t len)
{
	h->name = name;
	h->len = len;
	h->max_d = len <= 3 ? 1 : 2;
	h->best_d = INT_MAX;
	h->best_len = 0;
	h->best[0] = '\0';
}

/* Ties go to the alphabetically first, so the hint does not depend on the
 * order the names are offered in (a Lua table's hash order). */
void hint_nearest_offer(struct hint_nearest *h, const char *k, size_t klen)
{
	size_t len = h->len;
	if (len > HINT_NAME_MAX || klen > HINT_NAME_MAX ||
	    (klen > len ? klen - len : len - klen) > (size_t)h->max_d)
		return;
	int d = edit_distance(h->name, len, k, klen);
	if (d <= h->max_d && (d < h->best_d || (d == h->best_d && strcmp(k, h->best) < 0))) {
		h->best_d = d;
		h->best_len = klen;
		memcpy(h->best, k, klen + 1);
	}
}

const char *hint_nearest_name(const struct hint_nearest *h)
{
	return h->best_len ? h->best : NULL;
}
