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

#define PG_ALG_PORTS 2 /* well-known ports one helper may declare */

/* How a helper claims a packet (pg_alg_claimant()); also what a switch gates. */
#define PG_ALG_SWITCH_PORTS 1 /* by a declared port at either end */
#define PG_ALG_SWITCH_OWNED 2 /* by its IP protocol (ops->owns) */

struct pg_alg_ops {
	const char *name;
	/*
	 * What the helper claims, declared the way nf_conntrack helpers declare
	 * their tuple: its well-known transport ports (host order, 0 ends the
	 * list) in port_proto, and optionally an IP protocol it owns outright
	 * (owns: ESP for IPsec, enhanced GRE for PPTP). The engine asks
	 * pg_alg_claimant() and never names a helper's port itself.
	 */
	uint8_t port_proto;
	uint16_t ports[PG_ALG_PORTS];
	bool (*owns)(const struct pg_parsed *p);
	/*
	 * Is the helper's passthrough switch on in cfg? switched says what it
	 * gates: PG_ALG_SWITCH_PORTS, PG_ALG_SWITCH_OWNED or both (PPTP's
	 * switch stops its GRE, not TCP 1723).
	 */
	bool (*enabled)(const struct pg_engine_config *cfg);
	uint8_t switched;
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
	/*
	 * Optional: does the helper expect this inbound packet that matched no
	 * flow (an answer whose key it is still learning)? Such a packet goes to
	 * miss() before port forwards and filtering see it.
	 */
	bool (*expects)(struct pg_engine *e, const struct pg_parsed *p);
	/*
	 * Optional: under address-and-port-dependent filtering, may this inbound
	 * packet with no flow of its own reach the mapping of LAN endpoint
	 * lan:lan_port (network order)? A helper whose protocol lets the server
	 * answer from another port says yes for its own tunnels.
	 */
	bool (*admits)(struct pg_engine *e, const struct pg_parsed *p, uint32_t lan,
		       uint16_t lan_port);
	/*
	 * Optional, state sync (engine/sync_export.c, sync_import.c). owner:
	 * the flow whose record carries f (a PPTP call's GRE rides in its
	 * control connection's), or f itself. save: the helper's state for
	 * flow f as bytes (at most cap), or -1 when it does not fit. restore:
	 * take a flow just imported with alg and alg_state from the record and
	 * bind it to fresh helper state from buf; 0, or -1 to drop the
	 * helper (the flow stays, untranslated by the helper).
	 */
	uint32_t (*sync_owner)(const struct pg_engine *e, const struct pg_flow *f);
	int (*sync_save)(const struct pg_engine *e, const struct pg_flow *f, uint32_t now_s,
			 uint8_t *buf, size_t cap);
	int (*sync_restore)(struct pg_engine *e, struct pg_flow *f, const uint8_t *buf,
			    size_t len, uint32_t now_s, uint32_t age_s);
	/*
	 * Optional, the XDP fast path (engine/offload.c): may a program forward
	 * this claimed flow's packets without the helper seeing them, now?
	 * PG_XF_PLAIN (address and port or call id rewritten, nothing to
	 * watch), PG_XF_NATT (only ESP in UDP: keepalives and IKE still come
	 * here), or 0 (not now: the helper must see every packet).
	 */
	uint8_t (*offload)(const struct pg_engine *e, const struct pg_flow *f);
};

extern const struct pg_alg_ops pg_alg_pptp;
extern const struct pg_alg_ops pg_alg_ipsec;
extern const struct pg_alg_ops pg_alg_l2tp;

/* Describe a flow a helper claimed as a VPN session (observe.c). */
bool pg_alg_describe(const struct pg_engine *e, const struct pg_flow *f, struct pg_vpn_session *s);

/* Does a LAN client wait to learn its inbound SPI from this server? */
bool pg_ipsec_waiting(struct pg_engine *e, uint32_t server);

/*
 * The helper that claims this packet by its protocol (ops->owns) or its
 * declared ports (either end), or NULL; *how is PG_ALG_SWITCH_OWNED or
 * PG_ALG_SWITCH_PORTS. The slow path's dispatch asks it; the fast path asks
 * pg_alg_port_claimed(), the passthrough switches pg_alg_switched_off().
 */
const struct pg_alg_ops *pg_alg_claimant(const struct pg_parsed *p, uint8_t *how);

/*
 * Is a switch off that gates this packet? Every helper that claims it is
 * asked, so UDP from 500 to 1701 is stopped by either switch.
 */
bool pg_alg_switched_off(const struct pg_engine_config *cfg, const struct pg_parsed *p);

/* Does any helper admit p to the mapping of lan:lan_port (ops->admits)? */
bool pg_alg_admits(struct pg_engine *e, const struct pg_parsed *p, uint32_t lan,
		   uint16_t lan_port);

/* The helper with this id, or NULL. */
const struct pg_alg_ops *pg_alg_get(unsigned int id);

/* Total bytes of helper state for cfg. */
size_t pg_alg_mem_size(const struct pg_engine_config *cfg);

/* Carve every helper's state out of mem (pg_alg_mem_size() bytes, zeroed). */
void pg_alg_init(struct pg_engine *e, void *mem);

/* Offer a new flow to the helpers. */
void pg_alg_flow_new(struct pg_engine *e, struct pg_flow *f, int side);

#endif /* PG_ALG_H */
