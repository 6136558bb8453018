/* SPDX-License-Identifier: MIT */
/*
 * offload.c - which flows the XDP fast path may forward without the engine,
 * told to the caller as a list of operations (engine.h "The XDP fast path's
 * flows").
 *
 * DOC: Theory of operation
 *
 * A flow is offered once it is established: a TCP connection in
 * ESTABLISHED, a UDP flow or an ICMP echo flow (a ping's identifier) with
 * packets both ways; never a hairpin. The program takes of an echo flow
 * only requests out and replies in, as forward.c admits them. A flow a
 * helper follows only when the helper says its packets need nothing from it
 * any more (ops->offload): a PPTP call's GRE keyed both ways, raw ESP whose
 * inbound SPI is learnt, a NAT-T flow that carried ESP (PG_XF_NATT: the
 * program leaves keepalives and IKE to the helper, which counts them; the
 * ESP it forwards is counted here as the helper would). A helper ending a
 * flow frees it, and rekeying one (pg_flow_rekey()) takes it back first, so
 * the maps never hold a key the engine no longer has. The offer is made after one of its packets went
 * through the fast lane (so the packet was plain, and its next hop is known),
 * and a bit per flow entry remembers it. Any packet that reaches the engine
 * for an offered flow is checked again: a TCP connection that left
 * ESTABLISHED (the program hands FIN and RST segments to the engine) is
 * taken back. pg_flow_free() takes back every flow that goes, whatever the
 * reason (expiry, eviction, WAN address change), so a map entry never
 * outlives its flow by more than the caller's next read of the list.
 *
 * The list is bounded (PG_OFFLOAD_OPS). When it is full, the engine asks
 * for a flush instead of losing an operation: every entry out, every bit
 * cleared; flows are offered again by their next packet. A reconfiguration
 * flushes too (a passthrough switch, a timeout, the filtering may have
 * changed what the engine would do with a flow's packets).
 *
 * Pure, like the rest of the engine: the caller does the system calls.
 */
#include "alg/alg.h"
#include "engine/engine_internal.h"
#include "engine/forward6.h"
#include "util/inet.h"

static inline bool offered(const struct pg_engine *e, uint32_t idx)
{
	return e->offload_bits && (e->offload_bits[idx / 64] >> (idx % 64)) & 1;
}

static inline void set_offered(struct pg_engine *e, uint32_t idx, bool on)
{
	uint64_t bit = (uint64_t)1 << (idx % 64);

	if (on) {
		e->offload_bits[idx / 64] |= bit;
		e->noffload++;
	} else {
		e->offload_bits[idx / 64] &= ~bit;
		e->noffload--;
	}
}

void pg_offload_flush(struct pg_engine *e)
{
	if (!e->offload_bits)
		return;
	if (e->noffload || e->noffload_ops)
		pg_count(e, PG_CNT_OFFLOAD_FLUSHED);
	memset(e->offload_bits, 0, ((size_t)e->pool_size + 63) / 64 * sizeof(uint64_t));
	pg_offload6_clear(e);
	e->noffload = 0;
	e->noffload_ops = 0;
	e->offload_flush = true;
}

struct pg_offload_op *pg_offload_op_new(struct pg_engine *e)
{
	struct pg_offload_op *op;

	if (e->noffload_ops == PG_OFFLOAD_OPS) {
		/* No operation may be lost: a DEL missed would leave an entry behind. */
		pg_offload_flush(e);
		return NULL;
	}
	op = &e->offload_ops[e->noffload_ops++];
	memset(op, 0, sizeof(*op));
	return op;
}

static void push(struct pg_engine *e, enum pg_offload_kind kind, uint32_t idx,
		 const struct pg_flow *f, uint32_t next_hop, uint8_t how)
{
	struct pg_offload_op *op = pg_offload_op_new(e);

	if (!op)
		return;
	op->kind = (uint8_t)kind;
	op->family = 4;
	op->proto = f->key.proto;
	op->how = how;
	/* GRE's and ESP's LAN keys hold no address (keyed by the server's id): the flow has it. */
	op->lan_addr = f->lan_addr;
	op->remote_addr = f->key.b;
	op->lan_port = f->key.pa;
	op->remote_port = f->key.pb;
	op->in_port = f->in_pa;
	op->pub_addr = e->cfg.wan_addr;
	op->pub_port = f->in_pb;
	op->lan_id = f->lan_port;
	op->next_hop = next_hop;
	op->flow = idx;
	set_offered(e, idx, kind == PG_OFFLOAD_ADD);
}

/*
 * May the XDP program forward this flow's packets, and which (PG_XF_*, 0:
 * none)? Not a flow of a host the router's tunnel carries ([tunnel] route):
 * with the kill switch off such a flow may exist from while the tunnel was
 * down, and the program would keep it going around the tunnel once it is up.
 */
static uint8_t eligible(const struct pg_engine *e, const struct pg_flow *f)
{
	if ((f->flags & PG_FLOW_HAIRPIN) || f->key.kind != PG_KEY_FLOW_OUT || f->in_parked)
		return 0;
	if (e->cfg.tunnel && pg_local_tunnelled(e, f->lan_addr))
		return 0;
	if (f->alg != PG_ALG_NONE) {
		const struct pg_alg_ops *ops = pg_alg_get(f->alg);

		return ops && ops->offload ? ops->offload(e, f) : 0;
	}
	if (f->key.proto == PG_PROTO_TCP)
		return f->tcp_state == PG_TCP_ESTABLISHED ? PG_XF_PLAIN : 0;
	/* An echo flow (RFC 5508 query) once a request and its reply went through. */
	return (f->key.proto == PG_PROTO_UDP || f->key.proto == PG_PROTO_ICMP) &&
			       f->pkts[PG_DIR_OUT] && f->pkts[PG_DIR_IN]
		       ? PG_XF_PLAIN
		       : 0;
}

