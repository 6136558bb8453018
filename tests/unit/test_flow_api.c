/* SPDX-License-Identifier: MIT */
/*
 * test_flow_api.c - the engine API around the flow table: configuration
 * checks, memory sizing, reconfiguration between batches, and batches that
 * carry several packets of one new flow (a batched data path must still make
 * one flow, not one per packet).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../lib/scenario.h"

#define N_BATCH 8

static struct pgt_ctx g_ctx;

static int ctx_teardown(void **state)
{
	(void)state;
	pgt_ctx_fini(&g_ctx);
	return 0;
}

static void must_refuse(const struct pg_engine_config *cfg, const char *what)
{
	const char *why = NULL;

	if (pg_engine_config_validate(cfg, &why) == 0)
		fail_msg("configuration with %s accepted", what);
	if (!why || !*why)
		fail_msg("configuration with %s refused without a reason", what);
}

/* The limits docs/CONFIG.md promises are enforced by the engine too. */
static void test_config_validate(void **state)
{
	struct pg_engine_config cfg, c;
	const char *why = NULL;

	(void)state;
	pgt_config(&cfg);
	assert_int_equal(pg_engine_config_validate(&cfg, &why), 0);

	c = cfg;
	c.max_flows = 1023;
	must_refuse(&c, "max_flows 1023");
	c = cfg;
	c.max_flows = (1u << 24) + 1;
	must_refuse(&c, "max_flows 2^24 + 1");
	c = cfg;
	c.timeouts.tcp_established = 7439;
	must_refuse(&c, "tcp_established 7439 s (RFC 5382: 2h4m)");
	c = cfg;
	c.timeouts.tcp_transitory = 239;
	must_refuse(&c, "tcp_transitory 239 s (RFC 5382: 4m)");
	c = cfg;
	c.timeouts.udp = 119;
	must_refuse(&c, "udp 119 s (RFC 4787: 2m)");
	c = cfg;
	c.timeouts.icmp = 59;
	must_refuse(&c, "icmp 59 s (RFC 5508: 60 s)");
	c = cfg;
	c.filtering = (enum pg_filtering)7;
	must_refuse(&c, "an unknown filtering mode");
	c = cfg;
	c.lan_addr = 0;
	must_refuse(&c, "no LAN address");

	/* The documented defaults (docs/CONFIG.md). */
	pg_engine_config_defaults(&c);
	assert_int_equal(c.filtering, PG_FILTER_ADDRESS_DEPENDENT);
	assert_int_equal(c.timeouts.tcp_established, 7440);
	assert_int_equal(c.timeouts.tcp_transitory, 240);
	assert_int_equal(c.timeouts.tcp_time_wait, 240);
	assert_int_equal(c.timeouts.udp, 300);
	assert_int_equal(c.timeouts.icmp, 60);
	assert_int_equal(c.timeouts.gre, 7440);
	assert_int_equal(c.timeouts.esp, 1800);
	assert_int_equal(c.timeouts.other, 600);
	assert_int_equal(c.max_flows, 1048576);
	assert_int_equal(c.max_flows_per_host, 16384);
	assert_int_equal(c.icmp_error_rate, 100);
	assert_int_equal(c.icmp_error_burst, 50);
}

/* Memory is fixed by max_flows and grows with it. */
static void test_memory_size(void **state)
{
	struct pg_engine_config cfg;
	size_t small, big, per;

	(void)state;
	pgt_config(&cfg);
	cfg.max_flows = 1024;
	small = pg_engine_memory_size(&cfg);
	per = pg_engine_bytes_per_flow(&cfg);
	cfg.max_flows = 65536;
	big = pg_engine_memory_size(&cfg);
	assert_true(per > 0);
	assert_true(small >= per * 1024);
	assert_true(big > small);
	assert_true(big >= pg_engine_bytes_per_flow(&cfg) * 65536);
}

static uint8_t run_one(const struct pgt_spec *s, uint8_t side, uint32_t t, uint8_t *out,
		       uint32_t *outlen)
{
	struct pgt_pkt *p = test_malloc(sizeof(*p));
	char err[512];
	uint8_t v;

	memset(p, 0, offsetof(struct pgt_pkt, len));
	p->len = pgt_build(s, NULL, p->buf, PGT_BUF, NULL);
	p->side = side;
	if (pgt_run(g_ctx.e, p, 1, g_ctx.t0_ms + (uint64_t)t * 1000, err, sizeof(err)))
		fail_msg("%s", err);
	v = p->verdict;
	if (out) {
		memcpy(out, p->buf, p->len);
		*outlen = p->len;
	}
	test_free(p);
	return v;
}

