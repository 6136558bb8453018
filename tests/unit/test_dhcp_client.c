/* SPDX-License-Identifier: MIT */
/*
 * test_dhcp_client.c - the WAN's DHCP client (src/wan/) against a scripted
 * server: full DORA, NAK, renewal at T1, rebinding at T2, expiry,
 * INIT-REBOOT accepted and refused, the ARP check ending in DECLINE, an
 * address changed at renewal, release, the retransmission back-off; the
 * message reader's refusals (one row per reason), option overload, the
 * IPv4/UDP wrapper and the lease file.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "wan/dhcp.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const uint8_t our_mac[6] = { 0x02, 0, 0, 0, 0xaa, 0x01 };
static const uint8_t other_mac[6] = { 0x02, 0, 0, 0, 0xbb, 0x02 };

static uint32_t ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

/* A predictable random source: the tests check ranges, not exact draws. */
static uint32_t seq_rand(void *ctx)
{
	uint32_t *s = ctx;

	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

static uint32_t rand_state;

static void setup_client(struct pg_dhcp *c, uint8_t probes)
{
	struct pg_dhcp_conf conf;

	pg_dhcp_conf_default(&conf, our_mac);
	conf.probe_num = probes;
	conf.start_delay_ms = 0;
	conf.rand = seq_rand;
	conf.rand_ctx = &rand_state;
	rand_state = 1;
	pg_dhcp_init(c, &conf);
}

static void no_output(struct pg_dhcp *c)
{
	struct pg_dhcp_out o;

	if (pg_dhcp_pop(c, &o))
		fail_msg("unexpected output kind %d type %s", o.kind, pg_dhcp_type_name(o.type));
}

/* The next output must be a message of @type; it is read into @m. */
static void expect_msg(struct pg_dhcp *c, uint8_t type, struct pg_dhcp_msg *m,
		       struct pg_dhcp_out *o)
{
	struct pg_dhcp_out tmp;

	if (!o)
		o = &tmp;
	assert_true(pg_dhcp_pop(c, o));
	assert_int_equal(o->kind, PG_DHCP_OUT_PACKET);
	assert_string_equal(pg_dhcp_type_name(o->type), pg_dhcp_type_name(type));
	assert_int_equal(pg_dhcp_msg_parse(o->msg, o->len, m), PG_DHCP_OK);
	assert_int_equal(m->op, PG_BOOTREQUEST);
	assert_int_equal(m->type, type);
	assert_memory_equal(m->chaddr, our_mac, 6);
	assert_true(o->len >= PG_DHCP_MIN_LEN);
	/* Client identifier: type 1 and the MAC (RFC 2132 9.14). */
	assert_int_equal(m->client_id_len, 7);
	assert_int_equal(m->client_id[0], 1);
	assert_memory_equal(m->client_id + 1, our_mac, 6);
}

static void expect_event(struct pg_dhcp *c, enum pg_dhcp_event ev, struct pg_dhcp_out *o)
{
	struct pg_dhcp_out tmp;

	if (!o)
		o = &tmp;
	assert_true(pg_dhcp_pop(c, o));
	assert_int_equal(o->kind, PG_DHCP_OUT_EVENT);
	assert_int_equal(o->event, ev);
}

/* What the scripted server puts in its answers. */
struct srv {
	const char *addr, *server, *router, *mask;
	uint32_t lease, t1, t2; /* t1/t2 0: not sent */
	bool no_server_id, no_lease, no_router;
};

static const struct srv isp = { .addr = "203.0.113.10",
				.server = "203.0.113.1",
				.router = "203.0.113.1",
				.mask = "255.255.255.0",
				.lease = 30 };

static size_t build_reply(const struct pg_dhcp_msg *req, uint8_t type, const struct srv *s,
			  uint8_t *buf)
{
	struct pg_dhcp_msg m;

	memset(&m, 0, sizeof(m));
	m.op = PG_BOOTREPLY;
	m.type = type;
	m.xid = req->xid;
	memcpy(m.chaddr, req->chaddr, 6);
	m.has_server_id = !s->no_server_id;
	m.server_id = ip(s->server);
	if (type != PG_DHCP_NAK) {
		m.yiaddr = ip(s->addr);
		m.has_lease = !s->no_lease;
		m.lease_s = s->lease;
		m.has_t1 = s->t1 != 0;
		m.t1_s = s->t1;
		m.has_t2 = s->t2 != 0;
		m.t2_s = s->t2;
		m.has_mask = true;
		m.mask = ip(s->mask);
		if (!s->no_router) {
			m.n_routers = 1;
			m.routers[0] = ip(s->router);
		}
		m.n_dns = 2;
		m.dns[0] = ip("203.0.113.53");
		m.dns[1] = ip("198.51.100.53");
	}
	return pg_dhcp_msg_build(&m, buf, PG_DHCP_MAX_BUILD);
}

static enum pg_dhcp_drop answer(struct pg_dhcp *c, uint64_t now, const struct pg_dhcp_msg *req,
				uint8_t type, const struct srv *s)
{
	uint8_t buf[PG_DHCP_MAX_BUILD];
	size_t n = build_reply(req, type, s, buf);

	assert_true(n > 0);
	return pg_dhcp_input(c, now, buf, n);
}

/* Start, DISCOVER, OFFER, REQUEST, ACK; without probes the lease is bound. */
static void dora(struct pg_dhcp *c, uint64_t now, const struct srv *s)
{
	struct pg_dhcp_msg d, r;
	struct pg_dhcp_out o;

	pg_dhcp_start(c, now, NULL);
	pg_dhcp_tick(c, now);
	expect_msg(c, PG_DHCP_DISCOVER, &d, &o);
	assert_int_equal(answer(c, now, &d, PG_DHCP_OFFER, s), PG_DHCP_OK);
	expect_msg(c, PG_DHCP_REQUEST, &r, &o);
	assert_int_equal(r.xid, d.xid);
	assert_int_equal(answer(c, now, &r, PG_DHCP_ACK, s), PG_DHCP_OK);
}

static void test_dora(void **state)
{
	struct pg_dhcp c;
	struct pg_dhcp_msg d, r;
	struct pg_dhcp_out o;
	const struct pg_dhcp_lease *l;
	uint64_t t = 1000;

	(void)state;
	setup_client(&c, PG_DHCP_PROBE_NUM);
	assert_int_equal(c.state, PG_DHCP_ST_STOPPED);
	pg_dhcp_start(&c, t, NULL);
	assert_int_equal(c.state, PG_DHCP_ST_INIT);
	pg_dhcp_tick(&c, t);
	expect_msg(&c, PG_DHCP_DISCOVER, &d, &o);
	assert_int_equal(c.state, PG_DHCP_ST_SELECTING);
	assert_int_equal(o.src, 0);
	assert_int_equal(o.dst, 0xffffffffu);
	assert_int_equal(d.ciaddr, 0);
	assert_false(d.has_requested);
	/* The parameter request list asks for what a WAN needs. */
	assert_true(d.n_params >= 7);
	assert_non_null(memchr(d.params, PG_DHCP_OPT_ROUTER, d.n_params));
	assert_non_null(memchr(d.params, PG_DHCP_OPT_SUBNET_MASK, d.n_params));
	assert_non_null(memchr(d.params, PG_DHCP_OPT_DNS, d.n_params));
	assert_non_null(memchr(d.params, PG_DHCP_OPT_T1, d.n_params));
	no_output(&c);

	t += 500;
	assert_int_equal(answer(&c, t, &d, PG_DHCP_OFFER, &isp), PG_DHCP_OK);
	expect_msg(&c, PG_DHCP_REQUEST, &r, &o);
	assert_int_equal(c.state, PG_DHCP_ST_REQUESTING);
	assert_int_equal(r.xid, d.xid);
	assert_true(r.has_requested);
	assert_int_equal(r.requested, ip("203.0.113.10"));
	assert_true(r.has_server_id);
	assert_int_equal(r.server_id, ip("203.0.113.1"));
	assert_int_equal(r.ciaddr, 0);
	assert_int_equal(o.dst, 0xffffffffu);

	t += 100;
	assert_int_equal(answer(&c, t, &r, PG_DHCP_ACK, &isp), PG_DHCP_OK);
	assert_int_equal(c.state, PG_DHCP_ST_PROBING);
	assert_null(pg_dhcp_current(&c));
	/* RFC 5227: a wait under 1 s, three probes 1-2 s apart, 2 s more. */
	uint64_t first = pg_dhcp_next(&c);
	assert_true(first >= t && first < t + PG_DHCP_PROBE_WAIT_MS);
	uint64_t prev = first;
	for (int i = 0; i < PG_DHCP_PROBE_NUM; i++) {
		uint64_t at = pg_dhcp_next(&c);

		if (i) {
			assert_true(at >= prev + PG_DHCP_PROBE_MIN_MS);
			assert_true(at <= prev + PG_DHCP_PROBE_MAX_MS);
		}
		pg_dhcp_tick(&c, at);
		assert_true(pg_dhcp_pop(&c, &o));
		assert_int_equal(o.kind, PG_DHCP_OUT_ARP_PROBE);
		assert_int_equal(o.addr, ip("203.0.113.10"));
		no_output(&c);
		prev = at;
	}
	assert_int_equal(pg_dhcp_next(&c), prev + PG_DHCP_ANNOUNCE_WAIT_MS);
	t = prev + PG_DHCP_ANNOUNCE_WAIT_MS;
	pg_dhcp_tick(&c, t);
	expect_event(&c, PG_DHCP_EV_BOUND, &o);
	assert_int_equal(o.addr, ip("203.0.113.10"));
	assert_int_equal(o.old_addr, 0);
	assert_true(pg_dhcp_pop(&c, &o));
	assert_int_equal(o.kind, PG_DHCP_OUT_ARP_ANNOUNCE);
	no_output(&c);
	assert_int_equal(c.state, PG_DHCP_ST_BOUND);
	l = pg_dhcp_current(&c);
	assert_non_null(l);
	assert_int_equal(l->addr, ip("203.0.113.10"));
	assert_int_equal(l->mask, ip("255.255.255.0"));
	assert_int_equal(l->router, ip("203.0.113.1"));
	assert_int_equal(l->server, ip("203.0.113.1"));
	assert_int_equal(l->n_dns, 2);
	assert_int_equal(l->dns[1], ip("198.51.100.53"));
	/* Times count from the REQUEST (sent at 1500), RFC defaults. */
	assert_int_equal(l->start_ms, 1500);
	assert_int_equal(pg_dhcp_lease_t1(l), 1500 + 15000);
	assert_int_equal(pg_dhcp_lease_t2(l), 1500 + 26000);
	assert_int_equal(pg_dhcp_lease_end(l), 1500 + 30000);
	/* The second announcement 2 s after the first. */
	assert_int_equal(pg_dhcp_next(&c), t + PG_DHCP_ANNOUNCE_INTERVAL_MS);
	pg_dhcp_tick(&c, t + PG_DHCP_ANNOUNCE_INTERVAL_MS);
	assert_true(pg_dhcp_pop(&c, &o));
	assert_int_equal(o.kind, PG_DHCP_OUT_ARP_ANNOUNCE);
	no_output(&c);
	assert_int_equal(pg_dhcp_next(&c), pg_dhcp_lease_t1(l));
	assert_int_equal(c.stats.leases, 1);
	assert_int_equal(c.stats.tx[PG_DHCP_DISCOVER], 1);
	assert_int_equal(c.stats.rx[PG_DHCP_ACK], 1);
	assert_int_equal(c.acquire_tries, 0);
}

static void test_nak_in_requesting(void **state)
{
	struct pg_dhcp c;
	struct pg_dhcp_msg d, r;

	(void)state;
	setup_client(&c, 0);
	pg_dhcp_start(&c, 0, NULL);
	pg_dhcp_tick(&c, 0);
	expect_msg(&c, PG_DHCP_DISCOVER, &d, NULL);
	answer(&c, 10, &d, PG_DHCP_OFFER, &isp);
	expect_msg(&c, PG_DHCP_REQUEST, &r, NULL);
	assert_int_equal(answer(&c, 20, &r, PG_DHCP_NAK, &isp), PG_DHCP_OK);
	/* No lease was held: no event; a new DISCOVER at once, not asking for it. */
	assert_int_equal(c.state, PG_DHCP_ST_INIT);
	no_output(&c);
	pg_dhcp_tick(&c, 20);
	expect_msg(&c, PG_DHCP_DISCOVER, &d, NULL);
	assert_false(d.has_requested);
	assert_int_equal(c.stats.naks, 1);
	/* A second NAK in a row waits before the next DISCOVER. */
	answer(&c, 30, &d, PG_DHCP_OFFER, &isp);
	expect_msg(&c, PG_DHCP_REQUEST, &r, NULL);
	answer(&c, 40, &r, PG_DHCP_NAK, &isp);
	assert_true(pg_dhcp_next(&c) >= 40 + PG_DHCP_RETX_FIRST_MS);
	/* A NAK from another server than the chosen one is not believed. */
	pg_dhcp_tick(&c, pg_dhcp_next(&c));
	expect_msg(&c, PG_DHCP_DISCOVER, &d, NULL);
	answer(&c, 9000, &d, PG_DHCP_OFFER, &isp);
	expect_msg(&c, PG_DHCP_REQUEST, &r, NULL);
	struct srv other = isp;
	other.server = "203.0.113.2";
	assert_int_equal(answer(&c, 9001, &r, PG_DHCP_NAK, &other), PG_DHCP_DROP_WRONG_SERVER);
	assert_int_equal(answer(&c, 9001, &r, PG_DHCP_ACK, &other), PG_DHCP_DROP_WRONG_SERVER);
	assert_int_equal(c.state, PG_DHCP_ST_REQUESTING);
}

static void test_renew_at_t1(void **state)
{
	struct pg_dhcp c;
	struct pg_dhcp_msg r;
	struct pg_dhcp_out o;
	uint64_t t1;

	(void)state;
	setup_client(&c, 0);
	dora(&c, 0, &isp);
	expect_event(&c, PG_DHCP_EV_BOUND, NULL);
	no_output(&c);
	t1 = pg_dhcp_lease_t1(&c.lease);
	assert_int_equal(t1, 15000);
	pg_dhcp_tick(&c, t1 - 1);
	no_output(&c);
	pg_dhcp_tick(&c, t1);
	expect_msg(&c, PG_DHCP_REQUEST, &r, &o);
	assert_int_equal(c.state, PG_DHCP_ST_RENEWING);
	/* Unicast to our server from our address, ciaddr set, no 50 or 54. */
	assert_int_equal(o.src, ip("203.0.113.10"));
	assert_int_equal(o.dst, ip("203.0.113.1"));
	assert_int_equal(r.ciaddr, ip("203.0.113.10"));
	assert_false(r.has_requested);
	assert_false(r.has_server_id);
	/* No answer: the next try waits for T2 (half the time left, >= 60 s). */
	assert_int_equal(pg_dhcp_next(&c), pg_dhcp_lease_t2(&c.lease));
	assert_non_null(pg_dhcp_current(&c));
	assert_int_equal(answer(&c, t1 + 50, &r, PG_DHCP_ACK, &isp), PG_DHCP_OK);
	expect_event(&c, PG_DHCP_EV_RENEWED, &o);
	no_output(&c);
	assert_int_equal(c.state, PG_DHCP_ST_BOUND);
	assert_int_equal(c.lease.start_ms, t1);
	assert_int_equal(pg_dhcp_next(&c), t1 + 15000);
	assert_int_equal(c.stats.renewals, 1);
}

static void test_rebind_at_t2(void **state)
{
	struct pg_dhcp c;
	struct pg_dhcp_msg r, rb;
	struct pg_dhcp_out o;
	uint64_t t2;

	(void)state;
	setup_client(&c, 0);
	dora(&c, 0, &isp);
	expect_event(&c, PG_DHCP_EV_BOUND, NULL);
	pg_dhcp_tick(&c, 15000);
	expect_msg(&c, PG_DHCP_REQUEST, &r, NULL);
	t2 = pg_dhcp_lease_t2(&c.lease);
	pg_dhcp_tick(&c, t2);
	expect_msg(&c, PG_DHCP_REQUEST, &rb, &o);
	assert_int_equal(c.state, PG_DHCP_ST_REBINDING);
	assert_int_equal(o.dst, 0xffffffffu);
	assert_int_equal(rb.ciaddr, ip("203.0.113.10"));
	assert_int_not_equal(rb.xid, r.xid);
	/* The renewing transaction is over: its late answer is not taken. */
	assert_int_equal(answer(&c, t2 + 1, &r, PG_DHCP_ACK, &isp), PG_DHCP_DROP_WRONG_XID);
	/* Another server may answer while rebinding. */
	struct srv other = isp;
	other.server = "203.0.113.2";
	assert_int_equal(answer(&c, t2 + 2, &rb, PG_DHCP_ACK, &other), PG_DHCP_OK);
	expect_event(&c, PG_DHCP_EV_RENEWED, NULL);
	assert_int_equal(c.lease.server, ip("203.0.113.2"));
	assert_int_equal(c.state, PG_DHCP_ST_BOUND);
}

static void test_expiry(void **state)
{
	struct pg_dhcp c;
	struct pg_dhcp_msg m;
	struct pg_dhcp_out o;
	uint64_t end;

	(void)state;
	setup_client(&c, 0);
	dora(&c, 0, &isp);
	expect_event(&c, PG_DHCP_EV_BOUND, NULL);
	end = pg_dhcp_lease_end(&c.lease);
	/* Run the clock in 100 ms steps to the end, answering nothing. */
	int requests = 0;
	for (uint64_t t = 0; t < end; t += 100) {
		pg_dhcp_tick(&c, t);
		while (pg_dhcp_pop(&c, &o)) {
			assert_int_equal(o.kind, PG_DHCP_OUT_PACKET);
			assert_int_equal(o.type, PG_DHCP_REQUEST);
			requests++;
		}
		assert_non_null(pg_dhcp_current(&c));
	}
	/* One at T1, one at T2 (the 60 s minimum leaves no room for more). */
	assert_int_equal(requests, 2);
	pg_dhcp_tick(&c, end);
	expect_event(&c, PG_DHCP_EV_LOST, &o);
	assert_int_equal(o.lost, PG_DHCP_LOST_EXPIRED);
	assert_int_equal(o.addr, ip("203.0.113.10"));
	assert_null(pg_dhcp_current(&c));
	/* Straight back to DISCOVER, asking for the old address. */
	expect_msg(&c, PG_DHCP_DISCOVER, &m, NULL);
	assert_true(m.has_requested);
	assert_int_equal(m.requested, ip("203.0.113.10"));
	assert_int_equal(c.stats.losses, 1);
	assert_int_equal(c.acquire_tries, 1);
}

static struct pg_dhcp_lease saved_lease(uint64_t start)
{
	struct pg_dhcp_lease l = { 0 };

	l.addr = ip("203.0.113.10");
	l.mask = ip("255.255.255.0");
	l.router = ip("203.0.113.1");
	l.server = ip("203.0.113.1");
	l.lease_s = 30;
	l.t1_s = 15;
	l.t2_s = 26;
	l.start_ms = start;
	return l;
}

static void test_init_reboot_accepted(void **state)
{
	struct pg_dhcp c;
	struct pg_dhcp_msg r;
	struct pg_dhcp_out o;
	struct pg_dhcp_lease l = saved_lease(0);

	(void)state;
	setup_client(&c, 0);
	pg_dhcp_start(&c, 10000, &l);
	assert_int_equal(c.state, PG_DHCP_ST_INIT_REBOOT);
	/* Not in use before the server confirms it. */
	assert_null(pg_dhcp_current(&c));
	pg_dhcp_tick(&c, 10000);
	expect_msg(&c, PG_DHCP_REQUEST, &r, &o);
	assert_int_equal(o.dst, 0xffffffffu);
	assert_int_equal(o.src, 0);
	assert_int_equal(r.ciaddr, 0);
	assert_true(r.has_requested);
	assert_int_equal(r.requested, ip("203.0.113.10"));
	assert_false(r.has_server_id);
	/* An OFFER is not an answer to INIT-REBOOT. */
	assert_int_equal(answer(&c, 10001, &r, PG_DHCP_OFFER, &isp), PG_DHCP_DROP_UNEXPECTED);
	assert_int_equal(answer(&c, 10002, &r, PG_DHCP_ACK, &isp), PG_DHCP_OK);
	expect_event(&c, PG_DHCP_EV_BOUND, &o);
	assert_int_equal(o.addr, ip("203.0.113.10"));
	assert_int_equal(c.lease.start_ms, 10000);
}

static void test_init_reboot_nak(void **state)
{
	struct pg_dhcp c;
	struct pg_dhcp_msg r, d;
	struct pg_dhcp_lease l = saved_lease(0);

	(void)state;
	setup_client(&c, 0);
	pg_dhcp_start(&c, 5000, &l);
	pg_dhcp_tick(&c, 5000);
	expect_msg(&c, PG_DHCP_REQUEST, &r, NULL);
	assert_int_equal(answer(&c, 5001, &r, PG_DHCP_NAK, &isp), PG_DHCP_OK);
	/* Nothing was in use, so nothing is lost; start over without it. */
	no_output(&c);
	pg_dhcp_tick(&c, 5001);
	expect_msg(&c, PG_DHCP_DISCOVER, &d, NULL);
	assert_false(d.has_requested);
}

static void test_init_reboot_silence_and_expired(void **state)
{
	struct pg_dhcp c;
	struct pg_dhcp_msg m;
	struct pg_dhcp_lease l = saved_lease(0);
	uint64_t t = 1000;

	(void)state;
	setup_client(&c, 0);
	/* A saved lease that ended already: DISCOVER asking for its address. */
	pg_dhcp_start(&c, 40000, &l);
	assert_int_equal(c.state, PG_DHCP_ST_INIT);
	pg_dhcp_tick(&c, 40000);
	expect_msg(&c, PG_DHCP_DISCOVER, &m, NULL);
	assert_int_equal(m.requested, ip("203.0.113.10"));

	/* Nobody answers INIT-REBOOT: after its tries, DISCOVER. */
	setup_client(&c, 0);
	pg_dhcp_start(&c, t, &l);
	for (int i = 0; i < PG_DHCP_REQUEST_TRIES; i++) {
		pg_dhcp_tick(&c, pg_dhcp_next(&c));
		expect_msg(&c, PG_DHCP_REQUEST, &m, NULL);
	}
	pg_dhcp_tick(&c, pg_dhcp_next(&c));
	expect_msg(&c, PG_DHCP_DISCOVER, &m, NULL);
	assert_true(m.has_requested);
	assert_int_equal(c.acquire_tries, PG_DHCP_REQUEST_TRIES + 1);
}

static void test_arp_conflict_declines(void **state)
{
	struct pg_dhcp c;
	struct pg_dhcp_msg d, r, dec;
	struct pg_dhcp_out o;

	(void)state;
	setup_client(&c, PG_DHCP_PROBE_NUM);
	pg_dhcp_start(&c, 0, NULL);
	pg_dhcp_tick(&c, 0);
	expect_msg(&c, PG_DHCP_DISCOVER, &d, NULL);
	answer(&c, 1, &d, PG_DHCP_OFFER, &isp);
	expect_msg(&c, PG_DHCP_REQUEST, &r, NULL);
	answer(&c, 2, &r, PG_DHCP_ACK, &isp);
	pg_dhcp_tick(&c, pg_dhcp_next(&c));
	assert_true(pg_dhcp_pop(&c, &o));
	assert_int_equal(o.kind, PG_DHCP_OUT_ARP_PROBE);
	/* Our own probe coming back, and ARP about other addresses: no conflict. */
	assert_false(pg_dhcp_arp_input(&c, 900, 1, our_mac, 0, ip("203.0.113.10")));
	assert_false(
	    pg_dhcp_arp_input(&c, 900, 2, other_mac, ip("203.0.113.11"), ip("203.0.113.1")));
	/* Another host answers for the address. */
	assert_true(pg_dhcp_arp_input(&c, 1000, 2, other_mac, ip("203.0.113.10"), 0));
	expect_msg(&c, PG_DHCP_DECLINE, &dec, &o);
	assert_int_equal(o.dst, 0xffffffffu);
	assert_int_equal(dec.ciaddr, 0);
	assert_int_equal(dec.requested, ip("203.0.113.10"));
	assert_int_equal(dec.server_id, ip("203.0.113.1"));
	expect_event(&c, PG_DHCP_EV_DECLINED, &o);
	assert_int_equal(o.addr, ip("203.0.113.10"));
	no_output(&c);
	assert_null(pg_dhcp_current(&c));
	/* RFC 2131 3.1: at least 10 s before starting again. */
	assert_int_equal(c.state, PG_DHCP_ST_INIT);
	assert_int_equal(pg_dhcp_next(&c), 1000 + PG_DHCP_DECLINE_WAIT_MS);
	pg_dhcp_tick(&c, 1000 + PG_DHCP_DECLINE_WAIT_MS);
	expect_msg(&c, PG_DHCP_DISCOVER, &d, NULL);
	assert_false(d.has_requested);
	assert_int_equal(c.stats.declines, 1);

	/* Another host probing for the same address is a conflict too. */
	answer(&c, 11001, &d, PG_DHCP_OFFER, &isp);
	expect_msg(&c, PG_DHCP_REQUEST, &r, NULL);
	answer(&c, 11002, &r, PG_DHCP_ACK, &isp);
	assert_true(pg_dhcp_arp_input(&c, 11003, 1, other_mac, 0, ip("203.0.113.10")));
	expect_msg(&c, PG_DHCP_DECLINE, &dec, NULL);
}

static void test_address_change_at_renewal(void **state)
{
	struct pg_dhcp c;
	struct pg_dhcp_msg r;
	struct pg_dhcp_out o;
	struct srv moved = isp;

	(void)state;
	setup_client(&c, PG_DHCP_PROBE_NUM);
	c.conf.probe_num = 0;
	dora(&c, 0, &isp);
	expect_event(&c, PG_DHCP_EV_BOUND, NULL);
	c.conf.probe_num = PG_DHCP_PROBE_NUM;
	pg_dhcp_tick(&c, 15000);
	expect_msg(&c, PG_DHCP_REQUEST, &r, NULL);
	moved.addr = "203.0.113.77";
	assert_int_equal(answer(&c, 15010, &r, PG_DHCP_ACK, &moved), PG_DHCP_OK);
	/* The new address is checked while the old one stays in use. */
	assert_int_equal(c.state, PG_DHCP_ST_PROBING);
	assert_int_equal(pg_dhcp_current(&c)->addr, ip("203.0.113.10"));
	for (int i = 0; i < 4; i++)
		pg_dhcp_tick(&c, pg_dhcp_next(&c));
	for (int i = 0; i < PG_DHCP_PROBE_NUM; i++) {
		assert_true(pg_dhcp_pop(&c, &o));
		assert_int_equal(o.kind, PG_DHCP_OUT_ARP_PROBE);
		assert_int_equal(o.addr, ip("203.0.113.77"));
	}
	expect_event(&c, PG_DHCP_EV_BOUND, &o);
	assert_int_equal(o.addr, ip("203.0.113.77"));
	assert_int_equal(o.old_addr, ip("203.0.113.10"));
	assert_int_equal(pg_dhcp_current(&c)->addr, ip("203.0.113.77"));
	assert_int_equal(c.stats.leases, 2);
}

static void test_release_and_renew_command(void **state)
{
	struct pg_dhcp c;
	struct pg_dhcp_msg m;
	struct pg_dhcp_out o;

	(void)state;
	setup_client(&c, 0);
	dora(&c, 0, &isp);
	expect_event(&c, PG_DHCP_EV_BOUND, NULL);
	/* renew before T1 asks the server at once */
	pg_dhcp_renew(&c, 2000);
	expect_msg(&c, PG_DHCP_REQUEST, &m, &o);
	assert_int_equal(o.dst, ip("203.0.113.1"));
	assert_int_equal(answer(&c, 2001, &m, PG_DHCP_ACK, &isp), PG_DHCP_OK);
	expect_event(&c, PG_DHCP_EV_RENEWED, NULL);

	pg_dhcp_release(&c, 3000);
	expect_msg(&c, PG_DHCP_RELEASE, &m, &o);
	assert_int_equal(o.dst, ip("203.0.113.1"));
	assert_int_equal(m.ciaddr, ip("203.0.113.10"));
	assert_int_equal(m.server_id, ip("203.0.113.1"));
	expect_event(&c, PG_DHCP_EV_LOST, &o);
	assert_int_equal(o.lost, PG_DHCP_LOST_RELEASED);
	assert_int_equal(c.state, PG_DHCP_ST_STOPPED);
	assert_int_equal(pg_dhcp_next(&c), PG_DHCP_NO_TIMER);
	/* renew when stopped starts over */
	pg_dhcp_renew(&c, 4000);
	pg_dhcp_tick(&c, 4000);
	expect_msg(&c, PG_DHCP_DISCOVER, &m, NULL);
	assert_false(m.has_requested);
}

static void test_backoff(void **state)
{
	struct pg_dhcp c;
	struct pg_dhcp_msg m;
	uint64_t t = 0, base = PG_DHCP_RETX_FIRST_MS;

	(void)state;
	setup_client(&c, 0);
	pg_dhcp_start(&c, t, NULL);
	pg_dhcp_tick(&c, t);
	expect_msg(&c, PG_DHCP_DISCOVER, &m, NULL);
	uint32_t xid = m.xid;
	for (int i = 0; i < 8; i++) {
		uint64_t next = pg_dhcp_next(&c);

		assert_true(next >= t + base - PG_DHCP_RETX_JITTER_MS);
		assert_true(next <= t + base + PG_DHCP_RETX_JITTER_MS);
		pg_dhcp_tick(&c, next - 1);
		no_output(&c);
		pg_dhcp_tick(&c, next);
		expect_msg(&c, PG_DHCP_DISCOVER, &m, NULL);
		assert_int_equal(m.xid, xid);
		/* secs counts from the first DISCOVER */
		assert_int_equal(m.secs, next / 1000);
		t = next;
		base = base * 2 > PG_DHCP_RETX_MAX_MS ? PG_DHCP_RETX_MAX_MS : base * 2;
	}
	assert_int_equal(c.acquire_tries, 9);
	assert_int_equal(c.last_tx, t);
}

static void test_wrong_xid_ignored(void **state)
{
	struct pg_dhcp c;
	struct pg_dhcp_msg d;

	(void)state;
	setup_client(&c, 0);
	pg_dhcp_start(&c, 0, NULL);
	pg_dhcp_tick(&c, 0);
	expect_msg(&c, PG_DHCP_DISCOVER, &d, NULL);
	d.xid ^= 1;
	assert_int_equal(answer(&c, 1, &d, PG_DHCP_OFFER, &isp), PG_DHCP_DROP_WRONG_XID);
	d.xid ^= 1;
	memcpy(d.chaddr, other_mac, 6);
	assert_int_equal(answer(&c, 1, &d, PG_DHCP_OFFER, &isp), PG_DHCP_DROP_WRONG_CHADDR);
	memcpy(d.chaddr, our_mac, 6);
	/* An ACK before any OFFER, and unusable offers, are refused too. */
	assert_int_equal(answer(&c, 1, &d, PG_DHCP_ACK, &isp), PG_DHCP_DROP_UNEXPECTED);
	struct srv bad = isp;
	bad.no_router = true;
	assert_int_equal(answer(&c, 1, &d, PG_DHCP_OFFER, &bad), PG_DHCP_DROP_NO_ROUTER);
	bad = isp;
	bad.router = "198.51.100.1";
	assert_int_equal(answer(&c, 1, &d, PG_DHCP_OFFER, &bad), PG_DHCP_DROP_NO_ROUTER);
	bad = isp;
	bad.no_server_id = true;
	assert_int_equal(answer(&c, 1, &d, PG_DHCP_OFFER, &bad), PG_DHCP_DROP_NO_SERVER_ID);
	bad = isp;
	bad.no_lease = true;
	assert_int_equal(answer(&c, 1, &d, PG_DHCP_OFFER, &bad), PG_DHCP_DROP_NO_LEASE);
	bad = isp;
	bad.mask = "255.0.255.0";
	assert_int_equal(answer(&c, 1, &d, PG_DHCP_OFFER, &bad), PG_DHCP_DROP_BAD_MASK);
	bad = isp;
	bad.addr = "203.0.113.255";
	assert_int_equal(answer(&c, 1, &d, PG_DHCP_OFFER, &bad), PG_DHCP_DROP_BAD_ADDR);
	bad.addr = "224.0.0.1";
	assert_int_equal(answer(&c, 1, &d, PG_DHCP_OFFER, &bad), PG_DHCP_DROP_BAD_ADDR);
	assert_int_equal(c.state, PG_DHCP_ST_SELECTING);
	no_output(&c);
	assert_int_equal(c.stats.drops[PG_DHCP_DROP_WRONG_XID], 1);
	assert_int_equal(c.stats.drops[PG_DHCP_DROP_NO_ROUTER], 2);
	/* A BOOTREQUEST (another client's, seen on the link) is not an answer. */
	uint8_t buf[PG_DHCP_MAX_BUILD];
	size_t n = build_reply(&d, PG_DHCP_OFFER, &isp, buf);
	buf[PG_DHCP_OFF_OP] = PG_BOOTREQUEST;
	assert_int_equal(pg_dhcp_input(&c, 1, buf, n), PG_DHCP_DROP_NOT_REPLY);
}

static void test_server_times(void **state)
{
	struct pg_dhcp c;
	struct srv s = isp;

	(void)state;
	setup_client(&c, 0);
	s.lease = 3600;
	s.t1 = 600;
	s.t2 = 1200;
	dora(&c, 0, &s);
	assert_int_equal(c.lease.t1_s, 600);
	assert_int_equal(c.lease.t2_s, 1200);
	/* T2 before T1: the server's mistake, the defaults are used. */
	setup_client(&c, 0);
	s.t1 = 2000;
	s.t2 = 1000;
	dora(&c, 0, &s);
	assert_int_equal(c.lease.t1_s, 1800);
	assert_int_equal(c.lease.t2_s, 3150);
	/* Very short leases are stretched to the minimum. */
	setup_client(&c, 0);
	s.lease = 2;
	s.t1 = s.t2 = 0;
	dora(&c, 0, &s);
	assert_int_equal(c.lease.lease_s, PG_DHCP_LEASE_MIN_S);
	/* An infinite lease has no timers. */
	setup_client(&c, 0);
	s.lease = PG_DHCP_INFINITE;
	dora(&c, 0, &s);
	assert_int_equal(pg_dhcp_next(&c), PG_DHCP_NO_TIMER);
}

/* ---- the reader --------------------------------------------------------- */

/* A valid ACK as bytes, with room to damage it. */
static size_t good_ack(uint8_t *buf)
{
	struct pg_dhcp_msg req;

	memset(&req, 0, sizeof(req));
	req.xid = 0x11223344;
	memcpy(req.chaddr, our_mac, 6);
	return build_reply(&req, PG_DHCP_ACK, &isp, buf);
}

struct parse_row {
	const char *name;
	const uint8_t opts[24]; /* written at the options field, then END */
	uint8_t optlen;
	int cut; /* >0: the message length; <0: bytes to take off the end */
	enum pg_dhcp_drop want;
};

static const struct parse_row parse_rows[] = {
	{ "valid", { 53, 1, 5 }, 3, 0, PG_DHCP_OK },
	{ "short header", { 53, 1, 5 }, 3, 100, PG_DHCP_DROP_SHORT },
	{ "no options at all", { 0 }, 0, PG_DHCP_OFF_OPTIONS, PG_DHCP_DROP_NO_END },
	{ "no type", { 1, 4, 255, 255, 255, 0 }, 6, 0, PG_DHCP_DROP_NO_TYPE },
	{ "type 0", { 53, 1, 0 }, 3, 0, PG_DHCP_DROP_BAD_TYPE },
	{ "type 9", { 53, 1, 9 }, 3, 0, PG_DHCP_DROP_BAD_TYPE },
	{ "type twice", { 53, 1, 5, 53, 1, 5 }, 6, 0, PG_DHCP_DROP_OPT_LEN },
	{ "type length 2", { 53, 2, 5, 5 }, 4, 0, PG_DHCP_DROP_OPT_LEN },
	{ "mask length 3", { 53, 1, 5, 1, 3, 255, 255, 255 }, 8, 0, PG_DHCP_DROP_OPT_LEN },
	{ "lease twice",
	  { 53, 1, 5, 51, 4, 0, 0, 0, 9, 51, 4, 0, 0, 0, 9 },
	  15,
	  0,
	  PG_DHCP_DROP_OPT_LEN },
	{ "router length 5", { 53, 1, 5, 3, 5, 1, 2, 3, 4, 5 }, 10, 0, PG_DHCP_DROP_OPT_LEN },
	{ "router split at a byte (RFC 3396)",
	  { 53, 1, 5, 3, 3, 203, 0, 113, 3, 1, 1 },
	  11,
	  0,
	  PG_DHCP_OK },
	{ "option past the end",
	  { 53, 1, 5, 12, 200, 'x' },
	  6,
	  241 + 6,
	  PG_DHCP_DROP_OPT_TRUNCATED },
	{ "length byte missing", { 53, 1, 5, 12 }, 4, 240 + 4, PG_DHCP_DROP_OPT_TRUNCATED },
	{ "no end option", { 53, 1, 5 }, 3, 240 + 3, PG_DHCP_DROP_NO_END },
	{ "overload value 4", { 53, 1, 5, 52, 1, 4 }, 6, 0, PG_DHCP_DROP_OVERLOAD },
	{ "overload length 2", { 53, 1, 5, 52, 2, 1, 1 }, 7, 0, PG_DHCP_DROP_OVERLOAD },
	{ "overload twice", { 53, 1, 5, 52, 1, 1, 52, 1, 1 }, 9, 0, PG_DHCP_DROP_OVERLOAD },
};

static void test_parse_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(parse_rows); i++) {
		const struct parse_row *row = &parse_rows[i];
		uint8_t buf[PG_DHCP_MAX_BUILD];
		struct pg_dhcp_msg m;
		size_t n = good_ack(buf);
		enum pg_dhcp_drop r;

		memset(buf + PG_DHCP_OFF_OPTIONS, 0, n - PG_DHCP_OFF_OPTIONS);
		memcpy(buf + PG_DHCP_OFF_OPTIONS, row->opts, row->optlen);
		buf[PG_DHCP_OFF_OPTIONS + row->optlen] = PG_DHCP_OPT_END;
		if (row->cut > 0)
			n = (size_t)row->cut;
		r = pg_dhcp_msg_parse(buf, n, &m);
		if (r != row->want)
			fail_msg("%s: got %s, want %s", row->name, pg_dhcp_drop_name(r),
				 pg_dhcp_drop_name(row->want));
	}
}