void pg_offload_note(struct pg_engine *e, uint32_t idx, const struct pg_flow *f)
{
	uint32_t next_hop;
	uint8_t how;
	bool was;

	/* Every forwarded packet comes here: one load and a branch while offload is off. */
	if (!e->offload_on)
		return;
	was = offered(e, idx);
	how = eligible(e, f);
	if (!was && how && (next_hop = pg_wan_next_hop(e, f->key.b)) != 0) {
		push(e, PG_OFFLOAD_ADD, idx, f, next_hop, how);
		pg_count(e, PG_CNT_OFFLOAD_ADDED);
	} else if (was && !how) {
		push(e, PG_OFFLOAD_DEL, idx, f, 0, 0);
	}
}

void pg_offload_forget(struct pg_engine *e, uint32_t idx)
{
	if (offered(e, idx))
		push(e, PG_OFFLOAD_DEL, idx, &e->flows[idx], 0, 0);
}

void pg_engine_set_offload(struct pg_engine *e, bool on)
{
	if (e->offload_on && !on)
		pg_offload_flush(e);
	e->offload_on = on && e->offload_bits;
}

unsigned int pg_engine_offload_ops(struct pg_engine *e, const struct pg_offload_op **ops,
				   bool *flush)
{
	unsigned int n = e->noffload_ops;

	*ops = e->offload_ops;
	*flush = e->offload_flush;
	e->offload_flush = false;
	e->noffload_ops = 0;
	return n;
}

void pg_engine_offload_refused(struct pg_engine *e, uint32_t flow)
{
	if (flow & PG_OFFLOAD_FLOW6)
		pg_offload6_refused(e, flow & ~PG_OFFLOAD_FLOW6);
	else if (flow < e->pool_size && offered(e, flow))
		set_offered(e, flow, false);
}

void pg_offload_count_forwarded(struct pg_engine *e, bool out, uint64_t pkts)
{
	e->counters[out ? PG_CNT_RX_LAN : PG_CNT_RX_WAN] += pkts;
	e->counters[out ? PG_CNT_TX_WAN : PG_CNT_TX_LAN] += pkts;
	e->counters[PG_CNT_OFFLOADED] += pkts;
}

/* Count what XDP forwarded of flow f. */
static void count(struct pg_engine *e, struct pg_flow *f, bool out, uint64_t pkts, uint64_t bytes,
		  uint64_t last_ms)
{
	int dir = out ? PG_DIR_OUT : PG_DIR_IN;
	uint32_t lo, secs;

	/* pg_flow_count() for pkts packets at once: 32-bit packets, 40-bit bytes. */
	lo = f->bytes_lo[dir] + (uint32_t)bytes;
	f->bytes_hi[dir] = (uint8_t)(f->bytes_hi[dir] + (uint8_t)(bytes >> 32) + (lo < (uint32_t)bytes));
	f->bytes_lo[dir] = lo;
	f->pkts[dir] += (uint32_t)pkts;
	pg_offload_count_forwarded(e, out, pkts);
	/* Only ESP in UDP takes the program's path on a NAT-T flow: the helper's count of it. */
	if (f->alg == PG_ALG_IPSEC && f->key.proto == PG_PROTO_UDP)
		e->counters[PG_CNT_NATT_ESP] += pkts;
	secs = pg_secs_ceil(last_ms);
	if (secs > f->last_seen)
		pg_flow_touch(e, f, secs);
}

void pg_engine_offload_sync(struct pg_engine *e, uint32_t flow, bool out, uint64_t pkts,
			    uint64_t bytes, uint64_t last_ms)
{
	if (flow & PG_OFFLOAD_FLOW6) {
		pg_offload6_sync(e, flow & ~PG_OFFLOAD_FLOW6, out, pkts, bytes, last_ms);
		return;
	}
	if (flow >= e->pool_size || !offered(e, flow) || !pkts)
		return;
	count(e, &e->flows[flow], out, pkts, bytes, last_ms);
}

void pg_engine_offload_settle(struct pg_engine *e, const struct pg_offload_op *op, bool out,
			      uint64_t pkts, uint64_t bytes, uint64_t last_ms)
{
	struct pg_flow *f;

	if (op->family == 6) {
		pg_offload6_settle(e, op, out, pkts, bytes, last_ms);
		return;
	}
	if (op->flow >= e->pool_size || !pkts)
		return;
	f = &e->flows[op->flow];
	/* Still the flow the entry was made for (its index may hold another by now)? */
	if (f->key.kind != PG_KEY_FLOW_OUT || f->key.proto != op->proto ||
	    f->lan_addr != op->lan_addr || f->key.b != op->remote_addr ||
	    f->key.pa != op->lan_port || f->key.pb != op->remote_port) {
		/* Gone (evicted while XDP forwarded it): the packets were still forwarded. */
		pg_offload_count_forwarded(e, out, pkts);
		if (op->how == PG_XF_NATT)
			e->counters[PG_CNT_NATT_ESP] += pkts;
		return;
	}
	count(e, f, out, pkts, bytes, last_ms);
}

uint32_t pg_engine_offload_count(const struct pg_engine *e)
{
	return e->noffload;
}
