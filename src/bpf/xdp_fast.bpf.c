/* SPDX-License-Identifier: (MIT OR GPL-2.0) */
/*
 * xdp_fast.bpf.c - the XDP fast path: packets of established flows the
 * engine handed over are translated and sent out of the other link here,
 * without reaching the daemon; every other frame goes to the link's AF_XDP
 * socket, as the five-instruction program of io/xdp_prog.c sends them all.
 *
 * DOC: Theory of operation
 *
 * The engine stays the authority: it decides which flows come here (an
 * established TCP connection, a UDP flow that has seen an answer, no helper,
 * no hairpin) and the daemon puts one entry per direction in the flow map of
 * the link that direction arrives on (io/xdp_fast.c), and takes it out when
 * the engine ends the flow. This program only looks up and rewrites; it
 * never creates state.
 *
 * A frame takes this path only if the engine's own fast lane
 * (engine/fastpath.c candidate()) would have forwarded it with nothing but
 * the rewrite: IPv4 without options, header checksum right, not a fragment,
 * TTL above 1, the IP length within the frame, UDP length or TCP data offset
 * sane, no TCP SYN, FIN or RST (the engine follows the connection's state
 * with them and ends the entry), the packet within the egress MTU. The
 * rewrite is pg_translate_plain()'s: address, port and TTL changes folded
 * into each checksum at once (RFC 1624), a zero UDP checksum left zero and a
 * computed zero sent as 0xffff. test_xdp_fast compares both byte for byte.
 *
 * The helpers' flows the engine hands over take the same rewrite with the
 * full path's choice of fields (engine/forward.c pg_rewrite()): a PPTP
 * call's enhanced GRE (RFC 2637 4.1: version 1, no checksum, key present,
 * protocol PPP, the header as long as its S and A bits say) is keyed by the
 * call id it carries; outbound only the source address changes, inbound the
 * destination and the call id, and GRE has no checksum to follow. Raw ESP
 * (8 bytes at least, as parse.c wants) is keyed by its SPI and only the
 * address changes. A NAT-T flow's entry says so (natt): only ESP in UDP, a
 * payload of 8 bytes or more not starting with the zero marker, is
 * forwarded; keepalives and IKE go to the engine, whose helper counts them.
 *
 * IPv6 (engine/forward6.c: routed, no NAT) takes a map of its own, keyed by
 * the firewall's flow as the packet shows it, and nothing is rewritten but
 * the hop limit and the MACs: IPv6 has no header checksum and TCP's and
 * UDP's pseudo-header leaves the hop limit out. The program forwards only
 * what pg_v6_process() would forward so: the next header TCP, UDP, ESP or
 * ICMPv6 echo right after the fixed header (an extension header, a
 * fragment, other ICMPv6 go to the engine), hop limit above 1, the payload length within the
 * frame, UDP length and TCP data offset as parse6.c wants them, no SYN, FIN
 * or RST, the packet within the egress MTU (above it the engine sends
 * Packet Too Big).
 *
 * ICMP echo (a ping) takes the same path once the engine has seen a request
 * and its reply: keyed as forward.c keys it (a request by its identifier as
 * the source port, a reply by it as the destination port), only a request
 * from the LAN and a reply from the WAN (the engine drops the other way
 * round). The identifier is the query's port (RFC 5508 3.1): rewritten
 * with the address, and the ICMP checksum, which covers no pseudo-header,
 * follows the identifier alone. A result of 0x0000 goes to the engine
 * untouched: its pg_rewrite() turns an all-zero message's checksum into
 * 0xffff, which the program cannot tell without reading the whole message.
 * ICMPv6 echo (request or reply, either way: the firewall passes both on
 * a flow) is routed like the rest of IPv6: the hop limit only, since
 * ICMPv6's pseudo-header leaves it out. Errors, other types, fragments,
 * short messages stay with the engine.
 *
 * Counters and the time of the last packet go to the entry's slot of a
 * memory-mapped array, which the daemon reads every second to give the
 * engine's flow its packets and its last-seen time (timeouts stay exact).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "bpf/xdp_fast.h"

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define IP_FRAG_BITS 0x3fff
#define IP6_HLEN 40
#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO_REQUEST 8
#define ICMP6_ECHO_REQUEST 128
#define ICMP6_ECHO_REPLY 129
/* Enhanced GRE's first word (RFC 2637 4.1) and its protocol. */
#define GRE_C 0x8000
#define GRE_K 0x2000
#define GRE_S 0x1000
#define GRE_A 0x0080
#define GRE_VER 0x0007
#define GRE_PROTO_PPP 0x880b

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PG_XF_MAX_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct pg_xf_key);
	__type(value, struct pg_xf_val);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PG_XF_MAX_ENTRIES);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct pg_xf_stats);
} stats SEC(".maps");

