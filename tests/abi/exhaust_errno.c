/* exhaust_errno.c: invalid flags, arguments and descriptors get the errno Linux gives, through
 * raw system calls so that neither libc checks or rewrites them first, in parts (exhaust.h)
 * named by the argument. (A negative argument that is a long for the kernel is cast: syscall()
 * reads its arguments as longs.) */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

#include "exhaust.h"

#define PAGE 4096UL
#define X_SIGSET_SIZE 8

/* The kernel's struct sigaction on x86_64. */
struct ksigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	unsigned long mask;
};

static const char *dir;
static char path[96], sub[96], fresh[96];

static void fds(void)
{
	int wr = open(path, O_WRONLY);
	int rd = open(path, O_RDONLY);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY);
	int p[2];
	char buf[64];

	CHECK(wr >= 0 && rd >= 0 && dfd >= 0 && pipe(p) == 0);
	abi_expect("read on a write-only fd", SYS(SYS_read, wr, buf, 1), EBADF);
	abi_expect("write on a read-only fd", SYS(SYS_write, rd, "x", 1), EBADF);
	abi_expect("read on a directory", SYS(SYS_read, dfd, buf, 1), EISDIR);
	abi_expect("write on a pipe's read end", SYS(SYS_write, p[0], "x", 1), EBADF);
	abi_expect("read on fd -1", SYS(SYS_read, -1, buf, 1), EBADF);
	abi_expect("close fd 100000", SYS(SYS_close, 100000), EBADF);
	abi_expect("fstat fd -1", SYS(SYS_fstat, -1, buf), EBADF);
	abi_expect("lseek on a pipe", SYS(SYS_lseek, p[0], 0, SEEK_SET), ESPIPE);
	abi_expect("lseek bad whence", SYS(SYS_lseek, rd, 0, 12345), EINVAL);
	abi_expect("lseek before the start", SYS(SYS_lseek, rd, (long)-10, SEEK_SET), EINVAL);
	abi_expect("pread on a pipe", SYS(SYS_pread64, p[0], buf, 1, 0), ESPIPE);
	abi_expect("pread at a negative offset", SYS(SYS_pread64, rd, buf, 1, (long)-1), EINVAL);
	abi_expect("dup2 to fd 100000", SYS(SYS_dup2, rd, 100000), EBADF);
	abi_expect("dup2 from a closed fd", SYS(SYS_dup2, 100000, rd), EBADF);
	abi_expect("dup3 onto itself", SYS(SYS_dup3, rd, rd, 0), EINVAL);
	abi_expect("dup3 bad flags", SYS(SYS_dup3, rd, 50, 0x12345), EINVAL);
	abi_expect("fcntl bad command", SYS(SYS_fcntl, rd, 99999, 0), EINVAL);
	abi_expect("fcntl on a closed fd", SYS(SYS_fcntl, 100000, F_GETFD), EBADF);
	abi_expect("fcntl F_DUPFD negative", SYS(SYS_fcntl, rd, F_DUPFD, (long)-1), EINVAL);
	abi_expect("ftruncate on a pipe", SYS(SYS_ftruncate, p[1], 0), EINVAL);
	abi_expect("ftruncate a read-only fd", SYS(SYS_ftruncate, rd, 0), EINVAL);
	abi_expect("ftruncate negative", SYS(SYS_ftruncate, wr, (long)-1), EINVAL);
	abi_expect("ioctl TCGETS on a file", SYS(SYS_ioctl, rd, TCGETS, buf), ENOTTY);
	abi_expect("getdents64 on a file", SYS(SYS_getdents64, rd, buf, sizeof buf), ENOTDIR);
	abi_expect("fchdir to a file", SYS(SYS_fchdir, rd), ENOTDIR);
	abi_expect("openat relative to a file", SYS(SYS_openat, rd, "x", O_RDONLY), ENOTDIR);
	abi_expect("openat relative to fd 100000", SYS(SYS_openat, 100000, "x", O_RDONLY), EBADF);
	int full = open("/dev/full", O_WRONLY);
	CHECK(full >= 0);
	abi_expect("write on /dev/full", SYS(SYS_write, full, "x", 1), ENOSPC);
	CHECK(close(full) == 0 && close(wr) == 0 && close(rd) == 0 && close(dfd) == 0);
	CHECK(close(p[0]) == 0 && close(p[1]) == 0);
}

