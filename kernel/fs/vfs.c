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
	flock_file_closed(f);
	reclock_file_closed(f);
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

struct mount *vfs_mount_of(const char *abs)
{
	const char *rel;
	return mount_of(abs, &rel);
}

/* Points lk at path (normalized against base); "dir/" keeps its slash, which says that
 * the last component must be a directory, for the file system to check. */
static long point(struct lookup *lk, const char *base, const char *path, bool slash)
{
	long r = path_normalize(base, path, lk->abs, sizeof lk->abs);
	if (r < 0)
		return r;
	size_t n = strlen(lk->abs);
	if (slash && lk->abs[1] && n + 2 <= sizeof lk->abs) {
		lk->abs[n] = '/';
		lk->abs[n + 1] = 0;
	}
	lk->mnt = mount_of(lk->abs, &lk->rel);
	return 0;
}

static bool ends_in_slash(const char *s)
{
	size_t n = strlen(s);
	return n > 1 && s[n - 1] == '/';
}

/* The first ".." component of path, or NULL. */
static const char *dotdot(const char *path)
{
	const char *c;
	size_t len;
	while ((c = path_next(&path, &len)))
		if (len == 2 && c[0] == '.' && c[1] == '.')
			return c;
	return NULL;
}

static bool has_component(const char *p, const char *end)
{
	for (; p < end; p++)
		if (*p != '/' && *p != '.')
			return true;
	return false;
}

/* Resolves path against the directory cur (absolute, free of links). ".." leaves the
 * directory a link led to, not the one holding the link, so the part before each ".."
 * has its links followed first; a path without ".." is only normalized. */
static long resolve_from(char *cur, const char *path, struct lookup *lk)
{
	bool slash = path[strlen(path) - 1] == '/';
	const char *dd;
	while ((dd = dotdot(path))) {
		char head[PATH_MAX];
		int links = 0;
		size_t n = (size_t)(dd - path);
		memcpy(head, path, n);
		head[n] = 0;
		long r = point(lk, cur, head, false);
		while (r == 0 && has_component(path, dd) && (r = vfs_follow(lk, true, &links)) > 0)
			r = 0;
		if (r == 0)
			strlcpy(cur, lk->abs, PATH_MAX);
		if (r == 0)
			r = point(lk, cur, "..", false);
		if (r < 0)
			return r;
		strlcpy(cur, lk->abs, PATH_MAX);
		for (path = dd + 2; *path == '/'; path++)
			;
	}
	return point(lk, cur, path, slash);
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
	char cur[PATH_MAX];
	long r = (long)strlcpy(cur, path[0] == '/' ? "/" : base, sizeof cur);
	if (dir)
		file_put(dir);
	return r >= PATH_MAX ? -ENAMETOOLONG : resolve_from(cur, path, lk);
}

long vfs_resolve_user_last(int dirfd, const char *upath, struct lookup *lk, enum path_last *last)
{
	char *tmp = kmalloc(PATH_MAX);
	if (!tmp)
		return -ENOMEM;
	long r = copy_str_from_user(tmp, upath, PATH_MAX);
	if (r >= 0)
		r = vfs_resolve(dirfd, tmp, lk);
	if (r >= 0 && last)
		*last = path_last(tmp);
	kfree(tmp);
	return r;
}

long vfs_resolve_user(int dirfd, const char *upath, struct lookup *lk)
{
	return vfs_resolve_user_last(dirfd, upath, lk, NULL);
}

static long note_missing(struct lookup *lk, long r)
{
	if (r == -ENOENT)
		trace_missing_path(lk->abs);
	else if (r >= 0)
		trace_used_path(lk->abs);
	return r;
}

/* Evaluates op (an operation on lk->mnt and lk->rel) again after each symbolic link it
 * reports, once the link is followed in lk. */
#define RETRY_FOLLOWING(lk, last, op)                                                          \
	({                                                                                     \
		long r_;                                                                       \
		int links_ = 0;                                                                \
		while ((r_ = (op)) == -EFOLLOW && (r_ = vfs_follow(lk, last, &links_)) >= 0)   \
			;                                                                      \
		r_;                                                                            \
	})

/* Builds in out the path that lk names once the link ending at offset at of lk->rel is
 * replaced by target. */
static long splice_link(struct lookup *lk, size_t at, const char *target, size_t tlen, char *out)
{
	const char *rest = lk->rel + at;
	size_t dir = target[0] == '/' ? 0 : (size_t)(rest - lk->abs);
	while (dir > 0 && lk->abs[dir - 1] != '/')
		dir--;
	size_t rlen = strlen(rest);
	if (dir + tlen + rlen + 1 > PATH_MAX)
		return -ENAMETOOLONG;
	memcpy(out, lk->abs, dir);
	memcpy(out + dir, target, tlen);
	memcpy(out + dir + tlen, rest, rlen + 1);
	return 0;
}

