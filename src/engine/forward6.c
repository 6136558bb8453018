/* SPDX-License-Identifier: MIT */
/*
 * forward6.c - IPv6: routed between LAN and WAN without NAT, through the
 * RFC 6092 simple-security firewall.
 *
 * DOC: Theory of operation
 *
 * IPv6 needs no translation: the LAN has a prefix of its own and its hosts
 * are reached by their own addresses. What a home gateway owes them instead
 * is RFC 6092's "simple security": packets a LAN host sends open state, and
 * from the WAN only packets of such state get in. This file is that
 * firewall plus what every IPv6 router does (hop limit, Packet Too Big,
 * since routers never fragment IPv6, and time exceeded), and the MSS clamp
 * the IPv4 side has too.
 *
 * State lives in a table of its own, not in the NAT's flow table: a NAT flow
 * is keyed by 32-bit addresses and carries a mapping, public ports, helper
 * state and two keys; an IPv6 flow is one key (LAN host, remote, LAN port,
 * remote port, protocol) seen from either side, since nothing is rewritten.
 * A chained hash over a fixed pool (max_flows / 16, 1024..65536 entries),
 * keyed with the engine's hash seed (remote-chosen addresses cannot pile up
 * in one chain), allocated at engine creation.
 *
 * Expiry: every lookup ignores a flow past its timeout, so correctness does
 * not depend on sweeping; each run and tick frees a bounded number of idle
 * entries, and a full pool is swept once more before a new flow is refused
 * (drop_flow6_table_full).
 *
 * The firewall, RFC 6092 section 3:
 * - outbound TCP (a SYN), UDP, ICMPv6 echo requests, ESP, AH and other
 *   protocols open a flow; TCP needs a SYN to start (no mid-stream pickup,
 *   as for IPv4), so does inbound TCP of an existing flow's new connection;
 * - inbound traffic passes only on a flow, with these exceptions:
 *   ESP, AH and UDP to the IKE ports the IPsec helper declares are let in
 *   and open a flow (REC-22..26: "SHOULD NOT prohibit" IPsec), unless the
 *   [passthrough] ipsec switch is off, which then stops them both ways as it
 *   does for IPv4; new flows a [forward] pinhole opens (protocol and port
 *   to one LAN host, the user's own exceptions to RFC 6092's default; a
 *   TCP one starts with a SYN), counted as forwarded_flows;
 *   echo requests pass when ping6_inbound is on (RFC 4890
 *   4.3.1); ICMPv6 errors pass when the packet they quote belongs to a flow
 *   (RFC 4890 4.3.1, errors of an unknown flow are dropped both ways);
 * - everything else from the WAN is drop_unsolicited, silently (REC-8 asks
 *   for no answer that would help a scanner).
 * Later fragments carry no ports: they pass when their first fragment did
 * (a small cache of (source, destination, identification)), else they are
 * drop_ip6_frag_no_flow.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "alg/alg.h"
#include "engine/csum.h"
#include "engine/engine_internal.h"
#include "engine/forward6.h"
#include "engine/forward6_internal.h"
#include "engine/observe.h"
#include "engine/parse6.h"
#include "engine/siphash.h"

#define FLOWS_MIN 1024u
#define SWEEP_PER_CALL 64u /* entries looked at per run for expiry */
#define FRAG_TIMEOUT_S 60  /* RFC 8200 4.5: reassembly gives up after 60 s */
#define GW_HOP_LIMIT 64

/* The lookup key: a flow as the LAN host sees it. */
struct v6_key {
	const uint8_t *lan, *remote;
	uint16_t lan_port, remote_port;
	uint8_t proto;
};

static uint32_t pool_size(const struct pg_engine_config *cfg)
{
	uint32_t n = cfg->max_flows / 16;

	return n < FLOWS_MIN ? FLOWS_MIN : n > PG_V6_FLOWS_MAX ? PG_V6_FLOWS_MAX : n;
}

size_t pg_v6_memory_size(const struct pg_engine_config *cfg)
{
	uint32_t n = pool_size(cfg);

	return sizeof(struct pg_v6) + (size_t)n * sizeof(struct v6_flow) +
	       (size_t)2 * n * sizeof(uint32_t);
}

struct pg_v6 *pg_v6_create(const struct pg_engine_config *cfg)
{
	uint32_t n = pool_size(cfg);
	struct pg_v6 *v = calloc(1, pg_v6_memory_size(cfg));

	if (!v)
		return NULL;
	v->pool = n;
	v->nbuckets = 2 * n;
	v->flows = (struct v6_flow *)(v + 1);
	v->buckets = (uint32_t *)(v->flows + n);
	for (uint32_t i = 0; i < v->nbuckets; i++)
		v->buckets[i] = PG_V6_NONE;
	for (uint32_t i = 0; i < n; i++)
		v->flows[i].next = i + 1 < n ? i + 1 : PG_V6_NONE;
	v->free_head = 0;
	v->tokens = (uint64_t)cfg->icmp_error_burst * 1000; /* a full bucket, as for IPv4 */
	return v;
}

