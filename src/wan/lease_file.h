/* SPDX-License-Identifier: MIT */
/*
 * lease_file.h - what the DHCP lease file and the DHCPv6 delegation file
 * share: their "key value..." line reader, decimal numbers, and turning the
 * wall-clock second a lease was obtained into the client's monotonic clock.
 * Each file keeps its own keys and the rules for what makes a lease whole.
 */
#ifndef PG_WAN_LEASE_FILE_H
#define PG_WAN_LEASE_FILE_H

#include <stddef.h>
#include <stdint.h>

/* A line longer than this makes the file unreadable. */
#define PG_LEASE_LINE_MAX 320

struct pg_lease_reader {
	const char *text;
	size_t len;
	size_t pos;
	unsigned int line; /* the line last read, 1-based, for the error */
	char buf[PG_LEASE_LINE_MAX];
};

void pg_lease_reader_init(struct pg_lease_reader *r, const char *text, size_t len);

/*
 * The next line that is neither blank nor a comment, split into at most max
 * words (pointers into r->buf). Returns how many, 0 at the end, -1 for a
 * line too long, holding a NUL, or with more than max words.
 */
int pg_lease_next(struct pg_lease_reader *r, char **w, int max);

/* A decimal number no larger than max: 0, or -1 for anything else. */
int pg_lease_num(const char *s, unsigned long long max, unsigned long long *out);

/*
 * Where on the monotonic clock (now, ms) a lease obtained at wall-clock
 * second obtained starts, wall_s being the wall clock now. A lease from
 * before the monotonic clock's origin (the host rebooted) starts at the
 * origin with each of the n times shortened by the difference, rounded up
 * so a lease never grows; a time equal to infinite stays.
 */
uint64_t pg_lease_start(int64_t wall_s, unsigned long long obtained, uint64_t now,
			uint32_t *const *times, int n, uint32_t infinite);

/* The wall-clock second a lease that started at start_ms was obtained. */
long long pg_lease_obtained(uint64_t start_ms, uint64_t now, int64_t wall_s);

#endif
