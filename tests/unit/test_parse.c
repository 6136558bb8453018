/* SPDX-License-Identifier: MIT */
/*
 * test_parse.c - every malformed-packet rule of docs/ENGINE.md "Checks on
 * every packet", one table row each, plus the packets that look odd but must
 * pass (IP options, Ethernet padding, a first fragment).
 *
 * Each row damages an otherwise good packet in exactly one way and names the
 * counter that must go up by exactly one. Where a check comes after the IP
 * checksum check, the row recomputes the IP checksum after the damage so the
 * row proves the intended check fired and not an earlier one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../lib/cmtable.h"

#define LAN PG_SIDE_LAN
#define WAN PG_SIDE_WAN
#define DROP PG_VERDICT_DROP
#define TO_WAN PG_VERDICT_TO_WAN
#define TO_LAN PG_VERDICT_TO_LAN

/* The good packet most rows damage: 38 bytes, UDP header at 20. */
#define GOOD_UDP PGT_UDP(PGT_H10, 5000, PGT_S1, 53, 10)
#define GOOD_TCP PGT_TCP(PGT_H10, 40000, PGT_S1, 80, PGT_SYN, 1, 0)
#define GOOD_ICMP PGT_ECHO(PGT_H10, PGT_S1, 8, 0x1234, 1, 0)
#define GOOD_GRE1                                                                                  \
	{                                                                                          \
		.proto = PGT_P_GRE, .src = PGT_H10, .dst = PGT_S1, .gre_ver = 1,                   \
		.call_id = 0x4000, .gre_seq = true, .gre_seqno = 1, .paylen = 20                   \
	}
#define GOOD_GRE0                                                                                  \
	{                                                                                          \
		.proto = PGT_P_GRE, .src = PGT_H10, .dst = PGT_S1, .paylen = 20                    \
	}
#define GOOD_ESP                                                                                   \
	{                                                                                          \
		.proto = PGT_P_ESP, .src = PGT_H10, .dst = PGT_S1, .spi = 0x1001, .esp_seq = 1,    \
		.paylen = 40                                                                       \
	}

/* A table row that is a scenario of its own: a fresh engine, one packet. */
#define ONE(nm, ...)                                                                               \
	{                                                                                          \
		.name = nm, .steps = (const struct pgt_step[])                                     \
		{                                                                                  \
			{.name = nm, __VA_ARGS__},                                                 \
			{                                                                          \
				0                                                                  \
			}                                                                          \
		}                                                                                  \
	}

/* Shorthand for rows that must be dropped for reason r. */
#define DROPPED(r) .verdict = DROP, .drop = PG_CNT_##r

/*
 * The first fragment of a 108-byte UDP datagram (48 bytes of it): the UDP
 * length covers the whole datagram, so "UDP length <= IP payload" cannot apply
 * to a first fragment. The translated fragment must equal the translated
 * whole datagram cut at the same place, which also proves the checksum update
 * (the checksum covers the whole datagram).
 */
#define FRAG_WHOLE                                                                                 \
	{                                                                                          \
		.proto = PGT_P_UDP, .src = PGT_H10, .sport = 5000, .dst = PGT_S1, .dport = 53,     \
		.paylen = 100, .frag = PGT_IP_MF, .ip_id = 77                                      \
	}
static const struct pgt_spec frag_whole_out = {
	.proto = PGT_P_UDP, .src = PGT_WAN_ADDR, .sport = 5000, .dst = PGT_S1, .dport = 53,
	.paylen = 100, .frag = PGT_IP_MF, .ip_id = 77, .ttl = 63,
};

static int check_first_fragment(struct pgt_ctx *ctx, const struct pgt_step *st,
				const struct pgt_pkt *in, const struct pgt_pkt *out, char *err,
				size_t n)
{
	uint8_t want[PGT_BUF];
	char why[400];
	uint32_t wlen = 20 + 8 + 40;

	(void)in;
	if (!pgt_build(&frag_whole_out, &ctx->vars, want, sizeof(want), NULL)) {
		snprintf(err, n, "step '%s': expected spec does not build", st->name);
		return -1;
	}
	/* Cut the whole translated datagram like the input was cut. */
	pgt_put16(want + 2, (uint16_t)wlen);
	/* The IP id of a fragmented datagram going out is the gateway's choice. */
	memcpy(want + 4, out->buf + 4, 2);
	pgt_put16(want + 10, 0);
	pgt_put16(want + 10, pgt_cksum(want, 20, 0));
	if (pgt_diff(out->buf, out->len, want, wlen, why, sizeof(why))) {
		snprintf(err, n, "step '%s': %s", st->name, why);
		return -1;
	}
	return 0;
}

