/* SPDX-License-Identifier: MIT */
/*
 * port.c - a link's layer 2: Ethernet in and out, ARP answers, next hops.
 *
 * Receive: frames are checked in the order a cheap test rejects the most
 * (length, receive metadata, destination MAC, EtherType); ARP goes to the
 * ARP handler, IPv4 to the engine, everything else is a counted drop.
 *
 * ARP: requests for our address are answered; requests and replies addressed
 * to us teach the neighbour cache about their sender, as long as the sender
 * is a host address on this link (RFC 826's merge rule, restricted to what
 * we will ever send to). Other ARP only refreshes neighbours we already know.
 *
 * Transmit: the engine may name a next hop; otherwise the destination itself
 * (LAN, or on-link on the WAN) or the WAN gateway. A next hop outside the
 * link's prefix is a counted drop, never an ARP for an off-link address.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "l2/arp.h"
#include "util/log.h"
#include "l2/port.h"
#include "util/inet.h"

static void port_solicit(void *ctx, uint32_t ip);
static void port_xmit(void *ctx, const uint8_t mac[PG_ETH_ALEN], uint8_t *l3, uint32_t len);

static void port_unreachable(void *ctx, uint32_t ip, uint32_t dropped);

static const struct pg_neigh_ops port_neigh_ops = {
	.solicit = port_solicit,
	.xmit = port_xmit,
	.unreachable = port_unreachable,
};

void pg_port_transmit(struct pg_port *p, const uint8_t *frame, uint32_t len)
{
	if (p->standby) {
		p->cnt[PG_L2_CNT_DROP_HA_STANDBY]++;
		return;
	}
	pg_port_transmit_any(p, frame, len);
}

void pg_port_transmit_any(struct pg_port *p, const uint8_t *frame, uint32_t len)
{
	int r = p->tx(p->tx_ctx, frame, len);

	if (r == 0) {
		p->cnt[PG_L2_CNT_TX_FRAMES]++;
		p->cnt[PG_L2_CNT_TX_BYTES] += len;
	} else if (r == -ENOBUFS)
		p->cnt[PG_L2_CNT_DROP_TX_RING_FULL]++;
	else
		p->cnt[PG_L2_CNT_TX_ERRORS]++;
}

void pg_port_announce(struct pg_port *p)
{
	uint8_t frame[PG_ETH_ZLEN];
	struct pg_arp a = {
		.op = PG_ARP_OP_REQUEST,
		.spa = p->addr,
		.tpa = p->addr,
	};

	if (!p->addr)
		return;
	memcpy(a.sha, p->mac, PG_ETH_ALEN);
	pg_port_transmit(p, frame,
			 (uint32_t)pg_arp_build(frame, sizeof(frame), pg_eth_broadcast, &a));
	p->cnt[PG_L2_CNT_ARP_ANNOUNCED]++;
}

static void port_solicit(void *ctx, uint32_t ip)
{
	struct pg_port *p = ctx;
	uint8_t frame[PG_ETH_ZLEN];
	struct pg_arp a = {
		.op = PG_ARP_OP_REQUEST,
		.spa = p->addr,
		.tpa = ip,
	};
	size_t len;

	memcpy(a.sha, p->mac, PG_ETH_ALEN);
	len = pg_arp_build(frame, sizeof(frame), pg_eth_broadcast, &a);
	pg_port_transmit(p, frame, (uint32_t)len);
}

static void port_xmit(void *ctx, const uint8_t mac[PG_ETH_ALEN], uint8_t *l3, uint32_t len)
{
	struct pg_port *p = ctx;

	pg_eth_write(l3 - PG_ETH_HLEN, mac, p->mac, PG_ETH_P_IP);
	pg_port_transmit(p, l3 - PG_ETH_HLEN, len + PG_ETH_HLEN);
}

static void port_unreachable(void *ctx, uint32_t ip, uint32_t dropped)
{
	const struct pg_port *p = ctx;
	char a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &ip, a, sizeof(a));
	/* Losing the WAN next hop cuts every flow off: that is worth a warning. */
	pg_log(ip == p->gateway ? PG_LOG_WARN : PG_LOG_DEBUG,
	       "%s: %s does not answer ARP; %u held packet%s dropped", p->name, a, dropped,
	       dropped == 1 ? "" : "s");
}

