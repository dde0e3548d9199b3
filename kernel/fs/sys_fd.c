/* System calls on file descriptors: read/write and their vector and positioned forms share
 * one path each; dup, fcntl, ioctl, sync, truncate, getdents. */
#include "kernel/fs/vfs.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/uaccess.h"
#include "kernel/proc/proc.h"
#include "kernel/signal.h"
#include "plat/plat.h"
#include "gen/syscalls.h"

#define IOV_MAX 1024
#define RW_MAX 0x7ffff000L /* Linux caps one transfer at this */

struct iovec {
	void *base;
	size_t len;
};

static bool can_read(struct file *f)
{
	return (f->flags & O_ACCMODE) != O_WRONLY && !(f->flags & O_PATH);
}

static bool can_write(struct file *f)
{
	return (f->flags & O_ACCMODE) != O_RDONLY && !(f->flags & O_PATH);
}

/* One transfer: pos < 0 means the file's own position. */
static long xfer(struct file *f, bool wr, void *ubuf, size_t len, off_t pos)
{
	len = MIN(len, (size_t)RW_MAX);
	if (wr) {
		if (pos >= 0)
			return f->ops->pwrite ? f->ops->pwrite(f, ubuf, len, pos) : -ESPIPE;
		return f->ops->write ? f->ops->write(f, ubuf, len) : -EINVAL;
	}
	if (pos >= 0)
		return f->ops->pread ? f->ops->pread(f, ubuf, len, pos) : -ESPIPE;
	return f->ops->read ? f->ops->read(f, ubuf, len) : -EINVAL;
}

static long finish_write(long r)
{
	if (r == -EPIPE)
		proc_raise(SIGPIPE);
	return r;
}

static long rw(int fd, bool wr, void *ubuf, size_t len, off_t pos)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	long r = (wr ? can_write(f) : can_read(f)) ? xfer(f, wr, ubuf, len, pos) : -EBADF;
	file_put(f);
	return wr ? finish_write(r) : r;
}

static long rwv(int fd, bool wr, const void *uiov, int cnt, off_t pos)
{
	if (cnt < 0 || cnt > IOV_MAX)
		return -EINVAL;
	struct iovec iov[IOV_MAX > 64 ? 64 : IOV_MAX];
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	long total = 0, r = (wr ? can_write(f) : can_read(f)) ? 0 : -EBADF;
	if (r == 0 && pos < 0 && f->ops->rwv) {
		r = f->ops->rwv(f, wr, uiov, cnt);
		file_put(f);
		return wr ? finish_write(r) : r;
	}
	for (int i = 0; r == 0 && i < cnt; i += 64) {
		int n = MIN(cnt - i, 64);
		if (copy_from_user(iov, (const struct iovec *)uiov + i, n * sizeof *iov) < 0) {
			r = -EFAULT;
			break;
		}
		for (int k = 0; k < n; k++) {
			if ((long)iov[k].len < 0) {
				r = -EINVAL;
				break;
			}
			if (!iov[k].len)
				continue;
			long got = xfer(f, wr, iov[k].base, iov[k].len, pos < 0 ? -1 : pos + total);
			if (got < 0) {
				r = got;
				break;
			}
			total += got;
			if ((size_t)got < iov[k].len) {
				r = 1; /* short transfer ends the vector */
				break;
			}
		}
	}
	file_put(f);
	if (r < 0 && total == 0)
		return wr ? finish_write(r) : r;
	return total;
}

long sys_read(int fd, void *buf, size_t count)
{
	return rw(fd, false, buf, count, -1);
}

long sys_write(int fd, const void *buf, size_t count)
{
	return rw(fd, true, (void *)buf, count, -1);
}

long sys_pread64(int fd, void *buf, size_t count, long off)
{
	return off < 0 ? -EINVAL : rw(fd, false, buf, count, off);
}

long sys_pwrite64(int fd, const void *buf, size_t count, long off)
{
	return off < 0 ? -EINVAL : rw(fd, true, (void *)buf, count, off);
}

long sys_readv(int fd, const void *iov, int iovcnt)
{
	return rwv(fd, false, iov, iovcnt, -1);
}