void pg_v6_destroy(struct pg_v6 *v)
{
	free(v);
}

uint32_t pg_v6_flow_count(const struct pg_engine *e)
{
	return e->v6 ? e->v6->nflows : 0;
}

static bool is_zero(const uint8_t *a)
{
	return pg_ip6_is_unspecified(a);
}

int pg_v6_config_check(const struct pg_engine_config *c, const char **why)
{
	*why = NULL;
	if (!c->lan6_prefix)
		return 0; /* IPv6 off: the rest is not looked at */
	if (c->lan6_prefix > 128)
		*why = "IPv6 LAN prefix must be 1..128";
	else if (is_zero(c->lan6_addr) || pg_ip6_is_multicast(c->lan6_addr) ||
		 pg_ip6_is_linklocal(c->lan6_addr) || pg_ip6_is_loopback(c->lan6_addr))
		*why = "the IPv6 LAN address must be a global unicast address";
	else if (!is_zero(c->wan6_addr) && (c->wan6_prefix < 1 || c->wan6_prefix > 128))
		*why = "IPv6 WAN prefix must be 1..128";
	else if (!is_zero(c->wan6_addr) &&
		 (pg_ip6_is_multicast(c->wan6_addr) || pg_ip6_is_linklocal(c->wan6_addr)))
		*why = "the IPv6 WAN address must be a global unicast address";
	else if (!is_zero(c->wan6_addr) &&
		 (pg_ip6_in_prefix(c->wan6_addr, c->lan6_addr, c->lan6_prefix) ||
		  pg_ip6_in_prefix(c->lan6_addr, c->wan6_addr, c->wan6_prefix)))
		*why = "IPv6 LAN and WAN prefixes overlap";
	else if (pg_ip6_is_multicast(c->wan6_gateway))
		*why = "the IPv6 WAN gateway must be a unicast address";
	return *why ? -1 : 0;
}

/* ---- the flow table ------------------------------------------------------- */

static uint64_t word(const uint8_t *b)
{
	uint64_t w;

	memcpy(&w, b, sizeof(w));
	return w;
}

static uint32_t key_bucket(const struct pg_engine *e, const struct v6_key *k)
{
	const uint64_t *seed = e->cfg.hash_seed;
	uint64_t h = pg_siphash_2w(seed, word(k->lan) ^ k->proto, word(k->lan + 8));

	h = pg_siphash_2w(seed, h ^ word(k->remote),
			  word(k->remote + 8) ^ ((uint64_t)k->lan_port << 16 | k->remote_port));
	return (uint32_t)h & (e->v6->nbuckets - 1);
}

static bool key_eq(const struct v6_flow *f, const struct v6_key *k)
{
	return f->proto == k->proto && f->lan_port == k->lan_port &&
	       f->remote_port == k->remote_port && !memcmp(f->lan, k->lan, 16) &&
	       !memcmp(f->remote, k->remote, 16);
}

/* Take flow i off its chain onto the free list; the caller counts why. */
void pg_v6_flow_unlink(struct pg_engine *e, uint32_t i)
{
	struct pg_v6 *v = e->v6;
	struct v6_flow *f = &v->flows[i];
	uint32_t *link = &v->buckets[f->bucket];

	while (*link != i)
		link = &v->flows[*link].next; /* i is on its bucket's chain by construction */
	*link = f->next;
	pg_offload6_forget(e, i);
	memset(f, 0, sizeof(*f));
	f->next = v->free_head;
	v->free_head = i;
	v->nflows--;
}

void pg_v6_flow_free(struct pg_engine *e, uint32_t i)
{
	pg_v6_flow_unlink(e, i);
	pg_count(e, PG_CNT_FLOW6_EXPIRED);
}

static void sweep(struct pg_engine *e, uint32_t now_s, uint32_t n)
{
	struct pg_v6 *v = e->v6;

	for (uint32_t k = 0; k < n && v->nflows; k++) {
		uint32_t i = v->sweep;

		v->sweep = i + 1 < v->pool ? i + 1 : 0;
		if (v->flows[i].proto && pg_v6_flow_expired(e, &v->flows[i], now_s))
			pg_v6_flow_free(e, i);
	}
}

void pg_v6_expire(struct pg_engine *e, uint32_t now_s)
{
	if (e->v6)
		sweep(e, now_s, SWEEP_PER_CALL);
}

void pg_v6_expire_offered(struct pg_engine *e, uint32_t now_s)
{
	struct pg_v6 *v = e->v6;

	for (uint32_t w = 0; v && v->noffered && w < (v->pool + 63) / 64; w++) {
		/* A copy: freeing a flow clears its bit (or, on a flush, all of them). */
		uint64_t bits = v->offered[w];

		for (; bits; bits &= bits - 1) {
			uint32_t i = w * 64 + (uint32_t)__builtin_ctzll(bits);

			if (pg_v6_flow_expired(e, &v->flows[i], now_s))
				pg_v6_flow_free(e, i);
		}
	}
}

static struct v6_flow *flow_find(struct pg_engine *e, const struct v6_key *k, uint32_t now_s)
{
	struct pg_v6 *v = e->v6;

