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
 * the quoted packet is one we delivered (any flow: TCP, UDP, echo, GRE,
 * ESP), and the same is done the other way; a LAN host's error about a
 * hairpinned packet goes to the other LAN host with both ends of the quote
 * rewritten. Errors never create, refresh or remove a flow; one about
 * nothing we know is dropped (drop_icmp_error_no_flow), and so is one whose
 * ICMP checksum or quoted IP header checksum is wrong (RFC 5508 REQ-3).
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
	bool echo_reply;       /* an echo reply (id in sport too) */
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
	q->echo_reply = q->proto == PG_PROTO_ICMP && l4[PG_ICMP_OFF_TYPE] == PG_ICMP_ECHO_REPLY;
	if (q->echo || q->echo_reply)
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
		/* Other protocols are tracked by address. */
		return lookup_key(e, PG_KEY_FLOW_IN, q->proto, q->daddr, wan, 0, 0);
	}
}

/*
 * The flow of a packet we delivered to the LAN, from its quote (RFC 5508
 * REQ-5: every flow with a mapping). A delivered packet names the LAN host's
 * side as the flow's LAN key does for TCP, UDP, echo replies and GRE or ESP
 * tracked by address. Raw ESP names the inbound SPI, which keys the flow's
 * WAN side. Enhanced GRE of a PPTP call names the client's call id while the
 * flow is keyed by the server's: it is found when the public id is the
 * client's own (the usual case); the caller checks the LAN host and id.
 */
static struct pg_flow *flow_of_delivered(struct pg_engine *e, const struct quoted *q)
{
	uint32_t wan = e->cfg.wan_addr;
	struct pg_flow *f;

