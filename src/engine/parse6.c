/* SPDX-License-Identifier: MIT */
/*
 * parse6.c - the IPv6 reader: fixed header, extension headers, transport.
 *
 * DOC: The extension header walk
 *
 * A firewall must find the upper-layer header to decide, and an IPv6 packet
 * may put any number of extension headers in front of it. The walk is
 * bounded three ways: by the packet (every header's length is checked
 * before it is read), by count (PG_IP6_EXT_MAX, then drop_ip6_ext_chain),
 * and by progress (every header is at least 8 bytes, so the offset always
 * moves). Headers whose placement or content RFC 8200 and its updates rule
 * out are refused as drop_ip6_ext_header: hop-by-hop options anywhere but
 * first (RFC 8200 4.1), two fragment headers, a type 0 routing header that
 * still has segments to visit (RFC 5095), an AH shorter than its fixed part.
 * A first fragment must carry the whole chain and the transport header
 * (RFC 7112); one that does not is refused like a truncated packet. A later
 * fragment stops the walk at its fragment header: what follows is payload.
 */
#include <string.h>

#include "engine/csum.h"
#include "engine/parse.h"
#include "engine/parse6.h"

static uint16_t rd16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

bool pg_ip6_is_unspecified(const uint8_t *a)
{
	static const uint8_t zero[PG_IP6_ALEN];

	return !memcmp(a, zero, PG_IP6_ALEN);
}

bool pg_ip6_is_loopback(const uint8_t *a)
{
	static const uint8_t one[PG_IP6_ALEN] = { [15] = 1 };

	return !memcmp(a, one, PG_IP6_ALEN);
}

bool pg_ip6_in_prefix(const uint8_t *a, const uint8_t *prefix, unsigned int len)
{
	unsigned int bytes = len / 8, bits = len % 8;

	if (len > 128)
		return false;
	if (memcmp(a, prefix, bytes))
		return false;
	if (!bits)
		return true;
	return ((a[bytes] ^ prefix[bytes]) & (uint8_t)(0xff00 >> bits)) == 0;
}

uint16_t pg_ip6_l4_csum(const uint8_t *saddr, const uint8_t *daddr, uint8_t proto,
			const uint8_t *l4, uint32_t len)
{
	uint8_t ph[40] = { 0 };
	uint32_t sum;

	memcpy(ph, saddr, PG_IP6_ALEN);
	memcpy(ph + 16, daddr, PG_IP6_ALEN);
	ph[32] = (uint8_t)(len >> 24);
	ph[33] = (uint8_t)(len >> 16);
	ph[34] = (uint8_t)(len >> 8);
	ph[35] = (uint8_t)len;
	ph[39] = proto;
	sum = pg_csum_partial(ph, sizeof(ph), 0);
	return pg_csum_fold(pg_csum_partial(l4, len, sum));
}

/* One extension header at off: its length, or 0 for a refusal stored in *why. */
static uint32_t ext_len(const uint8_t *ip, uint32_t off, uint32_t end, uint8_t nh,
			enum pg_counter *why)
{
	uint32_t len;

	*why = PG_CNT_DROP_IP6_EXT_CHAIN;
	/* Every extension header has at least 8 bytes (the AH's fixed part is 12). */
	if (end - off < 8)
		return 0;
	switch (nh) {
	case PG_IP6_NH_FRAGMENT:
		return 8;
	case PG_IP6_NH_AH:
		/* RFC 4302 2.2: payload length in 32-bit words, minus 2. */
		len = ((uint32_t)ip[off + 1] + 2) * 4;
		if (len < 12) {
			*why = PG_CNT_DROP_IP6_EXT_HDR;
			return 0;
		}
		break;
	default:
		/* RFC 8200 4.3-4.6: length in 8-byte units, not counting the first 8. */
		len = ((uint32_t)ip[off + 1] + 1) * 8;
		break;
	}
	if (len > end - off)
		return 0; /* the header claims bytes the packet does not have */
	if (nh == PG_IP6_NH_ROUTING && ip[off + 2] == 0 && ip[off + 3] != 0) {
		/* RFC 5095: type 0 is deprecated; one with segments left must not be processed. */
		*why = PG_CNT_DROP_IP6_EXT_HDR;
		return 0;
	}
	return len;
}

