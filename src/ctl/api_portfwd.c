/* SPDX-License-Identifier: MIT */
/*
 * api_portfwd.c - the [forward] rule list: GET lists the rules as the file
 * has them (with their index and line), POST adds one in the file's own
 * syntax ({"rule": "tcp 8080 192.168.1.10 80"}), DELETE /forwards/N removes
 * rule N. The rule text goes through the file parser, conflicts included,
 * so a refused rule gets the same reason as in the file. A rule whose host
 * is an IPv6 address is a pinhole ("family": 6, LAN ports = WAN ports). The DMZ host is a
 * setting of [forward] like the others (PUT /api/v1/config/forward).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/api_internal.h"
#include "engine/observe.h"

static struct json_object *rule_json(const struct pg_config *cfg, unsigned int i)
{
	const struct pg_port_forward *r = &cfg->engine.forwards[i];
	const struct pg_config_line *ln = &cfg->doc.lines[cfg->forward_line[i] - 1];
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_int((int)i));
	json_object_object_add(o, "rule", json_object_new_string_len(cfg->doc.text + ln->val_off,
								     (int)ln->val_len));
	json_object_object_add(o, "proto", json_object_new_string(pg_proto_name(r->proto)));
	if (r->wan_hi) {
		json_object_object_add(o, "wan_ports_from", json_object_new_int(r->wan_lo));
		json_object_object_add(o, "wan_ports_to", json_object_new_int(r->wan_hi));
		json_object_object_add(o, "lan_ports_from", json_object_new_int(r->lan_lo));
		json_object_object_add(o, "lan_ports_to", json_object_new_int(r->lan_hi));
	}
	if (r->v6) {
		char a[INET6_ADDRSTRLEN];

		json_object_object_add(o, "family", json_object_new_int(6));
		json_object_object_add(o, "host", json_object_new_string(inet_ntop(
							  AF_INET6, r->host6, a, sizeof(a))));
	} else {
		json_object_object_add(o, "family", json_object_new_int(4));
		json_object_object_add(o, "host", pg_api_addr(ntohl(r->host)));
	}
	json_object_object_add(o, "line", json_object_new_int((int)cfg->forward_line[i]));
	return o;
}

void pg_api_get_forwards(struct pg_api *api, const struct pg_api_req *req,
			 struct pg_api_resp *resp)
{
	const struct pg_config *cfg = api->env.cfg;
	struct json_object *o = json_object_new_object(), *arr = json_object_new_array();

	(void)req;
	for (unsigned int i = 0; i < cfg->nforward_rules; i++)
		json_object_array_add(arr, rule_json(cfg, i));
	json_object_object_add(o, "rules", arr);
	json_object_object_add(o, "dmz", cfg->engine.dmz_host
						 ? pg_api_addr(ntohl(cfg->engine.dmz_host))
						 : NULL);
	pg_api_json(resp, 200, o);
}

void pg_api_add_forward(struct pg_api *api, const struct pg_api_req *req, struct pg_api_resp *resp)
{
	char err[PG_CONFIG_ERR_SIZE], what[PG_API_LOG_LINE_MAX];
	struct json_object *body, *rule;
	struct pg_config next;
	int r;

	body = pg_api_body_object(req, resp);
	if (!body)
		return;
	if (!json_object_object_get_ex(body, "rule", &rule) ||
	    !json_object_is_type(rule, json_type_string) || json_object_object_length(body) != 1) {
		json_object_put(body);
		pg_api_error(resp, 400, "rule",
			     "expected {\"rule\": \"PROTO WAN-PORTS HOST [PORT]\"} as in the "
			     "file's [forward] rule");
		return;
	}
	if (pg_api_config_copy(api, &next, resp)) {
		json_object_put(body);
		return;
	}
	r = pg_api_config_append(&next, "forward", "rule", json_object_get_string(rule), err,
				 sizeof(err));
	if (r) {
		pg_api_error(resp, r == -EINVAL ? 400 : 500, "rule", "%s", pg_api_config_reason(err));
		pg_config_free(&next);
		json_object_put(body);
		return;
	}
	snprintf(what, sizeof(what), "[forward] rule = %s added", json_object_get_string(rule));
	json_object_put(body);
	pg_api_commit(api, &next, what, req, resp);
}

void pg_api_del_forward(struct pg_api *api, const char *index, const struct pg_api_req *req,
			struct pg_api_resp *resp)
{
	const struct pg_config *cfg = api->env.cfg;
	char err[PG_CONFIG_ERR_SIZE], what[PG_API_LOG_LINE_MAX];
	const struct pg_config_line *ln;
	struct pg_config next;
	uint32_t i;

	(void)req;
	if (pg_config_parse_u32(index, &i) || i >= cfg->nforward_rules) {
		pg_api_error(resp, 404, "id", "no forward rule %s (there are %u, numbered from 0)",
			     index, cfg->nforward_rules);
		return;
	}
	ln = &cfg->doc.lines[cfg->forward_line[i] - 1];
	snprintf(what, sizeof(what), "[forward] rule = %.*s removed", (int)ln->val_len,
		 cfg->doc.text + ln->val_off);
	if (pg_api_config_copy(api, &next, resp))
		return;
	if (pg_api_config_remove_line(&next, cfg->forward_line[i], err, sizeof(err))) {
		pg_config_free(&next);
		pg_api_error(resp, 400, "id", "%s", pg_api_config_reason(err));
		return;
	}
	pg_api_commit(api, &next, what, req, resp);
}
