/* Processes and threads as the kernel core sees them. The kernel's per-thread state hangs
 * off %gs (never %fs, which belongs to the program's TLS). */
#pragma once
#include "kernel/types.h"
#include "kernel/lock.h"
#include "kernel/proc/uregs.h"
#include "kernel/proc/waitq.h"

struct fdtable;

#define NSIG 64
#define SIGBIT(sig) (1UL << ((sig) - 1))

struct ksigaction {
	uintptr_t handler, flags, restorer;
	uint64_t mask;
};

/* Linux's siginfo_t: 128 bytes, the common head and a union of per-cause fields. */
struct ksiginfo {
	int32_t signo, errno_, code, pad;
	union {
		struct {
			int32_t pid;
			uint32_t uid;
			int64_t value; /* sigqueue's sival */
		} kill;
		struct {
			uint64_t addr; /* SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP */
		} fault;
		struct {
			int32_t tid, overrun;
			int64_t value;
		} timer;
		uint64_t raw[14];
	};
};

/* Signals waiting for delivery: one siginfo kept per signal number. */
struct sigpending {
	uint64_t set;
	struct ksiginfo info[NSIG];
};

struct kthread;

/* prctl's attributes (kernel/proc/prctl.c). */
struct prctl_state {
	uint64_t capbset; /* the capability bounding set */
	int pdeathsig;
	int securebits; /* but SECBIT_KEEP_CAPS, which is keepcaps */
	bool dumpable, keepcaps, no_new_privs, subreaper, thp_disable;
};

struct kproc {
	pid_t pid, ppid, pgid, sid;
	int ngroups;
	gid_t groups[32]; /* supplementary groups: the host's at start, then setgroups' */
	struct fdtable *fds;
	char *cwd;      /* absolute, normalized */
	char *exe;      /* absolute path of the running program */
	mode_t umask;
	uintptr_t brk_start, brk_cur;
	uintptr_t stack_floor, stack_start, stack_top; /* the main stack: lowest it may reach, now */
	struct spinlock siglock; /* actions, pending sets and masks of the process and its threads */
	struct ksigaction act[NSIG + 1];
	struct sigpending pending; /* process-directed */
	struct waitq sigwq;        /* woken at every signal sent: signalfd readers */
	struct spinlock threads_lock;
	struct kthread *threads;
	int nthreads;
	char comm[16];
	struct prctl_state prctl;
	uintptr_t arg_start, arg_end, env_start, env_end; /* on the program's initial stack */
	unsigned long auxv[2 * 24];
	size_t auxv_len;
	int64_t start_time; /* CLOCK_BOOTTIME ns at exec */
};

struct kthread {
	struct kthread *self; /* %gs:0 */
	/* %gs:8: set when a signal may have come due for this thread; the vDSO's direct entry
	 * reads it and traps so the signal is delivered (KTHREAD_HINT_OFFSET in vdso_data.h) */
	uint32_t deliver_hint;
	struct kproc *proc;
	pid_t tid;
	uint32_t wake_seq;     /* bumped by every wake-up; the platform blocks on it */
	uint64_t sigmask;
	uint64_t saved_mask;   /* restored after rt_sigsuspend's handler */
	uint64_t sigwait;      /* signals rt_sigtimedwait waits for, blocked or not */
	uint64_t cpumask;      /* sched_setaffinity's mask; 0: every CPU */
	bool restore_mask;
	struct sigpending pending; /* thread-directed */
	struct uregs *regs;    /* the program's registers at this kernel entry */
	void *fpstate;         /* and its FPU/XSAVE state, Linux signal-frame format */
	long sysnr;            /* the syscall being served, for restarts */
	uintptr_t clear_child_tid, robust_list;
	size_t robust_len;
	uint64_t timerslack_ns; /* prctl PR_SET_TIMERSLACK */
	uintptr_t altstack_sp, altstack_flags, altstack_size;
	bool kernel_access; /* the loader reads files into kernel buffers */
	struct kthread *next;  /* in proc->threads */
	void *plat;            /* the platform's per-thread data */
};

