/* SPDX-License-Identifier: MIT */
/*
 * scenario.h - table-driven packet tests.
 *
 * A scenario is a fresh engine plus a list of steps; each step is one row
 * (name, input packet + side + time, expected output bytes or DROP reason).
 * For every step the runner also checks the counters: the expected drop
 * counter goes up by exactly one and no other drop counter moves, rx/tx and
 * to_gateway move with the verdict, and every forwarded packet passes a full
 * checksum verification before its bytes are compared with the expected ones.
 *
 * This file knows nothing about cmocka: it returns messages, so the fuzzers
 * and tools that link the test library do not need it.
 */
#ifndef PGT_SCENARIO_H
#define PGT_SCENARIO_H

#include "fixture.h"

struct pgt_ctx;
struct pgt_step;

/* Extra check on a step's result; 0 or -1 with err filled. */
typedef int (*pgt_check_fn)(struct pgt_ctx *ctx, const struct pgt_step *st,
			    const struct pgt_pkt *in, const struct pgt_pkt *out, char *err,
			    size_t n);

/* A counter that must move by exactly delta in a step (PGT_ANY: free). */
#define PGT_ANY INT16_MIN

struct pgt_cnt {
	uint16_t idx;
	int16_t delta;
};

struct pgt_patch {
	uint16_t off;
	uint8_t val;
};

struct pgt_step {
	const char *name;
	uint32_t t;  /* seconds after the scenario's start */
	uint16_t ms; /* plus milliseconds */
	uint8_t side;
	struct pgt_spec in;

	/* Damage done to the built input, in this order. */
	struct pgt_patch set[4]; /* byte patches */
	uint8_t nset;
	bool fix_ip;       /* recompute the IP header checksum after the patches */
	uint16_t l4_keep1; /* n + 1: keep n transport bytes (total length, buffer, IP csum) */
	uint32_t cut;      /* hand the engine only this many bytes */
	uint16_t pad;      /* append L2 padding after the packet */

	uint8_t verdict;
	uint16_t drop;        /* counter that goes up by one; the reason when DROP */
	struct pgt_spec out;  /* expected output (used when out.src is set) */
	bool same;            /* expected output: the input without padding */
	bool l4_bad_kept;     /* input had a bad L4 checksum that must stay bad */
	pgt_check_fn check;   /* more checks (ICMP errors, port properties...) */
	struct pgt_cnt cnt[4]; /* exact deltas for other counters */
	int32_t flows1;       /* n + 1: live flows after the step */
};

struct pgt_scenario {
	const char *name;
	void (*config)(struct pg_engine_config *cfg);
	const struct pgt_step *steps; /* ends at a step without a name */
};

/* A running scenario: tests written in C drive this directly. */
struct pgt_ctx {
	struct pg_engine_config cfg;
	struct pg_engine *e;
	struct pgt_vars vars;
	uint64_t t0_ms;
	uint64_t last_ms;
};

/* Engine start time: far from 0 so "time 0" is never special by accident. */
#define PGT_T0_MS 1000000ULL

int pgt_ctx_init(struct pgt_ctx *ctx, void (*config)(struct pg_engine_config *cfg));
void pgt_ctx_fini(struct pgt_ctx *ctx);

/* Run one step and check it; 0, or -1 with err naming the step and the problem. */
int pgt_step_run(struct pgt_ctx *ctx, const struct pgt_step *st, char *err, size_t n);

/* Run a whole scenario on a fresh engine. */
int pgt_scenario_run(const struct pgt_scenario *sc, char *err, size_t n);

/*
 * A pgt_check_fn: the output is the TCP reset RFC 793 gives for the input
 * segment (addresses and ports swapped, 40 bytes; with an ACK in the input,
 * RST with its acknowledgement as sequence number, else RST+ACK of it).
 */
int pgt_check_reset(struct pgt_ctx *ctx, const struct pgt_step *st, const struct pgt_pkt *in,
		    const struct pgt_pkt *out, char *err, size_t n);

/* Value of variable v (PGT_VAR(n)) or -1 when not learnt yet. */
int64_t pgt_var(const struct pgt_ctx *ctx, uint32_t v);

/* Shorthands for table rows. */
#define PGT_TCP(s, sp, d, dp, fl, sq, ak)                                                          \
	{                                                                                          \
		.proto = PGT_P_TCP, .src = (s), .sport = (sp), .dst = (d), .dport = (dp),          \
		.tcp_flags = (fl), .seq = (sq), .ack = (ak)                                        \
	}
#define PGT_TCP_TTL(s, sp, d, dp, fl, sq, ak, tl)                                                  \
	{                                                                                          \
		.proto = PGT_P_TCP, .src = (s), .sport = (sp), .dst = (d), .dport = (dp),          \
		.tcp_flags = (fl), .seq = (sq), .ack = (ak), .ttl = (tl)                           \
	}
#define PGT_UDP(s, sp, d, dp, n)                                                                   \
	{                                                                                          \
		.proto = PGT_P_UDP, .src = (s), .sport = (sp), .dst = (d), .dport = (dp),          \
		.paylen = (n)                                                                      \
	}
#define PGT_UDP_TTL(s, sp, d, dp, n, tl)                                                           \
	{                                                                                          \
		.proto = PGT_P_UDP, .src = (s), .sport = (sp), .dst = (d), .dport = (dp),          \
		.paylen = (n), .ttl = (tl)                                                         \
	}
#define PGT_ECHO(s, d, type, id, sq, tl)                                                           \
	{                                                                                          \
		.proto = PGT_P_ICMP, .src = (s), .dst = (d), .icmp_type = (type),                  \
		.icmp_id = (id), .icmp_seq = (sq), .paylen = 32, .ttl = (tl)                       \
	}

#endif /* PGT_SCENARIO_H */
