/* procfs: /proc/self and /proc/<pid> are the kernel's own view of the program; the
 * system-wide files (cpuinfo, meminfo, sys/...) pass through read-only from the host. */
#include "kernel/fs/procfs.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/uaccess.h"
#include "kernel/mm/kalloc.h"
#include "kernel/proc/proc.h"

enum pnode { P_NONE, P_PIDDIR, P_EXE, P_CWD, P_FDDIR, P_FD, P_GEN, P_SELF };

struct ppath {
	enum pnode kind;
	int fd;
	const struct procfs_gen *gen;
};

/* Parses rel; returns false when it is not one of ours (the host serves it). */
static bool parse(const char *rel, struct ppath *p)
{
	char pid[16];
	ksnprintf(pid, sizeof pid, "%d", curproc()->pid);
	*p = (struct ppath){P_NONE, -1, NULL};
	if (strcmp(rel, "self") == 0 || strcmp(rel, "thread-self") == 0) {
		p->kind = P_SELF;
		return true;
	}
	const char *rest;
	if (str_starts(rel, "self/") || strcmp(rel, "self") == 0)
		rest = rel + 4;
	else if (str_starts(rel, pid) && (rel[strlen(pid)] == '/' || rel[strlen(pid)] == 0))
		rest = rel + strlen(pid);
	else
		return rel[0] >= '0' && rel[0] <= '9'; /* ours, but other pids do not exist */
	if (*rest == '/')
		rest++;
	static const struct {
		const char *name;
		enum pnode kind;
	} names[] = {{"", P_PIDDIR}, {"exe", P_EXE}, {"cwd", P_CWD}, {"fd", P_FDDIR}, {"fd/", P_FDDIR}};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (strcmp(rest, names[i].name) == 0)
			p->kind = names[i].kind;
	for (const struct procfs_gen *g = procfs_self_files; g->name; g++)
		if (strcmp(rest, g->name) == 0) {
			p->kind = P_GEN;
			p->gen = g;
		}
	int ok;
	if (str_starts(rest, "fd/") && (p->fd = (int)parse_long(rest + 3, &ok), ok)) {
		struct file *f = fd_get(p->fd);
		if (f) {
			p->kind = P_FD;
			file_put(f);
		}
	}
	return true;
}

static long link_target(const struct ppath *p, char *buf, size_t len)
{
	const char *t;
	char tmp[16];
	struct file *f = NULL;
	switch (p->kind) {
	case P_SELF:
		ksnprintf(tmp, sizeof tmp, "%d", curproc()->pid);
		t = tmp;
		break;
	case P_EXE: t = curproc()->exe; break;
	case P_CWD: t = curproc()->cwd; break;
	case P_FD:
		f = fd_get(p->fd);
		if (!f)
			return -ENOENT;
		t = f->path;
		break;
	case P_NONE: return -ENOENT;
	default: return -EINVAL;
	}
	size_t n = MIN(strlen(t), len);
	memcpy(buf, t, n);
	if (f)
		file_put(f);
	return (long)n;
}

/* Resolves what a /proc link points to. Objects without a path (pipes) cannot be reopened. */
static long follow_link(const struct ppath *p, struct lookup *lk)
{
	char target[PATH_MAX];
	long n = link_target(p, target, sizeof target - 1);
	if (n < 0)
		return n;
	target[n] = 0;
	if (target[0] != '/')
		return -ENXIO;
	return vfs_resolve(AT_FDCWD, target, lk);
}

static bool is_dir(enum pnode k)
{
	return k == P_PIDDIR || k == P_FDDIR;
}

static bool is_link(enum pnode k)
{
	return k == P_SELF || k == P_EXE || k == P_CWD || k == P_FD;
}

static long fd_getdents(struct file *f, void *ubuf, size_t len)
{
	size_t used = 0;
	for (; f->pos < FD_MAX + 2; f->pos++) {
		char name[16];
		if (f->pos < 2) {
			strlcpy(name, f->pos ? ".." : ".", sizeof name);
		} else {
			struct file *o = fd_get((int)f->pos - 2);
			if (!o)
				continue;
			file_put(o);
			ksnprintf(name, sizeof name, "%d", (int)f->pos - 2);
		}
		long r = dir_emit(ubuf, len, &used, 1000 + f->pos, f->pos + 1, f->pos < 2 ? DT_DIR : DT_LNK, name);
		if (r < 0)
			return used ? (long)used : r;
	}
	return (long)used;
}

static long pd_stat(struct file *f, struct kstat *st)
{
	(void)f;
	st->mode = S_IFDIR | 0500;
	st->nlink = 2;
	st->mask = 0x7ff;
	return 0;
}

static const struct file_ops fddir_ops = {.getdents = fd_getdents, .stat = pd_stat};

