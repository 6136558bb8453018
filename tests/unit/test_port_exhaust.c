/* SPDX-License-Identifier: MIT */
/*
 * test_port_exhaust.c - what happens when the public ports run out (issue 9):
 * established flows keep translating, the next new flow is refused and
 * counted as drop_ports_exhausted without leaving anything behind (no flow,
 * no mapping, no eviction), a socket that already has a mapping still opens
 * flows, the other parity still has room, and a port freed by a timeout or
 * a reload is taken by the next new flow. The per-class free-port counts
 * that make the refusal O(1) are checked against the bitmaps at each step.
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

#define EVEN_HIGH 32256u /* even ports in 1024..65534 */
#define RESERVED_EVEN 500u /* even ports in the forward 6000..6999 */
#define FILL_T_MS (PGT_T0_MS + 100000) /* the fill comes 100 s after flow X */

static struct pgt_ctx g_ctx;
static struct pgt_pkt *g_pkt;

/* The n-th test host: 192.168.2.1 onwards, 250 to a /24. */
static const char *host(unsigned int n)
{
	static char buf[32];

	snprintf(buf, sizeof(buf), "192.168.%u.%u", 2 + n / 250, 1 + n % 250);
	return buf;
}

/* Run one UDP packet; its verdict (the packet stays in g_pkt). */
static unsigned int udp(const char *src, uint16_t sport, const char *dst, uint16_t dport,
			int side, uint64_t t_ms)
{
	struct pgt_spec s = PGT_UDP(src, sport, dst, dport, 4);
	char err[512];

	memset(g_pkt, 0, offsetof(struct pgt_pkt, len));
	g_pkt->len = pgt_build(&s, NULL, g_pkt->buf, PGT_BUF, NULL);
	g_pkt->cap = 0;
	g_pkt->side = (uint8_t)side;
	if (pgt_run(g_ctx.e, g_pkt, 1, t_ms, err, sizeof(err)))
		fail_msg("%s", err);
	return g_pkt->verdict;
}

/* Translated UDP source port of g_pkt. */
static uint16_t out_sport(void)
{
	return pgt_get16(g_pkt->buf + 20);
}

static void expect(unsigned int verdict, unsigned int want, const char *what)
{
	if (verdict != want)
		fail_msg("%s: %s (%s), want %s", what, pgt_verdict_name(verdict),
			 pgt_counter(g_pkt->drop_reason), pgt_verdict_name(want));
	if (want == DROP && g_pkt->drop_reason != PG_CNT_DROP_PORTS_EXHAUSTED)
		fail_msg("%s: dropped as %s, want drop_ports_exhausted", what,
			 pgt_counter(g_pkt->drop_reason));
}

/* Flow X (host 0, port 5000 kept) at T0, then hosts 1..n-1 on port 5000. */
static uint16_t fill(unsigned int n)
{
	uint16_t first = 0;

	expect(udp(host(0), 5000, S1, 53, LAN, PGT_T0_MS), TO_WAN, "flow X");
	if (out_sport() != 5000)
		fail_msg("flow X: public port %u, want 5000 kept", out_sport());
	for (unsigned int i = 1; i < n; i++) {
		if (udp(host(i), 5000, S1, 53, LAN, FILL_T_MS) != TO_WAN)
			fail_msg("host %u: %s (%s) with %u mappings made", i,
				 pgt_verdict_name(g_pkt->verdict), pgt_counter(g_pkt->drop_reason), i);
		if (out_sport() & 1 || out_sport() < 1024)
			fail_msg("host %u: public port %u (odd or low)", i, out_sport());
		if (i == 1)
			first = out_sport();
	}
	if (!pg_nat_counts_valid(g_ctx.e))
		fail_msg("free-port counts differ from the bitmaps after the fill");
	return first;
}

/* What a refused packet may not change. */
struct snapshot {
	uint64_t created, mappings, evicted, exhausted;
	uint32_t flows;
};

static void snap(struct snapshot *s)
{
	const uint64_t *c = pg_engine_counters(g_ctx.e);

	s->created = c[PG_CNT_FLOW_CREATED];
	s->mappings = c[PG_CNT_MAPPING_CREATED];
	s->evicted = c[PG_CNT_FLOW_EVICTED];
	s->exhausted = c[PG_CNT_DROP_PORTS_EXHAUSTED];
	s->flows = pg_engine_flow_count(g_ctx.e);
}

static void expect_refused_cleanly(const char *src, uint64_t t_ms, const char *what)
{
	struct snapshot a, b;

	snap(&a);
	expect(udp(src, 5000, S1, 53, LAN, t_ms), DROP, what);
	snap(&b);
	if (b.exhausted != a.exhausted + 1)
		fail_msg("%s: drop_ports_exhausted %llu -> %llu", what,
			 (unsigned long long)a.exhausted, (unsigned long long)b.exhausted);
	if (b.created != a.created || b.mappings != a.mappings || b.evicted != a.evicted ||
	    b.flows != a.flows)
		fail_msg("%s: left state behind: flows %u -> %u, created +%llu, mappings +%llu, "
			 "evicted +%llu",
			 what, a.flows, b.flows, (unsigned long long)(b.created - a.created),
			 (unsigned long long)(b.mappings - a.mappings),
			 (unsigned long long)(b.evicted - a.evicted));
}

