/* SPDX-License-Identifier: MIT */
/*
 * neigh.c - the neighbour cache: resolution, held packets, ageing.
 *
 * DOC: Theory of operation
 *
 * An entry is made when a packet needs a next hop nobody resolved yet
 * (INCOMPLETE: a broadcast ARP request goes out, the packet is copied into a
 * slot of a fixed pool, at most PG_NEIGH_QUEUE_MAX per neighbour; requests are
 * repeated every PG_NEIGH_RETRY_MS and after PG_NEIGH_GIVEUP_MS the held
 * packets are dropped and counted and the entry is forgotten), or when an ARP
 * message addressed to us names its sender. A reply makes the entry REACHABLE
 * and sends what was held, in order.
 *
 * A REACHABLE entry confirmed more than PG_NEIGH_STALE_MS ago is stale: the
 * next packet still uses its MAC (no added delay) and starts a PROBE, a
 * re-request; if nothing answers within PG_NEIGH_GIVEUP_MS the entry is
 * forgotten and the next packet resolves afresh. Stale entries nobody used for
 * PG_NEIGH_UNUSED_MS are forgotten by the timer.
 *
 * The table is open addressing with linear probing and backward-shift
 * deletion (no tombstones, so lookups never slow down with churn), kept at
 * most half full. All memory is taken at init; nothing is allocated later.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "l2/l2_counters.h"
#include "l2/neigh.h"

#define SCAN_INTERVAL_MS 100

struct pg_neigh_slot {
	int32_t next;
	uint32_t len;
	uint8_t data[PG_NEIGH_HEADROOM + PG_NEIGH_PKT_MAX];
};

static uint32_t home_of(const struct pg_neigh_table *t, uint32_t ip)
{
	/* Fibonacci hashing: neighbours differ mostly in the low address bits. */
	return (uint32_t)((ip * 0x9e3779b97f4a7c15ull) >> 32) & t->mask;
}

int pg_neigh_init(struct pg_neigh_table *t, uint32_t max_neigh, uint32_t n_slots,
		  const struct pg_neigh_ops *ops, void *ctx, uint64_t *cnt)
{
	uint32_t cap = 8;

	memset(t, 0, sizeof(*t));
	while (cap < 2 * max_neigh)
		cap <<= 1;
	t->entries = calloc(cap, sizeof(*t->entries));
	t->slots = calloc(n_slots ? n_slots : 1, sizeof(*t->slots));
	if (!t->entries || !t->slots) {
		free(t->entries);
		free(t->slots);
		t->entries = NULL;
		t->slots = NULL;
		return -ENOMEM;
	}
	t->mask = cap - 1;
	t->limit = max_neigh;
	t->free_slot = n_slots ? 0 : -1;
	for (uint32_t i = 0; i < n_slots; i++)
		t->slots[i].next = i + 1 < n_slots ? (int32_t)(i + 1) : -1;
	t->ops = ops;
	t->ctx = ctx;
	t->cnt = cnt;
	return 0;
}

