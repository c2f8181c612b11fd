/* replay: an edited script checked against recorded interviews.
 *
 * replay runs an edited script against every recorded interview of it and
 * says, per interview, whether it is the same, different or failing, with
 * every turn and every result (scores, notes, tags, answers) that would come
 * out otherwise; nothing changes. Moving an interview to the edited script is
 * migrate (migrate.h). token_init() must have been called. */
#ifndef INTERVIEWD_REPLAY_H
#define INTERVIEWD_REPLAY_H

/* interviewd replay NAME [--script FILE] [--json] [--data DIR] [--scripts DIR].
 * argv[0] is the command name, "--help" explains it. Returns the exit code:
 * 0 every interview the same, 1 any different or failing (or the script does
 * not compile), 2 bad usage or a failure. */
int replay_cmd(int argc, char **argv);

#endif
