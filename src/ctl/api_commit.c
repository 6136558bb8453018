/* SPDX-License-Identifier: MIT */
/*
 * api_commit.c - making an edited configuration the running one.
 *
 * Order matters: the new configuration is validated as a whole, saved
 * (temporary file, fsync, rename: config_write.c, on the control thread),
 * and only then handed to the engine, between two batches (a job on the
 * data path's thread, api_dp.c). If
 * saving fails nothing changes; if the engine refused (it validated the
 * same thing, so this should not happen) the old file is written back. The
 * engine keeps its flow table across pg_engine_reconfigure(): established
 * flows survive every change the API can make.
 *
 * With ?confirm=SECS the change is applied the same way and then put on
 * probation (api_safe.c): the daemon itself goes back to the text before
 * it unless the change is confirmed in time.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/api_internal.h"
#include "util/log.h"

int pg_api_config_copy(struct pg_api *api, struct pg_config *next, struct pg_api_resp *resp)
{
	const struct pg_config *cur = api->env.cfg;
	char err[PG_CONFIG_ERR_SIZE];

	if (pg_config_parse(next, cur->doc.name, cur->doc.text, cur->doc.text_len, err,
			    sizeof(err))) {
		/* The running text parsed when it was loaded; only memory can fail here. */
		pg_api_error(resp, 500, NULL, "%s", err);
		return -1;
	}
	return 0;
}

void pg_api_commit(struct pg_api *api, struct pg_config *next, const char *what,
		   const struct pg_api_req *req, struct pg_api_resp *resp)
{
	struct pg_config *cur = api->env.cfg;
	const char *path = api->env.cfg_path, *why = NULL;
	char line[PG_API_LOG_LINE_MAX], risky_names[PG_API_LOG_LINE_MAX], *prev;
	struct json_object *o, *risky;
	size_t prev_len;
	uint32_t secs;
	int r;

	if (pg_api_safe_begin(api, req, &secs, resp)) {
		pg_config_free(next);
		return;
	}
	/* Not in the file: the flow hash key of this run must stay. */
	memcpy(next->engine.hash_seed, cur->engine.hash_seed, sizeof(cur->engine.hash_seed));
	if (pg_engines_validate(&next->engine, api->env.engines->n, &why)) {
		pg_api_error(resp, 400, NULL, "%s", why ? why : "invalid configuration");
		pg_config_free(next);
		return;
	}
	/* The text before the change: the history and a probation go back to it. */
	prev_len = cur->doc.text_len;
	prev = malloc(prev_len + 1);
	if (!prev) {
		pg_api_error(resp, 500, NULL, "out of memory; nothing changed");
		pg_config_free(next);
		return;
	}
	memcpy(prev, cur->doc.text, prev_len);
	prev[prev_len] = '\0';
	risky = pg_api_safe_risky(cur, next, risky_names, sizeof(risky_names));
	if (path) {
		r = pg_api_config_save(api, next);
		if (r) {
			pg_api_error(resp, 500, NULL, "cannot save %s: %s; nothing changed", path,
				     strerror(-r));
			goto fail;
		}
	}
	r = pg_api_reconfigure(api, &next->engine, NULL);
	if (r) {
		if (path && pg_api_config_save(api, cur))
			pg_err("api: %s could not be restored after a refused change", path);
		pg_api_error(resp, 400, NULL, "the engine refused the change: %s", strerror(-r));
		goto fail;
	}
	pg_log_set_level(next->log_level);
	pg_config_free(cur);
	*cur = *next;
	snprintf(line, sizeof(line), "config: %s%s%s", what,
		 path ? ", saved to " : " (built-in configuration: not saved)", path ? path : "");
	pg_info("%s", line);
	pg_api_log_add(api, "info", line);
	if (risky_names[0] && !secs) {
		snprintf(line, sizeof(line),
			 "config: this change could lock the admin out (%.100s) and was made "
			 "without ?confirm=SECS", risky_names);
		pg_warn("%s", line);
		pg_api_log_add(api, "warning", line);
	}
	r = pg_api_safe_done(api, prev, prev_len, secs, what);
	free(prev);
	o = pg_api_config_json(api);
	json_object_object_add(o, "lockout_risk", risky);
	if (r)
		json_object_object_add(o, "warning", json_object_new_string(
						  "applied, but not on probation: no rollback is armed"));
	pg_api_json(resp, 200, o);
	return;
fail:
	json_object_put(risky);
	free(prev);
	pg_config_free(next);
}
