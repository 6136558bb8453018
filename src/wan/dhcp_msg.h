/* SPDX-License-Identifier: MIT */
/*
 * dhcp_msg.h - the DHCP message on the wire (RFC 2131 BOOTP header, RFC 2132
 * options): a strictly bounds-checked reader and a writer. Pure: no state,
 * no allocation; the client state machine (dhcp.h) is the only user in the
 * daemon, the fuzzer reaches the reader directly.
 *
 * Addresses in struct pg_dhcp_msg are in network byte order, as on the wire.
 */
#ifndef PG_WAN_DHCP_MSG_H
#define PG_WAN_DHCP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PG_DHCP_SERVER_PORT 67
#define PG_DHCP_CLIENT_PORT 68

/* BOOTP header up to the magic cookie (RFC 2131 figure 1). */
#define PG_DHCP_OFF_OP 0
#define PG_DHCP_OFF_HTYPE 1
#define PG_DHCP_OFF_HLEN 2
#define PG_DHCP_OFF_HOPS 3
#define PG_DHCP_OFF_XID 4
#define PG_DHCP_OFF_SECS 8
#define PG_DHCP_OFF_FLAGS 10
#define PG_DHCP_OFF_CIADDR 12
#define PG_DHCP_OFF_YIADDR 16
#define PG_DHCP_OFF_SIADDR 20
#define PG_DHCP_OFF_GIADDR 24
#define PG_DHCP_OFF_CHADDR 28
#define PG_DHCP_OFF_SNAME 44
#define PG_DHCP_SNAME_LEN 64
#define PG_DHCP_OFF_FILE 108
#define PG_DHCP_FILE_LEN 128
#define PG_DHCP_OFF_COOKIE 236
#define PG_DHCP_OFF_OPTIONS 240
#define PG_DHCP_COOKIE 0x63825363u

/* BOOTP's minimum message (RFC 1542 2.1): some servers drop shorter ones. */
#define PG_DHCP_MIN_LEN 300
/* The largest message we build; every message we send fits easily. */
#define PG_DHCP_MAX_BUILD 576

#define PG_BOOTREQUEST 1
#define PG_BOOTREPLY 2

/* Option codes used here (RFC 2132). */
enum {
	PG_DHCP_OPT_PAD = 0,
	PG_DHCP_OPT_SUBNET_MASK = 1,
	PG_DHCP_OPT_ROUTER = 3,
	PG_DHCP_OPT_DNS = 6,
	PG_DHCP_OPT_HOSTNAME = 12,
	PG_DHCP_OPT_REQUESTED_ADDR = 50,
	PG_DHCP_OPT_LEASE_TIME = 51,
	PG_DHCP_OPT_OVERLOAD = 52,
	PG_DHCP_OPT_MSG_TYPE = 53,
	PG_DHCP_OPT_SERVER_ID = 54,
	PG_DHCP_OPT_PARAM_LIST = 55,
	PG_DHCP_OPT_MESSAGE = 56,
	PG_DHCP_OPT_MAX_SIZE = 57,
	PG_DHCP_OPT_T1 = 58,
	PG_DHCP_OPT_T2 = 59,
	PG_DHCP_OPT_CLIENT_ID = 61,
	PG_DHCP_OPT_END = 255,
};

/* DHCP message types (option 53). */
enum pg_dhcp_type {
	PG_DHCP_NONE = 0,
	PG_DHCP_DISCOVER = 1,
	PG_DHCP_OFFER = 2,
	PG_DHCP_REQUEST = 3,
	PG_DHCP_DECLINE = 4,
	PG_DHCP_ACK = 5,
	PG_DHCP_NAK = 6,
	PG_DHCP_RELEASE = 7,
	PG_DHCP_INFORM = 8,
	PG_DHCP_TYPE__MAX = 8,
};

/* Names for logs and tests: "DISCOVER", ...; "?" out of range. */
const char *pg_dhcp_type_name(unsigned int type);