static void paths(void)
{
	abi_expect("open O_CREAT|O_DIRECTORY", SYS(SYS_open, fresh,
						   O_CREAT | O_DIRECTORY | O_RDWR, 0600), EINVAL);
	abi_expect("open O_DIRECTORY on a file", SYS(SYS_open, path, O_RDONLY | O_DIRECTORY),
		   ENOTDIR);
	abi_expect("open O_CREAT|O_EXCL existing", SYS(SYS_open, path, O_CREAT | O_EXCL | O_RDWR,
						      0600), EEXIST);
	abi_expect("open a directory for writing", SYS(SYS_open, dir, O_WRONLY), EISDIR);
	abi_expect("open an empty path", SYS(SYS_open, "", O_RDONLY), ENOENT);
	abi_expect("open under a file", SYS(SYS_open, sub, O_RDONLY), ENOTDIR);
	abi_expect("open O_TMPFILE without write", SYS(SYS_open, dir, O_TMPFILE | O_RDONLY, 0600),
		   EINVAL);
	abi_expect("access bad mode", SYS(SYS_access, path, 0x100), EINVAL);
	abi_expect("mkdir existing", SYS(SYS_mkdir, path, 0700), EEXIST);
	abi_expect("rmdir a file", SYS(SYS_rmdir, path), ENOTDIR);
	abi_expect("unlink a directory", SYS(SYS_unlink, dir), EISDIR);
	abi_expect("rmdir a non-empty directory", SYS(SYS_rmdir, dir), ENOTEMPTY);
	abi_expect("unlinkat bad flags", SYS(SYS_unlinkat, AT_FDCWD, path, 0x1), EINVAL);
	abi_expect("renameat2 bad flags", SYS(SYS_renameat2, AT_FDCWD, path, AT_FDCWD, sub,
					       0x1000), EINVAL);
	abi_expect("newfstatat bad flags", SYS(SYS_newfstatat, AT_FDCWD, path, &(struct stat){ 0 },
						0x1), EINVAL);
}

