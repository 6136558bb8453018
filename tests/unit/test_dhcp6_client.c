/* SPDX-License-Identifier: MIT */
/*
 * test_dhcp6_client.c - the DHCPv6 prefix delegation client (src/wan/
 * dhcp6*.c) against a scripted server: SOLICIT/ADVERTISE/REQUEST/REPLY,
 * preference 255 taken at once, RENEW at T1, REBIND at T2, expiry, a new
 * prefix at renewal (the old one named for deprecation), NoBinding, restart
 * from a kept delegation (REBIND) or an expired one (SOLICIT with the hint),
 * release, the retransmission timeouts of RFC 8415 section 15; the reader's
 * refusals, one row per reason; the IPv6/UDP wrapper and the lease file.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "wan/dhcp6.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const uint8_t our_mac[6] = { 0x02, 0, 0, 0, 0xaa, 0x01 };
static const uint8_t srv_id[] = { 0, 3, 0, 1, 0x02, 0, 0, 0, 0x5e, 0x01 };
static const uint8_t srv2_id[] = { 0, 3, 0, 1, 0x02, 0, 0, 0, 0x5e, 0x02 };

static uint32_t rand_state;

static uint32_t seq_rand(void *ctx)
{
	uint32_t *s = ctx;

	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

static void a6(const char *s, uint8_t out[16])
{
	assert_int_equal(inet_pton(AF_INET6, s, out), 1);
}

static void setup_client(struct pg_dhcp6 *c)
{
	struct pg_dhcp6_conf conf;

	pg_dhcp6_conf_default(&conf, our_mac);
	conf.start_delay_ms = 0;
	conf.hint_len = 56;
	conf.rand = seq_rand;
	conf.rand_ctx = &rand_state;
	rand_state = 1;
	pg_dhcp6_init(c, &conf);
}

/* The one message the client sent since the last look (read back); fails on events. */
static void sent(struct pg_dhcp6 *c, uint8_t type, struct pg_dhcp6_msg *m)
{
	struct pg_dhcp6_out o;

	assert_true(pg_dhcp6_pop(c, &o));
	assert_int_equal(o.kind, PG_DHCP6_OUT_PACKET);
	assert_int_equal(o.type, type);
	assert_int_equal(pg_dhcp6_msg_parse(o.msg, o.len, m), PG_DHCP6_OK);
	assert_int_equal(m->type, type);
	/* Always our DUID-LL (type 3, Ethernet, the MAC) and the IA_PD. */
	assert_int_equal(m->client_id_len, 10);
	assert_int_equal(m->client_id[1], 3);
	assert_memory_equal(m->client_id + 4, our_mac, 6);
	assert_true(m->has_ia_pd);
	assert_int_equal(m->iaid, 1);
	assert_true(m->has_elapsed);
}

static void got_event(struct pg_dhcp6 *c, enum pg_dhcp6_event ev, struct pg_dhcp6_out *o)
{
	assert_true(pg_dhcp6_pop(c, o));
	assert_int_equal(o->kind, PG_DHCP6_OUT_EVENT);
	assert_int_equal(o->event, ev);
}

static void nothing(struct pg_dhcp6 *c)
{
	struct pg_dhcp6_out o;

	assert_false(pg_dhcp6_pop(c, &o));
}

/* A server's answer to @req giving @prefix (NULL: none) with the times given. */
static size_t answer(const struct pg_dhcp6_msg *req, uint8_t type, const uint8_t *sid,
		     size_t sid_len, const char *prefix, uint8_t len, uint32_t t1, uint32_t t2,
		     uint32_t pref, uint32_t valid, uint8_t *buf, struct pg_dhcp6_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->type = type;
	m->xid = req->xid;
	m->client_id_len = req->client_id_len;
	memcpy(m->client_id, req->client_id, req->client_id_len);
	m->server_id_len = (uint8_t)sid_len;
	memcpy(m->server_id, sid, sid_len);
	m->has_ia_pd = true;
	m->iaid = req->iaid;
	m->t1_s = t1;
	m->t2_s = t2;
	if (prefix) {
		a6(prefix, m->prefixes[0].addr);
		m->prefixes[0].len = len;
		m->prefixes[0].preferred_s = pref;
		m->prefixes[0].valid_s = valid;
		m->n_prefixes = 1;
	}
	a6("2001:db8::53", m->dns[0]);
	m->n_dns = 1;
	return pg_dhcp6_msg_build(m, buf, PG_DHCP6_MAX_BUILD);
}

