/* SPDX-License-Identifier: MIT */
/*
 * api_ha.c - the gateway's VRRP role in the API (dp/ha.h): GET /api/v1/ha
 * (also "ha" in GET /api/v1/status) and POST /api/v1/ha/master, /backup,
 * /fault, which keepalived's notify scripts reach through passgatectl ha.
 * The role is the data path's: read and set in jobs on its thread, and
 * the sync channel's role follows it there (docs/HA.md "Rejoin"). "ready"
 * says whether the box may forward from its state; passgatectl ha, the
 * keepalived health check, fails while it is not.
 */
#include <string.h>
#include <time.h>

#include "ctl/api_internal.h"
#include "dp/datapath.h"
#include "dp/syncchan.h"

struct ha_job {
	struct pg_api *api;
	int role; /* to set, or -1 */
	struct pg_ha copy;
	uint64_t dropped[2]; /* frames and packets refused as a backup, per side */
	bool sync_on, ready;
	enum pg_sync_role sync_role;
};

static uint64_t realtime_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void ha_fn(void *arg)
{
	struct ha_job *j = arg;
	struct pg_datapath *dp = j->api->env.dp;

	struct pg_syncchan *sc = j->api->env.sync;

	if (j->role >= 0) {
		pg_ha_set(dp, (enum pg_ha_role)j->role, j->api->now_ms);
		if (sc)
			pg_syncchan_follow(sc, dp->engines, j->role == PG_HA_MASTER,
					   j->api->now_ms, realtime_us());
	}
	j->copy = dp->ha;
	j->sync_on = sc && sc->fd >= 0;
	j->sync_role = sc ? sc->role : PG_SYNC_OFF;
	j->ready = pg_syncchan_ready(sc, j->api->now_ms);
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
	json_object_object_add(o, "sync_role",
			       j->sync_on ? json_object_new_string(pg_sync_role_names[j->sync_role])
					  : NULL);
	json_object_object_add(o, "ready", json_object_new_boolean(j->ready));
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
