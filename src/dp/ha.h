/* SPDX-License-Identifier: MIT */
/*
 * ha.h - the gateway's part in a VRRP pair (docs/HA.md "Failover"): master
 * answers ARP for the gateway's addresses and forwards; backup and fault do
 * neither and send nothing on the links. keepalived decides and tells us
 * through its notify scripts (passgatectl ha master|backup|fault); a new
 * master announces the addresses with gratuitous ARP, three times a second
 * apart, so hosts, the upstream router and the switches follow at once.
 */
#ifndef PG_DP_HA_H
#define PG_DP_HA_H

#include <stdint.h>

enum pg_ha_role { PG_HA_MASTER = 0, PG_HA_BACKUP, PG_HA_FAULT, PG_HA_ROLE__COUNT };

extern const char *const pg_ha_role_names[PG_HA_ROLE__COUNT];

struct pg_ha {
	enum pg_ha_role role;
	uint64_t changes;     /* role changes since start */
	uint64_t changed_ms;  /* monotonic time of the last one (0: none) */
	unsigned int announce_left; /* gratuitous ARP rounds still to send */
	uint64_t announce_ms; /* when the next is due */
};

/* The role named s, or -1. */
int pg_ha_role_parse(const char *s);

struct pg_datapath;

/* Take role on both links (on the data path's thread, between passes). */
void pg_ha_set(struct pg_datapath *dp, enum pg_ha_role role, uint64_t now_ms);

/* Every pass: the announcements still due. */
void pg_ha_tick(struct pg_datapath *dp, uint64_t now_ms);

#endif /* PG_DP_HA_H */
