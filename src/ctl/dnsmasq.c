/* SPDX-License-Identifier: MIT */
/*
 * dnsmasq.c - the dnsmasq child: start, watch, restart, stop.
 *
 * Theory of operation. All of this runs on the control thread
 * (ctl_thread.c), never the data path's, and never blocks on the child
 * except when stopping it. pg_dnsmasq_tick(), called from the control
 * thread's loop, does everything else:
 *   1. render the configuration the current settings ask for; if a child
 *      runs with another one (the API changed [dhcp] or [dns]) or none is
 *      wanted any more, stop it;
 *   2. reap the child with waitpid(WNOHANG) if it died, log how, and plan a
 *      restart after 1, 2, 4, ... s; after PG_DNSMASQ_MAX_RESTARTS quick
 *      deaths in a row, give up until the settings change (a dnsmasq that
 *      cannot bind would otherwise spin forever);
 *   3. start it when wanted, due, and the LAN host device carries the LAN
 *      address: dnsmasq binds to the device's address at start
 *      (bind-interfaces) and would fail before the address exists.
 * Only the PID we forked is ever signalled. The child asks the kernel for
 * SIGTERM when passgated dies (PR_SET_PDEATHSIG; strictly when the thread
 * that forked it ends, which is why the control thread stops dnsmasq
 * itself before it ends), so a killed daemon leaves no dnsmasq behind.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ctl/dnsmasq.h"
#include "util/log.h"

#define STOP_WAIT_MS 3000
#define BACKOFF_MAX_MS 30000

static int mkdir_p(const char *path)
{
	char buf[PG_DNSMASQ_PATH_MAX];
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -errno;
		buf[i] = path[i];
	}
	return 0;
}

int pg_dnsmasq_init(struct pg_dnsmasq *d, const struct pg_config *cfg, const char *bin,
		    const char *run_dir, const char *lan_dev, char *err, size_t errlen)
{
	int r;

	memset(d, 0, sizeof(*d));
	if (!bin)
		bin = PG_DNSMASQ_BIN;
	if (!run_dir)
		run_dir = PG_DNSMASQ_RUN_DIR;
	if (strlen(bin) >= sizeof(d->bin) || strlen(run_dir) >= sizeof(d->run_dir) - 32 ||
	    strlen(lan_dev) >= sizeof(d->lan_dev)) {
		snprintf(err, errlen, "dnsmasq: path or device name too long");
		return -ENAMETOOLONG;
	}
	snprintf(d->bin, sizeof(d->bin), "%s", bin);
	snprintf(d->run_dir, sizeof(d->run_dir), "%s", run_dir);
	snprintf(d->lease_dir, sizeof(d->lease_dir), "%s", run_dir);
	snprintf(d->lan_dev, sizeof(d->lan_dev), "%s", lan_dev);
	if (!pg_config_dnsmasq_wanted(cfg))
		return 0;
	if (access(d->bin, X_OK)) {
		r = -errno;
		snprintf(err, errlen,
			 "%s asks for DHCP or DNS, which dnsmasq serves, but %s cannot be run "
			 "(%s): install the Debian package dnsmasq-base, or turn [dhcp] enable "
			 "and [dns] forward off",
			 cfg->doc.name, d->bin, strerror(-r));
		return r;
	}
	r = mkdir_p(d->run_dir);
	if (r) {
		snprintf(err, errlen, "dnsmasq: cannot make the run directory %s: %s", d->run_dir,
			 strerror(-r));
		return r;
	}
	return 0;
}

int pg_dnsmasq_set_lease_dir(struct pg_dnsmasq *d, const char *dir, char *err, size_t errlen)
{
	int r;

	if (strlen(dir) >= sizeof(d->lease_dir) - 32) {
		snprintf(err, errlen, "dnsmasq: %s: path too long", dir);
		return -ENAMETOOLONG;
	}
	r = mkdir_p(dir);
	if (r) {
		snprintf(err, errlen, "dnsmasq: cannot make the state directory %s: %s", dir,
			 strerror(-r));
		return r;
	}
	snprintf(d->lease_dir, sizeof(d->lease_dir), "%s", dir);
	return 0;
}

bool pg_dnsmasq_dev_has_addr(const char *dev, uint32_t addr)
{
	struct ifreq ifr;
	struct sockaddr_in sin;
	bool has = false;
	int fd;

	if (strlen(dev) >= sizeof(ifr.ifr_name))
		return false;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, dev, strlen(dev));
	/* SIOCGIFADDR gives the primary address; the host device has only ours. */
	if (ioctl(fd, SIOCGIFADDR, &ifr) == 0) {
		memcpy(&sin, &ifr.ifr_addr, sizeof(sin));
		has = sin.sin_family == AF_INET && sin.sin_addr.s_addr == addr;
	}
	close(fd);
	return has;
}

