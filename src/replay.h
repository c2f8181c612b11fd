/* replay, migrate: an edited script checked against recorded interviews.
 *
 * replay runs an edited script against every recorded interview of it and
 * says, per interview, whether it is the same, different or failing, with
 * every turn and every result (scores, notes, tags, answers) that would come
 * out otherwise; nothing changes. migrate moves one unfinished interview to
 * the current version of its script when its recorded messages still replay
 * the same way, recomputing its results under the new script, and refuses,
 * naming the turn, otherwise. token_init() must have been called. */
#ifndef INTERVIEWD_REPLAY_H
#define INTERVIEWD_REPLAY_H

/* interviewd replay NAME [--script FILE] [--json] [--data DIR] [--scripts DIR].
 * argv[0] is the command name, "--help" explains it. Returns the exit code:
 * 0 every interview the same, 1 any different or failing (or the script does
 * not compile), 2 bad usage or a failure. */
int replay_cmd(int argc, char **argv);

/* interviewd migrate ID [--dry-run] [--data DIR] [--scripts DIR]. Returns the
 * exit code: 0 migrated (with --dry-run: would be; or already current),
 * 1 refused, 2 bad usage or a failure. */
int replay_migrate_cmd(int argc, char **argv);

#endif
