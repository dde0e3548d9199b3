/* tmpfs: the in-kernel file system of /tmp and /dev/shm. Inodes (files, directories,
 * symbolic links) are apart from the directory entries that name them, so a file may have
 * several names, or none while it is open. This file is the name space; tmpfs_file.c the
 * open files and their data. */
#include "kernel/fs/tmpfs.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mm/kalloc.h"
#include "kernel/time/time.h"
#include "plat/plat.h"

#define NAME_MAX 255

/* File times are the coarse wall clock, as Linux stamps them (current_time()). */
struct timespec64 tmpfs_now(void)
{
	return time_now(CLOCK_REALTIME_COARSE);
}

static struct tinode *inode_new(struct tmpfs *fs, uint32_t mode)
{
	struct tinode *n = kzalloc(sizeof *n);
	if (!n)
		return NULL;
	n->fs = fs;
	n->mode = mode;
	n->ino = ++fs->next_ino;
	n->uid = plat_info()->euid;
	n->gid = plat_info()->egid;
	n->atime = n->mtime = n->ctime = n->btime = tmpfs_now();
	n->tail = &n->dents;
	n->next_off = 2; /* after "." and ".." */
	n->parent = n;
	n->nlink = S_ISDIR(mode); /* its own "." */
	n->size = S_ISDIR(mode) ? 2 * TMPFS_DIRENT_SIZE : 0;
	n->shm = -1;
	return n;
}

static void inode_free(struct tinode *n)
{
	tmpfs_free_data(n);
	kfree(n->target);
	kfree(n);
}

/* Drops an open file's hold on n. */
void tmpfs_put(struct tinode *n)
{
	struct tmpfs *fs = n->fs;
	spin_lock(&fs->lock);
	bool gone = --n->refs == 0 && n->nlink == 0;
	spin_unlock(&fs->lock);
	if (gone)
		inode_free(n);
}

void *tmpfs_new(void)
{
	struct tmpfs *fs = kzalloc(sizeof *fs);
	if (!fs)
		return NULL;
	fs->root = inode_new(fs, S_IFDIR | 01777);
	if (!fs->root) {
		kfree(fs);
		return NULL;
	}
	fs->root->nlink = 2;
	return fs;
}

static struct tmpfs *mfs(struct mount *m)
{
	return m->priv;
}

/* Directory entries. */

static struct tdent *dent_find(struct tinode *dir, const char *name, size_t len)
{
	for (struct tdent *d = dir->dents; d; d = d->next)
		if (strlen(d->name) == len && memcmp(d->name, name, len) == 0)
			return d;
	return NULL;
}

static struct tdent *dent_alloc(const char *name, size_t len)
{
	if (len > NAME_MAX)
		return NULL;
	struct tdent *d = kmalloc(sizeof *d + len + 1);
	if (d) {
		memcpy(d->name, name, len);
		d->name[len] = 0;
	}
	return d;
}

static void touch_dir(struct tinode *dir)
{
	dir->mtime = dir->ctime = tmpfs_now();
}

/* Enters d, naming n, at the end of dir. */
static void dent_insert(struct tinode *dir, struct tdent *d, struct tinode *n)
{
	d->node = n;
	d->next = NULL;
	d->off = dir->next_off++;
	*dir->tail = d;
	dir->tail = &d->next;
	n->nlink++;
	n->ctime = tmpfs_now();
	dir->size += TMPFS_DIRENT_SIZE;
	if (S_ISDIR(n->mode)) {
		n->parent = dir;
		dir->nlink++;
	}
	touch_dir(dir);
}

/* Takes d out of dir; the caller frees it. Returns its inode if that is now unused. */
static struct tinode *dent_remove(struct tinode *dir, struct tdent *d)
{
	struct tdent **pp = &dir->dents;
	while (*pp != d)
		pp = &(*pp)->next;
	*pp = d->next;
	if (dir->tail == &d->next)
		dir->tail = pp;
	struct tinode *n = d->node;
	n->nlink--;
	n->ctime = tmpfs_now();
	dir->size -= TMPFS_DIRENT_SIZE;
	if (S_ISDIR(n->mode))
		dir->nlink--;
	touch_dir(dir);
	return n->nlink == 0 && n->refs == 0 ? n : NULL;
}

