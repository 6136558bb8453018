/* SPDX-License-Identifier: MIT */
/*
 * test_packets.c - translation tables: a TCP session end to end, packets for
 * the gateway itself, TTL expiry, unsolicited and misdirected traffic, GRE
 * and ESP, protocols and ICMP types the gateway refuses.
 *
 * Each scenario is a fresh engine and a list of rows (name, input + side +
 * time, expected output bytes or drop reason). Expected packets are built
 * from scratch with full checksums, so a byte-equal output proves the
 * engine's incremental checksum updates.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../lib/rows.h"


/* MSS 1460, SACK permitted, window scale 7: a real SYN's options. */
static const uint8_t syn_opts[] = {0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x03, 0x03, 0x07, 0x00};

/* TCP with options and payload, for rows that need more than PGT_TCP. */
#define TCPX(s, sp, d, dp, fl, sq, ak, tl, n, o, on)                                               \
	{                                                                                          \
		.proto = PGT_P_TCP, .src = (s), .sport = (sp), .dst = (d), .dport = (dp),          \
		.tcp_flags = (fl), .seq = (sq), .ack = (ak), .ttl = (tl), .paylen = (n),           \
		.tcp_opts = (o), .tcp_optlen = (on), .win = 29200                                  \
	}

static const struct pgt_step tcp_session[] = {
	{.name = "SYN out", .side = LAN,
	 .in = TCPX(H10, 40000, S1, 80, PGT_SYN, 1000, 0, 64, 0, syn_opts, sizeof(syn_opts)),
	 .verdict = TO_WAN,
	 .out = TCPX(WANA, 40000, S1, 80, PGT_SYN, 1000, 0, 63, 0, syn_opts, sizeof(syn_opts)),
	 .cnt = {CNT(FLOW_CREATED, 1), CNT(MAPPING_CREATED, 1), CNT(PORT_PRESERVED, 1)},
	 .flows1 = 1 + 1},
	{.name = "SYN-ACK back", .t = 1, .side = WAN,
	 .in = TCPX(S1, 80, WANA, 40000, SA, 9000, 1001, 50, 0, syn_opts, sizeof(syn_opts)),
	 .verdict = TO_LAN,
	 .out = TCPX(S1, 80, H10, 40000, SA, 9000, 1001, 49, 0, syn_opts, sizeof(syn_opts)),
	 .cnt = {CNT(FLOW_CREATED, 0)}, .flows1 = 1 + 1},
	{.name = "ACK out", .t = 1, .ms = 20, .side = LAN,
	 .in = TCPX(H10, 40000, S1, 80, PGT_ACK, 1001, 9001, 64, 0, NULL, 0), .verdict = TO_WAN,
	 .out = TCPX(WANA, 40000, S1, 80, PGT_ACK, 1001, 9001, 63, 0, NULL, 0)},
	{.name = "data out", .t = 2, .side = LAN,
	 .in = TCPX(H10, 40000, S1, 80, PA, 1001, 9001, 64, 100, NULL, 0), .verdict = TO_WAN,
	 .out = TCPX(WANA, 40000, S1, 80, PA, 1001, 9001, 63, 100, NULL, 0)},
	{.name = "data back", .t = 2, .ms = 30, .side = WAN,
	 .in = TCPX(S1, 80, WANA, 40000, PA, 9001, 1101, 50, 1400, NULL, 0), .verdict = TO_LAN,
	 .out = TCPX(S1, 80, H10, 40000, PA, 9001, 1101, 49, 1400, NULL, 0)},
	{.name = "odd-length data out", .t = 3, .side = LAN,
	 .in = TCPX(H10, 40000, S1, 80, PA, 1101, 10401, 64, 33, NULL, 0), .verdict = TO_WAN,
	 .out = TCPX(WANA, 40000, S1, 80, PA, 1101, 10401, 63, 33, NULL, 0)},
	{.name = "FIN out", .t = 4, .side = LAN,
	 .in = TCPX(H10, 40000, S1, 80, FA, 1134, 10401, 64, 0, NULL, 0), .verdict = TO_WAN,
	 .out = TCPX(WANA, 40000, S1, 80, FA, 1134, 10401, 63, 0, NULL, 0)},
	{.name = "ACK of FIN back", .t = 4, .ms = 30, .side = WAN,
	 .in = TCPX(S1, 80, WANA, 40000, PGT_ACK, 10401, 1135, 50, 0, NULL, 0), .verdict = TO_LAN,
	 .out = TCPX(S1, 80, H10, 40000, PGT_ACK, 10401, 1135, 49, 0, NULL, 0)},
	{.name = "FIN back", .t = 5, .side = WAN,
	 .in = TCPX(S1, 80, WANA, 40000, FA, 10401, 1135, 50, 0, NULL, 0), .verdict = TO_LAN,
	 .out = TCPX(S1, 80, H10, 40000, FA, 10401, 1135, 49, 0, NULL, 0)},
	{.name = "last ACK out", .t = 5, .ms = 10, .side = LAN,
	 .in = TCPX(H10, 40000, S1, 80, PGT_ACK, 1135, 10402, 64, 0, NULL, 0), .verdict = TO_WAN,
	 .out = TCPX(WANA, 40000, S1, 80, PGT_ACK, 1135, 10402, 63, 0, NULL, 0),
	 .flows1 = 1 + 1},
	END,
};

/* Server closes first; the flow is still there for the retransmitted ACK. */
static const struct pgt_step tcp_server_closes[] = {
	{.name = "SYN out", .side = LAN, .in = PGT_TCP(H10, 41000, S1, 443, PGT_SYN, 1, 0),
	 .verdict = TO_WAN, .out = PGT_TCP_TTL(WANA, 41000, S1, 443, PGT_SYN, 1, 0, 63)},
	{.name = "SYN-ACK back", .side = WAN, .in = PGT_TCP(S1, 443, WANA, 41000, SA, 50, 2),
	 .verdict = TO_LAN, .out = PGT_TCP_TTL(S1, 443, H10, 41000, SA, 50, 2, 63)},
	{.name = "ACK out", .side = LAN, .in = PGT_TCP(H10, 41000, S1, 443, PGT_ACK, 2, 51),
	 .verdict = TO_WAN, .out = PGT_TCP_TTL(WANA, 41000, S1, 443, PGT_ACK, 2, 51, 63)},
	{.name = "FIN back", .t = 10, .side = WAN, .in = PGT_TCP(S1, 443, WANA, 41000, FA, 51, 2),
	 .verdict = TO_LAN, .out = PGT_TCP_TTL(S1, 443, H10, 41000, FA, 51, 2, 63)},
	{.name = "ACK+FIN out", .t = 10, .side = LAN, .in = PGT_TCP(H10, 41000, S1, 443, FA, 2, 52),
	 .verdict = TO_WAN, .out = PGT_TCP_TTL(WANA, 41000, S1, 443, FA, 2, 52, 63)},
	{.name = "last ACK back", .t = 10, .side = WAN,
	 .in = PGT_TCP(S1, 443, WANA, 41000, PGT_ACK, 52, 3), .verdict = TO_LAN,
	 .out = PGT_TCP_TTL(S1, 443, H10, 41000, PGT_ACK, 52, 3, 63)},
	{.name = "retransmitted FIN in TIME_WAIT", .t = 11, .side = WAN,
	 .in = PGT_TCP(S1, 443, WANA, 41000, FA, 51, 2), .verdict = TO_LAN,
	 .out = PGT_TCP_TTL(S1, 443, H10, 41000, FA, 51, 2, 63)},
	END,
};

