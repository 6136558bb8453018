/* SPDX-License-Identifier: MIT */
/* config_sync.c - the [sync] section's keys (conf/config_sync.h). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/config.h"

const char *const pg_sync_role_names[PG_SYNC_ROLE__COUNT] = {
	[PG_SYNC_OFF] = "off",
	[PG_SYNC_PRIMARY] = "primary",
	[PG_SYNC_STANDBY] = "standby",
};

/* "ADDR:PORT" with a dotted IPv4 address and a port 1..65535. */
static int addr_port(const char *v, uint32_t *addr, uint16_t *port)
{
	char host[INET_ADDRSTRLEN];
	const char *colon = strrchr(v, ':');
	char *end;
	unsigned long p;

	if (!colon || (size_t)(colon - v) >= sizeof(host))
		return -1;
	memcpy(host, v, (size_t)(colon - v));
	host[colon - v] = 0;
	p = strtoul(colon + 1, &end, 10);
	if (inet_pton(AF_INET, host, addr) != 1 || *end || !colon[1] || p == 0 || p > 65535)
		return -1;
	*port = (uint16_t)p;
	return 0;
}

int pg_config_sync_set(struct pg_config *cfg, const char *key, const char *v, const char **why)
{
	struct pg_config_sync *s = &cfg->sync;

	if (!strcmp(key, "role")) {
		for (int i = 0; i < PG_SYNC_ROLE__COUNT; i++) {
			if (!strcmp(v, pg_sync_role_names[i])) {
				s->role = (enum pg_sync_role)i;
				return 0;
			}
		}
		*why = "must be off, primary or standby";
		return -1;
	}
	if (!strcmp(key, "listen") || !strcmp(key, "peer")) {
		bool listen = key[0] == 'l';

		if (addr_port(v, listen ? &s->listen_addr : &s->peer_addr,
			      listen ? &s->listen_port : &s->peer_port)) {
			*why = "must be ADDRESS:PORT (an IPv4 address, a port 1-65535)";
			return -1;
		}
		return 0;
	}
	if (!strcmp(key, "key_file")) {
		if (v[0] != '/' || strlen(v) >= sizeof(s->key_file)) {
			*why = "must be an absolute path";
			return -1;
		}
		snprintf(s->key_file, sizeof(s->key_file), "%s", v);
		return 0;
	}
	if (!strcmp(key, "ha_start")) {
		if (strcmp(v, "master") && strcmp(v, "backup")) {
			*why = "must be master or backup";
			return -1;
		}
		s->start_backup = v[0] == 'b';
		return 0;
	}
	*why = "unknown key";
	return -1;
}

int pg_config_sync_check(const struct pg_config *cfg, const char **why)
{
	const struct pg_config_sync *s = &cfg->sync;

	if (s->role == PG_SYNC_OFF)
		return 0;
	if (!s->listen_port || !s->peer_port || !s->key_file[0]) {
		*why = "primary or standby needs listen, peer and key_file";
		return -1;
	}
	if (cfg->workers > 1) {
		/* This first version streams one engine; docs/HA.md "Not yet". */
		*why = "needs [datapath] workers = 1 in this version";
		return -1;
	}
	if (cfg->wan_dhcp) {
		/*
		 * The pair shares one public address, which a lease does not give:
		 * each box would lease its own, and the flows a standby holds are
		 * built on its address. docs/HA.md "Not yet".
		 */
		*why = "needs a static [wan] address (not dhcp): the pair shares one";
		return -1;
	}
	return 0;
}
