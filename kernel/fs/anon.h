/* Files without a name in any file system (eventfd, timerfd, signalfd, epoll): Linux's
 * anonymous inodes. */
#pragma once
#include "kernel/fs/vfs.h"

/* Installs a new file of ops around priv (freed on failure) as the lowest free fd; flags may
 * hold O_NONBLOCK and O_CLOEXEC. Returns the fd, -ENOMEM or -EMFILE. */
long anon_install(const struct file_ops *ops, void *priv, int flags, const char *name);
/* stat of an anonymous inode: mode 0600, no file type. */
long anon_stat(struct file *f, struct kstat *st);
/* release that frees priv. */
void anon_release(struct file *f);
