/* SPDX-License-Identifier: MIT */
/*
 * offload.c - applies the engines' decisions about the XDP fast path to the
 * two links' programs (io/xdp_fast.c), and gives the engines back what the
 * programs forwarded.
 *
 * DOC: Theory of operation
 *
 * An offered flow (engine/offload.c) becomes two map entries: on the LAN
 * link its outbound packets' key, rewritten to the public address and port
 * and sent to the WAN next hop's MAC; on the WAN link its inbound packets'
 * key, rewritten to the LAN host and sent to that host's MAC. The MACs come
 * from the links' neighbour caches (the caller's mac_of): a flow whose next
 * hop is not resolved yet is handed back to the engine, which offers it
 * again with a later packet. A full map keeps the flow on the engine's path
 * for good (not retried per packet: each try is a system call).
 *
 * Each entry has a counter slot in its link's memory-mapped array; the slot
 * remembers the flow (engine and index) and the counts already given back.
 * pg_offload_sync() runs before every tick: the new packets and bytes and
 * the last packet's time go to the flow, so expiry sees the flow as busy as
 * it is. A slot freed and taken again starts from the counts it has (the
 * program may still add to the old entry for a moment; nothing is reset
 * under it). The same walk re-reads each entry's neighbour and rewrites the
 * entry when the MAC changed.
 *
 * An IPv6 flow (op->family 6: the firewall's, routed without NAT) takes
 * the same two entries in the links' flows6 maps, keyed by its addresses
 * and ports as each side's packets carry them, with nothing to rewrite but
 * the MACs; its slots come from the same arrays. Its key is made again
 * from the operation the slot keeps, and its next hops are the router (or
 * a neighbour on the WAN's prefix) and the LAN host, in the links' IPv6
 * neighbour caches (mac6_of).
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "dp/offload.h"
#include "l2/eth.h"

/* A freed slot is taken again first, else the lowest never used: all in use stay below top. */
static uint32_t slot_get(struct pg_offload_link *l)
{
	uint32_t s;

	if (!l->nfree)
		return UINT32_MAX;
	s = l->free[--l->nfree];
	if (s >= l->top)
		l->top = s + 1;
	return s;
}

static void slot_put(struct pg_offload_link *l, uint32_t s)
{
	if (s < PG_XF_MAX_ENTRIES && l->slot[s].used) {
		l->slot[s].used = false;
		l->free[l->nfree++] = s;
	}
}

int pg_offload_init(struct pg_offload *o, struct pg_xdp_fast *lan, struct pg_xdp_fast *wan,
		    const uint8_t lan_mac[6], const uint8_t wan_mac[6], uint32_t lan_mtu,
		    uint32_t wan_mtu, pg_offload_mac_fn *mac_of, void *mac_ctx)
{
	memset(o, 0, sizeof(*o));
	o->link[PG_SIDE_LAN].x = lan;
	o->link[PG_SIDE_WAN].x = wan;
	memcpy(o->link[PG_SIDE_LAN].mac, lan_mac, 6);
	memcpy(o->link[PG_SIDE_WAN].mac, wan_mac, 6);
	o->link[PG_SIDE_LAN].mtu = lan_mtu;
	o->link[PG_SIDE_WAN].mtu = wan_mtu;
	o->mac_of = mac_of;
	o->mac_ctx = mac_ctx;
	for (int s = 0; s < 2; s++) {
		struct pg_offload_link *l = &o->link[s];

		l->slot = calloc(PG_XF_MAX_ENTRIES, sizeof(*l->slot));
		l->free = calloc(PG_XF_MAX_ENTRIES, sizeof(*l->free));
		if (!l->slot || !l->free) {
			pg_offload_fini(o);
			return -ENOMEM;
		}
		/* Lowest slot first. */
		for (uint32_t i = 0; i < PG_XF_MAX_ENTRIES; i++)
			l->free[i] = PG_XF_MAX_ENTRIES - 1 - i;
		l->nfree = PG_XF_MAX_ENTRIES;
	}
	return 0;
}

void pg_offload_fini(struct pg_offload *o)
{
	for (int s = 0; s < 2; s++) {
		free(o->link[s].slot);
		free(o->link[s].free);
		o->link[s].slot = NULL;
		o->link[s].free = NULL;
	}
}

/*
 * The two entries of an ADD: [side] is the key of packets arriving on that
 * side's link. The engine's keys carry a marker where enhanced GRE has no
 * field (its LAN and WAN keys' first port): the program keys GRE by the
 * call id alone (sport 0).
 */
