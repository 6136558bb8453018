/* SPDX-License-Identifier: MIT */
/*
 * engines.h - the gateway's engines as one: one per worker, flows sharded
 * between them by pg_shard_of(), seen by the control plane as one table.
 *
 * With one worker the set is that worker's engine and nothing changes.
 * With n, each engine holds max_flows / n flows, all take their public
 * ports from one directory (portdir.h), and what the API reads
 * (counters, flows, VPN sessions, events) is summed or walked across them.
 * Like the engine itself this is pure and has no locks: callers read and
 * reconfigure it between passes, when no worker is running.
 */
#ifndef PG_ENGINES_H
#define PG_ENGINES_H

#include "engine/engine.h"
#include "engine/observe.h"
#include "engine/shard.h"

struct pg_engines {
	unsigned int n;
	struct pg_shard_map map;
	struct pg_engine *e[PG_SHARDS_MAX];
	struct pg_portdir *dir; /* the public ports all of them share (n > 1) */
};

/* A set of one engine the caller owns (tests, tools): not to be destroyed. */
#define PG_ENGINES_ONE(engine) ((struct pg_engines){.n = 1, .map = {.n = 1}, .e = {(engine)}})

/*
 * The configuration of worker i of n, made from the gateway's: its share of
 * max_flows, and of the ICMP error rate and burst (which bound what the
 * gateway sends in all). Everything else is the same for every worker.
 */
void pg_engines_worker_config(const struct pg_engine_config *cfg, unsigned int n,
			      struct pg_engine_config *out);

/* Can cfg be split n ways? 0, or -EINVAL with *why set. */
int pg_engines_validate(const struct pg_engine_config *cfg, unsigned int n, const char **why);

/* Create n engines for cfg (n 1..PG_SHARDS_MAX). 0, or -errno with none left behind. */
int pg_engines_create(struct pg_engines *s, const struct pg_engine_config *cfg, unsigned int n);
void pg_engines_destroy(struct pg_engines *s);

/* Bytes pg_engines_create() allocates for cfg and n workers. */
size_t pg_engines_memory_size(const struct pg_engine_config *cfg, unsigned int n);

/* pg_engine_reconfigure() on every engine, each with its share; all or none checked first. */
int pg_engines_reconfigure(struct pg_engines *s, const struct pg_engine_config *cfg);

/* Counters summed over the engines into out[PG_CNT__COUNT]. */
/* pg_engine_set_tunnel_up() on every worker's engine (between passes). */
void pg_engines_set_tunnel_up(struct pg_engines *s, bool up);

void pg_engines_counters(const struct pg_engines *s, uint64_t *out);

uint32_t pg_engines_flow_count(const struct pg_engines *s);
/* Live IPv6 flows (forward6.c's tables) across the set. */
uint32_t pg_engines_flow6_count(const struct pg_engines *s);
void pg_engines_flows_by_proto(const struct pg_engines *s, uint32_t out[PG_FP__COUNT]);

/*
 * pg_engine_flows() and pg_engine_vpn_sessions() across the set: the same
 * cursor contract (0 to begin, 0 when done); the cursor names the engine in
 * its top bits and the place in its table below.
 */
unsigned int pg_engines_flows(const struct pg_engines *s, const struct pg_flow_filter *f,
			      uint32_t *cursor, struct pg_flow_info *out, unsigned int max,
			      uint64_t now_ms);
unsigned int pg_engines_vpn_sessions(const struct pg_engines *s, uint32_t *cursor,
				     struct pg_vpn_session *out, unsigned int max, uint64_t now_ms);
/*
 * The same, stopping after budget (> 0) table slots were examined in all:
 * what the control plane asks of the data path's thread between two passes
 * must be bounded (dp/handoff.h). A walk that stopped early returns a
 * nonzero *cursor like a full page; the caller asks again from there.
 */
unsigned int pg_engines_flows_scan(const struct pg_engines *s, const struct pg_flow_filter *f,
				   uint32_t *cursor, struct pg_flow_info *out, unsigned int max,
				   uint64_t now_ms, uint32_t budget);
unsigned int pg_engines_vpn_sessions_scan(const struct pg_engines *s, uint32_t *cursor,
					  struct pg_vpn_session *out, unsigned int max,
					  uint64_t now_ms, uint32_t budget);

/*
 * pg_engine_flows_clear() across the set, examining at most budget (> 0)
 * slots in all; the cursor as above (0 to begin, 0 when walked). Returns
 * the flows ended.
 */
unsigned int pg_engines_flows_clear(struct pg_engines *s, const struct pg_flow_filter *f,
				    uint32_t *cursor, uint32_t budget);

/* Take up to max events from the engines, engine 0's first. */
unsigned int pg_engines_events(struct pg_engines *s, struct pg_event *out, unsigned int max);

/* pg_engine_tick() on every engine. */
void pg_engines_tick(struct pg_engines *s, uint64_t now_ms);

#endif /* PG_ENGINES_H */
