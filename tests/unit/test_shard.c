/* SPDX-License-Identifier: MIT */
/*
 * test_shard.c - steering to workers (src/engine/shard.c).
 *
 * Two properties. Every packet of a flow, whichever way it goes, reaches
 * the same worker: the translated outbound packet's answer, ICMP errors
 * quoting either, fragments, hairpinned packets. And a gateway of several
 * engines, each fed what pg_shard_of() gives it, looks to the LAN exactly
 * like one engine when they share their public ports: every packet leaves
 * both the same, byte for byte, in every filtering mode, also strangers'
 * packets and hosts reaching each other through their public mappings.
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
#include "engine/engines.h"
#include "engine/shard.h"

#define NSERVERS 64
#define NHOSTS 8
#define ROUTER "192.0.2.1" /* a router on the path that sends ICMP errors */

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
	return pgt_rand(&rng_state, n);
}

static const char *server(unsigned int i)
{
	return pgt_dotted(pgt_addr("203.0.113.0") + 1 + i % 200 + (i / 200) * 256);
}

static const char *lan_host(unsigned int i)
{
	return pgt_dotted(pgt_addr("192.168.1.10") + i);
}

static unsigned int shard(const struct pg_shard_map *m, const struct pgt_pkt *p)
{
	return pg_shard_of(m, p->buf, p->len, (enum pg_side)p->side);
}

static void build(struct pgt_pkt *p, const struct pgt_spec *s, enum pg_side side)
{
	memset(p, 0, sizeof(*p));
	p->len = pgt_build(s, NULL, p->buf, sizeof(p->buf), NULL);
	p->side = (uint8_t)side;
	assert_true(p->len > 0);
}

/* The answer to a translated outbound packet: addresses and ports swapped. */
static void answer(struct pgt_pkt *in, const struct pgt_pkt *out)
{
	const uint8_t *l4 = pgt_l4(out->buf);
	uint8_t proto = pgt_ip_proto(out->buf);
	struct pgt_spec s = {.proto = proto,
			     .src = pgt_dotted(pgt_ip_dst(out->buf)),
			     .dst = pgt_dotted(pgt_ip_src(out->buf)),
			     .paylen = 12};

	if (proto == PGT_P_TCP || proto == PGT_P_UDP) {
		s.sport = pgt_get16(l4 + 2);
		s.dport = pgt_get16(l4);
		s.tcp_flags = PGT_SYN | PGT_ACK;
		s.ack = pgt_get32(l4 + 4) + 1;
	} else if (proto == PGT_P_ICMP) {
		s.icmp_type = 0; /* echo reply */
		s.icmp_id = pgt_get16(l4 + 4);
		s.icmp_seq = pgt_get16(l4 + 6);
	} else if (proto == PGT_P_GRE) {
		s.gre_ver = 1;
		s.call_id = 7;
	} else {
		s.spi = 0x5000 + pgt_get32(l4);
	}
	build(in, &s, PG_SIDE_WAN);
}

/* An ICMP error about pkt (as it was sent), from whoever it names as sender. */
static void error_about(struct pgt_pkt *err, const struct pgt_pkt *pkt, const char *from,
			enum pg_side side)
{
	struct pgt_spec quoted = {0}, s = {.proto = PGT_P_ICMP, .src = from,
					   .dst = pgt_dotted(pgt_ip_src(pkt->buf)),
					   .icmp_type = 3, .icmp_code = 3};
	const uint8_t *l4 = pgt_l4(pkt->buf);

	quoted.proto = pgt_ip_proto(pkt->buf);
	quoted.src = pgt_dotted(pgt_ip_src(pkt->buf));
	quoted.dst = pgt_dotted(pgt_ip_dst(pkt->buf));
	quoted.sport = pgt_get16(l4);
	quoted.dport = pgt_get16(l4 + 2);
	quoted.tcp_flags = PGT_SYN;
	s.inner = &quoted;
	s.inner_quote = 28;
	build(err, &s, side);
}

