/* The kernel's own AF_UNIX sockets: socket objects, socketpair, connect, listen, accept,
 * shutdown, names, readiness and options. Every change a sleeper may wait for wakes the
 * socket's wait queue, under unix_lock (wakers call back into epoll, never into here). */
#include "kernel/net/unix.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/uaccess.h"
#include "kernel/mm/kalloc.h"
#include "kernel/proc/proc.h"
#include "kernel/fs/poll.h"
#include "kernel/time/time.h"

#define SNDBUF_DEFAULT 212992
#define SNDBUF_MIN 4608
#define RCVBUF_MIN 2304
#define SOMAXCONN 4096

struct spinlock unix_lock;

struct usock *usock_new(int type)
{
	struct usock *u = kzalloc(sizeof *u);
	if (!u)
		return NULL;
	u->refs = 1;
	u->type = type;
	u->sndbuf = u->rcvbuf = SNDBUF_DEFAULT;
	u->peercred = (struct ucred_k){0, 65534, 65534}; /* Linux's overflow ids: no peer */
	return u;
}

struct ucred_k unix_cred(void)
{
	return (struct ucred_k){curproc()->pid, plat_info()->uid, plat_info()->gid};
}

void usock_unref(struct usock *u, struct unix_gc *gc)
{
	if (--u->refs)
		return;
	while (u->head)
		umsg_done(u, u->head, gc);
	if (u->peer)
		usock_unref(u->peer, gc);
	kfree(u);
}

/* Both ends of a connection, each holding the other. */
static void join(struct usock *a, struct usock *b)
{
	a->peer = b;
	b->peer = a;
	a->refs++;
	b->refs++;
	a->state = b->state = US_CONN;
}

/* What closing u does to its peer: a connection's other end sees the end of the stream (and
 * ECONNRESET if u had unread data); a datagram peer finds out at its next send. */
static void hang_up(struct usock *u, bool embryo, struct unix_gc *gc)
{
	struct usock *p = u->peer;
	if (!p)
		return;
	if (u->type != SOCK_DGRAM) {
		p->shut = RCV_SHUTDOWN | SEND_SHUTDOWN;
		if (u->head || u->acc_head || embryo)
			p->err = ECONNRESET;
		unix_wake(p, gc);
	}
	u->peer = NULL;
	usock_unref(p, gc);
}

/* Closes u's end (the file's reference, or a listener's for a connection never accepted). */
static void usock_close(struct usock *u, bool embryo, struct unix_gc *gc)
{
	u->closed = true;
	unix_unbind(u);
	while (u->acc_head) {
		struct usock *n = u->acc_head;
		u->acc_head = n->acc_next;
		usock_close(n, true, gc);
	}
	if (u->state == US_LISTEN) { /* connectors waiting for room find no listener */
		u->state = US_UNCONN;
		u->nacc = 0;
	}
	hang_up(u, embryo, gc);
	unix_wake(u, gc); /* senders waiting for room in its queue */
	while (u->head)
		umsg_done(u, u->head, gc);
	usock_unref(u, gc);
}

static uint64_t next_ino = 0x200000;

