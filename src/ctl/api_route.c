/* SPDX-License-Identifier: MIT */
/*
 * api_route.c - which handler answers a request, and the gate in front of
 * it: who may read, who may change (docs/API.md "Authentication").
 *
 * With a password or token configured every /api/ path and /metrics needs
 * it, except logging in. Without one the API can only listen on loopback
 * (config_api.c refuses anything else at load), reads are open to local
 * users, and nothing can be changed: a change answers 403 and says how to
 * set a password.
 *
 * Requests on the control socket (req->local) pass the gate: only root can
 * connect to it (ctlsock.c), which is as strong as any password here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/api_internal.h"
#include "util/log.h"

enum access {
	A_OPEN,	 /* the page's files, login */
	A_READ,	 /* needs authentication if any is configured */
	A_WRITE, /* always needs authentication */
};

struct route {
	const char *method;
	const char *path;   /* exact, or a prefix when it ends with '/' */
	enum access access;
	void (*fn)(struct pg_api *api, const char *rest, const struct pg_api_req *req,
		   struct pg_api_resp *resp);
};

const char *pg_api_arg(const struct pg_api_req *req, const char *key)
{
	for (unsigned int i = 0; i < req->nargs; i++)
		if (!strcmp(req->args[i].key, key))
			return req->args[i].value;
	return NULL;
}

static void r_status(struct pg_api *api, const char *rest, const struct pg_api_req *req,
		     struct pg_api_resp *resp)
{
	(void)rest;
	pg_api_get_status(api, req, resp);
}

static void r_flows(struct pg_api *api, const char *rest, const struct pg_api_req *req,
		    struct pg_api_resp *resp)
{
	(void)rest;
	pg_api_get_flows(api, req, resp);
}

static void r_del_flows(struct pg_api *api, const char *rest, const struct pg_api_req *req,
			struct pg_api_resp *resp)
{
	(void)rest;
	pg_api_delete_flows(api, req, resp);
}

static void r_history(struct pg_api *api, const char *rest, const struct pg_api_req *req,
		      struct pg_api_resp *resp)
{
	(void)rest;
	pg_api_get_history(api, req, resp);
}

static void r_sessions(struct pg_api *api, const char *rest, const struct pg_api_req *req,
		       struct pg_api_resp *resp)
{
	(void)rest;
	pg_api_get_sessions(api, req, resp);
}

static void r_events(struct pg_api *api, const char *rest, const struct pg_api_req *req,
		     struct pg_api_resp *resp)
{
	(void)rest;
	pg_api_get_events(api, req, resp);
}

static void r_config(struct pg_api *api, const char *rest, const struct pg_api_req *req,
		     struct pg_api_resp *resp)
{
	(void)rest;
	pg_api_get_config(api, req, resp);
}

static void r_put_section(struct pg_api *api, const char *rest, const struct pg_api_req *req,
			  struct pg_api_resp *resp)
{
	pg_api_put_section(api, rest, req, resp);
}

static void r_forwards(struct pg_api *api, const char *rest, const struct pg_api_req *req,
		       struct pg_api_resp *resp)
{
	(void)rest;
	pg_api_get_forwards(api, req, resp);
}

static void r_add_forward(struct pg_api *api, const char *rest, const struct pg_api_req *req,
			  struct pg_api_resp *resp)
{
	(void)rest;
	pg_api_add_forward(api, req, resp);
}

static void r_del_forward(struct pg_api *api, const char *rest, const struct pg_api_req *req,
			  struct pg_api_resp *resp)
{
	pg_api_del_forward(api, rest, req, resp);
}

static void r_metrics(struct pg_api *api, const char *rest, const struct pg_api_req *req,
		      struct pg_api_resp *resp)
{
	(void)rest;
	(void)req;
	pg_metrics_render(api, resp);
}

static void r_auth(struct pg_api *api, const char *rest, const struct pg_api_req *req,
		   struct pg_api_resp *resp)
{
	struct json_object *o = json_object_new_object();
	const struct pg_config_api *ac = api->auth.cfg;

	(void)rest;
	(void)req;
	json_object_object_add(o, "password", json_object_new_boolean(ac->password_hash[0]));
	json_object_object_add(o, "token", json_object_new_boolean(ac->token_hash[0]));
	json_object_object_add(o, "changes_allowed",
			       json_object_new_boolean(pg_auth_enabled(&api->auth)));
	pg_api_json(resp, 200, o);
}

