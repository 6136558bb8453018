/* SPDX-License-Identifier: MIT */
/*
 * nd.c - IPv6 neighbour discovery on one link (RFC 4861), beside ARP.
 *
 * DOC: Theory of operation
 *
 * The links carry no kernel IPv6 (docs/INTERFACES.md), so passgated is the
 * link's IPv6 node and router:
 * - Receive: an IPv6 frame whose payload is an ICMPv6 discovery message
 *   (router solicitation/advertisement, neighbour solicitation/
 *   advertisement, redirect) right after the fixed header is handled here
 *   after RFC 4861's validation (hop limit 255, code 0, checksum, length,
 *   options of non-zero length; drop_nd_invalid otherwise). Everything else
 *   goes to the engine.
 * - Our addresses: the link-local address from the MAC (EUI-64) and the
 *   configured global one. A solicitation for either is answered with an
 *   advertisement (router flag set, solicited unless it was duplicate
 *   address detection, which gets a multicast answer that defends it).
 * - Neighbours: a solicitation or advertisement with a link-layer option
 *   teaches the cache; a next hop not known is solicited at its
 *   solicited-node group, once a second, three times, holding the latest
 *   packet (RFC 4861 7.2.2 asks for at least one); known neighbours older
 *   than REACHABLE_TIME are probed again by unicast while still used.
 * - LAN: router advertisements to all nodes, three quickly after start and
 *   then every 200 s, and in answer to solicitations (at most once a
 *   second): the gateway as default router, the LAN prefix on-link and for
 *   SLAAC (a /64), the link MTU, and a DNS server (RDNSS, RFC 8106) when
 *   one is configured.
 * - WAN: router solicitations at start (three, 4 s apart) until an
 *   advertisement comes; the advertising router becomes the default router
 *   for as long as its lifetime says (a configured gateway6 overrides it),
 *   and the /64s it announces for SLAAC are offered to l2/slaac.c, which
 *   says which one the WAN address is in (moved when the ISP renumbers).
 * Duplicate address detection of our own addresses is not done: the
 * addresses are configured, and a conflict shows up as an advertisement
 * for them from someone else, which is ignored.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/parse6.h"
#include "l2/nd.h"
#include "l2/port.h"
#include "l2/slaac.h"
#include "util/log.h"
#include "util/wire.h"

#define HLIM_ND 255
#define OPT_SLLA 1
#define OPT_TLLA 2
#define OPT_PREFIX 3
#define OPT_MTU 5
#define OPT_RDNSS 25
#define NA_ROUTER 0x80
#define NA_SOLICITED 0x40
#define NA_OVERRIDE 0x20
#define PI_ONLINK 0x80
#define PI_AUTO 0x40

static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 };
static const uint8_t all_routers[16] = { 0xff, 0x02, [15] = 2 };

static bool zero16(const uint8_t *a)
{
	return pg_ip6_is_unspecified(a);
}

static void put16(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static void put32(uint8_t *b, uint32_t v)
{
	put16(b, v >> 16);
	put16(b + 2, v);
}

/* The Ethernet group of an IPv6 multicast address (RFC 2464 section 7). */
static void multicast_mac(const uint8_t *ip, uint8_t mac[PG_ETH_ALEN])
{
	mac[0] = 0x33;
	mac[1] = 0x33;
	memcpy(mac + 2, ip + 12, 4);
}

/* ff02::1:ffXX:XXXX, the group a node listens on for solicitations of ip. */
static void solicited_node(const uint8_t *ip, uint8_t out[16])
{
	static const uint8_t base[13] = { 0xff, 0x02, [11] = 0x01, [12] = 0xff };

	memcpy(out, base, 13);
	memcpy(out + 13, ip + 13, 3);
}

/*
 * Build and send one ICMPv6 message (body of n bytes, checksum filled in)
 * from src to dst with hop limit 255, to dst_mac.
 */
