/* SPDX-License-Identifier: MIT */
/*
 * serve.c - the responder, run on a host beyond the NAT path under test.
 *
 * It listens on its control port P and P + 1 (and P on a second address,
 * if given) and on the VPN ports the prober tries (UDP 500, 4500, 1194,
 * 51820, 1701; TCP 443 and 1723), and on raw ESP and GRE sockets. Every
 * probe is answered with the source address and port it arrived from, which
 * is the whole point: that is what the NAT made of the prober. On TCP 1723
 * it plays a PPTP server just far enough (Start-Control-Connection and
 * Outgoing-Call replies) for a gateway's PPTP helper to expect GRE, then
 * sends GRE to the call id it was given, as a real server would, and counts
 * the GRE that reaches it.
 *
 * One thread, one poll loop; timers (delayed answers, GRE bursts) are kept
 * in two small fixed tables. Wire input never ends the process: a message
 * that does not decode is ignored. Everything it sees is logged to stderr,
 * one line each, so a test can read what arrived.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "probe/msg.h"
#include "probe/net.h"
#include "probe/probe.h"

#define NUDP 8
#define MAX_LATER 64
#define MAX_CALLS 32
#define GRE_BURST 15		/* GRE packets sent per call, one each GRE_GAP_MS */
#define GRE_GAP_MS 200

static const uint16_t vpn_udp_ports[] = {500, 4500, 1194, 51820, 1701};

struct later {
	int fd;
	struct sockaddr_in to;
	uint32_t token;
	long long due;
};

struct call {
	bool used;
	int fd;				/* control connection, -1 once closed */
	uint16_t our_id, peer_id;	/* peer_id: as it arrived here */
	struct sockaddr_in peer;	/* control connection's source */
	uint32_t gre_src;
	uint32_t gre_count;
	int sends_left;
	long long next_send;
	long long expires;
};

struct srv {
	const struct pg_probe_serve_opts *o;
	int udp[NUDP];
	uint16_t udp_port[NUDP];
	int nudp;
	int udp_main, udp_plus1, udp_addr2;	/* indexes into udp[] */
	int tcp_ctl, tcp_443, tcp_1723;
	int raw_esp, raw_gre;
	struct later later[MAX_LATER];
	struct call call[MAX_CALLS];
	uint32_t gre_seq;
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *sa_str(const struct sockaddr_in *sa)
{
	static char buf[32];
	char a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &sa->sin_addr, a, sizeof(a));
	snprintf(buf, sizeof(buf), "%s:%u", a, ntohs(sa->sin_port));
	return buf;
}

