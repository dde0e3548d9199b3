/* Extended attributes: none of elfin's file systems keep them, so every call gives the
 * answer of a Linux file system without xattr support. */
#include "kernel/errno.h"
#include "gen/syscalls.h"

#define NO_XATTR(name)                                                                   \
	long sys_##name(const void *a, const void *b, const void *c, size_t d, int e)    \
	{                                                                                \
		(void)a, (void)b, (void)c, (void)d, (void)e;                             \
		return -EOPNOTSUPP;                                                      \
	}

NO_XATTR(setxattr)
NO_XATTR(lsetxattr)
NO_XATTR(fsetxattr)
NO_XATTR(getxattr)
NO_XATTR(lgetxattr)
NO_XATTR(fgetxattr)
NO_XATTR(listxattr)
NO_XATTR(llistxattr)
NO_XATTR(flistxattr)
NO_XATTR(removexattr)
NO_XATTR(lremovexattr)
NO_XATTR(fremovexattr)
