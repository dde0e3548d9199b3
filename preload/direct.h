/* The adapter library's hand-written part: how a generated wrapper enters elfin's kernel.
 * The library is preloaded into a dynamically linked program; its wrappers carry libc's
 * names, call the kernel's direct entry that elfin's vDSO publishes (__elfin_syscall), and
 * turn -errno into errno and -1 as libc does. Outside elfin there is no such entry and every
 * wrapper makes the ordinary system call, so preloading the library is harmless anywhere. */
#pragma once
#include "arch/x86_64/raw_syscall.h"

extern long (*elfin_entry)(long nr, const long *args);
int *__errno_location(void); /* glibc's and musl's errno */

static inline long elfin_call(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	long args[6] = {a0, a1, a2, a3, a4, a5};
	if (__builtin_expect(elfin_entry != 0, 1))
		return elfin_entry(nr, args);
	return raw_syscall6(nr, a0, a1, a2, a3, a4, a5);
}

/* The kernel's result as libc returns it. */
static inline long elfin_result(long r)
{
	if (__builtin_expect((unsigned long)r > -4096UL, 0)) {
		*__errno_location() = (int)-r;
		return -1;
	}
	return r;
}
