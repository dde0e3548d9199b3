/* cancel.c: pthread cancellation points still cancel: a thread blocked in read on an empty
 * pipe, and one blocked in a nanosleep, end with PTHREAD_CANCELED; with cancellation disabled
 * the read goes on to its data. */
#define _GNU_SOURCE
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "abi.h"

static int p[2];

static void *reader(void *arg)
{
	char c;
	if (arg) {
		int old;
		CHECK(pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old) == 0);
	}
	long n = read(p[0], &c, 1);
	return (void *)n;
}

static void *sleeper(void *arg)
{
	(void)arg;
	struct timespec ts = {10, 0};
	nanosleep(&ts, NULL);
	return (void *)1;
}

int main(void)
{
	CHECK(pipe(p) == 0);
	pthread_t t;
	void *res;
	CHECK(pthread_create(&t, NULL, reader, NULL) == 0);
	usleep(30000);
	CHECK(pthread_cancel(t) == 0);
	CHECK(pthread_join(t, &res) == 0 && res == PTHREAD_CANCELED);
	printf("read on an empty pipe: cancelled\n");

	CHECK(pthread_create(&t, NULL, sleeper, NULL) == 0);
	usleep(30000);
	CHECK(pthread_cancel(t) == 0);
	CHECK(pthread_join(t, &res) == 0 && res == PTHREAD_CANCELED);
	printf("nanosleep: cancelled\n");

	CHECK(pthread_create(&t, NULL, reader, (void *)1) == 0);
	usleep(30000);
	CHECK(pthread_cancel(t) == 0);
	usleep(30000);
	CHECK(write(p[1], "x", 1) == 1);
	CHECK(pthread_join(t, &res) == 0 && res == (void *)1);
	printf("with cancellation disabled the read goes on\n");
	return 0;
}
