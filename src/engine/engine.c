/* SPDX-License-Identifier: MIT */
/*
 * engine.c - the batch entry point: classify each packet, then translate,
 * answer or drop it.
 *
 * DOC: Theory of operation
 *
 * A packet is parsed once (parse.c). Packets for the gateway itself are
 * answered (ping) or handed up. Forwarded packets take the fast path when
 * their tuple is already in the index: rewrite addresses and ports, fix
 * checksums incrementally, refresh the flow. Only a miss takes the slow path
 * that may create state: a NAT mapping and a flow for an outbound packet, or,
 * for an inbound packet towards an existing mapping, a flow when filtering
 * allows it. State is never created for a packet that will not be forwarded.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "csum.h"
#include "engine_internal.h"

#define BROADCAST 0xffffffffu

void pg_engine_config_defaults(struct pg_engine_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->filtering = PG_FILTER_ADDRESS_DEPENDENT;
	cfg->timeouts.tcp_established = 7440;
	cfg->timeouts.tcp_transitory = 240;
	cfg->timeouts.tcp_time_wait = 120;
	cfg->timeouts.udp = 300;
	cfg->timeouts.icmp = 60;
	cfg->timeouts.gre = 7440;
	cfg->timeouts.esp = 1800;
	cfg->timeouts.other = 600;
	cfg->max_flows = 1u << 20;
	cfg->max_flows_per_host = 16384;
	cfg->icmp_error_rate = 100;
	cfg->icmp_error_burst = 50;
}

static uint32_t prefix_mask(uint8_t len)
{
	return htonl(len ? ~0u << (32 - len) : 0);
}

int pg_engine_config_validate(const struct pg_engine_config *c, const char **why)
{
	const struct pg_timeouts *t = &c->timeouts;
	uint32_t common;

	*why = NULL;
	if (c->lan_prefix > 30 || c->lan_prefix < 1)
		*why = "LAN prefix must be 1..30";
	else if (c->wan_prefix > 32 || c->wan_prefix < 1)
		*why = "WAN prefix must be 1..32";
	else if (!c->lan_addr || !c->wan_addr)
		*why = "LAN and WAN addresses are required";
	else if (c->max_flows < 1024 || c->max_flows > (1u << 24))
		*why = "max_flows must be 1024..16777216";
	else if (t->tcp_established < 7440)
		*why = "tcp_established below RFC 5382's 2h4m";
	else if (t->tcp_transitory < 240)
		*why = "tcp_transitory below RFC 5382's 4m";
	else if (t->udp < 120)
		*why = "udp below RFC 4787's 2m";
	else if (t->icmp < 60)
		*why = "icmp below RFC 5508's 60s";
	else if (!t->tcp_time_wait || !t->gre || !t->esp || !t->other)
		*why = "timeouts must be at least 1s";
	else if (c->filtering != PG_FILTER_ADDRESS_DEPENDENT &&
		 c->filtering != PG_FILTER_ENDPOINT_INDEPENDENT)
		*why = "unknown filtering mode";
	if (*why)
		return -EINVAL;
	common = c->lan_prefix < c->wan_prefix ? c->lan_prefix : c->wan_prefix;
	if (((c->lan_addr ^ c->wan_addr) & prefix_mask((uint8_t)common)) == 0) {
		*why = "LAN and WAN prefixes overlap";
		return -EINVAL;
	}
	if (c->wan_gateway &&
	    ((c->wan_gateway ^ c->wan_addr) & prefix_mask(c->wan_prefix)) != 0) {
		*why = "WAN gateway outside the WAN prefix";
		return -EINVAL;
	}
	return 0;
}

static size_t port_bitmap_bytes(void)
{
	return 65536 / 8;
}

size_t pg_engine_memory_size(const struct pg_engine_config *cfg)
{
	return sizeof(struct pg_engine) + pg_pools_size(cfg->max_flows, NULL) +
	       PG_PORTS__COUNT * port_bitmap_bytes();
}

size_t pg_engine_bytes_per_flow(const struct pg_engine_config *cfg)
{
	return pg_pools_size(cfg->max_flows, NULL) / cfg->max_flows;
}

static void apply_config(struct pg_engine *e, const struct pg_engine_config *cfg)
{
	uint32_t max_flows = e->cfg.max_flows;
	uint64_t seed0 = e->cfg.hash_seed[0], seed1 = e->cfg.hash_seed[1];
	bool keep_seed = e->pool_size != 0;

	e->cfg = *cfg;
	if (keep_seed) {
		/* Sizes and the hash key are fixed for the engine's life. */
		e->cfg.max_flows = max_flows;
		e->cfg.hash_seed[0] = seed0;
		e->cfg.hash_seed[1] = seed1;
	}
	e->lan_mask = prefix_mask(cfg->lan_prefix);
	e->wan_mask = prefix_mask(cfg->wan_prefix);
}

