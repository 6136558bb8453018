/* SPDX-License-Identifier: MIT */
/*
 * dhcp6.h - a DHCPv6 requesting router (RFC 8415) asking the ISP for a
 * delegated prefix (IA_PD), as a pure state machine.
 *
 * As for the IPv4 client (dhcp.h), the caller owns the link, the clock and
 * the randomness: it passes time in (milliseconds, any monotonic origin),
 * hands in the DHCPv6 messages that arrive (UDP payloads), and after every
 * call takes what the client wants done with pg_dhcp6_pop(): a message to
 * multicast to All_DHCP_Relay_Agents_and_Servers, or an event (a prefix
 * bound, renewed or lost). It calls pg_dhcp6_tick() when pg_dhcp6_next()
 * says so. No syscalls, no clock, no log.
 *
 * One IA_PD, one prefix used (the first the server gives that is valid and
 * at most /64: the LAN takes a /64 from it). Times are milliseconds unless
 * named _s (seconds).
 */
#ifndef PG_WAN_DHCP6_H
#define PG_WAN_DHCP6_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wan/dhcp6_msg.h"

/* RFC 8415 section 7.6 transmission parameters. */
#define PG_DHCP6_SOL_MAX_DELAY_MS 1000
#define PG_DHCP6_SOL_TIMEOUT_MS 1000
#define PG_DHCP6_SOL_MAX_RT_MS 3600000
#define PG_DHCP6_REQ_TIMEOUT_MS 1000
#define PG_DHCP6_REQ_MAX_RT_MS 30000
#define PG_DHCP6_REQ_MAX_RC 10
#define PG_DHCP6_REN_TIMEOUT_MS 10000
#define PG_DHCP6_REN_MAX_RT_MS 600000
#define PG_DHCP6_REB_TIMEOUT_MS 10000
#define PG_DHCP6_REB_MAX_RT_MS 600000
/* SOL_MAX_RT from a server is taken only within RFC 8415 21.24's bounds. */
#define PG_DHCP6_SOL_MAX_RT_MIN_S 60
#define PG_DHCP6_SOL_MAX_RT_MAX_S 86400
/* T1 shorter than this is taken as this long: no renewal storms. */
#define PG_DHCP6_T1_MIN_S 5

#define PG_DHCP6_NO_TIMER UINT64_MAX
#define PG_DHCP6_INFINITE 0xffffffffu

/* clang-format off */
#define PG_DHCP6_STATES(X)                                                                        \
	X(STOPPED, "stopped")       /* not started, or released */                                \
	X(SOLICITING, "soliciting") /* SOLICIT sent, collecting ADVERTISEs */                      \
	X(REQUESTING, "requesting") /* REQUEST sent to the chosen server */                        \
	X(BOUND, "bound")           /* a prefix delegated and in use */                            \
	X(RENEWING, "renewing")     /* past T1, asking the server that delegated it */             \
	X(REBINDING, "rebinding")   /* past T2 (or after a restart), asking any server */
/* clang-format on */

enum pg_dhcp6_state {
#define PG_DHCP6_STATE_ENUM(id, name) PG_DHCP6_ST_##id,
	PG_DHCP6_STATES(PG_DHCP6_STATE_ENUM)
#undef PG_DHCP6_STATE_ENUM
	PG_DHCP6_ST__COUNT
};

const char *pg_dhcp6_state_name(enum pg_dhcp6_state s);

/* A delegation: what the server gave and when. */
struct pg_dhcp6_lease {
	uint8_t prefix[16];
	uint8_t len;
	uint32_t t1_s, t2_s;		  /* as used: the server's, or 0.5 and 0.8 of preferred */
	uint32_t preferred_s, valid_s;	  /* PG_DHCP6_INFINITE: never ends */
	uint64_t start_ms;		  /* when the message that got it was first sent */
	uint8_t server_id_len;
	uint8_t server_id[PG_DHCP6_MAX_DUID];
	uint8_t n_dns;
	uint8_t dns[PG_DHCP6_MAX_DNS][16];
};

/* Absolute times of a lease's T1, T2, preferred and valid end (PG_DHCP6_NO_TIMER: never). */
uint64_t pg_dhcp6_lease_t1(const struct pg_dhcp6_lease *l);
uint64_t pg_dhcp6_lease_t2(const struct pg_dhcp6_lease *l);
uint64_t pg_dhcp6_lease_preferred_end(const struct pg_dhcp6_lease *l);
uint64_t pg_dhcp6_lease_end(const struct pg_dhcp6_lease *l);

enum pg_dhcp6_out_kind {
	PG_DHCP6_OUT_PACKET, /* multicast msg to ff02::1:2 port 547 */
	PG_DHCP6_OUT_EVENT,
};

enum pg_dhcp6_event {
	PG_DHCP6_EV_BOUND,   /* a prefix in use: the first, or another than before */
	PG_DHCP6_EV_RENEWED, /* the same prefix extended (times or DNS may differ) */
	PG_DHCP6_EV_LOST,    /* no prefix any more */
};

/* clang-format off */
#define PG_DHCP6_LOST_REASONS(X)                                                                  \
	X(NONE, "none")                                                                           \
	X(EXPIRED, "expired")     /* valid lifetime ran out while renewing and rebinding */       \
	X(WITHDRAWN, "withdrawn") /* the server gave it a valid lifetime of 0 */                  \
	X(RELEASED, "released")   /* pg_dhcp6_release() */
/* clang-format on */

enum pg_dhcp6_lost {
#define PG_DHCP6_LOST_ENUM(id, name) PG_DHCP6_LOST_##id,
	PG_DHCP6_LOST_REASONS(PG_DHCP6_LOST_ENUM)
#undef PG_DHCP6_LOST_ENUM
	PG_DHCP6_LOST__COUNT
};