/* UDP with "no checksum" keeps 0; a bad checksum stays bad. */
static const struct pgt_step udp_checksums[] = {
	{.name = "checksum 0 out", .side = LAN,
	 .in = {.proto = PGT_P_UDP, .src = H10, .sport = 5353, .dst = S1, .dport = 53,
		.paylen = 20, .csum = PGT_CSUM_L4_ZERO},
	 .verdict = TO_WAN,
	 .out = {.proto = PGT_P_UDP, .src = WANA, .sport = 5353, .dst = S1, .dport = 53,
		 .paylen = 20, .csum = PGT_CSUM_L4_ZERO, .ttl = 63}},
	{.name = "checksum 0 back", .side = WAN,
	 .in = {.proto = PGT_P_UDP, .src = S1, .sport = 53, .dst = WANA, .dport = 5353,
		.paylen = 21, .csum = PGT_CSUM_L4_ZERO},
	 .verdict = TO_LAN,
	 .out = {.proto = PGT_P_UDP, .src = S1, .sport = 53, .dst = H10, .dport = 5353,
		 .paylen = 21, .csum = PGT_CSUM_L4_ZERO, .ttl = 63}},
	{.name = "bad checksum out stays bad", .side = LAN,
	 .in = {.proto = PGT_P_UDP, .src = H10, .sport = 5353, .dst = S1, .dport = 53,
		.paylen = 20, .csum = PGT_CSUM_L4_BAD},
	 .verdict = TO_WAN, .l4_bad_kept = true,
	 .out = {.proto = PGT_P_UDP, .src = WANA, .sport = 5353, .dst = S1, .dport = 53,
		 .paylen = 20, .ttl = 63}},
	{.name = "bad TCP checksum stays bad", .side = LAN,
	 .in = {.proto = PGT_P_TCP, .src = H10, .sport = 6000, .dst = S1, .dport = 25,
		.tcp_flags = PGT_SYN, .csum = PGT_CSUM_L4_BAD},
	 .verdict = TO_WAN, .l4_bad_kept = true,
	 .out = {.proto = PGT_P_TCP, .src = WANA, .sport = 6000, .dst = S1, .dport = 25,
		 .tcp_flags = PGT_SYN, .ttl = 63}},
	END,
};

/* UDP payloads chosen so the translated checksum computes to zero. */
static int check_udp_ffff(struct pgt_ctx *ctx, const struct pgt_step *st,
			  const struct pgt_pkt *in, const struct pgt_pkt *out, char *err, size_t n)
{
	(void)ctx;
	(void)in;
	if (out->len < 28 || pgt_get16(out->buf + 26) != 0xffff) {
		snprintf(err, n, "step '%s': translated UDP checksum should be 0xffff (RFC 768: computed 0), is 0x%04x",
			 st->name, out->len >= 28 ? pgt_get16(out->buf + 26) : 0);
		return -1;
	}
	return 0;
}

/*
 * The payload word 0x85e5 makes the sum of the translated packet
 * (198.51.100.2:5000 > 203.0.113.1:53, 10 bytes) exactly 0xffff, so its
 * checksum is 0 and must be sent as 0xffff; an incremental update that forgot
 * RFC 768 would send 0 ("no checksum").
 */
static const uint8_t zero_sum_payload[] = {0x85, 0xe5};

static const struct pgt_step udp_zero_sum[] = {
	{.name = "translated checksum computes to 0", .side = LAN,
	 .in = {.proto = PGT_P_UDP, .src = H10, .sport = 5000, .dst = S1, .dport = 53,
		.paylen = 2, .payload = zero_sum_payload},
	 .verdict = TO_WAN, .check = check_udp_ffff,
	 .out = {.proto = PGT_P_UDP, .src = WANA, .sport = 5000, .dst = S1, .dport = 53,
		 .paylen = 2, .payload = zero_sum_payload, .ttl = 63}},
	END,
};

/*
 * An ICMP message that is all zeros (echo reply, id 0, seq 0, zero payload)
 * sums to +0, so its checksum is 0xffff; ICMP has no pseudo-header to make
 * the sum non-zero. An RFC 1624 update that lands there yields 0x0000, which
 * receivers reject: the engine must store what a full recomputation does.
 */
static const uint8_t zeros32[32];

#define ZERO_ECHO(s, d, type, id, tl)                                                              \
	{                                                                                          \
		.proto = PGT_P_ICMP, .src = (s), .dst = (d), .icmp_type = (type),                  \
		.icmp_id = (id), .payload = zeros32, .paylen = 32, .ttl = (tl)                     \
	}

static const struct pgt_step zero_echo_gateway[] = {
	{.name = "all-zero ping to the gateway", .side = LAN, .in = ZERO_ECHO(H10, LANA, 8, 0, 64),
	 .verdict = TO_LAN, .out = ZERO_ECHO(LANA, H10, 0, 0, 64)},
	END,
};

static const struct pgt_step zero_echo[] = {
	{.name = "host 10 pings with id 0", .side = LAN, .in = ZERO_ECHO(H10, S1, 8, 0, 64),
	 .verdict = TO_WAN, .out = ZERO_ECHO(WANA, S1, 8, 0, 63)},
	{.name = "host 11 pings with id 0: moved", .side = LAN, .in = ZERO_ECHO(H11, S1, 8, 0, 64),
	 .verdict = TO_WAN, .out = ZERO_ECHO(WANA, S1, 8, PGT_VAR(0), 63)},
	{.name = "all-zero reply to host 11", .side = WAN,
	 .in = ZERO_ECHO(S1, WANA, 0, PGT_VAR(0), 64), .verdict = TO_LAN,
	 .out = ZERO_ECHO(S1, H11, 0, 0, 63)},
	END,
};

