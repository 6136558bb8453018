/* SPDX-License-Identifier: MIT */
/*
 * priority.h - the data path thread's CPU priority: its own nice level and,
 * where the kernel groups sessions (autogroup), its session's.
 */
#ifndef PG_PRIORITY_H
#define PG_PRIORITY_H

/*
 * Give the calling thread nice level `nice` and, when autogroup is on and
 * this process leads its session (a service, or started with setsid), the
 * session's group too. Best effort: what could not be done is logged.
 * Negative levels need CAP_SYS_NICE: call before dropping privileges.
 */
void pg_priority_raise(int nice);

#endif /* PG_PRIORITY_H */
