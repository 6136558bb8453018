/* SPDX-License-Identifier: MIT */
/*
 * test_shaper.c - the WAN shaper (src/engine/shaper.c) driven by simulated
 * time against what a model of it says must happen: the rate it keeps,
 * fairness between hosts (32 flows against 1) and between flows of a host,
 * CoDel's drop and mark schedule (RFC 8289: first signal one interval after
 * the sojourn time went above target, then interval / sqrt(n) apart), ECN
 * marks with a valid header checksum, the bounded queue dropping from the
 * fattest flow, and a sparse flow never waiting behind bulk ones.
 *
 * The clock is the test's: each step sets "now" to the shaper's own next
 * release time, as the daemon's poll timeout does, so results are exact
 * and reproducible.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "engine/csum.h"
#include "engine/shaper.h"

#define MS 1000000ULL
#define SEC 1000000000ULL
#define PKT 1500 /* IP bytes of a bulk packet */
#define WIRE (PKT + PG_SHAPER_OVERHEAD)

/* 1 / sqrt(n) for n = 0..8 (no libm in the test link). */
static const double inv_sqrt[] = { 0,	       1,	   0.70710678, 0.57735027, 0.5,
				   0.44721360, 0.40824829, 0.37796447, 0.35355339 };

static double absd(double x)
{
	return x < 0 ? -x : x;
}

/* An IPv4/UDP packet of len bytes from src:sport to dst:dport with the given ECN bits. */
static void build(uint8_t *p, uint32_t len, uint32_t src, uint32_t dst, uint16_t sport,
		  uint16_t dport, uint8_t ecn)
{
	uint16_t v;

	memset(p, 0, len);
	p[0] = 0x45;
	p[1] = ecn & 3;
	v = htons((uint16_t)len);
	memcpy(p + 2, &v, 2);
	p[8] = 64;
	p[9] = 17;
	src = htonl(src);
	dst = htonl(dst);
	memcpy(p + 12, &src, 4);
	memcpy(p + 16, &dst, 4);
	v = pg_csum(p, 20);
	memcpy(p + 10, &v, 2);
	sport = htons(sport);
	dport = htons(dport);
	memcpy(p + 20, &sport, 2);
	memcpy(p + 22, &dport, 2);
	v = htons((uint16_t)(len - 20));
	memcpy(p + 24, &v, 2);
}

static struct pg_shaper *make(uint64_t rate, uint64_t target, uint64_t interval, uint32_t limit)
{
	struct pg_shaper_config c = {
		.rate_bps = rate,
		.target_ns = target,
		.interval_ns = interval,
		.limit = limit,
		.hash_key = { 0x0123456789abcdefULL, 0xfedcba9876543210ULL },
	};
	struct pg_shaper *s = pg_shaper_create(&c);

	assert_non_null(s);
	return s;
}

/* Flow f of host h (a LAN address 192.168.1.h): its own source port. */
static enum pg_shaper_counter put(struct pg_shaper *s, uint32_t h, uint32_t f, uint32_t len,
				  uint8_t ecn, uint64_t now)
{
	uint8_t p[PKT];
	uint32_t host = 0xc0a80100u + h;

	build(p, len, 0xc6336402u /* the public address, as after NAT */, 0xcb00710au,
	      (uint16_t)(1000 + h * 100 + f), 5001, ecn);
	return pg_shaper_enqueue(s, p, len, htonl(host), 0, now);
}

/* Which host and flow a released packet was (from its source port). */
static void who(const struct pg_shaper_pkt *p, uint32_t *h, uint32_t *f)
{
	uint16_t sport;

	memcpy(&sport, p->l3 + 20, 2);
	sport = ntohs(sport);
	*h = (uint32_t)(sport - 1000) / 100;
	*f = (uint32_t)(sport - 1000) % 100;
}

static uint64_t cnt(struct pg_shaper *s, enum pg_shaper_counter c)
{
	struct pg_shaper_stats st;

	pg_shaper_get_stats(s, 0, &st);
	return st.cnt[c];
}

