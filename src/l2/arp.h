/* SPDX-License-Identifier: MIT */
/*
 * arp.h - ARP (RFC 826) for IPv4 over Ethernet: parsing received messages
 * and building requests and replies. Pure functions over byte buffers; what
 * to answer and what to learn is decided by port.c.
 */
#ifndef PG_ARP_H
#define PG_ARP_H

#include <stddef.h>
#include <stdint.h>

#include "l2/eth.h"

#define PG_ARP_LEN 28 /* IPv4-over-Ethernet ARP body */
#define PG_ARP_OP_REQUEST 1
#define PG_ARP_OP_REPLY 2

/* An ARP message. op in host order, addresses in network order. */
struct pg_arp {
	uint16_t op;
	uint8_t sha[PG_ETH_ALEN];
	uint32_t spa;
	uint8_t tha[PG_ETH_ALEN];
	uint32_t tpa;
};

/*
 * Parse the ARP body that follows an Ethernet header (len bytes, trailing
 * padding allowed). Returns 0, or the index of the L2 counter naming the
 * fault: PG_L2_CNT_DROP_ARP_MALFORMED (short, or a sender that cannot be a
 * host) or PG_L2_CNT_DROP_ARP_UNSUPPORTED (not IPv4 over Ethernet, or an
 * operation other than request and reply).
 */
int pg_arp_parse(const uint8_t *body, size_t len, struct pg_arp *a);

/*
 * Build a complete Ethernet frame carrying a, from a->sha to eth_dst, padded
 * to the 60-byte minimum. Returns the frame length, or 0 if cap is too small.
 */
size_t pg_arp_build(uint8_t *frame, size_t cap, const uint8_t eth_dst[PG_ETH_ALEN],
			const struct pg_arp *a);

#endif /* PG_ARP_H */
