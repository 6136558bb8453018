/* SPDX-License-Identifier: MIT */
/*
 * test_tunnel_conf.c - [tunnel] (conf/config_tunnel.c): defaults, what a
 * WireGuard and an OpenVPN tunnel need, openvpn's command line, route and bypass lists into the engine's
 * configuration, refusals with their line; the nftables rules rendered for
 * the host (ctl/tunnel_host.c); and the WireGuard userspace API answer and
 * probe answers (ctl/wg_uapi.c).
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
#include "ctl/tunnel.h"
#include "ctl/wg_uapi.h"

#define TUN HEAD "[tunnel]\ntype = wireguard\nwg_config = /etc/passgate/wg.conf\n" \
		 "address = 10.66.0.2/32\ndns = 10.66.0.1\n"

#define OVPN HEAD "[tunnel]\ntype = openvpn\nconfig = /etc/passgate/vpn.ovpn\ndns = 10.8.0.1\n"

static uint32_t ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

static void test_off_by_default(void **state)
{
	struct pg_config cfg;
	char err[PG_CONFIG_ERR_SIZE] = "";

	(void)state;
	assert_int_equal(parse(HEAD, &cfg, err), 0);
	assert_int_equal(cfg.tunnel.type, PG_TUNNEL_OFF);
	assert_false(cfg.engine.tunnel);
	assert_true(cfg.engine.tunnel_killswitch);
	pg_config_free(&cfg);
}

static void test_wireguard(void **state)
{
	struct pg_config cfg;
	char err[PG_CONFIG_ERR_SIZE] = "", list[256];

	(void)state;
	assert_int_equal(parse(TUN "route = 192.168.1.10, 192.168.1.64/26\nbypass = 192.168.1.70\n"
				   "mtu = 1380\ndevice = wgc0\ntable = 4000\n",
			       &cfg, err),
			 0);
	assert_true(cfg.engine.tunnel);
	assert_false(cfg.engine.tunnel_all);
	assert_true(cfg.engine.tunnel_killswitch);
	assert_int_equal(cfg.engine.ntunnel_route, 2);
	assert_int_equal(cfg.engine.tunnel_route[1].addr, ip("192.168.1.64"));
	assert_int_equal(cfg.engine.tunnel_route[1].prefix, 26);
	assert_int_equal(cfg.engine.ntunnel_bypass, 1);
	assert_int_equal(cfg.tunnel.addr, ip("10.66.0.2"));
	assert_int_equal(cfg.tunnel.prefix, 32);
	assert_int_equal(cfg.tunnel.dns, ip("10.66.0.1"));
	assert_int_equal(cfg.tunnel.mtu, 1380);
	assert_int_equal(cfg.tunnel.table, 4000);
	assert_string_equal(cfg.tunnel.device, "wgc0");
	pg_config_tunnel_format_list(&cfg, false, list, sizeof(list));
	assert_string_equal(list, "192.168.1.10, 192.168.1.64/26");
	pg_config_tunnel_format_list(&cfg, true, list, sizeof(list));
	assert_string_equal(list, "192.168.1.70");
	pg_config_free(&cfg);
	assert_int_equal(parse(TUN "killswitch = off\n", &cfg, err), 0);
	assert_true(cfg.engine.tunnel_all);
	assert_false(cfg.engine.tunnel_killswitch);
	pg_config_tunnel_format_list(&cfg, false, list, sizeof(list));
	assert_string_equal(list, "all");
	pg_config_free(&cfg);
}

/* OpenVPN: no address (the server's to give), no WireGuard MTU rule, the same lists. */
static void test_openvpn(void **state)
{
	struct pg_config cfg;
	char err[PG_CONFIG_ERR_SIZE] = "", list[256];

	(void)state;
	assert_int_equal(parse(OVPN "route = 192.168.1.10\nmtu = 1500\n", &cfg, err), 0);
	assert_int_equal(cfg.tunnel.type, PG_TUNNEL_OPENVPN);
	assert_string_equal(pg_tunnel_type_names[cfg.tunnel.type], "openvpn");
	assert_string_equal(cfg.tunnel.ovpn_config, "/etc/passgate/vpn.ovpn");
	assert_string_equal(cfg.tunnel.wg_config, "");
	assert_int_equal(cfg.tunnel.addr, 0);
	assert_int_equal(cfg.tunnel.dns, ip("10.8.0.1"));
	assert_true(cfg.engine.tunnel);
	assert_true(cfg.engine.tunnel_killswitch);
	pg_config_tunnel_format_list(&cfg, false, list, sizeof(list));
	assert_string_equal(list, "192.168.1.10");
	pg_config_free(&cfg);
}

