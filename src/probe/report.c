/* SPDX-License-Identifier: MIT */
/*
 * report.c - the prober's two outputs: a table for people (one line per
 * check, the symptom and fix under each that is not a pass, then one line
 * per VPN type) and JSON for programs. Same content in both.
 */
#include <stdio.h>

#include "probe/probe.h"

static void ip(uint32_t a, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

/* A JSON string: the texts here are ours, but quote what needs it anyway. */
static void jstr(const char *s)
{
	putchar('"');
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

void pg_probe_print_table(const struct pg_probe_obs *obs, const struct pg_probe_report *rep)
{
	char srv[16], pub[16];
	int i;

	ip(obs->server, srv, sizeof(srv));
	ip(obs->seen_addr, pub, sizeof(pub));
	printf("passgate-probe: responder %s", srv);
	if (obs->responded)
		printf(", public address %s", pub);
	printf("\n\n%-36s %-5s %s\n", "CHECK", "", "RESULT");
	for (i = 0; i < rep->nres; i++) {
		const struct pg_probe_result *r = &rep->res[i];

		printf("%-36s %-5s %s\n", r->title, pg_probe_status_name(r->status), r->detail);
		if (r->issue)
			printf("%-36s       symptom: %s\n%-36s       fix: %s\n", "", r->issue, "", r->fix);
	}
	printf("\n%-36s %s\n", "VPN", "VERDICT");
	for (i = 0; i < PG_PROBE_NVPN; i++) {
		const struct pg_probe_vpn *v = &rep->vpn[i];

		if (!(rep->vpn_mask & v->bit))
			continue;
		printf("%-36s %s", v->name, pg_probe_status_name(v->status));
		if (v->blocking)
			printf(" (blocked by: %s)", v->blocking);
		putchar('\n');
	}
	printf("\n%s\n", rep->ok ? "every selected VPN type can pass this NAT path"
				 : "some selected VPN types cannot pass this NAT path");
}

void pg_probe_print_json(const struct pg_probe_obs *obs, const struct pg_probe_report *rep)
{
	char a[16];
	int i, first = 1;

	ip(obs->server, a, sizeof(a));
	printf("{\"responder\":\"%s\",\"responded\":%s", a, obs->responded ? "true" : "false");
	ip(obs->local_addr, a, sizeof(a));
	printf(",\"local\":\"%s:%u\"", a, obs->local_port);
	ip(obs->seen_addr, a, sizeof(a));
	printf(",\"public\":\"%s:%u\",\"path_mtu\":%d,\"mss_seen\":%d", a, obs->seen_port,
	       obs->pmtu, obs->mss_seen);
	printf(",\"checks\":[");
	for (i = 0; i < rep->nres; i++) {
		const struct pg_probe_result *r = &rep->res[i];

		printf("%s{\"id\":", i ? "," : "");
		jstr(r->id);
		printf(",\"title\":");
		jstr(r->title);
		printf(",\"status\":\"%s\",\"detail\":", pg_probe_status_name(r->status));
		jstr(r->detail);
		if (r->issue) {
			printf(",\"symptom\":");
			jstr(r->issue);
			printf(",\"fix\":");
			jstr(r->fix);
		}
		putchar('}');
	}
	printf("],\"vpn\":{");
	for (i = 0; i < PG_PROBE_NVPN; i++) {
		const struct pg_probe_vpn *v = &rep->vpn[i];

		if (!(rep->vpn_mask & v->bit))
			continue;
		printf("%s\"%s\":{\"status\":\"%s\"", first ? "" : ",", v->name,
		       pg_probe_status_name(v->status));
		if (v->blocking)
			printf(",\"blocked_by\":\"%s\"", v->blocking);
		putchar('}');
		first = 0;
	}
	printf("},\"ok\":%s}\n", rep->ok ? "true" : "false");
}
