/* SPDX-License-Identifier: MIT */
/*
 * sdnotify.h - passgated's side of systemd's Type=notify protocol: READY
 * once the data path runs, RELOADING and READY around a reload, STOPPING,
 * STATUS lines, and WATCHDOG keep-alives from the poll loop. Without
 * NOTIFY_SOCKET (started by hand, by the tests) every call does nothing.
 */
#ifndef PG_SDNOTIFY_H
#define PG_SDNOTIFY_H

#include <stdint.h>

/* Read WatchdogSec= from the environment (WATCHDOG_USEC); call once. */
void pg_sd_init(void);

/* READY=1 with a STATUS= line. */
void pg_sd_ready(const char *status);

/* RELOADING=1 before a reload is applied; pg_sd_ready() after it. */
void pg_sd_reloading(void);

/* STOPPING=1 when the loop ends. */
void pg_sd_stopping(void);

/*
 * WATCHDOG=1 when half the watchdog interval has passed since the last one.
 * Called once per loop iteration with CLOCK_MONOTONIC milliseconds: a loop
 * that stops turning stops the keep-alives, and systemd restarts the
 * daemon.
 */
void pg_sd_watchdog(uint64_t now_ms);

#endif /* PG_SDNOTIFY_H */