static enum pg_dhcp6_drop feed(struct pg_dhcp6 *c, uint64_t now, const struct pg_dhcp6_msg *m)
{
	uint8_t buf[PG_DHCP6_MAX_BUILD];
	size_t n = pg_dhcp6_msg_build(m, buf, sizeof(buf));

	assert_true(n > 0);
	return pg_dhcp6_input(c, now, buf, n);
}

/* Bring a client to BOUND with 2001:db8:100::/56, T1 100 s, T2 160 s, valid 400 s. */
static uint64_t bind_client(struct pg_dhcp6 *c)
{
	struct pg_dhcp6_msg req, ans;
	uint8_t buf[PG_DHCP6_MAX_BUILD];
	struct pg_dhcp6_out o;
	uint64_t now = 1000;

	setup_client(c);
	pg_dhcp6_start(c, now, NULL);
	pg_dhcp6_tick(c, now);
	sent(c, PG_DHCP6_SOLICIT, &req);
	answer(&req, PG_DHCP6_ADVERTISE, srv_id, sizeof(srv_id), "2001:db8:100::", 56, 0, 0, 200,
	       400, buf, &ans);
	ans.has_pref = true;
	ans.pref = 255;
	assert_int_equal(feed(c, now + 5, &ans), PG_DHCP6_OK);
	sent(c, PG_DHCP6_REQUEST, &req);
	answer(&req, PG_DHCP6_REPLY, srv_id, sizeof(srv_id), "2001:db8:100::", 56, 100, 160, 200,
	       400, buf, &ans);
	assert_int_equal(feed(c, now + 10, &ans), PG_DHCP6_OK);
	got_event(c, PG_DHCP6_EV_BOUND, &o);
	assert_int_equal(o.old_len, 0);
	nothing(c);
	return now + 10;
}

static void test_full_exchange(void **state)
{
	struct pg_dhcp6 c;
	struct pg_dhcp6_msg req, ans;
	uint8_t buf[PG_DHCP6_MAX_BUILD], want[16];
	struct pg_dhcp6_out o;
	const struct pg_dhcp6_lease *l;
	uint64_t now = 1000, t;

	(void)state;
	setup_client(&c);
	pg_dhcp6_start(&c, now, NULL);
	assert_int_equal(pg_dhcp6_next(&c), now);
	pg_dhcp6_tick(&c, now);
	sent(&c, PG_DHCP6_SOLICIT, &req);
	assert_int_equal(req.elapsed_cs, 0);
	assert_int_equal(req.server_id_len, 0);
	/* The hint: a /56, any prefix. */
	assert_int_equal(req.n_prefixes, 1);
	assert_int_equal(req.prefixes[0].len, 56);
	assert_int_equal(c.state, PG_DHCP6_ST_SOLICITING);
	/* An ADVERTISE of preference 0 waits for the end of the first period. */
	answer(&req, PG_DHCP6_ADVERTISE, srv_id, sizeof(srv_id), "2001:db8:100::", 56, 0, 0, 200,
	       400, buf, &ans);
	assert_int_equal(feed(&c, now + 100, &ans), PG_DHCP6_OK);
	nothing(&c);
	t = pg_dhcp6_next(&c);
	assert_true(t > now + 1000 && t <= now + 1100);
	pg_dhcp6_tick(&c, t);
	sent(&c, PG_DHCP6_REQUEST, &req);
	assert_memory_equal(req.server_id, srv_id, sizeof(srv_id));
	assert_int_equal(req.n_prefixes, 1);
	a6("2001:db8:100::", want);
	assert_memory_equal(req.prefixes[0].addr, want, 16);
	/* The answer from another server is not ours to take. */
	answer(&req, PG_DHCP6_REPLY, srv2_id, sizeof(srv2_id), "2001:db8:200::", 56, 0, 0, 200,
	       400, buf, &ans);
	assert_int_equal(feed(&c, t + 5, &ans), PG_DHCP6_DROP_WRONG_SERVER);
	/* T1 and T2 0: the client takes 0.5 and 0.8 of the preferred lifetime. */
	answer(&req, PG_DHCP6_REPLY, srv_id, sizeof(srv_id), "2001:db8:100::", 56, 0, 0, 200, 400,
	       buf, &ans);
	assert_int_equal(feed(&c, t + 10, &ans), PG_DHCP6_OK);
	got_event(&c, PG_DHCP6_EV_BOUND, &o);
	nothing(&c);
	l = pg_dhcp6_current(&c);
	assert_non_null(l);
	assert_memory_equal(l->prefix, want, 16);
	assert_int_equal(l->len, 56);
	assert_int_equal(l->t1_s, 100);
	assert_int_equal(l->t2_s, 160);
	assert_int_equal(l->n_dns, 1);
	/* Times count from the REQUEST's first sending. */
	assert_int_equal(l->start_ms, t);
	assert_int_equal(pg_dhcp6_next(&c), t + 100000);
	assert_int_equal(c.state, PG_DHCP6_ST_BOUND);
	assert_int_equal(c.stats.leases, 1);
}

