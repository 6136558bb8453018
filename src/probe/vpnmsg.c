/* SPDX-License-Identifier: MIT */
/*
 * vpnmsg.c - first messages and answer readers for diagnose (vpnmsg.h).
 *
 * Each request is one a real server answers without knowing us: an IKEv1
 * Main Mode SA offer (RFC 2409: AES-CBC, SHA-1/SHA-256, pre-shared key,
 * MODP 2048/1024; a server with no matching proposal still answers with a
 * NO_PROPOSAL_CHOSEN notification), an L2TP SCCRQ (RFC 2661 section 6.1
 * with its mandatory AVPs), OpenVPN's hard reset (no tls-auth: a server
 * that uses tls-auth or tls-crypt drops it silently, which is said in the
 * advice), a TLS 1.2 ClientHello with common suites. None of these
 * exchanges is continued: the servers forget them after their timeouts.
 */
#include <string.h>

#include "probe/vpnmsg.h"
#include "util/wire.h"

static const char *const answer_names[] = {
	[PG_ANS_NONE] = "no answer",
	[PG_ANS_IKEV1_SA] = "Main Mode SA answer",
	[PG_ANS_IKEV1_NOTIFY] = "IKEv1 notification",
	[PG_ANS_L2TP_SCCRP] = "Start-Control-Connection-Reply",
	[PG_ANS_L2TP_STOPCCN] = "StopCCN (the server refused the tunnel)",
	[PG_ANS_L2TP_OTHER] = "an L2TP control message",
	[PG_ANS_OVPN_RESET] = "P_CONTROL_HARD_RESET_SERVER_V2",
	[PG_ANS_OVPN_OTHER] = "an OpenVPN packet",
	[PG_ANS_TLS_HELLO] = "TLS ServerHello",
	[PG_ANS_TLS_ALERT] = "TLS alert",
};
_Static_assert(sizeof(answer_names) / sizeof(answer_names[0]) == PG_ANS__COUNT,
	       "one name per answer");

const char *pg_vpn_answer_name(enum pg_vpn_answer a)
{
	return (unsigned)a < PG_ANS__COUNT ? answer_names[a] : "?";
}

/* --- IKEv1 Main Mode ---------------------------------------------------- */

#define ISAKMP_HDR 28
#define ISAKMP_NP_SA 1
#define ISAKMP_NP_NOTIFY 11
#define ISAKMP_MAIN_MODE 2
#define ISAKMP_INFORMATIONAL 5

/* Offered transforms: key length, hash, group (AES-CBC, PSK, 8 h each). */
static const uint16_t ikev1_offer[][3] = {
	{128, 2, 14}, {256, 4, 14}, {128, 4, 14}, {128, 2, 2},
};
#define IKEV1_ATTRS 7

size_t pg_ikev1_main_mode(uint8_t *buf, size_t len, const uint8_t cookie_i[8])
{
	const size_t nt = sizeof(ikev1_offer) / sizeof(ikev1_offer[0]);
	const size_t tl = 8 + 4 * IKEV1_ATTRS, total = ISAKMP_HDR + 12 + 8 + nt * tl;
	size_t n = ISAKMP_HDR + 12 + 8;

	if (len < total)
		return 0;
	memset(buf, 0, total);
	memcpy(buf, cookie_i, 8);
	buf[16] = ISAKMP_NP_SA;
	buf[17] = 0x10;				/* version 1.0 */
	buf[18] = ISAKMP_MAIN_MODE;
	pg_put_be32(buf + 24, (uint32_t)total);
	pg_put_be16(buf + ISAKMP_HDR + 2, (uint16_t)(total - ISAKMP_HDR));
	pg_put_be32(buf + ISAKMP_HDR + 4, 1);		/* DOI: IPsec */
	pg_put_be32(buf + ISAKMP_HDR + 8, 1);		/* SIT_IDENTITY_ONLY */
	pg_put_be16(buf + ISAKMP_HDR + 12 + 2, (uint16_t)(8 + nt * tl));
	buf[ISAKMP_HDR + 12 + 4] = 1;		/* proposal 1 */
	buf[ISAKMP_HDR + 12 + 5] = 1;		/* PROTO_ISAKMP */
	buf[ISAKMP_HDR + 12 + 7] = (uint8_t)nt;
	for (size_t i = 0; i < nt; i++, n += tl) {
		const uint16_t attrs[IKEV1_ATTRS][2] = {
			{1, 7},			/* encryption: AES-CBC */
			{14, ikev1_offer[i][0]},	/* key length */
			{2, ikev1_offer[i][1]},	/* hash: SHA-1 or SHA2-256 */
			{3, 1},			/* authentication: pre-shared key */
			{4, ikev1_offer[i][2]},	/* group */
			{11, 1},		/* life type: seconds */
			{12, 28800},		/* life duration */
		};

		buf[n] = i + 1 < nt ? 3 : 0;
		pg_put_be16(buf + n + 2, (uint16_t)tl);
		buf[n + 4] = (uint8_t)(i + 1);
		buf[n + 5] = 1;			/* KEY_IKE */
		for (size_t a = 0; a < IKEV1_ATTRS; a++) {
			pg_put_be16(buf + n + 8 + 4 * a, (uint16_t)(0x8000 | attrs[a][0]));
			pg_put_be16(buf + n + 10 + 4 * a, attrs[a][1]);
		}
	}
	return total;
}

