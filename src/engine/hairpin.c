/* SPDX-License-Identifier: MIT */
/*
 * hairpin.c - LAN hosts reaching each other through the public address
 * (RFC 4787 REQ-9, RFC 5382 REQ-8).
 *
 * A LAN host A sending to the public address and a port that a forward or
 * a mapping owns reaches the inside host B behind it, as if from outside: the
 * destination becomes B, and the source becomes the public address and A's
 * own public port (A's endpoint-independent mapping), so B answers the public
 * address and the answer comes back through the gateway too. One flow holds
 * both directions: its LAN-side key is A's packet as sent, its other key is
 * B's answer as sent (from B, to the public address and A's public port).
 * Towards a mapping, filtering applies as for outside senders: with
 * address-dependent filtering B must have sent to the public address before
 * (a hairpin flow of B's own records that, as a permit for our address).
 *
 * B may be A itself, even the very socket (RFC 4787 REQ-9; the STUN
 * hairpinning test of RFC 5780 4.6 sends to its own mapped address): the
 * packet comes back to A from A's public address and port, as it would
 * from outside. Both of that flow's keys then name A (the LAN-side key A to
 * the public address, the WAN-side key A's answer to it), which are keys of
 * different kinds, so one flow still holds them.
 */
#include <arpa/inet.h>

#include "engine/engine_internal.h"
#include "util/inet.h"

static bool permit_exists(struct pg_engine *e, uint8_t proto, uint16_t pub, uint32_t remote)
{
	struct pg_key k;

	pg_key_fill(&k, PG_KEY_PERMIT, proto, remote, 0, pub, 0);
	return pg_index_find(e, &k, pg_key_hash(e, &k)) != PG_NONE;
}

/* Where a packet to the public address and port dport is meant to go inside. */
static bool hairpin_target(struct pg_engine *e, const struct pg_parsed *p, uint32_t *host,
			   uint16_t *port)
{
	for (unsigned int i = 0; i < e->cfg.nforwards; i++) {
		const struct pg_port_forward *r = &e->cfg.forwards[i];
		uint16_t d = ntohs(p->dport);

		if (r->v6 || r->proto != p->proto || d < r->wan_lo || d > r->wan_hi)
			continue;
		if (r->host == e->cfg.wan_addr)
			return false; /* the gateway's own service: not a hairpin */
		*host = r->host;
		*port = htons(r->lan_lo == r->lan_hi ? r->lan_lo
						     : (uint16_t)(r->lan_lo + (d - r->wan_lo)));
		return true;
	}
	/* The mapping may be another worker's: the port is the gateway's (portdir.h). */
	if (!pg_mapping_owner(e, p->proto, p->dport, host, port))
		return false;
	if (e->cfg.filtering != PG_FILTER_ENDPOINT_INDEPENDENT &&
	    !permit_exists(e, p->proto, p->dport, e->cfg.wan_addr) &&
	    !pg_mapping_sent_self(e, p->proto, p->dport))
		return false;
	return *host != e->cfg.wan_addr; /* not the host stack's own connection */
}

/*
 * The sender's mapping has now sent to our public address: record it, as a
 * permit the mapping holds, so the host it tried to reach can answer through
 * it even before any hairpin flow exists (two hosts punching holes towards
 * each other's public ports both start refused under address-dependent
 * filtering).
 */
static void note_sent_to_self(struct pg_engine *e, const struct pg_parsed *p)
{
	uint32_t midx = pg_mapping_find_lan(e, p->proto, p->saddr, p->sport);
	struct pg_mapping *m;
	struct pg_key k;

	/* Its mapping may live on another worker only: remember it there too. */
	pg_mapping_note_self(e, p->proto, p->saddr, p->sport);
	if (midx == PG_NONE)
		return;
	m = &e->mappings[midx];
	if (m->hairpin_permit != PG_NONE)
		return;
	pg_key_fill(&k, PG_KEY_PERMIT, p->proto, e->cfg.wan_addr, 0, m->key[1].pa, 0);
	m->hairpin_permit = pg_counted_get(e, e->permits, &e->free_permit, PG_REF_PERMIT, &k);
}