static void free_list(uint32_t n, void *base, size_t stride, size_t link_off, uint32_t *head)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		uint32_t next = i + 1 < n ? i + 1 : PG_NONE;

		memcpy((uint8_t *)base + i * stride + link_off, &next, sizeof(next));
	}
	*head = n ? 0 : PG_NONE;
}

struct pg_engine *pg_engine_create(const struct pg_engine_config *cfg)
{
	struct pg_engine *e;
	const char *why;
	uint32_t nslots, n = cfg->max_flows, i;
	uint8_t *mem;
	size_t pools;

	if (pg_engine_config_validate(cfg, &why)) {
		errno = EINVAL;
		return NULL;
	}
	pools = pg_pools_size(n, &nslots);
	e = calloc(1, sizeof(*e));
	mem = calloc(1, pools + PG_PORTS__COUNT * port_bitmap_bytes());
	if (!e || !mem) {
		free(e);
		free(mem);
		errno = ENOMEM;
		return NULL;
	}
	apply_config(e, cfg);
	e->slots = (uint64_t *)mem;
	e->slot_mask = nslots - 1;
	mem += (size_t)nslots * sizeof(uint64_t);
	e->flows = (struct pg_flow *)mem;
	mem += (size_t)n * sizeof(struct pg_flow);
	e->mappings = (struct pg_mapping *)mem;
	mem += (size_t)n * sizeof(struct pg_mapping);
	e->permits = (struct pg_counted *)mem;
	mem += (size_t)n * sizeof(struct pg_counted);
	e->hosts = (struct pg_counted *)mem;
	mem += (size_t)n * sizeof(struct pg_counted);
	for (i = 0; i < PG_PORTS__COUNT; i++) {
		e->ports_used[i] = (uint64_t *)mem;
		mem += port_bitmap_bytes();
	}
	for (i = 0; i < nslots; i++)
		e->slots[i] = PG_NONE;
	for (i = 0; i < PG_WHEEL_SLOTS; i++)
		e->wheel[i] = PG_NONE;
	e->pool_size = n;
	free_list(n, e->flows, sizeof(*e->flows), offsetof(struct pg_flow, next), &e->free_flow);
	free_list(n, e->mappings, sizeof(*e->mappings), offsetof(struct pg_mapping, next_free),
		  &e->free_mapping);
	free_list(n, e->permits, sizeof(*e->permits), offsetof(struct pg_counted, next_free),
		  &e->free_permit);
	free_list(n, e->hosts, sizeof(*e->hosts), offsetof(struct pg_counted, next_free),
		  &e->free_host);
	pg_nat_init(e);
	return e;
}

void pg_engine_destroy(struct pg_engine *e)
{
	if (!e)
		return;
	free(e->slots);
	free(e);
}

int pg_engine_reconfigure(struct pg_engine *e, const struct pg_engine_config *cfg)
{
	const char *why;
	int r = pg_engine_config_validate(cfg, &why);

	if (r)
		return r;
	apply_config(e, cfg);
	return 0;
}

const uint64_t *pg_engine_counters(const struct pg_engine *e)
{
	return e->counters;
}

