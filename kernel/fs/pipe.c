/* Pipes: the kernel's own ring buffer, never a host pipe. Capacity, atomicity and blocking
 * as Linux (64 KiB unless F_SETPIPE_SZ changes it, writes up to PIPE_BUF bytes are atomic).
 * Named pipes (FIFOs) are the same pipes, met by opening a file system's FIFO inode. */
#include "kernel/fs/vfs.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/lock.h"
#include "kernel/uaccess.h"
#include "kernel/mm/kalloc.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/waitq.h"
#include "kernel/fs/poll.h"
#include "gen/syscalls.h"

#define PIPE_CAP 65536
#define PIPE_MAX_SIZE 1048576 /* Linux's default /proc/sys/fs/pipe-max-size */
#define PIPE_BUF 4096
#define PIPEFS_MAGIC 0x50495045

struct pipe {
	struct spinlock lock;
	char *buf;
	size_t head, len, cap;
	int readers, writers;
	unsigned r_opens, w_opens; /* opens of each end so far: a blocking FIFO open waits for one */
	uint64_t ino;
	struct waitq readq, writeq;
	/* a FIFO's: the slot in its inode that holds the pipe while it is open, the inode, and
	 * what its file system does for it */
	struct pipe **slot;
	void *node;
	const struct fifo_ops *nops;
};

static uint64_t next_ino = 0x4000;
/* Guards every FIFO inode's slot: an open finds the pipe there, the last close takes it out. */
static struct spinlock fifo_lock;

static bool reads(const struct file *f)
{
	return (f->flags & O_ACCMODE) != O_WRONLY;
}

static bool writes(const struct file *f)
{
	return (f->flags & O_ACCMODE) != O_RDONLY;
}

static bool readable(void *arg)
{
	struct pipe *p = arg;
	return __atomic_load_n(&p->len, __ATOMIC_ACQUIRE) || !__atomic_load_n(&p->writers, __ATOMIC_ACQUIRE);
}

static bool writable(void *arg)
{
	struct pipe *p = arg;
	return __atomic_load_n(&p->cap, __ATOMIC_ACQUIRE) - __atomic_load_n(&p->len, __ATOMIC_ACQUIRE) >= PIPE_BUF ||
	       !__atomic_load_n(&p->readers, __ATOMIC_ACQUIRE);
}

/* Copies up to len bytes out of the ring; the lock is held. */
static long take(struct pipe *p, void *ubuf, size_t len)
{
	size_t n = MIN(len, p->len), first = MIN(n, p->cap - p->head);
	long r = copy_to_user(ubuf, p->buf + p->head, first);
	if (r == 0 && n > first)
		r = copy_to_user((char *)ubuf + first, p->buf, n - first);
	if (r < 0)
		return r;
	p->head = (p->head + n) % p->cap;
	p->len -= n;
	return (long)n;
}

/* Copies up to len bytes into the ring; the lock is held. */
static long put(struct pipe *p, const void *ubuf, size_t len)
{
	size_t n = MIN(len, p->cap - p->len), tail = (p->head + p->len) % p->cap, first = MIN(n, p->cap - tail);
	long r = copy_from_user(p->buf + tail, ubuf, first);
	if (r == 0 && n > first)
		r = copy_from_user(p->buf, (const char *)ubuf + first, n - first);
	if (r < 0)
		return r;
	p->len += n;
	return (long)n;
}

static long pipe_read(struct file *f, void *ubuf, size_t len)
{
	struct pipe *p = f->priv;
	if (!len)
		return 0;
	for (;;) {
		spin_lock(&p->lock);
		long r = p->len ? take(p, ubuf, len) : p->writers ? -EAGAIN : 0;
		spin_unlock(&p->lock);
		if (r > 0)
			waitq_wake_all(&p->writeq);
		if (r != -EAGAIN || (f->flags & O_NONBLOCK))
			return r;
		if (waitq_wait(&p->readq, readable, p, 0, -1) == -EINTR)
			return -ERESTARTSYS;
	}
}

