/* SPDX-License-Identifier: MIT */
/*
 * test_forward6.c - IPv6 packet tables: routing without NAT, the RFC 6092
 * firewall (outbound opens, inbound only on a flow, IPsec let in unless
 * switched off, ICMPv6 errors of flows), hop limit and Packet Too Big
 * generated, MSS clamping, the gateway's own echo replies, the extension
 * header walk and its counted refusals, fragments, expiry; the walk of the
 * IPv6 flow table the API lists (pg_engine_flows() with family 6).
 *
 * Each scenario is a fresh engine and rows (name, input, side, time,
 * expected verdict, output bytes or drop reason, next hop). Expected packets
 * are built from scratch by the test library with its own checksum code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/engine.h"
#include "engine/observe.h"
#include "engine/parse.h"
#include "engine/shard.h"
#include "../lib/fixture.h"
#include "../lib/pktbuild6.h"

#define H10 "2001:db8:1::10"
#define H11 "2001:db8:1::11"
#define GWL "2001:db8:1::1"
#define GWW "2001:db8:ffff::2"
#define NH "2001:db8:ffff::1"
#define S1 "2001:db8:2::1"
#define S2 "2001:db8:2::2"
#define WN "2001:db8:ffff::7" /* a server on the WAN's own prefix */

#define LAN PG_SIDE_LAN
#define WAN PG_SIDE_WAN
#define TO_LAN PG_VERDICT_TO_LAN
#define TO_WAN PG_VERDICT_TO_WAN

struct poke {
	uint16_t off;
	uint8_t val;
	bool set;
};

struct row6 {
	const char *name;
	uint32_t t; /* seconds */
	uint8_t side;
	struct pgt6_spec in;
	struct poke poke[2]; /* bytes changed after building (malformed input) */
	uint16_t trim;	     /* bytes cut off the end after building */
	uint8_t verdict;
	uint16_t drop; /* counter expected: the drop reason, or with a verdict a drop it stands for */
	struct pgt6_spec out;
	const char *hop; /* expected next hop; NULL: not checked; "::": zero */
	uint16_t counter; /* a counter that must read cval after the row */
	uint64_t cval;
};

#define END {.name = NULL}
#define DROPPED(r) .verdict = PG_VERDICT_DROP, .drop = PG_CNT_##r

static void config6(struct pg_engine_config *cfg)
{
	pgt_config(cfg);
	pgt6_addr(GWL, cfg->lan6_addr);
	cfg->lan6_prefix = 64;
	pgt6_addr(GWW, cfg->wan6_addr);
	cfg->wan6_prefix = 64;
	pgt6_addr(NH, cfg->wan6_gateway);
}

static void run_rows(const struct row6 *rows, void (*tweak)(struct pg_engine_config *))
{
	struct pg_engine_config cfg;
	struct pg_engine *e;

	config6(&cfg);
	if (tweak)
		tweak(&cfg);
	e = pg_engine_create(&cfg);
	assert_non_null(e);
	for (const struct row6 *r = rows; r->name; r++) {
		uint8_t in[PGT_BUF], want[PGT_BUF], hop[16], *buf;
		uint32_t len = pgt6_build(&r->in, in, sizeof(in)), wlen, cap;
		struct pg_pkt pkt;

		if (!len)
			fail_msg("row '%s': input does not build", r->name);
		for (int k = 0; k < 2; k++)
			if (r->poke[k].set)
				in[r->poke[k].off] = r->poke[k].val;
		len -= r->trim;
		cap = len + PG_PKT_ERROR_GROWTH6;
		buf = malloc(cap); /* exactly cap: the sanitizer sees any write past it */
		assert_non_null(buf);
		memcpy(buf, in, len);
		memset(&pkt, 0, sizeof(pkt));
		pkt.l3 = buf;
		pkt.len = len;
		pkt.cap = cap;
		pkt.side = r->side;
		pg_engine_run(e, &pkt, 1, (uint64_t)r->t * 1000);
		if (pkt.verdict != r->verdict)
			fail_msg("row '%s': verdict %u, want %u (drop reason %s)", r->name,
				 pkt.verdict, r->verdict, pg_counter_name(pkt.drop_reason));
		if (r->verdict == PG_VERDICT_DROP && pkt.drop_reason != r->drop)
			fail_msg("row '%s': dropped as %s, want %s", r->name,
				 pg_counter_name(pkt.drop_reason), pg_counter_name(r->drop));
		if (r->verdict != PG_VERDICT_DROP && r->drop && !pg_engine_counters(e)[r->drop])
			fail_msg("row '%s': %s not counted", r->name, pg_counter_name(r->drop));
		if (r->verdict != PG_VERDICT_DROP && r->out.src) {
			wlen = pgt6_build(&r->out, want, sizeof(want));
			if (wlen != pkt.len || memcmp(want, pkt.l3, wlen)) {
				uint32_t i = 0;

				while (i < wlen && i < pkt.len && want[i] == pkt.l3[i])
					i++;
				fail_msg("row '%s': output differs at byte %u (len %u, want %u)",
					 r->name, i, pkt.len, wlen);
			}
		}
		if (r->hop) {
			pgt6_addr(r->hop, hop);
			if (memcmp(hop, pkt.next_hop6, 16))
				fail_msg("row '%s': wrong next hop", r->name);
		}
		if (r->counter && pg_engine_counters(e)[r->counter] != r->cval)
			fail_msg("row '%s': %s is %llu, want %llu", r->name,
				 pg_counter_name(r->counter),
				 (unsigned long long)pg_engine_counters(e)[r->counter],
				 (unsigned long long)r->cval);
		free(buf);
	}
	pg_engine_destroy(e);
}

#define UDP6(s, sp, d, dp, h) \
	{.proto = PGT_P_UDP, .src = (s), .sport = (sp), .dst = (d), .dport = (dp), .hlim = (h), .paylen = 20}
#define TCP6(s, sp, d, dp, fl, h) \
	{.proto = PGT_P_TCP, .src = (s), .sport = (sp), .dst = (d), .dport = (dp), .tcp_flags = (fl), .seq = 1, .hlim = (h)}
#define ECHO6(s, d, ty, id, h) \
	{.proto = PGT_P_ICMP6, .src = (s), .dst = (d), .icmp_type = (ty), .icmp_id = (id), .icmp_seq = 1, .hlim = (h), .paylen = 16}

/* ---- outbound opens, inbound only on a flow --------------------------------- */

