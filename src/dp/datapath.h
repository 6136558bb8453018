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
#include <time.h>

#include "io/afpacket.h"
#include "io/afxdp.h"
#include "dp/capture.h"
#include "dp/dpstats.h"
#include "dp/history.h"
#include "conf/config.h"
#include "engine/engine.h"
#include "engine/engines.h"
#include "engine/shaper.h"
#include "dp/ha.h"
#include "dp/hostpath.h"
#include "dp/wan.h"
#include "dp/pd.h"
#include "dp/wan6.h"
#include "dp/overload.h"
#include "dp/rxq.h"
#include "dp/offload.h"
#include "l2/port.h"
#include "dp/workers.h"

#define PG_DP_BURST 64 /* frames taken from each ring per pass */
/* Frame buffers of one pass: a burst per link, and the host's WAN device. */
#define PG_DP_FRAMES (2 * PG_DP_BURST + PG_HOST_BURST)

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
	struct pg_overload overload; /* early drops when we fall behind (overload.h) */
	struct pg_rxq *rxq;	     /* AF_XDP: light flows first when we fall behind (rxq.h) */
};

struct pg_datapath {
	struct pg_engines *engines; /* one per worker ([datapath] workers) */
	struct pg_workers workers;
	struct pg_link link[2]; /* indexed by enum pg_side */
	struct pg_hostpath host; /* the host stack's devices ([host] path) */
	bool host_ready[2];	 /* poll saw the device readable, or a burst left frames */
	uint8_t *bufs;		/* PG_DP_FRAMES frame buffers */
	struct pg_rx_frame frames[PG_DP_FRAMES];
	struct pg_pkt pkts[PG_DP_FRAMES];
	uint64_t last_tick_ms;
	struct pg_capture capture; /* passgatectl capture (capture.h) */
	struct pg_dp_stats stats;  /* batch sizes, for /metrics */
	struct pg_wan wan;	   /* [wan] address = dhcp (wan.h) */
	struct pg_pd pd;	   /* [lan] address6 = pd (pd.h) */
	struct pg_wan6 wan6;	   /* [wan] address6 = slaac (wan6.h) */
	struct pg_ha ha;	   /* master, backup or fault in a VRRP pair (ha.h) */
	/*
	 * Egress shapers ([wan] shape_down on the LAN link, shape_up on the
	 * WAN link; NULL when off): forwarded packets wait there and leave at
	 * the shaped rate (shaper.h). host_of[i]: the LAN host pkts[i] came
	 * from, read before NAT rewrote its source (the upload's fairness key).
	 */
	struct pg_shaper *shaper[2];
	uint32_t host_of[PG_DP_FRAMES];
	/* The graphs' samples, one row a second (history.h), and its scratch. */
	struct pg_history history;
	uint64_t *hist_row;
	uint64_t hist_cnt[PG_CNT__COUNT];
	/* [datapath] offload: the XDP fast path's maps, when both links run it (offload.h). */
	struct pg_offload offload;
	struct pg_offload_decision offload_decision; /* whether (.on) and why, for the status */
	bool offload_paused; /* a capture is armed, or HA backup/fault: no XDP forwarding */
};

/*
 * Open both links of cfg, set up layer 2 and the host path's devices (so
 * the gateway's addresses exist in the host stack when this returns) and
 * start a thread for each worker engine but the first; engines is
 * borrowed. Returns 0 or -errno with a message in err.
 */
int pg_datapath_init(struct pg_datapath *dp, const struct pg_config *cfg,
		     struct pg_engines *engines, char *err, size_t errlen);
void pg_datapath_fini(struct pg_datapath *dp);

/* The socket to poll for side. */
int pg_datapath_fd(const struct pg_datapath *dp, enum pg_side side);

/* The host path's device to poll for side, or -1 ([host] path = off). */
int pg_datapath_host_fd(const struct pg_datapath *dp, enum pg_side side);

/*
 * poll() said side's host device is readable: the next pass reads it (the
 * devices are read only then, so busy forwarding pays no extra syscalls).
 */
void pg_datapath_host_ready(struct pg_datapath *dp, enum pg_side side);

/*
 * One pass: receive a burst from each link, answer ARP, run the engine,
 * send the results, run timers. Returns true if a ring may hold more
 * frames (poll without waiting).
 */
bool pg_datapath_pass(struct pg_datapath *dp, uint64_t now_ms);

/*
 * How long poll may sleep: timeout_ms, or less when a shaper is due to
 * release its next packet sooner (0 when one is due now). ppoll()'s form,
 * since a packet at 50 Mbit/s takes a quarter of a millisecond.
 */
void pg_datapath_poll_timeout(const struct pg_datapath *dp, int timeout_ms, struct timespec *ts);

/* A socket reported an error (POLLERR): read it and log it (rate-limited). */
void pg_datapath_error(struct pg_datapath *dp, enum pg_side side, uint64_t now_ms);

/* SIGUSR1: log the shapers and the early drop, which only the data path holds (a job on its thread). */
void pg_datapath_status(struct pg_datapath *dp);

#endif /* PG_DATAPATH_H */
