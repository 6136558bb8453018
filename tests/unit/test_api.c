/* SPDX-License-Identifier: MIT */
/*
 * test_api.c - the HTTP API's handlers without sockets: requests built as
 * plain data, answers parsed back as JSON. Reading status and flows,
 * changing settings (applied to the engine and saved with comments kept),
 * refusals that name the field and leave config and file untouched, port
 * forwards, bounds on query arguments, routing errors.
 */
#include <arpa/inet.h>
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

#include "../lib/cmapi.h"
#include "ctl/api_internal.h"
#include "conf/config.h"

static const char conf_text[] = "# API test configuration\n"
				"[lan]\n"
				"interface = lan0\n"
				"address = 192.168.1.1/24   # the LAN\n"
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
				"[passthrough]\n"
				"pptp = on      # the brief: avoid PPTP\n"
				"\n"
				"[api]\n"
				"listen = off\n";

static struct pgt_api *fx_new(const char *extra)
{
	struct pgt_api *f;
	char *text;

	assert_true(asprintf(&text, "%s%s", conf_text, extra) > 0);
	f = pgt_cm_api_open("api", text);
	free(text);
	f->api->now_ms = 61000;
	return f;
}

/* Run one request; returns the status, *out the parsed JSON body (or NULL). */
static unsigned int request(struct pgt_api *f, const char *method, const char *path,
			    const char *body, const char *auth, struct json_object **out)
{
	return pgt_api_call(f->api, method, path, body, auth, false, out);
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	return json_object_get_string(v);
}

static void test_status_lists_every_counter(void **state)
{
	struct pgt_api *f = fx_new("");
	struct json_object *o, *c, *links;

	(void)state;
	assert_int_equal(request(f, "GET", "/api/v1/status", NULL, NULL, &o), 200);
	c = pgt_jget(o, "counters");
	assert_non_null(c);
	/* Every counter by name, each drop reason included, zeros too. */
	assert_int_equal(json_object_object_length(c), PG_CNT__COUNT - 1);
	assert_non_null(pgt_jget(c, "drop_passthrough_off"));
	assert_non_null(pgt_jget(c, "drop_truncated"));
	assert_int_equal(json_object_get_int(pgt_jget(o, "uptime_s")), 60);
	assert_int_equal(json_object_get_int(pgt_jget(o, "max_flows")), 1024);
	links = pgt_jget(o, "interfaces");
	assert_int_equal(json_object_array_length(links), 2);
	assert_string_equal(jstr(json_object_array_get_idx(links, 0), "address"),
			    "192.168.1.1/24");
	assert_string_equal(jstr(json_object_array_get_idx(links, 1), "gateway"), "198.51.100.1");
	assert_true(json_object_get_boolean(pgt_jget(pgt_jget(o, "passthrough"), "pptp")));
	json_object_put(o);
	pgt_cm_api_free(f);
}

static void test_read_only_without_credential(void **state)
{
	struct pgt_api *f = fx_new("");
	char *before = pgt_cm_read(f->path), *after;
	struct json_object *o;

	(void)state;
	assert_int_equal(request(f, "PUT", "/api/v1/config/passthrough", "{\"pptp\": false}",
				 NULL, &o),
			 403);
	assert_non_null(strstr(jstr(o, "error"), "password_hash"));
	json_object_put(o);
	assert_true(f->cfg.engine.pptp_passthrough);
	after = pgt_cm_read(f->path);
	assert_string_equal(before, after);
	free(before);
	free(after);
	pgt_cm_api_free(f);
}

/* A fixture with a password ("pw") configured; returns a Basic header for it. */
static const char *basic_pw = "Basic YWRtaW46cHc="; /* admin:pw */

static struct pgt_api *fx_auth(void)
{
	char hash[256], line[300];

	assert_int_equal(pg_passwd_hash("pw", hash, sizeof(hash)), 0);
	snprintf(line, sizeof(line), "password_hash = %s\n", hash);
	return fx_new(line);
}