uint32_t pg_engine_flow_count(const struct pg_engine *e)
{
	return e->nflows;
}

static uint32_t now_seconds_up(uint64_t now_ms)
{
	return (uint32_t)((now_ms + 999) / 1000);
}

void pg_engine_tick(struct pg_engine *e, uint64_t now_ms)
{
	pg_flow_expire(e, (uint32_t)(now_ms / 1000));
}

/* ---- address classes ---------------------------------------------------- */

static bool in_lan(const struct pg_engine *e, uint32_t a)
{
	return ((a ^ e->cfg.lan_addr) & e->lan_mask) == 0;
}

static bool is_multicast(uint32_t a)
{
	return (ntohl(a) >> 28) == 14;
}

static bool for_gateway(const struct pg_engine *e, const struct pg_pkt *pkt, uint32_t dst)
{
	if (dst == e->cfg.wan_addr)
		return true;
	if (pkt->side != PG_SIDE_LAN)
		return false;
	return dst == e->cfg.lan_addr || dst == BROADCAST || is_multicast(dst) ||
	       dst == (e->cfg.lan_addr | ~e->lan_mask);
}

/* ---- rewriting ---------------------------------------------------------- */

static void decrement_ttl(uint8_t *ip)
{
	uint16_t csum = pg_get16(ip + PG_IP_OFF_CSUM);
	uint16_t old_word = pg_get16(ip + PG_IP_OFF_TTL);

	ip[PG_IP_OFF_TTL]--;
	pg_csum_replace16(&csum, old_word, pg_get16(ip + PG_IP_OFF_TTL));
	pg_put16(ip + PG_IP_OFF_CSUM, csum);
}

/* Offset of the checksum a port or address change must update, or 0. */
static unsigned int l4_csum_offset(const struct pg_parsed *p)
{
	if (p->frag_off)
		return 0;
	switch (p->proto) {
	case PG_PROTO_TCP:
		return p->ihl + PG_TCP_OFF_CSUM;
	case PG_PROTO_UDP:
		return p->ihl + PG_UDP_OFF_CSUM;
	case PG_PROTO_ICMP:
		return p->ihl + PG_ICMP_OFF_CSUM;
	default:
		return 0;
	}
}

/*
 * Rewrite one address (source when is_src) and, for TCP/UDP/ICMP echo, the
 * matching port or identifier. Checksums follow incrementally.
 */
static void rewrite(struct pg_pkt *pkt, const struct pg_parsed *p, bool is_src,
		    uint32_t new_addr, uint16_t new_port)
{
	uint8_t *ip = pkt->l3;
	unsigned int aoff = is_src ? PG_IP_OFF_SADDR : PG_IP_OFF_DADDR;
	unsigned int coff = l4_csum_offset(p), poff = 0;
	uint32_t old_addr = pg_get32(ip + aoff);
	uint16_t csum = pg_get16(ip + PG_IP_OFF_CSUM), l4c = 0, old_port = 0;
	bool pseudo = p->proto == PG_PROTO_TCP || p->proto == PG_PROTO_UDP;
	bool has_l4c = coff != 0;

	pg_csum_replace32(&csum, old_addr, new_addr);
	pg_put16(ip + PG_IP_OFF_CSUM, csum);
	pg_put32(ip + aoff, new_addr);

	if (p->proto == PG_PROTO_TCP || p->proto == PG_PROTO_UDP)
		poff = p->ihl + (is_src ? 0 : 2);
	else if (p->proto == PG_PROTO_ICMP)
		poff = p->ihl + PG_ICMP_OFF_ID;
	if (p->frag_off)
		poff = 0;

	if (has_l4c) {
		l4c = pg_get16(ip + coff);
		/* UDP checksum 0 means "none" (RFC 768): leave it so. */
		if (p->proto == PG_PROTO_UDP && l4c == 0)
			has_l4c = false;
	}
	if (has_l4c && pseudo)
		pg_csum_replace32(&l4c, old_addr, new_addr);
	if (poff) {
		old_port = pg_get16(ip + poff);
		pg_put16(ip + poff, new_port);
		if (has_l4c)
			pg_csum_replace16(&l4c, old_port, new_port);
	}
	if (has_l4c) {
		if (p->proto == PG_PROTO_UDP && l4c == 0)
			l4c = 0xffff;
		pg_put16(ip + coff, l4c);
	}
}

