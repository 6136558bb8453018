/* SPDX-License-Identifier: MIT */
/*
 * tunnel_host.c - what the tunnel needs of the host stack, put in place and
 * taken away again (docs/HOSTPATH.md "The tunnel").
 *
 * DOC: Theory of operation
 *
 * The engine hands a tunnelled LAN host's outbound packets to the LAN host
 * device unchanged (engine/local.c). Arriving there, addressed to no local
 * address, the host forwards them, and two rules of its policy routing
 * decide where (priorities PG_TUNNEL_RULE_PRIO and the next, before the main
 * table's rule at 32766):
 *
 *   iif LANDEV lookup main suppress_prefixlength 0   # LAN, [host] routes
 *   iif LANDEV lookup TABLE                          # all else: the tunnel
 *
 * TABLE holds "default dev TUNDEV" while the tunnel device exists and,
 * always, a blackhole default behind it, so nothing falls through to the
 * main table's default route (pgh-wan0) when the device is gone. The
 * host's own packets (the tunnel's encrypted UDP among them) keep the main
 * table and leave through pgh-wan0 and the NAT like any of the host's.
 *
 * One nftables table, passgate_TUNDEV, does the rest: tunnelled hosts'
 * DNS queries to the gateway are sent to [tunnel] dns (inside the
 * tunnel); what leaves through the tunnel takes the tunnel's address
 * (masquerade: the provider knows only that one); TCP SYNs into the tunnel
 * get their MSS clamped to the route's MTU (the tunnel's); and nothing the
 * host forwards from the LAN device may leave by the WAN device (counted;
 * passgated would drop such a packet anyway, its source not being the WAN
 * address). Forwarding is switched on for the LAN device and the tunnel
 * device only; the links stay fenced.
 *
 * Everything is added with ip(8) and nft(8) run as children (they inherit
 * CAP_NET_ADMIN as an ambient capability after the privilege drop), and
 * removed the same way when the tunnel stops or passgated exits.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ctl/child.h"
#include "ctl/tunnel.h"
#include "util/inet.h"
#include "util/log.h"

#define CMD_TIMEOUT_MS 5000

static void ntop(uint32_t a, char *buf, size_t len)
{
	struct in_addr in = {.s_addr = a};

	inet_ntop(AF_INET, &in, buf, (socklen_t)len);
}

/* Prefixes as an nftables set's elements: "192.168.1.10, 192.168.1.64/26". */
static void nft_set(const struct pg_host_route *l, unsigned int n, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < n && off < len; i++) {
		char a[INET_ADDRSTRLEN];
		int k;

		ntop(l[i].addr, a, sizeof(a));
		k = snprintf(buf + off, len - off, "%s%s/%u", i ? ", " : "", a, l[i].prefix);
		if (k < 0)
			break;
		off += (size_t)k;
	}
}

int pg_tunnel_nft_render(const struct pg_config *cfg, const char *lan_dev, const char *wan_dev,
			 char *buf, size_t len)
{
	const struct pg_engine_config *ec = &cfg->engine;
	const struct pg_config_tunnel *t = &cfg->tunnel;
	char sel[1024], byp[1024], lan[INET_ADDRSTRLEN], dns[INET_ADDRSTRLEN], match[2200];
	int n;

	ntop(ec->lan_addr, lan, sizeof(lan));
	ntop(t->dns, dns, sizeof(dns));
	if (ec->tunnel_all) {
		struct pg_host_route all = {.addr = ec->lan_addr & pg_prefix_mask(ec->lan_prefix),
					    .prefix = ec->lan_prefix};

		nft_set(&all, 1, sel, sizeof(sel));
	} else {
		nft_set(ec->tunnel_route, ec->ntunnel_route, sel, sizeof(sel));
	}
	nft_set(ec->tunnel_bypass, ec->ntunnel_bypass, byp, sizeof(byp));
	snprintf(match, sizeof(match), "iifname \"%s\" ip saddr { %s }%s%s%s", lan_dev, sel,
		 ec->ntunnel_bypass ? " ip saddr != { " : "", byp,
		 ec->ntunnel_bypass ? " }" : "");
	n = snprintf(buf, len,
		     "# passgated: the tunnel %s (docs/HOSTPATH.md \"The tunnel\")\n"
		     "table ip passgate_%s {\n"
		     "\tchain tun_dns {\n"
		     "\t\ttype nat hook prerouting priority dstnat; policy accept;\n"
		     "\t\t%s ip daddr %s udp dport 53 dnat to %s\n"
		     "\t\t%s ip daddr %s tcp dport 53 dnat to %s\n"
		     "\t}\n"
		     "\tchain tun_snat {\n"
		     "\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
		     "\t\toifname \"%s\" masquerade\n"
		     "\t}\n"
		     "\tchain tun_forward {\n"
		     "\t\ttype filter hook forward priority mangle; policy accept;\n"
		     "\t\tiifname \"%s\" oifname \"%s\" counter drop\n"
		     "\t\toifname \"%s\" tcp flags syn tcp option maxseg size set rt mtu\n"
		     "\t}\n"
		     "}\n",
		     t->device, t->device, match, lan, dns, match, lan, dns, t->device, lan_dev,
		     wan_dev, t->device);
	return n < 0 || (size_t)n >= len ? -ENOSPC : n;
}

