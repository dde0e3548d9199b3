/* Sending and receiving: send, sendto, sendmsg, sendmmsg and the recv family, plus read and
 * write on sockets, share sock_send and sock_recv. Data moves between the program's buffers
 * and the host socket directly; message headers, addresses and control messages are copied
 * into the kernel, where SCM_RIGHTS descriptors become host handles and back. */
#include "kernel/net/net.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/uaccess.h"
#include "kernel/mm/kalloc.h"
#include "kernel/proc/proc.h"
#include "kernel/fs/poll.h"
#include "kernel/signal.h"
#include "kernel/time/time.h"
#include "gen/syscalls.h"
#include "plat/plat.h"

#define CONTROL_MAX 65536
#define SCM_MAX_FD 253
#define MSG_WAITFORONE 0x10000
#define MSG_CTRUNC 0x8

struct kiovec {
	char *base;
	size_t len;
};

struct cmsghdr {
	size_t len;
	int level, type;
};

#define CMSG_ALIGN(n) (((n) + 7) & ~(size_t)7)

long sock_iov_total(const struct plat_msghdr *m)
{
	const struct kiovec *iov = m->iov;
	size_t total = 0;
	for (size_t i = 0; i < m->iovlen; i++) {
		if ((long)iov[i].len < 0 || (total += iov[i].len) > 0x7ffff000)
			return -EINVAL;
		if (!user_range_ok(iov[i].base, iov[i].len))
			return -EFAULT;
	}
	return (long)total;
}

void sock_iov_advance(struct plat_msghdr *m, size_t n)
{
	struct kiovec *iov = m->iov;
	while (m->iovlen && n >= iov->len) {
		n -= iov->len;
		iov++;
		m->iovlen--;
	}
	if (m->iovlen) {
		iov->base += n;
		iov->len -= n;
	}
	m->iov = iov;
}

/* Whether a transfer goes on after n of total bytes: a blocking stream socket sends all,
 * and receives all under MSG_WAITALL. */
static bool go_on(struct file *f, long n, size_t done, long total, bool all)
{
	struct sock *s = f->priv;
	return n > 0 && all && s->type == SOCK_STREAM && !(f->flags & O_NONBLOCK) && (long)done < total;
}

/* One transfer, repeated after partial ones while go_on says so; waits while the host says
 * -EAGAIN and the socket blocks. */
static long transfer(struct file *f, struct plat_msghdr *m, int flags, bool send)
{
	struct sock *s = f->priv;
	long total = sock_iov_total(m);
	if (total < 0)
		return total;
	bool all = send ? !(flags & MSG_DONTWAIT) : (flags & MSG_WAITALL) && !(flags & MSG_PEEK);
	int64_t deadline = -1;
	size_t done = 0;
	for (;;) {
		long n = send ? plat_sock_sendmsg(f->host, m, flags) : plat_sock_recvmsg(f->host, m, flags);
		if (n >= 0) {
			done += (size_t)n;
			if (!go_on(f, n, done, total, all))
				return (long)done;
			sock_iov_advance(m, (size_t)n);
			m->control = NULL; /* the control data went with the first part */
			m->controllen = 0;
			continue;
		}
		if (n == -EAGAIN)
			n = sock_wait(f, send ? POLLOUT : POLLIN, flags & MSG_DONTWAIT, send ? s->sndtimeo : s->rcvtimeo, &deadline);
		if (n == 0)
			continue;
		return done ? (long)done : n;
	}
}

long sock_send(struct file *f, struct plat_msghdr *m, int flags)
{
	if (((struct sock *)f->priv)->u)
		return unix_send(f, m, flags);
	long r = transfer(f, m, flags, true);
	if (r == -EPIPE && !(flags & MSG_NOSIGNAL))
		proc_raise(SIGPIPE);
	return r;
}

long sock_recv(struct file *f, struct plat_msghdr *m, int flags)
{
	if (((struct sock *)f->priv)->u)
		return unix_recv(f, m, flags);
	return transfer(f, m, flags, false);
}

/* The SCM_RIGHTS descriptors of a control message in the kernel: each fd becomes its file's
 * host handle, or a token for the kernel's own files (passfd.c); the files are held in held[]
 * and the tokens listed in tok[] until the message is sent. */
