/* SPDX-License-Identifier: MIT */
/*
 * fuzz_parse6.c - libFuzzer target for pg_parse6(), the IPv6 reader with its
 * extension header walk, pg_parse6_quoted(), the reader of packets quoted in
 * ICMPv6 errors, and the IPv6 firewall (forward6.c) behind them.
 *
 * Input: one byte whose low bit picks the side, then the packet, in a buffer
 * exactly its size plus the room an ICMPv6 error may take (any read or write
 * past it is an AddressSanitizer report). Invariants on success: the length
 * was only trimmed and equals 40 + payload length, the upper-layer header
 * lies inside the packet after the fixed header and the walk, at most
 * PG_IP6_EXT_MAX extension headers were walked, TCP and UDP of a whole or
 * first packet have non-zero ports, a later fragment had no port read. A
 * refusal is a drop_* counter. Then the packet runs through an engine with
 * IPv6 on: its verdict must be in range, its packet inside its buffer.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/parse.h"
#include "engine/parse6.h"
#include "fixture.h"
#include "pktbuild6.h"

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_parse6: invariant broken: %s\n", what);
	abort();
}

static struct pg_engine *engine(void)
{
	static struct pg_engine *e;
	struct pg_engine_config cfg;

	if (e)
		return e;
	pgt_config(&cfg);
	pgt6_addr("2001:db8:1::1", cfg.lan6_addr);
	cfg.lan6_prefix = 64;
	pgt6_addr("2001:db8:ffff::2", cfg.wan6_addr);
	cfg.wan6_prefix = 64;
	pgt6_addr("2001:db8:ffff::1", cfg.wan6_gateway);
	cfg.max_flows = 1024;
	/* Pinholes ([forward] rules with an IPv6 host): a port range and a protocol. */
	cfg.forwards[0] = (struct pg_port_forward){.proto = PG_PROTO_TCP, .wan_lo = 1, .wan_hi = 1024,
						    .lan_lo = 1, .lan_hi = 1024, .v6 = true};
	pgt6_addr("2001:db8:1::10", cfg.forwards[0].host6);
	cfg.forwards[1] = (struct pg_port_forward){.proto = PG_PROTO_GRE, .v6 = true};
	pgt6_addr("2001:db8:1::10", cfg.forwards[1].host6);
	/* A suffix pinhole (::20 under the LAN prefix: portfwd.c's matching). */
	cfg.forwards[2] = (struct pg_port_forward){.proto = PG_PROTO_UDP, .wan_lo = 1, .wan_hi = 65535,
						    .lan_lo = 1, .lan_hi = 65535, .v6 = true};
	pgt6_addr("::20", cfg.forwards[2].host6);
	cfg.nforwards = 3;
	e = pg_engine_create(&cfg);
	if (!e)
		fail("engine");
	return e;
}

static void check_parse(const uint8_t *buf, size_t size, uint8_t side)
{
	struct pg_parsed6 p, q;
	struct pg_pkt pkt;
	enum pg_counter r;

	memset(&pkt, 0, sizeof(pkt));
	pkt.l3 = (uint8_t *)buf;
	pkt.len = (uint32_t)size;
	pkt.cap = (uint32_t)size;
	pkt.side = side;
	(void)pg_parse6_quoted(buf, (uint32_t)size, &q);
	r = pg_parse6(&pkt, &p);
	if (r >= PG_CNT__COUNT)
		fail("reason out of range");
	if (r != PG_CNT_NONE) {
		if (strncmp(pg_counter_name(r), "drop_", 5) != 0)
			fail("refusal reason is not a drop counter");
		return;
	}
	if (pkt.len > size || pkt.len < PG_IP6_HLEN || buf[0] >> 4 != 6)
		fail("accepted a packet shorter than its header or not IPv6");
	if (pkt.len != PG_IP6_HLEN + (uint32_t)(buf[4] << 8 | buf[5]))
		fail("length is not the payload length");
	if (p.l4_off < PG_IP6_HLEN || p.l4_off + p.l4_len != pkt.len)
		fail("upper-layer header outside the packet");
	if (p.n_ext > PG_IP6_EXT_MAX)
		fail("walked more extension headers than allowed");
	if (p.l4_off < PG_IP6_HLEN + 8u * p.n_ext)
		fail("extension headers shorter than 8 bytes");
	if (p.frag_off && (p.sport || p.dport))
		fail("read ports from a later fragment");
	if (!p.frag_off && (p.proto == PG_PROTO_TCP || p.proto == PG_PROTO_UDP) &&
	    (!p.sport || !p.dport))
		fail("accepted port 0");
	if (!p.frag_off && p.proto == PG_PROTO_TCP &&
	    (p.l4_len < 20 || (unsigned int)(buf[p.l4_off + 12] >> 4) * 4 > p.l4_len))
		fail("accepted a TCP header that does not fit");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pg_pkt pkt;
	uint8_t side = 0, *buf;
	size_t cap;

	if (size > 65535 + 41)
		return 0;
	if (size) {
		side = data[0] & 1;
		data++;
		size--;
	}
	buf = malloc(size ? size : 1);
	if (!buf)
		abort();
	memcpy(buf, data, size);
	check_parse(buf, size, side);
	free(buf);

	/* The same bytes through the engine, with room for an ICMPv6 error. */
	if (size && data[0] >> 4 != 6)
		return 0;
	cap = size + PG_PKT_ERROR_GROWTH6;
	buf = malloc(cap);
	if (!buf)
		abort();
	memcpy(buf, data, size);
	memset(&pkt, 0, sizeof(pkt));
	pkt.l3 = buf;
	pkt.len = (uint32_t)size;
	pkt.cap = (uint32_t)cap;
	pkt.side = side;
	pg_engine_run(engine(), &pkt, 1, 1000);
	if (pkt.verdict > PG_VERDICT_TO_GW || pkt.drop_reason >= PG_CNT__COUNT)
		fail("verdict or reason out of range");
	if (pkt.l3 != buf || pkt.len > pkt.cap)
		fail("packet outside its buffer");
	if (pkt.verdict != PG_VERDICT_DROP && (pkt.len < PG_IP6_HLEN || buf[0] >> 4 != 6))
		fail("sent something that is not an IPv6 packet");
	free(buf);
	return 0;
}
