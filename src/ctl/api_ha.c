/* SPDX-License-Identifier: MIT */
/*
 * api_ha.c - the gateway's VRRP role in the API (dp/ha.h): GET /api/v1/ha
 * (also "ha" in GET /api/v1/status) and POST /api/v1/ha/master, /backup,
 * /fault, which keepalived's notify scripts reach through passgatectl ha.
 * The role is the data path's: read and set in jobs on its thread.
 */
#include <string.h>

#include "ctl/api_internal.h"
#include "dp/datapath.h"

struct ha_job {
	struct pg_api *api;
	int role; /* to set, or -1 */
	struct pg_ha copy;
	uint64_t dropped[2]; /* frames and packets refused as a backup, per side */
};

static void ha_fn(void *arg)
{
	struct ha_job *j = arg;
	struct pg_datapath *dp = j->api->env.dp;

	if (j->role >= 0)
		pg_ha_set(dp, (enum pg_ha_role)j->role, j->api->now_ms);
	j->copy = dp->ha;
	for (int s = 0; s < 2; s++)
		j->dropped[s] = dp->link[s].port.cnt[PG_L2_CNT_DROP_HA_STANDBY];
}

static struct json_object *ha_json(const struct ha_job *j, uint64_t now_ms)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "role", json_object_new_string(pg_ha_role_names[j->copy.role]));
	json_object_object_add(o, "changes", json_object_new_uint64(j->copy.changes));
	json_object_object_add(o, "since_s",
			       j->copy.changed_ms
				       ? json_object_new_uint64((now_ms - j->copy.changed_ms) / 1000)
				       : NULL);
	json_object_object_add(o, "dropped_lan", json_object_new_uint64(j->dropped[PG_SIDE_LAN]));
	json_object_object_add(o, "dropped_wan", json_object_new_uint64(j->dropped[PG_SIDE_WAN]));
	return o;
}

struct json_object *pg_api_ha_json(struct pg_api *api)
{
	struct ha_job j = {.api = api, .role = -1};

	if (!api->env.dp)
		return NULL;
	pg_api_on_dp(api, ha_fn, &j);
	return ha_json(&j, api->now_ms);
}

void pg_api_ha_get(struct pg_api *api, const char *rest, const struct pg_api_req *req,
		   struct pg_api_resp *resp)
{
	(void)rest;
	(void)req;
	if (!api->env.dp) {
		pg_api_error(resp, 409, NULL, "no data path");
		return;
	}
	pg_api_json(resp, 200, pg_api_ha_json(api));
}

void pg_api_ha_post(struct pg_api *api, const char *rest, const struct pg_api_req *req,
		    struct pg_api_resp *resp)
{
	struct ha_job j = {.api = api, .role = pg_ha_role_parse(rest)};

	(void)req;
	if (j.role < 0) {
		pg_api_error(resp, 404, NULL,
			     "expected /api/v1/ha/master, /api/v1/ha/backup or /api/v1/ha/fault");
		return;
	}
	if (!api->env.dp) {
		pg_api_error(resp, 409, NULL, "no data path");
		return;
	}
	pg_api_on_dp(api, ha_fn, &j);
	pg_api_json(resp, 200, ha_json(&j, api->now_ms));
}
