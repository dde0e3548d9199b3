/* System calls that name files: open, access, readlink, cwd, mkdir, unlink, rename, ... */
#include "kernel/fs/vfs.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/uaccess.h"
#include "kernel/mm/kalloc.h"
#include "kernel/proc/proc.h"
#include "kernel/sys/trace.h"
#include "gen/syscalls.h"

#define OPEN_FLAGS (O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_NONBLOCK | O_SYNC | \
		    O_DSYNC | O_ASYNC | O_DIRECT | O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC | O_PATH)

long sys_openat(int dirfd, const char *path, int flags, unsigned mode)
{
	if ((flags & O_TMPFILE) == O_TMPFILE)
		return -EOPNOTSUPP; /* comes with the rest of tmpfs */
	flags &= OPEN_FLAGS; /* Linux ignores unknown open flags */
	if (flags & O_PATH)
		flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	struct lookup lk;
	long r = vfs_resolve_user(dirfd, path, &lk);
	if (r < 0)
		return r;
	struct file *f;
	r = vfs_open(&lk, flags, mode & 07777, &f);
	return r < 0 ? r : fd_install(f, 0, flags & O_CLOEXEC);
}

long sys_open(const char *path, int flags, unsigned mode)
{
	return sys_openat(AT_FDCWD, path, flags, mode);
}

long sys_faccessat2(int dirfd, const char *path, int mode, int flags)
{
	if (mode & ~(R_OK | W_OK | X_OK) || flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct lookup lk;
	long r = vfs_resolve_user(dirfd, path, &lk);
	if (r < 0)
		return r;
	r = lk.mnt->ops->access(lk.mnt, lk.rel, mode);
	if (r == -ENOENT)
		trace_missing_path(lk.abs);
	return r;
}

long sys_faccessat(int dirfd, const char *path, int mode)
{
	return sys_faccessat2(dirfd, path, mode, 0);
}

long sys_access(const char *path, int mode)
{
	return sys_faccessat2(AT_FDCWD, path, mode, 0);
}

long sys_readlinkat(int dirfd, const char *path, char *buf, size_t size)
{
	if ((long)size <= 0)
		return -EINVAL;
	struct lookup lk;
	long r = vfs_resolve_user(dirfd, path, &lk);
	if (r < 0)
		return r;
	char *tmp = kmalloc(PATH_MAX);
	if (!tmp)
		return -ENOMEM;
	r = lk.mnt->ops->readlink(lk.mnt, lk.rel, tmp, MIN(size, (size_t)PATH_MAX));
	if (r > 0 && copy_to_user(buf, tmp, r) < 0)
		r = -EFAULT;
	kfree(tmp);
	return r;
}

long sys_readlink(const char *path, char *buf, size_t size)
{
	return sys_readlinkat(AT_FDCWD, path, buf, size);
}

long sys_getcwd(char *buf, size_t size)
{
	const char *cwd = curproc()->cwd;
	size_t n = strlen(cwd) + 1;
	if (n > size)
		return -ERANGE;
	return copy_to_user(buf, cwd, n) < 0 ? -EFAULT : (long)n;
}

static long set_cwd(const char *abs)
{
	char *copy = kstrdup(abs);
	if (!copy)
		return -ENOMEM;
	struct kproc *p = curproc();
	char *old = p->cwd;
	p->cwd = copy;
	kfree(old);
	return 0;
}

long sys_chdir(const char *path)
{
	struct lookup lk;
	struct kstat st;
	long r = vfs_resolve_user(AT_FDCWD, path, &lk);
	if (r == 0)
		r = vfs_stat(&lk, &st, true);
	if (r == 0 && !S_ISDIR(st.mode))
		r = -ENOTDIR;
	if (r == 0 && lk.abs[1] && lk.abs[strlen(lk.abs) - 1] == '/')
		lk.abs[strlen(lk.abs) - 1] = 0;
	return r < 0 ? r : set_cwd(lk.abs);
}

long sys_fchdir(int fd)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	struct kstat st;
	long r = f->ops->stat ? f->ops->stat(f, &st) : -ENOTDIR;
	if (r == 0 && !S_ISDIR(st.mode))
		r = -ENOTDIR;
	if (r == 0)
		r = set_cwd(f->path);
	file_put(f);
	return r;
}

