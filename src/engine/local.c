/* SPDX-License-Identifier: MIT */
/*
 * local.c - the gateway's own traffic: which packets go up to the host
 * stack (the host path) and which are refused.
 *
 * DOC: Theory of operation
 *
 * The engine answers pings and ARP is layer 2's; everything else for the
 * gateway's addresses belongs to programs on the host stack (the admin page,
 * DHCP, DNS, SSH, a VPN server). From the LAN such a packet goes up when the
 * input policy (cfg.lan_input) admits its protocol and destination port;
 * ICMP always goes up (errors about the host's own connections). LAN traffic
 * to a prefix the host routes (cfg.host_routes: a VPN server's clients) goes
 * up without policy: the host forwards it.
 *
 * The host's own connections to the WAN are translated like a LAN host's
 * whose inside address is the WAN address: the host stack's source ports
 * need not avoid the NAT's, and answers are told apart by their mapping.
 * From the WAN nothing reaches the host unless a port forward names the WAN
 * address as its host ([input] wan); over IPv6 the same rules open the WAN
 * IPv6 address (pg_local_admit_wan(), forward6.c). Either way the answer or the forwarded packet leaves
 * forwarding addressed to the WAN address; pg_local_settle() turns it up.
 *
 * The router's own VPN client (cfg.tunnel): a selected LAN host's packet
 * that would leave the LAN goes up as it is, before any flow lookup (the
 * fast path declines these sources), so no mapping is ever made for it and
 * nothing of it leaves in the clear; the host stack routes it into the
 * tunnel by its source (policy routing, ctl/tunnel_host.c). While the
 * tunnel is down the kill switch drops it here, counted.
 */
#include <arpa/inet.h>
#include <string.h>

#include "engine/engine_internal.h"
#include "util/inet.h"


int pg_local_config_check(const struct pg_engine_config *c, const char **why)
{
	uint32_t lan_mask = pg_prefix_mask(c->lan_prefix);

	*why = NULL;
	if (c->nlan_input > PG_MAX_INPUT_RULES)
		*why = "too many input rules";
	else if (c->nhost_routes > PG_MAX_HOST_ROUTES)
		*why = "too many host routes";
	for (unsigned int i = 0; !*why && i < c->nlan_input; i++) {
		const struct pg_input_rule *r = &c->lan_input[i];
		bool ported = r->proto == PG_PROTO_TCP || r->proto == PG_PROTO_UDP;

		if (!r->proto)
			*why = "an input rule needs a protocol";
		else if (ported && (!r->lo || r->lo > r->hi))
			*why = "input rule ports must be 1..65535, low to high";
		else if (!ported && (r->lo || r->hi))
			*why = "input rules have ports only for tcp and udp";
	}
	if (c->ntunnel_route > PG_MAX_TUNNEL_PREFIXES || c->ntunnel_bypass > PG_MAX_TUNNEL_PREFIXES)
		*why = "too many tunnel prefixes";
	for (unsigned int i = 0; !*why && i < c->ntunnel_route + c->ntunnel_bypass; i++) {
		const struct pg_host_route *h = i < c->ntunnel_route ?
							&c->tunnel_route[i] :
							&c->tunnel_bypass[i - c->ntunnel_route];
		uint32_t m = pg_prefix_mask(h->prefix);

		if (h->prefix > 32 || (h->addr & ~m))
			*why = "a tunnel prefix has bits set past its length";
		else if (h->prefix < c->lan_prefix ||
			 ((h->addr ^ c->lan_addr) & lan_mask) != 0)
			*why = "tunnel route and bypass name LAN hosts or prefixes inside the LAN";
	}
	for (unsigned int i = 0; !*why && i < c->nhost_routes; i++) {
		const struct pg_host_route *h = &c->host_routes[i];
		uint32_t m = pg_prefix_mask(h->prefix);

		if (h->prefix < 8 || h->prefix > 32)
			*why = "a host route's prefix must be 8..32";
		else if (h->addr & ~m)
			*why = "a host route has bits set past its prefix";
		else if (((h->addr ^ c->lan_addr) & (m & lan_mask)) == 0)
			*why = "a host route overlaps the LAN";
		else if (((h->addr ^ c->wan_addr) & m) == 0)
			*why = "a host route holds the WAN address";
	}
	return *why ? -1 : 0;
}

