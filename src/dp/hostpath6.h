/* SPDX-License-Identifier: MIT */
/*
 * hostpath6.h - the host path's WAN device over IPv6: the host stack's
 * frames sorted, its neighbour solicitations answered (dp/hostpath6.c).
 */
#ifndef PG_HOSTPATH6_H
#define PG_HOSTPATH6_H

#include <stdint.h>

#include "l2/eth.h"

/* The WAN device's default router: fe80:: + the made-up MAC's EUI-64. */
extern const uint8_t pg_host6_router[16];

enum pg_host6_verdict {
	PG_HOST6_DROP = 0, /* link business, a short frame, or not from wan6 */
	PG_HOST6_ANSWER,   /* a neighbour solicitation: pg_hostpath6_answer() */
	PG_HOST6_OUT,	   /* from the WAN address: to the engine */
};

/*
 * Sort an IPv6 frame (Ethernet header included, len bytes) the host sent
 * on the WAN device, whose address is wan6 (zero: none yet).
 */
enum pg_host6_verdict pg_hostpath6_classify(const uint8_t *frame, uint32_t len,
					    const uint8_t wan6[16]);

/*
 * Build in out (cap bytes) the neighbour advertisement answering the
 * solicitation ns (a frame pg_hostpath6_classify() said PG_HOST6_ANSWER
 * of): its target is at peer_mac. Returns the frame's length, 0 if it
 * does not fit.
 */
uint32_t pg_hostpath6_answer(uint8_t *out, uint32_t cap, const uint8_t *ns, uint32_t len,
			     const uint8_t peer_mac[PG_ETH_ALEN]);

#endif /* PG_HOSTPATH6_H */
