/* SPDX-License-Identifier: MIT */
/*
 * test_csum.c - the engine's checksum code against RFC 1071's examples and
 * against full recomputation by the test library's independent code.
 *
 * Incremental updates (RFC 1624) are where NATs go wrong quietly: a packet
 * with a wrong checksum is dropped by the far host, not by us. Every update
 * here is checked against a from-scratch sum over hundreds of thousands of
 * random packets and fields, with the all-zero and all-one values (the two
 * representations of zero) forced often, since that is where the bugs live.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../lib/pktbuild.h"
#include "engine/csum.h"

#define ROUNDS 100000

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

/* xorshift64*: fixed seed, so a failure reproduces. */
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

/* A 16-bit value, often one of the edge cases. */
static uint16_t rnd16(void)
{
	switch (rnd() % 8) {
	case 0:
		return 0;
	case 1:
		return 0xffff;
	case 2:
		return 1;
	default:
		return (uint16_t)rnd();
	}
}

static void rnd_fill(uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)rnd();
	/* Runs of 0x00 and 0xff push sums onto the zero boundary. */
	if (n >= 8 && rnd() % 4 == 0)
		memset(p, rnd() % 2 ? 0xff : 0, n / 2);
}

static bool all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

static uint16_t wire16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}

static uint32_t wire32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* RFC 1071 section 3: 00 01 f2 03 f4 f5 f6 f7 sums to 0xddf2. */
static void test_rfc1071_example(void **state)
{
	const uint8_t b[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	uint16_t c = pg_csum(b, sizeof(b));
	uint8_t w[2];

	(void)state;
	memcpy(w, &c, 2);
	assert_int_equal(w[0], 0x22);
	assert_int_equal(w[1], 0x0d);
	assert_int_equal(pgt_cksum(b, sizeof(b), 0), 0x220d);
	/* The sum is byte-order independent: folding the partial gives it too. */
	c = (uint16_t)~pg_csum_fold(pg_csum_partial(b, sizeof(b), 0));
	assert_int_equal(ntohs(c), 0xddf2);
}

/* A classic IPv4 header: 192.168.0.1 > 192.168.0.199, checksum b861. */
static void test_ip_header_example(void **state)
{
	uint8_t h[20] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
			  0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };
	uint16_t c;

	(void)state;
	c = pg_csum(h, sizeof(h));
	memcpy(h + 10, &c, 2);
	assert_int_equal(h[10], 0xb8);
	assert_int_equal(h[11], 0x61);
	/* A header with a valid checksum sums to zero (stored as 0). */
	assert_int_equal(pg_csum(h, sizeof(h)), 0);
}

/* Odd length: the last byte is the high half of a zero-padded word. */
static void test_odd_length(void **state)
{
	const uint8_t b[] = { 0x01, 0x02, 0x03 };
	uint16_t c = pg_csum(b, sizeof(b));

	(void)state;
	assert_int_equal(ntohs(c), 0xfbfd);
}

/* Partial sums chain at any even split and equal the one-shot sum. */
static void test_partial_chaining(void **state)
{
	uint8_t b[1501];
	int i;

	(void)state;
	for (i = 0; i < ROUNDS / 10; i++) {
		size_t len = rnd() % sizeof(b), cut = (rnd() % (len + 1)) & ~(size_t)1;
		uint16_t whole, chained;

		rnd_fill(b, len);
		whole = pg_csum(b, len);
		chained =
		    pg_csum_fold(pg_csum_partial(b + cut, len - cut, pg_csum_partial(b, cut, 0)));
		assert_int_equal(whole, chained);
		assert_int_equal(ntohs(whole), pgt_cksum(b, (uint32_t)len, 0));
	}
}

/* The pseudo-header sum agrees with the test library's. */
static void test_pseudo_header(void **state)
{
	uint8_t b[64];
	int i;

	(void)state;
	for (i = 0; i < ROUNDS / 10; i++) {
		uint32_t s = (uint32_t)rnd(), d = (uint32_t)rnd();
		uint8_t proto = rnd() % 2 ? 6 : 17;
		uint16_t len = (uint16_t)(8 + rnd() % 56), mine, theirs;

		rnd_fill(b, len);
		theirs = pg_csum_fold(
		    pg_csum_partial(b, len, pg_csum_pseudo(htonl(s), htonl(d), proto, len)));
		mine = pgt_cksum(b, len, pgt_pseudo_sum(s, d, proto, len));
		assert_int_equal(ntohs(theirs), mine);
	}
}

