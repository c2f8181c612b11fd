/* log: one line per event on stderr, for an operator to read.
 *
 * Every line is "2026-11-25T20:21:04.123Z LEVEL message". Thread-safe (one
 * fprintf per line). LOG_QUIET in the environment drops info lines. */
#ifndef INTERVIEWD_LOG_H
#define INTERVIEWD_LOG_H

#if defined(__GNUC__)
#define LOG_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define LOG_PRINTF(a, b)
#endif

/* Sets the minimum level printed: 0 debug, 1 info, 2 warn, 3 error. */
void log_set_level(int level);

void log_debug(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_info(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_warn(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_error(const char *fmt, ...) LOG_PRINTF(1, 2);

#endif
