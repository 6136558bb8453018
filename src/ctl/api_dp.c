/* SPDX-License-Identifier: MIT */
/*
 * api_dp.c - the API's side of the hand-over to the data path: each
 * function here packs what a request needs from the engine or the links
 * into a job (dp/handoff.h), which the data path's thread runs between two
 * passes, and returns the copy.
 *
 * Jobs are bounded so that a pass is never held up for long: counters and
 * link state are a few kilobytes; a page of flows or sessions is cut into
 * jobs that each scan the table for at most PG_API_JOB_NS (in slices of
 * PG_API_SCAN_SLICE slots, the clock read between them), so even a
 * filtered query over a table of a million flows delays no pass by more
 * than that; a reconfiguration is the engine's own swap. JSON,
 * text and everything slow stay on the control thread.
 */
#include <string.h>
#include <time.h>

#include "ctl/api_internal.h"
#include "dp/datapath.h"
#include "dp/handoff.h"
#include "dp/syncchan.h"

void pg_api_on_dp(struct pg_api *api, void (*fn)(void *arg), void *arg)
{
	pg_handoff_call(api->env.handoff, fn, arg);
}

struct snap_job {
	struct pg_api *api;
	struct pg_api_snap *s;
};

static void snap_fn(void *arg)
{
	struct snap_job *j = arg;
	const struct pg_api_env *env = &j->api->env;
	struct pg_api_snap *s = j->s;

	pg_engines_counters(env->engines, s->cnt);
	s->flows = pg_engines_flow_count(env->engines);
	pg_engines_flows_by_proto(env->engines, s->by_proto);
	for (int side = 0; side < 2; side++) {
		const struct pg_port *p = env->ports[side];
		struct pg_api_link_snap *l = &s->link[side];

		if (!p)
			continue;
		l->present = true;
		memcpy(l->name, p->name, sizeof(l->name));
		l->name[sizeof(l->name) - 1] = '\0';
		memcpy(l->mac, p->mac, sizeof(l->mac));
		l->neighbours = pg_neigh_count(&p->neigh);
		l->addr = p->addr;
		l->mask = p->mask;
		l->gateway = p->gateway;
		memcpy(l->cnt, p->cnt, sizeof(l->cnt));
	}
	if (env->dp_stats) {
		s->has_dp = true;
		s->dp = *env->dp_stats;
	}
	if (pg_syncchan_counters(env->sync)) {
		s->has_sync = true;
		s->sync_role = env->sync->role;
		s->sync = *pg_syncchan_counters(env->sync);
	}
}

void pg_api_snapshot(struct pg_api *api, struct pg_api_snap *s)
{
	struct snap_job j = {.api = api, .s = s};

	memset(s, 0, sizeof(*s));
	pg_api_on_dp(api, snap_fn, &j);
}

