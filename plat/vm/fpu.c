/* The program's FPU, SSE and AVX state. The kernel never touches those registers
 * (-mgeneral-regs-only), so the state is saved at every entry from the program and restored
 * on the way back: with XSAVE where the CPU has it (the components XCR0 enables, the area
 * sized from CPUID leaf 0xd), else FXSAVE. Each area is kept in Linux's signal-frame format
 * (the software-reserved bytes and the trailing magic), which the core's signal code copies
 * to and from the program. */
#include "plat/vm/vm.h"
#include "kernel/lib.h"
#include "kernel/mm/kalloc.h"

#define FXSAVE_SIZE 512
#define SW_RESERVED 464
#define FP_XSTATE_MAGIC1 0x46505853u
#define FP_XSTATE_MAGIC2 0x46505845u
#define XCR0_LEGACY 0x3  /* x87, SSE */
#define XCR0_AVX 0x4
#define XCR0_AVX512 0xe0 /* opmask, ZMM_Hi256, Hi16_ZMM */

static uint64_t xcr0; /* 0: FXSAVE only */
static size_t area_size = FXSAVE_SIZE;
static uint8_t *restoring; /* the area an xrstor/fxrstor is loading, for its fault fix-up */

/* Turns on XSAVE (CR4.OSXSAVE, XCR0) for x87, SSE, AVX and AVX-512 where present. */
void fpu_setup(void)
{
	unsigned r[4];
	cpuid(1, 0, r);
	if (!(r[2] & (1u << 26)))
		return;
	uint64_t cr4;
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4 | 1UL << 18));
	cpuid(0xd, 0, r);
	uint64_t supported = r[0] | (uint64_t)r[3] << 32;
	xcr0 = supported & (XCR0_LEGACY | XCR0_AVX);
	if ((supported & XCR0_AVX512) == XCR0_AVX512 && (supported & XCR0_AVX))
		xcr0 |= XCR0_AVX512;
	__asm__ volatile("xsetbv" : : "c"(0), "a"((uint32_t)xcr0), "d"((uint32_t)(xcr0 >> 32)));
	cpuid(0xd, 0, r);
	area_size = r[1];
}

size_t fpu_area_bytes(void)
{
	return area_size + (xcr0 ? 4 : 0);
}

/* A clean state: every component in its initial state, the x87 control word and MXCSR as
 * Linux starts a program with. */
static void init_area(uint8_t *a)
{
	memset(a, 0, fpu_area_bytes());
	*(uint16_t *)a = 0x37f;
	*(uint32_t *)(a + 24) = 0x1f80;
	if (!xcr0)
		return;
	uint32_t *sw = (uint32_t *)(a + SW_RESERVED);
	sw[0] = FP_XSTATE_MAGIC1;
	sw[1] = (uint32_t)fpu_area_bytes(); /* extended size, the magic included */
	*(uint64_t *)(sw + 2) = xcr0;
	sw[4] = (uint32_t)area_size;
	*(uint32_t *)(a + area_size) = FP_XSTATE_MAGIC2;
}

/* A 64-byte aligned area (*raw is what to kfree), a copy of from or a clean state. */
uint8_t *fpu_area_new(const uint8_t *from, void **raw)
{
	*raw = kmalloc(fpu_area_bytes() + 64);
	if (!*raw)
		return NULL;
	uint8_t *a = (uint8_t *)(((uintptr_t)*raw + 63) & ~63UL);
	if (from)
		memcpy(a, from, fpu_area_bytes());
	else
		init_area(a);
	return a;
}

void fpu_save(uint8_t *a)
{
	if (xcr0)
		__asm__ volatile("xsave64 (%0)" : : "r"(a), "a"((uint32_t)xcr0), "d"((uint32_t)(xcr0 >> 32)) : "memory");
	else
		__asm__ volatile("fxsave64 (%0)" : : "r"(a) : "memory");
}

__attribute__((noinline)) void fpu_restore(uint8_t *a)
{
	restoring = a;
	if (xcr0)
		__asm__ volatile(".globl vm_fpu_rstor\n.hidden vm_fpu_rstor\nvm_fpu_rstor: xrstor64 (%0)"
				 : : "r"(a), "a"((uint32_t)xcr0), "d"((uint32_t)(xcr0 >> 32)) : "memory");
	else
		__asm__ volatile(".globl vm_fpu_fxrstor\n.hidden vm_fpu_fxrstor\nvm_fpu_fxrstor: fxrstor64 (%0)"
				 : : "r"(a) : "memory");
	restoring = NULL;
}

/* A #GP at the restore: the program's signal handler left a state the CPU refuses (a bad
 * MXCSR or XSAVE header). Reset it to a clean state and let the restore run again. */
bool fpu_fixup(uintptr_t rip)
{
	extern char vm_fpu_rstor[], vm_fpu_fxrstor[];
	if (!restoring || (rip != (uintptr_t)vm_fpu_rstor && rip != (uintptr_t)vm_fpu_fxrstor))
		return false;
	init_area(restoring);
	return true;
}
