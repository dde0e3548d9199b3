/* System calls that name files: open, creat, access, readlink, cwd, mkdir, unlink, rename, link,
 * symlink, truncate. */
#include "kernel/fs/vfs.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/uaccess.h"
#include "kernel/mm/kalloc.h"
#include "kernel/proc/proc.h"
#include "gen/syscalls.h"

#define OPEN_FLAGS (O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_NONBLOCK | O_SYNC | \
		    O_DSYNC | O_ASYNC | O_DIRECT | O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC | O_PATH)

#define O_TMPFILE_BIT 020000000 /* O_TMPFILE without its O_DIRECTORY */

long sys_openat(int dirfd, const char *path, int flags, unsigned mode)
{
	flags &= OPEN_FLAGS | O_TMPFILE; /* Linux ignores unknown open flags */
	if (flags & O_PATH) /* and O_PATH beats every other, before any check */
		flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	if ((flags & O_TMPFILE_BIT) && ((flags & (O_TMPFILE | O_CREAT)) != O_TMPFILE || (flags & O_ACCMODE) == O_RDONLY))
		return -EINVAL; /* an unnamed file is made to be written, and never by O_CREAT */
	if ((flags & (O_CREAT | O_DIRECTORY)) == (O_CREAT | O_DIRECTORY) && !(flags & O_TMPFILE_BIT))
		return -EINVAL; /* as Linux 6.4 and later */
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

long sys_creat(const char *path, unsigned mode)
{
	return sys_openat(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

long sys_faccessat2(int dirfd, const char *path, int mode, int flags)
{
	if (mode & ~(R_OK | W_OK | X_OK) || flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct lookup lk;
	long r = vfs_resolve_user(dirfd, path, &lk);
	return r < 0 ? r : vfs_access(&lk, mode, !(flags & AT_SYMLINK_NOFOLLOW));
}

long sys_faccessat(int dirfd, const char *path, int mode)
{
	return sys_faccessat2(dirfd, path, mode, 0);
}

long sys_access(const char *path, int mode)
{
	return sys_faccessat2(AT_FDCWD, path, mode, 0);
}

/* Resolves upath against dirfd. An empty path names dirfd's own file when allowed (with
 * AT_EMPTY_PATH; always for readlinkat): then 1 is returned and *fp, if given, gets the
 * file. */
static long resolve_at(int dirfd, const char *upath, bool empty_ok, struct lookup *lk, struct file **fp)
{
	char *path = kmalloc(PATH_MAX);
	if (!path)
		return -ENOMEM;
	long r = copy_str_from_user(path, upath, PATH_MAX);
	bool empty = r == 0 && empty_ok;
	struct file *f = empty && dirfd != AT_FDCWD ? fd_get(dirfd) : NULL;
	if (empty && dirfd != AT_FDCWD)
		r = f ? vfs_resolve(AT_FDCWD, f->path, lk) : -EBADF;
	else if (r >= 0)
		r = vfs_resolve(dirfd, empty ? "." : path, lk);
	kfree(path);
	if (f && fp && r == 0)
		*fp = f;
	else if (f)
		file_put(f);
	return r < 0 ? r : empty;
}

long sys_readlinkat(int dirfd, const char *path, char *buf, size_t size)
{
	if ((long)size <= 0)
		return -EINVAL;
	struct lookup lk;
	long empty = resolve_at(dirfd, path, true, &lk, NULL);
	if (empty < 0)
		return empty;
	char *tmp = kmalloc(PATH_MAX);
	if (!tmp)
		return -ENOMEM;
	long r = vfs_readlink(&lk, tmp, MIN(size, (size_t)PATH_MAX));
	if (r == -EINVAL && empty)
		r = -ENOENT; /* the file named by an empty path is no link */
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
	/* the cwd is a path without links, as getcwd reports it; hostfs follows its own links
	 * in place, so they are looked for once more */
	if (r == 0)
		r = vfs_realpath(&lk);
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

/* The error for a path that names no entry of a directory (its last component ".", ".." or
 * none) given to a call that makes, removes or renames one. Linux looks the directory up
 * first, so its errors come first: the path without that component must be a directory. */
static long not_a_name(struct lookup *lk, long err)
{
	struct kstat st;
	long r = vfs_stat(lk, &st, true);
	return r < 0 ? r : !S_ISDIR(st.mode) ? -ENOTDIR : err;
}

/* Resolves the path of a name to be made (mkdir, link, symlink): "x/." and the like get EEXIST. */
static long resolve_new_name(int dirfd, const char *path, struct lookup *lk)
{
	enum path_last last;
	long r = vfs_resolve_user_last(dirfd, path, lk, &last);
	return r < 0 ? r : last == PATH_LAST_NAME ? 0 : not_a_name(lk, -EEXIST);
}

long sys_mkdirat(int dirfd, const char *path, unsigned mode)
{
	struct lookup lk;
	long r = resolve_new_name(dirfd, path, &lk);
	return r < 0 ? r : vfs_mkdir(&lk, mode & 07777 & ~curproc()->umask);
}

long sys_mkdir(const char *path, unsigned mode)
{
	return sys_mkdirat(AT_FDCWD, path, mode);
}

/* A FIFO, socket, empty regular file (type 0 too) or device file (which the file systems
 * refuse); mode is Linux's umode_t, 16 bits, and the device number serves no kind elfin makes. */
long sys_mknodat(int dirfd, const char *path, unsigned mode, unsigned dev)
{
	(void)dev;
	mode &= 0xffff;
	unsigned type = mode & S_IFMT;
	if (type == S_IFDIR)
		return -EPERM;
	if (type != 0 && type != S_IFREG && type != S_IFIFO && type != S_IFSOCK && type != S_IFCHR && type != S_IFBLK)
		return -EINVAL;
	struct lookup lk;
	long r = resolve_new_name(dirfd, path, &lk);
	return r < 0 ? r : vfs_mknod(&lk, (type ? type : S_IFREG) | (mode & 07777 & ~curproc()->umask));
}

long sys_mknod(const char *path, unsigned mode, unsigned dev)
{
	return sys_mknodat(AT_FDCWD, path, mode, dev);
}

long sys_unlinkat(int dirfd, const char *path, int flags)
{
	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	struct lookup lk;
	enum path_last last;
	long r = vfs_resolve_user_last(dirfd, path, &lk, &last);
	if (r < 0)
		return r;
	if (last != PATH_LAST_NAME) /* as Linux: rmdir says why, unlink that it is a directory */
		return not_a_name(&lk, !(flags & AT_REMOVEDIR) ? -EISDIR : last == PATH_LAST_DOT ? -EINVAL
				       : last == PATH_LAST_DOTDOT ? -ENOTEMPTY : -EBUSY);
	if (!lk.rel[0])
		return -EBUSY; /* a mount point */
	return vfs_unlink(&lk, flags & AT_REMOVEDIR);
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
	struct lookup *a = kmalloc(sizeof *a), *b = kmalloc(sizeof *b);
	enum path_last la = PATH_LAST_NAME, lb = PATH_LAST_NAME;
	long r = a && b ? 0 : -ENOMEM;
	if (r == 0)
		r = vfs_resolve_user_last(olddirfd, old, a, &la);
	if (r == 0)
		r = vfs_resolve_user_last(newdirfd, new, b, &lb);
	if (r == 0 && la != PATH_LAST_NAME) /* renaming "." or "..", or onto them: EBUSY */
		r = not_a_name(a, -EBUSY);
	if (r == 0 && lb != PATH_LAST_NAME)
		r = not_a_name(b, -EBUSY);
	if (r == 0)
		r = vfs_rename(a, b, flags);
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

/* Only a regular file is truncated by its name: a FIFO is never opened for it (that would
 * wait for a reader), it is EINVAL as in Linux, which looks at the type first. */
long sys_truncate(const char *path, long len)
{
	struct lookup lk;
	struct kstat st;
	long r = vfs_resolve_user(AT_FDCWD, path, &lk);
	if (r == 0)
		r = vfs_stat(&lk, &st, true);
	if (r == 0 && !S_ISREG(st.mode))
		r = S_ISDIR(st.mode) ? -EISDIR : -EINVAL;
	struct file *f;
	if (r == 0)
		r = vfs_open(&lk, O_WRONLY, 0, &f);
	if (r < 0)
		return r;
	r = len < 0 ? -EINVAL : f->ops->truncate ? f->ops->truncate(f, len) : -EINVAL;
	file_put(f);
	return r;
}

long sys_linkat(int olddirfd, const char *old, int newdirfd, const char *new, int flags)
{
	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct lookup *a = kmalloc(sizeof *a), *b = kmalloc(sizeof *b);
	struct file *from = NULL;
	long r = a && b ? 0 : -ENOMEM;
	if (r == 0)
		r = resolve_at(olddirfd, old, flags & AT_EMPTY_PATH, a, &from);
	if (r >= 0)
		r = resolve_new_name(newdirfd, new, b);
	if (r == 0)
		r = vfs_link(from, a, b, flags & AT_SYMLINK_FOLLOW);
	if (from)
		file_put(from);
	kfree(a);
	kfree(b);
	return r;
}

long sys_link(const char *old, const char *new)
{
	return sys_linkat(AT_FDCWD, old, AT_FDCWD, new, 0);
}

long sys_symlinkat(const char *target, int newdirfd, const char *path)
{
	char *t = kmalloc(PATH_MAX);
	if (!t)
		return -ENOMEM;
	struct lookup lk;
	long r = copy_str_from_user(t, target, PATH_MAX);
	if (r == 0)
		r = -ENOENT;
	if (r > 0)
		r = resolve_new_name(newdirfd, path, &lk);
	if (r == 0)
		r = vfs_symlink(&lk, t);
	kfree(t);
	return r;
}

long sys_symlink(const char *target, const char *path)
{
	return sys_symlinkat(target, AT_FDCWD, path);
}

long sys_umask(unsigned mask)
{
	struct kproc *p = curproc();
	mode_t old = p->umask;
	p->umask = mask & 0777;
	return old;
}

#define MFD_CLOEXEC 1
#define MFD_ALLOW_SEALING 2
#define MFD_HUGETLB 4
#define MFD_NAME_MAX 249

/* memfd_create: an unnamed tmpfs file, as O_TMPFILE makes one, named "memfd:NAME" in /proc. */
long sys_memfd_create(const char *uname, unsigned flags)
{
	char name[MFD_NAME_MAX + 1];
	if (flags & ~(MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB))
		return -EINVAL;
	if (flags & MFD_HUGETLB)
		return -EINVAL; /* no huge pages */
	long r = copy_str_from_user(name, uname, sizeof name);
	if (r < 0)
		return r == -ENAMETOOLONG ? -EINVAL : r;
	struct lookup lk;
	r = vfs_resolve(AT_FDCWD, "/dev/shm", &lk);
	struct file *f;
	if (r == 0)
		r = vfs_open(&lk, O_TMPFILE | O_RDWR, 0600, &f);
	if (r < 0)
		return r;
	char path[MFD_NAME_MAX + 32];
	ksnprintf(path, sizeof path, "/memfd:%s (deleted)", name);
	char *p = kstrdup(path);
	if (p) {
		kfree(f->path);
		f->path = p;
	}
	return fd_install(f, 0, flags & MFD_CLOEXEC);
}
