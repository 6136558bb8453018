/* SPDX-License-Identifier: MIT */
/*
 * test_api_lists.c - the list keys the admin page edits through
 * /api/v1/lists/SECTION.KEY: [dhcp] host and [dns] name are listed as the
 * file has them, added in the file's syntax (a refused value gets the
 * file's reason and names the list as its field, the configuration stays),
 * and removed by id; an unknown list, a bad body or id are refused.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "../lib/apifix.h"
#include "ctl/api_internal.h"

static const char text[] = "[lan]\ninterface = lan0\naddress = 192.168.1.1/24\n"
			   "[wan]\ninterface = wan0\naddress = 198.51.100.2/24\n"
			   "gateway = 198.51.100.1\n[nat]\nmax_flows = 1024\nmax_flows_per_host = 10\n"
			   "[dhcp]\nenable = on\nrange = 192.168.1.100 - 192.168.1.199\n"
			   "host = 02:00:00:00:00:10 192.168.1.10\n"
			   "[api]\nlisten = off\n";

struct fix {
	struct pg_config cfg;
	struct pg_engine *e;
	struct pg_engines one;
	struct pg_api *api;
};

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	struct pg_api_env env;
	char err[PG_CONFIG_ERR_SIZE];

	assert_non_null(f);
	assert_int_equal(pg_config_parse(&f->cfg, "t", text, strlen(text), err, sizeof(err)), 0);
	f->e = pg_engine_create(&f->cfg.engine);
	assert_non_null(f->e);
	f->one = PG_ENGINES_ONE(f->e);
	memset(&env, 0, sizeof(env));
	env.engines = &f->one;
	env.cfg = &f->cfg;
	f->api = pg_api_create(&env, err, sizeof(err));
	assert_non_null(f->api);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	pg_api_destroy(f->api);
	pg_engine_destroy(f->e);
	pg_config_free(&f->cfg);
	free(f);
	return 0;
}

/* One request on the control socket (no credentials needed); status, *out the JSON. */
static unsigned int call(struct fix *f, const char *method, const char *path, const char *arg,
			 const char *body, struct json_object **out)
{
	struct pg_api_req req;
	char p[128];

	pgt_api_req(&req, method, path, p, sizeof(p), body);
	if (arg) {
		req.args[0].key = "id";
		req.args[0].value = arg;
		req.nargs = 1;
	}
	req.local = true;
	return pgt_api_send(f->api, &req, out);
}

static const char *item(struct json_object *o, unsigned int i)
{
	struct json_object *items, *v;

	assert_true(json_object_object_get_ex(o, "items", &items));
	if (i >= json_object_array_length(items))
		return NULL;
	assert_true(json_object_object_get_ex(json_object_array_get_idx(items, i), "value", &v));
	return json_object_get_string(v);
}