/* Writes of up to PIPE_BUF bytes go in whole; larger ones may be split, and block until done. */
static long pipe_write(struct file *f, const void *ubuf, size_t len)
{
	struct pipe *p = f->priv;
	size_t done = 0;
	for (;;) {
		spin_lock(&p->lock);
		size_t room = p->cap - p->len;
		long r;
		if (!p->readers)
			r = -EPIPE;
		else if (done == len)
			r = 0;
		else if (room == 0 || (len <= PIPE_BUF && room < len))
			r = -EAGAIN;
		else
			r = put(p, (const char *)ubuf + done, len - done);
		spin_unlock(&p->lock);
		if (r > 0) {
			done += (size_t)r;
			waitq_wake_all(&p->readq);
			continue;
		}
		if (r == 0 || (r < 0 && done && r != -EAGAIN))
			return (long)done;
		if (r != -EAGAIN || (f->flags & O_NONBLOCK))
			return done ? (long)done : r;
		if (waitq_wait(&p->writeq, writable, p, 0, -1) == -EINTR)
			return done ? (long)done : -ERESTARTSYS;
	}
}

static long pipe_stat(struct file *f, struct kstat *st)
{
	struct pipe *p = f->priv;
	if (p->node) {
		p->nops->stat(p->node, st);
		return 0;
	}
	st->mode = S_IFIFO | 0600;
	st->ino = p->ino;
	st->nlink = 1;
	st->dev = 0xd;
	st->blksize = 4096;
	st->uid = 0;
	st->mask = 0x7ff;
	return 0;
}

static long pipe_statfs(struct file *f, struct kstatfs *st)
{
	struct pipe *p = f->priv;
	if (p->node)
		return p->nops->statfs(p->node, st);
	st->type = PIPEFS_MAGIC;
	st->bsize = st->frsize = 4096;
	st->namelen = 255;
	return 0;
}

/* fchmod and the like change a FIFO's inode; an anonymous pipe's inode keeps nothing. */
static long pipe_setattr(struct file *f, const struct kattr *a)
{
	struct pipe *p = f->priv;
	return p->node ? p->nops->setattr(p->node, a) : 0;
}

static long pipe_ioctl(struct file *f, unsigned long req, void *uarg)
{
	struct pipe *p = f->priv;
	if (req != 0x541b) /* FIONREAD */
		return -ENOTTY;
	int n = (int)p->len;
	return copy_to_user(uarg, &n, sizeof n);
}

/* A FIFO reader opened without a writer (O_NONBLOCK) sees no hang-up until a writer came:
 * f->pos (a pipe has no position) keeps the writers' opens it saw then, else -1. */
static unsigned pipe_poll(struct file *f, unsigned events, struct poll_table *pt)
{
	struct pipe *p = f->priv;
	unsigned m = 0;
	(void)events;
	if (reads(f)) {
		poll_wait(pt, &p->readq);
		m |= (p->len ? POLLIN | POLLRDNORM : 0) | (p->writers || f->pos == p->w_opens ? 0 : POLLHUP);
	}
	if (writes(f)) {
		poll_wait(pt, &p->writeq);
		m |= (p->cap - p->len >= PIPE_BUF ? POLLOUT | POLLWRNORM : 0) | (p->readers ? 0 : POLLERR);
	}
	return m;
}

