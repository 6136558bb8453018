/* SPDX-License-Identifier: MIT */
/*
 * cmtable.h - turn scenario tables into cmocka test cases, one per row.
 *
 * Header-only on purpose: the test library's .c files are also linked into
 * the fuzzers, which have no cmocka, so none of them may call it.
 */
#ifndef PGT_CMTABLE_H
#define PGT_CMTABLE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "scenario.h"

#define PGT_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline void pgt_cm_scenario(void **state)
{
	const struct pgt_scenario *sc = *state;
	char err[4096];

	if (pgt_scenario_run(sc, err, sizeof(err)))
		fail_msg("%s", err);
}

/* Append one test case per scenario to t; returns how many were added. */
static inline size_t pgt_cm_add(struct CMUnitTest *t, const struct pgt_scenario *sc, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		t[i].name = sc[i].name;
		t[i].test_func = pgt_cm_scenario;
		t[i].setup_func = NULL;
		t[i].teardown_func = NULL;
		t[i].initial_state = (void *)(uintptr_t)&sc[i];
	}
	return n;
}

/*
 * Send one packet built from s at t seconds after ctx's start and return its
 * verdict; its drop reason and length go to *drop and *len (either may be
 * NULL). The buffer comes from cmocka's allocator, so a leak is reported.
 */
static inline uint8_t pgt_cm_send_at(struct pgt_ctx *ctx, const struct pgt_spec *s, uint8_t side,
				     uint32_t t, uint16_t *drop, uint32_t *len)
{
	struct pgt_pkt *p = test_malloc(sizeof(*p));
	char err[512];
	uint8_t v;

	memset(p, 0, offsetof(struct pgt_pkt, len));
	p->len = pgt_build(s, NULL, p->buf, PGT_BUF, NULL);
	p->cap = 0;
	p->side = side;
	assert_true(p->len > 0);
	if (len)
		*len = p->len;
	if (pgt_run(ctx->e, p, 1, ctx->t0_ms + (uint64_t)t * 1000, err, sizeof(err)))
		fail_msg("%s", err);
	v = p->verdict;
	if (drop)
		*drop = p->drop_reason;
	test_free(p);
	return v;
}

#endif /* PGT_CMTABLE_H */
