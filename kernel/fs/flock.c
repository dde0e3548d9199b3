/* flock(2): shared and exclusive whole-file locks held by open file descriptions, so two
 * opens of one file in the program contend as on Linux; a lock goes when its file closes. */
#include "kernel/fs/vfs.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/lock.h"
#include "kernel/mm/kalloc.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/waitq.h"
#include "gen/syscalls.h"

#define LOCK_SH 1
#define LOCK_EX 2
#define LOCK_NB 4
#define LOCK_UN 8
#define LOCK_MAND 32 /* removed from Linux: ignored */

struct flock_entry {
	uint64_t dev, ino;
	struct file *owner;
	bool exclusive;
	struct flock_entry *next;
};

static struct spinlock lock;
static struct flock_entry *held;
static int nheld;
static struct waitq waiters;

struct want {
	uint64_t dev, ino;
	struct file *owner;
	bool exclusive;
};

/* Whether another open file holds a lock that conflicts; the lock is held. */
static bool conflicts(const struct want *w)
{
	for (struct flock_entry *e = held; e; e = e->next)
		if (e->dev == w->dev && e->ino == w->ino && e->owner != w->owner && (e->exclusive || w->exclusive))
			return true;
	return false;
}

static bool free_for(void *arg)
{
	spin_lock(&lock);
	bool ok = !conflicts(arg);
	spin_unlock(&lock);
	return ok;
}

/* Drops owner's lock; the lock is held. */
static bool drop(struct file *owner)
{
	for (struct flock_entry **pp = &held; *pp; pp = &(*pp)->next)
		if ((*pp)->owner == owner) {
			struct flock_entry *e = *pp;
			*pp = e->next;
			kfree(e);
			nheld--;
			return true;
		}
	return false;
}

void flock_file_closed(struct file *f)
{
	if (!__atomic_load_n(&nheld, __ATOMIC_ACQUIRE))
		return;
	spin_lock(&lock);
	bool dropped = drop(f);
	spin_unlock(&lock);
	if (dropped)
		waitq_wake_all(&waiters);
}

static long take(struct file *f, const struct want *w, bool nonblock)
{
	struct flock_entry *e = kzalloc(sizeof *e);
	if (!e)
		return -ENOLCK;
	for (;;) {
		spin_lock(&lock);
		bool changed = drop(f); /* converting a lock first releases it, as Linux does */
		if (!conflicts(w)) {
			*e = (struct flock_entry){w->dev, w->ino, f, w->exclusive, held};
			held = e;
			nheld++;
			spin_unlock(&lock);
			return 0;
		}
		spin_unlock(&lock);
		if (changed)
			waitq_wake_all(&waiters);
		if (nonblock) {
			kfree(e);
			return -EAGAIN;
		}
		if (waitq_wait(&waiters, free_for, (void *)w, 0, -1) == -EINTR) {
			kfree(e);
			return -ERESTARTSYS;
		}
	}
}

long sys_flock(int fd, int op)
{
	if (op & LOCK_MAND)
		return 0; /* Linux ignores the removed mandatory locks, before it looks at the fd */
	int kind = op & ~LOCK_NB;
	if (kind != LOCK_SH && kind != LOCK_EX && kind != LOCK_UN)
		return -EINVAL;
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	struct kstat st = {0};
	long r = f->ops->stat ? f->ops->stat(f, &st) : -EBADF;
	if (r == 0 && kind == LOCK_UN) {
		spin_lock(&lock);
		drop(f);
		spin_unlock(&lock);
		waitq_wake_all(&waiters);
	} else if (r == 0) {
		struct want w = {st.dev, st.ino, f, kind == LOCK_EX};
		r = take(f, &w, op & LOCK_NB);
	}
	file_put(f);
	return r;
}