static void test_renew_rebind_expire(void **state)
{
	struct pg_dhcp6 c;
	struct pg_dhcp6_msg req, ans, first;
	uint8_t buf[PG_DHCP6_MAX_BUILD];
	struct pg_dhcp6_out o;
	uint64_t start, t;

	(void)state;
	start = bind_client(&c);
	start = c.lease.start_ms;
	/* T1: RENEW to the same server, with the prefix held. */
	pg_dhcp6_tick(&c, start + 100000);
	sent(&c, PG_DHCP6_RENEW, &first);
	assert_memory_equal(first.server_id, srv_id, sizeof(srv_id));
	assert_int_equal(first.prefixes[0].len, 56);
	assert_int_equal(c.state, PG_DHCP6_ST_RENEWING);
	/* First RT 10 s +-10 %. */
	t = pg_dhcp6_next(&c);
	assert_true(t >= start + 109000 && t <= start + 111000);
	pg_dhcp6_tick(&c, t);
	sent(&c, PG_DHCP6_RENEW, &req);
	assert_int_equal(req.xid, first.xid); /* a retransmission: same transaction */
	assert_true(req.elapsed_cs >= 900);
	/* The renewal answered: RENEWED, the times from now on. */
	answer(&req, PG_DHCP6_REPLY, srv_id, sizeof(srv_id), "2001:db8:100::", 56, 100, 160, 200,
	       400, buf, &ans);
	assert_int_equal(feed(&c, t + 50, &ans), PG_DHCP6_OK);
	got_event(&c, PG_DHCP6_EV_RENEWED, &o);
	nothing(&c);
	assert_int_equal(c.lease.start_ms, start + 100000);
	assert_int_equal(c.stats.renewals, 1);
	/* Nobody answers now: RENEW until T2, REBIND until the end, then lost. */
	start = c.lease.start_ms;
	pg_dhcp6_tick(&c, start + 100000);
	sent(&c, PG_DHCP6_RENEW, &req);
	for (t = pg_dhcp6_next(&c); c.state == PG_DHCP6_ST_RENEWING; t = pg_dhcp6_next(&c)) {
		assert_true(t <= start + 160000); /* the deadline cuts the wait */
		pg_dhcp6_tick(&c, t);
		assert_true(pg_dhcp6_pop(&c, &o));
	}
	assert_int_equal(c.state, PG_DHCP6_ST_REBINDING);
	assert_int_equal(t, pg_dhcp6_next(&c));
	assert_int_equal(pg_dhcp6_msg_parse(o.msg, o.len, &req), PG_DHCP6_OK);
	assert_int_equal(req.type, PG_DHCP6_REBIND);
	assert_int_equal(req.server_id_len, 0); /* any server */
	while (c.state == PG_DHCP6_ST_REBINDING) {
		t = pg_dhcp6_next(&c);
		assert_true(t <= start + 400000);
		pg_dhcp6_tick(&c, t);
		while (pg_dhcp6_pop(&c, &o) && o.kind == PG_DHCP6_OUT_PACKET)
			;
	}
	/* The last output was the loss; then a SOLICIT hinting at the prefix. */
	assert_int_equal(o.kind, PG_DHCP6_OUT_EVENT);
	assert_int_equal(o.event, PG_DHCP6_EV_LOST);
	assert_int_equal(o.lost, PG_DHCP6_LOST_EXPIRED);
	assert_int_equal(o.old_len, 56);
	sent(&c, PG_DHCP6_SOLICIT, &req);
	assert_int_equal(req.prefixes[0].len, 56);
	assert_int_equal(req.prefixes[0].addr[5], 0x00);
	assert_int_equal(req.prefixes[0].addr[4], 0x01); /* 2001:db8:100:: */
	assert_null(pg_dhcp6_current(&c));
}

