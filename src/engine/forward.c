/* SPDX-License-Identifier: MIT */
/*
 * forward.c - translating forwarded packets: the fast path that looks flows
 * up and rewrites headers, and the slow path that creates flows.
 *
 * DOC: Theory of operation
 *
 * Forwarded packets take the fast path when their tuple is already in the
 * index: rewrite address and port, fix checksums incrementally, refresh the
 * flow. Only a miss takes the slow path that may create state: a NAT mapping
 * and a flow for an outbound packet, or, for an inbound packet towards an
 * existing mapping, a flow when filtering allows it. State is never created
 * for a packet that will not be forwarded. Flows a helper claimed show it
 * each packet before the headers change.
 */
#include <arpa/inet.h>
#include <string.h>

#include "alg/alg.h"
#include "engine/csum.h"
#include "engine/engine_internal.h"
#include "util/inet.h"

/* ---- rewriting ---------------------------------------------------------- */

static void decrement_ttl(uint8_t *ip)
{
	uint16_t csum = pg_get16(ip + PG_IP_OFF_CSUM);
	uint16_t old_word = pg_get16(ip + PG_IP_OFF_TTL);

	ip[PG_IP_OFF_TTL]--;
	pg_csum_replace16(&csum, old_word, pg_get16(ip + PG_IP_OFF_TTL));
	pg_put16(ip + PG_IP_OFF_CSUM, csum);
}

/* Offset of the checksum a port or address change must update, or 0. */
static unsigned int l4_csum_offset(const struct pg_parsed *p)
{
	if (p->frag_off)
		return 0;
	switch (p->proto) {
	case PG_PROTO_TCP:
		return p->ihl + PG_TCP_OFF_CSUM;
	case PG_PROTO_UDP:
		return p->ihl + PG_UDP_OFF_CSUM;
	case PG_PROTO_ICMP:
		return p->ihl + PG_ICMP_OFF_CSUM;
	default:
		return 0;
	}
}

/*
 * Offset of the port or id that follows the address being rewritten, or 0.
 * Enhanced GRE names only the receiver's call id, and only flows a helper
 * keyed by call id translate it.
 */
static unsigned int port_offset(const struct pg_parsed *p, const struct pg_flow *f, bool is_src)
{
	if (p->frag_off)
		return 0;
	switch (p->proto) {
	case PG_PROTO_TCP:
	case PG_PROTO_UDP:
		return p->ihl + (is_src ? 0u : 2u);
	case PG_PROTO_ICMP:
		return p->ihl + PG_ICMP_OFF_ID;
	case PG_PROTO_GRE:
		return p->gre_version == 1 && !is_src && f->in_pa == PG_GRE_KEYED
			       ? p->ihl + PG_GRE_OFF_CALL_ID
			       : 0;
	default:
		return 0;
	}
}

/*
 * Rewrite one address (source when is_src) and, where the protocol has one,
 * the matching port or identifier. Checksums follow incrementally, so a bad
 * transport checksum stays bad.
 */
void pg_rewrite(struct pg_pkt *pkt, const struct pg_parsed *p, const struct pg_flow *f,
		bool is_src, uint32_t new_addr, uint16_t new_port)
{
	uint8_t *ip = pkt->l3;
	unsigned int aoff = is_src ? PG_IP_OFF_SADDR : PG_IP_OFF_DADDR;
	unsigned int coff = l4_csum_offset(p), poff = port_offset(p, f, is_src);
	uint32_t old_addr = pg_get32(ip + aoff);
	uint16_t csum = pg_get16(ip + PG_IP_OFF_CSUM), l4c = 0;
	bool pseudo = p->proto == PG_PROTO_TCP || p->proto == PG_PROTO_UDP;

	pg_csum_replace32(&csum, old_addr, new_addr);
	pg_put16(ip + PG_IP_OFF_CSUM, csum);
	pg_put32(ip + aoff, new_addr);

	if (coff) {
		l4c = pg_get16(ip + coff);
		/* UDP checksum 0 means "none" (RFC 768): leave it so. */
		if (p->proto == PG_PROTO_UDP && l4c == 0)
			coff = 0;
	}
	if (coff && pseudo)
		pg_csum_replace32(&l4c, old_addr, new_addr);
	if (poff) {
		uint16_t old_port = pg_get16(ip + poff);

		pg_put16(ip + poff, new_port);
		if (coff)
			pg_csum_replace16(&l4c, old_port, new_port);
	}
	if (coff) {
		if (p->proto == PG_PROTO_UDP && l4c == 0)
			l4c = 0xffff;
		pg_put16(ip + coff, l4c);
		if (p->proto == PG_PROTO_ICMP && !p->more_frags)
			pg_csum_icmp_fix(ip + p->ihl, p->l4_len, PG_ICMP_OFF_CSUM);
	}
}

