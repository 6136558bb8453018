/* SPDX-License-Identifier: MIT */
/*
 * shaper.h - a traffic shaper with fair queueing and AQM for one direction
 * of the WAN line ([wan] shape_up, shape_down): a token bucket at the line's
 * rate in front of per-host, per-flow queues served by deficit round robin,
 * each flow queue under CoDel (RFC 8289), as FQ-CoDel does it (RFC 8290),
 * with a second DRR level over LAN hosts so that one host's many flows do
 * not crowd out another host's one tunnel.
 *
 * Pure like the engine: no system calls, no clock (time is passed in, in
 * nanoseconds), no allocation after pg_shaper_create(). Packets are copied
 * in, so the caller's buffers are free again at once; the theory of
 * operation is at the top of shaper.c.
 */
#ifndef PG_SHAPER_H
#define PG_SHAPER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* X(ENUM_SUFFIX, "name", "help"): what the shaper counts, names stable for metrics. */
#define PG_SHAPER_COUNTERS(X)                                                                      \
	X(ENQUEUED, "enqueued", "packets queued")                                                  \
	X(SENT, "sent", "packets released at the shaped rate")                                     \
	X(SENT_BYTES, "sent_bytes", "bytes released (IP packets plus their Ethernet header)")      \
	X(DROP_CODEL, "drop_codel",                                                                \
	  "dropped by CoDel: queued over target for an interval, not ECN-capable")                 \
	X(ECN_MARKED, "ecn_marked", "marked Congestion Experienced by CoDel instead of dropped")   \
	X(DROP_OVERLIMIT, "drop_overlimit",                                                        \
	  "dropped from the fattest flow of the fattest host: the queue was full")                 \
	X(DROP_TOO_BIG, "drop_too_big", "larger than a queue slot (above the link's MTU)")         \
	X(FLOW_COLLISIONS, "flow_collisions",                                                      \
	  "packets that found their flow's queue held by another host's flow")

enum pg_shaper_counter {
#define PG_SHAPER_ENUM(e, n, h) PG_SHAPER_CNT_##e,
	PG_SHAPER_COUNTERS(PG_SHAPER_ENUM)
#undef PG_SHAPER_ENUM
	    PG_SHAPER_CNT__COUNT
};

/* Defaults, RFC 8290 section 4 unless noted. */
#define PG_SHAPER_TARGET_NS 5000000ULL	   /* CoDel target: 5 ms */
#define PG_SHAPER_INTERVAL_NS 100000000ULL /* CoDel interval: 100 ms */
#define PG_SHAPER_QUANTUM 1514		   /* bytes per DRR round: one full frame */
#define PG_SHAPER_FLOWS 1024		   /* flow queues (RFC 8290: 1024) */
#define PG_SHAPER_HOSTS 256		   /* host buckets */
#define PG_SHAPER_LIMIT 2048		   /* packets held in all (bounded memory) */
#define PG_SHAPER_OVERHEAD 14		   /* bytes charged per packet: Ethernet header */
#define PG_SHAPER_HEADROOM 64		   /* bytes before each packet, for its L2 header */
#define PG_SHAPER_BURST_NS 4000000ULL	   /* catch-up after a late wake-up (shaper.c) */
#define PG_SHAPER_DROP_BATCH 64		   /* most packets one overflow drops at once */
#define PG_SHAPER_RATE_MIN 64000ULL	   /* bits/s: below that a frame takes ~0.2 s */
#define PG_SHAPER_RATE_MAX 100000000000ULL /* bits/s */

