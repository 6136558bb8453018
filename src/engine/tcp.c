/* SPDX-License-Identifier: MIT */
/*
 * tcp.c - the TCP connection state a NAT needs to pick timeouts (RFC 5382).
 *
 * We follow flags, not sequence numbers: the endpoints validate sequence
 * space, and the NAT only has to know whether a connection is opening,
 * established or closing so that it keeps established connections for hours
 * and everything else for minutes (REQ-5). Every valid opening, including
 * simultaneous open (both sides send a bare SYN), reaches ESTABLISHED (REQ-2).
 *
 * A RST (RFC 7857 2.2) is translated and closes the flow, which then lives
 * tcp_transitory (4 min) after its last packet, so a RST lost past us is
 * sent again through the same mapping. It does not close the connection for
 * good: without sequence numbers we cannot tell a RST in the window from a
 * stray or spoofed one (Linux checks the window), so we let the connection
 * itself tell. A side that really reset its connection has no connection
 * left to talk on: when the side whose RST closed an established flow later
 * sends anything but a RST or SYN, the RST did not end it and the flow is
 * established again. The other side's packets after a RST prove nothing
 * (they may have been in flight before it arrived) and leave it closed.
 * Which side reset is kept in the FIN bits, which a closed flow has no
 * other use for: set, in CLOSED, they name the side whose RST closed an
 * established connection.
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
		if (f->tcp_state == PG_TCP_ESTABLISHED)
			f->flags = (uint8_t)((f->flags & ~fins) | fin_bit(dir));
		else if (f->tcp_state != PG_TCP_CLOSED)
			f->flags &= (uint8_t)~fins; /* only an established connection comes back */
		f->tcp_state = PG_TCP_CLOSED;
		return;
	}
	if (f->tcp_state == PG_TCP_CLOSED && !(fl & PG_TCP_SYN)) {
		if (!(f->flags & fin_bit(dir)))
			return;
		/* The side that reset is still talking: the RST did not end it. */
		f->flags &= (uint8_t)~fins;
		f->tcp_state = PG_TCP_ESTABLISHED;
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
