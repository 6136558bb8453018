/* SPDX-License-Identifier: MIT */
/*
 * dhcp6.c - the DHCPv6 prefix delegation client's states (dhcp6.h).
 *
 * DOC: Theory of operation
 *
 * RFC 8415 section 18 for a requesting router with one IA_PD:
 * - SOLICITING: SOLICIT (with a hint: the prefix held before, or ::/len),
 *   then the ADVERTISEs of the first retransmission period are weighed by
 *   their preference (18.2.1: one of 255 is taken at once); after that
 *   period the first acceptable one wins. An ADVERTISE delegating nothing
 *   is ignored (18.2.9).
 * - REQUESTING: REQUEST to that server (its id in the message; the
 *   message itself is multicast, as every message here: we never get the
 *   server unicast option). REQ_MAX_RC tries, then back to SOLICITING.
 * - BOUND: at T1 RENEWING (RENEW to the same server), at T2 REBINDING
 *   (REBIND to any), at the end of the valid lifetime the prefix is lost and
 *   SOLICITING starts again, hinting at it. A Reply with NoBinding for the
 *   IA sends a REQUEST (18.2.10.1), the prefix staying in use meanwhile.
 * - A Reply that gives the prefix a valid lifetime of 0 and another one
 *   moves the LAN to the new one (BOUND with the old prefix named, so the
 *   caller can deprecate it); one that only withdraws it loses it.
 * Retransmission follows section 15: RT = IRT + RAND*IRT, then
 * RT = 2*RTprev + RAND*RTprev capped at MRT + RAND*MRT, RAND uniform in
 * [-0.1, 0.1] (for the first SOLICIT strictly positive), and the
 * exchange's deadline (T2 for RENEW, the valid lifetime for REBIND) cuts
 * the wait short.
 */
#include <string.h>

#include "wan/dhcp6.h"

static const char *const state_names[] = {
#define PG_DHCP6_STATE_NAME(id, name) [PG_DHCP6_ST_##id] = name,
	PG_DHCP6_STATES(PG_DHCP6_STATE_NAME)
#undef PG_DHCP6_STATE_NAME
};
_Static_assert(sizeof(state_names) / sizeof(state_names[0]) == PG_DHCP6_ST__COUNT,
	       "a name for every DHCPv6 state");

static const char *const lost_names[] = {
#define PG_DHCP6_LOST_NAME(id, name) [PG_DHCP6_LOST_##id] = name,
	PG_DHCP6_LOST_REASONS(PG_DHCP6_LOST_NAME)
#undef PG_DHCP6_LOST_NAME
};
_Static_assert(sizeof(lost_names) / sizeof(lost_names[0]) == PG_DHCP6_LOST__COUNT,
	       "a name for every DHCPv6 loss reason");

const char *pg_dhcp6_state_name(enum pg_dhcp6_state s)
{
	return (unsigned int)s < PG_DHCP6_ST__COUNT ? state_names[s] : "?";
}

const char *pg_dhcp6_lost_name(enum pg_dhcp6_lost r)
{
	return (unsigned int)r < PG_DHCP6_LOST__COUNT ? lost_names[r] : "?";
}

/* ---- lease times ----------------------------------------------------------- */

static uint64_t at(const struct pg_dhcp6_lease *l, uint32_t s)
{
	return s == PG_DHCP6_INFINITE ? PG_DHCP6_NO_TIMER : l->start_ms + (uint64_t)s * 1000;
}

uint64_t pg_dhcp6_lease_t1(const struct pg_dhcp6_lease *l)
{
	return at(l, l->t1_s);
}

uint64_t pg_dhcp6_lease_t2(const struct pg_dhcp6_lease *l)
{
	return at(l, l->t2_s);
}

uint64_t pg_dhcp6_lease_preferred_end(const struct pg_dhcp6_lease *l)
{
	return at(l, l->preferred_s);
}

uint64_t pg_dhcp6_lease_end(const struct pg_dhcp6_lease *l)
{
	return at(l, l->valid_s);
}

/* ---- output queue ------------------------------------------------------------ */

