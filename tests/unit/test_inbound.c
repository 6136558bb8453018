/* SPDX-License-Identifier: MIT */
/*
 * test_inbound.c - servers inside the LAN: port forwards (ports, ranges, GRE
 * and ESP), forwards next to passthrough on the same port, the DMZ host, and
 * hairpinning to a forward and through a UDP mapping.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../lib/rows.h"

#define TCP63(s, sp, d, dp, fl) PGT_TCP_TTL(s, sp, d, dp, fl, 1, (fl) & PGT_ACK ? 2 : 0, 63)
#define TCP64(s, sp, d, dp, fl) PGT_TCP(s, sp, d, dp, fl, 1, (fl) & PGT_ACK ? 2 : 0)
#define UDP63(s, sp, d, dp) PGT_UDP_TTL(s, sp, d, dp, 20, 63)
#define UDP64(s, sp, d, dp) PGT_UDP(s, sp, d, dp, 20)
#define GRE0(s, d, tl)                                                                             \
	{                                                                                          \
		.proto = PGT_P_GRE, .src = (s), .dst = (d), .paylen = 40, .ttl = (tl)              \
	}
#define ESPX(s, d, k, tl)                                                                          \
	{                                                                                          \
		.proto = PGT_P_ESP, .src = (s), .dst = (d), .spi = (k), .esp_seq = 1,              \
		.paylen = 48, .ttl = (tl)                                                          \
	}

static void fwd(struct pg_engine_config *c, uint8_t proto, uint16_t lo, uint16_t hi,
		const char *host, uint16_t llo, uint16_t lhi)
{
	struct pg_port_forward *r = &c->forwards[c->nforwards++];

	r->proto = proto;
	r->wan_lo = lo;
	r->wan_hi = hi;
	r->lan_lo = llo;
	r->lan_hi = lhi;
	r->host = htonl(pgt_addr(host));
}

static void forwards(struct pg_engine_config *c)
{
	fwd(c, PGT_P_TCP, 8080, 8080, H10, 80, 80);
	fwd(c, PGT_P_UDP, 500, 500, H12, 500, 500);
	fwd(c, PGT_P_GRE, 0, 0, H12, 0, 0);
	fwd(c, PGT_P_ESP, 0, 0, H12, 0, 0);
	fwd(c, PGT_P_TCP, 9000, 9002, H11, 9000, 9002);
}

static const struct pgt_step forward_steps[] = {
	{.name = "SYN to 8080 reaches H10:80", .side = WAN, .in = TCP64(S1, 40000, WANA, 8080, PGT_SYN),
	 .verdict = TO_LAN, .out = TCP63(S1, 40000, H10, 80, PGT_SYN),
	 .cnt = {CNT(FORWARDED_NEW, 1)}},
	{.name = "H10 answers from 8080", .side = LAN, .in = TCP64(H10, 80, S1, 40000, SA),
	 .verdict = TO_WAN, .out = TCP63(WANA, 8080, S1, 40000, SA)},
	{.name = "a stray ACK opens nothing", .side = WAN, .in = TCP64(S2, 40000, WANA, 8080, PGT_ACK),
	 DROPPED(DROP_TCP_NO_FLOW)},
	{.name = "a port in the range", .side = WAN, .in = TCP64(S2, 1234, WANA, 9001, PGT_SYN),
	 .verdict = TO_LAN, .out = TCP63(S2, 1234, H11, 9001, PGT_SYN)},
	{.name = "UDP 500 to the inside IPsec server", .side = WAN, .in = UDP64(S2, 500, WANA, 500),
	 .verdict = TO_LAN, .out = UDP63(S2, 500, H12, 500)},
	{.name = "a LAN client's IKE cannot take public 500", .side = LAN,
	 .in = UDP64(H10, 500, S1, 500), .verdict = TO_WAN, .out = UDP63(WANA, V(0), S1, 500)},
	{.name = "its answers still reach it", .side = WAN, .in = UDP64(S1, 500, WANA, V(0)),
	 .verdict = TO_LAN, .out = UDP63(S1, 500, H10, 500)},
	{.name = "the same server on 500 reaches the forward", .side = WAN,
	 .in = UDP64(S1, 500, WANA, 500), .verdict = TO_LAN, .out = UDP63(S1, 500, H12, 500)},
	{.name = "GRE to the inside server", .side = WAN, .in = GRE0(S2, WANA, 64), .verdict = TO_LAN,
	 .out = GRE0(S2, H12, 63)},
	{.name = "GRE back out", .side = LAN, .in = GRE0(H12, S2, 64), .verdict = TO_WAN,
	 .out = GRE0(WANA, S2, 63), .cnt = {CNT(FLOW_CREATED, 0)}},
	{.name = "ESP to the inside server", .side = WAN, .in = ESPX(S2, WANA, 0x1111, 64),
	 .verdict = TO_LAN, .out = ESPX(S2, H12, 0x1111, 63)},
	{.name = "ESP back out, any SPI", .side = LAN, .in = ESPX(H12, S2, 0x2222, 64),
	 .verdict = TO_WAN, .out = ESPX(WANA, S2, 0x2222, 63), .cnt = {CNT(FLOW_CREATED, 0)}},
	{.name = "an unforwarded port stays shut", .side = WAN, .in = TCP64(S1, 1, WANA, 22, PGT_SYN),
	 DROPPED(DROP_UNSOLICITED)},
	END,
};

static void dmz_h11(struct pg_engine_config *c)
{
	c->dmz_host = htonl(pgt_addr(H11));
	fwd(c, PGT_P_TCP, 8080, 8080, H10, 80, 80);
}

static const struct pgt_step dmz_steps[] = {
	{.name = "forwards come first", .side = WAN, .in = TCP64(S1, 40000, WANA, 8080, PGT_SYN),
	 .verdict = TO_LAN, .out = TCP63(S1, 40000, H10, 80, PGT_SYN)},
	{.name = "unsolicited UDP goes to the DMZ host", .side = WAN, .in = UDP64(S1, 7000, WANA, 5555),
	 .verdict = TO_LAN, .out = UDP63(S1, 7000, H11, 5555), .cnt = {CNT(DMZ_NEW, 1)}},
	{.name = "which answers from the same port", .side = LAN, .in = UDP64(H11, 5555, S1, 7000),
	 .verdict = TO_WAN, .out = UDP63(WANA, 5555, S1, 7000)},
	{.name = "unsolicited SYN too", .side = WAN, .in = TCP64(S2, 1000, WANA, 22, PGT_SYN),
	 .verdict = TO_LAN, .out = TCP63(S2, 1000, H11, 22, PGT_SYN)},
	{.name = "a LAN host's mapping", .side = LAN, .in = UDP64(H10, 6000, S1, 53),
	 .verdict = TO_WAN, .out = UDP63(WANA, 6000, S1, 53)},
	{.name = "is still filtered, not sent to the DMZ", .side = WAN,
	 .in = UDP64(S2, 53, WANA, 6000), DROPPED(DROP_FILTERED)},
	{.name = "GRE goes to the DMZ host", .side = WAN, .in = GRE0(S2, WANA, 64), .verdict = TO_LAN,
	 .out = GRE0(S2, H11, 63)},
	{.name = "ping is the gateway's", .side = WAN, .in = PGT_ECHO(S1, WANA, 8, 9, 1, 64),
	 .verdict = TO_WAN, .out = PGT_ECHO(WANA, S1, 0, 9, 1, 64)},
	END,
};

static void hairpin_cfg(struct pg_engine_config *c)
{
	fwd(c, PGT_P_TCP, 8080, 8080, H10, 80, 80);
}

static const struct pgt_step hairpin_steps[] = {
	{.name = "H11 to the public address:8080 reaches H10:80", .side = LAN,
	 .in = TCP64(H11, 40000, WANA, 8080, PGT_SYN), .verdict = TO_LAN,
	 .out = TCP63(WANA, 40000, H10, 80, PGT_SYN), .cnt = {CNT(HAIRPINNED, 1)}},
	{.name = "H10's answer goes back through the gateway", .side = LAN,
	 .in = TCP64(H10, 80, WANA, 40000, SA), .verdict = TO_LAN,
	 .out = TCP63(WANA, 8080, H11, 40000, SA)},
	{.name = "and on", .side = LAN, .in = TCP64(H11, 40000, WANA, 8080, PGT_ACK),
	 .verdict = TO_LAN, .out = TCP63(WANA, 40000, H10, 80, PGT_ACK)},
	{.name = "a segment of a hairpin connection it does not know: reset", .side = LAN,
	 .in = TCP64(H11, 40002, WANA, 8080, PGT_ACK), RESET(DROP_TCP_NO_FLOW),
	 .cnt = {CNT(TCP_RESET_SENT, 1)}},
	{.name = "a port nobody has is the gateway's", .side = LAN,
	 .in = TCP64(H11, 40001, WANA, 22, PGT_SYN), .verdict = TO_GW},
	END,
};

static void eif(struct pg_engine_config *c)
{
	c->filtering = PG_FILTER_ENDPOINT_INDEPENDENT;
}

static const struct pgt_step hairpin_udp_steps[] = {
	{.name = "H10 talks out from 5000", .side = LAN, .in = UDP64(H10, 5000, S1, 3478),
	 .verdict = TO_WAN, .out = UDP63(WANA, 5000, S1, 3478)},
	{.name = "H11 reaches H10 through its public mapping", .side = LAN,
	 .in = UDP64(H11, 6000, WANA, 5000), .verdict = TO_LAN, .out = UDP63(WANA, 6000, H10, 5000)},
	{.name = "H10 answers H11's public mapping", .side = LAN, .in = UDP64(H10, 5000, WANA, 6000),
	 .verdict = TO_LAN, .out = UDP63(WANA, 5000, H11, 6000)},
	END,
};

/* Hole punching under address-dependent filtering: the first try is refused. */
static const struct pgt_step hairpin_adf_steps[] = {
	{.name = "H10 talks out from 5000", .side = LAN, .in = UDP64(H10, 5000, S1, 3478),
	 .verdict = TO_WAN, .out = UDP63(WANA, 5000, S1, 3478)},
	{.name = "H11 talks out from 6000", .side = LAN, .in = UDP64(H11, 6000, S1, 3478),
	 .verdict = TO_WAN, .out = UDP63(WANA, 6000, S1, 3478)},
	{.name = "H10 to H11's mapping: H11 never sent to us, refused", .side = LAN,
	 .in = UDP64(H10, 5000, WANA, 6000), DROPPED(DROP_FILTERED)},
	{.name = "H11 to H10's mapping: H10 did, so it passes", .side = LAN,
	 .in = UDP64(H11, 6000, WANA, 5000), .verdict = TO_LAN, .out = UDP63(WANA, 6000, H10, 5000)},
	{.name = "H10 again: now on H11's own flow", .side = LAN, .in = UDP64(H10, 5000, WANA, 6000),
	 .verdict = TO_LAN, .out = UDP63(WANA, 5000, H11, 6000)},
	END,
};

