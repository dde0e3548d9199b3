/* The program's registers at a kernel entry, in the layout of Linux's x86-64 mcontext
 * (struct sigcontext's general registers): signal frames copy it as it is, and the process
 * platform's host ucontext already holds it. */
#pragma once
#include "kernel/types.h"

struct uregs {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip;
	uint64_t eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
};

_Static_assert(sizeof(struct uregs) == 23 * 8, "uregs must match Linux's mcontext gregs");

#define UREG_SYSCALL_INSN_LEN 2 /* `syscall` is 0f 05: a restart steps back over it */
