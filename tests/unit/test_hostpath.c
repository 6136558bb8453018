/* SPDX-License-Identifier: MIT */
/*
 * test_hostpath.c - the host path's frame handling (src/dp/hostpath.c) with
 * datagram socket pairs in place of the TAP descriptors: like a TAP device,
 * each read() gives one whole frame and each write() sends one. Creating
 * real TAP devices needs CAP_NET_ADMIN; the e2e scenarios do that.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "l2/arp.h"
#include "l2/vrrp.h"
#include "dp/hostpath.h"
#include "dp/hostpath6.h"
#include "engine/parse6.h"
#include "../lib/pktbuild6.h"

static const uint8_t lan_mac[6] = {0x02, 0, 0, 0, 0, 0x01};
static const uint8_t wan_mac[6] = {0x02, 0, 0, 0, 0, 0x02};
static const uint8_t host_mac[6] = {0x02, 0, 0, 0, 0, 0x10};

static uint8_t sent[8][2048];
static uint32_t sent_len[8];
static unsigned int n_sent;

static int record_tx(void *ctx, const uint8_t *frame, uint32_t len)
{
	(void)ctx;
	if (n_sent >= 8)
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

struct fixture {
	struct pg_hostpath hp;
	struct pg_port port[2];
	int kernel[2]; /* the host stack's ends of the two "devices" */
	uint8_t bufs[4][PG_FRAME_SIZE];
	struct pg_rx_frame frames[4];
	struct pg_pkt pkts[4];
};

static struct fixture fx;

static int setup(void **state)
{
	int sp[2];

	(void)state;
	memset(&fx, 0, sizeof(fx));
	n_sent = 0;
	assert_int_equal(pg_port_init(&fx.port[0], "lan0", PG_SIDE_LAN, lan_mac, ip("192.168.1.1"),
				      24, 0, 1500, record_tx, NULL),
			 0);
	assert_int_equal(pg_port_init(&fx.port[1], "wan0", PG_SIDE_WAN, wan_mac,
				      ip("198.51.100.2"), 24, ip("198.51.100.1"), 1500, record_tx,
				      NULL),
			 0);
	fx.hp.on = true;
	fx.hp.wan_addr = ip("198.51.100.2");
	memcpy(fx.hp.mac[0], lan_mac, 6);
	memcpy(fx.hp.mac[1], wan_mac, 6);
	memcpy(fx.hp.peer_mac, (const uint8_t[]){0x02, 0x70, 0x67, 0, 0, 1}, 6);
	for (int s = 0; s < 2; s++) {
		assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp), 0);
		fcntl(sp[0], F_SETFL, O_NONBLOCK);
		fcntl(sp[1], F_SETFL, O_NONBLOCK);
		fx.hp.fd[s] = sp[0];
		fx.kernel[s] = sp[1];
	}
	for (int i = 0; i < 4; i++)
		fx.frames[i].buf = fx.bufs[i];
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (int s = 0; s < 2; s++) {
		close(fx.hp.fd[s]);
		close(fx.kernel[s]);
		pg_port_fini(&fx.port[s]);
	}
	return 0;
}

/* An IPv4/UDP frame as the host stack would send it, len bytes in all. */
static uint32_t host_frame(uint8_t *f, const uint8_t *dst, const char *src, const char *to,
			   uint32_t len)
{
	uint32_t s = ip(src), d = ip(to);

	memset(f, 0, len);
	pg_eth_write(f, dst, host_mac, PG_ETH_P_IP);
	f[14] = 0x45;
	f[16] = (uint8_t)((len - 14) >> 8);
	f[17] = (uint8_t)(len - 14);
	f[22] = 64;
	f[23] = 17;
	memcpy(f + 26, &s, 4);
	memcpy(f + 30, &d, 4);
	return len;
}

