/* SPDX-License-Identifier: MIT */
/*
 * api_wan.c - the WAN's DHCP lease in the API: GET /api/v1/wan (also the
 * "wan" part of GET /api/v1/status), POST /api/v1/wan/renew and
 * /api/v1/wan/release (passgatectl wan renew|release), and the lease's DNS
 * servers for dnsmasq ([dns] upstream = dhcp).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <time.h>

#include "ctl/api_internal.h"
#include "dp/datapath.h"
#include "util/log.h"
#include "wan/dhcp.h"

/*
 * The control thread never reads the data path's WAN state live: these jobs
 * run on the data path's thread between two passes (dp/handoff.h) and copy
 * it out, or act on it.
 */
struct wan_job {
	struct pg_api *api;
	struct pg_wan *copy; /* snapshot: where to copy to */
	int act;	     /* 1 renew, 2 release, 0 copy only */
};

static void wan_fn(void *arg)
{
	struct wan_job *j = arg;
	struct pg_datapath *dp = j->api->env.dp;

	if (j->act == 1)
		pg_wan_renew(dp, j->api->now_ms);
	else if (j->act == 2)
		pg_wan_release(dp, j->api->now_ms);
	if (j->copy)
		*j->copy = dp->wan;
}

bool pg_api_wan_snapshot(struct pg_api *api, struct pg_wan *out)
{
	struct wan_job j = {.api = api, .copy = out};

	if (!api->env.dp)
		return false;
	pg_api_on_dp(api, wan_fn, &j);
	return out->on;
}

const struct pg_config *pg_api_dnsmasq_view(struct pg_api *api, const struct pg_config *cfg)
{
	static struct pg_config view;
	static struct pg_wan w;
	const struct pg_dhcp_lease *l;

	/* [dns] upstream = dhcp: the lease's DNS servers (none while the WAN is down). */
	if (!cfg->dns.upstream_dhcp || !pg_api_wan_snapshot(api, &w))
		return cfg;
	view = *cfg; /* shallow: read only, for one render */
	l = pg_dhcp_current(&w.dhcp);
	view.dns.nupstream = 0;
	for (uint8_t i = 0; l && i < l->n_dns && i < PG_DNS_MAX_UPSTREAMS; i++)
		view.dns.upstream[view.dns.nupstream++] = l->dns[i];
	return &view;
}

/* A monotonic time of the daemon's clock as wall-clock seconds. */
static struct json_object *wall_json(const struct pg_api *api, uint64_t t)
{
	int64_t now = (int64_t)time(NULL);

	if (t == PG_DHCP_NO_TIMER)
		return NULL;
	return json_object_new_int64(now + ((int64_t)t - (int64_t)api->now_ms) / 1000);
}

static struct json_object *in_s_json(const struct pg_api *api, uint64_t t)
{
	if (t == PG_DHCP_NO_TIMER)
		return NULL;
	return json_object_new_int64(((int64_t)t - (int64_t)api->now_ms) / 1000);
}

struct json_object *pg_api_wan_json(struct pg_api *api)
{
	static struct pg_wan copy; /* large (it holds a configuration): not on the stack */
	const struct pg_wan *w = pg_api_wan_snapshot(api, &copy) ? &copy : NULL;
	struct json_object *o = json_object_new_object(), *l, *a, *c, *d;
	const struct pg_dhcp_lease *lease;
	char text[128];