static void memory(void)
{
	char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(p != MAP_FAILED);
	abi_expect("mmap neither private nor shared",
		   SYS(SYS_mmap, 0, PAGE, PROT_READ, MAP_ANONYMOUS, -1, 0), EINVAL);
	abi_expect("mmap length 0",
		   SYS(SYS_mmap, 0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), EINVAL);
	abi_expect("mmap unaligned offset", SYS(SYS_mmap, 0, PAGE, PROT_READ, MAP_PRIVATE, 0, 1),
		   EINVAL);
	abi_expect("mmap MAP_FIXED unaligned", SYS(SYS_mmap, p + 1, PAGE, PROT_READ,
						    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
		   EINVAL);
	abi_expect("mmap a file with a closed fd",
		   SYS(SYS_mmap, 0, PAGE, PROT_READ, MAP_PRIVATE, 100000, 0), EBADF);
	abi_expect("mprotect unaligned", SYS(SYS_mprotect, p + 1, PAGE, PROT_READ), EINVAL);
	abi_expect("mprotect bad prot", SYS(SYS_mprotect, p, PAGE, 0x100), EINVAL);
	abi_expect("munmap unaligned", SYS(SYS_munmap, p + 1, PAGE), EINVAL);
	abi_expect("munmap length 0", SYS(SYS_munmap, p, 0), EINVAL);
	abi_expect("madvise bad advice", SYS(SYS_madvise, p, PAGE, 12345), EINVAL);
	abi_expect("mremap bad flags", SYS(SYS_mremap, p, PAGE, PAGE, 0x100), EINVAL);
	abi_expect("mremap to length 0", SYS(SYS_mremap, p, PAGE, 0, MREMAP_MAYMOVE), EINVAL);
	abi_expect("msync bad flags", SYS(SYS_msync, p, PAGE, 0x100), EINVAL);
	abi_expect("msync MS_SYNC|MS_ASYNC", SYS(SYS_msync, p, PAGE, MS_SYNC | MS_ASYNC), EINVAL);
	CHECK(munmap(p, 2 * PAGE) == 0);
}

static void signals(void)
{
	struct ksigaction sa = { .handler = SIG_IGN };
	unsigned long set = 0;

	abi_expect("rt_sigaction SIGKILL", SYS(SYS_rt_sigaction, SIGKILL, &sa, NULL,
					       X_SIGSET_SIZE), EINVAL);
	abi_expect("rt_sigaction SIGSTOP", SYS(SYS_rt_sigaction, SIGSTOP, &sa, NULL,
					       X_SIGSET_SIZE), EINVAL);
	abi_expect("rt_sigaction signal 0", SYS(SYS_rt_sigaction, 0, NULL, &sa, X_SIGSET_SIZE),
		   EINVAL);
	abi_expect("rt_sigaction signal 65", SYS(SYS_rt_sigaction, 65, NULL, &sa, X_SIGSET_SIZE),
		   EINVAL);
	abi_expect("rt_sigaction bad sigsetsize", SYS(SYS_rt_sigaction, SIGUSR1, NULL, &sa, 4),
		   EINVAL);
	abi_expect("rt_sigprocmask bad how", SYS(SYS_rt_sigprocmask, 99, &set, NULL,
						 X_SIGSET_SIZE), EINVAL);
	abi_expect("rt_sigprocmask bad sigsetsize", SYS(SYS_rt_sigprocmask, SIG_BLOCK, &set, NULL,
							16), EINVAL);
	abi_expect("kill bad signal", SYS(SYS_kill, getpid(), 12345), EINVAL);
	abi_expect("tgkill bad signal", SYS(SYS_tgkill, getpid(), syscall(SYS_gettid), 65), EINVAL);
	abi_expect("tgkill thread 0", SYS(SYS_tgkill, getpid(), 0, 0), EINVAL);
	abi_expect("signalfd4 bad flags", SYS(SYS_signalfd4, -1, &set, X_SIGSET_SIZE, 0x1),
		   EINVAL);
	abi_expect("sigaltstack bad flags", SYS(SYS_sigaltstack,
						&(stack_t){ .ss_flags = 0x1234 }, NULL), EINVAL);
}

static void objects(void)
{
	int p[2];
	int file = open(path, O_RDONLY);
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN };

	CHECK(file >= 0 && ep >= 0 && pipe(p) == 0);
	abi_expect("pipe2 bad flags", SYS(SYS_pipe2, p, 0x12345), EINVAL);
	abi_expect("epoll_ctl on a regular file", SYS(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, file, &ev),
		   EPERM);
	abi_expect("epoll_ctl on itself", SYS(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, ep, &ev), EINVAL);
	abi_expect("epoll_ctl bad op", SYS(SYS_epoll_ctl, ep, 99, p[0], &ev), EINVAL);
	abi_expect("epoll_ctl DEL of a fd not in it", SYS(SYS_epoll_ctl, ep, EPOLL_CTL_DEL, p[0],
							  &ev), ENOENT);
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == 0);
	abi_expect("epoll_ctl ADD twice", SYS(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, p[0], &ev), EEXIST);
	abi_expect("epoll_ctl on a non-epoll fd", SYS(SYS_epoll_ctl, file, EPOLL_CTL_ADD, p[0],
						      &ev), EINVAL);
	abi_expect("epoll_wait maxevents 0", SYS(SYS_epoll_wait, ep, &ev, 0, 0), EINVAL);
	abi_expect("epoll_create size 0", SYS(SYS_epoll_create, 0), EINVAL);
	abi_expect("epoll_create1 bad flags", SYS(SYS_epoll_create1, 0x1), EINVAL);
	abi_expect("eventfd2 bad flags", SYS(SYS_eventfd2, 0, 0x10), EINVAL);
	abi_expect("timerfd_create bad clock", SYS(SYS_timerfd_create, 12345, 0), EINVAL);
	abi_expect("timerfd_create bad flags", SYS(SYS_timerfd_create, CLOCK_MONOTONIC, 0x1),
		   EINVAL);
	abi_expect("timerfd_settime on a pipe", SYS(SYS_timerfd_settime, p[0], 0,
						    &(struct itimerspec){ 0 }, NULL), EINVAL);
	CHECK(close(file) == 0 && close(ep) == 0 && close(p[0]) == 0 && close(p[1]) == 0);
}