/* Rate: a flow kept backlogged gets the configured rate, to a packet, at several rates. */
static void test_rate_conformance(void **state)
{
	static const uint64_t rates[] = { 1000000, 10000000, 50000000, 200000000, 1000000000 };

	(void)state;
	for (unsigned int r = 0; r < sizeof(rates) / sizeof(rates[0]); r++) {
		struct pg_shaper *s = make(rates[r], 0, 0, 0);
		uint64_t now = 1 * SEC, start = now, bytes = 0;

		for (int k = 0; k < 2; k++)
			put(s, 1, 0, PKT, 0, now);
		while (now < start + SEC) {
			struct pg_shaper_pkt *p = pg_shaper_dequeue(s, now);

			if (!p) {
				assert_true(pg_shaper_next_ns(s) > now);
				now = pg_shaper_next_ns(s);
				continue;
			}
			bytes += p->len + PG_SHAPER_OVERHEAD;
			/* Keep two packets queued: no standing queue for CoDel. */
			put(s, 1, 0, PKT, 0, now);
		}
		/* One second at the rate, plus the first burst (PG_SHAPER_BURST_NS and a packet).
		 */
		double want = (double)rates[r] / 8;
		double got = (double)bytes;
		double burst = want * (double)PG_SHAPER_BURST_NS / 1e9;

		assert_true(got >= want * 0.999 - WIRE);
		assert_true(got <= want * 1.001 + burst + 2 * WIRE);
		assert_int_equal(cnt(s, PG_SHAPER_CNT_DROP_CODEL), 0);
		pg_shaper_destroy(s);
	}
}

/* Idle credit is capped: after a pause the shaper sends at most burst_ns ahead. */
static void test_burst_capped(void **state)
{
	struct pg_shaper *s = make(10000000, 0, 0, 0);
	uint64_t now = 5 * SEC;
	unsigned int sent = 0;

	(void)state;
	for (int k = 0; k < 100; k++)
		put(s, 1, 0, PKT, 0, now);
	while (pg_shaper_dequeue(s, now))
		sent++;
	/* The burst at 10 Mbit/s (4 ms: 5000 bytes): that many frames, plus one for rounding. */
	assert_true(sent >= 1 && sent <= 1 + 10000000 / 8 * PG_SHAPER_BURST_NS / SEC / WIRE + 1);
	assert_true(pg_shaper_next_ns(s) > now);
	pg_shaper_destroy(s);
}

/*
 * Drive every listed (host, flow) as a greedy sender: before each release
 * it has at least `depth` packets queued. Returns bytes sent per host and
 * per flow over `secs` seconds.
 */
#define MAXH 4
#define MAXF 64
static void run_greedy(struct pg_shaper *s, const uint32_t *flows_of_host, uint32_t nh,
		       uint32_t depth, uint64_t secs, uint64_t host_bytes[MAXH],
		       uint64_t flow_bytes[MAXH][MAXF])
{
	uint32_t queued[MAXH][MAXF] = { 0 };
	uint64_t now = SEC, end = SEC + secs * SEC;

	memset(host_bytes, 0, sizeof(uint64_t) * MAXH);
	memset(flow_bytes, 0, sizeof(uint64_t) * MAXH * MAXF);
	while (now < end) {
		struct pg_shaper_pkt *p;
		uint32_t h, f;

		for (h = 0; h < nh; h++)
			for (f = 0; f < flows_of_host[h]; f++)
				while (queued[h][f] < depth) {
					assert_int_equal(put(s, h + 1, f, PKT, 0, now),
							 PG_SHAPER_CNT_ENQUEUED);
					queued[h][f]++;
				}
		p = pg_shaper_dequeue(s, now);
		if (!p) {
			now = pg_shaper_next_ns(s);
			continue;
		}
		who(p, &h, &f);
		h--;
		assert_true(h < nh && f < flows_of_host[h]);
		queued[h][f]--;
		host_bytes[h] += p->len;
		flow_bytes[h][f] += p->len;
	}
}

/* Two hosts, one with 32 flows and one with a single tunnel: equal shares within 10%. */
static void test_fair_hosts_32_vs_1(void **state)
{
	/* CoDel out of the way (targets of 10 s): this measures the scheduler alone. */
	struct pg_shaper *s = make(50000000, 10 * SEC, 10 * SEC, 4096);
	const uint32_t flows[] = { 32, 1 };
	uint64_t hb[MAXH], fb[MAXH][MAXF];
	double a, b;

	(void)state;
	run_greedy(s, flows, 2, 2, 2, hb, fb);
	a = (double)hb[0];
	b = (double)hb[1];
	print_message("32-flow host %.0f bytes, 1-flow host %.0f bytes (ratio %.4f)\n", a, b,
		      a / b);
	assert_true(absd(a - b) / ((a + b) / 2) < 0.10);
	/* And within the big host, every flow within 10% of its fair share. */
	for (int f = 0; f < 32; f++)
		assert_true(absd((double)fb[0][f] - a / 32) < 0.10 * a / 32);
	pg_shaper_destroy(s);
}