/* Filtering changes with pg_engine_reconfigure(); flows and mappings stay. */
static void test_reconfigure_filtering(void **state)
{
	const struct pgt_spec out = PGT_UDP(PGT_H10, 5000, PGT_S1, 53, 8);
	const struct pgt_spec from_s2 = PGT_UDP(PGT_S2, 53, PGT_WAN_ADDR, 5000, 8);
	const struct pgt_spec from_s1 = PGT_UDP(PGT_S1, 53, PGT_WAN_ADDR, 5000, 8);
	struct pg_engine_config cfg;

	(void)state;
	assert_int_equal(pgt_ctx_init(&g_ctx, NULL), 0);
	assert_int_equal(run_one(&out, PG_SIDE_LAN, 0, NULL, NULL), PG_VERDICT_TO_WAN);
	assert_int_equal(run_one(&from_s2, PG_SIDE_WAN, 1, NULL, NULL), PG_VERDICT_DROP);
	cfg = g_ctx.cfg;
	cfg.filtering = PG_FILTER_ENDPOINT_INDEPENDENT;
	assert_int_equal(pg_engine_reconfigure(g_ctx.e, &cfg), 0);
	assert_int_equal(run_one(&from_s2, PG_SIDE_WAN, 2, NULL, NULL), PG_VERDICT_TO_LAN);
	assert_int_equal(run_one(&from_s1, PG_SIDE_WAN, 2, NULL, NULL), PG_VERDICT_TO_LAN);
	/* An invalid configuration is refused and changes nothing. */
	cfg.timeouts.udp = 1;
	assert_int_not_equal(pg_engine_reconfigure(g_ctx.e, &cfg), 0);
	assert_int_equal(run_one(&from_s1, PG_SIDE_WAN, 3, NULL, NULL), PG_VERDICT_TO_LAN);
	assert_int_equal(pg_engine_flow_count(g_ctx.e), 2);
	pgt_ctx_fini(&g_ctx);
}

/* Eight copies of a new flow's first packet in one batch: one flow, one mapping. */
static void test_batch_one_new_flow(void **state)
{
	const struct pgt_spec s = PGT_UDP(PGT_H10, 5000, PGT_S1, 53, 8);
	struct pgt_pkt *p = test_calloc(N_BATCH, sizeof(*p));
	const uint64_t *cnt;
	uint64_t flows, maps;
	char err[512];
	unsigned int i;

	(void)state;
	assert_int_equal(pgt_ctx_init(&g_ctx, NULL), 0);
	cnt = pg_engine_counters(g_ctx.e);
	flows = cnt[PG_CNT_FLOW_CREATED];
	maps = cnt[PG_CNT_MAPPING_CREATED];
	for (i = 0; i < N_BATCH; i++) {
		p[i].len = pgt_build(&s, NULL, p[i].buf, PGT_BUF, NULL);
		p[i].side = PG_SIDE_LAN;
	}
	if (pgt_run(g_ctx.e, p, N_BATCH, g_ctx.t0_ms, err, sizeof(err)))
		fail_msg("%s", err);
	for (i = 0; i < N_BATCH; i++) {
		assert_int_equal(p[i].verdict, PG_VERDICT_TO_WAN);
		assert_int_equal(p[i].len, p[0].len);
		assert_memory_equal(p[i].buf, p[0].buf, p[0].len);
	}
	assert_int_equal(cnt[PG_CNT_FLOW_CREATED] - flows, 1);
	assert_int_equal(cnt[PG_CNT_MAPPING_CREATED] - maps, 1);
	assert_int_equal(pg_engine_flow_count(g_ctx.e), 1);
	test_free(p);
	pgt_ctx_fini(&g_ctx);
}

/* Two hosts on one inside port in the same batch still get distinct ports. */
static void test_batch_two_hosts_one_port(void **state)
{
	const struct pgt_spec a = PGT_UDP(PGT_H10, 5000, PGT_S1, 53, 8);
	const struct pgt_spec b = PGT_UDP(PGT_H11, 5000, PGT_S1, 53, 8);
	struct pgt_pkt *p = test_calloc(2, sizeof(*p));
	char err[512];

	(void)state;
	assert_int_equal(pgt_ctx_init(&g_ctx, NULL), 0);
	p[0].len = pgt_build(&a, NULL, p[0].buf, PGT_BUF, NULL);
	p[1].len = pgt_build(&b, NULL, p[1].buf, PGT_BUF, NULL);
	if (pgt_run(g_ctx.e, p, 2, g_ctx.t0_ms, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(p[0].verdict, PG_VERDICT_TO_WAN);
	assert_int_equal(p[1].verdict, PG_VERDICT_TO_WAN);
	assert_int_not_equal(pgt_get16(p[0].buf + 20), pgt_get16(p[1].buf + 20));
	test_free(p);
	pgt_ctx_fini(&g_ctx);
}

/* An empty batch is fine; time may stand still between batches. */
static void test_empty_batch(void **state)
{
	const struct pgt_spec s = PGT_UDP(PGT_H10, 5000, PGT_S1, 53, 8);

	(void)state;
	assert_int_equal(pgt_ctx_init(&g_ctx, NULL), 0);
	pg_engine_run(g_ctx.e, NULL, 0, g_ctx.t0_ms);
	assert_int_equal(run_one(&s, PG_SIDE_LAN, 0, NULL, NULL), PG_VERDICT_TO_WAN);
	pg_engine_run(g_ctx.e, NULL, 0, g_ctx.t0_ms);
	pg_engine_tick(g_ctx.e, g_ctx.t0_ms);
	assert_int_equal(pg_engine_flow_count(g_ctx.e), 1);
	pgt_ctx_fini(&g_ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_validate),
		cmocka_unit_test(test_memory_size),
		cmocka_unit_test_teardown(test_reconfigure_filtering, ctx_teardown),
		cmocka_unit_test_teardown(test_batch_one_new_flow, ctx_teardown),
		cmocka_unit_test_teardown(test_batch_two_hosts_one_port, ctx_teardown),
		cmocka_unit_test_teardown(test_empty_batch, ctx_teardown),
	};

	return cmocka_run_group_tests_name("flow_api", tests, NULL, NULL);
}