/* Pings to the gateway's own addresses. */
static const struct pgt_step ping_gateway[] = {
	{.name = "ping LAN address", .side = LAN, .in = PGT_ECHO(H10, LANA, 8, 0x77, 1, 64),
	 .verdict = TO_LAN, .out = PGT_ECHO(LANA, H10, 0, 0x77, 1, 64),
	 .cnt = {CNT(ICMP_ECHO_REPLIED, 1), CNT(FLOW_CREATED, 0)}, .flows1 = 0 + 1},
	{.name = "ping LAN address, TTL 1", .side = LAN, .in = PGT_ECHO(H10, LANA, 8, 0x77, 2, 1),
	 .verdict = TO_LAN, .out = PGT_ECHO(LANA, H10, 0, 0x77, 2, 64),
	 .cnt = {CNT(ICMP_ECHO_REPLIED, 1), CNT(ICMP_ERR_SENT, 0)}},
	{.name = "ping WAN address from WAN", .side = WAN, .in = PGT_ECHO(S1, WANA, 8, 0x99, 7, 50),
	 .verdict = TO_WAN, .out = PGT_ECHO(WANA, S1, 0, 0x99, 7, 64),
	 .cnt = {CNT(ICMP_ECHO_REPLIED, 1)}},
	{.name = "ping WAN address from WAN neighbour", .side = WAN,
	 .in = PGT_ECHO("198.51.100.77", WANA, 8, 0x98, 1, 64), .verdict = TO_WAN,
	 .out = PGT_ECHO(WANA, "198.51.100.77", 0, 0x98, 1, 64),
	 .cnt = {CNT(ICMP_ECHO_REPLIED, 1)}},
	{.name = "ping WAN address from LAN", .side = LAN, .in = PGT_ECHO(H11, WANA, 8, 0x55, 3, 64),
	 .verdict = TO_LAN, .out = PGT_ECHO(WANA, H11, 0, 0x55, 3, 64),
	 .cnt = {CNT(ICMP_ECHO_REPLIED, 1)}},
	{.name = "ping with a bad ICMP checksum", .side = LAN,
	 .in = {.proto = PGT_P_ICMP, .src = H10, .dst = LANA, .icmp_type = 8, .icmp_id = 1,
		.paylen = 8, .csum = PGT_CSUM_L4_BAD},
	 DROPPED(DROP_L4_CHECKSUM), .cnt = {CNT(ICMP_ECHO_REPLIED, 0)}},
	{.name = "ping with 56 bytes and an IP id", .side = LAN,
	 .in = {.proto = PGT_P_ICMP, .src = H10, .dst = LANA, .icmp_type = 8, .icmp_id = 5,
		.icmp_seq = 9, .paylen = 56, .ip_id = 4242},
	 .verdict = TO_LAN,
	 .out = {.proto = PGT_P_ICMP, .src = LANA, .dst = H10, .icmp_type = 0, .icmp_id = 5,
		 .icmp_seq = 9, .paylen = 56, .ip_id = 4242},
	 .cnt = {CNT(ICMP_ECHO_REPLIED, 1)}},
	END,
};

/* Other traffic for the gateway goes up to its stack untouched, when the input policy admits it. */
static const struct pgt_step to_gateway[] = {
	{.name = "DNS to the LAN address", .side = LAN, .in = PGT_UDP(H10, 5353, LANA, 53, 30),
	 .verdict = TO_GW},
	{.name = "TCP to the LAN address", .side = LAN,
	 .in = PGT_TCP(H10, 5000, LANA, 80, PGT_SYN, 1, 0), .verdict = TO_GW},
	{.name = "UDP to the WAN address from LAN", .side = LAN, .in = PGT_UDP(H10, 5353, WANA, 53, 3),
	 .verdict = TO_GW},
	{.name = "LAN subnet broadcast: no rule for NetBIOS", .side = LAN,
	 .in = PGT_UDP(H10, 137, PGT_LAN_BCAST, 137, 50), DROPPED(DROP_TO_GW_LIMIT)},
	{.name = "DNS to the LAN subnet broadcast", .side = LAN,
	 .in = PGT_UDP(H10, 5353, PGT_LAN_BCAST, 53, 30), .verdict = TO_GW},
	{.name = "limited broadcast", .side = LAN, .in = PGT_UDP(H10, 68, "255.255.255.255", 67, 300),
	 .verdict = TO_GW},
	{.name = "mDNS multicast from LAN: no rule", .side = LAN,
	 .in = PGT_UDP(H10, 5353, "224.0.0.251", 5353, 40), DROPPED(DROP_TO_GW_LIMIT)},
	{.name = "padded packet for the gateway", .side = LAN, .in = PGT_UDP(H10, 5353, LANA, 53, 2),
	 .pad = 8, .verdict = TO_GW},
	{.name = "echo reply to the LAN address", .side = LAN, .in = PGT_ECHO(H10, LANA, 0, 1, 1, 64),
	 .verdict = TO_GW},
	{.name = "no flow was made", .side = LAN, .in = PGT_UDP(H10, 5353, LANA, 53, 30),
	 .verdict = TO_GW, .flows1 = 0 + 1},
	END,
};

