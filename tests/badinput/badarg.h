/* badarg.h: the fixed half of the generated bad-argument test (tests/badinput/gen_badarg.py
 * writes the other half, one case per system call and bad argument, into badarg.c).
 *
 * Every case is a raw system call whose arguments are valid and harmless (the fixtures below:
 * open files, a pipe, an epoll, a timer, zeroed structures) except the one under test, which
 * is bad. A pointer case runs in three passes:
 *   one        the pointer is (void *)1
 *   prot_none  the pointer is the start of a PROT_NONE page
 *   read_only  the pointer is the start of a zeroed read-only page (only for pointers the
 *              call writes through)
 * and a flag case (flags, a command, a mode, a clock or a signal number) in two:
 *   flags_all  every bit set (-1)
 *   flags_high a bit no call defines (1 << 30)
 * Each prints `pass name argN ERRNO` (or `ret=N` when the call did not fail). The program's
 * arguments, if any, name the calls to run (`badarg read getgroups`): tests/run.py runs each
 * call as a case of its own, so that one known difference hides no other. The output is
 * compared with the same program run natively, so what counts is agreeing with Linux, not
 * EFAULT as such. A blocking call that ought to have failed is cut short by an alarm (and
 * shows as EINTR); the last line counts the stray signals, and is printed only if the kernel
 * survived every case. */
#ifndef BADARG_H
#define BADARG_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#include "../abi/abi.h"

/* Linux constants that musl's headers (no linux/ headers) do not all have. */
#define X_FUTEX_WAIT_PRIVATE 128
#define X_FUTEX_WAKE_OP_PRIVATE (5 | 128)
#define X_FUTEX_OP_ADD_0 0x10000000 /* FUTEX_OP(FUTEX_OP_ADD, 0, FUTEX_OP_CMP_EQ, 0) */
#define X_ARCH_GET_FS 0x1003
#define X_PR_SET_NAME 15
#define X_PR_GET_NAME 16
#define X_STATX_BASIC_STATS 0x7ffU
#define X_LINUX_CAPABILITY_VERSION_3 0x20080522
#define X_SIGSET_SIZE 8

#define EF_PAGE 4096UL

/* The kernel's struct sigaction on x86_64 (not libc's). */
struct ef_ksigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};

/* pselect6's sixth argument. */
struct ef_psig {
	const void *ss;
	size_t len;
};

/* Everything the cases point at or name. */
static struct {
	char dir[64], path[96], victim[96], newpath[96], link[96];
	int file, dirfd, rpipe, wpipe, ep, tfd, timer, top;
	long pid, tid;
	/* Reset before every case: calls write through some of these. */
	uint64_t set_empty, set_usr2;
	struct ef_ksigaction sa_dfl;
	struct timespec ts0, ts1ns, ts2[2];
	struct timeval tv0, tv2[2];
	struct itimerval itv0;
	struct itimerspec its0;
	struct sigevent sev_none;
	struct utimbuf utb;
	struct iovec iov, iov_bad;
	struct pollfd pfd;
	struct ef_psig psig, psig_bad;
	struct rlimit rlim;
	stack_t ss_disable;
	struct { uint32_t version; int pid; } caphdr;
	uint32_t fword;
	unsigned char fdset[3][128];
} fx;

/* A valid scratch buffer for the pointers not under test. */
static unsigned char V[EF_PAGE] __attribute__((aligned(4096)));

/* The bad pointer and the bad flags of the current pass. */
static void *B;
static long F;

static volatile sig_atomic_t alarms, usr2s;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

static void on_usr2(int sig)
{
	(void)sig;
	usr2s++;
}

enum ef_kind { EF_POINTER, EF_FLAGS };

/* One case: the call with its arguments bound; `written` says whether the call writes
 * through the pointer under test (the read-only pass is only for those). */
struct ef_case {
	const char *call;
	const char *name;
	const char *target;
	int written;
	enum ef_kind kind;
	long (*fn)(void);
};

