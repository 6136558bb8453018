/* SPDX-License-Identifier: MIT */
/*
 * test_fastpath.c - the batch fast path (src/engine/fastpath.c) changes
 * nothing but speed: the same packets, in the same batches at the same
 * times, through one engine with it and one without, give the same bytes,
 * verdicts, drop reasons, next hops, counters and flows, packet for packet.
 *
 * The streams mix what the fast path takes (established UDP and TCP both
 * ways) with everything it must leave alone yet looks close: SYNs, RSTs and
 * FINs, TTL 1 and 2, IP options, bad IP and transport checksums, UDP without
 * checksum, fragments, packets over the MTU with and without DF, ports the
 * IPsec and L2TP helpers own, inbound packets nobody asked for, packets to
 * the gateway, flows created and expired between batches and used again
 * within the batch that created them.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../lib/fixture.h"

#define NPKTS 6000
#define MAX_BATCH 150 /* more than one fast-path chunk */

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
	return pgt_rand(&rng_state, n);
}

static const char *const lan_hosts[] = {"192.168.1.10", "192.168.1.11", "192.168.1.12",
					"192.168.1.13"};
static const char *const servers[] = {"203.0.113.1", "203.0.113.2", "203.0.113.3",
				      "198.51.100.7"};
static const uint16_t lan_ports[] = {40000, 40001, 40002, 500, 1701};
static const uint16_t srv_ports[] = {53, 80, 443, 4500, 1701};
static const uint8_t tcp_flag_sets[] = {
	PGT_SYN,	   PGT_SYN | PGT_ACK, PGT_ACK, PGT_ACK | PGT_PSH, PGT_ACK,
	PGT_ACK | PGT_PSH, PGT_FIN | PGT_ACK, PGT_RST, PGT_ACK,		 PGT_RST | PGT_ACK};
static const uint8_t nops[] = {1, 1, 1, 1};

/* One pseudo-random packet; mostly traffic of a few flows, sometimes odd. */
static void make_packet(struct pgt_pkt *p)
{
	struct pgt_spec s = {0};
	bool lan = rnd(2) == 0;
	uint32_t odd = rnd(100);
	uint16_t lport = lan_ports[rnd(4) == 0 ? rnd(5) : rnd(3)];
	uint16_t sport = srv_ports[rnd(4) == 0 ? rnd(5) : rnd(3)];

	s.proto = rnd(3) == 0 ? PGT_P_TCP : PGT_P_UDP;
	if (lan) {
		s.src = lan_hosts[rnd(4)];
		s.dst = odd == 0 ? PGT_LAN_ADDR : odd == 1 ? PGT_WAN_ADDR
			: odd == 13 ? "10.9.0.5" /* a host route */
				    : servers[rnd(4)];
		if (odd == 12)
			s.src = PGT_WAN_ADDR; /* the host stack's own connection */
		s.sport = lport;
		s.dport = sport;
	} else {
		s.src = odd == 0 ? "192.168.1.10" : servers[rnd(4)];
		s.dst = odd == 1 ? "198.51.100.9" : PGT_WAN_ADDR;
		s.sport = sport;
		s.dport = odd == 2 ? 33333 : lport;
	}
	if (s.proto == PGT_P_TCP) {
		s.tcp_flags = tcp_flag_sets[rnd(sizeof(tcp_flag_sets))];
		s.seq = rnd(1000000);
		s.ack = rnd(1000000);
	}
	s.ttl = odd == 3 ? 1 : odd == 4 ? 2 : 64;
	s.paylen = (uint16_t)(odd == 5 || odd == 6 ? 1473 : rnd(40));
	s.frag = odd == 6 || rnd(2) ? PGT_IP_DF : 0;
	if (odd == 7)
		s.frag = PGT_IP_MF;
	else if (odd == 8)
		s.frag = 8; /* a later fragment: offset 64 */
	if (odd == 9) {
		s.ip_opts = nops;
		s.ip_optlen = sizeof(nops);
	}
	s.csum = odd == 10 ? PGT_CSUM_IP_BAD
		 : odd == 11 ? PGT_CSUM_L4_BAD
		 : odd < 20 && s.proto == PGT_P_UDP ? PGT_CSUM_L4_ZERO
						  : PGT_CSUM_OK;
	memset(p, 0, sizeof(*p));
	p->len = pgt_build(&s, NULL, p->buf, sizeof(p->buf), NULL);
	p->side = lan ? (odd == 12 ? PG_SIDE_HOST : PG_SIDE_LAN) : PG_SIDE_WAN;
	assert_true(p->len > 0);
}

