/* SPDX-License-Identifier: MIT */
/*
 * verdict.c - from measurements to advice. Each check becomes PASS, WARN or
 * FAIL with the symptom a user would see and the fix, in the words of the
 * troubleshooting table users know ("VPN never connects: enable
 * passthrough, check ISP blocks, avoid double NAT, update firmware"; "VPN
 * connects but is slow: lower MTU to 1400"; ...). Then each VPN type gets
 * an overall verdict from the checks it needs. No I/O here: the unit tests
 * feed observations and read verdicts.
 */
#include <stdio.h>
#include <string.h>

#include "probe/probe.h"

/* The brief's symptoms. */
static const char NEVER[] = "VPN never connects";
static const char SLOW[] = "VPN connects but is slow";
static const char SITE[] = "Site-to-site VPN fails";
static const char OTHERS[] = "One client works, others don't";
static const char IDLE[] = "VPN connects, then drops when idle";

/* Which checks each VPN type needs. */
static const struct {
	const char *name;
	unsigned bit;
	const char *needs[5];
} vpn_needs[PG_PROBE_NVPN] = {
	{"ipsec", PG_VPN_IPSEC, {"ike", "nat-t", "esp", NULL}},
	{"l2tp", PG_VPN_L2TP, {"ike", "nat-t", "esp", "l2tp", NULL}},
	{"pptp", PG_VPN_PPTP, {"pptp-tcp", "gre", NULL}},
	{"openvpn", PG_VPN_OPENVPN, {"openvpn", NULL}},
	{"wireguard", PG_VPN_WIREGUARD, {"wireguard", "udp-lifetime", NULL}},
	{"sstp", PG_VPN_SSTP, {"tcp443", NULL}},
};

const char *pg_probe_status_name(enum pg_probe_status st)
{
	switch (st) {
	case PG_ST_PASS:
		return "PASS";
	case PG_ST_WARN:
		return "WARN";
	case PG_ST_FAIL:
		return "FAIL";
	default:
		return "SKIP";
	}
}

/**
 * pg_probe_addr_private() - an address only a NAT can have put in front of
 * us: RFC 1918, shared address space (carrier-grade NAT), link-local.
 */
bool pg_probe_addr_private(uint32_t a)
{
	return (a >> 24) == 10 || (a >> 20) == (172u << 4 | 1) || (a >> 16) == (192u << 8 | 168) ||
	       (a >> 22) == (100u << 2 | 1) || (a >> 16) == (169u << 8 | 254);
}

/**
 * pg_probe_nat_layers() - how many address translations lie on the path.
 * The routers that answered TTL-limited probes with private addresses are
 * each the inside of a NAT (a home LAN behind a router behind an ISP box
 * shows two); a private public address (carrier-grade NAT) adds one more.
 * Return: the count, 0 when no NAT was seen.
 */
int pg_probe_nat_layers(const struct pg_probe_obs *o)
{
	int i, n = 0;

	if (!o->responded || o->seen_addr == o->local_addr)
		return 0;
	for (i = 0; i < o->nhops && i < PG_PROBE_MAX_HOPS; i++) {
		if (o->hops_reached && i + 1 >= o->hops_reached)
			break;
		if (o->hop[i] && pg_probe_addr_private(o->hop[i]))
			n++;
	}
	if (pg_probe_addr_private(o->seen_addr))
		n++;
	return n ? n : 1;
}

static struct pg_probe_result *add(struct pg_probe_report *rep, const char *id,
				   const char *title)
{
	struct pg_probe_result *r = &rep->res[rep->nres++];

	memset(r, 0, sizeof(*r));
	r->id = id;
	r->title = title;
	r->status = PG_ST_PASS;
	return r;
}

static void set(struct pg_probe_result *r, enum pg_probe_status st, const char *issue,
		const char *fix)
{
	r->status = st;
	r->issue = issue;
	r->fix = fix;
}

static const char *ip(uint32_t a, char *buf)
{
	snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
	return buf;
}

