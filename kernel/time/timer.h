/* Kernel timers on CLOCK_MONOTONIC: what alarms, POSIX timers and timerfds are made of.
 * The platform calls timer_run_expired when the earliest programmed deadline passes. */
#pragma once
#include "kernel/types.h"

struct ktimer {
	int64_t expires;  /* CLOCK_MONOTONIC ns; 0 when disarmed */
	int64_t interval; /* ns between expirations; 0 for one shot */
	/* Runs in the timer context, without the timer lock, once per expiration batch;
	 * overruns counts the expirations it stands for (> 1 when the timer fell behind). */
	void (*fire)(struct ktimer *t, uint64_t overruns);
	struct ktimer *next;
};

int64_t timer_now(void);
void timer_arm(struct ktimer *t, int64_t expires, int64_t interval);
void timer_disarm(struct ktimer *t);
/* Nanoseconds until t fires next (0 when disarmed). */
int64_t timer_remaining(struct ktimer *t);
void timer_run_expired(void);

/* Shared by POSIX timers and timerfds (timers.c). */
bool timer_clock_ok(int clk);
int64_t timer_deadline(int clk, int64_t value, bool absolute);
/* struct itimerspec of kt into out (32 bytes); arm kt from a user itimerspec. */
void itimerspec_of(struct ktimer *kt, void *out);
long itimerspec_arm(struct ktimer *kt, int clk, bool absolute, const void *unew);