/* A new inode named name in dir. */
static long create(struct tinode *dir, const char *name, size_t len, uint32_t mode, struct tinode **out)
{
	if (dir->nlink == 0)
		return -ENOENT; /* the directory was removed */
	struct tdent *d = dent_alloc(name, len);
	struct tinode *n = d ? inode_new(dir->fs, mode) : NULL;
	if (!n) {
		kfree(d);
		return len > NAME_MAX ? -ENAMETOOLONG : -ENOSPC;
	}
	dent_insert(dir, d, n);
	if (out)
		*out = n;
	return 0;
}

/* Walking paths. */

#define W_PARENT 1 /* the last component may be missing */
#define W_FOLLOW 2 /* a symbolic link in the last position is followed */

struct walk {
	struct tinode *dir;  /* the last component's directory; NULL when rel names the root */
	struct tdent *dent;  /* its entry, NULL when missing */
	struct tinode *node; /* its inode, NULL when missing */
	const char *name;    /* the last component */
	size_t len;
	bool slash;          /* rel ends in '/': it must name a directory */
	struct tinode *link; /* with -EFOLLOW: the link to follow, ending at rel + at */
	size_t at;
};

static bool trailing_slash(const char *rel)
{
	size_t n = strlen(rel);
	return n && rel[n - 1] == '/';
}

/* Looks up one component; "." and ".." are resolved by the VFS, but are honoured here too. */
static struct tdent *lookup(struct tinode *dir, const char *name, size_t len, struct tinode **n)
{
	struct tdent *d = NULL;
	if (len == 1 && name[0] == '.')
		*n = dir;
	else if (len == 2 && name[0] == '.' && name[1] == '.')
		*n = dir->parent;
	else
		*n = (d = dent_find(dir, name, len)) ? d->node : NULL;
	return d;
}

/* Walks rel (the caller holds fs->lock). Returns 0, -errno, or -EFOLLOW with w->link when a
 * symbolic link must be followed: always in a directory position, in the last one with
 * W_FOLLOW. Without W_PARENT a missing last component is -ENOENT. */
static long walk(struct tmpfs *fs, const char *rel, int flags, struct walk *w)
{
	*w = (struct walk){.node = fs->root, .slash = trailing_slash(rel)};
	const char *p = rel, *c;
	size_t len;
	while ((c = path_next(&p, &len))) {
		if (!S_ISDIR(w->node->mode))
			return -ENOTDIR;
		if (len > NAME_MAX) /* as Linux's lookup: no name that long can exist */
			return -ENAMETOOLONG;
		w->dir = w->node;
		w->name = c;
		w->len = len;
		w->dent = lookup(w->dir, c, len, &w->node);
		bool last = !*p;
		if (!w->node && (!last || !(flags & W_PARENT)))
			return -ENOENT;
		if (w->node && S_ISLNK(w->node->mode) && (!last || (flags & W_FOLLOW))) {
			w->link = w->node;
			w->at = (size_t)(c + len - rel);
			return -EFOLLOW;
		}
	}
	return 0;
}

/* walk for lookups: the last component exists; a trailing slash follows a link and
 * requires a directory. */
static long walk_to(struct tmpfs *fs, const char *rel, bool follow, struct walk *w)
{
	long r = walk(fs, rel, follow || trailing_slash(rel) ? W_FOLLOW : 0, w);
	if (r == 0 && w->slash && !S_ISDIR(w->node->mode))
		r = -ENOTDIR;
	return r;
}

