/* SPDX-License-Identifier: MIT */
/*
 * sync.h - the engine's state as records, for a standby engine or for the
 * next start of the daemon (docs/HA.md).
 *
 * A record is a 4-byte header (type, reserved zero, body length, big
 * endian) and a body of that length. FLOW carries one flow whole: both keys,
 * the translation, TCP state, the time left before it expires and its age in
 * seconds (never absolute times: the two engines' clocks have nothing in
 * common), its NAT mapping and filter permit, counters, and the helper's own
 * state for it (a PPTP control connection carries its calls and their GRE
 * flows). GONE names a flow that ended by its LAN-side key. Multi-byte
 * numbers are big endian; addresses, ports and keys are copied in network
 * order as the engine holds them.
 *
 * Export: a walk over the flow table (a bulk transfer, or a slow refresh
 * that keeps the standby's timers current), and the change ring: with sync
 * on, the engine notes each flow it creates, re-keys, moves to another TCP
 * state, or frees, in a fixed ring (no allocation, no lock; an overflow is
 * reported so the caller can send a bulk instead). Both are drained between
 * batches by the thread that runs the engine, or while it is idle.
 *
 * Import: the records are applied to another engine between its batches. An
 * upsert replaces the flow with the same LAN-side key; a record that would
 * take a key, a public port or a call id another flow holds is refused and
 * counted, never forced.
 */
#ifndef PG_ENGINE_SYNC_H
#define PG_ENGINE_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"

#define PG_SYNC_REC_FLOW 1
#define PG_SYNC_REC_GONE 2

#define PG_SYNC_REC_HDR 4   /* type, zero, body length */
#define PG_SYNC_FLOW_LEN 82 /* a flow record's body without helper state */
#define PG_SYNC_GONE_LEN 16 /* a key */
#define PG_SYNC_HELPER_MAX 2048
/* The largest record there is: callers size their buffers from it. */
#define PG_SYNC_REC_MAX (PG_SYNC_REC_HDR + PG_SYNC_FLOW_LEN + PG_SYNC_HELPER_MAX)

#define PG_SYNC_RING_DEFAULT 8192 /* change records between two drains */

/* What an import did, record by record (added to, never reset here). */
struct pg_sync_import_stats {
	uint64_t applied;   /* flows created or replaced */
	uint64_t gone;	    /* flows ended */
	uint64_t conflicts; /* refused: a key, port or id held by another flow */
	uint64_t full;	    /* refused: flow, host or helper table full */
	uint64_t expired;   /* no time left (state file older than the flow) */
	uint64_t malformed; /* a record whose fields break the engine's rules */
	uint64_t unknown;   /* record types this version does not know: skipped */
};

/*
 * Start noting changes in a ring of `entries` records (at setup, not on
 * the packet path: this allocates). 0 or -ENOMEM / -EINVAL.
 */
int pg_sync_enable(struct pg_engine *e, unsigned int entries);
void pg_sync_disable(struct pg_engine *e);

/* Changes noted and not yet exported. */
unsigned int pg_sync_pending(const struct pg_engine *e);

/*
 * Did the ring fill since the last call (changes were lost, so the standby
 * needs a bulk transfer)? Clears the flag and the ring.
 */
bool pg_sync_take_overflow(struct pg_engine *e);

/*
 * Write the noted changes as records into buf (whole records only, as many
 * as fit in cap). Returns the bytes written; what did not fit stays noted.
 */
size_t pg_sync_export_changes(struct pg_engine *e, uint64_t now_ms, uint8_t *buf, size_t cap);

/*
 * Write the flows from *cursor on (pool order) as records into buf, as many
 * as fit in cap, and move *cursor past them. Start with *cursor 0; the walk
 * is over when pg_sync_walk_done(). A PPTP call's GRE rides in its control
 * connection's record.
 */
size_t pg_sync_export_walk(struct pg_engine *e, uint32_t *cursor, uint64_t now_ms, uint8_t *buf,
			   size_t cap);
bool pg_sync_walk_done(const struct pg_engine *e, uint32_t cursor);

/*
 * Apply records (a whole number of them) to e at now_ms, after aging each
 * flow's time left by age_s seconds (a state file's age; 0 from a live
 * peer). Returns 0, or -EINVAL at the first record whose framing is broken
 * (those before it are applied). Refused records are counted in st.
 */
int pg_sync_import(struct pg_engine *e, const uint8_t *buf, size_t len, uint64_t now_ms,
		   uint32_t age_s, struct pg_sync_import_stats *st);

struct pg_engines;

/*
 * pg_sync_import() for a set of workers' engines: each record goes to the
 * engine that owns its flow (pg_shard_of() on the flow's remote address),
 * whatever the set that wrote it was. Same returns.
 */
int pg_sync_import_set(struct pg_engines *set, const uint8_t *buf, size_t len, uint64_t now_ms,
		       uint32_t age_s, struct pg_sync_import_stats *st);

/* End every flow (a standby about to take a bulk transfer). */
void pg_sync_flush(struct pg_engine *e);

#endif /* PG_ENGINE_SYNC_H */
