/* Kernel locks. Threads run truly in parallel on the process platform, and a host thread
 * holding a lock can be preempted by the host: so a contended lock spins only briefly, then
 * sleeps in the platform (a host futex there) until the holder hands it back. Uncontended,
 * taking and dropping a lock is one atomic instruction each. */
#pragma once
#include <stdbool.h>

struct spinlock {
	volatile int locked; /* 0 free, 1 held, 2 held and someone may be sleeping on it */
};

void spin_lock_contended(struct spinlock *l);
/* The platform's side: sleep while *word == val (spurious returns allowed); wake one sleeper. */
void plat_lock_wait(volatile int *word, int val);
void plat_lock_wake(volatile int *word);

static inline void spin_lock(struct spinlock *l)
{
	int free = 0;
	if (__builtin_expect(!__atomic_compare_exchange_n(&l->locked, &free, 1, false, __ATOMIC_ACQUIRE,
							  __ATOMIC_RELAXED), 0))
		spin_lock_contended(l);
}

static inline void spin_unlock(struct spinlock *l)
{
	if (__builtin_expect(__atomic_exchange_n(&l->locked, 0, __ATOMIC_RELEASE) == 2, 0))
		plat_lock_wake(&l->locked);
}
