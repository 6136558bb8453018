/* SPDX-License-Identifier: MIT */
/*
 * msg.c - encoding and decoding of passgate-probe's wire formats (msg.h
 * describes them). Pure functions over byte buffers: every decoder checks
 * lengths before reading, since any of these can come from a stranger.
 */
#include <string.h>

#include "probe/msg.h"
#include "util/wire.h"

/**
 * pg_msg_encode() - write a control message.
 * Return: PG_MSG_LEN, or 0 when @len is too small.
 */
size_t pg_msg_encode(const struct pg_msg *m, uint8_t *buf, size_t len)
{
	if (len < PG_MSG_LEN)
		return 0;
	pg_put_be32(buf, PG_MSG_MAGIC);
	buf[4] = PG_MSG_VERSION;
	buf[5] = m->type;
	buf[6] = m->flags;
	buf[7] = m->delay;
	pg_put_be32(buf + 8, m->token);
	pg_put_be32(buf + 12, m->addr);
	pg_put_be16(buf + 16, m->port);
	pg_put_be16(buf + 18, m->aux);
	pg_put_be32(buf + 20, m->value);
	pg_put_be32(buf + 24, m->alt);
	return PG_MSG_LEN;
}

/**
 * pg_msg_decode() - read a control message; trailing padding is allowed.
 * Return: 0, or -1 for a short buffer, a foreign magic or version, or an
 * unknown type.
 */
int pg_msg_decode(const uint8_t *buf, size_t len, struct pg_msg *m)
{
	if (len < PG_MSG_LEN)
		return -1;
	if (pg_be32(buf) != PG_MSG_MAGIC || buf[4] != PG_MSG_VERSION)
		return -1;
	if (buf[5] < PG_MSG_ECHO || buf[5] > PG_MSG_MSS)
		return -1;
	m->type = buf[5];
	m->flags = buf[6];
	m->delay = buf[7];
	m->token = pg_be32(buf + 8);
	m->addr = pg_be32(buf + 12);
	m->port = pg_be16(buf + 16);
	m->aux = pg_be16(buf + 18);
	m->value = pg_be32(buf + 20);
	m->alt = pg_be32(buf + 24);
	return 0;
}

/* The 12 bytes every PPTP control message starts with. */
static void pptp_head(uint8_t *buf, size_t len, int ctrl_type)
{
	memset(buf, 0, len);
	pg_put_be16(buf, (uint16_t)len);
	pg_put_be16(buf + 2, 1);		/* control message */
	pg_put_be32(buf + 4, PG_PPTP_MAGIC);
	pg_put_be16(buf + 8, (uint16_t)ctrl_type);
}

/**
 * pg_pptp_sccr() - a Start-Control-Connection-Request or -Reply, as a real
 * PNS/PAC would send it: a gateway's PPTP helper checks the length per type.
 * Return: bytes written, 0 if @len is too small.
 */
size_t pg_pptp_sccr(uint8_t *buf, size_t len, int ctrl_type)
{
	if (len < PG_PPTP_SCCR_LEN)
		return 0;
	pptp_head(buf, PG_PPTP_SCCR_LEN, ctrl_type);
	pg_put_be16(buf + 12, 0x0100);	/* protocol version 1.0 */
	if (ctrl_type == PG_PPTP_SCCRP)
		buf[14] = 1;		/* result: OK */
	pg_put_be32(buf + 16, 3);		/* framing: async and sync */
	pg_put_be32(buf + 20, 3);		/* bearer: analog and digital */
	pg_put_be16(buf + 24, 1);		/* maximum channels */
	pg_put_be16(buf + 26, 1);		/* firmware revision */
	memcpy(buf + 28, "passgate-probe", 14);	/* host name */
	memcpy(buf + 92, "passgate", 8);	/* vendor */
	return PG_PPTP_SCCR_LEN;
}

/**
 * pg_pptp_ocrq() - an Outgoing-Call-Request announcing @call_id.
 * Return: bytes written, 0 if @len is too small.
 */
size_t pg_pptp_ocrq(uint8_t *buf, size_t len, uint16_t call_id, uint16_t serial)
{
	if (len < PG_PPTP_OCRQ_LEN)
		return 0;
	pptp_head(buf, PG_PPTP_OCRQ_LEN, PG_PPTP_OCRQ);
	pg_put_be16(buf + 12, call_id);
	pg_put_be16(buf + 14, serial);
	pg_put_be32(buf + 16, 2400);		/* minimum bps */
	pg_put_be32(buf + 20, 10000000);	/* maximum bps */
	pg_put_be32(buf + 24, 3);		/* bearer type: any */
	pg_put_be32(buf + 28, 3);		/* framing type: any */
	pg_put_be16(buf + 32, 64);		/* receive window */
	return PG_PPTP_OCRQ_LEN;
}

/**
 * pg_pptp_ocrp() - an Outgoing-Call-Reply: our @call_id, and the caller's
 * call id as it arrived here (after any gateway rewrote it).
 * Return: bytes written, 0 if @len is too small.
 */
size_t pg_pptp_ocrp(uint8_t *buf, size_t len, uint16_t call_id, uint16_t peer_call_id)
{
	if (len < PG_PPTP_OCRP_LEN)
		return 0;
	pptp_head(buf, PG_PPTP_OCRP_LEN, PG_PPTP_OCRP);
	pg_put_be16(buf + 12, call_id);
	pg_put_be16(buf + 14, peer_call_id);
	buf[16] = 1;			/* result: connected */
	pg_put_be32(buf + 20, 10000000);	/* connect speed */
	pg_put_be16(buf + 24, 64);		/* receive window */
	return PG_PPTP_OCRP_LEN;
}

