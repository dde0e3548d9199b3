/* The adapter library's hand-written part: how a generated wrapper enters elfin's kernel.
 * The library is preloaded into a dynamically linked program; its wrappers carry libc's
 * names, call the kernel's direct entry that elfin's vDSO publishes (__elfin_syscall), and
 * turn -errno into errno and -1 as libc does. Outside elfin there is no such entry and every
 * wrapper makes the ordinary system call, so preloading the library is harmless anywhere. */
#pragma once

extern long (*elfin_entry)(long nr, const long *args);
int *__errno_location(void); /* glibc's and musl's errno */

static inline long elfin_call(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	long args[6] = {a0, a1, a2, a3, a4, a5};
	if (__builtin_expect(elfin_entry != 0, 1))
		return elfin_entry(nr, args);
	long r;
	register long r10 __asm__("r10") = a3;
	register long r8 __asm__("r8") = a4;
	register long r9 __asm__("r9") = a5;
	__asm__ volatile("syscall" : "=a"(r) : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return r;
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
