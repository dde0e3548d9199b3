/* The CPU: GDT, TSS with an IST stack for every vector, IDT, SSE and the syscall MSRs; the
 * handlers every entry ends in (syscalls, the program's faults and the timer, faults in the
 * kernel), and the panic report (registers, faulting address, backtrace). */
#include "plat/vm/vm.h"
#include "kernel/lib.h"
#include "kernel/signal.h"
#include "kernel/uaccess.h"
#include "kernel/mm/mm.h"
#include "kernel/proc/proc.h"
#include "kernel/sys/syscall.h"

#define IST_SIZE 16384
#define SEGV_MAPERR 1
#define SEGV_ACCERR 2
#define FPE_INTDIV 1
#define FPE_FLTINV 7
#define ILL_ILLOPN 2
#define BUS_ADRERR 2
#define TRAP_BRKPT 1
#define SI_KERNEL 0x80

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3, iomap;
} __attribute__((packed));

struct idt_gate {
	uint16_t off0, sel;
	uint8_t ist, type;
	uint16_t off1;
	uint32_t off2, reserved;
};

static uint64_t gdt[5];
static struct tss tss;
static struct idt_gate idt[256];
static char ist_stacks[3][IST_SIZE] __attribute__((aligned(16)));
uintptr_t vm_kstack_top;

static void load_tables(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) gdtr = {sizeof gdt - 1, (uint64_t)gdt}, idtr = {sizeof idt - 1, (uint64_t)idt};
	__asm__ volatile("lgdt %0" : : "m"(gdtr));
	__asm__ volatile("lidt %0" : : "m"(idtr));
	__asm__ volatile("pushq %0; lea 1f(%%rip), %%rax; pushq %%rax; lretq; 1:\n\t"
			 "mov %1, %%eax; mov %%eax, %%ds; mov %%eax, %%es; mov %%eax, %%ss"
			 : : "i"(GDT_KCODE), "i"(GDT_KDATA) : "rax", "memory");
	__asm__ volatile("ltr %w0" : : "r"(GDT_TSS));
}

static void setup_tables(void)
{
	gdt[1] = 0x00af9a000000ffffUL;
	gdt[2] = 0x00cf92000000ffffUL;
	uint64_t base = (uint64_t)&tss, limit = sizeof tss - 1;
	gdt[3] = (limit & 0xffff) | (base & 0xffffff) << 16 | 0x89UL << 40 | ((base >> 24) & 0xff) << 56;
	gdt[4] = base >> 32;
	tss.iomap = sizeof tss;
	for (int i = 0; i < 3; i++)
		tss.ist[i] = (uint64_t)(ist_stacks[i] + IST_SIZE);
	for (int v = 0; v < 256; v++) {
		uint64_t h = (uint64_t)(vm_isr_table + 16 * v);
		/* IST 2 for NMI, double fault and machine check; 3 for interrupts; 1 for the rest */
		int ist = v == 2 || v == 8 || v == 18 ? 2 : v >= 32 ? 3 : 1;
		idt[v] = (struct idt_gate){(uint16_t)h, GDT_KCODE, (uint8_t)ist, 0x8e, (uint16_t)(h >> 16),
					   (uint32_t)(h >> 32), 0};
	}
	load_tables();
}

static bool fsgsbase;

/* SSE (and XSAVE, fpu.c) for the program (the kernel never touches it), FSGSBASE where
 * the CPU has it, and `syscall` into vm_syscall_entry with interrupts off. */
static void setup_features(void)
{
	unsigned r[4];
	uint64_t cr0, cr4;
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	/* EM off, MP, NE; caches on (CD, NW off): the PVH loader may leave reset's CD and NW set,
	 * which TCG ignores and hardware obeys */
	cr0 = (cr0 & ~((1UL << 2) | (1UL << 29) | (1UL << 30))) | (1UL << 1) | (1UL << 5);
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0));
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	cr4 |= (1UL << 9) | (1UL << 10); /* OSFXSR, OSXMMEXCPT */
	cpuid(0, 0, r);
	unsigned max_leaf = r[0];
	cpuid(7, 0, r); /* beyond the basic range CPUID repeats the last leaf: check it first */
	fsgsbase = max_leaf >= 7 && (r[1] & 1);
	if (fsgsbase)
		cr4 |= 1UL << 16;
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4));
	__asm__ volatile("fninit");
	fpu_setup();
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | 1); /* SCE */
	wrmsr(MSR_STAR, (uint64_t)GDT_KCODE << 32);
	wrmsr(MSR_LSTAR, (uint64_t)vm_syscall_entry);
	wrmsr(MSR_SFMASK, 0x47700); /* TF DF IF NT AC: the kernel runs with interrupts off */
}

void cpu_init(void)
{
	setup_tables();
	setup_features();
}

void cpu_set_kstack(uintptr_t top)
{
	vm_kstack_top = top;
}

void cpu_set_fs(uint64_t base)
{
	if (fsgsbase)
		__asm__ volatile("wrfsbase %0" : : "r"(base));
	else
		wrmsr(MSR_FS_BASE, base);
}

uint64_t cpu_get_fs(void)
{
	uint64_t v;
	if (!fsgsbase)
		return rdmsr(MSR_FS_BASE);
	__asm__ volatile("rdfsbase %0" : "=r"(v));
	return v;
}

void cpu_set_gs(uint64_t base)
{
	if (fsgsbase)
		__asm__ volatile("wrgsbase %0" : : "r"(base));
	else
		wrmsr(MSR_GS_BASE, base);
}

unsigned long vm_hwcap(void)
{
	unsigned r[4];
	cpuid(1, 0, r);
	return r[3];
}

bool vm_fsgsbase(void)
{
	return fsgsbase;
}

