/* SPDX-License-Identifier: MIT */
/*
 * afxdp.h - the AF_XDP I/O backend: one AF_XDP socket per link on queue 0,
 * its own packet memory (UMEM) with fill, completion, receive and transmit
 * rings, and the XDP program that steers the link's frames to it. The same
 * batch interface as afpacket.h, so the data path can use either.
 */
#ifndef PG_AFXDP_H
#define PG_AFXDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "io/frame.h"
#include "io/xdp_prog.h"

/* One of the four rings shared with the kernel (producer/consumer indexes). */
struct pg_xsk_ring {
	uint32_t *producer, *consumer, *flags;
	void *desc;
	uint32_t mask;
	uint32_t cached_prod, cached_cons;
	void *map;
	size_t map_len;
};

struct pg_afxdp {
	int fd;
	unsigned int ifindex;
	char name[16];
	uint8_t *umem; /* PG_AFXDP_FRAMES frames of PG_FRAME_SIZE */
	size_t umem_len;
	struct pg_xsk_ring fill, comp, rx, tx;
	uint64_t *tx_free; /* UMEM addresses free for transmit (a stack) */
	uint32_t tx_free_n;
	uint32_t tx_pending; /* descriptors queued since the last kick */
	struct pg_xdp_prog prog;
	uint64_t kernel_drops;
};

/*
 * Open link ifname: the socket, its memory and rings, the XDP program. The
 * link must have a single receive queue. Returns 0 or -errno with a message
 * in err (which names what failed, so the caller can say why XDP is not used).
 */
int pg_afxdp_open(struct pg_afxdp *s, const char *ifname, char *err, size_t errlen);
void pg_afxdp_close(struct pg_afxdp *s);

/* Frames waiting in the receive ring now (the gateway's own queue on this link). */
uint32_t pg_afxdp_rx_backlog(struct pg_afxdp *s);

/* Copy up to max received frames into frames[i].buf (at PG_FRAME_ETH_OFF). */
unsigned int pg_afxdp_rx_burst(struct pg_afxdp *s, struct pg_rx_frame *frames, unsigned int max);

/* Queue one frame for transmit: 0, -ENOBUFS (no free buffer or slot) or -EMSGSIZE. */
int pg_afxdp_tx(struct pg_afxdp *s, const uint8_t *frame, uint32_t len);

/* Kick the kernel to send what is queued and reclaim sent buffers. 0 or -errno. */
int pg_afxdp_tx_flush(struct pg_afxdp *s);

/* Read and clear a pending socket error: 0 or the positive errno. */
int pg_afxdp_take_error(struct pg_afxdp *s);

/* Frames the kernel could not hand to the socket (ring full, no buffer), since open. */
uint64_t pg_afxdp_kernel_drops(struct pg_afxdp *s);

/* Attached in driver (native) mode rather than generic mode? */
bool pg_afxdp_native(const struct pg_afxdp *s);

#endif /* PG_AFXDP_H */
