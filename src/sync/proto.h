/* SPDX-License-Identifier: MIT */
/*
 * proto.h - the sync channel's messages between two passgated (docs/HA.md
 * "The sync protocol"): framing, versions and authentication.
 *
 * A message is a 28-byte header, a body of engine records (engine/sync.h)
 * and an HMAC-SHA256 over both with the pair's shared key (OpenSSL's
 * libcrypto computes it). Numbers are big endian:
 *
 *   0  "PGSY"           magic
 *   4  version          PG_SYNC_VERSION; another version is refused, counted
 *   5  type             enum pg_sync_type
 *   6  flags            zero
 *   8  epoch (64 bits)  the sending primary's instance: its start time in
 *                       microseconds, so a newer instance has a larger one
 *  16  seq              DATA, BULK_*: this message's number in the epoch
 *  20  ack              ACK: every message up to this one was applied
 *  24  body length      at most PG_SYNC_BODY_MAX
 *  28  body
 *  28+len  HMAC-SHA256 of bytes 0 .. 28+len-1
 */
#ifndef PG_SYNC_PROTO_H
#define PG_SYNC_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PG_SYNC_VERSION 1
#define PG_SYNC_HDR 28
#define PG_SYNC_MAC 32
#define PG_SYNC_BODY_MAX 8192
#define PG_SYNC_MSG_MAX (PG_SYNC_HDR + PG_SYNC_BODY_MAX + PG_SYNC_MAC)
#define PG_SYNC_KEY_MIN 16 /* bytes of shared key at least */
#define PG_SYNC_KEY_MAX 64

enum pg_sync_type {
	PG_SYNC_DATA = 1,	/* primary: change records */
	PG_SYNC_BULK_BEGIN = 2, /* primary: the standby drops its state; records follow */
	PG_SYNC_BULK_END = 3,	/* primary: the bulk is complete */
	PG_SYNC_ACK = 4,	/* standby: applied up to ack, in the named epoch */
	PG_SYNC_HELLO = 5,	/* standby: send me everything (join, gap, new epoch) */
	PG_SYNC_TYPE__COUNT
};

/* Why a message was refused (each one is counted). */
enum pg_sync_refusal {
	PG_SYNC_OK = 0,
	PG_SYNC_TRUNCATED, /* shorter than its header or its body length says */
	PG_SYNC_BAD_VERSION,
	PG_SYNC_BAD_AUTH,  /* HMAC does not match: another key, or altered */
	PG_SYNC_MALFORMED, /* unknown type, flags set, body where none belongs */
	PG_SYNC_REPLAY,	   /* a sequence number or epoch already seen */
	PG_SYNC_REFUSAL__COUNT
};

extern const char *const pg_sync_refusal_names[PG_SYNC_REFUSAL__COUNT];

struct pg_sync_key {
	uint8_t bytes[PG_SYNC_KEY_MAX];
	size_t len;
};

/* A message's header, decoded. */
struct pg_sync_msg {
	uint8_t type;
	uint64_t epoch;
	uint32_t seq, ack;
	const uint8_t *body; /* inside the buffer that was parsed */
	uint32_t body_len;
};

/*
 * Write a message into out (PG_SYNC_MSG_MAX bytes suffice): header from m,
 * body_len bytes of body, the HMAC. Returns its length.
 */
size_t pg_sync_msg_build(const struct pg_sync_key *key, const struct pg_sync_msg *m,
			 const uint8_t *body, uint8_t *out);

/*
 * Check a received message (framing, version, HMAC, type) and decode its
 * header into m. PG_SYNC_OK or the refusal; nothing of a refused message is
 * to be used.
 */
enum pg_sync_refusal pg_sync_msg_parse(const struct pg_sync_key *key, const uint8_t *buf,
				       size_t len, struct pg_sync_msg *m);

/*
 * Read a key file: hex (32 to 128 hex digits, e.g. `openssl rand -hex 32`)
 * on its first line. 0, or -errno with why set.
 */
int pg_sync_key_load(const char *path, struct pg_sync_key *key, const char **why);

#endif /* PG_SYNC_PROTO_H */
