/* SPDX-License-Identifier: MIT */
/*
 * diag_advice.c - from what each probe found (diag.c) and what the gateway
 * knows of itself (its WAN address and MTU, its passthrough switches, its
 * port forwards) to a verdict and what to do, per protocol. Pure: tested
 * without a network (tests/unit/test_diag.c).
 *
 * The words are the troubleshooting table's ("VPN never connects: enable
 * passthrough, check ISP blocks, avoid double NAT"; "one client works,
 * others don't: enable ALGs, check conflicting port forwarding"; "VPN
 * connects but is slow: lower MTU to 1400"; "site-to-site fails: ensure
 * NAT-T (UDP 4500)"), made specific: the switch that is off, the rule
 * that conflicts, the private WAN address that shows a NAT upstream.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "probe/diag.h"
#include "probe/probe.h"

static const char *const verdict_names[] = {"ok", "warn", "fail"};

const char *pg_diag_verdict_name(enum pg_diag_verdict v)
{
	return (unsigned)v <= PG_DIAG_FAIL ? verdict_names[v] : "?";
}

/* Append one sentence to a->text (cut at its size). */
static void say(struct pg_diag_advice *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct pg_diag_advice *a, const char *fmt, ...)
{
	size_t n = strlen(a->text);
	va_list ap;

	if (n && n + 1 < sizeof(a->text))
		a->text[n++] = ' ';
	if (n + 1 >= sizeof(a->text))
		return;
	va_start(ap, fmt);
	vsnprintf(a->text + n, sizeof(a->text) - n, fmt, ap);
	va_end(ap);
}

static void raise_to(struct pg_diag_advice *a, enum pg_diag_verdict v)
{
	if (v > a->verdict)
		a->verdict = v;
}

/* The switch (config name) that gates protocol p, or NULL. */
static const char *switch_of(enum pg_diag_proto p)
{
	switch (p) {
	case PG_DIAG_IKE500:
	case PG_DIAG_IKE4500:
	case PG_DIAG_IKEV1:
		return "ipsec";
	case PG_DIAG_PPTP:
		return "pptp";
	case PG_DIAG_L2TP:
		return "l2tp";
	default:
		return NULL;
	}
}