static void send_icmp6(struct pg_port *p, const uint8_t *src, const uint8_t *dst,
		       const uint8_t *dst_mac, uint8_t *body, uint32_t n)
{
	uint8_t frame[PG_ETH_HLEN + PG_IP6_HLEN + 256];
	uint8_t *ip = frame + PG_ETH_HLEN;

	if (n > 256)
		return; /* our own messages are short; a bug, not wire input */
	pg_eth_write(frame, dst_mac, p->mac, PG_ETH_P_IPV6);
	memset(ip, 0, PG_IP6_HLEN);
	ip[0] = 0x60;
	put16(ip + PG_IP6_OFF_PLEN, n);
	ip[PG_IP6_OFF_NEXT] = PG_IP6_NH_ICMP6;
	ip[PG_IP6_OFF_HLIM] = HLIM_ND;
	memcpy(ip + PG_IP6_OFF_SADDR, src, 16);
	memcpy(ip + PG_IP6_OFF_DADDR, dst, 16);
	body[2] = body[3] = 0;
	{
		uint16_t c = pg_ip6_l4_csum(src, dst, PG_IP6_NH_ICMP6, body, n);

		memcpy(body + 2, &c, 2);
	}
	memcpy(ip + PG_IP6_HLEN, body, n);
	pg_port_transmit(p, frame, PG_ETH_HLEN + PG_IP6_HLEN + n);
}

/* A link-layer address option (source or target) with our MAC, at o (8 bytes). */
static uint32_t lla_opt(const struct pg_port *p, uint8_t *o, uint8_t type)
{
	o[0] = type;
	o[1] = 1;
	memcpy(o + 2, p->mac, PG_ETH_ALEN);
	return 8;
}

/* ---- the neighbour cache ---------------------------------------------------- */

static uint32_t home(const uint8_t *ip)
{
	uint32_t h = 2166136261u; /* FNV-1a: the cache is small and only holds on-link hosts */

	for (int i = 0; i < 16; i++)
		h = (h ^ ip[i]) * 16777619u;
	return h % PG_ND_ENTRIES;
}

static struct pg_nd_entry *find(struct pg_nd *nd, const uint8_t *ip)
{
	uint32_t h = home(ip);

	for (uint32_t k = 0; k < PG_ND_PROBE; k++) {
		struct pg_nd_entry *n = &nd->ent[(h + k) % PG_ND_ENTRIES];

		if (n->state != PG_ND_FREE && !memcmp(n->ip, ip, 16))
			return n;
	}
	return NULL;
}

static void drop_held(struct pg_port *p, struct pg_nd_entry *n)
{
	if (n->held < 0)
		return;
	p->nd->slots[n->held].used = false;
	n->held = -1;
	p->cnt[PG_L2_CNT_DROP_NEIGH_UNRESOLVED]++;
}

/* A free slot near ip's home, or the least recently used one there. */
static struct pg_nd_entry *make(struct pg_port *p, const uint8_t *ip)
{
	struct pg_nd *nd = p->nd;
	struct pg_nd_entry *victim = NULL;
	uint32_t h = home(ip);

	for (uint32_t k = 0; k < PG_ND_PROBE; k++) {
		struct pg_nd_entry *n = &nd->ent[(h + k) % PG_ND_ENTRIES];

		if (n->state == PG_ND_FREE) {
			victim = n;
			break;
		}
		if (!victim || n->used_ms < victim->used_ms)
			victim = n;
	}
	if (victim->state != PG_ND_FREE) {
		drop_held(p, victim);
		p->cnt[PG_L2_CNT_NEIGH_EVICTED]++;
	}
	memset(victim, 0, sizeof(*victim));
	memcpy(victim->ip, ip, 16);
	victim->held = -1;
	return victim;
}

static void send_held(struct pg_port *p, struct pg_nd_entry *n)
{
	struct pg_nd_slot *s;

	if (n->held < 0)
		return;
	s = &p->nd->slots[n->held];
	pg_eth_write(s->buf, n->mac, p->mac, PG_ETH_P_IPV6);
	pg_port_transmit(p, s->buf, PG_ETH_HLEN + s->len);
	s->used = false;
	n->held = -1;
}

