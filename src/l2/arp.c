/* SPDX-License-Identifier: MIT */
/*
 * arp.c - parsing and building ARP messages for IPv4 over Ethernet.
 *
 * Wire layout (RFC 826): htype(2) ptype(2) hlen(1) plen(1) op(2) sha(6)
 * spa(4) tha(6) tpa(4) = 28 bytes.
 */
#include <string.h>

#include "l2/arp.h"
#include "l2/l2_counters.h"
#include "util/wire.h"

#define ARP_HTYPE_ETHER 1

int pg_arp_parse(const uint8_t *body, size_t len, struct pg_arp *a)
{
	uint16_t op;

	/* Shorter than the IPv4-over-Ethernet body: the frame lies about its content. */
	if (len < PG_ARP_LEN)
		return PG_L2_CNT_DROP_ARP_MALFORMED;
	/* Another hardware or protocol type, or lengths that do not fit them. */
	if (pg_be16(body) != ARP_HTYPE_ETHER || pg_be16(body + 2) != PG_ETH_P_IP ||
		body[4] != PG_ETH_ALEN || body[5] != 4)
		return PG_L2_CNT_DROP_ARP_UNSUPPORTED;
	op = pg_be16(body + 6);
	if (op != PG_ARP_OP_REQUEST && op != PG_ARP_OP_REPLY)
		return PG_L2_CNT_DROP_ARP_UNSUPPORTED; /* RARP, InARP, ... */
	a->op = op;
	memcpy(a->sha, body + 8, PG_ETH_ALEN);
	memcpy(&a->spa, body + 14, 4);
	memcpy(a->tha, body + 18, PG_ETH_ALEN);
	memcpy(&a->tpa, body + 24, 4);
	/* A group or null sender address cannot be a neighbour's interface. */
	if (pg_eth_is_multicast(a->sha) || pg_eth_is_zero(a->sha))
		return PG_L2_CNT_DROP_ARP_MALFORMED;
	return 0;
}

size_t pg_arp_build(uint8_t *frame, size_t cap, const uint8_t eth_dst[PG_ETH_ALEN],
			const struct pg_arp *a)
{
	uint8_t *b = frame + PG_ETH_HLEN;

	if (cap < PG_ETH_ZLEN)
		return 0;
	pg_eth_write(frame, eth_dst, a->sha, PG_ETH_P_ARP);
	pg_put_be16(b, ARP_HTYPE_ETHER);
	pg_put_be16(b + 2, PG_ETH_P_IP);
	b[4] = PG_ETH_ALEN;
	b[5] = 4;
	pg_put_be16(b + 6, a->op);
	memcpy(b + 8, a->sha, PG_ETH_ALEN);
	memcpy(b + 14, &a->spa, 4);
	memcpy(b + 18, a->tha, PG_ETH_ALEN);
	memcpy(b + 24, &a->tpa, 4);
	memset(b + PG_ARP_LEN, 0, PG_ETH_ZLEN - PG_ETH_HLEN - PG_ARP_LEN);
	return PG_ETH_ZLEN;
}
