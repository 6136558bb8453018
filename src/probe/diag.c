/* SPDX-License-Identifier: MIT */
/*
 * diag.c - the probes of "diagnose a VPN server" (diag.h), one protocol
 * after the other, each bounded in time: UDP requests are sent twice and
 * waited for wait_ms each time; TCP connects, writes and reads wait at most
 * wait_ms per step. The messages are the probe's own (ikev2.c, msg.c via
 * pptp_call.c, vpnmsg.c); this file only moves them and says what came
 * back. A TCP reset or an ICMP port unreachable is "refused" (the path is
 * open, nothing listens), silence is "no answer" (dropped on the way, or
 * the server ignores us).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe/diag.h"
#include "probe/ikev2.h"
#include "probe/msg.h"
#include "probe/net.h"
#include "probe/vpnmsg.h"

static const struct {
	const char *name, *title;
	uint8_t ipproto;
	uint16_t port;
} protos[] = {
	[PG_DIAG_IKE500] = {"ikev2", "IKEv2 (UDP 500)", 17, 500},
	[PG_DIAG_IKE4500] = {"ikev2-natt", "IKEv2 NAT-T (UDP 4500)", 17, 4500},
	[PG_DIAG_IKEV1] = {"ikev1", "IKEv1 Main Mode (UDP 500)", 17, 500},
	[PG_DIAG_PPTP] = {"pptp", "PPTP (TCP 1723 + GRE)", 6, 1723},
	[PG_DIAG_L2TP] = {"l2tp", "L2TP (UDP 1701)", 17, 1701},
	[PG_DIAG_OVPN_UDP] = {"openvpn-udp", "OpenVPN (UDP 1194)", 17, 1194},
	[PG_DIAG_OVPN_TCP] = {"openvpn-tcp", "OpenVPN (TCP 1194)", 6, 1194},
	[PG_DIAG_SSTP] = {"sstp", "SSTP (TLS on TCP 443)", 6, 443},
};
_Static_assert(sizeof(protos) / sizeof(protos[0]) == PG_DIAG__COUNT, "one row per protocol");

static const char *const state_names[] = {
	[PG_DIAG_NOT_RUN] = "not-run",
	[PG_DIAG_NO_ANSWER] = "no-answer",
	[PG_DIAG_REFUSED] = "refused",
	[PG_DIAG_ANSWERED] = "answered",
};
_Static_assert(sizeof(state_names) / sizeof(state_names[0]) == PG_DIAG__STATES, "one name per state");

const char *pg_diag_proto_name(enum pg_diag_proto p)
{
	return (unsigned)p < PG_DIAG__COUNT ? protos[p].name : "?";
}

const char *pg_diag_proto_title(enum pg_diag_proto p)
{
	return (unsigned)p < PG_DIAG__COUNT ? protos[p].title : "?";
}

void pg_diag_proto_port(enum pg_diag_proto p, uint8_t *ipproto, uint16_t *port)
{
	*ipproto = (unsigned)p < PG_DIAG__COUNT ? protos[p].ipproto : 0;
	*port = (unsigned)p < PG_DIAG__COUNT ? protos[p].port : 0;
}

const char *pg_diag_state_name(enum pg_diag_state s)
{
	return (unsigned)s < PG_DIAG__STATES ? state_names[s] : "?";
}

static void random_bytes(uint8_t *b, size_t n)
{
	if (getrandom(b, n, 0) != (ssize_t)n)
		for (size_t i = 0; i < n; i++)
			b[i] = (uint8_t)pg_token();
}

/* Reads what a UDP answer is; PG_ANS_NONE for anything else. */
typedef enum pg_vpn_answer (*reader_fn)(const uint8_t *buf, size_t len, const void *ctx);

/*
 * Send req from a socket bound to sport (when it can be bound), twice, and
 * classify what comes back with rd. Fills it.
 */