/*
 * A host sending to its own public mapping gets the packet back from that
 * mapping (RFC 4787 REQ-9; the STUN hairpinning test, RFC 5780 4.6), under
 * the default address-dependent filtering: sending to our own address is
 * what lets it in.
 */
static const struct pgt_step hairpin_self_steps[] = {
	{.name = "H10 learns its mapping from a STUN server", .side = LAN,
	 .in = UDP64(H10, 5000, S1, 3478), .verdict = TO_WAN, .out = UDP63(WANA, 5000, S1, 3478)},
	{.name = "H10 to its own public address:port comes back from it", .side = LAN,
	 .in = UDP64(H10, 5000, WANA, 5000), .verdict = TO_LAN,
	 .out = UDP63(WANA, 5000, H10, 5000), .cnt = {CNT(HAIRPINNED, 1)}},
	{.name = "and again, on the same flow", .side = LAN, .in = UDP64(H10, 5000, WANA, 5000),
	 .verdict = TO_LAN, .out = UDP63(WANA, 5000, H10, 5000), .cnt = {CNT(HAIRPINNED, 0)}},
	{.name = "another socket of H10 reaches it too", .side = LAN,
	 .in = UDP64(H10, 5001, WANA, 5000), .verdict = TO_LAN, .out = UDP63(WANA, 5001, H10, 5000)},
	END,
};