/* The file first, passgated's options after it (where OpenVPN lets them win). */
static void test_openvpn_argv(void **state)
{
	struct pg_config cfg;
	char err[PG_CONFIG_ERR_SIZE] = "", *argv[PG_TUNNEL_OVPN_ARGV], dir[256];
	static const char *const want[] = {
		"/usr/sbin/openvpn", "--cd", "/etc/passgate", "--config", "/etc/passgate/vpn.ovpn", "--dev", "ovc0",
		"--dev-type", "tun", "--route-noexec", "--persist-tun", "--disable-dco",
		"--script-security", "1"};
	int n;

	(void)state;
	assert_int_equal(parse(OVPN "device = ovc0\n", &cfg, err), 0);
	n = pg_tunnel_ovpn_argv(&cfg, argv, PG_TUNNEL_OVPN_ARGV, dir, sizeof(dir));
	assert_int_equal(n, (int)(sizeof(want) / sizeof(want[0])));
	for (int i = 0; i < n; i++)
		assert_string_equal(argv[i], want[i]);
	assert_null(argv[n]);
	assert_int_equal(pg_tunnel_ovpn_argv(&cfg, argv, (size_t)n, dir, sizeof(dir)), -ENOSPC);
	/* the directory must fit too */
	assert_int_equal(pg_tunnel_ovpn_argv(&cfg, argv, PG_TUNNEL_OVPN_ARGV, dir, 13), -ENOSPC);
	pg_config_free(&cfg);
	/* a file in / runs in / */
	assert_int_equal(parse(HEAD "[tunnel]\ntype = openvpn\nconfig = /vpn.ovpn\ndns = 10.8.0.1\n",
			       &cfg, err),
			 0);
	assert_true(pg_tunnel_ovpn_argv(&cfg, argv, PG_TUNNEL_OVPN_ARGV, dir, sizeof(dir)) > 0);
	assert_string_equal(argv[2], "/");
	assert_string_equal(argv[4], "/vpn.ovpn");
	pg_config_free(&cfg);
}

