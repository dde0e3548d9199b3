/* Socket files and the calls that make, name, connect and configure them. An AF_UNIX socket
 * is the kernel's own (unix*.c) until it names a host directory's socket file; every other is
 * a non-blocking host socket, and a blocking call on it waits in the kernel (sock_wait), where
 * signals and timeouts reach it as they reach a pipe. */
#include "kernel/net/net.h"
#include "kernel/net/unix.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/uaccess.h"
#include "kernel/mm/kalloc.h"
#include "kernel/proc/proc.h"
#include "kernel/fs/poll.h"
#include "kernel/time/time.h"
#include "gen/syscalls.h"
#include "plat/plat.h"

#define SO_RCVTIMEO 20
#define SO_SNDTIMEO 21
#define SO_RCVTIMEO_NEW 66
#define SO_SNDTIMEO_NEW 67
#define FIONREAD 0x541b
#define SIOCOUTQ 0x5411
#define SIOCATMARK 0x8905
#define SOCKFS_MAGIC 0x534f434b

static uint64_t next_ino = 0x100000;

long sock_wait(struct file *f, short events, bool nonblock, int64_t timeo, int64_t *deadline)
{
	if (nonblock || (f->flags & O_NONBLOCK))
		return -EAGAIN;
	if (*deadline < 0 && timeo > 0) {
		struct timespec64 now = time_now(CLOCK_MONOTONIC);
		*deadline = now.sec * 1000000000 + now.nsec + timeo;
	}
	struct plat_pollfd p = {f->host, events, 0};
	long r = thread_sleep(thread_wake_seq(), &p, 1, CLOCK_MONOTONIC, *deadline);
	if (r == -EINTR)
		return timeo ? -EINTR : -ERESTARTSYS; /* Linux restarts only calls without a timeout */
	return r == -ETIMEDOUT ? -EAGAIN : 0;
}

static long sock_read(struct file *f, void *ubuf, size_t len)
{
	struct iovec_k {
		void *base;
		size_t len;
	} iov = {ubuf, len};
	struct plat_msghdr m = {.iov = &iov, .iovlen = 1};
	return sock_recv(f, &m, 0);
}

static long sock_write(struct file *f, const void *ubuf, size_t len)
{
	struct iovec_k {
		const void *base;
		size_t len;
	} iov = {ubuf, len};
	struct plat_msghdr m = {.iov = &iov, .iovlen = 1};
	return sock_send(f, &m, MSG_NOSIGNAL); /* write's caller raises SIGPIPE itself */
}

static long sock_stat(struct file *f, struct kstat *st)
{
	if (((struct sock *)f->priv)->u)
		return unix_stat(f, st);
	return hostfile_ops.stat(f, st);
}

static long sock_statfs(struct file *f, struct kstatfs *st)
{
	(void)f;
	st->type = SOCKFS_MAGIC;
	st->bsize = st->frsize = 4096;
	st->namelen = 255;
	return 0;
}

/* The socket ioctls that only read a count pass to the host. */
static long sock_ioctl(struct file *f, unsigned long req, void *uarg)
{
	if (((struct sock *)f->priv)->u)
		return unix_ioctl(f, req, uarg);
	if (req != FIONREAD && req != SIOCOUTQ && req != SIOCATMARK)
		return -ENOTTY;
	int v;
	long r = plat_file_ioctl(f->host, req, &v);
	return r < 0 ? r : copy_to_user(uarg, &v, sizeof v);
}

static unsigned sock_poll(struct file *f, unsigned events, struct poll_table *pt)
{
	if (((struct sock *)f->priv)->u)
		return unix_poll(f, events, pt);
	unsigned m = host_poll(f->host, events);
	if (!(m & events))
		poll_host(pt, f->host, events);
	return m;
}

static void sock_release(struct file *f)
{
	struct sock *s = f->priv;
	if (s->u)
		unix_release(s->u);
	else
		plat_file_close(f->host);
	if (s->gone)
		unix_release(s->gone);
	kfree(f->priv);
}

