/* Names of the kernel's AF_UNIX sockets: abstract names in the kernel's own name space, and
 * path names as socket files in its file tree (stat shows S_IFSOCK, unlink removes the name;
 * a socket is found by the file's identity, as Linux finds it by inode). */
#include "kernel/net/unix.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mm/kalloc.h"
#include "kernel/proc/proc.h"

static struct usock *names; /* bound sockets, under unix_lock */

long unix_name_check(const char *addr, int len)
{
	if (len <= SUN_OFF || len > SUN_MAX || *(const uint16_t *)addr != AF_UNIX)
		return -EINVAL;
	return 0;
}

/* The path of a path name, NUL-terminated, into path (SUN_PATH + 1 bytes). */
static void path_of(const char *addr, int len, char *path)
{
	size_t n = 0;
	while ((int)(SUN_OFF + n) < len && addr[SUN_OFF + n])
		n++;
	memcpy(path, addr + SUN_OFF, n);
	path[n] = 0;
}

static bool abstract(const char *addr, int len)
{
	return len > SUN_OFF && addr[SUN_OFF] == 0;
}

/* Resolves a path name: 0 with lk set, or -errno. */
static long resolve(const char *addr, int len, struct lookup *lk)
{
	char path[SUN_PATH + 1];
	path_of(addr, len, path);
	return vfs_resolve(AT_FDCWD, path, lk);
}

bool unix_name_on_host(const char *addr, int len, bool bind)
{
	if (unix_name_check(addr, len) < 0 || abstract(addr, len))
		return false;
	struct lookup *lk = kmalloc(sizeof *lk);
	bool host = lk && resolve(addr, len, lk) == 0 && lk->mnt->host >= 0 && lk->mnt->ops != &tmpfs_ops &&
		    (lk->mnt->rw || !bind);
	struct kstat st;
	if (host && !bind) /* connect: a host socket file that no kernel socket holds */
		host = vfs_stat(lk, &st, true) == 0 && (st.mode & S_IFMT) == S_IFSOCK;
	if (host && !bind) {
		long r;
		spin_lock(&unix_lock);
		host = !unix_find(addr, len, SOCK_STREAM, &r) && !unix_find(addr, len, SOCK_DGRAM, &r) &&
		       !unix_find(addr, len, SOCK_SEQPACKET, &r);
		spin_unlock(&unix_lock);
	}
	kfree(lk);
	return host;
}

struct usock *unix_find(const char *addr, int len, int type, long *err)
{
	uint64_t dev = 0, ino = 0;
	if (!abstract(addr, len)) {
		struct lookup *lk = kmalloc(sizeof *lk);
		struct kstat st;
		long r = !lk ? -ENOMEM : resolve(addr, len, lk);
		if (r == 0)
			r = vfs_stat(lk, &st, true);
		kfree(lk);
		if (r == 0 && (st.mode & S_IFMT) != S_IFSOCK)
			r = -ECONNREFUSED;
		if (r < 0) {
			*err = r;
			return NULL;
		}
		dev = st.dev;
		ino = st.ino;
	}
	for (struct usock *u = names; u; u = u->name_next) {
		bool same = ino ? u->fsino == ino && u->fsdev == dev
				: u->addrlen == len && memcmp(u->addr, addr, (size_t)len) == 0;
		if (same && (u->type == type || ino))
			return u->type == type ? u : (*err = -EPROTOTYPE, NULL);
	}
	*err = -ECONNREFUSED;
	return NULL;
}

/* Enters u in the name table under addr (lock held). */
static long name_set(struct usock *u, const char *addr, int len)
{
	if (u->addrlen)
		return -EINVAL;
	memcpy(u->addr, addr, (size_t)len);
	u->addrlen = len;
	u->name_next = names;
	names = u;
	return 0;
}

void unix_unbind(struct usock *u)
{
	struct usock **pp = &names;
	while (*pp && *pp != u)
		pp = &(*pp)->name_next;
	if (*pp)
		*pp = u->name_next;
	u->name_next = NULL;
}

long unix_autobind(struct usock *u)
{
	static unsigned next = 0x10000;
	char addr[SUN_OFF + 6] = {AF_UNIX, 0, 0};
	long r;
	do
		ksnprintf(addr + SUN_OFF + 1, 6, "%05x", next++ & 0xfffff);
	while (unix_find(addr, sizeof addr, u->type, &r));
	return name_set(u, addr, sizeof addr);
}

static long bind_abstract(struct usock *u, const char *addr, int len)
{
	long r;
	if (u->addrlen)
		return -EINVAL;
	if (unix_find(addr, len, u->type, &r))
		return -EADDRINUSE;
	return name_set(u, addr, len);
}

/* A path name: its socket file first (EADDRINUSE if the name exists), then the socket's
 * name; a socket that has one already leaves no file behind. */
static long bind_path(struct usock *u, const char *addr, int len)
{
	struct lookup *lk = kmalloc(sizeof *lk);
	struct kstat st;
	long r = !lk ? -ENOMEM : resolve(addr, len, lk);
	if (r == 0)
		r = vfs_mknod(lk, S_IFSOCK | (0777 & ~curproc()->umask));
	if (r == -EEXIST)
		r = -EADDRINUSE;
	if (r == 0)
		r = vfs_stat(lk, &st, false);
	if (r == 0) {
		char key[SUN_MAX] = {AF_UNIX, 0};
		path_of(addr, len, key + SUN_OFF);
		int klen = SUN_OFF + (int)strlen(key + SUN_OFF) + 1;
		spin_lock(&unix_lock);
		r = name_set(u, key, klen);
		if (r == 0) {
			u->fsdev = st.dev;
			u->fsino = st.ino;
		}
		spin_unlock(&unix_lock);
		if (r < 0)
			vfs_unlink(lk, false);
	}
	kfree(lk);
	return r;
}

long unix_bind(struct usock *u, const char *addr, int len)
{
	if (len == SUN_OFF && *(const uint16_t *)addr == AF_UNIX) {
		spin_lock(&unix_lock);
		long r = u->addrlen ? -EINVAL : unix_autobind(u);
		spin_unlock(&unix_lock);
		return r;
	}
	long r = unix_name_check(addr, len);
	if (r < 0)
		return r;
	if (!abstract(addr, len))
		return bind_path(u, addr, len);
	spin_lock(&unix_lock);
	r = bind_abstract(u, addr, len);
	spin_unlock(&unix_lock);
	return r;
}
