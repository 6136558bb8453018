/* SPDX-License-Identifier: MIT */
/*
 * test_arp.c - ARP building and parsing, bounds checks on short and
 * malformed messages, and the link's ARP behaviour: answer requests for our
 * address, learn senders, ignore the rest.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "l2/arp.h"
#include "l2/l2_counters.h"
#include "l2/port.h"

static const uint8_t our_mac[6] = {0x02, 0, 0, 0, 0, 0x01};
static const uint8_t host_mac[6] = {0x02, 0, 0, 0, 0, 0x10};

static uint32_t ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

/* Frames the link under test transmitted. */
static uint8_t sent[8][128];
static uint32_t sent_len[8];
static unsigned int n_sent;

static int record_tx(void *ctx, const uint8_t *frame, uint32_t len)
{
	(void)ctx;
	if (n_sent >= 8)
		return -ENOBUFS;
	memcpy(sent[n_sent], frame, len < 128 ? len : 128);
	sent_len[n_sent++] = len;
	return 0;
}

static void build_request(uint8_t *frame, const uint8_t *sha, uint32_t spa, uint32_t tpa)
{
	struct pg_arp a = {.op = PG_ARP_OP_REQUEST, .spa = spa, .tpa = tpa};

	memcpy(a.sha, sha, 6);
	assert_int_equal(pg_arp_build(frame, 60, pg_eth_broadcast, &a), 60);
}

static void test_build_parse_round_trip(void **state)
{
	uint8_t frame[64];
	struct pg_arp a, b;
	struct pg_eth_hdr h;

	(void)state;
	memset(frame, 0xaa, sizeof(frame));
	build_request(frame, host_mac, ip("192.168.1.10"), ip("192.168.1.1"));
	assert_int_equal(pg_eth_parse(frame, 60, &h), 0);
	assert_memory_equal(h.dst, pg_eth_broadcast, 6);
	assert_memory_equal(h.src, host_mac, 6);
	assert_int_equal(h.type, PG_ETH_P_ARP);
	/* Wire bytes: htype 1, ptype 0x0800, hlen 6, plen 4, op 1. */
	static const uint8_t fixed[8] = {0, 1, 8, 0, 6, 4, 0, 1};
	assert_memory_equal(frame + 14, fixed, 8);
	/* Padding to 60 bytes is zero. */
	for (int i = 14 + PG_ARP_LEN; i < 60; i++)
		assert_int_equal(frame[i], 0);
	assert_int_equal(pg_arp_parse(frame + 14, 46, &a), 0);
	assert_int_equal(a.op, PG_ARP_OP_REQUEST);
	assert_memory_equal(a.sha, host_mac, 6);
	assert_int_equal(a.spa, ip("192.168.1.10"));
	assert_int_equal(a.tpa, ip("192.168.1.1"));

	b = a;
	b.op = PG_ARP_OP_REPLY;
	assert_int_equal(pg_arp_build(frame, sizeof(frame), host_mac, &b), 60);
	assert_int_equal(frame[21], 2);
	/* Too little room: nothing is built. */
	assert_int_equal(pg_arp_build(frame, 59, host_mac, &b), 0);
}

static void test_parse_bounds(void **state)
{
	uint8_t frame[60];
	struct pg_arp a;

	(void)state;
	build_request(frame, host_mac, ip("192.168.1.10"), ip("192.168.1.1"));
	/* Every length short of the 28-byte body is refused, never read past. */
	for (size_t len = 0; len < PG_ARP_LEN; len++)
		assert_int_equal(pg_arp_parse(frame + 14, len, &a), PG_L2_CNT_DROP_ARP_MALFORMED);
	assert_int_equal(pg_arp_parse(frame + 14, PG_ARP_LEN, &a), 0);
}

static void test_parse_malformed(void **state)
{
	static const struct {
		unsigned int off;
		uint8_t val;
		int want;
	} cases[] = {
		{1, 6, PG_L2_CNT_DROP_ARP_UNSUPPORTED},    /* htype IEEE 802 */
		{2, 0x86, PG_L2_CNT_DROP_ARP_UNSUPPORTED}, /* ptype not IPv4 */
		{4, 8, PG_L2_CNT_DROP_ARP_UNSUPPORTED},    /* hlen */
		{5, 16, PG_L2_CNT_DROP_ARP_UNSUPPORTED},   /* plen */
		{7, 3, PG_L2_CNT_DROP_ARP_UNSUPPORTED},    /* RARP request */
		{7, 0, PG_L2_CNT_DROP_ARP_UNSUPPORTED},    /* op 0 */
		{8, 0x01, PG_L2_CNT_DROP_ARP_MALFORMED},   /* multicast sender */
	};
	uint8_t frame[60];
	struct pg_arp a;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		build_request(frame, host_mac, ip("192.168.1.10"), ip("192.168.1.1"));
		frame[14 + cases[i].off] = cases[i].val;
		assert_int_equal(pg_arp_parse(frame + 14, 46, &a), cases[i].want);
	}
	/* An all-zero sender MAC. */
	static const uint8_t zero[6];
	build_request(frame, zero, ip("192.168.1.10"), ip("192.168.1.1"));
	assert_int_equal(pg_arp_parse(frame + 14, 46, &a), PG_L2_CNT_DROP_ARP_MALFORMED);
}