static int bound(int type, int proto, uint32_t addr, uint16_t port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	int fd, one = 1;

	fd = socket(AF_INET, type, proto);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sa.sin_addr.s_addr = htonl(addr);
	sa.sin_port = htons(port);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int add_udp(struct srv *s, uint32_t addr, uint16_t port)
{
	int fd = bound(SOCK_DGRAM, 0, addr, port);

	if (fd < 0) {
		fprintf(stderr, "passgate-probe: cannot bind UDP port %u: %s\n", port, strerror(errno));
		return -1;
	}
	s->udp[s->nudp] = fd;
	s->udp_port[s->nudp] = port;
	return s->nudp++;
}

static int add_tcp(struct srv *s, uint16_t port)
{
	int fd = bound(SOCK_STREAM, 0, s->o->addr, port), one = 1;

	if (fd < 0 || listen(fd, 16) < 0) {
		fprintf(stderr, "passgate-probe: cannot listen on TCP port %u: %s\n", port,
			strerror(errno));
		return -1;
	}
	/* Keep each SYN: its MSS option is what the path left of the client's. */
	setsockopt(fd, IPPROTO_TCP, TCP_SAVE_SYN, &one, sizeof(one));
	return fd;
}

static void answer_padded(int fd, const struct sockaddr_in *to, uint32_t token, uint8_t flags,
			  uint32_t value, const struct srv *s, size_t len)
{
	struct pg_msg m = {.type = PG_MSG_ANSWER, .flags = flags, .token = token};
	static uint8_t buf[PG_MSG_BIG_MAX];

	m.addr = ntohl(to->sin_addr.s_addr);
	m.port = ntohs(to->sin_port);
	m.aux = (uint16_t)(s->o->port + 1);
	m.value = value;
	m.alt = s->o->addr2;
	if (len < PG_MSG_LEN || len > sizeof(buf))
		len = PG_MSG_LEN;
	memset(buf, 0, len);
	pg_msg_encode(&m, buf, len);
	sendto(fd, buf, len, 0, (const struct sockaddr *)to, sizeof(*to));
}

static void answer(int fd, const struct sockaddr_in *to, uint32_t token, uint8_t flags,
		   uint32_t value, const struct srv *s)
{
	answer_padded(fd, to, token, flags, value, s, PG_MSG_LEN);
}

static struct call *call_by_id(struct srv *s, uint16_t id)
{
	int i;

	for (i = 0; i < MAX_CALLS; i++)
		if (s->call[i].used && s->call[i].our_id == id)
			return &s->call[i];
	return NULL;
}

static void on_udp(struct srv *s, int i)
{
	uint8_t buf[PG_MSG_BIG_MAX];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	struct pg_msg m;
	ssize_t n;
	int j;

	n = recvfrom(s->udp[i], buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
	if (n < 0 || pg_msg_decode(buf, (size_t)n, &m) < 0)
		return;
	fprintf(stderr, "udp %u from %s type %u len %zd\n", s->udp_port[i], sa_str(&from), m.type, n);
	switch (m.type) {
	case PG_MSG_ECHO:
		answer_padded(s->udp[i], &from, m.token, 0, (uint32_t)n, s,
			      m.flags & PG_MSG_F_BIG ? m.aux : PG_MSG_LEN);
		break;
	case PG_MSG_OTHER:
		answer(s->udp[i], &from, m.token, 0, (uint32_t)n, s);
		if ((m.flags & PG_MSG_F_OTHER_PORT) && s->udp_plus1 >= 0)
			answer(s->udp[s->udp_plus1], &from, m.token, PG_MSG_F_UNSOLICITED, 1, s);
		if ((m.flags & PG_MSG_F_OTHER_ADDR) && s->udp_addr2 >= 0)
			answer(s->udp[s->udp_addr2], &from, m.token, PG_MSG_F_UNSOLICITED, 2, s);
		break;
	case PG_MSG_LATER:
		for (j = 0; j < MAX_LATER; j++) {
			if (!s->later[j].due) {
				s->later[j] = (struct later){s->udp[i], from, m.token,
							     now_ms() + m.delay * 1000LL};
				break;
			}
		}
		break;
	case PG_MSG_GRE_STATUS: {
		struct call *c = call_by_id(s, m.aux);
		struct pg_msg a = {.type = PG_MSG_ANSWER, .token = m.token};

		if (!c)
			return;
		a.addr = c->gre_src;
		a.aux = c->peer_id;
		a.value = c->gre_count;
		pg_msg_encode(&a, buf, sizeof(buf));
		sendto(s->udp[i], buf, PG_MSG_LEN, 0, (struct sockaddr *)&from, fl);
		break;
	}
	default:
		break;
	}
}

/* The MSS option of the SYN that opened @fd, 0 if none was kept. */
static int syn_mss(int fd)
{
	uint8_t syn[256];
	socklen_t len = sizeof(syn);
	size_t ihl, thl, i;

	if (getsockopt(fd, IPPROTO_TCP, TCP_SAVED_SYN, syn, &len) < 0 || len < 40)
		return 0;
	ihl = (size_t)(syn[0] & 0x0f) * 4;
	if (ihl + 20 > len)
		return 0;
	thl = (size_t)(syn[ihl + 12] >> 4) * 4;
	if (thl < 20 || ihl + thl > len)
		return 0;
	for (i = ihl + 20; i < ihl + thl;) {
		uint8_t kind = syn[i];

		if (kind == 0)
			break;
		if (kind == 1) {
			i++;
			continue;
		}
		if (i + 1 >= ihl + thl || syn[i + 1] < 2)
			break;
		if (kind == 2 && syn[i + 1] == 4 && i + 4 <= ihl + thl)
			return syn[i + 2] << 8 | syn[i + 3];
		i += syn[i + 1];
	}
	return 0;
}

static int accept_timed(int lfd, struct sockaddr_in *from)
{
	struct timeval tv = {.tv_sec = 2};
	socklen_t fl = sizeof(*from);
	int fd = accept(lfd, (struct sockaddr *)from, &fl);

	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

/* TCP P and 443: one request, one answer (with the SYN's MSS), close. */
static void on_tcp_ctl(struct srv *s, int lfd)
{
	struct sockaddr_in from;
	uint8_t buf[PG_MSG_LEN];
	struct pg_msg m;
	int fd = accept_timed(lfd, &from), mss;

	if (fd < 0)
		return;
	mss = syn_mss(fd);
	if (pg_read_full(fd, buf, sizeof(buf)) == 0 && pg_msg_decode(buf, sizeof(buf), &m) == 0) {
		struct pg_msg a = {.type = PG_MSG_ANSWER, .token = m.token};

		fprintf(stderr, "tcp from %s type %u mss %d\n", sa_str(&from), m.type, mss);
		a.addr = ntohl(from.sin_addr.s_addr);
		a.port = ntohs(from.sin_port);
		a.value = (uint32_t)mss;
		a.alt = s->o->addr2;
		pg_msg_encode(&a, buf, sizeof(buf));
		if (send(fd, buf, sizeof(buf), MSG_NOSIGNAL) < 0)
			fprintf(stderr, "tcp answer to %s: %s\n", sa_str(&from), strerror(errno));
	}
	close(fd);
}

static void send_gre(struct srv *s, struct call *c)
{
	struct sockaddr_in to = c->peer;
	struct pg_msg m = {.type = PG_MSG_ANSWER, .token = c->our_id};
	uint8_t msg[PG_MSG_LEN], pkt[64];
	size_t n;

	m.addr = c->gre_src;
	m.aux = c->peer_id;
	m.value = c->gre_count;
	pg_msg_encode(&m, msg, sizeof(msg));
	n = pg_gre_encode(pkt, sizeof(pkt), c->peer_id, s->gre_seq++, msg, sizeof(msg));
	to.sin_port = 0;
	sendto(s->raw_gre, pkt, n, 0, (struct sockaddr *)&to, sizeof(to));
}

/* TCP 1723: a PPTP server's first two replies, then GRE to the call. */
static void on_pptp(struct srv *s)
{
	struct sockaddr_in from;
	uint8_t buf[PG_PPTP_OCRQ_LEN];
	uint16_t cid, pcid;
	struct call *c = NULL;
	int fd = accept_timed(s->tcp_1723, &from), type, i;

	if (fd < 0)
		return;
	if (pg_read_full(fd, buf, PG_PPTP_SCCR_LEN) < 0 ||
	    pg_pptp_parse(buf, PG_PPTP_SCCR_LEN, &type, &cid, &pcid) < 0 || type != PG_PPTP_SCCRQ) {
		fprintf(stderr, "pptp from %s: no Start-Control-Connection-Request\n", sa_str(&from));
		goto drop;
	}
	pg_pptp_sccr(buf, sizeof(buf), PG_PPTP_SCCRP);
	if (send(fd, buf, PG_PPTP_SCCR_LEN, MSG_NOSIGNAL) < 0)
		goto drop;
	if (pg_read_full(fd, buf, PG_PPTP_OCRQ_LEN) < 0 ||
	    pg_pptp_parse(buf, PG_PPTP_OCRQ_LEN, &type, &cid, &pcid) < 0 || type != PG_PPTP_OCRQ) {
		fprintf(stderr, "pptp from %s: no Outgoing-Call-Request\n", sa_str(&from));
		goto drop;
	}
	for (i = 0; i < MAX_CALLS && !c; i++) {
		/* Reuse a slot whose connection is closed and whose time is up. */
		if (!s->call[i].used || (s->call[i].fd < 0 && s->call[i].expires < now_ms()))
			c = &s->call[i];
	}
	if (!c)
		goto drop;
	memset(c, 0, sizeof(*c));
	c->used = true;
	c->fd = fd;
	c->peer = from;
	c->peer_id = cid;
	do {
		c->our_id = (uint16_t)(1 + rand() % 0xfffe);
	} while (call_by_id(s, c->our_id) != c);
	c->sends_left = GRE_BURST;
	c->next_send = now_ms();
	c->expires = now_ms() + 60000;
	pg_pptp_ocrp(buf, sizeof(buf), c->our_id, cid);
	fprintf(stderr, "pptp from %s: call id %u, ours %u\n", sa_str(&from), cid, c->our_id);
	if (send(fd, buf, PG_PPTP_OCRP_LEN, MSG_NOSIGNAL) < 0)
		c->used = false;
	else
		return;
drop:
	close(fd);
}

static void on_pptp_conn(struct call *c)
{
	uint8_t buf[512];

	/* Anything further (a Call-Clear-Request) is read and let be; EOF ends it. */
	if (recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT) == 0) {
		close(c->fd);
		c->fd = -1;
		c->sends_left = 0;
	}
}

static void on_esp(struct srv *s)
{
	uint8_t buf[2048], out[64], msg[PG_MSG_LEN];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	const uint8_t *p, *pl;
	size_t plen, ml;
	uint32_t src, spi;
	uint8_t proto;
	struct pg_msg m;
	ssize_t n;

	n = recvfrom(s->raw_esp, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
	if (n < 0 || !(p = pg_ip_payload(buf, (size_t)n, &plen, &src, &proto)) || proto != 50)
		return;
	if (pg_esp_decode(p, plen, &spi, &pl, &ml) < 0 || pg_msg_decode(pl, ml, &m) < 0)
		return;
	fprintf(stderr, "esp from %s spi 0x%08x\n", sa_str(&from), spi);
	m = (struct pg_msg){.type = PG_MSG_ANSWER, .token = m.token, .addr = src, .value = spi};
	pg_msg_encode(&m, msg, sizeof(msg));
	/* Our own SPI, as a real peer's inbound SA would have. */
	n = (ssize_t)pg_esp_encode(out, sizeof(out), spi ^ 0x5a5a0000u, 1, msg, sizeof(msg));
	from.sin_port = 0;
	sendto(s->raw_esp, out, (size_t)n, 0, (struct sockaddr *)&from, sizeof(from));
}

static void on_gre(struct srv *s)
{
	uint8_t buf[2048];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	const uint8_t *p, *pl;
	size_t plen, ml;
	uint32_t src;
	uint16_t cid;
	uint8_t proto;
	struct call *c;
	ssize_t n;

	n = recvfrom(s->raw_gre, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
	if (n < 0 || !(p = pg_ip_payload(buf, (size_t)n, &plen, &src, &proto)) || proto != 47)
		return;
	if (pg_gre_decode(p, plen, &cid, &pl, &ml) < 0)
		return;
	c = call_by_id(s, cid);
	fprintf(stderr, "gre from %s call id %u%s\n", sa_str(&from), cid, c ? "" : " (no such call)");
	if (!c)
		return;
	c->gre_count++;
	c->gre_src = src;
	send_gre(s, c);
}

static void timers(struct srv *s, long long now)
{
	int i;

	for (i = 0; i < MAX_LATER; i++) {
		struct later *l = &s->later[i];

		if (l->due && l->due <= now) {
			fprintf(stderr, "late answer to %s\n", sa_str(&l->to));
			answer(l->fd, &l->to, l->token, 0, 0, s);
			l->due = 0;
		}
	}
	for (i = 0; i < MAX_CALLS; i++) {
		struct call *c = &s->call[i];

		if (c->used && c->sends_left > 0 && c->next_send <= now) {
			send_gre(s, c);
			c->sends_left--;
			c->next_send = now + GRE_GAP_MS;
		}
	}
}

static int next_timeout(const struct srv *s, long long now)
{
	long long t = now + 1000;
	int i;

	for (i = 0; i < MAX_LATER; i++)
		if (s->later[i].due && s->later[i].due < t)
			t = s->later[i].due;
	for (i = 0; i < MAX_CALLS; i++)
		if (s->call[i].used && s->call[i].sends_left > 0 && s->call[i].next_send < t)
			t = s->call[i].next_send;
	return t > now ? (int)(t - now) : 0;
}

/**
 * pg_probe_serve() - run the responder until killed.
 * Return: 1 when a socket could not be set up (the message says which).
 */
int pg_probe_serve(const struct pg_probe_serve_opts *o)
{
	static struct srv s;
	struct pollfd pfd[NUDP + 5 + MAX_CALLS];
	int i, n, callpos[MAX_CALLS];
	size_t k;

	s.o = o;
	srand((unsigned)(time(NULL) ^ getpid()));
	s.udp_main = add_udp(&s, o->addr, o->port);
	s.udp_plus1 = add_udp(&s, o->addr, (uint16_t)(o->port + 1));
	s.udp_addr2 = o->addr2 ? add_udp(&s, o->addr2, o->port) : -1;
	if (s.udp_main < 0 || s.udp_plus1 < 0 || (o->addr2 && s.udp_addr2 < 0))
		return 1;
	for (k = 0; k < sizeof(vpn_udp_ports) / sizeof(vpn_udp_ports[0]); k++)
		if (add_udp(&s, o->addr, vpn_udp_ports[k]) < 0)
			return 1;
	s.tcp_ctl = add_tcp(&s, o->port);
	s.tcp_443 = add_tcp(&s, 443);
	s.tcp_1723 = add_tcp(&s, 1723);
	if (s.tcp_ctl < 0 || s.tcp_443 < 0 || s.tcp_1723 < 0)
		return 1;
	s.raw_esp = bound(SOCK_RAW, IPPROTO_ESP, o->addr, 0);
	s.raw_gre = bound(SOCK_RAW, IPPROTO_GRE, o->addr, 0);
	if (s.raw_esp < 0 || s.raw_gre < 0)
		fprintf(stderr, "passgate-probe: no raw sockets (%s): ESP and GRE checks will fail\n",
			strerror(errno));
	fprintf(stderr, "passgate-probe: serving on port %u\n", o->port);

	for (;;) {
		long long now = now_ms();

		n = 0;
		for (i = 0; i < s.nudp; i++)
			pfd[n++] = (struct pollfd){.fd = s.udp[i], .events = POLLIN};
		pfd[n++] = (struct pollfd){.fd = s.tcp_ctl, .events = POLLIN};
		pfd[n++] = (struct pollfd){.fd = s.tcp_443, .events = POLLIN};
		pfd[n++] = (struct pollfd){.fd = s.tcp_1723, .events = POLLIN};
		pfd[n++] = (struct pollfd){.fd = s.raw_esp, .events = POLLIN};
		pfd[n++] = (struct pollfd){.fd = s.raw_gre, .events = POLLIN};
		for (i = 0; i < MAX_CALLS; i++) {
			callpos[i] = -1;
			if (s.call[i].used && s.call[i].fd >= 0) {
				callpos[i] = n;
				pfd[n++] = (struct pollfd){.fd = s.call[i].fd, .events = POLLIN};
			}
		}
		if (poll(pfd, (nfds_t)n, next_timeout(&s, now)) < 0 && errno != EINTR)
			return 1;
		for (i = 0; i < s.nudp; i++)
			if (pfd[i].revents & POLLIN)
				on_udp(&s, i);
		if (pfd[s.nudp].revents & POLLIN)
			on_tcp_ctl(&s, s.tcp_ctl);
		if (pfd[s.nudp + 1].revents & POLLIN)
			on_tcp_ctl(&s, s.tcp_443);
		if (pfd[s.nudp + 2].revents & POLLIN)
			on_pptp(&s);
		if (pfd[s.nudp + 3].revents & POLLIN)
			on_esp(&s);
		if (pfd[s.nudp + 4].revents & POLLIN)
			on_gre(&s);
		for (i = 0; i < MAX_CALLS; i++)
			if (callpos[i] >= 0 && (pfd[callpos[i]].revents & (POLLIN | POLLHUP)))
				on_pptp_conn(&s.call[i]);
		timers(&s, now_ms());
	}
}
