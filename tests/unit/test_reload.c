/* SPDX-License-Identifier: MIT */
/*
 * test_reload.c - the reload rules (reload.c) and the reload itself
 * (api_reload.c): which changes apply under running flows, which need a
 * restart and are refused naming file and line, the list of changed
 * settings, broken files refused with the running configuration kept,
 * flows kept across a reload, credentials changes ending sessions, and
 * POST /api/v1/reload's gate (control socket, token) and answers.
 */
#include <errno.h>
#include <json-c/json.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../lib/fixture.h"
#include "../lib/cmapi.h"
#include "ctl/api_internal.h"
#include "conf/config.h"
#include "conf/reload.h"

static const char base[] = "# reload test\n"
			   "[lan]\n"
			   "interface = lan0\n"
			   "address = 192.168.1.1/24\n"
			   "\n"
			   "[wan]\n"
			   "interface = wan0\n"
			   "address = 198.51.100.2/24\n"
			   "gateway = 198.51.100.1\n"
			   "\n"
			   "[nat]\n"
			   "max_flows = 1024\n"
			   "max_flows_per_host = 100\n"
			   "\n"
			   "[api]\n"
			   "listen = off\n"
			   "socket = off\n";

static void parse(struct pg_config *cfg, const char *extra)
{
	char err[PG_CONFIG_ERR_SIZE], *text;

	assert_true(asprintf(&text, "%s%s", base, extra) > 0);
	if (pg_config_parse(cfg, "test.conf", text, strlen(text), err, sizeof(err)))
		fail_msg("parse: %s", err);
	free(text);
}

/* Parse base with one line replaced: from -> to. */
static void parse_edit(struct pg_config *cfg, const char *from, const char *to)
{
	char err[PG_CONFIG_ERR_SIZE], text[2048];
	const char *p = strstr(base, from);

	assert_non_null(p);
	snprintf(text, sizeof(text), "%.*s%s%s", (int)(p - base), base, to, p + strlen(from));
	if (pg_config_parse(cfg, "test.conf", text, strlen(text), err, sizeof(err)))
		fail_msg("parse: %s", err);
}

/* cur = base, next = base edited; pg_reload_check's answer and message. */
static int check_edit(const char *from, const char *to, char *err, size_t errlen)
{
	struct pg_config cur, next;
	int r;

	parse(&cur, "");
	parse_edit(&next, from, to);
	err[0] = '\0';
	r = pg_reload_check(&cur, &next, err, errlen);
	pg_config_free(&cur);
	pg_config_free(&next);
	return r;
}

static void test_live_changes_allowed(void **state)
{
	struct pg_config cur, next;
	char err[PG_CONFIG_ERR_SIZE];

	(void)state;
	parse(&cur, "");
	parse(&next, "\n[timeouts]\nudp = 10m\n\n[passthrough]\npptp = off\n"
		     "\n[nat]\nmss_clamp = on\nmss = 1300\n"
		     "\n[forward]\nrule = tcp 8080 192.168.1.20 80\ndmz = 192.168.1.30\n"
		     "\n[log]\nlevel = debug\n");
	assert_int_equal(pg_reload_check(&cur, &next, err, sizeof(err)), 0);
	/* And back again: removing live settings is as fine as adding them. */
	assert_int_equal(pg_reload_check(&next, &cur, err, sizeof(err)), 0);
	pg_config_free(&cur);
	pg_config_free(&next);
}

struct fixed_case {
	const char *from, *to, *want;
};

