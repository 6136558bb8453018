/* SPDX-License-Identifier: MIT */
/*
 * test_ipsec.c - IKE and NAT-T seen and counted, several clients on source
 * ports 500, 4500 and 1701 to one server, an L2TP server answering from
 * another port under both filtering modes, and the IPsec and L2TP switches.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../lib/rows.h"

#define UDPP(s, sp, d, dp, pl, n)                                                                  \
	{                                                                                          \
		.proto = PGT_P_UDP, .src = (s), .sport = (sp), .dst = (d), .dport = (dp),          \
		.payload = (pl), .paylen = (n)                                                     \
	}
#define UDPP_OUT(s, sp, d, dp, pl, n)                                                              \
	{                                                                                          \
		.proto = PGT_P_UDP, .src = (s), .sport = (sp), .dst = (d), .dport = (dp),          \
		.payload = (pl), .paylen = (n), .ttl = 63                                          \
	}

/* IKEv2 IKE_SA_INIT header: SPIi, SPIr 0, next payload SA, version 2.0, exchange 34. */
static const uint8_t ike_v2[28] = {1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0,
				   33, 0x20, 34, 0x08, 0, 0, 0, 0, 0, 0, 0, 28};
/* IKEv1 Main Mode header: version 1.0, exchange 2. */
static const uint8_t ike_v1[28] = {9, 9, 9, 9, 9, 9, 9, 9, 0, 0, 0, 0, 0, 0, 0, 0,
				   1, 0x10, 2, 0, 0, 0, 0, 0, 0, 0, 0, 28};
/* NAT-T: the non-ESP marker then IKE; ESP-in-UDP (SPI, seq); a keepalive. */
static const uint8_t natt_ike[32] = {0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0xa, 0xb, 0xc, 0xd,
				     0, 0, 0, 1, 46, 0x20, 35, 0x08, 0, 0, 0, 1, 0, 0, 0, 28};
static const uint8_t natt_esp[24] = {0xc0, 0, 0, 1, 0, 0, 0, 1, 0xaa, 0xbb};
static const uint8_t keepalive[1] = {0xff};
/* L2TP control (T, L, S, version 2) and data (version 2). */
static const uint8_t l2tp_ctl[12] = {0xc8, 0x02, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0};
static const uint8_t l2tp_data[8] = {0x00, 0x02, 0, 1, 0, 1, 0xff, 0x03};

static const struct pgt_step ike_port_500[] = {
	{.name = "first client keeps source port 500", .side = LAN,
	 .in = UDPP(H10, 500, S1, 500, ike_v2, 28), .verdict = TO_WAN,
	 .out = UDPP_OUT(WANA, 500, S1, 500, ike_v2, 28),
	 .cnt = {CNT(IKE_V2, 1), CNT(PORT_PRESERVED, 1)}},
	{.name = "second client gets another system port", .side = LAN,
	 .in = UDPP(H11, 500, S1, 500, ike_v1, 28), .verdict = TO_WAN,
	 .out = UDPP_OUT(WANA, V(0), S1, 500, ike_v1, 28), .cnt = {CNT(IKE_V1, 1)}},
	{.name = "server answers the first", .side = WAN,
	 .in = UDPP(S1, 500, WANA, 500, ike_v2, 28), .verdict = TO_LAN,
	 .out = UDPP_OUT(S1, 500, H10, 500, ike_v2, 28), .cnt = {CNT(IKE_V2, 1)}},
	{.name = "and the second on its own port", .side = WAN,
	 .in = UDPP(S1, 500, WANA, V(0), ike_v1, 28), .verdict = TO_LAN,
	 .out = UDPP_OUT(S1, 500, H11, 500, ike_v1, 28)},
	{.name = "a short IKE message is counted, not dropped", .side = LAN,
	 .in = UDPP(H10, 500, S1, 500, ike_v2, 20), .verdict = TO_WAN,
	 .out = UDPP_OUT(WANA, 500, S1, 500, ike_v2, 20), .cnt = {CNT(IKE_MALFORMED, 1)}},
	END,
};