static const struct row6 udp_tcp[] = {
	{.name = "UDP out: routed, hop limit 63, via the WAN gateway", .side = LAN,
	 .in = UDP6(H10, 5000, S1, 53, 64), .verdict = TO_WAN, .out = UDP6(H10, 5000, S1, 53, 63),
	 .hop = NH, .counter = PG_CNT_FLOW6_CREATED, .cval = 1},
	{.name = "UDP answer in: to the host itself", .t = 1, .side = WAN,
	 .in = UDP6(S1, 53, H10, 5000, 50), .verdict = TO_LAN, .out = UDP6(S1, 53, H10, 5000, 49),
	 .hop = H10},
	{.name = "UDP from the same server, another port: unsolicited", .t = 1, .side = WAN,
	 .in = UDP6(S1, 54, H10, 5000, 50), DROPPED(DROP_UNSOLICITED)},
	{.name = "UDP from another server: unsolicited", .t = 1, .side = WAN,
	 .in = UDP6(S2, 53, H10, 5000, 50), DROPPED(DROP_UNSOLICITED)},
	{.name = "UDP to a server on the WAN prefix: next hop is the server", .t = 1, .side = LAN,
	 .in = UDP6(H10, 5001, WN, 53, 64), .verdict = TO_WAN, .hop = WN},
	{.name = "TCP SYN out", .t = 2, .side = LAN, .in = TCP6(H10, 40000, S1, 443, PGT_SYN, 64),
	 .verdict = TO_WAN, .out = TCP6(H10, 40000, S1, 443, PGT_SYN, 63)},
	{.name = "TCP SYN-ACK in", .t = 2, .side = WAN,
	 .in = TCP6(S1, 443, H10, 40000, PGT_SYN | PGT_ACK, 60), .verdict = TO_LAN,
	 .out = TCP6(S1, 443, H10, 40000, PGT_SYN | PGT_ACK, 59)},
	{.name = "TCP ACK out", .t = 2, .side = LAN, .in = TCP6(H10, 40000, S1, 443, PGT_ACK, 64),
	 .verdict = TO_WAN},
	{.name = "unsolicited TCP SYN in: dropped, counted, no answer", .t = 3, .side = WAN,
	 .in = TCP6(S1, 5555, H10, 22, PGT_SYN, 60), DROPPED(DROP_UNSOLICITED),
	 .counter = PG_CNT_ICMP_ERR_SENT, .cval = 0},
	{.name = "TCP ACK out without a flow", .t = 3, .side = LAN,
	 .in = TCP6(H10, 40001, S1, 443, PGT_ACK, 64), DROPPED(DROP_TCP_NO_FLOW)},
	{.name = "UDP flow idle past 300 s: its answer is unsolicited", .t = 302, .side = WAN,
	 .in = UDP6(S1, 53, H10, 5000, 50), DROPPED(DROP_UNSOLICITED)},
	{.name = "the TCP flow is established: still there", .t = 302, .side = WAN,
	 .in = TCP6(S1, 443, H10, 40000, PGT_ACK, 60), .verdict = TO_LAN},
	END,
};

static void test_udp_tcp(void **state)
{
	(void)state;
	run_rows(udp_tcp, NULL);
}

/* ---- addresses ------------------------------------------------------------------ */

static const struct row6 addresses[] = {
	{.name = "LAN source outside the LAN prefix", .side = LAN,
	 .in = UDP6("2001:db8:9::10", 5000, S1, 53, 64), DROPPED(DROP_LAN_SPOOFED)},
	{.name = "LAN source is the gateway's own", .side = LAN, .in = UDP6(GWL, 5000, S1, 53, 64),
	 DROPPED(DROP_LAN_SPOOFED)},
	{.name = "WAN source inside the LAN prefix", .side = WAN, .in = UDP6(H11, 5000, H10, 53, 64),
	 DROPPED(DROP_WAN_SPOOFED)},
	{.name = "WAN packet for another prefix", .side = WAN,
	 .in = UDP6(S1, 5000, "2001:db8:5::1", 53, 64), DROPPED(DROP_WAN_NOT_OURS)},
	{.name = "LAN host to another LAN host", .side = LAN, .in = UDP6(H10, 5000, H11, 53, 64),
	 DROPPED(DROP_LAN_LOCAL)},
	{.name = "link-local source is never forwarded", .side = LAN,
	 .in = UDP6("fe80::10", 5000, S1, 53, 64), DROPPED(DROP_IP_BAD_ADDR)},
	{.name = "multicast source", .side = WAN, .in = UDP6("ff02::1", 5000, H10, 53, 64),
	 DROPPED(DROP_IP_BAD_ADDR)},
	{.name = "loopback destination", .side = LAN, .in = UDP6(H10, 5000, "::1", 53, 64),
	 DROPPED(DROP_IP_BAD_ADDR)},
	{.name = "DNS to the gateway's LAN address: up to the host path", .side = LAN,
	 .in = UDP6(H10, 5000, GWL, 53, 64), .verdict = PG_VERDICT_TO_GW,
	 .counter = PG_CNT_TO_GW, .cval = 1},
	{.name = "a port the LAN input policy does not open: refused", .side = LAN,
	 .in = UDP6(H10, 5000, GWL, 2222, 64), DROPPED(DROP_TO_GW_LIMIT)},
	{.name = "DNS to the gateway's WAN address from the WAN: [input] wan opens nothing",
	 .side = WAN, .in = UDP6(S1, 5000, GWW, 53, 60), DROPPED(DROP_TO_GW_LIMIT)},
	{.name = "DNS to the gateway's WAN address from the LAN: not the LAN device's", .side = LAN,
	 .in = UDP6(H10, 5000, GWW, 53, 64), DROPPED(DROP_TO_GW_LIMIT)},
	END,
};

static void test_addresses(void **state)
{
	(void)state;
	run_rows(addresses, NULL);
}

/* ---- the host path's WAN side: the gateway's own IPv6 ---------------------------- */

#define HOST PG_SIDE_HOST

/* [input] wan = udp 51820: a forward to the WAN address (conf/config_host.c). */
static void wan_input(struct pg_engine_config *cfg)
{
	struct pg_port_forward *f = &cfg->forwards[cfg->nforwards++];

	memset(f, 0, sizeof(*f));
	f->proto = PG_PROTO_UDP;
	f->wan_lo = f->wan_hi = f->lan_lo = f->lan_hi = 51820;
	f->host = cfg->wan_addr;
}

static const struct pgt6_spec wg_in = UDP6(S2, 7000, GWW, 51820, 60);

static const struct row6 host_wan[] = {
	{.name = "the host's DNS query: out unchanged (the gateway sends it), via the router",
	 .side = HOST, .in = UDP6(GWW, 40000, S1, 53, 64), .verdict = TO_WAN,
	 .out = UDP6(GWW, 40000, S1, 53, 64), .hop = NH, .counter = PG_CNT_FLOW6_CREATED,
	 .cval = 1},
	{.name = "its answer: up to the host", .t = 1, .side = WAN,
	 .in = UDP6(S1, 53, GWW, 40000, 60), .verdict = PG_VERDICT_TO_GW,
	 .out = UDP6(S1, 53, GWW, 40000, 60), .counter = PG_CNT_TO_GW, .cval = 1},
	{.name = "the same server, another port of the host: refused", .t = 1, .side = WAN,
	 .in = UDP6(S1, 53, GWW, 40001, 60), DROPPED(DROP_TO_GW_LIMIT)},
	{.name = "another server to the host's port: refused", .t = 1, .side = WAN,
	 .in = UDP6(S2, 53, GWW, 40000, 60), DROPPED(DROP_TO_GW_LIMIT)},
	{.name = "the host to a server on the WAN prefix: on the link", .t = 1, .side = HOST,
	 .in = UDP6(GWW, 40002, WN, 53, 64), .verdict = TO_WAN, .hop = WN},
	{.name = "[input] wan's port (a WireGuard server): up, a flow", .t = 2, .side = WAN,
	 .in = UDP6(S2, 7000, GWW, 51820, 60), .verdict = PG_VERDICT_TO_GW,
	 .counter = PG_CNT_FLOW6_CREATED, .cval = 3},
	{.name = "the server's answer out", .t = 2, .side = HOST,
	 .in = UDP6(GWW, 51820, S2, 7000, 64), .verdict = TO_WAN, .hop = NH,
	 .counter = PG_CNT_FLOW6_CREATED, .cval = 3},
	{.name = "the host's port unreachable about it: out (an error of the flow)", .t = 2,
	 .side = HOST,
	 .in = {.proto = PGT_P_ICMP6, .src = GWW, .dst = S2, .icmp_type = 1, .icmp_code = 4,
		.inner = &wg_in},
	 .verdict = TO_WAN, .hop = NH},
	{.name = "that port over TCP: refused", .t = 2, .side = WAN,
	 .in = TCP6(S2, 7000, GWW, 51820, PGT_SYN, 60), DROPPED(DROP_TO_GW_LIMIT)},
	{.name = "SSH to the WAN address: refused (not in [input] wan)", .t = 2, .side = WAN,
	 .in = TCP6(S2, 7001, GWW, 22, PGT_SYN, 60), DROPPED(DROP_TO_GW_LIMIT)},
	{.name = "the host's TCP SYN out", .t = 3, .side = HOST,
	 .in = TCP6(GWW, 41000, S1, 443, PGT_SYN, 64), .verdict = TO_WAN},
	{.name = "the SYN-ACK up", .t = 3, .side = WAN,
	 .in = TCP6(S1, 443, GWW, 41000, PGT_SYN | PGT_ACK, 60), .verdict = PG_VERDICT_TO_GW},
	{.name = "the host's ACK without a SYN: no flow", .t = 3, .side = HOST,
	 .in = TCP6(GWW, 41001, S1, 443, PGT_ACK, 64), DROPPED(DROP_TCP_NO_FLOW)},
	{.name = "ICMPv6 to the host (an error, an echo reply): up as from the LAN", .t = 3,
	 .side = WAN, .in = ECHO6(S1, GWW, 129, 77, 60), .verdict = PG_VERDICT_TO_GW},
	{.name = "a ping to the WAN address: answered by the engine", .t = 3, .side = WAN,
	 .in = ECHO6(S1, GWW, 128, 78, 60), .verdict = TO_WAN, .out = ECHO6(GWW, S1, 129, 78, 64),
	 .counter = PG_CNT_ICMP_ECHO_REPLIED, .cval = 1},
	{.name = "the host from another source: dropped", .t = 4, .side = HOST,
	 .in = UDP6("2001:db8:ffff::9", 5000, S1, 53, 64), DROPPED(DROP_LAN_SPOOFED)},
	{.name = "the host to a LAN host through the WAN device: dropped", .t = 4, .side = HOST,
	 .in = UDP6(GWW, 5000, H10, 53, 64), DROPPED(DROP_LAN_SPOOFED)},
	{.name = "the host to a multicast group: dropped", .t = 4, .side = HOST,
	 .in = UDP6(GWW, 5000, "ff02::fb", 5353, 255), DROPPED(DROP_LAN_SPOOFED)},
	{.name = "the host's DNS answer idle past 300 s: refused", .t = 302, .side = WAN,
	 .in = UDP6(S1, 53, GWW, 40000, 60), DROPPED(DROP_TO_GW_LIMIT)},
	END,
};

