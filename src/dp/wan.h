/* SPDX-License-Identifier: MIT */
/*
 * wan.h - the WAN link's address from the ISP's DHCP server ([wan] address =
 * dhcp): runs the pure client of src/wan/ on the WAN link, applies each
 * lease to the engines, the WAN port and the host path, and keeps the lease
 * on disk for a restart (INIT-REBOOT).
 */
#ifndef PG_DP_WAN_H
#define PG_DP_WAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"
#include "wan/dhcp.h"

#define PG_WAN_PATH_SIZE 256

struct pg_datapath;
struct pg_config;

struct pg_wan {
	bool on; /* [wan] address = dhcp */
	struct pg_dhcp dhcp;
	uint64_t rnd;			 /* xorshift state, seeded from getrandom() */
	char lease_path[PG_WAN_PATH_SIZE]; /* "" when the lease is not kept */
	/*
	 * The configuration's engine settings as the file has them (no
	 * address); each lease is applied on top of a copy.
	 */
	struct pg_engine_config base;
	int64_t bound_wall;	/* wall-clock seconds when the lease in use was bound or renewed */
	uint64_t addr_changes;	/* a bound lease replaced by one with another address */
	uint32_t last_addr;	/* the last address bound, kept while the WAN is down */
	uint64_t flows_ended;	/* flows ended by address changes and losses */
	uint64_t frames_in;	/* DHCP messages handed to the client */
	uint64_t wan_changed_at; /* monotonic ms of the last change of address */
};

/*
 * Set up and start the client when cfg has [wan] address = dhcp (nothing
 * otherwise): its lease file is run_dir/wan.lease, read now (a lease still
 * valid is asked for first) and written at every bind and renewal.
 */
void pg_wan_start(struct pg_datapath *dp, const struct pg_config *cfg, const char *run_dir,
		  uint64_t now_ms);

/* A WAN ARP frame (Ethernet header included): conflicts while probing. */
void pg_wan_arp(struct pg_datapath *dp, const uint8_t *frame, uint32_t len, uint64_t now_ms);

/* A WAN IPv4 packet to UDP port 68 (pg_dhcp_udp_match()): the client's. */
void pg_wan_input(struct pg_datapath *dp, const uint8_t *ip, uint32_t len, uint64_t now_ms);

/* Timers: retransmissions, T1, T2, expiry. Once per pass. */
void pg_wan_tick(struct pg_datapath *dp, uint64_t now_ms);

/*
 * The configuration changed (reload, API): keep ec as the new base and put
 * the lease in use into it (address, prefix, gateway, [input] wan forwards),
 * or mark the WAN down when there is none. No-op for a static WAN.
 */
void pg_wan_overlay(struct pg_wan *w, struct pg_engine_config *ec);

/* passgatectl wan renew / release. */
void pg_wan_renew(struct pg_datapath *dp, uint64_t now_ms);
void pg_wan_release(struct pg_datapath *dp, uint64_t now_ms);

/* "bound", "waiting for DHCP (3 tries, last 2 s ago)", ...; static: "static". */
void pg_wan_describe(const struct pg_wan *w, uint64_t now_ms, char *buf, size_t size);

#endif /* PG_DP_WAN_H */