const char *pg_dhcp6_lost_name(enum pg_dhcp6_lost r);

struct pg_dhcp6_out {
	enum pg_dhcp6_out_kind kind;
	/* PACKET */
	uint8_t type; /* enum pg_dhcp6_type, for logs */
	uint16_t len;
	uint8_t msg[PG_DHCP6_MAX_BUILD];
	/* EVENT */
	enum pg_dhcp6_event event;
	enum pg_dhcp6_lost lost; /* LOST: why */
	/* BOUND: the prefix before (len 0: none); LOST: the one lost. */
	uint8_t old_prefix[16];
	uint8_t old_len;
	uint64_t old_valid_end; /* when the old one stops being valid (PG_DHCP6_NO_TIMER: never) */
};

struct pg_dhcp6_stats {
	uint64_t drops[PG_DHCP6_DROP__COUNT];
	uint64_t tx[PG_DHCP6_TYPE__MAX + 1];
	uint64_t rx[PG_DHCP6_TYPE__MAX + 1]; /* messages accepted, by type */
	uint64_t leases, renewals, losses, prefix_changes;
	uint64_t status_errors; /* answers refusing with a status code */
	uint64_t out_overflow;
};

struct pg_dhcp6_conf {
	uint8_t mac[6];
	/* 0: DUID-LL from the MAC (stable, nothing to keep); else DUID-LLT with this time. */
	uint32_t duid_time;
	uint32_t iaid;
	/* Prefix length asked for as a hint in SOLICIT (RFC 8415 18.2.1); 0: none. */
	uint8_t hint_len;
	/* Largest random delay before the first SOLICIT (SOL_MAX_DELAY); 0 in tests. */
	uint32_t start_delay_ms;
	uint32_t (*rand)(void *ctx);
	void *rand_ctx;
};

/* Fill @conf with the defaults for a client on the link with @mac (DUID-LL, IAID 1). */
void pg_dhcp6_conf_default(struct pg_dhcp6_conf *conf, const uint8_t mac[6]);

#define PG_DHCP6_OUTQ 8

struct pg_dhcp6 {
	struct pg_dhcp6_conf conf;
	uint8_t duid_len;
	uint8_t duid[18];
	enum pg_dhcp6_state state;
	uint32_t xid;
	uint64_t timer;	     /* next retransmission or state change */
	uint64_t xid_start;  /* first message of this exchange: elapsed time, lease start */
	uint32_t rt_ms;	     /* the current retransmission timeout (RFC 8415 15) */
	unsigned int tries;  /* messages sent in this exchange */
	uint32_t sol_max_rt_ms;
	bool have_lease;
	struct pg_dhcp6_lease lease;
	bool have_best;	 /* an ADVERTISE kept while the first RT runs */
	uint8_t best_pref;
	struct pg_dhcp6_lease best; /* from the chosen ADVERTISE: server, prefix hint */
	/* For status: tries since a prefix was last held, and when the last went. */
	unsigned int acquire_tries;
	uint64_t last_tx;
	uint64_t bound_at;
	struct pg_dhcp6_stats stats;
	unsigned int q_head, q_len;
	struct pg_dhcp6_out q[PG_DHCP6_OUTQ];
};

/**
 * pg_dhcp6_init() - set up a stopped client
 * @conf:	copied; conf->rand must be set
 */
void pg_dhcp6_init(struct pg_dhcp6 *c, const struct pg_dhcp6_conf *conf);

/**
 * pg_dhcp6_start() - begin asking for a prefix
 * @saved:	the delegation kept from before a restart, or NULL. One still
 *		valid at @now is used at once (BOUND event) and confirmed with
 *		REBIND (RFC 8415 18.2.2: the link may have changed); one expired
 *		is asked for again as the hint in SOLICIT.
 */
void pg_dhcp6_start(struct pg_dhcp6 *c, uint64_t now, const struct pg_dhcp6_lease *saved);

/**
 * pg_dhcp6_input() - a DHCPv6 message arrived (the UDP payload)
 * Return: PG_DHCP6_OK when it was used, otherwise why it was dropped (also
 * counted in stats.drops).
 */
enum pg_dhcp6_drop pg_dhcp6_input(struct pg_dhcp6 *c, uint64_t now, const uint8_t *msg, size_t len);

/* Run what is due at @now: retransmissions, T1, T2, expiry. */
void pg_dhcp6_tick(struct pg_dhcp6 *c, uint64_t now);

/* When pg_dhcp6_tick() has something to do next; PG_DHCP6_NO_TIMER if never. */
uint64_t pg_dhcp6_next(const struct pg_dhcp6 *c);

/* Renew now: from BOUND to RENEWING, from STOPPED a new start. */
void pg_dhcp6_renew(struct pg_dhcp6 *c, uint64_t now);

/* Give the prefix back (RELEASE, sent once) and stop; LOST event when one was held. */
void pg_dhcp6_release(struct pg_dhcp6 *c, uint64_t now);

/* Take the next output; false when there is none. */
bool pg_dhcp6_pop(struct pg_dhcp6 *c, struct pg_dhcp6_out *out);

/* The delegation in use, or NULL. */
const struct pg_dhcp6_lease *pg_dhcp6_current(const struct pg_dhcp6 *c);

/* Lease text (dhcp6_lease.c), as for the IPv4 lease: wall-clock seconds on disk. */
int pg_dhcp6_lease_format(const struct pg_dhcp6_lease *l, uint64_t now, int64_t wall_s, char *buf,
			  size_t size);
int pg_dhcp6_lease_parse(const char *text, size_t len, uint64_t now, int64_t wall_s,
			 struct pg_dhcp6_lease *l, unsigned int *line);

#endif /* PG_WAN_DHCP6_H */
