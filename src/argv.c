/* argv: the option loop shared by the manage and maint commands (argv.h). */
#include "argv.h"

#include <stdio.h>
#include <string.h>

/* An allowed option that the typed one is a prefix of, or that is a prefix of
 * it (--scrip, --scripts): the one most likely meant. */
static const char *near_miss(const struct argv_spec *s, const char *a, size_t len)
{
	if (a[1] != '-' || len <= 3)
		return NULL;
	for (size_t o = 0; o < s->nopts; o++) {
		size_t nlen = strlen(s->opts[o].name);
		if ((s->allow & (1u << o)) &&
		    strncmp(a + 2, s->opts[o].name, nlen < len - 2 ? nlen : len - 2) == 0)
			return s->opts[o].name;
	}
	return NULL;
}

int argv_parse(int argc, char **argv, const struct argv_spec *s, const char **vals,
	       const char **args, int max_args, int *nargs)
{
	bool only_args = false;
	*nargs = 0;
	for (size_t o = 0; o < s->nopts; o++)
		vals[o] = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (only_args || a[0] != '-' || a[1] == '\0') {
			if (*nargs < max_args)
				args[*nargs] = a;
			(*nargs)++;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_args = true;
			continue;
		}
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(s->help, stdout);
			return 0;
		}
		const char *eq = strchr(a, '=');
		size_t len = eq ? (size_t)(eq - a) : strlen(a);
		size_t found = s->nopts;
		for (size_t o = 0; o < s->nopts && found == s->nopts; o++)
			if ((s->allow & (1u << o)) && a[1] == '-' &&
			    strlen(s->opts[o].name) == len - 2 &&
			    strncmp(a + 2, s->opts[o].name, len - 2) == 0)
				found = o;
		if (found == s->nopts) {
			const char *hint = near_miss(s, a, len);
			fprintf(stderr,
				"interviewd %s: unknown option %.*s%s%s%s; see interviewd %s --help\n",
				s->cmd, (int)len, a, hint ? " (did you mean --" : "", hint ? hint : "",
				hint ? "?)" : "", s->cmd);
			return 2;
		}
		if (s->opts[found].value) {
			const char *v = eq ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
			if (!v) {
				fprintf(stderr, "interviewd %s: option --%s needs a value\n", s->cmd,
					s->opts[found].name);
				return 2;
			}
			vals[found] = v;
		} else if (eq) {
			fprintf(stderr, "interviewd %s: option --%s takes no value\n", s->cmd,
				s->opts[found].name);
			return 2;
		} else {
			vals[found] = "";
		}
	}
	return -1;
}