static void limited(struct pg_api *api, const struct pg_api_req *req, struct pg_api_resp *resp)
{
	uint64_t ms = pg_auth_retry_after(&api->auth, req->client, api->now_ms);

	pg_api_error(resp, 429, NULL, "too many failed or rationed login attempts; try again later");
	resp->retry_after_s = (unsigned int)(ms / 1000 + 1);
}

static void r_login(struct pg_api *api, const char *rest, const struct pg_api_req *req,
		    struct pg_api_resp *resp)
{
	char sid[PG_AUTH_SESSION_HEX + 1];
	struct json_object *body, *pw, *o;
	enum pg_auth_result r;

	(void)rest;
	body = pg_api_body_object(req, resp);
	if (!body)
		return;
	if (!json_object_object_get_ex(body, "password", &pw) ||
	    !json_object_is_type(pw, json_type_string)) {
		json_object_put(body);
		pg_api_error(resp, 400, "password", "expected {\"password\": \"...\"}");
		return;
	}
	r = pg_auth_login(&api->auth, json_object_get_string(pw), req->client, api->now_ms, sid);
	json_object_put(body);
	switch (r) {
	case PG_AUTH_OK:
		o = json_object_new_object();
		json_object_object_add(o, "session", json_object_new_string(sid));
		pg_api_json(resp, 200, o);
		explicit_bzero(sid, sizeof(sid));
		return;
	case PG_AUTH_DISABLED:
		pg_api_error(resp, 403, "password",
			     "no password is configured: set [api] password_hash (make one with "
			     "'passgated --hash-password')");
		return;
	case PG_AUTH_LIMITED:
		limited(api, req, resp);
		return;
	default:
		pg_warn("api: failed login from %s",
			req->client_text[0] ? req->client_text : "an unknown address");
		pg_api_error(resp, 401, "password", "wrong password");
		return;
	}
}

static void r_logout(struct pg_api *api, const char *rest, const struct pg_api_req *req,
		     struct pg_api_resp *resp)
{
	(void)rest;
	if (req->authorization && !strncmp(req->authorization, "Bearer ", 7))
		pg_auth_logout(&api->auth, req->authorization + 7);
	pg_api_json(resp, 200, json_object_new_object());
}

static void r_reload(struct pg_api *api, const char *rest, const struct pg_api_req *req,
		     struct pg_api_resp *resp)
{
	(void)rest;
	pg_api_post_reload(api, req, resp);
}

static const struct route routes[] = {
	{"POST", "/api/v1/login", A_OPEN, r_login},
	{"POST", "/api/v1/logout", A_OPEN, r_logout},
	{"GET", "/api/v1/auth", A_OPEN, r_auth},
	{"GET", "/api/v1/status", A_READ, r_status},
	{"GET", "/api/v1/flows", A_READ, r_flows},
	{"DELETE", "/api/v1/flows", A_WRITE, r_del_flows},
	{"GET", "/api/v1/sessions", A_READ, r_sessions},
	{"GET", "/api/v1/history", A_READ, r_history},
	{"GET", "/api/v1/history/sessions", A_READ, pg_api_shist_get},
	{"GET", "/api/v1/events", A_READ, r_events},
	{"GET", "/api/v1/config", A_READ, r_config},
	{"PUT", "/api/v1/config/", A_WRITE, r_put_section},
	{"GET", "/api/v1/config/pending", A_READ, pg_api_safe_pending},
	{"POST", "/api/v1/config/confirm", A_WRITE, pg_api_safe_confirm},
	{"DELETE", "/api/v1/config/pending", A_WRITE, pg_api_safe_cancel},
	/* The text holds the credential hashes: credentials even to read. */
	{"GET", "/api/v1/config/diff", A_WRITE, pg_api_safe_diff},
	{"GET", "/api/v1/config/history", A_READ, pg_api_safe_history},
	/* Settings that wait for a restart; the file's text: credentials even to read. */
	{"GET", "/api/v1/config/restart", A_WRITE, pg_api_restart_get},
	{"PUT", "/api/v1/config/restart/", A_WRITE, pg_api_restart_put},
	{"DELETE", "/api/v1/config/restart", A_WRITE, pg_api_restart_discard},
	{"POST", "/api/v1/config/rollback", A_WRITE, pg_api_safe_rollback},
	{"GET", "/api/v1/forwards", A_READ, r_forwards},
	{"POST", "/api/v1/forwards", A_WRITE, r_add_forward},
	{"DELETE", "/api/v1/forwards/", A_WRITE, r_del_forward},
	{"GET", "/api/v1/lists/", A_READ, pg_api_list_get},
	{"POST", "/api/v1/lists/", A_WRITE, pg_api_list_add},
	{"DELETE", "/api/v1/lists/", A_WRITE, pg_api_list_del},
	{"GET", "/metrics", A_READ, r_metrics},
	{"GET", "/api/v1/wan", A_READ, pg_api_wan_get},
	{"GET", "/api/v1/tunnel", A_READ, pg_api_tunnel_get},
	{"POST", "/api/v1/wan/", A_WRITE, pg_api_wan_post},
	{"GET", "/api/v1/ha", A_READ, pg_api_ha_get},
	{"POST", "/api/v1/ha/", A_WRITE, pg_api_ha_post},
	{"POST", "/api/v1/reload", A_WRITE, r_reload},
	/* A capture holds other people's packets: credentials even to read. */
	{"POST", "/api/v1/capture", A_WRITE, pg_api_capture_post},
	{"GET", "/api/v1/capture", A_WRITE, pg_api_capture_get},
	{"DELETE", "/api/v1/capture", A_WRITE, pg_api_capture_delete},
	{"POST", "/api/v1/capture/stop", A_WRITE, pg_api_capture_stop},
	{"GET", "/api/v1/capture/pcap", A_WRITE, pg_api_capture_pcap},
	/* Sends packets from the gateway: a change's credentials to start one. */
	{"POST", "/api/v1/diagnose", A_WRITE, pg_api_diag_post},
	{"GET", "/api/v1/diagnose", A_READ, pg_api_diag_get},
};

