/* Futexes: the kernel's own wait queues keyed by user address (never host futexes). */
#pragma once
#include "kernel/types.h"

/* Wakes up to n waiters on uaddr (any bitset); returns how many. */
long futex_wake_addr(void *uaddr, int n);
