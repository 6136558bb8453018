/* SPDX-License-Identifier: MIT */
/*
 * pptp.c - PPTP passthrough (RFC 2637): call-id translation so any number of
 * LAN clients can hold calls to any PPTP servers at once.
 *
 * DOC: Theory of operation
 *
 * A LAN client (the PNS) opens TCP 1723 to a server (the PAC). Each call is
 * carried by enhanced GRE keyed by the receiver's call id, so the server's
 * GRE names the call id the client chose. Two clients behind one address may
 * choose the same id; we give every call a public call id unique per server,
 * write it into the client's control messages, restore the client's own id in
 * the server's, and translate GRE by (server, call id) in both directions.
 *
 * Following the control stream. We follow only control connections a LAN host
 * opened to port 1723, only after the handshake, and read the stream in order
 * from its first byte, message by message: every header is checked (length
 * fixed per message type, control message type 1, magic cookie, a message
 * the sender's role may send) before any field after it is used; anything
 * else stops the helper for that connection (pptp_bad_message), so bytes
 * crafted to look like a message in the middle of other traffic (NAT
 * Slipstreaming) never reach us as a message. A segment past a gap in the
 * stream is dropped (the sender retransmits it once the gap is filled).
 *
 * Rewriting without holding segments. A message may be split anywhere, so the
 * two bytes of a call id may arrive in different segments, the first already
 * forwarded when the second comes. Public call ids therefore keep the high
 * byte of the id they replace; only the low byte is ever rewritten, and it is
 * rewritten when it passes, when the whole id is known. Rewrites are
 * remembered by sequence number (PPTP_LOG per direction) so that a
 * retransmitted segment is rewritten the same way.
 *
 * State. A connection holds at most PPTP_MAX_CALLS calls. The GRE flow of a
 * call exists from the moment its public id is chosen (so two clients cannot
 * pick the same one), with both keys parked: no GRE passes for a call the
 * server has not accepted. It is keyed both ways (the server's call id out,
 * the public id in) when the server accepts: an Outgoing-Call-Reply with
 * result "connected", or for a call the server offered, its
 * Incoming-Call-Connected after the client's Incoming-Call-Reply "connect"
 * (as Linux's helper does). Nothing from the server creates a flow;
 * everything is bound to exact addresses and ids.
 *
 * Refusing what cannot be translated. A client call id must never reach the
 * server untranslated: the server's GRE to it could name another client's
 * public id and be delivered to that client. So when no public id can be
 * given (PPTP_MAX_CALLS calls on the connection, every id with that high
 * byte taken towards the server, the flow table full), the segment carrying
 * the call id's low byte is dropped (drop_pptp_call_refused) and the stream
 * is rewound to that segment's start: the client retransmits it, and it
 * passes once an id is free. Messages before it in the same segment are
 * read again then, so opening a call is idempotent (the same client id in
 * the same kind of request gets the call already opened for it). A
 * connection the helper cannot follow (no room for it, or a stream that
 * broke the rules) could carry call ids we never see: its calls are ended
 * and its payload is dropped both ways (drop_pptp_unfollowed), so the
 * client's call fails visibly instead of half working. A Stop-Control-
 * Connection-Request or -Reply ends every call of its connection (RFC 2637
 * 2.3: all calls are implicitly cleared), and so does a FIN from either
 * side (a RST does not: it may be stray, tcp.c). A server that gives a new
 * call the id of a call we still hold has ended that one, unseen: its ids
 * are unique between it and our one public address, so the new call takes
 * the id over (pptp_call_id_conflict counts it).
 *
 * Enhanced GRE no followed call announced (pptp_miss) is keyed by the call
 * id it carries, the server's, which is unique at the server; its WAN side
 * stays parked, since the client's id the server's GRE would carry was
 * never seen. So such a packet opens nothing inbound (as with Linux's GRE
 * tracking, whose keys come from its PPTP helper), rather than letting
 * every key from that server reach the host as tracking by address did.
 */
#include <arpa/inet.h>
#include <string.h>

#include "alg/alg.h"
#include "engine/csum.h"
#include "engine/sync_internal.h"
#include "util/inet.h"

#define PPTP_PORT 1723
#define PPTP_MAGIC 0x1a2b3c4du
#define PPTP_CONTROL_MESSAGE 1
#define PPTP_MAX_CALLS 16
#define PPTP_LOG 16
#define PPTP_HDR_KEEP 20 /* message bytes kept: header and the fields we read */
#define PPTP_GRE_BIT 0x80000000u
#define PPTP_UNFOLLOWED 0x40000000u /* alg_state of a control flow refused for room */
#define RESULT_CONNECTED 1 /* Outgoing-Call-Reply and Incoming-Call-Reply result */

enum pptp_msg {
	SCCRQ = 1, /* Start-Control-Connection-Request */
	SCCRP,     /* Start-Control-Connection-Reply */
	STOPRQ,    /* Stop-Control-Connection-Request */
	STOPRP,    /* Stop-Control-Connection-Reply */
	ECHORQ,
	ECHORP,
	OCRQ, /* Outgoing-Call-Request (PNS) */
	OCRP, /* Outgoing-Call-Reply (PAC) */
	ICRQ, /* Incoming-Call-Request (PAC) */
	ICRP, /* Incoming-Call-Reply (PNS) */
	ICCN, /* Incoming-Call-Connected (PAC) */
	CCRQ, /* Call-Clear-Request (PNS) */
	CDN,  /* Call-Disconnect-Notify (PAC) */
	WEN,  /* WAN-Error-Notify (PAC) */
	SLI,  /* Set-Link-Info (either) */
	PPTP_MSG_MAX = SLI,
};

/* RFC 2637 section 2: every control message has a fixed length. */
static const uint16_t msg_len[PPTP_MSG_MAX + 1] = {
	[SCCRQ] = 156, [SCCRP] = 156, [STOPRQ] = 16, [STOPRP] = 16, [ECHORQ] = 16,
	[ECHORP] = 20,	[OCRQ] = 168,  [OCRP] = 32,   [ICRQ] = 220,   [ICRP] = 24,
	[ICCN] = 28,	[CCRQ] = 16,   [CDN] = 148,   [WEN] = 40,     [SLI] = 24,
};

