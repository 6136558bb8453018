/* SPDX-License-Identifier: MIT */
/*
 * tunnel_ovpn.c - what the supervisor (tunnel.c) needs to run an OpenVPN
 * client as the tunnel ([tunnel] type = openvpn, docs/HOSTPATH.md "The
 * tunnel"): its command line, and the tunnel device's state and byte
 * counters as the kernel shows them in /sys/class/net.
 *
 * The user's file says where and how to connect. --cd DIR (the file's
 * directory) comes first, so that names in the file (ca ca.crt,
 * auth-user-pass creds.txt) mean what they mean to a user who runs openvpn
 * where the file is; the options passgated adds come after the file, where
 * OpenVPN lets them win:
 *   --dev DEVICE --dev-type tun  a fixed name: the host's rules and the
 *                                liveness probe name the device;
 *   --route-noexec               routes (redirect-gateway included) pushed
 *                                by the server are not installed: which
 *                                hosts go through is passgated's policy
 *                                routing, and the gateway's own traffic,
 *                                OpenVPN's UDP among it, keeps the main
 *                                table;
 *   --persist-tun                the device (and the route passgated put
 *                                on it) lives through OpenVPN's own
 *                                reconnects (ping-restart);
 *   --disable-dco                the plain tun device everywhere (no
 *                                ovpn-dco module needed, one code path);
 *   --script-security 1          no up/down scripts of the file touch the
 *                                host's routes or resolver behind
 *                                passgated's back.
 * Up/down is not taken from OpenVPN: the probe through the device decides
 * (tunnel.c), as for WireGuard, so no management channel is needed. The
 * address is OpenVPN's to set (pushed by the server or the file's
 * ifconfig); it can, as passgated's child holding CAP_NET_ADMIN ambient.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl/tunnel.h"

int pg_tunnel_ovpn_argv(const struct pg_config *cfg, char **argv, size_t n, char *dir,
			size_t dirlen)
{
	char *const words[] = {PG_TUNNEL_OPENVPN_BIN, "--cd", dir,
			       "--config", (char *)cfg->tunnel.ovpn_config,
			       "--dev", (char *)cfg->tunnel.device, "--dev-type", "tun",
			       "--route-noexec", "--persist-tun", "--disable-dco",
			       "--script-security", "1", NULL};
	size_t k = sizeof(words) / sizeof(words[0]);
	const char *slash = strrchr(cfg->tunnel.ovpn_config, '/');
	size_t len = slash ? (size_t)(slash - cfg->tunnel.ovpn_config) : 0;

	if (k > n || len >= dirlen || dirlen < 2)
		return -ENOSPC;
	/* config is absolute (config_tunnel.c): "/x.ovpn" lives in "/" */
	memcpy(dir, cfg->tunnel.ovpn_config, len);
	dir[len] = '\0';
	if (!len)
		snprintf(dir, dirlen, "/");
	memcpy(argv, words, sizeof(words));
	return (int)k - 1;
}

/* One number from /sys/class/net/dev/name (decimal or 0x hex). 0 or -errno. */
static int sys_read(const char *dev, const char *name, unsigned long long *v)
{
	char path[96], buf[32], *end;
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", dev, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return len < 0 ? -errno : -EIO;
	buf[len] = '\0';
	errno = 0;
	*v = strtoull(buf, &end, 0);
	/* a number and its newline, nothing else */
	if (errno || end == buf || (*end && *end != '\n'))
		return -EIO;
	return 0;
}

int pg_tunnel_dev_state(const char *dev, unsigned int *ifindex, bool *up)
{
	unsigned long long idx = 0, flags = 0;
	int r = sys_read(dev, "ifindex", &idx);

	if (!r)
		r = sys_read(dev, "flags", &flags);
	if (r)
		return r;
	*ifindex = (unsigned int)idx;
	*up = flags & IFF_UP;
	return 0;
}

int pg_tunnel_dev_stats(const char *dev, struct pg_wg_stats *out)
{
	unsigned long long rx = 0, tx = 0;
	int r = sys_read(dev, "statistics/rx_bytes", &rx);

	if (!r)
		r = sys_read(dev, "statistics/tx_bytes", &tx);
	if (r)
		return r;
	memset(out, 0, sizeof(*out));
	out->peers = 1;
	out->rx_bytes = rx;
	out->tx_bytes = tx;
	return 0;
}
