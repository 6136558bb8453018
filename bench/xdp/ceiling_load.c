// SPDX-License-Identifier: MIT
/*
 * bench/xdp/ceiling_load.c - loads bench/xdp/ceiling.bpf.o on the router's
 * two links in native (driver) mode, fills its maps, and keeps it there
 * until SIGTERM or SIGINT, then detaches it. Run inside the router's
 * namespace by bench/lib/netns.sh:
 *
 *   ceiling_load OBJ LAN_IF LAN_PEER_MAC WAN_IF WAN_PEER_MAC
 *
 * A frame arriving on LAN_IF leaves WAN_IF addressed to WAN_PEER_MAC from
 * WAN_IF's own address, and the other way round.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct macs {
	unsigned char dst[6];
	unsigned char src[6];
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int parse_mac(const char *s, unsigned char m[6])
{
	unsigned int b[6];
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6)
		return -1;
	for (i = 0; i < 6; i++) {
		if (b[i] > 0xff)
			return -1;
		m[i] = (unsigned char)b[i];
	}
	return 0;
}

static int own_mac(const char *ifname, unsigned char m[6])
{
	char path[128], buf[32];
	FILE *f;
	int r = -1;

	snprintf(path, sizeof(path), "/sys/class/net/%s/address", ifname);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f))
		r = parse_mac(buf, m);
	fclose(f);
	return r;
}

/* One direction: frames in on IN leave through OUT to PEER. */
static int route(struct bpf_object *obj, unsigned int in, unsigned int out,
		 const char *out_name, const unsigned char peer[6])
{
	struct macs m;

	memcpy(m.dst, peer, 6);
	if (own_mac(out_name, m.src) < 0) {
		fprintf(stderr, "ceiling_load: no MAC for %s\n", out_name);
		return -1;
	}
	if (bpf_map__update_elem(bpf_object__find_map_by_name(obj, "out"), &in, sizeof(in),
				 &out, sizeof(out), BPF_ANY) ||
	    bpf_map__update_elem(bpf_object__find_map_by_name(obj, "macs"), &in, sizeof(in),
				 &m, sizeof(m), BPF_ANY)) {
		fprintf(stderr, "ceiling_load: filling the maps failed\n");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned char lan_peer[6], wan_peer[6];
	unsigned int lan, wan;
	struct bpf_object *obj;
	struct bpf_program *prog;
	sigset_t set, old;
	int fd, rc = 1;

	if (argc != 6 || parse_mac(argv[3], lan_peer) || parse_mac(argv[5], wan_peer)) {
		fprintf(stderr, "usage: ceiling_load OBJ LAN_IF LAN_PEER_MAC WAN_IF WAN_PEER_MAC\n");
		return 2;
	}
	lan = if_nametoindex(argv[2]);
	wan = if_nametoindex(argv[4]);
	if (!lan || !wan) {
		fprintf(stderr, "ceiling_load: no such link\n");
		return 1;
	}
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || libbpf_get_error(obj) || bpf_object__load(obj)) {
		fprintf(stderr, "ceiling_load: cannot load %s\n", argv[1]);
		return 1;
	}
	prog = bpf_object__find_program_by_name(obj, "pg_ceiling");
	fd = prog ? bpf_program__fd(prog) : -1;
	if (fd < 0 || route(obj, lan, wan, argv[4], wan_peer) || route(obj, wan, lan, argv[2], lan_peer))
		goto out;
	if (bpf_xdp_attach((int)lan, fd, XDP_FLAGS_DRV_MODE, NULL) ||
	    bpf_xdp_attach((int)wan, fd, XDP_FLAGS_DRV_MODE, NULL)) {
		fprintf(stderr, "ceiling_load: native XDP attach failed\n");
		goto detach;
	}
	/* Blocked until sigsuspend: a signal cannot slip in between the
	 * test and the wait. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, &old);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	printf("attached\n");
	fflush(stdout);
	while (!stop)
		sigsuspend(&old);
	rc = 0;
detach:
	bpf_xdp_detach((int)lan, XDP_FLAGS_DRV_MODE, NULL);
	bpf_xdp_detach((int)wan, XDP_FLAGS_DRV_MODE, NULL);
out:
	bpf_object__close(obj);
	return rc;
}
