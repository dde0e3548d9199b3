/* epoll: an interest list of (fd, file) items. Each item is registered on its file's wait
 * queues with a callback that marks it and wakes the epoll's waiters, so edge-triggered items
 * report only after a change. Level-triggered items are rechecked at every wait. Host files
 * (sockets, host pipes and terminals) cannot call back: their items go into a host readiness
 * set of the epoll's own (plat_pollset_*), which applies their edge and one-shot flags as
 * Linux does, answers for all of them in one call, and is watched while a waiter sleeps: when
 * nothing else needs watching, one plat_pollset_wait both sleeps on it and harvests it. */
#include "kernel/fs/anon.h"
#include "kernel/fs/poll.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/lock.h"
#include "kernel/uaccess.h"
#include "kernel/mm/kalloc.h"
#include "kernel/proc/proc.h"
#include "kernel/time/time.h"
#include "kernel/time/vclock.h"
#include "gen/syscalls.h"
#include "plat/plat.h"

#define EPOLL_CTL_ADD 1
#define EPOLL_CTL_DEL 2
#define EPOLL_CTL_MOD 3
#define EPOLLEXCLUSIVE (1u << 28)
#define EPOLLWAKEUP (1u << 29)
#define EPOLLONESHOT (1u << 30)
#define EPOLLET (1u << 31)
#define EPOLL_MAXEVENTS (0x7fffffff / 12)

struct epoll {
	struct spinlock lock;
	struct epitem *items;
	struct waitq waiters;
	int hostset; /* the host readiness set, or -1 until a host file comes */
	uint64_t id; /* this epoll's number for plat_pollset_wait */
	uint32_t freed; /* how many items were freed: a count that moved during a wait without
			 * the lock means the host set's cookies must be checked */
};

struct epitem {
	struct epoll *ep;
	struct file *file; /* not a reference: closing the file removes the item */
	int fd;
	uint32_t events;
	uint64_t data;
	bool dirty, disabled;
	int host; /* the host handle registered in ep->hostset, or -1 */
	int home; /* the file's host handle when it was armed: a change means it must be again */
	struct poll_table pt;
	struct epitem *next;      /* in ep->items */
	struct epitem *file_next; /* in file->epitems */
};

struct epoll_event {
	uint32_t events;
	uint64_t data;
} __attribute__((packed));

static struct spinlock files_lock; /* every file's epitems list */

static void item_changed(struct waitq_entry *e)
{
	struct epitem *it = e->data;
	__atomic_store_n(&it->dirty, true, __ATOMIC_RELEASE);
	waitq_wake_all(&it->ep->waiters);
}

static unsigned item_poll(struct epitem *it, struct poll_table *pt)
{
	unsigned want = (it->events & 0xffff) | POLLERR | POLLHUP;
	return file_poll(it->file, want, pt) & want;
}

/* Unlinks it from its file's list; files_lock is held. */
static void file_unlink(struct epitem *it)
{
	struct epitem **pp = &it->file->epitems;
	while (*pp && *pp != it)
		pp = &(*pp)->file_next;
	if (*pp)
		*pp = it->file_next;
}

/* Removes it from ep (whose lock is held) and frees it. */
static void item_free(struct epoll *ep, struct epitem *it)
{
	struct epitem **pp = &ep->items;
	while (*pp && *pp != it)
		pp = &(*pp)->next;
	if (*pp)
		*pp = it->next;
	if (it->host >= 0)
		plat_pollset_ctl(ep->hostset, EPOLL_CTL_DEL, it->host, 0, 0);
	poll_release(&it->pt);
	kfree(it);
	ep->freed++;
}

void epoll_file_closed(struct file *f)
{
	spin_lock(&files_lock);
	while (f->epitems) {
		struct epitem *it = f->epitems;
		f->epitems = it->file_next;
		struct epoll *ep = it->ep;
		spin_unlock(&files_lock);
		spin_lock(&ep->lock);
		item_free(ep, it);
		spin_unlock(&ep->lock);
		spin_lock(&files_lock);
	}
	spin_unlock(&files_lock);
}

/* f, a kernel file, now stands for a host handle (an AF_UNIX socket named in a host
 * directory): its items leave the kernel's queues for their epolls' host sets at the next
 * harvest, which waking the epolls' waiters brings about. */
void epoll_file_moved(struct file *f)
{
	spin_lock(&files_lock);
	for (struct epitem *it = f->epitems; it; it = it->file_next)
		waitq_wake_all(&it->ep->waiters);
	spin_unlock(&files_lock);
}

static struct epitem *find(struct epoll *ep, struct file *f, int fd)
{
	for (struct epitem *it = ep->items; it; it = it->next)
		if (it->file == f && it->fd == fd)
			return it;
	return NULL;
}

