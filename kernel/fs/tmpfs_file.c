/* tmpfs open files and the data of regular files. A small file that was never mapped keeps
 * its bytes in the kernel heap; a mapped or larger one lives in a platform shared-memory
 * object, which the program maps (shared or private) and the kernel reads and writes
 * through its own window on it, so both always see the same bytes. */
#include "kernel/fs/tmpfs.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mman.h"
#include "kernel/uaccess.h"
#include "kernel/mm/kalloc.h"
#include "kernel/mm/mm.h"
#include "plat/plat.h"

#define TMPFS_MAX_FILE (1UL << 34)
#define HEAP_MAX (64UL << 10) /* larger files go to a shared-memory object */
#define SHORT_SYMLINK 128     /* Linux keeps shorter targets in the inode: no blocks */

#define POPULATE_AHEAD (256UL << 10)
#define MADV_POPULATE_WRITE 23
#define FALLOC_FL_KEEP_SIZE 1
#define FALLOC_FL_PUNCH_HOLE 2

static const struct file_ops tmpfile_ops;

struct tinode *tmpfs_inode(struct file *f)
{
	return f->ops == &tmpfile_ops ? f->priv : NULL;
}

void tmpfs_attach(struct tinode *n, struct file *f)
{
	n->refs++;
	f->ops = &tmpfile_ops;
	f->priv = n;
}

static void fifo_stat(void *n, struct kstat *st)
{
	tmpfs_fill_stat(n, st);
}

static long fifo_statfs(void *n, struct kstatfs *st)
{
	(void)n;
	tmpfs_statfs(st);
	return 0;
}

static long fifo_setattr(void *n, const struct kattr *a)
{
	return tmpfs_setattr(n, a);
}

static void fifo_get(void *p)
{
	struct tinode *n = p;
	spin_lock(&n->fs->lock);
	n->refs++;
	spin_unlock(&n->fs->lock);
}

static void fifo_put(void *n)
{
	tmpfs_put(n);
}

static const struct fifo_ops tmpfs_fifo_ops = {
	.stat = fifo_stat, .statfs = fifo_statfs, .setattr = fifo_setattr, .get = fifo_get, .put = fifo_put,
};

long tmpfs_fifo_open(struct tinode *n, struct file *f)
{
	return fifo_open(&n->pipe, n, &tmpfs_fifo_ops, f);
}

static struct tinode *fnode(struct file *f)
{
	return f->priv;
}

void tmpfs_fill_stat(struct tinode *n, struct kstat *st)
{
	spin_lock(&n->lock);
	st->dev = TMPFS_DEV;
	st->dev_minor = TMPFS_DEV;
	st->ino = n->ino;
	st->mode = n->mode;
	st->nlink = (uint64_t)n->nlink;
	st->uid = n->uid;
	st->gid = n->gid;
	st->size = (int64_t)n->size;
	st->blksize = 4096;
	if (S_ISREG(n->mode))
		st->blocks = (int64_t)(PAGE_UP(n->size) / 512);
	else if (S_ISLNK(n->mode) && n->size >= SHORT_SYMLINK)
		st->blocks = 8;
	st->atime = n->atime;
	st->mtime = n->mtime;
	st->ctime = n->ctime;
	st->btime = n->btime;
	st->mask = 0xfff; /* STATX_BASIC_STATS | STATX_BTIME */
	spin_unlock(&n->lock);
}

/* The data (the caller holds n->lock). */

/* Unmaps the kernel's window, giving the heap its own memory back. */
static void drop_window(struct tinode *n)
{
	if (!n->win_block)
		return;
	plat_map(n->data, n->win_len, PROT_READ | PROT_WRITE, PLAT_MAP_FIXED | PLAT_MAP_RESERVE, -1, 0);
	kfree(n->win_block);
	n->win_block = NULL;
}

/* Gives the kernel a window of len bytes on the object: the old one moves there with its
 * page tables, so the pages it had mapped need no fault again. */
