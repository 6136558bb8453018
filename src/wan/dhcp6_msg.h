/* SPDX-License-Identifier: MIT */
/*
 * dhcp6_msg.h - the DHCPv6 message on the wire (RFC 8415 sections 8 and 21):
 * a strictly bounds-checked reader and a writer, for the prefix delegation
 * client (dhcp6.h). Pure: no state, no allocation; the fuzzer reaches the
 * reader directly (tests/fuzz/fuzz_dhcp6.c).
 *
 * Only what a requesting router needs is read: client and server
 * identifiers, preference, status codes, one IA_PD with its prefixes, DNS
 * servers and SOL_MAX_RT. Other options are skipped by their length.
 */
#ifndef PG_WAN_DHCP6_MSG_H
#define PG_WAN_DHCP6_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PG_DHCP6_CLIENT_PORT 546
#define PG_DHCP6_SERVER_PORT 547
/* All_DHCP_Relay_Agents_and_Servers (RFC 8415 7.1). */
#define PG_DHCP6_ALL_SERVERS { 0xff, 0x02, [13] = 0x01, [15] = 0x02 }

#define PG_DHCP6_HLEN 4 /* msg-type and transaction-id */
#define PG_DHCP6_MAX_BUILD 512
#define PG_DHCP6_MAX_DUID 130 /* RFC 8415 11.1: at most 128 octets plus the type */
#define PG_DHCP6_MAX_PREFIXES 4
#define PG_DHCP6_MAX_DNS 3

enum pg_dhcp6_type {
	PG_DHCP6_NONE = 0,
	PG_DHCP6_SOLICIT = 1,
	PG_DHCP6_ADVERTISE = 2,
	PG_DHCP6_REQUEST = 3,
	PG_DHCP6_CONFIRM = 4,
	PG_DHCP6_RENEW = 5,
	PG_DHCP6_REBIND = 6,
	PG_DHCP6_REPLY = 7,
	PG_DHCP6_RELEASE = 8,
	PG_DHCP6_DECLINE = 9,
	PG_DHCP6_RECONFIGURE = 10,
	PG_DHCP6_INFO_REQUEST = 11,
	PG_DHCP6_TYPE__MAX = 11,
};

/* "SOLICIT", ...; "?" out of range. */
const char *pg_dhcp6_type_name(unsigned int type);

/* Option codes used here (RFC 8415 section 21, RFC 3646, RFC 8415 21.24). */
enum {
	PG_DHCP6_OPT_CLIENTID = 1,
	PG_DHCP6_OPT_SERVERID = 2,
	PG_DHCP6_OPT_ORO = 6,
	PG_DHCP6_OPT_PREFERENCE = 7,
	PG_DHCP6_OPT_ELAPSED_TIME = 8,
	PG_DHCP6_OPT_STATUS_CODE = 13,
	PG_DHCP6_OPT_DNS_SERVERS = 23,
	PG_DHCP6_OPT_IA_PD = 25,
	PG_DHCP6_OPT_IAPREFIX = 26,
	PG_DHCP6_OPT_SOL_MAX_RT = 82,
};

/* Status codes (RFC 8415 21.13). */
enum {
	PG_DHCP6_ST_SUCCESS = 0,
	PG_DHCP6_ST_UNSPEC_FAIL = 1,
	PG_DHCP6_ST_NO_ADDRS = 2,
	PG_DHCP6_ST_NO_BINDING = 3,
	PG_DHCP6_ST_NOT_ON_LINK = 4,
	PG_DHCP6_ST_USE_MULTICAST = 5,
	PG_DHCP6_ST_NO_PREFIX = 6,
};

/*
 * Why a message was refused: the reader's reasons, then the client's. Names
 * are the counter names (docs/API.md).
 */
/* clang-format off */
#define PG_DHCP6_DROPS(X)                                                                         \
	X(SHORT, "drop_short")                 /* shorter than msg-type and transaction-id */    \
	X(OPT_TRUNCATED, "drop_opt_truncated") /* an option runs past its container */           \
	X(OPT_LEN, "drop_opt_len")             /* an option shorter than its fixed part */        \
	X(DUPLICATE, "drop_duplicate")         /* a single-instance option repeated */            \
	X(NOT_FOR_CLIENT, "drop_not_for_client") /* a type a client never receives */             \
	X(WRONG_XID, "drop_wrong_xid")         /* not an answer to our transaction */             \
	X(WRONG_CLIENT, "drop_wrong_client")   /* no client id, or another client's */            \
	X(NO_SERVER_ID, "drop_no_server_id")   /* an ADVERTISE or REPLY without server id */      \
	X(WRONG_SERVER, "drop_wrong_server")   /* a REPLY from a server we did not ask */         \
	X(UNEXPECTED, "drop_unexpected")       /* a type the current state does not wait for */   \
	X(NO_PREFIX, "drop_no_prefix")         /* an ADVERTISE that delegates nothing */          \
	X(NOT_UDP, "drop_not_udp")             /* IPv6/UDP framing wrong (dhcp6_udp.c) */         \
	X(UDP_CSUM, "drop_udp_csum")           /* UDP checksum wrong */
