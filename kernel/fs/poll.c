/* poll, ppoll, select and pselect6 over every kind of file: kernel objects register on their
 * wait queues, host files are watched by the platform while the thread sleeps. */
#include "kernel/fs/poll.h"
#include "kernel/fs/vfs.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/uaccess.h"
#include "kernel/mm/kalloc.h"
#include "kernel/proc/proc.h"
#include "kernel/time/time.h"
#include "gen/syscalls.h"
#include "plat/plat.h"

#define POLL_FDS_MAX FD_MAX

static bool grow(void **arr, int *cap, int n, size_t elem)
{
	if (n < *cap)
		return true;
	int ncap = *cap ? *cap * 2 : 8;
	void *p = krealloc(*arr, ncap * elem);
	if (!p)
		return false;
	*arr = p;
	*cap = ncap;
	return true;
}

void poll_wait(struct poll_table *pt, struct waitq *q)
{
	if (!pt || !grow((void **)&pt->refs, &pt->caprefs, pt->nrefs, sizeof *pt->refs))
		return;
	struct poll_ref *r = &pt->refs[pt->nrefs++];
	r->q = q;
	r->e = (struct waitq_entry){pt->thread, pt->func, pt->data, NULL};
	waitq_add(q, &r->e);
}

void poll_host(struct poll_table *pt, int host, unsigned events)
{
	if (!pt || !grow((void **)&pt->host, &pt->caphost, pt->nhost, sizeof *pt->host))
		return;
	pt->host[pt->nhost++] = (struct plat_pollfd){host, (short)events, 0};
}

void poll_release(struct poll_table *pt)
{
	for (int i = 0; i < pt->nrefs; i++)
		waitq_remove(pt->refs[i].q, &pt->refs[i].e);
	kfree(pt->refs);
	kfree(pt->host);
	pt->refs = NULL;
	pt->host = NULL;
	pt->nrefs = pt->caprefs = pt->nhost = pt->caphost = 0;
}

unsigned file_poll(struct file *f, unsigned events, struct poll_table *pt)
{
	return f->ops->poll ? f->ops->poll(f, events, pt) : POLL_READY_ALWAYS;
}

unsigned host_poll(int host, unsigned events)
{
	struct plat_pollfd p = {host, (short)events, 0};
	return plat_file_poll(&p) < 0 ? POLLERR : (unsigned short)p.revents;
}

struct pollfd {
	int fd;
	short events, revents;
};

/* One pass over the set; returns how many are ready. With pt, registers for changes. */
static int scan(struct pollfd *fds, unsigned n, struct poll_table *pt)
{
	int ready = 0;
	for (unsigned i = 0; i < n; i++) {
		struct pollfd *p = &fds[i];
		p->revents = 0;
		if (p->fd < 0)
			continue;
		struct file *f = fd_get(p->fd);
		if (!f) {
			p->revents = POLLNVAL;
		} else {
			unsigned want = (unsigned short)p->events | POLLERR | POLLHUP;
			p->revents = (short)(file_poll(f, want, pt) & want);
			file_put(f);
		}
		ready += p->revents != 0;
	}
	return ready;
}

/* Waits until something in fds is ready, a signal, or the deadline (ns on MONOTONIC, -1 none,
 * 0 no wait). Returns the count, or -EINTR. */
static long do_poll(struct pollfd *fds, unsigned n, int64_t deadline)
{
	struct poll_table pt = {.thread = current()};
	long ready;
	for (bool first = true;; first = false) {
		uint32_t seq = thread_wake_seq();
		ready = scan(fds, n, first && deadline ? &pt : NULL);
		if (ready || deadline == 0)
			break;
		long r = thread_sleep(seq, pt.host, pt.nhost, CLOCK_MONOTONIC, deadline);
		if (r == -EINTR) {
			ready = -EINTR;
			break;
		}
		if (r == -ETIMEDOUT) {
			ready = scan(fds, n, NULL);
			break;
		}
	}
	poll_release(&pt);
	return ready;
}

static int64_t deadline_after(int64_t ns)
{
	struct timespec64 now = time_now(CLOCK_MONOTONIC);
	return ns <= 0 ? 0 : now.sec * 1000000000 + now.nsec + ns;
}

static long poll_user(void *ufds, unsigned n, int64_t deadline)
{
	if (n > POLL_FDS_MAX)
		return -EINVAL;
	struct pollfd *fds = kmalloc(n * sizeof *fds + 1);
	if (!fds)
		return -ENOMEM;
	long r = copy_from_user(fds, ufds, n * sizeof *fds);
	if (r == 0)
		r = do_poll(fds, n, deadline);
	if (r >= 0)
		for (unsigned i = 0; i < n && r >= 0; i++) /* only revents goes back */
			if (copy_to_user(&((struct pollfd *)ufds)[i].revents, &fds[i].revents, sizeof(short)) < 0)
				r = -EFAULT;
	kfree(fds);
	return r;
}

long sys_poll(void *fds, unsigned nfds, int timeout)
{
	return poll_user(fds, nfds, timeout < 0 ? -1 : deadline_after((int64_t)timeout * 1000000));
}

static long read_timespec(const void *uts, int64_t *deadline)
{
	int64_t ts[2];
	if (!uts) {
		*deadline = -1;
		return 0;
	}
	if (copy_from_user(ts, uts, sizeof ts) < 0)
		return -EFAULT;
	if (ts[0] < 0 || ts[1] < 0 || ts[1] >= 1000000000)
		return -EINVAL;
	*deadline = deadline_after(ts[0] * 1000000000 + ts[1]);
	return 0;
}

