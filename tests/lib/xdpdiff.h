/* SPDX-License-Identifier: MIT */
/*
 * xdpdiff.h - the XDP fast path against the engine, one packet at a time
 * (test_xdp_fast, test_xdp_vpn, test_xdp_v6, fuzz_xdp_fast), and the
 * pieces of their random streams they share: the TCP walk and the clock.
 *
 * The real program (build/xdp_fast.bpf.o) is loaded once per link and run
 * with BPF_PROG_TEST_RUN; its maps are filled by the data path's own code
 * (dp/offload.c) from engine A, which has offload on and sees only the
 * packets the program passes, as the daemon's engine does. Engine B, without
 * offload, sees every packet: the reference. A packet the program forwards
 * must carry B's bytes, direction and next hop's MAC; a packet it passes
 * must be untouched and A must do with it what B does. IPv4 and IPv6 alike
 * (the packet's version picks the frame's EtherType).
 */
#ifndef PGT_XDPDIFF_H
#define PGT_XDPDIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dp/offload.h"
#include "fixture.h"
#include "io/xdp_fast.h"

struct pgt_xdiff {
	struct pg_xdp_fast xf[2];
	struct pg_offload off;
	struct pg_engine *a, *b;
	struct pg_engines ea;
	uint64_t now, last_tick; /* ms; last_tick: pgt_xdiff_advance()'s last tick */
	unsigned int fast, slow; /* packets XDP forwarded, packets it passed */
	unsigned int fast_icmp;	 /* of fast, ICMP and ICMPv6 echoes */
	uint64_t stamped[2][PG_XF_MAX_ENTRIES]; /* each slot's packets when last given a time */
};

/* Every neighbour's MAC is made of its address: 02:01:a.b.c.d. */
void pgt_xdiff_mac_of_ip(uint32_t ip, uint8_t mac[6]);
/* An IPv6 neighbour's: 02:06 and its last four bytes; zero (the WAN's router) 02:06:ff:ff:ff:ff. */
void pgt_xdiff_mac_of_ip6(const uint8_t ip[16], uint8_t mac[6]);

/*
 * Load the program twice and make engines A and B with cfg. false with the
 * reason in why when BPF is not available (not root, no BPF_PROG_TEST_RUN):
 * the caller skips.
 */
bool pgt_xdiff_open(struct pgt_xdiff *w, const struct pg_engine_config *cfg, char *why,
		    size_t whylen);
/* The same with another build of the program (obj: its path), as a mutation check does. */
bool pgt_xdiff_open_obj(struct pgt_xdiff *w, const struct pg_engine_config *cfg, const char *obj,
			char *why, size_t whylen);
void pgt_xdiff_close(struct pgt_xdiff *w);

/*
 * A world opened with cfg, allocated; NULL after the line "SKIP what: why"
 * where BPF is not to be had (the caller returns: skipped). Freed with
 * pgt_xdiff_close() and free().
 */
struct pgt_xdiff *pgt_xdiff_new(const struct pg_engine_config *cfg, const char *what);

/* A stream over w: 0, or -1 with the first disagreement in err. */
typedef int pgt_xdiff_stream(struct pgt_xdiff *w, char *err, size_t errlen);

/*
 * After a stream of npkts whose flows are a quarter pings: both paths
 * carried a fair share (XDP over a third, the engine and XDP's echoes over
 * a tenth each, or the comparison proves little), A counted every packet
 * XDP forwarded, and A's counters are B's (pgt_xdiff_same_counters()).
 * false with the shortfall in err.
 */
bool pgt_xdiff_fair(const struct pgt_xdiff *w, unsigned int npkts, char *err, size_t errlen);

/*
 * The mutation check: w (opened with cfg) closed and opened again on the
 * program built at obj, and run over it, which must fail with "XDP wrote"
 * in err. true when caught (err: the disagreement), false with what went
 * wrong in err (the mutant missing, or not caught).
 */
bool pgt_xdiff_mutant_caught(struct pgt_xdiff *w, const struct pg_engine_config *cfg,
			     const char *obj, pgt_xdiff_stream *run, char *err, size_t errlen);

/*
 * One IPv4 or IPv6 packet arriving on side at w->now. B's result in *b (its buffer
 * holds the packet as B left it). 0, or -1 with the disagreement in err.
 */
int pgt_xdiff_packet(struct pgt_xdiff *w, int side, const uint8_t *pkt, uint32_t len,
		     struct pgt_pkt *b, char *err, size_t errlen);

/* The daemon's tick at w->now: XDP's counts to A, expiry in both, A's operations applied. */
void pgt_xdiff_tick(struct pgt_xdiff *w);

/*
 * The streams' clock after a packet: one time in jump_odds a jump past
 * every timeout the tests set (120 s), else up to 0.3 s; the daemon's tick
 * once a second, so XDP's counts reach A only then (or when an entry is
 * taken out between two ticks). true when the clock jumped.
 */
bool pgt_xdiff_advance(struct pgt_xdiff *w, uint64_t *rng, uint32_t jump_odds);

/*
 * The streams' TCP walk: the flags of a connection's next segment. *step: 0
 * SYN next, 1 SYN-ACK, 2 ACK, 3 established (data, ended now and then by a
 * FIN or an RST), 4 after them. With half_close the connection carries data
 * a while after its FIN or RST (step 4) before a new SYN; without, the next
 * segment is the SYN. *out is set for the segments whose direction the walk
 * decides (the handshake, the new SYN) and left as the caller drew it
 * otherwise.
 */
uint8_t pgt_xdiff_tcp_next(int *step, bool *out, bool half_close, uint64_t *rng);

/*
 * After a reconfiguration or a flush of A: its operations applied, nothing
 * is left offered or in the maps. false with the counts in err.
 */
bool pgt_xdiff_withdrawn(struct pgt_xdiff *w, char *err, size_t errlen);

/*
 * A and B agree: every engine counter but the offload ones, and every flow
 * (matched by its keys, public port and SPIs) with the same packets and
 * bytes each way and the same idle time. false with the first difference
 * in err.
 */
bool pgt_xdiff_same_counters(const struct pgt_xdiff *w, char *err, size_t errlen);
bool pgt_xdiff_same_flows(const struct pgt_xdiff *w, char *err, size_t errlen);
/* The same for the IPv6 firewall's flows (matched by addresses, ports, protocol). */
bool pgt_xdiff_same_flows6(const struct pgt_xdiff *w, char *err, size_t errlen);

#endif /* PGT_XDPDIFF_H */