static void test_host_wan(void **state)
{
	(void)state;
	run_rows(host_wan, wan_input);
}

/* Without a WAN IPv6 address the host has nothing to send from. */
static void no_wan6(struct pg_engine_config *cfg)
{
	memset(cfg->wan6_addr, 0, 16);
	cfg->wan6_prefix = 0;
}

static const struct row6 host_no_wan6[] = {
	{.name = "the host's packet with no WAN IPv6 address: dropped", .side = HOST,
	 .in = UDP6(GWW, 5000, S1, 53, 64), DROPPED(DROP_LAN_SPOOFED)},
	END,
};

static void test_host_no_wan6(void **state)
{
	(void)state;
	run_rows(host_no_wan6, no_wan6);
}

static void v6_off(struct pg_engine_config *cfg)
{
	cfg->lan6_prefix = 0;
}

static const struct row6 off[] = {
	{.name = "no IPv6 prefix: every IPv6 packet counted", .side = LAN,
	 .in = UDP6(H10, 5000, S1, 53, 64), DROPPED(DROP_IP6_OFF)},
	END,
};

static void test_off(void **state)
{
	(void)state;
	run_rows(off, v6_off);
}

/* The router's IPv4 tunnel with its kill switch: no LAN IPv6 leaves around it. */
static void v6_tunnel(struct pg_engine_config *cfg)
{
	cfg->tunnel = true;
	cfg->tunnel_all = true;
	cfg->tunnel_killswitch = true;
}

static const struct row6 tunnelled[] = {
	{.name = "tunnel with kill switch: LAN IPv6 to the WAN is dropped, counted", .side = LAN,
	 .in = UDP6(H10, 5000, S1, 53, 64), DROPPED(DROP_TUNNEL_IP6)},
	{.name = "and TCP too", .side = LAN, .in = TCP6(H11, 40000, S1, 443, PGT_SYN, 64),
	 DROPPED(DROP_TUNNEL_IP6)},
	END,
};

static void test_tunnel(void **state)
{
	(void)state;
	run_rows(tunnelled, v6_tunnel);
}

/* ---- ICMPv6 --------------------------------------------------------------------- */

static const struct pgt6_spec dying = UDP6(H10, 5000, S1, 33434, 1);
static const struct pgt6_spec dying_in = TCP6(S1, 443, H10, 40000, PGT_ACK, 1);
static const struct pgt6_spec quoted_out = UDP6(H10, 6000, S1, 53, 63);
static const struct pgt6_spec quoted_other = UDP6(H10, 6001, S1, 53, 63);
static const struct pgt6_spec pinhole_answer = UDP6(H11, 5001, S2, 9000, 63);
static const struct pgt6_spec pinhole_in = UDP6(S2, 9000, H11, 5001, 59);

static const struct row6 icmp6[] = {
	{.name = "echo request out", .side = LAN, .in = ECHO6(H10, S1, 128, 7, 64),
	 .verdict = TO_WAN, .out = ECHO6(H10, S1, 128, 7, 63)},
	{.name = "echo reply in", .side = WAN, .in = ECHO6(S1, H10, 129, 7, 60), .verdict = TO_LAN,
	 .out = ECHO6(S1, H10, 129, 7, 59)},
	{.name = "echo reply in, another identifier: unsolicited", .side = WAN,
	 .in = ECHO6(S1, H10, 129, 8, 60), DROPPED(DROP_UNSOLICITED)},
	{.name = "echo request in: RFC 4890 lets it pass", .side = WAN,
	 .in = ECHO6(S2, H10, 128, 9, 60), .verdict = TO_LAN},
	{.name = "the host's echo reply out", .side = LAN, .in = ECHO6(H10, S2, 129, 9, 64),
	 .verdict = TO_WAN},
	{.name = "echo reply out without a request", .side = LAN, .in = ECHO6(H10, S2, 129, 10, 64),
	 DROPPED(DROP_ICMP_TYPE)},
	{.name = "ping to the gateway's LAN address: answered", .side = LAN,
	 .in = ECHO6(H10, GWL, 128, 11, 64), .verdict = TO_LAN,
	 .out = ECHO6(GWL, H10, 129, 11, 64), .hop = H10,
	 .counter = PG_CNT_ICMP_ECHO_REPLIED, .cval = 1},
	{.name = "ping to the gateway's WAN address from outside: answered", .side = WAN,
	 .in = ECHO6(S1, GWW, 128, 12, 60), .verdict = TO_WAN, .out = ECHO6(GWW, S1, 129, 12, 64),
	 .hop = NH},
	{.name = "hop limit 1 out: time exceeded from the gateway's LAN address", .side = LAN,
	 .in = UDP6(H10, 5000, S1, 33434, 1), .verdict = TO_LAN, .drop = PG_CNT_DROP_TTL_EXCEEDED,
	 .out = {.proto = PGT_P_ICMP6, .src = GWL, .dst = H10, .icmp_type = 3, .inner = &dying},
	 .hop = H10},
	{.name = "hop limit 1 in: time exceeded back to the WAN", .side = WAN,
	 .in = TCP6(S1, 443, H10, 40000, PGT_ACK, 1), .verdict = TO_WAN,
	 .out = {.proto = PGT_P_ICMP6, .src = GWW, .dst = S1, .icmp_type = 3, .inner = &dying_in},
	 .hop = NH},
	{.name = "UDP out for the errors below", .side = LAN, .in = UDP6(H10, 6000, S1, 53, 64),
	 .verdict = TO_WAN},
	{.name = "port unreachable about the flow: passes in", .side = WAN,
	 .in = {.proto = PGT_P_ICMP6, .src = S1, .dst = H10, .icmp_type = 1, .icmp_code = 4,
		.inner = &quoted_out},
	 .verdict = TO_LAN},
	{.name = "a router's time exceeded about the flow: passes in", .side = WAN,
	 .in = {.proto = PGT_P_ICMP6, .src = "2001:db8:77::1", .dst = H10, .icmp_type = 3,
		.inner = &quoted_out},
	 .verdict = TO_LAN},
	{.name = "an error about no flow: dropped", .side = WAN,
	 .in = {.proto = PGT_P_ICMP6, .src = S1, .dst = H10, .icmp_type = 1, .icmp_code = 4,
		.inner = &quoted_other},
	 DROPPED(DROP_ICMP_ERROR_NO_FLOW)},
	{.name = "an error quoting a packet to another host: dropped", .side = WAN,
	 .in = {.proto = PGT_P_ICMP6, .src = S1, .dst = H11, .icmp_type = 1, .icmp_code = 4,
		.inner = &quoted_out},
	 DROPPED(DROP_ICMP_ERROR_NO_FLOW)},
	{.name = "router solicitation in transit: not forwarded", .side = LAN,
	 .in = {.proto = PGT_P_ICMP6, .src = H10, .dst = S1, .icmp_type = 133},
	 DROPPED(DROP_ICMP_TYPE)},
	END,
};

