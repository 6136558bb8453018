/* SPDX-License-Identifier: MIT */
/*
 * sync_import.c - records (engine/sync.h) applied to an engine: a standby
 * taking its primary's updates between batches, or passgated reading the
 * state its predecessor left.
 *
 * Every record is wire input: each field is checked against the engine's
 * own rules before anything is built from it (a key kind no lookup makes, a
 * TCP state out of range, a helper id we do not have, a hairpin flow that
 * claims a helper), and a record that would take a key, a public port or a
 * call id another flow already holds is refused and counted rather than
 * forced, so importing never breaks the index's invariants. Flows are made
 * through the same calls the packet path uses (pg_flow_create_keys(),
 * pg_mapping_get_on(), pg_counted_get()), so the imported table is one the
 * engine could have built itself.
 */
#include <errno.h>
#include <string.h>

#include "alg/alg.h"
#include "engine/engines.h"
#include "engine/sync_internal.h"
#include "util/inet.h"

static void get_key(const uint8_t *p, struct pg_key *k)
{
	memcpy(&k->a, p, 4);
	memcpy(&k->b, p + 4, 4);
	memcpy(&k->pa, p + 8, 2);
	memcpy(&k->pb, p + 10, 2);
	k->proto = p[12];
	k->kind = p[13];
	k->zero = 0;
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)pg_be32(p) << 32 | pg_be32(p + 4);
}

int pg_sync_flow_decode(const uint8_t *b, size_t len, struct pg_sync_flow *r)
{
	if (len < PG_SYNC_FLOW_LEN)
		return -1; /* shorter than the fixed part */
	memset(r, 0, sizeof(*r));
	get_key(b, &r->out);
	r->in_parked = b[14];
	r->flags = b[15];
	memcpy(&r->in_pa, b + 16, 2);
	memcpy(&r->in_pb, b + 18, 2);
	memcpy(&r->in_addr, b + 20, 4);
	memcpy(&r->lan_addr, b + 24, 4);
	memcpy(&r->lan_port, b + 28, 2);
	r->tcp_state = b[30];
	r->alg = b[31];
	r->alg_state = pg_be32(b + 32);
	r->remaining = pg_be32(b + 36);
	r->age = pg_be32(b + 40);
	r->has_map = b[44];
	r->map_hairpin = b[45];
	r->has_permit = b[46];
	memcpy(&r->map_lan, b + 48, 4);
	memcpy(&r->map_lan_port, b + 52, 2);
	memcpy(&r->map_pub, b + 54, 2);
	r->pkts[PG_DIR_OUT] = pg_be32(b + 56);
	r->pkts[PG_DIR_IN] = pg_be32(b + 60);
	r->bytes[PG_DIR_OUT] = get64(b + 64);
	r->bytes[PG_DIR_IN] = get64(b + 72);
	r->helper_len = pg_be16(b + 80);
	r->helper = b + PG_SYNC_FLOW_LEN;
	if (PG_SYNC_FLOW_LEN + (size_t)r->helper_len != len)
		return -1; /* the helper length disagrees with the record's */
	return 0;
}

void pg_sync_flow_keys(const struct pg_engine *e, const struct pg_sync_flow *r, struct pg_key *out,
		       struct pg_key *in)
{
	*out = r->out;
	pg_key_fill(in, r->in_parked ? PG_KEY_PARKED : PG_KEY_FLOW_IN, r->out.proto, r->in_addr,
		    e->cfg.wan_addr, r->in_pa, r->in_pb);
}

/* Is this a flow the engine could hold? (Conflicts are checked when it is made.) */
static bool flow_sane(const struct pg_sync_flow *r)
{
	switch (r->out.proto) {
	case PG_PROTO_TCP:
	case PG_PROTO_UDP:
	case PG_PROTO_ICMP:
	case PG_PROTO_GRE:
	case PG_PROTO_ESP:
		break;
	default:
		return false; /* the engine tracks no other protocol */
	}
	if (r->tcp_state > PG_TCP_CLOSED || (r->out.proto != PG_PROTO_TCP && r->tcp_state))
		return false;
	if (r->alg >= PG_ALG__COUNT || r->in_parked > 1 || r->has_map > 1 || r->has_permit > 1 ||
	    r->map_hairpin > 1)
		return false;
	/* A hairpin flow keeps its other host where a helper keeps its state. */
	if (r->in_addr != r->out.b && r->alg != PG_ALG_NONE)
		return false;
	/* Mappings exist for ported protocols, on the port the WAN key names. */
	if (r->has_map && (r->out.proto == PG_PROTO_GRE || r->out.proto == PG_PROTO_ESP))
		return false;
	if (r->has_map && r->map_pub != r->in_pb)
		return false;
	/*
	 * Only a helper parks a WAN key, and only it can bind it again: raw ESP
	 * waiting for its inbound SPI (an IKE flow parked came from fuzz_sync,
	 * tests/fuzz/corpus/sync/crash-parked-udp). Enhanced GRE no helper
	 * announced may be parked by (server, call id) alone, which means the
	 * same on any engine.
	 */
	if (r->in_parked &&
	    !(r->out.proto == PG_PROTO_GRE && r->alg == PG_ALG_NONE &&
	      r->in_pa == PG_GRE_V1_ADDR) &&
	    (r->out.proto != PG_PROTO_ESP || r->alg == PG_ALG_NONE ||
	     !pg_alg_get(r->alg)->sync_restore))
		return false;
	return true;
}

