/* SPDX-License-Identifier: MIT */
/*
 * port.h - one link as layer 2 sees it: its MAC and IPv4 address, its
 * neighbour cache and counters, and what happens to frames in both
 * directions. Received frames become engine packets (or ARP work); engine
 * verdicts for this link become Ethernet frames for its transmit function.
 */
#ifndef PG_PORT_H
#define PG_PORT_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/engine.h"
#include "l2/eth.h"
#include "l2/l2_counters.h"
#include "l2/nd.h"
#include "l2/neigh.h"

#define PG_PORT_MAX_NEIGH 1024 /* neighbours per link */
#define PG_PORT_HELD_SLOTS 256 /* packets held for resolution per link */

/*
 * Transmit one complete Ethernet frame. Returns 0, -ENOBUFS when the
 * transmit queue is full, or another -errno.
 */
typedef int pg_port_tx_fn(void *ctx, const uint8_t *frame, uint32_t len);

struct pg_port {
	char name[16];
	enum pg_side side;
	uint8_t mac[PG_ETH_ALEN];
	uint32_t addr;	  /* our address on the link, network order */
	uint32_t mask;	  /* the link's prefix as a netmask, network order */
	uint32_t gateway; /* WAN: next hop outside the prefix; 0 on the LAN */
	uint32_t mtu;
	struct pg_neigh_table neigh;
	uint64_t cnt[PG_L2_CNT__COUNT];
	uint64_t conflict_ms; /* last ARP conflict warning */
	pg_port_tx_fn *tx;
	void *tx_ctx;
	struct pg_nd *nd; /* IPv6 neighbour discovery (nd.h); NULL: IPv6 off */
	/*
	 * HA backup or fault (dp/ha.h): the address is the master's, so no ARP
	 * is answered for it and nothing is sent on the link at all (an ARP
	 * request of ours would move the hosts' caches to our MAC).
	 */
	bool standby;
};

/* Set a link up for layer 2; allocates its neighbour cache. 0 or -ENOMEM. */
int pg_port_init(struct pg_port *p, const char *name, enum pg_side side,
		 const uint8_t mac[PG_ETH_ALEN], uint32_t addr, uint8_t prefix, uint32_t gateway,
		 uint32_t mtu, pg_port_tx_fn *tx, void *tx_ctx);
void pg_port_fini(struct pg_port *p);

/*
 * Take one received frame (len bytes at frame, cap bytes writable from
 * frame, rx_flags PG_RX_F_*). ARP and IPv6 neighbour discovery are answered
 * and learnt from here. Returns true when the frame carries an IPv4 or IPv6
 * packet for the engine: pkt's l3, len, cap and side are set. Anything else
 * was consumed or dropped and counted.
 */
bool pg_port_input(struct pg_port *p, uint8_t *frame, uint32_t len, uint32_t cap, uint32_t rx_flags,
		   uint64_t now_ms, struct pg_pkt *pkt);

/*
 * Send a packet the engine gave this link (verdict TO_LAN/TO_WAN for it):
 * pick the next hop, resolve it, add the Ethernet header and transmit, or
 * hold the packet while ARP runs. pkt->l3 needs PG_ETH_HLEN writable bytes
 * in front of it.
 */
void pg_port_output(struct pg_port *p, struct pg_pkt *pkt, uint64_t now_ms);

/*
 * Gratuitous ARP for our address (a request with sender and target ours,
 * broadcast): hosts, routers and switches move it to this port's MAC.
 */
void pg_port_announce(struct pg_port *p);

/* Neighbour retries and ageing; call at least every 100 ms or so. */
void pg_port_timer(struct pg_port *p, uint64_t now_ms);

/*
 * Send one whole frame on the link and count it: sent, ring full, or error.
 * Every frame layer 2 and the host path send goes through here.
 */
void pg_port_transmit(struct pg_port *p, const uint8_t *frame, uint32_t len);

/*
 * The same in any HA role: for the host stack's VRRP adverts. keepalived
 * leads and passgated's role follows through notify scripts a moment later,
 * so adverts are due while passgated is still backup (a new master's first
 * ones) or already backup (a master stepping down sends priority 0 so the
 * peer takes over at once). Everything else goes through pg_port_transmit().
 */
void pg_port_transmit_any(struct pg_port *p, const uint8_t *frame, uint32_t len);

/* Sum of the drop counters (status lines). */
uint64_t pg_port_drops(const struct pg_port *p);

#endif /* PG_PORT_H */
