/* SPDX-License-Identifier: MIT */
/*
 * test_config.c - the configuration parser: a full good file, every kind of
 * error with its line number, value parsers, and write-back that keeps
 * comments.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config_cases.h"

#include "conf/config.h"

static const char good[] = "# a full configuration\n"
			   "[lan]\n"
			   "interface = pglan0            # required\n"
			   "address   = 192.168.1.1/24\n"
			   "mtu       = 1400\n"
			   "\n"
			   "[wan]\n"
			   "interface = pgwan0\n"
			   "address   = 198.51.100.2/24\n"
			   "gateway   = 198.51.100.1\n"
			   "\n"
			   "[nat]\n"
			   "filtering          = endpoint-independent\n"
			   "max_flows          = 4096\n"
			   "max_flows_per_host = 100\n"
			   "[timeouts]\n"
			   "tcp_established = 2h4m\n"
			   "tcp_transitory  = 4m\n"
			   "tcp_time_wait   = 4m\n"
			   "udp             = 300s\n"
			   "icmp            = 60\n"
			   "gre             = 1h\n"
			   "esp             = 30m\n"
			   "other           = 10m\n"
			   "[icmp]\n"
			   "error_rate  = 10\n"
			   "error_burst = 5\n"
			   "refused_outbound = on\n"
			   "[log]\n"
			   "\tlevel = debug\t# tabs are blanks too\n";

static uint32_t ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

static void test_good_file(void **state)
{
	struct pg_config cfg;
	char err[PG_CONFIG_ERR_SIZE] = "";

	(void)state;
	assert_int_equal(parse(good, &cfg, err), 0);
	assert_string_equal(cfg.lan_ifname, "pglan0");
	assert_string_equal(cfg.wan_ifname, "pgwan0");
	assert_int_equal(cfg.lan_mtu, 1400);
	assert_int_equal(cfg.wan_mtu, 1500);
	assert_int_equal(cfg.engine.lan_addr, ip("192.168.1.1"));
	assert_int_equal(cfg.engine.lan_prefix, 24);
	assert_int_equal(cfg.engine.wan_addr, ip("198.51.100.2"));
	assert_int_equal(cfg.engine.wan_prefix, 24);
	assert_int_equal(cfg.engine.wan_gateway, ip("198.51.100.1"));
	assert_int_equal(cfg.engine.filtering, PG_FILTER_ENDPOINT_INDEPENDENT);
	assert_int_equal(cfg.engine.max_flows, 4096);
	assert_int_equal(cfg.engine.max_flows_per_host, 100);
	assert_int_equal(cfg.engine.timeouts.tcp_established, 7440);
	assert_int_equal(cfg.engine.timeouts.tcp_transitory, 240);
	assert_int_equal(cfg.engine.timeouts.tcp_time_wait, 240);
	assert_int_equal(cfg.engine.timeouts.udp, 300);
	assert_int_equal(cfg.engine.timeouts.icmp, 60);
	assert_int_equal(cfg.engine.timeouts.gre, 3600);
	assert_int_equal(cfg.engine.timeouts.esp, 1800);
	assert_int_equal(cfg.engine.timeouts.other, 600);
	assert_int_equal(cfg.engine.icmp_error_rate, 10);
	assert_int_equal(cfg.engine.icmp_error_burst, 5);
	assert_true(cfg.engine.refuse_outbound);
	assert_int_equal(cfg.log_level, PG_LOG_DEBUG);
	/* The document keeps every line and where the values are. */
	assert_int_equal(cfg.doc.n_lines, 30);
	assert_int_equal(cfg.doc.lines[2].val_len, strlen("pglan0"));
	assert_memory_equal(cfg.doc.text + cfg.doc.lines[2].val_off, "pglan0", 6);
	pg_config_free(&cfg);
}

