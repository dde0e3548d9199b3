/* Host-backed files: the host's tree, read-only unless granted, through the platform's
 * host-file service. Writable grants are resolved beneath their directory, so neither ".."
 * nor a symlink can lead a write out of the grant. */
#include "kernel/fs/vfs.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/uaccess.h"
#include "kernel/mman.h"
#include "kernel/fs/statx.h"
#include "kernel/mm/mm.h"
#include "kernel/fs/poll.h"
#include "plat/plat.h"


static struct timespec64 ts(struct statx_ts t)
{
	return (struct timespec64){t.sec, t.nsec};
}

void kstat_from_statx(struct kstat *st, const void *p)
{
	const struct linux_statx *x = p;
	st->mask = x->mask;
	st->mode = x->mode;
	st->nlink = x->nlink;
	st->uid = x->uid;
	st->gid = x->gid;
	st->ino = x->ino;
	st->size = (int64_t)x->size;
	st->blocks = (int64_t)x->blocks;
	st->blksize = x->blksize;
	st->atime = ts(x->atime);
	st->btime = ts(x->btime);
	st->ctime = ts(x->ctime);
	st->mtime = ts(x->mtime);
	st->dev_major = x->dev_major;
	st->dev_minor = x->dev_minor;
	st->rdev_major = x->rdev_major;
	st->rdev_minor = x->rdev_minor;
	st->dev = ((uint64_t)(x->dev_major & 0xfff) << 8) | (x->dev_minor & 0xff) | ((uint64_t)(x->dev_minor & ~0xffu) << 12);
	st->rdev = ((uint64_t)(x->rdev_major & 0xfff) << 8) | (x->rdev_minor & 0xff) | ((uint64_t)(x->rdev_minor & ~0xffu) << 12);
}

static long host_statat(int dirh, const char *path, int flags, struct kstat *st)
{
	struct linux_statx x;
	long r = plat_file_statx(dirh, path, flags, STATX_BASIC_STATS | STATX_BTIME, &x);
	if (r == 0)
		kstat_from_statx(st, &x);
	return r;
}

#define UTIME_OMIT 0x3ffffffeL

