/* SPDX-License-Identifier: MIT */
/*
 * test_xdpfeat.c - the XDP fast path's start-up decision ([datapath]
 * offload = auto|on|off): the netlink reply parsers of io/xdpfeat.c on
 * replies built here (good, error, cut short, lying lengths, another link's),
 * the config values, the reasons pg_offload_decide() gives without asking
 * the kernel, and, where the test may make a network namespace (root), the
 * kernel's real answer for a veth pair before and after GRO on the peer.
 */
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conf/config.h"
#include "dp/offload.h"
#include "io/xdpfeat.h"

#define FAMILY 0x1c /* an id as the kernel hands out (>= GENL_MIN_ID) */

struct msg {
	uint8_t b[256];
	size_t len;
};

/* Start a message of type at m's end: netlink and generic headers. */
static size_t msg_start(struct msg *m, uint16_t type, uint32_t seq)
{
	struct nlmsghdr h = {.nlmsg_type = type, .nlmsg_seq = seq};
	struct genlmsghdr g = {.cmd = 1, .version = 1};
	size_t at = m->len;

	memcpy(m->b + m->len, &h, sizeof(h));
	memcpy(m->b + m->len + NLMSG_HDRLEN, &g, sizeof(g));
	m->len += NLMSG_HDRLEN + GENL_HDRLEN;
	return at;
}

static void msg_attr(struct msg *m, uint16_t type, const void *v, size_t n)
{
	struct nlattr a = {.nla_len = (uint16_t)(NLA_HDRLEN + n), .nla_type = type};

	memcpy(m->b + m->len, &a, sizeof(a));
	memcpy(m->b + m->len + NLA_HDRLEN, v, n);
	m->len += NLA_ALIGN(NLA_HDRLEN + n);
}

/* Write the message's length into its header at at. */
static void msg_end(struct msg *m, size_t at)
{
	uint32_t len = (uint32_t)(m->len - at);

	memcpy(m->b + at, &len, sizeof(len));
}

static void family_reply(struct msg *m, uint32_t seq, uint16_t id)
{
	size_t at = msg_start(m, GENL_ID_CTRL, seq);

	msg_attr(m, CTRL_ATTR_FAMILY_NAME, "netdev", 7);
	msg_attr(m, CTRL_ATTR_FAMILY_ID, &id, sizeof(id));
	msg_end(m, at);
}

static void dev_reply(struct msg *m, uint32_t seq, uint32_t ifindex, uint64_t f, size_t flen)
{
	size_t at = msg_start(m, FAMILY, seq);

	msg_attr(m, 1 /* NETDEV_A_DEV_IFINDEX */, &ifindex, sizeof(ifindex));
	msg_attr(m, 3 /* NETDEV_A_DEV_XDP_FEATURES */, &f, flen);
	msg_end(m, at);
}

static void error_reply(struct msg *m, uint32_t seq, int e)
{
	struct nlmsghdr h = {.nlmsg_len = NLMSG_HDRLEN + sizeof(struct nlmsgerr),
			     .nlmsg_type = NLMSG_ERROR, .nlmsg_seq = seq};
	struct nlmsgerr er = {.error = e};

	memcpy(m->b + m->len, &h, sizeof(h));
	memcpy(m->b + m->len + NLMSG_HDRLEN, &er, sizeof(er));
	m->len += h.nlmsg_len;
}

static void test_parse_family(void **state)
{
	struct msg m = {0};
	uint16_t id = 0;

	(void)state;
	family_reply(&m, 1, FAMILY);
	assert_int_equal(pg_xdpfeat_parse_family(m.b, m.len, 1, &id), 0);
	assert_int_equal(id, FAMILY);
	/* Another request's answer, or one cut anywhere, is no answer. */
	assert_int_equal(pg_xdpfeat_parse_family(m.b, m.len, 2, &id), -EBADMSG);
	for (size_t n = 0; n < m.len; n++)
		assert_int_equal(pg_xdpfeat_parse_family(m.b, n, 1, &id), -EBADMSG);
	/* An id among netlink's own message types. */
	memset(&m, 0, sizeof(m));
	family_reply(&m, 1, NLMSG_ERROR);
	assert_int_equal(pg_xdpfeat_parse_family(m.b, m.len, 1, &id), -EBADMSG);
	/* A kernel without the family says ENOENT. */
	memset(&m, 0, sizeof(m));
	error_reply(&m, 1, -ENOENT);
	assert_int_equal(pg_xdpfeat_parse_family(m.b, m.len, 1, &id), -ENOENT);
	/* An error that is not an errno. */
	memset(&m, 0, sizeof(m));
	error_reply(&m, 1, -70000);
	assert_int_equal(pg_xdpfeat_parse_family(m.b, m.len, 1, &id), -EBADMSG);
}

