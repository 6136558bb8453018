/* SPDX-License-Identifier: MIT */
/*
 * observe.h - what the control plane may see of the engine: a snapshot of
 * flows, the VPN sessions the helpers follow, and a ring of events for the
 * logs. Read between batches, on the data path's thread (the engine has no
 * locks); everything here copies out, so callers keep nothing of the engine's.
 */
#ifndef PG_OBSERVE_H
#define PG_OBSERVE_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/engine.h"

/* One flow as the API shows it. Addresses and ports in host byte order. */
struct pg_flow_info {
	uint8_t proto;      /* IP protocol */
	uint8_t tcp_state;  /* 0 or a TCP state, see pg_tcp_state_name() */
	uint8_t alg;        /* 0 none, 1 pptp, 2 ipsec, 3 l2tp */
	uint8_t from_wan;   /* the first packet came from the WAN (forward, DMZ...) */
	uint8_t hairpin;
	uint32_t lan_addr;
	uint16_t lan_port;  /* port, echo id, call id; 0 for address-tracked GRE/ESP */
	uint32_t remote_addr;
	uint16_t remote_port;
	uint16_t pub_port;
	uint32_t spi_out, spi_in; /* raw ESP: the SPIs (0 = not learnt yet) */
	uint32_t idle_s;    /* seconds since the last packet */
	uint32_t expires_s; /* seconds until it expires if idle */
	uint64_t pkts[2], bytes[2]; /* [0] LAN to WAN, [1] WAN to LAN */
	uint8_t family;     /* 6: an IPv6 flow (lan6, remote6 set, no public port); else IPv4 */
	uint8_t lan6[16], remote6[16]; /* IPv6 addresses as on the wire */
};

/* Flow filter: 0 fields match anything. */
struct pg_flow_filter {
	uint8_t proto;
	uint32_t lan_addr;    /* host order */
	uint32_t remote_addr; /* host order */
	uint8_t alg;
	uint16_t port;	      /* any end: LAN, remote or public port (TCP, UDP, ICMP id) */
	/* The public port in [pub_lo, pub_hi] (a forward's WAN ports); pub_hi 0: any. */
	uint16_t pub_lo, pub_hi;
	/* 6: walk the IPv6 table (observe6.c) instead; only proto, port and host6 apply. */
	uint8_t family;
	uint8_t host6[16]; /* IPv6: either end is this address; all zero: any */
};

/*
 * Copy up to max flows matching f, starting after *cursor (0 to begin), into
 * out. Returns how many were copied; *cursor is set for the next page and is
 * 0 when the table has been walked. now_ms: the caller's clock.
 */
unsigned int pg_engine_flows(const struct pg_engine *e, const struct pg_flow_filter *f,
			     uint32_t *cursor, struct pg_flow_info *out, unsigned int max,
			     uint64_t now_ms);

/*
 * pg_engine_flows() that also stops after examining *budget table slots
 * (matching or not), taking them off *budget: a filtered page, or the last
 * one, may otherwise read the whole table at once. A page that stopped
 * early leaves *cursor at the next slot; call again with a new budget.
 */
unsigned int pg_engine_flows_scan(const struct pg_engine *e, const struct pg_flow_filter *f,
				  uint32_t *cursor, struct pg_flow_info *out, unsigned int max,
				  uint64_t now_ms, uint32_t *budget);

/*
 * End the flows matching f (pfSense's "reset states"), examining at most
 * *budget table slots from *cursor (0 to begin) and taking them off
 * *budget; *cursor is 0 when the table has been walked. A helper's flow
 * takes the flows it owns with it (a PPTP control connection its GRE
 * calls). The next packet of a cleared connection makes a new flow, as
 * after an expiry. Returns how many flows ended, those taken along
 * included; each is counted as flow_cleared. f must not be NULL: an
 * empty filter ends every flow.
 */
unsigned int pg_engine_flows_clear(struct pg_engine *e, const struct pg_flow_filter *f,
				   uint32_t *cursor, uint32_t *budget);

