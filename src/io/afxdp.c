/* SPDX-License-Identifier: MIT */
/*
 * afxdp.c - AF_XDP sockets: the fast I/O backend.
 *
 * DOC: Theory of operation
 *
 * The XDP program (xdp_prog.c) redirects every frame arriving on the link's
 * queue 0 to our socket before the kernel builds an skb for it, so there is
 * no GRO, no receive softirq work for the stack and no per-frame socket
 * queueing: what is left of the kernel's work per frame is a copy into our
 * memory (copy mode; veth offers no zero-copy).
 *
 * Memory (UMEM) is PG_AFXDP_FRAMES buffers of PG_FRAME_SIZE bytes. The first
 * half is lent to the kernel for receive through the fill ring; the second
 * half is ours for transmit, kept on a free stack.
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

static int setup_umem(struct pg_afxdp *s, char *err, size_t errlen)
{
	struct xdp_umem_reg mr = {0};
	int n = PG_AFXDP_RING;

	s->umem_len = (size_t)PG_AFXDP_FRAMES * PG_FRAME_SIZE;
	s->umem = mmap(NULL, s->umem_len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (s->umem == MAP_FAILED) {
		s->umem = NULL;
		return fail(err, errlen, s->name, "packet memory (UMEM)");
	}
	mr.addr = (uint64_t)(uintptr_t)s->umem;
	mr.len = s->umem_len;
	mr.chunk_size = PG_FRAME_SIZE;
	mr.headroom = 0;
	if (setsockopt(s->fd, SOL_XDP, XDP_UMEM_REG, &mr, sizeof(mr)))
		return fail(err, errlen, s->name, "XDP_UMEM_REG");
	if (setsockopt(s->fd, SOL_XDP, XDP_UMEM_FILL_RING, &n, sizeof(n)) ||
	    setsockopt(s->fd, SOL_XDP, XDP_UMEM_COMPLETION_RING, &n, sizeof(n)) ||
	    setsockopt(s->fd, SOL_XDP, XDP_RX_RING, &n, sizeof(n)) ||
	    setsockopt(s->fd, SOL_XDP, XDP_TX_RING, &n, sizeof(n)))
		return fail(err, errlen, s->name, "AF_XDP ring sizes");
	return 0;
}

static int map_rings(struct pg_afxdp *s, char *err, size_t errlen)
{
	struct xdp_mmap_offsets off;
	socklen_t len = sizeof(off);

	if (getsockopt(s->fd, SOL_XDP, XDP_MMAP_OFFSETS, &off, &len))
		return fail(err, errlen, s->name, "XDP_MMAP_OFFSETS");
	if (ring_map(s->fd, &s->fill, &off.fr, sizeof(uint64_t), XDP_UMEM_PGOFF_FILL_RING) ||
	    ring_map(s->fd, &s->comp, &off.cr, sizeof(uint64_t), XDP_UMEM_PGOFF_COMPLETION_RING) ||
	    ring_map(s->fd, &s->rx, &off.rx, sizeof(struct xdp_desc), XDP_PGOFF_RX_RING) ||
	    ring_map(s->fd, &s->tx, &off.tx, sizeof(struct xdp_desc), XDP_PGOFF_TX_RING))
		return fail(err, errlen, s->name, "mmap of the AF_XDP rings");
	return 0;
}

int pg_afxdp_open(struct pg_afxdp *s, const char *ifname, const char *fast_obj, char *err,
		  size_t errlen)
{
	struct sockaddr_xdp sxdp = {0};
	uint64_t *fill;
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
	if (q != 1) {
		snprintf(err, errlen,
			 "%s: the afxdp backend serves one receive queue, the link has %d "
			 "(set 'ethtool -L %s combined 1')",
			 ifname, q, ifname);
		return -EOPNOTSUPP;
	}
	s->fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		r = fail(err, errlen, ifname, "AF_XDP socket (needs CONFIG_XDP_SOCKETS, CAP_NET_RAW)");
		goto out;
	}
	r = setup_umem(s, err, errlen);
	if (!r)
		r = map_rings(s, err, errlen);
	if (r)
		goto out;
	/*
	 * Lend receive buffers from the first half of the memory: only
	 * PG_AFXDP_RX_INFLIGHT, so no more frames than that can queue for us
	 * (each goes back as soon as it is copied out).
	 */
	fill = s->fill.desc;
	for (uint32_t i = 0; i < PG_AFXDP_RX_INFLIGHT; i++)
		fill[(s->fill.cached_prod + i) & s->fill.mask] = (uint64_t)i * PG_FRAME_SIZE;
	s->fill.cached_prod += PG_AFXDP_RX_INFLIGHT;
	prod_submit(&s->fill);
	s->tx_free = calloc(PG_AFXDP_FRAMES - PG_AFXDP_RING, sizeof(uint64_t));
	if (!s->tx_free) {
		errno = ENOMEM;
		r = fail(err, errlen, ifname, "transmit buffer list");
		goto out;
	}
	for (uint32_t i = PG_AFXDP_RING; i < PG_AFXDP_FRAMES; i++)
		s->tx_free[s->tx_free_n++] = (uint64_t)i * PG_FRAME_SIZE;

	sxdp.sxdp_family = AF_XDP;
	sxdp.sxdp_ifindex = s->ifindex;
	sxdp.sxdp_queue_id = 0;
	/* Copy mode: works on every driver (veth has no zero-copy). */
	sxdp.sxdp_flags = XDP_COPY | XDP_USE_NEED_WAKEUP;
	if (bind(s->fd, (struct sockaddr *)&sxdp, sizeof(sxdp))) {
		r = fail(err, errlen, ifname, "binding the AF_XDP socket to queue 0");
		goto out;
	}
	if (fast_obj) {
		s->use_fast = true;
		r = pg_xdp_fast_load(&s->fast, fast_obj, err, errlen);
		if (!r)
			r = pg_xdp_fast_attach(&s->fast, s->ifindex, ifname, s->fd, err, errlen);
	} else {
		r = pg_xdp_prog_attach(&s->prog, s->ifindex, ifname, s->fd, err, errlen);
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
	ring_unmap(&s->fill);
	ring_unmap(&s->comp);
	ring_unmap(&s->rx);
	ring_unmap(&s->tx);
	if (s->fd >= 0)
		close(s->fd);
	if (s->umem)
		munmap(s->umem, s->umem_len);
	free(s->tx_free);
	s->tx_free = NULL;
	s->umem = NULL;
	s->fd = -1;
}

