/* SPDX-License-Identifier: MIT */
/*
 * dhcp_msg.c - reading and writing DHCP messages (RFC 2131, RFC 2132,
 * option overload, RFC 3396 long options for the address lists).
 *
 * Every byte read is checked against the field it belongs to first: the
 * options area, or the file and sname fields when option 52 lends them to
 * options. A message that lies about a length is refused with the reason
 * named, never read past.
 */
#include <string.h>

#include "util/wire.h"
#include "wan/dhcp_msg.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* clang-format off */
static const char *const drop_names[] = {
	[PG_DHCP_OK] = "ok",
#define PG_DHCP_DROP_NAME(id, name) [PG_DHCP_DROP_##id] = name,
	PG_DHCP_DROPS(PG_DHCP_DROP_NAME)
#undef PG_DHCP_DROP_NAME
};
/* clang-format on */
_Static_assert(ARRAY_SIZE(drop_names) == PG_DHCP_DROP__COUNT, "one name per drop reason");

static const char *const type_names[] = {
	[PG_DHCP_NONE] = "?",	       [PG_DHCP_DISCOVER] = "DISCOVER", [PG_DHCP_OFFER] = "OFFER",
	[PG_DHCP_REQUEST] = "REQUEST", [PG_DHCP_DECLINE] = "DECLINE",	[PG_DHCP_ACK] = "ACK",
	[PG_DHCP_NAK] = "NAK",	       [PG_DHCP_RELEASE] = "RELEASE",	[PG_DHCP_INFORM] = "INFORM",
};
_Static_assert(ARRAY_SIZE(type_names) == PG_DHCP_TYPE__MAX + 1, "one name per message type");

const char *pg_dhcp_drop_name(enum pg_dhcp_drop r)
{
	if ((unsigned int)r >= PG_DHCP_DROP__COUNT)
		return "?";
	return drop_names[r];
}

const char *pg_dhcp_type_name(unsigned int type)
{
	if (type > PG_DHCP_TYPE__MAX)
		return "?";
	return type_names[type];
}

/*
 * Address lists may be split over several instances of their option, at any
 * byte (RFC 3396): gather the bytes, cut them into addresses at the end.
 */
struct addr_list {
	uint32_t total; /* bytes seen over all instances */
	uint8_t raw[4 * PG_DHCP_MAX_DNS];
};

_Static_assert(PG_DHCP_MAX_DNS == PG_DHCP_MAX_ROUTERS, "one list size for both lists");

struct parse_state {
	struct pg_dhcp_msg *m;
	uint8_t seen[32]; /* fixed-size options met so far, a bit per code */
	struct addr_list routers, dns;
	bool in_options; /* walking the options field (not file or sname) */
};

static bool seen_once(struct parse_state *ps, uint8_t code)
{
	uint8_t bit = (uint8_t)(1u << (code & 7));
	bool first = !(ps->seen[code >> 3] & bit);

	ps->seen[code >> 3] |= bit;
	return first;
}

static void list_add(struct addr_list *l, const uint8_t *v, uint8_t n)
{
	for (uint8_t i = 0; i < n; i++, l->total++)
		if (l->total < sizeof(l->raw))
			l->raw[l->total] = v[i];
}

static enum pg_dhcp_drop list_done(const struct addr_list *l, uint32_t *out, uint8_t *n)
{
	uint32_t i;

	if (!l->total)
		return PG_DHCP_OK;
	/* A list of addresses whose length is not a multiple of four lies. */
	if (l->total % 4)
		return PG_DHCP_DROP_OPT_LEN;
	for (i = 0; i < l->total / 4 && i < sizeof(l->raw) / 4; i++) {
		uint32_t a;

		memcpy(&a, l->raw + 4 * i, 4);
		out[i] = a;
	}
	*n = (uint8_t)i;
	return PG_DHCP_OK;
}

