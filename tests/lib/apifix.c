/* SPDX-License-Identifier: MIT */
/*
 * apifix.c - the API's handlers over a configuration file of their own
 * (apifix.h says what for).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apifix.h"
#include "conf/config_history.h"

int pgt_api_write(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	if (!fp) {
		perror(path);
		return -1;
	}
	fputs(text, fp);
	if (fclose(fp)) {
		perror(path);
		return -1;
	}
	return 0;
}

char *pgt_api_read(const char *path)
{
	char *t = NULL;
	size_t len = 0;

	if (pg_cfghist_read_file(path, 1 << 20, &t, &len)) {
		fprintf(stderr, "apifix: cannot read %s\n", path);
		return NULL;
	}
	return t;
}

int pgt_api_load(struct pgt_api *a, const char *name, const char *text)
{
	char err[PG_CONFIG_ERR_SIZE];
	int fd;

	memset(a, 0, sizeof(*a));
	snprintf(a->path, sizeof(a->path), "/tmp/pg-test-%s-XXXXXX", name);
	fd = mkstemp(a->path);
	if (fd < 0) {
		perror(a->path);
		a->path[0] = '\0';
		return -1;
	}
	close(fd);
	if (pgt_api_write(a->path, text))
		return -1;
	if (pg_config_load(&a->cfg, a->path, err, sizeof(err))) {
		fprintf(stderr, "apifix: %s\n", err);
		return -1;
	}
	return 0;
}

int pgt_api_start(struct pgt_api *a, struct pg_api_env *env)
{
	char err[PG_CONFIG_ERR_SIZE];

	a->engine = pg_engine_create(&a->cfg.engine);
	if (!a->engine) {
		perror("apifix: pg_engine_create");
		return -1;
	}
	a->one = PG_ENGINES_ONE(a->engine);
	env->engines = &a->one;
	env->cfg = &a->cfg;
	env->cfg_path = a->path;
	env->start_ms = 1000;
	a->api = pg_api_create(env, err, sizeof(err));
	if (!a->api) {
		fprintf(stderr, "apifix: pg_api_create: %s\n", err);
		return -1;
	}
	return 0;
}

int pgt_api_open(struct pgt_api *a, const char *name, const char *text)
{
	struct pg_api_env env;

	memset(&env, 0, sizeof(env));
	if (pgt_api_load(a, name, text))
		return -1;
	return pgt_api_start(a, &env);
}

void pgt_api_close(struct pgt_api *a)
{
	if (a->api)
		pg_api_destroy(a->api);
	if (a->engine)
		pg_engine_destroy(a->engine);
	pg_config_free(&a->cfg);
	if (a->path[0])
		unlink(a->path);
	memset(a, 0, sizeof(*a));
}

void pgt_api_req(struct pg_api_req *req, const char *method, const char *path, char *buf,
		 size_t pathlen, const char *body)
{
	char *q;

	memset(req, 0, sizeof(*req));
	snprintf(buf, pathlen, "%s", path);
	q = strchr(buf, '?');
	if (q) {
		char *save = NULL;

		*q++ = '\0';
		for (char *kv = strtok_r(q, "&", &save); kv; kv = strtok_r(NULL, "&", &save)) {
			char *eq = strchr(kv, '=');

			if (eq)
				*eq++ = '\0';
			if (req->nargs == PG_API_MAX_ARGS) {
				req->args_cut = true; /* as api.c's collect_arg() */
				break;
			}
			req->args[req->nargs].key = kv;
			req->args[req->nargs++].value = eq ? eq : "";
		}
	}
	req->method = method;
	req->path = buf;
	req->body = body ? body : "";
	req->body_len = body ? strlen(body) : 0;
}

unsigned int pgt_api_send(struct pg_api *api, const struct pg_api_req *req,
			  struct json_object **out)
{
	struct pg_api_resp resp;

	pg_api_handle(api, req, &resp);
	if (out)
		*out = resp.content_type && strstr(resp.content_type, "json")
			       ? json_tokener_parse(resp.body)
			       : NULL;
	if (!resp.body_static)
		free(resp.body);
	return resp.status;
}

unsigned int pgt_api_call(struct pg_api *api, const char *method, const char *path,
			  const char *body, const char *auth, bool local, struct json_object **out)
{
	struct pg_api_req req;
	char p[256];

	pgt_api_req(&req, method, path, p, sizeof(p), body);
	req.local = local;
	if (!local) {
		req.authorization = auth;
		req.client = 0x7f000001;
	}
	return pgt_api_send(api, &req, out);
}

struct json_object *pgt_jget(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	json_object_object_get_ex(o, key, &v);
	return v;
}
