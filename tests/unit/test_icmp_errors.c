/* SPDX-License-Identifier: MIT */
/*
 * test_icmp_errors.c - ICMP errors about translated flows (RFC 5508): from
 * the WAN about TCP, UDP, echo, ESP and GRE flows, from the LAN about
 * delivered packets of every kind of flow (TCP, UDP, echo, ESP, GRE),
 * hairpinned errors, short and long quotes, errors about nothing we know,
 * bad ICMP and quoted IP checksums, errors that must not refresh a flow,
 * refused flows answered (inbound: port or protocol unreachable; outbound
 * with refused_outbound: administratively prohibited), and never an error
 * about an error.
 *
 * Expected packets are built from scratch, quoted packet included, so equal
 * bytes prove every checksum the translation touched: outer IP, quoted IP,
 * quoted transport (when quoted) and ICMP.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../lib/rows.h"

#define R1 "203.0.113.254" /* a router on the path */
#define ERR(s, d, ty, co, rest, q, ql, tl)                                                         \
	{                                                                                          \
		.proto = PGT_P_ICMP, .src = (s), .dst = (d), .icmp_type = (ty), .icmp_code = (co), \
		.icmp_rest = (rest), .inner = (q), .inner_quote = (ql), .ttl = (tl)                \
	}
#define XLATED(c) .cnt = {CNT(ICMP_ERR_TRANSLATED, c), CNT(FLOW_CREATED, 0)}

/* What we sent to the WAN (TTL already decremented), and what the LAN host sent. */
static const struct pgt_spec tcp_sent = {.proto = PGT_P_TCP, .src = WANA, .sport = 40000,
					 .dst = S1, .dport = 80, .tcp_flags = PGT_SYN, .seq = 7,
					 .ttl = 63, .paylen = 0};
static const struct pgt_spec tcp_orig = {.proto = PGT_P_TCP, .src = H10, .sport = 40000,
					 .dst = S1, .dport = 80, .tcp_flags = PGT_SYN, .seq = 7,
					 .ttl = 63, .paylen = 0};
static const struct pgt_spec udp_sent = {.proto = PGT_P_UDP, .src = WANA, .sport = V(0),
					 .dst = S1, .dport = 53, .ttl = 63, .paylen = 12};
static const struct pgt_spec udp_orig = {.proto = PGT_P_UDP, .src = H11, .sport = 5000,
					 .dst = S1, .dport = 53, .ttl = 63, .paylen = 12};
static const struct pgt_spec echo_sent = {.proto = PGT_P_ICMP, .src = WANA, .dst = S1,
					  .icmp_type = 8, .icmp_id = V(1), .icmp_seq = 3,
					  .ttl = 63, .paylen = 16};
static const struct pgt_spec echo_orig = {.proto = PGT_P_ICMP, .src = H11, .dst = S1,
					  .icmp_type = 8, .icmp_id = 77, .icmp_seq = 3,
					  .ttl = 63, .paylen = 16};
static const struct pgt_spec esp_sent = {.proto = PGT_P_ESP, .src = WANA, .dst = S1,
					 .spi = 0xc0de0001, .esp_seq = 5, .ttl = 63, .paylen = 32};
static const struct pgt_spec esp_orig = {.proto = PGT_P_ESP, .src = H10, .dst = S1,
					 .spi = 0xc0de0001, .esp_seq = 5, .ttl = 63, .paylen = 32};
/* What we delivered to the LAN, and what the server had sent. */
static const struct pgt_spec udp_delivered = {.proto = PGT_P_UDP, .src = S1, .sport = 53,
					      .dst = H11, .dport = 5000, .ttl = 63,
					      .paylen = 12};
static const struct pgt_spec udp_replied = {.proto = PGT_P_UDP, .src = S1, .sport = 53,
					    .dst = WANA, .dport = V(0), .ttl = 63, .paylen = 12};
static const struct pgt_spec udp_sent_kept = {.proto = PGT_P_UDP, .src = WANA, .sport = 5000,
					      .dst = S1, .dport = 53, .ttl = 63, .paylen = 12};
static const struct pgt_spec udp_sent_kept_reply = {.proto = PGT_P_UDP, .src = S1, .sport = 53,
						    .dst = WANA, .dport = 5000, .ttl = 63,
						    .paylen = 12};
static const struct pgt_spec stranger = {.proto = PGT_P_UDP, .src = WANA, .sport = 1234,
					 .dst = S1, .dport = 53, .ttl = 63, .paylen = 12};