/* RFC 1624 section 4: HC 0xdd2f, field 0x5555 -> 0x3285 gives 0x0000. */
static void test_rfc1624_example(void **state)
{
	uint16_t c = htons(0xdd2f);

	(void)state;
	pg_csum_replace16(&c, htons(0x5555), htons(0x3285));
	assert_int_equal(ntohs(c), 0x0000);
}

/*
 * A random buffer with a checksum at cs (even offset); change the 16-bit
 * field at f, update incrementally, compare with a full recomputation.
 */
static void test_replace16_random(void **state)
{
	uint8_t b[1500];
	int i;

	(void)state;
	for (i = 0; i < ROUNDS; i++) {
		size_t len = 4 + 2 * (rnd() % (sizeof(b) / 2 - 2));
		size_t cs = 2 * (rnd() % (len / 2)), f;
		uint16_t c, oldv, newv, full;

		do
			f = 2 * (rnd() % (len / 2));
		while (f == cs);
		rnd_fill(b, len);
		memset(b + cs, 0, 2);
		if (rnd() % 4 == 0)
			pgt_put16(b + f, rnd16());
		pgt_put16(b + cs, pgt_cksum(b, (uint32_t)len, 0));
		memcpy(&c, b + cs, 2);
		oldv = wire16(b + f);
		newv = htons(rnd16());
		memcpy(b + f, &newv, 2);
		pg_csum_replace16(&c, oldv, newv);
		memset(b + cs, 0, 2);
		/*
		 * All-zero data sums to +0, which no real header does (the IP
		 * version, the protocol in a pseudo-header): there a full
		 * recomputation stores 0xffff and RFC 1624 rightly gives 0.
		 */
		if (all_zero(b, len))
			continue;
		full = pgt_cksum(b, (uint32_t)len, 0);
		if (ntohs(c) != full)
			fail_msg("round %d: len %zu field %zu 0x%04x->0x%04x: incremental 0x%04x "
				 "full 0x%04x",
				 i, len, f, ntohs(oldv), ntohs(newv), ntohs(c), full);
	}
}

/* Same for 32-bit fields (addresses) at any even offset. */
static void test_replace32_random(void **state)
{
	uint8_t b[1500];
	int i;

	(void)state;
	for (i = 0; i < ROUNDS; i++) {
		size_t len = 8 + 2 * (rnd() % (sizeof(b) / 2 - 4));
		size_t cs = 2 * (rnd() % (len / 2)), f;
		uint32_t oldv, newv;
		uint16_t c, full;

		do
			f = 2 * (rnd() % ((len - 2) / 2));
		while (f + 4 > cs && f < cs + 2);
		rnd_fill(b, len);
		memset(b + cs, 0, 2);
		pgt_put16(b + cs, pgt_cksum(b, (uint32_t)len, 0));
		memcpy(&c, b + cs, 2);
		oldv = wire32(b + f);
		newv = rnd() % 8 == 0 ? (rnd() % 2 ? 0 : 0xffffffffu) : (uint32_t)rnd();
		memcpy(b + f, &newv, 4);
		pg_csum_replace32(&c, oldv, newv);
		memset(b + cs, 0, 2);
		if (all_zero(b, len))
			continue;
		full = pgt_cksum(b, (uint32_t)len, 0);
		if (ntohs(c) != full)
			fail_msg("round %d: len %zu field %zu: incremental 0x%04x full 0x%04x", i,
				 len, f, ntohs(c), full);
	}
}

/*
 * What NAT does to TCP: the source address (pseudo-header only) and the
 * source port (in the segment) change; two updates on one checksum.
 */
static void test_tcp_translation_random(void **state)
{
	uint8_t seg[1480];
	int i;

	(void)state;
	for (i = 0; i < ROUNDS; i++) {
		uint32_t len = 20 + (uint32_t)(rnd() % (sizeof(seg) - 20));
		uint32_t s = (uint32_t)rnd(), d = (uint32_t)rnd(), s2 = (uint32_t)rnd();
		uint16_t c, port2 = htons(rnd16()), oldport, full;

		rnd_fill(seg, len);
		memset(seg + 16, 0, 2);
		pgt_put16(seg + 16, pgt_cksum(seg, len, pgt_pseudo_sum(s, d, 6, len)));
		memcpy(&c, seg + 16, 2);
		oldport = wire16(seg);
		pg_csum_replace32(&c, htonl(s), htonl(s2));
		pg_csum_replace16(&c, oldport, port2);
		memcpy(seg, &port2, 2);
		memset(seg + 16, 0, 2);
		full = pgt_cksum(seg, len, pgt_pseudo_sum(s2, d, 6, len));
		if (ntohs(c) != full)
			fail_msg("round %d: incremental 0x%04x full 0x%04x", i, ntohs(c), full);
	}
}

