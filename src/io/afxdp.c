/* SPDX-License-Identifier: MIT */
/*
 * afxdp.c - AF_XDP sockets: the fast I/O backend.
 *
 * DOC: Theory of operation
 *
 * The XDP program (xdp_prog.c) redirects every frame arriving on one of the
 * link's receive queues to that queue's socket (an AF_XDP socket is bound to
 * one queue) before the kernel builds an skb for it, so there is no GRO, no
 * receive softirq work for the stack and no per-frame socket queueing: what
 * is left of the kernel's work per frame is a copy into our memory (copy
 * mode; veth offers no zero-copy).
 *
 * Several queues (RSS on a NIC, a veth made with numrxqueues > 1): one
 * socket per queue, each with a UMEM of its own rather than one shared
 * (XDP_SHARED_UMEM). Sharing saves memory but not work in copy mode, and
 * needs a fill and a completion ring per queue anyway plus a split of the
 * buffers between them; separate memories are the simplest correct choice,
 * at PG_AFXDP_FRAMES * PG_FRAME_SIZE (8 MiB) per queue. The daemon's thread
 * reads every queue, in turn, and transmits on queue 0's socket; which
 * worker's engine handles a packet is the flow's shard (dp/workers.c), not
 * its queue. The daemon polls one descriptor per link: the socket itself
 * with one queue, an epoll set of the sockets with several.
 *
 * Memory (UMEM) of each socket is PG_AFXDP_FRAMES buffers of PG_FRAME_SIZE
 * bytes. The first half is lent to the kernel for receive through the fill
 * ring; the second half is ours for transmit, kept on a free stack.
 *
 * Receive: the kernel writes frames into fill-ring buffers and posts
 * descriptors on the RX ring. We copy each frame into the caller's batch
 * buffer (the engine rewrites and may grow packets, which it must not do in
 * memory the kernel may reuse) and give the buffer straight back on the fill
 * ring. Transmit: a frame is copied into a free buffer and posted on the TX
 * ring; a flush kicks the kernel with sendto(), which in copy mode sends a
 * bounded number of descriptors per call, so it kicks until the ring is
 * drained or the kernel says it is busy. Sent buffers come back on the
 * completion ring and return to the free stack.
 *
 * Each ring is a pair of free-running 32-bit indexes shared with the kernel;
 * we read the other side's index with acquire and publish ours with release
 * ordering, so descriptor contents are complete before an index says so.
 * Indexes and descriptors written by the kernel are checked before use.
 */
#include <dirent.h>
#include <errno.h>
#include <linux/if_xdp.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "io/afxdp.h"
#include "l2/eth.h"

#ifndef SOL_XDP
#define SOL_XDP 283
#endif

#define PG_AFXDP_FRAMES 4096
#define PG_AFXDP_RING 2048 /* each ring; half the frames each for RX and TX */
/*
 * Receive buffers lent to the kernel at once: the most frames that can wait
 * for us, so the gateway's own standing queue when it is the bottleneck
 * (docs/ARCHITECTURE.md "Latency"). A frame waits behind at most this many.
 */
#define PG_AFXDP_RX_INFLIGHT 1024
#define PG_AFXDP_KICKS 16  /* sendto() calls per flush at most */

static int fail(char *err, size_t errlen, const char *ifname, const char *what)
{
	int r = errno ? -errno : -EINVAL;

	snprintf(err, errlen, "%s: %s: %s", ifname, what, strerror(-r));
	return r;
}

/* The same, naming the queue on a link with several. */
static int failq(char *err, size_t errlen, const struct pg_afxdp *s, unsigned int qi,
		 const char *what)
{
	char name[48];

	if (s->nq > 1)
		snprintf(name, sizeof(name), "%s queue %u", s->name, qi);
	else
		snprintf(name, sizeof(name), "%s", s->name);
	return fail(err, errlen, name, what);
}

/* Number of receive queues of ifname (from sysfs). */
static int rx_queues(const char *ifname)
{
	char path[64];
	struct dirent *d;
	DIR *dir;
	int n = 0;

	snprintf(path, sizeof(path), "/sys/class/net/%s/queues", ifname);
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((d = readdir(dir)))
		if (!strncmp(d->d_name, "rx-", 3))
			n++;
	closedir(dir);
	return n;
}

