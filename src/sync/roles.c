/* SPDX-License-Identifier: MIT */
/* roles.c - the sync role's decisions when the VRRP role moves (sync/roles.h). */
#include "sync/roles.h"

uint64_t pg_sync_takeover_epoch(uint64_t now_us, uint64_t followed, uint64_t own_before)
{
	uint64_t e = now_us;

	if (e <= followed)
		e = followed + 1;
	if (e <= own_before)
		e = own_before + 1;
	return e;
}

bool pg_sync_ready(bool primary, bool synced, uint64_t now_ms, uint64_t standby_since_ms)
{
	if (primary || synced)
		return true;
	/* A clock before the start (not expected) counts as just begun. */
	return now_ms >= standby_since_ms && now_ms - standby_since_ms >= PG_SYNC_JOIN_WAIT_MS;
}