static void account(struct pg_flow *f, int dir, const struct pg_pkt *pkt)
{
	f->pkts[dir]++;
	f->bytes[dir] += pkt->len;
}

static void forward(struct pg_engine *e, struct pg_pkt *pkt, int to_side)
{
	uint32_t dst = pg_get32(pkt->l3 + PG_IP_OFF_DADDR);

	decrement_ttl(pkt->l3);
	if (to_side == PG_SIDE_LAN) {
		pkt->verdict = PG_VERDICT_TO_LAN;
		pkt->next_hop = dst;
	} else {
		pkt->verdict = PG_VERDICT_TO_WAN;
		pkt->next_hop = ((dst ^ e->cfg.wan_addr) & e->wan_mask) ? e->cfg.wan_gateway : dst;
	}
}

/* ---- keys ----------------------------------------------------------------- */

/* Port pair as a flow key sees it: echo requests carry the id as source. */
static void l4_ports(const struct pg_parsed *p, uint16_t *sport, uint16_t *dport)
{
	if (p->proto == PG_PROTO_ICMP) {
		*sport = p->icmp_type == PG_ICMP_ECHO_REQUEST ? p->sport : 0;
		*dport = p->icmp_type == PG_ICMP_ECHO_REPLY ? p->sport : 0;
		return;
	}
	*sport = p->sport;
	*dport = p->dport;
}

static void key_fill(struct pg_key *k, enum pg_key_kind kind, uint8_t proto, uint32_t a,
		     uint32_t b, uint16_t pa, uint16_t pb)
{
	memset(k, 0, sizeof(*k));
	k->kind = (uint8_t)kind;
	k->proto = proto;
	k->a = a;
	k->b = b;
	k->pa = pa;
	k->pb = pb;
}

static bool ported(uint8_t proto)
{
	return proto == PG_PROTO_TCP || proto == PG_PROTO_UDP || proto == PG_PROTO_ICMP;
}

/* ---- slow path: creating flows ------------------------------------------- */

static uint32_t host_ref(struct pg_engine *e, uint32_t lan)
{
	struct pg_key k;

	key_fill(&k, PG_KEY_HOST, 0, lan, 0, 0, 0);
	return pg_counted_get(e, e->hosts, &e->free_host, PG_REF_HOST, &k);
}

static bool host_at_limit(struct pg_engine *e, uint32_t lan)
{
	struct pg_key k;
	uint32_t ref;

	if (!e->cfg.max_flows_per_host)
		return false;
	key_fill(&k, PG_KEY_HOST, 0, lan, 0, 0, 0);
	ref = pg_index_find(e, &k, pg_key_hash(e, &k));
	return ref != PG_NONE && e->hosts[PG_REF_IDX(ref)].refs >= e->cfg.max_flows_per_host;
}

static uint32_t permit_ref(struct pg_engine *e, uint8_t proto, uint16_t pub, uint32_t remote)
{
	struct pg_key k;

	key_fill(&k, PG_KEY_PERMIT, proto, remote, 0, pub, 0);
	return pg_counted_get(e, e->permits, &e->free_permit, PG_REF_PERMIT, &k);
}

static bool permit_exists(struct pg_engine *e, uint8_t proto, uint16_t pub, uint32_t remote)
{
	struct pg_key k;

	key_fill(&k, PG_KEY_PERMIT, proto, remote, 0, pub, 0);
	return pg_index_find(e, &k, pg_key_hash(e, &k)) != PG_NONE;
}

/*
 * Create a flow between LAN endpoint (lan, lport) and remote (rem, rport).
 * mapping is an index the caller already holds a reference on (or PG_NONE for
 * GRE/ESP, which keep their ports). On failure the reference is released.
 */