/* The upper-layer header: present, self-consistent, no port 0. */
static enum pg_counter parse_upper(const uint8_t *l4, struct pg_parsed6 *p)
{
	uint32_t n = p->l4_len;

	switch (p->proto) {
	case PG_PROTO_TCP:
		if (n < 20 || pg_tcp_doff(l4) < 20 || pg_tcp_doff(l4) > n)
			return PG_CNT_DROP_L4_HDR;
		p->tcp_flags = l4[PG_TCP_OFF_FLAGS];
		break;
	case PG_PROTO_UDP:
		if (n < 8)
			return PG_CNT_DROP_L4_HDR;
		/* A fragmented datagram's length covers fragments not in this packet. */
		if (!p->more_frags &&
		    (rd16(l4 + PG_UDP_OFF_LEN) < 8 || rd16(l4 + PG_UDP_OFF_LEN) > n))
			return PG_CNT_DROP_L4_HDR;
		break;
	case PG_IP6_NH_ICMP6:
		/* Every message the gateway looks at has 8 bytes before its body. */
		if (n < PG_ICMP6_HLEN)
			return PG_CNT_DROP_L4_HDR;
		p->icmp_type = l4[PG_ICMP6_OFF_TYPE];
		p->icmp_code = l4[PG_ICMP6_OFF_CODE];
		if (p->icmp_type == PG_ICMP6_ECHO_REQUEST || p->icmp_type == PG_ICMP6_ECHO_REPLY) {
			memcpy(&p->sport, l4 + PG_ICMP6_OFF_ID, 2);
			p->dport = p->sport;
		}
		return PG_CNT_NONE;
	case PG_IP6_NH_ESP:
		if (n < 8) /* SPI and sequence number */
			return PG_CNT_DROP_L4_HDR;
		return PG_CNT_NONE;
	default:
		return PG_CNT_NONE;
	}
	memcpy(&p->sport, l4 + PG_L4_OFF_SPORT, 2);
	memcpy(&p->dport, l4 + PG_L4_OFF_DPORT, 2);
	if (!p->sport || !p->dport)
		return PG_CNT_DROP_L4_HDR;
	return PG_CNT_NONE;
}

/*
 * Walk the extension headers from the fixed header's next-header field up
 * to the upper-layer header or a later fragment's payload, end bytes at ip.
 */
static enum pg_counter walk(const uint8_t *ip, uint32_t end, struct pg_parsed6 *p)
{
	enum pg_counter why;
	uint32_t off = PG_IP6_HLEN;
	uint8_t nh = ip[PG_IP6_OFF_NEXT];

	for (;;) {
		uint32_t len;

		switch (nh) {
		case PG_IP6_NH_HOPOPTS:
			if (off != PG_IP6_HLEN)
				return PG_CNT_DROP_IP6_EXT_HDR;
			break;
		case PG_IP6_NH_ROUTING:
		case PG_IP6_NH_DSTOPTS:
			break;
		case PG_IP6_NH_AH:
			p->ah = true;
			break;
		case PG_IP6_NH_FRAGMENT:
			if (p->fragment)
				return PG_CNT_DROP_IP6_EXT_HDR;
			break;
		default:
			p->proto = nh;
			p->l4_off = off;
			p->l4_len = end - off;
			return PG_CNT_NONE;
		}
		if (++p->n_ext > PG_IP6_EXT_MAX)
			return PG_CNT_DROP_IP6_EXT_CHAIN;
		len = ext_len(ip, off, end, nh, &why);
		if (!len)
			return why;
		if (nh == PG_IP6_NH_FRAGMENT) {
			uint16_t fo = rd16(ip + off + 2);

			p->fragment = true;
			p->frag_off = fo & 0xfff8;
			p->more_frags = fo & 1;
			memcpy(&p->frag_id, ip + off + 4, 4);
		}
		nh = ip[off];
		off += len;
		if (p->frag_off) {
			/* A later fragment: the rest is payload, not headers. */
			p->proto = nh;
			p->l4_off = off;
			p->l4_len = end - off;
			return PG_CNT_NONE;
		}
	}
}