/* Which messages each role may send: the client (PNS) out, the server (PAC) in. */
static const uint32_t allowed[2] = {
	[PG_DIR_OUT] = 1u << SCCRQ | 1u << STOPRQ | 1u << STOPRP | 1u << ECHORQ | 1u << ECHORP |
		       1u << OCRQ | 1u << ICRP | 1u << CCRQ | 1u << SLI,
	[PG_DIR_IN] = 1u << SCCRP | 1u << STOPRQ | 1u << STOPRP | 1u << ECHORQ | 1u << ECHORP |
		      1u << OCRP | 1u << ICRQ | 1u << ICCN | 1u << CDN | 1u << WEN | 1u << SLI,
};

enum call_state {
	CALL_FREE = 0,
	CALL_OUT_REQ,  /* OCRQ sent, public id chosen */
	CALL_IN_REQ,   /* ICRQ received: the server's id known */
	CALL_IN_REP,   /* ICRP sent, public id chosen */
	CALL_IN_ACK,   /* ICRP "connect" paired with its request: awaiting ICCN */
	CALL_UP,       /* GRE keyed both ways */
};

struct pptp_call {
	uint16_t pns_cid, pub_cid, pac_cid; /* wire order */
	uint8_t state;
	uint32_t gre; /* flow index or PG_NONE */
};

struct pptp_rewrite {
	uint32_t seq; /* sequence number of the rewritten byte */
	uint8_t val;
};

struct pptp_stream {
	uint32_t next_seq; /* host order */
	uint16_t msg_off;  /* bytes of the current message seen */
	uint16_t msg_len;
	uint8_t msg_type;
	uint8_t hdr[PPTP_HDR_KEEP]; /* the current message's first bytes, as sent */
	uint8_t log_next, log_used;
	struct pptp_rewrite log[PPTP_LOG];
};

enum conn_state {
	CONN_FREE = 0,
	CONN_FOLLOWING,
	CONN_BROKEN, /* stream invalid: calls ended, payload refused */
};

struct pptp_conn {
	uint32_t ctrl;      /* the control flow */
	uint32_t next_free;
	uint8_t state;
	uint8_t seq_known;  /* bit per direction: SYN seen */
	uint8_t inbound;    /* the server is inside (forwarded 1723), the client outside */
	uint32_t lan, server; /* wire order */
	struct pptp_stream dir[2];
	struct pptp_call calls[PPTP_MAX_CALLS];
};

struct pptp_state {
	uint32_t nconns;
	uint32_t free_head;
	struct pptp_conn conns[];
};

static struct pptp_state *state_of(struct pg_engine *e)
{
	return e->alg_state[PG_ALG_PPTP];
}

static size_t pptp_mem_size(const struct pg_engine_config *cfg)
{
	return sizeof(struct pptp_state) + (size_t)cfg->pptp_max_sessions * sizeof(struct pptp_conn);
}

static void pptp_init(struct pg_engine *e, void *mem)
{
	struct pptp_state *st = mem;
	uint32_t i;

	e->alg_state[PG_ALG_PPTP] = st;
	st->nconns = e->cfg.pptp_max_sessions;
	for (i = 0; i < st->nconns; i++)
		st->conns[i].next_free = i + 1 < st->nconns ? i + 1 : PG_NONE;
	st->free_head = 0;
}

static void pptp_flow_new(struct pg_engine *e, struct pg_flow *f, int side)
{
	struct pptp_state *st = state_of(e);
	struct pptp_conn *c;
	uint32_t idx;

	bool out = side == PG_SIDE_LAN && f->key.pb == htons(PPTP_PORT);
	/* A server inside: a forward brought an outside client to its port 1723. */
	bool in = side == PG_SIDE_WAN && f->key.pa == htons(PPTP_PORT);

	if (f->key.proto != PG_PROTO_TCP || !(out || in) || !e->cfg.pptp_passthrough)
		return;
	idx = st->free_head;
	if (idx == PG_NONE) {
		/* Not followed: refused, so its call ids never leave untranslated. */
		pg_count(e, PG_CNT_PPTP_SESSIONS_FULL);
		f->alg = PG_ALG_PPTP;
		f->alg_state = PPTP_UNFOLLOWED;
		return;
	}
	c = &st->conns[idx];
	st->free_head = c->next_free;
	memset(c, 0, sizeof(*c));
	c->ctrl = (uint32_t)(f - e->flows);
	c->state = CONN_FOLLOWING;
	c->lan = f->lan_addr;
	c->server = f->key.b; /* the peer outside: server, or client when inbound */
	c->inbound = in;
	for (unsigned int i = 0; i < PPTP_MAX_CALLS; i++)
		c->calls[i].gre = PG_NONE;
	f->alg = PG_ALG_PPTP;
	f->alg_state = idx;
	pg_count(e, PG_CNT_PPTP_SESSIONS);
	pg_event_flow(e, PG_EV_PPTP_SESSION, f, 0, 0);
}

/* ---- calls and their GRE flows -------------------------------------------- */

static struct pptp_call *call_find(struct pptp_conn *c, enum call_state st, int field,
				   uint16_t id)
{
	for (unsigned int i = 0; i < PPTP_MAX_CALLS; i++) {
		struct pptp_call *k = &c->calls[i];
		uint16_t v = field == 0 ? k->pns_cid : field == 1 ? k->pub_cid : k->pac_cid;

		if (k->state != CALL_FREE && (st == CALL_FREE || k->state == st) && v == id)
			return k;
	}
	return NULL;
}

static struct pptp_call *call_new(struct pg_engine *e, struct pptp_conn *c)
{
	for (unsigned int i = 0; i < PPTP_MAX_CALLS; i++) {
		if (c->calls[i].state == CALL_FREE) {
			memset(&c->calls[i], 0, sizeof(c->calls[i]));
			c->calls[i].gre = PG_NONE;
			return &c->calls[i];
		}
	}
	pg_count(e, PG_CNT_PPTP_CALL_LIMIT);
	return NULL;
}

