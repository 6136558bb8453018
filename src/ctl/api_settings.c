/* SPDX-License-Identifier: MIT */
/*
 * api_settings.c - GET /api/v1/config and PUT /api/v1/config/SECTION.
 *
 * A PUT body is a flat object of settings of one section, in the file's own
 * names: {"pptp": false}. Only what can change while flows run is listed in
 * `editable` below (links, addresses and the table size need a restart:
 * api_restart.c).
 * Values are turned into the file's text (true -> "on", 300 -> "300",
 * strings as given; null returns the setting to its default by removing
 * its line) and applied one by one to a copy of the running configuration
 * with the file parser itself, so the API accepts exactly what the file
 * accepts and refuses it with the same reason. (The settings that need a
 * restart are edited in the file only: api_restart.c.) The first refusal answers
 * 400 naming the field; the running configuration and the file stay as
 * they were. All settings valid: api_commit.c applies and saves them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/api_internal.h"
#include "conf/config_internal.h"
#include "util/names.h"

static const struct {
	const char *section;
	const char *keys[9];
} editable[] = {
	{"passthrough", {"pptp", "ipsec", "l2tp", "pptp_max_sessions"}},
	{"nat", {"filtering", "max_flows_per_host", "mss_clamp", "mss"}},
	{"timeouts",
	 {"tcp_established", "tcp_transitory", "tcp_time_wait", "udp", "icmp", "gre", "esp",
	  "other"}},
	{"icmp", {"error_rate", "error_burst", "refused", "refused_outbound"}},
	{"log", {"level"}},
	{"forward", {"dmz"}},
	{"input", {"lan", "wan"}},
	{"host", {"routes"}},
	{"dhcp", {"enable", "range", "lease", "dns"}},
	{"dns", {"forward", "upstream"}},
	{"tunnel",
	 {"wg_config", "config", "address", "dns", "mtu", "route", "bypass", "killswitch"}},
};

#define N_EDITABLE (sizeof(editable) / sizeof(editable[0]))

static int section_index(const char *s)
{
	for (unsigned int i = 0; i < N_EDITABLE; i++)
		if (!strcmp(editable[i].section, s))
			return (int)i;
	return -1;
}

static bool key_editable(int sec, const char *key)
{
	for (unsigned int i = 0; i < 9 && editable[sec].keys[i]; i++)
		if (!strcmp(editable[sec].keys[i], key))
			return true;
	return false;
}

static bool section_key_editable(const char *section, const char *key)
{
	int sec = section_index(section);

	return sec >= 0 && key_editable(sec, key);
}

static struct json_object *addr_or_null(uint32_t be)
{
	return be ? pg_api_addr(ntohl(be)) : NULL;
}

struct json_object *pg_api_config_json(struct pg_api *api)
{
	const struct pg_config *cfg = api->env.cfg;
	const struct pg_engine_config *ec = &cfg->engine;
	const struct pg_timeouts *t = &ec->timeouts;
	struct json_object *o = json_object_new_object(), *s;

	s = json_object_new_object();
	json_object_object_add(s, "pptp", json_object_new_boolean(ec->pptp_passthrough));
	json_object_object_add(s, "ipsec", json_object_new_boolean(ec->ipsec_passthrough));
	json_object_object_add(s, "l2tp", json_object_new_boolean(ec->l2tp_passthrough));
	json_object_object_add(s, "pptp_max_sessions", json_object_new_int64(ec->pptp_max_sessions));
	json_object_object_add(o, "passthrough", s);

	s = json_object_new_object();
	json_object_object_add(s, "filtering",
			       json_object_new_string(pg_name_of(pg_filtering_names, PG_FILTER__COUNT,
							 ec->filtering, "?")));
	json_object_object_add(s, "max_flows", json_object_new_int64(ec->max_flows));
	json_object_object_add(s, "max_flows_per_host",
			       json_object_new_int64(ec->max_flows_per_host));
	json_object_object_add(s, "mss_clamp", json_object_new_boolean(ec->mss_clamp));
	json_object_object_add(s, "mss", ec->mss_max ? json_object_new_int(ec->mss_max) : NULL);
	json_object_object_add(o, "nat", s);

	s = json_object_new_object();
	json_object_object_add(s, "tcp_established", json_object_new_int64(t->tcp_established));
	json_object_object_add(s, "tcp_transitory", json_object_new_int64(t->tcp_transitory));
	json_object_object_add(s, "tcp_time_wait", json_object_new_int64(t->tcp_time_wait));
	json_object_object_add(s, "udp", json_object_new_int64(t->udp));
	json_object_object_add(s, "icmp", json_object_new_int64(t->icmp));
	json_object_object_add(s, "gre", json_object_new_int64(t->gre));
	json_object_object_add(s, "esp", json_object_new_int64(t->esp));
	json_object_object_add(s, "other", json_object_new_int64(t->other));
	json_object_object_add(o, "timeouts", s);

	s = json_object_new_object();
	json_object_object_add(s, "error_rate", json_object_new_int64(ec->icmp_error_rate));
	json_object_object_add(s, "error_burst", json_object_new_int64(ec->icmp_error_burst));
	json_object_object_add(s, "refused", json_object_new_string(
				   pg_name_of(pg_refuse_names, PG_REFUSE__COUNT, ec->refuse, "?")));
	json_object_object_add(s, "refused_outbound", json_object_new_boolean(ec->refuse_outbound));
	json_object_object_add(o, "icmp", s);

	s = json_object_new_object();
	json_object_object_add(s, "level",
			       json_object_new_string(pg_log_level_name(cfg->log_level)));
	json_object_object_add(o, "log", s);

	s = json_object_new_object();
	json_object_object_add(s, "dmz", addr_or_null(ec->dmz_host));
	json_object_object_add(s, "rules", json_object_new_int64(cfg->nforward_rules));
	json_object_object_add(o, "forward", s);

	{
		char text[PG_CONFIG_VALUE_MAX + 1];

		s = json_object_new_object();
		pg_config_format_input(ec->lan_input, ec->nlan_input, text, sizeof(text));
		json_object_object_add(s, "lan", json_object_new_string(text));
		pg_config_format_input(cfg->wan_input, cfg->nwan_input, text, sizeof(text));
		json_object_object_add(s, "wan", json_object_new_string(text));
		json_object_object_add(o, "input", s);

		s = json_object_new_object();
		json_object_object_add(s, "path", json_object_new_boolean(cfg->host.path));
		json_object_object_add(s, "lan_device", json_object_new_string(cfg->host.lan_dev));
		json_object_object_add(s, "wan_device", json_object_new_string(cfg->host.wan_dev));
		pg_config_format_routes(ec->host_routes, ec->nhost_routes, text, sizeof(text));
		json_object_object_add(s, "routes", json_object_new_string(text));
		json_object_object_add(o, "host", s);
	}

	pg_api_config_svc_json(o, cfg);
	pg_api_config_tunnel_json(o, cfg);
	json_object_object_add(o, "saved_to", api->env.cfg_path
						      ? json_object_new_string(api->env.cfg_path)
						      : NULL);
	pg_api_safe_json(api, o);
	return o;
}

void pg_api_get_config(struct pg_api *api, const struct pg_api_req *req, struct pg_api_resp *resp)
{
	(void)req;
	pg_api_json(resp, 200, pg_api_config_json(api));
}

/* The line number of a setting in cfg's document, 0 when it is not there. */
static unsigned int find_line(const struct pg_config *cfg, const char *section, const char *key)
{
	const struct pg_config_doc *d = &cfg->doc;

	for (unsigned int i = 0; i < d->n_lines; i++) {
		const struct pg_config_line *ln = &d->lines[i];
		const char *sec = pg_config_section_name(ln->section);

		if (ln->key_len && sec && !strcmp(sec, section) && strlen(key) == ln->key_len &&
		    !memcmp(d->text + ln->key_off, key, ln->key_len))
			return i + 1;
	}
	return 0;
}