static const uint8_t router_alert[] = {0x94, 0x04, 0x00, 0x00};
/* Timestamp option with room for two stamps (RFC 791). */
static const uint8_t ts_opt[] = {0x44, 0x0c, 0x05, 0x00, 0, 0, 0, 0, 0, 0, 0, 0};

static const struct pgt_scenario rows[] = {
	/* 1. length and version */
	ONE("one byte", .side = LAN, .in = GOOD_UDP, .cut = 1, DROPPED(DROP_TRUNCATED)),
	ONE("19 bytes", .side = LAN, .in = GOOD_UDP, .cut = 19, DROPPED(DROP_TRUNCATED)),
	ONE("19 bytes from WAN", .side = WAN, .in = PGT_UDP(PGT_S1, 53, PGT_WAN_ADDR, 5000, 10),
	    .cut = 19, DROPPED(DROP_TRUNCATED)),
	/* Version 6 is IPv6's path; without [lan] address6 it is counted as such. */
	ONE("version 6 without IPv6 configured", .side = LAN, .in = GOOD_UDP, .set = {{0, 0x65}},
	    .nset = 1, .fix_ip = true, DROPPED(DROP_IP6_OFF)),
	ONE("version 0", .side = WAN, .in = PGT_UDP(PGT_S1, 53, PGT_WAN_ADDR, 5000, 10),
	    .set = {{0, 0x05}}, .nset = 1, DROPPED(DROP_IP_VERSION)),
	/* 2. header length */
	ONE("IHL 4", .side = LAN, .in = GOOD_UDP, .set = {{0, 0x44}}, .nset = 1,
	    DROPPED(DROP_IP_HDR_LEN)),
	ONE("IHL 0", .side = LAN, .in = GOOD_UDP, .set = {{0, 0x40}}, .nset = 1,
	    DROPPED(DROP_IP_HDR_LEN)),
	ONE("IHL 15 past a 38-byte buffer", .side = LAN, .in = GOOD_UDP, .set = {{0, 0x4f}},
	    .nset = 1, DROPPED(DROP_IP_HDR_LEN)),
	ONE("IHL 6 in a 20-byte packet", .side = WAN,
	    .in = {.proto = 99, .src = PGT_S1, .dst = PGT_WAN_ADDR}, .set = {{0, 0x46}}, .nset = 1,
	    DROPPED(DROP_IP_HDR_LEN)),
	/* 3. total length */
	ONE("total length past buffer", .side = LAN, .in = GOOD_UDP, .set = {{2, 0}, {3, 39}},
	    .nset = 2, .fix_ip = true, DROPPED(DROP_IP_TOTAL_LEN)),
	ONE("total length 65535", .side = WAN, .in = PGT_UDP(PGT_S1, 53, PGT_WAN_ADDR, 5000, 10),
	    .set = {{2, 0xff}, {3, 0xff}}, .nset = 2, .fix_ip = true, DROPPED(DROP_IP_TOTAL_LEN)),
	ONE("total length below IHL", .side = LAN, .in = GOOD_UDP, .set = {{2, 0}, {3, 19}},
	    .nset = 2, .fix_ip = true, DROPPED(DROP_IP_TOTAL_LEN)),
	ONE("total length below IHL with options", .side = LAN,
	    .in = {.proto = PGT_P_UDP, .src = PGT_H10, .sport = 5000, .dst = PGT_S1, .dport = 53,
		   .ip_opts = router_alert, .ip_optlen = 4},
	    .set = {{2, 0}, {3, 20}}, .nset = 2, .fix_ip = true, DROPPED(DROP_IP_TOTAL_LEN)),
	ONE("total length 0", .side = LAN, .in = GOOD_UDP, .set = {{2, 0}, {3, 0}}, .nset = 2,
	    .fix_ip = true, DROPPED(DROP_IP_TOTAL_LEN)),
	/* 4. header checksum */
	ONE("bad IP checksum from LAN", .side = LAN,
	    .in = {.proto = PGT_P_UDP, .src = PGT_H10, .sport = 5000, .dst = PGT_S1, .dport = 53,
		   .csum = PGT_CSUM_IP_BAD},
	    DROPPED(DROP_IP_CHECKSUM)),
	ONE("bad IP checksum from WAN", .side = WAN,
	    .in = {.proto = PGT_P_UDP, .src = PGT_S1, .sport = 53, .dst = PGT_WAN_ADDR,
		   .dport = 5000, .csum = PGT_CSUM_IP_BAD},
	    DROPPED(DROP_IP_CHECKSUM)),
	ONE("IP checksum covers options", .side = LAN,
	    .in = {.proto = PGT_P_UDP, .src = PGT_H10, .sport = 5000, .dst = PGT_S1, .dport = 53,
		   .ip_opts = router_alert, .ip_optlen = 4},
	    .set = {{22, 0x01}}, .nset = 1, DROPPED(DROP_IP_CHECKSUM)),
	/* 5. martian addresses */
	ONE("source 0.0.0.0", .side = LAN, .in = PGT_UDP("0.0.0.0", 68, PGT_S1, 67, 10),
	    DROPPED(DROP_IP_BAD_ADDR)),
	ONE("source 0.1.2.3 from WAN", .side = WAN,
	    .in = PGT_UDP("0.1.2.3", 53, PGT_WAN_ADDR, 5000, 10), DROPPED(DROP_IP_BAD_ADDR)),
	ONE("source 127.0.0.1", .side = LAN, .in = PGT_UDP("127.0.0.1", 5000, PGT_S1, 53, 10),
	    DROPPED(DROP_IP_BAD_ADDR)),
	ONE("source 127.1.2.3 from WAN", .side = WAN,
	    .in = PGT_UDP("127.1.2.3", 53, PGT_WAN_ADDR, 5000, 10), DROPPED(DROP_IP_BAD_ADDR)),
	ONE("source multicast", .side = WAN,
	    .in = PGT_UDP("224.0.0.1", 53, PGT_WAN_ADDR, 5000, 10), DROPPED(DROP_IP_BAD_ADDR)),
	ONE("source multicast from LAN", .side = LAN,
	    .in = PGT_UDP("239.1.1.1", 5000, PGT_S1, 53, 10), DROPPED(DROP_IP_BAD_ADDR)),
	ONE("source 240/4", .side = WAN, .in = PGT_UDP("240.0.0.1", 53, PGT_WAN_ADDR, 5000, 10),
	    DROPPED(DROP_IP_BAD_ADDR)),
	ONE("source broadcast", .side = WAN,
	    .in = PGT_UDP("255.255.255.255", 53, PGT_WAN_ADDR, 5000, 10),
	    DROPPED(DROP_IP_BAD_ADDR)),
	ONE("destination 0/8", .side = LAN, .in = PGT_UDP(PGT_H10, 5000, "0.0.0.9", 53, 10),
	    DROPPED(DROP_IP_BAD_ADDR)),
	ONE("destination 127/8", .side = LAN, .in = PGT_UDP(PGT_H10, 5000, "127.0.0.1", 53, 10),
	    DROPPED(DROP_IP_BAD_ADDR)),
	ONE("destination 127/8 from WAN", .side = WAN,
	    .in = PGT_UDP(PGT_S1, 53, "127.0.0.1", 5000, 10), DROPPED(DROP_IP_BAD_ADDR)),
	/* 6. fragments */
	/* Later fragments: outbound ones go at once, inbound ones wait for their first. */
	ONE("non-first fragment out", .side = LAN,
	    .in = {.proto = PGT_P_UDP, .src = PGT_H10, .sport = 5000, .dst = PGT_S1, .dport = 53,
		   .paylen = 16, .frag = 3},
	    .verdict = TO_WAN, .drop = PG_CNT_FRAG_TRANSLATED),
	ONE("non-first fragment in, before its first", .side = WAN,
	    .in = {.proto = PGT_P_UDP, .src = PGT_S1, .sport = 53, .dst = PGT_WAN_ADDR,
		   .dport = 5000, .paylen = 16, .frag = PGT_IP_MF | 185},
	    DROPPED(FRAG_HELD)),
	ONE("fragment reaching past 65535 bytes", .side = LAN,
	    .in = {.proto = PGT_P_TCP, .src = PGT_H10, .sport = 4000, .dst = PGT_S1, .dport = 80,
		   .tcp_flags = PGT_SYN, .frag = 0x1fff},
	    DROPPED(DROP_FRAG_BAD)),
	ONE("non-first fragment to the gateway", .side = LAN,
	    .in = {.proto = PGT_P_ICMP, .src = PGT_H10, .dst = PGT_LAN_ADDR, .paylen = 16,
		   .frag = 185},
	    DROPPED(DROP_IP_FRAGMENT)),
	ONE("first fragment is translated", .side = LAN, .in = FRAG_WHOLE, .l4_keep1 = 48 + 1,
	    .verdict = TO_WAN, .check = check_first_fragment),
	ONE("first fragment without a whole TCP header", .side = LAN,
	    .in = {.proto = PGT_P_TCP, .src = PGT_H10, .sport = 4000, .dst = PGT_S1, .dport = 80,
		   .tcp_flags = PGT_SYN, .frag = PGT_IP_MF},
	    .l4_keep1 = 16 + 1, DROPPED(DROP_L4_HDR)),
	/* 7. transport headers */
	ONE("TCP header 19 bytes", .side = LAN, .in = GOOD_TCP, .l4_keep1 = 19 + 1,
	    DROPPED(DROP_L4_HDR)),
	ONE("TCP header missing", .side = LAN, .in = GOOD_TCP, .l4_keep1 = 0 + 1,
	    DROPPED(DROP_L4_HDR)),
	ONE("TCP data offset 4", .side = LAN, .in = GOOD_TCP, .set = {{32, 0x40}}, .nset = 1,
	    DROPPED(DROP_L4_HDR)),
	ONE("TCP data offset 0", .side = WAN,
	    .in = PGT_TCP(PGT_S1, 80, PGT_WAN_ADDR, 40000, PGT_SYN, 1, 0), .set = {{32, 0x00}},
	    .nset = 1, DROPPED(DROP_L4_HDR)),
	ONE("TCP data offset past the segment", .side = LAN, .in = GOOD_TCP, .set = {{32, 0x60}},
	    .nset = 1, DROPPED(DROP_L4_HDR)),
	ONE("TCP data offset 15 in a 40-byte segment", .side = LAN,
	    .in = {.proto = PGT_P_TCP, .src = PGT_H10, .sport = 4000, .dst = PGT_S1, .dport = 80,
		   .tcp_flags = PGT_SYN, .paylen = 20},
	    .set = {{32, 0xf0}}, .nset = 1, DROPPED(DROP_L4_HDR)),
	ONE("TCP source port 0", .side = LAN,
	    .in = PGT_TCP(PGT_H10, 0, PGT_S1, 80, PGT_SYN, 1, 0), DROPPED(DROP_L4_HDR)),
	ONE("TCP destination port 0", .side = LAN,
	    .in = PGT_TCP(PGT_H10, 4000, PGT_S1, 0, PGT_SYN, 1, 0), DROPPED(DROP_L4_HDR)),
	ONE("TCP source port 0 from WAN", .side = WAN,
	    .in = PGT_TCP(PGT_S1, 0, PGT_WAN_ADDR, 4000, PGT_SYN, 1, 0), DROPPED(DROP_L4_HDR)),
	ONE("UDP header 7 bytes", .side = LAN, .in = GOOD_UDP, .l4_keep1 = 7 + 1,
	    DROPPED(DROP_L4_HDR)),
	ONE("UDP header 7 bytes from WAN", .side = WAN,
	    .in = PGT_UDP(PGT_S1, 53, PGT_WAN_ADDR, 5000, 0), .l4_keep1 = 7 + 1,
	    DROPPED(DROP_L4_HDR)),
	ONE("UDP length 7", .side = LAN, .in = GOOD_UDP, .set = {{24, 0}, {25, 7}}, .nset = 2,
	    DROPPED(DROP_L4_HDR)),
	ONE("UDP length 0", .side = LAN, .in = GOOD_UDP, .set = {{24, 0}, {25, 0}}, .nset = 2,
	    DROPPED(DROP_L4_HDR)),
	ONE("UDP length past the IP payload", .side = LAN, .in = GOOD_UDP,
	    .set = {{24, 0}, {25, 19}}, .nset = 2, DROPPED(DROP_L4_HDR)),
	ONE("UDP length 65535", .side = WAN, .in = PGT_UDP(PGT_S1, 53, PGT_WAN_ADDR, 5000, 10),
	    .set = {{24, 0xff}, {25, 0xff}}, .nset = 2, DROPPED(DROP_L4_HDR)),
	ONE("UDP source port 0", .side = LAN, .in = PGT_UDP(PGT_H10, 0, PGT_S1, 53, 10),
	    DROPPED(DROP_L4_HDR)),
	ONE("UDP destination port 0", .side = LAN, .in = PGT_UDP(PGT_H10, 5000, PGT_S1, 0, 10),
	    DROPPED(DROP_L4_HDR)),
	ONE("UDP destination port 0 from WAN", .side = WAN,
	    .in = PGT_UDP(PGT_S1, 53, PGT_WAN_ADDR, 0, 10), DROPPED(DROP_L4_HDR)),
	ONE("ICMP 7 bytes", .side = LAN, .in = GOOD_ICMP, .l4_keep1 = 7 + 1,
	    DROPPED(DROP_L4_HDR)),
	ONE("ICMP 7 bytes to the gateway", .side = LAN,
	    .in = PGT_ECHO(PGT_H10, PGT_LAN_ADDR, 8, 1, 1, 0), .l4_keep1 = 7 + 1,
	    DROPPED(DROP_L4_HDR)),
	ONE("ICMP 0 bytes from WAN", .side = WAN,
	    .in = PGT_ECHO(PGT_S1, PGT_WAN_ADDR, 0, 0x1234, 1, 0), .l4_keep1 = 0 + 1,
	    DROPPED(DROP_L4_HDR)),
	ONE("GRE 3 bytes", .side = LAN, .in = GOOD_GRE0, .l4_keep1 = 3 + 1, DROPPED(DROP_L4_HDR)),
	ONE("GRE version 1 without its key", .side = LAN, .in = GOOD_GRE1, .l4_keep1 = 6 + 1,
	    DROPPED(DROP_L4_HDR)),
	ONE("GRE version 1 with the K bit clear", .side = LAN,
	    .in = {.proto = PGT_P_GRE, .src = PGT_H10, .dst = PGT_S1, .gre_ver = 1, .paylen = 8},
	    .set = {{20, 0x00}}, .nset = 1, DROPPED(DROP_L4_HDR)),
	ONE("GRE version 2", .side = LAN, .in = GOOD_GRE0, .set = {{21, 0x02}}, .nset = 1,
	    DROPPED(DROP_L4_HDR)),
	ONE("GRE 3 bytes from WAN", .side = WAN,
	    .in = {.proto = PGT_P_GRE, .src = PGT_S1, .dst = PGT_WAN_ADDR, .paylen = 4},
	    .l4_keep1 = 3 + 1, DROPPED(DROP_L4_HDR)),
	ONE("ESP 7 bytes", .side = LAN, .in = GOOD_ESP, .l4_keep1 = 7 + 1, DROPPED(DROP_L4_HDR)),
	ONE("ESP 7 bytes from WAN", .side = WAN,
	    .in = {.proto = PGT_P_ESP, .src = PGT_S1, .dst = PGT_WAN_ADDR, .spi = 9},
	    .l4_keep1 = 7 + 1, DROPPED(DROP_L4_HDR)),
	/* Odd but good. */
	ONE("IP options pass untouched", .side = LAN,
	    .in = {.proto = PGT_P_UDP, .src = PGT_H10, .sport = 5000, .dst = PGT_S1, .dport = 53,
		   .paylen = 10, .ip_opts = ts_opt, .ip_optlen = sizeof(ts_opt), .ip_id = 9},
	    .verdict = TO_WAN,
	    .out = {.proto = PGT_P_UDP, .src = PGT_WAN_ADDR, .sport = 5000, .dst = PGT_S1,
		    .dport = 53, .paylen = 10, .ip_opts = ts_opt, .ip_optlen = sizeof(ts_opt),
		    .ip_id = 9, .ttl = 63}),
	ONE("Ethernet padding is removed", .side = LAN,
	    .in = PGT_TCP(PGT_H10, 40000, PGT_S1, 80, PGT_SYN, 1, 0), .pad = 6, .verdict = TO_WAN,
	    .out = PGT_TCP_TTL(PGT_WAN_ADDR, 40000, PGT_S1, 80, PGT_SYN, 1, 0, 63)),
	ONE("18 bytes of padding are removed", .side = LAN, .in = GOOD_UDP, .pad = 18,
	    .verdict = TO_WAN,
	    .out = PGT_UDP_TTL(PGT_WAN_ADDR, 5000, PGT_S1, 53, 10, 63)),
	ONE("DF and TOS are kept", .side = LAN,
	    .in = {.proto = PGT_P_UDP, .src = PGT_H10, .sport = 5000, .dst = PGT_S1, .dport = 53,
		   .frag = PGT_IP_DF, .tos = 0xb8, .ip_id = 0xbeef},
	    .verdict = TO_WAN,
	    .out = {.proto = PGT_P_UDP, .src = PGT_WAN_ADDR, .sport = 5000, .dst = PGT_S1,
		    .dport = 53, .frag = PGT_IP_DF, .tos = 0xb8, .ip_id = 0xbeef, .ttl = 63}),
};

int main(void)
{
	struct CMUnitTest t[PGT_ARRAY_SIZE(rows)];
	size_t k = pgt_cm_add(t, rows, PGT_ARRAY_SIZE(rows));

	return _cmocka_run_group_tests("parse", t, k, NULL, NULL);
}
