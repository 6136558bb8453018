/* SPDX-License-Identifier: MIT */
/*
 * neigh.h - the neighbour cache of one link: IPv4 next hop to MAC address,
 * with a few packets held per neighbour while ARP resolves it.
 *
 * Time is always a parameter (milliseconds, monotonic), never read here, so
 * the cache is driven by tests exactly as by the daemon. The cache does not
 * send anything itself: it calls the two operations its owner gives it.
 */
#ifndef PG_NEIGH_H
#define PG_NEIGH_H

#include <stdbool.h>
#include <stdint.h>

#include "l2/eth.h"

#define PG_NEIGH_QUEUE_MAX 4	  /* packets held per unresolved neighbour */
#define PG_NEIGH_RETRY_MS 1000	  /* between ARP requests for one neighbour */
#define PG_NEIGH_GIVEUP_MS 3000	  /* unanswered for this long: give up */
#define PG_NEIGH_STALE_MS 60000	  /* confirmed longer ago: re-ARP on next use */
#define PG_NEIGH_UNUSED_MS 300000 /* stale and unused this long: forget */
#define PG_NEIGH_HEADROOM 16	  /* bytes before a held packet (Ethernet header) */
#define PG_NEIGH_PKT_MAX 1984	  /* largest packet that can be held */

enum pg_neigh_state {
	PG_NEIGH_FREE = 0,
	PG_NEIGH_INCOMPLETE, /* ARP request outstanding, packets may be held */
	PG_NEIGH_REACHABLE,  /* MAC known; stale once confirmed_ms is old */
	PG_NEIGH_PROBE,	     /* MAC in use while a re-ARP is outstanding */
};

struct pg_neigh_entry {
	uint32_t ip; /* network order */
	uint8_t mac[PG_ETH_ALEN];
	uint8_t state; /* enum pg_neigh_state */
	uint8_t tries; /* ARP requests sent for the current resolution */
	uint64_t confirmed_ms;
	uint64_t used_ms;
	uint64_t first_request_ms;
	uint64_t last_request_ms;
	int32_t q_head, q_tail; /* held packets, indexes into the slot pool, -1 = none */
	uint32_t q_len;
};

/* What the cache asks its owner to do. */
struct pg_neigh_ops {
	/* Send an ARP request for ip (network order). */
	void (*solicit)(void *ctx, uint32_t ip);
	/*
	 * Transmit a held packet now that mac is known. l3 has PG_NEIGH_HEADROOM
	 * writable bytes in front of it for the Ethernet header.
	 */
	void (*xmit)(void *ctx, const uint8_t mac[PG_ETH_ALEN], uint8_t *l3, uint32_t len);
	/*
	 * Optional: ip never answered (or stopped answering) and is forgotten;
	 * dropped packets were still held for it. For the owner's log.
	 */
	void (*unreachable)(void *ctx, uint32_t ip, uint32_t dropped);
};

struct pg_neigh_slot;

struct pg_neigh_table {
	struct pg_neigh_entry *entries; /* open addressing, linear probing */
	uint32_t mask;			/* capacity - 1, capacity a power of two */
	uint32_t count, limit;		/* live entries, most allowed */
	struct pg_neigh_slot *slots;	/* pool of held packets */
	int32_t free_slot;		/* head of the free list */
	uint64_t next_scan_ms;
	uint64_t *cnt; /* the owning link's L2 counters (PG_L2_CNT_*) */
	const struct pg_neigh_ops *ops;
	void *ctx;
};

enum pg_neigh_result {
	PG_NEIGH_SEND,	  /* mac filled in: transmit now */
	PG_NEIGH_HELD,	  /* packet copied and held until the neighbour answers */
	PG_NEIGH_DROPPED, /* not sent; the reason was counted */
};

/*
 * Allocate a cache for up to max_neigh neighbours and n_slots held packets.
 * cnt points at PG_L2_CNT__COUNT counters. Returns 0 or -ENOMEM.
 */
int pg_neigh_init(struct pg_neigh_table *t, uint32_t max_neigh, uint32_t n_slots,
		  const struct pg_neigh_ops *ops, void *ctx, uint64_t *cnt);
void pg_neigh_fini(struct pg_neigh_table *t);

/*
 * Resolve ip for one outgoing packet (l3, len). On PG_NEIGH_SEND mac is
 * filled in (a stale entry is used and re-confirmed in the background); on
 * PG_NEIGH_HELD the packet was copied and will go out through ops->xmit.
 */
enum pg_neigh_result pg_neigh_output(struct pg_neigh_table *t, uint32_t ip, const uint8_t *l3,
				     uint32_t len, uint64_t now_ms, uint8_t mac[PG_ETH_ALEN]);

/*
 * ARP told us ip is at mac. create: the message was addressed to us, so a
 * new entry is made; otherwise only an existing entry is updated. Packets
 * held for ip are transmitted.
 */
void pg_neigh_learn(struct pg_neigh_table *t, uint32_t ip, const uint8_t mac[PG_ETH_ALEN],
			uint64_t now_ms, bool create);

/* Retry, give up and age entries. Cheap to call often: works every 100 ms. */
void pg_neigh_timer(struct pg_neigh_table *t, uint64_t now_ms);

/* Entry for ip, or NULL. */
const struct pg_neigh_entry *pg_neigh_find(const struct pg_neigh_table *t, uint32_t ip);

/* Live neighbours. */
uint32_t pg_neigh_count(const struct pg_neigh_table *t);

#endif /* PG_NEIGH_H */
