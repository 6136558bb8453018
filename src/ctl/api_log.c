/* SPDX-License-Identifier: MIT */
/*
 * api_log.c - the VPN events the helpers report, into the log and into a
 * ring of recent lines for GET /api/v1/events (the admin page's log view).
 *
 * The engine queues events (a PPTP call up, the first IKE message of a
 * client, NAT-T in use, an ESP SPI learnt); after every pass the data path
 * moves them into the hand-over ring (dp/handoff.h) and the control thread
 * drains them here, so formatting and writing the log never delay packets. Each becomes one info line in the log, worded by
 * pg_event_format(), and a numbered entry in the ring. Clients poll with
 * ?after=SEQ to get only lines newer than the last they saw. With [log]
 * level = debug the debug lines of every thread join the ring too, taken
 * from the log's tap (util/log.h), so the page's log shows them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl/api_internal.h"
#include "dp/datapath.h"
#include "dp/handoff.h"
#include "engine/observe.h"
#include "util/log.h"

#define DRAIN_BATCH 32

void pg_api_log_add(struct pg_api *api, const char *level, const char *text)
{
	struct pg_api_log_line *l;

	if (!api)
		return;
	l = &api->log[api->log_seq % PG_API_LOG_LINES];
	api->log_seq++;
	l->seq = api->log_seq;
	l->time_s = (int64_t)time(NULL);
	snprintf(l->level, sizeof(l->level), "%s", level);
	snprintf(l->text, sizeof(l->text), "%s", text);
}

void pg_api_drain_events(struct pg_api *api, struct pg_engines *engines, uint64_t now_ms)
{
	struct pg_handoff *h = api ? api->env.handoff : NULL;
	struct pg_event ev[DRAIN_BATCH];
	char line[PG_API_LOG_LINE_MAX];
	unsigned int n;

	(void)now_ms;
	do {
		/* With a data path thread its ring is the only way to the engines. */
		n = h ? pg_handoff_events_take(h, ev, DRAIN_BATCH)
		      : pg_engines_events(engines, ev, DRAIN_BATCH);
		for (unsigned int i = 0; i < n; i++) {
			pg_event_format(&ev[i], line, sizeof(line));
			pg_info("%s", line);
			pg_api_log_add(api, "info", line);
		}
	} while (n == DRAIN_BATCH);
	/* Bounded: a flood of debug lines waits for the next round. */
	for (n = 0; n < PG_API_LOG_LINES / 4 && pg_log_tap_take(line, sizeof(line), NULL); n++)
		pg_api_log_add(api, "debug", line);
}

static void dp_status_fn(void *arg)
{
	pg_datapath_status(arg);
}

void pg_api_log_status(struct pg_api *api)
{
	struct pg_api_snap *s = malloc(sizeof(*s));
	char mac[18];

	if (!s) {
		pg_err("status: out of memory");
		return;
	}
	pg_api_snapshot(api, s);
	if (api->env.dp)
		pg_api_on_dp(api, dp_status_fn, api->env.dp);
	for (unsigned int i = 0; i < PG_CNT__COUNT; i++)
		if (s->cnt[i])
			pg_log_status("counter %s %llu", pg_counter_name(i),
				      (unsigned long long)s->cnt[i]);
	for (int side = 0; side < 2; side++) {
		const struct pg_api_link_snap *l = &s->link[side];
		uint64_t drops = 0;

		if (!l->present)
			continue;
		for (unsigned int i = 0; i < PG_L2_CNT__COUNT; i++)
			if (!strncmp(pg_l2_counter_name(i), "drop_", 5))
				drops += l->cnt[i];
		pg_log_status("interface %s side %s mac %s rx %llu tx %llu drops %llu neighbours %u",
			      l->name, side == PG_SIDE_LAN ? "lan" : "wan", pg_eth_ntoa(l->mac, mac),
			      (unsigned long long)l->cnt[PG_L2_CNT_RX_FRAMES],
			      (unsigned long long)l->cnt[PG_L2_CNT_TX_FRAMES],
			      (unsigned long long)drops, l->neighbours);
		for (unsigned int i = 0; i < PG_L2_CNT__COUNT; i++)
			if (l->cnt[i])
				pg_log_status("l2 %s %s %llu", l->name, pg_l2_counter_name(i),
					      (unsigned long long)l->cnt[i]);
	}
	if (s->has_dp)
		pg_log_status("passes %llu max %llu us over 1 ms %llu",
			      (unsigned long long)s->dp.pass.count,
			      (unsigned long long)(s->dp.pass.max_ns + 999) / 1000,
			      (unsigned long long)pg_dp_pass_hist_over(&s->dp.pass, 1024));
	/* Last: scripts read the dump as complete once this line is there. */
	pg_log_status("flows %u", s->flows);
	free(s);
}

void pg_api_get_events(struct pg_api *api, const struct pg_api_req *req, struct pg_api_resp *resp)
{
	struct json_object *o = json_object_new_object(), *arr = json_object_new_array();
	const char *v = pg_api_arg(req, "after");
	uint64_t first = api->log_seq > PG_API_LOG_LINES ? api->log_seq - PG_API_LOG_LINES + 1 : 1;
	uint32_t after = 0;

	if (v && pg_config_parse_u32(v, &after)) {
		json_object_put(o);
		json_object_put(arr);
		pg_api_error(resp, 400, "after", "after: expected the seq of a line seen before");
		return;
	}
	if (after + 1 > first)
		first = after + 1;
	for (uint64_t s = first; s <= api->log_seq; s++) {
		const struct pg_api_log_line *l = &api->log[(s - 1) % PG_API_LOG_LINES];
		struct json_object *e = json_object_new_object();

		json_object_object_add(e, "seq", json_object_new_uint64(l->seq));
		json_object_object_add(e, "time", json_object_new_int64(l->time_s));
		json_object_object_add(e, "level", json_object_new_string(l->level));
		json_object_object_add(e, "text", json_object_new_string(l->text));
		json_object_array_add(arr, e);
	}
	json_object_object_add(o, "events", arr);
	json_object_object_add(o, "last", json_object_new_uint64(api->log_seq));
	pg_api_json(resp, 200, o);
}
