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
 *
 * With several workers (portdir.h) the ports are the whole gateway's: a new
 * mapping takes the port its LAN socket already holds on another worker,
 * else one free on every worker, chosen from the directory's bitmap with
 * its random sequence, under its lock.
 *
 * Each space also counts its free ports per class (range and parity), kept
 * on every allocation and release: when the class a choice is limited to has
 * none left, the choice is refused at once. Without the counts a refused new
 * flow scanned all 1024 words of the bitmap, so a flood of new flows against
 * exhausted ports cost more per packet than forwarding did. With several
 * workers the directory keeps the same counts for the gateway's ports.
 */
#include <arpa/inet.h>
#include <string.h>

#include "engine/engine_internal.h"
#include "engine/portdir.h"

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

static uint64_t next_random(uint64_t *rng)
{
	/* xorshift64*: deterministic for a given seed, which tests rely on. */
	uint64_t x = *rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*rng = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static bool port_used(const uint64_t *bm, uint32_t port)
{
	return (bm[port >> 6] >> (port & 63)) & 1;
}

/* TCP and UDP port 0 is never chosen, so it is never counted free. */
static bool port_counted(int space, uint32_t port)
{
	return space == PG_PORTS_ICMP || port != 0;
}

/*
 * Free ports a choice for LAN port want (host order) may take from: this
 * engine's, or with several workers the gateway's (the directory's lock held).
 */
static uint32_t free_for(const struct pg_engine *e, int space, uint32_t want)
{
	const uint32_t *n = e->dir ? pg_portdir_free(e->dir, space) : e->ports_free[space];

	if (space == PG_PORTS_ICMP)
		return n[0] + n[1] + n[2] + n[3];
	return n[pg_port_class(want)];
}

void pg_ports_take(uint64_t *used, const uint64_t *rsv, uint32_t *n, int space, uint32_t port)
{
	used[port >> 6] |= 1ULL << (port & 63);
	if (!port_used(rsv, port) && port_counted(space, port))
		n[pg_port_class(port)]--;
}

void pg_ports_release(uint64_t *used, const uint64_t *rsv, uint32_t *n, int space, uint32_t port)
{
	used[port >> 6] &= ~(1ULL << (port & 63));
	if (!port_used(rsv, port) && port_counted(space, port))
		n[pg_port_class(port)]++;
}

static void port_take(struct pg_engine *e, int space, uint32_t port)
{
	pg_ports_take(e->ports_used[space], e->ports_reserved[space], e->ports_free[space], space,
		      port);
}

static void port_release(struct pg_engine *e, int space, uint32_t port)
{
	pg_ports_release(e->ports_used[space], e->ports_reserved[space], e->ports_free[space],
			 space, port);
}

/* Add the free ports of bitmap words [from, to) to classes c (even) and c | 1 (odd). */
static void count_words(const uint64_t *bm, const uint64_t *rsv, uint32_t from, uint32_t to,
			uint64_t first_mask, unsigned int c, uint32_t *n)
{
	uint64_t mask = first_mask;

	/* No test inside the loop: it runs over 1024 words per port space. */
	for (uint32_t w = from; w < to; w++) {
		uint64_t f = ~(bm[w] | rsv[w]) & mask;

		n[c] += (uint32_t)__builtin_popcountll(f & EVEN_BITS);
		n[c | 1] += (uint32_t)__builtin_popcountll(f & ~EVEN_BITS);
		mask = ~0ULL;
	}
}

void pg_ports_count(const uint64_t *bm, const uint64_t *rsv, int space, uint32_t *n)
{
	memset(n, 0, PG_PORT_CLASSES * sizeof(n[0]));
	/* Words 0-15 are ports 0-1023, the system ports (class 0/1); port 0 may not count. */
	count_words(bm, rsv, 0, 1024 / 64, port_counted(space, 0) ? ~0ULL : ~1ULL, 0, n);
	count_words(bm, rsv, 1024 / 64, 65536 / 64, ~0ULL, 2, n);
}

static void count_free(const struct pg_engine *e, int space, uint32_t n[PG_PORT_CLASSES])
{
	pg_ports_count(e->ports_used[space], e->ports_reserved[space], space, n);
}

void pg_nat_recount(struct pg_engine *e)
{
	for (int s = 0; s < PG_PORTS__COUNT; s++)
		count_free(e, s, e->ports_free[s]);
	if (!e->dir)
		return;
	/* Every worker has the same forwards: the directory counts without them. */
	pg_portdir_lock(e->dir);
	for (int s = 0; s < PG_PORTS__COUNT; s++)
		pg_portdir_reserve(e->dir, s, e->ports_reserved[s]);
	pg_portdir_unlock(e->dir);
}

bool pg_nat_counts_valid(const struct pg_engine *e)
{
	uint32_t n[PG_PORT_CLASSES];

	for (int s = 0; s < PG_PORTS__COUNT; s++) {
		count_free(e, s, n);
		if (memcmp(n, e->ports_free[s], sizeof(n)))
			return false;
	}
	return true;
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

/* A free port for lan_port_n in bm (ports in use) and the engine's reserved ports. */
static int choose_port(struct pg_engine *e, const uint64_t *bm, uint64_t *rng, int space,
		       uint16_t lan_port_n)
{
	const uint64_t *rsv = e->ports_reserved[space];
	uint32_t want = ntohs(lan_port_n), lo, hi;
	int parity;

	if (!port_used(bm, want) && !port_used(rsv, want) && (space == PG_PORTS_ICMP || want != 0)) {
		pg_count(e, PG_CNT_PORT_PRESERVED);
		return (int)want;
	}
	/* None left in the class: refuse before the scan (and the random draw). */
	if (!free_for(e, space, want))
		return -1;
	if (space == PG_PORTS_ICMP) {
		lo = 0;
		hi = 65535;
		parity = -1;
	} else {
		lo = want < 1024 ? 1 : 1024;
		hi = want < 1024 ? 1023 : 65535;
		parity = (int)(want & 1);
	}
	return find_free(bm, rsv, lo, hi, lo + (uint32_t)(next_random(rng) % (hi - lo + 1)),
			 parity);
}

/*
 * The port for a new mapping of (lan, lan_port) from the shared directory:
 * the one the socket holds elsewhere, or a new one. -1: none (or, with
 * fixed >= 0, the socket holds another port or fixed is taken).
 */
static int shared_port(struct pg_engine *e, int space, uint32_t lan, uint16_t lan_port,
		       int fixed)
{
	struct pg_portdir *d = e->dir;
	int port;

	pg_portdir_lock(d);
	port = pg_portdir_find(d, space, lan, lan_port);
	if (port >= 0) {
		if (fixed >= 0 && port != fixed)
			port = -1;
		else
			pg_portdir_ref(d, space, (uint16_t)port);
	} else {
		if (fixed >= 0)
			port = port_used(pg_portdir_used(d, space), (uint32_t)fixed) ? -1 : fixed;
		else
			port = choose_port(e, pg_portdir_used(d, space), pg_portdir_rng(d), space,
					   lan_port);
		if (port >= 0)
			pg_portdir_add(d, space, lan, lan_port, (uint16_t)port);
	}
	pg_portdir_unlock(d);
	return port;
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
	if (e->dir)
		port = shared_port(e, space, lan, lan_port, fixed);
	else if (fixed >= 0)
		port = port_used(e->ports_used[space], (uint32_t)fixed) ? -1 : fixed;
	else
		port = choose_port(e, e->ports_used[space], &e->rng, space, lan_port);
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
	port_take(e, space, (uint32_t)port);
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

uint32_t pg_mapping_get_on(struct pg_engine *e, uint8_t proto, uint32_t lan, uint16_t lan_port,
			   uint16_t pub_port)
{
	return mapping_get(e, proto, lan, lan_port, ntohs(pub_port), NULL);
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

bool pg_mapping_owner(struct pg_engine *e, uint8_t proto, uint16_t pub_port, uint32_t *lan,
		      uint16_t *lan_port)
{
	uint32_t midx = pg_mapping_find_pub(e, proto, pub_port);
	bool found;

	if (midx != PG_NONE) {
		*lan = e->mappings[midx].key[0].a;
		*lan_port = e->mappings[midx].key[0].pa;
		return true;
	}
	if (!e->dir)
		return false;
	pg_portdir_lock(e->dir);
	found = pg_portdir_owner(e->dir, port_space(proto), ntohs(pub_port), lan, lan_port);
	pg_portdir_unlock(e->dir);
	return found;
}

void pg_mapping_note_self(struct pg_engine *e, uint8_t proto, uint32_t lan, uint16_t lan_port)
{
	int space = port_space(proto), port;

	if (!e->dir)
		return;
	pg_portdir_lock(e->dir);
	port = pg_portdir_find(e->dir, space, lan, lan_port);
	if (port >= 0)
		pg_portdir_note_self(e->dir, space, (uint16_t)port);
	pg_portdir_unlock(e->dir);
}

bool pg_mapping_sent_self(struct pg_engine *e, uint8_t proto, uint16_t pub_port)
{
	bool sent;

	if (!e->dir)
		return false;
	pg_portdir_lock(e->dir);
	sent = pg_portdir_sent_self(e->dir, port_space(proto), ntohs(pub_port));
	pg_portdir_unlock(e->dir);
	return sent;
}

bool pg_mapping_possible(struct pg_engine *e, uint8_t proto, uint32_t lan, uint16_t lan_port)
{
	int space = port_space(proto);
	bool ok;

	/*
	 * A free LAN port is counted in its own class, so a free class also
	 * covers keeping the LAN port; the index is probed only when the class
	 * is empty. The mapping pool holds no fewer entries than flows, so it
	 * empties only with a full flow table, which pg_flow_make_room() handles.
	 */
	if (!e->dir)
		return free_for(e, space, ntohs(lan_port)) ||
		       pg_mapping_find_lan(e, proto, lan, lan_port) != PG_NONE;
	/* With several workers the socket may hold a port on another one. */
	pg_portdir_lock(e->dir);
	ok = free_for(e, space, ntohs(lan_port)) ||
	     pg_portdir_find(e->dir, space, lan, lan_port) >= 0;
	pg_portdir_unlock(e->dir);
	return ok;
}

void pg_mapping_put(struct pg_engine *e, uint32_t idx)
{
	struct pg_mapping *m = &e->mappings[idx];
	uint32_t port = ntohs(m->key[1].pa);

	if (--m->refs)
		return;
	if (e->dir) {
		pg_portdir_lock(e->dir);
		pg_portdir_unref(e->dir, port_space(m->key[0].proto), (uint16_t)port);
		pg_portdir_unlock(e->dir);
	}
	pg_counted_put(e, e->permits, &e->free_permit, PG_REF_PERMIT, m->hairpin_permit);
	pg_index_remove(e, &m->key[0], PG_REF(idx, PG_REF_MAPPING, 0));
	pg_index_remove(e, &m->key[1], PG_REF(idx, PG_REF_MAPPING, 1));
	port_release(e, port_space(m->key[0].proto), port);
	m->next_free = e->free_mapping;
	e->free_mapping = idx;
	pg_count(e, PG_CNT_MAPPING_EXPIRED);
}

void pg_nat_init(struct pg_engine *e)
{
	e->rng = (e->cfg.hash_seed[0] ^ (e->cfg.hash_seed[1] << 1)) | 1;
}
