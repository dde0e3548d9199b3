/* The virtual file system: open files, the fd table, mounts and path resolution. */
#pragma once
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "kernel/lock.h"
#include "kernel/fs/path.h"

struct timespec64 {
	int64_t sec, nsec;
};

/* Everything stat, fstatat and statx can report. */
struct kstat {
	uint64_t dev, ino, nlink, rdev;
	uint32_t mode, uid, gid, blksize;
	int64_t size, blocks;
	struct timespec64 atime, mtime, ctime, btime;
	uint32_t mask; /* STATX_* fields that are valid */
	uint32_t dev_major, dev_minor, rdev_major, rdev_minor;
};

/* Linux struct statfs (x86_64). */
struct kstatfs {
	int64_t type, bsize;
	uint64_t blocks, bfree, bavail, files, ffree;
	int32_t fsid[2];
	int64_t namelen, frsize, flags, spare[4];
};

struct file;
struct poll_table;
struct epitem;

/* Attributes that chmod and utimensat change; valid says which. The change time is the
 * file system's to set. */
#define KATTR_MODE 1
#define KATTR_ATIME 2
#define KATTR_MTIME 4
#define KATTR_UID 8
#define KATTR_GID 16
struct kattr {
	unsigned valid;
	mode_t mode;
	uid_t uid;
	gid_t gid;
	struct timespec64 atime, mtime;
};

/* What an open file can do. A NULL operation gives the errno Linux gives for that kind of file. */
struct file_ops {
	long (*read)(struct file *f, void *ubuf, size_t len);
	long (*write)(struct file *f, const void *ubuf, size_t len);
	long (*pread)(struct file *f, void *ubuf, size_t len, off_t off);
	long (*pwrite)(struct file *f, const void *ubuf, size_t len, off_t off);
	long (*lseek)(struct file *f, off_t off, int whence);
	long (*stat)(struct file *f, struct kstat *st);
	long (*statfs)(struct file *f, struct kstatfs *st);
	long (*getdents)(struct file *f, void *ubuf, size_t len);
	long (*ioctl)(struct file *f, unsigned long req, void *uarg);
	long (*truncate)(struct file *f, off_t len);
	long (*sync)(struct file *f, bool data_only);
	long (*setfl)(struct file *f, int flags);
	/* Maps the file at addr (MAP_FIXED semantics when fixed); returns the address. */
	long (*mmap)(struct file *f, void *addr, size_t len, int prot, int flags, off_t off);
	void (*release)(struct file *f);
	/* Readiness (POLL* bits) for events; with pt, also registers where a change is signalled.
	 * NULL: always ready for reading and writing, like a regular file. */
	unsigned (*poll)(struct file *f, unsigned events, struct poll_table *pt);
	long (*setattr)(struct file *f, const struct kattr *a);
	long (*fallocate)(struct file *f, int mode, off_t off, off_t len);
	/* readv/writev at the file's position in one piece (a socket sends one message); uiov is
	 * the program's array of cnt iovecs. NULL: one read or write per iovec. */
	long (*rwv)(struct file *f, bool wr, const void *uiov, int cnt);
};

struct file {
	const struct file_ops *ops;
	int refs;
	int flags;   /* O_ACCMODE, O_APPEND, O_NONBLOCK, ... as opened */
	off_t pos;   /* for files whose position the kernel keeps */
	char *path;  /* absolute path it was opened by */
	int host;    /* host handle, or -1 */
	void *priv;
	struct epitem *epitems; /* epoll registrations, dropped when the file closes */
};

struct file *file_new(const struct file_ops *ops, int flags, const char *path);
struct file *file_get(struct file *f);
void file_put(struct file *f);