static void forward(struct pg_engine *e, struct pg_pkt *pkt, int to_side)
{
	uint32_t dst = pg_get32(pkt->l3 + PG_IP_OFF_DADDR);

	decrement_ttl(pkt->l3);
	if (to_side == PG_SIDE_LAN) {
		pkt->verdict = PG_VERDICT_TO_LAN;
		pkt->next_hop = dst;
	} else {
		pkt->verdict = PG_VERDICT_TO_WAN;
		pkt->next_hop = pg_wan_next_hop(e, dst);
	}
}

/*
 * The fast path for a packet whose flow is known: let the helper see it, track
 * TCP state, count, refresh, rewrite, forward.
 */
void pg_forward_flow(struct pg_engine *e, struct pg_pkt *pkt, const struct pg_parsed *p,
		     struct pg_flow *f, int dir, uint64_t now_ms)
{
	if (dir == PG_DIR_OUT && p->saddr != f->lan_addr) {
		/* Another host's SPI or call id: never let it ride that flow. */
		pg_drop(e, pkt, PG_CNT_DROP_FLOW_CONFLICT);
		return;
	}
	if (pg_mtu_exceeded(e, pkt,
			    dir == PG_DIR_OUT && !(f->flags & PG_FLOW_HAIRPIN) ? PG_SIDE_WAN
									 : PG_SIDE_LAN,
			    now_ms))
		return;
	if (f->alg != PG_ALG_NONE) {
		enum pg_counter r = pg_alg_get(f->alg)->packet(e, f, pkt, p, dir, now_ms);

		if (r != PG_CNT_NONE) {
			pg_drop(e, pkt, r);
			return;
		}
	}
	if (p->proto == PG_PROTO_TCP) {
		uint8_t was = f->tcp_state;

		pg_tcp_track(f, dir, p->tcp_flags);
		if (f->tcp_state != was)
			pg_sync_note(e, (uint32_t)(f - e->flows));
		if (p->tcp_flags & PG_TCP_SYN)
			pg_mss_clamp(e, pkt, p);
	}
	pg_flow_count(f, dir, pkt->len);
	pg_flow_touch(e, f, pg_secs_ceil(now_ms));
	/* A FIN or RST the XDP program handed over ends the flow's offer. */
	pg_offload_note(e, (uint32_t)(f - e->flows), f);
	if (f->flags & PG_FLOW_HAIRPIN) {
		pg_hairpin_translate(e, pkt, p, f, dir);
		forward(e, pkt, PG_SIDE_LAN);
		return;
	}
	if (f->alg == PG_ALG_NONE && !p->frag_off &&
	    (p->proto == PG_PROTO_TCP || p->proto == PG_PROTO_UDP)) {
		/* The fast lane's own translation: the two paths cannot differ. */
		pg_translate_plain(e, pkt, f, dir, p->ihl, p->proto);
		return;
	}
	if (dir == PG_DIR_OUT) {
		pg_rewrite(pkt, p, f, true, e->cfg.wan_addr, pg_flow_pub_port(f));
		forward(e, pkt, PG_SIDE_WAN);
	} else {
		pg_rewrite(pkt, p, f, false, f->lan_addr, f->lan_port);
		forward(e, pkt, PG_SIDE_LAN);
	}
}

/* ---- keys ----------------------------------------------------------------- */

/*
 * Port pair as a flow key sees it: echo requests carry the id as source,
 * echo replies as destination; enhanced GRE carries the receiver's call id,
 * which keys the flow a helper announced.
 */