/* Puts a host file's item into the epoll's host set (its lock held): false if it cannot go. */
static bool arm_host(struct epitem *it)
{
	struct epoll *ep = it->ep;
	if (it->file->host < 0)
		return false;
	if (ep->hostset < 0) {
		long h = plat_pollset_create();
		if (h < 0)
			return false;
		ep->hostset = (int)h;
	}
	uint32_t ev = it->events & ~(EPOLLWAKEUP | EPOLLEXCLUSIVE);
	int op = it->host >= 0 ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
	if (plat_pollset_ctl(ep->hostset, op, it->file->host, ev, (uint64_t)(uintptr_t)it) < 0)
		return false;
	it->host = it->file->host;
	return true;
}

/* Registers it on its file's queues with the callback; starts dirty when already ready. */
static void arm(struct epitem *it)
{
	poll_release(&it->pt);
	it->disabled = false;
	it->home = it->file->host;
	if (arm_host(it))
		return;
	it->pt = (struct poll_table){.func = item_changed, .data = it};
	it->dirty = item_poll(it, &it->pt) != 0;
	it->disabled = false;
}

static long ctl_add(struct epoll *ep, struct file *f, int fd, const struct epoll_event *ev)
{
	if (find(ep, f, fd))
		return -EEXIST;
	struct epitem *it = kzalloc(sizeof *it);
	if (!it)
		return -ENOMEM;
	*it = (struct epitem){.ep = ep, .file = f, .fd = fd, .events = ev->events, .data = ev->data, .host = -1};
	arm(it);
	it->next = ep->items;
	ep->items = it;
	spin_lock(&files_lock);
	it->file_next = f->epitems;
	f->epitems = it;
	spin_unlock(&files_lock);
	return 0;
}

static bool pollable(struct file *f)
{
	struct kstat st = {0};
	if (f->ops->stat && f->ops->stat(f, &st) == 0 && (S_ISREG(st.mode) || S_ISDIR(st.mode)))
		return false;
	return f->ops->poll != NULL;
}

long sys_epoll_ctl(int epfd, int op, int fd, void *uev)
{
	struct epoll_event ev = {0};
	if (op != EPOLL_CTL_DEL && copy_from_user(&ev, uev, sizeof ev) < 0)
		return -EFAULT;
	struct file *epf = fd_get(epfd), *f = fd_get(fd);
	long r = 0;
	if (!epf || !f)
		r = -EBADF;
	else if (epf->ops->poll != epoll_ops.poll || epf == f)
		r = -EINVAL;
	else if (!pollable(f))
		r = -EPERM;
	else if ((ev.events & EPOLLEXCLUSIVE) && op == EPOLL_CTL_MOD)
		r = -EINVAL;
	if (r == 0) {
		struct epoll *ep = epf->priv;
		spin_lock(&ep->lock);
		struct epitem *it = find(ep, f, fd);
		if (op == EPOLL_CTL_ADD) {
			r = ctl_add(ep, f, fd, &ev);
		} else if (!it) {
			r = op == EPOLL_CTL_MOD || op == EPOLL_CTL_DEL ? -ENOENT : -EINVAL;
		} else if (op == EPOLL_CTL_MOD) {
			it->events = ev.events;
			it->data = ev.data;
			arm(it);
		} else if (op == EPOLL_CTL_DEL) {
			spin_lock(&files_lock);
			file_unlink(it);
			spin_unlock(&files_lock);
			item_free(ep, it);
		} else {
			r = -EINVAL;
		}
		spin_unlock(&ep->lock);
		if (r == 0)
			waitq_wake_all(&ep->waiters);
	}
	if (epf)
		file_put(epf);
	if (f)
		file_put(f);
	return r;
}

/* Host-set events evs[0..got) as epoll events after n in out; ep's lock is held. An item
 * freed since the events were taken (freed moved from seen) is no longer reported. */
static int host_events(struct epoll *ep, const struct plat_event *evs, long got, uint32_t seen,
		       struct epoll_event *out, int n)
{
	for (long i = 0; i < got; i++) {
		struct epitem *it = (struct epitem *)(uintptr_t)evs[i].cookie, *p = ep->items;
		if (ep->freed != seen)
			while (p && p != it)
				p = p->next;
		if (p)
			out[n++] = (struct epoll_event){evs[i].events, it->data};
	}
	return n;
}

/* One pass: fills up to max events; collects host files to watch in hosts. With fast, when
 * nothing is ready among the kernel's items and the host set is all there is to watch, the
 * set is left untaken (and out of hosts) for the caller's plat_pollset_wait. */
