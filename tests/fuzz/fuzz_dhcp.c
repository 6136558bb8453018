/* SPDX-License-Identifier: MIT */
/*
 * fuzz_dhcp.c - libFuzzer target for the WAN's DHCP client: the message
 * reader, the IPv4/UDP unwrapper, the lease file reader, and the state
 * machine fed whatever arrives.
 *
 * Input: [mode][records...]. Mode 0 hands the rest to the three readers as
 * it is. Modes 1-6 first bring a client to SELECTING, REQUESTING, RENEWING,
 * REBINDING, INIT-REBOOT or PROBING with a scripted server, then play the
 * records, each [kind][len][len bytes]:
 *   kind & 7: 0 a DHCP message (xid and chaddr patched to the open
 *             transaction's unless kind bit 3 is set), 1 time passes
 *             (2 bytes, x10 ms) and the client ticks, 2 an ARP packet
 *             (byte 0 op, byte 1 bit 0 sender is another host, bit 1 sender
 *             address is the one probed), 3 renew, 4 release, 5 a DHCP
 *             message inside IPv4/UDP (unwrapped first), 6 restart from the
 *             lease in use written as text and read back
 * Invariants: the reader's verdict is a named reason; a read message's lists
 * fit their arrays; every message the client sends reads back as a
 * BOOTREQUEST of ours; after a tick nothing is overdue; events agree with
 * the lease in use, and a lease in use is usable (address and router in one
 * subnet, T1 <= T2 <= lease).
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzzrec.h"
#include "wan/dhcp.h"

static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0xaa, 0x01 };
static const uint8_t other[6] = { 0x02, 0, 0, 0, 0xbb, 0x02 };

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_dhcp: invariant broken: %s\n", what);
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
	struct pg_dhcp c;
	uint64_t now;
	bool up;
	uint32_t addr;
};

static void check_lease(const struct pg_dhcp_lease *l)
{
	int plen = pg_dhcp_mask_len(l->mask);

	if (plen < 1 || plen > 31)
		fail("lease in use with a bad mask");
	if ((l->router & l->mask) != (l->addr & l->mask) || l->router == l->addr)
		fail("router outside the subnet");
	if (l->lease_s != PG_DHCP_INFINITE &&
	    !(l->t1_s <= l->t2_s && l->t2_s <= l->lease_s && l->lease_s >= PG_DHCP_LEASE_MIN_S))
		fail("lease times out of order");
	if (l->n_dns > PG_DHCP_MAX_DNS)
		fail("too many DNS servers");
}

/* Take every output, checking each; the events must match the client. */
static void drain(struct run *r)
{
	struct pg_dhcp_out o;
	const struct pg_dhcp_lease *cur;

	while (pg_dhcp_pop(&r->c, &o)) {
		struct pg_dhcp_msg m;

		switch (o.kind) {
		case PG_DHCP_OUT_PACKET:
			if (pg_dhcp_msg_parse(o.msg, o.len, &m) != PG_DHCP_OK)
				fail("sent a message that does not read back");
			if (m.op != PG_BOOTREQUEST || memcmp(m.chaddr, mac, 6) || m.type != o.type)
				fail("sent message not ours");
			break;
		case PG_DHCP_OUT_ARP_PROBE:
		case PG_DHCP_OUT_ARP_ANNOUNCE:
			if (!o.addr)
				fail("ARP for address 0");
			break;
		case PG_DHCP_OUT_EVENT:
			if (o.event == PG_DHCP_EV_BOUND || o.event == PG_DHCP_EV_RENEWED) {
				r->up = true;
				r->addr = o.addr;
			} else if (o.event == PG_DHCP_EV_LOST) {
				if (!r->up || o.addr != r->addr)
					fail("lost a lease that was not in use");
				r->up = false;
			}
			break;
		default:
			fail("output kind out of range");
		}
	}
	if ((unsigned int)r->c.state >= PG_DHCP_ST__COUNT)
		fail("state out of range");
	cur = pg_dhcp_current(&r->c);
	if (r->up != (cur != NULL) || (cur && cur->addr != r->addr))
		fail("events disagree with the lease in use");
	if (cur)
		check_lease(cur);
}

