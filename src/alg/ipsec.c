/* SPDX-License-Identifier: MIT */
/*
 * ipsec.c - IPsec passthrough: IKE and NAT-T observed, raw ESP from any
 * number of LAN clients to one server.
 *
 * DOC: Theory of operation
 *
 * IKE (UDP 500) and NAT-T (UDP 4500, RFC 3948) are ordinary UDP to the NAT:
 * endpoint-independent mappings keep them; a client using source port 500
 * keeps public port 500 while no other LAN host holds it, and later clients
 * get another public port (RFC 3947 servers must answer the port they see).
 * The helper only watches: it counts IKE messages by version, NAT-T's IKE
 * (non-ESP marker), ESP-in-UDP and keepalives, so the logs can say what a
 * client's VPN is doing.
 *
 * Raw ESP (IP protocol 50) has no ports; each direction of an SA has its own
 * SPI, chosen by the receiver, and the inbound SPI only travels inside
 * encrypted IKE. An ESP flow is keyed by (client, server, outbound SPI) on the
 * LAN side and (server, inbound SPI) on the WAN side. The outbound SPI is
 * seen in the client's first ESP packet; the inbound one is learnt:
 *
 *   - A client's ESP with an unknown SPI creates a flow whose WAN key is
 *     parked and which waits for its inbound SPI. Only one client's flows
 *     wait at a server at a time: that client is the server's learner.
 *   - ESP from a server with an unknown SPI is bound to a flow waiting at
 *     that server (esp_spi_learned), the oldest of the learner's if it has
 *     several; with none waiting it is dropped as unsolicited. An answer
 *     can therefore only ever go to the one client that waits: it is never
 *     in doubt between two clients, whatever order the server answers in.
 *   - Another client's ESP with an unknown SPI to the same server is
 *     dropped (drop_esp_learn_wait) while the learner waits; its sender
 *     retransmits or sends the next packet, which passes once the learner
 *     is answered.
 *   - A learner waits as long as it keeps sending on its SA. One that has
 *     been silent on it for PG_ESP_LEARN_SILENT seconds when another client
 *     asks is forgotten (esp_learn_forgotten): its flow goes, so it holds
 *     no one up for longer, and if it speaks again it waits anew.
 *
 * So an SPI is only ever bound while exactly one client's SAs wait at its
 * server. What the rule cannot see (RFC 3715 3.: inbound SPIs travel
 * encrypted) is a server that sends its first packet on an SA more than
 * PG_ESP_LEARN_SILENT seconds after the client's last one on it: the
 * gateway has forgotten that SA by then, as it forgets any idle flow.
 * Rekeys (new SPIs both ways) are learnt the same way, and old SA pairs
 * expire with the ESP idle timeout. A server that sends to a client before
 * the client sent anything on that SA is not learnt until the client
 * speaks. All state is bound to exact addresses and SPIs.
 */
#include <arpa/inet.h>
#include <string.h>

#include "alg/alg.h"
#include "util/inet.h"

#define IKE_PORT 500
#define NATT_PORT 4500
#define PG_ESP_LEARN_SILENT 10 /* seconds of silence after which a learner is forgotten */
#define ESP_WAITING 1024    /* flows waiting for their inbound SPI, at most */

/* alg_state of the flows this helper claims */
#define IPSEC_ESP 0x80000000u
#define IPSEC_IKE_SEEN 0x1
#define IPSEC_NATT_ESP_SEEN 0x2

struct esp_wait {
	uint32_t flow; /* PG_NONE when the slot is free */
	uint32_t client, server;
	uint32_t since; /* seconds */
};

struct ipsec_state {
	struct esp_wait wait[ESP_WAITING];
};

static struct ipsec_state *state_of(struct pg_engine *e)
{
	return e->alg_state[PG_ALG_IPSEC];
}

static size_t ipsec_mem_size(const struct pg_engine_config *cfg)
{
	(void)cfg;
	return sizeof(struct ipsec_state);
}

static void ipsec_init(struct pg_engine *e, void *mem)
{
	struct ipsec_state *st = mem;

	e->alg_state[PG_ALG_IPSEC] = st;
	for (unsigned int i = 0; i < ESP_WAITING; i++)
		st->wait[i].flow = PG_NONE;
}

