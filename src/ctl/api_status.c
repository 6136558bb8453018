/* SPDX-License-Identifier: MIT */
/*
 * api_status.c - GET status, flows and VPN sessions: the engine's counters,
 * the links, and copies of flow table entries turned into JSON. The copies
 * are taken between two passes by jobs on the data path's thread
 * (api_dp.c); the JSON is made here, on the control thread. Every read is
 * bounded: flows come a page at a time (the cursor of pg_engine_flows() is
 * handed to the client as "next"), sessions at most PG_API_FLOWS_PAGE_MAX
 * per answer.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/api_internal.h"
#include "ctl/api_sync.h"
#include "dp/datapath.h"
#include "engine/observe.h"
#include "engine/parse.h"
#include "l2/port.h"
#include "util/inet.h"
#include "util/version.h"
#include "wan/dhcp.h"

static struct json_object *prefix_json(uint32_t addr_be, uint8_t prefix)
{
	char a[INET_ADDRSTRLEN], buf[INET_ADDRSTRLEN + 4];
	struct in_addr in = {.s_addr = addr_be};

	inet_ntop(AF_INET, &in, a, sizeof(a));
	snprintf(buf, sizeof(buf), "%s/%u", a, prefix);
	return json_object_new_string(buf);
}

static struct json_object *link_json(const struct pg_api *api, const struct pg_api_snap *snap,
				     enum pg_side side)
{
	const struct pg_config *cfg = api->env.cfg;
	const struct pg_engine_config *ec = &cfg->engine;
	const struct pg_api_link_snap *p = &snap->link[side];
	struct json_object *o = json_object_new_object(), *c;
	char mac[18];

	json_object_object_add(o, "side", json_object_new_string(side == PG_SIDE_LAN ? "lan"
										   : "wan"));
	json_object_object_add(o, "name", json_object_new_string(side == PG_SIDE_LAN
									 ? cfg->lan_ifname
									 : cfg->wan_ifname));
	if (side == PG_SIDE_WAN && cfg->wan_dhcp && p) {
		/* The lease in use, as the port has it; none while waiting. */
		int plen = pg_dhcp_mask_len(p->mask);

		json_object_object_add(o, "address", p->addr ? prefix_json(p->addr, (uint8_t)plen)
							     : NULL);
		json_object_object_add(o, "gateway",
				       p->gateway ? pg_api_addr(ntohl(p->gateway)) : NULL);
	} else {
		json_object_object_add(o, "address",
				       side == PG_SIDE_LAN
					       ? prefix_json(ec->lan_addr, ec->lan_prefix)
					       : prefix_json(ec->wan_addr, ec->wan_prefix));
		if (side == PG_SIDE_WAN)
			json_object_object_add(o, "gateway", pg_api_addr(ntohl(ec->wan_gateway)));
	}
	json_object_object_add(o, "mtu", json_object_new_int64(side == PG_SIDE_LAN ? cfg->lan_mtu
										    : cfg->wan_mtu));
	if (!p->present)
		return o;
	json_object_object_add(o, "mac", json_object_new_string(pg_eth_ntoa(p->mac, mac)));
	json_object_object_add(o, "neighbours", json_object_new_int64(p->neighbours));
	c = json_object_new_object();
	for (unsigned int i = 0; i < PG_L2_CNT__COUNT; i++)
		json_object_object_add(c, pg_l2_counter_name(i),
				       json_object_new_uint64(p->cnt[i]));
	json_object_object_add(o, "counters", c);
	return o;
}

/* A duration histogram of the data path's (dpstats.h): count, max, buckets in microseconds. */
static struct json_object *passes_json(const struct pg_dp_pass_hist *h)
{
	struct json_object *o = json_object_new_object(), *b = json_object_new_array();

