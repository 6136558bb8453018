/* SPDX-License-Identifier: MIT */
/*
 * icmp_xlate.c - ICMP errors about translated flows (RFC 5508 section 4).
 *
 * Destination unreachable (fragmentation needed included), time exceeded and
 * parameter problem quote the packet that caused them. From the WAN, the
 * quoted packet is one we sent: its source is our public address, and its
 * flow is found from it as a reply would find it. The error is delivered to
 * the LAN host with both headers translated back: the outer destination, and
 * in the quoted packet the source address, port or echo identifier, and the
 * checksums they are part of (the quoted IP header's, the quoted transport
 * checksum when quoted, and the ICMP checksum over all of it). From the LAN,
 * the quoted packet is one we delivered, and the same is done the other way.
 * Errors never create, refresh or remove a flow; one about nothing we know is
 * dropped (drop_icmp_error_no_flow).
 */
#include <arpa/inet.h>

#include "engine/csum.h"
#include "engine/engine_internal.h"

/* The quoted packet of an ICMP error, parsed as far as the quote allows. */
struct quoted {
	uint8_t *ip;      /* quoted IP header */
	unsigned int len; /* bytes of it we hold */
	unsigned int ihl;
	uint8_t proto;
	uint32_t saddr, daddr;
	uint16_t sport, dport; /* TCP/UDP ports, echo id in sport, ESP SPI halves */
	bool echo;             /* an echo request */
	uint8_t gre_version;
	uint16_t gre_call_id;
};

static bool parse_quote(struct pg_pkt *pkt, const struct pg_parsed *p, struct quoted *q)
{
	uint8_t *l4;
	unsigned int tot;

	if (p->l4_len < 8 + 20)
		return false;
	q->ip = pkt->l3 + p->ihl + 8;
	q->len = p->l4_len - 8u;
	if ((q->ip[PG_IP_OFF_VIHL] >> 4) != 4)
		return false;
	q->ihl = pg_ip_hlen(q->ip);
	/* RFC 792: the header and 8 bytes of data; we need no more, and no less. */
	if (q->ihl < 20 || q->ihl + 8 > q->len)
		return false;
	tot = ntohs(pg_get16(q->ip + PG_IP_OFF_TOTLEN));
	if (tot < q->ihl || (ntohs(pg_get16(q->ip + PG_IP_OFF_FRAG)) & 0x1fff))
		return false; /* a quoted later fragment names no ports */
	q->proto = q->ip[PG_IP_OFF_PROTO];
	q->saddr = pg_get32(q->ip + PG_IP_OFF_SADDR);
	q->daddr = pg_get32(q->ip + PG_IP_OFF_DADDR);
	l4 = q->ip + q->ihl;
	q->sport = pg_get16(l4);
	q->dport = pg_get16(l4 + PG_L4_OFF_DPORT);
	q->echo = q->proto == PG_PROTO_ICMP && l4[PG_ICMP_OFF_TYPE] == PG_ICMP_ECHO_REQUEST;
	if (q->echo)
		q->sport = pg_get16(l4 + PG_ICMP_OFF_ID);
	q->gre_version = q->proto == PG_PROTO_GRE ? (uint8_t)(l4[PG_GRE_OFF_FLAGS_VER] & 7) : 0;
	q->gre_call_id = pg_get16(l4 + PG_GRE_OFF_CALL_ID);
	return true;
}

static struct pg_flow *lookup_key(struct pg_engine *e, enum pg_key_kind kind, uint8_t proto,
				  uint32_t a, uint32_t b, uint16_t pa, uint16_t pb)
{
	struct pg_key k;

	pg_key_fill(&k, kind, proto, a, b, pa, pb);
	return pg_flow_lookup(e, &k);
}

/* The flow of a packet we sent to the WAN, from its quote. */
static struct pg_flow *flow_of_sent(struct pg_engine *e, const struct quoted *q)
{
	uint32_t wan = e->cfg.wan_addr;
	struct pg_flow *f;