static int ring_map(int fd, struct pg_xsk_ring *r, const struct xdp_ring_offset *o,
		    size_t desc_size, off_t pgoff)
{
	uint8_t *m;

	r->map_len = o->desc + (size_t)PG_AFXDP_RING * desc_size;
	m = mmap(NULL, r->map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, pgoff);
	if (m == MAP_FAILED)
		return -1;
	r->map = m;
	r->producer = (uint32_t *)(m + o->producer);
	r->consumer = (uint32_t *)(m + o->consumer);
	r->flags = (uint32_t *)(m + o->flags);
	r->desc = m + o->desc;
	r->mask = PG_AFXDP_RING - 1;
	r->cached_prod = __atomic_load_n(r->producer, __ATOMIC_ACQUIRE);
	r->cached_cons = __atomic_load_n(r->consumer, __ATOMIC_ACQUIRE);
	return 0;
}

static void ring_unmap(struct pg_xsk_ring *r)
{
	if (r->map)
		munmap(r->map, r->map_len);
	r->map = NULL;
}

/* Entries the kernel produced that we have not consumed. */
static uint32_t cons_avail(struct pg_xsk_ring *r)
{
	uint32_t n = __atomic_load_n(r->producer, __ATOMIC_ACQUIRE) - r->cached_cons;

	/* A producer index further ahead than the ring is long is a lie: take none. */
	return n > PG_AFXDP_RING ? 0 : n;
}

static void cons_release(struct pg_xsk_ring *r, uint32_t n)
{
	r->cached_cons += n;
	__atomic_store_n(r->consumer, r->cached_cons, __ATOMIC_RELEASE);
}

/* Free slots in a ring we produce into. */
static uint32_t prod_free(struct pg_xsk_ring *r)
{
	return PG_AFXDP_RING - (r->cached_prod - __atomic_load_n(r->consumer, __ATOMIC_ACQUIRE));
}

static void prod_submit(struct pg_xsk_ring *r)
{
	__atomic_store_n(r->producer, r->cached_prod, __ATOMIC_RELEASE);
}

