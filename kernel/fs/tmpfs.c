/* tmpfs: an in-kernel file system of directories and regular files (mounted on /tmp). */
#include "kernel/fs/vfs.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/lock.h"
#include "kernel/uaccess.h"
#include "kernel/mm/kalloc.h"
#include "kernel/time/time.h"
#include "kernel/proc/proc.h"

#define TMPFS_MAGIC 0x01021994
#define TMPFS_MAX_FILE (1L << 34)

struct tnode {
	uint32_t mode;
	uint64_t ino;
	int nlink, opens;
	struct tnode *parent, *children, *next;
	char *name;
	char *data;
	size_t size, cap;
	struct timespec64 atime, mtime, ctime;
};

struct tmpfs {
	struct spinlock lock;
	struct tnode *root;
	uint64_t next_ino;
};

static struct timespec64 now(void)
{
	return time_now(CLOCK_REALTIME);
}

static struct tnode *node_new(struct tmpfs *fs, struct tnode *parent, const char *name, size_t nlen, uint32_t mode)
{
	struct tnode *n = kzalloc(sizeof *n);
	if (!n)
		return NULL;
	n->name = kmalloc(nlen + 1);
	if (!n->name) {
		kfree(n);
		return NULL;
	}
	memcpy(n->name, name, nlen);
	n->name[nlen] = 0;
	n->mode = mode;
	n->ino = ++fs->next_ino;
	n->nlink = S_ISDIR(mode) ? 2 : 1;
	n->atime = n->mtime = n->ctime = now();
	n->parent = parent ? parent : n;
	if (parent) {
		n->next = parent->children;
		parent->children = n;
		parent->mtime = parent->ctime = n->ctime;
		if (S_ISDIR(mode))
			parent->nlink++;
	}
	return n;
}

static void node_free_if_unused(struct tnode *n)
{
	if (n->nlink == 0 && n->opens == 0) {
		kfree(n->data);
		kfree(n->name);
		kfree(n);
	}
}

void *tmpfs_new(void)
{
	struct tmpfs *fs = kzalloc(sizeof *fs);
	if (fs)
		fs->root = node_new(fs, NULL, "", 0, S_IFDIR | 01777);
	return fs;
}

static struct tnode *child(struct tnode *dir, const char *name, size_t len)
{
	if (len == 1 && name[0] == '.')
		return dir;
	if (len == 2 && name[0] == '.' && name[1] == '.')
		return dir->parent;
	for (struct tnode *c = dir->children; c; c = c->next)
		if (strlen(c->name) == len && memcmp(c->name, name, len) == 0)
			return c;
	return NULL;
}

/* Walks rel; on success *out is the node. With want_parent, stops at the last component:
 * *out is its directory and *name and *nlen the component (which may not exist). */
static long walk(struct tmpfs *fs, const char *rel, bool want_parent, struct tnode **out, const char **name, size_t *nlen)
{
	struct tnode *n = fs->root;
	const char *p = rel;
	for (;;) {
		while (*p == '/')
			p++;
		const char *end = p;
		while (*end && *end != '/')
			end++;
		const char *rest = end;
		while (*rest == '/')
			rest++;
		if (!S_ISDIR(n->mode) && (p != end || *rel == 0 || rest != end))
			return -ENOTDIR;
		if (want_parent && *rest == 0) {
			if (p == end)
				return -EEXIST; /* the root itself */
			*out = n;
			*name = p;
			*nlen = end - p;
			return 0;
		}
		if (p == end) {
			*out = n;
			return 0;
		}
		n = child(n, p, end - p);
		if (!n)
			return -ENOENT;
		p = end;
	}
}

static bool trailing_slash(const char *rel)
{
	size_t n = strlen(rel);
	return n && rel[n - 1] == '/';
}

static void fill_stat(struct tnode *n, struct kstat *st)
{
	st->dev = 0x16;
	st->ino = n->ino;
	st->mode = n->mode;
	st->nlink = n->nlink;
	st->size = S_ISDIR(n->mode) ? 4096 : (int64_t)n->size;
	st->blksize = 4096;
	st->blocks = (int64_t)(PAGE_UP(n->size) / 512);
	st->atime = n->atime;
	st->mtime = n->mtime;
	st->ctime = n->ctime;
	st->btime = n->ctime;
	st->mask = 0xfff;
	st->dev_minor = 0x16;
}