static long t_follow(struct mount *m, const char *rel, bool last, size_t *at, char *buf, size_t len)
{
	struct walk w;
	spin_lock(&mfs(m)->lock);
	long r = walk(mfs(m), rel, W_PARENT | (last || trailing_slash(rel) ? W_FOLLOW : 0), &w);
	if (r == -EFOLLOW) {
		r = (long)MIN(strlen(w.link->target), len);
		memcpy(buf, w.link->target, (size_t)r);
		*at = w.at;
	} else {
		r = 0;
	}
	spin_unlock(&mfs(m)->lock);
	return r;
}

/* The file system. */

/* An unnamed file in directory dir (O_TMPFILE), named in /proc/self/fd as Linux names it. */
static long open_tmpfile(struct tinode *dir, int flags, mode_t mode, struct file *f)
{
	if (!S_ISDIR(dir->mode))
		return -ENOTDIR;
	struct tinode *n = inode_new(dir->fs, S_IFREG | (mode & 07777));
	size_t dlen = strlen(f->path);
	char *path = n ? kmalloc(dlen + 32) : NULL;
	if (!path) {
		kfree(n);
		return -ENOSPC;
	}
	while (dlen > 0 && f->path[dlen - 1] == '/')
		dlen--;
	memcpy(path, f->path, dlen);
	ksnprintf(path + dlen, 32, "/#%lu (deleted)", (unsigned long)n->ino);
	kfree(f->path);
	f->path = path;
	n->linkable = !(flags & O_EXCL);
	tmpfs_attach(n, f);
	return 0;
}

/* Checks an open of the existing inode n against flags, as Linux orders the errors. */
static long open_existing(struct walk *w, int flags)
{
	struct tinode *n = w->node;
	if ((flags & O_CREAT) && (flags & O_EXCL))
		return -EEXIST;
	if (S_ISLNK(n->mode) && !(flags & O_PATH))
		return -ELOOP; /* O_NOFOLLOW */
	if (S_ISDIR(n->mode) && ((flags & O_ACCMODE) != O_RDONLY || (flags & O_CREAT)))
		return -EISDIR;
	if (!S_ISDIR(n->mode) && ((flags & O_DIRECTORY) || w->slash))
		return -ENOTDIR;
	if ((n->mode & S_IFMT) == S_IFSOCK && !(flags & O_PATH))
		return -ENXIO; /* a socket's name is reached by connect, never opened */
	return 0;
}

static long t_open(struct mount *m, const char *rel, int flags, mode_t mode, struct file *f)
{
	struct tmpfs *fs = mfs(m);
	bool follow = !(flags & O_NOFOLLOW) && (flags & (O_CREAT | O_EXCL)) != (O_CREAT | O_EXCL);
	struct walk w;
	spin_lock(&fs->lock);
	long r = walk(fs, rel, W_PARENT | (follow || trailing_slash(rel) ? W_FOLLOW : 0), &w);
	if (r == 0 && (flags & O_TMPFILE) == O_TMPFILE) {
		r = w.node ? open_tmpfile(w.node, flags, mode, f) : -ENOENT;
		spin_unlock(&fs->lock);
		return r;
	}
	if (r == 0 && !w.node && !(flags & O_CREAT))
		r = -ENOENT;
	else if (r == 0 && !w.node)
		r = w.slash ? -EISDIR : create(w.dir, w.name, w.len, S_IFREG | (mode & 07777), &w.node);
	else if (r == 0)
		r = open_existing(&w, flags);
	if (r == 0)
		tmpfs_attach(w.node, f);
	spin_unlock(&fs->lock);
	if (r == 0 && S_ISFIFO(w.node->mode) && !(flags & O_PATH))
		return tmpfs_fifo_open(w.node, f);
	/* the open file holds the inode: the data can go without the name space lock */
	if (r == 0 && (flags & O_TRUNC) && S_ISREG(w.node->mode) && (flags & O_ACCMODE) != O_RDONLY)
		tmpfs_resize(w.node, 0);
	return r;
}

