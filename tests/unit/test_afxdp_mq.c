/* SPDX-License-Identifier: MIT */
/*
 * test_afxdp_mq.c - the afxdp backend on links with several receive queues,
 * on real veth pairs in a network namespace of this process (root; skipped
 * with the reason elsewhere): one socket per queue, frames from both queues
 * received byte for byte through one burst call, transmit, the single-queue
 * case polled on its socket as before, and a link with more queues than
 * the XDP programs' socket map refused with a message.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "io/afxdp.h"

#define FRAMES 64
#define FRAME_LEN 120

static bool have_ns;
static uint8_t bufs[FRAMES][PG_FRAME_SIZE];
static struct pg_rx_frame rx[FRAMES];

static int sh(const char *cmd)
{
	char line[256];

	snprintf(line, sizeof(line), "%s >/dev/null 2>&1", cmd);
	return system(line);
}

/* Frame i: broadcast, IPv4/UDP-shaped so the sender's flow hash varies with i. */
static void frame_make(uint8_t *f, unsigned int i)
{
	memset(f, 0, FRAME_LEN);
	memset(f, 0xff, 6);
	f[6] = 0x02;
	f[11] = 0x01;
	f[12] = 0x08; /* IPv4 */
	f[14] = 0x45;
	f[14 + 8] = 64;	    /* TTL */
	f[14 + 9] = 17;	    /* UDP */
	f[14 + 2] = 0;
	f[14 + 3] = FRAME_LEN - 14;
	f[14 + 12] = 10;    /* 10.0.0.1 -> 10.0.0.2 */
	f[14 + 15] = 1;
	f[14 + 16] = 10;
	f[14 + 19] = 2;
	f[34] = (uint8_t)(i >> 8) + 0x90; /* source port 0x90xx + i */
	f[35] = (uint8_t)i;
	f[37] = 9;
	f[38] = 0;
	f[39] = FRAME_LEN - 34;
	for (unsigned int k = 42; k < FRAME_LEN; k++)
		f[k] = (uint8_t)(i * 7 + k);
}

static int raw_socket(const char *ifname)
{
	struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL)};
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));

	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		close(fd);
		return -1;
	}
	return fd;
}

static int setup(void **state)
{
	(void)state;
	if (unshare(CLONE_NEWNET | CLONE_NEWNS)) {
		printf("SKIP test_afxdp_mq: no network namespace of our own (%s)\n",
		       strerror(errno));
		return 0;
	}
	/*
	 * The backend counts a link's queues in /sys/class/net, which shows the
	 * namespace of whoever mounted it: a sysfs of our own, as `ip netns
	 * exec` gives the daemon, in a mount namespace that leaks nothing.
	 */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) || umount2("/sys", MNT_DETACH) ||
	    mount("sysfs", "/sys", "sysfs", 0, NULL)) {
		printf("SKIP test_afxdp_mq: cannot mount a sysfs of this namespace (%s)\n",
		       strerror(errno));
		return 0;
	}
	/*
	 * IPv6 off before the links exist: a new link's MLD reports and router
	 * solicitations would otherwise arrive among the test's frames, whenever
	 * the kernel's timers choose (the count and the frames are checked).
	 */
	if (sh("sysctl -qw net.ipv6.conf.default.disable_ipv6=1 net.ipv6.conf.all.disable_ipv6=1")) {
		printf("SKIP test_afxdp_mq: cannot turn IPv6 off in this namespace\n");
		return 0;
	}
	if (sh("ip link add pgqa0 numtxqueues 2 numrxqueues 2 type veth peer name pgqb0 "
	       "numtxqueues 2 numrxqueues 2") ||
	    sh("ip link set pgqa0 up") || sh("ip link set pgqb0 up")) {
		printf("SKIP test_afxdp_mq: cannot add a two-queue veth pair here\n");
		return 0;
	}
	have_ns = true;
	return 0;
}

