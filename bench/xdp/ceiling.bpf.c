/* SPDX-License-Identifier: (MIT OR GPL-2.0) */
/*
 * bench/xdp/ceiling.bpf.c - the benchmark's xdp-ceiling gateway: the least
 * a forwarder between the router's two links can do. Every frame that
 * arrives on one link gets the MAC addresses of the hop behind the other
 * link and is redirected there through a device map. No state, no NAT, no
 * checksum, no TTL: what it delivers is the limit of the links and of XDP
 * redirect on this kernel, the reference the real gateways are measured
 * against (issue 21). bench/xdp/ceiling_load.c fills both maps.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct pg_ceiling_macs {
	unsigned char dst[6];
	unsigned char src[6];
};

/* Ingress ifindex -> the link to send out of. */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} out SEC(".maps");

/* Ingress ifindex -> the Ethernet addresses for the way out. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct pg_ceiling_macs);
} macs SEC(".maps");

SEC("xdp")
int pg_ceiling(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 in = ctx->ingress_ifindex;
	struct pg_ceiling_macs *m;

	if (data + sizeof(*m) > end)
		return XDP_PASS;
	m = bpf_map_lookup_elem(&macs, &in);
	if (!m)
		return XDP_PASS;
	__builtin_memcpy(data, m, sizeof(*m));
	return bpf_redirect_map(&out, in, XDP_PASS);
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
