/* SPDX-License-Identifier: MIT */
/*
 * ike.c - check --ike SERVER: no responder of ours, a real IKEv2 server.
 * Send an IKE_SA_INIT (from source port 500 when we can bind it, as a real
 * client does) and read the server's NAT detection hashes: the destination
 * hash names the address and port our request arrived from; if it is not
 * ours, a NAT is on the path. We then stop: the exchange is never finished,
 * the server forgets the half-open SA after its timeout.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "probe/ikev2.h"
#include "probe/net.h"
#include "probe/probe.h"

static int exchange(int fd, const struct sockaddr_in *to, const uint8_t *req, size_t len,
		    const uint8_t spi_i[8], struct pg_ike_answer *a)
{
	uint8_t buf[4096];
	int tries;

	for (tries = 0; tries < 3; tries++) {
		long long end = pg_now_ms() + 1500;

		if (sendto(fd, req, len, 0, (const struct sockaddr *)to, sizeof(*to)) < 0)
			return -1;
		while (pg_now_ms() < end) {
			struct timeval tv = {0, 100000};
			ssize_t n;

			setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
			n = recv(fd, buf, sizeof(buf), 0);
			if (n > 0 && pg_ike_parse(buf, (size_t)n, spi_i, a) == 0)
				return 1;
		}
	}
	return 0;
}

/**
 * pg_probe_ike() - the --ike check, printed as a short report.
 * Return: 0 when the server answered with NAT detection, 1 otherwise.
 */
int pg_probe_ike(uint32_t server, bool verbose)
{
	struct sockaddr_in to = pg_sa(server, 500), me;
	socklen_t ml = sizeof(me);
	struct pg_ike_answer a;
	uint8_t spi_i[8], req[1024], h[PG_SHA1_LEN];
	char srv[INET_ADDRSTRLEN], mine[INET_ADDRSTRLEN];
	uint16_t group = 31, sport;
	uint32_t local;
	size_t len;
	int fd, r, i;

	srand((unsigned)(time(NULL) ^ getpid()));
	for (i = 0; i < 8; i++)
		spi_i[i] = (uint8_t)rand();
	fd = pg_udp_socket(500);
	if (fd < 0)
		fd = pg_udp_socket(0);	/* port 500 taken here: any port will do */
	if (fd < 0 || connect(fd, (struct sockaddr *)&to, sizeof(to)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&me, &ml) < 0) {
		fprintf(stderr, "passgate-probe: no UDP socket: %s\n", strerror(errno));
		return 1;
	}
	local = ntohl(me.sin_addr.s_addr);
	sport = ntohs(me.sin_port);
	for (i = 0; i < 2; i++) {
		len = pg_ike_sa_init(req, sizeof(req), spi_i, group, local, sport, server, 500);
		r = exchange(fd, &to, req, len, spi_i, &a);
		if (r != 1 || a.error != PG_IKE_INVALID_KE || !a.want_group)
			break;
		if (verbose)
			fprintf(stderr, "passgate-probe: the server wants DH group %u\n", a.want_group);
		group = a.want_group;
		if (!pg_ike_sa_init(req, sizeof(req), spi_i, group, local, sport, server, 500))
			break;
	}
	close(fd);
	inet_ntop(AF_INET, &to.sin_addr, srv, sizeof(srv));
	inet_ntop(AF_INET, &me.sin_addr, mine, sizeof(mine));
	printf("passgate-probe: IKEv2 server %s, from %s:%u\n\n", srv, mine, sport);
	if (r != 1) {
		printf("%-36s FAIL  no IKE_SA_INIT answer on UDP 500\n"
		       "%-36s       symptom: VPN never connects\n"
		       "%-36s       fix: Enable IPsec passthrough; check ISP blocks of UDP 500\n",
		       "IKE (UDP 500)", "", "");
		return 1;
	}
	if (!a.has_nat_dst) {
		printf("%-36s WARN  answered (error notification %u) without NAT detection\n",
		       "IKE (UDP 500)", a.error);
		return 1;
	}
	printf("%-36s PASS  IKE_SA_INIT answered%s\n", "IKE (UDP 500)",
	       a.error ? " with an error notification" : "");
	pg_ike_nat_hash(spi_i, a.spi_r, local, sport, h);
	if (memcmp(h, a.nat_dst, PG_SHA1_LEN) == 0) {
		printf("%-36s PASS  no NAT: the server saw %s:%u\n", "NAT on the path",
		       mine, sport);
	} else {
		printf("%-36s PASS  NAT detected: the server saw another address or port than %s:%u\n"
		       "%-36s       NAT-T (UDP 4500) will be used: it must pass too\n",
		       "NAT on the path", mine, sport, "");
	}
	if (a.has_nat_src) {
		pg_ike_nat_hash(spi_i, a.spi_r, server, 500, h);
		if (memcmp(h, a.nat_src, PG_SHA1_LEN))
			printf("%-36s INFO  the server says it is behind NAT itself\n", "server side");
	}
	return 0;
}