	if (q->saddr != wan)
		return NULL;
	switch (q->proto) {
	case PG_PROTO_TCP:
	case PG_PROTO_UDP:
		return lookup_key(e, PG_KEY_FLOW_IN, q->proto, q->daddr, wan, q->dport, q->sport);
	case PG_PROTO_ICMP:
		return q->echo ? lookup_key(e, PG_KEY_FLOW_IN, q->proto, q->daddr, wan, 0, q->sport)
			       : NULL;
	case PG_PROTO_ESP:
		return lookup_key(e, PG_KEY_FLOW_OUT, q->proto, 0, q->daddr, q->sport, q->dport);
	case PG_PROTO_GRE:
		if (q->gre_version == 0)
			return lookup_key(e, PG_KEY_FLOW_IN, q->proto, q->daddr, wan, 0, 0);
		f = lookup_key(e, PG_KEY_FLOW_OUT, q->proto, 0, q->daddr, PG_GRE_KEYED,
			       q->gre_call_id);
		return f ? f
			 : lookup_key(e, PG_KEY_FLOW_IN, q->proto, q->daddr, wan, PG_GRE_V1_ADDR,
				      PG_GRE_V1_ADDR);
	default:
		return NULL;
	}
}

/* The flow of a packet we delivered to the LAN, from its quote. */
static struct pg_flow *flow_of_delivered(struct pg_engine *e, const struct quoted *q)
{
	if (q->proto != PG_PROTO_TCP && q->proto != PG_PROTO_UDP)
		return NULL; /* we deliver no echo requests; GRE and ESP errors go to servers */
	return lookup_key(e, PG_KEY_FLOW_OUT, q->proto, q->daddr, q->saddr, q->dport, q->sport);
}

/* Offset (from the quoted transport header) of a checksum the quote holds, or 0. */
static unsigned int quoted_l4_csum(const struct quoted *q)
{
	unsigned int off = q->proto == PG_PROTO_TCP   ? PG_TCP_OFF_CSUM
			   : q->proto == PG_PROTO_UDP  ? PG_UDP_OFF_CSUM
			   : q->proto == PG_PROTO_ICMP ? PG_ICMP_OFF_CSUM
						       : 0;

	if (!off || q->ihl + off + 2 > q->len)
		return 0;
	if (q->proto == PG_PROTO_UDP && pg_get16(q->ip + q->ihl + off) == 0)
		return 0;
	return off;
}

/*
 * Rewrite the quoted packet's address at aoff (source or destination) and,
 * when port_off is set, its port or identifier; keep the quoted IP and
 * transport checksums and the ICMP checksum right.
 */
static void rewrite_quote(uint8_t *icmp, unsigned int icmp_len, const struct quoted *q,
			  unsigned int aoff, uint32_t addr, int port_off, uint16_t port)
{
	uint8_t *ip = q->ip;
	unsigned int qoff = (unsigned int)(ip - icmp); /* quote's offset in the ICMP message */
	unsigned int coff = quoted_l4_csum(q);
	uint16_t icmp_c = pg_get16(icmp + PG_ICMP_OFF_CSUM);
	uint16_t ip_c = pg_get16(ip + PG_IP_OFF_CSUM), l4_c = 0;
	bool pseudo = q->proto == PG_PROTO_TCP || q->proto == PG_PROTO_UDP;

	if (coff)
		l4_c = pg_get16(ip + q->ihl + coff);
	pg_csum_replace32(&ip_c, pg_get32(ip + aoff), addr);
	if (coff && pseudo)
		pg_csum_replace32(&l4_c, pg_get32(ip + aoff), addr);
	pg_csum_write(&icmp_c, icmp, icmp_len, qoff + aoff, &addr, sizeof(addr));
	if (port_off >= 0) {
		unsigned int po = q->ihl + (unsigned int)port_off;

		if (coff)
			pg_csum_replace16(&l4_c, pg_get16(ip + po), port);
		pg_csum_write(&icmp_c, icmp, icmp_len, qoff + po, &port, sizeof(port));
	}
	pg_csum_write(&icmp_c, icmp, icmp_len, qoff + PG_IP_OFF_CSUM, &ip_c, sizeof(ip_c));
	if (coff) {
		if (q->proto == PG_PROTO_UDP && l4_c == 0)
			l4_c = 0xffff;
		pg_csum_write(&icmp_c, icmp, icmp_len, qoff + q->ihl + coff, &l4_c, sizeof(l4_c));
	}
	pg_put16(icmp + PG_ICMP_OFF_CSUM, icmp_c);
}