/* Run one command given as words (input on its stdin); log a failure unless quiet. 0 or -1. */
static int run_in(bool quiet, const char *input, char *const argv[])
{
	char msg[256];
	int r = pg_child_run(argv, input, CMD_TIMEOUT_MS, msg, sizeof(msg));

	if (r && !quiet) {
		char cmd[512];
		size_t off = 0;

		cmd[0] = '\0';
		for (int i = 0; argv[i] && off < sizeof(cmd); i++) {
			int k = snprintf(cmd + off, sizeof(cmd) - off, "%s%s", i ? " " : "", argv[i]);

			if (k < 0)
				break;
			off += (size_t)k;
		}
		pg_err("tunnel: %s: %s", cmd, r < 0 && !msg[0] ? strerror(-r) : msg);
	}
	return r ? -1 : 0;
}

static int run(bool quiet, char *const argv[])
{
	return run_in(quiet, NULL, argv);
}

/* Write value into /proc/sys/net/ipv4/conf/dev/key; the old value into old (if given). */
static int sysctl_dev(const char *dev, const char *key, char value, char *old)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/%s", dev, key);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (old && pread(fd, old, 1, 0) != 1)
		*old = 0;
	if (pwrite(fd, &value, 1, 0) != 1) {
		int r = -errno;

		close(fd);
		return r;
	}
	close(fd);
	return 0;
}

int pg_tunnel_host_setup(struct pg_tunnel *t, const struct pg_config *cfg)
{
	const struct pg_config_tunnel *tc = &cfg->tunnel;
	char table[16], prio0[16], prio1[16];
	static char text[8192];
	int len, r;

	snprintf(table, sizeof(table), "%u", tc->table);
	snprintf(prio0, sizeof(prio0), "%u", PG_TUNNEL_RULE_PRIO);
	snprintf(prio1, sizeof(prio1), "%u", PG_TUNNEL_RULE_PRIO + 1);
	snprintf(t->host_dev, sizeof(t->host_dev), "%s", tc->device);
	t->host_table = tc->table;
	len = pg_tunnel_nft_render(cfg, t->lan_dev, t->wan_dev, text, sizeof(text));
	if (len < 0) {
		pg_err("tunnel: the nftables rules do not fit in %zu bytes", sizeof(text));
		return -1;
	}
	t->host_set = true; /* from here on teardown has something to undo */
	/* Left over by a passgated that was killed: start clean. */
	pg_tunnel_host_teardown(t, true);
	t->host_set = true;
	{
		char *rule0[] = {PG_TUNNEL_IP, "rule", "add", "iif", t->lan_dev, "lookup", "main",
				 "suppress_prefixlength", "0", "priority", prio0, NULL};
		char *rule1[] = {PG_TUNNEL_IP, "rule", "add", "iif", t->lan_dev, "lookup", table,
				 "priority", prio1, NULL};
		char *hole[] = {PG_TUNNEL_IP, "route", "replace", "blackhole", "default", "metric",
				"4096", "table", table, NULL};
		char *nft[] = {PG_TUNNEL_NFT, "-f", "-", NULL};

		if (run(false, rule0) || run(false, rule1) || run(false, hole) ||
		    run_in(false, text, nft))
			return -1;
	}
	r = sysctl_dev(t->lan_dev, "forwarding", '1', &t->lan_forwarding_old);
	if (r) {
		pg_err("tunnel: cannot turn forwarding on for %s: %s", t->lan_dev, strerror(-r));
		return -1;
	}
	t->lan_forwarding_set = true;
	pg_info("tunnel: host rules in place: iif %s -> table %u (blackhole behind %s), "
		"nftables table passgate_%s",
		t->lan_dev, tc->table, tc->device, tc->device);
	return 0;
}

