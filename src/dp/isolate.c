/* SPDX-License-Identifier: MIT */
/*
 * isolate.c - passgated's steady state: another user, few capabilities, a
 * system call allow-list.
 *
 * Theory of operation. Everything that needs root happens at start: packet
 * sockets on the links (CAP_NET_RAW), the XDP program and its map (CAP_BPF,
 * CAP_NET_ADMIN), the TAP devices and the links' sysctls (CAP_NET_ADMIN),
 * the API's sockets (CAP_NET_BIND_SERVICE below port 1024). Once they are
 * open, pg_isolate_apply() runs, before the first packet or request:
 *
 * 1. The directories the daemon writes later (the run directory of the
 *    control socket and dnsmasq, the state directory) are handed to the
 *    user, so it can replace files there.
 * 2. The capability sets, the bounding set included, are cut to what the
 *    steady state still uses: CAP_NET_ADMIN for the host path's routes
 *    ([host] routes changed through the API) and for putting the links'
 *    sysctls back at exit; with dnsmasq possible, also CAP_NET_BIND_SERVICE
 *    and CAP_NET_RAW, and the three become ambient so that dnsmasq, which
 *    the daemon (re)starts as its child, gets them across execve without
 *    being root (it is then told not to change user: dnsmasq_conf.c), and
 *    so do the tunnel's wireguard-go, wg, ip and nft (ctl/tunnel.c). When
 *    there is no user to switch to, the daemon stays uid 0 without the
 *    other capabilities, and keeps CAP_SETUID and CAP_SETGID for dnsmasq's
 *    own switch to nobody, and CAP_KILL to stop it once it is nobody.
 * 3. The user changes (libcap-ng keeps the capabilities across it).
 * 4. A seccomp filter (libseccomp) allows the system calls the loop, the
 *    API, reloads, captures and the dnsmasq child make, and traps any
 *    other: the SIGSYS handler writes one line naming the call, then the
 *    signal kills the process. The filter is synchronised to every thread
 *    and inherited by dnsmasq, whose calls are in the list for that reason.
 *
 * /proc/PID/status of the daemon shows the result (Uid, CapEff, CapBnd,
 * CapAmb, NoNewPrivs, Seccomp: 2).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cap-ng.h>
#include <linux/capability.h>

#include "dp/isolate.h"
#include "util/log.h"

static char switched_to[64];
static bool journal; /* the SIGSYS line then starts with <2> (critical) */

const char *pg_isolate_user(void)
{
	return switched_to[0] ? switched_to : NULL;
}

/*
 * The steady state's system calls: the poll loop and data path (ring and
 * socket I/O, timers), the API (MHD with epoll, GnuTLS), the config file
 * written back (temporary file, fsync, rename), captures (memory only),
 * sd_notify, the log, thread and memory housekeeping of glibc; with spawn,
 * starting, signalling and reaping dnsmasq, and what dnsmasq itself calls.
 */
static const char *const steady_calls[] = {
	"read", "write", "readv", "writev", "pread64", "pwrite64", "close", "close_range",
	"lseek", "fstat", "newfstatat", "statx", "stat", "lstat", "openat", "open",
	"fcntl", "ioctl", "dup", "dup2", "dup3", "pipe2", "access", "faccessat", "faccessat2",
	"readlink", "readlinkat", "getdents64", "mkdirat", "mkdir", "unlink", "unlinkat",
	"rename", "renameat", "renameat2", "fchmod", "fchmodat", "fchown", "fchownat",
	"fsync", "fdatasync", "ftruncate", "umask", "getcwd",
	"poll", "ppoll", "select", "pselect6", "epoll_create1", "epoll_ctl", "epoll_wait",
	"epoll_pwait", "epoll_pwait2", "eventfd2", "signalfd4", "timerfd_create",
	"timerfd_settime", "timerfd_gettime",
	"socket", "socketpair", "bind", "listen", "accept", "accept4", "connect",
	"shutdown", "getsockname", "getpeername", "setsockopt", "getsockopt", "sendto",
	"recvfrom", "sendmsg", "recvmsg", "sendmmsg", "recvmmsg", "sendfile",
	"mmap", "munmap", "mprotect", "bpf", "mremap", "madvise", "brk", "mlock", "munlock",
	"futex", "futex_waitv", "set_robust_list", "get_robust_list", "rseq", "sched_yield",
	"sched_getaffinity", "membarrier", "nanosleep", "clock_nanosleep", "clock_gettime",
	"clock_getres", "gettimeofday", "time", "getrandom",
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigtimedwait", "sigaltstack",
	"kill", "tgkill", "tkill", "getpid", "gettid", "getppid", "getuid", "geteuid",
	"getgid", "getegid", "getresuid", "getresgid", "getgroups", "capget", "prctl",
	"uname", "sysinfo", "getrlimit", "prlimit64", "getrusage", "getpriority",
	"wait4", "waitid", "exit", "exit_group", "restart_syscall", "set_tid_address",
	"arch_prctl",
	/* The control thread (ctl/ctl_thread.c) starts after the filter, and both
	 * threads set their nice level. */
	"clone", "clone3", "setpriority",
};