/* Log a neighbour that is new or moved to another MAC (debug level). */
static void log_learn(const struct pg_port *p, uint32_t ip, const uint8_t mac[PG_ETH_ALEN])
{
	const struct pg_neigh_entry *n;
	char a[INET_ADDRSTRLEN], m[18];

	if (pg_log_get_level() < PG_LOG_DEBUG)
		return;
	n = pg_neigh_find(&p->neigh, ip);
	if (n && n->state != PG_NEIGH_INCOMPLETE && !memcmp(n->mac, mac, PG_ETH_ALEN))
		return;
	inet_ntop(AF_INET, &ip, a, sizeof(a));
	pg_debug("%s: neighbour %s is at %s%s", p->name, a, pg_eth_ntoa(mac, m),
		 n && n->state != PG_NEIGH_INCOMPLETE ? " (moved)" : "");
}

int pg_port_init(struct pg_port *p, const char *name, enum pg_side side,
		 const uint8_t mac[PG_ETH_ALEN], uint32_t addr, uint8_t prefix, uint32_t gateway,
		 uint32_t mtu, pg_port_tx_fn *tx, void *tx_ctx)
{
	memset(p, 0, sizeof(*p));
	strncpy(p->name, name, sizeof(p->name) - 1);
	p->side = side;
	memcpy(p->mac, mac, PG_ETH_ALEN);
	p->addr = addr;
	p->mask = pg_prefix_mask(prefix);
	p->gateway = gateway;
	p->mtu = mtu;
	p->tx = tx;
	p->tx_ctx = tx_ctx;
	return pg_neigh_init(&p->neigh, PG_PORT_MAX_NEIGH, PG_PORT_HELD_SLOTS, &port_neigh_ops, p,
			     p->cnt);
}

void pg_port_fini(struct pg_port *p)
{
	pg_nd_fini(p);
	pg_neigh_fini(&p->neigh);
}

/* A host address on this link other than ours: something we may ARP for. */
static bool on_link_host(const struct pg_port *p, uint32_t ip)
{
	uint32_t host_bits = ~ntohl(p->mask);

	if (ip == p->addr || ((ip ^ p->addr) & p->mask))
		return false;
	/* Network and broadcast addresses exist only for prefixes up to /30. */
	if (host_bits >= 3)
		return (ip & ~p->mask) != 0 && (ip | p->mask) != 0xffffffffu;
	return true;
}

static void arp_input(struct pg_port *p, const uint8_t *body, uint32_t len, uint64_t now_ms)
{
	struct pg_arp a, r;
	uint8_t frame[PG_ETH_ZLEN];
	int bad;

	p->cnt[PG_L2_CNT_ARP_RX]++;
	bad = pg_arp_parse(body, len, &a);
	if (bad) {
		p->cnt[bad]++;
		return;
	}
	if (a.spa == p->addr && memcmp(a.sha, p->mac, PG_ETH_ALEN)) {
		/* Someone else uses our address; never learn ourselves as a neighbour. */
		if (p->standby)
			return; /* the HA master's, as it should be */
		if (!p->cnt[PG_L2_CNT_ARP_CONFLICT]++ || now_ms - p->conflict_ms >= 10000) {
			char m[18];

			pg_warn("%s: %s also claims our address (ARP conflict)", p->name,
				pg_eth_ntoa(a.sha, m));
			p->conflict_ms = now_ms;
		}
		return;
	}
	if (a.tpa != p->addr) {
		p->cnt[PG_L2_CNT_ARP_NOT_FOR_US]++;
		if (on_link_host(p, a.spa) && pg_neigh_find(&p->neigh, a.spa)) {
			log_learn(p, a.spa, a.sha);
			pg_neigh_learn(&p->neigh, a.spa, a.sha, now_ms, false);
		}
		return;
	}
	if (on_link_host(p, a.spa)) {
		log_learn(p, a.spa, a.sha);
		pg_neigh_learn(&p->neigh, a.spa, a.sha, now_ms, true);
	}
	if (a.op != PG_ARP_OP_REQUEST || p->standby)
		return;
	/* RFC 826: swap the addresses, put ours in as sender, reply unicast. */
	r.op = PG_ARP_OP_REPLY;
	memcpy(r.sha, p->mac, PG_ETH_ALEN);
	r.spa = p->addr;
	memcpy(r.tha, a.sha, PG_ETH_ALEN);
	r.tpa = a.spa;
	pg_port_transmit(p, frame, (uint32_t)pg_arp_build(frame, sizeof(frame), a.sha, &r));
	p->cnt[PG_L2_CNT_ARP_REPLIED]++;
}

