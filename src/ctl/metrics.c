/* SPDX-License-Identifier: MIT */
/*
 * metrics.c - GET /metrics in the Prometheus text format (version 0.0.4).
 *
 * Every engine counter is a counter named passgate_<name>_total with its
 * help text; drop reasons are also one family, passgate_drops_total{reason},
 * so a dashboard can sum or graph them without knowing their names. Flow
 * table fill, flows by protocol, VPN sessions by kind, every link's layer 2
 * counters (labelled by interface), the data path's batch sizes and its
 * pass durations (histograms) follow. The numbers are copied between two
 * passes by jobs on the data path's thread (api_dp.c); the text is made
 * here, on the control thread. Names come from the X-macro tables, so a
 * counter added there appears here with no edit.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/api_internal.h"
#include "ctl/api_sync.h"
#include "dp/datapath.h"
#include "dp/dpstats.h"
#include "engine/observe.h"
#include "engine/shaper.h"
#include "l2/port.h"
#include "wan/dhcp.h"

#define SESSION_PAGE 256

struct out {
	char *buf;
	size_t len, cap;
	bool failed;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->failed)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			o->failed = true;
			return;
		}
		if ((size_t)n < o->cap - o->len) {
			o->len += (size_t)n;
			return;
		}
		char *b = realloc(o->buf, o->cap * 2 + (size_t)n);

		if (!b) {
			o->failed = true;
			return;
		}
		o->buf = b;
		o->cap = o->cap * 2 + (size_t)n;
	}
}

static void family(struct out *o, const char *name, const char *type, const char *help)
{
	/* Help text escapes backslash and newline; ours have neither, but stay safe. */
	put(o, "# HELP %s ", name);
	for (const char *h = help; *h; h++) {
		if (*h == '\\')
			put(o, "\\\\");
		else if (*h == '\n')
			put(o, "\\n");
		else
			put(o, "%c", *h);
	}
	put(o, "\n# TYPE %s %s\n", name, type);
}

static void engine_counters(struct out *o, const uint64_t *c)
{
	char name[96];

	for (unsigned int i = 1; i < PG_CNT__COUNT; i++) {
		snprintf(name, sizeof(name), "passgate_%s_total", pg_counter_name(i));
		family(o, name, "counter", pg_counter_help(i));
		put(o, "%s %llu\n", name, (unsigned long long)c[i]);
	}
	family(o, "passgate_drops_total", "counter", "packets the engine dropped, by reason");
	for (unsigned int i = 1; i < PG_CNT__COUNT; i++)
		if (!strncmp(pg_counter_name(i), "drop_", 5))
			put(o, "passgate_drops_total{reason=\"%s\"} %llu\n", pg_counter_name(i) + 5,
			    (unsigned long long)c[i]);
}

static void sessions(struct out *o, struct pg_api *api)
{
	static const char *const kinds[] = {"", "pptp", "ike", "nat-t", "esp", "l2tp"};
	struct pg_vpn_session *buf = calloc(SESSION_PAGE, sizeof(*buf));
	uint64_t count[6] = {0};
	uint32_t cursor = 0;

	if (!buf) {
		o->failed = true;
		return;
	}
	do {
		unsigned int n = pg_api_sessions(api, &cursor, buf, SESSION_PAGE);

		for (unsigned int i = 0; i < n; i++)
			if (buf[i].kind < 6)
				count[buf[i].kind]++;
	} while (cursor);
	free(buf);
	family(o, "passgate_vpn_sessions", "gauge", "VPN sessions the helpers follow, by kind");
	for (unsigned int k = 1; k < 6; k++)
		put(o, "passgate_vpn_sessions{kind=\"%s\"} %llu\n", kinds[k],
		    (unsigned long long)count[k]);
}

static void flows(struct out *o, struct pg_api *api, const struct pg_api_snap *snap)
{
	const struct pg_engine_config *ec = &api->env.cfg->engine;
	const uint32_t *n = snap->by_proto;
	uint32_t total = snap->flows;

	family(o, "passgate_flows", "gauge", "flows in the table");
	put(o, "passgate_flows %u\n", total);
	family(o, "passgate_flows_max", "gauge", "flow table capacity (max_flows)");
	put(o, "passgate_flows_max %u\n", ec->max_flows);
	family(o, "passgate_workers", "gauge", "engines the flows are sharded over ([datapath] workers)");
	put(o, "passgate_workers %u\n", api->env.engines->n);
	if (api->env.dp) {
		family(o, "passgate_offload_active", "gauge",
		       "1 while the XDP fast path forwards established flows (decided at start)");
		put(o, "passgate_offload_active %d\n", api->env.dp->offload_decision.on ? 1 : 0);
	}
	family(o, "passgate_flow_table_fill_ratio", "gauge", "flows / max_flows");
	put(o, "passgate_flow_table_fill_ratio %.6f\n",
	    ec->max_flows ? (double)total / ec->max_flows : 0.0);
	family(o, "passgate_flows_by_protocol", "gauge", "flows in the table, by IP protocol");
	for (unsigned int i = 0; i < PG_FP__COUNT; i++)
		put(o, "passgate_flows_by_protocol{protocol=\"%s\"} %u\n",
		    pg_flow_proto_slot_name(i), n[i]);
}

