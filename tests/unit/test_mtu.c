/* SPDX-License-Identifier: MIT */
/*
 * test_mtu.c - fragmentation needed for DF packets larger than the egress
 * MTU, fragmenting of those without DF, and MSS clamping of SYNs both ways
 * (MSS at an even or odd offset, already small, malformed options).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../lib/rows.h"


static void wan_mtu_1400(struct pg_engine_config *cfg)
{
	cfg->wan_mtu = 1400;
}


static const struct pgt_step frag_needed[] = {
	{.name = "1400 bytes with DF fit", .side = LAN,
	 .in = {.proto = PGT_P_UDP, .src = H10, .sport = 5000, .dst = S1, .dport = 4500,
		.frag = PGT_IP_DF, .paylen = 1372},
	 .verdict = TO_WAN,
	 .out = {.proto = PGT_P_UDP, .src = WANA, .sport = 5000, .dst = S1, .dport = 4500,
		 .frag = PGT_IP_DF, .paylen = 1372, .ttl = 63}},
	{.name = "1401 bytes with DF: frag needed, MTU 1400", .side = LAN,
	 .in = {.proto = PGT_P_UDP, .src = H10, .sport = 5000, .dst = S1, .dport = 4500,
		.frag = PGT_IP_DF, .paylen = 1373},
	 .verdict = TO_LAN, .drop = PG_CNT_DROP_FRAG_NEEDED,
	 .out = {.proto = PGT_P_ICMP, .src = LANA, .dst = H10, .icmp_type = 3, .icmp_code = 4,
		 .icmp_rest = 1400, .inner = &(const struct pgt_spec){
			 .proto = PGT_P_UDP, .src = H10, .sport = 5000, .dst = S1, .dport = 4500,
			 .frag = PGT_IP_DF, .paylen = 1373},
		 .inner_quote = 548},
	 .cnt = {CNT(ICMP_ERR_SENT, 1)}},
	{.name = "1401 bytes without DF: cut in two (test_frag checks the pieces)", .side = LAN,
	 .in = {.proto = PGT_P_UDP, .src = H10, .sport = 5000, .dst = S1, .dport = 4500,
		.paylen = 1373},
	 .verdict = TO_WAN, .cnt = {CNT(TX_WAN, 2), CNT(FRAGMENTED, 1)}},
	END,
};

/* MSS 1460 first, then SACK-permitted: the MSS value at an even offset. */
static const uint8_t mss1460[] = {0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x01, 0x01};
static const uint8_t mss1360[] = {0x02, 0x04, 0x05, 0x50, 0x04, 0x02, 0x01, 0x01};
/* A NOP first: the MSS value straddles two checksum words. */
static const uint8_t nop_mss1460[] = {0x01, 0x02, 0x04, 0x05, 0xb4, 0x01, 0x01, 0x00};
static const uint8_t nop_mss1360[] = {0x01, 0x02, 0x04, 0x05, 0x50, 0x01, 0x01, 0x00};
static const uint8_t mss1200[] = {0x02, 0x04, 0x04, 0xb0, 0x01, 0x01, 0x01, 0x00};
/* An option whose length runs past the header: left alone. */
static const uint8_t broken[] = {0x08, 0x0a, 0x02, 0x04, 0x05, 0xb4, 0x00, 0x00};

#define SYN_OPTS(s, sp, d, dp, fl, o, tl)                                                          \
	{                                                                                          \
		.proto = PGT_P_TCP, .src = (s), .sport = (sp), .dst = (d), .dport = (dp),          \
		.tcp_flags = (fl), .seq = 1, .ack = (fl) & PGT_ACK ? 2 : 0, .tcp_opts = (o),       \
		.tcp_optlen = 8, .ttl = (tl)                                                       \
	}

static const struct pgt_step mss[] = {
	{.name = "SYN out: 1460 clamped to 1360", .side = LAN,
	 .in = SYN_OPTS(H10, 40000, S1, 80, PGT_SYN, mss1460, 64), .verdict = TO_WAN,
	 .out = SYN_OPTS(WANA, 40000, S1, 80, PGT_SYN, mss1360, 63),
	 .cnt = {CNT(MSS_CLAMPED, 1)}},
	{.name = "SYN-ACK in: clamped too", .side = WAN,
	 .in = SYN_OPTS(S1, 80, WANA, 40000, PGT_SYN | PGT_ACK, nop_mss1460, 64),
	 .verdict = TO_LAN, .out = SYN_OPTS(S1, 80, H10, 40000, PGT_SYN | PGT_ACK, nop_mss1360, 63),
	 .cnt = {CNT(MSS_CLAMPED, 1)}},
	{.name = "small MSS kept", .side = LAN,
	 .in = SYN_OPTS(H10, 40001, S1, 80, PGT_SYN, mss1200, 64), .verdict = TO_WAN,
	 .out = SYN_OPTS(WANA, 40001, S1, 80, PGT_SYN, mss1200, 63), .cnt = {CNT(MSS_CLAMPED, 0)}},
	{.name = "malformed options kept", .side = LAN,
	 .in = SYN_OPTS(H10, 40002, S1, 80, PGT_SYN, broken, 64), .verdict = TO_WAN,
	 .out = SYN_OPTS(WANA, 40002, S1, 80, PGT_SYN, broken, 63), .cnt = {CNT(MSS_CLAMPED, 0)}},
	END,
};

static void clamp_off(struct pg_engine_config *cfg)
{
	cfg->wan_mtu = 1400;
	cfg->mss_clamp = false;
}

static const struct pgt_step no_clamp[] = {
	{.name = "clamping off: MSS kept", .side = LAN,
	 .in = SYN_OPTS(H10, 40000, S1, 80, PGT_SYN, mss1460, 64), .verdict = TO_WAN,
	 .out = SYN_OPTS(WANA, 40000, S1, 80, PGT_SYN, mss1460, 63), .cnt = {CNT(MSS_CLAMPED, 0)}},
	END,
};

static const struct pgt_scenario scenarios[] = {
	{"mtu: frag needed for DF, fragments without", wan_mtu_1400, frag_needed},
	{"mss: clamped to the smaller MTU - 40", wan_mtu_1400, mss},
	{"mss: clamping off", clamp_off, no_clamp},
};

PGT_MAIN("mtu", scenarios)
