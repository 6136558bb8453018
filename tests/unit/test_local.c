/* SPDX-License-Identifier: MIT */
/*
 * test_local.c - the gateway's own traffic (src/engine/local.c): hosts with
 * no address yet reaching its DHCP server, the LAN input policy, the host
 * stack's own connections to the WAN, services opened to the WAN by a
 * forward to the gateway itself, and prefixes the host routes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "../lib/rows.h"

#define VPNC "10.9.0.2"

static const struct pgt_step unaddressed[] = {
	{.name = "DHCP discover from 0.0.0.0", .side = PG_SIDE_LAN,
	 .in = {.proto = PGT_P_UDP, .src = "0.0.0.0", .sport = 68, .dst = "255.255.255.255",
		.dport = 67, .paylen = 240},
	 .verdict = PG_VERDICT_TO_GW, .drop = PG_CNT_TO_GW},
	{.name = "IGMPv3 report from 0.0.0.0: no input rule", .side = PG_SIDE_LAN,
	 .in = {.proto = 2, .src = "0.0.0.0", .dst = "224.0.0.22", .paylen = 16},
	 DROPPED(DROP_TO_GW_LIMIT)},
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

/* The default LAN input policy: SSH, DNS, DHCP, HTTP(S); ICMP always. */
static const struct pgt_step policy[] = {
	{.name = "SSH to the LAN address goes up", .side = LAN,
	 .in = PGT_TCP(H10, 40000, LANA, 22, SYN, 1, 0), .verdict = TO_GW},
	{.name = "the admin page over HTTPS goes up", .side = LAN,
	 .in = PGT_TCP(H10, 40001, LANA, 443, SYN, 1, 0), .verdict = TO_GW},
	{.name = "DNS over TCP goes up", .side = LAN, .in = PGT_TCP(H10, 40002, LANA, 53, SYN, 1, 0),
	 .verdict = TO_GW},
	{.name = "TCP 8080 has no rule", .side = LAN, .in = PGT_TCP(H10, 40003, LANA, 8080, SYN, 1, 0),
	 DROPPED(DROP_TO_GW_LIMIT)},
	{.name = "UDP 161 has no rule", .side = LAN, .in = PGT_UDP(H10, 40004, LANA, 161, 20),
	 DROPPED(DROP_TO_GW_LIMIT)},
	{.name = "to the WAN address from the LAN: the same policy", .side = LAN,
	 .in = PGT_TCP(H10, 40005, WANA, 22, SYN, 1, 0), .verdict = TO_GW},
	{.name = "port unreachable from a LAN host goes up", .side = LAN,
	 .in = {.proto = PGT_P_ICMP, .src = H10, .dst = LANA, .icmp_type = 3, .icmp_code = 3,
		.paylen = 28},
	 .verdict = TO_GW},
	{.name = "and no flow was made", .side = LAN, .in = PGT_UDP(H10, 5353, LANA, 53, 30),
	 .verdict = TO_GW, .flows1 = 0 + 1},
	END,
};

static void policy_narrow(struct pg_engine_config *c)
{
	c->nlan_input = 1;
	c->lan_input[0] = (struct pg_input_rule){PGT_P_UDP, 53, 53};
}

static const struct pgt_step narrow[] = {
	{.name = "DNS stays open", .side = LAN, .in = PGT_UDP(H10, 5353, LANA, 53, 30),
	 .verdict = TO_GW},
	{.name = "SSH is closed by the configured rules", .side = LAN,
	 .in = PGT_TCP(H10, 40000, LANA, 22, SYN, 1, 0), DROPPED(DROP_TO_GW_LIMIT)},
	{.name = "DHCP is closed", .side = LAN, .in = PGT_UDP("0.0.0.0", 68, "255.255.255.255", 67, 240),
	 DROPPED(DROP_TO_GW_LIMIT)},
	{.name = "pings are still answered", .side = LAN, .in = PGT_ECHO(H10, LANA, 8, 7, 1, 64),
	 .verdict = TO_LAN,
	 .out = {.proto = PGT_P_ICMP, .src = LANA, .dst = H10, .icmp_type = 0, .icmp_id = 7,
		 .icmp_seq = 1, .paylen = 32}},
	END,
};

