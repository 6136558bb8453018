/* SPDX-License-Identifier: MIT */
/*
 * child.c - start, run and stop the host-side programs of the tunnel
 * (child.h). Only PIDs forked here are ever signalled.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ctl/child.h"

static char *const no_env[] = {NULL};

/*
 * In the child, between vfork and exec: async-signal-safe calls only,
 * touching nothing of the parent's memory. err_fd >= 0 becomes stderr
 * (and stdout), so a short command's complaint can be read back.
 */
static void exec_child(char *const argv[], char *const envp[], pid_t parent, int err_fd,
		       int in_fd)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(1);
	if (err_fd >= 0) {
		int devnull = in_fd >= 0 ? in_fd : open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (devnull >= 0)
			dup2(devnull, 0);
		dup2(err_fd, 1);
		dup2(err_fd, 2);
	}
	if (close_range(3, ~0u, 0))
		for (int fd = 3; fd < 1024; fd++)
			close(fd);
	execve(argv[0], argv, envp ? envp : no_env);
	_exit(127);
}

static pid_t start(char *const argv[], char *const envp[], int err_fd, int in_fd)
{
	pid_t parent = getpid(), pid;

	fflush(stderr);
	/* vfork: see dnsmasq.c (fork would copy the flow table's page tables). */
	pid = vfork(); /* NOLINT(clang-analyzer-security.insecureAPI.vfork) */
	if (pid < 0)
		return -errno;
	if (pid == 0)
		exec_child(argv, envp, parent, err_fd, in_fd); /* NOLINT(clang-analyzer-unix.Vfork) */
	return pid;
}

pid_t pg_child_spawn(char *const argv[], char *const envp[])
{
	return start(argv, envp, -1, -1);
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

void pg_child_describe(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "ended (status 0x%x)", (unsigned int)status);
}

void pg_child_stop(pid_t pid, unsigned int wait_ms, int *status)
{
	pid_t w = 0;

	*status = 0;
	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	for (unsigned int t = 0; t < wait_ms; t += 10) {
		w = waitpid(pid, status, WNOHANG);
		if (w != 0)
			return;
		sleep_ms(10);
	}
	kill(pid, SIGKILL);
	waitpid(pid, status, 0);
}

int pg_child_run(char *const argv[], const char *input, unsigned int timeout_ms, char *msg,
		 size_t msglen)
{
	int pfd[2], ifd[2] = {-1, -1}, status = 0;
	size_t got = 0;
	pid_t pid, w = 0;
	unsigned int t;

	msg[0] = '\0';
	if (pipe2(pfd, O_CLOEXEC | O_NONBLOCK))
		return -errno;
	/* The input is small (a ruleset): it fits the pipe's buffer, written before the wait. */
	if (input && (strlen(input) > 65536 || pipe2(ifd, O_CLOEXEC))) {
		close(pfd[0]);
		close(pfd[1]);
		return -E2BIG;
	}
	if (input && write(ifd[1], input, strlen(input)) != (ssize_t)strlen(input)) {
		close(ifd[0]);
		close(ifd[1]);
		close(pfd[0]);
		close(pfd[1]);
		return -EIO;
	}
	if (input)
		close(ifd[1]);
	pid = start(argv, NULL, pfd[1], ifd[0]);
	close(pfd[1]);
	if (input)
		close(ifd[0]);
	if (pid < 0) {
		close(pfd[0]);
		return (int)pid;
	}
	for (t = 0; t <= timeout_ms; t += 5) {
		ssize_t n = got + 1 < msglen ? read(pfd[0], msg + got, msglen - 1 - got) : 0;

		if (n > 0)
			got += (size_t)n;
		w = waitpid(pid, &status, WNOHANG);
		if (w != 0)
			break;
		sleep_ms(5);
	}
	if (w == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		close(pfd[0]);
		snprintf(msg, msglen, "did not finish within %u ms", timeout_ms);
		return -1;
	}
	for (;;) {
		ssize_t n = got + 1 < msglen ? read(pfd[0], msg + got, msglen - 1 - got) : 0;

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(pfd[0]);
	msg[got] = '\0';
	/* One line for the log: the first, without its newline. */
	msg[strcspn(msg, "\n")] = '\0';
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (!msg[0])
		pg_child_describe(status, msg, msglen);
	return -1;
}
