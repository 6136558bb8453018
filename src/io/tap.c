/* SPDX-License-Identifier: MIT */
/*
 * tap.c - set-up of the host path's TAP devices and of the link sysctls that
 * keep the kernel off the physical links (docs/HOSTPATH.md).
 *
 * Plain ioctls are enough for everything a TAP device needs here (MAC, MTU,
 * one address per family, up, one default route per family), so no
 * netlink library is pulled in. A failed step closes the descriptor, which
 * removes the device again.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <net/route.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/log.h"
#include "io/tap.h"
#include "util/inet.h"

static void sin_set(struct sockaddr *sa, uint32_t addr)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = addr;
	memcpy(sa, &sin, sizeof(sin));
}

/* Write value to a /proc/sys file; 0 or -errno. */
static int sysctl_write(const char *path, int value)
{
	char buf[16];
	int fd, n, r = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = snprintf(buf, sizeof(buf), "%d\n", value);
	if (write(fd, buf, (size_t)n) != n)
		r = -errno;
	close(fd);
	return r;
}

/* Read an integer from a /proc/sys file; 0 or -errno. */
static int sysctl_read(const char *path, int *value)
{
	char buf[16];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	if (sscanf(buf, "%d", value) != 1)
		return -EIO;
	return 0;
}

static int conf_path(char *buf, size_t len, const char *family, const char *ifname,
		     const char *key)
{
	int n = snprintf(buf, len, "/proc/sys/net/%s/conf/%s/%s", family, ifname, key);

	return n > 0 && (size_t)n < len ? 0 : -ENAMETOOLONG;
}

/* One ifreq ioctl on the configuration socket; on failure a message names the step. */
static int step(int sk, unsigned long req, struct ifreq *ifr, const char *what, char *err,
		size_t errlen)
{
	int r;

	if (!ioctl(sk, req, ifr))
		return 0;
	r = -errno;
	snprintf(err, errlen, "host path device %s: %s: %s", ifr->ifr_name, what, strerror(errno));
	return r;
}

/*
 * A device's IPv6 (docs/HOSTPATH.md "IPv6"): passgated announces the
 * prefix and answers neighbour solicitations for the gateway's addresses at
 * layer 2, so the host's stack must neither configure itself from router
 * advertisements, nor solicit routers, nor probe its addresses (the probes
 * would ask the link about our own address). Then IPv6 goes on.
 */
static void ipv6_quiet(const char *name, bool on)
{
	static const char *const keys[] = {"accept_ra", "autoconf", "accept_dad", "dad_transmits",
					   "router_solicitations"};
	char path[128];
	int r;

	for (size_t i = 0; on && i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (conf_path(path, sizeof(path), "ipv6", name, keys[i]))
			continue;
		r = sysctl_write(path, 0);
		if (r && r != -ENOENT)
			pg_warn("host path device %s: cannot set %s to 0: %s", name, keys[i],
				strerror(-r));
	}
	/* Without IPv6 on the LAN, an IPv6 stack here would only chatter. */
	if (!conf_path(path, sizeof(path), "ipv6", name, "disable_ipv6")) {
		r = sysctl_write(path, on ? 0 : 1);
		if (r && r != -ENOENT)
			pg_warn("host path device %s: cannot %s IPv6: %s", name,
				on ? "enable" : "disable", strerror(-r));
	}
}

/* struct in6_ifreq of <linux/ipv6.h>, which clashes with glibc's <netinet/in.h>. */
struct pg_in6_ifreq {
	struct in6_addr addr;
	uint32_t prefixlen;
	int ifindex;
};

/*
 * An AF_INET6 socket for the IPv6 ioctls on device name, whose index goes
 * to *ifindex. The socket, or -errno with a message in err.
 */
static int inet6_sock(const char *name, int *ifindex, char *err, size_t errlen)
{
	int sk;

	*ifindex = (int)if_nametoindex(name);
	if (!*ifindex) {
		snprintf(err, errlen, "host path device %s: gone", name);
		return -ENODEV;
	}
	sk = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sk < 0) {
		sk = -errno;
		snprintf(err, errlen, "host path: IPv6 socket: %s", strerror(errno));
	}
	return sk;
}

int pg_tap_set_addr6(const char *name, const uint8_t old[16], uint8_t old_len,
		     const uint8_t addr[16], uint8_t len, char *err, size_t errlen)
{
	struct pg_in6_ifreq rq;
	int sk, r = 0;

	memset(&rq, 0, sizeof(rq));
	sk = inet6_sock(name, &rq.ifindex, err, errlen);
	if (sk < 0)
		return sk;
	if (old_len) {
		memcpy(&rq.addr, old, 16);
		rq.prefixlen = old_len;
		(void)ioctl(sk, SIOCDIFADDR, &rq); /* gone already: fine */
	}
	if (len) {
		memcpy(&rq.addr, addr, 16);
		rq.prefixlen = len;
		if (ioctl(sk, SIOCSIFADDR, &rq) && errno != EEXIST) {
			r = -errno;
			snprintf(err, errlen, "host path device %s: adding its IPv6 address: %s",
				 name, strerror(errno));
		}
	}
	close(sk);
	return r;
}

