/* SPDX-License-Identifier: MIT */
/*
 * engines.c - several engines (one per worker) shown as one.
 *
 * Each worker's engine is a whole engine with its own tables: sharding by
 * the remote address (shard.c) leaves nothing that two of them must agree
 * on packet by packet. What is split is what the user sets for the gateway
 * as a whole: the flow table's size and the rate of ICMP errors it sends.
 * Per-host flow limits and PPTP session limits stay as set, per worker: a
 * host's flows to one server all land on one worker, and dividing the limit
 * would cut what such a host may open (docs/ARCHITECTURE.md "Several
 * workers").
 */
#include <errno.h>
#include <string.h>

#include "engine/engines.h"
#include "engine/forward6.h"
#include "engine/portdir.h"

/* The cursor's top bits name the engine: tables have at most 2^24 flows. */
#define CURSOR_SHIFT 28
#define CURSOR_PLACE ((1u << CURSOR_SHIFT) - 1)

_Static_assert(PG_SHARDS_MAX <= (1u << (32 - CURSOR_SHIFT)), "cursor cannot name every engine");

static uint32_t share(uint32_t v, unsigned int n)
{
	return v ? (v + n - 1) / n : 0; /* rounded up: a nonzero setting stays nonzero */
}

void pg_engines_worker_config(const struct pg_engine_config *cfg, unsigned int n,
			      struct pg_engine_config *out)
{
	*out = *cfg;
	if (n <= 1)
		return;
	out->max_flows = cfg->max_flows / n;
	out->icmp_error_rate = share(cfg->icmp_error_rate, n);
	out->icmp_error_burst = share(cfg->icmp_error_burst, n);
}

int pg_engines_validate(const struct pg_engine_config *cfg, unsigned int n, const char **why)
{
	struct pg_engine_config w;

	if (n < 1 || n > PG_SHARDS_MAX) {
		*why = "workers must be 1..16";
		return -EINVAL;
	}
	pg_engines_worker_config(cfg, n, &w);
	if (pg_engine_config_validate(&w, why)) {
		if (n > 1 && w.max_flows < 1024)
			*why = "max_flows must be at least 1024 per worker";
		return -EINVAL;
	}
	return 0;
}

int pg_engines_create(struct pg_engines *s, const struct pg_engine_config *cfg, unsigned int n)
{
	struct pg_engine_config w;
	const char *why;

	memset(s, 0, sizeof(*s));
	if (pg_engines_validate(cfg, n, &why))
		return -EINVAL;
	pg_engines_worker_config(cfg, n, &w);
	s->map.n = n;
	/* Steering is keyed like the engines' hashes: unguessable from outside. */
	s->map.seed = cfg->hash_seed[0] ^ (cfg->hash_seed[1] >> 7);
	if (n > 1) {
		/* Seeded as one engine's own port choices are (nat.c), so both pick alike. */
		s->dir = pg_portdir_create(cfg->hash_seed[0] ^ (cfg->hash_seed[1] << 1));
		if (!s->dir)
			return -ENOMEM;
	}
	for (unsigned int i = 0; i < n; i++) {
		s->e[i] = pg_engine_create(&w);
		if (!s->e[i]) {
			int r = -errno;

			pg_engines_destroy(s);
			return r;
		}
		s->n = i + 1;
		if (s->dir)
			pg_engine_share_ports(s->e[i], s->dir);
	}
	return 0;
}

void pg_engines_destroy(struct pg_engines *s)
{
	for (unsigned int i = 0; i < s->n; i++)
		pg_engine_destroy(s->e[i]);
	s->n = 0;
	pg_portdir_destroy(s->dir);
	s->dir = NULL;
}

size_t pg_engines_memory_size(const struct pg_engine_config *cfg, unsigned int n)
{
	struct pg_engine_config w;

	pg_engines_worker_config(cfg, n, &w);
	return (n ? n : 1) * pg_engine_memory_size(&w) + (n > 1 ? pg_portdir_memory_size() : 0);
}

int pg_engines_reconfigure(struct pg_engines *s, const struct pg_engine_config *cfg)
{
	struct pg_engine_config w;
	const char *why;
	int r;

	/* Checked once for all, so a refusal leaves every worker as it was. */
	r = pg_engines_validate(cfg, s->n, &why);
	if (r)
		return r;
	pg_engines_worker_config(cfg, s->n, &w);
	for (unsigned int i = 0; i < s->n; i++) {
		r = pg_engine_reconfigure(s->e[i], &w);
		if (r)
			return r;
	}
	return 0;
}

void pg_engines_set_tunnel_up(struct pg_engines *s, bool up)
{
	for (unsigned int i = 0; i < s->n; i++)
		pg_engine_set_tunnel_up(s->e[i], up);
}

