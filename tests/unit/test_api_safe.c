/* SPDX-License-Identifier: MIT */
/*
 * test_api_safe.c - safe changes through the API's handlers, with the
 * control thread's timer driven by hand (pg_api_tick() with the time
 * given): a change on probation is undone at its deadline and not a
 * millisecond before, in the running configuration and in the file;
 * a confirmed one stays; other changes wait (409); bad windows are
 * refused; the kept configurations, diff and rollback to a revision.
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
#include "conf/config_history.h"

static const char conf_text[] = "# safe-change test configuration\n"
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
				"[input]\n"
				"lan = tcp 22, tcp 80   # ssh and the page\n"
				"\n"
				"[api]\n"
				"listen = off\n"
				"config_history = 3\n";

struct fixture {
	struct pgt_api a;
	char state[64];
	uint64_t now;
};

static void write_text(const char *path, const char *text)
{
	assert_int_equal(pgt_api_write(path, text), 0);
}

static struct fixture *fx_new(void)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct pg_api_env env;

	assert_non_null(f);
	assert_int_equal(pgt_api_load(&f->a, "safe", conf_text), 0);
	snprintf(f->state, sizeof(f->state), "/tmp/pg-test-safe-state-XXXXXX");
	assert_non_null(mkdtemp(f->state));
	memset(&env, 0, sizeof(env));
	env.state_dir = f->state;
	assert_int_equal(pgt_api_start(&f->a, &env), 0);
	f->now = 100000;
	pg_api_tick(f->a.api, f->now); /* opens the history, keeps revision 0 */
	return f;
}

static void fx_free(struct fixture *f)
{
	char cmd[128];

	pgt_api_close(&f->a);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->state);
	assert_int_equal(system(cmd), 0);
	free(f);
}

/* One request on the control socket (no password), at f->now. */
static unsigned int request(struct fixture *f, const char *method, const char *path,
			    const char *body, struct json_object **out)
{
	f->a.api->now_ms = f->now;
	return pgt_api_call(f->a.api, method, path, body, NULL, true, out);
}

static bool pending(struct fixture *f)
{
	return f->a.api->safe.pending.armed;
}

static void test_unconfirmed_change_rolls_back_at_deadline(void **state)
{
	struct fixture *f = fx_new();
	uint16_t lan_ports = f->a.cfg.engine.lan_input[1].lo;
	struct json_object *o, *risky;
	char *text;

	(void)state;
	assert_int_equal(f->a.cfg.engine.nlan_input, 2);
	assert_int_equal(request(f, "PUT", "/api/v1/config/input?confirm=10", "{\"lan\": \"tcp 22\"}",
				 &o),
			 200);
	risky = pgt_jget(o, "lockout_risk");
	assert_int_equal(json_object_array_length(risky), 1);
	assert_string_equal(json_object_get_string(json_object_array_get_idx(risky, 0)),
			    "[input] lan");
	assert_int_equal(json_object_get_int(pgt_jget(pgt_jget(o, "pending"), "seconds_left")), 10);
	json_object_put(o);
	/* Applied at once: running and file. */
	assert_int_equal(f->a.cfg.engine.nlan_input, 1);
	text = pgt_cm_read(f->a.path);
	assert_non_null(strstr(text, "lan = tcp 22   # ssh and the page\n"));
	free(text);
	assert_true(pending(f));

	/* While it waits, no other change. */
	assert_int_equal(request(f, "PUT", "/api/v1/config/passthrough", "{\"pptp\": false}", NULL),
			 409);
	assert_int_equal(request(f, "POST", "/api/v1/reload", NULL, NULL), 409);
	assert_true(f->a.cfg.engine.pptp_passthrough);

	/* 9.999 s later: still waiting, with 1 s shown. */
	pg_api_tick(f->a.api, f->now + 9999);
	assert_true(pending(f));
	assert_int_equal(pg_confirm_left_s(&f->a.api->safe.pending, f->now + 9999), 1);
	assert_int_equal(f->a.cfg.engine.nlan_input, 1);
	/* At the deadline: undone, in memory and on disk. */
	pg_api_tick(f->a.api, f->now + 10000);
	assert_false(pending(f));
	assert_int_equal(f->a.cfg.engine.nlan_input, 2);
	assert_int_equal(f->a.cfg.engine.lan_input[1].lo, lan_ports);
	text = pgt_cm_read(f->a.path);
	assert_string_equal(text, conf_text);
	free(text);
	f->now += 10000;
	assert_int_equal(request(f, "GET", "/api/v1/status", NULL, &o), 200);
	assert_true(json_object_is_type(pgt_jget(o, "pending"), json_type_null));
	assert_non_null(
	    strstr(json_object_get_string(pgt_jget(pgt_jget(o, "last_rollback"), "what")),
		   "not confirmed within 10 s"));
	json_object_put(o);
	/* And logged where GET /api/v1/events shows it. */
	assert_non_null(strstr(f->a.api->log[(f->a.api->log_seq - 1) % PG_API_LOG_LINES].text,
			       "rolled back '[input] lan = tcp 22': not confirmed within 10 s"));
	/* Changes are possible again. */
	assert_int_equal(request(f, "PUT", "/api/v1/config/passthrough", "{\"pptp\": false}", NULL),
			 200);
	fx_free(f);
}

