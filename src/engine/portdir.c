/* SPDX-License-Identifier: MIT */
/*
 * portdir.c - the shared table of public ports (portdir.h).
 *
 * Per port space, an array indexed by public port says which LAN socket
 * holds it and for how many engines, and a bitmap says which are taken; an
 * open-addressing index finds a socket's port. The index has five slots for
 * every entry there can be (3 x 65,536), so probes stay short and an insert
 * always finds room; deletion shifts later slots back, so it never fills
 * with tombstones.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_internal.h"
#include "engine/portdir.h"

#define SPACES 3
#define PORTS 65536u
#define SLOTS_LOG2 20 /* > 4 x SPACES x PORTS slots: a power of two for masking */
#define EMPTY UINT32_MAX

struct holder {
	uint32_t lan;
	uint16_t lan_port;
	uint8_t refs;      /* engines holding it: at most PG_SHARDS_MAX */
	uint8_t sent_self; /* pg_portdir_note_self() */
};

struct pg_portdir {
	pthread_mutex_t lock;
	uint64_t rng;
	uint64_t seed;
	uint64_t used[SPACES][PORTS / 64];
	uint64_t reserved[SPACES][PORTS / 64];
	uint32_t free[SPACES][PG_PORT_CLASSES]; /* neither used nor reserved */
	struct holder by_port[SPACES][PORTS];
	uint32_t mask;   /* slots - 1 */
	uint32_t *slots; /* space << 16 | public port, or EMPTY */
};

static uint32_t home(const struct pg_portdir *d, int space, uint32_t lan, uint16_t lan_port)
{
	uint64_t x = ((uint64_t)lan << 20 | (uint64_t)lan_port << 2 | (uint64_t)space) ^ d->seed;

	x *= 0x9e3779b97f4a7c15ULL;
	x ^= x >> 29;
	return (uint32_t)(x >> 20) & d->mask;
}

static bool slot_is(const struct pg_portdir *d, uint32_t v, int space, uint32_t lan,
		    uint16_t lan_port)
{
	const struct holder *h = &d->by_port[v >> 16][v & 0xffff];

	return (int)(v >> 16) == space && h->lan == lan && h->lan_port == lan_port;
}

void pg_portdir_reserve(struct pg_portdir *d, int space, const uint64_t *reserved)
{
	if (reserved != d->reserved[space])
		memcpy(d->reserved[space], reserved, sizeof(d->reserved[space]));
	pg_ports_count(d->used[space], d->reserved[space], space, d->free[space]);
}

const uint32_t *pg_portdir_free(const struct pg_portdir *d, int space)
{
	return d->free[space];
}

struct pg_portdir *pg_portdir_create_sized(uint64_t seed, unsigned int slots_log2)
{
	struct pg_portdir *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->mask = (1u << slots_log2) - 1;
	d->slots = malloc(((size_t)d->mask + 1) * sizeof(*d->slots));
	if (!d->slots) {
		free(d);
		return NULL;
	}
	pthread_mutex_init(&d->lock, NULL);
	d->seed = seed;
	d->rng = seed | 1;
	memset(d->slots, 0xff, ((size_t)d->mask + 1) * sizeof(*d->slots));
	for (int s = 0; s < SPACES; s++)
		pg_portdir_reserve(d, s, d->reserved[s]);
	return d;
}

struct pg_portdir *pg_portdir_create(uint64_t seed)
{
	return pg_portdir_create_sized(seed, SLOTS_LOG2);
}

void pg_portdir_destroy(struct pg_portdir *d)
{
	if (!d)
		return;
	pthread_mutex_destroy(&d->lock);
	free(d->slots);
	free(d);
}

size_t pg_portdir_memory_size(void)
{
	return sizeof(struct pg_portdir) + ((size_t)1 << SLOTS_LOG2) * sizeof(uint32_t);
}

void pg_portdir_lock(struct pg_portdir *d)
{
	pthread_mutex_lock(&d->lock);
}

void pg_portdir_unlock(struct pg_portdir *d)
{
	pthread_mutex_unlock(&d->lock);
}

int pg_portdir_find(const struct pg_portdir *d, int space, uint32_t lan, uint16_t lan_port)
{
	for (uint32_t i = home(d, space, lan, lan_port);; i = (i + 1) & d->mask) {
		uint32_t v = d->slots[i];

		if (v == EMPTY)
			return -1;
		if (slot_is(d, v, space, lan, lan_port))
			return (int)(v & 0xffff);
	}
}

const uint64_t *pg_portdir_used(const struct pg_portdir *d, int space)
{
	return d->used[space];
}

uint64_t *pg_portdir_rng(struct pg_portdir *d)
{
	return &d->rng;
}

void pg_portdir_add(struct pg_portdir *d, int space, uint32_t lan, uint16_t lan_port, uint16_t pub)
{
	struct holder *h = &d->by_port[space][pub];
	uint32_t i = home(d, space, lan, lan_port);

	*h = (struct holder){.lan = lan, .lan_port = lan_port, .refs = 1};
	pg_ports_take(d->used[space], d->reserved[space], d->free[space], space, pub);
	while (d->slots[i] != EMPTY)
		i = (i + 1) & d->mask;
	d->slots[i] = (uint32_t)space << 16 | pub;
}

void pg_portdir_ref(struct pg_portdir *d, int space, uint16_t pub)
{
	d->by_port[space][pub].refs++;
}

/* Remove the index slot of (space, pub), shifting later slots of the run back. */
static void unindex(struct pg_portdir *d, int space, uint16_t pub)
{
	const struct holder *h = &d->by_port[space][pub];
	uint32_t i = home(d, space, h->lan, h->lan_port), j;

	while (d->slots[i] != ((uint32_t)space << 16 | pub))
		i = (i + 1) & d->mask;
	for (j = (i + 1) & d->mask; d->slots[j] != EMPTY; j = (j + 1) & d->mask) {
		uint32_t v = d->slots[j];
		const struct holder *o = &d->by_port[v >> 16][v & 0xffff];
		uint32_t k = home(d, (int)(v >> 16), o->lan, o->lan_port);

		/* v may fill the hole at i unless its home lies cyclically in (i, j]. */
		if (i <= j ? (k <= i || k > j) : (k <= i && k > j)) {
			d->slots[i] = v;
			i = j;
		}
	}
	d->slots[i] = EMPTY;
}

void pg_portdir_unref(struct pg_portdir *d, int space, uint16_t pub)
{
	struct holder *h = &d->by_port[space][pub];

	if (!h->refs || --h->refs)
		return;
	unindex(d, space, pub);
	memset(h, 0, sizeof(*h));
	pg_ports_release(d->used[space], d->reserved[space], d->free[space], space, pub);
}

bool pg_portdir_owner(const struct pg_portdir *d, int space, uint16_t pub, uint32_t *lan,
		      uint16_t *lan_port)
{
	const struct holder *h = &d->by_port[space][pub];

	if (!h->refs)
		return false;
	*lan = h->lan;
	*lan_port = h->lan_port;
	return true;
}

void pg_portdir_note_self(struct pg_portdir *d, int space, uint16_t pub)
{
	if (d->by_port[space][pub].refs)
		d->by_port[space][pub].sent_self = 1;
}

bool pg_portdir_sent_self(const struct pg_portdir *d, int space, uint16_t pub)
{
	return d->by_port[space][pub].sent_self;
}