static void ipsec_flow_new(struct pg_engine *e, struct pg_flow *f, int side)
{
	const struct pg_key *k = &f->key;

	if (side != PG_SIDE_LAN || k->proto != PG_PROTO_UDP || !e->cfg.ipsec_passthrough)
		return;
	if (k->pb != htons(IKE_PORT) && k->pb != htons(NATT_PORT))
		return;
	f->alg = PG_ALG_IPSEC;
	f->alg_state = 0;
	if (k->pb == htons(NATT_PORT)) {
		pg_count(e, PG_CNT_NATT_FLOWS);
		pg_event_flow(e, PG_EV_NATT_IN_USE, f, 0, 0);
	}
}

/*
 * IKE header (RFC 7296 3.1): SPIs, next payload, version, exchange, flags...
 * The first message of a flow is logged.
 */
static void count_ike(struct pg_engine *e, struct pg_flow *f, const uint8_t *ike,
		      unsigned int len)
{
	unsigned int version;

	if (len < 28) {
		pg_count(e, PG_CNT_IKE_MALFORMED);
		return;
	}
	version = (ike[17] >> 4) == 2 ? 2 : 1;
	pg_count(e, version == 2 ? PG_CNT_IKE_V2 : PG_CNT_IKE_V1);
	if (!(f->alg_state & IPSEC_IKE_SEEN))
		pg_event_flow(e, PG_EV_IKE_SEEN, f, version, 0);
	f->alg_state |= IPSEC_IKE_SEEN;
}

static enum pg_counter ipsec_packet(struct pg_engine *e, struct pg_flow *f, struct pg_pkt *pkt,
				    const struct pg_parsed *p, int dir, uint64_t now_ms)
{
	const uint8_t *udp = pkt->l3 + p->ihl, *data = udp + 8;
	unsigned int len = p->l4_len - 8;

	(void)dir;
	(void)now_ms;
	if (f->alg_state & IPSEC_ESP)
		return PG_CNT_NONE; /* raw ESP: translated by its keys */
	if (p->frag_off || p->more_frags)
		return PG_CNT_NONE; /* a fragment: the header is all we may read */
	if (f->key.pb == htons(IKE_PORT)) {
		count_ike(e, f, data, len);
		return PG_CNT_NONE;
	}
	/* RFC 3948 2.2/2.3: 0xff alone is a keepalive, 4 zero bytes mark IKE. */
	if (len == 1 && data[0] == 0xff) {
		pg_count(e, PG_CNT_NATT_KEEPALIVES);
	} else if (len >= 4 && pg_get32(data) == 0) {
		count_ike(e, f, data + 4, len - 4);
	} else if (len >= 8) {
		pg_count(e, PG_CNT_NATT_ESP);
		f->alg_state |= IPSEC_NATT_ESP_SEEN;
	}
	return PG_CNT_NONE;
}

static struct esp_wait *wait_slot_of(struct pg_engine *e, const struct pg_flow *f)
{
	return &state_of(e)->wait[f->alg_state & ~IPSEC_ESP];
}

static void ipsec_flow_free(struct pg_engine *e, struct pg_flow *f)
{
	uint32_t now_s = (uint32_t)(e->now_ms / 1000);
	uint8_t kind = (f->alg_state & IPSEC_ESP)		      ? PG_VPN_ESP
		       : f->key.pb == htons(NATT_PORT) ? PG_VPN_NATT
								   : PG_VPN_IKE;

	if ((f->alg_state & IPSEC_ESP) && f->in_parked)
		wait_slot_of(e, f)->flow = PG_NONE;
	/* The logs tell when a tunnel's state went away, not only when it came. */
	pg_event_flow(e, PG_EV_IPSEC_ENDED, f, kind, now_s > f->last_seen ? now_s - f->last_seen : 0);
}

