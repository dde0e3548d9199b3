/* Threads of the process platform: each program thread is a host thread sharing the process.
 * A new thread starts in elfin's text on a boot stack, takes its kernel stack (sigaltstack),
 * %gs and %fs, turns Syscall User Dispatch on for itself (the host does not inherit it) and
 * enters the program with one host rt_sigreturn, which sets every register at once.
 * Blocking is a host futex on the thread's wake word; a kick is a host signal that makes a
 * thread running program code look at its pending signals. */
#include "plat/process/host.h"
#include "plat/process/process.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/lock.h"
#include "kernel/mm/kalloc.h"
#include "kernel/proc/proc.h"

#define BOOT_STACK_SIZE (16 * 1024)
#define H_CLONE_FLAGS 0x3d0f00 /* VM FS FILES SIGHAND THREAD SYSVSEM PARENT_SETTID CHILD_CLEARTID */
#define H_futex 202
#define H_ppoll 271
#define H_eventfd2 290
#define POLL_MAX 256
#define H_FUTEX_WAIT_BITSET_PRIVATE (9 | 128)
#define H_FUTEX_WAKE_PRIVATE (1 | 128)
#define H_FUTEX_WAIT_PRIVATE (0 | 128)
#define H_FUTEX_CLOCK_REALTIME 256
#define UC_SIGCONTEXT_SS 2
#define UC_STRICT_RESTORE_SS 4

struct plat_thread {
	struct kthread *t;
	char *stack;              /* kernel stack, then the boot stack above it */
	volatile int32_t host_tid; /* the host clears it when the thread is gone */
	uintptr_t tls;
	int evfd;                 /* host eventfd that wakes a ppoll, made at the first poll */
	int polling;
	struct uregs regs;
	struct plat_thread *next_dead;
};

static struct spinlock dead_lock;
static struct plat_thread *dead;
static struct plat_thread main_thread;

long host_clone(unsigned long flags, void *stack, volatile int32_t *tid, void (*fn)(void *), void *arg);

void thread_set_altstack(void *stack)
{
	struct {
		void *sp;
		int flags;
		size_t size;
	} ss = {stack, 0, KSTACK_SIZE};
	kassert(HOST2(H_sigaltstack, &ss, NULL) == 0);
}

/* The first thread: its kernel stack and its host tid, for kicks. */
void thread_init_main(struct kthread *t)
{
	main_thread.t = t;
	main_thread.stack = kmalloc(KSTACK_SIZE);
	kassert(main_thread.stack);
	main_thread.host_tid = (int32_t)HOST0(H_gettid);
	main_thread.evfd = -1;
	t->plat = &main_thread;
	thread_set_altstack(main_thread.stack);
}

/* Frees threads whose host thread has ended (their stacks were in use until then). */
static void reap(void)
{
	spin_lock(&dead_lock);
	for (struct plat_thread **pp = &dead; *pp;) {
		struct plat_thread *pt = *pp;
		if (__atomic_load_n(&pt->host_tid, __ATOMIC_ACQUIRE)) {
			pp = &pt->next_dead;
			continue;
		}
		*pp = pt->next_dead;
		if (pt->evfd >= 0)
			HOST1(H_close, pt->evfd);
		kfree(pt->stack);
		kfree(pt->t);
		kfree(pt);
	}
	spin_unlock(&dead_lock);
}

static noreturn void enter(struct plat_thread *pt)
{
	struct {
		uint64_t pretcode;
		struct host_ucontext uc;
		struct host_siginfo info;
	} __attribute__((aligned(16))) frame;
	memset(&frame, 0, sizeof frame);
	frame.uc.flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
	frame.uc.stack.sp = pt->stack;
	frame.uc.stack.size = KSTACK_SIZE;
	memcpy(frame.uc.gregs, &pt->regs, sizeof frame.uc.gregs);
	/* fpregs NULL: the thread starts with a clean FPU; the mask is empty */
	trap_enable();
	host_sigreturn_to(&frame.uc);
}

static void child_main(void *arg)
{
	struct plat_thread *pt = arg;
	plat_set_current(pt->t);
	plat_set_tls(pt->tls);
	thread_set_altstack(pt->stack);
	enter(pt);
}

long plat_thread_start(struct kthread *t, const struct uregs *regs, uintptr_t tls)
{
	reap();
	struct plat_thread *pt = kzalloc(sizeof *pt);
	char *stack = kmalloc(KSTACK_SIZE + BOOT_STACK_SIZE);
	if (!pt || !stack) {
		kfree(pt);
		kfree(stack);
		return -EAGAIN;
	}
	pt->t = t;
	pt->evfd = -1;
	pt->stack = stack;
	pt->tls = tls;
	pt->regs = *regs;
	t->plat = pt;
	long r = host_clone(H_CLONE_FLAGS, stack + KSTACK_SIZE + BOOT_STACK_SIZE, &pt->host_tid, child_main, pt);
	if (r < 0) {
		kfree(stack);
		kfree(pt);
		return r == -ENOMEM ? -EAGAIN : r;
	}
	return 0;
}