/* Says more about an answer than its name (may be NULL). */
typedef void (*detail_fn)(struct pg_diag_item *it, const uint8_t *buf, size_t len, const void *ctx);

static void udp_probe(const struct pg_diag_opts *o, uint16_t dport, uint16_t sport,
		      const uint8_t *req, size_t len, reader_fn rd, detail_fn more, const void *ctx,
		      struct pg_diag_item *it)
{
	struct sockaddr_in to = pg_sa(o->server, dport);
	uint8_t buf[2048];
	int fd = sport ? pg_udp_socket(sport) : -1;

	if (fd < 0)
		fd = pg_udp_socket(0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&to, sizeof(to)) < 0) {
		if (fd >= 0)
			close(fd);
		return;
	}
	it->state = PG_DIAG_NO_ANSWER;
	for (int t = 0; t < 2 && it->state == PG_DIAG_NO_ANSWER; t++) {
		long long end = pg_now_ms() + o->wait_ms;

		if (send(fd, req, len, 0) < 0 && errno == ECONNREFUSED) {
			it->state = PG_DIAG_REFUSED;
			break;
		}
		for (;;) {
			struct pollfd p = {.fd = fd, .events = POLLIN};
			long long left = end - pg_now_ms();
			enum pg_vpn_answer a;
			ssize_t n;

			if (left <= 0 || poll(&p, 1, (int)left) <= 0)
				break;
			n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
			if (n < 0 && errno == ECONNREFUSED) {
				it->state = PG_DIAG_REFUSED;	/* ICMP port unreachable */
				break;
			}
			if (n <= 0 || (a = rd(buf, (size_t)n, ctx)) == PG_ANS_NONE)
				continue;
			it->state = PG_DIAG_ANSWERED;
			snprintf(it->answer, sizeof(it->answer), "%s", pg_vpn_answer_name(a));
			if (more)
				more(it, buf, (size_t)n, ctx);
			break;
		}
	}
	close(fd);
}

