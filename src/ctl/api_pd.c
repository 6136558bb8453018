/* SPDX-License-Identifier: MIT */
/*
 * api_pd.c - the delegated IPv6 prefix in the API: the "ipv6_pd" part of
 * GET /api/v1/wan (and so of GET /api/v1/status): state, the prefix, the
 * LAN's /64 from it, the lease times, counters and drop reasons.
 */
#include <arpa/inet.h>
#include <string.h>
#include <time.h>

#include "ctl/api_internal.h"
#include "dp/datapath.h"
#include "wan/dhcp6.h"

/* As for the IPv4 lease: copied out on the data path's thread between passes. */
struct pd_job {
	struct pg_api *api;
	struct pg_pd_view *view;
};

static void pd_fn(void *arg)
{
	struct pd_job *j = arg;

	pg_pd_view(&j->api->env.dp->pd, j->view);
}

bool pg_api_pd_snapshot(struct pg_api *api, struct pg_pd_view *out)
{
	struct pd_job j = {.api = api, .view = out};

	out->on = false;
	if (!api->env.dp)
		return false;
	pg_api_on_dp(api, pd_fn, &j);
	return out->on;
}

static struct json_object *prefix6(const uint8_t *a, unsigned int len)
{
	char t[INET6_ADDRSTRLEN + 8], b[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, a, b, sizeof(b));
	snprintf(t, sizeof(t), "%s/%u", b, len);
	return json_object_new_string(t);
}

static struct json_object *wall(const struct pg_api *api, uint64_t t)
{
	if (t == PG_DHCP6_NO_TIMER)
		return NULL;
	return json_object_new_int64((int64_t)time(NULL) + ((int64_t)t - (int64_t)api->now_ms) / 1000);
}

static struct json_object *in_s(const struct pg_api *api, uint64_t t)
{
	if (t == PG_DHCP6_NO_TIMER)
		return NULL;
	return json_object_new_int64(((int64_t)t - (int64_t)api->now_ms) / 1000);
}

static struct json_object *lease_json(const struct pg_api *api, const struct pg_pd_view *pd,
				      const struct pg_dhcp6_lease *l)
{
	struct json_object *o = json_object_new_object(), *a = json_object_new_array();
	char sid[2 * PG_DHCP6_MAX_DUID + 1] = "", b[INET6_ADDRSTRLEN];

	json_object_object_add(o, "prefix", prefix6(l->prefix, l->len));
	json_object_object_add(o, "lan_prefix", prefix6(pd->lan_prefix, 64));
	for (unsigned int i = 0; i < l->server_id_len; i++)
		snprintf(sid + 2 * i, 3, "%02x", l->server_id[i]);
	json_object_object_add(o, "server_duid", json_object_new_string(sid));
	for (uint8_t i = 0; i < l->n_dns; i++)
		json_object_array_add(a, json_object_new_string(
						 inet_ntop(AF_INET6, l->dns[i], b, sizeof(b))));
	json_object_object_add(o, "dns", a);
	json_object_object_add(o, "preferred_s", json_object_new_int64(l->preferred_s));
	json_object_object_add(o, "valid_s", json_object_new_int64(l->valid_s));
	json_object_object_add(o, "t1_s", json_object_new_int64(l->t1_s));
	json_object_object_add(o, "t2_s", json_object_new_int64(l->t2_s));
	json_object_object_add(o, "obtained", wall(api, l->start_ms));
	json_object_object_add(o, "renews_at", wall(api, pg_dhcp6_lease_t1(l)));
	json_object_object_add(o, "rebinds_at", wall(api, pg_dhcp6_lease_t2(l)));
	json_object_object_add(o, "expires_at", wall(api, pg_dhcp6_lease_end(l)));
	json_object_object_add(o, "renews_in_s", in_s(api, pg_dhcp6_lease_t1(l)));
	json_object_object_add(o, "expires_in_s", in_s(api, pg_dhcp6_lease_end(l)));
	return o;
}

struct json_object *pg_api_pd_json(struct pg_api *api)
{
	struct pg_pd_view copy;
	const struct pg_dhcp6_stats *s = &copy.stats;
	const struct pg_dhcp6_lease *l;
	struct json_object *o, *c, *d;

	if (!pg_api_pd_snapshot(api, &copy))
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "state", json_object_new_string(pg_dhcp6_state_name(copy.state)));
	json_object_object_add(o, "tries", json_object_new_int64(copy.acquire_tries));
	l = copy.has_lease ? &copy.lease : NULL;
	json_object_object_add(o, "lease", l ? lease_json(api, &copy, l) : NULL);
	c = json_object_new_object();
	json_object_object_add(c, "leases", json_object_new_uint64(s->leases));
	json_object_object_add(c, "renewals", json_object_new_uint64(s->renewals));
	json_object_object_add(c, "losses", json_object_new_uint64(s->losses));
	json_object_object_add(c, "prefix_changes", json_object_new_uint64(s->prefix_changes));
	json_object_object_add(c, "status_errors", json_object_new_uint64(s->status_errors));
	json_object_object_add(c, "messages_in", json_object_new_uint64(copy.frames_in));
	d = json_object_new_object();
	for (unsigned int i = 1; i < PG_DHCP6_DROP__COUNT; i++)
		json_object_object_add(d, pg_dhcp6_drop_name(i), json_object_new_uint64(s->drops[i]));
	json_object_object_add(c, "drops", d);
	json_object_object_add(o, "counters", c);
	return o;
}