/* Drops f's ends of the pipe; the last close frees it, and a FIFO's leaves its inode. */
static void pipe_release(struct file *f)
{
	struct pipe *p = f->priv;
	struct wake_list wl = {0};
	if (p->slot)
		spin_lock(&fifo_lock);
	spin_lock(&p->lock);
	p->readers -= reads(f);
	p->writers -= writes(f);
	bool last = !p->readers && !p->writers;
	if (last && p->slot)
		*p->slot = NULL;
	/* woken under the lock: once it is dropped another close may free the pipe */
	waitq_wake_into(&p->readq, &wl); /* readers see EOF, writers EPIPE */
	waitq_wake_into(&p->writeq, &wl);
	spin_unlock(&p->lock);
	if (p->slot)
		spin_unlock(&fifo_lock);
	wake_list_run(&wl);
	void *node = p->node;
	const struct fifo_ops *nops = p->nops;
	if (last) {
		kfree(p->buf);
		kfree(p);
	}
	if (node)
		nops->put(node);
}

static const struct file_ops pipe_ops = {
	.read = pipe_read, .write = pipe_write, .stat = pipe_stat, .statfs = pipe_statfs,
	.ioctl = pipe_ioctl, .poll = pipe_poll, .release = pipe_release, .setattr = pipe_setattr,
};

long pipe_capacity(struct file *f)
{
	return f->ops == &pipe_ops ? (long)((struct pipe *)f->priv)->cap : -EBADF;
}

/* F_SETPIPE_SZ: a power of two of at least a page, at most pipe-max-size (what an
 * unprivileged process may ask), never less than the data held (-EBUSY). */
long pipe_set_capacity(struct file *f, unsigned long arg)
{
	if (f->ops != &pipe_ops)
		return -EBADF;
	size_t size = PAGE_SIZE;
	arg = (unsigned)arg;
	if (arg > (1UL << 31))
		return -EINVAL;
	while (size < arg)
		size <<= 1;
	if (size > PIPE_MAX_SIZE)
		return -EPERM;
	struct pipe *p = f->priv;
	char *buf = kmalloc(size), *old = NULL;
	if (!buf)
		return -ENOMEM;
	spin_lock(&p->lock);
	long r = p->len > size ? -EBUSY : (long)size;
	if (r > 0) {
		size_t first = MIN(p->len, p->cap - p->head);
		memcpy(buf, p->buf + p->head, first);
		memcpy(buf + first, p->buf, p->len - first);
		old = p->buf;
		p->buf = buf;
		p->head = 0;
		p->cap = size;
	}
	spin_unlock(&p->lock);
	kfree(r > 0 ? old : buf);
	if (r > 0)
		waitq_wake_all(&p->writeq);
	return r;
}

static struct pipe *pipe_new(void)
{
	struct pipe *p = kzalloc(sizeof *p);
	char *buf = kmalloc(PIPE_CAP);
	if (!p || !buf) {
		kfree(p);
		kfree(buf);
		return NULL;
	}
	p->buf = buf;
	p->cap = PIPE_CAP;
	p->ino = __atomic_add_fetch(&next_ino, 1, __ATOMIC_RELAXED);
	return p;
}

long sys_pipe2(void *fds, int flags)
{
	if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	struct pipe *p = pipe_new();
	if (!p)
		return -ENFILE;
	p->readers = p->writers = 1;
	char name[32];
	ksnprintf(name, sizeof name, "pipe:[%lu]", (unsigned long)p->ino);
	int extra = flags & O_NONBLOCK;
	struct file *r = file_new(&pipe_ops, O_RDONLY | extra, name), *w = file_new(&pipe_ops, O_WRONLY | extra, name);
	if (!r || !w) {
		/* release() of a half-made pair must not touch the pipe twice */
		kfree(r);
		kfree(w);
		kfree(p->buf);
		kfree(p);
		return -ENFILE;
	}
	r->priv = w->priv = p;
	r->pos = w->pos = -1;
	long rfd = fd_install(r, 0, flags & O_CLOEXEC);
	if (rfd < 0) {
		file_put(w);
		return rfd;
	}
	long wfd = fd_install(w, 0, flags & O_CLOEXEC);
	if (wfd < 0) {
		fd_close((int)rfd);
		return wfd;
	}
	int pair[2] = {(int)rfd, (int)wfd};
	if (copy_to_user(fds, pair, sizeof pair) < 0) {
		fd_close((int)rfd);
		fd_close((int)wfd);
		return -EFAULT;
	}
	return 0;
}

