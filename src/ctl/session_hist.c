/* SPDX-License-Identifier: MIT */
/*
 * session_hist.c - the ring of per-session byte counts (session_hist.h).
 * A session keeps its slot while it is seen; a new one takes a free slot,
 * else the one seen longest ago (never one seen in this row), and the
 * slot's old values are wiped so two sessions never share a line.
 */
#include <stdlib.h>
#include <string.h>

#include "ctl/session_hist.h"

struct pg_shist *pg_shist_create(void)
{
	return calloc(1, sizeof(struct pg_shist));
}

void pg_shist_destroy(struct pg_shist *h)
{
	free(h);
}

struct pg_shist_key pg_shist_key_of(const struct pg_vpn_session *s)
{
	struct pg_shist_key k;

	memset(&k, 0, sizeof(k));
	k.kind = s->kind;
	k.client = s->client;
	k.server = s->server;
	k.client_port = s->client_port;
	k.server_port = s->server_port;
	k.spi_out = s->kind == PG_VPN_ESP ? s->spi_out : 0;
	return k;
}

static bool key_eq(const struct pg_shist_key *a, const struct pg_shist_key *b)
{
	return a->kind == b->kind && a->client == b->client && a->server == b->server &&
	       a->client_port == b->client_port && a->server_port == b->server_port &&
	       a->spi_out == b->spi_out;
}

static int busiest_first(const void *pa, const void *pb)
{
	const struct pg_vpn_session *a = pa, *b = pb;
	uint64_t x = a->bytes[0] + a->bytes[1], y = b->bytes[0] + b->bytes[1];

	return x < y ? 1 : x > y ? -1 : 0;
}

static void wipe(struct pg_shist_slot *sl)
{
	for (unsigned int r = 0; r < PG_SHIST_ROWS; r++)
		sl->bytes[r][0] = sl->bytes[r][1] = PG_SHIST_ABSENT;
}

/* The slot for key at row: its own, a free one, the stalest; NULL when all are busy. */
static struct pg_shist_slot *slot_for(struct pg_shist *h, const struct pg_shist_key *k,
				      uint64_t row)
{
	struct pg_shist_slot *stale = NULL;

	for (unsigned int i = 0; i < PG_SHIST_SLOTS; i++)
		if (h->slot[i].used && key_eq(&h->slot[i].key, k))
			return &h->slot[i];
	for (unsigned int i = 0; i < PG_SHIST_SLOTS; i++) {
		struct pg_shist_slot *sl = &h->slot[i];

		if (!sl->used || sl->seen + PG_SHIST_ROWS <= row) {
			stale = sl;
			break;
		}
		if (sl->seen < row && (!stale || sl->seen < stale->seen))
			stale = sl;
	}
	if (!stale)
		return NULL;
	wipe(stale);
	stale->used = true;
	stale->key = *k;
	return stale;
}

void pg_shist_add(struct pg_shist *h, uint64_t now_ms, struct pg_vpn_session *s, unsigned int n)
{
	uint64_t row = h->total;
	unsigned int at = (unsigned int)(row % PG_SHIST_ROWS);

	for (unsigned int i = 0; i < PG_SHIST_SLOTS; i++)
		h->slot[i].bytes[at][0] = h->slot[i].bytes[at][1] = PG_SHIST_ABSENT;
	if (n)
		qsort(s, n, sizeof(*s), busiest_first);
	for (unsigned int i = 0; i < n; i++) {
		struct pg_shist_key k = pg_shist_key_of(&s[i]);
		struct pg_shist_slot *sl = slot_for(h, &k, row);

		if (!sl)
			break; /* every slot holds a busier session seen now */
		sl->seen = row;
		sl->bytes[at][0] = s[i].bytes[0];
		sl->bytes[at][1] = s[i].bytes[1];
	}
	h->t_ms[at] = now_ms;
	h->total = row + 1;
}
