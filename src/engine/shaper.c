/* SPDX-License-Identifier: MIT */
/*
 * shaper.c - token bucket, two-level deficit round robin and CoDel: the WAN
 * shaper of shaper.h.
 *
 * DOC: Theory of operation
 *
 * Why: on a real line the uplink is the bottleneck, and whatever queue
 * builds in front of it adds its length to every packet's delay: a VPN call
 * next to an upload then waits behind seconds of bulk data. The fix SQM
 * applies on Linux routers (fq_codel or CAKE on the WAN, shaped just below
 * the line rate) moves that queue into the router, where it can be kept
 * short and fair. passgated sends with AF_XDP or AF_PACKET and so bypasses
 * the kernel's queueing disciplines; this file is that queue.
 *
 * Rate: a virtual clock, t_next, is the earliest time the next packet may
 * leave. Each packet released pushes it on by its transmission time at the
 * configured rate (IP bytes plus PG_SHAPER_OVERHEAD). The clock may fall
 * behind the wall clock by at most burst_ns (4 ms by default), so after a
 * late wake-up (the data path is a process among others: on a loaded
 * machine it runs a few milliseconds late now and then) the shaper catches
 * up, but never sends a long burst at line speed. 1 ms lost 14% of the
 * rate on a machine at load 11 (docs/ENGINE.md "WAN shaper").
 *
 * Scheduling: packets are classified into a flow queue by a keyed hash of
 * their 5-tuple (addresses, protocol and ports; the SPI for ESP, the call id
 * for enhanced GRE; no ports for fragments, so a datagram's pieces stay in
 * order) and of the LAN host they belong to, which the caller names: after
 * NAT every upload packet carries the public address, so only the data path
 * knows the host. A VPN tunnel is one 5-tuple (WireGuard, NAT-T, OpenVPN) or
 * one SPI (raw ESP): it is one flow, whatever it carries inside. Each host
 * bucket keeps two lists of its active flows, new and old, as RFC 8290
 * section 4 does for the whole queue; the hosts with packets form a ring
 * served by deficit round robin with a quantum of one full frame. So the
 * line is shared equally between the active hosts, then within each host
 * equally between its flows, and a flow that has just become active (a
 * sparse one: a ping, a VoIP frame, a DNS query) is served before the
 * host's bulk flows.
 *
 * AQM: each flow queue runs CoDel (RFC 8289; codel.h) on the time its
 * packets spent queued (including the wait for the token bucket). When that sojourn time
 * stays above target (5 ms) for an interval (100 ms), the queue enters the
 * dropping state and drops (or, for a packet that says it is ECN-capable,
 * marks Congestion Experienced and fixes the IP header checksum) at
 * intervals shrinking with the inverse square root of the count, until the
 * sojourn time falls below target again. A flow with at most one frame
 * queued is never dropped by CoDel.
 *
 * Memory: every slot, flow and host is allocated by pg_shaper_create(). When
 * all limit slots are taken, the fattest flow of the host with the most
 * bytes queued loses up to half of its packets from its head (at most
 * PG_SHAPER_DROP_BATCH), so a flood cannot push out the light flows.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/codel.h"
#include "engine/csum.h"
#include "engine/parse.h"
#include "engine/shaper.h"
#include "engine/siphash.h"

#define NIL UINT32_MAX
#define NS_PER_SEC 1000000000ULL
#define MAX_PACKET_DEFAULT 1500u
#define MAX_PACKET_MAX 9216u
#define RATE_SHIFT 24 /* fixed-point fraction of ns_per_byte */
#define IP_ECN_MASK 0x03
#define IP_ECN_CE 0x03

enum { LIST_NONE = 0, LIST_NEW, LIST_OLD };

struct slot {
	uint32_t next; /* in its flow's queue, or in the free list */
	uint32_t len;
	uint32_t next_hop;
	uint64_t enq_ns;
};

struct sflow {
	uint32_t head, tail; /* slots */
	uint32_t next;	     /* in its host's new or old list */
	uint32_t pkts, bytes;
	int32_t deficit;
	uint32_t host; /* host bucket, while on a list */
	uint8_t list;  /* LIST_* */
	struct pg_codel codel;
};

struct shost {
	uint32_t new_head, new_tail, old_head, old_tail; /* flows */
	uint32_t next;					 /* in the active ring */
	uint32_t pkts, bytes;
	int32_t deficit;
	bool active;
};

