/* SPDX-License-Identifier: MIT */
/*
 * slaac.h - which /64 the WAN's one SLAAC address is in (RFC 4862): the
 * prefixes the ISP's router advertisements offer for autoconfiguration,
 * their lifetimes, and the moves between them (l2/slaac.c). Pure: time is
 * a parameter; nd.c feeds it and forms the address.
 */
#ifndef PG_SLAAC_H
#define PG_SLAAC_H

#include <stdbool.h>
#include <stdint.h>

#define PG_SLAAC_TWO_HOURS_MS 7200000ull /* RFC 4862 5.5.3 e) */

struct pg_slaac_prefix {
	uint8_t prefix[8]; /* the /64's first half, network order */
	bool used;
	uint64_t preferred_end_ms, valid_end_ms; /* UINT64_MAX: infinite */
};

struct pg_slaac {
	struct pg_slaac_prefix cur; /* the address's prefix; !used: no address */
	struct pg_slaac_prefix alt; /* another prefix offered, to move to */
	uint32_t moves;		    /* address taken, moved or given up */
};

/*
 * An RA's prefix information option for an autonomous /64 (the caller
 * checked the flag and the length), lifetimes in seconds as on the wire
 * (0xffffffff: infinite), received at now_ms.
 */
void pg_slaac_offer(struct pg_slaac *s, const uint8_t prefix[8], uint32_t valid_s,
		    uint32_t preferred_s, uint64_t now_ms);

/*
 * The prefix to hold at now_ms: an expired one given up, a deprecated one
 * left for a preferred other, the first one taken. Returns true when
 * s->cur changed (read it: used, prefix).
 */
bool pg_slaac_decide(struct pg_slaac *s, uint64_t now_ms);

#endif /* PG_SLAAC_H */
