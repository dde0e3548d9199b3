/* Timers the program asks for: setitimer/getitimer/alarm (ITIMER_REAL) and the POSIX timers
 * (timer_create with SIGEV_SIGNAL, SIGEV_THREAD_ID or SIGEV_NONE). Absolute REALTIME
 * deadlines are converted to CLOCK_MONOTONIC when armed. */
#include "kernel/time/timer.h"
#include "kernel/time/time.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/lock.h"
#include "kernel/signal.h"
#include "kernel/uaccess.h"
#include "kernel/mm/kalloc.h"
#include "kernel/proc/proc.h"
#include "gen/syscalls.h"

#define NS 1000000000L
#define ITIMER_REAL 0
#define ITIMER_VIRTUAL 1
#define ITIMER_PROF 2
#define SIGEV_SIGNAL 0
#define SIGEV_NONE 1
#define SIGEV_THREAD 2
#define SIGEV_THREAD_ID 4
#define SI_TIMER (-2)
#define TIMERS_MAX 256

/* A deadline given on clk as absolute (or relative) ns, moved onto CLOCK_MONOTONIC. */
int64_t timer_deadline(int clk, int64_t value, bool absolute)
{
	int64_t mono = timer_now();
	if (!absolute)
		return mono + value;
	if (clk == CLOCK_MONOTONIC || clk == CLOCK_BOOTTIME)
		return value;
	struct timespec64 now = time_now(clk);
	return mono + (value - (now.sec * NS + now.nsec));
}

bool timer_clock_ok(int clk)
{
	return clk == CLOCK_REALTIME || clk == CLOCK_MONOTONIC || clk == CLOCK_BOOTTIME || clk == 8 || clk == 9;
}

/* ITIMER_REAL: SIGALRM to the process. */

static void alarm_fire(struct ktimer *t, uint64_t overruns)
{
	(void)t, (void)overruns;
	struct ksiginfo info = {.signo = SIGALRM, .code = 0x80 /* SI_KERNEL */};
	signal_send_process(curproc(), SIGALRM, &info);
}

static struct ktimer itimer_real = {.fire = alarm_fire};

struct itimerval {
	int64_t interval_sec, interval_usec, value_sec, value_usec;
};

static void itimer_get(struct itimerval *v)
{
	int64_t left = timer_remaining(&itimer_real), iv = itimer_real.expires ? itimer_real.interval : 0;
	*v = (struct itimerval){iv / NS, iv % NS / 1000, left / NS, left % NS / 1000};
	if (left && !v->value_sec && !v->value_usec)
		v->value_usec = 1;
}

long sys_getitimer(int which, void *uval)
{
	struct itimerval v = {0};
	if (which < ITIMER_REAL || which > ITIMER_PROF)
		return -EINVAL;
	if (which == ITIMER_REAL)
		itimer_get(&v);
	return copy_to_user(uval, &v, sizeof v);
}

long sys_setitimer(int which, const void *unew, void *uold)
{
	struct itimerval n = {0}, o;
	if (which < ITIMER_REAL || which > ITIMER_PROF)
		return -EINVAL;
	if (unew && copy_from_user(&n, unew, sizeof n) < 0)
		return -EFAULT;
	if (n.value_usec < 0 || n.value_usec >= 1000000 || n.interval_usec < 0 || n.interval_usec >= 1000000 ||
	    n.value_sec < 0 || n.interval_sec < 0)
		return -EINVAL;
	if (which != ITIMER_REAL)
		return -EINVAL; /* CPU-time itimers are not kept */
	itimer_get(&o);
	if (uold && copy_to_user(uold, &o, sizeof o) < 0)
		return -EFAULT;
	int64_t value = n.value_sec * NS + n.value_usec * 1000, iv = n.interval_sec * NS + n.interval_usec * 1000;
	if (value)
		timer_arm(&itimer_real, timer_now() + value, iv);
	else
		timer_disarm(&itimer_real);
	return 0;
}

long sys_alarm(unsigned seconds)
{
	struct itimerval o;
	itimer_get(&o);
	if (seconds)
		timer_arm(&itimer_real, timer_now() + (int64_t)seconds * NS, 0);
	else
		timer_disarm(&itimer_real);
	return o.value_sec + (o.value_usec >= 500000 || (!o.value_sec && o.value_usec));
}

/* POSIX timers. */

struct ptimer {
	struct ktimer kt;
	int id, clk, notify, signo, tid;
	int64_t value;       /* sigev_value */
	uint64_t overrun;    /* of the last expiration batch */
};

static struct spinlock ptimers_lock;
static struct ptimer *ptimers[TIMERS_MAX];

static void ptimer_fire(struct ktimer *kt, uint64_t overruns)
{
	struct ptimer *p = (struct ptimer *)kt;
	p->overrun = overruns - 1;
	if (p->notify == SIGEV_NONE)
		return;
	struct ksiginfo info = {.signo = p->signo, .code = SI_TIMER,
				.timer = {p->id, (int32_t)MIN(p->overrun, (uint64_t)0x7fffffff), p->value}};
	struct kthread *t = p->notify == SIGEV_THREAD_ID ? thread_find(curproc(), p->tid) : NULL;
	if (t)
		signal_send_thread(t, p->signo, &info);
	else
		signal_send_process(curproc(), p->signo, &info);
}

