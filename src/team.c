/* team: `interviewd user ...` and `interviewd apikey ...`. See team.h.
 *
 * A thin layer: parse the subcommand's options (each accepts exactly its own),
 * open the store, call account.h, print. Secrets shown once (a generated
 * password, a new key) go to stdout only, and every buffer that held one is
 * wiped before it is released. */
#include "team.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "account.h"
#include "proto.h"
#include "store.h"

/* ======================================================================== */
/* Options                                                                  */
/* ======================================================================== */

enum { O_DATA = 256, O_ROLE, O_PASSWORD_STDIN, O_JSON };

/* Which options a subcommand takes. */
#define ALLOW_ROLE (1u << 0)
#define ALLOW_PASSWORD_STDIN (1u << 1)
#define ALLOW_JSON (1u << 2)

struct team_opts {
	const char *data;
	enum account_role role;
	int password_stdin, json;
	int argc; /* positional arguments */
	char **argv;
};

/* One subcommand: its name, options, positional argument (NULL: none), help. */
struct sub {
	const char *name;
	unsigned allow;
	const char *arg;
	const char *help;
	int (*fn)(struct store *st, const struct team_opts *o, const char *prog);
};

/* Parses argv (argv[0] is the subcommand). Returns -1 to go on, else the exit
 * code: 0 after --help, 2 after a usage error (named on stderr). */
