/* System calls that change a file without reading or writing its bytes: the chmod and
 * utimes families and fallocate. */
#include "kernel/fs/vfs.h"
#include "kernel/errno.h"
#include "kernel/proc/proc.h"
#include "kernel/lib.h"
#include "kernel/uaccess.h"
#include "kernel/time/time.h"
#include "gen/syscalls.h"
#include "plat/plat.h"

#define UTIME_NOW ((1L << 30) - 1)
#define UTIME_OMIT ((1L << 30) - 2)
#define FALLOC_FL_KEEP_SIZE 1
#define FALLOC_FL_PUNCH_HOLE 2
#define FALLOC_FL_SUPPORTED 0x7f

/* Applies a to the open file fd (an O_PATH one only when named by an empty path); files
 * without attributes of their own accept it. */
static long setattr_fd(int fd, const struct kattr *a, bool path_ok)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	long r = (f->flags & O_PATH) && !path_ok ? -EBADF : f->ops->setattr ? f->ops->setattr(f, a) : 0;
	file_put(f);
	return r;
}

long sys_fchmodat(int dirfd, const char *path, unsigned mode)
{
	struct kattr a = {.valid = KATTR_MODE, .mode = mode & 07777};
	struct lookup lk;
	long r = vfs_resolve_user(dirfd, path, &lk);
	return r < 0 ? r : vfs_setattr(&lk, &a, true);
}

long sys_chmod(const char *path, unsigned mode)
{
	return sys_fchmodat(AT_FDCWD, path, mode);
}

long sys_fchmod(int fd, unsigned mode)
{
	struct kattr a = {.valid = KATTR_MODE, .mode = mode & 07777};
	return setattr_fd(fd, &a, false);
}

/* chown: root gives files to anyone; others may only set their own ids (and their own group
 * among their groups), which changes nothing Linux would refuse. -1 leaves an id as it is. */
static long chown_attr(uid_t uid, gid_t gid, struct kattr *a)
{
	const struct plat_info *pi = plat_info();
	*a = (struct kattr){0};
	if (uid != (uid_t)-1) {
		if (pi->euid != 0 && uid != pi->euid)
			return -EPERM;
		a->valid |= KATTR_UID;
		a->uid = uid;
	}
	if (gid != (gid_t)-1) {
		bool mine = gid == pi->egid;
		for (int i = 0; i < curproc()->ngroups; i++)
			mine |= gid == curproc()->groups[i];
		if (pi->euid != 0 && !mine)
			return -EPERM;
		a->valid |= KATTR_GID;
		a->gid = gid;
	}
	return 0;
}

long sys_fchownat(int dirfd, const char *path, unsigned uid, unsigned gid, int flags)
{
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct kattr a;
	long r = chown_attr(uid, gid, &a);
	if (r < 0)
		return r;
	char c;
	if ((flags & AT_EMPTY_PATH) && copy_from_user(&c, path, 1) == 0 && c == 0 && dirfd != AT_FDCWD)
		return setattr_fd(dirfd, &a, true);
	struct lookup lk;
	r = vfs_resolve_user(dirfd, path, &lk);
	return r < 0 ? r : vfs_setattr(&lk, &a, !(flags & AT_SYMLINK_NOFOLLOW));
}

long sys_chown(const char *path, unsigned uid, unsigned gid)
{
	return sys_fchownat(AT_FDCWD, path, uid, gid, 0);
}

long sys_lchown(const char *path, unsigned uid, unsigned gid)
{
	return sys_fchownat(AT_FDCWD, path, uid, gid, AT_SYMLINK_NOFOLLOW);
}

long sys_fchown(int fd, unsigned uid, unsigned gid)
{
	struct kattr a;
	long r = chown_attr(uid, gid, &a);
	return r < 0 ? r : setattr_fd(fd, &a, false);
}