static const char *field(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

static void test_dhcp_hosts(void **state)
{
	struct fix *f = *state;
	struct json_object *o;

	assert_int_equal(call(f, "GET", "/api/v1/lists/dhcp.host", NULL, NULL, &o), 200);
	assert_string_equal(item(o, 0), "02:00:00:00:00:10 192.168.1.10");
	assert_null(item(o, 1));
	json_object_put(o);

	assert_int_equal(call(f, "POST", "/api/v1/lists/dhcp.host", NULL,
			      "{\"value\": \"02:00:00:00:00:11 192.168.1.11\"}", NULL),
			 200);
	assert_int_equal(f->cfg.dhcp.nhosts, 2);
	assert_int_equal(f->cfg.dhcp.hosts[1].addr, inet_addr("192.168.1.11"));

	/* The file's own reasons, the list named as the field, nothing changed. */
	assert_int_equal(call(f, "POST", "/api/v1/lists/dhcp.host", NULL,
			      "{\"value\": \"02:00:00:00:00:12 10.0.0.5\"}", &o),
			 400);
	assert_string_equal(field(o, "field"), "dhcp.host");
	/* "FILE:LINE: " left out: the message starts with the setting. */
	assert_true(!strncmp(field(o, "error"), "[dhcp] host: ", 13));
	json_object_put(o);
	assert_int_equal(call(f, "POST", "/api/v1/lists/dhcp.host", NULL,
			      "{\"value\": \"02:00:00:00:00:10 192.168.1.12\"}", &o),
			 400);
	assert_string_equal(field(o, "field"), "dhcp.host");
	json_object_put(o);
	assert_int_equal(call(f, "POST", "/api/v1/lists/dhcp.host", NULL,
			      "{\"value\": \"x\\ny = 1\"}", NULL),
			 400);
	assert_int_equal(call(f, "POST", "/api/v1/lists/dhcp.host", NULL, "{\"host\": \"x\"}",
			      NULL),
			 400);
	assert_int_equal(call(f, "POST", "/api/v1/lists/dhcp.host", NULL, "{\"value\": 5}", NULL),
			 400);
	assert_int_equal(f->cfg.dhcp.nhosts, 2);

	/* Removed by id, in file order. */
	assert_int_equal(call(f, "DELETE", "/api/v1/lists/dhcp.host", "0", NULL, NULL), 200);
	assert_int_equal(f->cfg.dhcp.nhosts, 1);
	assert_int_equal(call(f, "GET", "/api/v1/lists/dhcp.host", NULL, NULL, &o), 200);
	assert_string_equal(item(o, 0), "02:00:00:00:00:11 192.168.1.11");
	json_object_put(o);
	assert_int_equal(call(f, "DELETE", "/api/v1/lists/dhcp.host", "1", NULL, NULL), 404);
	assert_int_equal(call(f, "DELETE", "/api/v1/lists/dhcp.host", "x", NULL, NULL), 404);
	assert_int_equal(call(f, "DELETE", "/api/v1/lists/dhcp.host", NULL, NULL, NULL), 404);
}

static void test_dns_names(void **state)
{
	struct fix *f = *state;
	struct json_object *o;

	assert_int_equal(call(f, "GET", "/api/v1/lists/dns.name", NULL, NULL, &o), 200);
	assert_null(item(o, 0));
	json_object_put(o);
	/* No [dns] section yet: the line goes into a new one. */
	assert_int_equal(call(f, "POST", "/api/v1/lists/dns.name", NULL,
			      "{\"value\": \"nas.lan 192.168.1.10\"}", NULL),
			 200);
	assert_int_equal(f->cfg.dns.nnames, 1);
	assert_int_equal(call(f, "POST", "/api/v1/lists/dns.name", NULL,
			      "{\"value\": \"nas.lan 192.168.1.11\"}", &o),
			 400);
	assert_string_equal(field(o, "field"), "dns.name");
	json_object_put(o);
	assert_int_equal(call(f, "GET", "/api/v1/lists/dns.name", NULL, NULL, &o), 200);
	assert_string_equal(item(o, 0), "nas.lan 192.168.1.10");
	json_object_put(o);
	assert_int_equal(call(f, "DELETE", "/api/v1/lists/dns.name", "0", NULL, NULL), 200);
	assert_int_equal(f->cfg.dns.nnames, 0);
}

static void test_unknown_list(void **state)
{
	struct fix *f = *state;

	assert_int_equal(call(f, "GET", "/api/v1/lists/forward.rule", NULL, NULL, NULL), 404);
	assert_int_equal(call(f, "POST", "/api/v1/lists/nat.mss", NULL, "{\"value\": \"1\"}", NULL),
			 404);
	assert_int_equal(call(f, "GET", "/api/v1/lists/dhcp.host/0", NULL, NULL, NULL), 404);
	assert_int_equal(call(f, "PUT", "/api/v1/lists/dhcp.host", NULL, "{}", NULL), 405);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dhcp_hosts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dns_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_list, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