/*
 * Offset in the quoted transport header of the port or echo id on our side
 * of the flow (the source of a packet we sent, the destination of one we
 * delivered), or -1: ESP and GRE keep theirs.
 */
static int quoted_port_off(const struct quoted *q, bool source)
{
	switch (q->proto) {
	case PG_PROTO_TCP:
	case PG_PROTO_UDP:
		return source ? 0 : 2;
	case PG_PROTO_ICMP:
		return q->echo && source ? PG_ICMP_OFF_ID : -1;
	default:
		return -1;
	}
}

static void outer_rewrite(uint8_t *ip, unsigned int aoff, uint32_t addr)
{
	uint16_t c = pg_get16(ip + PG_IP_OFF_CSUM);

	pg_csum_replace32(&c, pg_get32(ip + aoff), addr);
	pg_put32(ip + aoff, addr);
	pg_put16(ip + PG_IP_OFF_CSUM, c);
}

static void decrement_ttl(uint8_t *ip)
{
	uint16_t c = pg_get16(ip + PG_IP_OFF_CSUM), old = pg_get16(ip + PG_IP_OFF_TTL);

	ip[PG_IP_OFF_TTL]--;
	pg_csum_replace16(&c, old, pg_get16(ip + PG_IP_OFF_TTL));
	pg_put16(ip + PG_IP_OFF_CSUM, c);
}

bool pg_icmp_is_error(uint8_t type)
{
	return type == PG_ICMP_DEST_UNREACH || type == PG_ICMP_TIME_EXCEEDED ||
	       type == PG_ICMP_PARAM_PROBLEM;
}

void pg_icmp_error_xlate(struct pg_engine *e, struct pg_pkt *pkt, const struct pg_parsed *p)
{
	uint8_t *icmp = pkt->l3 + p->ihl;
	struct pg_flow *f;
	struct quoted q;
	bool from_wan = pkt->side == PG_SIDE_WAN;

	if (p->frag_off || p->more_frags || !parse_quote(pkt, p, &q)) {
		pg_drop(e, pkt, PG_CNT_DROP_ICMP_ERROR_NO_FLOW);
		return;
	}
	f = from_wan ? flow_of_sent(e, &q) : flow_of_delivered(e, &q);
	if (!f || (!from_wan && f->lan_addr != p->saddr)) {
		pg_drop(e, pkt, PG_CNT_DROP_ICMP_ERROR_NO_FLOW);
		return;
	}
	if (p->ttl <= 1) {
		/* Never an error about an error (RFC 1812 4.3.2.7). */
		pg_drop(e, pkt, PG_CNT_DROP_TTL_EXCEEDED);
		return;
	}
	if (from_wan) {
		/* A packet we sent: the LAN host's address and port were its source. */
		rewrite_quote(icmp, p->l4_len, &q, PG_IP_OFF_SADDR, f->lan_addr,
			      quoted_port_off(&q, true), f->lan_port);
		outer_rewrite(pkt->l3, PG_IP_OFF_DADDR, f->lan_addr);
		pkt->verdict = PG_VERDICT_TO_LAN;
		pkt->next_hop = f->lan_addr;
	} else {
		rewrite_quote(icmp, p->l4_len, &q, PG_IP_OFF_DADDR, e->cfg.wan_addr,
			      quoted_port_off(&q, false), pg_flow_pub_port(f));
		outer_rewrite(pkt->l3, PG_IP_OFF_SADDR, e->cfg.wan_addr);
		pkt->verdict = PG_VERDICT_TO_WAN;
		pkt->next_hop = pg_wan_next_hop(e, q.saddr);
	}
	decrement_ttl(pkt->l3);
	pg_count(e, PG_CNT_ICMP_ERR_TRANSLATED);
}
