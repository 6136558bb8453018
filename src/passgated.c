/* SPDX-License-Identifier: MIT */
/*
 * passgated.c - the gateway daemon: options, configuration, start-up checks,
 * and the poll loop that drives the data path until SIGTERM or SIGINT.
 * SIGHUP re-reads the configuration file (api_reload.c), SIGUSR1 logs the
 * counters.
 *
 * It runs in the foreground and logs to stderr; a supervisor (or the test
 * harness) keeps it alive. Signals arrive through a signalfd in the same
 * poll as the packet sockets, so they are handled between two passes and
 * never interrupt one.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "ctl/api.h"
#include "ctl/auth.h"
#include "conf/config.h"
#include "dp/datapath.h"
#include "dp/statefile.h"
#include "dp/syncchan.h"
#include "ctl/dnsmasq.h"
#include "engine/engine.h"
#include "io/ifcheck.h"
#include "util/log.h"
#include "util/version.h"

#define IDLE_POLL_MS 100 /* neighbour retries want ~100 ms, the engine tick 1 s */

static struct pg_syncchan syncchan; /* [sync]: state to or from the other gateway */

static void usage(FILE *f)
{
	fprintf(f, "usage: passgated [-c FILE] [-t] [-h] | --hash-password\n"
		   "  -c FILE  configuration file (docs/CONFIG.md); without it the built-in\n"
		   "           demo configuration: lan0 192.168.1.1/24, wan0 198.51.100.2/24\n"
		   "           via 198.51.100.1\n"
		   "  -t       check the configuration and exit\n"
		   "  -r DIR   run directory for dnsmasq's configuration and leases\n"
		   "           (default " PG_DNSMASQ_RUN_DIR ")\n"
		   "  -s DIR   keep flows across restarts: written to DIR on TERM or INT,\n"
		   "           read back at start when fresh (docs/HA.md \"Restarts\")\n"
		   "  -h       this help\n"
		   "  --hash-password  read a password, print its hash for [api] (docs/API.md)\n"
		   "signals: HUP re-reads FILE (docs/CONFIG.md \"Reload\"), USR1 logs the\n"
		   "counters, TERM or INT stop\n");
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The sync epoch: a later start has a larger one (docs/HA.md "The sync protocol"). */
static uint64_t realtime_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void log_start(const struct pg_config *cfg, const struct pg_datapath *dp)
{
	const struct pg_engine_config *ec = &cfg->engine;
	char mac[2][18];
	char a[3][16];

	inet_ntop(AF_INET, &ec->lan_addr, a[0], sizeof(a[0]));
	inet_ntop(AF_INET, &ec->wan_addr, a[1], sizeof(a[1]));
	inet_ntop(AF_INET, &ec->wan_gateway, a[2], sizeof(a[2]));
	pg_info("passgated %s started: lan %s %s/%u mac %s, wan %s %s/%u via %s mac %s, "
		"max_flows %u (%zu KiB), workers %u",
		PG_VERSION, cfg->lan_ifname, a[0], ec->lan_prefix,
		pg_eth_ntoa(dp->link[PG_SIDE_LAN].port.mac, mac[0]), cfg->wan_ifname, a[1],
		ec->wan_prefix, a[2], pg_eth_ntoa(dp->link[PG_SIDE_WAN].port.mac, mac[1]),
		ec->max_flows, pg_engines_memory_size(ec, cfg->workers) / 1024, cfg->workers);
}

/* A signal from the signalfd: false when it asks the daemon to stop. */
static bool signal_handled(int sfd, struct pg_datapath *dp, struct pg_api *api)
{
	struct signalfd_siginfo si;
	char msg[PG_CONFIG_ERR_SIZE + 64];

	if (read(sfd, &si, sizeof(si)) != sizeof(si))
		return true;
	switch (si.ssi_signo) {
	case SIGUSR1:
		pg_datapath_status(dp);
		return true;
	case SIGHUP:
		/* Logged there, success or refusal. */
		pg_api_reload(api, msg, sizeof(msg));
		return true;
	default:
		pg_info("signal %d: stopping", (int)si.ssi_signo);
		return false;
	}
}

/*
 * Returns the exit status. The HTTP API's descriptor is polled with the
 * packet sockets and served between passes, on this thread (api.h).
 */
static int run(struct pg_datapath *dp, int sfd, struct pg_api *api, struct pg_dnsmasq *dm,
	       const struct pg_config *cfg)
{
	/* poll() skips negative descriptors: no API, or no host path. */
	struct pollfd pfd[6] = {
		{.fd = pg_datapath_fd(dp, PG_SIDE_LAN), .events = POLLIN},
		{.fd = pg_datapath_fd(dp, PG_SIDE_WAN), .events = POLLIN},
		{.fd = sfd, .events = POLLIN},
		{.fd = pg_api_fd(api), .events = POLLIN},
		{.fd = pg_datapath_host_fd(dp, PG_SIDE_LAN), .events = POLLIN},
		{.fd = pg_datapath_host_fd(dp, PG_SIDE_WAN), .events = POLLIN},
	};
	nfds_t nfds = 6;
	bool more = false;
	uint64_t api_due = 0;

	for (;;) {
		int timeout = more ? 0 : IDLE_POLL_MS;
		int api_t = pg_api_timeout_ms(api);
		uint64_t now;

		if (api_t >= 0 && api_t < timeout)
			timeout = api_t;
		if (poll(pfd, nfds, timeout) < 0 && errno != EINTR) {
			pg_err("poll: %s", strerror(errno));
			return 1;
		}
		now = now_ms();
		if ((pfd[2].revents & POLLIN) && !signal_handled(sfd, dp, api))
			return 0;
		for (int s = 0; s < 2; s++) {
			if (pfd[s].revents & POLLERR)
				pg_datapath_error(dp, (enum pg_side)s, now);
			if (pfd[4 + s].revents & POLLIN)
				pg_datapath_host_ready(dp, (enum pg_side)s);
		}
		more = pg_datapath_pass(dp, now);
		/* Between passes the engines are idle: the standby's updates go in now. */
		pg_syncchan_run(&syncchan, dp->engines, now);
		/* The helpers' VPN events, as log lines, after every pass. */
		pg_api_drain_events(api, dp->engines, now);
		/* Between passes: requests, and MHD's timeouts at least every second. */
		if ((pfd[3].revents & POLLIN) || now >= api_due) {
			pg_api_run(api, now);
			api_due = now + 1000;
			/* DHCP and DNS: started, restarted, re-read after an API change. */
			pg_dnsmasq_tick(dm, cfg, now);
		}
	}
}

/* What the command line asked for. */
struct options {
	const char *path;    /* -c, or NULL for the built-in demo configuration */
	const char *run_dir; /* -r */
	const char *state_dir; /* -s: flows kept across restarts */
	bool check_only;     /* -t */
};

/* Parse the command line: -1 to go on, or the exit status to return now. */
static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{"hash-password", no_argument, NULL, 'H'},
		{NULL, 0, NULL, 0},
	};
	int opt;

	memset(o, 0, sizeof(*o));
	while ((opt = getopt_long(argc, argv, "c:r:s:th", longopts, NULL)) != -1) {
		switch (opt) {
		case 'H':
			return pg_passwd_prompt("passgated");
		case 'c':
			o->path = optarg;
			break;
		case 'r':
			o->run_dir = optarg;
			break;
		case 's':
			o->state_dir = optarg;
			break;
		case 't':
			o->check_only = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 1;
	}
	return -1;
}