void pg_engines_counters(const struct pg_engines *s, uint64_t *out)
{
	memset(out, 0, PG_CNT__COUNT * sizeof(*out));
	for (unsigned int i = 0; i < s->n; i++) {
		const uint64_t *c = pg_engine_counters(s->e[i]);

		for (unsigned int k = 0; k < PG_CNT__COUNT; k++)
			out[k] += c[k];
	}
}

uint32_t pg_engines_flow_count(const struct pg_engines *s)
{
	uint32_t n = 0;

	for (unsigned int i = 0; i < s->n; i++)
		n += pg_engine_flow_count(s->e[i]);
	return n;
}

uint32_t pg_engines_flow6_count(const struct pg_engines *s)
{
	uint32_t n = 0;

	for (unsigned int i = 0; i < s->n; i++)
		n += pg_v6_flow_count(s->e[i]);
	return n;
}

void pg_engines_flows_by_proto(const struct pg_engines *s, uint32_t out[PG_FP__COUNT])
{
	uint32_t one[PG_FP__COUNT];

	memset(out, 0, PG_FP__COUNT * sizeof(*out));
	for (unsigned int i = 0; i < s->n; i++) {
		pg_engine_flows_by_proto(s->e[i], one);
		for (unsigned int k = 0; k < PG_FP__COUNT; k++)
			out[k] += one[k];
	}
}

/* One page of flows (filter set) or of VPN sessions (filter NULL) from one engine. */
static unsigned int page(const struct pg_engine *e, const struct pg_flow_filter *f,
			 uint32_t *place, void *out, unsigned int done, unsigned int max,
			 uint64_t now_ms, uint32_t *budget)
{
	if (f)
		return pg_engine_flows_scan(e, f, place, (struct pg_flow_info *)out + done,
					    max - done, now_ms, budget);
	return pg_engine_vpn_sessions_scan(e, place, (struct pg_vpn_session *)out + done,
					   max - done, now_ms, budget);
}

static unsigned int walk(const struct pg_engines *s, const struct pg_flow_filter *f,
			 uint32_t *cursor, void *out, unsigned int max, uint64_t now_ms,
			 uint32_t budget)
{
	unsigned int k = *cursor >> CURSOR_SHIFT, n = 0;
	uint32_t place = *cursor & CURSOR_PLACE;

	/*
	 * Only while there is room and budget: an engine asked for 0 rows or
	 * 0 slots would read as walked.
	 */
	while (k < s->n && n < max && budget) {
		n += page(s->e[k], f, &place, out, n, max, now_ms, &budget);
		if (place)
			break; /* the page filled, or the budget ran out, inside engine k */
		k++;
	}
	*cursor = k < s->n ? (uint32_t)k << CURSOR_SHIFT | place : 0;
	return n;
}

unsigned int pg_engines_flows(const struct pg_engines *s, const struct pg_flow_filter *f,
			      uint32_t *cursor, struct pg_flow_info *out, unsigned int max,
			      uint64_t now_ms)
{
	return pg_engines_flows_scan(s, f, cursor, out, max, now_ms, UINT32_MAX);
}

unsigned int pg_engines_flows_scan(const struct pg_engines *s, const struct pg_flow_filter *f,
				   uint32_t *cursor, struct pg_flow_info *out, unsigned int max,
				   uint64_t now_ms, uint32_t budget)
{
	static const struct pg_flow_filter any;

	return walk(s, f ? f : &any, cursor, out, max, now_ms, budget);
}

unsigned int pg_engines_flows_clear(struct pg_engines *s, const struct pg_flow_filter *f,
				    uint32_t *cursor, uint32_t budget)
{
	unsigned int k = *cursor >> CURSOR_SHIFT, n = 0;
	uint32_t place = *cursor & CURSOR_PLACE;

	while (k < s->n && budget) {
		n += pg_engine_flows_clear(s->e[k], f, &place, &budget);
		if (place)
			break; /* the budget ran out inside engine k */
		k++;
	}
	*cursor = k < s->n ? (uint32_t)k << CURSOR_SHIFT | place : 0;
	return n;
}

unsigned int pg_engines_vpn_sessions(const struct pg_engines *s, uint32_t *cursor,
				     struct pg_vpn_session *out, unsigned int max, uint64_t now_ms)
{
	return pg_engines_vpn_sessions_scan(s, cursor, out, max, now_ms, UINT32_MAX);
}

unsigned int pg_engines_vpn_sessions_scan(const struct pg_engines *s, uint32_t *cursor,
					  struct pg_vpn_session *out, unsigned int max,
					  uint64_t now_ms, uint32_t budget)
{
	return walk(s, NULL, cursor, out, max, now_ms, budget);
}

unsigned int pg_engines_events(struct pg_engines *s, struct pg_event *out, unsigned int max)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < s->n && n < max; i++)
		n += pg_engine_events(s->e[i], out + n, max - n);
	return n;
}

void pg_engines_tick(struct pg_engines *s, uint64_t now_ms)
{
	for (unsigned int i = 0; i < s->n; i++)
		pg_engine_tick(s->e[i], now_ms);
}
