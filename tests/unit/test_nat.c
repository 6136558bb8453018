/* SPDX-License-Identifier: MIT */
/*
 * test_nat.c - mappings and filtering (RFC 4787, RFC 5382, RFC 5508 as
 * docs/ENGINE.md applies them): endpoint-independent mapping, port
 * preservation, parity and range of allocated ports, no port overloading,
 * ICMP identifiers, address-dependent vs endpoint-independent filtering,
 * mapping release, port exhaustion.
 *
 * Public ports the engine picks are learnt into variables (PGT_VAR) by the
 * first row that shows them, and every later row must see the same value.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../lib/rows.h"

/* Translated packets leave with TTL 63 (built with 64). */
#define NEW_MAPPING_KEPT                                                                           \
	.cnt = {CNT(MAPPING_CREATED, 1), CNT(PORT_PRESERVED, 1), CNT(FLOW_CREATED, 1)}
#define NEW_MAPPING_MOVED                                                                          \
	.cnt = {CNT(MAPPING_CREATED, 1), CNT(PORT_PRESERVED, 0), CNT(FLOW_CREATED, 1)}
#define NEW_FLOW_OLD_MAPPING .cnt = {CNT(MAPPING_CREATED, 0), CNT(FLOW_CREATED, 1)}

/*
 * A public port the engine allocated because the inside one was taken: a
 * different number, same parity, same range (RFC 4787 REQ-3, REQ-4). ICMP
 * identifiers may be anything but the taken one.
 */
static int check_moved(struct pgt_ctx *ctx, const struct pgt_step *st, const struct pgt_pkt *in,
		       const struct pgt_pkt *out, char *err, size_t n)
{
	const uint8_t *il4 = pgt_l4(in->buf), *ol4 = pgt_l4(out->buf);
	bool icmp = pgt_ip_proto(in->buf) == PGT_P_ICMP;
	uint16_t inside = pgt_get16(il4 + (icmp ? 4 : 0));
	uint16_t public = pgt_get16(ol4 + (icmp ? 4 : 0));

	(void)ctx;
	if (public == inside) {
		snprintf(err, n, "step '%s': public port %u should differ from the taken %u",
			 st->name, public, inside);
		return -1;
	}
	if (icmp)
		return 0;
	if ((public & 1) != (inside & 1) || (public < 1024) != (inside < 1024) || public == 0) {
		snprintf(err, n, "step '%s': public port %u for inside %u breaks parity or range",
			 st->name, public, inside);
		return -1;
	}
	return 0;
}

static const struct pgt_step eim_two_servers[] = {
	{.name = "UDP to server 1", .side = LAN, .in = PGT_UDP(H10, 5000, S1, 53, 20),
	 .verdict = TO_WAN, .out = UDP_OUT(WANA, 5000, S1, 53, 20), NEW_MAPPING_KEPT},
	{.name = "same endpoint to server 2", .side = LAN, .in = PGT_UDP(H10, 5000, S2, 53, 20),
	 .verdict = TO_WAN, .out = UDP_OUT(WANA, 5000, S2, 53, 20), NEW_FLOW_OLD_MAPPING},
	{.name = "same endpoint to server 2 port 54", .side = LAN,
	 .in = PGT_UDP(H10, 5000, S2, 54, 20),
	 .verdict = TO_WAN, .out = UDP_OUT(WANA, 5000, S2, 54, 20), NEW_FLOW_OLD_MAPPING},
	{.name = "reply from server 1", .side = WAN, .in = PGT_UDP(S1, 53, WANA, 5000, 40),
	 .verdict = TO_LAN, .out = UDP_OUT(S1, 53, H10, 5000, 40)},
	{.name = "reply from server 2", .side = WAN, .in = PGT_UDP(S2, 53, WANA, 5000, 41),
	 .verdict = TO_LAN, .out = UDP_OUT(S2, 53, H10, 5000, 41), .flows1 = 3 + 1},
	{.name = "TCP to server 1", .side = LAN, .in = PGT_TCP(H10, 40000, S1, 80, PGT_SYN, 1, 0),
	 .verdict = TO_WAN, .out = TCP_OUT(WANA, 40000, S1, 80, PGT_SYN, 1, 0), NEW_MAPPING_KEPT},
	{.name = "TCP same endpoint to server 2", .side = LAN,
	 .in = PGT_TCP(H10, 40000, S2, 443, PGT_SYN, 1, 0), .verdict = TO_WAN,
	 .out = TCP_OUT(WANA, 40000, S2, 443, PGT_SYN, 1, 0), NEW_FLOW_OLD_MAPPING},
	END,
};