static int harvest(struct epoll *ep, struct epoll_event *out, int max, struct poll_table *hosts, bool fast)
{
	int n = 0;
	spin_lock(&ep->lock);
	for (struct epitem *it = ep->items; it && n < max; it = it->next) {
		if (!it->disabled && it->host < 0 && it->file->host != it->home)
			arm(it); /* its file became a host file (epoll_file_moved): into the host set */
		if (it->disabled || it->host >= 0)
			continue;
		bool et = it->events & EPOLLET;
		bool host = it->pt.nhost > 0;
		if (et && !host && !__atomic_exchange_n(&it->dirty, false, __ATOMIC_ACQ_REL))
			continue;
		unsigned m = item_poll(it, NULL);
		if (!m) {
			for (int i = 0; hosts && i < it->pt.nhost; i++)
				poll_host(hosts, it->pt.host[i].host, (unsigned short)it->pt.host[i].events);
			continue;
		}
		out[n++] = (struct epoll_event){m, it->data};
		if (it->events & EPOLLONESHOT)
			it->disabled = true;
	}
	bool leave = fast && n == 0 && hosts && hosts->nhost == 0;
	if (ep->hostset >= 0 && n < max && !leave) {
		struct plat_event evs[64];
		long got = plat_pollset_take(ep->hostset, evs, MIN(max - n, 64));
		n = host_events(ep, evs, got, ep->freed, out, n);
	}
	if (ep->hostset >= 0 && hosts && !leave)
		poll_host(hosts, ep->hostset, POLLIN);
	spin_unlock(&ep->lock);
	return n;
}

/* Sleeps on the host set and takes its events in one host call: how many went into out,
 * 0 after a wake, -EAGAIN when the set was not taken (the caller tries again), -EINTR,
 * -ETIMEDOUT, or another error when the platform cannot. */
static long wait_host(struct epoll *ep, uint32_t seq, struct epoll_event *out, int max, int64_t timeout)
{
	struct kthread *t = current();
	struct plat_event evs[64];
	if (signal_pending(t))
		return -EINTR;
	uint32_t seen = __atomic_load_n(&ep->freed, __ATOMIC_ACQUIRE);
	long got = plat_pollset_wait(t, seq, ep->hostset, ep->id, evs, MIN(max, 64), timeout);
	if (got == -EINTR && !signal_pending(t))
		return -EAGAIN;
	if (got <= 0)
		return got;
	spin_lock(&ep->lock);
	long n = host_events(ep, evs, got, seen, out, 0);
	spin_unlock(&ep->lock);
	return n;
}

/* A wait's timeout, measured without a host call where the vDSO's page can: by its
 * MONOTONIC clock, or else by its COARSE one with a tick's margin so that a wait never
 * ends early. The first sleep takes the whole timeout, unmeasured. */
struct wait_time {
	int64_t timeout; /* ns; < 0: none */
	int64_t start, margin;
	bool slept;
};

static int64_t wait_clock(int64_t *margin)
{
	int64_t s, ns;
	*margin = 0;
	if (!vclock_read(CLOCK_MONOTONIC, &s, &ns) &&
	    !(vclock_read(CLOCK_MONOTONIC_COARSE, &s, &ns) && vclock_res(CLOCK_MONOTONIC_COARSE, margin))) {
		struct timespec64 now = time_now(CLOCK_MONOTONIC);
		s = now.sec, ns = now.nsec;
	}
	return s * 1000000000 + ns;
}

static struct wait_time wait_time(int timeout_ms)
{
	struct wait_time w = {.timeout = timeout_ms < 0 ? -1 : (int64_t)timeout_ms * 1000000};
	if (w.timeout > 0)
		w.start = wait_clock(&w.margin);
	return w;
}

/* The ns left to sleep (< 0: no limit); counts a sleep. */
static int64_t time_left(struct wait_time *w)
{
	bool first = !w->slept;
	w->slept = true;
	if (w->timeout <= 0 || first)
		return w->timeout;
	int64_t margin, now = wait_clock(&margin);
	return MAX(w->start + w->timeout + w->margin + margin - now, (int64_t)0);
}

