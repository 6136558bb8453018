/* SPDX-License-Identifier: MIT */
/*
 * test_flow.c - flow lifetimes and the flow table: timeouts to the second
 * (idle for exactly the timeout means gone; one second less means alive),
 * refresh in both directions, the TCP state machine's choice of timeout,
 * simultaneous open, RST, per-host limits and the table-full policy.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../lib/rows.h"


/* Rows for one TCP segment each way: H10:40000 <-> S1:80. */
#define OUT_SEG(tt, fl, sq, ak)                                                                    \
	.t = (tt), .side = LAN, .in = PGT_TCP(H10, 40000, S1, 80, fl, sq, ak), .verdict = TO_WAN,  \
	.out = TCP_OUT(WANA, 40000, S1, 80, fl, sq, ak)
#define IN_SEG(tt, fl, sq, ak)                                                                     \
	.t = (tt), .side = WAN, .in = PGT_TCP(S1, 80, WANA, 40000, fl, sq, ak), .verdict = TO_LAN, \
	.out = TCP_OUT(S1, 80, H10, 40000, fl, sq, ak)
#define HANDSHAKE(tt)                                                                              \
	{.name = "SYN", OUT_SEG(tt, SYN, 100, 0)},                                                 \
	    {.name = "SYN-ACK", IN_SEG(tt, SA, 500, 101)},                                         \
	{                                                                                          \
		.name = "ACK", OUT_SEG(tt, ACK, 101, 501)                                          \
	}

/* UDP: 300 s. */
static const struct pgt_step udp_alive_at_299[] = {
	{.name = "out", .side = LAN, .in = PGT_UDP(H10, 5000, S1, 53, 10), .verdict = TO_WAN,
	 .out = UDP_OUT(WANA, 5000, S1, 53, 10)},
	{.name = "reply after 299 s", .t = 299, .side = WAN, .in = PGT_UDP(S1, 53, WANA, 5000, 10),
	 .verdict = TO_LAN, .out = UDP_OUT(S1, 53, H10, 5000, 10)},
	{.name = "inbound refreshed: reply 299 s later", .t = 598, .side = WAN,
	 .in = PGT_UDP(S1, 53, WANA, 5000, 10), .verdict = TO_LAN,
	 .out = UDP_OUT(S1, 53, H10, 5000, 10)},
	{.name = "out 299 s later", .t = 897, .side = LAN, .in = PGT_UDP(H10, 5000, S1, 53, 10),
	 .verdict = TO_WAN, .out = UDP_OUT(WANA, 5000, S1, 53, 10), .cnt = {CNT(FLOW_CREATED, 0)}},
	END,
};

static const struct pgt_step udp_gone_at_300[] = {
	{.name = "out", .side = LAN, .in = PGT_UDP(H10, 5000, S1, 53, 10), .verdict = TO_WAN,
	 .out = UDP_OUT(WANA, 5000, S1, 53, 10)},
	{.name = "reply after exactly 300 s", .t = 300, .side = WAN,
	 .in = PGT_UDP(S1, 53, WANA, 5000, 10), DROPPED(DROP_UNSOLICITED)},
	{.name = "out again is a new flow", .t = 300, .side = LAN,
	 .in = PGT_UDP(H10, 5000, S1, 53, 10),
	 .verdict = TO_WAN, .out = UDP_OUT(WANA, 5000, S1, 53, 10), .cnt = {CNT(FLOW_CREATED, 1)}},
	END,
};

static const struct pgt_step udp_gone_after_inbound_refresh[] = {
	{.name = "out", .side = LAN, .in = PGT_UDP(H10, 5000, S1, 53, 10), .verdict = TO_WAN,
	 .out = UDP_OUT(WANA, 5000, S1, 53, 10)},
	{.name = "reply at 200", .t = 200, .side = WAN, .in = PGT_UDP(S1, 53, WANA, 5000, 10),
	 .verdict = TO_LAN, .out = UDP_OUT(S1, 53, H10, 5000, 10)},
	{.name = "reply at 499", .t = 499, .side = WAN, .in = PGT_UDP(S1, 53, WANA, 5000, 10),
	 .verdict = TO_LAN, .out = UDP_OUT(S1, 53, H10, 5000, 10)},
	{.name = "reply at 799 is too late", .t = 799, .side = WAN,
	 .in = PGT_UDP(S1, 53, WANA, 5000, 10), DROPPED(DROP_UNSOLICITED)},
	END,
};

/* ICMP echo: 60 s. */
static const struct pgt_step icmp_alive_at_59[] = {
	{.name = "echo", .side = LAN, .in = PGT_ECHO(H10, S1, 8, 77, 1, 64), .verdict = TO_WAN,
	 .out = PGT_ECHO(WANA, S1, 8, 77, 1, 63)},
	{.name = "reply after 59 s", .t = 59, .side = WAN, .in = PGT_ECHO(S1, WANA, 0, 77, 1, 64),
	 .verdict = TO_LAN, .out = PGT_ECHO(S1, H10, 0, 77, 1, 63)},
	END,
};

