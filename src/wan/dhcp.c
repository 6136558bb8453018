/* SPDX-License-Identifier: MIT */
/*
 * dhcp.c - the WAN's DHCP client state machine (RFC 2131 section 4.4, the
 * address check of RFC 5227).
 *
 * DOC: Theory of operation
 *
 * One transaction at a time, named by its xid. Every state that waits for a
 * server has one timer: the next retransmission (randomized exponential
 * back-off, 4 s doubling to 64 s, +-1 s) or, once bound, the next of T1, T2
 * and the lease's end. Messages that do not answer the open transaction, or
 * that the state does not wait for, are dropped with a named reason; so are
 * offers and acks that would leave the WAN unusable (no router inside the
 * subnet, no lease time): taking them would only trade "waiting" for
 * "broken".
 *
 *   STOPPED --start--> INIT --DISCOVER--> SELECTING --OFFER/REQUEST--> REQUESTING
 *      |                 ^                                                 |ACK
 *      |saved lease      |NAK, tries out, expiry, DECLINE (after 10 s)     v
 *      +-> INIT-REBOOT --+------------------------ACK------------------> PROBING
 *                                                                          |no conflict
 *   REBINDING <--T2-- RENEWING <--T1-- BOUND <-----------------------------+
 *       |ACK (same address) ---------------^   ^--ACK (same address)--+
 *
 * An ACK while renewing or rebinding that gives another address is probed
 * like a new one while the old lease stays in use; when the probe passes the
 * new lease replaces it (event BOUND with the old address), so the caller
 * moves the WAN in one step.
 *
 * A lease's times count from the first REQUEST of the exchange that got it
 * (RFC 2131 4.4.1), which errs towards renewing early.
 */
#include <string.h>

#include "wan/dhcp.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const state_names[] = {
#define PG_DHCP_STATE_NAME(id, name) [PG_DHCP_ST_##id] = name,
	PG_DHCP_STATES(PG_DHCP_STATE_NAME)
#undef PG_DHCP_STATE_NAME
};
_Static_assert(ARRAY_SIZE(state_names) == PG_DHCP_ST__COUNT, "one name per state");

static const char *const lost_names[] = {
#define PG_DHCP_LOST_NAME(id, name) [PG_DHCP_LOST_##id] = name,
	PG_DHCP_LOST_REASONS(PG_DHCP_LOST_NAME)
#undef PG_DHCP_LOST_NAME
};
_Static_assert(ARRAY_SIZE(lost_names) == PG_DHCP_LOST__COUNT, "one name per reason");

/* What we ask servers for (option 55): the lease's parts and its times. */
static const uint8_t param_list[] = {
	PG_DHCP_OPT_SUBNET_MASK, PG_DHCP_OPT_ROUTER, PG_DHCP_OPT_DNS, PG_DHCP_OPT_LEASE_TIME,
	PG_DHCP_OPT_SERVER_ID,	 PG_DHCP_OPT_T1,     PG_DHCP_OPT_T2,
};

const char *pg_dhcp_state_name(enum pg_dhcp_state s)
{
	if ((unsigned int)s >= PG_DHCP_ST__COUNT)
		return "?";
	return state_names[s];
}

const char *pg_dhcp_lost_name(enum pg_dhcp_lost r)
{
	if ((unsigned int)r >= PG_DHCP_LOST__COUNT)
		return "?";
	return lost_names[r];
}

int pg_dhcp_mask_len(uint32_t mask)
{
	uint32_t h = (uint32_t)((mask & 0xff) << 24 | (mask & 0xff00) << 8 | (mask >> 8 & 0xff00) |
				mask >> 24);
	int n = 0;

	while (n < 32 && (h & (0x80000000u >> n)))
		n++;
	/* Contiguous: nothing set after the first zero bit. */
	if (n < 32 && (h << n) != 0)
		return -1;
	return n;
}

static uint64_t at_s(const struct pg_dhcp_lease *l, uint32_t s)
{
	if (l->lease_s == PG_DHCP_INFINITE)
		return PG_DHCP_NO_TIMER;
	return l->start_ms + (uint64_t)s * 1000;
}

