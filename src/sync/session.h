/* SPDX-License-Identifier: MIT */
/*
 * session.h - the two ends of a sync channel (docs/HA.md "The sync
 * protocol"): the primary numbers its messages, keeps every one not yet
 * acknowledged and sends them again; the standby applies them in order to
 * its engine between batches and acknowledges. No sockets here: the caller
 * moves the bytes (the daemon over UDP, the tests through a lossy queue).
 *
 * Repair. A lost message is noticed by the standby as a gap (it answers
 * with the last number it applied) or by the primary as silence (it sends
 * everything unacknowledged again after PG_SYNC_RESEND_MS). A primary whose
 * window is full stops draining its engine's change ring; if the ring then
 * overflows, or the standby is new, or the primary restarted (a larger
 * epoch), the standby is sent everything again: BULK_BEGIN (the standby
 * drops its state), the table walk, BULK_END.
 *
 * Refusal. Nothing is applied from a message without the right HMAC, from
 * an older epoch, or with a number already applied (a replay), and none of
 * those change the standby's state; each is counted by reason.
 */
#ifndef PG_SYNC_SESSION_H
#define PG_SYNC_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"
#include "engine/sync.h"
#include "sync/proto.h"

#define PG_SYNC_WINDOW 64	 /* messages in flight, unacknowledged, at most */
#define PG_SYNC_RESEND_MS 200	 /* silence after which the window is sent again */
#define PG_SYNC_REFRESH_S 60	 /* every flow re-sent at least this often (UDP: >= 120 s) */
#define PG_SYNC_FLOWS_PER_MSG 80 /* flow records in a full message, about */

/* What one end has done; read by status and metrics. */
struct pg_sync_counters {
	/* primary */
	uint64_t sent;	  /* messages, first sending */
	uint64_t resent;  /* messages sent again */
	uint64_t acked;	  /* messages acknowledged */
	uint64_t bulks;	  /* bulk transfers started */
	uint64_t lag_ms;  /* the last acknowledgement's delay */
	uint64_t unacked; /* messages in flight now */
	/* standby */
	uint64_t applied; /* messages applied */
	uint64_t gaps;	  /* a message missing before the one received */
	uint64_t resyncs; /* bulk transfers taken */
	uint64_t hellos;  /* bulk transfers asked for */
	bool synced;	  /* a whole bulk and everything after it applied */
	/* either end: the sync role moved with the VRRP role (dp/syncchan.c) */
	uint64_t role_changes;
	struct pg_sync_import_stats records;
	/* either end */
	uint64_t refused[PG_SYNC_REFUSAL__COUNT];
};

struct pg_sync_slot {
	uint32_t seq;
	uint32_t len;
	uint64_t sent_ms;
	uint8_t msg[PG_SYNC_MSG_MAX];
};

/* A send callback: the bytes of one message for the peer. */
typedef void (*pg_sync_send_fn)(void *ctx, const uint8_t *msg, size_t len);

struct pg_sync_primary {
	struct pg_sync_key key;
	uint64_t epoch;
	uint32_t next_seq; /* the next message's number (from 1) */
	uint32_t acked;	   /* every message up to this one is applied */
	bool bulk_wanted, in_bulk;
	uint32_t bulk_cursor, refresh_cursor;
	uint64_t refresh_ms;	  /* when the refresh walk last ran */
	uint64_t resend_ms;	  /* when the window was last sent again */
	uint64_t ack_ms;	  /* when the standby last acknowledged */
	struct pg_sync_slot *win; /* PG_SYNC_WINDOW slots, by seq */
	uint8_t body[PG_SYNC_BODY_MAX];
	struct pg_sync_counters c;
};

struct pg_sync_standby {
	struct pg_sync_key key;
	uint64_t epoch;	   /* the primary instance followed; 0: none yet */
	uint32_t next_seq; /* the next number to apply */
	uint64_t hello_ms; /* when a bulk was last asked for */
	struct pg_sync_counters c;
};

/*
 * Set up the primary end with the shared key and its epoch (the start time
 * in microseconds). Allocates the window: 0 or -ENOMEM.
 */
int pg_sync_primary_init(struct pg_sync_primary *p, const struct pg_sync_key *key, uint64_t epoch);
void pg_sync_primary_fini(struct pg_sync_primary *p);

/*
 * Take up the primary's part again as a new instance (a box turned master,
 * docs/HA.md "Rejoin"): epoch as given (sync/roles.h), numbering from 1,
 * nothing in flight, a bulk first. The counters are kept.
 */
void pg_sync_primary_restart(struct pg_sync_primary *p, uint64_t epoch);

/*
 * Between batches: send what engine e has for the standby (bulk in
 * progress, changes, the slow refresh), and the window again when it was
 * not acknowledged in time. Turns the engine's change ring on if needed.
 */
void pg_sync_primary_pump(struct pg_sync_primary *p, struct pg_engine *e, uint64_t now_ms,
			  pg_sync_send_fn send, void *ctx);

/* A message from the standby (ACK or HELLO). PG_SYNC_OK or the refusal, counted. */
enum pg_sync_refusal pg_sync_primary_input(struct pg_sync_primary *p, const uint8_t *buf,
					   size_t len, uint64_t now_ms, pg_sync_send_fn send,
					   void *ctx);

void pg_sync_standby_init(struct pg_sync_standby *s, const struct pg_sync_key *key);

/*
 * Follow anew (a box turned backup): no epoch followed, not synced, so the
 * next tick asks for a bulk; the first primary heard is followed. The
 * counters are kept.
 */
void pg_sync_standby_restart(struct pg_sync_standby *s);

/*
 * A message from the primary: check it, apply its records to e in order,
 * answer (ACK, or HELLO for a bulk) through send. PG_SYNC_OK or the
 * refusal, counted; a refused message changes nothing in e.
 */
enum pg_sync_refusal pg_sync_standby_input(struct pg_sync_standby *s, struct pg_engine *e,
					   const uint8_t *buf, size_t len, uint64_t now_ms,
					   pg_sync_send_fn send, void *ctx);

/* Until synced, ask for a bulk once a second (the primary may not know us yet). */
void pg_sync_standby_tick(struct pg_sync_standby *s, uint64_t now_ms, pg_sync_send_fn send,
			  void *ctx);

#endif /* PG_SYNC_SESSION_H */