static long rights_out(char *ctl, size_t len, struct file **held, int *nheld, int *tok, int *ntok)
{
	for (size_t off = 0; off + sizeof(struct cmsghdr) <= len;) {
		struct cmsghdr *c = (struct cmsghdr *)(ctl + off);
		if (c->len < sizeof *c || c->len > len - off)
			return -EINVAL;
		if (c->level == SOL_SOCKET && c->type == SCM_RIGHTS) {
			int *fds = (int *)(c + 1), n = (int)((c->len - sizeof *c) / sizeof(int));
			for (int i = 0; i < n; i++) {
				if (*nheld == SCM_MAX_FD)
					return -EINVAL;
				struct file *f = fd_get(fds[i]);
				if (!f)
					return -EBADF;
				held[(*nheld)++] = f;
				fds[i] = f->host;
				if (f->host < 0) {
					long h = passfd_token(f);
					if (h < 0)
						return h;
					fds[i] = tok[(*ntok)++] = (int)h;
				}
			}
		}
		off += CMSG_ALIGN(c->len);
	}
	return 0;
}

/* The host handles received in SCM_RIGHTS become new descriptors of the program. */
static void rights_in(char *ctl, size_t len, bool cloexec, int *mflags)
{
	for (size_t off = 0; off + sizeof(struct cmsghdr) <= len;) {
		struct cmsghdr *c = (struct cmsghdr *)(ctl + off);
		if (c->len < sizeof *c || c->len > len - off)
			return;
		if (c->level == SOL_SOCKET && c->type == SCM_RIGHTS) {
			int *fds = (int *)(c + 1), n = (int)((c->len - sizeof *c) / sizeof(int));
			for (int i = 0; i < n; i++) {
				struct file *f = fds[i] < 0 ? NULL : passfd_claim(fds[i]);
				f = f || fds[i] < 0 ? f : sock_wrap_received(fds[i]);
				long fd = f ? fd_install(f, 0, cloexec) : -ENFILE;
				if (fd < 0) {
					if (f)
						file_put(f);
					*mflags |= MSG_CTRUNC;
				}
				fds[i] = (int)fd;
			}
		}
		off += CMSG_ALIGN(c->len);
	}
}

#define IOV_FAST 8

/* The program's msghdr at um, copied in: its iovecs into small (IOV_FAST of them) or, for
 * longer vectors, a new array in *big that the caller frees; the name into name. */
static long msg_in(const void *um, struct plat_msghdr *m, struct kiovec *small, struct kiovec **big, char *name)
{
	if (copy_from_user(m, um, sizeof *m) < 0)
		return -EFAULT;
	if (m->iovlen > UIO_MAXIOV)
		return -EMSGSIZE;
	if (m->namelen < 0)
		return -EINVAL;
	struct kiovec *iov = small;
	if (m->iovlen > IOV_FAST && !(iov = *big = kmalloc(m->iovlen * sizeof *iov)))
		return -ENOMEM;
	if (copy_from_user(iov, m->iov, m->iovlen * sizeof *iov) < 0)
		return -EFAULT;
	m->iov = iov;
	m->namelen = m->name ? MIN(m->namelen, SOCKADDR_MAX) : 0;
	m->name = m->name ? name : NULL;
	return 0;
}