/* A call the server's call id (pac_cid) names: known once the server sent it. */
static struct pptp_call *call_by_pac(struct pptp_conn *c, uint16_t pac_cid)
{
	for (unsigned int i = 0; i < PPTP_MAX_CALLS; i++) {
		struct pptp_call *k = &c->calls[i];

		if (k->state != CALL_FREE && k->state != CALL_OUT_REQ && k->pac_cid == pac_cid)
			return k;
	}
	return NULL;
}

/* End a call: its GRE flow goes with it. */
static void call_end(struct pg_engine *e, struct pptp_call *k)
{
	uint32_t gre = k->gre;

	k->state = CALL_FREE;
	k->gre = PG_NONE;
	if (gre != PG_NONE) {
		e->flows[gre].alg = PG_ALG_NONE; /* no callback into a freed call */
		pg_flow_free(e, gre);
	}
}

/* A call that was up went down: log and count it, then end it. */
static void call_down(struct pg_engine *e, struct pptp_conn *c, struct pptp_call *k)
{
	if (k->state == CALL_UP) {
		pg_event_push(e, PG_EV_PPTP_CALL_DOWN, c->lan, c->server, 0, 0, 0,
			      ntohs(k->pns_cid), 0);
		pg_count(e, PG_CNT_PPTP_CALLS_CLEARED);
	}
	call_end(e, k);
}

/* End every call of a connection (Stop-Control-Connection, an unfollowable stream). */
static void conn_end_calls(struct pg_engine *e, struct pptp_conn *c)
{
	for (unsigned int i = 0; i < PPTP_MAX_CALLS; i++)
		if (c->calls[i].state != CALL_FREE)
			call_down(e, c, &c->calls[i]);
}

/* The stream broke the rules: stop following it, end its calls. */
static void conn_break(struct pg_engine *e, struct pptp_conn *c, const struct pg_flow *f)
{
	c->state = CONN_BROKEN;
	pg_count(e, PG_CNT_PPTP_BAD_MESSAGE);
	pg_event_flow(e, PG_EV_PPTP_BAD, f, 0, 0);
	conn_end_calls(e, c);
}

/* Is public call id id free towards the server (no call holds it, parked or up)? */
static bool pub_id_free(struct pg_engine *e, const struct pptp_conn *c, uint16_t id)
{
	struct pg_key k;

	pg_key_fill(&k, PG_KEY_FLOW_IN, PG_PROTO_GRE, c->server, e->cfg.wan_addr, PG_GRE_KEYED, id);
	if (pg_index_find(e, &k, pg_key_hash(e, &k)) != PG_NONE)
		return false;
	k.kind = PG_KEY_PARKED;
	return pg_index_find(e, &k, pg_key_hash(e, &k)) == PG_NONE;
}

/*
 * Choose the public call id for a client's id and create the call's GRE flow,
 * which reserves it. The id keeps the client's high byte (see the theory of
 * operation); the client's own id is kept when free.
 */
static bool call_open(struct pg_engine *e, struct pptp_conn *c, struct pptp_call *k,
		      uint16_t pns_cid, uint32_t now_s)
{
	uint32_t cidx = (uint32_t)(k - c->calls);
	uint32_t conn_idx = (uint32_t)(c - state_of(e)->conns);
	uint16_t host = ntohs(pns_cid), pub = host;
	struct pg_key out, in;
	struct pg_flow *g;
	unsigned int i;

	for (i = 0; i < 256 && !pub_id_free(e, c, htons(pub)); i++)
		pub = (uint16_t)((host & 0xff00) | ((host + i + 1) & 0xff));
	if (i == 256) {
		pg_count(e, PG_CNT_PPTP_CALL_IDS_EXHAUSTED);
		return false;
	}
	/* Parked both ways until the server accepts the call. */
	pg_key_fill(&out, PG_KEY_PARKED, PG_PROTO_GRE, c->lan, c->server, (uint16_t)conn_idx,
		    (uint16_t)cidx);
	out.zero = (uint16_t)(conn_idx >> 16);
	pg_key_fill(&in, PG_KEY_PARKED, PG_PROTO_GRE, c->server, e->cfg.wan_addr, PG_GRE_KEYED,
		    htons(pub));
	g = pg_flow_create_keys(e, &out, &in, c->lan, pns_cid, now_s);
	if (!g) {
		pg_count(e, PG_CNT_DROP_TABLE_FULL);
		return false;
	}
	g->alg = PG_ALG_PPTP;
	g->alg_state = PPTP_GRE_BIT | (conn_idx * PPTP_MAX_CALLS + cidx);
	k->pns_cid = pns_cid;
	k->pub_cid = htons(pub);
	k->gre = (uint32_t)(g - e->flows);
	return true;
}

/* End the call (or the unannounced GRE flow) that holds GRE flow idx. */
static void stale_end(struct pg_engine *e, uint32_t idx)
{
	struct pg_flow *g = &e->flows[idx];

	if (g->alg == PG_ALG_PPTP && (g->alg_state & PPTP_GRE_BIT)) {
		uint32_t v = g->alg_state & ~PPTP_GRE_BIT;
		struct pptp_conn *c2 = &state_of(e)->conns[v / PPTP_MAX_CALLS];

		call_down(e, c2, &c2->calls[v % PPTP_MAX_CALLS]);
		return;
	}
	pg_flow_free(e, idx);
}

/*
 * The server accepted the call: GRE to its call id from the client and to
 * the public id from the server now finds the call.
 */