enum pg_vpn_answer pg_ikev1_read(const uint8_t *buf, size_t len, const uint8_t cookie_i[8],
				 uint16_t *notify)
{
	size_t total, n = ISAKMP_HDR;
	uint8_t np;

	*notify = 0;
	if (len < ISAKMP_HDR || memcmp(buf, cookie_i, 8) || buf[17] >> 4 != 1)
		return PG_ANS_NONE;
	total = (size_t)buf[24] << 24 | (size_t)buf[25] << 16 | (size_t)buf[26] << 8 | buf[27];
	/* The header's length may not claim more than arrived, nor less than itself. */
	if (total < ISAKMP_HDR || total > len)
		return PG_ANS_NONE;
	np = buf[16];
	while (np) {
		size_t pl;

		if (n + 4 > total)
			return PG_ANS_NONE;
		pl = pg_be16(buf + n + 2);
		if (pl < 4 || n + pl > total)	/* a payload longer than the message */
			return PG_ANS_NONE;
		if (np == ISAKMP_NP_NOTIFY && pl >= 12 && !*notify)
			*notify = pg_be16(buf + n + 10);
		np = buf[n];
		n += pl;
	}
	if (buf[18] == ISAKMP_MAIN_MODE && buf[16] == ISAKMP_NP_SA)
		return PG_ANS_IKEV1_SA;
	return *notify || buf[18] == ISAKMP_INFORMATIONAL ? PG_ANS_IKEV1_NOTIFY : PG_ANS_NONE;
}

/* --- L2TP ------------------------------------------------------------------ */

#define L2TP_T 0x8000
#define L2TP_L 0x4000
#define L2TP_S 0x0800
#define L2TP_O 0x0200
#define AVP_M 0x8000

static size_t avp(uint8_t *p, uint16_t type, const uint8_t *v, size_t vl)
{
	pg_put_be16(p, (uint16_t)(AVP_M | (6 + vl)));
	pg_put_be16(p + 2, 0);			/* IETF */
	pg_put_be16(p + 4, type);
	memcpy(p + 6, v, vl);
	return 6 + vl;
}

size_t pg_l2tp_sccrq(uint8_t *buf, size_t len, uint16_t tunnel_id)
{
	static const char host[] = "passgate";
	const uint8_t type[2] = {0, 1}, ver[2] = {1, 0}, framing[4] = {0, 0, 0, 3};
	uint8_t tid[2];
	size_t n = 12;

	if (len < PG_L2TP_REQ_MAX)
		return 0;
	memset(buf, 0, 12);
	pg_put_be16(buf, L2TP_T | L2TP_L | L2TP_S | 2);
	pg_put_be16(tid, tunnel_id);
	n += avp(buf + n, 0, type, 2);		/* Message Type: SCCRQ */
	n += avp(buf + n, 2, ver, 2);		/* Protocol Version 1.0 */
	n += avp(buf + n, 3, framing, 4);	/* Framing Capabilities: sync, async */
	n += avp(buf + n, 7, (const uint8_t *)host, sizeof(host) - 1);	/* Host Name */
	n += avp(buf + n, 9, tid, 2);		/* Assigned Tunnel ID */
	pg_put_be16(buf + 2, (uint16_t)n);
	return n;
}

enum pg_vpn_answer pg_l2tp_read(const uint8_t *buf, size_t len, uint16_t tunnel_id)
{
	size_t n = 2, end = len;
	uint16_t flags;

	if (len < 6)
		return PG_ANS_NONE;
	flags = pg_be16(buf);
	if (!(flags & L2TP_T) || (flags & 0xf) != 2)
		return PG_ANS_NONE;
	if (flags & L2TP_L) {
		end = pg_be16(buf + 2);
		if (end > len || end < 6)	/* a length beyond the datagram */
			return PG_ANS_NONE;
		n += 2;
	}
	if (n + 4 > end || pg_be16(buf + n) != tunnel_id)
		return PG_ANS_NONE;
	n += 4;					/* tunnel and session id */
	if (flags & L2TP_S)
		n += 4;
	if ((flags & L2TP_O) && n + 2 <= end)
		n += 2 + pg_be16(buf + n);
	if (n > end)
		return PG_ANS_NONE;
	if (n + 8 > end)
		return PG_ANS_L2TP_OTHER;	/* a ZLB acknowledgement */
	if ((pg_be16(buf + n) & 0x3ff) < 8 || pg_be16(buf + n + 2) || pg_be16(buf + n + 4))
		return PG_ANS_L2TP_OTHER;	/* the first AVP must be the Message Type */
	switch (pg_be16(buf + n + 6)) {
	case 2:
		return PG_ANS_L2TP_SCCRP;
	case 4:
		return PG_ANS_L2TP_STOPCCN;
	default:
		return PG_ANS_L2TP_OTHER;
	}
}