/* TCP to oneself through the public address: a simultaneous open with itself. */
static const struct pgt_step hairpin_self_tcp_steps[] = {
	{.name = "H10 opens a connection out from 5000", .side = LAN,
	 .in = TCP64(H10, 5000, S1, 80, PGT_SYN), .verdict = TO_WAN,
	 .out = TCP63(WANA, 5000, S1, 80, PGT_SYN)},
	{.name = "its SYN to its own mapping comes back to it", .side = LAN,
	 .in = TCP64(H10, 5000, WANA, 5000, PGT_SYN), .verdict = TO_LAN,
	 .out = TCP63(WANA, 5000, H10, 5000, PGT_SYN)},
	{.name = "SYN-ACK", .side = LAN, .in = TCP64(H10, 5000, WANA, 5000, SA), .verdict = TO_LAN,
	 .out = TCP63(WANA, 5000, H10, 5000, SA)},
	{.name = "established: data 1000 s later", .t = 1000, .side = LAN,
	 .in = TCP64(H10, 5000, WANA, 5000, PGT_ACK), .verdict = TO_LAN,
	 .out = TCP63(WANA, 5000, H10, 5000, PGT_ACK)},
	END,
};

static void esp_forward(struct pg_engine_config *c)
{
	fwd(c, PGT_P_ESP, 0, 0, H12, 0, 0);
}

