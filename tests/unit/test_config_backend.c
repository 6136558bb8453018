/* SPDX-License-Identifier: MIT */
/*
 * test_config_backend.c - [datapath] backend: the default, both values, and
 * the error for anything else; [datapath] workers: the default, the range,
 * and a table too small to share out.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "conf/config.h"

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

static void test_workers(void **state)
{
	struct pg_config cfg;
	char err[PG_CONFIG_ERR_SIZE] = "";

	(void)state;
	assert_int_equal(parse(HEAD, &cfg, err), 0);
	assert_int_equal(cfg.workers, 1);
	pg_config_free(&cfg);
	assert_int_equal(parse(HEAD "[datapath]\nworkers = 16\n", &cfg, err), 0);
	assert_int_equal(cfg.workers, 16);
	pg_config_free(&cfg);
	assert_int_equal(parse(HEAD "[datapath]\nworkers = 0\n", &cfg, err), -22);
	assert_non_null(strstr(err, "t.conf:9: [datapath] workers:"));
	assert_int_equal(parse(HEAD "[datapath]\nworkers = 17\n", &cfg, err), -22);
	assert_non_null(strstr(err, "t.conf:9: [datapath] workers:"));
	/* 1024 flows cannot be split two ways: each worker needs 1024. */
	assert_int_equal(parse(HEAD "[nat]\nmax_flows = 1024\nmax_flows_per_host = 0\n[datapath]\nworkers = 2\n", &cfg,
			       err),
			 -22);
	assert_string_equal(err, "t.conf:12: [datapath] workers: max_flows must be at least 1024 "
				 "per worker (max_flows 1024)");
	assert_int_equal(parse(HEAD "[nat]\nmax_flows = 2048\nmax_flows_per_host = 0\n[datapath]\nworkers = 2\n", &cfg,
			       err),
			 0);
	pg_config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backend_values),
		cmocka_unit_test(test_backend_errors),
		cmocka_unit_test(test_workers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