static bool key_taken(const struct pg_engine *e, const struct pg_key *k)
{
	return pg_index_find(e, k, pg_key_hash(e, k)) != PG_NONE;
}

static void count(uint64_t *c)
{
	if (c)
		(*c)++;
}

struct pg_flow *pg_sync_flow_make(struct pg_engine *e, const struct pg_sync_flow *r,
				  const struct pg_key *out, const struct pg_key *in, uint32_t now_s,
				  uint32_t age_s, struct pg_sync_import_stats *st)
{
	uint32_t left = r->remaining > age_s ? r->remaining - age_s : 0, idx, timeout, last;
	struct pg_flow *f;
	struct pg_key pk;

	if (!left) {
		count(st ? &st->expired : NULL);
		return NULL;
	}
	if (key_taken(e, out) || key_taken(e, in)) {
		count(st ? &st->conflicts : NULL);
		return NULL;
	}
	f = pg_flow_create_keys(e, out, in, r->lan_addr, r->lan_port, now_s);
	if (!f) {
		count(st ? &st->full : NULL);
		return NULL;
	}
	idx = (uint32_t)(f - e->flows);
	if (r->has_map) {
		uint32_t m =
		    pg_mapping_get_on(e, out->proto, r->map_lan, r->map_lan_port, r->map_pub);

		if (m == PG_NONE) {
			/* The socket holds another port here, or the port is someone else's. */
			pg_flow_free(e, idx);
			count(st ? &st->conflicts : NULL);
			return NULL;
		}
		pg_flow_set_mapping(f, m);
		if (r->map_hairpin && e->mappings[m].hairpin_permit == PG_NONE) {
			pg_key_fill(&pk, PG_KEY_PERMIT, out->proto, e->cfg.wan_addr, 0,
				    e->mappings[m].key[1].pa, 0);
			e->mappings[m].hairpin_permit =
			    pg_counted_get(e, e->permits, &e->free_permit, PG_REF_PERMIT, &pk);
		}
	}
	if (r->has_permit) {
		/* The key permit_release() (flow.c) will look for. */
		pg_key_fill(&pk, PG_KEY_PERMIT, out->proto, out->b, 0, f->in_pb, 0);
		f->has_permit =
		    pg_counted_get(e, e->permits, &e->free_permit, PG_REF_PERMIT, &pk) != PG_NONE;
	}
	f->flags = (uint8_t)((r->flags & ~PG_FLOW_HAIRPIN) | (f->flags & PG_FLOW_HAIRPIN));
	f->tcp_state = r->tcp_state & 7;
	f->pkts[PG_DIR_OUT] = r->pkts[PG_DIR_OUT];
	f->pkts[PG_DIR_IN] = r->pkts[PG_DIR_IN];
	for (int d = 0; d < 2; d++) {
		f->bytes_lo[d] = (uint32_t)r->bytes[d];
		f->bytes_hi[d] = (uint8_t)(r->bytes[d] >> 32);
	}
	/*
	 * Due as many seconds from now as the record had left (never later
	 * than a fresh flow here would be, never earlier than the record said).
	 */
	timeout = pg_flow_timeout(e, f);
	last = left >= timeout ? now_s : now_s - (timeout - left);
	if (left < timeout && now_s < timeout - left)
		last = 0; /* this engine's clock starts later than the flow did */
	f->last_seen = last;
	f->created = now_s > r->age + age_s ? now_s - (r->age + age_s) : 0;
	pg_flow_rewheel(e, f, last + timeout);
	return f;
}

/* The flow whose LAN-side key is k, if that key is the flow's own (not a WAN key). */
static uint32_t flow_by_out_key(const struct pg_engine *e, const struct pg_key *k)
{
	uint32_t ref = pg_index_find(e, k, pg_key_hash(e, k));

	if (ref == PG_NONE || PG_REF_TYPE(ref) != PG_REF_FLOW || PG_REF_WHICH(ref) != PG_DIR_OUT)
		return PG_NONE;
	return PG_REF_IDX(ref);
}

/* Does flow idx have a record of its own (not carried in a helper's)? */
static bool top_level(const struct pg_engine *e, uint32_t idx)
{
	const struct pg_flow *f = &e->flows[idx];
	const struct pg_alg_ops *ops = pg_alg_get(f->alg);

	return !ops || !ops->sync_owner || ops->sync_owner(e, f) == idx;
}

