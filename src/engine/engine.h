/* SPDX-License-Identifier: MIT */
/*
 * engine.h - the public face of the packet engine.
 *
 * The engine is pure: it never calls the kernel, never reads a clock and never
 * allocates after pg_engine_init(). A caller hands it a batch of IPv4 and IPv6 packets
 * (L3 buffers with the side they arrived on) and the current time; the engine
 * rewrites each packet in place and sets its verdict. Everything the product
 * does to packets can therefore be driven by tests, pcap files, fuzzers and
 * benchmarks without any interface.
 */
#ifndef PG_ENGINE_H
#define PG_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/counters.h"
#include "engine/limits.h"

/* Which link a packet arrived on. */
enum pg_side {
	PG_SIDE_LAN = 0,
	PG_SIDE_WAN = 1,
	/*
	 * Sent by the gateway's own stack towards the WAN (the host path's WAN
	 * device), from the WAN address. The engine translates it like a LAN
	 * host's packet whose inside address is the WAN address, so answers come
	 * back as PG_VERDICT_TO_GW. After the run such a packet reads side LAN.
	 */
	PG_SIDE_HOST = 2,
};

/* What the caller must do with a packet after pg_engine_run(). */
enum pg_verdict {
	PG_VERDICT_DROP = 0,   /* drop; pkt->drop_reason says why */
	PG_VERDICT_TO_LAN = 1, /* transmit on the LAN link */
	PG_VERDICT_TO_WAN = 2, /* transmit on the WAN link */
	PG_VERDICT_TO_GW = 3,  /* for the gateway's own stack (host path), through
				* the device of pkt->side */
};

/*
 * Bytes a generated ICMP error may add in front of an offending packet: a new
 * IPv4 header and an ICMP header. Callers give every buffer at least this much
 * room after pkt->len (pkt->cap >= len + PG_PKT_ERROR_GROWTH) or the engine
 * truncates the quoted packet to fit.
 */
#define PG_PKT_ERROR_GROWTH 28
/* RFC 1812 4.3.2.3: an ICMP error carries as much as fits in 576 bytes. */
#define PG_ICMP_ERROR_MAX 576
/* The same for IPv6: a new IPv6 header and an ICMPv6 header (RFC 4443). */
#define PG_PKT_ERROR_GROWTH6 48
/* RFC 4443 2.4(c): an ICMPv6 error fits the IPv6 minimum MTU. */
#define PG_ICMP6_ERROR_MAX 1280

/*
 * One packet. The caller fills l3, len, cap and side; the engine fills the rest.
 * After the run, l3/len describe the packet to transmit (an ICMP error built by
 * the engine replaces the packet in the same buffer).
 */
struct pg_pkt {
	uint8_t *l3;          /* first byte of the IPv4 or IPv6 header */
	uint32_t len;         /* bytes of packet at l3 (may include L2 padding) */
	uint32_t cap;         /* bytes writable at l3 */
	uint8_t side;         /* enum pg_side: ingress */
	uint8_t verdict;      /* enum pg_verdict */
	uint16_t drop_reason; /* enum pg_counter, meaningful when verdict is DROP;
			       * PG_CNT_FRAG_HELD: not dropped but kept by the
			       * engine, sent later through pg_engine_emitted() */
	/*
	 * The next hop for TO_LAN/TO_WAN, by the packet's version (l3[0] >> 4):
	 * IPv4, network order; IPv6, as on the wire, all zero on the WAN for
	 * "the default router layer 2 learnt from router advertisements".
	 */
	union {
		uint32_t next_hop;
		uint8_t next_hop6[16];
	};
};

/* Filtering of inbound packets towards an existing mapping (RFC 4787 section 5). */
enum pg_filtering {
	PG_FILTER_ADDRESS_DEPENDENT = 0, /* default, RFC 4787 REQ-8 */
	PG_FILTER_ENDPOINT_INDEPENDENT = 1,
	PG_FILTER_ADDRESS_PORT_DEPENDENT = 2, /* only the exact remote address and port */
	PG_FILTER__COUNT
};

/* The config file's names of the filtering modes (engine.c). */
extern const char *const pg_filtering_names[PG_FILTER__COUNT];

