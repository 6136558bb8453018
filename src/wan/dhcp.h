/* SPDX-License-Identifier: MIT */
/*
 * dhcp.h - the WAN's DHCP client (RFC 2131) as a pure state machine.
 *
 * The caller owns the link, the clock and the randomness: it passes time in
 * (milliseconds, any monotonic origin), hands in the DHCP messages and ARP
 * packets that arrive, and after every call takes what the client wants
 * done with pg_dhcp_pop(): a message to send, an ARP probe or announcement
 * to send (RFC 5227), or an event (a lease bound, renewed or lost). It calls
 * pg_dhcp_tick() when pg_dhcp_next() says so. No syscalls, no clock, no log.
 *
 * Addresses are in network byte order; times are milliseconds unless named
 * _s (seconds).
 */
#ifndef PG_WAN_DHCP_H
#define PG_WAN_DHCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wan/dhcp_msg.h"

/* RFC 2131 4.1 retransmission: 4 s doubling to 64 s, each +-1 s at random. */
#define PG_DHCP_RETX_FIRST_MS 4000
#define PG_DHCP_RETX_MAX_MS 64000
#define PG_DHCP_RETX_JITTER_MS 1000
/* REQUESTING and INIT-REBOOT give up after this many tries (back to INIT). */
#define PG_DHCP_REQUEST_TRIES 4
/* RENEWING and REBINDING resend after half the time left, at least this. */
#define PG_DHCP_RENEW_MIN_MS 60000
/* After a DECLINE, wait before starting again (RFC 2131 3.1 step 5). */
#define PG_DHCP_DECLINE_WAIT_MS 10000
/* Leases shorter than this are taken as this long: no renewal storms. */
#define PG_DHCP_LEASE_MIN_S 10
/* RFC 5227 section 1.1 constants. */
#define PG_DHCP_PROBE_WAIT_MS 1000
#define PG_DHCP_PROBE_NUM 3
#define PG_DHCP_PROBE_MIN_MS 1000
#define PG_DHCP_PROBE_MAX_MS 2000
#define PG_DHCP_ANNOUNCE_WAIT_MS 2000
#define PG_DHCP_ANNOUNCE_NUM 2
#define PG_DHCP_ANNOUNCE_INTERVAL_MS 2000

#define PG_DHCP_NO_TIMER UINT64_MAX
#define PG_DHCP_INFINITE 0xffffffffu

/* clang-format off */
#define PG_DHCP_STATES(X)                                                                         \
	X(STOPPED, "stopped")         /* not started, or released */                              \
	X(INIT, "init")               /* about to send DISCOVER */                                \
	X(SELECTING, "selecting")     /* DISCOVER sent, waiting for an OFFER */                    \
	X(REQUESTING, "requesting")   /* REQUEST sent for an OFFER, waiting for ACK or NAK */      \
	X(PROBING, "probing")         /* ACK received, checking the address with ARP */           \
	X(BOUND, "bound")             /* lease in use */                                          \
	X(RENEWING, "renewing")       /* past T1, asking our server */                            \
	X(REBINDING, "rebinding")     /* past T2, asking any server */                            \
	X(INIT_REBOOT, "init-reboot") /* asking to keep the address of a saved lease */
/* clang-format on */

enum pg_dhcp_state {
#define PG_DHCP_STATE_ENUM(id, name) PG_DHCP_ST_##id,
	PG_DHCP_STATES(PG_DHCP_STATE_ENUM)
#undef PG_DHCP_STATE_ENUM
	PG_DHCP_ST__COUNT
};

const char *pg_dhcp_state_name(enum pg_dhcp_state s);

/* A lease: what the server gave and when. */
struct pg_dhcp_lease {
	uint32_t addr, mask, router, server;
	uint32_t dns[PG_DHCP_MAX_DNS];
	uint8_t n_dns;
	uint32_t lease_s, t1_s, t2_s; /* lease_s PG_DHCP_INFINITE: never ends */
	uint64_t start_ms;	      /* when the REQUEST that got it was sent */
};

/* Absolute times of a lease's T1, T2 and end (PG_DHCP_NO_TIMER: never). */
uint64_t pg_dhcp_lease_t1(const struct pg_dhcp_lease *l);
uint64_t pg_dhcp_lease_t2(const struct pg_dhcp_lease *l);
uint64_t pg_dhcp_lease_end(const struct pg_dhcp_lease *l);

/* The prefix length of a contiguous mask, -1 for one that is not. */
int pg_dhcp_mask_len(uint32_t mask);