static long host_setattr(int h, const struct kattr *a)
{
	long r = 0;
	if (a->valid & KATTR_MODE)
		r = plat_file_fchmod(h, a->mode);
	if (r == 0 && (a->valid & (KATTR_UID | KATTR_GID)))
		r = plat_file_fchown(h, a->valid & KATTR_UID ? a->uid : (uid_t)-1, a->valid & KATTR_GID ? a->gid : (gid_t)-1);
	if (r == 0 && (a->valid & (KATTR_ATIME | KATTR_MTIME))) {
		struct timespec64 t[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
		if (a->valid & KATTR_ATIME)
			t[0] = a->atime;
		if (a->valid & KATTR_MTIME)
			t[1] = a->mtime;
		r = plat_file_utimens(h, t);
	}
	return r;
}

/* Open files. */

static long hf_read(struct file *f, void *ubuf, size_t len)
{
	if (!user_range_ok(ubuf, len))
		return -EFAULT;
	return plat_file_read(f->host, ubuf, len);
}

static long hf_write(struct file *f, const void *ubuf, size_t len)
{
	if (!user_range_ok(ubuf, len))
		return -EFAULT;
	return plat_file_write(f->host, ubuf, len);
}

static long hf_pread(struct file *f, void *ubuf, size_t len, off_t off)
{
	if (!user_range_ok(ubuf, len))
		return -EFAULT;
	return plat_file_pread(f->host, ubuf, len, off);
}

static long hf_pwrite(struct file *f, const void *ubuf, size_t len, off_t off)
{
	if (!user_range_ok(ubuf, len))
		return -EFAULT;
	return plat_file_pwrite(f->host, ubuf, len, off);
}

static long hf_lseek(struct file *f, off_t off, int whence)
{
	return plat_file_lseek(f->host, off, whence);
}

static long hf_stat(struct file *f, struct kstat *st)
{
	return host_statat(f->host, "", AT_EMPTY_PATH, st);
}

static long hf_statfs(struct file *f, struct kstatfs *st)
{
	return plat_file_fstatfs(f->host, st);
}

static long hf_getdents(struct file *f, void *ubuf, size_t len)
{
	if (!user_range_ok(ubuf, len))
		return -EFAULT;
	return plat_file_getdents(f->host, ubuf, len);
}

/* Terminal ioctls pass through; the host validates the argument memory. */
static long hf_ioctl(struct file *f, unsigned long req, void *uarg)
{
	switch (req) {
	case 0x5401: /* TCGETS */
	case 0x5402: /* TCSETS */
	case 0x5403: /* TCSETSW */
	case 0x5404: /* TCSETSF */
	case 0x540f: /* TIOCGPGRP */
	case 0x5413: /* TIOCGWINSZ */
	case 0x541b: /* FIONREAD */
		if (!user_range_ok(uarg, 64))
			return -EFAULT;
		return plat_file_ioctl(f->host, req, uarg);
	default:
		return -ENOTTY;
	}
}

static long hf_truncate(struct file *f, off_t len)
{
	return plat_file_ftruncate(f->host, len);
}

static long hf_sync(struct file *f, bool data_only)
{
	return plat_file_fsync(f->host, data_only);
}

static long hf_setfl(struct file *f, int flags)
{
	return plat_file_fcntl(f->host, F_SETFL, flags & (O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME));
}

static long hf_mmap(struct file *f, void *addr, size_t len, int prot, int flags, off_t off)
{
	return mm_map_object(addr, len, prot, flags, f->host, off);
}

/* Host files: ask the host; a wait watches the host file through the platform. */
static unsigned hf_poll(struct file *f, unsigned events, struct poll_table *pt)
{
	unsigned m = host_poll(f->host, events);
	if (!(m & events))
		poll_host(pt, f->host, events);
	return m;
}

/* A host file opened from a read-only mount keeps it read-only; stdio and other host files
 * outside hostfs accept the change without passing it on. */
static long hf_setattr(struct file *f, const struct kattr *a)
{
	struct mount *m = vfs_mount_of(f->path);
	if (m->ops != &hostfs_ops)
		return 0;
	return m->rw ? host_setattr(f->host, a) : -EROFS;
}

static long hf_fallocate(struct file *f, int mode, off_t off, off_t len)
{
	return plat_file_fallocate(f->host, mode, off, len);
}

static void hf_release(struct file *f)
{
	if (f->host >= 0)
		plat_file_close(f->host);
}

const struct file_ops hostfile_ops = {
	.read = hf_read, .write = hf_write, .pread = hf_pread, .pwrite = hf_pwrite, .lseek = hf_lseek,
	.stat = hf_stat, .statfs = hf_statfs, .getdents = hf_getdents, .ioctl = hf_ioctl,
	.truncate = hf_truncate, .sync = hf_sync, .setfl = hf_setfl, .mmap = hf_mmap, .release = hf_release,
	.poll = hf_poll, .setattr = hf_setattr, .fallocate = hf_fallocate,
};

struct file *hostfs_wrap(int host, int flags, const char *path)
{
	struct file *f = file_new(&hostfile_ops, flags, path);
	if (f)
		f->host = host;
	return f;
}

/* The file system. */

static const char *dot(const char *rel)
{
	return rel[0] ? rel : ".";
}

static int resolve_mode(struct mount *m)
{
	return m->len == 1 ? PLAT_RESOLVE_IN_ROOT : PLAT_RESOLVE_BENEATH;
}

/* Why a read-only mount refuses an open that would write: the errno Linux gives. */
static long ro_refusal(struct mount *m, const char *rel, int flags)
{
	struct kstat st;
	long r = host_statat(m->host, dot(rel), 0, &st);
	if (r == -ENOENT && !(flags & O_CREAT))
		return -ENOENT;
	if ((flags & O_TMPFILE) == O_TMPFILE)
		return r < 0 ? r : -EROFS;
	if (r == 0 && (flags & O_CREAT) && (flags & O_EXCL))
		return -EEXIST;
	if (r == 0 && S_ISDIR(st.mode) && (flags & O_ACCMODE) != O_RDONLY)
		return -EISDIR;
	if (r == 0 && (flags & O_CREAT) && (flags & O_ACCMODE) == O_RDONLY && !(flags & O_TRUNC))
		return 0; /* exists, opened for reading: O_CREAT has nothing to do */
	if (r < 0 && r != -ENOENT)
		return r;
	return -EROFS;
}

static bool wants_write(int flags)
{
	return (flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC));
}

