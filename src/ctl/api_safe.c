/* SPDX-License-Identifier: MIT */
/*
 * api_safe.c - safe changes: a change applied on probation and rolled back
 * by the daemon unless confirmed in time, the configurations kept in the
 * state directory, and a diff of the running configuration against the
 * file or a kept one (docs/API.md "Safe changes", docs/CONFIG.md).
 *
 * Theory of operation. Any change (PUT /api/v1/config/SECTION, a forward
 * added or removed, POST /api/v1/reload, POST /api/v1/config/rollback)
 * taking ?confirm=SECS is applied as usual (engine, file, log) and its
 * predecessor's text is kept with a deadline (conf/confirm.c). The
 * deadline is watched by pg_api_tick() on the control thread, not by a
 * client: when the change cut the admin off, no client can reach the
 * daemon to undo it. On the deadline the old text is applied exactly as a
 * reload applies a file (parsed, checked against what needs a restart,
 * swapped in between two batches with the flow table kept) and written
 * back to the file, and the rollback is logged and shown in status. While
 * a change waits, other changes are refused (409): undoing one of two
 * stacked changes would restore a state nobody chose.
 *
 * Every configuration that becomes the running one is also kept in
 * STATE/config.d (conf/config_history.c), newest first, for diff and rollback.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl/api_internal.h"
#include "conf/reload.h"
#include "conf/textdiff.h"
#include "util/log.h"

static void log_both(struct pg_api *api, const char *level, const char *text)
{
	if (!strcmp(level, "error"))
		pg_err("%s", text);
	else if (!strcmp(level, "warning"))
		pg_warn("%s", text);
	else
		pg_info("%s", text);
	pg_api_log_add(api, level, text);
}

static void history_save(struct pg_api *api)
{
	const struct pg_config *cfg = api->env.cfg;
	struct pg_api_safe *s = &api->safe;
	int r;

	s->history.keep = cfg->api.config_history;
	if (!s->history.dir[0] || !s->history.keep)
		return;
	r = pg_cfghist_save(&s->history, cfg->doc.text, cfg->doc.text_len);
	if (r)
		pg_warn("config: cannot keep a copy in %s: %s", s->history.dir, strerror(-r));
}

int pg_api_safe_begin(struct pg_api *api, const struct pg_api_req *req, uint32_t *secs,
		      struct pg_api_resp *resp)
{
	const char *arg = pg_api_arg(req, "confirm");
	const struct pg_confirm *p = &api->safe.pending;

	*secs = 0;
	if (arg && pg_confirm_parse_seconds(arg, secs)) {
		pg_api_error(resp, 400, "confirm", "confirm: seconds from %d to %d", PG_CONFIRM_MIN_S,
			     PG_CONFIRM_MAX_S);
		return -1;
	}
	if (p->armed) {
		pg_api_error(resp, 409, NULL,
			     "a change waits for its confirmation (%u s left: %s); confirm it "
			     "(POST /api/v1/config/confirm) or roll it back "
			     "(DELETE /api/v1/config/pending) first",
			     pg_confirm_left_s(p, api->now_ms), p->what);
		return -1;
	}
	return 0;
}

int pg_api_safe_done(struct pg_api *api, const char *prev, size_t prev_len, uint32_t secs,
		     const char *what)
{
	char line[PG_API_LOG_LINE_MAX];
	int r;

	history_save(api);
	if (!secs)
		return 0;
	r = pg_confirm_arm(&api->safe.pending, api->now_ms, (int64_t)time(NULL), secs, prev,
			   prev_len, what);
	if (r) {
		snprintf(line, sizeof(line), "config: cannot put the change on probation: %s",
			 strerror(-r));
		log_both(api, "error", line);
		return r;
	}
	snprintf(line, sizeof(line), "config: rolled back in %u s unless confirmed: %.120s", secs,
		 what);
	log_both(api, "warning", line);
	return 0;
}

/*
 * Make text the running configuration and the file's, as a reload does
 * (reload.c's rules). 0, or -errno with the reason in msg; on an error the
 * running configuration and the file stay.
 */