static struct pg_flow *flow_create(struct pg_engine *e, struct pg_pkt *pkt, uint8_t proto,
				   uint32_t lan, uint16_t lport, uint32_t rem, uint16_t rport,
				   uint32_t mapping, uint32_t now_s)
{
	uint16_t pub = mapping != PG_NONE ? e->mappings[mapping].key[1].pa : lport;
	uint32_t idx;
	struct pg_flow *f;
	struct pg_key in;

	key_fill(&in, PG_KEY_FLOW_IN, proto, rem, e->cfg.wan_addr, rport, pub);
	if (pg_index_find(e, &in, pg_key_hash(e, &in)) != PG_NONE) {
		/* Another LAN host already owns this WAN tuple (GRE, ESP). */
		if (mapping != PG_NONE)
			pg_mapping_put(e, mapping);
		pg_drop(e, pkt, PG_CNT_DROP_FLOW_CONFLICT);
		return NULL;
	}
	idx = pg_flow_alloc(e, now_s);
	if (idx == PG_NONE) {
		if (mapping != PG_NONE)
			pg_mapping_put(e, mapping);
		pg_drop(e, pkt, PG_CNT_DROP_TABLE_FULL);
		return NULL;
	}
	f = &e->flows[idx];
	key_fill(&f->key[PG_DIR_OUT], PG_KEY_FLOW_OUT, proto, lan, rem, lport, rport);
	f->key[PG_DIR_IN] = in;
	f->mapping = mapping;
	f->host = host_ref(e, lan);
	if (mapping != PG_NONE)
		f->permit = permit_ref(e, proto, pub, rem);
	if (pkt->side == PG_SIDE_WAN)
		f->flags |= PG_FLOW_FROM_WAN;
	pg_flow_insert(e, idx, now_s);
	return f;
}

/* ---- per-direction processing ------------------------------------------- */

static void translate_out(struct pg_engine *e, struct pg_pkt *pkt, const struct pg_parsed *p,
			  struct pg_flow *f, uint32_t now_s)
{
	if (p->proto == PG_PROTO_TCP)
		pg_tcp_track(f, PG_DIR_OUT, p->tcp_flags);
	account(f, PG_DIR_OUT, pkt);
	pg_flow_touch(e, f, now_s);
	rewrite(pkt, p, true, e->cfg.wan_addr, f->key[PG_DIR_IN].pb);
	forward(e, pkt, PG_SIDE_WAN);
}

static void translate_in(struct pg_engine *e, struct pg_pkt *pkt, const struct pg_parsed *p,
			 struct pg_flow *f, uint32_t now_s)
{
	if (p->proto == PG_PROTO_TCP)
		pg_tcp_track(f, PG_DIR_IN, p->tcp_flags);
	account(f, PG_DIR_IN, pkt);
	pg_flow_touch(e, f, now_s);
	rewrite(pkt, p, false, f->key[PG_DIR_OUT].a, f->key[PG_DIR_OUT].pa);
	forward(e, pkt, PG_SIDE_LAN);
}

static bool syn_only(const struct pg_parsed *p)
{
	return (p->tcp_flags & (PG_TCP_SYN | PG_TCP_ACK | PG_TCP_RST)) == PG_TCP_SYN;
}

