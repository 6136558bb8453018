/* SPDX-License-Identifier: MIT */
/*
 * sndbuf.c - an LD_PRELOAD shim for the benchmark's traffic generator.
 *
 * trafgen's TX ring needs a send buffer larger than net.core.wmem_max allows,
 * and inside a network namespace that sysctl cannot be raised; the generator
 * then aborts with "Flushing TX_RING failed" once ~212 KB are in flight.
 * SO_SNDBUFFORCE (CAP_NET_ADMIN) ignores the limit for one socket, so every
 * AF_PACKET socket the generator opens gets a large buffer here, without
 * touching any system-wide setting.
 */
#include <dlfcn.h>
#include <sys/socket.h>

#define PG_BENCH_SNDBUF (64 << 20)

int socket(int domain, int type, int protocol)
{
	static int (*real_socket)(int, int, int);
	int fd, size = PG_BENCH_SNDBUF;

	if (!real_socket)
		real_socket = (int (*)(int, int, int))dlsym(RTLD_NEXT, "socket");
	if (!real_socket)
		return -1;
	fd = real_socket(domain, type, protocol);
	if (fd >= 0 && domain == AF_PACKET)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size));
	return fd;
}