static void test_change_applies_and_saves(void **state)
{
	struct pgt_api *f = fx_auth();
	struct json_object *o;
	char *text;

	(void)state;
	assert_int_equal(request(f, "GET", "/api/v1/config", NULL, NULL, NULL), 401);
	assert_int_equal(request(f, "PUT", "/api/v1/config/passthrough",
				 "{\"pptp\": false, \"l2tp\": \"off\"}", basic_pw, &o),
			 200);
	assert_false(json_object_get_boolean(pgt_jget(pgt_jget(o, "passthrough"), "pptp")));
	json_object_put(o);
	/* The running configuration changed... */
	assert_false(f->cfg.engine.pptp_passthrough);
	assert_false(f->cfg.engine.l2tp_passthrough);
	assert_true(f->cfg.engine.ipsec_passthrough);
	/* ...and the file too, its comments where they were. */
	text = pgt_cm_read(f->path);
	assert_non_null(strstr(text, "pptp = off      # the brief: avoid PPTP\n"));
	assert_non_null(strstr(text, "address = 192.168.1.1/24   # the LAN\n"));
	assert_non_null(strstr(text, "l2tp = off\n"));
	free(text);
	/* null returns a setting to its default by removing its line. */
	assert_int_equal(request(f, "PUT", "/api/v1/config/passthrough", "{\"l2tp\": null}",
				 basic_pw, NULL),
			 200);
	assert_true(f->cfg.engine.l2tp_passthrough);
	text = pgt_cm_read(f->path);
	assert_null(strstr(text, "l2tp"));
	free(text);
	/* Timeouts as numbers or durations. */
	assert_int_equal(request(f, "PUT", "/api/v1/config/timeouts", "{\"udp\": 600, \"esp\": \"1h\"}",
				 basic_pw, NULL),
			 200);
	assert_int_equal(f->cfg.engine.timeouts.udp, 600);
	assert_int_equal(f->cfg.engine.timeouts.esp, 3600);
	pgt_cm_api_free(f);
}

static void expect_refusal(struct pgt_api *f, const char *path, const char *body,
			   unsigned int status, const char *field, const char *words)
{
	char *before = pgt_cm_read(f->path), *after;
	struct json_object *o;
	bool pptp = f->cfg.engine.pptp_passthrough;
	uint32_t udp = f->cfg.engine.timeouts.udp;

	assert_int_equal(request(f, "PUT", path, body, basic_pw, &o), status);
	if (field)
		assert_string_equal(jstr(o, "field"), field);
	assert_non_null(strstr(jstr(o, "error"), words));
	json_object_put(o);
	/* Nothing changed: not the running configuration, not the file. */
	assert_int_equal(f->cfg.engine.pptp_passthrough, pptp);
	assert_int_equal(f->cfg.engine.timeouts.udp, udp);
	after = pgt_cm_read(f->path);
	assert_string_equal(before, after);
	free(before);
	free(after);
}

static void test_invalid_changes_name_the_field(void **state)
{
	struct pgt_api *f = fx_auth();

	(void)state;
	expect_refusal(f, "/api/v1/config/nat", "{\"mss\": 100}", 400, "nat.mss", "536");
	expect_refusal(f, "/api/v1/config/passthrough", "{\"pptp\": \"maybe\"}", 400,
		       "passthrough.pptp", "'on' or 'off'");
	expect_refusal(f, "/api/v1/config/timeouts", "{\"udp\": 30}", 400, "timeouts.udp",
		       "RFC 4787");
	expect_refusal(f, "/api/v1/config/timeouts", "{\"udp\": -5}", 400, "timeouts.udp",
		       "negative");
	expect_refusal(f, "/api/v1/config/nat", "{\"max_flows\": 4096}", 400, "nat.max_flows",
		       "restart");
	expect_refusal(f, "/api/v1/config/passthrough", "{\"pptp\": [1]}", 400, "passthrough.pptp",
		       "expected");
	/* The first setting valid, the second not: neither is applied. */
	expect_refusal(f, "/api/v1/config/passthrough", "{\"pptp\": false, \"ipsec\": 7}", 400,
		       "passthrough.ipsec", "'on' or 'off'");
	expect_refusal(f, "/api/v1/config/nat", "{\"mss\": \"1400 # x\"}", 400, "nat.mss", "'#'");
	expect_refusal(f, "/api/v1/config/lan", "{\"interface\": \"x\"}", 404, NULL, "no section");
	expect_refusal(f, "/api/v1/config/api", "{\"listen\": \"0.0.0.0:1\"}", 404, NULL,
		       "no section");
	expect_refusal(f, "/api/v1/config/nat", "{\"mss\": 1400", 400, NULL, "not valid JSON");
	expect_refusal(f, "/api/v1/config/nat", "[1, 2]", 400, NULL, "JSON object");
	expect_refusal(f, "/api/v1/config/nat", "{}", 400, NULL, "no settings");
	expect_refusal(f, "/api/v1/config/nat", "", 400, NULL, "JSON object");
	expect_refusal(f, "/api/v1/config/nat", "{\"mss\": 1400} x", 400, NULL, "after");
	expect_refusal(f, "/api/v1/config/nat",
		       "{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{\"h\":{\"i\":1}}}}}}}}}", 400,
		       NULL, "JSON");
	pgt_cm_api_free(f);
}