	json_object_object_add(o, "count", json_object_new_uint64(h->count));
	json_object_object_add(o, "max_us", json_object_new_uint64((h->max_ns + 999) / 1000));
	json_object_object_add(o, "mean_ns",
			       json_object_new_uint64(h->count ? h->sum_ns / h->count : 0));
	json_object_object_add(o, "over_1ms", json_object_new_uint64(pg_dp_pass_hist_over(h, 1024)));
	/* Only the buckets in use: [upper bound in us, passes]. */
	for (unsigned int i = 0; i < PG_DP_PASS_BUCKETS; i++) {
		struct json_object *pair;

		if (!h->buckets[i])
			continue;
		pair = json_object_new_array();
		json_object_array_add(pair, json_object_new_uint64(1ull << i));
		json_object_array_add(pair, json_object_new_uint64(h->buckets[i]));
		json_object_array_add(b, pair);
	}
	json_object_object_add(o, "buckets_us", b);
	return o;
}

/*
 * The XDP fast path: as configured, whether it runs and why (decided at
 * start, constant afterwards: dp/offload_decide.c). null without a data path.
 */
static struct json_object *offload_json(const struct pg_api *api)
{
	const struct pg_offload_decision *d;
	struct json_object *o;

	if (!api->env.dp)
		return NULL;
	d = &api->env.dp->offload_decision;
	o = json_object_new_object();
	json_object_object_add(o, "mode", json_object_new_string(pg_offload_names[d->mode]));
	json_object_object_add(o, "active", json_object_new_boolean(d->on));
	json_object_object_add(o, "reason", json_object_new_string(d->why));
	return o;
}

void pg_api_get_status(struct pg_api *api, const struct pg_api_req *req, struct pg_api_resp *resp)
{
	const struct pg_engine_config *ec = &api->env.cfg->engine;
	struct pg_api_snap *snap = malloc(sizeof(*snap));
	struct json_object *o, *links, *c, *pt;

	(void)req;
	if (!snap) {
		pg_api_error(resp, 500, NULL, "out of memory");
		return;
	}
	pg_api_snapshot(api, snap);
	o = json_object_new_object();
	json_object_object_add(o, "version", json_object_new_string(PG_VERSION));
	json_object_object_add(o, "uptime_s",
			       json_object_new_uint64((api->now_ms - api->env.start_ms) / 1000));
	json_object_object_add(o, "flows", json_object_new_int64(snap->flows));
	json_object_object_add(o, "max_flows", json_object_new_int64(ec->max_flows));
	json_object_object_add(o, "workers", json_object_new_int64(api->env.engines->n));
	json_object_object_add(o, "config_file", api->env.cfg_path
							 ? json_object_new_string(api->env.cfg_path)
							 : NULL);
	links = json_object_new_array();
	json_object_array_add(links, link_json(api, snap, PG_SIDE_LAN));
	json_object_array_add(links, link_json(api, snap, PG_SIDE_WAN));
	json_object_object_add(o, "interfaces", links);
	json_object_object_add(o, "wan", pg_api_wan_json(api));
	pt = json_object_new_object();
	json_object_object_add(pt, "pptp", json_object_new_boolean(ec->pptp_passthrough));
	json_object_object_add(pt, "ipsec", json_object_new_boolean(ec->ipsec_passthrough));
	json_object_object_add(pt, "l2tp", json_object_new_boolean(ec->l2tp_passthrough));
	json_object_object_add(o, "passthrough", pt);
	json_object_object_add(o, "offload", offload_json(api));
	/* null when [sync] is off */
	json_object_object_add(o, "sync", pg_api_sync_json(snap));
	json_object_object_add(o, "ha", pg_api_ha_json(api)); /* the VRRP role */
	if (snap->has_dp) {
		json_object_object_add(o, "passes", passes_json(&snap->dp.pass));
		json_object_object_add(o, "control_jobs", passes_json(&snap->dp.job));
	}
	json_object_object_add(o, "shaper", pg_api_shaper_json(api));
	/* A change on probation and the last rollback (api_safe.c). */
	pg_api_safe_json(api, o);
	/* Every counter by its stable name, drop reasons included, zeros too. */
	c = json_object_new_object();
	for (unsigned int i = 1; i < PG_CNT__COUNT; i++)
		json_object_object_add(c, pg_counter_name(i), json_object_new_uint64(snap->cnt[i]));
	json_object_object_add(o, "counters", c);
	free(snap);
	pg_api_json(resp, 200, o);
}