static long window(struct tinode *n, size_t len)
{
	void *block = kmalloc(len + PAGE_SIZE);
	if (!block)
		return -ENOSPC;
	char *win = (char *)PAGE_UP(block);
	long r = -1;
	if (n->win_block)
		r = plat_remap(n->data, n->win_len, len, MREMAP_MAYMOVE | MREMAP_FIXED, win);
	if (r >= 0) { /* the old range is a hole in the heap now: fill it before freeing */
		plat_map(n->data, n->win_len, PROT_READ | PROT_WRITE, PLAT_MAP_FIXED | PLAT_MAP_RESERVE, -1, 0);
		kfree(n->win_block);
		n->win_block = NULL;
	} else if (plat_map(win, len, PROT_READ | PROT_WRITE, PLAT_MAP_FIXED | PLAT_MAP_SHARED, n->shm, 0) < 0) {
		plat_map(win, len, PROT_READ | PROT_WRITE, PLAT_MAP_FIXED | PLAT_MAP_RESERVE, -1, 0);
		kfree(block);
		return -ENOSPC;
	} else {
		drop_window(n);
		n->populated = 0;
	}
	n->data = win;
	n->win_len = len;
	n->win_block = block;
	return 0;
}

/* Maps the window's pages for a write of [off, end) with one call instead of a fault per
 * page; appends reach ahead, so that a run of small writes shares the call. populated only
 * saves calls: a page below it that was skipped (a write far past the end) faults in by
 * itself when written. */
static void populate(struct tinode *n, size_t off, size_t end)
{
	if (n->shm < 0 || end <= n->populated)
		return;
	size_t from = PAGE_DOWN(MAX(off, n->populated));
	size_t to = MIN(n->cap, PAGE_UP(MAX(end, from + POPULATE_AHEAD)));
	if (plat_advise(n->data + from, to - from, MADV_POPULATE_WRITE) == 0)
		n->populated = to;
}

/* Moves the data out of the heap into a shared-memory object of cap bytes. */
static long to_shm(struct tinode *n, size_t cap)
{
	long h = plat_shm_create(cap);
	if (h < 0)
		return -ENOSPC;
	char *heap = n->data;
	n->shm = (int)h;
	n->data = NULL;
	long r = cap ? window(n, cap) : 0;
	if (r < 0) {
		plat_shm_close(n->shm);
		n->shm = -1;
		n->data = heap;
		return r;
	}
	if (n->size)
		memcpy(n->data, heap, n->size);
	kfree(heap);
	n->cap = cap;
	return 0;
}

static long grow_heap(struct tinode *n, size_t cap)
{
	char *d = kmalloc(cap);
	if (!d)
		return -ENOSPC;
	if (n->size)
		memcpy(d, n->data, n->size);
	memset(d + n->size, 0, cap - n->size);
	kfree(n->data);
	n->data = d;
	n->cap = cap;
	return 0;
}

/* Makes room for end bytes, doubling the room so that appends stay cheap. */
static long grow(struct tinode *n, size_t end)
{
	if (end <= n->cap)
		return 0;
	if (end > TMPFS_MAX_FILE)
		return -EFBIG;
	size_t cap = MIN(MAX(MAX(end, n->cap * 2), (size_t)64), TMPFS_MAX_FILE);
	if (n->shm < 0 && cap <= HEAP_MAX)
		return grow_heap(n, cap);
	cap = PAGE_UP(cap);
	if (n->shm < 0)
		return to_shm(n, cap);
	if (plat_shm_resize(n->shm, cap) < 0)
		return -ENOSPC;
	long r = cap > n->win_len ? window(n, cap) : 0;
	if (r == 0)
		n->cap = cap;
	return r;
}

/* Cuts the data to size bytes, keeping the bytes past it zero. */
static void shrink(struct tinode *n, size_t size)
{
	if (n->shm < 0) {
		memset(n->data + size, 0, n->size - size);
		return;
	}
	size_t keep = PAGE_UP(size);
	memset(n->data + size, 0, MIN(n->size, keep) - size);
	if (keep < n->cap && plat_shm_resize(n->shm, keep) == 0)
		n->cap = keep;
	n->populated = MIN(n->populated, keep);
}

