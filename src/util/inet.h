/* SPDX-License-Identifier: MIT */
/*
 * inet.h - small facts about addresses and time that every room needs,
 * written once: the netmask of a prefix length, seconds rounded up.
 */
#ifndef PG_INET_H
#define PG_INET_H

#include <arpa/inet.h>
#include <stdint.h>

/* Netmask of a prefix length 0..32, network byte order. */
static inline uint32_t pg_prefix_mask(unsigned int len)
{
	return htonl(len ? ~0u << (32 - len) : 0);
}

/*
 * Milliseconds as whole seconds rounded up: flows remember the second
 * rounded up, so one idle for exactly its timeout is gone, never earlier.
 */
static inline uint32_t pg_secs_ceil(uint64_t ms)
{
	return (uint32_t)((ms + 999) / 1000);
}

#endif /* PG_INET_H */
