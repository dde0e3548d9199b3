/* Receiving on the kernel's own AF_UNIX sockets: stream readers take bytes across messages
 * (never past one that carried files), datagram and seqpacket readers one message (MSG_TRUNC).
 * The files a message carried become new descriptors once the lock is dropped, with Linux's
 * control-buffer rules (MSG_CTRUNC). */
#include "kernel/net/unix.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/uaccess.h"
#include "kernel/mm/kalloc.h"
#include "kernel/proc/proc.h"

struct cmsghdr {
	size_t len;
	int level, type;
};

#define CMSG_ALIGN(n) (((n) + 7) & ~(size_t)7)

/* What a read took from its first message besides data. */
struct got {
	struct file **fds;
	int nfds;
	bool cred_set;
	struct ucred_k cred;
};

/* Takes msg's files (a copy of the references when peeking) and credentials into g. */
static void take_scm(struct umsg *msg, struct got *g, bool peek)
{
	g->cred = msg->cred;
	g->cred_set = true;
	if (!msg->nfds)
		return;
	if (!peek) {
		unix_inflight(msg->fds, msg->nfds, -1);
		g->fds = msg->fds;
		g->nfds = msg->nfds;
		msg->fds = NULL;
		msg->nfds = 0;
		return;
	}
	if (!(g->fds = kmalloc((size_t)msg->nfds * sizeof *g->fds)))
		return;
	for (int i = 0; i < msg->nfds; i++)
		g->fds[i] = file_get(msg->fds[i]);
	g->nfds = msg->nfds;
}

/* Linux's put_cmsg into the kernel copy of the control buffer at *used. */
static void put_cmsg(struct plat_msghdr *m, size_t cap, size_t *used, int type, const void *data, size_t len)
{
	size_t left = cap - *used;
	if (left < sizeof(struct cmsghdr)) {
		m->flags |= MSG_CTRUNC;
		return;
	}
	size_t cmlen = sizeof(struct cmsghdr) + len;
	if (left < cmlen) {
		m->flags |= MSG_CTRUNC;
		cmlen = left;
	}
	struct cmsghdr c = {cmlen, SOL_SOCKET, type};
	char *at = (char *)m->control + *used;
	memcpy(at, &c, sizeof c);
	memcpy(at + sizeof c, data, cmlen - sizeof c);
	*used += MIN(CMSG_ALIGN(cmlen), left);
}

/* The control data a read gives: credentials (SO_PASSCRED), then the files as new fds. */
static void control_out(struct plat_msghdr *m, struct got *g, bool passcred, bool cloexec)
{
	size_t cap = m->control ? m->controllen : 0, used = 0;
	if (passcred && g->cred_set)
		put_cmsg(m, cap, &used, SCM_CREDENTIALS, &g->cred, sizeof g->cred);
	if (g->nfds) {
		size_t left = cap - used;
		int max = left > sizeof(struct cmsghdr) ? (int)((left - sizeof(struct cmsghdr)) / sizeof(int)) : 0;
		int fds[256], i = 0;
		for (; i < MIN(max, g->nfds); i++) {
			long fd = fd_install(g->fds[i], 0, cloexec);
			if (fd < 0)
				break;
			g->fds[i] = NULL; /* the table holds it now */
			fds[i] = (int)fd;
		}
		if (i)
			put_cmsg(m, cap, &used, SCM_RIGHTS, fds, (size_t)i * sizeof(int));
		if (i < g->nfds)
			m->flags |= MSG_CTRUNC;
		for (int j = 0; j < g->nfds; j++)
			if (g->fds[j])
				file_put(g->fds[j]);
		kfree(g->fds);
	}
	m->controllen = used;
}

static bool readable(void *arg)
{
	struct usock *u = arg;
	return __atomic_load_n(&u->head, __ATOMIC_ACQUIRE) || u->shut & RCV_SHUTDOWN || u->err;
}

/* Nothing to read (lock held): 0 for the end, -errno, or -EAGAIN to wait. */
static long empty(struct usock *u)
{
	if (u->err) {
		long e = -u->err;
		u->err = 0;
		return e;
	}
	return u->shut & RCV_SHUTDOWN ? 0 : -EAGAIN;
}

/* Stream: bytes from successive messages into the iovecs; *peek_at is the message and
 * offset a peek has reached. Returns what it copied, or -errno if nothing. */
