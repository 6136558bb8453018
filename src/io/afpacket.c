/* SPDX-License-Identifier: MIT */
/*
 * afpacket.c - AF_PACKET sockets with mapped rings.
 *
 * DOC: Theory of operation
 *
 * Receive uses TPACKET_V2: fixed slots, each handed over (TP_STATUS_USER in
 * its header) as soon as the kernel wrote a frame into it, and poll() wakes
 * us for that frame. We copy each frame into the caller's buffer and hand
 * the slot back (TP_STATUS_KERNEL) at once.
 *
 * Why not TPACKET_V3, which this backend used first: V3 hands over whole
 * blocks, when full or when the block timer fires, and that timer counts in
 * jiffies (4 ms at HZ=250): a lone packet waited up to that long, and the
 * idle round trip through the gateway was 5 ms on average (latency-idle,
 * docs/ARCHITECTURE.md "Latency"). Under load V2 costs nothing extra: a
 * pass takes a burst of slots without sleeping.
 *
 * The receive ring has PG_AFP_RX_FRAMES slots: the most frames that can
 * wait for us, so the gateway's own standing queue when it is the
 * bottleneck. Beyond it the kernel drops (counted, rx_kernel_drops).
 *
 * Transmit uses the same socket's TX ring (the ring version is per socket,
 * so it is V2 too). A frame is
 * written into the next slot, the slot's status set to SEND_REQUEST, and one
 * send() per batch makes the kernel transmit every requested slot. The kernel
 * marks a slot AVAILABLE again once the frame left (its skb was freed).
 *
 * The kernel writes status words while we read them: they are loaded with
 * acquire and stored with release ordering, so frame bytes are complete
 * before a status says so in either direction.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "io/afpacket.h"

#define PG_AFP_RX_BLOCK_SIZE (1u << 17)
#define PG_AFP_RX_FRAMES 1024 /* the most frames that wait for us (see above) */
#define PG_AFP_TX_BLOCK_SIZE (1u << 16)
#define PG_AFP_TX_BLOCK_NR 8
#define PG_AFP_TX_FRAME_SIZE 2048
/* Without PACKET_TX_HAS_OFF a TX slot's data follows the aligned V2 header. */
#define TX_DATA_OFF TPACKET_ALIGN(sizeof(struct tpacket2_hdr))
/* A slot: the V2 header, then the kernel's sockaddr_ll, then the frame at tp_mac. */
#define SLL_OFF TPACKET_ALIGN(sizeof(struct tpacket2_hdr))

static int fail(char *err, size_t errlen, const char *ifname, const char *what)
{
	int r = -errno;

	snprintf(err, errlen, "%s: %s: %s", ifname, what, strerror(errno));
	return r;
}