static void entries(const struct pg_offload *o, const struct pg_offload_op *op,
		    struct pg_xf_key k[2], struct pg_xf_val v[2])
{
	bool gre = op->proto == IPPROTO_GRE;

	memset(k, 0, 2 * sizeof(*k));
	memset(v, 0, 2 * sizeof(*v));
	k[PG_SIDE_LAN] = (struct pg_xf_key){.saddr = op->lan_addr, .daddr = op->remote_addr,
					    .sport = gre ? 0 : op->lan_port,
					    .dport = op->remote_port, .proto = op->proto};
	v[PG_SIDE_LAN].addr = op->pub_addr;
	v[PG_SIDE_LAN].port = op->pub_port;
	v[PG_SIDE_LAN].rewrite_src = 1;
	memcpy(v[PG_SIDE_LAN].smac, o->link[PG_SIDE_WAN].mac, 6);
	v[PG_SIDE_LAN].mtu = (uint16_t)o->link[PG_SIDE_WAN].mtu;
	k[PG_SIDE_WAN] = (struct pg_xf_key){.saddr = op->remote_addr, .daddr = op->pub_addr,
					    .sport = gre ? 0 : op->in_port,
					    .dport = op->pub_port, .proto = op->proto};
	v[PG_SIDE_WAN].addr = op->lan_addr;
	v[PG_SIDE_WAN].port = op->lan_id;
	v[PG_SIDE_WAN].rewrite_src = 0;
	memcpy(v[PG_SIDE_WAN].smac, o->link[PG_SIDE_LAN].mac, 6);
	v[PG_SIDE_WAN].mtu = (uint16_t)o->link[PG_SIDE_LAN].mtu;
	v[PG_SIDE_LAN].natt = v[PG_SIDE_WAN].natt = op->how == PG_XF_NATT;
}

/* An IPv6 flow's two entries: nothing rewritten but the MACs. */
static void entries6(const struct pg_offload *o, const struct pg_offload_op *op,
		     struct pg_xf_key6 k[2], struct pg_xf_val v[2])
{
	memset(k, 0, 2 * sizeof(*k));
	memset(v, 0, 2 * sizeof(*v));
	memcpy(k[PG_SIDE_LAN].saddr, op->lan6, 16);
	memcpy(k[PG_SIDE_LAN].daddr, op->remote6, 16);
	k[PG_SIDE_LAN].sport = op->lan_port;
	k[PG_SIDE_LAN].dport = op->remote_port;
	memcpy(k[PG_SIDE_WAN].saddr, op->remote6, 16);
	memcpy(k[PG_SIDE_WAN].daddr, op->lan6, 16);
	k[PG_SIDE_WAN].sport = op->remote_port;
	k[PG_SIDE_WAN].dport = op->lan_port;
	for (int s = 0; s < 2; s++) {
		int out = s == PG_SIDE_LAN ? PG_SIDE_WAN : PG_SIDE_LAN;

		k[s].proto = op->proto;
		memcpy(v[s].smac, o->link[out].mac, 6);
		v[s].mtu = (uint16_t)o->link[out].mtu; /* the egress link's */
	}
}

/* An IPv6 flow's next hop for packets from side: on the WAN (zero: the router), the host. */
static const uint8_t *hop6(const struct pg_offload_op *op, int side)
{
	return side == PG_SIDE_LAN ? op->next_hop6 : op->lan6;
}

/* The MAC of the next hop of slot-to-be (op, side) on the other link. */
static bool hop_mac(const struct pg_offload *o, const struct pg_offload_op *op, int side,
		    uint32_t hop, uint8_t mac[6])
{
	enum pg_side out = side == PG_SIDE_LAN ? PG_SIDE_WAN : PG_SIDE_LAN;

	if (op->family == 6)
		return o->mac6_of && o->mac6_of(o->mac_ctx, out, hop6(op, side), mac);
	return o->mac_of(o->mac_ctx, out, hop, mac);
}

enum map_op { MAP_DEL, MAP_READ, MAP_WRITE };

/* Slot sl's entry in its link's map (flows or flows6): taken out, read, or written. */
static int slot_map(struct pg_offload *o, int side, const struct pg_offload_slot *sl,
		    enum map_op what, struct pg_xf_val *v)
{
	struct pg_xdp_fast *x = o->link[side].x;
	struct pg_xf_key6 k6[2];
	struct pg_xf_val unused[2];

