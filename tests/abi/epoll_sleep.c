/* epoll_sleep.c: epoll waits that sleep on an epoll holding a host socket (a TCP listener on
 * 127.0.0.1): many idle waits that time out (run.py bounds their host calls), kernel files
 * (a pipe, an eventfd) and the socket becoming ready while waiters sleep, two threads on one
 * epoll, one thread moving between epolls, a signal interrupting the wait, and timeouts. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include "abi.h"

#ifndef IDLE_WAITS
#define IDLE_WAITS 1000
#endif

static struct sockaddr_in addr;
static int lfd;

static int listener(void)
{
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	socklen_t len = sizeof(addr);
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(l >= 0);
	CHECK(bind(l, (struct sockaddr *)&addr, sizeof(addr)) == 0);
	CHECK(listen(l, 8) == 0);
	CHECK(getsockname(l, (struct sockaddr *)&addr, &len) == 0);
	return l;
}

static int add(int ep, int fd, uint32_t events, uint32_t data)
{
	struct epoll_event ev = {.events = events, .data.u32 = data};
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0);
	return fd;
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* After a pause, writes 8 bytes to fd (a pipe or an eventfd) or, for fd < 0, connects. */
static void *later(void *arg)
{
	long fd = (long)arg;
	uint64_t one = 1;
	usleep(50000);
	if (fd >= 0) {
		CHECK(write((int)fd, &one, sizeof(one)) == sizeof(one));
		return NULL;
	}
	int c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(connect(c, (struct sockaddr *)&addr, sizeof(addr)) == 0);
	return (void *)(long)c;
}

static pthread_t start_later(long fd)
{
	pthread_t t;
	CHECK(pthread_create(&t, NULL, later, (void *)fd) == 0);
	return t;
}

/* One wait that blocks until fd (or the listener, for fd < 0) is made ready by a thread. */
static void wake_by(int ep, long fd, const char *what)
{
	struct epoll_event out[4];
	pthread_t t = start_later(fd);
	int n = epoll_wait(ep, out, 4, 5000);
	void *c;
	pthread_join(t, &c);
	printf("%s while sleeping: %d data=%u\n", what, n, n > 0 ? out[0].data.u32 : 0u);
	if (fd < 0) {
		int a = accept(lfd, NULL, NULL);
		CHECK(a >= 0);
		close(a);
		close((int)(long)c);
	}
}

static int ep_shared;

static void *waiter(void *arg)
{
	struct epoll_event out[1];
	(void)arg;
	int n = epoll_wait(ep_shared, out, 1, 5000);
	return (void *)(n == 1 ? (long)out[0].data.u32 : 100L + n);
}

static void on_alarm(int sig) { (void)sig; }

int main(void)
{
	int l = lfd = listener();
	int p[2], e = eventfd(0, EFD_CLOEXEC);
	struct epoll_event out[4];
	struct timespec t0;
	CHECK(e >= 0 && pipe2(p, O_CLOEXEC) == 0);
	setvbuf(stdout, NULL, _IOLBF, 0);

	int ep = epoll_create1(EPOLL_CLOEXEC);
	add(ep, l, EPOLLIN, 1);
	add(ep, p[0], EPOLLIN, 2);
	add(ep, e, EPOLLIN | EPOLLET, 3);
	int zeros = 0;
	for (int i = 0; i < IDLE_WAITS; i++)
		zeros += epoll_wait(ep, out, 4, 1) == 0;
	printf("idle waits that timed out: %d of %d\n", zeros, IDLE_WAITS);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int n = epoll_wait(ep, out, 4, 100);
	printf("timeout: %d, after 100 ms or more: %d\n", n, ms_since(&t0) >= 100);
	printf("timeout 0: %d\n", epoll_wait(ep, out, 4, 0));

	wake_by(ep, p[1], "pipe");
	uint64_t v;
	CHECK(read(p[0], &v, sizeof(v)) == sizeof(v));
	wake_by(ep, e, "eventfd");
	CHECK(read(e, &v, sizeof(v)) == sizeof(v));
	wake_by(ep, -1, "connection");
	printf("all drained: %d\n", epoll_wait(ep, out, 4, 10));

	/* two threads on one epoll: each of the two one-shot items wakes one of them */
	ep_shared = epoll_create1(EPOLL_CLOEXEC);
	add(ep_shared, l, EPOLLIN | EPOLLONESHOT, 1);
	add(ep_shared, p[0], EPOLLIN | EPOLLONESHOT, 2);
	pthread_t w[2];
	for (int i = 0; i < 2; i++)
		CHECK(pthread_create(&w[i], NULL, waiter, NULL) == 0);
	pthread_t t = start_later(p[1]);
	void *c, *r0, *r1;
	pthread_join(t, NULL);
	t = start_later(-1);
	pthread_join(t, &c);
	pthread_join(w[0], &r0);
	pthread_join(w[1], &r1);
	printf("two waiters got: %ld\n", (long)r0 + (long)r1);
	close((int)(long)c);
	int a = accept(l, NULL, NULL);
	CHECK(a >= 0 && read(p[0], &v, sizeof(v)) == sizeof(v));
	close(a);
	close(ep_shared);

	/* one thread moving between two epolls, each with the listener and its own pipe */
	int ep2 = epoll_create1(EPOLL_CLOEXEC), q[2];
	CHECK(pipe2(q, O_CLOEXEC) == 0);
	add(ep2, l, EPOLLIN, 1);
	add(ep2, q[0], EPOLLIN, 4);
	for (int i = 0; i < 2; i++) {
		wake_by(ep, p[1], "pipe, first epoll");
		CHECK(read(p[0], &v, sizeof(v)) == sizeof(v));
		wake_by(ep2, q[1], "pipe, second epoll");
		CHECK(read(q[0], &v, sizeof(v)) == sizeof(v));
	}

	/* a new epoll after one was closed (its host handle may be reused) */
	close(ep2);
	ep2 = epoll_create1(EPOLL_CLOEXEC);
	add(ep2, l, EPOLLIN, 1);
	add(ep2, q[0], EPOLLIN, 5);
	wake_by(ep2, q[1], "pipe, new epoll");
	CHECK(read(q[0], &v, sizeof(v)) == sizeof(v));

	/* a signal ends the wait with EINTR; epoll_pwait's mask keeps it out */
	struct sigaction sa = {.sa_handler = on_alarm};
	CHECK(sigaction(SIGALRM, &sa, NULL) == 0);
	struct itimerval it = {.it_value = {0, 50000}};
	CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0);
	n = epoll_wait(ep, out, 4, 5000);
	printf("signal: %d %s\n", n, abi_errname(n < 0 ? errno : 0));
	sigset_t block, none;
	sigemptyset(&block);
	sigemptyset(&none);
	sigaddset(&block, SIGALRM);
	sigprocmask(SIG_BLOCK, &block, NULL);
	CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	n = epoll_pwait(ep, out, 4, 200, &block);
	printf("signal masked by epoll_pwait: %d, after 200 ms or more: %d\n", n, ms_since(&t0) >= 200);
	n = epoll_pwait(ep, out, 4, 5000, &none);
	printf("pending signal let in by epoll_pwait: %d %s\n", n, abi_errname(n < 0 ? errno : 0));
	return 0;
}
