/* SPDX-License-Identifier: MIT */
/*
 * api_restart.c - settings that take effect only when passgated restarts
 * (links, addresses, MTUs, the flow table's size, [datapath], the API's
 * listen address: reload.c's list of what a running daemon cannot change),
 * edited in the configuration file and shown as pending until then.
 *
 *   GET    /api/v1/config/restart          file vs running, per setting and as a diff
 *   PUT    /api/v1/config/restart/SECTION  {"mtu": 1400}: validated, saved to the file
 *   DELETE /api/v1/config/restart          the file's values put back to the running ones
 *
 * Theory of operation. The running configuration is not touched: the edit
 * is made on the file as it is on disk (so a hand edit saved there
 * earlier stays), parsed whole by the file parser (a refusal names the
 * field, as PUT /api/v1/config/SECTION does; the parser also runs the
 * engines' start checks, such as max_flows per worker), and written back
 * atomically (config_write.c). The restart that applies it is the
 * service's own (passgated -k keeps the flows across it, docs/HA.md
 * "Restarts"); the daemon does not restart itself. A probation
 * (?confirm=SECS) cannot reach across a restart, so none is offered here:
 * the answer names the settings that could lock the admin out instead, and
 * the page says so.
 *
 * While such an edit waits, every live change the API makes saves the
 * running configuration through pg_api_config_save(), which carries the
 * file's differing restart-only values over, so a later live change does
 * not silently undo a pending one.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/api_internal.h"
#include "conf/config_history.h"
#include "conf/config_internal.h"
#include "conf/confirm.h"
#include "conf/textdiff.h"
#include "util/log.h"

/*
 * What the page offers. reload.c refuses a change of each of these while
 * running (IPv6 address6/dns6 are set up by the neighbour discovery and
 * DHCP services at start, so they too wait for a restart here).
 */
static const struct {
	const char *section, *key;
} restart_keys[] = {
	{ "lan", "interface" },	   { "lan", "address" },      { "lan", "mtu" },
	{ "lan", "address6" },	   { "lan", "dns6" },	      { "wan", "interface" },
	{ "wan", "address" },	   { "wan", "gateway" },      { "wan", "mtu" },
	{ "wan", "shape_up" },	   { "wan", "shape_down" },   { "nat", "max_flows" },
	{ "datapath", "backend" }, { "datapath", "workers" }, { "datapath", "offload" },
	{ "api", "listen" },
};

#define N_RESTART (sizeof(restart_keys) / sizeof(restart_keys[0]))

static bool is_restart_key(const char *section, const char *key)
{
	for (unsigned int i = 0; i < N_RESTART; i++)
		if (!strcmp(restart_keys[i].section, section) && !strcmp(restart_keys[i].key, key))
			return true;
	return false;
}

static bool has_section(const char *section)
{
	for (unsigned int i = 0; i < N_RESTART; i++)
		if (!strcmp(restart_keys[i].section, section))
			return true;
	return false;
}

/* The last line of doc setting section/key (the one the parser keeps), or NULL. */
static const struct pg_config_line *line_of(const struct pg_config_doc *d, const char *section,
					    const char *key)
{
	const struct pg_config_line *found = NULL;

	for (unsigned int i = 0; i < d->n_lines; i++) {
		const struct pg_config_line *ln = &d->lines[i];
		const char *sec = pg_config_section_name(ln->section);

		if (ln->key_len && sec && !strcmp(sec, section) && strlen(key) == ln->key_len &&
		    !memcmp(d->text + ln->key_off, key, ln->key_len))
			found = ln;
	}
	return found;
}

/* The value as written in doc, in buf; false when doc does not set it (the default). */
static bool value_of(const struct pg_config_doc *d, const char *section, const char *key, char *buf,
		     size_t len)
{
	const struct pg_config_line *ln = line_of(d, section, key);

	if (!ln)
		return false;
	snprintf(buf, len, "%.*s", (int)ln->val_len, d->text + ln->val_off);
	return true;
}

static bool same_value(const struct pg_config_doc *a, const struct pg_config_doc *b,
		       const char *section, const char *key)
{
	char va[PG_CONFIG_VALUE_MAX + 1], vb[PG_CONFIG_VALUE_MAX + 1];
	bool ha = value_of(a, section, key, va, sizeof(va));
	bool hb = value_of(b, section, key, vb, sizeof(vb));

	return ha == hb && (!ha || !strcmp(va, vb));
}