static void call_up(struct pg_engine *e, struct pptp_conn *c, struct pptp_call *k,
		    uint16_t pac_cid)
{
	struct pg_key out, in;
	uint32_t ref;

	k->pac_cid = pac_cid;
	k->state = CALL_UP;
	/* The server's call id is unique at the server: no LAN address in the key. */
	pg_key_fill(&out, PG_KEY_FLOW_OUT, PG_PROTO_GRE, 0, c->server, PG_GRE_KEYED, pac_cid);
	ref = pg_index_find(e, &out, pg_key_hash(e, &out));
	if (ref != PG_NONE) {
		/*
		 * The server just gave this id to a new call, and its ids are
		 * unique between it and our one public address: whatever held
		 * the id is over, though we never saw it end (a client gone
		 * without a word, a connection whose close we missed).
		 */
		stale_end(e, PG_REF_IDX(ref));
		pg_count(e, PG_CNT_PPTP_CALL_ID_CONFLICT);
	}
	pg_flow_rekey(e, &e->flows[k->gre], PG_DIR_OUT, &out);
	pg_key_fill(&in, PG_KEY_FLOW_IN, PG_PROTO_GRE, c->server, e->cfg.wan_addr, PG_GRE_KEYED,
		    k->pub_cid);
	pg_flow_rekey(e, &e->flows[k->gre], PG_DIR_IN, &in);
	pg_count(e, PG_CNT_PPTP_CALLS);
	pg_event_push(e, PG_EV_PPTP_CALL_UP, c->lan, c->server, 0, 0, 0,
		      (uint32_t)ntohs(k->pns_cid) << 16 | ntohs(k->pub_cid), ntohs(pac_cid));
}

/* ---- message handling ----------------------------------------------------- */

static uint16_t hdr16(const struct pptp_stream *s, unsigned int off)
{
	return pg_get16(s->hdr + off);
}

/*
 * The call a client's request for client id pns_cid opens: the one already
 * opened for it (its segment is read again after a refusal rewound the
 * stream), or a new one with a public id. NULL when none can be had: the
 * request must not leave (see the theory of operation).
 */
static struct pptp_call *call_for_request(struct pg_engine *e, struct pptp_conn *c,
					  enum call_state st, uint16_t pns_cid, uint32_t now_s)
{
	struct pptp_call *k;

	for (unsigned int i = 0; i < PPTP_MAX_CALLS; i++) {
		k = &c->calls[i];
		if (k->pns_cid == pns_cid && k->gre != PG_NONE &&
		    (k->state == st || (st == CALL_IN_REP && k->state == CALL_IN_ACK)))
			return k;
	}
	k = call_new(e, c);
	if (!k)
		return NULL;
	if (!call_open(e, c, k, pns_cid, now_s)) {
		k->state = CALL_FREE;
		return NULL;
	}
	k->state = (uint8_t)st;
	return k;
}

/*
 * The call id field at message offset off whose low byte is passing now:
 * its translated value in *out, or the value itself when it is not
 * translated. Calls are opened here because the id must be chosen before
 * this byte is forwarded. False: no public id could be given, the segment
 * must be refused.
 */
static bool translate_field(struct pg_engine *e, struct pptp_conn *c, struct pptp_stream *s,
			    int dir, unsigned int off, uint32_t now_s, uint16_t *out)
{
	uint16_t id = hdr16(s, off);
	struct pptp_call *k;

	*out = id;
	if (dir == PG_DIR_OUT) {
		if ((s->msg_type == OCRQ || s->msg_type == ICRP) && off == 12) {
			k = call_for_request(e, c, s->msg_type == OCRQ ? CALL_OUT_REQ : CALL_IN_REP,
					     id, now_s);
			if (!k)
				return false;
			*out = k->pub_cid;
			return true;
		}
		if (s->msg_type == CCRQ && off == 12) {
			k = call_find(c, CALL_FREE, 0, id);
			*out = k ? k->pub_cid : id;
		}
		return true;
	}
	/* Inbound: a Peer's Call ID names the client's call by its public id. */
	if ((s->msg_type == OCRP && off == 14) ||
	    ((s->msg_type == ICCN || s->msg_type == WEN || s->msg_type == SLI) && off == 12)) {
		k = call_find(c, CALL_FREE, 1, id);
		*out = k ? k->pns_cid : id;
	}
	return true;
}

/* Is message offset off the low byte of a field we translate? */
static bool is_field_low_byte(int dir, uint8_t type, unsigned int off)
{
	if (dir == PG_DIR_OUT)
		return off == 13 && (type == OCRQ || type == ICRP || type == CCRQ);
	return (off == 15 && type == OCRP) ||
	       (off == 13 && (type == ICCN || type == WEN || type == SLI));
}

/*
 * A server inside answered an outside client's call: its GRE, keyed by call
 * id both ways, needs no id translation (the server owns its ids).
 */
static void inbound_call(struct pg_engine *e, struct pptp_conn *c, uint16_t pac_cid,
			 uint16_t pns_cid, uint32_t now_s)
{
	uint32_t conn_idx = (uint32_t)(c - state_of(e)->conns);
	struct pptp_call *k = call_new(e, c);
	struct pg_key out, in;
	struct pg_flow *g;

	if (!k)
		return;
	pg_key_fill(&out, PG_KEY_FLOW_OUT, PG_PROTO_GRE, 0, c->server, PG_GRE_KEYED, pns_cid);
	pg_key_fill(&in, PG_KEY_FLOW_IN, PG_PROTO_GRE, c->server, e->cfg.wan_addr, PG_GRE_KEYED,
		    pac_cid);
	if (pg_index_find(e, &out, pg_key_hash(e, &out)) != PG_NONE ||
	    pg_index_find(e, &in, pg_key_hash(e, &in)) != PG_NONE) {
		pg_count(e, PG_CNT_PPTP_CALL_ID_CONFLICT);
		return;
	}
	g = pg_flow_create_keys(e, &out, &in, c->lan, pac_cid, now_s);
	if (!g)
		return;
	g->alg = PG_ALG_PPTP;
	g->alg_state = PPTP_GRE_BIT | (conn_idx * PPTP_MAX_CALLS + (uint32_t)(k - c->calls));
	g->flags |= PG_FLOW_FROM_WAN;
	k->pns_cid = pns_cid;
	k->pub_cid = pns_cid;
	k->pac_cid = pac_cid;
	k->gre = (uint32_t)(g - e->flows);
	k->state = CALL_UP;
	pg_count(e, PG_CNT_PPTP_CALLS);
	pg_event_push(e, PG_EV_PPTP_CALL_UP, c->lan, c->server, 0, 0, 0,
		      (uint32_t)ntohs(pns_cid) << 16 | ntohs(pns_cid), ntohs(pac_cid));
}

