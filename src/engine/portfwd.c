/* SPDX-License-Identifier: MIT */
/*
 * portfwd.c - unsolicited inbound traffic for LAN servers: port forwards
 * (TCP and UDP ports or ranges, GRE and ESP by protocol) and the DMZ host.
 *
 * DOC: Theory of operation
 *
 * Forwards own unsolicited inbound traffic only. An inbound packet first
 * looks for its flow, so sessions LAN hosts started (passthrough included)
 * keep working whatever the forwards say; only a packet no flow claims is
 * offered to the forwards, then (ESP) to the IPsec helper's SPI learning,
 * then to the NAT mappings and filtering, and last to the DMZ host. The
 * public ports of TCP and UDP forwards are reserved: no outbound mapping is
 * ever given one, so a LAN client using source port 500 while UDP 500 is
 * forwarded simply gets another public port. A flow made for a forward or
 * the DMZ answers from the forwarded port, like any flow.
 *
 * IPv6 pinholes (v6 rules) live in the same list but translate nothing
 * (a host written as a suffix, "::10", is that interface identifier under
 * the LAN prefix of the moment, so it follows a delegated prefix):
 * the IPv4 side never looks at them, forward6.c asks pg_portfwd_pinhole6()
 * whether a new inbound flow may pass its firewall. Every LAN host has an
 * address of its own, so two pinholes clash only when they open the same
 * protocol and ports to the same host.
 */
#include <arpa/inet.h>
#include <string.h>

#include "engine/engine_internal.h"
#include "engine/parse6.h"
#include "util/inet.h"

static bool ported_rule(const struct pg_port_forward *r)
{
	return r->proto == PG_PROTO_TCP || r->proto == PG_PROTO_UDP;
}

static bool rules_clash(const struct pg_port_forward *a, const struct pg_port_forward *b)
{
	if (a->proto != b->proto || a->v6 != b->v6)
		return false;
	if (a->v6 && memcmp(a->host6, b->host6, 16))
		return false; /* two hosts, two addresses: nothing shared */
	if (!ported_rule(a))
		return true; /* one GRE or ESP forward each */
	return a->wan_lo <= b->wan_hi && b->wan_lo <= a->wan_hi;
}

bool pg_portfwd_is_suffix6(const uint8_t *h)
{
	static const uint8_t zero[8];

	return !memcmp(h, zero, 8) && !pg_ip6_is_unspecified(h);
}

void pg_portfwd_host6_at(const uint8_t *suffix, const uint8_t *prefix, unsigned int len,
			 uint8_t out[16])
{
	for (unsigned int i = 0; i < 16; i++) {
		unsigned int bits = len > i * 8 ? len - i * 8 : 0;
		uint8_t m = bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));

		out[i] = (uint8_t)((prefix[i] & m) | (suffix[i] & ~m));
	}
}

/*
 * The host of a pinhole: a global unicast address, in the LAN's prefix when
 * one is known (a delegated prefix may be absent or change: then a pinhole
 * outside it is inert, since nothing from the WAN for it gets that far).
 */
static const char *pinhole_host_check(const struct pg_engine_config *c, const uint8_t *h)
{
	uint8_t at[16];

	/* "::10": the interface identifier under whatever the LAN prefix is. */
	if (pg_portfwd_is_suffix6(h)) {
		if (c->lan6_prefix > 64)
			return "an IPv6 forward's host suffix (such as ::10) needs a LAN prefix of /64 "
			       "or shorter";
		pg_portfwd_host6_at(h, c->lan6_addr, c->lan6_prefix, at);
		/* With pd the gateway is ::1 of the /64 (dp/pd.c). */
		if ((c->lan6_prefix && !memcmp(at, c->lan6_addr, 16)) ||
		    (!c->lan6_prefix && pg_ip6_is_loopback(h)))
			return "the IPv6 forward's host suffix is the gateway's own address";
		return NULL;
	}
	if (pg_ip6_is_unspecified(h) || pg_ip6_is_multicast(h) || pg_ip6_is_linklocal(h) ||
	    pg_ip6_is_loopback(h))
		return "an IPv6 forward's host must be a global unicast address";
	if (c->lan6_prefix &&
	    (!pg_ip6_in_prefix(h, c->lan6_addr, c->lan6_prefix) || !memcmp(h, c->lan6_addr, 16)))
		return "the IPv6 forward's host is not a host of the LAN's IPv6 prefix";
	return NULL;
}