static void l4_ports(const struct pg_parsed *p, uint16_t *sport, uint16_t *dport)
{
	if (p->proto == PG_PROTO_GRE && p->gre_version == 1) {
		*sport = PG_GRE_KEYED;
		*dport = p->gre_call_id;
		return;
	}
	if (p->proto == PG_PROTO_ICMP) {
		*sport = p->icmp_type == PG_ICMP_ECHO_REQUEST ? p->sport : 0;
		*dport = p->icmp_type == PG_ICMP_ECHO_REPLY ? p->sport : 0;
		return;
	}
	*sport = p->sport;
	*dport = p->dport;
}

/* The public port (or echo id) an inbound packet is for. */
static uint16_t l4_dport(const struct pg_parsed *p)
{
	uint16_t sport, dport;

	l4_ports(p, &sport, &dport);
	return dport;
}

static bool ported(uint8_t proto)
{
	return proto == PG_PROTO_TCP || proto == PG_PROTO_UDP || proto == PG_PROTO_ICMP;
}

/*
 * Look a packet's flow up. Enhanced GRE and ESP not keyed by call id or SPI
 * fall back to address-only tracking (forwards, the DMZ).
 */
static struct pg_flow *lookup(struct pg_engine *e, const struct pg_parsed *p, int dir)
{
	enum pg_key_kind kind = dir == PG_DIR_OUT ? PG_KEY_FLOW_OUT : PG_KEY_FLOW_IN;
	uint16_t sport, dport;
	struct pg_key k;
	struct pg_flow *f;

	l4_ports(p, &sport, &dport);
	pg_key_fill(&k, kind, p->proto, p->saddr, p->daddr, sport, dport);
	if (dir == PG_DIR_OUT &&
	    (p->proto == PG_PROTO_ESP || (p->proto == PG_PROTO_GRE && p->gre_version == 1)))
		k.a = 0; /* keyed by the server's SPI or call id alone */
	f = pg_flow_lookup(e, &k);
	if (f || !(p->proto == PG_PROTO_ESP || (p->proto == PG_PROTO_GRE && p->gre_version == 1)))
		return f;
	/* Not keyed by SPI or call id: a flow by address (forwards, DMZ, no helper). */
	k.a = dir == PG_DIR_OUT ? p->saddr : k.a;
	k.pa = k.pb = p->proto == PG_PROTO_ESP ? PG_ESP_ADDR : PG_GRE_V1_ADDR;
	return pg_flow_lookup(e, &k);
}

/* Is this packet's protocol switched off (its helper's passthrough off)? */
static bool passthrough_off(const struct pg_engine *e, const struct pg_parsed *p)
{
	return pg_alg_switched_off(&e->cfg, p);
}

/* ---- slow path: creating flows ------------------------------------------- */

static bool host_at_limit(struct pg_engine *e, uint32_t lan)
{
	struct pg_key k;
	uint32_t ref;

	if (!e->cfg.max_flows_per_host)
		return false;
	pg_key_fill(&k, PG_KEY_HOST, 0, lan, 0, 0, 0);
	ref = pg_index_find(e, &k, pg_key_hash(e, &k));
	return ref != PG_NONE && e->hosts[PG_REF_IDX(ref)].refs >= e->cfg.max_flows_per_host;
}

static bool permit_exists(struct pg_engine *e, uint8_t proto, uint16_t pub, uint32_t remote)
{
	struct pg_key k;

	pg_key_fill(&k, PG_KEY_PERMIT, proto, remote, 0, pub, 0);
	return pg_index_find(e, &k, pg_key_hash(e, &k)) != PG_NONE;
}

/* Can struct pg_flow rebuild in as the WAN-side key of a flow whose LAN key is out? */
static bool in_key_fits(const struct pg_engine *e, const struct pg_key *out,
			const struct pg_key *in)
{
	return (in->kind == PG_KEY_FLOW_IN || in->kind == PG_KEY_PARKED) &&
	       in->proto == out->proto && in->b == e->cfg.wan_addr && in->zero == 0;
}

