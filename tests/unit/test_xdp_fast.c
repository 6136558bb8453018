/* SPDX-License-Identifier: MIT */
/*
 * test_xdp_fast.c - the XDP fast path (src/bpf/xdp_fast.bpf.c) and the
 * engine translate packets alike: a differential test.
 *
 * The real program, compiled for the BPF target (build/xdp_fast.bpf.o), is
 * loaded twice (one per link, as the daemon does) and run on each packet
 * with BPF_PROG_TEST_RUN: no interface is needed. Its flow maps are filled
 * by the data path's own code (dp/offload.c) from the operations of engine
 * A, which has offload on and sees only the packets the program hands over
 * (XDP_PASS here: the socket map is empty), as the daemon's engine sees only
 * what reaches the AF_XDP socket. Engine B, without offload, sees every
 * packet: the reference.
 *
 *   - A packet the program forwards (XDP_REDIRECT) must leave it with B's
 *     bytes for the whole IP packet, B's direction, the MAC of B's next hop
 *     as destination and the other link's MAC as source.
 *   - A packet the program passes must leave it untouched, and A must do
 *     with it exactly what B does.
 *   - The program's counters go back to A (pg_offload_sync()) before every
 *     tick, as in the daemon; at the end A's counters and flow count equal
 *     B's, so no flow expired early or late because XDP carried it.
 *
 * The stream: TCP connections opened with a handshake, carrying data both
 * ways, closed with FIN or RST and opened again; UDP flows both ways; and,
 * one packet in eight, something the program must leave to the engine or
 * get exactly right: TTL 1 and 2, bad IP and L4 checksums, UDP without a
 * checksum, IP options, fragments, packets over the MTU with and without DF.
 * The UDP timeout is 120 s; between the rare jumps past it, XDP carries
 * flows for minutes without the engine seeing one of their packets.
 *
 * Needs BPF (root or CAP_BPF, a kernel with BPF_PROG_TEST_RUN for XDP);
 * without it the test prints "SKIP" with the reason and passes.
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../lib/fixture.h"
#include "dp/offload.h"
#include "io/xdp_fast.h"

#define OBJ "build/" PG_XDP_FAST_OBJ
#define NPKTS 8000
#define NFLOWS 24
#define ETH 14

static const uint8_t lan_mac[6] = {0x02, 0x4c, 0, 0, 0, 1};
static const uint8_t wan_mac[6] = {0x02, 0x57, 0, 0, 0, 1};

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
	return pgt_rand(&rng_state, n);
}

/* Every neighbour's MAC is made of its address: 02:01:a.b.c.d. */
static void mac_of_ip(uint32_t ip, uint8_t mac[6])
{
	mac[0] = 0x02;
	mac[1] = 0x01;
	memcpy(mac + 2, &ip, 4);
}

static bool test_mac_of(void *ctx, enum pg_side side, uint32_t ip, uint8_t mac[6])
{
	(void)ctx;
	(void)side;
	mac_of_ip(ip, mac);
	return true;
}

struct tflow {
	uint8_t proto;
	const char *lan, *srv;
	uint16_t lport, sport;
	uint32_t pub; /* the public port B gave it (host order), 0 until seen */
	int step;     /* TCP: 0 SYN next, 1 SYN-ACK, 2 ACK, 3 established */
};

static struct tflow flows[NFLOWS];

static void flows_init(void)
{
	static const char *const lans[] = {"192.168.1.10", "192.168.1.11", "192.168.1.12"};
	static const char *const srvs[] = {"203.0.113.1", "203.0.113.2", "198.51.100.7"};

	for (unsigned int i = 0; i < NFLOWS; i++) {
		flows[i] = (struct tflow){.proto = i % 2 ? PGT_P_UDP : PGT_P_TCP,
					  .lan = lans[i % 3], .srv = srvs[(i / 3) % 3],
					  .lport = (uint16_t)(40000 + i), .sport = (uint16_t)(443 + i % 4)};
	}
}

