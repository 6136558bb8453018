/* SPDX-License-Identifier: MIT */
/*
 * rxq.h - light flows first when passgated itself is the bottleneck: each
 * pass empties a link's receive ring into this queue, and the data path
 * takes a ping, a VoIP or game packet, a DNS query ahead of the bulk flows'
 * backlog, which waits here under CoDel instead of in the kernel's ring
 * (docs/ARCHITECTURE.md "Latency"). Pure: time is passed in, no system
 * calls; memory is taken once, in pg_rxq_create().
 */
#ifndef PG_RXQ_H
#define PG_RXQ_H

#include <stdint.h>

#include "io/frame.h"

#define PG_RXQ_FRAMES 1024  /* frames held per link (the daemon's standing queue at most) */
#define PG_RXQ_BUCKETS 1024 /* flow buckets */
#define PG_RXQ_HEAVY 4	    /* frames of one flow waiting that make it bulk */
/*
 * CoDel (RFC 8289) on the bulk lane. The target is the gateway's own queue,
 * not a line's: 1 ms is about 70 full frames at the rate passgated forwards
 * on two busy cores. The interval is RFC 8289's, a path's round trip.
 */
#define PG_RXQ_TARGET_NS 1000000ULL
#define PG_RXQ_INTERVAL_NS 100000000ULL

/* X(ENUM_SUFFIX, "name"): what the queue counts, names stable for the log. */
#define PG_RXQ_COUNTERS(X)                                                                         \
	X(LIGHT, "light")	  /* frames of light flows, served first */                        \
	X(BULK, "bulk")		  /* frames of bulk flows, served after them */                    \
	X(DROP_CODEL, "drop_codel") /* bulk frames over target for an interval */                  \
	X(DROP_FULL, "drop_full")   /* bulk frames dropped from the head to make room */

enum pg_rxq_counter {
#define PG_RXQ_ENUM(e, n) PG_RXQ_CNT_##e,
	PG_RXQ_COUNTERS(PG_RXQ_ENUM)
#undef PG_RXQ_ENUM
	    PG_RXQ_CNT__COUNT
};

struct pg_rxq;

/* The counters' names, indexed by enum pg_rxq_counter. */
const char *pg_rxq_counter_name(unsigned int i);

/* All memory is taken here (about 2 MB); seed keys the flow hash. NULL: out of memory. */
struct pg_rxq *pg_rxq_create(uint32_t seed);
void pg_rxq_destroy(struct pg_rxq *q);

/*
 * Free buffers to receive into: up to PG_DP_BURST-sized chunks, as many as
 * are free (making room by dropping from the bulk lane's head when full).
 * Sets *f to an array of that many frames whose buf the caller fills (len,
 * flags too), then hands the first got of them to pg_rxq_push(). Returns 0
 * when nothing can be taken: leave the frames in the ring.
 */
unsigned int pg_rxq_room(struct pg_rxq *q, struct pg_rx_frame **f);

/* Queue the first got frames of the last pg_rxq_room(), received at now_ns. */
void pg_rxq_push(struct pg_rxq *q, unsigned int got, uint64_t now_ns);

/*
 * Up to max frames to forward now, copied into the caller's frames (their
 * buf must be PG_FRAME_SIZE bytes each): while light frames wait, only
 * those (so they are not held behind the bulk frames' work in the same
 * pass); otherwise bulk frames in arrival order, CoDel dropping at the
 * head. Returns how many.
 */
unsigned int pg_rxq_pop(struct pg_rxq *q, struct pg_rx_frame *out, unsigned int max,
			uint64_t now_ns);

/* Frames waiting. */
uint32_t pg_rxq_backlog(const struct pg_rxq *q);

/* A counter's value. */
uint64_t pg_rxq_count(const struct pg_rxq *q, enum pg_rxq_counter c);

#endif /* PG_RXQ_H */
