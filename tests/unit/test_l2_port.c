/* SPDX-License-Identifier: MIT */
/*
 * test_l2_port.c - a link's layer 2 as a table of received frames and what
 * becomes of them, then the transmit side: next-hop choice, ARP resolution,
 * the Ethernet header on the way out, and the counted refusals.
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
#include "io/frame.h"
#include "l2/l2_counters.h"
#include "l2/port.h"

static const uint8_t our_mac[6] = {0x02, 0, 0, 0, 0, 0x01};
static const uint8_t peer_mac[6] = {0x02, 0, 0, 0, 0, 0x10};
static const uint8_t other_mac[6] = {0x02, 0, 0, 0, 0, 0x99};
static const uint8_t mcast_mac[6] = {0x01, 0x00, 0x5e, 0, 0, 1};

static uint8_t sent[16][2048];
static uint32_t sent_len[16];
static unsigned int n_sent;
static int tx_result;

static int record_tx(void *ctx, const uint8_t *frame, uint32_t len)
{
	(void)ctx;
	if (tx_result)
		return tx_result;
	if (n_sent >= 16)
		return -ENOBUFS;
	memcpy(sent[n_sent], frame, len);
	sent_len[n_sent++] = len;
	return 0;
}

static uint32_t ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

/* A frame buffer laid out as the data path lays it out. */
static uint8_t buf[PG_FRAME_SIZE];

static uint8_t *frame_at(const uint8_t *dst, const uint8_t *src, uint16_t type, uint32_t payload)
{
	uint8_t *f = buf + PG_FRAME_ETH_OFF;

	memset(buf, 0, sizeof(buf));
	pg_eth_write(f, dst, src, type);
	/* An IPv4-looking payload: version 4, destination 203.0.113.5. */
	f[14] = 0x45;
	if (payload >= 20) {
		uint32_t d = ip("203.0.113.5");

		memcpy(f + 14 + 16, &d, 4);
	}
	return f;
}

struct rx_case {
	const char *name;
	const uint8_t *dst;
	const uint8_t *src;
	uint16_t type;
	uint32_t len;
	uint32_t flags;
	int want; /* -1: handed to the engine; otherwise the drop counter */
};

static const struct rx_case rx_cases[] = {
	{"ipv4 unicast", our_mac, peer_mac, PG_ETH_P_IP, 74, 0, -1},
	{"ipv4 broadcast", pg_eth_broadcast, peer_mac, PG_ETH_P_IP, 74, 0, -1},
	{"ipv4 multicast", mcast_mac, peer_mac, PG_ETH_P_IP, 74, 0, -1},
	{"runt", our_mac, peer_mac, PG_ETH_P_IP, 13, 0, PG_L2_CNT_DROP_RUNT},
	{"empty", our_mac, peer_mac, PG_ETH_P_IP, 0, 0, PG_L2_CNT_DROP_RUNT},
	{"header only", our_mac, peer_mac, PG_ETH_P_IP, 14, 0, -1}, /* the engine drops it */
	{"ipv6", our_mac, peer_mac, PG_ETH_P_IPV6, 74, 0, PG_L2_CNT_DROP_ETHERTYPE},
	{"802.1q in the frame", our_mac, peer_mac, PG_ETH_P_8021Q, 74, 0, PG_L2_CNT_DROP_VLAN},
	{"802.1ad in the frame", our_mac, peer_mac, PG_ETH_P_8021AD, 74, 0, PG_L2_CNT_DROP_VLAN},
	{"vlan stripped by the kernel", our_mac, peer_mac, PG_ETH_P_IP, 74, PG_RX_F_VLAN,
	 PG_L2_CNT_DROP_VLAN},
	{"another host's unicast", other_mac, peer_mac, PG_ETH_P_IP, 74, 0, PG_L2_CNT_DROP_NOT_FOR_US},
	{"our own source", our_mac, our_mac, PG_ETH_P_IP, 74, 0, PG_L2_CNT_DROP_LOOPED},
	{"above the MTU", our_mac, peer_mac, PG_ETH_P_IP, 1500 + 14 + 1, 0, PG_L2_CNT_DROP_OVERSIZE},
	{"at the MTU", our_mac, peer_mac, PG_ETH_P_IP, 1500 + 14, 0, -1},
	{"super-frame", our_mac, peer_mac, PG_ETH_P_IP, 200, PG_RX_F_OVERSIZE, PG_L2_CNT_DROP_OVERSIZE},
	{"partial checksum", our_mac, peer_mac, PG_ETH_P_IP, 74, PG_RX_F_CSUM_PARTIAL,
	 PG_L2_CNT_DROP_CSUM_PARTIAL},
	{"cut by the ring", our_mac, peer_mac, PG_ETH_P_IP, 74, PG_RX_F_TRUNCATED,
	 PG_L2_CNT_DROP_RX_TRUNCATED},
};