/* clang-format on */

enum pg_dhcp6_drop {
	PG_DHCP6_OK = 0,
#define PG_DHCP6_DROP_ENUM(id, name) PG_DHCP6_DROP_##id,
	PG_DHCP6_DROPS(PG_DHCP6_DROP_ENUM)
#undef PG_DHCP6_DROP_ENUM
	PG_DHCP6_DROP__COUNT
};

/* The counter name of a reason; "ok" for PG_DHCP6_OK. */
const char *pg_dhcp6_drop_name(enum pg_dhcp6_drop r);

/* One delegated prefix (IAPREFIX option); lifetimes in seconds, 0xffffffff infinite. */
struct pg_dhcp6_prefix {
	uint8_t addr[16];
	uint8_t len;
	uint32_t preferred_s, valid_s;
	bool has_status;
	uint16_t status;
};

/* One message, read or to be written. Integers in host order. */
struct pg_dhcp6_msg {
	uint8_t type;
	uint32_t xid; /* 24 bits */
	uint8_t client_id_len, server_id_len;
	uint8_t client_id[PG_DHCP6_MAX_DUID];
	uint8_t server_id[PG_DHCP6_MAX_DUID];
	bool has_pref, has_status, has_elapsed, has_sol_max_rt;
	uint8_t pref;
	uint16_t status; /* the message's own status code option */
	uint16_t elapsed_cs;
	uint32_t sol_max_rt_s;
	/* The first IA_PD (one is all we ask for); others are skipped. */
	bool has_ia_pd, has_ia_status;
	uint32_t iaid, t1_s, t2_s;
	uint16_t ia_status;
	uint8_t n_prefixes; /* beyond PG_DHCP6_MAX_PREFIXES they are ignored */
	struct pg_dhcp6_prefix prefixes[PG_DHCP6_MAX_PREFIXES];
	uint8_t n_dns;
	uint8_t dns[PG_DHCP6_MAX_DNS][16];
	/* Writer only: ask for DNS servers and SOL_MAX_RT (option request). */
	bool oro;
};

/**
 * pg_dhcp6_msg_parse() - read one DHCPv6 message (the UDP payload)
 * @buf:	the message; nothing outside [buf, buf + len) is read
 * @len:	its length
 * @m:		filled in (zeroed first)
 *
 * Every option's length is checked against its container (the message, the
 * IA_PD, the IAPREFIX); fixed parts are checked against each option's
 * length. Identifiers longer than PG_DHCP6_MAX_DUID are refused (OPT_LEN).
 * Return: PG_DHCP6_OK or the reason for refusing the message.
 */
enum pg_dhcp6_drop pg_dhcp6_msg_parse(const uint8_t *buf, size_t len, struct pg_dhcp6_msg *m);

/**
 * pg_dhcp6_msg_build() - write a message from @m
 * @m:		type, xid, the client id and the server id when their length is
 *		non-zero, and each option whose has_* (or count) is set: the
 *		IA_PD with its status and prefixes (hints or the ones held),
 *		the option request when oro. Servers' options too, for tests
 *		and the fuzzer's round trip.
 * @buf:	output
 * @cap:	its size (PG_DHCP6_MAX_BUILD is enough)
 * Return: the length written, or 0 when @cap is too small.
 */
size_t pg_dhcp6_msg_build(const struct pg_dhcp6_msg *m, uint8_t *buf, size_t cap);

/* IPv6 and UDP around a DHCPv6 message (dhcp6_udp.c). */
#define PG_DHCP6_IP_UDP_LEN 48

/**
 * pg_dhcp6_udp_build() - wrap a message in IPv6 and UDP (546 to 547), the
 * checksum filled in, hop limit 1 (the server is on the link)
 * Return: the IPv6 packet's length, or 0 when it does not fit in @cap.
 */
size_t pg_dhcp6_udp_build(uint8_t *buf, size_t cap, const uint8_t src[16], const uint8_t dst[16],
			  const uint8_t *msg, size_t len);

/*
 * Is this IPv6 packet UDP to the DHCPv6 client port, right after the fixed
 * header? A cheap look with bounds checks, for the data path to decide who
 * gets it.
 */
bool pg_dhcp6_udp_match(const uint8_t *ip, size_t len);

/**
 * pg_dhcp6_udp_unwrap() - find the message in an IPv6/UDP packet
 * @ip, @len:	the packet (Ethernet padding after the payload length allowed)
 * @msg, @msg_len: set to the UDP payload
 *
 * Checks the IPv6 version and payload length, UDP directly after the fixed
 * header from port 547 to 546, the UDP length and checksum (mandatory in
 * IPv6).
 * Return: PG_DHCP6_OK, PG_DHCP6_DROP_NOT_UDP or PG_DHCP6_DROP_UDP_CSUM.
 */
enum pg_dhcp6_drop pg_dhcp6_udp_unwrap(const uint8_t *ip, size_t len, const uint8_t **msg,
				       size_t *msg_len);

#endif /* PG_WAN_DHCP6_MSG_H */
