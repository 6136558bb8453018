/* SPDX-License-Identifier: MIT */
/*
 * test_wan_change.c - the engine under a WAN address that comes and goes
 * (a DHCP WAN): a new address ends every flow (counted), the old public
 * address stops answering, new flows use the new one; without an address
 * nothing crosses (drop_wan_down) while the LAN still reaches the gateway;
 * the daemon's overlay of a lease on the file's settings; and [wan] address
 * = dhcp in the configuration file.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../lib/fixture.h"
#include "../lib/scenario.h"
#include "conf/config.h"
#include "dp/wan.h"
#include "engine/engine.h"

static uint8_t send1(struct pg_engine *e, const struct pgt_spec *s, uint8_t side, uint64_t now,
		     struct pgt_pkt *out)
{
	struct pgt_pkt p;
	char err[256];

	memset(&p, 0, sizeof(p));
	p.len = pgt_build(s, NULL, p.buf, sizeof(p.buf), NULL);
	p.side = side;
	assert_true(p.len > 0);
	if (pgt_run(e, &p, 1, now, err, sizeof(err)))
		fail_msg("%s", err);
	if (out)
		*out = p;
	return p.verdict;
}

static uint64_t counter(struct pg_engine *e, unsigned int c)
{
	return pg_engine_counters(e)[c];
}

static void test_new_address_ends_flows(void **state)
{
	struct pg_engine_config cfg;
	struct pg_engine *e;
	struct pgt_pkt out;
	struct pgt_spec s = PGT_UDP(PGT_H10, 40000, PGT_S1, 53, 10);
	struct pgt_spec back = PGT_UDP(PGT_S1, 53, PGT_WAN_ADDR, 40000, 10);
	uint32_t new_addr;

	(void)state;
	pgt_config(&cfg);
	e = pgt_engine_new(&cfg);
	assert_non_null(e);
	for (int i = 0; i < 3; i++) {
		s.sport = (uint16_t)(40000 + i);
		assert_int_equal(send1(e, &s, PG_SIDE_LAN, 1000, NULL), PG_VERDICT_TO_WAN);
	}
	assert_int_equal(send1(e, &back, PG_SIDE_WAN, 1100, NULL), PG_VERDICT_TO_LAN);
	assert_int_equal(pg_engine_flow_count(e), 3);

	/* The lease moved: every flow on the old address ends, counted. */
	inet_pton(AF_INET, "198.51.100.77", &new_addr);
	cfg.wan_addr = new_addr;
	assert_int_equal(pg_engine_reconfigure(e, &cfg), 0);
	assert_int_equal(pg_engine_flow_count(e), 0);
	assert_int_equal(counter(e, PG_CNT_FLOW_WAN_CHANGED), 3);
	/* The old address is nobody's now. */
	assert_int_equal(send1(e, &back, PG_SIDE_WAN, 1200, &out), PG_VERDICT_DROP);
	assert_int_equal(out.drop_reason, PG_CNT_DROP_WAN_NOT_OURS);
	/* A new flow leaves from the new address. */
	s.sport = 40000;
	assert_int_equal(send1(e, &s, PG_SIDE_LAN, 1300, &out), PG_VERDICT_TO_WAN);
	assert_memory_equal(out.buf + 12, &new_addr, 4);
	/* Another reconfigure with the same address keeps the flow. */
	assert_int_equal(pg_engine_reconfigure(e, &cfg), 0);
	assert_int_equal(pg_engine_flow_count(e), 1);
	pg_engine_destroy(e);
}

static void test_wan_down(void **state)
{
	struct pg_engine_config cfg;
	struct pg_engine *e;
	struct pgt_pkt out;
	const char *why;
	struct pgt_spec s = PGT_UDP(PGT_H10, 40000, PGT_S1, 53, 10);
	struct pgt_spec ping_gw = PGT_ECHO(PGT_H10, PGT_LAN_ADDR, 8, 7, 1, 16);
	struct pgt_spec from_wan = PGT_UDP(PGT_S1, 53, PGT_WAN_ADDR, 40000, 10);

	(void)state;
	pgt_config(&cfg);
	cfg.wan_down = true;
	cfg.wan_addr = 0;
	cfg.wan_gateway = 0;
	cfg.wan_prefix = 32;
	assert_int_equal(pg_engine_config_validate(&cfg, &why), 0);
	e = pgt_engine_new(&cfg);
	assert_non_null(e);
	assert_int_equal(send1(e, &s, PG_SIDE_LAN, 1000, &out), PG_VERDICT_DROP);
	assert_int_equal(out.drop_reason, PG_CNT_DROP_WAN_DOWN);
	assert_int_equal(send1(e, &from_wan, PG_SIDE_WAN, 1000, &out), PG_VERDICT_DROP);
	assert_int_equal(out.drop_reason, PG_CNT_DROP_WAN_DOWN);
	assert_int_equal(counter(e, PG_CNT_DROP_WAN_DOWN), 2);
	/* With [icmp] refused_outbound, the LAN host hears "network unreachable". */
	cfg.refuse_outbound = true;
	assert_int_equal(pg_engine_reconfigure(e, &cfg), 0);
	assert_int_equal(send1(e, &s, PG_SIDE_LAN, 1000, &out), PG_VERDICT_TO_LAN);
	assert_int_equal(out.buf[9], 1);		/* ICMP */
	assert_int_equal(out.buf[20], 3);		/* destination unreachable */
	assert_int_equal(out.buf[21], 0);		/* network */
	assert_int_equal(counter(e, PG_CNT_DROP_WAN_DOWN), 3);
	cfg.refuse_outbound = false;
	assert_int_equal(pg_engine_reconfigure(e, &cfg), 0);
	/* The LAN still has its gateway (DHCP, DNS, the page, ping). */
	assert_int_equal(send1(e, &ping_gw, PG_SIDE_LAN, 1000, NULL), PG_VERDICT_TO_LAN);
	assert_int_equal(pg_engine_flow_count(e), 0);

	/* A lease: traffic crosses from its address. */
	pgt_config(&cfg);
	assert_int_equal(pg_engine_reconfigure(e, &cfg), 0);
	assert_int_equal(send1(e, &s, PG_SIDE_LAN, 2000, NULL), PG_VERDICT_TO_WAN);
	assert_int_equal(pg_engine_flow_count(e), 1);
	/* Lost again: the flow ends, and nothing crosses. */
	cfg.wan_down = true;
	assert_int_equal(pg_engine_reconfigure(e, &cfg), 0);
	assert_int_equal(pg_engine_flow_count(e), 0);
	assert_int_equal(counter(e, PG_CNT_FLOW_WAN_CHANGED), 1);
	assert_int_equal(send1(e, &s, PG_SIDE_LAN, 3000, &out), PG_VERDICT_DROP);
	assert_int_equal(out.drop_reason, PG_CNT_DROP_WAN_DOWN);
	pg_engine_destroy(e);
}