/*
 * Starting dnsmasq and the tunnel's programs, and those programs themselves
 * (they inherit the filter): wireguard-go, wg, ip, nft and openvpn make no
 * call outside the two lists (strace of each, and the router-vpn-*
 * scenarios run them under the filter). openvpn asks fstatfs() (glibc,
 * at its start) and nothing else beyond what dnsmasq needs: an strace of a
 * connect, a server restart (ping-restart, reconnect) and a SIGTERM.
 */
static const char *const spawn_calls[] = {
	"clone", "clone3", "fork", "vfork", "execve", "execveat", "setsid", "setpgid",
	"getpgid", "getpgrp", "setgroups", "setuid", "setgid", "setresuid", "setresgid",
	"capset", "chdir", "fchdir", "chown", "chmod", "inotify_init1", "inotify_add_watch",
	"inotify_rm_watch", "alarm", "setitimer", "getitimer", "pause", "rt_sigsuspend",
	"utimensat", "link", "linkat", "symlink", "rmdir", "truncate", "fstatfs",
};

/* Append s to line at *n, leaving room for the newline. */
static void put(char *line, size_t size, size_t *n, const char *s)
{
	while (*s && *n < size - 1)
		line[(*n)++] = *s++;
}

/*
 * A call outside the list: say which, then die of the signal (SIG_DFL is
 * back through SA_RESETHAND). The number goes out first with nothing but
 * write(); naming it asks libseccomp, which allocates, and could only hang
 * if the trapped call came from inside malloc (the watchdog then ends it).
 */
static void sigsys_handler(int sig, siginfo_t *si, void *uc)
{
	char line[160], num[16];
	const char *name;
	size_t n = 0;
	int nr = si->si_syscall, k = 0;

	(void)uc;
	do {
		num[k++] = (char)('0' + nr % 10);
		nr /= 10;
	} while (nr && k < (int)sizeof(num));
	put(line, sizeof(line), &n, journal ? "<2>passgated: seccomp: system call " :
					      "passgated: seccomp: system call ");
	while (k > 0)
		line[n++] = num[--k];
	if (write(STDERR_FILENO, line, n) < 0)
		_exit(1);
	n = 0;
	name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, si->si_syscall);
	put(line, sizeof(line), &n, " (");
	put(line, sizeof(line), &n, name ? name : "?");
	put(line, sizeof(line), &n, ") is not in the allow-list: stopping (a bug; please report it)");
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, n) < 0)
		_exit(1);
	raise(sig);
}

static int add_calls(scmp_filter_ctx ctx, const char *const *names, size_t count, char *err,
		     size_t errlen)
{
	for (size_t i = 0; i < count; i++) {
		int nr = seccomp_syscall_resolve_name(names[i]);
		int r;

		if (nr == __NR_SCMP_ERROR)
			continue; /* not on this architecture (e.g. "open" on arm64) */
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		if (r < 0) {
			snprintf(err, errlen, "seccomp: allowing %s: %s", names[i], strerror(-r));
			return r;
		}
	}
	return 0;
}

static int install_seccomp(bool spawn, char *err, size_t errlen)
{
	struct sigaction sa;
	scmp_filter_ctx ctx;
	int r;

	journal = pg_log_journal();
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sigsys_handler;
	sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL)) {
		snprintf(err, errlen, "seccomp: SIGSYS handler: %s", strerror(errno));
		return -errno;
	}
	ctx = seccomp_init(SCMP_ACT_TRAP);
	if (!ctx) {
		snprintf(err, errlen, "seccomp: cannot make a filter");
		return -ENOMEM;
	}
	r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (!r)
		r = add_calls(ctx, steady_calls, sizeof(steady_calls) / sizeof(steady_calls[0]),
			      err, errlen);
	if (!r && spawn)
		r = add_calls(ctx, spawn_calls, sizeof(spawn_calls) / sizeof(spawn_calls[0]), err,
			      errlen);
	if (!r) {
		r = seccomp_load(ctx);
		if (r)
			snprintf(err, errlen, "seccomp: loading the filter: %s", strerror(-r));
	}
	seccomp_release(ctx);
	return r;
}

/* Keep cap if it is held now, for dnsmasq too (ambient) when asked. */
static void keep(const bool *held, int cap, bool ambient)
{
	if (!held[cap])
		return;
	capng_update(CAPNG_ADD,
		     CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_INHERITABLE | CAPNG_BOUNDING_SET,
		     (unsigned int)cap);
	if (ambient)
		capng_update(CAPNG_ADD, CAPNG_AMBIENT, (unsigned int)cap);
}

