/* Sending and receiving on the kernel's own AF_UNIX sockets. A send copies the program's
 * data into a new message (outside the lock) and queues it on the receiver; the sender is
 * charged for it until it is read, which bounds what it may have queued (SO_SNDBUF). Stream
 * readers take bytes across messages; datagram and seqpacket readers one message each.
 * SCM_RIGHTS carries references to the program's open files themselves. */
#include "kernel/net/unix.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/uaccess.h"
#include "kernel/mm/kalloc.h"
#include "kernel/proc/proc.h"
#include "kernel/signal.h"

#define SCM_MAX_FD 253
#define MSG_OVERHEAD 768 /* what Linux charges a message beyond its data, roughly */
#define STREAM_CHUNK 32768
#define DGRAM_QLEN 10 /* net.unix.max_dgram_qlen */

struct cmsghdr {
	size_t len;
	int level, type;
};

#define CMSG_ALIGN(n) (((n) + 7) & ~(size_t)7)

void umsg_done(struct usock *u, struct umsg *m, struct unix_gc *gc)
{
	struct umsg **pp = &u->head, *prev = NULL;
	while (*pp && *pp != m) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	*pp = m->next;
	if (u->tail == m)
		u->tail = prev;
	u->qlen--;
	u->qbytes -= m->len - m->off;
	unix_inflight(m->fds, m->nfds, -1);
	struct usock *from = m->from;
	from->wbytes -= m->charge;
	unix_wake_q(gc, &from->wq);
	if (u->type == SOCK_DGRAM)
		unix_wake_q(gc, &u->wq); /* room in u's queue */
	usock_unref(from, gc);
	m->next = gc->msgs;
	gc->msgs = m;
}

void umsg_free_all(struct umsg *gc)
{
	while (gc) {
		struct umsg *m = gc;
		gc = m->next;
		for (int i = 0; i < m->nfds; i++)
			file_put(m->fds[i]);
		kfree(m->fds);
		kfree(m);
	}
}

/* What a message's control data asks to carry. */
struct scm {
	struct file **fds;
	int nfds;
	bool cred_given;
	struct ucred_k cred;
};

static void scm_drop(struct scm *s)
{
	for (int i = 0; i < s->nfds; i++)
		file_put(s->fds[i]);
	kfree(s->fds);
}

static long scm_rights(struct scm *s, const int *fds, int n)
{
	if (n <= 0)
		return 0;
	if (s->nfds + n > SCM_MAX_FD)
		return -EINVAL;
	struct file **grown = krealloc(s->fds, (size_t)(s->nfds + n) * sizeof *grown); /* as many as sent */
	if (!grown)
		return -ENOMEM;
	s->fds = grown;
	for (int i = 0; i < n; i++) {
		struct file *f = fd_get(fds[i]);
		if (!f)
			return -EBADF;
		s->fds[s->nfds++] = f;
	}
	return 0;
}

/* Parses the control data in the kernel (Linux's __scm_send): the files are held in s. */
static long scm_parse(const char *ctl, size_t len, struct scm *s)
{
	for (size_t off = 0; off + sizeof(struct cmsghdr) <= len;) {
		const struct cmsghdr *c = (const void *)(ctl + off);
		if (c->len < sizeof *c || c->len > len - off)
			return -EINVAL;
		long r = 0;
		if (c->level != SOL_SOCKET)
			;
		else if (c->type == SCM_RIGHTS)
			r = scm_rights(s, (const int *)(c + 1), (int)((c->len - sizeof *c) / sizeof(int)));
		else if (c->type == SCM_CREDENTIALS && c->len == sizeof *c + sizeof s->cred) {
			memcpy(&s->cred, c + 1, sizeof s->cred);
			s->cred_given = true;
			struct ucred_k me = unix_cred();
			bool root = plat_info()->euid == 0;
			if (!root && (s->cred.pid != me.pid || s->cred.uid != me.uid || s->cred.gid != me.gid))
				r = -EPERM;
		} else
			r = -EINVAL;
		if (r < 0)
			return r;
		off += CMSG_ALIGN(c->len);
	}
	return 0;
}

