/* pipes.c: pipe and pipe2: data through, EOF, EPIPE, nonblocking, flags, and their errors; a
 * pipe's readiness in epoll, level-triggered, edge-triggered and one-shot. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include "abi.h"

#define expect abi_expect

static void check_data(void)
{
	char buf[64];
	struct stat st;
	int p[2];

	CHECK(pipe(p) == 0);
	CHECK(p[0] >= 3 && p[1] >= 3 && p[0] != p[1]);
	CHECK(fstat(p[0], &st) == 0);
	printf("fstat pipe: fifo=%d\n", S_ISFIFO(st.st_mode));
	printf("F_GETFL: read end accmode=%d, write end accmode=%d\n",
	       fcntl(p[0], F_GETFL) & O_ACCMODE, fcntl(p[1], F_GETFL) & O_ACCMODE);
	printf("FD_CLOEXEC: %d %d\n", fcntl(p[0], F_GETFD), fcntl(p[1], F_GETFD));
	CHECK(write(p[1], "hello, ", 7) == 7);
	CHECK(write(p[1], "pipe", 4) == 4);
	int avail = -1;
	CHECK(ioctl(p[0], FIONREAD, &avail) == 0);
	printf("FIONREAD: %d\n", avail);
	CHECK(read(p[0], buf, 5) == 5 && memcmp(buf, "hello", 5) == 0);
	CHECK(read(p[0], buf, sizeof(buf)) == 6 && memcmp(buf, ", pipe", 6) == 0);

	int d = dup(p[1]);	/* EOF only once every write end is closed */
	CHECK(d >= 0 && close(p[1]) == 0);
	CHECK(write(d, "x", 1) == 1 && close(d) == 0);
	CHECK(read(p[0], buf, sizeof(buf)) == 1 && buf[0] == 'x');
	printf("read after writers closed: %zd\n", read(p[0], buf, sizeof(buf)));
	CHECK(close(p[0]) == 0);
	printf("pipe: data in order, partial reads, EOF after the last writer closes\n");
}

static void check_flags(void)
{
	int p[2];

	CHECK(pipe2(p, O_CLOEXEC | O_NONBLOCK) == 0);
	printf("pipe2 O_CLOEXEC|O_NONBLOCK: cloexec=%d %d nonblock=%d %d\n",
	       fcntl(p[0], F_GETFD), fcntl(p[1], F_GETFD),
	       !!(fcntl(p[0], F_GETFL) & O_NONBLOCK), !!(fcntl(p[1], F_GETFL) & O_NONBLOCK));
	/* Fill it without blocking: a nonblocking writer gets EAGAIN once the pipe is full. */
	static char chunk[4096];
	long total = 0;
	ssize_t n;

	memset(chunk, 'z', sizeof(chunk));
	while ((n = write(p[1], chunk, sizeof(chunk))) > 0)
		total += n;
	printf("filling: stops with %s, at least 4096 bytes in: %d\n",
	       abi_errname(errno), total >= 4096);
	long back = 0;
	while ((n = read(p[0], chunk, sizeof(chunk))) > 0) {
		for (ssize_t i = 0; i < n; i++)
			CHECK(chunk[i] == 'z');
		back += n;
	}
	printf("draining: stops with %s, got everything back: %d\n", abi_errname(errno), back == total);
	CHECK(close(p[0]) == 0 && close(p[1]) == 0);
}

static void check_errors(void)
{
	struct termios tio;
	int p[2];

	CHECK(pipe(p) == 0);
	expect("lseek on a pipe", SYS(SYS_lseek, p[0], 0, SEEK_SET), ESPIPE);
	expect("pread on a pipe", SYS(SYS_pread64, p[0], &(char){ 0 }, 1, 0), ESPIPE);
	expect("write to the read end", SYS(SYS_write, p[0], "x", 1), EBADF);
	expect("read from the write end", SYS(SYS_read, p[1], &(char){ 0 }, 1), EBADF);
	expect("TCGETS on a pipe", SYS(SYS_ioctl, p[0], TCGETS, &tio), ENOTTY);
	printf("isatty(pipe): %d\n", isatty(p[0]));
	CHECK(write(p[1], "abc", 3) == 3);
	expect("read pipe into (void*)1", SYS(SYS_read, p[0], (void *)1, 3), EFAULT);
	expect("write pipe from (void*)1", SYS(SYS_write, p[1], (void *)1, 3), EFAULT);
	expect("pipe((int*)1)", SYS(SYS_pipe, (void *)1), EFAULT);
	expect("pipe2 bad flags", SYS(SYS_pipe2, p, 0x1234), EINVAL);
	CHECK(close(p[0]) == 0);
	signal(SIGPIPE, SIG_IGN);
	expect("write to a pipe without reader", SYS(SYS_write, p[1], "x", 1), EPIPE);
	CHECK(close(p[1]) == 0);
	CHECK(pipe2(p, O_NONBLOCK) == 0);
	expect("read empty O_NONBLOCK pipe", SYS(SYS_read, p[0], &(char){ 0 }, 1), EAGAIN);
	CHECK(close(p[0]) == 0 && close(p[1]) == 0);
}

/* The events epoll reports now for the one item it holds (data 7), or "none". */
static void report(int ep, const char *what)
{
	struct epoll_event out[2];
	int n = epoll_wait(ep, out, 2, 0);
	CHECK(n >= 0 && n <= 1);
	printf("epoll %s: %s%s%s%s\n", what, n == 0 ? "none" : "",
	       n && (out[0].events & EPOLLIN) ? "IN " : "", n && (out[0].events & EPOLLOUT) ? "OUT " : "",
	       n && (out[0].events & EPOLLHUP) ? "HUP" : "");
	CHECK(n == 0 || out[0].data.u32 == 7);
}

static void check_epoll(void)
{
	int p[2], ep = epoll_create1(EPOLL_CLOEXEC);
	char buf[8];
	CHECK(ep >= 0 && pipe(p) == 0);
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 7 };
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == 0);
	report(ep, "level, empty");
	CHECK(write(p[1], "ab", 2) == 2);
	report(ep, "level, data");
	report(ep, "level, data again");
	ev.events = EPOLLIN | EPOLLET;
	CHECK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev) == 0);
	report(ep, "edge, after MOD");
	report(ep, "edge, nothing new");
	CHECK(write(p[1], "c", 1) == 1);
	report(ep, "edge, more data");
	ev.events = EPOLLIN | EPOLLONESHOT;
	CHECK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev) == 0);
	report(ep, "one-shot");
	report(ep, "one-shot, spent");
	CHECK(write(p[1], "d", 1) == 1);
	report(ep, "one-shot, spent, more data");
	CHECK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev) == 0);
	report(ep, "one-shot, rearmed");
	CHECK(read(p[0], buf, sizeof buf) == 4);
	ev.events = EPOLLIN;
	CHECK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev) == 0);
	report(ep, "level, drained");
	CHECK(close(p[1]) == 0);
	report(ep, "writer closed");
	CHECK(close(p[0]) == 0 && close(ep) == 0);
}

int main(void)
{
	check_data();
	check_flags();
	check_errors();
	check_epoll();
	if (*abi_mismatches()) {
		fprintf(stderr, "pipes: %d mismatches\n", *abi_mismatches());
		return 1;
	}
	return 0;
}
