/* SPDX-License-Identifier: MIT */
/*
 * wan.c - the DHCP client on the WAN link: frames in and out, the lease
 * applied, the lease file.
 *
 * DOC: Theory of operation
 *
 * The client (src/wan/dhcp.c) is pure; this file is its hands. DHCP answers
 * reach it before the engine sees them (datapath.c picks UDP to port 68 out
 * of the WAN batch), and ARP frames on the WAN are shown to it as they pass
 * to layer 2, for the address check. What it wants sent is written here:
 * broadcasts straight onto the link, unicasts (renewal, release) through the
 * WAN port's neighbour resolution like any packet.
 *
 * A lease bound, changed or lost is applied in one step between passes:
 * the engines get the configuration's settings with the lease's address,
 * prefix and gateway (or wan_down), which ends every flow on an old address
 * (pg_engine_reconfigure()); the WAN port answers ARP for the new address
 * and routes via the new gateway; the host path's WAN device follows. Port
 * forwards and the DMZ are configuration and stay; [input] wan rules,
 * compiled into forwards to the WAN address, move with it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dp/datapath.h"
#include "dp/wan.h"
#include "l2/arp.h"
#include "util/log.h"

#define LEASE_FILE "wan.lease"

static uint32_t wan_rand(void *ctx)
{
	uint64_t *s = ctx;

	/* xorshift64: jitter and xids need to differ, not to be secret. */
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (uint32_t)(*s >> 32);
}

static int64_t wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}

static const char *ip_str(uint32_t a, char *buf)
{
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

/* ---- the lease file ----------------------------------------------------- */

static void lease_save(struct pg_wan *w, uint64_t now_ms)
{
	const struct pg_dhcp_lease *l = pg_dhcp_current(&w->dhcp);
	char text[512], tmp[PG_WAN_PATH_SIZE + 8];
	int n, fd;

	if (!w->lease_path[0])
		return;
	if (!l) {
		unlink(w->lease_path);
		return;
	}
	n = pg_dhcp_lease_format(l, now_ms, wall_s(), text, sizeof(text));
	if (n < 0)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", w->lease_path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, text, (size_t)n) != n || fsync(fd) || close(fd) ||
	    rename(tmp, w->lease_path)) {
		pg_warn("WAN: cannot keep the lease in %s: %s", w->lease_path, strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(tmp);
	}
}

/* The run directory may not exist yet (no [dhcp] or [dns] made it). */
static void make_dirs(const char *file)
{
	char path[PG_WAN_PATH_SIZE];

	snprintf(path, sizeof(path), "%s", file);
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) && errno != EEXIST)
			pg_warn("WAN: cannot make %s: %s", path, strerror(errno));
		*p = '/';
	}
}

static bool lease_load(struct pg_wan *w, uint64_t now_ms, struct pg_dhcp_lease *l)
{
	char text[1024];
	unsigned int line = 0;
	ssize_t n;
	int fd;

	if (!w->lease_path[0])
		return false;
	fd = open(w->lease_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, text, sizeof(text));
	close(fd);
	if (n <= 0 || pg_dhcp_lease_parse(text, (size_t)n, now_ms, wall_s(), l, &line)) {
		pg_warn("WAN: ignoring the lease file %s (line %u unreadable)", w->lease_path, line);
		return false;
	}
	return true;
}

/* ---- applying a lease ----------------------------------------------------- */

void pg_wan_overlay(struct pg_wan *w, struct pg_engine_config *ec)
{
	const struct pg_dhcp_lease *l;
	uint32_t old = ec->wan_addr;

	if (!w->on)
		return;
	w->base = *ec;
	l = pg_dhcp_current(&w->dhcp);
	if (!l) {
		ec->wan_down = true;
		ec->wan_addr = 0;
		ec->wan_prefix = 32;
		ec->wan_gateway = 0;
	} else {
		ec->wan_down = false;
		ec->wan_addr = l->addr;
		ec->wan_prefix = (uint8_t)pg_dhcp_mask_len(l->mask);
		ec->wan_gateway = l->router;
	}
	/* [input] wan rules are forwards to the gateway's own WAN address. */
	for (unsigned int i = 0; i < ec->nforwards; i++)
		if (!ec->forwards[i].v6 && ec->forwards[i].host == old)
			ec->forwards[i].host = ec->wan_addr;
}

