/* cli: what the interview commands (serve, new, demo, list, show) share.
 *
 * Options are parsed against the exact list a command takes: spelled out in
 * full (getopt_long would take any unambiguous abbreviation, which is how
 * --script passed for --scripts), as --name VALUE or --name=VALUE, with a
 * hint naming the option an unknown one nearly spells. Errors from the
 * modules the CLI calls become sentences, never numbers; hints print
 * commands that run as shown. Everything here prints to stdout or stderr
 * and nothing else. */
#ifndef INTERVIEWD_CLI_H
#define INTERVIEWD_CLI_H

#include <stddef.h>

#include "store.h"

/* --allowed-origin may be given this many times. */
#define CLI_ORIGINS_MAX 16

/* A command's options as parsed; defaults where not given. */
struct cli_opts {
	const char *data, *scripts, *www, *listen, *script, *candidate, *url, *public_url;
	const char *metrics_token; /* NULL: /metrics to loopback clients only */
	unsigned max_connections;
	unsigned retention_days; /* 0: keep interviews for ever */
	const char *allowed_origins[CLI_ORIGINS_MAX]; /* --allowed-origin, in order given */
	unsigned n_allowed_origins;
	int json, help, nosync, markdown;
	int scripts_given; /* --scripts was on the command line, not the default */
	int url_given;     /* --url was on the command line (o->url is NULL without it) */
	int argc;          /* positional arguments */
	char **argv;
};

enum cli_opt {
	CLI_OPT_DATA,
	CLI_OPT_SCRIPTS,
	CLI_OPT_WWW,
	CLI_OPT_LISTEN,
	CLI_OPT_SCRIPT,
	CLI_OPT_CANDIDATE,
	CLI_OPT_URL,
	CLI_OPT_PUBLIC_URL,
	CLI_OPT_MAXCONN,
	CLI_OPT_JSON,
	CLI_OPT_NOSYNC,
	CLI_OPT_MARKDOWN,
	CLI_OPT_RETENTION_DAYS,
	CLI_OPT_METRICS_TOKEN,
	CLI_OPT_ALLOWED_ORIGIN,
	CLI_OPT_COUNT
};

/* The options one command takes: CLI_OPTLIST(CLI_OPT_JSON, CLI_OPT_DATA). */
struct cli_optlist {
	const enum cli_opt *ids;
	size_t n;
};
#define CLI_OPTLIST(...)                                                                      \
	((struct cli_optlist){ (const enum cli_opt[]){ __VA_ARGS__ },                         \
			       sizeof((const enum cli_opt[]){ __VA_ARGS__ }) / sizeof(enum cli_opt) })

/* Parses argv (argv[0] is the command's name) against the options allowed
 * and answers --help or -h by printing help. Defaults: --data data,
 * --scripts scripts, --www www/dist, --listen 127.0.0.1:8080,
 * --max-connections 256. Positional arguments keep their order in o->argv
 * (argv is compacted in place; "--" ends the options). Returns -1 when the
 * command should go on, otherwise its exit code: 0 after help, 2 after a
 * usage error said on stderr. */
int cli_parse(int argc, char **argv, struct cli_opts *o, struct cli_optlist allowed,
	      const char *help);

/* The sentence for a code from any module the CLI calls (codes are distinct
 * across modules: the range says whose it is). A static string. */
const char *cli_error_sentence(int rc);

/* Appends word to out (of outlen bytes, NUL-terminated) as a shell reads it
 * back: as is when it is plain, else in single quotes; a space before it
 * unless out is empty. */
void cli_append_word(char *out, size_t outlen, const char *word);

/* A command to print in a hint, so that it runs as shown: cmd, then
 * --data DIR when the data directory is not the default one. */
void cli_with_data(char *out, size_t outlen, const char *cmd, const char *data);

/* Opens the store in dir (readers: LMDB reader slots, 0 for the default;
 * nosync: skip fsync). NULL after saying why on stderr. */
struct store *cli_open_store(const char *dir, unsigned readers, int nosync);

#endif
