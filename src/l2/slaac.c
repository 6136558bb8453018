/* SPDX-License-Identifier: MIT */
/*
 * slaac.c - the WAN's SLAAC prefix and its lifetimes (RFC 4862 5.5.3).
 *
 * DOC: Theory of operation
 *
 * passgated holds one global address on the WAN (the engine, the host
 * path's WAN device and neighbour discovery all know one). So of the /64s
 * the ISP offers, one is "cur" and the newest other one is remembered as
 * "alt". The address stays in cur while cur is preferred; once cur is
 * deprecated (preferred lifetime 0 or run out: the ISP renumbers, RFC
 * 4192) and alt is still preferred, the address moves to alt and the old
 * one is given up at once: new connections would not use it any more, and
 * a router that keeps a second address for the old flows would have to
 * tell every consumer about two. An expired cur is given up too, and alt
 * (even deprecated) is better than nothing.
 *
 * RFC 4862 5.5.3 e) keeps an unauthenticated RA from cutting a valid
 * lifetime below two hours; its preferred lifetime is taken as it comes,
 * so "lifetime 0" from the ISP deprecates at once and, with a new prefix
 * offered, moves the address at once.
 */
#include <string.h>

#include "l2/slaac.h"

#define INFINITE 0xffffffffu

static uint64_t end_of(uint32_t s, uint64_t now_ms)
{
	return s == INFINITE ? UINT64_MAX : now_ms + (uint64_t)s * 1000;
}

static bool preferred(const struct pg_slaac_prefix *p, uint64_t now_ms)
{
	return p->used && now_ms < p->preferred_end_ms;
}

void pg_slaac_offer(struct pg_slaac *s, const uint8_t prefix[8], uint32_t valid_s,
		    uint32_t preferred_s, uint64_t now_ms)
{
	struct pg_slaac_prefix *c = &s->cur, *a = &s->alt;
	uint64_t valid_end = end_of(valid_s, now_ms), left;

	/* 5.5.3 c): a preferred lifetime longer than the valid one is a lie. */
	if (preferred_s > valid_s)
		return;
	if (c->used && !memcmp(c->prefix, prefix, 8)) {
		c->preferred_end_ms = end_of(preferred_s, now_ms);
		/* 5.5.3 e): more than 2 h, or more than is left, is taken as it is... */
		left = c->valid_end_ms > now_ms ? c->valid_end_ms - now_ms : 0;
		if (valid_s == INFINITE || (uint64_t)valid_s * 1000 > PG_SLAAC_TWO_HOURS_MS ||
		    valid_end > c->valid_end_ms)
			c->valid_end_ms = valid_end;
		/* ...else a cut to under 2 h is ignored if 2 h or less are left, or made 2 h. */
		else if (left > PG_SLAAC_TWO_HOURS_MS)
			c->valid_end_ms = now_ms + PG_SLAAC_TWO_HOURS_MS;
		if (c->preferred_end_ms > c->valid_end_ms)
			c->preferred_end_ms = c->valid_end_ms;
		return;
	}
	/* 5.5.3 d): no address is formed in a prefix of valid lifetime 0. */
	if (a->used && !memcmp(a->prefix, prefix, 8)) {
		if (!valid_s) {
			a->used = false;
			return;
		}
	} else if (!valid_s || (preferred(a, now_ms) && !preferred_s)) {
		return; /* a preferred alternative is not replaced by a deprecated one */
	}
	memcpy(a->prefix, prefix, 8);
	a->used = true;
	a->preferred_end_ms = end_of(preferred_s, now_ms);
	a->valid_end_ms = valid_end;
}

bool pg_slaac_decide(struct pg_slaac *s, uint64_t now_ms)
{
	struct pg_slaac_prefix *c = &s->cur, *a = &s->alt;
	bool changed = false;

	if (a->used && now_ms >= a->valid_end_ms)
		a->used = false;
	if (c->used && now_ms >= c->valid_end_ms) {
		c->used = false;
		changed = true;
	}
	if (a->used && (!c->used || (!preferred(c, now_ms) && preferred(a, now_ms)))) {
		*c = *a;
		a->used = false;
		changed = true;
	}
	if (changed)
		s->moves++;
	return changed;
}
