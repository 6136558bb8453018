/* SPDX-License-Identifier: MIT */
/*
 * config_history.h - the last configurations that ran, kept in the state
 * directory (DIR/config.d/00000001.conf, ...): one file per configuration
 * that became the running one, newest with the highest number, at most
 * [api] config_history of them (config_history.c; docs/CONFIG.md "Safe changes").
 * Revision 0 is the newest (the running configuration), 1 the one before.
 */
#ifndef PG_CFGHIST_H
#define PG_CFGHIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PG_CFGHIST_DEFAULT 10
#define PG_CFGHIST_MAX 100
#define PG_CFGHIST_SUBDIR "config.d"

struct pg_cfghist {
	char dir[4096]; /* STATE/config.d; "" = not kept */
	unsigned int keep;
};

struct pg_cfghist_entry {
	uint32_t seq;	/* the file's number */
	int64_t mtime;	/* when it became the running configuration (epoch seconds) */
	uint64_t size;
};

/* "00000042.conf" -> 42: eight digits and ".conf", nothing else. */
bool pg_cfghist_name_seq(const char *name, uint32_t *seq);

/*
 * How many of n revisions (newest first) must go to keep at most keep;
 * they are the last ones of the list.
 */
unsigned int pg_cfghist_excess(unsigned int n, unsigned int keep);

/*
 * Keep up to keep configurations under state_dir/config.d (made, mode
 * 0700: the files hold password hashes). keep 0 or state_dir NULL: none.
 * 0 or -errno.
 */
int pg_cfghist_init(struct pg_cfghist *h, const char *state_dir, unsigned int keep);

/* The revisions, newest first, up to max; returns how many. */
unsigned int pg_cfghist_list(const struct pg_cfghist *h, struct pg_cfghist_entry *out,
			     unsigned int max);

/*
 * Record text as the newest revision (unless the newest already holds the
 * same text), then remove the revisions beyond keep. 0 or -errno.
 */
int pg_cfghist_save(const struct pg_cfghist *h, const char *text, size_t len);

/* Revision k's text (malloc'd, NUL-terminated). 0, -ENOENT or -errno. */
int pg_cfghist_get(const struct pg_cfghist *h, unsigned int k, char **text, size_t *len);

/* A whole file of at most max bytes (malloc'd, NUL-terminated). 0 or -errno (-EFBIG). */
int pg_cfghist_read_file(const char *path, size_t max, char **text, size_t *len);

#endif /* PG_CFGHIST_H */