/* A discovery message told us ip is at mac. create: it was for us, so learn anew. */
static void learn(struct pg_port *p, const uint8_t *ip, const uint8_t *mac, uint64_t now_ms,
		  bool create)
{
	struct pg_nd_entry *n = find(p->nd, ip);

	if (zero16(ip) || pg_ip6_is_multicast(ip))
		return;
	if (!n && !create)
		return;
	if (!n) {
		n = make(p, ip);
		n->used_ms = now_ms;
	}
	memcpy(n->mac, mac, PG_ETH_ALEN);
	n->state = PG_ND_REACHABLE;
	n->confirmed_ms = now_ms;
	n->tries = 0;
	p->cnt[PG_L2_CNT_NEIGH_LEARNED]++;
	send_held(p, n);
}

/* A neighbour solicitation for target: multicast to its group, or unicast to probe. */
static void solicit(struct pg_port *p, const struct pg_nd_entry *n, bool unicast)
{
	uint8_t body[32] = { PG_ICMP6_NEIGH_SOLICIT }, dst[16], mac[PG_ETH_ALEN];

	memcpy(body + 8, n->ip, 16);
	lla_opt(p, body + 24, OPT_SLLA);
	if (unicast) {
		memcpy(dst, n->ip, 16);
		memcpy(mac, n->mac, PG_ETH_ALEN);
	} else {
		solicited_node(n->ip, dst);
		multicast_mac(dst, mac);
	}
	send_icmp6(p, p->nd->ll, dst, mac, body, sizeof(body));
	p->cnt[PG_L2_CNT_ND_NS_SENT]++;
}

/* ---- what we send on our own -------------------------------------------------- */

/* Seconds from now to end (ms), at most cap; 0 once past. */
static uint32_t left_s(uint64_t end, uint64_t now_ms, uint32_t cap)
{
	uint64_t s;

	if (!end)
		return cap;
	if (end <= now_ms)
		return 0;
	s = (end - now_ms) / 1000;
	return s < cap ? (uint32_t)s : cap;
}

/* A prefix information option for prefix/len at o (32 bytes). */
static uint32_t prefix_opt(uint8_t *o, const uint8_t *prefix, uint8_t len, uint32_t valid,
			   uint32_t preferred)
{
	unsigned int bytes = len / 8;

	o[0] = OPT_PREFIX;
	o[1] = 4;
	o[2] = len;
	/* SLAAC makes addresses from a /64 only (RFC 4862 5.5.3, RFC 4291 2.5.1). */
	o[3] = (uint8_t)(PI_ONLINK | (len == 64 ? PI_AUTO : 0));
	put32(o + 4, valid);
	put32(o + 8, preferred);
	memcpy(o + 16, prefix, bytes);
	if (len % 8)
		o[16 + bytes] = (uint8_t)(prefix[bytes] & (0xff00 >> (len % 8)));
	return 32;
}