enum pg_dhcp_out_kind {
	PG_DHCP_OUT_PACKET,	  /* send msg from src:68 to dst:67 */
	PG_DHCP_OUT_ARP_PROBE,	  /* ARP request: sender 0.0.0.0, target addr */
	PG_DHCP_OUT_ARP_ANNOUNCE, /* ARP request: sender and target addr */
	PG_DHCP_OUT_EVENT,
};

enum pg_dhcp_event {
	PG_DHCP_EV_BOUND,    /* a lease is in use: first one, or address/router/mask changed */
	PG_DHCP_EV_RENEWED,  /* the same lease extended (times or DNS servers may differ) */
	PG_DHCP_EV_LOST,     /* no lease any more: the WAN is down */
	PG_DHCP_EV_DECLINED, /* the offered address answered ARP: DECLINE sent */
};

/* clang-format off */
#define PG_DHCP_LOST_REASONS(X)                                                                   \
	X(NONE, "none")                                                                           \
	X(EXPIRED, "expired")   /* lease ran out while renewing and rebinding */                  \
	X(NAK, "nak")           /* the server refused to extend it */                             \
	X(RELEASED, "released") /* pg_dhcp_release() */                                           \
	X(CONFLICT, "conflict") /* a new address in use by someone else replaced it */
/* clang-format on */

enum pg_dhcp_lost {
#define PG_DHCP_LOST_ENUM(id, name) PG_DHCP_LOST_##id,
	PG_DHCP_LOST_REASONS(PG_DHCP_LOST_ENUM)
#undef PG_DHCP_LOST_ENUM
	PG_DHCP_LOST__COUNT
};

const char *pg_dhcp_lost_name(enum pg_dhcp_lost r);

struct pg_dhcp_out {
	enum pg_dhcp_out_kind kind;
	/* PACKET */
	uint8_t type; /* enum pg_dhcp_type, for logs */
	uint32_t src, dst;
	uint16_t len;
	uint8_t msg[PG_DHCP_MAX_BUILD];
	/* ARP_* and DECLINED: the address; BOUND: the new one */
	uint32_t addr;
	/* EVENT */
	enum pg_dhcp_event event;
	enum pg_dhcp_lost lost; /* LOST: why */
	uint32_t old_addr;	/* BOUND: the address before (0: none) */
};

/* Counters kept by the client (beyond the drop reasons). */
struct pg_dhcp_stats {
	uint64_t drops[PG_DHCP_DROP__COUNT];
	uint64_t tx[PG_DHCP_TYPE__MAX + 1];
	uint64_t rx[PG_DHCP_TYPE__MAX + 1]; /* messages accepted, by type */
	uint64_t leases, renewals, losses, declines, naks;
	uint64_t out_overflow; /* outputs lost because the caller did not pop */
};

struct pg_dhcp_conf {
	uint8_t mac[6];
	/* Option 61; empty: type 1 and the MAC (RFC 2132 9.14). */
	uint8_t client_id_len;
	uint8_t client_id[PG_DHCP_MAX_CLIENT_ID];
	/* Option 12 when non-empty. */
	char hostname[PG_DHCP_MAX_HOSTNAME + 1];
	/* ARP probes before using an address; 0 skips the check (tests). */
	uint8_t probe_num;
	/* Largest random delay before the first DISCOVER (RFC 2131 4.4.1). */
	uint32_t start_delay_ms;
	/* Random numbers: retransmission jitter, xids, probe spacing. */
	uint32_t (*rand)(void *ctx);
	void *rand_ctx;
};

/* Fill @conf with the defaults for a client on the link with @mac. */
void pg_dhcp_conf_default(struct pg_dhcp_conf *conf, const uint8_t mac[6]);

#define PG_DHCP_OUTQ 8