/* A kernel socket file around u (whose reference it takes), installed as an fd. */
static long install(struct usock *u, int flags)
{
	struct sock *s = kzalloc(sizeof *s);
	char name[32];
	u->ino = __atomic_add_fetch(&next_ino, 1, __ATOMIC_RELAXED);
	ksnprintf(name, sizeof name, "socket:[%lu]", (unsigned long)u->ino);
	struct file *f = s ? sock_file_new(s, name, flags) : NULL;
	if (!f) {
		kfree(s);
		struct unix_gc gc = {0};
		spin_lock(&unix_lock);
		usock_close(u, false, &gc);
		spin_unlock(&unix_lock);
		unix_gc_run(&gc);
		return -ENFILE;
	}
	*s = (struct sock){.domain = AF_UNIX, .type = u->type, .u = u, .file = f};
	long fd = fd_install(f, 0, flags & O_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

void unix_release(struct usock *u)
{
	struct unix_gc gc = {0};
	spin_lock(&unix_lock);
	usock_close(u, false, &gc);
	spin_unlock(&unix_lock);
	unix_gc_run(&gc);
	unix_collect();
}

struct usock *unix_of(struct file *f)
{
	return ((struct sock *)f->priv)->u;
}

/* socket(AF_UNIX, ...) and socketpair's type check: SOCK_RAW is a datagram socket. */
static long unix_type(int type, int proto)
{
	type &= SOCK_TYPE_MASK;
	if (type == 3)
		type = SOCK_DGRAM;
	if (type != SOCK_STREAM && type != SOCK_DGRAM && type != SOCK_SEQPACKET)
		return -ESOCKTNOSUPPORT;
	if (proto && proto != AF_UNIX)
		return -EPROTONOSUPPORT;
	return type;
}

long unix_socket(int type, int proto)
{
	long t = unix_type(type, proto);
	if (t < 0)
		return t;
	struct usock *u = usock_new((int)t);
	return u ? install(u, type) : -ENOMEM;
}

long unix_socketpair(int type, int proto, int sv[2])
{
	long t = unix_type(type, proto);
	if (t < 0)
		return t;
	struct usock *a = usock_new((int)t), *b = usock_new((int)t);
	if (!a || !b) {
		kfree(a);
		kfree(b);
		return -ENOMEM;
	}
	join(a, b);
	a->peercred = b->peercred = unix_cred();
	long fa = install(a, type);
	if (fa < 0) {
		struct unix_gc gc = {0};
		spin_lock(&unix_lock);
		usock_close(b, false, &gc);
		spin_unlock(&unix_lock);
		unix_gc_run(&gc);
		return fa;
	}
	long fb = install(b, type);
	if (fb < 0) {
		fd_close((int)fa);
		return fb;
	}
	sv[0] = (int)fa;
	sv[1] = (int)fb;
	return 0;
}

long unix_listen(struct file *f, int backlog)
{
	struct usock *u = unix_of(f);
	if (u->type == SOCK_DGRAM)
		return -EOPNOTSUPP;
	struct unix_gc gc = {0};
	spin_lock(&unix_lock);
	long r = 0;
	if (!u->addrlen || (u->state != US_UNCONN && u->state != US_LISTEN))
		r = -EINVAL;
	else {
		u->backlog = backlog < 0 || backlog > SOMAXCONN ? SOMAXCONN : backlog;
		u->state = US_LISTEN;
		u->peercred = unix_cred();
		unix_wake_q(&gc, &u->wq); /* connectors waiting on a full backlog */
	}
	spin_unlock(&unix_lock);
	unix_gc_run(&gc);
	return r;
}

static int64_t deadline_of(int64_t timeo)
{
	if (timeo <= 0)
		return -1;
	struct timespec64 t = time_now(CLOCK_MONOTONIC);
	return t.sec * 1000000000 + t.nsec + timeo;
}

void unix_wake_q(struct unix_gc *gc, struct waitq *q)
{
	waitq_wake_into(q, &gc->wl);
}

void unix_gc_run(struct unix_gc *gc)
{
	wake_list_run(&gc->wl);
	umsg_free_all(gc->msgs);
}

void unix_wake(struct usock *u, struct unix_gc *gc)
{
	unix_wake_q(gc, &u->rq);
	unix_wake_q(gc, &u->wq);
}

long unix_wait(struct waitq *q, bool (*cond)(void *), struct usock *u, bool nonblock, int64_t timeo, int64_t *deadline)
{
	if (nonblock)
		return -EAGAIN;
	if (*deadline < 0)
		*deadline = deadline_of(timeo);
	long r = waitq_wait(q, cond, u, CLOCK_MONOTONIC, *deadline);
	if (r == -EINTR)
		return timeo ? -EINTR : -ERESTARTSYS; /* Linux restarts only calls without a timeout */
	return r == -ETIMEDOUT ? -EAGAIN : 0;
}

static bool acceptable(void *arg)
{
	struct usock *u = arg;
	return __atomic_load_n(&u->acc_head, __ATOMIC_ACQUIRE) || __atomic_load_n(&u->state, __ATOMIC_ACQUIRE) != US_LISTEN;
}

long unix_accept(struct file *f, int flags, char *addr, int *len)
{
	struct usock *u = unix_of(f);
	struct sock *s = f->priv;
	if (u->type == SOCK_DGRAM)
		return -EOPNOTSUPP;
	int64_t deadline = -1;
	for (;;) {
		struct unix_gc gc = {0};
		spin_lock(&unix_lock);
		struct usock *n = u->state == US_LISTEN ? u->acc_head : NULL;
		long r = u->state != US_LISTEN ? -EINVAL : n ? 0 : -EAGAIN;
		if (n) {
			u->acc_head = n->acc_next;
			u->nacc--;
			n->acc_next = NULL;
			*len = n->peer && n->peer->addrlen ? n->peer->addrlen : SUN_OFF;
			memcpy(addr, n->peer && n->peer->addrlen ? n->peer->addr : "\1\0", (size_t)*len);
			unix_wake_q(&gc, &u->wq); /* room in the backlog */
		}
		spin_unlock(&unix_lock);
		unix_gc_run(&gc);
		if (n)
			return install(n, flags);
		if (r != -EAGAIN)
			return r;
		r = unix_wait(&u->rq, acceptable, u, f->flags & O_NONBLOCK, s->rcvtimeo, &deadline);
		if (r < 0)
			return r;
	}
}

static bool backlog_room(void *arg)
{
	struct usock *l = arg;
	return __atomic_load_n(&l->nacc, __ATOMIC_ACQUIRE) <= l->backlog || l->state != US_LISTEN;
}

/* One attempt to connect u to the listener named addr (lock held): 0, -EAGAIN with *wait
 * the listener (a reference) when its backlog is full, or -errno. */
static long connect_once(struct usock *u, struct usock *n, const char *addr, int len, struct usock **wait,
			 struct unix_gc *gc)
{
	long r;
	struct usock *l = unix_find(addr, len, u->type, &r);
	if (!l)
		return r;
	if (l->state != US_LISTEN)
		return -ECONNREFUSED;
	if (l->nacc > l->backlog) { /* Linux waits for room before it looks at u's state */
		l->refs++;
		*wait = l;
		return -EAGAIN;
	}
	if (u->state == US_CONN)
		return -EISCONN;
	join(u, n);
	n->peercred = unix_cred();
	u->peercred = l->peercred;
	memcpy(n->addr, l->addr, (size_t)l->addrlen);
	n->addrlen = l->addrlen;
	n->refs++; /* the listener's queue */
	if (l->acc_tail && l->acc_head)
		l->acc_tail->acc_next = n;
	else
		l->acc_head = n;
	l->acc_tail = n;
	l->nacc++;
	unix_wake_q(gc, &l->rq);
	return 0;
}

static long stream_connect(struct file *f, const char *addr, int len)
{
	struct usock *u = unix_of(f);
	struct sock *s = f->priv;
	struct usock *n = usock_new(u->type);
	if (!n)
		return -ENOMEM;
	int64_t deadline = -1;
	for (;;) {
		struct usock *l = NULL;
		struct unix_gc gc = {0};
		spin_lock(&unix_lock);
		long r = u->passcred && !u->addrlen ? unix_autobind(u) : 0;
		if (r == 0)
			r = connect_once(u, n, addr, len, &l, &gc);
		if (r != -EAGAIN)
			usock_unref(n, &gc); /* connected: the queue and the peer hold it */
		spin_unlock(&unix_lock);
		unix_gc_run(&gc);
		if (r != -EAGAIN)
			return r;
		r = unix_wait(&l->wq, backlog_room, l, f->flags & O_NONBLOCK, s->sndtimeo, &deadline);
		spin_lock(&unix_lock);
		usock_unref(l, &gc);
		if (r < 0)
			usock_unref(n, &gc);
		spin_unlock(&unix_lock);
		unix_gc_run(&gc);
		if (r < 0)
			return r;
	}
}

/* A datagram socket's connect sets (or, with AF_UNSPEC, clears) where its sends go. */
static long dgram_connect(struct usock *u, const char *addr, int len)
{
	struct unix_gc gc = {0};
	long r = 0;
	spin_lock(&unix_lock);
	struct usock *p = NULL;
	if (len < SUN_OFF || addr[0] != 0 || addr[1] != 0) { /* not AF_UNSPEC */
		r = u->passcred && !u->addrlen ? unix_autobind(u) : 0;
		p = r ? NULL : unix_find(addr, len, u->type, &r);
	}
	if (r == 0) {
		if (u->peer)
			usock_unref(u->peer, &gc);
		u->peer = p;
		u->state = p ? US_CONN : US_UNCONN;
		if (p) {
			p->refs++;
			u->peercred = p->peercred;
		}
	}
	spin_unlock(&unix_lock);
	unix_gc_run(&gc);
	return r;
}

long unix_connect(struct file *f, const char *addr, int len)
{
	struct usock *u = unix_of(f);
	bool unspec = len >= SUN_OFF && addr[0] == 0 && addr[1] == 0;
	if (u->type == SOCK_DGRAM && unspec)
		return dgram_connect(u, addr, len);
	long r = unix_name_check(addr, len);
	if (r < 0)
		return r;
	return u->type == SOCK_DGRAM ? dgram_connect(u, addr, len) : stream_connect(f, addr, len);
}

long unix_shutdown(struct file *f, int how)
{
	struct usock *u = unix_of(f);
	if (how < 0 || how > 2)
		return -EINVAL;
	int mask = how + 1; /* SHUT_RD 0 → RCV_SHUTDOWN 1, SHUT_WR 1 → SEND 2, SHUT_RDWR 2 → both */
	struct unix_gc gc = {0};
	spin_lock(&unix_lock);
	u->shut |= mask;
	struct usock *p = u->peer;
	unix_wake(u, &gc);
	if (p && u->type != SOCK_DGRAM) {
		p->shut |= (mask & RCV_SHUTDOWN ? SEND_SHUTDOWN : 0) | (mask & SEND_SHUTDOWN ? RCV_SHUTDOWN : 0);
		unix_wake(p, &gc);
	}
	spin_unlock(&unix_lock);
	unix_gc_run(&gc);
	return 0;
}

/* getsockname and getpeername: the name as bound, or the unnamed address (just the family). */
long unix_name(struct file *f, bool peer, char *addr, int *len)
{
	struct usock *u = unix_of(f);
	spin_lock(&unix_lock);
	struct usock *n = peer ? u->peer : u;
	long r = n ? 0 : -ENOTCONN;
	if (n) {
		*len = n->addrlen ? n->addrlen : SUN_OFF;
		memcpy(addr, n->addrlen ? n->addr : "\1\0", (size_t)*len);
	}
	spin_unlock(&unix_lock);
	return r;
}

static bool unix_writable(struct usock *u)
{
	return u->state != US_LISTEN && __atomic_load_n(&u->wbytes, __ATOMIC_ACQUIRE) * 4 <= (size_t)u->sndbuf;
}

unsigned unix_poll(struct file *f, unsigned events, struct poll_table *pt)
{
	struct usock *u = unix_of(f);
	(void)events;
	poll_wait(pt, &u->rq);
	poll_wait(pt, &u->wq);
	spin_lock(&unix_lock);
	unsigned m = u->err ? POLLERR : 0;
	if (u->shut == (RCV_SHUTDOWN | SEND_SHUTDOWN))
		m |= POLLHUP;
	if (u->shut & RCV_SHUTDOWN)
		m |= POLLRDHUP | POLLIN | POLLRDNORM;
	if (u->head || u->acc_head)
		m |= POLLIN | POLLRDNORM;
	if (u->type != SOCK_DGRAM && u->state == US_UNCONN)
		m |= POLLHUP;
	if (unix_writable(u) && !(u->type == SOCK_SEQPACKET && u->state == US_UNCONN))
		m |= POLLOUT | POLLWRNORM | POLLWRBAND;
	spin_unlock(&unix_lock);
	return m;
}

#define FIONREAD 0x541b
#define SIOCOUTQ 0x5411

long unix_ioctl(struct file *f, unsigned long req, void *uarg)
{
	struct usock *u = unix_of(f);
	if (req != FIONREAD && req != SIOCOUTQ)
		return -ENOTTY;
	spin_lock(&unix_lock);
	long r = 0;
	int v = 0;
	if (req == SIOCOUTQ)
		v = (int)u->wbytes;
	else if (u->state == US_LISTEN)
		r = -EINVAL;
	else if (u->type != SOCK_DGRAM)
		v = (int)u->qbytes;
	else
		v = u->head ? (int)u->head->len : 0;
	spin_unlock(&unix_lock);
	return r < 0 ? r : copy_to_user(uarg, &v, sizeof v);
}

long unix_stat(struct file *f, struct kstat *st)
{
	*st = (struct kstat){.dev = 0x8, .mode = 0140777, .nlink = 1, .blksize = 4096, .uid = plat_info()->uid,
			     .gid = plat_info()->gid, .mask = 0x7ff};
	st->ino = unix_of(f)->ino;
	return 0;
}

#define SO_REUSEADDR 2
#define SO_SNDBUF 7
#define SO_RCVBUF 8
#define SO_KEEPALIVE 9
#define SO_RCVLOWAT 18
#define SO_SNDLOWAT 19
#define SO_ACCEPTCONN 30

/* The SOL_SOCKET options the kernel's sockets keep (the timeouts are struct sock's). */
long unix_setsockopt(struct file *f, int opt, int v)
{
	struct usock *u = unix_of(f);
	struct unix_gc gc = {0};
	unsigned cap = (unsigned)v;
	if (opt == SO_SNDBUF || opt == SO_RCVBUF)
		cap = (unsigned)MIN(cap, (unsigned long)plat_sock_buf_max(opt == SO_RCVBUF));
	spin_lock(&unix_lock);
	long r = 0;
	switch (opt) {
	case SO_SNDBUF:
		u->sndbuf = (int)MAX(cap * 2, (unsigned)SNDBUF_MIN);
		unix_wake_q(&gc, &u->wq);
		break;
	case SO_RCVBUF:
		u->rcvbuf = (int)MAX(cap * 2, (unsigned)RCVBUF_MIN);
		break;
	case SO_PASSCRED:
		u->passcred = v != 0;
		break;
	case SO_REUSEADDR:
		u->reuse = v != 0;
		break;
	case SO_KEEPALIVE:
		u->keepalive = v != 0;
		break;
	case SO_RCVLOWAT:
		break;
	default:
		r = -ENOPROTOOPT;
	}
	spin_unlock(&unix_lock);
	unix_gc_run(&gc);
	return r;
}

/* An option's value into buf: its length, or -ENOPROTOOPT. */
long unix_getsockopt(struct file *f, int opt, void *buf)
{
	struct usock *u = unix_of(f);
	int *v = buf;
	spin_lock(&unix_lock);
	long r = sizeof(int);
	switch (opt) {
	case SO_TYPE: *v = u->type; break;
	case SO_DOMAIN: *v = AF_UNIX; break;
	case SO_PROTOCOL: *v = 0; break;
	case SO_ERROR: *v = u->err; u->err = 0; break;
	case SO_SNDBUF: *v = u->sndbuf; break;
	case SO_RCVBUF: *v = u->rcvbuf; break;
	case SO_PASSCRED: *v = u->passcred; break;
	case SO_REUSEADDR: *v = u->reuse; break;
	case SO_KEEPALIVE: *v = u->keepalive; break;
	case SO_RCVLOWAT: case SO_SNDLOWAT: *v = 1; break;
	case SO_ACCEPTCONN: *v = u->state == US_LISTEN; break;
	case SO_PEERCRED:
		memcpy(buf, &u->peercred, sizeof u->peercred);
		r = sizeof u->peercred;
		break;
	default: r = -ENOPROTOOPT;
	}
	spin_unlock(&unix_lock);
	return r;
}