static void port_setup(struct pg_port *p)
{
	n_sent = 0;
	assert_int_equal(pg_port_init(p, "lan0", PG_SIDE_LAN, our_mac, ip("192.168.1.1"), 24, 0,
				      1500, record_tx, NULL),
			 0);
}

static void test_port_answers_request(void **state)
{
	struct pg_port p;
	struct pg_pkt pkt;
	uint8_t frame[60];
	struct pg_arp r;
	const struct pg_neigh_entry *n;

	(void)state;
	port_setup(&p);
	build_request(frame, host_mac, ip("192.168.1.10"), ip("192.168.1.1"));
	assert_false(pg_port_input(&p, frame, 60, 60, 0, 1000, &pkt));
	assert_int_equal(n_sent, 1);
	assert_int_equal(sent_len[0], 60);
	assert_memory_equal(sent[0], host_mac, 6); /* unicast back */
	assert_memory_equal(sent[0] + 6, our_mac, 6);
	assert_int_equal(pg_arp_parse(sent[0] + 14, 46, &r), 0);
	assert_int_equal(r.op, PG_ARP_OP_REPLY);
	assert_memory_equal(r.sha, our_mac, 6);
	assert_int_equal(r.spa, ip("192.168.1.1"));
	assert_memory_equal(r.tha, host_mac, 6);
	assert_int_equal(r.tpa, ip("192.168.1.10"));
	assert_int_equal(p.cnt[PG_L2_CNT_ARP_REPLIED], 1);
	/* The asker was learnt. */
	n = pg_neigh_find(&p.neigh, ip("192.168.1.10"));
	assert_non_null(n);
	assert_int_equal(n->state, PG_NEIGH_REACHABLE);
	assert_memory_equal(n->mac, host_mac, 6);
	pg_port_fini(&p);
}

static void test_port_ignores_others(void **state)
{
	struct pg_port p;
	struct pg_pkt pkt;
	uint8_t frame[60];

	(void)state;
	port_setup(&p);
	/* For another address: no answer, nothing learnt. */
	build_request(frame, host_mac, ip("192.168.1.10"), ip("192.168.1.20"));
	assert_false(pg_port_input(&p, frame, 60, 60, 0, 1000, &pkt));
	assert_int_equal(n_sent, 0);
	assert_int_equal(p.cnt[PG_L2_CNT_ARP_NOT_FOR_US], 1);
	assert_null(pg_neigh_find(&p.neigh, ip("192.168.1.10")));
	/* A sender off the link is answered but never becomes a neighbour. */
	build_request(frame, host_mac, ip("10.0.0.5"), ip("192.168.1.1"));
	assert_false(pg_port_input(&p, frame, 60, 60, 0, 1000, &pkt));
	assert_int_equal(n_sent, 1);
	assert_null(pg_neigh_find(&p.neigh, ip("10.0.0.5")));
	assert_int_equal(pg_neigh_count(&p.neigh), 0);
	/* Someone else claiming our address. */
	build_request(frame, host_mac, ip("192.168.1.1"), ip("192.168.1.1"));
	assert_false(pg_port_input(&p, frame, 60, 60, 0, 1000, &pkt));
	assert_int_equal(p.cnt[PG_L2_CNT_ARP_CONFLICT], 1);
	assert_int_equal(n_sent, 1);
	/* A truncated ARP frame is a counted drop. */
	build_request(frame, host_mac, ip("192.168.1.10"), ip("192.168.1.1"));
	assert_false(pg_port_input(&p, frame, 14 + 20, 60, 0, 1000, &pkt));
	assert_int_equal(p.cnt[PG_L2_CNT_DROP_ARP_MALFORMED], 1);
	assert_int_equal(n_sent, 1);
	pg_port_fini(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_parse_round_trip),
		cmocka_unit_test(test_parse_bounds),
		cmocka_unit_test(test_parse_malformed),
		cmocka_unit_test(test_port_answers_request),
		cmocka_unit_test(test_port_ignores_others),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
