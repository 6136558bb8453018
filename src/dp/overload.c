/* SPDX-License-Identifier: MIT */
/*
 * overload.c - fair early drop when passgated cannot keep up (overload.h).
 *
 * DOC: Theory of operation
 *
 * Linux forwards in the softirq of the sender's transmit, so a sender
 * faster than the router is slowed down before any queue builds. passgated
 * runs after the kernel has copied the frame into our receive ring: nothing
 * slows the sender down, the ring fills, and the kernel drops at its tail,
 * whatever the frame: a VPN call's packet as likely as an upload's. A
 * shorter ring shortens the queue but drops more of the call.
 *
 * So the data path drops first, and only from the flows that fill the
 * ring: after each burst it knows how many frames still wait in the ring
 * (the backlog). While the backlog stays above PG_OVERLOAD_HIGH frames the
 * drop rate rises each pass by PG_OVERLOAD_STEP / 4096; below
 * PG_OVERLOAD_LOW it falls the same way (a proportional controller on the
 * queue, as PIE, RFC 8033, runs on delay), to at most PG_OVERLOAD_MAX_P:
 * TCP needs a few losses to slow down, not most of its frames. The rate applies only to frames
 * of heavy flows: those with PG_OVERLOAD_HEAVY or more frames in this burst
 * of up to 64 (a 10 ms ping or a VoIP stream never has; bulk TCP has
 * dozens). A dropped frame costs a copy, not the engine and the transmit,
 * so dropping also frees the time the backlog needs to drain, and the bulk
 * senders see losses and slow down. Frames that are not IPv4 (ARP) are
 * never dropped here.
 */
#include <string.h>

#include "dp/overload.h"

#define SLOTS 64 /* a burst's flows; more distinct flows share slots */
#define P_ONE 4096u

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* A small hash of the frame's IPv4 flow, or 0 for frames that are never dropped. */
static uint32_t flow_of(const struct pg_rx_frame *f)
{
	const uint8_t *e = f->buf + PG_FRAME_ETH_OFF, *ip = e + 14;
	uint32_t h, hl;

	/* Ethernet, IPv4 without VLAN, a whole header: anything else is kept. */
	if (f->len < 14 + 20 || e[12] != 0x08 || e[13] != 0x00 || (ip[0] >> 4) != 4)
		return 0;
	hl = (uint32_t)(ip[0] & 0x0f) * 4;
	h = rd32(ip + 12) * 0x9e3779b1u ^ rd32(ip + 16) * 0x85ebca77u ^ ip[9];
	/* Ports only when present: not for fragments after the first. */
	if (hl >= 20 && f->len >= 14 + hl + 4 && !((ip[6] & 0x1f) | ip[7]) &&
	    (ip[9] == 6 || ip[9] == 17))
		h ^= rd32(ip + hl) * 0xc2b2ae35u;
	return h | 1;
}

unsigned int pg_overload_filter(struct pg_overload *o, struct pg_rx_frame *f, unsigned int n,
				uint32_t backlog)
{
	uint32_t key[SLOTS], count[SLOTS], slot_of[SLOTS * 4];
	unsigned int kept = 0;

	if (backlog >= PG_OVERLOAD_HIGH)
		o->p = o->p + PG_OVERLOAD_STEP > PG_OVERLOAD_MAX_P ? PG_OVERLOAD_MAX_P
								   : o->p + PG_OVERLOAD_STEP;
	else if (backlog < PG_OVERLOAD_LOW)
		o->p = o->p > PG_OVERLOAD_STEP ? o->p - PG_OVERLOAD_STEP : 0;
	if (!o->p || n < PG_OVERLOAD_HEAVY || n > SLOTS * 4)
		return n;
	o->passes_dropping++;
	/* Count each flow's frames in the burst. */
	memset(key, 0, sizeof(key));
	memset(count, 0, sizeof(count));
	for (unsigned int i = 0; i < n; i++) {
		uint32_t h = flow_of(&f[i]), s = h % SLOTS;

		slot_of[i] = SLOTS; /* never dropped */
		if (!h)
			continue;
		/* Linear probing; a full table leaves the rest undropped. */
		for (unsigned int k = 0; k < SLOTS; k++, s = (s + 1) % SLOTS)
			if (!key[s] || key[s] == h) {
				key[s] = h;
				count[s]++;
				slot_of[i] = s;
				break;
			}
	}
	for (unsigned int i = 0; i < n; i++) {
		if (slot_of[i] < SLOTS && count[slot_of[i]] >= PG_OVERLOAD_HEAVY) {
			o->acc += o->p;
			if (o->acc >= P_ONE) {
				o->acc -= P_ONE;
				o->dropped++;
				continue;
			}
		}
		if (kept != i) {
			struct pg_rx_frame t = f[kept];

			f[kept] = f[i];
			f[i] = t;
		}
		kept++;
	}
	return kept;
}