bool pg_hairpin(struct pg_engine *e, struct pg_pkt *pkt, const struct pg_parsed *p,
		uint64_t now_ms)
{
	uint32_t now_s = pg_secs_ceil(now_ms), host, mapping;
	struct pg_key out, in, pk;
	struct pg_flow *f;
	uint16_t port;
	int dir = PG_DIR_OUT;

	if (p->proto == PG_PROTO_ICMP && p->daddr == e->cfg.wan_addr)
		return pg_icmp_error_hairpin(e, pkt, p); /* RFC 5508 REQ-7 */
	if ((p->proto != PG_PROTO_TCP && p->proto != PG_PROTO_UDP) || p->daddr != e->cfg.wan_addr)
		return false;
	pg_key_fill(&out, PG_KEY_FLOW_OUT, p->proto, p->saddr, p->daddr, p->sport, p->dport);
	f = pg_flow_lookup(e, &out);
	if (!f) {
		pg_key_fill(&in, PG_KEY_FLOW_IN, p->proto, p->saddr, p->daddr, p->sport, p->dport);
		f = pg_flow_lookup(e, &in);
		dir = PG_DIR_IN;
	}
	if (f && !(f->flags & PG_FLOW_HAIRPIN))
		return false;
	if (!f) {
		dir = PG_DIR_OUT;
		note_sent_to_self(e, p);
		if (!hairpin_target(e, p, &host, &port)) {
			if (pg_mapping_owner(e, p->proto, p->dport, &host, &port)) {
				/* A mapping's port its filter refuses: like from outside. */
				pg_drop(e, pkt, PG_CNT_DROP_FILTERED);
				return true;
			}
			return false; /* nothing inside: for the gateway itself */
		}
		if (p->proto == PG_PROTO_TCP && !pg_tcp_syn_only(p->tcp_flags)) {
			pg_drop(e, pkt, PG_CNT_DROP_TCP_NO_FLOW);
			return true;
		}
		if (!pg_mapping_possible(e, p->proto, p->saddr, p->sport)) {
			/* As for outbound flows: refused before it may evict one. */
			pg_drop(e, pkt, PG_CNT_DROP_PORTS_EXHAUSTED);
			return true;
		}
		if (!pg_flow_make_room(e)) {
			pg_drop(e, pkt, PG_CNT_DROP_TABLE_FULL);
			return true;
		}
		mapping = pg_mapping_get(e, p->proto, p->saddr, p->sport);
		if (mapping == PG_NONE) {
			pg_drop(e, pkt, PG_CNT_DROP_PORTS_EXHAUSTED);
			return true;
		}
		pg_key_fill(&in, PG_KEY_FLOW_IN, p->proto, host, e->cfg.wan_addr, port,
			    e->mappings[mapping].key[1].pa);
		if (pg_index_find(e, &in, pg_key_hash(e, &in)) != PG_NONE) {
			pg_mapping_put(e, mapping);
			pg_drop(e, pkt, PG_CNT_DROP_FLOW_CONFLICT);
			return true;
		}
		f = pg_flow_create_keys(e, &out, &in, p->saddr, p->sport, now_s);
		if (!f) {
			pg_mapping_put(e, mapping);
			pg_drop(e, pkt, PG_CNT_DROP_TABLE_FULL);
			return true;
		}
		pg_flow_set_mapping(f, mapping);
		f->flags |= PG_FLOW_HAIRPIN;
		/* Our own address has now been talked to from this mapping. */
		pg_key_fill(&pk, PG_KEY_PERMIT, p->proto, e->cfg.wan_addr, 0, f->in_pb, 0);
		f->has_permit = pg_counted_get(e, e->permits, &e->free_permit, PG_REF_PERMIT,
					       &pk) != PG_NONE;
		pg_count(e, PG_CNT_HAIRPINNED);
	}
	if (p->ttl <= 1) {
		pg_drop(e, pkt, PG_CNT_DROP_TTL_EXCEEDED);
		pg_icmp_error(e, pkt, PG_ICMP_TIME_EXCEEDED, 0, 0, now_ms);
		return true;
	}
	/*
	 * A socket talking to itself: each packet is both ends' (its SYN comes
	 * back as the peer's SYN, a simultaneous open), so it counts both ways.
	 */
	if (p->proto == PG_PROTO_TCP && f->lan_addr == pg_flow_in_addr(f) &&
	    f->lan_port == f->in_pa)
		pg_tcp_track(f, PG_DIR_IN, p->tcp_flags);
	pg_forward_flow(e, pkt, p, f, dir, now_ms);
	return true;
}

void pg_hairpin_translate(struct pg_engine *e, struct pg_pkt *pkt, const struct pg_parsed *p,
			  struct pg_flow *f, int dir)
{
	uint32_t wan = e->cfg.wan_addr;

	if (dir == PG_DIR_OUT) {
		/* A to B: from our address and A's public port, to B. */
		pg_rewrite(pkt, p, f, true, wan, f->in_pb);
		pg_rewrite(pkt, p, f, false, pg_flow_in_addr(f), f->in_pa);
	} else {
		/* B's answer: from the port A called, to A. */
		pg_rewrite(pkt, p, f, true, wan, f->key.pb);
		pg_rewrite(pkt, p, f, false, f->lan_addr, f->lan_port);
	}
}