static const struct pgt_step errors_from_wan[] = {
	{.name = "TCP SYN out", .side = LAN,
	 .in = PGT_TCP(H10, 40000, S1, 80, PGT_SYN, 7, 0), .verdict = TO_WAN,
	 .out = PGT_TCP_TTL(WANA, 40000, S1, 80, PGT_SYN, 7, 0, 63)},
	{.name = "frag needed for it, whole quote", .side = WAN,
	 .in = ERR(R1, WANA, 3, 4, 1400, &tcp_sent, 0, 64), .verdict = TO_LAN,
	 .out = ERR(R1, H10, 3, 4, 1400, &tcp_orig, 0, 63), XLATED(1)},
	{.name = "frag needed, 8-byte quote (no TCP checksum in it)", .side = WAN,
	 .in = ERR(R1, WANA, 3, 4, 1400, &tcp_sent, 28, 64), .verdict = TO_LAN,
	 .out = ERR(R1, H10, 3, 4, 1400, &tcp_orig, 28, 63), XLATED(1)},
	/* H10 takes port 5000 first, so H11's is remapped: V(0). */
	{.name = "UDP out from H10", .side = LAN, .in = PGT_UDP(H10, 5000, S1, 53, 12),
	 .verdict = TO_WAN, .out = PGT_UDP_TTL(WANA, 5000, S1, 53, 12, 63)},
	{.name = "UDP out from H11", .side = LAN, .in = PGT_UDP(H11, 5000, S1, 53, 12),
	 .verdict = TO_WAN, .out = PGT_UDP_TTL(WANA, V(0), S1, 53, 12, 63)},
	{.name = "port unreachable reaches H11 with its own port", .side = WAN,
	 .in = ERR(S1, WANA, 3, 3, 0, &udp_sent, 0, 64), .verdict = TO_LAN,
	 .out = ERR(S1, H11, 3, 3, 0, &udp_orig, 0, 63), XLATED(1)},
	{.name = "ping out from H10, id 77", .side = LAN, .in = PGT_ECHO(H10, S1, 8, 77, 3, 64),
	 .verdict = TO_WAN, .out = PGT_ECHO(WANA, S1, 8, 77, 3, 63)},
	{.name = "ping out from H11, same id", .side = LAN, .in = PGT_ECHO(H11, S1, 8, 77, 3, 64),
	 .verdict = TO_WAN, .out = PGT_ECHO(WANA, S1, 8, V(1), 3, 63)},
	{.name = "time exceeded for H11's ping", .side = WAN,
	 .in = ERR(R1, WANA, 11, 0, 0, &echo_sent, 0, 64), .verdict = TO_LAN,
	 .out = ERR(R1, H11, 11, 0, 0, &echo_orig, 0, 63), XLATED(1)},
	{.name = "ESP out", .side = LAN,
	 .in = {.proto = PGT_P_ESP, .src = H10, .dst = S1, .spi = 0xc0de0001, .esp_seq = 5,
		.paylen = 32},
	 .verdict = TO_WAN, .out = esp_sent},
	{.name = "frag needed for ESP", .side = WAN,
	 .in = ERR(R1, WANA, 3, 4, 1300, &esp_sent, 0, 64), .verdict = TO_LAN,
	 .out = ERR(R1, H10, 3, 4, 1300, &esp_orig, 0, 63), XLATED(1)},
	{.name = "error about a flow we never had", .side = WAN,
	 .in = ERR(R1, WANA, 3, 3, 0, &stranger, 0, 64), DROPPED(DROP_ICMP_ERROR_NO_FLOW)},
	{.name = "error with TTL 1 is not answered", .side = WAN,
	 .in = ERR(R1, WANA, 3, 4, 1400, &tcp_sent, 0, 1), DROPPED(DROP_TTL_EXCEEDED),
	 .cnt = {CNT(ICMP_ERR_SENT, 0)}},
	END,
};

