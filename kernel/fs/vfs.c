/* Open files, mounts and path resolution. */
#include "kernel/fs/vfs.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/uaccess.h"
#include "kernel/mm/kalloc.h"
#include "kernel/proc/proc.h"
#include "kernel/sys/trace.h"

#define MOUNT_MAX 32

static struct mount mounts[MOUNT_MAX];
static int nmounts;

struct file *file_new(const struct file_ops *ops, int flags, const char *path)
{
	struct file *f = kzalloc(sizeof *f);
	if (!f)
		return NULL;
	f->ops = ops;
	f->refs = 1;
	f->flags = flags;
	f->host = -1;
	f->path = kstrdup(path ? path : "");
	return f;
}

struct file *file_get(struct file *f)
{
	__atomic_add_fetch(&f->refs, 1, __ATOMIC_RELAXED);
	return f;
}

void file_put(struct file *f)
{
	if (__atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL))
		return;
	if (f->epitems)
		epoll_file_closed(f);
	if (f->ops && f->ops->release)
		f->ops->release(f);
	kfree(f->path);
	kfree(f);
}

/* Mounts are kept longest path first, so the first prefix match is the right one. */
void vfs_mount(const char *path, const struct fs_ops *ops, int host, bool rw, void *priv)
{
	kassert(nmounts < MOUNT_MAX);
	struct mount m = {kstrdup(path), strlen(path), ops, host, rw, priv};
	int i = nmounts++;
	while (i > 0 && mounts[i - 1].len < m.len) {
		mounts[i] = mounts[i - 1];
		i--;
	}
	mounts[i] = m;
}

static struct mount *mount_of(const char *abs, const char **rel)
{
	for (int i = 0; i < nmounts; i++) {
		struct mount *m = &mounts[i];
		if (m->len == 1) {
			*rel = abs + 1;
			return m;
		}
		if (strncmp(abs, m->path, m->len) == 0 && (abs[m->len] == '/' || abs[m->len] == 0)) {
			*rel = abs[m->len] ? abs + m->len + 1 : abs + m->len;
			return m;
		}
	}
	kpanic("no root mount");
}

long vfs_resolve(int dirfd, const char *path, struct lookup *lk)
{
	if (!path[0])
		return -ENOENT;
	const char *base = curproc()->cwd;
	struct file *dir = NULL;
	if (path[0] != '/' && dirfd != AT_FDCWD) {
		dir = fd_get(dirfd);
		if (!dir)
			return -EBADF;
		base = dir->path;
		struct kstat st;
		long r = dir->ops->stat ? dir->ops->stat(dir, &st) : -ENOTDIR;
		if (r == 0 && !S_ISDIR(st.mode))
			r = -ENOTDIR;
		if (r < 0) {
			file_put(dir);
			return r;
		}
	}
	long r = path_normalize(base, path, lk->abs, sizeof lk->abs);
	if (dir)
		file_put(dir);
	if (r < 0)
		return r;
	/* "dir/" and "dir/." must name a directory: keep that for the file system to check */
	size_t plen = strlen(path);
	if (plen && path[plen - 1] == '/' && strlen(lk->abs) + 2 < sizeof lk->abs && lk->abs[1])
		strlcpy(lk->abs + strlen(lk->abs), "/", 2);
	lk->mnt = mount_of(lk->abs, &lk->rel);
	return 0;
}

long vfs_resolve_user(int dirfd, const char *upath, struct lookup *lk)
{
	char *tmp = kmalloc(PATH_MAX);
	if (!tmp)
		return -ENOMEM;
	long r = copy_str_from_user(tmp, upath, PATH_MAX);
	if (r >= 0)
		r = vfs_resolve(dirfd, tmp, lk);
	kfree(tmp);
	return r;
}

static long note_missing(struct lookup *lk, long r)
{
	if (r == -ENOENT)
		trace_missing_path(lk->abs);
	return r;
}

long vfs_open(struct lookup *lk, int flags, mode_t mode, struct file **out)
{
	struct file *f = file_new(NULL, flags & ~O_CLOEXEC, lk->abs);
	if (!f)
		return -ENOMEM;
	long r = lk->mnt->ops->open(lk->mnt, lk->rel, flags, mode & ~curproc()->umask, f);
	if (r < 0) {
		f->ops = NULL;
		file_put(f);
		return note_missing(lk, r);
	}
	*out = f;
	return 0;
}

long vfs_stat(struct lookup *lk, struct kstat *st, bool follow)
{
	memset(st, 0, sizeof *st);
	return note_missing(lk, lk->mnt->ops->stat(lk->mnt, lk->rel, st, follow));
}

struct fdtable *fdtable_new(void)
{
	return kzalloc(sizeof(struct fdtable));
}

long fd_install(struct file *f, int min, bool cloexec)
{
	struct fdtable *t = curproc()->fds;
	for (int fd = min; fd < FD_MAX; fd++) {
		struct file *expected = NULL;
		if (__atomic_compare_exchange_n(&t->files[fd], &expected, f, false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
			t->cloexec[fd] = cloexec;
			return fd;
		}
	}
	file_put(f);
	return -EMFILE;
}

struct file *fd_get(int fd)
{
	if (fd < 0 || fd >= FD_MAX)
		return NULL;
	struct file *f = __atomic_load_n(&curproc()->fds->files[fd], __ATOMIC_ACQUIRE);
	return f ? file_get(f) : NULL;
}

long fd_close(int fd)
{
	if (fd < 0 || fd >= FD_MAX)
		return -EBADF;
	struct file *f = __atomic_exchange_n(&curproc()->fds->files[fd], NULL, __ATOMIC_ACQ_REL);
	if (!f)
		return -EBADF;
	file_put(f);
	return 0;
}

/* /proc/self/mounts: one line per mount, as Linux writes them. */
void vfs_describe_mounts(struct strbuf *sb)
{
	for (int i = nmounts - 1; i >= 0; i--) {
		const struct mount *m = &mounts[i];
		const char *type = m->ops == &tmpfs_ops ? "tmpfs" : m->ops == &devfs_ops ? "devtmpfs"
				 : m->ops == &procfs_ops ? "proc" : "hostfs";
		const char *source = m->ops == &hostfs_ops ? "host" : m->ops == &procfs_ops ? "proc" : type;
		sb_printf(sb, "%s %s %s %s 0 0\n", source, m->path, type, m->rw ? "rw" : "ro");
	}
}
