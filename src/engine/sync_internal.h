/* SPDX-License-Identifier: MIT */
/*
 * sync_internal.h - the flow record codec shared by sync_export.c,
 * sync_import.c and the helpers that nest flows in their own state (a PPTP
 * control connection carries its calls' GRE flows).
 */
#ifndef PG_ENGINE_SYNC_INTERNAL_H
#define PG_ENGINE_SYNC_INTERNAL_H

#include "engine/engine_internal.h"
#include "engine/sync.h"
#include "util/wire.h"

/* A flow record's body, decoded (struct pg_flow's fields, times relative). */
struct pg_sync_flow {
	struct pg_key out; /* the LAN-side key */
	uint32_t in_addr;  /* the WAN-side key's remote */
	uint16_t in_pa, in_pb;
	uint8_t in_parked, flags, tcp_state, alg;
	uint32_t alg_state;
	uint32_t lan_addr;
	uint16_t lan_port;
	uint32_t remaining, age; /* seconds */
	uint8_t has_map, map_hairpin, has_permit;
	uint32_t map_lan;
	uint16_t map_lan_port, map_pub;
	uint32_t pkts[2];
	uint64_t bytes[2];
	const uint8_t *helper; /* the helper's own bytes, inside the record */
	uint16_t helper_len;
};

/* Flow f's body without helper state (PG_SYNC_FLOW_LEN bytes, helper length 0). */
void pg_sync_flow_encode(const struct pg_engine *e, const struct pg_flow *f, uint32_t now_s,
			 uint8_t *body);

/* Decode a flow body of len bytes; 0, or -1 when it is short or its helper length lies. */
int pg_sync_flow_decode(const uint8_t *body, size_t len, struct pg_sync_flow *r);

/*
 * Create the flow r describes, with LAN-side key out and WAN-side key in
 * (the record's own, or a helper's keys for this engine), its mapping,
 * permit, timers and counters; alg left to the caller. NULL with the reason
 * counted in st (may be NULL).
 */
struct pg_flow *pg_sync_flow_make(struct pg_engine *e, const struct pg_sync_flow *r,
				  const struct pg_key *out, const struct pg_key *in, uint32_t now_s,
				  uint32_t age_s, struct pg_sync_import_stats *st);

/* The record's own keys for r on engine e. */
void pg_sync_flow_keys(const struct pg_engine *e, const struct pg_sync_flow *r, struct pg_key *out,
		       struct pg_key *in);

#endif /* PG_ENGINE_SYNC_INTERNAL_H */