struct pg_shaper_config {
	uint64_t rate_bps;    /* line rate in bits per second */
	uint64_t burst_ns;    /* credit the bucket may save while idle (0: PG_SHAPER_BURST_NS) */
	uint64_t target_ns;   /* 0: PG_SHAPER_TARGET_NS */
	uint64_t interval_ns; /* 0: PG_SHAPER_INTERVAL_NS */
	uint32_t quantum;     /* 0: PG_SHAPER_QUANTUM */
	uint32_t flows;	      /* flow queues, 0: PG_SHAPER_FLOWS */
	uint32_t hosts;	      /* host buckets, 0: PG_SHAPER_HOSTS */
	uint32_t limit;	      /* packets, 0: PG_SHAPER_LIMIT */
	uint32_t max_packet;  /* largest IP packet a slot holds (the link MTU) */
	bool no_ecn;	      /* drop ECN-capable packets too (default: mark them) */
	uint64_t hash_key[2]; /* random per start; fixed in tests */
};

/* A packet the shaper releases; l3 is valid until the next pg_shaper_enqueue(). */
struct pg_shaper_pkt {
	uint8_t *l3;	   /* PG_SHAPER_HEADROOM bytes before it are free for L2 */
	uint32_t len;	   /* bytes of IP packet at l3 */
	uint32_t cap;	   /* bytes writable at l3 */
	uint32_t next_hop; /* as given to pg_shaper_enqueue() */
	uint64_t sojourn_ns;
};

/* What the status page and metrics show. */
struct pg_shaper_stats {
	uint64_t rate_bps; /* configured */
	uint64_t sent_bps; /* measured over the last whole second */
	uint32_t backlog_pkts, backlog_bytes;
	uint32_t active_flows, active_hosts;
	uint64_t cnt[PG_SHAPER_CNT__COUNT];
};

struct pg_shaper;

/* The counters' names and help texts, indexed by enum pg_shaper_counter. */
const char *pg_shaper_counter_name(unsigned int i);
const char *pg_shaper_counter_help(unsigned int i);

/*
 * Check a configuration: 0, or -EINVAL with the reason in err (the rate
 * bounds, slot size). pg_shaper_create() refuses what this refuses.
 */
int pg_shaper_validate(const struct pg_shaper_config *c, char *err, size_t errlen);

/* Bytes pg_shaper_create() allocates for c. */
size_t pg_shaper_memory_size(const struct pg_shaper_config *c);

/* All memory is taken here. NULL if c is invalid or memory ran out. */
struct pg_shaper *pg_shaper_create(const struct pg_shaper_config *c);
void pg_shaper_destroy(struct pg_shaper *s);

/*
 * Change the rate while running (a reload): queues and counters are kept.
 * rate_bps within [PG_SHAPER_RATE_MIN, PG_SHAPER_RATE_MAX].
 */
void pg_shaper_set_rate(struct pg_shaper *s, uint64_t rate_bps);

/*
 * Queue a copy of the IPv4 packet (len bytes at l3) for host (the LAN host
 * it belongs to, network order: a fairness key, any 32-bit value works) with
 * the next hop to hand back on release. Returns PG_SHAPER_CNT_ENQUEUED, or
 * the counter of the reason it was not queued (too big). A full queue drops
 * from the fattest flow instead (DROP_OVERLIMIT), which may be this packet's.
 */
enum pg_shaper_counter pg_shaper_enqueue(struct pg_shaper *s, const uint8_t *l3, uint32_t len,
					 uint32_t host, uint32_t next_hop, uint64_t now_ns);

/*
 * The next packet the bucket allows at now_ns, or NULL (empty, or not yet:
 * see pg_shaper_next_ns()). CoDel drops and marks on the way.
 */
struct pg_shaper_pkt *pg_shaper_dequeue(struct pg_shaper *s, uint64_t now_ns);

/* When pg_shaper_dequeue() may next return a packet: UINT64_MAX when empty. */
uint64_t pg_shaper_next_ns(const struct pg_shaper *s);

/* Packets held. */
uint32_t pg_shaper_backlog(const struct pg_shaper *s);

/* Counters and gauges; sent_bps is the last whole second's (now_ns dates it). */
void pg_shaper_get_stats(const struct pg_shaper *s, uint64_t now_ns, struct pg_shaper_stats *st);

#endif /* PG_SHAPER_H */
