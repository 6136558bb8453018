/* SPDX-License-Identifier: MIT */
/*
 * test_config_backend.c - [datapath] backend: the default, both values, and
 * the error for anything else.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"

#define HEAD                                                                                       \
	"[lan]\ninterface = a0\naddress = 192.168.1.1/24\n[wan]\ninterface = b0\n"                 \
	"address = 198.51.100.2/24\ngateway = 198.51.100.1\n"

static int parse(const char *text, struct pg_config *cfg, char *err)
{
	return pg_config_parse(cfg, "t.conf", text, strlen(text), err, PG_CONFIG_ERR_SIZE);
}

static void test_backend_values(void **state)
{
	static const struct {
		const char *text;
		enum pg_backend want;
	} cases[] = {
		{HEAD, PG_BACKEND_AUTO},
		{HEAD "[datapath]\nbackend = auto\n", PG_BACKEND_AUTO},
		{HEAD "[datapath]\nbackend = afpacket\n", PG_BACKEND_AFPACKET},
		{HEAD "[datapath]\nbackend = afxdp   # fast path\n", PG_BACKEND_AFXDP},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pg_config cfg;
		char err[PG_CONFIG_ERR_SIZE] = "";

		if (parse(cases[i].text, &cfg, err))
			fail_msg("case %zu: %s", i, err);
		assert_int_equal(cfg.backend, cases[i].want);
		pg_config_free(&cfg);
	}
}

static void test_backend_errors(void **state)
{
	struct pg_config cfg;
	char err[PG_CONFIG_ERR_SIZE] = "";

	(void)state;
	assert_int_not_equal(parse(HEAD "[datapath]\nbackend = dpdk\n", &cfg, err), 0);
	assert_string_equal(err, "t.conf:9: [datapath] backend: expected 'auto', 'afpacket' or 'afxdp'");
	assert_int_not_equal(
		parse(HEAD "[datapath]\nbackend = afxdp\nbackend = afpacket\n", &cfg, err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backend_values),
		cmocka_unit_test(test_backend_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
