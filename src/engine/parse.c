/* SPDX-License-Identifier: MIT */
/*
 * parse.c - IPv4, TCP, UDP, ICMP, GRE and ESP header validation.
 *
 * Every length a packet states about itself is checked against the bytes we
 * actually hold before it is used; each refusal names the lie it caught.
 */
#include <arpa/inet.h>

#include "engine/csum.h"
#include "engine/parse.h"

#define IP_MF 0x2000
#define IP_OFFMASK 0x1fff

/* GRE flag bits in the first 16-bit word (RFC 2784, RFC 2637 section 4.1). */
#define GRE_C 0x8000
#define GRE_K 0x2000
#define GRE_S 0x1000
#define GRE_A 0x0080
#define GRE_VER 0x0007
#define GRE_PROTO_PPP 0x880b

static bool martian_source(uint32_t a)
{
	uint32_t h = ntohl(a);
	uint8_t top = (uint8_t)(h >> 24);

	return top == 0 || top == 127 || top >= 224;
}

static bool martian_dest(uint32_t a)
{
	uint8_t top = (uint8_t)(ntohl(a) >> 24);

	return top == 0 || top == 127;
}

static enum pg_counter parse_tcp(const uint8_t *l4, struct pg_parsed *p)
{
	unsigned int doff;

	if (p->l4_len < 20)
		return PG_CNT_DROP_L4_HDR;
	doff = pg_tcp_doff(l4);
	/* A data offset below the fixed header or past the segment is a lie. */
	if (doff < 20 || doff > p->l4_len)
		return PG_CNT_DROP_L4_HDR;
	p->sport = pg_get16(l4);
	p->dport = pg_get16(l4 + PG_L4_OFF_DPORT);
	p->tcp_flags = l4[PG_TCP_OFF_FLAGS];
	if (!p->sport || !p->dport)
		return PG_CNT_DROP_L4_HDR;
	return PG_CNT_NONE;
}

static enum pg_counter parse_udp(const uint8_t *l4, struct pg_parsed *p, bool whole)
{
	unsigned int ulen;

	if (p->l4_len < 8)
		return PG_CNT_DROP_L4_HDR;
	ulen = ntohs(pg_get16(l4 + PG_UDP_OFF_LEN));
	/*
	 * The UDP length may not exceed what IP carried; in a first fragment the
	 * datagram continues in later fragments, so only the lower bound holds.
	 */
	if (ulen < 8 || (whole && ulen > p->l4_len))
		return PG_CNT_DROP_L4_HDR;
	p->sport = pg_get16(l4);
	p->dport = pg_get16(l4 + PG_L4_OFF_DPORT);
	if (!p->sport || !p->dport)
		return PG_CNT_DROP_L4_HDR;
	return PG_CNT_NONE;
}

static enum pg_counter parse_icmp(const uint8_t *l4, struct pg_parsed *p)
{
	if (p->l4_len < 8)
		return PG_CNT_DROP_L4_HDR;
	p->icmp_type = l4[PG_ICMP_OFF_TYPE];
	p->icmp_code = l4[PG_ICMP_OFF_CODE];
	if (p->icmp_type == PG_ICMP_ECHO_REQUEST || p->icmp_type == PG_ICMP_ECHO_REPLY)
		p->sport = pg_get16(l4 + PG_ICMP_OFF_ID);
	return PG_CNT_NONE;
}

static enum pg_counter parse_gre(const uint8_t *l4, struct pg_parsed *p)
{
	uint16_t flags;

