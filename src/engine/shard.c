/* SPDX-License-Identifier: MIT */
/*
 * shard.c - steering packets to the worker that owns their flow.
 *
 * DOC: Why the remote address
 *
 * NAT rewrites the local side of a flow (LAN address and port outbound,
 * public address and port inbound) and never the remote side, so the
 * remote address reads the same in both directions: the destination of a
 * packet from the LAN, the source of one from the WAN. Keying the worker on
 * it alone (not on ports) also puts on one worker everything the engine
 * keeps per remote host: filter permits (RFC 4787 address-dependent
 * filtering), fragments (later fragments carry no ports, but every fragment
 * carries the addresses), and the helpers' per-server state: PPTP call ids
 * unique towards a server, the one ESP learner per server, IKE's port 500
 * kept for the first client of a server. ICMP errors name the flow in the
 * packet they quote, whose remote address is read there instead; a LAN
 * packet to the public address (hairpinning) has that address as its
 * remote, in both directions.
 */
#include "engine/shard.h"

#include "engine/engine_internal.h"

#define IPV4_MIN 20
#define ICMP_HDR 8
#define IPV6_MIN 40
#define IPV6_SRC 8
#define IPV6_DST 24
#define IPV6_NH_ICMP 58

static uint32_t rd32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/*
 * The remote address of an ICMP error's quoted packet, when the error is
 * whole (the engine translates no fragmented error either) and quotes at
 * least an IPv4 header; else 0.
 */
static uint32_t quoted_remote(const uint8_t *l3, uint32_t len, uint32_t ihl, bool from_wan)
{
	const uint8_t *q = l3 + ihl + ICMP_HDR;

	if (len < ihl + ICMP_HDR + IPV4_MIN || !pg_icmp_is_error(l3[ihl]) || (q[0] >> 4) != 4)
		return 0;
	/* The quoted packet went the other way: ours outbound, a remote's inbound. */
	return from_wan ? rd32(q + 16) : rd32(q + 12);
}

/* A 64-bit multiply-xorshift mix: every bit of x reaches the top bits. */
static unsigned int mix(const struct pg_shard_map *m, uint64_t x)
{
	x = (x ^ m->seed) * 0xff51afd7ed558ccdULL;
	x ^= x >> 32;
	x *= 0xc4ceb9fe1a85ec53ULL;
	return (unsigned int)(((x >> 32) * m->n) >> 32);
}

/*
 * IPv6 is routed, not translated, but the rule is the same: the remote
 * address (an ICMPv6 error right after the fixed header: its quoted
 * packet's), so both directions of a flow and its errors meet on the worker
 * whose engine holds the flow (forward6.c).
 */
static unsigned int shard6(const struct pg_shard_map *m, const uint8_t *l3, uint32_t len,
			   bool from_wan)
{
	const uint8_t *r = l3 + (from_wan ? IPV6_SRC : IPV6_DST), *q = l3 + IPV6_MIN + ICMP_HDR;

	if (len < IPV6_MIN)
		return 0;
	if (l3[6] == IPV6_NH_ICMP && len >= IPV6_MIN + ICMP_HDR + IPV6_MIN &&
	    l3[IPV6_MIN] < 128 && (q[0] >> 4) == 6)
		r = q + (from_wan ? IPV6_DST : IPV6_SRC); /* it went the other way */
	return mix(m, ((uint64_t)rd32(r) << 32 | rd32(r + 4)) * 0x9e3779b97f4a7c15ULL ^
			      ((uint64_t)rd32(r + 8) << 32 | rd32(r + 12)));
}

unsigned int pg_shard_of(const struct pg_shard_map *m, const uint8_t *l3, uint32_t len,
			 enum pg_side side)
{
	bool from_wan = side == PG_SIDE_WAN;
	uint32_t ihl, remote, quoted;

	if (m->n > 1 && len >= 1 && (l3[0] >> 4) == 6)
		return shard6(m, l3, len, from_wan);
	if (m->n <= 1 || len < IPV4_MIN || (l3[0] >> 4) != 4)
		return 0;
	ihl = (uint32_t)(l3[0] & 15) * 4;
	if (ihl < IPV4_MIN || ihl > len)
		return 0;
	remote = from_wan ? rd32(l3 + 12) : rd32(l3 + 16);
	/* Flags and offset zero apart from DF: a whole datagram, its ICMP header present. */
	if (l3[9] == PG_PROTO_ICMP && (rd32(l3 + 4) & 0x3fff) == 0) {
		quoted = quoted_remote(l3, len, ihl, from_wan);
		if (quoted)
			remote = quoted;
	}
	return mix(m, remote);
}
