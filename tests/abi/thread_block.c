/* thread_block.c: blocking between threads: a pipe carrying 4 MiB from a producer thread,
 * a timed condvar wait that times out, a blocked read interrupted by a signal (EINTR without
 * SA_RESTART, transparently restarted with it), a signal to one thread, a robust mutex whose
 * owner died. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "abi.h"
#include "kick.h"

enum { TOTAL = 4 << 20 };

static int pfd[2];

static void *producer(void *arg)
{
	static unsigned char buf[65536 + 123];
	(void)arg;
	for (size_t sent = 0; sent < TOTAL;) {
		size_t n = TOTAL - sent < sizeof buf ? TOTAL - sent : sizeof buf;
		for (size_t i = 0; i < n; i++)
			buf[i] = (unsigned char)((sent + i) * 7);
		ssize_t w = write(pfd[1], buf, n);
		CHECK(w > 0);
		sent += (size_t)w;
	}
	CHECK(close(pfd[1]) == 0);
	return NULL;
}

static void check_pipe(void)
{
	pthread_t t;
	CHECK(pipe(pfd) == 0);
	CHECK(pthread_create(&t, NULL, producer, NULL) == 0);
	static unsigned char buf[10000];
	size_t got = 0;
	ssize_t n;
	while ((n = read(pfd[0], buf, sizeof buf)) > 0) {
		for (ssize_t i = 0; i < n; i++)
			CHECK(buf[i] == (unsigned char)((got + (size_t)i) * 7));
		got += (size_t)n;
	}
	CHECK(n == 0 && got == TOTAL);
	CHECK(pthread_join(t, NULL) == 0);
	CHECK(close(pfd[0]) == 0);
	printf("pipe between threads: %d bytes in order, then EOF\n", TOTAL);
}

static void check_timedwait(void)
{
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t c = PTHREAD_COND_INITIALIZER;
	struct timespec t0, t1, until;
	clock_gettime(CLOCK_REALTIME, &t0);
	until = t0;
	until.tv_nsec += 50 * 1000 * 1000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	CHECK(pthread_mutex_lock(&m) == 0);
	CHECK(pthread_cond_timedwait(&c, &m, &until) == ETIMEDOUT);
	CHECK(pthread_mutex_unlock(&m) == 0);
	clock_gettime(CLOCK_REALTIME, &t1);
	long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	CHECK(ms >= 45 && ms < 2000);
	printf("condvar timed wait: ETIMEDOUT after about 50 ms\n");
}

/* A read blocked on an empty pipe meets SIGUSR1: EINTR, or with SA_RESTART the read goes on. */
static void check_interrupt(int restart)
{
	struct sigaction sa = {0};
	sa.sa_handler = on_usr1;
	sa.sa_flags = restart ? SA_RESTART : 0;
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
	int p[2];
	CHECK(pipe(p) == 0);
	struct kick k = {pthread_self(), restart ? p[1] : -1};
	pthread_t t;
	hits = 0;
	CHECK(pthread_create(&t, NULL, kicker, &k) == 0);
	char c;
	ssize_t n = read(p[0], &c, 1);
	if (restart)
		CHECK(n == 1 && c == 'x' && hits == 1);
	else
		CHECK(n == -1 && errno == EINTR && hits == 1);
	CHECK(pthread_join(t, NULL) == 0);
	close(p[0]);
	close(p[1]);
	printf("blocked read and SIGUSR1, %s: %s\n", restart ? "SA_RESTART" : "no SA_RESTART",
	       restart ? "the read goes on" : "EINTR");
}

static pthread_mutex_t robust;

static void *die_holding(void *arg)
{
	(void)arg;
	CHECK(pthread_mutex_lock(&robust) == 0);
	return NULL; /* exits while holding it */
}

static void check_robust(void)
{
	pthread_mutexattr_t a;
	CHECK(pthread_mutexattr_init(&a) == 0);
	CHECK(pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST) == 0);
	CHECK(pthread_mutex_init(&robust, &a) == 0);
	pthread_t t;
	CHECK(pthread_create(&t, NULL, die_holding, NULL) == 0);
	CHECK(pthread_join(t, NULL) == 0);
	CHECK(pthread_mutex_lock(&robust) == EOWNERDEAD);
	CHECK(pthread_mutex_consistent(&robust) == 0);
	CHECK(pthread_mutex_unlock(&robust) == 0);
	printf("robust mutex: EOWNERDEAD after its owner exited\n");
}

int main(void)
{
	check_pipe();
	check_timedwait();
	check_interrupt(0);
	check_interrupt(1);
	check_robust();
	return 0;
}
