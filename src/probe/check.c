/* SPDX-License-Identifier: MIT */
/*
 * check.c - the prober's UDP and TCP measurements against a responder:
 * what the NAT maps us to (and whether that depends on the destination),
 * what it lets back in (filtering), how long an idle mapping lives, how
 * many translation layers there are (TTL-limited probes), the VPN ports,
 * the path MTU and the MSS the far end sees. ESP and the PPTP call are in
 * check_tunnel.c. Each step records an observation; nothing is judged here.
 */
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "probe/check_internal.h"

static void say(const struct pg_probe_check_opts *o, const char *what)
{
	if (o->verbose)
		fprintf(stderr, "passgate-probe: %s\n", what);
}

/* Our own address towards the responder, as the routing table picks it. */
static uint32_t local_addr(uint32_t server)
{
	struct sockaddr_in sa = pg_sa(server, 9), me;
	socklen_t ml = sizeof(me);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	uint32_t a = 0;

	if (fd < 0)
		return 0;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&me, &ml) == 0)
		a = ntohl(me.sin_addr.s_addr);
	close(fd);
	return a;
}

static uint16_t local_port(int fd)
{
	struct sockaddr_in me;
	socklen_t ml = sizeof(me);

	if (getsockname(fd, (struct sockaddr *)&me, &ml) < 0)
		return 0;
	return ntohs(me.sin_port);
}

/* One ECHO on a fresh socket bound to @sport: answered or not. */
static int udp_reach(uint32_t server, uint16_t port, uint16_t sport, struct pg_msg *ans)
{
	struct sockaddr_in to = pg_sa(server, port);
	struct pg_msg req = {.type = PG_MSG_ECHO};
	int fd = pg_udp_socket(sport), r;

	if (fd < 0)
		return -1;
	r = pg_udp_ask(fd, &to, &req, 0, 3, 700, ans);
	close(fd);
	return r;
}

static void mapping(const struct pg_probe_check_opts *o, int fd, struct pg_probe_obs *obs)
{
	struct pg_msg req = {.type = PG_MSG_ECHO}, ans;
	struct sockaddr_in to = pg_sa(o->server, (uint16_t)(o->port + 1));

	obs->port2 = pg_udp_ask(fd, &to, &req, 0, 3, 700, &ans) ? PG_TRI_YES : PG_TRI_NO;
	obs->seen_port2 = ans.port;
	obs->addr2 = PG_TRI_SKIP;
	if (obs->server_addr2) {
		to = pg_sa(obs->server_addr2, o->port);
		obs->addr2 = pg_udp_ask(fd, &to, &req, 0, 3, 700, &ans) ? PG_TRI_YES : PG_TRI_NO;
		obs->seen_port_addr2 = ans.port;
	}
}

/*
 * Filtering: from a fresh mapping that has only talked to port P, ask the
 * responder to answer from P + 1 and from its second address too. What
 * arrives tells which strangers the NAT lets in (RFC 4787 section 5).
 */
static void filtering(const struct pg_probe_check_opts *o, struct pg_probe_obs *obs)
{
	struct sockaddr_in to = pg_sa(o->server, o->port), from;
	struct pg_msg req = {.type = PG_MSG_OTHER}, ans;
	int fd = pg_udp_socket(0), tries, normal = 0;
	long long end;

	obs->filter_port = PG_TRI_SKIP;
	obs->filter_addr = PG_TRI_SKIP;
	if (fd < 0)
		return;
	req.flags = PG_MSG_F_OTHER_PORT | (obs->server_addr2 ? PG_MSG_F_OTHER_ADDR : 0);
	req.token = pg_token();
	for (tries = 0; tries < 2 && !normal; tries++) {
		pg_send_msg(fd, &to, &req, 0);
		end = pg_now_ms() + 1000;
		while (pg_now_ms() < end) {
			if (!pg_wait_answer(fd, req.token, (int)(end - pg_now_ms()), &ans, &from))
				break;
			if (!(ans.flags & PG_MSG_F_UNSOLICITED))
				normal = 1;
			else if (ans.value == 1)
				obs->filter_port = PG_TRI_YES;
			else if (ans.value == 2)
				obs->filter_addr = PG_TRI_YES;
		}
	}
	if (normal) {
		if (obs->filter_port == PG_TRI_SKIP)
			obs->filter_port = PG_TRI_NO;
		if (obs->server_addr2 && obs->filter_addr == PG_TRI_SKIP)
			obs->filter_addr = PG_TRI_NO;
	}
	close(fd);
}

