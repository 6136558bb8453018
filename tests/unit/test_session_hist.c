/* SPDX-License-Identifier: MIT */
/*
 * test_session_hist.c - the per-session ring behind the admin page's
 * session graphs: rates per second between samples, the counter's own
 * value as "last", null where a session was not seen, busiest sessions
 * first when there are more than slots, a freed slot wiped for the next
 * session; and GET /api/v1/history/sessions's argument checks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "ctl/api_internal.h"
#include "ctl/session_hist.h"

static struct pg_vpn_session sess(uint8_t kind, uint32_t client, uint64_t out, uint64_t in)
{
	struct pg_vpn_session s;

	memset(&s, 0, sizeof(s));
	s.kind = kind;
	s.client = client;
	s.server = 0xcb00710a; /* 203.0.113.10 */
	s.client_port = s.server_port = 4500;
	s.bytes[0] = out;
	s.bytes[1] = in;
	return s;
}

static struct json_object *get(struct json_object *o, const char *k)
{
	struct json_object *v = NULL;

	assert_true(json_object_object_get_ex(o, k, &v));
	return v;
}

static void test_rates_and_last(void **state)
{
	struct pg_shist *h = pg_shist_create();
	struct json_object *o, *s, *vals;

	(void)state;
	assert_non_null(h);
	for (int i = 0; i < 5; i++) {
		struct pg_vpn_session v = sess(PG_VPN_NATT, 0xc0a8010a, 1000u * (uint64_t)i, 50u * (uint64_t)i);

		/* 500 ms apart: the rates are per second of the daemon's clock. */
		pg_shist_add(h, 10000 + 500 * (uint64_t)i, &v, i == 3 ? 0 : 1);
	}
	o = pg_api_shist_json(h, 300);
	assert_int_equal(json_object_array_length(get(o, "t_ms")), 5);
	assert_int_equal(json_object_array_length(get(o, "sessions")), 1);
	s = json_object_array_get_idx(get(o, "sessions"), 0);
	assert_string_equal(json_object_get_string(get(s, "kind")), "nat-t");
	assert_string_equal(json_object_get_string(get(s, "client")), "192.168.1.10");
	vals = get(get(s, "out"), "values");
	assert_int_equal(json_object_array_length(vals), 5);
	assert_null(json_object_array_get_idx(vals, 0)); /* no sample before */
	assert_true(json_object_get_double(json_object_array_get_idx(vals, 1)) == 2000.0);
	assert_true(json_object_get_double(json_object_array_get_idx(vals, 2)) == 2000.0);
	assert_null(json_object_array_get_idx(vals, 3)); /* not seen */
	assert_null(json_object_array_get_idx(vals, 4)); /* nothing before it */
	assert_int_equal(json_object_get_int64(get(get(s, "out"), "last")), 4000);
	assert_int_equal(json_object_get_int64(get(get(s, "in"), "last")), 200);
	json_object_put(o);
	/* A window of 2 s holds the last two rows. */
	o = pg_api_shist_json(h, 2);
	assert_int_equal(json_object_array_length(get(o, "t_ms")), 2);
	json_object_put(o);
	pg_shist_destroy(h);
}

static void test_busiest_kept_and_slots_wiped(void **state)
{
	struct pg_shist *h = pg_shist_create();
	struct pg_vpn_session v[PG_SHIST_SLOTS + 4];
	struct json_object *o, *arr;
	uint64_t row;

	(void)state;
	for (unsigned int i = 0; i < PG_SHIST_SLOTS + 4; i++)
		v[i] = sess(PG_VPN_IKE, 0xc0a80100 + i, i * 100u, 0);
	pg_shist_add(h, 1000, v, PG_SHIST_SLOTS + 4);
	/* The 4 quietest (clients .0 to .3) found no slot. */
	for (unsigned int i = 0; i < PG_SHIST_SLOTS; i++)
		assert_true((h->slot[i].key.client & 0xff) >= 4);
	/* Long after, one new session takes a slot, wiped of the old one's values. */
	for (row = 1; row < PG_SHIST_ROWS + 2; row++)
		pg_shist_add(h, 1000 + row * 1000, NULL, 0);
	v[0] = sess(PG_VPN_ESP, 0xc0a80163, 77, 0);
	pg_shist_add(h, 1000 + row * 1000, v, 1);
	o = pg_api_shist_json(h, PG_SHIST_ROWS);
	arr = json_object_object_get(o, "sessions");
	assert_int_equal(json_object_array_length(arr), 1);
	assert_string_equal(json_object_get_string(get(json_object_array_get_idx(arr, 0), "kind")),
			    "esp");
	json_object_put(o);
	pg_shist_destroy(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rates_and_last),
		cmocka_unit_test(test_busiest_kept_and_slots_wiped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