/* Three hosts with 1, 8 and 40 flows: thirds each. */
static void test_fair_three_hosts(void **state)
{
	struct pg_shaper *s = make(20000000, 10 * SEC, 10 * SEC, 4096);
	const uint32_t flows[] = { 1, 8, 40 };
	uint64_t hb[MAXH], fb[MAXH][MAXF], sum;

	(void)state;
	run_greedy(s, flows, 3, 2, 2, hb, fb);
	sum = hb[0] + hb[1] + hb[2];
	for (int h = 0; h < 3; h++)
		assert_true(absd((double)hb[h] - (double)sum / 3) < 0.05 * (double)sum / 3);
	pg_shaper_destroy(s);
}

/*
 * The model of RFC 8289 for one standing queue: the first signal comes
 * one interval after the first packet that left above target; while the
 * queue stays above target, signal n+1 comes interval / sqrt(n) after
 * signal n (the count is n when signal n+1 is scheduled). Packets are released one per transmission
 * time, so each signal is the first release at or after its due time.
 */
static void check_schedule(bool ecn)
{
	const uint64_t rate = 12000000; /* 1514 bytes in 1.0093 ms */
	struct pg_shaper *s = make(rate, 0, 0, 0);
	const uint64_t tx = (uint64_t)WIRE * 8 * SEC / rate;
	uint64_t now = SEC, first_above = 0, signals[8];
	unsigned int ns = 0;
	uint64_t last_drops = 0, last_marks = 0;

	/* 30 ms of standing queue: each packet waits ~30 ms > 5 ms target. */
	for (int k = 0; k < 30; k++)
		put(s, 1, 0, PKT, ecn ? 2 : 0, now);
	while (ns < 8 && now < 10 * SEC) {
		struct pg_shaper_pkt *p = pg_shaper_dequeue(s, now);
		uint64_t d = cnt(s, PG_SHAPER_CNT_DROP_CODEL), m = cnt(s, PG_SHAPER_CNT_ECN_MARKED);

		if (d != last_drops || m != last_marks) {
			assert_int_equal(d - last_drops + m - last_marks, 1);
			signals[ns++] = now;
			last_drops = d;
			last_marks = m;
			if (ecn) {
				uint8_t ip[20];

				assert_non_null(p);
				memcpy(ip, p->l3, 20);
				assert_int_equal(ip[1] & 3, 3);
				/* The header still verifies after the mark. */
				assert_int_equal(pg_csum(ip, 20), 0);
			}
		}
		if (p) {
			if (!first_above && p->sojourn_ns >= PG_SHAPER_TARGET_NS)
				first_above = now;
			/* Refill: the queue stays ~30 packets deep. */
			put(s, 1, 0, PKT, ecn ? 2 : 0, now);
			continue;
		}
		now = pg_shaper_next_ns(s);
	}
	assert_int_equal(ns, 8);
	/* Signal 1: an interval after the first packet above target (+ one release). */
	assert_true(signals[0] >= first_above + PG_SHAPER_INTERVAL_NS);
	assert_true(signals[0] <= first_above + PG_SHAPER_INTERVAL_NS + 2 * tx);
	for (unsigned int n = 1; n < ns; n++) {
		double want = (double)PG_SHAPER_INTERVAL_NS * inv_sqrt[n];
		double gap = (double)(signals[n] - signals[n - 1]);

		print_message("signal %u: %.3f ms after the previous (model %.3f)\n", n + 1,
			      gap / 1e6, want / 1e6);
		/* Each signal waits for a release: up to one transmission time late. */
		assert_true(gap >= want - (double)tx - 1 && gap <= want + 2.0 * (double)tx);
	}
	if (ecn)
		assert_int_equal(cnt(s, PG_SHAPER_CNT_DROP_CODEL), 0);
	else
		assert_int_equal(cnt(s, PG_SHAPER_CNT_ECN_MARKED), 0);
	pg_shaper_destroy(s);
}

static void test_codel_drop_schedule(void **state)
{
	(void)state;
	check_schedule(false);
}

static void test_codel_mark_schedule(void **state)
{
	(void)state;
	check_schedule(true);
}

