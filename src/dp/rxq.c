/* SPDX-License-Identifier: MIT */
/*
 * rxq.c - light flows first, bulk under CoDel, in front of the engine (rxq.h).
 *
 * DOC: Theory of operation
 *
 * When passgated is the bottleneck, frames wait in the link's receive ring,
 * and the ring is a FIFO: a ping waits behind every upload frame that came
 * before it (measured: after each burst about 200 frames still waited in
 * the LAN ring on average, up to 950: 3-15 ms at 65 kpps). Dropping early
 * (overload.c) keeps that FIFO shorter but not short: it needs a standing
 * queue to know whom to drop.
 *
 * So each pass copies everything the ring holds into this queue (a copy is
 * a small share of a frame's cost; the engine and the transmit are the
 * rest) and sorts it into two lanes by the flow's backlog here, as
 * FQ-CoDel's new-flow lane does (RFC 8290 section 4.1): a frame whose flow
 * bucket has fewer than PG_RXQ_HEAVY frames waiting and none in the bulk
 * lane joins the light lane, any other the bulk lane. The light lane is
 * served first and, every other time, alone: a pass that carries a ping
 * carries nothing else, so the ping leaves after one engine call and one
 * transmit instead of behind a whole burst's. A flow never overtakes
 * itself: its light frames were queued before its bulk ones, and the bulk
 * lane is served only once the light lane is empty.
 *
 * The bulk lane is the gateway's standing queue and CoDel (RFC 8289) keeps
 * it short: once its head has waited over PG_RXQ_TARGET_NS for an
 * interval, frames are dropped at the head, more often the longer that
 * lasts, so the TCP senders slow down to what passgated forwards. When the
 * queue is full, the bulk lane's head makes room; the ring is emptied
 * either way, so the kernel's tail drop, which hits light flows as much as
 * bulk ones, does not happen while we keep up with copying.
 *
 * A flood of light flows (many distinct flows, each under PG_RXQ_HEAVY
 * frames waiting) faster than the gateway forwards starves the bulk lane,
 * as strict priority does; the light lane is bounded (LIGHT_MAX) so most of
 * the queue stays the bulk lane's.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "dp/rxq.h"
#include "engine/codel.h"
#include "util/names.h"

#define CHUNK 64			/* frames one pg_rxq_room() hands out */
#define LIGHT_MAX (PG_RXQ_FRAMES / 4) /* frames the light lane holds at most */

struct lane {
	uint16_t idx[PG_RXQ_FRAMES];
	uint32_t head, n;
};

struct slot {
	uint64_t t_ns; /* when it was queued */
	uint32_t len, flags;
	uint16_t bucket;
};

struct pg_rxq {
	uint8_t *mem; /* PG_RXQ_FRAMES buffers of PG_FRAME_SIZE */
	struct slot slot[PG_RXQ_FRAMES];
	uint16_t free_idx[PG_RXQ_FRAMES];
	uint32_t free_n;
	struct lane light, bulk;
	uint16_t in_light[PG_RXQ_BUCKETS], in_bulk[PG_RXQ_BUCKETS];
	struct pg_rx_frame stage[CHUNK];
	uint16_t stage_idx[CHUNK];
	uint32_t stage_n;
	uint32_t seed;
	bool last_light_only; /* the last pop carried light frames alone */
	struct pg_codel codel; /* the bulk lane's */
	uint64_t cnt[PG_RXQ_CNT__COUNT];
};

static const char *const counter_names[] = {
#define PG_RXQ_NAME(e, n) [PG_RXQ_CNT_##e] = n,
	PG_RXQ_COUNTERS(PG_RXQ_NAME)
#undef PG_RXQ_NAME
};
_Static_assert(PG_ARRAY_SIZE(counter_names) == PG_RXQ_CNT__COUNT, "a name per counter");

const char *pg_rxq_counter_name(unsigned int i)
{
	return pg_name_of(counter_names, PG_ARRAY_SIZE(counter_names), i, "?");
}

struct pg_rxq *pg_rxq_create(uint32_t seed)
{
	struct pg_rxq *q = calloc(1, sizeof(*q));