long sys_writev(int fd, const void *iov, int iovcnt)
{
	return rwv(fd, true, iov, iovcnt, -1);
}

long sys_preadv(int fd, const void *iov, int iovcnt, long off)
{
	return off < 0 ? -EINVAL : rwv(fd, false, iov, iovcnt, off);
}

long sys_pwritev(int fd, const void *iov, int iovcnt, long off)
{
	return off < 0 ? -EINVAL : rwv(fd, true, iov, iovcnt, off);
}

#define RWF_SUPPORTED 0x1f /* HIPRI DSYNC SYNC NOWAIT APPEND: hints, or what every write does */

/* preadv2/pwritev2: an offset of -1 means the file's own position. */
/* Whether the vector transfers anything, checked as Linux checks it before any transfer: the
 * file open for the direction, then every iovec readable with a length that is not negative. */
static long rwv_nonempty(int fd, bool wr, const void *uiov, int cnt)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	long r = (wr ? can_write(f) : can_read(f)) ? 0 : -EBADF;
	file_put(f);
	if (r == 0 && (cnt < 0 || cnt > IOV_MAX))
		r = -EINVAL;
	bool some = false;
	for (int i = 0; r == 0 && i < cnt; i++) {
		struct iovec v;
		if (copy_from_user(&v, (const struct iovec *)uiov + i, sizeof v) < 0)
			r = -EFAULT;
		else if ((long)v.len < 0)
			r = -EINVAL;
		else
			some |= v.len != 0;
	}
	return r < 0 ? r : some;
}

/* preadv2/pwritev2: Linux looks at the flags only for a vector that transfers something. */
static long rwv2(int fd, bool wr, const void *uiov, int cnt, long off, int flags)
{
	if (off < -1)
		return -EINVAL;
	if (flags & ~RWF_SUPPORTED) {
		long r = rwv_nonempty(fd, wr, uiov, cnt);
		return r <= 0 ? r : -EOPNOTSUPP;
	}
	return rwv(fd, wr, uiov, cnt, off);
}

long sys_preadv2(int fd, const void *iov, int iovcnt, long off, long off_hi, int flags)
{
	(void)off_hi;
	return rwv2(fd, false, iov, iovcnt, off, flags);
}

long sys_pwritev2(int fd, const void *iov, int iovcnt, long off, long off_hi, int flags)
{
	(void)off_hi;
	return rwv2(fd, true, iov, iovcnt, off, flags);
}

long sys_lseek(int fd, long off, int whence)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	long r = whence < 0 || whence > 4 ? -EINVAL : f->ops->lseek ? f->ops->lseek(f, off, whence) : -ESPIPE;
	file_put(f);
	return r;
}

long sys_close(int fd)
{
	return fd_close(fd);
}

static long dup_to(int fd, int newfd, bool cloexec)
{
	if (newfd < 0 || newfd >= FD_MAX || (uint64_t)newfd >= proc_rlimit(RLIMIT_NOFILE))
		return -EBADF;
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	struct file *old = fd_replace(newfd, f, cloexec);
	if (old) { /* the descriptor is closed, as by close(2) */
		reclock_fd_closed(old);
		file_put(old);
	}
	return newfd;
}

long sys_dup(int fd)
{
	struct file *f = fd_get(fd);
	return f ? fd_install(f, 0, false) : -EBADF;
}

long sys_dup2(int fd, int newfd)
{
	if (fd == newfd) {
		struct file *f = fd_get(fd);
		if (!f)
			return -EBADF;
		file_put(f);
		return fd;
	}
	return dup_to(fd, newfd, false);
}

long sys_dup3(int fd, int newfd, int flags)
{
	if (fd == newfd || (flags & ~O_CLOEXEC))
		return -EINVAL;
	return dup_to(fd, newfd, flags & O_CLOEXEC);
}

static long setfl(struct file *f, unsigned long arg)
{
	int keep = O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME;
	long r = f->ops->setfl ? f->ops->setfl(f, (int)arg) : 0;
	if (r == 0)
		f->flags = (f->flags & ~keep) | ((int)arg & keep);
	return r;
}