/* Open files. */

static struct tnode *fnode(struct file *f)
{
	return f->priv;
}

static long tf_pread(struct file *f, void *ubuf, size_t len, off_t off)
{
	struct tnode *n = fnode(f);
	if (S_ISDIR(n->mode))
		return -EISDIR;
	if (off < 0)
		return -EINVAL;
	if ((size_t)off >= n->size)
		return 0;
	len = MIN(len, n->size - (size_t)off);
	if (copy_to_user(ubuf, n->data + off, len) < 0)
		return -EFAULT;
	n->atime = now();
	return (long)len;
}

static long grow(struct tnode *n, size_t size)
{
	if (size <= n->cap)
		return 0;
	if (size > TMPFS_MAX_FILE)
		return -EFBIG;
	size_t cap = MAX(n->cap * 2, (size_t)4096);
	while (cap < size)
		cap *= 2;
	char *d = kmalloc(cap);
	if (!d)
		return -ENOSPC;
	if (n->data)
		memcpy(d, n->data, n->size);
	kfree(n->data);
	n->data = d;
	n->cap = cap;
	return 0;
}

static long resize(struct tnode *n, size_t size)
{
	long r = grow(n, size);
	if (r < 0)
		return r;
	if (size > n->size)
		memset(n->data + n->size, 0, size - n->size);
	n->size = size;
	n->mtime = n->ctime = now();
	return 0;
}

static long tf_pwrite(struct file *f, const void *ubuf, size_t len, off_t off)
{
	struct tnode *n = fnode(f);
	if (off < 0)
		return -EINVAL;
	if (len == 0)
		return 0;
	size_t end = (size_t)off + len;
	if (end < (size_t)off)
		return -EFBIG;
	size_t old = n->size;
	long r = grow(n, end);
	if (r < 0)
		return r;
	if (copy_from_user(n->data + off, ubuf, len) < 0)
		return -EFAULT;
	if ((size_t)off > old)
		memset(n->data + old, 0, off - old);
	if (end > n->size)
		n->size = end;
	n->mtime = n->ctime = now();
	return (long)len;
}

static long tf_read(struct file *f, void *ubuf, size_t len)
{
	long r = tf_pread(f, ubuf, len, f->pos);
	if (r > 0)
		f->pos += r;
	return r;
}

static long tf_write(struct file *f, const void *ubuf, size_t len)
{
	if (f->flags & O_APPEND)
		f->pos = (off_t)fnode(f)->size;
	long r = tf_pwrite(f, ubuf, len, f->pos);
	if (r > 0)
		f->pos += r;
	return r;
}

static long tf_lseek(struct file *f, off_t off, int whence)
{
	off_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? f->pos : whence == SEEK_END ? (off_t)fnode(f)->size : -1;
	if (base < 0 && whence != SEEK_CUR)
		return -EINVAL;
	if (base + off < 0)
		return -EINVAL;
	f->pos = base + off;
	return f->pos;
}

static long tf_stat(struct file *f, struct kstat *st)
{
	fill_stat(fnode(f), st);
	return 0;
}

static long tf_statfs(struct file *f, struct kstatfs *st)
{
	(void)f;
	memset(st, 0, sizeof *st);
	st->type = TMPFS_MAGIC;
	st->bsize = st->frsize = 4096;
	st->blocks = st->bfree = st->bavail = 1 << 20;
	st->files = st->ffree = 1 << 20;
	st->namelen = 255;
	return 0;
}

static long tf_getdents(struct file *f, void *ubuf, size_t len)
{
	struct tnode *d = fnode(f);
	if (!S_ISDIR(d->mode))
		return -ENOTDIR;
	size_t used = 0;
	for (;;) {
		int64_t i = f->pos;
		struct tnode *c = NULL;
		const char *name;
		uint64_t ino;
		if (i == 0) {
			name = ".", ino = d->ino;
		} else if (i == 1) {
			name = "..", ino = d->parent->ino;
		} else {
			c = d->children;
			for (int64_t k = 2; c && k < i; k++)
				c = c->next;
			if (!c)
				break;
			name = c->name, ino = c->ino;
		}
		int type = c ? (S_ISDIR(c->mode) ? DT_DIR : DT_REG) : DT_DIR;
		long r = dir_emit(ubuf, len, &used, ino, i + 1, type, name);
		if (r == -EINVAL && used == 0)
			return -EINVAL;
		if (r < 0)
			return r == -EINVAL ? (long)used : r;
		f->pos++;
	}
	return (long)used;
}

