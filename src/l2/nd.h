/* SPDX-License-Identifier: MIT */
/*
 * nd.h - IPv6 neighbour discovery (RFC 4861) on one link, beside ARP: the
 * gateway's link-local and global addresses answered, an IPv6 neighbour
 * cache with a packet held while a next hop is solicited, router
 * advertisements sent on the LAN (prefix, RDNSS per RFC 8106, the gateway
 * as default router) and router solicitations sent on the WAN, whose
 * answers name the default router.
 *
 * The kernel keeps IPv6 disabled on passgated's links (docs/INTERFACES.md):
 * passgated is the only IPv6 stack there. Time is a parameter, as for ARP.
 */
#ifndef PG_ND_H
#define PG_ND_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/engine.h"
#include "l2/eth.h"
#include "l2/slaac.h"

#define PG_ND_ENTRIES 256	 /* neighbours per link */
#define PG_ND_PROBE 8		 /* slots looked at from a neighbour's home slot */
#define PG_ND_SLOTS 32		 /* packets held for resolution per link */
#define PG_ND_PKT_MAX 1984	 /* largest packet that can be held */
#define PG_ND_RETRY_MS 1000	 /* RFC 4861 RETRANS_TIMER */
#define PG_ND_TRIES 3		 /* RFC 4861 MAX_MULTICAST_SOLICIT */
#define PG_ND_REACHABLE_MS 30000 /* RFC 4861 REACHABLE_TIME: then re-probe on use */
#define PG_ND_RS_MS 4000	 /* RFC 4861 RTR_SOLICITATION_INTERVAL */
#define PG_ND_RS_TRIES 3	 /* RFC 4861 MAX_RTR_SOLICITATIONS */
#define PG_ND_RA_FAST_MS 4000	 /* the first RAs after start, RFC 4861 6.2.4 (<= 16 s) */
#define PG_ND_RA_FAST 3
#define PG_ND_RA_MS 200000	 /* then: MaxRtrAdvInterval 600 s / 3 */
#define PG_ND_RA_MIN_GAP_MS 1000 /* answers to solicitations at most this often */
#define PG_ND_ROUTER_LIFETIME 1800
#define PG_ND_VALID_LIFETIME 86400
#define PG_ND_PREFERRED_LIFETIME 14400
#define PG_ND_DEPRECATED 2 /* prefixes announced as going away (DHCPv6-PD changes) */

struct pg_port;
struct pg_pkt;

/* What a link does for IPv6 (from the config: [lan]/[wan] address6, gateway6, dns6). */
struct pg_nd_config {
	uint8_t addr[16];    /* our global address on the link; zero: link-local only */
	uint8_t prefix;	     /* its prefix length */
	uint8_t gateway[16]; /* WAN: static default router; zero: learnt from RAs */
	bool send_ra;	     /* LAN: advertise addr's prefix and the gateway as router */
	bool solicit;	     /* WAN: send router solicitations, take the router RAs name */
	bool slaac;	     /* WAN: addr from the /64s RAs offer (RFC 4862, l2/slaac.c) */
	uint8_t dns[16];     /* RDNSS in RAs (RFC 8106); zero: none */
	uint32_t mtu;	     /* MTU option in RAs; 0: none */
};

enum pg_nd_state {
	PG_ND_FREE = 0,
	PG_ND_INCOMPLETE, /* solicited, a packet may be held */
	PG_ND_REACHABLE,  /* MAC known (probed again on use once old) */
};

struct pg_nd_entry {
	uint8_t ip[16];
	uint8_t mac[PG_ETH_ALEN];
	uint8_t state; /* enum pg_nd_state */
	uint8_t tries;
	int16_t held; /* slot of the held packet, -1: none */
	uint64_t confirmed_ms, used_ms, request_ms;
};

struct pg_nd_slot {
	uint8_t buf[PG_ETH_HLEN + PG_ND_PKT_MAX];
	uint32_t len;
	bool used;
};

/* A LAN prefix no longer ours: announced with preferred lifetime 0 until it is invalid. */
struct pg_nd_deprecated {
	uint8_t prefix[16];
	uint8_t len; /* 0: slot free */
	uint64_t valid_end_ms; /* announced valid lifetime counts down to this */
	uint64_t until_ms;     /* announced until then (a few RAs after valid_end_ms) */
};

struct pg_nd {
	struct pg_nd_config cfg;
	/* A delegated prefix's ends (DHCPv6-PD); 0: the fixed lifetimes above. */
	uint64_t preferred_end_ms, valid_end_ms;
	struct pg_nd_deprecated dep[PG_ND_DEPRECATED];
	uint8_t ll[16];	    /* our link-local address: fe80:: + the MAC's EUI-64 */
	uint8_t router[16]; /* default router from RAs (link-local); zero: none */
	uint64_t router_until_ms;
	struct pg_slaac slaac; /* [wan] address6 = slaac: the prefix cfg.addr is in */
	uint64_t next_ra_ms, last_ra_ms, next_rs_ms;
	uint32_t ra_sent, rs_sent;
	bool started;
	struct pg_nd_entry ent[PG_ND_ENTRIES];
	struct pg_nd_slot slots[PG_ND_SLOTS];
};

/* Turn IPv6 on for a link (allocates its ND state). 0 or -ENOMEM. */
int pg_port_enable_ipv6(struct pg_port *p, const struct pg_nd_config *cfg);

/*
 * An IPv6 frame received on the link. Neighbour and router discovery is
 * handled here; returns true when the packet is for the engine (pkt set).
 */
bool pg_nd_input(struct pg_port *p, uint8_t *frame, uint32_t len, uint32_t cap, uint64_t now_ms,
		 struct pg_pkt *pkt);

/* Send an IPv6 packet the engine gave this link: resolve pkt->next_hop6, or hold it. */
void pg_nd_output(struct pg_port *p, struct pg_pkt *pkt, uint64_t now_ms);

/* Retries, router advertisements and solicitations; called with the port's timer. */
void pg_nd_timer(struct pg_port *p, uint64_t now_ms);

/**
 * pg_nd_set_prefix() - the LAN's prefix changed (DHCPv6 prefix delegation)
 * @addr:	the gateway's new address in it (zero: no prefix any more)
 * @len:	its prefix length
 * @preferred_end_ms, @valid_end_ms: when the delegation's lifetimes end
 *		(the RAs never promise more); 0: the fixed lifetimes
 * @old_valid_end_ms: when the prefix before stops being valid: it is
 *		announced deprecated (preferred lifetime 0, RFC 7084 L-13's
 *		spirit) with the valid time left, until then
 *
 * Sends the next RAs at once, quickly (three), so hosts learn it now.
 */
void pg_nd_set_prefix(struct pg_port *p, const uint8_t addr[16], uint8_t len,
		      uint64_t preferred_end_ms, uint64_t valid_end_ms, uint64_t old_valid_end_ms,
		      uint64_t now_ms);

/* The DNS server announced in RAs (RDNSS); zero: none. */
void pg_nd_set_dns(struct pg_port *p, const uint8_t dns[16]);

/* Neighbour entry for ip, or NULL (tests, status). */
const struct pg_nd_entry *pg_nd_find(const struct pg_port *p, const uint8_t ip[16]);

/* Release the link's ND state. */
void pg_nd_fini(struct pg_port *p);

#endif /* PG_ND_H */
