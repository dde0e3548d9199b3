/* State and internal interfaces of the vm platform: elfin booted as a PVH guest. The kernel
 * lives in the top half of the address space (its image at KVBASE, all RAM at DMAP_BASE, its
 * heap at HEAP_BASE); the lower half is the program's, as on Linux. One CPU. */
#pragma once
#include "plat/plat.h"
#include "kernel/proc/uregs.h"

#define KVBASE 0xffffffff80000000UL
#define DMAP_BASE 0xffff800000000000UL
#define HEAP_BASE 0xffffc00000000000UL
#define HEAP_SIZE (64UL << 30)
#define KMAP_BASE 0xffffd00000000000UL /* kernel views of shared objects */
#define USER_TOP 0x800000000000UL
#define MMAP_TOP 0x7f0000000000UL
#define KSTACK_SIZE (64 * 1024)
#define GDT_KCODE 0x08
#define GDT_KDATA 0x10
#define GDT_TSS 0x18
#define VEC_TIMER 32
#define VEC_SPURIOUS 255

/* The PVH boot ABI (xen/include/public/arch-x86/hvm/start_info.h). */
struct hvm_start_info {
	uint32_t magic, version, flags, nr_modules;
	uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr;
	uint32_t memmap_entries, reserved;
};
struct hvm_modlist_entry {
	uint64_t paddr, size, cmdline_paddr, reserved;
};
struct hvm_memmap_entry {
	uint64_t addr, size;
	uint32_t type, reserved;
};
#define HVM_START_MAGIC 0x336ec578
#define E820_RAM 1

static inline void *phys_to_virt(uint64_t pa)
{
	return (void *)(DMAP_BASE + pa);
}

/* What an exception or interrupt taken in the kernel leaves on its IST stack. */
struct iframe {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, err, rip, cs, rflags, rsp, ss;
};

/* Port I/O traps to the hypervisor: each access is counted as a call to the host
 * (plat_host_calls). */
extern unsigned long vm_exits;
static inline void outb(uint16_t port, uint8_t v)
{
	vm_exits++;
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}
static inline void outl(uint16_t port, uint32_t v)
{
	vm_exits++;
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}
static inline uint8_t inb(uint16_t port)
{
	vm_exits++;
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}
static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}
#define MSR_EFER 0xc0000080
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_SFMASK 0xc0000084
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101

static inline void cpuid(unsigned leaf, unsigned sub, unsigned r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

/* fpu.c */
void fpu_setup(void);
size_t fpu_area_bytes(void);
uint8_t *fpu_area_new(const uint8_t *from, void **raw);
void fpu_save(uint8_t *area);
void fpu_restore(uint8_t *area);
bool fpu_fixup(uintptr_t rip);

/* serial.c: COM1 is the program's stdin and stdout, COM2 its stderr, COM3 the records for
 * the launcher (boot time, statistics, exit status), COM4 the --strace=FILE lines. */
#define COM_OUT 0x3f8
#define COM_ERR 0x2f8
#define COM_STATUS 0x3e8
#define COM_TRACE 0x2e8
#define VM_H_TRACE 3 /* the host handle of COM4, for the core's trace (never the program's) */
void serial_init(void);
void serial_write(uint16_t port, const char *buf, size_t len);
bool serial_readable(void);
int serial_getc(void);
/* plat.c: --stats's JSON out to the launcher (the core's trace_config.stats_write). */
void vm_stats_write(const char *json, size_t len);

/* pmem.c: physical pages, reference counted. */
void pmem_init(const struct hvm_start_info *si);
uint64_t pmem_alloc(void); /* a zeroed page, or 0 */
void pmem_get(uint64_t pa);
void pmem_put(uint64_t pa);
uint64_t pmem_total(void);
uint64_t pmem_free_pages(void);
void pmem_reserve(uint64_t start, uint64_t end);
void pmem_release(uint64_t start, uint64_t end);

/* paging.c */
void paging_init(uint64_t ram_top);
int paging_fault(uintptr_t addr, uint64_t err);
bool paging_mapped(uintptr_t addr);
void paging_map_mmio(uintptr_t va, uint64_t pa);

/* cpu.c */
void cpu_init(void);
void cpu_set_kstack(uintptr_t top);
void cpu_set_fs(uint64_t base);
uint64_t cpu_get_fs(void);
void cpu_set_gs(uint64_t base);
noreturn void vm_halt(int status, bool panic);
void vm_backtrace(uint64_t rbp);
extern uintptr_t vm_kstack_top; /* the running thread's, for entries from the program */

/* time.c */
void time_init(int64_t realtime_ns);
int64_t time_mono_ns(void);
int64_t time_tsc_ns(uint64_t cycles);
int64_t time_real_offset(void);
void time_interrupt(void);
void time_arm(void);
int64_t time_next_event(void);

/* sched.c */
struct vm_thread;
void sched_init_main(struct kthread *t);
noreturn void sched_enter_first(uintptr_t pc, uintptr_t sp);
void sched_preempt(void);
void sched_wake_due(int64_t now);
int64_t sched_next_deadline(void);
bool sched_polling(void);
void vm_fpu_save(struct kthread *t);
void vm_fpu_restore(struct kthread *t);

/* initrd.c */
struct boot_config;
int initrd_config(const struct hvm_start_info *si, struct boot_config *cfg, char *err, size_t errlen);
int initrd_unpack(char *err, size_t errlen);

/* entry.S */
void vm_syscall_entry(void);
noreturn void vm_return_uregs(struct uregs *r);
void vm_switch(uint64_t *save_rsp, uint64_t new_rsp);
void vm_thread_entry(void);
extern char vm_isr_table[];