static const struct pgt_step icmp_gone_at_60[] = {
	{.name = "echo", .side = LAN, .in = PGT_ECHO(H10, S1, 8, 77, 1, 64), .verdict = TO_WAN,
	 .out = PGT_ECHO(WANA, S1, 8, 77, 1, 63)},
	{.name = "reply after exactly 60 s", .t = 60, .side = WAN,
	 .in = PGT_ECHO(S1, WANA, 0, 77, 1, 64), DROPPED(DROP_UNSOLICITED)},
	END,
};

/* GRE uses `gre` (default 7440 s), ESP `esp` (1800 s). */
#define GRE0(s, d) {.proto = PGT_P_GRE, .src = (s), .dst = (d), .paylen = 16}
#define GRE0_OUT(s, d) {.proto = PGT_P_GRE, .src = (s), .dst = (d), .paylen = 16, .ttl = 63}
#define ESP0(s, d) {.proto = PGT_P_ESP, .src = (s), .dst = (d), .spi = 7, .paylen = 16}
#define ESP0_OUT(s, d)                                                                             \
	{.proto = PGT_P_ESP, .src = (s), .dst = (d), .spi = 7, .paylen = 16, .ttl = 63}

static const struct pgt_step gre_esp_timeouts[] = {
	{.name = "GRE out", .side = LAN, .in = GRE0(H10, S1), .verdict = TO_WAN,
	 .out = GRE0_OUT(WANA, S1)},
	{.name = "ESP out", .side = LAN, .in = ESP0(H10, S2), .verdict = TO_WAN,
	 .out = ESP0_OUT(WANA, S2)},
	{.name = "ESP back after 1799 s", .t = 1799, .side = WAN, .in = ESP0(S2, WANA),
	 .verdict = TO_LAN, .out = ESP0_OUT(S2, H10)},
	{.name = "ESP back after another 1800 s", .t = 3599, .side = WAN,
	 .in = ESP0(S2, WANA), DROPPED(DROP_UNSOLICITED)},
	{.name = "GRE back after 7439 s", .t = 7439, .side = WAN, .in = GRE0(S1, WANA),
	 .verdict = TO_LAN, .out = GRE0_OUT(S1, H10)},
	{.name = "GRE back after another 7440 s", .t = 14879, .side = WAN,
	 .in = GRE0(S1, WANA), DROPPED(DROP_UNSOLICITED)},
	END,
};

/* TCP: SYN_SENT uses tcp_transitory (240 s). */
static const struct pgt_step tcp_syn_sent_239[] = {
	{.name = "SYN", OUT_SEG(0, SYN, 100, 0)},
	{.name = "SYN-ACK after 239 s", IN_SEG(239, SA, 500, 101)},
	END,
};

static const struct pgt_step tcp_syn_sent_240[] = {
	{.name = "SYN", OUT_SEG(0, SYN, 100, 0)},
	{.name = "SYN-ACK after 240 s", .t = 240, .side = WAN,
	 .in = PGT_TCP(S1, 80, WANA, 40000, SA, 500, 101), DROPPED(DROP_UNSOLICITED)},
	END,
};

/* SYN_RECV (SYN both ways, no ACK yet) is transitory too. */
static const struct pgt_step tcp_syn_recv_240[] = {
	{.name = "SYN", OUT_SEG(0, SYN, 100, 0)},
	{.name = "SYN-ACK", IN_SEG(0, SA, 500, 101)},
	{.name = "ACK after 240 s", .t = 240, .side = LAN,
	 .in = PGT_TCP(H10, 40000, S1, 80, ACK, 101, 501), RESET(DROP_TCP_NO_FLOW)},
	END,
};

/* ESTABLISHED: 7440 s, far longer than transitory. */
static const struct pgt_step tcp_established[] = {
	HANDSHAKE(0),
	{.name = "data after 1000 s", OUT_SEG(1000, PA, 101, 501)},
	{.name = "data back after 7439 s", IN_SEG(8439, PA, 501, 101)},
	{.name = "data after another 7440 s", .t = 15879, .side = LAN,
	 .in = PGT_TCP(H10, 40000, S1, 80, PA, 101, 501), RESET(DROP_TCP_NO_FLOW)},
	{.name = "the server's data is unsolicited now", .t = 15879, .side = WAN,
	 .in = PGT_TCP(S1, 80, WANA, 40000, PA, 501, 101), DROPPED(DROP_UNSOLICITED)},
	END,
};

/* FIN one way: FIN_WAIT, transitory. */
static const struct pgt_step tcp_fin_wait[] = {
	HANDSHAKE(0),
	{.name = "FIN out", OUT_SEG(10, FA, 101, 501)},
	{.name = "data back after 239 s", IN_SEG(249, PA, 501, 102)},
	{.name = "ACK back after another 240 s", .t = 489, .side = WAN,
	 .in = PGT_TCP(S1, 80, WANA, 40000, ACK, 511, 102), DROPPED(DROP_UNSOLICITED)},
	END,
};