static void test_wan_arp_answered(void **state)
{
	struct pg_arp req = {.op = PG_ARP_OP_REQUEST}, rep;
	uint8_t f[64], got[128];
	bool more = false;
	ssize_t n;

	(void)state;
	memcpy(req.sha, host_mac, 6);
	req.spa = ip("198.51.100.2");
	req.tpa = ip("198.51.100.1");
	assert_int_equal(pg_arp_build(f, sizeof(f), pg_eth_broadcast, &req), 60);
	assert_int_equal(write(fx.kernel[1], f, 60), 60);
	/* A probe for its own address needs no answer. */
	req.tpa = ip("198.51.100.2");
	pg_arp_build(f, sizeof(f), pg_eth_broadcast, &req);
	assert_int_equal(write(fx.kernel[1], f, 60), 60);
	assert_int_equal(pg_hostpath_wan_rx(&fx.hp, &fx.port[1], fx.frames, fx.pkts, 4, &more), 0);
	n = read(fx.kernel[1], got, sizeof(got));
	assert_int_equal(n, 60);
	assert_memory_equal(got, host_mac, 6);
	assert_int_equal(pg_arp_parse(got + 14, (size_t)n - 14, &rep), 0);
	assert_int_equal(rep.op, PG_ARP_OP_REPLY);
	assert_memory_equal(rep.sha, fx.hp.peer_mac, 6);
	assert_int_equal(rep.spa, ip("198.51.100.1"));
	assert_int_equal(rep.tpa, ip("198.51.100.2"));
	assert_int_equal(read(fx.kernel[1], got, sizeof(got)), -1);
	assert_int_equal(fx.port[1].cnt[PG_L2_CNT_HOST_ARP_ANSWERED], 1);
}

static void test_wan_ipv4_to_engine(void **state)
{
	uint8_t f[128];
	bool more = false;
	unsigned int n;

	(void)state;
	host_frame(f, fx.hp.peer_mac, "198.51.100.2", "203.0.113.10", 60);
	assert_int_equal(write(fx.kernel[1], f, 60), 60);
	/* A VPN client's packet the host routed to the WAN: no mapping to come back on. */
	host_frame(f, fx.hp.peer_mac, "10.9.0.2", "203.0.113.10", 60);
	assert_int_equal(write(fx.kernel[1], f, 60), 60);
	/* Not IPv4 nor ARP, and a runt. */
	pg_eth_write(f, fx.hp.peer_mac, host_mac, PG_ETH_P_IPV6);
	assert_int_equal(write(fx.kernel[1], f, 60), 60);
	assert_int_equal(write(fx.kernel[1], f, 10), 10);
	n = pg_hostpath_wan_rx(&fx.hp, &fx.port[1], fx.frames, fx.pkts, 4, &more);
	assert_int_equal(n, 1);
	assert_int_equal(fx.pkts[0].side, PG_SIDE_HOST);
	assert_int_equal(fx.pkts[0].len, 46);
	assert_ptr_equal(fx.pkts[0].l3, fx.bufs[0] + PG_FRAME_L3_OFF);
	assert_true(fx.pkts[0].cap >= fx.pkts[0].len + PG_PKT_ERROR_GROWTH);
	assert_int_equal(fx.port[1].cnt[PG_L2_CNT_HOST_RX], 4);
	assert_int_equal(fx.port[1].cnt[PG_L2_CNT_DROP_HOST_FRAME], 3);
	assert_false(more);
}

static void test_lan_frames_go_out_unchanged(void **state)
{
	uint8_t f[128];

	(void)state;
	host_frame(f, (const uint8_t[]){0x02, 0, 0, 0, 0, 0x33}, "192.168.1.1", "192.168.1.10",
		   90);
	assert_int_equal(write(fx.kernel[0], f, 90), 90);
	assert_false(pg_hostpath_lan_rx(&fx.hp, &fx.port[0]));
	assert_int_equal(n_sent, 1);
	assert_int_equal(sent_len[0], 90);
	assert_memory_equal(sent[0], f, 90);
	assert_int_equal(fx.port[0].cnt[PG_L2_CNT_TX_FRAMES], 1);
}

