/* SPDX-License-Identifier: MIT */
/*
 * config_cases.h - what the config tests share (test_config*.c, cmocka):
 * a minimal valid file head for cases to append to, parsing a text as
 * "t.conf", and the table of texts that must be refused with one message.
 * Header-only: it needs cmocka, which tests/lib does not depend on.
 */
#ifndef PGT_CONFIG_CASES_H
#define PGT_CONFIG_CASES_H

#include <errno.h>
#include <string.h>

#include "conf/config.h"

/* A minimal valid head that cases append to; it is 8 lines long. */
#define HEAD                                                                                       \
	"[lan]\ninterface = a0\naddress = 192.168.1.1/24\n[wan]\ninterface = b0\n"                 \
	"address = 198.51.100.2/24\ngateway = 198.51.100.1\n# line 8\n"

static inline int parse(const char *text, struct pg_config *cfg, char *err)
{
	return pg_config_parse(cfg, "t.conf", text, strlen(text), err, PG_CONFIG_ERR_SIZE);
}

/* A text the parser must refuse (-EINVAL) with exactly this message. */
struct bad_case {
	const char *text;
	const char *err;
};

static inline void check_bad_cases(const struct bad_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct pg_config cfg;
		char err[PG_CONFIG_ERR_SIZE] = "";
		int r = parse(cases[i].text, &cfg, err);

		if (r == 0) {
			pg_config_free(&cfg);
			fail_msg("case %zu parsed but should fail with: %s", i, cases[i].err);
		}
		if (r != -EINVAL || strcmp(err, cases[i].err))
			fail_msg("case %zu (%d):\n got: %s\nwant: %s", i, r, err, cases[i].err);
	}
}

#endif /* PGT_CONFIG_CASES_H */