uint64_t pg_dhcp_lease_t1(const struct pg_dhcp_lease *l)
{
	return at_s(l, l->t1_s);
}

uint64_t pg_dhcp_lease_t2(const struct pg_dhcp_lease *l)
{
	return at_s(l, l->t2_s);
}

uint64_t pg_dhcp_lease_end(const struct pg_dhcp_lease *l)
{
	return at_s(l, l->lease_s);
}

static uint32_t rnd(struct pg_dhcp *c)
{
	return c->conf.rand(c->conf.rand_ctx);
}

void pg_dhcp_conf_default(struct pg_dhcp_conf *conf, const uint8_t mac[6])
{
	memset(conf, 0, sizeof(*conf));
	memcpy(conf->mac, mac, 6);
	conf->probe_num = PG_DHCP_PROBE_NUM;
	/*
	 * RFC 2131 suggests up to 10 s so that many clients starting after a
	 * power cut spread out; a gateway is one client per line, and each
	 * second here is a second without Internet, so 1 s.
	 */
	conf->start_delay_ms = 1000;
}

void pg_dhcp_init(struct pg_dhcp *c, const struct pg_dhcp_conf *conf)
{
	/* Copied first: @conf may be c->conf itself (a restart). */
	struct pg_dhcp_conf copy = *conf;

	memset(c, 0, sizeof(*c));
	c->conf = copy;
	if (!c->conf.client_id_len) {
		/* RFC 2132 9.14: hardware type 1 (Ethernet), then the address. */
		c->conf.client_id[0] = 1;
		memcpy(c->conf.client_id + 1, c->conf.mac, 6);
		c->conf.client_id_len = 7;
	}
	c->conf.hostname[PG_DHCP_MAX_HOSTNAME] = '\0';
	c->state = PG_DHCP_ST_STOPPED;
	c->timer = PG_DHCP_NO_TIMER;
}

/* ---- outputs ------------------------------------------------------------ */

static struct pg_dhcp_out *push(struct pg_dhcp *c, enum pg_dhcp_out_kind kind)
{
	struct pg_dhcp_out *o;

	if (c->q_len == PG_DHCP_OUTQ) {
		/* The caller did not pop: lose the oldest, keep the newest. */
		c->stats.out_overflow++;
		c->q_head = (c->q_head + 1) % PG_DHCP_OUTQ;
		c->q_len--;
	}
	o = &c->q[(c->q_head + c->q_len++) % PG_DHCP_OUTQ];
	o->kind = kind;
	o->type = 0;
	o->src = o->dst = o->addr = o->old_addr = 0;
	o->len = 0;
	o->event = PG_DHCP_EV_BOUND;
	o->lost = PG_DHCP_LOST_NONE;
	return o;
}

bool pg_dhcp_pop(struct pg_dhcp *c, struct pg_dhcp_out *out)
{
	if (!c->q_len)
		return false;
	*out = c->q[c->q_head];
	c->q_head = (c->q_head + 1) % PG_DHCP_OUTQ;
	c->q_len--;
	return true;
}

static void event(struct pg_dhcp *c, enum pg_dhcp_event ev, uint32_t addr, uint32_t old,
		  enum pg_dhcp_lost why)
{
	struct pg_dhcp_out *o = push(c, PG_DHCP_OUT_EVENT);

	o->event = ev;
	o->addr = addr;
	o->old_addr = old;
	o->lost = why;
}

static void arp_out(struct pg_dhcp *c, enum pg_dhcp_out_kind kind, uint32_t addr)
{
	push(c, kind)->addr = addr;
}

/* A message from us with what every one carries. */
static void msg_base(struct pg_dhcp *c, struct pg_dhcp_msg *m, uint8_t type, uint64_t now)
{
	uint64_t secs = now > c->xid_start ? (now - c->xid_start) / 1000 : 0;

	memset(m, 0, sizeof(*m));
	m->op = PG_BOOTREQUEST;
	m->type = type;
	m->xid = c->xid;
	m->secs = (uint16_t)(secs > 0xffff ? 0xffff : secs);
	memcpy(m->chaddr, c->conf.mac, 6);
	m->client_id_len = c->conf.client_id_len;
	memcpy(m->client_id, c->conf.client_id, c->conf.client_id_len);
	if (type == PG_DHCP_DISCOVER || type == PG_DHCP_REQUEST) {
		size_t hl = strlen(c->conf.hostname);

		m->hostname_len = (uint8_t)hl;
		memcpy(m->hostname, c->conf.hostname, hl);
		m->n_params = (uint8_t)sizeof(param_list);
		memcpy(m->params, param_list, sizeof(param_list));
	}
}

