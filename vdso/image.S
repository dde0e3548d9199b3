/* The vDSO image, built by make from vdso/ into VDSO_SO, inside elfin's read-only data;
 * the loader copies it into each program (kernel/exec/exec.c). */
	.section .rodata, "a"
	.balign 16
	.globl vdso_image, vdso_image_end
	.hidden vdso_image, vdso_image_end
vdso_image:
	.incbin VDSO_SO
vdso_image_end:

	.section .note.GNU-stack, "", @progbits
