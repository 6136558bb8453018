/* SPDX-License-Identifier: MIT */
/*
 * fuzzrec.h - the record stream the client fuzzers (fuzz_dhcp, fuzz_dhcp6)
 * read their input as: a kind byte, a length byte, then that many bytes. A
 * kind with bit 4 set counts the length in 8-byte units, so one byte reaches
 * a whole message; a length past the end is cut to what is left.
 */
#ifndef PGT_FUZZREC_H
#define PGT_FUZZREC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pgt_rec {
	uint8_t kind;
	const uint8_t *d;
	size_t n;
};

/* The record at *pos, moving *pos past it; false when none is left. */
static inline bool pgt_rec_next(const uint8_t *data, size_t size, size_t *pos, struct pgt_rec *r)
{
	size_t i = *pos;

	if (i + 2 > size)
		return false;
	r->kind = data[i];
	r->n = data[i + 1];
	r->d = data + i + 2;
	if (r->kind & 0x10)
		r->n *= 8;
	if (r->n > size - i - 2)
		r->n = size - i - 2;
	*pos = i + 2 + r->n;
	return true;
}

#endif