/* A VPN session the helpers follow. */
enum pg_vpn_kind {
	PG_VPN_PPTP = 1,  /* a control connection (with its calls) */
	PG_VPN_IKE = 2,   /* IKE on UDP 500 */
	PG_VPN_NATT = 3,  /* NAT-T on UDP 4500 */
	PG_VPN_ESP = 4,   /* a raw ESP SA pair */
	PG_VPN_L2TP = 5,  /* L2TP on UDP 1701 */
};

struct pg_vpn_session {
	uint8_t kind;      /* enum pg_vpn_kind */
	uint32_t client;   /* LAN host, host order */
	uint32_t server;   /* host order */
	uint16_t client_port, server_port, pub_port;
	const char *state; /* static text: "call up", "IKE seen", "ESP in UDP", ... */
	uint32_t calls;    /* PPTP: calls up */
	uint32_t spi_out, spi_in;
	uint32_t since_s;  /* seconds since the flow started (approximate: idle bound) */
	uint32_t idle_s;
	uint64_t bytes[2];
};

/* Copy up to max sessions into out; same cursor contract as pg_engine_flows(). */
unsigned int pg_engine_vpn_sessions(const struct pg_engine *e, uint32_t *cursor,
				    struct pg_vpn_session *out, unsigned int max, uint64_t now_ms);
/* The same with a budget of table slots, as pg_engine_flows_scan(). */
unsigned int pg_engine_vpn_sessions_scan(const struct pg_engine *e, uint32_t *cursor,
					 struct pg_vpn_session *out, unsigned int max,
					 uint64_t now_ms, uint32_t *budget);

/* Something the logs should tell. */
enum pg_event_kind {
	PG_EV_PPTP_SESSION = 1, /* control connection followed */
	PG_EV_PPTP_CALL_UP,     /* a call's GRE keyed both ways */
	PG_EV_PPTP_CALL_DOWN,
	PG_EV_PPTP_BAD,         /* control stream invalid: helper stopped */
	PG_EV_IKE_SEEN,         /* first IKE message of a client to a server */
	PG_EV_NATT_IN_USE,      /* first NAT-T flow of a client to a server */
	PG_EV_ESP_SA_OUT,       /* raw ESP: a client's new outbound SPI */
	PG_EV_ESP_LEARNT,       /* raw ESP: inbound SPI bound to a client */
	PG_EV_L2TP_TUNNEL,      /* L2TP control seen */
	PG_EV_IPSEC_ENDED,      /* an IKE, NAT-T or ESP flow ended (idle); a: enum pg_vpn_kind */
	PG_EV_FLOW_TABLE_FULL,  /* at most one per second */
};

struct pg_event {
	uint8_t kind;     /* enum pg_event_kind */
	uint64_t time_ms; /* engine time */
	uint32_t client, server; /* host order */
	uint16_t client_port, server_port, pub_port;
	uint32_t a, b;    /* kind-specific: call ids, SPIs, IKE version */
};

/* Take up to max events, oldest first. Events beyond the ring's size are lost and counted. */
unsigned int pg_engine_events(struct pg_engine *e, struct pg_event *out, unsigned int max);

/* One line of text for an event, e.g. "ipsec: ESP established 192.168.1.10 <-> ...". */
void pg_event_format(const struct pg_event *ev, char *buf, unsigned int len);

/* Flows by protocol, for metrics: counted as flows are created and freed. */
enum pg_flow_proto {
	PG_FP_TCP,
	PG_FP_UDP,
	PG_FP_ICMP,
	PG_FP_GRE,
	PG_FP_ESP,
	PG_FP_OTHER,
	PG_FP__COUNT
};

/* The slot of IP protocol proto in the counts below. */
unsigned int pg_flow_proto_slot(uint8_t proto);
/* Name of a slot: "tcp", ..., "other". */
const char *pg_flow_proto_slot_name(unsigned int slot);
/* Copy the number of flows of each protocol into out. */
void pg_engine_flows_by_proto(const struct pg_engine *e, uint32_t out[PG_FP__COUNT]);

/* Names for the API: "tcp", "SYN_SENT", "pptp"... */
const char *pg_proto_name(uint8_t proto);
const char *pg_tcp_state_name(uint8_t state);
const char *pg_alg_name(uint8_t alg);

#endif /* PG_OBSERVE_H */