	if (!q)
		return NULL;
	q->mem = calloc(PG_RXQ_FRAMES, PG_FRAME_SIZE);
	if (!q->mem) {
		free(q);
		return NULL;
	}
	for (uint32_t i = 0; i < PG_RXQ_FRAMES; i++)
		q->free_idx[q->free_n++] = (uint16_t)(PG_RXQ_FRAMES - 1 - i);
	q->seed = seed | 1;
	return q;
}

void pg_rxq_destroy(struct pg_rxq *q)
{
	if (!q)
		return;
	free(q->mem);
	free(q);
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t mix(uint32_t h, uint32_t v)
{
	h ^= v * 0x9e3779b1u;
	return (h << 13 | h >> 19) * 5 + 0xe6546b64u;
}

/*
 * The frame's flow bucket: IPv4 and IPv6 by addresses, protocol and, for TCP
 * and UDP, ports; anything else (ARP, VLAN-tagged, cut frames) by its
 * EtherType alone. Every read is inside len.
 */
static uint16_t bucket_of(const struct pg_rxq *q, const uint8_t *e, uint32_t len)
{
	uint32_t h = q->seed, l4 = 0, proto = 256;

	if (len < 14)
		return 0;
	h = mix(h, (uint32_t)e[12] << 8 | e[13]);
	if (e[12] == 0x08 && e[13] == 0x00 && len >= 14 + 20 && (e[14] >> 4) == 4) {
		const uint8_t *ip = e + 14;
		uint32_t hl = (uint32_t)(ip[0] & 0x0f) * 4;

		h = mix(mix(h, rd32(ip + 12)), rd32(ip + 16));
		proto = ip[9];
		/* Ports only in a first (or only) fragment with a whole header. */
		if (hl >= 20 && !((ip[6] & 0x1f) | ip[7]))
			l4 = 14 + hl;
	} else if (e[12] == 0x86 && e[13] == 0xdd && len >= 14 + 40 && (e[14] >> 4) == 6) {
		for (uint32_t k = 0; k < 32; k += 4)
			h = mix(h, rd32(e + 14 + 8 + k));
		proto = e[14 + 6];
		l4 = 14 + 40; /* extension headers: the flow is the addresses' */
	}
	h = mix(h, proto);
	if (l4 && (proto == 6 || proto == 17) && len >= l4 + 4)
		h = mix(h, rd32(e + l4));
	h ^= h >> 16;
	return (uint16_t)(h % PG_RXQ_BUCKETS);
}

static void lane_push(struct lane *l, uint16_t i)
{
	l->idx[(l->head + l->n++) % PG_RXQ_FRAMES] = i;
}

static uint16_t lane_pop(struct lane *l)
{
	uint16_t i = l->idx[l->head];

	l->head = (l->head + 1) % PG_RXQ_FRAMES;
	l->n--;
	return i;
}

static uint16_t bulk_pop(struct pg_rxq *q)
{
	uint16_t i = lane_pop(&q->bulk);

	q->in_bulk[q->slot[i].bucket]--;
	return i;
}

static void drop(struct pg_rxq *q, uint16_t i, enum pg_rxq_counter why)
{
	q->cnt[why]++;
	q->free_idx[q->free_n++] = i;
}

unsigned int pg_rxq_room(struct pg_rxq *q, struct pg_rx_frame **f)
{
	/* Full: the bulk lane's oldest frames make room, not the ring's newest. */
	while (q->free_n < CHUNK && q->bulk.n)
		drop(q, bulk_pop(q), PG_RXQ_CNT_DROP_FULL);
	q->stage_n = q->free_n < CHUNK ? q->free_n : CHUNK;
	for (uint32_t k = 0; k < q->stage_n; k++) {
		uint16_t i = q->free_idx[--q->free_n];

		q->stage_idx[k] = i;
		q->stage[k].buf = q->mem + (size_t)i * PG_FRAME_SIZE;
		q->stage[k].len = 0;
		q->stage[k].flags = 0;
	}
	*f = q->stage;
	return q->stage_n;
}

void pg_rxq_push(struct pg_rxq *q, unsigned int got, uint64_t now_ns)
{
	if (got > q->stage_n)
		got = q->stage_n;
	for (uint32_t k = 0; k < got; k++) {
		uint16_t i = q->stage_idx[k];
		struct slot *s = &q->slot[i];
		uint32_t len = q->stage[k].len > PG_FRAME_MAX ? PG_FRAME_MAX : q->stage[k].len;

		s->t_ns = now_ns;
		s->len = len;
		s->flags = q->stage[k].flags;
		s->bucket = bucket_of(q, q->stage[k].buf + PG_FRAME_ETH_OFF, len);
		if (!q->in_bulk[s->bucket] && q->in_light[s->bucket] < PG_RXQ_HEAVY &&
		    q->light.n < LIGHT_MAX) {
			q->in_light[s->bucket]++;
			lane_push(&q->light, i);
		} else {
			q->in_bulk[s->bucket]++;
			lane_push(&q->bulk, i);
		}
	}
	/* What the receive did not fill goes back. */
	for (uint32_t k = got; k < q->stage_n; k++)
		q->free_idx[q->free_n++] = q->stage_idx[k];
	q->stage_n = 0;
}

/* The bulk lane as CoDel's queue (engine/codel.h): its head, and a drop. */
static bool bulk_head(void *ctx, uint32_t *pkt, uint64_t *enq_ns, bool *spare)
{
	struct pg_rxq *q = ctx;

	if (!q->bulk.n)
		return false;
	*pkt = bulk_pop(q);
	*enq_ns = q->slot[*pkt].t_ns;
	*spare = q->bulk.n > 0; /* a single waiting frame is never over target */
	return true;
}

static bool bulk_drop(void *ctx, uint32_t pkt)
{
	drop(ctx, (uint16_t)pkt, PG_RXQ_CNT_DROP_CODEL);
	return false; /* dropped, never marked: a raw link frame, not yet checked by layer 2 */
}

static const struct pg_codel_ops bulk_codel = {.head = bulk_head, .signal = bulk_drop};
static const struct pg_codel_params bulk_params = {.target_ns = PG_RXQ_TARGET_NS,
						   .interval_ns = PG_RXQ_INTERVAL_NS};

static void copy_out(struct pg_rxq *q, uint16_t i, struct pg_rx_frame *o)
{
	const struct slot *s = &q->slot[i];

	memcpy(o->buf + PG_FRAME_ETH_OFF, q->mem + (size_t)i * PG_FRAME_SIZE + PG_FRAME_ETH_OFF,
	       s->len);
	o->len = s->len;
	o->flags = s->flags;
	q->free_idx[q->free_n++] = i;
}

unsigned int pg_rxq_pop(struct pg_rxq *q, struct pg_rx_frame *out, unsigned int max,
			uint64_t now_ns)
{
	unsigned int n = 0;
	uint32_t i;

	while (n < max && q->light.n) {
		uint16_t k = lane_pop(&q->light);

		q->in_light[q->slot[k].bucket]--;
		copy_out(q, k, &out[n++]);
		q->cnt[PG_RXQ_CNT_LIGHT]++;
	}
	/*
	 * Light frames left: their flows' bulk frames must wait for them. Light
	 * frames taken: they go alone, unless the last pass did that too (the
	 * bulk lane gets at least every other pass).
	 */
	if (q->light.n || (n && !q->last_light_only && q->bulk.n)) {
		q->last_light_only = n > 0;
		return n;
	}
	q->last_light_only = false;
	while (n < max && pg_codel_dequeue(&q->codel, &bulk_params, &bulk_codel, q, now_ns, &i)) {
		copy_out(q, (uint16_t)i, &out[n++]);
		q->cnt[PG_RXQ_CNT_BULK]++;
	}
	return n;
}

uint32_t pg_rxq_backlog(const struct pg_rxq *q)
{
	return q->light.n + q->bulk.n;
}

uint64_t pg_rxq_count(const struct pg_rxq *q, enum pg_rxq_counter c)
{
	return c < PG_RXQ_CNT__COUNT ? q->cnt[c] : 0;
}
