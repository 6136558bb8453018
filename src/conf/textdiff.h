/* SPDX-License-Identifier: MIT */
/*
 * textdiff.h - a unified diff of two configuration texts, line by line,
 * for `passgatectl config diff` (textdiff.c).
 */
#ifndef PG_TEXTDIFF_H
#define PG_TEXTDIFF_H

#include <stddef.h>

#define PG_TEXTDIFF_CONTEXT 3		/* unchanged lines around each change */
#define PG_TEXTDIFF_CELLS (1u << 20)	/* largest table the exact diff builds */
#define PG_TEXTDIFF_OUT_MAX (256u << 10) /* longer output is cut, and says so */

/*
 * The unified diff ("--- A", "+++ B", "@@ -l,n +l,n @@" hunks) turning a
 * into b, malloc'd and NUL-terminated in *out; "" when they are equal.
 * When the changed middle of the files is too large for an exact diff
 * (PG_TEXTDIFF_CELLS), it is shown as removed and added whole. 0 or
 * -ENOMEM.
 */
int pg_textdiff(const char *a, size_t alen, const char *label_a, const char *b, size_t blen,
		const char *label_b, char **out);

#endif /* PG_TEXTDIFF_H */
