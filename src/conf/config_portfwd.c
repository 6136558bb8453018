/* SPDX-License-Identifier: MIT */
/*
 * config_portfwd.c - the value of a [forward] rule line:
 *
 *   rule = PROTO WANPORT[-WANPORT] HOST [LANPORT[-LANPORT]]   (tcp, udp)
 *   rule = PROTO HOST                                        (gre, esp)
 *
 * Without LAN ports the WAN ports are kept; one LAN port takes the whole WAN
 * range; a LAN range must be as long as the WAN range.
 *
 * An IPv6 HOST makes the rule an IPv6 pinhole (docs/CONFIG.md "[forward]"):
 * the same words, one rule list, since what a user means is the same ("let
 * the internet reach port 443 of this server"); the address says which
 * family. Its ports are the host's own (the engine refuses LAN ports that
 * differ: IPv6 is not translated).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/config.h"
#include "conf/config_ipv6.h"
#include "engine/parse.h"

int pg_config_parse_port_range(const char *s, uint16_t *lo, uint16_t *hi)
{
	unsigned long a, b;
	char *end;

	a = strtoul(s, &end, 10);
	if (end == s || a == 0 || a > 65535)
		return -1;
	b = a;
	if (*end == '-') {
		const char *t = end + 1;

		b = strtoul(t, &end, 10);
		if (end == t || b < a || b > 65535)
			return -1;
	}
	if (*end)
		return -1;
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return 0;
}

int pg_config_parse_forward(const char *value, struct pg_port_forward *r, const char **why)
{
	char buf[PG_CONFIG_VALUE_MAX + 1], *w[5], *save = NULL;
	unsigned int n = 0;

	snprintf(buf, sizeof(buf), "%s", value);
	for (char *t = strtok_r(buf, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		if (n == 5) {
			*why = "too many words: expected 'PROTO WANPORT[-WANPORT] HOST "
			       "[LANPORT[-LANPORT]]' or 'gre|esp HOST'";
			return -1;
		}
		w[n++] = t;
	}
	memset(r, 0, sizeof(*r));
	if (n == 0)
		goto usage;
	if (!strcmp(w[0], "gre") || !strcmp(w[0], "esp")) {
		r->proto = w[0][0] == 'g' ? PG_PROTO_GRE : PG_PROTO_ESP;
		if (n != 2)
			goto usage;
		if (!pg_config_parse_addr(w[1], &r->host))
			return 0;
		if (pg_config_parse_addr6(w[1], r->host6))
			goto usage;
		r->v6 = true;
		return 0;
	}
	if (strcmp(w[0], "tcp") && strcmp(w[0], "udp")) {
		*why = "protocol must be tcp, udp, gre or esp";
		return -1;
	}
	r->proto = w[0][0] == 't' ? PG_PROTO_TCP : PG_PROTO_UDP;
	if (n < 3 || n > 4)
		goto usage;
	if (pg_config_parse_port_range(w[1], &r->wan_lo, &r->wan_hi)) {
		*why = "WAN ports must be a port or a range such as 8000-8010 (1..65535)";
		return -1;
	}
	if (pg_config_parse_addr(w[2], &r->host)) {
		if (pg_config_parse_addr6(w[2], r->host6)) {
			*why = "expected the LAN host's IPv4 or IPv6 address after the WAN ports";
			return -1;
		}
		r->v6 = true;
	}
	r->lan_lo = r->wan_lo;
	r->lan_hi = r->wan_hi;
	if (n == 4 && pg_config_parse_port_range(w[3], &r->lan_lo, &r->lan_hi)) {
		*why = "LAN ports must be a port or a range (1..65535)";
		return -1;
	}
	return 0;
usage:
	*why = "expected 'tcp|udp WANPORT[-WANPORT] HOST [LANPORT[-LANPORT]]' or 'gre|esp HOST'";
	return -1;
}
