/* SPDX-License-Identifier: MIT */
/*
 * passgated.c - the gateway daemon: options, configuration, start-up checks,
 * and the poll loop that drives the data path until SIGTERM or SIGINT.
 * SIGHUP re-reads the configuration file (api_reload.c), SIGUSR1 logs the
 * counters.
 *
 * It runs in the foreground and logs to stderr; a supervisor (or the test
 * harness) keeps it alive. Under systemd (passgate.service) it reports
 * READY, RELOADING, STOPPING and watchdog keep-alives (dp/sdnotify.c) and
 * logs with journal priorities. Signals arrive through a signalfd in the
 * same poll as the packet sockets, so they are handled between two passes
 * and never interrupt one.
 *
 * Once everything that needs root is open (links, XDP, TAP devices, API
 * sockets), it becomes the user passgate with only the capabilities the
 * steady state uses, under a seccomp allow-list (dp/isolate.c), before the
 * first packet. Exit status: 0 stopped, 1 failure, 2 usage, 78
 * configuration (util/version.h).
 *
 * This thread is the data path's: it moves packets and runs the control
 * thread's jobs between passes (dp/handoff.h); the API, reloads, the status
 * dump and dnsmasq run on the control thread (ctl/ctl_thread.c).
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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ctl/api.h"
#include "ctl/auth.h"
#include "ctl/ctl_thread.h"
#include "conf/config.h"
#include "dp/datapath.h"
#include "dp/statefile.h"
#include "dp/syncchan.h"
#include "dp/isolate.h"
#include "dp/priority.h"
#include "dp/sdnotify.h"
#include "dp/handoff.h"
#include "ctl/dnsmasq.h"
#include "ctl/tunnel.h"
#include "ctl/tls.h"
#include "engine/engine.h"
#include "io/ifcheck.h"
#include "util/log.h"
#include "util/version.h"

#define IDLE_POLL_MS 100 /* neighbour retries want ~100 ms, the engine tick 1 s */
#define DP_NICE (-10)	 /* the data path's thread before other work on its core */

static struct pg_syncchan syncchan; /* [sync]: state to or from the other gateway */

