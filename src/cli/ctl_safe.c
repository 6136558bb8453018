/* SPDX-License-Identifier: MIT */
/*
 * ctl_safe.c - passgatectl's safe-change commands (ctl_safe.h), over the
 * API of docs/API.md "Safe changes":
 *
 *   apply [--confirm SECS]        POST /api/v1/reload[?confirm=SECS]
 *   confirm                       POST /api/v1/config/confirm
 *   cancel                        DELETE /api/v1/config/pending
 *   config diff [file|K]          GET /api/v1/config/diff?against=...
 *   config history                GET /api/v1/config/history
 *   config rollback K [--confirm SECS]  POST /api/v1/config/rollback?to=K
 *   config pending                GET /api/v1/config/pending
 *
 * The timer that undoes an unconfirmed change runs in the daemon: this
 * tool only asks, and may lose the gateway right after asking.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/api_client.h"
#include "cli/ctl_reply.h"
#include "cli/ctl_safe.h"
#include "conf/confirm.h"

#define CALL_TIMEOUT_MS 10000

static struct json_object *call(const struct pg_ctl_target *t, const char *method,
				const char *path)
{
	struct pg_http_reply r;
	struct json_object *o;

	if (pg_http_request(t->url, method, path, t->token, NULL, CALL_TIMEOUT_MS, &r)) {
		fprintf(stderr, "passgatectl: %s (is passgated running, and reachable?)\n", r.err);
		return NULL;
	}
	o = json_tokener_parse(r.body);
	if (r.status / 100 != 2) {
		pg_ctl_print_refusal(r.status, o);
		json_object_put(o);
		pg_http_reply_free(&r);
		return NULL;
	}
	if (!o)
		fprintf(stderr, "passgatectl: the answer is not JSON\n");
	else if (t->json)
		printf("%s\n", r.body);
	pg_http_reply_free(&r);
	return o;
}

static struct json_object *member(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	json_object_object_get_ex(o, key, &v);
	return v;
}

static const char *text(struct json_object *o, const char *key)
{
	struct json_object *v = member(o, key);

	return v ? json_object_get_string(v) : "";
}

int pg_ctl_confirm_opt(int argc, char **argv, int *i, char *q, unsigned int qlen)
{
	uint32_t secs;

	if (strcmp(argv[*i], "--confirm"))
		return 0;
	if (*i + 1 >= argc || pg_confirm_parse_seconds(argv[*i + 1], &secs)) {
		fprintf(stderr, "passgatectl: --confirm takes seconds, %d to %d\n",
			PG_CONFIRM_MIN_S, PG_CONFIRM_MAX_S);
		return -1;
	}
	snprintf(q, qlen, "?confirm=%u", secs);
	*i += 2;
	return 1;
}

void pg_ctl_print_probation(struct json_object *o)
{
	struct json_object *p = member(o, "pending"), *risky = member(o, "lockout_risk");

	if (p && json_object_is_type(p, json_type_object)) {
		printf("rolled back in %s s unless confirmed: run 'passgatectl confirm' "
		       "(or 'passgatectl cancel' to roll back now)\n",
		       text(p, "seconds_left"));
		return;
	}
	if (risky && json_object_array_length(risky)) {
		printf("note: this change could lock you out (");
		for (size_t i = 0; i < json_object_array_length(risky); i++)
			printf("%s%s", i ? ", " : "",
			       json_object_get_string(json_object_array_get_idx(risky, i)));
		printf("); next time consider --confirm SECS\n");
	}
}

int pg_ctl_apply(const struct pg_ctl_target *t, int argc, char **argv)
{
	char q[32] = "", path[64];
	struct json_object *o;
	int i = 1;

	while (i < argc) {
		int r = pg_ctl_confirm_opt(argc, argv, &i, q, sizeof(q));

		if (r < 0)
			return 2;
		if (!r)
			goto usage;
	}
	snprintf(path, sizeof(path), "/api/v1/reload%s", q);
	o = call(t, "POST", path);
	if (!o)
		return 1;
	if (!t->json) {
		printf("%s\n", text(o, "message"));
		pg_ctl_print_probation(o);
	}
	json_object_put(o);
	return 0;
usage:
	fprintf(stderr, "usage: passgatectl apply [--confirm SECS]\n"
			"  re-read the daemon's config file and apply it; with --confirm it is\n"
			"  rolled back unless 'passgatectl confirm' comes within SECS\n");
	return 2;
}

/* POST or DELETE with no argument, printing one member of the answer. */
static int simple(const struct pg_ctl_target *t, int argc, char **argv, const char *method,
		  const char *path, const char *shown, const char *prefix)
{
	struct json_object *o;

	if (argc != 1) {
		fprintf(stderr, "usage: passgatectl %s\n", argv[0]);
		return 2;
	}
	o = call(t, method, path);
	if (!o)
		return 1;
	if (!t->json)
		printf("%s%s\n", prefix, text(o, shown));
	json_object_put(o);
	return 0;
}

int pg_ctl_confirm(const struct pg_ctl_target *t, int argc, char **argv)
{
	return simple(t, argc, argv, "POST", "/api/v1/config/confirm", "confirmed", "confirmed: ");
}

