/* procfs internals: the generated files of /proc/self. */
#pragma once
#include "kernel/fs/vfs.h"
#include "kernel/lib.h"

struct procfs_gen {
	const char *name;
	void (*gen)(struct strbuf *sb);
};

extern const struct procfs_gen procfs_self_files[];
/* Opens f as a read-only file holding what gen writes. */
long procfs_gen_open(struct file *f, void (*gen)(struct strbuf *));
