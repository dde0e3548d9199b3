/* sendfile and copy_file_range: the kernel copies between two files through a bounce
 * buffer, positioned or at the files' own positions. */
#include "kernel/fs/vfs.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/uaccess.h"
#include "kernel/mm/kalloc.h"
#include "kernel/proc/proc.h"
#include "gen/syscalls.h"

#define CHUNK (64 * 1024)
#define MAX_COPY 0x7ffff000L

/* One transfer into or out of a kernel buffer: pos NULL means the file's own position. */
static long kio(struct file *f, bool wr, void *buf, size_t len, off_t *pos)
{
	struct kthread *t = current();
	bool saved = t->kernel_access;
	t->kernel_access = true;
	long r;
	if (pos)
		r = wr ? (f->ops->pwrite ? f->ops->pwrite(f, buf, len, *pos) : -ESPIPE)
		       : (f->ops->pread ? f->ops->pread(f, buf, len, *pos) : -ESPIPE);
	else
		r = wr ? (f->ops->write ? f->ops->write(f, buf, len) : -EINVAL)
		       : (f->ops->read ? f->ops->read(f, buf, len) : -EINVAL);
	t->kernel_access = saved;
	if (r > 0 && pos)
		*pos += r;
	return r;
}

/* Moves the input back over n bytes read but not written. */
static void unread(struct file *in, off_t *inpos, long n)
{
	if (inpos)
		*inpos -= n;
	else if (in->ops->lseek)
		in->ops->lseek(in, -n, 1 /* SEEK_CUR */);
}

/* Copies up to count bytes; returns how many, or -errno when none moved. */
static long copy_files(struct file *in, off_t *inpos, struct file *out, off_t *outpos, size_t count)
{
	char *buf = kmalloc(CHUNK);
	if (!buf)
		return -ENOMEM;
	long done = 0, r = 0;
	count = MIN(count, (size_t)MAX_COPY);
	while ((size_t)done < count) {
		r = kio(in, false, buf, MIN(count - (size_t)done, (size_t)CHUNK), inpos);
		if (r <= 0)
			break;
		long got = r;
		for (long put = 0; put < got; put += r) {
			r = kio(out, true, buf + put, (size_t)(got - put), outpos);
			if (r <= 0) {
				done += put;
				unread(in, inpos, got - put); /* a non-blocking socket took only part */
				goto out;
			}
		}
		done += got;
	}
out:
	kfree(buf);
	if (r == -EPIPE && !done)
		proc_raise(13 /* SIGPIPE */);
	return done ? done : r;
}

/* Drops the references of a pair of files taken for one call; passes r through. */
static long put_both(struct file *in, struct file *out, long r)
{
	if (in)
		file_put(in);
	if (out)
		file_put(out);
	return r;
}

static bool readable(struct file *f)
{
	return (f->flags & O_ACCMODE) != O_WRONLY && !(f->flags & O_PATH);
}

static bool writable(struct file *f)
{
	return (f->flags & O_ACCMODE) != O_RDONLY && !(f->flags & O_PATH);
}

long sys_sendfile(int out_fd, int in_fd, void *uoff, size_t count)
{
	off_t off = 0;
	if (uoff && copy_from_user(&off, uoff, sizeof off) < 0) /* Linux reads the offset first */
		return -EFAULT;
	struct file *in = fd_get(in_fd), *out = fd_get(out_fd);
	long r = in && out ? 0 : -EBADF;
	if (r == 0 && (!readable(in) || !writable(out)))
		r = -EBADF;
	if (r == 0 && (out->flags & O_APPEND))
		r = -EINVAL;
	if (r == 0 && off < 0)
		r = -EINVAL;
	if (r == 0)
		r = copy_files(in, uoff ? &off : NULL, out, NULL, count);
	if (uoff && copy_to_user(uoff, &off, sizeof off) < 0) /* written back even after a failure */
		r = -EFAULT;
	return put_both(in, out, r);
}

static bool regular(struct file *f)
{
	struct kstat st = {0};
	return f->ops->stat && f->ops->stat(f, &st) == 0 && S_ISREG(st.mode);
}

long sys_copy_file_range(int fd_in, void *uoff_in, int fd_out, void *uoff_out, size_t len, unsigned flags)
{
	if (flags)
		return -EINVAL;
	off_t oin = 0, oout = 0;
	if ((uoff_in && copy_from_user(&oin, uoff_in, sizeof oin) < 0) ||
	    (uoff_out && copy_from_user(&oout, uoff_out, sizeof oout) < 0))
		return -EFAULT; /* Linux reads the offsets first */
	struct file *in = fd_get(fd_in), *out = fd_get(fd_out);
	long r = in && out ? 0 : -EBADF;
	if (r == 0 && (!regular(in) || !regular(out))) /* the file types first, as Linux checks */
		r = -EINVAL;
	if (r == 0 && (!readable(in) || !writable(out)))
		r = -EBADF;
	if (r == 0 && (out->flags & O_APPEND))
		r = -EBADF;
	if (r == 0 && (oin < 0 || oout < 0))
		r = -EINVAL;
	if (r == 0)
		r = copy_files(in, uoff_in ? &oin : NULL, out, uoff_out ? &oout : NULL, len);
	if (r > 0 && ((uoff_in && copy_to_user(uoff_in, &oin, sizeof oin) < 0) ||
		       (uoff_out && copy_to_user(uoff_out, &oout, sizeof oout) < 0)))
		r = -EFAULT;
	return put_both(in, out, r);
}
