/* futex(2): WAIT, WAKE, the BITSET forms, REQUEUE, CMP_REQUEUE and WAKE_OP, private or shared
 * (one address space: the same key), relative and absolute timeouts on CLOCK_MONOTONIC or
 * CLOCK_REALTIME. Waiters sit in hashed buckets; a waiter lives on its own kernel stack. */
#include "kernel/proc/futex.h"
#include "kernel/proc/proc.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/uaccess.h"
#include "kernel/time/time.h"
#include "gen/syscalls.h"

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_CMD_MASK ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME)
#define FUTEX_BITSET_MATCH_ANY 0xffffffffu

#define NBUCKETS 256

struct waiter {
	uintptr_t key;
	uint32_t bitset;
	bool woken;
	struct kthread *thread;
	struct waiter *next;
};

struct bucket {
	struct spinlock lock;
	struct waiter *head;
};

static struct bucket buckets[NBUCKETS];

static struct bucket *bucket_of(uintptr_t key)
{
	return &buckets[(key >> 2) * 0x9e3779b97f4a7c15UL >> 56];
}

static void enqueue(struct bucket *b, struct waiter *w)
{
	struct waiter **pp = &b->head;
	while (*pp)
		pp = &(*pp)->next;
	w->next = NULL;
	*pp = w;
}

/* Removes w if still queued; returns whether it was. */
static bool dequeue(struct bucket *b, struct waiter *w)
{
	for (struct waiter **pp = &b->head; *pp; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			return true;
		}
	return false;
}

/* Wakes up to n waiters of b on key whose bitset matches; the lock is held, and wl's wakes
 * are made once it is dropped. */
static int wake_locked(struct bucket *b, uintptr_t key, int n, uint32_t bitset, struct wake_list *wl)
{
	int woken = 0;
	for (struct waiter **pp = &b->head; *pp && woken < n;) {
		struct waiter *w = *pp;
		if (w->key != key || !(w->bitset & bitset)) {
			pp = &w->next;
			continue;
		}
		*pp = w->next;
		struct kthread *t = w->thread;
		__atomic_store_n(&w->woken, true, __ATOMIC_RELEASE);
		wake_list_add(wl, t); /* w may be gone once its thread runs */
		woken++;
	}
	return woken;
}

static long futex_wake_bits(void *uaddr, int n, uint32_t bitset)
{
	struct bucket *b = bucket_of((uintptr_t)uaddr);
	struct wake_list wl = {0};
	spin_lock(&b->lock);
	int r = wake_locked(b, (uintptr_t)uaddr, n, bitset, &wl);
	spin_unlock(&b->lock);
	wake_list_run(&wl);
	return r;
}

long futex_wake_addr(void *uaddr, int n)
{
	return futex_wake_bits(uaddr, n, FUTEX_BITSET_MATCH_ANY);
}

static bool is_woken(void *w)
{
	return __atomic_load_n(&((struct waiter *)w)->woken, __ATOMIC_ACQUIRE);
}

/* The deadline of a wait as (clock, absolute ns), or -1: relative timeouts run on MONOTONIC. */
static long deadline_of(const void *uts, bool absolute, int *clk, int64_t *deadline)
{
	*deadline = -1;
	if (!uts)
		return 0;
	int64_t ts[2];
	if (copy_from_user(ts, uts, sizeof ts) < 0)
		return -EFAULT;
	if (ts[0] < 0 || ts[1] < 0 || ts[1] >= 1000000000)
		return -EINVAL;
	int64_t ns = ts[0] > INT64_MAX / 1000000000 - 1 ? INT64_MAX / 2 : ts[0] * 1000000000 + ts[1];
	if (!absolute) {
		*clk = CLOCK_MONOTONIC;
		struct timespec64 now = time_now(*clk);
		ns += now.sec * 1000000000 + now.nsec;
	}
	*deadline = ns;
	return 0;
}

static long futex_wait(uint32_t *uaddr, uint32_t val, const void *uts, bool absolute, int clk, uint32_t bitset)
{
	if (!bitset)
		return -EINVAL;
	int64_t deadline;
	long r = deadline_of(uts, absolute, &clk, &deadline);
	if (r < 0)
		return r;
	struct waiter w = {(uintptr_t)uaddr, bitset, false, current(), NULL};
	struct bucket *b = bucket_of(w.key);
	uint32_t cur;
	spin_lock(&b->lock);
	if (copy_from_user(&cur, uaddr, sizeof cur) < 0)
		r = -EFAULT;
	else if (cur != val)
		r = -EAGAIN;
	else
		enqueue(b, &w);
	spin_unlock(&b->lock);
	if (r < 0)
		return r;
	r = thread_wait(is_woken, &w, clk, deadline);
	spin_lock(&b->lock);
	bool still_queued = dequeue(b, &w);
	spin_unlock(&b->lock);
	if (!still_queued)
		return 0; /* woken, perhaps just as the timeout or a signal came */
	return r == -EINTR ? -ERESTARTSYS : r;
}