static void test_icmp6(void **state)
{
	(void)state;
	run_rows(icmp6, NULL);
}

static void no_inbound_ping(struct pg_engine_config *cfg)
{
	cfg->ping6_inbound = false;
}

static const struct row6 ping_off[] = {
	{.name = "echo request in with ping6_inbound off", .side = WAN,
	 .in = ECHO6(S2, H10, 128, 9, 60), DROPPED(DROP_UNSOLICITED)},
	END,
};

static void test_ping_off(void **state)
{
	(void)state;
	run_rows(ping_off, no_inbound_ping);
}

/* ---- MTU and MSS ------------------------------------------------------------------ */

static void wan_mtu_1400(struct pg_engine_config *cfg)
{
	cfg->wan_mtu = 1400;
}

static const struct pgt6_spec big = {.proto = PGT_P_UDP, .src = H10, .sport = 5000, .dst = S1,
				     .dport = 4500, .hlim = 64, .paylen = 1353};
static const uint8_t mss1460[] = {0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x01, 0x01};
static const uint8_t mss1340[] = {0x02, 0x04, 0x05, 0x3c, 0x04, 0x02, 0x01, 0x01};

static const struct row6 mtu[] = {
	{.name = "1400 bytes fit the WAN", .side = LAN,
	 .in = {.proto = PGT_P_UDP, .src = H10, .sport = 5000, .dst = S1, .dport = 4500,
		.hlim = 64, .paylen = 1352},
	 .verdict = TO_WAN},
	{.name = "1401 bytes: Packet Too Big with MTU 1400, never fragmented", .side = LAN,
	 .in = big, .verdict = TO_LAN, .drop = PG_CNT_DROP_IP6_TOO_BIG,
	 .out = {.proto = PGT_P_ICMP6, .src = GWL, .dst = H10, .icmp_type = 2, .icmp_rest = 1400,
		 .inner = &big, .inner_quote = 1280 - 48},
	 .hop = H10},
	{.name = "SYN out: MSS 1460 clamped to 1400 - 60", .side = LAN,
	 .in = {.proto = PGT_P_TCP, .src = H10, .sport = 40000, .dst = S1, .dport = 443,
		.tcp_flags = PGT_SYN, .seq = 1, .hlim = 64, .tcp_opts = mss1460, .tcp_optlen = 8},
	 .verdict = TO_WAN,
	 .out = {.proto = PGT_P_TCP, .src = H10, .sport = 40000, .dst = S1, .dport = 443,
		 .tcp_flags = PGT_SYN, .seq = 1, .hlim = 63, .tcp_opts = mss1340, .tcp_optlen = 8},
	 .counter = PG_CNT_MSS_CLAMPED, .cval = 1},
	END,
};

static void test_mtu(void **state)
{
	(void)state;
	run_rows(mtu, wan_mtu_1400);
}

/* ---- IPsec: RFC 6092 REC-22..26 ------------------------------------------------------ */

static const struct row6 ipsec[] = {
	{.name = "unsolicited ESP in: let in", .side = WAN,
	 .in = {.proto = PGT_P_ESP, .src = S1, .dst = H10, .spi = 0x1234, .paylen = 40},
	 .verdict = TO_LAN, .counter = PG_CNT_IP6_IPSEC_ADMITTED, .cval = 1},
	{.name = "the host's ESP back out", .side = LAN,
	 .in = {.proto = PGT_P_ESP, .src = H10, .dst = S1, .spi = 0x5678, .paylen = 40},
	 .verdict = TO_WAN},
	{.name = "unsolicited IKE (UDP 500) in: let in", .side = WAN, .in = UDP6(S1, 500, H10, 500, 60),
	 .verdict = TO_LAN},
	{.name = "unsolicited NAT-T (UDP 4500) in: let in", .side = WAN,
	 .in = UDP6(S2, 4500, H10, 4500, 60), .verdict = TO_LAN,
	 .counter = PG_CNT_IP6_IPSEC_ADMITTED, .cval = 3},
	{.name = "unsolicited AH in: let in", .side = WAN,
	 .in = {.proto = PGT_P_TCP, .src = S2, .dst = H11, .sport = 1000, .dport = 22,
		.tcp_flags = PGT_SYN, .ext = {PGT6_EXT_AH}, .next = 1},
	 .verdict = TO_LAN},
	{.name = "unsolicited L2TP (UDP 1701) in: not IPsec, dropped", .side = WAN,
	 .in = UDP6(S1, 1701, H10, 1701, 60), DROPPED(DROP_UNSOLICITED)},
	END,
};

static void test_ipsec(void **state)
{
	(void)state;
	run_rows(ipsec, NULL);
}

static void ipsec_off(struct pg_engine_config *cfg)
{
	cfg->ipsec_passthrough = false;
}

static const struct row6 ipsec_switched_off[] = {
	{.name = "ESP in with ipsec passthrough off", .side = WAN,
	 .in = {.proto = PGT_P_ESP, .src = S1, .dst = H10, .spi = 0x1234, .paylen = 40},
	 DROPPED(DROP_PASSTHROUGH_OFF)},
	{.name = "ESP out with ipsec passthrough off", .side = LAN,
	 .in = {.proto = PGT_P_ESP, .src = H10, .dst = S1, .spi = 0x1234, .paylen = 40},
	 DROPPED(DROP_PASSTHROUGH_OFF)},
	{.name = "IKE out with ipsec passthrough off", .side = LAN, .in = UDP6(H10, 500, S1, 500, 64),
	 DROPPED(DROP_PASSTHROUGH_OFF)},
	{.name = "other UDP still passes", .side = LAN, .in = UDP6(H10, 5000, S1, 53, 64),
	 .verdict = TO_WAN},
	END,
};

static void test_ipsec_off(void **state)
{
	(void)state;
	run_rows(ipsec_switched_off, ipsec_off);
}

/* ---- pinholes: [forward] rules with an IPv6 host ----------------------------------- */

static void pinholes(struct pg_engine_config *cfg)
{
	struct pg_port_forward *r = &cfg->forwards[cfg->nforwards++];

	*r = (struct pg_port_forward){.proto = PGT_P_TCP, .wan_lo = 443, .wan_hi = 443,
				      .lan_lo = 443, .lan_hi = 443, .v6 = true};
	pgt6_addr(H10, r->host6);
	r = &cfg->forwards[cfg->nforwards++];
	*r = (struct pg_port_forward){.proto = PGT_P_UDP, .wan_lo = 5000, .wan_hi = 5001,
				      .lan_lo = 5000, .lan_hi = 5001, .v6 = true};
	pgt6_addr(H11, r->host6);
}