static void lan_forward(struct pg_engine *e, struct pg_pkt *pkt, const struct pg_parsed *p,
			uint64_t now_ms)
{
	uint32_t now_s = now_seconds_up(now_ms), mapping = PG_NONE;
	uint16_t sport, dport;
	struct pg_key k;
	struct pg_flow *f;

	if (p->proto == PG_PROTO_ICMP && p->icmp_type != PG_ICMP_ECHO_REQUEST) {
		pg_drop(e, pkt, PG_CNT_DROP_ICMP_TYPE);
		return;
	}
	if (!ported(p->proto) && p->proto != PG_PROTO_GRE && p->proto != PG_PROTO_ESP) {
		pg_drop(e, pkt, PG_CNT_DROP_PROTO);
		return;
	}
	l4_ports(p, &sport, &dport);
	key_fill(&k, PG_KEY_FLOW_OUT, p->proto, p->saddr, p->daddr, sport, dport);
	f = pg_flow_lookup(e, &k);
	if (f) {
		translate_out(e, pkt, p, f, now_s);
		return;
	}
	if (p->proto == PG_PROTO_TCP && !syn_only(p)) {
		pg_drop(e, pkt, PG_CNT_DROP_TCP_NO_FLOW);
		return;
	}
	if (host_at_limit(e, p->saddr)) {
		pg_drop(e, pkt, PG_CNT_DROP_HOST_LIMIT);
		return;
	}
	if (ported(p->proto)) {
		mapping = pg_mapping_get(e, p->proto, p->saddr, sport);
		if (mapping == PG_NONE) {
			pg_drop(e, pkt, PG_CNT_DROP_PORTS_EXHAUSTED);
			return;
		}
	}
	f = flow_create(e, pkt, p->proto, p->saddr, sport, p->daddr, dport, mapping, now_s);
	if (f)
		translate_out(e, pkt, p, f, now_s);
}

static void wan_forward(struct pg_engine *e, struct pg_pkt *pkt, const struct pg_parsed *p,
			uint64_t now_ms)
{
	uint32_t now_s = now_seconds_up(now_ms), midx;
	uint16_t sport, dport;
	struct pg_mapping *m;
	struct pg_key k;
	struct pg_flow *f;

	if (p->proto == PG_PROTO_ICMP && p->icmp_type != PG_ICMP_ECHO_REPLY) {
		pg_drop(e, pkt, PG_CNT_DROP_ICMP_TYPE);
		return;
	}
	l4_ports(p, &sport, &dport);
	key_fill(&k, PG_KEY_FLOW_IN, p->proto, p->saddr, p->daddr, sport, dport);
	f = pg_flow_lookup(e, &k);
	if (!f) {
		/* Unknown tuple: only a TCP or UDP packet towards a mapping may pass. */
		if (p->proto != PG_PROTO_TCP && p->proto != PG_PROTO_UDP) {
			pg_drop(e, pkt, ported(p->proto) || p->proto == PG_PROTO_GRE ||
						p->proto == PG_PROTO_ESP
					    ? PG_CNT_DROP_UNSOLICITED
					    : PG_CNT_DROP_PROTO);
			return;
		}
		midx = pg_mapping_find_pub(e, p->proto, dport);
		if (midx == PG_NONE) {
			pg_drop(e, pkt, PG_CNT_DROP_UNSOLICITED);
			return;
		}
		if (e->cfg.filtering == PG_FILTER_ADDRESS_DEPENDENT &&
		    !permit_exists(e, p->proto, dport, p->saddr)) {
			pg_drop(e, pkt, PG_CNT_DROP_FILTERED);
			return;
		}
		if (p->proto == PG_PROTO_TCP && !syn_only(p)) {
			pg_drop(e, pkt, PG_CNT_DROP_TCP_NO_FLOW);
			return;
		}
		if (p->ttl <= 1)
			goto ttl_exceeded;
		m = &e->mappings[midx];
		if (host_at_limit(e, m->key[0].a)) {
			pg_drop(e, pkt, PG_CNT_DROP_HOST_LIMIT);
			return;
		}
		m->refs++;
		f = flow_create(e, pkt, p->proto, m->key[0].a, m->key[0].pa, p->saddr, sport, midx,
				now_s);
		if (!f)
			return;
	} else if (p->ttl <= 1) {
		goto ttl_exceeded;
	}
	translate_in(e, pkt, p, f, now_s);
	return;

ttl_exceeded:
	pg_drop(e, pkt, PG_CNT_DROP_TTL_EXCEEDED);
	pg_icmp_error(e, pkt, PG_ICMP_TIME_EXCEEDED, 0, now_ms);
}