/* A host file's pipe size is the host's (a FIFO in a host directory, a host pipe on stdin). */
static long pipe_size(struct file *f, int cmd, unsigned long arg)
{
	if (f->host >= 0)
		return plat_file_fcntl(f->host, cmd, (long)arg);
	return cmd == F_GETPIPE_SZ ? pipe_capacity(f) : pipe_set_capacity(f, arg);
}

long sys_fcntl(int fd, int cmd, unsigned long arg)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	struct fdtable *t = curproc()->fds;
	long r;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		r = arg >= MIN((uint64_t)FD_MAX, proc_rlimit(RLIMIT_NOFILE)) ? -EINVAL
									  : fd_install(file_get(f), (int)arg, cmd == F_DUPFD_CLOEXEC);
		break;
	case F_GETFD: r = t->cloexec[fd] ? FD_CLOEXEC : 0; break;
	case F_SETFD: t->cloexec[fd] = arg & FD_CLOEXEC; r = 0; break;
	case F_GETFL: r = f->flags | O_LARGEFILE; break;
	case F_GETPIPE_SZ:
	case F_SETPIPE_SZ: r = pipe_size(f, cmd, arg); break;
	case F_SETFL: r = setfl(f, arg); break;
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_GETLK:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		r = reclock_fcntl(f, cmd, (void *)arg);
		break;
	default: r = -EINVAL; break;
	}
	file_put(f);
	return r;
}

long sys_ioctl(int fd, unsigned long req, void *arg)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	struct fdtable *t = curproc()->fds;
	long r;
	switch (req) {
	case 0x5451: t->cloexec[fd] = true; r = 0; break;  /* FIOCLEX */
	case 0x5450: t->cloexec[fd] = false; r = 0; break; /* FIONCLEX */
	case 0x5421: {                                     /* FIONBIO */
		int on;
		r = copy_from_user(&on, arg, sizeof on);
		if (r == 0)
			r = setfl(f, on ? (unsigned long)(f->flags | O_NONBLOCK) : (unsigned long)(f->flags & ~O_NONBLOCK));
		break;
	}
	default: r = f->ops->ioctl ? f->ops->ioctl(f, req, arg) : -ENOTTY; break;
	}
	file_put(f);
	return r;
}

static long sync_fd(int fd, bool data_only)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	long r = f->ops->sync ? f->ops->sync(f, data_only) : -EINVAL;
	file_put(f);
	return r;
}

/* Host files are written through to the host at once and tmpfs has no disk: a global sync
 * has nothing of the kernel's own to write. */
long sys_sync(void)
{
	return 0;
}

long sys_syncfs(int fd)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	long r = f->ops->sync ? f->ops->sync(f, false) : 0;
	file_put(f);
	return r;
}

long sys_sync_file_range(int fd, long off, long len, unsigned flags)
{
	if (flags & ~7u || off < 0 || len < 0 || off + len < off)
		return -EINVAL;
	long r = sync_fd(fd, true);
	return r == -EINVAL ? -ESPIPE : r; /* no sync operation: a pipe or the like */
}

long sys_readahead(int fd, long off, size_t count)
{
	(void)count;
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	long r = off < 0 || !f->ops->pread ? -EINVAL : 0;
	file_put(f);
	return r;
}

long sys_fsync(int fd)
{
	return sync_fd(fd, false);
}

long sys_fdatasync(int fd)
{
	return sync_fd(fd, true);
}

long sys_ftruncate(int fd, long len)
{
	if (len < 0)
		return -EINVAL;
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	long r = !can_write(f) ? -EINVAL : f->ops->truncate ? f->ops->truncate(f, len) : -EINVAL;
	file_put(f);
	return r;
}

long sys_fadvise64(int fd, long off, long len, int advice)
{
	(void)off;
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	long r = advice < 0 || advice > 5 || len < 0 ? -EINVAL : f->ops->lseek ? 0 : -ESPIPE;
	file_put(f);
	return r;
}

long sys_getdents64(int fd, void *dirp, size_t count)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	long r = f->ops->getdents ? f->ops->getdents(f, dirp, count) : -ENOTDIR;
	file_put(f);
	return r;
}
