/* SPDX-License-Identifier: MIT */
/*
 * tunnel.c - the tunnel's supervisor (tunnel.h).
 *
 * DOC: Theory of operation
 *
 * Everything runs on the control thread, from pg_tunnel_tick() every
 * PG_TUNNEL_TICK_MS, the way dnsmasq.c runs dnsmasq:
 *   1. The settings the tunnel is built from are rendered into a signature;
 *      when the API changed them (or turned the tunnel off) the child is
 *      stopped and the host's rules removed, so they are built again.
 *   2. The host's rules go in first (tunnel_host.c): from then on tunnelled
 *      hosts' packets can only go into the tunnel or into the blackhole.
 *   3. wireguard-go -f DEV is started; once its control socket appears,
 *      `wg setconf DEV FILE` and ip(8) give the device its keys, peer,
 *      address, MTU and the table's default route. Or openvpn --config
 *      FILE with the options of tunnel_ovpn.c; it makes the device and
 *      gives it its address once connected, and when the device is there
 *      and up ip(8) adds the table's default route. Should OpenVPN make a
 *      new device (another ifindex) the route is added again. A child
 *      that dies is
 *      reaped and started again after 1, 2, 4 ... s (at most 30 s); after
 *      PG_TUNNEL_MAX_RESTARTS quick deaths in a row we give up until the
 *      settings change.
 *   4. Liveness: a DNS query to [tunnel] dns, sent through the device
 *      (SO_BINDTODEVICE: never any other way) every PG_TUNNEL_PROBE_MS.
 *      The tunnel is up while an answer came within PG_TUNNEL_DOWN_MS.
 *      A handshake alone proves nothing once the peer is gone (WireGuard
 *      keeps sending on its last keys for minutes); an answer from inside
 *      proves the path both ways. The probe also makes WireGuard start a
 *      handshake when it has none, so a peer that comes back is found
 *      without a manual step. For OpenVPN the same probe decides: its
 *      own ping-restart finds the server again.
 *   5. Each change of up/down is logged once and handed to the engines
 *      (set_up: a job between two passes), whose kill switch drops the
 *      tunnelled hosts' traffic while down.
 * Only the PID we forked is ever signalled; it gets SIGTERM if passgated
 * dies (PR_SET_PDEATHSIG), and the device vanishes with it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ctl/child.h"
#include "ctl/tunnel.h"
#include "util/log.h"

#define STOP_WAIT_MS 3000
#define BACKOFF_MAX_MS 30000

/* The child's name, for the log. */
static const char *prog(const struct pg_tunnel *t)
{
	return t->type == PG_TUNNEL_OPENVPN ? "openvpn" : "wireguard-go";
}

int pg_tunnel_init(struct pg_tunnel *t, const struct pg_config *cfg, char *err, size_t errlen)
{
	static const char *const wg_bins[] = {PG_TUNNEL_WG_GO, PG_TUNNEL_WG, PG_TUNNEL_IP,
					      PG_TUNNEL_NFT, NULL};
	static const char *const ovpn_bins[] = {PG_TUNNEL_OPENVPN_BIN, PG_TUNNEL_IP, PG_TUNNEL_NFT,
						NULL};
	const char *const *bins = cfg->tunnel.type == PG_TUNNEL_OPENVPN ? ovpn_bins : wg_bins;

	memset(t, 0, sizeof(*t));
	t->probe_fd = -1;
	t->type = cfg->tunnel.type;
	snprintf(t->lan_dev, sizeof(t->lan_dev), "%s", cfg->host.lan_dev);
	snprintf(t->wan_dev, sizeof(t->wan_dev), "%s", cfg->host.wan_dev);
	if (cfg->tunnel.type == PG_TUNNEL_OFF)
		return 0;
	for (size_t i = 0; bins[i]; i++) {
		if (access(bins[i], X_OK)) {
			int r = -errno;

			snprintf(err, errlen,
				 "[tunnel] type = %s needs %s (%s): install the Debian packages %s, "
				 "iproute2 and nftables",
				 pg_tunnel_type_names[t->type], bins[i], strerror(-r),
				 t->type == PG_TUNNEL_OPENVPN ? "openvpn" :
								"wireguard-go, wireguard-tools");
			return r;
		}
	}
	if (t->type == PG_TUNNEL_WIREGUARD && mkdir(PG_WG_SOCK_DIR, 0755) && errno != EEXIST) {
		int r = -errno;

		snprintf(err, errlen, "tunnel: cannot make %s: %s", PG_WG_SOCK_DIR, strerror(-r));
		return r;
	}
	return 0;
}

