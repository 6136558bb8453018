/* SPDX-License-Identifier: MIT */
/*
 * test_tunnel_policy.c - the engine's side of the router's VPN client
 * (src/engine/local.c, cfg.tunnel): which LAN hosts are tunnelled, that
 * their traffic goes up to the host and never through the NAT, the kill
 * switch while the tunnel is down (their DNS to the gateway included), the
 * bypass list, and that a host's existing mapping does not carry it past
 * the policy (the fast path declines tunnelled sources).
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

/* Tunnel the LAN; lan .12 runs its own VPN (bypass); the tunnel starts down. */
static void tunnel_all(struct pg_engine_config *c)
{
	c->tunnel = true;
	c->tunnel_all = true;
	c->tunnel_killswitch = true;
	c->tunnel_bypass[0] = (struct pg_host_route){htonl(pgt_addr(H12)), 32};
	c->ntunnel_bypass = 1;
}

static int up(struct pgt_ctx *ctx, const struct pgt_step *st, const struct pgt_pkt *in,
	      const struct pgt_pkt *out, char *err, size_t n)
{
	(void)st, (void)in, (void)out, (void)err, (void)n;
	pg_engine_set_tunnel_up(ctx->e, true);
	return 0;
}

static int down(struct pgt_ctx *ctx, const struct pgt_step *st, const struct pgt_pkt *in,
		const struct pgt_pkt *out, char *err, size_t n)
{
	(void)st, (void)in, (void)out, (void)err, (void)n;
	pg_engine_set_tunnel_up(ctx->e, false);
	return 0;
}

static const struct pgt_step killswitch[] = {
	{.name = "down: a tunnelled host's TCP is dropped, counted", .side = LAN,
	 .in = PGT_TCP(H10, 40000, S1, 443, SYN, 1, 0), DROPPED(DROP_TUNNEL_DOWN), .flows1 = 0 + 1},
	{.name = "down: its UDP too", .side = LAN, .in = PGT_UDP(H10, 40001, S1, 53, 30),
	 DROPPED(DROP_TUNNEL_DOWN)},
	{.name = "down: its DNS to the gateway too (no leak by the host's resolver)", .side = LAN,
	 .in = PGT_UDP(H10, 40002, LANA, 53, 30), DROPPED(DROP_TUNNEL_DOWN)},
	{.name = "down: and over TCP", .side = LAN, .in = PGT_TCP(H10, 40003, LANA, 53, SYN, 1, 0),
	 DROPPED(DROP_TUNNEL_DOWN)},
	{.name = "down: its SSH to the gateway still goes up", .side = LAN,
	 .in = PGT_TCP(H10, 40004, LANA, 22, SYN, 1, 0), .verdict = TO_GW},
	{.name = "down: its ping to the gateway is answered", .side = LAN,
	 .in = PGT_ECHO(H10, LANA, 8, 7, 1, 64), .verdict = TO_LAN},
	{.name = "down: the bypass host goes out through the NAT", .side = LAN,
	 .in = PGT_UDP(H12, 51820, S1, 51820, 148), .verdict = TO_WAN,
	 .out = UDP_OUT(WANA, V(1), S1, 51820, 148), .flows1 = 1 + 1},
	{.name = "the tunnel comes up (the packet is the bypass host's)", .side = LAN,
	 .in = PGT_UDP(H12, 51820, S1, 51820, 148), .verdict = TO_WAN,
	 .out = UDP_OUT(WANA, V(1), S1, 51820, 148), .check = up},
	{.name = "up: a tunnelled host's TCP goes up to the host, untouched", .side = LAN,
	 .in = PGT_TCP(H10, 40000, S1, 443, SYN, 1, 0), .verdict = TO_GW, .same = true,
	 .cnt = {CNT(TUNNELLED, 1)}, .flows1 = 1 + 1},
	{.name = "up: its DNS to the gateway goes up (the host sends it into the tunnel)",
	 .side = LAN, .in = PGT_UDP(H10, 40002, LANA, 53, 30), .verdict = TO_GW},
	{.name = "up: another LAN host is tunnelled as well (route = all)", .side = LAN,
	 .in = PGT_UDP(H11, 40000, S2, 4500, 100), .verdict = TO_GW, .same = true},
	{.name = "up: LAN to LAN is not the tunnel's", .side = LAN,
	 .in = PGT_UDP(H10, 40000, H11, 4500, 100), DROPPED(DROP_LAN_LOCAL)},
	{.name = "up: the bypass host's session still passes through", .side = LAN,
	 .in = PGT_UDP(H12, 51820, S1, 51820, 148), .verdict = TO_WAN,
	 .out = UDP_OUT(WANA, V(1), S1, 51820, 148)},
	{.name = "up: the host's own traffic (the tunnel's UDP) is translated; then down",
	 .side = PG_SIDE_HOST,
	 .in = PGT_UDP(WANA, 50000, S3, 51820, 148), .verdict = TO_WAN,
	 .out = UDP_OUT(WANA, 50000, S3, 51820, 148), .check = down},
	{.name = "down again: dropped again", .side = LAN, .in = PGT_UDP(H11, 40000, S2, 4500, 100),
	 DROPPED(DROP_TUNNEL_DOWN)},
	END,
};

/* Only .10 is tunnelled, with the kill switch off. */
static void tunnel_one_open(struct pg_engine_config *c)
{
	c->tunnel = true;
	c->tunnel_all = false;
	c->tunnel_killswitch = false;
	c->tunnel_route[0] = (struct pg_host_route){htonl(pgt_addr(H10)), 32};
	c->ntunnel_route = 1;
}

static const struct pgt_step open_switch[] = {
	{.name = "kill switch off, down: the tunnelled host leaves through the NAT", .side = LAN,
	 .in = PGT_UDP(H10, 40000, S1, 53, 30), .verdict = TO_WAN,
	 .out = UDP_OUT(WANA, V(1), S1, 53, 30), .flows1 = 1 + 1},
	{.name = "an unlisted host is never tunnelled", .side = LAN,
	 .in = PGT_UDP(H11, 40000, S1, 53, 30), .verdict = TO_WAN,
	 .out = UDP_OUT(WANA, V(2), S1, 53, 30), .check = up},
	{.name = "up: the same flow's next packet goes to the tunnel, not its mapping", .side = LAN,
	 .in = PGT_UDP(H10, 40000, S1, 53, 30), .verdict = TO_GW, .same = true},
	{.name = "up: the unlisted host keeps its mapping", .side = LAN,
	 .in = PGT_UDP(H11, 40000, S1, 53, 30), .verdict = TO_WAN,
	 .out = UDP_OUT(WANA, V(2), S1, 53, 30)},
	END,
};

static const struct pgt_scenario scenarios[] = {
	{"tunnel: kill switch, bypass, route = all", tunnel_all, killswitch},
	{"tunnel: one host, kill switch off", tunnel_one_open, open_switch},
};

PGT_MAIN("tunnel_policy", scenarios)