static long t_stat(struct mount *m, const char *rel, struct kstat *st, bool follow)
{
	struct walk w;
	spin_lock(&mfs(m)->lock);
	long r = walk_to(mfs(m), rel, follow, &w);
	if (r == 0)
		tmpfs_fill_stat(w.node, st);
	spin_unlock(&mfs(m)->lock);
	return r;
}

static long t_readlink(struct mount *m, const char *rel, char *buf, size_t len)
{
	struct walk w;
	spin_lock(&mfs(m)->lock);
	long r = walk_to(mfs(m), rel, false, &w);
	if (r == 0 && !S_ISLNK(w.node->mode))
		r = -EINVAL;
	if (r == 0) {
		r = (long)MIN(strlen(w.node->target), len);
		memcpy(buf, w.node->target, (size_t)r);
		w.node->atime = tmpfs_now();
	}
	spin_unlock(&mfs(m)->lock);
	return r;
}

static long t_access(struct mount *m, const char *rel, int mode)
{
	struct kstat st;
	long r = t_stat(m, rel, &st, true);
	if (r == 0 && (mode & X_OK) && !(st.mode & 0111))
		r = -EACCES;
	return r;
}

/* walk for operations that make a new name: the name must not exist yet. */
static long walk_new(struct tmpfs *fs, const char *rel, struct walk *w)
{
	long r = walk(fs, rel, W_PARENT, w);
	if (r == 0 && (!w->dir || w->node))
		r = -EEXIST;
	return r;
}

/* Makes a directory, FIFO, socket or empty file; device files need a privilege that elfin,
 * having no devices, never gives (-EPERM). */
static long t_mknod(struct mount *m, const char *rel, mode_t mode)
{
	struct walk w;
	spin_lock(&mfs(m)->lock);
	long r = walk_new(mfs(m), rel, &w);
	if (r == 0 && w.slash && !S_ISDIR(mode))
		r = -ENOENT;
	if (r == 0 && (S_ISCHR(mode) || S_ISBLK(mode)))
		r = -EPERM;
	if (r == 0)
		r = create(w.dir, w.name, w.len, mode, NULL);
	spin_unlock(&mfs(m)->lock);
	return r;
}

static long t_mkdir(struct mount *m, const char *rel, mode_t mode)
{
	return t_mknod(m, rel, S_IFDIR | (mode & 07777));
}

static long t_symlink(struct mount *m, const char *rel, const char *target)
{
	char *t = kstrdup(target);
	if (!t)
		return -ENOMEM;
	struct walk w;
	struct tinode *n = NULL;
	spin_lock(&mfs(m)->lock);
	long r = walk_new(mfs(m), rel, &w);
	if (r == 0 && w.slash)
		r = -ENOENT;
	if (r == 0)
		r = create(w.dir, w.name, w.len, S_IFLNK | 0777, &n);
	if (r == 0) {
		n->target = t;
		n->size = strlen(t);
	}
	spin_unlock(&mfs(m)->lock);
	if (r < 0)
		kfree(t);
	return r;
}

/* Why the entry w may not be removed by unlink (dir false) or rmdir (dir true). */
static long unlink_refusal(struct walk *w, bool dir)
{
	if (!w->dir)
		return -EBUSY;
	if (!w->node)
		return -ENOENT;
	if (!w->dent)
		return dir ? -EINVAL : -EISDIR; /* "." or ".." */
	if (dir && !S_ISDIR(w->node->mode))
		return -ENOTDIR;
	if (!dir && S_ISDIR(w->node->mode))
		return -EISDIR;
	if (!dir && w->slash)
		return -ENOTDIR;
	if (dir && w->node->dents)
		return -ENOTEMPTY;
	return 0;
}

/* Removes entry d of dir; a removed directory loses its "." and forgets its parent. */
static struct tinode *remove_entry(struct tinode *dir, struct tdent *d)
{
	struct tinode *n = d->node;
	if (S_ISDIR(n->mode)) {
		n->nlink--;
		n->parent = n;
	}
	struct tinode *gone = dent_remove(dir, d);
	kfree(d);
	return gone;
}

