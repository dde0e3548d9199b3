/* The stat family: stat, lstat, fstat, newfstatat, statx, statfs, fstatfs. One kstat, three
 * layouts. */
#include "kernel/fs/vfs.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/uaccess.h"
#include "kernel/fs/statx.h"
#include "gen/syscalls.h"

struct linux_stat {
	uint64_t dev, ino, nlink;
	uint32_t mode, uid, gid, pad0;
	uint64_t rdev;
	int64_t size, blksize, blocks;
	int64_t atime, atime_ns, mtime, mtime_ns, ctime, ctime_ns;
	int64_t reserved[3];
};

static long put_stat(const struct kstat *k, void *ust)
{
	struct linux_stat s = {
		.dev = k->dev, .ino = k->ino, .nlink = k->nlink, .mode = k->mode, .uid = k->uid, .gid = k->gid,
		.rdev = k->rdev, .size = k->size, .blksize = k->blksize, .blocks = k->blocks,
		.atime = k->atime.sec, .atime_ns = k->atime.nsec, .mtime = k->mtime.sec,
		.mtime_ns = k->mtime.nsec, .ctime = k->ctime.sec, .ctime_ns = k->ctime.nsec,
	};
	return copy_to_user(ust, &s, sizeof s);
}

static struct statx_ts xts(struct timespec64 t)
{
	return (struct statx_ts){t.sec, (uint32_t)t.nsec, 0};
}

static long put_statx(const struct kstat *k, void *ubuf)
{
	struct linux_statx x = {
		.mask = k->mask ? k->mask : 0x7ff, .blksize = k->blksize, .nlink = (uint32_t)k->nlink,
		.uid = k->uid, .gid = k->gid, .mode = (uint16_t)k->mode, .ino = k->ino, .size = (uint64_t)k->size,
		.blocks = (uint64_t)k->blocks, .atime = xts(k->atime), .btime = xts(k->btime),
		.ctime = xts(k->ctime), .mtime = xts(k->mtime), .rdev_major = k->rdev_major,
		.rdev_minor = k->rdev_minor, .dev_major = k->dev_major, .dev_minor = k->dev_minor,
	};
	if (!x.dev_major && !x.dev_minor)
		x.dev_minor = (uint32_t)k->dev;
	return copy_to_user(ubuf, &x, sizeof x);
}

static long stat_fd(int fd, struct kstat *st)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	memset(st, 0, sizeof *st);
	long r = f->ops->stat ? f->ops->stat(f, st) : -EBADF;
	file_put(f);
	return r;
}

/* Resolves (dirfd, path, flags) to a kstat: the one path behind every stat call. */
static long stat_at(int dirfd, const char *upath, int flags, struct kstat *st)
{
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE))
		return -EINVAL;
	if (flags & AT_EMPTY_PATH) {
		char c;
		if (upath && copy_from_user(&c, upath, 1) == 0 && c == 0)
			return dirfd == AT_FDCWD ? stat_at(AT_FDCWD, ".", 0, st) : stat_fd(dirfd, st);
	}
	struct lookup lk;
	long r = vfs_resolve_user(dirfd, upath, &lk);
	return r < 0 ? r : vfs_stat(&lk, st, !(flags & AT_SYMLINK_NOFOLLOW));
}

long sys_stat(const char *path, void *st)
{
	return sys_newfstatat(AT_FDCWD, path, st, 0);
}

long sys_lstat(const char *path, void *st)
{
	return sys_newfstatat(AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW);
}

long sys_fstat(int fd, void *st)
{
	struct kstat k;
	long r = stat_fd(fd, &k);
	return r < 0 ? r : put_stat(&k, st);
}

long sys_newfstatat(int dirfd, const char *path, void *st, int flags)
{
	struct kstat k;
	long r = stat_at(dirfd, path, flags, &k);
	return r < 0 ? r : put_stat(&k, st);
}

long sys_statx(int dirfd, const char *path, int flags, unsigned mask, void *buf)
{
	if (mask & 0x80000000u) /* STATX__RESERVED */
		return -EINVAL;
	if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE)
		return -EINVAL;
	struct kstat k;
	long r = stat_at(dirfd, path, flags, &k);
	return r < 0 ? r : put_statx(&k, buf);
}

long sys_statfs(const char *path, void *buf)
{
	struct lookup lk;
	struct kstatfs st = {0};
	long r = vfs_resolve_user(AT_FDCWD, path, &lk);
	if (r == 0)
		r = vfs_statfs(&lk, &st);
	return r < 0 ? r : copy_to_user(buf, &st, sizeof st);
}

long sys_fstatfs(int fd, void *buf)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	struct kstatfs st = {0};
	long r = f->ops->statfs ? f->ops->statfs(f, &st) : -ENOSYS;
	if (r == -ENOSYS) { /* kernel objects without a file system of their own */
		st.type = 0x01021994;
		st.bsize = st.frsize = 4096;
		st.namelen = 255;
		r = 0;
	}
	file_put(f);
	return r < 0 ? r : copy_to_user(buf, &st, sizeof st);
}