/*
 * UDP: a computed 0 is sent as 0xffff (RFC 768) and 0 means "no checksum".
 * Updating a stored 0xffff must work (it is the same number as 0 in one's
 * complement), and where the new sum is zero the update yields 0x0000, the
 * value a caller must turn into 0xffff for UDP. After that mapping the result
 * equals the UDP full recomputation in every case.
 */
static void test_udp_zero_semantics(void **state)
{
	uint8_t seg[512];
	int i, zero_results = 0, ffff_starts = 0;

	(void)state;
	for (i = 0; i < ROUNDS; i++) {
		uint32_t len = 8 + (uint32_t)(rnd() % (sizeof(seg) - 8));
		uint32_t s = (uint32_t)rnd(), d = (uint32_t)rnd(), s2 = (uint32_t)rnd();
		uint16_t c, full, port2, oldport;

		rnd_fill(seg, len);
		pgt_put16(seg + 4, (uint16_t)len);
		memset(seg + 6, 0, 2);
		if (i % 2) {
			/*
			 * Make the new packet's sum come out as zero: pick the new
			 * source port that cancels everything else.
			 */
			uint16_t rest;

			memset(seg, 0, 2);
			rest = pgt_cksum(seg, len, pgt_pseudo_sum(s2, d, 17, len));
			port2 = htons(rest); /* sum + ~sum = -0 */
		} else {
			port2 = htons(rnd16());
		}
		if (i % 3 == 0) {
			/* And make the old packet's stored checksum 0xffff. */
			uint16_t rest;

			memset(seg, 0, 2);
			rest = pgt_cksum(seg, len, pgt_pseudo_sum(s, d, 17, len));
			pgt_put16(seg, rest);
		}
		c = pgt_cksum(seg, len, pgt_pseudo_sum(s, d, 17, len));
		if (!c) {
			c = 0xffff;
			ffff_starts++;
		}
		pgt_put16(seg + 6, c);
		memcpy(&c, seg + 6, 2);
		oldport = wire16(seg);
		pg_csum_replace32(&c, htonl(s), htonl(s2));
		pg_csum_replace16(&c, oldport, port2);
		assert_int_not_equal(ntohs(c), 0xffff); /* never the other zero */
		if (!c) {
			zero_results++;
			c = 0xffff;
		}
		memcpy(seg, &port2, 2);
		memset(seg + 6, 0, 2);
		full = pgt_cksum(seg, len, pgt_pseudo_sum(s2, d, 17, len));
		if (!full)
			full = 0xffff;
		if (ntohs(c) != full)
			fail_msg("round %d: incremental 0x%04x full (RFC 768) 0x%04x", i, ntohs(c),
				 full);
	}
	/* The edge cases really were exercised. */
	assert_true(zero_results > ROUNDS / 4);
	assert_true(ffff_starts > ROUNDS / 8);
}

/* Every old value, many new values, against a fixed rest of the packet. */
static void test_replace16_all_old_values(void **state)
{
	uint32_t old;

	(void)state;
	for (old = 0; old <= 0xffff; old++) {
		uint8_t b[8];
		int k;

		rnd_fill(b, sizeof(b));
		pgt_put16(b, (uint16_t)old);
		for (k = 0; k < 8; k++) {
			uint16_t c, nv = k == 0 ? 0 : k == 1 ? 0xffff : (uint16_t)rnd(), full;

			pgt_put16(b, (uint16_t)old);
			memset(b + 6, 0, 2);
			pgt_put16(b + 6, pgt_cksum(b, sizeof(b), 0));
			memcpy(&c, b + 6, 2);
			pg_csum_replace16(&c, htons((uint16_t)old), htons(nv));
			pgt_put16(b, nv);
			memset(b + 6, 0, 2);
			if (all_zero(b, sizeof(b)))
				continue;
			full = pgt_cksum(b, sizeof(b), 0);
			if (ntohs(c) != full)
				fail_msg("0x%04x->0x%04x: incremental 0x%04x full 0x%04x", old, nv,
					 ntohs(c), full);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc1071_example),
		cmocka_unit_test(test_ip_header_example),
		cmocka_unit_test(test_odd_length),
		cmocka_unit_test(test_partial_chaining),
		cmocka_unit_test(test_pseudo_header),
		cmocka_unit_test(test_rfc1624_example),
		cmocka_unit_test(test_replace16_random),
		cmocka_unit_test(test_replace32_random),
		cmocka_unit_test(test_tcp_translation_random),
		cmocka_unit_test(test_udp_zero_semantics),
		cmocka_unit_test(test_replace16_all_old_values),
	};

	return cmocka_run_group_tests_name("csum", tests, NULL, NULL);
}
