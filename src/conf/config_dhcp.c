/* SPDX-License-Identifier: MIT */
/*
 * config_dhcp.c - the values of the [dhcp] and [dns] sections:
 *
 *   [dhcp]  enable = on|off, range = FIRST - LAST, lease = DURATION,
 *           host = MAC IP (repeatable), dns = on|off
 *   [dns]   forward = on|off, upstream = ADDR[, ADDR...], name = NAME IP
 *           (repeatable)
 *
 * config.c owns the grammar, the key table and the line numbers; here are
 * the value parsers and the checks that need the LAN prefix or several
 * keys. Those checks refuse what dnsmasq would take and then misbehave
 * with: a range that hands out the gateway's own address, a range outside
 * the LAN (dnsmasq would silently serve nothing), an upstream server on the
 * LAN (the forwarder would ask a host, not the internet).
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "conf/config.h"
#include "engine/parse.h"
#include "engine/parse6.h"
#include "util/inet.h"

void pg_config_svc_defaults(struct pg_config *cfg)
{
	memset(&cfg->dhcp, 0, sizeof(cfg->dhcp));
	memset(&cfg->dns, 0, sizeof(cfg->dns));
	cfg->dhcp.lease = PG_DHCP_LEASE_DEFAULT;
}

int pg_config_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int i;

	/* Exactly 17 characters: six pairs of hex digits and five separators. */
	if (strlen(s) != 17)
		return -1;
	for (i = 0; i < 6; i++) {
		unsigned int v = 0;

		for (unsigned int j = 0; j < 2; j++) {
			char c = s[i * 3 + j];

			v <<= 4;
			if (c >= '0' && c <= '9')
				v |= (unsigned int)(c - '0');
			else if (c >= 'a' && c <= 'f')
				v |= (unsigned int)(c - 'a' + 10);
			else if (c >= 'A' && c <= 'F')
				v |= (unsigned int)(c - 'A' + 10);
			else
				return -1;
		}
		if (i < 5 && s[i * 3 + 2] != ':' && s[i * 3 + 2] != '-')
			return -1;
		mac[i] = (uint8_t)v;
	}
	return 0;
}

