/* SPDX-License-Identifier: MIT */
/* api_sync.h - the sync channel in GET /api/v1/status and /metrics (docs/API.md). */
#ifndef PG_CTL_API_SYNC_H
#define PG_CTL_API_SYNC_H

#include <stdint.h>

#include "ctl/api_internal.h"

struct json_object;

/*
 * The counters come from a snapshot (pg_api_snapshot()), copied on the data
 * path's thread, which owns the channel: never from the channel itself.
 */

/* {"role": ..., "synced": ..., counters...}, or NULL when sync is off. */
struct json_object *pg_api_sync_json(const struct pg_api_snap *snap);

/* The counters by Prometheus name, for the metrics page; false when sync is off. */
struct pg_sync_metric {
	const char *name, *type, *help;
	const char *label; /* NULL, or reason="..." */
	uint64_t value;
};
unsigned int pg_api_sync_metrics(const struct pg_api_snap *snap, struct pg_sync_metric *m,
				 unsigned int max);

#endif /* PG_CTL_API_SYNC_H */