static struct pg_dhcp6_out *push(struct pg_dhcp6 *c)
{
	struct pg_dhcp6_out *o;

	if (c->q_len == PG_DHCP6_OUTQ) {
		/* The caller pops after every call; a full queue is its bug. Oldest goes. */
		c->q_head = (c->q_head + 1) % PG_DHCP6_OUTQ;
		c->q_len--;
		c->stats.out_overflow++;
	}
	o = &c->q[(c->q_head + c->q_len) % PG_DHCP6_OUTQ];
	c->q_len++;
	memset(o, 0, sizeof(*o));
	return o;
}

bool pg_dhcp6_pop(struct pg_dhcp6 *c, struct pg_dhcp6_out *out)
{
	if (!c->q_len)
		return false;
	*out = c->q[c->q_head];
	c->q_head = (c->q_head + 1) % PG_DHCP6_OUTQ;
	c->q_len--;
	return true;
}

static struct pg_dhcp6_out *event(struct pg_dhcp6 *c, enum pg_dhcp6_event ev)
{
	struct pg_dhcp6_out *o = push(c);

	o->kind = PG_DHCP6_OUT_EVENT;
	o->event = ev;
	return o;
}

/* ---- retransmission (RFC 8415 section 15) ---------------------------------------- */

/* RAND*x with RAND uniform in [-0.1, 0.1], or in (0, 0.1] when positive. */
static int64_t rand_part(struct pg_dhcp6 *c, uint32_t x, bool positive)
{
	uint32_t r = c->conf.rand(c->conf.rand_ctx);

	if (positive)
		return (int64_t)x * (int64_t)(r % 1000 + 1) / 10000;
	return (int64_t)x * ((int64_t)(r % 2001) - 1000) / 10000;
}

static void rt_first(struct pg_dhcp6 *c, uint32_t irt, bool positive)
{
	c->rt_ms = (uint32_t)((int64_t)irt + rand_part(c, irt, positive));
}

static void rt_next(struct pg_dhcp6 *c, uint32_t mrt)
{
	uint64_t rt = 2 * (uint64_t)c->rt_ms + (uint64_t)rand_part(c, c->rt_ms, false);

	if (mrt && rt > mrt)
		rt = (uint64_t)((int64_t)mrt + rand_part(c, mrt, false));
	c->rt_ms = (uint32_t)rt;
}

/* ---- sending ---------------------------------------------------------------------- */

static void new_exchange(struct pg_dhcp6 *c, enum pg_dhcp6_state s, uint64_t now)
{
	c->state = s;
	c->xid = c->conf.rand(c->conf.rand_ctx) & 0xffffff;
	c->xid_start = now;
	c->tries = 0;
}

static void send_msg(struct pg_dhcp6 *c, uint64_t now, uint8_t type)
{
	struct pg_dhcp6_msg m;
	struct pg_dhcp6_out *o;
	uint64_t elapsed = (now - c->xid_start) / 10;
	const struct pg_dhcp6_lease *l = c->have_lease ? &c->lease : NULL;
	size_t n;

	memset(&m, 0, sizeof(m));
	m.type = type;
	m.xid = c->xid;
	m.client_id_len = c->duid_len;
	memcpy(m.client_id, c->duid, c->duid_len);
	m.has_elapsed = true;
	m.elapsed_cs = (uint16_t)(elapsed > 0xffff ? 0xffff : elapsed);
	m.oro = type != PG_DHCP6_RELEASE;
	m.has_ia_pd = true;
	m.iaid = c->conf.iaid;
	if (type == PG_DHCP6_REQUEST)
		l = &c->best;
	if (l && (type == PG_DHCP6_REQUEST || type == PG_DHCP6_RENEW || type == PG_DHCP6_RELEASE)) {
		m.server_id_len = l->server_id_len;
		memcpy(m.server_id, l->server_id, l->server_id_len);
	}
	if (type == PG_DHCP6_SOLICIT) {
		/* A hint: the prefix held last (kept in best), or only a length. */
		if (c->best.len) {
			memcpy(m.prefixes[0].addr, c->best.prefix, 16);
			m.prefixes[0].len = c->best.len;
			m.n_prefixes = 1;
		} else if (c->conf.hint_len) {
			m.prefixes[0].len = c->conf.hint_len;
			m.n_prefixes = 1;
		}
	} else if (l && l->len) {
		/* The prefix asked for or held; lifetimes 0: the server chooses. */
		memcpy(m.prefixes[0].addr, l->prefix, 16);
		m.prefixes[0].len = l->len;
		m.n_prefixes = 1;
	}
	o = push(c);
	o->kind = PG_DHCP6_OUT_PACKET;
	o->type = type;
	n = pg_dhcp6_msg_build(&m, o->msg, sizeof(o->msg));
	o->len = (uint16_t)n;
	c->stats.tx[type]++;
	c->tries++;
	c->last_tx = now;
	if (!c->have_lease || c->state == PG_DHCP6_ST_REBINDING)
		c->acquire_tries++;
}

