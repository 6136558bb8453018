/* SPDX-License-Identifier: MIT */
/*
 * test_frag.c - fragmented datagrams through the NAT (RFC 4787 REQ-14): in
 * order and out of order, both ways; equal IP ids from two hosts; overlaps,
 * too many fragments, a refused first fragment and fragments whose first
 * never comes; packets and fragments larger than the egress MTU cut into
 * fragments (RFC 791, RFC 4787 REQ-13), with IP options and a batch that
 * runs out of buffers.
 *
 * A datagram is built whole with full checksums, cut into fragments, run
 * through the engine, and what comes out is put back together and verified
 * whole: its transport checksum covers every fragment, so one bad rewrite
 * anywhere fails it.
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

#define T0 1000000ULL
/* docs/ENGINE.md: a datagram is remembered 10 s and may have 16 fragments. */
#define PG_FRAG_LIFE_TEST 10
#define PG_FRAG_RANGES_TEST 16

struct frag {
	uint8_t buf[PGT_BUF];
	uint32_t len;
};

/* Cut datagram d (its IP header 20 bytes) into pieces of `step` payload bytes. */
static unsigned int cut(const uint8_t *d, uint32_t dlen, unsigned int step, struct frag *out)
{
	unsigned int n = 0, off;
	uint32_t pay = dlen - 20;

	for (off = 0; off < pay; off += step, n++) {
		unsigned int len = pay - off < step ? pay - off : step;
		uint16_t fl = (uint16_t)(off / 8) | (off + len < pay ? PGT_IP_MF : 0);

		memcpy(out[n].buf, d, 20);
		memcpy(out[n].buf + 20, d + 20 + off, len);
		out[n].len = 20 + len;
		pgt_put16(out[n].buf + 2, (uint16_t)out[n].len);
		pgt_put16(out[n].buf + 6, fl);
		pgt_put16(out[n].buf + 10, 0);
		pgt_put16(out[n].buf + 10, pgt_cksum(out[n].buf, 20, 0));
	}
	return n;
}

struct result {
	uint8_t buf[PGT_BUF];
	uint32_t len;
	uint8_t verdict;
	uint16_t drop;
};

static struct pg_engine *engine(void)
{
	struct pg_engine *e = pgt_engine_default();

	assert_non_null(e);
	return e;
}

/* Run one fragment; collect it and anything emitted with it into res. */
static unsigned int run(struct pg_engine *e, const struct frag *f, int side, uint64_t t,
			struct result *res)
{
	uint8_t *buf = malloc(PGT_BUF);
	struct pg_pkt p = {.l3 = buf, .len = f->len, .cap = f->len + PG_PKT_ERROR_GROWTH,
			   .side = (uint8_t)side};
	struct pg_pkt *em;
	unsigned int n = 1, k;

	assert_non_null(buf);
	memcpy(buf, f->buf, f->len);
	pg_engine_run(e, &p, 1, t);
	res[0].len = p.len;
	res[0].verdict = p.verdict;
	res[0].drop = p.drop_reason;
	memcpy(res[0].buf, p.l3, p.len);
	k = pg_engine_emitted(e, &em);
	for (unsigned int i = 0; i < k; i++, n++) {
		res[n].len = em[i].len;
		res[n].verdict = em[i].verdict;
		res[n].drop = em[i].drop_reason;
		memcpy(res[n].buf, em[i].l3, em[i].len);
	}
	free(buf);
	return n;
}

