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
#include "kernel/mm/mm.h"
#include "kernel/proc/proc.h"
#include "kernel/sys/syscall.h"

extern char __executable_start[], __etext[];

/* The program's state at this kernel entry, as the host saved it. */
static struct kthread *enter_kernel(struct host_ucontext *uc)
{
	struct kthread *t = current();
	t->regs = (struct uregs *)uc->gregs;
	t->fpstate = uc->fpregs;
	return t;
}

static void on_sigsys(int sig, struct host_siginfo *si, struct host_ucontext *uc)
{
	(void)sig, (void)si;
	enter_kernel(uc);
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
	if (fix) { /* a user copy: it goes on if the main stack grows over the address, else -EFAULT */
		if (sig != SIGSEGV || !mm_stack_grow((uintptr_t)si->addr))
			uc->gregs[REG_RIP] = (long)fix;
		return;
	}
	if (in_kernel_text(rip))
		kpanic("%s at rip=%#lx (elfin+%#lx), address %p, rsp=%#lx", sig == SIGSEGV ? "SIGSEGV" : "fault", rip,
		       rip - (uintptr_t)__executable_start, si->addr, (unsigned long)uc->gregs[REG_RSP]);
	enter_kernel(uc);
	signal_fault(sig, si->code, (uintptr_t)si->addr);
}

/* A signal from outside (kill, the terminal) or a kick: delivered at once when it interrupted
 * the program; when it interrupted the kernel (only ever inside plat_block), the woken wait
 * notices the pending signal itself. */
static void on_async(int sig, struct host_siginfo *si, struct host_ucontext *uc)
{
	if (sig != KICK_SIGNAL) {
		struct ksiginfo info = {.signo = sig, .code = si->code};
		memcpy(info.raw, (char *)si + 16, sizeof info.raw);
		signal_send_process(curproc(), sig, &info);
	}
	if (in_kernel_text((uintptr_t)uc->gregs[REG_RIP]))
		return;
	struct kthread *t = enter_kernel(uc);
	t->sysnr = -1;
	signal_deliver(uc->gregs[REG_RAX]);
}

static void handle(int sig, void (*fn)(int, struct host_siginfo *, struct host_ucontext *), uint64_t mask)
{
	struct host_sigaction sa = {(void *)fn, H_SA_SIGINFO | H_SA_ONSTACK | H_SA_RESTORER, host_sigreturn_trampoline, mask};
	long r = HOST4(H_rt_sigaction, sig, &sa, NULL, 8);
	if (r < 0)
		kpanic("cannot handle host signal %d (%ld)", sig, r);
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
	/* Signals from outside become the program's; job control stays the host's. */
	uint64_t host_owned = faults | SIGBIT(SIGSYS) | SIGBIT(SIGPIPE) | SIGBIT(SIGKILL) | SIGBIT(SIGSTOP) |
			      SIGBIT(SIGTSTP) | SIGBIT(SIGTTIN) | SIGBIT(SIGTTOU) | SIGBIT(SIGCONT) | SIGBIT(SIGCHLD);
	for (int sig = 1; sig <= KICK_SIGNAL; sig++)
		if (!(host_owned & SIGBIT(sig)))
			handle(sig, on_async, ~faults);
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