static void test_forwards(void **state)
{
	struct pgt_api *f = fx_auth();
	struct json_object *o, *rules;
	char *text;

	(void)state;
	assert_int_equal(request(f, "POST", "/api/v1/forwards",
				 "{\"rule\": \"tcp 8080 192.168.1.10 80\"}", basic_pw, NULL),
			 200);
	assert_int_equal(request(f, "POST", "/api/v1/forwards", "{\"rule\": \"gre 192.168.1.20\"}",
				 basic_pw, NULL),
			 200);
	assert_int_equal(f->cfg.engine.nforwards, 2);
	/* Overlapping ports, a host outside the LAN, bad syntax: refused, named. */
	assert_int_equal(request(f, "POST", "/api/v1/forwards",
				 "{\"rule\": \"tcp 8000-8090 192.168.1.11\"}", basic_pw, &o),
			 400);
	assert_string_equal(jstr(o, "field"), "rule");
	assert_non_null(strstr(jstr(o, "error"), "already forwards"));
	json_object_put(o);
	assert_int_equal(request(f, "POST", "/api/v1/forwards", "{\"rule\": \"udp 500 10.0.0.1\"}",
				 basic_pw, NULL),
			 400);
	assert_int_equal(request(f, "POST", "/api/v1/forwards", "{\"rules\": \"udp 500\"}",
				 basic_pw, NULL),
			 400);
	assert_int_equal(f->cfg.engine.nforwards, 2);
	assert_int_equal(request(f, "GET", "/api/v1/forwards", NULL, basic_pw, &o), 200);
	rules = pgt_jget(o, "rules");
	assert_int_equal(json_object_array_length(rules), 2);
	assert_string_equal(jstr(json_object_array_get_idx(rules, 0), "rule"),
			    "tcp 8080 192.168.1.10 80");
	json_object_put(o);
	/* DMZ is a [forward] setting. */
	assert_int_equal(request(f, "PUT", "/api/v1/config/forward", "{\"dmz\": \"192.168.1.50\"}",
				 basic_pw, NULL),
			 200);
	assert_int_equal(f->cfg.engine.dmz_host, inet_addr("192.168.1.50"));
	assert_int_equal(request(f, "DELETE", "/api/v1/forwards/0", NULL, basic_pw, NULL), 200);
	assert_int_equal(f->cfg.engine.nforwards, 1);
	assert_int_equal(request(f, "DELETE", "/api/v1/forwards/5", NULL, basic_pw, NULL), 404);
	assert_int_equal(request(f, "DELETE", "/api/v1/forwards/x", NULL, basic_pw, NULL), 404);
	text = pgt_cm_read(f->path);
	assert_null(strstr(text, "tcp 8080"));
	assert_non_null(strstr(text, "[forward]\nrule = gre 192.168.1.20\ndmz = 192.168.1.50\n"));
	free(text);
	pgt_cm_api_free(f);
}

