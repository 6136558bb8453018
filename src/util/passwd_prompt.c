/* SPDX-License-Identifier: MIT */
/*
 * passwd_prompt.c - "passgated --hash-password" and "passgatectl
 * hash-password": read a password (without echo on a terminal, or one line
 * from a pipe) and print the line to paste into [api].
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "util/passwd.h"

static int read_line(const char *prompt, char *buf, size_t len)
{
	struct termios old, quiet;
	bool tty = isatty(STDIN_FILENO);
	size_t n;

	if (tty) {
		fprintf(stderr, "%s", prompt);
		tcgetattr(STDIN_FILENO, &old);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	if (!fgets(buf, (int)len, stdin))
		buf[0] = '\0';
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fprintf(stderr, "\n");
	}
	n = strlen(buf);
	if (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	else if (n == len - 1)
		return -1; /* longer than the buffer */
	if (n && buf[n - 1] == '\r')
		buf[--n] = '\0';
	return 0;
}

int pg_passwd_prompt(const char *prog)
{
	char pw[PG_PASSWD_MAX + 2], again[PG_PASSWD_MAX + 2], hash[256];
	int r;

	if (read_line("password: ", pw, sizeof(pw)) || !*pw || strlen(pw) > PG_PASSWD_MAX) {
		fprintf(stderr, "%s: a password is 1 to %d bytes on one line\n", prog,
			PG_PASSWD_MAX);
		return 1;
	}
	if (isatty(STDIN_FILENO)) {
		if (read_line("again: ", again, sizeof(again)) || strcmp(pw, again)) {
			fprintf(stderr, "%s: the passwords differ\n", prog);
			return 1;
		}
	}
	r = pg_passwd_hash(pw, hash, sizeof(hash));
	explicit_bzero(pw, sizeof(pw));
	explicit_bzero(again, sizeof(again));
	if (r) {
		fprintf(stderr, "%s: cannot hash the password: %s\n", prog, strerror(-r));
		return 1;
	}
	/* The same hash serves as password_hash (page login) or token_hash (scripts). */
	printf("password_hash = %s\n", hash);
	return 0;
}
