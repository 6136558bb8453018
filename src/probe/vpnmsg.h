/* SPDX-License-Identifier: MIT */
/*
 * vpnmsg.h - the first message of the VPN protocols that can be asked
 * without credentials, and readers of the answers (vpnmsg.c): IKEv1 Main
 * Mode, L2TP's Start-Control-Connection-Request, OpenVPN's
 * P_CONTROL_HARD_RESET_CLIENT_V2 and a TLS ClientHello (SSTP's carrier).
 * IKEv2 is ikev2.h, PPTP msg.h. The readers only say what answered: every
 * length is checked against the buffer before a byte is read.
 */
#ifndef PG_PROBE_VPNMSG_H
#define PG_PROBE_VPNMSG_H

#include <stddef.h>
#include <stdint.h>

/* What an answer was; PG_ANS_NONE: not an answer to us. */
enum pg_vpn_answer {
	PG_ANS_NONE = 0,
	PG_ANS_IKEV1_SA,	/* Main Mode: the responder's SA choice */
	PG_ANS_IKEV1_NOTIFY,	/* an informational exchange (a notification) */
	PG_ANS_L2TP_SCCRP,	/* Start-Control-Connection-Reply */
	PG_ANS_L2TP_STOPCCN,	/* the server refused the tunnel */
	PG_ANS_L2TP_OTHER,	/* a control message of another type (a ZLB ack) */
	PG_ANS_OVPN_RESET,	/* P_CONTROL_HARD_RESET_SERVER_V2 */
	PG_ANS_OVPN_OTHER,	/* another OpenVPN opcode */
	PG_ANS_TLS_HELLO,	/* a ServerHello */
	PG_ANS_TLS_ALERT,	/* a TLS alert: a TLS server, refusing our hello */
	PG_ANS__COUNT,
};

/* What each answer is, in words ("Main Mode SA answer"). */
const char *pg_vpn_answer_name(enum pg_vpn_answer a);

#define PG_IKEV1_REQ_MAX 256
size_t pg_ikev1_main_mode(uint8_t *buf, size_t len, const uint8_t cookie_i[8]);
/* A reply to cookie_i: PG_ANS_IKEV1_*; *notify: a notification's type, or 0. */
enum pg_vpn_answer pg_ikev1_read(const uint8_t *buf, size_t len, const uint8_t cookie_i[8],
				 uint16_t *notify);

#define PG_L2TP_REQ_MAX 128
size_t pg_l2tp_sccrq(uint8_t *buf, size_t len, uint16_t tunnel_id);
/* A control message to tunnel_id: PG_ANS_L2TP_*. */
enum pg_vpn_answer pg_l2tp_read(const uint8_t *buf, size_t len, uint16_t tunnel_id);

/* tcp: with OpenVPN's two-byte length prefix. */
#define PG_OVPN_REQ_MAX 32
size_t pg_ovpn_reset(uint8_t *buf, size_t len, const uint8_t session[8], int tcp);
enum pg_vpn_answer pg_ovpn_read(const uint8_t *buf, size_t len, int tcp);

#define PG_TLS_REQ_MAX 256
size_t pg_tls_client_hello(uint8_t *buf, size_t len, const uint8_t random[32]);
enum pg_vpn_answer pg_tls_read(const uint8_t *buf, size_t len);

#endif /* PG_PROBE_VPNMSG_H */
