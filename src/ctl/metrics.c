/* SPDX-License-Identifier: MIT */
/*
 * metrics.c - GET /metrics in the Prometheus text format (version 0.0.4).
 *
 * Every engine counter is a counter named passgate_<name>_total with its
 * help text; drop reasons are also one family, passgate_drops_total{reason},
 * so a dashboard can sum or graph them without knowing their names. Flow
 * table fill, flows by protocol, VPN sessions by kind, every link's layer 2
 * counters (labelled by interface) and the data path's batch sizes (a
 * histogram) follow. Names come from the X-macro tables, so a
 * counter added there appears here with no edit.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/api_internal.h"
#include "ctl/api_sync.h"
#include "dp/dpstats.h"
#include "engine/observe.h"
#include "l2/port.h"

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

static void engine_counters(struct out *o, const struct pg_engines *engines)
{
	uint64_t c[PG_CNT__COUNT];
	char name[96];

	pg_engines_counters(engines, c);
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
		unsigned int n = pg_engines_vpn_sessions(api->env.engines, &cursor, buf,
							 SESSION_PAGE, api->now_ms);

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

static void flows(struct out *o, struct pg_api *api)
{
	const struct pg_engine_config *ec = &api->env.cfg->engine;
	uint32_t n[PG_FP__COUNT], total = pg_engines_flow_count(api->env.engines);

	family(o, "passgate_flows", "gauge", "flows in the table");
	put(o, "passgate_flows %u\n", total);
	family(o, "passgate_flows_max", "gauge", "flow table capacity (max_flows)");
	put(o, "passgate_flows_max %u\n", ec->max_flows);
	family(o, "passgate_workers", "gauge", "engines the flows are sharded over ([datapath] workers)");
	put(o, "passgate_workers %u\n", api->env.engines->n);
	family(o, "passgate_flow_table_fill_ratio", "gauge", "flows / max_flows");
	put(o, "passgate_flow_table_fill_ratio %.6f\n",
	    ec->max_flows ? (double)total / ec->max_flows : 0.0);
	pg_engines_flows_by_proto(api->env.engines, n);
	family(o, "passgate_flows_by_protocol", "gauge", "flows in the table, by IP protocol");
	for (unsigned int i = 0; i < PG_FP__COUNT; i++)
		put(o, "passgate_flows_by_protocol{protocol=\"%s\"} %u\n",
		    pg_flow_proto_slot_name(i), n[i]);
}

/* Frames per pass of the data path, as a histogram (dpstats.h). */
static void batches(struct out *o, const struct pg_dp_stats *s)
{
	uint64_t cum = 0;

	if (!s)
		return;
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

static void links(struct out *o, struct pg_api *api)
{
	char name[96];

	for (unsigned int i = 0; i < PG_L2_CNT__COUNT; i++) {
		snprintf(name, sizeof(name), "passgate_link_%s_total", pg_l2_counter_name(i));
		family(o, name, "counter", pg_l2_counter_help(i));
		for (int s = 0; s < 2; s++) {
			const struct pg_port *p = api->env.ports[s];

			if (p)
				put(o, "%s{interface=\"%s\",side=\"%s\"} %llu\n", name, p->name,
				    s == PG_SIDE_LAN ? "lan" : "wan",
				    (unsigned long long)p->cnt[i]);
		}
	}
}

/* The sync channel's counters (docs/HA.md), when [sync] is on. */
static void sync_channel(struct out *o)
{
	struct pg_sync_metric m[32];
	unsigned int n = pg_api_sync_metrics(m, 32);

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

	o.buf = malloc(o.cap);
	if (!o.buf) {
		pg_api_error(resp, 500, NULL, "out of memory");
		return;
	}
	family(&o, "passgate_uptime_seconds", "gauge", "seconds since passgated started");
	put(&o, "passgate_uptime_seconds %llu\n",
	    (unsigned long long)((api->now_ms - api->env.start_ms) / 1000));
	flows(&o, api);
	family(&o, "passgate_passthrough_enabled", "gauge", "passthrough switches (1 on, 0 off)");
	put(&o, "passgate_passthrough_enabled{protocol=\"pptp\"} %d\n", ec->pptp_passthrough);
	put(&o, "passgate_passthrough_enabled{protocol=\"ipsec\"} %d\n", ec->ipsec_passthrough);
	put(&o, "passgate_passthrough_enabled{protocol=\"l2tp\"} %d\n", ec->l2tp_passthrough);
	sessions(&o, api);
	engine_counters(&o, api->env.engines);
	links(&o, api);
	batches(&o, api->env.dp_stats);
	sync_channel(&o);
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