/*
 * A port forward: unsolicited inbound on the public address for proto and a
 * WAN port in [wan_lo, wan_hi] goes to host, port lan_lo + (port - wan_lo)
 * (or lan_lo for every port when lan_hi == lan_lo). GRE and ESP forwards
 * have no ports. Ports in host order, host in network order.
 *
 * v6: an IPv6 pinhole instead (forward6.c): nothing is translated, new
 * inbound flows to host6 for proto and a port in [wan_lo, wan_hi] pass the
 * firewall; lan_lo/lan_hi equal wan_lo/wan_hi and host is 0. host6 with
 * its upper 64 bits zero is a suffix (pg_portfwd_is_suffix6()).
 */
struct pg_port_forward {
	uint8_t proto; /* PG_PROTO_TCP, _UDP, _GRE, _ESP (parse.h numbers) */
	uint16_t wan_lo, wan_hi;
	uint16_t lan_lo, lan_hi;
	uint32_t host;
	bool v6;
	uint8_t host6[16]; /* as on the wire */
};

#define PG_MAX_FORWARDS 64

/*
 * The gateway's own services (docs/ENGINE.md "The gateway's own traffic").
 * From the LAN, a packet for the gateway that the engine does not answer
 * itself goes to the host stack when a rule admits it: proto and a
 * destination port in [lo, hi] (lo = hi = 0 for portless protocols). ICMP
 * always goes up. From the WAN, a service is opened by a port forward whose
 * host is the WAN address itself.
 */
struct pg_input_rule {
	uint8_t proto;
	uint16_t lo, hi;
};

#define PG_MAX_INPUT_RULES 32

/* A prefix the host stack routes (a VPN server's clients): LAN traffic to it goes up. */
struct pg_host_route {
	uint32_t addr;
	uint8_t prefix;
};

#define PG_MAX_HOST_ROUTES 8
#define PG_MAX_TUNNEL_PREFIXES 16 /* [tunnel] route and bypass, each */

/* What an unsolicited or filtered inbound packet gets back (never for TCP). */
enum pg_refuse {
	PG_REFUSE_SILENT = 0,           /* default: nothing */
	PG_REFUSE_PORT_UNREACHABLE = 1, /* ICMP type 3 code 3; code 2 (protocol) without ports */
	PG_REFUSE_ADMIN_PROHIBITED = 2, /* ICMP type 3 code 13 */
	PG_REFUSE__COUNT
};

/* The config file's names of the refusal answers (engine.c). */
extern const char *const pg_refuse_names[PG_REFUSE__COUNT];

/* Timeouts in seconds. */
struct pg_timeouts {
	uint32_t tcp_established; /* RFC 5382 REQ-5: >= 7440 */
	uint32_t tcp_transitory;  /* RFC 5382 REQ-5: >= 240 */
	uint32_t tcp_time_wait;   /* after both FINs were acknowledged or an RST */
	uint32_t udp;             /* RFC 4787 REQ-5: >= 120 */
	uint32_t icmp;            /* RFC 5508 REQ-1: >= 60 */
	uint32_t gre;
	uint32_t esp;
	uint32_t other;
};

/*
 * Engine configuration. Addresses in network byte order, prefix lengths 0..32.
 * Everything here may change between batches with pg_engine_reconfigure()
 * except max_flows, which sizes the tables. Every flow's WAN-side key is
 * built on wan_addr: a new wan_addr (or wan_down) ends every flow.
 */
struct pg_engine_config {
	uint32_t lan_addr;
	uint8_t lan_prefix;
	uint32_t wan_addr;
	uint8_t wan_prefix;
	uint32_t wan_gateway; /* next hop for destinations outside the WAN prefix */
	/*
	 * No WAN address (a DHCP WAN without a lease): wan_addr, wan_prefix
	 * and wan_gateway are not used; LAN traffic to the gateway itself is
	 * served, everything that would cross is dropped as drop_wan_down.
	 */
	bool wan_down;

	enum pg_filtering filtering;
	struct pg_timeouts timeouts;

	uint16_t lan_mtu, wan_mtu; /* egress MTUs: frag-needed and MSS clamping */
	bool mss_clamp;            /* clamp the MSS option of SYNs crossing the gateway */
	uint16_t mss_max;          /* clamp to this; 0: egress MTU - 40 */

	uint32_t max_flows;          /* table capacity; fixes memory at init */
	uint32_t max_flows_per_host; /* per LAN address, 0 = no limit */