/* ICMP time exceeded built back to the sender. */
static int check_time_exceeded(struct pgt_ctx *ctx, const struct pgt_step *st,
			       const struct pgt_pkt *in, const struct pgt_pkt *out, char *err,
			       size_t n)
{
	const uint8_t *ip = out->buf, *icmp;
	uint32_t quote, want_quote;

	(void)ctx;
	if (out->len < 28 + 28 || pgt_ip_proto(ip) != PGT_P_ICMP || pgt_ip_hlen(ip) != 20) {
		snprintf(err, n, "step '%s': not an ICMP error (%u bytes, proto %u)", st->name,
			 out->len, out->len >= 20 ? ip[9] : 0);
		return -1;
	}
	icmp = ip + 20;
	if (pgt_ip_src(ip) != pgt_addr(LANA) || pgt_ip_dst(ip) != pgt_ip_src(in->buf)) {
		snprintf(err, n, "step '%s': error must go from the LAN address to the sender",
			 st->name);
		return -1;
	}
	if (icmp[0] != 11 || icmp[1] != 0 || pgt_get32(icmp + 4) != 0) {
		snprintf(err, n, "step '%s': type %u code %u unused 0x%08x, want 11/0/0", st->name,
			 icmp[0], icmp[1], pgt_get32(icmp + 4));
		return -1;
	}
	if (ip[8] < 2 || (pgt_get16(ip + 6) & 0x3fff)) {
		snprintf(err, n, "step '%s': error TTL %u / fragment bits 0x%04x", st->name, ip[8],
			 pgt_get16(ip + 6));
		return -1;
	}
	/* RFC 1812 4.3.2.3: as much of the original as fits in 576 bytes. */
	quote = out->len - 28;
	want_quote = in->len - st->pad;
	if (want_quote > PG_ICMP_ERROR_MAX - 28)
		want_quote = PG_ICMP_ERROR_MAX - 28;
	if (in->cap && want_quote > in->cap - 28)
		want_quote = in->cap - 28;
	if (quote != want_quote || out->len > PG_ICMP_ERROR_MAX) {
		snprintf(err, n, "step '%s': quoted %u bytes, want %u", st->name, quote, want_quote);
		return -1;
	}
	/* The quote is the packet as it arrived (TTL 1, untranslated). */
	if (memcmp(icmp + 8, in->buf, quote) != 0) {
		snprintf(err, n, "step '%s': quoted bytes differ from the offending packet",
			 st->name);
		return -1;
	}
	return 0;
}

#define TTL_EXCEEDED                                                                               \
	.verdict = TO_LAN, .drop = PG_CNT_DROP_TTL_EXCEEDED, .check = check_time_exceeded,         \
	.cnt = {CNT(ICMP_ERR_SENT, 1), CNT(FLOW_CREATED, 0), CNT(ICMP_ERR_RATELIMITED, 0)}

static const struct pgt_step ttl_expiry[] = {
	{.name = "UDP with TTL 1", .side = LAN, .in = PGT_UDP_TTL(H10, 5000, S1, 53, 20, 1),
	 TTL_EXCEEDED, .flows1 = 0 + 1},
	{.name = "TCP SYN with TTL 1", .side = LAN,
	 .in = PGT_TCP_TTL(H10, 40000, S1, 80, PGT_SYN, 7, 0, 1), TTL_EXCEEDED},
	{.name = "echo with TTL 1", .side = LAN, .in = PGT_ECHO(H10, S1, 8, 3, 1, 1), TTL_EXCEEDED},
	{.name = "UDP with TTL 0", .side = LAN, .in = PGT_UDP(H11, 5000, S1, 53, 20),
	 .set = {{8, 0}}, .nset = 1, .fix_ip = true, TTL_EXCEEDED},
	{.name = "1400-byte UDP with TTL 1: quote cut to 576", .side = LAN,
	 .in = PGT_UDP_TTL(H10, 5000, S1, 53, 1372, 1), TTL_EXCEEDED},
	{.name = "GRE with TTL 1", .side = LAN,
	 .in = {.proto = PGT_P_GRE, .src = H10, .dst = S1, .ttl = 1, .paylen = 40}, TTL_EXCEEDED},
	{.name = "TTL 2 goes out with TTL 1", .side = LAN,
	 .in = PGT_UDP_TTL(H10, 5000, S1, 53, 20, 2), .verdict = TO_WAN,
	 .out = PGT_UDP_TTL(WANA, 5000, S1, 53, 20, 1)},
	{.name = "TTL 255 goes out with TTL 254", .side = LAN,
	 .in = PGT_UDP_TTL(H10, 5000, S1, 53, 20, 255), .verdict = TO_WAN,
	 .out = PGT_UDP_TTL(WANA, 5000, S1, 53, 20, 254)},
	END,
};

static void small_error_budget(struct pg_engine_config *cfg)
{
	cfg->icmp_error_rate = 1;
	cfg->icmp_error_burst = 2;
}

/* ICMP errors the gateway sends are rate limited (token bucket). */
static const struct pgt_step ttl_rate_limit[] = {
	{.name = "first error", .side = LAN, .in = PGT_UDP_TTL(H10, 5000, S1, 53, 20, 1),
	 TTL_EXCEEDED},
	{.name = "second error", .side = LAN, .in = PGT_UDP_TTL(H10, 5001, S1, 53, 20, 1),
	 TTL_EXCEEDED},
	{.name = "third within the burst is suppressed", .side = LAN,
	 .in = PGT_UDP_TTL(H10, 5002, S1, 53, 20, 1), DROPPED(DROP_TTL_EXCEEDED),
	 .cnt = {CNT(ICMP_ERR_RATELIMITED, 1), CNT(ICMP_ERR_SENT, 0)}},
	{.name = "a second later one more is allowed", .t = 1, .ms = 10, .side = LAN,
	 .in = PGT_UDP_TTL(H10, 5003, S1, 53, 20, 1), TTL_EXCEEDED},
	END,
};

/* Inbound with nothing to match, and packets that are not ours. */
static const struct pgt_step unsolicited[] = {
	{.name = "UDP to an unmapped port", .side = WAN, .in = PGT_UDP(S1, 53, WANA, 5000, 10),
	 DROPPED(DROP_UNSOLICITED)},
	{.name = "SYN to an unmapped port", .side = WAN,
	 .in = PGT_TCP(S1, 40000, WANA, 22, PGT_SYN, 1, 0), DROPPED(DROP_UNSOLICITED)},
	{.name = "ACK to an unmapped port", .side = WAN,
	 .in = PGT_TCP(S1, 40000, WANA, 22, PGT_ACK, 1, 1), DROPPED(DROP_UNSOLICITED)},
	{.name = "echo reply with an unknown id", .side = WAN, .in = PGT_ECHO(S1, WANA, 0, 4, 1, 64),
	 DROPPED(DROP_UNSOLICITED)},
	{.name = "GRE with no flow", .side = WAN,
	 .in = {.proto = PGT_P_GRE, .src = S1, .dst = WANA, .gre_ver = 1, .call_id = 5,
		.paylen = 12},
	 DROPPED(DROP_UNSOLICITED)},
	{.name = "ESP with no flow", .side = WAN,
	 .in = {.proto = PGT_P_ESP, .src = S1, .dst = WANA, .spi = 0x100, .paylen = 40},
	 DROPPED(DROP_UNSOLICITED)},
	{.name = "not for our address", .side = WAN, .in = PGT_UDP(S1, 53, "198.51.100.9", 5000, 10),
	 DROPPED(DROP_WAN_NOT_OURS)},
	{.name = "straight to a LAN host", .side = WAN, .in = PGT_UDP(S1, 53, H10, 5000, 10),
	 DROPPED(DROP_WAN_NOT_OURS)},
	{.name = "source inside the LAN prefix", .side = WAN,
	 .in = PGT_UDP("192.168.1.50", 53, WANA, 5000, 10), DROPPED(DROP_WAN_SPOOFED)},
	{.name = "source is our WAN address", .side = WAN, .in = PGT_UDP(WANA, 53, WANA, 5000, 10),
	 DROPPED(DROP_WAN_SPOOFED)},
	{.name = "nothing was created", .side = WAN, .in = PGT_UDP(S2, 53, WANA, 5000, 10),
	 DROPPED(DROP_UNSOLICITED), .flows1 = 0 + 1},
	END,
};