static uint8_t state_msg(enum pg_dhcp6_state s)
{
	switch (s) {
	case PG_DHCP6_ST_SOLICITING:
		return PG_DHCP6_SOLICIT;
	case PG_DHCP6_ST_REQUESTING:
		return PG_DHCP6_REQUEST;
	case PG_DHCP6_ST_RENEWING:
		return PG_DHCP6_RENEW;
	case PG_DHCP6_ST_REBINDING:
		return PG_DHCP6_REBIND;
	default:
		return PG_DHCP6_NONE;
	}
}

/* The deadline of the exchange: the wait for the next message never passes it. */
static uint64_t deadline(const struct pg_dhcp6 *c)
{
	if (c->state == PG_DHCP6_ST_RENEWING)
		return pg_dhcp6_lease_t2(&c->lease);
	if (c->have_lease && c->state != PG_DHCP6_ST_BOUND)
		return pg_dhcp6_lease_end(&c->lease);
	return PG_DHCP6_NO_TIMER;
}

static void arm(struct pg_dhcp6 *c, uint64_t now)
{
	uint64_t d = deadline(c);

	c->timer = now + c->rt_ms;
	if (d < c->timer)
		c->timer = d;
}

/* The first message of an exchange in state s, sent now. */
static void begin(struct pg_dhcp6 *c, enum pg_dhcp6_state s, uint64_t now)
{
	new_exchange(c, s, now);
	switch (s) {
	case PG_DHCP6_ST_SOLICITING:
		c->have_best = false;
		rt_first(c, PG_DHCP6_SOL_TIMEOUT_MS, true);
		break;
	case PG_DHCP6_ST_REQUESTING:
		rt_first(c, PG_DHCP6_REQ_TIMEOUT_MS, false);
		break;
	default:
		rt_first(c, PG_DHCP6_REN_TIMEOUT_MS, false); /* REB_TIMEOUT is the same */
		break;
	}
	send_msg(c, now, state_msg(s));
	arm(c, now);
}

/* SOLICIT after a random delay up to SOL_MAX_DELAY (RFC 8415 18.2.1). */
static void solicit_later(struct pg_dhcp6 *c, uint64_t now)
{
	uint32_t d = c->conf.start_delay_ms;

	new_exchange(c, PG_DHCP6_ST_SOLICITING, now);
	c->have_best = false;
	c->rt_ms = 0;
	c->timer = now + (d ? c->conf.rand(c->conf.rand_ctx) % (d + 1) : 0);
}

/* ---- the lease ----------------------------------------------------------------------- */

static void lose(struct pg_dhcp6 *c, uint64_t now, enum pg_dhcp6_lost why)
{
	struct pg_dhcp6_out *o;

	(void)now;
	if (!c->have_lease)
		return;
	o = event(c, PG_DHCP6_EV_LOST);
	o->lost = why;
	memcpy(o->old_prefix, c->lease.prefix, 16);
	o->old_len = c->lease.len;
	o->old_valid_end = why == PG_DHCP6_LOST_EXPIRED ? now : pg_dhcp6_lease_end(&c->lease);
	c->have_lease = false;
	c->stats.losses++;
	c->acquire_tries = 0;
	/* Asked for again first thing: the hint of the next SOLICIT. */
	c->best = c->lease;
}

