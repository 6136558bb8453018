/* SPDX-License-Identifier: MIT */
/*
 * api_client.c - HTTP/1.0 over one TCP connection, for passgatectl.
 *
 * HTTP/1.0 with "Connection: close" keeps the reply simple: the server
 * sends the body and closes, never chunked, so the body is everything
 * after the blank line. Only http://ADDRESS[:PORT] URLs are understood; the
 * API is meant for a management address, and a host name would need a
 * resolver for no gain here. "unix:PATH" reaches the daemon's control
 * socket instead, the same HTTP on a unix stream socket.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cli/api_client.h"
#include "conf/config.h"

#define REPLY_MAX (64u << 20) /* a reply larger than this is refused */

/* "unix:/path" into sun; 0 or -1. */
static int parse_unix(const char *url, struct sockaddr_un *sun, socklen_t *len)
{
	const char *path = url + 5;

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (!*path || strlen(path) >= sizeof(sun->sun_path))
		return -1;
	memcpy(sun->sun_path, path, strlen(path) + 1);
	*len = (socklen_t)sizeof(*sun);
	return 0;
}

static int parse_url(const char *url, struct sockaddr_in *sin, char *host, size_t hostlen)
{
	char buf[64];
	const char *p, *end;
	uint32_t port = 80, addr;
	size_t n;

	if (strncmp(url, "http://", 7))
		return -1;
	p = url + 7;
	end = p + strcspn(p, "/");
	n = (size_t)(end - p);
	if (n == 0 || n >= sizeof(buf) || (*end && strcmp(end, "/")))
		return -1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	snprintf(host, hostlen, "%s", buf);
	if (strchr(buf, ':')) {
		char *c = strchr(buf, ':');

		*c = '\0';
		if (pg_config_parse_u32(c + 1, &port) || port == 0 || port > 65535)
			return -1;
	}
	if (!strcmp(buf, "localhost"))
		snprintf(buf, sizeof(buf), "127.0.0.1");
	if (pg_config_parse_addr(buf, &addr))
		return -1;
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = addr;
	sin->sin_port = htons((uint16_t)port);
	return 0;
}

static long ms_left(const struct timespec *t0, int timeout_ms)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return timeout_ms - ((now.tv_sec - t0->tv_sec) * 1000 + (now.tv_nsec - t0->tv_nsec) / 1000000);
}

/* Wait for fd to be ready for events; false on timeout. */
static bool wait_fd(int fd, short events, const struct timespec *t0, int timeout_ms)
{
	struct pollfd p = {.fd = fd, .events = events};
	long left = ms_left(t0, timeout_ms);

	return left > 0 && poll(&p, 1, (int)left) == 1;
}

int pg_http_request(const char *url_base, const char *method, const char *path, const char *token,
		    const char *body, int timeout_ms, struct pg_http_reply *reply)
{
	union {
		struct sockaddr sa;
		struct sockaddr_in sin;
		struct sockaddr_un sun;
	} to;
	socklen_t tolen = sizeof(to.sin);
	struct timespec t0;
	char host[64] = "localhost", *req = NULL, *nl;
	size_t cap = 65536, sent = 0, rlen;
	int fd = -1, n;

	memset(reply, 0, sizeof(*reply));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!strncmp(url_base, "unix:", 5)) {
		if (parse_unix(url_base, &to.sun, &tolen)) {
			snprintf(reply->err, sizeof(reply->err),
				 "%s: expected unix:PATH with a path of at most %zu bytes", url_base,
				 sizeof(to.sun.sun_path) - 1);
			return -1;
		}
	} else if (parse_url(url_base, &to.sin, host, sizeof(host))) {
		snprintf(reply->err, sizeof(reply->err),
			 "%s: expected http://ADDRESS[:PORT], such as http://127.0.0.1:8080",
			 url_base);
		return -1;
	}
	n = asprintf(&req,
		     "%s %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\nAccept: application/json\r\n"
		     "%s%s%s%s%zu\r\n\r\n%s",
		     method, path, host, token ? "Authorization: Bearer " : "", token ? token : "",
		     token ? "\r\n" : "",
		     body ? "Content-Type: application/json\r\nContent-Length: " : "Content-Length: ",
		     body ? strlen(body) : 0, body ? body : "");
	if (n < 0) {
		snprintf(reply->err, sizeof(reply->err), "out of memory");
		return -1;
	}
	rlen = (size_t)n;
	fd = socket(to.sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		goto fail_errno;
	if (connect(fd, &to.sa, tolen) && errno != EINPROGRESS)
		goto fail_errno;
	if (!wait_fd(fd, POLLOUT, &t0, timeout_ms))
		goto fail_timeout;
	{
		int soerr = 0;
		socklen_t sl = sizeof(soerr);

		getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
		if (soerr) {
			errno = soerr;
			goto fail_errno;
		}
	}
	while (sent < rlen) {
		ssize_t k = send(fd, req + sent, rlen - sent, MSG_NOSIGNAL);

		if (k < 0 && errno == EAGAIN) {
			if (!wait_fd(fd, POLLOUT, &t0, timeout_ms))
				goto fail_timeout;
			continue;
		}
		if (k < 0)
			goto fail_errno;
		sent += (size_t)k;
	}
	reply->body = malloc(cap);
	if (!reply->body)
		goto fail_errno;
	for (;;) {
		ssize_t k;

		if (reply->len + 1 == cap) {
			char *b = cap < REPLY_MAX ? realloc(reply->body, cap * 2) : NULL;

			if (!b) {
				snprintf(reply->err, sizeof(reply->err), "reply too large");
				goto fail;
			}
			reply->body = b;
			cap *= 2;
		}
		k = recv(fd, reply->body + reply->len, cap - 1 - reply->len, 0);
		if (k < 0 && errno == EAGAIN) {
			if (!wait_fd(fd, POLLIN, &t0, timeout_ms))
				goto fail_timeout;
			continue;
		}
		if (k < 0)
			goto fail_errno;
		if (k == 0)
			break;
		reply->len += (size_t)k;
	}
	reply->body[reply->len] = '\0';
	close(fd);
	free(req);
	/* "HTTP/1.x NNN reason\r\n" ... "\r\n\r\n" body */
	if (sscanf(reply->body, "HTTP/%*d.%*d %d", &reply->status) != 1 ||
	    !(nl = strstr(reply->body, "\r\n\r\n"))) {
		snprintf(reply->err, sizeof(reply->err), "%s: not an HTTP answer", url_base);
		pg_http_reply_free(reply);
		return -1;
	}
	nl += 4;
	reply->len -= (size_t)(nl - reply->body);
	memmove(reply->body, nl, reply->len + 1);
	return 0;

fail_timeout:
	snprintf(reply->err, sizeof(reply->err), "%s: no answer within %d ms", url_base,
		 timeout_ms);
	goto fail;
fail_errno:
	snprintf(reply->err, sizeof(reply->err), "%s: %s", url_base, strerror(errno));
fail:
	if (fd >= 0)
		close(fd);
	free(req);
	free(reply->body);
	reply->body = NULL;
	reply->len = 0;
	return -1;
}

void pg_http_reply_free(struct pg_http_reply *reply)
{
	free(reply->body);
	reply->body = NULL;
	reply->len = 0;
}
