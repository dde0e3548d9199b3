/* Byte-range locks of fcntl: POSIX locks, owned by the process, and open-file-description
 * (OFD) locks, owned by one open file. Locks of different owners conflict where they overlap
 * and one of them writes; a process's own POSIX locks replace each other. POSIX locks go when
 * the process closes any descriptor of the file, OFD locks when their open file closes. */
#include "kernel/fs/vfs.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/lock.h"
#include "kernel/uaccess.h"
#include "kernel/mm/kalloc.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/waitq.h"

#define F_RDLCK 0
#define F_WRLCK 1
#define F_UNLCK 2
#define END_OF_TIME INT64_MAX

struct linux_flock {
	int16_t type, whence;
	int64_t start, len;
	int32_t pid;
};

struct rlock {
	uint64_t dev, ino;
	const void *owner; /* the kproc for POSIX locks, the struct file for OFD locks */
	bool posix;
	int type;
	int64_t start, end; /* inclusive */
	struct rlock *next;
};

static struct spinlock lock;
static struct rlock *locks;
static int nlocks;
static struct waitq waiters;

struct request {
	uint64_t dev, ino;
	const void *owner;
	bool posix;
	int type;
	int64_t start, end;
};

static bool overlaps(const struct rlock *l, const struct request *q)
{
	return l->dev == q->dev && l->ino == q->ino && l->start <= q->end && q->start <= l->end;
}

/* The first lock of another owner that q cannot coexist with; the lock is held. */
static struct rlock *conflict(const struct request *q)
{
	for (struct rlock *l = locks; l; l = l->next)
		if (l->owner != q->owner && overlaps(l, q) && (l->type == F_WRLCK || q->type == F_WRLCK))
			return l;
	return NULL;
}

/* Removes the owner's locks over q's range, keeping the parts outside it; the lock is held.
 * Returns -ENOLCK when a split needs memory there is none of. */
static long cut_out(const struct request *q)
{
	for (struct rlock **pp = &locks; *pp;) {
		struct rlock *l = *pp;
		if (l->owner != q->owner || !overlaps(l, q)) {
			pp = &l->next;
			continue;
		}
		if (l->start < q->start && l->end > q->end) { /* q falls inside: split in two */
			struct rlock *tail = kmalloc(sizeof *tail);
			if (!tail)
				return -ENOLCK;
			*tail = *l;
			tail->start = q->end + 1;
			l->end = q->start - 1;
			tail->next = l->next;
			l->next = tail;
			nlocks++;
			return 0;
		}
		if (l->start < q->start) {
			l->end = q->start - 1;
		} else if (l->end > q->end) {
			l->start = q->end + 1;
		} else {
			*pp = l->next;
			kfree(l);
			nlocks--;
			continue;
		}
		pp = &l->next;
	}
	return 0;
}

static long apply(const struct request *q)
{
	struct rlock *n = q->type != F_UNLCK ? kmalloc(sizeof *n) : NULL;
	if (q->type != F_UNLCK && !n)
		return -ENOLCK;
	long r = cut_out(q);
	if (r == 0 && n) {
		*n = (struct rlock){q->dev, q->ino, q->owner, q->posix, q->type, q->start, q->end, locks};
		locks = n;
		nlocks++;
		n = NULL;
	}
	kfree(n);
	return r;
}

static bool unblocked(void *arg)
{
	spin_lock(&lock);
	bool ok = !conflict(arg);
	spin_unlock(&lock);
	return ok;
}

/* Turns a struct flock of f into a request: the range from whence, start and len. */
static long make_request(struct file *f, const struct linux_flock *fl, bool posix, struct request *q)
{
	struct kstat st = {0};
	if (!f->ops->stat || f->ops->stat(f, &st) < 0)
		return -EBADF;
	int64_t base = 0;
	if (fl->whence == 1 /* SEEK_CUR */)
		base = f->ops->lseek ? f->ops->lseek(f, 0, 1) : 0;
	else if (fl->whence == 2 /* SEEK_END */)
		base = st.size;
	else if (fl->whence != 0)
		return -EINVAL;
	int64_t start = base + fl->start, end;
	if (fl->len > 0) {
		end = start + fl->len - 1;
	} else if (fl->len < 0) {
		end = start - 1;
		start += fl->len;
	} else {
		end = END_OF_TIME;
	}
	if (start < 0)
		return -EINVAL;
	*q = (struct request){st.dev, st.ino, posix ? (const void *)curproc() : (const void *)f, posix, fl->type,
			      start, end};
	return 0;
}

long reclock_fcntl(struct file *f, int cmd, void *uflock)
{
	bool ofd = cmd == F_OFD_GETLK || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
	bool get = cmd == F_GETLK || cmd == F_OFD_GETLK, wait = cmd == F_SETLKW || cmd == F_OFD_SETLKW;
	struct linux_flock fl;
	if (copy_from_user(&fl, uflock, sizeof fl) < 0)
		return -EFAULT;
	if (fl.type < F_RDLCK || fl.type > F_UNLCK || (ofd && fl.pid))
		return -EINVAL;
	int acc = f->flags & O_ACCMODE;
	if (!get && ((fl.type == F_RDLCK && acc == O_WRONLY) || (fl.type == F_WRLCK && acc == O_RDONLY)))
		return -EBADF;
	struct request q;
	long r = make_request(f, &fl, !ofd, &q);
	if (r < 0)
		return r;
	if (get) {
		spin_lock(&lock);
		struct rlock *l = fl.type == F_UNLCK ? NULL : conflict(&q);
		fl = l ? (struct linux_flock){(int16_t)l->type, 0, l->start,
					      l->end == END_OF_TIME ? 0 : l->end - l->start + 1, l->posix ? curproc()->pid : -1}
		       : (struct linux_flock){F_UNLCK, fl.whence, fl.start, fl.len, fl.pid};
		spin_unlock(&lock);
		return copy_to_user(uflock, &fl, sizeof fl);
	}
	for (;;) {
		spin_lock(&lock);
		bool blocked = q.type != F_UNLCK && conflict(&q);
		r = blocked ? -EAGAIN : apply(&q);
		spin_unlock(&lock);
		if (!blocked) {
			waitq_wake_all(&waiters);
			return r;
		}
		if (!wait)
			return -EAGAIN;
		if (waitq_wait(&waiters, unblocked, &q, 0, -1) == -EINTR)
			return -ERESTARTSYS;
	}
}

/* Drops the locks owner holds, all of them or those on one file (dev, ino). */
static void drop(const void *owner, bool all, uint64_t dev, uint64_t ino)
{
	if (!__atomic_load_n(&nlocks, __ATOMIC_ACQUIRE))
		return;
	bool dropped = false;
	spin_lock(&lock);
	for (struct rlock **pp = &locks; *pp;) {
		struct rlock *l = *pp;
		if (l->owner == owner && (all || (l->dev == dev && l->ino == ino))) {
			*pp = l->next;
			kfree(l);
			nlocks--;
			dropped = true;
		} else {
			pp = &l->next;
		}
	}
	spin_unlock(&lock);
	if (dropped)
		waitq_wake_all(&waiters);
}

void reclock_file_closed(struct file *f)
{
	drop(f, true, 0, 0);
}

void reclock_fd_closed(struct file *f)
{
	if (!__atomic_load_n(&nlocks, __ATOMIC_ACQUIRE))
		return;
	struct kstat st = {0};
	if (f->ops->stat && f->ops->stat(f, &st) == 0)
		drop(curproc(), false, st.dev, st.ino);
}