static void send_ra(struct pg_port *p, uint64_t now_ms)
{
	struct pg_nd *nd = p->nd;
	const struct pg_nd_config *c = &nd->cfg;
	uint8_t body[256] = { PG_ICMP6_ROUTER_ADVERT }, mac[PG_ETH_ALEN];
	uint32_t n = 16;

	body[4] = 64; /* the hop limit hosts should use */
	/* No prefix of ours (a delegation not yet there or lost): not a default router. */
	put16(body + 6, zero16(c->addr) ? 0 : PG_ND_ROUTER_LIFETIME);
	n += lla_opt(p, body + n, OPT_SLLA);
	if (c->mtu) {
		body[n] = OPT_MTU;
		body[n + 1] = 1;
		put32(body + n + 4, c->mtu);
		n += 8;
	}
	if (!zero16(c->addr))
		n += prefix_opt(body + n, c->addr, c->prefix,
				left_s(nd->valid_end_ms, now_ms, PG_ND_VALID_LIFETIME),
				left_s(nd->preferred_end_ms, now_ms, PG_ND_PREFERRED_LIFETIME));
	for (unsigned int i = 0; i < PG_ND_DEPRECATED; i++) {
		struct pg_nd_deprecated *d = &nd->dep[i];

		if (!d->len)
			continue;
		if (now_ms >= d->until_ms) {
			d->len = 0;
			continue;
		}
		n += prefix_opt(body + n, d->prefix, d->len,
				left_s(d->valid_end_ms ? d->valid_end_ms : now_ms, now_ms,
				       PG_ND_VALID_LIFETIME),
				0);
	}
	if (!zero16(c->dns)) {
		uint8_t *o = body + n;

		o[0] = OPT_RDNSS;
		o[1] = 3;
		/* RFC 8106 5.1: a lifetime of at least 3 x MaxRtrAdvInterval (here 600 s). */
		put32(o + 4, 1800);
		memcpy(o + 8, c->dns, 16);
		n += 24;
	}
	multicast_mac(all_nodes, mac);
	send_icmp6(p, nd->ll, all_nodes, mac, body, n);
	nd->last_ra_ms = now_ms;
	nd->ra_sent++;
	p->cnt[PG_L2_CNT_ND_RA_SENT]++;
}

static void send_rs(struct pg_port *p)
{
	uint8_t body[16] = { PG_ICMP6_ROUTER_SOLICIT }, mac[PG_ETH_ALEN];

	lla_opt(p, body + 8, OPT_SLLA);
	multicast_mac(all_routers, mac);
	send_icmp6(p, p->nd->ll, all_routers, mac, body, sizeof(body));
	p->nd->rs_sent++;
	p->cnt[PG_L2_CNT_ND_RS_SENT]++;
}

static void send_na(struct pg_port *p, const uint8_t *target, const uint8_t *to,
		    const uint8_t *to_mac, bool solicited)
{
	uint8_t body[32] = { PG_ICMP6_NEIGH_ADVERT }, mac[PG_ETH_ALEN];

	body[4] = (uint8_t)(NA_ROUTER | NA_OVERRIDE | (solicited ? NA_SOLICITED : 0));
	memcpy(body + 8, target, 16);
	lla_opt(p, body + 24, OPT_TLLA);
	if (!to) {
		/* An answer to duplicate address detection goes to all nodes (RFC 4861 7.2.4). */
		to = all_nodes;
		multicast_mac(all_nodes, mac);
		to_mac = mac;
	}
	send_icmp6(p, target, to, to_mac, body, sizeof(body));
	p->cnt[PG_L2_CNT_ND_NA_SENT]++;
}

/* ---- receive ---------------------------------------------------------------------- */

static bool ours(const struct pg_nd *nd, const uint8_t *ip)
{
	return !memcmp(ip, nd->ll, 16) || (!zero16(nd->cfg.addr) && !memcmp(ip, nd->cfg.addr, 16));
}

/*
 * The options after a message's fixed part: each at least 8 bytes, none of
 * length 0 (RFC 4861 4.6). Returns false when malformed; *lla is the first
 * link-layer option of the type asked for.
 */
static bool walk_opts(const uint8_t *o, uint32_t n, uint8_t lla_type, const uint8_t **lla)
{
	*lla = NULL;
	while (n) {
		uint32_t len;

		if (n < 8 || o[1] == 0 || (len = (uint32_t)o[1] * 8) > n)
			return false;
		if (o[0] == lla_type && !*lla)
			*lla = o + 2;
		o += len;
		n -= len;
	}
	return true;
}

/*
 * Our WAN address follows the SLAAC prefix (l2/slaac.c): the /64 held and
 * our interface identifier (RFC 4862 5.5.3), or none once it is given up.
 */
