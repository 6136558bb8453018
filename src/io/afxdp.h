/* SPDX-License-Identifier: MIT */
/*
 * afxdp.h - the AF_XDP I/O backend: one AF_XDP socket per receive queue of
 * the link, each with its own packet memory (UMEM) and fill, completion,
 * receive and transmit rings, and the XDP program that steers each queue's
 * frames to that queue's socket. The same batch interface as afpacket.h, so
 * the data path can use either: a burst takes from every queue in turn.
 */
#ifndef PG_AFXDP_H
#define PG_AFXDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "io/frame.h"
#include "io/xdp_fast.h"
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

/* Receive queues served at most (the socket map's size in both XDP programs). */
#define PG_AFXDP_QUEUES_MAX PG_XF_QUEUES_MAX

/* One AF_XDP socket, bound to one receive queue, with its own memory. */
struct pg_xsk {
	int fd;
	uint8_t *umem; /* PG_AFXDP_FRAMES frames of PG_FRAME_SIZE */
	size_t umem_len;
	struct pg_xsk_ring fill, comp, rx, tx;
	uint64_t *tx_free; /* UMEM addresses free for transmit (a stack) */
	uint32_t tx_free_n;
	uint32_t tx_pending; /* descriptors queued since the last kick */
	uint64_t rx_frames;  /* frames taken from this queue since open */
};

struct pg_afxdp {
	/*
	 * What to poll: the socket itself on a link with one queue, else an
	 * epoll set of every queue's socket (readable when one of them is).
	 */
	int fd;
	unsigned int ifindex;
	char name[16];
	unsigned int nq;	  /* receive queues, one socket each */
	unsigned int next_rx;	  /* the queue a burst starts with (turns round) */
	struct pg_xsk *q;	  /* nq sockets; q[0] also transmits */
	struct pg_xdp_prog prog;  /* steers every frame to its queue's socket, or: */
	struct pg_xdp_fast fast;  /* the XDP fast path ([datapath] offload) */
	bool use_fast;
	uint64_t kernel_drops;
};

/*
 * Open link ifname: a socket with its memory and rings for each receive
 * queue (up to PG_AFXDP_QUEUES_MAX), the XDP program. Returns 0 or -errno with a message
 * in err (which names what failed, so the caller can say why XDP is not used).
 * fast_obj: the XDP fast path's object file (io/xdp_fast.h) to attach
 * instead of the program that steers every frame to the socket, or NULL.
 */
int pg_afxdp_open(struct pg_afxdp *s, const char *ifname, const char *fast_obj, char *err,
		  size_t errlen);
void pg_afxdp_close(struct pg_afxdp *s);

/* Frames waiting in the receive rings now (the gateway's own queue on this link). */
uint32_t pg_afxdp_rx_backlog(struct pg_afxdp *s);

/*
 * Copy up to max received frames into frames[i].buf (at PG_FRAME_ETH_OFF),
 * from each queue in turn, starting one queue further on each call.
 */
unsigned int pg_afxdp_rx_burst(struct pg_afxdp *s, struct pg_rx_frame *frames, unsigned int max);

/*
 * Queue one frame for transmit on queue 0's socket (the daemon's one thread
 * sends everything): 0, -ENOBUFS (no free buffer or slot) or -EMSGSIZE.
 */
int pg_afxdp_tx(struct pg_afxdp *s, const uint8_t *frame, uint32_t len);

/* Kick the kernel to send what is queued and reclaim sent buffers. 0 or -errno. */
int pg_afxdp_tx_flush(struct pg_afxdp *s);

/* Read and clear a pending socket error (the first of the queues'): 0 or the positive errno. */
int pg_afxdp_take_error(struct pg_afxdp *s);

/* Frames the kernel could not hand to the socket (ring full, no buffer), since open. */
uint64_t pg_afxdp_kernel_drops(struct pg_afxdp *s);

/* Frames taken from receive queue i since open (0 for a queue not served). */
uint64_t pg_afxdp_queue_rx(const struct pg_afxdp *s, unsigned int i);

/* Attached in driver (native) mode rather than generic mode? */
bool pg_afxdp_native(const struct pg_afxdp *s);

#endif /* PG_AFXDP_H */
