/* SPDX-License-Identifier: MIT */
/*
 * api_shaper.c - the WAN shaper's state for GET /api/v1/status ("shaper")
 * and the admin page: per direction the configured and measured rates,
 * what is queued, and every shaper counter (drops and marks per reason)
 * by its stable name from shaper.h's X-macro.
 */
#include <stddef.h>

#include "ctl/api_internal.h"
#include "engine/shaper.h"

/*
 * Both directions' figures, read on the data path's thread between two
 * passes (the control thread never reads a shaper live).
 */
struct shaper_job {
	const struct pg_api *api;
	struct pg_shaper_stats st[2];
	bool on[2];
};

static void shaper_fn(void *arg)
{
	struct shaper_job *j = arg;

	for (int s = 0; s < 2; s++) {
		j->on[s] = j->api->env.shapers[s] != NULL;
		if (j->on[s])
			pg_shaper_get_stats(j->api->env.shapers[s], j->api->now_ms * 1000000u,
					    &j->st[s]);
	}
}

bool pg_api_shaper_stats(struct pg_api *api, struct pg_shaper_stats *st, bool *on)
{
	struct shaper_job j = {.api = api};

	if (!api->env.shapers[0] && !api->env.shapers[1])
		return false; /* set once at start: no shaper, no job */
	pg_api_on_dp(api, shaper_fn, &j);
	for (int s = 0; s < 2; s++) {
		st[s] = j.st[s];
		on[s] = j.on[s];
	}
	return true;
}

static struct json_object *direction_json(const struct pg_shaper_stats *stp, bool on)
{
	struct json_object *o, *c;
	const struct pg_shaper_stats st = *stp;

	if (!on)
		return NULL; /* JSON null: this direction is not shaped */
	o = json_object_new_object();
	json_object_object_add(o, "rate_bps", json_object_new_uint64(st.rate_bps));
	json_object_object_add(o, "sent_bps", json_object_new_uint64(st.sent_bps));
	json_object_object_add(o, "backlog_packets", json_object_new_uint64(st.backlog_pkts));
	json_object_object_add(o, "backlog_bytes", json_object_new_uint64(st.backlog_bytes));
	json_object_object_add(o, "active_flows", json_object_new_uint64(st.active_flows));
	json_object_object_add(o, "active_hosts", json_object_new_uint64(st.active_hosts));
	c = json_object_new_object();
	for (unsigned int i = 0; i < PG_SHAPER_CNT__COUNT; i++)
		json_object_object_add(c, pg_shaper_counter_name(i),
				       json_object_new_uint64(st.cnt[i]));
	json_object_object_add(o, "counters", c);
	return o;
}

struct json_object *pg_api_shaper_json(struct pg_api *api)
{
	struct json_object *o = json_object_new_object();
	struct pg_shaper_stats st[2] = {0};
	bool on[2] = {false, false};

	pg_api_shaper_stats(api, st, on);
	/* Upload: the WAN link's egress; download: the LAN link's. */
	json_object_object_add(o, "up", direction_json(&st[PG_SIDE_WAN], on[PG_SIDE_WAN]));
	json_object_object_add(o, "down", direction_json(&st[PG_SIDE_LAN], on[PG_SIDE_LAN]));
	return o;
}
