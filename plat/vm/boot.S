/* The PVH entry: QEMU (or any PVH loader) starts us in 32-bit protected mode, paging off,
 * with %ebx pointing at the hvm_start_info. We map the first GiB twice (identity, and at
 * the kernel's link address in the top 2 GiB; and once more at the direct-map base), turn
 * on long mode and call vm_main(start_info) on the boot stack. */
#define KVBASE 0xffffffff80000000
#define XEN_ELFNOTE_PHYS32_ENTRY 18

	.section .note.pvh, "a"
	.p2align 2
	.long 4, 4, XEN_ELFNOTE_PHYS32_ENTRY
	.asciz "Xen"
	.long pvh_start32

	.section .boot.text, "ax"
	.code32
	.globl pvh_start32
pvh_start32:
	cli
	cld
	mov %ebx, %esi
	mov $boot_pd, %edi
	xor %ecx, %ecx
1:	mov %ecx, %eax
	shl $21, %eax
	or $0x83, %eax			/* present, writable, 2 MiB */
	mov %eax, (%edi,%ecx,8)
	movl $0, 4(%edi,%ecx,8)
	inc %ecx
	cmp $512, %ecx
	jb 1b
	movl $boot_pd + 3, boot_pdpt_lo
	movl $boot_pd + 3, boot_pdpt_hi + 510 * 8
	movl $boot_pdpt_lo + 3, boot_pml4
	movl $boot_pdpt_lo + 3, boot_pml4 + 256 * 8
	movl $boot_pdpt_hi + 3, boot_pml4 + 511 * 8
	mov %cr4, %eax
	or $0x20, %eax			/* PAE */
	mov %eax, %cr4
	mov $boot_pml4, %eax
	mov %eax, %cr3
	mov $0xc0000080, %ecx		/* EFER.LME */
	rdmsr
	or $0x100, %eax
	wrmsr
	mov %cr0, %eax
	or $0x80010001, %eax		/* PG, WP, PE */
	mov %eax, %cr0
	lgdt boot_gdtr
	ljmp $0x08, $boot64

	.code64
boot64:
	mov $0x10, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	xor %eax, %eax
	mov %eax, %fs
	mov %eax, %gs
	movabs $boot_stack_top, %rsp
	mov %esi, %edi
	movabs $vm_main, %rax
	call *%rax
2:	hlt
	jmp 2b

	.section .boot.data, "aw"
	.p2align 3
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
boot_gdtr:
	.word 3 * 8 - 1
	.long boot_gdt

	.section .boot.bss, "aw", @nobits
	.p2align 12
	.globl boot_pml4
boot_pml4:	.skip 4096
boot_pdpt_lo:	.skip 4096
boot_pdpt_hi:	.skip 4096
boot_pd:	.skip 4096

	.bss
	.p2align 4
	.skip 32768
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
