/* SPDX-License-Identifier: MIT */
/*
 * names.h - one table of names per enum, kept next to the enum and sized
 * by its count (a static assertion there catches a value added without a
 * name). These inlines read such a table for the config parser, the writer,
 * the API and the page, so no second list of names can drift.
 */
#ifndef PG_NAMES_H
#define PG_NAMES_H

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define PG_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The value whose name is s, or -1. */
static inline int pg_name_index(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], s))
			return (int)i;
	return -1;
}

/* names[v], or fallback when v is out of range or unnamed. */
static inline const char *pg_name_of(const char *const *names, size_t n, unsigned int v,
				     const char *fallback)
{
	return v < n && names[v] ? names[v] : fallback;
}

/* "'a', 'b' or 'c'" into buf: the choices an error message offers. */
static inline void pg_name_choices(const char *const *names, size_t n, char *buf, size_t len)
{
	size_t used = 0;

	if (len)
		buf[0] = '\0';
	for (size_t i = 0; i < n && used < len; i++) {
		const char *sep = i == 0 ? "" : i + 1 == n ? " or " : ", ";
		int w = snprintf(buf + used, len - used, "%s'%s'", sep, names[i] ? names[i] : "?");

		if (w < 0)
			return;
		used += (size_t)w;
	}
}

#endif /* PG_NAMES_H */
