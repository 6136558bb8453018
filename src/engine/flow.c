/* SPDX-License-Identifier: MIT */
/*
 * flow.c - the hash index, the entry pools and the expiry wheel.
 *
 * DOC: Theory of operation
 *
 * Index. One open-addressing table with linear probing holds a slot for every
 * key of every pool entry: two per flow (LAN view and WAN view), two per NAT
 * mapping, one per permit and per host. A slot is 8 bytes: the key's 32-bit
 * hash and a reference (pool, index, which key); the key itself lives in the
 * entry, which a lookup reads anyway (a flow's WAN-side key is rebuilt from
 * the entry's fields, struct pg_flow). Deletion shifts later slots back
 * instead of leaving tombstones, so a long-lived table never degrades. The
 * table has a quarter more slots than the pools can ever have keys
 * (pg_pools_size()), so an insert always finds room and probes stay short:
 * the 32-bit hash in the slot settles nearly every mismatch without reading
 * an entry, and eight slots share a cache line. Its size is not a power of
 * two (a key's home slot is its hash scaled to the table) so that it can be
 * sized to that bound rather than up to twice it.
 *
 * Expiry. Flows sit on a wheel of one-second slots by the second they are due.
 * A packet refreshing a flow only writes its last_seen; when the wheel reaches
 * the flow's slot it either frees the flow or moves it to the slot of its new
 * due time. Due times past the wheel's reach are parked at its far end and
 * looked at again then. Work per second is the number of flows due, and no
 * flow is ever freed early; at most a second late.
 */
#include <string.h>

#include "alg/alg.h"
#include "engine/engine_internal.h"

static const uint32_t empty_ref = PG_NONE;

static inline uint32_t slot_ref(uint64_t s)
{
	return (uint32_t)s;
}

static inline uint32_t slot_hash(uint64_t s)
{
	return (uint32_t)(s >> 32);
}

void pg_index_insert(struct pg_engine *e, uint32_t hash, uint32_t ref)
{
	uint32_t i = pg_slot_home(e, hash);

	while (slot_ref(e->slots[i]) != empty_ref)
		i = pg_slot_next(e, i);
	e->slots[i] = ((uint64_t)hash << 32) | ref;
}

/* Slots from a forward to b, wrapping at the end of the table. */
static inline uint32_t slot_dist(const struct pg_engine *e, uint32_t a, uint32_t b)
{
	return b >= a ? b - a : b + e->nslots - a;
}

/* Remove ref, indexed under a key whose hash is given. */
static void index_remove_hash(struct pg_engine *e, uint32_t hash, uint32_t ref)
{
	uint32_t i = pg_slot_home(e, hash), j;

	while (slot_ref(e->slots[i]) != ref) {
		if (slot_ref(e->slots[i]) == empty_ref)
			return; /* not indexed: nothing to do */
		i = pg_slot_next(e, i);
	}
	/* Backward-shift deletion: pull later members of the run into the hole. */
	j = i;
	for (;;) {
		uint32_t home;

		j = pg_slot_next(e, j);
		if (slot_ref(e->slots[j]) == empty_ref)
			break;
		home = pg_slot_home(e, slot_hash(e->slots[j]));
		/* Slot j may move to i only if its home is not in (i, j]. */
		if (slot_dist(e, home, j) >= slot_dist(e, i, j)) {
			e->slots[i] = e->slots[j];
			i = j;
		}
	}
	e->slots[i] = empty_ref;
}

void pg_index_remove(struct pg_engine *e, const struct pg_key *k, uint32_t ref)
{
	index_remove_hash(e, pg_key_hash(e, k), ref);
}

struct pg_flow *pg_flow_lookup(struct pg_engine *e, const struct pg_key *k)
{
	uint32_t ref = pg_index_find(e, k, pg_key_hash(e, k));