long tmpfs_resize(struct tinode *n, size_t size)
{
	spin_lock(&n->lock);
	long r = size > TMPFS_MAX_FILE ? -EFBIG : grow(n, size);
	if (r == 0 && size < n->size)
		shrink(n, size);
	if (r == 0) {
		n->size = size;
		n->mtime = n->ctime = tmpfs_now();
	}
	spin_unlock(&n->lock);
	return r;
}

void tmpfs_free_data(struct tinode *n)
{
	if (n->shm < 0) {
		kfree(n->data);
		return;
	}
	drop_window(n);
	plat_shm_close(n->shm);
}

/* Open files. */

static bool ts_le(struct timespec64 a, struct timespec64 b)
{
	return a.sec < b.sec || (a.sec == b.sec && a.nsec <= b.nsec);
}

static long tf_pread(struct file *f, void *ubuf, size_t len, off_t off)
{
	struct tinode *n = fnode(f);
	if (S_ISDIR(n->mode))
		return -EISDIR;
	if (off < 0)
		return -EINVAL;
	spin_lock(&n->lock);
	long r = 0;
	if ((size_t)off < n->size) {
		len = MIN(len, n->size - (size_t)off);
		r = copy_to_user(ubuf, n->data + off, len) < 0 ? -EFAULT : (long)len;
	}
	if (ts_le(n->atime, n->mtime) || ts_le(n->atime, n->ctime)) /* relatime */
		n->atime = tmpfs_now();
	spin_unlock(&n->lock);
	return r;
}

/* Writes at *pos (at the end when append) and moves *pos past the bytes written. */
static long data_write(struct tinode *n, const void *ubuf, size_t len, off_t *pos, bool append)
{
	if (len == 0)
		return 0;
	spin_lock(&n->lock);
	size_t off = append ? n->size : (size_t)*pos, end = off + len;
	long r = end < off ? -EFBIG : grow(n, end);
	if (r == 0)
		populate(n, off, end);
	if (r == 0 && copy_from_user(n->data + off, ubuf, len) < 0)
		r = -EFAULT;
	if (r == 0) {
		n->size = MAX(n->size, end);
		n->mtime = n->ctime = tmpfs_now();
		*pos = (off_t)end;
		r = (long)len;
	}
	spin_unlock(&n->lock);
	return r;
}

static long tf_pwrite(struct file *f, const void *ubuf, size_t len, off_t off)
{
	if (off < 0)
		return -EINVAL;
	return data_write(fnode(f), ubuf, len, &off, f->flags & O_APPEND);
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
	return data_write(fnode(f), ubuf, len, &f->pos, f->flags & O_APPEND);
}

#define SEEK_DATA 3
#define SEEK_HOLE 4

static long tf_lseek(struct file *f, off_t off, int whence)
{
	off_t size = (off_t)fnode(f)->size, base;
	switch (whence) {
	case SEEK_SET: base = 0; break;
	case SEEK_CUR: base = f->pos; break;
	case SEEK_END: base = size; break;
	case SEEK_DATA:
	case SEEK_HOLE: /* no holes are kept: the data runs to the end */
		if (off < 0 || off >= size)
			return -ENXIO;
		return f->pos = whence == SEEK_DATA ? off : size;
	default: return -EINVAL;
	}
	if (base + off < 0)
		return -EINVAL;
	return f->pos = base + off;
}

static long tf_stat(struct file *f, struct kstat *st)
{
	tmpfs_fill_stat(fnode(f), st);
	return 0;
}

static long tf_statfs(struct file *f, struct kstatfs *st)
{
	(void)f;
	tmpfs_statfs(st);
	return 0;
}

/* A directory entry's type is the file type's bits, as Linux's S_DT: DT_FIFO, DT_SOCK, ... */
static int dtype(struct tinode *n)
{
	return (int)((n->mode & S_IFMT) >> 12);
}