/* One line saying what the daemon holds from now on. */
static void log_result(const struct pg_isolate *iso)
{
	char *caps = capng_print_caps_text(CAPNG_PRINT_BUFFER, CAPNG_EFFECTIVE);

	pg_info("privileges: user %s (uid %u), capabilities %s%s, seccomp allow-list%s",
		switched_to[0] ? switched_to : "kept", (unsigned int)geteuid(),
		caps && *caps ? caps : "none", iso->spawn ? " (ambient for dnsmasq)" : "",
		iso->seccomp ? "" : " off");
	free(caps);
}

/*
 * Hand a directory the daemon writes to later, and the regular files in it
 * (a lease file a root dnsmasq made on an earlier run), to uid:gid. Links
 * are not followed: the directory's contents are not trusted.
 */
static int give_dir(const char *dir, uid_t uid, gid_t gid, int depth, char *err, size_t errlen)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int r = 0;

	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	if (fchown(dirfd(d), uid, gid)) {
		r = -errno;
		snprintf(err, errlen, "cannot hand %s to uid %u: %s", dir, (unsigned int)uid,
			 strerror(errno));
		goto out;
	}
	while ((de = readdir(d))) {
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW))
			continue;
		/* One level down: the state directory's config.d (conf/config_history.c). */
		if (S_ISDIR(st.st_mode) && depth > 0 && strcmp(de->d_name, ".") &&
		    strcmp(de->d_name, "..")) {
			char sub[4096];

			if (snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name) >= (int)sizeof(sub))
				continue;
			r = give_dir(sub, uid, gid, depth - 1, err, errlen);
			if (r)
				break;
			continue;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		if (fchownat(dirfd(d), de->d_name, uid, gid, AT_SYMLINK_NOFOLLOW)) {
			r = -errno;
			snprintf(err, errlen, "cannot hand %s/%s to uid %u: %s", dir, de->d_name,
				 (unsigned int)uid, strerror(errno));
			break;
		}
	}
out:
	closedir(d);
	return r;
}

int pg_isolate_apply(const struct pg_isolate *iso, char *err, size_t errlen)
{
	bool held[CAP_LAST_CAP + 1] = {false}, setpcap;
	struct passwd *pw = NULL;
	int r;

	if (geteuid() == 0 && iso->user)
		pw = getpwnam(iso->user);
	/* What we hold now bounds what we can keep (a unit's bounding set,
	 * or a start without root); cutting the bounding set needs SETPCAP. */
	capng_get_caps_process();
	setpcap = capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP);
	for (int c = 0; c <= CAP_LAST_CAP; c++)
		held[c] = capng_have_capability(CAPNG_PERMITTED, (unsigned int)c);
	capng_clear(CAPNG_SELECT_ALL);
	keep(held, CAP_NET_ADMIN, false);
	if (iso->spawn) {
		keep(held, CAP_NET_ADMIN, true);
		keep(held, CAP_NET_BIND_SERVICE, true);
		keep(held, CAP_NET_RAW, true);
		/* Still uid 0 (no such user): dnsmasq drops to nobody itself, and
		 * signalling it then needs CAP_KILL. */
		if (!pw && geteuid() == 0) {
			keep(held, CAP_SETUID, true);
			keep(held, CAP_SETGID, true);
			keep(held, CAP_KILL, false);
		}
	}
	if (setpcap) {
		r = capng_apply(CAPNG_SELECT_BOUNDS);
		if (r) {
			snprintf(err, errlen, "capabilities: cannot cut the bounding set (%d)", r);
			return -EPERM;
		}
	}
	if (pw) {
		for (int i = 0; i < PG_ISOLATE_DIRS_MAX; i++) {
			if (!iso->dirs[i])
				continue;
			r = give_dir(iso->dirs[i], pw->pw_uid, pw->pw_gid, 1, err, errlen);
			if (r)
				return r;
		}
		r = capng_change_id((int)pw->pw_uid, (int)pw->pw_gid, CAPNG_DROP_SUPP_GRP);
		if (r) {
			snprintf(err, errlen, "cannot become user %s (uid %u): libcap-ng error %d",
				 iso->user, (unsigned int)pw->pw_uid, r);
			return -EPERM;
		}
		snprintf(switched_to, sizeof(switched_to), "%s", iso->user);
	} else {
		r = capng_apply(CAPNG_SELECT_CAPS);
		if (r) {
			snprintf(err, errlen, "capabilities: cannot drop (%d)", r);
			return -EPERM;
		}
	}
	if (iso->spawn && capng_apply(CAPNG_SELECT_AMBIENT)) {
		snprintf(err, errlen, "capabilities: cannot make dnsmasq's capabilities ambient");
		return -EPERM;
	}
	/* Nothing gained by execve from here on (set-uid files, file caps). */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		snprintf(err, errlen, "no_new_privs: %s", strerror(errno));
		return -errno;
	}
	if (iso->seccomp) {
		r = install_seccomp(iso->spawn, err, errlen);
		if (r)
			return r;
	}
	log_result(iso);
	return 0;
}