	if (ref == PG_NONE || PG_REF_TYPE(ref) != PG_REF_FLOW)
		return NULL;
	return &e->flows[PG_REF_IDX(ref)];
}

/* Single-key pools with reference counts: permits and hosts. */
uint32_t pg_counted_get(struct pg_engine *e, struct pg_counted *pool, uint32_t *free_head,
			enum pg_ref_type type, const struct pg_key *k)
{
	uint32_t hash = pg_key_hash(e, k);
	uint32_t ref = pg_index_find(e, k, hash);
	uint32_t idx;

	if (ref != PG_NONE) {
		idx = PG_REF_IDX(ref);
		pool[idx].refs++;
		return idx;
	}
	idx = *free_head;
	if (idx == PG_NONE)
		return PG_NONE; /* hosts only: the permit pool is as large as the flow pool */
	*free_head = pool[idx].next_free;
	pool[idx].a = k->a; /* b and pb are zero in these keys */
	pool[idx].pa = k->pa;
	pool[idx].proto = k->proto;
	pool[idx].kind = k->kind;
	pool[idx].refs = 1;
	pg_index_insert(e, hash, PG_REF(idx, type, 0));
	return idx;
}

void pg_counted_put(struct pg_engine *e, struct pg_counted *pool, uint32_t *free_head,
		    enum pg_ref_type type, uint32_t idx)
{
	struct pg_key k;

	if (idx == PG_NONE || --pool[idx].refs)
		return;
	pg_counted_key(&pool[idx], &k);
	pg_index_remove(e, &k, PG_REF(idx, type, 0));
	pool[idx].next_free = *free_head;
	*free_head = idx;
}

static void wheel_unlink(struct pg_engine *e, struct pg_flow *f)
{
	if (f->prev == PG_NONE)
		e->wheel[f->wheel_slot] = f->next;
	else
		e->flows[f->prev].next = f->next;
	if (f->next != PG_NONE)
		e->flows[f->next].prev = f->prev;
}

/* Put flow idx on the wheel at its due second, or the furthest slot we reach. */
static void wheel_link(struct pg_engine *e, uint32_t idx, uint32_t due)
{
	struct pg_flow *f = &e->flows[idx];
	uint32_t horizon = e->wheel_now + PG_WHEEL_SLOTS - 1;
	uint32_t slot;

	if (due < e->wheel_now)
		due = e->wheel_now;
	if (due > horizon)
		due = horizon;
	slot = due & (PG_WHEEL_SLOTS - 1);
	f->wheel_slot = (uint16_t)slot;
	f->prev = PG_NONE;
	f->next = e->wheel[slot];
	if (f->next != PG_NONE)
		e->flows[f->next].prev = idx;
	e->wheel[slot] = idx;
}

static uint32_t due_time(const struct pg_engine *e, const struct pg_flow *f)
{
	return f->last_seen + pg_flow_timeout(e, f);
}

/* Take a flow from the free list; the caller fills keys and calls pg_flow_insert(). */
static uint32_t take_free(struct pg_engine *e)
{
	uint32_t idx = e->free_flow;

	if (idx == PG_NONE)
		return PG_NONE;
	e->free_flow = e->flows[idx].next;
	memset(&e->flows[idx], 0, sizeof(e->flows[idx]));
	e->flows[idx].next = e->flows[idx].prev = PG_NONE;
	return idx;
}

/*
 * Evict the first flow, among those due soonest, that is not an established
 * TCP connection: idle datagram flows and half-open or closing connections
 * cost their users least.
 */
static bool evict_one(struct pg_engine *e)
{
	uint32_t s;

	for (s = 0; s < PG_WHEEL_SLOTS; s++) {
		uint32_t idx = e->wheel[(e->wheel_now + s) & (PG_WHEEL_SLOTS - 1)];
		unsigned int looked = 0;

		for (; idx != PG_NONE && looked < 64; idx = e->flows[idx].next, looked++) {
			struct pg_flow *f = &e->flows[idx];

			if (f->key.proto == PG_PROTO_TCP && f->tcp_state == PG_TCP_ESTABLISHED)
				continue;
			pg_flow_free(e, idx);
			pg_count(e, PG_CNT_FLOW_EVICTED);
			return true;
		}
	}
	return false;
}

