/* SPDX-License-Identifier: MIT */
/*
 * ctl_capture.c - `passgatectl capture [--seconds N] [--packets N]
 * [--filter EXPR] [--link lan|wan|any] -w FILE`.
 *
 * The daemon does the capturing (src/dp/capture.c) so that its poll loop
 * never waits on us: this side only arms it (POST /api/v1/capture), asks
 * how it is going every 200 ms, and when it is done fetches the pcap
 * (GET /api/v1/capture/pcap) and writes FILE. Ctrl-C stops the capture
 * early and still writes what was caught. The file is written to a
 * temporary name and renamed, mode 0600: it holds other people's packets.
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/api_client.h"
#include "conf/config.h"
#include "cli/ctl_capture.h"
#include "cli/ctl_reply.h"
#include "util/version.h"

#define CALL_TIMEOUT_MS 10000
#define POLL_MS 200
#define GRACE_S 30 /* how long past its seconds a capture may take to say done */

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

struct ctx {
	const char *url, *token;
};

/* One call; the parsed JSON of a 2xx, or NULL after printing why. */
static struct json_object *call(const struct ctx *x, const char *method, const char *path,
				const char *body)
{
	struct json_object *o;
	struct pg_http_reply r;

	if (pg_http_request(x->url, method, path, x->token, body, CALL_TIMEOUT_MS, &r)) {
		fprintf(stderr, "passgatectl: %s (is passgated running with [api] on?)\n", r.err);
		return NULL;
	}
	o = json_tokener_parse(r.body);
	if (r.status / 100 != 2) {
		pg_ctl_print_refusal(r.status, o);
		json_object_put(o);
		o = NULL;
	} else if (!o) {
		fprintf(stderr, "passgatectl: the answer is not JSON\n");
	}
	pg_http_reply_free(&r);
	return o;
}

static long long num(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? (long long)json_object_get_int64(v) : 0;
}

static const char *str(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && v ? json_object_get_string(v) : "";
}

static void sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};

	nanosleep(&ts, NULL); /* a signal cuts it short, which is what Ctrl-C wants */
}

/* Write len bytes to path through a temporary file; 0 or -1 after printing why. */
static int write_file(const char *path, const char *data, size_t len)
{
	char tmp[4096];
	size_t off = 0;
	int fd;

	if (!strcmp(path, "-")) {
		if (fwrite(data, 1, len, stdout) != len || fflush(stdout)) {
			fprintf(stderr, "passgatectl: writing the pcap to stdout: %s\n",
				strerror(errno));
			return -1;
		}
		return 0;
	}
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid()) >= sizeof(tmp)) {
		fprintf(stderr, "passgatectl: %s: path too long\n", path);
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		goto fail;
	while (off < len) {
		ssize_t k = write(fd, data + off, len - off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			goto fail_fd;
		off += (size_t)k;
	}
	if (fsync(fd) || close(fd)) {
		fd = -1;
		goto fail_fd;
	}
	if (rename(tmp, path))
		goto fail_unlink;
	return 0;

fail_fd:
	if (fd >= 0)
		close(fd);
fail_unlink:
	fprintf(stderr, "passgatectl: %s: %s\n", path, strerror(errno));
	unlink(tmp);
	return -1;
fail:
	fprintf(stderr, "passgatectl: %s: %s\n", tmp, strerror(errno));
	return -1;
}

static int usage(void)
{
	fprintf(stderr, "usage: passgatectl capture [--seconds N] [--packets N] [--filter EXPR]\n"
			"                           [--link lan|wan|any] -w FILE\n"
			"  FILE '-' writes the pcap to stdout. Without --seconds and --packets the\n"
			"  capture runs 10 s. --link any (default) writes Linux cooked v2 frames\n"
			"  (interface and direction kept); lan or wan the Ethernet frames.\n");
	return PG_EXIT_USAGE;
}

/* Parse argv into the request body; NULL after printing usage. */
static struct json_object *parse_args(int argc, char **argv, const char **out, long *seconds)
{
	struct json_object *body = json_object_new_object();

	*out = NULL;
	*seconds = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		uint32_t n;

		if (!v)
			goto bad;
		if (!strcmp(a, "-w")) {
			*out = v;
		} else if (!strcmp(a, "--filter")) {
			json_object_object_add(body, "filter", json_object_new_string(v));
		} else if (!strcmp(a, "--link")) {
			json_object_object_add(body, "link", json_object_new_string(v));
		} else if (!strcmp(a, "--seconds") || !strcmp(a, "--packets")) {
			if (pg_config_parse_u32(v, &n)) {
				fprintf(stderr, "passgatectl: %s: expected a whole number\n", a);
				goto bad;
			}
			json_object_object_add(body, a + 2, json_object_new_int64(n));
			if (a[2] == 's')
				*seconds = n;
		} else {
			goto bad;
		}
		i++;
	}
	if (!*out)
		goto bad;
	return body;
bad:
	json_object_put(body);
	usage();
	return NULL;
}

