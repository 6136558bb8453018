/* SPDX-License-Identifier: MIT */
/*
 * session.c - the primary and standby ends of the sync channel
 * (sync/session.h): numbering, acknowledgements, resending, bulk resync.
 *
 * The primary's window is go-back-N: every message from the first
 * unacknowledged one is kept whole (already signed) and sent again together,
 * which is simple and enough on a link that loses little. The standby
 * applies only the next number; a later one is a gap, answered with the
 * number it has, which makes the primary send the window again at once.
 * Messages are at most PG_SYNC_MSG_MAX bytes, records never split.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sync/session.h"

/* ---- primary ------------------------------------------------------------------ */

int pg_sync_primary_init(struct pg_sync_primary *p, const struct pg_sync_key *key, uint64_t epoch)
{
	memset(p, 0, sizeof(*p));
	p->win = calloc(PG_SYNC_WINDOW, sizeof(*p->win));
	if (!p->win)
		return -ENOMEM;
	p->key = *key;
	p->epoch = epoch;
	p->next_seq = 1;
	p->bulk_wanted = true; /* whoever listens starts from everything */
	return 0;
}

void pg_sync_primary_fini(struct pg_sync_primary *p)
{
	free(p->win);
	p->win = NULL;
}

void pg_sync_primary_restart(struct pg_sync_primary *p, uint64_t epoch)
{
	p->epoch = epoch;
	p->next_seq = 1;
	p->acked = 0;
	p->in_bulk = false;
	p->bulk_wanted = true;
	p->bulk_cursor = p->refresh_cursor = 0;
	p->resend_ms = p->ack_ms = p->refresh_ms = 0;
	p->c.unacked = 0;
}

static uint32_t in_flight(const struct pg_sync_primary *p)
{
	return p->next_seq - 1 - p->acked;
}

/* Number, sign, keep and send one message. */
static void push(struct pg_sync_primary *p, uint8_t type, const uint8_t *body, size_t len,
		 uint64_t now_ms, pg_sync_send_fn send, void *ctx)
{
	struct pg_sync_slot *s = &p->win[p->next_seq % PG_SYNC_WINDOW];
	struct pg_sync_msg m = {
		.type = type, .epoch = p->epoch, .seq = p->next_seq, .body_len = (uint32_t)len
	};

	s->seq = p->next_seq++;
	s->sent_ms = now_ms;
	s->len = (uint32_t)pg_sync_msg_build(&p->key, &m, body, s->msg);
	send(ctx, s->msg, s->len);
	p->c.sent++;
	p->c.unacked = in_flight(p);
}

static void resend_window(struct pg_sync_primary *p, uint64_t now_ms, pg_sync_send_fn send,
			  void *ctx)
{
	for (uint32_t seq = p->acked + 1; seq != p->next_seq; seq++) {
		const struct pg_sync_slot *s = &p->win[seq % PG_SYNC_WINDOW];

		send(ctx, s->msg, s->len);
		p->c.resent++;
	}
	p->resend_ms = now_ms;
}

static void start_bulk(struct pg_sync_primary *p, uint64_t now_ms, pg_sync_send_fn send, void *ctx)
{
	/* What was in flight is superseded: the standby drops its state first. */
	p->acked = p->next_seq - 1;
	p->bulk_wanted = false;
	p->in_bulk = true;
	p->bulk_cursor = 0;
	p->c.bulks++;
	push(p, PG_SYNC_BULK_BEGIN, NULL, 0, now_ms, send, ctx);
}

