/* Kernel timers: one list ordered by deadline; the platform is asked to call back at the
 * earliest one. A periodic timer that fell behind fires once with the missed count. */
#include "kernel/time/timer.h"
#include "kernel/time/time.h"
#include "kernel/lib.h"
#include "kernel/lock.h"
#include "kernel/mm/kalloc.h"
#include "kernel/proc/proc.h"
#include "plat/plat.h"

static struct spinlock lock;
static void start_once(void);
static struct ktimer *head;
static struct ktimer *running; /* the timer whose fire is under way */
static struct kthread *running_ctx; /* the timer context's kernel thread */

int64_t timer_now(void)
{
	struct timespec64 t = time_now(CLOCK_MONOTONIC);
	return t.sec * 1000000000 + t.nsec;
}

static void unlink_locked(struct ktimer *t)
{
	for (struct ktimer **pp = &head; *pp; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			break;
		}
}

static void insert_locked(struct ktimer *t)
{
	struct ktimer **pp = &head;
	while (*pp && (*pp)->expires <= t->expires)
		pp = &(*pp)->next;
	t->next = *pp;
	*pp = t;
}

void timer_arm(struct ktimer *t, int64_t expires, int64_t interval)
{
	start_once();
	spin_lock(&lock);
	unlink_locked(t);
	t->expires = expires > 0 ? expires : 1;
	t->interval = interval;
	insert_locked(t);
	int64_t first = head->expires;
	spin_unlock(&lock);
	plat_timer_program(first);
}

/* Disarms t and waits out a fire of it under way, so t may be freed afterwards. */
void timer_disarm(struct ktimer *t)
{
	spin_lock(&lock);
	unlink_locked(t);
	t->expires = 0;
	while (running == t && current() != running_ctx) {
		spin_unlock(&lock);
		__builtin_ia32_pause();
		spin_lock(&lock);
	}
	spin_unlock(&lock);
}

int64_t timer_remaining(struct ktimer *t)
{
	spin_lock(&lock);
	int64_t e = t->expires;
	spin_unlock(&lock);
	if (!e)
		return 0;
	return MAX(e - timer_now(), (int64_t)1);
}

/* Takes the first expired timer off the list, rearming it if periodic. */
static struct ktimer *take_expired(int64_t now, uint64_t *overruns)
{
	spin_lock(&lock);
	struct ktimer *t = head;
	if (!t || t->expires > now) {
		spin_unlock(&lock);
		return NULL;
	}
	head = t->next;
	running = t;
	*overruns = 1;
	if (t->interval) {
		uint64_t missed = (uint64_t)(now - t->expires) / (uint64_t)t->interval;
		*overruns += missed;
		t->expires += (int64_t)(missed + 1) * t->interval;
		insert_locked(t);
	} else {
		t->expires = 0;
	}
	spin_unlock(&lock);
	return t;
}

void timer_run_expired(void)
{
	int64_t now = timer_now();
	struct ktimer *t;
	uint64_t overruns;
	while ((t = take_expired(now, &overruns))) {
		t->fire(t, overruns);
		spin_lock(&lock);
		running = NULL;
		spin_unlock(&lock);
	}
	spin_lock(&lock);
	int64_t next = head ? head->expires : -1;
	spin_unlock(&lock);
	plat_timer_program(next);
}

/* The timer context starts with the first timer a program arms. */
static void start_once(void)
{
	static int started;
	if (__atomic_exchange_n(&started, 1, __ATOMIC_ACQ_REL))
		return;
	struct kthread *kt = kzalloc(sizeof *kt);
	kassert(kt);
	kt->self = kt;
	kt->proc = curproc(); /* a kernel thread (tid 0): in the process, not in its thread list */
	kt->sysnr = -1;
	running_ctx = kt;
	plat_timer_start(kt);
}