long unix_iov_copy(struct plat_msghdr *m, char *buf, size_t n, bool out)
{
	while (n) {
		struct { char *base; size_t len; } *iov = m->iov;
		if (!m->iovlen)
			return 0;
		size_t k = MIN(n, iov->len);
		long r = out ? copy_to_user(iov->base, buf, k) : copy_from_user(buf, iov->base, k);
		if (r < 0)
			return r;
		sock_iov_advance(m, k);
		buf += k;
		n -= k;
	}
	return 0;
}

/* A new message of len bytes from the program's iovecs, carrying s (taken over). */
static struct umsg *umsg_make(struct plat_msghdr *m, size_t len, struct scm *s, long *err)
{
	struct umsg *msg = kmalloc(sizeof *msg + len);
	if (!msg) {
		*err = -ENOBUFS;
		return NULL;
	}
	*msg = (struct umsg){.len = len, .charge = len + MSG_OVERHEAD, .fds = s->fds, .nfds = s->nfds,
			     .cred = s->cred_given ? s->cred : unix_cred()};
	*s = (struct scm){0};
	if ((*err = unix_iov_copy(m, msg->data, len, false)) < 0) {
		umsg_free_all(msg);
		return NULL;
	}
	return msg;
}

/* Queues msg from u on r (lock held). */
static void enqueue(struct usock *u, struct usock *r, struct umsg *msg, struct unix_gc *gc)
{
	msg->from = u;
	u->refs++;
	u->wbytes += msg->charge;
	msg->addrlen = u->addrlen;
	memcpy(msg->addr, u->addr, (size_t)u->addrlen);
	if (r->tail)
		r->tail->next = msg;
	else
		r->head = msg;
	r->tail = msg;
	r->qlen++;
	r->qbytes += msg->len;
	unix_inflight(msg->fds, msg->nfds, 1);
	unix_wake_q(gc, &r->rq);
}

static bool send_room(void *arg)
{
	struct usock *u = arg;
	struct usock *p = __atomic_load_n(&u->peer, __ATOMIC_ACQUIRE);
	return __atomic_load_n(&u->wbytes, __ATOMIC_ACQUIRE) < (size_t)u->sndbuf || (u->shut & SEND_SHUTDOWN) ||
	       (p && (p->closed || (p->shut & RCV_SHUTDOWN)));
}

static long stream_send(struct file *f, struct plat_msghdr *m, size_t total, struct scm *s, int flags)
{
	struct usock *u = unix_of(f);
	struct sock *so = f->priv;
	int64_t deadline = -1;
	size_t sent = 0;
	long r = 0;
	do {
		spin_lock(&unix_lock);
		struct usock *p = u->peer;
		if (!p || u->state != US_CONN)
			r = -ENOTCONN;
		else if ((u->shut & SEND_SHUTDOWN) || p->closed || (p->shut & RCV_SHUTDOWN))
			r = -EPIPE;
		else
			r = u->wbytes < (size_t)u->sndbuf ? 0 : -EAGAIN;
		spin_unlock(&unix_lock);
		if (r == -EAGAIN) {
			r = unix_wait(&u->wq, send_room, u, (f->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT), so->sndtimeo, &deadline);
			continue;
		}
		if (r < 0 || !total)
			break;
		size_t n = MIN(total - sent, MIN((size_t)STREAM_CHUNK, (size_t)u->sndbuf / 2 - 64));
		struct umsg *msg = umsg_make(m, n, s, &r);
		if (!msg)
			break;
		struct unix_gc gc = {0};
		spin_lock(&unix_lock);
		p = u->peer;
		if (p && !p->closed && !(p->shut & RCV_SHUTDOWN) && !(u->shut & SEND_SHUTDOWN))
			enqueue(u, p, msg, &gc);
		else {
			gc.msgs = msg;
			r = -EPIPE;
		}
		spin_unlock(&unix_lock);
		unix_gc_run(&gc);
		sent += r < 0 ? 0 : n;
	} while (r >= 0 && sent < total);
	if (r == -EPIPE && !sent && !(flags & MSG_NOSIGNAL))
		proc_raise(SIGPIPE);
	return sent || (r >= 0 && !total) ? (long)sent : r;
}

/* The receiver of a datagram (lock held), with a reference: the name's socket or the peer. */
static struct usock *dgram_target(struct usock *u, const char *name, int namelen, long *err)
{
	struct usock *o = name ? unix_find(name, namelen, u->type, err) : u->peer;
	if (!o) {
		*err = name ? *err : -ENOTCONN;
		return NULL;
	}
	o->refs++;
	return o;
}

