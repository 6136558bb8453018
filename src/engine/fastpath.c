/* SPDX-License-Identifier: MIT */
/*
 * fastpath.c - the batch's fast lane: packets of established UDP and TCP
 * flows that no helper follows, looked up in stages so that the memory
 * latency of one packet's lookup overlaps the others'.
 *
 * DOC: Theory of operation
 *
 * pg_engine_run() takes the batch in chunks. pg_fast_prepare() reads each
 * packet's headers just far enough to tell whether the full path
 * (engine.c's process(), then forward.c) would hand it to an existing flow
 * without anything but a rewrite: IPv4 without options, checksum right, not
 * a fragment, TTL above 1, UDP or TCP without SYN, ports no passthrough
 * switch or helper cares about, addresses that are neither spoofed, martian
 * nor the gateway's own (inbound: exactly the public address). For those it
 * builds the flow key, hashes it and prefetches the index slot; a second
 * pass prefetches the flow entry the slot names.
 *
 * pg_fast_forward() then goes through the chunk in order. A candidate whose
 * key is found, at that moment, on a flow with no helper, no hairpin, the
 * right LAN host and a packet within the egress MTU is translated here; the
 * caller sends everything else down the full path. Lookups are redone in
 * order, so a flow created or freed by an earlier packet of the batch is seen
 * exactly as one packet at a time would see it: the first two passes only
 * warm caches. The translation is the full path's, bit for bit: the address,
 * port and TTL changes folded into each checksum at once give the same value
 * as applying them one after another (RFC 1624 updates are one's complement
 * additions, and a non-zero sum folds to the same representation either way).
 *
 * Anything admitted here must be something the full path forwards the same
 * way: a change there to which packets reach pg_forward_flow() must be
 * mirrored in candidate().
 */
#include <arpa/inet.h>

#include "alg/alg.h"
#include "engine/csum.h"
#include "engine/engine_internal.h"
#include "util/inet.h"

#define IP_FRAG_BITS 0x3fff /* MF and the offset: any fragment */

static inline bool in_lan(const struct pg_engine *e, uint32_t a)
{
	return ((a ^ e->cfg.lan_addr) & e->lan_mask) == 0;
}

/* parse.c's martian tests: 0/8, 127/8 and 224/3 sources, 0/8 and 127/8 destinations. */
static inline bool martian(uint32_t saddr, uint32_t daddr)
{
	uint8_t s = (uint8_t)(ntohl(saddr) >> 24), d = (uint8_t)(ntohl(daddr) >> 24);

	return s == 0 || s == 127 || s >= 224 || d == 0 || d == 127;
}

static inline bool header_csum_ok(const uint8_t *ip)
{
	uint32_t w[5];
	uint64_t sum;

	memcpy(w, ip, sizeof(w));
	sum = (uint64_t)w[0] + w[1] + w[2] + w[3] + w[4];
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffffffffu) + (sum >> 32);
	return pg_csum_fold((uint32_t)sum) == 0;
}

