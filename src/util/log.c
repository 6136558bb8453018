/* SPDX-License-Identifier: MIT */
/*
 * log.c - timestamped, levelled log lines on stderr, or syslog(3).
 *
 * Each line is formatted into one buffer and written with a single write()
 * so that lines from the daemon never interleave mid-line with a harness
 * that shares the terminal.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"
#include "util/names.h"

static enum pg_log_level cur_level = PG_LOG_INFO;
static bool use_syslog;

void pg_log_set_syslog(bool on, const char *ident)
{
	if (on && !use_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	else if (!on && use_syslog)
		closelog();
	use_syslog = on;
}

const char *const pg_log_level_names[] = {
	[PG_LOG_ERROR] = "error",
	[PG_LOG_WARN] = "warn",
	[PG_LOG_INFO] = "info",
	[PG_LOG_DEBUG] = "debug",
};
_Static_assert(PG_ARRAY_SIZE(pg_log_level_names) == PG_LOG__COUNT, "a log level without a name");

void pg_log_set_level(enum pg_log_level level)
{
	cur_level = level;
}

enum pg_log_level pg_log_get_level(void)
{
	return cur_level;
}

const char *pg_log_level_name(enum pg_log_level level)
{
	return pg_name_of(pg_log_level_names, PG_LOG__COUNT, (unsigned int)level, NULL);
}

int pg_log_level_parse(const char *name, enum pg_log_level *level)
{
	int i = pg_name_index(pg_log_level_names, PG_LOG__COUNT, name);

	if (i < 0)
		return -EINVAL;
	*level = (enum pg_log_level)i;
	return 0;
}

static void vlog(enum pg_log_level level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static void vlog(enum pg_log_level level, const char *fmt, va_list ap)
{
	static const int prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};
	char line[1024];
	struct timespec ts;
	struct tm tm;
	size_t n;
	int r;

	if (use_syslog) {
		/* syslog stamps the time itself; the level stays in the text for grep. */
		r = snprintf(line, sizeof(line), "%s: ",
			     pg_log_level_name(level) ? pg_log_level_name(level) : "?");
		n = r > 0 ? (size_t)r : 0;
		vsnprintf(line + n, sizeof(line) - n, fmt, ap);
		syslog(prio[(unsigned int)level < 4 ? level : PG_LOG_DEBUG], "%s", line);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%S", &tm);
	r = snprintf(line + n, sizeof(line) - n, ".%03ldZ %s: ", ts.tv_nsec / 1000000,
		     pg_log_level_name(level) ? pg_log_level_name(level) : "?");
	if (r > 0)
		n += (size_t)r;
	r = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	if (r > 0)
		n += (size_t)r;
	/* A truncated line still ends with a newline. */
	if (n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, n) < 0) {
		/* Nowhere left to report a failing stderr. */
	}
}

void pg_log(enum pg_log_level level, const char *fmt, ...)
{
	va_list ap;

	if (level > cur_level)
		return;
	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

void pg_log_status(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(PG_LOG_INFO, fmt, ap);
	va_end(ap);
}
