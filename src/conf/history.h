/* SPDX-License-Identifier: MIT */
/*
 * history.h - the last configurations that ran, kept in the state
 * directory (DIR/config.d/00000001.conf, ...): one file per configuration
 * that became the running one, newest with the highest number, at most
 * [api] config_history of them (history.c; docs/CONFIG.md "Safe changes").
 * Revision 0 is the newest (the running configuration), 1 the one before.
 */
#ifndef PG_HISTORY_H
#define PG_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PG_HISTORY_DEFAULT 10
#define PG_HISTORY_MAX 100
#define PG_HISTORY_SUBDIR "config.d"

struct pg_history {
	char dir[4096]; /* STATE/config.d; "" = not kept */
	unsigned int keep;
};

struct pg_history_entry {
	uint32_t seq;	/* the file's number */
	int64_t mtime;	/* when it became the running configuration (epoch seconds) */
	uint64_t size;
};

/* "00000042.conf" -> 42: eight digits and ".conf", nothing else. */
bool pg_history_name_seq(const char *name, uint32_t *seq);

/*
 * How many of n revisions (newest first) must go to keep at most keep;
 * they are the last ones of the list.
 */
unsigned int pg_history_excess(unsigned int n, unsigned int keep);

/*
 * Keep up to keep configurations under state_dir/config.d (made, mode
 * 0700: the files hold password hashes). keep 0 or state_dir NULL: none.
 * 0 or -errno.
 */
int pg_history_init(struct pg_history *h, const char *state_dir, unsigned int keep);

/* The revisions, newest first, up to max; returns how many. */
unsigned int pg_history_list(const struct pg_history *h, struct pg_history_entry *out,
			     unsigned int max);

/*
 * Record text as the newest revision (unless the newest already holds the
 * same text), then remove the revisions beyond keep. 0 or -errno.
 */
int pg_history_save(const struct pg_history *h, const char *text, size_t len);

/* Revision k's text (malloc'd, NUL-terminated). 0, -ENOENT or -errno. */
int pg_history_get(const struct pg_history *h, unsigned int k, char **text, size_t *len);

/* A whole file of at most max bytes (malloc'd, NUL-terminated). 0 or -errno (-EFBIG). */
int pg_history_read_file(const char *path, size_t max, char **text, size_t *len);

#endif /* PG_HISTORY_H */