static void send_msg(struct pg_dhcp *c, const struct pg_dhcp_msg *m, uint32_t src, uint32_t dst,
		     uint64_t now)
{
	struct pg_dhcp_out *o = push(c, PG_DHCP_OUT_PACKET);

	o->type = m->type;
	o->src = src;
	o->dst = dst;
	/* Our messages are a few dozen option bytes: always fit. */
	o->len = (uint16_t)pg_dhcp_msg_build(m, o->msg, sizeof(o->msg));
	c->stats.tx[m->type]++;
	c->last_tx = now;
	c->tries++;
	if (!c->have_lease)
		c->acquire_tries++;
}

/* ---- timers ------------------------------------------------------------- */

/* The next retransmission's delay, then the back-off doubles. */
static uint64_t backoff(struct pg_dhcp *c)
{
	uint64_t d =
	    c->retx_ms + rnd(c) % (2 * PG_DHCP_RETX_JITTER_MS + 1) - PG_DHCP_RETX_JITTER_MS;

	c->retx_ms = c->retx_ms * 2 > PG_DHCP_RETX_MAX_MS ? PG_DHCP_RETX_MAX_MS : c->retx_ms * 2;
	return d;
}

static void new_xid(struct pg_dhcp *c, uint64_t now)
{
	c->xid = rnd(c);
	c->xid_start = now;
	c->tries = 0;
	c->retx_ms = PG_DHCP_RETX_FIRST_MS;
}

/* Half the time left until @until, at least 60 s, never past it (4.4.5). */
static uint64_t half_left(uint64_t now, uint64_t until)
{
	uint64_t d;

	if (until == PG_DHCP_NO_TIMER)
		return PG_DHCP_NO_TIMER;
	if (until <= now)
		return now;
	d = (until - now) / 2;
	if (d < PG_DHCP_RENEW_MIN_MS)
		d = PG_DHCP_RENEW_MIN_MS;
	return now + d < until ? now + d : until;
}

static void enter_init(struct pg_dhcp *c, uint64_t now, uint64_t delay)
{
	c->state = PG_DHCP_ST_INIT;
	c->tries = 0;
	c->timer = now + delay;
}

/* ---- sending ------------------------------------------------------------ */

static void send_discover(struct pg_dhcp *c, uint64_t now)
{
	struct pg_dhcp_msg m;

	msg_base(c, &m, PG_DHCP_DISCOVER, now);
	if (c->requested) {
		m.has_requested = true;
		m.requested = c->requested;
	}
	send_msg(c, &m, 0, 0xffffffffu, now);
	c->timer = now + backoff(c);
}

/* REQUEST in SELECTING (server id) or INIT-REBOOT (none): broadcast, no ciaddr. */
static void send_request_new(struct pg_dhcp *c, uint64_t now, bool selecting)
{
	struct pg_dhcp_msg m;

	msg_base(c, &m, PG_DHCP_REQUEST, now);
	m.has_requested = true;
	m.requested = c->offer.addr;
	if (selecting) {
		m.has_server_id = true;
		m.server_id = c->offer.server;
	}
	if (!c->tries)
		c->req_first = now;
	send_msg(c, &m, 0, 0xffffffffu, now);
	c->timer = now + backoff(c);
}

/* REQUEST to extend the lease: ciaddr set, unicast to the server or broadcast. */
static void send_request_extend(struct pg_dhcp *c, uint64_t now)
{
	bool rebinding = c->state == PG_DHCP_ST_REBINDING;
	struct pg_dhcp_msg m;

	msg_base(c, &m, PG_DHCP_REQUEST, now);
	m.ciaddr = c->lease.addr;
	if (!c->tries)
		c->req_first = now;
	send_msg(c, &m, c->lease.addr, rebinding ? 0xffffffffu : c->lease.server, now);
	c->timer =
	    half_left(now, rebinding ? pg_dhcp_lease_end(&c->lease) : pg_dhcp_lease_t2(&c->lease));
}