static int parse(int argc, char **argv, const char *prog, const struct sub *sub,
		 struct team_opts *o)
{
	static const struct option longopts[] = {
		{ "data", required_argument, NULL, O_DATA },
		{ "role", required_argument, NULL, O_ROLE },
		{ "password-stdin", no_argument, NULL, O_PASSWORD_STDIN },
		{ "json", no_argument, NULL, O_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, help = 0;

	memset(o, 0, sizeof *o);
	o->data = "data";
	o->role = ACCOUNT_ROLE_INTERVIEWER;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		unsigned need = c == O_ROLE ? ALLOW_ROLE : c == O_PASSWORD_STDIN ? ALLOW_PASSWORD_STDIN
			      : c == O_JSON ? ALLOW_JSON : 0;
		if (c == '?') {
			fprintf(stderr, "%s: unknown option %s (see %s --help)\n", prog,
				argv[optind - 1], prog);
			return 2;
		}
		if (c == ':') {
			fprintf(stderr, "%s: option %s needs a value (see %s --help)\n", prog,
				argv[optind - 1], prog);
			return 2;
		}
		if (need != 0 && !(sub->allow & need)) {
			const char *opt = "?";
			for (const struct option *p = longopts; p->name != NULL; p++)
				if (p->val == c)
					opt = p->name;
			fprintf(stderr, "%s: option --%s does not apply here (see %s --help)\n",
				prog, opt, prog);
			return 2;
		}
		switch (c) {
		case 'h': help = 1; break;
		case O_DATA: o->data = optarg; break;
		case O_PASSWORD_STDIN: o->password_stdin = 1; break;
		case O_JSON: o->json = 1; break;
		case O_ROLE:
			if (account_role_parse(optarg, &o->role) != ACCOUNT_OK) {
				fprintf(stderr, "%s: --role takes admin or interviewer, not '%s'\n",
					prog, optarg);
				return 2;
			}
			break;
		}
	}
	if (help) {
		fputs(sub->help, stdout);
		return 0;
	}
	o->argc = argc - optind;
	o->argv = argv + optind;
	int want = sub->arg != NULL ? 1 : 0;
	if (o->argc != want) {
		if (want)
			fprintf(stderr, "%s: give one %s (see %s --help)\n", prog, sub->arg, prog);
		else
			fprintf(stderr, "%s: unexpected argument '%s' (see %s --help)\n", prog,
				o->argv[0], prog);
		return 2;
	}
	return -1;
}

/* Finds the subcommand in argv[1] and runs it; the group's help otherwise. */
static int dispatch(int argc, char **argv, const struct sub *subs, size_t nsubs,
		    const char *group_help)
{
	char prog[64];
	struct team_opts o;
	struct store *st = NULL;
	char err[512];

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(group_help, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (size_t i = 0; i < nsubs; i++) {
		if (strcmp(argv[1], subs[i].name) != 0)
			continue;
		snprintf(prog, sizeof prog, "interviewd %s %s", argv[0], subs[i].name);
		int rc = parse(argc - 1, argv + 1, prog, &subs[i], &o);
		if (rc >= 0)
			return rc;
		/* Same as every other command: the server may be running. */
		if (store_open(&st, o.data, NULL, err, sizeof err) != STORE_OK) {
			fprintf(stderr, "interviewd: cannot open data directory %s: %s\n", o.data,
				err);
			return 1;
		}
		rc = subs[i].fn(st, &o, prog);
		store_close(st);
		return rc;
	}
	fprintf(stderr, "interviewd %s: unknown subcommand '%s'\n\n%s", argv[0], argv[1],
		group_help);
	return 2;
}

/* ======================================================================== */
/* Small helpers                                                            */
/* ======================================================================== */

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void fmt_time(int64_t ms, char *out, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, len, "%Y-%m-%d %H:%M UTC", &tm);
}

/* The exit code for an account error: a malformed input is bad usage. */
static int fail(const char *prog, const char *what, const char *name, int rc)
{
	fprintf(stderr, "%s: cannot %s '%s': %s\n", prog, what, name, account_strerror(rc));
	return rc == ACCOUNT_ENAME || rc == ACCOUNT_EPASSWORD || rc == ACCOUNT_EROLE ? 2 : 1;
}

/* Reads a password from stdin into buf (cap bytes, no NUL added): everything
 * up to EOF with one trailing newline dropped, or one line typed without echo
 * when stdin is a terminal. Returns its length; input longer than cap is cut
 * at cap, which is still too long for account_user_add to accept. */
static size_t read_password(char *buf, size_t cap)
{
	struct termios old, quiet;
	int tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
	size_t n = 0;

	if (tty) {
		fputs("Password (not shown): ", stderr);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	for (int ch; n < cap && (ch = getchar()) != EOF;) {
		if (tty && ch == '\n')
			break;
		buf[n++] = (char)ch;
	}
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (!tty && n > 0 && buf[n - 1] == '\n')
		n--;
	if (!tty && n > 0 && buf[n - 1] == '\r')
		n--;
	return n;
}

/* The password for add/passwd: from stdin, or a new strong one (then *shown
 * is set: it must be printed once). Returns its length. */
static size_t get_password(const struct team_opts *o, char *buf, size_t cap, int *shown)
{
	*shown = !o->password_stdin;
	if (o->password_stdin)
		return read_password(buf, cap);
	token_random_text(buf, ACCOUNT_PASSWORD_GEN);
	return ACCOUNT_PASSWORD_GEN;
}

static void print_json(char *j)
{
	printf("%s\n", j != NULL ? j : "null");
	free(j);
}

/* ======================================================================== */
/* user                                                                     */
/* ======================================================================== */

static const char USER_HELP[] =
	"usage: interviewd user add|list|remove|passwd ... [--data DIR]\n"
	"\n"
	"Manages the team's accounts (they sign in to the console and the HTTP API). Works while\n"
	"the server runs.\n"
	"  add NAME [--role admin|interviewer] [--password-stdin] [--json]\n"
	"                 create an account; prints a generated password once\n"
	"  list [--json]  name, role and creation time of every account\n"
	"  remove NAME    delete an account and end its sessions at once\n"
	"  passwd NAME [--password-stdin] [--json]\n"
	"                 set a new password and end the account's sessions\n"
	"Names are 1 to 64 characters of letters, digits and . _ @ -\n"
	"Run `interviewd user SUBCOMMAND --help` for details.\n"
	"\n"
	"Example:\n"
	"  interviewd user add grace --role admin\n";

static const char USER_ADD_HELP[] =
	"usage: interviewd user add NAME [--role admin|interviewer] [--password-stdin] [--json]\n"
	"                           [--data DIR]\n"
	"\n"
	"Creates an account. An interviewer creates and reads interviews; an admin also manages\n"
	"accounts and API keys and erases data.\n"
	"  --role ROLE        admin or interviewer (default interviewer)\n"
	"  --password-stdin   read the password from stdin (8 to 1024 bytes; one trailing newline\n"
	"                     is dropped) instead of generating one\n"
	"  --json             print {name, role, password}; password only when generated\n"
	"  --data DIR         LMDB directory (default data)\n"
	"Without --password-stdin a strong password is generated and printed once: only its\n"
	"Argon2id hash is stored.\n"
	"\n"
	"Examples:\n"
	"  interviewd user add grace --role admin\n"
	"  printf '%s' \"$PASSWORD\" | interviewd user add alan@example.org --password-stdin\n";

static const char USER_LIST_HELP[] =
	"usage: interviewd user list [--json] [--data DIR]\n"
	"\n"
	"Lists every account: name, role, when it was created. --json prints\n"
	"[{name, role, created}] (created in ms since the epoch).\n"
	"\n"
	"Example:\n"
	"  interviewd user list --json\n";

static const char USER_REMOVE_HELP[] =
	"usage: interviewd user remove NAME [--data DIR]\n"
	"\n"
	"Deletes the account. Its sessions end at once, also in a running server.\n"
	"\n"
	"Example:\n"
	"  interviewd user remove alan@example.org\n";

static const char USER_PASSWD_HELP[] =
	"usage: interviewd user passwd NAME [--password-stdin] [--json] [--data DIR]\n"
	"\n"
	"Sets a new password (generated and printed once, or read from stdin with\n"
	"--password-stdin) and ends every session of the account.\n"
	"\n"
	"Example:\n"
	"  interviewd user passwd grace\n";

static int user_add(struct store *st, const struct team_opts *o, const char *prog)
{
	char pw[ACCOUNT_PASSWORD_MAX + 3];
	const char *name = o->argv[0];
	int shown, rc;

	if (!account_name_valid(name)) /* before asking for a password */
		return fail(prog, "add user", name, ACCOUNT_ENAME);
	size_t len = get_password(o, pw, sizeof pw, &shown);
	rc = account_user_add(st, name, o->role, pw, len, now_ms());
	if (rc != ACCOUNT_OK) {
		rc = fail(prog, "add user", name, rc);
		goto out;
	}
	const char *role = account_role_name(o->role);
	if (o->json) {
		print_json(proto_cli_user_added(name, role, shown ? pw : NULL));
	} else {
		printf("added user %s (%s)\n", name, role);
		if (shown)
			printf("password  %s\n          (shown once: only its hash is stored; "
			       "change it with `interviewd user passwd %s`)\n",
			       pw, name);
	}
	fflush(stdout);
	rc = 0;
out:
	explicit_bzero(pw, sizeof pw);
	return rc;
}

static int user_list(struct store *st, const struct team_opts *o, const char *prog)
{
	struct proto_user *users = NULL;
	size_t n = 0;
	int rc = account_user_list(st, &users, &n);

	if (rc != ACCOUNT_OK) {
		fprintf(stderr, "%s: cannot list users: %s\n", prog, account_strerror(rc));
		return 1;
	}
	if (o->json) {
		print_json(proto_cli_users(users, n));
	} else if (n == 0) {
		printf("(no users yet: add one with `interviewd user add NAME --role admin`)\n");
	} else {
		printf("%-32s  %-11s  %s\n", "NAME", "ROLE", "CREATED");
		for (size_t i = 0; i < n; i++) {
			char when[32];
			fmt_time(users[i].created, when, sizeof when);
			printf("%-32s  %-11s  %s\n", users[i].name, users[i].role, when);
		}
	}
	account_users_free(users, n);
	return 0;
}

static int user_remove(struct store *st, const struct team_opts *o, const char *prog)
{
	const char *name = o->argv[0];
	int rc = account_user_remove(st, name);
	if (rc != ACCOUNT_OK)
		return fail(prog, "remove user", name, rc);
	printf("removed user %s; their sessions have ended\n", name);
	return 0;
}

static int user_passwd(struct store *st, const struct team_opts *o, const char *prog)
{
	char pw[ACCOUNT_PASSWORD_MAX + 3];
	const char *name = o->argv[0];
	int shown, rc;

	if (!account_name_valid(name))
		return fail(prog, "set the password of", name, ACCOUNT_ENAME);
	size_t len = get_password(o, pw, sizeof pw, &shown);
	rc = account_user_passwd(st, name, pw, len, now_ms());
	if (rc != ACCOUNT_OK) {
		rc = fail(prog, "set the password of", name, rc);
		goto out;
	}
	if (o->json) {
		print_json(proto_cli_user_added(name, NULL, shown ? pw : NULL)); /* no role */
	} else {
		printf("new password set for %s; their sessions have ended\n", name);
		if (shown)
			printf("password  %s\n          (shown once: only its hash is stored)\n", pw);
	}
	fflush(stdout);
	rc = 0;
out:
	explicit_bzero(pw, sizeof pw);
	return rc;
}

int team_first_admin(struct store *st, FILE *out)
{
	struct proto_user *users = NULL;
	size_t n = 0;
	int rc = account_user_list(st, &users, &n);
	account_users_free(users, n);
	if (rc != 0 || n > 0)
		return rc;
	char pw[ACCOUNT_PASSWORD_GEN + 1];
	token_random_text(pw, ACCOUNT_PASSWORD_GEN);
	rc = account_user_add(st, "admin", ACCOUNT_ROLE_ADMIN, pw, strlen(pw), now_ms());
	if (rc == 0)
		fprintf(out,
			"admin      first start: sign in to the console as admin, password %s\n"
			"           (shown once; `interviewd user passwd admin` sets a new one)\n",
			pw);
	else if (rc == ACCOUNT_EEXISTS) /* another process made it first */
		rc = 0;
	memset(pw, 0, sizeof pw);
	return rc;
}

int team_cmd_user(int argc, char **argv)
{
	static const struct sub subs[] = {
		{ "add", ALLOW_ROLE | ALLOW_PASSWORD_STDIN | ALLOW_JSON, "NAME", USER_ADD_HELP, user_add },
		{ "list", ALLOW_JSON, NULL, USER_LIST_HELP, user_list },
		{ "remove", 0, "NAME", USER_REMOVE_HELP, user_remove },
		{ "passwd", ALLOW_PASSWORD_STDIN | ALLOW_JSON, "NAME", USER_PASSWD_HELP, user_passwd },
	};
	return dispatch(argc, argv, subs, sizeof subs / sizeof subs[0], USER_HELP);
}

/* ======================================================================== */
/* apikey                                                                   */
/* ======================================================================== */

static const char APIKEY_HELP[] =
	"usage: interviewd apikey add|list|remove ... [--data DIR]\n"
	"\n"
	"Manages API keys for automation: a program sends its key as\n"
	"`Authorization: Bearer KEY` to the HTTP API. Works while the server runs.\n"
	"  add LABEL [--role admin|interviewer] [--json]\n"
	"                 create a key; prints it once\n"
	"  list [--json]  label, role and creation time of every key (never the key)\n"
	"  remove LABEL   delete a key: it stops working at once\n"
	"Labels are 1 to 64 characters of letters, digits and . _ @ -\n"
	"Run `interviewd apikey SUBCOMMAND --help` for details.\n"
	"\n"
	"Example:\n"
	"  interviewd apikey add ci-export\n";

static const char APIKEY_ADD_HELP[] =
	"usage: interviewd apikey add LABEL [--role admin|interviewer] [--json] [--data DIR]\n"
	"\n"
	"Creates an API key and prints it once (only its hash is stored; a lost key is removed\n"
	"and replaced, never recovered). Keys start with \"ivk_\".\n"
	"  --role ROLE   admin or interviewer (default interviewer)\n"
	"  --json        print {label, role, key}\n"
	"  --data DIR    LMDB directory (default data)\n"
	"\n"
	"Example:\n"
	"  interviewd apikey add nightly-export --role interviewer\n";

static const char APIKEY_LIST_HELP[] =
	"usage: interviewd apikey list [--json] [--data DIR]\n"
	"\n"
	"Lists every API key by label: label, role, when it was created (never the key).\n"
	"--json prints [{label, role, created}].\n"
	"\n"
	"Example:\n"
	"  interviewd apikey list\n";

static const char APIKEY_REMOVE_HELP[] =
	"usage: interviewd apikey remove LABEL [--data DIR]\n"
	"\n"
	"Deletes the API key: requests that send it are refused at once.\n"
	"\n"
	"Example:\n"
	"  interviewd apikey remove nightly-export\n";

static int apikey_add(struct store *st, const struct team_opts *o, const char *prog)
{
	char key[ACCOUNT_SECRET_LEN + 1];
	const char *label = o->argv[0];
	const char *role = account_role_name(o->role);
	int rc = account_apikey_add(st, label, o->role, now_ms(), key);

	if (rc != ACCOUNT_OK)
		return fail(prog, "add API key", label, rc);
	if (o->json) {
		print_json(proto_cli_apikey_added(label, role, key));
	} else {
		printf("added API key %s (%s)\n", label, role);
		printf("key       %s\n          (shown once: only its hash is stored)\n", key);
		printf("use it as the header  Authorization: Bearer %s\n", key);
	}
	fflush(stdout);
	explicit_bzero(key, sizeof key);
	return 0;
}

static int apikey_list(struct store *st, const struct team_opts *o, const char *prog)
{
	struct proto_apikey *keys = NULL;
	size_t n = 0;
	int rc = account_apikey_list(st, &keys, &n);

	if (rc != ACCOUNT_OK) {
		fprintf(stderr, "%s: cannot list API keys: %s\n", prog, account_strerror(rc));
		return 1;
	}
	if (o->json) {
		print_json(proto_cli_apikeys(keys, n));
	} else if (n == 0) {
		printf("(no API keys yet: add one with `interviewd apikey add LABEL`)\n");
	} else {
		printf("%-32s  %-11s  %s\n", "LABEL", "ROLE", "CREATED");
		for (size_t i = 0; i < n; i++) {
			char when[32];
			fmt_time(keys[i].created, when, sizeof when);
			printf("%-32s  %-11s  %s\n", keys[i].label, keys[i].role, when);
		}
	}
	account_apikeys_free(keys, n);
	return 0;
}

static int apikey_remove(struct store *st, const struct team_opts *o, const char *prog)
{
	const char *label = o->argv[0];
	int rc = account_apikey_remove(st, label);
	if (rc != ACCOUNT_OK)
		return fail(prog, "remove API key", label, rc);
	printf("removed API key %s: it no longer works\n", label);
	return 0;
}

int team_cmd_apikey(int argc, char **argv)
{
	static const struct sub subs[] = {
		{ "add", ALLOW_ROLE | ALLOW_JSON, "LABEL", APIKEY_ADD_HELP, apikey_add },
		{ "list", ALLOW_JSON, NULL, APIKEY_LIST_HELP, apikey_list },
		{ "remove", 0, "LABEL", APIKEY_REMOVE_HELP, apikey_remove },
	};
	return dispatch(argc, argv, subs, sizeof subs / sizeof subs[0], APIKEY_HELP);
}
