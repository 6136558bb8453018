/* SPDX-License-Identifier: MIT */
/*
 * offload6.c - which IPv6 firewall flows (forward6.c) the XDP fast path may
 * forward without the engine, told to the caller in the same list of
 * operations as the NAT's flows (offload.c, engine.h "The XDP fast path's
 * flows").
 *
 * DOC: Theory of operation
 *
 * IPv6 is routed without translation, so what the program does to a
 * packet of an offered flow is what pg_v6_process() does to it: the hop
 * limit down by one, the next hop's MAC, out of the other link. The
 * program itself refuses what the engine would treat otherwise (extension
 * headers, fragments, ICMPv6 but echo, hop limit 1, above the MTU, TCP SYN, FIN
 * and RST); this file decides which flows: a TCP connection the firewall
 * saw established, a UDP flow, raw ESP (keyed by the address pair, as the
 * firewall keeps it) or an ICMPv6 echo flow (keyed by its identifier) that
 * carried packets both ways. The offer is made after
 * one of the flow's packets was forwarded, and a bit per table entry
 * (pg_v6.offered, as offload.c's offload_bits) remembers it. A TCP connection keeps its offer through its FIN or RST
 * (the program hands those to the engine, which tracks them; the firewall
 * treats the closing connection's other packets as before) and loses it
 * with a new SYN on the same ports; a flow unlinked for any reason
 * (expiry, DELETE /api/v1/flows, reuse of an expired entry) is taken back
 * by pg_v6_flow_unlink(). Flushes are offload.c's: every bit is cleared.
 *
 * The firewall checks a packet's addresses against the configuration (the
 * LAN prefix, the gateway's own addresses, the tunnel's kill switch, the
 * passthrough switches); a flow's key passed them once, and every change of
 * configuration (a reload, a new delegated prefix, a WAN address) flushes,
 * so an entry never forwards what the engine would now drop.
 *
 * The firewall's lookup ignores a flow past its timeout, while the sweep
 * that frees it is bounded: pg_v6_expire_offered() (forward6.c) frees the
 * offered ones at every tick, after XDP's counts came in, so an entry
 * outlives its flow's timeout by at most a tick. That walk visits the set
 * bits only: a tick costs the bitmap's 8 KiB and the offered flows, not
 * the whole table (5.5 MiB at its largest, 65536 entries).
 */
#include "engine/engine_internal.h"
#include "engine/forward6.h"
#include "engine/forward6_internal.h"
#include "engine/parse6.h"

/* May the XDP program forward this flow's packets (was: it is offered now)? */
static bool eligible(const struct pg_engine *e, const struct v6_flow *f, bool was)
{
	/* No LAN IPv6 leaves while the tunnel's kill switch is on (pg_v6_process()). */
	if (e->cfg.tunnel && e->cfg.tunnel_killswitch)
		return false;
	switch (f->proto) {
	case PG_PROTO_TCP:
		/*
		 * Kept after a FIN or RST: the firewall forwards a closing
		 * connection's packets as an established one's (a half-closed
		 * echo still carries data one way), only its timeout is the
		 * transitory one, which expiry applies. A new SYN ends the offer.
		 */
		return f->tcp == V6_TCP_ESTABLISHED || (was && f->tcp == V6_TCP_CLOSING);
	case PG_PROTO_UDP:
	case PG_IP6_NH_ESP:
	case PG_IP6_NH_ICMP6: /* an echo flow: keyed by its identifier (parse6.c) */
		return f->pkts[0] && f->pkts[1];
	default:
		return false;
	}
}

static void set_offered(struct pg_engine *e, uint32_t idx, bool on)
{
	struct pg_v6 *v = e->v6;
	uint64_t bit = (uint64_t)1 << (idx % 64);

	if (on) {
		v->offered[idx / 64] |= bit;
		e->noffload++;
		v->noffered++;
	} else {
		v->offered[idx / 64] &= ~bit;
		e->noffload--;
		v->noffered--;
	}
}