/* A client's first ESP on an SA: a flow whose inbound SPI is still unknown. */
static struct pg_flow *esp_out(struct pg_engine *e, struct pg_pkt *pkt, const struct pg_parsed *p,
			       uint32_t now_s)
{
	struct ipsec_state *st = state_of(e);
	struct esp_wait *free_slot = NULL;
	struct pg_key out, in;
	struct pg_flow *f;

	for (unsigned int i = 0; i < ESP_WAITING; i++) {
		struct esp_wait *w = &st->wait[i];

		if (w->flow != PG_NONE && w->server == p->daddr && w->client != p->saddr) {
			/* Another client learns from this server: wait, unless it fell silent. */
			if (now_s - e->flows[w->flow].last_seen < PG_ESP_LEARN_SILENT) {
				pg_drop(e, pkt, PG_CNT_DROP_ESP_LEARN_WAIT);
				return NULL;
			}
			pg_count(e, PG_CNT_ESP_LEARN_FORGOTTEN);
			pg_flow_free(e, w->flow); /* frees the slot too (ipsec_flow_free) */
		}
		if (w->flow == PG_NONE && !free_slot)
			free_slot = w;
	}
	if (!free_slot) {
		pg_drop(e, pkt, PG_CNT_DROP_ESP_LEARN_FULL);
		return NULL;
	}
	if (!pg_flow_make_room(e)) {
		pg_drop(e, pkt, PG_CNT_DROP_TABLE_FULL);
		return NULL;
	}
	/* The server's SPI names the SA at the server: no LAN address in the key. */
	pg_key_fill(&out, PG_KEY_FLOW_OUT, PG_PROTO_ESP, 0, p->daddr, p->sport, p->dport);
	/* Parked and unique: the wait slot names it. */
	pg_key_fill(&in, PG_KEY_PARKED, PG_PROTO_ESP, p->daddr, e->cfg.wan_addr,
		    (uint16_t)(free_slot - st->wait), 0);
	f = pg_flow_create_keys(e, &out, &in, p->saddr, 0, now_s);
	if (!f) {
		pg_drop(e, pkt, PG_CNT_DROP_TABLE_FULL);
		return NULL;
	}
	f->alg = PG_ALG_IPSEC;
	f->alg_state = IPSEC_ESP | (uint32_t)(free_slot - st->wait);
	free_slot->flow = (uint32_t)(f - e->flows);
	free_slot->client = p->saddr;
	free_slot->server = p->daddr;
	free_slot->since = now_s;
	pg_count(e, PG_CNT_ESP_SA_OUT);
	pg_event_push(e, PG_EV_ESP_SA_OUT, p->saddr, p->daddr, 0, 0, 0, ntohl(p->esp_spi), 0);
	return f;
}

bool pg_ipsec_waiting(struct pg_engine *e, uint32_t server)
{
	struct ipsec_state *st = state_of(e);

	for (unsigned int i = 0; i < ESP_WAITING; i++)
		if (st->wait[i].flow != PG_NONE && st->wait[i].server == server)
			return true;
	return false;
}

/*
 * A server's ESP with an unknown SPI: bind it to a flow waiting at that
 * server. They are all one client's (esp_out), so the choice among them
 * never sends one client's traffic to another; the oldest goes first.
 */
static struct pg_flow *esp_in(struct pg_engine *e, struct pg_pkt *pkt, const struct pg_parsed *p)
{
	struct ipsec_state *st = state_of(e);
	struct esp_wait *best = NULL;
	struct pg_key in;
	struct pg_flow *f;

	for (unsigned int i = 0; i < ESP_WAITING; i++) {
		struct esp_wait *w = &st->wait[i];

		if (w->flow != PG_NONE && w->server == p->saddr &&
		    (!best || (int32_t)(w->since - best->since) < 0))
			best = w;
	}
	if (!best) {
		pg_drop(e, pkt, PG_CNT_DROP_UNSOLICITED);
		return NULL;
	}
	f = &e->flows[best->flow];
	pg_key_fill(&in, PG_KEY_FLOW_IN, PG_PROTO_ESP, p->saddr, p->daddr, p->sport, p->dport);
	pg_flow_rekey(e, f, PG_DIR_IN, &in);
	best->flow = PG_NONE;
	pg_count(e, PG_CNT_ESP_SPI_LEARNED);
	pg_event_push(e, PG_EV_ESP_LEARNT, f->lan_addr, p->saddr, 0, 0, 0,
		      (uint32_t)ntohs(f->key.pa) << 16 | ntohs(f->key.pb),
		      ntohl(p->esp_spi));
	return f;
}

static struct pg_flow *ipsec_miss(struct pg_engine *e, struct pg_pkt *pkt,
				  const struct pg_parsed *p, int dir, uint64_t now_ms)
{
	if (dir == PG_DIR_OUT)
		return esp_out(e, pkt, p, pg_secs_ceil(now_ms));
	return esp_in(e, pkt, p);
}