/* LAN packets that must not leave. */
static const struct pgt_step lan_policy[] = {
	{.name = "source outside the LAN", .side = LAN, .in = PGT_UDP("10.0.0.5", 5000, S1, 53, 10),
	 DROPPED(DROP_LAN_SPOOFED)},
	{.name = "source is the gateway", .side = LAN, .in = PGT_UDP(LANA, 5000, S1, 53, 10),
	 DROPPED(DROP_LAN_SPOOFED)},
	{.name = "source is the network address", .side = LAN,
	 .in = PGT_UDP(PGT_LAN_NET, 5000, S1, 53, 10), DROPPED(DROP_LAN_SPOOFED)},
	{.name = "source is the broadcast address", .side = LAN,
	 .in = PGT_UDP(PGT_LAN_BCAST, 5000, S1, 53, 10), DROPPED(DROP_LAN_SPOOFED)},
	{.name = "source is the WAN address", .side = LAN, .in = PGT_UDP(WANA, 5000, S1, 53, 10),
	 DROPPED(DROP_LAN_SPOOFED)},
	{.name = "to another LAN host", .side = LAN, .in = PGT_UDP(H10, 5000, H11, 53, 10),
	 DROPPED(DROP_LAN_LOCAL)},
	{.name = "TCP without SYN and no flow: reset", .side = LAN,
	 .in = PGT_TCP(H10, 40000, S1, 80, PGT_ACK, 1, 1), RESET(DROP_TCP_NO_FLOW),
	 .cnt = {CNT(TCP_RESET_SENT, 1)}},
	{.name = "SYN-ACK with no flow: reset", .side = LAN,
	 .in = PGT_TCP(H10, 40000, S1, 80, SA, 1, 1), RESET(DROP_TCP_NO_FLOW)},
	{.name = "FIN without ACK, no flow: reset acknowledging it", .side = LAN,
	 .in = PGT_TCP(H10, 40000, S1, 80, PGT_FIN, 7, 0), RESET(DROP_TCP_NO_FLOW)},
	{.name = "RST with no flow: no reset about a reset", .side = LAN,
	 .in = PGT_TCP(H10, 40000, S1, 80, PGT_RST, 1, 0), DROPPED(DROP_TCP_NO_FLOW),
	 .cnt = {CNT(TCP_RESET_SENT, 0)}},
	{.name = "TCP without SYN from the WAN: silence", .side = WAN,
	 .in = PGT_TCP(S1, 80, WANA, 40000, PGT_ACK, 1, 1), DROPPED(DROP_UNSOLICITED),
	 .cnt = {CNT(TCP_RESET_SENT, 0)}},
	{.name = "DCCP: its checksum covers the addresses", .side = LAN,
	 .in = {.proto = 33, .src = H10, .dst = S1, .paylen = 32}, DROPPED(DROP_PROTO)},
	{.name = "UDP-Lite: so does its", .side = LAN,
	 .in = {.proto = 136, .src = H10, .dst = S1, .paylen = 32}, DROPPED(DROP_PROTO)},
	{.name = "AH: its integrity check covers them", .side = LAN,
	 .in = {.proto = 51, .src = H10, .dst = S1, .paylen = 40}, DROPPED(DROP_PROTO)},
	{.name = "echo reply from LAN", .side = LAN, .in = PGT_ECHO(H10, S1, 0, 9, 1, 64),
	 DROPPED(DROP_ICMP_TYPE)},
	{.name = "timestamp request", .side = LAN,
	 .in = {.proto = PGT_P_ICMP, .src = H10, .dst = S1, .icmp_type = 13, .paylen = 12},
	 DROPPED(DROP_ICMP_TYPE)},
	{.name = "nothing was created", .side = LAN, .in = PGT_ECHO(H10, S1, 0, 9, 1, 64),
	 DROPPED(DROP_ICMP_TYPE), .flows1 = 0 + 1},
	END,
};

static const struct pgt_spec quoted_udp = PGT_UDP(S1, 53, H10, 5000, 20);

/* An ICMP error from a LAN host about a flow the gateway never saw. */
static const struct pgt_step lan_icmp_error[] = {
	{.name = "port unreachable from LAN", .side = LAN,
	 .in = {.proto = PGT_P_ICMP, .src = H10, .dst = S1, .icmp_type = 3, .icmp_code = 3,
		.inner = &quoted_udp},
	 DROPPED(DROP_ICMP_ERROR_NO_FLOW)},
	END,
};

/* GRE: plain GRE tracked by address (one LAN host per server), enhanced by key. */
#define GRE1(s, d, cid, sq)                                                                        \
	{                                                                                          \
		.proto = PGT_P_GRE, .src = (s), .dst = (d), .gre_ver = 1, .call_id = (cid),        \
		.gre_seq = true, .gre_seqno = (sq), .paylen = 24                                   \
	}
#define GRE1_TTL(s, d, cid, sq)                                                                    \
	{                                                                                          \
		.proto = PGT_P_GRE, .src = (s), .dst = (d), .gre_ver = 1, .call_id = (cid),        \
		.gre_seq = true, .gre_seqno = (sq), .paylen = 24, .ttl = 63                        \
	}

/*
 * Enhanced GRE no PPTP call announced is keyed by the call id it carries
 * (the server's); nothing comes in on it: the client's id the server's GRE
 * carries was never seen (only a followed call names it), and tracking by
 * address let every key from that server reach the host.
 */