struct pg_flow *pg_flow_create_keys(struct pg_engine *e, const struct pg_key *out,
				    const struct pg_key *in, uint32_t lan_addr, uint16_t lan_port,
				    uint32_t now_s)
{
	uint32_t idx;
	struct pg_flow *f;
	struct pg_key hk;
	uint32_t host;

	if (!in_key_fits(e, out, in))
		return NULL;
	idx = pg_flow_alloc(e, now_s);
	if (idx == PG_NONE)
		return NULL;
	f = &e->flows[idx];
	f->key = *out;
	f->in_pa = in->pa;
	f->in_pb = in->pb;
	f->in_parked = in->kind == PG_KEY_PARKED;
	if (in->a != out->b) {
		/* Only a hairpin's WAN key names another host than the LAN key's remote. */
		f->flags |= PG_FLOW_HAIRPIN;
		f->alg_state = in->a;
	}
	f->lan_addr = lan_addr;
	f->lan_port = lan_port;
	pg_key_fill(&hk, PG_KEY_HOST, 0, lan_addr, 0, 0, 0);
	host = pg_counted_get(e, e->hosts, &e->free_host, PG_REF_HOST, &hk);
	if (host == PG_NONE) {
		/* A new host and the host pool is full: give the flow back. */
		f->key.kind = 0; /* not in use: observe.c skips it */
		f->next = e->free_flow;
		e->free_flow = idx;
		return NULL;
	}
	f->host = (uint16_t)host;
	pg_flow_insert(e, idx, now_s);
	return f;
}

/*
 * Replace one of a flow's keys (a helper learnt the real one). Either key
 * keeps the remote and protocol the WAN-side key is rebuilt from (struct
 * pg_flow): a key that does not is a helper's mistake and changes nothing.
 */
void pg_flow_rekey(struct pg_engine *e, struct pg_flow *f, int which, const struct pg_key *k)
{
	uint32_t idx = (uint32_t)(f - e->flows);
	struct pg_key old;

	pg_flow_key(e, f, which, &old);
	if (which == PG_DIR_IN && (!in_key_fits(e, &f->key, k) || k->a != old.a))
		return;
	if (which == PG_DIR_OUT && (k->b != old.b || k->proto != old.proto))
		return;
	/* The XDP program's entries name the old key: out before it changes. */
	pg_offload_forget(e, idx);
	pg_index_remove(e, &old, PG_REF(idx, PG_REF_FLOW, which));
	if (which == PG_DIR_OUT) {
		f->key = *k;
	} else {
		f->in_pa = k->pa;
		f->in_pb = k->pb;
		f->in_parked = k->kind == PG_KEY_PARKED;
	}
	pg_index_insert(e, pg_key_hash(e, k), PG_REF(idx, PG_REF_FLOW, which));
	pg_sync_note(e, idx);
}

/*
 * Create a flow between LAN endpoint (lan, lport) and remote (rem, rport),
 * public port pub. mapping is an index the caller holds a reference on (its
 * public port is pub), or PG_NONE (GRE and ESP, forwards); the reference
 * passes to the flow, or is released on failure.
 */
struct pg_flow *pg_flow_new(struct pg_engine *e, struct pg_pkt *pkt, uint8_t proto, uint32_t lan,
			    uint16_t lport, uint32_t rem, uint16_t rport, uint32_t mapping,
			    uint16_t pub, uint32_t now_s)
{
	struct pg_key out, in, pk;
	struct pg_flow *f = NULL;
	enum pg_counter why = PG_CNT_DROP_FLOW_CONFLICT;

	pg_key_fill(&out, PG_KEY_FLOW_OUT, proto, lan, rem, lport, rport);
	pg_key_fill(&in, PG_KEY_FLOW_IN, proto, rem, e->cfg.wan_addr, rport, pub);
	/* Another LAN host may already own this WAN tuple (GRE, ESP). */
	if (pg_index_find(e, &in, pg_key_hash(e, &in)) == PG_NONE) {
		why = PG_CNT_DROP_TABLE_FULL;
		f = pg_flow_create_keys(e, &out, &in, lan, lport, now_s);
	}
	if (!f) {
		if (mapping != PG_NONE)
			pg_mapping_put(e, mapping);
		pg_drop(e, pkt, why);
		return NULL;
	}
	pg_flow_set_mapping(f, mapping);
	if (mapping != PG_NONE) {
		pg_key_fill(&pk, PG_KEY_PERMIT, proto, rem, 0, pub, 0);
		f->has_permit = pg_counted_get(e, e->permits, &e->free_permit, PG_REF_PERMIT,
					       &pk) != PG_NONE;
	}
	if (pkt->side == PG_SIDE_WAN)
		f->flags |= PG_FLOW_FROM_WAN;
	pg_alg_flow_new(e, f, pkt->side);
	return f;
}

