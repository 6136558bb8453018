/* SPDX-License-Identifier: (MIT OR GPL-2.0) */
/*
 * bench/xdp/pass.bpf.c - the linux-xdp reference of bench/run's latency case: an XDP
 * program that passes every frame to the kernel. Attached to the router's
 * two veths under Linux's own NAT, it changes nothing but the veth's receive
 * mode (a NAPI ring instead of the sender's softirq), the mode every AF_XDP
 * gateway puts its links in; the latency of Linux in that mode is the fair
 * yardstick for passgated's (docs/ARCHITECTURE.md "Latency").
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int pg_bench_pass(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