bool pg_config_dns_name_valid(const char *s)
{
	size_t n = strlen(s), label = 0;

	if (n == 0 || n > PG_DNS_NAME_MAX || s[0] == '.' || s[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '.') {
			/* An empty label ("a..b") or one ending in '-'. */
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-'))
			return false;
		if (c == '-' && label == 0)
			return false;
		if (++label > 63)
			return false;
	}
	return s[n - 1] != '-';
}

/* "A - B", "A-B": two addresses, the first not above the second. */
static int parse_range(const char *v, uint32_t *lo, uint32_t *hi)
{
	char a[32], b[32];
	const char *dash = strchr(v, '-');
	size_t la, lb;

	if (!dash)
		return -1;
	la = (size_t)(dash - v);
	while (la > 0 && (v[la - 1] == ' ' || v[la - 1] == '\t'))
		la--;
	dash++;
	while (*dash == ' ' || *dash == '\t')
		dash++;
	lb = strlen(dash);
	if (la == 0 || la >= sizeof(a) || lb == 0 || lb >= sizeof(b))
		return -1;
	memcpy(a, v, la);
	a[la] = '\0';
	memcpy(b, dash, lb + 1);
	if (pg_config_parse_addr(a, lo) || pg_config_parse_addr(b, hi))
		return -1;
	return 0;
}

/* "MAC IP" */
static int parse_host(const char *v, struct pg_dhcp_host *h)
{
	char mac[32], ip[32], extra[2];

	if (sscanf(v, "%31s %31s %1s", mac, ip, extra) != 2)
		return -1;
	if (pg_config_parse_mac(mac, h->mac) || pg_config_parse_addr(ip, &h->addr))
		return -1;
	return 0;
}

/* "NAME IP" */
static int parse_name(const char *v, struct pg_dns_name *d)
{
	char name[PG_DNS_NAME_MAX + 2], ip[32], extra[2];

	if (sscanf(v, "%254s %31s %1s", name, ip, extra) != 2)
		return -1;
	if (!pg_config_dns_name_valid(name) || pg_config_parse_addr(ip, &d->addr))
		return -1;
	/* pg_config_dns_name_valid() bounded it to PG_DNS_NAME_MAX. */
	memcpy(d->name, name, strlen(name) + 1);
	return 0;
}

/* "ADDR[, ADDR...]", IPv4 or IPv6 */
static int parse_upstream(const char *v, struct pg_config_dns *dns, const char **why)
{
	char buf[PG_CONFIG_VALUE_MAX + 1], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", v);
	dns->nupstream = dns->nupstream6 = 0;
	dns->upstream_dhcp = !strcmp(v, "dhcp");
	if (dns->upstream_dhcp)
		return 0;
	for (char *t = strtok_r(buf, ", \t", &save); t; t = strtok_r(NULL, ", \t", &save)) {
		bool v6 = strchr(t, ':') != NULL;
		int bad;

		if (dns->nupstream + dns->nupstream6 == PG_DNS_MAX_UPSTREAMS) {
			*why = "at most 4 upstream servers";
			return -1;
		}
		bad = v6 ? pg_config_parse_addr6(t, dns->upstream6[dns->nupstream6])
			 : pg_config_parse_addr(t, &dns->upstream[dns->nupstream]);
		if (bad) {
			*why = "expected 'dhcp' or addresses separated by commas, such as "
			       "203.0.113.53, 2001:db8::53";
			return -1;
		}
		if (v6)
			dns->nupstream6++;
		else
			dns->nupstream++;
	}
	if (dns->nupstream + dns->nupstream6 == 0) {
		*why = "expected at least one address";
		return -1;
	}
	return 0;
}

static int set_dhcp(struct pg_config *cfg, const char *key, const char *v, unsigned int line,
		    const char **why)
{
	struct pg_config_dhcp *d = &cfg->dhcp;

	if (!strcmp(key, "enable")) {
		*why = "expected 'on' or 'off'";
		d->enable_line = line;
		return pg_config_parse_bool(v, &d->enabled) ? -1 : 0;
	}
	if (!strcmp(key, "range")) {
		*why = "expected 'FIRST - LAST' such as 192.168.1.100 - 192.168.1.199";
		d->range_line = line;
		return parse_range(v, &d->range_lo, &d->range_hi);
	}
	if (!strcmp(key, "lease")) {
		*why = "expected a duration from 2m to 8784h, such as 12h or 30m";
		if (pg_config_parse_duration(v, &d->lease) || d->lease < PG_DHCP_LEASE_MIN ||
		    d->lease > PG_DHCP_LEASE_MAX)
			return -1;
		return 0;
	}
	if (!strcmp(key, "dns")) {
		*why = "expected 'on' or 'off'";
		d->dns_line = line;
		d->dns_given = true;
		return pg_config_parse_bool(v, &d->dns) ? -1 : 0;
	}
	if (!strcmp(key, "host")) {
		if (d->nhosts == PG_DHCP_MAX_HOSTS) {
			*why = "more than 64 hosts";
			return -1;
		}
		*why = "expected 'MAC IP' such as 02:00:00:00:00:10 192.168.1.10";
		if (parse_host(v, &d->hosts[d->nhosts]))
			return -1;
		d->hosts[d->nhosts++].line = line;
		return 0;
	}
	*why = "unknown key";
	return -1;
}

static int set_dns(struct pg_config *cfg, const char *key, const char *v, unsigned int line,
		   const char **why)
{
	struct pg_config_dns *d = &cfg->dns;

	if (!strcmp(key, "forward")) {
		*why = "expected 'on' or 'off'";
		d->forward_line = line;
		return pg_config_parse_bool(v, &d->forward) ? -1 : 0;
	}
	if (!strcmp(key, "upstream")) {
		d->upstream_line = line;
		return parse_upstream(v, d, why);
	}
	if (!strcmp(key, "name")) {
		if (d->nnames == PG_DNS_MAX_NAMES) {
			*why = "more than 64 names";
			return -1;
		}
		*why = "expected 'NAME IP' such as nas.lan 192.168.1.10 (letters, digits, '-' "
		       "and dots)";
		if (parse_name(v, &d->names[d->nnames]))
			return -1;
		d->names[d->nnames++].line = line;
		return 0;
	}
	*why = "unknown key";
	return -1;
}

int pg_config_svc_set(struct pg_config *cfg, const char *section, const char *key,
		      const char *value, unsigned int line, const char **why)
{
	if (!strcmp(section, "dhcp"))
		return set_dhcp(cfg, key, value, line, why);
	if (!strcmp(section, "dns"))
		return set_dns(cfg, key, value, line, why);
	*why = "unknown section";
	return -1;
}

bool pg_config_dns_serves(const struct pg_config *cfg)
{
	return cfg->dns.forward || cfg->dns.nnames > 0;
}

bool pg_config_dnsmasq_wanted(const struct pg_config *cfg)
{
	return cfg->dhcp.enabled || pg_config_dns_serves(cfg);
}

static int svc_fail(struct pg_config_svc_err *e, unsigned int line, const char *section,
		    const char *key, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int svc_fail(struct pg_config_svc_err *e, unsigned int line, const char *section,
		    const char *key, const char *fmt, ...)
{
	va_list ap;

	e->line = line;
	e->section = section;
	e->key = key;
	va_start(ap, fmt);
	vsnprintf(e->reason, sizeof(e->reason), fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * Why a would be a wrong address to hand to a LAN host, or NULL: outside the
 * LAN prefix, its network or broadcast address, or the gateway itself.
 */
static const char *lan_host_problem(const struct pg_config *cfg, uint32_t a)
{
	const struct pg_engine_config *ec = &cfg->engine;
	uint32_t m = pg_prefix_mask(ec->lan_prefix);

	if ((a & m) != (ec->lan_addr & m))
		return "outside the LAN prefix";
	if (ec->lan_prefix <= 30 && ((a & ~m) == 0 || (a | m) == 0xffffffffu))
		return "the network or broadcast address of the LAN prefix";
	if (a == ec->lan_addr)
		return "the gateway's own LAN address";
	return NULL;
}

static int check_dhcp(const struct pg_config *cfg, struct pg_config_svc_err *e)
{
	const struct pg_config_dhcp *d = &cfg->dhcp;
	const char *why;
	char net[INET_ADDRSTRLEN];
	struct in_addr a;

	a.s_addr = cfg->engine.lan_addr & pg_prefix_mask(cfg->engine.lan_prefix);
	inet_ntop(AF_INET, &a, net, sizeof(net));
	if (d->enabled && !d->range_line)
		return svc_fail(e, d->enable_line, "dhcp", "enable",
				"'range' is required when DHCP is on");
	if (d->range_line) {
		if (ntohl(d->range_lo) > ntohl(d->range_hi))
			return svc_fail(e, d->range_line, "dhcp", "range",
					"the first address is above the last");
		why = lan_host_problem(cfg, d->range_lo);
		if (!why)
			why = lan_host_problem(cfg, d->range_hi);
		if (why && strcmp(why, "the gateway's own LAN address"))
			return svc_fail(e, d->range_line, "dhcp", "range",
					"reaches %s (%s/%u)", why, net, cfg->engine.lan_prefix);
		if (ntohl(cfg->engine.lan_addr) >= ntohl(d->range_lo) &&
		    ntohl(cfg->engine.lan_addr) <= ntohl(d->range_hi))
			return svc_fail(e, d->range_line, "dhcp", "range",
					"contains the gateway's own LAN address");
	}
	for (unsigned int i = 0; i < d->nhosts; i++) {
		const struct pg_dhcp_host *h = &d->hosts[i];

		why = lan_host_problem(cfg, h->addr);
		if (why)
			return svc_fail(e, h->line, "dhcp", "host", "the address is %s (%s/%u)",
					why, net, cfg->engine.lan_prefix);
		for (unsigned int j = 0; j < i; j++) {
			if (!memcmp(d->hosts[j].mac, h->mac, 6))
				return svc_fail(e, h->line, "dhcp", "host",
						"this MAC already has an address on line %u",
						d->hosts[j].line);
			if (d->hosts[j].addr == h->addr)
				return svc_fail(e, h->line, "dhcp", "host",
						"this address is already given to another MAC "
						"on line %u",
						d->hosts[j].line);
		}
	}
	if (d->dns_given && d->dns && !pg_config_dns_serves(cfg))
		return svc_fail(e, d->dns_line, "dhcp", "dns",
				"hosts would be sent to a gateway that answers no DNS: set "
				"[dns] forward = on or give [dns] names");
	return 0;
}

static int check_dns(const struct pg_config *cfg, struct pg_config_svc_err *e)
{
	const struct pg_config_dns *d = &cfg->dns;
	const struct pg_engine_config *ec = &cfg->engine;
	uint32_t m = pg_prefix_mask(ec->lan_prefix);

	if (d->upstream_dhcp && !cfg->wan_dhcp)
		return svc_fail(e, d->upstream_line, "dns", "upstream",
				"'dhcp' takes the servers of the WAN's DHCP lease, and [wan] "
				"address is not dhcp");
	if (d->forward && d->nupstream + d->nupstream6 == 0 && !d->upstream_dhcp)
		return svc_fail(e, d->forward_line, "dns", "forward",
				"'upstream' is required when forwarding is on");
	for (unsigned int i = 0; i < d->nupstream; i++) {
		uint32_t u = d->upstream[i], h = ntohl(u);

		/* Upstream servers are reached over the WAN: not ourselves, not the LAN. */
		if ((u & m) == (ec->lan_addr & m))
			return svc_fail(e, d->upstream_line, "dns", "upstream",
					"a LAN address: upstream servers are reached over the WAN");
		if (u == ec->wan_addr || h == 0 || (h >> 24) == 127 || (h >> 28) >= 14)
			return svc_fail(e, d->upstream_line, "dns", "upstream",
					"not a DNS server's address (the gateway itself, 0, "
					"loopback, multicast or reserved)");
	}
	for (unsigned int i = 0; i < d->nupstream6; i++) {
		const uint8_t *u = d->upstream6[i];

		/* Reached over the WAN's IPv6: never the LAN's prefix, nothing link-bound. */
		if (pg_ip6_is_unspecified(u) || pg_ip6_is_loopback(u) || pg_ip6_is_multicast(u) ||
		    pg_ip6_is_linklocal(u) ||
		    (ec->lan6_prefix && pg_ip6_in_prefix(u, ec->lan6_addr, ec->lan6_prefix)) ||
		    !memcmp(u, ec->wan6_addr, 16))
			return svc_fail(e, d->upstream_line, "dns", "upstream",
					"not an IPv6 DNS server on the WAN (the LAN's prefix, the "
					"gateway itself, link-local, loopback or multicast)");
		if (!ec->lan6_prefix && !cfg->ipv6.lan_pd)
			return svc_fail(e, d->upstream_line, "dns", "upstream",
					"an IPv6 server needs IPv6 on: [lan] address6 and [wan] "
					"address6");
	}
	for (unsigned int i = 0; i < d->nnames; i++)
		for (unsigned int j = 0; j < i; j++)
			if (!strcasecmp(d->names[i].name, d->names[j].name))
				return svc_fail(e, d->names[i].line, "dns", "name",
						"'%s' already named on line %u", d->names[i].name,
						d->names[j].line);
	return 0;
}

/* Does the LAN input policy let proto/port up to the gateway's stack? */
static bool lan_admits(const struct pg_config *cfg, uint8_t proto, uint16_t port)
{
	const struct pg_engine_config *ec = &cfg->engine;

	for (unsigned int i = 0; i < ec->nlan_input; i++)
		if (ec->lan_input[i].proto == proto && port >= ec->lan_input[i].lo &&
		    port <= ec->lan_input[i].hi)
			return true;
	return false;
}

int pg_config_svc_check(struct pg_config *cfg, struct pg_config_svc_err *e)
{
	memset(e, 0, sizeof(*e));
	if (check_dns(cfg, e) || check_dhcp(cfg, e))
		return -1;
	/* dnsmasq listens on the LAN host device: no host path, nothing to bind to. */
	if (!cfg->host.path && cfg->dhcp.enabled)
		return svc_fail(e, cfg->dhcp.enable_line, "dhcp", "enable",
				"DHCP is served through the host path: needs [host] path = on");
	if (!cfg->host.path && pg_config_dns_serves(cfg))
		return svc_fail(e, cfg->dns.forward ? cfg->dns.forward_line : cfg->dns.names[0].line,
				"dns", cfg->dns.forward ? "forward" : "name",
				"DNS is served through the host path: needs [host] path = on");
	/* A server the input policy hides would look like a dead one. */
	if (cfg->dhcp.enabled && !lan_admits(cfg, PG_PROTO_UDP, 67))
		return svc_fail(e, cfg->dhcp.enable_line, "dhcp", "enable",
				"[input] lan does not admit udp 67: LAN hosts could not reach "
				"the DHCP server");
	if (pg_config_dns_serves(cfg) && !lan_admits(cfg, PG_PROTO_UDP, 53))
		return svc_fail(e, cfg->dns.forward ? cfg->dns.forward_line : cfg->dns.names[0].line,
				"dns", cfg->dns.forward ? "forward" : "name",
				"[input] lan does not admit udp 53: LAN hosts could not reach "
				"the DNS server");
	/* Unless told, hosts use the gateway for DNS exactly when it answers. */
	if (!cfg->dhcp.dns_given)
		cfg->dhcp.dns = pg_config_dns_serves(cfg);
	return 0;
}
