/* SPDX-License-Identifier: MIT */
/*
 * fuzz_wg_uapi.c - libFuzzer target for what passgated reads back from its
 * tunnel (ctl/wg_uapi.c): wireguard-go's "get" answer and the liveness
 * probe's DNS answer.
 *
 * Input: [mode][bytes]. Mode bit 0 clear: the bytes are a get answer;
 * set: a DNS answer checked against the id in the first two bytes.
 * Invariants: a parsed answer has an errno of 0..4095 and a handshake time
 * that is not negative; the probe accepts only 12 bytes or more with the
 * id and the QR bit; a query we build is accepted back once QR is set.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/wg_uapi.h"

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_wg_uapi: invariant broken: %s\n", what);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pg_wg_stats st;
	uint8_t q[32];

	if (size < 1)
		return 0;
	if (!(data[0] & 1)) {
		/* Unterminated on purpose: the parser must stay within size. */
		char *copy = malloc(size - 1 ? size - 1 : 1);

		if (!copy)
			return 0;
		memcpy(copy, data + 1, size - 1);
		if (pg_wg_uapi_parse(copy, size - 1, &st) == 0) {
			if (st.err < 0 || st.err > 4095)
				fail("errno out of range");
			if (st.last_handshake_s < 0)
				fail("negative handshake time");
		}
		free(copy);
		return 0;
	}
	if (size >= 3) {
		uint16_t id = (uint16_t)(data[1] << 8 | data[2]);
		size_t n = size - 3;
		uint8_t *copy = malloc(n ? n : 1);
		size_t qn;

		if (!copy)
			return 0;
		memcpy(copy, data + 3, n);
		if (pg_wg_probe_answer(copy, n, id) &&
		    (n < 12 || copy[0] != (uint8_t)(id >> 8) || copy[1] != (uint8_t)id ||
		     !(copy[2] & 0x80)))
			fail("accepted something that is not our answer");
		free(copy);
		qn = pg_wg_probe_query(q, sizeof(q), id);
		if (qn < 12 || pg_wg_probe_answer(q, qn, id))
			fail("a query taken for an answer");
		q[2] |= 0x80;
		if (!pg_wg_probe_answer(q, qn, id))
			fail("our own query with QR set refused");
	}
	return 0;
}
