/* SPDX-License-Identifier: MIT */
/*
 * xdpfeat.c - reads a link's xdp_features from the kernel's "netdev"
 * generic-netlink family (two requests on a raw netlink socket: the family's
 * id by name, then NETDEV_CMD_DEV_GET for the link) and parses the replies
 * with a bounds check on every header and attribute.
 *
 * Why not libbpf: bpf_xdp_query() reports feature_flags only from libbpf
 * 1.2 on, and Debian 12 has 1.1. Why not libmnl: two fixed requests and two
 * attributes read do not need a dependency. The replies come from the
 * kernel, but are parsed as untrusted input all the same (fuzz_xdpfeat).
 */
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "io/xdpfeat.h"
#include "util/names.h"

/* The "netdev" family (uapi linux/netdev.h, Linux 6.3+). */
#define NETDEV_FAMILY "netdev"
#define NETDEV_FAMILY_VERSION 1
#define NETDEV_CMD_DEV_GET 1
#define NETDEV_A_DEV_IFINDEX 1
#define NETDEV_A_DEV_XDP_FEATURES 3

#define REPLY_MAX 8192 /* one device's or one family's answer is far smaller */
#define HDRS (NLMSG_HDRLEN + GENL_HDRLEN)

/*
 * The attribute of type in the attribute stream p..p+len: its payload and
 * length, or false. A length below the header's or past the end is a
 * malformed stream: the walk stops there.
 */
static bool find_attr(const uint8_t *p, size_t len, uint16_t type, const uint8_t **val,
		      size_t *vlen)
{
	size_t off = 0;

	while (len - off >= NLA_HDRLEN) {
		struct nlattr a;
		size_t step;

		memcpy(&a, p + off, sizeof(a));
		if (a.nla_len < NLA_HDRLEN || a.nla_len > len - off)
			return false; /* an attribute longer than what is left */
		if ((a.nla_type & NLA_TYPE_MASK) == type) {
			*val = p + off + NLA_HDRLEN;
			*vlen = a.nla_len - NLA_HDRLEN;
			return true;
		}
		step = NLA_ALIGN(a.nla_len);
		if (step > len - off)
			break; /* the last one, without its padding */
		off += step;
	}
	return false;
}

/*
 * Walk the messages of one reply: the first of type that answers seq gives
 * its attributes (after the generic header) in attrs and alen. Returns 0, the
 * kernel's -errno, or -EBADMSG.
 */
static int reply_attrs(const void *buf, size_t len, uint32_t seq, uint16_t type,
		       const uint8_t **attrs, size_t *alen)
{
	const uint8_t *p = buf;
	size_t off = 0;

	while (len - off >= NLMSG_HDRLEN) {
		struct nlmsghdr h;
		size_t step;

		memcpy(&h, p + off, sizeof(h));
		if (h.nlmsg_len < NLMSG_HDRLEN || h.nlmsg_len > len - off)
			return -EBADMSG; /* a message that claims more than arrived */
		if (h.nlmsg_seq == seq) {
			if (h.nlmsg_type == NLMSG_ERROR) {
				int e;

				if (h.nlmsg_len < NLMSG_HDRLEN + sizeof(e))
					return -EBADMSG; /* an error without its number */
				memcpy(&e, p + off + NLMSG_HDRLEN, sizeof(e));
				if (e > 0 || e < -4095)
					return -EBADMSG; /* not an errno */
				if (e)
					return e;
			} else if (h.nlmsg_type == NLMSG_DONE) {
				return -EBADMSG;
			} else if (h.nlmsg_type == type) {
				if (h.nlmsg_len < HDRS)
					return -EBADMSG; /* no room for the generic header */
				*attrs = p + off + HDRS;
				*alen = h.nlmsg_len - HDRS;
				return 0;
			}
		}
		step = NLMSG_ALIGN(h.nlmsg_len);
		if (step > len - off)
			break;
		off += step;
	}
	return -EBADMSG;
}

int pg_xdpfeat_parse_family(const void *buf, size_t len, uint32_t seq, uint16_t *family_id)
{
	const uint8_t *a, *v;
	size_t alen, vlen;
	int r = reply_attrs(buf, len, seq, GENL_ID_CTRL, &a, &alen);

	if (r)
		return r;
	if (!find_attr(a, alen, CTRL_ATTR_FAMILY_ID, &v, &vlen) || vlen != sizeof(*family_id))
		return -EBADMSG;
	memcpy(family_id, v, sizeof(*family_id));
	/* Ids below GENL_MIN_ID belong to netlink's own types (error, done, control). */
	return *family_id >= GENL_MIN_ID ? 0 : -EBADMSG;
}