static int apply_text(struct pg_api *api, const char *text, size_t len, char *msg, size_t msglen)
{
	struct pg_config *cur = api->env.cfg, next;
	const char *path = api->env.cfg_path;
	char err[PG_CONFIG_ERR_SIZE];
	bool creds;
	int r;

	r = pg_config_parse(&next, cur->doc.name, text, len, err, sizeof(err));
	if (r) {
		snprintf(msg, msglen, "%s", err);
		return r;
	}
	r = pg_reload_check(cur, &next, err, sizeof(err));
	if (r) {
		snprintf(msg, msglen, "%s", err);
		goto fail;
	}
	/* Not in the file: the flow hash key of this run must stay. */
	memcpy(next.engine.hash_seed, cur->engine.hash_seed, sizeof(cur->engine.hash_seed));
	if (path) {
		r = pg_api_config_save(api, &next);
		if (r) {
			snprintf(msg, msglen, "cannot save %s: %s", path, strerror(-r));
			goto fail;
		}
	}
	r = pg_api_reconfigure(api, &next.engine, NULL);
	if (r) {
		if (path && pg_api_config_save(api, cur))
			pg_err("config: %s could not be restored after a refused change", path);
		snprintf(msg, msglen, "the engine refused it: %s", strerror(-r));
		goto fail;
	}
	creds = pg_reload_credentials_changed(cur, &next);
	pg_log_set_level(next.log_level);
	pg_config_free(cur);
	*cur = next;
	if (creds)
		pg_auth_init(&api->auth, &cur->api); /* old secrets and sessions stop working */
	history_save(api);
	return 0;
fail:
	pg_config_free(&next);
	return r;
}

/* Undo the waiting change; why: "not confirmed in 8 s", "asked for". */
static int undo(struct pg_api *api, const char *why, char *msg, size_t msglen)
{
	struct pg_api_safe *s = &api->safe;
	char line[PG_API_LOG_LINE_MAX];
	int r;

	r = apply_text(api, s->pending.prev_text, s->pending.prev_len, msg, msglen);
	if (r) {
		/* The old text ran before: this is memory or a failing disk. Keep trying. */
		snprintf(line, sizeof(line), "config: rollback of '%.80s' failed: %.80s",
			 s->pending.what, msg);
		log_both(api, "error", line);
		return r;
	}
	snprintf(s->rolled_back, sizeof(s->rolled_back), "%s: %s", why, s->pending.what);
	s->rolled_back_at = (int64_t)time(NULL);
	snprintf(msg, msglen, "change %s, previous configuration restored%s%s", why,
		 api->env.cfg_path ? " and saved to " : "",
		 api->env.cfg_path ? api->env.cfg_path : "");
	/* The full line (with the file's path) to the log; the events keep what fits. */
	pg_warn("config: '%s' %s", s->pending.what, msg);
	snprintf(line, sizeof(line), "config: rolled back '%.80s': %s", s->pending.what, why);
	pg_api_log_add(api, "warning", line);
	pg_confirm_disarm(&s->pending);
	return 0;
}

void pg_api_tick(struct pg_api *api, uint64_t now_ms)
{
	struct pg_api_safe *s;
	char msg[PG_CONFIG_ERR_SIZE + 128], why[64];
	int r;

	if (!api)
		return;
	s = &api->safe;
	api->now_ms = now_ms;
	pg_api_shist_tick(api, now_ms); /* per-session graphs, while watched */
	if (!s->started) {
		s->started = true;
		/* Set at start: the state directory is handed over only then (passgated.c). */
		if (api->env.state_dir && api->env.cfg_path && api->env.cfg->api.config_history) {
			r = pg_cfghist_init(&s->history, api->env.state_dir, PG_CFGHIST_MAX);
			if (r)
				pg_warn("config: no copies of past configurations in %s/%s: %s",
					api->env.state_dir, PG_CFGHIST_SUBDIR, strerror(-r));
			history_save(api);
		}
	}
	if (!pg_confirm_due(&s->pending, now_ms))
		return;
	snprintf(why, sizeof(why), "not confirmed within %u s", s->pending.seconds);
	if (undo(api, why, msg, sizeof(msg)))
		s->pending.deadline_ms = now_ms + 1000; /* try again in a second */
}

void pg_api_safe_json(struct pg_api *api, struct json_object *o)
{
	const struct pg_api_safe *s = &api->safe;
	struct json_object *p = NULL;

	if (s->pending.armed) {
		p = json_object_new_object();
		json_object_object_add(p, "what", json_object_new_string(s->pending.what));
		json_object_object_add(p, "seconds", json_object_new_int64(s->pending.seconds));
		json_object_object_add(p, "seconds_left", json_object_new_int64(pg_confirm_left_s(
								  &s->pending, api->now_ms)));
		json_object_object_add(p, "since", json_object_new_int64(s->pending.armed_at));
	}
	json_object_object_add(o, "pending", p);
	p = NULL;
	if (s->rolled_back_at) {
		p = json_object_new_object();
		json_object_object_add(p, "time", json_object_new_int64(s->rolled_back_at));
		json_object_object_add(p, "what", json_object_new_string(s->rolled_back));
	}
	json_object_object_add(o, "last_rollback", p);
}

