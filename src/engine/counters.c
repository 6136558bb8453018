/* SPDX-License-Identifier: MIT */
/* counters.c - names and descriptions of the engine's counters. */
#include "engine/counters.h"

static const char *const names[] = {
#define PG_COUNTER_NAME(sym, name, help) name,
	PG_COUNTERS(PG_COUNTER_NAME)
#undef PG_COUNTER_NAME
};

static const char *const helps[] = {
#define PG_COUNTER_HELP(sym, name, help) help,
	PG_COUNTERS(PG_COUNTER_HELP)
#undef PG_COUNTER_HELP
};

const char *pg_counter_name(unsigned int c)
{
	return c < PG_CNT__COUNT ? names[c] : "?";
}

const char *pg_counter_help(unsigned int c)
{
	return c < PG_CNT__COUNT ? helps[c] : "?";
}