	if (!w || !w->on) {
		json_object_object_add(o, "mode", json_object_new_string("static"));
		return o;
	}
	json_object_object_add(o, "mode", json_object_new_string("dhcp"));
	json_object_object_add(o, "state",
			       json_object_new_string(pg_dhcp_state_name(w->dhcp.state)));
	pg_wan_describe(w, api->now_ms, text, sizeof(text));
	json_object_object_add(o, "status", json_object_new_string(text));
	json_object_object_add(o, "tries", json_object_new_int64(w->dhcp.acquire_tries));
	json_object_object_add(o, "last_try", w->dhcp.last_tx ? wall_json(api, w->dhcp.last_tx)
							      : NULL);
	lease = pg_dhcp_current(&w->dhcp);
	if (lease) {
		l = json_object_new_object();
		json_object_object_add(l, "address", pg_api_addr(ntohl(lease->addr)));
		json_object_object_add(l, "prefix",
				       json_object_new_int(pg_dhcp_mask_len(lease->mask)));
		json_object_object_add(l, "gateway", pg_api_addr(ntohl(lease->router)));
		json_object_object_add(l, "server", pg_api_addr(ntohl(lease->server)));
		a = json_object_new_array();
		for (uint8_t i = 0; i < lease->n_dns; i++)
			json_object_array_add(a, pg_api_addr(ntohl(lease->dns[i])));
		json_object_object_add(l, "dns", a);
		json_object_object_add(l, "lease_s", json_object_new_int64(lease->lease_s));
		json_object_object_add(l, "obtained", wall_json(api, lease->start_ms));
		json_object_object_add(l, "renews_at", wall_json(api, pg_dhcp_lease_t1(lease)));
		json_object_object_add(l, "rebinds_at", wall_json(api, pg_dhcp_lease_t2(lease)));
		json_object_object_add(l, "expires_at", wall_json(api, pg_dhcp_lease_end(lease)));
		json_object_object_add(l, "renews_in_s", in_s_json(api, pg_dhcp_lease_t1(lease)));
		json_object_object_add(l, "expires_in_s",
				       in_s_json(api, pg_dhcp_lease_end(lease)));
		json_object_object_add(o, "lease", l);
	} else {
		json_object_object_add(o, "lease", NULL);
	}
	c = json_object_new_object();
	json_object_object_add(c, "leases", json_object_new_uint64(w->dhcp.stats.leases));
	json_object_object_add(c, "renewals", json_object_new_uint64(w->dhcp.stats.renewals));
	json_object_object_add(c, "losses", json_object_new_uint64(w->dhcp.stats.losses));
	json_object_object_add(c, "naks", json_object_new_uint64(w->dhcp.stats.naks));
	json_object_object_add(c, "declines", json_object_new_uint64(w->dhcp.stats.declines));
	json_object_object_add(c, "address_changes", json_object_new_uint64(w->addr_changes));
	json_object_object_add(c, "flows_ended", json_object_new_uint64(w->flows_ended));
	d = json_object_new_object();
	for (unsigned int i = 1; i < PG_DHCP_DROP__COUNT; i++)
		json_object_object_add(d, pg_dhcp_drop_name(i),
				       json_object_new_uint64(w->dhcp.stats.drops[i]));
	json_object_object_add(c, "drops", d);
	json_object_object_add(o, "counters", c);
	return o;
}

void pg_api_wan_get(struct pg_api *api, const char *rest, const struct pg_api_req *req,
		    struct pg_api_resp *resp)
{
	(void)rest;
	(void)req;
	pg_api_json(resp, 200, pg_api_wan_json(api));
}

void pg_api_wan_post(struct pg_api *api, const char *rest, const struct pg_api_req *req,
		     struct pg_api_resp *resp)
{
	static struct pg_wan w;
	struct wan_job j = {.api = api};

	(void)req;
	if (!pg_api_wan_snapshot(api, &w)) {
		pg_api_error(resp, 409, NULL,
			     "the WAN address is static ([wan] address); renew and release need "
			     "[wan] address = dhcp");
		return;
	}
	if (!strcmp(rest, "renew")) {
		j.act = 1;
	} else if (!strcmp(rest, "release")) {
		j.act = 2;
	} else {
		pg_api_error(resp, 404, NULL, "expected /api/v1/wan/renew or /api/v1/wan/release");
		return;
	}
	pg_api_on_dp(api, wan_fn, &j);
	pg_api_json(resp, 200, pg_api_wan_json(api));
}
