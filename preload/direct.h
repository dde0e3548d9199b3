/* The adapter library's hand-written part: how a generated wrapper enters elfin's kernel.
 * The library is preloaded into a dynamically linked program; its wrappers carry libc's
 * names, call the kernel's direct entry that elfin's vDSO publishes (__elfin_syscall), and
 * turn -errno into errno and -1 as libc does. Outside elfin there is no such entry and every
 * wrapper makes the ordinary system call, so preloading the library is harmless anywhere. */
#pragma once
#include "arch/x86_64/raw_syscall.h"

extern long (*elfin_entry)(long nr, const long *args, void (*on_interrupt)(void));
void pthread_testcancel(void);
int pthread_setcanceltype(int type, int *old);
int *__errno_location(void); /* glibc's and musl's errno */

static inline long elfin_call(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	long args[6] = {a0, a1, a2, a3, a4, a5};
	if (__builtin_expect(elfin_entry != 0, 1))
		return elfin_entry(nr, args, 0);
	return raw_syscall6(nr, a0, a1, a2, a3, a4, a5);
}

/* A pthread cancellation point under elfin: a pending cancellation acts before the call, and
 * one that interrupts it acts before the call is made again. (Outside elfin the wrapper calls
 * libc's own function instead, found with elfin_next.) */
static inline long elfin_call_cancel(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	/* As libc does around its own cancellation points: asynchronous cancellation for the
	 * call's length, so pthread_cancel signals the thread (glibc sends SIGCANCEL only then).
	 * It can only act where the call meets a signal: before it, or at the replay. */
	int old;
	pthread_setcanceltype(1 /* PTHREAD_CANCEL_ASYNCHRONOUS */, &old);
	long args[6] = {a0, a1, a2, a3, a4, a5};
	long r = elfin_entry(nr, args, pthread_testcancel);
	pthread_setcanceltype(old, &old);
	return r;
}

/* The function elfin's vDSO exports as __vdso_<name>, or NULL. */
void *elfin_vdso_fn(const char *name);

/* libc's own function of that name (the next definition after this library's). */
void *elfin_next(const char *name);

/* The kernel's result as libc returns it. */
static inline long elfin_result(long r)
{
	if (__builtin_expect((unsigned long)r > -4096UL, 0)) {
		*__errno_location() = (int)-r;
		return -1;
	}
	return r;
}
