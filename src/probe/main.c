/* SPDX-License-Identifier: MIT */
/*
 * main.c - passgate-probe's command line: "serve" runs the responder on a
 * host beyond the NAT path, "check SERVER" probes the path from a LAN host
 * and says which VPN types can cross it and, when one cannot, why and what
 * to do. "check --ike SERVER" needs no responder: it asks a real IKEv2
 * server. See docs/passgate-probe.1.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/probe.h"
#include "util/version.h"

/* To stdout with status 0 when asked for (--help), else to stderr with 2. */
static void usage_to(FILE *f, int status)
{
	fprintf(f, "usage: passgate-probe serve [--addr A] [--addr2 B] [--port P]\n"
		   "       passgate-probe check [--quick] [--json] [--vpn LIST] [--port P]\n"
		   "                            [--idle SECS] [-v] SERVER\n"
		   "       passgate-probe check --ike SERVER (IPv4 or IPv6)\n"
		   "       passgate-probe --help | --version\n"
		   "LIST: ipsec,l2tp,pptp,openvpn,wireguard,sstp or all\n"
		   "exit status: 0 all selected VPN types pass, 1 one does not, 2 usage error\n"
		   "(man passgate-probe)\n");
	exit(status);
}

static void usage(void)
{
	usage_to(stderr, PG_EXIT_USAGE);
}

static uint32_t addr_arg(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1) {
		fprintf(stderr, "passgate-probe: '%s' is not an IPv4 address\n", s);
		exit(PG_EXIT_USAGE);
	}
	return ntohl(a.s_addr);
}

static long num_arg(const char *s, long lo, long hi)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end || v < lo || v > hi) {
		fprintf(stderr, "passgate-probe: '%s' is not a number in %ld..%ld\n", s, lo, hi);
		exit(PG_EXIT_USAGE);
	}
	return v;
}

static int serve_main(int argc, char **argv)
{
	struct pg_probe_serve_opts o = {.port = PG_PROBE_PORT};
	int i;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--addr") && i + 1 < argc)
			o.addr = addr_arg(argv[++i]);
		else if (!strcmp(argv[i], "--addr2") && i + 1 < argc)
			o.addr2 = addr_arg(argv[++i]);
		else if (!strcmp(argv[i], "--port") && i + 1 < argc)
			o.port = (uint16_t)num_arg(argv[++i], 1, 65534);
		else
			usage();
	}
	return pg_probe_serve(&o);
}

static int check_main(int argc, char **argv)
{
	struct pg_probe_check_opts o = {.port = PG_PROBE_PORT, .idle_secs = 20};
	static struct pg_probe_obs obs;
	static struct pg_probe_report rep;
	unsigned mask = PG_VPN_ALL;
	bool json = false, ike = false;
	const char *server = NULL;
	int i;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--quick")) {
			o.quick = true;
		} else if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--ike")) {
			ike = true;
		} else if (!strcmp(argv[i], "-v")) {
			o.verbose = true;
		} else if (!strcmp(argv[i], "--vpn") && i + 1 < argc) {
			if (pg_probe_vpn_parse(argv[++i], &mask) < 0) {
				fprintf(stderr, "passgate-probe: unknown VPN type in '%s'\n", argv[i]);
				return 2;
			}
		} else if (!strcmp(argv[i], "--port") && i + 1 < argc) {
			o.port = (uint16_t)num_arg(argv[++i], 1, 65534);
		} else if (!strcmp(argv[i], "--idle") && i + 1 < argc) {
			o.idle_secs = (int)num_arg(argv[++i], 1, 120);
		} else if (argv[i][0] != '-' && !server) {
			server = argv[i];
		} else {
			usage();
		}
	}
	if (!server)
		usage();
	if (strchr(server, ':')) {
		uint8_t a6[16];

		/* IPv6: only the IKE questions to a real server so far (ike6.c). */
		if (inet_pton(AF_INET6, server, a6) != 1) {
			fprintf(stderr, "passgate-probe: '%s' is not an IPv6 address\n", server);
			return PG_EXIT_USAGE;
		}
		if (!ike) {
			fprintf(stderr, "passgate-probe: an IPv6 server is checked with --ike only "
					"(the responder speaks IPv4)\n");
			return PG_EXIT_USAGE;
		}
		return pg_probe_ike6(a6, o.verbose);
	}
	o.server = addr_arg(server);
	if (ike)
		return pg_probe_ike(o.server, o.verbose);
	pg_probe_check(&o, &obs);
	pg_probe_verdict(&obs, mask, &rep);
	if (json)
		pg_probe_print_json(&obs, &rep);
	else
		pg_probe_print_table(&obs, &rep);
	return rep.ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		usage_to(stdout, 0);
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("passgate-probe %s\n", PG_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "serve"))
		return serve_main(argc - 2, argv + 2);
	if (!strcmp(argv[1], "check"))
		return check_main(argc - 2, argv + 2);
	usage();
	return PG_EXIT_USAGE;
}