static void test_parse_dev(void **state)
{
	const uint64_t f = PG_XDPF_BASIC | PG_XDPF_REDIRECT | PG_XDPF_RX_SG;
	struct msg m = {0};
	uint64_t got = 0;
	uint16_t alen;

	(void)state;
	/* An ACK before the answer is skipped. */
	error_reply(&m, 2, 0);
	dev_reply(&m, 2, 7, f, sizeof(f));
	assert_int_equal(pg_xdpfeat_parse_dev(m.b, m.len, 2, FAMILY, 7, &got), 0);
	assert_true(got == f);
	/* About another link. */
	assert_int_equal(pg_xdpfeat_parse_dev(m.b, m.len, 2, FAMILY, 8, &got), -EBADMSG);
	/* Of another family. */
	assert_int_equal(pg_xdpfeat_parse_dev(m.b, m.len, 2, FAMILY + 1, 7, &got), -EBADMSG);
	/* Features of 4 bytes instead of 8. */
	memset(&m, 0, sizeof(m));
	dev_reply(&m, 2, 7, f, 4);
	assert_int_equal(pg_xdpfeat_parse_dev(m.b, m.len, 2, FAMILY, 7, &got), -EBADMSG);
	/* An attribute that claims more than its message holds. */
	memset(&m, 0, sizeof(m));
	dev_reply(&m, 2, 7, f, sizeof(f));
	alen = 200;
	memcpy(m.b + NLMSG_HDRLEN + GENL_HDRLEN + 8, &alen, sizeof(alen));
	assert_int_equal(pg_xdpfeat_parse_dev(m.b, m.len, 2, FAMILY, 7, &got), -EBADMSG);
	/* No such link. */
	memset(&m, 0, sizeof(m));
	error_reply(&m, 2, -ENODEV);
	assert_int_equal(pg_xdpfeat_parse_dev(m.b, m.len, 2, FAMILY, 7, &got), -ENODEV);
}

static void test_names(void **state)
{
	char buf[96];

	(void)state;
	assert_string_equal(pg_xdpfeat_names(0, buf, sizeof(buf)), "none");
	assert_string_equal(pg_xdpfeat_names(PG_XDPF_BASIC | PG_XDPF_REDIRECT | PG_XDPF_RX_SG, buf,
					     sizeof(buf)),
			    "basic redirect rx-sg");
	assert_string_equal(pg_xdpfeat_names(PG_XDPF_FAST_PATH, buf, sizeof(buf)),
			    "redirect ndo-xmit");
	/* Cut short, still a string. */
	assert_string_equal(pg_xdpfeat_names(PG_XDPF_FAST_PATH, buf, 12), "redirect");
}

#define HEAD                                                                                       \
	"[lan]\ninterface = pgxa0\naddress = 192.168.1.1/24\n[wan]\ninterface = pgxb0\n"           \
	"address = 198.51.100.2/24\ngateway = 198.51.100.1\n"

static int parse(const char *text, struct pg_config *cfg, char *err)
{
	return pg_config_parse(cfg, "t.conf", text, strlen(text), err, PG_CONFIG_ERR_SIZE);
}

static void test_config(void **state)
{
	static const struct {
		const char *text;
		enum pg_offload_mode want;
	} cases[] = {
		{HEAD, PG_OFFLOAD_AUTO},
		{HEAD "[datapath]\noffload = auto\n", PG_OFFLOAD_AUTO},
		{HEAD "[datapath]\noffload = on\n", PG_OFFLOAD_ON},
		{HEAD "[datapath]\noffload = off\n", PG_OFFLOAD_OFF},
		/* The booleans the key took before auto existed. */
		{HEAD "[datapath]\noffload = yes\n", PG_OFFLOAD_ON},
		{HEAD "[datapath]\noffload = false\n", PG_OFFLOAD_OFF},
	};
	struct pg_config cfg;
	char err[PG_CONFIG_ERR_SIZE] = "";

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (parse(cases[i].text, &cfg, err))
			fail_msg("case %zu: %s", i, err);
		assert_int_equal(cfg.offload, cases[i].want);
		pg_config_free(&cfg);
	}
	assert_int_not_equal(parse(HEAD "[datapath]\noffload = sometimes\n", &cfg, err), 0);
	assert_string_equal(err, "t.conf:9: [datapath] offload: expected 'auto', 'on' or 'off'");
}

