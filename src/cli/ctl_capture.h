/* SPDX-License-Identifier: MIT */
/*
 * ctl_capture.h - `passgatectl capture`: arm a capture through the API,
 * wait for it to finish, fetch the pcap and write it to a file.
 */
#ifndef PG_CTL_CAPTURE_H
#define PG_CTL_CAPTURE_H

#include <stdbool.h>

/*
 * Run the subcommand (argv[0] is "capture") against the API at url with
 * token (may be NULL). json: print the final status as JSON. Returns the
 * exit status.
 */
int pg_ctl_capture(int argc, char **argv, const char *url, const char *token, bool json);

#endif /* PG_CTL_CAPTURE_H */