static void test_prefix_changed(void **state)
{
	struct pg_dhcp6 c;
	struct pg_dhcp6_msg req, ans;
	uint8_t buf[PG_DHCP6_MAX_BUILD], want[16];
	struct pg_dhcp6_out o;
	uint64_t start;

	(void)state;
	bind_client(&c);
	start = c.lease.start_ms;
	pg_dhcp6_tick(&c, start + 100000);
	sent(&c, PG_DHCP6_RENEW, &req);
	/* The server moves us: the old prefix with lifetimes 0, a new one. */
	answer(&req, PG_DHCP6_REPLY, srv_id, sizeof(srv_id), "2001:db8:200::", 56, 100, 160, 200,
	       400, buf, &ans);
	ans.prefixes[1] = ans.prefixes[0];
	a6("2001:db8:100::", ans.prefixes[0].addr);
	ans.prefixes[0].preferred_s = ans.prefixes[0].valid_s = 0;
	ans.n_prefixes = 2;
	assert_int_equal(feed(&c, start + 100100, &ans), PG_DHCP6_OK);
	got_event(&c, PG_DHCP6_EV_BOUND, &o);
	a6("2001:db8:100::", want);
	assert_memory_equal(o.old_prefix, want, 16);
	assert_int_equal(o.old_len, 56);
	assert_int_equal(o.old_valid_end, start + 100100); /* withdrawn: invalid now */
	a6("2001:db8:200::", want);
	assert_memory_equal(c.lease.prefix, want, 16);
	assert_int_equal(c.stats.prefix_changes, 1);
}

static void test_withdrawn_and_nobinding(void **state)
{
	struct pg_dhcp6 c;
	struct pg_dhcp6_msg req, ans;
	uint8_t buf[PG_DHCP6_MAX_BUILD];
	struct pg_dhcp6_out o;
	uint64_t start;

	(void)state;
	bind_client(&c);
	start = c.lease.start_ms;
	pg_dhcp6_tick(&c, start + 100000);
	sent(&c, PG_DHCP6_RENEW, &req);
	/* NoBinding: REQUEST for it, still in use meanwhile. */
	answer(&req, PG_DHCP6_REPLY, srv_id, sizeof(srv_id), NULL, 0, 0, 0, 0, 0, buf, &ans);
	ans.has_ia_status = true;
	ans.ia_status = PG_DHCP6_ST_NO_BINDING;
	assert_int_equal(feed(&c, start + 100100, &ans), PG_DHCP6_OK);
	sent(&c, PG_DHCP6_REQUEST, &req);
	assert_int_equal(req.prefixes[0].len, 56);
	assert_non_null(pg_dhcp6_current(&c));
	/* The REQUEST's answer withdraws it and gives nothing: lost, SOLICIT again. */
	answer(&req, PG_DHCP6_REPLY, srv_id, sizeof(srv_id), "2001:db8:100::", 56, 0, 0, 0, 0, buf,
	       &ans);
	assert_int_equal(feed(&c, start + 100200, &ans), PG_DHCP6_OK);
	got_event(&c, PG_DHCP6_EV_LOST, &o);
	assert_int_equal(o.lost, PG_DHCP6_LOST_WITHDRAWN);
	sent(&c, PG_DHCP6_SOLICIT, &req);
	assert_null(pg_dhcp6_current(&c));
}