	/* ICMP errors the gateway sends itself, per second (token bucket). */
	uint32_t icmp_error_rate;
	uint32_t icmp_error_burst;
	enum pg_refuse refuse;
	/*
	 * Answer a LAN host's new flow that cannot be made (ports exhausted,
	 * table full, host limit, passthrough off, protocol not passed) with
	 * destination unreachable, code 13 (RFC 5508 REQ-8).
	 */
	bool refuse_outbound;

	/* The gateway's own services: what the LAN may reach, what the host routes. */
	struct pg_input_rule lan_input[PG_MAX_INPUT_RULES];
	unsigned int nlan_input;
	struct pg_host_route host_routes[PG_MAX_HOST_ROUTES];
	unsigned int nhost_routes;

	/*
	 * The router's own VPN client ([tunnel], docs/HOSTPATH.md "The tunnel"):
	 * LAN sources in tunnel_route (the whole LAN with tunnel_all) and not in
	 * tunnel_bypass are "selected". Their packets that leave the LAN (not
	 * for the gateway, not LAN-local) go up to the host stack, which routes
	 * them into the tunnel; they are never translated out directly. While
	 * the tunnel is down (pg_engine_set_tunnel_up()) they are dropped as
	 * drop_tunnel_down, and so are their DNS queries to the gateway, unless
	 * tunnel_killswitch is off (then they leave through the NAT in the
	 * clear until the tunnel is up).
	 */
	bool tunnel;
	bool tunnel_all;
	bool tunnel_killswitch;
	struct pg_host_route tunnel_route[PG_MAX_TUNNEL_PREFIXES];
	unsigned int ntunnel_route;
	struct pg_host_route tunnel_bypass[PG_MAX_TUNNEL_PREFIXES];
	unsigned int ntunnel_bypass;

	/*
	 * Inbound: port forwards (host = the WAN address: the gateway's own
	 * stack), then the DMZ host (0: none) for the rest.
	 */
	struct pg_port_forward forwards[PG_MAX_FORWARDS];
	unsigned int nforwards;
	uint32_t dmz_host;

	/*
	 * Passthrough switches (docs/ENGINE.md "Passthrough"): on, the helper
	 * translates the protocol; off, its traffic is dropped and counted.
	 */
	bool pptp_passthrough;
	bool ipsec_passthrough;
	bool l2tp_passthrough;
	uint32_t pptp_max_sessions; /* PPTP control connections followed at once */

	uint64_t hash_seed[2]; /* random per start; tests fix it */

	/*
	 * IPv6, routed without NAT through the RFC 6092 firewall (forward6.c).
	 * lan6_prefix 0: IPv6 off, every IPv6 packet is drop_ip6_off. Addresses
	 * as on the wire. wan6_addr zero: the WAN has no global address (yet);
	 * wan6_gateway zero: the default router layer 2 learnt from RAs.
	 */
	uint8_t lan6_addr[16];
	uint8_t lan6_prefix;
	uint8_t wan6_addr[16];
	uint8_t wan6_prefix;
	uint8_t wan6_gateway[16];
	bool ping6_inbound; /* echo requests from the WAN reach LAN hosts (RFC 4890 4.3.1) */
};

struct pg_engine;

/* Fill cfg with the documented defaults (addresses left zero). */
void pg_engine_config_defaults(struct pg_engine_config *cfg);

/* Replace cfg's LAN input rules with the documented default set. */
void pg_engine_default_input(struct pg_engine_config *cfg);

/* Check a configuration; on error returns -EINVAL and points *why at a reason. */
int pg_engine_config_validate(const struct pg_engine_config *cfg, const char **why);

/* Is one port forward sane for this configuration? 0, or -1 with *why set. */
/*
 * An IPv6 pinhole's host given as a suffix (the upper 64 bits zero, such as
 * ::10): the interface identifier under the LAN prefix, whatever it is.
 */
bool pg_portfwd_is_suffix6(const uint8_t *host6);
/* out = the first len bits of prefix, then suffix's remaining bits. */
void pg_portfwd_host6_at(const uint8_t *suffix, const uint8_t *prefix, unsigned int len,
			 uint8_t out[16]);

