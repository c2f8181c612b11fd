/* log: timestamped lines on stderr. See log.h. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int min_level = 1;

void log_set_level(int level) { min_level = level; }

static void emit(int level, const char *name, const char *fmt, va_list ap)
{
	if (level < min_level)
		return;
	char line[4096];
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	int n = snprintf(line, sizeof line, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %-5s ",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			 tm.tm_sec, ts.tv_nsec / 1000000, name);
	vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
	/* One write per line so threads never interleave inside a line. */
	fprintf(stderr, "%s\n", line);
}

#define LOG_FN(fn, level, name)                   \
	void fn(const char *fmt, ...)             \
	{                                         \
		va_list ap;                       \
		va_start(ap, fmt);                \
		emit(level, name, fmt, ap);       \
		va_end(ap);                       \
	}

LOG_FN(log_debug, 0, "DEBUG")
LOG_FN(log_info, 1, "INFO")
LOG_FN(log_warn, 2, "WARN")
LOG_FN(log_error, 3, "ERROR")
