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
 *
 * The same frame is also one the host stack sent on the WAN device
 * (dp/hostpath6.c): pg_hostpath6_classify() may let out only an IPv6 frame
 * from the WAN address, answer only a whole neighbour solicitation for
 * another address, and the answer it builds is a 72-byte neighbour
 * advertisement for that target, from the made-up MAC.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dp/hostpath6.h"
#include "l2/arp.h"
#include "l2/eth.h"
#include "l2/vrrp.h"

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_l2frame: invariant broken: %s\n", what);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The host's WAN device: what leaves, what is answered, and the answer. */
static void wan_device(const uint8_t *buf, size_t size)
{
	static const uint8_t wan6[16] = {0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, [15] = 2};
	static const uint8_t peer[6] = {0x02, 0x70, 0x67, 0, 0, 1};
	uint8_t out[128];
	uint32_t n;

	switch (pg_hostpath6_classify(buf, (uint32_t)size, wan6)) {
	case PG_HOST6_OUT:
		if (size < 54 || buf[14] >> 4 != 6 || memcmp(buf + 22, wan6, 16))
			fail("let out an IPv6 frame that is cut or not from the WAN address");
		if ((size_t)(buf[18] << 8 | buf[19]) > size - 54)
			fail("let out a frame whose payload length claims more than came");
		break;
	case PG_HOST6_ANSWER:
		if (size < 78 || buf[20] != 58 || buf[54] != 135 || !memcmp(buf + 62, wan6, 16) ||
		    buf[62] == 0xff)
			fail("answered something that is no solicitation for another address");
		n = pg_hostpath6_answer(out, sizeof(out), buf, (uint32_t)size, peer);
		if (n != 86 || out[54] != 136 || memcmp(out + 62, buf + 62, 16) ||
		    memcmp(out + 6, peer, 6) || memcmp(out + 80, peer, 6) || out[21] != 255)
			fail("the answer is no advertisement of the target at the made-up MAC");
		break;
	case PG_HOST6_DROP:
		break;
	}
}

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
	wan_device(buf, size);
	if (!pg_eth_parse(buf, size, &h) && h.type == PG_ETH_P_ARP)
		(void)pg_arp_parse(buf + PG_ETH_HLEN, size - PG_ETH_HLEN, &a);
	free(buf);
	return 0;
}
