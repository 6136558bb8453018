/* SPDX-License-Identifier: MIT */
/*
 * test_api_shaper.c - the WAN shaper as the API and /metrics show it: the
 * "shaper" object of GET /api/v1/status (a direction that is not shaped is
 * null), and the passgate_shaper_* families with a direction label, every
 * shaper counter among them, in the Prometheus text format.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "ctl/api_internal.h"
#include "engine/shaper.h"

static const char text[] = "[lan]\ninterface = lan0\naddress = 192.168.1.1/24\n"
			   "[wan]\ninterface = wan0\naddress = 198.51.100.2/24\n"
			   "gateway = 198.51.100.1\nshape_up = 40mbit\n[nat]\nmax_flows = 1024\nmax_flows_per_host = 10\n"
			   "[api]\nlisten = off\n";

struct fix {
	struct pg_config cfg;
	struct pg_engine *e;
	struct pg_engines one;
	struct pg_shaper *up;
	struct pg_api *api;
};

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	struct pg_shaper_config sc = { .max_packet = 1500 };
	struct pg_api_env env;
	char err[PG_CONFIG_ERR_SIZE];
	uint8_t pkt[100] = { 0x45, 0x02 }; /* IPv4, ECT(0): a CE mark, not a drop */

	assert_non_null(f);
	assert_int_equal(pg_config_parse(&f->cfg, "t", text, strlen(text), err, sizeof(err)), 0);
	f->e = pg_engine_create(&f->cfg.engine);
	assert_non_null(f->e);
	f->one = PG_ENGINES_ONE(f->e);
	sc.rate_bps = f->cfg.shape_up_bps;
	f->up = pg_shaper_create(&sc);
	assert_non_null(f->up);
	/* Three packets in, one out: sent 1, backlog 2. */
	for (int i = 0; i < 3; i++)
		pg_shaper_enqueue(f->up, pkt, sizeof(pkt), 0x0a000001, 0, 1000000000ULL);
	assert_non_null(pg_shaper_dequeue(f->up, 1000000000ULL));
	memset(&env, 0, sizeof(env));
	env.engines = &f->one;
	env.cfg = &f->cfg;
	env.shapers[PG_SIDE_WAN] = f->up;
	f->api = pg_api_create(&env, err, sizeof(err));
	assert_non_null(f->api);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	pg_api_destroy(f->api);
	pg_shaper_destroy(f->up);
	pg_engine_destroy(f->e);
	pg_config_free(&f->cfg);
	free(f);
	return 0;
}

static void test_status_shaper(void **state)
{
	struct fix *f = *state;
	struct pg_api_resp resp;
	struct json_object *o, *sh, *up, *down, *c, *v;

	memset(&resp, 0, sizeof(resp));
	pg_api_get_status(f->api, NULL, &resp);
	assert_int_equal(resp.status, 200);
	o = json_tokener_parse(resp.body);
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "shaper", &sh));
	assert_true(json_object_object_get_ex(sh, "up", &up));
	assert_true(json_object_object_get_ex(sh, "down", &down));
	assert_null(down); /* not shaped: null */
	assert_true(json_object_object_get_ex(up, "rate_bps", &v));
	assert_int_equal(json_object_get_uint64(v), 40000000);
	assert_true(json_object_object_get_ex(up, "backlog_packets", &v));
	assert_int_equal(json_object_get_uint64(v), 2);
	assert_true(json_object_object_get_ex(up, "counters", &c));
	for (unsigned int i = 0; i < PG_SHAPER_CNT__COUNT; i++)
		assert_true(json_object_object_get_ex(c, pg_shaper_counter_name(i), &v));
	assert_true(json_object_object_get_ex(c, "sent", &v));
	assert_int_equal(json_object_get_uint64(v), 1);
	assert_true(json_object_object_get_ex(c, "enqueued", &v));
	assert_int_equal(json_object_get_uint64(v), 3);
	json_object_put(o);
	free(resp.body);
}

static void test_metrics_shaper(void **state)
{
	struct fix *f = *state;
	struct pg_api_resp resp;
	char want[200];

	memset(&resp, 0, sizeof(resp));
	pg_metrics_render(f->api, &resp);
	assert_int_equal(resp.status, 200);
	assert_non_null(strstr(resp.body, "# TYPE passgate_shaper_rate_bits_per_second gauge\n"
					  "passgate_shaper_rate_bits_per_second{direction=\"up\"} "
					  "40000000\n"));
	assert_non_null(strstr(resp.body, "passgate_shaper_backlog_packets{direction=\"up\"} 2\n"));
	assert_null(strstr(resp.body, "direction=\"down\""));
	for (unsigned int i = 0; i < PG_SHAPER_CNT__COUNT; i++) {
		snprintf(want, sizeof(want), "# HELP passgate_shaper_%s_total %s\n",
			 pg_shaper_counter_name(i), pg_shaper_counter_help(i));
		assert_non_null(strstr(resp.body, want));
	}
	assert_non_null(strstr(resp.body, "passgate_shaper_sent_total{direction=\"up\"} 1\n"));
	assert_non_null(
	    strstr(resp.body, "passgate_shaper_drop_codel_total{direction=\"up\"} 0\n"));
	free(resp.body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_shaper),
		cmocka_unit_test(test_metrics_shaper),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