static long stream_take(struct usock *u, struct plat_msghdr *m, size_t want, bool peek, struct got *g, struct unix_gc *gc)
{
	size_t copied = 0;
	struct umsg *msg = u->head;
	size_t off = msg ? msg->off : 0;
	while (msg && copied < want) {
		if (u->passcred && g->cred_set && memcmp(&msg->cred, &g->cred, sizeof g->cred) != 0)
			break; /* never glue different writers' bytes */
		size_t n = MIN(want - copied, msg->len - off);
		if (unix_iov_copy(m, msg->data + off, n, true) < 0)
			return copied ? (long)copied : -EFAULT;
		bool files = msg->nfds != 0;
		if (!g->cred_set || files)
			take_scm(msg, g, peek);
		copied += n;
		struct umsg *next = msg->next;
		if (peek) {
			off = 0;
		} else {
			msg->off += n;
			u->qbytes -= n;
			if (msg->off == msg->len)
				umsg_done(u, msg, gc);
		}
		if (files)
			break;
		msg = next;
		off = msg && !peek ? msg->off : 0;
	}
	return (long)copied;
}

static long stream_recv(struct file *f, struct plat_msghdr *m, size_t total, int flags, struct got *g)
{
	struct usock *u = unix_of(f);
	struct sock *so = f->priv;
	bool peek = flags & MSG_PEEK, nonblock = (f->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT);
	size_t target = (flags & MSG_WAITALL) && !peek ? total : 1, copied = 0;
	int64_t deadline = -1;
	for (;;) {
		struct unix_gc gc = {0};
		long r = -EINVAL;
		bool wait = false;
		spin_lock(&unix_lock);
		if (u->state == US_CONN && (r = stream_take(u, m, total - copied, peek, g, &gc)) >= 0) {
			copied += (size_t)r;
			r = 0;
			if (copied < target && copied < total && !g->nfds && !u->head) {
				r = empty(u);
				wait = r == -EAGAIN;
			}
		}
		spin_unlock(&unix_lock);
		unix_gc_run(&gc);
		if (!wait)
			return copied ? (long)copied : r;
		r = unix_wait(&u->rq, readable, u, nonblock, so->rcvtimeo, &deadline);
		if (r < 0)
			return copied ? (long)copied : r;
	}
}

static long dgram_recv(struct file *f, struct plat_msghdr *m, size_t total, int flags, struct got *g)
{
	struct usock *u = unix_of(f);
	struct sock *so = f->priv;
	bool peek = flags & MSG_PEEK, nonblock = (f->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT);
	int64_t deadline = -1;
	if (u->type == SOCK_SEQPACKET && u->state != US_CONN)
		return -ENOTCONN;
	for (;;) {
		struct unix_gc gc = {0};
		spin_lock(&unix_lock);
		struct umsg *msg = u->head;
		long r = msg ? 0 : empty(u);
		if (msg) {
			size_t n = MIN(total, msg->len);
			r = unix_iov_copy(m, msg->data, n, true) < 0 ? -EFAULT : (long)((flags & MSG_TRUNC) ? msg->len : n);
			if (msg->len > total)
				m->flags |= MSG_TRUNC;
			if (m->name) {
				m->namelen = msg->addrlen;
				memcpy(m->name, msg->addr, (size_t)msg->addrlen);
			}
			take_scm(msg, g, peek);
			if (!peek)
				umsg_done(u, msg, &gc);
		}
		spin_unlock(&unix_lock);
		unix_gc_run(&gc);
		if (!msg && r == 0 && u->type == SOCK_DGRAM)
			return -EAGAIN; /* Linux: a datagram socket shut for reading never waits */
		if (r != -EAGAIN)
			return r;
		r = unix_wait(&u->rq, readable, u, nonblock, so->rcvtimeo, &deadline);
		if (r < 0)
			return r;
	}
}

long unix_recv(struct file *f, struct plat_msghdr *m, int flags)
{
	struct usock *u = unix_of(f);
	long total = sock_iov_total(m);
	if (total < 0)
		return total;
	struct got g = {0};
	m->flags = 0;
	if (m->name)
		m->namelen = 0;
	long r = u->type == SOCK_STREAM ? stream_recv(f, m, (size_t)total, flags, &g) : dgram_recv(f, m, (size_t)total, flags, &g);
	if (r >= 0)
		control_out(m, &g, u->passcred, flags & MSG_CMSG_CLOEXEC);
	else {
		for (int i = 0; i < g.nfds; i++)
			file_put(g.fds[i]);
		kfree(g.fds);
		m->controllen = 0;
	}
	return r;
}
