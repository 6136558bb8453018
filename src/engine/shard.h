/* SPDX-License-Identifier: MIT */
/*
 * shard.h - which of several engines (workers) owns a packet.
 *
 * With more than one worker every worker runs its own engine, and a packet
 * must reach the engine that holds its flow. pg_shard_of() decides from the
 * packet's bytes alone, before any engine sees it, so the receive side can
 * steer without shared state. docs/ARCHITECTURE.md "Several workers" says
 * why the remote address is the key and what each worker then owns.
 */
#ifndef PG_SHARD_H
#define PG_SHARD_H

#include <stdint.h>

#include "engine/engine.h"

/* At most this many workers: each has its own tables (max_flows / n flows). */
#define PG_SHARDS_MAX 16

/* What steering needs to know; the same for every worker of one gateway. */
struct pg_shard_map {
	unsigned int n; /* workers, 1..PG_SHARDS_MAX */
	uint64_t seed;  /* random per start, so nobody outside picks a worker */
};

/*
 * The worker (0..m->n - 1) that owns the IPv4 or IPv6 packet at l3 (len bytes)
 * arriving from side. Both directions of a translated flow give the same
 * worker, and so do every fragment of a datagram and the ICMP errors
 * quoting the flow's packets. Packets too short or malformed to say go to
 * worker 0, whose engine drops and counts them like any other.
 */
unsigned int pg_shard_of(const struct pg_shard_map *m, const uint8_t *l3, uint32_t len,
			 enum pg_side side);

#endif /* PG_SHARD_H */