static void test_parse_header_checks(void **state)
{
	uint8_t buf[PG_DHCP_MAX_BUILD];
	struct pg_dhcp_msg m;
	size_t n;

	(void)state;
	n = good_ack(buf);
	assert_int_equal(pg_dhcp_msg_parse(buf, n, &m), PG_DHCP_OK);
	assert_int_equal(m.xid, 0x11223344);
	assert_int_equal(m.n_dns, 2);
	buf[PG_DHCP_OFF_HLEN] = 16;
	assert_int_equal(pg_dhcp_msg_parse(buf, n, &m), PG_DHCP_DROP_BAD_HW);
	n = good_ack(buf);
	buf[PG_DHCP_OFF_COOKIE] = 0;
	assert_int_equal(pg_dhcp_msg_parse(buf, n, &m), PG_DHCP_DROP_BAD_COOKIE);
	/* Every length from 0 to the whole message: never a read past it. */
	n = good_ack(buf);
	for (size_t k = 0; k < n; k++) {
		uint8_t copy[PG_DHCP_MAX_BUILD];

		memcpy(copy, buf, k);
		assert_int_not_equal(pg_dhcp_msg_parse(copy, k, &m), PG_DHCP_OK + 100);
	}
	assert_string_equal(pg_dhcp_drop_name(PG_DHCP_DROP_NO_END), "drop_no_end");
	assert_string_equal(pg_dhcp_state_name(PG_DHCP_ST_INIT_REBOOT), "init-reboot");
}

