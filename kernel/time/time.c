/* Clock and sleep system calls. */
#include "kernel/time/time.h"
#include "kernel/time/vclock.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/uaccess.h"
#include "gen/syscalls.h"
#include "kernel/proc/proc.h"
#include "plat/plat.h"

struct ktimespec {
	int64_t sec, nsec;
};

struct timespec64 time_now(int clk)
{
	int64_t s = 0, ns = 0;
	if (!vclock_read(clk, &s, &ns)) /* the vDSO's page first: no host call */
		plat_clock_gettime(clk, &s, &ns);
	return (struct timespec64){s, ns};
}

static bool clock_valid(int clk)
{
	return (clk >= 0 && clk <= CLOCK_BOOTTIME) || clk == CLOCK_TAI || clk == 8 || clk == 9;
}

long sys_clock_gettime(int clk, void *tp)
{
	if (!clock_valid(clk))
		return -EINVAL;
	struct ktimespec t;
	long r = vclock_read(clk, &t.sec, &t.nsec) ? 0 : plat_clock_gettime(clk, &t.sec, &t.nsec);
	if (r < 0)
		return r;
	return copy_to_user(tp, &t, sizeof t);
}

long sys_clock_getres(int clk, void *tp)
{
	if (!clock_valid(clk))
		return -EINVAL;
	struct ktimespec t;
	long r = plat_clock_getres(clk, &t.sec, &t.nsec);
	if (r < 0 || !tp)
		return r;
	return copy_to_user(tp, &t, sizeof t);
}

long sys_gettimeofday(void *tv, void *tz)
{
	if (tv) {
		struct ktimespec t;
		if (!vclock_read(CLOCK_REALTIME, &t.sec, &t.nsec))
			plat_clock_gettime(CLOCK_REALTIME, &t.sec, &t.nsec);
		int64_t v[2] = {t.sec, t.nsec / 1000};
		if (copy_to_user(tv, v, sizeof v) < 0)
			return -EFAULT;
	}
	if (tz) {
		int32_t z[2] = {0, 0};
		if (copy_to_user(tz, z, sizeof z) < 0)
			return -EFAULT;
	}
	return 0;
}

/* The wall clock's second as of the last tick, as Linux's time() and the vDSO's give it. */
long sys_time(void *t)
{
	struct ktimespec now;
	if (!vclock_read(CLOCK_REALTIME_COARSE, &now.sec, &now.nsec))
		plat_clock_gettime(CLOCK_REALTIME, &now.sec, &now.nsec);
	if (t && copy_to_user(t, &now.sec, sizeof now.sec) < 0)
		return -EFAULT;
	return now.sec;
}

/* Sleeps on the kernel's own wait, so a signal interrupts it: -EINTR with the time left
 * written back for relative sleeps (a handler then runs; with none, the wait goes on). */
static long do_sleep(int clk, int flags, const void *ureq, void *urem)
{
	struct ktimespec req;
	if (copy_from_user(&req, ureq, sizeof req) < 0)
		return -EFAULT;
	if (req.sec < 0 || req.nsec < 0 || req.nsec >= 1000000000)
		return -EINVAL;
	bool absolute = flags & TIMER_ABSTIME;
	int wclk = absolute ? clk : CLOCK_MONOTONIC;
	struct timespec64 now = time_now(wclk);
	int64_t ns = req.sec > INT64_MAX / 1000000000 - 1 ? INT64_MAX / 2 : req.sec * 1000000000 + req.nsec;
	int64_t deadline = absolute ? ns : now.sec * 1000000000 + now.nsec + ns;
	for (;;) {
		long r = thread_wait(NULL, NULL, wclk, deadline);
		if (r == -ETIMEDOUT)
			return 0;
		if (!signal_would_interrupt())
			continue; /* nothing will run a handler: keep sleeping, unseen */
		if (urem && !absolute) {
			now = time_now(wclk);
			int64_t left = MAX(deadline - (now.sec * 1000000000 + now.nsec), (int64_t)0);
			struct ktimespec rem = {left / 1000000000, left % 1000000000};
			if (copy_to_user(urem, &rem, sizeof rem) < 0)
				return -EFAULT;
		}
		return -EINTR;
	}
}

long sys_nanosleep(const void *req, void *rem)
{
	return do_sleep(CLOCK_MONOTONIC, 0, req, rem);
}

long sys_clock_nanosleep(int clk, int flags, const void *req, void *rem)
{
	if (clk == CLOCK_THREAD_CPUTIME_ID)
		return -EINVAL;
	if (!clock_valid(clk) || clk == CLOCK_MONOTONIC_RAW || clk == CLOCK_REALTIME_COARSE || clk == CLOCK_MONOTONIC_COARSE)
		return clk == CLOCK_PROCESS_CPUTIME_ID ? -EOPNOTSUPP : -EINVAL;
	return do_sleep(clk, flags & TIMER_ABSTIME, req, rem); /* Linux ignores the other bits */
}

/* getcpu, the vDSO's other call; the cache argument has been unused since Linux 2.6.24. */
long sys_getcpu(void *ucpu, void *unode, void *cache)
{
	(void)cache;
	unsigned cpu, node;
	long r = plat_getcpu(&cpu, &node);
	if (r < 0)
		return r;
	if ((ucpu && copy_to_user(ucpu, &cpu, sizeof cpu) < 0) || (unode && copy_to_user(unode, &node, sizeof node) < 0))
		return -EFAULT;
	return 0;
}