static void nat_checks(const struct pg_probe_obs *o, struct pg_probe_report *rep)
{
	struct pg_probe_result *r;
	char a[16], b[16];
	int layers = pg_probe_nat_layers(o);

	r = add(rep, "nat", "NAT on the path");
	if (o->seen_addr == o->local_addr) {
		snprintf(r->detail, sizeof(r->detail), "no NAT: the responder saw %s:%u",
			 ip(o->seen_addr, a), o->seen_port);
	} else {
		snprintf(r->detail, sizeof(r->detail), "%s:%u is seen as %s:%u", ip(o->local_addr, a),
			 o->local_port, ip(o->seen_addr, b), o->seen_port);
	}

	r = add(rep, "nat-layers", "NAT layers");
	if (layers <= 1) {
		snprintf(r->detail, sizeof(r->detail), "%d translation layer%s", layers,
			 layers == 1 ? "" : "s");
	} else {
		snprintf(r->detail, sizeof(r->detail),
			 "double NAT: %d translation layers (private hops on the way out)", layers);
		set(r, PG_ST_WARN, NEVER, "Avoid double NAT: bridge the upstream router, or enable passthrough on both");
	}

	r = add(rep, "mapping", "NAT mapping (RFC 4787)");
	if (o->port2 != PG_TRI_YES) {
		snprintf(r->detail, sizeof(r->detail), "unknown: no answer via the second port");
		r->status = PG_ST_SKIP;
	} else if (o->seen_port2 != o->seen_port) {
		snprintf(r->detail, sizeof(r->detail),
			 "address-and-port-dependent (symmetric): ports %u and %u", o->seen_port,
			 o->seen_port2);
		set(r, PG_ST_WARN, OTHERS, "Enable ALGs / passthrough; prefer OpenVPN or WireGuard");
	} else if (o->addr2 == PG_TRI_YES && o->seen_port_addr2 != o->seen_port) {
		snprintf(r->detail, sizeof(r->detail), "address-dependent: ports %u and %u",
			 o->seen_port, o->seen_port_addr2);
	} else {
		snprintf(r->detail, sizeof(r->detail), "endpoint-independent%s; port %s",
			 o->addr2 == PG_TRI_YES ? "" : " (one responder address only)",
			 o->seen_port == o->local_port ? "preserved" : "not preserved");
	}

	r = add(rep, "filtering", "NAT filtering (RFC 4787)");
	if (o->filter_port == PG_TRI_SKIP) {
		r->status = PG_ST_SKIP;
		snprintf(r->detail, sizeof(r->detail), "not measured");
	} else if (o->filter_port == PG_TRI_NO) {
		snprintf(r->detail, sizeof(r->detail),
			 "address-and-port-dependent: only the endpoint we sent to gets in");
	} else if (o->filter_addr == PG_TRI_NO) {
		snprintf(r->detail, sizeof(r->detail), "address-dependent");
	} else if (o->filter_addr == PG_TRI_YES) {
		snprintf(r->detail, sizeof(r->detail), "endpoint-independent");
	} else {
		snprintf(r->detail, sizeof(r->detail),
			 "address-dependent or endpoint-independent (one responder address)");
	}

	r = add(rep, "udp-lifetime", "UDP mapping kept for a keepalive");
	if (o->lifetime == PG_TRI_SKIP) {
		r->status = PG_ST_SKIP;
		snprintf(r->detail, sizeof(r->detail), "skipped (--quick)");
	} else if (o->lifetime == PG_TRI_YES) {
		snprintf(r->detail, sizeof(r->detail), "a mapping idle for %d s still lets answers in",
			 o->idle_secs);
	} else {
		snprintf(r->detail, sizeof(r->detail),
			 "a mapping idle for %d s was gone: keepalives must come more often", o->idle_secs);
		set(r, PG_ST_FAIL, IDLE, "Update router firmware; set the VPN keepalive below the NAT's UDP timeout");
	}
}

static void reach(struct pg_probe_report *rep, const char *id, const char *title, int v,
		  const char *what, const char *fix)
{
	struct pg_probe_result *r = add(rep, id, title);

	if (v == PG_TRI_YES) {
		snprintf(r->detail, sizeof(r->detail), "%s answered", what);
	} else if (v == PG_TRI_SKIP) {
		r->status = PG_ST_SKIP;
		snprintf(r->detail, sizeof(r->detail), "not measured");
	} else {
		snprintf(r->detail, sizeof(r->detail), "%s: no answer", what);
		set(r, PG_ST_FAIL, NEVER, fix);
	}
}