	for (uint32_t i = v->buckets[key_bucket(e, k)]; i != PG_V6_NONE; i = v->flows[i].next) {
		struct v6_flow *f = &v->flows[i];

		if (key_eq(f, k))
			return pg_v6_flow_expired(e, f, now_s) ? NULL : f;
	}
	return NULL;
}

static struct v6_flow *flow_create(struct pg_engine *e, const struct v6_key *k, bool inbound,
				   uint32_t now_s)
{
	struct pg_v6 *v = e->v6;
	uint32_t b = key_bucket(e, k), i;
	struct v6_flow *f;

	/* An expired flow with this key is still on the chain: reuse it in place. */
	for (i = v->buckets[b]; i != PG_V6_NONE; i = v->flows[i].next)
		if (key_eq(&v->flows[i], k))
			break;
	if (i == PG_V6_NONE) {
		if (v->free_head == PG_V6_NONE)
			sweep(e, now_s, v->pool);
		if (v->free_head == PG_V6_NONE) {
			return NULL;
		}
		i = v->free_head;
		f = &v->flows[i];
		v->free_head = f->next;
		memcpy(f->lan, k->lan, 16);
		memcpy(f->remote, k->remote, 16);
		f->lan_port = k->lan_port;
		f->remote_port = k->remote_port;
		f->proto = k->proto;
		f->bucket = b;
		f->next = v->buckets[b];
		v->buckets[b] = i;
		v->nflows++;
	} else {
		/*
		 * It ended by its timeout as surely as one the sweep frees: counted
		 * so, or the counter would depend on how often the sweep ran.
		 */
		pg_count(e, PG_CNT_FLOW6_EXPIRED);
		pg_offload6_forget(e, i); /* an expired flow's entry must not carry the new one */
	}
	f = &v->flows[i];
	f->tcp = V6_TCP_NONE;
	f->inbound = inbound;
	f->last_s = now_s;
	memset(f->pkts, 0, sizeof(f->pkts));
	memset(f->bytes, 0, sizeof(f->bytes));
	pg_count(e, PG_CNT_FLOW6_CREATED);
	return f;
}

/* TCP state, only as far as timeouts need it: established or transitory. */
static void tcp_track(struct v6_flow *f, bool from_opener, uint8_t flags)
{
	if (flags & (PG_TCP_RST | PG_TCP_FIN))
		f->tcp = V6_TCP_CLOSING;
	else if ((flags & PG_TCP_SYN) && from_opener)
		f->tcp = V6_TCP_SYN;
	else if (f->tcp == V6_TCP_SYN && !from_opener && (flags & PG_TCP_ACK))
		f->tcp = V6_TCP_ESTABLISHED;
	else if (f->tcp == V6_TCP_NONE)
		f->tcp = V6_TCP_ESTABLISHED;
}

/* ---- what the gateway sends itself -------------------------------------- */

void pg_v6_wan_next_hop(const struct pg_engine *e, const uint8_t *dst, uint8_t out[16])
{
	const struct pg_engine_config *c = &e->cfg;

	if (pg_ip6_is_linklocal(dst) ||
	    (!is_zero(c->wan6_addr) && pg_ip6_in_prefix(dst, c->wan6_addr, c->wan6_prefix)))
		memcpy(out, dst, 16); /* on the link */
	else
		memcpy(out, c->wan6_gateway, 16); /* zero: the learnt router */
}

static void set_out(const struct pg_engine *e, struct pg_pkt *pkt, int side, const uint8_t *dst)
{
	pkt->verdict = side == PG_SIDE_LAN ? PG_VERDICT_TO_LAN : PG_VERDICT_TO_WAN;
	if (side == PG_SIDE_LAN)
		memcpy(pkt->next_hop6, dst, 16); /* on the link */
	else
		pg_v6_wan_next_hop(e, dst, pkt->next_hop6);
}

/* The gateway's address on a side: the WAN's own if it has one, else the LAN's. */
static const uint8_t *own_addr(const struct pg_engine *e, int side)
{
	if (side == PG_SIDE_WAN && !is_zero(e->cfg.wan6_addr))
		return e->cfg.wan6_addr;
	return e->cfg.lan6_addr;
}

static bool rate_ok(struct pg_v6 *v, const struct pg_engine_config *c, uint64_t now_ms)
{
	uint64_t cap = (uint64_t)c->icmp_error_burst * 1000;

	v->tokens += (now_ms - v->last_ms) * c->icmp_error_rate;
	v->last_ms = now_ms;
	if (v->tokens > cap)
		v->tokens = cap;
	if (v->tokens < 1000)
		return false;
	v->tokens -= 1000;
	return true;
}

/*
 * Turn pkt into an ICMPv6 error about itself, back to its sender (RFC 4443):
 * the packet moves back by a new IPv6 and ICMPv6 header and is quoted as far
 * as 1280 bytes and the buffer allow. The caller has counted the drop.
 */