struct json_object *pg_api_safe_risky(const struct pg_config *cur, const struct pg_config *next,
				      char *names, size_t len)
{
	struct json_object *a = json_object_new_array();
	struct pg_reload_diff *d = malloc(sizeof(*d));

	if (len)
		names[0] = '\0';
	if (!d)
		return a;
	pg_reload_diff(cur, next, d);
	pg_confirm_risky(d, names, len);
	for (unsigned int i = 0; i < d->n && i < PG_RELOAD_NAMES_MAX; i++)
		if (pg_confirm_risky_name(d->names[i]))
			json_object_array_add(a, json_object_new_string(d->names[i]));
	free(d);
	return a;
}

void pg_api_safe_pending(struct pg_api *api, const char *rest, const struct pg_api_req *req,
			 struct pg_api_resp *resp)
{
	struct json_object *o = json_object_new_object();

	(void)rest;
	(void)req;
	pg_api_safe_json(api, o);
	pg_api_json(resp, 200, o);
}

void pg_api_safe_confirm(struct pg_api *api, const char *rest, const struct pg_api_req *req,
			 struct pg_api_resp *resp)
{
	struct pg_confirm *p = &api->safe.pending;
	char line[PG_API_LOG_LINE_MAX];
	struct json_object *o;

	(void)rest;
	(void)req;
	if (!p->armed) {
		pg_api_error(resp, 409, NULL, "no change waits for a confirmation");
		return;
	}
	snprintf(line, sizeof(line), "config: confirmed with %u s left: %.140s",
		 pg_confirm_left_s(p, api->now_ms), p->what);
	log_both(api, "info", line);
	o = json_object_new_object();
	json_object_object_add(o, "confirmed", json_object_new_string(p->what));
	pg_confirm_disarm(p);
	pg_api_json(resp, 200, o);
}

void pg_api_safe_cancel(struct pg_api *api, const char *rest, const struct pg_api_req *req,
			struct pg_api_resp *resp)
{
	char msg[PG_CONFIG_ERR_SIZE + 128];
	struct json_object *o;

	(void)rest;
	(void)req;
	if (!api->safe.pending.armed) {
		pg_api_error(resp, 409, NULL, "no change waits for a confirmation");
		return;
	}
	if (undo(api, "rolled back on request", msg, sizeof(msg))) {
		pg_api_error(resp, 500, NULL, "rollback failed: %s", msg);
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "message", json_object_new_string(msg));
	pg_api_json(resp, 200, o);
}

/* ?to=K or ?against=K: a revision number 0..PG_CFGHIST_MAX. */
static int revision_arg(const char *s, unsigned int *k)
{
	unsigned int v = 0;

	if (!s || !*s || strlen(s) > 3)
		return -EINVAL;
	for (const char *c = s; *c; c++) {
		if (*c < '0' || *c > '9')
			return -EINVAL;
		v = v * 10 + (unsigned int)(*c - '0');
	}
	if (v > PG_CFGHIST_MAX)
		return -EINVAL;
	*k = v;
	return 0;
}

void pg_api_safe_diff(struct pg_api *api, const char *rest, const struct pg_api_req *req,
		      struct pg_api_resp *resp)
{
	const struct pg_config *cur = api->env.cfg;
	const char *against = pg_api_arg(req, "against");
	char *other = NULL, *diff = NULL, label[64];
	struct json_object *o;
	size_t olen = 0;
	unsigned int k = 0;
	int r;