static const struct pgt_step same_port_two_hosts[] = {
	{.name = "host 10 keeps 5000", .side = LAN, .in = PGT_UDP(H10, 5000, S1, 53, 20),
	 .verdict = TO_WAN, .out = UDP_OUT(WANA, 5000, S1, 53, 20), NEW_MAPPING_KEPT},
	{.name = "host 11 gets another port", .side = LAN, .in = PGT_UDP(H11, 5000, S1, 53, 20),
	 .verdict = TO_WAN, .out = UDP_OUT(WANA, V(0), S1, 53, 20),
	 .check = check_moved, NEW_MAPPING_MOVED},
	{.name = "host 11 to server 2 reuses it", .side = LAN, .in = PGT_UDP(H11, 5000, S2, 53, 20),
	 .verdict = TO_WAN, .out = UDP_OUT(WANA, V(0), S2, 53, 20), NEW_FLOW_OLD_MAPPING},
	{.name = "reply to host 10", .side = WAN, .in = PGT_UDP(S1, 53, WANA, 5000, 30),
	 .verdict = TO_LAN, .out = UDP_OUT(S1, 53, H10, 5000, 30)},
	{.name = "reply to host 11", .side = WAN, .in = PGT_UDP(S1, 53, WANA, V(0), 31),
	 .verdict = TO_LAN, .out = UDP_OUT(S1, 53, H11, 5000, 31)},
	{.name = "reply from server 2 to host 11", .side = WAN,
	 .in = PGT_UDP(S2, 53, WANA, V(0), 32),
	 .verdict = TO_LAN, .out = UDP_OUT(S2, 53, H11, 5000, 32)},
	{.name = "host 10 to server 2 keeps 5000", .side = LAN,
	 .in = PGT_UDP(H10, 5000, S2, 53, 20),
	 .verdict = TO_WAN, .out = UDP_OUT(WANA, 5000, S2, 53, 20)},
	{.name = "host 12 gets a third port", .side = LAN, .in = PGT_UDP(H12, 5000, S1, 53, 20),
	 .verdict = TO_WAN, .out = UDP_OUT(WANA, V(1), S1, 53, 20), .check = check_moved},
	{.name = "reply to host 12", .side = WAN, .in = PGT_UDP(S1, 53, WANA, V(1), 33),
	 .verdict = TO_LAN, .out = UDP_OUT(S1, 53, H12, 5000, 33)},
	{.name = "host 11 TCP on 5000", .side = LAN,
	 .in = PGT_TCP(H11, 5000, S1, 80, PGT_SYN, 9, 0),
	 .verdict = TO_WAN, .out = TCP_OUT(WANA, 5000, S1, 80, PGT_SYN, 9, 0), NEW_MAPPING_KEPT},
	{.name = "host 10 TCP on 5000 moves", .side = LAN,
	 .in = PGT_TCP(H10, 5000, S1, 80, PGT_SYN, 9, 0), .verdict = TO_WAN,
	 .out = TCP_OUT(WANA, V(2), S1, 80, PGT_SYN, 9, 0), .check = check_moved},
	{.name = "TCP reply to host 10", .side = WAN,
	 .in = PGT_TCP(S1, 80, WANA, V(2), PGT_SYN | PGT_ACK, 70, 10), .verdict = TO_LAN,
	 .out = TCP_OUT(S1, 80, H10, 5000, PGT_SYN | PGT_ACK, 70, 10)},
	{.name = "TCP reply to host 11", .side = WAN,
	 .in = PGT_TCP(S1, 80, WANA, 5000, PGT_SYN | PGT_ACK, 80, 10), .verdict = TO_LAN,
	 .out = TCP_OUT(S1, 80, H11, 5000, PGT_SYN | PGT_ACK, 80, 10)},
	END,
};

