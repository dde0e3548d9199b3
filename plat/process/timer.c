/* The timer context of the process platform: one host thread of elfin's own that sleeps
 * until the earliest kernel timer is due and runs the expired ones. It never runs program
 * code, so it neither traps nor takes the program's signals. */
#include "plat/process/host.h"
#include "plat/process/process.h"
#include "kernel/lib.h"
#include "kernel/mm/kalloc.h"
#include "kernel/time/timer.h"
#include "kernel/proc/proc.h"

#define TIMER_STACK (64 * 1024)
#define H_futex 202
#define H_FUTEX_WAIT_BITSET_PRIVATE (9 | 128)
#define H_FUTEX_WAKE_PRIVATE (1 | 128)

static uint32_t seq;
static int64_t deadline = -1;
static struct kthread *timer_kt;
static volatile int32_t timer_tid;

long host_clone(unsigned long flags, void *stack, volatile int32_t *tid, void (*fn)(void *), void *arg);

static void timer_main(void *arg)
{
	HOST2(H_arch_prctl, 0x1001 /* ARCH_SET_GS */, arg);
	HOST_RAISE_PRIORITY();
	uint64_t all = ~0UL;
	HOST4(H_rt_sigprocmask, 2 /* SIG_SETMASK */, &all, NULL, 8);
	for (;;) {
		uint32_t s = __atomic_load_n(&seq, __ATOMIC_SEQ_CST);
		int64_t d = __atomic_load_n(&deadline, __ATOMIC_SEQ_CST);
		if (d >= 0 && timer_now() >= d) {
			timer_run_expired();
			continue;
		}
		int64_t ts[2] = {d / 1000000000, d % 1000000000};
		HOST6(H_futex, &seq, H_FUTEX_WAIT_BITSET_PRIVATE, s, d < 0 ? NULL : ts, NULL, 0xffffffff);
	}
}

void plat_timer_start(struct kthread *kt)
{
	timer_kt = kt;
	char *stack = kmalloc(TIMER_STACK);
	kassert(stack);
	long r = host_clone(0x3d0f00, stack + TIMER_STACK, &timer_tid, timer_main, kt);
	if (r < 0)
		kpanic("cannot start the timer thread (%ld)", r);
}

void plat_timer_program(int64_t d)
{
	if (current() == timer_kt) { /* the timer context sets the next deadline outright */
		__atomic_store_n(&deadline, d, __ATOMIC_SEQ_CST);
	} else { /* others may only bring it forward */
		int64_t cur = __atomic_load_n(&deadline, __ATOMIC_SEQ_CST);
		do {
			if (d < 0 || (cur >= 0 && cur <= d))
				return;
		} while (!__atomic_compare_exchange_n(&deadline, &cur, d, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
	}
	__atomic_add_fetch(&seq, 1, __ATOMIC_SEQ_CST);
	HOST3(H_futex, &seq, H_FUTEX_WAKE_PRIVATE, 1);
}
