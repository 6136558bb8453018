/* SPDX-License-Identifier: MIT */
/*
 * test_config_ipv6.c - the IPv6 keys of [lan] and [wan]: defaults (off, RAs
 * on), static and SLAAC WAN, the values reaching the engine's config, and
 * the refusals with their line.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "config_cases.h"

#include "conf/config.h"

static void a6(const char *s, uint8_t out[16])
{
	assert_int_equal(inet_pton(AF_INET6, s, out), 1);
}

static void test_defaults(void **state)
{
	struct pg_config cfg;
	char err[PG_CONFIG_ERR_SIZE] = "";

	(void)state;
	assert_int_equal(parse(HEAD, &cfg, err), 0);
	assert_int_equal(cfg.engine.lan6_prefix, 0); /* IPv6 off */
	assert_true(cfg.ipv6.lan_ra);
	assert_false(cfg.ipv6.wan_slaac);
	assert_true(cfg.engine.ping6_inbound);
	pg_config_free(&cfg);
}

static void test_static(void **state)
{
	struct pg_config cfg;
	char err[PG_CONFIG_ERR_SIZE] = "";
	uint8_t want[16];

	(void)state;
	assert_int_equal(parse("[lan]\ninterface = a0\naddress = 192.168.1.1/24\n"
			       "address6 = 2001:db8:1::1/64\ndns6 = 2001:db8::53\nra = off\n"
			       "[wan]\ninterface = b0\naddress = 198.51.100.2/24\n"
			       "gateway = 198.51.100.1\naddress6 = 2001:db8:ffff::2/64\n"
			       "gateway6 = fe80::1\nping6_inbound = off\n",
			       &cfg, err),
			 0);
	a6("2001:db8:1::1", want);
	assert_memory_equal(cfg.engine.lan6_addr, want, 16);
	assert_int_equal(cfg.engine.lan6_prefix, 64);
	a6("2001:db8:ffff::2", want);
	assert_memory_equal(cfg.engine.wan6_addr, want, 16);
	assert_int_equal(cfg.engine.wan6_prefix, 64);
	a6("fe80::1", want);
	assert_memory_equal(cfg.engine.wan6_gateway, want, 16);
	a6("2001:db8::53", want);
	assert_memory_equal(cfg.ipv6.lan_dns, want, 16);
	assert_false(cfg.ipv6.lan_ra);
	assert_false(cfg.engine.ping6_inbound);
	pg_config_free(&cfg);
}

static void test_slaac(void **state)
{
	struct pg_config cfg;
	char err[PG_CONFIG_ERR_SIZE] = "";

	(void)state;
	assert_int_equal(parse(HEAD "address6 = slaac\n[lan]\naddress6 = 2001:db8:1::1/64\n", &cfg,
			       err),
			 0);
	assert_true(cfg.ipv6.wan_slaac);
	assert_int_equal(cfg.engine.wan6_prefix, 0);
	pg_config_free(&cfg);
}

static void test_refused(void **state)
{
	static const struct bad_case cases[] = {
		{HEAD "address6 = 2001:db8:ffff::2\n",
		 "t.conf:9: [wan] address6: expected 'slaac' or an IPv6 address and prefix length "
		 "such as 2001:db8:ffff::2/64"},
		{HEAD "[lan]\naddress6 = slaac\n",
		 "t.conf:10: [lan] address6: expected an IPv6 address and prefix length such as "
		 "2001:db8:1::1/64"},
		{HEAD "[lan]\naddress6 = 2001:db8:1::1/129\n",
		 "t.conf:10: [lan] address6: expected an IPv6 address and prefix length such as "
		 "2001:db8:1::1/64"},
		{HEAD "gateway6 = 192.0.2.1\n",
		 "t.conf:9: [wan] gateway6: expected an IPv6 address such as 2001:db8:ffff::1 or fe80::1"},
		{HEAD "[lan]\nra = maybe\n", "t.conf:10: [lan] ra: expected 'on' or 'off'"},
	};

	(void)state;
	check_bad_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

/* The engine's own checks run at load: overlapping prefixes, a link-local LAN address. */
static void test_engine_checks(void **state)
{
	struct pg_config cfg;
	char err[PG_CONFIG_ERR_SIZE] = "";

	(void)state;
	assert_int_not_equal(parse(HEAD "address6 = 2001:db8:1::2/48\n[lan]\n"
				       "address6 = 2001:db8:1::1/64\n",
				   &cfg, err),
			     0);
	assert_non_null(strstr(err, "overlap"));
	assert_int_not_equal(parse(HEAD "[lan]\naddress6 = fe80::1/64\n", &cfg, err), 0);
	assert_non_null(strstr(err, "global unicast"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),	cmocka_unit_test(test_static),
		cmocka_unit_test(test_slaac),		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_engine_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
