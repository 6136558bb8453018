/* SPDX-License-Identifier: MIT */
/*
 * siphash.h - keyed hashing of flow keys: SipHash-1-3 (Aumasson and
 * Bernstein) for exactly two message words.
 *
 * The key is random per start, so nobody outside can choose packets whose
 * tuples collide in our tables. One compression round per word and three
 * finalisation rounds is the variant hash tables use where speed matters and
 * the output never leaves the process. It is inline so the batch stage can
 * hash several packets' keys at once and the CPU overlaps them.
 */
#ifndef PG_SIPHASH_H
#define PG_SIPHASH_H

#include <stdint.h>

#define PG_SIP_ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

#define PG_SIPROUND                                                                                \
	do {                                                                                       \
		v0 += v1;                                                                          \
		v1 = PG_SIP_ROTL(v1, 13);                                                          \
		v1 ^= v0;                                                                          \
		v0 = PG_SIP_ROTL(v0, 32);                                                          \
		v2 += v3;                                                                          \
		v3 = PG_SIP_ROTL(v3, 16);                                                          \
		v3 ^= v2;                                                                          \
		v0 += v3;                                                                          \
		v3 = PG_SIP_ROTL(v3, 21);                                                          \
		v3 ^= v0;                                                                          \
		v2 += v1;                                                                          \
		v1 = PG_SIP_ROTL(v1, 17);                                                          \
		v1 ^= v2;                                                                          \
		v2 = PG_SIP_ROTL(v2, 32);                                                          \
	} while (0)

/* Hash two 64-bit message words under a 128-bit key. */
static inline uint64_t pg_siphash_2w(const uint64_t key[2], uint64_t m0, uint64_t m1)
{
	uint64_t v0 = 0x736f6d6570736575ULL ^ key[0];
	uint64_t v1 = 0x646f72616e646f6dULL ^ key[1];
	uint64_t v2 = 0x6c7967656e657261ULL ^ key[0];
	uint64_t v3 = 0x7465646279746573ULL ^ key[1];
	/* Final block: message length (16) in the top byte, no tail bytes. */
	uint64_t b = (uint64_t)16 << 56;

	v3 ^= m0;
	PG_SIPROUND;
	v0 ^= m0;
	v3 ^= m1;
	PG_SIPROUND;
	v0 ^= m1;
	v3 ^= b;
	PG_SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	PG_SIPROUND;
	PG_SIPROUND;
	PG_SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

#endif /* PG_SIPHASH_H */