bool pg_flow_make_room(struct pg_engine *e)
{
	return e->free_flow != PG_NONE || evict_one(e);
}

uint32_t pg_flow_alloc(struct pg_engine *e, uint32_t now_s)
{
	uint32_t idx = take_free(e);

	/* Everything due by now_s was freed when the batch started. */
	if (idx == PG_NONE && evict_one(e))
		idx = take_free(e);
	if (idx == PG_NONE && now_s != e->last_full_event_s) {
		e->last_full_event_s = now_s;
		pg_event_push(e, PG_EV_FLOW_TABLE_FULL, 0, 0, 0, 0, 0, e->nflows, 0);
	}
	return idx;
}

void pg_flow_insert(struct pg_engine *e, uint32_t idx, uint32_t now_s)
{
	struct pg_flow *f = &e->flows[idx];
	struct pg_key in;

	pg_flow_in_key(e, f, &in);
	pg_index_insert(e, pg_key_hash(e, &f->key), PG_REF(idx, PG_REF_FLOW, 0));
	pg_index_insert(e, pg_key_hash(e, &in), PG_REF(idx, PG_REF_FLOW, 1));
	f->last_seen = now_s;
	f->created = now_s;
	wheel_link(e, idx, due_time(e, f));
	e->nflows++;
	e->nflows_proto[pg_flow_proto_slot(f->key.proto)]++;
	pg_count(e, PG_CNT_FLOW_CREATED);
	pg_sync_note(e, idx);
}

/*
 * Release the permit flow f holds. Its key is (remote, public port) as
 * pg_flow_new() and pg_hairpin() made it, so it is found by key rather than
 * kept in the entry: when this is the permit's last flow (the usual case) the
 * hash is one the removal needs anyway.
 */
static void permit_release(struct pg_engine *e, const struct pg_flow *f)
{
	struct pg_key k;
	uint32_t hash, ref, idx;

	pg_key_fill(&k, PG_KEY_PERMIT, f->key.proto, f->key.b, 0, f->in_pb, 0);
	hash = pg_key_hash(e, &k);
	ref = pg_index_find(e, &k, hash);
	if (ref == PG_NONE || PG_REF_TYPE(ref) != PG_REF_PERMIT)
		return; /* cannot be: has_permit says it holds one */
	idx = PG_REF_IDX(ref);
	if (--e->permits[idx].refs)
		return;
	index_remove_hash(e, hash, ref);
	e->permits[idx].next_free = e->free_permit;
	e->free_permit = idx;
}

void pg_flow_free(struct pg_engine *e, uint32_t idx)
{
	struct pg_flow *f = &e->flows[idx];
	struct pg_key in;

	pg_offload_forget(e, idx);
	pg_sync_note_gone(e, f);
	if (f->alg != PG_ALG_NONE)
		pg_alg_get(f->alg)->flow_free(e, f);
	wheel_unlink(e, f);
	pg_flow_in_key(e, f, &in);
	pg_index_remove(e, &f->key, PG_REF(idx, PG_REF_FLOW, 0));
	pg_index_remove(e, &in, PG_REF(idx, PG_REF_FLOW, 1));
	if (pg_flow_mapping(f) != PG_NONE)
		pg_mapping_put(e, pg_flow_mapping(f));
	if (f->has_permit)
		permit_release(e, f);
	pg_counted_put(e, e->hosts, &e->free_host, PG_REF_HOST, f->host);
	f->key.kind = 0; /* not in use: observe.c skips it */
	f->next = e->free_flow;
	e->free_flow = idx;
	e->nflows--;
	e->nflows_proto[pg_flow_proto_slot(f->key.proto)]--;
}

