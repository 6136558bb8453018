/* SPDX-License-Identifier: MIT */
/*
 * test_metrics.c - GET /metrics: every engine counter with HELP and TYPE,
 * drops by reason as one family, flows (by protocol, table fill),
 * passthrough switches, per-link layer 2 counters with interface labels,
 * batch sizes; and a shape check of every
 * line against the Prometheus text format.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ctl/api_internal.h"
#include "dp/dpstats.h"
#include "l2/port.h"

static const char text[] = "[lan]\ninterface = lan0\naddress = 192.168.1.1/24\n"
			   "[wan]\ninterface = wan0\naddress = 198.51.100.2/24\n"
			   "gateway = 198.51.100.1\n[nat]\nmax_flows = 1024\n"
			   "max_flows_per_host = 10\n[passthrough]\npptp = off\n[api]\nlisten = off\n";

/* name{labels} value, or # HELP / # TYPE: the text format's line shapes. */
static bool line_ok(const char *l, size_t n)
{
	size_t i = 0;

	if (n > 7 && (!strncmp(l, "# HELP ", 7) || !strncmp(l, "# TYPE ", 7)))
		return true;
	while (i < n && (l[i] == '_' || (l[i] >= 'a' && l[i] <= 'z') || (l[i] >= '0' && l[i] <= '9')))
		i++;
	if (!i)
		return false;
	if (i < n && l[i] == '{') {
		const char *close = memchr(l + i, '}', n - i);

		if (!close)
			return false;
		i = (size_t)(close - l) + 1;
	}
	if (i >= n || l[i] != ' ')
		return false;
	for (i++; i < n; i++)
		if ((l[i] < '0' || l[i] > '9') && l[i] != '.')
			return false;
	return true;
}

static void test_metrics(void **state)
{
	struct pg_config cfg;
	struct pg_engine *e;
	struct pg_api *api;
	struct pg_api_env env;
	struct pg_api_resp resp;
	struct pg_port lan;
	struct pg_dp_stats dps = {0};
	char err[PG_CONFIG_ERR_SIZE], want[160];
	const char *p;

	(void)state;
	assert_int_equal(pg_config_parse(&cfg, "t", text, strlen(text), err, sizeof(err)), 0);
	e = pg_engine_create(&cfg.engine);
	assert_non_null(e);
	memset(&lan, 0, sizeof(lan));
	snprintf(lan.name, sizeof(lan.name), "lan0");
	lan.cnt[PG_L2_CNT_RX_FRAMES] = 42;
	memset(&env, 0, sizeof(env));
	/* One engine, as a daemon with one worker has. */
	static struct pg_engines one;

	one = PG_ENGINES_ONE(e);
	env.engines = &one;
	env.cfg = &cfg;
	env.ports[PG_SIDE_LAN] = &lan;
	pg_dp_stats_batch(&dps, 1);
	pg_dp_stats_batch(&dps, 3);
	pg_dp_stats_batch(&dps, 64);
	pg_dp_stats_batch(&dps, 128);
	env.dp_stats = &dps;
	api = pg_api_create(&env, err, sizeof(err));
	assert_non_null(api);
	memset(&resp, 0, sizeof(resp));
	pg_metrics_render(api, &resp);
	assert_int_equal(resp.status, 200);
	assert_non_null(strstr(resp.content_type, "version=0.0.4"));
	for (unsigned int i = 1; i < PG_CNT__COUNT; i++) {
		snprintf(want, sizeof(want), "# TYPE passgate_%s_total counter\npassgate_%s_total 0\n",
			 pg_counter_name(i), pg_counter_name(i));
		assert_non_null(strstr(resp.body, want));
		snprintf(want, sizeof(want), "# HELP passgate_%s_total %s\n", pg_counter_name(i),
			 pg_counter_help(i));
		assert_non_null(strstr(resp.body, want));
	}
	assert_non_null(strstr(resp.body, "passgate_drops_total{reason=\"passthrough_off\"} 0\n"));
	assert_non_null(strstr(resp.body, "passgate_flows 0\n"));
	assert_non_null(strstr(resp.body, "passgate_flows_max 1024\n"));
	assert_non_null(strstr(resp.body, "passgate_workers 1\n"));
	assert_non_null(strstr(resp.body, "passgate_passthrough_enabled{protocol=\"pptp\"} 0\n"));
	assert_non_null(strstr(resp.body, "passgate_passthrough_enabled{protocol=\"ipsec\"} 1\n"));
	assert_non_null(strstr(resp.body, "passgate_vpn_sessions{kind=\"nat-t\"} 0\n"));
	assert_non_null(strstr(resp.body, "passgate_flow_table_fill_ratio 0.000000\n"));
	assert_non_null(strstr(resp.body, "passgate_flows_by_protocol{protocol=\"gre\"} 0\n"));
	assert_non_null(strstr(resp.body, "passgate_flows_by_protocol{protocol=\"other\"} 0\n"));
	/* Batch sizes: cumulative buckets, as Prometheus histograms are. */
	assert_non_null(strstr(resp.body, "# TYPE passgate_batch_frames histogram\n"));
	assert_non_null(strstr(resp.body, "passgate_batch_frames_bucket{le=\"1\"} 1\n"));
	assert_non_null(strstr(resp.body, "passgate_batch_frames_bucket{le=\"4\"} 2\n"));
	assert_non_null(strstr(resp.body, "passgate_batch_frames_bucket{le=\"64\"} 3\n"));
	assert_non_null(strstr(resp.body, "passgate_batch_frames_bucket{le=\"128\"} 4\n"));
	assert_non_null(strstr(resp.body, "passgate_batch_frames_bucket{le=\"+Inf\"} 4\n"));
	assert_non_null(strstr(resp.body, "passgate_batch_frames_sum 196\n"));
	assert_non_null(strstr(resp.body, "passgate_batch_frames_count 4\n"));
	assert_non_null(strstr(resp.body,
			       "passgate_link_rx_frames_total{interface=\"lan0\",side=\"lan\"} 42\n"));
	/* Every line has one of the format's shapes; the text ends with a newline. */
	assert_int_equal(resp.body[resp.len - 1], '\n');
	for (p = resp.body; *p;) {
		const char *nl = strchr(p, '\n');

		assert_non_null(nl);
		if (!line_ok(p, (size_t)(nl - p)))
			fail_msg("bad line: %.*s", (int)(nl - p), p);
		p = nl + 1;
	}
	free(resp.body);
	pg_api_destroy(api);
	pg_engine_destroy(e);
	pg_config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_metrics),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