void pg_sync_primary_pump(struct pg_sync_primary *p, struct pg_engine *e, uint64_t now_ms,
			  pg_sync_send_fn send, void *ctx)
{
	unsigned int refresh = 0;
	size_t n;

	if (pg_sync_take_overflow(e))
		p->bulk_wanted = true; /* a change was lost: only everything repairs it */
	/* A standby silent for long is resent to once a second, not flooded. */
	if (in_flight(p) &&
	    now_ms - p->resend_ms >= (now_ms - p->ack_ms > 2000 ? 1000 : PG_SYNC_RESEND_MS))
		resend_window(p, now_ms, send, ctx);
	if (p->bulk_wanted && !p->in_bulk)
		start_bulk(p, now_ms, send, ctx);
	/*
	 * The refresh: timers are not noted on the packet path (every packet
	 * moves one), so the table is walked again, every flow at least once
	 * per PG_SYNC_REFRESH_S, a second's share of messages at a time; the
	 * standby's copy of a live flow never runs out before the next pass.
	 */
	if (!p->in_bulk && now_ms - p->refresh_ms >= 1000) {
		p->refresh_ms = now_ms;
		refresh = pg_engine_flow_count(e) / (PG_SYNC_REFRESH_S * PG_SYNC_FLOWS_PER_MSG) + 1;
	}
	while (in_flight(p) < PG_SYNC_WINDOW - 1) {
		if (p->in_bulk) {
			n = pg_sync_export_walk(e, &p->bulk_cursor, now_ms, p->body,
						sizeof(p->body));
			if (n)
				push(p, PG_SYNC_DATA, p->body, n, now_ms, send, ctx);
			if (pg_sync_walk_done(e, p->bulk_cursor)) {
				push(p, PG_SYNC_BULK_END, NULL, 0, now_ms, send, ctx);
				p->in_bulk = false;
			}
			continue;
		}
		n = pg_sync_export_changes(e, now_ms, p->body, sizeof(p->body));
		if (n) {
			push(p, PG_SYNC_DATA, p->body, n, now_ms, send, ctx);
			continue;
		}
		if (!refresh)
			break;
		refresh--;
		n = pg_sync_export_walk(e, &p->refresh_cursor, now_ms, p->body, sizeof(p->body));
		if (n)
			push(p, PG_SYNC_DATA, p->body, n, now_ms, send, ctx);
		if (pg_sync_walk_done(e, p->refresh_cursor)) {
			p->refresh_cursor = 0;
			refresh = 0; /* the whole table once this second is enough */
		}
	}
}

enum pg_sync_refusal pg_sync_primary_input(struct pg_sync_primary *p, const uint8_t *buf,
					   size_t len, uint64_t now_ms, pg_sync_send_fn send,
					   void *ctx)
{
	struct pg_sync_msg m;
	enum pg_sync_refusal r = pg_sync_msg_parse(&p->key, buf, len, &m);

	if (r == PG_SYNC_OK) {
		if (m.type == PG_SYNC_HELLO) {
			p->bulk_wanted = true;
		} else if (m.type != PG_SYNC_ACK || m.ack >= p->next_seq) {
			r = PG_SYNC_MALFORMED; /* not a standby's message, or acks the future */
		} else if (m.epoch != p->epoch) {
			r = PG_SYNC_REPLAY; /* acknowledges another instance of us */
		} else if (m.ack - p->acked - 1 < in_flight(p)) {
			const struct pg_sync_slot *s = &p->win[m.ack % PG_SYNC_WINDOW];

			if (s->seq == m.ack)
				p->c.lag_ms = now_ms - s->sent_ms;
			p->c.acked += m.ack - p->acked;
			p->acked = m.ack;
			p->resend_ms = p->ack_ms = now_ms;
		} else if (m.ack == p->acked && in_flight(p) && now_ms - p->resend_ms >= 20) {
			resend_window(p, now_ms, send, ctx); /* the standby saw a gap */
		}
	}
	p->c.unacked = in_flight(p);
	if (r != PG_SYNC_OK)
		p->c.refused[r]++;
	return r;
}

/* ---- standby ------------------------------------------------------------------ */

void pg_sync_standby_init(struct pg_sync_standby *s, const struct pg_sync_key *key)
{
	memset(s, 0, sizeof(*s));
	s->key = *key;
	s->next_seq = 1;
}

