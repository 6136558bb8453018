/* SPDX-License-Identifier: MIT */
/*
 * test_history.c - the graphs' rings (dp/history.h) and GET
 * /api/v1/history: rows kept and overwritten by number, the coarse tier
 * every 60th row, column names, rates computed from counters, and a
 * query string that is refused whenever it is out of bounds.
 */
#include <json-c/json.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conf/config.h"
#include "ctl/api_internal.h"
#include "dp/history.h"

static void fill_row(const struct pg_history *h, uint64_t i, uint64_t *row)
{
	for (unsigned int c = 0; c < h->cols; c++)
		row[c] = i * (c + 1);
}

static void test_ring(void **state)
{
	struct pg_history h;
	uint64_t *row, t[4], *v;
	char name[64];

	(void)state;
	assert_int_equal(pg_history_init(&h), 0);
	assert_true(h.ndrops > 10);
	row = calloc(h.cols, sizeof(*row));
	v = calloc(4 * (size_t)h.cols, sizeof(*v));
	assert_non_null(row);
	assert_non_null(v);
	assert_int_equal(pg_history_read(&h, PG_HIST_FINE, 0, 4, t, v), 0);
	for (uint64_t i = 0; i < PG_HIST_FINE_ROWS + 100; i++) {
		fill_row(&h, i, row);
		pg_history_add(&h, 5000 + i * 1000, row);
	}
	assert_int_equal(pg_history_total(&h, PG_HIST_FINE), PG_HIST_FINE_ROWS + 100);
	/* Rows 0..99 were overwritten; 100 is the oldest held. */
	assert_int_equal(pg_history_read(&h, PG_HIST_FINE, 99, 4, t, v), 0);
	assert_int_equal(pg_history_read(&h, PG_HIST_FINE, 100, 4, t, v), 4);
	assert_int_equal(t[0], 5000 + 100 * 1000);
	assert_int_equal(v[PG_HC_WAN_RX_BYTES], 100 * (PG_HC_WAN_RX_BYTES + 1));
	assert_int_equal(v[h.cols + h.cols - 1], 101 * h.cols);
	/* The newest two: asking for four past the end gives two. */
	assert_int_equal(pg_history_read(&h, PG_HIST_FINE, PG_HIST_FINE_ROWS + 98, 4, t, v), 2);
	assert_int_equal(pg_history_read(&h, PG_HIST_FINE, PG_HIST_FINE_ROWS + 100, 4, t, v), 0);
	/* Every 60th row, starting with the first. */
	assert_int_equal(pg_history_total(&h, PG_HIST_COARSE), (PG_HIST_FINE_ROWS + 100 + 59) / 60);
	assert_int_equal(pg_history_read(&h, PG_HIST_COARSE, 1, 1, t, v), 1);
	assert_int_equal(t[0], 5000 + 60 * 1000);
	assert_string_equal(pg_history_col_name(&h, PG_HC_WAN_RX_BYTES, name, sizeof(name)),
			    "wan.rx_bytes");
	assert_string_equal(pg_history_col_name(&h, PG_HC_FLOWS_PROTO + PG_FP_UDP, name,
						sizeof(name)),
			    "flows.udp");
	assert_memory_equal(pg_history_col_name(&h, PG_HC_DROPS, name, sizeof(name)), "drop.", 5);
	assert_true(pg_history_is_gauge(PG_HC_FLOWS));
	assert_false(pg_history_is_gauge(PG_HC_LAN_TX_BYTES));
	assert_false(pg_history_is_gauge(PG_HC_DROPS));
	free(row);
	free(v);
	pg_history_fini(&h);
}

/* The row a data path with these counters would record. */
static void test_row(void **state)
{
	struct pg_history h;
	uint64_t cnt[PG_CNT__COUNT] = {0}, lan[PG_L2_CNT__COUNT] = {0}, wan[PG_L2_CNT__COUNT] = {0};
	const uint64_t *l2[2] = {lan, wan};
	uint32_t by_proto[PG_FP__COUNT] = {0};
	uint64_t *row;
	char name[64];

	(void)state;
	pg_history_columns(&h);
	row = calloc(h.cols, sizeof(*row));
	assert_non_null(row);
	wan[PG_L2_CNT_RX_BYTES] = 1234;
	lan[PG_L2_CNT_TX_FRAMES] = 7;
	wan[PG_L2_CNT_DROP_RUNT] = 2;
	wan[PG_L2_CNT_DROP_VLAN] = 3;
	by_proto[PG_FP_GRE] = 4;
	cnt[PG_CNT_DROP_TTL_EXCEEDED] = 9;
	pg_history_row(&h, cnt, 5, by_proto, l2, row);
	assert_int_equal(row[PG_HC_WAN_RX_BYTES], 1234);
	assert_int_equal(row[PG_HC_LAN_TX_FRAMES], 7);
	assert_int_equal(row[PG_HC_WAN_L2_DROPS], 5);
	assert_int_equal(row[PG_HC_LAN_L2_DROPS], 0);
	assert_int_equal(row[PG_HC_FLOWS], 5);
	assert_int_equal(row[PG_HC_FLOWS_PROTO + PG_FP_GRE], 4);
	for (unsigned int c = PG_HC_DROPS; c < h.cols; c++)
		if (!strcmp(pg_history_col_name(&h, c, name, sizeof(name)), "drop.ttl_exceeded"))
			assert_int_equal(row[c], 9);
	free(row);
}