static const struct pgt_step gre_flows[] = {
	{.name = "GRE v1 out", .side = LAN, .in = GRE1(H10, S1, 0x8001, 1), .verdict = TO_WAN,
	 .out = GRE1_TTL(WANA, S1, 0x8001, 1), .cnt = {CNT(FLOW_CREATED, 1)}, .flows1 = 1 + 1},
	{.name = "GRE v1 back: no call announced it", .side = WAN, .in = GRE1(S1, WANA, 0x0080, 1),
	 DROPPED(DROP_UNSOLICITED)},
	{.name = "GRE v1 back with ack", .side = WAN,
	 .in = {.proto = PGT_P_GRE, .src = S1, .dst = WANA, .gre_ver = 1, .call_id = 0x0080,
		.gre_ack = true, .gre_ackno = 1},
	 DROPPED(DROP_UNSOLICITED)},
	{.name = "second host to the same server, its own key", .side = LAN,
	 .in = GRE1(H11, S1, 0x9001, 1), .verdict = TO_WAN, .out = GRE1_TTL(WANA, S1, 0x9001, 1),
	 .cnt = {CNT(FLOW_CREATED, 1)}},
	{.name = "second host with the first one's key", .side = LAN,
	 .in = GRE1(H11, S1, 0x8001, 2), DROPPED(DROP_FLOW_CONFLICT), .cnt = {CNT(FLOW_CREATED, 0)}},
	{.name = "first host again", .t = 5, .side = LAN, .in = GRE1(H10, S1, 0x8001, 2),
	 .verdict = TO_WAN, .out = GRE1_TTL(WANA, S1, 0x8001, 2), .cnt = {CNT(FLOW_CREATED, 0)}},
	{.name = "GRE v0 (plain) out", .t = 5, .side = LAN,
	 .in = {.proto = PGT_P_GRE, .src = H10, .dst = S2, .paylen = 60}, .verdict = TO_WAN,
	 .out = {.proto = PGT_P_GRE, .src = WANA, .dst = S2, .paylen = 60, .ttl = 63},
	 .cnt = {CNT(FLOW_CREATED, 1)}},
	{.name = "GRE v0 again: same flow", .t = 6, .side = LAN,
	 .in = {.proto = PGT_P_GRE, .src = H10, .dst = S2, .paylen = 60}, .verdict = TO_WAN,
	 .out = {.proto = PGT_P_GRE, .src = WANA, .dst = S2, .paylen = 60, .ttl = 63},
	 .cnt = {CNT(FLOW_CREATED, 0)}},
	{.name = "GRE v0 back", .t = 6, .side = WAN,
	 .in = {.proto = PGT_P_GRE, .src = S2, .dst = WANA, .paylen = 60}, .verdict = TO_LAN,
	 .out = {.proto = PGT_P_GRE, .src = S2, .dst = H10, .paylen = 60, .ttl = 63}},
	END,
};

#define ESP(s, d, k, sq)                                                                         \
	{                                                                                          \
		.proto = PGT_P_ESP, .src = (s), .dst = (d), .spi = (k), .esp_seq = (sq),         \
		.paylen = 64                                                                       \
	}
#define ESP_TTL(s, d, k, sq)                                                                     \
	{                                                                                          \
		.proto = PGT_P_ESP, .src = (s), .dst = (d), .spi = (k), .esp_seq = (sq),         \
		.paylen = 64, .ttl = 63                                                            \
	}