static long tf_truncate(struct file *f, off_t len)
{
	if (S_ISDIR(fnode(f)->mode))
		return -EISDIR;
	return resize(fnode(f), (size_t)len);
}

static long tf_sync(struct file *f, bool data_only)
{
	(void)f, (void)data_only;
	return 0;
}

static void tf_release(struct file *f)
{
	struct tnode *n = fnode(f);
	n->opens--;
	node_free_if_unused(n);
}

static long tf_mmap(struct file *f, void *addr, size_t len, int prot, int flags, off_t off);

static const struct file_ops tmpfile_ops = {
	.read = tf_read, .write = tf_write, .pread = tf_pread, .pwrite = tf_pwrite, .lseek = tf_lseek,
	.stat = tf_stat, .statfs = tf_statfs, .getdents = tf_getdents, .truncate = tf_truncate,
	.sync = tf_sync, .mmap = tf_mmap, .release = tf_release,
};

#include "kernel/mm/mm.h"

static long tf_mmap(struct file *f, void *addr, size_t len, int prot, int flags, off_t off)
{
	struct tnode *n = fnode(f);
	size_t avail = (size_t)off < n->size ? n->size - (size_t)off : 0;
	return mm_map_copy(addr, len, prot, flags, n->data + off, MIN(avail, len));
}

/* The file system. */

static struct tmpfs *mfs(struct mount *m)
{
	return m->priv;
}

static long t_open(struct mount *m, const char *rel, int flags, mode_t mode, struct file *f)
{
	struct tmpfs *fs = mfs(m);
	struct tnode *n;
	spin_lock(&fs->lock);
	long r = walk(fs, rel, false, &n, NULL, NULL);
	if (r == -ENOENT && (flags & O_CREAT) && !trailing_slash(rel)) {
		struct tnode *dir;
		const char *name;
		size_t nlen;
		r = walk(fs, rel, true, &dir, &name, &nlen);
		if (r == 0 && nlen > 255)
			r = -ENAMETOOLONG;
		if (r == 0) {
			n = node_new(fs, dir, name, nlen, S_IFREG | (mode & 07777));
			r = n ? 0 : -ENOSPC;
		}
	} else if (r == 0 && (flags & O_CREAT) && (flags & O_EXCL)) {
		r = -EEXIST;
	}
	if (r == 0 && S_ISDIR(n->mode) && ((flags & O_ACCMODE) != O_RDONLY || (flags & O_CREAT)))
		r = -EISDIR;
	if (r == 0 && !S_ISDIR(n->mode) && ((flags & O_DIRECTORY) || trailing_slash(rel)))
		r = -ENOTDIR;
	if (r == 0 && (flags & O_TRUNC) && S_ISREG(n->mode) && (flags & O_ACCMODE) != O_RDONLY)
		r = resize(n, 0);
	if (r == 0) {
		n->opens++;
		f->ops = &tmpfile_ops;
		f->priv = n;
	}
	spin_unlock(&fs->lock);
	return r;
}

static long t_stat(struct mount *m, const char *rel, struct kstat *st, bool follow)
{
	(void)follow;
	struct tnode *n;
	spin_lock(&mfs(m)->lock);
	long r = walk(mfs(m), rel, false, &n, NULL, NULL);
	if (r == 0 && trailing_slash(rel) && !S_ISDIR(n->mode))
		r = -ENOTDIR;
	if (r == 0)
		fill_stat(n, st);
	spin_unlock(&mfs(m)->lock);
	return r;
}

static long t_readlink(struct mount *m, const char *rel, char *buf, size_t len)
{
	(void)buf, (void)len;
	struct kstat st;
	long r = t_stat(m, rel, &st, false);
	return r < 0 ? r : -EINVAL;
}

static long t_access(struct mount *m, const char *rel, int mode)
{
	struct kstat st;
	long r = t_stat(m, rel, &st, true);
	if (r == 0 && (mode & X_OK) && !(st.mode & 0111))
		r = -EACCES;
	return r;
}