void pg_flow_rewheel(struct pg_engine *e, struct pg_flow *f, uint32_t due)
{
	wheel_unlink(e, f);
	wheel_link(e, (uint32_t)(f - e->flows), due);
}

void pg_flow_expire(struct pg_engine *e, uint32_t now_s)
{
	unsigned int steps = 0;

	if (!e->wheel_started) {
		e->wheel_now = now_s;
		e->wheel_started = true;
	}
	/*
	 * Only flows are on the wheel: with none there is nothing to visit,
	 * however far the clock moved (an idle gateway after a long sleep).
	 */
	if (!e->nflows && e->wheel_now <= now_s) {
		e->wheel_now = now_s + 1;
		return;
	}
	/* Process every second up to and including now_s, at most one turn. */
	while (e->wheel_now <= now_s) {
		uint32_t slot = e->wheel_now & (PG_WHEEL_SLOTS - 1);
		uint32_t idx;

		/*
		 * Always the slot's first flow, the list left in place: freeing
		 * one flow may free others (a PPTP control connection ends its
		 * calls' GRE flows), and such a flow may be the next one here.
		 * A walk that kept its own next would then visit a free entry
		 * and free it again.
		 */
		while ((idx = e->wheel[slot]) != PG_NONE) {
			struct pg_flow *f = &e->flows[idx];
			uint32_t due = due_time(e, f);

			if (due <= now_s) {
				pg_flow_free(e, idx);
				pg_count(e, PG_CNT_FLOW_EXPIRED);
			} else {
				/* due > now_s >= wheel_now: never the slot being emptied */
				wheel_unlink(e, f);
				wheel_link(e, idx, due);
			}
		}
		if (++steps >= PG_WHEEL_SLOTS && e->wheel_now < now_s) {
			/* A jump of more than one turn: every slot was seen once. */
			e->wheel_now = now_s;
		}
		e->wheel_now++;
	}
}

size_t pg_pools_size(uint32_t max_flows, uint32_t *nslots, uint32_t *nmappings,
		     uint32_t *nhosts)
{
	/*
	 * A mapping holds a public port of its port space for as long as it
	 * lives, so there are never more mappings than ports (RFC 4787's
	 * endpoint-independent mapping); a larger pool would only be memory.
	 */
	uint32_t mappings = max_flows < PG_MAPPINGS_MAX ? max_flows : PG_MAPPINGS_MAX;
	/* An even count keeps the port bitmaps after the host pool 8-byte aligned. */
	uint32_t hosts = ((max_flows < PG_HOSTS_MAX ? max_flows : PG_HOSTS_MAX) + 1) & ~1u;
	/*
	 * Keys at most: 2 per flow, 2 per mapping, 1 per permit (no more
	 * numerous than flows) and 1 per host; the table has a quarter more
	 * slots, so it is at most 80% full even if every flow had a permit of
	 * its own and every mapping and host slot were taken (70% in the
	 * engine_bench udp_1m case, which has all of that but the mappings).
	 * Half as many again (two thirds full at most) cost 7 bytes per flow
	 * more and measured no faster (bench/BENCHMARKS.md).
	 */
	uint64_t keys = (uint64_t)max_flows * 3 + (uint64_t)mappings * 2 + hosts;
	uint64_t slots = keys * 5 / 4 < 1024 ? 1024 : keys * 5 / 4;

	if (nslots)
		*nslots = (uint32_t)slots;
	if (nmappings)
		*nmappings = mappings;
	if (nhosts)
		*nhosts = hosts;
	return (size_t)slots * sizeof(uint64_t) +
	       (size_t)max_flows * (sizeof(struct pg_flow) + sizeof(struct pg_counted)) +
	       (size_t)mappings * sizeof(struct pg_mapping) + (size_t)hosts * sizeof(struct pg_counted);
}
