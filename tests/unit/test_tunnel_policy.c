/* SPDX-License-Identifier: MIT */
/*
 * test_tunnel_policy.c - the engine's side of the router's VPN client
 * (src/engine/local.c, cfg.tunnel): which LAN hosts are tunnelled, that
 * their traffic goes up to the host and never through the NAT, the kill
 * switch while the tunnel is down (their DNS to the gateway included), the
 * bypass list, and that a host's existing mapping does not carry it past
 * the policy (the fast path declines tunnelled sources, and the XDP program
 * is never offered their flows).
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

static int offload_on(struct pgt_ctx *ctx, const struct pgt_step *st, const struct pgt_pkt *in,
		      const struct pgt_pkt *out, char *err, size_t n)
{
	(void)st, (void)in, (void)out, (void)err, (void)n;
	pg_engine_set_offload(ctx->e, true);
	return 0;
}

/* The XDP program was offered H11's flow and nothing of H10's (tunnelled). */
static int offered_h11_only(struct pgt_ctx *ctx, const struct pgt_step *st,
			    const struct pgt_pkt *in, const struct pgt_pkt *out, char *err, size_t n)
{
	const struct pg_offload_op *ops;
	unsigned int adds = 0;
	bool flush;
	unsigned int k = pg_engine_offload_ops(ctx->e, &ops, &flush);

	(void)st, (void)in, (void)out;
	for (unsigned int i = 0; i < k; i++) {
		if (ops[i].kind != PG_OFFLOAD_ADD)
			continue;
		if (ops[i].lan_addr != htonl(pgt_addr(H11))) {
			snprintf(err, n, "a tunnelled host's flow was offered to the XDP program");
			return -1;
		}
		adds++;
	}
	if (adds != 1) {
		snprintf(err, n, "%u offers, wanted H11's one", adds);
		return -1;
	}
	return 0;
}

/* The tunnel came up: every offered flow is taken back (a flush). */
static int up_flushes(struct pgt_ctx *ctx, const struct pgt_step *st, const struct pgt_pkt *in,
		      const struct pgt_pkt *out, char *err, size_t n)
{
	const struct pg_offload_op *ops;
	bool flush;

	(void)st, (void)in, (void)out;
	pg_engine_set_tunnel_up(ctx->e, true);
	(void)pg_engine_offload_ops(ctx->e, &ops, &flush);
	if (!flush) {
		snprintf(err, n, "the tunnel came up and the XDP program kept its flows");
		return -1;
	}
	return 0;
}

static const struct pgt_step offload[] = {
	{.name = "kill switch off, down: the tunnelled host leaves through the NAT", .side = LAN,
	 .in = PGT_UDP(H10, 40000, S1, 53, 30), .verdict = TO_WAN,
	 .out = UDP_OUT(WANA, V(1), S1, 53, 30), .check = offload_on},
	{.name = "its answer", .side = WAN, .in = PGT_UDP(S1, 53, WANA, V(1), 30), .verdict = TO_LAN,
	 .out = UDP_OUT(S1, 53, H10, 40000, 30)},
	{.name = "its next packet: a two-way flow, yet not offered", .side = LAN,
	 .in = PGT_UDP(H10, 40000, S1, 53, 30), .verdict = TO_WAN,
	 .out = UDP_OUT(WANA, V(1), S1, 53, 30)},
	{.name = "an unlisted host's flow", .side = LAN, .in = PGT_UDP(H11, 40000, S1, 53, 30),
	 .verdict = TO_WAN, .out = UDP_OUT(WANA, V(2), S1, 53, 30)},
	{.name = "its answer", .side = WAN, .in = PGT_UDP(S1, 53, WANA, V(2), 30), .verdict = TO_LAN,
	 .out = UDP_OUT(S1, 53, H11, 40000, 30)},
	{.name = "its next packet: offered, and only it", .side = LAN,
	 .in = PGT_UDP(H11, 40000, S1, 53, 30), .verdict = TO_WAN,
	 .out = UDP_OUT(WANA, V(2), S1, 53, 30), .check = offered_h11_only},
	{.name = "the tunnel comes up: the program's flows are taken back", .side = LAN,
	 .in = PGT_UDP(H11, 40000, S1, 53, 30), .verdict = TO_WAN,
	 .out = UDP_OUT(WANA, V(2), S1, 53, 30), .check = up_flushes},
	{.name = "up: the tunnelled host's flow goes to the tunnel", .side = LAN,
	 .in = PGT_UDP(H10, 40000, S1, 53, 30), .verdict = TO_GW, .same = true},
	END,
};

static const struct pgt_scenario scenarios[] = {
	{"tunnel: kill switch, bypass, route = all", tunnel_all, killswitch},
	{"tunnel: one host, kill switch off", tunnel_one_open, open_switch},
	{"tunnel: offload never carries a tunnelled host", tunnel_one_open, offload},
};

PGT_MAIN("tunnel_policy", scenarios)