static const struct pgt_step errors_from_lan[] = {
	{.name = "UDP out from H10", .side = LAN, .in = PGT_UDP(H10, 5000, S1, 53, 12),
	 .verdict = TO_WAN, .out = PGT_UDP_TTL(WANA, 5000, S1, 53, 12, 63)},
	{.name = "UDP out from H11", .side = LAN, .in = PGT_UDP(H11, 5000, S1, 53, 12),
	 .verdict = TO_WAN, .out = PGT_UDP_TTL(WANA, V(0), S1, 53, 12, 63)},
	{.name = "reply delivered to H11", .side = WAN, .in = PGT_UDP(S1, 53, WANA, V(0), 12),
	 .verdict = TO_LAN, .out = PGT_UDP_TTL(S1, 53, H11, 5000, 12, 63)},
	{.name = "H11's port unreachable goes out translated", .side = LAN,
	 .in = ERR(H11, S1, 3, 3, 0, &udp_delivered, 0, 64), .verdict = TO_WAN,
	 .out = ERR(WANA, S1, 3, 3, 0, &udp_replied, 0, 63), XLATED(1)},
	{.name = "H10 may not report on H11's flow", .side = LAN,
	 .in = ERR(H10, S1, 3, 3, 0, &udp_delivered, 0, 64), DROPPED(DROP_ICMP_ERROR_NO_FLOW)},
	END,
};

/* RFC 5508 section 3.2: an error must not keep a mapping alive. */
static const struct pgt_step errors_do_not_refresh[] = {
	{.name = "UDP out", .side = LAN, .in = PGT_UDP(H11, 5000, S1, 53, 12), .verdict = TO_WAN,
	 .out = PGT_UDP_TTL(WANA, 5000, S1, 53, 12, 63)},
	{.name = "error at 299 s", .t = 299, .side = WAN,
	 .in = ERR(S1, WANA, 3, 3, 0, &udp_sent_kept, 0, 64), .verdict = TO_LAN,
	 .out = ERR(S1, H11, 3, 3, 0, &udp_orig, 0, 63)},
	{.name = "flow gone at 300 s all the same", .t = 300, .side = WAN,
	 .in = PGT_UDP(S1, 53, WANA, 5000, 12), DROPPED(DROP_UNSOLICITED)},
	END,
};

static void refuse_unreachable(struct pg_engine_config *cfg)
{
	cfg->refuse = PG_REFUSE_PORT_UNREACHABLE;
}

static void refuse_prohibited(struct pg_engine_config *cfg)
{
	cfg->refuse = PG_REFUSE_ADMIN_PROHIBITED;
}

static const struct pgt_spec probe = {.proto = PGT_P_UDP, .src = S1, .sport = 4444,
				      .dst = WANA, .dport = 9999, .paylen = 10};

static const struct pgt_step refused_unreachable[] = {
	{.name = "unsolicited UDP gets port unreachable", .side = WAN, .in = probe,
	 .verdict = TO_WAN, .drop = PG_CNT_DROP_UNSOLICITED,
	 .out = ERR(WANA, S1, 3, 3, 0, &probe, 0, 64), .cnt = {CNT(ICMP_ERR_SENT, 1)}},
	{.name = "unsolicited SYN gets nothing", .side = WAN,
	 .in = PGT_TCP(S1, 4444, WANA, 22, PGT_SYN, 1, 0), DROPPED(DROP_UNSOLICITED),
	 .cnt = {CNT(ICMP_ERR_SENT, 0)}},
	END,
};

static const struct pgt_step refused_prohibited[] = {
	{.name = "unsolicited UDP gets administratively prohibited", .side = WAN, .in = probe,
	 .verdict = TO_WAN, .drop = PG_CNT_DROP_UNSOLICITED,
	 .out = ERR(WANA, S1, 3, 13, 0, &probe, 0, 64)},
	END,
};

static const struct pgt_step refused_silent[] = {
	{.name = "by default nothing is sent", .side = WAN, .in = probe, DROPPED(DROP_UNSOLICITED),
	 .cnt = {CNT(ICMP_ERR_SENT, 0)}},
	END,
};

/* RFC 5508 REQ-5: a LAN host's errors about every kind of flow it was sent. */
static const struct pgt_spec echo_reply_delivered = {.proto = PGT_P_ICMP, .src = S1, .dst = H11,
						     .icmp_type = 0, .icmp_id = 77, .icmp_seq = 3,
						     .ttl = 63, .paylen = 16};
static const struct pgt_spec echo_reply_sent = {.proto = PGT_P_ICMP, .src = S1, .dst = WANA,
						.icmp_type = 0, .icmp_id = V(1), .icmp_seq = 3,
						.ttl = 63, .paylen = 16};
static const struct pgt_spec esp_delivered = {.proto = PGT_P_ESP, .src = S1, .dst = H10,
					      .spi = 0xbeef0002, .esp_seq = 1, .ttl = 63,
					      .paylen = 32};