/*
 * Give dst src's value of every restart-only setting where they differ
 * (a setting src leaves out is removed from dst). 0, or -errno with the
 * parser's reason in err; dst is whole either way.
 */
static int carry(struct pg_config *dst, const struct pg_config *src, char *err, size_t errlen)
{
	char v[PG_CONFIG_VALUE_MAX + 1];
	int r;

	for (unsigned int i = 0; i < N_RESTART; i++) {
		const char *s = restart_keys[i].section, *k = restart_keys[i].key;
		const struct pg_config_line *ln;

		if (same_value(&dst->doc, &src->doc, s, k))
			continue;
		if (value_of(&src->doc, s, k, v, sizeof(v))) {
			r = pg_config_set(dst, s, k, v, err, errlen);
		} else {
			ln = line_of(&dst->doc, s, k);
			r = pg_api_config_remove_line(dst, (unsigned int)(ln - dst->doc.lines) + 1,
						      err, errlen);
		}
		if (r)
			return r;
	}
	return 0;
}

/* The file as on disk, parsed; -errno with the reason in err. */
static int read_file(struct pg_api *api, struct pg_config *out, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	int r;

	r = pg_cfghist_read_file(api->env.cfg_path, PG_CONFIG_FILE_MAX, &text, &len);
	if (r) {
		snprintf(err, errlen, "cannot read %s: %s", api->env.cfg_path, strerror(-r));
		return r;
	}
	r = pg_config_parse(out, api->env.cfg->doc.name, text, len, err, errlen);
	free(text);
	return r;
}

static int copy_of(const struct pg_config *cfg, struct pg_config *out, char *err, size_t errlen)
{
	return pg_config_parse(out, cfg->doc.name, cfg->doc.text, cfg->doc.text_len, err, errlen);
}

int pg_api_config_save(struct pg_api *api, const struct pg_config *cfg)
{
	const char *path = api->env.cfg_path;
	char err[PG_CONFIG_ERR_SIZE];
	struct pg_config file, merged;
	int r;

	if (read_file(api, &file, err, sizeof(err)))
		return pg_config_write(cfg, path); /* nothing pending can be read: as before */
	r = copy_of(cfg, &merged, err, sizeof(err));
	if (r) {
		pg_config_free(&file);
		return r;
	}
	r = carry(&merged, &file, err, sizeof(err));
	pg_config_free(&file);
	if (r) {
		pg_warn("config: the file's settings waiting for a restart could not be kept: %s",
			err);
		r = pg_config_write(cfg, path);
	} else {
		r = pg_config_write(&merged, path);
	}
	pg_config_free(&merged);
	return r;
}

/* GET's answer: per setting the file's and the running text, what differs, the diff. */
static struct json_object *restart_json(struct pg_api *api, const struct pg_config *file)
{
	const struct pg_config *cur = api->env.cfg;
	struct json_object *o = json_object_new_object(), *settings = json_object_new_object();
	struct json_object *pending = json_object_new_array(), *risky = json_object_new_array();
	char v[PG_CONFIG_VALUE_MAX + 1], name[PG_RELOAD_NAME_SIZE], *diff = NULL;

	for (unsigned int i = 0; i < N_RESTART; i++) {
		const char *s = restart_keys[i].section, *k = restart_keys[i].key;
		struct json_object *sec, *one = json_object_new_object();

		if (!json_object_object_get_ex(settings, s, &sec)) {
			sec = json_object_new_object();
			json_object_object_add(settings, s, sec);
		}
		json_object_object_add(
		    one, "file",
		    value_of(&file->doc, s, k, v, sizeof(v)) ? json_object_new_string(v) : NULL);
		json_object_object_add(
		    one, "running",
		    value_of(&cur->doc, s, k, v, sizeof(v)) ? json_object_new_string(v) : NULL);
		json_object_object_add(sec, k, one);
		if (same_value(&file->doc, &cur->doc, s, k))
			continue;
		snprintf(name, sizeof(name), "[%s] %s", s, k);
		json_object_array_add(pending, json_object_new_string(name));
		if (pg_confirm_risky_name(name))
			json_object_array_add(risky, json_object_new_string(name));
	}
	json_object_object_add(o, "settings", settings);
	json_object_object_add(o, "pending", pending);
	json_object_object_add(o, "lockout_risk", risky);
	/* Old first: what runs, turned into what the next start reads. */
	if (!pg_textdiff(cur->doc.text, cur->doc.text_len, "running", file->doc.text,
			 file->doc.text_len, "file", &diff)) {
		json_object_object_add(o, "diff", json_object_new_string(diff));
		free(diff);
	}
	json_object_object_add(o, "saved_to", json_object_new_string(api->env.cfg_path));
	json_object_object_add(o, "takes_effect",
			       json_object_new_string("at the next start of passgated: restart the "
						      "service (systemctl restart passgate; "
						      "passgated -k keeps the flows across it)"));
	return o;
}