/* LAN 192.168.0.0/16, room for every flow, UDP 6000-6999 forwarded to H10. */
static void roomy(struct pg_engine_config *c)
{
	struct pg_port_forward *r = &c->forwards[c->nforwards++];

	c->lan_prefix = 16;
	c->max_flows = 65536;
	r->proto = PGT_P_UDP;
	r->wan_lo = r->lan_lo = 6000;
	r->wan_hi = r->lan_hi = 6999;
	r->host = htonl(pgt_addr(H10));
}

/* The table holds exactly as many flows as there are even ports. */
static void tight(struct pg_engine_config *c)
{
	c->lan_prefix = 16;
	c->max_flows = EVEN_HIGH;
}

static void test_refused_then_freed(void **state)
{
	unsigned int n = EVEN_HIGH - RESERVED_EVEN, next = n;
	struct pg_engine_config cfg;
	uint16_t pub1;
	uint64_t t = FILL_T_MS + 1000;

	(void)state;
	assert_int_equal(pgt_ctx_init(&g_ctx, roomy), 0);
	/* Forwarded ports are never mapped: they do not count as free. */
	pub1 = fill(n);
	expect_refused_cleanly(host(next++), t, "new flow with no even port left");

	expect(udp(S1, 53, WANA, pub1, WAN, t), TO_LAN, "established flow's reply");
	expect(udp(host(1), 5000, S1, 53, LAN, t), TO_WAN, "established flow, outbound");
	if (out_sport() != pub1)
		fail_msg("established flow: port %u, want %u", out_sport(), pub1);
	expect(udp(host(1), 5000, S2, 53, LAN, t), TO_WAN, "mapped socket, new server");
	if (out_sport() != pub1)
		fail_msg("mapped socket, new server: port %u, want its mapping's %u", out_sport(),
			 pub1);
	expect(udp(host(next++), 5001, S1, 53, LAN, t), TO_WAN, "odd LAN port: other parity");

	/* Flow X times out (300 s from T0; the fill lives until T0 + 400 s). */
	t = PGT_T0_MS + 301000;
	expect(udp(host(next++), 5000, S1, 53, LAN, t), TO_WAN, "new flow after X expired");
	if (out_sport() != 5000)
		fail_msg("new flow after X expired: port %u, want X's 5000", out_sport());
	expect_refused_cleanly(host(next++), t, "the one after it");

	/* A reload without the forward frees its 500 even ports for mappings. */
	cfg = g_ctx.cfg;
	cfg.nforwards = 0;
	assert_int_equal(pg_engine_reconfigure(g_ctx.e, &cfg), 0);
	if (!pg_nat_counts_valid(g_ctx.e))
		fail_msg("free-port counts differ from the bitmaps after the reload");
	expect(udp(host(next++), 5000, S1, 53, LAN, t), TO_WAN, "new flow after the reload");
	if (out_sport() < 6000 || out_sport() > 6999)
		fail_msg("new flow after the reload: port %u, want one of 6000-6999", out_sport());
	assert_int_equal(pg_engine_counters(g_ctx.e)[PG_CNT_DROP_PORTS_EXHAUSTED], 2);
	if (!pg_nat_counts_valid(g_ctx.e))
		fail_msg("free-port counts differ from the bitmaps at the end");
}

/*
 * Ports and flow table full at once: the refused flow must not evict flow X
 * (due soonest) on its way to finding no port; before the refusal came ahead
 * of making room it did, and took X's port.
 */
static void test_full_table_not_evicted(void **state)
{
	uint16_t pub1;
	uint64_t t = FILL_T_MS + 1000;

	(void)state;
	assert_int_equal(pgt_ctx_init(&g_ctx, tight), 0);
	pub1 = fill(EVEN_HIGH);
	assert_int_equal(pg_engine_flow_count(g_ctx.e), EVEN_HIGH);
	expect_refused_cleanly(host(EVEN_HIGH), t, "new flow, ports and table full");
	expect(udp(S1, 53, WANA, 5000, WAN, t), TO_LAN, "flow X still there");
	expect(udp(S1, 53, WANA, pub1, WAN, t), TO_LAN, "established flow's reply");
}

/* Engine and packet buffer, torn down by cmocka even when a test fails. */
static int setup(void **state)
{
	(void)state;
	g_pkt = test_malloc(sizeof(*g_pkt));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	pgt_ctx_fini(&g_ctx);
	test_free(g_pkt);
	return 0;
}

int main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test_setup_teardown(test_refused_then_freed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_table_not_evicted, setup, teardown),
	};

	return cmocka_run_group_tests_name("port_exhaust", t, NULL, NULL);
}