/* The settings the running tunnel depends on, as text. */
static int render_sig(const struct pg_tunnel *t, const struct pg_config *cfg, char *buf,
		      size_t len)
{
	const struct pg_config_tunnel *tc = &cfg->tunnel;
	int n = snprintf(buf, len, "%d %s %s %s %08x/%u mtu %u table %u killswitch %d\n", tc->type,
			 tc->device, tc->wg_config, tc->ovpn_config, tc->addr, tc->prefix, tc->mtu, tc->table,
			 cfg->engine.tunnel_killswitch);
	int m;

	if (n < 0 || (size_t)n >= len)
		return -1;
	m = pg_tunnel_nft_render(cfg, t->lan_dev, t->wan_dev, buf + n, len - (size_t)n);
	return m < 0 ? -1 : n + m;
}

static void set_state(struct pg_tunnel *t, bool up, const char *why)
{
	if (t->st.up == up)
		return;
	t->st.up = up;
	t->st.since = (int64_t)time(NULL);
	t->st.changes++;
	if (up)
		pg_info("tunnel %s: up (%s): tunnelled hosts go through it", t->host_dev, why);
	else
		pg_warn("tunnel %s: down (%s): tunnelled hosts' traffic is dropped (kill switch) "
			"until it answers again",
			t->host_dev, why);
	if (t->set_up)
		t->set_up(t->arg, up);
}

static void probe_close(struct pg_tunnel *t)
{
	if (t->probe_fd >= 0)
		close(t->probe_fd);
	t->probe_fd = -1;
}

/* A UDP socket to [tunnel] dns:53 that can only use the tunnel's device. */
static int probe_open(struct pg_tunnel *t, const struct pg_config *cfg)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(53),
				 .sin_addr.s_addr = cfg->tunnel.dns};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, cfg->tunnel.device,
		       (socklen_t)strlen(cfg->tunnel.device)) ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int r = -errno;

		close(fd);
		return r;
	}
	t->probe_fd = fd;
	return 0;
}

static void probe_run(struct pg_tunnel *t, uint64_t now)
{
	uint8_t buf[512];
	ssize_t n;

	while ((n = recv(t->probe_fd, buf, sizeof(buf), 0)) > 0 || (n < 0 && errno == EINTR))
		if (n > 0 && pg_wg_probe_answer(buf, (size_t)n, t->probe_id))
			t->last_answer_ms = now;
	if (now - t->probe_sent_ms >= PG_TUNNEL_PROBE_MS) {
		size_t len;

		t->probe_id++;
		len = pg_wg_probe_query(buf, sizeof(buf), t->probe_id);
		/* ENOKEY or EHOSTUNREACH while WireGuard has no session: counts as no answer. */
		if (send(t->probe_fd, buf, len, 0) < 0)
			pg_debug("tunnel: probe: %s", strerror(errno));
		t->probe_sent_ms = now;
	}
}

static void child_gone(struct pg_tunnel *t, uint64_t now, const char *how)
{
	unsigned int delay;

	probe_close(t);
	t->pid = 0;
	t->st.pid = 0;
	t->dev_ready = false;
	t->st.running = false;
	t->st.restarts++;
	set_state(t, false, t->type == PG_TUNNEL_OPENVPN ? "openvpn ended" : "wireguard-go ended");
	if (now - t->started_ms >= PG_TUNNEL_STABLE_MS)
		t->deaths = 0;
	t->deaths++;
	if (t->deaths > PG_TUNNEL_MAX_RESTARTS) {
		t->gave_up = true;
		pg_err("tunnel: %s %s after %u restarts; not starting it again until "
		       "[tunnel] changes (tunnelled hosts stay cut off)",
		       prog(t), how, PG_TUNNEL_MAX_RESTARTS);
		return;
	}
	/* 1, 2, 4 ... s; from the sixth death on the ceiling (no shift past the width). */
	delay = t->deaths - 1 >= 5 ? BACKOFF_MAX_MS : 1000u << (t->deaths - 1);
	if (delay > BACKOFF_MAX_MS)
		delay = BACKOFF_MAX_MS;
	t->next_start_ms = now + delay;
	pg_warn("tunnel: %s %s; restart %u of %u in %u ms", prog(t), how, t->deaths,
		PG_TUNNEL_MAX_RESTARTS, delay);
}

