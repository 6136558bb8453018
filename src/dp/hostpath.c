/* SPDX-License-Identifier: MIT */
/*
 * hostpath.c - frames between passgated's links and the host stack's TAP
 * devices (docs/HOSTPATH.md).
 *
 * DOC: Theory of operation
 *
 * LAN side: the device carries the gateway's LAN address and the LAN link's
 * own MAC, so it is the same station as the link seen from the LAN. Frames
 * pass unchanged both ways: what the host stack sends goes out of the link
 * as it is (its ARP requests included), packets the engine sends up keep the
 * Ethernet header they arrived with, and ARP replies addressed to us are
 * copied up so the host learns its neighbours. DHCP answers unicast to a
 * client's MAC work because nothing at layer 2 is rewritten. VRRP adverts
 * (an HA pair's keepalived, docs/HA.md) pass both ways in every HA role:
 * the link's are taken before layer 2 and handed up, never to the engine,
 * so they are never forwarded; the host's go out even from a backup.
 *
 * WAN side: the device carries the WAN address and a default route via the
 * WAN gateway, but the host never talks to the WAN link directly. Every ARP
 * request it makes is answered with one made-up MAC (peer_mac), so all its
 * IPv4 frames come to us; we strip Ethernet and give the packet to the
 * engine as PG_SIDE_HOST, which translates it like a LAN host's and sends it
 * out through the WAN link's own neighbour resolution. Answers come back up
 * with a header from peer_mac to the device.
 *
 * IPv6: the LAN device also holds the gateway's IPv6 LAN
 * address, quiet (no DAD, no router solicitations, no autoconfiguration:
 * io/tap.c), so the host's resolver and services answer LAN hosts over
 * IPv6. Neighbour discovery stays passgated's: it answers solicitations
 * for our addresses, so the host's own advertisements (and any router
 * discovery it would send) are not let out; neighbour advertisements
 * addressed to us are copied up, as ARP replies are, so the host learns
 * the LAN hosts it answers. The WAN device holds the gateway's WAN IPv6
 * address (static [wan] address6, or the SLAAC one as it comes and moves:
 * dp/wan6.c) with a default route via a made-up link-local router; every
 * solicitation the host sends there is answered with peer_mac
 * (dp/hostpath6.c), and packets from that address go to the engine as
 * PG_SIDE_HOST, through the IPv6 firewall (forward6.c).
 *
 * This is an exception path: frames are read with read() and written with
 * write() one at a time, at most PG_HOST_BURST per device per pass, and a
 * frame that does not fit anywhere is counted on the link of its side.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "l2/arp.h"
#include "l2/vrrp.h"
#include "dp/hostpath.h"
#include "dp/hostpath6.h"
#include "engine/parse6.h"
#include "util/log.h"

/* Locally administered, and not any link's: the WAN device's only neighbour. */
static const uint8_t wan_peer_mac[PG_ETH_ALEN] = {0x02, 0x70, 0x67, 0x00, 0x00, 0x01};

static void close_devices(struct pg_hostpath *hp)
{
	for (int s = 0; s < 2; s++) {
		if (hp->fd[s] >= 0)
			close(hp->fd[s]);
		hp->fd[s] = -1;
		pg_tap_unfence_link(&hp->fenced[s]);
		hp->fenced[s].ifname[0] = '\0';
	}
}

int pg_hostpath_init(struct pg_hostpath *hp, const struct pg_config *cfg,
		     struct pg_port *const ports[2], char *err, size_t errlen)
{
	const struct pg_engine_config *ec = &cfg->engine;
	const char *link[2] = {cfg->lan_ifname, cfg->wan_ifname};
	/* The WAN's IPv6 goes up with the LAN's: the engine routes IPv6 only then. */
	bool lan6 = ec->lan6_prefix || cfg->ipv6.lan_pd;
	bool wan6 = lan6 && ((ec->wan6_prefix && !pg_ip6_is_unspecified(ec->wan6_addr)) ||
			     cfg->ipv6.wan_slaac);
	struct pg_tap_setup setup[2] = {
		{.name = cfg->host.lan_dev, .mtu = cfg->lan_mtu, .addr = ec->lan_addr,
		 .prefix = ec->lan_prefix, .ipv6 = lan6,
		 .prefix6 = ec->lan6_prefix},
		{.name = cfg->host.wan_dev, .mtu = cfg->wan_mtu, .addr = ec->wan_addr,
		 .prefix = ec->wan_prefix, .gateway = ec->wan_gateway, .ipv6 = wan6,
		 .prefix6 = ec->wan6_prefix},
	};
	int r;

