/* SPDX-License-Identifier: MIT */
/*
 * test_ctlsock.c - the control socket: its file made root-only (mode 0600
 * in a 0700 directory created for it), a stale socket replaced, a live one
 * or a non-socket file left alone, and the whole path through it: a
 * passgatectl-style client (api_client.c, "unix:PATH") asking for a reload
 * without any credential while the API has none configured, which over
 * HTTP would be refused.
 */
#include <errno.h>
#include <json-c/json.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli/api_client.h"
#include "ctl/api_internal.h"
#include "conf/config.h"
#include "ctl/ctlsock.h"

struct dirs {
	char base[64];
	char sock[128];
};

static void dirs_new(struct dirs *d)
{
	snprintf(d->base, sizeof(d->base), "/tmp/pg-test-ctlsock-XXXXXX");
	assert_non_null(mkdtemp(d->base));
	snprintf(d->sock, sizeof(d->sock), "%s/ctl/pg.sock", d->base);
}

static void dirs_free(struct dirs *d)
{
	char ctl[96];

	snprintf(ctl, sizeof(ctl), "%s/ctl", d->base);
	unlink(d->sock);
	rmdir(ctl);
	rmdir(d->base);
}

static void test_modes_and_stale(void **state)
{
	struct dirs d;
	char err[256], ctl[96];
	struct stat st;
	int fd, fd2, c;
	struct sockaddr_un sun = {.sun_family = AF_UNIX};

	(void)state;
	dirs_new(&d);
	fd = pg_ctlsock_open(d.sock, err, sizeof(err));
	if (fd < 0)
		fail_msg("%s", err);
	assert_int_equal(lstat(d.sock, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	snprintf(ctl, sizeof(ctl), "%s/ctl", d.base);
	assert_int_equal(stat(ctl, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	/* A live socket: a second daemon must not take it. */
	assert_int_equal(pg_ctlsock_open(d.sock, err, sizeof(err)), -EADDRINUSE);
	assert_non_null(strstr(err, "another passgated answers there"));
	/* ... and removing at exit leaves a socket someone answers on. */
	pg_ctlsock_remove(d.sock);
	assert_int_equal(lstat(d.sock, &st), 0);
	/* The first daemon died without cleaning up: the file is stale. */
	close(fd);
	fd2 = pg_ctlsock_open(d.sock, err, sizeof(err));
	if (fd2 < 0)
		fail_msg("stale socket not replaced: %s", err);
	/* It is the new one that answers. */
	assert_true(strlen(d.sock) < sizeof(sun.sun_path));
	memcpy(sun.sun_path, d.sock, strlen(d.sock) + 1);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(connect(c, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(c);
	close(fd2);
	pg_ctlsock_remove(d.sock);
	assert_int_equal(lstat(d.sock, &st), -1);
	dirs_free(&d);
}

static void test_refusals(void **state)
{
	struct dirs d;
	char err[256], ctl[96], path[200];
	FILE *fp;

	(void)state;
	dirs_new(&d);
	/* Something that is not a socket is never removed. */
	snprintf(ctl, sizeof(ctl), "%s/ctl", d.base);
	assert_int_equal(mkdir(ctl, 0700), 0);
	fp = fopen(d.sock, "w");
	assert_non_null(fp);
	fclose(fp);
	assert_int_equal(pg_ctlsock_open(d.sock, err, sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "not a socket"));
	unlink(d.sock);
	/* A directory anyone may write to could have our socket replaced. */
	assert_int_equal(chmod(ctl, 0777), 0);
	assert_int_equal(pg_ctlsock_open(d.sock, err, sizeof(err)), -EPERM);
	assert_int_equal(chmod(ctl, 0700), 0);
	/* Too long for sun_path, or relative. */
	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	assert_int_equal(pg_ctlsock_open(path, err, sizeof(err)), -EINVAL);
	assert_int_equal(pg_ctlsock_open("rel/pg.sock", err, sizeof(err)), -EINVAL);
	dirs_free(&d);
}

static const char conf[] = "[lan]\ninterface = lan0\naddress = 192.168.1.1/24\n"
			   "[wan]\ninterface = wan0\naddress = 198.51.100.2/24\n"
			   "gateway = 198.51.100.1\n[nat]\nmax_flows = 1024\n"
			   "max_flows_per_host = 64\n[api]\nlisten = off\nsocket = %s\n%s";

static void write_conf(const char *path, const char *sock, const char *extra)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fprintf(fp, conf, sock, extra);
	assert_int_equal(fclose(fp), 0);
}

/* In a child: one request over the socket; exit status = HTTP status / 100. */
static pid_t client(const char *sock, const char *method, const char *path)
{
	pid_t pid = fork();
	char url[160];

	assert_true(pid >= 0);
	if (pid == 0) {
		struct pg_http_reply r;

		snprintf(url, sizeof(url), "unix:%s", sock);
		if (pg_http_request(url, method, path, NULL, NULL, 5000, &r))
			_exit(9);
		pg_http_reply_free(&r);
		_exit(r.status / 100);
	}
	return pid;
}

/* Serve the API until the child is done; its exit status. */
static int serve_until(struct pg_api *api, pid_t pid)
{
	int st = 0;

	for (int i = 0; i < 1000; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		pg_api_run(api, 5000);
		usleep(5000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return -1;
}

static void test_reload_over_socket(void **state)
{
	struct dirs d;
	char path[96], err[PG_CONFIG_ERR_SIZE];
	struct pg_config cfg;
	struct pg_engine *engine;
	struct pg_api_env env;
	struct pg_api *api;
	struct stat st;

	(void)state;
	dirs_new(&d);
	snprintf(path, sizeof(path), "%s/pg.conf", d.base);
	write_conf(path, d.sock, "");
	assert_int_equal(pg_config_load(&cfg, path, err, sizeof(err)), 0);
	engine = pg_engine_create(&cfg.engine);
	assert_non_null(engine);
	memset(&env, 0, sizeof(env));
	/* One engine, as a daemon with one worker has. */
	static struct pg_engines one;

	one = PG_ENGINES_ONE(engine);
	env.engines = &one;
	env.cfg = &cfg;
	env.cfg_path = path;
	api = pg_api_create(&env, err, sizeof(err));
	assert_non_null(api);
	if (pg_api_listen_unix(api, err, sizeof(err)))
		fail_msg("%s", err);
	assert_true(pg_api_fd(api) >= 0);
	/* No credential is configured, and yet the socket may change things. */
	write_conf(path, d.sock, "[timeouts]\nudp = 8m\n");
	assert_int_equal(serve_until(api, client(d.sock, "POST", "/api/v1/reload")), 2);
	assert_int_equal(cfg.engine.timeouts.udp, 480);
	assert_int_equal(serve_until(api, client(d.sock, "GET", "/api/v1/status")), 2);
	pg_api_destroy(api);
	/* The socket file goes with the daemon. */
	assert_int_equal(lstat(d.sock, &st), -1);
	pg_engine_destroy(engine);
	pg_config_free(&cfg);
	unlink(path);
	dirs_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_modes_and_stale),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_reload_over_socket),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