/* Both FINs acknowledged: TIME_WAIT, 240 s (RFC 7857 2.1); then a SYN starts over. */
static const struct pgt_step tcp_time_wait[] = {
	HANDSHAKE(0),
	{.name = "FIN out", OUT_SEG(10, FA, 101, 501)},
	{.name = "ACK back", IN_SEG(10, ACK, 501, 102)},
	{.name = "FIN back", IN_SEG(11, FA, 501, 102)},
	{.name = "last ACK out", OUT_SEG(11, ACK, 102, 502)},
	{.name = "FIN retransmitted after 239 s", IN_SEG(250, FA, 501, 102)},
	{.name = "ACK after another 240 s", .t = 490, .side = LAN,
	 .in = PGT_TCP(H10, 40000, S1, 80, ACK, 102, 502), RESET(DROP_TCP_NO_FLOW)},
	END,
};

static const struct pgt_step tcp_reopen_after_time_wait[] = {
	HANDSHAKE(0),
	{.name = "FIN out", OUT_SEG(10, FA, 101, 501)},
	{.name = "FIN-ACK back", IN_SEG(10, FA, 501, 102)},
	{.name = "last ACK out", OUT_SEG(10, ACK, 102, 502)},
	{.name = "new SYN on the same tuple", OUT_SEG(20, SYN, 9000, 0),
	 .cnt = {CNT(MAPPING_CREATED, 0)}},
	{.name = "new SYN-ACK", IN_SEG(20, SA, 7000, 9001)},
	{.name = "new ACK", OUT_SEG(21, ACK, 9001, 7001)},
	{.name = "established again: data after 1000 s", OUT_SEG(1021, PA, 9001, 7001)},
	END,
};

/* RST: CLOSED keeps the state for tcp_transitory (RFC 7857 2.2). */
static const struct pgt_step tcp_rst[] = {
	HANDSHAKE(0),
	{.name = "RST back", IN_SEG(10, RA, 501, 101)},
	{.name = "new SYN on the same tuple", OUT_SEG(20, SYN, 3000, 0)},
	{.name = "SYN-ACK", IN_SEG(20, SA, 4000, 3001)},
	{.name = "ACK", OUT_SEG(20, ACK, 3001, 4001)},
	{.name = "established: data after 1000 s", IN_SEG(1020, PA, 4001, 3001)},
	END,
};

static const struct pgt_step tcp_rst_expiry[] = {
	HANDSHAKE(0),
	{.name = "RST out", OUT_SEG(10, PGT_RST, 101, 0)},
	{.name = "server's data after 240 s", .t = 250, .side = WAN,
	 .in = PGT_TCP(S1, 80, WANA, 40000, PA, 501, 101), DROPPED(DROP_UNSOLICITED)},
	END,
};

/*
 * RFC 7857 2.2: a RST does not end an established connection for good. A
 * stray or spoofed RST from the server, after which the server goes on
 * talking, leaves the connection established (2h4m), not transitory (4m).
 */
static const struct pgt_step tcp_rst_then_traffic[] = {
	HANDSHAKE(0),
	{.name = "RST from the server's side", IN_SEG(10, RA, 501, 101)},
	{.name = "the server goes on: data", IN_SEG(20, PA, 501, 101)},
	{.name = "established again: data after 1000 s", OUT_SEG(1020, PA, 101, 511)},
	{.name = "and a RST from the client's side", OUT_SEG(1030, PGT_RST, 111, 0)},
	{.name = "the client goes on too", OUT_SEG(1040, PA, 111, 511)},
	{.name = "established: data back after 7000 s", IN_SEG(8040, PA, 511, 121)},
	END,
};

/*
 * Only the side that sent the RST undoes it: the other side's packets in
 * flight after a real RST (it has not seen it yet) leave the flow closed,
 * so it goes tcp_transitory after the last of them.
 */
static const struct pgt_step tcp_rst_peer_in_flight[] = {
	HANDSHAKE(0),
	{.name = "RST from the server", IN_SEG(10, RA, 501, 101)},
	{.name = "client data in flight", OUT_SEG(11, PA, 101, 501)},
	{.name = "the server's RST again, 239 s later", IN_SEG(250, PGT_RST, 501, 0)},
	{.name = "closed: gone 240 s after (a late segment gets a reset)", .t = 490, .side = LAN,
	 .in = PGT_TCP(H10, 40000, S1, 80, PA, 111, 501), RESET(DROP_TCP_NO_FLOW)},
	END,
};

static const struct pgt_step tcp_rst_in_syn_sent[] = {
	{.name = "SYN", OUT_SEG(0, SYN, 100, 0)},
	{.name = "RST-ACK back (port closed)", IN_SEG(0, RA, 0, 101)},
	{.name = "SYN again", OUT_SEG(1, SYN, 100, 0)},
	{.name = "SYN-ACK", IN_SEG(1, SA, 500, 101)},
	END,
};