static void slaac_apply(struct pg_port *p, uint64_t now_ms)
{
	struct pg_nd *nd = p->nd;
	char a[INET6_ADDRSTRLEN];

	if (!nd->cfg.slaac || !pg_slaac_decide(&nd->slaac, now_ms))
		return;
	inet_ntop(AF_INET6, nd->cfg.addr, a, sizeof(a));
	if (!nd->slaac.cur.used) {
		pg_warn("%s: IPv6 address %s/64 expired (no prefix from the ISP's RAs)", p->name, a);
		memset(nd->cfg.addr, 0, 16);
		return;
	}
	if (!zero16(nd->cfg.addr))
		pg_info("%s: IPv6 address %s/64 deprecated by the ISP's RAs: given up", p->name, a);
	memcpy(nd->cfg.addr, nd->slaac.cur.prefix, 8);
	memcpy(nd->cfg.addr + 8, nd->ll + 8, 8);
	nd->cfg.prefix = 64;
	inet_ntop(AF_INET6, nd->cfg.addr, a, sizeof(a));
	pg_info("%s: IPv6 address %s/64 by SLAAC", p->name, a);
}

static void ra_input(struct pg_port *p, const uint8_t *src, const uint8_t *m, uint32_t n,
		     uint64_t now_ms)
{
	struct pg_nd *nd = p->nd;
	uint32_t lifetime = (uint32_t)(m[6] << 8 | m[7]);
	const uint8_t *o = m + 16;
	uint32_t left = n - 16;

	p->cnt[PG_L2_CNT_ND_RA_RX]++;
	if (!nd->cfg.solicit)
		return; /* RAs on the LAN are another router's: not ours to follow */
	if (lifetime) {
		memcpy(nd->router, src, 16);
		nd->router_until_ms = now_ms + (uint64_t)lifetime * 1000;
	} else if (!memcmp(nd->router, src, 16)) {
		memset(nd->router, 0, 16);
	}
	/* The /64s announced for autoconfiguration: offers for the WAN's SLAAC address. */
	while (left >= 8 && o[1]) {
		uint32_t len = (uint32_t)o[1] * 8;

		if (len > left)
			break;
		/* 5.5.3 b): not a link-local prefix (nor a group: no unicast address there). */
		if (o[0] == OPT_PREFIX && len == 32 && o[2] == 64 && (o[3] & PI_AUTO) &&
		    !pg_ip6_is_linklocal(o + 16) && !pg_ip6_is_multicast(o + 16))
			pg_slaac_offer(&nd->slaac, o + 16, pg_be32(o + 4), pg_be32(o + 8), now_ms);
		o += len;
		left -= len;
	}
	slaac_apply(p, now_ms);
}

