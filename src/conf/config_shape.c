/* SPDX-License-Identifier: MIT */
/*
 * config_shape.c - [wan] shape_up and shape_down: the rates of the WAN
 * shaper (src/engine/shaper.h), written as SQM users write them ("40mbit",
 * "200mbit", "1gbit", "off"), checked against the shaper's own bounds.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "conf/config.h"
#include "engine/shaper.h"

int pg_config_parse_rate(const char *s, uint64_t *bps)
{
	static const struct {
		const char *unit;
		uint64_t mult;
	} units[] = { { "bit", 1 }, { "kbit", 1000 }, { "mbit", 1000000 }, { "gbit", 1000000000 } };
	uint64_t v = 0;
	unsigned int digits = 0;

	if (!strcmp(s, "off") || !strcmp(s, "0")) {
		*bps = 0;
		return 0;
	}
	for (; *s >= '0' && *s <= '9'; s++, digits++) {
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > PG_SHAPER_RATE_MAX)
			return -EINVAL;
	}
	if (!digits)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(s, units[i].unit)) {
			if (v > PG_SHAPER_RATE_MAX / units[i].mult)
				return -ERANGE;
			v *= units[i].mult;
			if (v < PG_SHAPER_RATE_MIN || v > PG_SHAPER_RATE_MAX)
				return -ERANGE;
			*bps = v;
			return 0;
		}
	return -EINVAL;
}

const char *pg_config_rate_why(int r)
{
	return r == -ERANGE ? "a shaped rate must be between 64kbit and 100gbit (or off)"
			    : "expected 'off' or a rate such as 40mbit, 500kbit or 1gbit";
}

void pg_config_format_rate(uint64_t bps, char *buf, size_t len)
{
	if (!bps)
		snprintf(buf, len, "off");
	else if (bps % 1000000000 == 0)
		snprintf(buf, len, "%llugbit", (unsigned long long)(bps / 1000000000));
	else if (bps % 1000000 == 0)
		snprintf(buf, len, "%llumbit", (unsigned long long)(bps / 1000000));
	else if (bps % 1000 == 0)
		snprintf(buf, len, "%llukbit", (unsigned long long)(bps / 1000));
	else
		snprintf(buf, len, "%llubit", (unsigned long long)bps);
}