/* Simultaneous open: SYN both ways without ACK, then SYN-ACKs. */
static const struct pgt_step tcp_simultaneous_open[] = {
	{.name = "SYN out", OUT_SEG(0, SYN, 100, 0)},
	{.name = "SYN in (no ACK)", IN_SEG(0, SYN, 500, 0)},
	{.name = "SYN-ACK out", OUT_SEG(0, SA, 100, 501)},
	{.name = "SYN-ACK in", IN_SEG(0, SA, 500, 101)},
	{.name = "established: data after 1000 s", OUT_SEG(1000, PA, 101, 501)},
	{.name = "and back", IN_SEG(1001, PA, 501, 111)},
	END,
};

static void host_limit_3(struct pg_engine_config *cfg)
{
	cfg->max_flows_per_host = 3;
}

static const struct pgt_step host_limit[] = {
	{.name = "flow 1", .side = LAN, .in = PGT_UDP(H10, 5000, S1, 1, 4), .verdict = TO_WAN,
	 .out = UDP_OUT(WANA, 5000, S1, 1, 4)},
	{.name = "flow 2", .side = LAN, .in = PGT_UDP(H10, 5000, S1, 2, 4), .verdict = TO_WAN,
	 .out = UDP_OUT(WANA, 5000, S1, 2, 4)},
	{.name = "flow 3", .side = LAN, .in = PGT_TCP(H10, 5000, S1, 3, SYN, 1, 0),
	 .verdict = TO_WAN, .out = TCP_OUT(WANA, 5000, S1, 3, SYN, 1, 0)},
	{.name = "UDP flow 4 refused", .side = LAN,
	 .in = PGT_UDP(H10, 5000, S1, 4, 4), DROPPED(DROP_HOST_LIMIT),
	 .cnt = {CNT(FLOW_CREATED, 0)}},
	{.name = "TCP flow 4 refused", .side = LAN,
	 .in = PGT_TCP(H10, 6000, S2, 4, SYN, 1, 0), DROPPED(DROP_HOST_LIMIT)},
	{.name = "echo refused", .side = LAN,
	 .in = PGT_ECHO(H10, S2, 8, 1, 1, 64), DROPPED(DROP_HOST_LIMIT)},
	{.name = "GRE refused", .side = LAN, .in = GRE0(H10, S2), DROPPED(DROP_HOST_LIMIT)},
	{.name = "existing flow still works", .side = LAN, .in = PGT_UDP(H10, 5000, S1, 1, 4),
	 .verdict = TO_WAN, .out = UDP_OUT(WANA, 5000, S1, 1, 4)},
	{.name = "another host is not limited", .side = LAN, .in = PGT_UDP(H11, 5000, S1, 4, 4),
	 .verdict = TO_WAN, .out = UDP_OUT(WANA, PGT_VAR(0), S1, 4, 4)},
	{.name = "once all three expired there is room", .t = 300, .side = LAN,
	 .in = PGT_UDP(H10, 5000, S1, 4, 4), .verdict = TO_WAN,
	 .out = UDP_OUT(WANA, 5000, S1, 4, 4)},
	{.name = "for a second", .t = 300, .side = LAN, .in = PGT_UDP(H10, 5000, S1, 5, 4),
	 .verdict = TO_WAN, .out = UDP_OUT(WANA, 5000, S1, 5, 4)},
	{.name = "and a third", .t = 300, .side = LAN, .in = PGT_UDP(H10, 5000, S1, 6, 4),
	 .verdict = TO_WAN, .out = UDP_OUT(WANA, 5000, S1, 6, 4)},
	{.name = "but not a fourth", .t = 300, .side = LAN,
	 .in = PGT_UDP(H10, 5000, S1, 7, 4), DROPPED(DROP_HOST_LIMIT)},
	END,
};

/*
 * A filter permit (remote address, public port) lives while any flow holding
 * it does (flows find theirs by key when freed): the default filtering is
 * address-dependent, and S2 keeps the mapping alive throughout.
 */
static const struct pgt_step permit_shared_until_last_flow[] = {
	{.name = "to S1:53", .side = LAN, .in = PGT_UDP(H10, 5000, S1, 53, 4), .verdict = TO_WAN,
	 .out = UDP_OUT(WANA, 5000, S1, 53, 4)},
	{.name = "to S2:53", .side = LAN, .in = PGT_UDP(H10, 5000, S2, 53, 4), .verdict = TO_WAN,
	 .out = UDP_OUT(WANA, 5000, S2, 53, 4)},
	{.name = "to S1:54 shares S1's permit", .t = 100, .side = LAN,
	 .in = PGT_UDP(H10, 5000, S1, 54, 4), .verdict = TO_WAN,
	 .out = UDP_OUT(WANA, 5000, S1, 54, 4)},
	{.name = "S2 again", .t = 250, .side = LAN, .in = PGT_UDP(H10, 5000, S2, 53, 4),
	 .verdict = TO_WAN, .out = UDP_OUT(WANA, 5000, S2, 53, 4)},
	{.name = "S1:53 expired, S1:54 still holds the permit", .t = 300, .side = WAN,
	 .in = PGT_UDP(S1, 99, WANA, 5000, 4), .verdict = TO_LAN,
	 .out = UDP_OUT(S1, 99, H10, 5000, 4), .cnt = {CNT(FLOW_CREATED, 1)}},
	{.name = "S2 once more", .t = 500, .side = LAN, .in = PGT_UDP(H10, 5000, S2, 53, 4),
	 .verdict = TO_WAN, .out = UDP_OUT(WANA, 5000, S2, 53, 4)},
	{.name = "every S1 flow gone: so is its permit", .t = 601, .side = WAN,
	 .in = PGT_UDP(S1, 98, WANA, 5000, 4), DROPPED(DROP_FILTERED)},
	{.name = "S2's permit stays", .t = 601, .side = WAN, .in = PGT_UDP(S2, 98, WANA, 5000, 4),
	 .verdict = TO_LAN, .out = UDP_OUT(S2, 98, H10, 5000, 4)},
	END,
};