/* A whole, valid message has passed: act on what it announced. */
static void message_done(struct pg_engine *e, struct pptp_conn *c, struct pptp_stream *s,
			 int dir, uint32_t now_s)
{
	struct pptp_call *k;

	if (s->msg_type == STOPRQ || s->msg_type == STOPRP) {
		/* RFC 2637 2.3: closing the control connection clears every call. */
		conn_end_calls(e, c);
		return;
	}
	if (c->inbound) {
		/* dir OUT is the inside server (the PAC) speaking. */
		if (dir == PG_DIR_OUT && s->msg_type == OCRP && s->hdr[16] == RESULT_CONNECTED)
			inbound_call(e, c, hdr16(s, 12), hdr16(s, 14), now_s);
		else if (dir == PG_DIR_OUT && s->msg_type == CDN &&
			 (k = call_find(c, CALL_UP, 2, hdr16(s, 12))) != NULL)
			call_down(e, c, k);
		return;
	}
	if (dir == PG_DIR_OUT) {
		if (s->msg_type == ICRP) {
			/* Pair the reply with the server's request by its call id. */
			struct pptp_call *req = call_find(c, CALL_IN_REQ, 2, hdr16(s, 14));

			k = call_find(c, CALL_IN_REP, 0, hdr16(s, 12));
			if (!k || !req)
				return; /* unpaired, or read again after a rewind: done */
			k->pac_cid = req->pac_cid;
			req->state = CALL_FREE;
			if (s->hdr[16] == RESULT_CONNECTED)
				k->state = CALL_IN_ACK; /* GRE once the server confirms */
			else
				call_end(e, k); /* the client turned the call down */
		}
		return;
	}
	switch (s->msg_type) {
	case OCRP:
		k = call_find(c, CALL_OUT_REQ, 1, hdr16(s, 14));
		if (!k)
			break;
		if (s->hdr[16] == RESULT_CONNECTED)
			call_up(e, c, k, hdr16(s, 12));
		else
			call_end(e, k);
		break;
	case ICRQ:
		k = call_new(e, c);
		if (k) {
			k->state = CALL_IN_REQ;
			k->pac_cid = hdr16(s, 12);
		}
		break;
	case ICCN:
		/* The server confirms the call the client accepted. */
		k = call_find(c, CALL_IN_ACK, 1, hdr16(s, 12));
		if (k)
			call_up(e, c, k, k->pac_cid);
		break;
	case CDN:
		k = call_by_pac(c, hdr16(s, 12));
		if (k)
			call_down(e, c, k);
		break;
	default:
		break;
	}
}

/* Check the header once its bytes up to off have arrived. */
static bool header_ok(struct pptp_stream *s, int dir, unsigned int off)
{
	switch (off) {
	case 1:
		s->msg_len = ntohs(hdr16(s, 0));
		return s->msg_len >= 16;
	case 3:
		return ntohs(hdr16(s, 2)) == PPTP_CONTROL_MESSAGE;
	case 7:
		return ntohl(pg_get32(s->hdr + 4)) == PPTP_MAGIC;
	case 9: {
		uint16_t t = ntohs(hdr16(s, 8));

		if (t < 1 || t > PPTP_MSG_MAX || msg_len[t] != s->msg_len ||
		    !(allowed[dir] & (1u << t)))
			return false;
		s->msg_type = (uint8_t)t;
		return true;
	}
	default:
		return true;
	}
}

/* Replace one payload byte, keeping the TCP checksum right. */
static void put_byte(uint8_t *tcp, unsigned int seg_len, unsigned int at, uint8_t val)
{
	uint16_t csum = pg_get16(tcp + PG_TCP_OFF_CSUM);

	pg_csum_write(&csum, tcp, seg_len, at, &val, 1);
	pg_put16(tcp + PG_TCP_OFF_CSUM, csum);
}

static void log_rewrite(struct pptp_stream *s, uint32_t seq, uint8_t val)
{
	s->log[s->log_next].seq = seq;
	s->log[s->log_next].val = val;
	s->log_next = (uint8_t)((s->log_next + 1) % PPTP_LOG);
	if (s->log_used < PPTP_LOG)
		s->log_used++;
}

/* Bytes already seen: apply the rewrites remembered for them. */
static void replay(struct pptp_stream *s, uint8_t *tcp, unsigned int doff, unsigned int seg_len,
		   uint32_t seq, uint32_t old_bytes)
{
	for (unsigned int i = 0; i < s->log_used; i++) {
		uint32_t d = s->log[i].seq - seq;

		if (d < old_bytes)
			put_byte(tcp, seg_len, doff + d, s->log[i].val);
	}
}