static void icmp6_error(struct pg_engine *e, struct pg_pkt *pkt, const struct pg_parsed6 *p,
			uint8_t type, uint8_t code, uint32_t rest, uint64_t now_ms)
{
	uint8_t *ip = pkt->l3, *icmp = ip + PG_IP6_HLEN, src[16], dst[16];
	uint32_t quote = pkt->len, room = PG_IP6_HLEN + PG_ICMP6_HLEN;
	uint32_t mtu = pkt->side == PG_SIDE_LAN ? e->cfg.lan_mtu : e->cfg.wan_mtu;

	/*
	 * RFC 4443 2.4(e): never about an error, a multicast destination (but
	 * Packet Too Big), a source that names no single node, or a later fragment.
	 */
	if ((p->proto == PG_IP6_NH_ICMP6 && !p->frag_off && pg_icmp6_is_error(p->icmp_type)) ||
	    (pg_ip6_is_multicast(p->daddr) && type != PG_ICMP6_PACKET_TOO_BIG) ||
	    pg_ip6_is_unspecified(p->saddr) || p->frag_off)
		return;
	if (!rate_ok(e->v6, &e->cfg, now_ms)) {
		pg_count(e, PG_CNT_ICMP_ERR_RATELIMITED);
		return;
	}
	if (quote > PG_ICMP6_ERROR_MAX - room)
		quote = PG_ICMP6_ERROR_MAX - room;
	/* A link below IPv6's 1280 (the MTUs may go down to 576) still gets a whole error. */
	if (quote > mtu - room)
		quote = mtu - room;
	if (pkt->cap < room + PG_IP6_HLEN)
		return;
	if (quote > pkt->cap - room)
		quote = pkt->cap - room;
	memcpy(dst, p->saddr, 16);
	memcpy(src, own_addr(e, pkt->side), 16);
	memmove(ip + room, ip, quote);
	memset(ip, 0, room);
	ip[0] = 0x60;
	pg_put16(ip + PG_IP6_OFF_PLEN, htons((uint16_t)(PG_ICMP6_HLEN + quote)));
	ip[PG_IP6_OFF_NEXT] = PG_IP6_NH_ICMP6;
	ip[PG_IP6_OFF_HLIM] = GW_HOP_LIMIT;
	memcpy(ip + PG_IP6_OFF_SADDR, src, 16);
	memcpy(ip + PG_IP6_OFF_DADDR, dst, 16);
	icmp[PG_ICMP6_OFF_TYPE] = type;
	icmp[PG_ICMP6_OFF_CODE] = code;
	pg_put32(icmp + PG_ICMP6_OFF_REST, htonl(rest));
	pg_put16(icmp + PG_ICMP6_OFF_CSUM,
		 pg_ip6_l4_csum(src, dst, PG_IP6_NH_ICMP6, icmp, PG_ICMP6_HLEN + quote));
	pkt->len = room + quote;
	set_out(e, pkt, pkt->side, dst);
	pg_count(e, PG_CNT_ICMP_ERR_SENT);
}

static void echo_reply(struct pg_engine *e, struct pg_pkt *pkt, const struct pg_parsed6 *p)
{
	uint8_t *ip = pkt->l3, *icmp = ip + p->l4_off, tmp[16];

	if (p->fragment || p->l4_off != PG_IP6_HLEN ||
	    pg_ip6_l4_csum(p->saddr, p->daddr, PG_IP6_NH_ICMP6, icmp, p->l4_len) != 0) {
		pg_drop(e, pkt, PG_CNT_DROP_L4_CHECKSUM);
		return;
	}
	memcpy(tmp, ip + PG_IP6_OFF_SADDR, 16);
	memcpy(ip + PG_IP6_OFF_SADDR, ip + PG_IP6_OFF_DADDR, 16);
	memcpy(ip + PG_IP6_OFF_DADDR, tmp, 16);
	ip[PG_IP6_OFF_HLIM] = GW_HOP_LIMIT;
	icmp[PG_ICMP6_OFF_TYPE] = PG_ICMP6_ECHO_REPLY;
	pg_put16(icmp + PG_ICMP6_OFF_CSUM, 0);
	pg_put16(icmp + PG_ICMP6_OFF_CSUM,
		 pg_ip6_l4_csum(ip + PG_IP6_OFF_SADDR, ip + PG_IP6_OFF_DADDR, PG_IP6_NH_ICMP6, icmp,
				p->l4_len));
	set_out(e, pkt, pkt->side, tmp);
	pg_count(e, PG_CNT_ICMP_ECHO_REPLIED);
}

/* ---- the firewall --------------------------------------------------------- */

/* A stand-in IPv4 parse for the helper table's questions (ports, ESP, GRE version). */
static void as_v4(const struct pg_pkt *pkt, const struct pg_parsed6 *p, struct pg_parsed *p4)
{
	memset(p4, 0, sizeof(*p4));
	p4->proto = p->proto;
	p4->sport = p->sport;
	p4->dport = p->dport;
	p4->frag_off = p->frag_off;
	if (p->proto == PG_PROTO_GRE && !p->frag_off && p->l4_len >= 4)
		p4->gre_version = pkt->l3[p->l4_off + PG_GRE_OFF_FLAGS_VER] & 7;
}

