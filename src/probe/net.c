/* SPDX-License-Identifier: MIT */
/*
 * net.c - socket plumbing for the prober: every exchange is bounded in time
 * and matched by token, so a stray or late answer can never be taken for
 * the one awaited.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "probe/net.h"

long long pg_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct sockaddr_in pg_sa(uint32_t addr, uint16_t port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};

	sa.sin_addr.s_addr = htonl(addr);
	sa.sin_port = htons(port);
	return sa;
}

/**
 * pg_udp_socket() - a UDP socket bound to @port (0: any), with ICMP errors
 * queued for reading. Return: the fd, or -errno.
 */
int pg_udp_socket(uint16_t port)
{
	struct sockaddr_in sa = pg_sa(0, port);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0)
		return -errno;
	setsockopt(fd, IPPROTO_IP, IP_RECVERR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}

uint32_t pg_token(void)
{
	return ((uint32_t)rand() << 16) ^ (uint32_t)rand();
}

/**
 * pg_send_msg() - send @m padded with zeros to @pad bytes in all.
 * Return: 0 or -errno (-EMSGSIZE when the path MTU is known to be smaller).
 */
int pg_send_msg(int fd, const struct sockaddr_in *to, const struct pg_msg *m, size_t pad)
{
	static uint8_t buf[65536];
	size_t len = pad > PG_MSG_LEN ? pad : PG_MSG_LEN;

	memset(buf, 0, len);
	pg_msg_encode(m, buf, len);
	if (sendto(fd, buf, len, 0, (const struct sockaddr *)to, sizeof(*to)) < 0)
		return -errno;
	return 0;
}

/**
 * pg_wait_answer_len() - wait up to @timeout_ms for an ANSWER carrying
 * @token; @len (if not NULL) gets the datagram's whole length.
 * Return: 1 with @ans and @from filled, 0 on timeout.
 */
int pg_wait_answer_len(int fd, uint32_t token, int timeout_ms, struct pg_msg *ans,
		       struct sockaddr_in *from, size_t *len)
{
	long long end = pg_now_ms() + timeout_ms;
	uint8_t buf[2048];

	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		long long left = end - pg_now_ms();
		struct sockaddr_in sa;
		socklen_t sl = sizeof(sa);
		ssize_t n;

		int r;

		/* A zero timeout still reads what is already queued. */
		r = poll(&p, 1, left > 0 ? (int)left : 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return 0;
		if (p.revents & POLLERR) {
			struct pg_icmp_err e;

			pg_read_icmp_err(fd, &e);	/* not what we wait for here */
			continue;
		}
		/* MSG_TRUNC: the real length even of a datagram larger than buf. */
		n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC, (struct sockaddr *)&sa, &sl);
		if (n < 0)
			continue;
		if (pg_msg_decode(buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf), ans) == 0 &&
		    ans->type == PG_MSG_ANSWER && ans->token == token) {
			if (from)
				*from = sa;
			if (len)
				*len = (size_t)n;
			return 1;
		}
	}
}

/**
 * pg_wait_answer() - pg_wait_answer_len() without the length.
 */
int pg_wait_answer(int fd, uint32_t token, int timeout_ms, struct pg_msg *ans,
		   struct sockaddr_in *from)
{
	return pg_wait_answer_len(fd, token, timeout_ms, ans, from, NULL);
}

/**
 * pg_udp_ask() - send @req (a fresh token each call) up to @tries times,
 * waiting @timeout_ms for the answer each time. Return: 1 answered, 0 not.
 */
int pg_udp_ask(int fd, const struct sockaddr_in *to, struct pg_msg *req, size_t pad,
	       int tries, int timeout_ms, struct pg_msg *ans)
{
	int i;

	req->token = pg_token();
	for (i = 0; i < tries; i++) {
		if (pg_send_msg(fd, to, req, pad) < 0)
			continue;
		if (pg_wait_answer(fd, req->token, timeout_ms, ans, NULL))
			return 1;
	}
	return 0;
}

/**
 * pg_tcp_connect() - connect within @timeout_ms. Return: a blocking fd with
 * a 3 s receive timeout, or -1.
 */
int pg_tcp_connect(uint32_t addr, uint16_t port, int timeout_ms)
{
	int err;

	return pg_tcp_connect_err(addr, port, timeout_ms, &err);
}

/**
 * pg_tcp_connect_err() - pg_tcp_connect(), and why it failed: *err is
 * ECONNREFUSED (a reset: nothing listens), ETIMEDOUT (no answer) or another
 * errno (an ICMP error: host or network unreachable).
 */
int pg_tcp_connect_err(uint32_t addr, uint16_t port, int timeout_ms, int *why)
{
	struct sockaddr_in sa = pg_sa(addr, port);
	struct timeval tv = {.tv_sec = 3};
	struct pollfd p;
	int fd, err = 0;
	socklen_t el = sizeof(err);

	*why = 0;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		*why = errno;
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS) {
		*why = errno;
		goto fail;
	}
	p = (struct pollfd){.fd = fd, .events = POLLOUT};
	if (poll(&p, 1, timeout_ms) != 1) {
		*why = ETIMEDOUT;
		goto fail;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0 || err) {
		*why = err ? err : errno;
		goto fail;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
fail:
	close(fd);
	return -1;
}

/**
 * pg_read_icmp_err() - take one ICMP error off @fd's error queue.
 * Return: 1 with @e filled, 0 when the queue held no ICMP error.
 */
int pg_read_icmp_err(int fd, struct pg_icmp_err *e)
{
	uint8_t data[1600], ctl[512];
	struct iovec iov = {data, sizeof(data)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			    .msg_controllen = sizeof(ctl)};
	struct cmsghdr *c;

	if (recvmsg(fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
		return 0;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		struct sock_extended_err ee;
		struct sockaddr_in off;

		if (c->cmsg_level != IPPROTO_IP || c->cmsg_type != IP_RECVERR)
			continue;
		memcpy(&ee, CMSG_DATA(c), sizeof(ee));
		if (ee.ee_origin != SO_EE_ORIGIN_ICMP)
			continue;
		/* The offender's address follows the structure. */
		memcpy(&off, CMSG_DATA(c) + sizeof(ee), sizeof(off));
		e->type = ee.ee_type;
		e->code = ee.ee_code;
		e->info = ee.ee_info;
		e->offender = ntohl(off.sin_addr.s_addr);
		return 1;
	}
	return 0;
}

/*
 * The receive timeout bounds the whole read, not each recv(): a peer that
 * trickles a byte at a time cannot hold the caller for len timeouts.
 */
int pg_read_full(int fd, uint8_t *buf, size_t len)
{
	struct timeval tv = {0};
	socklen_t tl = sizeof(tv);
	long long end;
	size_t got = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, &tl) < 0 || (!tv.tv_sec && !tv.tv_usec))
		tv.tv_sec = 3;
	end = pg_now_ms() + (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
	while (got < len) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		long long left = end - pg_now_ms();
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return -1;
		n = recv(fd, buf + got, len - got, MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			return -1;
		if (n > 0)
			got += (size_t)n;
	}
	return 0;
}