static void test_restart_settings_refused(void **state)
{
	static const struct fixed_case cases[] = {
		{"max_flows = 1024\n", "max_flows = 2048\n", "test.conf:12: [nat] max_flows:"},
		{"interface = lan0\n", "interface = lan9\n", "test.conf:3: [lan] interface:"},
		{"interface = wan0\n", "interface = wan9\n", "test.conf:7: [wan] interface:"},
		{"address = 192.168.1.1/24\n", "address = 192.168.1.1/25\n",
		 "test.conf:4: [lan] address:"},
		{"address = 198.51.100.2/24\n", "address = 198.51.100.3/24\n",
		 "test.conf:8: [wan] address:"},
		{"gateway = 198.51.100.1\n", "gateway = 198.51.100.9\n",
		 "test.conf:9: [wan] gateway:"},
		{"listen = off\n", "listen = 127.0.0.1:9090\n", "test.conf:16: [api] listen:"},
		{"socket = off\n", "socket = /run/pg-test.sock\n", "test.conf:17: [api] socket:"},
		{"[nat]\n", "[nat]\nmtu = 1400\n", NULL}, /* not a [nat] key: see below */
	};
	char err[PG_CONFIG_ERR_SIZE];

	(void)state;
	for (unsigned int i = 0; i + 1 < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(check_edit(cases[i].from, cases[i].to, err, sizeof(err)),
				 -EINVAL);
		if (!strstr(err, cases[i].want) || !strstr(err, "restart"))
			fail_msg("case %u: '%s' does not name '%s'", i, err, cases[i].want);
	}
	/* MTU and backend live in their own sections. */
	assert_int_equal(check_edit("[wan]\n", "[wan]\nmtu = 1400\n", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "test.conf:7: [wan] mtu:"));
	assert_int_equal(check_edit("[api]\n", "[datapath]\nbackend = afxdp\n[api]\n", err,
				    sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "[datapath] backend:"));
	/* Workers (each one's table is made at start), on a table that can be split. */
	{
		static const char big[] = "max_flows = 4096\nmax_flows_per_host = 100\n";
		struct pg_config cur, next;

		parse_edit(&cur, "max_flows = 1024\nmax_flows_per_host = 100\n", big);
		parse_edit(&next, "max_flows = 1024\nmax_flows_per_host = 100\n",
			   "max_flows = 4096\nmax_flows_per_host = 100\n[datapath]\nworkers = 2\n");
		assert_int_equal(pg_reload_check(&cur, &next, err, sizeof(err)), -EINVAL);
		if (!strstr(err, "[datapath] workers:") || !strstr(err, "restart"))
			fail_msg("'%s' does not name [datapath] workers", err);
		pg_config_free(&cur);
		pg_config_free(&next);
	}
	/* The same value written differently is no change. */
	assert_int_equal(check_edit("max_flows = 1024\n", "max_flows   =   1024   # same\n", err,
				    sizeof(err)),
			 0);
}

static void test_removed_setting_named(void **state)
{
	char err[PG_CONFIG_ERR_SIZE];

	(void)state;
	/* Back to the default (65536... whatever it is) means a new table size. */
	assert_int_equal(check_edit("max_flows = 1024\nmax_flows_per_host = 100\n", "", err,
				    sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "test.conf: [nat] max_flows: removed"));
}

static void test_diff_names_changes(void **state)
{
	struct pg_config cur, next;
	struct pg_reload_diff d;

	(void)state;
	parse(&cur, "\n[timeouts]\nudp = 5m\nicmp = 2m\n\n[forward]\nrule = udp 500 192.168.1.20\n");
	/* A comment, spacing and order change nothing; udp changes, icmp goes, a rule comes. */
	parse(&next, "\n[timeouts]   # edited\nudp = 6m\n\n[forward]\n"
		     "rule =   udp 500 192.168.1.20\nrule = tcp 22 192.168.1.21\n"
		     "\n[passthrough]\nl2tp = off\n");
	pg_reload_diff(&cur, &next, &d);
	assert_false(d.too_long);
	assert_int_equal(d.n, 4);
	assert_string_equal(d.names[0], "[timeouts] udp");
	assert_string_equal(d.names[1], "[forward] rule");
	assert_string_equal(d.names[2], "[passthrough] l2tp");
	assert_string_equal(d.names[3], "[timeouts] icmp");
	pg_reload_diff(&cur, &cur, &d);
	assert_int_equal(d.n, 0);
	assert_false(pg_reload_credentials_changed(&cur, &next));
	pg_config_free(&cur);
	pg_config_free(&next);
}

/* ---- the reload itself, through the API ------------------------------------ */

