/* SPDX-License-Identifier: MIT */
/*
 * api_dhcp.c - the [dhcp] and [dns] sections in GET /api/v1/config. Changes
 * go through PUT /api/v1/config/dhcp|dns like any section; the running
 * dnsmasq picks them up by itself (dnsmasq.c restarts it when the rendered
 * configuration differs), so nothing here talks to the process.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "ctl/api_internal.h"
#include "conf/config.h"

static struct json_object *addr(uint32_t be)
{
	char a[INET_ADDRSTRLEN];
	struct in_addr in = {.s_addr = be};

	return json_object_new_string(inet_ntop(AF_INET, &in, a, sizeof(a)));
}

void pg_api_config_svc_json(struct json_object *o, const struct pg_config *cfg)
{
	const struct pg_config_dhcp *d = &cfg->dhcp;
	const struct pg_config_dns *n = &cfg->dns;
	struct json_object *s, *list;
	char range[2 * INET_ADDRSTRLEN + 4];

	s = json_object_new_object();
	json_object_object_add(s, "enable", json_object_new_boolean(d->enabled));
	if (d->range_line) {
		char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
		struct in_addr lo = {.s_addr = d->range_lo}, hi = {.s_addr = d->range_hi};

		snprintf(range, sizeof(range), "%s - %s", inet_ntop(AF_INET, &lo, a, sizeof(a)),
			 inet_ntop(AF_INET, &hi, b, sizeof(b)));
		json_object_object_add(s, "range", json_object_new_string(range));
	} else {
		json_object_object_add(s, "range", NULL);
	}
	json_object_object_add(s, "lease", json_object_new_int64(d->lease));
	json_object_object_add(s, "dns", json_object_new_boolean(d->dns));
	json_object_object_add(s, "hosts", json_object_new_int64(d->nhosts));
	json_object_object_add(o, "dhcp", s);

	s = json_object_new_object();
	json_object_object_add(s, "forward", json_object_new_boolean(n->forward));
	list = json_object_new_array();
	for (unsigned int i = 0; i < n->nupstream; i++)
		json_object_array_add(list, addr(n->upstream[i]));
	for (unsigned int i = 0; i < n->nupstream6; i++)
		json_object_array_add(list, pg_api_addr6(n->upstream6[i]));
	if (n->upstream_dhcp) {
		json_object_put(list);
		json_object_object_add(s, "upstream", json_object_new_string("dhcp"));
	} else {
		json_object_object_add(s, "upstream", list);
	}
	json_object_object_add(s, "names", json_object_new_int64(n->nnames));
	json_object_object_add(o, "dns", s);
}