/* The file parsed into *file, or resp filled (409: none, or it does not parse). */
static int file_or_error(struct pg_api *api, struct pg_config *file, struct pg_api_resp *resp)
{
	char err[PG_CONFIG_ERR_SIZE];
	int r;

	if (!api->env.cfg_path) {
		pg_api_error(resp, 409, NULL,
			     "no configuration file: passgated runs its built-in "
			     "configuration, and a restart would not read a change");
		return -1;
	}
	r = read_file(api, file, err, sizeof(err));
	if (r) {
		pg_api_error(resp, r == -ENOMEM ? 500 : 409, NULL,
			     "the file on disk is not usable (fix it first): %s", err);
		return -1;
	}
	return 0;
}

void pg_api_restart_get(struct pg_api *api, const char *rest, const struct pg_api_req *req,
			struct pg_api_resp *resp)
{
	struct pg_config file;

	(void)rest;
	(void)req;
	if (file_or_error(api, &file, resp))
		return;
	pg_api_json(resp, 200, restart_json(api, &file));
	pg_config_free(&file);
}

/* Save file, log what, answer as GET does; file is freed. */
static void save_and_answer(struct pg_api *api, struct pg_config *file, const char *what,
			    struct pg_api_resp *resp)
{
	char line[PG_API_LOG_LINE_MAX];
	int r;

	/* The parser ran the engines' start checks (max_flows per worker) already. */
	r = pg_config_write(file, api->env.cfg_path);
	if (r) {
		pg_api_error(resp, 500, NULL, "cannot save %s: %s; nothing changed",
			     api->env.cfg_path, strerror(-r));
		pg_config_free(file);
		return;
	}
	snprintf(line, sizeof(line), "config: %s, saved to %s; takes effect at the next restart",
		 what, api->env.cfg_path);
	pg_info("%s", line);
	pg_api_log_add(api, "info", line);
	pg_api_json(resp, 200, restart_json(api, file));
	pg_config_free(file);
}

void pg_api_restart_put(struct pg_api *api, const char *section, const struct pg_api_req *req,
			struct pg_api_resp *resp)
{
	struct json_object *body;
	struct pg_config file;
	char what[PG_API_LOG_LINE_MAX], live[128];

	if (!has_section(section)) {
		pg_api_error(
		    resp, 404, NULL,
		    "no section '%s' with settings that wait for a restart (lan, wan, nat, "
		    "datapath, api)",
		    section);
		return;
	}
	snprintf(live, sizeof(live), "changes live (PUT /api/v1/config/%s)", section);
	body = pg_api_settings_body(req, resp, section, is_restart_key, live);
	if (!body)
		return;
	if (file_or_error(api, &file, resp)) {
		json_object_put(body);
		return;
	}
	if (pg_api_config_apply_body(&file, section, body, what, sizeof(what), resp)) {
		pg_config_free(&file);
		json_object_put(body);
		return;
	}
	json_object_put(body);
	save_and_answer(api, &file, what, resp);
}

void pg_api_restart_discard(struct pg_api *api, const char *rest, const struct pg_api_req *req,
			    struct pg_api_resp *resp)
{
	char err[PG_CONFIG_ERR_SIZE];
	struct pg_config file;
	int r;

	(void)rest;
	(void)req;
	if (file_or_error(api, &file, resp))
		return;
	r = carry(&file, api->env.cfg, err, sizeof(err));
	if (r) {
		pg_api_error(resp, r == -EINVAL ? 400 : 500, NULL,
			     "the running values do not fit the file as it is now: %s", err);
		pg_config_free(&file);
		return;
	}
	save_and_answer(api, &file, "settings waiting for a restart put back to the running ones",
			resp);
}