enum pg_counter pg_parse6(struct pg_pkt *pkt, struct pg_parsed6 *p)
{
	const uint8_t *ip = pkt->l3;
	enum pg_counter r;
	uint32_t plen;

	memset(p, 0, sizeof(*p));
	if (pkt->len < PG_IP6_HLEN)
		return PG_CNT_DROP_TRUNCATED;
	if (ip[0] >> 4 != 6)
		return PG_CNT_DROP_IP_VERSION;
	plen = rd16(ip + PG_IP6_OFF_PLEN);
	/* Payload length 0 behind hop-by-hop options is a jumbogram (RFC 2675): no link here
	 * carries one. */
	if ((plen == 0 && ip[PG_IP6_OFF_NEXT] == PG_IP6_NH_HOPOPTS) ||
	    PG_IP6_HLEN + plen > pkt->len)
		return PG_CNT_DROP_IP6_PAYLOAD_LEN;
	pkt->len = PG_IP6_HLEN + plen; /* link padding is not part of the packet */
	p->saddr = ip + PG_IP6_OFF_SADDR;
	p->daddr = ip + PG_IP6_OFF_DADDR;
	p->hop_limit = ip[PG_IP6_OFF_HLIM];
	/* RFC 4291 2.5.3, 2.7: never a source or a destination on any wire. */
	if (pg_ip6_is_multicast(p->saddr) || pg_ip6_is_loopback(p->saddr) ||
	    pg_ip6_is_loopback(p->daddr) || pg_ip6_is_unspecified(p->daddr))
		return PG_CNT_DROP_IP_BAD_ADDR;
	r = walk(ip, pkt->len, p);
	if (r != PG_CNT_NONE || p->frag_off)
		return r;
	return parse_upper(ip + p->l4_off, p);
}

bool pg_parse6_quoted(const uint8_t *ip, uint32_t len, struct pg_parsed6 *p)
{
	const uint8_t *l4;
	uint32_t end;

	memset(p, 0, sizeof(*p));
	if (len < PG_IP6_HLEN || ip[0] >> 4 != 6)
		return false;
	/* The quote may be cut short, never longer than the packet it quotes. */
	end = PG_IP6_HLEN + rd16(ip + PG_IP6_OFF_PLEN);
	if (end > len)
		end = len;
	p->saddr = ip + PG_IP6_OFF_SADDR;
	p->daddr = ip + PG_IP6_OFF_DADDR;
	p->hop_limit = ip[PG_IP6_OFF_HLIM];
	if (walk(ip, end, p) != PG_CNT_NONE)
		return false;
	if (p->frag_off)
		return true;
	l4 = ip + p->l4_off;
	if ((p->proto == PG_PROTO_TCP || p->proto == PG_PROTO_UDP) && p->l4_len >= 4) {
		memcpy(&p->sport, l4 + PG_L4_OFF_SPORT, 2);
		memcpy(&p->dport, l4 + PG_L4_OFF_DPORT, 2);
	} else if (p->proto == PG_IP6_NH_ICMP6 && p->l4_len >= PG_ICMP6_HLEN) {
		p->icmp_type = l4[PG_ICMP6_OFF_TYPE];
		p->icmp_code = l4[PG_ICMP6_OFF_CODE];
		memcpy(&p->sport, l4 + PG_ICMP6_OFF_ID, 2);
		p->dport = p->sport;
	} else if (p->proto == PG_PROTO_TCP || p->proto == PG_PROTO_UDP ||
		   p->proto == PG_IP6_NH_ICMP6) {
		return false; /* RFC 4443 2.4(c) quotes as much as fits: the ports always do */
	}
	return true;
}
