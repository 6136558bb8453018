/* SPDX-License-Identifier: MIT */
/*
 * fuzz_rxq.c - the light-first receive queue (src/dp/rxq.c) on arbitrary
 * frames and arbitrary sequences of receives, passes and time steps: it
 * reads Ethernet, IPv4 and IPv6 headers to hash flows, so any bytes of any
 * length must be safe, and its bookkeeping must hold whatever the order.
 *
 * Input: a list of records [op][len hi][len lo][time step][bytes...].
 * op % 4: 0 and 1 receive a frame of the next len bytes, 2 take a pass
 * (up to 64 frames), 3 advance time by step ms. Checked after every step:
 * the backlog within the queue's size; every frame received is forwarded,
 * dropped with a counter, or still waiting; a forwarded frame's length is
 * one that was received.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dp/rxq.h"

#define OUT 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t out_bufs[OUT][PG_FRAME_SIZE];

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_rxq: %s\n", what);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pg_rxq *q = pg_rxq_create(size < 1 ? 1 : data[0]);
	struct pg_rx_frame out[OUT], *f;
	uint64_t now = 1000000000ULL, in = 0, fwd = 0;
	size_t i = 1;

	check(q != NULL, "create failed");
	for (unsigned int k = 0; k < OUT; k++)
		out[k].buf = out_bufs[k];
	while (i + 4 <= size) {
		uint8_t op = data[i] % 4, step = data[i + 3];
		uint32_t len = ((uint32_t)data[i + 1] << 8 | data[i + 2]) % (PG_FRAME_MAX + 1);
		unsigned int n, room;

		i += 4;
		switch (op) {
		case 0:
		case 1:
			if (len > size - i)
				len = (uint32_t)(size - i);
			room = pg_rxq_room(q, &f);
			check(room > 0, "no room");
			memcpy(f[0].buf + PG_FRAME_ETH_OFF, data + i, len);
			f[0].len = len;
			f[0].flags = 0;
			/* Also repeat it: a frame becomes a bulk flow only in numbers. */
			n = op == 1 && room > 8 ? 8 : 1;
			for (unsigned int k = 1; k < n; k++) {
				memcpy(f[k].buf + PG_FRAME_ETH_OFF, data + i, len);
				f[k].len = len;
				f[k].flags = 0;
			}
			pg_rxq_push(q, n, now);
			in += n;
			i += len;
			break;
		case 2:
			n = pg_rxq_pop(q, out, OUT, now);
			check(n <= OUT, "more frames than asked for");
			for (unsigned int k = 0; k < n; k++)
				check(out[k].len <= PG_FRAME_MAX && out[k].len <= size,
				      "forwarded length never received");
			fwd += n;
			break;
		default:
			now += (uint64_t)step * 1000000;
			break;
		}
		check(pg_rxq_backlog(q) <= PG_RXQ_FRAMES, "backlog above the queue's size");
		check(in == fwd + pg_rxq_backlog(q) + pg_rxq_count(q, PG_RXQ_CNT_DROP_CODEL) +
				    pg_rxq_count(q, PG_RXQ_CNT_DROP_FULL),
		      "a frame went missing");
	}
	/* Drain: everything left is forwarded or dropped. */
	for (int k = 0; k < 100 && pg_rxq_backlog(q); k++)
		fwd += pg_rxq_pop(q, out, OUT, now);
	check(pg_rxq_backlog(q) == 0, "the queue did not drain");
	pg_rxq_destroy(q);
	return 0;
}
