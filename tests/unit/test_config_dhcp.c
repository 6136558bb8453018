/* SPDX-License-Identifier: MIT */
/*
 * test_config_dhcp.c - the [dhcp] and [dns] sections: a full good file,
 * defaults, every refusal with its line, the value parsers, and the dnsmasq
 * configuration the settings render to.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "config_cases.h"

#include "conf/config.h"
#include "ctl/dnsmasq.h"

/* IPv6 on both sides (lines 9-12), for IPv6 upstream servers. */
#define V6 "[lan]\naddress6 = 2001:db8:1::1/64\n[wan]\naddress6 = 2001:db8:ffff::2/64\n"

static const char good[] = HEAD "[dhcp]\n"				/* 9 */
				"enable = on\n"				/* 10 */
				"range  = 192.168.1.100 - 192.168.1.199\n" /* 11 */
				"lease  = 1h30m\n"
				"host   = 02:00:00:00:00:10 192.168.1.10\n"
				"host   = 02-00-00-00-00-AB 192.168.1.20\n"
				"[dns]\n"
				"forward  = on\n"
				"upstream = 203.0.113.53, 198.51.100.53\n"
				"name     = nas.lan 192.168.1.10\n"
				"name     = vpn.home.example 192.168.1.20\n";

static uint32_t ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

static void test_good(void **state)
{
	struct pg_config cfg;
	char err[PG_CONFIG_ERR_SIZE] = "";
	static const uint8_t mac2[6] = {2, 0, 0, 0, 0, 0xab};

	(void)state;
	assert_int_equal(parse(good, &cfg, err), 0);
	assert_true(cfg.dhcp.enabled);
	assert_int_equal(cfg.dhcp.range_lo, ip("192.168.1.100"));
	assert_int_equal(cfg.dhcp.range_hi, ip("192.168.1.199"));
	assert_int_equal(cfg.dhcp.lease, 5400);
	assert_int_equal(cfg.dhcp.nhosts, 2);
	assert_memory_equal(cfg.dhcp.hosts[1].mac, mac2, 6);
	assert_int_equal(cfg.dhcp.hosts[1].addr, ip("192.168.1.20"));
	assert_int_equal(cfg.dhcp.hosts[1].line, 14);
	/* Not given: follows [dns], which answers. */
	assert_true(cfg.dhcp.dns);
	assert_true(cfg.dns.forward);
	assert_int_equal(cfg.dns.nupstream, 2);
	assert_int_equal(cfg.dns.upstream[1], ip("198.51.100.53"));
	assert_int_equal(cfg.dns.nnames, 2);
	assert_string_equal(cfg.dns.names[1].name, "vpn.home.example");
	assert_true(pg_config_dnsmasq_wanted(&cfg));
	pg_config_free(&cfg);
}

static void test_defaults(void **state)
{
	struct pg_config cfg;
	char err[PG_CONFIG_ERR_SIZE] = "";

	(void)state;
	assert_int_equal(parse(HEAD, &cfg, err), 0);
	assert_false(cfg.dhcp.enabled);
	assert_int_equal(cfg.dhcp.lease, 12 * 3600);
	assert_false(cfg.dhcp.dns);
	assert_false(cfg.dns.forward);
	assert_false(pg_config_dns_serves(&cfg));
	assert_false(pg_config_dnsmasq_wanted(&cfg));
	pg_config_free(&cfg);
	/* A range alone, DHCP off: checked, but nothing runs. */
	assert_int_equal(parse(HEAD "[dhcp]\nrange = 192.168.1.2-192.168.1.9\n", &cfg, err), 0);
	assert_false(pg_config_dnsmasq_wanted(&cfg));
	pg_config_free(&cfg);
	/* Names alone: DNS is answered without forwarding. */
	assert_int_equal(parse(HEAD "[dns]\nname = router.lan 192.168.1.1\n", &cfg, err), 0);
	assert_true(pg_config_dns_serves(&cfg));
	pg_config_free(&cfg);
	/* DHCP without DNS: hosts are not sent to the gateway for names. */
	assert_int_equal(parse(HEAD "[dhcp]\nenable = on\nrange = 192.168.1.2 - 192.168.1.9\n", &cfg,
			       err),
			 0);
	assert_false(cfg.dhcp.dns);
	pg_config_free(&cfg);
}