static void test_deliver_and_peek(void **state)
{
	struct pg_arp rep = {.op = PG_ARP_OP_REPLY};
	uint8_t *f = fx.bufs[0] + PG_FRAME_ETH_OFF, got[128], arp[64];
	struct pg_pkt p = {0};

	(void)state;
	/* From the LAN: the frame keeps its own header. */
	host_frame(f, lan_mac, "192.168.1.10", "192.168.1.1", 60);
	p.l3 = f + 14;
	p.len = 46;
	p.side = PG_SIDE_LAN;
	pg_hostpath_deliver(&fx.hp, &fx.port[0], &p, true);
	assert_int_equal(read(fx.kernel[0], got, sizeof(got)), 60);
	assert_memory_equal(got + 6, host_mac, 6);
	/* From the WAN: addressed to the device, from the made-up neighbour. */
	p.side = PG_SIDE_WAN;
	pg_hostpath_deliver(&fx.hp, &fx.port[1], &p, true);
	assert_int_equal(read(fx.kernel[1], got, sizeof(got)), 60);
	assert_memory_equal(got, wan_mac, 6);
	assert_memory_equal(got + 6, fx.hp.peer_mac, 6);
	assert_int_equal(fx.port[0].cnt[PG_L2_CNT_HOST_TX], 1);
	assert_int_equal(fx.port[1].cnt[PG_L2_CNT_HOST_TX], 1);
	/* ARP replies to us are copied up; requests are not. */
	memcpy(rep.sha, host_mac, 6);
	rep.spa = ip("192.168.1.10");
	memcpy(rep.tha, lan_mac, 6);
	rep.tpa = ip("192.168.1.1");
	pg_arp_build(arp, sizeof(arp), lan_mac, &rep);
	pg_hostpath_lan_peek(&fx.hp, &fx.port[0], arp, 60);
	assert_int_equal(read(fx.kernel[0], got, sizeof(got)), 60);
	rep.op = PG_ARP_OP_REQUEST;
	pg_arp_build(arp, sizeof(arp), pg_eth_broadcast, &rep);
	pg_hostpath_lan_peek(&fx.hp, &fx.port[0], arp, 60);
	assert_int_equal(read(fx.kernel[0], got, sizeof(got)), -1);
	assert_int_equal(fx.port[0].cnt[PG_L2_CNT_HOST_ARP_COPIED], 1);
	/* With the host path off, the packet is a counted drop. */
	fx.hp.on = false;
	pg_hostpath_deliver(&fx.hp, &fx.port[0], &p, true);
	assert_int_equal(fx.port[0].cnt[PG_L2_CNT_DROP_HOST_PATH], 1);
}

static const uint8_t vrrp_mac[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x12};

/* A VRRPv3 advert of len bytes from src (a box's own LAN address) to 224.0.0.18. */
static uint32_t vrrp_advert(uint8_t *f, const uint8_t *from_mac, const char *src, uint32_t len)
{
	host_frame(f, vrrp_mac, src, "224.0.0.18", len);
	memcpy(f + 6, from_mac, 6);
	f[22] = 255; /* RFC 5798: TTL 255 */
	f[23] = PG_VRRP_PROTO;
	f[34] = 0x31; /* version 3, advertisement */
	f[35] = 42;   /* virtual router id */
	return len;
}

static void test_vrrp_frame(void **state)
{
	uint8_t f[128];

	(void)state;
	vrrp_advert(f, host_mac, "192.168.1.2", 60);
	assert_true(pg_vrrp_frame(f, 60));
	/* Every byte the check reads must be there: a runt is nobody's advert. */
	assert_false(pg_vrrp_frame(f, 33));
	assert_true(pg_vrrp_frame(f, 34));
	/* Options make the header longer than what arrived. */
	f[14] = 0x4f;
	assert_false(pg_vrrp_frame(f, 59));
	assert_true(pg_vrrp_frame(f, 74));
	f[14] = 0x44; /* a header length below 20 */
	assert_false(pg_vrrp_frame(f, 60));
	f[14] = 0x65; /* not IPv4 */
	assert_false(pg_vrrp_frame(f, 60));
	vrrp_advert(f, host_mac, "192.168.1.2", 60);
	f[23] = 17; /* another protocol to the group */
	assert_false(pg_vrrp_frame(f, 60));
	vrrp_advert(f, host_mac, "192.168.1.2", 60);
	memcpy(f + 30, (const uint8_t[]){224, 0, 0, 19}, 4); /* protocol 112 elsewhere */
	assert_false(pg_vrrp_frame(f, 60));
	vrrp_advert(f, host_mac, "192.168.1.2", 60);
	pg_eth_write(f, vrrp_mac, host_mac, PG_ETH_P_ARP);
	assert_false(pg_vrrp_frame(f, 60));
}

/*
 * The peer's adverts go up and are taken (the engine never sees them), the
 * host's go out, as master and as backup alike; a link's advert never
 * reaches the other link.
 */