static long hfs_open(struct mount *m, const char *rel, int flags, mode_t mode, struct file *f)
{
	if (wants_write(flags) && !m->rw) {
		long r = ro_refusal(m, rel, flags);
		if (r < 0)
			return r;
		flags &= ~(O_CREAT | O_EXCL);
	}
	int hflags = (flags & ~(O_CLOEXEC | O_ASYNC)) | O_CLOEXEC;
	if (!(flags & O_PATH)) /* openat2 allows nothing else beside O_PATH */
		hflags |= O_NOCTTY | O_LARGEFILE;
	long h = plat_file_open(m->host, dot(rel), hflags, mode, resolve_mode(m));
	if (h < 0)
		return h == -EXDEV ? -EFOLLOW : h;
	f->ops = &hostfile_ops;
	f->host = (int)h;
	return 0;
}

static long hfs_stat(struct mount *m, const char *rel, struct kstat *st, bool follow)
{
	return host_statat(m->host, dot(rel), follow ? 0 : AT_SYMLINK_NOFOLLOW, st);
}

static long hfs_readlink(struct mount *m, const char *rel, char *buf, size_t len)
{
	return plat_file_readlinkat(m->host, dot(rel), buf, len);
}

static long hfs_access(struct mount *m, const char *rel, int mode)
{
	long r = plat_file_faccessat(m->host, dot(rel), mode & ~W_OK);
	if (r == 0 && (mode & W_OK) && !m->rw)
		return -EROFS;
	if (r == 0 && (mode & W_OK))
		r = plat_file_faccessat(m->host, dot(rel), mode);
	return r;
}

/* Opens the parent directory of rel beneath the grant; *name gets the last component. */
static long open_parent(struct mount *m, const char *rel, const char **name)
{
	if (!m->rw)
		return -EROFS;
	if (!rel[0])
		return -EBUSY;
	char parent[PATH_MAX];
	strlcpy(parent, rel, sizeof parent);
	char *slash = strrchr(parent, '/');
	if (slash && slash[1] == 0) { /* "dir/": the name is dir */
		*slash = 0;
		slash = strrchr(parent, '/');
	}
	*name = rel + (slash ? slash - parent + 1 : 0);
	if (slash)
		*slash = 0;
	long h = plat_file_open(m->host, slash ? parent : ".", O_PATH | O_DIRECTORY | O_CLOEXEC, 0, resolve_mode(m));
	return h == -EXDEV ? -EFOLLOW : h;
}

/* A new name on a read-only mount: EEXIST if it exists, as Linux checks that first; the
 * grant's own root (EBUSY from open_parent) always exists. */
static long create_refusal(struct mount *m, const char *rel, long h)
{
	struct kstat st;
	if (h == -EBUSY)
		return -EEXIST;
	if (h == -EROFS && !m->rw && host_statat(m->host, dot(rel), AT_SYMLINK_NOFOLLOW, &st) == 0)
		return -EEXIST;
	return h;
}

/* Makes the new name rel: a directory, or what mknod makes (mode with its S_IF* type).
 * Host FIFOs, sockets and files are made by the host; device files never (-EPERM). */
static long make_node(struct mount *m, const char *rel, mode_t mode, bool dir)
{
	const char *name;
	long h = open_parent(m, rel, &name);
	if (h < 0)
		return create_refusal(m, rel, h);
	struct kstat st;
	long r;
	if (dir)
		r = plat_file_mkdirat((int)h, name, mode);
	else if (S_ISCHR(mode) || S_ISBLK(mode))
		r = host_statat((int)h, name, AT_SYMLINK_NOFOLLOW, &st) == 0 ? -EEXIST : -EPERM;
	else
		r = plat_file_mknodat((int)h, name, mode, 0);
	plat_file_close((int)h);
	return r;
}

static long hfs_mkdir(struct mount *m, const char *rel, mode_t mode)
{
	return make_node(m, rel, mode, true);
}

