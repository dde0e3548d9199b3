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
#define H_epoll_ctl 233
#define H_epoll_pwait 281
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
	int polling;              /* 1 while it sleeps on evfd; a waker that clears it writes evfd */
	int inset;                /* the host readiness set evfd is a member of, or -1 */
	uint64_t inset_id;        /* and that set's id (a handle number can be reused) */
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
	main_thread.inset = -1;
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
	pt->inset = -1;
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

/* The thread's wake eventfd (blocking: it is read only when a waker has written or is about
 * to write it), made at the first sleep that needs one; < 0 if the host has none. */
static int wake_fd(struct plat_thread *pt)
{
	if (pt->evfd < 0)
		pt->evfd = (int)HOST2(H_eventfd2, 0, 0x80000 /* EFD_CLOEXEC */);
	return pt->evfd;
}

/* Ends a sleep on the wake eventfd: a waker that took the flag writes the eventfd once, and
 * that write is read here, so the eventfd is never left ready for a thread that no longer
 * sleeps (other threads sleeping on the same host set would see it). */
static void poll_end(struct plat_thread *pt)
{
	if (__atomic_exchange_n(&pt->polling, 0, __ATOMIC_SEQ_CST) == 0) {
		uint64_t v;
		while (HOST3(H_read, pt->evfd, &v, sizeof v) == -EINTR)
			;
	}
}

/* Starts one: false (nothing to wait for) if t's count moved. */
static bool poll_begin(struct kthread *t, uint32_t seq)
{
	struct plat_thread *pt = t->plat;
	__atomic_store_n(&pt->polling, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&t->wake_seq, __ATOMIC_SEQ_CST) == seq)
		return true;
	poll_end(pt);
	return false;
}

/* The time left until deadline on clock clk, as a host timespec. */
static void time_left(int clk, int64_t deadline, int64_t ts[2])
{
	int64_t s, ns;
	plat_clock_gettime(clk, &s, &ns);
	int64_t left = MAX(deadline - (s * 1000000000 + ns), (int64_t)0);
	ts[0] = left / 1000000000;
	ts[1] = left % 1000000000;
}

/* Sleeps on the thread's wake count: a host futex, or with host files to watch, a host
 * ppoll that includes the thread's own eventfd, which plat_wake writes while it polls. */
long plat_block(struct kthread *t, uint32_t seq, struct plat_pollfd *fds, int nfds, int clk, int64_t deadline)
{
	struct plat_thread *pt = t->plat;
	uint64_t open = 1UL << (31 - 1), old; /* only SIGSYS stays blocked while we sleep */
	long r;
	if (nfds && wake_fd(pt) >= 0) {
		struct plat_pollfd all[1 + POLL_MAX];
		nfds = MIN(nfds, POLL_MAX);
		all[0] = (struct plat_pollfd){pt->evfd, 1 /* POLLIN */, 0};
		memcpy(all + 1, fds, nfds * sizeof *fds);
		if (!poll_begin(t, seq))
			return -EAGAIN;
		int64_t ts[2], *tsp = NULL;
		if (deadline >= 0) {
			time_left(clk, deadline, ts);
			tsp = ts;
		}
		r = HOST5(H_ppoll, all, nfds + 1, tsp, &open, 8); /* signals open only while it waits */
		poll_end(pt);
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

/* Sleeps on a host readiness set and harvests it in one host epoll_pwait: the thread's wake
 * eventfd is a member of the set it last slept on (cookie 0, which is never reported), so
 * plat_wake ends this sleep as it ends a ppoll. Moving to another set costs two epoll_ctl. */
long plat_pollset_wait(struct kthread *t, uint32_t seq, int set, uint64_t id, struct plat_event *evs,
		       int max, int64_t timeout)
{
	struct plat_thread *pt = t->plat;
	uint64_t open = 1UL << (31 - 1); /* only SIGSYS stays blocked while we sleep */
	if (wake_fd(pt) < 0)
		return -ENOSYS;
	if (pt->inset != set || pt->inset_id != id) {
		struct plat_event ev = {1 /* EPOLLIN */, 0};
		if (pt->inset >= 0)
			HOST4(H_epoll_ctl, pt->inset, 2 /* EPOLL_CTL_DEL */, pt->evfd, NULL);
		pt->inset = -1;
		long r = HOST4(H_epoll_ctl, set, 1 /* EPOLL_CTL_ADD */, pt->evfd, &ev);
		if (r < 0 && r != -EEXIST)
			return r;
		pt->inset = set;
		pt->inset_id = id;
	}
	if (!poll_begin(t, seq))
		return -EAGAIN;
	long ms = timeout < 0 ? -1 : (long)MIN((timeout + 999999) / 1000000, (int64_t)0x7fffffff);
	long r = HOST6(H_epoll_pwait, set, evs, max, ms, &open, 8);
	poll_end(pt);
	if (r < 0)
		return r;
	long n = 0;
	for (long i = 0; i < r; i++)
		if (evs[i].cookie)
			evs[n++] = evs[i];
	return n == 0 && r == 0 && timeout >= 0 ? -ETIMEDOUT : n;
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

void plat_yield(void)
{
	HOST0(H_sched_yield);
}

void plat_wake(struct kthread *t)
{
	struct plat_thread *pt = t->plat;
	HOST3(H_futex, &t->wake_seq, H_FUTEX_WAKE_PRIVATE, 0x7fffffff);
	if (pt && __atomic_exchange_n(&pt->polling, 0, __ATOMIC_SEQ_CST)) {
		uint64_t one = 1;
		HOST3(H_write, pt->evfd, &one, sizeof one);
	}
}
