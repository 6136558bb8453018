/* SPDX-License-Identifier: MIT */
/*
 * fixture.h - an engine set up the way docs/ENGINE.md's examples assume.
 *
 * LAN 192.168.1.1/24, WAN 198.51.100.2/24 with next hop 198.51.100.1 and a
 * fixed hash seed, so a failing test fails the same way every run. Packets
 * are run from heap buffers exactly cap bytes long: a write past cap is an
 * AddressSanitizer report, not a silent pass.
 */
#ifndef PGT_FIXTURE_H
#define PGT_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"
#include "pktbuild.h"

#define PGT_LAN_ADDR "192.168.1.1"
#define PGT_LAN_NET "192.168.1.0"
#define PGT_LAN_BCAST "192.168.1.255"
#define PGT_WAN_ADDR "198.51.100.2"
#define PGT_WAN_NEXT_HOP "198.51.100.1"
#define PGT_H10 "192.168.1.10"
#define PGT_H11 "192.168.1.11"
#define PGT_H12 "192.168.1.12"
#define PGT_S1 "203.0.113.1"
#define PGT_S2 "203.0.113.2"
#define PGT_S3 "203.0.113.3"

#define PGT_SEED0 0x0123456789abcdefULL
#define PGT_SEED1 0xfedcba9876543210ULL

/* A packet and its result. cap 0: len + PG_PKT_ERROR_GROWTH. */
struct pgt_pkt {
	uint8_t buf[PGT_BUF];
	uint32_t len;
	uint32_t cap;
	uint8_t side;
	uint8_t verdict;
	uint16_t drop_reason;
	uint32_t next_hop; /* host order */
	uint8_t next_hop6[16]; /* IPv6: as the engine set it (zero: the WAN's router) */
};

/* Defaults plus the test addresses and seed, and max_flows 4096. */
void pgt_config(struct pg_engine_config *cfg);
/*
 * pgt_config() and the IPv6 test network (tests/e2e/lib/ipv6.sh's plan):
 * LAN 2001:db8:1::1/64, WAN 2001:db8:ffff::2/64, its router ::1.
 */
void pgt_config6(struct pg_engine_config *cfg);

/* pg_engine_create() with a message on stderr when it fails. */
struct pg_engine *pgt_engine_new(const struct pg_engine_config *cfg);

/* An engine with pgt_config() as it is (NULL with a message on failure). */
struct pg_engine *pgt_engine_default(void);

/*
 * Run n packets as one batch at now_ms. Returns 0, or -1 with err filled when
 * the engine broke the pg_pkt contract (l3/len outside the buffer, verdict or
 * drop reason out of range).
 */
int pgt_run(struct pg_engine *e, struct pgt_pkt *pkts, unsigned int n, uint64_t now_ms, char *err,
	    size_t errlen);

/* The tests' reproducible random numbers (xorshift64): 0..n-1, state never 0. */
static inline uint32_t pgt_rand(uint64_t *state, uint32_t n)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return (uint32_t)(*state % n);
}

/* Names for messages. */
const char *pgt_verdict_name(unsigned int v);
const char *pgt_counter(unsigned int c);

#endif /* PGT_FIXTURE_H */