static void lan_port(struct pg_port *p)
{
	n_sent = 0;
	tx_result = 0;
	assert_int_equal(pg_port_init(p, "lan0", PG_SIDE_LAN, our_mac, ip("192.168.1.1"), 24, 0,
				      1500, record_tx, NULL),
			 0);
}

static void wan_port(struct pg_port *p)
{
	n_sent = 0;
	tx_result = 0;
	assert_int_equal(pg_port_init(p, "wan0", PG_SIDE_WAN, our_mac, ip("198.51.100.2"), 24,
				      ip("198.51.100.1"), 1500, record_tx, NULL),
			 0);
}

static void test_rx_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rx_cases) / sizeof(rx_cases[0]); i++) {
		const struct rx_case *c = &rx_cases[i];
		struct pg_port p;
		struct pg_pkt pkt;
		uint8_t *f;
		bool r;

		lan_port(&p);
		f = frame_at(c->dst, c->src, c->type, c->len > 14 ? c->len - 14 : 0);
		r = pg_port_input(&p, f, c->len, PG_FRAME_MAX, c->flags, 0, &pkt);
		if (r != (c->want < 0))
			fail_msg("%s: handed to the engine: %d", c->name, r);
		if (c->want < 0) {
			assert_ptr_equal(pkt.l3, buf + PG_FRAME_L3_OFF);
			assert_int_equal(pkt.len, c->len - 14);
			assert_int_equal(pkt.cap, PG_FRAME_SIZE - PG_FRAME_L3_OFF);
			assert_int_equal(pkt.side, PG_SIDE_LAN);
			assert_int_equal(p.cnt[PG_L2_CNT_RX_IPV4], 1);
		} else if (p.cnt[c->want] != 1) {
			fail_msg("%s: counter %s is %llu", c->name,
				 pg_l2_counter_name((unsigned)c->want),
				 (unsigned long long)p.cnt[c->want]);
		}
		assert_int_equal(p.cnt[PG_L2_CNT_RX_FRAMES], 1);
		assert_int_equal(n_sent, 0);
		pg_port_fini(&p);
	}
}

/* An engine packet in a data-path buffer, to dst (text) with next hop hop (0: ours to pick). */
static struct pg_pkt out_pkt(const char *dst, uint32_t hop, uint8_t tag)
{
	struct pg_pkt pkt = {0};
	uint32_t d = ip(dst);

	memset(buf, 0, sizeof(buf));
	pkt.l3 = buf + PG_FRAME_L3_OFF;
	pkt.len = 60;
	pkt.cap = PG_FRAME_SIZE - PG_FRAME_L3_OFF;
	pkt.l3[0] = 0x45;
	pkt.l3[1] = tag;
	memcpy(pkt.l3 + 16, &d, 4);
	pkt.next_hop = hop;
	return pkt;
}

static void answer(struct pg_port *p, const char *who, const uint8_t *mac, uint64_t now)
{
	struct pg_arp a = {.op = PG_ARP_OP_REPLY, .spa = ip(who), .tpa = p->addr};
	uint8_t f[60];
	struct pg_pkt pkt;

	memcpy(a.sha, mac, 6);
	memcpy(a.tha, p->mac, 6);
	assert_int_equal(pg_arp_build(f, sizeof(f), p->mac, &a), 60);
	assert_false(pg_port_input(p, f, 60, 60, 0, now, &pkt));
}