/* ?limit=N within 1..max, default def; false (resp filled) when malformed. */
static bool limit_arg(const struct pg_api_req *req, unsigned int def, unsigned int max,
		      unsigned int *out, struct pg_api_resp *resp)
{
	const char *v = pg_api_arg(req, "limit");
	uint32_t n;

	*out = def;
	if (!v)
		return true;
	if (pg_config_parse_u32(v, &n) || n < 1 || n > max) {
		pg_api_error(resp, 400, "limit", "limit: expected a whole number from 1 to %u",
			     max);
		return false;
	}
	*out = n;
	return true;
}

static struct json_object *flow_json(const struct pg_flow_info *f)
{
	struct json_object *o = json_object_new_object(), *a;
	bool v6 = f->family == 6;

	json_object_object_add(o, "proto", json_object_new_string(pg_proto_name(f->proto)));
	if (f->proto == PG_PROTO_TCP)
		json_object_object_add(o, "state",
				       json_object_new_string(pg_tcp_state_name(f->tcp_state)));
	if (f->alg)
		json_object_object_add(o, "helper", json_object_new_string(pg_alg_name(f->alg)));
	json_object_object_add(o, "direction",
			       json_object_new_string(f->hairpin	? "hairpin"
						      : f->from_wan ? "inbound"
								    : "outbound"));
	json_object_object_add(o, "family", json_object_new_int(v6 ? 6 : 4));
	json_object_object_add(o, "lan", v6 ? pg_api_addr6(f->lan6) : pg_api_addr(f->lan_addr));
	json_object_object_add(o, "lan_port", json_object_new_int(f->lan_port));
	json_object_object_add(o, "remote",
			       v6 ? pg_api_addr6(f->remote6) : pg_api_addr(f->remote_addr));
	json_object_object_add(o, "remote_port", json_object_new_int(f->remote_port));
	/* IPv6 is not translated: the LAN port is the one the remote end sees. */
	json_object_object_add(o, "public_port",
			       json_object_new_int(v6 ? f->lan_port : f->pub_port));
	if (f->spi_out || f->spi_in) {
		json_object_object_add(o, "spi_out", json_object_new_int64(f->spi_out));
		json_object_object_add(o, "spi_in", json_object_new_int64(f->spi_in));
	}
	json_object_object_add(o, "idle_s", json_object_new_int64(f->idle_s));
	json_object_object_add(o, "expires_s", json_object_new_int64(f->expires_s));
	a = json_object_new_array();
	json_object_array_add(a, json_object_new_uint64(f->pkts[0]));
	json_object_array_add(a, json_object_new_uint64(f->pkts[1]));
	json_object_object_add(o, "packets", a);
	a = json_object_new_array();
	json_object_array_add(a, json_object_new_uint64(f->bytes[0]));
	json_object_array_add(a, json_object_new_uint64(f->bytes[1]));
	json_object_object_add(o, "bytes", a);
	return o;
}