/* Would the full path hand this packet straight to a flow? Fills the key if so. */
static bool candidate(const struct pg_engine *e, const struct pg_pkt *pkt, struct pg_key *k)
{
	const uint8_t *ip = pkt->l3, *l4 = ip + 20; /* the fast lane takes only IHL 5 */
	bool lan = pkt->side == PG_SIDE_LAN;
	uint32_t saddr, daddr, tot, l4_len;
	uint16_t sport, dport;
	uint8_t proto;

	/* Only the two links: any other origin is the full path's to judge. */
	if ((pkt->side != PG_SIDE_LAN && pkt->side != PG_SIDE_WAN) || pkt->len < 28 ||
	    ip[PG_IP_OFF_VIHL] != 0x45 || ip[PG_IP_OFF_TTL] <= 1)
		return false;
	tot = ntohs(pg_get16(ip + PG_IP_OFF_TOTLEN));
	if (tot > pkt->len || tot < 28 || (ntohs(pg_get16(ip + PG_IP_OFF_FRAG)) & IP_FRAG_BITS))
		return false;
	proto = ip[PG_IP_OFF_PROTO];
	l4_len = tot - 20;
	sport = pg_get16(l4);
	dport = pg_get16(l4 + PG_L4_OFF_DPORT);
	/* Ports a helper declares: the slow path asks it (and its switch). */
	if (!sport || !dport || pg_alg_port_claimed(e, sport) || pg_alg_port_claimed(e, dport))
		return false;
	if (proto == PG_PROTO_UDP) {
		uint32_t ulen = ntohs(pg_get16(l4 + PG_UDP_OFF_LEN));

		if (ulen < 8 || ulen > l4_len)
			return false;
	} else if (proto == PG_PROTO_TCP) {
		uint32_t doff;

		/* The fixed header first: the data offset and flags lie past 8 bytes. */
		if (l4_len < 20)
			return false;
		doff = pg_tcp_doff(l4);
		if (doff < 20 || doff > l4_len || (l4[PG_TCP_OFF_FLAGS] & PG_TCP_SYN))
			return false;
	} else {
		return false;
	}
	saddr = pg_get32(ip + PG_IP_OFF_SADDR);
	daddr = pg_get32(ip + PG_IP_OFF_DADDR);
	if (martian(saddr, daddr))
		return false;
	if (lan) {
		uint32_t net = e->cfg.lan_addr & e->lan_mask, bcast = e->cfg.lan_addr | ~e->lan_mask;

		if (!in_lan(e, saddr) || saddr == e->cfg.lan_addr || saddr == net ||
		    saddr == bcast)
			return false;
		/* Not for the gateway (nor hairpinned), not LAN-local. */
		if (daddr == e->cfg.wan_addr || in_lan(e, daddr) || daddr == 0xffffffffu ||
		    (ntohl(daddr) >> 28) == 14)
			return false;
		/* Routed by the host stack (local.c): up before any flow lookup. */
		if (e->cfg.nhost_routes && pg_local_route(e, daddr))
			return false;
		/* Tunnelled hosts never take a mapping's fast lane (local.c). */
		if (e->cfg.tunnel && pg_local_tunnelled(e, saddr))
			return false;
	} else {
		if (in_lan(e, saddr) || saddr == e->cfg.wan_addr || daddr != e->cfg.wan_addr)
			return false;
	}
	if (!header_csum_ok(ip))
		return false;
	pg_key_fill(k, lan ? PG_KEY_FLOW_OUT : PG_KEY_FLOW_IN, proto, saddr, daddr, sport, dport);
	return true;
}

/*
 * Prefetch the home slot of a single-key entry's key; returns the key's hash.
 * Always inlined: GCC 12 takes it for pure and dropped the call whose hash
 * went unused (the permit's, so its slot was never warmed).
 */
static inline __attribute__((always_inline)) uint32_t
prefetch_key(const struct pg_engine *e, enum pg_key_kind kind, uint8_t proto, uint32_t a,
	     uint16_t pa)
{
	struct pg_key k;
	uint32_t hash;

	pg_key_fill(&k, kind, proto, a, 0, pa, 0);
	hash = pg_key_hash(e, &k);
	__builtin_prefetch(&e->slots[pg_slot_home(e, hash)]);
	return hash;
}

/* The reference in a key's home slot if that slot holds it, else PG_NONE. */
static inline uint32_t home_ref(const struct pg_engine *e, uint32_t hash, enum pg_ref_type type)
{
	uint64_t s = e->slots[pg_slot_home(e, hash)];
	uint32_t ref = (uint32_t)s;

	return ref != PG_NONE && (uint32_t)(s >> 32) == hash && PG_REF_TYPE(ref) == type ? ref
											: PG_NONE;
}

/*
 * The slow path of a new outbound flow looks up its mapping and host, then,
 * with the mapping's public port, its WAN-side key and its permit. Warm all
 * of them a pass at a time so the misses overlap across the chunk.
 */
static void prefetch_new_flows(struct pg_engine *e, struct pg_fast_chunk *c, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		uint32_t ref;

		if (!c->is_new[i])
			continue;
		ref = home_ref(e, c->map_hash[i], PG_REF_MAPPING);
		c->map_ref[i] = ref;
		if (ref != PG_NONE)
			__builtin_prefetch(&e->mappings[PG_REF_IDX(ref)]);
		ref = home_ref(e, c->host_hash[i], PG_REF_HOST);
		if (ref != PG_NONE)
			__builtin_prefetch(&e->hosts[PG_REF_IDX(ref)], 1);
	}
	for (i = 0; i < n; i++) {
		const struct pg_key *out = &c->key[i];
		const struct pg_mapping *m;
		struct pg_key k;
		uint16_t pub;

		if (!c->is_new[i] || c->map_ref[i] == PG_NONE)
			continue;
		m = &e->mappings[PG_REF_IDX(c->map_ref[i])];
		pub = m->key[1].pa;
		pg_key_fill(&k, PG_KEY_FLOW_IN, out->proto, out->b, e->cfg.wan_addr, out->pb, pub);
		__builtin_prefetch(&e->slots[pg_slot_home(e, pg_key_hash(e, &k))], 1);
		prefetch_key(e, PG_KEY_PERMIT, out->proto, out->b, pub);
	}
}

