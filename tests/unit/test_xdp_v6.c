/* SPDX-License-Identifier: MIT */
/*
 * test_xdp_v6.c - the XDP fast path (src/bpf/xdp_fast.bpf.c) and the
 * engine forward IPv6 packets alike: the differential test of
 * test_xdp_fast.c (tests/lib/xdpdiff.h says how) for the IPv6 firewall's
 * flows, routed without NAT.
 *
 * The stream: TCP connections opened with a handshake, carrying data both
 * ways, closed with FIN or RST, carrying more after it (a half-close), and
 * opened again with a new SYN; UDP flows, raw ESP and pings (ICMPv6 echo
 * requests out, replies in) both ways; to servers behind the WAN's router
 * and to one on the WAN's own prefix (a different next hop). One packet in eight is something the
 * program must leave to the engine or get exactly right: hop limit 1, 2
 * and 255, a packet above the WAN's MTU (Packet Too Big outbound, forwarded
 * inbound), a destination options header, a fragment header, link padding
 * after the packet, a payload length past the frame, an ICMPv6 echo, a
 * traffic class and flow label. Time jumps past the UDP timeout now and
 * then; the program's counters reach engine A only at the ticks.
 *
 * At the end both engines' counters (but the offload ones) and IPv6 flows
 * (packets, bytes, idle time) are equal, and A counted as offload_packets
 * exactly what the program forwarded.
 *
 * The mutation check: the same program built without its hop limit
 * decrement (build/xdp_fast_mutant.bpf.o) must fail the same stream.
 *
 * Needs BPF (root or CAP_BPF, a kernel with BPF_PROG_TEST_RUN for XDP);
 * without it the test prints "SKIP" with the reason and passes.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/observe.h"
#include "../lib/fixture.h"
#include "../lib/pktbuild6.h"
#include "../lib/xdpdiff.h"

#define NPKTS 8000
#define NFLOWS 24
#define MUTANT "build/xdp_fast_mutant.bpf.o"

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
	return pgt_rand(&rng_state, n);
}

struct tflow {
	uint8_t proto;
	const char *lan, *srv;
	uint16_t lport, sport;
	uint32_t spi;
	int step; /* TCP: where pgt_xdiff_tcp_next() is in its walk */
};

static struct tflow flows[NFLOWS];

static void flows_init(void)
{
	static const char *const lans[] = {"2001:db8:1::10", "2001:db8:1::11", "2001:db8:1::12"};
	/* The last is on the WAN's own prefix: its own next hop, not the router. */
	static const char *const srvs[] = {"2001:db8:2::1", "2001:db8:2::2", "2001:db8:ffff::7"};
	static const uint8_t protos[] = {PGT_P_TCP, PGT_P_UDP, PGT_P_ESP, PGT_P_ICMP6};

	for (unsigned int i = 0; i < NFLOWS; i++)
		flows[i] = (struct tflow){.proto = protos[i % 4], .lan = lans[i % 3],
					  .srv = srvs[(i / 3) % 3], .lport = (uint16_t)(40000 + i),
					  .sport = (uint16_t)(443 + i % 4), .spi = 0x1000 + i};
}

static void config(struct pg_engine_config *cfg)
{
	pgt_config6(cfg);
	cfg->timeouts.udp = 120;
	/* A smaller WAN: big packets fit inbound only (outbound: Packet Too Big). */
	cfg->lan_mtu = 1500;
	cfg->wan_mtu = 1400;
}

static const uint8_t ext_dstopts[] = {PGT6_EXT_DSTOPTS};
static const uint8_t ext_frag[] = {PGT6_EXT_FRAGMENT};

/* The next packet of flow f, its side in *lan_side. */
static uint32_t make_packet(struct tflow *f, bool *lan_side, uint8_t *buf, size_t cap)
{
	struct pgt6_spec s = {0};
	uint32_t odd = rnd(8) == 0 ? rnd(10) : 99, len;
	bool out = rnd(2) == 0;

	s.proto = f->proto;
	if (f->proto == PGT_P_TCP) {
		/* Half-closes too: data after a FIN or RST, then a new SYN. */
		s.tcp_flags = pgt_xdiff_tcp_next(&f->step, &out, true, &rng_state);
		s.seq = rnd(1000000);
		s.ack = rnd(1000000);
	}
	s.spi = f->spi;
	s.src = out ? f->lan : f->srv;
	s.dst = out ? f->srv : f->lan;
	s.sport = out ? f->lport : f->sport;
	s.dport = out ? f->sport : f->lport;
	s.hlim = odd == 0 ? 1 : odd == 1 ? 2 : odd == 8 ? 255 : 64;
	s.paylen = (uint16_t)(odd == 2 ? 1360 + rnd(40) : rnd(60));
	if (odd == 3) {
		memcpy(s.ext, ext_dstopts, sizeof(ext_dstopts));
		s.next = 1;
	} else if (odd == 4 && f->proto != PGT_P_TCP) {
		memcpy(s.ext, ext_frag, sizeof(ext_frag));
		s.next = 1;
		s.frag_more = true;
		s.frag_id = rnd(100000);
	} else if (odd == 7) {
		/* An echo request either way (of a ping flow: the reverse of its usual types). */
		s.proto = PGT_P_ICMP6;
		s.icmp_type = 128;
		s.icmp_id = f->lport;
	}
	if (f->proto == PGT_P_ICMP6) {
		/* A ping: requests out, replies in (odd 7: the other way round). */
		s.icmp_type = (out != (odd == 7)) ? 128 : 129;
		s.icmp_id = f->lport;
		s.icmp_seq = (uint16_t)rnd(1000);
	}
	*lan_side = out;
	len = pgt6_build(&s, buf, (uint32_t)cap);
	if (odd == 5 && len && len + 6 <= cap) {
		memset(buf + len, 0xee, 6); /* link padding: not part of the packet */
		len += 6;
	} else if (odd == 6 && len > 44) {
		len -= 4; /* the payload length now claims 4 bytes the frame lacks */
	} else if (odd == 9 && len) {
		buf[0] = 0x6b, buf[1] = 0x8c, buf[3] = 0x42; /* traffic class and flow label */
	}
	return len;
}