/* Put forwarded fragments back together and check the datagram whole. */
static void reassemble_and_check(struct result *r, unsigned int n, uint8_t want_verdict,
				 const char *want_src, const char *want_dst, uint16_t *id_out)
{
	uint8_t whole[PGT_BUF];
	uint32_t end = 0;
	char why[256];
	uint16_t id = 0;

	memset(whole, 0, sizeof(whole));
	for (unsigned int i = 0; i < n; i++) {
		uint16_t fl = pgt_get16(r[i].buf + 6);
		uint32_t off = (uint32_t)(fl & 0x1fff) * 8, len = r[i].len - 20;

		assert_int_equal(r[i].verdict, want_verdict);
		assert_true(pgt_check(r[i].buf, r[i].len, why, sizeof(why)) ||
			    (fl & 0x1fff) || (fl & PGT_IP_MF));
		assert_int_equal(pgt_cksum(r[i].buf, 20, 0), 0);
		assert_int_equal(pgt_ip_src(r[i].buf), pgt_addr(want_src));
		assert_int_equal(pgt_ip_dst(r[i].buf), pgt_addr(want_dst));
		if (i == 0)
			id = pgt_get16(r[i].buf + 4);
		assert_int_equal(pgt_get16(r[i].buf + 4), id); /* one datagram, one id */
		if (off == 0)
			memcpy(whole, r[i].buf, 20);
		memcpy(whole + 20 + off, r[i].buf + 20, len);
		if (20 + off + len > end)
			end = 20 + off + len;
	}
	pgt_put16(whole + 2, (uint16_t)end);
	pgt_put16(whole + 6, 0);
	pgt_put16(whole + 10, 0);
	pgt_put16(whole + 10, pgt_cksum(whole, 20, 0));
	if (!pgt_check(whole, end, why, sizeof(why)))
		fail_msg("reassembled datagram: %s", why);
	if (id_out)
		*id_out = id;
}

static uint32_t build(const struct pgt_spec *s, uint8_t *buf)
{
	uint32_t n = pgt_build(s, NULL, buf, PGT_BUF, NULL);

	assert_true(n > 0);
	return n;
}

static const struct pgt_spec big_out = {.proto = PGT_P_UDP, .src = PGT_H10, .sport = 500,
					.dst = PGT_S1, .dport = 500, .ip_id = 0x4242,
					.paylen = 1200};

static void test_out_in_order_and_reversed(void **state)
{
	struct pg_engine *e = engine();
	struct frag fr[8];
	struct result r[8];
	uint8_t d[PGT_BUF];
	unsigned int n, i, got = 0;

	(void)state;
	n = cut(d, build(&big_out, d), 400, fr);
	assert_int_equal(n, 4);
	for (i = 0; i < n; i++)
		got += run(e, &fr[i], PG_SIDE_LAN, T0, &r[got]);
	assert_int_equal(got, n);
	reassemble_and_check(r, got, PG_VERDICT_TO_WAN, PGT_WAN_ADDR, PGT_S1, NULL);

	/* The same from H11 with the same IP id, last fragment first. */
	{
		struct pgt_spec s2 = big_out;
		uint16_t id1 = pgt_get16(r[0].buf + 4), id2;

		s2.src = PGT_H11;
		n = cut(d, build(&s2, d), 400, fr);
		got = 0;
		for (i = n; i-- > 0;)
			got += run(e, &fr[i], PG_SIDE_LAN, T0 + 10, &r[got]);
		assert_int_equal(got, n);
		reassemble_and_check(r, got, PG_VERDICT_TO_WAN, PGT_WAN_ADDR, PGT_S1, &id2);
		assert_int_not_equal(id1, id2); /* the server must see two datagrams */
	}
	pg_engine_destroy(e);
}

/* A reply datagram from S1 to the mapping H10:500 holds. */
static void open_flow(struct pg_engine *e)
{
	struct pgt_spec s = {.proto = PGT_P_UDP, .src = PGT_H10, .sport = 500, .dst = PGT_S1,
			     .dport = 500, .paylen = 20};
	struct frag f;
	struct result r[2];

	f.len = build(&s, f.buf);
	assert_int_equal(run(e, &f, PG_SIDE_LAN, T0, r), 1);
	assert_int_equal(r[0].verdict, PG_VERDICT_TO_WAN);
}

static const struct pgt_spec big_in = {.proto = PGT_P_UDP, .src = PGT_S1, .sport = 500,
				       .dst = PGT_WAN_ADDR, .dport = 500, .ip_id = 0x77,
				       .paylen = 1400};