static const struct row6 pinhole[] = {
	{.name = "SYN to the pinhole's host and port: in, a flow", .t = 1, .side = WAN,
	 .in = TCP6(S1, 5555, H10, 443, PGT_SYN, 60), .verdict = TO_LAN,
	 .out = TCP6(S1, 5555, H10, 443, PGT_SYN, 59), .hop = H10,
	 .counter = PG_CNT_FORWARDED_NEW, .cval = 1},
	{.name = "the server's SYN-ACK out on that flow", .t = 1, .side = LAN,
	 .in = TCP6(H10, 443, S1, 5555, PGT_SYN | PGT_ACK, 64), .verdict = TO_WAN},
	{.name = "the client's ACK in on that flow", .t = 1, .side = WAN,
	 .in = TCP6(S1, 5555, H10, 443, PGT_ACK, 60), .verdict = TO_LAN,
	 .counter = PG_CNT_FORWARDED_NEW, .cval = 1},
	{.name = "another port of that host: unsolicited", .t = 1, .side = WAN,
	 .in = TCP6(S1, 5556, H10, 444, PGT_SYN, 60), DROPPED(DROP_UNSOLICITED)},
	{.name = "that port of another host: unsolicited", .t = 1, .side = WAN,
	 .in = TCP6(S1, 5557, H11, 443, PGT_SYN, 60), DROPPED(DROP_UNSOLICITED)},
	{.name = "that port and host over UDP: unsolicited", .t = 1, .side = WAN,
	 .in = UDP6(S1, 5558, H10, 443, 60), DROPPED(DROP_UNSOLICITED)},
	{.name = "a stray ACK to the pinhole: no new flow", .t = 1, .side = WAN,
	 .in = TCP6(S2, 5559, H10, 443, PGT_ACK, 60), DROPPED(DROP_TCP_NO_FLOW)},
	{.name = "a SYN-ACK to the pinhole: no new flow", .t = 1, .side = WAN,
	 .in = TCP6(S2, 5560, H10, 443, PGT_SYN | PGT_ACK, 60), DROPPED(DROP_TCP_NO_FLOW)},
	{.name = "UDP to the top of the other pinhole's range: in", .t = 2, .side = WAN,
	 .in = UDP6(S2, 9000, H11, 5001, 60), .verdict = TO_LAN,
	 .out = UDP6(S2, 9000, H11, 5001, 59), .counter = PG_CNT_FORWARDED_NEW, .cval = 2},
	{.name = "its answer out", .t = 2, .side = LAN, .in = UDP6(H11, 5001, S2, 9000, 64),
	 .verdict = TO_WAN},
	{.name = "one past the range: unsolicited", .t = 2, .side = WAN,
	 .in = UDP6(S2, 9000, H11, 5002, 60), DROPPED(DROP_UNSOLICITED)},
	{.name = "the LAN host's port unreachable about the inbound flow: out", .t = 2,
	 .side = LAN,
	 .in = {.proto = PGT_P_ICMP6, .src = H11, .dst = S2, .icmp_type = 1, .icmp_code = 4,
		.inner = &pinhole_in},
	 .verdict = TO_WAN},
	{.name = "an error about the pinhole's flow passes in", .t = 3, .side = WAN,
	 .in = {.proto = PGT_P_ICMP6, .src = "2001:db8:77::1", .dst = H11, .icmp_type = 1,
		.inner = &pinhole_answer},
	 .verdict = TO_LAN},
	END,
};

static void test_pinhole(void **state)
{
	(void)state;
	run_rows(pinhole, pinholes);
}

/*
 * A pinhole whose host is a suffix (::10) follows the LAN prefix: after the
 * engine is given a renumbered prefix (a new delegation), it opens to the
 * new address of that interface identifier, and to no other host.
 */
static void suffix_pinhole(struct pg_engine_config *cfg)
{
	struct pg_port_forward *r = &cfg->forwards[cfg->nforwards++];

	*r = (struct pg_port_forward){.proto = PGT_P_TCP, .wan_lo = 443, .wan_hi = 443,
				      .lan_lo = 443, .lan_hi = 443, .v6 = true};
	pgt6_addr("::10", r->host6);
}

static enum pg_verdict syn_in(struct pg_engine *e, const char *dst, uint16_t sport)
{
	const struct pgt6_spec in = TCP6(S1, sport, dst, 443, PGT_SYN, 60);
	struct pgt_pkt p = {.side = WAN};
	char err[128];

	p.len = pgt6_build(&in, p.buf, sizeof(p.buf));
	assert_int_equal(pgt_run(e, &p, 1, 1000, err, sizeof(err)), 0);
	return p.verdict;
}

static void test_pinhole_suffix(void **state)
{
	struct pg_engine_config cfg;
	struct pg_engine *e;
	const char *why;
	uint8_t at[16], want[16];

	(void)state;
	config6(&cfg);
	suffix_pinhole(&cfg);
	assert_true(pg_portfwd_is_suffix6(cfg.forwards[0].host6));
	assert_int_equal(pg_portfwd_rule_check(&cfg, &cfg.forwards[0], &why), 0);
	pg_portfwd_host6_at(cfg.forwards[0].host6, cfg.lan6_addr, 64, at);
	pgt6_addr(H10, want);
	assert_memory_equal(at, want, 16);
	e = pg_engine_create(&cfg);
	assert_non_null(e);
	assert_int_equal(syn_in(e, H10, 5000), PG_VERDICT_TO_LAN);
	assert_int_equal(syn_in(e, H11, 5001), PG_VERDICT_DROP);
	assert_int_equal(syn_in(e, "2001:db8:1::1:10", 5002), PG_VERDICT_DROP);
	assert_int_equal(pg_engine_counters(e)[PG_CNT_FORWARDED_NEW], 1);

	/* Renumbered: 2001:db8:5::/64, the gateway at ::1 as pd.c puts it. */
	pgt6_addr("2001:db8:5::1", cfg.lan6_addr);
	assert_int_equal(pg_engine_reconfigure(e, &cfg), 0);
	assert_int_equal(syn_in(e, "2001:db8:5::10", 5003), PG_VERDICT_TO_LAN);
	assert_int_equal(syn_in(e, "2001:db8:5::11", 5004), PG_VERDICT_DROP);
	assert_int_equal(syn_in(e, H10, 5005), PG_VERDICT_DROP); /* the old prefix: not ours */
	assert_int_equal(pg_engine_counters(e)[PG_CNT_FORWARDED_NEW], 2);
	assert_int_equal(pg_engine_counters(e)[PG_CNT_DROP_WAN_NOT_OURS], 1);
	pg_engine_destroy(e);

	/* No prefix yet (pd before its lease): the suffix opens nothing, is still valid. */
	config6(&cfg);
	cfg.lan6_prefix = 0;
	memset(cfg.lan6_addr, 0, 16);
	suffix_pinhole(&cfg);
	assert_int_equal(pg_portfwd_rule_check(&cfg, &cfg.forwards[0], &why), 0);
	/* Suffixes need room: a /80 LAN has 48-bit identifiers. */
	config6(&cfg);
	cfg.lan6_prefix = 80;
	suffix_pinhole(&cfg);
	assert_int_equal(pg_portfwd_rule_check(&cfg, &cfg.forwards[0], &why), -1);
	/* A full address is no suffix; ::1 is one, and the gateway's. */
	assert_false(pg_portfwd_is_suffix6(want));
	pgt6_addr("::1", at);
	config6(&cfg);
	cfg.forwards[0] = (struct pg_port_forward){.proto = PGT_P_TCP, .wan_lo = 1, .wan_hi = 1,
						   .lan_lo = 1, .lan_hi = 1, .v6 = true};
	memcpy(cfg.forwards[0].host6, at, 16);
	assert_int_equal(pg_portfwd_rule_check(&cfg, &cfg.forwards[0], &why), -1);
	pgt6_addr("::", at);
	assert_false(pg_portfwd_is_suffix6(at));
}