static void test_overload(void **state)
{
	uint8_t buf[PG_DHCP_MAX_BUILD];
	struct pg_dhcp_msg m;
	size_t n = good_ack(buf);
	uint8_t *o = buf + PG_DHCP_OFF_OPTIONS;

	(void)state;
	memset(o, 0, n - PG_DHCP_OFF_OPTIONS);
	/* Options field: type and "file and sname hold options". */
	memcpy(o, (uint8_t[]){ 53, 1, 5, 52, 1, 3, 255 }, 7);
	/* file: the lease time and a router; sname: the server id. */
	memcpy(buf + PG_DHCP_OFF_FILE, (uint8_t[]){ 51, 4, 0, 0, 0, 60, 3, 4, 203, 0, 113, 1, 255 },
	       13);
	memcpy(buf + PG_DHCP_OFF_SNAME, (uint8_t[]){ 54, 4, 203, 0, 113, 1, 255 }, 7);
	assert_int_equal(pg_dhcp_msg_parse(buf, n, &m), PG_DHCP_OK);
	assert_int_equal(m.overload, 3);
	assert_true(m.has_lease);
	assert_int_equal(m.lease_s, 60);
	assert_int_equal(m.n_routers, 1);
	assert_true(m.has_server_id);
	/* sname without its end option */
	memset(buf + PG_DHCP_OFF_SNAME, 0, PG_DHCP_SNAME_LEN);
	memset(buf + PG_DHCP_OFF_SNAME, 1, 2);
	buf[PG_DHCP_OFF_SNAME] = 12;
	buf[PG_DHCP_OFF_SNAME + 1] = 62;
	assert_int_equal(pg_dhcp_msg_parse(buf, n, &m), PG_DHCP_DROP_NO_END);
	/* An option running past the end of sname into file is refused. */
	buf[PG_DHCP_OFF_SNAME + 1] = 63;
	assert_int_equal(pg_dhcp_msg_parse(buf, n, &m), PG_DHCP_DROP_OPT_TRUNCATED);
	/* Overload inside an overloaded field */
	memset(buf + PG_DHCP_OFF_SNAME, 0, PG_DHCP_SNAME_LEN);
	memcpy(buf + PG_DHCP_OFF_SNAME, (uint8_t[]){ 52, 1, 1, 255 }, 4);
	assert_int_equal(pg_dhcp_msg_parse(buf, n, &m), PG_DHCP_DROP_OVERLOAD);
	/* Without option 52, a file field full of bytes is not read. */
	memset(o, 0, 7);
	memcpy(o, (uint8_t[]){ 53, 1, 5, 255 }, 4);
	assert_int_equal(pg_dhcp_msg_parse(buf, n, &m), PG_DHCP_OK);
	assert_false(m.has_lease);
}