static void test_in_out_of_order(void **state)
{
	struct pg_engine *e = engine();
	struct frag fr[8];
	struct result r[8];
	uint8_t d[PGT_BUF];
	unsigned int n, got = 0, k;

	(void)state;
	open_flow(e);
	n = cut(d, build(&big_in, d), 480, fr);
	assert_int_equal(n, 3);
	/* Later fragments first: held. */
	k = run(e, &fr[2], PG_SIDE_WAN, T0 + 100, r);
	assert_int_equal(k, 1);
	assert_int_equal(r[0].verdict, PG_VERDICT_DROP);
	assert_int_equal(r[0].drop, PG_CNT_FRAG_HELD);
	k = run(e, &fr[1], PG_SIDE_WAN, T0 + 110, r);
	assert_int_equal(r[0].drop, PG_CNT_FRAG_HELD);
	/* The first: translated, and the held two come out with it. */
	got = run(e, &fr[0], PG_SIDE_WAN, T0 + 120, r);
	assert_int_equal(got, 3);
	reassemble_and_check(r, got, PG_VERDICT_TO_LAN, PGT_S1, PGT_H10, NULL);
	assert_int_equal(pgt_get16(r[0].buf + 4), 0x77); /* inbound ids are kept */
	pg_engine_destroy(e);
}

static void test_first_never_comes(void **state)
{
	struct pg_engine *e = engine();
	struct frag fr[8];
	struct result r[8];
	uint8_t d[PGT_BUF];

	(void)state;
	open_flow(e);
	cut(d, build(&big_in, d), 480, fr);
	run(e, &fr[1], PG_SIDE_WAN, T0 + 100, r);
	assert_int_equal(r[0].drop, PG_CNT_FRAG_HELD);
	pg_engine_tick(e, T0 + (PG_FRAG_LIFE_TEST + 1) * 1000);
	assert_int_equal(pg_engine_counters(e)[PG_CNT_DROP_FRAG_TIMEOUT], 1);
	/* The buffer is free again: held fragments never leak. */
	for (unsigned int i = 0; i < 100; i++) {
		struct pgt_spec s = big_in;

		s.ip_id = (uint16_t)(1000 + i);
		cut(d, build(&s, d), 480, fr);
		run(e, &fr[1], PG_SIDE_WAN, T0 + 20000 + i, r);
		pg_engine_tick(e, T0 + 20000 + i + (PG_FRAG_LIFE_TEST + 1) * 1000);
	}
	assert_int_equal(pg_engine_counters(e)[PG_CNT_DROP_FRAG_HOLD_FULL], 0);
	pg_engine_destroy(e);
}

static void test_refused_first(void **state)
{
	struct pg_engine *e = engine();
	struct frag fr[8];
	struct result r[8];
	uint8_t d[PGT_BUF];

	(void)state;
	/* No flow: the first fragment is unsolicited, so the rest go too. */
	cut(d, build(&big_in, d), 480, fr);
	run(e, &fr[2], PG_SIDE_WAN, T0, r);
	assert_int_equal(r[0].drop, PG_CNT_FRAG_HELD);
	run(e, &fr[0], PG_SIDE_WAN, T0, r);
	assert_int_equal(r[0].drop, PG_CNT_DROP_UNSOLICITED);
	assert_int_equal(pg_engine_counters(e)[PG_CNT_DROP_FRAG_TIMEOUT], 1);
	run(e, &fr[1], PG_SIDE_WAN, T0, r);
	assert_int_equal(r[0].drop, PG_CNT_DROP_FRAG_REFUSED);
	pg_engine_destroy(e);
}