/*
 * A duration histogram of the data path's (dpstats.h) in seconds, as
 * Prometheus wants; the upper bounds are powers of two microseconds. Also
 * NAME_max_seconds: the longest since start.
 */
static void durations(struct out *o, const char *name, const char *help,
		      const struct pg_dp_pass_hist *h)
{
	uint64_t cum = 0;
	char max[96];

	family(o, name, "histogram", help);
	for (unsigned int b = 0; b < PG_DP_PASS_BUCKETS; b++) {
		cum += h->buckets[b];
		put(o, "%s_bucket{le=\"%.6f\"} %llu\n", name, (double)(1ull << b) / 1e6,
		    (unsigned long long)cum);
	}
	put(o, "%s_bucket{le=\"+Inf\"} %llu\n", name, (unsigned long long)h->count);
	put(o, "%s_sum %.9f\n", name, (double)h->sum_ns / 1e9);
	put(o, "%s_count %llu\n", name, (unsigned long long)h->count);
	snprintf(max, sizeof(max), "%s_max", name);
	family(o, max, "gauge", "the longest since passgated started, in seconds");
	put(o, "%s %.9f\n", max, (double)h->max_ns / 1e9);
}

/* Frames per pass of the data path, as a histogram (dpstats.h). */
static void batches(struct out *o, const struct pg_dp_stats *s)
{
	uint64_t cum = 0;

	family(o, "passgate_batch_frames", "histogram",
	       "frames taken from both links per data path pass (passes with none not counted)");
	for (unsigned int b = 0; b < PG_DP_BATCH_BUCKETS; b++) {
		cum += s->batches[b];
		put(o, "passgate_batch_frames_bucket{le=\"%u\"} %llu\n", 1u << b,
		    (unsigned long long)cum);
	}
	put(o, "passgate_batch_frames_bucket{le=\"+Inf\"} %llu\n", (unsigned long long)s->passes);
	put(o, "passgate_batch_frames_sum %llu\n", (unsigned long long)s->frames);
	put(o, "passgate_batch_frames_count %llu\n", (unsigned long long)s->passes);
}

static void links(struct out *o, const struct pg_api_snap *snap)
{
	char name[96];

	for (unsigned int i = 0; i < PG_L2_CNT__COUNT; i++) {
		snprintf(name, sizeof(name), "passgate_link_%s_total", pg_l2_counter_name(i));
		family(o, name, "counter", pg_l2_counter_help(i));
		for (int s = 0; s < 2; s++) {
			const struct pg_api_link_snap *p = &snap->link[s];

			if (p->present)
				put(o, "%s{interface=\"%s\",side=\"%s\"} %llu\n", name, p->name,
				    s == PG_SIDE_LAN ? "lan" : "wan",
				    (unsigned long long)p->cnt[i]);
		}
	}
}

/* The DHCP WAN: whether a lease is held, its times, the client's counts. */
static void wan(struct out *o, struct pg_api *api)
{
	struct pg_wan_view view;
	const struct pg_wan_view *w = pg_api_wan_snapshot(api, &view) ? &view : NULL;
	const struct pg_dhcp_lease *l;
	const struct pg_dhcp_stats *s;

	if (!w)
		return;
	l = w->has_lease ? &w->lease : NULL;
	s = &w->stats;
	family(o, "passgate_wan_up", "gauge", "1 while a DHCP lease gives the WAN an address");
	put(o, "passgate_wan_up %d\n", l != NULL);
	if (l && l->lease_s != PG_DHCP_INFINITE) {
		family(o, "passgate_wan_lease_expires_seconds", "gauge",
		       "seconds until the WAN's DHCP lease ends unless renewed");
		put(o, "passgate_wan_lease_expires_seconds %lld\n",
		    (long long)(pg_dhcp_lease_end(l) - api->now_ms) / 1000);
	}
	family(o, "passgate_wan_dhcp_events_total", "counter",
	       "DHCP WAN: leases bound, renewed, lost, NAKs, declined addresses, address changes");
	put(o, "passgate_wan_dhcp_events_total{event=\"bound\"} %llu\n",
	    (unsigned long long)s->leases);
	put(o, "passgate_wan_dhcp_events_total{event=\"renewed\"} %llu\n",
	    (unsigned long long)s->renewals);
	put(o, "passgate_wan_dhcp_events_total{event=\"lost\"} %llu\n",
	    (unsigned long long)s->losses);
	put(o, "passgate_wan_dhcp_events_total{event=\"nak\"} %llu\n", (unsigned long long)s->naks);
	put(o, "passgate_wan_dhcp_events_total{event=\"declined\"} %llu\n",
	    (unsigned long long)s->declines);
	put(o, "passgate_wan_dhcp_events_total{event=\"address_changed\"} %llu\n",
	    (unsigned long long)w->addr_changes);
	family(o, "passgate_wan_dhcp_drops_total", "counter",
	       "DHCP messages the WAN's client refused, by reason");
	for (unsigned int i = 1; i < PG_DHCP_DROP__COUNT; i++)
		put(o, "passgate_wan_dhcp_drops_total{reason=\"%s\"} %llu\n",
		    pg_dhcp_drop_name(i) + 5, (unsigned long long)s->drops[i]);
}

