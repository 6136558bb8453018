/* SPDX-License-Identifier: MIT */
/*
 * test_config_ipv6.c - the IPv6 keys of [lan] and [wan]: defaults (off, RAs
 * on), static and SLAAC WAN, the values reaching the engine's config, and
 * the refusals with their line; [forward] rules with an IPv6 host (pinholes).
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

/* [lan] address6 = pd: no LAN prefix in the file's settings (it comes with the delegation). */
static void test_pd(void **state)
{
	struct pg_config cfg;
	char err[PG_CONFIG_ERR_SIZE] = "";

	(void)state;
	assert_int_equal(parse(HEAD "address6 = slaac\n[lan]\naddress6 = pd\n", &cfg, err), 0);
	assert_true(cfg.ipv6.lan_pd);
	assert_int_equal(cfg.engine.lan6_prefix, 0);
	pg_config_free(&cfg);
	/* The WAN's own address is never delegated. */
	assert_int_not_equal(parse(HEAD "address6 = pd\n", &cfg, err), 0);
	assert_non_null(strstr(err, "[wan] address6: expected 'slaac'"));
}

static void test_refused(void **state)
{
	static const struct bad_case cases[] = {
		{HEAD "address6 = 2001:db8:ffff::2\n",
		 "t.conf:9: [wan] address6: expected 'slaac' or an IPv6 address and prefix length "
		 "such as 2001:db8:ffff::2/64"},
		{HEAD "[lan]\naddress6 = slaac\n",
		 "t.conf:10: [lan] address6: expected 'pd' or an IPv6 address and prefix length "
		 "such as 2001:db8:1::1/64"},
		{HEAD "[lan]\naddress6 = 2001:db8:1::1/129\n",
		 "t.conf:10: [lan] address6: expected 'pd' or an IPv6 address and prefix length "
		 "such as 2001:db8:1::1/64"},
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

#define L6 HEAD "[lan]\naddress6 = 2001:db8:1::1/64\n[forward]\n" /* rules from line 12 */

/* [forward] rules with an IPv6 host: pinholes beside the IPv4 forwards, in one list. */
static void test_pinholes(void **state)
{
	struct pg_config cfg;
	char err[PG_CONFIG_ERR_SIZE] = "";
	const struct pg_port_forward *r;
	uint8_t want[16];

	(void)state;
	assert_int_equal(parse(L6 "rule = tcp 443 2001:db8:1::10\n"
				  "rule = udp 5000-5001 2001:db8:1::11\n"
				  "rule = tcp 443 2001:db8:1::11 443\n" /* another host: no clash */
				  "rule = tcp 443 192.168.1.10\n"	 /* IPv4: no clash either */
				  "rule = gre 2001:db8:1::12\n",
			       &cfg, err),
			 0);
	assert_int_equal(cfg.engine.nforwards, 5);
	r = &cfg.engine.forwards[0];
	a6("2001:db8:1::10", want);
	assert_true(r->v6);
	assert_memory_equal(r->host6, want, 16);
	assert_int_equal(r->host, 0);
	assert_int_equal(r->proto, 6);
	assert_int_equal(r->wan_lo, 443);
	assert_int_equal(r->lan_hi, 443);
	r = &cfg.engine.forwards[1];
	assert_true(r->v6);
	assert_int_equal(r->proto, 17);
	assert_int_equal(r->wan_hi, 5001);
	assert_int_equal(r->lan_hi, 5001);
	assert_false(cfg.engine.forwards[3].v6);
	assert_int_equal(cfg.engine.forwards[3].host, inet_addr("192.168.1.10"));
	assert_true(cfg.engine.forwards[4].v6);
	assert_int_equal(cfg.engine.forwards[4].proto, 47);
	assert_int_equal(cfg.forward_line[4], 16);
	pg_config_free(&cfg);
	/* A delegated prefix is not known yet: any global host is taken. */
	assert_int_equal(parse(HEAD "[lan]\naddress6 = pd\n[forward]\n"
				    "rule = tcp 22 2001:db8:77::5\n",
			       &cfg, err),
			 0);
	assert_true(cfg.engine.forwards[0].v6);
	pg_config_free(&cfg);
}

static void test_pinholes_refused(void **state)
{
	static const struct bad_case cases[] = {
		{HEAD "[forward]\nrule = tcp 443 2001:db8:1::10\n",
		 "t.conf:10: [forward] rule: an IPv6 host, but the LAN has no IPv6 ([lan] address6)"},
		{L6 "rule = tcp 443 2001:db8:9::10\n",
		 "t.conf:12: [forward] rule: the IPv6 forward's host is not a host of the LAN's IPv6 "
		 "prefix"},
		{L6 "rule = tcp 443 2001:db8:1::1\n",
		 "t.conf:12: [forward] rule: the IPv6 forward's host is not a host of the LAN's IPv6 "
		 "prefix"},
		{L6 "rule = udp 53 fe80::10\n",
		 "t.conf:12: [forward] rule: an IPv6 forward's host must be a global unicast address"},
		{L6 "rule = tcp 443 2001:db8:1::10 8443\n",
		 "t.conf:12: [forward] rule: IPv6 is not translated: an IPv6 forward opens the host's "
		 "own ports (no LAN ports)"},
		{L6 "rule = tcp 443 2001:db8:1::zz\n",
		 "t.conf:12: [forward] rule: expected the LAN host's IPv4 or IPv6 address after the "
		 "WAN ports"},
		{L6 "rule = esp 2001:db8:1::zz\n",
		 "t.conf:12: [forward] rule: expected 'tcp|udp WANPORT[-WANPORT] HOST "
		 "[LANPORT[-LANPORT]]' or 'gre|esp HOST'"},
		{L6 "rule = tcp 443 2001:db8:1::10\nrule = tcp 400-500 2001:db8:1::10\n",
		 "t.conf:13: [forward] rule: 'tcp 400-500 2001:db8:1::10' claims traffic that "
		 "'tcp 443 2001:db8:1::10' (t.conf:12) already forwards"},
		{L6 "rule = tcp 443 ::1\n",
		 "t.conf:12: [forward] rule: the IPv6 forward's host suffix is the gateway's own "
		 "address"},
		{L6 "rule = gre 2001:db8:1::12\nrule = gre 2001:db8:1:0::12\n",
		 "t.conf:13: [forward] rule: 'gre 2001:db8:1:0::12' claims traffic that "
		 "'gre 2001:db8:1::12' (t.conf:12) already forwards"},
	};

	(void)state;
	check_bad_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

/* dns6 = gateway: the gateway's own resolver, which needs the host path and [dns]. */
static void test_dns6_gateway(void **state)
{
	static const struct bad_case cases[] = {
		{HEAD "[lan]\ndns6 = gateway\n[dns]\nname = router.lan 192.168.1.1\n",
		 "t.conf:10: [lan] dns6: 'gateway', but the LAN has no IPv6 ([lan] address6)"},
		{HEAD "[lan]\naddress6 = 2001:db8:1::1/64\ndns6 = gateway\n",
		 "t.conf:11: [lan] dns6: 'gateway' needs the gateway's resolver: [host] path = on and "
		 "[dns] answering"},
		{HEAD "[lan]\naddress6 = 2001:db8:1::1/64\ndns6 = gateway\n[host]\npath = off\n"
		      "[dns]\nname = router.lan 192.168.1.1\n",
		 "t.conf:11: [lan] dns6: 'gateway' needs the gateway's resolver: [host] path = on and "
		 "[dns] answering"},
		{HEAD "[lan]\naddress6 = 2001:db8:1::1/64\ndns6 = gw\n",
		 "t.conf:11: [lan] dns6: expected 'gateway' or an IPv6 address such as 2001:db8::53"},
	};
	struct pg_config cfg;
	char err[PG_CONFIG_ERR_SIZE] = "";
	static const uint8_t zero[16];

	(void)state;
	assert_int_equal(parse(HEAD "[lan]\naddress6 = pd\ndns6 = gateway\n"
				    "[dns]\nname = router.lan 192.168.1.1\n",
			       &cfg, err),
			 0);
	assert_true(cfg.ipv6.lan_dns_gw);
	assert_memory_equal(cfg.ipv6.lan_dns, zero, 16);
	pg_config_free(&cfg);
	check_bad_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),	cmocka_unit_test(test_static),
		cmocka_unit_test(test_slaac),
		cmocka_unit_test(test_pd),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_engine_checks),
		cmocka_unit_test(test_pinholes),
		cmocka_unit_test(test_pinholes_refused),
		cmocka_unit_test(test_dns6_gateway),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