struct sigevent {
	int64_t value;
	int32_t signo, notify;
	int32_t tid;
	int32_t pad[11];
};

long sys_timer_create(int clk, const void *usev, void *uid)
{
	if (!timer_clock_ok(clk) && clk != CLOCK_PROCESS_CPUTIME_ID && clk != CLOCK_THREAD_CPUTIME_ID)
		return -EINVAL;
	struct sigevent ev = {.signo = SIGALRM, .notify = SIGEV_SIGNAL};
	if (usev && copy_from_user(&ev, usev, sizeof ev) < 0)
		return -EFAULT;
	if (ev.notify != SIGEV_SIGNAL && ev.notify != SIGEV_NONE && ev.notify != SIGEV_THREAD_ID)
		return -EINVAL;
	if (ev.notify != SIGEV_NONE && (ev.signo <= 0 || ev.signo > NSIG))
		return -EINVAL;
	if (ev.notify == SIGEV_THREAD_ID && !thread_find(curproc(), ev.tid))
		return -EINVAL;
	struct ptimer *p = kzalloc(sizeof *p);
	if (!p)
		return -EAGAIN;
	*p = (struct ptimer){.kt = {.fire = ptimer_fire}, .clk = clk, .notify = ev.notify, .signo = ev.signo,
			     .tid = ev.tid, .value = usev ? ev.value : 0};
	spin_lock(&ptimers_lock);
	int id = 0;
	while (id < TIMERS_MAX && ptimers[id])
		id++;
	if (id < TIMERS_MAX)
		ptimers[id] = p;
	spin_unlock(&ptimers_lock);
	if (id == TIMERS_MAX) {
		kfree(p);
		return -EAGAIN;
	}
	p->id = id;
	if (!usev)
		p->value = id;
	if (copy_to_user(uid, &id, sizeof id) < 0) {
		sys_timer_delete(id);
		return -EFAULT;
	}
	return 0;
}

static struct ptimer *ptimer_get(int id)
{
	if (id < 0 || id >= TIMERS_MAX)
		return NULL;
	spin_lock(&ptimers_lock);
	struct ptimer *p = ptimers[id];
	spin_unlock(&ptimers_lock);
	return p;
}

struct itimerspec {
	int64_t interval_sec, interval_nsec, value_sec, value_nsec;
};

void itimerspec_of(struct ktimer *kt, void *out)
{
	int64_t left = timer_remaining(kt), iv = kt->expires ? kt->interval : 0;
	struct itimerspec v = {iv / NS, iv % NS, left / NS, left % NS};
	memcpy(out, &v, sizeof v);
}

/* Arms kt from a user itimerspec on clk; returns -errno. */
long itimerspec_arm(struct ktimer *kt, int clk, bool absolute, const void *unew)
{
	struct itimerspec n;
	if (copy_from_user(&n, unew, sizeof n) < 0)
		return -EFAULT;
	if (n.value_nsec < 0 || n.value_nsec >= NS || n.interval_nsec < 0 || n.interval_nsec >= NS ||
	    n.value_sec < 0 || n.interval_sec < 0)
		return -EINVAL;
	int64_t value = n.value_sec * NS + n.value_nsec;
	if (!value) {
		timer_disarm(kt);
		return 0;
	}
	timer_arm(kt, timer_deadline(clk, value, absolute), n.interval_sec * NS + n.interval_nsec);
	return 0;
}

long sys_timer_settime(int id, int flags, const void *unew, void *uold)
{
	struct ptimer *p = ptimer_get(id);
	if (!p)
		return -EINVAL;
	struct itimerspec o; /* flags other than TIMER_ABSTIME are ignored, as by Linux */
	itimerspec_of(&p->kt, &o);
	long r = itimerspec_arm(&p->kt, p->clk, flags & TIMER_ABSTIME, unew);
	if (r == 0 && uold && copy_to_user(uold, &o, sizeof o) < 0)
		r = -EFAULT;
	return r;
}

long sys_timer_gettime(int id, void *ucur)
{
	struct ptimer *p = ptimer_get(id);
	if (!p)
		return -EINVAL;
	struct itimerspec v;
	itimerspec_of(&p->kt, &v);
	return copy_to_user(ucur, &v, sizeof v);
}

long sys_timer_getoverrun(int id)
{
	struct ptimer *p = ptimer_get(id);
	return p ? (long)MIN(p->overrun, (uint64_t)0x7fffffff) : -EINVAL;
}

long sys_timer_delete(int id)
{
	if (id < 0 || id >= TIMERS_MAX)
		return -EINVAL;
	spin_lock(&ptimers_lock);
	struct ptimer *p = ptimers[id];
	ptimers[id] = NULL;
	spin_unlock(&ptimers_lock);
	if (!p)
		return -EINVAL;
	timer_disarm(&p->kt);
	kfree(p); /* timer_disarm waited out a fire under way */
	return 0;
}
