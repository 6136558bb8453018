/* SPDX-License-Identifier: MIT */
/*
 * config_ipv6.c - the values of the IPv6 keys in [lan] and [wan]
 * (config_ipv6.h). config.c owns the grammar, the key table and the line
 * numbers; the engine's own validation (pg_v6_config_check()) refuses
 * overlapping prefixes and addresses that are not global unicast.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/config.h"
#include "conf/config_ipv6.h"

void pg_config_ipv6_defaults(struct pg_config *cfg)
{
	memset(&cfg->ipv6, 0, sizeof(cfg->ipv6));
	cfg->ipv6.lan_ra = true;
}

int pg_config_parse_addr6(const char *s, uint8_t out[16])
{
	return inet_pton(AF_INET6, s, out) == 1 ? 0 : -1;
}

int pg_config_parse_prefix6(const char *s, uint8_t out[16], uint8_t *len)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	unsigned long n;

	if (strlen(s) >= sizeof(buf))
		return -1;
	memcpy(buf, s, strlen(s) + 1);
	slash = strchr(buf, '/');
	if (!slash || !slash[1])
		return -1;
	*slash = '\0';
	n = strtoul(slash + 1, &end, 10);
	if (*end || n < 1 || n > 128 || pg_config_parse_addr6(buf, out))
		return -1;
	*len = (uint8_t)n;
	return 0;
}

int pg_config_ipv6_set(struct pg_config *cfg, const char *section, const char *key, const char *v,
		       const char **why)
{
	struct pg_engine_config *ec = &cfg->engine;
	bool lan = !strcmp(section, "lan");

	if (!strcmp(key, "address6") && !lan && !strcmp(v, "slaac")) {
		cfg->ipv6.wan_slaac = true;
		memset(ec->wan6_addr, 0, sizeof(ec->wan6_addr));
		ec->wan6_prefix = 0;
		return 0;
	}
	if (!strcmp(key, "address6") && lan && !strcmp(v, "pd")) {
		/* From the ISP by DHCPv6 prefix delegation: nothing until the lease (dp/pd.c). */
		cfg->ipv6.lan_pd = true;
		memset(ec->lan6_addr, 0, sizeof(ec->lan6_addr));
		ec->lan6_prefix = 0;
		return 0;
	}
	if (!strcmp(key, "address6")) {
		if (lan)
			cfg->ipv6.lan_pd = false;
		*why = lan ? "expected 'pd' or an IPv6 address and prefix length such as "
			     "2001:db8:1::1/64"
			   : "expected 'slaac' or an IPv6 address and prefix length such as "
			     "2001:db8:ffff::2/64";
		if (lan)
			return pg_config_parse_prefix6(v, ec->lan6_addr, &ec->lan6_prefix);
		cfg->ipv6.wan_slaac = false;
		return pg_config_parse_prefix6(v, ec->wan6_addr, &ec->wan6_prefix);
	}
	if (!strcmp(key, "gateway6")) {
		*why = "expected an IPv6 address such as 2001:db8:ffff::1 or fe80::1";
		return pg_config_parse_addr6(v, ec->wan6_gateway);
	}
	if (!strcmp(key, "dns6")) {
		/* The gateway's own resolver on its LAN address (the host path's dnsmasq). */
		cfg->ipv6.lan_dns_gw = !strcmp(v, "gateway");
		memset(cfg->ipv6.lan_dns, 0, sizeof(cfg->ipv6.lan_dns));
		if (cfg->ipv6.lan_dns_gw)
			return 0;
		*why = "expected 'gateway' or an IPv6 address such as 2001:db8::53";
		return pg_config_parse_addr6(v, cfg->ipv6.lan_dns);
	}
	*why = "expected 'on' or 'off'";
	if (!strcmp(key, "ra"))
		return pg_config_parse_bool(v, &cfg->ipv6.lan_ra);
	return pg_config_parse_bool(v, &ec->ping6_inbound); /* ping6_inbound */
}
