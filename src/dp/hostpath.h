/* SPDX-License-Identifier: MIT */
/*
 * hostpath.h - the exception path between passgated's links and the host's
 * own network stack: one TAP device per side (docs/HOSTPATH.md).
 */
#ifndef PG_HOSTPATH_H
#define PG_HOSTPATH_H

#include <stdbool.h>
#include <stdint.h>

#include "conf/config.h"
#include "engine/engine.h"
#include "io/frame.h"
#include "l2/port.h"
#include "io/tap.h"

#define PG_HOST_BURST 32 /* frames read from each device per pass */

struct pg_hostpath {
	bool on;			/* [host] path */
	int fd[2];			/* TAP descriptors by side, -1 when closed */
	char name[2][PG_CONFIG_IFNAME_SIZE];
	uint8_t mac[2][PG_ETH_ALEN];	/* the devices' own MACs */
	uint8_t peer_mac[PG_ETH_ALEN];	/* WAN device: what every ARP answer says */
	uint32_t wan_addr;		/* the host's only source towards the WAN */
	uint8_t wan_prefix;		/* and the rest of the WAN device's setup, */
	uint32_t wan_gateway;		/* kept to undo it when a DHCP lease moves */
	uint8_t lan6_addr[16];		/* the LAN device's IPv6 address, */
	uint8_t lan6_prefix;		/* 0: none (IPv6 frames not let out) */
	uint8_t wan6_addr[16];		/* the WAN device's; zero: no IPv6 out there */
	uint8_t wan6_prefix;		/* its prefix length; 0: none */
	struct pg_tap_sysctl_saved fenced[2];
	uint8_t scratch[PG_FRAME_SIZE]; /* a LAN device frame on its way to the link */
};

/*
 * Move the WAN device to a new address, prefix and default route (a DHCP
 * lease bound or changed; addr 0: lease lost, the device keeps no address).
 * Returns 0 or -errno with a message in err.
 */
int pg_hostpath_set_wan(struct pg_hostpath *hp, uint32_t addr, uint8_t prefix, uint32_t gateway,
			char *err, size_t errlen);

/*
 * Move the LAN device to a new IPv6 address (a delegated prefix came,
 * changed or went; prefix 0: none). Returns 0 or -errno with a message.
 */
int pg_hostpath_set_lan6(struct pg_hostpath *hp, const uint8_t addr[16], uint8_t prefix, char *err,
			 size_t errlen);

/*
 * Move the WAN device to a new IPv6 address (the WAN's SLAAC address came,
 * moved to a new prefix or went; prefix 0: none): the old one removed, the
 * default route via the made-up router there while an address is.
 * Returns 0 or -errno with a message in err.
 */
int pg_hostpath_set_wan6(struct pg_hostpath *hp, const uint8_t addr[16], uint8_t prefix, char *err,
			 size_t errlen);

/*
 * Create both devices for cfg ([host] path on) with the links' MACs taken
 * from ports, and fence the links off from the kernel's IPv4. With the host
 * path off, nothing happens and every call below is a no-op. Returns 0 or
 * -errno with a message in err; on failure nothing is left behind.
 */
int pg_hostpath_init(struct pg_hostpath *hp, const struct pg_config *cfg,
		     struct pg_port *const ports[2], char *err, size_t errlen);
void pg_hostpath_fini(struct pg_hostpath *hp);

/* The device descriptor to poll for side, or -1. */
int pg_hostpath_fd(const struct pg_hostpath *hp, enum pg_side side);

/*
 * A packet with verdict TO_GW: write it to the device of pkt->side (its
 * port given). Frames from the LAN keep their Ethernet header when
 * keep_eth says it is still the one received; otherwise one addressed to
 * the device is written in front of pkt->l3 (PG_ETH_HLEN bytes of headroom).
 */
void pg_hostpath_deliver(struct pg_hostpath *hp, struct pg_port *port, struct pg_pkt *pkt,
			 bool keep_eth);

/*
 * A frame received on the LAN link, before layer 2 takes it: an ARP reply
 * or IPv6 neighbour advertisement addressed to us is copied up so the host
 * stack learns its neighbours; a VRRP advert (l2/vrrp.h) is handed up
 * (counted, and dropped when the host path is off) and taken: returns
 * true, and the frame goes no further, in any HA role. Every other frame:
 * false, layer 2 takes it as usual.
 */
bool pg_hostpath_lan_peek(struct pg_hostpath *hp, struct pg_port *lan, const uint8_t *frame,
			  uint32_t len);

/*
 * What the host stack sent on the LAN device goes out of the LAN link as it
 * is (ARP and IPv6 neighbour solicitations included; never its router
 * discovery, neighbour advertisements or redirects: those are passgated's). Returns true if the device may hold more frames.
 */
bool pg_hostpath_lan_rx(struct pg_hostpath *hp, struct pg_port *lan);

/*
 * What the host stack sent on the WAN device: ARP requests and IPv6
 * neighbour solicitations are answered, IPv4 and IPv6 packets from the WAN
 * addresses become engine packets with side
 * PG_SIDE_HOST in frames[] buffers (at most max) and pkts[]. Returns the
 * number of packets; *more is set if the device may hold more frames.
 */
unsigned int pg_hostpath_wan_rx(struct pg_hostpath *hp, struct pg_port *wan,
				struct pg_rx_frame *frames, struct pg_pkt *pkts, unsigned int max,
				bool *more);

#endif /* PG_HOSTPATH_H */