static bool is_ipsec(const struct pg_pkt *pkt, const struct pg_parsed6 *p)
{
	struct pg_parsed p4;
	uint8_t how = 0;

	if (p->proto == PG_IP6_NH_AH || p->ah)
		return true;
	as_v4(pkt, p, &p4);
	return pg_alg_claimant(&p4, &how) == pg_alg_get(PG_ALG_IPSEC);
}

/* A passthrough switch that stops this packet (docs/ENGINE.md "Passthrough switches"). */
static bool switched_off(const struct pg_engine *e, const struct pg_pkt *pkt,
			 const struct pg_parsed6 *p)
{
	struct pg_parsed p4;

	if ((p->proto == PG_IP6_NH_AH || p->ah) && !e->cfg.ipsec_passthrough)
		return true;
	as_v4(pkt, p, &p4);
	return pg_alg_switched_off(&e->cfg, &p4);
}

/* The flow key of a packet going the way to_wan says. */
static void pkt_key(const struct pg_parsed6 *p, bool to_wan, struct v6_key *k)
{
	k->proto = p->proto;
	k->lan = to_wan ? p->saddr : p->daddr;
	k->remote = to_wan ? p->daddr : p->saddr;
	k->lan_port = to_wan ? p->sport : p->dport;
	k->remote_port = to_wan ? p->dport : p->sport;
}

/*
 * An ICMPv6 error in transit: it must quote a packet of a flow, one that went
 * the other way from the error's sender to the host the error is for.
 */
static bool error_of_flow(struct pg_engine *e, const struct pg_pkt *pkt, const struct pg_parsed6 *p,
			  bool to_wan, uint32_t now_s)
{
	const uint8_t *q = pkt->l3 + p->l4_off + PG_ICMP6_HLEN;
	struct pg_parsed6 qp;
	struct v6_key k;

	if (p->fragment || !pg_parse6_quoted(q, p->l4_len - PG_ICMP6_HLEN, &qp))
		return false;
	/*
	 * The quoted packet came from the host the error is for (a router on
	 * the way may have sent it: its own address says nothing).
	 */
	if (memcmp(qp.saddr, p->daddr, 16))
		return false;
	if (qp.frag_off)
		return false; /* a later fragment names no ports, so no flow */
	pkt_key(&qp, !to_wan, &k);
	return flow_find(e, &k, now_s) != NULL;
}

static bool frag_slot_match(const struct v6_frag *s, const struct pg_parsed6 *p, uint32_t now_s)
{
	return s->t_s && now_s - s->t_s < FRAG_TIMEOUT_S && s->id == p->frag_id &&
	       !memcmp(s->src, p->saddr, 16) && !memcmp(s->dst, p->daddr, 16);
}

static struct v6_frag *frag_slot(struct pg_engine *e, const struct pg_parsed6 *p)
{
	uint64_t h = pg_siphash_2w(e->cfg.hash_seed, word(p->saddr) ^ word(p->daddr + 8),
				   word(p->daddr) ^ word(p->saddr + 8) ^ p->frag_id);

	return &e->v6->frags[h & (PG_V6_FRAG_SLOTS - 1)];
}

/* A later fragment: does it follow a first one that passed the same way? */
static bool frag_follows(struct pg_engine *e, const struct pg_parsed6 *p, bool to_wan,
			 uint32_t now_s)
{
	const struct v6_frag *s = frag_slot(e, p);

	return frag_slot_match(s, p, now_s) && s->to_wan == to_wan;
}

static void mss_clamp(struct pg_engine *e, struct pg_pkt *pkt, const struct pg_parsed6 *p)
{
	uint8_t *tcp = pkt->l3 + p->l4_off;
	unsigned int doff = pg_tcp_doff(tcp), i; /* parse checked 20..l4_len */
	uint16_t limit = e->cfg.mss_max;

	if (!e->cfg.mss_clamp || !(p->tcp_flags & PG_TCP_SYN) || p->fragment)
		return;
	/* 60: the IPv6 and TCP headers (RFC 8200 5, RFC 9293 3.7.1). */
	if (!limit)
		limit =
		    (uint16_t)((e->cfg.lan_mtu < e->cfg.wan_mtu ? e->cfg.lan_mtu : e->cfg.wan_mtu) -
			       60);
	for (i = 20; i < doff;) {
		unsigned int kind = tcp[i], len;

		if (kind == 0)
			return;
		if (kind == 1) {
			i++;
			continue;
		}
		/* An option overrunning the header ends the walk: leave them be. */
		if (i + 1 >= doff || (len = tcp[i + 1]) < 2 || i + len > doff)
			return;
		if (kind == 2 && len == 4) {
			uint16_t mss = (uint16_t)(tcp[i + 2] << 8 | tcp[i + 3]);
			uint16_t csum = pg_get16(tcp + PG_TCP_OFF_CSUM);
			uint8_t val[2] = { (uint8_t)(limit >> 8), (uint8_t)limit };

			if (mss <= limit)
				return;
			pg_csum_write(&csum, tcp, p->l4_len, i + 2, val, sizeof(val));
			pg_put16(tcp + PG_TCP_OFF_CSUM, csum);
			pg_count(e, PG_CNT_MSS_CLAMPED);
			return;
		}
		i += len;
	}
}

