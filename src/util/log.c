/* SPDX-License-Identifier: MIT */
/*
 * log.c - timestamped, levelled log lines on stderr, or syslog(3), or the
 * systemd journal (stderr with priority prefixes, no timestamp).
 *
 * Each line is formatted into one buffer and written with a single write()
 * so that lines from the daemon never interleave mid-line with a harness
 * that shares the terminal.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"
#include "util/names.h"

/* Set by the control thread (an API change), read by every thread: relaxed atomics. */
static enum pg_log_level cur_level = PG_LOG_INFO;
static bool use_syslog;
static bool use_journal;

bool pg_log_detect_journal(void)
{
	unsigned long long dev, ino;
	const char *e = getenv("JOURNAL_STREAM");
	struct stat st;

	/* "DEV:INODE" of the stream; only stderr on that very stream counts
	 * (a service may redirect stderr elsewhere and keep the variable). */
	use_journal = e && sscanf(e, "%llu:%llu", &dev, &ino) == 2 &&
		      !fstat(STDERR_FILENO, &st) && (unsigned long long)st.st_dev == dev &&
		      (unsigned long long)st.st_ino == ino;
	return use_journal;
}

void pg_log_set_journal(bool on)
{
	use_journal = on;
}

bool pg_log_journal(void)
{
	return use_journal;
}

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
	__atomic_store_n(&cur_level, level, __ATOMIC_RELAXED);
}

enum pg_log_level pg_log_get_level(void)
{
	return __atomic_load_n(&cur_level, __ATOMIC_RELAXED);
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

/*
 * The debug tap: debug lines kept for the admin page's log, written by any
 * thread and taken by the control thread. A mutex is enough: a line only
 * gets here at level debug, where each line already costs a write(2).
 */
#define TAP_LINES 64
static struct {
	pthread_mutex_t lock;
	bool on;
	unsigned int head, count; /* oldest line, lines held */
	uint64_t lost;		  /* overwritten before they were taken */
	char line[TAP_LINES][PG_LOG_TAP_LINE_MAX];
} tap = {.lock = PTHREAD_MUTEX_INITIALIZER};

void pg_log_tap_enable(bool on)
{
	pthread_mutex_lock(&tap.lock);
	__atomic_store_n(&tap.on, on, __ATOMIC_RELAXED);
	tap.head = tap.count = 0;
	pthread_mutex_unlock(&tap.lock);
}

/* A debug line's text, as vlog() formatted it, into the ring if the tap is on. */
static void tap_put(const char *text)
{
	if (!__atomic_load_n(&tap.on, __ATOMIC_RELAXED))
		return;
	pthread_mutex_lock(&tap.lock);
	if (tap.count == TAP_LINES) {
		/* Full: the newest lines matter most, drop the oldest. */
		tap.head = (tap.head + 1) % TAP_LINES;
		tap.count--;
		tap.lost++;
	}
	snprintf(tap.line[(tap.head + tap.count) % TAP_LINES], PG_LOG_TAP_LINE_MAX, "%s", text);
	tap.count++;
	pthread_mutex_unlock(&tap.lock);
}

bool pg_log_tap_take(char *out, size_t size, uint64_t *lost)
{
	bool got = false;

	pthread_mutex_lock(&tap.lock);
	if (tap.count) {
		snprintf(out, size, "%s", tap.line[tap.head]);
		tap.head = (tap.head + 1) % TAP_LINES;
		tap.count--;
		got = true;
	}
	if (lost)
		*lost = tap.lost;
	pthread_mutex_unlock(&tap.lock);
	return got;
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
		if (level == PG_LOG_DEBUG)
			tap_put(line + n);
		syslog(prio[(unsigned int)level < 4 ? level : PG_LOG_DEBUG], "%s", line);
		return;
	}
	if (use_journal) {
		/* sd-daemon(3) prefix: the journal's priority, its own timestamp. */
		r = snprintf(line, sizeof(line), "<%d>%s: ",
			     prio[(unsigned int)level < 4 ? level : PG_LOG_DEBUG],
			     pg_log_level_name(level) ? pg_log_level_name(level) : "?");
		n = 0;
	} else {
		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		n = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%S", &tm);
		r = snprintf(line + n, sizeof(line) - n, ".%03ldZ %s: ", ts.tv_nsec / 1000000,
			     pg_log_level_name(level) ? pg_log_level_name(level) : "?");
	}
	if (r > 0)
		n += (size_t)r;
	r = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	if (level == PG_LOG_DEBUG)
		tap_put(line + n); /* the text alone, formatted once for both */
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

	if (level > __atomic_load_n(&cur_level, __ATOMIC_RELAXED))
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
