/* SPDX-License-Identifier: MIT */
/*
 * diag.h - "diagnose a VPN server": ask a server on every VPN protocol that
 * answers without credentials (diag.c, over the probe's own message code)
 * and say per protocol whether it answered, what answered, and what to do
 * about it (diag_advice.c, pure, in the words of the troubleshooting table
 * users know: passthrough/ALG, port forward conflicts, MTU, double NAT).
 * Run by passgated on a thread of its own (ctl/diag_job.c): the probes
 * leave from the gateway itself.
 */
#ifndef PG_PROBE_DIAG_H
#define PG_PROBE_DIAG_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

enum pg_diag_proto {
	PG_DIAG_IKE500,		/* IKEv2 IKE_SA_INIT on UDP 500 */
	PG_DIAG_IKE4500,	/* the same on UDP 4500 (NAT-T), non-ESP marker */
	PG_DIAG_IKEV1,		/* IKEv1 Main Mode on UDP 500 */
	PG_DIAG_PPTP,		/* SCCRQ + OCRQ on TCP 1723, then the server's GRE */
	PG_DIAG_L2TP,		/* SCCRQ on UDP 1701 */
	PG_DIAG_OVPN_UDP,	/* P_CONTROL_HARD_RESET_CLIENT_V2 on UDP 1194 */
	PG_DIAG_OVPN_TCP,	/* the same on TCP 1194 */
	PG_DIAG_SSTP,		/* a TLS ClientHello on TCP 443 */
	PG_DIAG__COUNT,
};

/* Stable names (API, CLI), titles (page), and each probe's port. */
const char *pg_diag_proto_name(enum pg_diag_proto p);
const char *pg_diag_proto_title(enum pg_diag_proto p);
/* IP protocol (6 or 17) and port the probe asks on. */
void pg_diag_proto_port(enum pg_diag_proto p, uint8_t *ipproto, uint16_t *port);

enum pg_diag_state {
	PG_DIAG_NOT_RUN,	/* stopped before it ran, or no socket */
	PG_DIAG_NO_ANSWER,	/* silence until the timeout */
	PG_DIAG_REFUSED,	/* TCP reset or ICMP port unreachable: nothing listens */
	PG_DIAG_ANSWERED,	/* the protocol's own answer */
	PG_DIAG__STATES,
};
const char *pg_diag_state_name(enum pg_diag_state s);

/* What one probe found. */
struct pg_diag_item {
	enum pg_diag_state state;
	char answer[96];	/* what answered, in words; "" when nothing did */
	bool nat;		/* IKEv2: the server saw another address or port than ours */
	int gre;		/* PPTP: -1 not measured, 0 none came, 1 the server's GRE came */
	uint32_t ms;		/* how long the probe took */
};

struct pg_diag_result {
	uint32_t server;	/* host order */
	uint32_t local;		/* our address towards it (0 unknown) */
	struct pg_diag_item item[PG_DIAG__COUNT];
};

struct pg_diag_opts {
	uint32_t server;	/* host order */
	int wait_ms;		/* per try (UDP: two tries) or per TCP step */
	atomic_bool *stop;	/* set: give up between probes (may be NULL) */
};

/* Run every probe in turn; bounded by about 2 x wait_ms each. */
void pg_diag_run(const struct pg_diag_opts *o, struct pg_diag_result *r);

/* --- advice (diag_advice.c, pure) --- */

/* What the gateway knows about itself, filled by its caller. */
struct pg_diag_gw {
	uint32_t wan_addr;			/* host order; 0 unknown */
	uint16_t wan_mtu;			/* 0 unknown */
	bool switched_off[PG_DIAG__COUNT];	/* its passthrough switch is off */
	uint32_t forward_host[PG_DIAG__COUNT];	/* a port forward sends this port to a
						 * LAN host (host order), 0 none */
};

enum pg_diag_verdict { PG_DIAG_OK, PG_DIAG_WARN, PG_DIAG_FAIL };
const char *pg_diag_verdict_name(enum pg_diag_verdict v);

struct pg_diag_advice {
	enum pg_diag_verdict verdict;
	char text[320];		/* what to do, or "" */
};

/* The WAN address is private (RFC 1918, CGN, link-local): a NAT is upstream. */
bool pg_diag_double_nat(const struct pg_diag_gw *gw);
void pg_diag_advise(const struct pg_diag_gw *gw, const struct pg_diag_result *r,
		    struct pg_diag_advice out[PG_DIAG__COUNT]);

#endif /* PG_PROBE_DIAG_H */