static void import_flow(struct pg_engine *e, const uint8_t *body, size_t len, uint32_t now_s,
			uint32_t age_s, struct pg_sync_import_stats *st)
{
	const struct pg_alg_ops *ops;
	struct pg_sync_flow r;
	struct pg_key out, in;
	struct pg_flow *f;
	uint32_t old;

	if (pg_sync_flow_decode(body, len, &r) || r.out.kind != PG_KEY_FLOW_OUT || !flow_sane(&r)) {
		st->malformed++;
		return;
	}
	old = flow_by_out_key(e, &r.out);
	if (old != PG_NONE) {
		if (!top_level(e, old)) {
			st->conflicts++; /* a call's GRE here: its connection's record rules it */
			return;
		}
		pg_flow_free(e, old); /* an upsert: the record is the flow as it is now */
	}
	pg_sync_flow_keys(e, &r, &out, &in);
	if (r.in_parked && r.out.proto == PG_PROTO_ESP) {
		/* Parked keys name the sender's helper slots: the helper parks it here. */
		in.pa = in.pb = 0xffff;
	}
	f = pg_sync_flow_make(e, &r, &out, &in, now_s, age_s, st);
	if (!f)
		return;
	ops = pg_alg_get(r.alg);
	if (ops) {
		f->alg = r.alg & 7;
		f->alg_state = r.alg_state;
		if (ops->sync_restore &&
		    (ops->sync_restore(e, f, r.helper, r.helper_len, now_s, age_s) < 0 ||
		     (f->in_parked && f->in_pa == 0xffff && f->in_pb == 0xffff))) {
			/* Refused, or left on the placeholder key: not bound to the helper. */
			f->alg = PG_ALG_NONE;
			f->alg_state = 0;
			if (f->in_parked) {
				/* Without its helper nothing could ever bind it. */
				pg_flow_free(e, (uint32_t)(f - e->flows));
				st->full++;
				return;
			}
		}
	}
	st->applied++;
}

static void import_gone(struct pg_engine *e, const uint8_t *body, size_t len,
			struct pg_sync_import_stats *st)
{
	struct pg_key k;
	uint32_t idx;

	if (len != PG_SYNC_GONE_LEN || body[14] || body[15]) {
		st->malformed++;
		return;
	}
	get_key(body, &k);
	if (k.kind != PG_KEY_FLOW_OUT) {
		st->malformed++;
		return;
	}
	idx = flow_by_out_key(e, &k);
	if (idx == PG_NONE || !top_level(e, idx))
		return; /* already gone here, or never made it */
	pg_flow_free(e, idx);
	st->gone++;
}

int pg_sync_import(struct pg_engine *e, const uint8_t *buf, size_t len, uint64_t now_ms,
		   uint32_t age_s, struct pg_sync_import_stats *st)
{
	uint32_t now_s = pg_secs_ceil(now_ms);
	size_t off = 0;

	/* Start the wheel at now, as a batch would, before flows are filed on it. */
	pg_engine_tick(e, now_ms);
	e->now_ms = now_ms;
	while (off < len) {
		const uint8_t *rec = buf + off;
		size_t body;

		if (len - off < PG_SYNC_REC_HDR)
			return -EINVAL; /* a header cut short */
		body = pg_be16(rec + 2);
		if (rec[1] != 0 || len - off - PG_SYNC_REC_HDR < body)
			return -EINVAL; /* reserved bits set, or a body longer than what is left */
		switch (rec[0]) {
		case PG_SYNC_REC_FLOW:
			import_flow(e, rec + PG_SYNC_REC_HDR, body, now_s, age_s, st);
			break;
		case PG_SYNC_REC_GONE:
			import_gone(e, rec + PG_SYNC_REC_HDR, body, st);
			break;
		default:
			st->unknown++; /* a later version's record: its length lets us skip it */
			break;
		}
		off += PG_SYNC_REC_HDR + body;
	}
	return 0;
}

int pg_sync_import_set(struct pg_engines *set, const uint8_t *buf, size_t len, uint64_t now_ms,
		       uint32_t age_s, struct pg_sync_import_stats *st)
{
	size_t off = 0;

	if (set->n == 1)
		return pg_sync_import(set->e[0], buf, len, now_ms, age_s, st);
	while (off < len) {
		uint8_t hdr[20] = { 0x45 };
		size_t n;

		if (len - off < PG_SYNC_REC_HDR ||
		    len - off - PG_SYNC_REC_HDR < pg_be16(buf + off + 2))
			return -EINVAL;
		n = PG_SYNC_REC_HDR + pg_be16(buf + off + 2);
		/* The remote is the LAN key's destination, where a packet would be steered. */
		if (n >= PG_SYNC_REC_HDR + 8)
			memcpy(hdr + 16, buf + off + PG_SYNC_REC_HDR + 4, 4);
		if (pg_sync_import(set->e[pg_shard_of(&set->map, hdr, sizeof(hdr), PG_SIDE_LAN)],
				   buf + off, n, now_ms, age_s, st) < 0)
			return -EINVAL;
		off += n;
	}
	return 0;
}

void pg_sync_flush(struct pg_engine *e)
{
	for (uint32_t i = 0; i < e->pool_size; i++)
		if (e->flows[i].key.kind != 0)
			pg_flow_free(e, i);
}