struct pg_shaper {
	struct pg_shaper_config c;
	uint64_t ns_per_byte_fp; /* transmission time of a byte, << RATE_SHIFT */
	uint64_t t_next;	 /* the bucket's virtual clock */
	uint32_t slot_size;
	uint32_t free_head;
	uint32_t host_head, host_tail; /* hosts with packets (or flows to retire) */
	uint32_t pkts, bytes;
	uint64_t win_start_ns, win_bytes, sent_bps; /* measured rate */
	uint64_t cnt[PG_SHAPER_CNT__COUNT];
	struct pg_shaper_pkt out;
	struct slot *slots;
	uint8_t *data;
	struct sflow *flows;
	struct shost *hosts;
};

static const char *const counter_names[] = {
#define PG_SHAPER_NAME(e, n, h) [PG_SHAPER_CNT_##e] = n,
	PG_SHAPER_COUNTERS(PG_SHAPER_NAME)
#undef PG_SHAPER_NAME
};
static const char *const counter_help[] = {
#define PG_SHAPER_HELP(e, n, h) [PG_SHAPER_CNT_##e] = h,
	PG_SHAPER_COUNTERS(PG_SHAPER_HELP)
#undef PG_SHAPER_HELP
};
_Static_assert(sizeof(counter_names) / sizeof(counter_names[0]) == PG_SHAPER_CNT__COUNT,
	       "one name per shaper counter");

const char *pg_shaper_counter_name(unsigned int i)
{
	return i < PG_SHAPER_CNT__COUNT ? counter_names[i] : "?";
}

const char *pg_shaper_counter_help(unsigned int i)
{
	return i < PG_SHAPER_CNT__COUNT ? counter_help[i] : "?";
}

/* The configuration with every default filled in. */
static struct pg_shaper_config with_defaults(const struct pg_shaper_config *in)
{
	struct pg_shaper_config c = *in;

	if (!c.burst_ns)
		c.burst_ns = PG_SHAPER_BURST_NS;
	if (!c.target_ns)
		c.target_ns = PG_SHAPER_TARGET_NS;
	if (!c.interval_ns)
		c.interval_ns = PG_SHAPER_INTERVAL_NS;
	if (!c.quantum)
		c.quantum = PG_SHAPER_QUANTUM;
	if (!c.flows)
		c.flows = PG_SHAPER_FLOWS;
	if (!c.hosts)
		c.hosts = PG_SHAPER_HOSTS;
	if (!c.limit)
		c.limit = PG_SHAPER_LIMIT;
	if (!c.max_packet)
		c.max_packet = MAX_PACKET_DEFAULT;
	return c;
}

int pg_shaper_validate(const struct pg_shaper_config *in, char *err, size_t errlen)
{
	struct pg_shaper_config c = with_defaults(in);

	if (c.rate_bps < PG_SHAPER_RATE_MIN || c.rate_bps > PG_SHAPER_RATE_MAX) {
		snprintf(err, errlen, "rate %llu bit/s is outside %llu..%llu",
			 (unsigned long long)c.rate_bps, PG_SHAPER_RATE_MIN, PG_SHAPER_RATE_MAX);
		return -EINVAL;
	}
	if (c.max_packet < 68 || c.max_packet > MAX_PACKET_MAX) {
		snprintf(err, errlen, "largest packet %u is outside 68..%u", c.max_packet,
			 MAX_PACKET_MAX);
		return -EINVAL;
	}
	/* Indices are 32-bit with NIL reserved; these bounds keep memory sane. */
	if (c.limit > 1u << 20 || c.flows > 1u << 16 || c.hosts > 1u << 16 ||
	    c.quantum > 1u << 20 || c.interval_ns < c.target_ns) {
		snprintf(err, errlen, "queue limits out of range");
		return -EINVAL;
	}
	return 0;
}

static uint32_t slot_size_of(const struct pg_shaper_config *c)
{
	return PG_SHAPER_HEADROOM + ((c->max_packet + 63u) & ~63u);
}

size_t pg_shaper_memory_size(const struct pg_shaper_config *in)
{
	struct pg_shaper_config c = with_defaults(in);

	return sizeof(struct pg_shaper) +
	       (size_t)c.limit * (sizeof(struct slot) + slot_size_of(&c)) +
	       (size_t)c.flows * sizeof(struct sflow) + (size_t)c.hosts * sizeof(struct shost);
}

void pg_shaper_set_rate(struct pg_shaper *s, uint64_t rate_bps)
{
	s->c.rate_bps = rate_bps;
	/* 8e9 << 24 fits in 64 bits; at 64 kbit/s a byte takes 125,000 ns. */
	s->ns_per_byte_fp = ((8 * NS_PER_SEC) << RATE_SHIFT) / rate_bps;
}

