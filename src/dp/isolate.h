/* SPDX-License-Identifier: MIT */
/*
 * isolate.h - what passgated gives up once its links, devices and sockets
 * are open: root (it becomes the user passgate when that user exists), every
 * capability it no longer needs, and every system call the steady state
 * does not make (a seccomp allow-list).
 */
#ifndef PG_ISOLATE_H
#define PG_ISOLATE_H

#include <stdbool.h>
#include <stddef.h>

#define PG_ISOLATE_USER "passgate"
#define PG_ISOLATE_DIRS_MAX 4

struct pg_isolate {
	const char *user;		      /* switched to when it exists and we are root */
	const char *dirs[PG_ISOLATE_DIRS_MAX]; /* handed to that user (NULL: unused slot) */
	bool spawn;			      /* dnsmasq may be started: fork, execve, its caps */
	bool seccomp;			      /* install the allow-list */
};

/*
 * Drop to the steady state described by iso. Only the calling thread's
 * capabilities change (threads started before lose theirs anyway when the
 * user changes); the seccomp filter covers every thread. Returns 0, or
 * -errno with err set; a failure leaves the process in an unknown mix and
 * the daemon must stop.
 */
int pg_isolate_apply(const struct pg_isolate *iso, char *err, size_t errlen);

/* The user passgated switched to, or NULL when it kept its own. */
const char *pg_isolate_user(void);

#endif /* PG_ISOLATE_H */