/* An ESP forward must not take the answers a LAN client's own SA waits for. */
static const struct pgt_step esp_forward_steps[] = {
	{.name = "H10's raw ESP out", .side = LAN, .in = ESPX(H10, S1, 0xc0010001, 64),
	 .verdict = TO_WAN, .out = ESPX(WANA, S1, 0xc0010001, 63)},
	{.name = "the server's answer is learnt for H10", .side = WAN,
	 .in = ESPX(S1, WANA, 0x0badf00d, 64), .verdict = TO_LAN, .out = ESPX(S1, H10, 0x0badf00d, 63),
	 .cnt = {CNT(ESP_SPI_LEARNED, 1), CNT(FORWARDED_NEW, 0)}},
	{.name = "another server's ESP goes to the forward", .side = WAN,
	 .in = ESPX(S2, WANA, 0x1111, 64), .verdict = TO_LAN, .out = ESPX(S2, H12, 0x1111, 63),
	 .cnt = {CNT(FORWARDED_NEW, 1)}},
	END,
};

static const struct pgt_scenario scenarios[] = {
	{"hairpin: hole punching under address-dependent filtering", NULL, hairpin_adf_steps},
	{"forwards: an ESP forward next to ESP passthrough", esp_forward, esp_forward_steps},
	{"forwards: ports, ranges, GRE, ESP, next to passthrough", forwards, forward_steps},
	{"dmz: what nothing else claims", dmz_h11, dmz_steps},
	{"hairpin: to a forward, back through the gateway", hairpin_cfg, hairpin_steps},
	{"hairpin: UDP through each other's mappings", eif, hairpin_udp_steps},
	{"hairpin: a host to its own mapping (UDP)", NULL, hairpin_self_steps},
	{"hairpin: a host to its own mapping (TCP)", NULL, hairpin_self_tcp_steps},
};

PGT_MAIN("inbound", scenarios)