/* One option's value, already known to lie inside its field. */
static enum pg_dhcp_drop one_option(struct parse_state *ps, uint8_t code, const uint8_t *v,
				    uint8_t len)
{
	struct pg_dhcp_msg *m = ps->m;
	uint32_t *addr = NULL;
	uint32_t *num = NULL;
	bool *has = NULL;

	switch (code) {
	case PG_DHCP_OPT_MSG_TYPE:
		if (len != 1 || !seen_once(ps, code))
			return PG_DHCP_DROP_OPT_LEN;
		if (v[0] < PG_DHCP_DISCOVER || v[0] > PG_DHCP_TYPE__MAX)
			return PG_DHCP_DROP_BAD_TYPE;
		m->type = v[0];
		return PG_DHCP_OK;
	case PG_DHCP_OPT_OVERLOAD:
		/* Only the options field may lend the others (RFC 2132 9.3). */
		if (!ps->in_options || len != 1 || !seen_once(ps, code) || v[0] < 1 || v[0] > 3)
			return PG_DHCP_DROP_OVERLOAD;
		m->overload = v[0];
		return PG_DHCP_OK;
	case PG_DHCP_OPT_SUBNET_MASK:
		addr = &m->mask;
		has = &m->has_mask;
		break;
	case PG_DHCP_OPT_SERVER_ID:
		addr = &m->server_id;
		has = &m->has_server_id;
		break;
	case PG_DHCP_OPT_REQUESTED_ADDR:
		addr = &m->requested;
		has = &m->has_requested;
		break;
	case PG_DHCP_OPT_LEASE_TIME:
		num = &m->lease_s;
		has = &m->has_lease;
		break;
	case PG_DHCP_OPT_T1:
		num = &m->t1_s;
		has = &m->has_t1;
		break;
	case PG_DHCP_OPT_T2:
		num = &m->t2_s;
		has = &m->has_t2;
		break;
	case PG_DHCP_OPT_ROUTER:
		list_add(&ps->routers, v, len);
		return PG_DHCP_OK;
	case PG_DHCP_OPT_DNS:
		list_add(&ps->dns, v, len);
		return PG_DHCP_OK;
	case PG_DHCP_OPT_CLIENT_ID:
		if (!m->client_id_len) {
			m->client_id_len =
			    len < PG_DHCP_MAX_CLIENT_ID ? len : PG_DHCP_MAX_CLIENT_ID;
			memcpy(m->client_id, v, m->client_id_len);
		}
		return PG_DHCP_OK;
	case PG_DHCP_OPT_HOSTNAME:
		if (!m->hostname_len) {
			m->hostname_len = len < PG_DHCP_MAX_HOSTNAME ? len : PG_DHCP_MAX_HOSTNAME;
			memcpy(m->hostname, v, m->hostname_len);
			m->hostname[m->hostname_len] = '\0';
		}
		return PG_DHCP_OK;
	case PG_DHCP_OPT_PARAM_LIST:
		for (uint8_t i = 0; i < len && m->n_params < PG_DHCP_MAX_PARAMS; i++)
			m->params[m->n_params++] = v[i];
		return PG_DHCP_OK;
	default:
		return PG_DHCP_OK; /* not ours to understand */
	}
	/* The fixed four-byte options: a second copy would be a split one. */
	if (len != 4 || !seen_once(ps, code))
		return PG_DHCP_DROP_OPT_LEN;
	*has = true;
	if (addr)
		memcpy(addr, v, 4);
	else
		*num = pg_be32(v);
	return PG_DHCP_OK;
}

/* Walk one field of options, [p, p + len). */
static enum pg_dhcp_drop walk(struct parse_state *ps, const uint8_t *p, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint8_t code = p[i];
		uint8_t olen;
		enum pg_dhcp_drop r;

		if (code == PG_DHCP_OPT_PAD) {
			i++;
			continue;
		}
		if (code == PG_DHCP_OPT_END)
			return PG_DHCP_OK;
		/* The length byte and the value must both be inside the field. */
		if (len - i < 2)
			return PG_DHCP_DROP_OPT_TRUNCATED;
		olen = p[i + 1];
		if (len - i - 2 < olen)
			return PG_DHCP_DROP_OPT_TRUNCATED;
		r = one_option(ps, code, p + i + 2, olen);
		if (r != PG_DHCP_OK)
			return r;
		i += 2 + (size_t)olen;
	}
	/* Every options field ends with the end option (RFC 2131 4.1). */
	return PG_DHCP_DROP_NO_END;
}