static void test_malformed_counted(void **state)
{
	struct pg_dhcp c;
	struct pg_dhcp_msg d;
	uint8_t buf[PG_DHCP_MAX_BUILD];
	size_t n;

	(void)state;
	setup_client(&c, 0);
	pg_dhcp_start(&c, 0, NULL);
	pg_dhcp_tick(&c, 0);
	expect_msg(&c, PG_DHCP_DISCOVER, &d, NULL);
	n = build_reply(&d, PG_DHCP_OFFER, &isp, buf);
	assert_int_equal(pg_dhcp_input(&c, 1, buf, 200), PG_DHCP_DROP_SHORT);
	buf[PG_DHCP_OFF_COOKIE + 3] ^= 1;
	assert_int_equal(pg_dhcp_input(&c, 1, buf, n), PG_DHCP_DROP_BAD_COOKIE);
	buf[PG_DHCP_OFF_COOKIE + 3] ^= 1;
	buf[PG_DHCP_OFF_OPTIONS + 1] = 250; /* type option's length */
	assert_int_equal(pg_dhcp_input(&c, 1, buf, n), PG_DHCP_DROP_OPT_TRUNCATED);
	buf[PG_DHCP_OFF_OPTIONS + 1] = 2;
	assert_int_equal(pg_dhcp_input(&c, 1, buf, n), PG_DHCP_DROP_OPT_LEN);
	assert_int_equal(c.stats.drops[PG_DHCP_DROP_SHORT], 1);
	assert_int_equal(c.stats.drops[PG_DHCP_DROP_BAD_COOKIE], 1);
	assert_int_equal(c.stats.drops[PG_DHCP_DROP_OPT_TRUNCATED], 1);
	assert_int_equal(c.stats.drops[PG_DHCP_DROP_OPT_LEN], 1);
	assert_int_equal(c.state, PG_DHCP_ST_SELECTING);
	no_output(&c);
	/* The intact offer still works afterwards. */
	buf[PG_DHCP_OFF_OPTIONS + 1] = 1;
	assert_int_equal(pg_dhcp_input(&c, 2, buf, n), PG_DHCP_OK);
}