/* A fresh outbound packet of one of five protocols, from host h to server srv. */
static void outbound(struct pgt_pkt *p, unsigned int proto_pick, unsigned int h, unsigned int srv,
		     uint16_t frag)
{
	static const uint8_t protos[] = {PGT_P_UDP, PGT_P_TCP, PGT_P_ICMP, PGT_P_GRE, PGT_P_ESP};
	struct pgt_spec s = {.proto = protos[proto_pick % 5],
			     .src = lan_host(h),
			     .dst = server(srv),
			     .sport = 40000 + rnd(4),
			     .dport = 53 + rnd(3),
			     .tcp_flags = PGT_SYN,
			     .seq = rnd(100000),
			     .icmp_type = 8,
			     .icmp_id = 100 + rnd(4),
			     .gre_ver = 1,
			     .call_id = 9,
			     .spi = 0x1000 + srv,
			     .frag = frag,
			     .paylen = 24};

	build(p, &s, PG_SIDE_LAN);
}

static void directions_meet(unsigned int n)
{
	struct pg_shard_map m = {.n = n, .seed = 0x243f6a8885a308d3ULL};
	struct pg_engine *e = pgt_engine_default();
	static struct pgt_pkt out, in, err, frag;
	unsigned int used[PG_SHARDS_MAX] = {0};
	char msg[256];

	assert_non_null(e);
	rng_state = 0x9e3779b97f4a7c15ULL + n;
	for (unsigned int i = 0; i < 400; i++) {
		unsigned int srv = rnd(NSERVERS), h = rnd(NHOSTS), pick = rnd(5), s;

		outbound(&out, pick, h, srv, 0);
		s = shard(&m, &out);
		assert_true(s < n);
		used[s]++;
		/* Later fragments of the same datagram carry no ports. */
		outbound(&frag, pick, h, srv, 8);
		assert_int_equal(shard(&m, &frag), s);
		assert_int_equal(pgt_run(e, &out, 1, 1000 + i, msg, sizeof(msg)), 0);
		/* GRE and ESP by address: one client per server (flow conflict otherwise). */
		if (pick >= 3 && out.drop_reason == PG_CNT_DROP_FLOW_CONFLICT)
			continue;
		if (out.verdict != PG_VERDICT_TO_WAN)
			fail_msg("packet %u (protocol pick %u) not forwarded: %s", i, pick,
				 pgt_counter(out.drop_reason));
		answer(&in, &out);
		assert_int_equal(shard(&m, &in), s);
		if (pick < 2) {
			/* A router on the path about ours; the LAN host about the answer. */
			error_about(&err, &out, ROUTER, PG_SIDE_WAN);
			assert_int_equal(shard(&m, &err), s);
			assert_int_equal(pgt_run(e, &in, 1, 1000 + i, msg, sizeof(msg)), 0);
			if (in.verdict == PG_VERDICT_TO_LAN) {
				error_about(&err, &in, lan_host(h), PG_SIDE_LAN);
				assert_int_equal(shard(&m, &err), s);
			}
		}
	}
	/* Hairpinning: both hosts send to the public address. */
	{
		struct pgt_spec a = {.proto = PGT_P_UDP, .src = PGT_H10, .dst = PGT_WAN_ADDR,
				     .sport = 5000, .dport = 6000};
		struct pgt_spec b = {.proto = PGT_P_UDP, .src = PGT_H11, .dst = PGT_WAN_ADDR,
				     .sport = 6000, .dport = 5000};

		build(&out, &a, PG_SIDE_LAN);
		build(&in, &b, PG_SIDE_LAN);
		assert_int_equal(shard(&m, &out), shard(&m, &in));
	}
	/* The keyed mix spreads servers: no worker idle, none with most of them. */
	for (unsigned int s = 0; s < n; s++) {
		assert_true(used[s] > 400 / n / 2);
		assert_true(used[s] < 400 / n * 2);
	}
	pg_engine_destroy(e);
}

static void test_directions_meet_two(void **state)
{
	(void)state;
	directions_meet(2);
}

static void test_directions_meet_three(void **state)
{
	(void)state;
	directions_meet(3);
}