#define PG_DHCP_MAX_DNS 4
#define PG_DHCP_MAX_ROUTERS 4
#define PG_DHCP_MAX_CLIENT_ID 32
#define PG_DHCP_MAX_HOSTNAME 63
#define PG_DHCP_MAX_PARAMS 16

/*
 * Why a message was refused, declared once: the reader's reasons first, the
 * client's after. Names are the counter names (docs/API.md).
 */
/* clang-format off */
#define PG_DHCP_DROPS(X)                                                                          \
	X(SHORT, "drop_short")                 /* shorter than the header and cookie */           \
	X(BAD_HW, "drop_bad_hw")               /* not Ethernet (htype 1, hlen 6) */               \
	X(BAD_COOKIE, "drop_bad_cookie")       /* no DHCP magic cookie: plain BOOTP */             \
	X(OPT_TRUNCATED, "drop_opt_truncated") /* an option runs past its field */                \
	X(OPT_LEN, "drop_opt_len")             /* a fixed-size option of the wrong length */      \
	X(NO_END, "drop_no_end")               /* an option field without the end option */       \
	X(OVERLOAD, "drop_overload")           /* option 52 invalid, repeated or nested */        \
	X(NO_TYPE, "drop_no_type")             /* no message type option */                       \
	X(BAD_TYPE, "drop_bad_type")           /* message type out of range */                    \
	X(NOT_REPLY, "drop_not_reply")         /* op is not BOOTREPLY */                          \
	X(WRONG_XID, "drop_wrong_xid")         /* not an answer to our transaction */             \
	X(WRONG_CHADDR, "drop_wrong_chaddr")   /* for another hardware address */                 \
	X(UNEXPECTED, "drop_unexpected")       /* a type the current state does not wait for */   \
	X(NO_SERVER_ID, "drop_no_server_id")   /* OFFER or ACK without a server identifier */     \
	X(WRONG_SERVER, "drop_wrong_server")   /* from a server other than the one chosen */      \
	X(BAD_ADDR, "drop_bad_addr")           /* offered address unusable (0, multicast, ...) */ \
	X(BAD_MASK, "drop_bad_mask")           /* no subnet mask or not contiguous */             \
	X(NO_ROUTER, "drop_no_router")         /* no router in the subnet: no way out */          \
	X(NO_LEASE, "drop_no_lease")           /* OFFER or ACK without a lease time */            \
	X(NOT_UDP, "drop_not_udp")             /* IPv4/UDP wrapper malformed (pg_dhcp_udp_unwrap) */ \
	X(UDP_CSUM, "drop_udp_csum")           /* IPv4 or UDP checksum wrong */
/* clang-format on */

enum pg_dhcp_drop {
	PG_DHCP_OK = 0,
#define PG_DHCP_DROP_ENUM(id, name) PG_DHCP_DROP_##id,
	PG_DHCP_DROPS(PG_DHCP_DROP_ENUM)
#undef PG_DHCP_DROP_ENUM
	PG_DHCP_DROP__COUNT
};

/* The counter name of a reason ("drop_short"); "ok" for PG_DHCP_OK. */
const char *pg_dhcp_drop_name(enum pg_dhcp_drop r);

/* One message, read or to be written. */
struct pg_dhcp_msg {
	uint8_t op;
	uint8_t type; /* option 53, enum pg_dhcp_type */
	uint32_t xid; /* host order */
	uint16_t secs;
	uint16_t flags;
	uint32_t ciaddr, yiaddr, siaddr, giaddr;
	uint8_t chaddr[6];

