/* The collector of AF_UNIX garbage: sockets that only SCM_RIGHTS messages queued on kernel
 * sockets hold, in cycles that no descriptor reaches (a socket in its own queue, two in each
 * other's, a listener in its pending connection's), as Linux's net/unix/garbage.c finds them.
 *
 * Each socket file counts the queued messages' references to it (inflight). A run takes as
 * candidates the sockets whose every reference is one of those (file refs == inflight); takes
 * from each candidate's count the references in the candidates' own queues; a candidate with
 * any left is held from outside them, so it and what its queues carry (transitively) are
 * reachable; the other candidates are garbage, and their queues are emptied, which closes what
 * they carried, themselves included.
 *
 * Locking: a run holds unix_lock, the one lock of every kernel AF_UNIX socket, its queues and
 * these counts, while it chooses and takes the garbage's messages out; they are freed after it
 * is dropped. A file that only queued messages hold has no descriptor, no token, no call in
 * progress on it: the only way back to it is taking a message out of a queue (a receive, or a
 * peek's copies), which happens under unix_lock, so the candidates and their queues stay as
 * they are during the run. References dropped elsewhere meanwhile (a close in another thread)
 * can only make more garbage, which the next run finds. One run at a time: a run asked for
 * during another (by the closes its freeing makes, or another thread's) makes that one run
 * once more instead. */
#include "kernel/net/unix.h"
#include "kernel/lib.h"

#define SEND_TRIGGER 16000 /* in flight beyond what the last run left: a send runs it */

static struct sock *inflight; /* the sockets in flight */
static long total;            /* their references in flight */
static long busy_at = SEND_TRIGGER;
static bool running, again;

static struct sock *sock_of(struct file *f)
{
	return is_sock(f) ? f->priv : NULL;
}

void unix_inflight(struct file **fds, int n, int d)
{
	for (int i = 0; i < n; i++) {
		struct sock *s = sock_of(fds[i]);
		if (!s)
			continue;
		kassert(d > 0 || s->gc.inflight > 0);
		__atomic_store_n(&total, total + d, __ATOMIC_RELAXED);
		if (d > 0 && !s->gc.inflight++) {
			s->gc.prev = NULL;
			s->gc.next = inflight;
			if (inflight)
				inflight->gc.prev = s;
			inflight = s;
		} else if (d < 0 && !--s->gc.inflight) {
			if (s->gc.next)
				s->gc.next->gc.prev = s->gc.prev;
			if (s->gc.prev)
				s->gc.prev->gc.next = s->gc.next;
			else
				inflight = s->gc.next;
		}
	}
}

/* Calls fn for each candidate that s's queue (a listener's: its pending connections' queues)
 * carries, once per reference. */
static void each_child(struct sock *s, void (*fn)(struct sock *))
{
	struct usock *u = s->u;
	for (struct usock *q = u; q; q = q == u ? u->acc_head : q->acc_next)
		for (struct umsg *m = q->head; m; m = m->next)
			for (int i = 0; i < m->nfds; i++) {
				struct sock *c = sock_of(m->fds[i]);
				if (c && c->gc.candidate)
					fn(c);
			}
}

static struct sock *stack;

static void held_inside(struct sock *c)
{
	c->gc.outside--;
}

static void reach(struct sock *c)
{
	if (c->gc.live)
		return;
	c->gc.live = true;
	c->gc.work = stack;
	stack = c;
}

/* One run (lock held): the garbage's messages go on *gc. */
static void collect(struct unix_gc *gc)
{
	for (struct sock *s = inflight; s; s = s->gc.next) {
		s->gc.candidate = s->u && __atomic_load_n(&s->file->refs, __ATOMIC_ACQUIRE) == s->gc.inflight;
		s->gc.outside = s->gc.inflight;
		s->gc.live = false;
	}
	for (struct sock *s = inflight; s; s = s->gc.next)
		if (s->gc.candidate)
			each_child(s, held_inside);
	stack = NULL;
	for (struct sock *s = inflight; s; s = s->gc.next)
		if (s->gc.candidate && s->gc.outside > 0)
			reach(s);
	while (stack) {
		struct sock *s = stack;
		stack = s->gc.work;
		each_child(s, reach);
	}
	struct sock *dead = NULL;
	for (struct sock *s = inflight; s; s = s->gc.next) {
		if (s->gc.candidate && !s->gc.live) {
			s->gc.work = dead;
			dead = s;
		}
		s->gc.candidate = false;
	}
	for (; dead; dead = dead->gc.work) {
		struct usock *u = dead->u;
		for (struct usock *q = u; q; q = q == u ? u->acc_head : q->acc_next)
			while (q->head)
				umsg_done(q, q->head, gc);
	}
}

static void run(void)
{
	spin_lock(&unix_lock);
	if (running) {
		again = true;
		spin_unlock(&unix_lock);
		return;
	}
	running = true;
	do {
		struct unix_gc gc = {0};
		again = false;
		collect(&gc);
		busy_at = total + SEND_TRIGGER;
		spin_unlock(&unix_lock);
		unix_gc_run(&gc);
		spin_lock(&unix_lock);
	} while (again);
	running = false;
	spin_unlock(&unix_lock);
}

void unix_collect(void)
{
	if (__atomic_load_n(&total, __ATOMIC_RELAXED))
		run();
}

void unix_collect_busy(void)
{
	if (__atomic_load_n(&total, __ATOMIC_RELAXED) >= __atomic_load_n(&busy_at, __ATOMIC_RELAXED))
		run();
}
