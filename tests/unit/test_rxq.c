/* SPDX-License-Identifier: MIT */
/*
 * test_rxq.c - light flows first in front of the engine (src/dp/rxq.c),
 * against a model: a ping queued behind an upload's backlog comes out
 * first and alone; the bulk lane is served every other pass at least;
 * no flow ever overtakes itself and every frame is forwarded, dropped
 * (counted) or still waiting; a full queue drops the bulk lane's oldest;
 * CoDel leaves a queue under target alone and drops from one that stays
 * over it for an interval; IPv6 flows are told apart, ARP is light.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dp/rxq.h"

#define MS 1000000ULL
#define FLOWS 8
#define OUT 64

static uint8_t out_bufs[OUT][PG_FRAME_SIZE];

/*
 * Write frame flow/seq into f: IPv4 TCP from 192.168.1.(10 + flow),
 * source port 1000 + flow; flow FLOWS is ICMP (the ping), FLOWS + 1 ARP,
 * FLOWS + 2 IPv6 UDP. The flow and sequence number ride in the payload.
 */
static void frame(struct pg_rx_frame *f, unsigned int flow, uint32_t seq)
{
	uint8_t *e = f->buf + PG_FRAME_ETH_OFF, *ip = e + 14;

	memset(e, 0, 120);
	f->len = 120;
	f->flags = 0;
	if (flow == FLOWS + 1) {
		e[12] = 0x08, e[13] = 0x06;
	} else if (flow == FLOWS + 2) {
		e[12] = 0x86, e[13] = 0xdd;
		ip[0] = 0x60, ip[6] = 17;
		ip[8 + 15] = 7, ip[24 + 15] = 9;
		ip[40] = 0x10, ip[41] = (uint8_t)seq; /* each seq its own source port */
	} else {
		e[12] = 0x08, e[13] = 0x00;
		ip[0] = 0x45, ip[9] = flow == FLOWS ? 1 : 6;
		ip[12] = 192, ip[13] = 168, ip[14] = 1, ip[15] = (uint8_t)(10 + flow);
		ip[16] = 203, ip[17] = 0, ip[18] = 113, ip[19] = 10;
		ip[20] = (uint8_t)((1000 + flow) >> 8), ip[21] = (uint8_t)(1000 + flow);
	}
	e[100] = (uint8_t)flow;
	memcpy(e + 104, &seq, sizeof(seq));
}

static unsigned int flow_of(const struct pg_rx_frame *f)
{
	return f->buf[PG_FRAME_ETH_OFF + 100];
}

static uint32_t seq_of(const struct pg_rx_frame *f)
{
	uint32_t s;

	memcpy(&s, f->buf + PG_FRAME_ETH_OFF + 104, sizeof(s));
	return s;
}

/* Queue n frames of one flow (seq from *seq on), as a receive would. */
static void push(struct pg_rxq *q, unsigned int flow, unsigned int n, uint32_t *seq, uint64_t now)
{
	while (n) {
		struct pg_rx_frame *f;
		unsigned int room = pg_rxq_room(q, &f), k = n < room ? n : room;

		assert_true(room > 0);
		for (unsigned int i = 0; i < k; i++)
			frame(&f[i], flow, (*seq)++);
		pg_rxq_push(q, k, now);
		n -= k;
	}
}

static unsigned int pop(struct pg_rxq *q, struct pg_rx_frame *out, uint64_t now)
{
	for (unsigned int i = 0; i < OUT; i++)
		out[i].buf = out_bufs[i];
	return pg_rxq_pop(q, out, OUT, now);
}

static uint64_t drops(const struct pg_rxq *q)
{
	return pg_rxq_count(q, PG_RXQ_CNT_DROP_CODEL) + pg_rxq_count(q, PG_RXQ_CNT_DROP_FULL);
}