static const uint8_t nops[] = {1, 1, 1, 1};

/* The next packet of flow f: its side in *lan_side. */
static uint32_t make_packet(struct tflow *f, bool *lan_side, uint8_t *buf, size_t cap)
{
	struct pgt_spec s = {0};
	uint32_t odd = rnd(8) == 0 ? rnd(10) : 99;
	bool out = rnd(2) == 0;

	s.proto = f->proto;
	if (f->proto == PGT_P_TCP) {
		static const uint8_t data[] = {PGT_ACK, PGT_ACK | PGT_PSH};

		switch (f->step) {
		case 0:
			out = true, s.tcp_flags = PGT_SYN, f->step = 1;
			break;
		case 1:
			out = false, s.tcp_flags = PGT_SYN | PGT_ACK, f->step = 2;
			break;
		case 2:
			out = true, s.tcp_flags = PGT_ACK, f->step = 3;
			break;
		default:
			s.tcp_flags = data[rnd(2)];
			if (rnd(40) == 0)
				s.tcp_flags = PGT_FIN | PGT_ACK, f->step = 0;
			else if (rnd(60) == 0)
				s.tcp_flags = PGT_RST, f->step = 0;
		}
		s.seq = rnd(1000000);
		s.ack = rnd(1000000);
	}
	if (out) {
		s.src = f->lan, s.dst = f->srv, s.sport = f->lport, s.dport = f->sport;
	} else {
		s.src = f->srv, s.dst = PGT_WAN_ADDR, s.sport = f->sport;
		s.dport = f->pub ? f->pub : f->lport;
	}
	s.ttl = odd == 0 ? 1 : odd == 1 ? 2 : 64;
	s.paylen = (uint16_t)(odd == 2 || odd == 3 ? 1473 : rnd(60));
	s.frag = odd == 2 || rnd(2) ? PGT_IP_DF : 0;
	if (odd == 4)
		s.frag = PGT_IP_MF;
	if (odd == 5) {
		s.ip_opts = nops;
		s.ip_optlen = sizeof(nops);
	}
	s.csum = odd == 6 ? PGT_CSUM_IP_BAD
		 : odd == 7 ? PGT_CSUM_L4_BAD
		 : odd == 8 && s.proto == PGT_P_UDP ? PGT_CSUM_L4_ZERO
						  : PGT_CSUM_OK;
	*lan_side = out;
	return pgt_build(&s, NULL, buf, cap, NULL);
}

struct world {
	struct pg_xdp_fast xf[2];
	struct pg_offload off;
	struct pg_engine *a, *b;
	struct pg_engines ea;
	uint64_t now;
	unsigned int fast, slow;
};

/* Give the packet the program just counted the test's clock, as if it came at now. */
static void stamp(struct world *w)
{
	for (int s = 0; s < 2; s++)
		for (uint32_t i = 0; i < PG_XF_MAX_ENTRIES; i++)
			if (w->off.link[s].slot[i].used &&
			    w->xf[s].stats[i].pkts != w->off.link[s].slot[i].pkts)
				w->xf[s].stats[i].last_ns = w->now * 1000000u;
}

/* The daemon's tick: the program's counts to A, then expiry; B expires in its runs. */
static void tick(struct world *w)
{
	pg_offload_sync(&w->off, &w->ea, w->now);
	pg_engine_tick(w->a, w->now);
	pg_engine_tick(w->b, w->now);
	pg_offload_apply(&w->off, &w->ea);
}

static int xdp_run(struct world *w, int side, uint8_t *frame, uint32_t len, uint8_t *out,
		   uint32_t *out_len)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = len, .data_out = out,
		    .data_size_out = 4096, .repeat = 1);
	int r = bpf_prog_test_run_opts(w->xf[side].prog_fd, &o);

	assert_int_equal(r, 0);
	*out_len = o.data_size_out;
	return (int)o.retval;
}