/* The times t (NULL: now) as attributes; UTIME_NOW and UTIME_OMIT as Linux reads them. */
static long times_attr(const struct timespec64 *t, struct kattr *a)
{
	struct timespec64 now = time_now(CLOCK_REALTIME);
	*a = (struct kattr){.valid = KATTR_ATIME | KATTR_MTIME, .atime = now, .mtime = now};
	for (int i = 0; t && i < 2; i++) {
		struct timespec64 *dst = i ? &a->mtime : &a->atime;
		if (t[i].nsec == UTIME_OMIT)
			a->valid &= i ? ~KATTR_MTIME : ~KATTR_ATIME;
		else if (t[i].nsec == UTIME_NOW)
			continue;
		else if (t[i].nsec < 0 || t[i].nsec >= 1000000000)
			return -EINVAL;
		else
			*dst = t[i];
	}
	return 0;
}

/* The one path behind the utimes family: t is in the kernel already (or NULL). */
static long utimens_at(int dirfd, const char *upath, const struct timespec64 *t, int flags)
{
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (t && t[0].nsec == UTIME_OMIT && t[1].nsec == UTIME_OMIT)
		return 0;
	struct kattr a;
	long r = times_attr(t, &a);
	if (r < 0)
		return r;
	if (!upath && dirfd != AT_FDCWD) /* futimens */
		return flags ? -EINVAL : setattr_fd(dirfd, &a, false);
	char c;
	if ((flags & AT_EMPTY_PATH) && dirfd != AT_FDCWD && copy_from_user(&c, upath, 1) == 0 && !c)
		return setattr_fd(dirfd, &a, true);
	struct lookup lk;
	r = vfs_resolve_user(dirfd, upath, &lk);
	return r < 0 ? r : vfs_setattr(&lk, &a, !(flags & AT_SYMLINK_NOFOLLOW));
}

long sys_utimensat(int dirfd, const char *path, const void *times, int flags)
{
	struct timespec64 t[2];
	if (times && copy_from_user(t, times, sizeof t) < 0)
		return -EFAULT;
	return utimens_at(dirfd, path, times ? t : NULL, flags);
}

long sys_futimesat(int dirfd, const char *path, const void *tv)
{
	int64_t v[4];
	struct timespec64 t[2];
	if (tv && copy_from_user(v, tv, sizeof v) < 0)
		return -EFAULT;
	for (int i = 0; tv && i < 2; i++) {
		if (v[2 * i + 1] < 0 || v[2 * i + 1] >= 1000000)
			return -EINVAL;
		t[i] = (struct timespec64){v[2 * i], v[2 * i + 1] * 1000};
	}
	return utimens_at(dirfd, path, tv ? t : NULL, 0);
}

long sys_utimes(const char *path, const void *tv)
{
	return sys_futimesat(AT_FDCWD, path, tv);
}

long sys_utime(const char *path, const void *times)
{
	int64_t v[2] = {0, 0};
	if (times && copy_from_user(v, times, sizeof v) < 0)
		return -EFAULT;
	struct timespec64 t[2] = {{v[0], 0}, {v[1], 0}};
	return utimens_at(AT_FDCWD, path, times ? t : NULL, 0);
}

/* Why a file without fallocate cannot have space reserved: the errno Linux gives. */
static long no_fallocate(struct file *f)
{
	struct kstat st = {0};
	if (pipe_capacity(f) >= 0)
		return -ESPIPE;
	if (f->ops->stat && f->ops->stat(f, &st) == 0 && S_ISDIR(st.mode))
		return -EISDIR;
	return -ENODEV;
}

long sys_fallocate(int fd, int mode, long off, long len)
{
	if ((mode & ~FALLOC_FL_SUPPORTED) || ((mode & FALLOC_FL_PUNCH_HOLE) && !(mode & FALLOC_FL_KEEP_SIZE)))
		return -EOPNOTSUPP;
	if (off < 0 || len <= 0)
		return -EINVAL;
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	long r;
	if ((f->flags & O_ACCMODE) == O_RDONLY || (f->flags & O_PATH))
		r = -EBADF;
	else if (off + len < off)
		r = -EFBIG;
	else
		r = f->ops->fallocate ? f->ops->fallocate(f, mode, off, len) : no_fallocate(f);
	file_put(f);
	return r;
}