noreturn void plat_thread_exit(void)
{
	struct plat_thread *pt = current()->plat;
	if (pt != &main_thread) {
		spin_lock(&dead_lock);
		pt->next_dead = dead;
		dead = pt;
		spin_unlock(&dead_lock);
	}
	for (;;)
		HOST1(H_exit, 0);
}

void plat_thread_kick(struct kthread *t)
{
	struct plat_thread *pt = t->plat;
	int32_t tid = pt ? __atomic_load_n(&pt->host_tid, __ATOMIC_ACQUIRE) : 0;
	if (tid)
		HOST3(H_tgkill, pp.info.pid, tid, KICK_SIGNAL);
}

/* Sleeps on the thread's wake count: a host futex, or with host files to watch, a host
 * ppoll that includes the thread's own eventfd, which plat_wake writes while it polls. */
long plat_block(struct kthread *t, uint32_t seq, struct plat_pollfd *fds, int nfds, int clk, int64_t deadline)
{
	struct plat_thread *pt = t->plat;
	uint64_t open = 1UL << (31 - 1), old; /* only SIGSYS stays blocked while we sleep */
	long r;
	if (nfds && pt->evfd < 0)
		pt->evfd = (int)HOST2(H_eventfd2, 0, 0x80800 /* EFD_CLOEXEC | EFD_NONBLOCK */);
	if (nfds && pt->evfd >= 0) {
		struct plat_pollfd all[1 + POLL_MAX];
		nfds = MIN(nfds, POLL_MAX);
		all[0] = (struct plat_pollfd){pt->evfd, 1 /* POLLIN */, 0};
		memcpy(all + 1, fds, nfds * sizeof *fds);
		__atomic_store_n(&pt->polling, 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&t->wake_seq, __ATOMIC_SEQ_CST) != seq) {
			__atomic_store_n(&pt->polling, 0, __ATOMIC_SEQ_CST);
			return -EAGAIN;
		}
		int64_t ts[2], *tsp = NULL;
		if (deadline >= 0) {
			int64_t s, ns;
			plat_clock_gettime(clk, &s, &ns);
			int64_t left = MAX(deadline - (s * 1000000000 + ns), (int64_t)0);
			ts[0] = left / 1000000000;
			ts[1] = left % 1000000000;
			tsp = ts;
		}
		r = HOST5(H_ppoll, all, nfds + 1, tsp, &open, 8); /* signals open only while it waits */
		__atomic_store_n(&pt->polling, 0, __ATOMIC_SEQ_CST);
		if (all[0].revents) {
			uint64_t v;
			HOST3(H_read, pt->evfd, &v, sizeof v);
		}
		memcpy(fds, all + 1, nfds * sizeof *fds);
		return r == 0 ? -ETIMEDOUT : r == -EINTR ? r : 0;
	}
	int64_t ts[2] = {deadline / 1000000000, deadline % 1000000000};
	int op = H_FUTEX_WAIT_BITSET_PRIVATE | (clk == 0 /* CLOCK_REALTIME */ ? H_FUTEX_CLOCK_REALTIME : 0);
	HOST4(H_rt_sigprocmask, 2 /* SIG_SETMASK */, &open, &old, 8);
	r = HOST6(H_futex, &t->wake_seq, op, seq, deadline < 0 ? NULL : ts, NULL, 0xffffffff);
	HOST4(H_rt_sigprocmask, 2, &old, NULL, 8);
	return r == -EAGAIN || r == -ETIMEDOUT || r == -EINTR ? r : 0;
}

/* Kernel locks' sleeping (kernel/lock.h): a host futex on the lock word. Signals stay as they
 * are: a kick that interrupts the wait only makes the caller try the lock again. */
void plat_lock_wait(volatile int *word, int val)
{
	HOST6(H_futex, word, H_FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

void plat_lock_wake(volatile int *word)
{
	HOST6(H_futex, word, H_FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

void plat_wake(struct kthread *t)
{
	struct plat_thread *pt = t->plat;
	HOST3(H_futex, &t->wake_seq, H_FUTEX_WAKE_PRIVATE, 0x7fffffff);
	if (pt && __atomic_load_n(&pt->polling, __ATOMIC_SEQ_CST)) {
		uint64_t one = 1;
		HOST3(H_write, pt->evfd, &one, sizeof one);
	}
}
