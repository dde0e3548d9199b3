/* Entry of the elfin binary (static-pie, no libc), the signal return trampoline, and the
 * jump into the program with the register state Linux gives at exec. */
	.text
	.globl _start
_start:
	xor %ebp, %ebp
	mov %rsp, %rdi
	and $-16, %rsp
	call plat_process_start
	hlt

	.globl host_sigreturn_trampoline
	.hidden host_sigreturn_trampoline
host_sigreturn_trampoline:
	mov $15, %eax
	syscall
	hlt

/* noreturn void host_enter_program(uintptr_t pc, uintptr_t sp) */
	.globl host_enter_program
	.hidden host_enter_program
host_enter_program:
	mov %rsi, %rsp
	mov %rdi, %rax
	/* MXCSR and the x87 control word as at exec */
	sub $16, %rsp
	movl $0x1f80, (%rsp)
	ldmxcsr (%rsp)
	movw $0x37f, 4(%rsp)
	fldcw 4(%rsp)
	add $16, %rsp
	push $0x202
	popfq
	xor %ebx, %ebx
	xor %ecx, %ecx
	xor %edx, %edx
	xor %esi, %esi
	xor %edi, %edi
	xor %ebp, %ebp
	xor %r8d, %r8d
	xor %r9d, %r9d
	xor %r10d, %r10d
	xor %r11d, %r11d
	xor %r12d, %r12d
	xor %r13d, %r13d
	xor %r14d, %r14d
	xor %r15d, %r15d
	push %rax
	xor %eax, %eax
	ret


/* long host_clone(flags, stack, tid, fn, arg): a new host thread calls fn(arg) on stack. */
	.text
	.globl host_clone
	.hidden host_clone
host_clone:
	and $-16, %rsi
	sub $16, %rsi
	mov %rcx, 0(%rsi)       /* fn */
	mov %r8, 8(%rsi)        /* arg */
	mov %rdx, %r10          /* child_tid */
	/* rdx = parent_tid = the same word */
	mov $56, %eax
	syscall
	test %rax, %rax
	jnz 1f
	xor %ebp, %ebp
	pop %rcx
	pop %rdi
	call *%rcx
	hlt
1:	ret

/* noreturn void host_sigreturn_to(struct host_ucontext *uc): rt_sigreturn with uc at rsp. */
	.globl host_sigreturn_to
	.hidden host_sigreturn_to
host_sigreturn_to:
	mov %rdi, %rsp
	mov $15, %eax
	syscall
	hlt

	.section .note.GNU-stack, "", @progbits
