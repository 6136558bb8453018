/* SPDX-License-Identifier: MIT */
/*
 * engine.c - the batch entry point: classify each packet, then hand it to
 * forwarding, answer it or drop it.
 *
 * A packet is parsed once (parse.c), checked for spoofed or martian
 * addresses, then either answered or handed up when it is for the gateway
 * itself, or forwarded (forward.c). This file also owns the engine's
 * configuration and lifetime.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "alg/alg.h"
#include "engine/csum.h"
#include "engine/engine_internal.h"
#include "engine/forward6.h"
#include "util/names.h"
#include "util/inet.h"

#define BROADCAST 0xffffffffu
#define PG_HUGE_PAGE ((size_t)2 << 20)

void pg_engine_config_defaults(struct pg_engine_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->filtering = PG_FILTER_ADDRESS_DEPENDENT;
	cfg->timeouts.tcp_established = 7440;
	cfg->timeouts.tcp_transitory = 240;
	cfg->timeouts.tcp_time_wait = 240;
	cfg->timeouts.udp = 300;
	cfg->timeouts.icmp = 60;
	cfg->timeouts.gre = 7440;
	cfg->timeouts.esp = 1800;
	cfg->timeouts.other = 600;
	cfg->max_flows = 1u << 20;
	cfg->max_flows_per_host = 16384;
	cfg->icmp_error_rate = 100;
	cfg->icmp_error_burst = 50;
	cfg->pptp_passthrough = true;
	cfg->ipsec_passthrough = true;
	cfg->l2tp_passthrough = true;
	cfg->pptp_max_sessions = 4096;
	cfg->lan_mtu = 1500;
	cfg->wan_mtu = 1500;
	cfg->mss_clamp = true;
	cfg->ping6_inbound = true;
	pg_engine_default_input(cfg);
}

void pg_engine_default_input(struct pg_engine_config *cfg)
{
	/* SSH, DNS, DHCP, the admin page over HTTP and HTTPS. */
	static const struct pg_input_rule lan[] = {
		{PG_PROTO_TCP, 22, 22}, {PG_PROTO_TCP, 53, 53},   {PG_PROTO_UDP, 53, 53},
		{PG_PROTO_UDP, 67, 67}, {PG_PROTO_TCP, 80, 80},   {PG_PROTO_TCP, 443, 443},
	};

	memcpy(cfg->lan_input, lan, sizeof(lan));
	cfg->nlan_input = sizeof(lan) / sizeof(lan[0]);
}


const char *const pg_filtering_names[] = {
	[PG_FILTER_ADDRESS_DEPENDENT] = "address-dependent",
	[PG_FILTER_ENDPOINT_INDEPENDENT] = "endpoint-independent",
	[PG_FILTER_ADDRESS_PORT_DEPENDENT] = "address-and-port-dependent",
};
_Static_assert(PG_ARRAY_SIZE(pg_filtering_names) == PG_FILTER__COUNT,
	       "a filtering mode without a name");

const char *const pg_refuse_names[] = {
	[PG_REFUSE_SILENT] = "silent",
	[PG_REFUSE_PORT_UNREACHABLE] = "port-unreachable",
	[PG_REFUSE_ADMIN_PROHIBITED] = "admin-prohibited",
};
_Static_assert(PG_ARRAY_SIZE(pg_refuse_names) == PG_REFUSE__COUNT, "a refusal without a name");