static void test_defaults_and_builtin(void **state)
{
	struct pg_config cfg;
	struct pg_engine_config def;
	char err[PG_CONFIG_ERR_SIZE] = "";

	(void)state;
	assert_int_equal(parse(pg_config_builtin, &cfg, err), 0);
	pg_engine_config_defaults(&def);
	assert_string_equal(cfg.lan_ifname, "lan0");
	assert_string_equal(cfg.wan_ifname, "wan0");
	assert_int_equal(cfg.engine.max_flows, def.max_flows);
	assert_int_equal(cfg.engine.timeouts.udp, def.timeouts.udp);
	assert_int_equal(cfg.engine.filtering, PG_FILTER_ADDRESS_DEPENDENT);
	assert_int_equal(cfg.log_level, PG_LOG_INFO);
	assert_int_equal(cfg.lan_mtu, 1500);
	assert_false(cfg.engine.refuse_outbound); /* RFC 5508 REQ-8 answers are opt-in */
	pg_config_free(&cfg);
}

static const struct bad_case bad_cases[] = {
	{HEAD "[nat\n", "t.conf:9: malformed section header: expected '[name]' with a-z, 0-9 and '_'"},
	{HEAD "[NAT]\n", "t.conf:9: malformed section header: expected '[name]' with a-z, 0-9 and '_'"},
	{HEAD "[nat] x\n",
	 "t.conf:9: malformed section header: expected '[name]' with a-z, 0-9 and '_'"},
	{HEAD "[forwarding]\n", "t.conf:9: [forwarding]: unknown section"},
	{HEAD "[forward]\nrule = tcp 8080 192.168.1.10 80\nrule = tcp 8000-8090 192.168.1.11\n",
	 "t.conf:11: [forward] rule: 'tcp 8000-8090 192.168.1.11' claims traffic that "
	 "'tcp 8080 192.168.1.10 80' (t.conf:10) already forwards"},
	{HEAD "[forward]\nrule = gre 192.168.1.10\nrule = gre 192.168.1.11\n",
	 "t.conf:11: [forward] rule: 'gre 192.168.1.11' claims traffic that 'gre 192.168.1.10' "
	 "(t.conf:10) already forwards"},
	{HEAD "[forward]\nrule = tcp 80 10.0.0.1\n",
	 "t.conf:10: [forward] rule: the forward's host is neither a LAN host nor the gateway"},
	{HEAD "[forward]\nrule = tcp 8000-8010 192.168.1.10 80-81\n",
	 "t.conf:10: [forward] rule: a LAN port range must be as long as the WAN range"},
	{HEAD "[forward]\nrule = icmp 192.168.1.10\n",
	 "t.conf:10: [forward] rule: protocol must be tcp, udp, gre or esp"},
	{HEAD "[forward]\nrule = tcp 0 192.168.1.10\n",
	 "t.conf:10: [forward] rule: WAN ports must be a port or a range such as 8000-8010 "
	 "(1..65535)"},
	{HEAD "[forward]\ndmz = 10.0.0.1\n", "t.conf:10: [forward] dmz: not a host of the LAN prefix"},
	{"# top\nmtu = 1500\n", "t.conf:2: mtu: setting before the first [section]"},
	{HEAD "[nat]\nfiltering\n",
	 "t.conf:10: expected '[section]' or 'key = value' (keys use a-z, 0-9 and '_')"},
	{HEAD "[nat]\nMax_flows = 5\n",
	 "t.conf:10: expected '[section]' or 'key = value' (keys use a-z, 0-9 and '_')"},
	{HEAD "[nat]\nmax_flow = 5000\n", "t.conf:10: [nat] max_flow: unknown key"},
	{HEAD "[nat]\nmax_flows = 5000\n\nmax_flows = 6000\n",
	 "t.conf:12: [nat] max_flows: given twice (first on line 10)"},
	{HEAD "[lan]\ninterface = c0\n", "t.conf:10: [lan] interface: given twice (first on line 2)"},
	{HEAD "[nat]\nmax_flows =   # nothing\n", "t.conf:10: [nat] max_flows: missing value"},
	{HEAD "[nat]\nmax_flows = 100\n",
	 "t.conf:10: [nat] max_flows: expected a whole number between 1024 and 16777216"},
	{HEAD "[nat]\nmax_flows = 1e6\n",
	 "t.conf:10: [nat] max_flows: expected a whole number between 1024 and 16777216"},
	{HEAD "[nat]\nmax_flows = 99999999999999999999\n",
	 "t.conf:10: [nat] max_flows: expected a whole number between 1024 and 16777216"},
	{HEAD "[nat]\nfiltering = full-cone\n",
	 "t.conf:10: [nat] filtering: expected 'address-dependent', 'endpoint-independent' or "
	 "'address-and-port-dependent'"},
	{HEAD "[log]\nlevel = loud\n",
	 "t.conf:10: [log] level: expected 'error', 'warn', 'info' or 'debug'"},
	{HEAD "[timeouts]\nudp = 1m\n",
	 "t.conf:10: [timeouts] udp: RFC 4787 requires at least 2m (120 s)"},
	{HEAD "[timeouts]\ntcp_established = 2h\n",
	 "t.conf:10: [timeouts] tcp_established: RFC 5382 requires at least 2h4m (7440 s)"},
	{HEAD "[timeouts]\ntcp_time_wait = 2m\n",
	 "t.conf:10: [timeouts] tcp_time_wait: RFC 5382 requires at least 4m (240 s)"},
	{HEAD "[timeouts]\ntcp_transitory = 239\n",
	 "t.conf:10: [timeouts] tcp_transitory: RFC 5382 requires at least 4m (240 s)"},
	{HEAD "[timeouts]\nicmp = 59s\n",
	 "t.conf:10: [timeouts] icmp: RFC 5508 requires at least 1m (60 s)"},
	{HEAD "[timeouts]\ngre = 0\n", "t.conf:10: [timeouts] gre: must be at least 1s"},
	{HEAD "[timeouts]\nudp = 5 m\n",
	 "t.conf:10: [timeouts] udp: expected a duration such as 240, 240s, 4m or 2h4m"},
	{HEAD "[timeouts]\nudp = 4m2h\n",
	 "t.conf:10: [timeouts] udp: expected a duration such as 240, 240s, 4m or 2h4m"},
	{HEAD "[lan]\nmtu = 9000\n",
	 "t.conf:10: [lan] mtu: expected a whole number between 576 and 1956"},
	{"[lan]\ninterface = averyveryverylongname\n",
	 "t.conf:2: [lan] interface: expected an interface name of 1 to 15 bytes without '/', ':' or "
	 "blanks"},
	{"[lan]\ninterface = a/b\n", "t.conf:2: [lan] interface: expected an interface name of 1 to 15 "
				 "bytes without '/', ':' or blanks"},
	{"[lan]\naddress = 192.168.1.1\n",
	 "t.conf:2: [lan] address: expected an address and prefix length such as 192.168.1.1/24"},
	{"[lan]\naddress = 192.168.1.256/24\n",
	 "t.conf:2: [lan] address: expected an address and prefix length such as 192.168.1.1/24"},
	{"[lan]\naddress = 192.168.1.1/33\n",
	 "t.conf:2: [lan] address: expected an address and prefix length such as 192.168.1.1/24"},
	{"[lan]\naddress = 192.168.1.1/31\n",
	 "t.conf:2: [lan] address: prefix length must be between 1 and 30"},
	{"[lan]\naddress = 192.168.1.0/24\n", "t.conf:2: [lan] address: 192.168.1.0/24 is the network "
					  "address of its prefix, not a host address"},
	{"[lan]\naddress = 192.168.1.255/24\n", "t.conf:2: [lan] address: 192.168.1.255/24 is the "
						"broadcast address of its prefix, not a host address"},
	{"[wan]\ngateway = 198.51.100\n",
	 "t.conf:2: [wan] gateway: expected an IPv4 address such as 198.51.100.1"},
	/* Whole-file checks, reported where the fault shows. */
	{"[lan]\ninterface = a0\n[wan]\ninterface = b0\naddress = 198.51.100.2/24\ngateway = "
	 "198.51.100.1\n",
	 "t.conf:1: [lan] address: required key missing"},
	{"[lan]\ninterface = a0\naddress = 192.168.1.1/24\n",
	 "t.conf:3: [wan] interface: required key missing"},
	{"[lan]\ninterface = a0\naddress = 192.168.1.1/24\n[wan]\ninterface = a0\naddress = "
	 "198.51.100.2/24\ngateway = 198.51.100.1\n",
	 "t.conf:5: [wan] interface: same interface as [lan] interface; the sides need their own "
	 "links"},
	{"[lan]\ninterface = a0\naddress = 10.1.2.3/8\n[wan]\ninterface = b0\naddress = "
	 "10.9.0.2/24\ngateway = 10.9.0.1\n",
	 "t.conf:6: [wan] address: overlaps the LAN prefix 10.0.0.0/8"},
	{"[lan]\ninterface = a0\naddress = 192.168.1.1/24\n[wan]\ninterface = b0\naddress = "
	 "198.51.100.2/24\ngateway = 203.0.113.1\n",
	 "t.conf:7: [wan] gateway: not inside the WAN prefix 198.51.100.0/24"},
	{"[lan]\ninterface = a0\naddress = 192.168.1.1/24\n[wan]\ninterface = b0\naddress = "
	 "198.51.100.2/24\ngateway = 198.51.100.2\n",
	 "t.conf:7: [wan] gateway: is the gateway's own WAN address"},
	{HEAD "[nat]\nmax_flows = 2048\nmax_flows_per_host = 4096\n",
	 "t.conf:11: [nat] max_flows_per_host: larger than max_flows (2048)"},
};