void pg_sync_standby_restart(struct pg_sync_standby *s)
{
	s->epoch = 0;
	s->next_seq = 1;
	s->hello_ms = 0;
	s->c.synced = false;
}

static void reply(struct pg_sync_standby *s, uint8_t type, uint32_t ack, pg_sync_send_fn send,
		  void *ctx)
{
	uint8_t out[PG_SYNC_HDR + PG_SYNC_MAC];
	struct pg_sync_msg m = { .type = type, .epoch = s->epoch, .ack = ack };

	send(ctx, out, pg_sync_msg_build(&s->key, &m, NULL, out));
}

static void hello(struct pg_sync_standby *s, uint64_t now_ms, pg_sync_send_fn send, void *ctx)
{
	s->hello_ms = now_ms;
	s->c.hellos++;
	reply(s, PG_SYNC_HELLO, 0, send, ctx);
}

static void apply(struct pg_sync_standby *s, struct pg_engine *e, const struct pg_sync_msg *m,
		  uint64_t now_ms)
{
	if (m->body_len && pg_sync_import(e, m->body, m->body_len, now_ms, 0, &s->c.records) < 0)
		s->c.records.malformed++; /* signed but broken: a bug there, not here */
	s->c.applied++;
}

enum pg_sync_refusal pg_sync_standby_input(struct pg_sync_standby *s, struct pg_engine *e,
					   const uint8_t *buf, size_t len, uint64_t now_ms,
					   pg_sync_send_fn send, void *ctx)
{
	struct pg_sync_msg m;
	enum pg_sync_refusal r = pg_sync_msg_parse(&s->key, buf, len, &m);

	if (r != PG_SYNC_OK)
		goto refused;
	switch (m.type) {
	case PG_SYNC_BULK_BEGIN:
		if (m.epoch < s->epoch || (m.epoch == s->epoch && m.seq < s->next_seq)) {
			r = PG_SYNC_REPLAY;
			goto refused;
		}
		s->epoch = m.epoch;
		s->next_seq = m.seq + 1;
		s->c.synced = false;
		s->c.resyncs++;
		pg_sync_flush(e);
		apply(s, e, &m, now_ms);
		reply(s, PG_SYNC_ACK, m.seq, send, ctx);
		return PG_SYNC_OK;
	case PG_SYNC_DATA:
	case PG_SYNC_BULK_END:
		if (m.epoch > s->epoch) {
			/* A primary we have no bulk from (it restarted): ask for one. */
			if (now_ms - s->hello_ms >= PG_SYNC_RESEND_MS)
				hello(s, now_ms, send, ctx);
			return PG_SYNC_OK;
		}
		if (m.epoch < s->epoch || m.seq < s->next_seq) {
			/* Applied already (our ACK was lost) or a replay: say where we are. */
			reply(s, PG_SYNC_ACK, s->next_seq - 1, send, ctx);
			r = PG_SYNC_REPLAY;
			goto refused;
		}
		if (m.seq > s->next_seq) {
			s->c.gaps++;
			reply(s, PG_SYNC_ACK, s->next_seq - 1, send, ctx);
			return PG_SYNC_OK;
		}
		apply(s, e, &m, now_ms);
		s->next_seq++;
		if (m.type == PG_SYNC_BULK_END)
			s->c.synced = true;
		reply(s, PG_SYNC_ACK, m.seq, send, ctx);
		return PG_SYNC_OK;
	default:
		r = PG_SYNC_MALFORMED; /* a standby's message sent to a standby */
		goto refused;
	}
refused:
	s->c.refused[r]++;
	return r;
}

void pg_sync_standby_tick(struct pg_sync_standby *s, uint64_t now_ms, pg_sync_send_fn send,
			  void *ctx)
{
	if (!s->c.synced && (s->hello_ms == 0 || now_ms - s->hello_ms >= 1000))
		hello(s, now_ms, send, ctx);
}