int pg_tap_route6(const char *name, const uint8_t gateway[16], bool add, char *err, size_t errlen)
{
	struct in6_rtmsg rt;
	int sk, r = 0;

	memset(&rt, 0, sizeof(rt));
	sk = inet6_sock(name, &rt.rtmsg_ifindex, err, errlen);
	if (sk < 0)
		return sk;
	memcpy(&rt.rtmsg_gateway, gateway, 16);
	rt.rtmsg_flags = RTF_UP | RTF_GATEWAY;
	rt.rtmsg_metric = 1024; /* the kernel's own default for IPv6 routes */
	if (ioctl(sk, add ? SIOCADDRT : SIOCDELRT, &rt) && errno != (add ? EEXIST : ESRCH)) {
		r = -errno;
		snprintf(err, errlen, "host path device %s: %s its IPv6 default route: %s", name,
			 add ? "adding" : "deleting", strerror(errno));
	}
	close(sk);
	return r;
}

/* Does the host have a default route already (/proc/net/route, destination 0)? */
static bool has_default_route(void)
{
	char line[256], dev[IFNAMSIZ + 1];
	unsigned int dst, mask;
	bool found = false;
	FILE *f = fopen("/proc/net/route", "re");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%16s %x %*x %*x %*d %*d %*d %x", dev, &dst, &mask) == 3 &&
			dst == 0 && mask == 0;
	fclose(f);
	return found;
}

static int add_default_route(int sk, const struct pg_tap_setup *s, char *err, size_t errlen)
{
	char dev[IFNAMSIZ], gw[INET_ADDRSTRLEN];
	struct rtentry rt;
	int r;

	inet_ntop(AF_INET, &s->gateway, gw, sizeof(gw));
	/*
	 * A management network's route, say. The kernel prefers the newest of
	 * equal routes, so ours goes in front: say so, the admin decides.
	 */
	if (has_default_route())
		pg_warn("host path device %s: the host has a default route already; 'default via "
			"%s dev %s' goes in front of it, so the host's own internet traffic "
			"goes through passgated",
			s->name, gw, s->name);
	memset(&rt, 0, sizeof(rt));
	snprintf(dev, sizeof(dev), "%s", s->name);
	sin_set(&rt.rt_dst, 0);
	sin_set(&rt.rt_genmask, 0);
	sin_set(&rt.rt_gateway, s->gateway);
	rt.rt_flags = RTF_UP | RTF_GATEWAY;
	rt.rt_dev = dev;
	if (!ioctl(sk, SIOCADDRT, &rt))
		return 0;
	r = -errno;
	snprintf(err, errlen, "host path device %s: default route via %s: %s", s->name, gw,
		 strerror(errno));
	return r;
}

int pg_tap_open(const struct pg_tap_setup *s, char *err, size_t errlen)
{
	static const uint8_t no_gateway6[16];
	struct ifreq ifr;
	int fd, sk, r;

	if (if_nametoindex(s->name)) {
		snprintf(err, errlen,
			 "host path device %s: a device of that name exists already (another "
			 "passgated?); pick other names in [host] or delete it",
			 s->name);
		return -EEXIST;
	}
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "host path: /dev/net/tun: %s (needs the tun module and "
			 "CAP_NET_ADMIN)", strerror(errno));
		return r;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", s->name);
	/* No packet-information prefix and no vnet header: plain, finished frames. */
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	r = step(fd, TUNSETIFF, &ifr, "TUNSETIFF", err, errlen);
	if (r)
		goto out_fd;
	sk = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sk < 0) {
		r = -errno;
		snprintf(err, errlen, "host path: socket: %s", strerror(errno));
		goto out_fd;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", s->name);
	ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
	memcpy(ifr.ifr_hwaddr.sa_data, s->mac, PG_ETH_ALEN);
	r = step(sk, SIOCSIFHWADDR, &ifr, "setting the MAC address", err, errlen);
	if (r)
		goto out_sk;
	ifr.ifr_mtu = (int)s->mtu;
	r = step(sk, SIOCSIFMTU, &ifr, "setting the MTU", err, errlen);
	if (r)
		goto out_sk;
	ipv6_quiet(s->name, s->ipv6);
	/* No address yet (a DHCP WAN before its lease): pg_tap_readdress() later. */
	if (s->addr) {
		sin_set(&ifr.ifr_addr, s->addr);
		r = step(sk, SIOCSIFADDR, &ifr, "setting the address", err, errlen);
		if (r)
			goto out_sk;
		sin_set(&ifr.ifr_netmask, pg_prefix_mask(s->prefix));
		r = step(sk, SIOCSIFNETMASK, &ifr, "setting the netmask", err, errlen);
		if (r)
			goto out_sk;
	}
	r = step(sk, SIOCGIFFLAGS, &ifr, "reading the flags", err, errlen);
	if (r)
		goto out_sk;
	ifr.ifr_flags |= IFF_UP;
	r = step(sk, SIOCSIFFLAGS, &ifr, "bringing it up", err, errlen);
	if (r)
		goto out_sk;
	if (s->gateway) {
		r = add_default_route(sk, s, err, errlen);
		if (r)
			goto out_sk;
	}
	close(sk);
	if (s->ipv6 && s->prefix6) {
		r = pg_tap_set_addr6(s->name, s->addr6, 0, s->addr6, s->prefix6, err, errlen);
		if (r)
			goto out_fd;
	}
	if (s->ipv6 && memcmp(s->gateway6, no_gateway6, 16)) {
		r = pg_tap_route6(s->name, s->gateway6, true, err, errlen);
		if (r)
			goto out_fd;
	}
	return fd;

out_sk:
	close(sk);
out_fd:
	close(fd);
	return r;
}