static void tick(struct run *r, uint64_t dt)
{
	r->now += dt;
	pg_dhcp_tick(&r->c, r->now);
	drain(r);
	if (pg_dhcp_next(&r->c) <= r->now)
		fail("something overdue after a tick");
}

static void last_sent(struct run *r, struct pg_dhcp_msg *m)
{
	struct pg_dhcp_out o;
	bool any = false;

	while (pg_dhcp_pop(&r->c, &o))
		if (o.kind == PG_DHCP_OUT_PACKET) {
			pg_dhcp_msg_parse(o.msg, o.len, m);
			any = true;
		}
	if (!any)
		memset(m, 0, sizeof(*m));
	drain(r);
}

static void serve(struct run *r, const struct pg_dhcp_msg *req, uint8_t type)
{
	struct pg_dhcp_msg m;
	uint8_t buf[PG_DHCP_MAX_BUILD];
	size_t n;

	memset(&m, 0, sizeof(m));
	m.op = PG_BOOTREPLY;
	m.type = type;
	m.xid = req->xid;
	memcpy(m.chaddr, req->chaddr, 6);
	m.yiaddr = htonl(0xcb00710a); /* 203.0.113.10 */
	m.has_server_id = m.has_lease = m.has_mask = true;
	m.server_id = htonl(0xcb007101);
	m.lease_s = 30;
	m.mask = htonl(0xffffff00);
	m.n_routers = 1;
	m.routers[0] = htonl(0xcb007101);
	n = pg_dhcp_msg_build(&m, buf, sizeof(buf));
	pg_dhcp_input(&r->c, r->now, buf, n);
}

static void setup(struct run *r, unsigned int mode)
{
	struct pg_dhcp_conf conf;
	struct pg_dhcp_msg m;

	memset(r, 0, sizeof(*r));
	rnd_state = 7;
	pg_dhcp_conf_default(&conf, mac);
	conf.rand = rnd;
	conf.start_delay_ms = 0;
	conf.probe_num = mode == 6 ? PG_DHCP_PROBE_NUM : 0;
	pg_dhcp_init(&r->c, &conf);
	r->now = 1000;
	if (mode == 5) {
		struct pg_dhcp_lease l = { 0 };

		l.addr = htonl(0xcb00710a);
		l.mask = htonl(0xffffff00);
		l.router = l.server = htonl(0xcb007101);
		l.lease_s = 30;
		l.t1_s = 15;
		l.t2_s = 26;
		pg_dhcp_start(&r->c, r->now, &l);
		tick(r, 0);
		return;
	}
	pg_dhcp_start(&r->c, r->now, NULL);
	pg_dhcp_tick(&r->c, r->now);
	last_sent(r, &m);
	if (mode == 1)
		return;
	serve(r, &m, PG_DHCP_OFFER);
	last_sent(r, &m);
	if (mode == 2)
		return;
	serve(r, &m, PG_DHCP_ACK);
	drain(r);
	if (mode == 6)
		return;
	tick(r, 15000); /* T1: RENEWING */
	if (mode == 4)
		tick(r, 11000); /* T2: REBINDING */
}

static void play_message(struct run *r, const uint8_t *d, size_t n, bool patch, bool wrap)
{
	uint8_t buf[1600];
	uint8_t pkt[1600 + PG_DHCP_IP_UDP_LEN];
	const uint8_t *msg = buf;
	size_t len = n < sizeof(buf) ? n : sizeof(buf);

	memcpy(buf, d, len);
	if (patch && len >= PG_DHCP_OFF_CHADDR + 6) {
		uint32_t x = r->c.xid;

		buf[PG_DHCP_OFF_XID] = (uint8_t)(x >> 24);
		buf[PG_DHCP_OFF_XID + 1] = (uint8_t)(x >> 16);
		buf[PG_DHCP_OFF_XID + 2] = (uint8_t)(x >> 8);
		buf[PG_DHCP_OFF_XID + 3] = (uint8_t)x;
		memcpy(buf + PG_DHCP_OFF_CHADDR, mac, 6);
	}
	if (wrap) {
		size_t plen = pg_dhcp_udp_build(pkt, sizeof(pkt), htonl(0xcb007101), 0xffffffffu,
						67, 68, buf, len);

		if (pg_dhcp_udp_unwrap(pkt, plen, &msg, &len) != PG_DHCP_OK)
			fail("a packet we built does not unwrap");
	}
	enum pg_dhcp_drop why = pg_dhcp_input(&r->c, r->now, msg, len);
	if ((unsigned int)why >= PG_DHCP_DROP__COUNT)
		fail("drop reason out of range");
	drain(r);
}