static const struct pgt_step natt[] = {
	{.name = "IKE floats to 4500", .side = LAN, .in = UDPP(H10, 4500, S1, 4500, natt_ike, 32),
	 .verdict = TO_WAN, .out = UDPP_OUT(WANA, 4500, S1, 4500, natt_ike, 32),
	 .cnt = {CNT(NATT_FLOWS, 1), CNT(IKE_V2, 1)}},
	{.name = "second client's 4500 remapped", .side = LAN,
	 .in = UDPP(H11, 4500, S1, 4500, natt_ike, 32), .verdict = TO_WAN,
	 .out = UDPP_OUT(WANA, V(0), S1, 4500, natt_ike, 32), .cnt = {CNT(NATT_FLOWS, 1)}},
	{.name = "ESP in UDP out", .side = LAN, .in = UDPP(H10, 4500, S1, 4500, natt_esp, 24),
	 .verdict = TO_WAN, .out = UDPP_OUT(WANA, 4500, S1, 4500, natt_esp, 24),
	 .cnt = {CNT(NATT_ESP, 1)}},
	{.name = "ESP in UDP back to the second", .side = WAN,
	 .in = UDPP(S1, 4500, WANA, V(0), natt_esp, 24), .verdict = TO_LAN,
	 .out = UDPP_OUT(S1, 4500, H11, 4500, natt_esp, 24)},
	{.name = "keepalive", .t = 20, .side = LAN, .in = UDPP(H10, 4500, S1, 4500, keepalive, 1),
	 .verdict = TO_WAN, .out = UDPP_OUT(WANA, 4500, S1, 4500, keepalive, 1),
	 .cnt = {CNT(NATT_KEEPALIVES, 1)}},
	/* 20 s keepalives keep the mapping far beyond the UDP timeout. */
	{.name = "keepalive at 280 s", .t = 280, .side = LAN,
	 .in = UDPP(H10, 4500, S1, 4500, keepalive, 1), .verdict = TO_WAN,
	 .out = UDPP_OUT(WANA, 4500, S1, 4500, keepalive, 1)},
	{.name = "keepalive at 560 s", .t = 560, .side = LAN,
	 .in = UDPP(H10, 4500, S1, 4500, keepalive, 1), .verdict = TO_WAN,
	 .out = UDPP_OUT(WANA, 4500, S1, 4500, keepalive, 1)},
	{.name = "server's ESP still arrives", .t = 561, .side = WAN,
	 .in = UDPP(S1, 4500, WANA, 4500, natt_esp, 24), .verdict = TO_LAN,
	 .out = UDPP_OUT(S1, 4500, H10, 4500, natt_esp, 24)},
	END,
};

/* RFC 2661 8.1: the server may answer from another port than 1701. */
static const struct pgt_step l2tp_other_port[] = {
	{.name = "SCCRQ out from 1701", .side = LAN, .in = UDPP(H10, 1701, S1, 1701, l2tp_ctl, 12),
	 .verdict = TO_WAN, .out = UDPP_OUT(WANA, 1701, S1, 1701, l2tp_ctl, 12),
	 .cnt = {CNT(L2TP_TUNNEL_FLOWS, 1), CNT(L2TP_CONTROL, 1)}},
	{.name = "second client, same port", .side = LAN,
	 .in = UDPP(H11, 1701, S1, 1701, l2tp_ctl, 12), .verdict = TO_WAN,
	 .out = UDPP_OUT(WANA, V(0), S1, 1701, l2tp_ctl, 12)},
	{.name = "server answers from port 1702", .side = WAN,
	 .in = UDPP(S1, 1702, WANA, 1701, l2tp_ctl, 12), .verdict = TO_LAN,
	 .out = UDPP_OUT(S1, 1702, H10, 1701, l2tp_ctl, 12), .cnt = {CNT(FLOW_CREATED, 1)}},
	{.name = "and to the second from port 1703", .side = WAN,
	 .in = UDPP(S1, 1703, WANA, V(0), l2tp_ctl, 12), .verdict = TO_LAN,
	 .out = UDPP_OUT(S1, 1703, H11, 1701, l2tp_ctl, 12)},
	{.name = "client follows to 1702", .side = LAN,
	 .in = UDPP(H10, 1701, S1, 1702, l2tp_data, 8), .verdict = TO_WAN,
	 .out = UDPP_OUT(WANA, 1701, S1, 1702, l2tp_data, 8), .cnt = {CNT(L2TP_DATA, 1)}},
	{.name = "another server may not answer", .side = WAN,
	 .in = UDPP(PGT_S2, 1701, WANA, 1701, l2tp_ctl, 12), DROPPED(DROP_FILTERED)},
	END,
};

static void eif(struct pg_engine_config *cfg)
{
	cfg->filtering = PG_FILTER_ENDPOINT_INDEPENDENT;
}

static void ipsec_l2tp_off(struct pg_engine_config *cfg)
{
	cfg->ipsec_passthrough = false;
	cfg->l2tp_passthrough = false;
}