	memset(hp, 0, sizeof(*hp));
	hp->fd[0] = hp->fd[1] = -1;
	hp->on = cfg->host.path;
	if (!hp->on)
		return 0;
	memcpy(hp->peer_mac, wan_peer_mac, PG_ETH_ALEN);
	hp->wan_addr = ec->wan_addr;
	hp->wan_prefix = ec->wan_prefix;
	hp->wan_gateway = ec->wan_gateway;
	memcpy(setup[0].addr6, ec->lan6_addr, 16);
	memcpy(hp->lan6_addr, ec->lan6_addr, 16);
	hp->lan6_prefix = ec->lan6_prefix;
	/* SLAAC: IPv6 on, quiet, and nothing more until pg_hostpath_set_wan6(). */
	if (wan6 && !cfg->ipv6.wan_slaac) {
		memcpy(setup[1].addr6, ec->wan6_addr, 16);
		memcpy(setup[1].gateway6, pg_host6_router, 16);
		memcpy(hp->wan6_addr, ec->wan6_addr, 16);
		hp->wan6_prefix = ec->wan6_prefix;
	} else {
		setup[1].prefix6 = 0;
	}
	/* The kernel must stop serving the links before it holds their addresses. */
	for (int s = 0; s < 2; s++) {
		r = pg_tap_fence_link(link[s], &hp->fenced[s], err, errlen);
		if (r)
			goto out;
	}
	for (int s = 0; s < 2; s++) {
		/* The WAN device's MAC is never seen on a wire; the link's keeps logs simple. */
		memcpy(setup[s].mac, ports[s]->mac, PG_ETH_ALEN);
		r = pg_tap_open(&setup[s], err, errlen);
		if (r < 0)
			goto out;
		hp->fd[s] = r;
		snprintf(hp->name[s], sizeof(hp->name[s]), "%s", setup[s].name);
		memcpy(hp->mac[s], setup[s].mac, PG_ETH_ALEN);
	}
	pg_info("host path: %s (LAN, as %s) and %s (WAN, through the NAT)", hp->name[0], link[0],
		hp->name[1]);
	return 0;
out:
	close_devices(hp);
	return r;
}

int pg_hostpath_set_wan(struct pg_hostpath *hp, uint32_t addr, uint8_t prefix, uint32_t gateway,
			char *err, size_t errlen)
{
	struct pg_tap_setup old = {.name = hp->name[PG_SIDE_WAN], .addr = hp->wan_addr,
				   .prefix = hp->wan_prefix, .gateway = hp->wan_gateway};
	struct pg_tap_setup s = {.name = hp->name[PG_SIDE_WAN], .addr = addr, .prefix = prefix,
				 .gateway = gateway};
	int r;

	if (!hp->on)
		return 0;
	r = pg_tap_readdress(&old, &s, err, errlen);
	/* Whatever the kernel took, packets from the old address are no longer the host's. */
	hp->wan_addr = addr;
	hp->wan_prefix = prefix;
	hp->wan_gateway = gateway;
	return r;
}

int pg_hostpath_set_lan6(struct pg_hostpath *hp, const uint8_t addr[16], uint8_t prefix, char *err,
			 size_t errlen)
{
	int r;

	if (!hp->on || (hp->lan6_prefix == prefix && !memcmp(hp->lan6_addr, addr, 16)))
		return 0;
	r = pg_tap_set_addr6(hp->name[PG_SIDE_LAN], hp->lan6_addr, hp->lan6_prefix, addr, prefix,
			     err, errlen);
	memcpy(hp->lan6_addr, addr, 16);
	hp->lan6_prefix = prefix;
	return r;
}

