/* SPDX-License-Identifier: MIT */
/*
 * workers.c - the worker threads and the hand-over of a pass.
 *
 * DOC: How a pass is shared
 *
 * The daemon's thread sorts the batch by pg_shard_of() into one list per
 * worker, publishes the lists by moving gen on, runs worker 0's list on its
 * own engine, then waits until every other worker has counted itself done,
 * and copies the results back into the batch. A worker that has nothing to
 * do still runs its engine on an empty list: that is where its flows
 * expire. Waiting spins for a few microseconds (passes come thousands of
 * times a second under load) and then sleeps on a futex, so idle workers
 * cost nothing; a sleeper is woken only when one is known to sleep, so a
 * busy pass makes no system call for the hand-over.
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "dp/workers.h"

#define SPIN_ROUNDS 4000 /* pause instructions, tens of microseconds */

static void futex_wait(_Atomic uint32_t *word, uint32_t seen)
{
	/* Returns at once if *word changed since it was read: no lost wake-up. */
	syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT_PRIVATE, seen, NULL, NULL, 0);
}

static void futex_wake(_Atomic uint32_t *word)
{
	syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/* Wait until *word is no longer seen; sleepers counts the threads in the kernel. */
static uint32_t wait_change(_Atomic uint32_t *word, uint32_t seen, _Atomic uint32_t *sleepers)
{
	uint32_t v;

	for (int i = 0; i < SPIN_ROUNDS; i++) {
		v = atomic_load_explicit(word, memory_order_acquire);
		if (v != seen)
			return v;
		cpu_relax();
	}
	for (;;) {
		atomic_fetch_add(sleepers, 1);
		/* Checked again after announcing the sleep: the waker reads sleepers after its store. */
		v = atomic_load(word);
		if (v == seen)
			futex_wait(word, seen);
		atomic_fetch_sub(sleepers, 1);
		v = atomic_load_explicit(word, memory_order_acquire);
		if (v != seen)
			return v;
	}
}

static void *worker_main(void *arg)
{
	struct pg_worker *w = arg;
	struct pg_workers *ws = w->owner;
	uint32_t seen = 0;

	for (;;) {
		seen = wait_change(&ws->gen, seen, &ws->sleepers);
		if (atomic_load(&ws->stop))
			return NULL;
		pg_engine_run(ws->set->e[w->index], w->pkts, w->n, ws->now_ms);
		atomic_fetch_add(&ws->done, 1);
		if (atomic_load(&ws->main_waits))
			futex_wake(&ws->done);
	}
}

int pg_workers_start(struct pg_workers *ws, struct pg_engines *set, char *err, size_t errlen)
{
	memset(ws, 0, sizeof(*ws));
	ws->set = set;
	for (unsigned int i = 0; i < set->n; i++) {
		ws->w[i].owner = ws;
		ws->w[i].index = i;
	}
	for (unsigned int i = 1; i < set->n; i++) {
		char name[16];
		int r = pthread_create(&ws->w[i].thread, NULL, worker_main, &ws->w[i]);

		if (r) {
			snprintf(err, errlen, "cannot start worker %u: %s", i, strerror(r));
			pg_workers_stop(ws);
			return -r;
		}
		ws->w[i].started = true;
		snprintf(name, sizeof(name), "pg-worker%u", i & 0xffu);
		pthread_setname_np(ws->w[i].thread, name);
	}
	return 0;
}

void pg_workers_stop(struct pg_workers *ws)
{
	if (!ws->set)
		return;
	atomic_store(&ws->stop, true);
	atomic_fetch_add(&ws->gen, 1);
	futex_wake(&ws->gen);
	for (unsigned int i = 1; i < ws->set->n; i++)
		if (ws->w[i].started)
			pthread_join(ws->w[i].thread, NULL);
	ws->set = NULL;
}

void pg_workers_run(struct pg_workers *ws, struct pg_pkt *pkts, unsigned int n, uint64_t now_ms)
{
	struct pg_engines *set = ws->set;
	unsigned int others = set->n - 1;
	uint32_t done;

	if (!others) {
		pg_engine_run(set->e[0], pkts, n, now_ms);
		return;
	}
	for (unsigned int i = 0; i < set->n; i++)
		ws->w[i].n = 0;
	for (unsigned int i = 0; i < n; i++) {
		struct pg_worker *w =
			&ws->w[pg_shard_of(&set->map, pkts[i].l3, pkts[i].len, pkts[i].side)];

		w->origin[w->n] = (uint16_t)i;
		w->pkts[w->n++] = pkts[i];
	}
	ws->now_ms = now_ms;
	atomic_store(&ws->done, 0);
	atomic_fetch_add(&ws->gen, 1); /* publishes the lists (sequentially consistent) */
	if (atomic_load(&ws->sleepers))
		futex_wake(&ws->gen);
	pg_engine_run(set->e[0], ws->w[0].pkts, ws->w[0].n, now_ms);
	done = atomic_load_explicit(&ws->done, memory_order_acquire);
	while (done != others) {
		done = wait_change(&ws->done, done, &ws->main_waits);
	}
	for (unsigned int i = 0; i < set->n; i++)
		for (unsigned int j = 0; j < ws->w[i].n; j++)
			pkts[ws->w[i].origin[j]] = ws->w[i].pkts[j];
}
