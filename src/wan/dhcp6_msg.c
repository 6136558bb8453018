/* SPDX-License-Identifier: MIT */
/*
 * dhcp6_msg.c - read and write DHCPv6 messages (dhcp6_msg.h).
 *
 * Options are TLVs (code 16 bits, length 16 bits) and nest: an IA_PD holds
 * IAPREFIX and status options, an IAPREFIX a status option. One walker
 * serves every level: it hands each option's body to the level's handler
 * only after checking the body lies inside the container, so a handler
 * checks its fixed part against the option's own length and nothing else.
 */
#include <string.h>

#include "util/wire.h"
#include "wan/dhcp6_msg.h"

static const char *const type_names[] = {
	[PG_DHCP6_NONE] = "?",		  [PG_DHCP6_SOLICIT] = "SOLICIT",
	[PG_DHCP6_ADVERTISE] = "ADVERTISE", [PG_DHCP6_REQUEST] = "REQUEST",
	[PG_DHCP6_CONFIRM] = "CONFIRM",	  [PG_DHCP6_RENEW] = "RENEW",
	[PG_DHCP6_REBIND] = "REBIND",	  [PG_DHCP6_REPLY] = "REPLY",
	[PG_DHCP6_RELEASE] = "RELEASE",	  [PG_DHCP6_DECLINE] = "DECLINE",
	[PG_DHCP6_RECONFIGURE] = "RECONFIGURE", [PG_DHCP6_INFO_REQUEST] = "INFORMATION-REQUEST",
};
_Static_assert(sizeof(type_names) / sizeof(type_names[0]) == PG_DHCP6_TYPE__MAX + 1,
	       "a name for every DHCPv6 message type");

static const char *const drop_names[] = {
	[PG_DHCP6_OK] = "ok",
#define PG_DHCP6_DROP_NAME(id, name) [PG_DHCP6_DROP_##id] = name,
	PG_DHCP6_DROPS(PG_DHCP6_DROP_NAME)
#undef PG_DHCP6_DROP_NAME
};
_Static_assert(sizeof(drop_names) / sizeof(drop_names[0]) == PG_DHCP6_DROP__COUNT,
	       "a name for every DHCPv6 drop reason");

const char *pg_dhcp6_type_name(unsigned int type)
{
	return type <= PG_DHCP6_TYPE__MAX ? type_names[type] : "?";
}

const char *pg_dhcp6_drop_name(enum pg_dhcp6_drop r)
{
	return (unsigned int)r < PG_DHCP6_DROP__COUNT ? drop_names[r] : "?";
}

/* ---- reading ------------------------------------------------------------- */

typedef enum pg_dhcp6_drop (*opt_fn)(struct pg_dhcp6_msg *m, void *ctx, uint16_t code,
				     const uint8_t *body, size_t len);

/* Walk the options in [p, p + len): each must fit wholly inside. */
static enum pg_dhcp6_drop walk(const uint8_t *p, size_t len, opt_fn fn, struct pg_dhcp6_msg *m,
			       void *ctx)
{
	while (len) {
		size_t olen;
		enum pg_dhcp6_drop r;

		if (len < 4)
			return PG_DHCP6_DROP_OPT_TRUNCATED; /* a header cut short */
		olen = pg_be16(p + 2);
		if (olen > len - 4)
			return PG_DHCP6_DROP_OPT_TRUNCATED; /* a body claiming more than is left */
		r = fn(m, ctx, pg_be16(p), p + 4, olen);
		if (r != PG_DHCP6_OK)
			return r;
		p += 4 + olen;
		len -= 4 + olen;
	}
	return PG_DHCP6_OK;
}

static enum pg_dhcp6_drop prefix_opt(struct pg_dhcp6_msg *m, void *ctx, uint16_t code,
				     const uint8_t *b, size_t len)
{
	struct pg_dhcp6_prefix *px = ctx;

	(void)m;
	if (code != PG_DHCP6_OPT_STATUS_CODE)
		return PG_DHCP6_OK;
	if (len < 2)
		return PG_DHCP6_DROP_OPT_LEN;
	if (px->has_status)
		return PG_DHCP6_DROP_DUPLICATE;
	px->has_status = true;
	px->status = pg_be16(b);
	return PG_DHCP6_OK;
}