/* Prints how a fixture step went, so that a fixture elfin cannot build shows in the diff. */
static void ef_setup_step(const char *what, long ret)
{
	if (ret < 0)
		printf("setup %s: %s\n", what, abi_errname(errno));
}

static void ef_fixtures(void)
{
	char buf[EF_PAGE];

	snprintf(fx.dir, sizeof fx.dir, "%s", abi_tmpdir("badarg"));
	snprintf(fx.path, sizeof fx.path, "%s/f", fx.dir);
	snprintf(fx.victim, sizeof fx.victim, "%s/v", fx.dir);
	snprintf(fx.newpath, sizeof fx.newpath, "%s/new", fx.dir);
	snprintf(fx.link, sizeof fx.link, "%s/l", fx.dir);
	memset(buf, 'x', sizeof buf);
	fx.file = open(fx.path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fx.file >= 0 && write(fx.file, buf, sizeof buf) == (ssize_t)sizeof buf);
	CHECK(lseek(fx.file, 0, SEEK_SET) == 0);
	int v = open(fx.victim, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(v >= 0 && close(v) == 0);
	ef_setup_step("symlink", symlink("f", fx.link));
	fx.dirfd = open(fx.dir, O_RDONLY | O_DIRECTORY);
	CHECK(fx.dirfd >= 0);
	int p[2];
	CHECK(pipe(p) == 0);
	fx.rpipe = p[0];
	fx.wpipe = p[1];
	/* An epoll with a ready item, so that epoll_wait has an event to copy out. */
	fx.ep = epoll_create1(0);
	CHECK(fx.ep >= 0);
	struct epoll_event ev = { .events = EPOLLOUT, .data.u64 = 7 };
	CHECK(epoll_ctl(fx.ep, EPOLL_CTL_ADD, fx.wpipe, &ev) == 0);
	fx.tfd = (int)syscall(SYS_timerfd_create, CLOCK_MONOTONIC, 0);
	ef_setup_step("timerfd_create", fx.tfd);
	struct sigevent sev = { .sigev_notify = SIGEV_NONE };
	ef_setup_step("timer_create", syscall(SYS_timer_create, CLOCK_MONOTONIC, &sev, &fx.timer));
	CHECK(getrlimit(RLIMIT_NOFILE, &fx.rlim) == 0);
	fx.pid = getpid();
	fx.tid = syscall(SYS_gettid);
	fx.top = dup(0);
	CHECK(fx.top >= 0 && close(fx.top) == 0);
	/* Signals a wrong case could raise are caught and counted rather than fatal. */
	struct sigaction sa = { .sa_handler = on_alarm };
	CHECK(sigaction(SIGALRM, &sa, NULL) == 0);
	sa.sa_handler = on_usr2;
	CHECK(sigaction(SIGUSR2, &sa, NULL) == 0);
}

static void ef_reset(void)
{
	fx.set_empty = 0;
	fx.set_usr2 = 1UL << (SIGUSR2 - 1);
	fx.sa_dfl = (struct ef_ksigaction){ .handler = SIG_DFL };
	fx.ts0 = (struct timespec){ 0, 0 };
	fx.ts1ns = (struct timespec){ 0, 1 };
	fx.ts2[0] = fx.ts2[1] = (struct timespec){ 1000000000, 0 };
	fx.tv0 = (struct timeval){ 0, 0 };
	fx.tv2[0] = fx.tv2[1] = (struct timeval){ 1000000000, 0 };
	fx.itv0 = (struct itimerval){ { 0, 0 }, { 0, 0 } };
	fx.its0 = (struct itimerspec){ { 0, 0 }, { 0, 0 } };
	memset(&fx.sev_none, 0, sizeof fx.sev_none);
	fx.sev_none.sigev_notify = SIGEV_NONE;
	fx.utb = (struct utimbuf){ 1000000000, 1000000000 };
	fx.iov = (struct iovec){ V, 64 };
	fx.iov_bad = (struct iovec){ B, 64 };
	fx.pfd = (struct pollfd){ .fd = fx.wpipe, .events = POLLOUT };
	fx.psig = (struct ef_psig){ &fx.set_empty, X_SIGSET_SIZE };
	fx.psig_bad = (struct ef_psig){ B, X_SIGSET_SIZE };
	fx.ss_disable = (stack_t){ .ss_flags = SS_DISABLE };
	fx.caphdr.version = X_LINUX_CAPABILITY_VERSION_3;
	fx.caphdr.pid = 0;
	fx.fword = 0;
	memset(fx.fdset, 0, sizeof fx.fdset);
	memset(V, 0, sizeof V);
	if (lseek(fx.file, 0, SEEK_SET) != 0)
		printf("lseek failed: %s\n", abi_errname(errno));
}

/* Names abi.h does not know, then abi.h's. */
static const char *ef_errname(int e)
{
	switch (e) {
	case ENODATA: return "ENODATA";
	case ETIMEDOUT: return "ETIMEDOUT";
	case EDEADLK: return "EDEADLK";
	case EOVERFLOW: return "EOVERFLOW";
	default: return abi_errname(e);
	}
}

/* Whether the command line selects call (no arguments select every call). */
static int ef_selected(const char *call, int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], call) == 0)
			return 1;
	return argc < 2;
}

