/* SPDX-License-Identifier: MIT */
/*
 * sync_export.c - the engine's state written as records (engine/sync.h):
 * the change ring the packet path feeds, its drain, and the walk over the
 * flow table for bulk transfers, state files and the standby's refresh.
 *
 * The packet path only ever appends a flow index (or, for a flow about to
 * be freed, its LAN-side key) to the ring: no allocation, no lock, no
 * record written. Records are built when the ring is drained between
 * batches, from the flow as it is then, so a flow changed ten times between
 * two drains is sent as it ended up (ten times: the ring does not merge, a
 * standby applies the same upsert again). A full ring sets a flag and
 * drops the note; the caller answers with a bulk transfer, the only thing
 * that repairs a lost change.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "alg/alg.h"
#include "engine/sync_internal.h"
#include "util/inet.h"

enum sync_op {
	OP_CHANGED = 1, /* idx names a flow to send as it is at the drain */
	OP_GONE = 2,	/* key names a flow that ended */
};

struct sync_change {
	struct pg_key key;
	uint32_t idx;
	uint8_t op;
};

struct pg_sync_ring {
	uint32_t size;	     /* a power of two */
	uint32_t head, tail; /* free-running: head - tail changes are noted */
	bool overflow;
	struct sync_change ent[];
};

int pg_sync_enable(struct pg_engine *e, unsigned int entries)
{
	struct pg_sync_ring *r;
	uint32_t size = 64;

	if (entries == 0 || entries > (1u << 24))
		return -EINVAL;
	while (size < entries)
		size <<= 1;
	r = calloc(1, sizeof(*r) + (size_t)size * sizeof(r->ent[0]));
	if (!r)
		return -ENOMEM;
	r->size = size;
	free(e->sync);
	e->sync = r;
	return 0;
}

void pg_sync_disable(struct pg_engine *e)
{
	free(e->sync);
	e->sync = NULL;
}

unsigned int pg_sync_pending(const struct pg_engine *e)
{
	return e->sync ? e->sync->head - e->sync->tail : 0;
}

bool pg_sync_take_overflow(struct pg_engine *e)
{
	bool was;

	if (!e->sync)
		return false;
	was = e->sync->overflow;
	if (was) {
		e->sync->overflow = false;
		e->sync->tail = e->sync->head; /* the bulk that follows covers them */
	}
	return was;
}

static struct sync_change *ring_add(struct pg_sync_ring *r)
{
	if (r->head - r->tail == r->size) {
		r->overflow = true;
		return NULL;
	}
	return &r->ent[r->head++ & (r->size - 1)];
}

/* The flow whose record carries flow idx (itself, or a PPTP call's control connection). */
static uint32_t owner_of(const struct pg_engine *e, uint32_t idx)
{
	const struct pg_flow *f = &e->flows[idx];
	const struct pg_alg_ops *ops = pg_alg_get(f->alg);

	return ops && ops->sync_owner ? ops->sync_owner(e, f) : idx;
}

void pg_sync_push_changed(struct pg_engine *e, uint32_t idx)
{
	struct sync_change *c = ring_add(e->sync);

	if (c) {
		c->op = OP_CHANGED;
		c->idx = idx;
	}
}

void pg_sync_push_gone(struct pg_engine *e, const struct pg_flow *f)
{
	uint32_t idx = (uint32_t)(f - e->flows), owner = owner_of(e, idx);
	struct sync_change *c;

	if (owner != idx) {
		/* A call ended: its connection's record, sent again, no longer has it. */
		pg_sync_push_changed(e, owner);
		return;
	}
	/*
	 * A parked LAN key means nothing to another engine, and keyed GRE with
	 * no helper is a call its control connection is taking down: the
	 * connection's own record (or its end) tells the standby.
	 */
	if (f->key.kind != PG_KEY_FLOW_OUT ||
	    (f->key.proto == PG_PROTO_GRE && f->key.pa == PG_GRE_KEYED && f->alg == PG_ALG_NONE))
		return;
	c = ring_add(e->sync);
	if (c) {
		c->op = OP_GONE;
		c->key = f->key;
	}
}

/* ---- records ---------------------------------------------------------------- */

static void put_key(uint8_t *p, const struct pg_key *k)
{
	memcpy(p, &k->a, 4);
	memcpy(p + 4, &k->b, 4);
	memcpy(p + 8, &k->pa, 2);
	memcpy(p + 10, &k->pb, 2);
	p[12] = k->proto;
	p[13] = k->kind;
	p[14] = p[15] = 0;
}

static void put64(uint8_t *p, uint64_t v)
{
	pg_put_be32(p, (uint32_t)(v >> 32));
	pg_put_be32(p + 4, (uint32_t)v);
}