int pg_portfwd_rule_check(const struct pg_engine_config *c, const struct pg_port_forward *r,
			  const char **why)
{
	uint32_t mask = pg_prefix_mask(c->lan_prefix);

	*why = NULL;
	if (r->v6 && (*why = pinhole_host_check(c, r->host6)))
		return -1;
	if (r->v6 && (r->lan_lo != r->wan_lo || r->lan_hi != r->wan_hi))
		*why = "IPv6 is not translated: an IPv6 forward opens the host's own ports "
		       "(no LAN ports)";
	/* The WAN address as host: the gateway's own stack (local.c). */
	else if (!r->v6 && r->host != c->wan_addr && (((r->host ^ c->lan_addr) & mask) || r->host == c->lan_addr))
		*why = "the forward's host is neither a LAN host nor the gateway";
	else if (r->proto != PG_PROTO_TCP && r->proto != PG_PROTO_UDP &&
		 r->proto != PG_PROTO_GRE && r->proto != PG_PROTO_ESP)
		*why = "forwards are for tcp, udp, gre or esp";
	else if (ported_rule(r) && (!r->wan_lo || r->wan_lo > r->wan_hi || !r->lan_lo ||
				    r->lan_lo > r->lan_hi))
		*why = "port ranges must be 1..65535, low to high";
	else if (ported_rule(r) && r->lan_hi != r->lan_lo &&
		 r->lan_hi - r->lan_lo != r->wan_hi - r->wan_lo)
		*why = "a LAN port range must be as long as the WAN range";
	return *why ? -1 : 0;
}

int pg_portfwd_conflict(const struct pg_engine_config *c, unsigned int *first, unsigned int *second)
{
	for (unsigned int j = 1; j < c->nforwards; j++)
		for (unsigned int i = 0; i < j; i++)
			if (rules_clash(&c->forwards[i], &c->forwards[j])) {
				*first = i;
				*second = j;
				return -1;
			}
	return 0;
}

void pg_portfwd_reserve(struct pg_engine *e)
{
	for (int s = 0; s < PG_PORTS__COUNT; s++)
		memset(e->ports_reserved[s], 0, 65536 / 8);
	for (unsigned int i = 0; i < e->cfg.nforwards; i++) {
		const struct pg_port_forward *r = &e->cfg.forwards[i];
		uint64_t *bm;

		if (!ported_rule(r) || r->v6)
			continue;
		bm = e->ports_reserved[r->proto == PG_PROTO_TCP ? PG_PORTS_TCP : PG_PORTS_UDP];
		for (uint32_t p = r->wan_lo; p <= r->wan_hi; p++)
			bm[p >> 6] |= 1ULL << (p & 63);
	}
	/* Reserved ports are not free for mappings: the counts follow. */
	pg_nat_recount(e);
}

const struct pg_port_forward *pg_portfwd_rule(const struct pg_engine *e, uint8_t proto,
					      uint16_t dport)
{
	uint16_t port = ntohs(dport);

	for (unsigned int i = 0; i < e->cfg.nforwards; i++) {
		const struct pg_port_forward *r = &e->cfg.forwards[i];

		if (r->proto != proto || r->v6)
			continue;
		if (!ported_rule(r) || (port >= r->wan_lo && port <= r->wan_hi))
			return r;
	}
	return NULL;
}

bool pg_portfwd_pinhole6(const struct pg_engine *e, uint8_t proto, const uint8_t *host,
			 uint16_t dport)
{
	uint16_t port = ntohs(dport);

	for (unsigned int i = 0; i < e->cfg.nforwards; i++) {
		const struct pg_port_forward *r = &e->cfg.forwards[i];
		uint8_t at[16];

		if (!r->v6 || r->proto != proto)
			continue;
		/* A suffix follows the LAN prefix: a renumbered host keeps its pinhole. */
		if (pg_portfwd_is_suffix6(r->host6)) {
			if (!e->cfg.lan6_prefix)
				continue;
			pg_portfwd_host6_at(r->host6, e->cfg.lan6_addr, e->cfg.lan6_prefix, at);
			if (memcmp(at, host, 16))
				continue;
		} else if (memcmp(r->host6, host, 16)) {
			continue;
		}
		if (!ported_rule(r) || (port >= r->wan_lo && port <= r->wan_hi))
			return true;
	}
	return false;
}

