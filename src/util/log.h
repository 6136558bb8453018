/* SPDX-License-Identifier: MIT */
/*
 * log.h - the daemon's log: one line per event on stderr, with a UTC
 * timestamp and a level, or to syslog with [log] syslog = on. The daemon
 * runs in the foreground under a supervisor (or a test harness), which
 * keeps stderr.
 */
#ifndef PG_LOG_H
#define PG_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum pg_log_level {
	PG_LOG_ERROR = 0,
	PG_LOG_WARN = 1,
	PG_LOG_INFO = 2,
	PG_LOG_DEBUG = 3,
	PG_LOG__COUNT
};

/* The config file's names of the levels (log.c). */
extern const char *const pg_log_level_names[PG_LOG__COUNT];

/*
 * Is stderr the systemd journal? True when JOURNAL_STREAM (set by systemd
 * for a service whose output goes to the journal) names the device and
 * inode stderr is open on. Lines then start with their syslog priority
 * ("<6>info: text") and carry no timestamp: the journal stamps and sorts
 * them itself, so `journalctl -p warning` filters by level. Call once at
 * start; pg_log_set_journal() sets it directly (tests).
 */
bool pg_log_detect_journal(void);
void pg_log_set_journal(bool on);
bool pg_log_journal(void);

/*
 * Send lines to syslog(3) (facility daemon, tagged ident) instead of
 * stderr, or back to stderr. The level maps to the syslog priority; the
 * timestamp is syslog's.
 */
void pg_log_set_syslog(bool on, const char *ident);

/* Messages above this level are discarded (default PG_LOG_INFO). */
void pg_log_set_level(enum pg_log_level level);
enum pg_log_level pg_log_get_level(void);

/* Name of a level ("info"), or NULL out of range. */
const char *pg_log_level_name(enum pg_log_level level);

/* Parse a level name; 0 on success, -EINVAL for an unknown name. */
int pg_log_level_parse(const char *name, enum pg_log_level *level);

/*
 * Write one line: "2026-01-01T00:00:00.000Z info: message", or to the
 * journal "<6>info: message".
 */
void pg_log(enum pg_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* An info line written whatever the level: output someone asked for (SIGUSR1). */
void pg_log_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * The debug tap, for the admin page's log: once enabled, every line logged
 * at level debug (only written at all while [log] level = debug) is also
 * kept, without timestamp or level, in a ring of 64 lines that any thread
 * fills. pg_log_tap_take() copies out the oldest line and drops it: true,
 * or false when there is none; *lost (may be NULL) is how many lines were
 * overwritten unread since the start. Enabling (or disabling) empties it.
 */
#define PG_LOG_TAP_LINE_MAX 200
void pg_log_tap_enable(bool on);
bool pg_log_tap_take(char *out, size_t size, uint64_t *lost);

#define pg_err(...) pg_log(PG_LOG_ERROR, __VA_ARGS__)
#define pg_warn(...) pg_log(PG_LOG_WARN, __VA_ARGS__)
#define pg_info(...) pg_log(PG_LOG_INFO, __VA_ARGS__)
#define pg_debug(...) pg_log(PG_LOG_DEBUG, __VA_ARGS__)

#endif /* PG_LOG_H */