/* A pinhole opens nothing on the IPv4 side: not the port, not a host 0.0.0.0. */
static void test_pinhole_not_ipv4(void **state)
{
	struct pg_engine_config cfg;
	struct pg_engine *e;
	struct pgt_pkt p = {.side = WAN};
	const struct pgt_spec s = {.proto = PGT_P_TCP, .src = PGT_S1, .sport = 5555,
				   .dst = PGT_WAN_ADDR, .dport = 443, .tcp_flags = PGT_SYN};
	char err[128];

	(void)state;
	config6(&cfg);
	pinholes(&cfg);
	e = pg_engine_create(&cfg);
	assert_non_null(e);
	p.len = pgt_build(&s, NULL, p.buf, sizeof(p.buf), NULL);
	assert_int_equal(pgt_run(e, &p, 1, 1000, err, sizeof(err)), 0);
	assert_int_equal(p.verdict, PG_VERDICT_DROP);
	assert_int_equal(pg_engine_counters(e)[PG_CNT_FORWARDED_NEW], 0);
	pg_engine_destroy(e);
}

/* ---- extension headers and fragments --------------------------------------------------- */

#define EXT_UDP(n, ...)                                                                             \
	{.proto = PGT_P_UDP, .src = H10, .sport = 5000, .dst = S1, .dport = 53, .paylen = 8,       \
	 .ext = {__VA_ARGS__}, .next = (n)}

static const struct row6 exts[] = {
	{.name = "hop-by-hop, destination options, routing type 2: walked, forwarded", .side = LAN,
	 .in = EXT_UDP(3, PGT6_EXT_HOPOPTS, PGT6_EXT_DSTOPTS, PGT6_EXT_ROUTING), .verdict = TO_WAN},
	{.name = "the answer without extension headers finds the flow", .side = WAN,
	 .in = {.proto = PGT_P_UDP, .src = S1, .sport = 53, .dst = H10, .dport = 5000, .paylen = 8},
	 .verdict = TO_LAN},
	{.name = "eight extension headers: the most walked", .side = LAN,
	 .in = EXT_UDP(8, 60, 60, 60, 60, 60, 60, 60, 60), .verdict = TO_WAN},
	{.name = "nine: too long a chain", .side = LAN,
	 .in = EXT_UDP(9, 60, 60, 60, 60, 60, 60, 60, 60, 60), DROPPED(DROP_IP6_EXT_CHAIN)},
	{.name = "hop-by-hop after another header", .side = LAN,
	 .in = EXT_UDP(2, PGT6_EXT_DSTOPTS, PGT6_EXT_HOPOPTS), DROPPED(DROP_IP6_EXT_HDR)},
	{.name = "routing type 0 with a segment left (RFC 5095)", .side = LAN,
	 .in = EXT_UDP(1, PGT6_EXT_ROUTING),
	 .poke = {{.off = 42, .val = 0, .set = true}, {.off = 43, .val = 1, .set = true}},
	 DROPPED(DROP_IP6_EXT_HDR)},
	{.name = "an extension header longer than the packet", .side = LAN,
	 .in = EXT_UDP(1, PGT6_EXT_DSTOPTS), .poke = {{.off = 41, .val = 200, .set = true}},
	 DROPPED(DROP_IP6_EXT_CHAIN)},
	{.name = "payload length past the buffer", .side = LAN, .in = UDP6(H10, 5000, S1, 53, 64),
	 .trim = 1, DROPPED(DROP_IP6_PAYLOAD_LEN)},
	{.name = "truncated to the fixed header minus one", .side = LAN,
	 .in = UDP6(H10, 5000, S1, 53, 64), .trim = 28 + 1, DROPPED(DROP_TRUNCATED)},
	{.name = "UDP port 0", .side = LAN, .in = UDP6(H10, 5000, S1, 0, 64), DROPPED(DROP_L4_HDR)},
	{.name = "first fragment: opens the flow", .t = 1, .side = LAN,
	 .in = {.proto = PGT_P_UDP, .src = H10, .sport = 7000, .dst = S1, .dport = 53,
		.paylen = 64, .ext = {PGT6_EXT_FRAGMENT}, .next = 1, .frag_more = true,
		.frag_id = 77},
	 .verdict = TO_WAN},
	{.name = "its later fragment follows", .t = 1, .side = LAN,
	 .in = {.proto = PGT_P_UDP, .src = H10, .dst = S1, .paylen = 64,
		.ext = {PGT6_EXT_FRAGMENT}, .next = 1, .frag_off = 72, .frag_id = 77},
	 .verdict = TO_WAN},
	{.name = "a later fragment of an unknown datagram", .t = 1, .side = WAN,
	 .in = {.proto = PGT_P_UDP, .src = S1, .dst = H10, .paylen = 64,
		.ext = {PGT6_EXT_FRAGMENT}, .next = 1, .frag_off = 72, .frag_id = 78},
	 DROPPED(DROP_IP6_FRAG_NO_FLOW)},
	END,
};

static void test_exts(void **state)
{
	(void)state;
	run_rows(exts, NULL);
}

/* IPv4 keeps working next to it, and IPv6 does not disturb its counters. */
static void test_ipv4_untouched(void **state)
{
	struct pg_engine_config cfg;
	struct pg_engine *e;
	struct pgt_pkt p = {.side = LAN};
	const struct pgt_spec s = {.proto = PGT_P_UDP, .src = PGT_H10, .sport = 5000,
				   .dst = PGT_S1, .dport = 53, .paylen = 8};
	char err[128];

	(void)state;
	config6(&cfg);
	e = pg_engine_create(&cfg);
	assert_non_null(e);
	p.len = pgt_build(&s, NULL, p.buf, sizeof(p.buf), NULL);
	assert_int_equal(pgt_run(e, &p, 1, 1000, err, sizeof(err)), 0);
	assert_int_equal(p.verdict, PG_VERDICT_TO_WAN);
	assert_int_equal(pgt_ip_src(p.buf), pgt_addr(PGT_WAN_ADDR));
	assert_int_equal(pg_engine_counters(e)[PG_CNT_FLOW6_CREATED], 0);
	pg_engine_destroy(e);
}

/* A configuration whose IPv6 prefixes overlap is refused. */
static void test_config_checks(void **state)
{
	struct pg_engine_config cfg;
	const char *why;

	(void)state;
	config6(&cfg);
	assert_int_equal(pg_engine_config_validate(&cfg, &why), 0);
	pgt6_addr("2001:db8:1::2", cfg.wan6_addr);
	assert_int_not_equal(pg_engine_config_validate(&cfg, &why), 0);
	config6(&cfg);
	pgt6_addr("fe80::1", cfg.lan6_addr);
	assert_int_not_equal(pg_engine_config_validate(&cfg, &why), 0);
	config6(&cfg);
	cfg.lan6_prefix = 129;
	assert_int_not_equal(pg_engine_config_validate(&cfg, &why), 0);
}

/*
 * Several workers: both directions of an IPv6 flow, and an ICMPv6 error a
 * router sends about it, go to one worker; remotes spread over the workers.
 */
