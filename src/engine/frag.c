/* SPDX-License-Identifier: MIT */
/*
 * frag.c - IP fragments through the NAT, in order and out of order
 * (RFC 4787 REQ-14), without reassembling them.
 *
 * DOC: Theory of operation
 *
 * Only a datagram's first fragment carries ports, so it alone is looked up
 * and translated like any packet; its transport checksum covers the whole
 * datagram and is fixed there. What it was translated to is remembered by
 * the datagram's (source, destination, protocol, IP id, side) for
 * PG_FRAG_LIFE seconds, and every later fragment gets the same address
 * rewrite. Outbound, the IP id is also rewritten to one the gateway chose,
 * so that two LAN hosts fragmenting to one server with equal ids do not
 * become one datagram behind our single address; an outbound later fragment
 * that arrives first needs nothing else and is forwarded at once. An inbound
 * later fragment that arrives before its first is held in a fixed pool of
 * buffers and sent when the first fragment has been translated (through
 * pg_engine_emitted()), or dropped when it does not come.
 *
 * Bounds: PG_FRAG_ENTRIES datagrams tracked (the oldest is forgotten when a
 * bucket is full), PG_FRAG_RANGES fragments per datagram, PG_FRAG_HOLD
 * buffers held. Fragments past 65535 bytes, overlapping fragments and more
 * fragments than that are dropped and counted, and so are the rest of a
 * datagram whose first fragment was refused.
 */
#include <arpa/inet.h>
#include <string.h>

#include "engine/csum.h"
#include "engine/engine_internal.h"
#include "engine/siphash.h"

#define IP_MF 0x2000
#define IP_OFFMASK 0x1fff

static uint32_t frag_hash(const struct pg_engine *e, uint32_t src, uint32_t dst, uint8_t proto,
			  uint16_t id, uint8_t side)
{
	uint64_t m0 = (uint64_t)src << 32 | dst;
	uint64_t m1 = (uint64_t)id << 16 | (uint64_t)proto << 8 | side;

	return (uint32_t)pg_siphash_2w(e->cfg.hash_seed, m0, m1 ^ 0x66726167ULL);
}

static bool entry_live(const struct pg_frag *f, uint32_t now_s)
{
	return f->state != PG_FRAG_FREE && (int32_t)(f->expires - now_s) > 0;
}

static void release_held(struct pg_engine *e, struct pg_frag *f, bool send);

/* The entry for a datagram, or a new one (forgetting the oldest in its bucket). */
static struct pg_frag *entry_get(struct pg_engine *e, uint32_t src, uint32_t dst, uint8_t proto,
				 uint16_t id, uint8_t side, uint32_t now_s, bool create)
{
	uint32_t b = frag_hash(e, src, dst, proto, id, side) & (PG_FRAG_BUCKETS - 1);
	struct pg_frag *slot = &e->frags[b * PG_FRAG_WAYS], *victim = NULL;

	for (unsigned int i = 0; i < PG_FRAG_WAYS; i++) {
		struct pg_frag *f = &slot[i];

		if (!entry_live(f, now_s)) {
			if (f->state != PG_FRAG_FREE)
				release_held(e, f, false); /* timed out */
			f->state = PG_FRAG_FREE;
			if (!victim || victim->state != PG_FRAG_FREE)
				victim = f;
			continue;
		}
		if (f->src == src && f->dst == dst && f->proto == proto && f->id == id &&
		    f->side == side)
			return f;
		if (!victim || (victim->state != PG_FRAG_FREE &&
				(int32_t)(f->expires - victim->expires) < 0))
			victim = f;
	}
	if (!create)
		return NULL;
	if (victim->state != PG_FRAG_FREE) {
		release_held(e, victim, false);
		pg_count(e, PG_CNT_FRAG_FORGOTTEN);
	}
	memset(victim, 0, sizeof(*victim));
	victim->src = src;
	victim->dst = dst;
	victim->proto = proto;
	victim->id = id;
	victim->side = side;
	victim->state = PG_FRAG_PENDING;
	victim->expires = now_s + PG_FRAG_LIFE;
	return victim;
}

/*
 * Record the byte range [off, end) of a fragment. Returns the counter that
 * refuses it, or PG_CNT_NONE.
 */
