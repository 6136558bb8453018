/* SPDX-License-Identifier: MIT */
/*
 * datapath.c - one pass of the packet path (the SIGUSR1 status report is the
 * control thread's, from a copy: ctl/api_log.c).
 *
 * A pass takes up to PG_DP_BURST frames from each link's ring into the
 * daemon's own buffers, lets layer 2 answer ARP and strip Ethernet, runs the
 * engines once over the IPv4 packets of both links together (each packet on
 * its worker's engine, the workers at once: workers.c), then hands each
 * packet with a link verdict to that link's layer 2 to resolve and transmit.
 * Transmit rings are flushed once per pass. Nothing here allocates after
 * init; every frame that is not forwarded is counted somewhere.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "dp/datapath.h"
#include "engine/forward6.h"
#include "engine/parse6.h"
#include "io/ifcheck.h"
#include "util/log.h"

#define WARN_INTERVAL_MS 10000
#define TICK_INTERVAL_MS 1000

/* Is the packet still in the frame buffer it was received into (its Ethernet header intact)? */
static bool in_frame_bufs(const struct pg_datapath *dp, const struct pg_pkt *p)
{
	return p->l3 >= dp->bufs && p->l3 < dp->bufs + (size_t)PG_DP_FRAMES * PG_FRAME_SIZE;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint32_t ip_addr_at(const struct pg_pkt *p, unsigned int off)
{
	uint32_t a = 0;

	if (p->len >= 20)
		memcpy(&a, p->l3 + off, sizeof(a));
	return a;
}

/*
 * Out of a link, through its shaper when one is on. host: the LAN host the
 * packet belongs to (its destination towards the LAN; towards the WAN its
 * source before NAT, which only the caller still knows).
 */
static void output(struct pg_datapath *dp, enum pg_side s, struct pg_pkt *p, uint32_t host,
		   uint64_t now_ms, uint64_t now_ns)
{
	if (dp->shaper[s])
		pg_shaper_enqueue(dp->shaper[s], p->l3, p->len, host, p->next_hop, now_ns);
	else
		pg_port_output(&dp->link[s].port, p, now_ms);
}

/* Send what the shapers' buckets allow by now. */
static void shaper_release(struct pg_datapath *dp, uint64_t now_ms, uint64_t now_ns)
{
	for (int s = 0; s < 2; s++) {
		struct pg_shaper_pkt *sp;

		if (!dp->shaper[s])
			continue;
		while ((sp = pg_shaper_dequeue(dp->shaper[s], now_ns))) {
			struct pg_pkt p = {.l3 = sp->l3, .len = sp->len, .cap = sp->cap,
					   .next_hop = sp->next_hop};

			pg_port_output(&dp->link[s].port, &p, now_ms);
		}
	}
}

/* Hand one packet with its verdict to the link (or host device) it goes out of. */
static void deliver(struct pg_datapath *dp, struct pg_pkt *p, uint32_t host, uint64_t now_ms,
		    uint64_t now_ns)
{
	switch (p->verdict) {
	case PG_VERDICT_TO_LAN:
		output(dp, PG_SIDE_LAN, p, ip_addr_at(p, 16), now_ms, now_ns);
		break;
	case PG_VERDICT_TO_WAN:
		output(dp, PG_SIDE_WAN, p, host ? host : ip_addr_at(p, 12), now_ms, now_ns);
		break;
	case PG_VERDICT_TO_GW:
		/* Counted as drop_host_path there when [host] path is off. */
		pg_hostpath_deliver(&dp->host, &dp->link[p->side == PG_SIDE_WAN].port, p,
				    in_frame_bufs(dp, p));
		break;
	default:
		break; /* the engine counted the reason */
	}
}

/* The backend switch: each link uses one of two sockets with the same batch calls. */
static int link_tx(void *ctx, const uint8_t *frame, uint32_t len)
{
	struct pg_link *l = ctx;

	pg_capture_hook(l->cap, l->port.side, PG_CAPTURE_TX, frame, len);
	return l->use_xdp ? pg_afxdp_tx(&l->xdp, frame, len) : pg_afp_tx(&l->afp, frame, len);
}

static unsigned int link_rx(struct pg_link *l, struct pg_rx_frame *f, unsigned int max)
{
	return l->use_xdp ? pg_afxdp_rx_burst(&l->xdp, f, max) : pg_afp_rx_burst(&l->afp, f, max);
}

static uint32_t link_backlog(struct pg_link *l)
{
	return l->use_xdp ? pg_afxdp_rx_backlog(&l->xdp) : pg_afp_rx_backlog(&l->afp);
}

/*
 * A pass's frames from one link. AF_XDP: the ring is emptied into the
 * daemon's queue and light flows come out first (rxq.c); AF_PACKET: a burst
 * in ring order, early drops from its heavy flows when behind (overload.c).
 * *now_ns: the pass's clock, read here if still 0 and the queue is used.
 * *more: frames are left for another pass.
 */
static unsigned int link_take(struct pg_link *l, struct pg_rx_frame *f, uint64_t *now_ns,
			      bool *more)
{
	struct pg_rx_frame *stage;
	unsigned int got, room;

	/*
	 * Keeping up (the ring holds a burst at most, nothing queued here): as
	 * it comes, so an idle or shaped line runs exactly as without the queue.
	 */
	if (!l->rxq || (!pg_rxq_backlog(l->rxq) && link_backlog(l) <= PG_DP_BURST)) {
		got = link_rx(l, f, PG_DP_BURST);
		if (got == PG_DP_BURST)
			*more = true;
		return l->rxq ? got : pg_overload_filter(&l->overload, f, got, link_backlog(l));
	}
	if (!*now_ns)
		*now_ns = mono_ns();
	/* At most a ring's worth: the kernel refills it while we copy. */
	for (unsigned int k = 0; k < PG_RXQ_FRAMES / PG_DP_BURST; k++) {
		room = pg_rxq_room(l->rxq, &stage);
		got = room ? link_rx(l, stage, room) : 0;
		pg_rxq_push(l->rxq, got, *now_ns);
		if (got < room || !room)
			break;
	}
	got = pg_rxq_pop(l->rxq, f, PG_DP_BURST, *now_ns);
	if (pg_rxq_backlog(l->rxq))
		*more = true;
	return got;
}

static void link_flush(struct pg_link *l)
{
	if (l->use_xdp)
		pg_afxdp_tx_flush(&l->xdp);
	else
		pg_afp_tx_flush(&l->afp);
}

static void link_close(struct pg_link *l)
{
	pg_rxq_destroy(l->rxq);
	l->rxq = NULL;
	if (l->use_xdp)
		pg_afxdp_close(&l->xdp);
	else
		pg_afp_close(&l->afp);
}

static uint64_t link_kernel_drops(struct pg_link *l)
{
	return l->use_xdp ? pg_afxdp_kernel_drops(&l->xdp) : pg_afp_kernel_drops(&l->afp);
}

static int link_open(struct pg_link *l, enum pg_side side, const char *ifname, uint32_t mtu,
		     uint32_t addr, uint8_t prefix, uint32_t gateway, bool auto_backend,
		     const char *fast_obj, char *err, size_t errlen)
{
	struct pg_ifinfo info;
	int r;

	r = pg_if_query(ifname, &info, err, errlen);
	if (r)
		return r;
	if (l->use_xdp && auto_backend) {
		r = pg_afxdp_open(&l->xdp, ifname, fast_obj, err, errlen);
		if (r) {
			/* The default: take the fast path where the link allows it. */
			pg_warn("%s; using AF_PACKET", err);
			l->use_xdp = false;
			l->xdp.fd = -1;
		}
	} else if (l->use_xdp) {
		r = pg_afxdp_open(&l->xdp, ifname, fast_obj, err, errlen);
		if (r) {
			/* Asked for explicitly: refuse rather than run slower than configured. */
			size_t n = strlen(err);

			snprintf(err + n, errlen - n,
				 "; the afxdp backend cannot run here ([datapath] backend = afpacket "
				 "works on every link)");
			return r;
		}
	}
	if (l->use_xdp) {
		/* Light flows first when we fall behind (rxq.c). */
		l->rxq = pg_rxq_create((uint32_t)mono_ns());
		if (!l->rxq) {
			snprintf(err, errlen, "%s: out of memory for the receive queue", ifname);
			pg_afxdp_close(&l->xdp);
			return -ENOMEM;
		}
		pg_info("%s: AF_XDP copy mode, %u receive queue%s, XDP %sprogram in %s mode",
			ifname, l->xdp.nq, l->xdp.nq == 1 ? "" : "s",
			l->xdp.use_fast ? "fast path " : "",
			pg_afxdp_native(&l->xdp) ? "driver" : "generic");
	} else {
		r = pg_afp_open(&l->afp, ifname, err, errlen);
		if (r)
			return r;
		pg_info("%s: AF_PACKET (TPACKET_V2 rings)", ifname);
	}
	l->ifindex = info.ifindex;
	r = pg_port_init(&l->port, ifname, side, info.mac, addr, prefix, gateway, mtu, link_tx, l);
	if (r) {
		snprintf(err, errlen, "%s: out of memory for the neighbour cache", ifname);
		link_close(l);
	}
	return r;
}

/* [wan] shape_up on the WAN link's egress, shape_down on the LAN link's. */
static int shapers_init(struct pg_datapath *dp, const struct pg_config *cfg, char *err,
			size_t errlen)
{
	const uint64_t rate[2] = {[PG_SIDE_LAN] = cfg->shape_down_bps,
				  [PG_SIDE_WAN] = cfg->shape_up_bps};
	const uint32_t mtu[2] = {[PG_SIDE_LAN] = cfg->lan_mtu, [PG_SIDE_WAN] = cfg->wan_mtu};

	for (int s = 0; s < 2; s++) {
		struct pg_shaper_config sc = {.rate_bps = rate[s], .max_packet = mtu[s]};

		if (!rate[s])
			continue;
		/* Unpredictable flow hashes: nobody outside picks which queues collide. */
		if (getrandom(sc.hash_key, sizeof(sc.hash_key), 0) != sizeof(sc.hash_key))
			sc.hash_key[0] = mono_ns();
		if (pg_shaper_validate(&sc, err, errlen))
			return -EINVAL;
		dp->shaper[s] = pg_shaper_create(&sc);
		if (!dp->shaper[s]) {
			snprintf(err, errlen, "out of memory for the %s shaper",
				 s == PG_SIDE_WAN ? "upload" : "download");
			return -ENOMEM;
		}
		pg_info("%s: shaped to %llu kbit/s (%s), FQ-CoDel with per-host fairness, %zu KiB",
			s == PG_SIDE_WAN ? cfg->wan_ifname : cfg->lan_ifname,
			(unsigned long long)(rate[s] / 1000), s == PG_SIDE_WAN ? "upload" : "download",
			pg_shaper_memory_size(&sc) / 1024);
	}
	return 0;
}

/* IPv6 on both links when the LAN has an IPv6 prefix ([lan] address6): neighbour discovery. */
static int links_ipv6(struct pg_datapath *dp, const struct pg_config *cfg, char *err, size_t errlen)
{
	const struct pg_engine_config *ec = &cfg->engine;
	struct pg_nd_config lan = {.prefix = ec->lan6_prefix, .send_ra = cfg->ipv6.lan_ra,
				   .mtu = cfg->lan_mtu};
	struct pg_nd_config wan = {.prefix = ec->wan6_prefix, .solicit = true,
				   .slaac = cfg->ipv6.wan_slaac};

	if (!ec->lan6_prefix && !cfg->ipv6.lan_pd)
		return 0; /* with PD the prefix comes later (pd.c): discovery runs from the start */
	memcpy(lan.addr, ec->lan6_addr, 16);
	memcpy(lan.dns, cfg->ipv6.lan_dns_gw ? ec->lan6_addr : cfg->ipv6.lan_dns, 16);
	memcpy(wan.addr, ec->wan6_addr, 16);
	memcpy(wan.gateway, ec->wan6_gateway, 16);
	if (pg_port_enable_ipv6(&dp->link[PG_SIDE_LAN].port, &lan) ||
	    pg_port_enable_ipv6(&dp->link[PG_SIDE_WAN].port, &wan)) {
		snprintf(err, errlen, "out of memory for IPv6 neighbour discovery");
		return -ENOMEM;
	}
	return 0;
}

/* The offload's neighbour lookup: a MAC in use on link side's cache. */
static bool offload_mac(void *ctx, enum pg_side side, uint32_t ip, uint8_t mac[6])
{
	struct pg_datapath *dp = ctx;
	const struct pg_neigh_entry *n = pg_neigh_find(&dp->link[side & 1].port.neigh, ip);

	if (!n || (n->state != PG_NEIGH_REACHABLE && n->state != PG_NEIGH_PROBE))
		return false;
	memcpy(mac, n->mac, 6);
	return true;
}

/* The same for an IPv6 next hop, zero naming the router the WAN's advertisements gave. */
static bool offload_mac6(void *ctx, enum pg_side side, const uint8_t ip[16], uint8_t mac[6])
{
	struct pg_datapath *dp = ctx;
	const struct pg_port *p = &dp->link[side & 1].port;
	const struct pg_nd_entry *n;

	if (!p->nd)
		return false;
	n = pg_nd_find(p, pg_ip6_is_unspecified(ip) ? p->nd->router : ip);
	if (!n || n->state != PG_ND_REACHABLE)
		return false;
	memcpy(mac, n->mac, 6);
	return true;
}

/*
 * The fast path's object file when the decision (offload_decide.c) is to
 * load it, else NULL. A missing file turns it off, with the reason.
 */
static const char *offload_obj(struct pg_offload_decision *d, const struct pg_config *cfg,
			       char *path, size_t len)
{
	char err[200];

	if (!pg_offload_decide(cfg, d))
		return NULL;
	if (pg_xdp_fast_find(path, len, err, sizeof(err))) {
		snprintf(d->why, sizeof(d->why), "%s", err);
		d->load = false;
		return NULL;
	}
	return path;
}

/* Both links run the fast path: point each at the other and let the engines offer flows. */
static int offload_start(struct pg_datapath *dp, const struct pg_config *cfg, char *err,
			 size_t errlen)
{
	struct pg_offload_decision *d = &dp->offload_decision;
	struct pg_link *lan = &dp->link[PG_SIDE_LAN], *wan = &dp->link[PG_SIDE_WAN];
	char why[96];
	int r;

	if (!d->load) {
		pg_offload_decided(d, false, NULL);
		return 0;
	}
	for (int s = 0; s < 2; s++) {
		const struct pg_link *l = &dp->link[s];

		if (l->use_xdp && l->xdp.use_fast)
			continue;
		/* backend = auto fell back to AF_PACKET on this link (logged with why). */
		snprintf(why, sizeof(why), "%s runs without AF_XDP; the fast path needs it on both links",
			 s == PG_SIDE_LAN ? cfg->lan_ifname : cfg->wan_ifname);
		pg_offload_decided(d, false, why);
		return 0;
	}
	r = pg_xdp_fast_set_egress(&lan->xdp.fast, wan->ifindex);
	if (!r)
		r = pg_xdp_fast_set_egress(&wan->xdp.fast, lan->ifindex);
	if (r) {
		snprintf(err, errlen, "[datapath] offload: the redirect map: %s", strerror(-r));
		return r;
	}
	r = pg_offload_init(&dp->offload, &lan->xdp.fast, &wan->xdp.fast, lan->port.mac,
			    wan->port.mac, cfg->lan_mtu, cfg->wan_mtu, offload_mac, dp);
	if (r) {
		snprintf(err, errlen, "out of memory for the XDP fast path's slots");
		return r;
	}
	dp->offload.mac6_of = offload_mac6;
	for (unsigned int k = 0; k < dp->engines->n; k++)
		pg_engine_set_offload(dp->engines->e[k], true);
	pg_offload_decided(d, true, NULL);
	return 0;
}

_Static_assert(PG_DP_FRAMES <= PG_WORKERS_BATCH_MAX, "a pass holds more than workers take");

int pg_datapath_init(struct pg_datapath *dp, const struct pg_config *cfg,
		     struct pg_engines *engines, char *err, size_t errlen)
{
	const struct pg_engine_config *ec = &cfg->engine;
	char obj_path[4096];
	const char *fast_obj;
	int r;

	memset(dp, 0, sizeof(*dp));
	fast_obj = offload_obj(&dp->offload_decision, cfg, obj_path, sizeof(obj_path));
	dp->host.fd[0] = dp->host.fd[1] = -1;
	for (int i = 0; i < 2; i++) {
		dp->link[i].afp.fd = -1;
		dp->link[i].xdp.fd = -1;
		dp->link[i].use_xdp = cfg->backend != PG_BACKEND_AFPACKET;
	}
	dp->engines = engines;
	if (posix_memalign((void **)&dp->bufs, 64, (size_t)PG_DP_FRAMES * PG_FRAME_SIZE)) {
		snprintf(err, errlen, "out of memory for frame buffers");
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < PG_DP_FRAMES; i++)
		dp->frames[i].buf = dp->bufs + (size_t)i * PG_FRAME_SIZE;
	r = pg_history_init(&dp->history);
	if (!r) {
		dp->hist_row = calloc(dp->history.cols, sizeof(*dp->hist_row));
		r = dp->hist_row ? 0 : -ENOMEM;
	}
	if (r) {
		snprintf(err, errlen, "out of memory for the graphs' history");
		goto out_free;
	}
	r = link_open(&dp->link[PG_SIDE_LAN], PG_SIDE_LAN, cfg->lan_ifname, cfg->lan_mtu,
		      ec->lan_addr, ec->lan_prefix, 0, cfg->backend == PG_BACKEND_AUTO, fast_obj, err,
		      errlen);
	if (r)
		goto out_free;
	r = link_open(&dp->link[PG_SIDE_WAN], PG_SIDE_WAN, cfg->wan_ifname, cfg->wan_mtu,
		      ec->wan_addr, ec->wan_prefix, ec->wan_gateway, cfg->backend == PG_BACKEND_AUTO,
		      fast_obj, err, errlen);
	if (r)
		goto out_lan;
	r = links_ipv6(dp, cfg, err, errlen);
	if (!r)
		r = offload_start(dp, cfg, err, errlen);
	if (r)
		goto out_wan;
	pg_capture_init(&dp->capture, dp->link[PG_SIDE_LAN].ifindex,
			dp->link[PG_SIDE_WAN].ifindex);
	dp->link[PG_SIDE_LAN].cap = dp->link[PG_SIDE_WAN].cap = &dp->capture;
	{
		struct pg_port *ports[2] = {&dp->link[PG_SIDE_LAN].port,
					    &dp->link[PG_SIDE_WAN].port};

		r = pg_hostpath_init(&dp->host, cfg, ports, err, errlen);
	}
	if (r)
		goto out_wan;
	r = shapers_init(dp, cfg, err, errlen);
	if (r)
		goto out_host;
	r = pg_workers_start(&dp->workers, engines, err, errlen);
	if (r)
		goto out_shapers;
	/* [sync] ha_start = backup: silent until keepalived says master. */
	if (cfg->sync.start_backup) {
		dp->ha.role = PG_HA_BACKUP;
		dp->link[PG_SIDE_LAN].port.standby = dp->link[PG_SIDE_WAN].port.standby = true;
	}
	return 0;

out_shapers:
	pg_shaper_destroy(dp->shaper[PG_SIDE_LAN]);
	pg_shaper_destroy(dp->shaper[PG_SIDE_WAN]);
out_host:
	pg_hostpath_fini(&dp->host);
out_wan:
	pg_offload_fini(&dp->offload);
	pg_port_fini(&dp->link[PG_SIDE_WAN].port);
	link_close(&dp->link[PG_SIDE_WAN]);
out_lan:
	pg_port_fini(&dp->link[PG_SIDE_LAN].port);
	link_close(&dp->link[PG_SIDE_LAN]);
out_free:
	pg_history_fini(&dp->history);
	free(dp->hist_row);
	dp->hist_row = NULL;
	free(dp->bufs);
	dp->bufs = NULL;
	return r;
}

void pg_datapath_fini(struct pg_datapath *dp)
{
	pg_workers_stop(&dp->workers);
	pg_hostpath_fini(&dp->host);
	pg_offload_fini(&dp->offload);
	for (int s = 0; s < 2; s++) {
		pg_shaper_destroy(dp->shaper[s]);
		dp->shaper[s] = NULL;
	}
	for (int s = 0; s < 2; s++) {
		/* Let queued frames go before the ring disappears. */
		link_flush(&dp->link[s]);
		pg_port_fini(&dp->link[s].port);
		link_close(&dp->link[s]);
	}
	pg_capture_fini(&dp->capture);
	pg_history_fini(&dp->history);
	free(dp->hist_row);
	dp->hist_row = NULL;
	free(dp->bufs);
	dp->bufs = NULL;
}

int pg_datapath_fd(const struct pg_datapath *dp, enum pg_side side)
{
	return dp->link[side].use_xdp ? dp->link[side].xdp.fd : dp->link[side].afp.fd;
}

int pg_datapath_host_fd(const struct pg_datapath *dp, enum pg_side side)
{
	return pg_hostpath_fd(&dp->host, side);
}

void pg_datapath_host_ready(struct pg_datapath *dp, enum pg_side side)
{
	dp->host_ready[side & 1] = true;
}

/* The XDP path's frames into the links' layer 2 counters: in on one link, out of the other. */
static void offload_l2_count(struct pg_datapath *dp)
{
	struct pg_offload *o = &dp->offload;

	for (int s = 0; s < 2; s++) {
		uint64_t *in = dp->link[s].port.cnt, *out = dp->link[!s].port.cnt;

		in[PG_L2_CNT_RX_FRAMES] += o->fwd_frames[s];
		in[PG_L2_CNT_RX_OFFLOADED] += o->fwd_frames[s];
		in[PG_L2_CNT_RX_BYTES] += o->fwd_bytes[s];
		out[PG_L2_CNT_TX_FRAMES] += o->fwd_frames[s];
		out[PG_L2_CNT_TX_BYTES] += o->fwd_bytes[s];
		o->fwd_frames[s] = o->fwd_bytes[s] = 0;
	}
}

/* One row of the graphs' history: a few hundred counters copied, once a second. */
static void history_sample(struct pg_datapath *dp, uint64_t now_ms)
{
	const uint64_t *l2[2] = {dp->link[PG_SIDE_LAN].port.cnt, dp->link[PG_SIDE_WAN].port.cnt};
	uint32_t by_proto[PG_FP__COUNT];

	if (!dp->hist_row)
		return;
	pg_engines_counters(dp->engines, dp->hist_cnt);
	pg_engines_flows_by_proto(dp->engines, by_proto);
	pg_history_row(&dp->history, dp->hist_cnt, pg_engines_flow_count(dp->engines), by_proto,
		       l2, dp->hist_row);
	pg_history_add(&dp->history, now_ms, dp->hist_row);
}

/* Say once in a while why frames are being dropped, with the fix. */
static void warn_offloads(struct pg_link *l, uint64_t now_ms)
{
	const uint64_t *c = l->port.cnt;
	const char *n = l->port.name;

	if (now_ms - l->warn_ms < WARN_INTERVAL_MS && l->warn_ms)
		return;
	if (c[PG_L2_CNT_DROP_OVERSIZE] != l->warned_oversize) {
		pg_warn(
			"%s: %llu frames above the MTU dropped so far: a sender on this link hands "
			"over GSO/TSO super-frames (turn off with 'ethtool -K IF tso off gso off' on "
			"the sender, veth peers included) or GRO merges them ('ethtool -K %s gro off')",
			n, (unsigned long long)c[PG_L2_CNT_DROP_OVERSIZE], n);
		l->warned_oversize = c[PG_L2_CNT_DROP_OVERSIZE];
		l->warn_ms = now_ms;
	}
	if (c[PG_L2_CNT_DROP_CSUM_PARTIAL] != l->warned_csum) {
		pg_warn("%s: %llu frames with unfinished (offloaded) checksums dropped so far: the "
			"sender leaves checksums to hardware; turn it off on the sender: "
			"'ethtool -K IF tx off' (veth peers included)",
			n, (unsigned long long)c[PG_L2_CNT_DROP_CSUM_PARTIAL]);
		l->warned_csum = c[PG_L2_CNT_DROP_CSUM_PARTIAL];
		l->warn_ms = now_ms;
	}
}

bool pg_datapath_pass(struct pg_datapath *dp, uint64_t now_ms)
{
	unsigned int nf = 0, np = 0;
	bool more = false;
	/* Read only when used: a shaper, or a receive queue that is behind (link_take()). */
	uint64_t now_ns = dp->shaper[0] || dp->shaper[1] ? mono_ns() : 0;

	pg_capture_update(&dp->capture, now_ms);
	/*
	 * What a job between passes changed (a reconfiguration flushes the
	 * offered flows). An armed capture must see every packet, and a backup
	 * or faulty box in an HA pair forwards none (ha.c): the engines take
	 * their flows back from XDP meanwhile.
	 */
	if (dp->offload_decision.on) {
		bool pause = dp->capture.armed || dp->ha.role != PG_HA_MASTER;

		if (pause != dp->offload_paused) {
			dp->offload_paused = pause;
			for (unsigned int k = 0; k < dp->engines->n; k++)
				pg_engine_set_offload(dp->engines->e[k], !dp->offload_paused);
		}
		pg_offload_apply(&dp->offload, dp->engines, now_ms);
	}
	for (int s = 0; s < 2; s++) {
		struct pg_link *l = &dp->link[s];
		unsigned int got = link_take(l, dp->frames + nf, &now_ns, &more);

		for (unsigned int i = nf; i < nf + got; i++) {
			struct pg_rx_frame *f = &dp->frames[i];

			pg_capture_hook(&dp->capture, (unsigned int)s, PG_CAPTURE_RX,
					f->buf + PG_FRAME_ETH_OFF, f->len);
			if (s == PG_SIDE_LAN) {
				/*
				 * A VRRP advert goes up and never through the engine;
				 * tagged or cut frames are layer 2's to drop.
				 */
				if (!(f->flags & (PG_RX_F_VLAN | PG_RX_F_TRUNCATED |
						  PG_RX_F_OVERSIZE)) &&
				    pg_hostpath_lan_peek(&dp->host, &l->port,
							 f->buf + PG_FRAME_ETH_OFF, f->len))
					continue;
			} else if (dp->wan.on)
				pg_wan_arp(dp, f->buf + PG_FRAME_ETH_OFF, f->len, now_ms);
			if (!pg_port_input(&l->port, f->buf + PG_FRAME_ETH_OFF, f->len, PG_FRAME_MAX,
					   f->flags, now_ms, &dp->pkts[np]))
				continue;
			/* An HA backup forwards nothing: the master does (ha.h). */
			if (l->port.standby) {
				l->port.cnt[PG_L2_CNT_DROP_HA_STANDBY]++;
				continue;
			}
			/* The DHCP client's answers never reach the engine. */
			if (s == PG_SIDE_WAN && dp->wan.on &&
			    pg_dhcp_udp_match(dp->pkts[np].l3, dp->pkts[np].len)) {
				pg_wan_input(dp, dp->pkts[np].l3, dp->pkts[np].len, now_ms);
				continue;
			}
			if (s == PG_SIDE_WAN && pg_pd_claims(dp, dp->pkts[np].l3, dp->pkts[np].len)) {
				pg_pd_input(dp, dp->pkts[np].l3, dp->pkts[np].len, now_ms);
				continue;
			}
			np++;
		}
		nf += got;
	}
	if (nf)
		pg_dp_stats_batch(&dp->stats, nf);
	/* The host stack's frames: the LAN device's go straight out, the WAN device's join the batch. */
	if (dp->host_ready[PG_SIDE_LAN]) {
		dp->host_ready[PG_SIDE_LAN] =
			pg_hostpath_lan_rx(&dp->host, &dp->link[PG_SIDE_LAN].port);
		more |= dp->host_ready[PG_SIDE_LAN];
	}
	if (dp->host_ready[PG_SIDE_WAN]) {
		bool left = false;

		np += pg_hostpath_wan_rx(&dp->host, &dp->link[PG_SIDE_WAN].port, dp->frames + nf,
					 dp->pkts + np, PG_DP_FRAMES - nf, &left);
		dp->host_ready[PG_SIDE_WAN] = left;
		more |= left;
	}
	if (np) {
		/* The upload's fairness key: the LAN source, before NAT rewrites it. */
		for (unsigned int i = 0; dp->shaper[PG_SIDE_WAN] && i < np; i++)
			dp->host_of[i] = ip_addr_at(&dp->pkts[i], 12);
		pg_workers_run(&dp->workers, dp->pkts, np, now_ms);
		for (unsigned int i = 0; i < np; i++)
			deliver(dp, &dp->pkts[i], dp->shaper[PG_SIDE_WAN] ? dp->host_of[i] : 0,
				now_ms, now_ns);
		/* Held fragments their first fragment released: engine memory, this pass only. */
		for (unsigned int k = 0; k < dp->engines->n; k++) {
			struct pg_pkt *em;
			unsigned int ne = pg_engine_emitted(dp->engines->e[k], &em);

			for (unsigned int i = 0; i < ne; i++)
				deliver(dp, &em[i], 0, now_ms, now_ns);
		}
		/* After delivery: the next hops the new entries need are resolved by now. */
		if (dp->offload_decision.on)
			pg_offload_apply(&dp->offload, dp->engines, now_ms);
	}
	pg_wan_tick(dp, now_ms);
	pg_pd_tick(dp, now_ms);
	pg_wan6_tick(dp, now_ms);
	pg_ha_tick(dp, now_ms);
	shaper_release(dp, now_ms, now_ns);
	for (int s = 0; s < 2; s++) {
		struct pg_link *l = &dp->link[s];

		pg_port_timer(&l->port, now_ms);
		link_flush(l);
		if (nf)
			warn_offloads(l, now_ms);
	}
	/* Every second, busy or idle: expiry must not depend on what traffic runs. */
	if (now_ms - dp->last_tick_ms >= TICK_INTERVAL_MS) {
		/* The XDP path's packets first: no flow expires while it forwards them. */
		if (dp->offload_decision.on)
			pg_offload_sync(&dp->offload, dp->engines, now_ms);
		pg_engines_tick(dp->engines, now_ms);
		if (dp->offload_decision.on) {
			pg_offload_apply(&dp->offload, dp->engines, now_ms);
			offload_l2_count(dp);
		}
		dp->last_tick_ms = now_ms;
		for (int s = 0; s < 2; s++)
			dp->link[s].port.cnt[PG_L2_CNT_RX_KERNEL_DROPS] =
				link_kernel_drops(&dp->link[s]);
		history_sample(dp, now_ms);
	}
	return more;
}

void pg_datapath_poll_timeout(const struct pg_datapath *dp, int timeout_ms, struct timespec *ts)
{
	uint64_t wait = (uint64_t)(timeout_ms < 0 ? 0 : timeout_ms) * 1000000u;

	if (dp->shaper[0] || dp->shaper[1]) {
		uint64_t now = mono_ns();

		for (int s = 0; s < 2; s++) {
			uint64_t due = dp->shaper[s] ? pg_shaper_next_ns(dp->shaper[s]) : UINT64_MAX;

			if (due != UINT64_MAX)
				wait = due <= now ? 0 : (due - now < wait ? due - now : wait);
		}
	}
	ts->tv_sec = (time_t)(wait / 1000000000u);
	ts->tv_nsec = (long)(wait % 1000000000u);
}

void pg_datapath_error(struct pg_datapath *dp, enum pg_side side, uint64_t now_ms)
{
	struct pg_link *l = &dp->link[side];
	int e = l->use_xdp ? pg_afxdp_take_error(&l->xdp) : pg_afp_take_error(&l->afp);

	if (e && (now_ms - l->err_ms >= WARN_INTERVAL_MS || !l->err_ms)) {
		pg_warn("%s: socket error: %s", l->port.name, strerror(e));
		l->err_ms = now_ms;
	}
}

/* One line per shaped direction: rates, queue, and every nonzero counter. */
static void shaper_status(const struct pg_datapath *dp)
{
	for (int s = 0; s < 2; s++) {
		struct pg_shaper_stats st;
		char line[512];
		int n;

		if (!dp->shaper[s])
			continue;
		pg_shaper_get_stats(dp->shaper[s], mono_ns(), &st);
		n = snprintf(line, sizeof(line),
			     "shaper %s rate %llu sent_bps %llu backlog %u flows %u hosts %u",
			     s == PG_SIDE_WAN ? "up" : "down", (unsigned long long)st.rate_bps,
			     (unsigned long long)st.sent_bps, st.backlog_pkts, st.active_flows,
			     st.active_hosts);
		for (unsigned int i = 0; i < PG_SHAPER_CNT__COUNT && n > 0 && (size_t)n < sizeof(line);
		     i++)
			if (st.cnt[i])
				n += snprintf(line + n, sizeof(line) - (size_t)n, " %s %llu",
					      pg_shaper_counter_name(i), (unsigned long long)st.cnt[i]);
		pg_log_status("%s", line);
	}
}

void pg_datapath_status(struct pg_datapath *dp)
{
	uint32_t n6 = 0;

	/* Counters, flows and links come from the control thread's snapshot
	 * (api_log.c); what only the data path has is logged here, in a job. */
	shaper_status(dp);
	/* IPv6 flows live in a table of their own (engine/forward6.c). */
	for (unsigned int k = 0; k < dp->engines->n; k++)
		n6 += pg_v6_flow_count(dp->engines->e[k]);
	if (n6)
		pg_log_status("flows6 %u", n6);
	for (int s = 0; s < 2; s++) {
		const struct pg_link *l = &dp->link[s];

		for (unsigned int i = 0; l->rxq && i < PG_RXQ_CNT__COUNT; i++)
			pg_log_status("rxq %s %s %llu", l->port.name, pg_rxq_counter_name(i),
				      (unsigned long long)pg_rxq_count(l->rxq, i));
		if (l->overload.dropped)
			pg_log_status("overload %s dropped %llu passes %llu", l->port.name,
				      (unsigned long long)l->overload.dropped,
				      (unsigned long long)l->overload.passes_dropping);
	}
}
