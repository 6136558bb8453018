/* SPDX-License-Identifier: MIT */
/*
 * forward6_internal.h - the IPv6 firewall's flow table as forward6.c keeps
 * it, shared with offload6.c, which hands its flows to the XDP fast path,
 * and observe6.c, which copies them out for the API.
 * Internal to the engine.
 */
#ifndef PG_FORWARD6_INTERNAL_H
#define PG_FORWARD6_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/engine.h"
#include "engine/engine_internal.h"
#include "engine/parse.h"
#include "engine/parse6.h"

#define PG_V6_FRAG_SLOTS 256u /* first fragments remembered */
#define PG_V6_FLOWS_MAX 65536u /* the table's most entries, whatever max_flows says */
#define PG_V6_NONE 0xffffffffu

enum v6_tcp {
	V6_TCP_NONE = 0,
	V6_TCP_SYN, /* opened, not yet answered */
	V6_TCP_ESTABLISHED,
	V6_TCP_CLOSING, /* FIN or RST seen */
};

/* One flow, from the LAN host's side. Addresses and ports as on the wire. */
struct v6_flow {
	uint8_t lan[16], remote[16];
	uint16_t lan_port, remote_port; /* ICMPv6 echo: the identifier in both */
	uint8_t proto;			/* 0: a free entry */
	uint8_t tcp;			/* enum v6_tcp */
	uint8_t inbound;		/* opened from the WAN (IPsec, ping) */
	uint8_t pad;
	uint32_t last_s;
	uint64_t pkts[2], bytes[2]; /* [0] LAN to WAN, [1] WAN to LAN, for the API */
	uint32_t next;	 /* chain in the bucket, or the free list */
	uint32_t bucket; /* which chain holds it */
};

struct v6_frag {
	uint8_t src[16], dst[16];
	uint32_t id;
	uint32_t t_s; /* 0: empty */
	uint8_t to_wan;
};

struct pg_v6 {
	uint32_t pool, nbuckets; /* nbuckets a power of two */
	uint32_t free_head, nflows, sweep;
	uint32_t *buckets;
	struct v6_flow *flows;
	uint64_t tokens, last_ms; /* ICMPv6 errors, milli-tokens (RFC 4443 2.4(f)) */
	/*
	 * The flows handed to the XDP fast path (offload6.c), a bit each by
	 * index: a tick's walk for their expiry, and a flush, read 8 KiB
	 * rather than every entry of the table.
	 */
	uint64_t offered[PG_V6_FLOWS_MAX / 64];
	uint32_t noffered; /* bits set in offered[] */
	struct v6_frag frags[PG_V6_FRAG_SLOTS];
};

static inline bool pg_v6_offered(const struct pg_v6 *v, uint32_t idx)
{
	return (v->offered[idx / 64] >> (idx % 64)) & 1;
}

/* How long flow f lives idle: the engine's timeout for its protocol and TCP state. */
static inline uint32_t pg_v6_flow_timeout(const struct pg_engine *e, const struct v6_flow *f)
{
	const struct pg_timeouts *t = &e->cfg.timeouts;

	switch (f->proto) {
	case PG_PROTO_TCP:
		return f->tcp == V6_TCP_ESTABLISHED ? t->tcp_established : t->tcp_transitory;
	case PG_PROTO_UDP:
		return t->udp;
	case PG_IP6_NH_ICMP6:
		return t->icmp;
	case PG_IP6_NH_ESP:
	case PG_IP6_NH_AH:
		return t->esp;
	case PG_PROTO_GRE:
		return t->gre;
	default:
		return t->other;
	}
}

/* Past its timeout: gone for every lookup, whether or not a sweep freed it yet. */
static inline bool pg_v6_flow_expired(const struct pg_engine *e, const struct v6_flow *f,
				      uint32_t now_s)
{
	return now_s - f->last_s >= pg_v6_flow_timeout(e, f);
}

/*
 * forward6.c's table: take flow i off its chain onto the free list (an
 * XDP fast path entry taken back first), the caller counting why; or
 * free it as expired (flow6_expired).
 */
void pg_v6_flow_unlink(struct pg_engine *e, uint32_t i);
void pg_v6_flow_free(struct pg_engine *e, uint32_t i);

/*
 * The next hop on the WAN of a packet to dst: dst itself when it is on the
 * WAN's link, else the configured gateway (zero: the router the WAN's
 * advertisements name).
 */
void pg_v6_wan_next_hop(const struct pg_engine *e, const uint8_t *dst, uint8_t out[16]);

/* offload6.c: flow idx (f) was forwarded: offer it to the XDP fast path or take it back. */
void pg_offload6_note(struct pg_engine *e, uint32_t idx, const struct v6_flow *f);
/* Flow idx is being freed or reused: take it back if offered. */
void pg_offload6_forget(struct pg_engine *e, uint32_t idx);

#endif /* PG_FORWARD6_INTERNAL_H */