static void test_confirmed_change_stays(void **state)
{
	struct fixture *f = fx_new();
	char *text;

	(void)state;
	assert_int_equal(request(f, "POST", "/api/v1/config/confirm", NULL, NULL), 409);
	assert_int_equal(request(f, "DELETE", "/api/v1/config/pending", NULL, NULL), 409);
	assert_int_equal(request(f, "PUT", "/api/v1/config/input?confirm=5", "{\"lan\": \"tcp 80\"}",
				 NULL),
			 200);
	f->now += 4000;
	assert_int_equal(request(f, "POST", "/api/v1/config/confirm", NULL, NULL), 200);
	assert_false(pending(f));
	pg_api_tick(f->a.api, f->now + 60000);
	assert_int_equal(f->a.cfg.engine.nlan_input, 1);
	text = pgt_cm_read(f->a.path);
	assert_non_null(strstr(text, "lan = tcp 80   #"));
	free(text);

	/* DELETE /api/v1/config/pending: back now, without waiting. */
	assert_int_equal(request(f, "PUT", "/api/v1/config/passthrough?confirm=60",
				 "{\"pptp\": false}", NULL),
			 200);
	assert_false(f->a.cfg.engine.pptp_passthrough);
	assert_int_equal(request(f, "DELETE", "/api/v1/config/pending", NULL, NULL), 200);
	assert_true(f->a.cfg.engine.pptp_passthrough);
	assert_false(pending(f));
	fx_free(f);
}

static void test_bad_windows_change_nothing(void **state)
{
	static const char *const bad[] = {"", "abc", "4", "3601", "-10", "+10", " 10", "10s",
					  "0x10", "999999999999", "10&confirm=20"};
	struct fixture *f = fx_new();
	char *before = pgt_cm_read(f->a.path), *after, path[128];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(path, sizeof(path), "/api/v1/config/passthrough?confirm=%s", bad[i]);
		/* "10&confirm=20": the first value counts, and 10 is fine. */
		if (i == sizeof(bad) / sizeof(bad[0]) - 1)
			continue;
		assert_int_equal(request(f, "PUT", path, "{\"pptp\": false}", NULL), 400);
		snprintf(path, sizeof(path), "/api/v1/reload?confirm=%s", bad[i]);
		assert_int_equal(request(f, "POST", path, NULL, NULL), 400);
	}
	assert_true(f->a.cfg.engine.pptp_passthrough);
	assert_false(pending(f));
	after = pgt_cm_read(f->a.path);
	assert_string_equal(before, after);
	free(before);
	free(after);
	fx_free(f);
}

static void test_reload_on_probation(void **state)
{
	struct fixture *f = fx_new();
	struct json_object *o;
	char *edited, *text;

	(void)state;
	/* The admin edits the file, then applies it with a window. */
	assert_true(asprintf(&edited, "%s[passthrough]\npptp = off\n", conf_text) > 0);
	write_text(f->a.path, edited);
	assert_int_equal(request(f, "POST", "/api/v1/reload?confirm=30", NULL, &o), 200);
	assert_int_equal(json_object_array_length(pgt_jget(o, "lockout_risk")), 0);
	json_object_put(o);
	assert_false(f->a.cfg.engine.pptp_passthrough);
	pg_api_tick(f->a.api, f->now + 30000);
	/* Rolled back: the text before the reload, in the file too. */
	assert_true(f->a.cfg.engine.pptp_passthrough);
	text = pgt_cm_read(f->a.path);
	assert_string_equal(text, conf_text);
	free(text);
	free(edited);
	fx_free(f);
}

