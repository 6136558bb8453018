/* SPDX-License-Identifier: MIT */
/*
 * datapath.h - the daemon's packet path over real links: two AF_PACKET or
 * AF_XDP sockets ([datapath] backend), layer 2 for each side, and the engine
 * between them.
 */
#ifndef PG_DATAPATH_H
#define PG_DATAPATH_H

#include <stdbool.h>
#include <stdint.h>

#include "afpacket.h"
#include "afxdp.h"
#include "capture.h"
#include "dpstats.h"
#include "config.h"
#include "engine.h"
#include "port.h"

#define PG_DP_BURST 64 /* frames taken from each ring per pass */

struct pg_link {
	bool use_xdp; /* which of the two sockets below is open */
	struct pg_afp afp;
	struct pg_afxdp xdp;
	struct pg_port port;
	uint64_t warned_oversize, warned_csum; /* counter values at the last warning */
	uint64_t warn_ms;
	uint64_t err_ms;
	struct pg_capture *cap; /* the datapath's, for frames sent from layer 2 */
	unsigned int ifindex;
};

struct pg_datapath {
	struct pg_engine *engine;
	struct pg_link link[2]; /* indexed by enum pg_side */
	uint8_t *bufs;		/* 2 * PG_DP_BURST frame buffers */
	struct pg_rx_frame frames[2 * PG_DP_BURST];
	struct pg_pkt pkts[2 * PG_DP_BURST];
	uint64_t last_tick_ms;
	struct pg_capture capture; /* passgatectl capture (capture.h) */
	struct pg_dp_stats stats;  /* batch sizes, for /metrics */
};

/*
 * Open both links of cfg and set up layer 2; engine is borrowed. Returns 0
 * or -errno with a message in err.
 */
int pg_datapath_init(struct pg_datapath *dp, const struct pg_config *cfg, struct pg_engine *engine,
		     char *err, size_t errlen);
void pg_datapath_fini(struct pg_datapath *dp);

/* The socket to poll for side. */
int pg_datapath_fd(const struct pg_datapath *dp, enum pg_side side);

/*
 * One pass: receive a burst from each link, answer ARP, run the engine,
 * send the results, run timers. Returns true if a ring may hold more
 * frames (poll without waiting).
 */
bool pg_datapath_pass(struct pg_datapath *dp, uint64_t now_ms);

/* A socket reported an error (POLLERR): read it and log it (rate-limited). */
void pg_datapath_error(struct pg_datapath *dp, enum pg_side side, uint64_t now_ms);

/* Log counters, flow count and one line per link (SIGUSR1). */
void pg_datapath_status(struct pg_datapath *dp);

#endif /* PG_DATAPATH_H */
