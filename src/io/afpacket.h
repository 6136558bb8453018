/* SPDX-License-Identifier: MIT */
/*
 * afpacket.h - the AF_PACKET I/O backend: one socket per link with a
 * TPACKET_V2 receive ring and a transmit ring, both mapped into the daemon.
 */
#ifndef PG_AFPACKET_H
#define PG_AFPACKET_H

#include <stddef.h>
#include <stdint.h>

#include "io/frame.h"

struct pg_afp {
	int fd;
	unsigned int ifindex;
	char name[16];
	uint8_t *map; /* receive ring, then transmit ring */
	size_t map_len;
	/* receive: fixed slots the kernel hands over one frame at a time */
	uint32_t rx_frame_size, rx_frame_nr;
	uint32_t rx_cur; /* next slot to read */
	/* transmit: fixed slots, each handed to the kernel with a status word */
	uint8_t *tx_ring;
	uint32_t tx_frame_size, tx_frame_nr;
	uint32_t tx_cur;     /* next slot to fill */
	uint32_t tx_pending; /* slots filled since the last flush */
	uint64_t kernel_drops;
};

/*
 * Open the socket for link ifname, set up and map its rings, bind it.
 * Frames the host itself sends on the link are not received. Returns 0 or
 * -errno with a message in err.
 */
int pg_afp_open(struct pg_afp *s, const char *ifname, char *err, size_t errlen);
void pg_afp_close(struct pg_afp *s);

/*
 * Copy up to max received frames into frames[i].buf (at PG_FRAME_ETH_OFF)
 * and give their ring slots back to the kernel. Returns the number of frames.
 */
unsigned int pg_afp_rx_burst(struct pg_afp *s, struct pg_rx_frame *frames, unsigned int max);

/*
 * Frames waiting in the receive ring, to a power of two from 64 to 512
 * (0: fewer than 64): the gateway's own queue on this link.
 */
uint32_t pg_afp_rx_backlog(struct pg_afp *s);

/* Queue one frame on the transmit ring: 0, -ENOBUFS (ring full) or -EMSGSIZE. */
int pg_afp_tx(struct pg_afp *s, const uint8_t *frame, uint32_t len);

/* Ask the kernel to send everything queued (one send() per batch). 0 or -errno. */
int pg_afp_tx_flush(struct pg_afp *s);

/* Read and clear a pending socket error (POLLERR): 0 or the positive errno. */
int pg_afp_take_error(struct pg_afp *s);

/* Frames the kernel dropped because the receive ring was full, since open. */
uint64_t pg_afp_kernel_drops(struct pg_afp *s);

#endif /* PG_AFPACKET_H */