static void test_refusals(void **state)
{
	struct pg_dhcp6 c;
	struct pg_dhcp6_msg req, ans;
	uint8_t buf[PG_DHCP6_MAX_BUILD];
	uint64_t now = 1000;

	(void)state;
	setup_client(&c);
	pg_dhcp6_start(&c, now, NULL);
	pg_dhcp6_tick(&c, now);
	sent(&c, PG_DHCP6_SOLICIT, &req);
	answer(&req, PG_DHCP6_ADVERTISE, srv_id, sizeof(srv_id), "2001:db8:100::", 56, 0, 0, 200,
	       400, buf, &ans);
	ans.xid ^= 1;
	assert_int_equal(feed(&c, now, &ans), PG_DHCP6_DROP_WRONG_XID);
	ans.xid ^= 1;
	ans.client_id[9] ^= 1;
	assert_int_equal(feed(&c, now, &ans), PG_DHCP6_DROP_WRONG_CLIENT);
	ans.client_id[9] ^= 1;
	ans.client_id_len = 0;
	assert_int_equal(feed(&c, now, &ans), PG_DHCP6_DROP_WRONG_CLIENT);
	ans.client_id_len = req.client_id_len;
	ans.server_id_len = 0;
	assert_int_equal(feed(&c, now, &ans), PG_DHCP6_DROP_NO_SERVER_ID);
	ans.server_id_len = sizeof(srv_id);
	ans.has_status = true;
	ans.status = PG_DHCP6_ST_NO_PREFIX;
	assert_int_equal(feed(&c, now, &ans), PG_DHCP6_DROP_NO_PREFIX);
	ans.has_status = false;
	ans.prefixes[0].len = 72; /* longer than /64: no /64 for the LAN in it */
	assert_int_equal(feed(&c, now, &ans), PG_DHCP6_DROP_NO_PREFIX);
	ans.prefixes[0].len = 56;
	ans.prefixes[0].preferred_s = 500; /* preferred beyond valid: ignored (21.22) */
	assert_int_equal(feed(&c, now, &ans), PG_DHCP6_DROP_NO_PREFIX);
	ans.prefixes[0].preferred_s = 200;
	ans.type = PG_DHCP6_REPLY; /* a REPLY while soliciting */
	assert_int_equal(feed(&c, now, &ans), PG_DHCP6_DROP_UNEXPECTED);
	ans.type = PG_DHCP6_SOLICIT; /* a client's message */
	assert_int_equal(feed(&c, now, &ans), PG_DHCP6_DROP_NOT_FOR_CLIENT);
	ans.type = PG_DHCP6_ADVERTISE;
	assert_int_equal(feed(&c, now, &ans), PG_DHCP6_OK);
	assert_int_equal(c.stats.drops[PG_DHCP6_DROP_NO_PREFIX], 3);
	nothing(&c);
}