static enum pg_counter pptp_packet(struct pg_engine *e, struct pg_flow *f, struct pg_pkt *pkt,
				   const struct pg_parsed *p, int dir, uint64_t now_ms)
{
	struct pptp_state *st = state_of(e);
	struct pptp_conn *c;
	struct pptp_stream *s, saved;
	uint8_t *tcp = pkt->l3 + p->ihl;
	unsigned int doff, len, i, start;
	uint32_t seq, now_s = pg_secs_ceil(now_ms);

	if (f->alg_state & PPTP_GRE_BIT)
		return PG_CNT_NONE; /* a call's GRE: translated by its keys */
	doff = pg_tcp_doff(tcp);
	len = p->l4_len - doff;
	if (f->alg_state == PPTP_UNFOLLOWED)
		/* Handshake and teardown pass; messages we cannot read do not. */
		return len && !(p->tcp_flags & PG_TCP_RST) ? PG_CNT_DROP_PPTP_UNFOLLOWED
							   : PG_CNT_NONE;
	c = &st->conns[f->alg_state];
	s = &c->dir[dir];
	if (c->state == CONN_BROKEN)
		return len && !(p->tcp_flags & PG_TCP_RST) ? PG_CNT_DROP_PPTP_UNFOLLOWED
							   : PG_CNT_NONE;
	if (c->state != CONN_FOLLOWING || p->more_frags)
		return PG_CNT_NONE;
	seq = ntohl(pg_get32(tcp + PG_TCP_OFF_SEQ));
	if (p->tcp_flags & PG_TCP_SYN) {
		if (dir == PG_DIR_OUT && (c->seq_known & 1) && seq + 1 != s->next_seq) {
			/* A new connection on the same ports: start over. */
			conn_end_calls(e, c);
			memset(c->dir, 0, sizeof(c->dir));
			c->seq_known = 0;
		}
		if (len) {
			/* Data on a SYN is not how PPTP starts; stop following. */
			conn_break(e, c, f);
			return PG_CNT_DROP_PPTP_UNFOLLOWED;
		}
		s->next_seq = seq + 1;
		c->seq_known |= (uint8_t)(1u << dir);
		return PG_CNT_NONE;
	}
	if (!len && (p->tcp_flags & PG_TCP_FIN))
		conn_end_calls(e, c); /* the control connection closes: so do its calls */
	if (!len || (p->tcp_flags & PG_TCP_RST))
		return PG_CNT_NONE;
	if (c->seq_known != 3) {
		/* Payload before the handshake completed: not a stream we follow. */
		conn_break(e, c, f);
		return PG_CNT_DROP_PPTP_UNFOLLOWED;
	}
	if ((int32_t)(seq - s->next_seq) > 0)
		return PG_CNT_DROP_PPTP_OUT_OF_ORDER;
	start = s->next_seq - seq; /* bytes of this segment already seen */
	if (start >= len) {
		replay(s, tcp, doff, p->l4_len, seq, len);
		return PG_CNT_NONE;
	}
	replay(s, tcp, doff, p->l4_len, seq, start);

	saved = *s; /* to rewind to if a call must be refused */
	for (i = start; i < len; i++) {
		unsigned int off = s->msg_off;
		uint8_t b = tcp[doff + i];

		if (off < PPTP_HDR_KEEP)
			s->hdr[off] = b;
		/* Roles: allowed[PG_DIR_OUT] are the client's messages. */
		if (!header_ok(s, dir ^ c->inbound, off)) {
			conn_break(e, c, f);
			return PG_CNT_DROP_PPTP_UNFOLLOWED;
		}
		/* One server inside owns its call ids: nothing to rewrite then. */
		if (!c->inbound && off > 9 && is_field_low_byte(dir, s->msg_type, off)) {
			uint16_t v;
			uint8_t low;

			if (!translate_field(e, c, s, dir, off - 1, now_s, &v)) {
				*s = saved;
				return PG_CNT_DROP_PPTP_CALL_REFUSED;
			}
			low = (uint8_t)(ntohs(v) & 0xff);
			if (low != b) {
				put_byte(tcp, p->l4_len, doff + i, low);
				log_rewrite(s, seq + i, low);
			}
		}
		if (++s->msg_off == s->msg_len && s->msg_len) {
			message_done(e, c, s, dir, now_s);
			s->msg_off = 0;
			s->msg_len = 0;
			s->msg_type = 0;
		}
	}
	s->next_seq = seq + len;
	if (p->tcp_flags & PG_TCP_FIN)
		conn_end_calls(e, c);
	/* A standby must take the stream up where it is (control traffic is rare). */
	pg_sync_note(e, c->ctrl);
	return PG_CNT_NONE;
}

static void pptp_flow_free(struct pg_engine *e, struct pg_flow *f)
{
	struct pptp_state *st = state_of(e);
	struct pptp_conn *c;

	if (f->alg_state & PPTP_GRE_BIT) {
		uint32_t v = f->alg_state & ~PPTP_GRE_BIT;
		struct pptp_call *k = &st->conns[v / PPTP_MAX_CALLS].calls[v % PPTP_MAX_CALLS];

		/* The call's GRE went idle: the call is over. */
		k->gre = PG_NONE;
		k->state = CALL_FREE;
		return;
	}
	if (f->alg_state == PPTP_UNFOLLOWED)
		return; /* no connection state was ever taken */
	c = &st->conns[f->alg_state];
	for (unsigned int i = 0; i < PPTP_MAX_CALLS; i++)
		if (c->calls[i].state != CALL_FREE)
			call_end(e, &c->calls[i]);
	c->state = CONN_FREE;
	c->next_free = st->free_head;
	st->free_head = f->alg_state;
}

static bool pptp_describe(const struct pg_engine *e, const struct pg_flow *f,
			  struct pg_vpn_session *s)
{
	const struct pptp_state *st = e->alg_state[PG_ALG_PPTP];
	const struct pptp_conn *c;

	if (f->alg_state & PPTP_GRE_BIT)
		return false; /* a call: counted with its control connection */
	s->kind = PG_VPN_PPTP;
	if (f->alg_state == PPTP_UNFOLLOWED) {
		s->state = "refused (helper full)";
		return true;
	}
	c = &st->conns[f->alg_state];
	for (unsigned int i = 0; i < PPTP_MAX_CALLS; i++)
		s->calls += c->calls[i].state == CALL_UP;
	s->state = c->state == CONN_BROKEN ? "refused (invalid stream)"
		   : s->calls		   ? "call up"
					   : "control connection";
	return true;
}

/*
 * Enhanced GRE from a LAN host that no followed call announced (dir OUT):
 * a flow keyed, like a call's, by the server's call id it carries, so it
 * is found again and an ICMP error quoting it finds it too; its WAN side
 * stays parked (the theory of operation says why).
 */
static struct pg_flow *pptp_miss(struct pg_engine *e, struct pg_pkt *pkt,
				 const struct pg_parsed *p, int dir, uint64_t now_ms)
{
	uint32_t now_s = pg_secs_ceil(now_ms);
	struct pg_key out, in;
	struct pg_flow *f;

	if (dir != PG_DIR_OUT || p->proto != PG_PROTO_GRE || p->gre_version != 1) {
		pg_drop(e, pkt, PG_CNT_DROP_UNSOLICITED);
		return NULL;
	}
	pg_key_fill(&out, PG_KEY_FLOW_OUT, PG_PROTO_GRE, 0, p->daddr, PG_GRE_KEYED, p->gre_call_id);
	pg_key_fill(&in, PG_KEY_PARKED, PG_PROTO_GRE, p->daddr, e->cfg.wan_addr, PG_GRE_V1_ADDR,
		    p->gre_call_id);
	if (pg_index_find(e, &in, pg_key_hash(e, &in)) != PG_NONE) {
		pg_drop(e, pkt, PG_CNT_DROP_FLOW_CONFLICT);
		return NULL;
	}
	if (!pg_flow_make_room(e)) {
		pg_drop(e, pkt, PG_CNT_DROP_TABLE_FULL);
		return NULL;
	}
	f = pg_flow_create_keys(e, &out, &in, p->saddr, 0, now_s);
	if (!f)
		pg_drop(e, pkt, PG_CNT_DROP_TABLE_FULL);
	return f;
}

