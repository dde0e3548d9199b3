/* elfin's process entry: self-relocation, the host facts, the command line, then the
 * kernel boots and the program starts. */
#include "plat/process/host.h"
#include "plat/process/process.h"
#include "kernel/boot.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mman.h"
#include "kernel/fcntl.h"
#include "kernel/mm/kalloc.h"

#define ARENA_SIZE (64UL << 30)
#define AT_HWCAP 16
#define AT_HWCAP2 26
#define AT_MINSIGSTKSZ 51

extern char __executable_start[], _end[];
extern const struct {
	long tag;
	unsigned long val;
} _DYNAMIC[] __attribute__((visibility("hidden")));

/* A static-pie has no loader: apply our own R_X86_64_RELATIVE relocations first thing. */
static void relocate(void)
{
	uintptr_t base = (uintptr_t)__executable_start;
	unsigned long rela = 0, relasz = 0;
	for (int i = 0; _DYNAMIC[i].tag; i++) {
		if (_DYNAMIC[i].tag == 7)
			rela = _DYNAMIC[i].val;
		else if (_DYNAMIC[i].tag == 8)
			relasz = _DYNAMIC[i].val;
	}
	const struct {
		unsigned long offset, info;
		long addend;
	} *r = (void *)(base + rela);
	for (unsigned long i = 0; i < relasz / 24; i++)
		if ((r[i].info & 0xffffffff) == 8)
			*(uintptr_t *)(base + r[i].offset) = base + r[i].addend;
}

static void collect_info(unsigned long *auxv)
{
	struct plat_info *pi = &pp.info;
	for (; auxv[0]; auxv += 2) {
		if (auxv[0] == AT_HWCAP)
			pi->hwcap = auxv[1];
		else if (auxv[0] == AT_HWCAP2)
			pi->hwcap2 = auxv[1];
		else if (auxv[0] == AT_MINSIGSTKSZ)
			pi->minsigstksz = auxv[1];
	}
	pi->uid = HOST0(H_getuid);
	pi->euid = HOST0(H_geteuid);
	pi->gid = HOST0(H_getgid);
	pi->egid = HOST0(H_getegid);
	pi->pid = HOST0(H_getpid);
	uint64_t stack[2] = {8 << 20, ~0UL};
	HOST2(97 /* getrlimit */, 3 /* RLIMIT_STACK */, stack);
	pi->stack_cur = stack[0];
	pi->stack_max = stack[1];
	long ng = HOST2(115 /* getgroups */, 32, pi->groups);
	pi->ngroups = ng > 0 ? (int)ng : 0;
	pi->ppid = HOST0(H_getppid);
	pi->pgid = HOST1(H_getpgid, 0);
	pi->sid = HOST1(H_getsid, 0);
	long sc = HOST1(H_prctl, 21 /* PR_GET_SECCOMP */);
	pi->seccomp = sc > 0 ? (int)sc : 0; /* a host filter applies to the program's calls too */
	pi->cap_last = -1;
	for (int cap = 0; cap < 64; cap++) { /* the host's bounding set, as far as it knows capabilities */
		long r = HOST2(H_prctl, 23 /* PR_CAPBSET_READ */, cap);
		if (r < 0)
			break;
		pi->capbset |= (uint64_t)(r > 0) << cap;
		pi->cap_last = cap;
	}
	uint64_t cpus[16] = {0};
	long nb = HOST3(204 /* sched_getaffinity */, 0, sizeof cpus, cpus);
	pi->ncpus = 0;
	for (long i = 0; i < nb / 8; i++)
		for (uint64_t m = cpus[i]; m; m &= m - 1) /* no libgcc: count bits by hand */
			pi->ncpus++;
	if (!pi->ncpus)
		pi->ncpus = 1;
	static char uts[6][65];
	HOST1(H_uname, uts);
	pi->hostname = uts[1];
	pi->release = uts[2];
	static char cwd[4096];
	pi->cwd = HOST2(H_getcwd, cwd, sizeof cwd) > 0 ? cwd : "/";
	unsigned long si[14] = {0};
	HOST1(H_sysinfo, si);
	pi->mem_total = si[4] * (uint32_t)si[13]; /* totalram * mem_unit */
	if (!pi->mem_total)
		pi->mem_total = 1UL << 30;
}

static void setup_memory(void)
{
	long arena = HOST6(H_mmap, 0, ARENA_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (arena < 0) {
		kprintf("elfin: cannot reserve the kernel heap (%ld)\n", arena);
		plat_exit(1);
	}
	kalloc_init((uintptr_t)arena, ARENA_SIZE);
	pp.kernel[pp.nkernel++] = (struct range){(uintptr_t)__executable_start, PAGE_UP((uintptr_t)_end)};
	pp.kernel[pp.nkernel++] = (struct range){(uintptr_t)arena, (uintptr_t)arena + ARENA_SIZE};
}

static void check_sud(void)
{
	if (HOST5(H_prctl, PR_SET_SYSCALL_USER_DISPATCH, 0, 0, 0, 0) < 0) {
		kprintf("elfin: this host has no Syscall User Dispatch (Linux 5.11 or later needed)\n");
		plat_exit(1);
	}
}

noreturn void plat_process_start(unsigned long *sp)
{
	relocate();
	int argc = (int)sp[0];
	char **argv = (char **)(sp + 1), **envp = argv + argc + 1;
	char **e = envp;
	while (*e)
		e++;
	collect_info((unsigned long *)(e + 1));
	setup_memory();
	struct boot_config cfg = {0};
	int st = cli_parse(argc, argv, envp, &cfg);
	if (st >= 0)
		plat_exit(st);
	check_sud();
	trap_install();
	static char err[512];
	struct exec_entry entry;
	st = kernel_boot(&cfg, &entry, err, sizeof err);
	if (st) {
		kprintf("elfin: %s: %s\n", cfg.program, err);
		plat_exit(st);
	}
	trap_enable();
	host_enter_program(entry.pc, entry.sp);
}
