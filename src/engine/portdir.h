/* SPDX-License-Identifier: MIT */
/*
 * portdir.h - the public ports of a gateway whose flows are sharded over
 * several engines: which LAN socket holds each, for all engines at once.
 *
 * Every engine keeps its own mappings for the flows it holds, but a LAN
 * socket talks to servers on several workers, and RFC 4787 REQ-1 wants it
 * seen from one public port by all of them; and a packet for a public port
 * from somewhere new (endpoint-independent filtering, hairpinning) reaches
 * a worker that may not hold that mapping yet. The directory answers both:
 * the engines take and give back ports through it, and ask it who holds a
 * port they do not know. It is touched only when a mapping is made or freed
 * or an unknown port is asked about, never for packets of existing flows;
 * that is why it may be the one structure with a lock (docs/ARCHITECTURE.md
 * "Several workers").
 */
#ifndef PG_PORTDIR_H
#define PG_PORTDIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pg_portdir;

/* A directory with no ports taken; seed makes its port choices unguessable. NULL: no memory. */
struct pg_portdir *pg_portdir_create(uint64_t seed);
void pg_portdir_destroy(struct pg_portdir *d);

/*
 * The same with an index of 2^slots_log2 slots, for tests that want its
 * collisions: it must have more slots than ports will ever be held at once.
 */
struct pg_portdir *pg_portdir_create_sized(uint64_t seed, unsigned int slots_log2);

/* Bytes pg_portdir_create() allocates. */
size_t pg_portdir_memory_size(void);

/* Hold the lock around any use of the calls below. */
void pg_portdir_lock(struct pg_portdir *d);
void pg_portdir_unlock(struct pg_portdir *d);

/*
 * Port spaces as in the engine (TCP, UDP, ICMP identifiers: space 0..2);
 * addresses and ports in network order, public ports in host order.
 */

/* The public port (socket) space holds for (lan, lan_port), or -1. */
int pg_portdir_find(const struct pg_portdir *d, int space, uint32_t lan, uint16_t lan_port);

/* One bit per public port in use by some engine (for choosing a free one). */
const uint64_t *pg_portdir_used(const struct pg_portdir *d, int space);

/* The directory's random state, so port choices follow one sequence for all engines. */
uint64_t *pg_portdir_rng(struct pg_portdir *d);

/* Record that (lan, lan_port) holds pub (free until now) for one engine. */
void pg_portdir_add(struct pg_portdir *d, int space, uint32_t lan, uint16_t lan_port, uint16_t pub);

/* One more, or one fewer, engine holds pub; the last one frees it. */
void pg_portdir_ref(struct pg_portdir *d, int space, uint16_t pub);
void pg_portdir_unref(struct pg_portdir *d, int space, uint16_t pub);

/*
 * The forwarded (reserved) ports of space, which are never free; the same
 * for every engine, given again whenever the forwards change.
 */
void pg_portdir_reserve(struct pg_portdir *d, int space, const uint64_t *reserved);

/* Ports free in space by class (pg_port_class()): neither held nor reserved. */
const uint32_t *pg_portdir_free(const struct pg_portdir *d, int space);

/* Who holds pub: true with *lan and *lan_port set, or false. */
bool pg_portdir_owner(const struct pg_portdir *d, int space, uint16_t pub, uint32_t *lan,
		      uint16_t *lan_port);

/*
 * The holder of pub has sent to the gateway's own public address (so hosts
 * on the LAN may reach it through the address, hairpin.c), and the test.
 * Forgotten when the port is freed.
 */
void pg_portdir_note_self(struct pg_portdir *d, int space, uint16_t pub);
bool pg_portdir_sent_self(const struct pg_portdir *d, int space, uint16_t pub);

#endif /* PG_PORTDIR_H */
