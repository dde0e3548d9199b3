/* kick.h: a thread that sends SIGUSR1 to another after 30 ms, then (fd >= 0) writes one
 * byte to fd 30 ms later; on_usr1 counts the signals in hits. For tests of interrupted calls. */
#ifndef KICK_H
#define KICK_H

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include "abi.h"

static volatile sig_atomic_t hits;
static void on_usr1(int sig)
{
	(void)sig;
	hits++;
}

struct kick {
	pthread_t target;
	int fd;       /* written after the signal when >= 0 */
};

static void *kicker(void *arg)
{
	struct kick *k = arg;
	usleep(30000);
	CHECK(pthread_kill(k->target, SIGUSR1) == 0);
	if (k->fd >= 0) {
		usleep(30000);
		CHECK(write(k->fd, "x", 1) == 1);
	}
	return NULL;
}

#endif
