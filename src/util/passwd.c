/* SPDX-License-Identifier: MIT */
/*
 * passwd.c - password hashes for the config file: crypt(3) from libxcrypt
 * (yescrypt, random salt), checked with a constant-time comparison. Used by
 * the API's login (ctl/auth.c) and by both programs' hash-password command.
 */
#include <crypt.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/passwd.h"

/* Compare without an early exit, so timing tells nothing about where they differ. */
bool pg_passwd_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char d = (unsigned char)(la != lb);

	for (size_t i = 0; i < la && i < lb; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

int pg_passwd_hash(const char *secret, char *out, size_t outlen)
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *cd;
	int r = 0;

	if (!*secret || strlen(secret) > PG_PASSWD_MAX)
		return -EINVAL;
	/* NULL random bytes: libxcrypt reads the kernel's random source itself. */
	if (!crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof(salt)))
		return errno ? -errno : -EINVAL;
	cd = calloc(1, sizeof(*cd));
	if (!cd)
		return -ENOMEM;
	if (!crypt_rn(secret, salt, cd, sizeof(*cd)) || cd->output[0] == '*')
		r = -EINVAL;
	else if (snprintf(out, outlen, "%s", cd->output) >= (int)outlen)
		r = -ENAMETOOLONG;
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return r;
}

bool pg_passwd_verify(const char *secret, const char *hash)
{
	struct crypt_data *cd;
	bool ok;

	if (!*hash || !*secret || strlen(secret) > PG_PASSWD_MAX)
		return false;
	cd = calloc(1, sizeof(*cd));
	if (!cd)
		return false;
	/* A failed crypt_rn() returns NULL or a string starting with '*'. */
	ok = crypt_rn(secret, hash, cd, sizeof(*cd)) && cd->output[0] != '*' &&
	     pg_passwd_equal(cd->output, hash);
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return ok;
}