/* Check sent frame i is an ARP request for who. */
static void assert_request(unsigned int i, const char *who)
{
	struct pg_arp a;

	assert_true(i < n_sent);
	assert_memory_equal(sent[i], pg_eth_broadcast, 6);
	assert_int_equal(pg_arp_parse(sent[i] + 14, sent_len[i] - 14, &a), 0);
	assert_int_equal(a.op, PG_ARP_OP_REQUEST);
	assert_int_equal(a.tpa, ip(who));
	assert_memory_equal(a.sha, our_mac, 6);
}

static void test_tx_wan_gateway(void **state)
{
	struct pg_port p;
	struct pg_pkt pkt;

	(void)state;
	wan_port(&p);
	/* Off the WAN prefix: through the gateway, resolved first. */
	pkt = out_pkt("203.0.113.5", 0, 1);
	pg_port_output(&p, &pkt, 1000);
	assert_int_equal(n_sent, 1);
	assert_request(0, "198.51.100.1");
	answer(&p, "198.51.100.1", peer_mac, 1001);
	assert_int_equal(n_sent, 2);
	assert_memory_equal(sent[1], peer_mac, 6);
	assert_memory_equal(sent[1] + 6, our_mac, 6);
	assert_int_equal(sent[1][12], 0x08);
	assert_int_equal(sent[1][13], 0x00);
	assert_int_equal(sent_len[1], 74);
	assert_int_equal(sent[1][14 + 1], 1);
	/* Resolved now: straight out, header written in the buffer's headroom. */
	pkt = out_pkt("203.0.113.9", 0, 2);
	pg_port_output(&p, &pkt, 1002);
	assert_int_equal(n_sent, 3);
	assert_memory_equal(sent[2], peer_mac, 6);
	assert_int_equal(sent[2][14 + 1], 2);
	/* On the WAN prefix: directly. */
	pkt = out_pkt("198.51.100.77", 0, 3);
	pg_port_output(&p, &pkt, 1003);
	assert_request(3, "198.51.100.77");
	/* The engine's next hop wins. */
	pkt = out_pkt("203.0.113.9", ip("198.51.100.1"), 4);
	pg_port_output(&p, &pkt, 1004);
	assert_int_equal(sent[4][14 + 1], 4);
	assert_int_equal(p.cnt[PG_L2_CNT_TX_FRAMES], 5);
	pg_port_fini(&p);
}

static void test_tx_refusals(void **state)
{
	struct pg_port p;
	struct pg_pkt pkt;

	(void)state;
	lan_port(&p);
	/* The LAN has no gateway: an off-link destination is never ARPed for. */
	pkt = out_pkt("203.0.113.5", 0, 1);
	pg_port_output(&p, &pkt, 0);
	/* Nor our own address, the network or the broadcast address. */
	pkt = out_pkt("192.168.1.1", 0, 1);
	pg_port_output(&p, &pkt, 0);
	pkt = out_pkt("192.168.1.0", 0, 1);
	pg_port_output(&p, &pkt, 0);
	pkt = out_pkt("192.168.1.255", 0, 1);
	pg_port_output(&p, &pkt, 0);
	assert_int_equal(p.cnt[PG_L2_CNT_DROP_NOT_ON_LINK], 4);
	assert_int_equal(n_sent, 0);
	/* Above the MTU. */
	pkt = out_pkt("192.168.1.10", 0, 1);
	pkt.len = 1501;
	pg_port_output(&p, &pkt, 0);
	assert_int_equal(p.cnt[PG_L2_CNT_DROP_TX_TOO_BIG], 1);
	/* Shorter than an IPv4 header, or past the buffer. */
	pkt = out_pkt("192.168.1.10", 0, 1);
	pkt.len = 19;
	pg_port_output(&p, &pkt, 0);
	pkt = out_pkt("192.168.1.10", 0, 1);
	pkt.len = pkt.cap + 1;
	pg_port_output(&p, &pkt, 0);
	assert_int_equal(p.cnt[PG_L2_CNT_TX_ERRORS], 2);
	assert_int_equal(n_sent, 0);
	/* A full transmit ring is counted as such. */
	tx_result = -ENOBUFS;
	pkt = out_pkt("192.168.1.10", 0, 1);
	pg_port_output(&p, &pkt, 0);
	assert_int_equal(p.cnt[PG_L2_CNT_DROP_TX_RING_FULL], 1); /* the ARP request */
	/* Unanswered: the held packet is dropped and counted after 3 s. */
	tx_result = 0;
	pg_port_timer(&p, 1000);
	pg_port_timer(&p, 2000);
	pg_port_timer(&p, 3000);
	assert_int_equal(n_sent, 2);
	assert_int_equal(p.cnt[PG_L2_CNT_DROP_NEIGH_UNRESOLVED], 1);
	assert_int_equal(pg_port_drops(&p), 4 + 1 + 1 + 1);
	pg_port_fini(&p);
}

