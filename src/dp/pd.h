/* SPDX-License-Identifier: MIT */
/*
 * pd.h - the LAN's IPv6 prefix from the ISP by DHCPv6 prefix delegation
 * ([lan] address6 = pd): runs the pure client of src/wan/dhcp6.c on the WAN
 * link, gives the LAN the first /64 of the delegated prefix (the gateway
 * ::1 in it) in the engines and the router advertisements, deprecates a
 * prefix lost or replaced, and keeps the delegation on disk for a restart.
 */
#ifndef PG_DP_PD_H
#define PG_DP_PD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dp/wan.h"
#include "engine/engine.h"
#include "wan/dhcp6.h"

struct pg_datapath;
struct pg_config;

struct pg_pd {
	bool on;
	struct pg_dhcp6 c;
	uint64_t rnd;
	char lease_path[PG_WAN_PATH_SIZE]; /* "" when the delegation is not kept */
	uint8_t cfg_dns[16];		    /* [lan] dns6; zero: the delegation's first */
	bool dns_gw;			    /* [lan] dns6 = gateway: the LAN address */
	uint64_t frames_in;		    /* DHCPv6 messages handed to the client */
	int64_t bound_wall;		    /* wall-clock seconds of the last bind or renewal */
	uint64_t prefix_changes;
	/* The configuration's engine settings as the file has them; each change goes on a copy. */
	struct pg_engine_config base;
};

/*
 * Set up and start the client when cfg has [lan] address6 = pd (nothing
 * otherwise): the delegation is kept in run_dir/wan6.lease, read now (one
 * still valid is used at once and confirmed with REBIND).
 */
void pg_pd_start(struct pg_datapath *dp, const struct pg_config *cfg, const char *run_dir,
		 uint64_t now_ms);

/*
 * Is this WAN IPv6 packet the client's (UDP to port 546 at a link-local or
 * multicast address, so never a LAN host's traffic)?
 */
bool pg_pd_claims(const struct pg_datapath *dp, const uint8_t *ip, uint32_t len);

/* A WAN IPv6 packet pg_pd_claims() took. */
void pg_pd_input(struct pg_datapath *dp, const uint8_t *ip, uint32_t len, uint64_t now_ms);

/* Retransmissions, T1, T2, expiry. Once per pass. */
void pg_pd_tick(struct pg_datapath *dp, uint64_t now_ms);

/*
 * Put the delegation's LAN /64 into ec (lan6_addr prefix::1, lan6_prefix
 * 64), or no LAN prefix while there is none. No-op without PD.
 */
void pg_pd_overlay(const struct pg_pd *pd, struct pg_engine_config *ec);

/* passgatectl wan renew: the delegation is renewed too. */
void pg_pd_renew(struct pg_datapath *dp, uint64_t now_ms);

/* The LAN /64 of the delegation in use (false: none). */
bool pg_pd_lan_prefix(const struct pg_pd *pd, uint8_t out[16]);

/*
 * What the API shows of the delegation, copied out on the data path's thread
 * by a job: the lease and counts, where struct pg_pd carries a whole engine
 * configuration.
 */
struct pg_pd_view {
	bool on; /* [lan] address6 = pd */
	bool has_lease;
	enum pg_dhcp6_state state;
	unsigned int acquire_tries;
	struct pg_dhcp6_lease lease; /* valid when has_lease */
	uint8_t lan_prefix[16];	     /* the LAN's /64 from it */
	struct pg_dhcp6_stats stats;
	uint64_t frames_in;
};

void pg_pd_view(const struct pg_pd *pd, struct pg_pd_view *v);

#endif /* PG_DP_PD_H */