static const struct pgt_step parity_and_range[] = {
	{.name = "odd port kept", .side = LAN, .in = PGT_UDP(H10, 5001, S1, 53, 8),
	 .verdict = TO_WAN,
	 .out = UDP_OUT(WANA, 5001, S1, 53, 8)},
	{.name = "odd port moved stays odd", .side = LAN, .in = PGT_UDP(H11, 5001, S1, 53, 8),
	 .verdict = TO_WAN, .out = UDP_OUT(WANA, V(0), S1, 53, 8), .check = check_moved},
	{.name = "low port kept", .side = LAN, .in = PGT_UDP(H10, 123, S1, 123, 48),
	 .verdict = TO_WAN, .out = UDP_OUT(WANA, 123, S1, 123, 48)},
	{.name = "low odd port moved stays low and odd", .side = LAN,
	 .in = PGT_UDP(H11, 123, S1, 123, 48), .verdict = TO_WAN,
	 .out = UDP_OUT(WANA, V(1), S1, 123, 48), .check = check_moved},
	{.name = "IKE port kept", .side = LAN, .in = PGT_UDP(H10, 500, S2, 500, 100),
	 .verdict = TO_WAN, .out = UDP_OUT(WANA, 500, S2, 500, 100)},
	{.name = "second IKE client moved, low and even", .side = LAN,
	 .in = PGT_UDP(H11, 500, S2, 500, 100), .verdict = TO_WAN,
	 .out = UDP_OUT(WANA, V(2), S2, 500, 100), .check = check_moved},
	{.name = "IKE reply to the second client", .side = WAN,
	 .in = PGT_UDP(S2, 500, WANA, V(2), 90),
	 .verdict = TO_LAN, .out = UDP_OUT(S2, 500, H11, 500, 90)},
	{.name = "port 1024 moved stays >= 1024", .side = LAN, .in = PGT_UDP(H10, 1024, S1, 9, 4),
	 .verdict = TO_WAN, .out = UDP_OUT(WANA, 1024, S1, 9, 4)},
	{.name = "port 1024 moved", .side = LAN, .in = PGT_UDP(H11, 1024, S1, 9, 4),
	 .verdict = TO_WAN, .out = UDP_OUT(WANA, V(3), S1, 9, 4), .check = check_moved},
	{.name = "port 65535 kept", .side = LAN, .in = PGT_UDP(H10, 65535, S1, 9, 4),
	 .verdict = TO_WAN, .out = UDP_OUT(WANA, 65535, S1, 9, 4)},
	{.name = "port 65535 moved", .side = LAN, .in = PGT_UDP(H11, 65535, S1, 9, 4),
	 .verdict = TO_WAN, .out = UDP_OUT(WANA, V(4), S1, 9, 4), .check = check_moved},
	{.name = "port 1 moved", .side = LAN, .in = PGT_UDP(H10, 1, S1, 9, 4), .verdict = TO_WAN,
	 .out = UDP_OUT(WANA, 1, S1, 9, 4)},
	{.name = "port 1 moved stays low and odd", .side = LAN, .in = PGT_UDP(H11, 1, S1, 9, 4),
	 .verdict = TO_WAN, .out = UDP_OUT(WANA, V(5), S1, 9, 4), .check = check_moved},
	END,
};

#define ECHO_OUT(s, d, type, id, sq) PGT_ECHO(s, d, type, id, sq, 63)