static long t_mkdir(struct mount *m, const char *rel, mode_t mode)
{
	struct tmpfs *fs = mfs(m);
	struct tnode *dir;
	const char *name;
	size_t nlen;
	spin_lock(&fs->lock);
	long r = walk(fs, rel, true, &dir, &name, &nlen);
	if (r == 0 && child(dir, name, nlen))
		r = -EEXIST;
	if (r == 0 && nlen > 255)
		r = -ENAMETOOLONG;
	if (r == 0 && !node_new(fs, dir, name, nlen, S_IFDIR | (mode & 07777)))
		r = -ENOSPC;
	spin_unlock(&fs->lock);
	return r;
}

static void detach(struct tnode *n)
{
	struct tnode **pp = &n->parent->children;
	while (*pp != n)
		pp = &(*pp)->next;
	*pp = n->next;
	n->parent->mtime = n->parent->ctime = now();
	if (S_ISDIR(n->mode))
		n->parent->nlink--;
}

static long t_unlink(struct mount *m, const char *rel, bool dir)
{
	struct tmpfs *fs = mfs(m);
	struct tnode *parent, *n;
	const char *name;
	size_t nlen;
	spin_lock(&fs->lock);
	long r = walk(fs, rel, true, &parent, &name, &nlen);
	if (r == -EEXIST)
		r = -EBUSY;
	n = r == 0 ? child(parent, name, nlen) : NULL;
	if (r == 0 && !n)
		r = -ENOENT;
	if (r == 0 && (n == parent || n == parent->parent))
		r = dir ? -EINVAL : -EISDIR;
	if (r == 0 && dir && !S_ISDIR(n->mode))
		r = -ENOTDIR;
	if (r == 0 && !dir && S_ISDIR(n->mode))
		r = -EISDIR;
	if (r == 0 && dir && n->children)
		r = -ENOTEMPTY;
	if (r == 0) {
		detach(n);
		n->nlink = 0;
		node_free_if_unused(n);
	}
	spin_unlock(&fs->lock);
	return r;
}

static bool is_ancestor(struct tnode *a, struct tnode *n)
{
	for (; n != n->parent; n = n->parent)
		if (n == a)
			return true;
	return n == a;
}

static long t_rename(struct mount *m, const char *old, const char *new)
{
	struct tmpfs *fs = mfs(m);
	struct tnode *odir, *ndir, *n, *victim;
	const char *oname, *nname;
	size_t olen, nlen;
	spin_lock(&fs->lock);
	long r = walk(fs, old, true, &odir, &oname, &olen);
	if (r == 0)
		r = walk(fs, new, true, &ndir, &nname, &nlen);
	if (r == -EEXIST)
		r = -EBUSY;
	n = r == 0 ? child(odir, oname, olen) : NULL;
	if (r == 0 && !n)
		r = -ENOENT;
	victim = r == 0 ? child(ndir, nname, nlen) : NULL;
	if (r == 0 && S_ISDIR(n->mode) && is_ancestor(n, ndir))
		r = -EINVAL;
	if (r == 0 && victim && victim != n) {
		if (S_ISDIR(victim->mode) && !S_ISDIR(n->mode))
			r = -EISDIR;
		else if (!S_ISDIR(victim->mode) && S_ISDIR(n->mode))
			r = -ENOTDIR;
		else if (victim->children)
			r = -ENOTEMPTY;
	}
	char *nm = r == 0 && victim != n ? kmalloc(nlen + 1) : NULL;
	if (r == 0 && victim != n && !nm)
		r = -ENOMEM;
	if (r == 0 && victim != n) {
		if (victim) {
			detach(victim);
			victim->nlink = 0;
			node_free_if_unused(victim);
		}
		detach(n);
		memcpy(nm, nname, nlen);
		nm[nlen] = 0;
		kfree(n->name);
		n->name = nm;
		n->parent = ndir;
		n->next = ndir->children;
		ndir->children = n;
		if (S_ISDIR(n->mode))
			ndir->nlink++;
		n->ctime = ndir->mtime = now();
	}
	spin_unlock(&fs->lock);
	return r;
}

static long t_statfs(struct mount *m, const char *rel, struct kstatfs *st)
{
	struct kstat ks;
	long r = t_stat(m, rel, &ks, true);
	return r < 0 ? r : tf_statfs(NULL, st);
}

const struct fs_ops tmpfs_ops = {
	.open = t_open, .stat = t_stat, .readlink = t_readlink, .access = t_access,
	.mkdir = t_mkdir, .unlink = t_unlink, .rename = t_rename, .statfs = t_statfs,
};