static bool ipsec_describe(const struct pg_engine *e, const struct pg_flow *f,
			   struct pg_vpn_session *s)
{
	(void)e;
	if (f->alg_state & IPSEC_ESP) {
		s->kind = PG_VPN_ESP;
		s->state = f->in_parked ? "ESP out, inbound SPI not learnt"
								   : "ESP established";
	} else if (f->key.pb == htons(NATT_PORT)) {
		s->kind = PG_VPN_NATT;
		s->state = (f->alg_state & IPSEC_NATT_ESP_SEEN) ? "NAT-T: ESP in UDP"
				: (f->alg_state & IPSEC_IKE_SEEN) ? "NAT-T: IKE"
								  : "NAT-T";
	} else {
		s->kind = PG_VPN_IKE;
		s->state = (f->alg_state & IPSEC_IKE_SEEN) ? "IKE seen" : "UDP 500";
	}
	return true;
}

/*
 * Raw ESP with both SPIs known is translated by its keys alone. A NAT-T flow
 * that carried ESP both ways may leave its ESP to the XDP program; its
 * keepalives and IKE still come here to be counted (PG_XF_NATT). IKE on 500
 * stays: every message is counted and logged.
 */
static uint8_t ipsec_offload(const struct pg_engine *e, const struct pg_flow *f)
{
	(void)e;
	if (f->alg_state & IPSEC_ESP)
		return f->key.proto == PG_PROTO_ESP && !f->in_parked ? PG_XF_PLAIN : 0;
	return f->key.proto == PG_PROTO_UDP && f->key.pb == htons(NATT_PORT) &&
			       (f->alg_state & IPSEC_NATT_ESP_SEEN) && f->pkts[PG_DIR_OUT] &&
			       f->pkts[PG_DIR_IN]
		       ? PG_XF_NATT
		       : 0;
}

static bool ipsec_owns(const struct pg_parsed *p)
{
	return p->proto == PG_PROTO_ESP;
}

static bool ipsec_enabled(const struct pg_engine_config *cfg)
{
	return cfg->ipsec_passthrough;
}

static bool ipsec_expects(struct pg_engine *e, const struct pg_parsed *p)
{
	return p->proto == PG_PROTO_ESP && pg_ipsec_waiting(e, p->saddr);
}

/*
 * State sync (engine/sync.h). IKE and NAT-T flows carry only their seen
 * bits. A learnt ESP flow is whole in its keys; one still waiting for its
 * inbound SPI takes a wait slot here and starts its learning hold over.
 */
static int ipsec_sync_restore(struct pg_engine *e, struct pg_flow *f, const uint8_t *buf,
			      size_t len, uint32_t now_s, uint32_t age_s)
{
	struct ipsec_state *st = state_of(e);
	struct pg_key in;

	(void)buf;
	(void)age_s;
	if (len != 0)
		return -1; /* this version saves nothing of its own */
	if (f->key.proto != PG_PROTO_ESP) {
		f->alg_state &= IPSEC_IKE_SEEN | IPSEC_NATT_ESP_SEEN;
		return f->key.proto == PG_PROTO_UDP ? 0 : -1;
	}
	if (!(f->alg_state & IPSEC_ESP) || f->key.a != 0)
		return -1;
	f->alg_state = IPSEC_ESP;
	if (!f->in_parked)
		return 0;
	for (unsigned int i = 0; i < ESP_WAITING; i++) {
		struct esp_wait *w = &st->wait[i];

		if (w->flow != PG_NONE)
			continue;
		pg_key_fill(&in, PG_KEY_PARKED, PG_PROTO_ESP, f->key.b, e->cfg.wan_addr,
			    (uint16_t)i, 0);
		pg_flow_rekey(e, f, PG_DIR_IN, &in);
		f->alg_state = IPSEC_ESP | i;
		w->flow = (uint32_t)(f - e->flows);
		w->client = f->lan_addr;
		w->server = f->key.b;
		w->since = now_s;
		return 0;
	}
	pg_count(e, PG_CNT_DROP_ESP_LEARN_FULL);
	return -1;
}

const struct pg_alg_ops pg_alg_ipsec = {
	.describe = ipsec_describe,
	.name = "ipsec",
	.port_proto = PG_PROTO_UDP,
	.ports = {IKE_PORT, NATT_PORT},
	.owns = ipsec_owns,
	.enabled = ipsec_enabled,
	.switched = PG_ALG_SWITCH_PORTS | PG_ALG_SWITCH_OWNED,
	.expects = ipsec_expects,
	.mem_size = ipsec_mem_size,
	.init = ipsec_init,
	.flow_new = ipsec_flow_new,
	.packet = ipsec_packet,
	.flow_free = ipsec_flow_free,
	.miss = ipsec_miss,
	.sync_restore = ipsec_sync_restore,
	.offload = ipsec_offload,
};
