/* threads.c: pthreads: create and join, a mutex-protected counter, per-thread TLS, a condvar. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "abi.h"

enum { NTHREADS = 4, ROUNDS = 20000 };

static __thread long tls_sum = 1000;	/* initialized TLS: every thread starts at 1000 */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static long counter;
static int ready;

static void *worker(void *arg)
{
	long id = (long)arg;

	CHECK(tls_sum == 1000);
	CHECK(syscall(SYS_gettid) != getpid());
	for (int i = 0; i < ROUNDS; i++) {
		CHECK(pthread_mutex_lock(&lock) == 0);
		counter++;
		CHECK(pthread_mutex_unlock(&lock) == 0);
		tls_sum += id;
	}
	CHECK(pthread_mutex_lock(&lock) == 0);
	while (!ready)
		CHECK(pthread_cond_wait(&cond, &lock) == 0);
	CHECK(pthread_mutex_unlock(&lock) == 0);
	return (void *)tls_sum;
}

int main(void)
{
	pthread_t t[NTHREADS];

	tls_sum = 7;
	for (long i = 0; i < NTHREADS; i++)
		CHECK(pthread_create(&t[i], NULL, worker, (void *)i) == 0);
	CHECK(pthread_mutex_lock(&lock) == 0);
	ready = 1;
	CHECK(pthread_cond_broadcast(&cond) == 0);
	CHECK(pthread_mutex_unlock(&lock) == 0);
	for (long i = 0; i < NTHREADS; i++) {
		void *ret;

		CHECK(pthread_join(t[i], &ret) == 0);
		printf("thread %ld: tls sum %ld\n", i, (long)ret);
		CHECK((long)ret == 1000 + i * ROUNDS);
	}
	printf("counter %ld, main tls %ld\n", counter, tls_sum);
	CHECK(counter == (long)NTHREADS * ROUNDS && tls_sum == 7);
	return 0;
}