/*
 * Protocols NAT would break without a word, refused (drop_protocol) rather
 * than passed by address: DCCP and UDP-Lite checksum a pseudo-header with
 * the addresses, which only TCP and UDP get fixed here, and AH's integrity
 * check covers the addresses themselves (RFC 3715 section 2.1).
 */
static bool proto_refused(uint8_t proto)
{
	return proto == PG_PROTO_DCCP || proto == PG_PROTO_UDPLITE || proto == PG_PROTO_AH;
}

/*
 * What may be forwarded at all: TCP, UDP, GRE, ESP, the echo messages that
 * go this way (echo_type), ICMP errors, which are translated by the flow
 * they quote, and other protocols by address (one LAN host per protocol and
 * remote address, as Linux masquerade does); a protocol whose passthrough
 * switch is off is not.
 */
static bool admitted(struct pg_engine *e, struct pg_pkt *pkt, const struct pg_parsed *p,
		     uint8_t echo_type)
{
	if (p->proto == PG_PROTO_ICMP && p->icmp_type != echo_type) {
		if (pg_icmp_is_error(p->icmp_type))
			pg_icmp_error_xlate(e, pkt, p);
		else
			pg_drop(e, pkt, PG_CNT_DROP_ICMP_TYPE);
		return false;
	}
	if (proto_refused(p->proto)) {
		pg_drop(e, pkt, PG_CNT_DROP_PROTO);
		return false;
	}
	if (passthrough_off(e, p)) {
		pg_drop(e, pkt, PG_CNT_DROP_PASSTHROUGH_OFF);
		return false;
	}
	return true;
}

void pg_forward_out(struct pg_engine *e, struct pg_pkt *pkt, const struct pg_parsed *p,
		    uint64_t now_ms)
{
	const struct pg_alg_ops *ops;
	uint32_t mapping = PG_NONE;
	uint8_t how;
	uint16_t sport, dport;
	struct pg_flow *f;

	if (!admitted(e, pkt, p, PG_ICMP_ECHO_REQUEST))
		return;
	f = lookup(e, p, PG_DIR_OUT);
	if (f) {
		pg_forward_flow(e, pkt, p, f, PG_DIR_OUT, now_ms);
		return;
	}
	if (p->proto == PG_PROTO_TCP && !pg_tcp_syn_only(p->tcp_flags)) {
		pg_drop(e, pkt, PG_CNT_DROP_TCP_NO_FLOW);
		return;
	}
	if (host_at_limit(e, p->saddr)) {
		pg_drop(e, pkt, PG_CNT_DROP_HOST_LIMIT);
		return;
	}
	ops = pg_alg_claimant(p, &how);
	if (ops && how == PG_ALG_SWITCH_OWNED && ops->miss) {
		/* A protocol a helper keys itself (ESP by SPI): it owns these flows. */
		f = ops->miss(e, pkt, p, PG_DIR_OUT, now_ms);
		if (f)
			pg_forward_flow(e, pkt, p, f, PG_DIR_OUT, now_ms);
		return;
	}
	l4_ports(p, &sport, &dport);
	if (ported(p->proto) && !pg_mapping_possible(e, p->proto, p->saddr, sport)) {
		/*
		 * Before making room: a flow that no port is left for must not
		 * evict another flow (nor scan the wheel for one) on its way out.
		 */
		pg_drop(e, pkt, PG_CNT_DROP_PORTS_EXHAUSTED);
		return;
	}
	if (!pg_flow_make_room(e)) {
		pg_drop(e, pkt, PG_CNT_DROP_TABLE_FULL);
		return;
	}
	if (ported(p->proto)) {
		struct pg_key out;

		pg_key_fill(&out, PG_KEY_FLOW_OUT, p->proto, p->saddr, p->daddr, sport, dport);
		mapping = pg_mapping_get_flow(e, &out);
		if (mapping == PG_NONE) {
			pg_drop(e, pkt, PG_CNT_DROP_PORTS_EXHAUSTED);
			return;
		}
	}
	f = pg_flow_new(e, pkt, p->proto, p->saddr, sport, p->daddr, dport, mapping,
			mapping != PG_NONE ? e->mappings[mapping].key[1].pa : sport,
			pg_secs_ceil(now_ms));
	if (f)
		pg_forward_flow(e, pkt, p, f, PG_DIR_OUT, now_ms);
}

