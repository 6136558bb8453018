/* SPDX-License-Identifier: MIT */
/*
 * textdiff.c - unified diff of two texts (textdiff.h).
 *
 * Theory of operation: configuration changes are small and local, so the
 * lines both texts share at the start and at the end are set aside first;
 * only the middle is compared exactly, by the longest common subsequence
 * table (lengths fit 16 bits because the table is bounded to
 * PG_TEXTDIFF_CELLS cells, 2 MiB). A middle larger than that is shown as
 * removed and added whole: still a correct diff, only a coarser one, and
 * a hostile pair of files cannot make the control thread allocate or loop
 * without bound. The edit script is then cut into hunks with
 * PG_TEXTDIFF_CONTEXT lines of context, as diff -u prints them.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/textdiff.h"

struct line {
	const char *s;
	size_t len;
};

struct op {
	char kind;	/* ' ', '-' or '+' */
	size_t ai, bi;	/* line index in a (for ' ', '-') and in b (for ' ', '+') */
};

struct buf {
	char *s;
	size_t len, cap;
	bool cut, oom;
};

/* Lines of t; the last one need not end with a newline. */
static struct line *split(const char *t, size_t len, size_t *n)
{
	size_t count = 0, i = 0, k = 0;
	struct line *l;

	for (size_t j = 0; j < len; j++)
		if (t[j] == '\n')
			count++;
	if (len && t[len - 1] != '\n')
		count++;
	l = calloc(count ? count : 1, sizeof(*l));
	if (!l)
		return NULL;
	while (i < len) {
		const char *nl = memchr(t + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - t) : len;

		l[k].s = t + i;
		l[k].len = e - i;
		k++;
		i = e + 1;
	}
	*n = k;
	return l;
}

static bool same(const struct line *x, const struct line *y)
{
	return x->len == y->len && !memcmp(x->s, y->s, x->len);
}

static void put(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (b->cut || b->oom)
		return;
	va_start(ap, fmt);
	k = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (k < 0)
		return;
	if (b->len + (size_t)k > PG_TEXTDIFF_OUT_MAX) {
		b->cut = true;
		return;
	}
	if (b->len + (size_t)k + 1 > b->cap) {
		size_t cap = (b->len + (size_t)k + 1) * 2;
		char *s = realloc(b->s, cap);

		if (!s) {
			b->oom = true;
			return;
		}
		b->s = s;
		b->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)k;
}

/*
 * The middle a[0..m) against b[0..n): ops appended to *ops. The table
 * L[i][j] is the LCS length of a[i..m) and b[j..n).
 */
static int middle(const struct line *a, size_t m, const struct line *b, size_t n,
		  size_t a0, size_t b0, struct op *ops, size_t *nops)
{
	uint16_t *L;
	size_t i = 0, j = 0, w = n + 1;

	if (m && n && (m > 0xfffe || n > 0xfffe || (m + 1) * (n + 1) > PG_TEXTDIFF_CELLS)) {
		for (i = 0; i < m; i++)
			ops[(*nops)++] = (struct op){'-', a0 + i, b0};
		for (j = 0; j < n; j++)
			ops[(*nops)++] = (struct op){'+', a0 + m, b0 + j};
		return 0;
	}
	L = calloc((m + 1) * w, sizeof(*L));
	if (!L)
		return -ENOMEM;
	for (size_t x = m; x-- > 0;)
		for (size_t y = n; y-- > 0;)
			L[x * w + y] = same(&a[x], &b[y])	     ? (uint16_t)(L[(x + 1) * w + y + 1] + 1)
				       : L[(x + 1) * w + y] >= L[x * w + y + 1] ? L[(x + 1) * w + y]
									    : L[x * w + y + 1];
	while (i < m || j < n) {
		if (i < m && j < n && same(&a[i], &b[j])) {
			ops[(*nops)++] = (struct op){' ', a0 + i, b0 + j};
			i++;
			j++;
		} else if (i < m && (j == n || L[(i + 1) * w + j] >= L[i * w + j + 1])) {
			/* Removals before additions, as diff -u shows a changed line. */
			ops[(*nops)++] = (struct op){'-', a0 + i, b0 + j};
			i++;
		} else {
			ops[(*nops)++] = (struct op){'+', a0 + i, b0 + j};
			j++;
		}
	}
	free(L);
	return 0;
}

