/* SPDX-License-Identifier: MIT */
/*
 * child.h - programs passgated runs on the host side: a supervised daemon
 * (spawned, reaped later) or a short command waited for (ip, nft, wg).
 * Both from the control thread, with vfork (dnsmasq.c says why) and
 * PR_SET_PDEATHSIG, every descriptor above 2 closed in the child.
 */
#ifndef PG_CHILD_H
#define PG_CHILD_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Start argv[0] (an absolute path) with argv and envp (NULL: an empty
 * environment) without waiting; its stdout and stderr are the daemon's.
 * Returns the PID, or -errno.
 */
pid_t pg_child_spawn(char *const argv[], char *const envp[]);

/*
 * Run argv to its end (SIGKILL after timeout_ms), input (NULL: none; at
 * most 64 KiB) on its stdin, and return 0 if it exited with status 0, else
 * -1 with the first line of its output (or how it ended) in msg; -errno if
 * it could not be started.
 */
int pg_child_run(char *const argv[], const char *input, unsigned int timeout_ms, char *msg,
		 size_t msglen);

/* SIGTERM to pid, wait up to wait_ms for it, then SIGKILL; *status as waitpid's. */
void pg_child_stop(pid_t pid, unsigned int wait_ms, int *status);

/* How a waitpid() status ended, for the log. */
void pg_child_describe(int status, char *buf, size_t len);

#endif /* PG_CHILD_H */