void pg_fast_prepare(struct pg_engine *e, const struct pg_pkt *pkts, unsigned int n,
		     struct pg_fast_chunk *c)
{
	unsigned int i, nnew = 0;

	if (e->fast_off) {
		memset(c->ok, 0, n * sizeof(c->ok[0]));
		return;
	}
	for (i = 0; i < n; i++) {
		struct pg_key k;

		/* Hash the key from registers: reading back what was just stored
		 * field by field would stall on store forwarding. */
		c->ok[i] = candidate(e, &pkts[i], &k);
		if (!c->ok[i])
			continue;
		c->hash[i] = pg_key_hash(e, &k);
		c->key[i] = k;
	}
	/* Prefetches in a pass of their own: the hashes above overlap better
	 * without them, and these issue back to back. */
	for (i = 0; i < n; i++)
		if (c->ok[i])
			__builtin_prefetch(&e->slots[pg_slot_home(e, c->hash[i])]);
	for (i = 0; i < n; i++) {
		uint64_t s;
		uint32_t ref;

		c->is_new[i] = false;
		if (!c->ok[i])
			continue;
		s = e->slots[pg_slot_home(e, c->hash[i])];
		ref = (uint32_t)s;
		/* A hint only: the first slot is right at all but the highest loads. */
		if (ref != PG_NONE && (uint32_t)(s >> 32) == c->hash[i] &&
		    PG_REF_TYPE(ref) == PG_REF_FLOW) {
			const char *f = (const char *)&e->flows[PG_REF_IDX(ref)];

			__builtin_prefetch(f, 1);
			__builtin_prefetch(f + sizeof(struct pg_flow) - 1, 1);
		} else if (ref == PG_NONE && c->key[i].kind == PG_KEY_FLOW_OUT) {
			/* An empty home slot: certainly a new outbound flow. */
			c->is_new[i] = true;
			c->map_hash[i] = prefetch_key(e, PG_KEY_MAP_LAN, c->key[i].proto,
						      c->key[i].a, c->key[i].pa);
			c->host_hash[i] = prefetch_key(e, PG_KEY_HOST, 0, c->key[i].a, 0);
			nnew++;
		}
	}
	if (nnew)
		prefetch_new_flows(e, c, n);
}

