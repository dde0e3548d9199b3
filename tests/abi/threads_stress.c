/* threads_stress.c: 8 threads x 100000 mutex increments (exact, 20 rounds), a barrier,
 * thread-directed signals landing on the right thread, and a SIGSEGV handler that recovers
 * with siglongjmp. */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "abi.h"

enum { NTHREADS = 8, INCREMENTS = 100000, ROUNDS = 20 };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static pthread_barrier_t barrier;

static void *adder(void *arg)
{
	(void)arg;
	int serial = pthread_barrier_wait(&barrier);
	CHECK(serial == 0 || serial == PTHREAD_BARRIER_SERIAL_THREAD);
	for (int i = 0; i < INCREMENTS; i++) {
		CHECK(pthread_mutex_lock(&lock) == 0);
		counter++;
		CHECK(pthread_mutex_unlock(&lock) == 0);
	}
	return NULL;
}

static void check_counter(void)
{
	for (int round = 0; round < ROUNDS; round++) {
		pthread_t t[NTHREADS];
		counter = 0;
		CHECK(pthread_barrier_init(&barrier, NULL, NTHREADS) == 0);
		for (int i = 0; i < NTHREADS; i++)
			CHECK(pthread_create(&t[i], NULL, adder, NULL) == 0);
		for (int i = 0; i < NTHREADS; i++)
			CHECK(pthread_join(t[i], NULL) == 0);
		CHECK(pthread_barrier_destroy(&barrier) == 0);
		CHECK(counter == (long)NTHREADS * INCREMENTS);
	}
	printf("%d rounds of %d threads x %d mutex increments: exact\n", ROUNDS, NTHREADS, INCREMENTS);
}

static __thread int my_index = -1;
static volatile int handled_by[4];

static void on_usr1(int sig)
{
	(void)sig;
	if (my_index >= 0)
		handled_by[my_index]++;
}

static pthread_barrier_t ready;
static volatile int stop;

static void *waiter(void *arg)
{
	my_index = (int)(intptr_t)arg;
	pthread_barrier_wait(&ready);
	while (!stop)
		usleep(1000);
	return NULL;
}

static void check_directed(void)
{
	struct sigaction sa = {0};
	sa.sa_handler = on_usr1;
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
	pthread_t t[4];
	CHECK(pthread_barrier_init(&ready, NULL, 5) == 0);
	for (int i = 0; i < 4; i++)
		CHECK(pthread_create(&t[i], NULL, waiter, (void *)(intptr_t)i) == 0);
	pthread_barrier_wait(&ready);
	CHECK(pthread_kill(t[2], SIGUSR1) == 0);
	CHECK(pthread_kill(t[2], 0) == 0);
	for (int i = 0; i < 2000 && !handled_by[2]; i++)
		usleep(1000);
	stop = 1;
	for (int i = 0; i < 4; i++)
		CHECK(pthread_join(t[i], NULL) == 0);
	CHECK(handled_by[0] == 0 && handled_by[1] == 0 && handled_by[2] == 1 && handled_by[3] == 0);
	printf("pthread_kill: the signal ran on the thread it was sent to\n");
}

static sigjmp_buf env;
static volatile void *fault_addr;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	fault_addr = si->si_addr;
	siglongjmp(env, 1);
}

static void check_segv_recovery(void)
{
	struct sigaction sa = {0};
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO;
	CHECK(sigaction(SIGSEGV, &sa, NULL) == 0);
	char *page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(page != MAP_FAILED);
	int recovered = 0;
	for (int i = 0; i < 3; i++) {
		if (sigsetjmp(env, 1) == 0)
			*(volatile char *)(page + 100 + i) = 1;
		else
			recovered += fault_addr == page + 100 + i;
	}
	CHECK(recovered == 3);
	sigset_t cur;
	CHECK(sigprocmask(SIG_BLOCK, NULL, &cur) == 0 && !sigismember(&cur, SIGSEGV));
	printf("SIGSEGV handler: si_addr exact, siglongjmp back, three times\n");
}

int main(void)
{
	check_counter();
	check_directed();
	check_segv_recovery();
	return 0;
}
