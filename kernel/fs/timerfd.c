/* timerfd: a kernel timer whose expirations are counted and read as a 64-bit number. */
#include "kernel/fs/anon.h"
#include "kernel/fs/poll.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/uaccess.h"
#include "kernel/mm/kalloc.h"
#include "kernel/proc/proc.h"
#include "kernel/time/time.h"
#include "kernel/time/timer.h"
#include "gen/syscalls.h"

#define TFD_TIMER_ABSTIME 1
#define TFD_TIMER_CANCEL_ON_SET 2

struct timerfd {
	struct ktimer kt; /* first: the fire callback finds the timerfd from it */
	int clk;
	uint64_t ticks;
	struct waitq waiters;
};

static void tfd_fire(struct ktimer *kt, uint64_t overruns)
{
	struct timerfd *t = (struct timerfd *)kt;
	__atomic_add_fetch(&t->ticks, overruns, __ATOMIC_RELEASE);
	waitq_wake_all(&t->waiters);
}

static bool ticked(void *arg)
{
	return __atomic_load_n(&((struct timerfd *)arg)->ticks, __ATOMIC_ACQUIRE) != 0;
}

static long tfd_read(struct file *f, void *ubuf, size_t len)
{
	struct timerfd *t = f->priv;
	if (len < 8)
		return -EINVAL;
	for (;;) {
		uint64_t n = __atomic_exchange_n(&t->ticks, 0, __ATOMIC_ACQ_REL);
		if (n)
			return copy_to_user(ubuf, &n, sizeof n) < 0 ? -EFAULT : 8;
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (waitq_wait(&t->waiters, ticked, t, 0, -1) == -EINTR)
			return -ERESTARTSYS;
	}
}

static unsigned tfd_poll(struct file *f, unsigned events, struct poll_table *pt)
{
	struct timerfd *t = f->priv;
	(void)events;
	poll_wait(pt, &t->waiters);
	return ticked(t) ? POLLIN | POLLRDNORM : 0;
}

static void tfd_release(struct file *f)
{
	struct timerfd *t = f->priv;
	timer_disarm(&t->kt);
	kfree(t);
}

static const struct file_ops timerfd_ops = {
	.read = tfd_read, .poll = tfd_poll, .stat = anon_stat, .release = tfd_release,
};

long sys_timerfd_create(int clk, int flags)
{
	if (!timer_clock_ok(clk))
		return -EINVAL;
	if (flags & ~(O_CLOEXEC | O_NONBLOCK))
		return -EINVAL;
	struct timerfd *t = kzalloc(sizeof *t);
	if (t) {
		t->kt.fire = tfd_fire;
		t->clk = clk;
	}
	return anon_install(&timerfd_ops, t, flags, "anon_inode:[timerfd]");
}

static struct timerfd *timerfd_of(struct file *f)
{
	return f && f->ops == &timerfd_ops ? f->priv : NULL;
}

long sys_timerfd_settime(int fd, int flags, const void *unew, void *uold)
{
	if (flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET))
		return -EINVAL;
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	struct timerfd *t = timerfd_of(f);
	long r = t ? 0 : -EINVAL;
	char old[32];
	if (t) {
		itimerspec_of(&t->kt, old);
		r = itimerspec_arm(&t->kt, t->clk, flags & TFD_TIMER_ABSTIME, unew);
	}
	if (r == 0) {
		__atomic_store_n(&t->ticks, 0, __ATOMIC_RELEASE);
		if (uold && copy_to_user(uold, old, sizeof old) < 0)
			r = -EFAULT;
	}
	file_put(f);
	return r;
}

long sys_timerfd_gettime(int fd, void *ucur)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	struct timerfd *t = timerfd_of(f);
	char cur[32];
	long r = t ? 0 : -EINVAL;
	if (t) {
		itimerspec_of(&t->kt, cur);
		r = copy_to_user(ucur, cur, sizeof cur);
	}
	file_put(f);
	return r;
}