static void test_overlap(void **state)
{
	struct pg_engine *e = engine();
	struct frag fr[8], f;
	struct result r[8];
	uint8_t d[PGT_BUF];
	struct pgt_spec s = big_out;
	unsigned int n;

	(void)state;
	n = cut(d, build(&s, d), 400, fr);
	run(e, &fr[1], PG_SIDE_LAN, T0, r);
	assert_int_equal(r[0].verdict, PG_VERDICT_TO_WAN);
	/* The same fragment again is a retransmission, not an overlap. */
	run(e, &fr[1], PG_SIDE_LAN, T0, r);
	assert_int_equal(r[0].verdict, PG_VERDICT_TO_WAN);
	/* A fragment starting inside the previous one overlaps. */
	f = fr[1];
	pgt_put16(f.buf + 6, (uint16_t)((400 + 200) / 8) | PGT_IP_MF);
	pgt_put16(f.buf + 10, 0);
	pgt_put16(f.buf + 10, pgt_cksum(f.buf, 20, 0));
	run(e, &f, PG_SIDE_LAN, T0, r);
	assert_int_equal(r[0].drop, PG_CNT_DROP_FRAG_OVERLAP);
	(void)n;
	pg_engine_destroy(e);
}

static void test_too_many(void **state)
{
	struct pg_engine *e = engine();
	static struct frag fr[200];
	struct result r[4];
	uint8_t d[PGT_BUF];
	struct pgt_spec s = big_out;
	unsigned int n, i, too_many = 0;

	(void)state;
	/* 400 bytes in 8-byte pieces: far more fragments than a datagram may have. */
	s.paylen = 400;
	n = cut(d, build(&s, d), 8, fr);
	for (i = 1; i < n; i++) {
		run(e, &fr[i], PG_SIDE_LAN, T0, r);
		too_many += r[0].drop == PG_CNT_DROP_FRAG_TOO_MANY;
	}
	assert_true(too_many > 0);
	assert_int_equal(too_many, n - 1 - PG_FRAG_RANGES_TEST);
	pg_engine_destroy(e);
}

/* An engine whose links have these MTUs. */
static struct pg_engine *engine_mtu(uint16_t lan_mtu, uint16_t wan_mtu)
{
	struct pg_engine_config cfg;
	struct pg_engine *e;

	pgt_config(&cfg);
	cfg.lan_mtu = lan_mtu;
	cfg.wan_mtu = wan_mtu;
	e = pgt_engine_new(&cfg);
	assert_non_null(e);
	return e;
}

/* Every piece within mtu, MF on all but the one ending the datagram. */
static void check_pieces(const struct result *r, unsigned int n, uint32_t mtu)
{
	uint32_t end_max = 0;

	for (unsigned int i = 0; i < n; i++) {
		uint16_t fl = pgt_get16(r[i].buf + 6);
		uint32_t end = (uint32_t)(fl & 0x1fff) * 8 + r[i].len - 20;

		assert_true(r[i].len <= mtu);
		assert_int_equal(fl & PGT_IP_DF, 0);
		if (end > end_max)
			end_max = end;
	}
	for (unsigned int i = 0; i < n; i++) {
		uint16_t fl = pgt_get16(r[i].buf + 6);
		uint32_t end = (uint32_t)(fl & 0x1fff) * 8 + r[i].len - 20;

		assert_int_equal(!!(fl & PGT_IP_MF), end != end_max);
	}
}

static const struct pgt_spec full_out = {.proto = PGT_P_UDP, .src = PGT_H10, .sport = 4000,
					 .dst = PGT_S1, .dport = 4000, .ip_id = 0x1234,
					 .paylen = 1472};

static void test_cut_for_wan_mtu(void **state)
{
	struct pg_engine *e = engine_mtu(1500, 576);
	struct frag f;
	struct result r[8];
	unsigned int got;

	(void)state;
	/* 1500 bytes without DF to a 576-byte WAN: 552 + 552 + 376 bytes of data. */
	f.len = build(&full_out, f.buf);
	got = run(e, &f, PG_SIDE_LAN, T0, r);
	assert_int_equal(got, 3);
	check_pieces(r, got, 576);
	assert_int_equal(r[0].len, 572);
	assert_int_equal(r[2].len, 20 + 376);
	reassemble_and_check(r, got, PG_VERDICT_TO_WAN, PGT_WAN_ADDR, PGT_S1, NULL);
	assert_int_equal(pg_engine_counters(e)[PG_CNT_FRAGMENTED], 1);
	assert_int_equal(pg_engine_counters(e)[PG_CNT_TX_WAN], 3);
	assert_int_equal(pg_engine_counters(e)[PG_CNT_DROP_TOO_BIG], 0);
	pg_engine_destroy(e);
}