static const struct pgt_scenario scenarios[] = {
	{"udp: alive after 299 s idle", NULL, udp_alive_at_299},
	{"udp: gone after exactly 300 s idle", NULL, udp_gone_at_300},
	{"udp: inbound refreshes, then expires", NULL, udp_gone_after_inbound_refresh},
	{"permit: shared until its last flow expires", NULL, permit_shared_until_last_flow},
	{"icmp: alive after 59 s idle", NULL, icmp_alive_at_59},
	{"icmp: gone after exactly 60 s idle", NULL, icmp_gone_at_60},
	{"gre/esp: their own timeouts", NULL, gre_esp_timeouts},
	{"tcp: SYN_SENT alive after 239 s", NULL, tcp_syn_sent_239},
	{"tcp: SYN_SENT gone after 240 s", NULL, tcp_syn_sent_240},
	{"tcp: SYN_RECV gone after 240 s", NULL, tcp_syn_recv_240},
	{"tcp: ESTABLISHED lives 7440 s", NULL, tcp_established},
	{"tcp: FIN_WAIT is transitory", NULL, tcp_fin_wait},
	{"tcp: TIME_WAIT lasts 240 s", NULL, tcp_time_wait},
	{"tcp: SYN after TIME_WAIT reopens", NULL, tcp_reopen_after_time_wait},
	{"tcp: RST, then a new connection", NULL, tcp_rst},
	{"tcp: CLOSED gone after 240 s", NULL, tcp_rst_expiry},
	{"tcp: RST answers a SYN", NULL, tcp_rst_in_syn_sent},
	{"tcp: RST, then its sender talks: established", NULL, tcp_rst_then_traffic},
	{"tcp: RST, then the peer's packets in flight: closed", NULL, tcp_rst_peer_in_flight},
	{"tcp: simultaneous open", NULL, tcp_simultaneous_open},
	{"limits: flows per host", host_limit_3, host_limit},
};

/* ---- the flow table: loops rather than rows ---- */

/* The C tests' engine, torn down by cmocka even when a test fails. */
static struct pgt_ctx g_ctx;

static int ctx_teardown(void **state)
{
	(void)state;
	pgt_ctx_fini(&g_ctx);
	return 0;
}

/* Send one packet at t seconds after the start; returns the verdict. */
static uint8_t send_at(struct pgt_ctx *ctx, const struct pgt_spec *s, uint8_t side, uint32_t t,
		       uint16_t *drop)
{
	return pgt_cm_send_at(ctx, s, side, t, drop, NULL);
}

static void expect_at(struct pgt_ctx *ctx, const struct pgt_spec *s, uint8_t side, uint32_t t,
		      uint8_t verdict, uint16_t reason, const char *what)
{
	uint16_t drop = 0;
	uint8_t v = send_at(ctx, s, side, t, &drop);

	if (v != verdict || (v == DROP && drop != reason))
		fail_msg("%s: %s (%s), want %s (%s)", what, pgt_verdict_name(v), pgt_counter(drop),
			 pgt_verdict_name(verdict), verdict == DROP ? pgt_counter(reason) : "-");
}

static char hosts[8][24];

/* Flow i: host 192.168.1.(10 + i / 256), port 10000 + i: one public port each. */
static struct pgt_spec udp_flow(unsigned int i, bool reply)
{
	struct pgt_spec s = PGT_UDP(hosts[i / 256], 10000 + i, S1, 53, 8);

	snprintf(hosts[i / 256], sizeof(hosts[0]), "192.168.1.%u", 10 + i / 256);
	if (reply) {
		s.src = S1;
		s.sport = 53;
		s.dst = WANA;
		s.dport = 10000 + i;
	}
	return s;
}

static struct pgt_spec tcp_flow(unsigned int i, uint8_t flags, bool reply)
{
	struct pgt_spec s = udp_flow(i, reply);

	s.proto = PGT_P_TCP;
	s.tcp_flags = flags;
	s.paylen = 0;
	s.seq = reply ? 500 : 100;
	s.ack = flags & ACK ? (reply ? 101 : 501) : 0;
	return s;
}

