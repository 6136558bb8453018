/* SPDX-License-Identifier: MIT */
/*
 * config_tunnel.h - [tunnel]: the router's own VPN client (docs/CONFIG.md
 * "The router as a VPN client", docs/HOSTPATH.md "The tunnel").
 */
#ifndef PG_CONFIG_TUNNEL_H
#define PG_CONFIG_TUNNEL_H

#include <stdbool.h>
#include <stdint.h>

#define PG_TUNNEL_PATH_MAX 240
#define PG_TUNNEL_DEFAULT_DEVICE "pgtun0"
#define PG_TUNNEL_DEFAULT_MTU 1420 /* WireGuard's over a 1500-byte IPv4 path */
#define PG_TUNNEL_DEFAULT_TABLE 51820
#define PG_TUNNEL_MTU_MIN 576
#define PG_TUNNEL_TABLE_MIN 1000 /* below: the kernel's and distributions' tables */
#define PG_TUNNEL_TABLE_MAX 0x7ffffff0u

enum pg_tunnel_type {
	PG_TUNNEL_OFF = 0,
	PG_TUNNEL_WIREGUARD,
	PG_TUNNEL_OPENVPN,
	PG_TUNNEL__COUNT
};

/* The file's names of the types (config_tunnel.c). */
extern const char *const pg_tunnel_type_names[PG_TUNNEL__COUNT];

struct pg_config_tunnel {
	enum pg_tunnel_type type;		/* default off */
	char device[16];			/* the tunnel's network device */
	char wg_config[PG_TUNNEL_PATH_MAX + 1];	/* `wg setconf` file: key, peer, endpoint */
	char ovpn_config[PG_TUNNEL_PATH_MAX + 1]; /* `openvpn --config` file (key config) */
	uint32_t addr;	/* WireGuard: the address the provider gave us (network order);
			 * OpenVPN: 0, the server assigns it */
	uint8_t prefix;
	uint32_t mtu;	/* WireGuard's device; OpenVPN's comes from its file (tun-mtu) */
	uint32_t dns;	 /* resolver inside the tunnel for tunnelled hosts' DNS (network order) */
	uint32_t table;	 /* routing table and rule priority of the host's policy routing */
	unsigned int line; /* where [tunnel] starts, for messages */
	/* route, bypass and killswitch live in the engine's configuration (tunnel_*) */
};

struct pg_config;

/* Defaults of [tunnel] in cfg (off; the engine's tunnel_* fields too). */
void pg_config_tunnel_defaults(struct pg_config *cfg);

/* One key of [tunnel]: 0, or -1 with *why set. */
int pg_config_tunnel_set(struct pg_config *cfg, const char *key, const char *value,
			 const char **why);

/* After the whole file: what [tunnel] needs (the host path, an address). 0, or -1 with *why. */
int pg_config_tunnel_finish(struct pg_config *cfg, const char **why);

/* route and bypass as the file writes them ("all", "none", "A, B/24"). */
void pg_config_tunnel_format_list(const struct pg_config *cfg, bool bypass, char *buf,
				  size_t len);

#endif /* PG_CONFIG_TUNNEL_H */