/* ppoll and pselect6 swap in a signal mask for the wait, as rt_sigsuspend does. */
static long swap_mask(const void *umask, size_t size)
{
	uint64_t m;
	if (!umask)
		return 0;
	if (size != 8)
		return -EINVAL;
	if (copy_from_user(&m, umask, sizeof m) < 0)
		return -EFAULT;
	struct kthread *t = current();
	t->saved_mask = t->sigmask;
	t->restore_mask = true;
	t->sigmask = m & ~(SIGBIT(9) | SIGBIT(19));
	return 0;
}

/* After the wait: an interrupted call keeps the old mask for the handler's frame. */
static long unswap_mask(long r)
{
	struct kthread *t = current();
	if (t->restore_mask && r != -EINTR) {
		t->sigmask = t->saved_mask;
		t->restore_mask = false;
	}
	return r;
}

long sys_ppoll(void *fds, unsigned nfds, const void *ts, const void *mask, size_t masksize)
{
	int64_t deadline;
	long r = read_timespec(ts, &deadline);
	if (r == 0)
		r = swap_mask(mask, masksize);
	return r < 0 ? r : unswap_mask(poll_user(fds, nfds, deadline));
}

/* select's fd_sets become a pollfd array and back. */
static long do_select(int n, void *uin, void *uout, void *uex, int64_t deadline)
{
	if (n < 0)
		return -EINVAL;
	n = MIN(n, FD_MAX);
	size_t bytes = ((size_t)n + 63) / 64 * 8;
	uint64_t in[FD_MAX / 64] = {0}, out[FD_MAX / 64] = {0}, ex[FD_MAX / 64] = {0};
	if ((uin && copy_from_user(in, uin, bytes) < 0) || (uout && copy_from_user(out, uout, bytes) < 0) ||
	    (uex && copy_from_user(ex, uex, bytes) < 0))
		return -EFAULT;
	struct pollfd *fds = kmalloc(sizeof *fds * (size_t)(n + 1));
	if (!fds)
		return -ENOMEM;
	unsigned cnt = 0;
	for (int fd = 0; fd < n; fd++) {
		uint64_t bit = 1UL << (fd % 64);
		short ev = (in[fd / 64] & bit ? POLLIN : 0) | (out[fd / 64] & bit ? POLLOUT : 0) |
			   (ex[fd / 64] & bit ? POLLPRI : 0);
		if (ev)
			fds[cnt++] = (struct pollfd){fd, ev, 0};
	}
	long r = do_poll(fds, cnt, deadline);
	for (unsigned i = 0; i < cnt && r >= 0; i++)
		if (fds[i].revents & POLLNVAL)
			r = -EBADF;
	if (r >= 0) {
		memset(in, 0, sizeof in);
		memset(out, 0, sizeof out);
		memset(ex, 0, sizeof ex);
		r = 0;
		for (unsigned i = 0; i < cnt; i++) {
			int fd = fds[i].fd;
			uint64_t bit = 1UL << (fd % 64);
			short got = fds[i].revents, ev = fds[i].events;
			bool rd = (ev & POLLIN) && (got & (POLLIN | POLLHUP | POLLERR));
			bool wr = (ev & POLLOUT) && (got & (POLLOUT | POLLERR));
			bool xc = (ev & POLLPRI) && (got & POLLPRI);
			in[fd / 64] |= rd ? bit : 0;
			out[fd / 64] |= wr ? bit : 0;
			ex[fd / 64] |= xc ? bit : 0;
			r += rd + wr + xc;
		}
		if ((uin && copy_to_user(uin, in, bytes) < 0) || (uout && copy_to_user(uout, out, bytes) < 0) ||
		    (uex && copy_to_user(uex, ex, bytes) < 0))
			r = -EFAULT;
	}
	kfree(fds);
	return r;
}

/* select writes back the time left, as Linux does. */
static void time_left(void *utv, int64_t deadline, bool micro)
{
	if (!utv || deadline <= 0)
		return;
	struct timespec64 now = time_now(CLOCK_MONOTONIC);
	int64_t left = MAX(deadline - (now.sec * 1000000000 + now.nsec), (int64_t)0);
	int64_t v[2] = {left / 1000000000, micro ? left % 1000000000 / 1000 : left % 1000000000};
	copy_to_user(utv, v, sizeof v);
}

long sys_select(int n, void *in, void *out, void *ex, void *tv)
{
	int64_t deadline = -1, v[2];
	if (tv) {
		if (copy_from_user(v, tv, sizeof v) < 0)
			return -EFAULT;
		if (v[0] < 0 || v[1] < 0 || v[1] >= 1000000)
			return -EINVAL;
		deadline = deadline_after(v[0] * 1000000000 + v[1] * 1000);
	}
	long r = do_select(n, in, out, ex, deadline);
	time_left(tv, deadline, true);
	return r;
}

long sys_pselect6(int n, void *in, void *out, void *ex, void *ts, void *sig)
{
	int64_t deadline;
	long r = read_timespec(ts, &deadline);
	struct {
		const void *mask;
		size_t size;
	} s = {NULL, 0};
	if (r == 0 && sig && copy_from_user(&s, sig, sizeof s) < 0)
		r = -EFAULT;
	if (r == 0)
		r = swap_mask(s.mask, s.size);
	if (r < 0)
		return r;
	r = unswap_mask(do_select(n, in, out, ex, deadline));
	time_left(ts, deadline, false);
	return r;
}
