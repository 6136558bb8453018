/* SPDX-License-Identifier: MIT */
/*
 * api_tunnel.c - GET /api/v1/tunnel: the router's own VPN client, as the
 * supervisor (tunnel.c) sees it. Both run on the control thread, so the
 * status is read as it is, without a job for the data path; the kill
 * switch's drops are the engines' drop_tunnel_down counter (status,
 * metrics).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <time.h>

#include "ctl/api_internal.h"
#include "ctl/tunnel.h"

static struct json_object *tunnel_json(const struct pg_api *api)
{
	const struct pg_tunnel_status *s = api->env.tunnel;
	const struct pg_config *cfg = api->env.cfg;
	struct json_object *o = json_object_new_object();
	int64_t now = (int64_t)time(NULL);
	char list[1024];

	json_object_object_add(o, "type",
			       json_object_new_string(pg_tunnel_type_names[cfg->tunnel.type]));
	if (!s || !s->configured) {
		json_object_object_add(o, "state", json_object_new_string("off"));
		return o;
	}
	json_object_object_add(o, "device", json_object_new_string(cfg->tunnel.device));
	json_object_object_add(o, "state", json_object_new_string(s->up ? "up" : "down"));
	json_object_object_add(o, "running", json_object_new_boolean(s->running));
	json_object_object_add(o, "since", s->since ? json_object_new_int64(s->since) : NULL);
	json_object_object_add(o, "changes", json_object_new_int64((int64_t)s->changes));
	json_object_object_add(o, "restarts", json_object_new_int64(s->restarts));
	json_object_object_add(o, "pid", s->pid ? json_object_new_int64(s->pid) : NULL);
	json_object_object_add(o, "killswitch",
			       json_object_new_boolean(cfg->engine.tunnel_killswitch));
	pg_config_tunnel_format_list(cfg, false, list, sizeof(list));
	json_object_object_add(o, "route", json_object_new_string(list));
	pg_config_tunnel_format_list(cfg, true, list, sizeof(list));
	json_object_object_add(o, "bypass", json_object_new_string(list));
	if (s->have_stats && s->running) {
		const struct pg_wg_stats *w = &s->stats;

		json_object_object_add(o, "rx_bytes", json_object_new_int64((int64_t)w->rx_bytes));
		json_object_object_add(o, "tx_bytes", json_object_new_int64((int64_t)w->tx_bytes));
		json_object_object_add(o, "last_handshake",
				       w->last_handshake_s ? json_object_new_int64(w->last_handshake_s) :
							     NULL);
		json_object_object_add(o, "handshake_age_s",
				       w->last_handshake_s ?
					       json_object_new_int64(now - w->last_handshake_s) :
					       NULL);
	}
	return o;
}

void pg_api_config_tunnel_json(struct json_object *o, const struct pg_config *cfg)
{
	const struct pg_config_tunnel *t = &cfg->tunnel;
	struct json_object *s = json_object_new_object();
	char list[1024];

	json_object_object_add(s, "type", json_object_new_string(pg_tunnel_type_names[t->type]));
	json_object_object_add(s, "wg_config",
			       t->wg_config[0] ? json_object_new_string(t->wg_config) : NULL);
	json_object_object_add(s, "config",
			       t->ovpn_config[0] ? json_object_new_string(t->ovpn_config) : NULL);
	if (t->addr) {
		char a[40];
		const uint8_t *b = (const uint8_t *)&t->addr;

		snprintf(a, sizeof(a), "%u.%u.%u.%u/%u", b[0], b[1], b[2], b[3], t->prefix);
		json_object_object_add(s, "address", json_object_new_string(a));
	} else {
		json_object_object_add(s, "address", NULL);
	}
	json_object_object_add(s, "dns", t->dns ? pg_api_addr(ntohl(t->dns)) : NULL);
	json_object_object_add(s, "mtu", json_object_new_int64(t->mtu));
	pg_config_tunnel_format_list(cfg, false, list, sizeof(list));
	json_object_object_add(s, "route", json_object_new_string(list));
	pg_config_tunnel_format_list(cfg, true, list, sizeof(list));
	json_object_object_add(s, "bypass", json_object_new_string(list));
	json_object_object_add(s, "killswitch",
			       json_object_new_boolean(cfg->engine.tunnel_killswitch));
	json_object_object_add(s, "device", json_object_new_string(t->device));
	json_object_object_add(s, "table", json_object_new_int64(t->table));
	json_object_object_add(o, "tunnel", s);
}

void pg_api_tunnel_get(struct pg_api *api, const char *rest, const struct pg_api_req *req,
		       struct pg_api_resp *resp)
{
	(void)rest;
	(void)req;
	pg_api_json(resp, 200, tunnel_json(api));
}