static void test_vrrp_both_ways_any_role(void **state)
{
	const uint8_t peer_mac[6] = {0x02, 0, 0, 0, 0, 0x22};
	uint8_t f[128], got[128];

	(void)state;
	for (int standby = 0; standby < 2; standby++) {
		fx.port[0].standby = fx.port[1].standby = standby;
		n_sent = 0;
		vrrp_advert(f, peer_mac, "192.168.1.3", 60);
		assert_true(pg_hostpath_lan_peek(&fx.hp, &fx.port[0], f, 60));
		assert_int_equal(read(fx.kernel[0], got, sizeof(got)), 60);
		assert_memory_equal(got, f, 60);
		/* The host's own advert, out of the LAN link unchanged. */
		vrrp_advert(f, lan_mac, "192.168.1.2", 60);
		assert_int_equal(write(fx.kernel[0], f, 60), 60);
		assert_false(pg_hostpath_lan_rx(&fx.hp, &fx.port[0]));
		assert_int_equal(n_sent, 1);
		assert_memory_equal(sent[0], f, 60);
		/* Our own advert come back (a loop): taken, not handed up. */
		assert_true(pg_hostpath_lan_peek(&fx.hp, &fx.port[0], f, 60));
		assert_int_equal(read(fx.kernel[0], got, sizeof(got)), -1);
	}
	assert_int_equal(fx.port[0].cnt[PG_L2_CNT_HOST_VRRP_UP], 2);
	assert_int_equal(fx.port[0].cnt[PG_L2_CNT_HOST_VRRP_SENT], 2);
	assert_int_equal(fx.port[0].cnt[PG_L2_CNT_DROP_HA_STANDBY], 0);
	/* A backup still sends nothing else the host writes. */
	host_frame(f, peer_mac, "192.168.1.1", "192.168.1.10", 60);
	assert_int_equal(write(fx.kernel[0], f, 60), 60);
	pg_hostpath_lan_rx(&fx.hp, &fx.port[0]);
	assert_int_equal(n_sent, 1);
	assert_int_equal(fx.port[0].cnt[PG_L2_CNT_DROP_HA_STANDBY], 1);
	/* Other IPv4 is layer 2's: not taken. */
	assert_false(pg_hostpath_lan_peek(&fx.hp, &fx.port[0], f, 60));
	/* Host path off: the advert is still taken (never forwarded), a counted drop. */
	fx.hp.on = false;
	vrrp_advert(f, peer_mac, "192.168.1.3", 60);
	assert_true(pg_hostpath_lan_peek(&fx.hp, &fx.port[0], f, 60));
	assert_int_equal(fx.port[0].cnt[PG_L2_CNT_DROP_HOST_PATH], 1);
	assert_int_equal(fx.port[0].cnt[PG_L2_CNT_HOST_VRRP_UP], 2);
	assert_int_equal(read(fx.kernel[0], got, sizeof(got)), -1);
	fx.hp.on = true;
}

/* An IPv6 frame whose next header is ICMPv6 of type t (len bytes; fields past it unset). */
static uint32_t icmp6_frame(uint8_t *f, const uint8_t *dst, uint8_t t, uint32_t len)
{
	memset(f, 0, len);
	pg_eth_write(f, dst, host_mac, PG_ETH_P_IPV6);
	f[14] = 0x60;
	f[20] = 58;
	f[21] = 255;
	if (len > 54)
		f[54] = t;
	return len;
}

/*
 * The LAN device with IPv6: the host's neighbour solicitations and other
 * IPv6 go out; its router discovery, advertisements and redirects do not;
 * neighbour advertisements from the LAN (ours or multicast) come up, other
 * ICMPv6 and truncated frames do not; a packet sent up without its own
 * header gets an IPv6 one.
 */