int pg_tap_readdress(const struct pg_tap_setup *old, const struct pg_tap_setup *s, char *err,
		     size_t errlen)
{
	struct rtentry rt;
	struct ifreq ifr;
	char dev[IFNAMSIZ];
	int sk, r = 0;

	sk = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sk < 0) {
		r = -errno;
		snprintf(err, errlen, "host path: socket: %s", strerror(errno));
		return r;
	}
	/* The old default route first: its gateway may not be reachable any more. */
	if (old->gateway) {
		memset(&rt, 0, sizeof(rt));
		snprintf(dev, sizeof(dev), "%s", s->name);
		sin_set(&rt.rt_dst, 0);
		sin_set(&rt.rt_genmask, 0);
		sin_set(&rt.rt_gateway, old->gateway);
		rt.rt_flags = RTF_UP | RTF_GATEWAY;
		rt.rt_dev = dev;
		(void)ioctl(sk, SIOCDELRT, &rt); /* gone with the address already: fine */
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", s->name);
	/* Address 0 removes the old one: the host has no WAN address while down. */
	sin_set(&ifr.ifr_addr, s->addr);
	if (s->addr || old->addr)
		r = step(sk, SIOCSIFADDR, &ifr, "setting the address", err, errlen);
	if (!r && s->addr) {
		sin_set(&ifr.ifr_netmask, pg_prefix_mask(s->prefix));
		r = step(sk, SIOCSIFNETMASK, &ifr, "setting the netmask", err, errlen);
	}
	if (!r && s->addr && s->gateway)
		r = add_default_route(sk, s, err, errlen);
	close(sk);
	return r;
}

int pg_tap_fence_link(const char *ifname, struct pg_tap_sysctl_saved *saved, char *err,
		      size_t errlen)
{
	static const char *const keys[] = {"rp_filter", "arp_ignore"};
	int *old[] = {&saved->rp_filter, &saved->arp_ignore};
	char path[128];

	snprintf(saved->ifname, sizeof(saved->ifname), "%s", ifname);
	saved->rp_filter = saved->arp_ignore = -1;
	for (int i = 0; i < 2; i++) {
		int v = 0, r; /* sysctl_read() fills v on success */

		if (conf_path(path, sizeof(path), "ipv4", ifname, keys[i]) ||
		    sysctl_read(path, &v)) {
			snprintf(err, errlen, "%s: cannot read %s", ifname, path);
			return -EIO;
		}
		if (v >= 1)
			continue; /* already fenced: leave the admin's value */
		r = sysctl_write(path, 1);
		if (r) {
			snprintf(err, errlen,
				 "%s: cannot set %s to 1: %s (the host path needs it to keep the "
				 "kernel off the link)",
				 ifname, path, strerror(-r));
			return r;
		}
		*old[i] = v;
	}
	return 0;
}

void pg_tap_unfence_link(const struct pg_tap_sysctl_saved *saved)
{
	char path[128];

	if (!saved->ifname[0])
		return;
	if (saved->rp_filter >= 0 &&
	    !conf_path(path, sizeof(path), "ipv4", saved->ifname, "rp_filter"))
		sysctl_write(path, saved->rp_filter);
	if (saved->arp_ignore >= 0 &&
	    !conf_path(path, sizeof(path), "ipv4", saved->ifname, "arp_ignore"))
		sysctl_write(path, saved->arp_ignore);
}