static const struct pgt_step icmp_ids[] = {
	{.name = "host 10 pings with id 0x1234", .side = LAN,
	 .in = PGT_ECHO(H10, S1, 8, 0x1234, 1, 64), .verdict = TO_WAN,
	 .out = ECHO_OUT(WANA, S1, 8, 0x1234, 1), .cnt = {CNT(FLOW_CREATED, 1)}},
	{.name = "host 11 pings with the same id", .side = LAN,
	 .in = PGT_ECHO(H11, S1, 8, 0x1234, 1, 64), .verdict = TO_WAN,
	 .out = ECHO_OUT(WANA, S1, 8, V(0), 1), .check = check_moved,
	 .cnt = {CNT(FLOW_CREATED, 1)}},
	{.name = "reply to host 10", .side = WAN, .in = PGT_ECHO(S1, WANA, 0, 0x1234, 1, 64),
	 .verdict = TO_LAN, .out = ECHO_OUT(S1, H10, 0, 0x1234, 1)},
	{.name = "reply to host 11", .side = WAN, .in = PGT_ECHO(S1, WANA, 0, V(0), 1, 64),
	 .verdict = TO_LAN, .out = ECHO_OUT(S1, H11, 0, 0x1234, 1)},
	{.name = "host 10 second ping", .t = 1, .side = LAN,
	 .in = PGT_ECHO(H10, S1, 8, 0x1234, 2, 64),
	 .verdict = TO_WAN, .out = ECHO_OUT(WANA, S1, 8, 0x1234, 2), .cnt = {CNT(FLOW_CREATED, 0)}},
	{.name = "host 11 second ping", .t = 1, .side = LAN,
	 .in = PGT_ECHO(H11, S1, 8, 0x1234, 2, 64), .verdict = TO_WAN,
	 .out = ECHO_OUT(WANA, S1, 8, V(0), 2)},
	{.name = "second replies", .t = 1, .side = WAN, .in = PGT_ECHO(S1, WANA, 0, V(0), 2, 64),
	 .verdict = TO_LAN, .out = ECHO_OUT(S1, H11, 0, 0x1234, 2)},
	{.name = "host 10 same id to server 2", .t = 2, .side = LAN,
	 .in = PGT_ECHO(H10, S2, 8, 0x1234, 1, 64), .verdict = TO_WAN,
	 .out = ECHO_OUT(WANA, S2, 8, 0x1234, 1)},
	{.name = "id 0 works", .t = 2, .side = LAN, .in = PGT_ECHO(H12, S2, 8, 0, 1, 64),
	 .verdict = TO_WAN, .out = ECHO_OUT(WANA, S2, 8, 0, 1)},
	{.name = "reply with id 0", .t = 2, .side = WAN, .in = PGT_ECHO(S2, WANA, 0, 0, 1, 64),
	 .verdict = TO_LAN, .out = ECHO_OUT(S2, H12, 0, 0, 1)},
	{.name = "ICMP ids are not UDP ports", .t = 2, .side = LAN,
	 .in = PGT_UDP(H11, 0x1234, S1, 53, 10), .verdict = TO_WAN,
	 .out = UDP_OUT(WANA, 0x1234, S1, 53, 10)},
	END,
};

static const struct pgt_step filter_address_dependent[] = {
	{.name = "UDP out to server 1", .side = LAN, .in = PGT_UDP(H10, 5000, S1, 53, 20),
	 .verdict = TO_WAN, .out = UDP_OUT(WANA, 5000, S1, 53, 20)},
	{.name = "server 1 from another port passes", .side = WAN,
	 .in = PGT_UDP(S1, 5353, WANA, 5000, 20), .verdict = TO_LAN,
	 .out = UDP_OUT(S1, 5353, H10, 5000, 20), .cnt = {CNT(FLOW_CREATED, 1)}},
	{.name = "server 2 is filtered", .side = WAN,
	 .in = PGT_UDP(S2, 53, WANA, 5000, 20), DROPPED(DROP_FILTERED),
	 .cnt = {CNT(FLOW_CREATED, 0)}},
	{.name = "host talks to server 2", .side = LAN, .in = PGT_UDP(H10, 5000, S2, 53, 20),
	 .verdict = TO_WAN, .out = UDP_OUT(WANA, 5000, S2, 53, 20)},
	{.name = "now server 2 passes", .side = WAN, .in = PGT_UDP(S2, 53, WANA, 5000, 20),
	 .verdict = TO_LAN, .out = UDP_OUT(S2, 53, H10, 5000, 20)},
	{.name = "server 2 from any port passes", .side = WAN,
	 .in = PGT_UDP(S2, 9999, WANA, 5000, 20), .verdict = TO_LAN,
	 .out = UDP_OUT(S2, 9999, H10, 5000, 20)},
	{.name = "host answers server 2 port 9999 from 5000", .side = LAN,
	 .in = PGT_UDP(H10, 5000, S2, 9999, 20), .verdict = TO_WAN,
	 .out = UDP_OUT(WANA, 5000, S2, 9999, 20), .cnt = {CNT(FLOW_CREATED, 0)}},
	{.name = "server 3 is still filtered", .side = WAN,
	 .in = PGT_UDP(S3, 53, WANA, 5000, 20), DROPPED(DROP_FILTERED)},
	{.name = "TCP SYN out", .side = LAN, .in = PGT_TCP(H10, 40000, S1, 80, PGT_SYN, 1, 0),
	 .verdict = TO_WAN, .out = TCP_OUT(WANA, 40000, S1, 80, PGT_SYN, 1, 0)},
	{.name = "TCP SYN from server 2 is filtered", .side = WAN,
	 .in = PGT_TCP(S2, 80, WANA, 40000, PGT_SYN, 1, 0), DROPPED(DROP_FILTERED)},
	{.name = "TCP SYN from server 1 other port passes", .side = WAN,
	 .in = PGT_TCP(S1, 8080, WANA, 40000, PGT_SYN, 1, 0), .verdict = TO_LAN,
	 .out = TCP_OUT(S1, 8080, H10, 40000, PGT_SYN, 1, 0)},
	{.name = "TCP ACK from server 1 third port needs a SYN", .side = WAN,
	 .in = PGT_TCP(S1, 8081, WANA, 40000, PGT_ACK, 1, 1), DROPPED(DROP_TCP_NO_FLOW)},
	{.name = "echo out", .side = LAN, .in = PGT_ECHO(H10, S1, 8, 0x4444, 1, 64),
	 .verdict = TO_WAN, .out = ECHO_OUT(WANA, S1, 8, 0x4444, 1)},
	{.name = "echo reply from server 2 is filtered", .side = WAN,
	 .in = PGT_ECHO(S2, WANA, 0, 0x4444, 1, 64), DROPPED(DROP_FILTERED)},
	END,
};