static void vpn_checks(const struct pg_probe_obs *o, struct pg_probe_report *rep)
{
	struct pg_probe_result *r;
	bool nat = o->seen_addr != o->local_addr;

	r = add(rep, "ike", "IKE (UDP 500)");
	if (o->ike != PG_TRI_YES) {
		snprintf(r->detail, sizeof(r->detail), "UDP 500: no answer");
		set(r, PG_ST_FAIL, NEVER, "Enable IPsec passthrough; check ISP blocks of UDP 500");
	} else if (!o->ike_from500) {
		snprintf(r->detail, sizeof(r->detail),
			 "UDP 500 answered (source port 500 was busy here, sent from %u)",
			 o->ike_seen_port);
	} else if (o->ike_seen_port == 500) {
		snprintf(r->detail, sizeof(r->detail), "source port 500 preserved");
	} else {
		snprintf(r->detail, sizeof(r->detail),
			 "source port 500 rewritten to %u (fine: NAT-T moves to 4500)", o->ike_seen_port);
	}

	r = add(rep, "nat-t", "NAT-T (UDP 4500)");
	if (o->natt == PG_TRI_YES) {
		snprintf(r->detail, sizeof(r->detail), "UDP 4500 both ways");
	} else {
		snprintf(r->detail, sizeof(r->detail), "UDP 4500: no answer");
		set(r, PG_ST_FAIL, SITE, "Ensure NAT-T (UDP 4500) passes: enable IPsec passthrough, check ISP blocks");
	}

	r = add(rep, "esp", "raw ESP (IP protocol 50)");
	if (o->esp_out == PG_TRI_SKIP) {
		r->status = PG_ST_SKIP;
		snprintf(r->detail, sizeof(r->detail), "not measured (needs root)");
	} else if (o->esp_out == PG_TRI_YES && o->esp_in == PG_TRI_YES) {
		snprintf(r->detail, sizeof(r->detail), "ESP both ways");
	} else {
		snprintf(r->detail, sizeof(r->detail), "ESP: no answer came back");
		/* Behind a NAT, IKEv2 and modern IKEv1 move ESP into UDP 4500. */
		if (nat && o->natt == PG_TRI_YES)
			set(r, PG_ST_WARN, NEVER, "Enable IPsec passthrough; or rely on NAT-T (UDP 4500), which works here");
		else
			set(r, PG_ST_FAIL, NEVER, "Enable IPsec passthrough; check ISP blocks of ESP");
	}

	reach(rep, "l2tp", "L2TP (UDP 1701)", o->udp1701, "UDP 1701",
	      "Enable L2TP passthrough; check ISP blocks");
	reach(rep, "pptp-tcp", "PPTP control (TCP 1723)",
	      o->pptp_tcp == PG_TRI_YES && o->pptp_ctrl != PG_TRI_YES ? PG_TRI_NO : o->pptp_tcp,
	      "TCP 1723 call set-up", "Enable PPTP passthrough; check ISP blocks of TCP 1723");

	r = add(rep, "gre", "GRE (IP protocol 47) after the call");
	if (o->pptp_ctrl != PG_TRI_YES) {
		r->status = o->gre_out == PG_TRI_SKIP ? PG_ST_SKIP : PG_ST_FAIL;
		snprintf(r->detail, sizeof(r->detail), "no PPTP call, so no GRE test");
		if (r->status == PG_ST_FAIL)
			set(r, PG_ST_FAIL, NEVER, "Enable PPTP passthrough");
	} else if (o->gre_out == PG_TRI_SKIP) {
		r->status = PG_ST_SKIP;
		snprintf(r->detail, sizeof(r->detail), "not measured (needs root)");
	} else {
		char cid[64];

		if (o->call_id_seen == o->call_id)
			snprintf(cid, sizeof(cid), "call id %u kept", o->call_id);
		else
			snprintf(cid, sizeof(cid), "call id %u rewritten to %u", o->call_id,
				 o->call_id_seen);
		if (o->gre_out == PG_TRI_YES && o->gre_in == PG_TRI_YES) {
			snprintf(r->detail, sizeof(r->detail), "GRE both ways; %s", cid);
		} else {
			snprintf(r->detail, sizeof(r->detail), "GRE blocked %s; %s",
				 o->gre_out != PG_TRI_YES && o->gre_in != PG_TRI_YES ? "both ways"
				 : o->gre_in != PG_TRI_YES ? "on the way in" : "on the way out", cid);
			set(r, PG_ST_FAIL, NEVER,
			    "Enable PPTP passthrough (the router must forward GRE); better, avoid PPTP");
		}
	}

	reach(rep, "tcp443", "SSTP / TLS (TCP 443)", o->tcp443, "TCP 443",
	      "Check ISP blocks; use OpenVPN/WireGuard on nonstandard ports");
	reach(rep, "openvpn", "OpenVPN (UDP 1194)", o->udp1194, "UDP 1194",
	      "Check ISP blocks; use OpenVPN on a nonstandard port or TCP 443");
	reach(rep, "wireguard", "WireGuard (UDP 51820)", o->udp51820, "UDP 51820",
	      "Check ISP blocks; use WireGuard on a nonstandard port");
}