static void table_1024(struct pg_engine_config *cfg)
{
	cfg->max_flows = 1024;
	cfg->timeouts.udp = 3600;
}

static uint64_t counter(struct pgt_ctx *ctx, unsigned int c)
{
	return pg_engine_counters(ctx->e)[c];
}

/* Full of UDP flows: the one closest to expiry is evicted for a new one. */
static void test_table_full_evicts_oldest(void **state)
{
	struct pgt_ctx *ctxp = &g_ctx;
	struct pgt_spec s;
	unsigned int i;

	(void)state;
	assert_int_equal(pgt_ctx_init(ctxp, table_1024), 0);
	for (i = 0; i < 1024; i++) {
		s = udp_flow(i, false);
		expect_at(ctxp, &s, LAN, i, TO_WAN, 0, "filling the table");
	}
	assert_int_equal(pg_engine_flow_count(ctxp->e), 1024);
	assert_int_equal(counter(ctxp, PG_CNT_FLOW_EVICTED), 0);
	s = (struct pgt_spec)PGT_UDP(H11, 7777, S2, 53, 8);
	expect_at(ctxp, &s, LAN, 1030, TO_WAN, 0, "new flow in a full table");
	assert_int_equal(counter(ctxp, PG_CNT_FLOW_EVICTED), 1);
	assert_int_equal(pg_engine_flow_count(ctxp->e), 1024);
	s = udp_flow(0, true);
	expect_at(ctxp, &s, WAN, 1031, DROP, PG_CNT_DROP_UNSOLICITED, "reply to the evicted flow");
	s = udp_flow(1, true);
	expect_at(ctxp, &s, WAN, 1031, TO_LAN, 0, "reply to the next oldest flow");
	s = udp_flow(1023, true);
	expect_at(ctxp, &s, WAN, 1031, TO_LAN, 0, "reply to the newest flow");
	pgt_ctx_fini(ctxp);
}

static void table_1024_udp_120(struct pg_engine_config *cfg)
{
	cfg->max_flows = 1024;
	cfg->timeouts.udp = 120;
}

/* Expired flows are reclaimed before anything is evicted. */
static void test_table_full_reclaims_expired(void **state)
{
	struct pgt_ctx *ctxp = &g_ctx;
	struct pgt_spec s;
	unsigned int i;

	(void)state;
	assert_int_equal(pgt_ctx_init(ctxp, table_1024_udp_120), 0);
	for (i = 0; i < 1024; i++) {
		s = udp_flow(i, false);
		expect_at(ctxp, &s, LAN, i < 10 ? 0 : 100, TO_WAN, 0, "filling the table");
	}
	s = (struct pgt_spec)PGT_UDP(H11, 7777, S2, 53, 8);
	expect_at(ctxp, &s, LAN, 120, TO_WAN, 0, "new flow once ten have expired");
	assert_int_equal(counter(ctxp, PG_CNT_FLOW_EVICTED), 0);
	for (i = 10; i < 1024; i += 101) {
		s = udp_flow(i, true);
		expect_at(ctxp, &s, WAN, 120, TO_LAN, 0, "reply to a live flow");
	}
	pgt_ctx_fini(ctxp);
}

static void table_1024_long_udp(struct pg_engine_config *cfg)
{
	cfg->max_flows = 1024;
	cfg->timeouts.udp = 20000;
}

/* Established TCP is never evicted: with nothing else the new flow is refused. */
static void test_table_full_of_established(void **state)
{
	struct pgt_ctx *ctxp = &g_ctx;
	struct pgt_spec s;
	unsigned int i;

	(void)state;
	assert_int_equal(pgt_ctx_init(ctxp, table_1024_long_udp), 0);
	for (i = 0; i < 1023; i++) {
		s = tcp_flow(i, SYN, false);
		expect_at(ctxp, &s, LAN, 0, TO_WAN, 0, "SYN");
		s = tcp_flow(i, SYN | ACK, true);
		expect_at(ctxp, &s, WAN, 0, TO_LAN, 0, "SYN-ACK");
		s = tcp_flow(i, ACK, false);
		expect_at(ctxp, &s, LAN, 0, TO_WAN, 0, "ACK");
	}
	/* The last slot: a UDP flow that expires long after the TCP ones would. */
	s = udp_flow(1023, false);
	expect_at(ctxp, &s, LAN, 100, TO_WAN, 0, "UDP flow");
	assert_int_equal(pg_engine_flow_count(ctxp->e), 1024);

	/* Closest to expiry are the established flows; only the UDP one may go. */
	s = (struct pgt_spec)PGT_TCP(H11, 7777, S2, 80, SYN, 1, 0);
	expect_at(ctxp, &s, LAN, 7000, TO_WAN, 0, "SYN evicting the UDP flow");
	assert_int_equal(counter(ctxp, PG_CNT_FLOW_EVICTED), 1);
	s = udp_flow(1023, true);
	expect_at(ctxp, &s, WAN, 7000, DROP, PG_CNT_DROP_UNSOLICITED, "reply to the evicted flow");

	/* Now the SYN_SENT flow is the only candidate. */
	s = (struct pgt_spec)PGT_UDP(H11, 7778, S2, 53, 8);
	expect_at(ctxp, &s, LAN, 7001, TO_WAN, 0, "UDP evicting the half-open flow");
	assert_int_equal(counter(ctxp, PG_CNT_FLOW_EVICTED), 2);

	/* An existing flow still passes in a full table. */
	s = (struct pgt_spec)PGT_UDP(H11, 7778, S2, 53, 8);
	expect_at(ctxp, &s, LAN, 7002, TO_WAN, 0, "existing flow in a full table");
	for (i = 0; i < 1023; i += 97) {
		s = tcp_flow(i, ACK, true);
		expect_at(ctxp, &s, WAN, 7003, TO_LAN, 0, "established flows survive");
	}
	pgt_ctx_fini(ctxp);
}