static void test_retransmission(void **state)
{
	struct pg_dhcp6 c;
	struct pg_dhcp6_msg req;
	uint64_t now = 1000, prev_rt = 0;
	uint32_t xid;

	(void)state;
	setup_client(&c);
	pg_dhcp6_start(&c, now, NULL);
	pg_dhcp6_tick(&c, now);
	sent(&c, PG_DHCP6_SOLICIT, &req);
	xid = req.xid;
	/* RT1 in (IRT, 1.1 IRT]; then 2 RT +-0.1 RT, up to MRT +-0.1 MRT. */
	for (int i = 0; i < 20; i++) {
		uint64_t t = pg_dhcp6_next(&c), rt = t - now;

		if (i == 0)
			assert_true(rt > 1000 && rt <= 1100);
		else if (2 * prev_rt * 9 / 10 <= 3600000)
			assert_true((rt >= prev_rt * 19 / 10 && rt <= prev_rt * 21 / 10 + 1) ||
				    (rt >= 3240000 && rt <= 3960000));
		else
			assert_true(rt >= 3240000 && rt <= 3960000);
		prev_rt = rt;
		now = t;
		pg_dhcp6_tick(&c, now);
		sent(&c, PG_DHCP6_SOLICIT, &req);
		assert_int_equal(req.xid, xid);
	}
	assert_int_equal(c.stats.tx[PG_DHCP6_SOLICIT], 21);
	assert_int_equal(req.elapsed_cs, 0xffff); /* capped */
}

static void test_request_gives_up(void **state)
{
	struct pg_dhcp6 c;
	struct pg_dhcp6_msg req, ans;
	uint8_t buf[PG_DHCP6_MAX_BUILD];
	uint64_t now = 1000;
	int requests = 0;

	(void)state;
	setup_client(&c);
	pg_dhcp6_start(&c, now, NULL);
	pg_dhcp6_tick(&c, now);
	sent(&c, PG_DHCP6_SOLICIT, &req);
	answer(&req, PG_DHCP6_ADVERTISE, srv_id, sizeof(srv_id), "2001:db8:100::", 56, 0, 0, 200,
	       400, buf, &ans);
	ans.has_pref = true;
	ans.pref = 255;
	feed(&c, now, &ans);
	for (;;) {
		struct pg_dhcp6_out o;

		assert_true(pg_dhcp6_pop(&c, &o));
		if (o.type == PG_DHCP6_SOLICIT)
			break;
		assert_int_equal(o.type, PG_DHCP6_REQUEST);
		requests++;
		now = pg_dhcp6_next(&c);
		assert_true(now != PG_DHCP6_NO_TIMER);
		pg_dhcp6_tick(&c, now);
	}
	assert_int_equal(requests, PG_DHCP6_REQ_MAX_RC);
	assert_int_equal(c.state, PG_DHCP6_ST_SOLICITING);
}

static void test_restart(void **state)
{
	struct pg_dhcp6 c, c2;
	struct pg_dhcp6_msg req, ans;
	uint8_t buf[PG_DHCP6_MAX_BUILD];
	struct pg_dhcp6_out o;
	struct pg_dhcp6_lease back;
	char text[512];
	unsigned int line;
	uint64_t now;
	int n;

	(void)state;
	now = bind_client(&c) + 30000;
	n = pg_dhcp6_lease_format(&c.lease, now, 1765000000, text, sizeof(text));
	assert_true(n > 0);
	assert_non_null(strstr(text, "prefix 2001:db8:100::/56\n"));
	assert_non_null(strstr(text, "server 0003000102000000"));
	/* Read back by a daemon started 5 s later on a clock that began anew. */
	assert_int_equal(pg_dhcp6_lease_parse(text, (size_t)n, 2000, 1765000005, &back, &line), 0);
	assert_int_equal(back.len, 56);
	assert_int_equal(back.server_id_len, sizeof(srv_id));
	assert_true(back.valid_s <= 400 - 33 && back.valid_s >= 400 - 36);
	setup_client(&c2);
	pg_dhcp6_start(&c2, 2000, &back);
	got_event(&c2, PG_DHCP6_EV_BOUND, &o); /* in use at once */
	sent(&c2, PG_DHCP6_REBIND, &req);
	assert_int_equal(req.server_id_len, 0);
	assert_int_equal(req.prefixes[0].len, 56);
	answer(&req, PG_DHCP6_REPLY, srv_id, sizeof(srv_id), "2001:db8:100::", 56, 100, 160, 200,
	       400, buf, &ans);
	assert_int_equal(feed(&c2, 2100, &ans), PG_DHCP6_OK);
	got_event(&c2, PG_DHCP6_EV_RENEWED, &o);
	assert_int_equal(c2.state, PG_DHCP6_ST_BOUND);
	/* Expired on disk: SOLICIT hinting at it. */
	setup_client(&c2);
	assert_int_equal(pg_dhcp6_lease_parse(text, (size_t)n, 2000, 1765001000, &back, &line), 0);
	pg_dhcp6_start(&c2, 2000, &back);
	pg_dhcp6_tick(&c2, 2000);
	sent(&c2, PG_DHCP6_SOLICIT, &req);
	assert_int_equal(req.prefixes[0].len, 56);
	assert_int_equal(req.prefixes[0].addr[4], 0x01);
	/* Refused texts. */
	assert_int_equal(pg_dhcp6_lease_parse("prefix 2001:db8::/56\n", 21, 0, 0, &back, &line),
			 -1);
	{
		char bad[1100];

		snprintf(bad, sizeof(bad), "%s", text);
		*strstr(bad, "/56") = '!';
		assert_int_equal(pg_dhcp6_lease_parse(bad, strlen(bad), 0, 0, &back, &line), -1);
		snprintf(bad, sizeof(bad), "%sprefix 2001:db8::/48\n", text);
		assert_int_equal(pg_dhcp6_lease_parse(bad, strlen(bad), 0, 0, &back, &line), -1);
	}
}

