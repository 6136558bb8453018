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
#include "wan/lease_file.h"

int pg_dhcp6_lease_format(const struct pg_dhcp6_lease *l, uint64_t now, int64_t wall_s, char *buf,
			  size_t size)
{
	char a[INET6_ADDRSTRLEN];
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
		     l->t1_s, l->t2_s, l->preferred_s, l->valid_s, pg_lease_obtained(l->start_ms, now, wall_s));
	if (w < 0 || (size_t)w >= size - n)
		return -1;
	return (int)(n + (size_t)w);
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
	if (inet_pton(AF_INET6, s, l->prefix) != 1 || pg_lease_num(slash + 1, 64, &len) || !len)
		return -1;
	l->len = (uint8_t)len;
	return 0;
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

/* One "key value..." line into l; -1 for an unknown, repeated or bad one. */
static int field(char **w, int n, struct pg_dhcp6_lease *l, unsigned int *seen,
		 unsigned long long *obtained)
{
	unsigned long long v;
	unsigned int flag = 0;

	if (!strcmp(w[0], "dns")) {
		for (int i = 1; i < n; i++)
			if (inet_pton(AF_INET6, w[i], l->dns[i - 1]) != 1)
				return -1;
		l->n_dns = (uint8_t)(n - 1);
		return 0;
	}
	if (n != 2)
		return -1;
	if (!strcmp(w[0], "prefix") && !prefix(w[1], l))
		flag = F_PREFIX;
	else if (!strcmp(w[0], "server") && !server_id(w[1], l))
		flag = F_SERVER;
	else if (!strcmp(w[0], "t1") && !pg_lease_num(w[1], 0xffffffffu, &v))
		flag = F_T1, l->t1_s = (uint32_t)v;
	else if (!strcmp(w[0], "t2") && !pg_lease_num(w[1], 0xffffffffu, &v))
		flag = F_T2, l->t2_s = (uint32_t)v;
	else if (!strcmp(w[0], "preferred") && !pg_lease_num(w[1], 0xffffffffu, &v))
		flag = F_PREF, l->preferred_s = (uint32_t)v;
	else if (!strcmp(w[0], "valid") && !pg_lease_num(w[1], 0xffffffffu, &v))
		flag = F_VALID, l->valid_s = (uint32_t)v;
	else if (!strcmp(w[0], "obtained") && !pg_lease_num(w[1], (1ull << 62), obtained))
		flag = F_OBT;
	if (!flag || (*seen & flag))
		return -1;
	*seen |= flag;
	return 0;
}

int pg_dhcp6_lease_parse(const char *text, size_t len, uint64_t now, int64_t wall_s,
			 struct pg_dhcp6_lease *l, unsigned int *line)
{
	struct pg_lease_reader r;
	unsigned int seen = 0;
	unsigned long long obtained = 0;
	char *w[1 + PG_DHCP6_MAX_DNS];
	int n;

	memset(l, 0, sizeof(*l));
	pg_lease_reader_init(&r, text, len);
	while ((n = pg_lease_next(&r, w, 1 + PG_DHCP6_MAX_DNS)) > 0)
		if (field(w, n, l, &seen, &obtained)) {
			n = -1;
			break;
		}
	*line = r.line;
	if (n)
		return -1;
	*line = 0;
	/* A delegation the client could not have bound is not one to ask for again. */
	if (seen != F_ALL || !l->valid_s || l->preferred_s > l->valid_s || l->t1_s > l->t2_s)
		return -1;
	l->start_ms = pg_lease_start(
		wall_s, obtained, now,
		(uint32_t *const[]){ &l->t1_s, &l->t2_s, &l->preferred_s, &l->valid_s }, 4,
		PG_DHCP6_INFINITE);
	return 0;
}