/* Atomically replace run_dir/dnsmasq.conf with the rendered text. */
static int write_conf(const struct pg_dnsmasq *d, const char *text, size_t len, char *path,
		      size_t pathlen)
{
	char tmp[PG_DNSMASQ_PATH_MAX + 32];
	size_t off = 0;
	int fd, r = 0;

	snprintf(path, pathlen, "%s/dnsmasq.conf", d->run_dir);
	snprintf(tmp, sizeof(tmp), "%s/dnsmasq.conf.tmp", d->run_dir);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	while (off < len) {
		ssize_t k = write(fd, text + off, len - off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			r = k < 0 ? -errno : -EIO;
			break;
		}
		off += (size_t)k;
	}
	if (close(fd) && !r)
		r = -errno;
	if (!r && rename(tmp, path))
		r = -errno;
	if (r)
		unlink(tmp);
	return r;
}

/*
 * In the child, between vfork and exec: only async-signal-safe calls that
 * touch nothing of the parent's memory (the child shares it until execv).
 */
static void exec_child(const char *bin, char *const argv[], pid_t parent)
{
	sigset_t none;

	/* passgated blocks SIGTERM and friends for its signalfd: undo that. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(1); /* the daemon died before the line above took effect */
	/* Packet sockets and TAP descriptors are not dnsmasq's business. */
	if (close_range(3, ~0u, 0))
		for (int fd = 3; fd < 1024; fd++)
			close(fd);
	execv(bin, argv);
	{
		static const char msg[] = "passgated: cannot run dnsmasq (execv failed)\n";

		if (write(2, msg, sizeof(msg) - 1) < 0)
			_exit(127);
	}
	_exit(127);
}

static void start(struct pg_dnsmasq *d, const char *conf, size_t len, uint64_t now)
{
	char path[PG_DNSMASQ_PATH_MAX + 32], conf_arg[PG_DNSMASQ_PATH_MAX + 48];
	char *argv[] = {d->bin, "--keep-in-foreground", conf_arg, "--log-facility=-",
			"--pid-file", NULL};
	pid_t parent = getpid(), pid;
	int r;

	r = write_conf(d, conf, len, path, sizeof(path));
	if (r) {
		pg_err("dnsmasq: cannot write %s/dnsmasq.conf: %s", d->run_dir, strerror(-r));
		d->deaths++;
		d->next_start_ms = now + 1000;
		return;
	}
	snprintf(conf_arg, sizeof(conf_arg), "--conf-file=%s", path);
	fflush(stderr);
	/*
	 * vfork, not fork: fork would copy the page tables of the whole daemon
	 * (the flow table is over 100 MB) and make every page copy-on-write
	 * until the child execs, so the data path's thread would stall on
	 * write faults for tens of milliseconds (seen in control-no-stall).
	 * vfork shares the memory and only suspends this thread until execv.
	 * posix_spawn, which clang-tidy would rather see, cannot ask for
	 * PR_SET_PDEATHSIG in the child; exec_child() makes only
	 * async-signal-safe calls and never returns.
	 */
	pid = vfork(); /* NOLINT(clang-analyzer-security.insecureAPI.vfork) */
	if (pid < 0) {
		pg_err("dnsmasq: vfork: %s", strerror(errno));
		d->deaths++;
		d->next_start_ms = now + 1000;
		return;
	}
	if (pid == 0)
		exec_child(d->bin, argv, parent); /* NOLINT(clang-analyzer-unix.Vfork) */
	d->pid = pid;
	d->started_ms = now;
	memcpy(d->conf, conf, len + 1);
	d->conf_len = len;
	pg_info("dnsmasq: started pid %d: %s --keep-in-foreground %s --log-facility=- --pid-file "
		"(bound to %s; leases in %s)",
		(int)pid, d->bin, conf_arg, d->lan_dev, d->lease_dir);
}

/* How a reaped child ended, for the log. */
static void describe(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "ended (status 0x%x)", (unsigned int)status);
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

