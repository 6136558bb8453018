/* SPDX-License-Identifier: MIT */
/*
 * test_observe.c - what the control plane sees: flow pages and filters, VPN
 * sessions with their states, and the log events for IKE, NAT-T, raw ESP
 * and PPTP, with the ring dropping its oldest when nobody reads it; flows
 * cleared by filter (DELETE /api/v1/flows) and made again by traffic.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../lib/fixture.h"
#include "engine/observe.h"

#define T0 1000000ULL

static struct pg_engine *engine(void)
{
	struct pg_engine *e = pgt_engine_default();

	assert_non_null(e);
	return e;
}

static uint8_t send1(struct pg_engine *e, const struct pgt_spec *s, int side, uint64_t t)
{
	uint8_t *buf = malloc(PGT_BUF);
	struct pg_pkt p = {.l3 = buf, .cap = PGT_BUF, .side = (uint8_t)side};

	assert_non_null(buf);
	p.len = pgt_build(s, NULL, buf, PGT_BUF, NULL);
	assert_true(p.len > 0);
	pg_engine_run(e, &p, 1, t);
	free(buf);
	return p.verdict;
}

/* Exactly want flows match f (first ones copied to fi). */
static void n_of(struct pg_engine *e, const struct pg_flow_filter *f, struct pg_flow_info *fi,
		 unsigned int want)
{
	uint32_t cursor = 0;

	assert_int_equal(pg_engine_flows(e, f, &cursor, fi, 8, T0 + 9000), want);
}

static const uint8_t ike_v2[28] = {1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0,
				   33, 0x20, 34, 0x08, 0, 0, 0, 0, 0, 0, 0, 28};
static const uint8_t natt_ike[32] = {0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0,
				     0, 0, 0, 1, 46, 0x20, 35, 0x08, 0, 0, 0, 1, 0, 0, 0, 28};

/* A client doing IKE, NAT-T and raw ESP; another host browsing. */
static void traffic(struct pg_engine *e)
{
	struct pgt_spec ike = {.proto = PGT_P_UDP, .src = PGT_H10, .sport = 500, .dst = PGT_S1,
			       .dport = 500, .payload = ike_v2, .paylen = 28};
	struct pgt_spec natt = {.proto = PGT_P_UDP, .src = PGT_H10, .sport = 4500,
				.dst = PGT_S1, .dport = 4500, .payload = natt_ike, .paylen = 32};
	struct pgt_spec esp_out = {.proto = PGT_P_ESP, .src = PGT_H10, .dst = PGT_S2,
				   .spi = 0xc0de0001, .esp_seq = 1, .paylen = 32};
	struct pgt_spec esp_in = {.proto = PGT_P_ESP, .src = PGT_S2, .dst = PGT_WAN_ADDR,
				  .spi = 0xbeef0002, .esp_seq = 1, .paylen = 32};
	struct pgt_spec web = {.proto = PGT_P_TCP, .src = PGT_H11, .sport = 40000,
			       .dst = PGT_S1, .dport = 443, .tcp_flags = PGT_SYN, .seq = 1};

	assert_int_equal(send1(e, &ike, PG_SIDE_LAN, T0), PG_VERDICT_TO_WAN);
	assert_int_equal(send1(e, &ike, PG_SIDE_LAN, T0), PG_VERDICT_TO_WAN);
	assert_int_equal(send1(e, &natt, PG_SIDE_LAN, T0 + 100), PG_VERDICT_TO_WAN);
	assert_int_equal(send1(e, &esp_out, PG_SIDE_LAN, T0 + 200), PG_VERDICT_TO_WAN);
	assert_int_equal(send1(e, &esp_in, PG_SIDE_WAN, T0 + 300), PG_VERDICT_TO_LAN);
	assert_int_equal(send1(e, &web, PG_SIDE_LAN, T0 + 5000), PG_VERDICT_TO_WAN);
}

