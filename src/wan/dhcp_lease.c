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
#include "wan/lease_file.h"

int pg_dhcp_lease_format(const struct pg_dhcp_lease *l, uint64_t now, int64_t wall_s, char *buf,
			 size_t size)
{
	char a[4][INET_ADDRSTRLEN];
	const uint32_t *v[4] = { &l->addr, &l->mask, &l->router, &l->server };
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
		     l->t1_s, l->t2_s, pg_lease_obtained(l->start_ms, now, wall_s));
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

/* One "key value..." line into l; -1 for an unknown, repeated or bad one. */
static int field(char **w, int n, struct pg_dhcp_lease *l, unsigned int *seen,
		 unsigned long long *obtained)
{
	unsigned long long v;
	unsigned int flag = 0;

	if (!strcmp(w[0], "dns")) {
		for (int i = 1; i < n; i++)
			if (addr(w[i], &l->dns[i - 1]))
				return -1;
		l->n_dns = (uint8_t)(n - 1);
		return 0;
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
	else if (!strcmp(w[0], "lease") && !pg_lease_num(w[1], 0xffffffffu, &v))
		flag = F_LEASE, l->lease_s = (uint32_t)v;
	else if (!strcmp(w[0], "t1") && !pg_lease_num(w[1], 0xffffffffu, &v))
		flag = F_T1, l->t1_s = (uint32_t)v;
	else if (!strcmp(w[0], "t2") && !pg_lease_num(w[1], 0xffffffffu, &v))
		flag = F_T2, l->t2_s = (uint32_t)v;
	else if (!strcmp(w[0], "obtained") && !pg_lease_num(w[1], (1ull << 62), obtained))
		flag = F_OBT;
	if (!flag || (*seen & flag))
		return -1;
	*seen |= flag;
	return 0;
}

int pg_dhcp_lease_parse(const char *text, size_t len, uint64_t now, int64_t wall_s,
			struct pg_dhcp_lease *l, unsigned int *line)
{
	struct pg_lease_reader r;
	unsigned int seen = 0;
	unsigned long long obtained = 0;
	char *w[1 + PG_DHCP_MAX_DNS];
	int n;

	memset(l, 0, sizeof(*l));
	pg_lease_reader_init(&r, text, len);
	while ((n = pg_lease_next(&r, w, 1 + PG_DHCP_MAX_DNS)) > 0)
		if (field(w, n, l, &seen, &obtained)) {
			n = -1;
			break;
		}
	*line = r.line;
	if (n)
		return -1;
	*line = 0;
	/* A lease the client could not have bound is not one to ask for again. */
	if (seen != F_ALL || !l->addr || pg_dhcp_mask_len(l->mask) < 1 ||
	    (l->lease_s != PG_DHCP_INFINITE && !(l->t1_s <= l->t2_s && l->t2_s <= l->lease_s)))
		return -1;
	if (l->lease_s == PG_DHCP_INFINITE)
		l->start_ms = pg_lease_start(wall_s, obtained, now, NULL, 0, PG_DHCP_INFINITE);
	else
		l->start_ms = pg_lease_start(wall_s, obtained, now,
					     (uint32_t *const[]){ &l->t1_s, &l->t2_s, &l->lease_s },
					     3, PG_DHCP_INFINITE);
	return 0;
}
