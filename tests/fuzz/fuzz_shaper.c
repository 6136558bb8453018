/* SPDX-License-Identifier: MIT */
/*
 * fuzz_shaper.c - the WAN shaper (src/engine/shaper.c) on arbitrary packets
 * and arbitrary sequences of enqueues, time steps and dequeues: it parses
 * headers to hash flows and rewrites the ECN bits, so any bytes must be
 * safe, and its bookkeeping must hold whatever the order.
 *
 * Input: a list of records [op][host][len hi][len lo][time step][bytes...].
 * op & 3: 0 and 1 enqueue the next len bytes (as host host), 2 dequeue
 * whatever is due, 3 advance time by step ms. A small queue limit makes
 * overflow drops frequent. Invariants checked after every step: backlog
 * within the limit, a released packet's length as enqueued bounds, the
 * next release time never in the past while packets wait unreleased.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/shaper.h"

#define LIMIT 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_shaper: %s\n", what);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pg_shaper_config c = {
		.rate_bps = 1000000,
		.limit = LIMIT,
		.flows = 16,
		.hosts = 4,
		.max_packet = 1500,
		.hash_key = { 1, 2 },
	};
	struct pg_shaper *s;
	uint64_t now = 1000000000ULL;
	size_t i = 0;

	if (size < 5)
		return 0;
	c.rate_bps = 64000 + (uint64_t)data[0] * 4000000;
	c.no_ecn = data[1] & 1;
	s = pg_shaper_create(&c);
	check(s != NULL, "create failed");
	i = 2;
	while (i + 5 <= size) {
		uint8_t op = data[i] & 3, host = data[i + 1];
		uint32_t len = (uint32_t)data[i + 2] << 8 | data[i + 3];
		uint8_t step = data[i + 4];
		struct pg_shaper_pkt *p;

		i += 5;
		switch (op) {
		case 0:
		case 1:
			len %= 1600;
			if (len > size - i)
				len = (uint32_t)(size - i);
			pg_shaper_enqueue(s, data + i, len, host, len, now);
			i += len;
			break;
		case 2:
			while ((p = pg_shaper_dequeue(s, now))) {
				check(p->len <= 1500 && p->len > 0, "released length out of range");
				check(p->next_hop == p->len, "next hop not the one enqueued");
			}
			check(!pg_shaper_backlog(s) || pg_shaper_next_ns(s) > now,
			      "a due packet was not released");
			break;
		default:
			now += (uint64_t)step * 1000000;
			break;
		}
		check(pg_shaper_backlog(s) <= LIMIT, "backlog above the limit");
	}
	/* Drain: everything left leaves or is dropped, and the queue ends empty. */
	for (int k = 0; k < 100000 && pg_shaper_backlog(s); k++) {
		if (!pg_shaper_dequeue(s, now))
			now = pg_shaper_next_ns(s);
	}
	check(pg_shaper_backlog(s) == 0, "the queue did not drain");
	pg_shaper_destroy(s);
	return 0;
}
