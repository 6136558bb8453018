/* SPDX-License-Identifier: MIT */
/*
 * observe.c - copies of the engine's state for the control plane: flows, the
 * VPN sessions the helpers follow, and the event ring the logs are made from.
 *
 * Nothing here changes what the data path does. Walks are paged by pool
 * index so a table of a million flows is read a page at a time between
 * batches, never in one long pause.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "alg/alg.h"
#include "engine/engine_internal.h"
#include "engine/forward6.h"

#define EV_RING 256u

void pg_event_push(struct pg_engine *e, enum pg_event_kind kind, uint32_t client, uint32_t server,
		   uint16_t client_port, uint16_t server_port, uint16_t pub_port, uint32_t a,
		   uint32_t b)
{
	struct pg_event *ev;

	if (e->ev_head - e->ev_tail == EV_RING) {
		e->ev_tail++; /* the oldest goes */
		pg_count(e, PG_CNT_EVENTS_LOST);
	}
	ev = &e->events[e->ev_head++ % EV_RING];
	ev->kind = (uint8_t)kind;
	ev->time_ms = e->now_ms;
	ev->client = ntohl(client);
	ev->server = ntohl(server);
	ev->client_port = ntohs(client_port);
	ev->server_port = ntohs(server_port);
	ev->pub_port = ntohs(pub_port);
	ev->a = a;
	ev->b = b;
}

void pg_event_flow(struct pg_engine *e, enum pg_event_kind kind, const struct pg_flow *f,
		   uint32_t a, uint32_t b)
{
	/* The WAN-side key names the server, parked or not. */
	pg_event_push(e, kind, f->lan_addr, pg_flow_in_addr(f), f->lan_port, f->in_pa,
		      pg_flow_pub_port(f), a, b);
}

unsigned int pg_engine_events(struct pg_engine *e, struct pg_event *out, unsigned int max)
{
	unsigned int n = 0;

	while (n < max && e->ev_tail != e->ev_head)
		out[n++] = e->events[e->ev_tail++ % EV_RING];
	return n;
}