static void restart(struct run *r)
{
	const struct pg_dhcp_lease *cur = pg_dhcp_current(&r->c);
	struct pg_dhcp_lease back;
	char text[512];
	unsigned int line;
	int n;

	if (!cur)
		return;
	n = pg_dhcp_lease_format(cur, r->now, 1765000000, text, sizeof(text));
	if (n < 0)
		fail("a lease in use does not fit the text");
	if (pg_dhcp_lease_parse(text, (size_t)n, r->now, 1765000000, &back, &line))
		fail("a written lease does not read back");
	if (back.addr != cur->addr || back.router != cur->router)
		fail("a lease read back differs");
	pg_dhcp_init(&r->c, &r->c.conf);
	r->up = false;
	pg_dhcp_start(&r->c, r->now, &back);
	drain(r);
}

static void raw(const uint8_t *data, size_t size)
{
	struct pg_dhcp_msg m;
	struct pg_dhcp_lease l;
	const uint8_t *p;
	size_t plen;
	unsigned int line;
	enum pg_dhcp_drop r = pg_dhcp_msg_parse(data, size, &m);

	if ((unsigned int)r >= PG_DHCP_DROP__COUNT)
		fail("drop reason out of range");
	if (r == PG_DHCP_OK) {
		if (m.n_dns > PG_DHCP_MAX_DNS || m.n_routers > PG_DHCP_MAX_ROUTERS ||
		    m.n_params > PG_DHCP_MAX_PARAMS || m.client_id_len > PG_DHCP_MAX_CLIENT_ID ||
		    m.hostname_len > PG_DHCP_MAX_HOSTNAME || !m.type || m.type > PG_DHCP_TYPE__MAX)
			fail("read message out of bounds");
		/* What was read, written again, reads the same. */
		uint8_t buf[PG_DHCP_MAX_BUILD + 600];
		struct pg_dhcp_msg m2;
		size_t n = pg_dhcp_msg_build(&m, buf, sizeof(buf));

		if (n && pg_dhcp_msg_parse(buf, n, &m2) == PG_DHCP_OK &&
		    (m2.type != m.type || m2.xid != m.xid || m2.n_dns != m.n_dns ||
		     m2.has_lease != m.has_lease || m2.lease_s != m.lease_s))
			fail("round trip changed the message");
	}
	r = pg_dhcp_udp_unwrap(data, size, &p, &plen);
	if (r == PG_DHCP_OK && (p < data || p + plen > data + size))
		fail("unwrapped payload outside the packet");
	if (pg_dhcp_lease_parse((const char *)data, size, 5000, 1765000000, &l, &line) == 0) {
		if (!l.addr || pg_dhcp_mask_len(l.mask) < 1)
			fail("lease file accepted an unusable lease");
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
	mode = data[0] % 7;
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
			tick(&r, n >= 2 ? (uint64_t)(d[0] << 8 | d[1]) * 10 : 1000);
			break;
		case 2:
			if (n >= 2) {
				uint32_t a = 0;

				if (d[1] & 2)
					a = r.c.offer.addr;
				else if (n >= 6)
					memcpy(&a, d + 2, 4);

				pg_dhcp_arp_input(&r.c, r.now, d[0], d[1] & 1 ? other : mac, a,
						  r.c.offer.addr);
				drain(&r);
			}
			break;
		case 3:
			pg_dhcp_renew(&r.c, r.now);
			drain(&r);
			break;
		case 4:
			pg_dhcp_release(&r.c, r.now);
			drain(&r);
			break;
		case 5:
			play_message(&r, d, n, !(kind & 8), true);
			break;
		case 6:
			restart(&r);
			break;
		default:
			tick(&r, 60000);
			break;
		}
	}
	return 0;
}