	if (sl->op.family == 6) {
		entries6(o, &sl->op, k6, unused);
		switch (what) {
		case MAP_DEL:
			return pg_xdp_fast_del6(x, &k6[side]);
		case MAP_READ:
			return pg_xdp_fast_lookup6(x, &k6[side], v);
		default:
			return pg_xdp_fast_put6(x, &k6[side], v);
		}
	}
	switch (what) {
	case MAP_DEL:
		return pg_xdp_fast_del(x, &sl->key);
	case MAP_READ:
		return pg_xdp_fast_lookup(x, &sl->key, v);
	default:
		return pg_xdp_fast_put(x, &sl->key, v);
	}
}

/* pkts packets of bytes IP bytes that side's program forwarded, for the links' counters. */
static void tally(struct pg_offload *o, int side, uint64_t pkts, uint64_t bytes)
{
	o->fwd_frames[side] += pkts;
	o->fwd_bytes[side] += bytes + pkts * PG_ETH_HLEN;
}

/* What slot s of side forwarded since the counts were last given: to its flow, and free it. */
static void settle(struct pg_offload *o, struct pg_engine *e, int side, uint32_t s,
		   uint64_t now_ms)
{
	struct pg_offload_link *l = &o->link[side];
	struct pg_offload_slot *sl;
	const struct pg_xf_stats *st;
	uint64_t pkts, last_ms;

	if (s >= PG_XF_MAX_ENTRIES || !l->slot[s].used)
		return;
	sl = &l->slot[s];
	st = &l->x->stats[s];
	pkts = __atomic_load_n(&st->pkts, __ATOMIC_RELAXED);
	if (pkts != sl->pkts) {
		uint64_t bytes = __atomic_load_n(&st->bytes, __ATOMIC_RELAXED) - sl->bytes;

		last_ms = __atomic_load_n(&st->last_ns, __ATOMIC_RELAXED) / 1000000u;
		pg_engine_offload_settle(e, &sl->op, side == PG_SIDE_LAN, pkts - sl->pkts, bytes,
					 last_ms < now_ms ? last_ms : now_ms);
		tally(o, side, pkts - sl->pkts, bytes);
	}
	slot_put(l, s);
}

/* Take the entry with key k out of side's map, settle and free its slot. */
static void take(struct pg_offload *o, struct pg_engine *e, int side, const struct pg_xf_key *k,
		 uint64_t now_ms)
{
	struct pg_xf_val v;

	if (!pg_xdp_fast_take(o->link[side].x, k, &v))
		settle(o, e, side, v.slot, now_ms);
}

static void add(struct pg_offload *o, struct pg_engine *e, unsigned int engine,
		const struct pg_offload_op *op)
{
	/* Where each direction's packets go next: the WAN next hop, the LAN host. */
	const uint32_t hop[2] = {[PG_SIDE_LAN] = op->next_hop, [PG_SIDE_WAN] = op->lan_addr};
	struct pg_xf_key k[2];
	struct pg_xf_key6 k6[2];
	struct pg_xf_val v[2];
	uint32_t slot[2] = {UINT32_MAX, UINT32_MAX};
	int s, r = 0;

	if (op->family == 6) {
		memset(k, 0, sizeof(k)); /* the slot keeps the operation, not a key */
		entries6(o, op, k6, v);
	} else {
		entries(o, op, k, v);
	}
	for (s = 0; s < 2; s++) {
		if (!hop_mac(o, op, s, hop[s], v[s].dmac)) {
			o->refused_no_mac++;
			pg_engine_offload_refused(e, op->flow);
			return;
		}
	}
	for (s = 0; s < 2 && !r; s++) {
		struct pg_offload_link *l = &o->link[s];
		struct pg_offload_slot *sl;

		slot[s] = slot_get(l);
		if (slot[s] == UINT32_MAX) {
			r = -E2BIG;
			break;
		}
		sl = &l->slot[slot[s]];
		*sl = (struct pg_offload_slot){.key = k[s], .op = *op, .flow = op->flow,
					       .next_hop = hop[s], .engine = (uint8_t)engine,
					       .used = true};
		memcpy(sl->dmac, v[s].dmac, 6);
		/* Counts from where the slot's counters stand now: never reset under the program. */
		sl->pkts = __atomic_load_n(&l->x->stats[slot[s]].pkts, __ATOMIC_RELAXED);
		sl->bytes = __atomic_load_n(&l->x->stats[slot[s]].bytes, __ATOMIC_RELAXED);
		v[s].slot = slot[s];
		r = slot_map(o, s, sl, MAP_WRITE, &v[s]);
	}
	if (!r)
		return;
	/* Both directions or neither. The flow stays offered: no retry per packet. */
	for (s = 0; s < 2; s++) {
		if (slot[s] == UINT32_MAX)
			continue;
		slot_map(o, s, &o->link[s].slot[slot[s]], MAP_DEL, NULL);
		slot_put(&o->link[s], slot[s]);
	}
	if (r == -E2BIG || r == -ENOSPC || r == -ENOMEM)
		o->refused_full++;
	else
		o->errors++;
}

