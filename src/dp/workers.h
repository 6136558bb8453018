/* SPDX-License-Identifier: MIT */
/*
 * workers.h - running one pass's packets on several engines at once.
 *
 * The daemon's thread receives and sends every frame (each link has one
 * queue and one socket); what it hands the engines is split by
 * pg_shard_of() and run in parallel: its own share on its own thread, each
 * other worker's on that worker's thread. The pass waits for all of them,
 * so between passes every engine is idle and the control plane may read
 * and reconfigure them without locks (docs/ARCHITECTURE.md "Several
 * workers").
 */
#ifndef PG_WORKERS_H
#define PG_WORKERS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine/engines.h"

/* Packets one pass may hand over (a burst from each link and the host path). */
#define PG_WORKERS_BATCH_MAX 256

struct pg_workers;

/* What one worker thread is handed. */
struct pg_worker {
	struct pg_workers *owner;
	unsigned int index;
	pthread_t thread;
	bool started;
	struct pg_pkt pkts[PG_WORKERS_BATCH_MAX];   /* its share of the pass */
	uint16_t origin[PG_WORKERS_BATCH_MAX];      /* where each came from in the batch */
	unsigned int n;
};

struct pg_workers {
	struct pg_engines *set; /* borrowed */
	uint64_t now_ms;
	/* A pass starts when gen moves on and ends when done reaches set->n - 1. */
	_Atomic uint32_t gen;
	_Atomic uint32_t done;
	_Atomic uint32_t sleepers;   /* workers waiting in the kernel for gen */
	_Atomic uint32_t main_waits; /* the daemon's thread waits in the kernel for done */
	_Atomic bool stop;
	struct pg_worker w[PG_SHARDS_MAX];
};

/*
 * Start a thread for each engine of set but the first (which runs on the
 * caller's thread). Returns 0, or -errno with a message in err and no
 * thread left running.
 */
int pg_workers_start(struct pg_workers *ws, struct pg_engines *set, char *err, size_t errlen);

/* Stop and join the threads. */
void pg_workers_stop(struct pg_workers *ws);

/*
 * pg_engine_run() for a batch across the set: each packet to its worker's
 * engine, all run at once, verdicts back in the batch in its order. With
 * one engine, exactly pg_engine_run(). n <= PG_WORKERS_BATCH_MAX.
 */
void pg_workers_run(struct pg_workers *ws, struct pg_pkt *pkts, unsigned int n, uint64_t now_ms);

#endif /* PG_WORKERS_H */