long vfs_follow(struct lookup *lk, bool last, int *links)
{
	if (++*links > SYMLOOP_MAX)
		return -ELOOP;
	if (!lk->mnt->ops->follow)
		return 0;
	char *target = kmalloc(PATH_MAX), *path = kmalloc(PATH_MAX);
	size_t at = 0;
	long r = target && path ? lk->mnt->ops->follow(lk->mnt, lk->rel, last, &at, target, PATH_MAX) : -ENOMEM;
	if (r >= PATH_MAX)
		r = -ENAMETOOLONG;
	if (r > 0)
		r = splice_link(lk, at, target, (size_t)r, path);
	if (r == 0 && at)
		r = point(lk, "/", path, ends_in_slash(lk->abs));
	kfree(target);
	kfree(path);
	return r < 0 ? r : at > 0;
}

long vfs_realpath(struct lookup *lk)
{
	int links = 0;
	long r;
	while ((r = vfs_follow(lk, true, &links)) > 0)
		;
	if (r == 0 && lk->abs[1] && ends_in_slash(lk->abs))
		lk->abs[strlen(lk->abs) - 1] = 0;
	return r;
}

/* The path an open file keeps: where resolution arrived, without a trailing slash. */
static void set_file_path(struct file *f, const char *abs)
{
	char *p = kstrdup(abs);
	if (!p)
		return;
	if (ends_in_slash(p))
		p[strlen(p) - 1] = 0;
	kfree(f->path);
	f->path = p;
}

long vfs_open_file(struct lookup *lk, int flags, mode_t mode, struct file *f)
{
	bool follow = !(flags & O_NOFOLLOW) && (flags & (O_CREAT | O_EXCL)) != (O_CREAT | O_EXCL);
	return RETRY_FOLLOWING(lk, follow, lk->mnt->ops->open(lk->mnt, lk->rel, flags, mode, f));
}

long vfs_open(struct lookup *lk, int flags, mode_t mode, struct file **out)
{
	struct file *f = file_new(NULL, flags & ~O_CLOEXEC, lk->abs);
	if (!f)
		return -ENOMEM;
	long r = vfs_open_file(lk, flags, mode & ~curproc()->umask, f);
	if (r < 0) {
		f->ops = NULL;
		file_put(f);
		return note_missing(lk, r);
	}
	if ((flags & O_TMPFILE) != O_TMPFILE) /* a file system names its unnamed files itself */
		set_file_path(f, lk->abs);
	note_missing(lk, 0);
	*out = f;
	return 0;
}

static long stat_op(struct lookup *lk, struct kstat *st, bool follow)
{
	memset(st, 0, sizeof *st);
	return lk->mnt->ops->stat(lk->mnt, lk->rel, st, follow);
}

long vfs_stat(struct lookup *lk, struct kstat *st, bool follow)
{
	return note_missing(lk, RETRY_FOLLOWING(lk, follow, stat_op(lk, st, follow)));
}

long vfs_access(struct lookup *lk, int mode, bool follow)
{
	struct kstat st;
	long r = follow ? 0 : vfs_stat(lk, &st, false);
	if (r < 0 || (!follow && S_ISLNK(st.mode)))
		return r;
	return note_missing(lk, RETRY_FOLLOWING(lk, true, lk->mnt->ops->access(lk->mnt, lk->rel, mode)));
}

long vfs_readlink(struct lookup *lk, char *buf, size_t len)
{
	return RETRY_FOLLOWING(lk, false, lk->mnt->ops->readlink(lk->mnt, lk->rel, buf, len));
}

long vfs_mkdir(struct lookup *lk, mode_t mode)
{
	return RETRY_FOLLOWING(lk, false, lk->mnt->ops->mkdir(lk->mnt, lk->rel, mode));
}

static long mknod_op(struct lookup *lk, mode_t mode)
{
	return lk->mnt->ops->mknod ? lk->mnt->ops->mknod(lk->mnt, lk->rel, mode) : lk->mnt->rw ? -EPERM : -EROFS;
}

long vfs_mknod(struct lookup *lk, mode_t mode)
{
	return RETRY_FOLLOWING(lk, false, mknod_op(lk, mode));
}

long vfs_unlink(struct lookup *lk, bool dir)
{
	return RETRY_FOLLOWING(lk, false, lk->mnt->ops->unlink(lk->mnt, lk->rel, dir));
}

