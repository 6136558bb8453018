/* SPDX-License-Identifier: MIT */
/*
 * tap.h - creating and configuring the host path's TAP devices, and the
 * per-link sysctls that keep the kernel's IPv4 off passgated's links.
 *
 * Everything here is set-up code using ioctls on /dev/net/tun and an
 * AF_INET socket, plus /proc/sys writes; none of it runs per packet.
 */
#ifndef PG_TAP_H
#define PG_TAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "l2/eth.h"

/* How to bring one TAP device up. Addresses in network order. */
struct pg_tap_setup {
	const char *name;
	uint8_t mac[PG_ETH_ALEN];
	uint32_t mtu;
	uint32_t addr;
	uint8_t prefix;
	uint32_t gateway; /* default route via this address, 0: none */
	bool ipv6;	  /* IPv6 on (a device of a side with IPv6), else off */
	uint8_t addr6[16]; /* with ipv6: its address, if prefix6 is not 0 */
	uint8_t prefix6;
	uint8_t gateway6[16]; /* with ipv6: default route via this link-local address, zero: none */
};

/*
 * Create the non-persistent TAP device s->name (it must not exist yet), give
 * it s's MAC, MTU and address, turn IPv6 off on it (or on, quiet, with
 * addr6), bring it up and add the default routes. The device lives as long as the returned descriptor
 * (non-blocking, close-on-exec). Returns the descriptor, or -errno with a
 * message in err (nothing is left behind).
 */
int pg_tap_open(const struct pg_tap_setup *s, char *err, size_t errlen);

/*
 * Move an open device from old's address, prefix and default route to s's
 * (a DHCP WAN's new lease; address 0: none, the WAN is down). Returns 0 or
 * -errno with a message in err.
 */
int pg_tap_readdress(const struct pg_tap_setup *old, const struct pg_tap_setup *s, char *err,
		     size_t errlen);

/*
 * Replace the IPv6 address old/old_len (0: none) of device name by
 * addr/len (0: none): a delegated prefix came, changed or went. Returns 0
 * or -errno with a message in err.
 */
int pg_tap_set_addr6(const char *name, const uint8_t old[16], uint8_t old_len,
		     const uint8_t addr[16], uint8_t len, char *err, size_t errlen);

/*
 * Add (add) or delete the IPv6 default route via gateway (link-local) on
 * device name: the WAN's SLAAC address came or went. 0 (also when already
 * so) or -errno with a message in err.
 */
int pg_tap_route6(const char *name, const uint8_t gateway[16], bool add, char *err, size_t errlen);

/* A link's IPv4 sysctls as found before passgated changed them. */
struct pg_tap_sysctl_saved {
	char ifname[16];
	int rp_filter, arp_ignore; /* -1: not read, nothing to restore */
};

/*
 * Keep the kernel's IPv4 off link ifname (which holds no address): strict
 * reverse-path filtering makes the kernel drop every IPv4 packet arriving
 * there (an address-less link has no valid reverse path), so it neither
 * answers nor resets flows for the addresses the TAP devices now hold; and
 * arp_ignore = 1 stops it answering ARP there. The old values go to saved.
 * Returns 0 or -errno with a message in err.
 */
int pg_tap_fence_link(const char *ifname, struct pg_tap_sysctl_saved *saved, char *err,
		      size_t errlen);

/* Put back what pg_tap_fence_link() changed. */
void pg_tap_unfence_link(const struct pg_tap_sysctl_saved *saved);

#endif /* PG_TAP_H */
