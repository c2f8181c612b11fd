/* cli: option parsing, error sentences and hints for the interview commands.
 * See cli.h.
 *
 * OPTION names every option once, with whether it takes a value; a command
 * passes the subset it takes. An unknown option is refused by name with the
 * allowed one it abbreviates or nearly spells, so a typo never runs a
 * command with a default the user did not mean. */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "retention.h"
#include "scriptdir.h"
#include "token.h"

static const struct {
	const char *name;
	int value; /* takes a value: --name VALUE or --name=VALUE */
} OPTION[CLI_OPT_COUNT] = {
	[CLI_OPT_DATA] = { "data", 1 },
	[CLI_OPT_SCRIPTS] = { "scripts", 1 },
	[CLI_OPT_WWW] = { "www", 1 },
	[CLI_OPT_LISTEN] = { "listen", 1 },
	[CLI_OPT_SCRIPT] = { "script", 1 },
	[CLI_OPT_CANDIDATE] = { "candidate", 1 },
	[CLI_OPT_URL] = { "url", 1 },
	[CLI_OPT_PUBLIC_URL] = { "public-url", 1 },
	[CLI_OPT_MAXCONN] = { "max-connections", 1 },
	[CLI_OPT_JSON] = { "json", 0 },
	[CLI_OPT_NOSYNC] = { "no-sync", 0 },
	[CLI_OPT_MARKDOWN] = { "markdown", 0 },
	[CLI_OPT_RETENTION_DAYS] = { "retention-days", 1 },
	[CLI_OPT_METRICS_TOKEN] = { "metrics-token", 1 },
	[CLI_OPT_ALLOWED_ORIGIN] = { "allowed-origin", 1 },
};

static int set_option(struct cli_opts *o, enum cli_opt id, const char *val, const char *cmd)
{
	switch (id) {
	case CLI_OPT_DATA: o->data = val; break;
	case CLI_OPT_SCRIPTS: o->scripts = val; o->scripts_given = 1; break;
	case CLI_OPT_WWW: o->www = val; break;
	case CLI_OPT_LISTEN: o->listen = val; break;
	case CLI_OPT_SCRIPT: o->script = val; break;
	case CLI_OPT_CANDIDATE: o->candidate = val; break;
	case CLI_OPT_URL: o->url = val; o->url_given = 1; break;
	case CLI_OPT_PUBLIC_URL: o->public_url = val; break;
	case CLI_OPT_JSON: o->json = 1; break;
	case CLI_OPT_NOSYNC: o->nosync = 1; break;
	case CLI_OPT_MARKDOWN: o->markdown = 1; break;
	case CLI_OPT_MAXCONN: {
		char *end;
		errno = 0;
		unsigned long v = strtoul(val, &end, 10);
		if (!*val || *end || errno || v < 1 || v > 10000) {
			fprintf(stderr, "interviewd %s: --max-connections takes a number from 1 to 10000\n",
				cmd);
			return 2;
		}
		o->max_connections = (unsigned)v;
		break;
	}
	case CLI_OPT_RETENTION_DAYS:
		if (retention_parse_days(val, &o->retention_days) == 0)
			break;
		fprintf(stderr, "interviewd %s: --retention-days takes a number of days from 1 to %d\n",
			cmd, RETENTION_DAYS_MAX);
		return 2;
	case CLI_OPT_METRICS_TOKEN: {
		/* It travels as "Authorization: Bearer TOKEN": one header word. */
		size_t n = strlen(val), i = 0;
		while (i < n && val[i] > ' ' && val[i] < 127)
			i++;
		if (n < 16 || n > 256 || i < n) {
			fprintf(stderr, "interviewd %s: --metrics-token takes 16 to 256 printable "
					"characters without spaces\n", cmd);
			return 2;
		}
		o->metrics_token = val;
		break;
	}
	case CLI_OPT_ALLOWED_ORIGIN:
		if (o->n_allowed_origins < CLI_ORIGINS_MAX) {
			o->allowed_origins[o->n_allowed_origins++] = val;
			break;
		}
		fprintf(stderr, "interviewd %s: --allowed-origin may be given at most %d times\n", cmd,
			CLI_ORIGINS_MAX);
		return 2;
	case CLI_OPT_COUNT: break;
	}
	return 0;
}

/* Refuses arg (an unknown option) by name, suggesting the allowed option it
 * abbreviates or nearly spells, if any. Returns the exit code 2. */