static void test_flows_paged_and_filtered(void **state)
{
	struct pg_engine *e = engine();
	struct pg_flow_info fi[8];
	struct pg_flow_filter esp = {.proto = PGT_P_ESP};
	uint32_t cursor = 0;
	unsigned int n, total = 0, pages = 0;

	(void)state;
	traffic(e);
	do {
		n = pg_engine_flows(e, NULL, &cursor, fi, 2, T0 + 9000);
		total += n;
		pages++;
	} while (cursor && pages < 100);
	assert_int_equal(total, 4);
	assert_int_equal(pg_engine_flow_count(e), 4);

	cursor = 0;
	n = pg_engine_flows(e, &esp, &cursor, fi, 8, T0 + 9000);
	assert_int_equal(n, 1);
	assert_int_equal(fi[0].spi_out, 0xc0de0001);
	assert_int_equal(fi[0].spi_in, 0xbeef0002);
	assert_int_equal(fi[0].lan_addr, pgt_addr(PGT_H10));
	assert_int_equal(fi[0].remote_addr, pgt_addr(PGT_S2));
	assert_int_equal(fi[0].pkts[0], 1);
	assert_int_equal(fi[0].pkts[1], 1);
	/* Last packet at 0.3 s, remembered as 1 s (rounded up: never expire early). */
	assert_int_equal(fi[0].idle_s, 8);
	pg_engine_destroy(e);
}

static unsigned int clear(struct pg_engine *e, const struct pg_flow_filter *f)
{
	uint32_t cursor = 0, budget = UINT32_MAX;

	return pg_engine_flows_clear(e, f, &cursor, &budget);
}

/* pfSense's "reset states": by port, public port range, host; counted; made again. */
static void test_flows_clear(void **state)
{
	struct pg_engine *e = engine();
	struct pgt_spec ike = {.proto = PGT_P_UDP, .src = PGT_H10, .sport = 500, .dst = PGT_S1,
			       .dport = 500, .payload = ike_v2, .paylen = 28};
	struct pg_flow_filter by_port = {.port = 500}, natt = {.pub_lo = 4500, .pub_hi = 4500};
	struct pg_flow_filter h11 = {.lan_addr = pgt_addr(PGT_H11)}, none = {.port = 9};
	struct pg_flow_filter range_esp = {.proto = PGT_P_ESP, .pub_lo = 1, .pub_hi = 65535};
	const uint64_t *cnt = pg_engine_counters(e);
	struct pg_flow_info fi[8];
	uint32_t cursor = 0, budget = 1;
	uint64_t created;

	(void)state;
	traffic(e);
	assert_int_equal(pg_engine_flow_count(e), 4);
	assert_int_equal(clear(e, &none), 0);
	/* Raw ESP has no public port: a port range never matches it. */
	assert_int_equal(clear(e, &range_esp), 0);
	assert_int_equal(clear(e, &by_port), 1); /* IKE; NAT-T (4500) stays */
	assert_int_equal(pg_engine_flow_count(e), 3);
	assert_int_equal(cnt[PG_CNT_FLOW_CLEARED], 1);
	n_of(e, &by_port, fi, 0);
	assert_int_equal(clear(e, &natt), 1);
	assert_int_equal(clear(e, &h11), 1);
	assert_int_equal(pg_engine_flow_count(e), 1); /* the ESP flow */
	assert_int_equal(cnt[PG_CNT_FLOW_CLEARED], 3);
	/* The cleared client's next packet makes a new flow. */
	created = cnt[PG_CNT_FLOW_CREATED];
	assert_int_equal(send1(e, &ike, PG_SIDE_LAN, T0 + 6000), PG_VERDICT_TO_WAN);
	assert_int_equal(cnt[PG_CNT_FLOW_CREATED], created + 1);
	n_of(e, &by_port, fi, 1);
	assert_int_equal(fi[0].pkts[0], 1);
	/* A budget of one slot stops early and says where to go on. */
	assert_int_equal(pg_engine_flows_clear(e, &none, &cursor, &budget), 0);
	assert_int_equal(budget, 0);
	assert_int_equal(cursor, 1);
	pg_engine_destroy(e);
}

/* The counts by protocol follow flows in and out of the table. */
static void test_flows_by_protocol(void **state)
{
	struct pg_engine *e = engine();
	uint32_t n[PG_FP__COUNT];

	(void)state;
	traffic(e);
	pg_engine_flows_by_proto(e, n);
	assert_int_equal(n[PG_FP_UDP], 2); /* IKE and NAT-T */
	assert_int_equal(n[PG_FP_ESP], 1);
	assert_int_equal(n[PG_FP_TCP], 1);
	assert_int_equal(n[PG_FP_ICMP] + n[PG_FP_GRE] + n[PG_FP_OTHER], 0);
	assert_string_equal(pg_flow_proto_slot_name(PG_FP_ESP), "esp");
	/* A day later every flow has expired, and every count is back to 0. */
	pg_engine_tick(e, T0 + 86400000ULL);
	assert_int_equal(pg_engine_flow_count(e), 0);
	pg_engine_flows_by_proto(e, n);
	for (unsigned int i = 0; i < PG_FP__COUNT; i++)
		assert_int_equal(n[i], 0);
	pg_engine_destroy(e);
}