/* O_NONBLOCK is the kernel's: the host socket never blocks. */
static long sock_setfl(struct file *f, int flags)
{
	(void)f;
	(void)flags;
	return 0;
}

static const struct file_ops sock_ops = {
	.read = sock_read, .write = sock_write, .stat = sock_stat, .statfs = sock_statfs,
	.ioctl = sock_ioctl, .poll = sock_poll, .release = sock_release, .setfl = sock_setfl, .rwv = sock_rwv,
};

bool is_sock(struct file *f)
{
	return f->ops == &sock_ops;
}

long sock_get(int fd, struct file **fp)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	if (!is_sock(f)) {
		file_put(f);
		return -ENOTSOCK;
	}
	*fp = f;
	return 0;
}

struct file *sock_file_new(struct sock *s, const char *name, int flags)
{
	struct file *f = file_new(&sock_ops, O_RDWR | (flags & O_NONBLOCK), name);
	if (f)
		f->priv = s;
	return f;
}

static struct file *sock_file(int h, int domain, int type, int flags)
{
	struct sock *s = kzalloc(sizeof *s);
	char name[32];
	ksnprintf(name, sizeof name, "socket:[%lu]", (unsigned long)__atomic_add_fetch(&next_ino, 1, __ATOMIC_RELAXED));
	struct file *f = s ? sock_file_new(s, name, flags) : NULL;
	if (!f) {
		kfree(s);
		plat_file_close(h);
		return NULL;
	}
	*s = (struct sock){.domain = domain, .type = type & SOCK_TYPE_MASK};
	f->host = h;
	return f;
}

long sock_install(int h, int domain, int type, int flags)
{
	struct file *f = sock_file(h, domain, type, flags);
	return f ? fd_install(f, 0, flags & O_CLOEXEC) : -ENFILE;
}

struct file *sock_wrap_received(int h)
{
	int v[3], len = sizeof(int);
	int opts[3] = {SO_DOMAIN, SO_TYPE, SO_PROTOCOL};
	for (int i = 0; i < 3; i++)
		if (plat_sock_getsockopt(h, SOL_SOCKET, opts[i], &v[i], &len) < 0)
			return hostfs_wrap(h, (int)plat_file_fcntl(h, F_GETFL, 0) & ~O_NONBLOCK, "anon_inode:[host]");
	return sock_file(h, v[0], v[1], 0);
}

static bool family_ok(int domain)
{
	return domain == AF_UNIX || domain == AF_INET || domain == AF_INET6 || domain == AF_NETLINK;
}

