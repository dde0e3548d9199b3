/* pingpong.c: two threads hand a token back and forth 20000 times, over a pair of pipes and
 * then with a mutex and condition variable. Each hand-over wakes a sleeping thread, so a slow
 * wake-up path (a waker holding a lock the woken thread needs, while it makes a slow host
 * call) multiplies into minutes and the run times out. */
#include <pthread.h>

#include "abi.h"

#define ROUNDS 20000

static int ping[2], pong[2];
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static long turn; /* even: main's turn, odd: the echo thread's */

static void *echo_pipes(void *arg)
{
	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		unsigned char c;
		CHECK(read(ping[0], &c, 1) == 1);
		c = (unsigned char)(c * 3 + 1);
		CHECK(write(pong[1], &c, 1) == 1);
	}
	return NULL;
}

static void *echo_cond(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&mu);
	for (int i = 0; i < ROUNDS; i++) {
		while (turn % 2 == 0)
			pthread_cond_wait(&cv, &mu);
		turn++;
		pthread_cond_signal(&cv);
	}
	pthread_mutex_unlock(&mu);
	return NULL;
}

int main(void)
{
	pthread_t t;
	unsigned long sum = 0;

	CHECK(pipe(ping) == 0 && pipe(pong) == 0);
	CHECK(pthread_create(&t, NULL, echo_pipes, NULL) == 0);
	for (int i = 0; i < ROUNDS; i++) {
		unsigned char c = (unsigned char)i;
		CHECK(write(ping[1], &c, 1) == 1 && read(pong[0], &c, 1) == 1);
		sum += c;
	}
	CHECK(pthread_join(t, NULL) == 0);
	printf("pipes: %d round trips, checksum %lu\n", ROUNDS, sum);

	CHECK(pthread_create(&t, NULL, echo_cond, NULL) == 0);
	pthread_mutex_lock(&mu);
	for (int i = 0; i < ROUNDS; i++) {
		turn++;
		pthread_cond_signal(&cv);
		while (turn % 2 == 1)
			pthread_cond_wait(&cv, &mu);
	}
	pthread_mutex_unlock(&mu);
	CHECK(pthread_join(t, NULL) == 0);
	printf("condition variable: %ld turns\n", turn);
	return 0;
}
