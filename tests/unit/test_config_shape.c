/* SPDX-License-Identifier: MIT */
/*
 * test_config_shape.c - [wan] shape_up and shape_down: the rates SQM users
 * write, "off" by default, refusals with FILE:LINE and the reason, and the
 * writer's form of a rate.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "conf/reload.h"
#include "config_cases.h"

static void test_rates_parsed(void **state)
{
	static const struct {
		const char *text;
		uint64_t bps;
	} ok[] = {
		{ "40mbit", 40000000 },
		{ "200mbit", 200000000 },
		{ "1gbit", 1000000000 },
		{ "500kbit", 500000 },
		{ "64kbit", 64000 },
		{ "100gbit", 100000000000ULL },
		{ "2500000bit", 2500000 },
		{ "off", 0 },
		{ "0", 0 },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		char text[512], err[PG_CONFIG_ERR_SIZE] = "";
		struct pg_config cfg;

		snprintf(text, sizeof(text), HEAD "shape_up = %s\nshape_down = %s\n", ok[i].text,
			 ok[i].text);
		if (parse(text, &cfg, err))
			fail_msg("%s: %s", ok[i].text, err);
		assert_int_equal(cfg.shape_up_bps, ok[i].bps);
		assert_int_equal(cfg.shape_down_bps, ok[i].bps);
		pg_config_free(&cfg);
	}
}

static void test_off_by_default(void **state)
{
	char err[PG_CONFIG_ERR_SIZE] = "";
	struct pg_config cfg;

	(void)state;
	assert_int_equal(parse(HEAD, &cfg, err), 0);
	assert_int_equal(cfg.shape_up_bps, 0);
	assert_int_equal(cfg.shape_down_bps, 0);
	pg_config_free(&cfg);
}

static void test_bad_rates(void **state)
{
	static const struct bad_case bad[] = {
		{ HEAD "shape_up = 40\n", "t.conf:9: [wan] shape_up: expected 'off' or a rate such "
					  "as 40mbit, 500kbit or 1gbit" },
		{ HEAD "shape_up = 40mbps\n", "t.conf:9: [wan] shape_up: expected 'off' or a rate "
					      "such as 40mbit, 500kbit or 1gbit" },
		{ HEAD "shape_down = mbit\n",
		  "t.conf:9: [wan] shape_down: expected 'off' or a rate such as 40mbit, 500kbit or "
		  "1gbit" },
		{ HEAD "shape_down = 10kbit\n", "t.conf:9: [wan] shape_down: a shaped rate must be "
						"between 64kbit and 100gbit (or "
						"off)" },
		{ HEAD "shape_up = 101gbit\n",
		  "t.conf:9: [wan] shape_up: a shaped rate must be between 64kbit and 100gbit (or "
		  "off)" },
		{ HEAD "shape_up = 99999999999999999999gbit\n",
		  "t.conf:9: [wan] shape_up: expected 'off' or a rate such as 40mbit, 500kbit or "
		  "1gbit" },
	};
	(void)state;
	check_bad_cases(bad, sizeof(bad) / sizeof(bad[0]));
}

static void test_format(void **state)
{
	char b[32];

	(void)state;
	pg_config_format_rate(40000000, b, sizeof(b));
	assert_string_equal(b, "40mbit");
	pg_config_format_rate(1000000000, b, sizeof(b));
	assert_string_equal(b, "1gbit");
	pg_config_format_rate(64000, b, sizeof(b));
	assert_string_equal(b, "64kbit");
	pg_config_format_rate(0, b, sizeof(b));
	assert_string_equal(b, "off");
	pg_config_format_rate(2500001, b, sizeof(b));
	assert_string_equal(b, "2500001bit");
}

/* A reload that turns the shaper on, off or to another rate is refused: it is set up at start. */
static void test_reload_refused(void **state)
{
	static const char *const texts[] = { HEAD, HEAD "shape_up = 40mbit\n",
					     HEAD "shape_up = 50mbit\n" };
	char err[PG_CONFIG_ERR_SIZE];

	(void)state;
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++) {
			struct pg_config a, b;

			assert_int_equal(parse(texts[i], &a, err), 0);
			assert_int_equal(parse(texts[j], &b, err), 0);
			assert_int_equal(pg_reload_check(&a, &b, err, sizeof(err)),
					 i == j ? 0 : -EINVAL);
			if (i != j && (!strstr(err, "[wan] shape_up:") || !strstr(err, "restart")))
				fail_msg("%d -> %d: %s", i, j, err);
			pg_config_free(&a);
			pg_config_free(&b);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rates_parsed),   cmocka_unit_test(test_off_by_default),
		cmocka_unit_test(test_bad_rates),      cmocka_unit_test(test_format),
		cmocka_unit_test(test_reload_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
