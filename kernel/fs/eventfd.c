/* eventfd: a 64-bit counter with blocking reads and writes, EFD_SEMAPHORE, and readiness. */
#include "kernel/fs/anon.h"
#include "kernel/fs/poll.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/lock.h"
#include "kernel/uaccess.h"
#include "kernel/mm/kalloc.h"
#include "kernel/proc/proc.h"
#include "gen/syscalls.h"

#define EFD_SEMAPHORE 1
#define COUNT_MAX 0xfffffffffffffffeULL

struct eventfd {
	struct spinlock lock;
	uint64_t count;
	bool semaphore;
	struct waitq waiters; /* readers and writers alike; both recheck */
};

static bool can_read(void *arg)
{
	return __atomic_load_n(&((struct eventfd *)arg)->count, __ATOMIC_ACQUIRE) > 0;
}

static bool can_write_one(void *arg)
{
	return __atomic_load_n(&((struct eventfd *)arg)->count, __ATOMIC_ACQUIRE) < COUNT_MAX;
}

static long efd_read(struct file *f, void *ubuf, size_t len)
{
	struct eventfd *e = f->priv;
	if (len < 8)
		return -EINVAL;
	for (;;) {
		spin_lock(&e->lock);
		uint64_t v = e->count;
		if (v) {
			v = e->semaphore ? 1 : v;
			e->count -= v;
		}
		spin_unlock(&e->lock);
		if (v) {
			waitq_wake_all(&e->waiters);
			return copy_to_user(ubuf, &v, sizeof v) < 0 ? -EFAULT : 8;
		}
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (waitq_wait(&e->waiters, can_read, e, 0, -1) == -EINTR)
			return -ERESTARTSYS;
	}
}

static long efd_write(struct file *f, const void *ubuf, size_t len)
{
	struct eventfd *e = f->priv;
	uint64_t v;
	if (len < 8)
		return -EINVAL;
	if (copy_from_user(&v, ubuf, sizeof v) < 0)
		return -EFAULT;
	if (v == ~0ULL)
		return -EINVAL;
	for (;;) {
		spin_lock(&e->lock);
		bool fits = COUNT_MAX - e->count >= v;
		if (fits)
			e->count += v;
		spin_unlock(&e->lock);
		if (fits) {
			waitq_wake_all(&e->waiters);
			return 8;
		}
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (waitq_wait(&e->waiters, can_write_one, e, 0, -1) == -EINTR)
			return -ERESTARTSYS;
	}
}

static unsigned efd_poll(struct file *f, unsigned events, struct poll_table *pt)
{
	struct eventfd *e = f->priv;
	(void)events;
	poll_wait(pt, &e->waiters);
	uint64_t c = __atomic_load_n(&e->count, __ATOMIC_ACQUIRE);
	return (c ? POLLIN | POLLRDNORM : 0) | (c < COUNT_MAX ? POLLOUT | POLLWRNORM : 0);
}

static const struct file_ops eventfd_ops = {
	.read = efd_read, .write = efd_write, .poll = efd_poll, .stat = anon_stat, .release = anon_release,
};

long sys_eventfd2(unsigned initval, int flags)
{
	if (flags & ~(O_CLOEXEC | O_NONBLOCK | EFD_SEMAPHORE))
		return -EINVAL;
	struct eventfd *e = kzalloc(sizeof *e);
	if (e) {
		e->count = initval;
		e->semaphore = flags & EFD_SEMAPHORE;
	}
	return anon_install(&eventfd_ops, e, flags, "anon_inode:[eventfd]");
}

long sys_eventfd(unsigned initval)
{
	return sys_eventfd2(initval, 0);
}