int pg_ctl_capture(int argc, char **argv, const char *url, const char *token, bool json)
{
	struct ctx x = {.url = url, .token = token};
	struct json_object *body, *st = NULL;
	struct sigaction sa = {.sa_handler = on_sigint};
	struct pg_http_reply r;
	const char *out;
	long seconds, waited_ms = 0;
	int rc = 1;

	body = parse_args(argc, argv, &out, &seconds);
	if (!body)
		return PG_EXIT_USAGE;
	st = call(&x, "POST", "/api/v1/capture", json_object_to_json_string(body));
	json_object_put(body);
	if (!st)
		return 1;
	fprintf(stderr, "capturing on %s link%s, filter '%s'", str(st, "link"),
		strcmp(str(st, "link"), "any") ? "" : "s", str(st, "filter"));
	if (num(st, "seconds_left"))
		fprintf(stderr, ", %lld s", num(st, "seconds_left"));
	if (num(st, "max_packets"))
		fprintf(stderr, ", %lld packets at most", num(st, "max_packets"));
	fprintf(stderr, " (Ctrl-C stops early)\n");
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	while (!strcmp(str(st, "state"), "running")) {
		const char *path = "/api/v1/capture";
		const char *method = "GET";

		if (interrupted) {
			path = "/api/v1/capture/stop";
			method = "POST";
		} else {
			sleep_ms(POLL_MS);
			waited_ms += POLL_MS;
			if (seconds && waited_ms > (seconds + GRACE_S) * 1000) {
				fprintf(stderr, "passgatectl: the capture did not end in time\n");
				goto out;
			}
			if (interrupted)
				continue;
		}
		json_object_put(st);
		st = call(&x, method, path, NULL);
		if (!st)
			return 1;
	}
	if (strcmp(str(st, "state"), "done")) {
		fprintf(stderr, "passgatectl: the capture was cleared before it could be fetched\n");
		goto out;
	}
	if (pg_http_request(url, "GET", "/api/v1/capture/pcap", token, NULL, CALL_TIMEOUT_MS, &r)) {
		fprintf(stderr, "passgatectl: %s\n", r.err);
		goto out;
	}
	if (r.status != 200) {
		fprintf(stderr, "passgatectl: fetching the pcap: HTTP %d: %.200s\n", r.status, r.body);
		pg_http_reply_free(&r);
		goto out;
	}
	if (write_file(out, r.body, r.len)) {
		pg_http_reply_free(&r);
		goto out;
	}
	if (json)
		printf("%s\n", json_object_to_json_string_ext(st, JSON_C_TO_STRING_PLAIN));
	fprintf(stderr,
		"%lld packets (%lld bytes) written to %s: %lld frames seen, %lld matched, %lld did "
		"not fit the buffer; ended by %s\n",
		num(st, "packets"), num(st, "bytes"), strcmp(out, "-") ? out : "stdout",
		num(st, "frames_seen"), num(st, "frames_matched"), num(st, "no_room"),
		str(st, "ended_by"));
	pg_http_reply_free(&r);
	rc = 0;
out:
	json_object_put(st);
	return rc;
}
