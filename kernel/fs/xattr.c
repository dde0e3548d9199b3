/* Extended attributes. No file system of elfin's keeps any: reads find none (ENODATA), lists
 * are empty and new attributes are refused (EOPNOTSUPP), after the same argument checks
 * Linux makes, in its order. */
#include "kernel/fs/vfs.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/uaccess.h"
#include "kernel/mm/kalloc.h"
#include "gen/syscalls.h"

#define XATTR_NAME_MAX 255
#define XATTR_SIZE_MAX 65536
#define XATTR_CREATE 1
#define XATTR_REPLACE 2

/* The file named by upath (following its last link or not) or by fd must exist. */
static long check_target(const char *upath, int fd, bool follow)
{
	if (!upath) {
		struct file *f = fd_get(fd);
		if (!f)
			return -EBADF;
		file_put(f);
		return 0;
	}
	struct lookup *lk = kmalloc(sizeof *lk);
	struct kstat st;
	long r = lk ? vfs_resolve_user(AT_FDCWD, upath, lk) : -ENOMEM;
	if (r == 0)
		r = vfs_stat(lk, &st, follow);
	kfree(lk);
	return r;
}

static long check_name(const char *uname)
{
	char name[XATTR_NAME_MAX + 1];
	long n = copy_str_from_user(name, uname, sizeof name);
	return n == -ENAMETOOLONG || n == 0 ? -ERANGE : n < 0 ? n : 0;
}

static long get(const char *upath, int fd, bool follow, const char *uname)
{
	long r = check_name(uname);
	return r < 0 ? r : (r = check_target(upath, fd, follow)) < 0 ? r : -ENODATA;
}

static long list(const char *upath, int fd, bool follow)
{
	return check_target(upath, fd, follow); /* no names: the list is empty */
}

static long set(const char *upath, int fd, bool follow, const char *uname, const void *value, size_t size, int flags)
{
	if (flags & ~(XATTR_CREATE | XATTR_REPLACE))
		return -EINVAL;
	long r = check_name(uname);
	if (r < 0)
		return r;
	if (size > XATTR_SIZE_MAX)
		return -E2BIG;
	char probe;
	if (size && (copy_from_user(&probe, value, 1) < 0 || !user_range_ok(value, size)))
		return -EFAULT;
	r = check_target(upath, fd, follow);
	return r < 0 ? r : -EOPNOTSUPP;
}

static long removex(const char *upath, int fd, bool follow, const char *uname)
{
	return get(upath, fd, follow, uname);
}

long sys_getxattr(const char *path, const char *name, void *value, size_t size)
{
	(void)value, (void)size;
	return get(path, -1, true, name);
}

long sys_lgetxattr(const char *path, const char *name, void *value, size_t size)
{
	(void)value, (void)size;
	return get(path, -1, false, name);
}

long sys_fgetxattr(int fd, const char *name, void *value, size_t size)
{
	(void)value, (void)size;
	return get(NULL, fd, true, name);
}

long sys_listxattr(const char *path, char *list_, size_t size)
{
	(void)list_, (void)size;
	return list(path, -1, true);
}

long sys_llistxattr(const char *path, char *list_, size_t size)
{
	(void)list_, (void)size;
	return list(path, -1, false);
}

long sys_flistxattr(int fd, char *list_, size_t size)
{
	(void)list_, (void)size;
	return list(NULL, fd, true);
}

long sys_setxattr(const char *path, const char *name, const void *value, size_t size, int flags)
{
	return set(path, -1, true, name, value, size, flags);
}

long sys_lsetxattr(const char *path, const char *name, const void *value, size_t size, int flags)
{
	return set(path, -1, false, name, value, size, flags);
}

long sys_fsetxattr(int fd, const char *name, const void *value, size_t size, int flags)
{
	return set(NULL, fd, true, name, value, size, flags);
}

long sys_removexattr(const char *path, const char *name)
{
	return removex(path, -1, true, name);
}

long sys_lremovexattr(const char *path, const char *name)
{
	return removex(path, -1, false, name);
}

long sys_fremovexattr(int fd, const char *name)
{
	return removex(NULL, fd, true, name);
}