static int setup_umem(struct pg_xsk *x, const struct pg_afxdp *s, unsigned int qi, char *err,
		      size_t errlen)
{
	struct xdp_umem_reg mr = {0};
	int n = PG_AFXDP_RING;

	x->umem_len = (size_t)PG_AFXDP_FRAMES * PG_FRAME_SIZE;
	x->umem = mmap(NULL, x->umem_len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (x->umem == MAP_FAILED) {
		x->umem = NULL;
		return failq(err, errlen, s, qi, "packet memory (UMEM)");
	}
	mr.addr = (uint64_t)(uintptr_t)x->umem;
	mr.len = x->umem_len;
	mr.chunk_size = PG_FRAME_SIZE;
	mr.headroom = 0;
	if (setsockopt(x->fd, SOL_XDP, XDP_UMEM_REG, &mr, sizeof(mr)))
		return failq(err, errlen, s, qi, "XDP_UMEM_REG");
	if (setsockopt(x->fd, SOL_XDP, XDP_UMEM_FILL_RING, &n, sizeof(n)) ||
	    setsockopt(x->fd, SOL_XDP, XDP_UMEM_COMPLETION_RING, &n, sizeof(n)) ||
	    setsockopt(x->fd, SOL_XDP, XDP_RX_RING, &n, sizeof(n)) ||
	    setsockopt(x->fd, SOL_XDP, XDP_TX_RING, &n, sizeof(n)))
		return failq(err, errlen, s, qi, "AF_XDP ring sizes");
	return 0;
}

static int map_rings(struct pg_xsk *x, const struct pg_afxdp *s, unsigned int qi, char *err,
		     size_t errlen)
{
	struct xdp_mmap_offsets off;
	socklen_t len = sizeof(off);

	if (getsockopt(x->fd, SOL_XDP, XDP_MMAP_OFFSETS, &off, &len))
		return failq(err, errlen, s, qi, "XDP_MMAP_OFFSETS");
	if (ring_map(x->fd, &x->fill, &off.fr, sizeof(uint64_t), XDP_UMEM_PGOFF_FILL_RING) ||
	    ring_map(x->fd, &x->comp, &off.cr, sizeof(uint64_t), XDP_UMEM_PGOFF_COMPLETION_RING) ||
	    ring_map(x->fd, &x->rx, &off.rx, sizeof(struct xdp_desc), XDP_PGOFF_RX_RING) ||
	    ring_map(x->fd, &x->tx, &off.tx, sizeof(struct xdp_desc), XDP_PGOFF_TX_RING))
		return failq(err, errlen, s, qi, "mmap of the AF_XDP rings");
	return 0;
}

/* One queue's socket: memory, rings, receive buffers lent, bound to queue qi. */
static int xsk_open(struct pg_xsk *x, const struct pg_afxdp *s, unsigned int qi, char *err,
		    size_t errlen)
{
	struct sockaddr_xdp sxdp = {0};
	uint64_t *fill;
	int r;

	x->fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (x->fd < 0)
		return failq(err, errlen, s, qi,
			     "AF_XDP socket (needs CONFIG_XDP_SOCKETS, CAP_NET_RAW)");
	r = setup_umem(x, s, qi, err, errlen);
	if (!r)
		r = map_rings(x, s, qi, err, errlen);
	if (r)
		return r;
	/*
	 * Lend receive buffers from the first half of the memory: only
	 * PG_AFXDP_RX_INFLIGHT, so no more frames than that can queue for us
	 * (each goes back as soon as it is copied out).
	 */
	fill = x->fill.desc;
	for (uint32_t i = 0; i < PG_AFXDP_RX_INFLIGHT; i++)
		fill[(x->fill.cached_prod + i) & x->fill.mask] = (uint64_t)i * PG_FRAME_SIZE;
	x->fill.cached_prod += PG_AFXDP_RX_INFLIGHT;
	prod_submit(&x->fill);
	x->tx_free = calloc(PG_AFXDP_FRAMES - PG_AFXDP_RING, sizeof(uint64_t));
	if (!x->tx_free) {
		errno = ENOMEM;
		return failq(err, errlen, s, qi, "transmit buffer list");
	}
	for (uint32_t i = PG_AFXDP_RING; i < PG_AFXDP_FRAMES; i++)
		x->tx_free[x->tx_free_n++] = (uint64_t)i * PG_FRAME_SIZE;

	sxdp.sxdp_family = AF_XDP;
	sxdp.sxdp_ifindex = s->ifindex;
	sxdp.sxdp_queue_id = qi;
	/* Copy mode: works on every driver (veth has no zero-copy). */
	sxdp.sxdp_flags = XDP_COPY | XDP_USE_NEED_WAKEUP;
	if (bind(x->fd, (struct sockaddr *)&sxdp, sizeof(sxdp)))
		return failq(err, errlen, s, qi, "binding the AF_XDP socket to its queue");
	return 0;
}

static void xsk_close(struct pg_xsk *x)
{
	ring_unmap(&x->fill);
	ring_unmap(&x->comp);
	ring_unmap(&x->rx);
	ring_unmap(&x->tx);
	if (x->fd >= 0)
		close(x->fd);
	if (x->umem)
		munmap(x->umem, x->umem_len);
	free(x->tx_free);
	x->tx_free = NULL;
	x->umem = NULL;
	x->fd = -1;
}

/* With several queues, one descriptor to poll: an epoll set readable when a socket is. */
static int poll_set(struct pg_afxdp *s, char *err, size_t errlen)
{
	if (s->nq == 1) {
		s->fd = s->q[0].fd;
		return 0;
	}
	s->fd = epoll_create1(EPOLL_CLOEXEC);
	if (s->fd < 0)
		return fail(err, errlen, s->name, "epoll set of the queues' sockets");
	for (unsigned int i = 0; i < s->nq; i++) {
		struct epoll_event ev = {.events = EPOLLIN, .data.u32 = i};

		if (epoll_ctl(s->fd, EPOLL_CTL_ADD, s->q[i].fd, &ev))
			return fail(err, errlen, s->name, "epoll set of the queues' sockets");
	}
	return 0;
}

int pg_afxdp_open(struct pg_afxdp *s, const char *ifname, const char *fast_obj, char *err,
		  size_t errlen)
{
	int fds[PG_AFXDP_QUEUES_MAX];
	int r, q;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->prog.map_fd = s->prog.prog_fd = s->prog.link_fd = -1;
	pg_xdp_fast_init(&s->fast);
	snprintf(s->name, sizeof(s->name), "%s", ifname);
	errno = 0;
	s->ifindex = if_nametoindex(ifname);
	if (!s->ifindex)
		return fail(err, errlen, ifname, "no such interface");
	q = rx_queues(ifname);
	if (q < 1 || q > PG_AFXDP_QUEUES_MAX) {
		snprintf(err, errlen,
			 "%s: the afxdp backend serves 1 to %d receive queues, the link has %d "
			 "(set e.g. 'ethtool -L %s combined %d')",
			 ifname, PG_AFXDP_QUEUES_MAX, q, ifname, PG_AFXDP_QUEUES_MAX);
		return -EOPNOTSUPP;
	}
	s->nq = (unsigned int)q;
	s->q = calloc(s->nq, sizeof(*s->q));
	if (!s->q) {
		errno = ENOMEM;
		return fail(err, errlen, ifname, "queue sockets");
	}
	for (unsigned int i = 0; i < s->nq; i++)
		s->q[i].fd = -1;
	for (unsigned int i = 0; i < s->nq; i++) {
		r = xsk_open(&s->q[i], s, i, err, errlen);
		if (r)
			goto out;
		fds[i] = s->q[i].fd;
	}
	r = poll_set(s, err, errlen);
	if (r)
		goto out;
	if (fast_obj) {
		s->use_fast = true;
		r = pg_xdp_fast_load(&s->fast, fast_obj, err, errlen);
		if (!r)
			r = pg_xdp_fast_attach(&s->fast, s->ifindex, ifname, fds, s->nq, err,
					       errlen);
	} else {
		r = pg_xdp_prog_attach(&s->prog, s->ifindex, ifname, fds, s->nq, err, errlen);
	}
	if (r)
		goto out;
	return 0;
out:
	pg_afxdp_close(s);
	return r;
}

void pg_afxdp_close(struct pg_afxdp *s)
{
	/* Detach first: no frame may be steered to a socket that is going away. */
	pg_xdp_prog_detach(&s->prog);
	pg_xdp_fast_close(&s->fast);
	if (s->nq > 1 && s->fd >= 0)
		close(s->fd); /* the epoll set; with one queue fd is q[0]'s socket */
	for (unsigned int i = 0; s->q && i < s->nq; i++)
		xsk_close(&s->q[i]);
	free(s->q);
	s->q = NULL;
	s->nq = 0;
	s->fd = -1;
}

uint32_t pg_afxdp_rx_backlog(struct pg_afxdp *s)
{
	uint32_t n = 0;

	for (unsigned int i = 0; i < s->nq; i++)
		n += cons_avail(&s->q[i].rx);
	return n;
}

/* Up to max frames from one queue's socket. */
static unsigned int xsk_rx_burst(struct pg_xsk *x, struct pg_rx_frame *frames, unsigned int max)
{
	const struct xdp_desc *d = x->rx.desc;
	uint64_t *fill = x->fill.desc;
	uint32_t n = cons_avail(&x->rx), back = 0;
	unsigned int got = 0;

	if (n > max)
		n = max;
	for (uint32_t i = 0; i < n; i++) {
		const struct xdp_desc *e = &d[(x->rx.cached_cons + i) & x->rx.mask];
		uint64_t addr = e->addr;
		uint32_t len = e->len;
		struct pg_rx_frame *f = &frames[got];

		/* The descriptor is the kernel's word: stay inside our memory. */
		if (addr >= x->umem_len || len > x->umem_len - addr)
			continue;
		f->flags = 0;
		if (len > PG_FRAME_MAX) {
			f->flags |= PG_RX_F_OVERSIZE;
			len = PG_FRAME_MAX;
		}
		memcpy(f->buf + PG_FRAME_ETH_OFF, x->umem + addr, len);
		f->len = len;
		got++;
		/* The buffer goes straight back to the kernel (its chunk start). */
		fill[(x->fill.cached_prod + back++) & x->fill.mask] =
			addr & ~(uint64_t)(PG_FRAME_SIZE - 1);
	}
	if (n) {
		cons_release(&x->rx, n);
		/* We took n buffers from the fill ring's consumers, so n slots are free. */
		if (back <= prod_free(&x->fill)) {
			x->fill.cached_prod += back;
			prod_submit(&x->fill);
		}
	}
	if (__atomic_load_n(x->fill.flags, __ATOMIC_ACQUIRE) & XDP_RING_NEED_WAKEUP)
		recvfrom(x->fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
	x->rx_frames += got;
	return got;
}

unsigned int pg_afxdp_rx_burst(struct pg_afxdp *s, struct pg_rx_frame *frames, unsigned int max)
{
	unsigned int got = 0, first = s->next_rx;

	if (s->nq <= 1) /* one queue as before; none: a closed backend */
		return s->nq ? xsk_rx_burst(&s->q[0], frames, max) : 0;
	/*
	 * Every queue in turn, the first one further on each call: a queue
	 * busy enough to fill the burst alone does not keep the others waiting.
	 */
	for (unsigned int k = 0; k < s->nq && got < max; k++)
		got += xsk_rx_burst(&s->q[(first + k) % s->nq], frames + got, max - got);
	s->next_rx = (first + 1) % s->nq;
	return got;
}

/* Return sent buffers from the completion ring to the free stack. */
static void reclaim(struct pg_xsk *x)
{
	const uint64_t *c = x->comp.desc;
	uint32_t n = cons_avail(&x->comp);

	for (uint32_t i = 0; i < n; i++) {
		uint64_t addr = c[(x->comp.cached_cons + i) & x->comp.mask];

		if (addr < x->umem_len && x->tx_free_n < PG_AFXDP_FRAMES - PG_AFXDP_RING)
			x->tx_free[x->tx_free_n++] = addr & ~(uint64_t)(PG_FRAME_SIZE - 1);
	}
	if (n)
		cons_release(&x->comp, n);
}

int pg_afxdp_tx(struct pg_afxdp *s, const uint8_t *frame, uint32_t len)
{
	struct pg_xsk *x = &s->q[0];
	struct xdp_desc *d;
	uint64_t addr;

	if (len > PG_FRAME_SIZE)
		return -EMSGSIZE;
	if (!x->tx_free_n)
		reclaim(x);
	if (!x->tx_free_n && x->tx_pending) {
		pg_afxdp_tx_flush(s);
		reclaim(x);
	}
	if (!x->tx_free_n || !prod_free(&x->tx))
		return -ENOBUFS;
	addr = x->tx_free[--x->tx_free_n];
	memcpy(x->umem + addr, frame, len);
	d = &((struct xdp_desc *)x->tx.desc)[x->tx.cached_prod & x->tx.mask];
	d->addr = addr;
	d->len = len;
	d->options = 0;
	x->tx.cached_prod++;
	x->tx_pending++;
	return 0;
}

int pg_afxdp_tx_flush(struct pg_afxdp *s)
{
	struct pg_xsk *x = &s->q[0];
	int r = 0;

	if (x->tx_pending) {
		prod_submit(&x->tx);
		x->tx_pending = 0;
	}
	/* Copy mode sends a bounded batch per call: kick until the ring drains. */
	for (int k = 0; k < PG_AFXDP_KICKS; k++) {
		if (__atomic_load_n(x->tx.consumer, __ATOMIC_ACQUIRE) == x->tx.cached_prod)
			break;
		if (sendto(x->fd, NULL, 0, MSG_DONTWAIT, NULL, 0) < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			if (errno != EBUSY && errno != ENOBUFS && errno != ENETDOWN)
				r = -errno;
			break;
		}
	}
	reclaim(x);
	return r;
}

int pg_afxdp_take_error(struct pg_afxdp *s)
{
	for (unsigned int i = 0; i < s->nq; i++) {
		int e = 0;
		socklen_t len = sizeof(e);

		if (getsockopt(s->q[i].fd, SOL_SOCKET, SO_ERROR, &e, &len))
			return errno;
		if (e)
			return e;
	}
	return 0;
}

uint64_t pg_afxdp_kernel_drops(struct pg_afxdp *s)
{
	uint64_t sum = 0;

	/*
	 * Unlike AF_PACKET's, these counters are cumulative: no accumulation.
	 * rx_dropped already counts frames lost to an empty fill ring (we were
	 * too slow to hand buffers back); rx_ring_full, frames lost to a full
	 * receive ring. A queue whose counters cannot be read keeps the last sum.
	 */
	for (unsigned int i = 0; i < s->nq; i++) {
		struct xdp_statistics st = {0};
		socklen_t len = sizeof(st);

		if (s->q[i].fd < 0 || getsockopt(s->q[i].fd, SOL_XDP, XDP_STATISTICS, &st, &len))
			return s->kernel_drops;
		sum += st.rx_dropped + st.rx_ring_full;
	}
	if (s->nq)
		s->kernel_drops = sum;
	return s->kernel_drops;
}

uint64_t pg_afxdp_queue_rx(const struct pg_afxdp *s, unsigned int i)
{
	return i < s->nq ? s->q[i].rx_frames : 0;
}

bool pg_afxdp_native(const struct pg_afxdp *s)
{
	return s->use_fast ? s->fast.native : s->prog.native;
}
