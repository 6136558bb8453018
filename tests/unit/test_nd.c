/* SPDX-License-Identifier: MIT */
/*
 * test_nd.c - IPv6 neighbour discovery on a link (src/l2/nd.c): our
 * addresses answered, duplicate address detection defended, a next hop
 * solicited with its packet held and sent on the answer, give-up after
 * three tries, router advertisements on the LAN (prefix, MTU, RDNSS) in
 * answer to solicitations, router solicitations on the WAN and the default
 * router (and a SLAAC address, moved when the ISP renumbers) taken from the answer, messages that fail
 * RFC 4861 validation counted, other IPv6 handed to the engine.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "engine/parse6.h"
#include "io/frame.h"
#include "l2/l2_counters.h"
#include "l2/port.h"

static const uint8_t our_mac[6] = {0x02, 0, 0, 0, 0, 0x01};
static const uint8_t host_mac[6] = {0x02, 0, 0, 0, 0, 0x10};

static uint8_t sent[16][2048];
static uint32_t sent_len[16];
static unsigned int n_sent;

static int record_tx(void *ctx, const uint8_t *frame, uint32_t len)
{
	(void)ctx;
	if (n_sent >= 16)
		return -ENOBUFS;
	memcpy(sent[n_sent], frame, len);
	sent_len[n_sent++] = len;
	return 0;
}

static void a6(const char *s, uint8_t out[16])
{
	assert_int_equal(inet_pton(AF_INET6, s, out), 1);
}

/* The test's own checksum (not the engine's): one's complement over the pseudo-header. */
static uint16_t csum6(const uint8_t *ip, uint32_t n)
{
	uint32_t sum = 58 + n;

	for (int i = 8; i < 40; i += 2)
		sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	for (uint32_t i = 0; i < n; i += 2)
		sum += (uint32_t)(ip[40 + i] << 8 | (i + 1 < n ? ip[40 + i + 1] : 0));
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint8_t buf[PG_FRAME_SIZE];

/* An ICMPv6 message body (type first, checksum filled here) in a frame. */
static uint8_t *icmp_frame(const uint8_t *dst_mac, const char *src, const char *dst, uint8_t hlim,
			   const uint8_t *body, uint32_t n, uint32_t *len)
{
	uint8_t *f = buf + PG_FRAME_ETH_OFF, *ip = f + 14;
	uint16_t c;

	memset(buf, 0, sizeof(buf));
	pg_eth_write(f, dst_mac, host_mac, PG_ETH_P_IPV6);
	ip[0] = 0x60;
	ip[4] = (uint8_t)(n >> 8);
	ip[5] = (uint8_t)n;
	ip[6] = 58;
	ip[7] = hlim;
	a6(src, ip + 8);
	a6(dst, ip + 24);
	memcpy(ip + 40, body, n);
	ip[42] = ip[43] = 0;
	c = csum6(ip, n);
	ip[42] = (uint8_t)(c >> 8);
	ip[43] = (uint8_t)c;
	*len = 14 + 40 + n;
	return f;
}

static struct pg_port port;

static void setup_port(enum pg_side side, const char *addr, bool ra, bool solicit, bool slaac)
{
	struct pg_nd_config c = {.prefix = 64, .send_ra = ra, .solicit = solicit, .slaac = slaac,
				 .mtu = 1500};

	if (addr)
		a6(addr, c.addr);
	a6("2001:db8::53", c.dns);
	assert_int_equal(pg_port_init(&port, "t0", side, our_mac, htonl(0xc0a80101), 24, 0, 1500,
				      record_tx, NULL),
			 0);
	assert_int_equal(pg_port_enable_ipv6(&port, &c), 0);
	n_sent = 0;
}

/* Our link-local address: fe80::ff:fe00:1 from 02:00:00:00:00:01. */
#define OUR_LL "fe80::ff:fe00:1"

static void ns_body(uint8_t *b, const char *target, bool slla)
{
	memset(b, 0, 32);
	b[0] = 135;
	a6(target, b + 8);
	if (slla) {
		b[24] = 1;
		b[25] = 1;
		memcpy(b + 26, host_mac, 6);
	}
}

static void test_ns_answered(void **state)
{
	struct pg_pkt pkt;
	uint8_t b[32];
	uint32_t len;
	uint8_t *f;

	(void)state;
	setup_port(PG_SIDE_LAN, "2001:db8:1::1", false, false, false);
	ns_body(b, "2001:db8:1::1", true);
	f = icmp_frame(our_mac, "2001:db8:1::10", "ff02::1:ff00:1", 255, b, 32, &len);
	assert_false(pg_port_input(&port, f, len, PG_FRAME_MAX, 0, 1000, &pkt));
	assert_int_equal(n_sent, 1);
	/* NA from the target to the soliciting host's MAC, router + solicited + override. */
	assert_memory_equal(sent[0], host_mac, 6);
	assert_int_equal(sent[0][14 + 40], 136);
	assert_int_equal(sent[0][14 + 40 + 4], 0xe0);
	assert_int_equal(csum6(sent[0] + 14, sent_len[0] - 54), 0);
	assert_non_null(pg_nd_find(&port, (uint8_t[16]){0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 0x10}));

	/* Our link-local address too. */
	ns_body(b, OUR_LL, true);
	f = icmp_frame(our_mac, "fe80::10", "ff02::1:ff00:1", 255, b, 32, &len);
	assert_false(pg_port_input(&port, f, len, PG_FRAME_MAX, 0, 1000, &pkt));
	assert_int_equal(n_sent, 2);

	/* Duplicate address detection of our address: defended to all nodes. */
	ns_body(b, "2001:db8:1::1", false);
	f = icmp_frame(our_mac, "::", "ff02::1:ff00:1", 255, b, 24, &len);
	assert_false(pg_port_input(&port, f, len, PG_FRAME_MAX, 0, 1000, &pkt));
	assert_int_equal(n_sent, 3);
	assert_int_equal(sent[2][0], 0x33);
	assert_int_equal(sent[2][14 + 40 + 4], 0xa0); /* not solicited */

	/* Someone else's address: no answer. Hop limit 64: invalid, counted. */
	ns_body(b, "2001:db8:1::99", true);
	f = icmp_frame(our_mac, "2001:db8:1::10", "ff02::1:ff00:99", 255, b, 32, &len);
	assert_false(pg_port_input(&port, f, len, PG_FRAME_MAX, 0, 1000, &pkt));
	ns_body(b, "2001:db8:1::1", true);
	f = icmp_frame(our_mac, "2001:db8:1::10", "ff02::1:ff00:1", 64, b, 32, &len);
	assert_false(pg_port_input(&port, f, len, PG_FRAME_MAX, 0, 1000, &pkt));
	assert_int_equal(n_sent, 3);
	assert_int_equal(port.cnt[PG_L2_CNT_DROP_ND_INVALID], 1);
	pg_port_fini(&port);
}

/* A packet the engine forwards (an echo request quoting nothing, as bytes). */
static struct pg_pkt out_pkt(const char *dst, const char *hop)
{
	static uint8_t b[PG_FRAME_SIZE];
	struct pg_pkt pkt;
	uint8_t *ip = b + PG_FRAME_ETH_OFF + 14;

	memset(b, 0, sizeof(b));
	memset(&pkt, 0, sizeof(pkt));
	ip[0] = 0x60;
	ip[5] = 8;
	ip[6] = 58;
	ip[7] = 63;
	a6("2001:db8:2::1", ip + 8);
	a6(dst, ip + 24);
	ip[40] = 128;
	pkt.l3 = ip;
	pkt.len = 48;
	pkt.cap = 1500;
	pkt.verdict = PG_VERDICT_TO_LAN;
	if (hop)
		a6(hop, pkt.next_hop6);
	return pkt;
}

static void test_resolve_and_hold(void **state)
{
	struct pg_pkt pkt = out_pkt("2001:db8:1::10", "2001:db8:1::10"), in;
	uint8_t b[32];
	uint32_t len;
	uint8_t *f;

	(void)state;
	setup_port(PG_SIDE_LAN, "2001:db8:1::1", false, false, false);
	pg_port_output(&port, &pkt, 1000);
	/* A solicitation to the target's solicited-node group, the packet held. */
	assert_int_equal(n_sent, 1);
	assert_int_equal(sent[0][0], 0x33);
	assert_int_equal(sent[0][5], 0x10);
	assert_int_equal(sent[0][14 + 40], 135);
	assert_int_equal(port.cnt[PG_L2_CNT_NEIGH_QUEUED], 1);
	/* The answer: the held packet goes out to the learnt MAC. */
	memset(b, 0, sizeof(b));
	b[0] = 136;
	b[4] = 0x60;
	a6("2001:db8:1::10", b + 8);
	b[24] = 2;
	b[25] = 1;
	memcpy(b + 26, host_mac, 6);
	f = icmp_frame(our_mac, "2001:db8:1::10", "fe80::ff:fe00:1", 255, b, 32, &len);
	assert_false(pg_port_input(&port, f, len, PG_FRAME_MAX, 0, 1100, &in));
	assert_int_equal(n_sent, 2);
	assert_memory_equal(sent[1], host_mac, 6);
	assert_int_equal(sent_len[1], 14 + 48);
	assert_int_equal(sent[1][14 + 40], 128);
	/* Known now: straight out. */
	pkt = out_pkt("2001:db8:1::10", "2001:db8:1::10");
	pg_port_output(&port, &pkt, 1200);
	assert_int_equal(n_sent, 3);

	/* A next hop that never answers: three solicitations, then the packet is dropped. */
	pkt = out_pkt("2001:db8:1::20", "2001:db8:1::20");
	pg_port_output(&port, &pkt, 2000);
	pg_port_timer(&port, 3000);
	pg_port_timer(&port, 4000);
	pg_port_timer(&port, 5000);
	assert_int_equal(n_sent, 6);
	assert_int_equal(port.cnt[PG_L2_CNT_DROP_NEIGH_UNRESOLVED], 1);
	assert_null(pg_nd_find(&port, pkt.l3 + 24));

	/* Other IPv6 goes to the engine. */
	memset(b, 0, sizeof(b));
	b[0] = 128;
	f = icmp_frame(our_mac, "2001:db8:1::10", "2001:db8:2::1", 64, b, 16, &len);
	assert_true(pg_port_input(&port, f, len, PG_FRAME_MAX, 0, 6000, &in));
	assert_int_equal(in.len, 56);
	assert_int_equal(port.cnt[PG_L2_CNT_RX_IPV6], 1);
	pg_port_fini(&port);
}

static void test_lan_ra(void **state)
{
	uint8_t b[16] = {133};
	struct pg_pkt pkt;
	uint32_t len, n;
	uint8_t *f, *m;

	(void)state;
	setup_port(PG_SIDE_LAN, "2001:db8:1::1", true, false, false);
	pg_port_timer(&port, 1000); /* the first unsolicited RA at start */
	assert_int_equal(n_sent, 1);
	f = icmp_frame((const uint8_t[6]){0x33, 0x33, 0, 0, 0, 2}, "fe80::10", "ff02::2", 255, b, 8,
		       &len);
	assert_false(pg_port_input(&port, f, len, PG_FRAME_MAX, 0, 1500, &pkt));
	assert_int_equal(n_sent, 1); /* within a second of the last one: not again */
	assert_false(pg_port_input(&port, f, len, PG_FRAME_MAX, 0, 2100, &pkt));
	assert_int_equal(n_sent, 2);
	m = sent[1] + 14 + 40;
	n = sent_len[1] - 54;
	assert_int_equal(m[0], 134);
	assert_int_equal(sent[1][14 + 7], 255);
	assert_int_equal(csum6(sent[1] + 14, n), 0);
	assert_int_equal(m[6] << 8 | m[7], PG_ND_ROUTER_LIFETIME);
	/* Options: source link-layer, MTU, prefix (on-link, autonomous), RDNSS. */
	assert_int_equal(n, 16 + 8 + 8 + 32 + 24);
	assert_int_equal(m[16], 1);
	assert_int_equal(m[24], 5);
	assert_int_equal(m[32], 3);
	assert_int_equal(m[34], 64);
	assert_int_equal(m[35], 0xc0);
	assert_int_equal(m[48 + 1], 0x01); /* 2001:db8:1:: */
	assert_int_equal(m[48 + 5], 0x01);
	assert_int_equal(m[48 + 15], 0x00);
	assert_int_equal(m[64], 25);
	pg_port_fini(&port);
}

static uint32_t rd32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/*
 * A delegated prefix (DHCPv6-PD): RAs at once with the delegation's
 * lifetimes; a new one announces the old one deprecated (preferred 0, the
 * valid time left) until a few RAs after it ends; no prefix: router lifetime 0.
 */
static void test_lan_ra_delegated(void **state)
{
	uint8_t a[16], z[16] = {0};
	uint8_t *m;

	(void)state;
	setup_port(PG_SIDE_LAN, NULL, true, false, false);
	pg_port_timer(&port, 1000);
	assert_int_equal(n_sent, 1);
	m = sent[0] + 14 + 40;
	assert_int_equal(m[6] << 8 | m[7], 0); /* no prefix yet: not a default router */
	assert_int_equal(sent_len[0] - 54, 16 + 8 + 8 + 24);
	a6("2001:db8:100::1", a);
	pg_nd_set_prefix(&port, a, 64, 1000 + 40000, 1000 + 60000, 0, 2000);
	pg_port_timer(&port, 2000); /* at once, not 4 s later */
	assert_int_equal(n_sent, 2);
	m = sent[1] + 14 + 40;
	assert_int_equal(m[6] << 8 | m[7], PG_ND_ROUTER_LIFETIME);
	assert_int_equal(m[32], 3);
	assert_int_equal(rd32(m + 36), 59); /* valid: the delegation's 59 s left */
	assert_int_equal(rd32(m + 40), 39);
	assert_int_equal(sent_len[1] - 54, 16 + 8 + 8 + 32 + 24);
	/* A new prefix; the old one valid until 61 s. */
	a6("2001:db8:200::1", a);
	pg_nd_set_prefix(&port, a, 64, 30000 + 40000, 30000 + 60000, 61000, 30000);
	pg_port_timer(&port, 30000);
	assert_int_equal(n_sent, 3);
	m = sent[2] + 14 + 40;
	assert_int_equal(sent_len[2] - 54, 16 + 8 + 8 + 32 + 32 + 24);
	assert_int_equal(m[48 + 4], 0x02); /* 2001:db8:200:: first */
	assert_int_equal(m[64], 3);
	assert_int_equal(m[80 + 4], 0x01); /* then 2001:db8:100:: */
	assert_int_equal(rd32(m + 68), 31); /* valid: what is left */
	assert_int_equal(rd32(m + 72), 0);  /* preferred 0: deprecated */
	/* Past its end it is said with valid 0 for a few RAs more, then dropped. */
	pg_port_timer(&port, 62000);
	m = sent[n_sent - 1] + 14 + 40;
	assert_int_equal(sent_len[n_sent - 1] - 54, 16 + 8 + 8 + 32 + 32 + 24);
	assert_int_equal(rd32(m + 68), 0);
	pg_port_timer(&port, 62000 + 20000);
	m = sent[n_sent - 1] + 14 + 40;
	assert_int_equal(sent_len[n_sent - 1] - 54, 16 + 8 + 8 + 32 + 24);
	/* The delegation lost: no prefix of ours, router lifetime 0, the last one deprecated. */
	pg_nd_set_prefix(&port, z, 0, 0, 0, 90000, 85000);
	pg_port_timer(&port, 85000);
	m = sent[n_sent - 1] + 14 + 40;
	assert_int_equal(m[6] << 8 | m[7], 0);
	assert_int_equal(sent_len[n_sent - 1] - 54, 16 + 8 + 8 + 32 + 24);
	assert_int_equal(m[32 + 4 + 16 - 4 + 4], 0x02); /* the deprecated 2001:db8:200:: */
	assert_int_equal(rd32(m + 36), 5);
	assert_int_equal(rd32(m + 40), 0);
	pg_port_fini(&port);
}

static void test_wan_router(void **state)
{
	struct pg_pkt pkt = out_pkt("2001:db8:2::1", NULL), in;
	uint8_t b[96];
	uint32_t len;
	uint8_t *f;
	uint8_t want[16];

	(void)state;
	setup_port(PG_SIDE_WAN, NULL, false, true, true);
	pg_port_output(&port, &pkt, 500);
	assert_int_equal(port.cnt[PG_L2_CNT_DROP_NO_ROUTER6], 1);
	pg_port_timer(&port, 1000);
	assert_int_equal(n_sent, 1);
	assert_int_equal(sent[0][14 + 40], 133);
	/* The ISP's router answers: lifetime 1800, its MAC, a /64 for SLAAC. */
	memset(b, 0, sizeof(b));
	b[0] = 134;
	b[6] = 0x07;
	b[7] = 0x08;
	b[16] = 1;
	b[17] = 1;
	memcpy(b + 18, host_mac, 6);
	b[24] = 3;
	b[25] = 4;
	b[26] = 64;
	b[27] = 0xc0;
	b[29] = 0x01; /* valid 86400 s, preferred 14400 s: a prefix of valid 0 forms no address */
	b[30] = 0x51;
	b[31] = 0x80;
	b[34] = 0x38;
	b[35] = 0x40;
	a6("2001:db8:ffff::", b + 40);
	f = icmp_frame((const uint8_t[6]){0x33, 0x33, 0, 0, 0, 1}, "fe80::1", "ff02::1", 255, b, 56,
		       &len);
	assert_false(pg_port_input(&port, f, len, PG_FRAME_MAX, 0, 1100, &in));
	assert_int_equal(port.cnt[PG_L2_CNT_ND_RA_RX], 1);
	a6("2001:db8:ffff::ff:fe00:1", want);
	assert_memory_equal(port.nd->cfg.addr, want, 16);
	/* The ISP renumbers: a new /64, and the old one at lifetime 0, in one RA. */
	memcpy(b + 56, b + 24, 32);
	a6("2001:db8:fffe::", b + 56 + 16);
	memset(b + 28, 0, 8);
	f = icmp_frame((const uint8_t[6]){0x33, 0x33, 0, 0, 0, 1}, "fe80::1", "ff02::1", 255, b, 88,
		       &len);
	assert_false(pg_port_input(&port, f, len, PG_FRAME_MAX, 0, 1150, &in));
	a6("2001:db8:fffe::ff:fe00:1", want);
	assert_memory_equal(port.nd->cfg.addr, want, 16);
	assert_int_equal(port.nd->slaac.moves, 2);
	/* A next hop of zero goes to that router, whose MAC the RA gave. */
	pkt = out_pkt("2001:db8:2::1", NULL);
	pg_port_output(&port, &pkt, 1200);
	assert_int_equal(n_sent, 2);
	assert_memory_equal(sent[1], host_mac, 6);
	/* No more solicitations once a router is known. */
	pg_port_timer(&port, 10000);
	assert_int_equal(n_sent, 2);
	/* An RA from a global source is invalid. */
	f = icmp_frame(our_mac, "2001:db8:ffff::1", "ff02::1", 255, b, 56, &len);
	assert_false(pg_port_input(&port, f, len, PG_FRAME_MAX, 0, 1100, &in));
	assert_int_equal(port.cnt[PG_L2_CNT_DROP_ND_INVALID], 1);
	pg_port_fini(&port);
}

static void test_ipv6_off(void **state)
{
	struct pg_pkt pkt;
	uint8_t b[32];
	uint32_t len;
	uint8_t *f;

	(void)state;
	assert_int_equal(pg_port_init(&port, "t0", PG_SIDE_LAN, our_mac, htonl(0xc0a80101), 24, 0,
				      1500, record_tx, NULL),
			 0);
	ns_body(b, "2001:db8:1::1", true);
	f = icmp_frame(our_mac, "2001:db8:1::10", "ff02::1:ff00:1", 255, b, 32, &len);
	assert_false(pg_port_input(&port, f, len, PG_FRAME_MAX, 0, 1000, &pkt));
	assert_int_equal(port.cnt[PG_L2_CNT_DROP_ETHERTYPE], 1);
	pg_port_fini(&port);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ns_answered), cmocka_unit_test(test_resolve_and_hold),
		cmocka_unit_test(test_lan_ra),	    cmocka_unit_test(test_wan_router),
		cmocka_unit_test(test_ipv6_off),
		cmocka_unit_test(test_lan_ra_delegated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
