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

static struct json_object *direction_json(const struct pg_shaper *s, uint64_t now_ms)
{
	struct json_object *o, *c;
	struct pg_shaper_stats st;

	if (!s)
		return NULL; /* JSON null: this direction is not shaped */
	pg_shaper_get_stats(s, now_ms * 1000000u, &st);
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

struct json_object *pg_api_shaper_json(const struct pg_api *api)
{
	struct json_object *o = json_object_new_object();

	/* Upload: the WAN link's egress; download: the LAN link's. */
	json_object_object_add(o, "up", direction_json(api->env.shapers[PG_SIDE_WAN], api->now_ms));
	json_object_object_add(o, "down",
			       direction_json(api->env.shapers[PG_SIDE_LAN], api->now_ms));
	return o;
}