/* A mounted file system; paths given to its operations are relative to its root ("" = root). */
struct mount;
struct fs_ops {
	long (*open)(struct mount *m, const char *rel, int flags, mode_t mode, struct file *f);
	long (*stat)(struct mount *m, const char *rel, struct kstat *st, bool follow);
	long (*readlink)(struct mount *m, const char *rel, char *buf, size_t len);
	long (*access)(struct mount *m, const char *rel, int mode);
	long (*mkdir)(struct mount *m, const char *rel, mode_t mode);
	long (*unlink)(struct mount *m, const char *rel, bool dir);
	long (*rename)(struct mount *m, const char *old, const char *new);
	long (*statfs)(struct mount *m, const char *rel, struct kstatfs *st);
	/* The operations below may be NULL. follow finds the first symbolic link that resolving
	 * rel must follow (in a directory position; in the last one too when last is set or rel
	 * ends in '/'): copies its target into buf, sets *at to the end of its name in rel and
	 * returns the target's length; 0 when there is none. */
	long (*follow)(struct mount *m, const char *rel, bool last, size_t *at, char *buf, size_t len);
	long (*symlink)(struct mount *m, const char *rel, const char *target);
	/* Gives the open file from, or else the file old, the new name new (both on m). */
	long (*link)(struct mount *m, struct file *from, const char *old, const char *new);
	long (*rename2)(struct mount *m, const char *old, const char *new, unsigned flags);
	long (*setattr)(struct mount *m, const char *rel, const struct kattr *a, bool follow);
	/* Makes a FIFO, socket, regular or device file of mode, S_IF* included. */
	long (*mknod)(struct mount *m, const char *rel, mode_t mode);
};

/* Internal, never seen by the program: an operation met a symbolic link that resolution must
 * follow. The VFS asks the file system where it points (follow), rewrites the path and calls
 * the operation again, at most SYMLOOP_MAX times (then -ELOOP). */
#define EFOLLOW 530
#define SYMLOOP_MAX 40

#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE 2
#define RENAME_WHITEOUT 4

struct mount {
	char *path;  /* absolute, normalized: "/" or "/tmp" */
	size_t len;
	const struct fs_ops *ops;
	int host;    /* host directory handle for host-backed mounts */
	bool rw;
	void *priv;
};

void vfs_mount(const char *path, const struct fs_ops *ops, int host, bool rw, void *priv);
struct strbuf;
void vfs_describe_mounts(struct strbuf *sb);

#define PATH_MAX 4096

/* A path the program named, resolved: the mount and the path inside it. */
struct lookup {
	char abs[PATH_MAX];
	struct mount *mnt;
	const char *rel;
};

/* Resolves a program path (already copied into the kernel) against dirfd. */
long vfs_resolve(int dirfd, const char *path, struct lookup *lk);
/* Copies a path from the program and resolves it; AT_EMPTY_PATH handling is the caller's. */
long vfs_resolve_user(int dirfd, const char *upath, struct lookup *lk);
/* The same, and says what the path's last component was before "." and ".." were resolved
 * away: the calls that make, remove or rename a name refuse ".", ".." and "/". */
long vfs_resolve_user_last(int dirfd, const char *upath, struct lookup *lk, enum path_last *last);

/* Operations on a resolved path. Each follows the symbolic links on its way and leaves lk
 * naming where it arrived; follow says whether a link in the last position is followed. */
long vfs_open(struct lookup *lk, int flags, mode_t mode, struct file **out);
/* Follows every link left in lk, so lk->abs names the file itself (getcwd, /proc/self/exe). */
long vfs_realpath(struct lookup *lk);
/* Opens f anew on what the program's descriptor fd holds (/dev/stdin, /proc/self/fd/N):
 * host files get a new host handle; kernel objects are -ENXIO for now. */
long vfs_reopen_fd(int fd, struct file *f);
/* Opens lk into the file f that another file system's open was given (mode as it is). */
long vfs_open_file(struct lookup *lk, int flags, mode_t mode, struct file *f);
long vfs_stat(struct lookup *lk, struct kstat *st, bool follow);
long vfs_access(struct lookup *lk, int mode, bool follow);
long vfs_readlink(struct lookup *lk, char *buf, size_t len);
long vfs_mkdir(struct lookup *lk, mode_t mode);
/* -EPERM on a file system without special files (-EROFS if read-only). */
long vfs_mknod(struct lookup *lk, mode_t mode);
long vfs_unlink(struct lookup *lk, bool dir);
long vfs_symlink(struct lookup *lk, const char *target);
long vfs_statfs(struct lookup *lk, struct kstatfs *st);
long vfs_setattr(struct lookup *lk, const struct kattr *a, bool follow);
long vfs_rename(struct lookup *old, struct lookup *new, unsigned flags);
/* Links the open file from (when not NULL) or else old (its last link followed when follow). */
long vfs_link(struct file *from, struct lookup *old, struct lookup *new, bool follow);
/* Replaces the first link that lk must follow by its target (see fs_ops.follow): 1 when it
 * did, 0 when there was none, -ELOOP when *links reaches SYMLOOP_MAX, or -errno. */