static const char dhcp_conf[] = "[lan]\ninterface = lan0\naddress = 192.168.1.1/24\n"
				"[wan]\ninterface = wan0\naddress = dhcp\n";

static void test_config_dhcp(void **state)
{
	struct pg_config cfg;
	char err[PG_CONFIG_ERR_SIZE], text[512];

	(void)state;
	assert_int_equal(pg_config_parse(&cfg, "t.conf", dhcp_conf, strlen(dhcp_conf), err,
					 sizeof(err)),
			 0);
	assert_true(cfg.wan_dhcp);
	assert_true(cfg.engine.wan_down);
	assert_int_equal(cfg.engine.wan_addr, 0);
	pg_config_free(&cfg);

	/* [dns] upstream = dhcp: the lease's servers, only with a DHCP WAN. */
	snprintf(text, sizeof(text), "%s[dns]\nforward = on\nupstream = dhcp\n", dhcp_conf);
	assert_int_equal(pg_config_parse(&cfg, "t.conf", text, strlen(text), err, sizeof(err)), 0);
	assert_true(cfg.dns.upstream_dhcp);
	assert_int_equal(cfg.dns.nupstream, 0);
	pg_config_free(&cfg);

	/* The gateway comes from the lease: a fixed one is refused, with the line. */
	snprintf(text, sizeof(text), "%sgateway = 198.51.100.1\n", dhcp_conf);
	assert_int_not_equal(pg_config_parse(&cfg, "t.conf", text, strlen(text), err, sizeof(err)),
			     0);
	assert_non_null(strstr(err, "t.conf:7: [wan] gateway"));
	assert_non_null(strstr(err, "comes from the lease"));
	/* Anything else is neither dhcp nor a prefix. */
	snprintf(text, sizeof(text),
		 "[lan]\ninterface = lan0\naddress = 192.168.1.1/24\n[wan]\ninterface = wan0\n"
		 "address = dhcpx\n");
	assert_int_not_equal(pg_config_parse(&cfg, "t.conf", text, strlen(text), err, sizeof(err)),
			     0);
	assert_non_null(strstr(err, "'dhcp' or an address"));
}

/* dp/wan.c: the file's settings with the lease put in, or the WAN down. */
static void test_overlay(void **state)
{
	static struct pg_wan w;
	struct pg_engine_config ec, live;
	uint32_t lan10;

	(void)state;
	memset(&w, 0, sizeof(w));
	pgt_config(&ec);
	ec.wan_down = true;
	ec.wan_addr = 0;
	ec.wan_gateway = 0;
	ec.wan_prefix = 32;
	inet_pton(AF_INET, PGT_H10, &lan10);
	/* An [input] wan rule (a forward to the WAN address) and a LAN forward. */
	ec.nforwards = 2;
	ec.forwards[0] = (struct pg_port_forward){.proto = 6, .wan_lo = 22, .wan_hi = 22,
						  .lan_lo = 22, .lan_hi = 22, .host = 0};
	ec.forwards[1] = (struct pg_port_forward){.proto = 6, .wan_lo = 80, .wan_hi = 80,
						  .lan_lo = 80, .lan_hi = 80, .host = lan10};

	/* A static WAN: nothing changes. */
	live = ec;
	pg_wan_overlay(&w, &live);
	assert_memory_equal(&live, &ec, sizeof(ec));

	w.on = true;
	live = ec;
	pg_wan_overlay(&w, &live);
	assert_true(live.wan_down);

	w.dhcp.have_lease = true;
	inet_pton(AF_INET, "198.51.100.50", &w.dhcp.lease.addr);
	inet_pton(AF_INET, "255.255.255.0", &w.dhcp.lease.mask);
	inet_pton(AF_INET, "198.51.100.1", &w.dhcp.lease.router);
	live = ec;
	pg_wan_overlay(&w, &live);
	assert_false(live.wan_down);
	assert_int_equal(live.wan_addr, w.dhcp.lease.addr);
	assert_int_equal(live.wan_prefix, 24);
	assert_int_equal(live.wan_gateway, w.dhcp.lease.router);
	assert_int_equal(live.forwards[0].host, w.dhcp.lease.addr);
	assert_int_equal(live.forwards[1].host, lan10);
	/* The base kept is the file's, not the overlaid copy. */
	assert_true(w.base.wan_down);
	assert_int_equal(w.base.forwards[0].host, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_address_ends_flows),
		cmocka_unit_test(test_wan_down),
		cmocka_unit_test(test_overlay),
		cmocka_unit_test(test_config_dhcp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