int pg_afp_open(struct pg_afp *s, const char *ifname, char *err, size_t errlen)
{
	struct tpacket_req rx = {
		.tp_block_size = PG_AFP_RX_BLOCK_SIZE,
		.tp_block_nr = PG_AFP_RX_FRAMES / (PG_AFP_RX_BLOCK_SIZE / PG_FRAME_SIZE),
		.tp_frame_size = PG_FRAME_SIZE,
		.tp_frame_nr = PG_AFP_RX_FRAMES,
	};
	struct tpacket_req tx = {
		.tp_block_size = PG_AFP_TX_BLOCK_SIZE,
		.tp_block_nr = PG_AFP_TX_BLOCK_NR,
		.tp_frame_size = PG_AFP_TX_FRAME_SIZE,
		.tp_frame_nr = PG_AFP_TX_BLOCK_SIZE / PG_AFP_TX_FRAME_SIZE * PG_AFP_TX_BLOCK_NR,
	};
	struct sockaddr_ll sll = {0};
	int version = TPACKET_V2, one = 1, r;
	size_t rx_len = (size_t)rx.tp_block_size * rx.tp_block_nr;
	size_t tx_len = (size_t)tx.tp_block_size * tx.tp_block_nr;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	snprintf(s->name, sizeof(s->name), "%s", ifname);
	s->ifindex = if_nametoindex(ifname);
	if (!s->ifindex)
		return fail(err, errlen, ifname, "no such interface");
	/* Protocol 0: nothing is queued to the socket before bind(). */
	s->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->fd < 0)
		return fail(err, errlen, ifname, "AF_PACKET socket (needs CAP_NET_RAW)");
	/* Version and loss mode must be set before any ring exists. */
	if (setsockopt(s->fd, SOL_PACKET, PACKET_VERSION, &version, sizeof(version))) {
		r = fail(err, errlen, ifname, "PACKET_VERSION TPACKET_V2");
		goto out_close;
	}
	/* Skip a malformed TX slot instead of stalling the whole ring on it. */
	if (setsockopt(s->fd, SOL_PACKET, PACKET_LOSS, &one, sizeof(one))) {
		r = fail(err, errlen, ifname, "PACKET_LOSS");
		goto out_close;
	}
	/* Our own transmissions (and the host's) must not come back as input. */
	if (setsockopt(s->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one))) {
		r = fail(err, errlen, ifname, "PACKET_IGNORE_OUTGOING (Linux 4.20 or later)");
		goto out_close;
	}
	if (setsockopt(s->fd, SOL_PACKET, PACKET_RX_RING, &rx, sizeof(rx))) {
		r = fail(err, errlen, ifname, "PACKET_RX_RING");
		goto out_close;
	}
	if (setsockopt(s->fd, SOL_PACKET, PACKET_TX_RING, &tx, sizeof(tx))) {
		r = fail(err, errlen, ifname, "PACKET_TX_RING");
		goto out_close;
	}
	s->map_len = rx_len + tx_len;
	s->map =
		mmap(NULL, s->map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, s->fd, 0);
	if (s->map == MAP_FAILED) {
		s->map = NULL;
		r = fail(err, errlen, ifname, "mmap of the packet rings");
		goto out_close;
	}
	s->rx_frame_size = rx.tp_frame_size;
	s->rx_frame_nr = rx.tp_frame_nr;
	s->tx_ring = s->map + rx_len;
	s->tx_frame_size = tx.tp_frame_size;
	s->tx_frame_nr = tx.tp_frame_nr;

	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)s->ifindex;
	if (bind(s->fd, (struct sockaddr *)&sll, sizeof(sll))) {
		r = fail(err, errlen, ifname, "bind");
		goto out_unmap;
	}
	return 0;

out_unmap:
	munmap(s->map, s->map_len);
	s->map = NULL;
out_close:
	close(s->fd);
	s->fd = -1;
	return r;
}

void pg_afp_close(struct pg_afp *s)
{
	if (s->map)
		munmap(s->map, s->map_len);
	if (s->fd >= 0)
		close(s->fd);
	s->map = NULL;
	s->fd = -1;
}

static struct tpacket2_hdr *rx_slot(const struct pg_afp *s, uint32_t i)
{
	return (struct tpacket2_hdr *)(s->map + (size_t)i * s->rx_frame_size);
}

/* Copy one ring frame into f; false if the kernel's header makes no sense. */
static bool rx_copy(const struct pg_afp *s, const struct tpacket2_hdr *h, struct pg_rx_frame *f)
{
	uint32_t n = h->tp_snaplen;

	/* The ring is shared memory: check the kernel's offsets before trusting them. */
	if (h->tp_mac < SLL_OFF || (size_t)h->tp_mac + n > s->rx_frame_size)
		return false;
	f->flags = 0;
	if ((h->tp_status & TP_STATUS_VLAN_VALID) || h->tp_vlan_tci)
		f->flags |= PG_RX_F_VLAN;
	if (h->tp_status & TP_STATUS_CSUMNOTREADY)
		f->flags |= PG_RX_F_CSUM_PARTIAL;
	if (h->tp_len > PG_FRAME_MAX)
		f->flags |= PG_RX_F_OVERSIZE;
	else if (n < h->tp_len)
		f->flags |= PG_RX_F_TRUNCATED;
	if (n > PG_FRAME_MAX)
		n = PG_FRAME_MAX;
	memcpy(f->buf + PG_FRAME_ETH_OFF, (const uint8_t *)h + h->tp_mac, n);
	f->len = n;
	return true;
}

