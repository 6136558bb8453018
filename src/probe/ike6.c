/* SPDX-License-Identifier: MIT */
/*
 * ike6.c - check --ike SERVER with an IPv6 server: what an IPsec client
 * behind the gateway needs over IPv6, asked of a real IKEv2 server (no
 * responder of ours). RFC 6092 section 3.2.4 says a simple-security IPv6
 * firewall lets IKE through on UDP 500 and 4500, so both ports are asked
 * with an IKE_SA_INIT (4500 with the non-ESP marker, as an initiator that
 * floats there sends), each line reported as for IPv4. The NAT detection
 * hashes should match our own address: IPv6 is routed, and a NAT on an
 * IPv6 path (NAT66, NPTv6) is reported because it forces NAT-T.
 *
 * Raw ESP over IPv6 needs our responder's echo, which "serve" does not
 * offer over IPv6 yet: its line says so (SKIP) rather than guessing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "probe/ikev2.h"
#include "probe/probe.h"

#define COL "%-36s"

static void random_spi(uint8_t spi[8])
{
	for (int i = 0; i < 8; i++)
		spi[i] = (uint8_t)rand();
}

/* One port's line; true when the server answered there. */
static bool port_line(const char *title, const struct pg_ike_result *r, uint16_t port)
{
	if (!r->answered) {
		printf(COL " FAIL  no IKE_SA_INIT answer on UDP %u over IPv6\n"
		       COL "       symptom: VPN never connects\n"
		       COL "       fix: Enable IPsec passthrough (it covers IPv6 too); check ISP blocks of UDP %u\n",
		       title, port, "", "", port);
		return false;
	}
	printf(COL " PASS  IKE_SA_INIT answered%s\n", title,
	       r->a.error ? " with an error notification" : "");
	return true;
}

/**
 * pg_probe_ike6() - the --ike check against an IPv6 server, printed.
 * Return: 0 when IKE answered on both ports, 1 otherwise.
 */
int pg_probe_ike6(const uint8_t server[16], bool verbose)
{
	struct pg_ike_result6 r500, r4500;
	char srv[INET6_ADDRSTRLEN], mine[INET6_ADDRSTRLEN];
	uint8_t spi[8];
	bool ok;
	int e;

	srand((unsigned)(time(NULL) ^ getpid()));
	random_spi(spi);
	e = pg_ike_ask6(server, 500, spi, 3, 1500, &r500);
	if (e >= 0) {
		random_spi(spi);
		e = pg_ike_ask6(server, 4500, spi, 3, 1500, &r4500);
	}
	if (e < 0) {
		fprintf(stderr, "passgate-probe: no IPv6 UDP socket towards the server: %s\n",
			strerror(-e));
		return 1;
	}
	if (verbose && r500.r.answered && r500.r.a.want_group)
		fprintf(stderr, "passgate-probe: the server wanted DH group %u\n",
			r500.r.a.want_group);
	inet_ntop(AF_INET6, server, srv, sizeof(srv));
	inet_ntop(AF_INET6, r500.local6, mine, sizeof(mine));
	printf("passgate-probe: IKEv2 server %s over IPv6, from [%s]:%u\n\n", srv, mine,
	       r500.r.sport);
	ok = port_line("IKE (UDP 500)", &r500.r, 500);
	ok = port_line("IKE on the NAT-T port (UDP 4500)", &r4500.r, 4500) && ok;
	if (r500.r.answered && !r500.r.a.has_nat_dst) {
		printf(COL " WARN  answered (error notification %u) without NAT detection\n",
		       "NAT on the path", r500.r.a.error);
	} else if (r500.r.answered && !r500.r.nat) {
		printf(COL " PASS  no NAT: the server saw [%s]:%u (IPv6 is routed)\n",
		       "NAT on the path", mine, r500.r.sport);
	} else if (r500.r.answered) {
		printf(COL " WARN  NAT on an IPv6 path (NAT66 or NPTv6): the server saw another\n"
		       COL "       address or port than [%s]:%u; NAT-T (UDP 4500) will be used\n",
		       "NAT on the path", "", mine, r500.r.sport);
	}
	printf(COL " SKIP  raw ESP over IPv6 needs the responder, not offered over IPv6 yet\n",
	       "ESP (IP protocol 50)");
	return ok ? 0 : 1;
}
