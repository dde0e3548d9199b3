/* The dispatcher: one table generated from kernel/sys/syscalls.tbl, one entry for all paths. */
#pragma once
#include "kernel/types.h"

enum scfmt {
	SCF_INT, SCF_UINT, SCF_HEX, SCF_PTR, SCF_STR, SCF_OSTR, SCF_IBUF, SCF_OBUF,
	SCF_OFLAGS, SCF_PROT, SCF_MFLAGS, SCF_SIG, SCF_OCT, SCF_DIRFD, SCF_IOCTL, SCF_ARCH, SCF_IOV,
};
enum scret { SCR_LONG, SCR_PTR };

struct syscall_desc {
	const char *name;
	long (*fn)(const long *args); /* NULL: the call returns -ENOSYS */
	unsigned char nargs, ret;
	unsigned char fmt[6], len[6];
};

#include "gen/syscalls.h"
extern const struct syscall_desc syscall_table[SYSCALL_MAX];

/* How a call reached the kernel. */
enum entry_path { PATH_TRAP, PATH_DIRECT, PATH_REWRITTEN, NPATHS };

/* Serves system call nr with its six arguments; returns the value for %rax. */
long syscall_dispatch(long nr, const long *args, enum entry_path path);

/* The direct entry: a plain call from the program's thread, on its stack, published through
 * the vDSO (__elfin_syscall). No register frame: a signal that comes due is delivered at the
 * thread's next trap, and a call interrupted by one returns -EINTR. */
long syscall_direct(long nr, long a0, long a1, long a2, long a3, long a4, long a5);