/**
 * pg_pptp_parse() - check one whole PPTP control message and pull out its
 * type and, for call messages, the call ids.
 * Return: 0, or -1 when the length field, magic or type's length is wrong.
 */
int pg_pptp_parse(const uint8_t *buf, size_t len, int *ctrl_type,
		  uint16_t *call_id, uint16_t *peer_call_id)
{
	size_t want;

	if (len < 12 || pg_be16(buf) != len || pg_be16(buf + 2) != 1 ||
	    pg_be32(buf + 4) != PG_PPTP_MAGIC)
		return -1;
	*ctrl_type = pg_be16(buf + 8);
	switch (*ctrl_type) {
	case PG_PPTP_SCCRQ:
	case PG_PPTP_SCCRP:
		want = PG_PPTP_SCCR_LEN;
		break;
	case PG_PPTP_OCRQ:
		want = PG_PPTP_OCRQ_LEN;
		break;
	case PG_PPTP_OCRP:
		want = PG_PPTP_OCRP_LEN;
		break;
	default:
		return -1;
	}
	/* A message whose length field disagrees with its type is a lie. */
	if (len != want)
		return -1;
	*call_id = 0;
	*peer_call_id = 0;
	if (*ctrl_type == PG_PPTP_OCRQ || *ctrl_type == PG_PPTP_OCRP)
		*call_id = pg_be16(buf + 12);
	if (*ctrl_type == PG_PPTP_OCRP)
		*peer_call_id = pg_be16(buf + 14);
	return 0;
}

/**
 * pg_gre_encode() - enhanced GRE: version 1, protocol 0x880B (PPP), key
 * present (payload length, call id), sequence number present.
 * Return: bytes written, 0 if @len is too small.
 */
size_t pg_gre_encode(uint8_t *buf, size_t len, uint16_t call_id, uint32_t seq,
		     const uint8_t *payload, size_t plen)
{
	if (plen > 0xffff || len < PG_GRE_HDR_LEN + plen)
		return 0;
	buf[0] = 0x30;			/* K and S bits */
	buf[1] = 0x01;			/* version 1 */
	pg_put_be16(buf + 2, 0x880B);
	pg_put_be16(buf + 4, (uint16_t)plen);
	pg_put_be16(buf + 6, call_id);
	pg_put_be32(buf + 8, seq);
	memcpy(buf + PG_GRE_HDR_LEN, payload, plen);
	return PG_GRE_HDR_LEN + plen;
}

/**
 * pg_gre_decode() - the call id and payload of an enhanced GRE packet.
 * Return: 0, or -1 when it is not version 1 PPP with a key, or short.
 */
int pg_gre_decode(const uint8_t *buf, size_t len, uint16_t *call_id,
		  const uint8_t **payload, size_t *plen)
{
	size_t hl = 8;

	if (len < 8 || (buf[1] & 0x07) != 1 || pg_be16(buf + 2) != 0x880B || !(buf[0] & 0x20))
		return -1;
	if (buf[0] & 0x10)
		hl += 4;		/* sequence number */
	if (buf[1] & 0x80)
		hl += 4;		/* acknowledgement number */
	if (len < hl || pg_be16(buf + 4) > len - hl)
		return -1;
	*call_id = pg_be16(buf + 6);
	*payload = buf + hl;
	*plen = pg_be16(buf + 4);
	return 0;
}

/**
 * pg_esp_encode() - SPI and sequence number, then the payload.
 * Return: bytes written, 0 if @len is too small.
 */
size_t pg_esp_encode(uint8_t *buf, size_t len, uint32_t spi, uint32_t seq,
		     const uint8_t *payload, size_t plen)
{
	if (len < PG_ESP_HDR_LEN + plen)
		return 0;
	pg_put_be32(buf, spi);
	pg_put_be32(buf + 4, seq);
	memcpy(buf + PG_ESP_HDR_LEN, payload, plen);
	return PG_ESP_HDR_LEN + plen;
}

/**
 * pg_esp_decode() - the SPI and what follows the sequence number.
 * Return: 0, or -1 when shorter than the ESP header.
 */
int pg_esp_decode(const uint8_t *buf, size_t len, uint32_t *spi,
		  const uint8_t **payload, size_t *plen)
{
	if (len < PG_ESP_HDR_LEN)
		return -1;
	*spi = pg_be32(buf);
	*payload = buf + PG_ESP_HDR_LEN;
	*plen = len - PG_ESP_HDR_LEN;
	return 0;
}

/**
 * pg_ip_payload() - what follows the IPv4 header of a raw socket's packet.
 * @src and @proto: the header's source address (host order) and protocol.
 * Return: the payload, or NULL when this is not a sane IPv4 header.
 */
const uint8_t *pg_ip_payload(const uint8_t *buf, size_t len, size_t *plen,
			     uint32_t *src, uint8_t *proto)
{
	size_t hl, tot;

	if (len < 20 || buf[0] >> 4 != 4)
		return NULL;
	hl = (size_t)(buf[0] & 0x0f) * 4;
	tot = pg_be16(buf + 2);
	/* The kernel may hand over less than the total length, never more. */
	if (hl < 20 || hl > len)
		return NULL;
	if (tot > len || tot < hl)
		tot = len;
	*src = pg_be32(buf + 12);
	*proto = buf[9];
	*plen = tot - hl;
	return buf + hl;
}