struct pg_shaper *pg_shaper_create(const struct pg_shaper_config *in)
{
	struct pg_shaper *s;
	char err[128];

	if (pg_shaper_validate(in, err, sizeof(err)))
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->c = with_defaults(in);
	s->slot_size = slot_size_of(&s->c);
	s->slots = calloc(s->c.limit, sizeof(*s->slots));
	s->flows = calloc(s->c.flows, sizeof(*s->flows));
	s->hosts = calloc(s->c.hosts, sizeof(*s->hosts));
	if (posix_memalign((void **)&s->data, 64, (size_t)s->c.limit * s->slot_size))
		s->data = NULL;
	if (!s->slots || !s->flows || !s->hosts || !s->data) {
		pg_shaper_destroy(s);
		return NULL;
	}
	for (uint32_t i = 0; i < s->c.limit; i++)
		s->slots[i].next = i + 1 < s->c.limit ? i + 1 : NIL;
	s->free_head = 0;
	for (uint32_t i = 0; i < s->c.flows; i++)
		s->flows[i].head = s->flows[i].tail = s->flows[i].next = NIL;
	for (uint32_t i = 0; i < s->c.hosts; i++) {
		struct shost *h = &s->hosts[i];

		h->new_head = h->new_tail = h->old_head = h->old_tail = h->next = NIL;
	}
	s->host_head = s->host_tail = NIL;
	pg_shaper_set_rate(s, s->c.rate_bps);
	return s;
}

void pg_shaper_destroy(struct pg_shaper *s)
{
	if (!s)
		return;
	free(s->slots);
	free(s->flows);
	free(s->hosts);
	free(s->data);
	free(s);
}

