/* SPDX-License-Identifier: MIT */
/*
 * dhcp_lease.c - the lease as a small text file, so that a restarted daemon
 * asks for the address it had (INIT-REBOOT). The caller reads and writes the
 * file; this only turns a lease into lines and back:
 *
 *   # passgated DHCP lease
 *   address 203.0.113.10
 *   mask 255.255.255.0
 *   router 203.0.113.1
 *   server 203.0.113.1
 *   dns 203.0.113.1 198.51.100.53
 *   lease 3600
 *   t1 1800
 *   t2 3150
 *   obtained 1765000000
 *
 * The monotonic clock the client runs on starts again at boot, so the file
 * holds wall-clock seconds and both clocks are passed in.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "wan/dhcp.h"

int pg_dhcp_lease_format(const struct pg_dhcp_lease *l, uint64_t now, int64_t wall_s, char *buf,
			 size_t size)
{
	char a[4][INET_ADDRSTRLEN];
	const uint32_t *v[4] = { &l->addr, &l->mask, &l->router, &l->server };
	int64_t ago = now > l->start_ms ? (int64_t)((now - l->start_ms) / 1000) : 0;
	size_t n;
	int w;

	for (int i = 0; i < 4; i++)
		inet_ntop(AF_INET, v[i], a[i], sizeof(a[i]));
	w = snprintf(buf, size,
		     "# passgated DHCP lease\naddress %s\nmask %s\nrouter %s\nserver %s\ndns", a[0],
		     a[1], a[2], a[3]);
	if (w < 0 || (size_t)w >= size)
		return -1;
	n = (size_t)w;
	for (uint8_t i = 0; i < l->n_dns && i < PG_DHCP_MAX_DNS; i++) {
		char d[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &l->dns[i], d, sizeof(d));
		w = snprintf(buf + n, size - n, " %s", d);
		if (w < 0 || (size_t)w >= size - n)
			return -1;
		n += (size_t)w;
	}
	w = snprintf(buf + n, size - n, "\nlease %u\nt1 %u\nt2 %u\nobtained %lld\n", l->lease_s,
		     l->t1_s, l->t2_s, (long long)(wall_s - ago));
	if (w < 0 || (size_t)w >= size - n)
		return -1;
	return (int)(n + (size_t)w);
}

static int addr(const char *s, uint32_t *out)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return -1;
	*out = a.s_addr;
	return 0;
}

static int num(const char *s, unsigned long long max, unsigned long long *out)
{
	unsigned long long v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned long long)(*s - '0');
		if (v > max)
			return -1;
	}
	*out = v;
	return 0;
}

/* Split a line into words in place; returns how many (at most max). */
static int words(char *line, char **w, int max)
{
	int n = 0;
	char *p = line;

	while (*p) {
		while (*p == ' ' || *p == '\t')
			*p++ = '\0';
		if (!*p)
			break;
		if (n == max)
			return max + 1;
		w[n++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
	return n;
}

enum {
	F_ADDR = 1,
	F_MASK = 2,
	F_ROUTER = 4,
	F_SERVER = 8,
	F_LEASE = 16,
	F_T1 = 32,
	F_T2 = 64,
	F_OBT = 128,
	F_ALL = 255
};

int pg_dhcp_lease_parse(const char *text, size_t len, uint64_t now, int64_t wall_s,
			struct pg_dhcp_lease *l, unsigned int *line)
{
	char buf[256];
	unsigned int seen = 0;
	unsigned long long obtained = 0;
	size_t pos = 0;
	int64_t ago_ms;

	memset(l, 0, sizeof(*l));
	*line = 0;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - (text + pos)) : len - pos;
		char *w[2 + PG_DHCP_MAX_DNS];
		unsigned long long v;
		unsigned int flag = 0;
		int n;

		++*line;
		if (ll >= sizeof(buf))
			return -1;
		memcpy(buf, text + pos, ll);
		buf[ll] = '\0';
		pos += ll + 1;
		if (memchr(buf, '\0', ll))
			return -1;
		n = words(buf, w, 1 + PG_DHCP_MAX_DNS);
		if (n == 0 || w[0][0] == '#')
			continue;
		if (n > 1 + PG_DHCP_MAX_DNS)
			return -1;
		if (!strcmp(w[0], "dns")) {
			for (int i = 1; i < n; i++)
				if (addr(w[i], &l->dns[i - 1]))
					return -1;
			l->n_dns = (uint8_t)(n - 1);
			continue;
		}
		if (n != 2)
			return -1;
		if (!strcmp(w[0], "address") && !addr(w[1], &l->addr))
			flag = F_ADDR;
		else if (!strcmp(w[0], "mask") && !addr(w[1], &l->mask))
			flag = F_MASK;
		else if (!strcmp(w[0], "router") && !addr(w[1], &l->router))
			flag = F_ROUTER;
		else if (!strcmp(w[0], "server") && !addr(w[1], &l->server))
			flag = F_SERVER;
		else if (!strcmp(w[0], "lease") && !num(w[1], 0xffffffffu, &v))
			flag = F_LEASE, l->lease_s = (uint32_t)v;
		else if (!strcmp(w[0], "t1") && !num(w[1], 0xffffffffu, &v))
			flag = F_T1, l->t1_s = (uint32_t)v;
		else if (!strcmp(w[0], "t2") && !num(w[1], 0xffffffffu, &v))
			flag = F_T2, l->t2_s = (uint32_t)v;
		else if (!strcmp(w[0], "obtained") && !num(w[1], (1ull << 62), &obtained))
			flag = F_OBT;
		if (!flag || (seen & flag))
			return -1;
		seen |= flag;
	}
	*line = 0;
	/* A lease the client could not have bound is not one to ask for again. */
	if (seen != F_ALL || !l->addr || pg_dhcp_mask_len(l->mask) < 1 ||
	    (l->lease_s != PG_DHCP_INFINITE && !(l->t1_s <= l->t2_s && l->t2_s <= l->lease_s)))
		return -1;
	ago_ms = (wall_s - (int64_t)obtained) * 1000;
	if (ago_ms < 0)
		ago_ms = 0; /* the wall clock went back: count from now */
	if ((uint64_t)ago_ms <= now) {
		l->start_ms = now - (uint64_t)ago_ms;
	} else {
		/*
		 * Obtained before the monotonic clock's origin (the host
		 * rebooted): start at the origin with the times shortened by
		 * the difference, rounded up so the lease never grows.
		 */
		uint64_t cut = ((uint64_t)ago_ms - now + 999) / 1000;
		uint32_t *t[3] = { &l->t1_s, &l->t2_s, &l->lease_s };

		l->start_ms = 0;
		if (l->lease_s != PG_DHCP_INFINITE)
			for (int i = 0; i < 3; i++)
				*t[i] = *t[i] > cut ? (uint32_t)(*t[i] - cut) : 0;
	}
	return 0;
}