void pg_sync_flow_encode(const struct pg_engine *e, const struct pg_flow *f, uint32_t now_s,
			 uint8_t *b)
{
	uint32_t due = f->last_seen + pg_flow_timeout(e, f), map = pg_flow_mapping(f);
	uint32_t in_addr = pg_flow_in_addr(f);

	memset(b, 0, PG_SYNC_FLOW_LEN);
	put_key(b, &f->key); /* bytes 14, 15 overwritten below */
	b[14] = f->in_parked;
	b[15] = f->flags;
	memcpy(b + 16, &f->in_pa, 2);
	memcpy(b + 18, &f->in_pb, 2);
	memcpy(b + 20, &in_addr, 4);
	memcpy(b + 24, &f->lan_addr, 4);
	memcpy(b + 28, &f->lan_port, 2);
	b[30] = f->tcp_state;
	b[31] = f->alg;
	/* A hairpin flow's alg_state is its WAN remote, sent as in_addr. */
	pg_put_be32(b + 32, (f->flags & PG_FLOW_HAIRPIN) ? 0 : f->alg_state);
	pg_put_be32(b + 36, due > now_s ? due - now_s : 0);
	pg_put_be32(b + 40, now_s > f->created ? now_s - f->created : 0);
	if (map != PG_NONE) {
		const struct pg_mapping *m = &e->mappings[map];

		b[44] = 1;
		b[45] = m->hairpin_permit != PG_NONE;
		memcpy(b + 48, &m->key[0].a, 4);
		memcpy(b + 52, &m->key[0].pa, 2);
		memcpy(b + 54, &m->key[1].pa, 2);
	}
	b[46] = f->has_permit;
	pg_put_be32(b + 56, f->pkts[PG_DIR_OUT]);
	pg_put_be32(b + 60, f->pkts[PG_DIR_IN]);
	put64(b + 64, pg_flow_bytes(f, PG_DIR_OUT));
	put64(b + 72, pg_flow_bytes(f, PG_DIR_IN));
	/* b[80..81]: helper length, 0 here; the caller appends helper state */
}

/* One FLOW record for flow f into buf; 0 when it does not fit in cap. */
static size_t put_flow(struct pg_engine *e, const struct pg_flow *f, uint32_t now_s, uint8_t *buf,
		       size_t cap)
{
	const struct pg_alg_ops *ops = pg_alg_get(f->alg);
	size_t n = PG_SYNC_REC_HDR + PG_SYNC_FLOW_LEN;
	int h = 0;

	if (cap < n)
		return 0;
	pg_sync_flow_encode(e, f, now_s, buf + PG_SYNC_REC_HDR);
	if (ops && ops->sync_save) {
		size_t room = cap - n < PG_SYNC_HELPER_MAX ? cap - n : PG_SYNC_HELPER_MAX;

		h = ops->sync_save(e, f, now_s, buf + n, room);
		if (h < 0)
			return 0;
	}
	pg_put_be16(buf + PG_SYNC_REC_HDR + 80, (uint16_t)h);
	n += (size_t)h;
	buf[0] = PG_SYNC_REC_FLOW;
	buf[1] = 0;
	pg_put_be16(buf + 2, (uint16_t)(n - PG_SYNC_REC_HDR));
	return n;
}

static size_t put_gone(const struct pg_key *k, uint8_t *buf, size_t cap)
{
	if (cap < PG_SYNC_REC_HDR + PG_SYNC_GONE_LEN)
		return 0;
	buf[0] = PG_SYNC_REC_GONE;
	buf[1] = 0;
	pg_put_be16(buf + 2, PG_SYNC_GONE_LEN);
	put_key(buf + PG_SYNC_REC_HDR, k);
	return PG_SYNC_REC_HDR + PG_SYNC_GONE_LEN;
}

size_t pg_sync_export_changes(struct pg_engine *e, uint64_t now_ms, uint8_t *buf, size_t cap)
{
	struct pg_sync_ring *r = e->sync;
	uint32_t now_s = pg_secs_ceil(now_ms);
	size_t off = 0;

	if (!r)
		return 0;
	while (r->tail != r->head) {
		const struct sync_change *c = &r->ent[r->tail & (r->size - 1)];
		size_t n = 0;

		if (c->op == OP_GONE) {
			n = put_gone(&c->key, buf + off, cap - off);
		} else {
			uint32_t idx = owner_of(e, c->idx);

			if (idx >= e->pool_size || e->flows[idx].key.kind == 0) {
				r->tail++; /* gone since: its GONE note follows */
				continue;
			}
			n = put_flow(e, &e->flows[idx], now_s, buf + off, cap - off);
		}
		if (n == 0) {
			if (off == 0) {
				r->tail++; /* can never fit this buffer: drop, not stall */
				r->overflow = true;
				continue;
			}
			break;
		}
		off += n;
		r->tail++;
	}
	return off;
}

size_t pg_sync_export_walk(struct pg_engine *e, uint32_t *cursor, uint64_t now_ms, uint8_t *buf,
			   size_t cap)
{
	uint32_t now_s = pg_secs_ceil(now_ms);
	size_t off = 0;

	for (; *cursor < e->pool_size; (*cursor)++) {
		const struct pg_flow *f = &e->flows[*cursor];
		size_t n;

		if (f->key.kind == 0 || owner_of(e, *cursor) != *cursor)
			continue;
		n = put_flow(e, f, now_s, buf + off, cap - off);
		if (n == 0) {
			if (off == 0)
				continue; /* larger than the whole buffer: skipped */
			break;
		}
		off += n;
	}
	return off;
}

bool pg_sync_walk_done(const struct pg_engine *e, uint32_t cursor)
{
	return cursor >= e->pool_size;
}