	(void)rest;
	if (!against || !strcmp(against, "file")) {
		if (!api->env.cfg_path) {
			pg_api_error(resp, 409, NULL, "no configuration file: passgated runs its "
				     "built-in configuration");
			return;
		}
		r = pg_cfghist_read_file(api->env.cfg_path, PG_CONFIG_FILE_MAX, &other, &olen);
		if (r) {
			pg_api_error(resp, 500, NULL, "cannot read %s: %s", api->env.cfg_path,
				     strerror(-r));
			return;
		}
		snprintf(label, sizeof(label), "file");
	} else {
		if (revision_arg(against, &k)) {
			pg_api_error(resp, 400, "against",
				     "against: 'file' or a kept revision, 0 to %d", PG_CFGHIST_MAX);
			return;
		}
		r = pg_cfghist_get(&api->safe.history, k, &other, &olen);
		if (r) {
			pg_api_error(resp, 404, "against", "no kept configuration %u%s", k,
				     api->safe.history.dir[0] ? "" : " (none are kept: see [api] "
								      "config_history and -s)");
			return;
		}
		snprintf(label, sizeof(label), "revision %u", k);
	}
	/* Old first: what the file or revision has, turned into what runs. */
	r = pg_textdiff(other, olen, label, cur->doc.text, cur->doc.text_len, "running", &diff);
	free(other);
	if (r) {
		pg_api_error(resp, 500, NULL, "out of memory");
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "against", json_object_new_string(label));
	json_object_object_add(o, "same", json_object_new_boolean(!*diff));
	json_object_object_add(o, "diff", json_object_new_string(diff));
	free(diff);
	pg_api_json(resp, 200, o);
}

void pg_api_safe_history(struct pg_api *api, const char *rest, const struct pg_api_req *req,
			 struct pg_api_resp *resp)
{
	struct pg_cfghist_entry e[PG_CFGHIST_MAX];
	struct json_object *o = json_object_new_object(), *a = json_object_new_array();
	unsigned int n;

	(void)rest;
	(void)req;
	n = pg_cfghist_list(&api->safe.history, e, PG_CFGHIST_MAX);
	for (unsigned int i = 0; i < n; i++) {
		struct json_object *r = json_object_new_object();

		json_object_object_add(r, "revision", json_object_new_int64(i));
		json_object_object_add(r, "serial", json_object_new_int64(e[i].seq));
		json_object_object_add(r, "time", json_object_new_int64(e[i].mtime));
		json_object_object_add(r, "bytes", json_object_new_int64((int64_t)e[i].size));
		json_object_array_add(a, r);
	}
	json_object_object_add(o, "directory", api->safe.history.dir[0]
						       ? json_object_new_string(api->safe.history.dir)
						       : NULL);
	json_object_object_add(o, "keep", json_object_new_int64(api->env.cfg->api.config_history));
	json_object_object_add(o, "revisions", a);
	pg_api_json(resp, 200, o);
}

void pg_api_safe_rollback(struct pg_api *api, const char *rest, const struct pg_api_req *req,
			  struct pg_api_resp *resp)
{
	struct pg_config *cur = api->env.cfg;
	char msg[PG_CONFIG_ERR_SIZE + 128], what[80], *text = NULL, *prev;
	size_t len = 0, prev_len;
	unsigned int k;
	uint32_t secs;
	struct json_object *o;
	int r;

	(void)rest;
	if (revision_arg(pg_api_arg(req, "to"), &k) || !k) {
		pg_api_error(resp, 400, "to", "to: a kept revision, 1 to %d (0 is the running one)",
			     PG_CFGHIST_MAX);
		return;
	}
	if (pg_api_safe_begin(api, req, &secs, resp))
		return;
	r = pg_cfghist_get(&api->safe.history, k, &text, &len);
	if (r) {
		pg_api_error(resp, 404, "to", "no kept configuration %u", k);
		return;
	}
	/* apply_text() frees the running text: keep it for the probation. */
	prev_len = cur->doc.text_len;
	prev = malloc(prev_len + 1);
	if (!prev) {
		free(text);
		pg_api_error(resp, 500, NULL, "out of memory");
		return;
	}
	memcpy(prev, cur->doc.text, prev_len);
	prev[prev_len] = '\0';
	r = apply_text(api, text, len, msg, sizeof(msg));
	free(text);
	if (r) {
		free(prev);
		pg_api_error(resp, r == -ENOMEM ? 500 : 400, NULL,
			     "revision %u not applied, running configuration kept: %s", k, msg);
		return;
	}
	snprintf(what, sizeof(what), "rollback to revision %u", k);
	snprintf(msg, sizeof(msg), "config: %s%s%s", what,
		 api->env.cfg_path ? ", saved to " : "",
		 api->env.cfg_path ? api->env.cfg_path : "");
	log_both(api, "info", msg);
	r = pg_api_safe_done(api, prev, prev_len, secs, what);
	free(prev);
	o = json_object_new_object();
	json_object_object_add(o, "message", json_object_new_string(msg + 8));
	pg_api_safe_json(api, o);
	if (r)
		json_object_object_add(o, "warning",
				       json_object_new_string("applied without probation"));
	pg_api_json(resp, 200, o);
}
