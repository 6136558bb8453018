/* SPDX-License-Identifier: MIT */
/*
 * fuzz_dhcp6.c - libFuzzer target for the DHCPv6 prefix delegation client:
 * the message reader, the IPv6/UDP unwrapper, the delegation file reader,
 * and the state machine fed whatever arrives.
 *
 * Input: [mode][records...]. Mode 0 hands the rest to the three readers.
 * Modes 1-4 first bring a client to SOLICITING, REQUESTING, BOUND or
 * RENEWING with a scripted server, then play records [kind][len][bytes]:
 *   kind & 7: 0 a message (transaction id and client id patched to the
 *             open exchange's unless kind bit 3 is set), 1 time passes
 *             (2 bytes, x100 ms) and the client ticks, 2 renew, 3 release,
 *             4 a message inside IPv6/UDP (unwrapped first), 5 restart from
 *             the delegation in use written as text and read back, 6-7 a
 *             minute passes
 * Invariants: the reader's verdict is a named reason and what it read fits
 * its arrays; every message the client sends reads back with our client
 * id; after a tick nothing is overdue; events agree with the delegation in
 * use, which is usable (a prefix of /1../64, T1 <= T2, preferred <= valid).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzzrec.h"
#include "wan/dhcp6.h"

static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0xaa, 0x01 };
static const uint8_t sid[10] = { 0, 3, 0, 1, 2, 0, 0, 0, 0x5e, 1 };

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_dhcp6: invariant broken: %s\n", what);
	abort();
}

static uint32_t rnd_state;

static uint32_t rnd(void *ctx)
{
	(void)ctx;
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

struct run {
	struct pg_dhcp6 c;
	uint64_t now;
	bool up;
	uint8_t prefix[16];
	uint8_t len;
};

static void check_lease(const struct pg_dhcp6_lease *l)
{
	if (l->len < 1 || l->len > 64)
		fail("delegation in use with a bad length");
	if (l->t1_s > l->t2_s || l->preferred_s > l->valid_s || !l->valid_s)
		fail("delegation times out of order");
	if (l->n_dns > PG_DHCP6_MAX_DNS || l->server_id_len > PG_DHCP6_MAX_DUID)
		fail("delegation lists out of bounds");
}

static void drain(struct run *r)
{
	struct pg_dhcp6_out o;
	const struct pg_dhcp6_lease *cur;

	while (pg_dhcp6_pop(&r->c, &o)) {
		struct pg_dhcp6_msg m;

		switch (o.kind) {
		case PG_DHCP6_OUT_PACKET:
			if (!o.len || pg_dhcp6_msg_parse(o.msg, o.len, &m) != PG_DHCP6_OK)
				fail("sent a message that does not read back");
			if (m.type != o.type || m.client_id_len != r->c.duid_len ||
			    memcmp(m.client_id, r->c.duid, r->c.duid_len) || !m.has_ia_pd)
				fail("sent message not ours");
			break;
		case PG_DHCP6_OUT_EVENT:
			if (o.event == PG_DHCP6_EV_BOUND || o.event == PG_DHCP6_EV_RENEWED) {
				const struct pg_dhcp6_lease *l = pg_dhcp6_current(&r->c);

				if (!l)
					fail("bound without a delegation");
				if (o.event == PG_DHCP6_EV_RENEWED &&
				    (!r->up || l->len != r->len || memcmp(l->prefix, r->prefix, 16)))
					fail("renewed a prefix not held");
				r->up = true;
				memcpy(r->prefix, l->prefix, 16);
				r->len = l->len;
			} else if (o.event == PG_DHCP6_EV_LOST) {
				if (!r->up || o.old_len != r->len || memcmp(o.old_prefix, r->prefix, 16))
					fail("lost a prefix that was not in use");
				r->up = false;
			} else {
				fail("event out of range");
			}
			break;
		default:
			fail("output kind out of range");
		}
	}
	if ((unsigned int)r->c.state >= PG_DHCP6_ST__COUNT)
		fail("state out of range");
	cur = pg_dhcp6_current(&r->c);
	if (r->up != (cur != NULL) || (cur && (cur->len != r->len || memcmp(cur->prefix, r->prefix, 16))))
		fail("events disagree with the delegation in use");
	if (cur)
		check_lease(cur);
}

static void tick(struct run *r, uint64_t dt)
{
	r->now += dt;
	pg_dhcp6_tick(&r->c, r->now);
	drain(r);
	if (pg_dhcp6_next(&r->c) <= r->now)
		fail("something overdue after a tick");
}

/* The last message sent, read back (events drained and checked). */
static void last_sent(struct run *r, struct pg_dhcp6_msg *m)
{
	struct pg_dhcp6_out o;

	memset(m, 0, sizeof(*m));
	while (r->c.q_len) {
		o = r->c.q[r->c.q_head];
		if (o.kind == PG_DHCP6_OUT_PACKET)
			pg_dhcp6_msg_parse(o.msg, o.len, m);
		if (o.kind == PG_DHCP6_OUT_EVENT) {
			drain(r);
			return;
		}
		pg_dhcp6_pop(&r->c, &o);
	}
}