static void apply(struct pg_datapath *dp, uint64_t now_ms)
{
	struct pg_wan *w = &dp->wan;
	struct pg_port *port = &dp->link[PG_SIDE_WAN].port;
	struct pg_engine_config ec = w->base;
	uint32_t before = pg_engines_flow_count(dp->engines), ended;
	char err[256];
	int r;

	pg_wan_overlay(w, &ec);
	pg_pd_overlay(&dp->pd, &ec); /* the LAN's delegated IPv6 prefix stays */
	pg_wan6_overlay(&dp->wan6, &ec); /* and the WAN's SLAAC address */
	r = pg_engines_reconfigure(dp->engines, &ec);
	if (r) {
		/* The lease was checked (router in the subnet, ...): this is a bug. */
		pg_err("WAN: the engines refused the lease's settings: %s", strerror(-r));
		return;
	}
	ended = before - pg_engines_flow_count(dp->engines);
	w->flows_ended += ended;
	if (ended)
		pg_info("WAN: %u flows on the old address ended", ended);
	port->addr = ec.wan_down ? 0 : ec.wan_addr;
	port->mask = ec.wan_down ? 0xffffffffu : htonl(~0u << (32 - ec.wan_prefix));
	port->gateway = ec.wan_down ? 0 : ec.wan_gateway;
	if (pg_hostpath_set_wan(&dp->host, port->addr, ec.wan_prefix, port->gateway, err,
				sizeof(err)))
		pg_warn("WAN: %s", err);
	w->wan_changed_at = now_ms;
}

static void event(struct pg_datapath *dp, const struct pg_dhcp_out *o, uint64_t now_ms)
{
	struct pg_wan *w = &dp->wan;
	const struct pg_dhcp_lease *l = pg_dhcp_current(&w->dhcp);
	char a[4][INET_ADDRSTRLEN];
	uint32_t old;

	switch (o->event) {
	case PG_DHCP_EV_BOUND:
		if (!l)
			return;
		/* After a NAK or an expiry the address before is the last one held. */
		old = o->old_addr ? o->old_addr : w->last_addr;
		if (old && old != l->addr)
			w->addr_changes++;
		w->last_addr = l->addr;
		w->bound_wall = wall_s();
		pg_info("WAN: address %s -> %s/%d via %s (lease %u s from %s)",
			old ? ip_str(old, a[0]) : "none", ip_str(l->addr, a[1]),
			pg_dhcp_mask_len(l->mask), ip_str(l->router, a[2]), l->lease_s,
			ip_str(l->server, a[3]));
		apply(dp, now_ms);
		lease_save(w, now_ms);
		break;
	case PG_DHCP_EV_RENEWED:
		w->bound_wall = wall_s();
		pg_info("WAN: lease on %s renewed for %u s", l ? ip_str(l->addr, a[0]) : "?",
			l ? l->lease_s : 0);
		lease_save(w, now_ms);
		break;
	case PG_DHCP_EV_LOST:
		pg_warn("WAN down: lease on %s %s; asking for a new one", ip_str(o->addr, a[0]),
			pg_dhcp_lost_name(o->lost));
		apply(dp, now_ms);
		lease_save(w, now_ms);
		break;
	case PG_DHCP_EV_DECLINED:
		pg_warn("WAN: offered address %s is in use on the link (ARP): declined",
			ip_str(o->addr, a[0]));
		break;
	}
}

/* ---- frames out ----------------------------------------------------------- */

