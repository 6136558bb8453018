/* SPDX-License-Identifier: MIT */
/*
 * config_sync.h - the [sync] section: state sync with a second passgated
 * (docs/HA.md, docs/CONFIG.md "[sync]").
 *
 *   [sync]
 *   role     = off | primary | standby
 *   listen   = 10.99.0.1:7979    # our address on the sync link (bound)
 *   peer     = 10.99.0.2:7979    # the other gateway's; nothing else is read
 *   key_file = /etc/passgate/sync.key   # hex, 32-128 digits (openssl rand -hex 32)
 */
#ifndef PG_CONF_CONFIG_SYNC_H
#define PG_CONF_CONFIG_SYNC_H

#include <stdbool.h>
#include <stdint.h>

enum pg_sync_role { PG_SYNC_OFF = 0, PG_SYNC_PRIMARY, PG_SYNC_STANDBY, PG_SYNC_ROLE__COUNT };

extern const char *const pg_sync_role_names[PG_SYNC_ROLE__COUNT];

struct pg_config_sync {
	enum pg_sync_role role;
	uint32_t listen_addr, peer_addr; /* network order */
	uint16_t listen_port, peer_port; /* host order */
	char key_file[256];
	bool start_backup; /* ha_start = backup: forward only once told master (dp/ha.h) */
};

struct pg_config;

/* One [sync] key's value into cfg->sync; 0, or -1 with why set. */
int pg_config_sync_set(struct pg_config *cfg, const char *key, const char *v, const char **why);

/* The keys that go together: a role needs listen, peer and key_file. 0 or -1 with why. */
int pg_config_sync_check(const struct pg_config *cfg, const char **why);

#endif /* PG_CONF_CONFIG_SYNC_H */
