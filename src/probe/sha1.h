/* SPDX-License-Identifier: MIT */
/* sha1.h - SHA-1 for IKEv2 NAT detection payloads (sha1.c). */
#ifndef PG_PROBE_SHA1_H
#define PG_PROBE_SHA1_H

#include <stddef.h>
#include <stdint.h>

#define PG_SHA1_LEN 20

void pg_sha1(const uint8_t *data, size_t len, uint8_t out[PG_SHA1_LEN]);

#endif /* PG_PROBE_SHA1_H */