static void start_extend(struct pg_dhcp *c, uint64_t now, enum pg_dhcp_state st)
{
	c->state = st;
	new_xid(c, now);
	send_request_extend(c, now);
}

/* ---- transitions -------------------------------------------------------- */

static void lose(struct pg_dhcp *c, enum pg_dhcp_lost why)
{
	if (!c->have_lease)
		return;
	c->have_lease = false;
	c->announces = 0;
	c->stats.losses++;
	c->acquire_tries = 0;
	event(c, PG_DHCP_EV_LOST, c->lease.addr, 0, why);
}

static void bind(struct pg_dhcp *c, uint64_t now)
{
	const struct pg_dhcp_lease *o = &c->offer;
	bool same = c->have_lease && c->lease.addr == o->addr && c->lease.mask == o->mask &&
		    c->lease.router == o->router;
	uint32_t old = c->have_lease ? c->lease.addr : 0;

	c->lease = *o;
	c->have_lease = true;
	c->state = PG_DHCP_ST_BOUND;
	c->requested = o->addr;
	c->naks = 0;
	c->acquire_tries = 0;
	c->bound_at = now;
	c->timer = pg_dhcp_lease_t1(&c->lease);
	if (same) {
		c->stats.renewals++;
		event(c, PG_DHCP_EV_RENEWED, o->addr, old, PG_DHCP_LOST_NONE);
		return;
	}
	c->stats.leases++;
	event(c, PG_DHCP_EV_BOUND, o->addr, old, PG_DHCP_LOST_NONE);
	/* Tell the link the address is ours now (RFC 5227 2.3). */
	if (c->conf.probe_num) {
		c->announces = PG_DHCP_ANNOUNCE_NUM;
		c->announce_at = now;
	}
}

static void start_probe(struct pg_dhcp *c, uint64_t now)
{
	if (!c->conf.probe_num) {
		bind(c, now);
		return;
	}
	c->state = PG_DHCP_ST_PROBING;
	c->probes = 0;
	c->timer = now + rnd(c) % PG_DHCP_PROBE_WAIT_MS;
}

static void got_nak(struct pg_dhcp *c, uint64_t now)
{
	uint64_t delay = 0;

	c->stats.naks++;
	lose(c, PG_DHCP_LOST_NAK);
	/* The server said no to this address: do not ask for it again. */
	c->requested = 0;
	/* Servers that NAK every REQUEST should not get a DISCOVER storm. */
	if (c->naks++) {
		delay = (uint64_t)PG_DHCP_RETX_FIRST_MS << (c->naks < 6 ? c->naks - 1 : 5);
		if (delay > PG_DHCP_RETX_MAX_MS)
			delay = PG_DHCP_RETX_MAX_MS;
	}
	enter_init(c, now, delay);
}

static void expire(struct pg_dhcp *c, uint64_t now)
{
	c->requested = c->lease.addr;
	lose(c, PG_DHCP_LOST_EXPIRED);
	enter_init(c, now, 0);
}

void pg_dhcp_start(struct pg_dhcp *c, uint64_t now, const struct pg_dhcp_lease *saved)
{
	uint64_t delay = c->conf.start_delay_ms ? rnd(c) % c->conf.start_delay_ms : 0;

	c->have_lease = false;
	c->announces = 0;
	c->naks = 0;
	c->acquire_tries = 0;
	c->requested = 0;
	new_xid(c, now);
	if (saved && saved->addr && now < pg_dhcp_lease_end(saved)) {
		c->offer = *saved;
		c->state = PG_DHCP_ST_INIT_REBOOT;
		c->timer = now + delay;
		return;
	}
	if (saved)
		c->requested = saved->addr;
	enter_init(c, now, delay);
}

void pg_dhcp_renew(struct pg_dhcp *c, uint64_t now)
{
	switch (c->state) {
	case PG_DHCP_ST_BOUND:
	case PG_DHCP_ST_RENEWING:
	case PG_DHCP_ST_REBINDING:
		start_extend(c, now,
			     now >= pg_dhcp_lease_t2(&c->lease) ? PG_DHCP_ST_REBINDING
								: PG_DHCP_ST_RENEWING);
		return;
	case PG_DHCP_ST_PROBING:
		return; /* an answer is on its way */
	default:
		new_xid(c, now);
		c->naks = 0;
		enter_init(c, now, 0);
		return;
	}
}

