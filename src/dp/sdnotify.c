/* SPDX-License-Identifier: MIT */
/*
 * sdnotify.c - systemd notifications through libsystemd's sd_notify(): the
 * library finds NOTIFY_SOCKET itself and returns 0 when it is not set.
 * Failures are ignored on purpose: a supervisor that stops listening must
 * not stop the gateway (systemd's own timeouts report it).
 */
#include <stdio.h>
#include <time.h>

#include <systemd/sd-daemon.h>

#include "dp/sdnotify.h"

static uint64_t watchdog_ms; /* half of WatchdogSec, 0: no watchdog */
static uint64_t watchdog_next;

void pg_sd_init(void)
{
	uint64_t usec;

	/* 0: keep WATCHDOG_USEC in the environment (dnsmasq ignores it). */
	if (sd_watchdog_enabled(0, &usec) > 0 && usec >= 2000)
		watchdog_ms = usec / 2000;
}

void pg_sd_ready(const char *status)
{
	sd_notifyf(0, "READY=1\nSTATUS=%s", status);
}

void pg_sd_reloading(void)
{
	struct timespec ts;

	/* MONOTONIC_USEC lets systemd 253+ match READY=1 to this reload. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	sd_notifyf(0, "RELOADING=1\nSTATUS=reloading\nMONOTONIC_USEC=%llu",
		   (unsigned long long)ts.tv_sec * 1000000ull +
			   (unsigned long long)ts.tv_nsec / 1000);
}

void pg_sd_stopping(void)
{
	sd_notify(0, "STOPPING=1\nSTATUS=stopping");
}

void pg_sd_watchdog(uint64_t now_ms)
{
	if (!watchdog_ms || now_ms < watchdog_next)
		return;
	sd_notify(0, "WATCHDOG=1");
	watchdog_next = now_ms + watchdog_ms;
}
