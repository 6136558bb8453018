/* SPDX-License-Identifier: MIT */
/*
 * dhcp6_lease.c - the delegation as a small text file, so that a restarted
 * daemon keeps its LAN prefix and confirms it with REBIND. The caller reads
 * and writes the file; this only turns a delegation into lines and back:
 *
 *   # passgated DHCPv6 delegation
 *   prefix 2001:db8:100::/56
 *   server 000100012f0f3a1e0a0000000001
 *   dns 2001:db8::53
 *   t1 1800
 *   t2 2880
 *   preferred 3600
 *   valid 7200
 *   obtained 1765000000
 *
 * As for the IPv4 lease (dhcp_lease.c), the file holds wall-clock seconds
 * and both clocks are passed in.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "wan/dhcp6.h"

int pg_dhcp6_lease_format(const struct pg_dhcp6_lease *l, uint64_t now, int64_t wall_s, char *buf,
			  size_t size)
{
	char a[INET6_ADDRSTRLEN];
	int64_t ago = now > l->start_ms ? (int64_t)((now - l->start_ms) / 1000) : 0;
	size_t n;
	int w;

	inet_ntop(AF_INET6, l->prefix, a, sizeof(a));
	w = snprintf(buf, size, "# passgated DHCPv6 delegation\nprefix %s/%u\nserver ", a, l->len);
	if (w < 0 || (size_t)w >= size)
		return -1;
	n = (size_t)w;
	for (uint8_t i = 0; i < l->server_id_len; i++) {
		if (size - n < 3)
			return -1;
		snprintf(buf + n, 3, "%02x", l->server_id[i]);
		n += 2;
	}
	w = snprintf(buf + n, size - n, "\ndns");
	if (w < 0 || (size_t)w >= size - n)
		return -1;
	n += (size_t)w;
	for (uint8_t i = 0; i < l->n_dns && i < PG_DHCP6_MAX_DNS; i++) {
		inet_ntop(AF_INET6, l->dns[i], a, sizeof(a));
		w = snprintf(buf + n, size - n, " %s", a);
		if (w < 0 || (size_t)w >= size - n)
			return -1;
		n += (size_t)w;
	}
	w = snprintf(buf + n, size - n, "\nt1 %u\nt2 %u\npreferred %u\nvalid %u\nobtained %lld\n",
		     l->t1_s, l->t2_s, l->preferred_s, l->valid_s, (long long)(wall_s - ago));
	if (w < 0 || (size_t)w >= size - n)
		return -1;
	return (int)(n + (size_t)w);
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

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int server_id(const char *s, struct pg_dhcp6_lease *l)
{
	size_t n = strlen(s);

	if (n < 6 || n % 2 || n / 2 > PG_DHCP6_MAX_DUID)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		l->server_id[i] = (uint8_t)(hi << 4 | lo);
	}
	l->server_id_len = (uint8_t)(n / 2);
	return 0;
}

static int prefix(char *s, struct pg_dhcp6_lease *l)
{
	char *slash = strchr(s, '/');
	unsigned long long len;

	if (!slash)
		return -1;
	*slash = '\0';
	if (inet_pton(AF_INET6, s, l->prefix) != 1 || num(slash + 1, 64, &len) || !len)
		return -1;
	l->len = (uint8_t)len;
	return 0;
}

/* Split a line into words in place; returns how many (max + 1 when there are more). */
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
	F_PREFIX = 1,
	F_SERVER = 2,
	F_T1 = 4,
	F_T2 = 8,
	F_PREF = 16,
	F_VALID = 32,
	F_OBT = 64,
	F_ALL = 127
};

int pg_dhcp6_lease_parse(const char *text, size_t len, uint64_t now, int64_t wall_s,
			 struct pg_dhcp6_lease *l, unsigned int *line)
{
	char buf[320];
	unsigned int seen = 0;
	unsigned long long obtained = 0;
	size_t pos = 0;
	int64_t ago_ms;

	memset(l, 0, sizeof(*l));
	*line = 0;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - (text + pos)) : len - pos;
		char *w[1 + PG_DHCP6_MAX_DNS];
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
		n = words(buf, w, 1 + PG_DHCP6_MAX_DNS);
		if (n == 0 || w[0][0] == '#')
			continue;
		if (n > 1 + PG_DHCP6_MAX_DNS)
			return -1;
		if (!strcmp(w[0], "dns")) {
			for (int i = 1; i < n; i++)
				if (inet_pton(AF_INET6, w[i], l->dns[i - 1]) != 1)
					return -1;
			l->n_dns = (uint8_t)(n - 1);
			continue;
		}
		if (n != 2)
			return -1;
		if (!strcmp(w[0], "prefix") && !prefix(w[1], l))
			flag = F_PREFIX;
		else if (!strcmp(w[0], "server") && !server_id(w[1], l))
			flag = F_SERVER;
		else if (!strcmp(w[0], "t1") && !num(w[1], 0xffffffffu, &v))
			flag = F_T1, l->t1_s = (uint32_t)v;
		else if (!strcmp(w[0], "t2") && !num(w[1], 0xffffffffu, &v))
			flag = F_T2, l->t2_s = (uint32_t)v;
		else if (!strcmp(w[0], "preferred") && !num(w[1], 0xffffffffu, &v))
			flag = F_PREF, l->preferred_s = (uint32_t)v;
		else if (!strcmp(w[0], "valid") && !num(w[1], 0xffffffffu, &v))
			flag = F_VALID, l->valid_s = (uint32_t)v;
		else if (!strcmp(w[0], "obtained") && !num(w[1], (1ull << 62), &obtained))
			flag = F_OBT;
		if (!flag || (seen & flag))
			return -1;
		seen |= flag;
	}
	*line = 0;
	/* A delegation the client could not have bound is not one to ask for again. */
	if (seen != F_ALL || !l->valid_s || l->preferred_s > l->valid_s || l->t1_s > l->t2_s)
		return -1;
	ago_ms = (wall_s - (int64_t)obtained) * 1000;
	if (ago_ms < 0)
		ago_ms = 0; /* the wall clock went back: count from now */
	if ((uint64_t)ago_ms <= now) {
		l->start_ms = now - (uint64_t)ago_ms;
	} else {
		/* Obtained before the monotonic clock's origin: shorten the times, never lengthen. */
		uint64_t cut = ((uint64_t)ago_ms - now + 999) / 1000;
		uint32_t *t[4] = { &l->t1_s, &l->t2_s, &l->preferred_s, &l->valid_s };

		l->start_ms = 0;
		for (int i = 0; i < 4; i++)
			if (*t[i] != PG_DHCP6_INFINITE)
				*t[i] = *t[i] > cut ? (uint32_t)(*t[i] - cut) : 0;
	}
	return 0;
}