/*
 * May an inbound packet with no flow of its own reach mapping midx? RFC 4787
 * section 5: always (endpoint-independent), when the mapping talked to its
 * address (address-dependent), or never (address-and-port-dependent: only the
 * exact flow). A helper may make exceptions to the last (pg_alg_admits():
 * an L2TP server answering from another port than 1701).
 */
static bool filter_allows(struct pg_engine *e, const struct pg_parsed *p, uint32_t lan,
			  uint16_t lan_port, uint16_t dport)
{
	switch (e->cfg.filtering) {
	case PG_FILTER_ENDPOINT_INDEPENDENT:
		return true;
	case PG_FILTER_ADDRESS_DEPENDENT:
		return permit_exists(e, p->proto, dport, p->saddr);
	default:
		return pg_alg_admits(e, p, lan, lan_port);
	}
}

/*
 * An inbound TCP, UDP or echo reply packet that matches no flow: allowed
 * towards an existing mapping when filtering says so (RFC 4787 section 5,
 * RFC 5508 for ICMP queries).
 */
static struct pg_flow *inbound_new(struct pg_engine *e, struct pg_pkt *pkt,
				   const struct pg_parsed *p, uint64_t now_ms)
{
	uint16_t sport, dport, lan_port;
	uint32_t midx, lan;
	enum pg_counter why;

	l4_ports(p, &sport, &dport);
	/* Another worker's mapping counts too: the port is the gateway's (portdir.h). */
	if (!pg_mapping_owner(e, p->proto, dport, &lan, &lan_port)) {
		pg_drop(e, pkt, PG_CNT_DROP_UNSOLICITED);
		return NULL;
	}
	if (!filter_allows(e, p, lan, lan_port, dport)) {
		pg_drop(e, pkt, PG_CNT_DROP_FILTERED);
		return NULL;
	}
	if (p->proto == PG_PROTO_TCP && !pg_tcp_syn_only(p->tcp_flags)) {
		pg_drop(e, pkt, PG_CNT_DROP_TCP_NO_FLOW);
		return NULL;
	}
	if (p->ttl <= 1) {
		/* Answer only what is allowed in, so scans learn nothing. */
		pg_drop(e, pkt, PG_CNT_DROP_TTL_EXCEEDED);
		pg_icmp_error(e, pkt, PG_ICMP_TIME_EXCEEDED, 0, 0, now_ms);
		return NULL;
	}
	if (host_at_limit(e, lan)) {
		pg_drop(e, pkt, PG_CNT_DROP_HOST_LIMIT);
		return NULL;
	}
	if (!pg_flow_make_room(e)) {
		pg_drop(e, pkt, PG_CNT_DROP_TABLE_FULL);
		return NULL;
	}
	/* Eviction may have taken the flow that allowed this packet in. */
	if (!pg_mapping_owner(e, p->proto, dport, &lan, &lan_port)) {
		pg_drop(e, pkt, PG_CNT_DROP_UNSOLICITED);
		return NULL;
	}
	why = PG_CNT_DROP_FILTERED;
	midx = PG_NONE;
	if (filter_allows(e, p, lan, lan_port, dport)) {
		why = PG_CNT_DROP_PORTS_EXHAUSTED; /* it was freed and taken again meanwhile */
		midx = pg_mapping_get_on(e, p->proto, lan, lan_port, dport);
	}
	if (midx == PG_NONE) {
		pg_drop(e, pkt, why);
		return NULL;
	}
	return pg_flow_new(e, pkt, p->proto, lan, lan_port, p->saddr, sport, midx, dport,
			   pg_secs_ceil(now_ms));
}