/* Scale a 32-bit hash to [0, n) without a division. */
static uint32_t scale(uint64_t h, uint32_t n)
{
	return (uint32_t)(((h >> 32) * n) >> 32);
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint16_t rd16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * The flow key of an IPv4 packet, hashed with its host. Fields stay in wire
 * order: the hash only needs them to be the same for every packet of a flow.
 */
static uint64_t flow_hash(const struct pg_shaper *s, const uint8_t *ip, uint32_t len, uint32_t host)
{
	uint64_t m0 = 0, m1 = (uint64_t)host << 16;
	uint32_t hl, extra = 0;
	uint8_t proto;

	if (len < 20 || (ip[PG_IP_OFF_VIHL] >> 4) != 4)
		return pg_siphash_2w(s->c.hash_key, m0, m1);
	hl = (uint32_t)(ip[PG_IP_OFF_VIHL] & 0x0f) * 4;
	proto = ip[PG_IP_OFF_PROTO];
	m0 = (uint64_t)rd32(ip + PG_IP_OFF_SADDR) << 32 | rd32(ip + PG_IP_OFF_DADDR);
	/* Fragments carry ports only in the first: hash none, so all stay in order. */
	if (!(ntohs(rd16(ip + PG_IP_OFF_FRAG)) & 0x3fff) && hl >= 20 && len >= hl + 8) {
		const uint8_t *l4 = ip + hl;

		switch (proto) {
		case PG_PROTO_TCP:
		case PG_PROTO_UDP:
		case PG_PROTO_ESP: /* the SPI: one SA, one flow */
			extra = rd32(l4);
			break;
		case PG_PROTO_GRE: /* enhanced GRE (PPTP): the call id */
			if ((l4[PG_GRE_OFF_FLAGS_VER] & 0x07) == 1)
				extra = rd16(l4 + PG_GRE_OFF_CALL_ID);
			break;
		default:
			break;
		}
	}
	m1 ^= (uint64_t)extra << 32 | ((uint64_t)proto << 8);
	return pg_siphash_2w(s->c.hash_key, m0, m1);
}

static uint32_t host_bucket(const struct pg_shaper *s, uint32_t host)
{
	return scale(pg_siphash_2w(s->c.hash_key, host, 0x686f7374ULL), s->c.hosts);
}

/* Transmission time of a packet of len IP bytes at the configured rate. */
static uint64_t tx_ns(const struct pg_shaper *s, uint32_t len)
{
	return ((uint64_t)(len + PG_SHAPER_OVERHEAD) * s->ns_per_byte_fp) >> RATE_SHIFT;
}

static uint8_t *slot_l3(const struct pg_shaper *s, uint32_t i)
{
	return s->data + (size_t)i * s->slot_size + PG_SHAPER_HEADROOM;
}

static void slot_free(struct pg_shaper *s, uint32_t i)
{
	s->slots[i].next = s->free_head;
	s->free_head = i;
}

/* Take the head packet of flow f off its queue (the accounting only). */
static uint32_t flow_pop(struct pg_shaper *s, struct sflow *f)
{
	uint32_t i = f->head;
	struct shost *h = &s->hosts[f->host];
	uint32_t len;

	if (i == NIL)
		return NIL;
	len = s->slots[i].len;
	f->head = s->slots[i].next;
	if (f->head == NIL)
		f->tail = NIL;
	f->pkts--;
	f->bytes -= len;
	h->pkts--;
	h->bytes -= len;
	s->pkts--;
	s->bytes -= len;
	return i;
}

static void drop_slot(struct pg_shaper *s, uint32_t i, enum pg_shaper_counter why)
{
	s->cnt[why]++;
	slot_free(s, i);
}

/*
 * Mark Congestion Experienced if the packet is ECN-capable: true if it is
 * marked (and so needs no drop). The header checksum is updated for the
 * changed 16-bit word (RFC 1624).
 */
static bool ecn_mark(struct pg_shaper *s, uint32_t i)
{
	uint8_t *ip = slot_l3(s, i);
	uint16_t old, new;

	if (s->c.no_ecn || s->slots[i].len < 20 || (ip[PG_IP_OFF_VIHL] >> 4) != 4)
		return false;
	if (!(ip[1] & IP_ECN_MASK))
		return false; /* Not-ECT: the sender would not understand a mark */
	old = rd16(ip);
	ip[1] |= IP_ECN_CE;
	new = rd16(ip);
	if (old != new) {
		uint16_t csum = rd16(ip + PG_IP_OFF_CSUM);

		pg_csum_replace16(&csum, old, new);
		memcpy(ip + PG_IP_OFF_CSUM, &csum, sizeof(csum));
	}
	s->cnt[PG_SHAPER_CNT_ECN_MARKED]++;
	return true;
}

/* One flow queue as CoDel's queue (codel.h): the shaper and the flow. */
struct codel_ctx {
	struct pg_shaper *s;
	struct sflow *f;
};

static bool codel_head(void *ctx, uint32_t *pkt, uint64_t *enq_ns, bool *spare)
{
	struct codel_ctx *c = ctx;
	uint32_t i = flow_pop(c->s, c->f);

	if (i == NIL)
		return false;
	*pkt = i;
	*enq_ns = c->s->slots[i].enq_ns;
	*spare = c->f->bytes > c->s->c.max_packet;
	return true;
}

/* Mark an ECN-capable packet (it goes on), else drop it. */
static bool codel_signal(void *ctx, uint32_t pkt)
{
	struct codel_ctx *c = ctx;

	if (ecn_mark(c->s, pkt))
		return true;
	drop_slot(c->s, pkt, PG_SHAPER_CNT_DROP_CODEL);
	return false;
}

static const struct pg_codel_ops flow_codel = {.head = codel_head, .signal = codel_signal};

/* RFC 8289 dequeue() for one flow queue: the packet to send, or NIL. */
static uint32_t codel_dequeue(struct pg_shaper *s, struct sflow *f, uint64_t now)
{
	const struct pg_codel_params p = {.target_ns = s->c.target_ns,
					  .interval_ns = s->c.interval_ns};
	struct codel_ctx ctx = {.s = s, .f = f};
	uint32_t i;

	return pg_codel_dequeue(&f->codel, &p, &flow_codel, &ctx, now, &i) ? i : NIL;
}

/* List helpers: a host's new and old flow lists, singly linked with tails. */
static void list_push(struct pg_shaper *s, uint32_t *head, uint32_t *tail, uint32_t fi)
{
	s->flows[fi].next = NIL;
	if (*tail == NIL)
		*head = fi;
	else
		s->flows[*tail].next = fi;
	*tail = fi;
}

static uint32_t list_pop(struct pg_shaper *s, uint32_t *head, uint32_t *tail)
{
	uint32_t fi = *head;

	*head = s->flows[fi].next;
	if (*head == NIL)
		*tail = NIL;
	s->flows[fi].next = NIL;
	return fi;
}

/*
 * RFC 8290 section 4.2 within one host: new flows first, each flow a
 * quantum per round; a flow found empty leaves (a new one goes to the old
 * list first if others wait there, so it cannot come back as new at once).
 */
static uint32_t host_dequeue(struct pg_shaper *s, struct shost *h, uint64_t now)
{
	for (;;) {
		uint32_t *head, *tail, fi, i;
		bool from_new = h->new_head != NIL;
		struct sflow *f;

		if (from_new) {
			head = &h->new_head;
			tail = &h->new_tail;
		} else if (h->old_head != NIL) {
			head = &h->old_head;
			tail = &h->old_tail;
		} else {
			return NIL;
		}
		fi = *head;
		f = &s->flows[fi];
		if (f->deficit <= 0) {
			f->deficit += (int32_t)s->c.quantum;
			list_pop(s, head, tail);
			list_push(s, &h->old_head, &h->old_tail, fi);
			f->list = LIST_OLD;
			continue;
		}
		i = codel_dequeue(s, f, now);
		if (i == NIL) {
			list_pop(s, head, tail);
			if (from_new && h->old_head != NIL) {
				list_push(s, &h->old_head, &h->old_tail, fi);
				f->list = LIST_OLD;
			} else {
				f->list = LIST_NONE;
			}
			continue;
		}
		f->deficit -= (int32_t)(s->slots[i].len + PG_SHAPER_OVERHEAD);
		return i;
	}
}

/* The second level: hosts in a ring, a quantum each per round. */
static uint32_t sched_dequeue(struct pg_shaper *s, uint64_t now)
{
	while (s->host_head != NIL) {
		uint32_t hi = s->host_head;
		struct shost *h = &s->hosts[hi];
		uint32_t i;

		if (h->deficit <= 0) {
			h->deficit += (int32_t)s->c.quantum;
			if (s->host_tail != hi) {
				s->host_head = h->next;
				s->hosts[s->host_tail].next = hi;
				s->host_tail = hi;
				h->next = NIL;
			}
			continue;
		}
		i = host_dequeue(s, h, now);
		if (i == NIL) {
			s->host_head = h->next;
			if (s->host_head == NIL)
				s->host_tail = NIL;
			h->next = NIL;
			h->active = false;
			continue;
		}
		h->deficit -= (int32_t)(s->slots[i].len + PG_SHAPER_OVERHEAD);
		return i;
	}
	return NIL;
}

/*
 * The queue is full: drop from the head of the fattest flow of the host
 * with the most bytes queued, up to half its packets (RFC 8290 section
 * 4.1.3's batch drop, one level deeper). Frees at least one slot.
 */
static void drop_fattest(struct pg_shaper *s)
{
	uint32_t best_h = NIL, best_f = NIL, most = 0;

	for (uint32_t hi = s->host_head; hi != NIL; hi = s->hosts[hi].next)
		if (s->hosts[hi].bytes > most || best_h == NIL) {
			most = s->hosts[hi].bytes;
			best_h = hi;
		}
	if (best_h == NIL)
		return;
	most = 0;
	for (int l = 0; l < 2; l++) {
		const struct shost *h = &s->hosts[best_h];

		for (uint32_t fi = l ? h->old_head : h->new_head; fi != NIL; fi = s->flows[fi].next)
			if (s->flows[fi].bytes > most) {
				most = s->flows[fi].bytes;
				best_f = fi;
			}
	}
	if (best_f == NIL)
		return;
	{
		struct sflow *f = &s->flows[best_f];
		uint32_t n = (f->pkts + 1) / 2;

		if (n > PG_SHAPER_DROP_BATCH)
			n = PG_SHAPER_DROP_BATCH;
		while (n--)
			drop_slot(s, flow_pop(s, f), PG_SHAPER_CNT_DROP_OVERLIMIT);
	}
}

enum pg_shaper_counter pg_shaper_enqueue(struct pg_shaper *s, const uint8_t *l3, uint32_t len,
					 uint32_t host, uint32_t next_hop, uint64_t now_ns)
{
	uint32_t fi, hi, i;
	struct sflow *f;
	struct shost *h;

	if (len > s->c.max_packet || !len) {
		s->cnt[PG_SHAPER_CNT_DROP_TOO_BIG]++;
		return PG_SHAPER_CNT_DROP_TOO_BIG;
	}
	if (s->free_head == NIL)
		drop_fattest(s);
	fi = scale(flow_hash(s, l3, len, host), s->c.flows);
	hi = host_bucket(s, host);
	f = &s->flows[fi];
	if (f->list != LIST_NONE && f->host != hi) {
		/* Another host's flow hashed here: share its queue (and its host's turn). */
		s->cnt[PG_SHAPER_CNT_FLOW_COLLISIONS]++;
		hi = f->host;
	}
	h = &s->hosts[hi];
	i = s->free_head;
	s->free_head = s->slots[i].next;
	memcpy(slot_l3(s, i), l3, len);
	s->slots[i].len = len;
	s->slots[i].next_hop = next_hop;
	s->slots[i].enq_ns = now_ns;
	s->slots[i].next = NIL;
	if (f->tail == NIL)
		f->head = i;
	else
		s->slots[f->tail].next = i;
	f->tail = i;
	f->pkts++;
	f->bytes += len;
	h->pkts++;
	h->bytes += len;
	s->pkts++;
	s->bytes += len;
	s->cnt[PG_SHAPER_CNT_ENQUEUED]++;
	if (!h->active) {
		h->active = true;
		h->deficit = (int32_t)s->c.quantum;
		h->next = NIL;
		if (s->host_tail == NIL)
			s->host_head = hi;
		else
			s->hosts[s->host_tail].next = hi;
		s->host_tail = hi;
	}
	if (f->list == LIST_NONE) {
		f->host = hi;
		f->list = LIST_NEW;
		f->deficit = (int32_t)s->c.quantum;
		list_push(s, &h->new_head, &h->new_tail, fi);
	}
	return PG_SHAPER_CNT_ENQUEUED;
}

struct pg_shaper_pkt *pg_shaper_dequeue(struct pg_shaper *s, uint64_t now_ns)
{
	uint32_t i;

	if (!s->pkts || now_ns < s->t_next)
		return NULL;
	i = sched_dequeue(s, now_ns);
	if (i == NIL)
		return NULL;
	/* Credit saved while idle is capped: a pause buys at most burst_ns of catching up. */
	if (s->t_next + s->c.burst_ns < now_ns)
		s->t_next = now_ns - s->c.burst_ns;
	s->t_next += tx_ns(s, s->slots[i].len);
	s->cnt[PG_SHAPER_CNT_SENT]++;
	s->cnt[PG_SHAPER_CNT_SENT_BYTES] += s->slots[i].len + PG_SHAPER_OVERHEAD;
	s->win_bytes += s->slots[i].len + PG_SHAPER_OVERHEAD;
	if (now_ns - s->win_start_ns >= NS_PER_SEC) {
		s->sent_bps = s->win_bytes * 8 * NS_PER_SEC / (now_ns - s->win_start_ns);
		s->win_start_ns = now_ns;
		s->win_bytes = 0;
	}
	/* The slot is free again, but only the next enqueue can reuse it. */
	slot_free(s, i);
	s->out.l3 = slot_l3(s, i);
	s->out.len = s->slots[i].len;
	s->out.cap = s->slot_size - PG_SHAPER_HEADROOM;
	s->out.next_hop = s->slots[i].next_hop;
	s->out.sojourn_ns = now_ns - s->slots[i].enq_ns;
	return &s->out;
}

uint64_t pg_shaper_next_ns(const struct pg_shaper *s)
{
	return s->pkts ? s->t_next : UINT64_MAX;
}

uint32_t pg_shaper_backlog(const struct pg_shaper *s)
{
	return s->pkts;
}

void pg_shaper_get_stats(const struct pg_shaper *s, uint64_t now_ns, struct pg_shaper_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->rate_bps = s->c.rate_bps;
	st->sent_bps = s->sent_bps;
	/* Nothing sent for a while: the last window's figure would be stale. */
	if (now_ns > s->win_start_ns && now_ns - s->win_start_ns >= 2 * NS_PER_SEC)
		st->sent_bps = s->win_bytes * 8 * NS_PER_SEC / (now_ns - s->win_start_ns);
	st->backlog_pkts = s->pkts;
	st->backlog_bytes = s->bytes;
	/*
	 * Flows and hosts with packets: a flow that emptied stays in its
	 * host's round robin until a dequeue finds it empty (RFC 8290), which
	 * is not what the gauge means.
	 */
	for (uint32_t hi = s->host_head; hi != NIL; hi = s->hosts[hi].next) {
		const struct shost *h = &s->hosts[hi];

		if (h->pkts)
			st->active_hosts++;
		for (int l = 0; l < 2; l++)
			for (uint32_t fi = l ? h->old_head : h->new_head; fi != NIL;
			     fi = s->flows[fi].next)
				if (s->flows[fi].pkts)
					st->active_flows++;
	}
	memcpy(st->cnt, s->cnt, sizeof(st->cnt));
}