#define N_ROUTES (sizeof(routes) / sizeof(routes[0]))

/* Does path match route r? Sets *rest to what a prefix route leaves. */
static bool path_match(const struct route *r, const char *path, const char **rest)
{
	size_t n = strlen(r->path);

	if (r->path[n - 1] == '/') {
		if (strncmp(path, r->path, n) || !path[n] || strchr(path + n, '/'))
			return false;
		*rest = path + n;
		return true;
	}
	*rest = "";
	return !strcmp(path, r->path);
}

/* The gate: 0 to go on, or resp filled with the refusal. */
static int gate(struct pg_api *api, enum access acc, const struct pg_api_req *req,
		struct pg_api_resp *resp)
{
	enum pg_auth_result r;

	if (acc == A_OPEN || req->local)
		return 0;
	r = pg_auth_check(&api->auth, req->authorization, req->client, api->now_ms);
	switch (r) {
	case PG_AUTH_OK:
		return 0;
	case PG_AUTH_DISABLED:
		if (acc == A_READ)
			return 0;
		pg_api_error(resp, 403, NULL,
			     "changes need a password or token, and none is configured: set [api] "
			     "password_hash or token_hash (make one with 'passgated "
			     "--hash-password')");
		return -1;
	case PG_AUTH_LIMITED:
		limited(api, req, resp);
		return -1;
	case PG_AUTH_MISSING:
		pg_api_error(resp, 401, NULL, "log in first (password or token)");
		resp->www_authenticate = "Bearer realm=\"passgate\"";
		return -1;
	default:
		pg_api_error(resp, 401, NULL, "wrong password, token or session");
		resp->www_authenticate = "Bearer realm=\"passgate\"";
		return -1;
	}
}

void pg_api_handle(struct pg_api *api, const struct pg_api_req *req, struct pg_api_resp *resp)
{
	bool path_known = false;
	const char *rest;

	memset(resp, 0, sizeof(*resp));
	if (!strcmp(req->method, "GET") && strncmp(req->path, "/api/", 5) &&
	    pg_api_web(req->path, resp))
		return;
	for (unsigned int i = 0; i < N_ROUTES; i++) {
		const struct route *r = &routes[i];

		if (!path_match(r, req->path, &rest))
			continue;
		path_known = true;
		if (strcmp(r->method, req->method))
			continue;
		if (gate(api, r->access, req, resp))
			return;
		r->fn(api, rest, req, resp);
		return;
	}
	if (path_known)
		pg_api_error(resp, 405, NULL, "%s is not allowed on %s", req->method, req->path);
	else
		pg_api_error(resp, 404, NULL, "no such path: %s", req->path);
}
