/* SPDX-License-Identifier: MIT */
/*
 * lease_file.c - the line reader and clock arithmetic both lease files use
 * (dhcp_lease.c, dhcp6_lease.c). The files are the daemon's own but sit on
 * disk between runs, so they are read as untrusted text.
 */
#include <string.h>

#include "wan/lease_file.h"

void pg_lease_reader_init(struct pg_lease_reader *r, const char *text, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->text = text;
	r->len = len;
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

int pg_lease_next(struct pg_lease_reader *r, char **w, int max)
{
	while (r->pos < r->len) {
		const char *start = r->text + r->pos;
		const char *nl = memchr(start, '\n', r->len - r->pos);
		size_t ll = nl ? (size_t)(nl - start) : r->len - r->pos;
		int n;

		r->line++;
		if (ll >= sizeof(r->buf) || memchr(start, '\0', ll))
			return -1;
		memcpy(r->buf, start, ll);
		r->buf[ll] = '\0';
		r->pos += ll + 1;
		n = words(r->buf, w, max);
		if (n > max)
			return -1;
		if (n > 0 && w[0][0] != '#')
			return n;
	}
	return 0;
}

int pg_lease_num(const char *s, unsigned long long max, unsigned long long *out)
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

uint64_t pg_lease_start(int64_t wall_s, unsigned long long obtained, uint64_t now,
			uint32_t *const *times, int n, uint32_t infinite)
{
	uint64_t ago_ms = 0, cut;

	/* A wall clock that went back counts from now. */
	if ((long long)obtained < (long long)wall_s)
		ago_ms = (uint64_t)(wall_s - (int64_t)obtained) * 1000;
	if (ago_ms <= now)
		return now - ago_ms;
	cut = (ago_ms - now + 999) / 1000;
	for (int i = 0; i < n; i++)
		if (*times[i] != infinite)
			*times[i] = *times[i] > cut ? (uint32_t)(*times[i] - cut) : 0;
	return 0;
}

long long pg_lease_obtained(uint64_t start_ms, uint64_t now, int64_t wall_s)
{
	int64_t ago = now > start_ms ? (int64_t)((now - start_ms) / 1000) : 0;

	return (long long)(wall_s - ago);
}