bool pg_local_route(const struct pg_engine *e, uint32_t dst)
{
	for (unsigned int i = 0; i < e->cfg.nhost_routes; i++) {
		const struct pg_host_route *h = &e->cfg.host_routes[i];

		if (((dst ^ h->addr) & pg_prefix_mask(h->prefix)) == 0)
			return true;
	}
	return false;
}

static bool in_list(const struct pg_host_route *l, unsigned int n, uint32_t a)
{
	for (unsigned int i = 0; i < n; i++)
		if (((a ^ l[i].addr) & pg_prefix_mask(l[i].prefix)) == 0)
			return true;
	return false;
}

bool pg_local_tunnelled(const struct pg_engine *e, uint32_t src)
{
	const struct pg_engine_config *c = &e->cfg;

	if (!c->tunnel)
		return false;
	/* route = all is the LAN's hosts: never the host stack's own (WAN address). */
	if (c->tunnel_all ? ((src ^ c->lan_addr) & e->lan_mask) != 0 || src == c->lan_addr :
			    !in_list(c->tunnel_route, c->ntunnel_route, src))
		return false;
	return !in_list(c->tunnel_bypass, c->ntunnel_bypass, src);
}

bool pg_local_tunnel(struct pg_engine *e, struct pg_pkt *pkt)
{
	if (!e->tunnel_up) {
		if (!e->cfg.tunnel_killswitch)
			return false;
		pg_drop(e, pkt, PG_CNT_DROP_TUNNEL_DOWN);
		return true;
	}
	pkt->verdict = PG_VERDICT_TO_GW;
	pkt->next_hop = 0;
	pg_count(e, PG_CNT_TUNNELLED);
	pg_count(e, PG_CNT_TO_GW);
	return true;
}

void pg_engine_set_tunnel_up(struct pg_engine *e, bool up)
{
	/*
	 * Flows the XDP program forwards never reach the check above: when the
	 * tunnel comes or goes, take them all back; the next packet of each
	 * decides again (offload.c offers no tunnelled host's flow).
	 */
	if (up != e->tunnel_up && e->offload_on)
		pg_offload_flush(e);
	e->tunnel_up = up;
}

bool pg_local_admit(const struct pg_engine *e, const struct pg_parsed *p)
{
	uint16_t port = ntohs(p->dport);

	if (p->proto == PG_PROTO_ICMP)
		return true;
	for (unsigned int i = 0; i < e->cfg.nlan_input; i++) {
		const struct pg_input_rule *r = &e->cfg.lan_input[i];

		if (r->proto != p->proto)
			continue;
		if (p->proto != PG_PROTO_TCP && p->proto != PG_PROTO_UDP)
			return true;
		if (port >= r->lo && port <= r->hi)
			return true;
	}
	/* A service opened to the WAN is open to the LAN as well. */
	for (unsigned int i = 0; i < e->cfg.nforwards; i++) {
		const struct pg_port_forward *f = &e->cfg.forwards[i];

		if (!f->v6 && f->host == e->cfg.wan_addr && f->proto == p->proto &&
		    (p->proto == PG_PROTO_GRE || p->proto == PG_PROTO_ESP ||
		     (port >= f->lan_lo && port <= f->lan_hi)))
			return true;
	}
	return false;
}

bool pg_local_admit_wan(const struct pg_engine *e, uint8_t proto, uint16_t dport)
{
	const struct pg_port_forward *r = pg_portfwd_rule(e, proto, dport);

	/* [input] wan rules are the forwards to the WAN address (conf/config_host.c). */
	return r && r->host && r->host == e->cfg.wan_addr;
}

void pg_local_settle(struct pg_engine *e, struct pg_pkt *pkt)
{
	uint32_t dst;

	if (pkt->verdict != PG_VERDICT_TO_LAN)
		return;
	memcpy(&dst, pkt->l3 + PG_IP_OFF_DADDR, sizeof(dst));
	if (dst != e->cfg.wan_addr)
		return;
	pkt->verdict = PG_VERDICT_TO_GW;
	pkt->next_hop = 0;
	pg_count(e, PG_CNT_TO_GW);
}
