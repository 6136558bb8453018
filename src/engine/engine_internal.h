/* SPDX-License-Identifier: MIT */
/*
 * engine_internal.h - the engine's state, shared by the files of src/engine/.
 *
 * One allocation at creation holds every table: flows, NAT mappings, filter
 * permits and per-host counts live in fixed pools, and one open-addressing
 * hash table indexes all of their keys. Nothing here is visible to callers.
 */
#ifndef PG_ENGINE_INTERNAL_H
#define PG_ENGINE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/observe.h"
#include "engine/parse.h"
#include "engine/siphash.h"

#define PG_NONE UINT32_MAX

/* What a hash key stands for; part of the key so kinds never collide. */
enum pg_key_kind {
	PG_KEY_FLOW_OUT = 1, /* a=LAN host, b=remote, pa=LAN port, pb=remote port */
	PG_KEY_FLOW_IN = 2,  /* a=remote, b=public address, pa=remote port, pb=public port */
	PG_KEY_MAP_LAN = 3,  /* a=LAN host, pa=LAN port */
	PG_KEY_MAP_PUB = 4,  /* pa=public port */
	PG_KEY_PERMIT = 5,   /* a=remote address, pa=public port */
	PG_KEY_HOST = 6,     /* a=LAN host */
	PG_KEY_PARKED = 7,   /* a flow key no packet may match yet (helpers) */
};

/*
 * In GRE keys pa tells plain GRE tracked by address (0), enhanced GRE keyed
 * by call id (PG_GRE_KEYED, call id in pb: call id 0 is a real call id) and
 * enhanced GRE no helper announced, tracked by address (PG_GRE_V1_ADDR).
 */
#define PG_GRE_KEYED 1
#define PG_GRE_V1_ADDR 2
/* ESP flows keyed by address (forwards, DMZ) rather than by SPI. */
#define PG_ESP_ADDR 1

/* A 16-byte lookup key; every field in network byte order, unused ones zero. */
struct pg_key {
	uint32_t a, b;
	uint16_t pa, pb;
	uint8_t proto, kind;
	uint16_t zero;
};

/* Which pool a hash slot points into. */
enum pg_ref_type {
	PG_REF_FLOW = 0,
	PG_REF_MAPPING = 1,
	PG_REF_PERMIT = 2,
	PG_REF_HOST = 3,
};

/* A slot reference: pool index, pool type and which of the entry's keys. */
#define PG_REF(idx, type, which) (((uint32_t)(idx) << 4) | ((uint32_t)(type) << 1) | (which))
#define PG_REF_IDX(ref) ((ref) >> 4)
#define PG_REF_TYPE(ref) (((ref) >> 1) & 7)
#define PG_REF_WHICH(ref) ((ref)&1)

/* TCP connection states (docs/ENGINE.md). */
enum pg_tcp_state {
	PG_TCP_NONE = 0,
	PG_TCP_SYN_SENT,
	PG_TCP_SYN_RECV,
	PG_TCP_ESTABLISHED,
	PG_TCP_FIN_WAIT,
	PG_TCP_CLOSING,
	PG_TCP_TIME_WAIT,
	PG_TCP_CLOSED,
};

/* pg_flow.flags */
#define PG_FLOW_FROM_WAN 0x01 /* the first packet came from the WAN */
#define PG_FLOW_SYN_OUT 0x02  /* SYN seen LAN to WAN */
#define PG_FLOW_SYN_IN 0x04   /* SYN seen WAN to LAN */
#define PG_FLOW_FIN_OUT 0x08
#define PG_FLOW_FIN_IN 0x10
#define PG_FLOW_ACKED_OUT 0x20 /* the LAN side's SYN was acknowledged */
#define PG_FLOW_ACKED_IN 0x40  /* the WAN side's SYN was acknowledged */
#define PG_FLOW_HAIRPIN 0x80   /* LAN to LAN through the public address */

#define PG_DIR_OUT 0 /* LAN to WAN */
#define PG_DIR_IN 1  /* WAN to LAN */

/*
 * One tracked connection: two lookup keys (as seen on the LAN, as seen on the
 * WAN) and what translation writes: outbound, the source becomes the public
 * address and the public port; inbound, the destination becomes lan_addr and
 * lan_port. "Port" is the TCP/UDP port, the ICMP echo id, or the enhanced GRE
 * call id (inbound only). Keyed ESP and GRE flows leave the LAN address out of
 * their LAN-side key (the server's SPI or call id names them, so an ICMP error
 * quoting our packet finds them); lan_addr still binds them to one host.
 *
 * Only the LAN-side key is stored whole. The WAN-side key is
 * (FLOW_IN or PARKED, proto, remote, public address, in_pa, in_pb): its
 * protocol is the LAN key's, its destination always the engine's public
 * address (which therefore never changes under live flows), and its remote
 * the LAN key's destination, except in a hairpin flow, whose WAN key names
 * the other LAN host; that flow has no helper, so alg_state holds it.
 * pg_flow_in_key() rebuilds the key; pg_flow_create_keys() refuses keys it
 * could not rebuild. The public port is in_pb (pg_flow_pub_port()).
 *
 * 72 bytes rather than 96: besides the 12 bytes of WAN key, the filter
 * permit's index is gone (the permit's key is the LAN key's remote and the
 * public port, so pg_flow_free() finds it by key; has_permit says whether the
 * flow holds one) and the byte counters are 40 bits (pg_flow_bytes()).
 */