static void path_checks(const struct pg_probe_obs *o, struct pg_probe_report *rep)
{
	struct pg_probe_result *r;

	r = add(rep, "mtu", "Path MTU (DF probes)");
	if (o->pmtu_blackhole) {
		snprintf(r->detail, sizeof(r->detail),
			 "large DF packets vanish without \"fragmentation needed\" (works up to %d)", o->pmtu);
		set(r, PG_ST_FAIL, SLOW, "Lower MTU to 1400 on the client; let ICMP fragmentation-needed through");
	} else if (!o->pmtu) {
		r->status = PG_ST_SKIP;
		snprintf(r->detail, sizeof(r->detail), "not measured");
	} else if (o->pmtu < 1500) {
		snprintf(r->detail, sizeof(r->detail), "path MTU %d%s", o->pmtu,
			 o->icmp_mtu ? "; \"fragmentation needed\" arrives" : "");
		set(r, PG_ST_WARN, SLOW, "Lower MTU to 1400 on the VPN client");
	} else {
		snprintf(r->detail, sizeof(r->detail), "path MTU %d", o->pmtu);
	}

	r = add(rep, "fragments", "IP fragments (3000-byte UDP)");
	if (o->frag_out == PG_TRI_SKIP) {
		r->status = PG_ST_SKIP;
		snprintf(r->detail, sizeof(r->detail), "not measured");
	} else if (o->frag_out == PG_TRI_YES && o->frag_in == PG_TRI_YES) {
		snprintf(r->detail, sizeof(r->detail), "fragments pass both ways");
	} else {
		snprintf(r->detail, sizeof(r->detail), "fragments lost %s",
			 o->frag_out != PG_TRI_YES && o->frag_in != PG_TRI_YES ? "both ways"
			 : o->frag_in != PG_TRI_YES ? "on the way in" : "on the way out");
		/* IKE with certificates is the usual victim: big, fragmented. */
		set(r, PG_ST_WARN, NEVER, "Update router firmware; lower MTU to 1400; use IKEv2 fragmentation");
	}

	r = add(rep, "mss", "TCP MSS seen by the responder");
	if (!o->mss_seen) {
		r->status = PG_ST_SKIP;
		snprintf(r->detail, sizeof(r->detail), "not measured");
	} else if (o->mss_seen < o->mss_sent) {
		snprintf(r->detail, sizeof(r->detail), "MSS %d clamped to %d", o->mss_sent, o->mss_seen);
	} else if (o->pmtu && o->mss_seen > o->pmtu - 40) {
		snprintf(r->detail, sizeof(r->detail), "MSS %d not clamped; the path carries %d",
			 o->mss_seen, o->pmtu - 40);
		set(r, PG_ST_WARN, SLOW, "Enable MSS clamping on the router, or lower MTU to 1400");
	} else if (o->if_mtu && o->pmtu && o->pmtu < o->if_mtu && o->mss_sent < o->if_mtu - 40) {
		/* Our SYN was already small: this host learned the path MTU
		 * earlier; a host that has not yet relies on ICMP, or clamping. */
		snprintf(r->detail, sizeof(r->detail),
			 "MSS %d: this host already knows path MTU %d; others start at %d",
			 o->mss_seen, o->pmtu, o->if_mtu - 40);
		set(r, PG_ST_WARN, SLOW, "Enable MSS clamping on the router, or lower MTU to 1400");
	} else {
		snprintf(r->detail, sizeof(r->detail), "MSS %d unchanged", o->mss_seen);
	}
}

