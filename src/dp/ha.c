/* SPDX-License-Identifier: MIT */
/* ha.c - master, backup or fault on both links (dp/ha.h). */
#include <string.h>

#include "dp/datapath.h"
#include "dp/ha.h"
#include "util/log.h"

#define ANNOUNCE_ROUNDS 3
#define ANNOUNCE_GAP_MS 1000

const char *const pg_ha_role_names[PG_HA_ROLE__COUNT] = {
	[PG_HA_MASTER] = "master",
	[PG_HA_BACKUP] = "backup",
	[PG_HA_FAULT] = "fault",
};

int pg_ha_role_parse(const char *s)
{
	for (int i = 0; i < PG_HA_ROLE__COUNT; i++)
		if (!strcmp(s, pg_ha_role_names[i]))
			return i;
	return -1;
}

static void announce(struct pg_datapath *dp, uint64_t now_ms)
{
	for (int s = 0; s < 2; s++)
		pg_port_announce(&dp->link[s].port);
	dp->ha.announce_left--;
	dp->ha.announce_ms = now_ms + ANNOUNCE_GAP_MS;
}

void pg_ha_set(struct pg_datapath *dp, enum pg_ha_role role, uint64_t now_ms)
{
	struct pg_ha *h = &dp->ha;
	bool standby = role != PG_HA_MASTER;

	if (role != h->role) {
		pg_info("HA: %s -> %s", pg_ha_role_names[h->role], pg_ha_role_names[role]);
		h->changes++;
		h->changed_ms = now_ms;
	}
	h->role = role;
	for (int s = 0; s < 2; s++)
		dp->link[s].port.standby = standby;
	/* Told master again (keepalived repeats itself): announce again. */
	h->announce_left = standby ? 0 : ANNOUNCE_ROUNDS;
	if (!standby)
		announce(dp, now_ms);
}

void pg_ha_tick(struct pg_datapath *dp, uint64_t now_ms)
{
	if (dp->ha.announce_left && now_ms >= dp->ha.announce_ms)
		announce(dp, now_ms);
}