enum pg_dhcp_drop pg_dhcp_msg_parse(const uint8_t *buf, size_t len, struct pg_dhcp_msg *m)
{
	struct parse_state ps;
	enum pg_dhcp_drop r;

	memset(m, 0, sizeof(*m));
	memset(&ps, 0, sizeof(ps));
	ps.m = m;
	if (len < PG_DHCP_OFF_OPTIONS)
		return PG_DHCP_DROP_SHORT;
	if (buf[PG_DHCP_OFF_HTYPE] != 1 || buf[PG_DHCP_OFF_HLEN] != 6)
		return PG_DHCP_DROP_BAD_HW;
	if (pg_be32(buf + PG_DHCP_OFF_COOKIE) != PG_DHCP_COOKIE)
		return PG_DHCP_DROP_BAD_COOKIE;
	m->op = buf[PG_DHCP_OFF_OP];
	m->xid = pg_be32(buf + PG_DHCP_OFF_XID);
	m->secs = (uint16_t)(buf[PG_DHCP_OFF_SECS] << 8 | buf[PG_DHCP_OFF_SECS + 1]);
	m->flags = (uint16_t)(buf[PG_DHCP_OFF_FLAGS] << 8 | buf[PG_DHCP_OFF_FLAGS + 1]);
	memcpy(&m->ciaddr, buf + PG_DHCP_OFF_CIADDR, 4);
	memcpy(&m->yiaddr, buf + PG_DHCP_OFF_YIADDR, 4);
	memcpy(&m->siaddr, buf + PG_DHCP_OFF_SIADDR, 4);
	memcpy(&m->giaddr, buf + PG_DHCP_OFF_GIADDR, 4);
	memcpy(m->chaddr, buf + PG_DHCP_OFF_CHADDR, 6);

	ps.in_options = true;
	r = walk(&ps, buf + PG_DHCP_OFF_OPTIONS, len - PG_DHCP_OFF_OPTIONS);
	if (r != PG_DHCP_OK)
		return r;
	ps.in_options = false;
	/* Overloaded fields are read after the options field: file, then sname. */
	if (m->overload & 1) {
		r = walk(&ps, buf + PG_DHCP_OFF_FILE, PG_DHCP_FILE_LEN);
		if (r != PG_DHCP_OK)
			return r;
	}
	if (m->overload & 2) {
		r = walk(&ps, buf + PG_DHCP_OFF_SNAME, PG_DHCP_SNAME_LEN);
		if (r != PG_DHCP_OK)
			return r;
	}
	r = list_done(&ps.routers, m->routers, &m->n_routers);
	if (r == PG_DHCP_OK)
		r = list_done(&ps.dns, m->dns, &m->n_dns);
	if (r != PG_DHCP_OK)
		return r;
	if (m->type == PG_DHCP_NONE)
		return PG_DHCP_DROP_NO_TYPE;
	return PG_DHCP_OK;
}

/* The writer: each option checked against the room left for it and END. */
struct writer {
	uint8_t *buf;
	size_t cap, n;
	bool full;
};

static void opt(struct writer *w, uint8_t code, const void *v, size_t len)
{
	/* Leave one byte for the end option. */
	if (w->full || len > 255 || w->cap - w->n < 2 + len + 1) {
		w->full = true;
		return;
	}
	w->buf[w->n++] = code;
	w->buf[w->n++] = (uint8_t)len;
	memcpy(w->buf + w->n, v, len);
	w->n += len;
}