const struct pg_probe_result *pg_probe_find(const struct pg_probe_report *rep, const char *id)
{
	int i;

	for (i = 0; i < rep->nres; i++)
		if (!strcmp(rep->res[i].id, id))
			return &rep->res[i];
	return NULL;
}

/**
 * pg_probe_verdict() - judge every check and every VPN type in @vpn_mask.
 * A VPN passes when none of the checks it needs failed (a skipped check
 * does not count against it); @rep->ok when every selected VPN passes.
 */
void pg_probe_verdict(const struct pg_probe_obs *o, unsigned vpn_mask, struct pg_probe_report *rep)
{
	struct pg_probe_result *r;
	int i, j;

	memset(rep, 0, sizeof(*rep));
	rep->vpn_mask = vpn_mask;
	rep->ok = true;
	if (!o->responded) {
		char a[16];

		r = add(rep, "responder", "Responder reachable");
		snprintf(r->detail, sizeof(r->detail), "no answer from %s", ip(o->server, a));
		set(r, PG_ST_FAIL, NEVER, "Check that passgate-probe serve runs there; check ISP blocks and the firewall");
		rep->ok = false;
		for (i = 0; i < PG_PROBE_NVPN; i++) {
			rep->vpn[i].name = vpn_needs[i].name;
			rep->vpn[i].bit = vpn_needs[i].bit;
			rep->vpn[i].status = PG_ST_FAIL;
			rep->vpn[i].blocking = "responder";
		}
		return;
	}
	nat_checks(o, rep);
	vpn_checks(o, rep);
	path_checks(o, rep);
	for (i = 0; i < PG_PROBE_NVPN; i++) {
		struct pg_probe_vpn *v = &rep->vpn[i];

		v->name = vpn_needs[i].name;
		v->bit = vpn_needs[i].bit;
		v->status = PG_ST_PASS;
		for (j = 0; vpn_needs[i].needs[j]; j++) {
			const struct pg_probe_result *c = pg_probe_find(rep, vpn_needs[i].needs[j]);

			if (!c)
				continue;
			if (c->status == PG_ST_FAIL) {
				v->status = PG_ST_FAIL;
				v->blocking = c->id;
				break;
			}
			if (c->status == PG_ST_WARN)
				v->status = PG_ST_WARN;
		}
		if ((vpn_mask & v->bit) && v->status == PG_ST_FAIL)
			rep->ok = false;
	}
}

/**
 * pg_probe_vpn_parse() - "ipsec,pptp,..." to a mask of PG_VPN_* bits.
 * Return: 0, or -1 naming nothing we know.
 */
int pg_probe_vpn_parse(const char *list, unsigned *mask)
{
	const char *p = list;

	*mask = 0;
	while (*p) {
		size_t n = strcspn(p, ",");
		int i, found = 0;

		for (i = 0; i < PG_PROBE_NVPN; i++) {
			if (strlen(vpn_needs[i].name) == n && !strncmp(p, vpn_needs[i].name, n)) {
				*mask |= vpn_needs[i].bit;
				found = 1;
			}
		}
		if (n == 3 && !strncmp(p, "all", 3)) {
			*mask |= PG_VPN_ALL;
			found = 1;
		}
		if (!found)
			return -1;
		p += n;
		if (*p == ',')
			p++;
	}
	return *mask ? 0 : -1;
}