static const struct bad_case bad_cases[] = {
	{HEAD "[dhcp]\nenable = on\n",
	 "t.conf:10: [dhcp] enable: 'range' is required when DHCP is on"},
	{HEAD "[dhcp]\nenable = maybe\n", "t.conf:10: [dhcp] enable: expected 'on' or 'off'"},
	{HEAD "[dhcp]\nrange = 192.168.1.100\n",
	 "t.conf:10: [dhcp] range: expected 'FIRST - LAST' such as 192.168.1.100 - 192.168.1.199"},
	{HEAD "[dhcp]\nrange = 192.168.1.100 - \n",
	 "t.conf:10: [dhcp] range: expected 'FIRST - LAST' such as 192.168.1.100 - 192.168.1.199"},
	{HEAD "[dhcp]\nrange = 192.168.1.100 - 192.168.1.x\n",
	 "t.conf:10: [dhcp] range: expected 'FIRST - LAST' such as 192.168.1.100 - 192.168.1.199"},
	{HEAD "[dhcp]\nrange = 192.168.1.200 - 192.168.1.100\n",
	 "t.conf:10: [dhcp] range: the first address is above the last"},
	{HEAD "[dhcp]\nenable = on\nrange = 192.168.2.100 - 192.168.2.199\n",
	 "t.conf:11: [dhcp] range: reaches outside the LAN prefix (192.168.1.0/24)"},
	{HEAD "[dhcp]\nrange = 192.168.1.100 - 192.168.2.10\n",
	 "t.conf:10: [dhcp] range: reaches outside the LAN prefix (192.168.1.0/24)"},
	{HEAD "[dhcp]\nrange = 192.168.1.0 - 192.168.1.10\n",
	 "t.conf:10: [dhcp] range: reaches the network or broadcast address of the LAN prefix "
	 "(192.168.1.0/24)"},
	{HEAD "[dhcp]\nrange = 192.168.1.200 - 192.168.1.255\n",
	 "t.conf:10: [dhcp] range: reaches the network or broadcast address of the LAN prefix "
	 "(192.168.1.0/24)"},
	{HEAD "[dhcp]\nenable = on\nrange = 192.168.1.1 - 192.168.1.50\n",
	 "t.conf:11: [dhcp] range: contains the gateway's own LAN address"},
	{HEAD "[dhcp]\nrange = 192.168.1.2 - 192.168.1.50\nrange = 192.168.1.2 - 192.168.1.5\n",
	 "t.conf:11: [dhcp] range: given twice (first on line 10)"},
	{HEAD "[dhcp]\nlease = 1m\n",
	 "t.conf:10: [dhcp] lease: expected a duration from 2m to 8784h, such as 12h or 30m"},
	{HEAD "[dhcp]\nlease = forever\n",
	 "t.conf:10: [dhcp] lease: expected a duration from 2m to 8784h, such as 12h or 30m"},
	{HEAD "[dhcp]\nhost = 02:00:00:00:00 192.168.1.10\n",
	 "t.conf:10: [dhcp] host: expected 'MAC IP' such as 02:00:00:00:00:10 192.168.1.10"},
	{HEAD "[dhcp]\nhost = 02:00:00:00:00:zz 192.168.1.10\n",
	 "t.conf:10: [dhcp] host: expected 'MAC IP' such as 02:00:00:00:00:10 192.168.1.10"},
	{HEAD "[dhcp]\nhost = 02:00:00:00:00:10 192.168.1.10 extra\n",
	 "t.conf:10: [dhcp] host: expected 'MAC IP' such as 02:00:00:00:00:10 192.168.1.10"},
	{HEAD "[dhcp]\nhost = 02:00:00:00:00:10 10.0.0.10\n",
	 "t.conf:10: [dhcp] host: the address is outside the LAN prefix (192.168.1.0/24)"},
	{HEAD "[dhcp]\nhost = 02:00:00:00:00:10 192.168.1.1\n",
	 "t.conf:10: [dhcp] host: the address is the gateway's own LAN address (192.168.1.0/24)"},
	{HEAD "[dhcp]\nhost = 02:00:00:00:00:10 192.168.1.10\nhost = 02:00:00:00:00:10 "
	      "192.168.1.11\n",
	 "t.conf:11: [dhcp] host: this MAC already has an address on line 10"},
	{HEAD "[dhcp]\nhost = 02:00:00:00:00:10 192.168.1.10\nhost = 02:00:00:00:00:11 "
	      "192.168.1.10\n",
	 "t.conf:11: [dhcp] host: this address is already given to another MAC on line 10"},
	{HEAD "[dhcp]\ndns = on\n",
	 "t.conf:10: [dhcp] dns: hosts would be sent to a gateway that answers no DNS: set [dns] "
	 "forward = on or give [dns] names"},
	{HEAD "[dns]\nforward = on\n",
	 "t.conf:10: [dns] forward: 'upstream' is required when forwarding is on"},
	{HEAD "[dns]\nforward = on\nupstream = dhcp\n",
	 "t.conf:11: [dns] upstream: 'dhcp' takes the servers of the WAN's DHCP lease, and [wan] "
	 "address is not dhcp"},
	{HEAD "[dns]\nupstream = 192.168.1.53\n",
	 "t.conf:10: [dns] upstream: a LAN address: upstream servers are reached over the WAN"},
	{HEAD "[dns]\nupstream = 203.0.113.53, 127.0.0.1\n",
	 "t.conf:10: [dns] upstream: not a DNS server's address (the gateway itself, 0, loopback, "
	 "multicast or reserved)"},
	{HEAD "[dns]\nupstream = 198.51.100.2\n",
	 "t.conf:10: [dns] upstream: not a DNS server's address (the gateway itself, 0, loopback, "
	 "multicast or reserved)"},
	{HEAD "[dns]\nupstream = 1.1.1.1, 1.0.0.1, 8.8.8.8, 8.8.4.4, 9.9.9.9\n",
	 "t.conf:10: [dns] upstream: at most 4 upstream servers"},
	{HEAD "[dns]\nupstream = 1.1.1.1;8.8.8.8\n",
	 "t.conf:10: [dns] upstream: expected 'dhcp' or addresses separated by commas, such as "
	 "203.0.113.53, 2001:db8::53"},
	{HEAD "[dns]\nupstream = ,\n", "t.conf:10: [dns] upstream: expected at least one address"},
	{HEAD "[dns]\nforward = on\nupstream = 2001:db8:2::53\n",
	 "t.conf:11: [dns] upstream: an IPv6 server needs IPv6 on: [lan] address6 and [wan] "
	 "address6"},
	{HEAD V6 "[dns]\nforward = on\nupstream = 203.0.113.53, 2001:db8:1::53\n",
	 "t.conf:15: [dns] upstream: not an IPv6 DNS server on the WAN (the LAN's prefix, the "
	 "gateway itself, link-local, loopback or multicast)"},
	{HEAD V6 "[dns]\nforward = on\nupstream = fe80::1\n",
	 "t.conf:15: [dns] upstream: not an IPv6 DNS server on the WAN (the LAN's prefix, the "
	 "gateway itself, link-local, loopback or multicast)"},
	{HEAD V6 "[dns]\nforward = on\nupstream = 2001:db8:ffff::2\n",
	 "t.conf:15: [dns] upstream: not an IPv6 DNS server on the WAN (the LAN's prefix, the "
	 "gateway itself, link-local, loopback or multicast)"},
	{HEAD V6 "[dns]\nupstream = 1.1.1.1, 2001:db8::1, 8.8.8.8, 2001:db8::2, 9.9.9.9\n",
	 "t.conf:14: [dns] upstream: at most 4 upstream servers"},
	{HEAD "[dns]\nname = bad_name.lan 192.168.1.10\n",
	 "t.conf:10: [dns] name: expected 'NAME IP' such as nas.lan 192.168.1.10 (letters, digits, "
	 "'-' and dots)"},
	{HEAD "[dns]\nname = nas.lan\n",
	 "t.conf:10: [dns] name: expected 'NAME IP' such as nas.lan 192.168.1.10 (letters, digits, "
	 "'-' and dots)"},
	{HEAD "[dns]\nname = nas.lan 192.168.1.10\nname = NAS.lan 192.168.1.11\n",
	 "t.conf:11: [dns] name: 'NAS.lan' already named on line 10"},
	{HEAD "[dns]\nresolver = 1.1.1.1\n", "t.conf:10: [dns] resolver: unknown key"},
	{HEAD "[host]\npath = off\n[dhcp]\nenable = on\nrange = 192.168.1.2 - 192.168.1.9\n",
	 "t.conf:12: [dhcp] enable: DHCP is served through the host path: needs [host] path = on"},
	{HEAD "[input]\nlan = tcp 22, udp 53\n[dhcp]\nenable = on\nrange = 192.168.1.2 - 192.168.1.9\n",
	 "t.conf:12: [dhcp] enable: [input] lan does not admit udp 67: LAN hosts could not reach the "
	 "DHCP server"},
	{HEAD "[input]\nlan = none\n[dns]\nforward = on\nupstream = 203.0.113.53\n",
	 "t.conf:12: [dns] forward: [input] lan does not admit udp 53: LAN hosts could not reach the "
	 "DNS server"},
	{HEAD "[host]\npath = off\n[dns]\nname = a.lan 192.168.1.9\n",
	 "t.conf:12: [dns] name: DNS is served through the host path: needs [host] path = on"},
};