uint32_t pg_afxdp_rx_backlog(struct pg_afxdp *s)
{
	return cons_avail(&s->rx);
}

unsigned int pg_afxdp_rx_burst(struct pg_afxdp *s, struct pg_rx_frame *frames, unsigned int max)
{
	const struct xdp_desc *d = s->rx.desc;
	uint64_t *fill = s->fill.desc;
	uint32_t n = cons_avail(&s->rx), back = 0;
	unsigned int got = 0;

	if (n > max)
		n = max;
	for (uint32_t i = 0; i < n; i++) {
		const struct xdp_desc *e = &d[(s->rx.cached_cons + i) & s->rx.mask];
		uint64_t addr = e->addr;
		uint32_t len = e->len;
		struct pg_rx_frame *f = &frames[got];

		/* The descriptor is the kernel's word: stay inside our memory. */
		if (addr >= s->umem_len || len > s->umem_len - addr)
			continue;
		f->flags = 0;
		if (len > PG_FRAME_MAX) {
			f->flags |= PG_RX_F_OVERSIZE;
			len = PG_FRAME_MAX;
		}
		memcpy(f->buf + PG_FRAME_ETH_OFF, s->umem + addr, len);
		f->len = len;
		got++;
		/* The buffer goes straight back to the kernel (its chunk start). */
		fill[(s->fill.cached_prod + back++) & s->fill.mask] =
			addr & ~(uint64_t)(PG_FRAME_SIZE - 1);
	}
	if (n) {
		cons_release(&s->rx, n);
		/* We took n buffers from the fill ring's consumers, so n slots are free. */
		if (back <= prod_free(&s->fill)) {
			s->fill.cached_prod += back;
			prod_submit(&s->fill);
		}
	}
	if (__atomic_load_n(s->fill.flags, __ATOMIC_ACQUIRE) & XDP_RING_NEED_WAKEUP)
		recvfrom(s->fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
	return got;
}

/* Return sent buffers from the completion ring to the free stack. */
static void reclaim(struct pg_afxdp *s)
{
	const uint64_t *c = s->comp.desc;
	uint32_t n = cons_avail(&s->comp);

	for (uint32_t i = 0; i < n; i++) {
		uint64_t addr = c[(s->comp.cached_cons + i) & s->comp.mask];

		if (addr < s->umem_len && s->tx_free_n < PG_AFXDP_FRAMES - PG_AFXDP_RING)
			s->tx_free[s->tx_free_n++] = addr & ~(uint64_t)(PG_FRAME_SIZE - 1);
	}
	if (n)
		cons_release(&s->comp, n);
}

int pg_afxdp_tx(struct pg_afxdp *s, const uint8_t *frame, uint32_t len)
{
	struct xdp_desc *d;
	uint64_t addr;

	if (len > PG_FRAME_SIZE)
		return -EMSGSIZE;
	if (!s->tx_free_n)
		reclaim(s);
	if (!s->tx_free_n && s->tx_pending) {
		pg_afxdp_tx_flush(s);
		reclaim(s);
	}
	if (!s->tx_free_n || !prod_free(&s->tx))
		return -ENOBUFS;
	addr = s->tx_free[--s->tx_free_n];
	memcpy(s->umem + addr, frame, len);
	d = &((struct xdp_desc *)s->tx.desc)[s->tx.cached_prod & s->tx.mask];
	d->addr = addr;
	d->len = len;
	d->options = 0;
	s->tx.cached_prod++;
	s->tx_pending++;
	return 0;
}

int pg_afxdp_tx_flush(struct pg_afxdp *s)
{
	int r = 0;

	if (s->tx_pending) {
		prod_submit(&s->tx);
		s->tx_pending = 0;
	}
	/* Copy mode sends a bounded batch per call: kick until the ring drains. */
	for (int k = 0; k < PG_AFXDP_KICKS; k++) {
		if (__atomic_load_n(s->tx.consumer, __ATOMIC_ACQUIRE) == s->tx.cached_prod)
			break;
		if (sendto(s->fd, NULL, 0, MSG_DONTWAIT, NULL, 0) < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			if (errno != EBUSY && errno != ENOBUFS && errno != ENETDOWN)
				r = -errno;
			break;
		}
	}
	reclaim(s);
	return r;
}

int pg_afxdp_take_error(struct pg_afxdp *s)
{
	int e = 0;
	socklen_t len = sizeof(e);

	if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &e, &len))
		return errno;
	return e;
}

uint64_t pg_afxdp_kernel_drops(struct pg_afxdp *s)
{
	struct xdp_statistics st = {0};
	socklen_t len = sizeof(st);

	/*
	 * Unlike AF_PACKET's, these counters are cumulative: no accumulation.
	 * rx_dropped already counts frames lost to an empty fill ring (we were
	 * too slow to hand buffers back); rx_ring_full, frames lost to a full
	 * receive ring.
	 */
	if (s->fd >= 0 && !getsockopt(s->fd, SOL_XDP, XDP_STATISTICS, &st, &len))
		s->kernel_drops = st.rx_dropped + st.rx_ring_full;
	return s->kernel_drops;
}

bool pg_afxdp_native(const struct pg_afxdp *s)
{
	return s->use_fast ? s->fast.native : s->prog.native;
}