static void test_sessions(void **state)
{
	struct pg_engine *e = engine();
	struct pg_vpn_session s[8];
	uint32_t cursor = 0;
	unsigned int n, seen = 0;

	(void)state;
	traffic(e);
	n = pg_engine_vpn_sessions(e, &cursor, s, 8, T0 + 9000);
	assert_int_equal(n, 3); /* IKE, NAT-T, ESP; the TCP flow is no VPN */
	for (unsigned int i = 0; i < n; i++) {
		if (s[i].kind == PG_VPN_IKE) {
			assert_string_equal(s[i].state, "IKE seen");
			assert_int_equal(s[i].pub_port, 500);
			seen |= 1;
		} else if (s[i].kind == PG_VPN_NATT) {
			assert_string_equal(s[i].state, "NAT-T: IKE");
			seen |= 2;
		} else if (s[i].kind == PG_VPN_ESP) {
			assert_string_equal(s[i].state, "ESP established");
			assert_int_equal(s[i].spi_in, 0xbeef0002);
			seen |= 4;
		}
	}
	assert_int_equal(seen, 7);
	pg_engine_destroy(e);
}

static void test_events(void **state)
{
	struct pg_engine *e = engine();
	struct pg_event ev[16];
	char line[200], all[2000] = "";
	unsigned int n;

	(void)state;
	traffic(e);
	n = pg_engine_events(e, ev, 16);
	for (unsigned int i = 0; i < n; i++) {
		pg_event_format(&ev[i], line, sizeof(line));
		strcat(all, line);
		strcat(all, "\n");
	}
	/* Once per flow: the second IKE message tells nothing new. */
	assert_int_equal(n, 5);
	assert_non_null(strstr(all, "ipsec: IKEv2 negotiation seen 192.168.1.10:4500"));
	assert_non_null(strstr(all, "ipsec: IKEv2 negotiation seen 192.168.1.10:500 -> "
				    "203.0.113.1:500 (public port 500)"));
	assert_non_null(strstr(all, "ipsec: NAT-T in use 192.168.1.10:4500"));
	assert_non_null(strstr(all, "ipsec: ESP from 192.168.1.10 to 203.0.113.2, SPI 0xc0de0001"));
	assert_non_null(strstr(all, "ipsec: ESP established 192.168.1.10 <-> 203.0.113.2 "
				    "(SPI out 0xc0de0001, in 0xbeef0002 learnt)"));
	assert_int_equal(pg_engine_events(e, ev, 16), 0);

	/* Idle long enough, IKE and then the ESP pair go, and the logs say so. */
	pg_engine_tick(e, T0 + 300 * 1000);
	pg_engine_tick(e, T0 + 1801 * 1000);
	n = pg_engine_events(e, ev, 16);
	all[0] = 0;
	for (unsigned int i = 0; i < n; i++) {
		pg_event_format(&ev[i], line, sizeof(line));
		strcat(all, line);
		strcat(all, "\n");
	}
	assert_non_null(strstr(all, "ipsec: IKE 192.168.1.10 <-> 203.0.113.1 ended after 300 s idle"));
	assert_non_null(strstr(all, "ipsec: ESP 192.168.1.10 <-> 203.0.113.2 ended after 1800 s idle"));
	pg_engine_destroy(e);
}

static void test_ring_keeps_newest(void **state)
{
	struct pg_engine *e = engine();
	struct pg_event ev[300];
	unsigned int n;

	(void)state;
	for (unsigned int i = 0; i < 300; i++) {
		struct pgt_spec natt = {.proto = PGT_P_UDP, .src = PGT_H10,
					.sport = 10000 + i, .dst = PGT_S1, .dport = 4500,
					.paylen = 8};

		send1(e, &natt, PG_SIDE_LAN, T0);
	}
	n = pg_engine_events(e, ev, 300);
	assert_int_equal(n, 256);
	assert_int_equal(ev[255].client_port, 10299);
	assert_int_equal(pg_engine_counters(e)[PG_CNT_EVENTS_LOST], 44);
	pg_engine_destroy(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flows_paged_and_filtered),
		cmocka_unit_test(test_flows_by_protocol),
		cmocka_unit_test(test_flows_clear),
		cmocka_unit_test(test_sessions),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_ring_keeps_newest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
