/* devfs: /dev as the program sees it: null, zero, full, random, urandom, tty, the standard
 * streams and /dev/fd. */
#include "kernel/fs/vfs.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/uaccess.h"
#include "kernel/mm/mm.h"
#include "kernel/mman.h"
#include "kernel/time/time.h"
#include "plat/plat.h"

/* Everything from DEV_STDIN on is a symbolic link into /proc/self/fd. */
enum dev { DEV_ROOT, DEV_NULL, DEV_ZERO, DEV_FULL, DEV_RANDOM, DEV_URANDOM, DEV_TTY, DEV_SHM,
	   DEV_STDIN, DEV_STDOUT, DEV_STDERR, DEV_FD };

static const struct {
	const char *name;
	int major, minor;
} devs[] = {
	[DEV_ROOT] = {"", 0, 0}, [DEV_NULL] = {"null", 1, 3}, [DEV_ZERO] = {"zero", 1, 5},
	[DEV_FULL] = {"full", 1, 7}, [DEV_RANDOM] = {"random", 1, 8}, [DEV_URANDOM] = {"urandom", 1, 9},
	[DEV_TTY] = {"tty", 5, 0}, [DEV_SHM] = {"shm", 0, 0}, [DEV_STDIN] = {"stdin", 0, 0},
	[DEV_STDOUT] = {"stdout", 0, 1}, [DEV_STDERR] = {"stderr", 0, 2}, [DEV_FD] = {"fd", 0, 0},
};

/* The entry rel names; "fd/" names fd, as a trailing slash is allowed on a directory. */
static int find(const char *rel)
{
	for (size_t i = 0; i < ARRAY_SIZE(devs); i++) {
		size_t n = strlen(devs[i].name);
		if (strncmp(rel, devs[i].name, n) == 0 && (rel[n] == 0 || (rel[n] == '/' && !rel[n + 1])))
			return (int)i;
	}
	return -1;
}

static long dev_kind(struct file *f)
{
	return (long)(uintptr_t)f->priv;
}

static long d_read(struct file *f, void *ubuf, size_t len)
{
	switch (dev_kind(f)) {
	case DEV_NULL:
		return 0;
	case DEV_ZERO:
	case DEV_FULL:
		return clear_user(ubuf, len) < 0 ? -EFAULT : (long)len;
	case DEV_RANDOM:
	case DEV_URANDOM:
		return random_to_user(ubuf, len);
	}
	return -EISDIR;
}

static long d_pread(struct file *f, void *ubuf, size_t len, off_t off)
{
	(void)off;
	return d_read(f, ubuf, len);
}

static long d_write(struct file *f, const void *ubuf, size_t len)
{
	if (!user_range_ok(ubuf, len))
		return -EFAULT;
	return dev_kind(f) == DEV_FULL ? -ENOSPC : (long)len;
}

static long d_pwrite(struct file *f, const void *ubuf, size_t len, off_t off)
{
	(void)off;
	return d_write(f, ubuf, len);
}

static long d_lseek(struct file *f, off_t off, int whence)
{
	(void)off, (void)whence;
	return f->pos = 0;
}

/* Device nodes carry the time the kernel first looked at them, as if made at boot. */
static struct timespec64 boot_time(void)
{
	static struct timespec64 t;
	if (!t.sec)
		t = time_now(CLOCK_REALTIME);
	return t;
}

static void fill(int kind, struct kstat *st)
{
	st->atime = st->mtime = st->ctime = st->btime = boot_time();
	st->dev = 5;
	st->ino = 100 + kind;
	st->nlink = 1;
	st->blksize = 4096;
	st->mask = 0x7ff;
	if (kind == DEV_ROOT) {
		st->mode = S_IFDIR | 0755;
		st->nlink = 2;
		return;
	}
	st->mode = S_IFCHR | 0666;
	st->rdev_major = devs[kind].major;
	st->rdev_minor = devs[kind].minor;
	st->rdev = (uint64_t)devs[kind].major << 8 | devs[kind].minor;
}

static long d_stat(struct file *f, struct kstat *st)
{
	fill((int)dev_kind(f), st);
	return 0;
}

static long d_getdents(struct file *f, void *ubuf, size_t len)
{
	if (dev_kind(f) != DEV_ROOT)
		return -ENOTDIR;
	size_t used = 0;
	for (; f->pos < (off_t)ARRAY_SIZE(devs) + 1; f->pos++) {
		const char *name = f->pos == 0 ? "." : f->pos == 1 ? ".." : devs[f->pos - 1].name;
		int kind = (int)f->pos - 1;
		int type = f->pos < 2 || kind == DEV_SHM ? DT_DIR : kind >= DEV_STDIN ? DT_LNK : DT_CHR;
		long r = dir_emit(ubuf, len, &used, 100 + f->pos, f->pos + 1, type, name);
		if (r < 0)
			return used ? (long)used : r;
	}
	return (long)used;
}

static long d_mmap(struct file *f, void *addr, size_t len, int prot, int flags, off_t off)
{
	(void)off;
	if (dev_kind(f) != DEV_ZERO)
		return -ENODEV;
	return mm_map_anon(addr, len, prot, flags);
}

static const struct file_ops dev_ops = {
	.read = d_read, .write = d_write, .pread = d_pread, .pwrite = d_pwrite, .lseek = d_lseek,
	.stat = d_stat, .getdents = d_getdents, .mmap = d_mmap,
};

/* A host FIFO or pipe opens anew, as a new end of it (never for writing one named on a
 * read-only mount, as hostfs opens it); other host files share the handle's file. */