/* Raw ESP keyed by SPI: the inbound SPI is learnt, one client at a time per server. */
static const struct pgt_step esp_flows[] = {
	{.name = "ESP out", .side = LAN, .in = ESP(H10, S1, 0xc0010001, 1), .verdict = TO_WAN,
	 .out = ESP_TTL(WANA, S1, 0xc0010001, 1),
	 .cnt = {CNT(FLOW_CREATED, 1), CNT(ESP_SA_OUT, 1)}},
	{.name = "ESP back: SPI learnt", .side = WAN, .in = ESP(S1, WANA, 0x0badf00d, 1),
	 .verdict = TO_LAN, .out = ESP_TTL(S1, H10, 0x0badf00d, 1),
	 .cnt = {CNT(ESP_SPI_LEARNED, 1), CNT(FLOW_CREATED, 0)}},
	{.name = "second host to the same server", .side = LAN, .in = ESP(H11, S1, 0xc0020001, 1),
	 .verdict = TO_WAN, .out = ESP_TTL(WANA, S1, 0xc0020001, 1)},
	{.name = "its answer is learnt for it", .side = WAN, .in = ESP(S1, WANA, 0x0badf00e, 1),
	 .verdict = TO_LAN, .out = ESP_TTL(S1, H11, 0x0badf00e, 1)},
	{.name = "first host keeps working", .t = 1, .side = LAN, .in = ESP(H10, S1, 0xc0010001, 2),
	 .verdict = TO_WAN, .out = ESP_TTL(WANA, S1, 0xc0010001, 2)},
	{.name = "and gets its answers", .t = 1, .side = WAN, .in = ESP(S1, WANA, 0x0badf00d, 2),
	 .verdict = TO_LAN, .out = ESP_TTL(S1, H10, 0x0badf00d, 2)},
	{.name = "rekey: first host's new SPI", .t = 10, .side = LAN,
	 .in = ESP(H10, S1, 0xc0010002, 1), .verdict = TO_WAN,
	 .out = ESP_TTL(WANA, S1, 0xc0010002, 1)},
	{.name = "second host's new SPI waits its turn", .t = 10, .ms = 100, .side = LAN,
	 .in = ESP(H11, S1, 0xc0020002, 1), DROPPED(DROP_ESP_LEARN_WAIT)},
	{.name = "new SPI back goes to the learner", .t = 10, .ms = 200, .side = WAN,
	 .in = ESP(S1, WANA, 0x0badf010, 1), .verdict = TO_LAN,
	 .out = ESP_TTL(S1, H10, 0x0badf010, 1)},
	{.name = "second host's retry passes", .t = 11, .side = LAN,
	 .in = ESP(H11, S1, 0xc0020002, 2), .verdict = TO_WAN,
	 .out = ESP_TTL(WANA, S1, 0xc0020002, 2)},
	{.name = "and its new SPI is learnt", .t = 11, .ms = 100, .side = WAN,
	 .in = ESP(S1, WANA, 0x0badf011, 1), .verdict = TO_LAN,
	 .out = ESP_TTL(S1, H11, 0x0badf011, 1)},
	{.name = "an SPI nobody waits for", .t = 12, .side = WAN, .in = ESP(S1, WANA, 0x01020304, 1),
	 DROPPED(DROP_UNSOLICITED)},
	{.name = "another host cannot ride a known SPI", .t = 12, .side = LAN,
	 .in = ESP(H11, S1, 0xc0010001, 9), DROPPED(DROP_FLOW_CONFLICT)},
	/*
	 * The answers come oldest first: the first host's SA is answered while
	 * the second's would already wait, had it been let in. One client waits
	 * per server, for as long as it keeps sending, so the answer can only be
	 * the first host's (newest-first learning gave it to the second).
	 */
	{.name = "a learner that keeps sending", .t = 20, .side = LAN,
	 .in = ESP(H10, S1, 0xc0010003, 1), .verdict = TO_WAN,
	 .out = ESP_TTL(WANA, S1, 0xc0010003, 1)},
	{.name = "sends again", .t = 23, .side = LAN, .in = ESP(H10, S1, 0xc0010003, 2),
	 .verdict = TO_WAN, .out = ESP_TTL(WANA, S1, 0xc0010003, 2)},
	{.name = "holds its server past 3 s", .t = 24, .side = LAN,
	 .in = ESP(H11, S1, 0xc0020003, 1), DROPPED(DROP_ESP_LEARN_WAIT)},
	{.name = "the older SA's answer goes to its own client", .t = 24, .ms = 10, .side = WAN,
	 .in = ESP(S1, WANA, 0x0badf020, 1), .verdict = TO_LAN,
	 .out = ESP_TTL(S1, H10, 0x0badf020, 1)},
	{.name = "then the second host waits", .t = 25, .side = LAN,
	 .in = ESP(H11, S1, 0xc0020003, 2), .verdict = TO_WAN,
	 .out = ESP_TTL(WANA, S1, 0xc0020003, 2)},
	{.name = "and gets its own answer", .t = 25, .ms = 10, .side = WAN,
	 .in = ESP(S1, WANA, 0x0badf021, 1), .verdict = TO_LAN,
	 .out = ESP_TTL(S1, H11, 0x0badf021, 1)},
	{.name = "the first host keeps its own", .t = 25, .ms = 20, .side = WAN,
	 .in = ESP(S1, WANA, 0x0badf020, 2), .verdict = TO_LAN,
	 .out = ESP_TTL(S1, H10, 0x0badf020, 2)},
	/* A learner silent for 10 s is forgotten when another client asks. */
	{.name = "a learner falls silent", .t = 40, .side = LAN, .in = ESP(H10, S1, 0xc0010004, 1),
	 .verdict = TO_WAN, .out = ESP_TTL(WANA, S1, 0xc0010004, 1)},
	{.name = "9 s later it still holds its server", .t = 49, .side = LAN,
	 .in = ESP(H11, S1, 0xc0020004, 1), DROPPED(DROP_ESP_LEARN_WAIT)},
	{.name = "10 s later its SA is forgotten", .t = 50, .side = LAN,
	 .in = ESP(H11, S1, 0xc0020004, 2), .verdict = TO_WAN,
	 .out = ESP_TTL(WANA, S1, 0xc0020004, 2), .cnt = {CNT(ESP_LEARN_FORGOTTEN, 1)}},
	{.name = "the answer goes to the one waiting", .t = 50, .ms = 10, .side = WAN,
	 .in = ESP(S1, WANA, 0x0badf030, 1), .verdict = TO_LAN,
	 .out = ESP_TTL(S1, H11, 0x0badf030, 1)},
	{.name = "a client's two new SAs wait together", .t = 60, .side = LAN,
	 .in = ESP(H10, S1, 0xc0010005, 1), .verdict = TO_WAN,
	 .out = ESP_TTL(WANA, S1, 0xc0010005, 1)},
	{.name = "the second of them", .t = 60, .ms = 10, .side = LAN,
	 .in = ESP(H10, S1, 0xc0010006, 1), .verdict = TO_WAN,
	 .out = ESP_TTL(WANA, S1, 0xc0010006, 1)},
	{.name = "answers to both reach it", .t = 60, .ms = 20, .side = WAN,
	 .in = ESP(S1, WANA, 0x0badf040, 1), .verdict = TO_LAN,
	 .out = ESP_TTL(S1, H10, 0x0badf040, 1)},
	{.name = "the other answer", .t = 60, .ms = 30, .side = WAN,
	 .in = ESP(S1, WANA, 0x0badf041, 1), .verdict = TO_LAN,
	 .out = ESP_TTL(S1, H10, 0x0badf041, 1)},
	END,
};

static struct pgt_ctx g_ctx;

/*
 * Other protocols pass by address, as Linux masquerade passes them: one LAN
 * host per protocol and remote address at a time, timeouts.other idle.
 */
#define OTHER(p, s, d, tl)                                                                         \
	{                                                                                          \
		.proto = (p), .src = (s), .dst = (d), .paylen = 36, .ttl = (tl)                    \
	}

static void other_short(struct pg_engine_config *cfg)
{
	cfg->timeouts.other = 30;
}

static const struct pgt_step other_protocols[] = {
	{.name = "SCTP out from H10", .side = LAN, .in = OTHER(132, H10, S1, 64), .verdict = TO_WAN,
	 .out = OTHER(132, WANA, S1, 63), .cnt = {CNT(FLOW_CREATED, 1)}},
	{.name = "SCTP back to H10", .side = WAN, .in = OTHER(132, S1, WANA, 64), .verdict = TO_LAN,
	 .out = OTHER(132, S1, H10, 63)},
	{.name = "H11's SCTP to the same server: one host at a time", .side = LAN,
	 .in = OTHER(132, H11, S1, 64), DROPPED(DROP_FLOW_CONFLICT)},
	{.name = "H11's SCTP to another server passes", .side = LAN, .in = OTHER(132, H11, S2, 64),
	 .verdict = TO_WAN, .out = OTHER(132, WANA, S2, 63)},
	{.name = "IPv6-in-IPv4 from H11 to the first server too", .side = LAN,
	 .in = OTHER(41, H11, S1, 64), .verdict = TO_WAN, .out = OTHER(41, WANA, S1, 63)},
	{.name = "a stranger's SCTP is unsolicited", .side = WAN, .in = OTHER(132, S3, WANA, 64),
	 DROPPED(DROP_UNSOLICITED)},
	{.name = "still there after 29 s idle", .t = 29, .side = WAN, .in = OTHER(132, S1, WANA, 64),
	 .verdict = TO_LAN, .out = OTHER(132, S1, H10, 63)},
	{.name = "gone after timeouts.other (30 s)", .t = 59, .side = WAN,
	 .in = OTHER(132, S1, WANA, 64), DROPPED(DROP_UNSOLICITED)},
	{.name = "so H11 may take the server now", .t = 59, .side = LAN,
	 .in = OTHER(132, H11, S1, 64), .verdict = TO_WAN, .out = OTHER(132, WANA, S1, 63)},
	END,
};