/* Print the hunks of ops[0..n). */
static void hunks(const struct op *ops, size_t n, const struct line *a, const struct line *b,
		  struct buf *out)
{
	size_t i = 0;

	while (i < n) {
		size_t first, last, end, as = 0, bs = 0, ac = 0, bc = 0;

		while (i < n && ops[i].kind == ' ')
			i++;
		if (i == n)
			break;
		/* The hunk runs until a stretch of more than 2 * context unchanged lines. */
		first = i >= PG_TEXTDIFF_CONTEXT ? i - PG_TEXTDIFF_CONTEXT : 0;
		last = i;
		for (size_t j = i; j < n; j++) {
			if (ops[j].kind != ' ')
				last = j;
			else if (j - last > 2 * PG_TEXTDIFF_CONTEXT)
				break;
		}
		end = last + 1 + PG_TEXTDIFF_CONTEXT < n ? last + 1 + PG_TEXTDIFF_CONTEXT : n;
		as = ops[first].ai;
		bs = ops[first].bi;
		for (size_t j = first; j < end; j++) {
			ac += ops[j].kind != '+';
			bc += ops[j].kind != '-';
		}
		/* diff -u numbers an empty side by the line before it. */
		put(out, "@@ -%zu,%zu +%zu,%zu @@\n", ac ? as + 1 : as, ac, bc ? bs + 1 : bs, bc);
		for (size_t j = first; j < end; j++) {
			const struct line *l = ops[j].kind == '+' ? &b[ops[j].bi] : &a[ops[j].ai];

			put(out, "%c%.*s\n", ops[j].kind, (int)l->len, l->s);
		}
		i = end;
	}
}

int pg_textdiff(const char *a, size_t alen, const char *label_a, const char *b, size_t blen,
		const char *label_b, char **out)
{
	struct line *la = NULL, *lb = NULL;
	struct buf o = {0};
	struct op *ops = NULL;
	size_t na = 0, nb = 0, p = 0, s = 0, nops = 0;
	int r = -ENOMEM;

	*out = NULL;
	la = split(a, alen, &na);
	lb = split(b, blen, &nb);
	if (!la || !lb)
		goto done;
	while (p < na && p < nb && same(&la[p], &lb[p]))
		p++;
	while (s < na - p && s < nb - p && same(&la[na - 1 - s], &lb[nb - 1 - s]))
		s++;
	ops = calloc(na + nb + 1, sizeof(*ops));
	if (!ops)
		goto done;
	for (size_t i = 0; i < p; i++)
		ops[nops++] = (struct op){' ', i, i};
	if (middle(la + p, na - p - s, lb + p, nb - p - s, p, p, ops, &nops))
		goto done;
	for (size_t i = 0; i < s; i++)
		ops[nops++] = (struct op){' ', na - s + i, nb - s + i};
	if (p == na && p == nb) {
		o.s = strdup("");
		r = o.s ? 0 : -ENOMEM;
		goto done;
	}
	put(&o, "--- %s\n+++ %s\n", label_a, label_b);
	hunks(ops, nops, la, lb, &o);
	if (o.oom) {
		free(o.s);
		o.s = NULL;
		goto done;
	}
	if (!o.s)
		o.s = strdup("");
	r = o.s ? 0 : -ENOMEM;
done:
	if (!r && o.cut) {
		static const char note[] = "... (diff cut)\n";
		char *t = realloc(o.s, o.len + sizeof(note));

		if (t) {
			o.s = t;
			memcpy(o.s + o.len, note, sizeof(note)); /* with its NUL */
		}
	}
	free(la);
	free(lb);
	free(ops);
	*out = r ? NULL : o.s;
	if (r)
		free(o.s);
	return r;
}