struct pg_flow {
	struct pg_key key;        /* LAN side: FLOW_OUT or PARKED; kind 0 when free */
	uint16_t in_pa, in_pb;    /* the WAN-side key's ports; in_pb is the public port */
	uint32_t next, prev;      /* timer wheel list; next doubles as free list */
	uint32_t last_seen;       /* seconds, rounded up */
	uint32_t alg_state;       /* the helper's own reference; a hairpin flow's WAN remote */
	uint32_t lan_addr;
	uint32_t created;         /* seconds */
	/*
	 * Packed: mapping indices are below PG_MAPPINGS_MAX (2^18), wheel
	 * slots below PG_WHEEL_SLOTS (2^13), host indices below PG_HOSTS_MAX
	 * (2^16), TCP states and helper ids below 8.
	 */
	uint32_t map1 : 19;       /* NAT mapping + 1, 0 for none (GRE, ESP); pg_flow_mapping() */
	uint32_t wheel_slot : 13;
	uint16_t lan_port;
	uint16_t host;            /* per-host counter; every flow in the table has one */
	uint8_t flags;
	uint8_t tcp_state : 3;
	uint8_t alg : 3;          /* enum pg_alg_id */
	uint8_t in_parked : 1;    /* the WAN-side key is PG_KEY_PARKED, not PG_KEY_FLOW_IN */
	uint8_t has_permit : 1;   /* holds a reference on its filter permit */
	/*
	 * Bytes per direction are 40 bits, bytes_hi above bytes_lo: 1 TiB
	 * before they wrap, as the 32-bit packet counts wrap at 2^32 packets.
	 */
	uint8_t bytes_hi[2];
	uint32_t pkts[2];
	uint32_t bytes_lo[2];
};

_Static_assert(sizeof(struct pg_flow) == 72, "flow entry grew: check bytes_per_flow");

/* The NAT mapping flow f holds a reference on, or PG_NONE. */
static inline uint32_t pg_flow_mapping(const struct pg_flow *f)
{
	return f->map1 ? f->map1 - 1u : PG_NONE;
}

static inline void pg_flow_set_mapping(struct pg_flow *f, uint32_t mapping)
{
	f->map1 = mapping == PG_NONE ? 0 : (mapping + 1) & 0x7ffff;
}

/* The WAN-side key's remote address (the server, or a hairpin's other host). */
static inline uint32_t pg_flow_in_addr(const struct pg_flow *f)
{
	return (f->flags & PG_FLOW_HAIRPIN) ? f->alg_state : f->key.b;
}

/*
 * The public port (or echo id) outbound packets get. Flows a helper keyed by
 * SPI or call id have none: their in_pb is the SPI's or public call id's.
 */
static inline uint16_t pg_flow_pub_port(const struct pg_flow *f)
{
	if (f->alg != 0 && (f->key.proto == PG_PROTO_GRE || f->key.proto == PG_PROTO_ESP))
		return 0;
	return f->in_pb;
}

/* Count a packet of len bytes in direction dir (every forwarded packet does). */
static inline void pg_flow_count(struct pg_flow *f, int dir, uint32_t len)
{
	uint32_t lo = f->bytes_lo[dir] + len;

	f->bytes_hi[dir] = (uint8_t)(f->bytes_hi[dir] + (lo < len));
	f->bytes_lo[dir] = lo;
	f->pkts[dir]++;
}

static inline uint64_t pg_flow_bytes(const struct pg_flow *f, int dir)
{
	return (uint64_t)f->bytes_hi[dir] << 32 | f->bytes_lo[dir];
}

/* One endpoint-independent mapping: (proto, LAN host, LAN port) <-> public port. */
struct pg_mapping {
	struct pg_key key[2]; /* [0] PG_KEY_MAP_LAN, [1] PG_KEY_MAP_PUB */
	uint32_t refs;        /* flows using it */
	uint32_t next_free;
	uint32_t hairpin_permit; /* it sent to our own public address (hairpin.c) */
};

/*
 * A single-key pool entry with a reference count (permits, hosts). Their keys
 * only ever use a, pa and proto (b and pb are zero), so only those are kept:
 * 12 bytes instead of a whole key's 16 plus counts.
 */
struct pg_counted {
	uint32_t a;
	uint16_t pa;
	uint8_t proto, kind;
	union {
		uint32_t refs;      /* in use */
		uint32_t next_free; /* on the free list */
	};
};

