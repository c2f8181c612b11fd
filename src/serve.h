/* serve: the server's command.
 *
 * Opens the store (one `serve` per data directory, held by a lock file),
 * starts the engine, the HTTP server and (with --retention-days) the
 * retention thread, records the address candidate links should point at,
 * then waits for SIGTERM or SIGINT and shuts down in order, logging the
 * totals. The other commands work beside a running server on the same data
 * directory. token_init() must have been called. */
#ifndef INTERVIEWD_SERVE_H
#define INTERVIEWD_SERVE_H

/* interviewd serve [--listen ADDR:PORT] [--data DIR] [--scripts DIR] [--www DIR]
 * [--max-connections N] [--public-url URL] [--retention-days N] [--no-sync]:
 * argv[0] is the command name, "--help" explains it. Returns the exit code:
 * 0 after a clean shutdown, 1 when the server could not start, 2 bad usage. */
int serve_cmd(int argc, char **argv);

#endif
