/* SPDX-License-Identifier: MIT */
/*
 * eth.c - Ethernet II header access and MAC address helpers.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "l2/eth.h"

const uint8_t pg_eth_broadcast[PG_ETH_ALEN] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

int pg_eth_parse(const uint8_t *frame, size_t len, struct pg_eth_hdr *h)
{
	if (len < PG_ETH_HLEN)
		return -EINVAL;
	memcpy(h->dst, frame, PG_ETH_ALEN);
	memcpy(h->src, frame + PG_ETH_ALEN, PG_ETH_ALEN);
	h->type = (uint16_t)(frame[12] << 8 | frame[13]);
	return 0;
}

void pg_eth_write(uint8_t *frame, const uint8_t dst[PG_ETH_ALEN], const uint8_t src[PG_ETH_ALEN],
		  uint16_t type)
{
	memcpy(frame, dst, PG_ETH_ALEN);
	memcpy(frame + PG_ETH_ALEN, src, PG_ETH_ALEN);
	frame[12] = (uint8_t)(type >> 8);
	frame[13] = (uint8_t)type;
}

bool pg_eth_is_broadcast(const uint8_t mac[PG_ETH_ALEN])
{
	return !memcmp(mac, pg_eth_broadcast, PG_ETH_ALEN);
}

bool pg_eth_is_zero(const uint8_t mac[PG_ETH_ALEN])
{
	static const uint8_t zero[PG_ETH_ALEN];

	return !memcmp(mac, zero, PG_ETH_ALEN);
}

char *pg_eth_ntoa(const uint8_t mac[PG_ETH_ALEN], char *buf)
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
		 mac[5]);
	return buf;
}