static void one_packet(struct world *w, struct tflow *f)
{
	static struct pgt_pkt pa, pb;
	uint8_t frame[2048], out[4096];
	bool lan;
	uint32_t len, out_len;
	char err[256];
	int side, ret;

	memset(&pb, 0, sizeof(pb));
	pb.len = make_packet(f, &lan, pb.buf, sizeof(pb.buf));
	assert_true(pb.len > 0);
	side = lan ? PG_SIDE_LAN : PG_SIDE_WAN;
	pb.side = (uint8_t)side;
	pa = pb;
	memcpy(frame, side == PG_SIDE_LAN ? lan_mac : wan_mac, 6);
	memcpy(frame + 6, "\x02\x99\x00\x00\x00\x01", 6);
	frame[12] = 0x08, frame[13] = 0x00;
	memcpy(frame + ETH, pb.buf, pb.len);
	len = ETH + pb.len;

	ret = xdp_run(w, side, frame, len, out, &out_len);
	assert_int_equal(pgt_run(w->b, &pb, 1, w->now, err, sizeof(err)), 0);
	if (ret == XDP_REDIRECT) {
		uint8_t want_mac[6];

		w->fast++;
		stamp(w);
		if (pb.verdict != (side == PG_SIDE_LAN ? PG_VERDICT_TO_WAN : PG_VERDICT_TO_LAN)) {
			char d[160];

			pgt_describe(frame + ETH, len - ETH, d, sizeof(d));
			fail_msg("packet %u (%s): XDP forwarded it, the engine gives verdict %s (%s)",
				 w->fast + w->slow, d, pgt_verdict_name(pb.verdict),
				 pgt_counter(pb.drop_reason));
		}
		assert_int_equal(out_len, len);
		if (memcmp(out + ETH, pb.buf, pb.len)) {
			char dx[160], de[160];

			pgt_describe(out + ETH, pb.len, dx, sizeof(dx));
			pgt_describe(pb.buf, pb.len, de, sizeof(de));
			fail_msg("packet %u: XDP wrote %s, the engine %s", w->fast + w->slow, dx, de);
		}
		mac_of_ip(htonl(pb.next_hop), want_mac);
		assert_memory_equal(out, want_mac, 6);
		assert_memory_equal(out + 6, side == PG_SIDE_LAN ? wan_mac : lan_mac, 6);
	} else {
		w->slow++;
		assert_int_equal(ret, XDP_PASS);
		assert_int_equal(out_len, len);
		assert_memory_equal(out, frame, len); /* handed over untouched */
		assert_int_equal(pgt_run(w->a, &pa, 1, w->now, err, sizeof(err)), 0);
		if (pa.verdict != pb.verdict || pa.drop_reason != pb.drop_reason ||
		    pa.len != pb.len || pa.next_hop != pb.next_hop || memcmp(pa.buf, pb.buf, pa.len))
			fail_msg("packet %u: with offload %s %s, without %s %s", w->fast + w->slow,
				 pgt_verdict_name(pa.verdict), pgt_counter(pa.drop_reason),
				 pgt_verdict_name(pb.verdict), pgt_counter(pb.drop_reason));
		pg_offload_apply(&w->off, &w->ea);
	}
	/* Learn the public port B chose for the flow. */
	if (side == PG_SIDE_LAN && pb.verdict == PG_VERDICT_TO_WAN && pb.len >= 24 &&
	    (pb.buf[0] & 0x0f) == 5)
		f->pub = pgt_get16(pb.buf + 20);
}