/* An engine asked for a flush: every entry of its flows out, their last counts settled. */
static void flush_engine(struct pg_offload *o, struct pg_engine *e, unsigned int engine,
			 uint64_t now_ms)
{
	for (int s = 0; s < 2; s++) {
		struct pg_offload_link *l = &o->link[s];

		for (uint32_t i = 0; i < l->top; i++) {
			if (!l->slot[i].used || l->slot[i].engine != engine)
				continue;
			slot_map(o, s, &l->slot[i], MAP_DEL, NULL);
			settle(o, e, s, i, now_ms);
		}
	}
}

void pg_offload_apply(struct pg_offload *o, struct pg_engines *engines, uint64_t now_ms)
{
	for (unsigned int k = 0; k < engines->n; k++) {
		const struct pg_offload_op *ops;
		bool flush;
		unsigned int n = pg_engine_offload_ops(engines->e[k], &ops, &flush);

		if (flush)
			flush_engine(o, engines->e[k], k, now_ms);
		for (unsigned int i = 0; i < n; i++) {
			const struct pg_offload_op *op = &ops[i];

			if (op->kind == PG_OFFLOAD_ADD) {
				add(o, engines->e[k], k, op);
			} else if (op->family == 6) {
				struct pg_xf_key6 key[2];
				struct pg_xf_val val[2];

				entries6(o, op, key, val);
				for (int s = 0; s < 2; s++)
					if (!pg_xdp_fast_take6(o->link[s].x, &key[s], &val[s]))
						settle(o, engines->e[k], s, val[s].slot, now_ms);
			} else {
				struct pg_xf_key key[2];
				struct pg_xf_val val[2];

				entries(o, op, key, val);
				take(o, engines->e[k], PG_SIDE_LAN, &key[PG_SIDE_LAN], now_ms);
				take(o, engines->e[k], PG_SIDE_WAN, &key[PG_SIDE_WAN], now_ms);
			}
		}
	}
}

void pg_offload_sync(struct pg_offload *o, struct pg_engines *engines, uint64_t now_ms)
{
	for (int s = 0; s < 2; s++) {
		struct pg_offload_link *l = &o->link[s];

		for (uint32_t i = 0; i < l->top; i++) {
			struct pg_offload_slot *sl = &l->slot[i];
			const struct pg_xf_stats *st = &l->x->stats[i];
			uint64_t pkts, bytes, last_ms;
			uint8_t mac[6];

			if (!sl->used)
				continue;
			pkts = __atomic_load_n(&st->pkts, __ATOMIC_RELAXED);
			if (pkts != sl->pkts && sl->engine < engines->n) {
				bytes = __atomic_load_n(&st->bytes, __ATOMIC_RELAXED);
				last_ms = __atomic_load_n(&st->last_ns, __ATOMIC_RELAXED) / 1000000u;
				pg_engine_offload_sync(engines->e[sl->engine], sl->flow,
						       s == PG_SIDE_LAN, pkts - sl->pkts,
						       bytes - sl->bytes,
						       last_ms < now_ms ? last_ms : now_ms);
				tally(o, s, pkts - sl->pkts, bytes - sl->bytes);
				sl->pkts = pkts;
				sl->bytes = bytes;
			}
			/* The neighbour moved: write its new MAC into the entry. */
			if (hop_mac(o, &sl->op, s, sl->next_hop, mac) && memcmp(mac, sl->dmac, 6)) {
				struct pg_xf_val v;

				if (!slot_map(o, s, sl, MAP_READ, &v)) {
					memcpy(v.dmac, mac, 6);
					if (!slot_map(o, s, sl, MAP_WRITE, &v))
						memcpy(sl->dmac, mac, 6);
				}
			}
		}
	}
}

uint32_t pg_offload_entries(const struct pg_offload *o)
{
	return 2 * PG_XF_MAX_ENTRIES - o->link[0].nfree - o->link[1].nfree;
}
