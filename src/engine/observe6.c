/* SPDX-License-Identifier: MIT */
/*
 * observe6.c - the IPv6 firewall's flows for the control plane (observe.h):
 * pages of them as pg_flow_info, and DELETE /api/v1/flows ending them, in
 * walks bounded by a budget of table slots as the IPv4 table's
 * (observe.c). The table itself is forward6.c's (forward6_internal.h);
 * nothing here changes what the data path does with a packet.
 */
#include <arpa/inet.h>
#include <string.h>

#include "engine/engine_internal.h"
#include "engine/forward6.h"
#include "engine/forward6_internal.h"
#include "engine/observe.h"
#include "engine/parse6.h"

static uint8_t tcp_state_info(const struct v6_flow *f)
{
	switch (f->tcp) {
	case V6_TCP_SYN:
		return PG_TCP_SYN_SENT;
	case V6_TCP_ESTABLISHED:
		return PG_TCP_ESTABLISHED;
	case V6_TCP_CLOSING:
		return PG_TCP_CLOSING;
	default:
		return PG_TCP_NONE;
	}
}

static bool flow_matches(const struct v6_flow *f, const struct pg_flow_filter *flt)
{
	if (flt->proto && f->proto != flt->proto)
		return false;
	if (flt->port && f->lan_port != htons(flt->port) && f->remote_port != htons(flt->port))
		return false;
	if (!pg_ip6_is_unspecified(flt->host6) && memcmp(f->lan, flt->host6, 16) &&
	    memcmp(f->remote, flt->host6, 16))
		return false;
	return true;
}

static void flow_info(const struct pg_engine *e, const struct v6_flow *f,
		      struct pg_flow_info *o, uint32_t now_s)
{
	uint32_t idle = now_s - f->last_s, tmo = pg_v6_flow_timeout(e, f);

	memset(o, 0, sizeof(*o));
	o->family = 6;
	o->proto = f->proto;
	o->tcp_state = f->proto == PG_PROTO_TCP ? tcp_state_info(f) : 0;
	o->from_wan = f->inbound;
	memcpy(o->lan6, f->lan, 16);
	memcpy(o->remote6, f->remote, 16);
	o->lan_port = ntohs(f->lan_port);
	o->remote_port = ntohs(f->remote_port);
	o->idle_s = idle;
	o->expires_s = tmo > idle ? tmo - idle : 0;
	memcpy(o->pkts, f->pkts, sizeof(o->pkts));
	memcpy(o->bytes, f->bytes, sizeof(o->bytes));
}

/*
 * The slots a walk from *cursor may visit with budget: [*start, *end). A
 * cursor past the table (from a client) reads as walked, as for IPv4. false,
 * with the cursor reset, when there is no IPv6 table.
 */
static bool walk_window(const struct pg_v6 *v, uint32_t *cursor, uint32_t budget,
			uint32_t *start, uint32_t *end)
{
	if (!v) {
		*cursor = 0;
		return false;
	}
	*start = *cursor < v->pool ? *cursor : v->pool;
	*end = v->pool - *start > budget ? *start + budget : v->pool;
	return true;
}

unsigned int pg_v6_flows_scan(const struct pg_engine *e, const struct pg_flow_filter *flt,
			      uint32_t *cursor, struct pg_flow_info *out, unsigned int max,
			      uint64_t now_ms, uint32_t *budget)
{
	const struct pg_v6 *v = e->v6;
	uint32_t i, now_s = (uint32_t)(now_ms / 1000), end, start;
	unsigned int n = 0;

	if (!walk_window(v, cursor, *budget, &start, &end))
		return 0;
	for (i = start; i < end && n < max; i++) {
		const struct v6_flow *f = &v->flows[i];

		/* Expired but not yet swept: gone for the firewall, so for the API too. */
		if (f->proto && !pg_v6_flow_expired(e, f, now_s) && flow_matches(f, flt))
			flow_info(e, f, &out[n++], now_s);
	}
	*budget -= i - start;
	*cursor = i < v->pool ? i : 0;
	return n;
}

unsigned int pg_v6_flows_clear(struct pg_engine *e, const struct pg_flow_filter *flt,
			       uint32_t *cursor, uint32_t *budget)
{
	struct pg_v6 *v = e->v6;
	uint32_t i, end, start, now_s = (uint32_t)(e->now_ms / 1000);
	unsigned int ended = 0;

	if (!walk_window(v, cursor, *budget, &start, &end))
		return 0;
	for (i = start; i < end; i++) {
		const struct v6_flow *f = &v->flows[i];

		/*
		 * No IPv6 state lives outside the entry (no mapping, no helper;
		 * an XDP fast path entry is taken back by pg_v6_flow_unlink()),
		 * so unlinking it is the whole end; a pinhole is configuration
		 * and stays. One already past its timeout (by the last batch's
		 * clock) is freed as the sweep would, not counted as ended:
		 * "ended" stays what GET showed.
		 */
		if (!f->proto || !flow_matches(f, flt))
			continue;
		if (pg_v6_flow_expired(e, f, now_s)) {
			pg_v6_flow_free(e, i);
			continue;
		}
		pg_v6_flow_unlink(e, i);
		ended++;
	}
	*budget -= i - start;
	*cursor = i < v->pool ? i : 0;
	e->counters[PG_CNT_FLOW_CLEARED] += ended;
	return ended;
}