long sys_socket(int domain, int type, int proto)
{
	if (type & ~(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	if (!family_ok(domain))
		return -EAFNOSUPPORT;
	if (domain == AF_UNIX)
		return unix_socket(type, proto);
	long h = plat_sock_socket(domain, type & SOCK_TYPE_MASK, proto);
	return h < 0 ? h : sock_install((int)h, domain, type, type);
}

long sys_socketpair(int domain, int type, int proto, void *usv)
{
	if (type & ~(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	int h[2] = {-1, -1};
	if (copy_to_user(usv, h, sizeof h) < 0) /* Linux stores the fds before making the pair */
		return -EFAULT;
	if (!family_ok(domain))
		return -EAFNOSUPPORT;
	if (domain == AF_UNIX) {
		long r = unix_socketpair(type, proto, h);
		if (r == 0 && copy_to_user(usv, h, sizeof h) < 0) {
			fd_close(h[0]);
			fd_close(h[1]);
			r = -EFAULT;
		}
		return r;
	}
	long r = plat_sock_socketpair(domain, type & SOCK_TYPE_MASK, proto, h);
	if (r < 0)
		return r;
	long a = sock_install(h[0], domain, type, type);
	if (a < 0) {
		plat_file_close(h[1]);
		return a;
	}
	long b = sock_install(h[1], domain, type, type);
	if (b < 0) {
		fd_close((int)a);
		return b;
	}
	int sv[2] = {(int)a, (int)b};
	if (copy_to_user(usv, sv, sizeof sv) < 0) {
		fd_close((int)a);
		fd_close((int)b);
		return -EFAULT;
	}
	return 0;
}

long sock_addr_copy(const void *uaddr, int len, char *buf)
{
	if (len < 0 || len > SOCKADDR_MAX)
		return -EINVAL;
	if (len && copy_from_user(buf, uaddr, (size_t)len) < 0)
		return -EFAULT;
	return len;
}

/* A kernel AF_UNIX socket that is to be named in a host directory becomes a host socket
 * (still unnamed and unconnected), so programs outside can reach it there. */
static long to_host(struct file *f, const char *addr, int len, bool bind)
{
	struct sock *s = f->priv;
	if (!s->u || s->u->state != US_UNCONN || s->u->addrlen || s->u->peer || !unix_name_on_host(addr, len, bind))
		return 0; /* a socket already named or connected stays the kernel's */
	long h = plat_sock_socket(AF_UNIX, s->type, 0);
	if (h < 0)
		return h;
	s->gone = s->u;
	s->u = NULL;
	f->host = (int)h;
	epoll_file_moved(f); /* its epoll items follow it */
	return 0;
}

long sock_addr_in(struct file *f, char *buf, int len)
{
	struct sock *s = f->priv;
	if (s->u && s->type == SOCK_DGRAM) { /* sendto a host socket file: as connect */
		long r = to_host(f, buf, len, false);
		if (r < 0)
			return r;
	}
	return s->domain == AF_UNIX && !s->u ? unix_addr_in(buf, &len, SOCKADDR_MAX) : len;
}

long sock_addr_out(struct file *f, void *buf, int len, void *uaddr, int *ulen)
{
	int have;
	if (copy_from_user(&have, ulen, sizeof have) < 0)
		return -EFAULT;
	if (have < 0)
		return -EINVAL;
	struct sock *s = f->priv;
	if (s->domain == AF_UNIX)
		unix_addr_out(buf, &len);
	if (copy_to_user(uaddr, buf, (size_t)MIN(have, len)) < 0 || copy_to_user(ulen, &len, sizeof len) < 0)
		return -EFAULT;
	return 0;
}

long sys_bind(int fd, const void *uaddr, int len)
{
	struct file *f;
	char buf[SOCKADDR_MAX];
	long r = sock_get(fd, &f);
	if (r < 0)
		return r;
	r = sock_addr_copy(uaddr, len, buf);
	len = (int)r;
	if (r >= 0)
		r = to_host(f, buf, len, true);
	struct sock *s = f->priv;
	if (r >= 0 && s->u)
		r = unix_bind(s->u, buf, len);
	else if (r >= 0 && (r = sock_addr_in(f, buf, len)) >= 0)
		r = plat_sock_bind(f->host, buf, (int)r);
	file_put(f);
	return r;
}

long sys_listen(int fd, int backlog)
{
	struct file *f;
	long r = sock_get(fd, &f);
	if (r < 0)
		return r;
	r = ((struct sock *)f->priv)->u ? unix_listen(f, backlog) : plat_sock_listen(f->host, backlog);
	file_put(f);
	return r;
}

static long do_accept(struct file *f, void *uaddr, int *ulen, int flags)
{
	int have = 0;
	if (uaddr && (copy_from_user(&have, ulen, sizeof have) < 0))
		return -EFAULT;
	if (have < 0)
		return -EINVAL;
	struct sock *s = f->priv;
	char buf[SOCKADDR_MAX];
	int len = sizeof buf;
	int64_t deadline = -1;
	long h;
	if (s->u) {
		long fd = unix_accept(f, flags, buf, &len);
		if (fd >= 0 && uaddr && sock_addr_out(f, buf, len, uaddr, ulen) < 0) {
			fd_close((int)fd);
			return -EFAULT;
		}
		return fd;
	}
	while ((h = plat_sock_accept(f->host, buf, &len)) == -EAGAIN) {
		long w = sock_wait(f, POLLIN, false, s->rcvtimeo, &deadline);
		if (w < 0)
			return w;
	}
	if (h < 0)
		return h;
	long fd = sock_install((int)h, s->domain, s->type, flags);
	if (fd >= 0 && uaddr && sock_addr_out(f, buf, len, uaddr, ulen) < 0) {
		fd_close((int)fd);
		return -EFAULT;
	}
	return fd;
}

long sys_accept4(int fd, void *uaddr, void *ulen, int flags)
{
	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	struct file *f;
	long r = sock_get(fd, &f);
	if (r < 0)
		return r;
	r = do_accept(f, uaddr, ulen, flags);
	file_put(f);
	return r;
}

long sys_accept(int fd, void *uaddr, void *ulen)
{
	return sys_accept4(fd, uaddr, ulen, 0);
}

/* A blocking connect waits for the host's to finish and reports its outcome (SO_ERROR); a
 * restarted one finds it under way (EALREADY) and waits again, as Linux does. */
static long do_connect(struct file *f, const char *buf, int len)
{
	struct sock *s = f->priv;
	long r = plat_sock_connect(f->host, buf, len);
	if ((r != -EINPROGRESS && r != -EALREADY) || (f->flags & O_NONBLOCK))
		return r;
	int64_t deadline = -1;
	for (;;) {
		long w = sock_wait(f, POLLOUT, false, s->sndtimeo, &deadline);
		if (w < 0)
			return w == -EAGAIN ? -EINPROGRESS : w;
		if (host_poll(f->host, POLLOUT) & (POLLOUT | POLLERR | POLLHUP)) {
			int err = 0, elen = sizeof err;
			plat_sock_getsockopt(f->host, SOL_SOCKET, SO_ERROR, &err, &elen);
			return -err;
		}
	}
}

long sys_connect(int fd, const void *uaddr, int len)
{
	struct file *f;
	char buf[SOCKADDR_MAX];
	long r = sock_addr_copy(uaddr, len, buf); /* Linux copies the address before the fd */
	if (r < 0)
		return r;
	len = (int)r;
	r = sock_get(fd, &f);
	if (r < 0)
		return r;
	r = to_host(f, buf, len, false);
	if (r >= 0 && ((struct sock *)f->priv)->u)
		r = unix_connect(f, buf, len);
	else if (r >= 0 && (r = sock_addr_in(f, buf, len)) >= 0)
		r = do_connect(f, buf, (int)r);
	file_put(f);
	return r;
}

long sys_shutdown(int fd, int how)
{
	struct file *f;
	long r = sock_get(fd, &f);
	if (r < 0)
		return r;
	r = ((struct sock *)f->priv)->u ? unix_shutdown(f, how) : plat_sock_shutdown(f->host, how);
	file_put(f);
	return r;
}

static long name(int fd, bool peer, void *uaddr, void *ulen)
{
	struct file *f;
	char buf[SOCKADDR_MAX];
	int len = sizeof buf;
	long r = sock_get(fd, &f);
	if (r < 0)
		return r;
	r = ((struct sock *)f->priv)->u ? unix_name(f, peer, buf, &len) : plat_sock_name(f->host, peer, buf, &len);
	if (r == 0)
		r = sock_addr_out(f, buf, len, uaddr, ulen);
	file_put(f);
	return r;
}

long sys_getsockname(int fd, void *addr, void *len)
{
	return name(fd, false, addr, len);
}

long sys_getpeername(int fd, void *addr, void *len)
{
	return name(fd, true, addr, len);
}

/* The kernel keeps the timeouts it enforces; the host keeps them too, for getsockopt. */
static void note_timeout(struct sock *s, int opt, const int64_t *tv)
{
	int64_t ns = tv[0] * 1000000000 + tv[1] * 1000;
	if (opt == SO_RCVTIMEO || opt == SO_RCVTIMEO_NEW)
		s->rcvtimeo = ns;
	else
		s->sndtimeo = ns;
}

#define OPT_MAX 1024

static bool is_timeout(int opt)
{
	return opt == SO_RCVTIMEO || opt == SO_SNDTIMEO || opt == SO_RCVTIMEO_NEW || opt == SO_SNDTIMEO_NEW;
}

/* setsockopt on a kernel AF_UNIX socket: only SOL_SOCKET options, checked as Linux does. */
static long unix_set(struct file *f, int level, int opt, const char *buf, int len)
{
	if (level != SOL_SOCKET)
		return -EOPNOTSUPP;
	if (is_timeout(opt)) {
		int64_t tv[2];
		if (len < (int)sizeof tv)
			return -EINVAL;
		memcpy(tv, buf, sizeof tv);
		if (tv[1] < 0 || tv[1] >= 1000000)
			return -EDOM;
		if (tv[0] < 0)
			tv[0] = tv[1] = 0;
		int64_t tick = plat_sock_tick_us(); /* rounded up to the host's jiffies */
		tv[1] = (tv[1] + tick - 1) / tick * tick;
		note_timeout(f->priv, opt, tv);
		return 0;
	}
	if (len < (int)sizeof(int))
		return -EINVAL;
	return unix_setsockopt(f, opt, *(const int *)buf);
}

/* getsockopt on a kernel AF_UNIX socket: the value into buf, its length (or -errno). */
static long unix_get(struct file *f, int level, int opt, char *buf)
{
	struct sock *s = f->priv;
	if (level != SOL_SOCKET)
		return -EOPNOTSUPP;
	if (!is_timeout(opt))
		return unix_getsockopt(f, opt, buf);
	int64_t ns = opt == SO_RCVTIMEO || opt == SO_RCVTIMEO_NEW ? s->rcvtimeo : s->sndtimeo;
	int64_t tv[2] = {ns / 1000000000, ns % 1000000000 / 1000};
	memcpy(buf, tv, sizeof tv);
	return sizeof tv;
}

long sys_setsockopt(int fd, int level, int opt, const void *uval, int len)
{
	struct file *f;
	long r = sock_get(fd, &f);
	if (r < 0)
		return r;
	char buf[OPT_MAX];
	if (len < 0)
		r = -EINVAL;
	else if (copy_from_user(buf, uval, (size_t)MIN(len, OPT_MAX)) < 0)
		r = -EFAULT;
	else if (((struct sock *)f->priv)->u)
		r = unix_set(f, level, opt, buf, MIN(len, OPT_MAX));
	else
		r = plat_sock_setsockopt(f->host, level, opt, buf, MIN(len, OPT_MAX));
	if (r == 0 && level == SOL_SOCKET && is_timeout(opt) && len >= 16 && !((struct sock *)f->priv)->u)
		note_timeout(f->priv, opt, (const int64_t *)buf);
	file_put(f);
	return r;
}

long sys_getsockopt(int fd, int level, int opt, void *uval, void *ulen)
{
	struct file *f;
	long r = sock_get(fd, &f);
	if (r < 0)
		return r;
	int len;
	char buf[OPT_MAX];
	if (copy_from_user(&len, ulen, sizeof len) < 0)
		r = -EFAULT;
	else if (len < 0)
		r = -EINVAL;
	if (r == 0 && ((struct sock *)f->priv)->u) {
		r = unix_get(f, level, opt, buf);
		len = r < 0 ? len : MIN(len, (int)r);
		r = r < 0 ? r : 0;
	} else if (r == 0) {
		len = MIN(len, OPT_MAX);
		r = plat_sock_getsockopt(f->host, level, opt, buf, &len);
	}
	if (r == 0 && (copy_to_user(uval, buf, (size_t)len) < 0 || copy_to_user(ulen, &len, sizeof len) < 0))
		r = -EFAULT;
	file_put(f);
	return r;
}