/* A packet of an existing flow f (to_wan: from the LAN side): its TCP state, its time. */
static void flow_seen(struct v6_flow *f, const struct pg_parsed6 *p, bool to_wan, uint32_t now_s)
{
	if (p->proto == PG_PROTO_TCP)
		tcp_track(f, to_wan != !!f->inbound, p->tcp_flags);
	f->last_s = now_s;
}

/* A packet of flow f passed: its bytes, and a first fragment remembered for the rest. */
static void count_pass(struct pg_engine *e, struct v6_flow *f, const struct pg_pkt *pkt,
		       const struct pg_parsed6 *p, bool to_wan, uint32_t now_s)
{
	f->pkts[!to_wan]++;
	f->bytes[!to_wan] += pkt->len;
	if (p->fragment && p->more_frags) {
		struct v6_frag *s = frag_slot(e, p);

		memcpy(s->src, p->saddr, 16);
		memcpy(s->dst, p->daddr, 16);
		s->id = p->frag_id;
		s->t_s = now_s ? now_s : 1;
		s->to_wan = to_wan;
	}
}

/*
 * Decide a packet crossing the gateway (to_wan: from the LAN). Returns true
 * when it may pass, with its flow in *fp (NULL: an error or a later
 * fragment, which belong to none); otherwise the drop is counted.
 */
static bool firewall(struct pg_engine *e, struct pg_pkt *pkt, const struct pg_parsed6 *p,
		     bool to_wan, uint32_t now_s, struct v6_flow **fp)
{
	struct v6_flow *f;
	struct v6_key k;
	bool icmp = p->proto == PG_IP6_NH_ICMP6;

	*fp = NULL;
	if (switched_off(e, pkt, p)) {
		pg_drop(e, pkt, PG_CNT_DROP_PASSTHROUGH_OFF);
		return false;
	}
	if (p->frag_off) {
		if (frag_follows(e, p, to_wan, now_s))
			return true;
		pg_drop(e, pkt, PG_CNT_DROP_IP6_FRAG_NO_FLOW);
		return false;
	}
	if (icmp && pg_icmp6_is_error(p->icmp_type)) {
		if (p->icmp_type > PG_ICMP6_PARAM_PROBLEM) {
			pg_drop(e, pkt, PG_CNT_DROP_ICMP_TYPE);
			return false;
		}
		if (!error_of_flow(e, pkt, p, to_wan, now_s)) {
			pg_drop(e, pkt, PG_CNT_DROP_ICMP_ERROR_NO_FLOW);
			return false;
		}
		return true; /* errors never create or refresh a flow (as RFC 5508 for IPv4) */
	}
	if (icmp && p->icmp_type != PG_ICMP6_ECHO_REQUEST && p->icmp_type != PG_ICMP6_ECHO_REPLY) {
		/* Router and neighbour discovery, MLD and the rest are link-local business. */
		pg_drop(e, pkt, PG_CNT_DROP_ICMP_TYPE);
		return false;
	}
	pkt_key(p, to_wan, &k);
	f = flow_find(e, &k, now_s);
	if (f) {
		flow_seen(f, p, to_wan, now_s);
		goto pass;
	}
	if (to_wan) {
		if (p->proto == PG_PROTO_TCP && !pg_tcp_syn_only(p->tcp_flags)) {
			pg_drop(e, pkt, PG_CNT_DROP_TCP_NO_FLOW);
			return false;
		}
		if (icmp && p->icmp_type != PG_ICMP6_ECHO_REQUEST) {
			pg_drop(e, pkt, PG_CNT_DROP_ICMP_TYPE);
			return false;
		}
	} else if (is_ipsec(pkt, p)) {
		pg_count(e, PG_CNT_IP6_IPSEC_ADMITTED);
	} else if (!icmp && pg_portfwd_pinhole6(e, p->proto, p->daddr, p->dport)) {
		/* A pinhole opens new connections only: a stray segment is no flow. */
		if (p->proto == PG_PROTO_TCP && !pg_tcp_syn_only(p->tcp_flags)) {
			pg_drop(e, pkt, PG_CNT_DROP_TCP_NO_FLOW);
			return false;
		}
		pg_count(e, PG_CNT_FORWARDED_NEW);
	} else if (!(icmp && p->icmp_type == PG_ICMP6_ECHO_REQUEST && e->cfg.ping6_inbound)) {
		pg_drop(e, pkt, PG_CNT_DROP_UNSOLICITED);
		return false;
	}
	f = flow_create(e, &k, !to_wan, now_s);
	if (!f) {
		pg_drop(e, pkt, PG_CNT_DROP_FLOW6_TABLE_FULL);
		return false;
	}
	if (p->proto == PG_PROTO_TCP)
		tcp_track(f, true, p->tcp_flags);
pass:
	*fp = f;
	count_pass(e, f, pkt, p, to_wan, now_s);
	return true;
}