int pg_engine_config_validate(const struct pg_engine_config *c, const char **why)
{
	const struct pg_timeouts *t = &c->timeouts;
	uint32_t common;

	*why = NULL;
	if (c->lan_prefix > PG_LAN_PREFIX_MAX || c->lan_prefix < PG_LAN_PREFIX_MIN)
		*why = "LAN prefix must be 1..30";
	else if (c->wan_prefix > 32 || c->wan_prefix < 1)
		*why = "WAN prefix must be 1..32";
	else if (!c->lan_addr || (!c->wan_addr && !c->wan_down))
		*why = "LAN and WAN addresses are required";
	else if (c->max_flows < PG_MAX_FLOWS_MIN || c->max_flows > PG_MAX_FLOWS_MAX)
		*why = "max_flows must be 1024..16777216";
	else if (t->tcp_established < PG_TCP_ESTABLISHED_MIN)
		*why = "tcp_established below RFC 5382's 2h4m";
	else if (t->tcp_transitory < PG_TCP_TRANSITORY_MIN)
		*why = "tcp_transitory below RFC 5382's 4m";
	else if (t->tcp_time_wait < PG_TCP_TIME_WAIT_MIN)
		*why = "tcp_time_wait below RFC 5382's 4m (a closing connection is transitory)";
	else if (t->udp < PG_UDP_MIN)
		*why = "udp below RFC 4787's 2m";
	else if (t->icmp < PG_ICMP_MIN)
		*why = "icmp below RFC 5508's 60s";
	else if (t->gre < PG_TIMEOUT_MIN || t->esp < PG_TIMEOUT_MIN || t->other < PG_TIMEOUT_MIN)
		*why = "timeouts must be at least 1s";
	else if (c->lan_mtu < PG_MTU_MIN || c->wan_mtu < PG_MTU_MIN)
		*why = "MTUs must be at least 576";
	else if (c->mss_max && (c->mss_max < PG_MSS_MIN || c->mss_max > PG_MSS_MAX))
		*why = "mss must be 536..65495";
	else if (c->pptp_max_sessions < PG_PPTP_SESSIONS_MIN ||
		 c->pptp_max_sessions > PG_PPTP_SESSIONS_MAX)
		*why = "pptp_max_sessions must be 1..1048576";
	else if ((unsigned int)c->refuse >= PG_REFUSE__COUNT)
		*why = "unknown refuse mode";
	else if ((unsigned int)c->filtering >= PG_FILTER__COUNT)
		*why = "unknown filtering mode";
	if (!*why && c->nforwards > PG_MAX_FORWARDS)
		*why = "too many port forwards";
	for (unsigned int i = 0; !*why && i < c->nforwards; i++)
		pg_portfwd_rule_check(c, &c->forwards[i], why);
	if (!*why)
		pg_local_config_check(c, why);
	if (!*why)
		pg_v6_config_check(c, why);
	if (!*why && c->dmz_host &&
	    (((c->dmz_host ^ c->lan_addr) & pg_prefix_mask(c->lan_prefix)) || c->dmz_host == c->lan_addr))
		*why = "the DMZ host is not a LAN host";
	if (!*why) {
		unsigned int a, b;

		if (pg_portfwd_conflict(c, &a, &b))
			*why = "two port forwards claim the same traffic";
	}
	if (*why)
		return -EINVAL;
	if (c->wan_down)
		return 0; /* no WAN address to check against the LAN */
	common = c->lan_prefix < c->wan_prefix ? c->lan_prefix : c->wan_prefix;
	if (((c->lan_addr ^ c->wan_addr) & pg_prefix_mask(common)) == 0) {
		*why = "LAN and WAN prefixes overlap";
		return -EINVAL;
	}
	if (c->wan_gateway &&
	    ((c->wan_gateway ^ c->wan_addr) & pg_prefix_mask(c->wan_prefix)) != 0) {
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
	return sizeof(struct pg_engine) + pg_pools_size(cfg->max_flows, NULL, NULL, NULL) +
	       2 * PG_PORTS__COUNT * port_bitmap_bytes() + pg_alg_mem_size(cfg) +
	       pg_v6_memory_size(cfg);
}

size_t pg_engine_bytes_per_flow(const struct pg_engine_config *cfg)
{
	return pg_pools_size(cfg->max_flows, NULL, NULL, NULL) / cfg->max_flows;
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
	e->lan_mask = pg_prefix_mask(cfg->lan_prefix);
	e->wan_mask = pg_prefix_mask(cfg->wan_prefix);
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

/*
 * The tables, zeroed, on 2 MB boundaries and in huge pages where the kernel
 * offers them: lookups land anywhere in hundreds of megabytes, and with 4 kB
 * pages nearly every one would also miss the TLB.
 */
static void *table_alloc(size_t n)
{
	size_t len = (n + PG_HUGE_PAGE - 1) & ~(size_t)(PG_HUGE_PAGE - 1);
	void *mem = aligned_alloc(PG_HUGE_PAGE, len);

	if (!mem)
		return NULL;
#ifdef MADV_HUGEPAGE
	(void)madvise(mem, len, MADV_HUGEPAGE); /* a hint: without it only slower */
#endif
	memset(mem, 0, len);
	return mem;
}

/*
 * Fault memory in now, on the caller's thread: calloc() hands out pages the
 * kernel maps on first write, and the first write may come from a
 * reconfiguration run between two data path passes (a flush clears the
 * bits), where ~30 faults cost 0.1-1.5 ms of the data path's CPU on these
 * machines. Volatile, so the compiler cannot drop the stores as redundant.
 */
static void touch_pages(void *p, size_t len)
{
	for (size_t o = 0; o < len; o += 4096)
		((volatile uint8_t *)p)[o] = 0;
}

struct pg_engine *pg_engine_create(const struct pg_engine_config *cfg)
{
	struct pg_engine *e;
	const char *why;
	uint32_t nslots, nmappings, nhosts, n = cfg->max_flows, i;
	uint8_t *mem;
	size_t pools;

	if (pg_engine_config_validate(cfg, &why)) {
		errno = EINVAL;
		return NULL;
	}
	pools = pg_pools_size(n, &nslots, &nmappings, &nhosts);
	e = calloc(1, sizeof(*e));
	mem = table_alloc(pools + 2 * PG_PORTS__COUNT * port_bitmap_bytes() + pg_alg_mem_size(cfg));
	if (e) {
		e->v6 = pg_v6_create(cfg);
		/* One bit per flow entry: which ones the XDP fast path holds (offload.c). */
		e->offload_bits = calloc(((size_t)n + 63) / 64, sizeof(uint64_t));
		if (e->offload_bits)
			touch_pages(e->offload_bits, ((size_t)n + 63) / 64 * sizeof(uint64_t));
	}
	if (!e || !mem || !e->v6 || !e->offload_bits) {
		if (e) {
			pg_v6_destroy(e->v6);
			free(e->offload_bits);
		}
		free(e);
		free(mem);
		errno = ENOMEM;
		return NULL;
	}
	apply_config(e, cfg);
	e->slots = (uint64_t *)mem;
	e->nslots = nslots;
	mem += (size_t)nslots * sizeof(uint64_t);
	e->flows = (struct pg_flow *)mem;
	mem += (size_t)n * sizeof(struct pg_flow);
	e->mappings = (struct pg_mapping *)mem;
	mem += (size_t)nmappings * sizeof(struct pg_mapping);
	e->permits = (struct pg_counted *)mem;
	mem += (size_t)n * sizeof(struct pg_counted);
	e->hosts = (struct pg_counted *)mem;
	mem += (size_t)nhosts * sizeof(struct pg_counted);
	for (i = 0; i < PG_PORTS__COUNT; i++) {
		e->ports_used[i] = (uint64_t *)mem;
		mem += port_bitmap_bytes();
		e->ports_reserved[i] = (uint64_t *)mem;
		mem += port_bitmap_bytes();
	}
	pg_alg_init(e, mem);
	for (i = 0; i < nslots; i++)
		e->slots[i] = PG_NONE;
	for (i = 0; i < PG_WHEEL_SLOTS; i++)
		e->wheel[i] = PG_NONE;
	e->pool_size = n;
	e->mapping_pool = nmappings;
	e->host_pool = nhosts;
	free_list(n, e->flows, sizeof(*e->flows), offsetof(struct pg_flow, next), &e->free_flow);
	free_list(nmappings, e->mappings, sizeof(*e->mappings), offsetof(struct pg_mapping, next_free),
		  &e->free_mapping);
	free_list(n, e->permits, sizeof(*e->permits), offsetof(struct pg_counted, next_free),
		  &e->free_permit);
	free_list(nhosts, e->hosts, sizeof(*e->hosts), offsetof(struct pg_counted, next_free),
		  &e->free_host);
	pg_nat_init(e);
	pg_portfwd_reserve(e);
	return e;
}

void pg_engine_destroy(struct pg_engine *e)
{
	if (!e)
		return;
	free(e->sync); /* the change ring, if sync was on */
	free(e->slots);
	pg_v6_destroy(e->v6);
	free(e->offload_bits);
	free(e);
}

void pg_engine_share_ports(struct pg_engine *e, struct pg_portdir *d)
{
	e->dir = d;
	pg_nat_recount(e); /* the directory learns the forwarded (reserved) ports */
}

/* The WAN address changed: no flow's public end exists any more. */
static void end_all_flows(struct pg_engine *e)
{
	for (uint32_t i = 0; i < e->pool_size && e->nflows; i++) {
		if (!e->flows[i].key.kind)
			continue;
		pg_flow_free(e, i);
		pg_count(e, PG_CNT_FLOW_WAN_CHANGED);
	}
}

int pg_engine_reconfigure(struct pg_engine *e, const struct pg_engine_config *cfg)
{
	const char *why;
	int r = pg_engine_config_validate(cfg, &why);

	if (r)
		return r;
	/* What the engine would do with an offered flow's packets may change. */
	pg_offload_flush(e);
	/* Flow entries rebuild their WAN-side keys on it (struct pg_flow). */
	if (cfg->wan_addr != e->cfg.wan_addr || cfg->wan_down != e->cfg.wan_down)
		end_all_flows(e);
	apply_config(e, cfg);
	pg_portfwd_reserve(e);
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

void pg_engine_tick(struct pg_engine *e, uint64_t now_ms)
{
	e->now_ms = now_ms;
	pg_flow_expire(e, (uint32_t)(now_ms / 1000));
	pg_frag_expire(e, (uint32_t)(now_ms / 1000));
	pg_v6_expire(e, (uint32_t)(now_ms / 1000));
	pg_v6_expire_offered(e, (uint32_t)(now_ms / 1000));
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
	if (!pg_local_admit(e, p)) {
		pg_drop(e, pkt, PG_CNT_DROP_TO_GW_LIMIT);
		return;
	}
	/*
	 * A tunnelled host's DNS query to the gateway: the host sends it into
	 * the tunnel (ctl/tunnel_host.c), so while the tunnel is down it would
	 * only wait there; the kill switch drops and counts it here instead.
	 */
	if (e->cfg.tunnel && !e->tunnel_up && e->cfg.tunnel_killswitch &&
	    pkt->side == PG_SIDE_LAN && p->daddr == e->cfg.lan_addr &&
	    (p->proto == PG_PROTO_UDP || p->proto == PG_PROTO_TCP) && p->dport == htons(53) &&
	    pg_local_tunnelled(e, p->saddr)) {
		pg_drop(e, pkt, PG_CNT_DROP_TUNNEL_DOWN);
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
	uint16_t ip_id;

	pkt->verdict = PG_VERDICT_DROP;
	pkt->drop_reason = PG_CNT_NONE;
	pkt->next_hop = 0;
	pg_count(e, pkt->side == PG_SIDE_WAN ? PG_CNT_RX_WAN : PG_CNT_RX_LAN);
	if (pkt->len && pkt->l3[0] >> 4 == 6) {
		pg_v6_process(e, pkt, now_ms);
		return;
	}

	r = pg_parse(pkt, &p);
	if (r != PG_CNT_NONE) {
		pg_drop(e, pkt, r);
		return;
	}
	ip_id = pg_get16(pkt->l3 + 4);
	/* Without a WAN address only the LAN's talk with the gateway goes on. */
	if (e->cfg.wan_down && !lan) {
		pg_drop(e, pkt, PG_CNT_DROP_WAN_DOWN);
		return;
	}
	if (pkt->side == PG_SIDE_HOST) {
		/* The host stack's own connection: a LAN host at the WAN address. */
		pkt->side = PG_SIDE_LAN;
		lan = true;
		if (p.saddr != e->cfg.wan_addr || in_lan(e, p.daddr) || for_gateway(e, pkt, p.daddr)) {
			pg_drop(e, pkt, PG_CNT_DROP_LAN_SPOOFED);
			return;
		}
	} else if (lan && !p.frag_off && pg_local_route(e, p.daddr)) {
		pkt->verdict = PG_VERDICT_TO_GW; /* the host routes it */
		pg_count(e, PG_CNT_TO_GW);
		return;
	} else if (lan) {
		/* A host with no address yet may talk to the gateway (DHCP, IGMP). */
		bool unaddressed = p.saddr == 0 && (p.daddr == BROADCAST || is_multicast(p.daddr));

		if (!unaddressed && (!in_lan(e, p.saddr) || p.saddr == e->cfg.lan_addr ||
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
		if (lan || (p.proto == PG_PROTO_ICMP && !p.frag_off &&
			    p.icmp_type == PG_ICMP_ECHO_REQUEST)) {
			if (p.frag_off || p.more_frags)
				pg_drop(e, pkt, PG_CNT_DROP_IP_FRAGMENT);
			else if (!lan || !pg_hairpin(e, pkt, &p, now_ms))
				to_gateway(e, pkt, &p);
			else if (pkt->verdict == PG_VERDICT_DROP)
				pg_icmp_refuse_new(e, pkt, &p, now_ms); /* as outbound */
			return;
		}
	} else if (!lan) {
		pg_drop(e, pkt, PG_CNT_DROP_WAN_NOT_OURS);
		return;
	} else if (in_lan(e, p.daddr)) {
		pg_drop(e, pkt, PG_CNT_DROP_LAN_LOCAL);
		return;
	}
	/* A tunnelled host's traffic leaves through the host's tunnel or not at all. */
	if (lan && e->cfg.tunnel && pg_local_tunnelled(e, p.saddr) && pg_local_tunnel(e, pkt))
		return;
	if (e->cfg.wan_down) {
		pg_drop(e, pkt, PG_CNT_DROP_WAN_DOWN);
		/*
		 * With [icmp] refused_outbound the LAN host learns at once that
		 * there is no way out (network unreachable) instead of timing
		 * out; pg_icmp_error() never answers an ICMP error or a later
		 * fragment.
		 */
		if (e->cfg.refuse_outbound)
			pg_icmp_error(e, pkt, PG_ICMP_DEST_UNREACH, 0, 0, now_ms);
		return;
	}
	if (p.frag_off) {
		pg_frag_later(e, pkt, &p, now_ms);
		return;
	}
	if (!lan) {
		pg_forward_in(e, pkt, &p, now_ms);
	} else if (p.ttl <= 1) {
		pg_drop(e, pkt, PG_CNT_DROP_TTL_EXCEEDED);
		pg_icmp_error(e, pkt, PG_ICMP_TIME_EXCEEDED, 0, 0, now_ms);
	} else {
		pg_forward_out(e, pkt, &p, now_ms);
		if (pkt->verdict == PG_VERDICT_DROP)
			pg_icmp_refuse_new(e, pkt, &p, now_ms);
	}
	if (p.more_frags)
		pg_frag_first(e, pkt, p.saddr, p.daddr, p.proto, ip_id, pkt->side, p.l4_len,
			      now_ms);
}

static void count_tx(struct pg_engine *e, struct pg_pkt *pkt)
{
	/* The host path and fragmenting are IPv4's (IPv6 routers never fragment). */
	if (pkt->verdict == PG_VERDICT_DROP || pkt->l3[0] >> 4 == 4) {
		pg_local_settle(e, pkt);
		pg_mtu_fit(e, pkt);
	}
	if (pkt->verdict == PG_VERDICT_TO_LAN)
		pg_count(e, PG_CNT_TX_LAN);
	else if (pkt->verdict == PG_VERDICT_TO_WAN)
		pg_count(e, PG_CNT_TX_WAN);
}

/*
 * The batch goes through in chunks: fastpath.c looks the whole chunk up at
 * once (prefetching), then each packet in order takes the fast lane if its
 * flow allows, or process().
 */
void pg_engine_run(struct pg_engine *e, struct pg_pkt *pkts, unsigned int n, uint64_t now_ms)
{
	struct pg_fast_chunk chunk;
	unsigned int i, j, m;

	e->now_ms = now_ms;
	pg_flow_expire(e, (uint32_t)(now_ms / 1000));
	pg_frag_run_start(e);
	pg_v6_expire(e, (uint32_t)(now_ms / 1000));
	for (i = 0; i < n; i += m) {
		m = n - i < PG_FAST_CHUNK ? n - i : PG_FAST_CHUNK;
		pg_fast_prepare(e, &pkts[i], m, &chunk);
		for (j = 0; j < m; j++) {
			struct pg_pkt *pkt = &pkts[i + j];

			if (pg_fast_forward(e, &chunk, j, pkt, now_ms)) {
				/* The fast lane checked the MTU: only a packet for the
				 * gateway's own address needs count_tx()'s settling. */
				if (pkt->next_hop != e->cfg.wan_addr) {
					pg_count(e, pkt->verdict == PG_VERDICT_TO_LAN
							    ? PG_CNT_TX_LAN
							    : PG_CNT_TX_WAN);
					continue;
				}
			} else {
				process(e, pkt, now_ms);
			}
			count_tx(e, pkt);
		}
	}
	/* Held fragments released, and pieces cut for the MTU (appended as we go). */
	for (i = 0; i < e->nemit; i++)
		count_tx(e, &e->emit[i]);
}