/*
 * The prefix of a message to use: the first valid one no longer than /64
 * whose lifetimes make sense (RFC 8415 21.22: preferred > valid is ignored).
 */
static const struct pg_dhcp6_prefix *usable(const struct pg_dhcp6_msg *m)
{
	for (unsigned int i = 0; i < m->n_prefixes; i++) {
		const struct pg_dhcp6_prefix *p = &m->prefixes[i];

		if (p->valid_s && p->preferred_s <= p->valid_s && p->len >= 1 && p->len <= 64 &&
		    (!p->has_status || p->status == PG_DHCP6_ST_SUCCESS))
			return p;
	}
	return NULL;
}

/* Does the message give our current prefix a valid lifetime of 0? */
static bool withdraws(const struct pg_dhcp6 *c, const struct pg_dhcp6_msg *m)
{
	for (unsigned int i = 0; i < m->n_prefixes; i++)
		if (!m->prefixes[i].valid_s && m->prefixes[i].len == c->lease.len &&
		    !memcmp(m->prefixes[i].addr, c->lease.prefix, 16))
			return true;
	return false;
}

static void fill_lease(struct pg_dhcp6_lease *l, const struct pg_dhcp6_msg *m,
		       const struct pg_dhcp6_prefix *p, uint64_t start)
{
	memset(l, 0, sizeof(*l));
	memcpy(l->prefix, p->addr, 16);
	l->len = p->len;
	/* Bits past the length are not part of the prefix: zero them. */
	for (unsigned int b = p->len; b < 128; b++)
		l->prefix[b / 8] &= (uint8_t) ~(0x80 >> (b % 8));
	l->preferred_s = p->preferred_s;
	l->valid_s = p->valid_s;
	l->t1_s = m->t1_s;
	l->t2_s = m->t2_s;
	if (!l->t1_s || !l->t2_s) {
		/* The server leaves it to us: 0.5 and 0.8 of the preferred lifetime (21.21). */
		uint64_t pref = l->preferred_s == PG_DHCP6_INFINITE ? PG_DHCP6_INFINITE
								    : l->preferred_s;

		l->t1_s = pref == PG_DHCP6_INFINITE ? PG_DHCP6_INFINITE : (uint32_t)(pref / 2);
		l->t2_s = pref == PG_DHCP6_INFINITE ? PG_DHCP6_INFINITE
						     : (uint32_t)(pref * 4 / 5);
	}
	if (l->t1_s < PG_DHCP6_T1_MIN_S)
		l->t1_s = PG_DHCP6_T1_MIN_S;
	if (l->t2_s < l->t1_s)
		l->t2_s = l->t1_s;
	l->start_ms = start;
	l->server_id_len = m->server_id_len;
	memcpy(l->server_id, m->server_id, m->server_id_len);
	l->n_dns = m->n_dns;
	memcpy(l->dns, m->dns, sizeof(l->dns));
}

static void bind(struct pg_dhcp6 *c, uint64_t now, const struct pg_dhcp6_msg *m,
		 const struct pg_dhcp6_prefix *p)
{
	struct pg_dhcp6_lease l;
	struct pg_dhcp6_out *o;
	bool same;

	fill_lease(&l, m, p, c->xid_start);
	same = c->have_lease && l.len == c->lease.len && !memcmp(l.prefix, c->lease.prefix, 16);
	if (same) {
		event(c, PG_DHCP6_EV_RENEWED);
		c->stats.renewals++;
	} else {
		o = event(c, PG_DHCP6_EV_BOUND);
		c->stats.leases++;
		if (c->have_lease) {
			memcpy(o->old_prefix, c->lease.prefix, 16);
			o->old_len = c->lease.len;
			/* Withdrawn by the server: gone now; else valid as long as it said. */
			o->old_valid_end = withdraws(c, m) ? now : pg_dhcp6_lease_end(&c->lease);
			c->stats.prefix_changes++;
		}
	}
	c->lease = l;
	c->have_lease = true;
	c->have_best = false;
	c->bound_at = now;
	c->acquire_tries = 0;
	c->state = PG_DHCP6_ST_BOUND;
	c->timer = pg_dhcp6_lease_t1(&l);
	if (pg_dhcp6_lease_end(&l) < c->timer)
		c->timer = pg_dhcp6_lease_end(&l);
}

