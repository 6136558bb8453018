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

#endif /* PGT_CMTABLE_H */