/*
 * A call's GRE keyed both ways (the server's call id out, the public one in)
 * needs nothing from the helper: the XDP program may forward it, writing the
 * client's call id into inbound packets as pg_rewrite() does. Parked keys
 * (a call not yet accepted, GRE no call announced) stay here.
 */
static uint8_t pptp_offload(const struct pg_engine *e, const struct pg_flow *f)
{
	(void)e;
	return (f->alg_state & PPTP_GRE_BIT) && f->key.proto == PG_PROTO_GRE && !f->in_parked &&
			       f->key.kind == PG_KEY_FLOW_OUT && f->key.pa == PG_GRE_KEYED &&
			       f->in_pa == PG_GRE_KEYED
		       ? PG_XF_PLAIN
		       : 0;
}

/* Enhanced GRE (version 1) carries PPTP's calls; plain GRE is not PPTP's. */
static bool pptp_owns(const struct pg_parsed *p)
{
	return p->proto == PG_PROTO_GRE && p->gre_version == 1;
}

static bool pptp_enabled(const struct pg_engine_config *cfg)
{
	return cfg->pptp_passthrough;
}

/* ---- state sync (engine/sync.h) -------------------------------------------
 *
 * A control connection's record carries the whole connection: both
 * streams' following state (so the standby reads the next message where we
 * stopped), the calls, and each call's GRE flow as a flow body of its own.
 * Parked GRE keys name this engine's connection and call slots, so they are
 * made again from the slots the standby gives the connection.
 */
#define SYNC_STREAM_LEN (4 + 2 + 2 + 1 + PPTP_HDR_KEEP + 2 + PPTP_LOG * 5)
#define SYNC_CALL_LEN 8
#define SYNC_CONN_LEN (12 + 2 * SYNC_STREAM_LEN + PPTP_MAX_CALLS * SYNC_CALL_LEN)
_Static_assert(SYNC_CONN_LEN + PPTP_MAX_CALLS * PG_SYNC_FLOW_LEN <= PG_SYNC_HELPER_MAX,
	       "a PPTP connection's record must fit PG_SYNC_HELPER_MAX");

static uint32_t pptp_sync_owner(const struct pg_engine *e, const struct pg_flow *f)
{
	const struct pptp_state *st = e->alg_state[PG_ALG_PPTP];
	uint32_t v = f->alg_state & ~PPTP_GRE_BIT;

	if (!(f->alg_state & PPTP_GRE_BIT))
		return (uint32_t)(f - e->flows);
	return st->conns[v / PPTP_MAX_CALLS].ctrl;
}

static int pptp_sync_save(const struct pg_engine *e, const struct pg_flow *f, uint32_t now_s,
			  uint8_t *b, size_t cap)
{
	const struct pptp_state *st = e->alg_state[PG_ALG_PPTP];
	const struct pptp_conn *c = &st->conns[f->alg_state];
	size_t off = 12;

	if (f->alg_state & PPTP_GRE_BIT)
		return 0; /* never asked: a call rides in its connection's record */
	if (f->alg_state >= st->nconns)
		return 0; /* a connection the helper does not follow: nothing of its own */
	if (cap < SYNC_CONN_LEN)
		return -1;
	b[0] = c->state;
	b[1] = c->seq_known;
	b[2] = c->inbound;
	b[3] = 0;
	memcpy(b + 4, &c->lan, 4);
	memcpy(b + 8, &c->server, 4);
	for (int d = 0; d < 2; d++) {
		const struct pptp_stream *s = &c->dir[d];

		pg_put_be32(b + off, s->next_seq);
		pg_put_be16(b + off + 4, s->msg_off);
		pg_put_be16(b + off + 6, s->msg_len);
		b[off + 8] = s->msg_type;
		memcpy(b + off + 9, s->hdr, PPTP_HDR_KEEP);
		b[off + 9 + PPTP_HDR_KEEP] = s->log_next;
		b[off + 10 + PPTP_HDR_KEEP] = s->log_used;
		for (unsigned int i = 0; i < PPTP_LOG; i++) {
			pg_put_be32(b + off + 11 + PPTP_HDR_KEEP + i * 5, s->log[i].seq);
			b[off + 15 + PPTP_HDR_KEEP + i * 5] = s->log[i].val;
		}
		off += SYNC_STREAM_LEN;
	}
	for (unsigned int i = 0; i < PPTP_MAX_CALLS; i++, off += SYNC_CALL_LEN) {
		const struct pptp_call *k = &c->calls[i];

		memcpy(b + off, &k->pns_cid, 2);
		memcpy(b + off + 2, &k->pub_cid, 2);
		memcpy(b + off + 4, &k->pac_cid, 2);
		b[off + 6] = k->state;
		b[off + 7] = k->state != CALL_FREE && k->gre != PG_NONE;
	}
	for (unsigned int i = 0; i < PPTP_MAX_CALLS; i++) {
		const struct pptp_call *k = &c->calls[i];

		if (k->state == CALL_FREE || k->gre == PG_NONE)
			continue;
		if (cap - off < PG_SYNC_FLOW_LEN)
			return -1;
		pg_sync_flow_encode(e, &e->flows[k->gre], now_s, b + off);
		off += PG_SYNC_FLOW_LEN;
	}
	return (int)off;
}

/* Are the saved stream fields ones pptp_packet() can take up? */
static bool sync_stream_ok(const uint8_t *b)
{
	uint16_t off = pg_be16(b + 4), mlen = pg_be16(b + 6);

	return b[8] <= PPTP_MSG_MAX && mlen <= 220 && off <= mlen &&
	       b[9 + PPTP_HDR_KEEP] < PPTP_LOG && b[10 + PPTP_HDR_KEEP] <= PPTP_LOG;
}