static void write_file(const char *path, const char *extra)
{
	char *text;

	assert_true(asprintf(&text, "%s%s", base, extra) > 0);
	assert_int_equal(pgt_api_write(path, text), 0);
	free(text);
}

static struct pgt_api *fx_new(const char *extra)
{
	struct pgt_api *f = calloc(1, sizeof(*f));
	struct pg_api_env env;
	char *text;

	assert_non_null(f);
	assert_true(asprintf(&text, "%s%s", base, extra) > 0);
	assert_int_equal(pgt_api_load(f, "reload", text), 0);
	free(text);
	f->cfg.engine.hash_seed[0] = PGT_SEED0;
	f->cfg.engine.hash_seed[1] = PGT_SEED1;
	memset(&env, 0, sizeof(env));
	assert_int_equal(pgt_api_start(f, &env), 0);
	f->api->now_ms = 2000;
	return f;
}

/* One UDP packet from a LAN host: a new flow. */
static void make_flow(struct pgt_api *f, uint32_t sport)
{
	struct pgt_spec s = {.proto = PGT_P_UDP, .src = PGT_H10, .dst = PGT_S1, .sport = sport,
			     .dport = 4500, .ttl = 64, .paylen = 20};
	struct pgt_pkt *p = calloc(1, sizeof(*p));
	char err[256];

	assert_non_null(p);
	p->len = pgt_build(&s, NULL, p->buf, sizeof(p->buf), NULL);
	assert_true(p->len > 0);
	p->side = PG_SIDE_LAN;
	if (pgt_run(f->engine, p, 1, 3000, err, sizeof(err)))
		fail_msg("%s", err);
	free(p);
}

static void test_reload_applies_and_keeps_flows(void **state)
{
	struct pgt_api *f = fx_new("");
	char msg[PG_CONFIG_ERR_SIZE + 64];

	(void)state;
	make_flow(f, 40000);
	make_flow(f, 40001);
	assert_int_equal(pg_engine_flow_count(f->engine), 2);
	write_file(f->path, "\n[timeouts]\nudp = 7m\n\n[nat]\nmss_clamp = on\n");
	assert_int_equal(pg_api_reload(f->api, msg, sizeof(msg)), 0);
	assert_non_null(strstr(msg, "2 settings changed: [timeouts] udp, [nat] mss_clamp"));
	assert_int_equal(f->cfg.engine.timeouts.udp, 420);
	assert_true(f->cfg.engine.mss_clamp);
	/* The flow hash key of the run stays, and so do the flows. */
	assert_true(f->cfg.engine.hash_seed[0] == PGT_SEED0);
	assert_int_equal(pg_engine_flow_count(f->engine), 2);
	/* The engine found them again: the same packets make no new flow. */
	make_flow(f, 40000);
	assert_int_equal(pg_engine_flow_count(f->engine), 2);
	pgt_cm_api_free(f);
}

static void test_broken_file_keeps_running_config(void **state)
{
	struct pgt_api *f = fx_new("\n[timeouts]\nudp = 7m\n");
	char msg[PG_CONFIG_ERR_SIZE + 64], want[128];

	(void)state;
	make_flow(f, 40000);
	write_file(f->path, "\n[timeouts]\nudp = 3m\nicmp = soon\n");
	assert_int_equal(pg_api_reload(f->api, msg, sizeof(msg)), -EINVAL);
	snprintf(want, sizeof(want), "%s:21: [timeouts] icmp:", f->path);
	if (!strstr(msg, want) || !strstr(msg, "running configuration kept"))
		fail_msg("'%s' does not name %s", msg, want);
	assert_int_equal(f->cfg.engine.timeouts.udp, 420);
	assert_int_equal(pg_engine_flow_count(f->engine), 1);
	/* A restart-only change is refused the same way; nothing of the rest applies. */
	write_file(f->path, "\n[timeouts]\nudp = 3m\n\n[datapath]\nbackend = afxdp\n");
	assert_int_equal(pg_api_reload(f->api, msg, sizeof(msg)), -EINVAL);
	assert_non_null(strstr(msg, ":23: [datapath] backend: cannot change without a restart"));
	assert_int_equal(f->cfg.engine.timeouts.udp, 420);
	/* A file that is gone. */
	unlink(f->path);
	assert_true(pg_api_reload(f->api, msg, sizeof(msg)) < 0);
	assert_non_null(strstr(msg, "No such file"));
	write_file(f->path, "");
	pgt_cm_api_free(f);
}

