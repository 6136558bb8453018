/* SPDX-License-Identifier: MIT */
/*
 * test_priority.c - the data path's priority (src/dp/priority.c) in child
 * processes: a session leader gets nice -10 for its thread and for its
 * session's scheduling group (autogroup); a process that does not lead its
 * session leaves the group as it was (it is the shell's) and says why.
 * Needs root (a negative nice) and a kernel with autogroup on; skipped
 * with the reason otherwise.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "dp/priority.h"

/* The nice of this process's autogroup, or 99 when it cannot be read. */
static int group_nice(void)
{
	FILE *f = fopen("/proc/self/autogroup", "r");
	int nice = 99;

	if (!f)
		return 99;
	if (fscanf(f, "/autogroup-%*d nice %d", &nice) != 1)
		nice = 99;
	fclose(f);
	return nice;
}

static bool can_run(void)
{
	FILE *f = fopen("/proc/sys/kernel/sched_autogroup_enabled", "r");
	int on = 0;

	if (f) {
		if (fscanf(f, "%d", &on) != 1)
			on = 0;
		fclose(f);
	}
	if (on != 1) {
		print_message("skipped: autogroup is off or absent in this kernel\n");
		return false;
	}
	if (geteuid() != 0) {
		print_message("skipped: a negative nice needs root (CAP_SYS_NICE)\n");
		return false;
	}
	return true;
}

/*
 * In a child in a new session (its leader when lead, else a second process
 * in it): raise, then exit 0 when the thread's and the group's nice are
 * what they must be, or a code naming what is not. The session is new
 * either way, so its group starts at nice 0 and a wrong raise by the
 * non-leader shows (in the test runner's own group it could not, were that
 * at -10 already, and would be left there).
 */
static int child_status(bool lead, int *before)
{
	int p[2], status = 0;
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int b, after;

		close(p[0]);
		if (setsid() < 0)
			_exit(10);
		if (!lead) {
			pid_t g = fork();
			int st;

			if (g < 0)
				_exit(15);
			if (g > 0) {
				close(p[1]);
				_exit(waitpid(g, &st, 0) == g && WIFEXITED(st) ? WEXITSTATUS(st) : 16);
			}
		}
		b = group_nice();
		if (write(p[1], &b, sizeof(b)) != sizeof(b))
			_exit(11);
		pg_priority_raise(-10);
		errno = 0;
		if (getpriority(PRIO_PROCESS, 0) != -10 || errno)
			_exit(12);
		after = group_nice();
		if (lead && after != -10)
			_exit(13);
		if (!lead && after != b)
			_exit(14);
		_exit(0);
	}
	close(p[1]);
	assert_int_equal(read(p[0], before, sizeof(*before)), sizeof(*before));
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void test_session_leader_raises_its_group(void **state)
{
	int before = 0;

	(void)state;
	if (!can_run())
		skip();
	/* A new session's group starts at nice 0 and must end at -10. */
	assert_int_equal(child_status(true, &before), 0);
	assert_int_equal(before, 0);
}

static void test_non_leader_leaves_the_shells_group(void **state)
{
	int before = 0;

	(void)state;
	if (!can_run())
		skip();
	/* The thread still gets -10; the group keeps its nice, 0. */
	assert_int_equal(child_status(false, &before), 0);
	assert_int_equal(before, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_session_leader_raises_its_group),
		cmocka_unit_test(test_non_leader_leaves_the_shells_group),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