/* Make call k's GRE flow from its saved body; false when it cannot be made here. */
static bool sync_call_gre(struct pg_engine *e, struct pptp_conn *c, uint32_t conn_idx,
			  uint32_t cidx, const uint8_t *body, uint32_t now_s, uint32_t age_s)
{
	struct pptp_call *k = &c->calls[cidx];
	struct pg_sync_flow r;
	struct pg_key out, in;
	struct pg_flow *g;

	if (pg_sync_flow_decode(body, PG_SYNC_FLOW_LEN, &r) || r.out.proto != PG_PROTO_GRE ||
	    r.in_parked || r.in_addr != c->server || r.has_map || r.lan_addr != c->lan)
		return false;
	pg_sync_flow_keys(e, &r, &out, &in);
	if (out.kind == PG_KEY_PARKED) {
		pg_key_fill(&out, PG_KEY_PARKED, PG_PROTO_GRE, c->lan, c->server,
			    (uint16_t)conn_idx, (uint16_t)cidx);
		out.zero = (uint16_t)(conn_idx >> 16);
	} else if (out.kind != PG_KEY_FLOW_OUT || out.pa != PG_GRE_KEYED || out.b != c->server) {
		/* Another remote in the LAN key would make it a hairpin (test_sync_fuzz_cases). */
		return false;
	}
	if (in.pa != PG_GRE_KEYED)
		return false;
	g = pg_sync_flow_make(e, &r, &out, &in, now_s, age_s, NULL);
	if (!g)
		return false;
	g->alg = PG_ALG_PPTP;
	g->alg_state = PPTP_GRE_BIT | (conn_idx * PPTP_MAX_CALLS + cidx);
	k->gre = (uint32_t)(g - e->flows);
	return true;
}

static int pptp_sync_restore(struct pg_engine *e, struct pg_flow *f, const uint8_t *b,
			     size_t len, uint32_t now_s, uint32_t age_s)
{
	struct pptp_state *st = state_of(e);
	size_t off = 12, ngre = 0, need;
	struct pptp_conn *c;
	uint32_t idx;

	if (f->key.proto != PG_PROTO_TCP || len < SYNC_CONN_LEN)
		return -1;
	/* Check everything before taking a connection slot. */
	if (b[0] != CONN_FOLLOWING && b[0] != CONN_BROKEN)
		return -1;
	if (b[1] > 3 || b[2] > 1 || memcmp(b + 4, &f->lan_addr, 4) || memcmp(b + 8, &f->key.b, 4))
		return -1;
	if (!sync_stream_ok(b + off) || !sync_stream_ok(b + off + SYNC_STREAM_LEN))
		return -1;
	for (unsigned int i = 0; i < PPTP_MAX_CALLS; i++) {
		const uint8_t *k = b + 12 + 2 * SYNC_STREAM_LEN + i * SYNC_CALL_LEN;

		if (k[6] > CALL_UP || k[7] > 1 || (k[7] && k[6] == CALL_FREE))
			return -1;
		ngre += k[7];
	}
	need = SYNC_CONN_LEN + ngre * PG_SYNC_FLOW_LEN;
	if (len != need)
		return -1; /* the calls say one length, the record another */
	idx = st->free_head;
	if (idx == PG_NONE) {
		pg_count(e, PG_CNT_PPTP_SESSIONS_FULL);
		return -1;
	}
	c = &st->conns[idx];
	st->free_head = c->next_free;
	memset(c, 0, sizeof(*c));
	c->ctrl = (uint32_t)(f - e->flows);
	c->state = b[0];
	c->seq_known = b[1];
	c->inbound = b[2];
	c->lan = f->lan_addr;
	c->server = f->key.b;
	for (int d = 0; d < 2; d++, off += SYNC_STREAM_LEN) {
		struct pptp_stream *s = &c->dir[d];

		s->next_seq = pg_be32(b + off);
		s->msg_off = pg_be16(b + off + 4);
		s->msg_len = pg_be16(b + off + 6);
		s->msg_type = b[off + 8];
		memcpy(s->hdr, b + off + 9, PPTP_HDR_KEEP);
		s->log_next = b[off + 9 + PPTP_HDR_KEEP];
		s->log_used = b[off + 10 + PPTP_HDR_KEEP];
		for (unsigned int i = 0; i < PPTP_LOG; i++) {
			s->log[i].seq = pg_be32(b + off + 11 + PPTP_HDR_KEEP + i * 5);
			s->log[i].val = b[off + 15 + PPTP_HDR_KEEP + i * 5];
		}
	}
	f->alg = PG_ALG_PPTP;
	f->alg_state = idx;
	for (unsigned int i = 0; i < PPTP_MAX_CALLS; i++, off += SYNC_CALL_LEN) {
		struct pptp_call *k = &c->calls[i];

		memcpy(&k->pns_cid, b + off, 2);
		memcpy(&k->pub_cid, b + off + 2, 2);
		memcpy(&k->pac_cid, b + off + 4, 2);
		k->state = b[off + 6];
		k->gre = PG_NONE;
	}
	for (unsigned int i = 0; i < PPTP_MAX_CALLS; i++) {
		const uint8_t *k = b + 12 + 2 * SYNC_STREAM_LEN + i * SYNC_CALL_LEN;

		if (!k[7])
			continue;
		/* A call whose GRE cannot be made here is over here. */
		if (!sync_call_gre(e, c, idx, i, b + off, now_s, age_s))
			c->calls[i].state = CALL_FREE;
		off += PG_SYNC_FLOW_LEN;
	}
	return 0;
}

const struct pg_alg_ops pg_alg_pptp = {
	.describe = pptp_describe,
	.name = "pptp",
	.port_proto = PG_PROTO_TCP,
	.ports = {PPTP_PORT},
	.owns = pptp_owns,
	.enabled = pptp_enabled,
	.switched = PG_ALG_SWITCH_OWNED,
	.mem_size = pptp_mem_size,
	.init = pptp_init,
	.flow_new = pptp_flow_new,
	.packet = pptp_packet,
	.flow_free = pptp_flow_free,
	.miss = pptp_miss,
	.sync_owner = pptp_sync_owner,
	.sync_save = pptp_sync_save,
	.sync_restore = pptp_sync_restore,
	.offload = pptp_offload,
};
