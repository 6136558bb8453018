/* SPDX-License-Identifier: MIT */
/*
 * passwd.h - password and token hashes as stored in [api] (passwd.c), and
 * the prompt that makes one (passwd_prompt.c).
 */
#ifndef PG_PASSWD_H
#define PG_PASSWD_H

#include <stdbool.h>
#include <stddef.h>

#define PG_PASSWD_MAX 128 /* longest password or token accepted */

/* Hash secret for the config file (yescrypt, random salt). 0 or -errno. */
int pg_passwd_hash(const char *secret, char *out, size_t outlen);

/* Does secret match hash? Constant time in the comparison. */
bool pg_passwd_verify(const char *secret, const char *hash);

/* Equal strings? No early exit, so timing tells nothing about where they differ. */
bool pg_passwd_equal(const char *a, const char *b);

/*
 * Read a password from stdin (twice, without echo, on a terminal) and print
 * "password_hash = HASH" for [api]. Returns the exit status; prog names
 * the program in messages.
 */
int pg_passwd_prompt(const char *prog);

#endif /* PG_PASSWD_H */