static void test_cut_for_lan_mtu(void **state)
{
	struct pg_engine *e = engine_mtu(1000, 1500);
	struct frag f;
	struct result r[8];
	unsigned int got;

	(void)state;
	open_flow(e);
	/* The answer from the WAN is larger than the LAN link takes. */
	f.len = build(&big_in, f.buf);
	got = run(e, &f, PG_SIDE_WAN, T0 + 1, r);
	assert_int_equal(got, 2);
	check_pieces(r, got, 1000);
	reassemble_and_check(r, got, PG_VERDICT_TO_LAN, PGT_S1, PGT_H10, NULL);
	assert_int_equal(pg_engine_counters(e)[PG_CNT_TX_LAN], 2);
	pg_engine_destroy(e);
}

/* Fragments the sender made, first and later ones, cut again to fit. */
static void test_cut_fragments_again(void **state)
{
	struct pg_engine *e = engine_mtu(1500, 576);
	struct frag fr[8];
	struct result r[16];
	uint8_t d[PGT_BUF];
	unsigned int n, got = 0;

	(void)state;
	/* 1208 bytes of UDP in 600-byte fragments: 620-byte packets, too big both. */
	n = cut(d, build(&big_out, d), 600, fr);
	assert_int_equal(n, 3);
	for (unsigned int i = 0; i < n; i++)
		got += run(e, &fr[i], PG_SIDE_LAN, T0, &r[got]);
	assert_int_equal(got, 5);
	check_pieces(r, got, 576);
	reassemble_and_check(r, got, PG_VERDICT_TO_WAN, PGT_WAN_ADDR, PGT_S1, NULL);
	assert_int_equal(pg_engine_counters(e)[PG_CNT_FRAGMENTED], 2);

	/* Inbound, later fragment first (held), then its first: all cut for the LAN. */
	pg_engine_destroy(e);
	e = engine_mtu(576, 1500);
	open_flow(e);
	n = cut(d, build(&big_in, d), 720, fr);
	assert_int_equal(n, 2);
	got = run(e, &fr[1], PG_SIDE_WAN, T0 + 1, r);
	assert_int_equal(r[0].drop, PG_CNT_FRAG_HELD);
	got = run(e, &fr[0], PG_SIDE_WAN, T0 + 1, r);
	assert_int_equal(got, 4);
	check_pieces(r, got, 576);
	reassemble_and_check(r, got, PG_VERDICT_TO_LAN, PGT_S1, PGT_H10, NULL);
	pg_engine_destroy(e);
}

/* A later fragment too big with DF: dropped, and no ICMP error about it. */
static void test_later_fragment_df(void **state)
{
	struct pg_engine *e = engine_mtu(1500, 576);
	struct frag fr[8];
	struct result r[8];
	uint8_t d[PGT_BUF];

	(void)state;
	cut(d, build(&big_out, d), 600, fr);
	pgt_put16(fr[1].buf + 6, (uint16_t)(pgt_get16(fr[1].buf + 6) | PGT_IP_DF));
	pgt_put16(fr[1].buf + 10, 0);
	pgt_put16(fr[1].buf + 10, pgt_cksum(fr[1].buf, 20, 0));
	assert_int_equal(run(e, &fr[1], PG_SIDE_LAN, T0, r), 1);
	assert_int_equal(r[0].verdict, PG_VERDICT_DROP);
	assert_int_equal(r[0].drop, PG_CNT_DROP_FRAG_NEEDED);
	assert_int_equal(pg_engine_counters(e)[PG_CNT_ICMP_ERR_SENT], 0);
	pg_engine_destroy(e);
}

