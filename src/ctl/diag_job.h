/* SPDX-License-Identifier: MIT */
/*
 * diag_job.h - one "diagnose a VPN server" run at a time, on a thread of
 * its own (diag_job.c): the probes wait on the network for seconds, which
 * neither the data path's thread nor the control thread may do. The
 * control thread starts a run and copies its state; it never waits for it.
 */
#ifndef PG_CTL_DIAG_JOB_H
#define PG_CTL_DIAG_JOB_H

#include <stdint.h>

#include "probe/diag.h"

/* Per try (UDP, two tries) and per TCP step: a run takes at most ~40 s. */
#define PG_DIAG_WAIT_MS 1500

enum pg_diag_job_state { PG_DIAG_JOB_IDLE, PG_DIAG_JOB_RUNNING, PG_DIAG_JOB_DONE };

/* A copy of the job's state. */
struct pg_diag_view {
	enum pg_diag_job_state state;
	uint32_t id;			/* 1, 2, ... per run started */
	uint64_t started_ms, finished_ms; /* CLOCK_MONOTONIC; finished: now while running */
	struct pg_diag_gw gw;		/* the gateway as it was at the start */
	struct pg_diag_result res;	/* filled when done */
};

struct pg_diag_job;

struct pg_diag_job *pg_diag_job_create(void);
/* Stop a run between two probes and wait for it (at most one probe). */
void pg_diag_job_destroy(struct pg_diag_job *j);
/* Start a run against server (host order): 0, -EBUSY while one runs, -errno. */
int pg_diag_job_start(struct pg_diag_job *j, uint32_t server, const struct pg_diag_gw *gw);
void pg_diag_job_view(struct pg_diag_job *j, struct pg_diag_view *v);

#endif /* PG_CTL_DIAG_JOB_H */