/* ---- the packet ------------------------------------------------------------ */

static bool for_gateway(const struct pg_engine *e, const uint8_t *dst)
{
	return !memcmp(dst, e->cfg.lan6_addr, 16) ||
	       (!is_zero(e->cfg.wan6_addr) && !memcmp(dst, e->cfg.wan6_addr, 16)) ||
	       pg_ip6_is_linklocal(dst) || pg_ip6_is_multicast(dst);
}

/*
 * From the WAN to the gateway's WAN address: up to the host path's WAN
 * device when it answers the host's own connection (a flow its packets
 * opened, from_host()), is ICMPv6 (errors about those connections, as from
 * the LAN) or [input] wan opens its port; else drop_gateway_policy. A new
 * admitted connection opens a flow, so the host's answers leave.
 */
static void up_from_wan(struct pg_engine *e, struct pg_pkt *pkt, const struct pg_parsed6 *p,
			uint32_t now_s)
{
	struct v6_flow *f = NULL;
	struct v6_key k;

	if (p->frag_off) {
		if (!frag_follows(e, p, false, now_s))
			goto refuse;
		goto up;
	}
	pkt_key(p, false, &k);
	f = flow_find(e, &k, now_s);
	if (f) {
		flow_seen(f, p, false, now_s);
	} else if (p->proto == PG_IP6_NH_ICMP6) {
		goto up;
	} else if (pg_local_admit_wan(e, p->proto, p->dport)) {
		/* Only a SYN starts a connection; a stray segment goes up unremembered. */
		if (p->proto != PG_PROTO_TCP || pg_tcp_syn_only(p->tcp_flags))
			f = flow_create(e, &k, true, now_s);
		if (f && p->proto == PG_PROTO_TCP)
			tcp_track(f, true, p->tcp_flags);
	} else {
		goto refuse;
	}
	if (f)
		count_pass(e, f, pkt, p, false, now_s);
up:
	pkt->verdict = PG_VERDICT_TO_GW;
	pg_count(e, PG_CNT_TO_GW);
	return;
refuse:
	pg_drop(e, pkt, PG_CNT_DROP_TO_GW_LIMIT);
}

/*
 * The host stack's own IPv6 from the host path's WAN device (dp/hostpath.c):
 * its WAN address to anywhere but the LAN and the gateway, through the same
 * firewall as a LAN host's (its packets open the flows its answers come back
 * on), out of the WAN link with its hop limit as the host set it: the
 * gateway is the sender here, not a router on the way.
 */
static void from_host(struct pg_engine *e, struct pg_pkt *pkt, const struct pg_parsed6 *p,
		      uint32_t now_s)
{
	struct v6_flow *f;
	const struct pg_engine_config *c = &e->cfg;

	if (is_zero(c->wan6_addr) || memcmp(p->saddr, c->wan6_addr, 16) ||
	    pg_ip6_in_prefix(p->daddr, c->lan6_addr, c->lan6_prefix) || for_gateway(e, p->daddr) ||
	    pg_ip6_is_unspecified(p->daddr)) {
		pg_drop(e, pkt, PG_CNT_DROP_LAN_SPOOFED);
		return;
	}
	/* The device's MTU is the WAN link's: longer is a host we do not know. */
	if (pkt->len > c->wan_mtu) {
		pg_drop(e, pkt, PG_CNT_DROP_IP6_TOO_BIG);
		return;
	}
	/* Never offered to the fast path: the host's packets come from its device, not a link. */
	if (!firewall(e, pkt, p, true, now_s, &f))
		return;
	set_out(e, pkt, PG_SIDE_WAN, p->daddr);
}

static void to_gateway(struct pg_engine *e, struct pg_pkt *pkt, const struct pg_parsed6 *p,
		       uint32_t now_s)
{
	bool own = !pg_ip6_is_linklocal(p->daddr) && !pg_ip6_is_multicast(p->daddr);

	if (own && p->proto == PG_IP6_NH_ICMP6 && p->icmp_type == PG_ICMP6_ECHO_REQUEST &&
	    !p->fragment && !pg_ip6_is_unspecified(p->saddr)) {
		echo_reply(e, pkt, p);
		return;
	}
	/*
	 * The gateway's LAN address from the LAN goes up to the host path's LAN
	 * device (dp/hostpath.c) under the same input policy as IPv4 (local.c):
	 * the resolver, the admin page, what [input] lan opens; ICMPv6 always
	 * (errors about the host's own connections). Neighbour and router
	 * discovery were answered at layer 2. The WAN address from the WAN:
	 * up_from_wan().
	 */
	if (own && pkt->side == PG_SIDE_WAN && !is_zero(e->cfg.wan6_addr) &&
	    !memcmp(p->daddr, e->cfg.wan6_addr, 16) && !pg_ip6_is_unspecified(p->saddr)) {
		up_from_wan(e, pkt, p, now_s);
		return;
	}
	if (own && pkt->side == PG_SIDE_LAN && !memcmp(p->daddr, e->cfg.lan6_addr, 16) &&
	    !pg_ip6_is_unspecified(p->saddr)) {
		struct pg_parsed p4;

		as_v4(pkt, p, &p4);
		if (p->proto == PG_IP6_NH_ICMP6 || (!p->frag_off && pg_local_admit(e, &p4))) {
			/* No LAN IPv6 around the router's tunnel: see pg_v6_process(). */
			if (e->cfg.tunnel && e->cfg.tunnel_killswitch) {
				pg_drop(e, pkt, PG_CNT_DROP_TUNNEL_IP6);
				return;
			}
			pkt->verdict = PG_VERDICT_TO_GW;
			pg_count(e, PG_CNT_TO_GW);
			return;
		}
	}
	pg_drop(e, pkt, PG_CNT_DROP_TO_GW_LIMIT);
}

