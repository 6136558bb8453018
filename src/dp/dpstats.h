/* SPDX-License-Identifier: MIT */
/*
 * dpstats.h - how big the data path's batches are: a histogram of frames
 * taken per pass (both links together), for /metrics. A pass that found
 * nothing is not counted. Buckets are powers of two: bucket i counts
 * passes of at most 2^i frames (and more than 2^(i-1)).
 */
#ifndef PG_DPSTATS_H
#define PG_DPSTATS_H

#include <stdint.h>

#define PG_DP_BATCH_BUCKETS 8 /* 1, 2, 4, ... 128 = 2 * PG_DP_BURST */

struct pg_dp_stats {
	uint64_t batches[PG_DP_BATCH_BUCKETS];
	uint64_t passes; /* passes with at least one frame */
	uint64_t frames; /* frames those passes took */
};

/* Count one pass that took n (> 0) frames. */
static inline void pg_dp_stats_batch(struct pg_dp_stats *s, unsigned int n)
{
	unsigned int b = 0;

	while (b < PG_DP_BATCH_BUCKETS - 1 && (1u << b) < n)
		b++;
	s->batches[b]++;
	s->passes++;
	s->frames += n;
}

#endif /* PG_DPSTATS_H */