static void addr_str(uint32_t a, char *s, size_t n)
{
	snprintf(s, n, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

static void advise_one(const struct pg_diag_gw *gw, const struct pg_diag_result *r,
		       enum pg_diag_proto p, struct pg_diag_advice *a)
{
	const struct pg_diag_item *it = &r->item[p];
	const char *sw = switch_of(p);
	const char *proto_name;
	char host[16], wan[16];
	uint8_t ipproto;
	uint16_t port;
	bool double_nat = pg_diag_double_nat(gw);

	pg_diag_proto_port(p, &ipproto, &port);
	proto_name = ipproto == 6 ? "TCP" : "UDP";
	addr_str(gw->forward_host[p], host, sizeof(host));
	addr_str(gw->wan_addr, wan, sizeof(wan));
	memset(a, 0, sizeof(*a));

	switch (it->state) {
	case PG_DIAG_NOT_RUN:
		a->verdict = PG_DIAG_WARN;
		say(a, "Not measured (the run was stopped, or no socket could be opened).");
		return;
	case PG_DIAG_REFUSED:
		a->verdict = PG_DIAG_FAIL;
		say(a, "The server's host is reachable but nothing listens on %s %u: check the "
		       "server's address and that its VPN service runs on this port.", proto_name, port);
		return;
	case PG_DIAG_NO_ANSWER:
		a->verdict = PG_DIAG_FAIL;
		if (sw && gw->switched_off[p])
			say(a, "%s passthrough is off on this gateway: switch it on ([passthrough] %s = on).",
			    p == PG_DIAG_PPTP ? "PPTP" : p == PG_DIAG_L2TP ? "L2TP" : "IPsec", sw);
		if (gw->forward_host[p])
			say(a, "Port forward conflict: a forward sends %s %u to %s; remove it or move it "
			       "to another port.", proto_name, port, host);
		if (p == PG_DIAG_IKE4500 && r->item[PG_DIAG_IKE500].state == PG_DIAG_ANSWERED)
			say(a, "IKE answers on UDP 500 but not on 4500: ensure NAT-T (UDP 4500) passes "
			       "every firewall on the way, or the tunnel fails once NAT is detected.");
		else if (p == PG_DIAG_IKEV1 && r->item[PG_DIAG_IKE500].state == PG_DIAG_ANSWERED)
			say(a, "The server answers IKEv2 on the same port: it may not speak IKEv1; use IKEv2.");
		else if ((p == PG_DIAG_OVPN_UDP || p == PG_DIAG_OVPN_TCP) &&
			 r->item[PG_DIAG_OVPN_UDP + PG_DIAG_OVPN_TCP - p].state == PG_DIAG_ANSWERED)
			say(a, "OpenVPN answers on %s: this server uses the other transport.",
			    p == PG_DIAG_OVPN_UDP ? "TCP" : "UDP");
		else
			say(a, "VPN never connects: enable passthrough (ALG) on every router in front, "
			       "check ISP blocks of %s %u.%s", proto_name, port,
			    p == PG_DIAG_OVPN_UDP || p == PG_DIAG_OVPN_TCP ?
			    " A server using tls-auth or tls-crypt ignores unsigned requests." : "");
		if (double_nat)
			say(a, "The WAN address %s is private: another NAT is upstream (double NAT); "
			       "bridge the upstream router or enable passthrough on it.", wan);
		return;
	case PG_DIAG_ANSWERED:
	default:
		break;
	}
	a->verdict = PG_DIAG_OK;
	if (p == PG_DIAG_PPTP && it->gre == 0) {
		raise_to(a, PG_DIAG_FAIL);
		if (gw->switched_off[p])
			say(a, "The control connection works but no GRE came back: PPTP passthrough is "
			       "off on this gateway: switch it on ([passthrough] pptp = on).");
		else
			say(a, "The control connection works but no GRE came back: enable PPTP "
			       "passthrough on every router in front (it must forward GRE); check ISP "
			       "blocks of GRE.");
	}
	/*
	 * The probe leaves from the gateway's own WAN address: a NAT the server
	 * detects is beyond this gateway, another one (double NAT).
	 */
	if (p == PG_DIAG_IKE500 && it->nat) {
		raise_to(a, PG_DIAG_WARN);
		say(a, "The server saw another address or port than this gateway's: a NAT is "
		       "upstream (double NAT). Avoid double NAT: bridge the upstream router, or "
		       "enable passthrough on it.");
		if (r->item[PG_DIAG_IKE4500].state == PG_DIAG_ANSWERED)
			say(a, "Clients will move to NAT-T (UDP 4500), which answers.");
		else
			say(a, "NAT-T (UDP 4500) does not answer: ensure it passes.");
	}
	if (gw->forward_host[p]) {
		raise_to(a, PG_DIAG_WARN);
		say(a, "One client works, others don't? A port forward sends %s %u to %s: check "
		       "conflicting port forwarding.", proto_name, port, host);
	}
	if (double_nat && sw) {
		raise_to(a, PG_DIAG_WARN);
		say(a, "The WAN address %s is private: double NAT; if clients fail, bridge the "
		       "upstream router or enable passthrough on it.", wan);
	}
	if (gw->wan_mtu && gw->wan_mtu < 1500)
		say(a, "The WAN MTU is %u: if the VPN connects but is slow, lower the client's MTU "
		       "to 1400.", gw->wan_mtu);
}

bool pg_diag_double_nat(const struct pg_diag_gw *gw)
{
	return gw->wan_addr && pg_probe_addr_private(gw->wan_addr);
}

/**
 * pg_diag_advise() - a verdict and advice for every protocol of @r.
 */
void pg_diag_advise(const struct pg_diag_gw *gw, const struct pg_diag_result *r,
		    struct pg_diag_advice out[PG_DIAG__COUNT])
{
	for (int p = 0; p < PG_DIAG__COUNT; p++)
		advise_one(gw, r, (enum pg_diag_proto)p, &out[p]);
}