static void child_stop(struct pg_tunnel *t)
{
	char how[64];
	int status;

	probe_close(t);
	if (t->pid <= 0)
		return;
	pg_child_stop(t->pid, STOP_WAIT_MS, &status);
	pg_child_describe(status, how, sizeof(how));
	pg_info("tunnel: %s pid %d stopped (%s)", prog(t), (int)t->pid, how);
	t->pid = 0;
	t->st.pid = 0;
	t->dev_ready = false;
	t->st.running = false;
}

static void child_start(struct pg_tunnel *t, const struct pg_config *cfg, uint64_t now)
{
	char *wg_argv[] = {PG_TUNNEL_WG_GO, "-f", (char *)cfg->tunnel.device, NULL};
	char *wg_envp[] = {pg_log_get_level() >= PG_LOG_DEBUG ? "LOG_LEVEL=verbose" :
								"LOG_LEVEL=error",
			   "WG_PROCESS_FOREGROUND=1", NULL};
	char *ovpn_argv[PG_TUNNEL_OVPN_ARGV], dir[PG_TUNNEL_PATH_MAX + 1];
	char **argv = wg_argv, **envp = wg_envp;
	pid_t pid;

	if (t->type == PG_TUNNEL_OPENVPN) {
		if (pg_tunnel_ovpn_argv(cfg, ovpn_argv, PG_TUNNEL_OVPN_ARGV, dir, sizeof(dir)) < 0) {
			pg_err("tunnel: openvpn's command line does not fit");
			t->gave_up = true;
			return;
		}
		argv = ovpn_argv;
		envp = NULL; /* nothing of passgated's environment; openvpn needs none */
	}
	pid = pg_child_spawn(argv, envp);
	if (pid < 0) {
		pg_err("tunnel: cannot start %s: %s", prog(t), strerror((int)-pid));
		t->next_start_ms = now + 1000;
		return;
	}
	t->pid = pid;
	t->st.pid = pid;
	t->started_ms = now;
	t->dev_ready = false;
	if (t->type == PG_TUNNEL_OPENVPN)
		pg_info("tunnel: started pid %d: %s --config %s --dev %s (and passgated's options)",
			(int)pid, PG_TUNNEL_OPENVPN_BIN, cfg->tunnel.ovpn_config, cfg->tunnel.device);
	else
		pg_info("tunnel: started pid %d: %s -f %s", (int)pid, PG_TUNNEL_WG_GO,
			cfg->tunnel.device);
}

/*
 * openvpn's device: is it there and up (then 1, with its ifindex), or not
 * yet (0)? OpenVPN makes it only once connected, which takes as long as
 * the server does: no deadline, the tunnel is down meanwhile.
 */
static int ovpn_dev_ready(const struct pg_config *cfg, unsigned int *ifindex)
{
	bool up = false;

	return !pg_tunnel_dev_state(cfg->tunnel.device, ifindex, &up) && up;
}

/* wireguard-go's socket is there: keys, peer, address, route; then the probe. */
static void child_configure(struct pg_tunnel *t, const struct pg_config *cfg, uint64_t now)
{
	char sock[PG_TUNNEL_PATH_MAX];
	unsigned int ifindex = 0;
	int r;

	snprintf(sock, sizeof(sock), "%s/%s.sock", PG_WG_SOCK_DIR, cfg->tunnel.device);
	if (t->type == PG_TUNNEL_OPENVPN) {
		if (!ovpn_dev_ready(cfg, &ifindex))
			return;
	} else if (access(sock, F_OK)) {
		if (now - t->started_ms < PG_TUNNEL_START_MS)
			return;
		pg_err("tunnel: wireguard-go made no %s within %u ms", sock, PG_TUNNEL_START_MS);
		child_stop(t);
		child_gone(t, now, "did not start");
		return;
	}
	if (pg_tunnel_host_dev_up(cfg)) {
		child_stop(t);
		child_gone(t, now, "could not be configured");
		return;
	}
	r = probe_open(t, cfg);
	if (r) {
		pg_err("tunnel: cannot open the liveness probe's socket on %s: %s",
		       cfg->tunnel.device, strerror(-r));
		child_stop(t);
		child_gone(t, now, "has no probe");
		return;
	}
	t->dev_ready = true;
	t->dev_ifindex = ifindex;
	t->st.running = true;
	t->probe_sent_ms = 0;
	t->last_answer_ms = 0;
	if (t->type == PG_TUNNEL_OPENVPN) {
		pg_info("tunnel %s: openvpn's device is up (ifindex %u), routed; waiting for an "
			"answer through it",
			cfg->tunnel.device, ifindex);
	} else {
		struct in_addr a = {.s_addr = cfg->tunnel.addr};
		char as[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &a, as, sizeof(as));
		pg_info("tunnel %s: configured from %s, address %s/%u, mtu %u; waiting for an "
			"answer through it",
			cfg->tunnel.device, cfg->tunnel.wg_config, as, cfg->tunnel.prefix,
			cfg->tunnel.mtu);
	}
}

