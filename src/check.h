/* check: explores a script with generated answers and reports what breaks.
 *
 * Each script is compiled in the server's sandbox, then run with generated
 * answers (every option of each choose(), numbers at and beyond each
 * ask_number() bound, each question's examples = { ... }, and a short text,
 * a long one and one at the message size limit for ask()) under several
 * interview ids, since pick() and math.random draw from the id. A recorded
 * conversation (check --answers FILE) is played first and explored from
 * every question along it. Syntax and runtime errors, the server's limits
 * (time, memory, message, transcript and results size), examples their
 * question refuses and interviews that never end are findings, each printed
 * with a try command that replays it. token_init() must have been called. */
#ifndef INTERVIEWD_CHECK_H
#define INTERVIEWD_CHECK_H

/* interviewd check FILE... [--answers FILE]: argv[0] is the command name,
 * "--help" explains it. Prints the findings to stdout; returns the exit
 * code: 0 clean, 1 any finding, 2 bad usage or an unusable answers file. */
int check_cmd(int argc, char **argv);

#endif
