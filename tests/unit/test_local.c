/* SPDX-License-Identifier: MIT */
/*
 * test_local.c - traffic from LAN hosts that have no address yet: DHCP to
 * broadcast and IGMP reports to a group are for the gateway, not martians;
 * the same from the WAN is spoofed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../lib/rows.h"

static const struct pgt_step unaddressed[] = {
	{.name = "DHCP discover from 0.0.0.0", .side = PG_SIDE_LAN,
	 .in = {.proto = PGT_P_UDP, .src = "0.0.0.0", .sport = 68, .dst = "255.255.255.255",
		.dport = 67, .paylen = 240},
	 .verdict = PG_VERDICT_TO_GW, .drop = PG_CNT_TO_GW},
	{.name = "IGMPv3 report from 0.0.0.0", .side = PG_SIDE_LAN,
	 .in = {.proto = 2, .src = "0.0.0.0", .dst = "224.0.0.22", .paylen = 16},
	 .verdict = PG_VERDICT_TO_GW, .drop = PG_CNT_TO_GW},
	{.name = "0.0.0.0 to a LAN host is still martian", .side = PG_SIDE_LAN,
	 .in = {.proto = PGT_P_UDP, .src = "0.0.0.0", .sport = 68, .dst = PGT_H11, .dport = 67,
		.paylen = 8},
	 .verdict = PG_VERDICT_DROP, .drop = PG_CNT_DROP_IP_BAD_ADDR},
	{.name = "0.0.0.0 from the WAN is spoofed", .side = PG_SIDE_WAN,
	 .in = {.proto = PGT_P_UDP, .src = "0.0.0.0", .sport = 68, .dst = "255.255.255.255",
		.dport = 67, .paylen = 8},
	 .verdict = PG_VERDICT_DROP, .drop = PG_CNT_DROP_WAN_SPOOFED},
	{0},
};

static const struct pgt_scenario scenarios[] = {
	{"unaddressed hosts talk to the gateway", NULL, unaddressed},
};

PGT_MAIN("local", scenarios)