void pg_dnsmasq_stop(struct pg_dnsmasq *d)
{
	char how[64];
	int status = 0;
	pid_t w = 0;

	if (d->pid <= 0)
		return;
	kill(d->pid, SIGTERM);
	for (unsigned int t = 0; t < STOP_WAIT_MS; t += 20) {
		w = waitpid(d->pid, &status, WNOHANG);
		if (w != 0)
			break;
		sleep_ms(20);
	}
	if (w == 0) {
		pg_warn("dnsmasq: pid %d did not stop within %u ms: SIGKILL", (int)d->pid,
			STOP_WAIT_MS);
		kill(d->pid, SIGKILL);
		w = waitpid(d->pid, &status, 0);
	}
	if (w == d->pid) {
		describe(status, how, sizeof(how));
		pg_info("dnsmasq: pid %d stopped (%s)", (int)d->pid, how);
	}
	d->pid = 0;
	d->conf_len = 0;
}

/* Reap the child if it died; plan the restart. */
static void reap(struct pg_dnsmasq *d, uint64_t now)
{
	unsigned int delay;
	char how[64];
	int status;
	pid_t w = waitpid(d->pid, &status, WNOHANG);

	if (w == 0)
		return;
	if (w < 0 && errno == EINTR)
		return;
	if (w > 0)
		describe(status, how, sizeof(how));
	else
		snprintf(how, sizeof(how), "lost (waitpid: %s)", strerror(errno));
	/* A long healthy run forgives earlier deaths. */
	if (now - d->started_ms >= PG_DNSMASQ_STABLE_MS)
		d->deaths = 0;
	d->deaths++;
	/* d->conf stays: settings equal to it do not deserve a new try once we gave up. */
	d->pid = 0;
	if (d->deaths > PG_DNSMASQ_MAX_RESTARTS) {
		d->gave_up = true;
		pg_err("dnsmasq: %s after %u restarts; not restarting it again (DHCP and DNS for "
		       "the LAN are down until its settings change or passgated restarts)",
		       how, PG_DNSMASQ_MAX_RESTARTS);
		return;
	}
	delay = 1000u << (d->deaths - 1);
	if (delay > BACKOFF_MAX_MS)
		delay = BACKOFF_MAX_MS;
	d->next_start_ms = now + delay;
	pg_warn("dnsmasq: %s; restart %u of %u in %u ms", how, d->deaths, PG_DNSMASQ_MAX_RESTARTS,
		delay);
}

static bool same_conf(const struct pg_dnsmasq *d, const char *conf, int len)
{
	return len >= 0 && (size_t)len == d->conf_len && !memcmp(conf, d->conf, d->conf_len);
}

void pg_dnsmasq_tick(struct pg_dnsmasq *d, const struct pg_config *cfg, uint64_t now_ms)
{
	static char conf[PG_DNSMASQ_CONF_MAX];
	bool wanted = pg_config_dnsmasq_wanted(cfg);
	int len = 0;

	if (wanted) {
		len = pg_dnsmasq_render(cfg, d->lan_dev, d->lease_dir, conf, sizeof(conf));
		if (len < 0) {
			/* The config's limits keep this from happening. */
			pg_err("dnsmasq: configuration larger than %d bytes", PG_DNSMASQ_CONF_MAX);
			wanted = false;
		}
	}
	if (d->pid > 0 && (!wanted || !same_conf(d, conf, len))) {
		pg_info("dnsmasq: [dhcp]/[dns] %s: stopping pid %d",
			wanted ? "changed" : "no longer ask for it", (int)d->pid);
		pg_dnsmasq_stop(d);
		d->deaths = 0;
		d->gave_up = false;
		d->next_start_ms = 0;
	}
	if (d->gave_up && wanted && !same_conf(d, conf, len)) {
		/* New settings deserve a new try. */
		d->gave_up = false;
		d->deaths = 0;
		d->next_start_ms = 0;
	}
	if (d->pid > 0)
		reap(d, now_ms);
	if (d->pid > 0 || !wanted || d->gave_up || now_ms < d->next_start_ms)
		return;
	if (!pg_dnsmasq_dev_has_addr(d->lan_dev, cfg->engine.lan_addr)) {
		if (!d->waiting_logged)
			pg_info("dnsmasq: waiting for %s to carry the LAN address", d->lan_dev);
		d->waiting_logged = true;
		return;
	}
	d->waiting_logged = false;
	start(d, conf, (size_t)len, now_ms);
}