static const struct pgt_spec esp_received = {.proto = PGT_P_ESP, .src = S1, .dst = WANA,
					     .spi = 0xbeef0002, .esp_seq = 1, .ttl = 63,
					     .paylen = 32};
static const struct pgt_spec gre_delivered = {.proto = PGT_P_GRE, .src = S2, .dst = H10,
					      .ttl = 63, .paylen = 40};
static const struct pgt_spec gre_received = {.proto = PGT_P_GRE, .src = S2, .dst = WANA,
					     .ttl = 63, .paylen = 40};
static const struct pgt_spec udp_delivered_bad_ip = {.proto = PGT_P_UDP, .src = S1, .sport = 53,
						     .dst = H11, .dport = 5000, .ttl = 63,
						     .paylen = 12, .csum = PGT_CSUM_IP_BAD};

static const struct pgt_step errors_from_lan_all[] = {
	{.name = "ping out from H10, id 77", .side = LAN, .in = PGT_ECHO(H10, S1, 8, 77, 3, 64),
	 .verdict = TO_WAN, .out = PGT_ECHO(WANA, S1, 8, 77, 3, 63)},
	{.name = "ping out from H11, same id", .side = LAN, .in = PGT_ECHO(H11, S1, 8, 77, 3, 64),
	 .verdict = TO_WAN, .out = PGT_ECHO(WANA, S1, 8, V(1), 3, 63)},
	{.name = "echo reply delivered to H11 with its own id", .side = WAN,
	 .in = PGT_ECHO(S1, WANA, 0, V(1), 3, 64), .verdict = TO_LAN,
	 .out = PGT_ECHO(S1, H11, 0, 77, 3, 63)},
	{.name = "H11's error about the echo reply: the public id in the quote", .side = LAN,
	 .in = ERR(H11, S1, 12, 0, 0, &echo_reply_delivered, 0, 64), .verdict = TO_WAN,
	 .out = ERR(WANA, S1, 12, 0, 0, &echo_reply_sent, 0, 63), XLATED(1)},
	{.name = "ESP out from H10", .side = LAN,
	 .in = {.proto = PGT_P_ESP, .src = H10, .dst = S1, .spi = 0xc0de0001, .esp_seq = 5,
		.paylen = 32},
	 .verdict = TO_WAN, .out = esp_sent},
	{.name = "the server's ESP is learnt and delivered", .side = WAN,
	 .in = {.proto = PGT_P_ESP, .src = S1, .dst = WANA, .spi = 0xbeef0002, .esp_seq = 1,
		.paylen = 32},
	 .verdict = TO_LAN, .out = esp_delivered},
	{.name = "H10's error about the ESP it got", .side = LAN,
	 .in = ERR(H10, S1, 3, 2, 0, &esp_delivered, 0, 64), .verdict = TO_WAN,
	 .out = ERR(WANA, S1, 3, 2, 0, &esp_received, 0, 63), XLATED(1)},
	{.name = "H11 may not report on H10's ESP", .side = LAN,
	 .in = ERR(H11, S1, 3, 2, 0, &esp_delivered, 0, 64), DROPPED(DROP_ICMP_ERROR_NO_FLOW)},
	{.name = "plain GRE out from H10", .side = LAN,
	 .in = {.proto = PGT_P_GRE, .src = H10, .dst = S2, .paylen = 40}, .verdict = TO_WAN,
	 .out = {.proto = PGT_P_GRE, .src = WANA, .dst = S2, .paylen = 40, .ttl = 63}},
	{.name = "GRE back to H10", .side = WAN,
	 .in = {.proto = PGT_P_GRE, .src = S2, .dst = WANA, .paylen = 40}, .verdict = TO_LAN,
	 .out = gre_delivered},
	{.name = "H10's error about the GRE it got", .side = LAN,
	 .in = ERR(H10, S2, 3, 2, 0, &gre_delivered, 0, 64), .verdict = TO_WAN,
	 .out = ERR(WANA, S2, 3, 2, 0, &gre_received, 0, 63), XLATED(1)},
	END,
};

/* RFC 5508 REQ-3: errors whose checksums do not hold are dropped and counted. */
static const struct pgt_spec err_bad_icmp_wan = {
	.proto = PGT_P_ICMP, .src = S1, .dst = WANA, .icmp_type = 3, .icmp_code = 3,
	.inner = &udp_sent_kept, .csum = PGT_CSUM_L4_BAD};