static bool dgram_room(void *arg)
{
	struct usock *o = arg;
	return __atomic_load_n(&o->qlen, __ATOMIC_ACQUIRE) <= DGRAM_QLEN || o->closed;
}

/* Queues msg on its receiver (lock held): 0, -EAGAIN with *wait (a reference) when the
 * receiver's queue is full, or -errno. */
static long dgram_deliver(struct usock *u, struct usock *o, struct umsg *msg, struct usock **wait, struct unix_gc *gc)
{
	if (o->peer && o->peer != u)
		return -EPERM;
	if (o->closed) {
		if (u->type == SOCK_SEQPACKET)
			return -EPIPE;
		if (u->peer == o) { /* the connected peer is gone: say so once, then forget it */
			u->peer = NULL;
			u->state = US_UNCONN;
			usock_unref(o, gc);
		}
		return -ECONNREFUSED;
	}
	if (o->shut & RCV_SHUTDOWN)
		return -EPIPE;
	if (o->peer != u && o->qlen > DGRAM_QLEN) {
		o->refs++;
		*wait = o;
		return -EAGAIN;
	}
	enqueue(u, o, msg, gc);
	return 0;
}

static long dgram_send(struct file *f, struct plat_msghdr *m, size_t total, struct scm *s, int flags)
{
	struct usock *u = unix_of(f);
	struct sock *so = f->priv;
	const char *name = u->type == SOCK_DGRAM && m->name ? m->name : NULL;
	long r = name ? unix_name_check(name, m->namelen) : 0;
	if (r == 0 && u->type == SOCK_SEQPACKET && u->state != US_CONN)
		r = -ENOTCONN;
	if (r == 0 && !name && !u->peer)
		r = -ENOTCONN;
	if (r == 0 && total > (size_t)u->sndbuf - 32)
		r = -EMSGSIZE;
	bool nonblock = (f->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT);
	int64_t deadline = -1;
	while (r == 0 && !(u->shut & SEND_SHUTDOWN) && !send_room(u))
		r = unix_wait(&u->wq, send_room, u, nonblock, so->sndtimeo, &deadline);
	if (r == 0 && (u->shut & SEND_SHUTDOWN))
		r = -EPIPE;
	struct umsg *msg = r < 0 ? NULL : umsg_make(m, total, s, &r);
	while (msg) {
		struct usock *o, *wait = NULL;
		struct unix_gc gc = {0};
		spin_lock(&unix_lock);
		if (u->passcred && !u->addrlen)
			unix_autobind(u);
		o = dgram_target(u, name, m->namelen, &r);
		if (o) {
			r = dgram_deliver(u, o, msg, &wait, &gc);
			usock_unref(o, &gc);
		}
		spin_unlock(&unix_lock);
		if (r != -EAGAIN) {
			if (r < 0)
				msg->next = gc.msgs, gc.msgs = msg;
			unix_gc_run(&gc);
			break;
		}
		r = unix_wait(&wait->wq, dgram_room, wait, nonblock, so->sndtimeo, &deadline);
		spin_lock(&unix_lock);
		usock_unref(wait, &gc);
		spin_unlock(&unix_lock);
		unix_gc_run(&gc);
		if (r < 0) {
			umsg_free_all(msg);
			break;
		}
	}
	return r < 0 ? r : (long)total;
}

long unix_send(struct file *f, struct plat_msghdr *m, int flags)
{
	struct usock *u = unix_of(f);
	long total = sock_iov_total(m);
	if (total < 0)
		return total;
	struct scm s = {0};
	long r = m->controllen ? scm_parse(m->control, m->controllen, &s) : 0;
	if (s.nfds)
		unix_collect_busy();
	if (r == 0 && u->type == SOCK_STREAM && m->name && m->namelen)
		r = u->state == US_CONN ? -EISCONN : -EOPNOTSUPP;
	if (r == 0)
		r = u->type == SOCK_STREAM ? stream_send(f, m, (size_t)total, &s, flags)
					   : dgram_send(f, m, (size_t)total, &s, flags);
	scm_drop(&s);
	return r;
}