static void test_lan_ipv6(void **state)
{
	static const uint8_t mcast[6] = {0x33, 0x33, 0xff, 0, 0, 0x10};
	static const uint8_t types[] = {135, 133, 134, 136, 137, 128};
	uint8_t f[128], got[128];
	struct pg_pkt p = {0};

	(void)state;
	/* No IPv6 address on the device yet (pd before its lease): nothing IPv6 leaves. */
	icmp6_frame(f, mcast, 135, 86);
	assert_int_equal(write(fx.kernel[0], f, 86), 86);
	assert_false(pg_hostpath_lan_rx(&fx.hp, &fx.port[0]));
	assert_int_equal(n_sent, 0);
	fx.hp.lan6_prefix = 64;
	for (size_t i = 0; i < sizeof(types); i++) {
		icmp6_frame(f, mcast, types[i], 86);
		assert_int_equal(write(fx.kernel[0], f, 86), 86);
	}
	/* Too short to hold an ICMPv6 type: not ND, so it may go (the link checks the rest). */
	icmp6_frame(f, mcast, 0, 54);
	assert_int_equal(write(fx.kernel[0], f, 54), 54);
	assert_false(pg_hostpath_lan_rx(&fx.hp, &fx.port[0]));
	assert_int_equal(n_sent, 3);
	assert_int_equal(sent[0][54], 135);
	assert_int_equal(sent[1][54], 128);
	assert_int_equal(sent_len[2], 54);
	assert_int_equal(fx.port[0].cnt[PG_L2_CNT_DROP_HOST_FRAME], 5);

	/* Up: neighbour advertisements to us or to a group, nothing else. */
	icmp6_frame(f, lan_mac, 136, 86);
	pg_hostpath_lan_peek(&fx.hp, &fx.port[0], f, 86);
	assert_int_equal(read(fx.kernel[0], got, sizeof(got)), 86);
	icmp6_frame(f, mcast, 136, 86);
	pg_hostpath_lan_peek(&fx.hp, &fx.port[0], f, 86);
	assert_int_equal(read(fx.kernel[0], got, sizeof(got)), 86);
	icmp6_frame(f, host_mac, 136, 86); /* another station's */
	pg_hostpath_lan_peek(&fx.hp, &fx.port[0], f, 86);
	icmp6_frame(f, lan_mac, 135, 86);
	pg_hostpath_lan_peek(&fx.hp, &fx.port[0], f, 86);
	for (uint32_t len = 14; len <= 54; len++) {
		icmp6_frame(f, lan_mac, 136, len);
		pg_hostpath_lan_peek(&fx.hp, &fx.port[0], f, len);
	}
	assert_int_equal(read(fx.kernel[0], got, sizeof(got)), -1);
	assert_int_equal(fx.port[0].cnt[PG_L2_CNT_HOST_ARP_COPIED], 2);

	/* A packet the engine sends up without its frame: an IPv6 Ethernet type. */
	icmp6_frame(fx.bufs[0] + PG_FRAME_ETH_OFF, lan_mac, 128, 86);
	p.l3 = fx.bufs[0] + PG_FRAME_ETH_OFF + 14;
	p.len = 72;
	p.side = PG_SIDE_LAN;
	pg_hostpath_deliver(&fx.hp, &fx.port[0], &p, false);
	assert_int_equal(read(fx.kernel[0], got, sizeof(got)), 86);
	assert_int_equal(got[12], 0x86);
	assert_int_equal(got[13], 0xdd);
}

/* An IPv6 frame from the host's WAN device: ICMPv6 of type (target at 8) or UDP. */
static uint32_t wan6_frame(uint8_t *f, const char *src, const char *dst, int icmp_type,
			   const char *target)
{
	struct pgt6_spec u = {.proto = PGT_P_UDP, .src = src, .dst = dst, .sport = 5000,
			      .dport = 53, .paylen = 20};
	uint8_t *ip = f + 14;
	uint32_t n;

	pg_eth_write(f, (const uint8_t[]){0x33, 0x33, 0xff, 0, 0, 1}, wan_mac, PG_ETH_P_IPV6);
	if (icmp_type < 0)
		return 14 + pgt6_build(&u, ip, 200);
	memset(ip, 0, 40 + 32);
	ip[0] = 0x60;
	ip[5] = 32;
	ip[6] = 58;
	ip[7] = 255;
	pgt6_addr(src, ip + 8);
	pgt6_addr(dst, ip + 24);
	ip[40] = (uint8_t)icmp_type;
	pgt6_addr(target, ip + 48);
	ip[64] = 1; /* source link-layer address option */
	ip[65] = 1;
	memcpy(ip + 66, wan_mac, 6);
	n = 14 + 40 + 32;
	return n;
}

/*
 * The WAN device with IPv6: every neighbour solicitation the host sends is
 * answered with the made-up MAC (its router's, an on-link address's), not
 * one for its own address; router and neighbour discovery, MLD, other
 * sources and cut frames stay in; packets from the WAN address go to the
 * engine as the host's.
 */
