/* SPDX-License-Identifier: MIT */
/*
 * ifcheck.h - what the daemon needs to know about a link before using it,
 * and the start-up checks that refuse a link the kernel would also serve.
 */
#ifndef PG_IFCHECK_H
#define PG_IFCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "l2/eth.h"

struct pg_ifinfo {
	unsigned int ifindex;
	uint8_t mac[PG_ETH_ALEN];
	uint32_t mtu;
	bool up;
};

/* Look a link up: index, MAC, MTU, state. 0 or -errno with a message in err. */
int pg_if_query(const char *ifname, struct pg_ifinfo *info, char *err, size_t errlen);

/*
 * Check that passgated can own link ifname (configured MTU mtu): it must be
 * Ethernet; the kernel must hold no IPv4 address and have IPv6 disabled on
 * it (or it would answer ARP, ICMP and neighbour discovery next to us); GRO
 * and LRO must be off (or AF_PACKET would hand us merged super-frames); its
 * MTU must fit mtu. Each problem is logged as an error with the command that
 * fixes it. Returns the number of problems (0: the link is fit).
 */
int pg_if_check(const char *ifname, uint32_t mtu);

#endif /* PG_IFCHECK_H */
