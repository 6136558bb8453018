/* SPDX-License-Identifier: MIT */
/*
 * l2_counters.c - names and descriptions of the layer 2 counters.
 */
#include "l2/l2_counters.h"

static const char *const names[PG_L2_CNT__COUNT] = {
#define PG_L2_COUNTER_NAME(sym, name, help) [PG_L2_CNT_##sym] = name,
	PG_L2_COUNTERS(PG_L2_COUNTER_NAME)
#undef PG_L2_COUNTER_NAME
};

static const char *const helps[PG_L2_CNT__COUNT] = {
#define PG_L2_COUNTER_HELP(sym, name, help) [PG_L2_CNT_##sym] = help,
	PG_L2_COUNTERS(PG_L2_COUNTER_HELP)
#undef PG_L2_COUNTER_HELP
};

const char *pg_l2_counter_name(unsigned int c)
{
	return c < PG_L2_CNT__COUNT ? names[c] : "?";
}

const char *pg_l2_counter_help(unsigned int c)
{
	return c < PG_L2_CNT__COUNT ? helps[c] : "?";
}
