/* Raw host system calls and host structures for the process platform. Only plat/process
 * talks to the host. */
#pragma once
#include "kernel/types.h"

#include "arch/x86_64/raw_syscall.h"

/* The platform's own contexts (the ticker, the timer) stand in for a machine's interrupts:
 * they ask the host to run them ahead of the program's threads (nice -10, where the host lets
 * elfin raise priority; otherwise they run as they are). A late ticker is a late clock. */
#define HOST_RAISE_PRIORITY() host_syscall6(H_setpriority, 0 /* PRIO_PROCESS */, 0 /* this thread */, -10, 0, 0, 0)

/* Every host call goes through here and is counted (plat_host_calls, --stats). */
extern unsigned long host_calls;
static inline long host_syscall6(long n, long a, long b, long c, long d, long e, long f)
{
	__atomic_add_fetch(&host_calls, 1, __ATOMIC_RELAXED);
	return raw_syscall6(n, a, b, c, d, e, f);
}
#define HOST0(n) host_syscall6(n, 0, 0, 0, 0, 0, 0)
#define HOST1(n, a) host_syscall6(n, (long)(a), 0, 0, 0, 0, 0)
#define HOST2(n, a, b) host_syscall6(n, (long)(a), (long)(b), 0, 0, 0, 0)
#define HOST3(n, a, b, c) host_syscall6(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define HOST4(n, a, b, c, d) host_syscall6(n, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define HOST5(n, a, b, c, d, e) host_syscall6(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)
#define HOST6(n, a, b, c, d, e, f) host_syscall6(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

/* Host syscall numbers (x86_64). */
enum {
	H_read = 0, H_write = 1, H_close = 3, H_lseek = 8, H_mmap = 9, H_mprotect = 10, H_munmap = 11,
	H_rt_sigaction = 13, H_rt_sigprocmask = 14, H_ioctl = 16, H_pread64 = 17, H_pwrite64 = 18,
	H_sched_yield = 24, H_mremap = 25, H_madvise = 28, H_dup = 32, H_getpid = 39, H_exit = 60, H_uname = 63,
	H_fcntl = 72, H_fsync = 74, H_fdatasync = 75, H_ftruncate = 77, H_getcwd = 79,
	H_getuid = 102, H_getgid = 104, H_geteuid = 107, H_getegid = 108, H_getppid = 110,
	H_getpgid = 121, H_getsid = 124, H_setpriority = 141,
	H_sigaltstack = 131, H_fstatfs = 138, H_prctl = 157, H_arch_prctl = 158, H_gettid = 186,
	H_clock_gettime = 228, H_clock_getres = 229, H_clock_nanosleep = 230, H_exit_group = 231,
	H_openat = 257, H_mkdirat = 258, H_mknodat = 259, H_newfstatat = 262, H_unlinkat = 263, H_renameat = 264,
	H_readlinkat = 267, H_faccessat = 269, H_getdents64 = 217, H_getrandom = 318, H_statx = 332,
	H_openat2 = 437, H_sysinfo = 99, H_kill = 62, H_tgkill = 234,
};

struct host_sigaction {
	void *handler;
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};

struct host_siginfo {
	int signo, errno_, code, pad;
	union {
		void *addr;       /* SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP */
		struct {
			void *call_addr;
			int syscall;
			unsigned arch;
		} sys;            /* SIGSYS */
	};
	char rest[128 - 32];
};

enum { REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15, REG_RDI, REG_RSI, REG_RBP,
       REG_RBX, REG_RDX, REG_RAX, REG_RCX, REG_RSP, REG_RIP, REG_EFL, REG_CSGSFS, REG_ERR, REG_TRAPNO,
       REG_OLDMASK, REG_CR2, NGREG };

struct host_ucontext {
	unsigned long flags;
	struct host_ucontext *link;
	struct {
		void *sp;
		int flags;
		size_t size;
	} stack;
	long gregs[NGREG];
	void *fpregs;
	unsigned long reserved1[8];
	uint64_t sigmask;
};

#define H_SA_SIGINFO 4
#define H_SA_ONSTACK 0x08000000
#define H_SA_RESTORER 0x04000000
#define H_SA_NODEFER 0x40000000
#define PR_SET_SYSCALL_USER_DISPATCH 59
#define PR_SYS_DISPATCH_ON 1

void host_sigreturn_trampoline(void);
noreturn void host_enter_program(uintptr_t pc, uintptr_t sp);
