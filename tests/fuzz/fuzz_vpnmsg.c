/* SPDX-License-Identifier: MIT */
/*
 * fuzz_vpnmsg.c - libFuzzer target for the readers of what VPN servers
 * answer to passgated's diagnose (and passgate-probe): IKEv1
 * (pg_ikev1_read), IKEv2 (pg_ike_parse), L2TP (pg_l2tp_read), OpenVPN over
 * UDP and TCP (pg_ovpn_read), TLS (pg_tls_read), PPTP (pg_pptp_parse),
 * enhanced GRE (pg_gre_decode) and the IPv4 header a raw socket hands over
 * (pg_ip_payload). The server is hostile: any bytes must be read within
 * their length, and every answer named must be one the reader can return.
 *
 * Input: a selector byte (which reader), then the datagram or stream. The
 * cookie, SPI and tunnel id the readers match are fixed: the first eight
 * bytes after the selector are used as cookie/SPI so that the fuzzer can
 * reach the payload walk.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/ikev2.h"
#include "probe/msg.h"
#include "probe/vpnmsg.h"

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_vpnmsg: invariant broken: %s\n", what);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t cookie[8] = {0}, *buf;
	struct pg_ike_answer ike;
	enum pg_vpn_answer a = PG_ANS_NONE;
	uint16_t notify, cid, pcid;
	const uint8_t *pl;
	size_t len, plen;
	uint32_t src;
	uint8_t pr;
	int type;

	if (size < 1)
		return 0;
	len = size - 1;
	/* An exact-size copy: ASan sees any read past the datagram. */
	buf = malloc(len ? len : 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, len);
	memcpy(cookie, buf, len < 8 ? len : 8);
	switch (data[0] % 9) {
	case 0:
		a = pg_ikev1_read(buf, len, cookie, &notify);
		if (a != PG_ANS_NONE && a != PG_ANS_IKEV1_SA && a != PG_ANS_IKEV1_NOTIFY)
			fail("IKEv1 reader named another protocol's answer");
		break;
	case 1:
		pg_ike_parse(buf, len, cookie, &ike);
		break;
	case 2:
		a = pg_l2tp_read(buf, len, len >= 6 ? (uint16_t)(buf[4] << 8 | buf[5]) : 1);
		if (a != PG_ANS_NONE && (a < PG_ANS_L2TP_SCCRP || a > PG_ANS_L2TP_OTHER))
			fail("L2TP reader named another protocol's answer");
		break;
	case 3:
	case 4:
		a = pg_ovpn_read(buf, len, data[0] % 9 == 4);
		if (a != PG_ANS_NONE && a != PG_ANS_OVPN_RESET && a != PG_ANS_OVPN_OTHER)
			fail("OpenVPN reader named another protocol's answer");
		break;
	case 5:
		a = pg_tls_read(buf, len);
		if (a != PG_ANS_NONE && a != PG_ANS_TLS_HELLO && a != PG_ANS_TLS_ALERT)
			fail("TLS reader named another protocol's answer");
		break;
	case 6:
		pg_pptp_parse(buf, len, &type, &cid, &pcid);
		break;
	case 7:
		if (pg_gre_decode(buf, len, &cid, &pl, &plen) == 0 &&
		    (pl < buf || pl + plen > buf + len))
			fail("GRE payload outside the packet");
		break;
	default:
		pl = pg_ip_payload(buf, len, &plen, &src, &pr);
		if (pl && (pl < buf || pl + plen > buf + len))
			fail("IP payload outside the packet");
		break;
	}
	if (strlen(pg_vpn_answer_name(a)) == 0)
		fail("an answer without a name");
	free(buf);
	return 0;
}