void pg_tunnel_host_teardown(struct pg_tunnel *t, bool quiet)
{
	char table[16], prio0[16], prio1[16], name[64];

	if (!t->host_set)
		return;
	snprintf(table, sizeof(table), "%u", t->host_table);
	snprintf(prio0, sizeof(prio0), "%u", PG_TUNNEL_RULE_PRIO);
	snprintf(prio1, sizeof(prio1), "%u", PG_TUNNEL_RULE_PRIO + 1);
	snprintf(name, sizeof(name), "passgate_%s", t->host_dev);
	{
		char *rule0[] = {PG_TUNNEL_IP, "rule", "del", "priority", prio0, NULL};
		char *rule1[] = {PG_TUNNEL_IP, "rule", "del", "priority", prio1, NULL};
		char *flush[] = {PG_TUNNEL_IP, "route", "flush", "table", table, NULL};
		char *nft[] = {PG_TUNNEL_NFT, "delete", "table", "ip", name, NULL};

		/* Each on its own: one missing piece does not keep the others. */
		run(true, rule0);
		run(true, rule1);
		run(true, flush);
		run(true, nft);
	}
	if (t->lan_forwarding_set && t->lan_forwarding_old && t->lan_forwarding_old != '1')
		sysctl_dev(t->lan_dev, "forwarding", t->lan_forwarding_old, NULL);
	t->lan_forwarding_set = false;
	t->host_set = false;
	if (!quiet)
		pg_info("tunnel: host rules removed (table %u, passgate_%s)", t->host_table,
			t->host_dev);
}

int pg_tunnel_host_dev_up(const struct pg_config *cfg)
{
	const struct pg_config_tunnel *tc = &cfg->tunnel;
	char addr[INET_ADDRSTRLEN + 4], a[INET_ADDRSTRLEN], mtu[16], table[16];
	char *dev = (char *)tc->device;
	int r;

	ntop(tc->addr, a, sizeof(a));
	snprintf(addr, sizeof(addr), "%s/%u", a, tc->prefix);
	snprintf(mtu, sizeof(mtu), "%u", tc->mtu);
	snprintf(table, sizeof(table), "%u", tc->table);
	{
		char *setconf[] = {PG_TUNNEL_WG, "setconf", dev, (char *)tc->wg_config, NULL};
		char *ad[] = {PG_TUNNEL_IP, "addr", "replace", addr, "dev", dev, NULL};
		char *up[] = {PG_TUNNEL_IP, "link", "set", dev, "mtu", mtu, "up", NULL};
		char *route[] = {PG_TUNNEL_IP, "route", "replace", "default", "dev", dev, "metric",
				 "0", "table", table, NULL};

		/* OpenVPN set the device's address, MTU and state itself: only the route. */
		if (tc->type == PG_TUNNEL_OPENVPN ? run(false, route) :
						    run(false, setconf) || run(false, ad) ||
							    run(false, up) || run(false, route))
			return -1;
	}
	/* Answers from the tunnel are forwarded to the LAN: forwarding on its device. */
	r = sysctl_dev(dev, "forwarding", '1', NULL);
	if (!r)
		r = sysctl_dev(dev, "rp_filter", '0', NULL);
	if (r) {
		pg_err("tunnel: cannot set forwarding/rp_filter on %s: %s", dev, strerror(-r));
		return -1;
	}
	return 0;
}
