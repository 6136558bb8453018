/* SPDX-License-Identifier: MIT */
/*
 * fuzz_xdp_fast.c - libFuzzer target for the XDP fast path
 * (src/bpf/xdp_fast.bpf.c) against the engine (tests/lib/xdpdiff.h): the
 * real program, run with BPF_PROG_TEST_RUN on packets close to those of
 * flows it holds, must forward exactly what the engine forwards, byte for
 * byte, and leave everything else untouched to an engine that then agrees
 * with the one that saw every packet.
 *
 * Eight flows are set up first, each answered and offered, so both maps
 * hold entries: three TCP connections after their handshake, a UDP flow, a
 * ping (ICMP echo request out, reply in: the identifier translated),
 * a PPTP call's GRE (control connection, Outgoing-Call-Request and -Reply,
 * a GRE packet each way), raw ESP whose inbound SPI was learnt, and a NAT-T
 * flow that carried ESP in UDP both ways. Eight IPv6 firewall flows beside
 * them (routed, no NAT): TCP, UDP, raw ESP and a ping (ICMPv6 echo) to servers behind the WAN's
 * router and on the WAN's own prefix, each answered and offered.
 * Input: byte 0 picks the template (bits 0-3: the flow, 0-7 IPv4, 8-15
 * IPv6; bit 4: inbound rather than outbound) and what to do (bit 5: fix
 * the headers afterwards: IPv4's total length and checksum and the TCP,
 * UDP or ICMP checksum, IPv6's payload length; bit 6: the daemon's tick
 * first, 1.5 s later, bit 7: a tick 130 s later, past the UDP timeout); the rest is
 * XORed onto the template's bytes and, past its end, appended (up to 1500
 * bytes in all). A FIN or RST found by the fuzzer ends an offer as in the
 * daemon, a mangled control message may end the call; later inputs see the
 * maps as they are then.
 *
 * Needs BPF (root or CAP_BPF); without it each input is ignored (a note on
 * stderr once).
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "pktbuild6.h"
#include "xdpdiff.h"

#define NFLOWS4 8
#define NFLOWS 16

static struct pgt_xdiff world;
static bool ready, unavailable;
static uint8_t tmpl[NFLOWS][2][PGT_BUF];
static uint32_t tmpl_len[NFLOWS][2];

static void die(const char *what, const uint8_t *pkt, uint32_t len)
{
	char d[200];

	pgt_describe(pkt, len, d, sizeof(d));
	fprintf(stderr, "fuzz_xdp_fast: invariant broken: %s (%s)\n", what, d);
	abort();
}

static void step(int side, const uint8_t *pkt, uint32_t len, struct pgt_pkt *b)
{
	char err[512];

	if (pgt_xdiff_packet(&world, side, pkt, len, b, err, sizeof(err)))
		die(err, pkt, len);
}

static uint32_t build(struct pgt_spec *s, uint8_t *buf)
{
	uint32_t n = pgt_build(s, NULL, buf, PGT_BUF, NULL);

	if (!n)
		abort();
	return n;
}

/* Send out, then in (whose destination port becomes out's public port); B's verdicts checked. */
static void exchange(struct pgt_spec *out, struct pgt_spec *in, uint8_t *buf, struct pgt_pkt *b)
{
	step(PG_SIDE_LAN, buf, build(out, buf), b);
	if (b->verdict != PG_VERDICT_TO_WAN)
		die("a set-up packet was not forwarded out", buf, 0);
	if (in->proto == PGT_P_TCP || in->proto == PGT_P_UDP)
		in->dport = pgt_get16(b->buf + 20);
	else if (in->proto == PGT_P_ICMP)
		in->icmp_id = pgt_get16(b->buf + 24); /* the echo's public identifier */
	step(PG_SIDE_WAN, buf, build(in, buf), b);
	if (b->verdict != PG_VERDICT_TO_LAN)
		die("a set-up packet was not forwarded in", buf, 0);
}

/* Flow 5: a PPTP call from .12 to S; its GRE packets as templates. */
static void setup_pptp(const char *lan, const char *srv, uint8_t *buf, struct pgt_pkt *b)
{
	static uint8_t m[256];
	struct pgt_spec out = {.proto = PGT_P_TCP, .src = lan, .dst = srv, .sport = 42000,
			       .dport = 1723, .tcp_flags = PGT_SYN, .seq = 1000};
	struct pgt_spec in = {.proto = PGT_P_TCP, .src = srv, .dst = PGT_WAN_ADDR, .sport = 1723,
			      .tcp_flags = PGT_SYN | PGT_ACK, .seq = 5000, .ack = 1001};
	struct pgt_spec gout = {.proto = PGT_P_GRE, .src = lan, .dst = srv, .gre_ver = 1,
				.call_id = 0x0000, .gre_seq = true, .gre_seqno = 1, .paylen = 40};
	struct pgt_spec gin = {.proto = PGT_P_GRE, .src = srv, .dst = PGT_WAN_ADDR, .gre_ver = 1,
			       .call_id = 0x0100, .gre_seq = true, .gre_ack = true, .paylen = 40};

	exchange(&out, &in, buf, b);
	out.tcp_flags = PGT_ACK, out.seq = 1001, out.ack = 5001;
	step(PG_SIDE_LAN, buf, build(&out, buf), b);
	out.tcp_flags = PGT_ACK | PGT_PSH;
	out.payload = m, out.paylen = pgt_pptp_msg(m, 7, 0x0100, 1, 0); /* Outgoing-Call-Request */
	in.tcp_flags = PGT_ACK | PGT_PSH, in.seq = 5001, in.ack = 1001 + 168;
	in.payload = m;
	/* The request's bytes are sent before the reply overwrites m. */
	step(PG_SIDE_LAN, buf, build(&out, buf), b);
	in.paylen = pgt_pptp_msg(m, 8, 0x0000, 0x0100, 1); /* -Reply, connected, server id 0 */
	step(PG_SIDE_WAN, buf, build(&in, buf), b);
	exchange(&gout, &gin, buf, b);
	tmpl_len[5][0] = build(&gout, tmpl[5][0]);
	tmpl_len[5][1] = build(&gin, tmpl[5][1]);
}