static void opt32(struct writer *w, uint8_t code, uint32_t host)
{
	uint8_t v[4];

	pg_put_be32(v, host);
	opt(w, code, v, 4);
}

size_t pg_dhcp_msg_build(const struct pg_dhcp_msg *m, uint8_t *buf, size_t cap)
{
	struct writer w = { .buf = buf, .cap = cap };
	uint8_t t = m->type;

	if (cap < PG_DHCP_MIN_LEN)
		return 0;
	memset(buf, 0, PG_DHCP_OFF_OPTIONS);
	buf[PG_DHCP_OFF_OP] = m->op;
	buf[PG_DHCP_OFF_HTYPE] = 1;
	buf[PG_DHCP_OFF_HLEN] = 6;
	pg_put_be32(buf + PG_DHCP_OFF_XID, m->xid);
	buf[PG_DHCP_OFF_SECS] = (uint8_t)(m->secs >> 8);
	buf[PG_DHCP_OFF_SECS + 1] = (uint8_t)m->secs;
	buf[PG_DHCP_OFF_FLAGS] = (uint8_t)(m->flags >> 8);
	buf[PG_DHCP_OFF_FLAGS + 1] = (uint8_t)m->flags;
	memcpy(buf + PG_DHCP_OFF_CIADDR, &m->ciaddr, 4);
	memcpy(buf + PG_DHCP_OFF_YIADDR, &m->yiaddr, 4);
	memcpy(buf + PG_DHCP_OFF_SIADDR, &m->siaddr, 4);
	memcpy(buf + PG_DHCP_OFF_GIADDR, &m->giaddr, 4);
	memcpy(buf + PG_DHCP_OFF_CHADDR, m->chaddr, 6);
	pg_put_be32(buf + PG_DHCP_OFF_COOKIE, PG_DHCP_COOKIE);
	w.n = PG_DHCP_OFF_OPTIONS;

	opt(&w, PG_DHCP_OPT_MSG_TYPE, &t, 1);
	if (m->client_id_len)
		opt(&w, PG_DHCP_OPT_CLIENT_ID, m->client_id, m->client_id_len);
	if (m->has_requested)
		opt(&w, PG_DHCP_OPT_REQUESTED_ADDR, &m->requested, 4);
	if (m->has_server_id)
		opt(&w, PG_DHCP_OPT_SERVER_ID, &m->server_id, 4);
	if (m->hostname_len)
		opt(&w, PG_DHCP_OPT_HOSTNAME, m->hostname, m->hostname_len);
	if (m->n_params)
		opt(&w, PG_DHCP_OPT_PARAM_LIST, m->params, m->n_params);
	if (m->has_lease)
		opt32(&w, PG_DHCP_OPT_LEASE_TIME, m->lease_s);
	if (m->has_t1)
		opt32(&w, PG_DHCP_OPT_T1, m->t1_s);
	if (m->has_t2)
		opt32(&w, PG_DHCP_OPT_T2, m->t2_s);
	if (m->has_mask)
		opt(&w, PG_DHCP_OPT_SUBNET_MASK, &m->mask, 4);
	if (m->n_routers)
		opt(&w, PG_DHCP_OPT_ROUTER, m->routers,
		    4 * (size_t)(m->n_routers < PG_DHCP_MAX_ROUTERS ? m->n_routers
								    : PG_DHCP_MAX_ROUTERS));
	if (m->n_dns)
		opt(&w, PG_DHCP_OPT_DNS, m->dns,
		    4 * (size_t)(m->n_dns < PG_DHCP_MAX_DNS ? m->n_dns : PG_DHCP_MAX_DNS));
	if (w.full)
		return 0;
	buf[w.n++] = PG_DHCP_OPT_END;
	if (w.n < PG_DHCP_MIN_LEN) {
		memset(buf + w.n, 0, PG_DHCP_MIN_LEN - w.n);
		w.n = PG_DHCP_MIN_LEN;
	}
	return w.n;
}