static const struct pgt_spec err_bad_icmp_lan = {
	.proto = PGT_P_ICMP, .src = H11, .dst = S1, .icmp_type = 3, .icmp_code = 3,
	.inner = &udp_delivered, .csum = PGT_CSUM_L4_BAD};

static const struct pgt_step errors_bad_checksums[] = {
	{.name = "UDP out from H11", .side = LAN, .in = PGT_UDP(H11, 5000, S1, 53, 12),
	 .verdict = TO_WAN, .out = PGT_UDP_TTL(WANA, 5000, S1, 53, 12, 63)},
	{.name = "reply delivered", .side = WAN, .in = PGT_UDP(S1, 53, WANA, 5000, 12),
	 .verdict = TO_LAN, .out = PGT_UDP_TTL(S1, 53, H11, 5000, 12, 63)},
	{.name = "from the WAN, bad ICMP checksum", .side = WAN, .in = err_bad_icmp_wan,
	 DROPPED(DROP_ICMP_CHECKSUM)},
	{.name = "from the LAN, bad ICMP checksum", .side = LAN, .in = err_bad_icmp_lan,
	 DROPPED(DROP_ICMP_CHECKSUM)},
	{.name = "from the LAN, quoted IP header checksum bad", .side = LAN,
	 .in = ERR(H11, S1, 3, 3, 0, &udp_delivered_bad_ip, 0, 64),
	 DROPPED(DROP_ICMP_QUOTE_CHECKSUM)},
	{.name = "the same error whole goes out", .side = LAN,
	 .in = ERR(H11, S1, 3, 3, 0, &udp_delivered, 0, 64), .verdict = TO_WAN,
	 .out = ERR(WANA, S1, 3, 3, 0, &udp_sent_kept_reply, 0, 63), XLATED(1)},
	END,
};

/* RFC 5508 REQ-7: errors about hairpinned packets reach the other LAN host. */
static void eif(struct pg_engine_config *cfg)
{
	cfg->filtering = PG_FILTER_ENDPOINT_INDEPENDENT;
}

static const struct pgt_spec hp_to_h10 = {.proto = PGT_P_UDP, .src = WANA, .sport = 6000,
					  .dst = H10, .dport = 5000, .ttl = 63, .paylen = 20};
static const struct pgt_spec hp_h11_sent = {.proto = PGT_P_UDP, .src = H11, .sport = 6000,
					    .dst = WANA, .dport = 5000, .ttl = 63, .paylen = 20};
static const struct pgt_spec hp_to_h11 = {.proto = PGT_P_UDP, .src = WANA, .sport = 5000,
					  .dst = H11, .dport = 6000, .ttl = 63, .paylen = 20};
static const struct pgt_spec hp_h10_sent = {.proto = PGT_P_UDP, .src = H10, .sport = 5000,
					    .dst = WANA, .dport = 6000, .ttl = 63, .paylen = 20};

static const struct pgt_step errors_hairpin[] = {
	{.name = "H10 talks out from 5000", .side = LAN, .in = PGT_UDP(H10, 5000, S1, 3478, 20),
	 .verdict = TO_WAN, .out = PGT_UDP_TTL(WANA, 5000, S1, 3478, 20, 63)},
	{.name = "H11 reaches H10 through its public mapping", .side = LAN,
	 .in = PGT_UDP(H11, 6000, WANA, 5000, 20), .verdict = TO_LAN, .out = hp_to_h10},
	{.name = "H10's port unreachable reaches H11 as about what H11 sent", .side = LAN,
	 .in = ERR(H10, WANA, 3, 3, 0, &hp_to_h10, 0, 64), .verdict = TO_LAN,
	 .out = ERR(WANA, H11, 3, 3, 0, &hp_h11_sent, 0, 63), XLATED(1)},
	{.name = "H10 answers H11's public mapping", .side = LAN,
	 .in = PGT_UDP(H10, 5000, WANA, 6000, 20), .verdict = TO_LAN, .out = hp_to_h11},
	{.name = "H11's error about the answer reaches H10", .side = LAN,
	 .in = ERR(H11, WANA, 3, 3, 0, &hp_to_h11, 0, 64), .verdict = TO_LAN,
	 .out = ERR(WANA, H10, 3, 3, 0, &hp_h10_sent, 0, 63), XLATED(1)},
	{.name = "H12 may not report on their flow", .side = LAN,
	 .in = ERR(H12, WANA, 3, 3, 0, &hp_to_h11, 0, 64), DROPPED(DROP_ICMP_ERROR_NO_FLOW)},
	END,
};