/* A rule with an IPv6 host is a pinhole: listed with family 6, refused without IPv6. */
static void test_forwards6(void **state)
{
	struct pgt_api *f = fx_auth();
	struct json_object *o, *r;
	char hash[256], line[340];

	(void)state;
	assert_int_equal(request(f, "POST", "/api/v1/forwards",
				 "{\"rule\": \"tcp 443 2001:db8:1::10\"}", basic_pw, &o),
			 400);
	assert_non_null(strstr(jstr(o, "error"), "the LAN has no IPv6"));
	json_object_put(o);
	pgt_cm_api_free(f);
	assert_int_equal(pg_passwd_hash("pw", hash, sizeof(hash)), 0);
	snprintf(line, sizeof(line), "password_hash = %s\n[lan]\naddress6 = 2001:db8:1::1/64\n",
		 hash);
	f = fx_new(line);
	assert_int_equal(request(f, "POST", "/api/v1/forwards",
				 "{\"rule\": \"tcp 443 2001:db8:1::10\"}", basic_pw, NULL),
			 200);
	assert_int_equal(request(f, "POST", "/api/v1/forwards",
				 "{\"rule\": \"tcp 443 192.168.1.10\"}", basic_pw, NULL),
			 200);
	assert_int_equal(request(f, "POST", "/api/v1/forwards",
				 "{\"rule\": \"tcp 8443 2001:db8:1::10 443\"}", basic_pw, &o),
			 400);
	assert_non_null(strstr(jstr(o, "error"), "IPv6 is not translated"));
	json_object_put(o);
	assert_int_equal(f->cfg.engine.nforwards, 2);
	assert_true(f->cfg.engine.forwards[0].v6);
	assert_int_equal(request(f, "GET", "/api/v1/forwards", NULL, basic_pw, &o), 200);
	r = json_object_array_get_idx(pgt_jget(o, "rules"), 0);
	assert_string_equal(jstr(r, "host"), "2001:db8:1::10");
	assert_int_equal(json_object_get_int(pgt_jget(r, "family")), 6);
	assert_int_equal(json_object_get_int(pgt_jget(r, "lan_ports_from")), 443);
	r = json_object_array_get_idx(pgt_jget(o, "rules"), 1);
	assert_string_equal(jstr(r, "host"), "192.168.1.10");
	assert_int_equal(json_object_get_int(pgt_jget(r, "family")), 4);
	json_object_put(o);
	/* rule=0 lists the pinhole's IPv6 flows, and ends them. */
	assert_int_equal(request(f, "GET", "/api/v1/flows?rule=0", NULL, basic_pw, &o), 200);
	assert_int_equal(json_object_array_length(pgt_jget(o, "flows")), 0);
	json_object_put(o);
	assert_int_equal(request(f, "GET", "/api/v1/flows?rule=0&lan=192.168.1.10", NULL, basic_pw, &o),
			 400);
	assert_string_equal(jstr(o, "field"), "rule");
	json_object_put(o);
	assert_int_equal(request(f, "DELETE", "/api/v1/flows?rule=0", NULL, basic_pw, &o), 200);
	assert_int_equal(json_object_get_int(pgt_jget(o, "ended")), 0);
	json_object_put(o);
	/* A filter that contradicts the pinhole is refused, not overridden by it. */
	assert_int_equal(request(f, "DELETE", "/api/v1/flows?rule=0&port=80", NULL, basic_pw, &o),
			 400);
	assert_string_equal(jstr(o, "field"), "rule");
	json_object_put(o);
	assert_int_equal(request(f, "DELETE", "/api/v1/flows?rule=0&family=4", NULL, basic_pw, &o),
			 400);
	assert_string_equal(jstr(o, "field"), "rule");
	json_object_put(o);
	assert_int_equal(request(f, "DELETE", "/api/v1/flows?rule=1", NULL, basic_pw, NULL), 200);
	assert_int_equal(request(f, "DELETE", "/api/v1/forwards/0", NULL, basic_pw, NULL), 200);
	assert_int_equal(f->cfg.engine.nforwards, 1);
	assert_false(f->cfg.engine.forwards[0].v6);
	pgt_cm_api_free(f);
}

