/* SPDX-License-Identifier: MIT */
/*
 * fuzz_nd.c - libFuzzer target for neighbour discovery on the WAN link
 * (src/l2/nd.c) and the SLAAC address it forms (src/l2/slaac.c): router
 * advertisements with their option walk, solicitations, advertisements
 * and redirects, with time moving between them so prefixes expire.
 *
 * The input is a list of records [dt_hi][dt_lo][len][len bytes]: after dt
 * seconds, the ICMPv6 message of len bytes arrives from fe80::1 to ff02::1
 * with hop limit 255 and a checksum made right here (a wrong checksum only
 * tests one comparison; a random input would never get past it). Each
 * frame is in a buffer exactly its size, so a read past it is an
 * AddressSanitizer report. Invariants after every message and timer: the
 * WAN address is set exactly while the SLAAC state holds a prefix, and it
 * is that /64 with our interface identifier, never link-local or
 * multicast.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/parse6.h"
#include "io/frame.h"
#include "l2/nd.h"
#include "l2/port.h"

#define IP6_OFF 14
#define MSG_OFF (IP6_OFF + 40)

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_nd: invariant broken: %s\n", what);
	abort();
}

static int tx_none(void *ctx, const uint8_t *frame, uint32_t len)
{
	(void)ctx;
	(void)frame;
	(void)len;
	return 0;
}

static void check(const struct pg_port *p)
{
	const struct pg_nd *nd = p->nd;
	static const uint8_t zero[16];
	bool has = memcmp(nd->cfg.addr, zero, 16) != 0;

	if (has != nd->slaac.cur.used)
		fail("the WAN address and the SLAAC prefix disagree");
	if (!has)
		return;
	if (memcmp(nd->cfg.addr, nd->slaac.cur.prefix, 8) || memcmp(nd->cfg.addr + 8, nd->ll + 8, 8))
		fail("the WAN address is not the prefix with our interface identifier");
	if (pg_ip6_is_linklocal(nd->cfg.addr) || pg_ip6_is_multicast(nd->cfg.addr))
		fail("a link-local or multicast WAN address");
	if (nd->cfg.prefix != 64)
		fail("a SLAAC address that is not in a /64");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t mac[6] = {0x02, 0, 0, 0, 0, 0x01};
	static const uint8_t src_mac[6] = {0x02, 0, 0, 0, 0, 0x10};
	static const uint8_t all_nodes_mac[6] = {0x33, 0x33, 0, 0, 0, 1};
	static const uint8_t src[16] = {0xfe, 0x80, [15] = 1};
	static const uint8_t dst[16] = {0xff, 0x02, [15] = 1};
	struct pg_nd_config c = {.solicit = true, .slaac = true};
	struct pg_port port;
	struct pg_pkt pkt;
	uint64_t now = 1000;
	size_t off = 0;

	if (pg_port_init(&port, "fz0", PG_SIDE_WAN, mac, 0x0100000a, 24, 0, 1500, tx_none, NULL) ||
	    pg_port_enable_ipv6(&port, &c))
		abort();
	while (off + 3 <= size) {
		uint32_t dt = (uint32_t)data[off] << 8 | data[off + 1], n = data[off + 2];
		uint32_t len = MSG_OFF + n;
		uint8_t *f;
		uint16_t sum;

		off += 3;
		if (n > size - off)
			n = (uint32_t)(size - off);
		len = MSG_OFF + n;
		f = malloc(len);
		if (!f)
			abort();
		pg_eth_write(f, all_nodes_mac, src_mac, PG_ETH_P_IPV6);
		memset(f + IP6_OFF, 0, 40);
		f[IP6_OFF] = 0x60;
		f[IP6_OFF + PG_IP6_OFF_PLEN] = (uint8_t)(n >> 8);
		f[IP6_OFF + PG_IP6_OFF_PLEN + 1] = (uint8_t)n;
		f[IP6_OFF + PG_IP6_OFF_NEXT] = PG_IP6_NH_ICMP6;
		f[IP6_OFF + PG_IP6_OFF_HLIM] = 255;
		memcpy(f + IP6_OFF + PG_IP6_OFF_SADDR, src, 16);
		memcpy(f + IP6_OFF + PG_IP6_OFF_DADDR, dst, 16);
		memcpy(f + MSG_OFF, data + off, n);
		off += n;
		if (n >= 4) {
			f[MSG_OFF + 2] = f[MSG_OFF + 3] = 0;
			sum = pg_ip6_l4_csum(src, dst, PG_IP6_NH_ICMP6, f + MSG_OFF, n);
			memcpy(f + MSG_OFF + 2, &sum, 2);
		}
		now += (uint64_t)dt * 1000;
		(void)pg_port_input(&port, f, len, len, 0, now, &pkt);
		free(f);
		check(&port);
		pg_port_timer(&port, now);
		check(&port);
	}
	pg_port_fini(&port);
	return 0;
}