static long do_sendmsg(struct file *f, const void *um, int flags)
{
	struct plat_msghdr m;
	struct kiovec small[IOV_FAST], *big = NULL;
	char name[SOCKADDR_MAX];
	struct file *held[SCM_MAX_FD];
	int nheld = 0, tok[SCM_MAX_FD], ntok = 0;
	char *ctl = NULL;
	const void *uname = NULL;
	long r = 0;
	if (copy_from_user(&uname, um, sizeof uname) < 0)
		r = -EFAULT;
	if (r == 0)
		r = msg_in(um, &m, small, &big, name);
	if (r == 0 && m.name)
		r = sock_addr_copy(uname, m.namelen, name);
	if (r >= 0 && m.name)
		r = sock_addr_in(f, name, (int)r);
	if (r >= 0 && m.name)
		m.namelen = (int)r;
	if (r >= 0 && m.controllen > CONTROL_MAX)
		r = -ENOBUFS;
	if (r >= 0 && m.controllen) {
		ctl = kmalloc(m.controllen);
		r = !ctl ? -ENOMEM : copy_from_user(ctl, m.control, m.controllen) < 0 ? -EFAULT : ((struct sock *)f->priv)->u ? 0 : rights_out(ctl, m.controllen, held, &nheld, tok, &ntok);
		m.control = ctl;
	}
	if (r >= 0)
		r = sock_send(f, &m, flags);
	while (ntok--) { /* a sent token lives on in the message */
		if (r < 0)
			passfd_drop(tok[ntok]);
		else
			plat_file_close(tok[ntok]);
	}
	while (nheld)
		file_put(held[--nheld]);
	kfree(ctl);
	kfree(big);
	return r;
}

/* What recvmsg writes back into the program's msghdr: the name, control data and flags. */
static long msg_out(struct file *f, void *um, struct plat_msghdr *m, void *uname, void *uctl, int flags)
{
	struct plat_msghdr *u = um;
	if (uname && sock_addr_out(f, m->name, m->namelen, uname, &u->namelen) < 0)
		return -EFAULT;
	if (!uname && copy_to_user(&u->namelen, &(int){0}, sizeof(int)) < 0)
		return -EFAULT;
	if (m->controllen && !((struct sock *)f->priv)->u)
		rights_in(m->control, m->controllen, flags & MSG_CMSG_CLOEXEC, &m->flags);
	if (m->controllen) {
		if (copy_to_user(uctl, m->control, m->controllen) < 0)
			return -EFAULT;
	}
	if (copy_to_user(&u->controllen, &m->controllen, sizeof m->controllen) < 0 ||
	    copy_to_user(&u->flags, &m->flags, sizeof m->flags) < 0)
		return -EFAULT;
	return 0;
}

static long do_recvmsg(struct file *f, void *um, int flags)
{
	struct plat_msghdr m;
	struct kiovec small[IOV_FAST], *big = NULL;
	char name[SOCKADDR_MAX];
	char *ctl = NULL;
	long r = msg_in(um, &m, small, &big, name);
	void *uname = NULL, *uctl = NULL;
	if (r == 0) {
		copy_from_user(&uname, um, sizeof uname);
		uctl = m.control;
		m.namelen = m.name ? SOCKADDR_MAX : 0;
		m.controllen = MIN(m.controllen, (size_t)CONTROL_MAX);
		ctl = m.controllen ? kmalloc(m.controllen) : NULL;
		m.control = ctl;
		if (m.controllen && !ctl)
			r = -ENOMEM;
	}
	if (r == 0)
		r = sock_recv(f, &m, flags); /* the host's MSG_CMSG_CLOEXEC is the platform's */
	if (r >= 0) {
		long w = msg_out(f, um, &m, m.name ? uname : NULL, uctl, flags);
		r = w < 0 ? w : r;
	}
	kfree(ctl);
	kfree(big);
	return r;
}

long sock_rwv(struct file *f, bool wr, const void *uiov, int cnt)
{
	struct kiovec small[IOV_FAST], *big = NULL, *iov = small;
	if (cnt > IOV_FAST && !(iov = big = kmalloc((size_t)cnt * sizeof *iov)))
		return -ENOMEM;
	struct plat_msghdr m = {.iov = iov, .iovlen = (size_t)cnt};
	long r = copy_from_user(iov, uiov, (size_t)cnt * sizeof *iov) < 0 ? -EFAULT : 0;
	if (r == 0) /* writev's caller raises SIGPIPE itself */
		r = wr ? sock_send(f, &m, MSG_NOSIGNAL) : sock_recv(f, &m, 0);
	kfree(big);
	return r;
}

long sys_sendmsg(int fd, const void *msg, int flags)
{
	if (flags & MSG_CMSG_COMPAT)
		return -EINVAL;
	struct file *f;
	long r = sock_get(fd, &f);
	if (r < 0)
		return r;
	r = do_sendmsg(f, msg, flags);
	file_put(f);
	return r;
}

