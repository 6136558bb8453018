/* SPDX-License-Identifier: MIT */
/*
 * test_dnsmasq.c - the dnsmasq child's life cycle (src/ctl/dnsmasq.c) with
 * stand-in programs instead of dnsmasq: it is started with the documented
 * arguments and a written configuration, restarted when the settings
 * change, restarted with back-off when it dies and given up on after
 * PG_DNSMASQ_MAX_RESTARTS, held back until the device has the LAN address,
 * and stopped by its PID. A missing binary is a start-up error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf/config.h"
#include "ctl/dnsmasq.h"

#define CONF                                                                                       \
	"[lan]\ninterface = a0\naddress = 192.168.1.1/24\n[wan]\ninterface = b0\n"                 \
	"address = 198.51.100.2/24\ngateway = 198.51.100.1\n"                                      \
	"[dhcp]\nenable = on\nrange = 192.168.1.100 - 192.168.1.199\n"

static char dir[64];
static struct pg_dnsmasq dm;

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/pg-test-dnsmasq.XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	pg_dnsmasq_stop(&dm);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A stand-in for dnsmasq: a shell script with body. */
static void stand_in(const char *name, const char *body, char *path, size_t len)
{
	FILE *f;

	snprintf(path, len, "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	assert_int_equal(chmod(path, 0755), 0);
}

/* The test config, with the LAN address moved to loopback's so "lo" has it. */
static void config(struct pg_config *cfg, const char *extra)
{
	char text[1024], err[PG_CONFIG_ERR_SIZE];

	snprintf(text, sizeof(text), "%s%s", CONF, extra);
	if (pg_config_parse(cfg, "t.conf", text, strlen(text), err, sizeof(err)))
		fail_msg("%s", err);
	cfg->engine.lan_addr = htonl(INADDR_LOOPBACK);
}

static char *slurp(const char *path)
{
	static char buf[8192];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Tick until pred holds (the child is a real process: give it real time). */
static bool tick_until(struct pg_config *cfg, uint64_t *now, bool (*pred)(void), unsigned int ms)
{
	for (unsigned int t = 0; t < ms; t += 20) {
		pg_dnsmasq_tick(&dm, cfg, *now);
		if (pred())
			return true;
		sleep_ms(20);
	}
	return false;
}

static bool running(void)
{
	return dm.pid > 0;
}

static bool args_written(void)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/args", dir);
	return access(path, R_OK) == 0 && slurp(path) && strchr(slurp(path), '\n');
}

static void test_start_change_stop(void **state)
{
	struct pg_config cfg;
	char bin[128], body[256], err[256], path[160], *s;
	uint64_t now = 1000;
	pid_t first;

	(void)state;
	snprintf(body, sizeof(body), "echo \"$@\" > %s/args.tmp && mv %s/args.tmp %s/args\nexec sleep 30",
		 dir, dir, dir);
	stand_in("dm-sleep", body, bin, sizeof(bin));
	config(&cfg, "");
	snprintf(path, sizeof(path), "%s/run/sub", dir);
	assert_int_equal(pg_dnsmasq_init(&dm, &cfg, bin, path, "lo", err, sizeof(err)), 0);
	assert_true(tick_until(&cfg, &now, running, 100));
	assert_true(tick_until(&cfg, &now, args_written, 5000));
	snprintf(path, sizeof(path), "%s/args", dir);
	s = slurp(path);
	assert_non_null(s);
	assert_non_null(strstr(s, "--keep-in-foreground"));
	assert_non_null(strstr(s, "--pid-file"));
	assert_non_null(strstr(s, "--log-facility=-"));
	snprintf(path, sizeof(path), "--conf-file=%s/run/sub/dnsmasq.conf", dir);
	assert_non_null(strstr(s, path));
	/* The file it was given is there (the run directory was made). */
	s = slurp(path + strlen("--conf-file="));
	assert_non_null(s);
	assert_non_null(strstr(s, "\ninterface=lo\n"));
	assert_non_null(strstr(s, "dhcp-range=192.168.1.100,192.168.1.199,255.255.255.0,43200s"));

	/* Nothing changed: the same child keeps running. */
	first = dm.pid;
	now += 5000;
	pg_dnsmasq_tick(&dm, &cfg, now);
	assert_int_equal(dm.pid, first);
	assert_int_equal(kill(first, 0), 0);

	/* Another lease time (as the API would set it): a new child with it. */
	pg_config_free(&cfg);
	config(&cfg, "lease = 1h\n");
	pg_dnsmasq_tick(&dm, &cfg, now);
	assert_true(dm.pid > 0);
	assert_int_not_equal(dm.pid, first);
	/* The old one was stopped and reaped: its PID is gone. */
	assert_int_equal(kill(first, 0), -1);
	s = slurp(path + strlen("--conf-file="));
	assert_non_null(strstr(s, ",3600s\n"));

	/*
	 * passgated blocks SIGTERM for its signalfd; the child must not inherit
	 * that, or stopping it would wait out STOP_WAIT_MS and need SIGKILL.
	 */
	{
		sigset_t term, old;
		struct timespec t0, t1;
		char plain[128];
		pid_t p;

		/* Nothing before the exec: a shell that forks may reset its mask. */
		stand_in("dm-plain", "exec sleep 30", plain, sizeof(plain));
		snprintf(dm.bin, sizeof(dm.bin), "%s", plain);
		sigemptyset(&term);
		sigaddset(&term, SIGTERM);
		sigprocmask(SIG_BLOCK, &term, &old);
		pg_dnsmasq_stop(&dm);
		pg_dnsmasq_tick(&dm, &cfg, now); /* a new child, forked with SIGTERM blocked */
		sigprocmask(SIG_SETMASK, &old, NULL);
		p = dm.pid;
		assert_true(p > 0);
		sleep_ms(100); /* let the stand-in reach its exec of sleep */
		clock_gettime(CLOCK_MONOTONIC, &t0);
		pg_dnsmasq_stop(&dm);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		assert_true((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 < 2000);
		assert_int_equal(kill(p, 0), -1);
		pg_dnsmasq_tick(&dm, &cfg, now);
		assert_true(dm.pid > 0);
	}

	/* DHCP turned off: the child goes and does not come back. */
	first = dm.pid;
	cfg.dhcp.enabled = false;
	pg_dnsmasq_tick(&dm, &cfg, now + 60000);
	assert_int_equal(dm.pid, 0);
	assert_int_equal(kill(first, 0), -1);
	pg_dnsmasq_tick(&dm, &cfg, now + 120000);
	assert_int_equal(dm.pid, 0);
	pg_config_free(&cfg);
}

static void test_restart_limit(void **state)
{
	struct pg_config cfg;
	char bin[128], body[128], err[256], path[128], *s;
	uint64_t now = 1000;
	unsigned int starts = 0;

	(void)state;
	snprintf(body, sizeof(body), "echo start >> %s/starts\nexit 3", dir);
	stand_in("dm-die", body, bin, sizeof(bin));
	config(&cfg, "");
	assert_int_equal(pg_dnsmasq_init(&dm, &cfg, bin, dir, "lo", err, sizeof(err)), 0);
	/* Each tick a minute later: every back-off has passed, none counts as stable. */
	for (unsigned int i = 0; i < 400 && !dm.gave_up; i++) {
		pg_dnsmasq_tick(&dm, &cfg, now);
		if (dm.pid > 0)
			sleep_ms(20);
		else
			now += 60000;
	}
	assert_true(dm.gave_up);
	snprintf(path, sizeof(path), "%s/starts", dir);
	s = slurp(path);
	assert_non_null(s);
	for (; (s = strchr(s, '\n')); s++)
		starts++;
	assert_int_equal(starts, PG_DNSMASQ_MAX_RESTARTS + 1);
	/* Given up: no more starts, however long we wait, with the same settings. */
	now += 3600000;
	assert_false(tick_until(&cfg, &now, running, 100));
	/* Other settings: a new try. */
	pg_config_free(&cfg);
	config(&cfg, "lease = 2h\n");
	pg_dnsmasq_tick(&dm, &cfg, now);
	assert_false(dm.gave_up);
	assert_true(dm.pid > 0);
	pg_dnsmasq_stop(&dm);
	pg_config_free(&cfg);
}

/* The back-off doubles: a death is not followed by a start within the delay. */
static void test_backoff(void **state)
{
	struct pg_config cfg;
	char bin[128], err[256];
	uint64_t now = 1000;

	(void)state;
	stand_in("dm-die2", "exit 1", bin, sizeof(bin));
	config(&cfg, "");
	assert_int_equal(pg_dnsmasq_init(&dm, &cfg, bin, dir, "lo", err, sizeof(err)), 0);
	pg_dnsmasq_tick(&dm, &cfg, now);
	assert_true(dm.pid > 0);
	while (dm.pid > 0) {
		sleep_ms(20);
		pg_dnsmasq_tick(&dm, &cfg, now);
	}
	assert_int_equal(dm.deaths, 1);
	pg_dnsmasq_tick(&dm, &cfg, now + 999);
	assert_int_equal(dm.pid, 0);
	pg_dnsmasq_tick(&dm, &cfg, now + 1000);
	assert_true(dm.pid > 0);
	while (dm.pid > 0) {
		sleep_ms(20);
		pg_dnsmasq_tick(&dm, &cfg, now + 1000);
	}
	assert_int_equal(dm.deaths, 2);
	pg_dnsmasq_tick(&dm, &cfg, now + 2999);
	assert_int_equal(dm.pid, 0);
	pg_dnsmasq_tick(&dm, &cfg, now + 3000);
	assert_true(dm.pid > 0);
	pg_dnsmasq_stop(&dm);
	pg_config_free(&cfg);
}

/* Until the device carries the LAN address, dnsmasq is not started. */
static void test_waits_for_address(void **state)
{
	struct pg_config cfg;
	char bin[128], err[256];

	(void)state;
	stand_in("dm-wait", "exec sleep 30", bin, sizeof(bin));
	config(&cfg, "");
	cfg.engine.lan_addr = htonl(0xc0a80101); /* 192.168.1.1: not on lo */
	assert_int_equal(pg_dnsmasq_init(&dm, &cfg, bin, dir, "lo", err, sizeof(err)), 0);
	for (int i = 0; i < 5; i++)
		pg_dnsmasq_tick(&dm, &cfg, 1000 + (uint64_t)i * 1000);
	assert_int_equal(dm.pid, 0);
	assert_false(pg_dnsmasq_dev_has_addr("no-such-dev0", htonl(INADDR_LOOPBACK)));
	assert_true(pg_dnsmasq_dev_has_addr("lo", htonl(INADDR_LOOPBACK)));
	assert_false(pg_dnsmasq_dev_has_addr("a-name-far-too-long-for-a-device", 0));
	/* The address arrives: started. */
	cfg.engine.lan_addr = htonl(INADDR_LOOPBACK);
	pg_dnsmasq_tick(&dm, &cfg, 10000);
	assert_true(dm.pid > 0);
	pg_dnsmasq_stop(&dm);
	assert_int_equal(dm.pid, 0);
	pg_config_free(&cfg);
}

static void test_missing_binary(void **state)
{
	struct pg_config cfg;
	char err[512] = "", bin[128];

	(void)state;
	snprintf(bin, sizeof(bin), "%s/no-dnsmasq-here", dir);
	config(&cfg, "");
	assert_int_equal(pg_dnsmasq_init(&dm, &cfg, bin, dir, "lo", err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "dnsmasq-base"));
	assert_non_null(strstr(err, "no-dnsmasq-here"));
	/* Not asked for: no error, nothing to run. */
	cfg.dhcp.enabled = false;
	assert_int_equal(pg_dnsmasq_init(&dm, &cfg, bin, dir, "lo", err, sizeof(err)), 0);
	pg_dnsmasq_tick(&dm, &cfg, 1000);
	assert_int_equal(dm.pid, 0);
	pg_config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_start_change_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backoff, setup, teardown),
		cmocka_unit_test_setup_teardown(test_waits_for_address, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_binary, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
