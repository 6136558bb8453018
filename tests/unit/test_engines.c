/* SPDX-License-Identifier: MIT */
/*
 * test_engines.c - several engines shown as one (src/engine/engines.c) and
 * the worker threads that run them (src/dp/workers.c).
 *
 * The set: each worker gets its share of the table and of the ICMP error
 * rate, a split that cannot hold the minimum table is refused with a
 * reason, counters and flow counts add up, a flow listing pages through
 * every engine exactly once whatever the page size (also when a page ends
 * where an engine does), and a refused reconfiguration changes no engine.
 * The threads: batches run by pg_workers_run() give exactly what running
 * each worker's share on its engine one after another gives, over
 * thousands of passes, some with pauses long enough for the workers to
 * fall asleep in the kernel between passes.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../lib/fixture.h"
#include "engine/engines.h"
#include "dp/workers.h"

#define BATCH 96

static uint64_t rng_state;
static struct pg_workers ws; /* stopped by stop_workers() even when a test fails */

static int stop_workers(void **state)
{
	(void)state;
	pg_workers_stop(&ws);
	return 0;
}

static uint32_t rnd(uint32_t n)
{
	return pgt_rand(&rng_state, n);
}

/*
 * Outbound UDP or TCP from one of 8 hosts to one of 60 servers, or an
 * answer-like packet from a server. Every host has ports of its own, so
 * every public port is its LAN port: with workers running at once the
 * order in which they take ports varies, and the results may only differ
 * where a choice among free ports is made.
 */
static void make_packet(struct pgt_pkt *p)
{
	bool lan = rnd(4) != 0;
	unsigned int host = rnd(8);
	struct pgt_spec s = {.proto = rnd(5) ? PGT_P_UDP : PGT_P_TCP,
			     .sport = 40000 + host * 4 + rnd(3),
			     .dport = 53,
			     .tcp_flags = PGT_SYN,
			     .paylen = (uint16_t)rnd(30)};
	uint32_t server = pgt_addr("203.0.113.1") + rnd(60);

	if (lan) {
		s.src = pgt_dotted(pgt_addr("192.168.1.10") + host);
		s.dst = pgt_dotted(server);
	} else {
		s.src = pgt_dotted(server);
		s.dst = PGT_WAN_ADDR;
		s.sport = 53;
		s.dport = 40000 + host * 4 + rnd(3); /* port preserved: often a real answer */
		s.tcp_flags = PGT_SYN | PGT_ACK;
	}
	memset(p, 0, sizeof(*p));
	p->len = pgt_build(&s, NULL, p->buf, sizeof(p->buf), NULL);
	p->side = lan ? PG_SIDE_LAN : PG_SIDE_WAN;
	assert_true(p->len > 0);
}

static void to_pkts(struct pgt_pkt *t, struct pg_pkt *p, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		p[i] = (struct pg_pkt){.l3 = t[i].buf,
				       .len = t[i].len,
				       .cap = sizeof(t[i].buf),
				       .side = t[i].side};
	}
}

/*
 * An answer for a socket whose mapping another worker makes or frees in the
 * same pass is refused either way, but as unsolicited (no mapping yet) or
 * filtered (a mapping, not towards this server) depending on which worker
 * got there first: one reason here.
 */
static unsigned int refusal(unsigned int reason)
{
	return reason == PG_CNT_DROP_FILTERED ? PG_CNT_DROP_UNSOLICITED : reason;
}

static void set_new(struct pg_engines *s, unsigned int n, uint32_t max_flows)
{
	struct pg_engine_config cfg;

	pgt_config(&cfg);
	cfg.max_flows = max_flows;
	assert_int_equal(pg_engines_create(s, &cfg, n), 0);
	assert_int_equal(s->n, n);
}

/* Feed a set stream packets, each to its worker's engine, one at a time. */
static void fill(struct pg_engines *s, unsigned int npkts)
{
	static struct pgt_pkt t;
	struct pg_pkt p;

	for (unsigned int i = 0; i < npkts; i++) {
		make_packet(&t);
		to_pkts(&t, &p, 1);
		pg_engine_run(s->e[pg_shard_of(&s->map, p.l3, p.len, p.side)], &p, 1, 1000);
	}
}