static void test_history_diff_and_rollback(void **state)
{
	struct fixture *f = fx_new();
	struct json_object *o, *revs;
	const char *diff;
	char *text;

	(void)state;
	assert_int_equal(request(f, "GET", "/api/v1/config/diff", NULL, &o), 200);
	assert_true(json_object_get_boolean(pgt_jget(o, "same")));
	json_object_put(o);
	/* Three changes; config_history = 3 keeps the newest three. */
	assert_int_equal(request(f, "PUT", "/api/v1/config/passthrough", "{\"pptp\": false}", NULL),
			 200);
	assert_int_equal(request(f, "PUT", "/api/v1/config/timeouts", "{\"udp\": 600}", NULL), 200);
	assert_int_equal(request(f, "PUT", "/api/v1/config/timeouts", "{\"udp\": 900}", NULL), 200);
	assert_int_equal(request(f, "GET", "/api/v1/config/history", NULL, &o), 200);
	revs = pgt_jget(o, "revisions");
	assert_int_equal(json_object_array_length(revs), 3);
	assert_int_equal(
	    json_object_get_int(pgt_jget(json_object_array_get_idx(revs, 0), "serial")), 4);
	assert_int_equal(
	    json_object_get_int(pgt_jget(json_object_array_get_idx(revs, 2), "serial")), 2);
	json_object_put(o);

	/* Against revision 1: one line changed. */
	assert_int_equal(request(f, "GET", "/api/v1/config/diff?against=1", NULL, &o), 200);
	diff = json_object_get_string(pgt_jget(o, "diff"));
	assert_non_null(strstr(diff, "--- revision 1\n+++ running\n"));
	assert_non_null(strstr(diff, "\n-udp = 600\n+udp = 900\n"));
	json_object_put(o);
	/* Against the file, edited by hand meanwhile. */
	text = pgt_cm_read(f->a.path);
	write_text(f->a.path, "# emptied\n");
	assert_int_equal(request(f, "GET", "/api/v1/config/diff?against=file", NULL, &o), 200);
	assert_false(json_object_get_boolean(pgt_jget(o, "same")));
	assert_non_null(strstr(json_object_get_string(pgt_jget(o, "diff")), "\n-# emptied\n"));
	json_object_put(o);
	write_text(f->a.path, text);
	free(text);
	assert_int_equal(request(f, "GET", "/api/v1/config/diff?against=x", NULL, NULL), 400);
	assert_int_equal(request(f, "GET", "/api/v1/config/diff?against=3", NULL, NULL), 404);
	assert_int_equal(request(f, "GET", "/api/v1/config/diff?against=1000", NULL, NULL), 400);

	/* Back to revision 2 (udp 600 gone, pptp still off), on probation. */
	assert_int_equal(request(f, "POST", "/api/v1/config/rollback?to=0", NULL, NULL), 400);
	assert_int_equal(request(f, "POST", "/api/v1/config/rollback?to=7", NULL, NULL), 404);
	assert_int_equal(request(f, "POST", "/api/v1/config/rollback?to=2&confirm=20", NULL, NULL),
			 200);
	assert_int_equal(f->a.cfg.engine.timeouts.udp, 300);
	assert_false(f->a.cfg.engine.pptp_passthrough);
	assert_true(pending(f));
	assert_int_equal(request(f, "POST", "/api/v1/config/confirm", NULL, NULL), 200);
	text = pgt_cm_read(f->a.path);
	assert_null(strstr(text, "udp ="));
	free(text);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unconfirmed_change_rolls_back_at_deadline),
		cmocka_unit_test(test_confirmed_change_stays),
		cmocka_unit_test(test_bad_windows_change_nothing),
		cmocka_unit_test(test_reload_on_probation),
		cmocka_unit_test(test_history_diff_and_rollback),
	};

	pg_log_set_level(PG_LOG_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