static void test_errors(void **state)
{
	(void)state;
	check_bad_cases(bad_cases, sizeof(bad_cases) / sizeof(bad_cases[0]));
}

static void test_nul_and_crlf(void **state)
{
	struct pg_config cfg;
	char err[PG_CONFIG_ERR_SIZE] = "";
	static const char crlf[] =
		"[lan]\r\ninterface = a0\r\naddress = 192.168.1.1/24\r\n[wan]\r\n"
		"interface = b0\r\naddress = 198.51.100.2/24\r\n"
		"gateway = 198.51.100.1";

	(void)state;
	assert_int_not_equal(pg_config_parse(&cfg, "t.conf", "[lan]\0", 6, err, sizeof(err)), 0);
	assert_string_equal(err, "t.conf: contains a NUL byte; not a text file");
	/* CRLF line ends and no final newline are accepted. */
	assert_int_equal(parse(crlf, &cfg, err), 0);
	assert_string_equal(cfg.wan_ifname, "b0");
	assert_int_equal(cfg.engine.wan_gateway, ip("198.51.100.1"));
	pg_config_free(&cfg);
	/* An empty file lacks the required keys. */
	assert_int_not_equal(parse("", &cfg, err), 0);
	assert_string_equal(err, "t.conf:1: [lan] interface: required key missing");
}

