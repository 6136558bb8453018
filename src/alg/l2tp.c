/* SPDX-License-Identifier: MIT */
/*
 * l2tp.c - L2TP passthrough (RFC 2661): watch tunnels on UDP 1701.
 *
 * L2TP needs no rewriting: its tunnel and session ids are chosen by each
 * receiver and travel in the clear, and the engine's endpoint-independent
 * mappings already give each LAN client its own public port when several use
 * source port 1701. What RFC 2661 8.1 adds is that a server may answer from
 * another port than 1701; address-dependent filtering (the default) lets the
 * answer in because the client already talks to that address, and
 * endpoint-independent filtering does too. The helper counts control and
 * data messages so the logs can show a tunnel coming up.
 */
#include <arpa/inet.h>

#include "alg/alg.h"

#define L2TP_PORT 1701
#define L2TP_T 0x80 /* control message */
#define L2TP_VERSION 2
#define L2TP_CONTROL_SEEN 0x1 /* alg_state bits */
#define L2TP_DATA_SEEN 0x2

static size_t l2tp_mem_size(const struct pg_engine_config *cfg)
{
	(void)cfg;
	return 0;
}

static void l2tp_init(struct pg_engine *e, void *mem)
{
	e->alg_state[PG_ALG_L2TP] = mem;
}

static void l2tp_flow_new(struct pg_engine *e, struct pg_flow *f, int side)
{
	const struct pg_key *k = &f->key;

	if (k->proto != PG_PROTO_UDP || !e->cfg.l2tp_passthrough)
		return;
	/* Outbound to 1701, or a server's answer from another port to a 1701 client. */
	if ((side == PG_SIDE_LAN && k->pb == htons(L2TP_PORT)) ||
	    (side == PG_SIDE_WAN && k->pa == htons(L2TP_PORT))) {
		f->alg = PG_ALG_L2TP;
		f->alg_state = 0;
		pg_count(e, PG_CNT_L2TP_TUNNEL_FLOWS);
	}
}

static enum pg_counter l2tp_packet(struct pg_engine *e, struct pg_flow *f, struct pg_pkt *pkt,
				   const struct pg_parsed *p, int dir, uint64_t now_ms)
{
	const uint8_t *l2tp = pkt->l3 + p->ihl + 8;

	(void)dir;
	(void)now_ms;
	if (p->frag_off || p->more_frags || p->l4_len < 8 + 6)
		return PG_CNT_NONE;
	if ((l2tp[1] & 0x0f) != L2TP_VERSION)
		return PG_CNT_NONE; /* not L2TPv2: IPsec-protected L2TP is ESP anyway */
	pg_count(e, (l2tp[0] & L2TP_T) ? PG_CNT_L2TP_CONTROL : PG_CNT_L2TP_DATA);
	if ((l2tp[0] & L2TP_T) && !(f->alg_state & L2TP_CONTROL_SEEN)) {
		f->alg_state |= L2TP_CONTROL_SEEN;
		pg_event_flow(e, PG_EV_L2TP_TUNNEL, f, 0, 0);
	}
	if (!(l2tp[0] & L2TP_T))
		f->alg_state |= L2TP_DATA_SEEN;
	return PG_CNT_NONE;
}

static void l2tp_flow_free(struct pg_engine *e, struct pg_flow *f)
{
	(void)e;
	(void)f;
}

static bool l2tp_describe(const struct pg_engine *e, const struct pg_flow *f,
			  struct pg_vpn_session *s)
{
	(void)e;
	s->kind = PG_VPN_L2TP;
	s->state = (f->alg_state & L2TP_DATA_SEEN)	 ? "tunnel carrying data"
		   : (f->alg_state & L2TP_CONTROL_SEEN) ? "tunnel control"
							 : "UDP 1701";
	return true;
}

/*
 * An L2TP server may answer from another port than 1701 (RFC 2661 8.1): a
 * client's tunnel to that server lets the answer in even under
 * address-and-port-dependent filtering.
 */
static bool l2tp_admits(struct pg_engine *e, const struct pg_parsed *p, uint32_t lan,
			uint16_t lan_port)
{
	struct pg_key k;
	struct pg_flow *f;

	if (p->proto != PG_PROTO_UDP)
		return false;
	pg_key_fill(&k, PG_KEY_FLOW_OUT, PG_PROTO_UDP, lan, p->saddr, lan_port, htons(L2TP_PORT));
	f = pg_flow_lookup(e, &k);
	return f && f->alg == PG_ALG_L2TP;
}

static bool l2tp_enabled(const struct pg_engine_config *cfg)
{
	return cfg->l2tp_passthrough;
}

const struct pg_alg_ops pg_alg_l2tp = {
	.describe = l2tp_describe,
	.name = "l2tp",
	.port_proto = PG_PROTO_UDP,
	.ports = {L2TP_PORT},
	.enabled = l2tp_enabled,
	.switched = PG_ALG_SWITCH_PORTS,
	.admits = l2tp_admits,
	.mem_size = l2tp_mem_size,
	.init = l2tp_init,
	.flow_new = l2tp_flow_new,
	.packet = l2tp_packet,
	.flow_free = l2tp_flow_free,
};
