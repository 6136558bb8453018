/* SPDX-License-Identifier: MIT */
/*
 * check_tunnel.c - the prober's tunnel protocols, which need raw sockets
 * (root or CAP_NET_RAW): raw ESP both ways, and a PPTP call on TCP 1723
 * followed by enhanced GRE both ways.
 *
 * The PPTP exchange is the real thing as far as a gateway can see: a
 * Start-Control-Connection-Request and an Outgoing-Call-Request carrying
 * our call id, so a PPTP helper (Linux's nf_conntrack_pptp, passgated's)
 * learns the call and rewrites call ids as it would for a real client. The
 * responder's Outgoing-Call-Reply tells which call id reached it; its GRE,
 * sent as soon as the call is up (as a real server does), must come back
 * to us with our own call id; our GRE must reach it, which it reports on
 * the UDP control channel.
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe/check_internal.h"

static int raw_socket(int proto)
{
	return socket(AF_INET, SOCK_RAW, proto);
}

/*
 * Wait until @end for a packet of @proto on @fd whose control message is an
 * ANSWER with @token; for GRE also the call id must be @call_id.
 */
static int raw_wait(int fd, int proto, uint32_t token, uint16_t call_id, long long end)
{
	uint8_t buf[2048];

	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		const uint8_t *pl, *ml;
		size_t plen, mlen;
		struct pg_msg m;
		uint32_t src, spi;
		uint16_t cid;
		uint8_t pr;
		ssize_t n;
		long long left = end - pg_now_ms();

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return 0;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 || !(pl = pg_ip_payload(buf, (size_t)n, &plen, &src, &pr)) || pr != proto)
			continue;
		if (proto == IPPROTO_ESP) {
			if (pg_esp_decode(pl, plen, &spi, &ml, &mlen) < 0)
				continue;
		} else if (pg_gre_decode(pl, plen, &cid, &ml, &mlen) < 0 || cid != call_id) {
			continue;
		}
		if (pg_msg_decode(ml, mlen, &m) == 0 && m.type == PG_MSG_ANSWER && m.token == token)
			return 1;
	}
}

/**
 * pg_probe_check_esp() - ESP packets to the responder, which answers each
 * with ESP of its own. Run after the IKE probe from port 500, as a real
 * client's ESP follows its IKE (gateways that learn ESP from IKE rely on it).
 */
void pg_probe_check_esp(const struct pg_probe_check_opts *o, struct pg_probe_obs *obs)
{
	struct sockaddr_in to = pg_sa(o->server, 0);
	uint8_t msg[PG_MSG_LEN], pkt[64];
	struct pg_msg req = {.type = PG_MSG_ECHO};
	uint32_t spi = pg_token() | 0x100;
	int fd = raw_socket(IPPROTO_ESP), i;

	if (fd < 0)
		return;		/* no privileges: left as not measured */
	obs->esp_out = obs->esp_in = PG_TRI_NO;
	for (i = 0; i < 3 && obs->esp_in != PG_TRI_YES; i++) {
		size_t n;

		req.token = pg_token();
		pg_msg_encode(&req, msg, sizeof(msg));
		n = pg_esp_encode(pkt, sizeof(pkt), spi, (uint32_t)i + 1, msg, sizeof(msg));
		if (sendto(fd, pkt, n, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
			continue;
		if (raw_wait(fd, IPPROTO_ESP, req.token, 0, pg_now_ms() + 800))
			obs->esp_out = obs->esp_in = PG_TRI_YES;
	}
	close(fd);
	/* No answer: did ours arrive? The responder logs it; we cannot tell. */
}

/**
 * pg_probe_check_pptp() - TCP 1723 call set-up, then GRE both ways.
 */
void pg_probe_check_pptp(const struct pg_probe_check_opts *o, struct pg_probe_obs *obs)
{
	struct sockaddr_in to = pg_sa(o->server, 0), ctl = pg_sa(o->server, o->port);
	uint8_t msg[PG_MSG_LEN], pkt[64];
	struct pg_msg req = {.type = PG_MSG_ECHO}, ans;
	int gre, tcp, peer, i, ufd;
	long long end;

	/* Open the GRE socket first: the responder sends as soon as the call is up. */
	gre = raw_socket(IPPROTO_GRE);
	tcp = pg_tcp_connect(o->server, 1723, 3000);
	obs->pptp_tcp = tcp >= 0 ? PG_TRI_YES : PG_TRI_NO;
	obs->pptp_ctrl = PG_TRI_NO;
	if (tcp < 0)
		goto out;
	obs->call_id = (uint16_t)(1 + pg_token() % 0xfffe);
	peer = pg_pptp_call(tcp, obs->call_id, &obs->call_id_seen);
	if (peer < 0)
		goto out;
	obs->pptp_ctrl = PG_TRI_YES;
	if (gre < 0)
		goto out;
	obs->gre_out = obs->gre_in = PG_TRI_NO;
	/* The responder's own GRE (token: its call id) first, as in a real call. */
	if (raw_wait(gre, IPPROTO_GRE, (uint32_t)peer, obs->call_id, pg_now_ms() + 1500))
		obs->gre_in = PG_TRI_YES;
	for (i = 0; i < 5; i++) {
		size_t n;

		req.token = pg_token();
		pg_msg_encode(&req, msg, sizeof(msg));
		n = pg_gre_encode(pkt, sizeof(pkt), (uint16_t)peer, (uint32_t)i, msg, sizeof(msg));
		sendto(gre, pkt, n, 0, (struct sockaddr *)&to, sizeof(to));
		end = pg_now_ms() + 300;
		/* Its answers to ours carry its call id as token too. */
		if (raw_wait(gre, IPPROTO_GRE, (uint32_t)peer, obs->call_id, end))
			obs->gre_in = PG_TRI_YES;
	}
	ufd = pg_udp_socket(0);
	if (ufd >= 0) {
		req = (struct pg_msg){.type = PG_MSG_GRE_STATUS, .aux = (uint16_t)peer};
		if (pg_udp_ask(ufd, &ctl, &req, 0, 3, 700, &ans) && ans.value > 0)
			obs->gre_out = PG_TRI_YES;
		close(ufd);
	}
out:
	if (tcp >= 0)
		close(tcp);
	if (gre >= 0)
		close(gre);
}