/* Moves up to n waiters on from to to (in both buckets' locks, taken in address order). */
static long requeue(uint32_t *from, uint32_t *to, int nwake, int nmove, const uint32_t *cmpval)
{
	struct bucket *a = bucket_of((uintptr_t)from), *b = bucket_of((uintptr_t)to);
	struct bucket *first = a < b ? a : b, *second = a < b ? b : a;
	struct wake_list wl = {0};
	spin_lock(&first->lock);
	if (second != first)
		spin_lock(&second->lock);
	long r = 0;
	uint32_t cur;
	if (cmpval && copy_from_user(&cur, from, sizeof cur) < 0)
		r = -EFAULT;
	else if (cmpval && cur != *cmpval)
		r = -EAGAIN;
	if (r == 0) {
		r = wake_locked(a, (uintptr_t)from, nwake, FUTEX_BITSET_MATCH_ANY, &wl);
		int moved = 0;
		for (struct waiter **pp = &a->head; *pp && moved < nmove;) {
			struct waiter *w = *pp;
			if (w->key != (uintptr_t)from) {
				pp = &w->next;
				continue;
			}
			*pp = w->next;
			w->key = (uintptr_t)to;
			enqueue(b, w);
			moved++;
		}
		r += cmpval ? moved : 0;
	}
	if (second != first)
		spin_unlock(&second->lock);
	spin_unlock(&first->lock);
	wake_list_run(&wl);
	return r;
}

/* FUTEX_WAKE_OP: *uaddr2 = op(*uaddr2, oparg); wake uaddr; wake uaddr2 too if cmp holds. */
static long wake_op(uint32_t *uaddr, int n1, uint32_t *uaddr2, int n2, uint32_t enc)
{
	int op = (enc >> 28) & 7, cmp = (enc >> 24) & 15;
	int32_t oparg = (int32_t)(enc << 8) >> 20, cmparg = (int32_t)(enc << 20) >> 20;
	if (enc & (8u << 28))
		oparg = 1 << (oparg & 31);
	if (op > 4 || cmp > 5)
		return -ENOSYS;
	if ((uintptr_t)uaddr2 & 3)
		return -EINVAL;
	int32_t old, nv;
	if (copy_from_user(&old, uaddr2, sizeof old) < 0)
		return -EFAULT;
	long r;
	do { /* other threads may race on *uaddr2: the update is a compare-and-swap loop */
		nv = op == 0 ? oparg : op == 1 ? old + oparg : op == 2 ? (old | oparg) : op == 3 ? (old & ~oparg)
									     : (old ^ oparg);
		r = cmpxchg_user32(uaddr2, (uint32_t *)&old, (uint32_t)nv);
	} while (r == 1);
	if (r < 0)
		return r;
	bool hit = cmp == 0 ? old == cmparg : cmp == 1 ? old != cmparg : cmp == 2 ? old < cmparg
		 : cmp == 3 ? old <= cmparg : cmp == 4 ? old > cmparg : old >= cmparg;
	r = futex_wake_addr(uaddr, n1);
	if (hit)
		r += futex_wake_addr(uaddr2, n2);
	return r;
}

long sys_futex(void *uaddr, int op, unsigned val, const void *ts, void *uaddr2, unsigned val3)
{
	if ((uintptr_t)uaddr & 3)
		return -EINVAL;
	int cmd = op & FUTEX_CMD_MASK;
	bool realtime = op & FUTEX_CLOCK_REALTIME;
	if (realtime && cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_WAIT)
		return -ENOSYS;
	int clk = realtime ? CLOCK_REALTIME : CLOCK_MONOTONIC;
	int n2 = (int)(uintptr_t)ts; /* the "timeout" argument carries a count for these */
	switch (cmd) {
	case FUTEX_WAIT: return futex_wait(uaddr, val, ts, false, clk, FUTEX_BITSET_MATCH_ANY);
	case FUTEX_WAIT_BITSET: return futex_wait(uaddr, val, ts, true, clk, val3);
	case FUTEX_WAKE: return futex_wake_bits(uaddr, (int)val, FUTEX_BITSET_MATCH_ANY);
	case FUTEX_WAKE_BITSET: return val3 ? futex_wake_bits(uaddr, (int)val, val3) : -EINVAL;
	case FUTEX_REQUEUE: return requeue(uaddr, uaddr2, (int)val, n2, NULL);
	case FUTEX_CMP_REQUEUE: return requeue(uaddr, uaddr2, (int)val, n2, &val3);
	case FUTEX_WAKE_OP: return wake_op(uaddr, (int)val, uaddr2, n2, val3);
	default: return -ENOSYS;
	}
}
