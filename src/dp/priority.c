/* SPDX-License-Identifier: MIT */
/*
 * priority.c - the data path thread's CPU priority (issue 21 item 5).
 *
 * Why the session matters: with autogroup (CONFIG_SCHED_AUTOGROUP, on by
 * default in Debian's kernels and in the one these tests run on) the
 * scheduler first shares a core between sessions, each session's group
 * weighing as one nice-0 task, and only then between the threads of a
 * session by their nice levels. A thread's nice -10 then only ranks it
 * above its own control thread: against any other session's program on the
 * core it gets an equal share, however many of them there are. Linux's own
 * forwarding runs in softirq context, outside every group, so on a busy
 * core Linux NAT kept its rate while passgated's thread waited its group's
 * turn and its ring overflowed (issue 21 item 5; the measurements are in
 * bench/BENCHMARKS.md "Shared core").
 *
 * The group's nice is the session's (/proc/self/autogroup), so it is set
 * only when this process leads its session: as a systemd service it does
 * (every service runs in a session of its own), and then the group holds
 * nothing but passgated and the programs it starts. From a shell the group
 * is the shell's whole session: left alone, and said once in the log.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "dp/priority.h"
#include "util/log.h"

/* Is autogroup on? Absent (kernel without it) counts as off. */
static bool autogroup_on(void)
{
	FILE *f = fopen("/proc/sys/kernel/sched_autogroup_enabled", "r");
	int on = 0;

	if (!f)
		return false;
	if (fscanf(f, "%d", &on) != 1)
		on = 0;
	fclose(f);
	return on == 1;
}

static int autogroup_set_nice(int nice)
{
	FILE *f = fopen("/proc/self/autogroup", "w");
	int r = 0;

	if (!f)
		return -errno;
	if (fprintf(f, "%d", nice) < 0)
		r = -EIO;
	/* The kernel checks the value on write, which fclose() flushes. */
	if (fclose(f) && !r)
		r = -errno;
	return r;
}

void pg_priority_raise(int nice)
{
	int r;

	if (setpriority(PRIO_PROCESS, (id_t)gettid(), nice))
		pg_debug("data path: setpriority: %s", strerror(errno));
	if (!autogroup_on())
		return;
	if (getsid(0) != getpid()) {
		pg_info("data path: the kernel schedules sessions as groups (autogroup) and passgated "
			"shares its session's: its nice %d counts only inside it; run it as a service "
			"or with setsid so that it gets a group of its own",
			nice);
		return;
	}
	r = autogroup_set_nice(nice);
	if (r)
		pg_warn("data path: the session group's nice %d (/proc/self/autogroup): %s", nice,
			strerror(-r));
}