static bool world_open(struct world *w, char *why, size_t whylen)
{
	char err[256];

	memset(w, 0, sizeof(*w));
	for (int s = 0; s < 2; s++) {
		w->xf[s].prog_fd = w->xf[s].link_fd = -1;
		if (pg_xdp_fast_load(&w->xf[s], OBJ, err, sizeof(err))) {
			snprintf(why, whylen, "cannot load %s: %s", OBJ, err);
			return false;
		}
		/* The redirect needs an existing interface; loopback will do (nothing is sent). */
		if (pg_xdp_fast_set_egress(&w->xf[s], 1)) {
			snprintf(why, whylen, "cannot fill the redirect map");
			return false;
		}
	}
	return true;
}

static void test_xdp_same_as_engine(void **state)
{
	struct pg_engine_config cfg;
	struct world *w = calloc(1, sizeof(*w));
	char why[512];

	(void)state;
	assert_non_null(w);
	if (!world_open(w, why, sizeof(why))) {
		printf("SKIP test_xdp_fast: %s\n", why);
		pg_xdp_fast_close(&w->xf[0]);
		pg_xdp_fast_close(&w->xf[1]);
		free(w);
		return;
	}
	pgt_config(&cfg);
	/*
	 * The shortest UDP timeout, and stretches of time longer than it without
	 * a jump: a flow XDP carries for longer than its timeout stays only if
	 * its packets reach the engine's flow through pg_offload_sync().
	 */
	cfg.timeouts.udp = 120;
	w->a = pgt_engine_new(&cfg);
	w->b = pgt_engine_new(&cfg);
	assert_non_null(w->a);
	assert_non_null(w->b);
	pg_engine_set_offload(w->a, true);
	w->ea = PG_ENGINES_ONE(w->a);
	assert_int_equal(pg_offload_init(&w->off, &w->xf[PG_SIDE_LAN], &w->xf[PG_SIDE_WAN], lan_mac,
					 wan_mac, cfg.lan_mtu, cfg.wan_mtu, test_mac_of, NULL),
			 0);
	rng_state = 0x9e3779b97f4a7c15ULL;
	flows_init();
	w->now = 1000000;
	for (unsigned int n = 0; n < NPKTS; n++) {
		one_packet(w, &flows[rnd(NFLOWS)]);
		if (rnd(2000) == 0)
			w->now += 121000; /* past the UDP timeout */
		else
			w->now += rnd(300);
		tick(w);
	}
	tick(w);
	/* Both paths must have carried a fair share, or this proves little. */
	print_message("%u packets through XDP, %u through the engine, %u entries\n", w->fast,
		      w->slow, pg_offload_entries(&w->off));
	assert_true(w->fast > NPKTS / 3);
	assert_true(w->slow > NPKTS / 10);
	assert_true(pg_engine_counters(w->a)[PG_CNT_OFFLOADED] == w->fast);
	for (unsigned int c = 0; c < PG_CNT__COUNT; c++) {
		if (c == PG_CNT_OFFLOADED || c == PG_CNT_OFFLOAD_ADDED || c == PG_CNT_OFFLOAD_FLUSHED)
			continue;
		if (pg_engine_counters(w->a)[c] != pg_engine_counters(w->b)[c])
			fail_msg("counter %s: %llu with offload, %llu without", pgt_counter(c),
				 (unsigned long long)pg_engine_counters(w->a)[c],
				 (unsigned long long)pg_engine_counters(w->b)[c]);
	}
	assert_int_equal(pg_engine_flow_count(w->a), pg_engine_flow_count(w->b));
	/* A reconfiguration takes every flow back: both maps end empty. */
	assert_int_equal(pg_engine_reconfigure(w->a, &cfg), 0);
	pg_offload_apply(&w->off, &w->ea);
	assert_int_equal(pg_offload_entries(&w->off), 0);
	assert_int_equal(pg_engine_offload_count(w->a), 0);

	pg_offload_fini(&w->off);
	pg_engine_destroy(w->a);
	pg_engine_destroy(w->b);
	pg_xdp_fast_close(&w->xf[0]);
	pg_xdp_fast_close(&w->xf[1]);
	free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xdp_same_as_engine),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