static enum pg_counter add_range(struct pg_frag *f, unsigned int off, unsigned int end)
{
	if (end > 65535)
		return PG_CNT_DROP_FRAG_BAD;
	for (unsigned int i = 0; i < f->nranges; i++) {
		if (off == f->ranges[i][0] * 8u && end == f->ranges[i][1])
			return PG_CNT_NONE; /* the same fragment again: a retransmission */
		if (off < f->ranges[i][1] && f->ranges[i][0] * 8u < end)
			return PG_CNT_DROP_FRAG_OVERLAP;
	}
	if (f->nranges == PG_FRAG_RANGES)
		return PG_CNT_DROP_FRAG_TOO_MANY;
	f->ranges[f->nranges][0] = (uint16_t)(off / 8);
	f->ranges[f->nranges][1] = (uint16_t)end;
	f->nranges++;
	return PG_CNT_NONE;
}

/* Rewrite a fragment the way its datagram was translated, and route it. */
static void apply(struct pg_engine *e, struct pg_pkt *pkt, const struct pg_frag *f)
{
	uint8_t *ip = pkt->l3;
	uint16_t c = pg_get16(ip + PG_IP_OFF_CSUM);
	unsigned int aoff = f->side == PG_SIDE_LAN ? PG_IP_OFF_SADDR : PG_IP_OFF_DADDR;
	uint16_t old_ttl = pg_get16(ip + PG_IP_OFF_TTL);
	uint32_t dst;

	pg_csum_replace32(&c, pg_get32(ip + aoff), f->new_addr);
	pg_put32(ip + aoff, f->new_addr);
	if (f->side == PG_SIDE_LAN) {
		pg_csum_replace16(&c, pg_get16(ip + PG_IP_OFF_ID), f->new_id);
		pg_put16(ip + PG_IP_OFF_ID, f->new_id);
	}
	ip[PG_IP_OFF_TTL]--;
	pg_csum_replace16(&c, old_ttl, pg_get16(ip + PG_IP_OFF_TTL));
	pg_put16(ip + PG_IP_OFF_CSUM, c);
	dst = pg_get32(ip + PG_IP_OFF_DADDR);
	if (f->side == PG_SIDE_LAN) {
		pkt->verdict = PG_VERDICT_TO_WAN;
		pkt->next_hop = pg_wan_next_hop(e, dst);
	} else {
		pkt->verdict = PG_VERDICT_TO_LAN;
		pkt->next_hop = dst;
	}
	pkt->drop_reason = PG_CNT_NONE;
	pg_count(e, PG_CNT_FRAG_TRANSLATED);
}

/* Send (translated) or drop the fragments held for f. */
static void release_held(struct pg_engine *e, struct pg_frag *f, bool send)
{
	uint32_t idx = (uint32_t)(f - e->frags);

	for (unsigned int i = 0; i < PG_FRAG_HOLD && f->held; i++) {
		struct pg_frag_buf *h = &e->frag_bufs[i];

		if (!h->used || h->entry != idx)
			continue;
		f->held--;
		if (send && f->state == PG_FRAG_KNOWN && e->nemit < PG_EMIT_MAX &&
		    h->ttl > 1) {
			struct pg_pkt *out = &e->emit[e->nemit++];

			out->l3 = h->data + PG_FRAG_HEADROOM;
			out->len = h->len;
			out->cap = h->len;
			out->side = f->side;
			apply(e, out, f);
			h->used = 2; /* sent: the buffer is free after this run */
		} else {
			h->used = 0;
			pg_count(e, PG_CNT_DROP_FRAG_TIMEOUT);
		}
	}
}

/* Hold an inbound later fragment until its first fragment is known. */
static void hold(struct pg_engine *e, struct pg_pkt *pkt, struct pg_frag *f)
{
	for (unsigned int i = 0; i < PG_FRAG_HOLD; i++) {
		struct pg_frag_buf *h = &e->frag_bufs[i];

		if (h->used)
			continue;
		if (pkt->len > sizeof(h->data) - PG_FRAG_HEADROOM)
			break;
		memcpy(h->data + PG_FRAG_HEADROOM, pkt->l3, pkt->len);
		h->len = pkt->len;
		h->ttl = pkt->l3[PG_IP_OFF_TTL];
		h->entry = (uint32_t)(f - e->frags);
		h->used = 1;
		f->held++;
		pkt->verdict = PG_VERDICT_DROP;
		pkt->drop_reason = PG_CNT_FRAG_HELD;
		pg_count(e, PG_CNT_FRAG_HELD);
		return;
	}
	pg_drop(e, pkt, PG_CNT_DROP_FRAG_HOLD_FULL);
}