static const struct pgt_step switches_off[] = {
	{.name = "IKE out refused", .side = LAN, .in = UDPP(H10, 500, S1, 500, ike_v2, 28),
	 DROPPED(DROP_PASSTHROUGH_OFF)},
	{.name = "NAT-T out refused", .side = LAN, .in = UDPP(H10, 4500, S1, 4500, natt_ike, 32),
	 DROPPED(DROP_PASSTHROUGH_OFF)},
	{.name = "ESP out refused", .side = LAN,
	 .in = {.proto = PGT_P_ESP, .src = H10, .dst = S1, .spi = 0x100, .esp_seq = 1,
		.paylen = 32},
	 DROPPED(DROP_PASSTHROUGH_OFF)},
	{.name = "L2TP out refused", .side = LAN, .in = UDPP(H10, 1701, S1, 1701, l2tp_ctl, 12),
	 DROPPED(DROP_PASSTHROUGH_OFF)},
	{.name = "other UDP still passes", .side = LAN, .in = UDPP(H10, 5000, S1, 53, ike_v2, 28),
	 .verdict = TO_WAN, .out = UDPP_OUT(WANA, 5000, S1, 53, ike_v2, 28)},
	END,
};

static void apdf(struct pg_engine_config *cfg)
{
	cfg->filtering = PG_FILTER_ADDRESS_PORT_DEPENDENT;
}

/* The strictest filtering: a reply from another port is dropped, except L2TP's. */
static const struct pgt_step apdf_steps[] = {
	{.name = "UDP out to S1:53", .side = LAN, .in = UDPP(H11, 5000, S1, 53, keepalive, 1),
	 .verdict = TO_WAN, .out = UDPP_OUT(WANA, 5000, S1, 53, keepalive, 1)},
	{.name = "the reply from port 53 passes", .side = WAN,
	 .in = UDPP(S1, 53, WANA, 5000, keepalive, 1), .verdict = TO_LAN,
	 .out = UDPP_OUT(S1, 53, H11, 5000, keepalive, 1)},
	{.name = "a reply from another port is dropped", .side = WAN,
	 .in = UDPP(S1, 54, WANA, 5000, keepalive, 1), DROPPED(DROP_FILTERED)},
	{.name = "L2TP out from 1701", .side = LAN, .in = UDPP(H10, 1701, S1, 1701, l2tp_ctl, 12),
	 .verdict = TO_WAN, .out = UDPP_OUT(WANA, 1701, S1, 1701, l2tp_ctl, 12)},
	{.name = "the L2TP server answers from 1702 all the same", .side = WAN,
	 .in = UDPP(S1, 1702, WANA, 1701, l2tp_ctl, 12), .verdict = TO_LAN,
	 .out = UDPP_OUT(S1, 1702, H10, 1701, l2tp_ctl, 12)},
	{.name = "another server may not", .side = WAN,
	 .in = UDPP(PGT_S2, 1702, WANA, 1701, l2tp_ctl, 12), DROPPED(DROP_FILTERED)},
	END,
};

static const struct pgt_scenario scenarios[] = {
	{"filtering: address-and-port-dependent, L2TP excepted", apdf, apdf_steps},
	{"ike: port 500 kept for the first client", NULL, ike_port_500},
	{"nat-t: markers told apart, keepalives keep the mapping", NULL, natt},
	{"l2tp: answer from another port (address-dependent)", NULL, l2tp_other_port},
	{"switches: ipsec and l2tp off", ipsec_l2tp_off, switches_off},
};

static void test_l2tp_other_port_eif(void **state)
{
	/* The same rows under endpoint-independent filtering, except the last. */
	struct pgt_step rows[PGT_ARRAY_SIZE(l2tp_other_port)];
	struct pgt_scenario sc = {"l2tp eif", eif, rows};
	char err[4096];

	(void)state;
	memcpy(rows, l2tp_other_port, sizeof(rows));
	rows[5].verdict = TO_LAN;
	rows[5].drop = 0;
	rows[5].out = (struct pgt_spec)UDPP_OUT(PGT_S2, 1701, H10, 1701, l2tp_ctl, 12);
	if (pgt_scenario_run(&sc, err, sizeof(err)))
		fail_msg("%s", err);
}

int main(void)
{
	struct CMUnitTest t[PGT_ARRAY_SIZE(scenarios) + 1];
	size_t k = pgt_cm_add(t, scenarios, PGT_ARRAY_SIZE(scenarios));

	t[k++] = (struct CMUnitTest)cmocka_unit_test(test_l2tp_other_port_eif);
	return _cmocka_run_group_tests("ipsec", t, k, NULL, NULL);
}