	/* Options; each has_* says whether it was present. */
	bool has_mask, has_lease, has_t1, has_t2, has_server_id, has_requested;
	uint32_t mask;
	uint32_t lease_s, t1_s, t2_s; /* host order */
	uint32_t server_id;
	uint32_t requested;
	uint8_t n_routers, n_dns;
	uint32_t routers[PG_DHCP_MAX_ROUTERS];
	uint32_t dns[PG_DHCP_MAX_DNS];
	uint8_t client_id_len;
	uint8_t client_id[PG_DHCP_MAX_CLIENT_ID];
	uint8_t hostname_len;
	char hostname[PG_DHCP_MAX_HOSTNAME + 1];
	uint8_t n_params;
	uint8_t params[PG_DHCP_MAX_PARAMS];
	uint8_t overload; /* option 52 as read: 0 none, 1 file, 2 sname, 3 both */
};

/**
 * pg_dhcp_msg_parse() - read one DHCP message (the UDP payload)
 * @buf:	the message; nothing outside [buf, buf + len) is read
 * @len:	its length
 * @m:		filled in (zeroed first)
 *
 * Checks the header, the cookie and every option's length against its field
 * (options, then file and sname when option 52 says so). Repeated list
 * options add up (RFC 3396), beyond the list sizes above they are ignored.
 * Does not judge whether the message fits a transaction: the client does.
 *
 * Return: PG_DHCP_OK or the reason for refusing the message.
 */
enum pg_dhcp_drop pg_dhcp_msg_parse(const uint8_t *buf, size_t len, struct pg_dhcp_msg *m);

/**
 * pg_dhcp_msg_build() - write a message from @m
 * @m:		header fields and the options whose has_* (or count) is set;
 *		client id, hostname and the parameter list when their length
 *		is non-zero
 * @buf:	output, at least PG_DHCP_MAX_BUILD bytes
 * @cap:	its size
 *
 * Padded with zeros to PG_DHCP_MIN_LEN.
 * Return: the length written, or 0 when @cap is too small.
 */
size_t pg_dhcp_msg_build(const struct pg_dhcp_msg *m, uint8_t *buf, size_t cap);

/* IPv4 and UDP around a DHCP message (dhcp_udp.c). */
#define PG_DHCP_IP_UDP_LEN 28

/**
 * pg_dhcp_udp_build() - wrap a message in IPv4 and UDP, checksums filled in
 * @buf:	output: the IPv4 packet (no Ethernet header)
 * @cap:	its size
 * @src:	source address, network order (0 before the client has one)
 * @dst:	destination address, network order
 * @sport:	UDP source port, host order (68 for a client)
 * @dport:	UDP destination port, host order (67 for a client)
 * @msg:	the payload
 * @len:	its length
 *
 * Return: the IPv4 packet's length, or 0 when it does not fit in @cap.
 */
size_t pg_dhcp_udp_build(uint8_t *buf, size_t cap, uint32_t src, uint32_t dst, uint16_t sport,
			 uint16_t dport, const uint8_t *msg, size_t len);

/**
 * pg_dhcp_udp_match() - is this IPv4 packet UDP to the DHCP client port?
 *
 * A cheap look with bounds checks, for the data path to decide whether a
 * packet goes to the client or to the engine. Fragments never match.
 */
bool pg_dhcp_udp_match(const uint8_t *ip, size_t len);

/**
 * pg_dhcp_udp_unwrap() - find the DHCP message in an IPv4/UDP packet
 * @ip:		the IPv4 packet
 * @len:	its length (Ethernet padding after the total length is allowed)
 * @msg:	set to the UDP payload
 * @msg_len:	its length
 *
 * Checks the IPv4 header (version, header length, total length, checksum,
 * not a fragment) and UDP (length, checksum when non-zero, from port 67 to
 * port 68).
 * Return: PG_DHCP_OK, PG_DHCP_DROP_NOT_UDP or PG_DHCP_DROP_UDP_CSUM.
 */
enum pg_dhcp_drop pg_dhcp_udp_unwrap(const uint8_t *ip, size_t len, const uint8_t **msg,
				     size_t *msg_len);

#endif /* PG_WAN_DHCP_MSG_H */