static void test_table_full_refuses(void **state)
{
	struct pgt_ctx *ctxp = &g_ctx;
	struct pgt_spec s;
	unsigned int i;
	uint64_t full;

	(void)state;
	assert_int_equal(pgt_ctx_init(ctxp, table_1024), 0);
	for (i = 0; i < 1024; i++) {
		s = tcp_flow(i, SYN, false);
		expect_at(ctxp, &s, LAN, 0, TO_WAN, 0, "SYN");
		s = tcp_flow(i, SYN | ACK, true);
		expect_at(ctxp, &s, WAN, 0, TO_LAN, 0, "SYN-ACK");
		s = tcp_flow(i, ACK, false);
		expect_at(ctxp, &s, LAN, 0, TO_WAN, 0, "ACK");
	}
	full = counter(ctxp, PG_CNT_DROP_TABLE_FULL);
	s = (struct pgt_spec)PGT_TCP(H11, 7777, S2, 80, SYN, 1, 0);
	expect_at(ctxp, &s, LAN, 5, DROP, PG_CNT_DROP_TABLE_FULL, "SYN into a full table");
	s = (struct pgt_spec)PGT_UDP(H11, 7777, S2, 53, 8);
	expect_at(ctxp, &s, LAN, 5, DROP, PG_CNT_DROP_TABLE_FULL, "UDP into a full table");
	s = (struct pgt_spec)PGT_ECHO(H11, S2, 8, 1, 1, 64);
	expect_at(ctxp, &s, LAN, 5, DROP, PG_CNT_DROP_TABLE_FULL, "echo into a full table");
	assert_int_equal(counter(ctxp, PG_CNT_DROP_TABLE_FULL) - full, 3);
	assert_int_equal(counter(ctxp, PG_CNT_FLOW_EVICTED), 0);
	s = tcp_flow(500, PGT_PSH | ACK, false);
	expect_at(ctxp, &s, LAN, 6, TO_WAN, 0, "established flow in a full table");
	pgt_ctx_fini(ctxp);
}

static void table_many_hosts(struct pg_engine_config *cfg)
{
	cfg->max_flows = 131072;
	cfg->lan_prefix = 15; /* 192.168.0.0-192.169.255.255 */
}

/* A flow from LAN host i of the host-table test: 192.168.2.0 + i. */
static struct pgt_spec host_flow(unsigned int i, char *addr, size_t len)
{
	uint32_t a = (192u << 24) | (168u << 16) | (2u << 8);
	struct pgt_spec s;