/* The position is the offset of the next entry: "." is 0, ".." 1, then each entry's own. */
static long tf_getdents(struct file *f, void *ubuf, size_t len)
{
	struct tinode *d = fnode(f);
	if (!S_ISDIR(d->mode))
		return -ENOTDIR;
	size_t used = 0;
	long r = 0;
	spin_lock(&d->fs->lock);
	if (d->nlink == 0)
		r = -ENOENT; /* removed */
	if (r == 0 && f->pos == 0 && (r = dir_emit(ubuf, len, &used, d->ino, 1, DT_DIR, ".")) == 0)
		f->pos = 1;
	if (r == 0 && f->pos == 1 && (r = dir_emit(ubuf, len, &used, d->parent->ino, 2, DT_DIR, "..")) == 0)
		f->pos = 2;
	for (struct tdent *e = d->dents; e && r == 0; e = e->next) {
		if (e->off < f->pos)
			continue;
		r = dir_emit(ubuf, len, &used, e->node->ino, e->off + 1, dtype(e->node), e->name);
		if (r == 0)
			f->pos = e->off + 1;
	}
	spin_unlock(&d->fs->lock);
	if (r == -EINVAL && used) /* the buffer is full */
		r = 0;
	return r < 0 ? r : (long)used;
}

static long tf_truncate(struct file *f, off_t len)
{
	struct tinode *n = fnode(f);
	if (S_ISDIR(n->mode))
		return -EISDIR;
	return S_ISREG(n->mode) ? tmpfs_resize(n, (size_t)len) : -EINVAL;
}

static long tf_fallocate(struct file *f, int mode, off_t off, off_t len)
{
	struct tinode *n = fnode(f);
	if (S_ISDIR(n->mode))
		return -EISDIR;
	if (!S_ISREG(n->mode))
		return -ENODEV;
	if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE))
		return -EOPNOTSUPP;
	if ((mode & FALLOC_FL_PUNCH_HOLE) && !(mode & FALLOC_FL_KEEP_SIZE))
		return -EOPNOTSUPP;
	size_t end = (size_t)off + (size_t)len;
	if (end > TMPFS_MAX_FILE)
		return -EFBIG;
	spin_lock(&n->lock);
	long r = 0;
	if (mode & FALLOC_FL_PUNCH_HOLE) {
		if ((size_t)off < n->size)
			memset(n->data + off, 0, MIN(end, n->size) - (size_t)off);
	} else if ((r = grow(n, end)) == 0 && !(mode & FALLOC_FL_KEEP_SIZE) && end > n->size) {
		n->size = end;
	}
	if (r == 0)
		n->mtime = n->ctime = tmpfs_now();
	spin_unlock(&n->lock);
	return r;
}

static long tf_sync(struct file *f, bool data_only)
{
	(void)f, (void)data_only;
	return 0;
}

/* Any map, shared or private, maps the shared-memory object: private ones copy on write. */
static long tf_mmap(struct file *f, void *addr, size_t len, int prot, int flags, off_t off)
{
	struct tinode *n = fnode(f);
	if (!S_ISREG(n->mode))
		return -ENODEV;
	spin_lock(&n->lock);
	long r = n->shm < 0 ? to_shm(n, PAGE_UP(n->size)) : 0;
	int h = n->shm;
	spin_unlock(&n->lock);
	if (r < 0)
		return r;
	return mm_map_object(addr, len, prot, flags, h, off);
}

static long tf_setattr(struct file *f, const struct kattr *a)
{
	return tmpfs_setattr(fnode(f), a);
}

static void tf_release(struct file *f)
{
	tmpfs_put(fnode(f));
}

static const struct file_ops tmpfile_ops = {
	.read = tf_read, .write = tf_write, .pread = tf_pread, .pwrite = tf_pwrite, .lseek = tf_lseek,
	.stat = tf_stat, .statfs = tf_statfs, .getdents = tf_getdents, .truncate = tf_truncate,
	.sync = tf_sync, .mmap = tf_mmap, .release = tf_release, .setattr = tf_setattr,
	.fallocate = tf_fallocate,
};