/*
 * TTL-limited probes: each router on the way answers "time exceeded" from
 * its own address; private addresses before the public one are NAT insides.
 */
static void hops(const struct pg_probe_check_opts *o, struct pg_probe_obs *obs)
{
	struct sockaddr_in to = pg_sa(o->server, o->port);
	int fd = pg_udp_socket(0), ttl;

	if (fd < 0)
		return;
	for (ttl = 1; ttl <= PG_PROBE_MAX_HOPS; ttl++) {
		struct pg_msg req = {.type = PG_MSG_ECHO, .token = pg_token()}, ans;
		long long end = pg_now_ms() + 800;

		obs->nhops = ttl;
		setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl));
		pg_send_msg(fd, &to, &req, 0);
		while (pg_now_ms() < end) {
			struct pollfd p = {.fd = fd, .events = POLLIN};
			struct pg_icmp_err e;

			if (poll(&p, 1, (int)(end - pg_now_ms())) <= 0)
				break;
			if ((p.revents & POLLERR) && pg_read_icmp_err(fd, &e)) {
				if (e.type == 11) {
					obs->hop[ttl - 1] = e.offender;
					break;
				}
				continue;
			}
			if (pg_wait_answer(fd, req.token, 0, &ans, NULL)) {
				obs->hops_reached = ttl;
				break;
			}
		}
		if (obs->hops_reached)
			break;
	}
	close(fd);
}

static void ike(const struct pg_probe_check_opts *o, struct pg_probe_obs *obs)
{
	struct pg_msg ans;
	int r;

	/* IKE clients send from port 500; try that first, as they do. */
	r = udp_reach(o->server, 500, 500, &ans);
	obs->ike_from500 = r >= 0;
	if (r < 0)
		r = udp_reach(o->server, 500, 0, &ans);
	obs->ike = r == 1 ? PG_TRI_YES : PG_TRI_NO;
	obs->ike_seen_port = ans.port;
	r = udp_reach(o->server, 4500, 4500, &ans);
	if (r < 0)
		r = udp_reach(o->server, 4500, 0, &ans);
	obs->natt = r == 1 ? PG_TRI_YES : PG_TRI_NO;
}

static int tcp_ask(uint32_t server, uint16_t port, uint8_t type, struct pg_msg *ans)
{
	struct pg_msg req = {.type = type, .token = pg_token()};
	uint8_t buf[PG_MSG_LEN];
	size_t got = 0;
	int fd = pg_tcp_connect(server, port, 3000), ok = 0;

	if (fd < 0)
		return 0;
	pg_msg_encode(&req, buf, sizeof(buf));
	if (send(fd, buf, sizeof(buf), MSG_NOSIGNAL) == (ssize_t)sizeof(buf)) {
		while (got < sizeof(buf)) {
			ssize_t n = recv(fd, buf + got, sizeof(buf) - got, 0);

			if (n <= 0)
				break;
			got += (size_t)n;
		}
		ok = got == sizeof(buf) && pg_msg_decode(buf, got, ans) == 0 &&
		     ans->token == req.token;
	}
	close(fd);
	return ok;
}

static void reachability(const struct pg_probe_check_opts *o, struct pg_probe_obs *obs)
{
	struct pg_msg ans;

	obs->tcp443 = tcp_ask(o->server, 443, PG_MSG_ECHO, &ans) ? PG_TRI_YES : PG_TRI_NO;
	obs->udp1194 = udp_reach(o->server, 1194, 0, &ans) == 1 ? PG_TRI_YES : PG_TRI_NO;
	obs->udp51820 = udp_reach(o->server, 51820, 0, &ans) == 1 ? PG_TRI_YES : PG_TRI_NO;
	obs->udp1701 = udp_reach(o->server, 1701, 0, &ans) == 1 ? PG_TRI_YES : PG_TRI_NO;
}

/*
 * IP fragments: a 3000-byte datagram out (the kernel fragments it; the
 * responder reports how much arrived whole), and one asked for back.
 */