static void test_udp_wrap(void **state)
{
	uint8_t msg[PG_DHCP_MAX_BUILD], pkt[PG_DHCP_MAX_BUILD + 64];
	const uint8_t *p;
	size_t n = good_ack(msg), len, plen;

	(void)state;
	/* A server's packet: 67 -> 68. */
	len = pg_dhcp_udp_build(pkt, sizeof(pkt), ip("203.0.113.1"), ip("203.0.113.10"), 67, 68,
				msg, n);
	assert_int_equal(len, n + PG_DHCP_IP_UDP_LEN);
	assert_true(pg_dhcp_udp_match(pkt, len));
	/* Ethernet padding after the packet is allowed. */
	assert_int_equal(pg_dhcp_udp_unwrap(pkt, len + 10, &p, &plen), PG_DHCP_OK);
	assert_int_equal(plen, n);
	assert_memory_equal(p, msg, n);
	pkt[PG_DHCP_IP_UDP_LEN + 50] ^= 0x40;
	assert_int_equal(pg_dhcp_udp_unwrap(pkt, len, &p, &plen), PG_DHCP_DROP_UDP_CSUM);
	/* UDP checksum 0: none sent, accepted. */
	pkt[26] = pkt[27] = 0;
	assert_int_equal(pg_dhcp_udp_unwrap(pkt, len, &p, &plen), PG_DHCP_OK);
	pkt[8] = 1; /* TTL: IP header checksum now wrong */
	assert_int_equal(pg_dhcp_udp_unwrap(pkt, len, &p, &plen), PG_DHCP_DROP_UDP_CSUM);
	assert_int_equal(pg_dhcp_udp_unwrap(pkt, len - n - 1, &p, &plen), PG_DHCP_DROP_NOT_UDP);
	/* A client's packet (68 -> 67) is not for the client. */
	len = pg_dhcp_udp_build(pkt, sizeof(pkt), 0, 0xffffffffu, 68, 67, msg, n);
	assert_false(pg_dhcp_udp_match(pkt, len));
	assert_int_equal(pg_dhcp_udp_build(pkt, 100, 0, 0, 68, 67, msg, n), 0);
	/* A fragment never matches. */
	len = pg_dhcp_udp_build(pkt, sizeof(pkt), ip("203.0.113.1"), 0xffffffffu, 67, 68, msg, n);
	pkt[6] = 0x20;
	assert_false(pg_dhcp_udp_match(pkt, len));
}

