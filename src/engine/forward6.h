/* SPDX-License-Identifier: MIT */
/*
 * forward6.h - the engine's IPv6 side: routed without NAT, through the
 * RFC 6092 simple-security firewall. Internal to the engine (engine.c calls
 * it); behaviour in docs/ENGINE.md "IPv6".
 */
#ifndef PG_FORWARD6_H
#define PG_FORWARD6_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"

struct pg_engine;
struct pg_v6;

/* Check the IPv6 part of a configuration: 0, or -1 with *why set. */
int pg_v6_config_check(const struct pg_engine_config *cfg, const char **why);

/* Bytes pg_v6_create() allocates for cfg. */
size_t pg_v6_memory_size(const struct pg_engine_config *cfg);

/* The IPv6 state: its flow table and ICMPv6 error bucket. NULL without memory. */
struct pg_v6 *pg_v6_create(const struct pg_engine_config *cfg);
void pg_v6_destroy(struct pg_v6 *v);

/* One IPv6 packet (pkt->l3[0] >> 4 == 6) from pg_engine_run(): verdict set, counted. */
void pg_v6_process(struct pg_engine *e, struct pg_pkt *pkt, uint64_t now_ms);

/* Free a bounded number of idle flows; called with every run and tick. */
void pg_v6_expire(struct pg_engine *e, uint32_t now_s);

struct pg_flow_filter;
struct pg_flow_info;

/*
 * pg_engine_flows_scan() for the IPv6 table (flt->family == 6): copy up to
 * max flows matching flt (proto, port, host6) from slot *cursor, examining
 * at most *budget slots and taking them off it; *cursor is 0 when walked.
 */
unsigned int pg_v6_flows_scan(const struct pg_engine *e, const struct pg_flow_filter *flt,
			      uint32_t *cursor, struct pg_flow_info *out, unsigned int max,
			      uint64_t now_ms, uint32_t *budget);

/*
 * pg_engine_flows_clear() for the IPv6 table (flt->family == 6): free the
 * flows matching flt from slot *cursor, at most *budget slots; counted as
 * flow_cleared. The next packet of an ended flow meets the firewall as a
 * new one (outbound opens again, unsolicited inbound is dropped).
 */
unsigned int pg_v6_flows_clear(struct pg_engine *e, const struct pg_flow_filter *flt,
			       uint32_t *cursor, uint32_t *budget);

/*
 * The XDP fast path's side of the IPv6 flows (offload6.c), called by
 * offload.c for the operations whose flow has PG_OFFLOAD_FLOW6 (idx without
 * it) or family 6: every IPv6 flow's offer cleared (a flush), one flow's
 * offer refused, XDP's counts given to a flow, and to the flow an entry
 * taken out was made for if it is still there. pg_v6_expire_offered() frees
 * the offered flows past their timeout, once a tick: the program does not
 * know timeouts, and the table's sweep is bounded.
 */
void pg_offload6_clear(struct pg_engine *e);
void pg_offload6_refused(struct pg_engine *e, uint32_t idx);
void pg_offload6_sync(struct pg_engine *e, uint32_t idx, bool out, uint64_t pkts, uint64_t bytes,
		      uint64_t last_ms);
void pg_offload6_settle(struct pg_engine *e, const struct pg_offload_op *op, bool out,
			uint64_t pkts, uint64_t bytes, uint64_t last_ms);
void pg_v6_expire_offered(struct pg_engine *e, uint32_t now_s);

/* Live IPv6 flows. */
uint32_t pg_v6_flow_count(const struct pg_engine *e);

#endif /* PG_FORWARD6_H */