int pg_xdpfeat_parse_dev(const void *buf, size_t len, uint32_t seq, uint16_t family_id,
			 uint32_t ifindex, uint64_t *features)
{
	const uint8_t *a, *v;
	size_t alen, vlen;
	uint32_t idx;
	int r = reply_attrs(buf, len, seq, family_id, &a, &alen);

	if (r)
		return r;
	/* The answer must be about the link asked for, not one before it. */
	if (!find_attr(a, alen, NETDEV_A_DEV_IFINDEX, &v, &vlen) || vlen != sizeof(idx))
		return -EBADMSG;
	memcpy(&idx, v, sizeof(idx));
	if (idx != ifindex)
		return -EBADMSG;
	if (!find_attr(a, alen, NETDEV_A_DEV_XDP_FEATURES, &v, &vlen) || vlen != sizeof(*features))
		return -EBADMSG;
	memcpy(features, v, sizeof(*features));
	return 0;
}

/* A request: netlink and generic headers, then one attribute of alen bytes. */
struct request {
	struct nlmsghdr nh;
	struct genlmsghdr gh;
	struct nlattr na;
	uint8_t val[16];
};

static size_t request(struct request *q, uint16_t type, uint8_t cmd, uint8_t version,
		      uint16_t attr, const void *val, size_t alen, uint32_t seq)
{
	memset(q, 0, sizeof(*q));
	q->nh.nlmsg_len = (uint32_t)(HDRS + NLA_HDRLEN + NLA_ALIGN(alen));
	q->nh.nlmsg_type = type;
	q->nh.nlmsg_flags = NLM_F_REQUEST;
	q->nh.nlmsg_seq = seq;
	q->gh.cmd = cmd;
	q->gh.version = version;
	q->na.nla_len = (uint16_t)(NLA_HDRLEN + alen);
	q->na.nla_type = attr;
	memcpy(q->val, val, alen);
	return q->nh.nlmsg_len;
}

/* Send q and read one reply into buf. Its length, or -errno. */
static ssize_t exchange(int fd, const struct request *q, uint8_t *buf, size_t len)
{
	ssize_t n;

	if (send(fd, q, q->nh.nlmsg_len, 0) < 0)
		return -errno;
	do
		n = recv(fd, buf, len, 0);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

static int fail(char *err, size_t errlen, const char *what, int r)
{
	snprintf(err, errlen, "%s: %s", what, strerror(-r));
	return r;
}

int pg_xdpfeat_query(unsigned int ifindex, uint64_t *features, char *err, size_t errlen)
{
	static uint8_t buf[REPLY_MAX]; /* at start only, on one thread */
	const struct timeval tmo = {.tv_sec = 1};
	struct request q;
	uint16_t family;
	uint32_t idx = ifindex;
	ssize_t n;
	int fd, r;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0)
		return fail(err, errlen, "a generic netlink socket", -errno);
	/* The kernel answers at once; a second is for a kernel that never does. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tmo, sizeof(tmo));
	request(&q, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, CTRL_ATTR_FAMILY_NAME, NETDEV_FAMILY,
		sizeof(NETDEV_FAMILY), 1);
	n = exchange(fd, &q, buf, sizeof(buf));
	r = n < 0 ? (int)n : pg_xdpfeat_parse_family(buf, (size_t)n, 1, &family);
	if (r) {
		r = r == -ENOENT ? fail(err, errlen,
					"the kernel does not publish xdp_features (no \"netdev\" "
					"netlink family: Linux before 6.3)", r)
				 : fail(err, errlen, "looking up the \"netdev\" netlink family", r);
		goto out;
	}
	request(&q, family, NETDEV_CMD_DEV_GET, NETDEV_FAMILY_VERSION, NETDEV_A_DEV_IFINDEX, &idx,
		sizeof(idx), 2);
	n = exchange(fd, &q, buf, sizeof(buf));
	r = n < 0 ? (int)n : pg_xdpfeat_parse_dev(buf, (size_t)n, 2, family, idx, features);
	if (r)
		fail(err, errlen, "reading the link's xdp_features (netdev dev-get)", r);
out:
	close(fd);
	return r;
}

const char *pg_xdpfeat_names(uint64_t features, char *buf, size_t len)
{
	static const char *const names[] = {"basic", "redirect", "ndo-xmit", "xsk-zerocopy",
					    "hw-offload", "rx-sg", "ndo-xmit-sg"};
	size_t off = 0;

	if (!len)
		return buf;
	buf[0] = '\0';
	for (unsigned int i = 0; i < PG_ARRAY_SIZE(names); i++) {
		int w;

		if (!(features & (1ull << i)))
			continue;
		w = snprintf(buf + off, len - off, "%s%s", off ? " " : "", names[i]);
		if (w < 0 || (size_t)w >= len - off) {
			buf[off] = '\0'; /* whole names only */
			break;
		}
		off += (size_t)w;
	}
	if (!off)
		snprintf(buf, len, "none");
	return buf;
}