static void test_flows_and_arguments(void **state)
{
	struct pgt_api *f = fx_new("");
	struct json_object *o;

	(void)state;
	assert_int_equal(request(f, "GET", "/api/v1/flows?proto=tcp&host=192.168.1.10&limit=5",
				 NULL, NULL, &o),
			 200);
	assert_int_equal(json_object_array_length(pgt_jget(o, "flows")), 0);
	assert_null(pgt_jget(o, "next"));
	json_object_put(o);
	assert_int_equal(request(f, "GET", "/api/v1/flows?proto=bogus", NULL, NULL, &o), 400);
	assert_string_equal(jstr(o, "field"), "proto");
	json_object_put(o);
	assert_int_equal(request(f, "GET", "/api/v1/flows?host=1.2.3", NULL, NULL, &o), 400);
	assert_string_equal(jstr(o, "field"), "host");
	json_object_put(o);
	assert_int_equal(request(f, "GET", "/api/v1/flows?limit=0", NULL, NULL, NULL), 400);
	assert_int_equal(request(f, "GET", "/api/v1/flows?limit=100000", NULL, NULL, NULL), 400);
	assert_int_equal(request(f, "GET", "/api/v1/flows?cursor=-1", NULL, NULL, NULL), 400);
	assert_int_equal(request(f, "GET", "/api/v1/sessions", NULL, NULL, &o), 200);
	assert_int_equal(json_object_array_length(pgt_jget(o, "sessions")), 0);
	json_object_put(o);
	pgt_cm_api_free(f);
}

/* DELETE /api/v1/flows: a filter that is hostile, empty or cut short ends nothing. */
static void test_flows_delete_query(void **state)
{
	struct pgt_api *f = fx_auth();
	struct json_object *o;
	static const struct {
		const char *query, *field;
	} bad[] = {
		{"", NULL},
		{"?hots=192.168.1.10", "hots"},
		{"?host=192.168.1.10&host=192.168.1.11", "host"},
		{"?port=0", "port"},
		{"?port=65536", "port"},
		{"?port=5x", "port"},
		{"?port=", "port"},
		{"?port=99999999999999999999", "port"},
		{"?host=0.0.0.0", "host"},
		{"?host=192.168.1.10%00", "host"},
		{"?rule=0", "rule"},
		{"?rule=-1", "rule"},
		{"?limit=5", NULL},
		/* IPv6: family alone names nothing; IPv4-only keys and bad addresses refused. */
		{"?family=6", NULL},
		{"?family=6&limit=5", NULL},
		{"?family=7&port=1", "family"},
		{"?family=6&lan=192.168.1.2", "lan"},
		{"?family=6&remote=1.2.3.4", "remote"},
		{"?family=6&helper=ipsec", "helper"},
		{"?family=6&host=192.168.1.10", "host"},
		{"?family=4&host=2001:db8:1::10", "host"},
		{"?host=2001:db8:1::zz", "host"},
		{"?host=2001:db8:1::10&lan=192.168.1.2", "lan"},
		{"?family=6&port=443&famliy=6", "famliy"},
		{"?port=1&proto=tcp&lan=192.168.1.2&remote=1.2.3.4&helper=ipsec&limit=1&cursor=0"
		 "&host=192.168.1.3&rule=0",
		 NULL},
	};

	(void)state;
	assert_int_equal(request(f, "DELETE", "/api/v1/flows?host=192.168.1.10", NULL, NULL, NULL),
			 401);
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char path[256];

		snprintf(path, sizeof(path), "/api/v1/flows%s", bad[i].query);
		assert_int_equal(request(f, "DELETE", path, NULL, basic_pw, &o), 400);
		if (bad[i].field)
			assert_string_equal(jstr(o, "field"), bad[i].field);
		json_object_put(o);
	}
	assert_int_equal(pg_engine_counters(f->engine)[PG_CNT_FLOW_CLEARED], 0);
	assert_int_equal(request(f, "DELETE", "/api/v1/flows?host=192.168.1.10&port=500", NULL,
				 basic_pw, &o),
			 200);
	assert_int_equal(json_object_get_int(pgt_jget(o, "ended")), 0);
	json_object_put(o);
	/* IPv6 flows: by host (family implied), or family=6 with proto or port. */
	assert_int_equal(request(f, "DELETE", "/api/v1/flows?host=2001:db8:1::10", NULL, basic_pw,
				 &o),
			 200);
	assert_int_equal(json_object_get_int(pgt_jget(o, "ended")), 0);
	json_object_put(o);
	assert_int_equal(request(f, "DELETE", "/api/v1/flows?family=6&proto=tcp&port=443", NULL,
				 basic_pw, NULL),
			 200);
	/* rule=N: the forward's protocol and public ports. */
	assert_int_equal(request(f, "POST", "/api/v1/forwards",
				 "{\"rule\": \"udp 500 192.168.1.10\"}", basic_pw, NULL),
			 200);
	assert_int_equal(request(f, "DELETE", "/api/v1/flows?rule=0", NULL, basic_pw, NULL), 200);
	assert_int_equal(request(f, "DELETE", "/api/v1/flows?rule=0&proto=tcp", NULL, basic_pw, &o),
			 400);
	assert_string_equal(jstr(o, "field"), "proto");
	json_object_put(o);
	assert_int_equal(request(f, "DELETE", "/api/v1/flows?rule=1", NULL, basic_pw, NULL), 400);
	/* GET takes port= too, and refuses a key given twice. */
	assert_int_equal(request(f, "GET", "/api/v1/flows?port=500&rule=0", NULL, basic_pw, NULL),
			 200);
	assert_int_equal(request(f, "GET", "/api/v1/flows?port=1&port=2", NULL, basic_pw, NULL),
			 400);
	pgt_cm_api_free(f);
}

