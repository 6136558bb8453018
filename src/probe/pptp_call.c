/* SPDX-License-Identifier: MIT */
/*
 * pptp_call.c - a PPTP call set-up on TCP 1723 (RFC 2637): Start-Control-
 * Connection-Request, then Outgoing-Call-Request, each answer read whole and
 * checked. Shared by passgate-probe's check (against its responder) and the
 * gateway's diagnose (against a real PPTP server): the exchange is the real
 * thing as far as a gateway can see, so a PPTP helper on the path learns
 * the call and rewrites call ids as it would for a real client.
 */
#include <sys/socket.h>

#include "probe/msg.h"
#include "probe/net.h"

static int write_all(int fd, const uint8_t *buf, size_t len)
{
	return send(fd, buf, len, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

int pg_pptp_call(int tcp, uint16_t call_id, uint16_t *seen)
{
	uint8_t buf[PG_PPTP_OCRQ_LEN];
	uint16_t cid, pcid;
	int type;

	pg_pptp_sccr(buf, sizeof(buf), PG_PPTP_SCCRQ);
	if (write_all(tcp, buf, PG_PPTP_SCCR_LEN) < 0 || pg_read_full(tcp, buf, PG_PPTP_SCCR_LEN) < 0 ||
	    pg_pptp_parse(buf, PG_PPTP_SCCR_LEN, &type, &cid, &pcid) < 0 || type != PG_PPTP_SCCRP)
		return -1;
	pg_pptp_ocrq(buf, sizeof(buf), call_id, (uint16_t)pg_token());
	if (write_all(tcp, buf, PG_PPTP_OCRQ_LEN) < 0 || pg_read_full(tcp, buf, PG_PPTP_OCRP_LEN) < 0 ||
	    pg_pptp_parse(buf, PG_PPTP_OCRP_LEN, &type, &cid, &pcid) < 0 || type != PG_PPTP_OCRP)
		return -1;
	*seen = pcid;
	return cid;
}
