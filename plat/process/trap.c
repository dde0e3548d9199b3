/* The trap path of the process platform: Syscall User Dispatch turns every `syscall` the
 * program executes into SIGSYS, handled on the thread's alternate stack (its kernel stack).
 * Faults are sorted here too: in a user-access primitive (-EFAULT), in the kernel (panic),
 * or in the program (the program's signal). */
#include "plat/process/host.h"
#include "plat/process/process.h"
#include "kernel/lib.h"
#include "kernel/signal.h"
#include "kernel/uaccess.h"
#include "kernel/mm/kalloc.h"
#include "kernel/proc/proc.h"
#include "kernel/sys/syscall.h"

#define KSTACK_SIZE (256 * 1024)

extern char __executable_start[], __etext[];

static void on_sigsys(int sig, struct host_siginfo *si, struct host_ucontext *uc)
{
	(void)sig, (void)si;
	long *g = uc->gregs;
	long args[6] = {g[REG_RDI], g[REG_RSI], g[REG_RDX], g[REG_R10], g[REG_R8], g[REG_R9]};
	g[REG_RAX] = syscall_dispatch(g[REG_RAX], args, PATH_TRAP);
}

static bool in_kernel_text(uintptr_t rip)
{
	return rip >= (uintptr_t)__executable_start && rip < (uintptr_t)__etext;
}

static void on_fault(int sig, struct host_siginfo *si, struct host_ucontext *uc)
{
	uintptr_t rip = (uintptr_t)uc->gregs[REG_RIP];
	uintptr_t fix = arch_uaccess_fixup(rip);
	if (fix) {
		uc->gregs[REG_RIP] = (long)fix;
		return;
	}
	if (in_kernel_text(rip))
		kpanic("%s at rip=%#lx (elfin+%#lx), address %p, rsp=%#lx", sig == SIGSEGV ? "SIGSEGV" : "fault", rip,
		       rip - (uintptr_t)__executable_start, si->addr, (unsigned long)uc->gregs[REG_RSP]);
	/* The program's own fault: handlers come with the signals work, so take the default
	 * (a fault's signal cannot be ignored). */
	proc_kill_by_signal(sig);
}

static void handle(int sig, void (*fn)(int, struct host_siginfo *, struct host_ucontext *), uint64_t mask)
{
	struct host_sigaction sa = {(void *)fn, H_SA_SIGINFO | H_SA_ONSTACK | H_SA_RESTORER, host_sigreturn_trampoline, mask};
	long r = HOST4(H_rt_sigaction, sig, &sa, NULL, 8);
	if (r < 0)
		kpanic("cannot handle host signal %d (%ld)", sig, r);
}

/* Gives the calling host thread its kernel stack. */
void trap_init_thread(void)
{
	void *stack = kmalloc(KSTACK_SIZE);
	kassert(stack);
	struct {
		void *sp;
		int flags;
		size_t size;
	} ss = {stack, 0, KSTACK_SIZE};
	kassert(HOST2(H_sigaltstack, &ss, NULL) == 0);
}

void trap_install(void)
{
	uint64_t faults = (1UL << (SIGSEGV - 1)) | (1UL << (SIGBUS - 1)) | (1UL << (SIGFPE - 1)) |
			  (1UL << (SIGILL - 1)) | (1UL << (SIGTRAP - 1));
	handle(SIGSYS, on_sigsys, ~faults); /* the kernel runs with async signals blocked */
	for (int sig = 1; sig < 32; sig++)
		if (faults & (1UL << (sig - 1)))
			handle(sig, on_fault, ~faults);
	struct host_sigaction ign = {(void *)1 /* SIG_IGN */, H_SA_RESTORER, host_sigreturn_trampoline, 0};
	HOST4(H_rt_sigaction, SIGPIPE, &ign, NULL, 8); /* EPIPE comes back; the kernel raises SIGPIPE */
}

/* From here on every syscall outside elfin's text traps. */
void trap_enable(void)
{
	long r = HOST5(H_prctl, PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_ON, __executable_start,
		       __etext - __executable_start, 0);
	if (r < 0) {
		kprintf("elfin: this host has no Syscall User Dispatch (Linux 5.11 or later needed)\n");
		plat_exit(1);
	}
}