int pg_hostpath_set_wan6(struct pg_hostpath *hp, const uint8_t addr[16], uint8_t prefix, char *err,
			 size_t errlen)
{
	const char *dev = hp->name[PG_SIDE_WAN];
	bool had = hp->wan6_prefix != 0;
	int r;

	if (!hp->on || (hp->wan6_prefix == prefix && !memcmp(hp->wan6_addr, addr, 16)))
		return 0;
	/* The old address goes first: the host's sockets on it end, none use it again. */
	r = pg_tap_set_addr6(dev, hp->wan6_addr, hp->wan6_prefix, addr, prefix, err, errlen);
	/* As for IPv4: whatever the kernel took, only the new address may leave. */
	memcpy(hp->wan6_addr, prefix ? addr : (const uint8_t[16]){0}, 16);
	hp->wan6_prefix = prefix;
	if (r)
		return r;
	/* The route via the made-up router only while there is an address to leave from. */
	if (!had != !prefix)
		r = pg_tap_route6(dev, pg_host6_router, prefix != 0, err, errlen);
	return r;
}

void pg_hostpath_fini(struct pg_hostpath *hp)
{
	close_devices(hp);
}

int pg_hostpath_fd(const struct pg_hostpath *hp, enum pg_side side)
{
	return hp->on ? hp->fd[side & 1] : -1;
}

static void dev_write(struct pg_hostpath *hp, struct pg_port *port, int side, const uint8_t *frame,
		      uint32_t len)
{
	if (write(hp->fd[side], frame, len) == (ssize_t)len)
		port->cnt[PG_L2_CNT_HOST_TX]++;
	else
		port->cnt[PG_L2_CNT_DROP_HOST_TX]++;
}

void pg_hostpath_deliver(struct pg_hostpath *hp, struct pg_port *port, struct pg_pkt *pkt,
			 bool keep_eth)
{
	int side = pkt->side == PG_SIDE_WAN ? PG_SIDE_WAN : PG_SIDE_LAN;
	uint8_t *eth = pkt->l3 - PG_ETH_HLEN;

	if (!hp->on) {
		port->cnt[PG_L2_CNT_DROP_HOST_PATH]++;
		return;
	}
	if (side == PG_SIDE_WAN || !keep_eth)
		pg_eth_write(eth, hp->mac[side], hp->peer_mac,
			     pkt->l3[0] >> 4 == 6 ? PG_ETH_P_IPV6 : PG_ETH_P_IP);
	dev_write(hp, port, side, eth, pkt->len + PG_ETH_HLEN);
}

/* A VRRP advert from the LAN: up to the host's keepalived, whatever our role. */
static void vrrp_up(struct pg_hostpath *hp, struct pg_port *lan, const uint8_t *frame,
		    uint32_t len)
{
	lan->cnt[PG_L2_CNT_RX_FRAMES]++;
	lan->cnt[PG_L2_CNT_RX_BYTES] += len;
	if (!hp->on) {
		lan->cnt[PG_L2_CNT_DROP_HOST_PATH]++;
		return;
	}
	lan->cnt[PG_L2_CNT_HOST_VRRP_UP]++;
	dev_write(hp, lan, PG_SIDE_LAN, frame, len);
}

/* Offsets in an Ethernet frame carrying IPv6 with ICMPv6 right after the header. */
#define V6_NH (PG_ETH_HLEN + 6)
#define V6_ICMP_TYPE (PG_ETH_HLEN + 40)
#define ICMP6_RS 133
#define ICMP6_RA 134
#define ICMP6_NA 136
#define ICMP6_REDIRECT 137

/* The ICMPv6 type of an IPv6 frame whose first next header is ICMPv6, else -1. */
static int icmp6_type(const uint8_t *frame, uint32_t len)
{
	if (len <= V6_ICMP_TYPE || frame[V6_NH] != 58)
		return -1;
	return frame[V6_ICMP_TYPE];
}

