/* SPDX-License-Identifier: MIT */
/*
 * roles.h - which end of the sync channel a box plays when the VRRP role
 * moves (docs/HA.md "Rejoin"): the master streams, everyone else follows.
 * Pure decisions, time passed in, so the tests drive them with a clock of
 * their own; dp/syncchan.c acts on them.
 */
#ifndef PG_SYNC_ROLES_H
#define PG_SYNC_ROLES_H

#include <stdbool.h>
#include <stdint.h>

/*
 * A standby that has not taken a whole bulk yet is not ready to forward
 * (its table is empty or half there), so keepalived's health check
 * (passgatectl ha) fails for it and a returning box does not preempt before
 * it holds the master's state. Past this long it is ready anyway: a box
 * whose peer is gone for good must still be able to serve.
 */
#define PG_SYNC_JOIN_WAIT_MS 10000

/*
 * The epoch a box takes when it turns primary: its clock (microseconds),
 * but always past the epoch it followed and the one it used before, so the
 * old primary's standby end (which refuses older epochs as replays) and a
 * box whose clock is behind still follow it.
 */
uint64_t pg_sync_takeover_epoch(uint64_t now_us, uint64_t followed, uint64_t own_before);

/*
 * Whether the box may forward from its state: a primary always; a standby
 * once synced, or once it has been joining for PG_SYNC_JOIN_WAIT_MS
 * (standby_since_ms: when it last began following, monotonic).
 */
bool pg_sync_ready(bool primary, bool synced, uint64_t now_ms, uint64_t standby_since_ms);

#endif /* PG_SYNC_ROLES_H */
