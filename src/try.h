/* try: plays a script the way the server would run it.
 *
 * Same sandbox, limits and re-ask hints as the server. Without an answers
 * file it is interactive on the terminal; with one (one answer per line, the
 * first the candidate's opening message) it runs unattended and prints the
 * transcript and results, which is how a script gets regression tests.
 * token_init() must have been called. */
#ifndef INTERVIEWD_TRY_H
#define INTERVIEWD_TRY_H

/* interviewd try FILE [--answers FILE [--watch]] [--json] [--candidate NAME]
 * [--id ID]: argv[0] is the command name, "--help" explains it. Returns the
 * exit code: 0 played to the end, 1 the script failed, a limit refused a
 * turn or the answers ran out, 2 bad usage or a failure of the tool. */
int try_cmd(int argc, char **argv);

#endif
