/* SPDX-License-Identifier: MIT */
/*
 * tcp.c - the TCP connection state a NAT needs to pick timeouts (RFC 5382).
 *
 * We follow flags, not sequence numbers: the endpoints validate sequence
 * space, and the NAT only has to know whether a connection is opening,
 * established or closing so that it keeps established connections for hours
 * and everything else for minutes (REQ-5). Every valid opening, including
 * simultaneous open (both sides send a bare SYN), reaches ESTABLISHED (REQ-2).
 */
#include "engine/engine_internal.h"

static uint8_t syn_bit(int dir)
{
	return dir == PG_DIR_OUT ? PG_FLOW_SYN_OUT : PG_FLOW_SYN_IN;
}

static uint8_t fin_bit(int dir)
{
	return dir == PG_DIR_OUT ? PG_FLOW_FIN_OUT : PG_FLOW_FIN_IN;
}

/* An ACK from dir acknowledges the other side's SYN once that was seen. */
static void note_ack(struct pg_flow *f, int dir)
{
	int other = dir == PG_DIR_OUT ? PG_DIR_IN : PG_DIR_OUT;

	if (f->flags & syn_bit(other))
		f->flags |= other == PG_DIR_OUT ? PG_FLOW_ACKED_OUT : PG_FLOW_ACKED_IN;
}

void pg_tcp_track(struct pg_flow *f, int dir, uint8_t fl)
{
	const uint8_t syns = PG_FLOW_SYN_OUT | PG_FLOW_SYN_IN;
	const uint8_t fins = PG_FLOW_FIN_OUT | PG_FLOW_FIN_IN;
	const uint8_t acks = PG_FLOW_ACKED_OUT | PG_FLOW_ACKED_IN;

	if (fl & PG_TCP_RST) {
		f->tcp_state = PG_TCP_CLOSED;
		return;
	}
	if (fl & PG_TCP_SYN) {
		if (f->tcp_state == PG_TCP_TIME_WAIT || f->tcp_state == PG_TCP_CLOSED ||
		    f->tcp_state == PG_TCP_NONE) {
			/* A new connection on the same ports reuses the flow. */
			f->flags &= (uint8_t)~(syns | fins | acks);
			f->tcp_state = PG_TCP_SYN_SENT;
		}
		f->flags |= syn_bit(dir);
		if (fl & PG_TCP_ACK)
			note_ack(f, dir);
		if ((f->flags & syns) == syns && f->tcp_state == PG_TCP_SYN_SENT)
			f->tcp_state = PG_TCP_SYN_RECV;
		/* Simultaneous open completes with the two SYN-ACKs. */
		if (f->tcp_state == PG_TCP_SYN_RECV && (f->flags & acks) == acks)
			f->tcp_state = PG_TCP_ESTABLISHED;
		return;
	}
	if (fl & PG_TCP_FIN) {
		f->flags |= fin_bit(dir);
		if (f->tcp_state <= PG_TCP_FIN_WAIT)
			f->tcp_state = (f->flags & fins) == fins ? PG_TCP_CLOSING : PG_TCP_FIN_WAIT;
		return;
	}
	if (!(fl & PG_TCP_ACK))
		return;
	note_ack(f, dir);
	switch (f->tcp_state) {
	case PG_TCP_SYN_RECV:
		/* Both SYNs seen and acknowledged: the handshake is complete. */
		if ((f->flags & acks) == acks)
			f->tcp_state = PG_TCP_ESTABLISHED;
		break;
	case PG_TCP_CLOSING:
		/*
		 * Both sides sent FIN; an ACK now acknowledges the last one. Without
		 * sequence tracking we accept the first ACK from either side.
		 */
		f->tcp_state = PG_TCP_TIME_WAIT;
		break;
	default:
		break;
	}
}
