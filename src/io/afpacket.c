/* SPDX-License-Identifier: MIT */
/*
 * afpacket.c - AF_PACKET sockets with mapped rings.
 *
 * DOC: Theory of operation
 *
 * Receive uses TPACKET_V3: the kernel fills fixed-size blocks with
 * variable-size frames and hands a block over (TP_STATUS_USER in its
 * descriptor) when it is full or PG_AFP_RX_TIMEOUT_MS after its first frame.
 * We walk a block frame by frame, copy each frame into the caller's buffer,
 * and hand the block back (TP_STATUS_KERNEL) as soon as its last frame was
 * copied. A burst may stop in the middle of a block; the position is kept.
 *
 * Transmit uses the same socket's TX ring (the ring version is per socket,
 * so it is V3 too; V3 transmit works frame by frame like V2). A frame is
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
#define PG_AFP_RX_BLOCK_NR 32
#define PG_AFP_RX_TIMEOUT_MS 1
#define PG_AFP_TX_BLOCK_SIZE (1u << 16)
#define PG_AFP_TX_BLOCK_NR 8
#define PG_AFP_TX_FRAME_SIZE 2048
/* Without PACKET_TX_HAS_OFF a TX slot's data follows the aligned V3 header. */
#define TX_DATA_OFF TPACKET_ALIGN(sizeof(struct tpacket3_hdr))

static int fail(char *err, size_t errlen, const char *ifname, const char *what)
{
	int r = -errno;

	snprintf(err, errlen, "%s: %s: %s", ifname, what, strerror(errno));
	return r;
}

int pg_afp_open(struct pg_afp *s, const char *ifname, char *err, size_t errlen)
{
	struct tpacket_req3 rx = {
		.tp_block_size = PG_AFP_RX_BLOCK_SIZE,
		.tp_block_nr = PG_AFP_RX_BLOCK_NR,
		.tp_frame_size = PG_FRAME_SIZE,
		.tp_frame_nr = PG_AFP_RX_BLOCK_SIZE / PG_FRAME_SIZE * PG_AFP_RX_BLOCK_NR,
		.tp_retire_blk_tov = PG_AFP_RX_TIMEOUT_MS,
	};
	struct tpacket_req3 tx = {
		.tp_block_size = PG_AFP_TX_BLOCK_SIZE,
		.tp_block_nr = PG_AFP_TX_BLOCK_NR,
		.tp_frame_size = PG_AFP_TX_FRAME_SIZE,
		.tp_frame_nr = PG_AFP_TX_BLOCK_SIZE / PG_AFP_TX_FRAME_SIZE * PG_AFP_TX_BLOCK_NR,
	};
	struct sockaddr_ll sll = {0};
	int version = TPACKET_V3, one = 1, r;
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
		r = fail(err, errlen, ifname, "PACKET_VERSION TPACKET_V3");
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
	s->rx_block_size = rx.tp_block_size;
	s->rx_block_nr = rx.tp_block_nr;
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

static struct tpacket_block_desc *rx_block(const struct pg_afp *s, uint32_t i)
{
	return (struct tpacket_block_desc *)(s->map + (size_t)i * s->rx_block_size);
}

static void rx_release(struct pg_afp *s)
{
	__atomic_store_n(&rx_block(s, s->rx_cur)->hdr.bh1.block_status, TP_STATUS_KERNEL,
			 __ATOMIC_RELEASE);
	s->rx_cur = (s->rx_cur + 1) % s->rx_block_nr;
	s->rx_next = NULL;
	s->rx_left = 0;
}

/* Copy one ring frame into f; false if the kernel's descriptor makes no sense. */
static bool rx_copy(const struct pg_afp *s, const struct tpacket3_hdr *h, struct pg_rx_frame *f)
{
	const uint8_t *block = (const uint8_t *)rx_block(s, s->rx_cur);
	size_t at = (size_t)((const uint8_t *)h - block);
	uint32_t n = h->tp_snaplen;

	/* The ring is shared memory: check the kernel's offsets before trusting them. */
	if (at + sizeof(*h) > s->rx_block_size || at + h->tp_mac + (size_t)n > s->rx_block_size)
		return false;
	f->flags = 0;
	if ((h->tp_status & TP_STATUS_VLAN_VALID) || h->hv1.tp_vlan_tci)
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

unsigned int pg_afp_rx_burst(struct pg_afp *s, struct pg_rx_frame *frames, unsigned int max)
{
	unsigned int n = 0;

	while (n < max) {
		const struct tpacket3_hdr *h;
		const struct sockaddr_ll *sll;

		if (!s->rx_next) {
			struct tpacket_block_desc *bd = rx_block(s, s->rx_cur);
			uint32_t st = __atomic_load_n(&bd->hdr.bh1.block_status, __ATOMIC_ACQUIRE);

			if (!(st & TP_STATUS_USER))
				break;
			s->rx_left = bd->hdr.bh1.num_pkts;
			s->rx_next = (uint8_t *)bd + bd->hdr.bh1.offset_to_first_pkt;
			if (!s->rx_left || bd->hdr.bh1.offset_to_first_pkt >= s->rx_block_size) {
				rx_release(s);
				continue;
			}
		}
		h = (const struct tpacket3_hdr *)s->rx_next;
		sll = (const struct sockaddr_ll *)(s->rx_next + TPACKET_ALIGN(sizeof(*h)));
		/* Belt and braces for PACKET_IGNORE_OUTGOING. */
		if (sll->sll_pkttype != PACKET_OUTGOING) {
			if (!rx_copy(s, h, &frames[n])) {
				rx_release(s);
				continue;
			}
			n++;
		}
		if (--s->rx_left == 0 || !h->tp_next_offset ||
			(size_t)(s->rx_next - s->map) % s->rx_block_size + h->tp_next_offset >=
			s->rx_block_size)
			rx_release(s);
		else
			s->rx_next += h->tp_next_offset;
	}
	return n;
}

static struct tpacket3_hdr *tx_slot(const struct pg_afp *s, uint32_t i)
{
	return (struct tpacket3_hdr *)(s->tx_ring + (size_t)i * s->tx_frame_size);
}

int pg_afp_tx(struct pg_afp *s, const uint8_t *frame, uint32_t len)
{
	struct tpacket3_hdr *h = tx_slot(s, s->tx_cur);
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
	h->tp_next_offset = 0;
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
	struct tpacket_stats_v3 st;
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
