/* SPDX-License-Identifier: MIT */
/*
 * pd.c - the DHCPv6 prefix delegation client on the WAN link: frames in and
 * out, the delegation applied to the LAN, the delegation file.
 *
 * DOC: Theory of operation
 *
 * The client (src/wan/dhcp6.c) is pure; this file is its hands, as wan.c is
 * for the IPv4 DHCP client. Its messages leave from the WAN's link-local
 * address to All_DHCP_Relay_Agents_and_Servers (ff02::1:2); answers (UDP to
 * port 546 at a link-local or multicast address) are taken out of the WAN
 * batch before the engine sees them (datapath.c).
 *
 * A delegation bound, changed or lost is applied between passes: the
 * engines get the configuration's settings with the LAN prefix set to the
 * first /64 of the delegated prefix and the gateway at ::1 in it (or no
 * LAN prefix, which turns IPv6 forwarding off, while there is none); the
 * LAN's router advertisements announce it with lifetimes no longer than
 * the delegation's, and announce the prefix before it with a preferred
 * lifetime of 0 and the valid time it has left, so hosts stop using it for
 * new connections (RFC 7084 L-13's spirit). Flows of the old prefix stop
 * passing at once (nothing is translated: their addresses are no longer
 * the LAN's) and expire by their timeouts.
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

#include "conf/config.h"
#include "dp/datapath.h"
#include "dp/pd.h"
#include "engine/parse6.h"
#include "l2/nd.h"
#include "util/log.h"

#define LEASE_FILE "wan6.lease"

static uint32_t pd_rand(void *ctx)
{
	uint64_t *s = ctx;

	/* xorshift64: jitter and transaction ids need to differ, not to be secret. */
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

