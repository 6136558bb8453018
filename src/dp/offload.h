/* SPDX-License-Identifier: MIT */
/*
 * offload.h - the data path's side of the XDP fast path ([datapath] offload):
 * the engines' operations applied to the two links' flow maps, and the
 * program's counters given back to the engines before each tick.
 */
#ifndef PG_DP_OFFLOAD_H
#define PG_DP_OFFLOAD_H

#include <stdbool.h>
#include <stdint.h>

#include "conf/config.h"
#include "engine/engine.h"
#include "engine/engines.h"
#include "io/xdp_fast.h"

/* The MAC of next hop ip on link side, if known now: the caller's neighbour cache. */
typedef bool pg_offload_mac_fn(void *ctx, enum pg_side side, uint32_t ip, uint8_t mac[6]);

/*
 * The MAC of IPv6 next hop ip on link side, if known now; ip zero: the
 * router the WAN's advertisements name.
 */
typedef bool pg_offload_mac6_fn(void *ctx, enum pg_side side, const uint8_t ip[16],
				uint8_t mac[6]);

/* One counter slot of a link's program: which flow its entry belongs to. */
struct pg_offload_slot {
	struct pg_xf_key key; /* the entry's key in the link's map (IPv4; IPv6's from op) */
	struct pg_offload_op op; /* the ADD it was put for: the flow, for the last counts */
	uint32_t flow;	      /* the flow's index in its engine */
	uint32_t next_hop;    /* whose MAC the entry writes */
	uint64_t pkts, bytes; /* the counters as last given to the engine */
	uint8_t engine;	      /* the flow's engine (worker) */
	bool used;
	uint8_t dmac[6];
};

/* Per link: entries that arrive on it (LAN: outbound, WAN: inbound). */
struct pg_offload_link {
	struct pg_xdp_fast *x;	      /* the program on this link */
	uint8_t mac[6];		      /* this link's own MAC (the other side's smac) */
	uint32_t mtu;		      /* the egress MTU of packets arriving here */
	struct pg_offload_slot *slot; /* PG_XF_MAX_ENTRIES */
	uint32_t *free;		      /* free slot numbers, a stack */
	uint32_t nfree;
	uint32_t top; /* one past the highest slot ever taken: the walks stop there */
};

struct pg_offload {
	struct pg_offload_link link[2]; /* by enum pg_side */
	pg_offload_mac_fn *mac_of;
	pg_offload_mac6_fn *mac6_of; /* NULL: IPv6 flows are refused (no IPv6 on the links) */
	void *mac_ctx;
	uint64_t refused_no_mac, refused_full, errors; /* entries not put, by reason */
	/*
	 * What the programs forwarded since the data path last added it to the
	 * links' layer 2 counters (frames and Ethernet frame bytes, by the side
	 * they arrived on): rx_* of that link and tx_* of the other must count
	 * them, as they do the frames the daemon forwards (graphs, status).
	 */
	uint64_t fwd_frames[2], fwd_bytes[2];
};

/*
 * Set up with the two links' programs (lan arrives on the LAN link), their
 * own MACs and MTUs. Returns 0 or -ENOMEM.
 */
int pg_offload_init(struct pg_offload *o, struct pg_xdp_fast *lan, struct pg_xdp_fast *wan,
		    const uint8_t lan_mac[6], const uint8_t wan_mac[6], uint32_t lan_mtu,
		    uint32_t wan_mtu, pg_offload_mac_fn *mac_of, void *mac_ctx);
void pg_offload_fini(struct pg_offload *o);

/*
 * Read every engine's operations and apply them to the maps (after each
 * run, tick, reconfiguration); what an entry taken out had forwarded since
 * the last sync goes to its flow (times capped at now_ms).
 */
void pg_offload_apply(struct pg_offload *o, struct pg_engines *engines, uint64_t now_ms);

/*
 * Give the engines what the programs forwarded since the last call, the
 * last packet's time capped at now_ms; and follow neighbours whose MAC
 * changed. Before each tick, so no flow expires while XDP forwards it.
 */
void pg_offload_sync(struct pg_offload *o, struct pg_engines *engines, uint64_t now_ms);

/* Entries in both maps now. */
uint32_t pg_offload_entries(const struct pg_offload *o);

/* ---- Whether it runs at all (offload_decide.c) ---------------------------- */

/* Taken at start, constant afterwards (the control thread reads it unlocked). */
struct pg_offload_decision {
	enum pg_offload_mode mode; /* as configured */
	bool load;		   /* the links load the fast path's program */
	bool on;		   /* it runs: both links have it and point at each other */
	char why[256];		   /* the reason, as logged: "lan0, wan0 accept XDP redirect" */
};

/*
 * Before the links open: should they load the fast path's program? auto:
 * only when the kernel says both links' drivers redirect frames out and
 * accept them in (xdp_features); on: yes, with a warning when the kernel
 * says no; off: no. Sets d (why: the reason either way) and returns d->load.
 */
bool pg_offload_decide(const struct pg_config *cfg, struct pg_offload_decision *d);

/*
 * The outcome once the links are open: log the one line that says whether
 * it runs and why (why: a new reason, or NULL to keep d->why).
 */
void pg_offload_decided(struct pg_offload_decision *d, bool on, const char *why);

#endif /* PG_DP_OFFLOAD_H */
