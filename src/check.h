/* check: explores a script with generated answers and reports what breaks.
 *
 * Each script is compiled in the server's sandbox, then run with generated
 * answers (every option of each choose(), numbers at and beyond each
 * ask_number() bound, a short and a long text for ask()) under several
 * interview ids, since pick() and math.random draw from the id. Syntax and
 * runtime errors, the server's limits (time, memory, transcript and results
 * size) and interviews that never end are findings. token_init() must have
 * been called. */
#ifndef INTERVIEWD_CHECK_H
#define INTERVIEWD_CHECK_H

/* interviewd check FILE...: argv[0] is the command name, "--help" explains
 * it. Prints the findings to stdout; returns the exit code: 0 clean, 1 any
 * finding, 2 bad usage. */
int check_cmd(int argc, char **argv);

#endif
