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
 * ways, closed with FIN or RST and opened again; UDP flows both ways; pings
 * (ICMP echo requests out, replies in with the public identifier; three
 * hosts use the same identifier, so the NAT changes it; one flow's is 0,
 * so a reply from the LAN or a request from the WAN matches its keys and
 * the program must check the type, and an empty reply's checksum must
 * come out 0xffff); and, one packet in eight, something the program must leave to the engine or
 * get exactly right: TTL 1 and 2, bad IP and L4 checksums, UDP without a
 * checksum, IP options, fragments, packets over the MTU with and without DF.
 * The UDP timeout is 120 s; between the rare jumps past it, XDP carries
 * flows for minutes without the engine seeing one of their packets.
 *
 * The mutation check: the same program built without the echo identifier's
 * rewrite (build/xdp_fast_mutant_icmp.bpf.o) must fail the same stream.
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

#include "../lib/fixture.h"
#include "../lib/xdpdiff.h"

#define NPKTS 8000
#define NFLOWS 24
#define MUTANT "build/xdp_fast_mutant_icmp.bpf.o"

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
	return pgt_rand(&rng_state, n);
}

struct tflow {
	uint8_t proto;
	const char *lan, *srv;
	uint16_t lport, sport;
	uint32_t pub; /* the public port or echo id B gave it (host order) */
	bool seen;    /* pub is known */
	int step;     /* TCP: where pgt_xdiff_tcp_next() is in its walk */
};

static struct tflow flows[NFLOWS];

static void flows_init(void)
{
	static const char *const lans[] = {"192.168.1.10", "192.168.1.11", "192.168.1.12"};
	static const char *const srvs[] = {"203.0.113.1", "203.0.113.2", "198.51.100.7"};

	static const uint8_t protos[] = {PGT_P_TCP, PGT_P_UDP, PGT_P_ICMP, PGT_P_UDP};

	/*
	 * Pings of three hosts share identifier 7, so the NAT gives all but
	 * the first another public one: the program's rewrite is not a no-op.
	 */
	for (unsigned int i = 0; i < NFLOWS; i++) {
		flows[i] = (struct tflow){.proto = protos[i % 4], .lan = lans[i % 3],
					  .srv = srvs[(i / 3) % 3],
					  .lport = (uint16_t)(protos[i % 4] != PGT_P_ICMP ? 40000 + i
							      : i == 2			   ? 0
											   : 7),
					  .sport = (uint16_t)(443 + i % 4)};
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
		s.tcp_flags = pgt_xdiff_tcp_next(&f->step, &out, false, &rng_state);
		s.seq = rnd(1000000);
		s.ack = rnd(1000000);
	}
	if (out) {
		s.src = f->lan, s.dst = f->srv, s.sport = f->lport, s.dport = f->sport;
	} else {
		s.src = f->srv, s.dst = PGT_WAN_ADDR, s.sport = f->sport;
		s.dport = f->seen ? f->pub : f->lport;
	}
	if (f->proto == PGT_P_ICMP) {
		/* A request out, its reply in; odd 9: the other type (the engine's to judge). */
		s.icmp_type = (out != (odd == 9)) ? 8 : 0;
		s.icmp_id = out ? f->lport : (f->seen ? f->pub : f->lport);
		s.icmp_seq = (uint16_t)rnd(3);
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

/* The next packet of a random flow through w: 0, or -1 with the disagreement in err. */
static int one_packet(struct pgt_xdiff *w, char *err, size_t errlen)
{
	static uint8_t buf[PGT_BUF];
	static struct pgt_pkt b;
	struct tflow *f = &flows[rnd(NFLOWS)];
	char e[400], d[160];
	uint32_t len;
	bool lan;

	len = make_packet(f, &lan, buf, sizeof(buf));
	assert_true(len > 0);
	if (pgt_xdiff_packet(w, lan ? PG_SIDE_LAN : PG_SIDE_WAN, buf, len, &b, e, sizeof(e))) {
		pgt_describe(buf, len, d, sizeof(d));
		snprintf(err, errlen, "packet %u (%s): %s", w->fast + w->slow, d, e);
		return -1;
	}
	/* Learn the public port (or echo id) B chose for the flow. */
	if (lan && b.verdict == PG_VERDICT_TO_WAN && b.len >= 28 && (b.buf[0] & 0x0f) == 5) {
		f->pub = pgt_get16(b.buf + (f->proto == PGT_P_ICMP ? 24 : 20));
		f->seen = true;
	}
	return 0;
}

/* The stream through w: 0, or -1 with the first disagreement in err. */
static int run_stream(struct pgt_xdiff *w, char *err, size_t errlen)
{
	rng_state = 0x9e3779b97f4a7c15ULL;
	flows_init();
	for (unsigned int n = 0; n < NPKTS; n++) {
		if (one_packet(w, err, errlen))
			return -1;
		/* Now and then past the UDP timeout. */
		pgt_xdiff_advance(w, &rng_state, 2000);
	}
	pgt_xdiff_tick(w);
	return 0;
}

/* The world, or NULL after "SKIP what: why" where BPF is not to be had. */
static struct pgt_xdiff *open_or_skip(struct pg_engine_config *cfg, const char *what)
{
	pgt_config(cfg);
	/*
	 * The shortest UDP timeout, and stretches of time longer than it without
	 * a jump: a flow XDP carries for longer than its timeout stays only if
	 * its packets reach the engine's flow through pg_offload_sync().
	 */
	cfg->timeouts.udp = 120;
	return pgt_xdiff_new(cfg, what);
}

static void test_xdp_same_as_engine(void **state)
{
	struct pg_engine_config cfg;
	struct pgt_xdiff *w = open_or_skip(&cfg, "test_xdp_fast");
	char why[512];

	(void)state;
	if (!w)
		return;
	if (run_stream(w, why, sizeof(why)))
		fail_msg("%s", why);
	print_message("%u packets through XDP, %u through the engine, %u entries, "
		      "%u ICMP echoes through XDP\n",
		      w->fast, w->slow, pg_offload_entries(&w->off), w->fast_icmp);
	if (!pgt_xdiff_fair(w, NPKTS, why, sizeof(why)))
		fail_msg("%s", why);
	assert_int_equal(pg_engine_flow_count(w->a), pg_engine_flow_count(w->b));
	if (!pgt_xdiff_same_flows(w, why, sizeof(why)))
		fail_msg("%s", why);
	/* A reconfiguration takes every flow back: both maps end empty. */
	assert_int_equal(pg_engine_reconfigure(w->a, &cfg), 0);
	if (!pgt_xdiff_withdrawn(w, why, sizeof(why)))
		fail_msg("%s", why);

	pgt_xdiff_close(w);
	free(w);
}

/* The comparison catches a program that forgets the echo identifier. */
static void test_xdp_icmp_mutant_caught(void **state)
{
	struct pg_engine_config cfg;
	/* Skipped only where BPF is not: a missing mutant must not pass unseen. */
	struct pgt_xdiff *w = open_or_skip(&cfg, "test_xdp_fast mutant");
	char why[512];

	(void)state;
	if (!w)
		return;
	if (!pgt_xdiff_mutant_caught(w, &cfg, MUTANT, run_stream, why, sizeof(why)))
		fail_msg("%s", why);
	print_message("the mutant (no echo identifier rewrite) caught: %s\n", why);
	assert_non_null(strstr(why, "ICMP"));
	pgt_xdiff_close(w);
	free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xdp_same_as_engine),
		cmocka_unit_test(test_xdp_icmp_mutant_caught),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