/* Handle a discovery message; returns false when the packet is not one. */
static bool discovery(struct pg_port *p, const uint8_t *ip, uint32_t len, const uint8_t *src_mac,
		      uint64_t now_ms)
{
	struct pg_nd *nd = p->nd;
	const uint8_t *m = ip + PG_IP6_HLEN, *src = ip + PG_IP6_OFF_SADDR,
		      *dst = ip + PG_IP6_OFF_DADDR, *lla;
	uint32_t n = len - PG_IP6_HLEN, fixed;
	uint8_t type;

	if (ip[PG_IP6_OFF_NEXT] != PG_IP6_NH_ICMP6 || n < 4)
		return false;
	type = m[0];
	switch (type) {
	case PG_ICMP6_ROUTER_SOLICIT:
		fixed = 8;
		break;
	case PG_ICMP6_ROUTER_ADVERT:
		fixed = 16;
		break;
	case PG_ICMP6_NEIGH_SOLICIT:
	case PG_ICMP6_NEIGH_ADVERT:
		fixed = 24;
		break;
	case PG_ICMP6_REDIRECT:
		fixed = 40;
		break;
	default:
		return false;
	}
	p->cnt[PG_L2_CNT_ND_RX]++;
	/* RFC 4861 6.1, 7.1: only from the link itself, whole, checksummed. */
	if (ip[PG_IP6_OFF_HLIM] != HLIM_ND || m[1] != 0 || n < fixed ||
	    pg_ip6_l4_csum(src, dst, PG_IP6_NH_ICMP6, m, n) != 0 ||
	    !walk_opts(m + fixed, n - fixed, type == PG_ICMP6_NEIGH_ADVERT ? OPT_TLLA : OPT_SLLA,
		       &lla) ||
	    (type == PG_ICMP6_ROUTER_ADVERT && !pg_ip6_is_linklocal(src))) {
		p->cnt[PG_L2_CNT_DROP_ND_INVALID]++;
		return true;
	}
	switch (type) {
	case PG_ICMP6_NEIGH_SOLICIT:
		if (pg_ip6_is_multicast(m + 8) || (zero16(src) && lla)) {
			p->cnt[PG_L2_CNT_DROP_ND_INVALID]++;
			break;
		}
		if (!ours(nd, m + 8))
			break;
		if (lla)
			learn(p, src, lla, now_ms, true);
		if (zero16(src))
			send_na(p, m + 8, NULL, NULL, false);
		else
			send_na(p, m + 8, src, lla ? lla : src_mac, true);
		break;
	case PG_ICMP6_NEIGH_ADVERT:
		if (pg_ip6_is_multicast(m + 8) || ours(nd, m + 8))
			break; /* someone else claiming our address: not learnt */
		if (lla)
			learn(p, m + 8, lla, now_ms, false);
		else if (find(nd, m + 8))
			learn(p, m + 8, src_mac, now_ms, false);
		break;
	case PG_ICMP6_ROUTER_SOLICIT:
		if (lla && !zero16(src))
			learn(p, src, lla, now_ms, true);
		if (nd->cfg.send_ra && now_ms - nd->last_ra_ms >= PG_ND_RA_MIN_GAP_MS)
			send_ra(p, now_ms);
		break;
	case PG_ICMP6_ROUTER_ADVERT:
		if (lla)
			learn(p, src, lla, now_ms, true);
		ra_input(p, src, m, n, now_ms);
		break;
	default:
		break; /* redirects: we are the router here; the WAN's we do not follow */
	}
	return true;
}

bool pg_nd_input(struct pg_port *p, uint8_t *frame, uint32_t len, uint32_t cap, uint64_t now_ms,
		 struct pg_pkt *pkt)
{
	uint8_t *ip = frame + PG_ETH_HLEN;
	uint32_t n = len - PG_ETH_HLEN;

	if (!p->nd) {
		p->cnt[PG_L2_CNT_DROP_ETHERTYPE]++;
		return false;
	}
	/* Validate just enough to read the fixed header; the engine checks the rest. */
	if (n >= PG_IP6_HLEN && ip[0] >> 4 == 6) {
		uint32_t plen = (uint32_t)(ip[PG_IP6_OFF_PLEN] << 8 | ip[PG_IP6_OFF_PLEN + 1]);

		if (PG_IP6_HLEN + plen <= n &&
		    discovery(p, ip, PG_IP6_HLEN + plen, frame + 6, now_ms))
			return false;
	}
	p->cnt[PG_L2_CNT_RX_IPV6]++;
	memset(pkt, 0, sizeof(*pkt));
	pkt->l3 = ip;
	pkt->len = n;
	pkt->cap = cap - PG_ETH_HLEN;
	pkt->side = (uint8_t)p->side;
	return true;
}

/* ---- transmit ------------------------------------------------------------------------ */