	switch (q->proto) {
	case PG_PROTO_TCP:
	case PG_PROTO_UDP:
		return lookup_key(e, PG_KEY_FLOW_OUT, q->proto, q->daddr, q->saddr, q->dport,
				  q->sport);
	case PG_PROTO_ICMP:
		return q->echo_reply ? lookup_key(e, PG_KEY_FLOW_OUT, q->proto, q->daddr, q->saddr,
						  q->sport, 0)
				     : NULL;
	case PG_PROTO_ESP:
		f = lookup_key(e, PG_KEY_FLOW_IN, q->proto, q->saddr, wan, q->sport, q->dport);
		return f ? f
			 : lookup_key(e, PG_KEY_FLOW_OUT, q->proto, q->daddr, q->saddr, PG_ESP_ADDR,
				      PG_ESP_ADDR);
	case PG_PROTO_GRE:
		if (q->gre_version == 0)
			return lookup_key(e, PG_KEY_FLOW_OUT, q->proto, q->daddr, q->saddr, 0, 0);
		f = lookup_key(e, PG_KEY_FLOW_IN, q->proto, q->saddr, wan, PG_GRE_KEYED,
			       q->gre_call_id);
		if (f && f->lan_port == q->gre_call_id)
			return f;
		return lookup_key(e, PG_KEY_FLOW_OUT, q->proto, q->daddr, q->saddr, PG_GRE_V1_ADDR,
				  PG_GRE_V1_ADDR);
	default:
		/* Other protocols are tracked by address. */
		return lookup_key(e, PG_KEY_FLOW_OUT, q->proto, q->daddr, q->saddr, 0, 0);
	}
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
 * of flow f (the source of a packet we sent, the destination of one we
 * delivered), or -1: ESP, GRE by address and what we sent of a PPTP call
 * keep theirs; a delivered PPTP packet names the public call id.
 */
static int quoted_port_off(const struct quoted *q, const struct pg_flow *f, bool source)
{
	switch (q->proto) {
	case PG_PROTO_TCP:
	case PG_PROTO_UDP:
		return source ? 0 : 2;
	case PG_PROTO_ICMP:
		return (q->echo && source) || (q->echo_reply && !source) ? PG_ICMP_OFF_ID : -1;
	case PG_PROTO_GRE:
		return q->gre_version == 1 && !source && f->in_pa == PG_GRE_KEYED
			       ? PG_GRE_OFF_CALL_ID
			       : -1;
	default:
		return -1;
	}
}

/* The public port or id of our side of flow f, as a delivered packet names it. */
static uint16_t public_port(const struct pg_flow *f)
{
	return f->key.proto == PG_PROTO_GRE && f->in_pa == PG_GRE_KEYED ? f->in_pb
									: pg_flow_pub_port(f);
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

/*
 * Take apart an error worth translating: whole, its quote parsed, both
 * checksums right (RFC 5508 REQ-3). False when it was dropped.
 */
static bool error_ok(struct pg_engine *e, struct pg_pkt *pkt, const struct pg_parsed *p,
		     struct quoted *q)
{
	if (p->frag_off || p->more_frags) {
		pg_drop(e, pkt, PG_CNT_DROP_ICMP_ERROR_NO_FLOW);
		return false;
	}
	if (!pg_icmp_checksum_ok(pkt, p)) {
		pg_drop(e, pkt, PG_CNT_DROP_ICMP_CHECKSUM);
		return false;
	}
	if (!parse_quote(pkt, p, q)) {
		pg_drop(e, pkt, PG_CNT_DROP_ICMP_ERROR_NO_FLOW);
		return false;
	}
	if (pg_csum(q->ip, q->ihl) != 0) {
		pg_drop(e, pkt, PG_CNT_DROP_ICMP_QUOTE_CHECKSUM);
		return false;
	}
	return true;
}

void pg_icmp_error_xlate(struct pg_engine *e, struct pg_pkt *pkt, const struct pg_parsed *p)
{
	uint8_t *icmp = pkt->l3 + p->ihl;
	struct pg_flow *f;
	struct quoted q;
	bool from_wan = pkt->side == PG_SIDE_WAN;

	if (!error_ok(e, pkt, p, &q))
		return;
	f = from_wan ? flow_of_sent(e, &q) : flow_of_delivered(e, &q);
	if (!f || (!from_wan && (f->lan_addr != p->saddr || f->lan_addr != q.daddr)) ||
	    (f->flags & PG_FLOW_HAIRPIN)) {
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
			      quoted_port_off(&q, f, true), f->lan_port);
		outer_rewrite(pkt->l3, PG_IP_OFF_DADDR, f->lan_addr);
		pkt->verdict = PG_VERDICT_TO_LAN;
		pkt->next_hop = f->lan_addr;
	} else {
		rewrite_quote(icmp, p->l4_len, &q, PG_IP_OFF_DADDR, e->cfg.wan_addr,
			      quoted_port_off(&q, f, false), public_port(f));
		outer_rewrite(pkt->l3, PG_IP_OFF_SADDR, e->cfg.wan_addr);
		pkt->verdict = PG_VERDICT_TO_WAN;
		pkt->next_hop = pg_wan_next_hop(e, q.saddr);
	}
	decrement_ttl(pkt->l3);
	pg_count(e, PG_CNT_ICMP_ERR_TRANSLATED);
}

/*
 * An error from a LAN host to the public address about a hairpinned packet
 * (RFC 5508 REQ-7): from B about A's packet (which B got from the public
 * address and A's public port), or from A about B's answer (which A got from
 * the public address and the port it called). The quote is rewritten to
 * what the error's receiver sent, both ends, and the error goes to it from
 * the public address, as the other host appears to it.
 */
bool pg_icmp_error_hairpin(struct pg_engine *e, struct pg_pkt *pkt, const struct pg_parsed *p)
{
	uint8_t *icmp = pkt->l3 + p->ihl;
	uint32_t wan = e->cfg.wan_addr, to;
	struct pg_flow *f = NULL;
	struct quoted q;
	bool from_b = false;

	if (!pg_icmp_is_error(p->icmp_type))
		return false;
	if (!p->frag_off && !p->more_frags && p->l4_len >= 8 + 20 &&
	    pg_icmp_checksum_ok(pkt, p) && parse_quote(pkt, p, &q) && q.saddr == wan &&
	    (q.proto == PG_PROTO_TCP || q.proto == PG_PROTO_UDP)) {
		/* B's error about A's packet: B answers that packet on the WAN-side key. */
		f = lookup_key(e, PG_KEY_FLOW_IN, q.proto, q.daddr, wan, q.dport, q.sport);
		from_b = f != NULL;
		if (!f)
			f = lookup_key(e, PG_KEY_FLOW_OUT, q.proto, q.daddr, wan, q.dport, q.sport);
	}
	if (!f || !(f->flags & PG_FLOW_HAIRPIN))
		return false; /* not about a hairpin flow: the gateway's own business */
	if (!error_ok(e, pkt, p, &q))
		return true;
	if (from_b ? pg_flow_in_addr(f) != p->saddr : f->lan_addr != p->saddr) {
		pg_drop(e, pkt, PG_CNT_DROP_ICMP_ERROR_NO_FLOW);
		return true;
	}
	if (p->ttl <= 1) {
		pg_drop(e, pkt, PG_CNT_DROP_TTL_EXCEEDED);
		return true;
	}
	if (from_b) {
		/* A's packet as A sent it: from A's own port, to the port it called. */
		to = f->lan_addr;
		rewrite_quote(icmp, p->l4_len, &q, PG_IP_OFF_SADDR, to, 0, f->lan_port);
		rewrite_quote(icmp, p->l4_len, &q, PG_IP_OFF_DADDR, wan, 2, f->key.pb);
	} else {
		/* B's answer as B sent it: from B's port, to A's public port. */
		to = pg_flow_in_addr(f);
		rewrite_quote(icmp, p->l4_len, &q, PG_IP_OFF_SADDR, to, 0, f->in_pa);
		rewrite_quote(icmp, p->l4_len, &q, PG_IP_OFF_DADDR, wan, 2, f->in_pb);
	}
	outer_rewrite(pkt->l3, PG_IP_OFF_SADDR, wan);
	outer_rewrite(pkt->l3, PG_IP_OFF_DADDR, to);
	decrement_ttl(pkt->l3);
	pkt->verdict = PG_VERDICT_TO_LAN;
	pkt->next_hop = to;
	pg_count(e, PG_CNT_ICMP_ERR_TRANSLATED);
	return true;
}
