/* SPDX-License-Identifier: MIT */
/*
 * l2_counters.h - the counters of one link's layer 2 (Ethernet, ARP, the
 * neighbour cache and the I/O path), declared once. Each link keeps its own
 * array; names are stable (logs, metrics and tests print them).
 */
#ifndef PG_L2_COUNTERS_H
#define PG_L2_COUNTERS_H

/* X(ENUM_SUFFIX, "name", "help") */
#define PG_L2_COUNTERS(X)                                                                          \
	X(RX_FRAMES, "rx_frames", "frames received")                                               \
	X(RX_IPV4, "rx_ipv4", "IPv4 packets handed to the engine")                                 \
	X(TX_FRAMES, "tx_frames", "frames transmitted")                                            \
	X(RX_BYTES, "rx_bytes", "bytes received (Ethernet frames, without FCS)")                   \
	X(TX_BYTES, "tx_bytes", "bytes transmitted (Ethernet frames, without FCS)")                \
	X(RX_OFFLOADED, "rx_offloaded", "of rx_frames, forwarded by the XDP fast path")             \
	/* receive drops */                                                                        \
	X(DROP_RUNT, "drop_runt", "frame shorter than an Ethernet header")                         \
	X(DROP_RX_TRUNCATED, "drop_rx_truncated", "frame cut short by the receive ring")           \
	X(DROP_OVERSIZE, "drop_oversize", "frame above the MTU (GRO/GSO super-frame?)")            \
	X(DROP_CSUM_PARTIAL, "drop_csum_partial", "frame with a checksum left to offload")         \
	X(DROP_VLAN, "drop_vlan", "VLAN-tagged frame")                                             \
	X(DROP_ETHERTYPE, "drop_ethertype", "neither IPv4, ARP nor IPv6 (IPv6 too without address6)")       \
	X(DROP_NOT_FOR_US, "drop_not_for_us", "unicast frame for another MAC address")             \
	X(DROP_LOOPED, "drop_looped", "frame sent from our own MAC address")                       \
	X(DROP_HOST_PATH, "drop_host_path", "packet for the gateway's own stack (no host path)")   \
	/* the host path (src/dp/hostpath.c) */                                                   \
	X(HOST_TX, "host_tx", "packets handed up to the host stack's device")                      \
	X(HOST_RX, "host_rx", "frames the host stack sent on this side")                           \
	X(DROP_HOST_TX, "drop_host_tx", "packet the host device refused (its queue full)")         \
	X(DROP_HOST_FRAME, "drop_host_frame", "frame from the host device that cannot go out")     \
	X(HOST_ARP_ANSWERED, "host_arp_answered", "ARP requests of the host stack answered")       \
	X(HOST_ARP_COPIED, "host_arp_copied", "ARP replies from the link copied to the host")      \
	X(HOST_VRRP_UP, "host_vrrp_up", "VRRP adverts from the LAN handed to the host, never forwarded") \
	X(HOST_VRRP_SENT, "host_vrrp_sent", "VRRP adverts of the host sent on the LAN, in any HA role") \
	/* ARP */                                                                                  \
	X(ARP_RX, "arp_rx", "ARP messages received")                                               \
	X(ARP_REPLIED, "arp_replied", "ARP requests for our address answered")                     \
	X(ARP_REQUESTS_SENT, "arp_requests_sent", "ARP requests sent to resolve a neighbour")      \
	X(ARP_NOT_FOR_US, "arp_not_for_us", "ARP messages for another address")                    \
	X(ARP_CONFLICT, "arp_conflict", "ARP from another host claiming our address")              \
	X(ARP_ANNOUNCED, "arp_announced", "gratuitous ARP sent on becoming the HA master")         \
	X(DROP_HA_STANDBY, "drop_ha_standby", "frame not sent or packet not forwarded: HA backup") \
	X(DROP_ARP_MALFORMED, "drop_arp_malformed", "ARP message truncated or inconsistent")       \
	X(DROP_ARP_UNSUPPORTED, "drop_arp_unsupported", "ARP for other than IPv4 over Ethernet")   \
	/* IPv6 neighbour and router discovery (nd.c) */                                            \
	X(RX_IPV6, "rx_ipv6", "IPv6 packets handed to the engine")                                 \
	X(ND_RX, "nd_rx", "neighbour and router discovery messages received")                      \
	X(ND_NA_SENT, "nd_na_sent", "neighbour advertisements sent for our addresses")             \
	X(ND_NS_SENT, "nd_ns_sent", "neighbour solicitations sent to resolve a next hop")          \
	X(ND_RA_SENT, "nd_ra_sent", "router advertisements sent (LAN)")                            \
	X(ND_RS_SENT, "nd_rs_sent", "router solicitations sent (WAN)")                             \
	X(ND_RA_RX, "nd_ra_received", "router advertisements received (WAN: the default router)")  \
	X(DROP_ND_INVALID, "drop_nd_invalid", "discovery message failing RFC 4861 validation")     \
	X(DROP_NO_ROUTER6, "drop_no_router6", "IPv6 packet for the WAN with no default router known") \
	/* neighbour cache */                                                                      \
	X(NEIGH_LEARNED, "neigh_learned", "neighbours learnt or refreshed from ARP")               \
	X(NEIGH_QUEUED, "neigh_queued", "packets held while a neighbour was resolved")             \
	X(NEIGH_EXPIRED, "neigh_expired", "neighbours forgotten (unused or unanswered)")           \
	X(NEIGH_EVICTED, "neigh_evicted", "neighbours evicted because the cache was full")         \
	X(DROP_NEIGH_UNRESOLVED, "drop_neigh_unresolved",                                          \
	  "held packet whose neighbour never answered")                                            \
	X(DROP_NEIGH_QUEUE_FULL, "drop_neigh_queue_full",                                          \
	  "no room to hold a packet for resolution")                                               \
	X(DROP_NEIGH_TABLE_FULL, "drop_neigh_table_full", "no room for a new neighbour")           \
	X(DROP_NOT_ON_LINK, "drop_not_on_link", "next hop outside the link's prefix")              \
	/* transmit */                                                                             \
	X(DROP_TX_TOO_BIG, "drop_tx_too_big", "packet above the link MTU")                         \
	X(DROP_TX_RING_FULL, "drop_tx_ring_full", "transmit ring full")                            \
	X(TX_ERRORS, "tx_errors", "transmit calls the kernel refused")                             \
	X(RX_KERNEL_DROPS, "rx_kernel_drops", "frames the kernel dropped: receive ring full")

enum pg_l2_counter {
#define PG_L2_COUNTER_ENUM(sym, name, help) PG_L2_CNT_##sym,
	PG_L2_COUNTERS(PG_L2_COUNTER_ENUM)
#undef PG_L2_COUNTER_ENUM
	PG_L2_CNT__COUNT
};

/* Stable name of a counter, or "?" out of range. */
const char *pg_l2_counter_name(unsigned int c);
/* One-line description of a counter. */
const char *pg_l2_counter_help(unsigned int c);

#endif /* PG_L2_COUNTERS_H */