static long t_unlink(struct mount *m, const char *rel, bool dir)
{
	struct walk w;
	struct tinode *gone = NULL;
	spin_lock(&mfs(m)->lock);
	long r = walk(mfs(m), rel, W_PARENT, &w);
	if (r == 0)
		r = unlink_refusal(&w, dir);
	if (r == 0)
		gone = remove_entry(w.dir, w.dent);
	spin_unlock(&mfs(m)->lock);
	if (gone)
		inode_free(gone);
	return r;
}

/* The inode a link is made to: an open file (which must be ours), or the file old names. */
static long link_source(struct tmpfs *fs, struct file *from, const char *old, struct tinode **out)
{
	if (from) {
		struct tinode *n = tmpfs_inode(from);
		if (!n || n->fs != fs)
			return -EXDEV;
		if (n->nlink == 0 && !n->linkable)
			return -ENOENT;
		*out = n;
		return 0;
	}
	struct walk w;
	long r = walk_to(fs, old, false, &w);
	*out = w.node;
	return r;
}

static long t_link(struct mount *m, struct file *from, const char *old, const char *new)
{
	struct tmpfs *fs = mfs(m);
	struct tinode *n;
	struct walk w;
	spin_lock(&fs->lock);
	long r = link_source(fs, from, old, &n);
	if (r == 0)
		r = walk_new(fs, new, &w);
	if (r == 0 && w.slash)
		r = -ENOENT;
	if (r == 0 && S_ISDIR(n->mode))
		r = -EPERM;
	if (r == 0 && w.dir->nlink == 0)
		r = -ENOENT;
	struct tdent *d = r == 0 ? dent_alloc(w.name, w.len) : NULL;
	if (r == 0 && !d)
		r = w.len > NAME_MAX ? -ENAMETOOLONG : -ENOSPC;
	if (r == 0) {
		dent_insert(w.dir, d, n);
		n->linkable = false;
	}
	spin_unlock(&fs->lock);
	return r;
}

static bool is_ancestor(struct tinode *a, struct tinode *n)
{
	for (; n != n->parent; n = n->parent)
		if (n == a)
			return true;
	return n == a;
}

/* Why rename of entry o over entry t (t->node may be missing) must fail. */
static long rename_refusal(struct walk *o, struct walk *t, unsigned flags)
{
	if (!o->dir || !t->dir)
		return -EBUSY;
	if (!o->node || (!t->node && (flags & RENAME_EXCHANGE)))
		return -ENOENT;
	if (!o->dent || (t->node && !t->dent))
		return -EBUSY; /* "." or ".." */
	if (t->node && (flags & RENAME_NOREPLACE))
		return -EEXIST;
	bool odir = S_ISDIR(o->node->mode), tdir = t->node && S_ISDIR(t->node->mode);
	if (!odir && (o->slash || (t->slash && !(flags & RENAME_EXCHANGE))))
		return -ENOTDIR;
	if (o->node == t->node)
		return 0;
	if ((odir && is_ancestor(o->node, t->dir)) || (tdir && (flags & RENAME_EXCHANGE) && is_ancestor(t->node, o->dir)))
		return -EINVAL;
	if (t->dir->nlink == 0)
		return -ENOENT;
	if (t->node && !(flags & RENAME_EXCHANGE)) {
		if (tdir && !odir)
			return -EISDIR;
		if (!tdir && odir)
			return -ENOTDIR;
		if (tdir && t->node->dents)
			return -ENOTEMPTY;
	}
	return 0;
}