void pg_dhcp_release(struct pg_dhcp *c, uint64_t now)
{
	if (c->have_lease) {
		struct pg_dhcp_msg m;

		new_xid(c, now);
		msg_base(c, &m, PG_DHCP_RELEASE, now);
		m.ciaddr = c->lease.addr;
		m.has_server_id = true;
		m.server_id = c->lease.server;
		send_msg(c, &m, c->lease.addr, c->lease.server, now);
		lose(c, PG_DHCP_LOST_RELEASED);
	}
	c->requested = 0;
	c->state = PG_DHCP_ST_STOPPED;
	c->timer = PG_DHCP_NO_TIMER;
}

/* ---- input -------------------------------------------------------------- */

static bool addr_usable(uint32_t a)
{
	const uint8_t *b = (const uint8_t *)&a;

	/* 0/8, loopback, multicast and class E are never a host's address. */
	return b[0] != 0 && b[0] != 127 && b[0] < 224;
}

/* The lease an OFFER or ACK describes, or why it cannot be used. */
static enum pg_dhcp_drop lease_of(const struct pg_dhcp_msg *m, struct pg_dhcp_lease *l)
{
	int plen;
	uint32_t lease;

	memset(l, 0, sizeof(*l));
	if (!m->has_server_id)
		return PG_DHCP_DROP_NO_SERVER_ID;
	if (!addr_usable(m->yiaddr))
		return PG_DHCP_DROP_BAD_ADDR;
	if (!m->has_lease)
		return PG_DHCP_DROP_NO_LEASE;
	plen = m->has_mask ? pg_dhcp_mask_len(m->mask) : -1;
	/* A router must share the subnet, so at least two addresses in it. */
	if (plen < 1 || plen > 31)
		return PG_DHCP_DROP_BAD_MASK;
	if (plen < 31) {
		uint32_t host = m->yiaddr & ~m->mask;

		if (host == 0 || host == ~m->mask)
			return PG_DHCP_DROP_BAD_ADDR;
	}
	l->addr = m->yiaddr;
	l->mask = m->mask;
	for (uint8_t i = 0; i < m->n_routers && !l->router; i++) {
		uint32_t r = m->routers[i];

		if (r != m->yiaddr && (r & m->mask) == (m->yiaddr & m->mask) && addr_usable(r))
			l->router = r;
	}
	if (!l->router)
		return PG_DHCP_DROP_NO_ROUTER;
	l->server = m->server_id;
	l->n_dns = m->n_dns;
	memcpy(l->dns, m->dns, sizeof(l->dns));

	lease = m->lease_s;
	if (lease != PG_DHCP_INFINITE && lease < PG_DHCP_LEASE_MIN_S)
		lease = PG_DHCP_LEASE_MIN_S;
	l->lease_s = lease;
	if (lease == PG_DHCP_INFINITE) {
		l->t1_s = l->t2_s = lease;
		return PG_DHCP_OK;
	}
	/* RFC 2131 4.4.5 defaults: 0.5 and 0.875 of the lease. */
	l->t1_s = m->has_t1 ? m->t1_s : lease / 2;
	l->t2_s = m->has_t2 ? m->t2_s : (uint32_t)((uint64_t)lease * 7 / 8);
	/* Times out of order are the server's mistake: take the defaults. */
	if (!(l->t1_s < l->t2_s && l->t2_s < lease)) {
		l->t1_s = lease / 2;
		l->t2_s = (uint32_t)((uint64_t)lease * 7 / 8);
	}
	return PG_DHCP_OK;
}

static enum pg_dhcp_drop on_offer(struct pg_dhcp *c, uint64_t now, const struct pg_dhcp_msg *m)
{
	struct pg_dhcp_lease l;
	enum pg_dhcp_drop r = lease_of(m, &l);

