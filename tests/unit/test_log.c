/* SPDX-License-Identifier: MIT */
/*
 * test_log.c - the log's destinations: [log] syslog read from the config
 * file (and refused when it is not a switch), lines sent to syslog without
 * harm when no syslog daemon listens, levels filtering what is written, the
 * journal's priority prefixes, the debug tap the admin page's log reads
 * (debug lines only, oldest first, the oldest dropped when full).
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf/config.h"
#include "util/log.h"

static const char base[] = "[lan]\ninterface = lan0\naddress = 192.168.1.1/24\n"
			   "[wan]\ninterface = wan0\naddress = 198.51.100.2/24\n"
			   "gateway = 198.51.100.1\n[log]\n";

static int parse(const char *log_section, struct pg_config *cfg, char *err, size_t errlen)
{
	char text[512];

	snprintf(text, sizeof(text), "%s%s", base, log_section);
	return pg_config_parse(cfg, "t", text, strlen(text), err, errlen);
}

static void test_syslog_setting(void **state)
{
	struct pg_config cfg;
	char err[PG_CONFIG_ERR_SIZE];

	(void)state;
	assert_int_equal(parse("level = debug\n", &cfg, err, sizeof(err)), 0);
	assert_false(cfg.log_syslog); /* stderr unless asked */
	pg_config_free(&cfg);
	assert_int_equal(parse("syslog = on\n", &cfg, err, sizeof(err)), 0);
	assert_true(cfg.log_syslog);
	pg_config_free(&cfg);
	assert_int_not_equal(parse("syslog = maybe\n", &cfg, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "[log] syslog"));
}

/* Read what the log wrote to stderr while fn ran. */
static void capture_stderr(void (*fn)(void), char *out, size_t outlen)
{
	FILE *tmp = tmpfile();
	int saved = dup(STDERR_FILENO);
	size_t n;

	assert_non_null(tmp);
	assert_true(saved >= 0);
	dup2(fileno(tmp), STDERR_FILENO);
	fn();
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(tmp);
	n = fread(out, 1, outlen - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
}

static void log_some(void)
{
	pg_log_set_level(PG_LOG_WARN);
	pg_info("not shown");
	pg_warn("shown %d", 1);
	/* No syslog daemon in a test: syslog(3) drops the line, the daemon goes on. */
	pg_log_set_syslog(true, "test_log");
	pg_warn("to syslog");
	pg_log_set_syslog(false, NULL);
	pg_err("back on stderr");
	pg_log_set_level(PG_LOG_INFO);
}

static void test_levels_and_destinations(void **state)
{
	char out[1024];

	(void)state;
	capture_stderr(log_some, out, sizeof(out));
	assert_null(strstr(out, "not shown"));
	assert_non_null(strstr(out, "Z warn: shown 1\n"));
	assert_null(strstr(out, "to syslog"));
	assert_non_null(strstr(out, "Z error: back on stderr\n"));
}

static void log_journal(void)
{
	pg_log_set_journal(true);
	pg_warn("to the journal %d", 1);
	pg_info("info line");
	pg_log_set_journal(false);
}

/* Under systemd: "<N>" priority prefixes (sd-daemon(3)), no timestamp. */
static void test_journal_prefix(void **state)
{
	char out[1024];

	(void)state;
	capture_stderr(log_journal, out, sizeof(out));
	assert_string_equal(out, "<4>warn: to the journal 1\n<6>info: info line\n");
	/* JOURNAL_STREAM naming another stream than stderr's is not the journal. */
	setenv("JOURNAL_STREAM", "1:1", 1);
	assert_false(pg_log_detect_journal());
	unsetenv("JOURNAL_STREAM");
	assert_false(pg_log_detect_journal());
}

static void test_debug_tap(void **state)
{
	char line[PG_LOG_TAP_LINE_MAX];
	uint64_t lost = 1;
	int fd = dup(STDERR_FILENO), null = open("/dev/null", O_WRONLY);

	(void)state;
	/* The lines themselves go to stderr too: not into the test's output. */
	assert_true(fd >= 0 && null >= 0 && dup2(null, STDERR_FILENO) >= 0);
	close(null);
	pg_log_set_level(PG_LOG_DEBUG);
	pg_debug("before the tap is on");
	assert_false(pg_log_tap_take(line, sizeof(line), NULL));
	pg_log_tap_enable(true);
	pg_info("an info line");
	pg_debug("neighbour %d", 1);
	pg_log_set_level(PG_LOG_INFO);
	pg_debug("not written at level info");
	assert_true(pg_log_tap_take(line, sizeof(line), &lost));
	assert_string_equal(line, "neighbour 1");
	assert_int_equal(lost, 0);
	assert_false(pg_log_tap_take(line, sizeof(line), NULL));
	/* 70 into 64 places: the 6 oldest go, counted. */
	pg_log_set_level(PG_LOG_DEBUG);
	for (int i = 0; i < 70; i++)
		pg_debug("line %d", i);
	assert_true(pg_log_tap_take(line, sizeof(line), &lost));
	assert_string_equal(line, "line 6");
	assert_int_equal(lost, 6);
	for (int i = 7; i < 70; i++)
		assert_true(pg_log_tap_take(line, sizeof(line), NULL));
	assert_string_equal(line, "line 69");
	assert_false(pg_log_tap_take(line, sizeof(line), NULL));
	pg_log_tap_enable(false);
	pg_debug("off again");
	assert_false(pg_log_tap_take(line, sizeof(line), NULL));
	pg_log_set_level(PG_LOG_INFO);
	assert_true(dup2(fd, STDERR_FILENO) >= 0);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syslog_setting),
		cmocka_unit_test(test_levels_and_destinations),
		cmocka_unit_test(test_journal_prefix),
		cmocka_unit_test(test_debug_tap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
