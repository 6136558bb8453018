/* SPDX-License-Identifier: MIT */
/*
 * xdpfeat.h - what the kernel says a link's driver does with XDP
 * (xdp_features, Linux 6.3+), read from the "netdev" generic-netlink family:
 * whether frames can be redirected out of and into the link. The XDP fast
 * path ([datapath] offload = auto) runs only where both links say yes.
 */
#ifndef PG_IO_XDPFEAT_H
#define PG_IO_XDPFEAT_H

#include <stddef.h>
#include <stdint.h>

/*
 * Bits of xdp_features (the kernel's enum netdev_xdp_act, uapi
 * linux/netdev.h; Debian 12's headers predate it, so they are spelt here).
 */
#define PG_XDPF_BASIC (1ull << 0)	 /* XDP_PASS, XDP_DROP, XDP_TX */
#define PG_XDPF_REDIRECT (1ull << 1)	 /* its program may return XDP_REDIRECT */
#define PG_XDPF_NDO_XMIT (1ull << 2)	 /* it takes frames redirected to it */
#define PG_XDPF_XSK_ZEROCOPY (1ull << 3) /* AF_XDP zero copy */
#define PG_XDPF_HW_OFFLOAD (1ull << 4)	 /* programs run on the NIC */
#define PG_XDPF_RX_SG (1ull << 5)	 /* multi-buffer frames in */
#define PG_XDPF_NDO_XMIT_SG (1ull << 6)	 /* multi-buffer frames redirected to it */

/* What the fast path needs on each of its links: redirect out of it, and into it. */
#define PG_XDPF_FAST_PATH (PG_XDPF_REDIRECT | PG_XDPF_NDO_XMIT)

/*
 * Ask the kernel for ifindex's xdp_features (in the caller's network
 * namespace). Returns 0 with *features set; -ENOENT when the kernel has no
 * "netdev" family (older than 6.3: it does not say), -ENODEV for no such
 * link, other -errno on a failed exchange; err says which.
 */
int pg_xdpfeat_query(unsigned int ifindex, uint64_t *features, char *err, size_t errlen);

/*
 * The reply parsers, apart from the sockets so that they can be fuzzed.
 * buf/len: what one recv() returned; seq: the request's sequence number.
 * family_id: CTRL_CMD_GETFAMILY's answer, the "netdev" family's id.
 * dev: NETDEV_CMD_DEV_GET's answer for ifindex, its xdp_features.
 * Each returns 0, or -errno from the kernel's error message, or -EBADMSG
 * for a reply that is cut short, malformed, for another request, or lacks
 * the attribute.
 */
int pg_xdpfeat_parse_family(const void *buf, size_t len, uint32_t seq, uint16_t *family_id);
int pg_xdpfeat_parse_dev(const void *buf, size_t len, uint32_t seq, uint16_t family_id,
			 uint32_t ifindex, uint64_t *features);

/*
 * The bits named, for logs ("basic redirect ndo-xmit rx-sg"; "none" for 0),
 * in buf of len bytes. Returns buf.
 */
const char *pg_xdpfeat_names(uint64_t features, char *buf, size_t len);

#endif /* PG_IO_XDPFEAT_H */