static void push(struct pg_engine *e, enum pg_offload_kind kind, uint32_t idx,
		 const struct v6_flow *f)
{
	struct pg_offload_op *op = pg_offload_op_new(e);

	if (!op)
		return;
	op->kind = (uint8_t)kind;
	op->family = 6;
	op->proto = f->proto;
	op->how = kind == PG_OFFLOAD_ADD ? PG_XF_PLAIN : 0;
	memcpy(op->lan6, f->lan, 16);
	memcpy(op->remote6, f->remote, 16);
	op->lan_port = f->lan_port;
	op->remote_port = f->remote_port;
	if (kind == PG_OFFLOAD_ADD)
		pg_v6_wan_next_hop(e, f->remote, op->next_hop6);
	op->flow = idx | PG_OFFLOAD_FLOW6;
	set_offered(e, idx, kind == PG_OFFLOAD_ADD);
}

void pg_offload6_note(struct pg_engine *e, uint32_t idx, const struct v6_flow *f)
{
	bool was = pg_v6_offered(e->v6, idx), how = eligible(e, f, was);

	if (!was && how) {
		push(e, PG_OFFLOAD_ADD, idx, f);
		pg_count(e, PG_CNT_OFFLOAD_ADDED);
	} else if (was && !how) {
		push(e, PG_OFFLOAD_DEL, idx, f);
	}
}

void pg_offload6_forget(struct pg_engine *e, uint32_t idx)
{
	if (pg_v6_offered(e->v6, idx))
		push(e, PG_OFFLOAD_DEL, idx, &e->v6->flows[idx]);
}

void pg_offload6_clear(struct pg_engine *e)
{
	struct pg_v6 *v = e->v6;

	/* The caller zeroes noffload. */
	if (v && v->noffered) {
		memset(v->offered, 0, sizeof(v->offered));
		v->noffered = 0;
	}
}

void pg_offload6_refused(struct pg_engine *e, uint32_t idx)
{
	if (e->v6 && idx < e->v6->pool && pg_v6_offered(e->v6, idx))
		set_offered(e, idx, false);
}

/* Count what XDP forwarded of flow f, as firewall() counts a packet. */
static void count(struct pg_engine *e, struct v6_flow *f, bool out, uint64_t pkts,
		  uint64_t bytes, uint64_t last_ms)
{
	uint32_t secs = (uint32_t)(last_ms / 1000);

	f->pkts[out ? 0 : 1] += pkts;
	f->bytes[out ? 0 : 1] += bytes;
	if (secs > f->last_s)
		f->last_s = secs;
	pg_offload_count_forwarded(e, out, pkts);
}

void pg_offload6_sync(struct pg_engine *e, uint32_t idx, bool out, uint64_t pkts, uint64_t bytes,
		      uint64_t last_ms)
{
	if (!e->v6 || idx >= e->v6->pool || !pg_v6_offered(e->v6, idx) || !pkts)
		return;
	count(e, &e->v6->flows[idx], out, pkts, bytes, last_ms);
}

void pg_offload6_settle(struct pg_engine *e, const struct pg_offload_op *op, bool out,
			uint64_t pkts, uint64_t bytes, uint64_t last_ms)
{
	uint32_t idx = op->flow & ~PG_OFFLOAD_FLOW6;
	struct v6_flow *f;

	if (!e->v6 || idx >= e->v6->pool || !pkts)
		return;
	f = &e->v6->flows[idx];
	/* Still the flow the entry was made for (its slot may hold another by now)? */
	if (f->proto != op->proto || f->lan_port != op->lan_port ||
	    f->remote_port != op->remote_port || memcmp(f->lan, op->lan6, 16) ||
	    memcmp(f->remote, op->remote6, 16))
		pg_offload_count_forwarded(e, out, pkts); /* gone: the packets were still forwarded */
	else
		count(e, f, out, pkts, bytes, last_ms);
}