/* The pools a mapping allocates ports from: TCP, UDP, ICMP ids. */
enum pg_port_space {
	PG_PORTS_TCP = 0,
	PG_PORTS_UDP = 1,
	PG_PORTS_ICMP = 2,
	PG_PORTS__COUNT
};

/*
 * The classes a port choice is limited to (nat.c): system ports 1-1023 or
 * the rest, even or odd. Each space keeps a count of free ports per class so
 * that a choice with none left is refused without scanning the bitmap.
 */
#define PG_PORT_CLASSES 4

/* A port's class: system port or not, then parity. */
static inline unsigned int pg_port_class(uint32_t port)
{
	return (port >= 1024 ? 2u : 0u) | (port & 1);
}

/* Mappings there can ever be: one public port (or ICMP id) each, per space. */
#define PG_MAPPINGS_MAX (PG_PORTS__COUNT * 65536u)

/*
 * LAN hosts with flows at once (the host pool). Every flow names a host, but
 * hosts are far fewer than flows: a /16 of them each holding one flow would
 * already use every public port. Sizing the pool (and its index keys) to
 * max_flows cost 24 bytes per flow; a flow from one host more is refused and
 * counted as drop_table_full.
 */
#define PG_HOSTS_MAX 65536u

#define PG_WHEEL_SLOTS 8192u /* one-second slots: 2h16m ahead */

/* What the packed fields of struct pg_flow rely on. */
_Static_assert(PG_MAPPINGS_MAX < (1u << 19), "pg_flow.map1 is 19 bits");
_Static_assert(PG_HOSTS_MAX <= 65536u, "pg_flow.host is 16 bits");
_Static_assert(PG_WHEEL_SLOTS <= (1u << 13), "pg_flow.wheel_slot is 13 bits");
_Static_assert(PG_TCP_CLOSED < 8, "pg_flow.tcp_state is 3 bits");

/* Fragment tracking (frag.c). */
#define PG_FRAG_BUCKETS 256
#define PG_FRAG_WAYS 4
#define PG_FRAG_RANGES 16 /* fragments per datagram */
#define PG_FRAG_HOLD 64   /* out-of-order fragments held at once */
#define PG_FRAG_LIFE 10   /* seconds a datagram is remembered */
#define PG_FRAG_HEADROOM 64
/*
 * Fragments the engine cuts from packets too big for the egress MTU, per
 * batch: enough for two full bursts of 1500-byte packets cut for a 576-byte
 * link. Each buffer holds one piece after PG_FRAG_HEADROOM bytes.
 */
#define PG_FRAG_OUT 256
#define PG_FRAG_OUT_SIZE 1536
#define PG_EMIT_MAX (PG_FRAG_HOLD + PG_FRAG_OUT)

enum pg_frag_state {
	PG_FRAG_FREE = 0,
	PG_FRAG_PENDING, /* later fragments seen, first not yet */
	PG_FRAG_KNOWN,   /* translation known */
	PG_FRAG_REFUSED, /* the first fragment was not forwarded */
};

/* One fragmented datagram, by its header as received. */
struct pg_frag {
	uint32_t src, dst; /* wire order */
	uint32_t new_addr; /* our address (outbound) or the LAN host (inbound) */
	uint32_t expires;  /* seconds */
	uint16_t id, new_id;
	uint8_t proto, side, state, nranges;
	uint16_t held;
	uint16_t ranges[PG_FRAG_RANGES][2]; /* offset / 8, end */
};

struct pg_frag_buf {
	uint32_t entry;
	uint16_t len;
	uint8_t used; /* 0 free, 1 held, 2 handed to the caller this run */
	uint8_t ttl;
	uint8_t data[2048];
};

#define PG_ALG_PORTS_MAX 8 /* all helpers' declared ports together */

struct pg_engine {
	struct pg_engine_config cfg;
	uint32_t lan_mask, wan_mask; /* network order */
	uint64_t counters[PG_CNT__COUNT];

	/* hash index over every key of every pool */
	uint64_t *slots; /* (hash << 32) | ref; empty when ref == PG_NONE */
	uint32_t nslots; /* not a power of two: sized to the keys there can be */

	struct pg_flow *flows;
	struct pg_mapping *mappings;
	struct pg_counted *permits;
	struct pg_counted *hosts;
	uint32_t pool_size;    /* entries in the flow and permit pools (= max_flows) */
	uint32_t mapping_pool; /* entries in the mapping pool */
	uint32_t host_pool;    /* entries in the host pool (PG_HOSTS_MAX at most) */
	uint32_t free_flow, free_mapping, free_permit, free_host;
	uint32_t nflows;
	uint32_t nflows_proto[PG_FP__COUNT]; /* nflows by protocol (observe.h) */
	bool fast_off; /* pg_engine_set_fast_path(e, false) */
	bool tunnel_up; /* pg_engine_set_tunnel_up(): cfg.tunnel's peer answers */
	/* The XDP fast path's flows (offload.c): one bit per flow entry, the pending operations. */
	bool offload_on, offload_flush;
	uint64_t *offload_bits;
	uint32_t noffload, noffload_ops;
	struct pg_offload_op offload_ops[PG_OFFLOAD_OPS];
	/* every helper's declared ports, network order (pg_alg_ports_init()) */
	uint16_t alg_ports[PG_ALG_PORTS_MAX];
	uint8_t n_alg_ports;

