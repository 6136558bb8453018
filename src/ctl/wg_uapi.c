/* SPDX-License-Identifier: MIT */
/*
 * wg_uapi.c - read the WireGuard tunnel's state (wg_uapi.h).
 *
 * The userspace API answers "get=1" with lines "key=value" and ends with
 * "errno=N" and an empty line. Peers start at public_key=; we keep only
 * what the status needs (newest handshake, bytes), sum over the peers, and
 * refuse anything that does not look like such an answer rather than guess.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl/wg_uapi.h"

#define LINE_MAX_LEN 4096

/* A decimal number of at most 20 digits that fits in uint64_t. */
static int parse_u64(const char *s, size_t n, uint64_t *v)
{
	uint64_t x = 0;

	if (n == 0 || n > 20)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (x > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return -1;
		x = x * 10 + (uint64_t)(s[i] - '0');
	}
	*v = x;
	return 0;
}

static bool key_is(const char *k, size_t kn, const char *name)
{
	return strlen(name) == kn && !memcmp(k, name, kn);
}

int pg_wg_uapi_parse(const char *buf, size_t len, struct pg_wg_stats *out)
{
	bool have_errno = false;
	size_t off = 0;

	memset(out, 0, sizeof(*out));
	while (off < len) {
		const char *line = buf + off, *nl = memchr(line, '\n', len - off), *eq;
		size_t n = nl ? (size_t)(nl - line) : len - off;
		uint64_t v;

		off += n + (nl ? 1 : 0);
		if (n == 0)
			break; /* the blank line ends the answer */
		if (n > LINE_MAX_LEN)
			return -1; /* no key or value of the protocol is this long */
		eq = memchr(line, '=', n);
		if (!eq || eq == line)
			return -1;
		{
			size_t kn = (size_t)(eq - line), vn = n - kn - 1;
			const char *val = eq + 1;

			if (key_is(line, kn, "public_key")) {
				out->peers++;
			} else if (key_is(line, kn, "last_handshake_time_sec")) {
				if (parse_u64(val, vn, &v) || v > INT64_MAX)
					return -1;
				if ((int64_t)v > out->last_handshake_s)
					out->last_handshake_s = (int64_t)v;
			} else if (key_is(line, kn, "rx_bytes") || key_is(line, kn, "tx_bytes")) {
				uint64_t *sum = line[0] == 'r' ? &out->rx_bytes : &out->tx_bytes;

				if (parse_u64(val, vn, &v))
					return -1;
				*sum += v;
			} else if (key_is(line, kn, "errno")) {
				if (parse_u64(val, vn, &v) || v > 4095)
					return -1;
				out->err = (int)v;
				have_errno = true;
			}
			/* Other keys (keys, endpoint, allowed_ip, ...) are not ours to read. */
		}
	}
	return have_errno ? 0 : -1;
}

int pg_wg_uapi_get(const char *dir, const char *dev, struct pg_wg_stats *out)
{
	static char answer[PG_WG_ANSWER_MAX];
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	static const char req[] = "get=1\n\n";
	size_t got = 0;
	int fd, r = 0;

	if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s.sock", dir, dev) >=
	    sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    write(fd, req, sizeof(req) - 1) != (ssize_t)(sizeof(req) - 1)) {
		r = -errno;
		goto out;
	}
	/* The answer ends with an empty line; 500 ms is ages for a local daemon. */
	while (got < sizeof(answer)) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t n;

		if (poll(&p, 1, 500) <= 0) {
			r = -ETIMEDOUT;
			goto out;
		}
		n = read(fd, answer + got, sizeof(answer) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
		if (got >= 2 && answer[got - 1] == '\n' && answer[got - 2] == '\n')
			break;
	}
	if (pg_wg_uapi_parse(answer, got, out))
		r = -EPROTO;
	else if (out->err)
		r = -out->err;
out:
	close(fd);
	return r;
}

size_t pg_wg_probe_query(uint8_t *buf, size_t cap, uint16_t id)
{
	/* id, RD, one question: the root (one zero byte), type NS (2), class IN (1). */
	const uint8_t q[17] = {(uint8_t)(id >> 8), (uint8_t)id, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
			       0, 0, 2, 0, 1};

	if (cap < sizeof(q))
		return 0;
	memcpy(buf, q, sizeof(q));
	return sizeof(q);
}

bool pg_wg_probe_answer(const uint8_t *buf, size_t len, uint16_t id)
{
	/* A DNS header is 12 bytes; shorter is not an answer of any kind. */
	if (len < 12)
		return false;
	return buf[0] == (uint8_t)(id >> 8) && buf[1] == (uint8_t)id && (buf[2] & 0x80);
}
