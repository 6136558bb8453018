/* SPDX-License-Identifier: MIT */
/*
 * codel.h - CoDel (RFC 8289): when to drop or mark at a queue's head,
 * written once for the WAN shaper's flow queues (shaper.c) and the data
 * path's bulk lane in front of the engine (dp/rxq.c).
 *
 * The queue stays its owner's: the owner hands in how to take its head and
 * how to signal congestion with a packet (drop it, or mark it ECN CE and
 * let it go on); this file keeps the state machine and the control law
 * (the next signal interval / sqrt(count) after the last). Pure: time is
 * passed in. Static inlines, so that each owner's callbacks are inlined
 * into its per-packet dequeue.
 */
#ifndef PG_CODEL_H
#define PG_CODEL_H

#include <stdbool.h>
#include <stdint.h>

/* One queue's CoDel state (RFC 8289 section 5); all zero to start. */
struct pg_codel {
	bool dropping;
	uint32_t count, lastcount;
	uint64_t first_above_ns, drop_next_ns;
};

struct pg_codel_params {
	uint64_t target_ns;   /* acceptable standing queue delay */
	uint64_t interval_ns; /* a path's round trip: how long above target is too long */
};

/*
 * The owner's queue. head(): take the head packet off; false when the queue
 * is empty, else its index in *pkt, when it was queued in *enq_ns, and in
 * *spare whether enough is still queued behind it for a signal to help
 * (RFC 8289's bytes > maxpacket: a queue of one packet is never signalled).
 * signal(): congestion, with packet pkt (taken off already): true if it was
 * marked and goes on, false if it was dropped (and freed by the owner).
 */
struct pg_codel_ops {
	bool (*head)(void *q, uint32_t *pkt, uint64_t *enq_ns, bool *spare);
	bool (*signal)(void *q, uint32_t pkt);
};

/* floor(sqrt(x)), bit by bit. */
static inline uint64_t pg_codel_isqrt(uint64_t x)
{
	uint64_t r = 0, bit = 1ULL << 62;

	while (bit > x)
		bit >>= 2;
	while (bit) {
		if (x >= r + bit) {
			x -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
		bit >>= 2;
	}
	return r;
}

/* The control law: the next signal, interval / sqrt(count) after t. */
static inline uint64_t pg_codel_control_law(const struct pg_codel_params *p, uint64_t t,
					    uint32_t count)
{
	/* sqrt(count << 32) = sqrt(count) << 16; count is at least 1. */
	uint64_t root = pg_codel_isqrt((uint64_t)(count ? count : 1) << 32);

	return t + (p->interval_ns << 16) / root;
}

/*
 * RFC 8289 dodequeue(): take the head into *pkt (false: the queue is
 * empty) and say in *ok_to_drop whether the sojourn time has been above
 * target for at least an interval.
 */
static inline bool pg_codel_take(struct pg_codel *c, const struct pg_codel_params *p,
				 const struct pg_codel_ops *ops, void *q, uint64_t now,
				 uint32_t *pkt, bool *ok_to_drop)
{
	uint64_t enq;
	bool spare;

	*ok_to_drop = false;
	if (!ops->head(q, pkt, &enq, &spare)) {
		c->first_above_ns = 0;
		return false;
	}
	if ((now > enq ? now - enq : 0) < p->target_ns || !spare) {
		/* Below target, or too little queued for a signal to help. */
		c->first_above_ns = 0;
	} else if (!c->first_above_ns) {
		c->first_above_ns = now + p->interval_ns;
	} else if (now >= c->first_above_ns) {
		*ok_to_drop = true;
	}
	return true;
}

/*
 * RFC 8289 dequeue(): the packet to send now in *pkt, signalling (dropping
 * or marking) at the head as the state says; false when the queue is empty
 * (or was emptied by the drops).
 */
static inline bool pg_codel_dequeue(struct pg_codel *c, const struct pg_codel_params *p,
				    const struct pg_codel_ops *ops, void *q, uint64_t now,
				    uint32_t *pkt)
{
	bool ok, have = pg_codel_take(c, p, ops, q, now, pkt, &ok);
	uint32_t delta;

	if (!have) {
		c->dropping = false;
		return false;
	}
	if (c->dropping) {
		if (!ok) {
			c->dropping = false; /* sojourn fell below target */
			return true;
		}
		while (c->dropping && now >= c->drop_next_ns) {
			c->count++;
			if (ops->signal(q, *pkt)) {
				c->drop_next_ns = pg_codel_control_law(p, c->drop_next_ns, c->count);
				return true;
			}
			if (!pg_codel_take(c, p, ops, q, now, pkt, &ok)) {
				c->dropping = false;
				return false;
			}
			if (!ok)
				c->dropping = false;
			else
				c->drop_next_ns = pg_codel_control_law(p, c->drop_next_ns, c->count);
		}
		return true;
	}
	if (!ok)
		return true;
	/* Enter the dropping state: this packet is the first signal. */
	delta = c->count - c->lastcount;
	if (!ops->signal(q, *pkt))
		have = pg_codel_take(c, p, ops, q, now, pkt, &ok);
	c->dropping = true;
	/* Resume near the old signal rate if the last episode ended recently. */
	c->count = 1;
	if (delta > 1 && (int64_t)(now - c->drop_next_ns) < (int64_t)(16 * p->interval_ns))
		c->count = delta;
	c->drop_next_ns = pg_codel_control_law(p, now, c->count);
	c->lastcount = c->count;
	return have;
}

#endif /* PG_CODEL_H */
