/* team: the commands that manage who may use the server.
 *
 * `interviewd user add|list|remove|passwd` and `interviewd apikey
 * add|list|remove`, on top of account.h. Each command parses its own argv
 * (argv[0] is "user" or "apikey", argv[1] the subcommand; "--help" at either
 * level explains it), opens the store in --data DIR itself, prints to
 * stdout/stderr and returns a process exit code: 0 done, 1 refused (a name
 * taken or unknown) or failed, 2 bad usage (an unknown option, a malformed
 * name, role or password). They work while a server runs on the same data
 * directory. Generated passwords and keys are printed once and never logged.
 * token_init() must have been called. */
#ifndef INTERVIEWD_TEAM_H
#define INTERVIEWD_TEAM_H

#include <stdio.h>

/* interviewd user add NAME [--role admin|interviewer] [--password-stdin] [--json]
 * interviewd user list [--json]
 * interviewd user remove NAME
 * interviewd user passwd NAME [--password-stdin] [--json]
 * (each also takes --data DIR) */
int team_cmd_user(int argc, char **argv);

/* interviewd apikey add LABEL [--role admin|interviewer] [--json]
 * interviewd apikey list [--json]
 * interviewd apikey remove LABEL
 * (each also takes --data DIR) */
int team_cmd_apikey(int argc, char **argv);

struct store;
/* For `make run` (the demo command): when the store has no account at all,
 * creates "admin" (role admin) with a generated password and prints both to
 * out, once. Returns 0 (created or not needed) or an ACCOUNT_E* code. */
int team_first_admin(struct store *st, FILE *out);

#endif