static void test_lease_file(void **state)
{
	struct pg_dhcp_lease l = saved_lease(50000), back;
	char text[512];
	unsigned int line;
	int n;

	(void)state;
	l.n_dns = 2;
	l.dns[0] = ip("203.0.113.53");
	l.dns[1] = ip("198.51.100.53");
	/* Written 7 s after the start, at wall time 1,765,000,007. */
	n = pg_dhcp_lease_format(&l, 57000, 1765000007, text, sizeof(text));
	assert_true(n > 0);
	assert_non_null(strstr(text, "address 203.0.113.10\n"));
	assert_non_null(strstr(text, "dns 203.0.113.53 198.51.100.53\n"));
	assert_non_null(strstr(text, "obtained 1765000000\n"));
	/* Read back 3 s later on a monotonic clock at 1,000,000. */
	assert_int_equal(pg_dhcp_lease_parse(text, (size_t)n, 1000000, 1765000010, &back, &line),
			 0);
	assert_int_equal(back.addr, l.addr);
	assert_int_equal(back.router, l.router);
	assert_int_equal(back.n_dns, 2);
	assert_int_equal(back.dns[1], l.dns[1]);
	assert_int_equal(back.lease_s, 30);
	assert_int_equal(back.start_ms, 1000000 - 10000);
	/* Read back after a reboot: the clock began 4 s ago, the lease began 10 s ago. */
	assert_int_equal(pg_dhcp_lease_parse(text, (size_t)n, 4000, 1765000010, &back, &line), 0);
	assert_int_equal(back.start_ms, 0);
	assert_int_equal(back.lease_s, 24);
	assert_int_equal(back.t1_s, 9);
	assert_int_equal(pg_dhcp_lease_end(&back), 24000);
	assert_int_equal(pg_dhcp_lease_format(&l, 57000, 1765000007, text, 20), -1);
	/*
	 * Obtained far in the future (a file from a clock that was wrong, or
	 * edited): counted from now, nothing shortened. The seconds between
	 * were once multiplied to milliseconds in a signed 64-bit, which
	 * overflows for the largest value the file allows (2^62).
	 */
	{
		static const char future[] = "address 203.0.113.10\nmask 255.255.255.0\n"
					     "router 203.0.113.1\nserver 203.0.113.1\n"
					     "lease 30\nt1 15\nt2 26\nobtained 4611686018427387904\n";

		assert_int_equal(pg_dhcp_lease_parse(future, sizeof(future) - 1, 4000, 1765000010,
						     &back, &line),
				 0);
		assert_int_equal(back.start_ms, 4000);
		assert_int_equal(back.lease_s, 30);
	}

	static const struct {
		const char *text;
		unsigned int line;
	} bad[] = {
		{ "address 203.0.113.10\n", 0 },
		{ "address 1.2.3\n", 1 },
		{ "bogus 1\n", 1 },
		{ "# c\naddress 203.0.113.10 x\n", 2 },
		{ "address 203.0.113.10\naddress 203.0.113.10\n", 2 },
		{ "address 203.0.113.10\nmask 255.255.255.0\nrouter 203.0.113.1\nserver "
		  "203.0.113.1\n"
		  "lease 30\nt1 29\nt2 20\nobtained 1\n",
		  0 },
		{ "address 203.0.113.10\nmask 255.255.255.0\nrouter 203.0.113.1\nserver "
		  "203.0.113.1\n"
		  "lease 99999999999\nt1 1\nt2 2\nobtained 1\n",
		  5 },
		{ "dns 1.1.1.1 1.1.1.1 1.1.1.1 1.1.1.1 1.1.1.1\n", 1 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		if (pg_dhcp_lease_parse(bad[i].text, strlen(bad[i].text), 0, 0, &back, &line) != -1)
			fail_msg("bad lease %zu accepted", i);
		assert_int_equal(line, bad[i].line);
	}
}

/* A client that was stopped mid-probe by a saved lease, then restarted. */
static void test_restart_round_trip(void **state)
{
	struct pg_dhcp c;
	struct pg_dhcp_lease back;
	struct pg_dhcp_msg r;
	char text[512];
	unsigned int line;
	int n;

	(void)state;
	setup_client(&c, 0);
	dora(&c, 0, &isp);
	expect_event(&c, PG_DHCP_EV_BOUND, NULL);
	n = pg_dhcp_lease_format(pg_dhcp_current(&c), 5000, 1765000005, text, sizeof(text));
	assert_true(n > 0);
	/* The daemon restarts 2 s later: monotonic clock 7000, wall +2. */
	assert_int_equal(pg_dhcp_lease_parse(text, (size_t)n, 7000, 1765000007, &back, &line), 0);
	setup_client(&c, 0);
	pg_dhcp_start(&c, 7000, &back);
	pg_dhcp_tick(&c, 7000);
	expect_msg(&c, PG_DHCP_REQUEST, &r, NULL);
	assert_int_equal(r.requested, ip("203.0.113.10"));
	assert_false(r.has_server_id);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dora),
		cmocka_unit_test(test_nak_in_requesting),
		cmocka_unit_test(test_renew_at_t1),
		cmocka_unit_test(test_rebind_at_t2),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_init_reboot_accepted),
		cmocka_unit_test(test_init_reboot_nak),
		cmocka_unit_test(test_init_reboot_silence_and_expired),
		cmocka_unit_test(test_arp_conflict_declines),
		cmocka_unit_test(test_address_change_at_renewal),
		cmocka_unit_test(test_release_and_renew_command),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_wrong_xid_ignored),
		cmocka_unit_test(test_server_times),
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_parse_header_checks),
		cmocka_unit_test(test_overload),
		cmocka_unit_test(test_malformed_counted),
		cmocka_unit_test(test_udp_wrap),
		cmocka_unit_test(test_lease_file),
		cmocka_unit_test(test_restart_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