long sys_pipe(void *fds)
{
	return sys_pipe2(fds, 0);
}

/* Named pipes. */

struct partner_wait {
	struct pipe *p;
	unsigned *opens, seen;
};

static bool partner_came(void *arg)
{
	struct partner_wait *w = arg;
	return __atomic_load_n(w->opens, __ATOMIC_ACQUIRE) != w->seen;
}

/* Joins f to p at the ends its access mode opens (fifo_lock held): -ENXIO for a writer that
 * must not wait for a reader; else the opens to wait for in *w (w->opens NULL for none). */
static long fifo_join(struct pipe *p, struct file *f, struct partner_wait *w)
{
	bool nonblock = f->flags & O_NONBLOCK;
	if (!reads(f) && nonblock && !p->readers)
		return -ENXIO;
	spin_lock(&p->lock);
	p->readers += reads(f);
	p->writers += writes(f);
	p->r_opens += reads(f);
	p->w_opens += writes(f);
	f->pos = !writes(f) && nonblock && !p->writers ? (off_t)p->w_opens : -1;
	*w = (struct partner_wait){p, NULL, 0};
	if (!writes(f) && !nonblock && !p->writers)
		*w = (struct partner_wait){p, &p->w_opens, p->w_opens};
	else if (!reads(f) && !p->readers)
		*w = (struct partner_wait){p, &p->r_opens, p->r_opens};
	f->ops = &pipe_ops;
	f->priv = p;
	spin_unlock(&p->lock);
	return 0;
}

long fifo_open(struct pipe **slot, void *node, const struct fifo_ops *nops, struct file *f)
{
	if ((f->flags & O_ACCMODE) == O_ACCMODE) {
		nops->put(node);
		return -EINVAL;
	}
	struct pipe *fresh = __atomic_load_n(slot, __ATOMIC_ACQUIRE) ? NULL : pipe_new(), *p;
	struct partner_wait w;
	spin_lock(&fifo_lock);
	if (!(p = *slot) && fresh) {
		p = *slot = fresh;
		fresh = NULL;
		p->slot = slot;
		p->node = node;
		p->nops = nops;
	}
	long r = p ? fifo_join(p, f, &w) : -ENOMEM;
	if (r == -ENXIO && !p->readers && !p->writers)
		*slot = NULL, fresh = p; /* made for this open alone */
	spin_unlock(&fifo_lock);
	if (fresh) {
		kfree(fresh->buf);
		kfree(fresh);
	}
	if (r < 0) {
		nops->put(node);
		return r;
	}
	waitq_wake_all(reads(f) ? &p->writeq : &p->readq);
	if (writes(f) && reads(f))
		waitq_wake_all(&p->readq);
	if (!w.opens)
		return 0;
	if (waitq_wait(w.opens == &p->w_opens ? &p->readq : &p->writeq, partner_came, &w, 0, -1) == 0)
		return 0;
	pipe_release(f); /* interrupted: the open never happened */
	f->ops = NULL;
	return -ERESTARTSYS;
}

long pipe_reopen(struct file *src, struct file *f)
{
	if (src->ops != &pipe_ops || (f->flags & O_PATH))
		return -ENXIO;
	struct pipe *p = src->priv; /* src holds it, so a FIFO's slot holds it too */
	if (p->node) {
		p->nops->get(p->node);
		return fifo_open(p->slot, p->node, p->nops, f);
	}
	if ((f->flags & O_ACCMODE) == O_ACCMODE)
		return -EINVAL;
	spin_lock(&p->lock);
	p->readers += reads(f);
	p->writers += writes(f);
	spin_unlock(&p->lock);
	f->ops = &pipe_ops;
	f->priv = p;
	f->pos = -1;
	return 0;
}