/* RFC 5508 REQ-8: a new flow the gateway refuses, answered when configured. */
static void refuse_outbound(struct pg_engine_config *cfg)
{
	cfg->refuse_outbound = true;
	cfg->ipsec_passthrough = false;
	cfg->max_flows_per_host = 1;
}

static const struct pgt_spec esp_refused = {.proto = PGT_P_ESP, .src = H10, .dst = S1,
					    .spi = 0xc0de0001, .esp_seq = 5, .paylen = 32};
static const struct pgt_spec udp_second = {.proto = PGT_P_UDP, .src = H11, .sport = 5001,
					   .dst = S1, .dport = 53, .paylen = 12};
static const struct pgt_spec err_orig = {.proto = PGT_P_ICMP, .src = H11, .dst = S1,
					 .icmp_type = 3, .icmp_code = 3, .inner = &udp_delivered,
					 .ttl = 1};

static const struct pgt_step refused_outbound[] = {
	{.name = "ESP with IPsec passthrough off: prohibited", .side = LAN, .in = esp_refused,
	 .verdict = TO_LAN, .drop = PG_CNT_DROP_PASSTHROUGH_OFF,
	 .out = ERR(LANA, H10, 3, 13, 0, &esp_refused, 0, 64), .cnt = {CNT(ICMP_ERR_SENT, 1)}},
	{.name = "H11's first flow", .side = LAN, .in = PGT_UDP(H11, 5000, S1, 53, 12),
	 .verdict = TO_WAN, .out = PGT_UDP_TTL(WANA, 5000, S1, 53, 12, 63)},
	{.name = "its second, over the host limit: prohibited", .side = LAN, .in = udp_second,
	 .verdict = TO_LAN, .drop = PG_CNT_DROP_HOST_LIMIT,
	 .out = {.proto = PGT_P_ICMP, .src = LANA, .dst = H11, .icmp_type = 3, .icmp_code = 13,
		 .inner = &udp_second, .ttl = 64, .ip_id = 1 /* the gateway's second error */}},
	{.name = "an ICMP error dying of TTL gets no error about it", .side = LAN, .in = err_orig,
	 DROPPED(DROP_TTL_EXCEEDED), .cnt = {CNT(ICMP_ERR_SENT, 0)}},
	END,
};

static void ipsec_off(struct pg_engine_config *cfg)
{
	cfg->ipsec_passthrough = false;
}

static const struct pgt_step refused_outbound_off[] = {
	{.name = "by default a refused flow gets no answer", .side = LAN, .in = esp_refused,
	 DROPPED(DROP_PASSTHROUGH_OFF), .cnt = {CNT(ICMP_ERR_SENT, 0)}},
	END,
};

static const struct pgt_spec gre_probe = {.proto = PGT_P_GRE, .src = S1, .dst = WANA,
					  .paylen = 40};

static const struct pgt_step refused_unreachable_gre[] = {
	{.name = "unsolicited GRE gets protocol unreachable", .side = WAN, .in = gre_probe,
	 .verdict = TO_WAN, .drop = PG_CNT_DROP_UNSOLICITED,
	 .out = ERR(WANA, S1, 3, 2, 0, &gre_probe, 0, 64), .cnt = {CNT(ICMP_ERR_SENT, 1)}},
	END,
};

static const struct pgt_scenario scenarios[] = {
	{"refused: port unreachable, never for TCP", refuse_unreachable, refused_unreachable},
	{"refused: administratively prohibited", refuse_prohibited, refused_prohibited},
	{"refused: silent by default", NULL, refused_silent},
	{"errors from the WAN about TCP, UDP, echo, ESP", NULL, errors_from_wan},
	{"errors from the LAN about delivered packets", NULL, errors_from_lan},
	{"errors do not refresh flows", NULL, errors_do_not_refresh},
	{"errors from the LAN about echo, ESP and GRE flows", NULL, errors_from_lan_all},
	{"errors with bad ICMP or quoted IP checksums", NULL, errors_bad_checksums},
	{"errors about hairpinned packets", eif, errors_hairpin},
	{"refused outbound flows: administratively prohibited", refuse_outbound, refused_outbound},
	{"refused outbound flows: silent by default", ipsec_off, refused_outbound_off},
	{"refused inbound GRE: protocol unreachable", refuse_unreachable, refused_unreachable_gre},
};

PGT_MAIN("icmp_errors", scenarios)