static enum pg_dhcp6_drop ia_opt(struct pg_dhcp6_msg *m, void *ctx, uint16_t code,
				 const uint8_t *b, size_t len)
{
	struct pg_dhcp6_prefix px;
	enum pg_dhcp6_drop r;

	(void)ctx;
	if (code == PG_DHCP6_OPT_STATUS_CODE) {
		if (len < 2)
			return PG_DHCP6_DROP_OPT_LEN;
		if (m->has_ia_status)
			return PG_DHCP6_DROP_DUPLICATE;
		m->has_ia_status = true;
		m->ia_status = pg_be16(b);
		return PG_DHCP6_OK;
	}
	if (code != PG_DHCP6_OPT_IAPREFIX)
		return PG_DHCP6_OK;
	/* preferred (4), valid (4), prefix-length (1), prefix (16), options */
	if (len < 25)
		return PG_DHCP6_DROP_OPT_LEN;
	memset(&px, 0, sizeof(px));
	px.preferred_s = pg_be32(b);
	px.valid_s = pg_be32(b + 4);
	px.len = b[8];
	memcpy(px.addr, b + 9, 16);
	r = walk(b + 25, len - 25, prefix_opt, m, &px);
	if (r != PG_DHCP6_OK)
		return r;
	if (m->n_prefixes < PG_DHCP6_MAX_PREFIXES)
		m->prefixes[m->n_prefixes++] = px;
	return PG_DHCP6_OK;
}

static enum pg_dhcp6_drop id_opt(uint8_t *dst, uint8_t *dst_len, const uint8_t *b, size_t len)
{
	/* RFC 8415 11.1: a DUID is a type (2 bytes) and at most 128 bytes more. */
	if (len < 3 || len > PG_DHCP6_MAX_DUID)
		return PG_DHCP6_DROP_OPT_LEN;
	if (*dst_len)
		return PG_DHCP6_DROP_DUPLICATE;
	memcpy(dst, b, len);
	*dst_len = (uint8_t)len;
	return PG_DHCP6_OK;
}

static enum pg_dhcp6_drop top_opt(struct pg_dhcp6_msg *m, void *ctx, uint16_t code,
				  const uint8_t *b, size_t len)
{
	(void)ctx;
	switch (code) {
	case PG_DHCP6_OPT_CLIENTID:
		return id_opt(m->client_id, &m->client_id_len, b, len);
	case PG_DHCP6_OPT_SERVERID:
		return id_opt(m->server_id, &m->server_id_len, b, len);
	case PG_DHCP6_OPT_PREFERENCE:
		if (len != 1)
			return PG_DHCP6_DROP_OPT_LEN;
		if (m->has_pref)
			return PG_DHCP6_DROP_DUPLICATE;
		m->has_pref = true;
		m->pref = b[0];
		return PG_DHCP6_OK;
	case PG_DHCP6_OPT_ELAPSED_TIME:
		if (len != 2)
			return PG_DHCP6_DROP_OPT_LEN;
		m->has_elapsed = true;
		m->elapsed_cs = pg_be16(b);
		return PG_DHCP6_OK;
	case PG_DHCP6_OPT_STATUS_CODE:
		if (len < 2)
			return PG_DHCP6_DROP_OPT_LEN;
		if (m->has_status)
			return PG_DHCP6_DROP_DUPLICATE;
		m->has_status = true;
		m->status = pg_be16(b);
		return PG_DHCP6_OK;
	case PG_DHCP6_OPT_SOL_MAX_RT:
		if (len != 4)
			return PG_DHCP6_DROP_OPT_LEN;
		m->has_sol_max_rt = true;
		m->sol_max_rt_s = pg_be32(b);
		return PG_DHCP6_OK;
	case PG_DHCP6_OPT_DNS_SERVERS:
		if (len % 16)
			return PG_DHCP6_DROP_OPT_LEN;
		for (size_t i = 0; i < len / 16 && m->n_dns < PG_DHCP6_MAX_DNS; i++)
			memcpy(m->dns[m->n_dns++], b + 16 * i, 16);
		return PG_DHCP6_OK;
	case PG_DHCP6_OPT_IA_PD:
		/* IAID (4), T1 (4), T2 (4), options */
		if (len < 12)
			return PG_DHCP6_DROP_OPT_LEN;
		if (m->has_ia_pd)
			return PG_DHCP6_OK; /* we ask for one; a second is not ours to read */
		m->has_ia_pd = true;
		m->iaid = pg_be32(b);
		m->t1_s = pg_be32(b + 4);
		m->t2_s = pg_be32(b + 8);
		return walk(b + 12, len - 12, ia_opt, m, NULL);
	default:
		return PG_DHCP6_OK;
	}
}

enum pg_dhcp6_drop pg_dhcp6_msg_parse(const uint8_t *buf, size_t len, struct pg_dhcp6_msg *m)
{
	memset(m, 0, sizeof(*m));
	if (len < PG_DHCP6_HLEN)
		return PG_DHCP6_DROP_SHORT;
	m->type = buf[0];
	m->xid = (uint32_t)buf[1] << 16 | (uint32_t)buf[2] << 8 | buf[3];
	return walk(buf + PG_DHCP6_HLEN, len - PG_DHCP6_HLEN, top_opt, m, NULL);
}

/* ---- writing --------------------------------------------------------------- */