/* The reasons that need no kernel: off, afpacket, a shaper, a link that is not there. */
static void test_decide_reasons(void **state)
{
	struct pg_offload_decision d;
	struct pg_config cfg;
	char err[PG_CONFIG_ERR_SIZE] = "";

	(void)state;
	assert_int_equal(parse(HEAD "[datapath]\noffload = off\n", &cfg, err), 0);
	assert_false(pg_offload_decide(&cfg, &d));
	assert_string_equal(d.why, "[datapath] offload = off");
	pg_config_free(&cfg);
	assert_int_equal(parse(HEAD "[datapath]\nbackend = afpacket\n", &cfg, err), 0);
	assert_false(pg_offload_decide(&cfg, &d));
	assert_non_null(strstr(d.why, "needs the afxdp backend"));
	pg_config_free(&cfg);
	assert_int_equal(parse(HEAD "shape_up = 10mbit\n", &cfg, err), 0);
	assert_false(pg_offload_decide(&cfg, &d));
	assert_non_null(strstr(d.why, "a shaper is on"));
	pg_config_free(&cfg);
	assert_int_equal(parse("[lan]\ninterface = pgnosuch0\naddress = 192.168.1.1/24\n[wan]\n"
			       "interface = pgnosuch1\naddress = 198.51.100.2/24\n"
			       "gateway = 198.51.100.1\n",
			       &cfg, err),
			 0);
	assert_false(pg_offload_decide(&cfg, &d));
	assert_string_equal(d.why, "pgnosuch0: no such link");
	pg_config_free(&cfg);
}

static int sh(const char *cmd)
{
	char line[256];

	snprintf(line, sizeof(line), "%s >/dev/null 2>&1", cmd);
	return system(line);
}

/*
 * The kernel's own answer, in a namespace of this process: a veth takes
 * redirected frames only while its peer has GRO on (veth.c sets ndo-xmit
 * from the peer's state), so auto must say off, naming the link that lacks
 * it, until both peers have GRO; forced on says on.
 */
static void test_decide_kernel(void **state)
{
	struct pg_offload_decision d;
	struct pg_config cfg;
	char err[PG_CONFIG_ERR_SIZE] = "";
	uint64_t f;

	(void)state;
	if (unshare(CLONE_NEWNET)) {
		printf("SKIP test_decide_kernel: no network namespace of our own (%s)\n",
		       strerror(errno));
		return;
	}
	/* Up: veth follows a peer's GRO only on a running link. */
	if (sh("ip link add pgxa0 type veth peer name pgxb0") || sh("ip link set pgxa0 up") ||
	    sh("ip link set pgxb0 up")) {
		printf("SKIP test_decide_kernel: cannot add a veth pair here\n");
		return;
	}
	if (pg_xdpfeat_query(1, &f, err, sizeof(err)) == -ENOENT) {
		printf("SKIP test_decide_kernel: %s\n", err);
		sh("ip link del pgxa0");
		return;
	}
	assert_int_equal(parse(HEAD, &cfg, err), 0);
	assert_int_equal(sh("ethtool -K pgxa0 gro off"), 0);
	assert_int_equal(sh("ethtool -K pgxb0 gro off"), 0);
	assert_false(pg_offload_decide(&cfg, &d));
	assert_non_null(strstr(d.why, "pgxa0's driver does not accept redirected frames"));
	assert_non_null(strstr(d.why, "xdp_features: basic redirect"));
	/* GRO on pgxb0 lets pgxa0 take frames; pgxb0 still cannot. */
	assert_int_equal(sh("ethtool -K pgxb0 gro on"), 0);
	assert_false(pg_offload_decide(&cfg, &d));
	assert_non_null(strstr(d.why, "pgxb0's driver does not accept redirected frames"));
	assert_int_equal(sh("ethtool -K pgxa0 gro on"), 0);
	assert_true(pg_offload_decide(&cfg, &d));
	assert_string_equal(d.why, "pgxa0, pgxb0 accept XDP redirect");
	assert_int_equal(pg_xdpfeat_query(if_nametoindex("pgxa0"), &f, err, sizeof(err)), 0);
	assert_true((f & PG_XDPF_FAST_PATH) == PG_XDPF_FAST_PATH);
	/* Forced on where the kernel says no: loaded, with the reason saying forced. */
	pg_config_free(&cfg);
	assert_int_equal(parse(HEAD "[datapath]\noffload = on\n", &cfg, err), 0);
	assert_int_equal(sh("ethtool -K pgxa0 gro off"), 0);
	assert_true(pg_offload_decide(&cfg, &d));
	assert_string_equal(d.why, "forced by [datapath] offload = on");
	pg_config_free(&cfg);
	/* And GRO off again on a running peer takes it away (auto decides at start only). */
	assert_int_equal(parse(HEAD, &cfg, err), 0);
	assert_false(pg_offload_decide(&cfg, &d));
	assert_non_null(strstr(d.why, "pgxb0's driver does not accept redirected frames"));
	pg_config_free(&cfg);
	sh("ip link del pgxa0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_family),   cmocka_unit_test(test_parse_dev),
		cmocka_unit_test(test_names),	       cmocka_unit_test(test_config),
		cmocka_unit_test(test_decide_reasons), cmocka_unit_test(test_decide_kernel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
