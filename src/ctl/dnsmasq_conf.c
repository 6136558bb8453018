/* SPDX-License-Identifier: MIT */
/*
 * dnsmasq_conf.c - [dhcp] and [dns] as a dnsmasq configuration file.
 *
 * Everything that decides behaviour is in this file, so the daemon's
 * documentation (docs/CONFIG.md "DHCP and DNS") can promise it and the unit
 * tests can read it. The choices, and why:
 * - interface + bind-interfaces + except-interface=lo: dnsmasq listens on
 *   the LAN host device's address only, never on the WAN device nor on
 *   loopback (where a system resolver may already sit); its addresses
 *   include the gateway's IPv6 LAN address when the LAN has IPv6, and with
 *   a delegated prefix (which comes and moves at run time) bind-dynamic
 *   instead, so dnsmasq follows the device's addresses as they change;
 * - no-resolv, no-hosts: answers come from [dns] alone, never from the
 *   machine's /etc/resolv.conf or /etc/hosts;
 * - port=0 when the gateway answers no DNS, so nothing listens on 53;
 * - domain-needed, bogus-priv: names without a dot and reverse lookups of
 *   private addresses stay on the LAN instead of leaking upstream;
 * - the router and DNS server options are always written, so a host is
 *   never told to use something [dhcp] did not say;
 * - dhcp-authoritative: we are the only DHCP server of this LAN, so a host
 *   asking for an address from an earlier lease file gets an answer at once.
 * Process options (foreground, log to stderr, no PID file) are given on
 * the command line by dnsmasq.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ctl/dnsmasq.h"
#include "dp/isolate.h"
#include "util/inet.h"

struct out {
	char *buf;
	size_t len, used;
	bool full;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->used, o->len - o->used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->len - o->used) {
		o->full = true;
		return;
	}
	o->used += (size_t)n;
}

static const char *ntoa(uint32_t a, char buf[INET_ADDRSTRLEN])
{
	struct in_addr in = {.s_addr = a};

	return inet_ntop(AF_INET, &in, buf, INET_ADDRSTRLEN);
}

static void render_dns(struct out *o, const struct pg_config *cfg)
{
	const struct pg_config_dns *d = &cfg->dns;
	char a[INET_ADDRSTRLEN], a6[INET6_ADDRSTRLEN];

	if (!pg_config_dns_serves(cfg)) {
		put(o, "# [dns]: the gateway answers no DNS\nport=0\n");
		return;
	}
	put(o, "# [dns]: answered on the LAN address\nport=53\ndomain-needed\nbogus-priv\n");
	if (d->forward)
		for (unsigned int i = 0; i < d->nupstream; i++)
			put(o, "server=%s\n", ntoa(d->upstream[i], a));
	/* Asked from the WAN IPv6 address, through the host path's WAN device. */
	for (unsigned int i = 0; d->forward && i < d->nupstream6; i++)
		put(o, "server=%s\n", inet_ntop(AF_INET6, d->upstream6[i], a6, sizeof(a6)));
	for (unsigned int i = 0; i < d->nnames; i++)
		put(o, "host-record=%s,%s\n", d->names[i].name, ntoa(d->names[i].addr, a));
}

static void render_dhcp(struct out *o, const struct pg_config *cfg, const char *lease_dir)
{
	const struct pg_config_dhcp *d = &cfg->dhcp;
	const struct pg_engine_config *ec = &cfg->engine;
	uint32_t mask = pg_prefix_mask(ec->lan_prefix);
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN], m[INET_ADDRSTRLEN];

	if (!d->enabled) {
		put(o, "# [dhcp]: off\n");
		return;
	}
	put(o, "# [dhcp]\n");
	put(o, "dhcp-range=%s,%s,%s,%us\n", ntoa(d->range_lo, a), ntoa(d->range_hi, b),
	    ntoa(mask, m), d->lease);
	put(o, "dhcp-leasefile=%s/dnsmasq.leases\n", lease_dir);
	put(o, "dhcp-authoritative\n");
	put(o, "dhcp-option=option:router,%s\n", ntoa(ec->lan_addr, a));
	if (d->dns)
		put(o, "dhcp-option=option:dns-server,%s\n", ntoa(ec->lan_addr, a));
	else
		put(o, "dhcp-option=option:dns-server\n");
	for (unsigned int i = 0; i < d->nhosts; i++) {
		const uint8_t *x = d->hosts[i].mac;

		put(o, "dhcp-host=%02x:%02x:%02x:%02x:%02x:%02x,%s\n", x[0], x[1], x[2], x[3],
		    x[4], x[5], ntoa(d->hosts[i].addr, a));
	}
	put(o, "log-dhcp\n");
}

int pg_dnsmasq_render(const struct pg_config *cfg, const char *lan_dev, const char *lease_dir,
		      char *buf, size_t len)
{
	struct out o = {.buf = buf, .len = len};

	if (len == 0)
		return -ENOSPC;
	buf[0] = '\0';
	put(&o, "# written by passgated from [dhcp] and [dns] of %s: edit that file instead\n",
	    cfg->doc.name);
	/* A delegated prefix arrives and moves after dnsmasq started: it must follow. */
	put(&o, "interface=%s\nexcept-interface=lo\n%s\n", lan_dev,
	    cfg->ipv6.lan_pd ? "bind-dynamic" : "bind-interfaces");
	/* dnsmasq drops root to nobody itself; a passgated that already gave
	 * up root (dp/isolate.c) starts it as its own user with the network
	 * capabilities ambient, and dnsmasq must not try to change user. */
	put(&o, pg_isolate_user() ? "user=\n" : "user=nobody\ngroup=nogroup\n");
	put(&o, "no-resolv\nno-hosts\n");
	render_dns(&o, cfg);
	render_dhcp(&o, cfg, lease_dir);
	return o.full ? -ENOSPC : (int)o.used;
}
