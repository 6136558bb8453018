/* SPDX-License-Identifier: MIT */
/*
 * handoff.c - the mailbox between the control thread and the data path
 * (handoff.h), and the ring of engine events going the other way.
 *
 * Theory of operation. A caller (the control thread) takes call_lock,
 * stores its job in the slot with release order and writes wake_fd so a
 * data path asleep in poll() wakes. The data path loads the slot with
 * acquire order after every pass: NULL costs nothing more. When a job is
 * there it runs it, clears the slot with release order (the job's writes
 * happen before the caller sees NULL) and writes done_fd. The caller sleeps
 * in poll() on done_fd until the slot is clear. Nothing here blocks the
 * data path: the eventfds are non-blocking and their counters cannot
 * overflow in practice (one increment per job).
 *
 * The event ring is single producer (data path), single consumer (control
 * thread): the producer owns ev_head, the consumer ev_tail, and each
 * publishes its index with release order after touching the slots.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "dp/handoff.h"

int pg_handoff_init(struct pg_handoff *h)
{
	int r;

	memset(h, 0, sizeof(*h));
	atomic_init(&h->job, NULL);
	atomic_init(&h->ev_head, 0);
	atomic_init(&h->ev_tail, 0);
	h->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (h->wake_fd < 0)
		return -errno;
	h->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (h->done_fd < 0) {
		r = -errno;
		close(h->wake_fd);
		return r;
	}
	r = pthread_mutex_init(&h->call_lock, NULL);
	if (r) {
		close(h->done_fd);
		close(h->wake_fd);
		return -r;
	}
	return 0;
}

void pg_handoff_fini(struct pg_handoff *h)
{
	pthread_mutex_destroy(&h->call_lock);
	close(h->done_fd);
	close(h->wake_fd);
	h->wake_fd = h->done_fd = -1;
}

int pg_handoff_fd(const struct pg_handoff *h)
{
	return h ? h->wake_fd : -1;
}

static void bump(int fd)
{
	uint64_t one = 1;

	/* EAGAIN only at a counter of 2^64 - 2: cannot happen, and a lost wake-up
	 * costs at most one poll timeout. */
	if (write(fd, &one, sizeof(one)) < 0)
		return;
}

static void drain(int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0)
		return; /* EAGAIN: nothing was written */
}

void pg_handoff_woken(struct pg_handoff *h)
{
	drain(h->wake_fd);
}

bool pg_handoff_serve(struct pg_handoff *h)
{
	struct pg_handoff_job *j;

	if (!h)
		return false;
	j = atomic_load_explicit(&h->job, memory_order_acquire);
	if (!j)
		return false;
	j->fn(j->arg);
	h->jobs++;
	atomic_store_explicit(&h->job, NULL, memory_order_release);
	bump(h->done_fd);
	return true;
}

void pg_handoff_call(struct pg_handoff *h, void (*fn)(void *arg), void *arg)
{
	struct pg_handoff_job job = {.fn = fn, .arg = arg};
	struct pollfd pfd;

	if (!h) {
		fn(arg);
		return;
	}
	pthread_mutex_lock(&h->call_lock);
	drain(h->done_fd); /* a late bump from an earlier job */
	atomic_store_explicit(&h->job, &job, memory_order_release);
	bump(h->wake_fd);
	pfd.fd = h->done_fd;
	pfd.events = POLLIN;
	/* The timeout only guards against a lost wake-up: the slot decides. */
	while (atomic_load_explicit(&h->job, memory_order_acquire)) {
		if (poll(&pfd, 1, 100) > 0)
			drain(h->done_fd);
	}
	pthread_mutex_unlock(&h->call_lock);
}

void pg_handoff_events_push(struct pg_handoff *h, struct pg_engines *engines)
{
	uint32_t head = atomic_load_explicit(&h->ev_head, memory_order_relaxed);
	uint32_t tail = atomic_load_explicit(&h->ev_tail, memory_order_acquire);
	uint32_t room = PG_HANDOFF_EVENTS - (head - tail);
	unsigned int n = 0;

	/* Two runs at most: up to the end of the array, then from its start. */
	while (room) {
		uint32_t at = head % PG_HANDOFF_EVENTS;
		uint32_t run = PG_HANDOFF_EVENTS - at < room ? PG_HANDOFF_EVENTS - at : room;
		unsigned int got = pg_engines_events(engines, &h->ev[at], run);

		n += got;
		head += got;
		room -= got;
		if (got < run)
			break;
	}
	if (n)
		atomic_store_explicit(&h->ev_head, head, memory_order_release);
	/* Left in the engines when the ring is full: their own ring counts what it loses. */
}

unsigned int pg_handoff_events_take(struct pg_handoff *h, struct pg_event *out, unsigned int max)
{
	uint32_t tail = atomic_load_explicit(&h->ev_tail, memory_order_relaxed);
	uint32_t head = atomic_load_explicit(&h->ev_head, memory_order_acquire);
	unsigned int n = 0;

	while (n < max && tail != head)
		out[n++] = h->ev[tail++ % PG_HANDOFF_EVENTS];
	atomic_store_explicit(&h->ev_tail, tail, memory_order_release);
	return n;
}
