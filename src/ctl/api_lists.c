/* SPDX-License-Identifier: MIT */
/*
 * api_lists.c - the list keys of the settings that PUT /api/v1/config
 * cannot change one value at a time: [dhcp] host (a fixed address for a
 * MAC) and [dns] name (a name the gateway answers itself). GET
 * /api/v1/lists/SECTION.KEY lists the lines as the file has them (with an
 * id and line number), POST adds one ({"value": "02:00:00:00:00:10
 * 192.168.1.10"}, the file's own syntax), DELETE ?id=N removes line N of
 * the list. Like the [forward] rules (api_portfwd.c) every edit goes
 * through the file parser, so a refused value gets the file's reason, and
 * is committed by api_commit.c (dnsmasq restarts when its file changes).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/api_internal.h"
#include "conf/config_internal.h"

static const struct {
	const char *name; /* as in the path: SECTION.KEY */
	const char *section, *key;
} lists[] = {
	{"dhcp.host", "dhcp", "host"},
	{"dns.name", "dns", "name"},
};

#define N_LISTS (sizeof(lists) / sizeof(lists[0]))
#define LIST_MAX 256 /* more lines than any list key takes */

static int list_index(const char *name, struct pg_api_resp *resp)
{
	for (unsigned int i = 0; i < N_LISTS; i++)
		if (!strcmp(lists[i].name, name))
			return (int)i;
	pg_api_error(resp, 404, NULL, "no list '%s' (dhcp.host, dns.name)", name);
	return -1;
}

/* The 1-based line numbers of list l's settings in cfg, in file order. */
static unsigned int list_lines(const struct pg_config *cfg, int l, unsigned int *line)
{
	const struct pg_config_doc *d = &cfg->doc;
	size_t kl = strlen(lists[l].key);
	unsigned int n = 0;

	for (unsigned int i = 0; i < d->n_lines && n < LIST_MAX; i++) {
		const struct pg_config_line *ln = &d->lines[i];
		const char *sec = pg_config_section_name(ln->section);

		if (ln->key_len == kl && sec && !strcmp(sec, lists[l].section) &&
		    !memcmp(d->text + ln->key_off, lists[l].key, kl))
			line[n++] = i + 1;
	}
	return n;
}

void pg_api_list_get(struct pg_api *api, const char *rest, const struct pg_api_req *req,
		     struct pg_api_resp *resp)
{
	const struct pg_config *cfg = api->env.cfg;
	struct json_object *o, *arr;
	unsigned int line[LIST_MAX], n;
	int l = list_index(rest, resp);

	(void)req;
	if (l < 0)
		return;
	n = list_lines(cfg, l, line);
	arr = json_object_new_array();
	for (unsigned int i = 0; i < n; i++) {
		const struct pg_config_line *ln = &cfg->doc.lines[line[i] - 1];
		struct json_object *e = json_object_new_object();

		json_object_object_add(e, "id", json_object_new_int((int)i));
		json_object_object_add(e, "value",
				       json_object_new_string_len(cfg->doc.text + ln->val_off,
								  (int)ln->val_len));
		json_object_object_add(e, "line", json_object_new_int((int)line[i]));
		json_object_array_add(arr, e);
	}
	o = json_object_new_object();
	json_object_object_add(o, "list", json_object_new_string(lists[l].name));
	json_object_object_add(o, "items", arr);
	pg_api_json(resp, 200, o);
}

void pg_api_list_add(struct pg_api *api, const char *rest, const struct pg_api_req *req,
		     struct pg_api_resp *resp)
{
	char err[PG_CONFIG_ERR_SIZE], what[PG_API_LOG_LINE_MAX];
	struct json_object *body, *v;
	struct pg_config next;
	int l = list_index(rest, resp), r;

	if (l < 0)
		return;
	body = pg_api_body_object(req, resp);
	if (!body)
		return;
	if (!json_object_object_get_ex(body, "value", &v) ||
	    !json_object_is_type(v, json_type_string) || json_object_object_length(body) != 1) {
		json_object_put(body);
		pg_api_error(resp, 400, lists[l].name,
			     "expected {\"value\": \"...\"} as in the file's [%s] %s",
			     lists[l].section, lists[l].key);
		return;
	}
	if (pg_api_config_copy(api, &next, resp)) {
		json_object_put(body);
		return;
	}
	r = pg_api_config_append(&next, lists[l].section, lists[l].key, json_object_get_string(v),
				 err, sizeof(err));
	if (r) {
		pg_api_error(resp, r == -EINVAL ? 400 : 500, lists[l].name, "%s",
			     pg_api_config_reason(err));
		pg_config_free(&next);
		json_object_put(body);
		return;
	}
	snprintf(what, sizeof(what), "[%s] %s = %s added", lists[l].section, lists[l].key,
		 json_object_get_string(v));
	json_object_put(body);
	pg_api_commit(api, &next, what, req, resp);
}

void pg_api_list_del(struct pg_api *api, const char *rest, const struct pg_api_req *req,
		     struct pg_api_resp *resp)
{
	const struct pg_config *cfg = api->env.cfg;
	char err[PG_CONFIG_ERR_SIZE], what[PG_API_LOG_LINE_MAX];
	unsigned int line[LIST_MAX], n;
	const struct pg_config_line *ln;
	const char *id = pg_api_arg(req, "id");
	struct pg_config next;
	uint32_t i;
	int l = list_index(rest, resp);

	if (l < 0)
		return;
	n = list_lines(cfg, l, line);
	if (!id || pg_config_parse_u32(id, &i) || i >= n) {
		pg_api_error(resp, 404, "id", "no %s %s (there are %u, numbered from 0)",
			     lists[l].name, id ? id : "(give ?id=N)", n);
		return;
	}
	ln = &cfg->doc.lines[line[i] - 1];
	snprintf(what, sizeof(what), "[%s] %s = %.*s removed", lists[l].section, lists[l].key,
		 (int)ln->val_len, cfg->doc.text + ln->val_off);
	if (pg_api_config_copy(api, &next, resp))
		return;
	if (pg_api_config_remove_line(&next, line[i], err, sizeof(err))) {
		pg_config_free(&next);
		pg_api_error(resp, 400, "id", "%s", pg_api_config_reason(err));
		return;
	}
	pg_api_commit(api, &next, what, req, resp);
}