	if (r != PG_DHCP_OK)
		return r;
	/* The first usable offer wins: waiting for more only delays the WAN. */
	c->offer = l;
	c->state = PG_DHCP_ST_REQUESTING;
	c->tries = 0;
	c->retx_ms = PG_DHCP_RETX_FIRST_MS;
	send_request_new(c, now, true);
	return PG_DHCP_OK;
}

static enum pg_dhcp_drop on_ack(struct pg_dhcp *c, uint64_t now, const struct pg_dhcp_msg *m)
{
	struct pg_dhcp_lease l;
	enum pg_dhcp_drop r;

	/* Only the server we asked may answer a REQUEST naming it. */
	if (c->state == PG_DHCP_ST_REQUESTING && m->has_server_id &&
	    m->server_id != c->offer.server)
		return PG_DHCP_DROP_WRONG_SERVER;
	r = lease_of(m, &l);
	if (r != PG_DHCP_OK)
		return r;
	l.start_ms = c->req_first;
	c->offer = l;
	if (c->have_lease && l.addr == c->lease.addr) {
		/* Extending the address we hold: already checked. */
		bind(c, now);
		return PG_DHCP_OK;
	}
	start_probe(c, now);
	return PG_DHCP_OK;
}

enum pg_dhcp_drop pg_dhcp_input(struct pg_dhcp *c, uint64_t now, const uint8_t *buf, size_t len)
{
	struct pg_dhcp_msg m;
	enum pg_dhcp_drop r = pg_dhcp_msg_parse(buf, len, &m);
	bool waiting = c->state == PG_DHCP_ST_SELECTING || c->state == PG_DHCP_ST_REQUESTING ||
		       c->state == PG_DHCP_ST_RENEWING || c->state == PG_DHCP_ST_REBINDING ||
		       (c->state == PG_DHCP_ST_INIT_REBOOT && c->tries);

	if (r != PG_DHCP_OK)
		goto drop;
	r = PG_DHCP_DROP_NOT_REPLY;
	if (m.op != PG_BOOTREPLY)
		goto drop;
	r = PG_DHCP_DROP_WRONG_XID;
	if (m.xid != c->xid)
		goto drop;
	r = PG_DHCP_DROP_WRONG_CHADDR;
	if (memcmp(m.chaddr, c->conf.mac, 6) != 0)
		goto drop;
	r = PG_DHCP_DROP_UNEXPECTED;
	if (!waiting)
		goto drop;
	switch (m.type) {
	case PG_DHCP_OFFER:
		if (c->state != PG_DHCP_ST_SELECTING)
			goto drop;
		r = on_offer(c, now, &m);
		break;
	case PG_DHCP_ACK:
		if (c->state == PG_DHCP_ST_SELECTING)
			goto drop;
		r = on_ack(c, now, &m);
		break;
	case PG_DHCP_NAK:
		if (c->state == PG_DHCP_ST_SELECTING)
			goto drop;
		r = PG_DHCP_DROP_WRONG_SERVER;
		if (c->state == PG_DHCP_ST_REQUESTING && m.has_server_id &&
		    m.server_id != c->offer.server)
			goto drop;
		got_nak(c, now);
		r = PG_DHCP_OK;
		break;
	default:
		goto drop;
	}
	if (r != PG_DHCP_OK)
		goto drop;
	c->stats.rx[m.type]++;
	return PG_DHCP_OK;
drop:
	c->stats.drops[r]++;
	return r;
}

bool pg_dhcp_arp_input(struct pg_dhcp *c, uint64_t now, uint16_t op, const uint8_t sha[6],
		       uint32_t spa, uint32_t tpa)
{
	struct pg_dhcp_msg m;
	uint32_t a = c->offer.addr;

	if (c->state != PG_DHCP_ST_PROBING || !memcmp(sha, c->conf.mac, 6))
		return false;
	/* Someone uses the address, or probes for it too (RFC 5227 2.1.1). */
	if (spa != a && !(op == 1 && spa == 0 && tpa == a))
		return false;
	c->stats.declines++;
	new_xid(c, now);
	msg_base(c, &m, PG_DHCP_DECLINE, now);
	m.has_requested = true;
	m.requested = a;
	m.has_server_id = true;
	m.server_id = c->offer.server;
	send_msg(c, &m, 0, 0xffffffffu, now);
	event(c, PG_DHCP_EV_DECLINED, a, 0, PG_DHCP_LOST_NONE);
	lose(c, PG_DHCP_LOST_CONFLICT);
	c->requested = 0;
	enter_init(c, now, PG_DHCP_DECLINE_WAIT_MS);
	return true;
}

