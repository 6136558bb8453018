/* SPDX-License-Identifier: MIT */
/*
 * nat.c - endpoint-independent mappings and the public ports they hold.
 *
 * A mapping binds (protocol, LAN address, LAN port) to one public port for as
 * long as any flow uses it (RFC 4787 REQ-1, RFC 5382 REQ-1). Public ports are
 * tracked in one bitmap per port space, so finding a free one is a scan of
 * 64-bit words, never a walk of the table: cheap even when nearly full.
 * Choice order (RFC 4787 REQ-3, REQ-4): the LAN port itself if free; else a
 * pseudo-random free port of the same parity in the same range (system ports
 * 1-1023 stay system ports). ICMP identifiers have no ranges or parity.
 */
#include <arpa/inet.h>
#include <string.h>

#include "engine_internal.h"

#define EVEN_BITS 0x5555555555555555ULL

static int port_space(uint8_t proto)
{
	switch (proto) {
	case PG_PROTO_TCP:
		return PG_PORTS_TCP;
	case PG_PROTO_UDP:
		return PG_PORTS_UDP;
	default:
		return PG_PORTS_ICMP;
	}
}

static uint64_t next_random(struct pg_engine *e)
{
	/* xorshift64*: deterministic for a given seed, which tests rely on. */
	uint64_t x = e->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	e->rng = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static bool port_used(const uint64_t *bm, uint32_t port)
{
	return (bm[port >> 6] >> (port & 63)) & 1;
}

/*
 * First free port at or after start within [lo, hi], wrapping once, whose
 * parity is `parity` (0 even, 1 odd, -1 any). Returns -1 when none is free.
 */
static int find_free(const uint64_t *bm, const uint64_t *rsv, uint32_t lo, uint32_t hi,
		     uint32_t start, int parity)
{
	uint32_t span = hi - lo + 1, scanned = 0, p = start;
	uint64_t par = parity < 0 ? ~0ULL : parity == 0 ? EVEN_BITS : ~EVEN_BITS;

	while (scanned < span + 64) {
		uint32_t base = p & ~63u;
		uint64_t allowed = par & (~0ULL << (p & 63));
		uint64_t free_bits;

		/* p >= lo and p <= hi, so both shifts stay below 64. */
		if (base < lo)
			allowed &= ~0ULL << (lo - base);
		if (base + 63 > hi)
			allowed &= ~0ULL >> (63 - (hi - base));
		free_bits = ~(bm[p >> 6] | rsv[p >> 6]) & allowed;
		if (free_bits)
			return (int)(base + (uint32_t)__builtin_ctzll(free_bits));
		scanned += 64 - (p & 63);
		p = base + 64;
		if (p > hi || p < base)
			p = lo;
	}
	return -1;
}

static int choose_port(struct pg_engine *e, int space, uint16_t lan_port_n)
{
	uint64_t *bm = e->ports_used[space], *rsv = e->ports_reserved[space];
	uint32_t want = ntohs(lan_port_n), lo, hi;
	int parity;

	if (!port_used(bm, want) && !port_used(rsv, want) && (space == PG_PORTS_ICMP || want != 0)) {
		pg_count(e, PG_CNT_PORT_PRESERVED);
		return (int)want;
	}
	if (space == PG_PORTS_ICMP) {
		lo = 0;
		hi = 65535;
		parity = -1;
	} else {
		lo = want < 1024 ? 1 : 1024;
		hi = want < 1024 ? 1023 : 65535;
		parity = (int)(want & 1);
	}
	return find_free(bm, rsv, lo, hi, lo + (uint32_t)(next_random(e) % (hi - lo + 1)),
			 parity);
}

/*
 * A new mapping on public port pub_n is about to serve the flow whose LAN key
 * is out: that flow's WAN-side key and filter permit depend on the port just
 * chosen, so nothing could warm their index slots before. Start those misses
 * now, to overlap the mapping's own inserts rather than follow them.
 * Always inlined: GCC 12 takes a function of nothing but prefetches for
 * pure and drops the call (nat.o then had no such prefetch at all).
 */
static inline __attribute__((always_inline)) void
prefetch_flow_slots(const struct pg_engine *e, const struct pg_key *out, uint16_t pub_n)
{
	struct pg_key k;

	pg_key_fill(&k, PG_KEY_FLOW_IN, out->proto, out->b, e->cfg.wan_addr, out->pb, pub_n);
	__builtin_prefetch(&e->slots[pg_slot_home(e, pg_key_hash(e, &k))], 1);
	pg_key_fill(&k, PG_KEY_PERMIT, out->proto, out->b, 0, pub_n, 0);
	__builtin_prefetch(&e->slots[pg_slot_home(e, pg_key_hash(e, &k))], 1);
}

/*
 * The mapping of (proto, lan, lan_port), or a new one on public port `fixed`
 * (host order) when fixed >= 0, else on a port chosen by choose_port(). flow,
 * if not NULL, is the LAN key of the flow that will use it.
 */
static uint32_t mapping_get(struct pg_engine *e, uint8_t proto, uint32_t lan, uint16_t lan_port,
			    int fixed, const struct pg_key *flow)
{
	struct pg_key k = {.a = lan, .pa = lan_port, .proto = proto, .kind = PG_KEY_MAP_LAN};
	uint32_t hash = pg_key_hash(e, &k);
	uint32_t ref = pg_index_find(e, &k, hash);
	int space = port_space(proto), port;
	struct pg_mapping *m;
	uint32_t idx, pub_hash;

	if (ref != PG_NONE) {
		idx = PG_REF_IDX(ref);
		if (fixed >= 0 && ntohs(e->mappings[idx].key[1].pa) != fixed)
			return PG_NONE;
		e->mappings[idx].refs++;
		return idx;
	}
	idx = e->free_mapping;
	if (idx == PG_NONE)
		return PG_NONE;
	if (fixed >= 0)
		port = port_used(e->ports_used[space], (uint32_t)fixed) ? -1 : fixed;
	else
		port = choose_port(e, space, lan_port);
	if (port < 0)
		return PG_NONE;
	e->free_mapping = e->mappings[idx].next_free;
	m = &e->mappings[idx];
	memset(m, 0, sizeof(*m));
	m->key[0] = k;
	m->key[1].pa = htons((uint16_t)port);
	m->key[1].proto = proto;
	m->key[1].kind = PG_KEY_MAP_PUB;
	m->refs = 1;
	m->hairpin_permit = PG_NONE;
	e->ports_used[space][port >> 6] |= 1ULL << (port & 63);
	pub_hash = pg_key_hash(e, &m->key[1]);
	__builtin_prefetch(&e->slots[pg_slot_home(e, pub_hash)], 1);
	if (flow)
		prefetch_flow_slots(e, flow, m->key[1].pa);
	pg_index_insert(e, hash, PG_REF(idx, PG_REF_MAPPING, 0));
	pg_index_insert(e, pub_hash, PG_REF(idx, PG_REF_MAPPING, 1));
	pg_count(e, PG_CNT_MAPPING_CREATED);
	return idx;
}

uint32_t pg_mapping_get(struct pg_engine *e, uint8_t proto, uint32_t lan, uint16_t lan_port)
{
	return mapping_get(e, proto, lan, lan_port, -1, NULL);
}

uint32_t pg_mapping_get_flow(struct pg_engine *e, const struct pg_key *out)
{
	return mapping_get(e, out->proto, out->a, out->pa, -1, out);
}

uint32_t pg_mapping_get_fixed(struct pg_engine *e, uint8_t proto, uint32_t lan, uint16_t lan_port)
{
	return mapping_get(e, proto, lan, lan_port, ntohs(lan_port), NULL);
}

uint32_t pg_mapping_find_lan(struct pg_engine *e, uint8_t proto, uint32_t lan, uint16_t lan_port)
{
	struct pg_key k = {.a = lan, .pa = lan_port, .proto = proto, .kind = PG_KEY_MAP_LAN};
	uint32_t ref = pg_index_find(e, &k, pg_key_hash(e, &k));

	return ref == PG_NONE ? PG_NONE : PG_REF_IDX(ref);
}

uint32_t pg_mapping_find_pub(struct pg_engine *e, uint8_t proto, uint16_t pub_port)
{
	struct pg_key k = {.pa = pub_port, .proto = proto, .kind = PG_KEY_MAP_PUB};
	uint32_t ref = pg_index_find(e, &k, pg_key_hash(e, &k));

	return ref == PG_NONE ? PG_NONE : PG_REF_IDX(ref);
}

void pg_mapping_put(struct pg_engine *e, uint32_t idx)
{
	struct pg_mapping *m = &e->mappings[idx];
	uint32_t port = ntohs(m->key[1].pa);

	if (--m->refs)
		return;
	pg_counted_put(e, e->permits, &e->free_permit, PG_REF_PERMIT, m->hairpin_permit);
	pg_index_remove(e, &m->key[0], PG_REF(idx, PG_REF_MAPPING, 0));
	pg_index_remove(e, &m->key[1], PG_REF(idx, PG_REF_MAPPING, 1));
	e->ports_used[port_space(m->key[0].proto)][port >> 6] &= ~(1ULL << (port & 63));
	m->next_free = e->free_mapping;
	e->free_mapping = idx;
	pg_count(e, PG_CNT_MAPPING_EXPIRED);
}

void pg_nat_init(struct pg_engine *e)
{
	e->rng = (e->cfg.hash_seed[0] ^ (e->cfg.hash_seed[1] << 1)) | 1;
}