static inline struct kthread *current(void)
{
	struct kthread *t;
	__asm__("mov %%gs:0, %0" : "=r"(t));
	return t;
}

static inline struct kproc *curproc(void)
{
	return current()->proc;
}

/* Ends the whole program: exit status, or 128+sig when killed by a signal. */
noreturn void proc_exit_group(int status);
noreturn void proc_kill_by_signal(int sig);

/* The soft resource limit res (RLIMIT_*), as the kernel enforces it. */
#define RLIMIT_AS 9
#define RLIMIT_NOFILE 7
uint64_t proc_rlimit(int res);
void proc_rlimits_init(void);
#define RLIMIT_STACK 3

/* Threads (thread.c). */
void thread_attach(struct kproc *p, struct kthread *t);
/* prctl's attributes as a new program starts with them. */
void prctl_init(struct kproc *p, struct kthread *t);
struct kthread *thread_find(struct kproc *p, pid_t tid);
/* Sleeps until woken, a signal is pending, or the absolute deadline (ns on clock clk,
 * -1 for none) passes: 0 woken, -EINTR, -ETIMEDOUT. cond is checked with the wake count
 * held, so a wake between the check and the sleep is never lost. */
long thread_wait(bool (*cond)(void *), void *arg, int clk, int64_t deadline);
void thread_wake(struct kthread *t);
/* Wakes collected under a lock and made after it is dropped: each thread's wait ends at once
 * (its wake count moves, so no wake-up is lost), but the platform's wake (a slow host call on
 * the process platform) waits for wake_list_run, so that a woken thread never finds the lock
 * still held by its waker. Kernel threads are never freed, so the late wake is safe. */
#define WAKE_LIST_MAX 16
struct wake_list {
	int n;
	struct kthread *t[WAKE_LIST_MAX];
};
void wake_list_add(struct wake_list *wl, struct kthread *t);
void wake_list_run(struct wake_list *wl);
/* The lower level for waits on many objects: take the wake count, check the objects, then
 * sleep unless the count moved (also watching host files, fds). 0, -EINTR or -ETIMEDOUT. */
struct plat_pollfd;
uint32_t thread_wake_seq(void);
long thread_sleep(uint32_t seq, struct plat_pollfd *fds, int nfds, int clk, int64_t deadline);

/* Signals (signal.c). */
#define ERESTARTSYS 512 /* internal: restart the call, or -EINTR if a handler runs */
void signal_send_thread(struct kthread *t, int sig, const struct ksiginfo *info);
void signal_send_process(struct kproc *p, int sig, const struct ksiginfo *info);
bool signal_pending(struct kthread *t);
/* Whether a pending signal of the current thread will run a handler or end the program,
 * i.e. whether an interrupted wait must return rather than go on. */
bool signal_would_interrupt(void);
/* Takes a pending signal among mask (blocked or not) for t: its number, or 0. */
int signal_dequeue_mask(struct kthread *t, uint64_t mask, struct ksiginfo *info);
/* At the end of every kernel entry: runs the default action or sets up the handler frame
 * for the first deliverable signal. ret is the syscall's result (for restarts). */
long signal_deliver(long ret);
/* A fault raised by the program's own instruction. */
void signal_fault(int sig, int code, uintptr_t addr);
/* The most stack a handler's frame takes with an FPU state of fpsize bytes (a platform that
 * knows its state's size gives this as AT_MINSIGSTKSZ). */
size_t signal_frame_bytes(size_t fpsize);
/* A signal raised for the program by the kernel or by the program itself (e.g. EPIPE). */
void proc_raise(int sig);

_Static_assert(__builtin_offsetof(struct kthread, deliver_hint) == 8, "the vDSO reads the hint at %gs:8");