/* ---- receiving ------------------------------------------------------------------------ */

static enum pg_dhcp6_drop drop(struct pg_dhcp6 *c, enum pg_dhcp6_drop r)
{
	c->stats.drops[r]++;
	return r;
}

static enum pg_dhcp6_drop advertise(struct pg_dhcp6 *c, uint64_t now, const struct pg_dhcp6_msg *m)
{
	const struct pg_dhcp6_prefix *p;
	uint8_t pref = m->has_pref ? m->pref : 0;

	if (c->state != PG_DHCP6_ST_SOLICITING || !c->tries)
		return drop(c, PG_DHCP6_DROP_UNEXPECTED);
	if (m->has_sol_max_rt && m->sol_max_rt_s >= PG_DHCP6_SOL_MAX_RT_MIN_S &&
	    m->sol_max_rt_s <= PG_DHCP6_SOL_MAX_RT_MAX_S)
		c->sol_max_rt_ms = m->sol_max_rt_s * 1000;
	p = usable(m);
	if ((m->has_status && m->status != PG_DHCP6_ST_SUCCESS) || !m->has_ia_pd ||
	    (m->has_ia_status && m->ia_status != PG_DHCP6_ST_SUCCESS) || !p)
		return drop(c, PG_DHCP6_DROP_NO_PREFIX);
	c->stats.rx[PG_DHCP6_ADVERTISE]++;
	if (!c->have_best || pref > c->best_pref) {
		fill_lease(&c->best, m, p, now);
		c->best_pref = pref;
		c->have_best = true;
	}
	/* 255 at once; after the first period, the first one (RFC 8415 18.2.1). */
	if (pref == 255 || c->tries > 1)
		begin(c, PG_DHCP6_ST_REQUESTING, now);
	return PG_DHCP6_OK;
}

static enum pg_dhcp6_drop reply(struct pg_dhcp6 *c, uint64_t now, const struct pg_dhcp6_msg *m)
{
	const struct pg_dhcp6_lease *asked = c->state == PG_DHCP6_ST_REQUESTING ? &c->best
										: &c->lease;
	const struct pg_dhcp6_prefix *p;

	if (c->state != PG_DHCP6_ST_REQUESTING && c->state != PG_DHCP6_ST_RENEWING &&
	    c->state != PG_DHCP6_ST_REBINDING)
		return drop(c, PG_DHCP6_DROP_UNEXPECTED);
	/* REQUEST and RENEW named a server: only it answers. REBIND asks anyone. */
	if (c->state != PG_DHCP6_ST_REBINDING &&
	    (m->server_id_len != asked->server_id_len ||
	     memcmp(m->server_id, asked->server_id, m->server_id_len)))
		return drop(c, PG_DHCP6_DROP_WRONG_SERVER);
	c->stats.rx[PG_DHCP6_REPLY]++;
	if (m->has_status && m->status != PG_DHCP6_ST_SUCCESS) {
		c->stats.status_errors++;
		/* NotOnLink: that server's answer does not fit this link; look again. */
		if (c->state == PG_DHCP6_ST_REQUESTING)
			begin(c, PG_DHCP6_ST_SOLICITING, now);
		return PG_DHCP6_OK; /* else keep retransmitting until the deadline */
	}
	if (!m->has_ia_pd || (m->has_ia_status && m->ia_status != PG_DHCP6_ST_SUCCESS)) {
		c->stats.status_errors++;
		if (m->has_ia_pd && m->ia_status == PG_DHCP6_ST_NO_BINDING &&
		    c->state != PG_DHCP6_ST_REQUESTING) {
			/* 18.2.10.1: the server forgot us; ask for it again, keep using it. */
			c->best = c->lease;
			c->best.server_id_len = m->server_id_len;
			memcpy(c->best.server_id, m->server_id, m->server_id_len);
			begin(c, PG_DHCP6_ST_REQUESTING, now);
		} else if (c->state == PG_DHCP6_ST_REQUESTING) {
			begin(c, PG_DHCP6_ST_SOLICITING, now);
		}
		return PG_DHCP6_OK;
	}
	p = usable(m);
	if (p) {
		bind(c, now, m, p);
		return PG_DHCP6_OK;
	}
	if (c->have_lease && withdraws(c, m)) {
		lose(c, now, PG_DHCP6_LOST_WITHDRAWN);
		begin(c, PG_DHCP6_ST_SOLICITING, now);
		return PG_DHCP6_OK;
	}
	/* An IA with nothing usable in it: as a refusal. */
	c->stats.status_errors++;
	if (c->state == PG_DHCP6_ST_REQUESTING)
		begin(c, PG_DHCP6_ST_SOLICITING, now);
	return PG_DHCP6_OK;
}

