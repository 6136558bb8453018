/* SPDX-License-Identifier: MIT */
/*
 * ike.c - check --ike SERVER: no responder of ours, a real IKEv2 server.
 * Send an IKE_SA_INIT (ike_ask.c: from source port 500 when we can bind it,
 * as a real client does) and read the server's NAT detection hashes: the destination
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

/**
 * pg_probe_ike() - the --ike check, printed as a short report.
 * Return: 0 when the server answered with NAT detection, 1 otherwise.
 */
int pg_probe_ike(uint32_t server, bool verbose)
{
	struct pg_ike_result r;
	struct in_addr sa = {htonl(server)}, la;
	char srv[INET_ADDRSTRLEN], mine[INET_ADDRSTRLEN];
	uint8_t spi_i[8];
	int i, e;

	srand((unsigned)(time(NULL) ^ getpid()));
	for (i = 0; i < 8; i++)
		spi_i[i] = (uint8_t)rand();
	e = pg_ike_ask(server, 500, spi_i, 3, 1500, &r);
	if (e < 0) {
		fprintf(stderr, "passgate-probe: no UDP socket: %s\n", strerror(-e));
		return 1;
	}
	if (verbose && r.answered && r.a.want_group)
		fprintf(stderr, "passgate-probe: the server wanted DH group %u\n", r.a.want_group);
	la.s_addr = htonl(r.local);
	inet_ntop(AF_INET, &sa, srv, sizeof(srv));
	inet_ntop(AF_INET, &la, mine, sizeof(mine));
	printf("passgate-probe: IKEv2 server %s, from %s:%u\n\n", srv, mine, r.sport);
	if (!r.answered) {
		printf("%-36s FAIL  no IKE_SA_INIT answer on UDP 500\n"
		       "%-36s       symptom: VPN never connects\n"
		       "%-36s       fix: Enable IPsec passthrough; check ISP blocks of UDP 500\n",
		       "IKE (UDP 500)", "", "");
		return 1;
	}
	if (!r.a.has_nat_dst) {
		printf("%-36s WARN  answered (error notification %u) without NAT detection\n",
		       "IKE (UDP 500)", r.a.error);
		return 1;
	}
	printf("%-36s PASS  IKE_SA_INIT answered%s\n", "IKE (UDP 500)",
	       r.a.error ? " with an error notification" : "");
	if (!r.nat) {
		printf("%-36s PASS  no NAT: the server saw %s:%u\n", "NAT on the path", mine,
		       r.sport);
	} else {
		printf("%-36s PASS  NAT detected: the server saw another address or port than %s:%u\n"
		       "%-36s       NAT-T (UDP 4500) will be used: it must pass too\n",
		       "NAT on the path", mine, r.sport, "");
	}
	if (r.server_nat)
		printf("%-36s INFO  the server says it is behind NAT itself\n", "server side");
	return 0;
}