static void test_wan_ipv6(void **state)
{
	static const char *const ll = "fe80::70:67ff:fe00:2", *const me = "2001:db8:ffff::2";
	uint8_t f[256], got[256], router[16];
	bool more = false;
	uint32_t n;

	(void)state;
	pgt6_addr(me, fx.hp.wan6_addr);
	pgt6_addr("fe80::70:67ff:fe00:1", router);
	assert_memory_equal(router, pg_host6_router, 16);
	n = wan6_frame(f, ll, "ff02::1:ff00:1", 135, "fe80::70:67ff:fe00:1");
	assert_int_equal(write(fx.kernel[1], f, n), n);
	n = wan6_frame(f, "::", "ff02::1:ff00:7", 135, "2001:db8:ffff::7"); /* an on-link server */
	assert_int_equal(write(fx.kernel[1], f, n), n);
	n = wan6_frame(f, ll, "ff02::1:ff00:2", 135, me);
	assert_int_equal(write(fx.kernel[1], f, n), n);
	for (int t = 133; t <= 137; t += 3) { /* a router solicitation, a redirect */
		n = wan6_frame(f, ll, "ff02::2", t, "::");
		assert_int_equal(write(fx.kernel[1], f, n), n);
	}
	n = wan6_frame(f, ll, "ff02::16", 143, "::"); /* an MLDv2 report */
	assert_int_equal(write(fx.kernel[1], f, n), n);
	n = wan6_frame(f, me, "2001:db8:ffff::7", 136, me); /* an advertisement of its own */
	assert_int_equal(write(fx.kernel[1], f, n), n);
	n = wan6_frame(f, ll, "2001:db8:2::10", -1, NULL); /* not from the WAN address */
	assert_int_equal(write(fx.kernel[1], f, n), n);
	n = wan6_frame(f, me, "2001:db8:2::10", -1, NULL);
	assert_int_equal(write(fx.kernel[1], f, n - 1), n - 1); /* payload length lies */
	assert_int_equal(write(fx.kernel[1], f, 50), 50);	   /* cut in the header */
	assert_int_equal(write(fx.kernel[1], f, n), n);
	assert_int_equal(pg_hostpath_wan_rx(&fx.hp, &fx.port[1], fx.frames, fx.pkts, 4, &more), 1);
	assert_int_equal(fx.pkts[0].side, PG_SIDE_HOST);
	assert_int_equal(fx.pkts[0].len, n - 14);
	assert_int_equal(fx.pkts[0].l3[0] >> 4, 6);
	assert_int_equal(fx.port[1].cnt[PG_L2_CNT_HOST_ARP_ANSWERED], 2);
	assert_int_equal(fx.port[1].cnt[PG_L2_CNT_DROP_HOST_FRAME], 8);

	/* The answers: to the asker (all nodes for ::), from the target, its MAC ours. */
	for (int i = 0; i < 2; i++) {
		uint8_t *ip = got + 14, want[16];

		assert_int_equal(read(fx.kernel[1], got, sizeof(got)), 86);
		assert_memory_equal(got, wan_mac, 6);
		assert_memory_equal(got + 6, fx.hp.peer_mac, 6);
		assert_int_equal(ip[6], 58);
		assert_int_equal(ip[7], 255);
		assert_int_equal(ip[40], 136);
		pgt6_addr(i ? "2001:db8:ffff::7" : "fe80::70:67ff:fe00:1", want);
		assert_memory_equal(ip + 48, want, 16);
		assert_memory_equal(ip + 8, want, 16);
		pgt6_addr(i ? "ff02::1" : ll, want);
		assert_memory_equal(ip + 24, want, 16);
		assert_int_equal(ip[44], i ? 0xa0 : 0xe0); /* solicited only when asked by someone */
		assert_int_equal(ip[64], 2);
		assert_memory_equal(ip + 66, fx.hp.peer_mac, 6);
		assert_int_equal(pg_ip6_l4_csum(ip + 8, ip + 24, 58, ip + 40, 32), 0);
	}
	assert_int_equal(read(fx.kernel[1], got, sizeof(got)), -1);

	/* Without a WAN IPv6 address nothing IPv6 of the host's leaves. */
	memset(fx.hp.wan6_addr, 0, 16);
	assert_int_equal(write(fx.kernel[1], f, n), n);
	assert_int_equal(pg_hostpath_wan_rx(&fx.hp, &fx.port[1], fx.frames, fx.pkts, 4, &more), 0);
	assert_int_equal(fx.port[1].cnt[PG_L2_CNT_DROP_HOST_FRAME], 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_wan_arp_answered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wan_ipv4_to_engine, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lan_frames_go_out_unchanged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deliver_and_peek, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vrrp_frame, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vrrp_both_ways_any_role, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lan_ipv6, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wan_ipv6, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