/* Malformed packets go to worker 0 without being read past their end. */
static void test_malformed_to_worker_zero(void **state)
{
	struct pg_shard_map m = {.n = 4, .seed = 1};
	uint8_t *b = malloc(20);
	uint8_t icmp[36] = {0x45, 0, 0, 36, 0, 0, 0, 0, 64, PGT_P_ICMP};

	(void)state;
	assert_non_null(b);
	memset(b, 0, 20);
	b[0] = 0x45;
	assert_int_equal(pg_shard_of(&m, b, 19, PG_SIDE_LAN), 0);
	b[0] = 0x65; /* version 6 */
	assert_int_equal(pg_shard_of(&m, b, 20, PG_SIDE_LAN), 0);
	b[0] = 0x4f; /* header longer than the packet */
	assert_int_equal(pg_shard_of(&m, b, 20, PG_SIDE_WAN), 0);
	b[0] = 0x44; /* header shorter than 20 */
	assert_int_equal(pg_shard_of(&m, b, 20, PG_SIDE_WAN), 0);
	/* An ICMP error too short to quote a header is steered by its own addresses. */
	icmp[20] = 3;
	assert_true(pg_shard_of(&m, icmp, sizeof(icmp), PG_SIDE_WAN) < 4);
	m.n = 1;
	b[0] = 0x45;
	assert_int_equal(pg_shard_of(&m, b, 20, PG_SIDE_LAN), 0);
	free(b);
}

/* Run p through the set: to the engine pg_shard_of() names. */
static void run_set(struct pg_engines *set, struct pgt_pkt *p, uint64_t now)
{
	char msg[256];

	assert_int_equal(pgt_run(set->e[shard(&set->map, p)], p, 1, now, msg, sizeof(msg)), 0);
}

/* The same packet through one engine and through the set: same verdict and bytes. */
static void same(struct pg_engine *one, struct pg_engines *set, struct pgt_pkt *a,
		 struct pgt_pkt *b, uint64_t now, const char *what, unsigned int i)
{
	char msg[256];

	*b = *a;
	assert_int_equal(pgt_run(one, a, 1, now, msg, sizeof(msg)), 0);
	run_set(set, b, now);
	if (a->verdict != b->verdict || a->len != b->len ||
	    (a->verdict != PG_VERDICT_DROP && pgt_diff(b->buf, b->len, a->buf, a->len, msg,
						      sizeof(msg))))
		fail_msg("%s %u: one engine %s, the set %s (%s)", what, i,
			 pgt_verdict_name(a->verdict), pgt_verdict_name(b->verdict),
			 a->verdict == b->verdict ? msg : pgt_counter(b->drop_reason));
	assert_int_equal(a->drop_reason, b->drop_reason);
}

/*
 * One engine, and two engines behind pg_shard_of() sharing their public
 * ports (pg_engines_create()): LAN hosts open flows of three protocols to
 * many servers from a few ports each (so sockets collide on public ports);
 * servers answer, strangers knock, and two hosts reach each other through
 * their public mappings. Every packet must leave both gateways the same,
 * byte for byte, both ways.
 */
