/* Processes and threads as the kernel core sees them. The kernel's per-thread state hangs
 * off %gs (never %fs, which belongs to the program's TLS). */
#pragma once
#include "kernel/types.h"

struct fdtable;

#define NSIG 64

struct ksigaction {
	uintptr_t handler, flags, restorer;
	uint64_t mask;
};

struct kproc {
	pid_t pid, ppid, pgid, sid;
	struct fdtable *fds;
	char *cwd;      /* absolute, normalized */
	char *exe;      /* absolute path of the running program */
	mode_t umask;
	uintptr_t brk_start, brk_cur;
	struct ksigaction act[NSIG + 1];
	char comm[16];
	char *cmdline;  /* argv as NUL-separated strings */
	size_t cmdline_len;
};

struct kthread {
	struct kthread *self; /* %gs:0 */
	struct kproc *proc;
	pid_t tid;
	uint64_t sigmask;
	uintptr_t clear_child_tid, robust_list;
	size_t robust_len;
	uintptr_t altstack_sp, altstack_flags, altstack_size;
	bool kernel_access; /* the loader reads files into kernel buffers */
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
/* A signal raised for the program by the kernel or by the program itself. */
void proc_raise(int sig);
