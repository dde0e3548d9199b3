/* The vm kernel's C entry: from the PVH boot stub to the program's first instruction. */
#include "plat/vm/vm.h"
#include "kernel/boot.h"
#include "kernel/lib.h"
#include "kernel/mm/kalloc.h"
#include "kernel/proc/proc.h"

#define RAM_LIMIT (1UL << 30) /* the direct map covers the first GiB */

extern struct plat_info vm_info;
extern bool vm_test_panic;
unsigned long vm_hwcap(void);
bool vm_fsgsbase(void);

static uint64_t ram_top(const struct hvm_start_info *si)
{
	const struct hvm_memmap_entry *mm = phys_to_virt(si->memmap_paddr);
	uint64_t top = 0;
	for (uint32_t i = 0; i < si->memmap_entries; i++)
		if (mm[i].type == E820_RAM)
			top = MAX(top, mm[i].addr + mm[i].size);
	return MIN(top, RAM_LIMIT);
}

static void machine_facts(void)
{
	vm_info.hwcap = vm_hwcap();
	vm_info.hwcap2 = vm_fsgsbase() ? 2 /* HWCAP2_FSGSBASE */ : 0;
	/* Linux's MINSIGSTKSZ, or more where the XSAVE state is larger (AVX-512: about 2.7 KiB) */
	vm_info.minsigstksz = MAX((size_t)2048, signal_frame_bytes(fpu_area_bytes()));
	vm_info.ncpus = 1;
	vm_info.mem_total = pmem_total();
	vm_info.stack_cur = 8 << 20;
	vm_info.stack_max = ~0UL;
	vm_info.dumpable = true;
	vm_info.cap_last = 40; /* CAP_CHECKPOINT_RESTORE, the last Linux 6.1 knows */
	vm_info.capbset = (2ULL << vm_info.cap_last) - 1; /* nothing outside the machine limits it */
	if (!vm_info.cwd)
		vm_info.cwd = "/";
	if (!vm_info.hostname)
		vm_info.hostname = "elfin";
	if (!vm_info.release)
		vm_info.release = "6.1.0";
}

/* The kernel's share of the boot, on COM3 before the exit record: guest TSC from vm_main to
 * the program's first instruction (the 32-bit stub before it is a few hundred instructions). */
static void report_boot(uint64_t tsc0)
{
	char line[64];
	int n = ksnprintf(line, sizeof line, "elfin-boot %ld\n", (long)time_tsc_ns(rdtsc() - tsc0));
	serial_write(COM_STATUS, line, (size_t)n);
}

noreturn void vm_main(uint32_t si_pa)
{
	uint64_t tsc0 = rdtsc();
	const struct hvm_start_info *si = phys_to_virt(si_pa);
	serial_init();
	cpu_init();
	if (si->magic != HVM_START_MAGIC) {
		kprintf("elfin: not started through the PVH entry (bad start info magic %#x)\n", si->magic);
		vm_halt(2, false);
	}
	pmem_init(si);
	pmem_reserve(si_pa, si_pa + PAGE_SIZE);
	paging_init(ram_top(si));
	kalloc_init(HEAP_BASE, HEAP_SIZE);
	static struct boot_config cfg;
	static char err[512];
	struct exec_entry entry;
	cfg.trace.strace_fd = -1; /* unless the manifest asks for --strace */
	int st = initrd_config(si, &cfg, err, sizeof err);
	int64_t realtime = (int64_t)vm_info.stack_cur;
	machine_facts();
	time_init(realtime);
	if (!st) {
		cfg.vdso = true;
		cfg.fill_root = initrd_unpack;
		st = kernel_boot(&cfg, &entry, err, sizeof err);
	}
	if (st) {
		kprintf("elfin: %s: %s\n", cfg.program, err);
		vm_halt(st, false);
	}
	if (vm_test_panic) /* a kernel page fault, to show the panic report */
		*(volatile int *)(KMAP_BASE - 2 * PAGE_SIZE) = 1;
	report_boot(tsc0);
	sched_enter_first(entry.pc, entry.sp);
}