static void endpoint_independent(struct pg_engine_config *cfg)
{
	cfg->filtering = PG_FILTER_ENDPOINT_INDEPENDENT;
}

static const struct pgt_step filter_endpoint_independent[] = {
	{.name = "UDP out to server 1", .side = LAN, .in = PGT_UDP(H10, 5000, S1, 53, 20),
	 .verdict = TO_WAN, .out = UDP_OUT(WANA, 5000, S1, 53, 20)},
	{.name = "server 2 passes", .side = WAN, .in = PGT_UDP(S2, 53, WANA, 5000, 20),
	 .verdict = TO_LAN, .out = UDP_OUT(S2, 53, H10, 5000, 20), .cnt = {CNT(FLOW_CREATED, 1)}},
	{.name = "host answers server 2 from the same port", .side = LAN,
	 .in = PGT_UDP(H10, 5000, S2, 53, 20), .verdict = TO_WAN,
	 .out = UDP_OUT(WANA, 5000, S2, 53, 20), .cnt = {CNT(FLOW_CREATED, 0)}},
	{.name = "server 3 other port passes", .side = WAN, .in = PGT_UDP(S3, 7, WANA, 5000, 20),
	 .verdict = TO_LAN, .out = UDP_OUT(S3, 7, H10, 5000, 20)},
	{.name = "unmapped port still unsolicited", .side = WAN,
	 .in = PGT_UDP(S2, 53, WANA, 5002, 20), DROPPED(DROP_UNSOLICITED)},
	{.name = "TCP SYN out", .side = LAN, .in = PGT_TCP(H10, 40000, S1, 80, PGT_SYN, 1, 0),
	 .verdict = TO_WAN, .out = TCP_OUT(WANA, 40000, S1, 80, PGT_SYN, 1, 0)},
	{.name = "TCP ACK from server 2 needs a SYN", .side = WAN,
	 .in = PGT_TCP(S2, 1234, WANA, 40000, PGT_ACK, 1, 1), DROPPED(DROP_TCP_NO_FLOW)},
	{.name = "TCP SYN from server 2 passes", .side = WAN,
	 .in = PGT_TCP(S2, 1234, WANA, 40000, PGT_SYN, 1, 0), .verdict = TO_LAN,
	 .out = TCP_OUT(S2, 1234, H10, 40000, PGT_SYN, 1, 0)},
	{.name = "host's SYN-ACK to server 2", .side = LAN,
	 .in = PGT_TCP(H10, 40000, S2, 1234, PGT_SYN | PGT_ACK, 5, 2), .verdict = TO_WAN,
	 .out = TCP_OUT(WANA, 40000, S2, 1234, PGT_SYN | PGT_ACK, 5, 2)},
	{.name = "echo out", .side = LAN, .in = PGT_ECHO(H10, S1, 8, 0x4444, 1, 64),
	 .verdict = TO_WAN, .out = ECHO_OUT(WANA, S1, 8, 0x4444, 1)},
	{.name = "echo reply from server 2 passes", .side = WAN,
	 .in = PGT_ECHO(S2, WANA, 0, 0x4444, 1, 64), .verdict = TO_LAN,
	 .out = ECHO_OUT(S2, H10, 0, 0x4444, 1)},
	END,
};