enum pg_dhcp6_drop pg_dhcp6_input(struct pg_dhcp6 *c, uint64_t now, const uint8_t *buf, size_t len)
{
	struct pg_dhcp6_msg m;
	enum pg_dhcp6_drop r = pg_dhcp6_msg_parse(buf, len, &m);

	if (r != PG_DHCP6_OK)
		return drop(c, r);
	if (m.type != PG_DHCP6_ADVERTISE && m.type != PG_DHCP6_REPLY)
		return drop(c, PG_DHCP6_DROP_NOT_FOR_CLIENT); /* RECONFIGURE needs auth we lack */
	if (c->state == PG_DHCP6_ST_STOPPED || c->state == PG_DHCP6_ST_BOUND)
		return drop(c, PG_DHCP6_DROP_UNEXPECTED);
	if (m.xid != c->xid)
		return drop(c, PG_DHCP6_DROP_WRONG_XID);
	/* RFC 8415 16.3, 16.10: our client id, and a server id, or discard. */
	if (m.client_id_len != c->duid_len || memcmp(m.client_id, c->duid, c->duid_len))
		return drop(c, PG_DHCP6_DROP_WRONG_CLIENT);
	if (!m.server_id_len)
		return drop(c, PG_DHCP6_DROP_NO_SERVER_ID);
	if (m.type == PG_DHCP6_ADVERTISE)
		return advertise(c, now, &m);
	return reply(c, now, &m);
}

/* ---- time -------------------------------------------------------------------------------- */

void pg_dhcp6_tick(struct pg_dhcp6 *c, uint64_t now)
{
	if (c->timer == PG_DHCP6_NO_TIMER || now < c->timer)
		return;
	if (c->have_lease && now >= pg_dhcp6_lease_end(&c->lease)) {
		lose(c, now, PG_DHCP6_LOST_EXPIRED);
		begin(c, PG_DHCP6_ST_SOLICITING, now);
		return;
	}
	switch (c->state) {
	case PG_DHCP6_ST_SOLICITING:
		if (!c->tries) {
			begin(c, PG_DHCP6_ST_SOLICITING, now); /* the random start delay is over */
			return;
		}
		if (c->have_best) {
			begin(c, PG_DHCP6_ST_REQUESTING, now);
			return;
		}
		rt_next(c, c->sol_max_rt_ms);
		send_msg(c, now, PG_DHCP6_SOLICIT);
		arm(c, now);
		return;
	case PG_DHCP6_ST_REQUESTING:
		if (c->tries >= PG_DHCP6_REQ_MAX_RC) {
			begin(c, PG_DHCP6_ST_SOLICITING, now);
			return;
		}
		rt_next(c, PG_DHCP6_REQ_MAX_RT_MS);
		send_msg(c, now, PG_DHCP6_REQUEST);
		arm(c, now);
		return;
	case PG_DHCP6_ST_BOUND:
		begin(c, now >= pg_dhcp6_lease_t2(&c->lease) ? PG_DHCP6_ST_REBINDING
							     : PG_DHCP6_ST_RENEWING,
		      now);
		return;
	case PG_DHCP6_ST_RENEWING:
		if (now >= pg_dhcp6_lease_t2(&c->lease)) {
			begin(c, PG_DHCP6_ST_REBINDING, now);
			return;
		}
		rt_next(c, PG_DHCP6_REN_MAX_RT_MS);
		send_msg(c, now, PG_DHCP6_RENEW);
		arm(c, now);
		return;
	case PG_DHCP6_ST_REBINDING:
		rt_next(c, PG_DHCP6_REB_MAX_RT_MS);
		send_msg(c, now, PG_DHCP6_REBIND);
		arm(c, now);
		return;
	default:
		c->timer = PG_DHCP6_NO_TIMER;
		return;
	}
}

