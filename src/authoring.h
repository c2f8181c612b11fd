/* authoring: the commands an interviewer uses to write, test and ship scripts.
 *
 * check explores a script with generated answers, under several interview ids
 * (pick() and math.random draw from the id), and reports what breaks; try
 * plays it in the terminal (or unattended from an answers file, which is how a
 * script gets regression tests); replay runs an edited script against every
 * recorded interview of it; migrate moves one unfinished interview to the
 * current version of its script when its recorded messages still replay the
 * same way. Each command parses its own argv (argv[0] is the command name,
 * "--help" explains it), prints to stdout/stderr and returns a process exit
 * code: 0 success / clean, 1 a finding or a refusal, 2 bad usage or a failure
 * of the tool itself. token_init() must have been called. */
#ifndef INTERVIEWD_AUTHORING_H
#define INTERVIEWD_AUTHORING_H

/* interviewd check FILE... */
int authoring_cmd_check(int argc, char **argv);
/* interviewd try FILE [--answers FILE] [--json] [--candidate NAME] [--id ID] */
int authoring_cmd_try(int argc, char **argv);
/* interviewd replay NAME [--script FILE] [--data DIR] [--scripts DIR] */
int authoring_cmd_replay(int argc, char **argv);
/* interviewd migrate ID [--data DIR] [--scripts DIR] */
int authoring_cmd_migrate(int argc, char **argv);

#endif