static void serve(struct run *r, const struct pg_dhcp6_msg *req, uint8_t type)
{
	struct pg_dhcp6_msg m;
	uint8_t buf[PG_DHCP6_MAX_BUILD];
	size_t n;

	memset(&m, 0, sizeof(m));
	m.type = type;
	m.xid = req->xid;
	m.client_id_len = req->client_id_len;
	memcpy(m.client_id, req->client_id, req->client_id_len);
	m.server_id_len = sizeof(sid);
	memcpy(m.server_id, sid, sizeof(sid));
	m.has_pref = true;
	m.pref = 255;
	m.has_ia_pd = true;
	m.iaid = 1;
	m.t1_s = 20;
	m.t2_s = 32;
	m.n_prefixes = 1;
	m.prefixes[0].addr[0] = 0x20;
	m.prefixes[0].addr[1] = 0x01;
	m.prefixes[0].len = 56;
	m.prefixes[0].preferred_s = 40;
	m.prefixes[0].valid_s = 60;
	n = pg_dhcp6_msg_build(&m, buf, sizeof(buf));
	pg_dhcp6_input(&r->c, r->now, buf, n);
}

static void setup(struct run *r, unsigned int mode)
{
	struct pg_dhcp6_conf conf;
	struct pg_dhcp6_msg m;

	memset(r, 0, sizeof(*r));
	rnd_state = 7;
	pg_dhcp6_conf_default(&conf, mac);
	conf.rand = rnd;
	conf.start_delay_ms = 0;
	conf.hint_len = 56;
	conf.duid_time = mode == 2 ? 12345 : 0;
	pg_dhcp6_init(&r->c, &conf);
	r->now = 1000;
	pg_dhcp6_start(&r->c, r->now, NULL);
	pg_dhcp6_tick(&r->c, r->now);
	last_sent(r, &m);
	if (mode == 1)
		return;
	serve(r, &m, PG_DHCP6_ADVERTISE);
	last_sent(r, &m);
	if (mode == 2)
		return;
	serve(r, &m, PG_DHCP6_REPLY);
	drain(r);
	if (mode == 4)
		tick(r, 20000); /* T1: RENEWING */
}

static void play_message(struct run *r, const uint8_t *d, size_t n, bool patch, bool wrap)
{
	uint8_t buf[1600], pkt[1600 + PG_DHCP6_IP_UDP_LEN];
	static const uint8_t src[16] = { 0xfe, 0x80, [15] = 1 }, dst[16] = { 0xfe, 0x80, [15] = 2 };
	const uint8_t *msg = buf;
	size_t len = n < sizeof(buf) ? n : sizeof(buf);

	memcpy(buf, d, len);
	if (patch && len >= 4) {
		buf[1] = (uint8_t)(r->c.xid >> 16);
		buf[2] = (uint8_t)(r->c.xid >> 8);
		buf[3] = (uint8_t)r->c.xid;
		/* Our client id as the first option, when there is room for it. */
		if (len >= 8 + r->c.duid_len && buf[4] == 0 && buf[5] == PG_DHCP6_OPT_CLIENTID) {
			buf[6] = 0;
			buf[7] = r->c.duid_len;
			memcpy(buf + 8, r->c.duid, r->c.duid_len);
		}
	}
	if (wrap) {
		size_t plen = pg_dhcp6_udp_build(pkt, sizeof(pkt), src, dst, buf, len);

		/* Built as a client's; turn the ports round to read it as an answer. */
		if (plen) {
			uint8_t t0 = pkt[40], t1 = pkt[41];

			pkt[40] = pkt[42];
			pkt[41] = pkt[43];
			pkt[42] = t0;
			pkt[43] = t1;
			if (pg_dhcp6_udp_unwrap(pkt, plen, &msg, &len) != PG_DHCP6_OK)
				fail("a packet we built does not unwrap");
		}
	}
	if ((unsigned int)pg_dhcp6_input(&r->c, r->now, msg, len) >= PG_DHCP6_DROP__COUNT)
		fail("drop reason out of range");
	drain(r);
}

