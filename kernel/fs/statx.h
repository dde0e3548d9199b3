/* The Linux x86_64 layouts of struct statx, shared by the host file system and the stat calls. */
#pragma once
#include "kernel/types.h"

#define STATX_BASIC_STATS 0x7ff
#define STATX_BTIME 0x800

struct statx_ts {
	int64_t sec;
	uint32_t nsec;
	int32_t pad;
};

struct linux_statx {
	uint32_t mask, blksize;
	uint64_t attributes;
	uint32_t nlink, uid, gid;
	uint16_t mode, pad1;
	uint64_t ino, size, blocks, attributes_mask;
	struct statx_ts atime, btime, ctime, mtime;
	uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
	uint64_t spare[14];
};
