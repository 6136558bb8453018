/* SPDX-License-Identifier: MIT */
/*
 * test_config_host.c - [host] and [input]: defaults, the value grammar,
 * [input] wan compiled into forwards to the WAN address, and every refusal
 * with its line.
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
#include "engine/parse.h"

static uint32_t ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

static void test_defaults(void **state)
{
	struct pg_engine_config def;
	struct pg_config cfg;
	char err[PG_CONFIG_ERR_SIZE] = "";

	(void)state;
	assert_int_equal(parse(HEAD, &cfg, err), 0);
	pg_engine_config_defaults(&def);
	assert_true(cfg.host.path);
	assert_string_equal(cfg.host.lan_dev, "pgh-a0");
	assert_string_equal(cfg.host.wan_dev, "pgh-b0");
	assert_int_equal(cfg.engine.nlan_input, def.nlan_input);
	assert_memory_equal(cfg.engine.lan_input, def.lan_input,
			    def.nlan_input * sizeof(def.lan_input[0]));
	assert_int_equal(cfg.engine.nhost_routes, 0);
	assert_int_equal(cfg.nwan_input, 0);
	assert_int_equal(cfg.engine.nforwards, 0);
	assert_int_equal(cfg.nforward_rules, 0);
	pg_config_free(&cfg);
}

static void test_long_link_names(void **state)
{
	struct pg_config cfg;
	char err[PG_CONFIG_ERR_SIZE] = "";

	(void)state;
	/* 15-byte links: "pgh-" and the first 11 bytes, still distinct. */
	assert_int_equal(parse("[lan]\ninterface = lanlinkabcdefgh\naddress = 192.168.1.1/24\n"
			       "[wan]\ninterface = wanlinkabcdefgh\naddress = 198.51.100.2/24\n"
			       "gateway = 198.51.100.1\n",
			       &cfg, err),
			 0);
	assert_string_equal(cfg.host.lan_dev, "pgh-lanlinkabcd");
	assert_string_equal(cfg.host.wan_dev, "pgh-wanlinkabcd");
	pg_config_free(&cfg);
}

static void test_good(void **state)
{
	struct pg_config cfg;
	char err[PG_CONFIG_ERR_SIZE] = "";
	const struct pg_port_forward *f;
	char text[PG_CONFIG_VALUE_MAX + 1];

	(void)state;
	assert_int_equal(parse(HEAD "[forward]\n"
				    "rule = udp 1194 192.168.1.10\n"
				    "[input]\n"
				    "lan = tcp 22, udp 53,tcp 8000-8010 ,  gre\n"
				    "wan = udp 51820, tcp 2222\n"
				    "[host]\n"
				    "path = on\n"
				    "lan_device = hl0\n"
				    "wan_device = hw0\n"
				    "routes = 10.9.0.0/24, 10.10.0.0/16\n",
			       &cfg, err),
			 0);
	assert_string_equal(cfg.host.lan_dev, "hl0");
	assert_string_equal(cfg.host.wan_dev, "hw0");
	assert_int_equal(cfg.engine.nlan_input, 4);
	assert_int_equal(cfg.engine.lan_input[0].proto, PG_PROTO_TCP);
	assert_int_equal(cfg.engine.lan_input[0].lo, 22);
	assert_int_equal(cfg.engine.lan_input[0].hi, 22);
	assert_int_equal(cfg.engine.lan_input[2].lo, 8000);
	assert_int_equal(cfg.engine.lan_input[2].hi, 8010);
	assert_int_equal(cfg.engine.lan_input[3].proto, PG_PROTO_GRE);
	assert_int_equal(cfg.engine.lan_input[3].lo, 0);
	assert_int_equal(cfg.engine.nhost_routes, 2);
	assert_int_equal(cfg.engine.host_routes[1].addr, ip("10.10.0.0"));
	assert_int_equal(cfg.engine.host_routes[1].prefix, 16);
	/* The [forward] rule first, then the WAN input rules as forwards to the gateway. */
	assert_int_equal(cfg.nforward_rules, 1);
	assert_int_equal(cfg.engine.nforwards, 3);
	f = &cfg.engine.forwards[1];
	assert_int_equal(f->proto, PG_PROTO_UDP);
	assert_int_equal(f->wan_lo, 51820);
	assert_int_equal(f->lan_lo, 51820);
	assert_int_equal(f->host, ip("198.51.100.2"));
	assert_int_equal(cfg.forward_line[1], 13);
	assert_int_equal(cfg.engine.forwards[2].proto, PG_PROTO_TCP);
	pg_config_format_input(cfg.engine.lan_input, cfg.engine.nlan_input, text, sizeof(text));
	assert_string_equal(text, "tcp 22, udp 53, tcp 8000-8010, gre");
	pg_config_format_routes(cfg.engine.host_routes, cfg.engine.nhost_routes, text,
				sizeof(text));
	assert_string_equal(text, "10.9.0.0/24, 10.10.0.0/16");
	pg_config_free(&cfg);

	assert_int_equal(parse(HEAD "[input]\nlan = none\nwan = none\n[host]\nroutes = none\n",
			       &cfg, err),
			 0);
	assert_int_equal(cfg.engine.nlan_input, 0);
	assert_int_equal(cfg.nwan_input, 0);
	pg_config_format_input(cfg.engine.lan_input, 0, text, sizeof(text));
	assert_string_equal(text, "none");
	pg_config_free(&cfg);

	assert_int_equal(parse(HEAD "[host]\npath = off\n", &cfg, err), 0);
	assert_false(cfg.host.path);
	pg_config_free(&cfg);
}