static void test_durations(void **state)
{
	static const struct {
		const char *s;
		int ok;
		uint32_t v;
	} cases[] = {
		{"240", 1, 240},
		{"240s", 1, 240},
		{"4m", 1, 240},
		{"2h4m", 1, 7440},
		{"1h30m15s", 1, 5415},
		{"2h15s", 1, 7215},
		{"0", 1, 0},
		{"", 0, 0},
		{"s", 0, 0},
		{"4m2h", 0, 0},
		{"4m4m", 0, 0},
		{"4d", 0, 0},
		{"-5", 0, 0},
		{"5 s", 0, 0},
		{"4294967295", 1, 4294967295u},
		{"4294967296", 0, 0},
		{"1193047h", 0, 0},
		{"2h4", 0, 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t v = 12345;
		int r = pg_config_parse_duration(cases[i].s, &v);

		if ((r == 0) != cases[i].ok)
			fail_msg("duration '%s': got %d", cases[i].s, r);
		if (cases[i].ok && v != cases[i].v)
			fail_msg("duration '%s': got %u want %u", cases[i].s, v, cases[i].v);
	}
}

static void test_booleans(void **state)
{
	static const char *const yes[] = {"on", "yes", "true"};
	static const char *const no[] = {"off", "no", "false"};
	static const char *const bad[] = {"", "1", "ON", "enable", "y"};
	bool v;

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		v = false;
		assert_int_equal(pg_config_parse_bool(yes[i], &v), 0);
		assert_true(v);
		assert_int_equal(pg_config_parse_bool(no[i], &v), 0);
		assert_false(v);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_not_equal(pg_config_parse_bool(bad[i], &v), 0);
}

static void test_set_and_write(void **state)
{
	struct pg_config cfg, back;
	char err[PG_CONFIG_ERR_SIZE] = "";
	char path[] = "/tmp/pg-test-config-XXXXXX";
	int fd;

	(void)state;
	assert_int_equal(parse(good, &cfg, err), 0);
	/* Change a value: its comment and alignment stay. */
	assert_int_equal(pg_config_set(&cfg, "lan", "interface", "eth7", err, sizeof(err)), 0);
	assert_non_null(strstr(cfg.doc.text, "interface = eth7            # required\n"));
	assert_string_equal(cfg.lan_ifname, "eth7");
	/* A key the file does not have goes at the end of its section. */
	assert_int_equal(pg_config_set(&cfg, "wan", "mtu", "1400", err, sizeof(err)), 0);
	assert_non_null(strstr(cfg.doc.text, "gateway   = 198.51.100.1\nmtu = 1400\n\n[nat]"));
	assert_int_equal(cfg.wan_mtu, 1400);
	/* An invalid value leaves everything as it was. */
	assert_int_not_equal(pg_config_set(&cfg, "timeouts", "udp", "1m", err, sizeof(err)), 0);
	assert_string_equal(err,
				"t.conf:21: [timeouts] udp: RFC 4787 requires at least 2m (120 s)");
	assert_int_equal(cfg.engine.timeouts.udp, 300);
	assert_int_not_equal(pg_config_set(&cfg, "nat", "max_flows", "5 # x", err, sizeof(err)), 0);
	/* Written back and read again: the same text. */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(pg_config_write(&cfg, path), 0);
	assert_int_equal(pg_config_load(&back, path, err, sizeof(err)), 0);
	assert_string_equal(back.doc.text, cfg.doc.text);
	assert_non_null(strstr(back.doc.text, "# a full configuration\n[lan]\n"));
	assert_int_equal(back.wan_mtu, 1400);
	unlink(path);
	pg_config_free(&back);
	pg_config_free(&cfg);

	/* A section the file lacks is appended. */
	assert_int_equal(parse(pg_config_builtin, &cfg, err), 0);
	assert_int_equal(pg_config_set(&cfg, "log", "level", "warn", err, sizeof(err)), 0);
	assert_int_equal(cfg.log_level, PG_LOG_WARN);
	assert_non_null(strstr(cfg.doc.text, "gateway = 198.51.100.1\n\n[log]\nlevel = warn\n"));
	pg_config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_file),	  cmocka_unit_test(test_defaults_and_builtin),
		cmocka_unit_test(test_errors),	  cmocka_unit_test(test_nul_and_crlf),
		cmocka_unit_test(test_durations),	  cmocka_unit_test(test_booleans),
		cmocka_unit_test(test_set_and_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
