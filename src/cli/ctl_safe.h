/* SPDX-License-Identifier: MIT */
/*
 * ctl_safe.h - passgatectl's safe-change commands (ctl_safe.c): apply
 * [--confirm SECS], confirm, cancel, and config diff|history|rollback.
 */
#ifndef PG_CTL_SAFE_H
#define PG_CTL_SAFE_H

#include <stdbool.h>

/* Where and how the commands talk to the API. */
struct pg_ctl_target {
	const char *url;
	const char *token; /* may be NULL */
	bool json;	   /* print the API's answers as JSON */
};

/*
 * Each runs its subcommand (argv[0] is its name) and returns the exit
 * status: 0 done, 1 refused or unreachable, 2 usage error.
 */
int pg_ctl_apply(const struct pg_ctl_target *t, int argc, char **argv);
int pg_ctl_confirm(const struct pg_ctl_target *t, int argc, char **argv);
int pg_ctl_cancel(const struct pg_ctl_target *t, int argc, char **argv);
int pg_ctl_config(const struct pg_ctl_target *t, int argc, char **argv);

/*
 * Take "--confirm SECS" from argv[*i] on; a query "?confirm=SECS" in q
 * (q[0] stays '\0' without one). 1 when taken (*i moved past it), 0 when
 * argv[*i] is something else, -1 after printing a usage error.
 */
int pg_ctl_confirm_opt(int argc, char **argv, int *i, char *q, unsigned int qlen);

/* After a change: say that it waits for `passgatectl confirm`, or that it could lock out. */
void pg_ctl_print_probation(struct json_object *o);

#endif /* PG_CTL_SAFE_H */