long sys_mkdirat(int dirfd, const char *path, unsigned mode)
{
	struct lookup lk;
	long r = vfs_resolve_user(dirfd, path, &lk);
	return r < 0 ? r : lk.mnt->ops->mkdir(lk.mnt, lk.rel, mode & 07777 & ~curproc()->umask);
}

long sys_mkdir(const char *path, unsigned mode)
{
	return sys_mkdirat(AT_FDCWD, path, mode);
}

long sys_unlinkat(int dirfd, const char *path, int flags)
{
	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	struct lookup lk;
	long r = vfs_resolve_user(dirfd, path, &lk);
	if (r < 0)
		return r;
	if (!lk.rel[0])
		return -EBUSY; /* a mount point */
	return lk.mnt->ops->unlink(lk.mnt, lk.rel, flags & AT_REMOVEDIR);
}

long sys_unlink(const char *path)
{
	return sys_unlinkat(AT_FDCWD, path, 0);
}

long sys_rmdir(const char *path)
{
	return sys_unlinkat(AT_FDCWD, path, AT_REMOVEDIR);
}

long sys_renameat2(int olddirfd, const char *old, int newdirfd, const char *new, unsigned flags)
{
	if (flags)
		return -EINVAL; /* RENAME_NOREPLACE and friends come with the rest of tmpfs */
	struct lookup *a = kmalloc(sizeof *a), *b = kmalloc(sizeof *b);
	long r = a && b ? 0 : -ENOMEM;
	if (r == 0)
		r = vfs_resolve_user(olddirfd, old, a);
	if (r == 0)
		r = vfs_resolve_user(newdirfd, new, b);
	if (r == 0 && a->mnt != b->mnt)
		r = -EXDEV;
	if (r == 0)
		r = a->mnt->ops->rename(a->mnt, a->rel, b->rel);
	kfree(a);
	kfree(b);
	return r;
}

long sys_renameat(int olddirfd, const char *old, int newdirfd, const char *new)
{
	return sys_renameat2(olddirfd, old, newdirfd, new, 0);
}

long sys_rename(const char *old, const char *new)
{
	return sys_renameat2(AT_FDCWD, old, AT_FDCWD, new, 0);
}

long sys_truncate(const char *path, long len)
{
	struct lookup lk;
	long r = vfs_resolve_user(AT_FDCWD, path, &lk);
	struct file *f;
	if (r == 0)
		r = vfs_open(&lk, O_WRONLY, 0, &f);
	if (r < 0)
		return r;
	r = len < 0 ? -EINVAL : f->ops->truncate ? f->ops->truncate(f, len) : -EINVAL;
	file_put(f);
	return r;
}

/* Modes are not kept by the in-kernel file systems yet: a chmod of a file that exists and
 * may be written succeeds; elsewhere the errno Linux gives. */
long sys_fchmodat(int dirfd, const char *path, unsigned mode)
{
	(void)mode;
	struct lookup lk;
	struct kstat st;
	long r = vfs_resolve_user(dirfd, path, &lk);
	if (r == 0)
		r = vfs_stat(&lk, &st, true);
	if (r == 0 && !lk.mnt->rw && lk.mnt->ops == &hostfs_ops)
		r = -EROFS;
	return r;
}

long sys_chmod(const char *path, unsigned mode)
{
	return sys_fchmodat(AT_FDCWD, path, mode);
}

long sys_fchmod(int fd, unsigned mode)
{
	(void)mode;
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	file_put(f);
	return 0;
}

long sys_umask(unsigned mask)
{
	struct kproc *p = curproc();
	mode_t old = p->umask;
	p->umask = mask & 0777;
	return old;
}
