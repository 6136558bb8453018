/* SPDX-License-Identifier: MIT */
/*
 * test_overload.c - the data path's early drop when it falls behind
 * (src/dp/overload.c): nothing is dropped while the ring's backlog is low;
 * while it stays high the drop rate rises, only frames of heavy flows are
 * dropped (a flow with one frame per burst, ARP, never), every buffer stays
 * owned exactly once; the rate falls back once the backlog is gone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dp/overload.h"

#define N 64

static uint8_t bufs[N][PG_FRAME_SIZE];

/* A burst: frame 0 is ARP, frame 1 a light UDP flow, the rest 4 bulk TCP flows. */
static void burst(struct pg_rx_frame *f)
{
	for (unsigned int i = 0; i < N; i++) {
		uint8_t *e = bufs[i] + PG_FRAME_ETH_OFF, *ip = e + 14;

		memset(bufs[i], 0, sizeof(bufs[i]));
		f[i].buf = bufs[i];
		f[i].len = 14 + 20 + 20;
		f[i].flags = 0;
		e[12] = 0x08;
		e[13] = i == 0 ? 0x06 : 0x00;
		ip[0] = 0x45;
		ip[9] = i == 1 ? 17 : 6;
		ip[12] = 192, ip[13] = 168, ip[14] = 1, ip[15] = i == 1 ? 10 : 11;
		ip[16] = 203, ip[17] = 0, ip[18] = 113, ip[19] = 10;
		ip[20] = 0x80;
		ip[21] = (uint8_t)(i == 1 ? 99 : i % 4); /* source port: the flow */
		bufs[i][0] = (uint8_t)i;		 /* which frame this buffer holds */
	}
}

/* Kept frames: buffers all distinct and from this burst; the ARP and light frames kept. */
static void check_kept(const struct pg_rx_frame *f, unsigned int kept)
{
	bool seen[N] = { false }, arp = false, light = false;

	for (unsigned int i = 0; i < N; i++) {
		unsigned int id = f[i].buf[0];

		assert_true(id < N);
		assert_false(seen[id]); /* every buffer once, kept or not */
		seen[id] = true;
		if (i < kept && id == 0)
			arp = true;
		if (i < kept && id == 1)
			light = true;
	}
	assert_true(arp);
	assert_true(light);
}

static void test_no_drop_when_keeping_up(void **state)
{
	struct pg_overload o = { 0 };
	struct pg_rx_frame f[N];

	(void)state;
	for (int pass = 0; pass < 1000; pass++) {
		burst(f);
		assert_int_equal(pg_overload_filter(&o, f, N, PG_OVERLOAD_LOW - 1), N);
		/* Between the marks the rate holds (here: at zero). */
		burst(f);
		assert_int_equal(pg_overload_filter(&o, f, N, PG_OVERLOAD_HIGH - 1), N);
	}
	assert_int_equal(o.dropped, 0);
}

static void test_drops_heavy_only_then_recovers(void **state)
{
	struct pg_overload o = { 0 };
	struct pg_rx_frame f[N];
	unsigned int kept = N;
	uint64_t before;

	(void)state;
	for (int pass = 0; pass < 200; pass++) {
		burst(f);
		kept = pg_overload_filter(&o, f, N, PG_OVERLOAD_HIGH);
		check_kept(f, kept);
	}
	assert_true(o.dropped > 0);
	assert_true(kept < N);
	/* Behind for long: at most the heavy flows' frames go, never the ARP or the light one. */
	assert_true(kept >= 2);
	before = o.dropped;
	/* The backlog drains: the rate falls back to zero within a bounded number of passes. */
	for (int pass = 0; pass < 4096 / PG_OVERLOAD_STEP + 1; pass++) {
		burst(f);
		pg_overload_filter(&o, f, N, 0);
	}
	assert_int_equal(o.p, 0);
	before = o.dropped;
	burst(f);
	assert_int_equal(pg_overload_filter(&o, f, N, 0), N);
	assert_int_equal(o.dropped, before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_drop_when_keeping_up),
		cmocka_unit_test(test_drops_heavy_only_then_recovers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
