/* SPDX-License-Identifier: MIT */
/*
 * test_flow_entry.c - what the 72-byte flow entry gives up to be small and
 * must not get wrong: 40-bit byte counters that carry past 4 GiB (the flow
 * listing shows the whole count), and the public address the WAN-side keys
 * are rebuilt on, which pg_engine_reconfigure() must refuse to change.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../lib/rows.h"
#include "engine/engine_internal.h"

static struct pgt_ctx g_ctx;

static int ctx_teardown(void **state)
{
	(void)state;
	pgt_ctx_fini(&g_ctx);
	return 0;
}

/* Send one packet built from s at t seconds; its verdict, and its length in *len. */
static uint8_t send_at(struct pgt_ctx *ctx, const struct pgt_spec *s, uint8_t side, uint32_t t,
		       uint32_t *len)
{
	return pgt_cm_send_at(ctx, s, side, t, NULL, len);
}

/* The carry out of the low 32 bits reaches bytes_hi; 2^40 wraps to 0. */
static void test_byte_counter_carry(void **state)
{
	struct pg_flow f;

	(void)state;
	memset(&f, 0, sizeof(f));
	f.bytes_lo[PG_DIR_IN] = 0xffffff00u;
	pg_flow_count(&f, PG_DIR_IN, 0x200);
	assert_int_equal(pg_flow_bytes(&f, PG_DIR_IN), 0x100000100ull);
	assert_int_equal(f.pkts[PG_DIR_IN], 1);
	assert_int_equal(pg_flow_bytes(&f, PG_DIR_OUT), 0);
	f.bytes_hi[PG_DIR_OUT] = 0xff;
	f.bytes_lo[PG_DIR_OUT] = 0xffffffffu;
	assert_int_equal(pg_flow_bytes(&f, PG_DIR_OUT), (1ull << 40) - 1);
	pg_flow_count(&f, PG_DIR_OUT, 1);
	assert_int_equal(pg_flow_bytes(&f, PG_DIR_OUT), 0);
}

/* A flow past 4 GiB each way is listed with its whole byte count. */
static void test_listing_past_4gib(void **state)
{
	struct pgt_ctx *ctxp = &g_ctx;
	struct pgt_spec s = PGT_UDP(H10, 5000, PGT_S1, 53, 10);
	struct pg_flow_info info;
	uint32_t cursor = 0, i, len;

	(void)state;
	assert_int_equal(pgt_ctx_init(ctxp, NULL), 0);
	assert_int_equal(send_at(ctxp, &s, LAN, 0, &len), TO_WAN);
	for (i = 0; i < ctxp->e->pool_size && !ctxp->e->flows[i].key.kind; i++)
		;
	assert_true(i < ctxp->e->pool_size);
	/* 5 GiB already counted, as if it had been sent. */
	ctxp->e->flows[i].bytes_hi[PG_DIR_OUT] = 1;
	ctxp->e->flows[i].bytes_lo[PG_DIR_OUT] = 0x40000000u - len;
	assert_int_equal(send_at(ctxp, &s, LAN, 1, &len), TO_WAN);
	assert_int_equal(pg_engine_flows(ctxp->e, NULL, &cursor, &info, 1, ctxp->t0_ms + 1000), 1);
	assert_int_equal(info.bytes[0], 5ull << 30);
	assert_int_equal(info.pkts[0], 2);
	assert_int_equal(info.pkts[1], 0);
}

/*
 * Flows rebuild their WAN keys on the public address: a new one (a DHCP
 * WAN's lease) is taken, but only after every flow is ended, so no entry
 * keeps a key on an address the gateway no longer has (test_wan_change.c
 * has the packets).
 */
static void test_reconfigure_new_wan_ends_flows(void **state)
{
	struct pgt_ctx *ctxp = &g_ctx;
	struct pg_engine_config cfg;

	(void)state;
	assert_int_equal(pgt_ctx_init(ctxp, NULL), 0);
	cfg = ctxp->cfg;
	cfg.wan_addr ^= htonl(1);
	assert_int_equal(pg_engine_reconfigure(ctxp->e, &cfg), 0);
	assert_int_equal(pg_engine_flow_count(ctxp->e), 0);
	cfg = ctxp->cfg;
	cfg.filtering = PG_FILTER_ENDPOINT_INDEPENDENT;
	assert_int_equal(pg_engine_reconfigure(ctxp->e, &cfg), 0);
}

int main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test(test_byte_counter_carry),
		cmocka_unit_test_teardown(test_listing_past_4gib, ctx_teardown),
		cmocka_unit_test_teardown(test_reconfigure_new_wan_ends_flows, ctx_teardown),
	};

	return cmocka_run_group_tests_name("flow_entry", t, NULL, NULL);
}