static void test_shard(void **state)
{
	const struct pg_shard_map m = {.n = 4, .seed = 0x1234567890abcdefULL};
	const struct pgt6_spec out = UDP6(H10, 6000, S1, 53, 64), in = UDP6(S1, 53, H10, 6000, 60);
	const struct pgt6_spec err = {.proto = PGT_P_ICMP6, .src = "2001:db8:77::1", .dst = H10,
				      .icmp_type = 3, .inner = &out};
	uint8_t a[PGT_BUF], b[PGT_BUF], c[PGT_BUF];
	uint32_t na = pgt6_build(&out, a, sizeof(a)), nb = pgt6_build(&in, b, sizeof(b)),
		 nc = pgt6_build(&err, c, sizeof(c));
	unsigned int w = pg_shard_of(&m, a, na, PG_SIDE_LAN), seen = 0;

	(void)state;
	assert_int_equal(pg_shard_of(&m, b, nb, PG_SIDE_WAN), w);
	assert_int_equal(pg_shard_of(&m, c, nc, PG_SIDE_WAN), w);
	for (unsigned int i = 0; i < 32; i++) {
		char dst[64];
		struct pgt6_spec s = UDP6(H10, 6000, dst, 53, 64);

		snprintf(dst, sizeof(dst), "2001:db8:%x::1", i + 2);
		na = pgt6_build(&s, a, sizeof(a));
		seen |= 1u << pg_shard_of(&m, a, na, PG_SIDE_LAN);
	}
	assert_int_equal(seen, 0xf);
}

/* ---- the flow table as the API sees it ----------------------------------------- */

/* One packet through e; returns its length, checks its verdict. */
static uint32_t send6(struct pg_engine *e, const struct pgt6_spec *s, uint8_t side, uint32_t t,
		      uint8_t verdict)
{
	uint8_t buf[PGT_BUF];
	struct pg_pkt pkt;

	memset(&pkt, 0, sizeof(pkt));
	pkt.len = pgt6_build(s, buf, sizeof(buf) - PG_PKT_ERROR_GROWTH6);
	assert_true(pkt.len > 0);
	pkt.l3 = buf;
	pkt.cap = sizeof(buf);
	pkt.side = side;
	pg_engine_run(e, &pkt, 1, (uint64_t)t * 1000);
	assert_int_equal(pkt.verdict, verdict);
	return pkt.len;
}

static const struct pg_flow_info *find_row(const struct pg_flow_info *rows, unsigned int n,
					   uint8_t proto)
{
	for (unsigned int i = 0; i < n; i++)
		if (rows[i].proto == proto)
			return &rows[i];
	fail_msg("no flow of protocol %u listed", proto);
	return NULL;
}

static unsigned int list6(const struct pg_engine *e, const struct pg_flow_filter *f,
			  struct pg_flow_info *out, unsigned int max, uint32_t t)
{
	uint32_t cursor = 0;
	unsigned int n = pg_engine_flows(e, f, &cursor, out, max, (uint64_t)t * 1000);

	assert_int_equal(cursor, 0);
	return n;
}

static void test_flows_listed(void **state)
{
	const struct pgt6_spec syn = TCP6(H10, 40000, S1, 443, PGT_SYN, 64),
			       synack = TCP6(S1, 443, H10, 40000, PGT_SYN | PGT_ACK, 60),
			       ack = TCP6(H10, 40000, S1, 443, PGT_ACK, 64),
			       udp_out = UDP6(H11, 5000, S2, 53, 64),
			       udp_in = UDP6(S2, 53, H11, 5000, 50),
			       echo = ECHO6(H10, S2, 128, 77, 64), reply = ECHO6(S2, H10, 129, 77, 50),
			       scan = TCP6(S1, 5555, H10, 22, PGT_SYN, 60);
	struct pg_flow_filter f = {.family = 6}, v4 = {0};
	struct pg_flow_info rows[8];
	const struct pg_flow_info *r;
	struct pg_engine_config cfg;
	struct pg_engine *e;
	uint64_t out_tcp, in_tcp, uo, ui;
	uint8_t h10[16], s1[16], s2[16];
	uint32_t cursor, budget;
	unsigned int n, total;

	(void)state;
	pgt6_addr(H10, h10);
	pgt6_addr(S1, s1);
	pgt6_addr(S2, s2);
	config6(&cfg);
	e = pg_engine_create(&cfg);
	assert_non_null(e);
	out_tcp = send6(e, &syn, LAN, 1, TO_WAN);
	in_tcp = send6(e, &synack, WAN, 1, TO_LAN);
	out_tcp += send6(e, &ack, LAN, 1, TO_WAN);
	uo = send6(e, &udp_out, LAN, 2, TO_WAN);
	ui = send6(e, &udp_in, WAN, 2, TO_LAN);
	send6(e, &echo, LAN, 3, TO_WAN);
	send6(e, &reply, WAN, 3, TO_LAN);
	send6(e, &scan, WAN, 3, PG_VERDICT_DROP); /* refused traffic makes no flow */

	n = list6(e, &f, rows, 8, 4);
	assert_int_equal(n, 3);
	r = find_row(rows, n, PG_PROTO_TCP);
	assert_int_equal(r->family, 6);
	assert_memory_equal(r->lan6, h10, 16);
	assert_memory_equal(r->remote6, s1, 16);
	assert_int_equal(r->lan_port, 40000);
	assert_int_equal(r->remote_port, 443);
	assert_string_equal(pg_tcp_state_name(r->tcp_state), "ESTABLISHED");
	assert_int_equal(r->from_wan, 0);
	assert_int_equal(r->idle_s, 3);
	assert_int_equal(r->pkts[0], 2);
	assert_int_equal(r->pkts[1], 1);
	assert_int_equal(r->bytes[0], out_tcp);
	assert_int_equal(r->bytes[1], in_tcp);
	r = find_row(rows, n, PG_PROTO_UDP);
	assert_int_equal(r->lan_port, 5000);
	assert_int_equal(r->remote_port, 53);
	assert_memory_equal(r->remote6, s2, 16);
	assert_int_equal(r->bytes[0], uo);
	assert_int_equal(r->bytes[1], ui);
	assert_int_equal(r->expires_s, 300 - 2);
	r = find_row(rows, n, 58 /* ICMPv6 */);
	assert_int_equal(r->lan_port, 77);
	assert_int_equal(r->pkts[0], 1);
	assert_int_equal(r->pkts[1], 1);

	/* The IPv4 listing is the NAT table's alone, as before. */
	assert_int_equal(list6(e, &v4, rows, 8, 4), 0);

	/* Filters: protocol, a port at either end, an address at either end. */
	f.proto = PG_PROTO_UDP;
	assert_int_equal(list6(e, &f, rows, 8, 4), 1);
	f.proto = 0;
	f.port = 443;
	assert_int_equal(list6(e, &f, rows, 8, 4), 1);
	assert_int_equal(rows[0].proto, PG_PROTO_TCP);
	f.port = 0;
	memcpy(f.host6, s2, 16);
	assert_int_equal(list6(e, &f, rows, 8, 4), 2);
	memcpy(f.host6, h10, 16);
	assert_int_equal(list6(e, &f, rows, 8, 4), 2);
	f.port = 53;
	assert_int_equal(list6(e, &f, rows, 8, 4), 0);
	memset(&f, 0, sizeof(f));
	f.family = 6;

	/* A budget of one slot per call still walks the whole table, each row once. */
	cursor = 0;
	total = 0;
	do {
		budget = 1;
		total += pg_engine_flows_scan(e, &f, &cursor, rows, 8, 4000, &budget);
		assert_int_equal(budget, 0);
	} while (cursor);
	assert_int_equal(total, 3);
	/* Pages of one row. */
	cursor = 0;
	total = 0;
	do
		total += pg_engine_flows(e, &f, &cursor, rows, 1, 4000);
	while (cursor);
	assert_int_equal(total, 3);
	/* A cursor past the table reads as walked. */
	cursor = 0x0fffffff;
	assert_int_equal(pg_engine_flows(e, &f, &cursor, rows, 8, 4000), 0);
	assert_int_equal(cursor, 0);

	/* Idle past its timeout: gone from the list before any sweep frees it. */
	n = list6(e, &f, rows, 8, 2 + 300);
	assert_int_equal(n, 1); /* the established TCP flow stays */
	assert_int_equal(rows[0].proto, PG_PROTO_TCP);
	pg_engine_destroy(e);
}