void pg_neigh_fini(struct pg_neigh_table *t)
{
	free(t->entries);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

static struct pg_neigh_entry *lookup(const struct pg_neigh_table *t, uint32_t ip)
{
	for (uint32_t i = home_of(t, ip);; i = (i + 1) & t->mask) {
		struct pg_neigh_entry *n = &t->entries[i];

		if (n->state == PG_NEIGH_FREE)
			return NULL;
		if (n->ip == ip)
			return n;
	}
}

const struct pg_neigh_entry *pg_neigh_find(const struct pg_neigh_table *t, uint32_t ip)
{
	return lookup(t, ip);
}

uint32_t pg_neigh_count(const struct pg_neigh_table *t)
{
	return t->count;
}

static void free_queue(struct pg_neigh_table *t, struct pg_neigh_entry *n, bool count_drops)
{
	while (n->q_head >= 0) {
		int32_t s = n->q_head;

		n->q_head = t->slots[s].next;
		t->slots[s].next = t->free_slot;
		t->free_slot = s;
		if (count_drops)
			t->cnt[PG_L2_CNT_DROP_NEIGH_UNRESOLVED]++;
	}
	n->q_tail = -1;
	n->q_len = 0;
}

/* Remove the entry at index i, shifting later members of its run back. */
static void remove_at(struct pg_neigh_table *t, uint32_t i)
{
	uint32_t j = i;

	free_queue(t, &t->entries[i], true);
	for (;;) {
		uint32_t k;

		j = (j + 1) & t->mask;
		if (t->entries[j].state == PG_NEIGH_FREE)
			break;
		k = home_of(t, t->entries[j].ip);
		/* Entry j may stay if its home lies cyclically in (i, j]. */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		t->entries[i] = t->entries[j];
		i = j;
	}
	memset(&t->entries[i], 0, sizeof(t->entries[i]));
	t->count--;
}

/* Make room by forgetting the least recently used resolved entry. */
static bool evict_one(struct pg_neigh_table *t)
{
	uint32_t victim = 0;
	bool found = false;

	for (uint32_t i = 0; i <= t->mask; i++) {
		const struct pg_neigh_entry *n = &t->entries[i];

		if (n->state != PG_NEIGH_REACHABLE)
			continue;
		if (!found || n->used_ms < t->entries[victim].used_ms) {
			victim = i;
			found = true;
		}
	}
	if (!found)
		return false;
	remove_at(t, victim);
	t->cnt[PG_L2_CNT_NEIGH_EVICTED]++;
	return true;
}

static struct pg_neigh_entry *insert(struct pg_neigh_table *t, uint32_t ip)
{
	uint32_t i;

	if (t->count >= t->limit && !evict_one(t))
		return NULL;
	for (i = home_of(t, ip); t->entries[i].state != PG_NEIGH_FREE; i = (i + 1) & t->mask)
		;
	memset(&t->entries[i], 0, sizeof(t->entries[i]));
	t->entries[i].ip = ip;
	t->entries[i].q_head = -1;
	t->entries[i].q_tail = -1;
	t->count++;
	return &t->entries[i];
}

static void request(struct pg_neigh_table *t, struct pg_neigh_entry *n, uint64_t now_ms)
{
	n->tries++;
	n->last_request_ms = now_ms;
	t->cnt[PG_L2_CNT_ARP_REQUESTS_SENT]++;
	t->ops->solicit(t->ctx, n->ip);
}

static enum pg_neigh_result hold(struct pg_neigh_table *t, struct pg_neigh_entry *n,
				 const uint8_t *l3, uint32_t len)
{
	struct pg_neigh_slot *s;
	int32_t si = t->free_slot;

	if (n->q_len >= PG_NEIGH_QUEUE_MAX || si < 0 || len > PG_NEIGH_PKT_MAX) {
		t->cnt[PG_L2_CNT_DROP_NEIGH_QUEUE_FULL]++;
		return PG_NEIGH_DROPPED;
	}
	s = &t->slots[si];
	t->free_slot = s->next;
	memcpy(s->data + PG_NEIGH_HEADROOM, l3, len);
	s->len = len;
	s->next = -1;
	if (n->q_tail >= 0)
		t->slots[n->q_tail].next = si;
	else
		n->q_head = si;
	n->q_tail = si;
	n->q_len++;
	t->cnt[PG_L2_CNT_NEIGH_QUEUED]++;
	return PG_NEIGH_HELD;
}

enum pg_neigh_result pg_neigh_output(struct pg_neigh_table *t, uint32_t ip, const uint8_t *l3,
				     uint32_t len, uint64_t now_ms, uint8_t mac[PG_ETH_ALEN])
{
	struct pg_neigh_entry *n = lookup(t, ip);

	if (!n) {
		n = insert(t, ip);
		if (!n) {
			t->cnt[PG_L2_CNT_DROP_NEIGH_TABLE_FULL]++;
			return PG_NEIGH_DROPPED;
		}
		n->state = PG_NEIGH_INCOMPLETE;
		n->first_request_ms = now_ms;
		n->used_ms = now_ms;
		/* Hold first so the packet is not lost if solicit re-enters. */
		enum pg_neigh_result r = hold(t, n, l3, len);

		request(t, n, now_ms);
		return r;
	}
	n->used_ms = now_ms;
	switch (n->state) {
	case PG_NEIGH_INCOMPLETE:
		return hold(t, n, l3, len);
	case PG_NEIGH_REACHABLE:
		if (now_ms - n->confirmed_ms >= PG_NEIGH_STALE_MS) {
			n->state = PG_NEIGH_PROBE;
			n->tries = 0;
			n->first_request_ms = now_ms;
			request(t, n, now_ms);
		}
		break;
	default:
		break;
	}
	memcpy(mac, n->mac, PG_ETH_ALEN);
	return PG_NEIGH_SEND;
}

void pg_neigh_learn(struct pg_neigh_table *t, uint32_t ip, const uint8_t mac[PG_ETH_ALEN],
			uint64_t now_ms, bool create)
{
	struct pg_neigh_entry *n = lookup(t, ip);

	if (!n) {
		if (!create)
			return;
		n = insert(t, ip);
		if (!n) {
			t->cnt[PG_L2_CNT_DROP_NEIGH_TABLE_FULL]++;
			return;
		}
		n->used_ms = now_ms;
	}
	memcpy(n->mac, mac, PG_ETH_ALEN);
	n->state = PG_NEIGH_REACHABLE;
	n->confirmed_ms = now_ms;
	n->tries = 0;
	t->cnt[PG_L2_CNT_NEIGH_LEARNED]++;
	/* Send what was held, oldest first; slots go back to the pool as we go. */
	while (n->q_head >= 0) {
		int32_t si = n->q_head;
		struct pg_neigh_slot *s = &t->slots[si];

		n->q_head = s->next;
		if (n->q_head < 0)
			n->q_tail = -1;
		n->q_len--;
		t->ops->xmit(t->ctx, n->mac, s->data + PG_NEIGH_HEADROOM, s->len);
		s->next = t->free_slot;
		t->free_slot = si;
	}
}

/* Returns true if the entry was removed (the slot now holds another one). */
static bool age(struct pg_neigh_table *t, uint32_t i, uint64_t now_ms)
{
	struct pg_neigh_entry *n = &t->entries[i];

	switch (n->state) {
	case PG_NEIGH_INCOMPLETE:
	case PG_NEIGH_PROBE:
		if (now_ms - n->first_request_ms >= PG_NEIGH_GIVEUP_MS) {
			if (t->ops->unreachable)
				t->ops->unreachable(t->ctx, n->ip, n->q_len);
			remove_at(t, i);
			t->cnt[PG_L2_CNT_NEIGH_EXPIRED]++;
			return true;
		}
		if (now_ms - n->last_request_ms >= PG_NEIGH_RETRY_MS)
			request(t, n, now_ms);
		return false;
	case PG_NEIGH_REACHABLE:
		if (now_ms - n->confirmed_ms >= PG_NEIGH_STALE_MS &&
			now_ms - n->used_ms >= PG_NEIGH_UNUSED_MS) {
			remove_at(t, i);
			t->cnt[PG_L2_CNT_NEIGH_EXPIRED]++;
			return true;
		}
		return false;
	default:
		return false;
	}
}

void pg_neigh_timer(struct pg_neigh_table *t, uint64_t now_ms)
{
	if (now_ms < t->next_scan_ms)
		return;
	t->next_scan_ms = now_ms + SCAN_INTERVAL_MS;
	for (uint32_t i = 0; i <= t->mask;) {
		/* A removal shifts a later entry into i: look at i again. */
		if (t->entries[i].state == PG_NEIGH_FREE || !age(t, i, now_ms))
			i++;
	}
}