static void restart(struct run *r)
{
	const struct pg_dhcp6_lease *cur = pg_dhcp6_current(&r->c);
	struct pg_dhcp6_lease back;
	char text[1024];
	unsigned int line;
	int n;

	if (!cur)
		return;
	n = pg_dhcp6_lease_format(cur, r->now, 1765000000, text, sizeof(text));
	if (n < 0)
		fail("a delegation in use does not fit the text");
	if (pg_dhcp6_lease_parse(text, (size_t)n, r->now, 1765000000, &back, &line))
		fail("a written delegation does not read back");
	if (back.len != cur->len || memcmp(back.prefix, cur->prefix, 16) ||
	    back.server_id_len != cur->server_id_len)
		fail("a delegation read back differs");
	pg_dhcp6_init(&r->c, &r->c.conf);
	r->up = false;
	pg_dhcp6_start(&r->c, r->now, &back);
	drain(r);
}

static void raw(const uint8_t *data, size_t size)
{
	struct pg_dhcp6_msg m, m2;
	struct pg_dhcp6_lease l;
	const uint8_t *p;
	size_t plen;
	unsigned int line;
	enum pg_dhcp6_drop r = pg_dhcp6_msg_parse(data, size, &m);

	if ((unsigned int)r >= PG_DHCP6_DROP__COUNT)
		fail("drop reason out of range");
	if (r == PG_DHCP6_OK) {
		uint8_t buf[4096];
		size_t n;

		if (m.n_dns > PG_DHCP6_MAX_DNS || m.n_prefixes > PG_DHCP6_MAX_PREFIXES ||
		    m.client_id_len > PG_DHCP6_MAX_DUID || m.server_id_len > PG_DHCP6_MAX_DUID ||
		    m.xid > 0xffffff)
			fail("read message out of bounds");
		/* What was read, written again, reads the same. */
		n = pg_dhcp6_msg_build(&m, buf, sizeof(buf));
		if (!n)
			fail("a read message does not fit 4 KiB");
		if (pg_dhcp6_msg_parse(buf, n, &m2) != PG_DHCP6_OK || m2.type != m.type ||
		    m2.xid != m.xid || m2.n_prefixes != m.n_prefixes || m2.n_dns != m.n_dns ||
		    m2.client_id_len != m.client_id_len || m2.has_ia_pd != m.has_ia_pd ||
		    m2.t1_s != m.t1_s || (m.n_prefixes && m2.prefixes[0].valid_s != m.prefixes[0].valid_s))
			fail("round trip changed the message");
	}
	r = pg_dhcp6_udp_unwrap(data, size, &p, &plen);
	if (r == PG_DHCP6_OK && (p < data || p + plen > data + size))
		fail("unwrapped payload outside the packet");
	if (pg_dhcp6_lease_parse((const char *)data, size, 5000, 1765000000, &l, &line) == 0) {
		if (!l.len || l.len > 64 || !l.valid_s || l.preferred_s > l.valid_s)
			fail("delegation file accepted an unusable delegation");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct run r; /* big: keep it off the stack */
	struct pgt_rec rec;
	unsigned int mode;
	size_t i = 1;

	if (!size || size > 8192)
		return 0;
	mode = data[0] % 5;
	if (mode == 0) {
		raw(data + 1, size - 1);
		return 0;
	}
	setup(&r, mode);
	while (pgt_rec_next(data, size, &i, &rec)) {
		uint8_t kind = rec.kind;
		size_t n = rec.n;
		const uint8_t *d = rec.d;

		switch (kind & 7) {
		case 0:
			play_message(&r, d, n, !(kind & 8), false);
			break;
		case 1:
			tick(&r, n >= 2 ? (uint64_t)(d[0] << 8 | d[1]) * 100 : 1000);
			break;
		case 2:
			pg_dhcp6_renew(&r.c, r.now);
			drain(&r);
			break;
		case 3:
			pg_dhcp6_release(&r.c, r.now);
			drain(&r);
			break;
		case 4:
			play_message(&r, d, n, !(kind & 8), true);
			break;
		case 5:
			restart(&r);
			break;
		default:
			tick(&r, 60000);
			break;
		}
	}
	return 0;
}