/* Portless protocols keep one flow per (LAN host, remote): address keys. */
static uint16_t addr_key(const struct pg_parsed *p)
{
	if (p->proto == PG_PROTO_GRE)
		return p->gre_version == 1 ? PG_GRE_V1_ADDR : 0;
	return PG_ESP_ADDR;
}

struct pg_flow *pg_portfwd_match(struct pg_engine *e, struct pg_pkt *pkt,
				  const struct pg_parsed *p, uint64_t now_ms, bool *claimed)
{
	const struct pg_port_forward *r = NULL;
	uint32_t now_s = pg_secs_ceil(now_ms);
	uint16_t lport, sport = p->sport;

	*claimed = false;
	if (p->proto == PG_PROTO_TCP || p->proto == PG_PROTO_UDP || p->proto == PG_PROTO_GRE ||
	    p->proto == PG_PROTO_ESP)
		r = pg_portfwd_rule(e, p->proto, p->dport);
	if (!r)
		return NULL;
	*claimed = true;
	if (p->proto == PG_PROTO_TCP && (p->tcp_flags & (PG_TCP_SYN | PG_TCP_ACK)) != PG_TCP_SYN) {
		pg_drop(e, pkt, PG_CNT_DROP_TCP_NO_FLOW);
		return NULL;
	}
	if (p->ttl <= 1) {
		pg_drop(e, pkt, PG_CNT_DROP_TTL_EXCEEDED);
		pg_icmp_error(e, pkt, PG_ICMP_TIME_EXCEEDED, 0, 0, now_ms);
		return NULL;
	}
	if (!pg_flow_make_room(e)) {
		pg_drop(e, pkt, PG_CNT_DROP_TABLE_FULL);
		return NULL;
	}
	pg_count(e, PG_CNT_FORWARDED_NEW);
	if (!ported_rule(r)) {
		lport = sport = addr_key(p);
		return pg_flow_new(e, pkt, p->proto, r->host, lport, p->saddr, sport, PG_NONE, lport,
				   now_s);
	}
	lport = r->lan_lo == r->lan_hi
			? htons(r->lan_lo)
			: htons((uint16_t)(r->lan_lo + (ntohs(p->dport) - r->wan_lo)));
	return pg_flow_new(e, pkt, p->proto, r->host, lport, p->saddr, sport, PG_NONE, p->dport,
			   now_s);
}

struct pg_flow *pg_dmz(struct pg_engine *e, struct pg_pkt *pkt, const struct pg_parsed *p,
		       uint64_t now_ms)
{
	uint32_t now_s = pg_secs_ceil(now_ms), mapping = PG_NONE;
	uint16_t key;

	if (!e->cfg.dmz_host || p->proto == PG_PROTO_ICMP || p->ttl <= 1)
		return NULL;
	if (p->proto == PG_PROTO_TCP && (p->tcp_flags & (PG_TCP_SYN | PG_TCP_ACK)) != PG_TCP_SYN)
		return NULL;
	if (!pg_flow_make_room(e))
		return NULL;
	pg_count(e, PG_CNT_DMZ_NEW);
	if (p->proto == PG_PROTO_TCP || p->proto == PG_PROTO_UDP) {
		/* The DMZ host answers from the port it was reached on. */
		mapping = pg_mapping_get_fixed(e, p->proto, e->cfg.dmz_host, p->dport);
		if (mapping == PG_NONE)
			return NULL;
		return pg_flow_new(e, pkt, p->proto, e->cfg.dmz_host, p->dport, p->saddr, p->sport,
				   mapping, p->dport, now_s);
	}
	key = p->proto == PG_PROTO_GRE || p->proto == PG_PROTO_ESP ? addr_key(p) : 0;
	return pg_flow_new(e, pkt, p->proto, e->cfg.dmz_host, key, p->saddr, key, PG_NONE, key,
			   now_s);
}
