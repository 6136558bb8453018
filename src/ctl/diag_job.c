/* SPDX-License-Identifier: MIT */
/*
 * diag_job.c - the diagnose run's thread (diag_job.h). One run at a time:
 * pg_diag_job_start() joins the previous thread (already finished: the
 * state says so) and starts the next; the thread runs pg_diag_run() into
 * its own result and publishes it under the mutex when done. The probes
 * leave from the gateway's own stack (the host path), so they go out
 * through the engine like a LAN host's traffic.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl/diag_job.h"
#include "util/log.h"

struct pg_diag_job {
	pthread_mutex_t mu;
	pthread_t thread;
	bool joinable;			/* a thread was started and not yet joined */
	atomic_bool stop;
	struct pg_diag_view v;		/* under mu */
	struct pg_diag_opts opts;	/* the running thread's */
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void *run(void *arg)
{
	struct pg_diag_job *j = arg;
	struct pg_diag_result *res = malloc(sizeof(*res));

	if (res)
		pg_diag_run(&j->opts, res);
	pthread_mutex_lock(&j->mu);
	if (res)
		j->v.res = *res;
	j->v.state = PG_DIAG_JOB_DONE;
	j->v.finished_ms = mono_ms();
	pthread_mutex_unlock(&j->mu);
	free(res);
	return NULL;
}

struct pg_diag_job *pg_diag_job_create(void)
{
	struct pg_diag_job *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	pthread_mutex_init(&j->mu, NULL);
	atomic_init(&j->stop, false);
	return j;
}

void pg_diag_job_destroy(struct pg_diag_job *j)
{
	if (!j)
		return;
	atomic_store(&j->stop, true);
	if (j->joinable)
		pthread_join(j->thread, NULL);
	pthread_mutex_destroy(&j->mu);
	free(j);
}

int pg_diag_job_start(struct pg_diag_job *j, uint32_t server, const struct pg_diag_gw *gw)
{
	int r;

	pthread_mutex_lock(&j->mu);
	if (j->v.state == PG_DIAG_JOB_RUNNING) {
		pthread_mutex_unlock(&j->mu);
		return -EBUSY;
	}
	pthread_mutex_unlock(&j->mu);
	if (j->joinable) {
		pthread_join(j->thread, NULL);	/* done: returns at once */
		j->joinable = false;
	}
	j->opts = (struct pg_diag_opts){.server = server, .wait_ms = PG_DIAG_WAIT_MS, .stop = &j->stop};
	pthread_mutex_lock(&j->mu);
	memset(&j->v.res, 0, sizeof(j->v.res));
	j->v.res.server = server;
	j->v.state = PG_DIAG_JOB_RUNNING;
	j->v.id++;
	j->v.gw = *gw;
	j->v.started_ms = mono_ms();
	j->v.finished_ms = 0;
	pthread_mutex_unlock(&j->mu);
	r = pthread_create(&j->thread, NULL, run, j);
	if (r) {
		pthread_mutex_lock(&j->mu);
		j->v.state = PG_DIAG_JOB_IDLE;
		pthread_mutex_unlock(&j->mu);
		pg_warn("diagnose: cannot start its thread: %s", strerror(r));
		return -r;
	}
	j->joinable = true;
	return 0;
}

void pg_diag_job_view(struct pg_diag_job *j, struct pg_diag_view *v)
{
	pthread_mutex_lock(&j->mu);
	*v = j->v;
	pthread_mutex_unlock(&j->mu);
	if (v->state == PG_DIAG_JOB_RUNNING)
		v->finished_ms = mono_ms();	/* "elapsed so far" */
}