/* One setting onto next; 0, or -1 with resp filled naming field. */
static int apply_one(struct pg_config *next, const char *section, const char *key,
		     struct json_object *v, const char *field, char *shown, size_t shownlen,
		     struct pg_api_resp *resp)
{
	char err[PG_CONFIG_ERR_SIZE], text[64];
	const char *value;
	unsigned int line;
	int r;

	switch (json_object_get_type(v)) {
	case json_type_null:
		snprintf(shown, shownlen, "default");
		line = find_line(next, section, key);
		if (!line)
			return 0;
		r = pg_api_config_remove_line(next, line, err, sizeof(err));
		goto done;
	case json_type_boolean:
		value = json_object_get_boolean(v) ? "on" : "off";
		break;
	case json_type_int:
		if (json_object_get_int64(v) < 0) {
			pg_api_error(resp, 400, field, "[%s] %s: must not be negative", section,
				     key);
			return -1;
		}
		snprintf(text, sizeof(text), "%lld", (long long)json_object_get_int64(v));
		value = text;
		break;
	case json_type_string:
		value = json_object_get_string(v);
		break;
	default:
		pg_api_error(resp, 400, field,
			     "[%s] %s: expected a boolean, a whole number, a string or null",
			     section, key);
		return -1;
	}
	snprintf(shown, shownlen, "%s", value);
	r = pg_config_set(next, section, key, value, err, sizeof(err));
done:
	if (r) {
		pg_api_error(resp, r == -EINVAL ? 400 : 500, field, "%s",
			     pg_api_config_reason(err));
		return -1;
	}
	return 0;
}