/*
 * openvpn's device went away or was made anew (another ifindex: OpenVPN
 * reopened it), taking the table's route with it: configure it again once
 * it is back. The blackhole holds meanwhile.
 */
static void ovpn_dev_watch(struct pg_tunnel *t, const struct pg_config *cfg)
{
	unsigned int ifindex = 0;

	if (ovpn_dev_ready(cfg, &ifindex) && ifindex == t->dev_ifindex)
		return;
	pg_warn("tunnel %s: openvpn's device is %s; routing it again when it is back",
		cfg->tunnel.device, ifindex ? "new or down" : "gone");
	probe_close(t);
	t->dev_ready = false;
	t->st.running = false;
}

static void reap(struct pg_tunnel *t, uint64_t now)
{
	char how[64];
	int status;
	pid_t w = waitpid(t->pid, &status, WNOHANG);

	if (w == 0 || (w < 0 && errno == EINTR))
		return;
	if (w > 0)
		pg_child_describe(status, how, sizeof(how));
	else
		snprintf(how, sizeof(how), "lost (waitpid: %s)", strerror(errno));
	child_gone(t, now, how);
}

void pg_tunnel_stop(struct pg_tunnel *t)
{
	child_stop(t);
	pg_tunnel_host_teardown(t, false);
	t->sig[0] = '\0';
	set_state(t, false, "stopped");
}

void pg_tunnel_tick(struct pg_tunnel *t, const struct pg_config *cfg, uint64_t now)
{
	static char sig[PG_TUNNEL_SIG_MAX];
	bool wanted = cfg->tunnel.type != PG_TUNNEL_OFF;
	bool built = t->host_set || t->pid > 0;

	if (now < t->next_tick_ms)
		return;
	t->next_tick_ms = now + PG_TUNNEL_TICK_MS;
	t->st.configured = wanted;
	if (wanted && render_sig(t, cfg, sig, sizeof(sig)) < 0) {
		pg_err("tunnel: settings too large to render");
		wanted = false;
	}
	if ((built || t->gave_up) && (!wanted || strcmp(sig, t->sig))) {
		if (built)
			pg_info("tunnel: [tunnel] %s: rebuilding",
				wanted ? "changed" : "turned off");
		pg_tunnel_stop(t);
		t->deaths = 0;
		t->gave_up = false;
		t->next_start_ms = 0;
	}
	if (!wanted || t->gave_up)
		return;
	if (!t->host_set) {
		snprintf(t->sig, sizeof(t->sig), "%s", sig);
		if (now < t->next_start_ms)
			return;
		if (pg_tunnel_host_setup(t, cfg)) {
			pg_tunnel_host_teardown(t, true);
			t->next_start_ms = now + 5000;
			return;
		}
	}
	if (t->pid > 0)
		reap(t, now);
	if (t->pid <= 0) {
		if (now >= t->next_start_ms)
			child_start(t, cfg, now);
		return;
	}
	if (t->dev_ready && t->type == PG_TUNNEL_OPENVPN)
		ovpn_dev_watch(t, cfg);
	if (!t->dev_ready) {
		child_configure(t, cfg, now);
		if (!t->dev_ready) {
			/* openvpn still connecting: its address is not there, so neither is the
			 * tunnel; after 5 s without an answer that is down as well. */
			if (t->st.up && now - t->last_answer_ms >= PG_TUNNEL_DOWN_MS)
				set_state(t, false, "its device is gone");
			return;
		}
	}
	probe_run(t, now);
	if (t->type == PG_TUNNEL_OPENVPN)
		t->st.have_stats = !pg_tunnel_dev_stats(cfg->tunnel.device, &t->st.stats);
	else
		t->st.have_stats =
			!pg_wg_uapi_get(PG_WG_SOCK_DIR, cfg->tunnel.device, &t->st.stats);
	if (t->last_answer_ms && now - t->last_answer_ms < PG_TUNNEL_DOWN_MS)
		set_state(t, true, "its peer answers through it");
	else if (t->st.up)
		set_state(t, false, "no answer through it for 5 s");
}
