/* SPDX-License-Identifier: MIT */
/*
 * dpstats.h - what the data path's passes look like, for /metrics and
 * `passgatectl status`:
 *
 * - batch sizes: a histogram of frames taken per pass (both links
 *   together). A pass that found nothing is not counted. Bucket i counts
 *   passes of at most 2^i frames (and more than 2^(i-1)).
 * - pass durations: how long one turn of the data path's loop took, from
 *   poll() returning to the next poll(), including any control job run on
 *   that thread (handoff.h). Bucket i counts turns of at most 2^i
 *   microseconds; longer than the last bucket is only in count. A stall of
 *   the packets shows here, in production, not only in a test. The time is
 *   the wall clock's: a thread preempted mid-pass shows it too.
 * - control jobs: how much of the data path thread's CPU each job of the
 *   control thread took (part of its turn), same buckets: the control
 *   plane's own share of the turns, on the thread's CPU clock so that a
 *   preemption by another process does not count as control work.
 */
#ifndef PG_DPSTATS_H
#define PG_DPSTATS_H

#include <stdint.h>

#define PG_DP_BATCH_BUCKETS 8 /* 1, 2, 4, ... 128 = 2 * PG_DP_BURST */
#define PG_DP_PASS_BUCKETS 17 /* 1 us, 2 us, ... 65.536 ms */

struct pg_dp_pass_hist {
	uint64_t buckets[PG_DP_PASS_BUCKETS];
	uint64_t count;
	uint64_t sum_ns;
	uint64_t max_ns;
};

struct pg_dp_stats {
	uint64_t batches[PG_DP_BATCH_BUCKETS];
	uint64_t passes; /* passes with at least one frame */
	uint64_t frames; /* frames those passes took */
	struct pg_dp_pass_hist pass; /* every turn of the loop */
	struct pg_dp_pass_hist job;  /* each control job run (part of a turn) */
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

/* Count one turn of the loop that took ns nanoseconds. */
static inline void pg_dp_pass_hist_add(struct pg_dp_pass_hist *h, uint64_t ns)
{
	uint64_t us = (ns + 999) / 1000;
	unsigned int b = 0;

	while (b < PG_DP_PASS_BUCKETS && (1ull << b) < us)
		b++;
	if (b < PG_DP_PASS_BUCKETS)
		h->buckets[b]++;
	h->count++;
	h->sum_ns += ns;
	if (ns > h->max_ns)
		h->max_ns = ns;
}

/* Turns that took longer than limit_us (a power of two up to the last bucket). */
static inline uint64_t pg_dp_pass_hist_over(const struct pg_dp_pass_hist *h, uint64_t limit_us)
{
	uint64_t within = 0;

	for (unsigned int b = 0; b < PG_DP_PASS_BUCKETS && (1ull << b) <= limit_us; b++)
		within += h->buckets[b];
	return h->count - within;
}

#endif /* PG_DPSTATS_H */
