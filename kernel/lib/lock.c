/* The contended half of kernel locks (kernel/lock.h): a short spin, for holders that are
 * running and about to let go, then sleeping with the word set to 2 so that the holder's
 * unlock wakes a sleeper (the classic three-state futex mutex). */
#include "kernel/lock.h"

#define SPINS 200

void spin_lock_contended(struct spinlock *l)
{
	for (int i = 0; i < SPINS; i++) {
		__builtin_ia32_pause();
		int free = 0;
		if (l->locked == 0 && __atomic_compare_exchange_n(&l->locked, &free, 1, false, __ATOMIC_ACQUIRE,
								  __ATOMIC_RELAXED))
			return;
	}
	/* Taking it as 2 is conservative: the next unlock makes one wake call that may find
	 * nobody, never misses one. */
	while (__atomic_exchange_n(&l->locked, 2, __ATOMIC_ACQUIRE) != 0)
		plat_lock_wait(&l->locked, 2);
}