/* Run the stream through w; 0, or -1 with the first disagreement in err. */
static int run_stream(struct pgt_xdiff *w, char *err, size_t errlen)
{
	static uint8_t buf[PGT_BUF];
	static struct pgt_pkt b;

	rng_state = 0x2545f4914f6cdd1dULL;
	flows_init();
	for (unsigned int n = 0; n < NPKTS; n++) {
		struct tflow *f = &flows[rnd(NFLOWS)];
		char e[400];
		bool lan;
		uint32_t len = make_packet(f, &lan, buf, sizeof(buf));

		if (!len) {
			snprintf(err, errlen, "packet %u: cannot build it", n);
			return -1;
		}
		if (pgt_xdiff_packet(w, lan ? PG_SIDE_LAN : PG_SIDE_WAN, buf, len, &b, e,
				     sizeof(e))) {
			snprintf(err, errlen, "packet %u (proto %u, %s, %u bytes): %s", n,
				 buf[6], lan ? "from the LAN" : "from the WAN", len, e);
			return -1;
		}
		pgt_xdiff_advance(w, &rng_state, 2000); /* now and then past the UDP timeout */
	}
	/*
	 * The sweep that frees expired flows looks at 64 entries per run or
	 * tick, and B runs once per packet, A only for what XDP left it: ticks
	 * enough to walk the whole table (1024) in both, so flow6_expired
	 * compares what expired, not how far each sweep got.
	 */
	for (int i = 0; i < 20; i++)
		pgt_xdiff_tick(w);
	return 0;
}

/* The world with config(), or NULL after "SKIP what: why" where BPF is not to be had. */
static struct pgt_xdiff *open_or_skip(struct pg_engine_config *cfg, const char *what)
{
	config(cfg);
	return pgt_xdiff_new(cfg, what);
}

static void test_xdp_v6_same_as_engine(void **state)
{
	struct pg_engine_config cfg;
	struct pgt_xdiff *w = open_or_skip(&cfg, "test_xdp_v6");
	struct pg_flow_filter all6 = {.family = 6};
	uint32_t cursor = 0, budget = UINT32_MAX;
	char why[600];

	(void)state;
	if (!w)
		return;
	if (run_stream(w, why, sizeof(why)))
		fail_msg("%s", why);
	print_message("%u IPv6 packets through XDP, %u through the engine, %u entries, "
		      "%u ICMPv6 echoes through XDP\n",
		      w->fast, w->slow, pg_offload_entries(&w->off), w->fast_icmp);
	if (!pgt_xdiff_fair(w, NPKTS, why, sizeof(why)))
		fail_msg("%s", why);
	if (!pgt_xdiff_same_flows6(w, why, sizeof(why)))
		fail_msg("%s", why);
	assert_true(pg_offload_entries(&w->off) > 0);

	/* DELETE /api/v1/flows family=6 takes every entry back with its flow. */
	pg_engine_flows_clear(w->a, &all6, &cursor, &budget);
	if (!pgt_xdiff_withdrawn(w, why, sizeof(why)))
		fail_msg("%s", why);
	pgt_xdiff_close(w);

	/* A reconfiguration (reload, a new delegated prefix) does too. */
	assert_true(pgt_xdiff_open(w, &cfg, why, sizeof(why)));
	if (run_stream(w, why, sizeof(why)))
		fail_msg("%s", why);
	assert_true(pg_offload_entries(&w->off) > 0);
	assert_int_equal(pg_engine_reconfigure(w->a, &cfg), 0);
	if (!pgt_xdiff_withdrawn(w, why, sizeof(why)))
		fail_msg("%s", why);
	pgt_xdiff_close(w);
	free(w);
}

/* The comparison catches a program that forgets the hop limit. */
static void test_xdp_v6_mutant_caught(void **state)
{
	struct pg_engine_config cfg;
	/* Skipped only where BPF is not: a missing mutant must not pass unseen. */
	struct pgt_xdiff *w = open_or_skip(&cfg, "test_xdp_v6 mutant");
	char why[600];

	(void)state;
	if (!w)
		return;
	if (!pgt_xdiff_mutant_caught(w, &cfg, MUTANT, run_stream, why, sizeof(why)))
		fail_msg("%s", why);
	print_message("the mutant (no hop limit decrement) caught: %s\n", why);
	pgt_xdiff_close(w);
	free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xdp_v6_same_as_engine),
		cmocka_unit_test(test_xdp_v6_mutant_caught),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