static void sharded_looks_like_one(enum pg_filtering filtering)
{
	struct pg_engine_config cfg;
	struct pg_engines set;
	struct pg_engine *one;
	static struct pgt_pkt a, b, ra, rb;
	uint64_t now = 5000;
	unsigned int per_worker[2] = {0};

	pgt_config(&cfg);
	cfg.max_flows = 8192;
	cfg.filtering = filtering;
	one = pgt_engine_new(&cfg);
	assert_non_null(one);
	assert_int_equal(pg_engines_create(&set, &cfg, 2), 0);
	rng_state = 0x452821e638d01377ULL + filtering;
	for (unsigned int i = 0; i < 3000; i++, now += rnd(20)) {
		outbound(&a, rnd(3), rnd(NHOSTS), rnd(NSERVERS), 0);
		per_worker[shard(&set.map, &a)]++;
		same(one, &set, &a, &b, now, "outbound", i);
		if (a.verdict != PG_VERDICT_TO_WAN)
			continue;
		answer(&ra, &a);
		same(one, &set, &ra, &rb, now, "answer", i);
		assert_int_equal(ra.verdict, PG_VERDICT_TO_LAN);
		if (rnd(4) == 0) {
			/* A stranger to the public port just used: filtering decides, alike. */
			struct pgt_spec u = {.proto = pgt_ip_proto(a.buf), .src = server(rnd(NSERVERS)),
					     .dst = PGT_WAN_ADDR, .sport = 7777,
					     .dport = pgt_get16(pgt_l4(a.buf)),
					     .tcp_flags = PGT_SYN, .icmp_type = 0,
					     .icmp_id = pgt_get16(pgt_l4(a.buf) + 4)};

			build(&ra, &u, PG_SIDE_WAN);
			same(one, &set, &ra, &rb, now, "stranger", i);
		}
	}
	/* Nobody holds these ports: refused by both. */
	for (unsigned int i = 0; i < 200; i++) {
		struct pgt_spec u = {.proto = PGT_P_UDP, .src = server(rnd(NSERVERS)),
				     .dst = PGT_WAN_ADDR, .sport = 53, .dport = 9000 + rnd(100)};

		build(&ra, &u, PG_SIDE_WAN);
		same(one, &set, &ra, &rb, now, "unsolicited", i);
		assert_int_equal(ra.verdict, PG_VERDICT_DROP);
	}
	/*
	 * Hairpinning through mappings made towards servers (on whichever
	 * worker): 192.168.1.30 and .31 learn their public ports from server 1,
	 * then send to each other's, as peer-to-peer programs do.
	 */
	{
		struct pgt_spec s1 = {.proto = PGT_P_UDP, .src = "192.168.1.30", .sport = 44001,
				      .dst = server(1), .dport = 3478};
		struct pgt_spec s2 = s1;
		uint16_t pub1, pub2;

		s2.src = "192.168.1.31";
		s2.sport = 44002;
		build(&a, &s1, PG_SIDE_LAN);
		same(one, &set, &a, &b, now, "stun 1", 0);
		pub1 = pgt_get16(pgt_l4(a.buf));
		build(&a, &s2, PG_SIDE_LAN);
		same(one, &set, &a, &b, now, "stun 2", 0);
		pub2 = pgt_get16(pgt_l4(a.buf));
		for (unsigned int k = 0; k < 4; k++) {
			struct pgt_spec h1 = {.proto = PGT_P_UDP, .src = "192.168.1.30", .sport = 44001,
					      .dst = PGT_WAN_ADDR, .dport = pub2};
			struct pgt_spec h2 = {.proto = PGT_P_UDP, .src = "192.168.1.31", .sport = 44002,
					      .dst = PGT_WAN_ADDR, .dport = pub1};

			build(&a, &h1, PG_SIDE_LAN);
			same(one, &set, &a, &b, now, "hairpin 1", k);
			build(&a, &h2, PG_SIDE_LAN);
			same(one, &set, &a, &b, now, "hairpin 2", k);
		}
		/* By now both have sent to the address: the last round reached the peer. */
		assert_int_equal(a.verdict, PG_VERDICT_TO_LAN);
	}
	assert_int_equal(pg_engine_flow_count(one), pg_engines_flow_count(&set));
	assert_true(per_worker[0] > 600 && per_worker[1] > 600);
	pg_engine_destroy(one);
	pg_engines_destroy(&set);
}

static void test_sharded_looks_like_one(void **state)
{
	(void)state;
	sharded_looks_like_one(PG_FILTER_ADDRESS_DEPENDENT);
}

static void test_sharded_looks_like_one_eif(void **state)
{
	(void)state;
	sharded_looks_like_one(PG_FILTER_ENDPOINT_INDEPENDENT);
}

static void test_sharded_looks_like_one_apdf(void **state)
{
	(void)state;
	sharded_looks_like_one(PG_FILTER_ADDRESS_PORT_DEPENDENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_directions_meet_two),
		cmocka_unit_test(test_directions_meet_three),
		cmocka_unit_test(test_malformed_to_worker_zero),
		cmocka_unit_test(test_sharded_looks_like_one),
		cmocka_unit_test(test_sharded_looks_like_one_eif),
		cmocka_unit_test(test_sharded_looks_like_one_apdf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