/* Flows 8-15: IPv6, answered (TCP after its handshake), offered; their packets as templates. */
static void setup6(uint8_t *buf, struct pgt_pkt *b)
{
	static const char *const lans[] = {"2001:db8:1::10", "2001:db8:1::11"};
	static const char *const srvs[] = {"2001:db8:2::1", "2001:db8:ffff::7"};
	static const uint8_t protos[] = {PGT_P_TCP, PGT_P_TCP, PGT_P_TCP,  PGT_P_UDP,
					 PGT_P_UDP, PGT_P_ESP, PGT_P_ICMP6, PGT_P_ESP};

	for (int i = 0; i < NFLOWS - NFLOWS4; i++) {
		bool tcp = protos[i] == PGT_P_TCP;
		struct pgt6_spec out = {.proto = protos[i], .src = lans[i % 2],
					.dst = srvs[(i / 2) % 2], .sport = (uint16_t)(42000 + i),
					.dport = (uint16_t)(443 + i), .spi = 0x7000u + (uint32_t)i,
					.icmp_type = 128, .icmp_id = 0x4242, .paylen = 32};
		struct pgt6_spec in = out;
		int k = NFLOWS4 + i;

		in.src = out.dst, in.dst = out.src, in.sport = out.dport, in.dport = out.sport;
		in.icmp_type = 129;
		if (tcp) {
			out.tcp_flags = PGT_SYN;
			in.tcp_flags = PGT_SYN | PGT_ACK;
		}
		step(PG_SIDE_LAN, buf, pgt6_build(&out, buf, PGT_BUF), b);
		step(PG_SIDE_WAN, buf, pgt6_build(&in, buf, PGT_BUF), b);
		if (b->verdict != PG_VERDICT_TO_LAN)
			die("an IPv6 set-up packet was not forwarded in", buf, 0);
		out.tcp_flags = tcp ? PGT_ACK : 0;
		step(PG_SIDE_LAN, buf, pgt6_build(&out, buf, PGT_BUF), b);
		out.tcp_flags = in.tcp_flags = tcp ? PGT_ACK | PGT_PSH : 0;
		tmpl_len[k][0] = pgt6_build(&out, tmpl[k][0], PGT_BUF);
		tmpl_len[k][1] = pgt6_build(&in, tmpl[k][1], PGT_BUF);
	}
}