/* A queue that drains below target leaves the dropping state: no more signals. */
static void test_codel_below_target_no_drop(void **state)
{
	struct pg_shaper *s = make(10000000, 0, 0, 0);
	uint64_t now = SEC;

	(void)state;
	/* 3 packets at a time: at most ~3.6 ms of queue, under the 5 ms target. */
	for (int round = 0; round < 2000; round++) {
		if (pg_shaper_backlog(s) < 3)
			put(s, 1, 0, PKT, 0, now);
		if (!pg_shaper_dequeue(s, now))
			now = pg_shaper_next_ns(s);
	}
	assert_int_equal(cnt(s, PG_SHAPER_CNT_DROP_CODEL), 0);
	assert_int_equal(cnt(s, PG_SHAPER_CNT_ECN_MARKED), 0);
	pg_shaper_destroy(s);
}

/* The queue never holds more than its limit; overflow drops the fat flow, not the thin one. */
static void test_bounded_queue(void **state)
{
	struct pg_shaper *s = make(10000000, 0, 0, 256);
	uint64_t now = SEC;
	unsigned int thin = 0;
	struct pg_shaper_pkt *p;

	(void)state;
	put(s, 2, 0, 200, 0, now);
	for (int k = 0; k < 10000; k++) {
		put(s, 1, 0, PKT, 0, now);
		assert_true(pg_shaper_backlog(s) <= 256);
	}
	assert_true(cnt(s, PG_SHAPER_CNT_DROP_OVERLIMIT) >= 10000 - 256);
	/* The thin host's one packet survived and is among the first out. */
	for (int k = 0; k < 3; k++) {
		uint32_t h, f;

		while (!(p = pg_shaper_dequeue(s, now)))
			now = pg_shaper_next_ns(s);
		who(p, &h, &f);
		if (h == 2)
			thin++;
	}
	assert_int_equal(thin, 1);
	assert_true(pg_shaper_memory_size(&(struct pg_shaper_config){
			.rate_bps = 1000000, .limit = 256 }) < 256 * 2048 + 256 * 1024);
	pg_shaper_destroy(s);
}

/*
 * A sparse flow (a VoIP-like packet every 20 ms) of a third host next to
 * two greedy hosts with 10 flows each: it waits at most a couple of frames,
 * never behind the standing queues, and is never dropped.
 */
static void test_sparse_flow_no_starvation(void **state)
{
	const uint64_t rate = 20000000;
	struct pg_shaper *s = make(rate, 0, 0, 1024);
	const uint64_t tx = (uint64_t)WIRE * 8 * SEC / rate;
	uint32_t queued[3][10] = { 0 };
	uint64_t now = SEC, next_voip = SEC, worst = 0;
	unsigned int voip_sent = 0, voip_put = 0;

	(void)state;
	while (now < 3 * SEC) {
		struct pg_shaper_pkt *p;
		uint32_t h, f;

		for (h = 1; h <= 2; h++)
			for (f = 0; f < 10; f++)
				while (queued[h][f] < 8) {
					put(s, h, f, PKT, 0, now);
					queued[h][f]++;
				}
		if (now >= next_voip) {
			put(s, 3, 0, 200, 0, now);
			voip_put++;
			next_voip += 20 * MS;
		}
		p = pg_shaper_dequeue(s, now);
		if (!p) {
			uint64_t n = pg_shaper_next_ns(s);

			now = n < next_voip ? n : next_voip;
			continue;
		}
		who(p, &h, &f);
		if (h == 3) {
			voip_sent++;
			if (p->sojourn_ns > worst)
				worst = p->sojourn_ns;
		} else if (queued[h][f]) {
			queued[h][f]--;
		}
	}
	/* CoDel drops of bulk packets make the model's counts drift: resync is not needed,
	 * refills only top up. */
	print_message("sparse flow: %u of %u sent, worst wait %.3f ms (a frame is %.3f ms)\n",
		      voip_sent, voip_put, (double)worst / 1e6, (double)tx / 1e6);
	assert_true(voip_sent >= voip_put - 1);
	assert_true(worst <= 3 * tx);
	assert_true(cnt(s, PG_SHAPER_CNT_DROP_CODEL) > 0); /* the bulk flows were held down */
	pg_shaper_destroy(s);
}