static void test_errors(void **state)
{
	(void)state;
	check_bad_cases(bad_cases, sizeof(bad_cases) / sizeof(bad_cases[0]));
}

static void test_value_parsers(void **state)
{
	uint8_t mac[6];

	(void)state;
	assert_int_equal(pg_config_parse_mac("aa:BB:cc:00:11:ff", mac), 0);
	assert_int_equal(mac[1], 0xbb);
	assert_int_equal(pg_config_parse_mac("aa:bb:cc:00:11:f", mac), -1);
	assert_int_equal(pg_config_parse_mac("aa:bb:cc:00:11:fff", mac), -1);
	assert_int_equal(pg_config_parse_mac("aa.bb.cc.00.11.ff", mac), -1);
	assert_int_equal(pg_config_parse_mac("", mac), -1);
	assert_true(pg_config_dns_name_valid("a"));
	assert_true(pg_config_dns_name_valid("vpn.example.test"));
	assert_true(pg_config_dns_name_valid("x-1.y2"));
	assert_false(pg_config_dns_name_valid(""));
	assert_false(pg_config_dns_name_valid(".a"));
	assert_false(pg_config_dns_name_valid("a."));
	assert_false(pg_config_dns_name_valid("a..b"));
	assert_false(pg_config_dns_name_valid("-a.b"));
	assert_false(pg_config_dns_name_valid("a-.b"));
	assert_false(pg_config_dns_name_valid("a.b-"));
	assert_false(pg_config_dns_name_valid("a,b"));
	assert_false(pg_config_dns_name_valid("a b"));
	{
		char label[80];

		memset(label, 'x', 64);
		label[64] = '\0';
		assert_false(pg_config_dns_name_valid(label));
		label[63] = '\0';
		assert_true(pg_config_dns_name_valid(label));
	}
}