int pg_portfwd_rule_check(const struct pg_engine_config *cfg, const struct pg_port_forward *r,
			  const char **why);

/* Do two forwards claim the same traffic? -1 with their indices, else 0. */
int pg_portfwd_conflict(const struct pg_engine_config *cfg, unsigned int *first,
			unsigned int *second);

/* Bytes pg_engine_create() will allocate for this configuration. */
size_t pg_engine_memory_size(const struct pg_engine_config *cfg);

/*
 * Allocate and initialise an engine. All memory the engine will ever use is
 * taken here. Returns NULL (errno set) on invalid config or out of memory.
 */
struct pg_engine *pg_engine_create(const struct pg_engine_config *cfg);
void pg_engine_destroy(struct pg_engine *e);

struct pg_portdir;

/*
 * Take public ports from d, shared with the other engines of a gateway
 * with several workers (portdir.h), instead of from this engine's own
 * bitmaps. Before the first packet; d must outlive the engine.
 */
void pg_engine_share_ports(struct pg_engine *e, struct pg_portdir *d);

/*
 * Swap in a new configuration between batches; established flows survive,
 * except when wan_addr or wan_down changes: then every flow (and with them
 * every mapping) is ended and counted as flow_ended_wan_change, since their
 * public ends were on the old address. Port forwards and the DMZ are
 * configuration and stay. That costs one walk over the flow pool
 * (max_flows entries) plus freeing each flow in use. -EINVAL for an invalid
 * configuration.
 */
int pg_engine_reconfigure(struct pg_engine *e, const struct pg_engine_config *cfg);

/*
 * Process a batch: every packet gets a verdict. now_ms is a monotonic clock in
 * milliseconds chosen by the caller; it must not go backwards.
 */
void pg_engine_run(struct pg_engine *e, struct pg_pkt *pkts, unsigned int n, uint64_t now_ms);

/*
 * Use the batch fast path (fastpath.c) or not; on by default. Results are the
 * same either way: off exists so tests can compare the two and benchmarks can
 * show what it buys.
 */
void pg_engine_set_fast_path(struct pg_engine *e, bool on);

/*
 * The tunnel of cfg.tunnel is up (its peer answered lately) or down: while
 * down, selected hosts' traffic is drop_tunnel_down (kill switch). Runtime
 * state, not configuration: a reconfiguration keeps it. Starts down.
 */
void pg_engine_set_tunnel_up(struct pg_engine *e, bool up);

/*
 * ---- The XDP fast path's flows (offload.c) --------------------------------
 *
 * With offload on, the engine names the flows an XDP program may forward
 * without it (an established TCP connection, a UDP flow that has seen an
 * answer, a ping whose request was answered, no hairpin; of the helpers'
 * flows a PPTP call's GRE once both call ids are known, raw ESP once both
 * SPIs are learnt, a NAT-T flow that carried ESP both ways; of the IPv6
 * firewall's flows, TCP established, UDP, raw ESP and ICMPv6 echo once they
 * carried packets both ways) and says when each stops being one (FIN or
 * RST, expiry, eviction, the helper ending or rekeying it, the WAN address
 * changing, a reconfiguration). The caller reads these as a
 * list of operations after each run, tick and reconfiguration and applies
 * them to the program's flow maps; it gives the packets the program
 * forwarded back with pg_engine_offload_sync() before each tick, so
 * timeouts and counters stay the engine's.
 */
enum pg_offload_kind {
	PG_OFFLOAD_ADD = 1, /* put both directions of the flow in the maps */
	PG_OFFLOAD_DEL = 2, /* take them out */
};

/* Which of a flow's packets the program may forward (pg_offload_op.how). */
#define PG_XF_PLAIN 1 /* all that match its keys and need nothing but the rewrite */
#define PG_XF_NATT 2  /* of those, only ESP in UDP (RFC 3948): keepalives and IKE come here */

/*
 * One flow as both maps key it; addresses and ports in network order. The
 * ports are the flow keys' own: for enhanced GRE (PPTP) the LAN key's
 * remote_port is the server's call id and the WAN key's pub_port the public
 * call id (lan_port and in_port are the engine's marker, no field of the
 * packet); for ESP the LAN key's pair is the server's SPI, the WAN key's
 * the client's.
 */
