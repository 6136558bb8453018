/* SPDX-License-Identifier: MIT */
/*
 * config_ipv6.h - the IPv6 keys of [lan] and [wan] (docs/CONFIG.md "IPv6"):
 *
 *   [lan] address6 = 2001:db8:1::1/64   the gateway's LAN address and the LAN prefix
 *         address6 = pd                 the LAN's /64 from a prefix the ISP delegates (DHCPv6-PD)
 *         dns6 = 2001:db8::53           a DNS server announced in RAs (RFC 8106)
 *         dns6 = gateway                the gateway's own resolver, at its LAN address
 *         ra = on|off                   router advertisements on the LAN (on)
 *   [wan] address6 = ADDR/LEN | slaac   static, or from the ISP's RA
 *         gateway6 = ADDR               static default router (else from RAs)
 *         ping6_inbound = on|off        echo requests from the WAN reach LAN hosts (on)
 */
#ifndef PG_CONFIG_IPV6_H
#define PG_CONFIG_IPV6_H

#include <stdbool.h>
#include <stdint.h>

/* What the engine's configuration does not hold (layer 2's part). */
struct pg_config_ipv6 {
	uint8_t lan_dns[16]; /* zero: no RDNSS option (or lan_dns_gw) */
	bool lan_dns_gw;     /* dns6 = gateway: RDNSS is the LAN address, as it moves */
	bool lan_ra;
	bool wan_slaac;
	bool lan_pd; /* [lan] address6 = pd: lan6_* stay zero in the file's engine settings */
};

struct pg_config;

/* Defaults: RAs on, no DNS server announced, no SLAAC. */
void pg_config_ipv6_defaults(struct pg_config *cfg);

/* Parse "ADDR" into 16 bytes. 0 or -1. */
int pg_config_parse_addr6(const char *s, uint8_t out[16]);

/* Parse "ADDR/LEN" (LEN 1..128). 0 or -1. */
int pg_config_parse_prefix6(const char *s, uint8_t out[16], uint8_t *len);

/*
 * Apply one IPv6 key of section "lan" or "wan". Returns 0, or -1 with *why
 * naming what was expected.
 */
int pg_config_ipv6_set(struct pg_config *cfg, const char *section, const char *key,
		       const char *value, const char **why);

#endif /* PG_CONFIG_IPV6_H */
