/* SPDX-License-Identifier: MIT */
/*
 * eth.h - Ethernet II headers: reading, writing, MAC address helpers, and the
 * receive metadata an I/O backend reports with each frame.
 *
 * Headers are read and written byte by byte through these helpers: frames
 * sit at arbitrary alignment in ring and batch buffers, so no struct is cast
 * onto them.
 */
#ifndef PG_ETH_H
#define PG_ETH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PG_ETH_ALEN 6
#define PG_ETH_HLEN 14
#define PG_ETH_ZLEN 60 /* shortest frame on the wire, without FCS */

/* EtherTypes, host order. */
#define PG_ETH_P_IP 0x0800
#define PG_ETH_P_ARP 0x0806
#define PG_ETH_P_8021Q 0x8100
#define PG_ETH_P_8021AD 0x88a8
#define PG_ETH_P_IPV6 0x86dd

/* Receive metadata, set by the I/O backend. */
#define PG_RX_F_VLAN (1u << 0)	       /* the NIC or kernel stripped a VLAN tag */
#define PG_RX_F_CSUM_PARTIAL (1u << 1) /* checksum left for offload: bytes are not final */
#define PG_RX_F_TRUNCATED (1u << 2)    /* the receive ring kept only part of the frame */
#define PG_RX_F_OVERSIZE (1u << 3)     /* longer than a frame buffer: not copied */

/* The parts of a header; type in host order. */
struct pg_eth_hdr {
	uint8_t dst[PG_ETH_ALEN];
	uint8_t src[PG_ETH_ALEN];
	uint16_t type;
};

/* Read the header of a frame; -EINVAL if len < PG_ETH_HLEN. */
int pg_eth_parse(const uint8_t *frame, size_t len, struct pg_eth_hdr *h);

/* Write a header at frame (PG_ETH_HLEN bytes). */
void pg_eth_write(uint8_t *frame, const uint8_t dst[PG_ETH_ALEN], const uint8_t src[PG_ETH_ALEN],
		  uint16_t type);

static inline bool pg_eth_is_multicast(const uint8_t mac[PG_ETH_ALEN])
{
	return mac[0] & 1; /* includes broadcast */
}

bool pg_eth_is_broadcast(const uint8_t mac[PG_ETH_ALEN]);
bool pg_eth_is_zero(const uint8_t mac[PG_ETH_ALEN]);

/* "02:00:00:00:00:01" into buf (at least 18 bytes). */
char *pg_eth_ntoa(const uint8_t mac[PG_ETH_ALEN], char *buf);

extern const uint8_t pg_eth_broadcast[PG_ETH_ALEN];

#endif /* PG_ETH_H */