bool pg_port_input(struct pg_port *p, uint8_t *frame, uint32_t len, uint32_t cap, uint32_t rx_flags,
		   uint64_t now_ms, struct pg_pkt *pkt)
{
	struct pg_eth_hdr h;

	p->cnt[PG_L2_CNT_RX_FRAMES]++;
	p->cnt[PG_L2_CNT_RX_BYTES] += len;
	if (pg_eth_parse(frame, len, &h)) {
		p->cnt[PG_L2_CNT_DROP_RUNT]++;
		return false;
	}
	if (rx_flags & PG_RX_F_TRUNCATED) {
		p->cnt[PG_L2_CNT_DROP_RX_TRUNCATED]++;
		return false;
	}
	/* GRO/GSO super-frames carry many segments under one header: not forwardable. */
	if ((rx_flags & PG_RX_F_OVERSIZE) || len > p->mtu + PG_ETH_HLEN) {
		p->cnt[PG_L2_CNT_DROP_OVERSIZE]++;
		return false;
	}
	if (rx_flags & PG_RX_F_CSUM_PARTIAL) {
		p->cnt[PG_L2_CNT_DROP_CSUM_PARTIAL]++;
		return false;
	}
	if ((rx_flags & PG_RX_F_VLAN) || h.type == PG_ETH_P_8021Q || h.type == PG_ETH_P_8021AD) {
		p->cnt[PG_L2_CNT_DROP_VLAN]++;
		return false;
	}
	if (!memcmp(h.src, p->mac, PG_ETH_ALEN)) {
		p->cnt[PG_L2_CNT_DROP_LOOPED]++;
		return false;
	}
	if (!pg_eth_is_multicast(h.dst) && memcmp(h.dst, p->mac, PG_ETH_ALEN)) {
		p->cnt[PG_L2_CNT_DROP_NOT_FOR_US]++;
		return false;
	}
	switch (h.type) {
	case PG_ETH_P_ARP:
		arp_input(p, frame + PG_ETH_HLEN, len - PG_ETH_HLEN, now_ms);
		return false;
	case PG_ETH_P_IP:
		break;
	case PG_ETH_P_IPV6:
		return pg_nd_input(p, frame, len, cap, now_ms, pkt);
	default:
		p->cnt[PG_L2_CNT_DROP_ETHERTYPE]++;
		return false;
	}
	p->cnt[PG_L2_CNT_RX_IPV4]++;
	memset(pkt, 0, sizeof(*pkt));
	pkt->l3 = frame + PG_ETH_HLEN;
	pkt->len = len - PG_ETH_HLEN;
	pkt->cap = cap - PG_ETH_HLEN;
	pkt->side = (uint8_t)p->side;
	return true;
}

void pg_port_output(struct pg_port *p, struct pg_pkt *pkt, uint64_t now_ms)
{
	uint8_t mac[PG_ETH_ALEN];
	uint32_t hop = pkt->next_hop;

	if (pkt->len && pkt->l3[0] >> 4 == 6) {
		pg_nd_output(p, pkt, now_ms);
		return;
	}
	/* The engine hands out whole IPv4 headers; a shorter packet is a bug upstream. */
	if (pkt->len < 20 || pkt->len > pkt->cap) {
		p->cnt[PG_L2_CNT_TX_ERRORS]++;
		return;
	}
	if (!hop) {
		/* The engine left the choice to us: destination, or the WAN gateway. */
		memcpy(&hop, pkt->l3 + 16, sizeof(hop));
		if (p->gateway && ((hop ^ p->addr) & p->mask))
			hop = p->gateway;
	}
	if (!on_link_host(p, hop)) {
		p->cnt[PG_L2_CNT_DROP_NOT_ON_LINK]++;
		return;
	}
	if (pkt->len > p->mtu) {
		p->cnt[PG_L2_CNT_DROP_TX_TOO_BIG]++;
		return;
	}
	if (pg_neigh_output(&p->neigh, hop, pkt->l3, pkt->len, now_ms, mac) != PG_NEIGH_SEND)
		return; /* held or dropped, and counted */
	pg_eth_write(pkt->l3 - PG_ETH_HLEN, mac, p->mac, PG_ETH_P_IP);
	pg_port_transmit(p, pkt->l3 - PG_ETH_HLEN, pkt->len + PG_ETH_HLEN);
}

void pg_port_timer(struct pg_port *p, uint64_t now_ms)
{
	pg_neigh_timer(&p->neigh, now_ms);
	pg_nd_timer(p, now_ms);
}

uint64_t pg_port_drops(const struct pg_port *p)
{
	uint64_t sum = 0;

	for (unsigned int i = 0; i < PG_L2_CNT__COUNT; i++)
		if (!strncmp(pg_l2_counter_name(i), "drop_", 5))
			sum += p->cnt[i];
	return sum;
}