	uint64_t *ports_used[PG_PORTS__COUNT];     /* one bit per public port */
	uint64_t *ports_reserved[PG_PORTS__COUNT]; /* forwarded: never mapped */
	/* ports neither used nor reserved, by class (port 0 of TCP/UDP never) */
	uint32_t ports_free[PG_PORTS__COUNT][PG_PORT_CLASSES];
	uint64_t rng;
	struct pg_portdir *dir; /* shared with the other workers' engines, or NULL */

	uint32_t wheel[PG_WHEEL_SLOTS];
	uint32_t wheel_now; /* every slot before this second is processed */
	bool wheel_started;

	void *alg_state[8]; /* each helper's pool, by enum pg_alg_id */

	struct pg_frag frags[PG_FRAG_BUCKETS * PG_FRAG_WAYS];
	struct pg_frag_buf frag_bufs[PG_FRAG_HOLD];
	struct pg_pkt emit[PG_EMIT_MAX]; /* pg_engine_emitted(): held, then cut */
	unsigned int nemit;
	uint8_t frag_out[PG_FRAG_OUT][PG_FRAG_HEADROOM + PG_FRAG_OUT_SIZE];
	unsigned int nfrag_out;
	uint16_t frag_next_id;

	/* events for the logs (observe.c): a ring, oldest dropped when full */
	struct pg_event events[256];
	uint32_t ev_head, ev_tail;
	uint64_t now_ms; /* time of the batch being processed */
	uint32_t last_full_event_s;

	/* ICMP error token bucket, in milli-tokens */
	uint64_t icmp_tokens;
	uint64_t icmp_last_ms;
	uint16_t ip_id;

	struct pg_sync_ring *sync; /* change records for a standby (sync_export.c), or NULL */
	struct pg_v6 *v6; /* IPv6 firewall state (forward6.c) */
};

/*
 * sync_export.c: flow idx was created or changed, or flow f is about to be
 * freed; recorded for the standby only when sync is on (one branch otherwise).
 */
void pg_sync_push_changed(struct pg_engine *e, uint32_t idx);
void pg_sync_push_gone(struct pg_engine *e, const struct pg_flow *f);

static inline void pg_sync_note(struct pg_engine *e, uint32_t idx)
{
	if (__builtin_expect(e->sync != NULL, 0))
		pg_sync_push_changed(e, idx);
}

static inline void pg_sync_note_gone(struct pg_engine *e, const struct pg_flow *f)
{
	if (__builtin_expect(e->sync != NULL, 0))
		pg_sync_push_gone(e, f);
}

/* observe.c: record an event for the logs */
void pg_event_push(struct pg_engine *e, enum pg_event_kind kind, uint32_t client, uint32_t server,
		   uint16_t client_port, uint16_t server_port, uint16_t pub_port, uint32_t a,
		   uint32_t b);
void pg_event_flow(struct pg_engine *e, enum pg_event_kind kind, const struct pg_flow *f,
		   uint32_t a, uint32_t b);

/* engine.c */
/* The next hop towards dst on the WAN side: dst itself on the WAN's own prefix. */
static inline uint32_t pg_wan_next_hop(const struct pg_engine *e, uint32_t dst)
{
	return ((dst ^ e->cfg.wan_addr) & e->wan_mask) ? e->cfg.wan_gateway : dst;
}

static inline void pg_count(struct pg_engine *e, enum pg_counter c)
{
	e->counters[c]++;
}

static inline void pg_drop(struct pg_engine *e, struct pg_pkt *pkt, enum pg_counter c)
{
	pkt->verdict = PG_VERDICT_DROP;
	pkt->drop_reason = (uint16_t)c;
	e->counters[c]++;
}

static inline void pg_key_fill(struct pg_key *k, enum pg_key_kind kind, uint8_t proto,
			       uint32_t a, uint32_t b, uint16_t pa, uint16_t pb)
{
	k->a = a;
	k->b = b;
	k->pa = pa;
	k->pb = pb;
	k->proto = proto;
	k->kind = (uint8_t)kind;
	k->zero = 0;
}

/*
 * portfwd.c: port forwards and the DMZ host. "forward" alone means moving a
 * packet on (forward.c); a port forward is always "portfwd".
 */