/* A mapping lives as long as any of its flows; then its port is free again. */
static const struct pgt_step mapping_release[] = {
	{.name = "host 10 takes 5000", .side = LAN, .in = PGT_UDP(H10, 5000, S1, 53, 20),
	 .verdict = TO_WAN, .out = UDP_OUT(WANA, 5000, S1, 53, 20)},
	{.name = "host 11 is moved", .t = 100, .side = LAN, .in = PGT_UDP(H11, 5000, S1, 53, 20),
	 .verdict = TO_WAN, .out = UDP_OUT(WANA, V(0), S1, 53, 20), .check = check_moved},
	{.name = "host 12 gets 5000 once host 10's flow is gone", .t = 300, .side = LAN,
	 .in = PGT_UDP(H12, 5000, S2, 53, 20), .verdict = TO_WAN,
	 .out = UDP_OUT(WANA, 5000, S2, 53, 20), NEW_MAPPING_KEPT},
	{.name = "reply for 5000 goes to host 12", .t = 301, .side = WAN,
	 .in = PGT_UDP(S2, 53, WANA, 5000, 20), .verdict = TO_LAN,
	 .out = UDP_OUT(S2, 53, H12, 5000, 20)},
	{.name = "host 10's old server is filtered now", .t = 301, .side = WAN,
	 .in = PGT_UDP(S1, 53, WANA, 5000, 20), DROPPED(DROP_FILTERED)},
	{.name = "host 11 still has its port", .t = 301, .side = WAN,
	 .in = PGT_UDP(S1, 53, WANA, V(0), 20), .verdict = TO_LAN,
	 .out = UDP_OUT(S1, 53, H11, 5000, 20)},
	END,
};

/* IP options move the transport header: every rewrite must follow it. */
static const uint8_t rr_opt[] = {0x07, 0x0b, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0x00};

#define WITH_OPTS .ip_opts = rr_opt, .ip_optlen = sizeof(rr_opt)