/* ---- time --------------------------------------------------------------- */

uint64_t pg_dhcp_next(const struct pg_dhcp *c)
{
	uint64_t t = c->timer;

	if (c->announces && c->announce_at < t)
		t = c->announce_at;
	/* The lease in use may end while a new address is being probed. */
	if (c->state == PG_DHCP_ST_PROBING && c->have_lease && pg_dhcp_lease_end(&c->lease) < t)
		t = pg_dhcp_lease_end(&c->lease);
	return t;
}

/* The state's own timer fired. */
static void timer_fired(struct pg_dhcp *c, uint64_t now)
{
	switch (c->state) {
	case PG_DHCP_ST_INIT:
		new_xid(c, now);
		c->state = PG_DHCP_ST_SELECTING;
		send_discover(c, now);
		break;
	case PG_DHCP_ST_SELECTING:
		/* Keep asking (at most every 64 s) until a server answers. */
		send_discover(c, now);
		break;
	case PG_DHCP_ST_REQUESTING:
		if (c->tries >= PG_DHCP_REQUEST_TRIES)
			enter_init(c, now, 0);
		else
			send_request_new(c, now, true);
		break;
	case PG_DHCP_ST_INIT_REBOOT:
		if (c->tries >= PG_DHCP_REQUEST_TRIES) {
			/* Nobody confirms the old address: ask for it in a DISCOVER. */
			c->requested = c->offer.addr;
			enter_init(c, now, 0);
		} else {
			send_request_new(c, now, false);
		}
		break;
	case PG_DHCP_ST_PROBING:
		if (c->probes < c->conf.probe_num) {
			arp_out(c, PG_DHCP_OUT_ARP_PROBE, c->offer.addr);
			c->probes++;
			if (c->probes < c->conf.probe_num)
				c->timer = now + PG_DHCP_PROBE_MIN_MS +
					   rnd(c) % (PG_DHCP_PROBE_MAX_MS - PG_DHCP_PROBE_MIN_MS);
			else
				c->timer = now + PG_DHCP_ANNOUNCE_WAIT_MS;
		} else {
			bind(c, now);
		}
		break;
	case PG_DHCP_ST_BOUND:
	case PG_DHCP_ST_RENEWING:
	case PG_DHCP_ST_REBINDING:
		if (now >= pg_dhcp_lease_end(&c->lease))
			expire(c, now);
		else if (now >= pg_dhcp_lease_t2(&c->lease) && c->state != PG_DHCP_ST_REBINDING)
			start_extend(c, now, PG_DHCP_ST_REBINDING);
		else if (c->state == PG_DHCP_ST_BOUND)
			start_extend(c, now, PG_DHCP_ST_RENEWING);
		else
			send_request_extend(c, now);
		break;
	default:
		c->timer = PG_DHCP_NO_TIMER;
		break;
	}
}

void pg_dhcp_tick(struct pg_dhcp *c, uint64_t now)
{
	/* Bounded: each round moves a timer past now or changes state. */
	for (int round = 0; round < 16; round++) {
		if (c->announces && c->announce_at <= now) {
			arp_out(c, PG_DHCP_OUT_ARP_ANNOUNCE, c->lease.addr);
			c->announces--;
			c->announce_at = now + PG_DHCP_ANNOUNCE_INTERVAL_MS;
			continue;
		}
		if (c->state == PG_DHCP_ST_PROBING && c->have_lease &&
		    now >= pg_dhcp_lease_end(&c->lease)) {
			/* The old lease ran out; the new address is still checked. */
			lose(c, PG_DHCP_LOST_EXPIRED);
			continue;
		}
		if (c->timer > now)
			return;
		timer_fired(c, now);
	}
}

const struct pg_dhcp_lease *pg_dhcp_current(const struct pg_dhcp *c)
{
	return c->have_lease ? &c->lease : NULL;
}
