/* SPDX-License-Identifier: MIT */
/*
 * fuzz_parse.c - libFuzzer target for pg_parse(), the engine's reader of
 * untrusted headers, and pg_shard_of(), which reads them before any engine
 * does to pick a worker.
 *
 * The input is one packet in a buffer exactly its size, so any read past it
 * is an AddressSanitizer report. Invariants on success: the length was only
 * ever trimmed, the header lengths the parser reports fit the packet, the IP
 * header checksum and total length are right (the parser promised so), TCP
 * and UDP ports are non-zero, and a non-first fragment (left for the caller
 * to refuse) had no transport header read. On refusal the reason is a drop_*
 * counter.
 * pg_shard_of() must name a worker in range for any bytes, from either side.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/parse.h"
#include "engine/shard.h"
#include "pktbuild.h"

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_parse: invariant broken: %s\n", what);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pg_parsed p;
	struct pg_pkt pkt;
	enum pg_counter r;
	uint8_t *buf;
	uint8_t side = 0;

	if (size > 65535 + 1)
		return 0;
	if (size) {
		/* The first byte only picks the side; the rest is the packet. */
		side = data[0] & 1;
		data++;
		size--;
	}
	buf = malloc(size ? size : 1);
	if (!buf)
		abort();
	memcpy(buf, data, size);
	memset(&pkt, 0, sizeof(pkt));
	memset(&p, 0, sizeof(p));
	pkt.l3 = buf;
	pkt.len = (uint32_t)size;
	pkt.cap = (uint32_t)size;
	pkt.side = side;

	for (unsigned int n = 1; n <= 3; n++) {
		struct pg_shard_map m = {.n = n, .seed = 0x9e3779b97f4a7c15ULL};

		if (pg_shard_of(&m, buf, (uint32_t)size, (enum pg_side)side) >= n)
			fail("worker out of range");
	}
	r = pg_parse(&pkt, &p);
	if (r >= PG_CNT__COUNT)
		fail("reason out of range");
	if (r != PG_CNT_NONE) {
		if (strncmp(pg_counter_name(r), "drop_", 5) != 0)
			fail("refusal reason is not a drop counter");
		free(buf);
		return 0;
	}
	if (pkt.l3 != buf || pkt.len > size)
		fail("packet grew or moved");
	if (pkt.len < 20 || p.ihl < 20 || p.ihl > pkt.len || p.ihl != pgt_ip_hlen(buf))
		fail("header length does not fit");
	if ((uint32_t)p.ihl + p.l4_len != pkt.len || pgt_ip_total(buf) != pkt.len)
		fail("lengths disagree with the total length");
	if (pgt_cksum(buf, p.ihl, 0) != 0)
		fail("accepted a bad IP header checksum");
	if (buf[0] >> 4 != 4)
		fail("accepted a version other than 4");
	if (p.frag_off != (pgt_get16(buf + 6) & 0x1fff) * 8)
		fail("fragment offset misread");
	if (p.frag_off && (p.sport || p.dport))
		fail("read a transport header from a non-first fragment");
	if (!p.frag_off && (p.proto == PG_PROTO_TCP || p.proto == PG_PROTO_UDP) &&
	    (!p.sport || !p.dport))
		fail("accepted port 0");
	if (!p.frag_off && p.proto == PG_PROTO_TCP &&
	    (p.l4_len < 20 || (unsigned int)(buf[p.ihl + 12] >> 4) * 4 > p.l4_len))
		fail("accepted a TCP header that does not fit");
	if (p.saddr != htonl(pgt_ip_src(buf)) || p.daddr != htonl(pgt_ip_dst(buf)))
		fail("addresses misread");
	free(buf);
	return 0;
}