/* Changing the rate takes effect at once and keeps the queue. */
static void test_set_rate(void **state)
{
	struct pg_shaper *s = make(1000000, 0, 0, 0);
	uint64_t now = SEC, start, bytes = 0;

	(void)state;
	for (int k = 0; k < 4; k++)
		put(s, 1, 0, PKT, 0, now);
	pg_shaper_set_rate(s, 100000000);
	assert_int_equal(pg_shaper_backlog(s), 4);
	start = now;
	while (now < start + 100 * MS) {
		struct pg_shaper_pkt *p = pg_shaper_dequeue(s, now);

		if (!p) {
			now = pg_shaper_next_ns(s);
			continue;
		}
		bytes += p->len + PG_SHAPER_OVERHEAD;
		put(s, 1, 0, PKT, 0, now);
	}
	/* 100 ms at 100 Mbit/s: 1.25 MB, plus at most the burst. */
	assert_true(bytes > 1240000 && bytes < 1260000 + 100000000 / 8 * PG_SHAPER_BURST_NS / SEC);
	pg_shaper_destroy(s);
}

/* Bad configurations are refused with a reason; oversized packets are counted. */
static void test_validate_and_too_big(void **state)
{
	char err[128];
	struct pg_shaper_config c = { .rate_bps = 1000 };
	struct pg_shaper *s;
	uint8_t big[1600];

	(void)state;
	assert_int_not_equal(pg_shaper_validate(&c, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "rate"));
	assert_null(pg_shaper_create(&c));
	c.rate_bps = 1000000;
	c.max_packet = 20;
	assert_int_not_equal(pg_shaper_validate(&c, err, sizeof(err)), 0);
	c.max_packet = 1500;
	assert_int_equal(pg_shaper_validate(&c, err, sizeof(err)), 0);
	s = pg_shaper_create(&c);
	assert_non_null(s);
	build(big, sizeof(big), 1, 2, 3, 4, 0);
	assert_int_equal(pg_shaper_enqueue(s, big, sizeof(big), 1, 0, SEC),
			 PG_SHAPER_CNT_DROP_TOO_BIG);
	assert_int_equal(pg_shaper_backlog(s), 0);
	assert_int_equal(pg_shaper_next_ns(s), UINT64_MAX);
	assert_string_equal(pg_shaper_counter_name(PG_SHAPER_CNT_ECN_MARKED), "ecn_marked");
	pg_shaper_destroy(s);
}

/* Packets of one flow leave in order, whatever else is queued; next hops are kept. */
static void test_order_and_next_hop(void **state)
{
	struct pg_shaper *s = make(100000000, 0, 0, 0);
	uint64_t now = SEC;
	uint32_t expect_id[2] = { 0, 0 };
	struct pg_shaper_pkt *p;

	(void)state;
	for (uint32_t k = 0; k < 50; k++)
		for (uint32_t f = 0; f < 2; f++) {
			uint8_t pk[300];
			uint16_t id = htons((uint16_t)k);

			build(pk, sizeof(pk), 0x0a000001, 0x0a000002, (uint16_t)(1100 + f), 53, 0);
			memcpy(pk + 4, &id, 2);
			pg_shaper_enqueue(s, pk, sizeof(pk), htonl(0xc0a80101), 0x01020304 + f,
					  now);
		}
	while (pg_shaper_backlog(s)) {
		uint16_t id, sport;

		while (!(p = pg_shaper_dequeue(s, now)))
			now = pg_shaper_next_ns(s);
		memcpy(&id, p->l3 + 4, 2);
		memcpy(&sport, p->l3 + 20, 2);
		sport = (uint16_t)(ntohs(sport) - 1100);
		assert_int_equal(ntohs(id), expect_id[sport]++);
		assert_int_equal(p->next_hop, 0x01020304 + sport);
	}
	assert_int_equal(expect_id[0], 50);
	assert_int_equal(expect_id[1], 50);
	{
		struct pg_shaper_stats st;

		/* Drained: no flow or host counts as active, though both still sit in the rounds.
		 */
		pg_shaper_get_stats(s, now, &st);
		assert_int_equal(st.active_flows, 0);
		assert_int_equal(st.active_hosts, 0);
		assert_int_equal(st.backlog_pkts, 0);
	}
	pg_shaper_destroy(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rate_conformance),
		cmocka_unit_test(test_burst_capped),
		cmocka_unit_test(test_fair_hosts_32_vs_1),
		cmocka_unit_test(test_fair_three_hosts),
		cmocka_unit_test(test_codel_drop_schedule),
		cmocka_unit_test(test_codel_mark_schedule),
		cmocka_unit_test(test_codel_below_target_no_drop),
		cmocka_unit_test(test_bounded_queue),
		cmocka_unit_test(test_sparse_flow_no_starvation),
		cmocka_unit_test(test_set_rate),
		cmocka_unit_test(test_validate_and_too_big),
		cmocka_unit_test(test_order_and_next_hop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