struct page_job {
	struct pg_api *api;
	const struct pg_flow_filter *f; /* NULL: sessions */
	uint32_t cursor;
	void *out;
	unsigned int max, n;
	uint32_t total; /* flows in the table when the last job ran */
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

/*
 * Scan the table a slice at a time until the page is full, the table
 * walked, or the job has used its time: how fast a slice goes depends on
 * the machine, its caches and what else runs, so the bound is the clock's.
 */
static void page_fn(void *arg)
{
	struct page_job *j = arg;
	struct pg_engines *e = j->api->env.engines;
	uint64_t t0 = mono_ns();
	size_t row = j->f ? sizeof(struct pg_flow_info) : sizeof(struct pg_vpn_session);

	j->n = 0;
	do {
		void *out = (char *)j->out + j->n * row;

		if (j->f)
			j->n += pg_engines_flows_scan(e, j->f, &j->cursor, out, j->max - j->n,
						      j->api->now_ms, PG_API_SCAN_SLICE);
		else
			j->n += pg_engines_vpn_sessions_scan(e, &j->cursor, out, j->max - j->n,
							     j->api->now_ms, PG_API_SCAN_SLICE);
	} while (j->cursor && j->n < j->max && mono_ns() - t0 < PG_API_JOB_NS);
	j->total = j->f && j->f->family == 6 ? pg_engines_flow6_count(e) : pg_engines_flow_count(e);
}

/* Fill out from *cursor until max rows or the end of the table, a job at a time. */
static unsigned int page(struct pg_api *api, const struct pg_flow_filter *f, uint32_t *cursor,
			 void *out, size_t row, unsigned int max, uint32_t *total)
{
	struct page_job j = {.api = api, .f = f, .cursor = *cursor};
	unsigned int n = 0;

	/* Its page faults taken here, not in a job on the data path's thread. */
	memset(out, 0, row * max);
	do {
		j.out = (char *)out + n * row;
		j.max = max - n;
		pg_api_on_dp(api, page_fn, &j);
		n += j.n;
	} while (j.cursor && n < max);
	*cursor = j.cursor;
	if (total)
		*total = j.total;
	return n;
}

unsigned int pg_api_flows(struct pg_api *api, const struct pg_flow_filter *f, uint32_t *cursor,
			  struct pg_flow_info *out, unsigned int max, uint32_t *total)
{
	static const struct pg_flow_filter any;

	return page(api, f ? f : &any, cursor, out, sizeof(*out), max, total);
}

unsigned int pg_api_sessions(struct pg_api *api, uint32_t *cursor, struct pg_vpn_session *out,
			     unsigned int max)
{
	return page(api, NULL, cursor, out, sizeof(*out), max, NULL);
}

struct clear_job {
	struct pg_api *api;
	const struct pg_flow_filter *f;
	uint32_t cursor;
	unsigned int ended;
};

/* Like page_fn: a slice at a time until the table is walked or the time is used. */
static void clear_fn(void *arg)
{
	struct clear_job *j = arg;
	uint64_t t0 = mono_ns();

	do {
		j->ended += pg_engines_flows_clear(j->api->env.engines, j->f, &j->cursor,
						   PG_API_SCAN_SLICE);
	} while (j->cursor && mono_ns() - t0 < PG_API_JOB_NS);
}

unsigned int pg_api_flows_clear(struct pg_api *api, const struct pg_flow_filter *f)
{
	struct clear_job j = {.api = api, .f = f};

	do
		pg_api_on_dp(api, clear_fn, &j);
	while (j.cursor);
	return j.ended;
}

struct reconf_job {
	struct pg_api *api;
	const struct pg_engine_config *ec;
	int r;
	uint32_t flows;
};

static void reconf_fn(void *arg)
{
	struct reconf_job *j = arg;

	struct pg_engine_config live = *j->ec;

	/* The file may say "dhcp": the engines run on the lease's address. */
	if (j->api->env.dp) {
		pg_wan_overlay(&j->api->env.dp->wan, &live);
		/* "pd" in the file: the delegated LAN prefix stays, on the new settings. */
		if (j->api->env.dp->pd.on) {
			j->api->env.dp->pd.base = *j->ec;
			pg_pd_overlay(&j->api->env.dp->pd, &live);
		}
		/* "slaac" in the file: the address the ISP's RAs gave stays. */
		if (j->api->env.dp->wan6.on)
			j->api->env.dp->wan6.base = *j->ec;
		pg_wan6_overlay(&j->api->env.dp->wan6, &live);
	}
	j->r = pg_engines_reconfigure(j->api->env.engines, &live);
	j->flows = pg_engines_flow_count(j->api->env.engines);
}

int pg_api_reconfigure(struct pg_api *api, const struct pg_engine_config *ec, uint32_t *flows)
{
	struct reconf_job j = {.api = api, .ec = ec};

	pg_api_on_dp(api, reconf_fn, &j);
	if (flows)
		*flows = j.flows;
	return j.r;
}
