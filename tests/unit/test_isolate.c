/* SPDX-License-Identifier: MIT */
/*
 * test_isolate.c - the daemon's steady state in a child process: after
 * pg_isolate_apply() it holds at most the capabilities it keeps, cannot
 * gain any (NoNewPrivs), runs under a seccomp filter, still makes the calls
 * the loop makes, and a call outside the allow-list kills it with SIGSYS
 * after one line naming the call.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "dp/isolate.h"

/* Run fn in a child with stderr into out; returns the wait status. */
static int in_child(void (*fn)(void), char *out, size_t outlen)
{
	int p[2], status = 0;
	ssize_t n;
	size_t len = 0;
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(p[1], STDERR_FILENO);
		close(p[0]);
		fn();
		_exit(0);
	}
	close(p[1]);
	while (len < outlen - 1 && (n = read(p[0], out + len, outlen - 1 - len)) > 0)
		len += (size_t)n;
	out[len] = '\0';
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void isolate(void)
{
	struct pg_isolate iso = {.user = NULL, .spawn = false, .seccomp = true};
	char err[256];

	if (pg_isolate_apply(&iso, err, sizeof(err))) {
		fprintf(stderr, "apply failed: %s\n", err);
		_exit(3);
	}
}

/* What the loop does stays allowed; /proc shows the filter and NoNewPrivs. */
static void steady(void)
{
	char buf[4096];
	struct timespec ts;
	FILE *f;

	isolate();
	clock_gettime(CLOCK_MONOTONIC, &ts);
	f = fopen("/proc/self/status", "re");
	if (!f)
		_exit(4);
	while (fgets(buf, sizeof(buf), f))
		if (!strncmp(buf, "Seccomp:", 8) || !strncmp(buf, "NoNewPrivs:", 11) ||
		    !strncmp(buf, "CapEff:", 7) || !strncmp(buf, "CapBnd:", 7))
			fputs(buf, stderr);
	fclose(f);
	_exit(0);
}

static void violate(void)
{
	isolate();
	/* getcpu: harmless, and no part of the daemon's steady state. */
	syscall(SYS_getcpu, NULL, NULL, NULL);
	_exit(5); /* not reached when the filter works */
}

static void test_steady_state(void **state)
{
	char out[4096];
	int st;

	(void)state;
	st = in_child(steady, out, sizeof(out));
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail_msg("child status 0x%x: %s", (unsigned int)st, out);
	assert_non_null(strstr(out, "privileges: user kept"));
	assert_non_null(strstr(out, "NoNewPrivs:\t1"));
	assert_non_null(strstr(out, "Seccomp:\t2"));
	/* At most net_admin (bit 12) is left, wherever the test ran. */
	assert_true(strstr(out, "CapEff:\t0000000000001000") ||
		    strstr(out, "CapEff:\t0000000000000000"));
}

static void test_violation_kills_with_a_line(void **state)
{
	char out[4096];
	int st;

	(void)state;
	st = in_child(violate, out, sizeof(out));
	if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGSYS)
		fail_msg("child status 0x%x, expected death by SIGSYS: %s", (unsigned int)st, out);
	assert_non_null(strstr(out, "passgated: seccomp: system call "));
	assert_non_null(strstr(out, "(getcpu) is not in the allow-list"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_steady_state),
		cmocka_unit_test(test_violation_kills_with_a_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