static void test_credentials_change_ends_sessions(void **state)
{
	struct pgt_api *f = fx_new("");
	char msg[PG_CONFIG_ERR_SIZE + 64], extra[512], hash[256];

	(void)state;
	assert_int_equal(pg_passwd_hash("reload-token", hash, sizeof(hash)), 0);
	snprintf(extra, sizeof(extra), "\n[api]\ntoken_hash = %s\n", hash);
	write_file(f->path, extra);
	snprintf(f->api->auth.sessions[0].id, sizeof(f->api->auth.sessions[0].id), "%s",
		 "0123456789abcdef");
	assert_int_equal(pg_api_reload(f->api, msg, sizeof(msg)), 0);
	assert_non_null(strstr(msg, "sessions ended"));
	assert_int_equal(f->api->auth.sessions[0].id[0], '\0');
	assert_true(pg_auth_enabled(&f->api->auth));
	/* The same file again: nothing changed, nothing ended. */
	snprintf(f->api->auth.sessions[0].id, sizeof(f->api->auth.sessions[0].id), "%s", "abc");
	assert_int_equal(pg_api_reload(f->api, msg, sizeof(msg)), 0);
	assert_non_null(strstr(msg, "no setting changed"));
	assert_string_equal(f->api->auth.sessions[0].id, "abc");
	pgt_cm_api_free(f);
}

static unsigned int post_reload(struct pgt_api *f, bool local, const char *auth,
				struct json_object **out)
{
	struct pg_api_req req;
	char p[32];

	pgt_api_req(&req, "POST", "/api/v1/reload", p, sizeof(p), NULL);
	req.client = 0x7f000001;
	req.local = local;
	req.authorization = auth;
	return pgt_api_send(f->api, &req, out);
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

static void test_post_reload(void **state)
{
	struct pgt_api *f = fx_new("");
	struct json_object *o, *v = NULL;

	(void)state;
	/* No credential configured: over HTTP nothing changes, on the socket it does. */
	write_file(f->path, "\n[timeouts]\nudp = 9m\n");
	assert_int_equal(post_reload(f, false, NULL, &o), 403);
	json_object_put(o);
	assert_int_equal(f->cfg.engine.timeouts.udp, 300);
	assert_int_equal(post_reload(f, true, NULL, &o), 200);
	assert_true(json_object_object_get_ex(o, "changed", &v));
	assert_int_equal(json_object_array_length(v), 1);
	assert_string_equal(json_object_get_string(json_object_array_get_idx(v, 0)),
			    "[timeouts] udp");
	assert_string_equal(jstr(o, "file"), f->path);
	json_object_put(o);
	assert_int_equal(f->cfg.engine.timeouts.udp, 540);
	/* A broken file: 400 with file and line. */
	write_file(f->path, "\n[timeouts\n");
	assert_int_equal(post_reload(f, true, NULL, &o), 400);
	assert_non_null(strstr(jstr(o, "error"), ":19: malformed section header"));
	json_object_put(o);
	/* Started without a file: nothing to reload. */
	f->api->env.cfg_path = NULL;
	assert_int_equal(post_reload(f, true, NULL, &o), 409);
	assert_non_null(strstr(jstr(o, "error"), "built-in configuration"));
	json_object_put(o);
	f->api->env.cfg_path = f->path;
	write_file(f->path, "");
	pgt_cm_api_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_live_changes_allowed),
		cmocka_unit_test(test_restart_settings_refused),
		cmocka_unit_test(test_removed_setting_named),
		cmocka_unit_test(test_diff_names_changes),
		cmocka_unit_test(test_reload_applies_and_keeps_flows),
		cmocka_unit_test(test_broken_file_keeps_running_config),
		cmocka_unit_test(test_credentials_change_ends_sessions),
		cmocka_unit_test(test_post_reload),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
