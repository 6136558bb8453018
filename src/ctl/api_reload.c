/* SPDX-License-Identifier: MIT */
/*
 * api_reload.c - re-reading the configuration file while running: for
 * SIGHUP (passgated.c) and POST /api/v1/reload (passgatectl reload).
 *
 * The file is parsed and validated whole on the control thread, then held
 * against the running configuration (reload.c: settings fixed at start
 * refuse the reload); only a file that passes both is handed to the
 * engine, between two batches (a job on the data path's thread, api_dp.c),
 * with the flow table kept. Any refusal leaves the running
 * configuration as it was and names file, line and reason. The file is
 * not written: it is the source here, and rewriting it could race with the
 * editor that just saved it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctl/api_internal.h"
#include "util/log.h"
#include "conf/reload.h"

/* "N settings changed: [a] b, [c] d" (or "no setting changed"). */
static void describe(const struct pg_reload_diff *d, char *buf, size_t len)
{
	size_t off;

	if (d->too_long) {
		snprintf(buf, len, "file too long to list the changes");
		return;
	}
	if (!d->n) {
		snprintf(buf, len, "no setting changed");
		return;
	}
	off = (size_t)snprintf(buf, len, "%u setting%s changed:", d->n, d->n == 1 ? "" : "s");
	for (unsigned int i = 0; i < d->n && i < PG_RELOAD_NAMES_MAX && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s %s", i ? "," : "", d->names[i]);
	if (d->n > PG_RELOAD_NAMES_MAX && off < len)
		snprintf(buf + off, len - off, ", ...");
}

static int refuse(struct pg_api *api, int r, char *msg, size_t msglen, const char *why)
{
	char line[PG_API_LOG_LINE_MAX];

	snprintf(msg, msglen, "reload refused, running configuration kept: %s", why);
	pg_err("config: %s", msg);
	snprintf(line, sizeof(line), "config: %s", msg);
	pg_api_log_add(api, "error", line);
	return r;
}

static int do_reload(struct pg_api *api, struct pg_reload_diff *d, uint32_t *flows, char *msg,
		     size_t msglen)
{
	struct pg_config *cur = api->env.cfg, next;
	const char *path = api->env.cfg_path;
	char err[PG_CONFIG_ERR_SIZE], what[PG_API_LOG_LINE_MAX], line[PG_API_LOG_LINE_MAX];
	bool creds;
	int r;

	if (!path)
		return refuse(api, -ENOENT, msg, msglen,
			      "no configuration file: passgated runs its built-in configuration "
			      "(start it with -c FILE)");
	r = pg_config_load(&next, path, err, sizeof(err));
	if (r)
		return refuse(api, r, msg, msglen, err);
	r = pg_reload_check(cur, &next, err, sizeof(err));
	if (r) {
		pg_config_free(&next);
		return refuse(api, r, msg, msglen, err);
	}
	/* Not in the file: the flow hash key of this run must stay. */
	memcpy(next.engine.hash_seed, cur->engine.hash_seed, sizeof(cur->engine.hash_seed));
	r = pg_api_reconfigure(api, &next.engine, flows);
	if (r) {
		snprintf(err, sizeof(err), "%s: the engine refused it: %s", path, strerror(-r));
		pg_config_free(&next);
		return refuse(api, r, msg, msglen, err);
	}
	pg_reload_diff(cur, &next, d);
	creds = pg_reload_credentials_changed(cur, &next);
	pg_log_set_level(next.log_level);
	pg_config_free(cur);
	*cur = next;
	if (creds) {
		/* The old secrets must stop working: their cache and sessions go. */
		pg_auth_init(&api->auth, &cur->api);
	}
	describe(d, what, sizeof(what));
	snprintf(msg, msglen, "reloaded %s: %s%s", path, what,
		 creds ? " (credentials changed: logged-in sessions ended)" : "");
	snprintf(line, sizeof(line), "config: %s", msg);
	pg_info("%s", line);
	pg_api_log_add(api, "info", line);
	return 0;
}

int pg_api_reload(struct pg_api *api, char *msg, size_t msglen)
{
	struct pg_reload_diff d;

	return do_reload(api, &d, NULL, msg, msglen);
}

void pg_api_post_reload(struct pg_api *api, const struct pg_api_req *req,
			struct pg_api_resp *resp)
{
	struct pg_reload_diff d;
	struct json_object *o, *names;
	char msg[PG_CONFIG_ERR_SIZE + 64];
	uint32_t flows = 0;
	int r;

	(void)req;
	memset(&d, 0, sizeof(d));
	r = do_reload(api, &d, &flows, msg, sizeof(msg));
	if (r) {
		pg_api_error(resp, r == -ENOENT && !api->env.cfg_path ? 409
				   : r == -ENOMEM			     ? 500
									     : 400,
			     NULL, "%s", msg);
		return;
	}
	o = json_object_new_object();
	names = json_object_new_array();
	for (unsigned int i = 0; i < d.n && i < PG_RELOAD_NAMES_MAX; i++)
		json_object_array_add(names, json_object_new_string(d.names[i]));
	json_object_object_add(o, "file", json_object_new_string(api->env.cfg_path));
	json_object_object_add(o, "changed", names);
	json_object_object_add(o, "changed_count", json_object_new_int64(d.n));
	json_object_object_add(o, "message", json_object_new_string(msg));
	json_object_object_add(o, "flows", json_object_new_int64(flows));
	pg_api_json(resp, 200, o);
}