static void send_packet(struct pg_datapath *dp, const struct pg_dhcp_out *o, uint64_t now_ms)
{
	struct pg_link *link = &dp->link[PG_SIDE_WAN];
	struct pg_port *port = &link->port;
	uint8_t frame[PG_ETH_HLEN + PG_DHCP_IP_UDP_LEN + PG_DHCP_MAX_BUILD];
	uint8_t *ip = frame + PG_ETH_HLEN;
	size_t n = pg_dhcp_udp_build(ip, sizeof(frame) - PG_ETH_HLEN, o->src, o->dst,
				     PG_DHCP_CLIENT_PORT, PG_DHCP_SERVER_PORT, o->msg, o->len);
	struct pg_pkt pkt;

	if (!n)
		return;
	if (o->dst == 0xffffffffu) {
		pg_eth_write(frame, pg_eth_broadcast, port->mac, PG_ETH_P_IP);
		if (port->tx(port->tx_ctx, frame, (uint32_t)(n + PG_ETH_HLEN)) == 0) {
			port->cnt[PG_L2_CNT_TX_FRAMES]++;
			port->cnt[PG_L2_CNT_TX_BYTES] += n + PG_ETH_HLEN;
		} else
			port->cnt[PG_L2_CNT_TX_ERRORS]++;
	} else {
		/* Renewal and release go to the server like any packet: resolved, maybe held. */
		memset(&pkt, 0, sizeof(pkt));
		pkt.l3 = ip;
		pkt.len = (uint32_t)n;
		pkt.cap = (uint32_t)(sizeof(frame) - PG_ETH_HLEN);
		pkt.side = PG_SIDE_WAN;
		pkt.verdict = PG_VERDICT_TO_WAN;
		pg_port_output(port, &pkt, now_ms);
	}
	pg_debug("WAN: DHCP %s sent", pg_dhcp_type_name(o->type));
}

static void send_arp(struct pg_datapath *dp, const struct pg_dhcp_out *o)
{
	struct pg_port *port = &dp->link[PG_SIDE_WAN].port;
	struct pg_arp a = {.op = PG_ARP_OP_REQUEST, .tpa = o->addr};
	uint8_t frame[64];
	size_t n;

	memcpy(a.sha, port->mac, PG_ETH_ALEN);
	/* A probe names no sender address (RFC 5227 2.1.1); an announcement names it. */
	a.spa = o->kind == PG_DHCP_OUT_ARP_ANNOUNCE ? o->addr : 0;
	n = pg_arp_build(frame, sizeof(frame), pg_eth_broadcast, &a);
	if (n && port->tx(port->tx_ctx, frame, (uint32_t)n) == 0) {
		port->cnt[PG_L2_CNT_TX_FRAMES]++;
		port->cnt[PG_L2_CNT_TX_BYTES] += n;
	}
}

static void drain(struct pg_datapath *dp, uint64_t now_ms)
{
	struct pg_dhcp_out o;

	while (pg_dhcp_pop(&dp->wan.dhcp, &o)) {
		switch (o.kind) {
		case PG_DHCP_OUT_PACKET:
			send_packet(dp, &o, now_ms);
			break;
		case PG_DHCP_OUT_ARP_PROBE:
		case PG_DHCP_OUT_ARP_ANNOUNCE:
			send_arp(dp, &o);
			break;
		case PG_DHCP_OUT_EVENT:
			event(dp, &o, now_ms);
			break;
		}
	}
}

/* ---- entry points ----------------------------------------------------------- */

void pg_wan_start(struct pg_datapath *dp, const struct pg_config *cfg, const char *run_dir,
		  uint64_t now_ms)
{
	struct pg_wan *w = &dp->wan;
	struct pg_dhcp_conf conf;
	struct pg_dhcp_lease saved;
	bool have;

	memset(w, 0, sizeof(*w));
	if (!cfg->wan_dhcp)
		return;
	w->on = true;
	w->base = cfg->engine;
	if (getrandom(&w->rnd, sizeof(w->rnd), 0) != (ssize_t)sizeof(w->rnd) || !w->rnd)
		w->rnd = now_ms | 1;
	if (run_dir && strlen(run_dir) + sizeof(LEASE_FILE) + 1 < sizeof(w->lease_path))
		snprintf(w->lease_path, sizeof(w->lease_path), "%s/" LEASE_FILE, run_dir);
	pg_dhcp_conf_default(&conf, dp->link[PG_SIDE_WAN].port.mac);
	conf.rand = wan_rand;
	conf.rand_ctx = &w->rnd;
	gethostname(conf.hostname, sizeof(conf.hostname) - 1);
	pg_dhcp_init(&w->dhcp, &conf);
	if (w->lease_path[0])
		make_dirs(w->lease_path);
	have = lease_load(w, now_ms, &saved);
	if (have) {
		char a[INET_ADDRSTRLEN];

		pg_info("WAN: DHCP, asking for %s again (lease kept in %s)",
			ip_str(saved.addr, a), w->lease_path);
	} else {
		pg_info("WAN: DHCP, no address until a server offers one");
	}
	pg_dhcp_start(&w->dhcp, now_ms, have ? &saved : NULL);
	drain(dp, now_ms);
}