/* The client. Plain data; no pointers into the caller beyond conf.rand_ctx. */
struct pg_dhcp {
	struct pg_dhcp_conf conf;
	enum pg_dhcp_state state;
	uint32_t xid;
	uint64_t timer;	    /* next thing to do, PG_DHCP_NO_TIMER: nothing */
	uint64_t xid_start; /* first message of this transaction: secs field */
	uint64_t req_first; /* first REQUEST of this exchange: lease start */
	uint32_t retx_ms;   /* current back-off base */
	unsigned int tries; /* messages sent in this state */
	bool have_lease;    /* lease is in use (BOUND, RENEWING, REBINDING, PROBING a new one) */
	struct pg_dhcp_lease lease;
	struct pg_dhcp_lease offer; /* the one being requested or probed */
	uint32_t requested;	    /* address to ask for in DISCOVER (0: none) */
	unsigned int naks;	    /* NAKs since the last lease: restart back-off */
	unsigned int probes;	    /* probes sent for offer */
	unsigned int announces;	    /* announcements left to send */
	uint64_t announce_at;
	/* For status: tries since the WAN was last up, and when the last went. */
	unsigned int acquire_tries;
	uint64_t last_tx;
	uint64_t bound_at; /* when the current lease was bound or renewed */
	struct pg_dhcp_stats stats;
	unsigned int q_head, q_len;
	struct pg_dhcp_out q[PG_DHCP_OUTQ];
};

/**
 * pg_dhcp_init() - set up a stopped client
 * @c:		the client
 * @conf:	copied; conf->rand must be set
 */
void pg_dhcp_init(struct pg_dhcp *c, const struct pg_dhcp_conf *conf);

/**
 * pg_dhcp_start() - begin acquiring a lease
 * @c:		the client
 * @now:	current time
 * @saved:	the lease kept from before a restart, or NULL; one still valid
 *		at @now starts INIT-REBOOT (asks for the same address), one
 *		expired starts INIT asking for its address
 */
void pg_dhcp_start(struct pg_dhcp *c, uint64_t now, const struct pg_dhcp_lease *saved);

/**
 * pg_dhcp_input() - a DHCP message arrived (the UDP payload)
 * Return: PG_DHCP_OK when it was used, otherwise why it was dropped (also
 * counted in stats.drops).
 */
enum pg_dhcp_drop pg_dhcp_input(struct pg_dhcp *c, uint64_t now, const uint8_t *msg, size_t len);

/**
 * pg_dhcp_arp_input() - an ARP packet arrived on the link
 * @op:		ARP operation (1 request, 2 reply)
 * @sha:	sender hardware address
 * @spa:	sender protocol address
 * @tpa:	target protocol address
 *
 * While probing, a packet from another host claiming the address, or its own
 * probe for it, is a conflict (RFC 5227 2.1.1): the client sends DECLINE.
 * Return: true when it was a conflict.
 */
bool pg_dhcp_arp_input(struct pg_dhcp *c, uint64_t now, uint16_t op, const uint8_t sha[6],
		       uint32_t spa, uint32_t tpa);

/* Run what is due at @now (retransmissions, T1, T2, expiry, probes). */
void pg_dhcp_tick(struct pg_dhcp *c, uint64_t now);

/* When pg_dhcp_tick() has something to do next, PG_DHCP_NO_TIMER if never. */
uint64_t pg_dhcp_next(const struct pg_dhcp *c);

/* Renew now: from BOUND to RENEWING, from anything else a new start. */
void pg_dhcp_renew(struct pg_dhcp *c, uint64_t now);

/* Give the lease back (RELEASE) and stop; LOST event when one was in use. */
void pg_dhcp_release(struct pg_dhcp *c, uint64_t now);

/* Take the next output; false when there is none. */
bool pg_dhcp_pop(struct pg_dhcp *c, struct pg_dhcp_out *out);

/* The lease in use, or NULL (WAN down). */
const struct pg_dhcp_lease *pg_dhcp_current(const struct pg_dhcp *c);

/* Lease text (dhcp_lease.c): what the caller keeps on disk. */

/**
 * pg_dhcp_lease_format() - the lease as text, times in wall-clock seconds
 * @l:		the lease
 * @now:	monotonic time now (the clock of l->start_ms)
 * @wall_s:	wall-clock time now (seconds since the epoch)
 * @buf:	output, NUL-terminated
 * @size:	its size
 * Return: the length written, or -1 when @size is too small.
 */
int pg_dhcp_lease_format(const struct pg_dhcp_lease *l, uint64_t now, int64_t wall_s, char *buf,
			 size_t size);

/**
 * pg_dhcp_lease_parse() - read what pg_dhcp_lease_format() wrote
 * @text, @len:	the text
 * @now, @wall_s: the clocks now, to place the lease's start on @now's clock
 * @l:		filled in
 * @line:	set to the line number of an error
 * Return: 0, or -1 for text that is not a complete, sane lease.
 */
int pg_dhcp_lease_parse(const char *text, size_t len, uint64_t now, int64_t wall_s,
			struct pg_dhcp_lease *l, unsigned int *line);

#endif /* PG_WAN_DHCP_H */