static const struct pgt_step ip_options[] = {
	{.name = "TCP SYN with options out", .side = LAN,
	 .in = {.proto = PGT_P_TCP, .src = H10, .sport = 4000, .dst = S1, .dport = 80,
		.tcp_flags = PGT_SYN, .seq = 1, WITH_OPTS},
	 .verdict = TO_WAN,
	 .out = {.proto = PGT_P_TCP, .src = WANA, .sport = 4000, .dst = S1, .dport = 80,
		 .tcp_flags = PGT_SYN, .seq = 1, .ttl = 63, WITH_OPTS}},
	{.name = "TCP SYN-ACK with options back", .side = WAN,
	 .in = {.proto = PGT_P_TCP, .src = S1, .sport = 80, .dst = WANA, .dport = 4000,
		.tcp_flags = PGT_SYN | PGT_ACK, .seq = 9, .ack = 2, WITH_OPTS},
	 .verdict = TO_LAN,
	 .out = {.proto = PGT_P_TCP, .src = S1, .sport = 80, .dst = H10, .dport = 4000,
		 .tcp_flags = PGT_SYN | PGT_ACK, .seq = 9, .ack = 2, .ttl = 63, WITH_OPTS}},
	{.name = "UDP with options, port kept (TCP's 4000 is another space)", .side = LAN,
	 .in = {.proto = PGT_P_UDP, .src = H10, .sport = 4000, .dst = S1, .dport = 53, .paylen = 7,
		WITH_OPTS},
	 .verdict = TO_WAN,
	 .out = {.proto = PGT_P_UDP, .src = WANA, .sport = 4000, .dst = S1, .dport = 53,
		 .paylen = 7, .ttl = 63, WITH_OPTS}},
	{.name = "UDP with options, moved port", .side = LAN,
	 .in = {.proto = PGT_P_UDP, .src = H11, .sport = 4000, .dst = S1, .dport = 53, .paylen = 7,
		WITH_OPTS},
	 .verdict = TO_WAN, .check = check_moved,
	 .out = {.proto = PGT_P_UDP, .src = WANA, .sport = V(0), .dst = S1, .dport = 53,
		 .paylen = 7, .ttl = 63, WITH_OPTS}},
	{.name = "UDP with options back", .side = WAN,
	 .in = {.proto = PGT_P_UDP, .src = S1, .sport = 53, .dst = WANA, .dport = V(0),
		.paylen = 9, WITH_OPTS},
	 .verdict = TO_LAN,
	 .out = {.proto = PGT_P_UDP, .src = S1, .sport = 53, .dst = H11, .dport = 4000,
		 .paylen = 9, .ttl = 63, WITH_OPTS}},
	{.name = "echo with options, moved id", .side = LAN,
	 .in = {.proto = PGT_P_ICMP, .src = H10, .dst = S1, .icmp_type = 8, .icmp_id = 77,
		.icmp_seq = 1, .paylen = 5, WITH_OPTS},
	 .verdict = TO_WAN,
	 .out = {.proto = PGT_P_ICMP, .src = WANA, .dst = S1, .icmp_type = 8, .icmp_id = 77,
		 .icmp_seq = 1, .paylen = 5, .ttl = 63, WITH_OPTS}},
	{.name = "second host same id with options", .side = LAN,
	 .in = {.proto = PGT_P_ICMP, .src = H11, .dst = S1, .icmp_type = 8, .icmp_id = 77,
		.icmp_seq = 1, .paylen = 5, WITH_OPTS},
	 .verdict = TO_WAN, .check = check_moved,
	 .out = {.proto = PGT_P_ICMP, .src = WANA, .dst = S1, .icmp_type = 8, .icmp_id = V(1),
		 .icmp_seq = 1, .paylen = 5, .ttl = 63, WITH_OPTS}},
	{.name = "its echo reply with options", .side = WAN,
	 .in = {.proto = PGT_P_ICMP, .src = S1, .dst = WANA, .icmp_type = 0, .icmp_id = V(1),
		.icmp_seq = 1, .paylen = 5, WITH_OPTS},
	 .verdict = TO_LAN,
	 .out = {.proto = PGT_P_ICMP, .src = S1, .dst = H11, .icmp_type = 0, .icmp_id = 77,
		 .icmp_seq = 1, .paylen = 5, .ttl = 63, WITH_OPTS}},
	END,
};

/* A WAN neighbour is reached directly, not through the next hop. */
static const struct pgt_step wan_neighbour[] = {
	{.name = "to a host on the WAN prefix", .side = LAN,
	 .in = PGT_UDP(H10, 5000, "198.51.100.77", 53, 8), .verdict = TO_WAN,
	 .out = UDP_OUT(WANA, 5000, "198.51.100.77", 53, 8)},
	{.name = "its answer", .side = WAN, .in = PGT_UDP("198.51.100.77", 53, WANA, 5000, 8),
	 .verdict = TO_LAN, .out = UDP_OUT("198.51.100.77", 53, H10, 5000, 8)},
	END,
};

/*
 * TCP as UDP (RFC 5382 REQ-1, REQ-3, REQ-7): one public port per inside
 * endpoint whatever the server, never one port for two endpoints, and
 * address-dependent filtering of new connections to the mapping.
 */
static const struct pgt_step tcp_eim_adf[] = {
	{.name = "SYN to server 1", .side = LAN, .in = PGT_TCP(H10, 5000, S1, 80, PGT_SYN, 1, 0),
	 .verdict = TO_WAN, .out = TCP_OUT(WANA, 5000, S1, 80, PGT_SYN, 1, 0), NEW_MAPPING_KEPT},
	{.name = "same endpoint to server 2: same public port", .side = LAN,
	 .in = PGT_TCP(H10, 5000, S2, 443, PGT_SYN, 1, 0), .verdict = TO_WAN,
	 .out = TCP_OUT(WANA, 5000, S2, 443, PGT_SYN, 1, 0), NEW_FLOW_OLD_MAPPING},
	{.name = "another host on the same inside port: another public port", .side = LAN,
	 .in = PGT_TCP(H11, 5000, S1, 80, PGT_SYN, 1, 0), .verdict = TO_WAN, .check = check_moved,
	 .out = TCP_OUT(WANA, V(0), S1, 80, PGT_SYN, 1, 0), NEW_MAPPING_MOVED},
	{.name = "server 1 from another port may open a connection", .side = WAN,
	 .in = PGT_TCP(S1, 8080, WANA, 5000, PGT_SYN, 9, 0), .verdict = TO_LAN,
	 .out = TCP_OUT(S1, 8080, H10, 5000, PGT_SYN, 9, 0)},
	{.name = "a server the endpoint never talked to may not", .side = WAN,
	 .in = PGT_TCP(S3, 80, WANA, 5000, PGT_SYN, 9, 0), DROPPED(DROP_FILTERED)},
	END,
};

