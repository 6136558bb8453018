/* SPDX-License-Identifier: MIT */
/*
 * wan6.c - the WAN's SLAAC IPv6 address applied where it is needed.
 *
 * DOC: Theory of operation
 *
 * Neighbour discovery on the WAN link forms the address from the ISP's
 * router advertisements and moves it when the ISP renumbers (l2/slaac.c);
 * it answers solicitations for it at once. Once per pass this file
 * compares that address with the one applied and, when it differs, gives
 * the engines the settings with [wan] address6 set to it (so they answer
 * pings to it, send ICMPv6 errors from it and know which inbound packets
 * are the host's: forward6.c) and moves the host path's WAN device to it
 * with its default route (dp/hostpath.c), exactly as a static address is
 * set at start. Like wan.c's and pd.c's overlays, every reconfiguration
 * (a DHCP lease, a delegated prefix, a reload) puts it in again.
 */
#include <string.h>

#include "dp/datapath.h"
#include "dp/wan6.h"
#include "engine/parse6.h"
#include "l2/nd.h"
#include "util/log.h"

void pg_wan6_start(struct pg_datapath *dp, const struct pg_config *cfg)
{
	struct pg_wan6 *w = &dp->wan6;

	memset(w, 0, sizeof(*w));
	if (!cfg->ipv6.wan_slaac || !dp->link[PG_SIDE_WAN].port.nd)
		return;
	w->on = true;
	w->base = cfg->engine;
}

void pg_wan6_overlay(struct pg_wan6 *w, struct pg_engine_config *ec)
{
	if (!w->on)
		return;
	memcpy(ec->wan6_addr, w->addr, 16);
	ec->wan6_prefix = pg_ip6_is_unspecified(w->addr) ? 0 : 64;
}

void pg_wan6_tick(struct pg_datapath *dp, uint64_t now_ms)
{
	struct pg_wan6 *w = &dp->wan6;
	const struct pg_nd *nd = dp->link[PG_SIDE_WAN].port.nd;
	struct pg_engine_config ec;
	char err[200];
	int r;

	(void)now_ms;
	if (!w->on || !nd || !memcmp(w->addr, nd->cfg.addr, 16))
		return;
	memcpy(w->addr, nd->cfg.addr, 16);
	w->changes++;
	ec = w->base;
	pg_wan_overlay(&dp->wan, &ec);
	pg_pd_overlay(&dp->pd, &ec);
	pg_wan6_overlay(w, &ec);
	r = pg_engines_reconfigure(dp->engines, &ec);
	if (r)
		pg_err("IPv6: the engines refused the WAN's SLAAC address: %s", strerror(-r));
	/* The host's own IPv6 leaves from the address the engines know, or not at all. */
	if (pg_hostpath_set_wan6(&dp->host, w->addr, r ? 0 : ec.wan6_prefix, err, sizeof(err)))
		pg_err("IPv6: %s", err);
}