/* A request for who from peer_mac/192.168.1.10, through p. */
static void ask(struct pg_port *p, const char *who, uint64_t now)
{
	struct pg_arp a = {.op = PG_ARP_OP_REQUEST, .spa = ip("192.168.1.10"), .tpa = ip(who)};
	uint8_t f[60];
	struct pg_pkt pkt;

	memcpy(a.sha, peer_mac, 6);
	assert_int_equal(pg_arp_build(f, sizeof(f), pg_eth_broadcast, &a), 60);
	assert_false(pg_port_input(p, f, 60, 60, 0, now, &pkt));
}

/*
 * An HA backup (dp/ha.h) answers no ARP for the shared address, sends
 * nothing, and takes the master's claim without a conflict warning; once
 * master it announces the address with a gratuitous ARP and answers again.
 */
static void test_ha_standby(void **state)
{
	struct pg_port p;
	struct pg_pkt pkt;
	struct pg_arp a;
	uint8_t f[60];

	(void)state;
	lan_port(&p);
	p.standby = true;
	ask(&p, "192.168.1.1", 0);
	assert_int_equal(n_sent, 0);
	assert_int_equal(p.cnt[PG_L2_CNT_ARP_REPLIED], 0);
	/* Forwarded traffic would need ARP: nothing leaves, counted. */
	pkt = out_pkt("192.168.1.20", 0, 1);
	pg_port_output(&p, &pkt, 0);
	assert_int_equal(n_sent, 0);
	assert_true(p.cnt[PG_L2_CNT_DROP_HA_STANDBY] >= 1);
	/* The master's gratuitous ARP: no conflict while we are backup. */
	memset(&a, 0, sizeof(a));
	a.op = PG_ARP_OP_REQUEST;
	a.spa = a.tpa = ip("192.168.1.1");
	memcpy(a.sha, other_mac, 6);
	assert_int_equal(pg_arp_build(f, sizeof(f), pg_eth_broadcast, &a), 60);
	assert_false(pg_port_input(&p, f, 60, 60, 0, 0, &pkt));
	assert_int_equal(p.cnt[PG_L2_CNT_ARP_CONFLICT], 0);
	/* Master: the announcement, then answers. */
	p.standby = false;
	n_sent = 0;
	pg_port_announce(&p);
	assert_int_equal(n_sent, 1);
	assert_memory_equal(sent[0], pg_eth_broadcast, 6);
	assert_int_equal(pg_arp_parse(sent[0] + 14, sent_len[0] - 14, &a), 0);
	assert_int_equal(a.op, PG_ARP_OP_REQUEST);
	assert_int_equal(a.spa, ip("192.168.1.1"));
	assert_int_equal(a.tpa, ip("192.168.1.1"));
	assert_memory_equal(a.sha, our_mac, 6);
	assert_int_equal(p.cnt[PG_L2_CNT_ARP_ANNOUNCED], 1);
	ask(&p, "192.168.1.1", 1);
	assert_int_equal(n_sent, 2);
	assert_int_equal(p.cnt[PG_L2_CNT_ARP_REPLIED], 1);
	pg_port_fini(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rx_table),
		cmocka_unit_test(test_tx_wan_gateway),
		cmocka_unit_test(test_tx_refusals),
		cmocka_unit_test(test_ha_standby),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
