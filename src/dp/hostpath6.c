/* SPDX-License-Identifier: MIT */
/*
 * hostpath6.c - the host path's WAN device over IPv6 (docs/HOSTPATH.md
 * "IPv6"): which of the host stack's IPv6 frames may leave, and the
 * neighbour advertisements that answer its solicitations.
 *
 * DOC: Theory of operation
 *
 * As for ARP on this device, the host never meets the WAN link: every
 * neighbour solicitation it sends (for its default router, the made-up
 * link-local PG_HOST6_ROUTER, or an address on the WAN's prefix) is
 * answered with the one made-up MAC, so all its IPv6 frames come to
 * passgated, which resolves the real next hop on the link itself. Only
 * packets from the gateway's WAN address go on (to the engine, as
 * PG_SIDE_HOST); what the host would say about the link (router and
 * neighbour discovery, redirects, MLD reports from its link-local
 * address) is link business passgated does alone, and is dropped.
 *
 * Pure functions over a frame: no I/O, every read bounds-checked (the
 * frames are the host kernel's, but a parser is a parser; fuzz_l2frame
 * runs them).
 */
#include <string.h>

#include "dp/hostpath6.h"
#include "engine/parse6.h"

/* Offsets in an Ethernet frame carrying IPv6. */
#define IP6 PG_ETH_HLEN
#define ICMP6 (IP6 + PG_IP6_HLEN)
#define NS_TARGET 8 /* in the ICMPv6 message (RFC 4861 4.3) */
#define NS_LEN 24
#define NA_LEN 32 /* with one target link-layer address option */
#define OPT_TLLA 2
#define NA_FLAGS 0xe0 /* router, solicited, override (RFC 4861 4.4) */
#define HLIM_ND 255

const uint8_t pg_host6_router[16] = {0xfe, 0x80, [8] = 0x00, 0x70, 0x67, 0xff,
				     0xfe, 0x00, 0x00, 0x01};

enum pg_host6_verdict pg_hostpath6_classify(const uint8_t *frame, uint32_t len,
					    const uint8_t wan6[16])
{
	const uint8_t *ip = frame + IP6;
	uint32_t plen;

	/* A short frame or one whose payload length claims more than came. */
	if (len < ICMP6 || ip[0] >> 4 != 6)
		return PG_HOST6_DROP;
	plen = (uint32_t)ip[PG_IP6_OFF_PLEN] << 8 | ip[PG_IP6_OFF_PLEN + 1];
	if (plen > len - ICMP6)
		return PG_HOST6_DROP;
	if (ip[PG_IP6_OFF_NEXT] == PG_IP6_NH_ICMP6 && plen >= 4) {
		uint8_t type = frame[ICMP6];

		if (type == PG_ICMP6_NEIGH_SOLICIT) {
			const uint8_t *target = frame + ICMP6 + NS_TARGET;

			/* The host's own address (a probe) and groups get no answer. */
			if (plen < NS_LEN || pg_ip6_is_multicast(target) ||
			    pg_ip6_is_unspecified(target) || !memcmp(target, wan6, 16))
				return PG_HOST6_DROP;
			return PG_HOST6_ANSWER;
		}
		/* Router and neighbour discovery and MLD are the link's: passgated's. */
		if ((type >= 130 && type <= 137) || type == 143)
			return PG_HOST6_DROP;
	}
	/* Only the WAN address leaves: nothing else has a way back. */
	if (pg_ip6_is_unspecified(wan6) || memcmp(ip + PG_IP6_OFF_SADDR, wan6, 16))
		return PG_HOST6_DROP;
	return PG_HOST6_OUT;
}

uint32_t pg_hostpath6_answer(uint8_t *out, uint32_t cap, const uint8_t *ns, uint32_t len,
			     const uint8_t peer_mac[PG_ETH_ALEN])
{
	static const uint8_t all_nodes[16] = {0xff, 0x02, [15] = 1};
	const uint8_t *src = ns + IP6 + PG_IP6_OFF_SADDR, *target = ns + ICMP6 + NS_TARGET;
	uint8_t *ip = out + IP6, *m = out + ICMP6;
	uint16_t c;

	if (cap < ICMP6 + NA_LEN || len < ICMP6 + NS_LEN)
		return 0;
	memset(out, 0, ICMP6 + NA_LEN);
	/* Back to the device's own MAC, from the one neighbour it has. */
	pg_eth_write(out, ns + 6, peer_mac, PG_ETH_P_IPV6);
	ip[0] = 0x60;
	ip[PG_IP6_OFF_PLEN + 1] = NA_LEN;
	ip[PG_IP6_OFF_NEXT] = PG_IP6_NH_ICMP6;
	ip[PG_IP6_OFF_HLIM] = HLIM_ND;
	memcpy(ip + PG_IP6_OFF_SADDR, target, 16);
	/* A solicitation from :: (RFC 4861 7.2.4) is answered to all nodes. */
	memcpy(ip + PG_IP6_OFF_DADDR, pg_ip6_is_unspecified(src) ? all_nodes : src, 16);
	m[0] = PG_ICMP6_NEIGH_ADVERT;
	m[4] = pg_ip6_is_unspecified(src) ? NA_FLAGS & ~0x40 : NA_FLAGS;
	memcpy(m + NS_TARGET, target, 16);
	m[24] = OPT_TLLA;
	m[25] = 1;
	memcpy(m + 26, peer_mac, PG_ETH_ALEN);
	c = pg_ip6_l4_csum(ip + PG_IP6_OFF_SADDR, ip + PG_IP6_OFF_DADDR, PG_IP6_NH_ICMP6, m,
			   NA_LEN);
	memcpy(m + 2, &c, 2);
	return ICMP6 + NA_LEN;
}
