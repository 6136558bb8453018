/* SPDX-License-Identifier: MIT */
/*
 * alg.h - the interface every protocol helper (ALG) implements.
 *
 * A helper claims flows whose first packet it recognises (PPTP control on TCP
 * 1723, ...), sees every later packet of those flows before NAT rewrites
 * their headers, may rewrite payload in place (same length) and may create
 * data flows its own validated control traffic announced. It keeps its state
 * in a fixed pool sized at engine creation and is told when a flow it claimed
 * goes away. One file per helper; this header is all the engine knows.
 */
#ifndef PG_ALG_H
#define PG_ALG_H

#include <stddef.h>
#include <stdint.h>

#include "engine/engine_internal.h"

enum pg_alg_id {
	PG_ALG_NONE = 0,
	PG_ALG_PPTP = 1,
	PG_ALG_IPSEC = 2,
	PG_ALG_L2TP = 3,
	PG_ALG__COUNT
};
_Static_assert(PG_ALG__COUNT <= 8, "pg_flow.alg is 3 bits");

struct pg_alg_ops {
	const char *name;
	/* Bytes of state for this configuration (allocated zeroed by the engine). */
	size_t (*mem_size)(const struct pg_engine_config *cfg);
	/* Set up the state in mem. */
	void (*init)(struct pg_engine *e, void *mem);
	/*
	 * A flow was just created for a packet that came from side. Claim it by
	 * setting f->alg and f->alg_state; leave them to decline.
	 */
	void (*flow_new)(struct pg_engine *e, struct pg_flow *f, int side);
	/*
	 * A packet of a claimed flow, in direction dir (PG_DIR_OUT or PG_DIR_IN),
	 * before its headers are translated. Returns PG_CNT_NONE to let it pass
	 * or the drop counter.
	 */
	enum pg_counter (*packet)(struct pg_engine *e, struct pg_flow *f, struct pg_pkt *pkt,
				  const struct pg_parsed *p, int dir, uint64_t now_ms);
	/* A claimed flow is being freed (expiry, eviction or the helper itself). */
	void (*flow_free)(struct pg_engine *e, struct pg_flow *f);
	/*
	 * Describe a claimed flow as a VPN session (kind, state, calls); return
	 * false when it is part of another flow's session.
	 */
	bool (*describe)(const struct pg_engine *e, const struct pg_flow *f,
			 struct pg_vpn_session *s);
	/*
	 * Optional: a packet of a protocol this helper owns (ESP) matched no
	 * flow. Returns the flow to translate it with, or NULL after dropping
	 * it with a reason.
	 */
	struct pg_flow *(*miss)(struct pg_engine *e, struct pg_pkt *pkt, const struct pg_parsed *p,
				int dir, uint64_t now_ms);
};

extern const struct pg_alg_ops pg_alg_pptp;
extern const struct pg_alg_ops pg_alg_ipsec;
extern const struct pg_alg_ops pg_alg_l2tp;

/* Describe a flow a helper claimed as a VPN session (observe.c). */
bool pg_alg_describe(const struct pg_engine *e, const struct pg_flow *f, struct pg_vpn_session *s);

/* Does a LAN client wait to learn its inbound SPI from this server? */
bool pg_ipsec_waiting(struct pg_engine *e, uint32_t server);

/* The helper with this id, or NULL. */
const struct pg_alg_ops *pg_alg_get(unsigned int id);

/* Total bytes of helper state for cfg. */
size_t pg_alg_mem_size(const struct pg_engine_config *cfg);

/* Carve every helper's state out of mem (pg_alg_mem_size() bytes, zeroed). */
void pg_alg_init(struct pg_engine *e, void *mem);

/* Offer a new flow to the helpers. */
void pg_alg_flow_new(struct pg_engine *e, struct pg_flow *f, int side);

#endif /* PG_ALG_H */
