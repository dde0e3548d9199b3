/* syscall(2): the numbers the library wraps go by the direct path, every other one by the
 * ordinary `syscall` (clone, sigreturn and the like need the trap's register frame). */
#include "preload/direct.h"

extern const unsigned short elfin_direct_calls[];
extern const unsigned elfin_ndirect_calls;

static unsigned char direct_ok[512 / 8];

__attribute__((constructor)) static void index_calls(void)
{
	for (unsigned i = 0; i < elfin_ndirect_calls; i++)
		direct_ok[elfin_direct_calls[i] / 8] |= (unsigned char)(1 << (elfin_direct_calls[i] % 8));
}

/* Variadic in libc; the six arguments arrive in registers and on the stack all the same. */
long syscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	if (nr >= 0 && nr < 512 && (direct_ok[nr / 8] & (1 << (nr % 8))))
		return elfin_result(elfin_call(nr, a0, a1, a2, a3, a4, a5));
	return elfin_result(raw_syscall6(nr, a0, a1, a2, a3, a4, a5));
}