static void test_release(void **state)
{
	struct pg_dhcp6 c;
	struct pg_dhcp6_msg req;
	struct pg_dhcp6_out o;
	uint64_t now;

	(void)state;
	now = bind_client(&c);
	pg_dhcp6_release(&c, now + 1000);
	sent(&c, PG_DHCP6_RELEASE, &req);
	assert_memory_equal(req.server_id, srv_id, sizeof(srv_id));
	assert_int_equal(req.prefixes[0].len, 56);
	got_event(&c, PG_DHCP6_EV_LOST, &o);
	assert_int_equal(o.lost, PG_DHCP6_LOST_RELEASED);
	assert_int_equal(c.state, PG_DHCP6_ST_STOPPED);
	assert_int_equal(pg_dhcp6_next(&c), PG_DHCP6_NO_TIMER);
	/* renew starts again */
	pg_dhcp6_renew(&c, now + 2000);
	sent(&c, PG_DHCP6_SOLICIT, &req);
}

/* The reader: one row per refusal. */
struct row {
	const char *name;
	uint8_t bytes[64];
	size_t len;
	enum pg_dhcp6_drop want;
};

static void test_reader_rows(void **state)
{
	static const struct row rows[] = {
		{"empty", {0}, 0, PG_DHCP6_DROP_SHORT},
		{"header cut", {2, 0, 0}, 3, PG_DHCP6_DROP_SHORT},
		{"header only", {2, 0, 0, 1}, 4, PG_DHCP6_OK},
		{"option header cut", {2, 0, 0, 1, 0, 1, 0}, 7, PG_DHCP6_DROP_OPT_TRUNCATED},
		{"option body past the end", {2, 0, 0, 1, 0, 1, 0, 9, 0, 3, 0, 1}, 12,
		 PG_DHCP6_DROP_OPT_TRUNCATED},
		{"client id too short", {2, 0, 0, 1, 0, 1, 0, 2, 0, 3}, 10, PG_DHCP6_DROP_OPT_LEN},
		{"client id twice", {2, 0, 0, 1, 0, 1, 0, 3, 0, 3, 9, 0, 1, 0, 3, 0, 3, 9}, 18,
		 PG_DHCP6_DROP_DUPLICATE},
		{"preference of 2 bytes", {2, 0, 0, 1, 0, 7, 0, 2, 1, 1}, 10, PG_DHCP6_DROP_OPT_LEN},
		{"status without a code", {7, 0, 0, 1, 0, 13, 0, 1, 0}, 9, PG_DHCP6_DROP_OPT_LEN},
		{"DNS not a multiple of 16", {7, 0, 0, 1, 0, 23, 0, 3, 1, 2, 3}, 11,
		 PG_DHCP6_DROP_OPT_LEN},
		{"IA_PD shorter than its fixed part", {7, 0, 0, 1, 0, 25, 0, 4, 0, 0, 0, 1}, 12,
		 PG_DHCP6_DROP_OPT_LEN},
		{"IAPREFIX shorter than its fixed part",
		 {7, 0, 0, 1, 0, 25, 0, 16, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 26, 0, 0},
		 24, PG_DHCP6_DROP_OPT_LEN},
		{"IAPREFIX running past the IA_PD",
		 {7, 0, 0, 1, 0, 25, 0, 16, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 26, 0, 25, 0,
		  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
		 49, PG_DHCP6_DROP_OPT_TRUNCATED},
		{"unknown options skipped", {7, 0, 0, 1, 0x99, 0x99, 0, 2, 1, 2}, 10, PG_DHCP6_OK},
	};
	struct pg_dhcp6_msg m;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		enum pg_dhcp6_drop r = pg_dhcp6_msg_parse(rows[i].bytes, rows[i].len, &m);

		if (r != rows[i].want)
			fail_msg("%s: got %s, want %s", rows[i].name, pg_dhcp6_drop_name(r),
				 pg_dhcp6_drop_name(rows[i].want));
	}
	/* A long client id (beyond 130 bytes) is refused, not cut. */
	{
		uint8_t b[4 + 4 + 200] = {2, 0, 0, 1, 0, 1, 0, 200};

		assert_int_equal(pg_dhcp6_msg_parse(b, sizeof(b), &m), PG_DHCP6_DROP_OPT_LEN);
	}
}