long sys_recvmsg(int fd, void *msg, int flags)
{
	if (flags & MSG_CMSG_COMPAT)
		return -EINVAL;
	struct file *f;
	long r = sock_get(fd, &f);
	if (r < 0)
		return r;
	r = do_recvmsg(f, msg, flags);
	file_put(f);
	return r;
}

long sys_sendto(int fd, const void *buf, size_t len, int flags, const void *uaddr, int alen)
{
	struct file *f;
	char name[SOCKADDR_MAX];
	long r = sock_get(fd, &f);
	if (r < 0)
		return r;
	struct kiovec iov = {(char *)buf, MIN(len, (size_t)0x7ffff000)};
	struct plat_msghdr m = {.iov = &iov, .iovlen = 1};
	if (uaddr) {
		r = sock_addr_copy(uaddr, alen, name);
		r = r < 0 ? r : sock_addr_in(f, name, (int)r);
		m.name = name;
		m.namelen = (int)r;
	}
	if (r >= 0)
		r = sock_send(f, &m, flags);
	file_put(f);
	return r;
}

long sys_recvfrom(int fd, void *buf, size_t len, int flags, void *uaddr, void *ulen)
{
	struct file *f;
	char name[SOCKADDR_MAX];
	long r = sock_get(fd, &f);
	if (r < 0)
		return r;
	struct kiovec iov = {buf, MIN(len, (size_t)0x7ffff000)};
	struct plat_msghdr m = {.iov = &iov, .iovlen = 1, .name = uaddr ? name : NULL, .namelen = uaddr ? SOCKADDR_MAX : 0};
	r = sock_recv(f, &m, flags);
	if (r >= 0 && uaddr && sock_addr_out(f, name, m.namelen, uaddr, ulen) < 0)
		r = -EFAULT;
	file_put(f);
	return r;
}

struct mmsghdr {
	struct plat_msghdr hdr;
	unsigned len;
};

static int64_t now_ns(void)
{
	struct timespec64 t = time_now(CLOCK_MONOTONIC);
	return t.sec * 1000000000 + t.nsec;
}

/* sendmmsg and recvmmsg: message by message until one fails, or (recvmmsg) the deadline has
 * passed after a message, as Linux checks it; the count if any went. */
static long mmsg(int fd, void *uvec, unsigned vlen, int flags, bool send, int64_t deadline)
{
	struct file *f;
	long r = sock_get(fd, &f);
	if (r < 0)
		return r;
	struct mmsghdr *v = uvec;
	unsigned n = 0;
	vlen = MIN(vlen, (unsigned)UIO_MAXIOV);
	for (; n < vlen; n++) {
		int fl = flags & ~MSG_WAITFORONE;
		r = send ? do_sendmsg(f, &v[n].hdr, fl) : do_recvmsg(f, &v[n].hdr, fl);
		if (r < 0)
			break;
		unsigned got = (unsigned)r;
		if (copy_to_user(&v[n].len, &got, sizeof got) < 0) {
			r = -EFAULT;
			break;
		}
		if (flags & MSG_WAITFORONE)
			flags |= MSG_DONTWAIT;
		if (deadline >= 0 && now_ns() >= deadline) {
			n++;
			break;
		}
	}
	file_put(f);
	return n ? (long)n : r;
}

long sys_sendmmsg(int fd, void *vec, unsigned vlen, int flags)
{
	if (flags & MSG_CMSG_COMPAT)
		return -EINVAL;
	return mmsg(fd, vec, vlen, flags, true, -1);
}

long sys_recvmmsg(int fd, void *vec, unsigned vlen, int flags, void *timeout)
{
	if (flags & MSG_CMSG_COMPAT)
		return -EINVAL;
	int64_t ts[2];
	if (timeout && copy_from_user(ts, timeout, sizeof ts) < 0)
		return -EFAULT;
	if (timeout && (ts[0] < 0 || ts[1] < 0 || ts[1] >= 1000000000))
		return -EINVAL;
	return mmsg(fd, vec, vlen, flags, false, timeout ? now_ns() + ts[0] * 1000000000 + ts[1] : -1);
}