/* The links as passgated needs them (docs/INTERFACES.md); false after logging why not. */
static bool links_ready(const struct pg_config *cfg)
{
	int problems =
		pg_if_check(cfg->lan_ifname, cfg->lan_mtu) + pg_if_check(cfg->wan_ifname, cfg->wan_mtu);

	if (problems)
		pg_err("refusing to start: %d problem%s with the links above (docs/INTERFACES.md)",
		       problems, problems == 1 ? "" : "s");
	return problems == 0;
}

/* Block the signals the loop reads from a signalfd; the descriptor or -1. */
static int signals_open(void)
{
	sigset_t mask;
	int sfd;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		pg_err("signalfd: %s", strerror(errno));
	return sfd;
}

/* The API over the running data path, listening on its unix socket; NULL after logging. */
static struct pg_api *api_start(struct pg_config *cfg, const char *path,
				struct pg_engines *engines, struct pg_datapath *dp)
{
	char err[PG_CONFIG_ERR_SIZE];
	struct pg_api_env env;
	struct pg_api *api;

	memset(&env, 0, sizeof(env));
	env.engines = engines;
	env.cfg = cfg;
	env.cfg_path = path;
	env.ports[PG_SIDE_LAN] = &dp->link[PG_SIDE_LAN].port;
	env.ports[PG_SIDE_WAN] = &dp->link[PG_SIDE_WAN].port;
	env.start_ms = now_ms();
	env.capture = &dp->capture;
	env.dp_stats = &dp->stats;
	api = pg_api_create(&env, err, sizeof(err));
	if (!api) {
		pg_err("%s", err);
		return NULL;
	}
	if (pg_api_listen_unix(api, err, sizeof(err))) {
		pg_err("%s", err);
		pg_api_destroy(api);
		return NULL;
	}
	return api;
}