static int unknown_option(const char *cmd, const char *arg, size_t len,
			  struct cli_optlist allowed)
{
	const char *hint = NULL;
	if (arg[0] == '-' && arg[1] == '-' && len > 3)
		for (size_t i = 0; i < allowed.n && !hint; i++) {
			const char *name = OPTION[allowed.ids[i]].name;
			size_t nlen = strlen(name);
			size_t shorter = nlen < len - 2 ? nlen : len - 2;
			if (strncmp(name, arg + 2, shorter) == 0)
				hint = name;
		}
	fprintf(stderr, "interviewd %s: unknown option %.*s", cmd, (int)len, arg);
	if (hint)
		fprintf(stderr, " (did you mean --%s?)", hint);
	fprintf(stderr, "; see interviewd %s --help\n", cmd);
	return 2;
}

int cli_parse(int argc, char **argv, struct cli_opts *o, struct cli_optlist allowed,
	      const char *help)
{
	const char *cmd = argv[0];
	memset(o, 0, sizeof *o);
	o->data = "data";
	o->scripts = "scripts";
	o->www = "www/dist";
	o->listen = "127.0.0.1:8080";
	o->max_connections = 256;
	int npos = 0, only_positional = 0;
	for (int i = 1; i < argc; i++) {
		char *a = argv[i];
		if (only_positional || a[0] != '-' || a[1] == '\0') {
			argv[1 + npos++] = a; /* never ahead of i: compacting in place is safe */
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_positional = 1;
			continue;
		}
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			o->help = 1;
			continue;
		}
		const char *eq = strchr(a, '=');
		size_t len = eq ? (size_t)(eq - a) : strlen(a);
		const enum cli_opt *found = NULL;
		for (size_t k = 0; k < allowed.n && !found; k++) {
			const char *name = OPTION[allowed.ids[k]].name;
			size_t nlen = strlen(name);
			if (a[1] == '-' && nlen == len - 2 && strncmp(a + 2, name, nlen) == 0)
				found = &allowed.ids[k];
		}
		if (!found)
			return unknown_option(cmd, a, len, allowed);
		const char *name = OPTION[*found].name, *val = NULL;
		if (OPTION[*found].value) {
			val = eq ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
			if (!val) {
				fprintf(stderr, "interviewd %s: option --%s needs a value\n", cmd, name);
				return 2;
			}
		} else if (eq) {
			fprintf(stderr, "interviewd %s: option --%s takes no value\n", cmd, name);
			return 2;
		}
		if (set_option(o, *found, val, cmd) != 0)
			return 2;
	}
	o->argc = npos;
	o->argv = argv + 1;
	if (o->help) {
		fputs(help, stdout);
		return 0;
	}
	return -1;
}

const char *cli_error_sentence(int rc)
{
	if (rc <= -700 && rc > -800)
		return scriptdir_strerror(rc);
	if (rc <= -500 && rc > -600)
		return record_strerror(rc);
	if (rc <= -200 && rc > -300)
		return store_strerror(rc);
	if (rc <= -100 && rc > -200)
		return token_strerror(rc);
	return "unexpected error";
}

void cli_append_word(char *out, size_t outlen, const char *word)
{
	size_t n = strlen(out);
	int plain = *word != '\0';
	for (const char *c = word; *c; c++)
		plain &= (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			 (*c >= '0' && *c <= '9') || strchr("-_./:=@%+,", *c) != NULL;
	if (plain) {
		snprintf(out + n, outlen - n, "%s%s", n ? " " : "", word);
		return;
	}
	snprintf(out + n, outlen - n, "%s'", n ? " " : "");
	for (const char *c = word; *c; c++) {
		n = strlen(out);
		snprintf(out + n, outlen - n, *c == '\'' ? "'\\''" : "%c", *c);
	}
	n = strlen(out);
	snprintf(out + n, outlen - n, "'");
}

void cli_with_data(char *out, size_t outlen, const char *cmd, const char *data)
{
	snprintf(out, outlen, "%s", cmd);
	if (strcmp(data, "data") != 0) {
		cli_append_word(out, outlen, "--data");
		cli_append_word(out, outlen, data);
	}
}

struct store *cli_open_store(const char *dir, unsigned readers, int nosync)
{
	struct store_options so = { .nosync = nosync != 0, .max_readers = readers };
	struct store *st = NULL;
	char err[512];
	if (store_open(&st, dir, &so, err, sizeof err) != 0) {
		fprintf(stderr, "interviewd: cannot open data directory %s: %s\n", dir, err);
		return NULL;
	}
	return st;
}