bool pg_hostpath_lan_peek(struct pg_hostpath *hp, struct pg_port *lan, const uint8_t *frame,
			  uint32_t len)
{
	struct pg_eth_hdr h;
	struct pg_arp a;

	if (pg_eth_parse(frame, len, &h))
		return false;
	if (pg_vrrp_frame(frame, len)) {
		/* Our own, come back (a looped switch): not the peer's. */
		if (memcmp(h.src, lan->mac, PG_ETH_ALEN))
			vrrp_up(hp, lan, frame, len);
		return true;
	}
	if (!hp->on)
		return false;
	if (memcmp(h.dst, lan->mac, PG_ETH_ALEN) && !pg_eth_is_broadcast(h.dst) &&
	    !(h.type == PG_ETH_P_IPV6 && (h.dst[0] & 1)))
		return false;
	if (h.type == PG_ETH_P_IPV6 && hp->lan6_prefix && icmp6_type(frame, len) == ICMP6_NA) {
		lan->cnt[PG_L2_CNT_HOST_ARP_COPIED]++;
		dev_write(hp, lan, PG_SIDE_LAN, frame, len);
		return false;
	}
	if (h.type != PG_ETH_P_ARP)
		return false;
	/* Requests stay ours: the host answering too would double every reply. */
	if (pg_arp_parse(frame + PG_ETH_HLEN, len - PG_ETH_HLEN, &a) || a.op != PG_ARP_OP_REPLY)
		return false;
	lan->cnt[PG_L2_CNT_HOST_ARP_COPIED]++;
	dev_write(hp, lan, PG_SIDE_LAN, frame, len);
	return false;
}

/* Read one frame from side's device into buf (cap bytes): its length, 0 when none. */
static uint32_t dev_read(struct pg_hostpath *hp, struct pg_port *port, int side, uint8_t *buf,
			 uint32_t cap)
{
	for (;;) {
		ssize_t n = read(hp->fd[side], buf, cap);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0; /* EAGAIN: drained */
		port->cnt[PG_L2_CNT_HOST_RX]++;
		/* The device's MTU is the link's: a longer frame is a kernel we do not know. */
		if ((uint32_t)n < PG_ETH_HLEN || (uint32_t)n > port->mtu + PG_ETH_HLEN) {
			port->cnt[PG_L2_CNT_DROP_HOST_FRAME]++;
			continue;
		}
		return (uint32_t)n;
	}
}

bool pg_hostpath_lan_rx(struct pg_hostpath *hp, struct pg_port *lan)
{
	unsigned int i;

	if (!hp->on)
		return false;
	for (i = 0; i < PG_HOST_BURST; i++) {
		uint32_t len = dev_read(hp, lan, PG_SIDE_LAN, hp->scratch, sizeof(hp->scratch));
		struct pg_eth_hdr h;
		int t;

		if (!len)
			return false;
		pg_eth_parse(hp->scratch, len, &h);
		t = h.type == PG_ETH_P_IPV6 ? icmp6_type(hp->scratch, len) : -1;
		/* Router discovery and our own advertisements are passgated's to send. */
		if ((h.type != PG_ETH_P_IP && h.type != PG_ETH_P_ARP && h.type != PG_ETH_P_IPV6) ||
		    (h.type == PG_ETH_P_IPV6 && (!hp->lan6_prefix || t == ICMP6_RS || t == ICMP6_RA ||
						 t == ICMP6_NA || t == ICMP6_REDIRECT))) {
			lan->cnt[PG_L2_CNT_DROP_HOST_FRAME]++;
			continue;
		}
		if (pg_vrrp_frame(hp->scratch, len)) {
			lan->cnt[PG_L2_CNT_HOST_VRRP_SENT]++;
			pg_port_transmit_any(lan, hp->scratch, len);
			continue;
		}
		pg_port_transmit(lan, hp->scratch, len);
	}
	return true;
}

