/* SPDX-License-Identifier: MIT */
/*
 * wan6.h - the WAN's SLAAC IPv6 address ([wan] address6 = slaac) carried
 * from neighbour discovery (l2/nd.c, l2/slaac.c) to the engines and the
 * host path's WAN device (dp/wan6.c).
 */
#ifndef PG_WAN6_H
#define PG_WAN6_H

#include <stdbool.h>
#include <stdint.h>

#include "conf/config.h"
#include "engine/engine.h"

struct pg_datapath;

struct pg_wan6 {
	bool on;			 /* [wan] address6 = slaac */
	struct pg_engine_config base;	 /* the file's settings (start, reloads) */
	uint8_t addr[16];		 /* the address applied; zero: none yet */
	uint32_t changes;		 /* applied: taken, moved, given up */
};

/* Set up for cfg (nothing to do unless [wan] address6 = slaac with IPv6 on). */
void pg_wan6_start(struct pg_datapath *dp, const struct pg_config *cfg);

/*
 * Put the SLAAC address in use into ec (settings about to be given to the
 * engines: a DHCP lease, a delegated prefix, a reload). No-op unless on.
 */
void pg_wan6_overlay(struct pg_wan6 *w, struct pg_engine_config *ec);

/* Once per pass: the WAN link's SLAAC address moved? Apply it. */
void pg_wan6_tick(struct pg_datapath *dp, uint64_t now_ms);

#endif /* PG_WAN6_H */