uint32_t pg_afp_rx_backlog(struct pg_afp *s)
{
	static const uint32_t probes[] = {512, 256, 128, 64};

	/* Slots are filled in order: if the k-th ahead is ours, so are those before it. */
	for (unsigned int i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		const struct tpacket2_hdr *h;

		if (probes[i] >= s->rx_frame_nr)
			continue;
		h = rx_slot(s, (s->rx_cur + probes[i] - 1) % s->rx_frame_nr);
		if (__atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER)
			return probes[i];
	}
	return 0;
}

unsigned int pg_afp_rx_burst(struct pg_afp *s, struct pg_rx_frame *frames, unsigned int max)
{
	unsigned int n = 0;

	while (n < max) {
		struct tpacket2_hdr *h = rx_slot(s, s->rx_cur);
		const struct sockaddr_ll *sll = (const struct sockaddr_ll *)((uint8_t *)h + SLL_OFF);
		uint32_t st = __atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE);

		if (!(st & TP_STATUS_USER))
			break;
		/* Belt and braces for PACKET_IGNORE_OUTGOING; a bad header is skipped. */
		if (sll->sll_pkttype != PACKET_OUTGOING && rx_copy(s, h, &frames[n]))
			n++;
		__atomic_store_n(&h->tp_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
		s->rx_cur = (s->rx_cur + 1) % s->rx_frame_nr;
	}
	return n;
}

static struct tpacket2_hdr *tx_slot(const struct pg_afp *s, uint32_t i)
{
	return (struct tpacket2_hdr *)(s->tx_ring + (size_t)i * s->tx_frame_size);
}

int pg_afp_tx(struct pg_afp *s, const uint8_t *frame, uint32_t len)
{
	struct tpacket2_hdr *h = tx_slot(s, s->tx_cur);
	uint32_t st;

	if (len > s->tx_frame_size - TX_DATA_OFF)
		return -EMSGSIZE;
	st = __atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE);
	if (st != TP_STATUS_AVAILABLE && s->tx_pending) {
		/* Full of requests we have not flushed yet: flush and look again. */
		pg_afp_tx_flush(s);
		st = __atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE);
	}
	if (st != TP_STATUS_AVAILABLE)
		return -ENOBUFS;
	memcpy((uint8_t *)h + TX_DATA_OFF, frame, len);
	h->tp_len = len;
	h->tp_snaplen = len;
	__atomic_store_n(&h->tp_status, TP_STATUS_SEND_REQUEST, __ATOMIC_RELEASE);
	s->tx_cur = (s->tx_cur + 1) % s->tx_frame_nr;
	s->tx_pending++;
	return 0;
}

int pg_afp_tx_flush(struct pg_afp *s)
{
	if (!s->tx_pending)
		return 0;
	/* MSG_DONTWAIT: hand the frames over, do not wait for them to leave. */
	if (send(s->fd, NULL, 0, MSG_DONTWAIT) < 0) {
		/* Requests stay in the ring; the next flush retries them. */
		if (errno == EAGAIN || errno == ENOBUFS || errno == EINTR)
			return -errno;
		s->tx_pending = 0;
		return -errno;
	}
	s->tx_pending = 0;
	return 0;
}

uint64_t pg_afp_kernel_drops(struct pg_afp *s)
{
	struct tpacket_stats st;
	socklen_t len = sizeof(st);

	/* Reading the statistics resets them in the kernel: accumulate. */
	if (s->fd >= 0 && getsockopt(s->fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) == 0)
		s->kernel_drops += st.tp_drops;
	return s->kernel_drops;
}

int pg_afp_take_error(struct pg_afp *s)
{
	int e = 0;
	socklen_t len = sizeof(e);

	if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &e, &len))
		return errno;
	return e;
}