void pg_nd_output(struct pg_port *p, struct pg_pkt *pkt, uint64_t now_ms)
{
	struct pg_nd *nd = p->nd;
	struct pg_nd_entry *n;
	const uint8_t *hop = pkt->next_hop6;
	int slot = -1;

	if (!nd || pkt->len < PG_IP6_HLEN || pkt->len > pkt->cap) {
		p->cnt[PG_L2_CNT_TX_ERRORS]++;
		return;
	}
	if (zero16(hop)) {
		hop = nd->cfg.gateway;
		if (zero16(hop) && !zero16(nd->router) && now_ms < nd->router_until_ms)
			hop = nd->router;
		if (zero16(hop)) {
			p->cnt[PG_L2_CNT_DROP_NO_ROUTER6]++;
			return;
		}
	}
	if (pkt->len > p->mtu) {
		p->cnt[PG_L2_CNT_DROP_TX_TOO_BIG]++;
		return;
	}
	n = find(nd, hop);
	if (n && n->state == PG_ND_REACHABLE) {
		n->used_ms = now_ms;
		if (now_ms - n->confirmed_ms >= PG_ND_REACHABLE_MS &&
		    now_ms - n->request_ms >= PG_ND_RETRY_MS) {
			n->request_ms = now_ms; /* still used: ask again, unicast */
			solicit(p, n, true);
		}
		pg_eth_write(pkt->l3 - PG_ETH_HLEN, n->mac, p->mac, PG_ETH_P_IPV6);
		pg_port_transmit(p, pkt->l3 - PG_ETH_HLEN, pkt->len + PG_ETH_HLEN);
		return;
	}
	if (!n) {
		n = make(p, hop);
		n->state = PG_ND_INCOMPLETE;
		n->used_ms = now_ms;
		n->request_ms = now_ms;
		n->tries = 1;
		solicit(p, n, false);
	}
	/* Hold the latest packet (RFC 4861 7.2.2); one held before it gives way. */
	if (n->held >= 0) {
		slot = n->held;
		p->cnt[PG_L2_CNT_DROP_NEIGH_QUEUE_FULL]++;
	} else {
		for (int i = 0; i < PG_ND_SLOTS && slot < 0; i++)
			if (!nd->slots[i].used)
				slot = i;
	}
	if (slot < 0 || pkt->len > PG_ND_PKT_MAX) {
		p->cnt[PG_L2_CNT_DROP_NEIGH_QUEUE_FULL]++;
		return;
	}
	memcpy(nd->slots[slot].buf + PG_ETH_HLEN, pkt->l3, pkt->len);
	nd->slots[slot].len = pkt->len;
	nd->slots[slot].used = true;
	n->held = (int16_t)slot;
	p->cnt[PG_L2_CNT_NEIGH_QUEUED]++;
}

void pg_nd_timer(struct pg_port *p, uint64_t now_ms)
{
	struct pg_nd *nd = p->nd;

	if (!nd)
		return;
	if (!nd->started) {
		nd->started = true;
		nd->next_ra_ms = now_ms;
		nd->next_rs_ms = now_ms;
	}
	slaac_apply(p, now_ms); /* a prefix whose lifetime ran out */
	if (nd->cfg.send_ra && now_ms >= nd->next_ra_ms) {
		send_ra(p, now_ms);
		nd->next_ra_ms =
		    now_ms + (nd->ra_sent < PG_ND_RA_FAST ? PG_ND_RA_FAST_MS : PG_ND_RA_MS);
	}
	if (nd->cfg.solicit && zero16(nd->router) && nd->rs_sent < PG_ND_RS_TRIES &&
	    now_ms >= nd->next_rs_ms) {
		send_rs(p);
		nd->next_rs_ms = now_ms + PG_ND_RS_MS;
	}
	for (unsigned int i = 0; i < PG_ND_ENTRIES; i++) {
		struct pg_nd_entry *n = &nd->ent[i];

		if (n->state != PG_ND_INCOMPLETE || now_ms - n->request_ms < PG_ND_RETRY_MS)
			continue;
		if (n->tries >= PG_ND_TRIES) {
			drop_held(p, n);
			n->state = PG_ND_FREE;
			p->cnt[PG_L2_CNT_NEIGH_EXPIRED]++;
			continue;
		}
		n->tries++;
		n->request_ms = now_ms;
		solicit(p, n, false);
	}
}

