/* SPDX-License-Identifier: MIT */
/*
 * reload.h - what a reload of the configuration file may change while the
 * daemon runs, and what it changed (reload.c; rules in docs/CONFIG.md
 * "Reload").
 */
#ifndef PG_RELOAD_H
#define PG_RELOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "conf/config.h"

#define PG_RELOAD_NAMES_MAX 32	/* changed settings named one by one */
#define PG_RELOAD_NAME_SIZE 80	/* "[section] key" */
#define PG_RELOAD_LINES_MAX 4096 /* longer files: changes counted, not named */

/* The settings whose text differs between two configurations. */
struct pg_reload_diff {
	unsigned int n;	   /* how many differ (names beyond the array are counted) */
	bool too_long;	   /* a file is longer than PG_RELOAD_LINES_MAX: not compared */
	char names[PG_RELOAD_NAMES_MAX][PG_RELOAD_NAME_SIZE];
};

/*
 * May next replace cur without a restart? 0, or -EINVAL with
 * "FILE:LINE: [section] key: reason" in err naming the first setting that
 * needs a restart (links, addresses, table size, backend, API sockets).
 */
int pg_reload_check(const struct pg_config *cur, const struct pg_config *next, char *err,
		    size_t errlen);

/* Compare the settings of two configurations as written, key by key. */
void pg_reload_diff(const struct pg_config *cur, const struct pg_config *next,
		    struct pg_reload_diff *d);

/* Did the [api] credentials change (sessions must end)? */
bool pg_reload_credentials_changed(const struct pg_config *cur, const struct pg_config *next);

#endif /* PG_RELOAD_H */