struct api_fx {
	struct pg_config cfg;
	struct pg_engine *engine;
	struct pg_engines one;
	struct pg_history h;
	struct pg_api *api;
};

static struct api_fx *api_fx(void)
{
	static const char text[] = "[lan]\ninterface = lan0\naddress = 192.168.1.1/24\n"
				   "[wan]\ninterface = wan0\naddress = 198.51.100.2/24\n"
				   "gateway = 198.51.100.1\n[nat]\nmax_flows = 1024\nmax_flows_per_host = 64\n"
				   "[api]\nlisten = off\n";
	struct api_fx *f = calloc(1, sizeof(*f));
	char err[PG_CONFIG_ERR_SIZE];
	struct pg_api_env env;

	assert_non_null(f);
	assert_int_equal(pg_config_parse(&f->cfg, "t", text, strlen(text), err, sizeof(err)), 0);
	f->engine = pg_engine_create(&f->cfg.engine);
	assert_non_null(f->engine);
	f->one = PG_ENGINES_ONE(f->engine);
	assert_int_equal(pg_history_init(&f->h), 0);
	memset(&env, 0, sizeof(env));
	env.engines = &f->one;
	env.cfg = &f->cfg;
	env.history = &f->h;
	f->api = pg_api_create(&env, err, sizeof(err));
	assert_non_null(f->api);
	return f;
}

static void api_fx_free(struct api_fx *f)
{
	pg_api_destroy(f->api);
	pg_history_fini(&f->h);
	pg_engine_destroy(f->engine);
	pg_config_free(&f->cfg);
	free(f);
}

static unsigned int get(struct api_fx *f, char *query, struct json_object **out)
{
	struct pg_api_req req;
	struct pg_api_resp resp;
	char *save = NULL;

	memset(&req, 0, sizeof(req));
	for (char *kv = strtok_r(query, "&", &save); kv && req.nargs < PG_API_MAX_ARGS;
	     kv = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(kv, '=');

		if (eq)
			*eq++ = '\0';
		req.args[req.nargs].key = kv;
		req.args[req.nargs++].value = eq ? eq : "";
	}
	req.method = "GET";
	req.path = "/api/v1/history";
	req.body = "";
	req.local = true;
	pg_api_handle(f->api, &req, &resp);
	*out = json_tokener_parse(resp.body);
	if (!resp.body_static)
		free(resp.body);
	return resp.status;
}

static struct json_object *jget(struct json_object *o, const char *k)
{
	struct json_object *v = NULL;

	json_object_object_get_ex(o, k, &v);
	return v;
}

/* A transfer of 1000 bytes a second: every rate 1000, last the counter. */
static void test_api_rates(void **state)
{
	struct api_fx *f = api_fx();
	struct json_object *o, *s, *vals;
	uint64_t *row = calloc(f->h.cols, sizeof(*row));
	char q[128];
	static const char *const bad[] = {
		"step=2",	 "step=",	   "seconds=0",	       "seconds=3601",
		"seconds=-1",	 "seconds=1x",	   "series=bogus",     "series=",
		"series=flows,", "series=flows,,flows", "step=1&step=1", "step=60&seconds=59",
	};

	(void)state;
	assert_non_null(row);
	snprintf(q, sizeof(q), "seconds=5");
	assert_int_equal(get(f, q, &o), 200);
	assert_int_equal(json_object_array_length(jget(o, "t_ms")), 0);
	json_object_put(o);
	for (uint64_t i = 0; i < 20; i++) {
		row[PG_HC_WAN_RX_BYTES] = 50000 + i * 1000;
		row[PG_HC_FLOWS] = i;
		pg_history_add(&f->h, 1000 + i * 1000, row);
	}
	snprintf(q, sizeof(q), "seconds=5&series=wan.rx_bytes,flows");
	assert_int_equal(get(f, q, &o), 200);
	s = jget(o, "series");
	assert_int_equal(json_object_object_length(s), 2);
	vals = jget(jget(s, "wan.rx_bytes"), "values");
	assert_int_equal(json_object_array_length(vals), 5);
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(json_object_get_int64(json_object_array_get_idx(vals, i)), 1000);
	assert_int_equal(json_object_get_int64(jget(jget(s, "wan.rx_bytes"), "last")), 69000);
	assert_string_equal(json_object_get_string(jget(jget(s, "flows"), "kind")), "gauge");
	assert_int_equal(json_object_get_int64(json_object_array_get_idx(
				 jget(jget(s, "flows"), "values"), 4)),
			 19);
	assert_int_equal(json_object_array_length(jget(o, "t_ms")), 5);
	json_object_put(o);
	/* A window longer than what is held: every row, the first without a rate. */
	snprintf(q, sizeof(q), "seconds=3600&series=wan.rx_bytes");
	assert_int_equal(get(f, q, &o), 200);
	vals = jget(jget(jget(o, "series"), "wan.rx_bytes"), "values");
	assert_int_equal(json_object_array_length(vals), 20);
	assert_null(json_object_array_get_idx(vals, 0));
	json_object_put(o);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(q, sizeof(q), "%s", bad[i]);
		if (get(f, q, &o) != 400)
			fail_msg("history?%s was not refused", bad[i]);
		json_object_put(o);
	}
	snprintf(q, sizeof(q), "step=60&seconds=86400");
	assert_int_equal(get(f, q, &o), 200);
	json_object_put(o);
	free(row);
	api_fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring),
		cmocka_unit_test(test_row),
		cmocka_unit_test(test_api_rates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
