/* maint: the commands that keep a data directory safe over the years.
 *
 *   interviewd backup DEST [--data DIR]        a consistent, compacted copy
 *   interviewd verify [--data DIR]             do the records hold together?
 *   interviewd purge --ended-before DATE [--dry-run] [--data DIR]
 *                                              erase interviews that ended before DATE
 *
 * Each takes exactly the options shown and --help; anything else is a usage
 * error naming it. Each works while a server runs on the same data directory
 * (LMDB is multi-process), and none creates a data directory that is not
 * there. A thin layer: store_backup, verify_store and retention_purge do the
 * work; parsing and printing are here. Each returns the process exit code:
 * 0 done (verify: no problem found), 1 failed (verify: problems found), 2 bad
 * usage or a data directory that cannot be opened. argv[0] is the command
 * name. token_init() must have been called. */
#ifndef INTERVIEWD_MAINT_H
#define INTERVIEWD_MAINT_H

int maint_cmd_backup(int argc, char **argv);
int maint_cmd_verify(int argc, char **argv);
int maint_cmd_purge(int argc, char **argv);

#endif