void pg_api_get_flows(struct pg_api *api, const struct pg_api_req *req, struct pg_api_resp *resp)
{
	struct pg_flow_filter flt;
	struct pg_flow_info *buf;
	struct json_object *o, *arr;
	const char *v;
	uint32_t cursor = 0, total;
	unsigned int limit, n;

	if (pg_api_flow_query(api, req, false, &flt, resp))
		return;
	if ((v = pg_api_arg(req, "cursor")) && pg_config_parse_u32(v, &cursor)) {
		pg_api_error(resp, 400, "cursor", "cursor: expected the 'next' of the last page");
		return;
	}
	if (!limit_arg(req, PG_API_FLOWS_PAGE, PG_API_FLOWS_PAGE_MAX, &limit, resp))
		return;
	buf = calloc(limit, sizeof(*buf));
	if (!buf) {
		pg_api_error(resp, 500, NULL, "out of memory");
		return;
	}
	n = pg_api_flows(api, &flt, &cursor, buf, limit, &total);
	o = json_object_new_object();
	arr = json_object_new_array();
	for (unsigned int i = 0; i < n; i++)
		json_object_array_add(arr, flow_json(&buf[i]));
	free(buf);
	json_object_object_add(o, "flows", arr);
	json_object_object_add(o, "next", cursor ? json_object_new_int64(cursor) : NULL);
	json_object_object_add(o, "total", json_object_new_int64(total));
	pg_api_json(resp, 200, o);
}

const char *pg_api_vpn_kind_name(uint8_t k)
{
	switch (k) {
	case PG_VPN_PPTP:
		return "pptp";
	case PG_VPN_IKE:
		return "ike";
	case PG_VPN_NATT:
		return "nat-t";
	case PG_VPN_ESP:
		return "esp";
	case PG_VPN_L2TP:
		return "l2tp";
	default:
		return "?";
	}
}

static struct json_object *session_json(const struct pg_vpn_session *s)
{
	struct json_object *o = json_object_new_object(), *a;

	json_object_object_add(o, "kind", json_object_new_string(pg_api_vpn_kind_name(s->kind)));
	json_object_object_add(o, "client", pg_api_addr(s->client));
	json_object_object_add(o, "client_port", json_object_new_int(s->client_port));
	json_object_object_add(o, "server", pg_api_addr(s->server));
	json_object_object_add(o, "server_port", json_object_new_int(s->server_port));
	json_object_object_add(o, "public_port", json_object_new_int(s->pub_port));
	json_object_object_add(o, "state", json_object_new_string(s->state ? s->state : ""));
	if (s->kind == PG_VPN_PPTP)
		json_object_object_add(o, "calls", json_object_new_int64(s->calls));
	if (s->spi_out || s->spi_in) {
		json_object_object_add(o, "spi_out", json_object_new_int64(s->spi_out));
		json_object_object_add(o, "spi_in", json_object_new_int64(s->spi_in));
	}
	json_object_object_add(o, "since_s", json_object_new_int64(s->since_s));
	json_object_object_add(o, "idle_s", json_object_new_int64(s->idle_s));
	a = json_object_new_array();
	json_object_array_add(a, json_object_new_uint64(s->bytes[0]));
	json_object_array_add(a, json_object_new_uint64(s->bytes[1]));
	json_object_object_add(o, "bytes", a);
	return o;
}

void pg_api_get_sessions(struct pg_api *api, const struct pg_api_req *req,
			 struct pg_api_resp *resp)
{
	struct pg_vpn_session *buf;
	struct json_object *o, *arr;
	uint32_t cursor = 0;
	const char *v;
	unsigned int limit, n;

	if ((v = pg_api_arg(req, "cursor")) && pg_config_parse_u32(v, &cursor)) {
		pg_api_error(resp, 400, "cursor", "cursor: expected the 'next' of the last page");
		return;
	}
	if (!limit_arg(req, PG_API_FLOWS_PAGE_MAX, PG_API_FLOWS_PAGE_MAX, &limit, resp))
		return;
	buf = calloc(limit, sizeof(*buf));
	if (!buf) {
		pg_api_error(resp, 500, NULL, "out of memory");
		return;
	}
	n = pg_api_sessions(api, &cursor, buf, limit);
	o = json_object_new_object();
	arr = json_object_new_array();
	for (unsigned int i = 0; i < n; i++)
		json_object_array_add(arr, session_json(&buf[i]));
	free(buf);
	json_object_object_add(o, "sessions", arr);
	json_object_object_add(o, "next", cursor ? json_object_new_int64(cursor) : NULL);
	pg_api_json(resp, 200, o);
}