/*
 * Start-up in order, each step undone in reverse by one ladder of labels:
 * the success path falls through the same teardown as a failure.
 */
int main(int argc, char **argv)
{
	static struct pg_datapath dp;
	static struct pg_dnsmasq dnsmasq;
	static struct pg_engines engines;
	char err[PG_CONFIG_ERR_SIZE];
	struct pg_config cfg;
	struct options o;
	struct pg_api *api;
	int r, sfd, status = 1;

	r = parse_options(argc, argv, &o);
	if (r >= 0)
		return r;
	if (o.path)
		r = pg_config_load(&cfg, o.path, err, sizeof(err));
	else
		r = pg_config_parse(&cfg, "<built-in>", pg_config_builtin,
				    strlen(pg_config_builtin), err, sizeof(err));
	if (r) {
		fprintf(stderr, "passgated: %s\n", err);
		return 1;
	}
	if (o.check_only) {
		printf("passgated: %s: ok\n", o.path ? o.path : "<built-in>");
		status = 0;
		goto out_cfg;
	}
	pg_log_set_level(cfg.log_level);
	pg_log_set_syslog(cfg.log_syslog, "passgated");

	/* The flow hash key: unpredictable per start, so no one can aim collisions. */
	if (getrandom(cfg.engine.hash_seed, sizeof(cfg.engine.hash_seed), 0) !=
	    (ssize_t)sizeof(cfg.engine.hash_seed)) {
		pg_err("getrandom: %s", strerror(errno));
		goto out_cfg;
	}
	/* dnsmasq binds to the LAN host device, which the data path creates. */
	if (pg_dnsmasq_init(&dnsmasq, &cfg, NULL, o.run_dir, cfg.host.lan_dev, err, sizeof(err))) {
		pg_err("refusing to start: %s", err);
		goto out_cfg;
	}
	if (!links_ready(&cfg))
		goto out_cfg;
	r = pg_engines_create(&engines, &cfg.engine, cfg.workers);
	if (r) {
		pg_err("cannot create the engines (%zu bytes for max_flows %u, %u workers): %s",
		       pg_engines_memory_size(&cfg.engine, cfg.workers), cfg.engine.max_flows,
		       cfg.workers, strerror(-r));
		goto out_cfg;
	}
	sfd = signals_open();
	if (sfd < 0)
		goto out_engines;
	/* Flows a stopping passgated left (docs/HA.md "Restarts"). */
	pg_statefile_startup(o.state_dir, o.path, pg_config_builtin, &engines, &cfg.engine, now_ms());
	if (pg_syncchan_open(&syncchan, &cfg.sync, &engines, realtime_us(), err, sizeof(err))) {
		pg_err("refusing to start: %s", err);
		goto out_signals;
	}
	pg_syncchan_publish(&syncchan);
	if (pg_datapath_init(&dp, &cfg, &engines, err, sizeof(err))) {
		pg_err("%s", err);
		goto out_sync;
	}
	log_start(&cfg, &dp);
	api = api_start(&cfg, o.path, &engines, &dp);
	if (!api)
		goto out_datapath;

	status = run(&dp, sfd, api, &dnsmasq, &cfg);
	if (status == 0 && o.state_dir)
		pg_statefile_shutdown(o.state_dir, o.path, pg_config_builtin, &engines, now_ms());
	pg_dnsmasq_stop(&dnsmasq);
	pg_api_destroy(api);
	pg_info("stopped");
out_datapath:
	pg_datapath_fini(&dp);
out_sync:
	pg_syncchan_close(&syncchan);
out_signals:
	close(sfd);
out_engines:
	pg_engines_destroy(&engines);
out_cfg:
	pg_config_free(&cfg);
	return status;
}