static void fragments(const struct pg_probe_check_opts *o, struct pg_probe_obs *obs)
{
	struct sockaddr_in to = pg_sa(o->server, o->port);
	struct pg_msg req = {.type = PG_MSG_ECHO}, ans;
	int fd = pg_udp_socket(0), i, mode = IP_PMTUDISC_DONT;
	size_t len;

	obs->frag_out = obs->frag_in = PG_TRI_NO;
	if (fd < 0)
		return;
	setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &mode, sizeof(mode));
	for (i = 0; i < 3 && obs->frag_out != PG_TRI_YES; i++) {
		req.token = pg_token();
		pg_send_msg(fd, &to, &req, 3000);
		if (pg_wait_answer(fd, req.token, 700, &ans, NULL) && ans.value == 3000)
			obs->frag_out = PG_TRI_YES;
	}
	req.flags = PG_MSG_F_BIG;
	req.aux = 3000;
	for (i = 0; i < 3 && obs->frag_in != PG_TRI_YES; i++) {
		req.token = pg_token();
		pg_send_msg(fd, &to, &req, 0);
		if (pg_wait_answer_len(fd, req.token, 700, &ans, NULL, &len) && len == 3000)
			obs->frag_in = PG_TRI_YES;
	}
	close(fd);
}

/* The MTU of the interface that holds @addr, 0 if unknown. */
static int if_mtu(uint32_t addr)
{
	struct ifaddrs *ifa, *i;
	struct ifreq ifr;
	int mtu = 0, fd;

	if (getifaddrs(&ifa) < 0)
		return 0;
	for (i = ifa; i; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET ||
		    ntohl(((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr.s_addr) != addr)
			continue;
		fd = socket(AF_INET, SOCK_DGRAM, 0);
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", i->ifa_name);
		if (fd >= 0 && ioctl(fd, SIOCGIFMTU, &ifr) == 0)
			mtu = ifr.ifr_mtu;
		if (fd >= 0)
			close(fd);
		break;
	}
	freeifaddrs(ifa);
	return mtu;
}

/*
 * The MSS our SYN offers: the route's MTU less IP and TCP headers (lower
 * than the interface's when this host already learned a smaller path MTU).
 */
static void mss(const struct pg_probe_check_opts *o, struct pg_probe_obs *obs)
{
	struct sockaddr_in sa = pg_sa(o->server, o->port);
	struct pg_msg ans;
	int fd = socket(AF_INET, SOCK_DGRAM, 0), mtu = 0;
	socklen_t l = sizeof(mtu);

	if (fd >= 0) {
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			getsockopt(fd, IPPROTO_IP, IP_MTU, &mtu, &l);
		close(fd);
	}
	obs->mss_sent = mtu > 40 ? mtu - 40 : 0;
	obs->if_mtu = if_mtu(obs->local_addr);
	if (tcp_ask(o->server, o->port, PG_MSG_MSS, &ans))
		obs->mss_seen = (int)ans.value;
}

/*
 * One DF probe of @size IP bytes. Return: 1 echoed, 0 lost, -1 refused
 * with "fragmentation needed" (its MTU noted).
 */
static int df_probe(int fd, const struct sockaddr_in *to, int size, struct pg_probe_obs *obs)
{
	struct pg_msg req = {.type = PG_MSG_ECHO}, ans;
	int tries;

	for (tries = 0; tries < 2; tries++) {
		long long end = pg_now_ms() + 600;

		req.token = pg_token();
		if (pg_send_msg(fd, to, &req, (size_t)(size - 28)) == -EMSGSIZE)
			return -1;
		while (pg_now_ms() < end) {
			struct pollfd p = {.fd = fd, .events = POLLIN};
			struct pg_icmp_err e;

			if (poll(&p, 1, (int)(end - pg_now_ms())) <= 0)
				break;
			if ((p.revents & POLLERR) && pg_read_icmp_err(fd, &e)) {
				if (e.type == 3 && e.code == 4) {
					obs->icmp_mtu = (int)e.info;
					return -1;
				}
				continue;
			}
			if (pg_wait_answer(fd, req.token, 0, &ans, NULL) && ans.value == (uint32_t)(size - 28))
				return 1;
		}
	}
	return 0;
}

/*
 * Path MTU: full-size DF probes first; if refused, the MTU the ICMP error
 * named; if they vanish silently (a black hole), a binary search.
 */
static void path_mtu(const struct pg_probe_check_opts *o, struct pg_probe_obs *obs)
{
	struct sockaddr_in to = pg_sa(o->server, o->port);
	int fd = pg_udp_socket(0), mode = IP_PMTUDISC_PROBE, lo = 576, hi = 1500, r;

	if (fd < 0)
		return;
	/* DF set, and the kernel's cached path MTU ignored: we measure it. */
	setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &mode, sizeof(mode));
	r = df_probe(fd, &to, hi, obs);
	if (r == 1) {
		obs->pmtu = hi;
		goto out;
	}
	if (obs->icmp_mtu >= lo && obs->icmp_mtu < hi && df_probe(fd, &to, obs->icmp_mtu, obs) == 1) {
		obs->pmtu = obs->icmp_mtu;
		goto out;
	}
	if (!obs->icmp_mtu)
		obs->pmtu_blackhole = true;
	if (df_probe(fd, &to, lo, obs) != 1)
		goto out;
	while (hi - lo > 8) {
		int mid = (lo + hi) / 2;

		if (df_probe(fd, &to, mid, obs) == 1)
			lo = mid;
		else
			hi = mid;
	}
	obs->pmtu = lo;
out:
	close(fd);
}