static void compare_stream(uint64_t seed, uint32_t max_flows)
{
	struct pg_engine_config cfg;
	struct pg_engine *fast, *full;
	static struct pgt_pkt a[MAX_BATCH], b[MAX_BATCH];
	uint64_t now = 1000000;
	char err[256];
	unsigned int done = 0;

	rng_state = seed;
	pgt_config(&cfg);
	cfg.max_flows = max_flows;
	cfg.refuse = PG_REFUSE_PORT_UNREACHABLE;
	/* The gateway's own services (local.c): a port open to the host, a host route. */
	cfg.forwards[0] = (struct pg_port_forward){.proto = PGT_P_UDP, .wan_lo = 40002,
						    .wan_hi = 40002, .lan_lo = 40002,
						    .lan_hi = 40002,
						    .host = htonl(pgt_addr(PGT_WAN_ADDR))};
	cfg.nforwards = 1;
	cfg.host_routes[0] = (struct pg_host_route){htonl(pgt_addr("10.9.0.0")), 24};
	cfg.nhost_routes = 1;
	fast = pgt_engine_new(&cfg);
	full = pgt_engine_new(&cfg);
	assert_non_null(fast);
	assert_non_null(full);
	pg_engine_set_fast_path(full, false);

	while (done < NPKTS) {
		unsigned int n = 1 + rnd(MAX_BATCH), i;

		for (i = 0; i < n; i++)
			make_packet(&a[i]);
		memcpy(b, a, n * sizeof(a[0]));
		assert_int_equal(pgt_run(fast, a, n, now, err, sizeof(err)), 0);
		assert_int_equal(pgt_run(full, b, n, now, err, sizeof(err)), 0);
		for (i = 0; i < n; i++) {
			if (a[i].verdict != b[i].verdict || a[i].drop_reason != b[i].drop_reason ||
			    a[i].len != b[i].len || a[i].next_hop != b[i].next_hop ||
			    memcmp(a[i].buf, b[i].buf, a[i].len)) {
				char da[160], db[160];

				pgt_describe(a[i].buf, a[i].len, da, sizeof(da));
				pgt_describe(b[i].buf, b[i].len, db, sizeof(db));
				fail_msg("packet %u: fast %s %s (%s), full %s %s (%s)", done + i,
					 pgt_verdict_name(a[i].verdict),
					 pgt_counter(a[i].drop_reason), da,
					 pgt_verdict_name(b[i].verdict),
					 pgt_counter(b[i].drop_reason), db);
			}
		}
		done += n;
		/* Mostly moments apart; now and then long enough for UDP flows to expire. */
		now += rnd(50) == 0 ? 301000 : rnd(3000);
	}
	assert_memory_equal(pg_engine_counters(fast), pg_engine_counters(full),
			    PG_CNT__COUNT * sizeof(uint64_t));
	assert_int_equal(pg_engine_flow_count(fast), pg_engine_flow_count(full));
	/* The stream must have exercised the fast path, or it proves nothing. */
	assert_true(pg_engine_counters(fast)[PG_CNT_TX_WAN] > NPKTS / 10);
	assert_true(pg_engine_counters(fast)[PG_CNT_TX_LAN] > NPKTS / 20);
	pg_engine_destroy(fast);
	pg_engine_destroy(full);
}

static void test_same_as_full_path(void **state)
{
	(void)state;
	compare_stream(0x9e3779b97f4a7c15ULL, 4096);
	compare_stream(0x0123456789abcdefULL, 4096);
}

/* The smallest table, another stream. */
static void test_same_as_full_path_small_table(void **state)
{
	(void)state;
	compare_stream(0x5555aaaa5555aaaaULL, 1024);
}

/*
 * A TCP segment cut to 8 bytes in a buffer that ends with it: the header
 * checks must come before any read of the data offset or flags (the fuzzer
 * found the fast path reading past such a buffer). Dropped as a bad header.
 */
static void test_short_tcp_not_read_past(void **state)
{
	struct pg_engine_config cfg;
	struct pg_engine *e;
	static struct pgt_pkt p;
	struct pgt_spec s = {.proto = PGT_P_UDP, .src = "192.168.1.10", .sport = 40000,
			     .dst = "203.0.113.1", .dport = 80};
	char err[256];
	uint16_t sum;

	(void)state;
	pgt_config(&cfg);
	e = pgt_engine_new(&cfg);
	assert_non_null(e);
	p.len = pgt_build(&s, NULL, p.buf, sizeof(p.buf), NULL);
	assert_int_equal(p.len, 28);
	p.buf[9] = PGT_P_TCP;
	p.buf[10] = p.buf[11] = 0;
	sum = pgt_cksum(p.buf, 20, 0);
	pgt_put16(p.buf + 10, sum);
	p.cap = p.len; /* the buffer ends where the packet does */
	p.side = PG_SIDE_LAN;
	assert_int_equal(pgt_run(e, &p, 1, 1000, err, sizeof(err)), 0);
	assert_int_equal(p.verdict, PG_VERDICT_DROP);
	assert_int_equal(p.drop_reason, PG_CNT_DROP_L4_HDR);
	pg_engine_destroy(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_as_full_path),
		cmocka_unit_test(test_same_as_full_path_small_table),
		cmocka_unit_test(test_short_tcp_not_read_past),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