static long symlink_op(struct lookup *lk, const char *target)
{
	return lk->mnt->ops->symlink ? lk->mnt->ops->symlink(lk->mnt, lk->rel, target) : -EPERM;
}

long vfs_symlink(struct lookup *lk, const char *target)
{
	return RETRY_FOLLOWING(lk, false, symlink_op(lk, target));
}

long vfs_statfs(struct lookup *lk, struct kstatfs *st)
{
	return RETRY_FOLLOWING(lk, true, lk->mnt->ops->statfs(lk->mnt, lk->rel, st));
}

/* A file system that keeps no attributes accepts a change to a file that exists. */
static long setattr_op(struct lookup *lk, const struct kattr *a, bool follow)
{
	struct kstat st;
	if (lk->mnt->ops->setattr)
		return lk->mnt->ops->setattr(lk->mnt, lk->rel, a, follow);
	return stat_op(lk, &st, follow);
}

long vfs_setattr(struct lookup *lk, const struct kattr *a, bool follow)
{
	return note_missing(lk, RETRY_FOLLOWING(lk, follow, setattr_op(lk, a, follow)));
}

/* Follows the links in the directories of both paths, and in the last position of a
 * when alast: a two-path operation meets none after this. */
static long settle(struct lookup *a, bool alast, struct lookup *b, int *links)
{
	long r;
	while ((r = vfs_follow(a, alast, links)) > 0)
		;
	if (r == 0)
		while ((r = vfs_follow(b, false, links)) > 0)
			;
	return r;
}

static long pair_op(struct lookup *a, struct lookup *b, struct file *from, unsigned flags, bool link)
{
	struct mount *m = a->mnt;
	if (m != b->mnt)
		return -EXDEV;
	if (link)
		return m->ops->link ? m->ops->link(m, from, a->rel, b->rel) : -EPERM;
	if (m->ops->rename2)
		return m->ops->rename2(m, a->rel, b->rel, flags);
	return flags ? -EINVAL : m->ops->rename(m, a->rel, b->rel);
}

/* Runs rename or link once both paths are followed to the mount they lie on. */
static long on_pair(struct lookup *a, bool alast, struct lookup *b, struct file *from, unsigned flags, bool link)
{
	int links = 0;
	long r = alast || a->mnt != b->mnt ? settle(a, alast, b, &links) : 0;
	while (r == 0 && (r = pair_op(a, b, from, flags, link)) == -EFOLLOW)
		r = settle(a, alast, b, &links);
	return r;
}

long vfs_rename(struct lookup *old, struct lookup *new, unsigned flags)
{
	return on_pair(old, false, new, NULL, flags, false);
}

long vfs_link(struct file *from, struct lookup *old, struct lookup *new, bool follow)
{
	return on_pair(old, follow, new, from, 0, true);
}

struct fdtable *fdtable_new(void)
{
	return kzalloc(sizeof(struct fdtable));
}

long fd_install(struct file *f, int min, bool cloexec)
{
	struct fdtable *t = curproc()->fds;
	int limit = (int)MIN((uint64_t)FD_MAX, proc_rlimit(RLIMIT_NOFILE));
	spin_lock(&t->lock);
	for (int fd = min; fd < limit; fd++)
		if (!t->files[fd]) {
			t->files[fd] = f;
			t->cloexec[fd] = cloexec;
			spin_unlock(&t->lock);
			return fd;
		}
	spin_unlock(&t->lock);
	file_put(f);
	return -EMFILE;
}

struct file *fd_get(int fd)
{
	if (fd < 0 || fd >= FD_MAX)
		return NULL;
	struct fdtable *t = curproc()->fds;
	spin_lock(&t->lock);
	struct file *f = t->files[fd];
	if (f)
		file_get(f);
	spin_unlock(&t->lock);
	return f;
}

struct file *fd_replace(int fd, struct file *f, bool cloexec)
{
	struct fdtable *t = curproc()->fds;
	spin_lock(&t->lock);
	struct file *old = t->files[fd];
	t->files[fd] = f;
	t->cloexec[fd] = cloexec;
	spin_unlock(&t->lock);
	return old;
}

long fd_close(int fd)
{
	if (fd < 0 || fd >= FD_MAX)
		return -EBADF;
	struct fdtable *t = curproc()->fds;
	spin_lock(&t->lock);
	struct file *f = t->files[fd];
	t->files[fd] = NULL;
	spin_unlock(&t->lock);
	if (!f)
		return -EBADF;
	reclock_fd_closed(f); /* closing any descriptor of a file drops the process's POSIX locks */
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
