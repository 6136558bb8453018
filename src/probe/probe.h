/* SPDX-License-Identifier: MIT */
/*
 * probe.h - passgate-probe: the shared types of the responder ("serve"),
 * the prober ("check") and the verdict logic. The prober gathers raw
 * observations into struct pg_probe_obs; pg_probe_verdict() alone turns
 * them into PASS/WARN/FAIL lines, so the judgement is testable without a
 * network.
 */
#ifndef PG_PROBE_H
#define PG_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Default UDP/TCP control port; the responder also uses port + 1. */
#define PG_PROBE_PORT 4790
#define PG_PROBE_MAX_HOPS 8

/* Outcome of one measurement: not run, failed, succeeded. */
enum pg_probe_tri { PG_TRI_SKIP = -1, PG_TRI_NO = 0, PG_TRI_YES = 1 };

/* Everything the prober measured. Addresses and ports in host byte order. */
struct pg_probe_obs {
	uint32_t server;		/* the responder's address */
	uint32_t local_addr;		/* our address towards it */
	uint16_t local_port;		/* the control socket's local port */
	bool responded;			/* the responder answered at all */
	uint32_t seen_addr;		/* what it saw: our public address */
	uint16_t seen_port;
	uint32_t server_addr2;		/* its second address, 0 if none */

	int port2;			/* enum pg_probe_tri: reply via port + 1 */
	uint16_t seen_port2;		/* mapping seen by port + 1 */
	int addr2;			/* reply via the second address */
	uint16_t seen_port_addr2;	/* mapping seen by the second address */
	int filter_port;		/* unsolicited reply from port + 1 arrived */
	int filter_addr;		/* ... from the second address arrived */

	int nhops;			/* TTL-limited probes sent (hops answered or not) */
	uint32_t hop[PG_PROBE_MAX_HOPS];	/* 0: no answer at that TTL */
	int hops_reached;		/* TTL at which the responder answered, 0 never */

	int lifetime;			/* enum pg_probe_tri: reply after idle arrived */
	int idle_secs;

	int ike;			/* UDP 500 echo */
	bool ike_from500;		/* we could bind source port 500 */
	uint16_t ike_seen_port;
	int natt;			/* UDP 4500 echo */
	int esp_out, esp_in;		/* raw ESP reached the responder / came back */

	int pptp_tcp;			/* TCP 1723 connected */
	int pptp_ctrl;			/* SCCRQ/OCRQ answered */
	uint16_t call_id;		/* the call id we sent */
	uint16_t call_id_seen;		/* the call id the responder saw */
	int gre_out, gre_in;

	int tcp443, udp1194, udp51820, udp1701;

	int pmtu;			/* largest DF datagram (IP bytes) echoed, 0 unknown */
	bool pmtu_blackhole;		/* big DF probes vanished without an ICMP error */
	int icmp_mtu;			/* MTU named by a fragmentation-needed error, 0 none */
	int frag_out, frag_in;		/* 3000-byte datagrams (IP fragments) each way */
	int if_mtu;			/* the MTU of our interface towards it */
	int mss_sent;			/* the MSS our SYN carried */
	int mss_seen;			/* the MSS the responder saw, 0 unknown */
};

enum pg_probe_status { PG_ST_PASS, PG_ST_WARN, PG_ST_FAIL, PG_ST_SKIP };

/* One line of the report. */
struct pg_probe_result {
	const char *id;			/* stable name, used by --json and --vpn needs */
	const char *title;
	enum pg_probe_status status;
	char detail[160];		/* what was measured */
	const char *issue;		/* the symptom a user sees (brief's wording) */
	const char *fix;		/* what to do about it */
};

#define PG_PROBE_MAX_RESULTS 24

/* VPN types --vpn can name; a bit each. */
enum {
	PG_VPN_IPSEC = 1 << 0,
	PG_VPN_L2TP = 1 << 1,
	PG_VPN_PPTP = 1 << 2,
	PG_VPN_OPENVPN = 1 << 3,
	PG_VPN_WIREGUARD = 1 << 4,
	PG_VPN_SSTP = 1 << 5,
	PG_VPN_ALL = (1 << 6) - 1,
};

/* A VPN's overall verdict. */
struct pg_probe_vpn {
	const char *name;
	unsigned bit;
	enum pg_probe_status status;
	const char *blocking;		/* id of the first failing check, or NULL */
};

#define PG_PROBE_NVPN 6

struct pg_probe_report {
	struct pg_probe_result res[PG_PROBE_MAX_RESULTS];
	int nres;
	struct pg_probe_vpn vpn[PG_PROBE_NVPN];
	unsigned vpn_mask;
	bool ok;			/* every selected VPN can pass */
};

/* verdict.c */
void pg_probe_verdict(const struct pg_probe_obs *obs, unsigned vpn_mask,
		      struct pg_probe_report *rep);
int pg_probe_vpn_parse(const char *list, unsigned *mask);
const char *pg_probe_status_name(enum pg_probe_status st);
bool pg_probe_addr_private(uint32_t addr);
int pg_probe_nat_layers(const struct pg_probe_obs *obs);
const struct pg_probe_result *pg_probe_find(const struct pg_probe_report *rep,
					    const char *id);

/* report.c */
void pg_probe_print_table(const struct pg_probe_obs *obs,
			  const struct pg_probe_report *rep);
void pg_probe_print_json(const struct pg_probe_obs *obs,
			 const struct pg_probe_report *rep);

/* serve.c */
struct pg_probe_serve_opts {
	uint32_t addr, addr2;		/* host order; addr2 0: none */
	uint16_t port;
};
int pg_probe_serve(const struct pg_probe_serve_opts *o);

/* check.c */
struct pg_probe_check_opts {
	uint32_t server;
	uint16_t port;
	bool quick;
	bool verbose;
	int idle_secs;
};
int pg_probe_check(const struct pg_probe_check_opts *o, struct pg_probe_obs *obs);

/* ike.c */
int pg_probe_ike(uint32_t server, bool verbose);
/* ike6.c: the same against an IPv6 server (IKE on 500 and 4500). */
int pg_probe_ike6(const uint8_t server[16], bool verbose);

#endif /* PG_PROBE_H */
