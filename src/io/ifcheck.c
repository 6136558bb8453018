/* SPDX-License-Identifier: MIT */
/*
 * ifcheck.c - link facts (ioctl) and the start-up checks on each link.
 *
 * passgated answers ARP and pings for its addresses itself, on links the
 * kernel must leave alone. If the kernel had an address there too, hosts
 * would get two answers (two MACs for one address, or the kernel's RSTs and
 * port-unreachables for our flows). And with GRO or LRO on, the kernel merges
 * TCP segments into super-frames with partial checksums before AF_PACKET sees
 * them, which cannot be forwarded as they are. Each check prints its fix.
 * See docs/INTERFACES.md.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "io/ifcheck.h"
#include "util/log.h"

static int ifreq_ioctl(int fd, const char *ifname, unsigned long req, struct ifreq *ifr)
{
	memset(ifr, 0, sizeof(*ifr));
	snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", ifname);
	return ioctl(fd, req, ifr) ? -errno : 0;
}

int pg_if_query(const char *ifname, struct pg_ifinfo *info, char *err, size_t errlen)
{
	struct ifreq ifr;
	int fd, r;

	memset(info, 0, sizeof(*info));
	info->ifindex = if_nametoindex(ifname);
	if (!info->ifindex) {
		snprintf(err, errlen, "%s: no such interface", ifname);
		return -ENODEV;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "%s: socket: %s", ifname, strerror(errno));
		return r;
	}
	r = ifreq_ioctl(fd, ifname, SIOCGIFHWADDR, &ifr);
	if (r)
		goto out_err;
	if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER) {
		snprintf(err, errlen, "%s: not an Ethernet link (hardware type %u)", ifname,
			 ifr.ifr_hwaddr.sa_family);
		close(fd);
		return -EINVAL;
	}
	memcpy(info->mac, ifr.ifr_hwaddr.sa_data, PG_ETH_ALEN);
	r = ifreq_ioctl(fd, ifname, SIOCGIFMTU, &ifr);
	if (r)
		goto out_err;
	info->mtu = (uint32_t)ifr.ifr_mtu;
	r = ifreq_ioctl(fd, ifname, SIOCGIFFLAGS, &ifr);
	if (r)
		goto out_err;
	info->up = ifr.ifr_flags & IFF_UP;
	close(fd);
	return 0;

out_err:
	snprintf(err, errlen, "%s: %s", ifname, strerror(-r));
	close(fd);
	return r;
}

/* Kernel addresses on the link: IPv4 ones are refused, IPv6 ones too. */
static int check_addresses(const char *ifname)
{
	struct ifaddrs *ifa, *i;
	int problems = 0;

	if (getifaddrs(&ifa)) {
		pg_err("%s: cannot list addresses: %s", ifname, strerror(errno));
		return 1;
	}
	for (i = ifa; i; i = i->ifa_next) {
		char buf[INET6_ADDRSTRLEN];
		int fam;

		if (!i->ifa_addr || strcmp(i->ifa_name, ifname))
			continue;
		fam = i->ifa_addr->sa_family;
		if (fam == AF_INET) {
			inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr,
				  buf, sizeof(buf));
			pg_err(
				"%s: the kernel has the IPv4 address %s here and would answer ARP and "
				"ICMP beside passgated; remove it: ip -4 addr flush dev %s",
				ifname, buf, ifname);
			problems++;
		}
	}
	freeifaddrs(ifa);
	return problems;
}

static int check_ipv6(const char *ifname)
{
	char path[128], v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", ifname);
	f = fopen(path, "re");
	if (!f)
		return 0; /* no IPv6 in this kernel or namespace: nothing to answer */
	if (fread(&v, 1, 1, f) != 1)
		v = 0;
	fclose(f);
	if (v == '1')
		return 0;
	pg_err("%s: IPv6 is enabled and the kernel would answer neighbour discovery here; "
	       "disable it: sysctl -w net.ipv6.conf.%s.disable_ipv6=1",
	       ifname, ifname);
	return 1;
}

static int ethtool_get(int fd, const char *ifname, uint32_t cmd, uint32_t *value)
{
	struct ethtool_value ev = {.cmd = cmd};
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (char *)&ev;
	if (ioctl(fd, SIOCETHTOOL, &ifr))
		return -errno;
	*value = ev.data;
	return 0;
}

static int check_offloads(const char *ifname)
{
	uint32_t v = 0; /* ethtool_get() fills it on success */
	int fd, problems = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	/* A driver without the ethtool call has no GRO or LRO to turn off. */
	if (ethtool_get(fd, ifname, ETHTOOL_GGRO, &v) == 0 && v) {
		pg_err("%s: GRO is on: the kernel would merge TCP segments into super-frames with "
		       "partial checksums before passgated sees them; turn it off: "
		       "ethtool -K %s gro off",
		       ifname, ifname);
		problems++;
	}
	if (ethtool_get(fd, ifname, ETHTOOL_GFLAGS, &v) == 0 && (v & ETH_FLAG_LRO)) {
		pg_err("%s: LRO is on: the NIC would merge TCP segments; turn it off: "
		       "ethtool -K %s lro off",
		       ifname, ifname);
		problems++;
	}
	close(fd);
	return problems;
}

int pg_if_check(const char *ifname, uint32_t mtu)
{
	struct pg_ifinfo info;
	char err[256];
	int problems;

	if (pg_if_query(ifname, &info, err, sizeof(err))) {
		pg_err("%s", err);
		return 1;
	}
	problems = check_addresses(ifname) + check_ipv6(ifname) + check_offloads(ifname);
	if (info.mtu < mtu) {
		pg_err("%s: the link MTU is %u, below the configured mtu %u; raise it "
		       "(ip link set %s mtu %u) or lower mtu in the configuration",
		       ifname, info.mtu, mtu, ifname, mtu);
		problems++;
	} else if (info.mtu > mtu) {
		pg_warn("%s: the link MTU %u is above the configured mtu %u; larger frames are "
			"dropped (drop_oversize)",
			ifname, info.mtu, mtu);
	}
	if (!info.up)
		pg_warn("%s: link is down; nothing flows until it is up (ip link set %s up)",
			ifname, ifname);
	return problems;
}
