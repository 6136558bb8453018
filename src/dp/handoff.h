/* SPDX-License-Identifier: MIT */
/*
 * handoff.h - how the control thread reaches the data path: a one-slot
 * mailbox of bounded jobs that the data path's thread runs between two
 * passes, and a ring that carries the engines' events the other way.
 *
 * The engine has no locks and must only be touched by the thread that runs
 * its batches. The control plane (src/ctl/: HTTP, logins, file writes,
 * dnsmasq) runs on a thread of its own; whatever it needs from the engine,
 * the links or the capture is a job: a function and its argument that copy
 * a bounded amount out (a page of flows, the counters) or swap a prepared
 * change in (a configuration, an armed capture). pg_handoff_call() posts
 * the job and waits; the data path runs it after its current pass and
 * answers. The data path never waits for the control thread and takes no
 * lock: it loads one pointer after each pass and writes one eventfd per
 * job it ran.
 */
#ifndef PG_HANDOFF_H
#define PG_HANDOFF_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine/engines.h"
#include "engine/observe.h"

#define PG_HANDOFF_EVENTS 1024 /* events held for the control thread */

struct pg_handoff_job {
	void (*fn)(void *arg); /* runs on the data path's thread: bounded work only */
	void *arg;
};

struct pg_handoff {
	_Atomic(struct pg_handoff_job *) job; /* posted, not yet run; NULL: none */
	int wake_fd;			      /* eventfd the data path polls */
	int done_fd;			      /* eventfd the caller waits on */
	pthread_mutex_t call_lock;	      /* callers' side only: one job at a time */
	uint64_t jobs;			      /* jobs run (data path's count) */
	/* Engine events, data path -> control: single producer, single consumer. */
	struct pg_event ev[PG_HANDOFF_EVENTS];
	_Atomic uint32_t ev_head; /* next slot the data path writes */
	_Atomic uint32_t ev_tail; /* next slot the control thread reads */
};

/* Returns 0 or -errno (eventfd). */
int pg_handoff_init(struct pg_handoff *h);
void pg_handoff_fini(struct pg_handoff *h);

/* The descriptor the data path adds to its poll set (readable: a job waits). */
int pg_handoff_fd(const struct pg_handoff *h);

/*
 * Data path: the poll said pg_handoff_fd() is readable; clear it. A job is
 * found by pg_handoff_serve() with or without this call.
 */
void pg_handoff_woken(struct pg_handoff *h);

/* Data path: is a job posted? One atomic load. */
static inline bool pg_handoff_pending(struct pg_handoff *h)
{
	return h && atomic_load_explicit(&h->job, memory_order_relaxed) != NULL;
}

/*
 * Data path, between two passes: run the posted job if there is one.
 * Returns true if a job ran. Costs one atomic load when none is posted.
 */
bool pg_handoff_serve(struct pg_handoff *h);

/*
 * Control side: run fn(arg) on the data path's thread between two passes
 * and wait until it has run. h NULL (no data path thread: unit tests, the
 * daemon before its loop starts) runs fn here. Callers on several threads
 * are served one after the other.
 */
void pg_handoff_call(struct pg_handoff *h, void (*fn)(void *arg), void *arg);

/*
 * Data path, after each pass: move the engines' new events into the ring
 * (what does not fit stays in the engines' own rings until there is room).
 */
void pg_handoff_events_push(struct pg_handoff *h, struct pg_engines *engines);

/* Control side: take up to max events from the ring; returns how many. */
unsigned int pg_handoff_events_take(struct pg_handoff *h, struct pg_event *out, unsigned int max);

#endif /* PG_HANDOFF_H */