static void test_ping_first_and_alone(void **state)
{
	struct pg_rxq *q = pg_rxq_create(1);
	struct pg_rx_frame out[OUT];
	uint32_t seq[FLOWS + 1] = { 0 };
	unsigned int n;

	(void)state;
	/* An upload, 4 flows, 200 frames: each flow's first frames are light. */
	for (int r = 0; r < 50; r++)
		for (unsigned int fl = 0; fl < 4; fl++)
			push(q, fl, 1, &seq[fl], 0);
	n = pop(q, out, 0);
	assert_int_equal(n, 4 * PG_RXQ_HEAVY);
	for (unsigned int i = 0; i < n; i++)
		assert_true(seq_of(&out[i]) < PG_RXQ_HEAVY);
	/* Then the bulk lane, in arrival order. */
	n = pop(q, out, 0);
	assert_int_equal(n, OUT);
	for (unsigned int i = 0; i < n; i++) {
		assert_int_equal(flow_of(&out[i]), i % 4);
		assert_int_equal(seq_of(&out[i]), PG_RXQ_HEAVY + i / 4);
	}
	/* A ping arrives behind 120 upload frames and between two more rounds: first, alone. */
	for (unsigned int fl = 0; fl < 4; fl++)
		push(q, fl, 1, &seq[fl], 0);
	push(q, FLOWS, 1, &seq[FLOWS], 0);
	for (unsigned int fl = 0; fl < 4; fl++)
		push(q, fl, 1, &seq[fl], 0);
	n = pop(q, out, 0);
	assert_int_equal(n, 1);
	assert_int_equal(flow_of(&out[0]), FLOWS);
	assert_int_equal(out[0].len, 120);
	n = pop(q, out, 0);
	assert_int_equal(n, OUT);
	assert_int_equal(seq_of(&out[0]), PG_RXQ_HEAVY + OUT / 4);
	assert_int_equal(pg_rxq_backlog(q), 208 - 4 * PG_RXQ_HEAVY - 2 * OUT);
	assert_int_equal(pg_rxq_count(q, PG_RXQ_CNT_LIGHT), 4 * PG_RXQ_HEAVY + 1);
	pg_rxq_destroy(q);
}

static void test_bulk_not_starved(void **state)
{
	struct pg_rxq *q = pg_rxq_create(2);
	struct pg_rx_frame out[OUT];
	uint32_t seq[FLOWS + 1] = { 0 };
	unsigned int bulk_passes = 0;

	(void)state;
	push(q, 0, 500, &seq[0], 0);
	pop(q, out, 0); /* the flow's first, light frames */
	/* A new light frame before every pass: still, every other pass is the bulk lane's. */
	for (int pass = 0; pass < 8; pass++) {
		unsigned int n;

		push(q, FLOWS, 1, &seq[FLOWS], 0);
		n = pop(q, out, 0);
		assert_int_equal(flow_of(&out[0]), FLOWS);
		if (n > 1)
			bulk_passes++;
	}
	assert_int_equal(bulk_passes, 4);
	pg_rxq_destroy(q);
}

/* Random pushes and pops: per-flow order holds, every frame is accounted for. */
static void test_model_order_and_conservation(void **state)
{
	struct pg_rxq *q = pg_rxq_create(3);
	struct pg_rx_frame out[OUT];
	uint32_t seq[FLOWS + 3] = { 0 }, next[FLOWS + 3] = { 0 };
	uint64_t pushed = 0, popped = 0, now = 0;

	(void)state;
	srand(7);
	for (int step = 0; step < 20000; step++) {
		unsigned int fl = (unsigned int)rand() % (FLOWS + 2), n = (unsigned int)rand() % 100;

		now += (uint64_t)(rand() % 200) * 1000;
		push(q, fl, n, &seq[fl], now);
		pushed += n;
		if (rand() % 2) {
			unsigned int got = pop(q, out, now);

			for (unsigned int i = 0; i < got; i++) {
				unsigned int f = flow_of(&out[i]);

				assert_true(f < FLOWS + 2);
				/* Dropped frames leave gaps, never a step back. */
				assert_true(seq_of(&out[i]) >= next[f]);
				next[f] = seq_of(&out[i]) + 1;
			}
			popped += got;
		}
		assert_true(pg_rxq_backlog(q) <= PG_RXQ_FRAMES);
		assert_int_equal(pushed, popped + drops(q) + pg_rxq_backlog(q));
	}
	assert_true(drops(q) > 0);
	pg_rxq_destroy(q);
}