static void test_worker_config_shares(void **state)
{
	struct pg_engine_config cfg, w;
	const char *why = NULL;

	(void)state;
	pgt_config(&cfg);
	cfg.max_flows = 10000;
	cfg.icmp_error_rate = 101;
	cfg.icmp_error_burst = 1;
	cfg.max_flows_per_host = 77;
	pg_engines_worker_config(&cfg, 3, &w);
	assert_int_equal(w.max_flows, 3333);
	assert_int_equal(w.icmp_error_rate, 34); /* rounded up: the total stays >= 101 */
	assert_int_equal(w.icmp_error_burst, 1);
	assert_int_equal(w.max_flows_per_host, 77);
	pg_engines_worker_config(&cfg, 1, &w);
	assert_memory_equal(&w, &cfg, sizeof(cfg));
	assert_int_equal(pg_engines_validate(&cfg, 0, &why), -22);
	assert_non_null(why);
	assert_int_equal(pg_engines_validate(&cfg, PG_SHARDS_MAX + 1, &why), -22);
	cfg.max_flows = 2047;
	assert_int_equal(pg_engines_validate(&cfg, 2, &why), -22);
	assert_string_equal(why, "max_flows must be at least 1024 per worker");
	cfg.max_flows = 2048;
	assert_int_equal(pg_engines_validate(&cfg, 2, &why), 0);
}

static void test_counts_add_up(void **state)
{
	struct pg_engines s;
	uint64_t sum[PG_CNT__COUNT];
	uint32_t by_proto[PG_FP__COUNT], total = 0;

	(void)state;
	rng_state = 0x1234567;
	set_new(&s, 3, 4096 * 3);
	fill(&s, 2000);
	pg_engines_counters(&s, sum);
	assert_int_equal(sum[PG_CNT_RX_LAN] + sum[PG_CNT_RX_WAN], 2000);
	for (unsigned int i = 0; i < 3; i++) {
		assert_true(pg_engine_flow_count(s.e[i]) > 0); /* every worker got flows */
		total += pg_engine_flow_count(s.e[i]);
	}
	assert_int_equal(pg_engines_flow_count(&s), total);
	pg_engines_flows_by_proto(&s, by_proto);
	assert_int_equal(by_proto[PG_FP_TCP] + by_proto[PG_FP_UDP], total);
	pg_engines_destroy(&s);
}

/* Page through the set with page size `page`: every flow once, then cursor 0. */
static void walk_all(const struct pg_engines *s, unsigned int page)
{
	static struct pg_flow_info buf[4096], seen[4096];
	uint32_t cursor = 0, total = pg_engines_flow_count(s), got = 0;
	unsigned int rounds = 0;

	do {
		unsigned int n = pg_engines_flows(s, NULL, &cursor, buf, page, 2000);

		assert_true(n <= page);
		assert_true(got + n <= total);
		memcpy(&seen[got], buf, n * sizeof(buf[0]));
		got += n;
		assert_true(++rounds < 10000);
	} while (cursor);
	assert_int_equal(got, total);
	for (unsigned int i = 0; i < got; i++)
		for (unsigned int j = i + 1; j < got; j++)
			if (!memcmp(&seen[i], &seen[j], offsetof(struct pg_flow_info, idle_s)))
				fail_msg("flow %u listed twice", i);
}

static void test_flow_listing_pages_through_every_engine(void **state)
{
	struct pg_engines s;
	uint32_t cursor = 0;
	static struct pg_vpn_session vs[8];

	(void)state;
	rng_state = 0x7654321;
	set_new(&s, 2, 4096 * 2);
	fill(&s, 600);
	walk_all(&s, 1);
	walk_all(&s, 7);
	walk_all(&s, 4096);
	/* A page that ends exactly where engine 0's flows end. */
	walk_all(&s, pg_engine_flow_count(s.e[0]));
	/* No helpers in this traffic: no sessions, and the walk ends. */
	assert_int_equal(pg_engines_vpn_sessions(&s, &cursor, vs, 8, 2000), 0);
	assert_int_equal(cursor, 0);
	pg_engines_destroy(&s);
}

static void test_refused_reconfigure_changes_nothing(void **state)
{
	struct pg_engine_config cfg;
	struct pg_engines s;

	(void)state;
	set_new(&s, 2, 8192);
	pgt_config(&cfg);
	cfg.max_flows = 8192;
	cfg.timeouts.udp = 5; /* below RFC 4787's 2 minutes */
	assert_int_equal(pg_engines_reconfigure(&s, &cfg), -22);
	cfg.timeouts.udp = 600;
	assert_int_equal(pg_engines_reconfigure(&s, &cfg), 0);
	pg_engines_destroy(&s);
}