/* IPv6 flows: the same values, only the MACs, mtu and slot used. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PG_XF_MAX_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct pg_xf_key6);
	__type(value, struct pg_xf_val);
} flows6 SEC(".maps");

/* Key 0: the other link. */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} egress SEC(".maps");

/* Receive queue index -> that queue's AF_XDP socket (io/afxdp.c: one per queue). */
struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, PG_XF_QUEUES_MAX);
	__type(key, __u32);
	__type(value, __u32);
} xsks SEC(".maps");

static __always_inline __u16 csum_add_fold(__u16 csum, __u32 delta)
{
	__u32 sum = (__u32)(__u16)~csum + delta;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

static __always_inline __u32 delta32(__u32 old_v, __u32 new_v)
{
	return (__u32)(__u16)~old_v + (__u16)new_v + (__u16)~(old_v >> 16) + (__u16)(new_v >> 16);
}

static __always_inline __u32 delta16(__u16 old_v, __u16 new_v)
{
	return (__u32)(__u16)~old_v + new_v;
}

/* The IPv4 header (20 bytes, no options) sums to 0xffff when its checksum is right. */
static __always_inline int header_csum_ok(const __u16 *w)
{
	__u32 sum = 0;

#pragma unroll
	for (int i = 0; i < 10; i++)
		sum += w[i];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum == 0;
}

static __always_inline int to_engine(struct xdp_md *ctx)
{
	return bpf_redirect_map(&xsks, ctx->rx_queue_index, XDP_PASS);
}

/*
 * TCP's or UDP's header as the engine's parsers want it (parse.c,
 * parse6.c), for IPv4 and IPv6 alike; l4len: the IP payload's length, and
 * the caller has checked that 8 bytes of it are in the frame. TCP: a whole
 * header, the data offset within the payload, no SYN, FIN or RST (the
 * engine follows those); UDP: its length within the payload.
 */
static __always_inline int tcp_udp_ok(const __u8 *l4, const __u8 *end, __u8 proto, __u32 l4len)
{
	__u32 n;

	if (proto == IPPROTO_TCP) {
		if (l4 + 20 > end || l4len < 20)
			return 0;
		n = (__u32)(l4[12] >> 4) * 4;
		return n >= 20 && n <= l4len && !(l4[13] & (TCP_SYN | TCP_FIN | TCP_RST));
	}
	n = bpf_ntohs(*(const __u16 *)(l4 + 4));
	return n >= 8 && n <= l4len;
}

/* Out of the other link to the entry's next hop, counted in its slot (tot: the IP length). */
static __always_inline int send(__u8 *data, const struct pg_xf_val *v, __u32 tot)
{
	struct pg_xf_stats *st;

	__builtin_memcpy(data, v->dmac, 6);
	__builtin_memcpy(data + 6, v->smac, 6);
	st = bpf_map_lookup_elem(&stats, &v->slot);
	if (st) {
		__sync_fetch_and_add(&st->pkts, 1);
		__sync_fetch_and_add(&st->bytes, tot);
		st->last_ns = bpf_ktime_get_ns();
	}
	return bpf_redirect_map(&egress, 0, XDP_DROP);
}

/* An IPv6 frame (ip: its fixed header): forwarded as the firewall would, or to the engine. */
static __always_inline int fast6(struct xdp_md *ctx, __u8 *data, __u8 *end)
{
	__u8 *ip = data + ETH_HLEN, *l4 = ip + IP6_HLEN;
	struct pg_xf_key6 k = {};
	struct pg_xf_val *v;
	__u32 tot;

	/* 8 bytes of L4 header, as for IPv4: UDP's, or ESP's SPI and sequence number. */
	if (l4 + 8 > end || (ip[0] >> 4) != 6 || ip[7] <= 1)
		return to_engine(ctx);
	tot = IP6_HLEN + bpf_ntohs(*(__u16 *)(ip + 4));
	if (tot > (__u32)(end - ip))
		return to_engine(ctx);
	k.proto = ip[6];
	if (k.proto == IPPROTO_TCP || k.proto == IPPROTO_UDP) {
		if (!tcp_udp_ok(l4, end, k.proto, tot - IP6_HLEN))
			return to_engine(ctx);
	} else if (k.proto == IPPROTO_ESP) {
		if (tot < IP6_HLEN + 8)
			return to_engine(ctx);
	} else if (k.proto == IPPROTO_ICMPV6) {
		/* Echo only (8 bytes of header, parse6.c's minimum, are in the frame). */
		if (l4[0] != ICMP6_ECHO_REQUEST && l4[0] != ICMP6_ECHO_REPLY)
			return to_engine(ctx);
	} else {
		return to_engine(ctx); /* an extension header, anything else */
	}
	__builtin_memcpy(k.saddr, ip + 8, 16);
	__builtin_memcpy(k.daddr, ip + 24, 16);
	if (k.proto == IPPROTO_ICMPV6) {
		/* The firewall keys an echo by its identifier on both sides (parse6.c). */
		__builtin_memcpy(&k.sport, l4 + 4, 2);
		__builtin_memcpy(&k.dport, l4 + 4, 2);
	} else if (k.proto != IPPROTO_ESP) {
		__builtin_memcpy(&k.sport, l4, 2);
		__builtin_memcpy(&k.dport, l4 + 2, 2);
	}
	v = bpf_map_lookup_elem(&flows6, &k);
	if (!v || tot > v->mtu)
		return to_engine(ctx);
	/* test_xdp_v6's mutation check builds a program without it, which it must catch. */
#ifndef PG_XF_MUTANT_HOP_LIMIT
	ip[7]--;
#endif
	return send(data, v, tot);
}

SEC("xdp")
int pg_xdp_fast(struct xdp_md *ctx)
{
	__u8 *data = (__u8 *)(long)ctx->data, *end = (__u8 *)(long)ctx->data_end;
	__u8 *ip = data + ETH_HLEN, *l4 = ip + 20;
	struct pg_xf_key k = {};
	struct pg_xf_val *v;
	__u32 tot, old_addr, aoff, poff, coff;
	__u16 old_port, old_ttl, new_ttl, csum, l4c, eth_type;

	if (data + ETH_HLEN > end)
		return to_engine(ctx);
	__builtin_memcpy(&eth_type, data + 12, 2);
	if (eth_type == bpf_htons(ETH_P_IPV6))
		return fast6(ctx, data, end);
	/*
	 * 8 bytes of L4 header: UDP's, ESP's SPI and sequence number, enhanced
	 * GRE's fixed part. Not more: veth frames are not padded to 60 bytes,
	 * and a PPTP acknowledgement (GRE with no payload) is 46.
	 */
	if (l4 + 8 > end)
		return to_engine(ctx);
	if (eth_type != bpf_htons(ETH_P_IP) || ip[0] != 0x45 || ip[8] <= 1)
		return to_engine(ctx);
	if (bpf_ntohs(*(__u16 *)(ip + 6)) & IP_FRAG_BITS)
		return to_engine(ctx);
	tot = bpf_ntohs(*(__u16 *)(ip + 2));
	if (tot < 28 || tot > (__u32)(end - ip))
		return to_engine(ctx);
	k.proto = ip[9];
	if (k.proto == IPPROTO_TCP || k.proto == IPPROTO_UDP) {
		if (!tcp_udp_ok(l4, end, k.proto, tot - 20))
			return to_engine(ctx);
		coff = k.proto == IPPROTO_TCP ? 16 : 6; /* where its checksum is */
	} else if (k.proto == IPPROTO_GRE) {
		__u16 flags = bpf_ntohs(*(__u16 *)l4);
		__u32 need = 8 + ((flags & GRE_S) ? 4 : 0) + ((flags & GRE_A) ? 4 : 0);

		if ((flags & GRE_VER) != 1 || (flags & GRE_C) || !(flags & GRE_K) ||
		    *(__u16 *)(l4 + 2) != bpf_htons(GRE_PROTO_PPP) || need > tot - 20)
			return to_engine(ctx);
		coff = 0;
	} else if (k.proto == IPPROTO_ESP) {
		coff = 0; /* tot >= 28: the SPI and sequence number are there */
	} else if (k.proto == IPPROTO_ICMP) {
		/* tot >= 28: the 8-byte echo header is there. */
		if (l4[0] != ICMP_ECHO_REQUEST && l4[0] != ICMP_ECHO_REPLY)
			return to_engine(ctx);
		coff = 2;
	} else {
		return to_engine(ctx);
	}
	if (!header_csum_ok((const __u16 *)ip))
		return to_engine(ctx);
	__builtin_memcpy(&k.saddr, ip + 12, 4);
	__builtin_memcpy(&k.daddr, ip + 16, 4);
	if (k.proto == IPPROTO_GRE) {
		/* Keyed by the receiver's call id (the key's low half) alone. */
		__builtin_memcpy(&k.dport, l4 + 6, 2);
	} else if (k.proto == IPPROTO_ICMP) {
		/* forward.c l4_ports(): a request's id is its source port, a reply's its destination. */
		__builtin_memcpy(l4[0] == ICMP_ECHO_REQUEST ? &k.sport : &k.dport, l4 + 4, 2);
	} else {
		__builtin_memcpy(&k.sport, l4, 2);
		__builtin_memcpy(&k.dport, l4 + 2, 2);
	}
	v = bpf_map_lookup_elem(&flows, &k);
	if (!v || tot > v->mtu)
		return to_engine(ctx);
	/* RFC 3948 2.2/2.3: a one-byte 0xff is a keepalive, four zero bytes mark IKE. */
	if (v->natt && (tot < 36 || l4 + 12 > end || *(__u32 *)(l4 + 8) == 0))
		return to_engine(ctx);

	if (v->rewrite_src) {
		aoff = 12;
		poff = 0;
	} else {
		aoff = 16;
		poff = 2;
	}
	if (k.proto == IPPROTO_ICMP) {
		/*
		 * Requests go out, replies come in: the other way the engine
		 * drops them (drop_icmp_type) or answers for itself.
		 */
		if (l4[0] != (v->rewrite_src ? ICMP_ECHO_REQUEST : ICMP_ECHO_REPLY))
			return to_engine(ctx);
		/* Decided before any byte changes: see the theory of operation. */
		__builtin_memcpy(&old_port, l4 + 4, 2);
		__builtin_memcpy(&l4c, l4 + 2, 2);
		l4c = csum_add_fold(l4c, delta16(old_port, v->port));
		if (l4c == 0)
			return to_engine(ctx);
	}
	__builtin_memcpy(&old_addr, ip + aoff, 4);
	__builtin_memcpy(&old_ttl, ip + 8, 2);
	ip[8]--;
	__builtin_memcpy(&new_ttl, ip + 8, 2);
	__builtin_memcpy(ip + aoff, &v->addr, 4);

	__builtin_memcpy(&csum, ip + 10, 2);
	csum = csum_add_fold(csum, delta32(old_addr, v->addr) + delta16(old_ttl, new_ttl));
	__builtin_memcpy(ip + 10, &csum, 2);

	if (k.proto == IPPROTO_ICMP) {
		/* test_xdp_fast's mutation check builds a program without it, which it must catch. */
#ifndef PG_XF_MUTANT_ICMP_ID
		__builtin_memcpy(l4 + 4, &v->port, 2);
#endif
		__builtin_memcpy(l4 + 2, &l4c, 2);
	} else if (coff) {
		__builtin_memcpy(&old_port, l4 + poff, 2);
		__builtin_memcpy(l4 + poff, &v->port, 2);
		__builtin_memcpy(&l4c, l4 + coff, 2);
		/* UDP checksum 0 means "none" (RFC 768): leave it so. */
		if (k.proto == IPPROTO_TCP || l4c != 0) {
			l4c = csum_add_fold(l4c, delta32(old_addr, v->addr) + delta16(old_port, v->port));
			if (k.proto == IPPROTO_UDP && l4c == 0)
				l4c = 0xffff;
			__builtin_memcpy(l4 + coff, &l4c, 2);
		}
	} else if (k.proto == IPPROTO_GRE && !v->rewrite_src) {
		/* Inbound: the client's own call id; no checksum covers it. */
		__builtin_memcpy(l4 + 6, &v->port, 2);
	}
	return send(data, v, tot);
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