void pg_wan_arp(struct pg_datapath *dp, const uint8_t *frame, uint32_t len, uint64_t now_ms)
{
	struct pg_eth_hdr h;
	struct pg_arp a;

	if (!dp->wan.on || pg_eth_parse(frame, len, &h) || h.type != PG_ETH_P_ARP ||
	    pg_arp_parse(frame + PG_ETH_HLEN, len - PG_ETH_HLEN, &a))
		return;
	if (pg_dhcp_arp_input(&dp->wan.dhcp, now_ms, a.op, a.sha, a.spa, a.tpa))
		drain(dp, now_ms);
}

void pg_wan_input(struct pg_datapath *dp, const uint8_t *ip, uint32_t len, uint64_t now_ms)
{
	const uint8_t *msg;
	size_t mlen;
	enum pg_dhcp_drop r = pg_dhcp_udp_unwrap(ip, len, &msg, &mlen);

	dp->wan.frames_in++;
	if (r == PG_DHCP_OK)
		r = pg_dhcp_input(&dp->wan.dhcp, now_ms, msg, mlen);
	else
		dp->wan.dhcp.stats.drops[r]++;
	if (r != PG_DHCP_OK)
		pg_debug("WAN: DHCP message dropped: %s", pg_dhcp_drop_name(r));
	drain(dp, now_ms);
}

void pg_wan_tick(struct pg_datapath *dp, uint64_t now_ms)
{
	if (!dp->wan.on || pg_dhcp_next(&dp->wan.dhcp) > now_ms)
		return;
	pg_dhcp_tick(&dp->wan.dhcp, now_ms);
	drain(dp, now_ms);
}

void pg_wan_renew(struct pg_datapath *dp, uint64_t now_ms)
{
	if (!dp->wan.on)
		return;
	pg_info("WAN: renewing the lease (asked for)");
	pg_dhcp_renew(&dp->wan.dhcp, now_ms);
	drain(dp, now_ms);
}

void pg_wan_release(struct pg_datapath *dp, uint64_t now_ms)
{
	if (!dp->wan.on)
		return;
	pg_info("WAN: releasing the lease (asked for); 'passgatectl wan renew' asks again");
	pg_dhcp_release(&dp->wan.dhcp, now_ms);
	drain(dp, now_ms);
}

static void describe(const struct pg_wan *w, uint64_t now_ms, char *buf, size_t size)
{
	const struct pg_dhcp *c = &w->dhcp;

	if (!w->on) {
		snprintf(buf, size, "static");
	} else if (pg_dhcp_current(c)) {
		snprintf(buf, size, "%s", pg_dhcp_state_name(c->state));
	} else if (!c->acquire_tries) {
		snprintf(buf, size, "waiting for DHCP (%s)", pg_dhcp_state_name(c->state));
	} else {
		snprintf(buf, size, "waiting for DHCP (%u tr%s, last %llu s ago)", c->acquire_tries,
			 c->acquire_tries == 1 ? "y" : "ies",
			 (unsigned long long)((now_ms - c->last_tx) / 1000));
	}
}

void pg_wan_view(const struct pg_wan *w, uint64_t now_ms, struct pg_wan_view *v)
{
	const struct pg_dhcp_lease *l = pg_dhcp_current(&w->dhcp);

	memset(v, 0, sizeof(*v));
	v->on = w->on;
	v->state = w->dhcp.state;
	v->acquire_tries = w->dhcp.acquire_tries;
	v->last_tx = w->dhcp.last_tx;
	v->has_lease = l != NULL;
	if (l)
		v->lease = *l;
	v->stats = w->dhcp.stats;
	v->addr_changes = w->addr_changes;
	v->flows_ended = w->flows_ended;
	describe(w, now_ms, v->status, sizeof(v->status));
}