/**
 * pg_probe_check() - run every measurement against the responder.
 * Return: 0 when the responder answered (whatever else failed), 1 if not.
 */
int pg_probe_check(const struct pg_probe_check_opts *o, struct pg_probe_obs *obs)
{
	struct sockaddr_in to = pg_sa(o->server, o->port);
	struct pg_msg req = {.type = PG_MSG_ECHO}, ans, later = {.type = PG_MSG_LATER};
	long long later_end = 0;
	int fd, lfd = -1;

	memset(obs, 0, sizeof(*obs));
	srand((unsigned)(time(NULL) ^ getpid()));
	obs->server = o->server;
	obs->lifetime = PG_TRI_SKIP;
	obs->esp_out = obs->esp_in = PG_TRI_SKIP;
	obs->gre_out = obs->gre_in = PG_TRI_SKIP;
	obs->local_addr = local_addr(o->server);
	fd = pg_udp_socket(0);
	if (fd < 0)
		return 1;
	obs->local_port = local_port(fd);
	say(o, "asking the responder what it sees");
	if (!pg_udp_ask(fd, &to, &req, 0, 4, 800, &ans)) {
		close(fd);
		return 1;
	}
	obs->responded = true;
	obs->seen_addr = ans.addr;
	obs->seen_port = ans.port;
	obs->server_addr2 = ans.alt;

	/* The lifetime test runs in the background of the others. */
	if (!o->quick) {
		lfd = pg_udp_socket(0);
		if (lfd >= 0) {
			later = (struct pg_msg){.type = PG_MSG_LATER, .token = pg_token(),
						.delay = (uint8_t)o->idle_secs};
			pg_send_msg(lfd, &to, &later, 0);
			later_end = pg_now_ms() + o->idle_secs * 1000LL + 3000;
			obs->idle_secs = o->idle_secs;
		}
	}
	say(o, "mapping behaviour");
	mapping(o, fd, obs);
	close(fd);
	say(o, "filtering behaviour");
	filtering(o, obs);
	say(o, "translation layers (TTL-limited probes)");
	hops(o, obs);
	say(o, "IKE and NAT-T");
	ike(o, obs);
	say(o, "raw ESP");
	pg_probe_check_esp(o, obs);
	say(o, "PPTP call and GRE");
	pg_probe_check_pptp(o, obs);
	say(o, "VPN ports");
	reachability(o, obs);
	say(o, "IP fragments");
	fragments(o, obs);
	say(o, "MSS");
	mss(o, obs);
	say(o, "path MTU");
	path_mtu(o, obs);
	if (lfd >= 0) {
		say(o, "waiting for the idle mapping's answer");
		obs->lifetime = pg_wait_answer(lfd, later.token, (int)(later_end - pg_now_ms()),
					       &ans, NULL) ? PG_TRI_YES : PG_TRI_NO;
		close(lfd);
	}
	return 0;
}