static void addr_str(uint32_t a, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

void pg_event_format(const struct pg_event *ev, char *buf, unsigned int len)
{
	char c[16], s[16];

	addr_str(ev->client, c, sizeof(c));
	addr_str(ev->server, s, sizeof(s));
	switch (ev->kind) {
	case PG_EV_PPTP_SESSION:
		snprintf(buf, len, "pptp: control connection %s:%u -> %s:%u followed", c,
			 ev->client_port, s, ev->server_port);
		break;
	case PG_EV_PPTP_CALL_UP:
		snprintf(buf, len,
			 "pptp: call up %s -> %s (client call id %u, public %u, server %u)", c, s,
			 ev->a >> 16, ev->a & 0xffff, ev->b);
		break;
	case PG_EV_PPTP_CALL_DOWN:
		snprintf(buf, len, "pptp: call ended %s -> %s (client call id %u)", c, s, ev->a);
		break;
	case PG_EV_PPTP_BAD:
		snprintf(buf, len, "pptp: invalid control stream %s -> %s, no longer followed", c,
			 s);
		break;
	case PG_EV_IKE_SEEN:
		snprintf(buf, len, "ipsec: IKEv%u negotiation seen %s:%u -> %s:%u (public port %u)",
			 ev->a, c, ev->client_port, s, ev->server_port, ev->pub_port);
		break;
	case PG_EV_NATT_IN_USE:
		snprintf(buf, len, "ipsec: NAT-T in use %s:%u -> %s:%u (public port %u)", c,
			 ev->client_port, s, ev->server_port, ev->pub_port);
		break;
	case PG_EV_ESP_SA_OUT:
		snprintf(buf, len, "ipsec: ESP from %s to %s, SPI 0x%08x", c, s, ev->a);
		break;
	case PG_EV_ESP_LEARNT:
		snprintf(buf, len,
			 "ipsec: ESP established %s <-> %s (SPI out 0x%08x, in 0x%08x learnt)", c, s,
			 ev->a, ev->b);
		break;
	case PG_EV_L2TP_TUNNEL:
		snprintf(buf, len, "l2tp: tunnel control seen %s:%u -> %s:%u (public port %u)", c,
			 ev->client_port, s, ev->server_port, ev->pub_port);
		break;
	case PG_EV_IPSEC_ENDED:
		snprintf(buf, len, "ipsec: %s %s <-> %s ended after %u s idle",
			 ev->a == PG_VPN_ESP ? "ESP" : ev->a == PG_VPN_NATT ? "NAT-T" : "IKE", c, s,
			 ev->b);
		break;
	case PG_EV_FLOW_TABLE_FULL:
		snprintf(buf, len, "flow table full (%u flows): new flows refused", ev->a);
		break;
	default:
		snprintf(buf, len, "event %u", ev->kind);
		break;
	}
}

unsigned int pg_flow_proto_slot(uint8_t proto)
{
	switch (proto) {
	case PG_PROTO_TCP:
		return PG_FP_TCP;
	case PG_PROTO_UDP:
		return PG_FP_UDP;
	case PG_PROTO_ICMP:
		return PG_FP_ICMP;
	case PG_PROTO_GRE:
		return PG_FP_GRE;
	case PG_PROTO_ESP:
		return PG_FP_ESP;
	default:
		return PG_FP_OTHER;
	}
}

const char *pg_flow_proto_slot_name(unsigned int slot)
{
	static const char *const names[PG_FP__COUNT] = {"tcp", "udp", "icmp", "gre", "esp",
							 "other"};

	return slot < PG_FP__COUNT ? names[slot] : "other";
}

void pg_engine_flows_by_proto(const struct pg_engine *e, uint32_t out[PG_FP__COUNT])
{
	memcpy(out, e->nflows_proto, sizeof(e->nflows_proto));
}

const char *pg_proto_name(uint8_t proto)
{
	switch (proto) {
	case PG_PROTO_TCP:
		return "tcp";
	case PG_PROTO_UDP:
		return "udp";
	case PG_PROTO_ICMP:
		return "icmp";
	case PG_PROTO_GRE:
		return "gre";
	case PG_PROTO_ESP:
		return "esp";
	default:
		return "other";
	}
}

const char *pg_tcp_state_name(uint8_t state)
{
	static const char *const names[] = {"", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT",
					    "CLOSING", "TIME_WAIT", "CLOSED"};

	return state < sizeof(names) / sizeof(names[0]) ? names[state] : "?";
}

const char *pg_alg_name(uint8_t alg)
{
	const struct pg_alg_ops *ops = alg ? pg_alg_get(alg) : NULL;

	return ops ? ops->name : "";
}

static uint32_t spi_of(uint16_t hi, uint16_t lo)
{
	return (uint32_t)ntohs(hi) << 16 | ntohs(lo);
}

/* The ports of f as the API shows them (host order): 0 where it has none. */
static void ports_of(const struct pg_flow *f, uint16_t *lan, uint16_t *remote, uint16_t *pub)
{
	*lan = *remote = *pub = 0;
	if (f->key.proto == PG_PROTO_TCP || f->key.proto == PG_PROTO_UDP ||
	    f->key.proto == PG_PROTO_ICMP) {
		*lan = ntohs(f->lan_port);
		*remote = ntohs(f->in_pa);
		*pub = ntohs(pg_flow_pub_port(f));
	} else if (f->key.proto == PG_PROTO_GRE && f->in_pa == PG_GRE_KEYED) {
		*lan = ntohs(f->lan_port); /* the client's call id */
		*pub = ntohs(f->in_pb);	   /* its public call id */
	}
}

static bool ports_match(const struct pg_flow *f, const struct pg_flow_filter *flt)
{
	uint16_t lan, remote, pub;

	if (!flt->port && !flt->pub_hi)
		return true;
	ports_of(f, &lan, &remote, &pub);
	if (flt->port && flt->port != lan && flt->port != remote && flt->port != pub)
		return false;
	/* A portless flow (raw ESP, GRE by address) has no public port to be in a range. */
	return !flt->pub_hi || (pub && pub >= flt->pub_lo && pub <= flt->pub_hi);
}

static bool matches(const struct pg_flow *f, const struct pg_flow_filter *flt)
{
	if (!flt)
		return true;
	return (!flt->proto || flt->proto == f->key.proto) &&
	       (!flt->lan_addr || flt->lan_addr == ntohl(f->lan_addr)) &&
	       (!flt->remote_addr || flt->remote_addr == ntohl(pg_flow_in_addr(f))) &&
	       (!flt->alg || flt->alg == f->alg) && ports_match(f, flt);
}

static void fill(const struct pg_engine *e, const struct pg_flow *f, struct pg_flow_info *o,
		 uint32_t now_s)
{
	uint32_t due = f->last_seen + pg_flow_timeout(e, f);

	memset(o, 0, sizeof(*o));
	o->proto = f->key.proto;
	o->tcp_state = f->tcp_state;
	o->alg = f->alg;
	o->from_wan = (f->flags & PG_FLOW_FROM_WAN) != 0;
	o->hairpin = (f->flags & PG_FLOW_HAIRPIN) != 0;
	o->lan_addr = ntohl(f->lan_addr);
	o->remote_addr = ntohl(pg_flow_in_addr(f));
	ports_of(f, &o->lan_port, &o->remote_port, &o->pub_port);
	if (o->proto == PG_PROTO_ESP && f->key.pa != PG_ESP_ADDR) {
		o->spi_out = spi_of(f->key.pa, f->key.pb);
		o->spi_in = f->in_parked ? 0 : spi_of(f->in_pa, f->in_pb);
	}
	o->idle_s = now_s > f->last_seen ? now_s - f->last_seen : 0;
	o->expires_s = due > now_s ? due - now_s : 0;
	for (int d = 0; d < 2; d++) {
		o->pkts[d] = f->pkts[d];
		o->bytes[d] = pg_flow_bytes(f, d);
	}
}

unsigned int pg_engine_flows_scan(const struct pg_engine *e, const struct pg_flow_filter *flt,
				  uint32_t *cursor, struct pg_flow_info *out, unsigned int max,
				  uint64_t now_ms, uint32_t *budget)
{
	uint32_t i = *cursor, now_s = (uint32_t)(now_ms / 1000), end = e->pool_size, start;
	unsigned int n = 0;

	if (flt && flt->family == 6)
		return pg_v6_flows_scan(e, flt, cursor, out, max, now_ms, budget);
	/* A cursor past the table (from a client) reads as walked, as before. */
	if (i > end)
		i = end;
	start = i;
	if (end - i > *budget)
		end = i + *budget;
	for (; i < end && n < max; i++) {
		const struct pg_flow *f = &e->flows[i];

		if (f->key.kind && matches(f, flt))
			fill(e, f, &out[n++], now_s);
	}
	*budget -= i - start;
	*cursor = i < e->pool_size ? i : 0;
	return n;
}

unsigned int pg_engine_flows_clear(struct pg_engine *e, const struct pg_flow_filter *flt,
				   uint32_t *cursor, uint32_t *budget)
{
	uint32_t i = *cursor, end = e->pool_size, start, before = e->nflows, ended;

	if (flt->family == 6)
		return pg_v6_flows_clear(e, flt, cursor, budget);
	if (i > end)
		i = end;
	start = i;
	if (end - i > *budget)
		end = i + *budget;
	for (; i < end; i++) {
		/*
		 * A flow freed along with an earlier one (a PPTP call's GRE) is
		 * seen here with kind 0 and skipped.
		 */
		if (e->flows[i].key.kind && matches(&e->flows[i], flt))
			pg_flow_free(e, i);
	}
	*budget -= i - start;
	*cursor = i < e->pool_size ? i : 0;
	ended = before - e->nflows;
	e->counters[PG_CNT_FLOW_CLEARED] += ended;
	return ended;
}

unsigned int pg_engine_flows(const struct pg_engine *e, const struct pg_flow_filter *flt,
			     uint32_t *cursor, struct pg_flow_info *out, unsigned int max,
			     uint64_t now_ms)
{
	uint32_t budget = UINT32_MAX;

	return pg_engine_flows_scan(e, flt, cursor, out, max, now_ms, &budget);
}

unsigned int pg_engine_vpn_sessions(const struct pg_engine *e, uint32_t *cursor,
				    struct pg_vpn_session *out, unsigned int max, uint64_t now_ms)
{
	uint32_t budget = UINT32_MAX;

	return pg_engine_vpn_sessions_scan(e, cursor, out, max, now_ms, &budget);
}

unsigned int pg_engine_vpn_sessions_scan(const struct pg_engine *e, uint32_t *cursor,
					 struct pg_vpn_session *out, unsigned int max,
					 uint64_t now_ms, uint32_t *budget)
{
	uint32_t i = *cursor, now_s = (uint32_t)(now_ms / 1000), end = e->pool_size, start;
	unsigned int n = 0;

	/* A cursor past the table (from a client) reads as walked, as before. */
	if (i > end)
		i = end;
	start = i;
	if (end - i > *budget)
		end = i + *budget;
	for (; i < end && n < max; i++) {
		const struct pg_flow *f = &e->flows[i];
		struct pg_vpn_session *s = &out[n];
		struct pg_flow_info info;

		if (!f->key.kind || f->alg == PG_ALG_NONE)
			continue;
		memset(s, 0, sizeof(*s));
		if (!pg_alg_describe(e, f, s))
			continue; /* part of another session (a PPTP call's GRE) */
		fill(e, f, &info, now_s);
		s->client = info.lan_addr;
		s->server = info.remote_addr;
		s->client_port = info.lan_port;
		s->server_port = info.remote_port;
		s->pub_port = info.pub_port;
		s->since_s = now_s > f->created ? now_s - f->created : 0;
		s->idle_s = info.idle_s;
		s->bytes[0] = pg_flow_bytes(f, 0);
		s->bytes[1] = pg_flow_bytes(f, 1);
		if (s->kind == PG_VPN_ESP) {
			s->spi_out = info.spi_out;
			s->spi_in = info.spi_in;
			s->client_port = s->server_port = s->pub_port = 0;
		}
		n++;
	}
	*budget -= i - start;
	*cursor = i < e->pool_size ? i : 0;
	return n;
}