/*
 * An inbound packet no flow claims: a LAN client's ESP SPI being learnt
 * first, then port forwards, then NAT mappings and filtering, then the DMZ.
 */
static struct pg_flow *unsolicited(struct pg_engine *e, struct pg_pkt *pkt,
				   const struct pg_parsed *p, uint64_t now_ms)
{
	const struct pg_alg_ops *ops;
	struct pg_flow *f;
	uint8_t how;
	bool claimed;

	/* A LAN client learning its SPI from this server comes before an ESP forward. */
	ops = pg_alg_claimant(p, &how);
	if (ops && how == PG_ALG_SWITCH_OWNED && ops->expects && ops->expects(e, p))
		return ops->miss(e, pkt, p, PG_DIR_IN, now_ms);
	f = pg_portfwd_match(e, pkt, p, now_ms, &claimed);
	if (f || claimed)
		return f;
	if (ported(p->proto)) {
		uint32_t lan;
		uint16_t lan_port;

		if (pg_mapping_owner(e, p->proto, l4_dport(p), &lan, &lan_port))
			return inbound_new(e, pkt, p, now_ms);
	}
	/* Truly unsolicited: the DMZ host takes it, if there is one. */
	f = pg_dmz(e, pkt, p, now_ms);
	if (!f)
		pg_drop(e, pkt, PG_CNT_DROP_UNSOLICITED);
	return f;
}

static void forward_in(struct pg_engine *e, struct pg_pkt *pkt, const struct pg_parsed *p,
		       uint64_t now_ms)
{
	struct pg_flow *f;

	if (!admitted(e, pkt, p, PG_ICMP_ECHO_REPLY))
		return;
	f = lookup(e, p, PG_DIR_IN);
	if (!f) {
		f = unsolicited(e, pkt, p, now_ms);
		if (!f)
			return;
	} else if (p->ttl <= 1) {
		pg_drop(e, pkt, PG_CNT_DROP_TTL_EXCEEDED);
		pg_icmp_error(e, pkt, PG_ICMP_TIME_EXCEEDED, 0, 0, now_ms);
		return;
	}
	pg_forward_flow(e, pkt, p, f, PG_DIR_IN, now_ms);
}

/*
 * Refused inbound traffic gets the configured answer, rate-limited like every
 * error. Never for TCP (RFC 5382 REQ-4: no answer to an unsolicited SYN for
 * at least 6 s) nor for ICMP.
 */
static void refuse(struct pg_engine *e, struct pg_pkt *pkt, const struct pg_parsed *p,
		   uint64_t now_ms)
{
	if (e->cfg.refuse == PG_REFUSE_SILENT || p->proto == PG_PROTO_TCP ||
	    p->proto == PG_PROTO_ICMP || p->frag_off)
		return;
	if (pkt->drop_reason != PG_CNT_DROP_UNSOLICITED && pkt->drop_reason != PG_CNT_DROP_FILTERED)
		return;
	/* GRE, ESP and the rest have no port to be unreachable: their protocol is. */
	pg_icmp_error(e, pkt, PG_ICMP_DEST_UNREACH,
		      e->cfg.refuse != PG_REFUSE_PORT_UNREACHABLE ? PG_ICMP_ADMIN_PROHIBITED
		      : p->proto == PG_PROTO_UDP		  ? PG_ICMP_PORT_UNREACHABLE
								  : PG_ICMP_PROTO_UNREACHABLE,
		      0, now_ms);
}

void pg_forward_in(struct pg_engine *e, struct pg_pkt *pkt, const struct pg_parsed *p,
		   uint64_t now_ms)
{
	forward_in(e, pkt, p, now_ms);
	if (pkt->verdict == PG_VERDICT_DROP)
		refuse(e, pkt, p, now_ms);
}
