/* Helpers for synthesized files: read-only memory files and directory entries. */
#include "kernel/fs/vfs.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/uaccess.h"
#include "kernel/mm/kalloc.h"
#include "kernel/mm/mm.h"

struct memfile {
	char *data;
	size_t len;
};

static long mf_pread(struct file *f, void *ubuf, size_t len, off_t off)
{
	struct memfile *m = f->priv;
	if (off < 0)
		return -EINVAL;
	if ((size_t)off >= m->len)
		return 0;
	len = MIN(len, m->len - (size_t)off);
	return copy_to_user(ubuf, m->data + off, len) < 0 ? -EFAULT : (long)len;
}

static long mf_read(struct file *f, void *ubuf, size_t len)
{
	long r = mf_pread(f, ubuf, len, f->pos);
	if (r > 0)
		f->pos += r;
	return r;
}

static long mf_lseek(struct file *f, off_t off, int whence)
{
	struct memfile *m = f->priv;
	off_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? f->pos : whence == SEEK_END ? (off_t)m->len : -1;
	if (base < 0 || base + off < 0)
		return -EINVAL;
	return f->pos = base + off;
}

static long mf_stat(struct file *f, struct kstat *st)
{
	(void)f;
	st->mode = S_IFREG | 0444;
	st->nlink = 1;
	st->blksize = 1024;
	st->dev = 0x17;
	st->mask = 0x7ff;
	return 0;
}

static long mf_mmap(struct file *f, void *addr, size_t len, int prot, int flags, off_t off)
{
	struct memfile *m = f->priv;
	size_t avail = (size_t)off < m->len ? m->len - (size_t)off : 0;
	return mm_map_copy(addr, len, prot, flags, m->data + off, MIN(avail, len));
}

static void mf_release(struct file *f)
{
	struct memfile *m = f->priv;
	kfree(m->data);
	kfree(m);
}

static const struct file_ops memfile_ops = {
	.read = mf_read, .pread = mf_pread, .lseek = mf_lseek, .stat = mf_stat,
	.mmap = mf_mmap, .release = mf_release,
};

long memfile_open(struct file *f, char *data, size_t len)
{
	struct memfile *m = kmalloc(sizeof *m);
	if (!m) {
		kfree(data);
		return -ENOMEM;
	}
	m->data = data;
	m->len = len;
	f->ops = &memfile_ops;
	f->priv = m;
	return 0;
}

struct dirent64 {
	uint64_t ino;
	int64_t off;
	uint16_t reclen;
	uint8_t type;
	char name[];
};

long dir_emit(void *ubuf, size_t len, size_t *used, uint64_t ino, int64_t off, int type, const char *name)
{
	size_t nlen = strlen(name);
	size_t reclen = (sizeof(struct dirent64) + nlen + 1 + 7) & ~7UL;
	if (*used + reclen > len)
		return -EINVAL;
	char rec[sizeof(struct dirent64) + 256 + 8];
	memset(rec, 0, reclen);
	struct dirent64 *d = (struct dirent64 *)rec;
	d->ino = ino;
	d->off = off;
	d->reclen = (uint16_t)reclen;
	d->type = (uint8_t)type;
	memcpy(d->name, name, nlen);
	if (copy_to_user((char *)ubuf + *used, rec, reclen) < 0)
		return -EFAULT;
	*used += reclen;
	return 0;
}

long anon_install(const struct file_ops *ops, void *priv, int flags, const char *name)
{
	struct file *f = priv ? file_new(ops, O_RDWR | (flags & O_NONBLOCK), name) : NULL;
	if (!f) {
		kfree(priv);
		return -ENOMEM;
	}
	f->priv = priv;
	return fd_install(f, 0, flags & O_CLOEXEC);
}

long anon_stat(struct file *f, struct kstat *st)
{
	(void)f;
	st->mode = 0600;
	st->nlink = 1;
	st->blksize = 4096;
	st->mask = 0x7ff;
	return 0;
}

void anon_release(struct file *f)
{
	kfree(f->priv);
}
