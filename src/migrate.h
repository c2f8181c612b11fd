/* migrate: an unfinished interview moved to the current version of its script.
 *
 * migrate replays the interview's recorded candidate messages against the
 * current SCRIPTS/NAME.lua and moves the interview to it, recomputing its
 * results under the new script, when every message is still taken the same
 * way; otherwise it refuses, naming the turn, and changes nothing.
 * token_init() must have been called. */
#ifndef INTERVIEWD_MIGRATE_H
#define INTERVIEWD_MIGRATE_H

/* interviewd migrate ID [--dry-run] [--data DIR] [--scripts DIR]. argv[0] is
 * the command name, "--help" explains it. Returns the exit code:
 * 0 migrated (with --dry-run: would be; or already current), 1 refused,
 * 2 bad usage or a failure. */
int migrate_cmd(int argc, char **argv);

#endif
