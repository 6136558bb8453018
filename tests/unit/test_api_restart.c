/* SPDX-License-Identifier: MIT */
/*
 * test_api_restart.c - settings that wait for a restart, through the API's
 * handlers on a real file: PUT /api/v1/config/restart/SECTION changes the
 * file and not the running configuration; a bad value is refused with the
 * parser's words and its field, a live setting is sent to the live
 * endpoint; GET shows file vs running and the diff; a live change made
 * afterwards keeps the pending one in the file; DELETE puts the running
 * values back; the settings that could lock the admin out are named.
 */
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

static const char conf_text[] = "# restart test configuration\n"
				"[lan]\n"
				"interface = lan0\n"
				"address = 192.168.1.1/24\n"
				"\n"
				"[wan]\n"
				"interface = wan0\n"
				"address = 198.51.100.2/24   # from the ISP\n"
				"gateway = 198.51.100.1\n"
				"\n"
				"[nat]\n"
				"max_flows = 1024\n"
				"max_flows_per_host = 100\n"
				"\n"
				"[api]\n"
				"listen = off\n";

static struct pgt_api *fx_new(void)
{
	struct pgt_api *f = pgt_cm_api_open("restart", conf_text);

	pg_api_tick(f->api, 100000);
	return f;
}

/* One request on the control socket (no password). */
static unsigned int request(struct pgt_api *f, const char *method, const char *path,
			    const char *body, struct json_object **out)
{
	return pgt_api_call(f->api, method, path, body, NULL, true, out);
}

static const char *jstr(struct json_object *o, const char *a, const char *b, const char *c)
{
	return json_object_get_string(pgt_jget(pgt_jget(pgt_jget(o, a), b), c));
}

static void test_saved_to_file_not_running(void **state)
{
	struct pgt_api *f = fx_new();
	struct json_object *o, *p;
	char *text;

	(void)state;
	assert_int_equal(request(f, "PUT", "/api/v1/config/restart/wan", "{\"mtu\": 1400}", &o),
			 200);
	p = pgt_jget(o, "pending");
	assert_int_equal(json_object_array_length(p), 1);
	assert_string_equal(json_object_get_string(json_object_array_get_idx(p, 0)), "[wan] mtu");
	assert_string_equal(jstr(pgt_jget(o, "settings"), "wan", "mtu", "file"), "1400");
	assert_null(jstr(pgt_jget(o, "settings"), "wan", "mtu", "running")); /* the default */
	assert_non_null(strstr(json_object_get_string(pgt_jget(o, "diff")), "+mtu = 1400\n"));
	assert_int_equal(json_object_array_length(pgt_jget(o, "lockout_risk")), 0);
	json_object_put(o);
	/* The running configuration did not change; the file did, comments kept. */
	assert_int_equal(f->cfg.wan_mtu, 1500);
	assert_null(strstr(f->cfg.doc.text, "mtu"));
	text = pgt_cm_read(f->path);
	assert_non_null(strstr(text, "gateway = 198.51.100.1\nmtu = 1400\n"));
	assert_non_null(strstr(text, "# from the ISP"));
	free(text);
	/* A second one adds to the first. */
	assert_int_equal(request(f, "PUT", "/api/v1/config/restart/nat", "{\"max_flows\": 4096}",
				 &o),
			 200);
	assert_int_equal(json_object_array_length(pgt_jget(o, "pending")), 2);
	json_object_put(o);
	assert_int_equal(f->cfg.engine.max_flows, 1024);
	pgt_cm_api_free(f);
}