int pg_ctl_cancel(const struct pg_ctl_target *t, int argc, char **argv)
{
	return simple(t, argc, argv, "DELETE", "/api/v1/config/pending", "message", "");
}

static int config_diff(const struct pg_ctl_target *t, int argc, char **argv)
{
	struct json_object *o;
	char path[96];
	int same;

	if (argc > 3) {
		fprintf(stderr, "usage: passgatectl config diff [file|K]\n");
		return 2;
	}
	snprintf(path, sizeof(path), "/api/v1/config/diff?against=%.8s",
		 argc == 3 ? argv[2] : "file");
	if (argc == 3 && strlen(argv[2]) > 8) {
		fprintf(stderr, "passgatectl: config diff: 'file' or a revision number\n");
		return 2;
	}
	o = call(t, "GET", path);
	if (!o)
		return 1;
	same = json_object_get_boolean(member(o, "same"));
	if (!t->json) {
		if (same)
			printf("the running configuration is the same as the %s\n",
			       text(o, "against"));
		else
			fputs(text(o, "diff"), stdout);
	}
	json_object_put(o);
	/* As diff(1): 1 when they differ, so scripts can test it. */
	return same ? 0 : 1;
}

static int config_history(const struct pg_ctl_target *t)
{
	struct json_object *o = call(t, "GET", "/api/v1/config/history"), *a;

	if (!o)
		return 1;
	a = member(o, "revisions");
	if (!t->json) {
		struct json_object *dir = member(o, "directory");

		if (!dir || json_object_is_type(dir, json_type_null))
			printf("no configurations are kept (see [api] config_history and passgated "
			       "-s)\n");
		else
			printf("kept in %s (at most %s)\n", json_object_get_string(dir),
			       text(o, "keep"));
		printf("%-4s %-20s %s\n", "REV", "SINCE", "BYTES");
		for (size_t i = 0; i < json_object_array_length(a); i++) {
			struct json_object *r = json_object_array_get_idx(a, i);
			time_t when = (time_t)json_object_get_int64(member(r, "time"));
			char ts[32] = "?";
			struct tm tm;

			if (localtime_r(&when, &tm))
				strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", &tm);
			printf("%-4s %-20s %s%s\n", text(r, "revision"), ts, text(r, "bytes"),
			       i == 0 ? "  (running)" : "");
		}
	}
	json_object_put(o);
	return 0;
}

static int config_rollback(const struct pg_ctl_target *t, int argc, char **argv)
{
	char q[32] = "", path[96];
	const char *k = NULL;
	struct json_object *o;
	int i = 2;

	while (i < argc) {
		int r = pg_ctl_confirm_opt(argc, argv, &i, q, sizeof(q));

		if (r < 0)
			return 2;
		if (r)
			continue;
		if (k || strlen(argv[i]) > 3 || strspn(argv[i], "0123456789") != strlen(argv[i]))
			goto usage;
		k = argv[i++];
	}
	if (!k || !*k)
		goto usage;
	snprintf(path, sizeof(path), "/api/v1/config/rollback?to=%s%s%s", k, q[0] ? "&" : "",
		 q[0] ? q + 1 : "");
	o = call(t, "POST", path);
	if (!o)
		return 1;
	if (!t->json) {
		printf("%s\n", text(o, "message"));
		pg_ctl_print_probation(o);
	}
	json_object_put(o);
	return 0;
usage:
	fprintf(stderr, "usage: passgatectl config rollback K [--confirm SECS]\n"
			"  K: a revision of 'passgatectl config history', 1 = the one before\n");
	return 2;
}

static int config_pending(const struct pg_ctl_target *t)
{
	struct json_object *o = call(t, "GET", "/api/v1/config/pending"), *p, *rb;

	if (!o)
		return 1;
	p = member(o, "pending");
	rb = member(o, "last_rollback");
	if (!t->json) {
		if (p && json_object_is_type(p, json_type_object))
			printf("waiting for a confirmation, %s s left: %s\n", text(p, "seconds_left"),
			       text(p, "what"));
		else
			printf("no change waits for a confirmation\n");
		if (rb && json_object_is_type(rb, json_type_object))
			printf("last rollback: %s\n", text(rb, "what"));
	}
	json_object_put(o);
	return 0;
}

int pg_ctl_config(const struct pg_ctl_target *t, int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "diff"))
		return config_diff(t, argc, argv);
	if (argc == 2 && !strcmp(argv[1], "history"))
		return config_history(t);
	if (argc >= 2 && !strcmp(argv[1], "rollback"))
		return config_rollback(t, argc, argv);
	if (argc == 2 && !strcmp(argv[1], "pending"))
		return config_pending(t);
	fprintf(stderr, "usage: passgatectl config diff [file|K]   the running configuration "
			"against the file or kept revision K\n"
			"       passgatectl config history          the configurations kept\n"
			"       passgatectl config rollback K [--confirm SECS]\n"
			"       passgatectl config pending          a change waiting for its "
			"confirmation\n");
	return 2;
}
