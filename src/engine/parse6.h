/* SPDX-License-Identifier: MIT */
/*
 * parse6.h - bounds-checked parsing of an IPv6 packet: its fixed header, a
 * bounded walk over its extension headers, and its transport header.
 *
 * As for IPv4 (parse.h), pg_parse6() reads every byte it reports once and
 * never past pkt->len, and fills in everything later stages need, so the
 * firewall (forward6.c) and the gateway's own answers never parse again.
 */
#ifndef PG_PARSE6_H
#define PG_PARSE6_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/engine.h"

#define PG_IP6_HLEN 40
#define PG_IP6_ALEN 16

/* Offsets in the fixed header (RFC 8200 section 3). */
#define PG_IP6_OFF_PLEN 4 /* payload length: bytes after the fixed header */
#define PG_IP6_OFF_NEXT 6
#define PG_IP6_OFF_HLIM 7
#define PG_IP6_OFF_SADDR 8
#define PG_IP6_OFF_DADDR 24

/* Next-header values the walk knows (IANA "Assigned Internet Protocol Numbers"). */
#define PG_IP6_NH_HOPOPTS 0
#define PG_IP6_NH_ROUTING 43
#define PG_IP6_NH_FRAGMENT 44
#define PG_IP6_NH_ESP 50
#define PG_IP6_NH_AH 51
#define PG_IP6_NH_ICMP6 58
#define PG_IP6_NH_NONE 59
#define PG_IP6_NH_DSTOPTS 60

/*
 * Extension headers walked before a packet is refused as too long a chain
 * (drop_ip6_ext_chain). RFC 8200 section 4.1 recommends at most one of each
 * (two destination options); 8 leaves room for that and refuses padding
 * attacks that hide the transport header beyond a firewall's view.
 */
#define PG_IP6_EXT_MAX 8

/* ICMPv6 types (RFC 4443, RFC 4861). */
#define PG_ICMP6_DEST_UNREACH 1
#define PG_ICMP6_PACKET_TOO_BIG 2
#define PG_ICMP6_TIME_EXCEEDED 3
#define PG_ICMP6_PARAM_PROBLEM 4
#define PG_ICMP6_ECHO_REQUEST 128
#define PG_ICMP6_ECHO_REPLY 129
#define PG_ICMP6_ROUTER_SOLICIT 133
#define PG_ICMP6_ROUTER_ADVERT 134
#define PG_ICMP6_NEIGH_SOLICIT 135
#define PG_ICMP6_NEIGH_ADVERT 136
#define PG_ICMP6_REDIRECT 137

/* Offsets in ICMPv6 (the same layout as ICMP's). */
#define PG_ICMP6_OFF_TYPE 0
#define PG_ICMP6_OFF_CODE 1
#define PG_ICMP6_OFF_CSUM 2
#define PG_ICMP6_OFF_ID 4   /* echo identifier */
#define PG_ICMP6_OFF_REST 4 /* the 32 bits after the checksum (PTB: the MTU) */
#define PG_ICMP6_HLEN 8

/* What the parser learnt. Ports stay in network byte order. */
struct pg_parsed6 {
	const uint8_t *saddr, *daddr; /* into the packet, 16 bytes each */
	uint32_t l4_off;	      /* offset of the upper-layer header */
	uint32_t l4_len;	      /* bytes from l4_off to the end of the packet */
	uint8_t proto;		      /* upper-layer protocol after the extension headers */
	uint8_t hop_limit;
	uint8_t n_ext; /* extension headers walked */
	bool fragment; /* a fragment header was seen */
	bool ah;       /* an authentication header was walked (IPsec) */
	bool more_frags;
	uint16_t frag_off;     /* fragment offset in bytes */
	uint32_t frag_id;      /* network order */
	uint16_t sport, dport; /* TCP/UDP; ICMPv6 echo: the identifier in both */
	uint8_t tcp_flags;
	uint8_t icmp_type, icmp_code;
};

/*
 * Validate and parse the IPv6 packet at pkt->l3. Trims pkt->len to the
 * header's payload length. A later fragment (offset above 0) stops at its
 * fragment header: proto is then the fragment's next header and no port is
 * read. Returns PG_CNT_NONE or the drop counter explaining the refusal.
 */
enum pg_counter pg_parse6(struct pg_pkt *pkt, struct pg_parsed6 *p);

/*
 * Parse the packet an ICMPv6 error quotes (len bytes, possibly cut short):
 * addresses, upper-layer protocol, ports or echo identifier. False when
 * even that much is not there or the chain is malformed.
 */
bool pg_parse6_quoted(const uint8_t *ip, uint32_t len, struct pg_parsed6 *p);

/* Address classes (RFC 4291 section 2.4). */
static inline bool pg_ip6_is_multicast(const uint8_t *a)
{
	return a[0] == 0xff;
}

static inline bool pg_ip6_is_linklocal(const uint8_t *a)
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

bool pg_ip6_is_unspecified(const uint8_t *a);
bool pg_ip6_is_loopback(const uint8_t *a);

/* Is a inside prefix/len? */
bool pg_ip6_in_prefix(const uint8_t *a, const uint8_t *prefix, unsigned int len);

/* Is an ICMPv6 type an error message (RFC 4443 section 2.1: types below 128)? */
static inline bool pg_icmp6_is_error(uint8_t type)
{
	return type < 128;
}

/* The upper-layer checksum of an IPv6 packet: pseudo-header (RFC 8200 8.1) and l4. */
uint16_t pg_ip6_l4_csum(const uint8_t *saddr, const uint8_t *daddr, uint8_t proto,
			const uint8_t *l4, uint32_t len);

#endif /* PG_PARSE6_H */
