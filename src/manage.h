/* manage: the commands that act on interviews once they exist.
 *
 *   interviewd close ID                      end an unfinished interview
 *   interviewd link ID [--url BASE] [--json] a new candidate link; old ones stop working
 *   interviewd erase ID [--yes]              delete the interview, transcript and tokens
 *   interviewd export --script NAME [--format csv|jsonl] [--out FILE]
 *   interviewd stats --script NAME [--json]  started, finished, closed, drop-off
 *
 * Each also takes --data DIR and --help, and nothing else: an unknown option
 * is a usage error. A thin layer over record.h and export.h (which the HTTP
 * API calls too): parse, open the store, call, print. They work while a
 * server runs on the same data directory (LMDB is multi-process). Each
 * returns the process exit code: 0 done, 1 refused or failed (no such
 * interview, already closed, a write that failed), 2 bad usage. argv[0] is
 * the command name. token_init() must have been called. */
#ifndef INTERVIEWD_MANAGE_H
#define INTERVIEWD_MANAGE_H

int manage_cmd_close(int argc, char **argv);
int manage_cmd_link(int argc, char **argv);
int manage_cmd_erase(int argc, char **argv);
int manage_cmd_export(int argc, char **argv);
int manage_cmd_stats(int argc, char **argv);

#endif