static void test_full_drops_oldest_bulk(void **state)
{
	struct pg_rxq *q = pg_rxq_create(4);
	struct pg_rx_frame out[OUT];
	uint32_t seq[FLOWS + 1] = { 0 };
	unsigned int n;

	(void)state;
	push(q, 0, PG_RXQ_FRAMES, &seq[0], 0);
	assert_int_equal(pg_rxq_backlog(q), PG_RXQ_FRAMES);
	/* Full: the next frames take the place of the oldest bulk ones. */
	push(q, 0, 10, &seq[0], 0);
	assert_int_equal(pg_rxq_count(q, PG_RXQ_CNT_DROP_FULL), OUT);
	/* The first PG_RXQ_HEAVY were light and went first... */
	n = pop(q, out, 0);
	assert_int_equal(n, PG_RXQ_HEAVY);
	assert_int_equal(seq_of(&out[0]), 0);
	/* ...then the bulk lane starts after the dropped ones. */
	n = pop(q, out, 0);
	assert_int_equal(n, OUT);
	assert_int_equal(seq_of(&out[0]), PG_RXQ_HEAVY + OUT);
	pg_rxq_destroy(q);
}

/* A queue drained each pass with frames that waited sojourn: does CoDel drop? */
static uint64_t run_codel(uint64_t sojourn, uint64_t duration)
{
	struct pg_rxq *q = pg_rxq_create(5);
	struct pg_rx_frame out[OUT];
	uint32_t seq = 0;
	uint64_t d;

	for (uint64_t now = 0; now < duration; now += MS / 4) {
		push(q, 0, 32, &seq, now);
		/* The frames queued sojourn ago leave now (and the light ones). */
		while (pg_rxq_backlog(q) > 32 * (sojourn / (MS / 4)) + 32)
			pop(q, out, now);
	}
	d = pg_rxq_count(q, PG_RXQ_CNT_DROP_CODEL);
	pg_rxq_destroy(q);
	return d;
}

static void test_codel(void **state)
{
	(void)state;
	/* Under target: never. */
	assert_int_equal(run_codel(PG_RXQ_TARGET_NS / 2, 10 * PG_RXQ_INTERVAL_NS), 0);
	/* Over target for less than an interval: not yet. */
	assert_int_equal(run_codel(4 * PG_RXQ_TARGET_NS, PG_RXQ_INTERVAL_NS / 2), 0);
	/* Over target for ten intervals: drops, more than one per interval. */
	assert_true(run_codel(4 * PG_RXQ_TARGET_NS, 10 * PG_RXQ_INTERVAL_NS) > 10);
}

static void test_flows_told_apart(void **state)
{
	struct pg_rxq *q = pg_rxq_create(6);
	struct pg_rx_frame out[OUT];
	uint32_t seq[FLOWS + 3] = { 0 };

	(void)state;
	/* 40 IPv6 UDP frames, each its own source port: all light (few share a bucket). */
	push(q, FLOWS + 2, 40, &seq[FLOWS + 2], 0);
	assert_true(pg_rxq_count(q, PG_RXQ_CNT_LIGHT) == 0);
	assert_int_equal(pop(q, out, 0), 40);
	assert_true(pg_rxq_count(q, PG_RXQ_CNT_LIGHT) >= 36);
	/* ARP behind a bulk flow: light, first. */
	push(q, 0, 100, &seq[0], 0);
	assert_int_equal(pop(q, out, 0), PG_RXQ_HEAVY);
	push(q, FLOWS + 1, 1, &seq[FLOWS + 1], 0);
	assert_int_equal(pop(q, out, 0), OUT);
	assert_int_equal(flow_of(&out[0]), FLOWS + 1);
	assert_int_equal(flow_of(&out[1]), 0);
	pg_rxq_destroy(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ping_first_and_alone),
		cmocka_unit_test(test_bulk_not_starved),
		cmocka_unit_test(test_model_order_and_conservation),
		cmocka_unit_test(test_full_drops_oldest_bulk),
		cmocka_unit_test(test_codel),
		cmocka_unit_test(test_flows_told_apart),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
