/* SPDX-License-Identifier: MIT */
/*
 * confirm.h - a change applied on probation ("apply with rollback", as
 * LuCI, VyOS commit-confirm and RouterOS safe mode do it): the running
 * configuration's previous text is kept with a deadline, and the change is
 * undone when the deadline passes without a confirmation. This file holds
 * only the decision (armed? due? how long left?) and the list of settings
 * that can lock the admin out, with time passed in; the control thread
 * acts on it (ctl/api_safe.c). Rules in docs/CONFIG.md "Safe changes".
 */
#ifndef PG_CONFIRM_H
#define PG_CONFIRM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/reload.h"

#define PG_CONFIRM_MIN_S 5	/* less cannot be confirmed by a person in time */
#define PG_CONFIRM_MAX_S 3600	/* an hour: longer is not probation any more */
#define PG_CONFIRM_WHAT_SIZE 200

/* One change waiting for its confirmation. */
struct pg_confirm {
	bool armed;
	uint32_t seconds;	  /* the window asked for */
	uint64_t deadline_ms;	  /* monotonic */
	int64_t armed_at;	  /* wall clock, seconds since the epoch, for status */
	char *prev_text;	  /* the configuration to go back to (malloc'd) */
	size_t prev_len;
	char what[PG_CONFIRM_WHAT_SIZE]; /* the change, as logged */
};

/*
 * Parse a window in seconds, as given in ?confirm=SECS: digits only,
 * PG_CONFIRM_MIN_S..PG_CONFIRM_MAX_S. 0 or -EINVAL.
 */
int pg_confirm_parse_seconds(const char *s, uint32_t *seconds);

/*
 * Put a change on probation: keep a copy of prev (the text before it) and
 * a deadline seconds from now_ms. -EBUSY when a change is already waiting,
 * -EINVAL for a window out of range, -ENOMEM.
 */
int pg_confirm_arm(struct pg_confirm *c, uint64_t now_ms, int64_t wall_s, uint32_t seconds,
		   const char *prev, size_t prev_len, const char *what);

/* Has the deadline of an armed change passed? */
bool pg_confirm_due(const struct pg_confirm *c, uint64_t now_ms);

/* Whole seconds left, rounded up (0 when not armed or due). */
uint32_t pg_confirm_left_s(const struct pg_confirm *c, uint64_t now_ms);

/* Forget the waiting change (confirmed, or rolled back); frees the copy. */
void pg_confirm_disarm(struct pg_confirm *c);

/* Could a change of "[section] key" lock the admin out of the gateway? */
bool pg_confirm_risky_name(const char *name);

/*
 * The changed settings of d that could lock the admin out, as
 * "[input] lan, [api] token_hash" in buf (empty when none). Returns how
 * many. A diff too long to list counts as risky.
 */
unsigned int pg_confirm_risky(const struct pg_reload_diff *d, char *buf, size_t len);

#endif /* PG_CONFIRM_H */