	if (p->l4_len < 4)
		return PG_CNT_DROP_L4_HDR;
	flags = ntohs(pg_get16(l4));
	p->gre_version = flags & GRE_VER;
	if (p->gre_version == 0)
		return PG_CNT_NONE;
	if (p->gre_version != 1)
		return PG_CNT_DROP_L4_HDR;
	/*
	 * Enhanced GRE (RFC 2637 4.1): no checksum, key present, protocol PPP;
	 * the low half of the key is the peer's call id. Sequence and ack
	 * numbers follow but we only need them present.
	 */
	if ((flags & GRE_C) || !(flags & GRE_K) || ntohs(pg_get16(l4 + PG_L4_OFF_DPORT)) != GRE_PROTO_PPP)
		return PG_CNT_DROP_L4_HDR;
	{
		unsigned int need = 8 + ((flags & GRE_S) ? 4 : 0) + ((flags & GRE_A) ? 4 : 0);

		if (p->l4_len < need)
			return PG_CNT_DROP_L4_HDR;
	}
	p->gre_call_id = pg_get16(l4 + PG_GRE_OFF_CALL_ID);
	return PG_CNT_NONE;
}

enum pg_counter pg_parse(struct pg_pkt *pkt, struct pg_parsed *p)
{
	const uint8_t *ip = pkt->l3;
	unsigned int ihl, tot, frag;
	enum pg_counter r;

	if (pkt->len < 20)
		return PG_CNT_DROP_TRUNCATED;
	if ((ip[PG_IP_OFF_VIHL] >> 4) != 4)
		return PG_CNT_DROP_IP_VERSION;
	ihl = pg_ip_hlen(ip);
	if (ihl < 20 || ihl > pkt->len)
		return PG_CNT_DROP_IP_HDR_LEN;
	tot = ntohs(pg_get16(ip + PG_IP_OFF_TOTLEN));
	if (tot < ihl || tot > pkt->len)
		return PG_CNT_DROP_IP_TOTAL_LEN;
	/* Link-layer padding past the IP datagram is not part of it. */
	pkt->len = tot;
	if (pg_csum(ip, ihl) != 0)
		return PG_CNT_DROP_IP_CHECKSUM;

	p->ihl = (uint16_t)ihl;
	p->l4_len = (uint16_t)(tot - ihl);
	p->proto = ip[PG_IP_OFF_PROTO];
	p->ttl = ip[PG_IP_OFF_TTL];
	p->saddr = pg_get32(ip + PG_IP_OFF_SADDR);
	p->daddr = pg_get32(ip + PG_IP_OFF_DADDR);
	/*
	 * A host without an address yet sends from 0.0.0.0 to broadcast (DHCP)
	 * or to a multicast group (IGMP reports): for the gateway, not martian.
	 */
	if ((martian_source(p->saddr) &&
	     !(p->saddr == 0 && (p->daddr == 0xffffffffu || (ntohl(p->daddr) >> 28) == 14))) ||
	    martian_dest(p->daddr))
		return PG_CNT_DROP_IP_BAD_ADDR;

	frag = ntohs(pg_get16(ip + PG_IP_OFF_FRAG));
	p->frag_off = (uint16_t)((frag & IP_OFFMASK) * 8);
	p->more_frags = (frag & IP_MF) != 0;
	p->sport = p->dport = 0;
	p->tcp_flags = 0;
	p->icmp_type = p->icmp_code = 0;
	p->gre_version = 0;
	p->gre_call_id = 0;
	p->esp_spi = 0;
	if (p->frag_off)
		return PG_CNT_NONE; /* no transport header here; caller decides */

	switch (p->proto) {
	case PG_PROTO_TCP:
		r = parse_tcp(ip + ihl, p);
		break;
	case PG_PROTO_UDP:
		r = parse_udp(ip + ihl, p, !p->more_frags);
		break;
	case PG_PROTO_ICMP:
		r = parse_icmp(ip + ihl, p);
		break;
	case PG_PROTO_GRE:
		r = parse_gre(ip + ihl, p);
		break;
	case PG_PROTO_ESP:
		if (p->l4_len < 8)
			return PG_CNT_DROP_L4_HDR;
		p->esp_spi = pg_get32(ip + ihl);
		/* Flow keys hold the SPI as a port pair. */
		p->sport = pg_get16(ip + ihl);
		p->dport = pg_get16(ip + ihl + 2);
		r = PG_CNT_NONE;
		break;
	default:
		r = PG_CNT_NONE;
		break;
	}
	return r;
}