static void test_routing_and_page(void **state)
{
	struct pgt_api *f = fx_new("");
	struct json_object *o;

	(void)state;
	assert_int_equal(request(f, "GET", "/api/v1/nothing", NULL, NULL, NULL), 404);
	assert_int_equal(request(f, "DELETE", "/api/v1/status", NULL, NULL, NULL), 405);
	assert_int_equal(request(f, "GET", "/api/v1/config/passthrough/x", NULL, NULL, NULL), 404);
	assert_int_equal(request(f, "GET", "/", NULL, NULL, NULL), 200);
	assert_int_equal(request(f, "GET", "/app.js", NULL, NULL, NULL), 200);
	assert_int_equal(request(f, "GET", "/../etc/passwd", NULL, NULL, NULL), 404);
	/* Events: lines after the one a client saw. */
	pg_api_log_add(f->api, "info", "ipsec: IKE seen");
	pg_api_log_add(f->api, "info", "ipsec: NAT-T in use");
	assert_int_equal(request(f, "GET", "/api/v1/events?after=1", NULL, NULL, &o), 200);
	assert_int_equal(json_object_array_length(pgt_jget(o, "events")), 1);
	assert_string_equal(jstr(json_object_array_get_idx(pgt_jget(o, "events"), 0), "text"),
			    "ipsec: NAT-T in use");
	json_object_put(o);
	assert_int_equal(request(f, "GET", "/api/v1/events?after=x", NULL, NULL, NULL), 400);
	pgt_cm_api_free(f);
}

/*
 * GET /api/v1/config names every enum value the way the file spells it: a
 * second list of names in the API once reported address-and-port-dependent
 * filtering as address-dependent.
 */
static void test_config_names_every_enum_value(void **state)
{
	static const char *const filtering[] = {"address-dependent", "endpoint-independent",
						"address-and-port-dependent"};
	static const char *const refused[] = {"silent", "port-unreachable", "admin-prohibited"};

	(void)state;
	for (unsigned int i = 0; i < 3; i++) {
		struct pgt_api *f;
		struct json_object *o;
		char extra[200];

		/* The [api] section is the last one of conf_text; these follow it. */
		snprintf(extra, sizeof(extra), "[icmp]\nrefused = %s\n[nat]\nfiltering = %s\n",
			 refused[i], filtering[i]);
		f = fx_new(extra);
		assert_int_equal(request(f, "GET", "/api/v1/config", NULL, NULL, &o), 200);
		assert_string_equal(jstr(pgt_jget(o, "nat"), "filtering"), filtering[i]);
		assert_string_equal(jstr(pgt_jget(o, "icmp"), "refused"), refused[i]);
		json_object_put(o);
		pgt_cm_api_free(f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_lists_every_counter),
		cmocka_unit_test(test_read_only_without_credential),
		cmocka_unit_test(test_change_applies_and_saves),
		cmocka_unit_test(test_invalid_changes_name_the_field),
		cmocka_unit_test(test_forwards), cmocka_unit_test(test_forwards6),
		cmocka_unit_test(test_flows_and_arguments),
		cmocka_unit_test(test_flows_delete_query),
		cmocka_unit_test(test_routing_and_page),
		cmocka_unit_test(test_config_names_every_enum_value),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
