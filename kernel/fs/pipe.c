/* Pipes: the kernel's own ring buffer, never a host pipe. Capacity, atomicity and blocking
 * as Linux (64 KiB, writes up to PIPE_BUF bytes are atomic). */
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
#define PIPE_BUF 4096
#define PIPEFS_MAGIC 0x50495045

struct pipe {
	struct spinlock lock;
	char *buf;
	size_t head, len;
	int readers, writers;
	uint64_t ino;
	struct waitq readq, writeq;
};

static uint64_t next_ino = 0x4000;

static bool readable(void *arg)
{
	struct pipe *p = arg;
	return __atomic_load_n(&p->len, __ATOMIC_ACQUIRE) || !__atomic_load_n(&p->writers, __ATOMIC_ACQUIRE);
}

static bool writable(void *arg)
{
	struct pipe *p = arg;
	return PIPE_CAP - __atomic_load_n(&p->len, __ATOMIC_ACQUIRE) >= PIPE_BUF ||
	       !__atomic_load_n(&p->readers, __ATOMIC_ACQUIRE);
}

/* Copies up to len bytes out of the ring; the lock is held. */
static long take(struct pipe *p, void *ubuf, size_t len)
{
	size_t n = MIN(len, p->len), first = MIN(n, PIPE_CAP - p->head);
	long r = copy_to_user(ubuf, p->buf + p->head, first);
	if (r == 0 && n > first)
		r = copy_to_user((char *)ubuf + first, p->buf, n - first);
	if (r < 0)
		return r;
	p->head = (p->head + n) % PIPE_CAP;
	p->len -= n;
	return (long)n;
}

/* Copies up to len bytes into the ring; the lock is held. */
static long put(struct pipe *p, const void *ubuf, size_t len)
{
	size_t n = MIN(len, PIPE_CAP - p->len), tail = (p->head + p->len) % PIPE_CAP, first = MIN(n, PIPE_CAP - tail);
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
		size_t room = PIPE_CAP - p->len;
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
	(void)f;
	st->type = PIPEFS_MAGIC;
	st->bsize = st->frsize = 4096;
	st->namelen = 255;
	return 0;
}

static long pipe_ioctl(struct file *f, unsigned long req, void *uarg)
{
	struct pipe *p = f->priv;
	if (req != 0x541b) /* FIONREAD */
		return -ENOTTY;
	int n = (int)p->len;
	return copy_to_user(uarg, &n, sizeof n);
}

static unsigned pipe_poll(struct file *f, unsigned events, struct poll_table *pt)
{
	struct pipe *p = f->priv;
	(void)events;
	if ((f->flags & O_ACCMODE) == O_RDONLY) {
		poll_wait(pt, &p->readq);
		return (p->len ? POLLIN | POLLRDNORM : 0) | (p->writers ? 0 : POLLHUP);
	}
	poll_wait(pt, &p->writeq);
	return (PIPE_CAP - p->len >= PIPE_BUF ? POLLOUT | POLLWRNORM : 0) | (p->readers ? 0 : POLLERR);
}

static void pipe_release(struct file *f)
{
	struct pipe *p = f->priv;
	spin_lock(&p->lock);
	if ((f->flags & O_ACCMODE) == O_RDONLY)
		p->readers--;
	else
		p->writers--;
	bool last = !p->readers && !p->writers;
	spin_unlock(&p->lock);
	waitq_wake_all(&p->readq); /* readers see EOF, writers EPIPE */
	waitq_wake_all(&p->writeq);
	if (last) {
		kfree(p->buf);
		kfree(p);
	}
}

static const struct file_ops pipe_ops = {
	.read = pipe_read, .write = pipe_write, .stat = pipe_stat, .statfs = pipe_statfs,
	.ioctl = pipe_ioctl, .poll = pipe_poll, .release = pipe_release,
};

long pipe_capacity(struct file *f)
{
	return f->ops == &pipe_ops ? PIPE_CAP : -EBADF;
}

long sys_pipe2(void *fds, int flags)
{
	if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	struct pipe *p = kzalloc(sizeof *p);
	char *buf = kmalloc(PIPE_CAP);
	if (!p || !buf) {
		kfree(p);
		kfree(buf);
		return -ENFILE;
	}
	p->buf = buf;
	p->readers = p->writers = 1;
	p->ino = __atomic_add_fetch(&next_ino, 1, __ATOMIC_RELAXED);
	char name[32];
	ksnprintf(name, sizeof name, "pipe:[%lu]", (unsigned long)p->ino);
	int extra = flags & O_NONBLOCK;
	struct file *r = file_new(&pipe_ops, O_RDONLY | extra, name), *w = file_new(&pipe_ops, O_WRONLY | extra, name);
	if (!r || !w) {
		/* release() of a half-made pair must not touch the pipe twice */
		kfree(r);
		kfree(w);
		kfree(buf);
		kfree(p);
		return -ENFILE;
	}
	r->priv = w->priv = p;
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
