/* SPDX-License-Identifier: MIT */
/*
 * siphash.h - keyed hashing of flow keys (SipHash-1-3 over 16 bytes).
 *
 * The key is random per start, so nobody outside can choose packets whose
 * tuples collide in our tables.
 */
#ifndef PG_SIPHASH_H
#define PG_SIPHASH_H

#include <stdint.h>

/* Hash two 64-bit message words under a 128-bit key. */
uint64_t pg_siphash_2w(const uint64_t key[2], uint64_t m0, uint64_t m1);

#endif /* PG_SIPHASH_H */
