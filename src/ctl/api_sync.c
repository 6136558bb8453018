/* SPDX-License-Identifier: MIT */
/*
 * api_sync.c - what the sync channel has done, for status and metrics:
 * updates sent, re-sent, acknowledged and applied, the last acknowledgement's
 * delay (lag), bulk transfers, and refusals by reason (docs/HA.md).
 */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "ctl/api_sync.h"

/* Every number, once: the JSON and the metrics read this table. */
static unsigned int collect(const struct pg_sync_counters *c, struct pg_sync_metric *m,
			    unsigned int max)
{
	static char labels[PG_SYNC_REFUSAL__COUNT][48];
	const struct pg_sync_metric rows[] = {
		{ "passgate_sync_sent_total", "counter", "sync messages sent (primary)", NULL,
		  c->sent },
		{ "passgate_sync_resent_total", "counter", "sync messages sent again (primary)",
		  NULL, c->resent },
		{ "passgate_sync_acked_total", "counter", "sync messages acknowledged (primary)",
		  NULL, c->acked },
		{ "passgate_sync_unacked", "gauge", "sync messages in flight (primary)", NULL,
		  c->unacked },
		{ "passgate_sync_lag_ms", "gauge", "the last acknowledgement's delay (primary)",
		  NULL, c->lag_ms },
		{ "passgate_sync_bulks_total", "counter", "bulk transfers started (primary)", NULL,
		  c->bulks },
		{ "passgate_sync_applied_total", "counter", "sync messages applied (standby)", NULL,
		  c->applied },
		{ "passgate_sync_gaps_total", "counter",
		  "sync messages missing on arrival (standby)", NULL, c->gaps },
		{ "passgate_sync_resyncs_total", "counter", "bulk transfers taken (standby)", NULL,
		  c->resyncs },
		{ "passgate_sync_synced", "gauge",
		  "1 when the standby holds a whole bulk and all after", NULL, c->synced },
		{ "passgate_sync_role_changes_total", "counter",
		  "sync role changes following the VRRP role (docs/HA.md Rejoin)", NULL,
		  c->role_changes },
		{ "passgate_sync_records_applied_total", "counter",
		  "flows created or replaced (standby)", NULL, c->records.applied },
		{ "passgate_sync_records_refused_total", "counter",
		  "flow records refused: conflicts, table full, malformed (standby)", NULL,
		  c->records.conflicts + c->records.full + c->records.malformed },
	};
	unsigned int n = 0;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]) && n < max; i++)
		m[n++] = rows[i];
	for (unsigned int r = 1; r < PG_SYNC_REFUSAL__COUNT && n < max; r++) {
		snprintf(labels[r], sizeof(labels[r]), "reason=\"%s\"", pg_sync_refusal_names[r]);
		m[n++] = (struct pg_sync_metric){ "passgate_sync_refused_total", "counter",
						  "sync messages refused, by reason", labels[r],
						  c->refused[r] };
	}
	return n;
}

unsigned int pg_api_sync_metrics(const struct pg_api_snap *snap, struct pg_sync_metric *m,
				 unsigned int max)
{
	return snap->has_sync ? collect(&snap->sync, m, max) : 0;
}

struct json_object *pg_api_sync_json(const struct pg_api_snap *snap)
{
	const struct pg_sync_counters *c = &snap->sync;
	struct pg_sync_metric m[32];
	struct json_object *o, *refused;
	unsigned int n;

	if (!snap->has_sync)
		return NULL;
	o = json_object_new_object();
	refused = json_object_new_object();
	json_object_object_add(o, "role",
			       json_object_new_string(pg_sync_role_names[snap->sync_role]));
	n = collect(c, m, 32);
	for (unsigned int i = 0; i < n; i++) {
		/* passgate_sync_X_total -> X */
		char key[64];
		const char *s = m[i].name + sizeof("passgate_sync_") - 1;
		size_t len = strlen(s);

		if (len > 6 && !strcmp(s + len - 6, "_total"))
			len -= 6;
		snprintf(key, sizeof(key), "%.*s", (int)len, s);
		if (m[i].label)
			continue; /* by reason, below */
		if (!strcmp(key, "synced"))
			json_object_object_add(o, key, json_object_new_boolean(m[i].value != 0));
		else
			json_object_object_add(o, key, json_object_new_uint64(m[i].value));
	}
	for (unsigned int r = 1; r < PG_SYNC_REFUSAL__COUNT; r++)
		json_object_object_add(refused, pg_sync_refusal_names[r],
				       json_object_new_uint64(c->refused[r]));
	json_object_object_add(o, "refused", refused);
	return o;
}
