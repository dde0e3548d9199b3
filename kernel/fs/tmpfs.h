/* tmpfs internals shared by its name space (tmpfs.c) and its open files (tmpfs_file.c). */
#pragma once
#include "kernel/fs/vfs.h"
#include "kernel/lock.h"

struct tmpfs;
struct tdent;

/* An inode: a file, directory or symbolic link, named by nlink directory entries and held
 * by refs open files; it goes when both are zero. */
struct tinode {
	struct tmpfs *fs;
	uint32_t mode, uid, gid;
	uint64_t ino;
	int nlink, refs;
	bool linkable; /* unnamed (O_TMPFILE without O_EXCL): linkat may give it a name */
	struct timespec64 atime, mtime, ctime, btime;
	/* directories: entries in creation order, each with its getdents offset */
	struct tdent *dents, **tail;
	struct tinode *parent;
	int64_t next_off;
	/* symbolic links */
	char *target;
	/* FIFOs: the pipe their opens meet at while one is open (pipe.c's fifo_lock guards it) */
	struct pipe *pipe;
	/* regular files: size bytes at data, which can hold cap (bytes past size are zero).
	 * data is a kernel heap buffer while the file is small and was never mapped; then a
	 * window (a mapping inside the kernel heap block win_block, win_len bytes) on a
	 * platform shared-memory object of cap bytes, which the program maps too. The lock
	 * guards the data, size and times. Directories use size for Linux's bogus size. */
	struct spinlock lock;
	size_t size, cap, win_len;
	size_t populated; /* the window's pages below this are mapped */
	char *data;
	int shm; /* the object's handle, -1 while the data is in the heap */
	void *win_block;
};

struct tdent {
	struct tdent *next;
	struct tinode *node;
	int64_t off;
	char name[];
};

struct tmpfs {
	struct spinlock lock; /* the name space: entries, links, modes and times */
	struct tinode *root;
	uint64_t next_ino;
};

#define TMPFS_MAGIC 0x01021994
#define TMPFS_DEV 0x16
#define TMPFS_DIRENT_SIZE 20 /* what an entry adds to a directory's size, as in Linux */

struct timespec64 tmpfs_now(void);
void tmpfs_fill_stat(struct tinode *n, struct kstat *st);
void tmpfs_put(struct tinode *n);
/* Opens n as f (the caller holds the name space lock). */
void tmpfs_attach(struct tinode *n, struct file *f);
/* Opens the FIFO n that f was attached to as one end of its pipe (the lock dropped). */
long tmpfs_fifo_open(struct tinode *n, struct file *f);
/* Whether f is an open tmpfs file, and its inode. */
struct tinode *tmpfs_inode(struct file *f);
long tmpfs_setattr(struct tinode *n, const struct kattr *a);
void tmpfs_statfs(struct kstatfs *st);
/* Data of regular files (tmpfs_file.c). */
long tmpfs_resize(struct tinode *n, size_t size);
void tmpfs_free_data(struct tinode *n);