/* The sixteen flows, established in both engines and offered; their packets as templates. */
static void setup(void)
{
	static const char *const lans[] = {"192.168.1.10", "192.168.1.11"};
	static const char *const srvs[] = {"203.0.113.1", "198.51.100.7"};
	struct pg_engine_config cfg;
	static struct pgt_pkt b;
	static uint8_t buf[PGT_BUF], natt[32];
	char why[512];

	pgt_config6(&cfg);
	if (!pgt_xdiff_open(&world, &cfg, why, sizeof(why))) {
		fprintf(stderr, "fuzz_xdp_fast: inputs ignored: %s\n", why);
		unavailable = true;
		return;
	}
	for (int i = 0; i < 5; i++) {
		bool tcp = i < 3;
		/* Flow 4: a ping (echo request out, reply in). */
		struct pgt_spec out = {.proto = tcp ? PGT_P_TCP : i == 4 ? PGT_P_ICMP : PGT_P_UDP,
				       .src = lans[i % 2], .dst = srvs[(i / 2) % 2],
				       .sport = (uint16_t)(41000 + i), .dport = (uint16_t)(443 + i),
				       .icmp_type = 8, .icmp_id = 41000, .icmp_seq = 1, .paylen = 32};
		struct pgt_spec in = out;

		in.src = out.dst, in.dst = PGT_WAN_ADDR, in.sport = out.dport, in.icmp_type = 0;
		if (tcp) {
			out.tcp_flags = PGT_SYN;
			in.tcp_flags = PGT_SYN | PGT_ACK;
		}
		exchange(&out, &in, buf, &b);
		if (tcp) {
			out.tcp_flags = PGT_ACK;
			step(PG_SIDE_LAN, buf, build(&out, buf), &b);
			in.tcp_flags = PGT_ACK | PGT_PSH;
		}
		out.tcp_flags = tcp ? PGT_ACK | PGT_PSH : 0;
		tmpl_len[i][0] = build(&out, tmpl[i][0]);
		tmpl_len[i][1] = build(&in, tmpl[i][1]);
	}
	setup_pptp("192.168.1.12", srvs[0], buf, &b);
	{
		/* Flow 6: raw ESP; the server's answer teaches the client's SPI. */
		struct pgt_spec out = {.proto = PGT_P_ESP, .src = "192.168.1.13", .dst = srvs[1],
				       .spi = 0x11223344, .esp_seq = 1, .paylen = 48};
		struct pgt_spec in = {.proto = PGT_P_ESP, .src = srvs[1], .dst = PGT_WAN_ADDR,
				      .spi = 0x55667788, .esp_seq = 1, .paylen = 48};

		exchange(&out, &in, buf, &b);
		step(PG_SIDE_LAN, buf, build(&out, buf), &b); /* offered by a packet after the learning */
		tmpl_len[6][0] = build(&out, tmpl[6][0]);
		tmpl_len[6][1] = build(&in, tmpl[6][1]);
	}
	{
		/* Flow 7: NAT-T carrying ESP in UDP (a non-zero SPI where IKE has its marker). */
		struct pgt_spec out = {.proto = PGT_P_UDP, .src = "192.168.1.14", .dst = srvs[0],
				       .sport = 4500, .dport = 4500, .payload = natt,
				       .paylen = sizeof(natt)};
		struct pgt_spec in = out;

		for (unsigned int k = 0; k < sizeof(natt); k++)
			natt[k] = (uint8_t)(k + 1);
		in.src = out.dst, in.dst = PGT_WAN_ADDR;
		exchange(&out, &in, buf, &b);
		step(PG_SIDE_LAN, buf, build(&out, buf), &b);
		tmpl_len[7][0] = build(&out, tmpl[7][0]);
		tmpl_len[7][1] = build(&in, tmpl[7][1]);
	}
	setup6(buf, &b);
	/* Every flow is offered now: check the maps hold them. */
	if (pg_offload_entries(&world.off) != 2 * NFLOWS)
		die("the set-up flows are not all in the maps", tmpl[0][0], tmpl_len[0][0]);
	ready = true;
}

static void fix_ip(uint8_t *p, uint32_t len)
{
	uint32_t ihl = (uint32_t)(p[0] & 0x0f) * 4;

	if (len < 20 || ihl < 20 || ihl > len)
		return;
	pgt_put16(p + 2, (uint16_t)len);
	pgt_put16(p + 10, 0);
	pgt_put16(p + 10, pgt_cksum(p, ihl, 0));
}

/*
 * IPv6: the payload length the frame has. The TCP/UDP checksum stays as
 * mutated: routed without NAT, neither the program nor the engine reads it.
 */
static void fix_ip6(uint8_t *p, uint32_t len)
{
	if (len >= 40)
		pgt_put16(p + 4, (uint16_t)(len - 40));
}

static void fix_l4(uint8_t *p, uint32_t len)
{
	uint32_t ihl = (uint32_t)(p[0] & 0x0f) * 4, off;
	uint8_t proto = p[9];

	if (len < 20 || ihl < 20 || ihl > len)
		return;
	if (proto == PGT_P_TCP && len - ihl >= 20)
		off = 16;
	else if (proto == PGT_P_UDP && len - ihl >= 8)
		off = 6;
	else if (proto == PGT_P_ICMP && len - ihl >= 8)
		off = 2;
	else
		return;
	pgt_put16(p + ihl + off, 0);
	/* ICMP's checksum covers the message alone (no pseudo-header). */
	pgt_put16(p + ihl + off,
		  pgt_cksum(p + ihl, len - ihl,
			    proto == PGT_P_ICMP ? 0
						: pgt_pseudo_sum(pgt_ip_src(p), pgt_ip_dst(p), proto,
								 len - ihl)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t pkt[PGT_BUF];
	static struct pgt_pkt b;
	unsigned int f, in;
	uint32_t len;

	if (!ready && !unavailable)
		setup();
	if (unavailable || size < 1)
		return 0;
	f = data[0] & 15;
	in = (data[0] >> 4) & 1;
	len = tmpl_len[f][in];
	memcpy(pkt, tmpl[f][in], len);
	for (size_t i = 1; i < size && i - 1 < 1500; i++) {
		if (i - 1 < len)
			pkt[i - 1] ^= data[i];
		else
			pkt[len++] = data[i];
	}
	if (data[0] & 0x20) {
		if (f >= NFLOWS4) {
			fix_ip6(pkt, len);
		} else {
			fix_ip(pkt, len);
			fix_l4(pkt, len);
		}
	}
	if (data[0] & 0xc0) {
		world.now += data[0] & 0x80 ? 130000 : 1500;
		pgt_xdiff_tick(&world);
	}
	world.now += 1;
	step(in ? PG_SIDE_WAN : PG_SIDE_LAN, pkt, len, &b);
	return 0;
}
