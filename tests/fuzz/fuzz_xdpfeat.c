/* SPDX-License-Identifier: MIT */
/*
 * fuzz_xdpfeat.c - libFuzzer target for the netlink replies the XDP fast
 * path's start-up decision reads (io/xdpfeat.c): the "netdev" family's id
 * from the control family, and a link's xdp_features from NETDEV_CMD_DEV_GET.
 *
 * Input: [mode][reply bytes]. Mode bit 0 clear: a family reply for sequence
 * number 1; set: a device reply for sequence 2, family 0x1c, ifindex 7.
 * Invariants: every result is 0, -EBADMSG or an errno (-4095..-1); an
 * accepted family id is not one of netlink's own types (< GENL_MIN_ID); the
 * feature names always end within their buffer.
 */
#include <errno.h>
#include <linux/genetlink.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/xdpfeat.h"

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_xdpfeat: invariant broken: %s\n", what);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy;
	uint16_t id = 0;
	uint64_t f = 0;
	char names[40];
	int r;

	if (size < 1)
		return 0;
	/* A buffer of exactly the reply's size: any read past it is caught. */
	copy = malloc(size - 1 ? size - 1 : 1);
	if (!copy)
		return 0;
	memcpy(copy, data + 1, size - 1);
	if (!(data[0] & 1)) {
		r = pg_xdpfeat_parse_family(copy, size - 1, 1, &id);
		if (!r && id < GENL_MIN_ID)
			fail("a family id among netlink's own types");
	} else {
		r = pg_xdpfeat_parse_dev(copy, size - 1, 2, 0x1c, 7, &f);
		if (!r && strlen(pg_xdpfeat_names(f, names, sizeof(names))) >= sizeof(names))
			fail("feature names past their buffer");
	}
	if (r > 0 || r < -4095)
		fail("a result that is not 0 or -errno");
	free(copy);
	return 0;
}