/* The host asked who has tpa: we do, whoever it is, so its frames come to us. */
static void wan_arp(struct pg_hostpath *hp, struct pg_port *wan, const uint8_t *frame,
		    uint32_t len)
{
	struct pg_arp a, r;
	uint8_t out[PG_ETH_ZLEN];
	int bad = pg_arp_parse(frame + PG_ETH_HLEN, len - PG_ETH_HLEN, &a);

	if (bad) {
		wan->cnt[PG_L2_CNT_DROP_HOST_FRAME]++;
		return;
	}
	/* Replies, and probes for its own address, need no answer. */
	if (a.op != PG_ARP_OP_REQUEST || a.tpa == hp->wan_addr || !a.tpa)
		return;
	r.op = PG_ARP_OP_REPLY;
	memcpy(r.sha, hp->peer_mac, PG_ETH_ALEN);
	r.spa = a.tpa;
	memcpy(r.tha, a.sha, PG_ETH_ALEN);
	r.tpa = a.spa;
	if (pg_arp_build(out, sizeof(out), a.sha, &r)) {
		wan->cnt[PG_L2_CNT_HOST_ARP_ANSWERED]++;
		if (write(hp->fd[PG_SIDE_WAN], out, sizeof(out)) != (ssize_t)sizeof(out))
			wan->cnt[PG_L2_CNT_DROP_HOST_TX]++;
	}
}

/*
 * An IPv6 frame from the WAN device: its solicitations answered (counted as
 * ARP's), link business and other sources dropped; true: to the engine.
 */
static bool wan_ipv6(struct pg_hostpath *hp, struct pg_port *wan, const uint8_t *frame,
		     uint32_t len)
{
	uint8_t out[PG_ETH_ZLEN + 64];
	uint32_t n;

	switch (pg_hostpath6_classify(frame, len, hp->wan6_addr)) {
	case PG_HOST6_OUT:
		return true;
	case PG_HOST6_ANSWER:
		n = pg_hostpath6_answer(out, sizeof(out), frame, len, hp->peer_mac);
		if (!n)
			break;
		wan->cnt[PG_L2_CNT_HOST_ARP_ANSWERED]++;
		if (write(hp->fd[PG_SIDE_WAN], out, n) != (ssize_t)n)
			wan->cnt[PG_L2_CNT_DROP_HOST_TX]++;
		return false;
	case PG_HOST6_DROP:
		break;
	}
	wan->cnt[PG_L2_CNT_DROP_HOST_FRAME]++;
	return false;
}

unsigned int pg_hostpath_wan_rx(struct pg_hostpath *hp, struct pg_port *wan,
				struct pg_rx_frame *frames, struct pg_pkt *pkts, unsigned int max,
				bool *more)
{
	unsigned int np = 0, reads = 0;

	if (!hp->on)
		return 0;
	while (np < max && reads++ < PG_HOST_BURST) {
		uint8_t *frame = frames[np].buf + PG_FRAME_ETH_OFF;
		uint32_t len = dev_read(hp, wan, PG_SIDE_WAN, frame, PG_FRAME_MAX);
		struct pg_eth_hdr h;
		uint32_t src;

		if (!len)
			return np;
		pg_eth_parse(frame, len, &h);
		if (h.type == PG_ETH_P_ARP) {
			wan_arp(hp, wan, frame, len);
			continue;
		}
		if (h.type == PG_ETH_P_IPV6) {
			if (!wan_ipv6(hp, wan, frame, len))
				continue;
		} else if (h.type != PG_ETH_P_IP || len < PG_ETH_HLEN + 20) {
			wan->cnt[PG_L2_CNT_DROP_HOST_FRAME]++;
			continue;
		} else {
			/*
			 * Only the WAN address may leave through the NAT: a VPN client's
			 * packet the host routed this way has no mapping to come back on.
			 */
			memcpy(&src, frame + PG_ETH_HLEN + 12, sizeof(src));
			if (src != hp->wan_addr) {
				wan->cnt[PG_L2_CNT_DROP_HOST_FRAME]++;
				continue;
			}
		}
		frames[np].len = len;
		frames[np].flags = 0;
		memset(&pkts[np], 0, sizeof(pkts[np]));
		pkts[np].l3 = frame + PG_ETH_HLEN;
		pkts[np].len = len - PG_ETH_HLEN;
		pkts[np].cap = PG_FRAME_MAX - PG_ETH_HLEN;
		pkts[np].side = PG_SIDE_HOST;
		np++;
	}
	*more = true;
	return np;
}
