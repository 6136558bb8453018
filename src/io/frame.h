/* SPDX-License-Identifier: MIT */
/*
 * frame.h - the layout of the daemon's own frame buffers.
 *
 * Received frames are copied out of the kernel's ring into these buffers
 * before anything reads them: the engine rewrites packets in place and may
 * grow one into an ICMP error, which it must never do inside a ring the
 * kernel shares. The IPv4 header starts at PG_FRAME_L3_OFF so there is room
 * in front for the Ethernet header on the way out, and room behind for the
 * engine's growth.
 */
#ifndef PG_FRAME_H
#define PG_FRAME_H

#include <stdint.h>

#include "l2/eth.h"

#define PG_FRAME_SIZE 2048
#define PG_FRAME_L3_OFF 64
#define PG_FRAME_ETH_OFF (PG_FRAME_L3_OFF - PG_ETH_HLEN)
/* Most frame bytes a buffer takes, from PG_FRAME_ETH_OFF to its end. */
#define PG_FRAME_MAX (PG_FRAME_SIZE - PG_FRAME_ETH_OFF)

/* One received frame: PG_FRAME_SIZE bytes at buf, the frame at buf + PG_FRAME_ETH_OFF. */
struct pg_rx_frame {
	uint8_t *buf;
	uint32_t len;	/* bytes of frame copied */
	uint32_t flags; /* PG_RX_F_* */
};

#endif /* PG_FRAME_H */