/* Live IPv6 flows matching f, by the API's walk. */
static unsigned int count6(const struct pg_engine *e, const struct pg_flow_filter *f, uint32_t t)
{
	struct pg_flow_info rows[16];

	return list6(e, f, rows, 16, t);
}

/*
 * Ending IPv6 flows (DELETE /api/v1/flows with family 6): the matching
 * flows end and are counted, the others and the IPv4 table stay, and the
 * firewall then treats the ended connection as new: the remote's next
 * segment is unsolicited, while a pinhole still opens afresh.
 */
static void test_flows_cleared(void **state)
{
	const struct pgt6_spec syn = TCP6(H10, 40000, S1, 443, PGT_SYN, 64),
			       synack = TCP6(S1, 443, H10, 40000, PGT_SYN | PGT_ACK, 60),
			       ack_in = TCP6(S1, 443, H10, 40000, PGT_ACK, 60),
			       ack_out = TCP6(H10, 40000, S1, 443, PGT_ACK, 64),
			       udp_out = UDP6(H11, 5000, S2, 53, 64),
			       udp_in = UDP6(S2, 53, H11, 5000, 50),
			       hole_syn = TCP6(S2, 5555, H10, 443, PGT_SYN, 60),
			       hole_synack = TCP6(H10, 443, S2, 5555, PGT_SYN | PGT_ACK, 64),
			       hole_ack = TCP6(S2, 5555, H10, 443, PGT_ACK, 60);
	const struct pgt_spec v4 = {.proto = PGT_P_UDP, .src = PGT_H10, .sport = 5000,
				    .dst = PGT_S1, .dport = 53, .paylen = 8};
	struct pg_flow_filter f = {.family = 6}, all6 = {.family = 6}, all4 = {0};
	struct pgt_pkt p4 = {.side = LAN};
	struct pg_engine_config cfg;
	struct pg_engine *e;
	const uint64_t *c;
	uint32_t cursor, budget;
	unsigned int ended, n4;
	char err[128];

	(void)state;
	config6(&cfg);
	pinholes(&cfg);
	e = pg_engine_create(&cfg);
	assert_non_null(e);
	c = pg_engine_counters(e);
	send6(e, &syn, LAN, 1, TO_WAN);
	send6(e, &synack, WAN, 1, TO_LAN);
	send6(e, &udp_out, LAN, 1, TO_WAN);
	send6(e, &udp_in, WAN, 1, TO_LAN);
	send6(e, &hole_syn, WAN, 1, TO_LAN);
	send6(e, &hole_synack, LAN, 1, TO_WAN);
	p4.len = pgt_build(&v4, NULL, p4.buf, sizeof(p4.buf), NULL);
	assert_int_equal(pgt_run(e, &p4, 1, 1000, err, sizeof(err)), 0);
	assert_int_equal(p4.verdict, TO_WAN);
	assert_int_equal(count6(e, &all6, 2), 3);
	assert_int_equal(count6(e, &all4, 2), 1);

	/* Nothing matches: nothing ends. */
	f.proto = PG_PROTO_UDP;
	f.port = 40000;
	cursor = 0;
	budget = UINT32_MAX;
	assert_int_equal(pg_engine_flows_clear(e, &f, &cursor, &budget), 0);
	assert_int_equal(cursor, 0);
	assert_int_equal(c[PG_CNT_FLOW_CLEARED], 0);

	/* H10's outbound TCP connection by its port: that one flow, counted. */
	f.proto = PG_PROTO_TCP;
	pgt6_addr(H10, f.host6);
	budget = UINT32_MAX;
	assert_int_equal(pg_engine_flows_clear(e, &f, &cursor, &budget), 1);
	assert_int_equal(c[PG_CNT_FLOW_CLEARED], 1);
	assert_int_equal(c[PG_CNT_FLOW6_EXPIRED], 0);
	assert_int_equal(count6(e, &all6, 2), 2);
	assert_int_equal(count6(e, &f, 2), 0);
	assert_int_equal(count6(e, &all4, 2), 1);

	/* The server's next segment on it is now unsolicited; the UDP flow still passes. */
	send6(e, &ack_in, WAN, 2, PG_VERDICT_DROP);
	assert_int_equal(c[PG_CNT_DROP_UNSOLICITED], 1);
	send6(e, &udp_in, WAN, 2, TO_LAN);
	send6(e, &hole_ack, WAN, 2, TO_LAN);

	/* A pinhole's flows (as rule= asks: its host and port), one slot per call. */
	memset(&f, 0, sizeof(f));
	f.family = 6;
	f.proto = PG_PROTO_TCP;
	f.port = 443;
	pgt6_addr(H10, f.host6);
	cursor = 0;
	ended = 0;
	do {
		budget = 1;
		ended += pg_engine_flows_clear(e, &f, &cursor, &budget);
		assert_int_equal(budget, 0);
	} while (cursor);
	assert_int_equal(ended, 1);
	assert_int_equal(c[PG_CNT_FLOW_CLEARED], 2);
	/* Its established segment is no flow now; a new SYN opens the pinhole again. */
	send6(e, &hole_ack, WAN, 3, PG_VERDICT_DROP);
	assert_int_equal(c[PG_CNT_DROP_TCP_NO_FLOW], 1);
	send6(e, &hole_syn, WAN, 3, TO_LAN);
	send6(e, &hole_synack, LAN, 3, TO_WAN);
	send6(e, &hole_ack, WAN, 3, TO_LAN);
	assert_int_equal(count6(e, &all6, 3), 2);

	/* The LAN host reconnecting makes a fresh flow, as after an expiry. */
	send6(e, &syn, LAN, 4, TO_WAN);
	send6(e, &synack, WAN, 4, TO_LAN);
	send6(e, &ack_out, LAN, 4, TO_WAN);
	assert_int_equal(count6(e, &all6, 4), 3);

	/*
	 * A flow past its timeout is freed as expired, not counted as ended
	 * (by the clear, or by the batch's own sweep before it).
	 */
	memset(&f, 0, sizeof(f));
	f.family = 6;
	f.proto = PG_PROTO_UDP;
	send6(e, &ack_out, LAN, 1 + 300 + 1, TO_WAN); /* the batch clock moves on */
	cursor = 0;
	budget = UINT32_MAX;
	assert_int_equal(pg_engine_flows_clear(e, &f, &cursor, &budget), 0);
	assert_int_equal(c[PG_CNT_FLOW_CLEARED], 2);
	assert_int_equal(c[PG_CNT_FLOW6_EXPIRED], 1);

	/* An empty IPv6 filter ends every IPv6 flow (the pinhole's, H10's) and no IPv4 one. */
	n4 = count6(e, &all4, 302);
	budget = UINT32_MAX;
	assert_int_equal(pg_engine_flows_clear(e, &all6, &cursor, &budget), 2);
	assert_int_equal(c[PG_CNT_FLOW_CLEARED], 4);
	assert_int_equal(count6(e, &all6, 302), 0);
	assert_int_equal(count6(e, &all4, 302), n4);
	pg_engine_destroy(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udp_tcp),	    cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_host_wan),    cmocka_unit_test(test_host_no_wan6),
		cmocka_unit_test(test_off),	    cmocka_unit_test(test_icmp6),
		cmocka_unit_test(test_ping_off),    cmocka_unit_test(test_mtu),
		cmocka_unit_test(test_ipsec),	    cmocka_unit_test(test_ipsec_off),
		cmocka_unit_test(test_exts),	    cmocka_unit_test(test_ipv4_untouched),
		cmocka_unit_test(test_config_checks), cmocka_unit_test(test_shard),
		cmocka_unit_test(test_tunnel),	    cmocka_unit_test(test_flows_listed),
		cmocka_unit_test(test_pinhole),	    cmocka_unit_test(test_pinhole_not_ipv4),
		cmocka_unit_test(test_pinhole_suffix), cmocka_unit_test(test_flows_cleared),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
