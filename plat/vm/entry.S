/* Ways into and out of the vm kernel: the `syscall` entry (MSR_LSTAR), the exception and
 * interrupt stubs (every vector on an IST stack), the return into the program, and the
 * kernel-stack switch between threads.
 *
 * The program runs in ring 0 on its own stack, so nothing may be pushed there (the red
 * zone): the syscall entry parks %rsp in a per-CPU slot and moves to the thread's kernel
 * stack first. Entries from the program build a struct uregs (Linux's mcontext order) at
 * the top of the thread's kernel stack; the core reads and edits it, and we return by
 * loading it and an iretq to the same privilege level. */
#define U_RSP (15 * 8)
#define U_RIP (16 * 8)
#define U_EFL (17 * 8)
#define U_CSGSFS (18 * 8)
#define U_ERR (19 * 8)
#define U_TRAPNO (20 * 8)
#define U_OLDMASK (21 * 8)
#define U_CR2 (22 * 8)
#define U_SIZE (23 * 8)
#define CSGSFS 0x002b000000000033 /* what Linux shows a program: cs 0x33, ss 0x2b */
#define FIX_EFLAGS 0x50dd5

	.text
	.globl vm_syscall_entry, vm_return_uregs, vm_switch, vm_thread_entry, vm_isr_table
	.hidden vm_syscall_entry, vm_return_uregs, vm_switch, vm_thread_entry, vm_isr_table

/* %rcx = the program's rip, %r11 its rflags; interrupts are off (SFMASK). */
vm_syscall_entry:
	mov %rsp, vm_user_rsp(%rip)
	mov vm_kstack_top(%rip), %rsp
	push $0				/* cr2 */
	push $0				/* oldmask */
	push $0				/* trapno */
	push $0				/* err */
	push $0				/* csgsfs, set below */
	push %r11
	push %rcx
	push vm_user_rsp(%rip)
	push %rcx
	push %rax
	push %rdx
	push %rbx
	push %rbp
	push %rsi
	push %rdi
	push %r15
	push %r14
	push %r13
	push %r12
	push %r11
	push %r10
	push %r9
	push %r8
	movabs $CSGSFS, %rax
	mov %rax, U_CSGSFS(%rsp)
	mov %rsp, %rdi
	xor %ebp, %ebp
	call vm_syscall
	mov %rsp, %rdi
	/* fall through */

/* %rsp (or the argument) points at a struct uregs: load it and go back to the program. */
vm_return_uregs:
	mov %rdi, %rsp
	mov U_RSP(%rsp), %rax
	mov U_RIP(%rsp), %rcx
	mov U_EFL(%rsp), %rdx
	and $FIX_EFLAGS, %rdx
	or $0x202, %rdx			/* interrupts on in the program */
	mov %rcx, U_RSP(%rsp)		/* the iretq frame replaces rsp..err */
	movq $0x08, U_RIP(%rsp)
	mov %rdx, U_EFL(%rsp)
	mov %rax, U_CSGSFS(%rsp)
	movq $0x10, U_ERR(%rsp)
	pop %r8
	pop %r9
	pop %r10
	pop %r11
	pop %r12
	pop %r13
	pop %r14
	pop %r15
	pop %rdi
	pop %rsi
	pop %rbp
	pop %rbx
	pop %rdx
	pop %rax
	pop %rcx
	iretq

/* long vm_direct_entry(long nr, long a0, ..., long a5): the vDSO's direct way in. Kernel
 * code runs with interrupts off; the caller's stack is an ordinary call's, so it serves.
 * The seventh argument (a5) is on the stack: it is passed on below the saved flags. */
	.globl vm_direct_entry
	.hidden vm_direct_entry
vm_direct_entry:
	pushfq
	cli
	sub $8, %rsp
	pushq 24(%rsp)
	call syscall_direct
	add $16, %rsp
	popfq
	ret

/* void vm_switch(uint64_t *save_rsp, uint64_t new_rsp) */
vm_switch:
	push %rbp
	push %rbx
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rsp, (%rdi)
	mov %rsi, %rsp
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	ret

/* A new thread's first switch returns here, with its struct uregs right above. */
vm_thread_entry:
	mov %rsp, %rdi
	call vm_thread_first
	mov %rsp, %rdi
	jmp vm_return_uregs

/* Exceptions and interrupts. The CPU has pushed ss, rsp, rflags, cs, rip (and an error code
 * for some vectors) on the vector's IST stack; each stub pushes the vector. */
	.macro ISR n
	.p2align 4
	.if (\n == 8 || (\n >= 10 && \n <= 14) || \n == 17 || \n == 21 || \n == 29 || \n == 30)
	push $\n
	.else
	push $0
	push $\n
	.endif
	jmp isr_common
	.endm

	.p2align 4
vm_isr_table:
	.set i, 0
	.rept 256
	ISR i
	.set i, i + 1
	.endr

/* On the IST stack: vector 0, err 8, rip 16, cs 24, rflags 32, rsp 40, ss 48. */
isr_common:
	push %rax
	push %rcx
	mov 32(%rsp), %rax		/* rip */
	bt $63, %rax
	jc isr_kernel
	/* From the program: build its struct uregs on the thread's kernel stack and leave the
	 * IST stack, so that a fault while we serve it can use the IST stack again. */
	mov vm_kstack_top(%rip), %rax
	sub $U_SIZE, %rax
	mov 32(%rsp), %rcx
	mov %rcx, U_RIP(%rax)
	mov 48(%rsp), %rcx
	mov %rcx, U_EFL(%rax)
	mov 56(%rsp), %rcx
	mov %rcx, U_RSP(%rax)
	mov 24(%rsp), %rcx
	mov %rcx, U_ERR(%rax)
	mov 16(%rsp), %rcx
	mov %rcx, U_TRAPNO(%rax)
	mov %cr2, %rcx
	mov %rcx, U_CR2(%rax)
	movq $0, U_OLDMASK(%rax)
	movabs $CSGSFS, %rcx
	mov %rcx, U_CSGSFS(%rax)
	mov (%rsp), %rcx
	mov %rcx, 14 * 8(%rax)		/* rcx */
	mov 8(%rsp), %rcx
	mov %rcx, 13 * 8(%rax)		/* rax */
	mov %rax, %rsp
	mov %r8, 0 * 8(%rsp)
	mov %r9, 1 * 8(%rsp)
	mov %r10, 2 * 8(%rsp)
	mov %r11, 3 * 8(%rsp)
	mov %r12, 4 * 8(%rsp)
	mov %r13, 5 * 8(%rsp)
	mov %r14, 6 * 8(%rsp)
	mov %r15, 7 * 8(%rsp)
	mov %rdi, 8 * 8(%rsp)
	mov %rsi, 9 * 8(%rsp)
	mov %rbp, 10 * 8(%rsp)
	mov %rbx, 11 * 8(%rsp)
	mov %rdx, 12 * 8(%rsp)
	mov %rsp, %rdi
	xor %ebp, %ebp
	cld
	call vm_trap_program
	mov %rsp, %rdi
	jmp vm_return_uregs

/* From the kernel: served on the IST stack, as a struct iframe. */
isr_kernel:
	pop %rcx
	pop %rax
	push %rax
	push %rbx
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %rbp
	push %r8
	push %r9
	push %r10
	push %r11
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rsp, %rdi
	cld
	call vm_trap_kernel
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rbp
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rbx
	pop %rax
	add $16, %rsp
	iretq

	.bss
	.p2align 3
	.globl vm_user_rsp
vm_user_rsp:
	.quad 0

	.section .note.GNU-stack, "", @progbits