/* RFC 1624 eqn. 3 with every change's terms at once: ~(~HC + delta), folded. */
static inline uint16_t csum_add_fold(uint16_t csum, uint32_t delta)
{
	uint32_t sum = (uint32_t)(uint16_t)~csum + delta;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* One's complement terms replacing 32-bit old with new, as two 16-bit words. */
static inline uint32_t delta32(uint32_t old_v, uint32_t new_v)
{
	return (uint32_t)(uint16_t)~old_v + (uint16_t)new_v + (uint16_t)~(old_v >> 16) +
	       (uint16_t)(new_v >> 16);
}

static inline uint32_t delta16(uint16_t old_v, uint16_t new_v)
{
	return (uint32_t)(uint16_t)~old_v + new_v;
}

void pg_translate_plain(struct pg_engine *e, struct pg_pkt *pkt, const struct pg_flow *f, int dir,
			unsigned int ihl, uint8_t proto)
{
	uint8_t *ip = pkt->l3, *l4 = ip + ihl;
	uint32_t old_addr, new_addr, aoff, poff, coff;
	uint16_t old_port, new_port, old_ttl, new_ttl, csum, l4c;
	uint8_t ttl_word[2];

	if (dir == PG_DIR_OUT) {
		aoff = PG_IP_OFF_SADDR;
		poff = PG_L4_OFF_SPORT;
		new_addr = e->cfg.wan_addr;
		new_port = f->in_pb; /* no helper: the public port (pg_flow_pub_port()) */
	} else {
		aoff = PG_IP_OFF_DADDR;
		poff = PG_L4_OFF_DPORT;
		new_addr = f->lan_addr;
		new_port = f->lan_port;
	}
	old_addr = pg_get32(ip + aoff);
	old_port = pg_get16(l4 + poff);
	/* TTL and protocol share a checksum word; build the new word in a
	 * register rather than read it back after a byte store. */
	ttl_word[0] = ip[PG_IP_OFF_TTL];
	ttl_word[1] = ip[PG_IP_OFF_TTL + 1];
	memcpy(&old_ttl, ttl_word, sizeof(old_ttl));
	ttl_word[0]--;
	memcpy(&new_ttl, ttl_word, sizeof(new_ttl));
	pg_put32(ip + aoff, new_addr);
	pg_put16(l4 + poff, new_port);
	pg_put16(ip + PG_IP_OFF_TTL, new_ttl);

	csum = pg_get16(ip + PG_IP_OFF_CSUM);
	csum = csum_add_fold(csum, delta32(old_addr, new_addr) + delta16(old_ttl, new_ttl));
	pg_put16(ip + PG_IP_OFF_CSUM, csum);

	coff = proto == PG_PROTO_TCP ? PG_TCP_OFF_CSUM : PG_UDP_OFF_CSUM;
	l4c = pg_get16(l4 + coff);
	/* UDP checksum 0 means "none" (RFC 768): leave it so. */
	if (proto == PG_PROTO_TCP || l4c != 0) {
		l4c = csum_add_fold(l4c, delta32(old_addr, new_addr) + delta16(old_port, new_port));
		if (proto == PG_PROTO_UDP && l4c == 0)
			l4c = 0xffff;
		pg_put16(l4 + coff, l4c);
	}

	if (dir == PG_DIR_OUT) {
		uint32_t dst = pg_get32(ip + PG_IP_OFF_DADDR);

		pkt->verdict = PG_VERDICT_TO_WAN;
		pkt->next_hop = pg_wan_next_hop(e, dst);
	} else {
		pkt->verdict = PG_VERDICT_TO_LAN;
		pkt->next_hop = new_addr;
	}
}

bool pg_fast_forward(struct pg_engine *e, const struct pg_fast_chunk *c, unsigned int i,
		     struct pg_pkt *pkt, uint64_t now_ms)
{
	uint8_t *ip = pkt->l3, *l4 = ip + 20; /* the fast lane takes only IHL 5 */
	int dir = pkt->side == PG_SIDE_LAN ? PG_DIR_OUT : PG_DIR_IN;
	uint32_t ref, tot;
	struct pg_flow *f;
	uint8_t proto;

	if (!c->ok[i])
		return false;
	ref = pg_index_find(e, &c->key[i], c->hash[i]);
	if (ref == PG_NONE || PG_REF_TYPE(ref) != PG_REF_FLOW)
		return false;
	f = &e->flows[PG_REF_IDX(ref)];
	tot = ntohs(pg_get16(ip + PG_IP_OFF_TOTLEN));
	if (f->alg != PG_ALG_NONE || (f->flags & PG_FLOW_HAIRPIN) ||
	    (dir == PG_DIR_OUT && c->key[i].a != f->lan_addr) ||
	    tot > (dir == PG_DIR_OUT ? e->cfg.wan_mtu : e->cfg.lan_mtu))
		return false;

	/* From here on this is the full path's work for this packet. */
	pkt->len = tot;
	pkt->drop_reason = PG_CNT_NONE;
	pg_count(e, dir == PG_DIR_OUT ? PG_CNT_RX_LAN : PG_CNT_RX_WAN);
	proto = ip[PG_IP_OFF_PROTO];
	if (proto == PG_PROTO_TCP) {
		uint8_t was = f->tcp_state;

		pg_tcp_track(f, dir, l4[PG_TCP_OFF_FLAGS]);
		if (f->tcp_state != was)
			pg_sync_note(e, (uint32_t)(f - e->flows));
	}
	pg_flow_count(f, dir, tot);
	pg_flow_touch(e, f, pg_secs_ceil(now_ms));
	pg_translate_plain(e, pkt, f, dir, 20, proto);
	pg_offload_note(e, PG_REF_IDX(ref), f);
	return true;
}

void pg_engine_set_fast_path(struct pg_engine *e, bool on)
{
	e->fast_off = !on;
}