static long p_open(struct mount *m, const char *rel, int flags, mode_t mode, struct file *f)
{
	struct ppath p;
	if (!parse(rel, &p)) {
		if (flags & (O_CREAT | O_TRUNC | O_ACCMODE))
			return -EACCES;
		return hostfs_ops.open(m, rel, flags, mode, f);
	}
	switch (p.kind) {
	case P_NONE: return -ENOENT;
	case P_FDDIR:
		f->ops = &fddir_ops;
		return 0;
	case P_GEN:
		return procfs_gen_open(f, p.gen->gen);
	case P_PIDDIR: return -EACCES; /* listing comes with the rest of /proc/<pid> */
	case P_FD: { /* a host file or a pipe anew (vfs_reopen_fd), others by their path */
		struct file *src = fd_get(p.fd);
		bool anew = src && (src->host >= 0 || (pipe_capacity(src) >= 0 && !(flags & O_PATH)));
		if (src)
			file_put(src);
		if (anew)
			return vfs_reopen_fd(p.fd, f);
	}
	/* fallthrough */
	default: {
		struct lookup lk;
		long r = follow_link(&p, &lk);
		return r < 0 ? r : vfs_open_file(&lk, flags, mode, f);
	}
	}
}

static long p_stat(struct mount *m, const char *rel, struct kstat *st, bool follow)
{
	struct ppath p;
	if (!parse(rel, &p))
		return hostfs_ops.stat(m, rel, st, follow);
	if (p.kind == P_NONE)
		return -ENOENT;
	st->dev = 0x18;
	st->ino = 2000 + p.kind * 2000 + (p.fd > 0 ? p.fd : 0);
	st->nlink = 1;
	st->mask = 0x7ff;
	st->blksize = 1024;
	if (is_link(p.kind) && follow) {
		struct file *f = p.kind == P_FD ? fd_get(p.fd) : NULL;
		if (f) { /* a descriptor's link stands for the open file itself, as fstat sees it */
			long r = f->ops->stat ? f->ops->stat(f, st) : -ENOENT;
			file_put(f);
			return r;
		}
		struct lookup lk;
		long r = follow_link(&p, &lk);
		return r < 0 ? r : vfs_stat(&lk, st, true);
	}
	st->mode = is_dir(p.kind) ? S_IFDIR | 0555 : is_link(p.kind) ? S_IFLNK | 0777 : S_IFREG | 0444;
	return 0;
}

/* chmod, chown and utimes through /proc/self/fd/N act on the open file itself, O_PATH ones
 * included (glibc's lchmod and fchmodat(AT_SYMLINK_NOFOLLOW) go this way); the other links
 * are followed; a link itself and procfs's own files refuse, as on Linux. */
static long p_setattr(struct mount *m, const char *rel, const struct kattr *a, bool follow)
{
	struct ppath p;
	if (!parse(rel, &p))
		return hostfs_ops.setattr(m, rel, a, follow);
	if (p.kind == P_NONE)
		return -ENOENT;
	if (!is_link(p.kind))
		return -EPERM;
	if (!follow)
		return -EOPNOTSUPP;
	struct file *f = p.kind == P_FD ? fd_get(p.fd) : NULL;
	if (f) {
		long r = f->ops->setattr ? f->ops->setattr(f, a) : 0;
		file_put(f);
		return r;
	}
	struct lookup lk;
	long r = follow_link(&p, &lk);
	return r < 0 ? r : vfs_setattr(&lk, a, true);
}

static long p_readlink(struct mount *m, const char *rel, char *buf, size_t len)
{
	struct ppath p;
	if (!parse(rel, &p))
		return hostfs_ops.readlink(m, rel, buf, len);
	return link_target(&p, buf, len);
}

static long p_access(struct mount *m, const char *rel, int mode)
{
	struct kstat st;
	if (mode & W_OK)
		return -EACCES;
	return p_stat(m, rel, &st, true);
}

static long p_refuse(struct mount *m, const char *rel, mode_t mode)
{
	(void)m, (void)rel, (void)mode;
	return -EACCES;
}

static long p_unlink(struct mount *m, const char *rel, bool dir)
{
	(void)m, (void)rel, (void)dir;
	return -EACCES;
}

static long p_rename(struct mount *m, const char *old, const char *new)
{
	(void)m, (void)old, (void)new;
	return -EACCES;
}

static long p_statfs(struct mount *m, const char *rel, struct kstatfs *st)
{
	(void)m, (void)rel;
	memset(st, 0, sizeof *st);
	st->type = 0x9fa0; /* PROC_SUPER_MAGIC */
	st->bsize = st->frsize = 4096;
	st->namelen = 255;
	return 0;
}

const struct fs_ops procfs_ops = {
	.open = p_open, .stat = p_stat, .readlink = p_readlink, .access = p_access,
	.mkdir = p_refuse, .unlink = p_unlink, .rename = p_rename, .statfs = p_statfs,
	.setattr = p_setattr,
};