static void usage(FILE *f)
{
	fprintf(f, "usage: passgated [-c FILE] [-r DIR] [-s DIR] [-k] [-u USER] [-t]\n"
		   "       passgated --hash-password | --help | --version\n"
		   "  -c FILE  configuration file (man passgate.conf); without it the built-in\n"
		   "           demo configuration: lan0 192.168.1.1/24, wan0 198.51.100.2/24\n"
		   "           via 198.51.100.1\n"
		   "  -t       check the configuration and exit\n"
		   "  -r DIR   run directory for dnsmasq's configuration\n"
		   "           (default " PG_DNSMASQ_RUN_DIR ")\n"
		   "  -s DIR   state directory: DHCP leases, the API's self-signed certificate,\n"
		   "           past configurations (DIR/config.d)\n"
		   "           (default " PG_STATE_DIR ")\n"
		   "  -k       keep flows across restarts: written to the state directory on\n"
		   "           TERM or INT, read back at start when fresh (docs/HA.md \"Restarts\")\n"
		   "  -u USER  the user to run as once set up (default " PG_ISOLATE_USER
		   ", when it exists)\n"
		   "  -h, --help     this help\n"
		   "  -V, --version  print the version\n"
		   "  --hash-password  read a password, print its hash for [api] (docs/API.md)\n"
		   "signals: HUP re-reads FILE (docs/CONFIG.md \"Reload\"), USR1 logs the\n"
		   "counters, TERM or INT stop\n"
		   "exit status: 0 stopped, 1 failure, 2 usage error, 78 configuration error\n");
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

/* This thread's CPU time: what a job cost it, whoever else wanted the core. */
static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

static uint64_t now_ms(void)
{
	return now_ns() / 1000000;
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
	if (cfg->wan_dhcp)
		snprintf(a[1], sizeof(a[1]), "dhcp");
	else
		inet_ntop(AF_INET, &ec->wan_addr, a[1], sizeof(a[1]));
	inet_ntop(AF_INET, &ec->wan_gateway, a[2], sizeof(a[2]));
	pg_info("passgated %s started: lan %s %s/%u mac %s, wan %s %s/%u via %s mac %s, "
		"max_flows %u (%zu KiB), workers %u",
		PG_VERSION, cfg->lan_ifname, a[0], ec->lan_prefix,
		pg_eth_ntoa(dp->link[PG_SIDE_LAN].port.mac, mac[0]), cfg->wan_ifname, a[1],
		ec->wan_prefix, a[2], pg_eth_ntoa(dp->link[PG_SIDE_WAN].port.mac, mac[1]),
		ec->max_flows, pg_engines_memory_size(ec, cfg->workers) / 1024, cfg->workers);
}

/*
 * A signal from the signalfd: false when it asks the daemon to stop. HUP
 * and USR1 are the control thread's to handle.
 */
static bool signal_handled(int sfd, struct pg_ctl *ctl)
{
	struct signalfd_siginfo si;

	if (read(sfd, &si, sizeof(si)) != sizeof(si))
		return true;
	switch (si.ssi_signo) {
	case SIGUSR1:
		pg_ctl_post(ctl, PG_CTL_STATUS);
		return true;
	case SIGHUP:
		/* RELOADING now; the control thread says READY again when done
		 * (systemctl reload waits for it), success or refusal. */
		pg_sd_reloading();
		pg_ctl_post(ctl, PG_CTL_RELOAD);
		return true;
	default:
		pg_info("signal %d: stopping", (int)si.ssi_signo);
		return false;
	}
}

/*
 * Returns the exit status. The control thread's jobs (handoff.h) are run
 * between passes; each turn of the loop is timed into the pass histogram.
 */
static int run(struct pg_datapath *dp, int sfd, struct pg_handoff *h, struct pg_ctl *ctl)
{
	/* poll() skips negative descriptors: no host path. */
	struct pollfd pfd[7] = {
		{.fd = pg_datapath_fd(dp, PG_SIDE_LAN), .events = POLLIN},
		{.fd = pg_datapath_fd(dp, PG_SIDE_WAN), .events = POLLIN},
		{.fd = sfd, .events = POLLIN},
		{.fd = pg_handoff_fd(h), .events = POLLIN},
		{.fd = pg_datapath_host_fd(dp, PG_SIDE_LAN), .events = POLLIN},
		{.fd = pg_datapath_host_fd(dp, PG_SIDE_WAN), .events = POLLIN},
		/* The peer's updates are applied without waiting for the idle timeout. */
		{.fd = syncchan.fd, .events = POLLIN},
	};
	nfds_t nfds = 7;
	bool more = false;

	for (;;) {
		uint64_t t0, now;
		struct timespec ts;

		/* Sooner when a shaper is due to release packets. */
		pg_datapath_poll_timeout(dp, more ? 0 : IDLE_POLL_MS, &ts);
		if (ppoll(pfd, nfds, &ts, NULL) < 0 && errno != EINTR) {
			pg_err("poll: %s", strerror(errno));
			return 1;
		}
		t0 = now_ns();
		now = t0 / 1000000;
		/* Kept alive only while this loop turns (WatchdogSec). */
		pg_sd_watchdog(now);
		if ((pfd[2].revents & POLLIN) && !signal_handled(sfd, ctl))
			return 0;
		if (pfd[3].revents & POLLIN)
			pg_handoff_woken(h);
		for (int s = 0; s < 2; s++) {
			if (pfd[s].revents & POLLERR)
				pg_datapath_error(dp, (enum pg_side)s, now);
			if (pfd[4 + s].revents & POLLIN)
				pg_datapath_host_ready(dp, (enum pg_side)s);
		}
		more = pg_datapath_pass(dp, now);
		/* Between passes the engines are idle: the standby's updates go in now. */
		pg_syncchan_run(&syncchan, dp->engines, now);
		/* The helpers' VPN events go to the control thread to be logged. */
		pg_handoff_events_push(h, dp->engines);
		/* Between passes: at most one bounded job for the control thread. */
		if (pg_handoff_pending(h)) {
			uint64_t tj = cpu_ns();

			pg_handoff_serve(h);
			pg_dp_pass_hist_add(&dp->stats.job, cpu_ns() - tj);
		}
		pg_dp_pass_hist_add(&dp->stats.pass, now_ns() - t0);
	}
}

/* What the command line asked for. */
struct options {
	const char *path;      /* -c, or NULL for the built-in demo configuration */
	const char *run_dir;   /* -r */
	const char *state_dir; /* -s: DHCP leases, the API's self-signed certificate */
	const char *user;      /* -u: whom to become once set up */
	bool keep_flows;       /* -k: a state file across restarts */
	bool check_only;       /* -t */
};

/* Parse the command line: -1 to go on, or the exit status to return now. */
static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{"hash-password", no_argument, NULL, 'H'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	int opt;

	memset(o, 0, sizeof(*o));
	o->state_dir = PG_STATE_DIR;
	o->user = PG_ISOLATE_USER;
	while ((opt = getopt_long(argc, argv, "c:r:s:ku:thV", longopts, NULL)) != -1) {
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
		case 'k':
			o->keep_flows = true;
			break;
		case 'u':
			o->user = optarg;
			break;
		case 't':
			o->check_only = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("passgated %s\n", PG_VERSION);
			return 0;
		default:
			usage(stderr);
			return PG_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return PG_EXIT_USAGE;
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

/*
 * Give up root: the directories written later go to the user (dnsmasq's
 * run directory, made now if DHCP or DNS may be switched on later through
 * the API, and the control socket's), then dp/isolate.c.
 */
static int drop_privileges(const struct pg_config *cfg, const struct pg_dnsmasq *dm,
			   const char *user, const char *state_dir)
{
	static char sock_dir[PG_CONFIG_SOCKET_PATH_SIZE];
	struct pg_isolate iso = {.user = user, .spawn = cfg->host.path, .seccomp = true};
	char err[256], *slash;

	if (cfg->host.path) {
		if (mkdir(dm->run_dir, 0755) && errno != EEXIST) {
			pg_err("cannot make the run directory %s: %s", dm->run_dir,
			       strerror(errno));
			return -1;
		}
		iso.dirs[0] = dm->run_dir;
	}
	if (cfg->api.socket_path[0]) {
		snprintf(sock_dir, sizeof(sock_dir), "%s", cfg->api.socket_path);
		slash = strrchr(sock_dir, '/');
		if (slash && slash != sock_dir) {
			*slash = '\0';
			iso.dirs[1] = sock_dir;
		}
	}
	/* The TLS key made there must stay readable to the next start. */
	iso.dirs[2] = state_dir;
	/* wireguard-go, started after the drop, makes its control socket there. */
	if (cfg->host.path && cfg->tunnel.type == PG_TUNNEL_WIREGUARD)
		iso.dirs[3] = PG_WG_SOCK_DIR;
	if (pg_isolate_apply(&iso, err, sizeof(err))) {
		pg_err("refusing to run with more privileges than needed: %s", err);
		return -1;
	}
	return 0;
}

/* The API over the running data path, listening on its unix socket; NULL after logging. */
static struct pg_api *api_start(struct pg_config *cfg, const char *path,
				struct pg_engines *engines, struct pg_datapath *dp,
				const struct pg_tls *tls, struct pg_handoff *h,
				const struct pg_tunnel *tunnel, const char *state_dir)
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
	env.dp = dp;
	env.history = &dp->history;
	env.tls = tls->cert_pem ? tls : NULL;
	env.handoff = h;
	env.state_dir = state_dir;
	env.shapers[PG_SIDE_LAN] = dp->shaper[PG_SIDE_LAN];
	env.shapers[PG_SIDE_WAN] = dp->shaper[PG_SIDE_WAN];
	env.tunnel = &tunnel->st;
	env.sync = &syncchan;
	env.diagnose = true; /* from the gateway's own stack: needs the host path to reach the WAN */
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
	static struct pg_tunnel tunnel;
	static struct pg_engines engines;
	static struct pg_tls tls;
	static struct pg_handoff handoff;
	struct pg_ctl ctl;
	char err[PG_CONFIG_ERR_SIZE];
	struct pg_config cfg;
	struct options o;
	struct pg_api *api;
	bool journal;
	int r, sfd, status = 1;
	bool keeps_state;
	const char *state_flows = NULL; /* -k: where the state file goes */

	r = parse_options(argc, argv, &o);
	if (r >= 0)
		return r;
	journal = pg_log_detect_journal();
	pg_sd_init();
	if (o.path)
		r = pg_config_load(&cfg, o.path, err, sizeof(err));
	else
		r = pg_config_parse(&cfg, "<built-in>", pg_config_builtin,
				    strlen(pg_config_builtin), err, sizeof(err));
	if (r) {
		fprintf(stderr, "%spassgated: %s\n", journal ? "<3>" : "", err);
		return PG_EXIT_CONFIG;
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
	/* Leases are state: they must outlive a reboot, the run directory does not. */
	if (cfg.host.path && pg_dnsmasq_set_lease_dir(&dnsmasq, o.state_dir, err, sizeof(err))) {
		pg_err("refusing to start: %s", err);
		goto out_cfg;
	}
	/* The VPN client's host side: its programs must be there. */
	if (pg_tunnel_init(&tunnel, &cfg, err, sizeof(err))) {
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
	/*
	 * Flows a stopping passgated left (docs/HA.md "Restarts"). Not with a
	 * DHCP WAN: the address they were translated to is not known until a
	 * lease is bound, and a lease ends every flow on another address.
	 */
	if (o.keep_flows && cfg.wan_dhcp) {
		pg_warn("-k: flows are not kept across restarts with [wan] address = dhcp "
			"(docs/HA.md \"Restarts\")");
		o.keep_flows = false;
	}
	state_flows = o.keep_flows ? o.state_dir : NULL;
	pg_statefile_startup(state_flows, o.path, pg_config_builtin, &engines, &cfg.engine,
			     now_ms());
	if (pg_syncchan_open(&syncchan, &cfg.sync, &engines, realtime_us(), err, sizeof(err))) {
		pg_err("refusing to start: %s", err);
		goto out_signals;
	}
	if (pg_datapath_init(&dp, &cfg, &engines, err, sizeof(err))) {
		pg_err("%s", err);
		goto out_sync;
	}
	log_start(&cfg, &dp);
	/* [wan] address = dhcp: the lease file lives in the state directory. */
	pg_wan_start(&dp, &cfg, o.state_dir, now_ms());
	/* [lan] address6 = pd: the delegation is kept beside the lease. */
	pg_pd_start(&dp, &cfg, o.state_dir, now_ms());
	/* [wan] address6 = slaac: the address the ISP offers, to the engines and the host. */
	pg_wan6_start(&dp, &cfg);
	if (cfg.api.enabled && pg_config_api_tls(&cfg.api) &&
	    pg_tls_load(&tls, &cfg.api, o.state_dir, err, sizeof(err))) {
		pg_err("%s", err);
		goto out_datapath;
	}
	r = pg_handoff_init(&handoff);
	if (r) {
		pg_err("eventfd: %s", strerror(-r));
		goto out_tls;
	}
	api = api_start(&cfg, o.path, &engines, &dp, &tls, &handoff, &tunnel, o.state_dir);
	if (!api)
		goto out_handoff;
	/*
	 * Privileges go before the control thread starts: capabilities are per
	 * thread, and a thread made later inherits the reduced set and the
	 * seccomp filter. The state directory is handed over when the
	 * daemon keeps something there (leases, the WAN's lease, its key, the
	 * past configurations, the flows of -k). The sync channel's socket is open
	 * by now.
	 */
	keeps_state = cfg.host.path || cfg.wan_dhcp || (tls.cert_pem && !cfg.api.tls_cert[0]) ||
		      (o.path && cfg.api.config_history) || state_flows;
	/*
	 * Packets first when the cores are shared with other work (the control
	 * thread runs at nice 10, ctl_thread.c). This thread becomes the data
	 * path's, and its session's scheduling group too when it leads one
	 * (priority.c: autogroup); a negative nice needs CAP_SYS_NICE, so
	 * before the drop. Best effort.
	 */
	pg_priority_raise(DP_NICE);
	if (drop_privileges(&cfg, &dnsmasq, o.user, keeps_state ? o.state_dir : NULL))
		goto out_api;
	if (pg_ctl_start(&ctl, api, &dnsmasq, cfg.host.path ? &tunnel : NULL, &cfg, &engines, &handoff, err, sizeof(err))) {
		pg_err("%s", err);
		goto out_api;
	}

	pg_sd_ready("running");
	status = run(&dp, sfd, &handoff, &ctl);
	pg_sd_stopping();
	pg_ctl_stop(&ctl); /* dnsmasq stops with it */
	/* No job can reach the engines now: the control thread is gone. */
	if (status == 0 && state_flows)
		pg_statefile_shutdown(state_flows, o.path, pg_config_builtin, &engines, now_ms());
	pg_info("stopped");
out_api:
	pg_api_destroy(api);
out_handoff:
	pg_handoff_fini(&handoff);
out_tls:
	pg_tls_free(&tls);
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