/* Connect to dport; fills it's state on failure. Returns the fd or -1. */
static int tcp_open(const struct pg_diag_opts *o, uint16_t dport, struct pg_diag_item *it)
{
	struct timeval tv = {o->wait_ms / 1000, (o->wait_ms % 1000) * 1000};
	int why, fd = pg_tcp_connect_err(o->server, dport, o->wait_ms, &why);

	if (fd < 0) {
		it->state = why == ECONNREFUSED ? PG_DIAG_REFUSED : PG_DIAG_NO_ANSWER;
		if (why != ECONNREFUSED && why != ETIMEDOUT)
			snprintf(it->answer, sizeof(it->answer), "ICMP: %s", strerror(why));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

/* Send req on TCP dport, read one answer and classify it with rd. */
static void tcp_probe(const struct pg_diag_opts *o, uint16_t dport, const uint8_t *req, size_t len,
		      reader_fn rd, const void *ctx, struct pg_diag_item *it)
{
	uint8_t buf[2048];
	size_t have = 0;
	int fd = tcp_open(o, dport, it);

	if (fd < 0)
		return;
	it->state = PG_DIAG_NO_ANSWER;
	snprintf(it->answer, sizeof(it->answer), "TCP connected, no answer to our request");
	if (send(fd, req, len, MSG_NOSIGNAL) == (ssize_t)len) {
		/*
		 * Until the answer reads as one, the peer stops or the deadline
		 * (for the whole answer: a peer trickling bytes cannot stretch it).
		 */
		long long end = pg_now_ms() + 2LL * o->wait_ms;

		while (have < sizeof(buf)) {
			struct pollfd p = {.fd = fd, .events = POLLIN};
			long long left = end - pg_now_ms();
			enum pg_vpn_answer a;
			ssize_t n;

			if (left <= 0 || poll(&p, 1, (int)left) <= 0)
				break;
			n = recv(fd, buf + have, sizeof(buf) - have, MSG_DONTWAIT);
			if (n <= 0)
				break;
			have += (size_t)n;
			a = rd(buf, have, ctx);
			if (a != PG_ANS_NONE) {
				it->state = PG_DIAG_ANSWERED;
				snprintf(it->answer, sizeof(it->answer), "%s", pg_vpn_answer_name(a));
				break;
			}
		}
	}
	close(fd);
}

static enum pg_vpn_answer read_ikev1(const uint8_t *buf, size_t len, const void *ctx)
{
	uint16_t notify;

	return pg_ikev1_read(buf, len, ctx, &notify);
}

/* IKEv1's answer again, for its notification's type (14: NO_PROPOSAL_CHOSEN). */
static void ikev1_notify(struct pg_diag_item *it, const uint8_t *buf, size_t len, const void *ctx)
{
	uint16_t notify;

	if (pg_ikev1_read(buf, len, ctx, &notify) == PG_ANS_IKEV1_NOTIFY && notify)
		snprintf(it->answer, sizeof(it->answer), "IKEv1 notification %u%s", notify,
			 notify == 14 ? " (NO_PROPOSAL_CHOSEN: it speaks IKEv1, not with our offer)" : "");
}

static enum pg_vpn_answer read_l2tp(const uint8_t *buf, size_t len, const void *ctx)
{
	return pg_l2tp_read(buf, len, *(const uint16_t *)ctx);
}

static enum pg_vpn_answer read_ovpn_udp(const uint8_t *buf, size_t len, const void *ctx)
{
	(void)ctx;
	return pg_ovpn_read(buf, len, 0);
}

static enum pg_vpn_answer read_ovpn_tcp(const uint8_t *buf, size_t len, const void *ctx)
{
	(void)ctx;
	return pg_ovpn_read(buf, len, 1);
}

static enum pg_vpn_answer read_tls(const uint8_t *buf, size_t len, const void *ctx)
{
	(void)ctx;
	return pg_tls_read(buf, len);
}

static void ike(const struct pg_diag_opts *o, uint16_t port, struct pg_diag_result *r,
		struct pg_diag_item *it)
{
	struct pg_ike_result ir;
	uint8_t spi_i[8];

	random_bytes(spi_i, sizeof(spi_i));
	if (pg_ike_ask(o->server, port, spi_i, 2, o->wait_ms, &ir) < 0)
		return;
	r->local = ir.local;
	it->state = ir.answered ? PG_DIAG_ANSWERED : PG_DIAG_NO_ANSWER;
	if (!ir.answered)
		return;
	it->nat = ir.nat;
	if (ir.a.cookie)
		snprintf(it->answer, sizeof(it->answer),
			 "IKE_SA_INIT answer: a COOKIE request (the server has many half-open SAs)");
	else if (ir.a.error)
		snprintf(it->answer, sizeof(it->answer), "IKE_SA_INIT answer, notification %u%s",
			 ir.a.error, ir.a.has_nat_dst ? "" : ", no NAT detection");
	else
		snprintf(it->answer, sizeof(it->answer), "IKE_SA_INIT answer%s",
			 !ir.a.has_nat_dst ? ", no NAT detection" :
			 ir.nat ? ", NAT detected" : ", no NAT on the path");
}

/* Wait until end for the server's GRE to our call id (raw socket fd). */
static int gre_wait(int fd, uint32_t server, uint16_t call_id, long long end)
{
	uint8_t buf[2048];

	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		long long left = end - pg_now_ms();
		const uint8_t *pl, *ml;
		size_t plen, mlen;
		uint32_t src;
		uint16_t cid;
		uint8_t pr;
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return 0;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0 && (pl = pg_ip_payload(buf, (size_t)n, &plen, &src, &pr)) && pr == 47 &&
		    src == server && pg_gre_decode(pl, plen, &cid, &ml, &mlen) == 0 && cid == call_id)
			return 1;
	}
}