struct json_object *pg_api_settings_body(const struct pg_api_req *req, struct pg_api_resp *resp,
					 const char *section,
					 bool (*known)(const char *section, const char *key),
					 const char *other)
{
	struct json_object *body = pg_api_body_object(req, resp);

	if (!body)
		return NULL;
	if (!json_object_object_length(body)) {
		json_object_put(body);
		pg_api_error(resp, 400, NULL, "no settings in the request body");
		return NULL;
	}
	/* Refuse unknown names before touching anything. */
	json_object_object_foreach(body, k0, v0) {
		(void)v0;
		if (!known(section, k0)) {
			char field[128];

			snprintf(field, sizeof(field), "%s.%s", section, k0);
			pg_api_error(resp, 400, field, "[%s] %s: no such setting, or one that %s",
				     section, k0, other);
			json_object_put(body);
			return NULL;
		}
	}
	return body;
}

int pg_api_config_apply_body(struct pg_config *next, const char *section, struct json_object *body,
			     char *what, size_t whatlen, struct pg_api_resp *resp)
{
	size_t wl = 0;

	if (whatlen)
		what[0] = '\0';
	json_object_object_foreach(body, key, val) {
		char field[128], shown[PG_CONFIG_VALUE_MAX + 1];

		snprintf(field, sizeof(field), "%s.%s", section, key);
		if (apply_one(next, section, key, val, field, shown, sizeof(shown), resp))
			return -1;
		if (wl < whatlen)
			wl += (size_t)snprintf(what + wl, whatlen - wl, "%s[%s] %s = %s",
					       wl ? ", " : "", section, key, shown);
	}
	return 0;
}

void pg_api_put_section(struct pg_api *api, const char *section, const struct pg_api_req *req,
			struct pg_api_resp *resp)
{
	struct json_object *body;
	struct pg_config next;
	char what[PG_API_LOG_LINE_MAX];
	int sec = section_index(section);

	if (sec < 0) {
		pg_api_error(resp, 404, NULL,
			     "no section '%s' the API can change (passthrough, nat, timeouts, icmp, "
			     "log, forward)",
			     section);
		return;
	}
	body = pg_api_settings_body(req, resp, section, section_key_editable,
				    "needs a restart (docs/API.md)");
	if (!body)
		return;
	if (pg_api_config_copy(api, &next, resp)) {
		json_object_put(body);
		return;
	}
	if (pg_api_config_apply_body(&next, section, body, what, sizeof(what), resp)) {
		pg_config_free(&next);
		json_object_put(body);
		return;
	}
	json_object_put(body);
	pg_api_commit(api, &next, what, req, resp);
}