void pg_portfwd_reserve(struct pg_engine *e);
/*
 * The IPv4 forward for an inbound packet of proto to public port dport (wire
 * order; ignored for GRE and ESP), or NULL. Forwards never overlap
 * (pg_portfwd_conflict()), so it is the only one.
 */
const struct pg_port_forward *pg_portfwd_rule(const struct pg_engine *e, uint8_t proto,
					      uint16_t dport);
struct pg_flow *pg_portfwd_match(struct pg_engine *e, struct pg_pkt *pkt,
				  const struct pg_parsed *p, uint64_t now_ms, bool *claimed);
struct pg_flow *pg_dmz(struct pg_engine *e, struct pg_pkt *pkt, const struct pg_parsed *p,
		       uint64_t now_ms);
/*
 * Does an IPv6 pinhole open proto to host (as on the wire) on port dport
 * (wire order; ignored for GRE and ESP)? forward6.c asks for new inbound flows.
 */
bool pg_portfwd_pinhole6(const struct pg_engine *e, uint8_t proto, const uint8_t *host,
			 uint16_t dport);

/* local.c: the gateway's own traffic (host path) */
int pg_local_config_check(const struct pg_engine_config *c, const char **why);
bool pg_local_route(const struct pg_engine *e, uint32_t dst);
/* Is LAN source src selected for the tunnel ([tunnel] route minus bypass)? */
bool pg_local_tunnelled(const struct pg_engine *e, uint32_t src);
/*
 * A selected host's packet leaving the LAN: up to the host's tunnel, or
 * drop_tunnel_down while it is down. false: the kill switch is off and the
 * tunnel down, forward it as any other.
 */
bool pg_local_tunnel(struct pg_engine *e, struct pg_pkt *pkt);
bool pg_local_admit(const struct pg_engine *e, const struct pg_parsed *p);
/* Does [input] wan open proto and dport (network order) of the gateway's WAN addresses? */
bool pg_local_admit_wan(const struct pg_engine *e, uint8_t proto, uint16_t dport);
void pg_local_settle(struct pg_engine *e, struct pg_pkt *pkt);

/* hairpin.c: LAN hosts reaching LAN services through the public address */
bool pg_hairpin(struct pg_engine *e, struct pg_pkt *pkt, const struct pg_parsed *p,
		uint64_t now_ms);
void pg_hairpin_translate(struct pg_engine *e, struct pg_pkt *pkt, const struct pg_parsed *p,
			  struct pg_flow *f, int dir);

/* forward.c: translation, and flows with keys chosen by a helper */
struct pg_flow *pg_flow_new(struct pg_engine *e, struct pg_pkt *pkt, uint8_t proto, uint32_t lan,
			    uint16_t lport, uint32_t rem, uint16_t rport, uint32_t mapping,
			    uint16_t pub, uint32_t now_s);
void pg_rewrite(struct pg_pkt *pkt, const struct pg_parsed *p, const struct pg_flow *f,
		bool is_src, uint32_t new_addr, uint16_t new_port);
/* The fast path for a packet of flow f in direction dir: check, track, rewrite, route. */
void pg_forward_flow(struct pg_engine *e, struct pg_pkt *pkt, const struct pg_parsed *p,
		     struct pg_flow *f, int dir, uint64_t now_ms);
void pg_forward_out(struct pg_engine *e, struct pg_pkt *pkt, const struct pg_parsed *p,
		    uint64_t now_ms);
void pg_forward_in(struct pg_engine *e, struct pg_pkt *pkt, const struct pg_parsed *p,
		   uint64_t now_ms);
/*
 * A flow with LAN-side key out and WAN-side key in (whose in->pb is the
 * public port); NULL when the flow or host table is full or in is not a key
 * struct pg_flow can rebuild.
 */
struct pg_flow *pg_flow_create_keys(struct pg_engine *e, const struct pg_key *out,
				    const struct pg_key *in, uint32_t lan_addr, uint16_t lan_port,
				    uint32_t now_s);
void pg_flow_rekey(struct pg_engine *e, struct pg_flow *f, int which, const struct pg_key *k);

/* flow.c: the hash index, the pools and the timer wheel */
static inline uint32_t pg_key_hash(const struct pg_engine *e, const struct pg_key *k)
{
	uint64_t m[2];

	memcpy(m, k, sizeof(m));
	return (uint32_t)pg_siphash_2w(e->cfg.hash_seed, m[0], m[1]);
}

static inline bool pg_key_eq(const struct pg_key *x, const struct pg_key *y)
{
	uint64_t a[2], b[2];

	memcpy(a, x, sizeof(a));
	memcpy(b, y, sizeof(b));
	return ((a[0] ^ b[0]) | (a[1] ^ b[1])) == 0;
}