	a += i;
	snprintf(addr, len, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
	/* TCP and UDP take their public ports from two pools: enough for all. */
	if (i & 1)
		s = (struct pgt_spec)PGT_TCP(addr, 20000 + (i >> 1) % 40000, S1, 80, SYN, 1, 0);
	else
		s = (struct pgt_spec)PGT_UDP(addr, 20000 + (i >> 1) % 40000, S1, 53, 8);
	return s;
}

/*
 * The host pool holds PG_HOSTS_MAX (65,536) LAN hosts, far fewer than
 * max_flows: a flow from one host more is refused and counted as a full
 * table, while hosts already in it keep opening flows.
 */
static void test_host_table_full_refuses(void **state)
{
	struct pgt_ctx *ctxp = &g_ctx;
	struct pgt_spec s;
	char addr[24];
	unsigned int i;
	uint64_t full;

	(void)state;
	assert_int_equal(pgt_ctx_init(ctxp, table_many_hosts), 0);
	for (i = 0; i < 65536; i++) {
		s = host_flow(i, addr, sizeof(addr));
		expect_at(ctxp, &s, LAN, 0, TO_WAN, 0, "a flow from a new host");
	}
	assert_int_equal(pg_engine_flow_count(ctxp->e), 65536);
	full = counter(ctxp, PG_CNT_DROP_TABLE_FULL);
	s = host_flow(65536, addr, sizeof(addr));
	expect_at(ctxp, &s, LAN, 1, DROP, PG_CNT_DROP_TABLE_FULL, "one host too many");
	assert_int_equal(counter(ctxp, PG_CNT_DROP_TABLE_FULL) - full, 1);
	assert_int_equal(pg_engine_flow_count(ctxp->e), 65536);
	s = host_flow(0, addr, sizeof(addr));
	s.sport = 7000;
	expect_at(ctxp, &s, LAN, 1, TO_WAN, 0, "a known host's new flow");
	assert_int_equal(pg_engine_flow_count(ctxp->e), 65537);
	pgt_ctx_fini(ctxp);
}

/* pg_engine_tick() expires idle flows and releases their mappings. */
static void test_tick_expires(void **state)
{
	struct pgt_ctx *ctxp = &g_ctx;
	struct pgt_spec s = PGT_UDP(H10, 5000, S1, 53, 8);
	uint64_t expired, released;

	(void)state;
	assert_int_equal(pgt_ctx_init(ctxp, NULL), 0);
	expect_at(ctxp, &s, LAN, 0, TO_WAN, 0, "UDP out");
	s = (struct pgt_spec)PGT_ECHO(H10, S1, 8, 5, 1, 64);
	expect_at(ctxp, &s, LAN, 0, TO_WAN, 0, "echo out");
	assert_int_equal(pg_engine_flow_count(ctxp->e), 2);
	expired = counter(ctxp, PG_CNT_FLOW_EXPIRED);
	released = counter(ctxp, PG_CNT_MAPPING_EXPIRED);
	pg_engine_tick(ctxp->e, ctxp->t0_ms + 59 * 1000);
	assert_int_equal(pg_engine_flow_count(ctxp->e), 2);
	pg_engine_tick(ctxp->e, ctxp->t0_ms + 60 * 1000);
	assert_int_equal(pg_engine_flow_count(ctxp->e), 1);
	pg_engine_tick(ctxp->e, ctxp->t0_ms + 299 * 1000);
	assert_int_equal(pg_engine_flow_count(ctxp->e), 1);
	pg_engine_tick(ctxp->e, ctxp->t0_ms + 300 * 1000);
	assert_int_equal(pg_engine_flow_count(ctxp->e), 0);
	assert_int_equal(counter(ctxp, PG_CNT_FLOW_EXPIRED) - expired, 2);
	assert_int_equal(counter(ctxp, PG_CNT_MAPPING_EXPIRED) - released, 2);
	pgt_ctx_fini(ctxp);
}

/* Reconfiguring keeps established flows. */
static void test_reconfigure_keeps_flows(void **state)
{
	struct pgt_ctx *ctxp = &g_ctx;
	struct pg_engine_config cfg;
	struct pgt_spec s;

	(void)state;
	assert_int_equal(pgt_ctx_init(ctxp, NULL), 0);
	s = tcp_flow(0, SYN, false);
	expect_at(ctxp, &s, LAN, 0, TO_WAN, 0, "SYN");
	s = tcp_flow(0, SYN | ACK, true);
	expect_at(ctxp, &s, WAN, 0, TO_LAN, 0, "SYN-ACK");
	s = tcp_flow(0, ACK, false);
	expect_at(ctxp, &s, LAN, 0, TO_WAN, 0, "ACK");
	cfg = ctxp->cfg;
	cfg.filtering = PG_FILTER_ENDPOINT_INDEPENDENT;
	cfg.timeouts.udp = 600;
	assert_int_equal(pg_engine_reconfigure(ctxp->e, &cfg), 0);
	ctxp->cfg = cfg;
	s = tcp_flow(0, ACK, true);
	expect_at(ctxp, &s, WAN, 1, TO_LAN, 0, "established flow after reconfiguring");
	assert_int_equal(pg_engine_flow_count(ctxp->e), 1);
	pgt_ctx_fini(ctxp);
}

int main(void)
{
	struct CMUnitTest t[PGT_ARRAY_SIZE(scenarios) + 8];
	size_t k = pgt_cm_add(t, scenarios, PGT_ARRAY_SIZE(scenarios));

	t[k++] = (struct CMUnitTest)cmocka_unit_test_teardown(test_table_full_evicts_oldest,
								 ctx_teardown);
	t[k++] = (struct CMUnitTest)cmocka_unit_test_teardown(test_table_full_reclaims_expired,
								 ctx_teardown);
	t[k++] = (struct CMUnitTest)cmocka_unit_test_teardown(test_table_full_of_established,
								 ctx_teardown);
	t[k++] = (struct CMUnitTest)cmocka_unit_test_teardown(test_table_full_refuses,
								 ctx_teardown);
	t[k++] = (struct CMUnitTest)cmocka_unit_test_teardown(test_host_table_full_refuses,
								 ctx_teardown);
	t[k++] = (struct CMUnitTest)cmocka_unit_test_teardown(test_tick_expires, ctx_teardown);
	t[k++] = (struct CMUnitTest)cmocka_unit_test_teardown(test_reconfigure_keeps_flows,
								 ctx_teardown);
	return _cmocka_run_group_tests("flow", t, k, NULL, NULL);
}