static const struct bad_case bad_cases[] = {
	{HEAD "[input]\nlan = tcp\n",
	 "t.conf:10: [input] lan: tcp and udp take a port or a range such as 8000-8010 (1..65535)"},
	{HEAD "[input]\nlan = tcp 0\n",
	 "t.conf:10: [input] lan: tcp and udp take a port or a range such as 8000-8010 (1..65535)"},
	{HEAD "[input]\nlan = udp 90-80\n",
	 "t.conf:10: [input] lan: tcp and udp take a port or a range such as 8000-8010 (1..65535)"},
	{HEAD "[input]\nlan = icmp\n",
	 "t.conf:10: [input] lan: protocol must be tcp, udp, gre or esp (ICMP is always let in)"},
	{HEAD "[input]\nlan = gre 5\n", "t.conf:10: [input] lan: gre and esp have no ports"},
	{HEAD "[input]\nlan = tcp 22,,udp 53\n",
	 "t.conf:10: [input] lan: expected 'PROTO [PORT[-PORT]], ...' or 'none'"},
	{HEAD "[input]\nwan = udp 51820\n[forward]\nrule = udp 51820 192.168.1.10\n",
	 "t.conf:10: [input] wan: 'udp 51820' claims traffic that 'udp 51820 192.168.1.10' (t.conf:12) "
	 "already forwards"},
	{HEAD "[input]\nwan = udp 5000-5010, udp 5005\n",
	 "t.conf:10: [input] wan: two of its rules claim the same traffic"},
	{HEAD "[host]\npath = off\n[input]\nwan = udp 51820\n",
	 "t.conf:12: [input] wan: opens services of the host path: needs [host] path = on"},
	{HEAD "[host]\nlan_device = b0\n",
	 "t.conf:9: [host]: a host device may not have a link's name"},
	{HEAD "[host]\nlan_device = x0\nwan_device = x0\n",
	 "t.conf:9: [host]: lan_device and wan_device have the same name (set them in [host])"},
	{HEAD "[host]\nroutes = 10.9.0.0\n",
	 "t.conf:10: [host] routes: expected prefixes such as 10.9.0.0/24, separated by commas"},
	{HEAD "[host]\npath = maybe\n",
	 "t.conf:10: [host] path: expected 'on' or 'off' (or yes/no, true/false)"},
	/* The engine's own checks on routes. */
	{HEAD "[host]\nroutes = 192.168.1.0/25\n", "t.conf: a host route overlaps the LAN"},
	{HEAD "[host]\nroutes = 10.9.0.1/24\n", "t.conf: a host route has bits set past its prefix"},
};

static void test_errors(void **state)
{
	(void)state;
	check_bad_cases(bad_cases, sizeof(bad_cases) / sizeof(bad_cases[0]));
}

/* Live changes go through pg_config_set, like the API's. */
static void test_set(void **state)
{
	struct pg_config cfg;
	char err[PG_CONFIG_ERR_SIZE] = "";

	(void)state;
	assert_int_equal(parse(HEAD, &cfg, err), 0);
	assert_int_equal(pg_config_set(&cfg, "input", "wan", "tcp 2222", err, sizeof(err)), 0);
	assert_int_equal(cfg.engine.nforwards, 1);
	assert_int_equal(cfg.engine.forwards[0].host, cfg.engine.wan_addr);
	assert_int_equal(cfg.nforward_rules, 0);
	assert_int_not_equal(pg_config_set(&cfg, "host", "routes", "192.168.1.0/24", err,
					   sizeof(err)),
			     0);
	assert_int_equal(cfg.engine.nhost_routes, 0);
	pg_config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults), cmocka_unit_test(test_long_link_names),
		cmocka_unit_test(test_good),	 cmocka_unit_test(test_errors),
		cmocka_unit_test(test_set),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