/* Two queues: two sockets, both read by one burst call, transmit on queue 0. */
static void test_two_queues(void **state)
{
	uint8_t f[FRAME_LEN], seen[FRAMES] = {0};
	char err[256] = "";
	struct pg_afxdp s;
	unsigned int got = 0;
	int raw, r;

	(void)state;
	if (!have_ns)
		skip();
	for (unsigned int i = 0; i < FRAMES; i++)
		rx[i].buf = bufs[i];
	r = pg_afxdp_open(&s, "pgqa0", NULL, err, sizeof(err));
	if (r == -EPERM || r == -EAFNOSUPPORT) {
		printf("SKIP test_two_queues: %s\n", err);
		return;
	}
	assert_int_equal(r, 0);
	assert_int_equal(s.nq, 2);
	/* Polled through an epoll set of the two, not either socket. */
	assert_true(s.fd != s.q[0].fd && s.fd != s.q[1].fd);
	raw = raw_socket("pgqb0");
	assert_true(raw >= 0);
	for (unsigned int i = 0; i < FRAMES; i++) {
		frame_make(f, i);
		assert_int_equal(send(raw, f, FRAME_LEN, 0), FRAME_LEN);
	}
	for (int t = 0; t < 200 && got < FRAMES; t++) {
		struct pollfd p = {.fd = s.fd, .events = POLLIN};
		unsigned int n;

		poll(&p, 1, 10);
		n = pg_afxdp_rx_burst(&s, rx, FRAMES);
		for (unsigned int k = 0; k < n; k++) {
			unsigned int i = ((unsigned int)(rx[k].buf[PG_FRAME_ETH_OFF + 34] - 0x90) << 8) |
					 rx[k].buf[PG_FRAME_ETH_OFF + 35];

			assert_true(i < FRAMES);
			assert_int_equal(rx[k].len, FRAME_LEN);
			frame_make(f, i);
			assert_memory_equal(rx[k].buf + PG_FRAME_ETH_OFF, f, FRAME_LEN);
			assert_false(seen[i]);
			seen[i] = 1;
		}
		got += n;
	}
	assert_int_equal(got, FRAMES);
	printf("frames per receive queue: %llu %llu\n",
	       (unsigned long long)pg_afxdp_queue_rx(&s, 0),
	       (unsigned long long)pg_afxdp_queue_rx(&s, 1));
	/* 64 flows by the sender's hash: both queues, or the test proves nothing. */
	assert_true(pg_afxdp_queue_rx(&s, 0) > 0 && pg_afxdp_queue_rx(&s, 1) > 0);
	assert_int_equal(pg_afxdp_queue_rx(&s, 0) + pg_afxdp_queue_rx(&s, 1), FRAMES);
	assert_int_equal(pg_afxdp_queue_rx(&s, 2), 0);
	assert_int_equal(pg_afxdp_rx_backlog(&s), 0);
	assert_int_equal(pg_afxdp_kernel_drops(&s), 0);
	assert_int_equal(pg_afxdp_take_error(&s), 0);

	/* Transmit: what goes out of pgqa0 arrives on pgqb0 as it was. */
	frame_make(f, 200);
	assert_int_equal(pg_afxdp_tx(&s, f, FRAME_LEN), 0);
	assert_int_equal(pg_afxdp_tx_flush(&s), 0);
	for (int t = 0; t < 100; t++) {
		uint8_t in[256];
		struct pollfd p = {.fd = raw, .events = POLLIN};
		ssize_t n;

		if (poll(&p, 1, 20) <= 0)
			continue;
		n = recv(raw, in, sizeof(in), MSG_DONTWAIT);
		/* The raw socket also sees what it sent itself (outgoing): skip those. */
		if (n == FRAME_LEN && !memcmp(in, f, FRAME_LEN)) {
			got = 0;
			break;
		}
	}
	assert_int_equal(got, 0);
	close(raw);
	pg_afxdp_close(&s);
	assert_null(s.q);
	assert_int_equal(s.fd, -1);
}

/* One queue: the socket itself is polled, as before several were served. */
static void test_one_queue(void **state)
{
	char err[256] = "";
	struct pg_afxdp s;
	int r;

	(void)state;
	if (!have_ns)
		skip();
	assert_int_equal(sh("ip link add pgqc0 type veth peer name pgqd0"), 0);
	assert_int_equal(sh("ip link set pgqc0 up"), 0);
	assert_int_equal(sh("ip link set pgqd0 up"), 0);
	r = pg_afxdp_open(&s, "pgqc0", NULL, err, sizeof(err));
	if (r == -EPERM || r == -EAFNOSUPPORT) {
		printf("SKIP test_one_queue: %s\n", err);
		return;
	}
	assert_int_equal(r, 0);
	assert_int_equal(s.nq, 1);
	assert_int_equal(s.fd, s.q[0].fd);
	pg_afxdp_close(&s);
	sh("ip link del pgqc0");
}

/* More queues than the socket map holds: refused, saying how to fix it. */
static void test_too_many_queues(void **state)
{
	char err[256] = "", cmd[160], want[64];
	struct pg_afxdp s;

	(void)state;
	if (!have_ns)
		skip();
	snprintf(cmd, sizeof(cmd),
		 "ip link add pgqe0 numrxqueues %d numtxqueues 1 type veth peer name pgqf0",
		 PG_AFXDP_QUEUES_MAX + 1);
	assert_int_equal(sh(cmd), 0);
	assert_int_equal(pg_afxdp_open(&s, "pgqe0", NULL, err, sizeof(err)), -EOPNOTSUPP);
	snprintf(want, sizeof(want), "the link has %d", PG_AFXDP_QUEUES_MAX + 1);
	assert_non_null(strstr(err, want));
	snprintf(want, sizeof(want), "ethtool -L pgqe0 combined %d", PG_AFXDP_QUEUES_MAX);
	assert_non_null(strstr(err, want));
	sh("ip link del pgqe0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_queues),
		cmocka_unit_test(test_one_queue),
		cmocka_unit_test(test_too_many_queues),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
