/* SPDX-License-Identifier: MIT */
/*
 * overload.h - when the gateway itself is the bottleneck: drop early and
 * fairly from the heavy flows of a burst, so a link's receive ring does not
 * fill and drop at its tail, light flows included (docs/ARCHITECTURE.md
 * "Latency"). Pure: the caller passes the ring's backlog.
 */
#ifndef PG_OVERLOAD_H
#define PG_OVERLOAD_H

#include <stdint.h>

#include "io/frame.h"

#define PG_OVERLOAD_HIGH 256   /* backlog (frames still in the ring) that raises the drop rate */
#define PG_OVERLOAD_LOW 64     /* backlog under which it falls again */
#define PG_OVERLOAD_HEAVY 4    /* frames of one flow in a burst that make it heavy */
#define PG_OVERLOAD_STEP 16    /* drop probability steps per pass, in 1/4096 */
#define PG_OVERLOAD_MAX_P 1024 /* at most a quarter of a heavy flow's frames */

struct pg_overload {
	uint32_t p;   /* drop probability for heavy flows' frames, in 1/4096 */
	uint32_t acc; /* accumulator: a frame is dropped each time it passes 4096 */
	uint64_t dropped;
	uint64_t passes_dropping;
};

/*
 * Look at one burst of n frames taken from a link whose ring still holds
 * backlog frames (0 if unknown): adjust the drop rate (up while the backlog
 * is above PG_OVERLOAD_HIGH, down below PG_OVERLOAD_LOW) and drop that share
 * of the frames of heavy flows (IPv4 flows with at least PG_OVERLOAD_HEAVY
 * frames in the burst). Kept frames move to the front (frames are swapped,
 * so every buffer stays owned once). Returns how many are kept.
 */
unsigned int pg_overload_filter(struct pg_overload *o, struct pg_rx_frame *f, unsigned int n,
				uint32_t backlog);

#endif /* PG_OVERLOAD_H */