struct pg_offload_op {
	uint8_t kind; /* enum pg_offload_kind */
	uint8_t proto;
	uint8_t how;			   /* PG_XF_* (ADD only) */
	uint8_t family;			   /* 4, or 6: an IPv6 firewall flow (the *6 fields) */
	uint16_t lan_port, remote_port;	   /* the LAN-side key's */
	uint16_t in_port, pub_port;	   /* the WAN-side key's: remote's, then ours */
	uint16_t lan_id;		   /* written into inbound packets: the LAN host's port or call id */
	uint32_t lan_addr, remote_addr, pub_addr;
	uint32_t next_hop; /* outbound packets' next hop on the WAN (ADD only) */
	uint32_t flow;	   /* the flow's index in this engine: pg_engine_offload_sync()'s handle */
	/*
	 * IPv6 (family 6): the firewall's flow, nothing translated. Its keys are
	 * the LAN host's and the remote's addresses and ports (lan_port,
	 * remote_port; zero for ESP); next_hop6 is the outbound packets' next
	 * hop on the WAN, zero for the router the WAN's advertisements name.
	 */
	uint8_t lan6[16], remote6[16], next_hop6[16];
};

/* pg_offload_op.flow of an IPv6 flow: its index in the IPv6 table with this bit set. */
#define PG_OFFLOAD_FLOW6 0x80000000u

/* Most operations kept between two reads; more and the engine asks for a flush instead. */
#define PG_OFFLOAD_OPS 4096

/* Offer flows to an XDP program or not (default off). Turning it off asks for a flush. */
void pg_engine_set_offload(struct pg_engine *e, bool on);

/*
 * The operations since the last call, in order, valid until the next run.
 * *flush set: before applying them, take every entry of this engine out of
 * the maps (a reconfiguration, offload turned off, or more operations than
 * PG_OFFLOAD_OPS); the list then holds only what came after.
 */
unsigned int pg_engine_offload_ops(struct pg_engine *e, const struct pg_offload_op **ops,
				   bool *flush);

/* The caller could not put flow in the maps: offer it again on a later packet. */
void pg_engine_offload_refused(struct pg_engine *e, uint32_t flow);

/*
 * The program forwarded pkts packets, bytes bytes (IP lengths) of flow in
 * direction out (LAN to WAN) or not, the last at last_ms (the clock of
 * pg_engine_run()). Counted as the engine's fast path counts them; the
 * flow's last-seen time moves to last_ms if later. Ignored for a flow no
 * longer offered.
 */
void pg_engine_offload_sync(struct pg_engine *e, uint32_t flow, bool out, uint64_t pkts,
			    uint64_t bytes, uint64_t last_ms);

/*
 * The last counts of an entry the caller is taking out (op: the DEL, or the
 * ADD it was put with, for a flush): given to the flow as by
 * pg_engine_offload_sync() if the flow op names is still there (a FIN, a
 * reconfiguration); only to the engine's counters if it has gone (evicted
 * while XDP forwarded it).
 */
void pg_engine_offload_settle(struct pg_engine *e, const struct pg_offload_op *op, bool out,
			      uint64_t pkts, uint64_t bytes, uint64_t last_ms);

/* Flows offered right now. */
uint32_t pg_engine_offload_count(const struct pg_engine *e);

/*
 * Packets the engine produced during the last pg_engine_run() besides the
 * batch, with verdicts like any packet: held out-of-order fragments released
 * by their first fragment, and the second and later pieces of packets cut
 * to fit the egress MTU (the first piece stays in the batch slot). Send them
 * after the batch. The packets live in engine memory (with 64 bytes of
 * headroom before l3) until the next pg_engine_run(). Returns how many.
 */
unsigned int pg_engine_emitted(struct pg_engine *e, struct pg_pkt **pkts);

/* Expire idle flows up to now_ms without packets (callers with idle links). */
void pg_engine_tick(struct pg_engine *e, uint64_t now_ms);

/* Counters since creation, indexed by enum pg_counter. */
const uint64_t *pg_engine_counters(const struct pg_engine *e);

/* Number of live flows. */
uint32_t pg_engine_flow_count(const struct pg_engine *e);

/* Bytes of table memory each flow costs (entry plus its share of the hash). */
size_t pg_engine_bytes_per_flow(const struct pg_engine_config *cfg);

#endif /* PG_ENGINE_H */