static void test_refusals_name_the_field(void **state)
{
	struct pgt_api *f = fx_new();
	struct json_object *o;
	char *text;

	(void)state;
	assert_int_equal(request(f, "PUT", "/api/v1/config/restart/wan", "{\"mtu\": 100}", &o), 400);
	assert_string_equal(json_object_get_string(pgt_jget(o, "field")), "wan.mtu");
	assert_non_null(strstr(json_object_get_string(pgt_jget(o, "error")), "[wan] mtu: "));
	assert_null(strstr(json_object_get_string(pgt_jget(o, "error")), f->path));
	json_object_put(o);
	assert_int_equal(
		request(f, "PUT", "/api/v1/config/restart/nat", "{\"max_flows\": \"lots\"}", &o),
		400);
	assert_string_equal(json_object_get_string(pgt_jget(o, "field")), "nat.max_flows");
	json_object_put(o);
	/* A live setting belongs to PUT /api/v1/config/nat. */
	assert_int_equal(request(f, "PUT", "/api/v1/config/restart/nat", "{\"mss\": 1200}", &o),
			 400);
	assert_string_equal(json_object_get_string(pgt_jget(o, "field")), "nat.mss");
	json_object_put(o);
	/* And the live endpoint still refuses a restart-only one. */
	assert_int_equal(request(f, "PUT", "/api/v1/config/nat", "{\"max_flows\": 4096}", NULL),
			 400);
	assert_int_equal(request(f, "PUT", "/api/v1/config/restart/timeouts", "{\"udp\": 60}", NULL),
			 404);
	assert_int_equal(request(f, "PUT", "/api/v1/config/restart/wan", "[1]", NULL), 400);
	assert_int_equal(request(f, "PUT", "/api/v1/config/restart/wan", "{}", NULL), 400);
	text = pgt_cm_read(f->path);
	assert_string_equal(text, conf_text);
	free(text);
	pgt_cm_api_free(f);
}

static void test_live_change_keeps_pending(void **state)
{
	struct pgt_api *f = fx_new();
	struct json_object *o;
	char *text;

	(void)state;
	assert_int_equal(request(f, "PUT", "/api/v1/config/restart/wan", "{\"mtu\": 1400}", NULL),
			 200);
	assert_int_equal(request(f, "PUT", "/api/v1/config/restart/lan",
				 "{\"address\": \"192.168.7.1/24\"}", &o),
			 200);
	/* The LAN address could lock the admin out: named, no probation offered. */
	assert_int_equal(json_object_array_length(pgt_jget(o, "lockout_risk")), 1);
	assert_string_equal(
		json_object_get_string(json_object_array_get_idx(pgt_jget(o, "lockout_risk"), 0)),
		"[lan] address");
	json_object_put(o);
	/* A live change: running and file get it, the pending ones stay in the file. */
	assert_int_equal(request(f, "PUT", "/api/v1/config/passthrough", "{\"pptp\": false}", NULL),
			 200);
	assert_false(f->cfg.engine.pptp_passthrough);
	assert_int_equal(f->cfg.wan_mtu, 1500);
	text = pgt_cm_read(f->path);
	assert_non_null(strstr(text, "pptp = off"));
	assert_non_null(strstr(text, "mtu = 1400"));
	assert_non_null(strstr(text, "address = 192.168.7.1/24"));
	free(text);
	/* DELETE: the running values back in the file, the live change kept. */
	assert_int_equal(request(f, "DELETE", "/api/v1/config/restart", NULL, &o), 200);
	assert_int_equal(json_object_array_length(pgt_jget(o, "pending")), 0);
	json_object_put(o);
	text = pgt_cm_read(f->path);
	assert_null(strstr(text, "mtu"));
	assert_non_null(strstr(text, "address = 192.168.1.1/24"));
	assert_non_null(strstr(text, "pptp = off"));
	free(text);
	assert_int_equal(request(f, "GET", "/api/v1/config/restart", NULL, &o), 200);
	assert_string_equal(json_object_get_string(pgt_jget(o, "diff")), "");
	json_object_put(o);
	pgt_cm_api_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_saved_to_file_not_running),
		cmocka_unit_test(test_refusals_name_the_field),
		cmocka_unit_test(test_live_change_keeps_pending),
	};

	pg_log_set_level(PG_LOG_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
