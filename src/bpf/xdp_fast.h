/* SPDX-License-Identifier: MIT */
/*
 * xdp_fast.h - the layout the XDP fast path (xdp_fast.bpf.c) and its loader
 * (io/xdp_fast.c) share: the flow map's key and value and the counters each
 * entry has. Included by the BPF program and by userspace, so it uses only
 * the kernel's fixed-width types. Every address and port is in network order.
 */
#ifndef PG_BPF_XDP_FAST_H
#define PG_BPF_XDP_FAST_H

#include <linux/types.h>

/*
 * Receive queues of a link the programs hand to AF_XDP sockets (the xsks
 * map's size): a frame on a higher queue goes to the kernel.
 */
#define PG_XF_QUEUES_MAX 16

/*
 * Entries per link's flow map (and counter slots): a flow takes one on each
 * link. The hash maps allocate an entry when it is put (BPF_F_NO_PREALLOC),
 * so only the counters' array (32 bytes a slot: 4 MiB a link) is taken up
 * front. Above the 101,000 two-way flows of make bench's 100k_flows case,
 * which overflowed the 65,536 this was (a third of its packets stayed on
 * the daemon's path).
 */
#define PG_XF_MAX_ENTRIES 131072

/*
 * The packet's 5-tuple as it arrives on the link whose map holds the entry.
 * Enhanced GRE (PPTP): sport 0, dport the call id its key carries. ESP:
 * sport and dport the SPI's two halves.
 */
struct pg_xf_key {
	__u32 saddr, daddr;
	__u16 sport, dport;
	__u8 proto;
	__u8 pad[3]; /* zero: hashed with the rest */
};

/*
 * An IPv6 packet's 5-tuple as it arrives on the link (the flows6 map): the
 * firewall's flow key seen from that side (engine/forward6.c). ESP: ports
 * zero, one flow per address pair as the firewall keeps it.
 */
struct pg_xf_key6 {
	__u8 saddr[16], daddr[16];
	__u16 sport, dport;
	__u8 proto;
	__u8 pad[3]; /* zero: hashed with the rest */
};

/*
 * What the program writes into a packet whose key matched. An IPv6 entry
 * uses only the MACs, mtu and slot: nothing is translated.
 */
struct pg_xf_val {
	__u32 addr;	    /* the new source (from the LAN) or destination (from the WAN) */
	__u16 port;	    /* the new source or destination port; GRE inbound: call id; ESP: unused */
	__u8 rewrite_src;   /* 1: rewrite the source (outbound), 0: the destination */
	__u8 natt;	    /* 1: a NAT-T flow: only ESP in UDP here, keepalives and IKE to the engine */
	__u8 dmac[6];	    /* the next hop's MAC on the other link */
	__u8 smac[6];	    /* the other link's own MAC */
	__u16 mtu;	    /* host order: a longer IP packet goes to the engine */
	__u32 slot;	    /* index of this entry's counters in the stats array */
};

/* Per entry, written by the program, read by the daemon (a memory-mapped array). */
struct pg_xf_stats {
	__u64 pkts;
	__u64 bytes;	/* IP lengths, as the engine counts them */
	__u64 last_ns;	/* bpf_ktime_get_ns() of the last packet: CLOCK_MONOTONIC */
	__u64 pad;
};

#endif /* PG_BPF_XDP_FAST_H */
