/* SPDX-License-Identifier: MIT */
/*
 * test_statefile.c - flows across a restart (dp/statefile.c): the table a
 * stopping daemon writes comes back in the next one and translates every
 * flow as before; a file from another configuration, a damaged one or one
 * older than the longest timeout is refused whole, and read only once; a
 * set of two workers' engines takes a file one engine wrote, each flow on
 * the worker that owns it.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "dp/statefile.h"
#include "sync_mix.h"

static char dir[] = "/tmp/pg-statefile.XXXXXX";
static uint8_t hash[PG_CONFIG_HASH] = { 1, 2, 3 };

static char *file_path(void)
{
	static char p[256];

	snprintf(p, sizeof(p), "%s/%s", dir, PG_STATEFILE_NAME);
	return p;
}

static int sf_setup(void **state)
{
	assert_non_null(mkdtemp(dir));
	return setup(state);
}

static int sf_teardown(void **state)
{
	unlink(file_path());
	rmdir(dir);
	memcpy(dir + strlen(dir) - 6, "XXXXXX", 6);
	return teardown(state);
}

static void test_restart_translates_alike(void **state)
{
	struct pg_engine *a = pgt_engine_default(), *b = pgt_engine_default();
	struct pg_engines sa = PG_ENGINES_ONE(a), sb = PG_ENGINES_ONE(b);
	struct pg_sync_import_stats st = { 0 };
	const char *why = NULL;
	uint32_t age = 99;

	(void)state;
	traffic(a);
	assert_int_equal(pg_statefile_save(dir, &sa, hash, now_ms), pg_engine_flow_count(a));
	assert_int_equal(access(file_path(), R_OK), 0);
	now_ms += 2000; /* the restart's gap: the new daemon's clock has moved on */
	assert_int_equal(pg_statefile_load(dir, &sb, hash, 7440, now_ms, &st, &age, &why), 0);
	assert_true(age <= 1);
	assert_int_equal(st.malformed + st.conflicts + st.full + st.expired, 0);
	assert_int_equal(pg_engine_flow_count(b), pg_engine_flow_count(a));
	/* Read once. */
	assert_int_equal(access(file_path(), R_OK), -1);
	assert_int_equal(pg_statefile_load(dir, &sb, hash, 7440, now_ms, &st, &age, &why), 1);
	replay_alike(a, b);
	pg_engine_destroy(a);
	pg_engine_destroy(b);
}

static void test_refused_files(void **state)
{
	struct pg_engine *a = pgt_engine_default(), *b = pgt_engine_default();
	struct pg_engines sa = PG_ENGINES_ONE(a), sb = PG_ENGINES_ONE(b);
	struct pg_sync_import_stats st = { 0 };
	uint8_t other[PG_CONFIG_HASH] = { 9 };
	const char *why = NULL;
	uint32_t age;
	FILE *f;

	(void)state;
	traffic(a);
	/* Another configuration. */
	assert_true(pg_statefile_save(dir, &sa, hash, now_ms) > 0);
	assert_int_equal(pg_statefile_load(dir, &sb, other, 7440, now_ms, &st, &age, &why),
			 -EINVAL);
	assert_string_equal(why, "written with another configuration");
	assert_int_equal(access(file_path(), R_OK), -1); /* gone all the same */
	/* Damaged: one byte of a record changed. */
	assert_true(pg_statefile_save(dir, &sa, hash, now_ms) > 0);
	f = fopen(file_path(), "r+");
	assert_non_null(f);
	fseek(f, 200, SEEK_SET);
	fputc(0x55, f);
	fclose(f);
	assert_int_equal(pg_statefile_load(dir, &sb, hash, 7440, now_ms, &st, &age, &why), -EINVAL);
	assert_string_equal(why, "damaged (length or digest)");
	/* Cut short. */
	assert_true(pg_statefile_save(dir, &sa, hash, now_ms) > 0);
	assert_int_equal(truncate(file_path(), 100), 0);
	assert_int_equal(pg_statefile_load(dir, &sb, hash, 7440, now_ms, &st, &age, &why), -EINVAL);
	assert_int_equal(pg_engine_flow_count(b), 0);
	assert_int_equal(st.applied, 0);
	pg_engine_destroy(a);
	pg_engine_destroy(b);
}

/* One engine wrote it, two workers read it: every flow lands on its owner. */
static void test_workers_take_a_single_engines_file(void **state)
{
	struct pg_engine *a = pgt_engine_default();
	struct pg_engines sa = PG_ENGINES_ONE(a), set;
	struct pg_engine_config cfg;
	struct pg_sync_import_stats st = { 0 };
	const char *why = NULL;
	uint32_t age;

	(void)state;
	traffic(a);
	pgt_config(&cfg);
	cfg.max_flows = 8192;
	assert_int_equal(pg_engines_create(&set, &cfg, 2), 0);
	set.map.seed = 0x1234567; /* as the daemon's start would pick */
	assert_true(pg_statefile_save(dir, &sa, hash, now_ms) > 0);
	assert_int_equal(pg_statefile_load(dir, &set, hash, 7440, now_ms, &st, &age, &why), 0);
	assert_int_equal(st.malformed + st.conflicts + st.full, 0);
	assert_int_equal(pg_engines_flow_count(&set), pg_engine_flow_count(a));
	assert_true(pg_engine_flow_count(set.e[0]) > 0 && pg_engine_flow_count(set.e[1]) > 0);
	pg_engines_destroy(&set);
	pg_engine_destroy(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_restart_translates_alike, sf_setup,
						sf_teardown),
		cmocka_unit_test_setup_teardown(test_refused_files, sf_setup, sf_teardown),
		cmocka_unit_test_setup_teardown(test_workers_take_a_single_engines_file, sf_setup,
						sf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