static const struct pgt_scenario scenarios[] = {
	{"tcp: handshake, data, FIN both ways", NULL, tcp_session},
	{"tcp: server closes first", NULL, tcp_server_closes},
	{"udp: zero and bad checksums", NULL, udp_checksums},
	{"udp: translated checksum 0 sent as 0xffff", NULL, udp_zero_sum},
	{"gateway: pings answered", NULL, ping_gateway},
	{"gateway: all-zero ping answered with checksum 0xffff", NULL, zero_echo_gateway},
	{"icmp: all-zero reply translated with checksum 0xffff", NULL, zero_echo},
	{"gateway: other traffic handed up", NULL, to_gateway},
	{"ttl: time exceeded sent back", NULL, ttl_expiry},
	{"ttl: errors rate limited", small_error_budget, ttl_rate_limit},
	{"inbound: unsolicited and misdirected dropped", NULL, unsolicited},
	{"outbound: policy drops", NULL, lan_policy},
	{"outbound: ICMP error about no flow dropped", NULL, lan_icmp_error},
	{"gre: plain by address, enhanced by key", NULL, gre_flows},
	{"esp: SPIs learnt, many hosts to one server", NULL, esp_flows},
	{"other protocols: by address, one LAN host per server", other_short, other_protocols},
};

/* TTL 1 with no room to grow: the quote is cut so the error fits cap. */
static void test_ttl_error_fits_cap(void **state)
{
	struct pgt_ctx *ctxp = &g_ctx;
	struct pgt_pkt *p = test_malloc(sizeof(*p));
	const struct pgt_spec in = PGT_UDP_TTL(H10, 5000, S1, 53, 72, 1);
	char err[512];

	(void)state;
	assert_int_equal(pgt_ctx_init(ctxp, NULL), 0);
	memset(p, 0, sizeof(*p));
	p->len = pgt_build(&in, NULL, p->buf, PGT_BUF, NULL);
	p->cap = p->len; /* exactly the packet, nothing to spare */
	p->side = PG_SIDE_LAN;
	if (pgt_run(ctxp->e, p, 1, PGT_T0_MS, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(p->verdict, PG_VERDICT_TO_LAN);
	assert_true(p->len <= 100);
	assert_true(p->len >= 28 + 28);
	if (!pgt_check(p->buf, p->len, err, sizeof(err)))
		fail_msg("error packet: %s", err);
	assert_int_equal(p->buf[20], 11);
	pgt_ctx_fini(ctxp);
	test_free(p);
}

/* A batch mixing directions: every packet gets its own verdict. */
static void test_batch(void **state)
{
	const struct pgt_spec first = PGT_UDP(H10, 5000, S1, 53, 10);
	const struct pgt_spec specs[] = {
		PGT_UDP(H10, 5000, S2, 53, 10),	     PGT_UDP(S1, 53, WANA, 5000, 10),
		PGT_UDP(S1, 53, WANA, 6000, 10),     PGT_ECHO(H10, LANA, 8, 1, 1, 64),
		PGT_UDP_TTL(H11, 7, S1, 53, 10, 1), PGT_UDP(H10, 5001, LANA, 53, 1),
	};
	const uint8_t sides[] = {LAN, WAN, WAN, LAN, LAN, LAN};
	const uint8_t want[] = {TO_WAN, TO_LAN, DROP, TO_LAN, TO_LAN, TO_GW};
	struct pgt_pkt *p = test_calloc(PGT_ARRAY_SIZE(specs), sizeof(*p));
	struct pgt_ctx *ctxp = &g_ctx;
	char err[512];
	size_t i;

	(void)state;
	assert_int_equal(pgt_ctx_init(ctxp, NULL), 0);
	/* A flow first, so the batch holds a reply that needs no same-batch state. */
	p[0].len = pgt_build(&first, NULL, p[0].buf, PGT_BUF, NULL);
	p[0].side = LAN;
	if (pgt_run(ctxp->e, p, 1, PGT_T0_MS, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(p[0].verdict, TO_WAN);
	for (i = 0; i < PGT_ARRAY_SIZE(specs); i++) {
		p[i].len = pgt_build(&specs[i], NULL, p[i].buf, PGT_BUF, NULL);
		p[i].side = sides[i];
	}
	if (pgt_run(ctxp->e, p, PGT_ARRAY_SIZE(specs), PGT_T0_MS + 10, err, sizeof(err)))
		fail_msg("%s", err);
	for (i = 0; i < PGT_ARRAY_SIZE(specs); i++) {
		if (p[i].verdict != want[i])
			fail_msg("packet %zu: verdict %s (%s), want %s", i,
				 pgt_verdict_name(p[i].verdict), pgt_counter(p[i].drop_reason),
				 pgt_verdict_name(want[i]));
		if ((p[i].verdict == TO_WAN || p[i].verdict == TO_LAN) &&
		    !pgt_check(p[i].buf, p[i].len, err, sizeof(err)))
			fail_msg("packet %zu: %s", i, err);
	}
	assert_int_equal(p[2].drop_reason, PG_CNT_DROP_UNSOLICITED);
	assert_int_equal(pgt_ip_dst(p[1].buf), pgt_addr(H10));
	pgt_ctx_fini(ctxp);
	test_free(p);
}

/* The C tests' engine, torn down by cmocka even when a test fails. */
static int ctx_teardown(void **state)
{
	(void)state;
	pgt_ctx_fini(&g_ctx);
	return 0;
}

int main(void)
{
	struct CMUnitTest t[PGT_ARRAY_SIZE(scenarios) + 2];
	size_t k = pgt_cm_add(t, scenarios, PGT_ARRAY_SIZE(scenarios));

	t[k++] = (struct CMUnitTest)cmocka_unit_test_teardown(test_ttl_error_fits_cap, ctx_teardown);
	t[k++] = (struct CMUnitTest)cmocka_unit_test_teardown(test_batch, ctx_teardown);
	return _cmocka_run_group_tests("packets", t, k, NULL, NULL);
}