static long hfs_mknod(struct mount *m, const char *rel, mode_t mode)
{
	return make_node(m, rel, mode, false);
}

static long hfs_unlink(struct mount *m, const char *rel, bool dir)
{
	const char *name;
	long h = open_parent(m, rel, &name);
	if (h < 0)
		return h;
	long r = plat_file_unlinkat((int)h, name, dir ? AT_REMOVEDIR : 0);
	plat_file_close((int)h);
	return r;
}

static long hfs_rename2(struct mount *m, const char *old, const char *new, unsigned flags)
{
	const char *oname, *nname;
	long oh = open_parent(m, old, &oname);
	if (oh < 0)
		return oh;
	long nh = open_parent(m, new, &nname);
	if (nh < 0) {
		plat_file_close((int)oh);
		return nh;
	}
	long r = plat_file_renameat2((int)oh, oname, (int)nh, nname, flags);
	plat_file_close((int)oh);
	plat_file_close((int)nh);
	return r;
}

static long hfs_symlink(struct mount *m, const char *rel, const char *target)
{
	const char *name;
	long h = open_parent(m, rel, &name);
	if (h < 0)
		return create_refusal(m, rel, h);
	long r = plat_file_symlinkat(target, (int)h, name);
	plat_file_close((int)h);
	return r;
}

/* The host links the open file from, or old, whose links the VFS has followed. */
static long hfs_link(struct mount *m, struct file *from, const char *old, const char *new)
{
	if (from && from->host < 0)
		return -EXDEV;
	const char *oname, *nname;
	long nh = open_parent(m, new, &nname);
	if (nh < 0)
		return create_refusal(m, new, nh);
	long oh = from ? from->host : open_parent(m, old, &oname);
	long r = oh;
	if (oh >= 0)
		r = plat_file_linkat((int)oh, from ? "" : oname, (int)nh, nname, from ? AT_EMPTY_PATH : 0);
	if (oh >= 0 && !from)
		plat_file_close((int)oh);
	plat_file_close((int)nh);
	return r;
}

static long hfs_setattr(struct mount *m, const char *rel, const struct kattr *a, bool follow)
{
	int flags = O_PATH | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW);
	long h = plat_file_open(m->host, dot(rel), flags, 0, resolve_mode(m));
	if (h < 0)
		return h == -EXDEV ? -EFOLLOW : h;
	long r = m->rw ? host_setattr((int)h, a) : -EROFS;
	plat_file_close((int)h);
	return r;
}

/* Links that lead out of a grant are followed by the VFS: finds the first one in rel. */
static long hfs_follow(struct mount *m, const char *rel, bool last, size_t *at, char *buf, size_t len)
{
	char prefix[PATH_MAX];
	size_t n = strlen(rel), clen;
	last |= n && rel[n - 1] == '/';
	for (const char *p = rel, *c; (c = path_next(&p, &clen));) {
		if (!*p && !last)
			return 0;
		size_t end = (size_t)(c + clen - rel);
		memcpy(prefix, rel, end);
		prefix[end] = 0;
		long r = plat_file_readlinkat(m->host, prefix, buf, len);
		if (r >= 0) {
			*at = end;
			return r;
		}
		if (r != -EINVAL)
			return 0;
	}
	return 0;
}

static long hfs_statfs(struct mount *m, const char *rel, struct kstatfs *st)
{
	long h = plat_file_open(m->host, dot(rel), O_PATH | O_CLOEXEC, 0, resolve_mode(m));
	if (h < 0)
		return h == -EXDEV ? -EFOLLOW : h;
	long r = plat_file_fstatfs((int)h, st);
	plat_file_close((int)h);
	return r;
}

const struct fs_ops hostfs_ops = {
	.open = hfs_open, .stat = hfs_stat, .readlink = hfs_readlink, .access = hfs_access,
	.mkdir = hfs_mkdir, .unlink = hfs_unlink, .statfs = hfs_statfs, .follow = hfs_follow,
	.symlink = hfs_symlink, .link = hfs_link, .rename2 = hfs_rename2, .setattr = hfs_setattr,
	.mknod = hfs_mknod,
};