static long host_fifo_reopen(struct file *src, int flags)
{
	struct kstat st;
	if (!src->ops->stat || src->ops->stat(src, &st) < 0 || !S_ISFIFO(st.mode))
		return plat_file_dup(src->host);
	struct mount *m = vfs_mount_of(src->path);
	if (src->path[0] == '/' && m->ops == &hostfs_ops && !m->rw && (flags & O_ACCMODE) != O_RDONLY)
		return -EROFS;
	return plat_file_reopen(src->host, flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC));
}

long vfs_reopen_fd(int fd, struct file *f)
{
	struct file *src = fd_get(fd);
	if (!src)
		return -ENOENT;
	long r = 0;
	if (src->host >= 0) {
		long h = host_fifo_reopen(src, f->flags);
		if (h < 0)
			r = h;
		else
			*f = (struct file){.ops = src->ops, .refs = 1, .flags = f->flags, .path = f->path, .host = (int)h};
	} else {
		r = pipe_reopen(src, f); /* other kernel objects: -ENXIO for now */
	}
	file_put(src);
	return r;
}

static long dv_open(struct mount *m, const char *rel, int flags, mode_t mode, struct file *f)
{
	(void)m;
	if (str_starts(rel, "fd/") && rel[3]) {
		int ok;
		long fd = parse_long(rel + 3, &ok);
		return ok ? vfs_reopen_fd((int)fd, f) : -ENOENT;
	}
	int kind = find(rel);
	if (kind < 0)
		return (flags & O_CREAT) ? -EACCES : -ENOENT;
	if (kind >= DEV_STDIN && kind <= DEV_STDERR)
		return vfs_reopen_fd(kind - DEV_STDIN, f);
	if (kind == DEV_FD) { /* the directory behind the link */
		struct lookup lk;
		long r = vfs_resolve(AT_FDCWD, "/proc/self/fd", &lk);
		return r < 0 ? r : vfs_open_file(&lk, flags, mode, f);
	}
	if (kind == DEV_TTY) {
		long h = plat_file_open(AT_FDCWD, "/dev/tty", (flags & O_ACCMODE) | O_CLOEXEC | O_NOCTTY, 0, 0);
		if (h < 0)
			return h == -ENOENT ? -ENXIO : h;
		f->ops = &hostfile_ops;
		f->host = (int)h;
		return 0;
	}
	if (kind == DEV_ROOT && (flags & O_ACCMODE) != O_RDONLY)
		return -EISDIR;
	f->ops = &dev_ops;
	f->priv = (void *)(uintptr_t)kind;
	return 0;
}

/* Where the link rel points ("fd" and "fd/N" included); -EINVAL for a device, -ENOENT. */
static long link_target(const char *rel, char *buf, size_t len)
{
	int kind = find(rel);
	if (kind >= 0 && kind < DEV_STDIN)
		return -EINVAL;
	if (kind == DEV_FD)
		return ksnprintf(buf, len, "/proc/self/fd");
	if (kind >= DEV_STDIN)
		return ksnprintf(buf, len, "/proc/self/fd/%d", kind - DEV_STDIN);
	if (str_starts(rel, "fd/"))
		return ksnprintf(buf, len, "/proc/self/%s", rel);
	return -ENOENT;
}

static long dv_stat(struct mount *m, const char *rel, struct kstat *st, bool follow)
{
	(void)m;
	char target[PATH_MAX];
	long n = link_target(rel, target, sizeof target);
	if (n == -ENOENT)
		return n;
	if (n > 0 && (follow || rel[strlen(rel) - 1] == '/')) { /* "link/" is followed */
		struct lookup lk;
		long r = vfs_resolve(AT_FDCWD, target, &lk);
		return r < 0 ? r : vfs_stat(&lk, st, true);
	}
	fill(n > 0 ? DEV_STDIN : find(rel), st);
	if (n > 0)
		st->mode = S_IFLNK | 0777;
	return 0;
}

static long dv_readlink(struct mount *m, const char *rel, char *buf, size_t len)
{
	(void)m;
	char target[PATH_MAX];
	long n = link_target(rel, target, sizeof target);
	if (n < 0)
		return n;
	n = MIN(n, (long)len);
	memcpy(buf, target, n);
	return n;
}

static long dv_access(struct mount *m, const char *rel, int mode)
{
	(void)mode;
	struct kstat st;
	return dv_stat(m, rel, &st, true);
}

static long dv_refuse(struct mount *m, const char *rel, mode_t mode)
{
	(void)m, (void)rel, (void)mode;
	return -EACCES;
}

static long dv_unlink(struct mount *m, const char *rel, bool dir)
{
	(void)m, (void)dir;
	return find(rel) < 0 ? -ENOENT : -EACCES;
}

static long dv_rename(struct mount *m, const char *old, const char *new)
{
	(void)m, (void)old, (void)new;
	return -EACCES;
}

static long dv_statfs(struct mount *m, const char *rel, struct kstatfs *st)
{
	(void)m, (void)rel;
	memset(st, 0, sizeof *st);
	st->type = 0x01021994;
	st->bsize = st->frsize = 4096;
	st->namelen = 255;
	return 0;
}

const struct fs_ops devfs_ops = {
	.open = dv_open, .stat = dv_stat, .readlink = dv_readlink, .access = dv_access,
	.mkdir = dv_refuse, .unlink = dv_unlink, .rename = dv_rename, .statfs = dv_statfs,
};