static struct pgt_ctx g_ctx;

static const struct pgt_scenario scenarios[] = {
	{"eim: TCP, with address-dependent filtering", NULL, tcp_eim_adf},
	{"eim: one public port to every server", NULL, eim_two_servers},
	{"eim: two hosts on one inside port", NULL, same_port_two_hosts},
	{"ports: parity and range kept", NULL, parity_and_range},
	{"icmp: two hosts with one identifier", NULL, icmp_ids},
	{"filtering: address-dependent", NULL, filter_address_dependent},
	{"filtering: endpoint-independent", endpoint_independent, filter_endpoint_independent},
	{"mapping: released with its last flow", NULL, mapping_release},
	{"options: every rewrite past IP options", NULL, ip_options},
	{"routing: WAN neighbour reached on-link", NULL, wan_neighbour},
};

static void big_lan(struct pg_engine_config *cfg)
{
	cfg->lan_prefix = 16;
	cfg->max_flows = 65536;
}

/*
 * 32256 even ports in 1024..65534: that many hosts using inside port 5000 all
 * get one, the next is refused with drop_ports_exhausted, and every mapping
 * is distinct (no port overloading).
 */
static void test_ports_exhausted(void **state)
{
	struct pgt_ctx *ctxp = &g_ctx;
	struct pgt_pkt *p = test_malloc(sizeof(*p));
	uint8_t *seen = test_calloc(65536, 1);
	const uint64_t *cnt;
	char err[512], host[32];
	unsigned int i;

	(void)state;
	assert_int_equal(pgt_ctx_init(ctxp, big_lan), 0);
	for (i = 0; i <= 32256; i++) {
		struct pgt_spec s = PGT_UDP(host, 5000, PGT_S1, 53, 4);
		uint16_t port;

		snprintf(host, sizeof(host), "192.168.%u.%u", 2 + i / 250, 1 + i % 250);
		memset(p, 0, offsetof(struct pgt_pkt, len));
		p->len = pgt_build(&s, NULL, p->buf, PGT_BUF, NULL);
		p->cap = 0;
		p->side = PG_SIDE_LAN;
		if (pgt_run(ctxp->e, p, 1, PGT_T0_MS + i, err, sizeof(err)))
			fail_msg("%s", err);
		if (i == 32256)
			break;
		if (p->verdict != PG_VERDICT_TO_WAN)
			fail_msg("host %u (%s): %s (%s) with %u mappings made", i, host,
				 pgt_verdict_name(p->verdict), pgt_counter(p->drop_reason), i);
		port = pgt_get16(p->buf + 20);
		if (port & 1 || port < 1024 || seen[port])
			fail_msg("host %u: public port %u (odd, low or given twice)", i, port);
		seen[port] = 1;
	}
	if (p->verdict != PG_VERDICT_DROP || p->drop_reason != PG_CNT_DROP_PORTS_EXHAUSTED)
		fail_msg("mapping 32257: %s (%s), want drop_ports_exhausted",
			 pgt_verdict_name(p->verdict), pgt_counter(p->drop_reason));
	cnt = pg_engine_counters(ctxp->e);
	assert_int_equal(cnt[PG_CNT_DROP_PORTS_EXHAUSTED], 1);
	assert_int_equal(cnt[PG_CNT_MAPPING_CREATED], 32256);
	pgt_ctx_fini(ctxp);
	test_free(seen);
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
	struct CMUnitTest t[PGT_ARRAY_SIZE(scenarios) + 1];
	size_t k = pgt_cm_add(t, scenarios, PGT_ARRAY_SIZE(scenarios));

	t[k++] = (struct CMUnitTest)cmocka_unit_test_teardown(test_ports_exhausted, ctx_teardown);
	return _cmocka_run_group_tests("nat", t, k, NULL, NULL);
}