static void test_refused(void **state)
{
	static const struct bad_case cases[] = {
		{HEAD "[tunnel]\ntype = ipsec\n",
		 "t.conf:10: [tunnel] type: expected off, wireguard or openvpn"},
		{HEAD "[tunnel]\ntype = openvpn\ndns = 10.8.0.1\n",
		 "t.conf:9: [tunnel]: type = openvpn needs config (the file `openvpn --config` "
		 "reads)"},
		{OVPN "address = 10.8.0.2/24\n",
		 "t.conf:9: [tunnel]: type = openvpn takes its address from the server (or the "
		 "file's ifconfig): leave address out"},
		{OVPN "wg_config = /x\n",
		 "t.conf:9: [tunnel]: wg_config is WireGuard's; type = openvpn takes config (the "
		 ".ovpn file)"},
		{TUN "config = /x.ovpn\n",
		 "t.conf:9: [tunnel]: config is the OpenVPN file (type = openvpn); WireGuard's is "
		 "wg_config"},
		{HEAD "[tunnel]\nconfig = client.ovpn\n",
		 "t.conf:10: [tunnel] config: expected an absolute path"},
		{HEAD "[tunnel]\ntype = openvpn\nconfig = /x.ovpn\n",
		 "t.conf:9: [tunnel]: needs dns (a resolver inside the tunnel: tunnelled hosts' "
		 "DNS goes there)"},
		{HEAD "[tunnel]\ntype = wireguard\n",
		 "t.conf:9: [tunnel]: type = wireguard needs wg_config (the file `wg setconf` reads)"},
		{HEAD "[tunnel]\ntype = wireguard\nwg_config = /x\n",
		 "t.conf:9: [tunnel]: needs address (the tunnel's own address, from the provider)"},
		{HEAD "[tunnel]\ntype = wireguard\nwg_config = /x\naddress = 10.66.0.2\n",
		 "t.conf:9: [tunnel]: needs dns (a resolver inside the tunnel: tunnelled hosts' "
		 "DNS goes there)"},
		{TUN "route = 10.1.2.3\n",
		 "t.conf:9: [tunnel]: route and bypass take LAN hosts or prefixes inside the LAN"},
		{TUN "route = none\n",
		 "t.conf:14: [tunnel] route: expected all, or LAN hosts and prefixes (type = off "
		 "turns the tunnel off)"},
		{TUN "bypass = 192.168.1.1/16\n",
		 "t.conf:14: [tunnel] bypass: a prefix has bits set past its length"},
		{HEAD "[tunnel]\ntype = wireguard\nwg_config = /x\naddress = 192.168.1.50/32\n"
		      "dns = 10.66.0.1\n",
		 "t.conf:9: [tunnel]: address overlaps the LAN"},
		{TUN "mtu = 1450\n",
		 "t.conf:9: [tunnel]: mtu leaves no room for WireGuard's 60 bytes within the WAN MTU"},
		{TUN "device = lan/0\n",
		 "t.conf:14: [tunnel] device: expected a device name of 1 to 15 characters (no '/', "
		 "':' or blanks)"},
		{TUN "[host]\npath = off\n",
		 "t.conf:9: [tunnel]: the tunnel runs on the host path: needs [host] path = on"},
		{HEAD "[tunnel]\nwg_config = relative\n",
		 "t.conf:10: [tunnel] wg_config: expected an absolute path"},
		{TUN "table = 10\n",
		 "t.conf:14: [tunnel] table: expected a routing table number of 1000 or more"},
	};

	(void)state;
	check_bad_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_nft_rules(void **state)
{
	struct pg_config cfg;
	char err[PG_CONFIG_ERR_SIZE] = "", text[4096];

	(void)state;
	assert_int_equal(parse(TUN "bypass = 192.168.1.20\ndevice = pgtun0\n", &cfg, err), 0);
	assert_true(pg_tunnel_nft_render(&cfg, "pgh-a0", "pgh-b0", text, sizeof(text)) > 0);
	/* Tunnelled hosts' DNS to the gateway goes to the resolver inside. */
	assert_non_null(strstr(text, "iifname \"pgh-a0\" ip saddr { 192.168.1.0/24 } ip saddr != "
				     "{ 192.168.1.20/32 } ip daddr 192.168.1.1 udp dport 53 dnat "
				     "to 10.66.0.1"));
	assert_non_null(strstr(text, "oifname \"pgtun0\" masquerade"));
	/* Nothing forwarded from the LAN device may leave by the WAN device. */
	assert_non_null(strstr(text, "iifname \"pgh-a0\" oifname \"pgh-b0\" counter drop"));
	assert_non_null(strstr(text, "tcp option maxseg size set rt mtu"));
	assert_int_equal(pg_tunnel_nft_render(&cfg, "pgh-a0", "pgh-b0", text, 100), -ENOSPC);
	pg_config_free(&cfg);
}

static void test_uapi(void **state)
{
	static const char get[] = "private_key=aa\nlisten_port=0\npublic_key=01\n"
				  "endpoint=203.0.113.10:51820\nlast_handshake_time_sec=1700000000\n"
				  "last_handshake_time_nsec=1\ntx_bytes=100\nrx_bytes=200\n"
				  "public_key=02\nlast_handshake_time_sec=1700000100\ntx_bytes=1\n"
				  "rx_bytes=2\nerrno=0\n\n";
	struct pg_wg_stats st;
	uint8_t q[32];
	size_t n;

	(void)state;
	assert_int_equal(pg_wg_uapi_parse(get, strlen(get), &st), 0);
	assert_int_equal(st.peers, 2);
	assert_int_equal(st.last_handshake_s, 1700000100);
	assert_int_equal(st.tx_bytes, 101);
	assert_int_equal(st.rx_bytes, 202);
	assert_int_equal(pg_wg_uapi_parse("errno=1\n\n", 9, &st), 0);
	assert_int_equal(st.err, 1);
	/* No errno line, a line without '=', a number that is not one, one that overflows. */
	assert_int_equal(pg_wg_uapi_parse("tx_bytes=1\n\n", 12, &st), -1);
	assert_int_equal(pg_wg_uapi_parse("junk\nerrno=0\n\n", 14, &st), -1);
	assert_int_equal(pg_wg_uapi_parse("rx_bytes=1x\nerrno=0\n", 20, &st), -1);
	assert_int_equal(pg_wg_uapi_parse("rx_bytes=99999999999999999999\nerrno=0\n", 38, &st), -1);
	n = pg_wg_probe_query(q, sizeof(q), 0xbeef);
	assert_int_equal(n, 17);
	assert_false(pg_wg_probe_answer(q, n, 0xbeef)); /* a query, not an answer */
	q[2] |= 0x80;
	assert_true(pg_wg_probe_answer(q, n, 0xbeef));
	assert_false(pg_wg_probe_answer(q, n, 0xbeee));
	assert_false(pg_wg_probe_answer(q, 11, 0xbeef));
	assert_int_equal(pg_wg_probe_query(q, 16, 1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_off_by_default), cmocka_unit_test(test_wireguard),
		cmocka_unit_test(test_refused),	       cmocka_unit_test(test_nft_rules),
		cmocka_unit_test(test_uapi),	       cmocka_unit_test(test_openvpn),
		cmocka_unit_test(test_openvpn_argv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
