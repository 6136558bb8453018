/* SPDX-License-Identifier: MIT */
/*
 * ctl_thread.c - the control thread's loop (ctl_thread.h).
 *
 * Theory of operation. The data path's thread only moves packets and,
 * between two passes, runs jobs this thread hands it (dp/handoff.h): copy
 * a page of flows, the counters, swap in a configuration, arm a capture.
 * Everything else happens here: libmicrohttpd's connections (its epoll
 * descriptor is polled here), request parsing, yescrypt password checks
 * (tens of milliseconds each, on purpose), JSON and metrics text, the
 * configuration file's write and fsync, the log lines of VPN events, and
 * dnsmasq's fork, exec and reaping. A slow request or a flood of logins
 * therefore delays other requests, never packets. The engine keeps no
 * lock: it is still touched by one thread only, the data path's.
 *
 * This thread also forks dnsmasq, whose PR_SET_PDEATHSIG follows the
 * thread that forked it: so dnsmasq is stopped here, before the thread
 * ends, not by the daemon's main thread.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "ctl/ctl_thread.h"
#include "dp/sdnotify.h"
#include "util/log.h"

#define CTL_POLL_MS 100	      /* events are logged at most this late */
#define DNSMASQ_TICK_MS 1000 /* dnsmasq's start, reaping and restarts */
#define CTL_NICE 10	      /* the control thread yields the core to the data path */

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void handle_posted(struct pg_ctl *c, unsigned int what)
{
	if (what & PG_CTL_RELOAD) {
		char msg[PG_CONFIG_ERR_SIZE + 64];

		/* Logged there, success or refusal; either way a configuration runs
		 * again: READY=1 ends the RELOADING=1 the signal's receiver sent. */
		pg_api_reload(c->api, msg, sizeof(msg));
		pg_sd_ready("running");
	}
	if (what & PG_CTL_STATUS)
		pg_api_log_status(c->api);
}

static void loop_run(struct pg_ctl *c)
{
	struct pollfd pfd[2] = {
		{.fd = c->wake_fd, .events = POLLIN},
		{.fd = pg_api_fd(c->api), .events = POLLIN}, /* -1: not listening */
	};
	uint64_t dns_due = 0;

	for (;;) {
		int timeout = CTL_POLL_MS, api_t = pg_api_timeout_ms(c->api);
		unsigned int what;
		uint64_t now, v;

		if (api_t >= 0 && api_t < timeout)
			timeout = api_t;
		if (poll(pfd, 2, timeout) < 0 && errno != EINTR) {
			pg_err("control thread: poll: %s", strerror(errno));
			break;
		}
		if ((pfd[0].revents & POLLIN) && read(c->wake_fd, &v, sizeof(v)) < 0)
			v = 0; /* EAGAIN: a race with another post, harmless */
		now = now_ms();
		what = atomic_exchange(&c->posted, 0u);
		if (what & PG_CTL_STOP)
			break;
		handle_posted(c, what);
		pg_api_run(c->api, now);
		pg_api_drain_events(c->api, c->engines, now);
		if (c->dnsmasq && now >= dns_due) {
			/* DHCP and DNS: started, restarted, re-read after an API change. */
			pg_dnsmasq_tick(c->dnsmasq, pg_api_dnsmasq_view(c->api, c->cfg), now);
			dns_due = now + DNSMASQ_TICK_MS;
		}
	}
	if (c->dnsmasq)
		pg_dnsmasq_stop(c->dnsmasq);
}

static void *loop(void *arg)
{
	struct pg_ctl *c = arg;

	/*
	 * Below the data path when both want a core (a small router has one or
	 * two): a login's hash check waits, packets do not. Best effort.
	 */
	if (setpriority(PRIO_PROCESS, (id_t)gettid(), CTL_NICE))
		pg_debug("control thread: setpriority: %s", strerror(errno));
	loop_run(c);
	atomic_store(&c->exited, true);
	return NULL;
}

int pg_ctl_start(struct pg_ctl *c, struct pg_api *api, struct pg_dnsmasq *dnsmasq,
		 const struct pg_config *cfg, struct pg_engines *engines,
		 struct pg_handoff *handoff, char *err, size_t errlen)
{
	int r;

	memset(c, 0, sizeof(*c));
	c->api = api;
	c->dnsmasq = dnsmasq;
	c->cfg = cfg;
	c->engines = engines;
	c->handoff = handoff;
	atomic_init(&c->posted, 0u);
	atomic_init(&c->exited, false);
	c->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (c->wake_fd < 0) {
		r = -errno;
		snprintf(err, errlen, "control thread: eventfd: %s", strerror(-r));
		return r;
	}
	r = pthread_create(&c->thread, NULL, loop, c);
	if (r) {
		close(c->wake_fd);
		snprintf(err, errlen, "control thread: %s", strerror(r));
		return -r;
	}
	pthread_setname_np(c->thread, "pg-control");
	return 0;
}

void pg_ctl_post(struct pg_ctl *c, unsigned int what)
{
	uint64_t one = 1;

	atomic_fetch_or(&c->posted, what);
	if (write(c->wake_fd, &one, sizeof(one)) < 0)
		return; /* the counter is full: the thread is awake anyway */
}

void pg_ctl_stop(struct pg_ctl *c)
{
	struct pollfd pfd = {.fd = pg_handoff_fd(c->handoff), .events = POLLIN};

	pg_ctl_post(c, PG_CTL_STOP);
	/* It may be waiting for a job of ours: keep serving until it is out. */
	while (!atomic_load(&c->exited)) {
		if (!pg_handoff_serve(c->handoff) && poll(&pfd, 1, 10) > 0)
			pg_handoff_woken(c->handoff);
	}
	pthread_join(c->thread, NULL);
	close(c->wake_fd);
}