/* --- OpenVPN ---------------------------------------------------------------- */

#define OVPN_HARD_RESET_CLIENT_V2 7
#define OVPN_HARD_RESET_SERVER_V2 8
#define OVPN_OPCODE_MAX 11

size_t pg_ovpn_reset(uint8_t *buf, size_t len, const uint8_t session[8], int tcp)
{
	size_t off = tcp ? 2 : 0, n = off + 1 + 8 + 1 + 4;

	if (len < n)
		return 0;
	memset(buf, 0, n);
	if (tcp)
		pg_put_be16(buf, (uint16_t)(n - 2));
	buf[off] = OVPN_HARD_RESET_CLIENT_V2 << 3;	/* key id 0 */
	memcpy(buf + off + 1, session, 8);
	/* then an empty ack array and message packet id 0 */
	return n;
}

enum pg_vpn_answer pg_ovpn_read(const uint8_t *buf, size_t len, int tcp)
{
	unsigned op;

	if (tcp) {
		if (len < 2 || pg_be16(buf) + 2u > len)
			return PG_ANS_NONE;
		len = pg_be16(buf);
		buf += 2;
	}
	if (len < 1 + 8)
		return PG_ANS_NONE;
	op = buf[0] >> 3;
	if (op == OVPN_HARD_RESET_SERVER_V2)
		return PG_ANS_OVPN_RESET;
	return op >= 1 && op <= OVPN_OPCODE_MAX ? PG_ANS_OVPN_OTHER : PG_ANS_NONE;
}

/* --- TLS ------------------------------------------------------------------- */

static const uint16_t tls_suites[] = {
	0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc009, 0xc013, 0x009c, 0x002f,
};
static const uint16_t tls_sigalgs[] = {0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501};

size_t pg_tls_client_hello(uint8_t *buf, size_t len, const uint8_t random[32])
{
	const size_t ns = sizeof(tls_suites) / 2, na = sizeof(tls_sigalgs) / 2;
	size_t n, ext;

	if (len < PG_TLS_REQ_MAX)
		return 0;
	buf[0] = 0x16;				/* handshake record */
	pg_put_be16(buf + 1, 0x0301);
	buf[5] = 1;				/* ClientHello */
	n = 9;
	pg_put_be16(buf + n, 0x0303);			/* TLS 1.2 */
	memcpy(buf + n + 2, random, 32);
	n += 34;
	buf[n++] = 0;				/* no session id */
	pg_put_be16(buf + n, (uint16_t)(2 * ns));
	n += 2;
	for (size_t i = 0; i < ns; i++, n += 2)
		pg_put_be16(buf + n, tls_suites[i]);
	buf[n++] = 1;
	buf[n++] = 0;				/* no compression */
	ext = n;
	n += 2;
	pg_put_be16(buf + n, 0x000a);			/* supported_groups: x25519, P-256 */
	pg_put_be16(buf + n + 2, 6);
	pg_put_be16(buf + n + 4, 4);
	pg_put_be16(buf + n + 6, 0x001d);
	pg_put_be16(buf + n + 8, 0x0017);
	n += 10;
	pg_put_be16(buf + n, 0x000b);			/* ec_point_formats: uncompressed */
	pg_put_be16(buf + n + 2, 2);
	buf[n + 4] = 1;
	buf[n + 5] = 0;
	n += 6;
	pg_put_be16(buf + n, 0x000d);			/* signature_algorithms */
	pg_put_be16(buf + n + 2, (uint16_t)(2 + 2 * na));
	pg_put_be16(buf + n + 4, (uint16_t)(2 * na));
	n += 6;
	for (size_t i = 0; i < na; i++, n += 2)
		pg_put_be16(buf + n, tls_sigalgs[i]);
	pg_put_be16(buf + n, 0xff01);			/* renegotiation_info, empty */
	pg_put_be16(buf + n + 2, 1);
	buf[n + 4] = 0;
	n += 5;
	pg_put_be16(buf + ext, (uint16_t)(n - ext - 2));
	pg_put_be16(buf + 3, (uint16_t)(n - 5));
	buf[6] = 0;
	pg_put_be16(buf + 7, (uint16_t)(n - 9));
	return n;
}

enum pg_vpn_answer pg_tls_read(const uint8_t *buf, size_t len)
{
	if (len < 6 || buf[1] != 3)
		return PG_ANS_NONE;
	if (buf[0] == 0x15)
		return PG_ANS_TLS_ALERT;
	return buf[0] == 0x16 && buf[5] == 2 ? PG_ANS_TLS_HELLO : PG_ANS_NONE;
}