/* Frame pointers all the way (-fno-omit-frame-pointer): follow them while they stay in
 * the kernel's half. */
void vm_backtrace(uint64_t rbp)
{
	kprintf("backtrace:\n");
	for (int i = 0; i < 16 && rbp >= USER_TOP && !(rbp & 7); i++) {
		uint64_t *f = (uint64_t *)rbp;
		if (!f[1])
			break;
		kprintf("  %#lx\n", (unsigned long)f[1]);
		rbp = f[0];
	}
}

static noreturn void panic_frame(const struct iframe *f, const char *what)
{
	uint64_t cr2;
	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	kprintf("elfin: kernel panic: %s (vector %lu, error %#lx) at rip=%#lx, address %#lx\n", what,
		(unsigned long)f->vector, (unsigned long)f->err, (unsigned long)f->rip, (unsigned long)cr2);
	kprintf("rax=%016lx rbx=%016lx rcx=%016lx rdx=%016lx\nrsi=%016lx rdi=%016lx rbp=%016lx rsp=%016lx\n"
		"r8 =%016lx r9 =%016lx r10=%016lx r11=%016lx\nr12=%016lx r13=%016lx r14=%016lx r15=%016lx\n"
		"rflags=%08lx\n",
		f->rax, f->rbx, f->rcx, f->rdx, f->rsi, f->rdi, f->rbp, f->rsp, f->r8, f->r9, f->r10, f->r11,
		f->r12, f->r13, f->r14, f->r15, f->rflags);
	kprintf("  %#lx\n", (unsigned long)f->rip);
	vm_backtrace(f->rbp);
	vm_halt(ELFIN_EXIT_PANIC, true);
}

void lapic_eoi(void);

/* An exception or interrupt that came while the kernel ran (on an IST stack). */
void vm_trap_kernel(struct iframe *f)
{
	if (f->vector == VEC_TIMER) {
		time_interrupt();
		lapic_eoi();
		return;
	}
	if (f->vector >= 32) {
		if (f->vector != VEC_SPURIOUS)
			lapic_eoi();
		return;
	}
	uint64_t cr2;
	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	int pf = f->vector == 14 ? paging_fault(cr2, f->err) : 0;
	if (pf > 0)
		return;
	if (f->vector == 13 && fpu_fixup(f->rip))
		return;
	uintptr_t fix = arch_uaccess_fixup(f->rip);
	if (fix && (f->vector == 14 || f->vector == 13)) {
		if (pf < 0 || f->vector != 14 || !mm_stack_grow(cr2))
			f->rip = fix; /* a user copy: -EFAULT (or out of memory), or again on a grown stack */
		return;
	}
	panic_frame(f, pf < 0 ? "out of memory (the vm's --mem)" : f->vector == 14 ? "page fault" : "exception");
}

/* The program's signal for exception vec (Linux's choices). */
static void fault_signal(struct uregs *r)
{
	int v = (int)r->trapno;
	if (v == 14) {
		int pf = paging_fault(r->cr2, r->err);
		if (pf > 0)
			return;
		if (pf < 0) { /* what Linux's OOM killer would do */
			kprintf("elfin: out of memory (the vm's --mem): the program is killed\n");
			proc_kill_by_signal(SIGKILL);
		}
		signal_fault(SIGSEGV, paging_mapped(r->cr2) ? SEGV_ACCERR : SEGV_MAPERR, r->cr2);
	} else if (v == 0) {
		signal_fault(SIGFPE, FPE_INTDIV, r->rip);
	} else if (v == 16 || v == 19) {
		signal_fault(SIGFPE, FPE_FLTINV, r->rip);
	} else if (v == 6) {
		signal_fault(SIGILL, ILL_ILLOPN, r->rip);
	} else if (v == 1 || v == 3) {
		signal_fault(SIGTRAP, v == 3 ? TRAP_BRKPT : 0, r->rip);
	} else if (v == 17) {
		signal_fault(SIGBUS, BUS_ADRERR, 0);
	} else {
		signal_fault(SIGSEGV, SI_KERNEL, 0);
	}
}

/* An exception or interrupt that came while the program ran: on the kernel stack now. */
void vm_trap_program(struct uregs *r)
{
	struct kthread *t = current();
	vm_fpu_save(t);
	t->regs = r;
	t->sysnr = -1;
	if (r->trapno == VEC_TIMER) {
		time_interrupt();
		lapic_eoi();
		sched_preempt();
	} else if (r->trapno < 32) {
		fault_signal(r);
	} else if (r->trapno != VEC_SPURIOUS) {
		lapic_eoi();
	}
	if (signal_pending(t))
		signal_deliver((long)r->rax);
	vm_fpu_restore(t);
}

/* `syscall` from the program: its registers are in r, on this thread's kernel stack. */
void vm_syscall(struct uregs *r)
{
	struct kthread *t = current();
	vm_fpu_save(t);
	t->regs = r;
	long args[6] = {(long)r->rdi, (long)r->rsi, (long)r->rdx, (long)r->r10, (long)r->r8, (long)r->r9};
	r->rax = (uint64_t)syscall_dispatch((long)r->rax, args, PATH_TRAP);
	vm_fpu_restore(t);
}

/* The exit record on COM3, then isa-debug-exit (QEMU ends with 2*0x3d+1 = 123). */
noreturn void vm_halt(int status, bool panic)
{
	char rec[48];
	int n = panic ? ksnprintf(rec, sizeof rec, "elfin-exit panic\n") : ksnprintf(rec, sizeof rec, "elfin-exit %d\n", status);
	serial_write(COM_STATUS, rec, (size_t)n);
	for (;;) {
		outl(0xf4, 0x3d);
		__asm__ volatile("cli; hlt");
	}
}