void pg_v6_process(struct pg_engine *e, struct pg_pkt *pkt, uint64_t now_ms)
{
	const struct pg_engine_config *c = &e->cfg;
	uint32_t now_s = (uint32_t)(now_ms / 1000), mtu;
	struct pg_parsed6 p;
	struct v6_flow *f;
	enum pg_counter r;
	bool to_wan = pkt->side == PG_SIDE_LAN;

	if (!c->lan6_prefix || !e->v6) {
		pg_drop(e, pkt, PG_CNT_DROP_IP6_OFF);
		return;
	}
	r = pg_parse6(pkt, &p);
	if (r != PG_CNT_NONE) {
		pg_drop(e, pkt, r);
		return;
	}
	if (pkt->side == PG_SIDE_HOST) {
		from_host(e, pkt, &p, now_s);
		return;
	}
	/* Addresses: the LAN's own prefix behind the LAN, never behind the WAN. */
	if (to_wan && !pg_ip6_is_linklocal(p.saddr) &&
	    (!pg_ip6_in_prefix(p.saddr, c->lan6_addr, c->lan6_prefix) ||
	     !memcmp(p.saddr, c->lan6_addr, 16))) {
		pg_drop(e, pkt, PG_CNT_DROP_LAN_SPOOFED);
		return;
	}
	if (!to_wan && (pg_ip6_in_prefix(p.saddr, c->lan6_addr, c->lan6_prefix) ||
			(!is_zero(c->wan6_addr) && !memcmp(p.saddr, c->wan6_addr, 16)))) {
		pg_drop(e, pkt, PG_CNT_DROP_WAN_SPOOFED);
		return;
	}
	if (for_gateway(e, p.daddr)) {
		to_gateway(e, pkt, &p, now_s);
		return;
	}
	/* RFC 4291 2.5.6: link-local sources are never forwarded off their link. */
	if (pg_ip6_is_linklocal(p.saddr) || pg_ip6_is_unspecified(p.saddr)) {
		pg_drop(e, pkt, PG_CNT_DROP_IP_BAD_ADDR);
		return;
	}
	if (to_wan && pg_ip6_in_prefix(p.daddr, c->lan6_addr, c->lan6_prefix)) {
		pg_drop(e, pkt, PG_CNT_DROP_LAN_LOCAL);
		return;
	}
	/*
	 * The router's tunnel carries IPv4 only, and an IPv6 source cannot be
	 * told to belong to a tunnelled host: with the kill switch on, no LAN
	 * IPv6 leaves around the tunnel (hosts fall back to IPv4).
	 */
	if (to_wan && c->tunnel && c->tunnel_killswitch) {
		pg_drop(e, pkt, PG_CNT_DROP_TUNNEL_IP6);
		return;
	}
	if (!to_wan && !pg_ip6_in_prefix(p.daddr, c->lan6_addr, c->lan6_prefix)) {
		pg_drop(e, pkt, PG_CNT_DROP_WAN_NOT_OURS);
		return;
	}
	if (p.hop_limit <= 1) {
		pg_drop(e, pkt, PG_CNT_DROP_TTL_EXCEEDED);
		icmp6_error(e, pkt, &p, PG_ICMP6_TIME_EXCEEDED, 0, 0, now_ms);
		return;
	}
	/* Routers never fragment IPv6 (RFC 8200 5): the sender learns the MTU instead. */
	mtu = to_wan ? c->wan_mtu : c->lan_mtu;
	if (pkt->len > mtu) {
		pg_drop(e, pkt, PG_CNT_DROP_IP6_TOO_BIG);
		icmp6_error(e, pkt, &p, PG_ICMP6_PACKET_TOO_BIG, 0, mtu, now_ms);
		return;
	}
	if (!firewall(e, pkt, &p, to_wan, now_s, &f))
		return;
	if (p.proto == PG_PROTO_TCP && !p.frag_off)
		mss_clamp(e, pkt, &p);
	pkt->l3[PG_IP6_OFF_HLIM]--;
	set_out(e, pkt, to_wan ? PG_SIDE_WAN : PG_SIDE_LAN, p.daddr);
	if (f && e->offload_on)
		pg_offload6_note(e, (uint32_t)(f - e->v6->flows), f);
}