/* The WAN shaper, per direction (up: WAN egress, down: LAN egress), when on. */
static void shapers(struct out *o, struct pg_api *api)
{
	static const char *const dir[2] = {[PG_SIDE_LAN] = "down", [PG_SIDE_WAN] = "up"};
	struct pg_shaper_stats st[2];
	bool on[2];
	char name[96];

	if (!pg_api_shaper_stats(api, st, on))
		return;
#define SHAPER_GAUGE(metric, help, field)                                                          \
	do {                                                                                       \
		family(o, "passgate_shaper_" metric, "gauge", help);                               \
		for (int s = 0; s < 2; s++)                                                        \
			if (on[s])                                                                 \
				put(o, "passgate_shaper_" metric "{direction=\"%s\"} %llu\n", dir[s],  \
				    (unsigned long long)st[s].field);                              \
	} while (0)
	SHAPER_GAUGE("rate_bits_per_second", "configured rate ([wan] shape_up, shape_down)",
		     rate_bps);
	SHAPER_GAUGE("sent_bits_per_second", "rate released over the last whole second", sent_bps);
	SHAPER_GAUGE("backlog_packets", "packets queued in the shaper", backlog_pkts);
	SHAPER_GAUGE("backlog_bytes", "bytes queued in the shaper", backlog_bytes);
	SHAPER_GAUGE("active_flows", "flow queues with packets", active_flows);
	SHAPER_GAUGE("active_hosts", "LAN hosts with packets queued", active_hosts);
#undef SHAPER_GAUGE
	for (unsigned int i = 0; i < PG_SHAPER_CNT__COUNT; i++) {
		snprintf(name, sizeof(name), "passgate_shaper_%s_total", pg_shaper_counter_name(i));
		family(o, name, "counter", pg_shaper_counter_help(i));
		for (int s = 0; s < 2; s++)
			if (on[s])
				put(o, "%s{direction=\"%s\"} %llu\n", name, dir[s],
				    (unsigned long long)st[s].cnt[i]);
	}
}

/* The sync channel's counters (docs/HA.md), when [sync] is on. */
static void sync_channel(struct out *o, const struct pg_api_snap *snap)
{
	struct pg_sync_metric m[32];
	unsigned int n = pg_api_sync_metrics(snap, m, 32);

	for (unsigned int i = 0; i < n; i++) {
		if (i == 0 || strcmp(m[i].name, m[i - 1].name))
			family(o, m[i].name, m[i].type, m[i].help);
		put(o, "%s%s%s%s %llu\n", m[i].name, m[i].label ? "{" : "",
		    m[i].label ? m[i].label : "", m[i].label ? "}" : "",
		    (unsigned long long)m[i].value);
	}
}

void pg_metrics_render(struct pg_api *api, struct pg_api_resp *resp)
{
	const struct pg_engine_config *ec = &api->env.cfg->engine;
	struct out o = {.cap = 65536};
	struct pg_api_snap *snap = malloc(sizeof(*snap));

	o.buf = malloc(o.cap);
	if (!o.buf || !snap) {
		free(o.buf);
		free(snap);
		pg_api_error(resp, 500, NULL, "out of memory");
		return;
	}
	pg_api_snapshot(api, snap);
	family(&o, "passgate_uptime_seconds", "gauge", "seconds since passgated started");
	put(&o, "passgate_uptime_seconds %llu\n",
	    (unsigned long long)((api->now_ms - api->env.start_ms) / 1000));
	flows(&o, api, snap);
	family(&o, "passgate_passthrough_enabled", "gauge", "passthrough switches (1 on, 0 off)");
	put(&o, "passgate_passthrough_enabled{protocol=\"pptp\"} %d\n", ec->pptp_passthrough);
	put(&o, "passgate_passthrough_enabled{protocol=\"ipsec\"} %d\n", ec->ipsec_passthrough);
	put(&o, "passgate_passthrough_enabled{protocol=\"l2tp\"} %d\n", ec->l2tp_passthrough);
	sessions(&o, api);
	engine_counters(&o, snap->cnt);
	links(&o, snap);
	if (snap->has_dp) {
		batches(&o, &snap->dp);
		durations(&o, "passgate_pass_duration_seconds",
			  "time one data path pass took (wall clock), any control work on that "
			  "thread included",
			  &snap->dp.pass);
		durations(&o, "passgate_control_job_seconds",
			  "CPU time each control thread job (a copy of flows or counters, a new "
			  "configuration, a capture armed) took on the data path's thread",
			  &snap->dp.job);
	}
	wan(&o, api);
	shapers(&o, api);
	sync_channel(&o, snap);
	free(snap);
	if (o.failed) {
		free(o.buf);
		pg_api_error(resp, 500, NULL, "out of memory");
		return;
	}
	resp->status = 200;
	resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
	resp->body = o.buf;
	resp->len = o.len;
}
