/* SPDX-License-Identifier: MIT */
/*
 * xdp_prog.c - loads and attaches the AF_XDP backend's XDP program with the
 * bpf(2) system call alone.
 *
 * DOC: Why the program is written as instructions
 *
 * The program is five instructions; its C form is
 *
 *	return bpf_redirect_map(&xsks, ctx->rx_queue_index, XDP_PASS);
 *
 * Shipping it as an instruction array instead of an object compiled with
 * clang -target bpf needs no BPF toolchain, no BTF and no loader library, so
 * it loads on kernels whose BTF lacks what libbpf-based loaders ask for. The
 * map is created first and its fd patched into the program (BPF_PSEUDO_MAP_FD),
 * as any loader does. A frame on a queue without a socket, or arriving before
 * the socket is in the map, goes to the kernel stack (XDP_PASS), which on a
 * link passgated owns drops it for want of an address.
 *
 * The program is attached through a BPF link (Linux 5.9 or later), not the
 * netlink attach: the attachment belongs to the link fd, so it ends when the
 * daemon exits for any reason, and an XDP program someone else attached is
 * never replaced (EBUSY).
 */
#include <errno.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bpf/xdp_fast.h"
#include "io/xdp_prog.h"

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return (int)syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static int fail(char *err, size_t errlen, const char *ifname, const char *what, int e)
{
	snprintf(err, errlen, "%s: %s: %s", ifname, what, strerror(e));
	return -e;
}

static int map_create(void)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_XSKMAP;
	a.key_size = sizeof(uint32_t);
	a.value_size = sizeof(uint32_t);
	a.max_entries = PG_XF_QUEUES_MAX; /* the fast path's map is as large */
	snprintf(a.map_name, sizeof(a.map_name), "pg_xsks");
	return sys_bpf(BPF_MAP_CREATE, &a);
}

static int prog_load(int map_fd, char *log, size_t loglen)
{
	struct bpf_insn insns[] = {
		/* r2 = ctx->rx_queue_index */
		{.code = BPF_LDX | BPF_MEM | BPF_W,
		 .dst_reg = BPF_REG_2,
		 .src_reg = BPF_REG_1,
		 .off = offsetof(struct xdp_md, rx_queue_index)},
		/* r1 = the map (a two-slot load of the map fd, resolved by the verifier) */
		{.code = BPF_LD | BPF_DW | BPF_IMM,
		 .dst_reg = BPF_REG_1,
		 .src_reg = BPF_PSEUDO_MAP_FD,
		 .imm = map_fd},
		{0},
		/* r3 = what to do without a socket for the queue */
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_3, .imm = XDP_PASS},
		{.code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_redirect_map},
		{.code = BPF_JMP | BPF_EXIT},
	};
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_XDP;
	a.insns = (uint64_t)(uintptr_t)insns;
	a.insn_cnt = sizeof(insns) / sizeof(insns[0]);
	a.license = (uint64_t)(uintptr_t)"Dual MIT/GPL";
	a.log_buf = (uint64_t)(uintptr_t)log;
	a.log_size = (uint32_t)loglen;
	a.log_level = 1;
	snprintf(a.prog_name, sizeof(a.prog_name), "pg_xsk_redir");
	return sys_bpf(BPF_PROG_LOAD, &a);
}

static int link_create(int prog_fd, unsigned int ifindex, uint32_t flags)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.link_create.prog_fd = (uint32_t)prog_fd;
	a.link_create.target_ifindex = ifindex;
	a.link_create.attach_type = BPF_XDP;
	a.link_create.flags = flags;
	return sys_bpf(BPF_LINK_CREATE, &a);
}

int pg_xdp_prog_attach(struct pg_xdp_prog *x, unsigned int ifindex, const char *ifname,
		       const int *xsk_fds, unsigned int n, char *err, size_t errlen)
{
	char log[1024] = "";
	uint32_t key, val;
	union bpf_attr a;
	int r;

	x->map_fd = x->prog_fd = x->link_fd = -1;
	x->native = false;
	x->map_fd = map_create();
	if (x->map_fd < 0)
		return fail(err, errlen, ifname, "creating the XSKMAP (needs CAP_BPF or CAP_SYS_ADMIN)",
			    errno);
	x->prog_fd = prog_load(x->map_fd, log, sizeof(log));
	if (x->prog_fd < 0) {
		r = fail(err, errlen, ifname, "loading the XDP program", errno);
		if (log[0]) /* the verifier's reason, first line */
			snprintf(err + strlen(err), errlen - strlen(err), " (%.*s)",
				 (int)strcspn(log, "\n"), log);
		goto out;
	}
	for (key = 0; key < n && key < PG_XF_QUEUES_MAX; key++) {
		val = (uint32_t)xsk_fds[key];
		memset(&a, 0, sizeof(a));
		a.map_fd = (uint32_t)x->map_fd;
		a.key = (uint64_t)(uintptr_t)&key;
		a.value = (uint64_t)(uintptr_t)&val;
		if (sys_bpf(BPF_MAP_UPDATE_ELEM, &a)) {
			r = fail(err, errlen, ifname, "putting an AF_XDP socket in the map", errno);
			goto out;
		}
	}
	x->link_fd = link_create(x->prog_fd, ifindex, XDP_FLAGS_DRV_MODE);
	if (x->link_fd >= 0) {
		x->native = true;
		return 0;
	}
	if (errno == EBUSY) {
		r = fail(err, errlen, ifname,
			 "another XDP program is attached (remove it: 'ip link set IF xdp off')",
			 EBUSY);
		goto out;
	}
	x->link_fd = link_create(x->prog_fd, ifindex, XDP_FLAGS_SKB_MODE);
	if (x->link_fd >= 0)
		return 0;
	r = fail(err, errlen, ifname, "attaching the XDP program (Linux 5.9 or later)", errno);
out:
	pg_xdp_prog_detach(x);
	return r;
}

void pg_xdp_prog_detach(struct pg_xdp_prog *x)
{
	if (x->link_fd >= 0)
		close(x->link_fd);
	if (x->prog_fd >= 0)
		close(x->prog_fd);
	if (x->map_fd >= 0)
		close(x->map_fd);
	x->link_fd = x->prog_fd = x->map_fd = -1;
}