static long epoll_wait_common(int epfd, void *uevents, int max, int timeout_ms)
{
	if (max <= 0 || max > EPOLL_MAXEVENTS)
		return -EINVAL;
	if (!user_range_ok(uevents, (size_t)max * sizeof(struct epoll_event)))
		return -EFAULT;
	struct file *epf = fd_get(epfd);
	if (!epf)
		return -EBADF;
	if (epf->ops->poll != epoll_ops.poll) {
		file_put(epf);
		return -EINVAL;
	}
	struct epoll *ep = epf->priv;
	struct wait_time w = wait_time(timeout_ms);
	int chunk = MIN(max, 64);
	struct epoll_event *buf = kmalloc(chunk * sizeof *buf);
	struct waitq_entry self = {current(), NULL, NULL, NULL};
	waitq_add(&ep->waiters, &self);
	bool fast = true;
	long r;
	for (;;) {
		uint32_t seq = thread_wake_seq();
		struct poll_table hosts = {0};
		r = buf ? harvest(ep, buf, chunk, &hosts, fast) : -ENOMEM;
		if (r == 0 && hosts.nhost == 0 && ep->hostset >= 0 && fast) {
			r = wait_host(ep, seq, buf, chunk, time_left(&w));
			if (r == -EAGAIN)
				continue;
			bool timedout = r == -ETIMEDOUT;
			if (timedout) /* the set was taken at the deadline: the kernel's items now */
				r = harvest(ep, buf, chunk, &hosts, true);
			poll_release(&hosts);
			if (r >= 0 || r == -EINTR) {
				if (r != 0 || timedout || w.timeout == 0)
					break;
				continue;
			}
			fast = false; /* the platform cannot: ppoll on the set from now on */
			continue;
		}
		if (r != 0 || w.timeout == 0) {
			poll_release(&hosts);
			break;
		}
		int64_t left = time_left(&w), deadline = -1;
		if (left >= 0) {
			struct timespec64 now = time_now(CLOCK_MONOTONIC);
			deadline = now.sec * 1000000000 + now.nsec + left;
		}
		long s = thread_sleep(seq, hosts.host, hosts.nhost, CLOCK_MONOTONIC, deadline);
		poll_release(&hosts);
		if (s == -EINTR) {
			r = -EINTR;
			break;
		}
		if (s == -ETIMEDOUT) {
			r = harvest(ep, buf, chunk, NULL, false);
			break;
		}
	}
	waitq_remove(&ep->waiters, &self);
	if (r > 0 && copy_to_user(uevents, buf, r * sizeof *buf) < 0)
		r = -EFAULT;
	kfree(buf);
	file_put(epf);
	return r;
}

long sys_epoll_wait(int epfd, void *events, int max, int timeout)
{
	return epoll_wait_common(epfd, events, max, timeout);
}

long sys_epoll_pwait(int epfd, void *events, int max, int timeout, const void *mask, size_t size)
{
	struct kthread *t = current();
	if (mask) {
		uint64_t m;
		if (size != 8)
			return -EINVAL;
		if (copy_from_user(&m, mask, sizeof m) < 0)
			return -EFAULT;
		t->saved_mask = t->sigmask;
		t->restore_mask = true;
		t->sigmask = m & ~(SIGBIT(9) | SIGBIT(19));
	}
	long r = epoll_wait_common(epfd, events, max, timeout);
	if (t->restore_mask && r != -EINTR) {
		t->sigmask = t->saved_mask;
		t->restore_mask = false;
	}
	return r;
}

/* An epoll is itself ready when one of its items is. */
static unsigned ep_poll(struct file *f, unsigned events, struct poll_table *pt)
{
	struct epoll *ep = f->priv;
	(void)events;
	poll_wait(pt, &ep->waiters);
	unsigned ready = 0;
	spin_lock(&ep->lock);
	if (ep->hostset >= 0)
		poll_host(pt, ep->hostset, POLLIN);
	for (struct epitem *it = ep->items; it && !ready; it = it->next)
		if (!it->disabled && item_poll(it, NULL))
			ready = POLLIN | POLLRDNORM;
	spin_unlock(&ep->lock);
	return ready;
}

static void ep_release(struct file *f)
{
	struct epoll *ep = f->priv;
	spin_lock(&ep->lock);
	while (ep->items) {
		struct epitem *it = ep->items;
		spin_lock(&files_lock);
		file_unlink(it);
		spin_unlock(&files_lock);
		item_free(ep, it);
	}
	spin_unlock(&ep->lock);
	if (ep->hostset >= 0)
		plat_file_close(ep->hostset);
	kfree(ep);
}

const struct file_ops epoll_ops = {.poll = ep_poll, .stat = anon_stat, .release = ep_release};

long sys_epoll_create1(int flags)
{
	if (flags & ~O_CLOEXEC)
		return -EINVAL;
	struct epoll *ep = kzalloc(sizeof *ep);
	static uint64_t ids;
	if (ep) {
		ep->hostset = -1;
		ep->id = __atomic_add_fetch(&ids, 1, __ATOMIC_RELAXED);
	}
	return anon_install(&epoll_ops, ep, flags, "anon_inode:[eventpoll]");
}

long sys_epoll_create(int size)
{
	return size <= 0 ? -EINVAL : sys_epoll_create1(0);
}