static void pptp(const struct pg_diag_opts *o, struct pg_diag_item *it)
{
	int gre = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_GRE);
	uint16_t call_id, seen = 0;
	int tcp = tcp_open(o, 1723, it), peer;

	it->gre = -1;
	if (tcp < 0)
		goto out;
	random_bytes((uint8_t *)&call_id, sizeof(call_id));
	call_id |= 1;
	peer = pg_pptp_call(tcp, call_id, &seen);
	if (peer < 0) {
		it->state = PG_DIAG_NO_ANSWER;
		snprintf(it->answer, sizeof(it->answer), "TCP connected, no PPTP call set-up");
		goto out;
	}
	it->state = PG_DIAG_ANSWERED;
	/* The server starts PPP at once: its GRE to our call id should come. */
	if (gre >= 0)
		it->gre = gre_wait(gre, o->server, call_id, pg_now_ms() + 2 * o->wait_ms);
	snprintf(it->answer, sizeof(it->answer), "SCCRP and OCRP (server call id %d)%s", peer,
		 it->gre == 1 ? ", GRE came back" : it->gre == 0 ? ", no GRE came back" :
		 ", GRE not measured (no raw socket)");
out:
	if (tcp >= 0)
		close(tcp);
	if (gre >= 0)
		close(gre);
}

static bool stopped(const struct pg_diag_opts *o)
{
	return o->stop && atomic_load(o->stop);
}

/**
 * pg_diag_run() - every probe against o->server, in turn; a set *o->stop
 * ends the run between two probes (the rest stay "not-run").
 */
void pg_diag_run(const struct pg_diag_opts *o, struct pg_diag_result *r)
{
	uint8_t req[PG_IKEV1_REQ_MAX], cookie[8], session[8], rnd[32];
	uint16_t tid;
	size_t len;

	memset(r, 0, sizeof(*r));
	r->server = o->server;
	for (int p = 0; p < PG_DIAG__COUNT; p++)
		r->item[p].gre = -1;
	for (int p = 0; p < PG_DIAG__COUNT && !stopped(o); p++) {
		struct pg_diag_item *it = &r->item[p];
		long long t0 = pg_now_ms();

		switch ((enum pg_diag_proto)p) {
		case PG_DIAG_IKE500:
		case PG_DIAG_IKE4500:
			ike(o, protos[p].port, r, it);
			break;
		case PG_DIAG_IKEV1:
			random_bytes(cookie, sizeof(cookie));
			len = pg_ikev1_main_mode(req, sizeof(req), cookie);
			udp_probe(o, 500, 500, req, len, read_ikev1, ikev1_notify, cookie, it);
			break;
		case PG_DIAG_PPTP:
			pptp(o, it);
			break;
		case PG_DIAG_L2TP:
			random_bytes((uint8_t *)&tid, sizeof(tid));
			tid |= 1;
			len = pg_l2tp_sccrq(req, sizeof(req), tid);
			udp_probe(o, 1701, 1701, req, len, read_l2tp, NULL, &tid, it);
			break;
		case PG_DIAG_OVPN_UDP:
		case PG_DIAG_OVPN_TCP:
			random_bytes(session, sizeof(session));
			len = pg_ovpn_reset(req, sizeof(req), session, p == PG_DIAG_OVPN_TCP);
			if (p == PG_DIAG_OVPN_UDP)
				udp_probe(o, 1194, 0, req, len, read_ovpn_udp, NULL, NULL, it);
			else
				tcp_probe(o, 1194, req, len, read_ovpn_tcp, NULL, it);
			break;
		case PG_DIAG_SSTP:
			random_bytes(rnd, sizeof(rnd));
			len = pg_tls_client_hello(req, sizeof(req), rnd);
			tcp_probe(o, 443, req, len, read_tls, NULL, it);
			break;
		default:
			break;
		}
		it->ms = (uint32_t)(pg_now_ms() - t0);
	}
}
