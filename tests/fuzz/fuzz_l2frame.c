/* SPDX-License-Identifier: MIT */
/*
 * fuzz_l2frame.c - libFuzzer target for the readers a LAN frame meets
 * before layer 2 takes it (dp/hostpath.c's peek): pg_vrrp_frame(), which
 * decides that a frame is a VRRP advert to hand to the host and never
 * forward, and the Ethernet and ARP parsers beside it.
 *
 * The input is one frame in a buffer exactly its size, so any read past it
 * is an AddressSanitizer report. Invariant: pg_vrrp_frame() says yes only
 * for an IPv4 frame, a whole header (version 4, length 20 or more, inside
 * the frame), protocol 112, destination 224.0.0.18 - checked here again
 * byte by byte, independently of l2/vrrp.c's helpers.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "l2/arp.h"
#include "l2/eth.h"
#include "l2/vrrp.h"

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_l2frame: invariant broken: %s\n", what);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t group[4] = {224, 0, 0, 18};
	struct pg_eth_hdr h;
	struct pg_arp a;
	uint8_t *buf;

	if (size > 9216)
		return 0;
	buf = malloc(size ? size : 1);
	if (!buf)
		abort();
	memcpy(buf, data, size);
	if (pg_vrrp_frame(buf, (uint32_t)size)) {
		if (size < 34 || buf[12] != 0x08 || buf[13] != 0x00)
			fail("an advert that is not a whole IPv4 frame");
		if (buf[14] >> 4 != 4 || (buf[14] & 15) < 5 || (size_t)(buf[14] & 15) * 4 > size - 14)
			fail("an advert whose IPv4 header is wrong or cut");
		if (buf[23] != 112 || memcmp(buf + 30, group, 4))
			fail("an advert of another protocol or to another address");
	}
	if (!pg_eth_parse(buf, size, &h) && h.type == PG_ETH_P_ARP)
		(void)pg_arp_parse(buf + PG_ETH_HLEN, size - PG_ETH_HLEN, &a);
	free(buf);
	return 0;
}