/* RENAME_EXCHANGE: the two entries swap inodes. */
static void exchange(struct walk *o, struct walk *t)
{
	struct tinode *a = o->node, *b = t->node;
	o->dent->node = b;
	t->dent->node = a;
	if (S_ISDIR(a->mode)) {
		o->dir->nlink--, t->dir->nlink++;
		a->parent = t->dir;
	}
	if (S_ISDIR(b->mode)) {
		t->dir->nlink--, o->dir->nlink++;
		b->parent = o->dir;
	}
	a->ctime = b->ctime = tmpfs_now();
	touch_dir(o->dir);
	touch_dir(t->dir);
}

static long t_rename2(struct mount *m, const char *old, const char *new, unsigned flags)
{
	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE))
		return -EINVAL;
	if ((flags & RENAME_NOREPLACE) && (flags & RENAME_EXCHANGE))
		return -EINVAL;
	struct tmpfs *fs = mfs(m);
	struct walk o, t;
	struct tdent *d = NULL;
	struct tinode *gone = NULL;
	spin_lock(&fs->lock);
	long r = walk(fs, old, W_PARENT, &o);
	if (r == 0)
		r = walk(fs, new, W_PARENT, &t);
	if (r == 0)
		r = rename_refusal(&o, &t, flags);
	if (r == 0 && o.node != t.node && !(flags & RENAME_EXCHANGE) && !(d = dent_alloc(t.name, t.len)))
		r = t.len > NAME_MAX ? -ENAMETOOLONG : -ENOSPC;
	if (r == 0 && (flags & RENAME_EXCHANGE) && o.node != t.node)
		exchange(&o, &t);
	else if (d) {
		struct tinode *n = o.node;
		if (t.node)
			gone = remove_entry(t.dir, t.dent);
		dent_remove(o.dir, o.dent);
		kfree(o.dent);
		dent_insert(t.dir, d, n);
	}
	spin_unlock(&fs->lock);
	if (gone)
		inode_free(gone);
	return r;
}

/* Applies a to n (the caller holds the name space lock). */
static void set_attr(struct tinode *n, const struct kattr *a)
{
	spin_lock(&n->lock);
	if (a->valid & KATTR_MODE)
		n->mode = (n->mode & S_IFMT) | (a->mode & 07777);
	if (a->valid & KATTR_UID)
		n->uid = a->uid;
	if (a->valid & KATTR_GID)
		n->gid = a->gid;
	if (a->valid & KATTR_ATIME)
		n->atime = a->atime;
	if (a->valid & KATTR_MTIME)
		n->mtime = a->mtime;
	n->ctime = tmpfs_now();
	spin_unlock(&n->lock);
}

long tmpfs_setattr(struct tinode *n, const struct kattr *a)
{
	spin_lock(&n->fs->lock);
	set_attr(n, a);
	spin_unlock(&n->fs->lock);
	return 0;
}

static long t_setattr(struct mount *m, const char *rel, const struct kattr *a, bool follow)
{
	struct walk w;
	spin_lock(&mfs(m)->lock);
	long r = walk_to(mfs(m), rel, follow, &w);
	if (r == 0)
		set_attr(w.node, a);
	spin_unlock(&mfs(m)->lock);
	return r;
}

void tmpfs_statfs(struct kstatfs *st)
{
	memset(st, 0, sizeof *st);
	st->type = TMPFS_MAGIC;
	st->bsize = st->frsize = 4096;
	st->blocks = st->bfree = st->bavail = 1 << 20;
	st->files = st->ffree = 1 << 20;
	st->namelen = NAME_MAX;
}

static long t_statfs(struct mount *m, const char *rel, struct kstatfs *st)
{
	struct kstat ks;
	long r = t_stat(m, rel, &ks, true);
	if (r == 0)
		tmpfs_statfs(st);
	return r;
}

const struct fs_ops tmpfs_ops = {
	.open = t_open, .stat = t_stat, .readlink = t_readlink, .access = t_access,
	.mkdir = t_mkdir, .unlink = t_unlink, .statfs = t_statfs, .follow = t_follow,
	.symlink = t_symlink, .link = t_link, .rename2 = t_rename2, .setattr = t_setattr,
	.mknod = t_mknod,
};