static const char *p6(const uint8_t *a, char *buf)
{
	return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

bool pg_pd_lan_prefix(const struct pg_pd *pd, uint8_t out[16])
{
	const struct pg_dhcp6_lease *l = pd->on ? pg_dhcp6_current(&pd->c) : NULL;

	memset(out, 0, 16);
	if (!l)
		return false;
	/* The first /64 (subnet 0): the client zeroed the bits past the length. */
	memcpy(out, l->prefix, 8);
	return true;
}

void pg_pd_view(const struct pg_pd *pd, struct pg_pd_view *v)
{
	const struct pg_dhcp6_lease *l = pd->on ? pg_dhcp6_current(&pd->c) : NULL;

	memset(v, 0, sizeof(*v));
	v->on = pd->on;
	v->state = pd->c.state;
	v->acquire_tries = pd->c.acquire_tries;
	v->has_lease = l != NULL;
	if (l)
		v->lease = *l;
	pg_pd_lan_prefix(pd, v->lan_prefix);
	v->stats = pd->c.stats;
	v->frames_in = pd->frames_in;
}

void pg_pd_overlay(const struct pg_pd *pd, struct pg_engine_config *ec)
{
	uint8_t p[16];

	if (!pd->on)
		return;
	if (pg_pd_lan_prefix(pd, p)) {
		p[15] = 1;
		memcpy(ec->lan6_addr, p, 16);
		ec->lan6_prefix = 64;
	} else {
		memset(ec->lan6_addr, 0, 16);
		ec->lan6_prefix = 0;
	}
}

/* ---- the delegation file ------------------------------------------------------ */

static void lease_save(struct pg_pd *pd, uint64_t now_ms)
{
	const struct pg_dhcp6_lease *l = pg_dhcp6_current(&pd->c);
	char text[768], tmp[PG_WAN_PATH_SIZE + 8];
	int n, fd;

	if (!pd->lease_path[0])
		return;
	if (!l) {
		unlink(pd->lease_path);
		return;
	}
	n = pg_dhcp6_lease_format(l, now_ms, wall_s(), text, sizeof(text));
	if (n < 0)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", pd->lease_path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, text, (size_t)n) != n || fsync(fd) || close(fd) ||
	    rename(tmp, pd->lease_path)) {
		pg_warn("IPv6: cannot keep the delegation in %s: %s", pd->lease_path,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(tmp);
	}
}

static bool lease_load(struct pg_pd *pd, uint64_t now_ms, struct pg_dhcp6_lease *l)
{
	char text[1024];
	unsigned int line = 0;
	ssize_t n;
	int fd;

	if (!pd->lease_path[0])
		return false;
	fd = open(pd->lease_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, text, sizeof(text));
	close(fd);
	if (n <= 0 || pg_dhcp6_lease_parse(text, (size_t)n, now_ms, wall_s(), l, &line)) {
		pg_warn("IPv6: ignoring the delegation file %s (line %u unreadable)",
			pd->lease_path, line);
		return false;
	}
	return true;
}

/* ---- applying a delegation ------------------------------------------------------ */

static void apply(struct pg_datapath *dp, const struct pg_dhcp6_out *o, uint64_t now_ms)
{
	struct pg_pd *pd = &dp->pd;
	struct pg_port *lan = &dp->link[PG_SIDE_LAN].port;
	const struct pg_dhcp6_lease *l = pg_dhcp6_current(&pd->c);
	struct pg_engine_config ec = pd->base;
	uint8_t addr[16] = { 0 };
	char err[160];
	int r;

	pg_wan_overlay(&dp->wan, &ec);
	pg_pd_overlay(pd, &ec);
	pg_wan6_overlay(&dp->wan6, &ec); /* the WAN's SLAAC address stays */
	r = pg_engines_reconfigure(dp->engines, &ec);
	if (r)
		pg_err("IPv6: the engines refused the delegated prefix: %s", strerror(-r));
	if (l && !r) {
		memcpy(addr, ec.lan6_addr, 16);
		pg_nd_set_prefix(lan, addr, 64, pg_dhcp6_lease_preferred_end(l),
				 pg_dhcp6_lease_end(l), o && o->old_len ? o->old_valid_end : 0,
				 now_ms);
	} else {
		pg_nd_set_prefix(lan, addr, 0, 0, 0, o && o->old_len ? o->old_valid_end : 0,
				 now_ms);
	}
	/* The host path's LAN device holds the gateway's address wherever it moves. */
	if (pg_hostpath_set_lan6(&dp->host, addr, l && !r ? 64 : 0, err, sizeof(err)))
		pg_err("IPv6: %s", err);
	/* The delegation's DNS server in RAs, unless [lan] dns6 names one. */
	if (pd->dns_gw)
		pg_nd_set_dns(lan, addr);
	else if (pg_ip6_is_unspecified(pd->cfg_dns))
		pg_nd_set_dns(lan, l && l->n_dns ? l->dns[0] : pd->cfg_dns);
}

static void event(struct pg_datapath *dp, const struct pg_dhcp6_out *o, uint64_t now_ms)
{
	struct pg_pd *pd = &dp->pd;
	const struct pg_dhcp6_lease *l = pg_dhcp6_current(&pd->c);
	char a[3][INET6_ADDRSTRLEN], was[INET6_ADDRSTRLEN + 8];

	switch (o->event) {
	case PG_DHCP6_EV_BOUND:
		if (!l)
			return;
		pd->bound_wall = wall_s();
		if (o->old_len)
			pd->prefix_changes++;
		snprintf(was, sizeof(was), "%s/%u", p6(o->old_prefix, a[1]), o->old_len);
		pg_info("IPv6: prefix %s/%u delegated (was %s; valid %u s, preferred %u s); LAN "
			"%s/64",
			p6(l->prefix, a[0]), l->len, o->old_len ? was : "none", l->valid_s,
			l->preferred_s, p6(l->prefix, a[2]));
		apply(dp, o, now_ms);
		lease_save(pd, now_ms);
		break;
	case PG_DHCP6_EV_RENEWED:
		pd->bound_wall = wall_s();
		pg_info("IPv6: delegation of %s/%u renewed (valid %u s)", l ? p6(l->prefix, a[0]) : "?",
			l ? l->len : 0, l ? l->valid_s : 0);
		apply(dp, NULL, now_ms);
		lease_save(pd, now_ms);
		break;
	case PG_DHCP6_EV_LOST:
		pg_warn("IPv6: delegated prefix %s/%u %s; the LAN is told it is going away",
			p6(o->old_prefix, a[0]), o->old_len, pg_dhcp6_lost_name(o->lost));
		apply(dp, o, now_ms);
		lease_save(pd, now_ms);
		break;
	}
}

/* ---- frames out ------------------------------------------------------------------- */

static void send_packet(struct pg_datapath *dp, const struct pg_dhcp6_out *o)
{
	static const uint8_t servers[16] = PG_DHCP6_ALL_SERVERS;
	static const uint8_t servers_mac[PG_ETH_ALEN] = { 0x33, 0x33, 0, 1, 0, 2 };
	struct pg_port *port = &dp->link[PG_SIDE_WAN].port;
	uint8_t frame[PG_ETH_HLEN + PG_DHCP6_IP_UDP_LEN + PG_DHCP6_MAX_BUILD];
	size_t n;

	if (!port->nd)
		return;
	n = pg_dhcp6_udp_build(frame + PG_ETH_HLEN, sizeof(frame) - PG_ETH_HLEN, port->nd->ll,
			       servers, o->msg, o->len);
	if (!n)
		return;
	pg_eth_write(frame, servers_mac, port->mac, PG_ETH_P_IPV6);
	pg_port_transmit(port, frame, (uint32_t)(n + PG_ETH_HLEN));
	pg_debug("IPv6: DHCPv6 %s sent", pg_dhcp6_type_name(o->type));
}

static void drain(struct pg_datapath *dp, uint64_t now_ms)
{
	struct pg_dhcp6_out o;

	while (pg_dhcp6_pop(&dp->pd.c, &o)) {
		if (o.kind == PG_DHCP6_OUT_PACKET)
			send_packet(dp, &o);
		else
			event(dp, &o, now_ms);
	}
}

/* ---- entry points -------------------------------------------------------------------- */

void pg_pd_start(struct pg_datapath *dp, const struct pg_config *cfg, const char *run_dir,
		 uint64_t now_ms)
{
	struct pg_pd *pd = &dp->pd;
	struct pg_dhcp6_conf conf;
	struct pg_dhcp6_lease saved;
	char a[INET6_ADDRSTRLEN];
	bool have;

	memset(pd, 0, sizeof(*pd));
	if (!cfg->ipv6.lan_pd || !dp->link[PG_SIDE_WAN].port.nd)
		return;
	pd->on = true;
	pd->base = cfg->engine;
	memcpy(pd->cfg_dns, cfg->ipv6.lan_dns, 16);
	pd->dns_gw = cfg->ipv6.lan_dns_gw;
	if (getrandom(&pd->rnd, sizeof(pd->rnd), 0) != (ssize_t)sizeof(pd->rnd) || !pd->rnd)
		pd->rnd = now_ms | 1;
	if (run_dir && strlen(run_dir) + sizeof(LEASE_FILE) + 1 < sizeof(pd->lease_path)) {
		snprintf(pd->lease_path, sizeof(pd->lease_path), "%s/" LEASE_FILE, run_dir);
		/* The state directory exists: wan.c or the caller made it. */
		mkdir(run_dir, 0755);
	}
	pg_dhcp6_conf_default(&conf, dp->link[PG_SIDE_WAN].port.mac);
	conf.rand = pd_rand;
	conf.rand_ctx = &pd->rnd;
	pg_dhcp6_init(&pd->c, &conf);
	have = lease_load(pd, now_ms, &saved);
	if (have)
		pg_info("IPv6: DHCPv6-PD, using %s/%u again and confirming it (kept in %s)",
			p6(saved.prefix, a), saved.len, pd->lease_path);
	else
		pg_info("IPv6: DHCPv6-PD, no LAN prefix until the ISP delegates one");
	pg_dhcp6_start(&pd->c, now_ms, have ? &saved : NULL);
	drain(dp, now_ms);
}

bool pg_pd_claims(const struct pg_datapath *dp, const uint8_t *ip, uint32_t len)
{
	const uint8_t *dst = ip + 24;

	return dp->pd.on && pg_dhcp6_udp_match(ip, len) &&
	       ((dst[0] == 0xfe && (dst[1] & 0xc0) == 0x80) || dst[0] == 0xff);
}

void pg_pd_input(struct pg_datapath *dp, const uint8_t *ip, uint32_t len, uint64_t now_ms)
{
	const uint8_t *msg;
	size_t mlen;
	enum pg_dhcp6_drop r = pg_dhcp6_udp_unwrap(ip, len, &msg, &mlen);

	dp->pd.frames_in++;
	if (r == PG_DHCP6_OK)
		r = pg_dhcp6_input(&dp->pd.c, now_ms, msg, mlen);
	else
		dp->pd.c.stats.drops[r]++;
	if (r != PG_DHCP6_OK)
		pg_debug("IPv6: DHCPv6 message dropped: %s", pg_dhcp6_drop_name(r));
	drain(dp, now_ms);
}

void pg_pd_tick(struct pg_datapath *dp, uint64_t now_ms)
{
	if (!dp->pd.on || pg_dhcp6_next(&dp->pd.c) > now_ms)
		return;
	pg_dhcp6_tick(&dp->pd.c, now_ms);
	drain(dp, now_ms);
}

void pg_pd_renew(struct pg_datapath *dp, uint64_t now_ms)
{
	if (!dp->pd.on)
		return;
	pg_info("IPv6: renewing the delegation (asked for)");
	pg_dhcp6_renew(&dp->pd.c, now_ms);
	drain(dp, now_ms);
}