static uint16_t new_ip_id(struct pg_engine *e)
{
	return htons(e->frag_next_id++);
}

void pg_frag_later(struct pg_engine *e, struct pg_pkt *pkt, const struct pg_parsed *p,
		   uint64_t now_ms)
{
	uint32_t now_s = (uint32_t)(now_ms / 1000);
	uint16_t id = pg_get16(pkt->l3 + 4);
	bool out = pkt->side == PG_SIDE_LAN;
	struct pg_frag *f = entry_get(e, p->saddr, p->daddr, p->proto, id, pkt->side, now_s, true);
	enum pg_counter r = add_range(f, p->frag_off, (unsigned int)p->frag_off + p->l4_len);

	if (r != PG_CNT_NONE) {
		pg_drop(e, pkt, r);
		return;
	}
	if (f->state == PG_FRAG_REFUSED) {
		pg_drop(e, pkt, PG_CNT_DROP_FRAG_REFUSED);
		return;
	}
	if (p->ttl <= 1) {
		/* RFC 1812 4.3.2.7: no ICMP error about a later fragment. */
		pg_drop(e, pkt, PG_CNT_DROP_TTL_EXCEEDED);
		return;
	}
	if (f->state == PG_FRAG_PENDING && out) {
		/* Outbound needs only our address and an id: no need to wait. */
		f->state = PG_FRAG_KNOWN;
		f->new_addr = e->cfg.wan_addr;
		f->new_id = new_ip_id(e);
	}
	if (f->state == PG_FRAG_KNOWN)
		apply(e, pkt, f);
	else
		hold(e, pkt, f);
}

void pg_frag_first(struct pg_engine *e, struct pg_pkt *pkt, uint32_t saddr, uint32_t daddr,
		   uint8_t proto, uint16_t id, uint8_t side, uint16_t l4_len, uint64_t now_ms)
{
	uint32_t now_s = (uint32_t)(now_ms / 1000);
	struct pg_frag *f = entry_get(e, saddr, daddr, proto, id, side, now_s, true);
	bool forwarded = (pkt->verdict == PG_VERDICT_TO_WAN && side == PG_SIDE_LAN) ||
			 (pkt->verdict == PG_VERDICT_TO_LAN && side == PG_SIDE_WAN);
	uint8_t *ip = pkt->l3;

	add_range(f, 0, l4_len);
	if (!forwarded) {
		/* Refused, or answered with an error: the rest of it goes too. */
		f->state = PG_FRAG_REFUSED;
		release_held(e, f, false);
		return;
	}
	if (side == PG_SIDE_LAN) {
		uint16_t c = pg_get16(ip + PG_IP_OFF_CSUM);

		if (f->state != PG_FRAG_KNOWN)
			f->new_id = new_ip_id(e);
		f->new_addr = e->cfg.wan_addr;
		pg_csum_replace16(&c, pg_get16(ip + PG_IP_OFF_ID), f->new_id);
		pg_put16(ip + PG_IP_OFF_ID, f->new_id);
		pg_put16(ip + PG_IP_OFF_CSUM, c);
	} else {
		f->new_addr = pg_get32(ip + PG_IP_OFF_DADDR);
	}
	f->state = PG_FRAG_KNOWN;
	release_held(e, f, true);
}

void pg_frag_run_start(struct pg_engine *e)
{
	/*
	 * Buffers sent with the previous batch are the caller's no more. Only
	 * emitted buffers are marked sent, so with none emitted there is nothing
	 * to walk (the common case: no fragments at all).
	 */
	for (unsigned int i = 0; e->nemit && i < PG_FRAG_HOLD; i++)
		if (e->frag_bufs[i].used == 2)
			e->frag_bufs[i].used = 0;
	e->nemit = 0;
	e->nfrag_out = 0;
}

void pg_frag_expire(struct pg_engine *e, uint32_t now_s)
{
	/* Held fragments must not outlive their datagram by more than a tick. */
	for (unsigned int i = 0; i < PG_FRAG_HOLD; i++) {
		struct pg_frag_buf *h = &e->frag_bufs[i];
		struct pg_frag *f;

		if (h->used != 1)
			continue;
		f = &e->frags[h->entry];
		if (!entry_live(f, now_s)) {
			release_held(e, f, false);
			f->state = PG_FRAG_FREE;
		}
	}
}

unsigned int pg_engine_emitted(struct pg_engine *e, struct pg_pkt **pkts)
{
	*pkts = e->emit;
	return e->nemit;
}