static void misc(void)
{
	struct timespec ts;
	struct rlimit rl;
	char buf[16];

	abi_expect("clock_gettime bad clock", SYS(SYS_clock_gettime, 12345, &ts), EINVAL);
	abi_expect("clock_getres bad clock", SYS(SYS_clock_getres, 12345, &ts), EINVAL);
	abi_expect("clock_nanosleep bad clock", SYS(SYS_clock_nanosleep, 12345, 0,
						    &(struct timespec){ 0, 1 }, NULL), EINVAL);
	abi_expect("nanosleep tv_nsec 1e9", SYS(SYS_nanosleep,
						&(struct timespec){ 0, 1000000000 }, NULL), EINVAL);
	abi_expect("nanosleep negative", SYS(SYS_nanosleep, &(struct timespec){ -1, 0 }, NULL),
		   EINVAL);
	abi_expect("timer_create bad clock", SYS(SYS_timer_create, 12345, NULL, buf), EINVAL);
	abi_expect("timer_settime bad timer", SYS(SYS_timer_settime, 12345, 0,
						  &(struct itimerspec){ 0 }, NULL), EINVAL);
	abi_expect("setitimer bad which", SYS(SYS_setitimer, 12345, &(struct itimerval){ 0 },
					      NULL), EINVAL);
	abi_expect("getrlimit bad resource", SYS(SYS_getrlimit, 12345, &rl), EINVAL);
	CHECK(getrlimit(RLIMIT_STACK, &rl) == 0);
	if (rl.rlim_max != RLIM_INFINITY) {
		rl.rlim_cur = rl.rlim_max + 1;
		abi_expect("setrlimit soft above hard", setrlimit(RLIMIT_STACK, &rl), EINVAL);
	}
	abi_expect("prlimit64 soft above hard", SYS(SYS_prlimit64, 0, RLIMIT_STACK,
						    &(struct rlimit){ 2, 1 }, NULL), EINVAL);
	abi_expect("getrandom bad flags", SYS(SYS_getrandom, buf, sizeof buf, 0x100), EINVAL);
	abi_expect("prctl bad option", SYS(SYS_prctl, 0x7fffffff, 0, 0, 0, 0), EINVAL);
	abi_expect("arch_prctl bad code", SYS(SYS_arch_prctl, 0x7777, buf), EINVAL);
	abi_expect("sched_getaffinity small mask", SYS(SYS_sched_getaffinity, 0, 1, buf), EINVAL);
	abi_expect("futex bad op", SYS(SYS_futex, buf, 99, 0, NULL, NULL, 0), ENOSYS);
	abi_expect("getcwd size 0", SYS(SYS_getcwd, buf, 0), ERANGE);
	abi_expect("getcwd too small", SYS(SYS_getcwd, buf, 2), ERANGE);
	abi_expect("readlink on a file", SYS(SYS_readlink, path, buf, sizeof buf), EINVAL);
	abi_expect("readlink size 0", SYS(SYS_readlink, path, buf, 0), EINVAL);
	abi_expect("wait4 no children", SYS(SYS_wait4, -1, NULL, WNOHANG, NULL), ECHILD);
	abi_expect("getgroups negative size", SYS(SYS_getgroups, -1, NULL), EINVAL);
}

int main(int argc, char **argv)
{
	static const struct exhaust_part parts[] = {
		{ "fds", fds }, { "paths", paths }, { "memory", memory }, { "signals", signals },
		{ "objects", objects }, { "misc", misc },
	};

	dir = abi_tmpdir("errno");
	snprintf(path, sizeof path, "%s/file", dir);
	snprintf(sub, sizeof sub, "%s/file/sub", dir);
	snprintf(fresh, sizeof fresh, "%s/fresh", dir);
	int fd = open(path, O_RDWR | O_CREAT, 0600);
	CHECK(fd >= 0 && write(fd, "contents", 8) == 8 && close(fd) == 0);
	int status = exhaust_run("exhaust_errno", parts, sizeof parts / sizeof parts[0], argc, argv);
	unlink(fresh); /* in case a wrong open made it */
	CHECK(unlink(path) == 0 && rmdir(dir) == 0);
	return status;
}
