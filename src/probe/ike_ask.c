/* SPDX-License-Identifier: MIT */
/*
 * ike_ask.c - one IKEv2 IKE_SA_INIT exchange with a real server, on UDP 500
 * or 4500, shared by "passgate-probe check --ike" (ike.c) and the gateway's
 * "diagnose" (diag.c). From source port 500 (4500) when it can be bound, as
 * a real client sends, else from any port. On 4500 the request carries the
 * four-byte non-ESP marker (RFC 3948), as an initiator that starts there
 * must. A server asking for another Diffie-Hellman group (INVALID_KE_PAYLOAD)
 * is asked once more with that group. The exchange is never finished: the
 * server forgets the half-open SA after its own timeout. pg_ike_ask6() is
 * the same over IPv6 (check --ike with an IPv6 server): the NAT detection
 * hashes then cover the 16-byte addresses.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe/ikev2.h"
#include "probe/net.h"

#define MARKER 4	/* non-ESP marker before IKE on port 4500 */

/* Send req (tries times) and wait for an answer to spi_i; 1 answered, 0 not. */
static int exchange(int fd, const uint8_t *req, size_t len, size_t skip, const uint8_t spi_i[8],
		    int tries, int wait_ms, struct pg_ike_answer *a)
{
	uint8_t buf[4096];

	for (int t = 0; t < tries; t++) {
		long long end = pg_now_ms() + wait_ms;

		if (send(fd, req, len, 0) < 0 && errno != ECONNREFUSED)
			return 0;
		for (;;) {
			struct pollfd p = {.fd = fd, .events = POLLIN};
			long long left = end - pg_now_ms();
			ssize_t n;

			if (left <= 0 || poll(&p, 1, (int)left) <= 0)
				break;
			n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
			/* An ICMP error (port unreachable) shows as ECONNREFUSED: try on. */
			if (n < 0 && errno == ECONNREFUSED)
				continue;
			if (n < (ssize_t)skip || (skip && memcmp(buf, "\0\0\0\0", skip)))
				continue;
			if (pg_ike_parse(buf + skip, (size_t)n - skip, spi_i, a) == 0)
				return 1;
		}
	}
	return 0;
}

/*
 * A socket from our IKE port dport made by open_sock (from any port when
 * that one is taken here), connected to the server at to; our end of it in
 * me. Return: the fd, or -errno.
 */
static int connect_from(int (*open_sock)(uint16_t), uint16_t dport, const struct sockaddr *to,
			socklen_t tolen, struct sockaddr *me, socklen_t mlen,
			struct pg_ike_result *r)
{
	int fd, e;

	fd = open_sock(dport);
	r->from_ike_port = fd >= 0;
	if (fd < 0)
		fd = open_sock(0);	/* the port is taken here: any port will do */
	if (fd < 0)
		return fd;
	if (connect(fd, to, tolen) < 0 || getsockname(fd, me, &mlen) < 0) {
		e = -errno;
		close(fd);
		return e;
	}
	return fd;
}

/*
 * The exchange on fd, connected from local:r->sport to server:dport (alen
 * bytes each, as on the wire), asked once more with the group the server
 * wants; closes fd, then fills r's answer and NAT findings.
 */
static void ask_on(int fd, const uint8_t *local, const uint8_t *server, size_t alen,
		   uint16_t dport, const uint8_t spi_i[8], int tries, int wait_ms,
		   struct pg_ike_result *r)
{
	uint8_t req[1024 + MARKER], h[PG_SHA1_LEN];
	size_t skip = dport == 4500 ? MARKER : 0, len;
	uint16_t group = 31;

	memset(req, 0, skip);
	for (int i = 0; i < 2; i++) {
		len = pg_ike_sa_init_raw(req + skip, sizeof(req) - skip, spi_i, group, local, server,
					 alen, r->sport, dport);
		if (!len)
			break;
		r->answered = exchange(fd, req, len + skip, skip, spi_i, tries, wait_ms, &r->a);
		if (!r->answered || r->a.error != PG_IKE_INVALID_KE || !r->a.want_group)
			break;
		group = r->a.want_group;
	}
	close(fd);
	if (!r->answered || !r->a.has_nat_dst)
		return;
	pg_ike_nat_hash_raw(spi_i, r->a.spi_r, local, alen, r->sport, h);
	r->nat = memcmp(h, r->a.nat_dst, PG_SHA1_LEN) != 0;
	if (r->a.has_nat_src) {
		pg_ike_nat_hash_raw(spi_i, r->a.spi_r, server, alen, dport, h);
		r->server_nat = memcmp(h, r->a.nat_src, PG_SHA1_LEN) != 0;
	}
}

/**
 * pg_ike_ask() - ask @server's IKE on UDP @dport (500 or 4500).
 * @spi_i: our initiator SPI (random, chosen by the caller).
 * Return: 0 with @r filled (r->answered says whether it answered), or
 * -errno when no socket could be made.
 */
int pg_ike_ask(uint32_t server, uint16_t dport, const uint8_t spi_i[8], int tries, int wait_ms,
	       struct pg_ike_result *r)
{
	struct sockaddr_in to = pg_sa(server, dport), me = {0};
	int fd;

	memset(r, 0, sizeof(*r));
	fd = connect_from(pg_udp_socket, dport, (struct sockaddr *)&to, sizeof(to),
			  (struct sockaddr *)&me, sizeof(me), r);
	if (fd < 0)
		return fd;
	r->local = ntohl(me.sin_addr.s_addr);
	r->sport = ntohs(me.sin_port);
	/* Both addresses as on the wire: network order, four bytes. */
	ask_on(fd, (const uint8_t *)&me.sin_addr.s_addr, (const uint8_t *)&to.sin_addr.s_addr, 4,
	       dport, spi_i, tries, wait_ms, r);
	return 0;
}

/* A UDP/IPv6 socket bound to port (0: any), IPv6 only. */
static int udp6_socket(uint16_t port)
{
	struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_port = htons(port)};
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0), one = 1, e;

	if (fd < 0)
		return -errno;
	(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		e = -errno;
		close(fd);
		return e;
	}
	return fd;
}

/**
 * pg_ike_ask6() - ask @server's IKE on UDP @dport (500 or 4500) over IPv6.
 * Return: as pg_ike_ask(), with our address in @r6->local6.
 */
int pg_ike_ask6(const uint8_t server[16], uint16_t dport, const uint8_t spi_i[8], int tries,
		int wait_ms, struct pg_ike_result6 *r6)
{
	struct sockaddr_in6 to = {.sin6_family = AF_INET6, .sin6_port = htons(dport)}, me = {0};
	struct pg_ike_result *r = &r6->r;
	int fd;

	memset(r6, 0, sizeof(*r6));
	memcpy(to.sin6_addr.s6_addr, server, 16);
	fd = connect_from(udp6_socket, dport, (struct sockaddr *)&to, sizeof(to),
			  (struct sockaddr *)&me, sizeof(me), r);
	if (fd < 0)
		return fd;
	memcpy(r6->local6, me.sin6_addr.s6_addr, 16);
	r->sport = ntohs(me.sin6_port);
	ask_on(fd, r6->local6, server, 16, dport, spi_i, tries, wait_ms, r);
	return 0;
}