static void test_udp_wrap(void **state)
{
	uint8_t src[16], dst[16], pkt[600], msg[8] = {7, 1, 2, 3, 0, 8, 0, 2};
	const uint8_t *p;
	size_t n, plen;

	(void)state;
	a6("fe80::1", src);
	a6("ff02::1:2", dst);
	n = pg_dhcp6_udp_build(pkt, sizeof(pkt), src, dst, msg, sizeof(msg));
	assert_int_equal(n, PG_DHCP6_IP_UDP_LEN + sizeof(msg));
	assert_int_equal(pkt[7], 1);
	/* Ours goes 546 -> 547; an answer comes the other way: swap to read it. */
	assert_false(pg_dhcp6_udp_match(pkt, n));
	pkt[40] = 0x02, pkt[41] = 0x23, pkt[42] = 0x02, pkt[43] = 0x22;
	assert_true(pg_dhcp6_udp_match(pkt, n));
	/* The swap leaves the one's-complement sum the same: the checksum holds. */
	assert_int_equal(pg_dhcp6_udp_unwrap(pkt, n, &p, &plen), PG_DHCP6_OK);
	assert_int_equal(plen, sizeof(msg));
	assert_memory_equal(p, msg, sizeof(msg));
	pkt[n - 1] ^= 0x40;
	assert_int_equal(pg_dhcp6_udp_unwrap(pkt, n, &p, &plen), PG_DHCP6_DROP_UDP_CSUM);
	pkt[n - 1] ^= 0x40;
	assert_int_equal(pg_dhcp6_udp_unwrap(pkt, n - 1, &p, &plen), PG_DHCP6_DROP_NOT_UDP);
	pkt[6] = 6;
	assert_int_equal(pg_dhcp6_udp_unwrap(pkt, n, &p, &plen), PG_DHCP6_DROP_NOT_UDP);
	assert_false(pg_dhcp6_udp_match(pkt, 47));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_exchange),
		cmocka_unit_test(test_renew_rebind_expire),
		cmocka_unit_test(test_prefix_changed),
		cmocka_unit_test(test_withdrawn_and_nobinding),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_retransmission),
		cmocka_unit_test(test_request_gives_up),
		cmocka_unit_test(test_restart),
		cmocka_unit_test(test_release),
		cmocka_unit_test(test_reader_rows),
		cmocka_unit_test(test_udp_wrap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
