/* SPDX-License-Identifier: MIT */
/*
 * cmapi.h - apifix.c's API fixture for cmocka tests: the same steps with
 * a failure ending the test. Header-only on purpose, as cmtable.h: the
 * test library's .c files are also linked into the fuzzers, which have no
 * cmocka.
 */
#ifndef PGT_CMAPI_H
#define PGT_CMAPI_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "apifix.h"

/* pgt_api_open() on a fixture of its own, freed with pgt_cm_api_free(). */
static inline struct pgt_api *pgt_cm_api_open(const char *name, const char *text)
{
	struct pgt_api *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(pgt_api_open(f, name, text), 0);
	return f;
}

static inline void pgt_cm_api_free(struct pgt_api *f)
{
	pgt_api_close(f);
	free(f);
}

/* The file at path as text (free() it). */
static inline char *pgt_cm_read(const char *path)
{
	char *t = pgt_api_read(path);

	assert_non_null(t);
	return t;
}

#endif /* PGT_CMAPI_H */