uint64_t pg_dhcp6_next(const struct pg_dhcp6 *c)
{
	return c->timer;
}

/* ---- control -------------------------------------------------------------------------------- */

void pg_dhcp6_conf_default(struct pg_dhcp6_conf *conf, const uint8_t mac[6])
{
	memset(conf, 0, sizeof(*conf));
	memcpy(conf->mac, mac, 6);
	conf->iaid = 1;
	conf->start_delay_ms = PG_DHCP6_SOL_MAX_DELAY_MS;
}

void pg_dhcp6_init(struct pg_dhcp6 *c, const struct pg_dhcp6_conf *conf)
{
	struct pg_dhcp6_conf keep = *conf; /* conf may live in c (a restart) */
	uint8_t *d;

	memset(c, 0, sizeof(*c));
	c->conf = keep;
	conf = &keep;
	c->state = PG_DHCP6_ST_STOPPED;
	c->timer = PG_DHCP6_NO_TIMER;
	c->sol_max_rt_ms = PG_DHCP6_SOL_MAX_RT_MS;
	/* DUID-LLT (type 1) or DUID-LL (type 3), hardware type 1 (RFC 8415 11.2, 11.4). */
	d = c->duid;
	d[0] = 0;
	d[1] = conf->duid_time ? 1 : 3;
	d[2] = 0;
	d[3] = 1;
	c->duid_len = 4;
	if (conf->duid_time) {
		d[4] = (uint8_t)(conf->duid_time >> 24);
		d[5] = (uint8_t)(conf->duid_time >> 16);
		d[6] = (uint8_t)(conf->duid_time >> 8);
		d[7] = (uint8_t)conf->duid_time;
		c->duid_len = 8;
	}
	memcpy(d + c->duid_len, conf->mac, 6);
	c->duid_len += 6;
}

void pg_dhcp6_start(struct pg_dhcp6 *c, uint64_t now, const struct pg_dhcp6_lease *saved)
{
	memset(&c->best, 0, sizeof(c->best));
	c->have_lease = false;
	if (saved && saved->len && now < pg_dhcp6_lease_end(saved)) {
		c->lease = *saved;
		c->have_lease = true;
		c->bound_at = now;
		event(c, PG_DHCP6_EV_BOUND);
		c->stats.leases++;
		begin(c, PG_DHCP6_ST_REBINDING, now);
		return;
	}
	if (saved && saved->len)
		c->best = *saved; /* expired: its prefix is still the hint */
	solicit_later(c, now);
}

void pg_dhcp6_renew(struct pg_dhcp6 *c, uint64_t now)
{
	if (c->have_lease) {
		begin(c, PG_DHCP6_ST_RENEWING, now);
		return;
	}
	if (c->state == PG_DHCP6_ST_STOPPED || c->state == PG_DHCP6_ST_SOLICITING)
		begin(c, PG_DHCP6_ST_SOLICITING, now);
}

void pg_dhcp6_release(struct pg_dhcp6 *c, uint64_t now)
{
	if (c->have_lease) {
		new_exchange(c, PG_DHCP6_ST_STOPPED, now);
		send_msg(c, now, PG_DHCP6_RELEASE);
		lose(c, now, PG_DHCP6_LOST_RELEASED);
	}
	c->state = PG_DHCP6_ST_STOPPED;
	c->timer = PG_DHCP6_NO_TIMER;
}

const struct pg_dhcp6_lease *pg_dhcp6_current(const struct pg_dhcp6 *c)
{
	return c->have_lease ? &c->lease : NULL;
}