/* Flow f's WAN-side key, rebuilt (see struct pg_flow). */
static inline void pg_flow_in_key(const struct pg_engine *e, const struct pg_flow *f,
				  struct pg_key *k)
{
	pg_key_fill(k, f->in_parked ? PG_KEY_PARKED : PG_KEY_FLOW_IN, f->key.proto,
		    pg_flow_in_addr(f), e->cfg.wan_addr, f->in_pa, f->in_pb);
}

/* Flow f's key which (PG_DIR_OUT: the stored one, PG_DIR_IN: rebuilt). */
static inline void pg_flow_key(const struct pg_engine *e, const struct pg_flow *f, int which,
			       struct pg_key *k)
{
	if (which == PG_DIR_OUT)
		*k = f->key;
	else
		pg_flow_in_key(e, f, k);
}

/* The whole key of a permit or host entry. */
static inline void pg_counted_key(const struct pg_counted *c, struct pg_key *k)
{
	pg_key_fill(k, (enum pg_key_kind)c->kind, c->proto, c->a, 0, c->pa, 0);
}

/* Is k the key that slot reference ref names? */
static inline bool pg_ref_matches(const struct pg_engine *e, uint32_t ref, const struct pg_key *k)
{
	uint32_t idx = PG_REF_IDX(ref);
	struct pg_key ck;

	switch (PG_REF_TYPE(ref)) {
	case PG_REF_FLOW:
		if (PG_REF_WHICH(ref) == PG_DIR_OUT)
			return pg_key_eq(&e->flows[idx].key, k);
		pg_flow_in_key(e, &e->flows[idx], &ck);
		return pg_key_eq(&ck, k);
	case PG_REF_MAPPING:
		return pg_key_eq(&e->mappings[idx].key[PG_REF_WHICH(ref)], k);
	case PG_REF_PERMIT:
		pg_counted_key(&e->permits[idx], &ck);
		return pg_key_eq(&ck, k);
	default:
		pg_counted_key(&e->hosts[idx], &ck);
		return pg_key_eq(&ck, k);
	}
}

/* A key's home slot: the hash scaled to the table (Lemire's multiply-shift). */
static inline uint32_t pg_slot_home(const struct pg_engine *e, uint32_t hash)
{
	return (uint32_t)(((uint64_t)hash * e->nslots) >> 32);
}

static inline uint32_t pg_slot_next(const struct pg_engine *e, uint32_t i)
{
	return i + 1 == e->nslots ? 0 : i + 1;
}

/* The reference indexed under key k (whose hash is given), or PG_NONE. */
static inline uint32_t pg_index_find(const struct pg_engine *e, const struct pg_key *k,
				     uint32_t hash)
{
	uint32_t i = pg_slot_home(e, hash);

	for (;;) {
		uint64_t s = e->slots[i];
		uint32_t ref = (uint32_t)s;

		if (ref == PG_NONE)
			return PG_NONE;
		if ((uint32_t)(s >> 32) == hash && pg_ref_matches(e, ref, k))
			return ref;
		i = pg_slot_next(e, i);
	}
}

void pg_index_insert(struct pg_engine *e, uint32_t hash, uint32_t ref);
void pg_index_remove(struct pg_engine *e, const struct pg_key *k, uint32_t ref);
struct pg_flow *pg_flow_lookup(struct pg_engine *e, const struct pg_key *k);
uint32_t pg_flow_alloc(struct pg_engine *e, uint32_t now_s);
/* Make sure one flow can be allocated, evicting if the pool is empty. */
bool pg_flow_make_room(struct pg_engine *e);
void pg_flow_insert(struct pg_engine *e, uint32_t idx, uint32_t now_s);
void pg_flow_free(struct pg_engine *e, uint32_t idx);
void pg_flow_expire(struct pg_engine *e, uint32_t now_s);
/* Move flow f to the wheel slot of due time due (flow.c). */
void pg_flow_rewheel(struct pg_engine *e, struct pg_flow *f, uint32_t due);

/* Seconds a flow lives idle, by protocol and TCP state. */
static inline uint32_t pg_flow_timeout(const struct pg_engine *e, const struct pg_flow *f)
{
	const struct pg_timeouts *t = &e->cfg.timeouts;

	switch (f->key.proto) {
	case PG_PROTO_TCP:
		switch (f->tcp_state) {
		case PG_TCP_ESTABLISHED:
			return t->tcp_established;
		case PG_TCP_TIME_WAIT:
			return t->tcp_time_wait;
		default:
			return t->tcp_transitory;
		}
	case PG_PROTO_UDP:
		return t->udp;
	case PG_PROTO_ICMP:
		return t->icmp;
	case PG_PROTO_GRE:
		return t->gre;
	case PG_PROTO_ESP:
		return t->esp;
	default:
		return t->other;
	}
}

