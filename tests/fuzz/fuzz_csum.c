/* SPDX-License-Identifier: MIT */
/*
 * fuzz_csum.c - differential target: the engine's checksum code against the
 * test library's independent full recomputation.
 *
 * Input: [field offset hi/lo][new value: 4 bytes][data...]. The data is
 * summed both ways, then a 16-bit and a 32-bit field are changed and the
 * incremental updates (RFC 1624) compared with recomputing from scratch.
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/csum.h"
#include "pktbuild.h"

static bool all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

static void fail(const char *what, uint16_t got, uint16_t want)
{
	fprintf(stderr, "fuzz_csum: %s: got 0x%04x want 0x%04x\n", what, got, want);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *b;
	size_t len, f;
	uint16_t c, full, v16;
	uint32_t v32;

	if (size < 6 + 8)
		return 0;
	f = ((size_t)data[0] << 8 | data[1]);
	memcpy(&v32, data + 2, 4);
	data += 6;
	size -= 6;
	len = size & ~(size_t)1;
	b = malloc(len);
	if (!b)
		abort();
	memcpy(b, data, len);

	/* Whole-buffer sums, any length (odd too). */
	c = pg_csum(data, size);
	full = pgt_cksum(data, (uint32_t)size, 0);
	if (ntohs(c) != full)
		fail("pg_csum", ntohs(c), full);

	/* Checksum at offset 0, a 16-bit field elsewhere. */
	f = 2 + 2 * (f % ((len - 2) / 2));
	memset(b, 0, 2);
	pgt_put16(b, pgt_cksum(b, (uint32_t)len, 0));
	memcpy(&c, b, 2);
	memcpy(&v16, b + f, 2);
	pg_csum_replace16(&c, v16, (uint16_t)v32);
	memcpy(b + f, &v32, 2);
	memset(b, 0, 2);
	full = pgt_cksum(b, (uint32_t)len, 0);
	if (!all_zero(b, len) && ntohs(c) != full)
		fail("pg_csum_replace16", ntohs(c), full);

	/* And a 32-bit field (if it fits past the checksum). */
	if (len >= 8) {
		uint32_t old;

		f = 2 + 2 * (f % ((len - 4) / 2));
		if (f + 4 > len)
			f = len - 4;
		pgt_put16(b, full);
		memcpy(&c, b, 2);
		memcpy(&old, b + f, 4);
		pg_csum_replace32(&c, old, v32);
		memcpy(b + f, &v32, 4);
		memset(b, 0, 2);
		full = pgt_cksum(b, (uint32_t)len, 0);
		if (!all_zero(b, len) && ntohs(c) != full)
			fail("pg_csum_replace32", ntohs(c), full);
	}
	free(b);
	return 0;
}