struct out {
	uint8_t *buf;
	size_t cap, n;
	bool full;
};

/* Start an option; returns where its body begins (for the length later), or NULL. */
static uint8_t *opt_begin(struct out *o, uint16_t code)
{
	uint8_t *h;

	if (o->full || o->cap - o->n < 4) {
		o->full = true;
		return NULL;
	}
	h = o->buf + o->n;
	pg_put_be16(h, code);
	pg_put_be16(h + 2, 0);
	o->n += 4;
	return h;
}

static void put_bytes(struct out *o, const void *p, size_t len)
{
	if (o->full || o->cap - o->n < len) {
		o->full = true;
		return;
	}
	memcpy(o->buf + o->n, p, len);
	o->n += len;
}

static void put_u16(struct out *o, uint32_t v)
{
	uint8_t b[2];

	pg_put_be16(b, v);
	put_bytes(o, b, 2);
}

static void put_u32(struct out *o, uint32_t v)
{
	uint8_t b[4];

	pg_put_be32(b, v);
	put_bytes(o, b, 4);
}

static void opt_end(struct out *o, uint8_t *h)
{
	if (h && !o->full)
		pg_put_be16(h + 2, (uint32_t)(o->buf + o->n - h - 4));
}

size_t pg_dhcp6_msg_build(const struct pg_dhcp6_msg *m, uint8_t *buf, size_t cap)
{
	struct out o = {.buf = buf, .cap = cap};
	uint8_t hdr[4] = {m->type, (uint8_t)(m->xid >> 16), (uint8_t)(m->xid >> 8),
			  (uint8_t)m->xid};
	uint8_t *h, *ia, *px;

	put_bytes(&o, hdr, sizeof(hdr));
	if (m->client_id_len) {
		h = opt_begin(&o, PG_DHCP6_OPT_CLIENTID);
		put_bytes(&o, m->client_id, m->client_id_len);
		opt_end(&o, h);
	}
	if (m->server_id_len) {
		h = opt_begin(&o, PG_DHCP6_OPT_SERVERID);
		put_bytes(&o, m->server_id, m->server_id_len);
		opt_end(&o, h);
	}
	if (m->has_elapsed) {
		h = opt_begin(&o, PG_DHCP6_OPT_ELAPSED_TIME);
		put_u16(&o, m->elapsed_cs);
		opt_end(&o, h);
	}
	if (m->has_pref) {
		h = opt_begin(&o, PG_DHCP6_OPT_PREFERENCE);
		put_bytes(&o, &m->pref, 1);
		opt_end(&o, h);
	}
	if (m->has_status) {
		h = opt_begin(&o, PG_DHCP6_OPT_STATUS_CODE);
		put_u16(&o, m->status);
		opt_end(&o, h);
	}
	if (m->n_dns) {
		h = opt_begin(&o, PG_DHCP6_OPT_DNS_SERVERS);
		for (unsigned int i = 0; i < m->n_dns && i < PG_DHCP6_MAX_DNS; i++)
			put_bytes(&o, m->dns[i], 16);
		opt_end(&o, h);
	}
	if (m->has_sol_max_rt) {
		h = opt_begin(&o, PG_DHCP6_OPT_SOL_MAX_RT);
		put_u32(&o, m->sol_max_rt_s);
		opt_end(&o, h);
	}
	if (m->oro) {
		h = opt_begin(&o, PG_DHCP6_OPT_ORO);
		put_u16(&o, PG_DHCP6_OPT_DNS_SERVERS);
		put_u16(&o, PG_DHCP6_OPT_SOL_MAX_RT);
		opt_end(&o, h);
	}
	if (m->has_ia_pd) {
		ia = opt_begin(&o, PG_DHCP6_OPT_IA_PD);
		put_u32(&o, m->iaid);
		put_u32(&o, m->t1_s);
		put_u32(&o, m->t2_s);
		if (m->has_ia_status) {
			h = opt_begin(&o, PG_DHCP6_OPT_STATUS_CODE);
			put_u16(&o, m->ia_status);
			opt_end(&o, h);
		}
		for (unsigned int i = 0; i < m->n_prefixes && i < PG_DHCP6_MAX_PREFIXES; i++) {
			const struct pg_dhcp6_prefix *p = &m->prefixes[i];

			px = opt_begin(&o, PG_DHCP6_OPT_IAPREFIX);
			put_u32(&o, p->preferred_s);
			put_u32(&o, p->valid_s);
			put_bytes(&o, &p->len, 1);
			put_bytes(&o, p->addr, 16);
			if (p->has_status) {
				h = opt_begin(&o, PG_DHCP6_OPT_STATUS_CODE);
				put_u16(&o, p->status);
				opt_end(&o, h);
			}
			opt_end(&o, px);
		}
		opt_end(&o, ia);
	}
	return o.full ? 0 : o.n;
}