/*
 * The same stream through two sets made alike: one by pg_workers_run(),
 * one by running each worker's share in turn on this thread.
 */
static void threads_match_sequential(unsigned int nworkers)
{
	static struct pgt_pkt ta[BATCH], tb[BATCH];
	static struct pg_pkt pa[BATCH], pb[BATCH], part[BATCH];
	static unsigned int owner[BATCH];
	struct pg_engines a, b;
	char err[128];
	uint64_t now = 10000;

	rng_state = 0xdeadbeef + nworkers;
	set_new(&a, nworkers, 2048 * nworkers);
	set_new(&b, nworkers, 2048 * nworkers);
	assert_int_equal(pg_workers_start(&ws, &a, err, sizeof(err)), 0);
	for (unsigned int pass = 0; pass < 3000; pass++, now += rnd(40)) {
		unsigned int n = rnd(BATCH + 1);

		for (unsigned int i = 0; i < n; i++)
			make_packet(&ta[i]);
		memcpy(tb, ta, n * sizeof(ta[0]));
		to_pkts(ta, pa, n);
		to_pkts(tb, pb, n);
		pg_workers_run(&ws, pa, n, now);
		/* All steered first: a worker rewrites its packets (an ICMP error in place). */
		for (unsigned int i = 0; i < n; i++)
			owner[i] = pg_shard_of(&b.map, pb[i].l3, pb[i].len, pb[i].side);
		for (unsigned int w = 0; w < nworkers; w++) {
			unsigned int k = 0, idx[BATCH];

			for (unsigned int i = 0; i < n; i++)
				if (owner[i] == w) {
					idx[k] = i;
					part[k++] = pb[i];
				}
			pg_engine_run(b.e[w], part, k, now);
			for (unsigned int j = 0; j < k; j++)
				pb[idx[j]] = part[j];
		}
		for (unsigned int i = 0; i < n; i++) {
			assert_int_equal(pa[i].verdict, pb[i].verdict);
			assert_int_equal(refusal(pa[i].drop_reason), refusal(pb[i].drop_reason));
			assert_int_equal(pa[i].len, pb[i].len);
			assert_memory_equal(pa[i].l3, pb[i].l3, pa[i].len);
		}
		/* Now and then idle long enough for the workers to sleep in the kernel. */
		if (pass % 500 == 499)
			usleep(20000);
	}
	/*
	 * Which worker makes a socket's first mapping (and counts it) depends on
	 * who gets there first; the gateway's totals may not.
	 */
	{
		uint64_t ca[PG_CNT__COUNT], cb[PG_CNT__COUNT];

		pg_engines_counters(&a, ca);
		pg_engines_counters(&b, cb);
		ca[PG_CNT_DROP_UNSOLICITED] += ca[PG_CNT_DROP_FILTERED];
		cb[PG_CNT_DROP_UNSOLICITED] += cb[PG_CNT_DROP_FILTERED];
		ca[PG_CNT_DROP_FILTERED] = cb[PG_CNT_DROP_FILTERED] = 0;
		assert_memory_equal(ca, cb, sizeof(ca));
	}
	assert_true(pg_engines_flow_count(&a) > 100);
	pg_workers_stop(&ws);
	pg_engines_destroy(&a);
	pg_engines_destroy(&b);
}

static void test_threads_two(void **state)
{
	(void)state;
	threads_match_sequential(2);
}

static void test_threads_three(void **state)
{
	(void)state;
	threads_match_sequential(3);
}

/* One worker: no thread, the batch goes straight to the engine. */
static void test_threads_one(void **state)
{
	(void)state;
	threads_match_sequential(1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_worker_config_shares),
		cmocka_unit_test(test_counts_add_up),
		cmocka_unit_test(test_flow_listing_pages_through_every_engine),
		cmocka_unit_test(test_refused_reconfigure_changes_nothing),
		cmocka_unit_test_teardown(test_threads_one, stop_workers),
		cmocka_unit_test_teardown(test_threads_two, stop_workers),
		cmocka_unit_test_teardown(test_threads_three, stop_workers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