/* A packet refreshed flow f at now_s (inline: every forwarded packet does it). */
static inline void pg_flow_touch(struct pg_engine *e, struct pg_flow *f, uint32_t now_s)
{
	uint32_t due;

	f->last_seen = now_s;
	/*
	 * A refresh normally only moves the due time later, which the wheel
	 * notices when it reaches the old slot. A state change can bring the due
	 * time earlier (a RST, a close): then the flow must move now.
	 */
	due = now_s + pg_flow_timeout(e, f);
	if (((f->wheel_slot - e->wheel_now) & (PG_WHEEL_SLOTS - 1)) >
	    (uint32_t)(due > e->wheel_now ? due - e->wheel_now : 0))
		pg_flow_rewheel(e, f, due);
}
uint32_t pg_counted_get(struct pg_engine *e, struct pg_counted *pool, uint32_t *free_head,
			enum pg_ref_type type, const struct pg_key *k);
void pg_counted_put(struct pg_engine *e, struct pg_counted *pool, uint32_t *free_head,
		    enum pg_ref_type type, uint32_t idx);
/* Bytes of the index and pools for max_flows; the slot, mapping and host counts. */
size_t pg_pools_size(uint32_t max_flows, uint32_t *nslots, uint32_t *nmappings,
		     uint32_t *nhosts);

/* nat.c: endpoint-independent mappings and public ports */
uint32_t pg_mapping_get(struct pg_engine *e, uint8_t proto, uint32_t lan, uint16_t lan_port);
/* pg_mapping_get() for the flow with LAN key out (a, pa, proto), warming its slots. */
uint32_t pg_mapping_get_flow(struct pg_engine *e, const struct pg_key *out);
uint32_t pg_mapping_find_pub(struct pg_engine *e, uint8_t proto, uint16_t pub_port);
/* A mapping for (proto, lan, lan_port) on public port lan_port exactly, or PG_NONE. */
uint32_t pg_mapping_get_fixed(struct pg_engine *e, uint8_t proto, uint32_t lan,
			      uint16_t lan_port);
void pg_mapping_put(struct pg_engine *e, uint32_t idx);
/* The mapping of (proto, lan, lan_port) if there is one, else PG_NONE; no reference. */
uint32_t pg_mapping_find_lan(struct pg_engine *e, uint8_t proto, uint32_t lan, uint16_t lan_port);
/*
 * Which LAN socket holds public port pub_port (network order): this
 * engine's mapping, or another worker's (the shared directory). True with
 * *lan and *lan_port (network order) set.
 */
bool pg_mapping_owner(struct pg_engine *e, uint8_t proto, uint16_t pub_port, uint32_t *lan,
		      uint16_t *lan_port);
/* A mapping of (proto, lan, lan_port) on public port pub_port (network order), or PG_NONE. */
uint32_t pg_mapping_get_on(struct pg_engine *e, uint8_t proto, uint32_t lan, uint16_t lan_port,
			   uint16_t pub_port);
/*
 * With several workers: LAN socket (lan, lan_port) has sent to the public
 * address itself, and the test by public port (hairpin.c).
 */
void pg_mapping_note_self(struct pg_engine *e, uint8_t proto, uint32_t lan, uint16_t lan_port);
bool pg_mapping_sent_self(struct pg_engine *e, uint8_t proto, uint16_t pub_port);
/*
 * Could pg_mapping_get() give (proto, lan, lan_port) a mapping? False only
 * when it has none and no port it may be given is free: O(1), so a flood of
 * new flows is refused before it evicts or scans anything.
 */
bool pg_mapping_possible(struct pg_engine *e, uint8_t proto, uint32_t lan, uint16_t lan_port);
/*
 * Free-port bookkeeping of one port space, for the engine's own bitmaps and
 * the workers' shared directory alike: mark port used (or free again) in
 * used and keep n[PG_PORT_CLASSES], the free ports by class that are not in
 * rsv (reserved ports were never counted); or count n from scratch.
 */
void pg_ports_take(uint64_t *used, const uint64_t *rsv, uint32_t *n, int space, uint32_t port);
void pg_ports_release(uint64_t *used, const uint64_t *rsv, uint32_t *n, int space, uint32_t port);
void pg_ports_count(const uint64_t *used, const uint64_t *rsv, int space, uint32_t *n);
/* Count the free ports per class again: after the reserved ports changed. */
void pg_nat_recount(struct pg_engine *e);
/* Do the free-port counts match the bitmaps? For tests; a full scan. */
bool pg_nat_counts_valid(const struct pg_engine *e);
void pg_nat_init(struct pg_engine *e);

/* fastpath.c: established UDP/TCP flows without helpers, a chunk at a time */
#define PG_FAST_CHUNK 64
struct pg_fast_chunk {
	struct pg_key key[PG_FAST_CHUNK];
	uint32_t hash[PG_FAST_CHUNK];
	bool ok[PG_FAST_CHUNK]; /* a fast-path candidate: key and hash are set */
	/* likely new outbound flows: what their slow path will look up */
	bool is_new[PG_FAST_CHUNK];
	uint32_t map_hash[PG_FAST_CHUNK], host_hash[PG_FAST_CHUNK], map_ref[PG_FAST_CHUNK];
};
/* Stages 1 and 2: find candidates, hash their keys, prefetch slots and flows. */
void pg_fast_prepare(struct pg_engine *e, const struct pg_pkt *pkts, unsigned int n,
		     struct pg_fast_chunk *c);
