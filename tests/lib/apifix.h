/* SPDX-License-Identifier: MIT */
/*
 * apifix.h - the API's handlers over a configuration file of their own, as
 * the daemon runs them: the file written to /tmp and loaded, one engine (a
 * daemon with one worker), pg_api_create() over both, and requests handed
 * to pg_api_handle() the way api.c hands over MHD's and the control
 * socket's. For the unit tests of the API (test_api, test_api_safe,
 * test_api_restart, test_reload, test_api_lists). No cmocka here: the
 * fuzzers link tests/lib too; failures return -1 with a message on stderr.
 */
#ifndef PGT_APIFIX_H
#define PGT_APIFIX_H

#include <json-c/json.h>

#include "conf/config.h"
#include "ctl/api_internal.h"
#include "engine/engines.h"

struct pgt_api {
	struct pg_config cfg;
	struct pg_engine *engine;
	struct pg_engines one;
	struct pg_api *api;
	char path[64];		/* the configuration file */
};

/*
 * text written to a new /tmp/pg-test-NAME-XXXXXX and loaded into a->cfg
 * (a zeroed first). 0, or -1 with the reason on stderr.
 */
int pgt_api_load(struct pgt_api *a, const char *name, const char *text);

/*
 * The engine from a->cfg and the API over it with env as the caller filled
 * it (state directory, capture, ...) and the engine, configuration, file
 * and start time (1000 ms) put in. 0, or -1 with the reason on stderr.
 */
int pgt_api_start(struct pgt_api *a, struct pg_api_env *env);

/* pgt_api_load() and pgt_api_start() with nothing else in the environment. */
int pgt_api_open(struct pgt_api *a, const char *name, const char *text);

/* The API, the engine and the configuration freed, the file removed. */
void pgt_api_close(struct pgt_api *a);

/* text written over the file at path; 0, or -1 with the reason on stderr. */
int pgt_api_write(const char *path, const char *text);

/* The file at path as text (malloc'd, up to 1 MiB), or NULL. */
char *pgt_api_read(const char *path);

/*
 * req for method and path (its "?a=b&c=d" split into req's arguments the
 * way MHD hands them over; path is copied into buf, pathlen long) with
 * body (NULL: none), nothing else set.
 */
void pgt_api_req(struct pg_api_req *req, const char *method, const char *path, char *buf,
		 size_t pathlen, const char *body);

/*
 * req handled: the status, *out (when out) the JSON the answer carries
 * (NULL when it is not JSON; json_object_put() it), the body freed.
 */
unsigned int pgt_api_send(struct pg_api *api, const struct pg_api_req *req,
			  struct json_object **out);

/*
 * method on path (arguments split as pgt_api_req() does) with body (NULL:
 * none): on the control socket when local (its permissions authenticate),
 * else from 127.0.0.1 with auth as the Authorization header (NULL: none).
 * As pgt_api_send().
 */
unsigned int pgt_api_call(struct pg_api *api, const char *method, const char *path,
			  const char *body, const char *auth, bool local, struct json_object **out);

/* o's member key, or NULL (o NULL too). */
struct json_object *pgt_jget(struct json_object *o, const char *key);

#endif /* PGT_APIFIX_H */
