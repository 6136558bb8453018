/* SPDX-License-Identifier: MIT */
/*
 * config_dhcp.h - the [dhcp] and [dns] sections: what dnsmasq serves to LAN
 * hosts on the gateway's LAN address (docs/CONFIG.md "DHCP and DNS").
 * Parsed by config_dhcp.c; turned into a dnsmasq configuration by
 * dnsmasq_conf.c.
 */
#ifndef PG_CONFIG_DHCP_H
#define PG_CONFIG_DHCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PG_DHCP_MAX_HOSTS 64
#define PG_DNS_MAX_UPSTREAMS 4
#define PG_DNS_MAX_NAMES 64
/* RFC 1035 2.3.4: 253 characters in text form, labels of at most 63. */
#define PG_DNS_NAME_MAX 253
/* dnsmasq's own floor for a lease; longer than a year is surely a typo. */
#define PG_DHCP_LEASE_MIN 120
#define PG_DHCP_LEASE_MAX (366u * 24 * 3600)
#define PG_DHCP_LEASE_DEFAULT (12u * 3600)

/* A fixed address for one MAC ("host = MAC IP"). */
struct pg_dhcp_host {
	uint8_t mac[6];
	uint32_t addr;	   /* network order */
	unsigned int line; /* where it was given, for messages */
};

/* A name the gateway answers itself ("name = NAME IP"). */
struct pg_dns_name {
	char name[PG_DNS_NAME_MAX + 1];
	uint32_t addr; /* network order */
	unsigned int line;
};

struct pg_config_dhcp {
	bool enabled;
	uint32_t range_lo, range_hi; /* network order; 0 when not given */
	uint32_t lease;		     /* seconds */
	bool dns;		     /* tell hosts to use the gateway as DNS server */
	bool dns_given;		     /* dns was set; otherwise it follows [dns] */
	struct pg_dhcp_host hosts[PG_DHCP_MAX_HOSTS];
	unsigned int nhosts;
	unsigned int enable_line, range_line, dns_line;
};

struct pg_config_dns {
	bool forward; /* queries for other names go to the upstream servers */
	uint32_t upstream[PG_DNS_MAX_UPSTREAMS]; /* network order */
	unsigned int nupstream;
	/* IPv6 servers, reached over the host path's WAN IPv6 (HOSTPATH.md "IPv6"). */
	uint8_t upstream6[PG_DNS_MAX_UPSTREAMS][16];
	unsigned int nupstream6;
	/*
	 * upstream = dhcp: the DNS servers of the WAN's DHCP lease ([wan]
	 * address = dhcp); the daemon fills upstream[] from the lease in use.
	 */
	bool upstream_dhcp;
	struct pg_dns_name names[PG_DNS_MAX_NAMES];
	unsigned int nnames;
	unsigned int forward_line, upstream_line;
};

/* A failed cross-key check: where and why, for config.c's message. */
struct pg_config_svc_err {
	unsigned int line;
	const char *section; /* "dhcp" or "dns" */
	const char *key;
	char reason[200];
};

struct pg_config;

/* Defaults: DHCP off, 12 h leases, no forwarding. */
void pg_config_svc_defaults(struct pg_config *cfg);

/*
 * Apply one "key = value" of section "dhcp" or "dns" given on line.
 * Returns 0, or -1 with *why naming what was expected.
 */
int pg_config_svc_set(struct pg_config *cfg, const char *section, const char *key,
		      const char *value, unsigned int line, const char **why);

/*
 * Checks that need the whole file (the LAN prefix, other keys). Also settles
 * [dhcp] dns when it was not given. Returns 0, or -1 with e filled.
 */
int pg_config_svc_check(struct pg_config *cfg, struct pg_config_svc_err *e);

/* Does the gateway answer DNS on its LAN address (forwarding or own names)? */
bool pg_config_dns_serves(const struct pg_config *cfg);

/* Is dnsmasq needed at all? */
bool pg_config_dnsmasq_wanted(const struct pg_config *cfg);

/* "aa:bb:cc:dd:ee:ff" (or '-' separated) into mac; 0 or -1. */
int pg_config_parse_mac(const char *s, uint8_t mac[6]);

/* Is s a host name dnsmasq can serve (letters, digits, '-', dots)? */
bool pg_config_dns_name_valid(const char *s);

#endif /* PG_CONFIG_DHCP_H */