/* Options with the copied flag go into every piece, the others only the first. */
static void test_cut_options(void **state)
{
	/* Router alert (copied, RFC 2113), then a timestamp option (not copied). */
	static const uint8_t opts[] = {0x94, 0x04, 0x00, 0x00, 0x44, 0x08, 0x05, 0x00,
				       0x00, 0x00, 0x00, 0x00};
	struct pg_engine *e = engine_mtu(1500, 576);
	struct pgt_spec s = full_out;
	struct frag f;
	struct result r[8];
	unsigned int got;
	uint32_t total = 0;

	(void)state;
	s.ip_opts = opts;
	s.ip_optlen = sizeof(opts);
	f.len = build(&s, f.buf);
	got = run(e, &f, PG_SIDE_LAN, T0, r);
	assert_int_equal(got, 3);
	assert_int_equal(r[0].buf[0], 0x48); /* 32-byte header, both options */
	assert_memory_equal(r[0].buf + 20, opts, sizeof(opts));
	for (unsigned int i = 0; i < got; i++) {
		unsigned int hl = (r[i].buf[0] & 0x0f) * 4u;

		assert_true(r[i].len <= 576);
		assert_int_equal(pgt_cksum(r[i].buf, hl, 0), 0);
		if (i > 0) {
			assert_int_equal(r[i].buf[0], 0x46); /* router alert alone */
			assert_memory_equal(r[i].buf + 20, opts, 4);
		}
		assert_int_equal((pgt_get16(r[i].buf + 6) & 0x1fff) * 8u, total);
		total += r[i].len - hl;
	}
	assert_int_equal(total, 1480);
	pg_engine_destroy(e);
}

/* More to cut in one batch than there are buffers: the rest is counted. */
static void test_cut_batch_full(void **state)
{
	enum { N = 200 };
	struct pg_engine *e = engine_mtu(1500, 576);
	static uint8_t bufs[N][PGT_BUF];
	static struct pg_pkt p[N];
	struct pg_pkt *em;
	unsigned int i, cutn = 0, too_big = 0, k;
	uint32_t len;

	(void)state;
	for (i = 0; i < N; i++) {
		struct pgt_spec s = full_out;

		s.sport = 4000 + i;
		len = build(&s, bufs[i]);
		p[i] = (struct pg_pkt){.l3 = bufs[i], .len = len, .cap = PGT_BUF,
				       .side = PG_SIDE_LAN};
	}
	pg_engine_run(e, p, N, T0);
	for (i = 0; i < N; i++) {
		cutn += p[i].verdict == PG_VERDICT_TO_WAN;
		too_big += p[i].drop_reason == PG_CNT_DROP_TOO_BIG;
	}
	k = pg_engine_emitted(e, &em);
	/* Two more pieces each: 128 packets fit the 256 buffers. */
	assert_int_equal(cutn, 128);
	assert_int_equal(too_big, N - 128);
	assert_int_equal(k, 256);
	for (i = 0; i < k; i++) {
		assert_int_equal(em[i].verdict, PG_VERDICT_TO_WAN);
		assert_true(em[i].len <= 576 && em[i].len <= em[i].cap);
	}
	/* The next batch has all its buffers again. */
	pg_engine_run(e, p, 1, T0 + 1);
	assert_int_equal(pg_engine_emitted(e, &em), 0); /* p[0] was cut in place: fits now */
	pg_engine_destroy(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_out_in_order_and_reversed),
		cmocka_unit_test(test_in_out_of_order),
		cmocka_unit_test(test_first_never_comes),
		cmocka_unit_test(test_refused_first),
		cmocka_unit_test(test_overlap),
		cmocka_unit_test(test_too_many),
		cmocka_unit_test(test_cut_for_wan_mtu),
		cmocka_unit_test(test_cut_for_lan_mtu),
		cmocka_unit_test(test_cut_fragments_again),
		cmocka_unit_test(test_later_fragment_df),
		cmocka_unit_test(test_cut_options),
		cmocka_unit_test(test_cut_batch_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
