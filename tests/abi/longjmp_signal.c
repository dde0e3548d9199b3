/* longjmp_signal.c: a handler that siglongjmps out of a blocked read (through libc, so by the
 * adapter library's direct path in dynamic programs, by a trap otherwise) leaves the kernel
 * consistent: the pipe, a mutex and a condition variable work as before, and it can be done
 * again and again. */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <unistd.h>

#include "abi.h"

static sigjmp_buf env;
static volatile sig_atomic_t jumps;

static void on_usr1(int sig)
{
	(void)sig;
	jumps++;
	siglongjmp(env, 1);
}

static pthread_t main_thread;
/* Set once the jump buffer is this round's: a signal before that (a slow pthread_create under
 * load) would jump out of pthread_create itself, with libc's locks held. */
static volatile int armed;

static void *kicker(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&armed, __ATOMIC_ACQUIRE))
		usleep(1000);
	usleep(20000); /* then the main thread is most likely blocked in read */
	pthread_kill(main_thread, SIGUSR1);
	return NULL;
}

int main(void)
{
	struct sigaction sa = {0};
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_RESTART;
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
	main_thread = pthread_self();
	int p[2];
	CHECK(pipe(p) == 0);
	for (int round = 0; round < 5; round++) {
		pthread_t t;
		__atomic_store_n(&armed, 0, __ATOMIC_RELEASE);
		CHECK(pthread_create(&t, NULL, kicker, NULL) == 0);
		if (sigsetjmp(env, 1) == 0) {
			char c;
			__atomic_store_n(&armed, 1, __ATOMIC_RELEASE);
			(void)read(p[0], &c, 1); /* blocks until the handler jumps out */
			CHECK(!"read returned");
		}
		CHECK(pthread_join(t, NULL) == 0);
	}
	CHECK(jumps == 5);
	printf("five jumps out of a blocked read\n");
	char buf[4];
	CHECK(write(p[1], "abc", 3) == 3 && read(p[0], buf, 3) == 3 && buf[0] == 'a');
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 10000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	CHECK(pthread_mutex_lock(&m) == 0);
	CHECK(pthread_cond_timedwait(&cv, &m, &ts) == ETIMEDOUT);
	CHECK(pthread_mutex_unlock(&m) == 0);
	printf("afterwards the pipe, a mutex and a timed wait work\n");
	return 0;
}