/* Translate packet i of the chunk if its flow allows; false: use the full path. */
bool pg_fast_forward(struct pg_engine *e, const struct pg_fast_chunk *c, unsigned int i,
		     struct pg_pkt *pkt, uint64_t now_ms);
/*
 * Translate a TCP or UDP packet (not a later fragment) of a flow without a
 * helper: address and port, TTL, both checksums in one incremental step,
 * verdict and next hop. The fast lane and the slow path's no-helper case
 * share it, so test_fastpath compares the choice of path, not two rewrites.
 */
void pg_translate_plain(struct pg_engine *e, struct pg_pkt *pkt, const struct pg_flow *f, int dir,
			unsigned int ihl, uint8_t proto);

/* alg.c: fill e->alg_ports from the helpers' declarations. */
void pg_alg_ports_init(struct pg_engine *e);

/* Does a helper declare this port (network order), in any protocol? */
static inline bool pg_alg_port_claimed(const struct pg_engine *e, uint16_t port_n)
{
	for (unsigned int i = 0; i < e->n_alg_ports; i++)
		if (e->alg_ports[i] == port_n)
			return true;
	return false;
}

/* tcp.c: connection state */
void pg_tcp_track(struct pg_flow *f, int dir, uint8_t tcp_flags);

/* offload.c: after a flow's packet was forwarded (fast or full path): offer it or take it back. */
void pg_offload_note(struct pg_engine *e, uint32_t idx, const struct pg_flow *f);
/* pg_flow_free(): the flow goes, so do its map entries. */
void pg_offload_forget(struct pg_engine *e, uint32_t idx);
/* Every offered flow out at once (reconfiguration, offload off). */
void pg_offload_flush(struct pg_engine *e);
/*
 * A new operation at the end of the list, its flow marked offered or not
 * by the caller; NULL when the list was full and a flush was asked for
 * instead (everything already offered is taken back).
 */
struct pg_offload_op *pg_offload_op_new(struct pg_engine *e);
/* pkts packets XDP forwarded (out: LAN to WAN), on the engine's counters as if it had. */
void pg_offload_count_forwarded(struct pg_engine *e, bool out, uint64_t pkts);

/* icmp.c: answers and errors the gateway generates itself */
void pg_icmp_echo_reply(struct pg_engine *e, struct pg_pkt *pkt, const struct pg_parsed *p);
/* Turn pkt into an ICMP error about itself; rest is the header's second word. */
void pg_icmp_error(struct pg_engine *e, struct pg_pkt *pkt, uint8_t type, uint8_t code,
		   uint32_t rest, uint64_t now_ms);
/*
 * A LAN host's packet was refused: answer a segment of an unknown TCP
 * connection with a reset, a new flow with code 13 if [icmp]
 * refused_outbound says so.
 */
void pg_icmp_refuse_new(struct pg_engine *e, struct pg_pkt *pkt, const struct pg_parsed *p,
			uint64_t now_ms);

/* frag.c: fragments */
void pg_frag_later(struct pg_engine *e, struct pg_pkt *pkt, const struct pg_parsed *p,
		   uint64_t now_ms);
void pg_frag_first(struct pg_engine *e, struct pg_pkt *pkt, uint32_t saddr, uint32_t daddr,
		   uint8_t proto, uint16_t id, uint8_t side, uint16_t l4_len, uint64_t now_ms);
void pg_frag_run_start(struct pg_engine *e);
void pg_frag_expire(struct pg_engine *e, uint32_t now_s);

/* mtu.c: packets too big for the egress link, and TCP MSS clamping */
bool pg_mtu_exceeded(struct pg_engine *e, struct pg_pkt *pkt, int to_side, uint64_t now_ms);
/* Fragment a forwarded packet larger than its egress MTU (RFC 791); no DF. */
void pg_mtu_fit(struct pg_engine *e, struct pg_pkt *pkt);
void pg_mss_clamp(struct pg_engine *e, struct pg_pkt *pkt, const struct pg_parsed *p);
bool pg_icmp_checksum_ok(const struct pg_pkt *pkt, const struct pg_parsed *p);

/* icmp_xlate.c: errors about translated flows */
bool pg_icmp_is_error(uint8_t type);
void pg_icmp_error_xlate(struct pg_engine *e, struct pg_pkt *pkt, const struct pg_parsed *p);
/* A LAN host's error to the public address about a hairpin flow; false: not one. */
bool pg_icmp_error_hairpin(struct pg_engine *e, struct pg_pkt *pkt, const struct pg_parsed *p);

#endif /* PG_ENGINE_INTERNAL_H */
