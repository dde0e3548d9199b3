/* signalfd: reading takes the caller's pending signals of a mask as signalfd_siginfo records. */
#include "kernel/fs/anon.h"
#include "kernel/fs/poll.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/uaccess.h"
#include "kernel/mm/kalloc.h"
#include "kernel/proc/proc.h"
#include "gen/syscalls.h"

struct signalfd_siginfo {
	uint32_t signo;
	int32_t errno_, code;
	uint32_t pid, uid;
	int32_t fd;
	uint32_t tid, band, overrun, trapno;
	int32_t status, int_;
	uint64_t ptr, utime, stime, addr;
	uint16_t addr_lsb;
	uint8_t pad[46];
};

_Static_assert(sizeof(struct signalfd_siginfo) == 128, "signalfd_siginfo is 128 bytes");

struct sigfd {
	uint64_t mask;
};

static uint64_t mask_of(struct file *f)
{
	return __atomic_load_n(&((struct sigfd *)f->priv)->mask, __ATOMIC_ACQUIRE);
}

static bool any_pending(void *arg)
{
	struct file *f = arg;
	struct kthread *t = current();
	return (t->pending.set | t->proc->pending.set) & mask_of(f);
}

static void fill(struct signalfd_siginfo *s, const struct ksiginfo *i)
{
	memset(s, 0, sizeof *s);
	s->signo = (uint32_t)i->signo;
	s->errno_ = i->errno_;
	s->code = i->code;
	s->pid = (uint32_t)i->kill.pid;
	s->uid = i->kill.uid;
	s->tid = (uint32_t)i->timer.tid;
	s->overrun = (uint32_t)i->timer.overrun;
	s->int_ = (int32_t)i->kill.value;
	s->ptr = (uint64_t)i->kill.value;
	s->addr = i->fault.addr;
}

static long sfd_read(struct file *f, void *ubuf, size_t len)
{
	if (len < sizeof(struct signalfd_siginfo))
		return -EINVAL;
	struct kthread *t = current();
	size_t done = 0;
	while (done + sizeof(struct signalfd_siginfo) <= len) {
		struct ksiginfo info;
		int sig = signal_dequeue_mask(t, mask_of(f), &info);
		if (!sig) {
			if (done)
				break;
			if (f->flags & O_NONBLOCK)
				return -EAGAIN;
			if (waitq_wait(&t->proc->sigwq, any_pending, f, 0, -1) == -EINTR)
				return -ERESTARTSYS;
			continue;
		}
		struct signalfd_siginfo s;
		fill(&s, &info);
		if (copy_to_user((char *)ubuf + done, &s, sizeof s) < 0)
			return done ? (long)done : -EFAULT;
		done += sizeof s;
	}
	return (long)done;
}

static unsigned sfd_poll(struct file *f, unsigned events, struct poll_table *pt)
{
	(void)events;
	poll_wait(pt, &current()->proc->sigwq);
	return any_pending(f) ? POLLIN | POLLRDNORM : 0;
}

static const struct file_ops signalfd_ops = {
	.read = sfd_read, .poll = sfd_poll, .stat = anon_stat, .release = anon_release,
};

long sys_signalfd4(int fd, const void *umask, size_t size, int flags)
{
	uint64_t mask;
	if (size != 8 || (flags & ~(O_CLOEXEC | O_NONBLOCK)))
		return -EINVAL;
	if (copy_from_user(&mask, umask, sizeof mask) < 0)
		return -EFAULT;
	mask &= ~(SIGBIT(9) | SIGBIT(19));
	if (fd != -1) {
		struct file *f = fd_get(fd);
		if (!f)
			return -EBADF;
		long r = f->ops == &signalfd_ops ? fd : -EINVAL;
		if (r >= 0)
			__atomic_store_n(&((struct sigfd *)f->priv)->mask, mask, __ATOMIC_RELEASE);
		file_put(f);
		return r;
	}
	struct sigfd *s = kzalloc(sizeof *s);
	if (s)
		s->mask = mask;
	return anon_install(&signalfd_ops, s, flags, "anon_inode:[signalfd]");
}

long sys_signalfd(int fd, const void *mask, size_t size)
{
	return sys_signalfd4(fd, mask, size, 0);
}
