/* SPDX-License-Identifier: MIT */
/*
 * fuzz_config.c - libFuzzer target for the configuration file parser
 * (config.c and the section parsers it calls), with the [dhcp] and [dns]
 * sections in mind: any text is parsed or refused with a message naming
 * the file, never a crash; a text that parses renders a dnsmasq
 * configuration that fits, and its DHCP range and fixed hosts are LAN
 * addresses other than the gateway's own.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/config.h"
#include "ctl/dnsmasq.h"

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_config: invariant broken: %s\n", what);
	abort();
}

static bool lan_host(const struct pg_config *cfg, uint32_t a)
{
	uint8_t p = cfg->engine.lan_prefix;
	uint32_t m = p ? htonl(~0u << (32 - p)) : 0;

	return (a & m) == (cfg->engine.lan_addr & m) && a != cfg->engine.lan_addr;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char conf[PG_DNSMASQ_CONF_MAX];
	struct pg_config cfg;
	char err[PG_CONFIG_ERR_SIZE];

	err[0] = '\0';
	if (pg_config_parse(&cfg, "f.conf", (const char *)data, size, err, sizeof(err))) {
		if (strncmp(err, "f.conf", 6))
			fail("a refusal that does not name the file");
		return 0;
	}
	if (pg_dnsmasq_render(&cfg, "pgh-lan0", "/run/x", conf, sizeof(conf)) <= 0)
		fail("a valid configuration that does not render");
	if (cfg.dhcp.enabled) {
		if (!lan_host(&cfg, cfg.dhcp.range_lo) || !lan_host(&cfg, cfg.dhcp.range_hi) ||
		    ntohl(cfg.dhcp.range_lo) > ntohl(cfg.dhcp.range_hi))
			fail("a DHCP range outside the LAN");
		if (ntohl(cfg.engine.lan_addr) >= ntohl(cfg.dhcp.range_lo) &&
		    ntohl(cfg.engine.lan_addr) <= ntohl(cfg.dhcp.range_hi))
			fail("a DHCP range holding the gateway's address");
	}
	for (unsigned int i = 0; i < cfg.dhcp.nhosts; i++)
		if (!lan_host(&cfg, cfg.dhcp.hosts[i].addr))
			fail("a fixed DHCP host outside the LAN");
	if (cfg.dns.forward && cfg.dns.nupstream == 0)
		fail("forwarding without an upstream server");
	pg_config_free(&cfg);
	return 0;
}