/* Runs the selected cases in every pass; returns the exit status. */
static int ef_run(const struct ef_case *cases, int ncases, int argc, char **argv)
{
	static const struct {
		const char *name;
		enum ef_kind kind;
	} passes[] = {
		{ "one", EF_POINTER }, { "prot_none", EF_POINTER }, { "read_only", EF_POINTER },
		{ "flags_all", EF_FLAGS }, { "flags_high", EF_FLAGS },
	};
	int ran = 0, selected = 0;

	for (int i = 1; i < argc; i++) {
		int known = 0;
		for (int k = 0; k < ncases; k++)
			known |= strcmp(argv[i], cases[k].call) == 0;
		if (!known) {
			fprintf(stderr, "badarg: no cases for '%s'\n", argv[i]);
			return 2;
		}
	}
	for (int k = 0; k < ncases; k++)
		selected += ef_selected(cases[k].call, argc, argv);
	setvbuf(stdout, NULL, _IOLBF, 0);
	ef_fixtures();
	char *pages = mmap(NULL, 2 * EF_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			   -1, 0);
	CHECK(pages != MAP_FAILED);
	CHECK(mprotect(pages, EF_PAGE, PROT_NONE) == 0);
	CHECK(mprotect(pages + EF_PAGE, EF_PAGE, PROT_READ) == 0);
	void *bads[] = { (void *)1, pages, pages + EF_PAGE, V, V };
	long flags[] = { 0, 0, 0, -1, 1L << 30 };
	for (int pass = 0; pass < 5; pass++) {
		B = bads[pass];
		F = flags[pass];
		for (int i = 0; i < ncases; i++) {
			const struct ef_case *c = &cases[i];
			if (c->kind != passes[pass].kind || (pass == 2 && !c->written) ||
			    !ef_selected(c->call, argc, argv))
				continue;
			ef_reset();
			alarm(2);
			errno = 0;
			long r = c->fn();
			int e = errno;
			alarm(0);
			if (r == -1)
				printf("%s %s %s %s\n", passes[pass].name, c->name, c->target, ef_errname(e));
			else
				printf("%s %s %s ret=%ld\n", passes[pass].name, c->name, c->target, r);
			/* A call that wrongly succeeded may have made a file descriptor. */
			for (int fd = fx.top; r >= 0 && fd < fx.top + 8; fd++)
				close(fd);
			ran++;
		}
	}
	unlink(fx.path);
	unlink(fx.victim);
	unlink(fx.newpath);
	unlink(fx.link);
	rmdir(fx.newpath);
	rmdir(fx.dir);
	printf("all done: %d runs of %d cases; stray SIGALRM %d, SIGUSR2 %d\n", ran, selected,
	       (int)alarms, (int)usr2s);
	return 0;
}

#endif