static void to_gateway(struct pg_engine *e, struct pg_pkt *pkt, const struct pg_parsed *p)
{
	bool own = p->daddr == e->cfg.wan_addr ||
		   (pkt->side == PG_SIDE_LAN && p->daddr == e->cfg.lan_addr);

	if (own && p->proto == PG_PROTO_ICMP && p->icmp_type == PG_ICMP_ECHO_REQUEST &&
	    !p->frag_off && !p->more_frags) {
		if (!pg_icmp_checksum_ok(pkt, p)) {
			pg_drop(e, pkt, PG_CNT_DROP_L4_CHECKSUM);
			return;
		}
		pg_icmp_echo_reply(e, pkt, p);
		return;
	}
	pkt->verdict = PG_VERDICT_TO_GW;
	pg_count(e, PG_CNT_TO_GW);
}

static void process(struct pg_engine *e, struct pg_pkt *pkt, uint64_t now_ms)
{
	struct pg_parsed p;
	enum pg_counter r;
	bool lan = pkt->side == PG_SIDE_LAN;

	pkt->verdict = PG_VERDICT_DROP;
	pkt->drop_reason = PG_CNT_NONE;
	pkt->next_hop = 0;
	pg_count(e, lan ? PG_CNT_RX_LAN : PG_CNT_RX_WAN);

	r = pg_parse(pkt, &p);
	if (r != PG_CNT_NONE) {
		pg_drop(e, pkt, r);
		return;
	}
	if (lan) {
		/* A DHCP client has no address yet: 0.0.0.0 to broadcast is fine. */
		bool dhcp = p.saddr == 0 && p.daddr == BROADCAST;

		if (!dhcp && (!in_lan(e, p.saddr) || p.saddr == e->cfg.lan_addr ||
			      p.saddr == (e->cfg.lan_addr & e->lan_mask) ||
			      p.saddr == (e->cfg.lan_addr | ~e->lan_mask))) {
			pg_drop(e, pkt, PG_CNT_DROP_LAN_SPOOFED);
			return;
		}
	} else if (p.saddr == 0 || in_lan(e, p.saddr) || p.saddr == e->cfg.wan_addr) {
		pg_drop(e, pkt, PG_CNT_DROP_WAN_SPOOFED);
		return;
	}

	if (for_gateway(e, pkt, p.daddr)) {
		/* WAN packets to the public address may belong to a mapping. */
		if (lan || (p.proto == PG_PROTO_ICMP && p.icmp_type == PG_ICMP_ECHO_REQUEST)) {
			to_gateway(e, pkt, &p);
			return;
		}
	} else if (!lan) {
		pg_drop(e, pkt, PG_CNT_DROP_WAN_NOT_OURS);
		return;
	} else if (in_lan(e, p.daddr)) {
		pg_drop(e, pkt, PG_CNT_DROP_LAN_LOCAL);
		return;
	}
	if (p.frag_off) {
		pg_drop(e, pkt, PG_CNT_DROP_IP_FRAGMENT);
		return;
	}
	if (lan) {
		if (p.ttl <= 1) {
			pg_drop(e, pkt, PG_CNT_DROP_TTL_EXCEEDED);
			pg_icmp_error(e, pkt, PG_ICMP_TIME_EXCEEDED, 0, now_ms);
			return;
		}
		lan_forward(e, pkt, &p, now_ms);
	} else {
		wan_forward(e, pkt, &p, now_ms);
	}
}

void pg_engine_run(struct pg_engine *e, struct pg_pkt *pkts, unsigned int n, uint64_t now_ms)
{
	unsigned int i;

	pg_flow_expire(e, (uint32_t)(now_ms / 1000));
	for (i = 0; i < n; i++) {
		process(e, &pkts[i], now_ms);
		switch (pkts[i].verdict) {
		case PG_VERDICT_TO_LAN:
			pg_count(e, PG_CNT_TX_LAN);
			break;
		case PG_VERDICT_TO_WAN:
			pg_count(e, PG_CNT_TX_WAN);
			break;
		default:
			break;
		}
	}
}