/* The host stack's own connections leave like a LAN host's, at the WAN address. */
static const struct pgt_step host_out[] = {
	{.name = "a DNS query from the host leaves translated", .side = PG_SIDE_HOST,
	 .in = PGT_UDP(WANA, 40000, S1, 53, 30), .verdict = TO_WAN,
	 .out = UDP_OUT(WANA, V(1), S1, 53, 30), .flows1 = 1 + 1},
	{.name = "its answer goes up to the host, untranslated back", .side = WAN,
	 .in = PGT_UDP(S1, 53, WANA, V(1), 60), .verdict = TO_GW,
	 .out = UDP_OUT(S1, 53, WANA, 40000, 60)},
	{.name = "a TCP connection from the host", .side = PG_SIDE_HOST,
	 .in = PGT_TCP(WANA, 41000, S2, 443, SYN, 1, 0), .verdict = TO_WAN,
	 .out = TCP_OUT(WANA, V(2), S2, 443, SYN, 1, 0)},
	{.name = "SYN-ACK up to the host", .side = WAN, .in = PGT_TCP(S2, 443, WANA, V(2), SA, 9, 2),
	 .verdict = TO_GW, .out = TCP_OUT(S2, 443, WANA, 41000, SA, 9, 2)},
	{.name = "a LAN host cannot reach the host's mapping by hairpin", .side = LAN,
	 .in = PGT_UDP(H10, 5000, WANA, V(1), 10), DROPPED(DROP_FILTERED)},
	{.name = "the host path only speaks from the WAN address", .side = PG_SIDE_HOST,
	 .in = PGT_UDP(H10, 40000, S1, 53, 30), DROPPED(DROP_LAN_SPOOFED)},
	{.name = "nor to the LAN", .side = PG_SIDE_HOST, .in = PGT_UDP(WANA, 40000, H10, 53, 30),
	 DROPPED(DROP_LAN_SPOOFED)},
	{.name = "unsolicited from the WAN never goes up", .side = WAN,
	 .in = PGT_TCP(S3, 40000, WANA, 22, SYN, 1, 0), DROPPED(DROP_UNSOLICITED)},
	END,
};

/* A WireGuard server on the router: udp 51820 opened to the WAN, its clients routed. */
static void router_vpn(struct pg_engine_config *c)
{
	struct pg_port_forward *r = &c->forwards[c->nforwards++];

	r->proto = PGT_P_UDP;
	r->wan_lo = r->wan_hi = r->lan_lo = r->lan_hi = 51820;
	r->host = htonl(pgt_addr(WANA));
	c->host_routes[0] = (struct pg_host_route){htonl(pgt_addr("10.9.0.0")), 24};
	c->nhost_routes = 1;
}

static const struct pgt_step router_vpn_steps[] = {
	{.name = "a client's handshake reaches the host", .side = WAN,
	 .in = PGT_UDP(S1, 33333, WANA, 51820, 148), .verdict = TO_GW,
	 .out = UDP_OUT(S1, 33333, WANA, 51820, 148), .cnt = {CNT(FORWARDED_NEW, 1)}},
	{.name = "the host answers from 51820", .side = PG_SIDE_HOST,
	 .in = PGT_UDP(WANA, 51820, S1, 33333, 92), .verdict = TO_WAN,
	 .out = UDP_OUT(WANA, 51820, S1, 33333, 92)},
	{.name = "a LAN host reaches the service too", .side = LAN,
	 .in = PGT_UDP(H11, 40000, LANA, 51820, 148), .verdict = TO_GW},
	{.name = "a LAN host answers a VPN client: up to the host", .side = LAN,
	 .in = PGT_ECHO(H10, VPNC, 0, 3, 1, 64), .verdict = TO_GW},
	{.name = "other prefixes still leave by the WAN", .side = LAN,
	 .in = PGT_UDP(H10, 40000, "10.10.0.2", 53, 30), .verdict = TO_WAN,
	 .out = UDP_OUT(WANA, V(3), "10.10.0.2", 53, 30)},
	{.name = "other ports stay closed from the WAN", .side = WAN,
	 .in = PGT_UDP(S1, 33333, WANA, 51821, 10), DROPPED(DROP_UNSOLICITED)},
	END,
};

static const struct pgt_scenario scenarios[] = {
	{"unaddressed hosts talk to the gateway", NULL, unaddressed},
	{"input policy: the default rules", NULL, policy},
	{"input policy: configured rules", policy_narrow, narrow},
	{"host stack: its own connections", NULL, host_out},
	{"host stack: a VPN server on the router", router_vpn, router_vpn_steps},
};

PGT_MAIN("local", scenarios)