long vfs_follow(struct lookup *lk, bool last, int *links);
/* The mount an absolute, normalized path lies on. */
struct mount *vfs_mount_of(const char *abs);

/* The fd table. */
#define FD_MAX 1024
struct fdtable {
	struct spinlock lock; /* a file is taken (file_get) under it, so close cannot free it first */
	struct file *files[FD_MAX];
	bool cloexec[FD_MAX];
};
struct fdtable *fdtable_new(void);
/* Installs f at the lowest free fd >= min; returns the fd or -EMFILE. Takes the reference. */
long fd_install(struct file *f, int min, bool cloexec);
/* Returns the file with a new reference, or NULL. */
struct file *fd_get(int fd);
long fd_close(int fd);
/* Puts f (a new reference) at fd, returning what was there (to be closed) or NULL. */
struct file *fd_replace(int fd, struct file *f, bool cloexec);

/* Host-backed files (hostfs.c), shared with devfs and procfs for pass-through. */
extern const struct fs_ops hostfs_ops;
extern const struct file_ops hostfile_ops;
struct file *hostfs_wrap(int host, int flags, const char *path);
void kstat_from_statx(struct kstat *st, const void *statx);

/* epoll (epoll.c): its file operations, the hook that drops a closed file's items, and the
 * one that moves them when a kernel file becomes a host file (an AF_UNIX socket's). */
extern const struct file_ops epoll_ops;
void epoll_file_closed(struct file *f);
void epoll_file_moved(struct file *f);
/* flock (flock.c): a closed file's lock goes. */
void flock_file_closed(struct file *f);
/* fcntl record locks (reclock.c): F_GETLK, F_SETLK(W) and their OFD forms; and what closing
 * a file or one descriptor of it drops. */
long reclock_fcntl(struct file *f, int cmd, void *uflock);
void reclock_file_closed(struct file *f);
void reclock_fd_closed(struct file *f);

/* Pipes (pipe.c): the capacity of a pipe, or -EBADF for other files; F_SETPIPE_SZ. */
long pipe_capacity(struct file *f);
long pipe_set_capacity(struct file *f, unsigned long size);

/* Named pipes (pipe.c). A file system's FIFO inode keeps a slot for the pipe that its opens
 * meet at (NULL while none is open), and answers for the inode what an open FIFO is asked. */
struct pipe;
struct fifo_ops {
	void (*stat)(void *node, struct kstat *st);
	long (*statfs)(void *node, struct kstatfs *st);
	long (*setattr)(void *node, const struct kattr *a);
	void (*get)(void *node); /* takes a hold on node for another open file */
	void (*put)(void *node); /* drops an open file's hold on node */
};
/* Opens f (its flags set) on the FIFO node as Linux does: a reader waits for a writer and a
 * writer for a reader unless O_NONBLOCK (then a writer without a reader gets -ENXIO), O_RDWR
 * never waits; a signal ends the wait with -ERESTARTSYS. The caller has taken a hold on node
 * for f, which nops->put gives back when f closes or the open fails. */
long fifo_open(struct pipe **slot, void *node, const struct fifo_ops *nops, struct file *f);
/* Opens f (its flags set) as another end of the pipe src is open on (/proc/self/fd/N,
 * /dev/fd/N): a FIFO's as fifo_open does, an anonymous pipe's at once; -ENXIO if src is no pipe. */
long pipe_reopen(struct file *src, struct file *f);

/* The other file systems. */
extern const struct fs_ops tmpfs_ops, devfs_ops, procfs_ops;
void *tmpfs_new(void);
/* Helpers for synthetic files: a read-only file whose contents are made at open. */
long memfile_open(struct file *f, char *data, size_t len);
long dir_emit(void *ubuf, size_t len, size_t *used, uint64_t ino, int64_t off, int type, const char *name);

#define DT_UNKNOWN 0
#define DT_CHR 2
#define DT_DIR 4
#define DT_REG 8
#define DT_LNK 10