/* The rendered dnsmasq configuration says what docs/CONFIG.md promises. */
static void test_render(void **state)
{
	static char buf[PG_DNSMASQ_CONF_MAX];
	struct pg_config cfg;
	char err[PG_CONFIG_ERR_SIZE] = "";
	int n;

	(void)state;
	assert_int_equal(parse(good, &cfg, err), 0);
	n = pg_dnsmasq_render(&cfg, "pgh-lan0", "/run/x", buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal((size_t)n, strlen(buf));
	static const char *const want[] = {
		"\ninterface=pgh-lan0\n",
		"\nexcept-interface=lo\n",
		"\nbind-interfaces\n",
		"\nno-resolv\n",
		"\nno-hosts\n",
		"\nport=53\n",
		"\nserver=203.0.113.53\n",
		"\nserver=198.51.100.53\n",
		"\nhost-record=nas.lan,192.168.1.10\n",
		"\ndhcp-range=192.168.1.100,192.168.1.199,255.255.255.0,5400s\n",
		"\ndhcp-leasefile=/run/x/dnsmasq.leases\n",
		"\ndhcp-option=option:router,192.168.1.1\n",
		"\ndhcp-option=option:dns-server,192.168.1.1\n",
		"\ndhcp-host=02:00:00:00:00:ab,192.168.1.20\n",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(buf, want[i]))
			fail_msg("missing '%s' in:\n%s", want[i], buf);
	/* No line may come from the machine's own resolver setup. */
	assert_null(strstr(buf, "resolv-file"));
	/* Too small a buffer is refused, not truncated silently. */
	assert_int_equal(pg_dnsmasq_render(&cfg, "pgh-lan0", "/run/x", buf, 64), -ENOSPC);
	pg_config_free(&cfg);

	/* DNS off, DHCP on: nothing on port 53, hosts told of no DNS server. */
	assert_int_equal(parse(HEAD "[dhcp]\nenable = on\nrange = 192.168.1.2 - 192.168.1.9\n", &cfg,
			       err),
			 0);
	n = pg_dnsmasq_render(&cfg, "t0", "/r", buf, sizeof(buf));
	assert_true(n > 0);
	assert_non_null(strstr(buf, "\nport=0\n"));
	assert_non_null(strstr(buf, "\ndhcp-option=option:dns-server\n"));
	assert_null(strstr(buf, "server="));
	pg_config_free(&cfg);

	/* An IPv6 upstream server beside an IPv4 one: both asked. */
	assert_int_equal(parse(HEAD V6 "[dns]\nforward = on\nupstream = 203.0.113.53, 2001:db8:2::53\n",
			       &cfg, err),
			 0);
	assert_int_equal(cfg.dns.nupstream, 1);
	assert_int_equal(cfg.dns.nupstream6, 1);
	n = pg_dnsmasq_render(&cfg, "t0", "/r", buf, sizeof(buf));
	assert_true(n > 0);
	assert_non_null(strstr(buf, "\nserver=203.0.113.53\nserver=2001:db8:2::53\n"));
	pg_config_free(&cfg);

	/* DNS only: no DHCP lines at all. */
	assert_int_equal(parse(HEAD "[dns]\nforward = on\nupstream = 203.0.113.53\n", &cfg, err), 0);
	n = pg_dnsmasq_render(&cfg, "t0", "/r", buf, sizeof(buf));
	assert_true(n > 0);
	assert_null(strstr(buf, "dhcp-"));
	pg_config_free(&cfg);
}

/* A value changed through pg_config_set() (the API's path) is checked the same way. */
static void test_set(void **state)
{
	struct pg_config cfg;
	char err[PG_CONFIG_ERR_SIZE] = "";

	(void)state;
	assert_int_equal(parse(good, &cfg, err), 0);
	assert_int_equal(pg_config_set(&cfg, "dhcp", "lease", "2h", err, sizeof(err)), 0);
	assert_int_equal(cfg.dhcp.lease, 7200);
	assert_int_equal(pg_config_set(&cfg, "dhcp", "range", "10.0.0.2 - 10.0.0.9", err,
				       sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "outside the LAN prefix"));
	/* Refused: the running settings stay. */
	assert_int_equal(cfg.dhcp.range_lo, ip("192.168.1.100"));
	assert_int_equal(pg_config_set(&cfg, "dns", "forward", "off", err, sizeof(err)), 0);
	assert_false(cfg.dns.forward);
	pg_config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),	      cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_errors),	      cmocka_unit_test(test_value_parsers),
		cmocka_unit_test(test_render),	      cmocka_unit_test(test_set),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
