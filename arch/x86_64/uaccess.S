/* Fault-recovering user-memory primitives. A fault at any instruction between
 * uaccess_begin and uaccess_end resumes at uaccess_fault, which returns -EFAULT
 * to the primitive's caller (the primitives keep nothing on the stack). */
	.text
	.globl arch_uaccess_copy, arch_uaccess_clear, arch_uaccess_strnlen, arch_uaccess_fixup, arch_uaccess_cmpxchg32
	.hidden arch_uaccess_copy, arch_uaccess_clear, arch_uaccess_strnlen, arch_uaccess_fixup, arch_uaccess_cmpxchg32

uaccess_begin:
/* long arch_uaccess_copy(void *dst, const void *src, size_t len): short copies (the
 * timespecs, stat buffers and small reads of most calls) by 8-byte moves, since `rep movsb`
 * costs tens of cycles to start on CPUs without fast short rep-mov; long ones by `rep movsb`. */
arch_uaccess_copy:
	cmp $256, %rdx
	jae 3f
1:	cmp $8, %rdx
	jb 2f
	mov (%rsi), %rax
	mov %rax, (%rdi)
	add $8, %rsi
	add $8, %rdi
	sub $8, %rdx
	jmp 1b
2:	test %rdx, %rdx
	jz 4f
	movb (%rsi), %al
	movb %al, (%rdi)
	inc %rsi
	inc %rdi
	dec %rdx
	jmp 2b
3:	mov %rdx, %rcx
	rep movsb
4:	xor %eax, %eax
	ret

/* long arch_uaccess_clear(void *dst, size_t len) */
arch_uaccess_clear:
	mov %rsi, %rcx
	xor %eax, %eax
	rep stosb
	ret

/* long arch_uaccess_strnlen(const char *s, size_t max) */
arch_uaccess_strnlen:
	xor %eax, %eax
1:	cmp %rsi, %rax
	jae 2f
	cmpb $0, (%rdi,%rax)
	je 2f
	inc %rax
	jmp 1b
2:	ret

/* long arch_uaccess_cmpxchg32(uint32_t *uaddr, uint32_t *old, uint32_t new):
 * 0 and *uaddr = new if *uaddr was *old, else 1 with *old updated; or -EFAULT */
arch_uaccess_cmpxchg32:
	mov (%rsi), %eax
	lock cmpxchg %edx, (%rdi)
	mov %eax, (%rsi)
	setne %al
	movzbl %al, %eax
	ret
uaccess_end:

uaccess_fault:
	mov $-14, %rax
	ret

/* uintptr_t arch_uaccess_fixup(uintptr_t rip) */
arch_uaccess_fixup:
	xor %eax, %eax
	lea uaccess_begin(%rip), %rcx
	cmp %rcx, %rdi
	jb 1f
	lea uaccess_end(%rip), %rcx
	cmp %rcx, %rdi
	jae 1f
	lea uaccess_fault(%rip), %rax
1:	ret

	.section .note.GNU-stack, "", @progbits
