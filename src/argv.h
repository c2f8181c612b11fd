/* argv: the option loop of the commands that take a positional argument.
 *
 * manage (close, link, erase, export, stats) and maint (backup, verify, purge)
 * parse the same way: --NAME VALUE or --NAME=VALUE for an option that takes a
 * value, --NAME for a flag, "--" ends options, --help/-h prints the help, and
 * an option the command does not take is refused by name (with the option it
 * most likely meant). Each caller keeps its own table of options and checks
 * its positional arguments itself. */
#ifndef INTERVIEWD_ARGV_H
#define INTERVIEWD_ARGV_H

#include <stdbool.h>
#include <stddef.h>

struct argv_opt {
	const char *name; /* without the dashes */
	bool value;       /* takes a value */
};

struct argv_spec {
	const char *cmd;             /* as in "interviewd CMD: ..." */
	const struct argv_opt *opts; /* indexed by the caller's option enum */
	size_t nopts;
	unsigned allow; /* bit i: opts[i] is accepted by this command */
	const char *help;
};

/* Parses argv[1..argc-1]. vals[i] becomes NULL (not given), "" (a flag given)
 * or the value; args receives the first max_args positional arguments and
 * *nargs counts them all. Returns -1 to go on, else the exit code: 0 after
 * --help, 2 after a usage error (said on stderr). */
int argv_parse(int argc, char **argv, const struct argv_spec *s, const char **vals,
	       const char **args, int max_args, int *nargs);

#endif