/* The slot of the same prefix, else a free one, else the one whose announcing ends first. */
static struct pg_nd_deprecated *deprecated_slot(struct pg_nd *nd, const uint8_t *prefix,
						uint8_t len)
{
	struct pg_nd_deprecated *free_slot = NULL, *first = &nd->dep[0];

	for (unsigned int i = 0; i < PG_ND_DEPRECATED; i++) {
		struct pg_nd_deprecated *x = &nd->dep[i];

		if (x->len == len && pg_ip6_in_prefix(prefix, x->prefix, len))
			return x;
		if (!x->len && !free_slot)
			free_slot = x;
		if (x->until_ms < first->until_ms)
			first = x;
	}
	return free_slot ? free_slot : first;
}

void pg_nd_set_prefix(struct pg_port *p, const uint8_t addr[16], uint8_t len,
		      uint64_t preferred_end_ms, uint64_t valid_end_ms, uint64_t old_valid_end_ms,
		      uint64_t now_ms)
{
	struct pg_nd *nd = p->nd;
	struct pg_nd_deprecated *d = NULL;

	if (!nd)
		return;
	if (!zero16(nd->cfg.addr) &&
	    (nd->cfg.prefix != len || !pg_ip6_in_prefix(addr, nd->cfg.addr, len))) {
		d = deprecated_slot(nd, nd->cfg.addr, nd->cfg.prefix);
		memcpy(d->prefix, nd->cfg.addr, 16);
		d->len = nd->cfg.prefix;
		d->valid_end_ms = old_valid_end_ms;
		/* Said a few times more once invalid, so every host hears the end. */
		d->until_ms = (old_valid_end_ms > now_ms ? old_valid_end_ms : now_ms) +
			      (uint64_t)PG_ND_RA_FAST * PG_ND_RA_FAST_MS + PG_ND_RA_FAST_MS / 2;
	}
	/* A prefix announced deprecated that comes back is current again. */
	for (unsigned int i = 0; i < PG_ND_DEPRECATED; i++)
		if (nd->dep[i].len && nd->dep[i].len == len &&
		    pg_ip6_in_prefix(addr, nd->dep[i].prefix, len))
			nd->dep[i].len = 0;
	memcpy(nd->cfg.addr, addr, 16);
	nd->cfg.prefix = zero16(addr) ? 0 : len;
	nd->preferred_end_ms = preferred_end_ms;
	nd->valid_end_ms = valid_end_ms;
	/* Tell the hosts now, and twice more soon (RFC 4861 6.2.4 allows this). */
	nd->ra_sent = 0;
	nd->next_ra_ms = now_ms;
	nd->last_ra_ms = 0;
}

void pg_nd_set_dns(struct pg_port *p, const uint8_t dns[16])
{
	if (p->nd)
		memcpy(p->nd->cfg.dns, dns, 16);
}

const struct pg_nd_entry *pg_nd_find(const struct pg_port *p, const uint8_t ip[16])
{
	return p->nd ? find(p->nd, ip) : NULL;
}

int pg_port_enable_ipv6(struct pg_port *p, const struct pg_nd_config *cfg)
{
	struct pg_nd *nd = calloc(1, sizeof(*nd));

	if (!nd)
		return -ENOMEM;
	nd->cfg = *cfg;
	/* fe80::/64 + modified EUI-64 of the MAC (RFC 4291 appendix A). */
	nd->ll[0] = 0xfe;
	nd->ll[1] = 0x80;
	nd->ll[8] = p->mac[0] ^ 0x02;
	nd->ll[9] = p->mac[1];
	nd->ll[10] = p->mac[2];
	nd->ll[11] = 0xff;
	nd->ll[12] = 0xfe;
	nd->ll[13] = p->mac[3];
	nd->ll[14] = p->mac[4];
	nd->ll[15] = p->mac[5];
	for (unsigned int i = 0; i < PG_ND_ENTRIES; i++)
		nd->ent[i].held = -1;
	pg_nd_fini(p);
	p->nd = nd;
	return 0;
}

void pg_nd_fini(struct pg_port *p)
{
	free(p->nd);
	p->nd = NULL;
}
